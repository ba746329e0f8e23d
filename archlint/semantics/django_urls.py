"""Django's URL tree, read statically: what ``include()`` and DRF routers make of ``urlpatterns``.

Django matches the *concatenation* of the patterns along an ``include()`` chain —
``path("api/", include("users.urls"))`` + ``path("users/login/", login)`` is ``api/users/login/``,
trailing slash and all — and a DRF router turns one ``register("articles", ArticleViewSet)`` into
a collection URL and a detail URL whose methods depend on the viewset's actions.  This module
builds that table from the IR (``urlpatterns`` assignments, ``+=``, ``append``/``extend``,
``router.urls``), so the routes table can give Django routes their full path and their methods:

* :func:`urls` — one :class:`DjangoUrl` per URL a view answers (a pattern included twice answers
  under both prefixes), with the methods the view accepts (``require_http_methods``,
  ``@api_view([...])``, class views' handler methods and ``http_method_names``, DRF generic views,
  viewset actions through a router or ``as_view({'get': 'list'})``) and the trailing-slash form;
* :func:`opaque_prefixes` — prefixes under which something archlint cannot read is mounted (an
  ``include()`` of a module it cannot find, ``path("api/", api.urls)`` of an API object it does
  not model): a contract check must not call operations under them missing.

What each library does is data: the ``django`` entry of ``rules/knowledge/frameworks.toml``
(``view_methods``, ``viewset_actions``, ``method_decorators``).
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.facts import Span
from archlint.domain.lazy_regex import lazy_compile
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v

_MAX_DEPTH = 8


class Known(NamedTuple):
    """The library names this module reads: the ``[[names]]`` table with ``reader = "django_urls"`` of
    ``rules/knowledge/frameworks.toml`` (each key is explained there), built once per run."""

    path_functions: frozenset
    include: frozenset
    routers: tuple
    action_methods: dict  # viewset action -> (HTTP method, on the detail URL), in DRF's order
    handler_methods: tuple  # in this order


def _known(table: dict) -> Known:
    return Known(path_functions=frozenset(table["path_functions"]), include=frozenset(table["include"]),
                 routers=tuple(table["routers"]),
                 action_methods={action: tuple(method) for action, method in table["action_methods"].items()},
                 handler_methods=tuple(table["handler_methods"]))


def known(program) -> Known:
    return program.library.view("django_urls", _known)


class DjangoUrl(NamedTuple):
    path: str  # "/" + the concatenated patterns, as Django matches them ("/api/users/login/")
    methods: tuple  # ("GET", "POST"); ("ALL",) when the view does not restrict them
    view: object  # v.Function / v.ClassValue / None
    file: str  # the path()/re_path()/register() call
    span: Span
    slash: str  # "yes" | "no" | "optional": how the URL ends
    regex: bool = False  # re_path / url
    router: str = ""  # the DRF router's site (register() URLs)
    wrappers: tuple = ()  # canonical names of decorators applied in urls.py (``csrf_exempt(view)``)
    pattern: str = ""  # the pattern as written in this path() call ("users/login/")
    # a viewset's `@action` URL: (HTTP method, name of the method serving it) for each method it answers —
    # the action itself, and a `@favorite.mapping.delete` method for the one it maps
    actions: tuple = ()


class _Entry(NamedTuple):
    """One element of a ``urlpatterns`` list, in source order."""

    kind: str  # "path" | "router"
    node: object  # the path() call, or the router App value
    file: str


def urls(program) -> list[DjangoUrl]:
    cached = getattr(program, "_django_urls", None)
    if cached is None:
        cached = program._django_urls = _Builder(program).build()
    return cached[0]


def opaque_prefixes(program) -> list[str]:
    urls(program)
    return program._django_urls[1]


def knowledge(program) -> dict:
    return getattr(program.library, "framework_data", {}).get("django", {})


class _Builder:
    def __init__(self, program) -> None:
        self.program = program
        self.data = knowledge(program)
        self.found: list[DjangoUrl] = []
        self.opaque: list[str] = []
        self.module_names: dict[str, list[str]] | None = None

    # the tree ------------------------------------------------------------------------------------
    def build(self):
        modules = self._urlconf_modules()
        included: set[str] = set()
        for path in modules:
            for entry in self._entries(path):
                if entry.kind == "path":
                    target = self._include_target(entry.file, entry.node)
                    if target is not None and target[0] == "module":
                        included.add(target[1])
        for path in modules:
            if path not in included:
                self._walk(path, "", 0, (path,))
        unique = {(u.path, u.methods, u.file, u.span): u for u in self.found}
        ordered = sorted(unique.values(), key=lambda u: (u.file, u.span.line, u.span.column, u.path))
        return ordered, sorted(set(self.opaque))

    def _urlconf_modules(self) -> list[str]:
        """Modules with a module-level ``urlpatterns``: the files Django reads as URLconfs."""
        found = []
        for path in sorted(self.program.modules):
            module = self.program.modules[path]
            if module.language == "python" and any(_targets(statement, "urlpatterns") for statement in module.module.body):
                found.append(path)
        return found

    def _walk(self, path: str, prefix: str, depth: int, chain: tuple) -> None:
        if depth > _MAX_DEPTH:
            return
        for entry in self._entries(path):
            if entry.kind == "router":
                self._router(entry.node, prefix)
                continue
            node = entry.node
            pattern, is_regex = _pattern_text(node, self._callee(entry.file, node.func))
            if pattern is None:
                continue  # a computed pattern: its URL is unknown
            full = _join(prefix, pattern, is_regex)
            view = node.arg(1, "view")
            target = self._include_target(entry.file, node)
            if target is not None:
                kind, value = target
                if kind == "module" and value not in chain:
                    self._walk(value, full, depth + 1, chain + (value,))
                elif kind == "router":
                    self._router(value, full)
                elif kind == "inline":
                    for inner in value:
                        self._leaf_or_include(entry.file, inner, full, depth + 1, chain)
                elif kind == "opaque":
                    self.opaque.append(_display(full))
                continue
            if view is not None:
                self._leaf(entry.file, node, view, full, is_regex)

    def _leaf_or_include(self, file: str, node, prefix: str, depth: int, chain: tuple) -> None:
        if type(node) is not ir.Call or self._callee(file, node.func) not in known(self.program).path_functions:
            return
        pattern, is_regex = _pattern_text(node, self._callee(file, node.func))
        if pattern is None:
            return
        full = _join(prefix, pattern, is_regex)
        target = self._include_target(file, node)
        if target is not None:
            kind, value = target
            if kind == "module" and value not in chain and depth <= _MAX_DEPTH:
                self._walk(value, full, depth + 1, chain + (value,))
            elif kind == "router":
                self._router(value, full)
            elif kind == "opaque":
                self.opaque.append(_display(full))
            return
        view = node.arg(1, "view")
        if view is not None:
            self._leaf(file, node, view, full, is_regex)

    def _entries(self, path: str) -> list[_Entry]:
        """The elements of ``urlpatterns`` (and of module-level lists it is built from), in order."""
        module = self.program.modules.get(path)
        if module is None:
            return []
        found: list[_Entry] = []
        for statement in _flat(module.module.body):
            if _targets(statement, "urlpatterns"):
                if statement.op == "=":
                    found = []
                found.extend(self._elements(path, module, statement.value, 0))
            elif type(statement) is ir.ExprStmt and type(statement.value) is ir.Call:
                call = statement.value
                if type(call.func) is ir.Attr and type(call.func.obj) is ir.Name and call.func.obj.id == "urlpatterns":
                    if call.func.name in ("append", "insert") and call.args:
                        found.extend(self._elements(path, module, call.args[-1].value, 0, single=True))
                    elif call.func.name == "extend" and call.args:
                        found.extend(self._elements(path, module, call.args[0].value, 0))
        return found

    def _elements(self, path: str, module, node, depth: int, single: bool = False) -> list[_Entry]:
        if node is None or depth > 4:
            return []
        kind = type(node)
        if kind is ir.Seq and not single:
            found = []
            for element in node.elts:
                found.extend(self._elements(path, module, element, depth + 1, single=True))
            return found
        if kind is ir.Starred:
            return self._elements(path, module, node.value, depth + 1)
        if kind is ir.BinOp and node.op == "+":
            return self._elements(path, module, node.left, depth + 1) + self._elements(path, module, node.right, depth + 1)
        if kind is ir.Call:
            callee = self._callee(path, node.func)
            if callee in known(self.program).path_functions:
                return [_Entry("path", node, path)]
            if callee.endswith("format_suffix_patterns") and node.args:  # DRF: same patterns, plus .json
                return self._elements(path, module, node.args[0].value, depth + 1)
            return []
        if kind is ir.Attr and node.name == "urls":
            router = self._router_value(path, node.obj)
            return [_Entry("router", router, path)] if router is not None else []
        if kind is ir.Name:  # api_urls = [...]; urlpatterns = api_urls + [...]
            for statement in _flat(module.module.body):
                if _targets(statement, node.id) and statement.op == "=" and node.id != "urlpatterns":
                    return self._elements(path, module, statement.value, depth + 1)
        return []

    def _callee(self, path: str, node) -> str:
        if type(node) not in (ir.Name, ir.Attr):
            return ""
        value = self.program.static_value(path, node)
        return value.name if type(value) is v.External else ""

    def _router_value(self, path: str, node):
        if type(node) is not ir.Name:
            return None
        value = v.strip(self.program.module_global(path, node.id))
        if type(value) is v.App and value.framework == "django" and self._router_site(value) is not None:
            return value
        return None

    def _router_site(self, app: v.App):
        """The router's constructor call (``DefaultRouter(trailing_slash=False)``), or ``None`` when
        the App is not a DRF router."""
        file, _, rest = app.site.rpartition(":")
        file, _, line = file.rpartition(":")
        module = self.program.modules.get(file)
        if module is None or not line.isdigit() or not rest.isdigit():
            return None
        for function in module.functions:
            for node in ir.iter_nodes(function.body):
                if type(node) is ir.Call and node.span.line == int(line) and node.span.column == int(rest):
                    name = self._callee(file, node.func)
                    return (file, node) if name in known(self.program).routers or name.endswith(("Router", "Router()")) else None
        return None

    def _include_target(self, path: str, node: ir.Call):
        """``("module", file)`` / ``("router", App)`` / ``("inline", [calls])`` / ``("opaque", None)``
        for a ``path(prefix, include(…))`` or ``path(prefix, api.urls)``; ``None`` for a view."""
        view = node.arg(1, "view")
        if view is None:
            return None
        if type(view) is ir.Attr and view.name == "urls":
            router = self._router_value(path, view.obj)
            return ("router", router) if router is not None else ("opaque", None)
        if type(view) in (ir.Seq,) and view.elts:  # path("", ([...], "app", "ns")) / a list of patterns
            first = view.elts[0]
            if type(first) is ir.Seq:
                return ("inline", list(first.elts))
            if all(type(e) is ir.Call for e in view.elts):
                return ("inline", list(view.elts))
            return ("opaque", None)
        if type(view) is not ir.Call or self._callee(path, view.func) not in known(self.program).include:
            return None
        target = view.arg(0, "arg")
        if type(target) is ir.Seq and target.elts:  # include((patterns, "app"))
            target = target.elts[0]
        if type(target) is ir.Const and isinstance(target.value, str):
            file = self._module_file(target.value)
            return ("module", file) if file is not None else ("opaque", None)
        if type(target) is ir.Attr and target.name == "urls":
            router = self._router_value(path, target.obj)
            return ("router", router) if router is not None else ("opaque", None)
        if type(target) in (ir.Name, ir.Attr):
            value = self.program.static_value(path, target)
            if type(value) is v.Module:
                return ("module", value.path)
            if type(target) is ir.Attr and target.name == "urlpatterns":
                owner = self.program.static_value(path, target.obj)
                if type(owner) is v.Module:
                    return ("module", owner.path)
        if type(target) is ir.Seq:
            return ("inline", list(target.elts))
        return ("opaque", None)

    def _module_file(self, dotted: str) -> str | None:
        """The project file of a dotted module name (``conduit.apps.articles.urls``), matched on
        whole trailing components of the graph's module names (source roots differ)."""
        if self.module_names is None:
            self.module_names = {}
            for path, name in self.program.graph.modules.items():
                if path.endswith(".py"):
                    self.module_names.setdefault(name, []).append(path)
        exact = self.module_names.get(dotted)
        if exact:
            return sorted(exact)[0]
        suffix = [p for name, paths in self.module_names.items() if name.endswith("." + dotted) for p in paths]
        return sorted(suffix, key=lambda p: (len(p), p))[0] if suffix else None

    # leaves -----------------------------------------------------------------------------------------
    def _leaf(self, file: str, node: ir.Call, view, full: str, is_regex: bool) -> None:
        wrappers: list[str] = []
        actions = None
        while type(view) is ir.Call:
            callee = self._callee(file, view.func)
            if type(view.func) is ir.Attr and view.func.name == "as_view":
                mapping = view.arg(0, "actions")
                if type(mapping) is ir.Obj:  # ArticleViewSet.as_view({"get": "list", "post": "create"})
                    actions = tuple(str(e.key).upper() for e in mapping.entries if isinstance(e.key, str))
                view = view.func.obj
                break
            if callee and view.args:  # csrf_exempt(views.login), require_POST(view)
                wrappers.append(callee)
                view = view.args[0].value
                continue
            break
        handler = self.program.static_value(file, view) if type(view) in (ir.Name, ir.Attr) else v.UNKNOWN
        if type(handler) not in (v.Function, v.ClassValue):
            handler = None
        methods = actions or view_methods(self.program, handler, tuple(wrappers))
        written, _regex = _pattern_text(node, self._callee(file, node.func))
        self.found.append(DjangoUrl(_display(full), methods, handler, file, node.span, _slash(full, is_regex), is_regex,
                                    "", tuple(wrappers), written or ""))

    def _router(self, router: v.App, prefix: str) -> None:
        found = self._router_site(router)
        if found is None:
            return
        site_file, constructor = found
        trailing = constructor.arg(keyword="trailing_slash")
        slash = "/"
        if type(trailing) is ir.Const:
            slash = "/" if trailing.value is True else ("" if trailing.value is False else str(trailing.value))
        for path, node, app, _values in sorted(self.program.route_calls.values(), key=lambda item: (item[0], item[1].span)):
            if type(v.strip(app)) is not v.App or v.strip(app).site != router.site:
                continue
            if type(node.func) is not ir.Attr or node.func.name != "register":
                continue
            first = node.arg(0, "prefix")
            if type(first) is not ir.Const or not isinstance(first.value, str):
                self.opaque.append(_display(prefix))
                continue
            viewset_node = node.arg(1, "viewset")
            viewset = self.program.static_value(path, viewset_node) if viewset_node is not None else v.UNKNOWN
            if type(viewset) is not v.ClassValue:
                self.opaque.append(_display(_join(prefix, first.value, False)))
                continue
            self._viewset(path, node, viewset, _join(prefix, first.value, False), slash, router.site)

    def _viewset(self, file: str, node: ir.Call, viewset: v.ClassValue, base: str, slash: str, site: str) -> None:
        actions = viewset_actions(self.program, viewset)
        lookup = _class_constant(self.program, viewset, "lookup_url_kwarg") or _class_constant(self.program, viewset, "lookup_field") or "pk"
        allowed = _http_method_names(self.program, viewset)
        collection: list[str] = []
        detail: list[str] = []
        for action in actions:
            method, on_detail = known(self.program).action_methods[action]
            (detail if on_detail else collection).append(method)
        shape = "optional" if slash == "/?" else ("yes" if slash == "/" else "no")
        base = base.rstrip("/")
        for methods, url in ((collection, base), (detail, f"{base}/<{lookup}>")):
            kept = tuple(m for m in dict.fromkeys(methods) if allowed is None or m.lower() in allowed)
            if kept:
                self.found.append(DjangoUrl(_display(url + ("/" if shape == "yes" else "")), kept, viewset, file, node.span, shape,
                                            False, site))
        for extra in _extra_actions(self.program, viewset):
            name, on_detail, methods, url_path, served = extra
            root = f"{base}/<{lookup}>" if on_detail else base
            kept = tuple(m for m in methods if allowed is None or m.lower() in allowed)
            if kept:
                self.found.append(DjangoUrl(_display(f"{root}/{url_path}" + ("/" if shape == "yes" else "")), kept, viewset, file,
                                            node.span, shape, False, site,
                                            actions=tuple((m, served.get(m, name)) for m in kept)))


