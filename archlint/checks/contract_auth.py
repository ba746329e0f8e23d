"""framework rules about authentication against the API contract: AL813 the auth code accepts
another scheme than the contract's (``Bearer`` where clients send ``Token <jwt>``), AL814 an auth
requirement on an operation the contract leaves public or optional.

The contract's scheme comes from its security schemes (``type: http, scheme: bearer``; an
``apiKey`` in the ``Authorization`` header whose description shows ``Token xxxxx``); without a
spec, a Conduit-shaped app is held to Conduit's ``Authorization: Token <jwt>``.  What the code
accepts is read from the functions that read the header (:mod:`archlint.semantics.auth`) and from
the auth libraries of ``rules/knowledge/auth.toml`` (each verified on the released package).
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.contract import AUTH_REQUIRED
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import production
from archlint.domain.findings import Finding
from archlint.domain.records import NamedTuple
from archlint.domain.ir_format import render
from archlint.semantics import auth, web
from archlint.semantics import values as v
from archlint.semantics.api_contract import contract_for, coverage



class Known(NamedTuple):
    """The names of ``reader = "checks.contract_auth"`` in ``rules/knowledge/auth.toml`` (explained there)."""

    jwt_packages: frozenset  # importing one makes a file an auth helper the model reads
    jwt_module_prefixes: tuple  # ... and so does a module starting with one of these
    requiring_permissions: frozenset  # DRF permission classes that reject an anonymous request
    unsafe_only_permissions: frozenset  # ... only on an unsafe method
    bearer_dependencies: frozenset  # FastAPI security dependencies rejecting a request without credentials
    fastify_auth_hooks: tuple  # Fastify hooks a guard runs in, in order


def _known(table: dict) -> Known:
    return Known(jwt_packages=frozenset(table["jwt_packages"]), jwt_module_prefixes=tuple(table["jwt_module_prefixes"]),
                 requiring_permissions=frozenset(table["requiring_permissions"]),
                 unsafe_only_permissions=frozenset(table["unsafe_only_permissions"]),
                 bearer_dependencies=frozenset(table["bearer_dependencies"]), fastify_auth_hooks=tuple(table["fastify_auth_hooks"]))


def _names(program) -> Known:
    return program.library.view("checks.contract_auth", _known)


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    contract = contract_for(program, ctx.api_spec, production)
    if contract is None:
        return
    program.routes()
    _load_auth_modules(ctx, program)
    yield from _scheme_mismatch(ctx, program, contract)
    yield from _auth_on_public(ctx, program, contract)


def _load_auth_modules(ctx: CheckContext, program) -> None:
    """Files that import a JWT/auth library are read into the model (an auth helper imports no
    database or web module, so the deep pass may not have planned it)."""
    names = ctx.knowledge.view("checks.contract_auth", _known)
    for path in sorted(ctx.files):
        if not production(path):
            continue
        if any(edge.external and (edge.target.split(":")[0] in names.jwt_packages or edge.target.split(".")[0] in names.jwt_packages
                                  or edge.target.startswith(names.jwt_module_prefixes))
               for edge in ctx.graph.out_edges(path)):
            program.modules.get(path)


def _functions(program):
    for path in sorted(program.modules):
        if not production(path):
            continue
        module = program.modules[path]
        for function in module.functions:
            yield path, function


# AL813 -----------------------------------------------------------------------------------------------
def _scheme_mismatch(ctx: CheckContext, program, contract) -> Iterator[Finding]:
    expected = {p.lower() for p in contract.auth_prefixes()}
    if len(expected) != 1:
        return
    wanted = sorted(contract.auth_prefixes())[0]  # `Bearer` / `bearer`: one spelling in every run
    if not any(op.auth == AUTH_REQUIRED or op.schemes for op in contract.operations):
        return
    for path, function in _functions(program):
        if function.kind == "module" or not auth.header_reads(function):
            continue
        words = auth.scheme_words(function)
        for callee in _callees(program, path, function):
            words.extend(auth.scheme_words(callee))
        if not words or any(word in expected for word, _node in words):
            continue
        word, node = words[0]
        accepted = word.capitalize() if word != "jwt" else "JWT"
        message = (
            f"`{function.name}` reads the Authorization header and accepts only the `{accepted}` scheme "
            f"(`{render(node, 60)}`), but {contract.source} sends `Authorization: {wanted} <token>`: every authenticated "
            f"call is rejected with 401 (or the token is decoded with the `{wanted} ` prefix still on it and fails)"
        )
        guidance = f"Accept the contract's scheme: check for `{wanted} ` (e.g. `scheme, _, token = header.partition(\" \")` and `scheme == \"{wanted}\"`)."
        yield ctx.registry.finding("AL813", path, getattr(node, "span", function.span), message, guidance)
    yield from _library_schemes(ctx, program, contract, expected, wanted)


def _callees(program, path: str, function: ir.Function) -> list[ir.Function]:
    """Project functions the header reader calls (``token_from(header)``), one level down."""
    found = []
    for call in ir.calls_in(function.body):
        if type(call.func) in (ir.Name, ir.Attr):
            value = program.static_value(path, call.func)
            if type(value) is v.Function:
                definition = program.function(value.path, value.fid)
                if definition is not None and not auth.header_reads(definition):
                    found.append(definition)
    return found


def _library_schemes(ctx: CheckContext, program, contract, expected: set, wanted: str) -> Iterator[Finding]:
    libraries = [e for e in ctx.knowledge.entries if e.kind == "auth"]
    if not libraries:
        return
    constants = _constants(program)
    uses: dict = {}
    for path, function in _functions(program):
        for node in ir.iter_nodes(function.body):
            for library in libraries:
                extra = library.extra
                if any(name in constants for name in extra.get("configured", ())):
                    continue
                scheme = _library_use(program, path, node, extra)
                if scheme and scheme.lower() not in expected:
                    uses.setdefault((library.name, scheme), []).append((path, node))
    for (name, scheme), found in uses.items():
        library = ctx.knowledge.entry(name)
        extra = library.extra
        path, node = found[0]
        more = f" (and {len(found) - 1} more use{'s' if len(found) > 2 else ''})" if len(found) > 1 else ""
        message = (
            f"`{render(node, 60)}` installs {library.name}{more}, which accepts only `Authorization: {scheme} <token>`, but "
            f"{contract.source} sends `{wanted} <token>`: every authenticated call gets {extra.get('reply', '401')}"
        )
        guidance = (f"Configure it to read the `{wanted}` scheme (or parse the header yourself and accept `{wanted} `)."
                    if extra.get("overrides") or extra.get("configured") else
                    f"Read the header yourself and accept `{wanted} `, or use an extractor for that scheme.")
        yield ctx.registry.finding("AL813", path, node.span, message, guidance)


def _library_use(program, path: str, node, extra: dict) -> str:
    """The scheme a library use at ``node`` accepts, or ``""``."""
    kind = type(node)
    if kind is ir.Call:
        name = web.callee_name(program, path, node)
        if name in extra.get("callees", ()) and not extra.get("registered"):
            if extra.get("scheme_arg"):
                first = node.arg(0)
                return first.value if type(first) is ir.Const and isinstance(first.value, str) else ""
            return "" if _overridden(node, extra) else extra.get("scheme", "")
        if extra.get("registered") and node.method == "register" and node.args:  # app.register(fastifyJwt, { secret })
            plugin = node.args[0].value
            resolved = web.resolve(program, path, plugin) if type(plugin) in (ir.Name, ir.Attr) else None
            if type(plugin) is ir.Call:
                resolved = v.External(web.callee_name(program, path, plugin) + "()") if web.callee_name(program, path, plugin) else None
            named = web.canonical(resolved.name) if type(resolved) is v.External else ""
            if named.removesuffix("()") in extra.get("callees", ()) and not _overridden(node, extra):
                return extra.get("scheme", "")
        return ""
    if kind in (ir.Name, ir.Attr) and extra.get("refs"):
        value = program.static_value(path, node)
        if type(value) is v.External and value.name in extra["refs"]:
            return extra.get("scheme", "")
    if kind is ir.Const and isinstance(node.value, str) and node.value in extra.get("refs", ()):
        return extra.get("scheme", "")
    return ""


def _overridden(node: ir.Call, extra: dict) -> bool:
    keys = set(extra.get("overrides", ()))
    for arg in node.args:
        if arg.kind == "kw" and arg.name in keys:
            return True
        for inner in ir.iter_nodes(arg.value):
            if type(inner) is ir.Obj and any(isinstance(e.key, str) and e.key in keys for e in inner.entries):
                return True
    return False


def _constants(program) -> set[str]:
    found = set()
    for _path, function in _functions(program):
        for node in ir.iter_nodes(function.body):
            if type(node) is ir.Const and isinstance(node.value, str) and node.value.isupper():
                found.add(node.value)
            elif type(node) is ir.Name and node.id.isupper():
                found.add(node.id)
            elif type(node) is ir.Assign:
                found.update(t.id for t in node.targets if type(t) is ir.Name and t.id.isupper())
            elif type(node) is ir.Obj:  # SIMPLE_JWT = {"AUTH_HEADER_TYPES": ...}
                found.update(e.key for e in node.entries if isinstance(e.key, str) and e.key.isupper())
    return found


# AL814 -----------------------------------------------------------------------------------------------
def _auth_on_public(ctx: CheckContext, program, contract) -> Iterator[Finding]:
    found = coverage(program, contract, production)
    verifiers = frozenset(m for e in ctx.knowledge.entries if e.kind == "auth" for m in e.extra.get("verifies", ()))
    defaults = _drf_default_permissions(ctx, program)
    reported = set()
    for served in found.served:
        operation, route = served.operation, served.route
        if operation.auth == AUTH_REQUIRED:
            continue
        permission = _drf_permission(program, route, operation, defaults)
        if permission:
            key = (route.file, route.span, operation.method)
            if key not in reported:
                reported.add(key)
                message = (
                    f"`{operation.label}` is public in {contract.source}, but its DRF view requires `{permission}`: an "
                    f"anonymous request gets 401/403 \"Authentication credentials were not provided.\" instead of the resource"
                )
                guidance = ("Give the view `permission_classes = [IsAuthenticatedOrReadOnly]` (or `AllowAny` on its public "
                            "actions via `get_permissions`).")
                yield ctx.registry.finding("AL814", route.file, route.span, message, guidance)
            continue
        library = _library_guard(ctx, program, route)
        if library:
            key = (route.file, route.span, operation.method)
            if key not in reported:
                reported.add(key)
                message = (
                    f"`{operation.label}` is public in {contract.source}, but the route runs {library}'s middleware, which "
                    f"rejects requests without a token: anonymous clients get 401 instead of the resource"
                )
                guidance = "Leave the auth middleware off public operations, or make it optional (express-jwt `credentialsRequired: false`, koa-jwt `passthrough: true`)."
                yield ctx.registry.finding("AL814", route.file, route.span, message, guidance)
            continue
        for guard in _guards(program, route, operation.method):
            if _requires(program, guard, verifiers) is not True:
                continue
            key = (route.file, route.span, operation.method)
            if key in reported:
                break
            reported.add(key)
            definition = program.function(guard.path, guard.fid)
            name = definition.name if definition is not None else "the auth middleware"
            level = "optional" if operation.auth == "optional" else "not required"
            message = (
                f"`{operation.label}` is public in {contract.source} (authentication {level}), but `{name}` "
                f"({guard.path}:{definition.span.line if definition else 0}) runs on this route before the handler's work and "
                f"rejects requests without a token: anonymous clients get 401 instead of the resource"
            )
            guidance = (f"Use an optional-auth middleware on this route (set the user when a valid token is present, "
                        f"call the handler either way), or none.")
            yield ctx.registry.finding("AL814", route.file, route.span, message, guidance)
            break


def _drf_default_permissions(ctx: CheckContext, program) -> tuple:
    """``REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"]`` when every settings module agrees on it."""
    from archlint.checks.django_quirks import project_settings
    from archlint.semantics.django_settings import Table

    if not any(r.framework == "django" for r in program.routes()):
        return ()
    found = set()
    for values in project_settings(ctx, program):
        setting = values.get("REST_FRAMEWORK")
        table = setting.value if setting is not None and setting.certain else None
        classes = table.get("DEFAULT_PERMISSION_CLASSES") if isinstance(table, Table) else None
        found.add(classes if isinstance(classes, tuple) else ())
    return found.pop() if len(found) == 1 else ()


