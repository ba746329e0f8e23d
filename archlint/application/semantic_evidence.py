"""Verdict evidence read from the semantic model, for ``archlint verify``.

The fact-based verdicts recognise an app by its assignment (``app = Fastify()``) and a database by a
URL literal; the model also sees what code *does*: ``require('fastify')({ logger: true })`` builds an
app whose routes are registered, ``new Sequelize('sqlite:conduit.sqlite')`` connects to SQLite (a
URL without ``//``), a session that arrives from a factory, a context manager or a DI container runs
the queries.  These items are added to the verdicts' evidence.
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.stack import Evidence, Verdict
from archlint.semantics import values as v


def served(context: CheckContext) -> dict[str, tuple[list[Evidence], list[Evidence]]]:
    """framework -> (app objects created, routes registered), from the routes table."""
    program = context.program
    found: dict[str, tuple[list[Evidence], list[Evidence]]] = {}
    if program is None:
        return found
    for route in program.routes():
        if non_production(route.file) or route.method == "USE":
            continue
        apps, routes = found.setdefault(route.framework, ([], []))
        routes.append(Evidence(route.file, route.span.line, f"{route.method} {route.path or '?'}"))
    for path, _node, receiver, _values in sorted(program.route_calls.values(), key=lambda item: (item[0], item[1].span)):
        app = v.strip(receiver)
        if type(app) is v.App and app.framework in found and app.site:
            file, line, _column = app.site.rsplit(":", 2)
            evidence = Evidence(file, int(line), f"{app.framework} app/router created")
            if evidence not in found[app.framework][0] and not non_production(file):
                found[app.framework][0].append(evidence)
    return found


# Keys of a connection's options object naming the database: Sequelize `dialect`, knex `client`, TypeORM
# `type`; and those holding its URL (TypeORM `url`, knex `connection`, node-postgres `connectionString`)
_OPTION_KEYS = ("dialect", "client", "type")
_URL_KEYS = ("url", "connection", "connectionString")


def connection_urls(context: CheckContext, schemes, options=None) -> list[tuple[str, Evidence, str]]:
    """``new Sequelize('sqlite:conduit.sqlite')`` / ``create_engine(url)`` with a constant URL: the
    engine the DB handle connects to, by the URL's scheme (``schemes`` maps a scheme to an engine),
    its evidence and the URL.  With ``options`` (an option value such as ``sqlite`` or ``pg`` -> its
    engine): also the options object the constructor is given, wherever it was built — a config
    module's ``{ dialect: 'postgres', … }``, sequelize-cli's ``require('../config/config.js')[env]``,
    ``{ dialect: process.env.DB_DIALECT || 'sqlite' }`` (the value it runs with when the variable is
    unset; ``verify`` drops it when the start-up environment sets the variable)."""
    program = context.program
    found: list[tuple[str, Evidence, str]] = []
    if program is None:
        return found
    for analysis in program.analyses():
        if non_production(analysis.path):
            continue
        created = {construct.span for construct in analysis.constructs}
        for record in analysis.calls:
            if record.node.span not in created or not record.args:
                continue
            line = record.node.span.line
            url = v.strip(record.args[0])
            if _url_engine(url, schemes):
                found.append((_url_engine(url, schemes), Evidence(analysis.path, line, f"connects with {url.value.split(':', 1)[0]}: URL"), url.value))
                continue
            fallback = _fallback_url(record.node, url, schemes)
            if fallback is not None:
                found.append((_url_engine(fallback, schemes), Evidence(analysis.path, line, f"falls back to a {fallback.value.split(':', 1)[0]}: URL"), fallback.value))
                continue
            if options is None:
                continue
            found += _option_engines(analysis.path, line, record.args, schemes, options)
    return found


def configured_connections(context: CheckContext, schemes, options) -> list[tuple[str, Evidence, str]]:
    """A framework that connects from its configuration object (``orms.toml`` ``[[connection_config]]``):
    Vendure's ``bootstrap(config)`` with ``config.dbConnectionOptions = { type: 'postgres', … }``, NestJS's
    ``TypeOrmModule.forRoot(options)`` (an empty ``field``: the argument is the options) — the
    engine the options name, as :func:`connection_urls` reads a constructor's options.  The call is
    the connection; it is read here only, for the verdict (no DB handle, nothing else reads it)."""
    program = context.program
    configured = {name: entry.extra["field"] for entry in context.knowledge.of_kind("connection_config")
                  for name in entry.extra.get("functions", ())}
    # `forRootAsync({ useFactory: () => typeOrmConfig })`: the options are what the factory returns
    factories = {name: entry.extra["factory"] for entry in context.knowledge.of_kind("connection_config")
                 if entry.extra.get("factory") for name in entry.extra.get("functions", ())}
    found: list[tuple[str, Evidence, str]] = []
    if program is None or not configured:
        return found
    for analysis in program.analyses():
        if non_production(analysis.path):
            continue
        for record in analysis.calls:
            receiver = v.strip(record.receiver)
            if type(receiver) is not v.External or receiver.name not in configured or receiver.name in factories or not record.args:
                continue
            field = configured[receiver.name]
            callee = receiver.name.rsplit(":", 1)[-1]
            if not field:  # the argument is the options object (`TypeOrmModule.forRoot(typeOrmConfig)`)
                found += _option_engines(analysis.path, record.node.span.line, record.args[:1], schemes, options, f"{callee}(options): ")
                continue
            for item in v.options(record.args[0]):
                bare = v.strip(item)
                if type(bare) is v.Record:
                    given = [value for key, value in bare.items if key == field]
                    found += _option_engines(analysis.path, record.node.span.line, given, schemes, options, f"{callee}(config): {field} ")
    found += _decorated_configurations(program, configured, factories, schemes, options)
    return found


def _decorated_configurations(program, configured: dict, factories: dict, schemes, options) -> list[tuple[str, Evidence, str]]:
    """``@Module({ imports: [TypeOrmModule.forRoot(typeOrmConfig)] })``: a configuration call inside a
    class decorator, which runs when the class is defined (nothing records it as a call of a function
    body); its options are a name the module imports or defines — its value read statically.  (An object
    literal written in place is read from the IR by the database evidence.)  A function in ``factories``
    takes ``{ useFactory: () => typeOrmConfig }``: the options are the name the factory returns."""
    found: list[tuple[str, Evidence, str]] = []
    for path, module in program.modules.items():
        if module.language == "python" or non_production(path):
            continue
        for cls in module.classes:
            for node in ir.iter_nodes(cls.decorators):
                if type(node) is not ir.Call or not node.args:
                    continue
                name = program.static_name(path, node.func)
                if name not in configured:
                    continue
                returned = _factory_return(program, path, node.args[0].value, factories[name]) if name in factories else node.args[0].value
                if type(returned) is not ir.Name:
                    continue
                value = _module_value(program, path, returned.id)
                field = configured[name]
                callee = name.rsplit(":", 1)[-1]
                if not field:
                    found += _option_engines(path, node.span.line, (value,), schemes, options, f"{callee}(options): ")
                    continue
                for item in v.options(value):
                    bare = v.strip(item)
                    if type(bare) is v.Record:
                        given = [value for key, value in bare.items if key == field]
                        found += _option_engines(path, node.span.line, given, schemes, options, f"{callee}(config): {field} ")
    return found


def _factory_return(program, path: str, argument, key: str):
    """The expression the ``key`` factory of an options literal returns (``{ useFactory: () => typeOrmConfig,
    inject: [] }``), when it returns one only; else ``None``."""
    factory = next((e.value for e in argument.entries if e.key == key), None) if type(argument) is ir.Obj else None
    function = program.function(path, factory.fid) if type(factory) is ir.FuncRef else None
    returned = [node.value for node in ir.iter_nodes(function.body) if type(node) is ir.Return] if function is not None else []
    return returned[0] if len(returned) == 1 else None


def _module_value(program, path: str, name: str):
    """A module-level name's value after the module ran: a global it assigns, or what it imports
    (the imported module's interpreted global: an options object a config module exports)."""
    binding = program.binding(path, name)
    if binding is not None:
        return program.import_value(path, binding)
    return program.module_env(path).get(name, v.UNKNOWN)


def _option_engines(path: str, line: int, arguments, schemes, options, where: str = "") -> list[tuple[str, Evidence, str]]:
    """The engines an options object names (``{ dialect: 'postgres' }``, ``{ type: 'postgres' }``, ``{ url }``)."""
    found: list[tuple[str, Evidence, str]] = []
    for argument in arguments:
        for item in v.options(argument):
            bare = v.strip(item)
            if type(bare) is not v.Record:
                continue
            for key, value in bare.items:
                value = v.strip(value)
                if type(value) is not v.Const or not isinstance(value.value, str):
                    continue
                if key in _OPTION_KEYS and options(value.value):
                    found.append((options(value.value), Evidence(path, line, f"{where}option {key}: {value.value}"), value.value))
                elif key in _URL_KEYS and _url_engine(value, schemes):
                    found.append((_url_engine(value, schemes), Evidence(path, line, f"connects with {value.value.split(':', 1)[0]}: URL"), value.value))
    return found


def _fallback_url(node, value, schemes):
    """``new Sequelize(opts.url || 'sqlite:conduit.sqlite')`` in a Fastify plugin whose options the
    model does not know (``opts`` of ``fastify.register(db, { url: process.env.DATABASE_URL })``): the
    URL argument's value is unknown, and the constant after ``||`` / ``??`` is what the app connects
    with when the caller's value is unset — a fallback, as an environment read's default is."""
    from archlint.domain import ir

    if not v.is_unknown(value) or type(node) is not ir.Call or not node.args or node.args[0].kind != "pos":
        return None
    argument = node.args[0].value
    if type(argument) is not ir.BoolOp or argument.op not in ("or", "??"):
        return None
    last = argument.values[-1]
    if type(last) is not ir.Const or not isinstance(last.value, str):
        return None
    constant = v.Const(last.value)
    return constant if _url_engine(constant, schemes) else None


def _url_engine(value, schemes) -> str:
    if type(value) is not v.Const or not isinstance(value.value, str) or ":" not in value.value:
        return ""
    return schemes(value.value.split(":", 1)[0].split("+", 1)[0])


def api_verdict(context: CheckContext) -> Verdict:
    """``api``: how many of the contract's operations a route serves (method and path, with every
    prefix), and which are missing — ``18/19 operations routed; missing PUT /api/user``.
    Operations under a mount archlint cannot read are counted apart, never as missing."""
    from archlint.semantics.api_contract import coverage

    spec = context.api_spec
    program = context.program
    production = lambda path: not non_production(path)  # noqa: E731
    found = coverage(program, spec, production) if program is not None else None
    if found is None:
        return Verdict("api", spec.source, False, "no routes found", [])
    evidence: list[Evidence] = []
    for missing in found.missing:
        near = missing.near
        where = f"{spec.where(missing.operation)}"
        if near is not None:
            evidence.append(Evidence(near.file, near.span.line, f"{missing.operation.label}: not routed (spec {where})"))
    for served in found.served[: max(1, 3 - len(evidence))]:
        evidence.append(Evidence(served.route.file, served.route.span.line, f"{served.operation.label} -> {served.route.method} {served.route.path}"))
    reason = f"{len(found.served)}/{found.total} operations routed"
    if found.missing:
        shown = ", ".join(m.operation.label for m in found.missing[:5]) + (" …" if len(found.missing) > 5 else "")
        reason += f"; missing {shown}"
    if found.unknown:
        reason += f"; {len(found.unknown)} under mounts archlint cannot read"
    return Verdict("api", spec.source, not found.missing and found.total > 0 and bool(found.served), reason, evidence)
