"""AL505: an update or delete of a row that has an owner, in a handler that knows the
authenticated user, with no check anywhere on its path that the row belongs to that user.

The premise is read from the program, never guessed: the route has a path parameter (the row is
chosen by the client), the handler reads the current user (``req.user``, ``request.user``,
``ctx.state.user``, ``Depends(get_current_user)``, ``@UseGuards``/``@login_required``), the model
written has an owner column (``author_id``/``authorId``/``user``/``owner`` …, from the schema), and the
write runs on the handler's path (effects, through services and repositories).  *Nothing checks it*
means: no comparison that reads an owner attribute, no query condition or object key naming the
owner column, no call to a helper named for ownership or permission, in the handler or any project
function it runs — any of them silences the rule, so it reports only the handlers that never look.
A check that surely runs only after the write (a later statement of the same block, in the function that
writes or in one that calls it on the write's path) is too late and does not count; when the order cannot be
decided (other branches, loops, callbacks) the check still counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding, TraceStep
from archlint.semantics import auth, django_urls
from archlint.semantics import values as v

@dataclass(frozen=True, slots=True)
class Known:
    """Owner columns and the words of authentication and ownership checks (``[[names]]`` of
    ``rules/knowledge/auth.toml``)."""
    owner_columns: frozenset
    edits: dict  # HTTP method -> the write methods a route of that method is about
    auth_words: tuple
    check_words: tuple
    link_relations: frozenset


def _known(table: dict) -> Known:
    return Known(owner_columns=frozenset(table["owner_columns"]),
                 edits={method: frozenset(writes) for method, writes in table["edits"].items()},
                 auth_words=tuple(table["auth_words"]), check_words=tuple(table["check_words"]),
                 link_relations=frozenset(table["link_relations"]))


def known(program) -> Known:
    return program.library.view("checks.ownership", _known)


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    analyses = {(a.path, a.fid): a for a in program.analyses() if a.fid}
    reported: set = set()
    words = known(program)
    for route, handler, method, class_auth in _method_handlers(program):
        kinds = words.edits.get(method)
        if kinds is None or not _has_parameter(route.path):
            continue
        analysis = analyses.get((handler.path, handler.fid))
        if analysis is None or non_production(handler.path):
            continue
        if not class_auth and not _authenticated(program, analysis.function, handler.path, route):
            continue
        writes = [e for e in analysis.summary.effects if e.op == "write" and e.method in kinds and _owner_column(program, e.model)
                  and not _link_removal(program, words, e)]
        if not writes:
            continue
        functions = _reached(program, analyses, analysis)
        steps = _write_steps(program, writes)
        if any(_checks_owner(program, path, function, steps.get((path, function.fid))) for path, function in functions) \
                or _scoped_to_caller(program, analyses, functions):
            continue
        effect = writes[0]
        key = (effect.path, effect.span)
        if key not in reported:
            reported.add(key)
            yield _finding(ctx, program, route._replace(method=method), analysis, effect)


# A Django/DRF class-based view's methods, by the HTTP method each one serves.
_VIEW_METHODS = {"delete": "DELETE", "put": "PUT", "patch": "PATCH"}


def _method_handlers(program) -> Iterator[tuple]:
    """(route, handler function, HTTP method, authenticated by the class) for every route: a
    function route as registered; a class-based view (``path("articles/<slug>", View.as_view())``)
    once per ``delete``/``put``/``patch`` method it defines, authenticated when the class says so
    (``permission_classes = [IsAuthenticated…]``, ``LoginRequiredMixin``, a login decorator)."""
    for route in program.routes():
        handler = route.handler
        if type(handler) is v.Function:
            yield route, handler, route.method, False
        elif type(handler) is v.ClassValue:
            cls = program.cls(handler.path, handler.cid)
            if cls is None:
                continue
            class_auth = _class_authenticates(known(program), cls)
            if route.actions:  # a viewset's `@action` URL: the methods it declares, each served by its own method
                served = dict(route.actions)
                for fid in cls.methods:
                    function = program.function(handler.path, fid)
                    for method, name in served.items():
                        if function is not None and function.name == name:
                            yield route, v.Function(handler.path, fid), method, class_auth
                continue
            actions = _drf_actions(program, handler)
            for fid in cls.methods:
                function = program.function(handler.path, fid)
                method = (_VIEW_METHODS.get(function.name) or actions.get(function.name)) if function is not None else None
                if method is not None and (method in route.method.split(",") or route.method in ("ALL", "ANY", "")):
                    yield route, v.Function(handler.path, fid), method, class_auth


def _drf_actions(program, handler) -> dict:
    """A DRF view's action methods by the HTTP method DRF runs them for (``destroy`` → DELETE, ``update`` → PUT,
    ``partial_update`` → PATCH: ``action_methods`` of ``rules/knowledge/frameworks.toml``) — a generic view's
    ``delete()`` and a viewset's router call them.  Empty for a class outside DRF."""
    for link in program.subclass_chain(handler.path, handler.cid):
        if any(type(base) is v.External and base.name.startswith("rest_framework.") for base in program.bases(*link)):
            return {action: method for action, (method, _detail) in django_urls.known(program).action_methods.items()}
    return {}