def _drf_permission(program, route, operation, defaults: tuple) -> str:
    """The DRF permission class that rejects an anonymous ``operation`` on this route's view:
    ``permission_classes`` on the class (or its bases), ``@permission_classes([...])`` on a
    function view, else the settings' default."""
    from archlint.semantics.django_urls import class_chain

    handler = route.handler
    if route.framework != "django" or handler is None:
        return ""
    names: tuple | None = None
    if type(handler) is v.ClassValue:
        chain = class_chain(program, handler)
        if not any(type(b) is v.External and b.name.startswith("rest_framework.") for b in chain):
            return ""
        for member in chain:
            if type(member) is not v.ClassValue:
                continue
            field = program.class_field(member.path, member.cid, "permission_classes")
            if field is not None and type(field.value) in (ir.Seq,):
                names = tuple(program.static_name(member.path, e) for e in field.value.elts)
                break
            if field is not None:
                return ""  # computed: unknown
        if _defines(program, chain, "get_permissions"):
            return ""  # per-action permissions
    elif type(handler) is v.Function:
        definition = program.function(handler.path, handler.fid)
        decorators = definition.decorators if definition is not None else ()
        if not any(program.static_name(handler.path, d.func if type(d) is ir.Call else d).startswith("rest_framework.decorators")
                   for d in decorators):
            return ""
        for decorator in decorators:
            if type(decorator) is ir.Call and program.static_name(handler.path, decorator.func).endswith("decorators.permission_classes"):
                listed = decorator.arg(0)
                names = tuple(program.static_name(handler.path, e) for e in listed.elts) if type(listed) is ir.Seq else None
                if names is None:
                    return ""
    if names is None:
        names = tuple(defaults)
    known = _names(program)
    for name in names:
        if name in known.requiring_permissions or name in known.unsafe_only_permissions and operation.method not in ("GET", "HEAD", "OPTIONS"):
            return name.rsplit(".", 1)[-1]  # the class as the settings name it
    return ""


