"""Application-level exception handlers: what a project registers that answers an error a view let
out, recorded once per program (:meth:`Program.exception_handlers`) for the rules that ask whether an
uncaught error becomes a 500 (AL234) or whether a unique violation is answered app-wide (AL310).

Each :class:`Handler` says what kind of handler it is, which exception classes it is for (their short
names, as the handler names them; a status code such as ``errorhandler(404)`` is kept as ``"404"``,
it catches no exception class) and where it is:

* ``registration`` — Flask ``@app.errorhandler(NoResultFound)`` / ``register_error_handler``, a
  blueprint's ``app_errorhandler``, FastAPI / Starlette / django-ninja ``exception_handler`` /
  ``add_exception_handler``, Sanic ``@app.exception(…)``: for the classes of its first argument (one
  registered on a django-ninja ``NinjaAPI`` answers for ninja's operations only: ``scope`` ``ninja``);
* ``hook`` — a class method every view's error reaches: a Django middleware's ``process_exception``,
  a Flask-RESTful ``Api.handle_error`` override: for every error;
* ``setting`` — DRF's ``REST_FRAMEWORK = {"EXCEPTION_HANDLER": …}``: for every error of DRF's views
  (``scope`` ``drf``: a plain Django view's error never reaches it);
* ``middleware`` — a ``try`` in an HTTP middleware (aiohttp ``@web.middleware``, FastAPI
  ``@app.middleware("http")``, a Starlette ``BaseHTTPMiddleware.dispatch``, a Django middleware class
  listed in ``MIDDLEWARE`` or based on ``MiddlewareMixin``) whose handler does not re-raise: for the
  classes it catches (``BaseException`` for a bare ``except:``);
* ``view`` — a view class's own hook (DRF ``APIView.handle_exception``): for every error of its views
  and its subclasses' (``cls`` is the class).

JavaScript / TypeScript handlers are in the same record, ``scope`` naming the framework whose errors they
see (a Python view never reaches one; see :data:`JS_SCOPES`):

* ``middleware`` ``express`` — Express error middleware: a function of four parameters
  ``(err, req, res, next) => …`` that ``app.use(…)`` / ``router.use(…)`` registers (inline, by name,
  imported, or returned by a factory it calls; recorded where the function is); ``middleware`` ``koa`` — a ``(ctx, next)`` middleware whose ``try``
  around ``await next()`` catches without re-throwing;
* ``registration`` ``fastify`` / ``hono`` — the callback of ``setErrorHandler(…)`` / ``onError(…)``
  (an inline function, one of the module, or one imported from a project module);
* ``registration`` ``nestjs`` — a ``@Catch(…)`` exception filter class (``cls``), for the classes it names;
  one that only ``@UseFilters(…)`` applies answers for those controllers and methods (``views``).

An Express error middleware that a mounted ``Router()`` registers (``router.use(onError)``), a Fastify
``setErrorHandler`` inside a plugin (encapsulated: unless fastify-plugin wraps it) and a Hono sub-app's ``onError``
answer for the routes of that router / plugin / sub-app only (``views``: their route handlers); one on the
application, or on a receiver archlint cannot place, for every route.

Every JS handler sees every error of its framework (a catch-all); whether it *answers* one as a client
error is the consumer's question, asked of ``bodies`` (the handler's statements: ``if (err.code ===
'23505') return res.status(409)…``) — a generic 500 handler answers nothing.  The JS handlers are read
from every production JS/TS file (its IR, without selecting the module for deep analysis): a plain
``server.js`` with no data-layer signal registers them.

The names are data: the ``[[names]]`` table with ``reader = "exception_handlers"`` of
``rules/knowledge/frameworks.toml``.
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.datalayer import non_production
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v

ANY = "*"  # the handler sees every error (a hook, a settings handler)
JS_SCOPES = frozenset({"express", "koa", "fastify", "hono", "nestjs"})


class Known(NamedTuple):
    """The library names this module reads (explained in ``rules/knowledge/frameworks.toml``)."""

    registrations: frozenset
    decorator_registrations: frozenset
    hook_methods: frozenset
    view_hooks: frozenset
    settings_keys: frozenset
    middleware_decorators: frozenset
    middleware_methods: frozenset
    middleware_bases: frozenset
    middleware_settings: tuple
    middleware_entries: frozenset
    drf_modules: tuple
    ninja_modules: tuple
    js_registrations: dict  # call/decorator name -> the JS framework whose error handler it registers
    middleware_uses: frozenset
    global_filters: frozenset
    filter_tokens: frozenset
    filter_decorators: frozenset
    request_methods: frozenset  # read by AL234 (checks/missing_rows.py): what a routed view class serves
    request_hooks: frozenset
    action_decorators: frozenset


def _known(table: dict) -> Known:
    return Known(middleware_settings=tuple(table["middleware_settings"]), drf_modules=tuple(table["drf_modules"]),
                 ninja_modules=tuple(table["ninja_modules"]), js_registrations=dict(table["js_registrations"]),
                 **{key: frozenset(table[key]) for key in (
                     "registrations", "decorator_registrations", "hook_methods", "view_hooks", "settings_keys",
                     "middleware_decorators", "middleware_methods", "middleware_bases", "middleware_entries",
                     "request_methods", "request_hooks", "action_decorators", "middleware_uses", "global_filters",
                     "filter_tokens", "filter_decorators")})


def known(program) -> Known:
    return program.library.view("exception_handlers", _known)


class Handler(NamedTuple):
    kind: str  # registration | hook | setting | middleware | view
    exceptions: tuple  # short names of the exception classes it is for; (ANY,) for every error
    path: str
    line: int
    cls: int = -1  # the class of a view hook
    scope: str = ""  # the views it answers for: "" every view; "drf" DRF's views (EXCEPTION_HANDLER); "ninja" django-ninja's
    function: int = -1  # the fid of the function a decorator registers (its body may tell errors apart), else -1
    bodies: tuple = ()  # JS: the handler's statements (its function's, a filter's methods', a catch clause's)
    # (path, "class", cid) / (path, "method", fid) it answers for: the controllers and methods a NestJS @UseFilters
    # filter is applied to, the route handlers of the sub-router (Express) or plugin (Fastify) it is registered
    # on; () app-wide
    views: tuple = ()


def collect(program) -> tuple:
    """Every application-level handler of the program's production modules: Python's, then JS/TS's, in file order."""
    return _python_handlers(program) + _js_handlers(program)


