"""Django settings, read statically from the settings modules' IR (never imported).

A settings module is a list of module-level assignments: ``MIDDLEWARE = [...]``, ``APPEND_SLASH =
False``, then ``MIDDLEWARE += [...]``, ``MIDDLEWARE.remove(...)``, ``from .base import *`` in split
settings.  :func:`read` replays those statements in source order (star imports inlined where they
stand) and keeps, per setting, a constant or a list of constants — and what is only *maybe* true:
a value set inside an ``if``/``try`` is uncertain, so a rule asking "is CsrfViewMiddleware
enabled?" gets ``None`` (unknown) instead of a guess.

Which module is the settings module is decided by the caller (``DJANGO_SETTINGS_MODULE`` from
manage.py, wsgi.py, the start scripts), see :func:`settings_module_names`.
"""

from __future__ import annotations

from dataclasses import dataclass

from archlint.domain import ir
from archlint.domain.records import NamedTuple

UNKNOWN = object()
_MAX_DEPTH = 6


@dataclass(frozen=True)
class Table:
    """A dict setting's constant entries (values may be UNKNOWN); not a tuple, so never a list setting."""

    items: tuple

    def get(self, key: str, default=None):
        return next((value for name, value in self.items if name == key), default)


class Setting(NamedTuple):
    value: object  # a str/bool/int/None constant, a tuple of constants (a list setting), a Table, or UNKNOWN
    certain: bool  # False when an if/try (or an unknown operation) may have changed it
    line: int = 0
    path: str = ""
    maybe_removed: frozenset = frozenset()  # list elements an if/try may have removed


def read(program, path: str) -> dict[str, Setting]:
    """The settings a module defines, after its top level (and the star imports it runs)."""
    cache = program.memoised("django_settings", dict)
    if path not in cache:
        cache[path] = {}
        cache[path] = _Reader(program).module(path, 0, frozenset())
    return cache[path]


def contains(setting: Setting | None, item: str):
    """``True``/``False`` when the list setting certainly does / does not hold ``item``; ``None`` when unknown."""
    if setting is None or setting.value is UNKNOWN or not isinstance(setting.value, tuple):
        return None
    present = item in setting.value
    if present and item in setting.maybe_removed:
        return None
    if not setting.certain and not present:
        return None
    return present


def flag(setting: Setting | None, default: bool):
    """A boolean setting's value, its Django default when unset, ``None`` when unknown."""
    if setting is None:
        return default
    if not setting.certain or setting.value is UNKNOWN:
        return None
    return bool(setting.value)


def settings_module_names(program, paths) -> list[str]:
    """``DJANGO_SETTINGS_MODULE`` as manage.py / wsgi.py / asgi.py set it
    (``os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conduit.settings")``)."""
    found = []
    for path in paths:
        module = program.modules.get(path)
        if module is None or module.language != "python":
            continue
        for function in module.functions:
            for node in ir.iter_nodes(function.body):
                if type(node) is not ir.Call or node.method not in ("setdefault", "__setitem__"):
                    continue
                name, value = node.arg(0), node.arg(1)
                if type(name) is ir.Const and name.value == "DJANGO_SETTINGS_MODULE" and type(value) is ir.Const \
                        and isinstance(value.value, str):
                    found.append(value.value)
    return list(dict.fromkeys(found))