def _defines(program, chain, name: str) -> bool:
    for member in chain:
        if type(member) is not v.ClassValue:
            continue
        cls = program.cls(member.path, member.cid)
        for fid in cls.methods if cls is not None else ():
            function = program.function(member.path, fid)
            if function is not None and function.name == name:
                return True
    return False


def _library_guard(ctx: CheckContext, program, route) -> str:
    """The auth library whose middleware the route's registration (or a ``use`` before it) installs
    and which rejects a request without a token (no option that makes it optional)."""
    registration = web.registration_of(program, route)
    if registration is None:
        return ""
    libraries = [e for e in ctx.knowledge.entries if e.kind == "auth" and e.extra.get("middleware")]
    calls = [registration.node] + [use.node for use in web.uses_before(program, registration, route)]
    path = registration.path
    for call in calls:
        for arg in call.args:
            node = arg.value
            if type(node) is not ir.Call:
                continue
            name = web.callee_name(program, path, node)
            for library in libraries:
                if name in library.extra.get("callees", ()) and not _has_option(node, library.extra.get("optional_options", ())):
                    return library.name
    return ""


def _has_option(node: ir.Call, keys) -> bool:
    for arg in node.args:
        if arg.kind == "kw" and arg.name in keys:
            return True
        if type(arg.value) is ir.Obj and any(isinstance(e.key, str) and e.key in keys for e in arg.value.entries):
            return True
    return False


