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

from archlint.domain import ir
from archlint.domain.layers import glob_match
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v



class Known(NamedTuple):
    """The library names this module (and calls.py) reads: the ``[[names]]`` table with
    ``reader = "containers"`` of ``rules/knowledge/frameworks.toml`` (each key is explained there), built
    once per run."""

    registrars: dict  # registrar -> class | value | function
    chained: frozenset
    container_constructors: frozenset
    container_resolvers: frozenset
    container_cradles: frozenset
    container_slots: dict  # framework -> frozenset of request/app attributes holding the container
    declarative_containers: frozenset
    providers: frozenset


def _known(table: dict) -> Known:
    return Known(registrars=dict(table["registrars"]), chained=frozenset(table["chained"]),
                 container_constructors=frozenset(table["container_constructors"]),
                 container_resolvers=frozenset(table["container_resolvers"]),
                 container_cradles=frozenset(table["container_cradles"]),
                 container_slots={framework: frozenset(names) for framework, names in table["container_slots"].items()},
                 declarative_containers=frozenset(table["declarative_containers"]),
                 providers=frozenset(table["providers"]))


def known(program) -> Known:
    return program.library.view("containers", _known)


class Registration(NamedTuple):
    name: str
    kind: str  # class | value | function | auto (loadModules: a class if it is one, else a factory)
    path: str  # the module that registers it
    node: object  # the IR expression given to asClass/asValue/asFunction
    # the function whose body makes the registration (a composition root `function buildContainer() { const
    # models = defineModels(sequelize); container.register({ models: asValue(models) }) }`), -1 at the top level
    fid: int = -1


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
                fid = function.fid if function.kind != "module" else -1
                first = call.args[0].value
                if type(first) is ir.Obj:
                    for entry in first.entries:
                        if isinstance(entry.key, str):
                            found.extend(_registration(program, path, entry.key, entry.value, fid))
                elif type(first) is ir.Const and isinstance(first.value, str) and len(call.args) > 1:
                    found.extend(_registration(program, path, first.value, call.args[1].value, fid))
    return found


def _registration(program, path: str, name: str, node, fid: int = -1) -> list[Registration]:
    while type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name in known(program).chained:
        node = node.func.obj  # asClass(X).singleton().inject(…)
    if type(node) is not ir.Call or not node.args:
        return []
    target = program.static_name(path, node.func)
    registrar = target.split(":", 1)[1].rsplit(".", 1)[-1] if target.startswith("awilix:") else ""
    kind = known(program).registrars.get(registrar)
    return [Registration(name, kind, path, node.args[0].value, fid)] if kind else []


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
    """Run every awilix-registered constructor and factory with its container's cradle: one cradle per
    project of the tree (``domain/projects.py``) — two apps that both register ``articleRepository``
    have two containers, and neither app's classes receive the other's."""
    by_project: dict[str, list[Registration]] = {}
    for registration in registrations(program):
        by_project.setdefault(program.projects.of(registration.path), []).append(registration)
    program.container_cradle = {}
    for project, found in by_project.items():
        _wire_project(program, project, found)


def resolved(program, path: str, name: str):
    """What the container of ``path``'s project (or of the nearest project it is nested in) registered
    under ``name`` (``container.resolve('sequelize')``), else ``None``."""
    for project in reversed(program.projects.visible(program.projects.of(path))):
        found = program.container_cradle.get(project, {}).get(name)
        if found is not None:
            return found
    return None


# What a framework slot holding the container stands for: `.resolve(name)` and `.cradle.name` on it are read
# as on `createContainer()` (`container_resolvers`, `container_cradles`)
CONTAINER = "awilix:createContainer()"


def slot_container(program, framework: str, attribute: str):
    """``request.diScope`` / ``fastify.diContainer`` / ``req.container`` / ``ctx.state.container`` when an awilix
    plugin of ``framework`` puts the container there and the program registers anything: the container, else
    ``None``."""
    if not program.container_cradle or attribute not in known(program).container_slots.get(framework, ()):
        return None
    return v.External(CONTAINER)