class _Reader:
    def __init__(self, program) -> None:
        self.program = program

    def module(self, path: str, depth: int, seen: frozenset) -> dict[str, Setting]:
        module = self.program.modules.get(path)
        if module is None or depth > _MAX_DEPTH or path in seen:
            return {}
        stars = list(getattr(self.program, "star_imports", lambda _p: [])(path))
        env: dict[str, Setting] = {}
        self.block(path, module.module.body, env, True, stars, depth, seen | {path})
        for _line, target in stars:  # after the last statement
            self.merge(env, self.module(target, depth + 1, seen | {path}), True)
        return env

    def block(self, path: str, body, env: dict, certain: bool, stars: list, depth: int, seen: frozenset) -> None:
        for statement in body:
            while stars and stars[0][0] < statement.span.line:
                _line, target = stars.pop(0)
                self.merge(env, self.module(target, depth + 1, seen), certain)
            kind = type(statement)
            if kind is ir.If:
                self.block(path, statement.body, env, False, stars, depth, seen)
                self.block(path, statement.orelse, env, False, stars, depth, seen)
            elif kind is ir.Try:
                self.block(path, statement.body, env, False, stars, depth, seen)
                for handler in statement.handlers:
                    self.block(path, handler.body, env, False, stars, depth, seen)
                self.block(path, statement.orelse, env, False, stars, depth, seen)
                self.block(path, statement.final, env, certain, stars, depth, seen)
            if kind in (ir.If, ir.Try):  # `if X: from .prod import *` (imports are not IR statements)
                while stars and stars[0][0] <= statement.span.end_line:
                    _line, target = stars.pop(0)
                    self.merge(env, self.module(target, depth + 1, seen), False)
            elif kind is ir.Assign:
                self.assign(path, statement, env, certain)
            elif kind is ir.ExprStmt and type(statement.value) is ir.Call:
                self.method(path, statement.value, env, certain)

    def merge(self, env: dict, other: dict, certain: bool) -> None:
        for name, setting in other.items():
            env[name] = setting if certain else setting._replace(certain=False)

    def assign(self, path: str, statement: ir.Assign, env: dict, certain: bool) -> None:
        for target in statement.targets:
            if type(target) is not ir.Name or not target.id.isupper():
                continue
            name = target.id
            value = self.value(statement.value, env)
            previous = env.get(name)
            if statement.op == "+=":
                if previous is None or not isinstance(previous.value, tuple) or not isinstance(value, tuple):
                    env[name] = Setting(UNKNOWN, False, statement.span.line, path)
                    continue
                value = previous.value + value
                env[name] = Setting(value, certain and previous.certain, statement.span.line, path, previous.maybe_removed)
                continue
            if statement.op != "=":
                env[name] = Setting(UNKNOWN, False, statement.span.line, path)
                continue
            if not certain and previous is not None and isinstance(previous.value, tuple) and isinstance(value, tuple):
                removed = previous.maybe_removed | frozenset(set(previous.value) - set(value))
                env[name] = Setting(tuple(dict.fromkeys(previous.value + value)), False, statement.span.line, path, removed)
                continue
            env[name] = Setting(value, certain and value is not UNKNOWN, statement.span.line, path)

    def method(self, path: str, call: ir.Call, env: dict, certain: bool) -> None:
        if type(call.func) is not ir.Attr or type(call.func.obj) is not ir.Name:
            return
        name = call.func.obj.id
        previous = env.get(name)
        if previous is None or not isinstance(previous.value, tuple):
            return
        method = call.func.name
        items = previous.value
        removed = previous.maybe_removed
        argument = self.value(call.args[-1].value, env) if call.args else UNKNOWN
        if method in ("append", "insert") and argument is not UNKNOWN and not isinstance(argument, tuple):
            items = items + (argument,)
        elif method == "extend" and isinstance(argument, tuple):
            items = items + argument
        elif method == "remove" and argument is not UNKNOWN:
            if certain:
                items = tuple(i for i in items if i != argument)
            else:
                removed = removed | {argument}
        else:
            env[name] = Setting(UNKNOWN, False, call.span.line, path)
            return
        env[name] = Setting(items, previous.certain and (certain or method == "remove"), call.span.line, path, removed)

    def value(self, node, env: dict):
        kind = type(node)
        if kind is ir.Const:
            return node.value
        if kind is ir.Seq:
            items = []
            for element in node.elts:
                if type(element) is ir.Starred:
                    inner = self.value(element.value, env)
                    if not isinstance(inner, tuple):
                        return UNKNOWN
                    items.extend(inner)
                    continue
                item = self.value(element, env)
                if item is UNKNOWN or isinstance(item, tuple):
                    return UNKNOWN  # nested lists and dicts are not list settings
                items.append(item)
            return tuple(items)
        if kind is ir.BinOp and node.op == "+":
            left, right = self.value(node.left, env), self.value(node.right, env)
            if isinstance(left, tuple) and isinstance(right, tuple):
                return left + right
            return UNKNOWN
        if kind is ir.Name:
            found = env.get(node.id)
            return found.value if found is not None and found.certain else UNKNOWN
        if kind is ir.Call and type(node.func) is ir.Name and node.func.id in ("list", "tuple") and len(node.args) == 1:
            return self.value(node.args[0].value, env)
        if kind is ir.Obj:  # REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": [...]}: known keys only
            found = {}
            for entry in node.entries:
                if isinstance(entry.key, str):
                    found[entry.key] = self.value(entry.value, env)
            return Table(tuple(sorted(found.items())))
        return UNKNOWN
