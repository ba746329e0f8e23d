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
whose value cannot be read stays unknown (never guessed).

``container.loadModules(['services/*.js', 'repositories/*.js'], { cwd: __dirname, formatName: 'camelCase',
resolverOptions: { register: asClass } })`` registers each project module the globs match (relative to
``cwd`` when it is ``__dirname``, else to the project root) under its file name up to the last dot
(camelCased with ``formatName: 'camelCase'``), its default export (``module.exports = X`` / ``export
default X``) as a class or a factory — what ``register`` says, else a class when it is one (awilix 12
``load-modules.js``).
"""

from __future__ import annotations

import posixpath
import re
from typing import NamedTuple

from archlint.domain import ir
from archlint.domain.layers import glob_match
from archlint.semantics import values as v



class Known(NamedTuple):
    """The library names this module (and calls.py) reads: the ``[[names]]`` table with
    ``reader = "containers"`` of ``rules/knowledge/frameworks.toml`` (each key is explained there), built
    once per run."""

    registrars: dict  # registrar -> class | value | function
    chained: frozenset
    container_constructors: frozenset
    container_resolvers: frozenset


def _known(table: dict) -> Known:
    return Known(registrars=dict(table["registrars"]), chained=frozenset(table["chained"]),
                 container_constructors=frozenset(table["container_constructors"]),
                 container_resolvers=frozenset(table["container_resolvers"]))


def known(program) -> Known:
    return program.library.view("containers", _known)


class Registration(NamedTuple):
    name: str
    kind: str  # class | value | function | auto (loadModules: a class if it is one, else a factory)
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
                if call.method == "loadModules" and call.args:
                    found.extend(_loaded_modules(program, path, call))
                    continue
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
    while type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name in known(program).chained:
        node = node.func.obj  # asClass(X).singleton().inject(…)
    if type(node) is not ir.Call or not node.args:
        return []
    target = program.static_name(path, node.func)
    registrar = target.split(":", 1)[1].rsplit(".", 1)[-1] if target.startswith("awilix:") else ""
    kind = known(program).registrars.get(registrar)
    return [Registration(name, kind, path, node.args[0].value)] if kind else []


def _loaded_modules(program, path: str, call: ir.Call) -> list[Registration]:
    """The registrations of ``container.loadModules(globs, options)`` (see the module docstring)."""
    globs = call.args[0].value
    if type(globs) is not ir.Seq:
        return []
    patterns = []
    for element in globs.elts:
        if type(element) is ir.Seq and element.elts:  # ['services/*.js', Lifetime.SCOPED]
            element = element.elts[0]
        if type(element) is not ir.Const or not isinstance(element.value, str):
            return []  # a glob built at runtime: not guessed
        patterns.append(element.value)
    options = {e.key: e.value for e in call.args[1].value.entries if isinstance(e.key, str)} \
        if len(call.args) > 1 and type(call.args[1].value) is ir.Obj else {}
    cwd = options.get("cwd")
    base = posixpath.dirname(path) if type(cwd) is ir.Name and cwd.id == "__dirname" else ""
    if cwd is not None and not base:
        return []  # some other directory: not guessed
    camel = type(options.get("formatName")) is ir.Const and options["formatName"].value == "camelCase"
    if options.get("formatName") is not None and not camel:
        return []  # a formatter function: the names are not known
    kind = "auto"
    resolver = options.get("resolverOptions")
    if type(resolver) is ir.Obj:
        register = next((e.value for e in resolver.entries if e.key == "register"), None)
        if register is not None:
            target = program.static_name(path, register)
            kind = known(program).registrars.get(target.split(":", 1)[1].rsplit(".", 1)[-1], "") if target.startswith("awilix:") else ""
            if not kind:
                return []
    found = []
    files = sorted(set(program.graph.modules) | set(program.modules))  # a loaded module imports nothing: lowered here
    for pattern in patterns:
        full = posixpath.normpath(posixpath.join(base, pattern)) if base else pattern.removeprefix("./")
        for candidate in files:
            if candidate == path or not candidate.endswith((".js", ".ts", ".mjs", ".cjs")) or not glob_match(candidate, full):
                continue
            try:
                module = program.modules[candidate]
            except KeyError:
                continue
            node = _default_export(module)
            if node is None:
                continue
            name = posixpath.basename(candidate).rsplit(".", 1)[0]
            found.append(Registration(_camel_case(name) if camel else name, kind, candidate, node))
    return found


def _default_export(module: ir.ModuleIR):
    """The expression a module's default export names (``module.exports = ArticleService``)."""
    for export in module.exports:
        if export.name == "default" and not export.source:
            return ir.Name(export.local, export.span) if export.local else export.value
    return None


def _camel_case(name: str) -> str:
    """camel-case's ``camelCase``: ``article-service`` / ``article.service`` / ``ArticleService`` ->
    ``articleService``."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])", name) if w]
    return "".join(w.lower() if i == 0 else w[:1].upper() + w[1:].lower() for i, w in enumerate(words))


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
        if registration.kind == "auto":  # loadModules: a class when it is one, else a factory
            registration = registration._replace(kind="class" if type(bare) is v.ClassValue else "function")
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
    program.container_cradle = values  # `container.resolve('sequelize')` (calls.call_external)
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