def _python_handlers(program) -> tuple:
    names = known(program)
    middleware_classes = _settings_middleware(program, names)
    found: list[Handler] = []
    for path in sorted(program.modules):
        module = program.modules[path]
        if module.language != "python" or non_production(path):
            continue
        for function in module.functions:
            line = function.span.line
            if function.cls >= 0 and function.name in names.hook_methods:
                found.append(Handler("hook", (ANY,), path, line))
            if function.cls >= 0 and function.name in names.view_hooks:
                found.append(Handler("view", (ANY,), path, line, function.cls))
            for decorator in function.decorators:
                if type(decorator) is ir.Call and decorator.method in names.registrations | names.decorator_registrations:
                    found.append(Handler("registration", _first_argument_names(decorator), path, decorator.span.line,
                                         scope=_receiver_scope(program, names, path, decorator, function),
                                         function=function.fid))
            middleware = _middleware_function(program, names, path, function, middleware_classes)
            index = program.node_index(function)
            registrations = {id(node) for method in names.registrations for node in index.methods.get(method, ())}
            for node in index.ordered:  # the registrations and the marks, in source order
                kind = type(node)
                if kind is ir.Call:
                    if id(node) not in registrations:
                        continue
                    found.append(Handler("registration", _first_argument_names(node), path, node.span.line,
                                         scope=_receiver_scope(program, names, path, node, function)))
                elif kind is ir.Entry and node.key in names.settings_keys or kind is ir.Const and node.value in names.settings_keys:
                    found.append(Handler("setting", (ANY,), path, node.span.line if kind is ir.Const else line, scope="drf"))
                elif middleware and kind is ir.Try:
                    for handler in node.handlers:
                        if not reraises(handler):
                            found.append(Handler("middleware", _type_names(handler.types), path, node.span.line))
    return tuple(found)


