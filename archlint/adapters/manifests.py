"""Python dependency manifests, ``.env`` files and docker-compose files, read as data.

Stack verification compares what a project *declares* (``psycopg2-binary`` in
requirements.txt, a ``postgres:16`` compose service, ``DATABASE_URL`` in ``.env``) with what
its code *uses*.  Nothing here executes project code: TOML, INI and YAML are parsed with safe
parsers, and ``setup.py`` is only walked as a syntax tree.  Every reader is total — malformed
input yields whatever could be read, never an exception — because one broken file in a
scanned repository must not stop the scan.

``package.json`` and tsconfig files belong to :mod:`archlint.adapters.js_config`.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter
from pathlib import PurePosixPath


try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

from archlint.adapters.manifest_names import manifest_kind
from archlint.domain.manifest import Dependency, EnvVar, Manifest

# Exact file names; pattern-based names (requirements*.txt, .env.*, docker-compose.*.yml,
# pip-compile *.in) are recognised by :func:`is_manifest`, which is the authoritative test.
MANIFEST_NAMES: frozenset[str] = frozenset(
    {
        "requirements.txt",
        "requirements.in",
        "pyproject.toml",
        "setup.cfg",
        "setup.py",
        "Pipfile",
        ".env",
        "docker-compose.yml",
        "docker-compose.yaml",
        "compose.yml",
        "compose.yaml",
    }
)

MAX_CHARS = 2 * 1024 * 1024  # larger "manifests" are generated or not manifests at all

Reader = Callable[[str, str], Manifest]

# --- requirement strings ----------------------------------------------------------------------

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_PEP508 = re.compile(rf"^(?P<name>{_NAME})\s*(?P<extras>\[[^\]]*\])?(?P<rest>.*)$", re.S)
_VERSION = re.compile(r"^\s*(?:\(?\s*(?:===|==|!=|<=|>=|~=|<|>)[^;]*)?$", re.S)
_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|(?:git|hg|svn|bzr)\+|file:)", re.I)
_EGG = re.compile(rf"[#&]egg=(?P<name>{_NAME})")
_ARCHIVE = re.compile(r"\.(?:whl|zip|tar\.gz|tgz|tar\.bz2)$", re.I)
_COMMENT = re.compile(r"(?:^|\s)#.*$", re.S)
_PIP_OPTION_TAIL = re.compile(r"\s--\S.*$", re.S)  # per-requirement --hash=..., --config-settings
_EDITABLE = re.compile(r"^(?:-e|--editable)(?:\s*=\s*|\s*)(?P<target>.+)$", re.S)
_DEV_GROUP = re.compile(r"dev|test|lint|docs?(?![a-z])|typing|mypy|\b(?:qa|ci)\b", re.I)


def _normalise(name: str) -> str:
    """PEP 503 normalisation, so ``Flask_SQLAlchemy`` and ``flask-sqlalchemy`` compare equal."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement(text: str) -> tuple[str, str] | None:
    """A PEP 508 string or pip URL line -> ``(normalised name, spec)``; None for anything else.

    ``spec`` keeps the extras and the version or ``@ url`` part (``[asyncio]>=2.0``) because
    :class:`Dependency` has no extras field and extras matter (``sqlalchemy[asyncio]``);
    environment markers are dropped.  Rejecting lines that do not look like a requirement is
    what lets prose in a stray ``requirements/README.txt`` produce nothing.
    """
    text = _PIP_OPTION_TAIL.sub("", _COMMENT.sub("", text)).strip()
    if _URL.match(text):
        return _from_url(text)
    match = _PEP508.match(text)
    if not match or _ARCHIVE.search(match["name"]):
        return None
    rest = match["rest"].strip()
    if rest.startswith("@"):
        spec = "@ " + re.split(r"\s;", rest[1:], maxsplit=1)[0].strip()
    else:
        version = rest.split(";", 1)[0]
        if not _VERSION.match(version):
            return None
        spec = re.sub(r"\s+", "", version)
    extras = re.sub(r"\s+", "", match["extras"] or "")
    return _normalise(match["name"]), extras + spec


