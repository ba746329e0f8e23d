"""Dynamic imports whose target is computed from constants, resolved to the modules they load.

``for (const m of ['users', 'articles']) app.use(require('./routes/' + m))``, ``import(name)``
after ``const name = './x.js'``, ``importlib.import_module(f"app.routes.{m}")`` in a loop over a
literal list: the frontends first record these as *opaque* imports (the argument's text); here,
once the whole file's facts exist, constant folding (:mod:`archlint.domain.constants`) computes
the argument, and each opaque import whose every possible value is known becomes one dynamic
import per value — a real edge the layer rules judge, instead of an AL106 "cannot be seen".
One directory listing is known too: sequelize-cli's ``models/index.js`` (and route/plugin
loaders like it) ``require(path.join(__dirname, file))`` for each ``file`` of
``fs.readdirSync(__dirname)`` — it loads its own directory's modules, recorded as the import
``./*`` that the graph builder expands to the sibling files.  Targets that depend on anything else
(another directory, a parameter, request data) stay opaque.
"""

from __future__ import annotations

import re
from functools import cache

from archlint.adapters.knowledge import load_knowledge
from archlint.domain import ir
from archlint.domain.constants import CONSTANT, ConstantFolder, ValueFunctions, value_functions
from archlint.domain.facts import DYNAMIC, OPAQUE, OWN_DIRECTORY, REGISTRY, FileFacts, Import

_MAX_TARGETS = 16
_ARGUMENT_TEXT_LIMIT = 200  # an argument's text is cut there (``domain/arguments.py``)
_NAME = re.compile(r"[^\W\d]\w*")


def resolve_computed_imports(facts: FileFacts, lower=None) -> None:
    """``lower()``: the file's IR (Python, lowered from the same parse on demand), for the guards."""
    if not any(record.kind == OPAQUE for record in facts.imports):
        return
    folder = ConstantFolder(facts, _functions())
    python = facts.language == "python"
    known = _python_names(facts.path) if python else None
    calls = {call.span: call for call in facts.calls}
    resolved: list[Import] = []
    for record in facts.imports:
        if record.kind != OPAQUE:
            resolved.append(record)
            continue
        span = record.span
        call = calls.get(span)
        scope = call.scope if call is not None else _scope_at(facts, span)
        at = (span.line, span.column)
        folded = folder.fold(record.module, scope, at, known)
        values = folded.values if folded.kind == CONSTANT and folded.values else None
        if values is not None and python and call is not None:
            values = _with_package(values, call, folder, scope, at, known)
        if not values or len(values) > _MAX_TARGETS or not all(values):
            directory = _directory_loaded(facts, call) if not python and call is not None else None
            if directory:
                resolved.append(Import(directory, (), DYNAMIC, span))
            elif folded.kind == CONSTANT and _registered(folder, call, scope, at, known):
                resolved.append(record._replace(kind=REGISTRY))  # one of the code's constants, not listed
            elif python and lower is not None and _may_be_pinned(folder, call, scope, at, known) \
                    and _pinned_by_guard(folder, lower(), call, scope, at, known):
                resolved.append(record._replace(kind=REGISTRY))  # a key of a constant registry, checked
            else:
                resolved.append(record)
            continue
        for value in sorted(values):
            resolved.append(_target(value, span, python))
    facts.imports[:] = resolved


def _registered(folder: ConstantFolder, call, scope, at, known) -> bool:
    """``import_module(module_name, package=package)`` with ``package, module_name = _public_api[name]``
    (prefect's lazy ``__getattr__``): every argument is one of the code's constants, the registry
    the rule's own guidance asks for."""
    if call is None:
        return False
    strict = ConstantFolder(folder.facts, folder.functions, conventions=False)  # not `process.env.PLUGIN`
    return all(strict.fold(argument.text, scope, at, known).kind == CONSTANT for argument in call.arguments())


def _may_be_pinned(folder: ConstantFolder, call, scope, at, known) -> bool:
    """Can :func:`_pinned_by_guard` say yes, judged from the argument texts before the file's IR is
    lowered for it (a third of a deferred file's cost in a layers-only run)?  It pins only names and
    the names in a string template: an argument that folds to no constant and whose text has no
    quote (so no template, see ``python_ir.e_string``) must be one name, perhaps parenthesised;
    ``self.urlconf_name``, ``entry[1]`` or ``a + b`` never is."""
    if call is None:
        return False
    strict = None
    for argument in call.arguments():
        text = argument.text
        if len(text) >= _ARGUMENT_TEXT_LIMIT or any(char in text for char in "'\"#\\"):
            continue  # cut short, a string, a comment or a continued line: the IR decides
        if _NAME.fullmatch(text.replace("(", "").replace(")", "").strip()):
            continue
        strict = strict or ConstantFolder(folder.facts, folder.functions, conventions=False)
        if strict.fold(text, scope, at, known).kind != CONSTANT:
            return False
    return True