def _js_handlers(program) -> tuple:
    names = known(program)
    found: list[Handler] = []
    used: set = set()  # (path, fid) of the Express error middleware found
    filters: list = []  # (class name, Handler) of the NestJS exception filters
    applied: dict = {}  # filter class name -> {(path, "class", cid) | (path, "method", fid)} its @UseFilters names
    app_wide: set = set()  # filter class names registered for the whole application
    koa: dict = {}  # (path, fid) -> index in `found` of a Koa error middleware
    koa_uses: dict = {}  # (path, fid) of a `(ctx, next)` middleware -> the route handlers of the router `use` registers it on
    for path in sorted(program.graph.modules):
        if non_production(path) or path.endswith((".py", ".pyi")):
            continue  # tests' IR is lowered on demand: not forced here
        module = program.module_ir(path)
        if module is None or module.language == "python":
            continue
        seen: set = set()
        # Hono's compose answers a handler's error where it is thrown (onError): `await next()` in a
        # Hono middleware does not throw, so its `try` answers nothing
        hono = any(target.split(":", 1)[0] == "hono" for _name, target in module.bindings)
        for function in module.functions:
            if function.kind not in ("function", "arrow", "lambda"):
                continue
            if len(function.params) == 2 and not hono:
                caught = _koa_catches(function)
                if caught:
                    koa[(path, function.fid)] = len(found)
                    found.append(Handler("middleware", (ANY,), path, function.span.line, scope="koa",
                                         function=function.fid, bodies=caught))
        for function in module.functions:
            for decorator in function.decorators:  # a decorated registration
                scope = _js_registration_scope(decorator, names)
                if scope and function.fid not in seen:
                    seen.add(function.fid)
                    found.append(Handler("registration", _argument_names(decorator), path, function.span.line,
                                         scope=scope, function=function.fid, bodies=(function.body,)))
            _filter_uses(path, ("method", function.fid), function.decorators, applied, names)
            for node in ir.iter_nodes(function.body):
                if type(node) is ir.Obj and _provides_app_filter(node, names):
                    app_wide.update(_class_names(entry.value) for entry in node.entries if entry.key == "useClass")
                if type(node) is not ir.Call or type(node.func) is not ir.Attr or not node.args:
                    continue
                if node.func.name in names.global_filters:
                    app_wide.update(_class_names(arg.value) for arg in node.args)
                    continue
                if node.func.name in names.middleware_uses:
                    for target in _used_middleware(program, path, module, node):
                        if len(target[1].params) == 2:
                            # `router.use(async (ctx, next) => { try { await next() } catch … })`: that router's routes
                            koa_uses.setdefault((target[0], target[1].fid), _router_views(program, path, node))
                        if len(target[1].params) == 4 and (target[0], target[1].fid) not in used:
                            used.add((target[0], target[1].fid))
                            found.append(Handler("middleware", (ANY,), target[0], target[1].span.line, scope="express",
                                                 function=target[1].fid, bodies=(target[1].body,),
                                                 views=_registered_before(program, path, node, _router_views(program, path, node))))
                    continue
                scope = names.js_registrations.get(node.func.name)
                if scope not in ("fastify", "hono"):
                    continue
                target = _js_function(program, path, module, node.args[-1].value)
                if target is not None and (target[0] != path or target[1].fid not in seen):
                    if target[0] == path:
                        seen.add(target[1].fid)
                    found.append(Handler("registration", (ANY,), path, node.span.line, scope=scope,
                                         function=target[1].fid if target[0] == path else -1, bodies=(target[1].body,),
                                         views=_router_views(program, path, node)))
        for cls in module.classes:  # NestJS @Catch(...) exception filters
            _filter_uses(path, ("class", cls.cid), cls.decorators, applied, names)
            for decorator in cls.decorators:
                if _js_registration_scope(decorator, names) == "nestjs":
                    caught = _argument_names(decorator)
                    filters.append((cls.name, Handler("registration", caught or (ANY,), path, cls.span.line, cls=cls.cid, scope="nestjs",
                                                      bodies=tuple(module.functions[fid].body for fid in cls.methods))))
                    break
    for key, index in koa.items():  # one registered on a mounted router answers for that router's routes only
        if koa_uses.get(key):
            found[index] = found[index]._replace(views=koa_uses[key])
    for name, handler in filters:
        # a filter only @UseFilters applies answers for those controllers / methods; one registered app-wide
        # (useGlobalFilters, an APP_FILTER provider) or applied nowhere the record can see is taken as app-wide
        views = () if name in app_wide else tuple(sorted(applied.get(name, ())))
        found.append(handler._replace(views=views))
    return tuple(found)