def _from_url(url: str) -> tuple[str, str] | None:
    """A bare URL names its package only through ``#egg=``; without one it is anonymous."""
    egg = _EGG.search(url)
    return (_normalise(egg["name"]), "@ " + url) if egg else None


def _requirement_line(line: str) -> tuple[str, str] | None:
    """One logical requirements.txt line: skip pip options, resolve ``-e`` URLs via ``#egg=``."""
    line = _COMMENT.sub("", line).strip()
    editable = _EDITABLE.match(line)
    if editable:
        return _from_url(editable["target"].strip())
    return None if line.startswith("-") else _requirement(line)


def _looks_dev(group: str) -> bool:
    """Extras/groups named like dev, test, lint, docs or typing are not runtime dependencies."""
    return bool(_DEV_GROUP.search(group))


# --- locating things in text ------------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\[?([^\[\]]+)\]\]?\s*(?:[#;].*)?$")
_KEY = re.compile(r"^\s*[\"']?([\w.-]+)[\"']?\s*=(?!=)\s*(.*)$")  # not ``name==1.0``
_QUOTED = re.compile(r"\"((?:[^\"\\\n]|\\.)*)\"|'([^'\n]*)'")


@dataclass(frozen=True, slots=True)
class _LineIndex:
    """Line numbers of every section header, ``key =`` line and string value of a TOML/INI file.

    Parsed TOML/INI loses positions, so they are recovered from the raw text.  Building this
    once per file makes locating N dependencies O(N log N) instead of N scans of the file, which
    matters for hostile multi-megabyte inputs.  Lookups take an ``after`` line (the owning
    section) so a dependency listed in two groups is attributed to the right one.
    """

    headers: dict[str, int]
    keys: dict[str, list[int]]
    values: dict[str, list[int]]

    @classmethod
    def of(cls, text: str) -> _LineIndex:
        index = cls({}, defaultdict(list), defaultdict(list))
        for number, line in enumerate(text.split("\n"), 1):
            index._add(number, line.strip())
        return index

    def _add(self, number: int, line: str) -> None:
        header = _HEADER.match(line)
        if header:
            name = re.sub(r"\s*\.\s*", ".", header[1].strip()).replace('"', "").replace("'", "")
            self.headers.setdefault(name, number)
            return
        key = _KEY.match(line)
        if key:
            self.keys[key[1]].append(number)
            line = key[2]  # INI: ``install_requires = flask`` holds a value after the key
        self.values[line].append(number)
        for quoted in _QUOTED.finditer(line):
            self.values[quoted[1] if quoted[1] is not None else quoted[2]].append(number)

    def section(self, *parts: str) -> int:
        """Line of the ``[a.b.c]`` header (quotes ignored), 1 when absent."""
        return self.headers.get(".".join(parts), 1)

    def key(self, key: str, after: int) -> int:
        """First ``key =`` line at/after ``after``, else ``after``."""
        return _first_at_or_after(self.keys.get(key, []), after)

    def value(self, value: str, after: int) -> int:
        """First line at/after ``after`` holding ``value`` as a string or a whole line."""
        return _first_at_or_after(self.values.get(value.strip(), []), after)


def _first_at_or_after(lines: list[int], after: int) -> int:
    position = bisect_left(lines, after)
    return lines[position] if position < len(lines) else after


# --- requirements*.txt / *.in -----------------------------------------------------------------


def _logical_lines(text: str) -> Iterable[tuple[int, str]]:
    """Join backslash continuations as pip does, numbering each logical line by its first."""
    pending: list[str] = []
    first = 1
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        if not pending:
            first = number
        if line.endswith("\\") and not line.lstrip().startswith("#"):
            pending.append(line[:-1])
            continue
        yield first, "".join(pending) + line
        pending = []
    if pending:
        yield first, "".join(pending)


