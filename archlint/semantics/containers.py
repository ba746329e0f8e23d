"""Dependency-injection containers that wire a Node app without a visible ``new``: awilix.

A clean-architecture Express/Koa app often builds its object graph in a container::

    container.register({
      Article: asValue(models.Article),
      articleRepository: asClass(ArticleRepository).singleton(),
      articleService: asClass(ArticleService).scoped(),
      articleRouter: asFunction(makeArticleRouter),
    })

and awilix constructs each class with the *cradle*: ``constructor({ articleRepository })`` (the default
PROXY mode, a destructured object) or ``constructor(articleRepository)`` (CLASSIC mode, by parameter
name); ``asFunction`` factories are called the same way.  No project code calls those constructors, so
without this module ``this.articleRepository`` and ``this.Article`` stay unknown and neither the
queries behind them nor their N+1 loops are seen.

:func:`wire` reads every ``register`` call of a module that imports awilix (syntax only: the call's
object literal or ``(name, registration)`` pair, each registration ``asClass|asValue|asFunction(x)``
with any chain of lifetime calls), evaluates the registered values in the registering module, builds
the cradle as a record of them, and runs each registered constructor and factory with it, so the
fields they store are the program's fields.  Names registered twice join their values; a registration
whose value cannot be read stays unknown (never guessed).  ``loadModules`` globs are not read.
"""

from __future__ import annotations

from typing import NamedTuple

from archlint.domain import ir
from archlint.semantics import values as v

_REGISTRARS = {"asClass": "class", "asValue": "value", "asFunction": "function"}
_CHAINED = frozenset({"singleton", "scoped", "transient", "setLifetime", "inject", "disposer", "proxy", "classic",
                      "setInjectionMode", "resolve"})


class Registration(NamedTuple):
    name: str
    kind: str  # class | value | function
    path: str  # the module that registers it
    node: object  # the IR expression given to asClass/asValue/asFunction


def registrations(program) -> list[Registration]:
    """Every awilix registration in the program's modules, in module order."""
    found: list[Registration] = []
    for path in sorted(program.modules):
        module = program.modules[path]
        if module.language == "python" or not any(target.split(":", 1)[0] == "awilix" for _name, target in module.bindings):
            continue
        for function in module.functions:
            for call in ir.calls_in(function.body):
                if call.method != "register" or not call.args:
                    continue
                first = call.args[0].value
                if type(first) is ir.Obj:
                    for entry in first.entries:
                        if isinstance(entry.key, str):
                            found.extend(_registration(program, path, entry.key, entry.value))
                elif type(first) is ir.Const and isinstance(first.value, str) and len(call.args) > 1:
                    found.extend(_registration(program, path, first.value, call.args[1].value))
    return found


def _registration(program, path: str, name: str, node) -> list[Registration]:
    while type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name in _CHAINED:
        node = node.func.obj  # asClass(X).singleton().inject(…)
    if type(node) is not ir.Call or not node.args:
        return []
    target = program.static_name(path, node.func)
    registrar = target.split(":", 1)[1].rsplit(".", 1)[-1] if target.startswith("awilix:") else ""
    kind = _REGISTRARS.get(registrar)
    return [Registration(name, kind, path, node.args[0].value)] if kind else []


def wire(program) -> None:
    """Run every awilix-registered constructor and factory with the container's cradle."""
    found = registrations(program)
    if not found:
        return
    from archlint.semantics.interpreter import Frame

    frames: dict[str, Frame] = {}

    def evaluate(registration: Registration):
        frame = frames.get(registration.path)
        if frame is None:
            module = program.modules[registration.path]
            frame = frames[registration.path] = Frame(program, registration.path, module.module, 0)
            frame.env = dict(program.module_env(registration.path))
        try:
            return frame.eval(registration.node)
        except RecursionError:
            return v.UNKNOWN

    values: dict[str, object] = {}
    classes: list[v.ClassValue] = []
    factories: list[v.Function] = []
    for registration in found:
        value = evaluate(registration)
        bare = v.strip(value)
        if registration.kind == "class" and type(bare) is v.ClassValue:
            classes.append(bare)
            value = v.Instance(bare.path, bare.cid)
        elif registration.kind == "function" and type(bare) is v.Function:
            factories.append(bare)
            value = v.UNKNOWN  # what the factory returns: filled below, once the cradle is known
        elif registration.kind != "value":
            value = v.UNKNOWN
        values[registration.name] = value if registration.name not in values else v.join(values[registration.name], value)
    cradle = v.Record(tuple(sorted(values.items())))
    for cls in classes:
        constructor = program.method(cls.path, cls.cid, "constructor")
        if constructor is not None:
            program.summary_of(constructor._replace(bound=v.Instance(cls.path, cls.cid)), _arguments(program, constructor, cradle))
    for factory in factories:
        program.summary_of(factory, _arguments(program, factory, cradle))


def _arguments(program, function: v.Function, cradle: v.Record) -> tuple:
    """The cradle as one object (PROXY mode: ``constructor({ a, b })`` or ``constructor(cradle)``), or
    the registrations by parameter name (CLASSIC mode: ``constructor(a, b)``, every name registered)."""
    definition = program.function(function.path, function.fid)
    params = [p for p in definition.params if p.name not in ("self", "this")] if definition is not None else []
    names = dict(cradle.items)
    if params and all(p.kind != "pattern" and p.name in names for p in params):
        return tuple(names[p.name] for p in params)
    return (cradle,)