NO_VIEW = ("", "none", -1)  # in Handler.views: a router's handler whose router serves no route archlint sees


def _router_views(program, path: str, call: ir.Call) -> tuple:
    """The route handlers an error handler registered on a mounted sub-router answers for: Express
    ``router.use(errorHandler)`` on a ``Router()`` that ``app.use('/api', router)`` mounts sees only the errors of
    that router's routes (and of the routers mounted under it); a Fastify ``setErrorHandler`` in a plugin only
    those of the plugin's own routes (encapsulation; one wrapped by fastify-plugin is its parent's); a Hono
    sub-app's ``onError`` only its routes'.  ``()`` (every view) on the application itself, or where the
    receiver is not known or not seen mounted."""
    registration = program.route_calls.get((path, call.span))
    app = v.strip(registration[2]) if registration is not None else program.handler_receivers.get((path, call.span))
    if type(app) is not v.App or not app.site:
        return ()
    from archlint.semantics.web import ancestors, registration_of, route_functions

    scope = app.site
    while scope in program.shared_contexts and scope in program.app_mounts:
        scope = program.app_mounts[scope][0]
    if scope not in program.app_mounts:
        return ()  # the application (or a router whose mount archlint did not see): every route
    views = set()
    for route in program.routes():
        found = registration_of(program, route)
        if found is None or scope not in ancestors(program, found.app.site):
            continue
        views.update((function.path, "method", function.fid) for function in route_functions(program, route))
    return tuple(sorted(views)) or (NO_VIEW,)


def _registered_before(program, path: str, call: ir.Call, views: tuple) -> tuple:
    """Express runs an error middleware only for what the stack ran before it: ``app.use((err, req, res, next) => …)``
    written *before* ``app.get(…)`` / ``app.use('/api', router)`` never sees those routes' errors.  ``views``
    (:func:`_router_views`) narrowed to the routes whose registration — or whose router's mount — on the
    handler's app or router comes first; a registration in another file (order unknown) counts as before."""
    registration = program.route_calls.get((path, call.span))
    app = v.strip(registration[2]) if registration is not None else None
    if type(app) is not v.App or not app.site:
        return views
    from archlint.semantics.web import ancestors, registration_of, route_functions

    scope, where = app.site, (call.span.line, call.span.column)
    before, after = set(), set()
    for route in program.routes():
        found = registration_of(program, route)
        chain = ancestors(program, found.app.site) if found is not None else []
        if scope not in chain:
            continue
        at = (route.file, route.span) if chain[0] == scope else _mount_call(program, scope, chain[chain.index(scope) - 1])
        functions = {(function.path, "method", function.fid) for function in route_functions(program, route)}
        if at is not None and at[0] == path and (at[1].line, at[1].column) > where:
            after |= functions
        else:
            before |= functions
    if not after:
        return views
    kept = (set(views) if views else before) - after
    return tuple(sorted(kept)) or (NO_VIEW,)


