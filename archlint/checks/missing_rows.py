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
helpers, services and repositories: the effect's trace; a routed view's inherited mixin methods count).
Nothing is reported for a view an application-level handler answers for — the handlers are facts the
program records once (``Program.exception_handlers()``, see :mod:`archlint.semantics.exception_handlers`;
their names are data in ``rules/knowledge/frameworks.toml``): Flask ``errorhandler`` /
``register_error_handler``, FastAPI / Starlette ``exception_handler`` / ``add_exception_handler`` for one of
those exceptions (or ``Exception``; ``errorhandler(404)`` catches no exception class), a django-ninja
``NinjaAPI``'s handler for ninja operations only, a DRF ``EXCEPTION_HANDLER`` setting for DRF views only,
a Django middleware with ``process_exception``, Flask-RESTful's ``handle_error`` override, an HTTP
middleware whose ``try`` catches it — and a view class (or a subclass of one) that overrides DRF's
``handle_exception`` answers for its own views.  A helper the view's ``dispatch`` ran first inside a
``try`` that answered a missing row is not judged again where the handler method calls it.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.facts import Span
from archlint.domain.findings import Finding, TraceStep
from archlint.semantics import values as v
from archlint.semantics.exception_handlers import answers_for, covers, known, reraises, short_name
from archlint.semantics.interpreter import known as error_names


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    handlers = _handler_functions(program)
    if not handlers:
        return
    errors = error_names(program).missing_row_errors
    registered = program.exception_handlers()
    answering = [handler for handler in registered if handler.kind != "view" and covers(handler, errors)]
    python_answered = any(not handler.scope for handler in answering)  # something may answer it for every Python view
    js_everywhere, js_views = _js_answering(program, registered)
    if python_answered and js_everywhere:
        return
    own_hooks = {(handler.path, handler.cls) for handler in registered if handler.kind == "view"}
    checked_first = _checked_in_dispatch(program, errors)
    reported: set = set()
    for analysis in program.analyses():
        if (analysis.path, analysis.fid) not in handlers or non_production(analysis.path):
            continue
        if program.language(analysis.path) == "python":
            if python_answered:
                continue
        elif js_everywhere or (analysis.path, "method", analysis.fid) in js_views:
            continue  # an error handler of the route's app / router / plugin tells the missing row apart
        if any(answers_for(program, handler, analysis.path, analysis.function) for handler in answering):
            continue  # a DRF EXCEPTION_HANDLER for a DRF view, a NinjaAPI's handler for its operation
        if own_hooks and analysis.function.cls >= 0 and any(
                link in own_hooks for link in program.subclass_chain(analysis.path, analysis.function.cls)):
            continue  # a DRF view whose `handle_exception` may answer the error
        for effect in analysis.summary.effects:
            if effect.op not in ("read", "write") or v.CAUGHT_MISSING_TAG in effect.tags:
                continue
            raised = next((t[len(v.RAISES_MISSING_TAG):] for t in sorted(effect.tags) if t.startswith(v.RAISES_MISSING_TAG)), "")
            if not raised or non_production(effect.path):
                continue
            if any(path == effect.path and span.line <= effect.span.line <= span.end_line for path, span in checked_first):
                continue  # the helper's lookup ran first in the view's `dispatch`, whose `try` answered a missing row
            key = (effect.path, effect.span)
            if key in reported:
                continue
            reported.add(key)
            yield _finding(ctx, analysis, effect, raised)


def _js_answering(program, registered) -> tuple:
    """Whether a JS error handler answers a missing row (everywhere: ``True``), and the route handlers the scoped
    ones answer for (``(path, "method", fid)``).  A JS handler sees every error of its framework; it answers a
    missing row when its statements tell that error apart — the class or code a raising lookup throws
    (``instanceof EntityNotFoundError``, ``err.code === 'P2025'``: ``raising_lookups`` /
    ``missing_row_answers`` of ``rules/knowledge/orms.toml``).  A generic handler (``res.status(500)``,
    ``err.status || 500``) answers nothing; one on a sub-router, a plugin or a sub-app answers for its routes only
    (:func:`archlint.semantics.exception_handlers._router_views`)."""
    from archlint.semantics.calls import known as call_names
    from archlint.semantics.exception_handlers import JS_SCOPES

    names = call_names(program)
    languages = program.library.language  # the JS ORMs' errors only: a JS handler never sees SQLAlchemy's NoResultFound
    markers = frozenset(entry.rsplit(":", 1)[-1] for entry in names.raising_lookups
                        if languages.get(entry.split(":", 1)[0]) != "python") | names.missing_row_answers
    everywhere, views = False, set()
    for handler in registered:
        if handler.scope not in JS_SCOPES or not any(_mentions(program, handler.path, body, markers) for body in handler.bodies):
            continue
        if handler.views:
            views.update(handler.views)
        else:
            everywhere = True
    return everywhere, frozenset(views)