def _wire_project(program, project: str, found: list[Registration]) -> None:
    from archlint.semantics.interpreter import Frame

    frames: dict[tuple, Frame] = {}

    def evaluate(registration: Registration):
        key = (registration.path, registration.fid)
        frame = frames.get(key)
        if frame is None:
            module = program.modules[registration.path]
            function = module.module if registration.fid < 0 else program.function(registration.path, registration.fid)
            frame = frames[key] = Frame(program, registration.path, function or module.module, 0)
            frame.env = dict(program.module_env(registration.path))
            if function is not None and function is not module.module and function.parent <= 0:
                # a composition-root function: its body runs once (its parameters unknown) so the locals
                # the registrations name (`asValue(models)`) hold what it assigned them; the effects stay here
                frame.run()
        try:
            return frame.eval(registration.node)
        except RecursionError:
            return v.UNKNOWN

    values: dict[str, object] = {}
    classes: list[v.ClassValue] = []
    factories: list[tuple[str, v.Function]] = []
    for registration in found:
        value = evaluate(registration)
        bare = v.strip(value)
        if registration.kind == "auto":  # loadModules: a class when it is one, else a factory
            registration = registration._replace(kind="class" if type(bare) is v.ClassValue else "function")
        if registration.kind == "class" and type(bare) is v.ClassValue:
            classes.append(bare)
            value = v.Instance(bare.path, bare.cid)
        elif registration.kind == "function" and type(bare) is v.Function:
            factories.append((registration.name, bare))
            value = v.UNKNOWN  # what the factory returns: filled below, once the cradle is known
        elif registration.kind != "value":
            value = v.UNKNOWN
        values[registration.name] = value if registration.name not in values else v.join(values[registration.name], value)
    program.container_cradle[project] = values  # `container.resolve('sequelize')` (calls.call_external)
    # twice: a factory's product (`articleService: asFunction(makeArticleService)` returning its methods) is what
    # the container resolves under its name, and what the classes and factories that receive it get
    for _round in range(2):
        cradle = v.Record(tuple(sorted(values.items())))
        for cls in classes:
            constructor = program.method(cls.path, cls.cid, "constructor")
            if constructor is not None:
                program.summary_of(constructor._replace(bound=v.Instance(cls.path, cls.cid)), _arguments(program, constructor, cradle))
        made = {}
        for name, factory in factories:
            returns = program.summary_of(factory, _arguments(program, factory, cradle)).returns
            made[name] = returns if name not in made else v.join(made[name], returns)
        if not made or all(values.get(name) == value for name, value in made.items()):
            break
        values.update(made)


def _arguments(program, function: v.Function, cradle: v.Record) -> tuple:
    """The cradle as one object (PROXY mode: ``constructor({ a, b })`` or ``constructor(cradle)``), or
    the registrations by parameter name (CLASSIC mode: ``constructor(a, b)``, every name registered)."""
    definition = program.function(function.path, function.fid)
    params = [p for p in definition.params if p.name not in ("self", "this")] if definition is not None else []
    names = dict(cradle.items)
    if params and all(p.kind != "pattern" and p.name in names for p in params):
        return tuple(names[p.name] for p in params)
    return (cradle,)


# python-dependency-injector ------------------------------------------------------------------------
# A FastAPI/Flask clean-architecture app wires its objects in a declarative container::
#
#     class Container(containers.DeclarativeContainer):
#         db = providers.Singleton(Database, db_url=config.db.url)
#         user_repository = providers.Factory(UserRepository, session_factory=db.provided.session)
#         user_service = providers.Factory(UserService, user_repository=user_repository)
#
# and the library calls those constructors (handlers get `Provide[Container.user_service]`).  No project
# code does, so without this `self.session_factory` stays unknown and the queries behind it unseen.
# :func:`wire_providers` runs each provided class's `__init__` with what its arguments stand for: a
# provider of the same container is an instance of the class it provides, `x.provided.attr` the `attr`
# of that instance (a bound method: `db.provided.session`), anything else is evaluated in the module.