def _mount_call(program, parent: str, child: str):
    """(path, span) of the call on the app/router ``parent`` that mounts the router ``child`` (``app.use('/api', router)``)."""
    for key in sorted(program.route_calls, key=lambda k: (k[0], k[1])):
        where, node, app, values = program.route_calls[key]
        if type(v.strip(app)) is v.App and v.strip(app).site == parent and any(
                type(v.strip(value)) is v.App and v.strip(value).site == child for value in values):
            return where, node.span
    return None


def _filter_uses(path: str, owner: tuple, decorators, applied: dict, names: Known) -> None:
    """``@UseFilters(UniqueFilter)`` / ``@UseFilters(new UniqueFilter())`` on a controller class or method."""
    for decorator in decorators:
        if type(decorator) is ir.Call and short_name(decorator.func) in names.filter_decorators:
            for arg in decorator.args:
                applied.setdefault(_class_names(arg.value), set()).add((path, *owner))


def _class_names(node) -> str:
    """``UniqueFilter`` / ``new UniqueFilter(adapter)``: the filter class's name."""
    if type(node) is ir.Call:
        node = node.func
    return short_name(node)


def _provides_app_filter(node: ir.Obj, names: Known) -> bool:
    """``{ provide: APP_FILTER, useClass: UniqueFilter }``."""
    return any(entry.key == "provide" and short_name(entry.value) in names.filter_tokens for entry in node.entries)


def _used_middleware(program, path: str, module: ir.ModuleIR, call: ir.Call) -> list:
    """(path, function) of what ``app.use(…)`` / ``router.use('/api', …)`` registers: an inline function,
    a function of the module or an imported one, each of an array, and what a factory returns
    (``app.use(errorHandler())``: the function its ``return`` gives)."""
    found = []
    for arg in call.args:
        value = arg.value
        for item in (value.elts if type(value) is ir.Seq else (value,)):
            required = _required_default(program, path, item)
            if required is not None:
                found.append(required)
                continue
            if type(item) is ir.Call:
                factory = _js_function(program, path, module, item.func)
                if factory is None:
                    continue
                owner = program.module_ir(factory[0])
                for node in ir.iter_nodes(factory[1].body):
                    if type(node) is ir.Return and type(node.value) is ir.FuncRef and owner is not None:
                        found.append((factory[0], owner.functions[node.value.fid]))
                continue
            target = _js_function(program, path, module, item)
            if target is not None:
                found.append(target)
    return [(where, function) for where, function in found if function.kind in ("function", "arrow", "lambda")]


def _required_default(program, path: str, node):
    """``app.use(require('./middleware/errors'))``: the function the project module exports as a whole."""
    if type(node) is not ir.Call or type(node.func) is not ir.Name or node.func.id != "require" or not node.args:
        return None
    specifier = node.args[0].value
    if type(specifier) is not ir.Const or not isinstance(specifier.value, str):
        return None
    edge = next((e for e in program.graph.out_edges(path) if not e.external and e.specifier == specifier.value), None)
    other = program.module_ir(edge.target) if edge is not None else None
    if other is None or other.language == "python":
        return None
    for export in other.exports:
        if export.name == "default":
            value = export.value if export.value is not None else ir.Name(export.local, export.span) if export.local else None
            return _js_function(program, edge.target, other, value, 1) if value is not None else None
    return None


def _js_registration_scope(decorator, names: Known) -> str:
    func = decorator.func if type(decorator) is ir.Call else decorator
    name = func.name if type(func) is ir.Attr else func.id if type(func) is ir.Name else ""
    return names.js_registrations.get(name, "")


def _argument_names(decorator) -> tuple:
    """``@Catch(Prisma.PrismaClientKnownRequestError, HttpException)``: the classes it names (their short names)."""
    if type(decorator) is not ir.Call:
        return ()
    return tuple(name for arg in decorator.args for name in (short_name(arg.value),) if name)