def _requires(program, guard: v.Function, verifiers: frozenset = frozenset()):
    """Whether the guard rejects a request without credentials: its own header test
    (:func:`auth.requires`), a library verification call outside any try (``await
    request.jwtVerify()``), or a FastAPI dependency on a security scheme that does
    (``token: str = Depends(oauth2_scheme)``; ``auto_error=False`` makes it optional)."""
    answer = auth.requires(program, guard)
    if answer is not None:
        return answer
    definition = program.function(guard.path, guard.fid)
    if definition is not None and verifiers:
        protected = {id(inner) for node in ir.iter_nodes(definition.body) if type(node) is ir.Try and node.handlers
                     for inner in ir.iter_nodes(node.body)}
        if any(type(node) is ir.Call and node.method in verifiers and id(node) not in protected for node in ir.iter_nodes(definition.body)):
            return True
    for param in definition.params if definition is not None else ():
        default = param.default
        if type(default) is not ir.Call or not default.args or web.callee_name(program, guard.path, default).split(".")[-1] not in (
                "Depends", "Security"):
            continue
        target = default.args[0].value
        construction = _module_construction(program, guard.path, target)
        if construction is None:
            continue
        path, call = construction
        if web.callee_name(program, path, call) in _names(program).bearer_dependencies:
            auto_error = call.arg(keyword="auto_error")
            return not (type(auto_error) is ir.Const and auto_error.value is False)
    return None


