"""AL234: a lookup that raises when no row matches — Django ``.get()`` (``Model.DoesNotExist``),
SQLAlchemy ``.one()`` / ``.scalar_one()`` / ``session.get_one()`` (``NoResultFound``) — keyed by a
value the client chose, on a request handler's path, with nothing that catches the error: a request
for a missing slug or id answers 500 where the API promises 404.

The premise is read from the semantic model.  The interpreter marks the read effect of each raising
lookup (``raises-missing:``) and whether a ``try`` around it, in its function or in any caller on the
way, catches ``DoesNotExist`` / ``ObjectDoesNotExist`` / ``NoResultFound`` or a base of them
(``Exception``, a bare ``except:``; a handler that re-raises catches nothing).  The filter value must
carry the ``input`` tag: a route handler's URL or query parameter (Flask ``<slug>``, Django URL kwargs,
FastAPI / django-ninja path and query parameters, a DRF/Django view's ``self.kwargs``), or the request
body, query string or path parameters — a lookup by the authenticated user, by a row just created or
by a constant is not judged.  The effect must reach a route handler's summary (directly, or through
helpers, services and repositories: the effect's trace).  Nothing is reported when the project has an
application-level handler that could turn the error into a response: Flask ``errorhandler`` /
``register_error_handler``, FastAPI / Starlette / django-ninja ``exception_handler`` /
``add_exception_handler`` for one of those exceptions (or ``Exception``), a DRF ``EXCEPTION_HANDLER``
setting, a Django middleware with ``process_exception``, Flask-RESTful's ``handle_error`` override, an HTTP
middleware that catches ``Exception`` — and a view class (or a subclass of one) that overrides DRF's
``handle_exception`` answers for its own views.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.facts import Span
from archlint.domain.findings import Finding, TraceStep
from archlint.semantics import values as v
from archlint.semantics.interpreter import MISSING_ROW_ERRORS, catches_missing_row, reraises

_HANDLER_REGISTRATIONS = frozenset({"errorhandler", "register_error_handler", "exception_handler", "add_exception_handler",
                                    "app_errorhandler"})
_HANDLER_DECORATORS = _HANDLER_REGISTRATIONS | {"exception"}  # Sanic `@app.exception(…)`


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    handlers = _handler_functions(program)
    if not handlers or _app_level_handler(program):
        return
    own_hooks = _views_handling_exceptions(program)
    reported: set = set()
    for analysis in program.analyses():
        if (analysis.path, analysis.fid) not in handlers or non_production(analysis.path):
            continue
        if own_hooks and analysis.function.cls >= 0 and any(
                link in own_hooks for link in program.subclass_chain(analysis.path, analysis.function.cls)):
            continue  # a DRF view whose `handle_exception` may answer the error
        for effect in analysis.summary.effects:
            if effect.op != "read" or v.CAUGHT_MISSING_TAG in effect.tags:
                continue
            raised = next((t[len(v.RAISES_MISSING_TAG):] for t in sorted(effect.tags) if t.startswith(v.RAISES_MISSING_TAG)), "")
            if not raised or non_production(effect.path):
                continue
            key = (effect.path, effect.span)
            if key in reported:
                continue
            reported.add(key)
            yield _finding(ctx, analysis, effect, raised)


# The methods of a class-based view that Django / DRF call per request (the HTTP-method handlers,
# the viewset actions and the hooks the generic views run).
_HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
_FRAMEWORK_METHODS = _HTTP_METHODS | frozenset({
    "dispatch", "setup", "initial", "list", "retrieve", "create", "update", "partial_update", "destroy", "get_object",
    "get_queryset", "perform_create", "perform_update", "perform_destroy", "get_serializer_context", "get_context_data",
    "form_valid", "get_form_kwargs", "get_initial", "get_success_url",
})


def _handler_functions(program) -> set:
    """(path, fid) of every function a route runs as its handler: a routed function, and the methods
    of a routed class (a Django class-based view, a DRF view or viewset) that the framework calls per
    request — ``get``/``retrieve``/``get_object``/``perform_create`` …, ``@action`` methods — unless
    another method of the class calls it (then it runs inside that caller, judged with the caller's ``try``)."""
    found = set()
    for route in program.routes():
        handler = route.handler
        if type(handler) is v.Function:
            found.add((handler.path, handler.fid))
        elif type(handler) is v.ClassValue:
            cls = program.cls(handler.path, handler.cid)
            if cls is None:
                continue
            methods = {fid: program.function(handler.path, fid) for fid in cls.methods}
            called = {name for function in methods.values() if function is not None
                      for node in ir.iter_nodes(function.body)
                      if type(node) is ir.Call and type(node.func) is ir.Attr and type(node.func.obj) is ir.Name
                      and node.func.obj.id == "self" for name in (node.func.name,)}
            for fid, function in methods.items():
                if function is None:
                    continue
                entry = function.name in _FRAMEWORK_METHODS or any(
                    _text(d.func if type(d) is ir.Call else d).rsplit(".", 1)[-1] in ("action", "detail_route", "list_route")
                    for d in function.decorators)
                if entry and (function.name in _HTTP_METHODS or function.name not in called):
                    found.add((handler.path, fid))
    return found


def _app_level_handler(program) -> bool:
    """The project registers something that could answer the error itself: an exception handler for
    it (or a base of it), a DRF ``EXCEPTION_HANDLER``, a Django ``process_exception`` middleware, an
    HTTP middleware catching ``Exception``."""
    for path in sorted(program.modules):
        module = program.modules[path]
        if module.language != "python" or non_production(path):
            continue
        for function in module.functions:
            if function.name in ("process_exception", "handle_error") and function.cls >= 0:
                return True  # a Django middleware's, a Flask-RESTful Api's error hook
            for decorator in function.decorators:
                if type(decorator) is ir.Call and decorator.method in _HANDLER_DECORATORS and _covers(decorator):
                    return True
            middleware = any("middleware" in _text(d.func if type(d) is ir.Call else d).lower() for d in function.decorators) \
                or function.name in ("dispatch", "__call__") and _middleware_class(module, function.cls)
            for node in ir.iter_nodes(function.body):
                kind = type(node)
                if kind is ir.Call and node.method in _HANDLER_REGISTRATIONS and _covers(node):
                    return True
                if kind is ir.Entry and node.key == "EXCEPTION_HANDLER" or kind is ir.Const and node.value == "EXCEPTION_HANDLER":
                    return True  # REST_FRAMEWORK = {"EXCEPTION_HANDLER": "app.exceptions.handler"}
                if middleware and kind is ir.Try and any(
                        handler.types is not None and catches_missing_row(handler.types) and not reraises(handler)
                        for handler in node.handlers):
                    return True
    return False


def _middleware_class(module, cid: int) -> bool:
    """A class named or based on a middleware (``class ErrorMiddleware(BaseHTTPMiddleware)``, Django's
    ``class NotFoundMiddleware:`` with ``__call__``) — not a view's ``dispatch``."""
    cls = next((c for c in module.classes if c.cid == cid), None) if cid >= 0 else None
    return cls is not None and ("middleware" in cls.name.lower() or any("middleware" in _text(b).lower() for b in cls.bases))


def _views_handling_exceptions(program) -> set:
    """(path, cid) of the classes that define ``handle_exception`` (a DRF ``APIView`` hook that sees every
    error its views raise): their views, and their subclasses', may answer the error themselves."""
    found = set()
    for path in sorted(program.modules):
        module = program.modules[path]
        if module.language == "python":
            found.update((path, function.cls) for function in module.functions
                         if function.name == "handle_exception" and function.cls >= 0)
    return found


def _covers(call: ir.Call) -> bool:
    """``errorhandler(NoResultFound)`` / ``exception_handler(Exception)`` / ``add_exception_handler(Article.DoesNotExist, …)``:
    the first argument names the error a missing row raises or one of its bases (a status code such
    as ``errorhandler(404)``, or ``HTTPException``, does not catch it)."""
    if not call.args:
        return False
    first = call.args[0].value
    items = first.elts if type(first) is ir.Seq else (first,)
    return any((type(t) is ir.Attr and t.name in MISSING_ROW_ERRORS) or (type(t) is ir.Name and t.id in MISSING_ROW_ERRORS)
               for t in items)


def _text(node) -> str:
    if type(node) is ir.Name:
        return node.id
    if type(node) is ir.Attr:
        return f"{_text(node.obj)}.{node.name}"
    return ""


def _finding(ctx: CheckContext, analysis, effect, raised: str) -> Finding:
    raised, _, at = raised.partition("@")  # `.scalar_one()` of a result: where it raises (the read ran at execute)
    method, _, error = raised.partition(":")
    path, span = effect.path, effect.span
    where, _, column = at.rpartition(":")
    where, _, line = where.rpartition(":")
    if where and line.isdigit() and column.isdigit():
        path, span = where, Span(int(line), int(column), int(line), int(column))
    django = error == "DoesNotExist"
    model = effect.model.rsplit(":", 1)[-1] if effect.model else ""
    shown = f"{model}.DoesNotExist" if django and model else "DoesNotExist" if django else "NoResultFound"
    handler = analysis.function.name
    via = f" (run by the handler `{handler}` at {analysis.path}:{analysis.function.span.line})" if effect.trace else ""
    message = (
        f"`.{method}()` raises {shown} when no row matches, and its filter is a value the client chose (a URL or query "
        f"parameter, the body){via}; nothing on the way catches it and the app registers no handler for it — a request for "
        f"a missing or deleted row answers 500 where the API should answer 404"
    )
    if django:
        guidance = ("Use `get_object_or_404(Model, …)` (DRF and django-ninja turn its Http404 into a 404), or catch "
                    "`Model.DoesNotExist` and answer 404.")
    else:
        guidance = ("Use `scalar_one_or_none()` / `one_or_none()` and answer 404 when it is None (`raise HTTPException(404)` / "
                    "`abort(404)`), or catch `NoResultFound`.")
    trace = tuple(TraceStep(path, span.line, span.column, f"calls {label}") for path, span, label in effect.trace)
    if (path, span.line) != (effect.path, effect.span.line):
        trace += (TraceStep(effect.path, effect.span.line, effect.span.column, "the statement runs here"),)
    return ctx.registry.finding("AL234", path, span, message, guidance, trace)
