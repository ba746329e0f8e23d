"""framework rules: AL801 a route parameter the handler does not receive or does not define.

Two shapes the benchmark's agents produced (benchmark.md §4 item 4): a Flask URL variable that the
view function's signature lacks (``/comments/<int:comment_id>`` with ``def delete(slug, id)`` — a
TypeError and a 500 on every call), and a JS handler reading ``req.params.id`` on a route that only
defines ``:slug`` (always ``undefined``, so the query filters on nothing or throws).

Read from the routes table (:mod:`archlint.semantics.routes`): the route's full path (blueprint
``url_prefix``, ``app.use('/api/articles/:slug', router)`` and other mount prefixes included, so
their variables count as defined), its handler — inline, a named function, a controller method
— and the parameters the handler reads, as the interpreter saw them (``req.params.id``,
``const { slug } = req.params``, ``ctx.params.slug``, Hono ``c.req.param('slug')``).
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding
from archlint.semantics import values as v
from archlint.semantics import web
from archlint.semantics.routes import decorator_app

_PYTHON = ("flask", "quart")
_JS = ("express", "koa", "hono", "fastify")


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    seen = set()
    for route in program.routes():
        if route.method == "USE" or not route.path or non_production(route.file) or route.framework not in _PYTHON + _JS:
            continue
        path = _full(program, route)
        defined = {s.param for s in web.segments(path) if s.param}
        if "*" in defined:
            continue  # a wildcard / regex segment archlint cannot name
        found = _flask(ctx, program, route, path, defined) if route.framework in _PYTHON else _js(ctx, program, route, path, defined)
        for finding in found:
            if finding.sort_key() not in seen:
                seen.add(finding.sort_key())
                yield finding


def _full(program, route) -> str:
    """The route's path: the routes table already joined every mount prefix into it (joining them
    again printed `/api/api/articles/:slug` for a router mounted under `/api`)."""
    return route.path


def _flask(ctx: CheckContext, program, route, path: str, defined: set) -> Iterator[Finding]:
    handler = route.handler
    if type(handler) is not v.Function:
        return
    function = program.function(handler.path, handler.fid)
    if function is None or any(p.kind in ("kwarg", "vararg") for p in function.params):
        return
    names = {p.name for p in function.params}
    popped = _popped_view_args(program, route.framework, handler.path, function)
    if popped is None:
        return  # a preprocessor removes URL variables archlint cannot name
    for variable in sorted(defined - names - popped, key=lambda n: [s.param for s in web.segments(path)].index(n)):
        message = (
            f"route `{path}` passes `{variable}` to `{function.name}()`, which has no such parameter: "
            f"every request raises TypeError (unexpected keyword argument '{variable}') and returns 500"
        )
        guidance = f"Name the parameter `{variable}` in `def {function.name}(…)` (or rename `<{variable}>` in the route)."
        yield ctx.registry.finding("AL801", handler.path, function.span, message, guidance)


def _popped_view_args(program, framework: str, path: str, function: ir.Function) -> frozenset | None:
    """The URL variables that Flask/Quart URL-value preprocessors remove before this view is called
    (``@main.url_value_preprocessor def pull_project(endpoint, values): values.pop("project_id")``,
    the view then declares no ``project_id``): those registered on the view's blueprint or on an app
    the blueprint is mounted under, and every ``app_url_value_preprocessor``.  ``None`` when one of
    them removes keys archlint cannot name (a computed key, ``values.clear()``, ``values`` handed on)."""
    table = _preprocessors(program, framework)
    if not table:
        return frozenset()
    sites = _owner_sites(program, path, function)
    removed: set = set()
    for site, keys in table:
        if site is None or site in sites:
            if keys is None:
                return None
            removed |= keys
    return frozenset(removed)


def _owner_sites(program, path: str, function: ir.Function) -> set:
    """The app/blueprint a decorated view is registered on, and every app that one is mounted under."""
    sites: set = set()
    for decorator in function.decorators:
        if type(decorator) is not ir.Call or type(decorator.func) is not ir.Attr:
            continue
        owner = decorator_app(program, path, function, decorator.func.obj)
        site = owner.site if owner is not None else None
        while site and site not in sites:
            sites.add(site)
            parent = program.app_mounts.get(site)
            site = parent[0] if parent is not None else None
    return sites


def _preprocessors(program, framework: str) -> list:
    """(site, keys) per URL-value preprocessor of ``framework``: site None for one that runs before every
    view; keys None when what it removes is not known (cached on the program)."""
    return program.memoised(f"url-preprocessors:{framework}", lambda: _find_preprocessors(program, framework))


def _find_preprocessors(program, framework: str) -> list:
    data = program.library.framework_data.get(framework, {})
    local, app_wide = set(data.get("url_value_preprocessors", ())), set(data.get("app_url_value_preprocessors", ()))
    found = []
    for path in sorted(program.modules) if local or app_wide else ():
        module = program.modules[path]
        if module.language != "python":
            continue
        for function in module.functions:
            for decorator in function.decorators:
                if type(decorator) is not ir.Attr or decorator.name not in local | app_wide:
                    continue
                owner = _member_value(program, path, decorator.obj)
                if decorator.name in local and type(owner) is not v.App:
                    continue
                found.append((None if decorator.name in app_wide else owner.site, _removed_keys(function)))
    return found


def _removed_keys(function: ir.Function) -> frozenset | None:
    """The keys ``f(endpoint, values)`` removes from ``values``: ``values.pop("k", …)``, ``del values["k"]``."""
    if len(function.params) < 2:
        return frozenset()
    name = function.params[1].name
    keys = set()
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Call:
            if node.receiver is not None and type(node.receiver) is ir.Name and node.receiver.id == name:
                if node.method == "pop":
                    key = node.arg(0)
                    if type(key) is not ir.Const or not isinstance(key.value, str):
                        return None
                    keys.add(key.value)
                elif node.method in ("clear", "popitem"):
                    return None
            elif any(type(arg.value) is ir.Name and arg.value.id == name for arg in node.args):
                return None  # handed to another function, which may remove anything
        elif type(node) is ir.Delete:
            for target in node.targets:
                if type(target) is ir.Index and type(target.obj) is ir.Name and target.obj.id == name:
                    if type(target.index) is not ir.Const or not isinstance(target.index.value, str):
                        return None
                    keys.add(target.index.value)
    return frozenset(keys)


def _js(ctx: CheckContext, program, route, path: str, defined: set) -> Iterator[Finding]:
    functions = web.route_functions(program, route)
    if not functions:
        return
    reads = set()
    for event in web.events(program, functions, "request-read"):
        part, _, name = event.detail.partition(".")
        if part == "params" and name and "." not in name:
            reads.add(name)
    reads |= _hono_params(program, functions)
    filled = _param_middleware_fills(program)
    reads -= {name for param in defined for name in filled.get(param, ())}
    for name in sorted(reads - defined):
        message = (
            f"the handler reads route parameter `{name}`, but route `{path}` defines "
            f"{', '.join(f'`:{d}`' for d in sorted(defined)) or 'no parameter'}: it is always undefined, so the "
            f"lookup that uses it finds nothing or throws (Sequelize: WHERE parameter has invalid \"undefined\" value)"
        )
        guidance = f"Read the parameter the route defines (`{'`, `'.join(sorted(defined)) or 'none'}`) or add `:{name}` to the path."
        yield ctx.registry.finding("AL801", route.file, route.span, message, guidance)


def _param_middleware_fills(program) -> dict:
    """``router.param('slug', articles.bySlug)`` (koa-router, Express): the middleware runs for every
    route defining ``:slug`` and may store what it looked up as a parameter (``ctx.params.article =
    article`` in LimarenkoDenis' koa-knex Conduit), so ``ctx.params.article`` is defined on those
    routes.  param name -> the ``params`` attributes such middleware assigns (read from the files
    that register routes only)."""
    return program.memoised("param_fills", lambda: _find_param_fills(program))


def _find_param_fills(program) -> dict:
    found: dict = {}
    for path in sorted({route.file for route in program.routes()}):
        module = program.modules.get(path)
        if module is None or module.language == "python":
            continue
        for function in module.functions:
            for node in ir.iter_nodes(function.body):
                if type(node) is not ir.Call or node.method != "param" or len(node.args) != 2:
                    continue
                name, handler = node.args[0].value, node.args[1].value
                if type(name) is not ir.Const or not isinstance(name.value, str):
                    continue
                target = v.Function(path, handler.fid) if type(handler) is ir.FuncRef else _member_value(program, path, handler)
                definition = program.function(target.path, target.fid) if type(target) is v.Function else None
                for inner in ir.iter_nodes(definition.body) if definition is not None else ():
                    for assigned in inner.targets if type(inner) is ir.Assign else ():
                        if type(assigned) is ir.Attr and type(assigned.obj) is ir.Attr and assigned.obj.name == "params":
                            found.setdefault(name.value, set()).add(assigned.name)
    return found


def _member_value(program, path: str, node):
    """``bySlug`` / ``articles.bySlug``: the module-level value a name or attribute chain holds
    (the interpreted global, so an exported object literal's member is known)."""
    if type(node) is ir.Name:
        return v.strip(program.module_member(path, node.id))
    if type(node) is ir.Attr:
        owner = _member_value(program, path, node.obj)
        if type(owner) is v.Record:
            found = owner.get(node.name)
            return v.strip(found) if found is not None else None
        return program.static_value(path, node)
    return None


def _hono_params(program, functions) -> set[str]:
    """``c.req.param('slug')``: a method call, not an attribute read, so not a request event."""
    names = set()
    for function in functions:
        for inner in web.nested(program, function):
            definition = program.function(inner.path, inner.fid)
            for node in ir.iter_nodes(definition.body) if definition is not None else ():
                if type(node) is ir.Call and node.method == "param" and len(node.args) == 1 \
                        and type(node.args[0].value) is ir.Const and isinstance(node.args[0].value.value, str) \
                        and type(node.func.obj) is ir.Attr and node.func.obj.name == "req":
                    names.add(node.args[0].value.value)
    return names