def _read_requirements(path: str, text: str) -> Manifest:
    name = PurePosixPath(path).name.lower()
    dev = "dev" in name or "test" in name
    deps = [
        Dependency(parsed[0], parsed[1], "pypi", path, line, dev)
        for line, content in _logical_lines(text)
        if (parsed := _requirement_line(content))
    ]
    return Manifest(dependencies=deps, files=[path])


# --- pyproject.toml / Pipfile / setup.cfg / setup.py ------------------------------------------


def _load_toml(text: str) -> dict:
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return {}


def _table(value: object) -> dict:
    """TOML values are untrusted: anything that is not a table reads as an empty one."""
    return value if isinstance(value, dict) else {}


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _string_deps(
    path: str, index: _LineIndex, reqs: list[str], dev: bool, after: int
) -> list[Dependency]:
    """PEP 508 strings (pyproject lists, setup.cfg lines), each located at/after ``after``."""
    return [
        Dependency(parsed[0], parsed[1], "pypi", path, index.value(req, after), dev)
        for req in reqs
        if (parsed := _requirement(req))
    ]


def _keyed_spec(value: object) -> str:
    """Poetry/Pipfile ``name = <value>``: a version string, a table, or a list of tables."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " || ".join(_keyed_spec(item) for item in value)
    table = _table(value)
    extras = _strings(table.get("extras"))
    prefix = f"[{','.join(extras)}]" if extras else ""
    for key in ("version", "git", "url", "path", "file"):
        where = table.get(key)
        if isinstance(where, str):
            return prefix + (where if key == "version" else f"@ {where}")
    return prefix


def _keyed_deps(
    path: str, index: _LineIndex, table: object, dev: bool, section: tuple[str, ...]
) -> list[Dependency]:
    """``name = spec`` tables (Poetry, Pipfile); Poetry's ``python`` entry is not a package."""
    after = index.section(*section)
    return [
        Dependency(_normalise(key), _keyed_spec(value), "pypi", path, index.key(key, after), dev)
        for key, value in _table(table).items()
        if key.lower() != "python" and re.fullmatch(_NAME, key)
    ]


def _pep621_deps(path: str, index: _LineIndex, data: dict) -> list[Dependency]:
    project = _table(data.get("project"))
    start = index.section("project")
    main = _strings(project.get("dependencies"))
    deps = _string_deps(path, index, main, False, index.key("dependencies", start))
    extras_start = index.headers.get("project.optional-dependencies", start)
    for group, reqs in _table(project.get("optional-dependencies")).items():
        group_start = index.key(group, extras_start)
        deps += _string_deps(path, index, _strings(reqs), _looks_dev(group), group_start)
    return deps


def _pep735_deps(path: str, index: _LineIndex, data: dict) -> list[Dependency]:
    """``[dependency-groups]`` are development-only by definition; include-group tables skipped."""
    start = index.section("dependency-groups")
    deps = []
    for group, reqs in _table(data.get("dependency-groups")).items():
        deps += _string_deps(path, index, _strings(reqs), True, index.key(group, start))
    return deps


_POETRY = ("tool", "poetry")


def _poetry_deps(path: str, index: _LineIndex, data: dict) -> list[Dependency]:
    """Main dependencies are runtime; every group and legacy dev-dependencies are dev-only."""
    poetry = _table(_table(data.get("tool")).get("poetry"))
    deps = _keyed_deps(path, index, poetry.get("dependencies"), False, (*_POETRY, "dependencies"))
    legacy_dev = poetry.get("dev-dependencies")
    deps += _keyed_deps(path, index, legacy_dev, True, (*_POETRY, "dev-dependencies"))
    for group, body in _table(poetry.get("group")).items():
        section = (*_POETRY, "group", group, "dependencies")
        deps += _keyed_deps(path, index, _table(body).get("dependencies"), True, section)
    return deps


def _read_pyproject(path: str, text: str) -> Manifest:
    data = _load_toml(text)
    index = _LineIndex.of(text)
    deps = _pep621_deps(path, index, data)
    deps += _pep735_deps(path, index, data)
    deps += _poetry_deps(path, index, data)
    return Manifest(dependencies=deps, files=[path])


