"""Environment reads with a fallback value, read from the IR — for ``archlint verify``.

``os.getenv("DATABASE_URL", "sqlite:///./app.db")``, ``os.environ.get("DB_URL") or "…"``,
``process.env.DATABASE_URL || 'sqlite:conduit.sqlite'`` (also ``??`` and ``process.env["X"]``), and a
pydantic ``BaseSettings`` field's default (``database_url: str = "sqlite:///…"``, read from the
variable ``DATABASE_URL``): the fallback is what the app runs with when the start-up environment
does not set the variable, and dead when it does.  Pure functions over one file's IR.
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.facts import FileFacts
from archlint.domain.records import NamedTuple

_PY_GETTERS = frozenset({"getenv", "get"})
_SETTINGS_BASES = frozenset({"BaseSettings"})


class EnvDefault(NamedTuple):
    variable: str  # the environment variable read (as written; BaseSettings fields upper-cased)
    value: str  # the constant used when it is unset
    span: ir.Span  # the constant's
    case_insensitive: bool = False  # BaseSettings matches the variable in any case


def env_defaults(facts: FileFacts) -> list[EnvDefault]:
    module = facts.ir
    if module is None:
        return []
    found: list[EnvDefault] = []
    python = facts.language == "python"
    for function in module.functions:
        for node in ir.iter_nodes(function.body):
            kind = type(node)
            if kind is ir.Call and python:
                name = _python_env_name(node)
                default = _python_default(node) if name else None
                if default is not None:
                    found.append(EnvDefault(name, default.value, default.span))
            elif kind is ir.BoolOp and node.op in ("or", "??") and len(node.values) >= 2:
                name = env_read(node.values[0], python)
                last = node.values[-1]
                if name and type(last) is ir.Const and isinstance(last.value, str):
                    found.append(EnvDefault(name, last.value, last.span))
    if python:
        found.extend(_settings_defaults(module))
    return found


def _python_env_name(call: ir.Call) -> str | None:
    """``os.getenv("X", …)`` / ``os.environ.get("X", …)`` / ``getenv("X", …)``: ``X``."""
    func = call.func
    if type(func) is ir.Attr and func.name in _PY_GETTERS:
        receiver = func.obj
        ok = (func.name == "getenv" and type(receiver) is ir.Name and receiver.id == "os") or \
             (func.name == "get" and (type(receiver) is ir.Attr and receiver.name == "environ" or type(receiver) is ir.Name and receiver.id == "environ"))
    else:
        ok = type(func) is ir.Name and func.id == "getenv"
    if not ok or not call.args:
        return None
    first = call.args[0].value
    return first.value if type(first) is ir.Const and isinstance(first.value, str) else None


def _python_default(call: ir.Call) -> ir.Const | None:
    for index, arg in enumerate(call.args):
        if (arg.kind == "pos" and index == 1) or (arg.kind == "kw" and arg.name == "default"):
            value = arg.value
            return value if type(value) is ir.Const and isinstance(value.value, str) else None
    return None


def env_read(node, python: bool) -> str | None:
    """The variable an expression reads with no default: ``process.env.X`` / ``process.env["X"]``,
    ``os.environ.get("X")`` / ``os.getenv("X")``."""
    kind = type(node)
    if python:
        return _python_env_name(node) if kind is ir.Call and len(node.args) == 1 else None
    if kind is ir.Attr and _is_process_env(node.obj):
        return node.name
    if kind is ir.Index and _is_process_env(node.obj) and type(node.index) is ir.Const and isinstance(node.index.value, str):
        return node.index.value
    return None


def _is_process_env(node) -> bool:
    return type(node) is ir.Attr and node.name == "env" and type(node.obj) is ir.Name and node.obj.id == "process"


def _settings_defaults(module: ir.ModuleIR) -> list[EnvDefault]:
    """``class Settings(BaseSettings): database_url: str = "sqlite:///…"`` (pydantic-settings reads
    ``DATABASE_URL`` in any case, after a constant ``env_prefix``)."""
    found = []
    for cls in module.classes:
        bases = {base.id if type(base) is ir.Name else base.name if type(base) is ir.Attr else "" for base in cls.bases}
        if not bases & _SETTINGS_BASES:
            continue
        prefix = _env_prefix(cls)
        if prefix is None:
            continue
        for field in cls.fields:
            if type(field.value) is ir.Const and isinstance(field.value.value, str):
                found.append(EnvDefault((prefix + field.name).upper(), field.value.value, field.value.span, case_insensitive=True))
    return found


def _env_prefix(cls: ir.Class) -> str | None:
    """``model_config = SettingsConfigDict(env_prefix="APP_")``: ``APP_``; "" without one; None
    when the prefix is not a constant."""
    for field in cls.fields:
        if field.name != "model_config" or type(field.value) is not ir.Call:
            continue
        for arg in field.value.args:
            if arg.kind == "kw" and arg.name == "env_prefix":
                return arg.value.value if type(arg.value) is ir.Const and isinstance(arg.value.value, str) else None
    return ""
