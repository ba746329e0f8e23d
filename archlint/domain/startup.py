"""How a project is started, read from the files its runner executes (run.sh and other scripts,
Dockerfile ``ENV``/``CMD``, Procfile, package.json scripts, compose/.env environment) — as data.

Two questions the start-up rules ask:

* :func:`entry_points` — which module the start command runs *as a script* (``python app.py``:
  its ``if __name__ == "__main__":`` block runs, and so it does under ``python -m app.main``) or *imports*
  (``flask run``, ``gunicorn app:app``, ``uvicorn app.main:app``, ``hypercorn``: the block does not run);
* :func:`sets_variable` — whether anything that runs at start sets an environment variable.
"""

from __future__ import annotations

import re
import shlex

from archlint.domain.lazy_regex import lazy_compile
from archlint.domain.manifest import Manifest
from archlint.domain.records import NamedTuple


class EntryPoint(NamedTuple):
    path: str  # where the command is written
    line: int
    command: str
    server: str  # flask | gunicorn | uvicorn | hypercorn | python | python -m | node
    module: str  # dotted module (``app.main``) or a file path (``src/index.js``)
    as_script: bool  # True: ``__name__ == "__main__"`` (``python app.py``); False: imported by a server


_ASSIGNMENT = lazy_compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_SERVERS = ("gunicorn", "uvicorn", "hypercorn", "daphne", "granian")


def entry_points(manifest: Manifest) -> list[EntryPoint]:
    found: list[EntryPoint] = []
    flask_app = _flask_app(manifest)
    for path, line, command in manifest.commands:
        text = command
        if path.rsplit("/", 1)[-1].startswith("Dockerfile"):
            keyword, _, rest = text.partition(" ")
            if keyword.upper() not in ("CMD", "ENTRYPOINT", "RUN"):
                continue
            text = _exec_form(rest)
        if path.rsplit("/", 1)[-1] == "Procfile":
            text = text.partition(":")[2]
        for part in re.split(r"&&|\|\||;|\|", text):
            entry = _entry(path, line, command, part, flask_app)
            if entry is not None:
                found.append(entry)
    return found


def _exec_form(text: str) -> str:
    text = text.strip()
    if text.startswith("["):
        return " ".join(re.findall(r'"((?:[^"\\]|\\.)*)"', text))
    return text


def _words(text: str) -> list[str]:
    try:
        words = shlex.split(text, comments=False)
    except ValueError:
        words = text.split()
    while words and (_ASSIGNMENT.match(words[0]) or words[0] in ("exec", "env", "uv", "poetry", "pipenv", "npx", "run")):
        words = words[1:]
    return words


def _entry(path: str, line: int, command: str, part: str, flask_app: str) -> EntryPoint | None:
    words = _words(part)
    if not words:
        return None
    head = words[0].rsplit("/", 1)[-1]
    if head in ("python", "python3") or re.fullmatch(r"python3\.\d+", head):
        rest = [w for w in words[1:] if not w.startswith("-") or w == "-m"]
        if rest[:1] == ["-m"] and len(rest) > 1:
            module = rest[1]
            if module in _SERVERS or module == "flask":
                return _entry(path, line, command, " ".join(words[words.index("-m") + 1:]), flask_app)
            return EntryPoint(path, line, command, "python -m", module, True)  # runpy runs it as __main__
        if rest and rest[0].endswith(".py"):
            if rest[0].endswith("manage.py"):
                return None
            return EntryPoint(path, line, command, "python", rest[0].lstrip("./"), True)
        return None
    if head == "flask" and "run" in words[1:]:
        app = flask_app
        for index, word in enumerate(words):
            if word in ("--app", "-A") and index + 1 < len(words):
                app = words[index + 1]
            elif word.startswith("--app="):
                app = word.split("=", 1)[1]
        return EntryPoint(path, line, command, "flask", (app or "app").split(":")[0].split("(")[0], False)
    if head in _SERVERS:
        # the app is `module:attr` (`app.main:app`, `wsgi:create_app()`), not an option's value (`-b 0.0.0.0:8080`)
        target = next((w for w in words[1:] if re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*(\(.*\))?", w)), "")
        if target:
            return EntryPoint(path, line, command, head, target.split(":")[0], False)
        return None
    if head in ("node", "tsx", "ts-node", "nodemon", "bun"):
        target = next((w for w in words[1:] if not w.startswith("-") and re.search(r"\.(c|m)?[jt]s$", w)), "")
        if target:
            return EntryPoint(path, line, command, "node", target.lstrip("./"), True)
    return None


def _flask_app(manifest: Manifest) -> str:
    for variable in manifest.env:
        if variable.name == "FLASK_APP":
            return variable.value
    for _path, _line, command in manifest.commands:
        match = re.search(r"\bFLASK_APP=([\w./:]+)", command)
        if match:
            return match.group(1)
    return ""


def sets_variable(manifest: Manifest, name: str) -> tuple[str, int] | None:
    """Where a start-up file sets ``name`` (``.env``, compose ``environment``, ``export NAME=``,
    ``NAME=… cmd``, Dockerfile ``ENV NAME``, a package.json script), or ``None``."""
    for variable in manifest.env:
        if variable.name == name:
            return variable.path, variable.line
    pattern = re.compile(rf"(?:^|[\s;&|]){re.escape(name)}(?:=|\s+\S)")
    for path, line, command in manifest.commands:
        text = command
        if path.rsplit("/", 1)[-1].startswith("Dockerfile"):
            keyword, _, rest = command.partition(" ")
            if keyword.upper() not in ("ENV", "ARG"):
                continue
            text = " " + rest
        elif not re.search(rf"\b{re.escape(name)}=", text):
            continue
        if pattern.search(" " + text):
            return path, line
    return None


def module_path_candidates(module: str) -> tuple[str, ...]:
    """``app.main`` → ``app/main.py``, ``app/main/__init__.py``, ``app/main/__main__.py`` (what
    ``python -m app.main`` runs for a package), and the file itself for ``app.py``."""
    if module.endswith((".py", ".js", ".ts", ".mjs", ".cjs")):
        return (module,)
    base = module.replace(".", "/")
    return (f"{base}.py", f"{base}/__init__.py", f"{base}/__main__.py")