def _module_construction(program, path: str, node):
    """``oauth2_scheme = OAuth2PasswordBearer(...)`` at module level (here or where it is imported from)."""
    if type(node) is ir.Call:
        return path, node
    if type(node) is not ir.Name:
        return None
    module = program.modules.get(path)
    for statement in module.module.body if module is not None else ():
        if type(statement) is ir.Assign and type(statement.value) is ir.Call and any(
                type(t) is ir.Name and t.id == node.id for t in statement.targets):
            return path, statement.value
    binding = program.binding(path, node.id)
    if binding is not None:
        found = program.graph.resolve_binding(path, binding)
        if found.file is not None and found.attr:
            return _module_construction(program, found.file, ir.Name(found.attr.split(".")[0], node.span))
    return None


def _guards(program, route, method: str = "") -> list:
    """Functions that run before the handler and may reject: route-level middleware
    (``router.get('/x', auth, handler)``), app/router ``use(auth)`` registered before the route on
    it or an ancestor, FastAPI ``Depends(...)`` on the handler's parameters or the decorator.  ``method``:
    the operation's HTTP method — a class view answers it with its method of that name only."""
    found = [m for m in route.middleware if type(m) is v.Function]
    registration = web.registration_of(program, route)
    if registration is not None:
        found.extend(web.used_before(program, registration, route))
    if registration is not None and route.framework == "fastify":
        found.extend(_fastify_hooks(program, registration))
    if route.framework == "fastapi" and type(route.handler) is v.Function:
        found.extend(_fastapi_dependencies(program, route.handler))
    for handler in _handler_functions(program, route, method):
        found.extend(_decorator_guards(program, handler))
        found.extend(_unconditional_calls(program, handler))
    return list(dict.fromkeys(f._replace(bound=None) for f in found))