def _class_authenticates(words: Known, cls) -> bool:
    if any(_says_auth(words, _text(base)) for base in cls.bases):
        return True
    if any(_says_auth(words, _text(d.func if type(d) is ir.Call else d)) or any(_says_auth(words, _text(a.value)) for a in getattr(d, "args", ()))
           for d in cls.decorators):
        return True
    for field in cls.fields:
        if field.name in ("permission_classes", "authentication_classes") and field.value is not None:
            if any(_says_auth(words, _text(node)) for node in ir.iter_nodes(field.value) if type(node) in (ir.Name, ir.Attr)):
                return True
    return False


def _has_parameter(path: str) -> bool:
    return ":" in path or "{" in path or "<" in path or "(?P" in path


def _link_removal(program, words: Known, effect) -> bool:
    """The write is a related manager's ``remove()``/``clear()`` over a many-to-many relation
    (``profile.favorites.remove(article)``): it deletes link rows, the row named by the URL stays."""
    via = getattr(effect.query, "via", "") or ""
    owner, _, name = via.rpartition(".")
    relation = program.schema.relation(owner, name) if owner else None
    return relation is not None and relation.via in words.link_relations


def _owner_column(program, model_key: str) -> str:
    model = program.schema.get(model_key) if model_key else None
    if model is None:
        return ""
    for name in sorted(known(program).owner_columns):
        if name in model.columns or name in model.relations:
            return name
    return ""


def _authenticated(program, function: ir.Function, path: str, route) -> bool:
    """The handler knows who is calling: it reads the user from the request, takes it by
    dependency injection, or a decorator/middleware authenticates the route."""
    names, words = auth.known(program), known(program)
    for decorator in function.decorators:
        node = decorator.func if type(decorator) is ir.Call else decorator
        if _says_auth(words, _text(node)):
            return True
        if type(decorator) is ir.Call and any(
                arg.kind == "kw" and arg.name in ("auth", "dependencies") and not (type(arg.value) is ir.Const and arg.value.value is None)
                for arg in decorator.args):
            return True  # django-ninja `@router.delete(…, auth=django_auth)`, FastAPI `dependencies=[Depends(auth)]`
    for middleware in route.middleware:
        definition = program.function(middleware.path, middleware.fid) if type(middleware) is v.Function else None
        if definition is not None and _says_auth(words, definition.name):
            return True
    for param in function.params:
        if type(param.default) is ir.Call and any(_says_auth(words, _text(arg.value)) for arg in param.default.args):
            return True
        if any(_says_auth(words, _text(d.func if type(d) is ir.Call else d)) for d in param.decorators):
            return True
        if param.name in names.user_parameters and (param.annotation is not None or param.decorators):
            return True
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Attr and node.name in names.user_attributes:
            return True
        if type(node) is ir.Name and node.id in names.user_names:
            return True
    return False