# views ----------------------------------------------------------------------------------------------
def view_methods(program, handler, wrappers: tuple = ()) -> tuple:
    """The HTTP methods a Django view answers (other methods get 405), or ``("ALL",)``."""
    data = knowledge(program)
    decorators = data.get("method_decorators", {})
    for wrapper in wrappers:
        fixed = decorators.get(wrapper)
        if isinstance(fixed, str) and fixed != "args":
            return tuple(fixed.split(","))
    if type(handler) is v.Function:
        function = program.function(handler.path, handler.fid)
        if function is None:
            return ("ALL",)
        for decorator in function.decorators:
            found = _decorator_methods(program, handler.path, decorator, decorators)
            if found:
                return found
        return ("ALL",)
    if type(handler) is v.ClassValue:
        return class_methods(program, handler)
    return ("ALL",)


def _decorator_methods(program, path: str, decorator, table: dict) -> tuple:
    call = decorator if type(decorator) is ir.Call else None
    func = call.func if call is not None else decorator
    name = program.static_name(path, func)
    rule = table.get(name)
    if isinstance(rule, str):
        if rule.startswith("args"):
            methods = _constant_methods(call.args if call is not None else ())
            default = rule.partition("|")[2]
            return methods or (tuple(default.split(",")) if default else ())
        return tuple(rule.split(","))
    if call is not None and not name:  # a project decorator called with method names: @api_view("GET", "POST")
        value = program.static_value(path, func)
        if type(value) is v.Function:
            return _constant_methods(call.args)
    return ()