def wire_providers(program) -> None:
    names = known(program)
    if not names.declarative_containers or not names.providers:
        return
    from archlint.semantics.interpreter import Frame

    for path in sorted(program.modules):
        module = program.modules[path]
        if module.language != "python":
            continue
        for cls in module.classes:
            if not any(type(base) is v.External and base.name in names.declarative_containers
                       for base in program.bases(path, cls.cid)):
                continue
            provided: dict[str, v.ClassValue] = {}
            calls: list[tuple[v.ClassValue, ir.Call]] = []
            for field in cls.fields:
                call = field.value
                if type(call) is not ir.Call or not call.args or program.static_name(path, call.func) not in names.providers:
                    continue
                target = v.strip(program.static_value(path, call.args[0].value))
                if type(target) is v.ClassValue:
                    provided[field.name] = target
                    calls.append((target, call))
            if not calls:
                continue
            frame = Frame(program, path, module.module, 0)
            frame.env = dict(program.module_env(path))

            def value_of(node):
                if type(node) is ir.Name and node.id in provided:
                    made = provided[node.id]
                    return v.Instance(made.path, made.cid)
                if (type(node) is ir.Attr and type(node.obj) is ir.Attr and node.obj.name == "provided"
                        and type(node.obj.obj) is ir.Name and node.obj.obj.id in provided):
                    made = provided[node.obj.obj.id]
                    method = program.method(made.path, made.cid, node.name)
                    return method._replace(bound=v.Instance(made.path, made.cid)) if method is not None else v.UNKNOWN
                if type(node) in (ir.Name, ir.Attr) and program.static_name(path, node) in names.providers:
                    return v.UNKNOWN
                try:
                    return frame.eval(node)
                except RecursionError:
                    return v.UNKNOWN

            for target, call in calls:
                init = program.method(target.path, target.cid, "__init__")
                if init is None:
                    continue
                args = tuple(value_of(arg.value) for arg in call.args[1:] if arg.kind == "pos")
                kwargs = tuple((arg.name, value_of(arg.value)) for arg in call.args if arg.kind == "kw")
                program.summary_of(init._replace(bound=v.Instance(target.path, target.cid)), args, kwargs)


# Hand-written registries ---------------------------------------------------------------------------
# A container an agent writes itself instead of awilix::
#
#     class Container {
#       register(name, factory) { this.factories.set(name, factory); return this; }
#       resolve(name) { if (!this.instances.has(name)) this.instances.set(name, this.factories.get(name)(this)); … }
#     }
#     container.register('models', () => models)
#              .register('articleRepository', (c) => new ArticleRepository({ models: c.resolve('models') }));
#
# A project class is a registry when one method stores its second parameter in a field keyed by its
# first (`this.F.set(name, x)` / `this.F[name] = x`) and another reads that field by its one parameter
# (`this.F.get(name)` / `this.F[name]`).  Each `register('name', x)` call on it with a constant name is
# a registration; a function registered where the reader calls what it read is a factory, run with the
# registry (when the reader passes `this`) in registration order, and `resolve('name')` on the registry
# yields what the factory returned (else the registered value).  A name registered twice joins its values.

class Registry(NamedTuple):
    path: str
    cid: int
    register: str  # the storing method's name
    resolve: str  # the reading method's name
    calls: bool  # the reader calls what it read (a factory registry)
    passes_self: bool  # … with the registry as its argument (`factory(this)`)


def _this_field(node) -> str:
    """``this.F`` / ``self.F`` -> ``F``."""
    if type(node) is ir.Attr and type(node.obj) is ir.Name and node.obj.id in ("this", "self"):
        return node.name
    return ""


def _keyed_access(node, key: str, method: str) -> str:
    """The field ``F`` when ``node`` is ``this.F.<method>(key, …)`` (``get``/``set``) or ``this.F[key]``."""
    if (type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name == method and node.args
            and type(node.args[0].value) is ir.Name and node.args[0].value.id == key):
        return _this_field(node.func.obj)
    if type(node) is ir.Index and type(node.index) is ir.Name and node.index.id == key:
        return _this_field(node.obj)
    return ""


def _stores(function) -> str:
    """The field a ``(name, value)`` method stores ``value`` in, keyed by ``name``."""
    params = [p for p in function.params if p.kind == "pos"]
    if len(params) != 2:
        return ""
    key, value = params[0].name, params[1].name
    for node in ir.iter_nodes(function.body):
        if (type(node) is ir.Call and len(node.args) == 2 and type(node.args[1].value) is ir.Name
                and node.args[1].value.id == value):
            field = _keyed_access(node, key, "set")
            if field:
                return field
        if type(node) is ir.Assign and type(node.value) is ir.Name and node.value.id == value:
            for target in node.targets:
                field = _keyed_access(target, key, "")
                if field:
                    return field
    return ""