def _says_auth(words: Known, text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in words.auth_words)


def _text(node) -> str:
    if type(node) is ir.Name:
        return node.id
    if type(node) is ir.Attr:
        return f"{_text(node.obj)}.{node.name}"
    if type(node) is ir.Call:
        return _text(node.func)
    return ""


def _reached(program, analyses, analysis, limit: int = 40) -> list:
    """The handler and the project functions it runs (through the calls each one's analysis saw)."""
    seen, order, todo = set(), [], [analysis]
    while todo and len(order) < limit:
        current = todo.pop(0)
        key = (current.path, current.fid)
        if key in seen:
            continue
        seen.add(key)
        order.append((current.path, current.function))
        for record in current.calls:
            for callee in record.callees:
                found = analyses.get((callee.path, callee.fid))
                if found is not None:
                    todo.append(found)
                else:
                    function = program.function(callee.path, callee.fid)
                    if function is not None and (callee.path, callee.fid) not in seen:
                        seen.add((callee.path, callee.fid))
                        order.append((callee.path, function))
    return order


def _write_steps(program, writes) -> dict:
    """Where each write happens in each function of its call path: ``(path, fid) -> [spans]``, one entry per
    write, the span of the write itself in the function that makes it and of the call leading to it in each
    caller (``effect.trace``).  A function missing from a write's path has no entry for it."""
    found: dict = {}
    for index, effect in enumerate(writes):
        for path, span, _label in tuple(effect.trace) + ((effect.path, effect.span, ""),):
            module = program.modules.get(path)
            function = ir.innermost_function(module, span) if module is not None else None
            if function is not None:
                found.setdefault((path, function.fid), {})[index] = span
    return {key: list(spans.values()) if len(spans) == len(writes) else None for key, spans in found.items()}


def _checks_owner(program, path: str, function: ir.Function, steps=None) -> bool:
    """A comparison reading an owner attribute, a condition or object key naming the owner, or a
    helper named for ownership/permission — anything that shows the code looks at who owns the row.
    ``steps``: where every write happens in this function (see :func:`_write_steps`); a check that surely
    runs after all of them comes too late to stop the write and does not count (ch1n3du/realworld-nest-prisma
    ``ArticlesService.deleteArticle`` deletes, then compares ``article.authorId !== userId``)."""
    words = known(program)
    owners = words.owner_columns
    if any(word in function.name.lower() for word in words.check_words):
        return True
    for node in ir.iter_nodes(function.body):
        kind = type(node)
        found = None
        if kind is ir.Compare and any(type(n) is ir.Attr and n.name in owners for n in ir.iter_nodes((node.left, node.right))):
            found = node.span
        elif kind is ir.Call:
            name = _text(node.func).lower()
            if any(arg.kind == "kw" and (arg.name in owners or arg.name.split("__")[0] in owners) for arg in node.args) \
                    or any(word in name.rsplit(".", 1)[-1] for word in words.check_words):
                found = node.span
        elif kind is ir.Entry and isinstance(node.key, str) and node.key in owners:
            found = getattr(node.value, "span", None)
        if found is not None and not (steps and all(_runs_after(function.body, step, found) for step in steps)):
            return True
    return False