def _pinned_by_guard(folder: ConstantFolder, module, call, scope, at, known) -> bool:
    """``import_module(f".{attr_name}", package=package)`` after ``found = _public_api.get(attr_name)``
    and ``if found is None: return …`` (prefect's lazy ``__getattr__``): every argument is one of the
    code's constants, or built only from names a guard on the way pins to a constant registry's keys
    (:mod:`archlint.domain.allow_lists`, read from the file's IR)."""
    if call is None:
        return False
    node = next((n for f in module.functions for n in ir.iter_nodes(f.body) if type(n) is ir.Call and n.span == call.span),
                None) if module is not None else None
    if node is None or len(node.args) != len(call.arguments()):
        return False
    from archlint.domain.allow_lists import allow_listed

    strict = ConstantFolder(folder.facts, folder.functions, conventions=False)
    pinned = False
    for argument, arg in zip(call.arguments(), node.args):
        if strict.fold(argument.text, scope, at, known).kind == CONSTANT:
            continue
        value = arg.value
        holes = value.holes if type(value) is ir.Template and value.tag is None else (value,)
        if not holes or not all(type(h) is ir.Name and allow_listed(module, call.span, h.id) for h in holes):
            return False
        pinned = True
    return pinned


def _python_names(path: str) -> dict[str, str]:
    """``__name__`` / ``__package__`` as names relative to the file's package: in ``pkg/__init__.py``
    ``f"{__name__}.{m}"`` is ``.m``; in ``pkg/x.py`` it is ``.x.m``."""
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return {"__name__": "" if stem == "__init__" else f".{stem}", "__package__": ""}


def _with_package(values: tuple[str, ...], call, folder: ConstantFolder, scope, at, known) -> tuple[str, ...] | None:
    """``import_module(".users", package)``: a relative name is resolved against ``package``."""
    if not any(v.startswith(".") for v in values):
        return values
    arguments = call.arguments()
    package = next((a for a in arguments if a.keyword == "package"), arguments[1] if len(arguments) > 1 else None)
    if package is None:
        return values  # relative through __name__ / __package__ (see _python_names)
    folded = folder.fold(package.text, scope, at, known)
    if folded.kind != CONSTANT or not folded.values or len(folded.values) != 1:
        return None
    base = folded.values[0]
    result = []
    for value in values:
        stripped = value.lstrip(".")
        level = len(value) - len(stripped)
        parts = base.split(".") if base and not base.startswith(".") else None
        if parts is not None:  # an absolute package: "app.routes" + ".users"
            head = parts[: len(parts) - (level - 1)] if level > 1 else parts
            result.append(".".join(head + [stripped]) if stripped else ".".join(head))
        else:  # relative to this file's package ("" or ".x")
            result.append("." * level + (base.lstrip(".") + "." if base else "") + stripped if level == 1 else value)
    return tuple(result)


def _directory_loaded(facts: FileFacts, call) -> str | None:
    """``./routes/*`` for ``require(path.join(__dirname, 'routes', file))`` (or ``path.resolve``,
    ``'./routes/' + file``, a template; ``./*`` for the file's own directory) inside the callback
    of ``fs.readdirSync(<the same directory>)….forEach/map`` whose parameter is ``file``."""
    arguments = call.arguments()
    loaded = _directory_and_name(arguments[0].text) if len(arguments) == 1 else None
    if loaded is None:
        return None
    folder, name = loaded
    if folder is None:  # a prefix that is not a directory of this file ('../x/', a computed one)
        return None
    here = (call.span.line, call.span.column)
    for loop in facts.calls:
        head, _, rest = loop.callee.partition("readdirSync()")
        if not rest or not (_span_holds(loop.span, here)) or _first_parameter(loop.args_text) != name:
            continue
        listing = next((c for c in facts.calls if c.callee == head + "readdirSync" and c.span.line == loop.span.line), None)
        if listing is not None and _directory(listing.args_text) == folder:
            return f"./{folder}/*" if folder else OWN_DIRECTORY
    for loop in facts.loops:  # for (const file of fs.readdirSync(dir)) require(...)
        if loop.target == name and _span_holds(loop.span, here):
            head, _, rest = "".join(loop.iterable.split()).partition("readdirSync(")
            if head in ("fs.", "") and rest.endswith(")") and _directory(rest[:-1]) == folder:
                return f"./{folder}/*" if folder else OWN_DIRECTORY
    return None