def _handler_functions(program, route, method: str = "") -> list:
    """The handler, or a class view's method for the route's methods (for ``method`` alone when the class
    defines a method of that verb's name: aiohttp's ``web.View``, Django's ``View``, Flask's ``MethodView`` run
    ``get`` for GET only — the guard its ``post`` calls does not run on a GET)."""
    handler = route.handler
    if type(handler) is v.Function:
        return [handler]
    if type(handler) is v.ClassValue:
        cls = program.cls(handler.path, handler.cid)
        wanted = {m.lower() for m in route.method.split(",")} | {"get", "list", "retrieve"}
        names = {f.name for fid in (cls.methods if cls is not None else ()) if (f := program.function(handler.path, fid)) is not None}
        if method and method.lower() in names:
            wanted = {method.lower()}
        found = []
        for fid in cls.methods if cls is not None else ():
            function = program.function(handler.path, fid)
            if function is not None and function.name in wanted:
                found.append(v.Function(handler.path, fid))
        return found
    return []


def _fastify_hooks(program, registration) -> list:
    """``{ preHandler: [app.authenticate] }`` route options, and ``addHook('onRequest', auth)`` on
    the instance before the route (same file)."""
    found = []
    for value in registration.values:
        record = v.strip(value)
        if type(record) is not v.Record:
            continue
        for hook in _names(program).fastify_auth_hooks:
            option = record.get(hook)
            for item in v.strip(option).items if option is not None and type(v.strip(option)) is v.Tuple else (option,):
                if item is not None and type(v.strip(item)) is v.Function:
                    found.append(v.strip(item))
    for analysis in program.analyses():
        if analysis.path != registration.path:
            continue
        for call in analysis.calls:
            node = call.node
            if node.method != "addHook" or len(call.args) < 2 or (node.span.line, node.span.column) >= (
                    registration.node.span.line, registration.node.span.column):
                continue
            receiver = v.strip(call.receiver)
            hook = v.strip(call.args[0])
            if type(receiver) is v.App and receiver.site == registration.app.site and type(hook) is v.Const and hook.value in _names(program).fastify_auth_hooks:
                function = v.strip(call.args[1])
                if type(function) is v.Function:
                    found.append(function)
    return found


def _decorator_guards(program, handler: v.Function) -> list:
    """Project decorators on the handler (``@login_required`` reading the header in its wrapper)."""
    definition = program.function(handler.path, handler.fid)
    found = []
    for decorator in definition.decorators if definition is not None else ():
        func = decorator.func if type(decorator) is ir.Call else decorator
        value = program.static_value(handler.path, func) if type(func) in (ir.Name, ir.Attr) else None
        if type(value) is v.Function:
            found.extend(web.nested(program, value))
    return found


def _unconditional_calls(program, handler: v.Function) -> list:
    """Project functions the handler calls first thing, outside any branch (``user =
    require_user(request)`` in a Django/aiohttp view): they reject before the handler's work.  A call
    whose arguments make it let anonymous requests through (``current_user(request, required=False)``)
    is no guard."""
    definition = program.function(handler.path, handler.fid)
    found = []
    for statement in definition.body if definition is not None else ():
        if type(statement) in (ir.If, ir.Try, ir.Loop, ir.With):
            continue
        for call in ir.calls_in(statement):
            func = call.func
            if type(func) in (ir.Name, ir.Attr):
                value = program.static_value(handler.path, func)
                if type(value) is v.Function and auth.requires(program, value, call=call) is not False:
                    found.append(value)
    return found


def _fastapi_dependencies(program, handler: v.Function) -> list:
    definition = program.function(handler.path, handler.fid)
    if definition is None:
        return []
    found = []
    nodes = [p.default for p in definition.params if p.default is not None]
    for decorator in definition.decorators:
        if type(decorator) is ir.Call:
            dependencies = decorator.arg(keyword="dependencies")
            if type(dependencies) is ir.Seq:
                nodes.extend(dependencies.elts)
    for node in nodes:
        if type(node) is ir.Call and web.callee_name(program, handler.path, node).split(".")[-1] in ("Depends", "Security") and node.args:
            target = node.args[0].value
            value = program.static_value(handler.path, target) if type(target) in (ir.Name, ir.Attr) else None
            if type(value) is v.Function:
                found.append(value)
    return found