def _read_pipfile(path: str, text: str) -> Manifest:
    data = _load_toml(text)
    index = _LineIndex.of(text)
    deps = _keyed_deps(path, index, data.get("packages"), False, ("packages",))
    deps += _keyed_deps(path, index, data.get("dev-packages"), True, ("dev-packages",))
    return Manifest(dependencies=deps, files=[path])


def _read_setup_cfg(path: str, text: str) -> Manifest:
    """``[options] install_requires`` and ``[options.extras_require]``; no interpolation."""
    import configparser  # only for setup.cfg: keep the common path's imports light

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return Manifest(files=[path])
    index = _LineIndex.of(text)
    reqs = parser.get("options", "install_requires", fallback="").splitlines()
    deps = _string_deps(path, index, reqs, False, index.section("options"))
    if parser.has_section("options.extras_require"):
        start = index.section("options.extras_require")
        for extra, value in parser.items("options.extras_require"):
            extra_start = index.key(extra, start)
            deps += _string_deps(path, index, value.splitlines(), _looks_dev(extra), extra_start)
    return Manifest(dependencies=deps, files=[path])


def _install_requires_lists(tree: ast.Module) -> Iterable[ast.List | ast.Tuple]:
    """``install_requires=[...]`` in any call, or a module-level name bound to such a list."""
    module_lists = {
        target.id: stmt.value
        for stmt in tree.body
        if isinstance(stmt, ast.Assign)
        for target in stmt.targets
        if isinstance(target, ast.Name)
    }
    for node in ast.walk(tree):
        for keyword in node.keywords if isinstance(node, ast.Call) else ():
            if keyword.arg == "install_requires":
                value = keyword.value
                value = module_lists.get(value.id, value) if isinstance(value, ast.Name) else value
                if isinstance(value, (ast.List, ast.Tuple)):
                    yield value