def _runs_after(block: tuple, step, span) -> bool:
    """``span`` surely runs after the call at ``step``: both sit in one block (entered through ``if``/``with``/
    ``try`` blocks that hold both, never a loop), the call in an earlier statement that always makes it (not
    under ``and``/``or``/a conditional/a loop or callback).  Anything else — other branches, a loop, one
    statement — is undecided: ``False``."""
    while True:
        first = next((i for i, s in enumerate(block) if ir.span_contains(s.span, step)), None)
        second = next((i for i, s in enumerate(block) if ir.span_contains(s.span, span)), None)
        if first is None or second is None:
            return False
        statement = block[first]
        if first != second:
            return first < second and type(statement) in (ir.ExprStmt, ir.Assign, ir.Return) and not any(
                type(node) in (ir.BoolOp, ir.Cond, ir.Loop, ir.Opaque) and ir.span_contains(node.span, step)
                for node in ir.iter_nodes(statement))
        kind = type(statement)
        if kind is ir.If:
            blocks = (statement.body, statement.orelse)
        elif kind is ir.With:
            blocks = (statement.body,)
        elif kind is ir.Try:
            blocks = (statement.body, statement.orelse, statement.final) + tuple(h.body for h in statement.handlers)
        else:
            return False
        block = next((b for b in blocks if _holds(b, step) and _holds(b, span)), None)
        if block is None:
            return False


def _holds(block: tuple, span) -> bool:
    return any(ir.span_contains(s.span, span) for s in block)


def _scoped_to_caller(program, analyses, functions) -> bool:
    """A query method given the current user (``Project.objects.for_user(self.request.user)``, a custom
    manager or queryset method): what it returns is scoped to the caller, and a row reached from it
    (``get_object_or_404(…)`` then ``FileUpload.objects.filter(project=project).delete()``) is one the
    caller may touch — the access check lives in that method (label-studio's ``ProjectManager.for_user``)."""
    names = auth.known(program)
    for path, function in functions:
        analysis = analyses.get((path, function.fid))
        for record in analysis.calls if analysis is not None else ():
            if type(record.node.func) is not ir.Attr or type(v.strip(record.receiver)) not in (v.Db, v.ModelClass, v.Query):
                continue
            if any(arg.kind == "pos" and _current_user(arg.value, names) for arg in record.node.args):
                return True
    return False


def _current_user(node, names) -> bool:
    """``request.user`` / ``req.user`` / ``self.request.user`` (and the other user attributes of the
    ``auth`` knowledge, ``names``)."""
    if type(node) is not ir.Attr or node.name not in names.user_attributes:
        return False
    holder = node.obj
    if type(holder) is ir.Attr and holder.name in names.request_attributes and type(holder.obj) is ir.Name and holder.obj.id == "self":
        return True
    return type(holder) is ir.Name and holder.id in names.request_names


def _finding(ctx, program, route, analysis, effect) -> Finding:
    model = effect.model.rsplit(":", 1)[-1]
    owner = _owner_column(program, effect.model)
    message = (
        f"`{route.method} {route.path}` {'deletes' if effect.method in ('delete', 'destroy', 'remove', 'del', 'deleteMany', 'softDelete') else 'changes'} "
        f"a {model} chosen by the URL, for an authenticated user, and nothing on its path compares the row's `{owner}` with "
        f"that user: any logged-in user can {'delete' if 'del' in effect.method or effect.method in ('destroy', 'remove') else 'edit'} "
        f"anyone's {model} (broken object-level authorization; the API should answer 403)"
    )
    guidance = (
        f"Load the row, compare its `{owner}` with the current user and answer 403 when they differ — or put the owner in "
        f"the write's condition (`where: {{ id, {owner}: user.id }}`, `filter(…, {owner}=request.user)`)."
    )
    trace = tuple(TraceStep(p, s.line, s.column, f"calls `{label}`") for p, s, label in effect.trace)
    if effect.trace:
        trace += (TraceStep(effect.path, effect.span.line, effect.span.column, f"`{effect.method}` on {model}"),)
    where_path, where_span = (effect.trace[0][0], effect.trace[0][1]) if effect.trace else (effect.path, effect.span)
    return ctx.registry.finding("AL505", where_path, where_span, message, guidance, trace)
