"""framework rules read from the routes table: AL802 Fastify rejects an empty JSON body, AL805 Hono
wired to Node's http server by hand, AL806 a request body read with no body parser, AL808 a
parameterised route that shadows a static sibling.

Each is a failure the study's agents shipped (benchmark.md §4 items 1, 3 and the judge's
"framework idiosyncrasy" category); each was reproduced against the real package (the message a
client or the server log shows is in the rule's ``why``).
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding
from archlint.domain.version_spec import newest_lowest_major
from archlint.semantics import values as v
from archlint.semantics import web

_MUTATING = ("POST", "PUT", "PATCH", "DELETE")
_EMPTY_BODY_CODE = "FST_ERR_CTP_EMPTY_JSON_BODY"


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    routes = [r for r in program.routes() if not non_production(r.file)]
    if not routes:
        return
    yield from _fastify_empty_body(ctx, program, routes)
    yield from _hono_on_node(ctx, program)
    yield from _missing_body_parser(ctx, program, routes)
    yield from _aiohttp_json_on_delete(ctx, program, routes)
    yield from _shadowed(ctx, program, routes)


# AL802 -----------------------------------------------------------------------------------------------
def declared_major(ctx: CheckContext, package: str) -> int | None:
    """The major version package.json / requirements declare (``^4.26.2`` → 4, ``^4 || ^5`` → 5); ``None``
    when the spec names no version (``latest``, ``*``) or the package is not declared."""
    for dependency in ctx.manifest.dependencies:
        if dependency.name.lower() == package:
            return newest_lowest_major(dependency.spec)
    return None


def _fastify_empty_body(ctx: CheckContext, program, routes) -> Iterator[Finding]:
    fastify = [r for r in routes if r.framework == "fastify" and r.method in _MUTATING]
    if not fastify or _empty_body_tolerated(program):
        return
    major = declared_major(ctx, "fastify")
    # Fastify 3 and 4 never parse a DELETE body (verified: 200); Fastify 5 does (400).  An
    # undeclared or unpinned fastify installs the current major, 5.
    methods = ("POST", "PUT", "PATCH") if major is not None and major < 5 else _MUTATING
    for route in fastify:
        if route.method not in methods or _has_body_schema(program, route) or web.reads_body(program, route):
            continue
        version = f"Fastify {major}" if major is not None else "Fastify"
        message = (
            f"{f'`{route.method} {route.path}`' if route.path else f'This `{route.method}` route'} takes no body, but {version} parses every `Content-Type: application/json` "
            f"request: a client that sends the header with an empty body (the Conduit test suite does on favorite/"
            f"follow/delete) gets 400 {_EMPTY_BODY_CODE} \"Body cannot be empty when content-type is set to "
            f"'application/json'\" and the handler never runs"
        )
        guidance = (
            "Register a JSON parser that accepts an empty body once on the root instance: "
            "`app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => "
            "{ try { done(null, body === '' ? {} : JSON.parse(body)) } catch (err) { err.statusCode = 400; done(err, undefined) } })`."
        )
        yield ctx.registry.finding("AL802", route.file, route.span, message, guidance)


def _empty_body_tolerated(program) -> bool:
    """A JSON content-type parser that tests its body before parsing, or code that handles the
    ``FST_ERR_CTP_EMPTY_JSON_BODY`` error."""
    for analysis in program.analyses():
        for call in analysis.calls:
            node = call.node
            if node.method in ("removeAllContentTypeParsers",):
                return True
            if node.method != "addContentTypeParser":
                continue
            kinds = node.arg(0)
            if not _names_json(kinds):
                continue
            for value in call.args:
                parser = v.strip(value)
                if type(parser) is v.Function and _tests_its_body(program, parser):
                    return True
    rewritten: set = set()  # content types a hook writes into the request's headers
    parsed: set = set()  # content types the project registers a parser for
    for path in program.modules:
        module = program.modules[path]
        if module.language == "python":
            continue
        for function in module.functions:
            for node in ir.iter_nodes(function.body):
                if type(node) is ir.Const and node.value == _EMPTY_BODY_CODE:
                    return True
                if type(node) is ir.Assign and type(node.value) is ir.Const and isinstance(node.value.value, str) \
                        and any(_content_type_header(t) for t in node.targets):
                    rewritten.add(node.value.value.lower())
                elif type(node) is ir.Call and node.method == "addContentTypeParser" and node.args \
                        and type(node.args[0].value) is ir.Const and isinstance(node.args[0].value.value, str):
                    parsed.add(node.args[0].value.value.lower())
    # `req.headers['content-type'] = 'empty'` in an onRequest hook when a JSON request has no body, and
    # `addContentTypeParser('empty', (req, body, done) => done(null, {}))`: the body-less request reaches
    # the project's own parser (avanelli's Fastify Conduit), never the JSON one
    return bool({t for t in rewritten if "json" not in t} & parsed)


def _content_type_header(target) -> bool:
    """``req.headers['content-type']`` / ``request.headers["Content-Type"]`` as an assignment target."""
    return (type(target) is ir.Index and type(target.obj) is ir.Attr and target.obj.name == "headers"
            and type(target.index) is ir.Const and isinstance(target.index.value, str)
            and target.index.value.lower() == "content-type")


def _names_json(node) -> bool:
    if type(node) is ir.Const and isinstance(node.value, str):
        return "json" in node.value or node.value == "*"
    if type(node) is ir.Seq:
        return any(_names_json(e) for e in node.elts)
    return type(node) is not ir.Const  # a regex or a computed list: may match JSON


def _tests_its_body(program, parser: v.Function) -> bool:
    function = program.function(parser.path, parser.fid)
    if function is None or len(function.params) < 2:
        return False
    body = function.params[1].name
    for node in ir.iter_nodes(function.body):
        kind = type(node)
        tested = node.test if kind in (ir.If, ir.Cond) else node if kind in (ir.Compare, ir.BoolOp) else None
        if tested is not None and any(type(n) is ir.Name and n.id == body for n in ir.iter_nodes(tested)):
            return True
    return False


def _has_body_schema(program, route) -> bool:
    registration = web.registration_of(program, route)
    if registration is None:
        return False
    for value in registration.values:
        record = v.strip(value)
        if type(record) is not v.Record:
            continue
        schema = v.strip(record.get("schema") or v.UNKNOWN)
        if type(schema) is v.Record and schema.get("body") is not None:
            return True
        if type(schema) is not v.Record and record.get("schema") is not None:
            return True  # a schema built elsewhere: it may declare the body
    return False


# AL805 -----------------------------------------------------------------------------------------------
_NODE_SERVERS = ("http:createServer", "node:http:createServer", "https:createServer", "node:https:createServer",
                 "http2:createServer", "node:http2:createServer")


def _hono_on_node(ctx: CheckContext, program) -> Iterator[Finding]:
    for analysis in program.analyses():
        path = analysis.path
        if non_production(path) or program.language(path) == "python":
            continue
        for call in analysis.calls:
            node = call.node
            name = web.callee_name(program, path, node)
            if name in _NODE_SERVERS:
                for arg in node.args:
                    if _is_hono_fetch(program, path, arg.value) or _wraps_hono_fetch(program, path, arg.value):
                        yield _hono_finding(ctx, path, node, "passes `app.fetch` to Node's `http.createServer`")
                        break
            elif node.method == "listen" and _is_hono(program, path, node.receiver, call.receiver):
                message = (
                    "`app.listen()` on a Hono app: Hono has no listen method (TypeError: app.listen is not a "
                    "function) — on Node the server is started by `serve()` from `@hono/node-server`"
                )
                yield ctx.registry.finding("AL805", path, node.span, message, _HONO_GUIDANCE)


_HONO_GUIDANCE = "`import { serve } from '@hono/node-server'; serve({ fetch: app.fetch, port: 3000 })` (and add `@hono/node-server` to package.json)."


def _hono_finding(ctx, path, node, what: str) -> Finding:
    message = (
        f"the code {what}: Node calls it with an IncomingMessage and a ServerResponse, not a Fetch Request, so every "
        f"route fails with \"TypeError: this.raw.headers.get is not a function\" (500, and the Node response is never "
        f"written: clients hang)"
    )
    return ctx.registry.finding("AL805", path, node.span, message, _HONO_GUIDANCE)


def _app_value(program, path: str, node):
    if type(node) is ir.Name:
        return v.strip(program.module_member(path, node.id))
    return v.UNKNOWN


def _is_hono(program, path, node, value=None) -> bool:
    bare = v.strip(value) if value is not None else v.UNKNOWN
    if type(bare) is not v.App:
        bare = _app_value(program, path, node)
    return type(bare) is v.App and bare.framework == "hono"


def _is_hono_fetch(program, path: str, node) -> bool:
    return type(node) is ir.Attr and node.name == "fetch" and _is_hono(program, path, node.obj)


def _wraps_hono_fetch(program, path: str, node) -> bool:
    """``http.createServer((req, res) => app.fetch(req, res))``."""
    if type(node) is not ir.FuncRef:
        return False
    function = program.function(path, node.fid)
    if function is None or not function.params:
        return False
    first = function.params[0].name
    for call in ir.calls_in(function.body):
        if _is_hono_fetch(program, path, call.func) and any(type(a.value) is ir.Name and a.value.id == first for a in call.args):
            return True
    return False


# AL806 -----------------------------------------------------------------------------------------------
def _missing_body_parser(ctx: CheckContext, program, routes) -> Iterator[Finding]:
    for framework in ("express", "koa"):
        own = [r for r in routes if r.framework == framework and r.method not in ("USE", "GET", "HEAD")]
        readers = [r for r in own if _reads_parsed_body(program, r)]
        if not readers:
            continue
        parsers = ctx.knowledge.framework_names(framework, "body_parsers")
        uses = [reg for reg in web.registrations(program) if reg.app.framework == framework and _is_parser_use(program, reg, parsers)]
        if _project_parser(program, framework):
            continue
        parsing_routers = ctx.knowledge.framework_names(framework, "body_parsing_routers")
        for route in readers:
            if _route_level_parser(program, route, parsers):
                continue
            if parsing_routers and web.router_constructor(program, route) in parsing_routers:
                continue  # a router that comes with its own body parser (frameworks.toml body_parsing_routers)
            problem = _parser_problem(program, route, uses)
            if problem is None:
                continue
            where = "`req.body`" if framework == "express" else "`ctx.request.body`"
            parser = "`app.use(express.json())`" if framework == "express" else "`app.use(bodyParser())` (koa-bodyparser)"
            message = (
                f"`{route.method} {route.path}` reads {where}, but {problem}: {where} is undefined, so the handler "
                f"throws (TypeError: Cannot destructure property … of undefined) or saves empty fields — a 500 or 422 on every call"
            )
            guidance = f"Mount {parser} on the app before the routers (`app.use('/api', router)`) are mounted."
            yield ctx.registry.finding("AL806", route.file, route.span, message, guidance)


def _reads_parsed_body(program, route) -> bool:
    """``req.body`` (Express) / ``ctx.request.body`` (Koa; ``ctx.body`` is the response)."""
    for event in web.events(program, web.route_functions(program, route), "request-read"):
        if event.detail != "body" and not event.detail.startswith("body."):
            continue
        if route.framework == "express":
            return True
        node = _attr_at(program, event.path, event.span)
        if node is not None and type(node.obj) is ir.Attr and node.obj.name == "request":
            return True
    return False


def _attr_at(program, path: str, span):
    module = program.modules.get(path)
    if module is None:
        return None
    for function in module.functions:
        if not (function.span.line <= span.line <= function.span.end_line):
            continue
        for node in ir.iter_nodes(function.body):
            if type(node) is ir.Attr and node.span == span:
                return node
    return None


def _parser_name(program, path: str, node) -> str:
    if type(node) is ir.Call:
        return web.callee_name(program, path, node)
    if type(node) is ir.Name:  # const jsonParser = bodyParser.json()
        for statement in program.modules[path].module.body if path in program.modules else ():
            if type(statement) is ir.Assign and type(statement.value) is ir.Call and any(
                    type(t) is ir.Name and t.id == node.id for t in statement.targets):
                return web.callee_name(program, path, statement.value)
    return ""


def _is_parser_use(program, registration, parsers) -> bool:
    node = registration.node
    if type(node.func) is not ir.Attr or node.func.name != "use":
        return False
    return any(_parser_name(program, registration.path, arg.value) in parsers or _runs_parser(program, registration.path, arg.value, parsers)
               for arg in node.args)


def _runs_parser(program, path: str, node, parsers) -> bool:
    """``app.use((req, res, next) => { express.json({ limit })(req, res, (err) => …) })``: a middleware
    that runs a parser it builds (to turn its error into the API's own; @directus/api)."""
    module = program.modules.get(path)
    if type(node) is not ir.FuncRef or module is None:
        return False
    for call in ir.iter_nodes(module.functions[node.fid].body):
        if type(call) is ir.Call and type(call.func) is ir.Call and _parser_name(program, path, call.func) in parsers:
            return True
    return False


def _route_level_parser(program, route, parsers) -> bool:
    registration = web.registration_of(program, route)
    return registration is not None and any(_parser_name(program, registration.path, a.value) in parsers for a in registration.node.args)


def _project_parser(program, framework: str) -> bool:
    """Project middleware that fills ``req.body`` / ``ctx.request.body`` itself (Koa's
    ``ctx.body = …`` is the response)."""
    for analysis in program.analyses():
        for event in analysis.events:
            if event.kind != "request-write" or event.detail != "body":
                continue
            if framework == "express":
                return True
            node = _attr_at(program, event.path, event.span)
            if node is not None and type(node.obj) is ir.Attr and node.obj.name == "request":
                return True
    return False


def _parser_problem(program, route, uses) -> str | None:
    """Why the parser does not run before the route, or ``None`` when it does (or archlint cannot tell)."""
    if not uses:
        return "no body parser is mounted anywhere"
    registration = web.registration_of(program, route)
    if registration is None:
        return None
    chain = web.ancestors(program, registration.app.site)
    entry = registration
    for site in chain:
        mine = [u for u in uses if u.app.site == site]
        if any(u.path != entry.path or (u.node.span.line, u.node.span.column) < (entry.node.span.line, entry.node.span.column) for u in mine):
            return None
        if mine:
            late = mine[0]
            return f"the body parser is mounted after it (`{late.path}:{late.node.span.line}`), and Express/Koa run middleware in registration order"
        entry = _mount_of(program, site, entry) or entry
    return None  # the parser sits on an app archlint does not see this route mounted under


def _mount_of(program, child_site: str, fallback):
    parent = program.app_mounts.get(child_site)
    if parent is None:
        return None
    for registration in web.registrations(program):
        if registration.app.site != parent[0]:
            continue
        if any(type(v.strip(value)) is v.App and v.strip(value).site == child_site for value in registration.values):
            return registration
    return None


# AL806 (aiohttp) ---------------------------------------------------------------------------------------
def _aiohttp_json_on_delete(ctx: CheckContext, program, routes) -> Iterator[Finding]:
    for route in routes:
        if route.framework != "aiohttp" or route.method != "DELETE":
            continue
        functions = web.route_functions(program, route)
        reads = web.events(program, functions, "request-read")
        if any(e.detail in ("can_read_body", "body_exists", "has_body", "content_length", "content_type") for e in reads):
            continue
        for event in reads:
            if event.detail != "body" or _inside_try(program, event):
                continue
            message = (
                f"`DELETE {route.path}` parses the request body as JSON, but DELETE requests normally carry none (the "
                f"Conduit suite sends none): `await request.json()` raises JSONDecodeError (Expecting value: line 1 "
                f"column 1) and aiohttp answers 500"
            )
            guidance = "Take what a DELETE needs from the path (`request.match_info`) and the auth header; read a body only `if request.can_read_body`."
            yield ctx.registry.finding("AL806", event.path, event.span, message, guidance)
            break


def _inside_try(program, event) -> bool:
    module = program.modules.get(event.path)
    if module is None:
        return False
    for function in module.functions:
        for node in ir.iter_nodes(function.body):
            if type(node) is ir.Try and any(
                getattr(inner, "span", None) == event.span for inner in ir.iter_nodes(node.body)
            ):
                return True
    return False


# AL808 -----------------------------------------------------------------------------------------------
_FIRST_MATCH = ("express", "koa", "hono", "fastapi", "starlette", "aiohttp", "django")


def _shadowed(ctx: CheckContext, program, routes) -> Iterator[Finding]:
    by_router: dict = {}
    for route in routes:
        if route.framework not in _FIRST_MATCH or route.method == "USE" or not route.path:
            continue
        by_router.setdefault((route.framework, _router_key(program, route)), []).append(route)
    for (_framework, _key), members in sorted(by_router.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        members.sort(key=lambda r: (r.file, r.span.line, r.span.column))
        reported = set()
        for later_index, later in enumerate(members):
            static = web.segments(later.path)
            if any(s.param for s in static) and all(s.param for s in static):
                continue
            for earlier in members[:later_index]:
                if earlier.file != later.file or (earlier.path, earlier.method) == (later.path, later.method):
                    continue
                if earlier.span == later.span:
                    continue  # one registration expanded by the framework (a DRF router orders its own URLs)
                if not _same_method(earlier.method, later.method):
                    continue
                captured = _captures(web.segments(earlier.path), static)
                if captured and id(later) not in reported:
                    reported.add(id(later))
                    yield _shadow_finding(ctx, earlier, later, captured)
                    break


def _router_key(program, route):
    registration = web.registration_of(program, route)
    if registration is not None:
        return registration.app.site
    return route.file  # decorators (FastAPI, aiohttp RouteTableDef) and Django urlpatterns: one list per file


def _same_method(first: str, second: str) -> bool:
    if "ALL" in (first, second):
        return True
    return bool(set(first.split(",")) & set(second.split(",")))


def _captures(pattern, static) -> str:
    """The parameter of ``pattern`` that captures a static segment of ``static`` (``slug``), when
    ``pattern`` matches every path ``static`` matches; else ``""``."""
    if len(pattern) != len(static):
        return ""
    captured = ""
    for mine, theirs in zip(pattern, static):
        if mine.param and not theirs.param:
            if mine.param == "*" or not web.accepts(mine, theirs.text):
                return ""
            captured = captured or f"{mine.param}='{theirs.text}'"
        elif mine.param and theirs.param:
            continue
        elif theirs.param or mine.text != theirs.text:
            return ""
    return captured


def _shadow_finding(ctx, earlier, later, captured: str) -> Finding:
    message = (
        f"`{later.method} {later.path}` is registered after `{earlier.method} {earlier.path}` "
        f"(line {earlier.span.line}), which matches the same URLs first: the request runs the earlier handler with "
        f"{captured} (a 404 'not found' or the wrong resource), and this handler is never reached"
    )
    guidance = f"Register `{later.path}` before `{earlier.path}` (static paths first)."
    return ctx.registry.finding("AL808", later.file, later.span, message, guidance)