def _read_setup_py(path: str, text: str) -> Manifest:
    """Static only: string literals of ``install_requires``, each at its own line."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return Manifest(files=[path])
    deps = [
        Dependency(parsed[0], parsed[1], "pypi", path, element.lineno)
        for requires in _install_requires_lists(tree)
        for element in requires.elts
        if isinstance(element, ast.Constant)
        and isinstance(element.value, str)
        and (parsed := _requirement(element.value))
    ]
    return Manifest(dependencies=deps, files=[path])


# --- .env -------------------------------------------------------------------------------------

_ENV_LINE = re.compile(r"^\s*(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_.]*)\s*=(?P<value>.*)$")
_ENV_COMMENT = re.compile(r"\s#.*$")
_MAX_QUOTED_LINES = 200
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _closing_quote(body: str, quote: str) -> int:
    """Index of the unescaped closing quote (backslash escapes only inside double quotes)."""
    pattern = r'(?<!\\)(?:\\\\)*"' if quote == '"' else "'"
    match = re.search(pattern, body)
    return match.end() - 1 if match else -1


def _unescape(body: str, quote: str) -> str:
    if quote != '"':
        return body
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[0]), body)


def _env_value(raw: str, lines: list[str], index: int) -> tuple[str, int]:
    """The value starting on this line and the index of the next unread line.

    Quoted values may span up to ``_MAX_QUOTED_LINES`` lines (PEM keys); an unterminated quote
    is read as the rest of this line only, so one typo does not swallow every later variable.
    Each line is searched once, keeping hostile files linear.
    """
    stripped = raw.strip()
    quote = stripped[:1]
    if quote not in ("'", '"'):
        return _ENV_COMMENT.sub("", raw).strip(), index
    parts = [stripped[1:]]
    for next_index in range(index, min(len(lines), index + _MAX_QUOTED_LINES) + 1):
        close = _closing_quote(parts[-1], quote)
        if close >= 0:
            parts[-1] = parts[-1][:close]
            return _unescape("\n".join(parts), quote), next_index
        if next_index < len(lines):
            parts.append(lines[next_index].rstrip("\r"))
    return stripped[1:], index


def _read_env(path: str, text: str) -> Manifest:
    lines = text.split("\n")
    env: list[EnvVar] = []
    index = 0
    while index < len(lines):
        match = _ENV_LINE.match(lines[index].rstrip("\r"))
        index += 1
        if match:
            value, next_index = _env_value(match["value"], lines, index)
            env.append(EnvVar(match["key"], value, path, index))
            index = next_index
    return Manifest(env=env, files=[path])


# --- an unpacked wheel's *.dist-info/METADATA ------------------------------------------------

_REQUIRES_DIST = re.compile(r"^Requires-Dist:[ \t]*(?P<req>[^;\n]*?)[ \t]*(?:;(?P<marker>[^\n]*))?$", re.M)
_EXTRA_MARKER = re.compile(r"\bextra\s*==\s*['\"](?P<extra>[^'\"]*)")


def _read_dist_metadata(path: str, text: str) -> Manifest:
    """``Requires-Dist: sqlalchemy (==1.4.48)`` lines (core metadata 2.x, the headers before the
    description): what a wheel pins.  A requirement behind an ``extra == '…'`` marker is judged
    like a pyproject's optional-dependencies group: ``extra == "mysql"`` declares pymysql for the
    users who install that extra, ``extra == "test"`` is development-only."""
    head = text.split("\n\n", 1)[0]
    deps = []
    for match in _REQUIRES_DIST.finditer(head):
        parsed = _requirement(match["req"].replace("(", "").replace(")", ""))
        if parsed:
            line = head.count("\n", 0, match.start()) + 1
            extra = _EXTRA_MARKER.search(match["marker"] or "")
            deps.append(Dependency(parsed[0], parsed[1], "pypi", path, line, bool(extra) and _looks_dev(extra["extra"])))
    return Manifest(dependencies=deps, files=[path])


# --- dispatch ---------------------------------------------------------------------------------

def _reader_for(path_rel: str) -> Reader | None:
    kind = manifest_kind(path_rel)
    if kind == "compose":
        from archlint.adapters.compose import read_compose  # PyYAML loads only for compose files

        return read_compose
    return _READERS.get(kind) if kind is not None else None


_READERS: dict[str, Reader] = {
    "pyproject": _read_pyproject,
    "setup.cfg": _read_setup_cfg,
    "setup.py": _read_setup_py,
    "pipfile": _read_pipfile,
    "metadata": _read_dist_metadata,
    "env": _read_env,
    "requirements": _read_requirements,
}


def is_manifest(path_rel: str) -> bool:
    """Whether :func:`read_manifest_file` understands this file (never package.json/tsconfig)."""
    return _reader_for(path_rel) is not None


def read_manifest_file(path_rel: str, text: str) -> Manifest:
    """One file's contribution; never raises.

    Unknown and oversized (> ``MAX_CHARS``) files are not read: the Manifest is empty and lists
    no file.  Binary content (NUL bytes) lists the path but contributes nothing.
    """
    reader = _reader_for(path_rel)
    if reader is None or len(text) > MAX_CHARS:
        return Manifest()
    if "\x00" in text:
        return Manifest(files=[path_rel])
    return reader(path_rel, text)


_BY_LOCATION = attrgetter("path", "line", "name")


def merge(manifests: Iterable[Manifest]) -> Manifest:
    """Concatenate per-file manifests in an order independent of discovery order."""
    result = Manifest()
    for manifest in manifests:
        result.dependencies += manifest.dependencies
        result.env += manifest.env
        result.services += manifest.services
        result.tsconfigs += manifest.tsconfigs
        result.packages += manifest.packages
        result.files += manifest.files
    result.dependencies.sort(key=_BY_LOCATION)
    result.env.sort(key=_BY_LOCATION)
    result.services.sort(key=_BY_LOCATION)
    result.tsconfigs.sort(key=attrgetter("directory"))
    result.packages.sort(key=attrgetter("directory", "name"))
    result.files = sorted(set(result.files))
    return result
