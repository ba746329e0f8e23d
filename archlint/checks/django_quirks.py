"""framework rules for Django APIs: AL803 trailing-slash mismatch under APPEND_SLASH, AL804 CSRF
enforced on API views.

Both read the settings Django would load (``DJANGO_SETTINGS_MODULE`` from manage.py, wsgi.py,
asgi.py or the start scripts; else every ``settings.py`` / ``settings/*.py``, and then the premise
must hold in all of them) through :mod:`archlint.semantics.django_settings`, and the URL tree with
full paths and methods through :mod:`archlint.semantics.django_urls`.  Verified on Django 5.2 and
DRF 3.16 (the messages a client or the server log shows are in the rules' ``why``).
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import production
from archlint.domain.findings import Finding
from archlint.semantics import django_settings as settings_reader
from archlint.semantics import django_urls, web
from archlint.semantics import values as v
from archlint.semantics.api_contract import contract_for

_COMMON = "django.middleware.common.CommonMiddleware"
_CSRF = "django.middleware.csrf.CsrfViewMiddleware"
_MUTATING = ("POST", "PUT", "PATCH", "DELETE")
_CSRF_EXEMPT = "django.views.decorators.csrf.csrf_exempt"
_DRF_VIEW = "rest_framework.views.APIView"


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    table = [u for u in django_urls.urls(program) if production(u.file)]
    if not table:
        return
    settings = project_settings(ctx, program)
    if not settings:
        return
    yield from _trailing_slash(ctx, program, table, settings)
    yield from _csrf(ctx, program, table, settings)


# settings -------------------------------------------------------------------------------------------
def project_settings(ctx: CheckContext, program) -> list[dict]:
    """The settings of every module Django may load as its settings (one when
    ``DJANGO_SETTINGS_MODULE`` names it)."""
    names = _settings_names(ctx, program)
    paths = []
    for name in names:
        path = _module_file(program, name)
        if path is not None:
            paths.append(path)
    if not paths:
        paths = [p for p in sorted(ctx.files) if production(p) and p.endswith(".py") and
                 (p.rsplit("/", 1)[-1] == "settings.py" or "/settings/" in f"/{p}")]
    found = []
    for path in paths:
        values = settings_reader.read(program, path)
        if "MIDDLEWARE" in values or "INSTALLED_APPS" in values or "ROOT_URLCONF" in values:
            found.append(values)
    return found


def _settings_names(ctx: CheckContext, program) -> list[str]:
    names = []
    for variable in ctx.manifest.env:
        if variable.name == "DJANGO_SETTINGS_MODULE" and variable.value:
            names.append(variable.value.strip("'\""))
    for _path, _line, command in ctx.manifest.commands:
        for marker in ("DJANGO_SETTINGS_MODULE=", "--settings="):
            if marker in command:
                names.append(command.split(marker, 1)[1].split()[0].strip("'\";"))
    entry = [p for p in sorted(ctx.files) if p.rsplit("/", 1)[-1] in ("manage.py", "wsgi.py", "asgi.py")]
    names.extend(settings_reader.settings_module_names(program, entry))
    return list(dict.fromkeys(n for n in names if n and "$" not in n))


def _module_file(program, dotted: str) -> str | None:
    candidates = []
    for path, name in program.graph.modules.items():
        if name == dotted or name.endswith("." + dotted):
            candidates.append(path)
    return sorted(candidates, key=lambda p: (len(p), p))[0] if candidates else None


def _all(settings: list[dict], test) -> bool:
    """The premise holds in every settings module Django may load (unknown is not a yes)."""
    return bool(settings) and all(test(values) is True for values in settings)


# AL803 ------------------------------------------------------------------------------------------------
def _append_slash(values: dict):
    if settings_reader.contains(values.get("MIDDLEWARE"), _COMMON) is not True:
        return False if settings_reader.contains(values.get("MIDDLEWARE"), _COMMON) is False else None
    return settings_reader.flag(values.get("APPEND_SLASH"), True)


def _trailing_slash(ctx: CheckContext, program, table, settings) -> Iterator[Finding]:
    if not _all(settings, _append_slash):
        return
    contract = contract_for(program, ctx.api_spec, production)
    if contract is None:
        return
    wanted = {}
    for operation in contract.operations:
        wanted.setdefault(web.template(operation.path), []).append(operation)
    groups: dict = {}
    for url in table:
        if url.slash != "yes":
            continue
        operations = [op for op in wanted.get(web.template(url.path), ()) if not op.path.endswith("/")]
        operations = [op for op in operations if url.methods == ("ALL",) or op.method in url.methods]
        if operations:
            groups.setdefault((url.file, url.span), []).append((url, operations))
    for (file, span), found in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1].line, item[0][1].column)):
        urls = list(dict.fromkeys(url.path for url, _ops in found))
        operations = [op for _url, ops in found for op in ops]
        router = found[0][0].router
        calls = ", ".join(f"`{op.method} {op.path}`" for op in operations[:4]) + (" …" if len(operations) > 4 else "")
        failures = []
        if any(op.method in ("GET", "HEAD") for op in operations):
            failures.append("a GET gets `301 Moved Permanently`")
        writes = [op for op in operations if op.method in _MUTATING]
        if writes:
            method = writes[0].method
            failures.append(
                f"a {method} raises \"RuntimeError: You called this URL via {method}, but the URL doesn't end in a slash and "
                f"you have APPEND_SLASH set\" (a 500 with DEBUG on; with DEBUG off a 301 the client re-sends as a GET, so the "
                f"write never happens)")
        shown = ", ".join(f"`{u}`" for u in urls[:3]) + (" …" if len(urls) > 3 else "")
        origin = "the DRF router's URLs end with a slash (`trailing_slash=True` is its default)" if router else f"{shown} ends with a slash"
        message = (
            f"{origin}{': ' + shown if router else ''}, but {contract.source} calls {calls} without one: CommonMiddleware "
            f"(APPEND_SLASH, on by default) answers the unslashed URL itself — {'; '.join(failures)}"
        )
        guidance = ("Construct the router with `DefaultRouter(trailing_slash=False)` so its URLs match the contract." if router else
                    f"Drop the trailing slash from the pattern (`\"{found[0][0].pattern}\"` → `\"{found[0][0].pattern.rstrip('/')}\"`), "
                    f"as the API contract spells the URL.")
        yield ctx.registry.finding("AL803", file, span, message, guidance)


# AL804 ------------------------------------------------------------------------------------------------
def _csrf_enabled(values: dict):
    return settings_reader.contains(values.get("MIDDLEWARE"), _CSRF)


def _csrf(ctx: CheckContext, program, table, settings) -> Iterator[Finding]:
    if not _all(settings, _csrf_enabled) or _csrf_written(program):
        return
    modules = list(program.modules)  # the modules known now: finding the API below may load more
    contract = contract_for(program, ctx.api_spec, production)
    if contract is None:
        return  # premise: an API its clients call without a CSRF token (a spec, or Conduit's routes); form views post one
    if _csrf_assigned(program, modules):  # after the cheap premise: this walks every function
        return
    reported = set()
    for url in table:
        view = url.view
        if view is None or not production(view.path) or (view.path, getattr(view, "fid", getattr(view, "cid", -1))) in reported:
            continue
        exempt = _exempt(program, view, url.wrappers)
        if exempt is not False:
            continue
        methods = _mutating_methods(program, view, url, contract)
        if not methods:
            continue
        reported.add((view.path, getattr(view, "fid", getattr(view, "cid", -1))))
        definition = program.function(view.path, view.fid) if type(view) is v.Function else program.cls(view.path, view.cid)
        name = definition.name if definition is not None else "the view"
        shown = "/".join(methods)
        message = (
            f"`{name}` answers {shown} on `{url.path}`, but CsrfViewMiddleware is enabled and the view is not "
            f"`csrf_exempt`: an API client sends no CSRF cookie or token, so every {shown} gets 403 \"CSRF verification "
            f"failed. Request aborted.\" (log: \"Forbidden (CSRF cookie not set.)\") and the view never runs"
        )
        fix = ("decorate the class with `@method_decorator(csrf_exempt, name=\"dispatch\")`" if type(view) is v.ClassValue
               else "decorate it with `@csrf_exempt`")
        guidance = (f"This is a token-authenticated API view: {fix} (django.views.decorators.csrf), or write it as a DRF "
                    f"`APIView`/`@api_view`, which are exempt.")
        span = definition.span if definition is not None else url.span
        yield ctx.registry.finding("AL804", view.path, span, message, guidance)


def _csrf_written(program) -> bool:
    """A project middleware that sets ``request._dont_enforce_csrf_checks = True`` (a common
    way to turn CSRF off for an API), seen by the analyses as a request write ..."""
    for analysis in program.analyses():
        for event in analysis.events:
            if event.kind == "request-write" and event.detail.endswith("_dont_enforce_csrf_checks"):
                return True
    return False


def _csrf_assigned(program, modules: list[str]) -> bool:
    """... or as any assignment of that attribute in ``modules``."""
    for path in modules:
        module = program.modules[path]
        if module.language != "python":
            continue
        for function in module.functions:
            for node in ir.iter_nodes(function.body):
                if type(node) is ir.Assign and any(type(t) is ir.Attr and t.name == "_dont_enforce_csrf_checks" for t in node.targets):
                    return True
    return False


def _exempt(program, view, wrappers: tuple):
    """``True`` exempt (csrf_exempt, DRF), ``False`` enforced, ``None`` unknown (a decorator
    archlint cannot read may exempt it)."""
    if _CSRF_EXEMPT in wrappers or any(w.startswith("rest_framework") for w in wrappers):
        return True
    neutral = set(django_urls.knowledge(program).get("csrf_neutral_decorators", ()))
    if type(view) is v.Function:
        function = program.function(view.path, view.fid)
        if function is None:
            return None
        return _decorators_exempt(program, view.path, function.decorators, neutral)
    if type(view) is v.ClassValue:
        chain = django_urls.class_chain(program, view)
        names = [b.name for b in chain if type(b) is v.External]
        if any(name.startswith("rest_framework.") for name in names):
            return True  # APIView.as_view() is csrf_exempt; SessionAuthentication checks CSRF only for session logins
        if not any(name.startswith("django.views") for name in names):
            return None
        for member in chain:
            if type(member) is not v.ClassValue:
                continue
            cls = program.cls(member.path, member.cid)
            if cls is None:
                return None
            answer = _decorators_exempt(program, member.path, cls.decorators, neutral, method_decorator=True)
            if answer is not False:
                return answer
            for fid in cls.methods:
                function = program.function(member.path, fid)
                if function is not None and function.name == "dispatch":
                    answer = _decorators_exempt(program, member.path, function.decorators, neutral, method_decorator=True)
                    if answer is not False:
                        return answer
        return False
    return None


def _decorators_exempt(program, path: str, decorators, neutral: set, method_decorator: bool = False):
    unknown = False
    for decorator in decorators:
        call = decorator if type(decorator) is ir.Call else None
        func = call.func if call is not None else decorator
        name = program.static_name(path, func)
        if name == _CSRF_EXEMPT or name.startswith("rest_framework.decorators"):
            return True
        if name == "django.utils.decorators.method_decorator" and call is not None:
            inner = call.arg(0)
            inner_name = program.static_name(path, inner) if inner is not None else ""
            if inner_name == _CSRF_EXEMPT:
                return True
            if type(inner) is ir.Seq and any(program.static_name(path, e) == _CSRF_EXEMPT for e in inner.elts):
                return True
            if inner_name not in neutral:
                unknown = True
            continue
        if name in neutral:
            continue
        value = program.static_value(path, func)
        if type(value) is v.Function:
            answer = _project_decorator_exempts(program, value)
            if answer is True:
                return True
            if answer is None:
                unknown = True
            continue
        unknown = True
    return None if unknown else False


def _project_decorator_exempts(program, decorator: v.Function):
    """A project decorator (``def api_view(*methods): … @csrf_exempt def wrapped(…)``) that
    applies csrf_exempt somewhere in its body or its nested functions; ``False`` when it
    certainly does not (it only calls known, neutral things), ``None`` when unsure."""
    for function in web.nested(program, decorator):
        definition = program.function(function.path, function.fid)
        if definition is None:
            return None
        for node in list(ir.iter_nodes(definition.body)) + list(definition.decorators):
            for inner in ir.iter_nodes(node):
                if type(inner) in (ir.Name, ir.Attr) and program.static_name(function.path, inner) == _CSRF_EXEMPT:
                    return True
                if type(inner) is ir.Attr and inner.name == "csrf_exempt":
                    return True  # view.csrf_exempt = True
    return False


def _mutating_methods(program, view, url, contract) -> list[str]:
    """The mutating methods the view really handles: from its declared methods, its handler
    methods, ``request.method == "POST"`` tests in its body, or the contract's operations on its URL.
    A view that declares only safe methods (``@require_GET``, ``require_http_methods(["GET"])``)
    handles none: the contract's PUT on its URL is an operation the app does not serve (AL811),
    and `csrf_exempt` would not make it served."""
    declared = [m for m in url.methods if m in _MUTATING]
    if declared:
        return declared
    if url.methods and "ALL" not in url.methods:
        return []
    found = []
    if type(view) is v.Function:
        function = program.function(view.path, view.fid)
        for node in ir.iter_nodes(function.body) if function is not None else ():
            if type(node) is ir.Compare and _is_method_read(node.left) and node.op in ("==", "in"):
                for value in ir.iter_nodes(node.right):
                    if type(value) is ir.Const and isinstance(value.value, str) and value.value.upper() in _MUTATING:
                        found.append(value.value.upper())
    if not found and contract is not None:
        template = web.template(url.path)
        found = [op.method for op in contract.operations if op.method in _MUTATING and web.template(op.path) == template]
    return list(dict.fromkeys(found))


def _is_method_read(node) -> bool:
    return type(node) is ir.Attr and node.name == "method"