def _constant_methods(args) -> tuple:
    found = []
    for arg in args:
        values = arg.value.elts if type(arg.value) is ir.Seq else (arg.value,)
        for value in values:
            if type(value) is not ir.Const or not isinstance(value.value, str) or value.value.upper() not in (
                    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"):
                return ()
            found.append(value.value.upper())
    return tuple(dict.fromkeys(found))


def class_chain(program, cls: v.ClassValue, depth: int = 0) -> list:
    """The class and its bases, depth first (project classes as ClassValue, library ones as External)."""
    if depth > 8:
        return []
    found: list = [cls]
    for base in program.bases(cls.path, cls.cid):
        if type(base) is v.ClassValue:
            found.extend(class_chain(program, base, depth + 1))
        elif type(base) is v.External:
            found.append(base)
    return found


def _library_names(program, cls: v.ClassValue) -> list[str]:
    return [b.name for b in class_chain(program, cls) if type(b) is v.External]


def _defined_methods(program, cls: v.ClassValue) -> set[str]:
    names = set()
    for member in class_chain(program, cls):
        if type(member) is not v.ClassValue:
            continue
        definition = program.cls(member.path, member.cid)
        for fid in definition.methods if definition is not None else ():
            function = program.function(member.path, fid)
            if function is not None:
                names.add(function.name)
    return names


def class_methods(program, cls: v.ClassValue) -> tuple:
    """A class-based view's methods: its handler methods, the generic views' (``ListCreateAPIView``
    → GET, POST), restricted by ``http_method_names``; ``("ALL",)`` when a base is unknown."""
    data = knowledge(program)
    table = data.get("view_methods", {})
    methods = [name.upper() for name in known(program).handler_methods if name in _defined_methods(program, cls)]
    understood = False
    for name in _library_names(program, cls):
        if name in table:
            methods.extend(table[name].split(",") if table[name] else ())
            understood = True
        elif name.startswith(("django.views", "rest_framework")):
            understood = True
    if any(name in data.get("viewset_bases", ()) for name in _library_names(program, cls)):
        actions = viewset_actions(program, cls)
        methods.extend(known(program).action_methods[a][0] for a in actions)
    if not understood:
        return ("ALL",)
    allowed = _http_method_names(program, cls)
    return tuple(m for m in dict.fromkeys(methods) if allowed is None or m.lower() in allowed)


def viewset_actions(program, cls: v.ClassValue) -> list[str]:
    """``list``/``create``/``retrieve``/``update``/``partial_update``/``destroy`` the viewset has:
    from its mixins and bases (``viewset_actions`` data) and the methods it defines."""
    table = knowledge(program).get("viewset_actions", {})
    actions: list[str] = []
    for name in _library_names(program, cls):
        actions.extend(table.get(name, ()))
    defined = _defined_methods(program, cls)
    actions.extend(a for a in known(program).action_methods if a in defined)
    return list(dict.fromkeys(a for a in actions if a in known(program).action_methods))


def _extra_actions(program, cls: v.ClassValue) -> list[tuple]:
    """``@action(detail=True, methods=["post", "delete"], url_path="favorite")`` methods: (name, on the detail
    URL, HTTP methods, URL path, {HTTP method: the method serving it}) — a ``@favorite.mapping.delete`` method
    (``def unfavorite``) adds DELETE to the ``favorite`` action's URL and serves it."""
    found = []
    mapped: dict = {}  # action name -> {HTTP method: method name}, from `@<action>.mapping.<method>`
    for member in class_chain(program, cls):
        if type(member) is not v.ClassValue:
            continue
        definition = program.cls(member.path, member.cid)
        for fid in definition.methods if definition is not None else ():
            function = program.function(member.path, fid)
            for decorator in function.decorators if function is not None else ():
                if type(decorator) is ir.Attr and type(decorator.obj) is ir.Attr and decorator.obj.name == "mapping" \
                        and type(decorator.obj.obj) is ir.Name and decorator.name.upper() in _HTTP_VERBS:
                    mapped.setdefault(decorator.obj.obj.id, {}).setdefault(decorator.name.upper(), function.name)
                if type(decorator) is not ir.Call or not program.static_name(member.path, decorator.func).endswith("decorators.action"):
                    continue
                detail = decorator.arg(keyword="detail")
                methods = decorator.arg(keyword="methods")
                url_path = decorator.arg(keyword="url_path")
                listed = _constant_methods((ir.Arg("pos", "", methods),)) if methods is not None else ("GET",)
                path = url_path.value if type(url_path) is ir.Const and isinstance(url_path.value, str) else function.name
                found.append((function.name, type(detail) is ir.Const and detail.value is True, listed or ("GET",), path))
    extras = []
    for name, detail, methods, path in found:
        served = {method: name for method in methods}
        for method, function in mapped.get(name, {}).items():
            served.setdefault(method, function)
        extras.append((name, detail, tuple(dict.fromkeys(methods + tuple(served))), path, served))
    return extras


_HTTP_VERBS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


def _http_method_names(program, cls: v.ClassValue):
    for member in class_chain(program, cls):
        if type(member) is not v.ClassValue:
            continue
        field = program.class_field(member.path, member.cid, "http_method_names")
        if field is not None and type(field.value) is ir.Seq:
            return {str(e.value).lower() for e in field.value.elts if type(e) is ir.Const}
    return None


def _class_constant(program, cls: v.ClassValue, name: str) -> str:
    field = program.class_field(cls.path, cls.cid, name)
    if field is not None and type(field.value) is ir.Const and isinstance(field.value.value, str):
        return field.value.value
    return ""


# patterns ---------------------------------------------------------------------------------------------
_NAMED_GROUP = lazy_compile(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)")


def _pattern_text(node: ir.Call, callee: str):
    pattern = node.arg(0, "route")
    if type(pattern) is not ir.Const or not isinstance(pattern.value, str):
        return None, False
    return pattern.value, callee != "django.urls.path" and not callee.endswith(".path")


def _join(prefix: str, pattern: str, is_regex: bool) -> str:
    if is_regex:
        pattern = pattern[1:] if pattern.startswith("^") else pattern
        pattern = _NAMED_GROUP.sub(lambda m: f"<int:{m.group(1)}>" if m.group(2) in (r"\d+", "[0-9]+") else f"<{m.group(1)}>", pattern)
        pattern = pattern.replace(r"\.", ".")
    return prefix + pattern


def _slash(full: str, is_regex: bool) -> str:
    text = full.rstrip("$") if is_regex else full
    if is_regex and (text.endswith("/?") or not full.endswith("$") and not text.endswith("/")):
        return "optional" if text.endswith("/?") else ("yes" if text.endswith("/") else "no")
    return "yes" if text.endswith("/") else "no"


def _display(full: str) -> str:
    text = full.rstrip("$")
    if text.endswith("/?"):
        text = text[:-2]
    return "/" + text.lstrip("/")


def _targets(statement, name: str) -> bool:
    return type(statement) is ir.Assign and statement.value is not None and any(
        type(t) is ir.Name and t.id == name for t in statement.targets)


def _flat(body) -> list:
    """Module-level statements, with ``if``/``try`` blocks opened (``if settings.DEBUG: urlpatterns += …``)."""
    found = []
    for statement in body:
        kind = type(statement)
        if kind is ir.If:
            found.extend(_flat(statement.body))
            found.extend(_flat(statement.orelse))
        elif kind is ir.Try:
            found.extend(_flat(statement.body))
        else:
            found.append(statement)
    return found