def _koa_catches(function: ir.Function) -> tuple:
    """``async (ctx, next) => { try { await next(); } catch (err) { ctx.status = …; } }``: the bodies of
    the catch clauses (not re-throwing) of a ``try`` that runs the rest of the chain."""
    following = function.params[1].name
    found: list = []
    for node in ir.iter_nodes(function.body):
        if type(node) is not ir.Try:
            continue
        if not any(type(inner) is ir.Call and type(inner.func) is ir.Name and inner.func.id == following
                   for inner in ir.iter_nodes(node.body)):
            continue
        # a clause that answers some errors and re-throws the rest (`if (err.code === 'P2025') { ctx.status = 404;
        # return; } throw err;`) answers those: its statements before the re-throw are what it tells apart
        found.extend(handler.body if not reraises(handler) else handler.body[:-1] for handler in node.handlers
                     if not reraises(handler) or _answers_some(handler.body[:-1]))
    return tuple(found)


def _answers_some(statements) -> bool:
    """A branch that returns before the re-throw (``if (err.code === 'P2025') { …; return; }``): a logger that
    only re-throws (``console.error(err); throw err``) answers nothing."""
    return any(type(statement) is ir.If and any(type(inner) is ir.Return for inner in ir.iter_nodes(statement))
               for statement in statements)


def _js_function(program, path: str, module: ir.ModuleIR, node, depth: int = 0):
    """(path, function) of a handler argument: an inline function, a function of the module by its
    name, or one imported from a project module (``import { errorHandler } from './errors'``)."""
    if type(node) is ir.FuncRef:
        return path, module.functions[node.fid]
    if type(node) is not ir.Name or depth > 2:
        return None
    for function in module.functions:
        if function.name == node.id and function.parent <= 0 and function.kind != "module":
            return path, function
    binding = dict(module.bindings).get(node.id)
    if binding is None:
        return None
    target = program.graph.resolve_binding(path, binding)
    if target.file is None or target.file == path:
        return None
    other = program.module_ir(target.file)
    if other is None or other.language == "python":
        return None
    name = target.attr or "default"
    for export in other.exports:
        if export.name == name:
            value = export.value if export.value is not None else ir.Name(export.local, export.span) if export.local else None
            return _js_function(program, target.file, other, value, depth + 1) if value is not None else None
    return None


def _receiver_scope(program, names: Known, path: str, call: ir.Call, function: ir.Function) -> str:
    """``api.exception_handler(…)`` on a django-ninja ``NinjaAPI`` (a module's, or a parameter annotated
    ``api: NinjaAPI`` of the function registering it): it answers for ninja's operations only."""
    func = call.func
    if type(func) is not ir.Attr:
        return ""
    receiver = v.strip(program.static_value(path, func.obj))
    if type(receiver) is not v.External and type(func.obj) is ir.Name:
        receiver = _annotated_parameter(program, path, function, func.obj.id)
    if type(receiver) is v.External and receiver.name.startswith(names.ninja_modules):
        return "ninja"
    return ""


def _annotated_parameter(program, path: str, function: ir.Function, name: str):
    """The class a parameter ``name`` of the function (or of a function enclosing it) is annotated with."""
    module = program.modules[path]
    current, depth = function, 0
    while current is not None and depth < 5:
        for param in current.params:
            if param.name == name:
                return v.strip(program.static_value(path, param.annotation)) if param.annotation is not None else v.UNKNOWN
        current = module.functions[current.parent] if 0 < current.parent < len(module.functions) else None
        depth += 1
    return v.UNKNOWN


def answers_for(program, handler: Handler, path: str, function: ir.Function) -> bool:
    """The handler's scope holds the view ``function`` (``""``: every view; ``drf``: a method of a DRF view
    class or an ``@api_view`` function; ``ninja``: a django-ninja operation)."""
    if not handler.scope:
        return True
    if handler.scope in JS_SCOPES:
        return False  # a JS framework's handler: no Python view's error reaches it
    names = known(program)
    prefixes = names.drf_modules if handler.scope == "drf" else names.ninja_modules
    for decorator in function.decorators:
        func = decorator.func if type(decorator) is ir.Call else decorator
        if program.static_name(path, func).startswith(prefixes):
            return True  # @api_view([...]) / @api.get("/…") / @router.post(…)
        if type(func) is ir.Attr:
            receiver = v.strip(program.static_value(path, func.obj))
            if type(receiver) is v.External and receiver.name.startswith(prefixes):
                return True
    if function.cls < 0:
        return False
    return any(type(base) is v.External and base.name.startswith(prefixes)
               for link in program.subclass_chain(path, function.cls) for base in program.bases(*link))