def _reads(function, fields: set) -> tuple[bool, bool] | None:
    """``(calls, passes_self)`` when a one-parameter method reads one of ``fields`` by its parameter."""
    params = [p for p in function.params if p.kind == "pos"]
    if len(params) != 1:
        return None
    key = params[0].name
    read: set = set()  # locals bound to the read value: `const factory = this.factories.get(name)`
    found = False
    for node in ir.iter_nodes(function.body):
        if type(node) in (ir.Call, ir.Index) and (_keyed_access(node, key, "get") in fields or _keyed_access(node, key, "") in fields):
            found = True
        if type(node) is ir.Assign and node.value is not None and (
                _keyed_access(node.value, key, "get") in fields or _keyed_access(node.value, key, "") in fields):
            read.update(t.id for t in node.targets if type(t) is ir.Name)
    if not found:
        return None
    calls = passes_self = False
    for node in ir.iter_nodes(function.body):
        if type(node) is not ir.Call:
            continue
        callee = node.func
        if (type(callee) is ir.Name and callee.id in read) or _keyed_access(callee, key, "get") in fields \
                or _keyed_access(callee, key, "") in fields:
            calls = True
            passes_self = passes_self or any(type(a.value) is ir.Name and a.value.id in ("this", "self") for a in node.args)
    return calls, passes_self


def registry_classes(program) -> dict:
    """(path, cid) -> :class:`Registry` for every JS/TS project class shaped as a registry."""
    found = getattr(program, "_registries", None)
    if found is not None:
        return found
    found = {}
    for path in sorted(program.modules):
        module = program.modules[path]
        if module.language == "python":
            continue
        for cls in module.classes:
            methods = [program.function(path, fid) for fid in cls.methods]
            methods = [m for m in methods if m is not None and m.name != "constructor"]
            stored = {m.name: _stores(m) for m in methods}
            fields = {f for f in stored.values() if f}
            if not fields:
                continue
            for reader in methods:
                shape = _reads(reader, fields) if not stored.get(reader.name) else None
                if shape is not None:
                    register = next(name for name, f in stored.items() if f)
                    found[(path, cls.cid)] = Registry(path, cls.cid, register, reader.name, *shape)
                    break
    program._registries = found
    return found


def registry_call(calls, node, instance, registry: Registry, method: str, args):
    """``container.register('name', x)`` / ``container.resolve('name')`` on a registry instance, as the
    interpreter meets them (module level or inside a ``buildContainer()``, where a factory closes over
    the function's locals): a registration is recorded (a factory run with the registry when the reader
    passes it), a resolution yields what was recorded; ``None`` lets the project method run as written."""
    key = v.strip(args[0][2]) if args and args[0][0] == "pos" else None
    if type(key) is not v.Const or not isinstance(key.value, str):
        return None
    values = calls.program.registry_values.setdefault((registry.path, registry.cid), {})
    if method == registry.resolve and len(args) == 1:
        return values.get(key.value)
    if method != registry.register or len(args) != 2 or args[1][0] != "pos":
        return None
    value = args[1][2]
    bare = v.strip(value)
    if type(bare) in (v.Row, v.Rows, v.Query, v.Result):
        return None  # a cache of looked-up data, not wiring: what a read gets depends on what ran before
    if registry.calls and type(bare) is v.Function:
        if bare.path in calls.program._module_busy:
            # a module-level registration: its factory reads the module's globals, complete only once the
            # module has run — wire_registries runs it then
            calls.program.registry_pending.append((registry, instance, key.value, bare))
            return None
        arguments = (instance,) if registry.passes_self else ()
        value = calls.program.summary_of(bare, arguments, (), calls.depth + 1).returns
    values[key.value] = value if key.value not in values else v.join(values[key.value], value)
    return None


def wire_registries(program) -> None:
    """Run the modules that register on a hand-written registry at their top level
    (`container.register('a', …).register('b', …);`), then the factories they registered, in order, once
    each such module has run: before the other modules' top levels resolve from it."""
    registries = registry_classes(program)
    if not registries:
        return
    names = {registry.register for registry in registries.values()}
    for path in sorted(program.modules):
        module = program.modules[path]
        if module.language == "python" or not module.functions:
            continue
        if any(type(call.func) is ir.Attr and call.func.name in names for call in ir.calls_in(module.functions[0].body)):
            program.module_env(path)
            flush_registries(program)


def flush_registries(program) -> None:
    """Run the factories registered while their module was still running, in registration order."""
    while program.registry_pending:
        pending, program.registry_pending = program.registry_pending, []
        for registry, instance, key, factory in pending:
            arguments = (instance,) if registry.passes_self else ()
            value = program.summary_of(factory, arguments).returns
            values = program.registry_values.setdefault((registry.path, registry.cid), {})
            values[key] = value if key not in values else v.join(values[key], value)