def _mentions(program, path: str, body, markers: frozenset) -> bool:
    """The statements name one of ``markers`` — not a project class of that name (an app's own
    ``class NotFoundError extends HttpError`` is not what the ORM throws)."""
    for node in ir.iter_nodes(body):
        kind = type(node)
        if kind is ir.Const and node.value in markers or kind is ir.Attr and node.name in markers:
            return True
        if kind is ir.Name and node.id in markers and type(v.strip(program.static_value(path, node))) is not v.ClassValue:
            return True
    return False


def _handler_functions(program) -> set:
    """(path, fid) of every function a route runs as its handler: a routed function, and the methods
    of a routed class (a Django class-based view, a DRF view or viewset) that the framework calls per
    request — ``get``/``retrieve``/``get_object``/``perform_create`` …, ``@action`` methods — unless
    another method of the class calls it (then it runs inside that caller, judged with the caller's ``try``).
    Which methods those are is data: ``request_methods`` / ``request_hooks`` / ``action_decorators`` of the
    ``exception_handlers`` names in ``rules/knowledge/frameworks.toml``."""
    found = set()
    names = known(program)
    for route in program.routes():
        handler = route.handler
        if type(handler) is v.Function:
            found.add((handler.path, handler.fid))
        elif type(handler) is v.ClassValue:
            if program.cls(handler.path, handler.cid) is None:
                continue
            # the class's methods and those it inherits from project mixins and base views (the first
            # definition of a name in the class chain is the one the framework calls)
            methods: dict = {}
            for path, cid in program.subclass_chain(handler.path, handler.cid):
                cls = program.cls(path, cid)
                for fid in cls.methods if cls is not None else ():
                    function = program.function(path, fid)
                    if function is not None:
                        methods.setdefault(function.name, (path, function))
            called = {name for _path, function in methods.values()
                      for node in ir.iter_nodes(function.body)
                      if type(node) is ir.Call and type(node.func) is ir.Attr and type(node.func.obj) is ir.Name
                      and node.func.obj.id == "self" for name in (node.func.name,)}
            for path, function in methods.values():
                entry = function.name in names.request_methods or function.name in names.request_hooks or any(
                    short_name(d.func if type(d) is ir.Call else d) in names.action_decorators
                    for d in function.decorators)
                if entry and (function.name in names.request_methods or function.name not in called):
                    found.add((path, function.fid))
    return found


def _checked_in_dispatch(program, errors: frozenset) -> set:
    """(path, span) of the helpers a routed view's ``dispatch`` / ``setup`` / ``initial`` calls inside a
    ``try`` that catches a missing row and does not re-raise (pretalx's ``ResetView.dispatch``:
    ``try: self.get_user() except User.DoesNotExist: return redirect(…)``): every request runs that
    check first, so the same helper called again by ``form_valid`` finds its row."""
    found: set = set()
    seen: set = set()
    for route in program.routes():
        handler = route.handler
        if type(handler) is not v.ClassValue or (handler.path, handler.cid) in seen:
            continue
        seen.add((handler.path, handler.cid))
        for name in _FIRST_METHODS:
            method = program.method(handler.path, handler.cid, name)
            function = program.function(method.path, method.fid) if method is not None else None
            if function is None:
                continue
            for node in ir.iter_nodes(function.body):
                if type(node) is not ir.Try or not any(
                        handler_.types is not None and _names(handler_.types) & errors and not reraises(handler_)
                        for handler_ in node.handlers):
                    continue
                for inner in ir.iter_nodes(node.body):
                    if type(inner) is ir.Call and type(inner.func) is ir.Attr and type(inner.func.obj) is ir.Name \
                            and inner.func.obj.id == "self":
                        helper = program.method(handler.path, handler.cid, inner.func.name)
                        defined = program.function(helper.path, helper.fid) if helper is not None else None
                        if defined is not None:
                            found.add((helper.path, defined.span))
    return found


_FIRST_METHODS = ("setup", "dispatch", "initial")  # what Django / DRF run before a view's handler method


