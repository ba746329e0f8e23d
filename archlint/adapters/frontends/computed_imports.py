"""Dynamic imports whose target is computed from constants, resolved to the modules they load.

``for (const m of ['users', 'articles']) app.use(require('./routes/' + m))``, ``import(name)``
after ``const name = './x.js'``, ``importlib.import_module(f"app.routes.{m}")`` in a loop over a
literal list: the frontends first record these as *opaque* imports (the argument's text); here,
once the whole file's facts exist, constant folding (:mod:`archlint.domain.constants`) computes
the argument, and each opaque import whose every possible value is known becomes one dynamic
import per value — a real edge the layer rules judge, instead of an AL106 "cannot be seen".
Targets that depend on anything else (a directory listing, a parameter, request data) stay opaque.
"""

from __future__ import annotations

from functools import cache

from archlint.adapters.knowledge import load_knowledge
from archlint.domain.constants import CONSTANT, ConstantFolder, ValueFunctions, value_functions
from archlint.domain.facts import DYNAMIC, OPAQUE, FileFacts, Import

_MAX_TARGETS = 16


def resolve_computed_imports(facts: FileFacts) -> None:
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
            resolved.append(record)
            continue
        for value in sorted(values):
            resolved.append(_target(value, span, python))
    facts.imports[:] = resolved


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