def _first_argument_names(call: ir.Call) -> tuple:
    """``errorhandler(NoResultFound)`` / ``exception_handler((A, B))`` / ``errorhandler(404)``: what its first argument names."""
    if not call.args:
        return ()
    first = call.args[0].value
    items = first.elts if type(first) is ir.Seq else (first,)
    return tuple(name for t in items for name in (short_name(t),) if name)


def _type_names(types) -> tuple:
    if types is None:
        return ("BaseException",)  # a bare `except:`
    items = types.elts if type(types) is ir.Seq else (types,)
    return tuple(name for t in items for name in (short_name(t),) if name)


def short_name(node) -> str:
    """The last name of ``app.errorhandler`` / ``NoResultFound`` (a status code as its digits)."""
    kind = type(node)
    if kind is ir.Name:
        return node.id
    if kind is ir.Attr:
        return node.name
    if kind is ir.Const and type(node.value) is int:
        return str(node.value)
    return ""


def reraises(handler: ir.Handler) -> bool:
    """``except X: log(…); raise`` / ``raise e``: the error still leaves the function."""
    last = handler.body[-1] if handler.body else None
    return type(last) is ir.Raise and (last.value is None or type(last.value) is ir.Name and last.value.id == handler.name)


def _middleware_function(program, names: Known, path: str, function: ir.Function, classes: set) -> bool:
    """A function that wraps every request: decorated as a middleware (aiohttp ``@web.middleware``,
    FastAPI/Starlette ``@app.middleware("http")`` on an application), or the ``dispatch`` / ``__call__``
    of a middleware class (based on a framework's middleware class, or listed in Django's ``MIDDLEWARE``)."""
    for decorator in function.decorators:
        func = decorator.func if type(decorator) is ir.Call else decorator
        if program.static_name(path, func) in names.middleware_decorators:
            return True
        if type(func) is ir.Attr and func.name in names.middleware_methods and _application(program, path, func.obj):
            return True
    if function.cls < 0 or function.name not in names.middleware_entries:
        return False
    for link in program.subclass_chain(path, function.cls):
        if link in classes or any(type(base) is v.External and base.name in names.middleware_bases for base in program.bases(*link)):
            return True
    return False


def _application(program, path: str, node) -> bool:
    """``app`` of ``@app.middleware("http")``: an application a framework's constructor built."""
    value = v.strip(program.static_value(path, node))
    if type(value) is v.App:
        return True
    return type(value) is v.External and bool(program.library.app(value.name))


def _settings_middleware(program, names: Known) -> set:
    """(path, cid) of the project classes Django's ``MIDDLEWARE`` setting lists (in any settings module)."""
    from archlint.semantics import django_settings

    found: set = set()
    for path in sorted(program.graph.modules):
        if not (path.endswith(".py") and (path.rsplit("/", 1)[-1] == "settings.py" or "/settings/" in f"/{path}")):
            continue
        if path not in program.modules:
            continue
        settings = django_settings.read(program, path)
        for key in names.middleware_settings:
            setting = settings.get(key)
            if setting is None or not isinstance(setting.value, tuple):
                continue
            for dotted in setting.value:
                if isinstance(dotted, str):
                    value = v.strip(program.import_string(path, dotted))
                    if type(value) is v.ClassValue:
                        found.add((value.path, value.cid))
    return found


def covers(handler: Handler, errors: frozenset) -> bool:
    """The handler may answer an error whose class (or a base of it) is one of ``errors`` (short names)."""
    return ANY in handler.exceptions or any(name in errors for name in handler.exceptions)