def _names(types) -> set:
    items = types.elts if type(types) is ir.Seq else (types,)
    return {t.name if type(t) is ir.Attr else t.id for t in items if type(t) in (ir.Attr, ir.Name)}


def _finding(ctx: CheckContext, analysis, effect, raised: str) -> Finding:
    raised, _, at = raised.partition("@")  # `.scalar_one()` of a result: where it raises (the read ran at execute)
    method, _, error = raised.partition(":")
    path, span = effect.path, effect.span
    where, _, column = at.rpartition(":")
    where, _, line = where.rpartition(":")
    if where and line.isdigit() and column.isdigit():
        path, span = where, Span(int(line), int(column), int(line), int(column))
    if ctx.program.language(analysis.path) != "python":
        return _js_finding(ctx, analysis, effect, method, error, path, span)
    tortoise = effect.stack == "tortoise"  # tortoise.exceptions.DoesNotExist: one class, no per-model attribute
    django = error == "DoesNotExist" and not tortoise
    model = effect.model.rsplit(":", 1)[-1] if effect.model else ""
    shown = "tortoise.exceptions.DoesNotExist" if tortoise else f"{model}.DoesNotExist" if django and model \
        else "DoesNotExist" if django else "NoResultFound"
    handler = analysis.function.name
    via = f" (run by the handler `{handler}` at {analysis.path}:{analysis.function.span.line})" if effect.trace else ""
    message = (
        f"`.{method}()` raises {shown} when no row matches, and its filter is a value the client chose (a URL or query "
        f"parameter, the body){via}; nothing on the way catches it and the app registers no handler for it — a request for "
        f"a missing or deleted row answers 500 where the API should answer 404"
    )
    if effect.stack == "peewee":
        guidance = ("Use `Model.get_or_none(…)` and answer 404 when it is None (playhouse.flask_utils' `get_object_or_404(query, …)` "
                    "does both), or catch `Model.DoesNotExist` and answer 404.")
    elif tortoise:
        guidance = ("Use `Model.get_or_none(…)` and answer 404 when it is None (`raise web.HTTPNotFound()`), or catch "
                    "`tortoise.exceptions.DoesNotExist` and answer 404.")
    elif django:
        guidance = ("Use `get_object_or_404(Model, …)` (DRF and django-ninja turn its Http404 into a 404), or catch "
                    "`Model.DoesNotExist` and answer 404.")
    else:
        guidance = ("Use `scalar_one_or_none()` / `one_or_none()` and answer 404 when it is None (`raise HTTPException(404)` / "
                    "`abort(404)`), or catch `NoResultFound`.")
    trace = tuple(TraceStep(path, span.line, span.column, f"calls {label}") for path, span, label in effect.trace)
    if (path, span.line) != (effect.path, effect.span.line):
        trace += (TraceStep(effect.path, effect.span.line, effect.span.column, "the statement runs here"),)
    return ctx.registry.finding("AL234", path, span, message, guidance, trace)


def _js_finding(ctx: CheckContext, analysis, effect, method: str, error: str, path: str, span) -> Finding:
    """A TypeORM ``findOneByOrFail`` / Prisma ``findUniqueOrThrow`` / MikroORM ``findOneOrFail`` keyed by the client."""
    shown = "a PrismaClientKnownRequestError (P2025)" if error == "P2025" else error
    name = analysis.function.name
    handler = f"`{name}`" if name and not name.startswith("<") else "the route handler"
    via = f" (run by {handler} at {analysis.path}:{analysis.function.span.line})" if effect.trace else ""
    message = (
        f"`.{method}()` throws {shown} when no row matches, and its filter is a value the client chose (a URL or query "
        f"parameter, the body){via}; nothing on the way catches it and no error handler that covers this route tells it "
        f"apart — a request for a missing or deleted row gets a 500 (an unhandled rejection under Express 4) where the API "
        f"should answer 404"
    )
    guidance = (f"Use the lookup that returns null (`findOneBy` / `findUnique` / `findFirst`) and answer 404 when it is null, "
                f"or answer {error} with 404 in the error handler that covers this route (the app's `setErrorHandler` / "
                f"`onError` / error middleware — one on a sibling plugin, sub-app or router does not see this route's errors).")
    trace = tuple(TraceStep(p, s.line, s.column, f"calls {label}") for p, s, label in effect.trace)
    if (path, span.line) != (effect.path, effect.span.line):
        trace += (TraceStep(effect.path, effect.span.line, effect.span.column, "the statement runs here"),)
    return ctx.registry.finding("AL234", path, span, message, guidance, trace)
