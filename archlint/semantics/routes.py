"""The routes table: which function serves which HTTP method and path, in every framework.

Read from the semantic model, not from text: an app or router is a value (:class:`~.values.App`,
made by a constructor listed in ``rules/knowledge/frameworks.toml``), so ``bp = Blueprint(...)``
in one module and ``@bp.get("/x")`` in another, ``const router = express.Router()`` passed around,
or ``require('fastify')({ logger: true })`` are all recognised.  Sources:

* decorators on functions (Flask/Quart/FastAPI/aiohttp ``RouteTableDef``/Sanic/Litestar):
  ``@app.get("/x")``, ``@bp.route("/x", methods=["POST"])``;
* registration calls seen by the interpreter (Express/Koa/Fastify/Hono, aiohttp ``add_get``,
  Flask ``add_url_rule``): ``app.get('/x', auth, handler)`` — the last function argument is the
  handler, the others are middleware;
* Django ``path()``/``re_path()`` with a view function or ``View.as_view()``, and DRF
  ``router.register(prefix, ViewSet)``;
* NestJS ``@Controller('articles')`` classes with ``@Get(':slug')`` methods.

Handlers that cannot be resolved are kept with ``handler=None``: a route exists even when archlint
cannot tell which code serves it.
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.facts import Span
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v

HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


class Known(NamedTuple):
    """The library names this module reads: the ``[[names]]`` table with ``reader = "routes"`` of
    ``rules/knowledge/frameworks.toml`` (each key is explained there), built once per run."""

    starlette_routes: frozenset
    nest_methods: dict  # NestJS decorator -> HTTP method
    mounts: frozenset  # app/router methods mounting another under a prefix
    view_methods: frozenset  # class-based view methods serving a request
    ordered_middleware: frozenset  # frameworks whose `use(fn)` runs fn before the routes registered after it


def _known(table: dict) -> Known:
    return Known(starlette_routes=frozenset(table["starlette_routes"]), nest_methods=dict(table["nest_methods"]),
                 mounts=frozenset(table["mounts"]), view_methods=frozenset(table["view_methods"]),
                 ordered_middleware=frozenset(table["ordered_middleware"]))


def known(program) -> Known:
    return program.library.view("routes", _known)


class Route(NamedTuple):
    framework: str
    method: str  # GET, POST, … ; ALL for any method; USE for a mounted sub-router or middleware
    path: str  # as written ("" when computed)
    handler: object  # v.Function, v.ClassValue (class-based view / viewset), or None
    middleware: tuple  # v.Function values that run before the handler
    file: str
    span: Span
    actions: tuple = ()  # a DRF viewset `@action` URL: (HTTP method, the method of the viewset serving it)
    wrapped: bool = False  # the handler is what a call returned (`wrap(async (req, res) => …)`): its wrapper decides


def collect(program) -> list[Route]:
    program.analyses()  # registrations are recorded while the program is interpreted
    return _collect(program)


def collect_static(program) -> list[Route]:
    """The routes known before the functions are analysed: decorators, controllers, and the
    registrations module top levels (and what they call) made — enough to know the handlers."""
    return _collect(program)


def _collect(program) -> list[Route]:
    routes: list[Route] = []
    calls = [program.route_calls[key] for key in sorted(program.route_calls, key=lambda k: (k[0], k[1]))]
    for path, node, receiver, values in calls + list(program.repeated_route_calls.values()):
        _record_mount(program, path, node, receiver, values)
    for path, node, receiver, values in calls:
        routes.extend(_from_call(program, path, node, receiver, values))
    # only decorated functions and classes can be routes: the table is built again whenever the analysis
    # records more registrations (wagtail: ~90 times over ~6,000 functions, ~1 s of its check went to the
    # undecorated ones)
    for path in sorted(program.modules):
        module = program.modules[path]
        for function in module.functions:
            if function.decorators:
                routes.extend(_from_decorators(program, path, function))
        for cls in module.classes:
            if cls.decorators:
                routes.extend(_nest_controller(program, path, cls))
                routes.extend(_resource_class(program, path, cls))
    if any(r.framework == "django" for r in routes):
        routes = _django_full_paths(program, routes)
    unique = {(r.file, r.span, r.method, r.path): r for r in routes}
    return sorted(unique.values(), key=lambda r: (r.file, r.span.line, r.span.column, r.method))


def _django_full_paths(program, routes: list[Route]) -> list[Route]:
    """Django routes as Django matches them (:mod:`.django_urls`): the patterns joined along the
    ``include()`` chain (``/api/users/login/``), DRF router registrations expanded into their
    collection and detail URLs, each with the methods its view answers; an ``include()`` is a
    mount (``USE``)."""
    from archlint.semantics.django_urls import urls

    table = urls(program)
    covered = {(u.file, u.span) for u in table}
    kept = [r for r in routes if r.framework != "django" or ((r.file, r.span) not in covered and r.handler is not None)]
    kept.extend(r._replace(method="USE") for r in routes
                if r.framework == "django" and (r.file, r.span) not in covered and r.handler is None)
    for url in table:
        method = "ALL" if url.methods == ("ALL",) else ",".join(url.methods)
        kept.append(Route("django", method, url.path, url.view, (), url.file, url.span, url.actions))
    return kept


def _record_mount(program, path: str, node: ir.Call, receiver, values) -> None:
    """``app.use('/api', router)``, ``app.include_router(r, prefix='/api')``, Flask
    ``register_blueprint(bp, url_prefix=…)``, Hono ``app.route('/api', sub)``, Fastify
    ``register(plugin, { prefix })``: the child's routes live under the parent's prefix."""
    if type(receiver) is not v.App or type(node.func) is not ir.Attr or node.func.name not in known(program).mounts:
        return
    prefix = ""
    first = node.arg(0)
    if type(first) is ir.Const and isinstance(first.value, str):
        prefix = first.value
    elif values and type(v.strip(values[0])) is v.Const and isinstance(v.strip(values[0]).value, str) \
            and any(type(v.strip(value)) is v.App for value in values[1:]):
        prefix = v.strip(values[0]).value  # app.use(prefix, router) with the prefix a variable holding a string
    for arg, value in zip(node.args, values):
        bare = v.strip(value)
        if arg.kind == "kw" and arg.name in ("prefix", "url_prefix", "path") and type(bare) is v.Const and isinstance(bare.value, str):
            prefix = bare.value
        if type(bare) is v.Record:
            option = v.strip(bare.get("prefix") or v.UNKNOWN)
            if type(option) is v.Const and isinstance(option.value, str):
                prefix = option.value
    if node.func.name == "register" and receiver.framework == "fastify":  # the plugin's own instance
        program.app_mounts.setdefault(f"{path}:{node.span.line}:{node.span.column}", (receiver.site, prefix))
    for value in values:
        child = v.strip(value)
        if type(child) is v.App and child.site and child.site != receiver.site:
            program.app_mounts.setdefault(child.site, (receiver.site, prefix))


def full_path(program, app: v.App, path: str) -> str:
    """The route path with every prefix above its router (bounded: a mount cycle stops)."""
    parts = [path]
    site, seen = app.site, set()
    while site and site not in seen:
        seen.add(site)
        own = program.app_prefixes.get(site, "")
        if own:
            parts.append(own)
        parent = program.app_mounts.get(site)
        if parent is None:
            break
        site, prefix = parent
        if prefix:
            parts.append(prefix)
    joined = "/".join(part.strip("/") for part in reversed(parts) if part.strip("/"))
    return "/" + joined if joined else "/"


def handler_functions(program) -> set[tuple[str, int]]:
    """(path, fid) of every function that serves a request (class views: their methods)."""
    found: set[tuple[str, int]] = set()
    for route in program.routes():
        handler = route.handler
        if type(handler) is v.Function:
            found.add((handler.path, handler.fid))
        elif type(handler) is v.ClassValue:
            cls = program.cls(handler.path, handler.cid)
            for fid in cls.methods if cls is not None else ():
                found.add((handler.path, fid))
    return found


def _method_of(name: str, call: ir.Call | None) -> str:
    lowered = name.lower()
    if lowered in HTTP_METHODS:
        return lowered.upper()
    if lowered in ("all", "any", "on", "api_route", "route", "add_route", "add_url_rule", "view", "add_view", "add_resource") and call is not None:
        methods = call.arg(keyword="methods")
        if type(methods) is ir.Seq and methods.elts and all(type(e) is ir.Const for e in methods.elts):
            return ",".join(str(e.value).upper() for e in methods.elts)
        first = call.arg(0)
        if lowered in ("add_route", "on") and type(first) is ir.Const and isinstance(first.value, str) and first.value.lower() in HTTP_METHODS:
            return first.value.upper()
        option = _options_entry(call, "method") if lowered == "route" else None  # fastify.route({ method: 'GET', … })
        if type(option) is ir.Const and isinstance(option.value, str) and option.value.lower() in HTTP_METHODS:
            return option.value.upper()
        if type(option) is ir.Seq and option.elts and all(type(e) is ir.Const and isinstance(e.value, str) for e in option.elts):
            return ",".join(str(e.value).upper() for e in option.elts)
        return "GET" if lowered in ("route", "add_url_rule", "add_resource") else "ALL"
    if lowered.startswith("add_") and lowered[4:] in HTTP_METHODS:  # aiohttp router.add_get
        return lowered[4:].upper()
    if lowered == "del":
        return "DELETE"
    if lowered in ("use", "include_router", "register_blueprint", "mount", "register", "routes", "basepath", "add_namespace"):
        return "USE"
    return ""


def _options_entry(call: ir.Call, key: str):
    """``fastify.route({ method, url, handler })``: the value of ``key`` in the one object-literal
    argument, or None."""
    args = [a.value for a in call.args if a.kind == "pos"]
    if len(args) != 1 or type(args[0]) is not ir.Obj:
        return None
    return next((entry.value for entry in args[0].entries if entry.key == key), None)


def _path_argument(call: ir.Call, method_name: str) -> str | None:
    """The path a route registration writes; ``None`` when it writes one the analysis cannot
    read (``options.prefix + 'articles/:slug'``, a variable): that route's path is unknown, never
    the mount point itself."""
    args = [a.value for a in call.args if a.kind == "pos"]
    if method_name.lower() in ("add_route", "on", "add_resource") and len(args) > 1:
        args = args[1:]  # add_resource(ArticleList, "/articles"): the path follows the resource
    for keyword in ("path", "url", "rule"):
        value = call.arg(keyword=keyword)
        if value is None and method_name.lower() == "route":
            value = _options_entry(call, keyword)
        if type(value) is ir.Const and isinstance(value.value, str):
            return value.value
        if value is not None:
            return None
    if args and type(args[0]) is ir.Const and isinstance(args[0].value, str):
        return args[0].value
    if args and type(args[0]) in (ir.BinOp, ir.Template, ir.Name, ir.Attr, ir.Call):
        return None
    return ""


def _from_call(program, path: str, node: ir.Call, receiver, values) -> list[Route]:
    record = _Args(values)
    receiver = v.strip(receiver)
    if type(receiver) is v.App and type(node.func) is ir.Attr:
        method = _method_of(node.func.name, node)
        if not method or node.func.name.lower() in ("route", "basepath") and receiver.framework in ("hono", "express") or node.func.name.lower() not in {m.lower() for m in program.library.route_methods.get(receiver.framework, ())} | {"route", "add_route", "add_url_rule"}:
            return []
        functions = [v.strip(value) for value in record.args if type(v.strip(value)) in (v.Function, v.ClassValue)]
        handler = functions[-1] if functions and method != "USE" else None
        middleware = tuple(functions[:-1]) if method != "USE" else tuple(functions)
        if method != "USE" and handler is None:
            handler = _keyword_handler(record, node) or _class_view(program, path, node.arg(keyword="view_func"))
        if method != "USE" and type(handler) is v.ClassValue and node.arg(keyword="methods") is None:
            method = _served_methods(program, handler) or method  # MethodView / Resource: the methods it defines
        written = _path_argument(node, node.func.name)
        if written is None:
            shown = ""  # a path the analysis cannot read: unknown, never the router's own prefix
        else:
            shown = full_path(program, receiver, written) if method != "USE" else written
        wrapped = any(type(arg.value) is ir.Call and v.strip(value) is handler for arg, value in zip(node.args, record.args))
        return [Route(receiver.framework, method, shown, handler, middleware, path, node.span, wrapped=wrapped)]
    if type(receiver) is v.External and receiver.name in ("django.urls.path", "django.urls.re_path", "django.conf.urls.url"):
        view = node.arg(1, "view")
        handler = _django_view(program, path, view, record)
        route_path = node.arg(0, "route")
        text = route_path.value if type(route_path) is ir.Const and isinstance(route_path.value, str) else ""
        return [Route("django", "ALL", text, handler, (), path, node.span)]
    if type(receiver) is v.External and receiver.name in known(program).starlette_routes:
        # Route("/articles/{slug}", get_article, methods=["GET"]): the endpoint gets the request
        endpoint = next((v.strip(value) for arg, value in zip(node.args, record.args)
                         if (arg.kind == "pos" and node.args.index(arg) == 1) or (arg.kind == "kw" and arg.name == "endpoint")), None)
        route_path = node.arg(0, "path")
        text = route_path.value if type(route_path) is ir.Const and isinstance(route_path.value, str) else ""
        methods = node.arg(keyword="methods")
        method = "GET"
        if type(methods) is ir.Seq and len(methods.elts) == 1 and type(methods.elts[0]) is ir.Const and isinstance(methods.elts[0].value, str):
            method = methods.elts[0].value.upper()
        elif methods is not None:
            method = "ALL"
        handler = endpoint if type(endpoint) in (v.Function, v.ClassValue) else None
        return [Route("starlette", method, text, handler, (), path, node.span)]
    if type(node.func) is ir.Attr and node.func.name == "register" and record.args and _is_drf_router(receiver):
        prefix = node.arg(0)
        viewset = v.strip(record.args[1]) if len(record.args) > 1 else None
        text = prefix.value if type(prefix) is ir.Const and isinstance(prefix.value, str) else ""
        return [Route("django", "ALL", text, viewset if type(viewset) is v.ClassValue else None, (), path, node.span)]
    return []


class _Args(NamedTuple):
    args: tuple


def _keyword_handler(record, node: ir.Call):
    """``fastify.route({ method, url, handler })`` / ``add_url_rule(view_func=…)``."""
    for arg, value in zip(node.args, record.args):
        bare = v.strip(value)
        if arg.kind == "kw" and arg.name in ("view_func", "endpoint", "handler") and type(bare) is v.Function:
            return bare
        if type(bare) is v.Record:
            found = v.strip(bare.get("handler") or v.UNKNOWN)
            if type(found) is v.Function:
                return found
    return None


def _class_view(program, path: str, node):
    """``view_func=ArticleView.as_view("articles")`` (Flask's ``MethodView``/``View``): the class,
    whose ``get``/``post``/… methods serve the requests."""
    if type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name == "as_view" and type(node.func.obj) in (ir.Name, ir.Attr):
        owner = program.static_value(path, node.func.obj)
        return owner if type(owner) is v.ClassValue else None
    return None


def handler_functions(program, route: Route) -> list[v.Function]:
    """The functions that serve ``route``: its handler function, or the request methods of its
    class-based view."""
    handler = route.handler
    if type(handler) is v.Function:
        return [handler]
    if type(handler) is v.ClassValue:
        from archlint.semantics.exception_handlers import known as handler_names, short_name

        actions = handler_names(program).action_decorators  # a viewset's `@action` methods DRF routes
        cls = program.cls(handler.path, handler.cid)
        return [v.Function(handler.path, fid) for fid in (cls.methods if cls is not None else ())
                if (function := program.function(handler.path, fid)) is not None and (
                    function.name in known(program).view_methods
                    or any(short_name(d.func if type(d) is ir.Call else d) in actions for d in function.decorators))]
    return []


def _served_methods(program, view: v.ClassValue) -> str:
    cls = program.cls(view.path, view.cid)
    names = [program.function(view.path, fid).name for fid in (cls.methods if cls is not None else ())]
    return ",".join(name.upper() for name in names if name in HTTP_METHODS)


def _is_drf_router(value) -> bool:
    return type(value) is v.External and value.name.startswith("rest_framework.routers.") or (
        type(value) is v.App and value.framework == "django"
    )


def _django_view(program, path: str, node, record):
    if node is None:
        return None
    if type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name == "as_view":
        owner = program.static_value(path, node.func.obj) if type(node.func.obj) in (ir.Name, ir.Attr) else None
        if type(owner) is not v.ClassValue:
            owner = _held_view_class(program, path, node.func.obj)
        return owner if type(owner) is v.ClassValue else None
    for value in record.args:
        bare = v.strip(value)
        if type(bare) is v.Function:
            return bare
    value = program.static_value(path, node) if type(node) in (ir.Name, ir.Attr) else None
    return value if type(value) is v.Function else None


def _held_view_class(program, path: str, node):
    """``self.forum_view`` in ``path(…, self.forum_view.as_view())`` written in a method of a URL-patterns
    factory (django-machina's ``get_urlpatterns``, django-oscar's ``get_urls``): the view class the method's
    class holds in that attribute (``forum_view = get_class("forum.views", "ForumView")``), read as an
    instance of that class reads it, else ``None``."""
    if type(node) is not ir.Attr or type(node.obj) is not ir.Name:
        return None
    module = program.modules.get(path)
    function = ir.innermost_function(module, node.span) if module is not None else None
    if function is None or function.cls < 0 or node.obj.id != ir.self_name(function):
        return None
    from archlint.semantics.interpreter import Frame

    frame = Frame(program, path, module.module, 0)
    held = v.strip(frame.instance_member(v.Instance(path, function.cls), node.name))
    return held if type(held) is v.ClassValue else None


def declared_handlers(program, path: str, module) -> tuple[frozenset, frozenset]:
    """(function ids, class ids) of ``path`` that serve a route by declaration — a route decorator
    (``@router.put("/profile")``), a Nest controller, a flask-restx resource: the framework calls
    them, no call in the project does."""
    functions = frozenset(f.fid for f in module.functions[1:] if f.decorators and _from_decorators(program, path, f))
    classes = frozenset(c.cid for c in module.classes if c.decorators
                        and (_nest_controller(program, path, c) or _resource_class(program, path, c)))
    return functions, classes


def _from_decorators(program, path: str, function: ir.Function) -> list[Route]:
    routes = []
    for decorator in function.decorators:
        if type(decorator) is ir.Call and type(decorator.func) in (ir.Name, ir.Attr):
            constructed = _constructor_route(program, path, function, decorator)
            if constructed is not None:
                routes.append(constructed)
                continue
        if type(decorator) is not ir.Call or type(decorator.func) is not ir.Attr:
            continue
        owner = decorator_app(program, path, function, decorator.func.obj)
        if owner is None:
            continue
        name = decorator.func.name
        if name not in program.library.route_methods.get(owner.framework, ()) and name not in ("route", "api_route"):
            continue
        method = _method_of(name, decorator)
        if method and method != "USE":
            bound = program.default_receiver(path, function)
            written = _path_argument(decorator, name)
            routes.append(Route(owner.framework, method, "" if written is None else full_path(program, owner, written),
                                v.Function(path, function.fid, bound), (), path, decorator.span))
    return routes


def _constructor_route(program, path: str, function: ir.Function, decorator: ir.Call) -> Route | None:
    """Litestar ``@get("/{slug:str}")`` (a route constructor of ``frameworks.toml``, not a method of an
    app): the path joins the Controller's ``path`` class attribute and the prefixes of the Routers whose
    ``route_handlers`` list the handler or its Controller; when no registration is seen the path is
    unknown (``""``)."""
    name = program.static_name(path, decorator.func)
    for framework, data, constructors in _route_constructors(program):
        if name not in constructors:
            continue
        short = constructors[name]
        method = _method_of(short, decorator) if short != "route" else _route_methods(decorator)
        if not method:
            return None
        written = _path_argument(decorator, short)
        parts, site = [written or ""], program.handler_mounts.get((path, function.fid))
        cls = program.cls(path, function.cls) if function.cls >= 0 else None
        if cls is not None:
            own = next((f.value for f in cls.fields if f.name in data.get("controller_path_fields", ()) and f.value is not None), None)
            if own is not None and not (type(own) is ir.Const and isinstance(own.value, str)):
                written = None
            parts.insert(0, own.value if type(own) is ir.Const and isinstance(own.value, str) else "")
            site = program.handler_mounts.get((path, -function.cls - 1))
        full = ""
        if written is not None and site is not None:
            joined = "/".join(p.strip("/") for p in parts if p.strip("/"))
            full = full_path(program, v.App(framework, site), "/" + joined)
        bound = program.default_receiver(path, function)
        return Route(framework, method, full, v.Function(path, function.fid, bound), (), path, decorator.span)
    return None


def _route_methods(decorator: ir.Call) -> str:
    """Litestar ``@route("/x", http_method=["GET", "POST"])``."""
    methods = decorator.arg(keyword="http_method")
    if type(methods) is ir.Const and isinstance(methods.value, str):
        return methods.value.upper()
    if type(methods) is ir.Seq and methods.elts and all(type(e) is ir.Const and isinstance(e.value, str) for e in methods.elts):
        return ",".join(e.value.upper() for e in methods.elts)
    return ""


def decorator_app(program, path: str, function: ir.Function, node):
    """The app or blueprint (``v.App``) that ``node`` — the receiver of a decorator on ``function``, ``app`` in
    ``@app.get(…)`` — names: a module-level value, or an app made in the enclosing factory; else ``None``."""
    owner = _module_value(program, path, node)
    if type(owner) is not v.App:
        owner = _enclosing_app(program, path, function, node)
    return owner if type(owner) is v.App else None


def _module_value(program, path: str, node):
    if type(node) is ir.Name:
        return v.strip(program.module_global(path, node.id))
    if type(node) is ir.Attr:
        base = _module_value(program, path, node.obj)
        if type(base) is v.Module:
            return v.strip(program.module_member(base.path, node.name))
        if type(base) is v.App:
            return base  # app.router.add_get / aiohttp routes
    return None


def _enclosing_app(program, path: str, function: ir.Function, node):
    """``app = Sanic("conduit")`` / ``bp = Blueprint(…)`` in an app factory, ``@app.get("/x")`` on a handler
    defined inside it (``def create_app(): app = Sanic(…); @app.get(…) async def …; return app``, which the
    server runs as ``sanic server:create_app --factory``: no module-level call makes the app): the local the
    decorator names, made by an app constructor of ``frameworks.toml`` in the enclosing function.  The
    site is the constructor call's, as the interpreter names it (its prefixes and mounts apply)."""
    if type(node) is not ir.Name or function.scope_of(node.id) != "outer":
        return None
    parent = program.function(path, function.parent) if function.parent > 0 else None
    while parent is not None and parent.kind != "module":
        if node.id in parent.locals:
            made = [stmt.value for stmt in ir.iter_nodes(parent.body) if type(stmt) is ir.Assign
                    and len(stmt.targets) == 1 and type(stmt.targets[0]) is ir.Name and stmt.targets[0].id == node.id]
            if len(made) != 1 or type(made[0]) is not ir.Call:
                return None  # rebound, or not made by a call here: not a value read statically
            framework = program.library.app(program.static_name(path, made[0].func))
            return v.App(framework, f"{path}:{made[0].span.line}:{made[0].span.column}") if framework else None
        parent = program.function(path, parent.parent) if parent.parent > 0 else None
    return None


def _route_constructors(program) -> tuple:
    """(framework, its knowledge, {dotted route constructor: its short name}) of every framework, once per
    program: asked for each call decorator each time the route table is built."""
    return program.memoised("route_constructors", lambda: tuple(
        (framework, data, {c.replace(":", "."): c.rsplit(":", 1)[-1] for c in data.get("route_constructors", ())})
        for framework, data in program.library.framework_data.items()))


def _resource_class(program, path: str, cls: ir.Class) -> list[Route]:
    """``@ns.route("/articles")`` on a flask-restx ``Resource`` (``@blp.route`` on a flask-smorest
    ``MethodView``): the class serves the path with the HTTP methods it defines."""
    routes = []
    for decorator in cls.decorators:
        if type(decorator) is not ir.Call or type(decorator.func) is not ir.Attr or decorator.func.name != "route":
            continue
        owner = _module_value(program, path, decorator.func.obj)
        if type(owner) is not v.App or owner.framework != "flask":
            continue
        view = v.ClassValue(path, cls.cid)
        written = _path_argument(decorator, "route")
        routes.append(Route("flask", _served_methods(program, view) or "GET", "" if written is None else full_path(program, owner, written),
                            view, (), path, decorator.span))
    return routes


def _nest_controller(program, path: str, cls: ir.Class) -> list[Route]:
    prefix = None
    for decorator in cls.decorators:
        call = decorator if type(decorator) is ir.Call else None
        name = program.static_name(path, call.func if call is not None else decorator)
        if name.endswith(":Controller") and name.startswith("@nestjs/"):
            first = call.arg(0) if call is not None else None
            prefix = first.value if type(first) is ir.Const and isinstance(first.value, str) else ""
    if prefix is None:
        return []
    routes = []
    for fid in cls.methods:
        function = program.function(path, fid)
        for decorator in function.decorators if function is not None else ():
            call = decorator if type(decorator) is ir.Call else None
            name = program.static_name(path, call.func if call is not None else decorator)
            short = name.rsplit(":", 1)[-1]
            if short in known(program).nest_methods and name.startswith("@nestjs/"):
                first = call.arg(0) if call is not None else None
                sub = first.value if type(first) is ir.Const and isinstance(first.value, str) else ""
                full = "/".join(part.strip("/") for part in (prefix, sub) if part.strip("/"))
                routes.append(Route("nestjs", known(program).nest_methods[short], "/" + full, v.Function(path, fid, v.Instance(path, cls.cid)),
                                    (), path, decorator.span))
    return routes