def _span_holds(span, at: tuple[int, int]) -> bool:
    return (span.line, span.column) <= at <= (span.end_line, span.end_column)


def _directory(text: str) -> str | None:
    """``__dirname`` -> ``""``; ``path.join(__dirname, 'routes')`` -> ``routes``; else None."""
    text = "".join(text.split())
    if text == "__dirname":
        return ""
    for head in ("path.join(__dirname,", "path.resolve(__dirname,", "join(__dirname,", "resolve(__dirname,"):
        if text.startswith(head) and text.endswith(")"):
            parts = text[len(head):-1].split(",")
            if all(_quoted(p) for p in parts):
                return "/".join(p[1:-1].strip("/") for p in parts).removeprefix("./")
    return None


def _directory_and_name(text: str) -> tuple[str, str] | None:
    """The directory and variable of a loader's require argument: ``path.join(__dirname, 'routes', file)``,
    ``__dirname + '/routes/' + file``, ``'./routes/' + file``, `` `${__dirname}/routes/${file}` ``,
    `` `./routes/${file}` ``; the directory is ``""`` for the file's own."""
    text = "".join(text.split())
    for head in ("path.join(__dirname,", "path.resolve(__dirname,", "join(__dirname,", "resolve(__dirname,"):
        if text.startswith(head) and text.endswith(")"):
            *parts, name = text[len(head):-1].split(",")
            if name.isidentifier() and all(_quoted(p) for p in parts):
                return "/".join(p[1:-1].strip("/") for p in parts).removeprefix("./"), name
            return None
    if "+" in text:
        prefix, _, name = text.rpartition("+")
        pieces = prefix.split("+")
        if not name.isidentifier() or not pieces or not all(p == "__dirname" or _quoted(p) for p in pieces):
            return None
        return _folder("".join("${__dirname}" if p == "__dirname" else p[1:-1] for p in pieces)), name
    if text.startswith("`") and text.endswith("}`") and "${" in text:
        prefix, _, name = text[1:-2].rpartition("${")
        if name.isidentifier() and "${" not in prefix.replace("${__dirname}", ""):
            return _folder(prefix), name
    return None


def _folder(prefix: str) -> str | None:
    """``${__dirname}/routes/`` / ``./routes/`` / ``./`` -> ``routes`` / ``routes`` / ``""``."""
    if prefix.startswith("${__dirname}"):
        prefix = "." + prefix[len("${__dirname}"):]
    if not prefix.startswith("./") or not prefix.endswith("/") or ".." in prefix:
        return None
    return prefix[2:].strip("/")


def _quoted(text: str) -> bool:
    return len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" and "/.." not in text and not text.startswith(("'..", '"..'))


def _first_parameter(callback: str) -> str:
    """``file => …`` / ``(file) => …`` / ``function (file) {…}`` -> ``file``."""
    text = callback.strip()
    if text.startswith("function"):
        text = text[len("function"):].lstrip()
        text = text[text.index("("):] if "(" in text else ""
    if text.startswith("("):
        text = text[1:].split(")", 1)[0]
    return text.split("=>", 1)[0].split(",", 1)[0].strip()


@cache
def _functions() -> ValueFunctions:
    return value_functions(load_knowledge())


def _target(value: str, span, python: bool) -> Import:
    if python:
        stripped = value.lstrip(".")
        return Import(stripped, (), DYNAMIC, span, len(value) - len(stripped))
    return Import(value, (), DYNAMIC, span)


def _scope_at(facts: FileFacts, span) -> str:
    """The innermost function holding ``span`` (when the import's call has no call fact)."""
    best = ""
    best_start = (0, 0)
    for function in facts.functions:
        start, end = (function.span.line, function.span.column), (function.span.end_line, function.span.end_column)
        if start <= (span.line, span.column) <= end and start >= best_start:
            best, best_start = function.qualname, start
    return best
