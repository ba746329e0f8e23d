"""SQLAlchemy rules: AL201 Python boolean operators in conditions, AL202 identity/membership
tests on columns, AL203 APIs removed in 2.0, AL204 filter_by with an unknown attribute, AL205
back_populates naming a missing attribute, AL206 session writes never committed, AL207 one
module-level session shared by async handlers.

Conditions are judged on the IR of the matched calls' arguments (``BoolOp``/``Unary``/``Compare``
over ``Model.attr`` chains), never on their text — the runtime semantics in the messages were
verified against SQLAlchemy 2.1.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.checks import open_transactions
from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import DbAccess, Model, call_of, canonical, is_column_path, non_production, segments
from archlint.domain.orm_models import ModelIndex, columns_fully_declared
from archlint.domain.facts import CallSite, FileFacts
from archlint.domain.findings import Finding, TraceStep
from archlint.domain.records import NamedTuple
from archlint.domain.version_spec import highest_major
from archlint.semantics import values as v
from archlint.semantics.interpreter import known as interpreter_names
from archlint.semantics.routes import handler_functions
from archlint.semantics.support import FLASK_SESSION, G_CONNECTION



class Known(NamedTuple):
    """The names of ``reader = "checks.sqlalchemy"`` in ``rules/knowledge/orms.toml`` and ``frameworks.toml``
    (explained there)."""

    sqlalchemy_modules: frozenset  # top-level modules whose import makes a file a SQLAlchemy one
    condition_methods: frozenset  # calls whose arguments are SQL conditions (AL201/AL202)
    attribute_builders: frozenset  # more calls whose arguments name a model's attributes (AL204)
    mapped_class_api: frozenset  # class attributes SQLAlchemy gives every mapped class
    select_functions: frozenset  # `select` (AL203: the 1.x list form)
    result_methods: frozenset  # what 1.x ran a `select()` with directly (AL203)
    flask_teardown_hooks: frozenset  # Flask's request hooks (AL206: a commit there commits every request)


def _known(table: dict) -> Known:
    return Known(**{key: frozenset(table[key]) for key in Known._fields})


def _names(knowledge) -> Known:
    return knowledge.view("checks.sqlalchemy", _known)


def _hooks(program) -> frozenset:
    return program.library.view("checks.sqlalchemy", _known).flask_teardown_hooks


def check(ctx: CheckContext) -> Iterator[Finding]:
    yield from _uncommitted_g_connection_writes(ctx)
    if ctx.program is not None:
        yield from open_transactions.check(ctx, ctx.program)
    data = ctx.datalayer
    files = [ctx.files[p] for p in sorted(data.analysed) if ctx.files[p].language == "python" and _uses_sqlalchemy(ctx, p)]
    if not files:
        return
    legacy = _pinned_below_2(ctx)
    # a model name means the class this file defines or imports, never the first file seen
    models = ModelIndex(data.all_models, ctx.files, ctx.graph.resolve_binding, ctx.projects.of)
    for facts in files:
        nodes = _CallNodes(facts)
        for call in facts.calls:
            yield from _conditions(ctx, facts, call, nodes)
            if not legacy:
                yield from _removed_select_list(ctx, facts, call, nodes)
            yield from _filter_by(ctx, facts, call, models)
            yield from _unknown_attributes(ctx, facts, call, nodes, models, data.all_models)
    if not legacy:
        yield from _removed_execute(ctx, data.accesses)
    yield from _back_populates(ctx, data.all_models, models)
    yield from _uncommitted_writes(ctx, data.accesses)
    yield from _shared_async_session(ctx)


def _uses_sqlalchemy(ctx: CheckContext, path: str) -> bool:
    return any(
        edge.external and edge.target.split(".")[0] in _names(ctx.knowledge).sqlalchemy_modules for edge in ctx.graph.out_edges(path)
    ) or any(a.stack == "sqlalchemy" for a in ctx.datalayer.accesses_in(path))


def _pinned_below_2(ctx: CheckContext) -> bool:
    """A project pinned to SQLAlchemy 1.x legitimately uses the 1.x API (``SQLAlchemy==1.4.54``,
    ``<=1.4``, ``~=1.3``, ``<2``: no 2.x can install)."""
    for dependency in ctx.manifest.dependencies:
        highest = highest_major(dependency.spec) if dependency.name in ("sqlalchemy", "flask-sqlalchemy") else None
        if highest is not None and highest < 2:
            return dependency.name == "sqlalchemy"
    return False


# AL201 / AL202 ------------------------------------------------------------------------------------
def _conditions(ctx: CheckContext, facts: FileFacts, call: CallSite, nodes: _CallNodes) -> Iterator[Finding]:
    parts = segments(call.callee)
    if not parts or parts[-1][0] not in _names(ctx.knowledge).condition_methods:
        return
    if len(parts) == 1 and canonical(call.resolved, "python") not in ("sqlalchemy.and_", "sqlalchemy.or_"):
        return  # a bare filter(...) is Python's builtin
    node = nodes.get(call.span)
    if node is None:
        return
    for arg in node.args:
        if arg.kind != "pos":
            continue
        problem = _condition_problem(arg.value)
        if problem is None:
            continue
        rule, message, guidance = problem
        yield ctx.registry.finding(rule, facts.path, arg.value.span, message, guidance)


class _CallNodes:
    """The IR calls of one file by span (what its facts' call sites are, as expressions), lowered
    only when a rule first needs one: a file with no query-builder call keeps its IR unbuilt."""

    __slots__ = ("facts", "nodes")

    def __init__(self, facts: FileFacts) -> None:
        self.facts = facts
        self.nodes: dict | None = None

    def get(self, span) -> ir.Call | None:
        if self.nodes is None:
            module = self.facts.ir
            self.nodes = {} if module is None else {
                node.span: node for function in module.functions for node in ir.iter_nodes(function.body) if type(node) is ir.Call}
        return self.nodes.get(span)


def _chained(node) -> bool:
    """``a < b < c``: the IR spells Python's chained comparison as an ``and`` of comparisons that
    share the whole comparison's span — one comparison, not a Python ``and``."""
    return type(node) is ir.BoolOp and all(type(value) is ir.Compare and value.span == node.span for value in node.values)


_OPERATOR_WORDS = {"is": "is", "is-not": "is not", "in": "in", "not-in": "not in"}


def _condition_problem(node):
    if type(node) is ir.BoolOp and not _chained(node) and node.op in ("and", "or") and any(_is_column_condition(value) for value in node.values):
        word = node.op
        kept = "the first false operand" if word == "and" else "the last operand"
        helper = "and_" if word == "and" else "or_"
        message = (
            f"Python `{word}` inside a SQL condition: Python evaluates it before SQLAlchemy sees it, so the query "
            f"keeps only {kept} and silently drops the other condition (or raises TypeError: Boolean value of this "
            f"clause is not defined)"
        )
        guidance = f"Use sqlalchemy.{helper}(a, b) (or `a {'&' if word == 'and' else '|'} b`), or pass the conditions as separate arguments to where()."
        return "AL201", message, guidance
    if type(node) is ir.Unary and node.op == "not" and _is_column_condition(node.operand):
        message = "Python `not` on a SQL condition evaluates the clause's truth in Python: the query becomes WHERE true/false instead of the negated condition"
        return "AL201", message, "Use sqlalchemy.not_(condition) or the ~ operator, or != for a comparison."
    comparisons = node.values if _chained(node) else (node,) if type(node) is ir.Compare else ()
    for comparison in comparisons:
        word = _OPERATOR_WORDS.get(comparison.op)
        if word is None:
            continue
        if _is_column(comparison.left) or (word in ("in", "not in") and _is_column(comparison.right)):
            outcome = "WHERE false" if word in ("is", "in") else "WHERE true"
            fix = {
                "is": "column.is_(None)",
                "is not": "column.is_not(None)",
                "in": "column.in_(values)",
                "not in": "column.not_in(values)",
            }[word]
            message = (
                f"Python `{word}` on a column compares Python objects, not SQL values: the condition becomes "
                f"{outcome} and the query silently returns {'no' if outcome == 'WHERE false' else 'every'} row"
            )
            return "AL202", message, f"Use {fix} (note: `column == None` is also correct SQL)."
    return None


def _is_column(node) -> bool:
    """``Model.attr``, ``table.c.attr``, ``Model.rel.attr`` (see datalayer.is_column_path)."""
    parts = []
    while type(node) is ir.Attr:
        parts.append(node.name)
        node = node.obj
    return type(node) is ir.Name and is_column_path([node.id, *reversed(parts)])


def _is_column_condition(node) -> bool:
    if type(node) is ir.Compare:
        return _is_column(node.left) or _is_column(node.right)
    if type(node) is ir.Unary:
        return _is_column_condition(node.operand)
    if type(node) is ir.BoolOp:
        return any(_is_column_condition(value) for value in node.values)
    return _is_column(node)


# AL210 -------------------------------------------------------------------------------------------------


def _unknown_attributes(ctx: CheckContext, facts: FileFacts, call: CallSite, nodes: _CallNodes, models: ModelIndex,
                        every: list[Model]) -> Iterator[Finding]:
    """``Article.titel`` inside where()/order_by()/select(): AttributeError when the query is built."""
    parts = segments(call.callee)
    names = _names(ctx.knowledge)
    if not parts or parts[-1][0] not in names.condition_methods and parts[-1][0] not in names.attribute_builders:
        return
    call_node = nodes.get(call.span)
    if call_node is None:
        return
    seen: set[tuple[str, str]] = set()
    for node in (n for arg in call_node.args for n in ir.iter_nodes(arg.value)):
        if not (type(node) is ir.Attr and type(node.obj) is ir.Name):
            continue
        model = _sqla(models.resolve(facts.path, node.obj.id))
        name = node.name
        if model is None or name in model.fields or name in names.mapped_class_api or name.startswith("_"):
            continue
        if (model.name, name) in seen or not _fields_fully_known(ctx, model) or _defined_in_class(ctx, model, name):
            continue
        if name in _backrefs(every, models, model):
            continue  # Role.permissions = relationship("PermissionView", backref="role") adds PermissionView.role
        seen.add((model.name, name))
        known = ", ".join(sorted(n for n in model.fields if not n.startswith("_"))[:12])
        message = (
            f"`{model.name}.{name}`: model {model.name} has no attribute `{name}`; building this query raises "
            f"AttributeError (type object '{model.name}' has no attribute '{name}')"
        )
        guidance = f"Use one of {model.name}'s mapped attributes ({known}), or add the column to the model."
        yield ctx.registry.finding("AL210", facts.path, call.span, message, guidance)


def _backrefs(every: list[Model], models: ModelIndex, model: Model) -> set[str]:
    """The attributes other models' ``relationship(…, backref="name")`` add to ``model``."""
    names = set()
    for other in every:
        for relation in other.fields.values() if other.stack == "sqlalchemy" else ():
            name = relation.options.get("backref") if relation.kind == "relationship" else None
            target = models.resolve(other.path, relation.target) if name else None
            if target is not None and (target.path, target.name) == (model.path, model.name):
                names.add(name)
    return names


def _defined_in_class(ctx: CheckContext, model: Model, name: str) -> bool:
    """Methods, properties and hybrid attributes of the class are attributes too."""
    return any(f.qualname == f"{model.name}.{name}" for f in ctx.files[model.path].functions)


# AL203 ------------------------------------------------------------------------------------------------


def _removed_select_list(ctx: CheckContext, facts: FileFacts, call: CallSite, nodes: _CallNodes) -> Iterator[Finding]:
    resolved = canonical(call.resolved, "python") or ""
    names = _names(ctx.knowledge)
    node = nodes.get(call.span) if resolved in names.select_functions else None
    first = node.args[0].value if node is not None and node.args and node.args[0].kind == "pos" else None
    if type(first) is ir.Seq and first.kind == "list":
        message = "`select([...])` with a list was removed in SQLAlchemy 2.0: it raises ArgumentError when the statement is built"
        yield ctx.registry.finding("AL203", facts.path, call.span, message, "Pass the columns/entities positionally: select(User.id, User.name).")
    elif any(resolved.startswith(f"{name}()") for name in names.select_functions) and segments(call.callee)[-1][0] in names.result_methods:
        method = segments(call.callee)[-1][0]
        message = (
            f"`select(…)….{method}()`: a 2.0 Select is a statement, not a query — it has no `.{method}()` and this line "
            f"raises AttributeError (legacy Query style)"
        )
        guidance = f"Execute it: `session.scalars(stmt).{method}()` (or `session.execute(stmt)` for rows)."
        yield ctx.registry.finding("AL203", facts.path, call.span, message, guidance)


def _removed_execute(ctx: CheckContext, accesses: list[DbAccess]) -> Iterator[Finding]:
    for access in accesses:
        if access.stack != "sqlalchemy" or access.method != "execute":
            continue
        if access.kind == "engine":
            message = "`Engine.execute()` was removed in SQLAlchemy 2.0: this line raises AttributeError"
            guidance = "Use `with engine.connect() as conn: conn.execute(text(...))` (or a Session)."
            yield ctx.registry.finding("AL203", access.path, access.span, message, guidance)
            continue
        call = call_of(ctx.files[access.path], access)
        first = call.arguments()[0] if call is not None and call.arguments() else None
        if first is not None and first.keyword == "" and first.literal is not None:
            message = (
                f"`{access.callee}()` with a plain SQL string raises ArgumentError in SQLAlchemy 2.0 "
                f"(\"Textual SQL expression should be explicitly declared as text()\")"
            )
            guidance = 'Wrap the SQL in text() and bind values: session.execute(text("SELECT … WHERE id = :id"), {"id": id}).'
            yield ctx.registry.finding("AL203", access.path, access.span, message, guidance)


# AL204 ------------------------------------------------------------------------------------------------
def _filter_by(ctx: CheckContext, facts: FileFacts, call: CallSite, models: ModelIndex) -> Iterator[Finding]:
    parts = segments(call.callee)
    if not parts or parts[-1][0] != "filter_by" or len(parts) < 2:
        return
    model = _model_of_chain(ctx.program, facts, call, parts, models)
    if model is None or not _fields_fully_known(ctx, model):
        return
    for argument in call.arguments():
        if not argument.keyword or argument.keyword.startswith("*") or argument.keyword in model.fields:
            continue
        known = ", ".join(sorted(n for n in model.fields if not n.startswith("_"))[:12])
        message = (
            f"`filter_by({argument.keyword}=…)`: model `{model.name}` has no attribute `{argument.keyword}`; "
            f"SQLAlchemy raises InvalidRequestError when the query is built"
        )
        guidance = f"Use one of {model.name}'s mapped attributes ({known}) or filter with where({model.name}.<column> == value)."
        yield ctx.registry.finding("AL204", facts.path, call.span, message, guidance)


def _model_of_chain(program, facts: FileFacts, call: CallSite, parts, models: ModelIndex) -> Model | None:
    if len(parts) >= 3 and parts[-2][0] == "query" and not parts[-2][1]:
        return _sqla(models.resolve(facts.path, parts[-3][0]))
    for other in facts.calls:  # select(Model) / session.query(Model) starting where this chain starts
        if other.span.line != call.span.line or other.span.column != call.span.column or other is call:
            continue
        last = segments(other.callee)[-1][0] if other.callee else ""
        if last in ("select", "query"):
            name = _first_entity(program, facts.path, other)
            if name:
                return _sqla(models.resolve(facts.path, name))
    return None


def _first_entity(program, path: str, call: CallSite) -> str:
    """``User`` of ``select(User, …)`` / ``session.query(User)``: the first positional argument when it
    is a plain name (as the IR has it; a column, a call or a starred argument is no entity)."""
    record = program.call_record(path, call.span) if program is not None else None
    if record is None or not record.node.args or record.node.args[0].kind != "pos":
        return ""
    first = record.node.args[0].value
    return first.id if type(first) is ir.Name else ""


def _sqla(model: Model | None) -> Model | None:
    return model if model is not None and model.stack == "sqlalchemy" else None


def _fields_fully_known(ctx: CheckContext, model: Model) -> bool:
    """Mixins and custom bases may add columns archlint cannot see: then stay silent."""
    return columns_fully_declared(ctx.files[model.path], model)


# AL205 -------------------------------------------------------------------------------------------------
def _back_populates(ctx: CheckContext, every: list[Model], models: ModelIndex) -> Iterator[Finding]:
    for model in sorted(every, key=lambda m: (m.path, m.span.line)):
        if model.stack != "sqlalchemy":
            continue
        for relation in model.fields.values():
            other_name = relation.options.get("back_populates")
            target = models.resolve(model.path, relation.target)
            if relation.kind != "relationship" or not other_name or target is None or target.stack != "sqlalchemy":
                continue
            if other_name in target.fields or not _fields_fully_known(ctx, target):
                continue
            message = (
                f"`{model.name}.{relation.name}` declares back_populates=\"{other_name}\" but `{target.name}` has no "
                f"attribute `{other_name}`; mapper configuration fails on first use with InvalidRequestError"
            )
            guidance = (
                f"Add `{other_name} = relationship(\"{model.name}\", back_populates=\"{relation.name}\")` to "
                f"{target.name}, or fix the name to the attribute {target.name} really has."
            )
            yield ctx.registry.finding("AL205", model.path, relation.span, message, guidance)


# AL206 -------------------------------------------------------------------------------------------------
def _session_write(effect) -> bool:
    """A write the session must commit: a statement, or a relationship collection of a held row changed
    in place (``me.followed.append(target)``: the unit of work inserts the association row at the next
    flush).  A plain attribute set on a row is not counted — agents set transient attributes on rows
    they serialise (``article.favorited = True``)."""
    return effect.stack == "sqlalchemy" and (
        effect.op == "write" or effect.op == "dirty" and v.COLLECTION_WRITE_TAG in effect.tags)


def _uncommitted_writes(ctx: CheckContext, accesses: list[DbAccess]) -> Iterator[Finding]:
    """A session (or Core connection) a function opens — ``SessionLocal()``, ``Session(engine)``,
    ``engine.connect()`` — or receives per request from a ``Depends`` provider, written through
    (here or in anything it is passed to) and never committed on any path of the operation, the
    provider's teardown included: SQLAlchemy rolls the writes back when it closes.  A session the
    function returns or yields belongs to its caller; ``begin()`` blocks commit on exit."""
    program = ctx.program
    if program is None:
        return
    handlers = program.handler_functions()
    reported: set = set()  # one finding per write: the handler and the service it calls may both own the session
    for analysis in program.analyses():
        if not analysis.fid or not analysis.owned or non_production(analysis.path):
            continue
        returned = v.options(analysis.summary.returns)
        if (analysis.path, analysis.fid) in handlers:
            # a route handler's return value is the response the framework sends: a value computed from the
            # session (`web.json_response({"id": new_id})`) does not hand the session to anyone — only a handle does
            returned = [option for option in returned if type(v.strip(option)) is v.Db]
        escaped = v.tags_of(analysis.summary.returns) if returned else frozenset()
        escaped = escaped | frozenset(t for option in returned for t in v.tags_of(option))
        for sid in sorted(analysis.owned - escaped):
            effects = [e for e in analysis.summary.effects if sid in e.tags]
            writes = [e for e in effects if _session_write(e)]
            if not writes or any(e.op in ("commit", "transaction") or e.in_tx for e in effects):
                continue
            first = writes[0]
            if (first.path, first.span) in reported:
                continue
            reported.add((first.path, first.span))
            where = f"{sid[4:].rsplit(':', 2)[0]}:{sid[4:].rsplit(':', 2)[1]}"
            trace = tuple(TraceStep(p, s.line, s.column, f"calls `{label}`") for p, s, label in first.trace)
            message = (
                f"`{first.method}` writes through a session opened at {where} that nothing commits on this path "
                f"(`{analysis.function.qualname}` and everything it calls): SQLAlchemy rolls the write back when "
                f"the session closes, so the endpoint answers success and the row never exists"
            )
            guidance = (
                "Commit after the writes (`session.commit()` / `await session.commit()`), open the session with "
                "`with Session.begin()` / `async with session.begin():` so it commits on exit, or commit in the "
                "dependency that provides it, after `yield`."
            )
            yield ctx.registry.finding("AL206", first.path, first.span, message, guidance, trace)
    yield from _uncommitted_request_writes(ctx, program)
    yield from _uncommitted_context_writes(ctx, program)
    yield from _uncommitted_plugin_writes(ctx, program)


_COMMIT_ON_TEARDOWN = "SQLALCHEMY_COMMIT_ON_TEARDOWN"  # Flask-SQLAlchemy 2.x: commit when the request ends


def _uncommitted_request_writes(ctx: CheckContext, program) -> Iterator[Finding]:
    """Flask-SQLAlchemy's ``db.session`` is one scoped session per request that the extension
    removes — rolling back what is not committed — when the request ends.  A route whose request
    (the handler and everything it calls) writes through it and never commits it loses the write.
    Silent when the app commits at teardown (a hook that commits, or ``SQLALCHEMY_COMMIT_ON_TEARDOWN``)
    or when an unresolved call named ``commit``/``save`` may be the commit the model cannot see."""
    request_scoped = {FLASK_SESSION} | _removed_at_teardown(program)
    for analysis, _sid, first in _requests_leaving_uncommitted(program, request_scoped, _session_write):
        trace = tuple(TraceStep(p, s.line, s.column, f"calls `{label}`") for p, s, label in first.trace)
        what = ("Flask-SQLAlchemy's `db.session`" if FLASK_SESSION in first.tags
                else "the module's `scoped_session` that a teardown hook removes")
        message = (
            f"`{first.method}` writes through {what}, and nothing in the request served by "
            f"`{analysis.function.qualname}` commits it: the session is removed when the request ends, "
            f"which rolls the write back — the endpoint answers success and the row never exists"
        )
        guidance = "Call `db.session.commit()` after the writes (in the handler or the service it calls), or use `with db.session.begin():`."
        yield ctx.registry.finding("AL206", first.path, first.span, message, guidance, trace)


def _uncommitted_context_writes(ctx: CheckContext, program) -> Iterator[Finding]:
    """Sanic's request hooks: ``@app.on_request`` stores a session in ``request.ctx.session`` (one per
    request, from the factory a listener put in ``app.ctx``) and ``@app.on_response`` closes it, which rolls
    back what is not committed.  A route whose request writes through that session and never commits it loses
    the write.  Silent when a request hook commits (the response hook of the look-alike)."""
    frameworks = frozenset(interpreter_names(program).context_hooks)
    sessions = {t for (_project, framework, scope, _key), value in program.context_values.items()
                if framework in frameworks and scope == "ctx" for option in v.options(value)
                if type(v.strip(option)) is v.Db and v.strip(option).kind == "session"
                for t in v.tags_of(option) if t.startswith("sid:")}
    if not sessions:
        return
    for analysis, _sid, first in _requests_leaving_uncommitted(program, sessions, _session_write, frameworks):
        message = (
            f"`{first.method}` writes through the session a request hook keeps in `request.ctx`, and nothing in the "
            f"request served by `{analysis.function.qualname}` commits it, nor does a response hook: the session is "
            f"closed when the request ends, which rolls the write back — the endpoint answers success and the row never exists"
        )
        guidance = ("Commit in the handler (`await request.ctx.session.commit()`), or commit in the `@app.on_response` hook "
                    "before it closes the session (for a successful response).")
        yield _lost_write(ctx, first, message, guidance)


def _lost_write(ctx: CheckContext, first, message: str, guidance: str) -> Finding:
    """The AL206 finding at a request's first uncommitted write, traced through the calls that reach it."""
    trace = tuple(TraceStep(p, s.line, s.column, f"calls `{label}`") for p, s, label in first.trace)
    return ctx.registry.finding("AL206", first.path, first.span, message, guidance, trace)


def _uncommitted_plugin_writes(ctx: CheckContext, program) -> Iterator[Finding]:
    """advanced-alchemy's Litestar plugin gives each request a session (``db_session``, the services built on
    it) and, unless its config says ``before_send_handler="autocommit"``, only closes it after the response —
    rolling back what the request wrote.  A route handler whose request writes through it with no commit, no
    ``auto_commit=True`` and no unresolved ``commit()`` loses the write.  Silent when the project makes sessions
    of its own or configures the plugin's commit (``frameworks.toml`` ``plugin_commit_keywords``)."""
    data = [d for d in program.library.framework_data.values() if d.get("plugin_commit_keywords")]
    if not data or any(c.kind == "session_factory" for c in ctx.datalayer.constructs):
        return
    packages = {d["plugin_package"] for d in data if d.get("plugin_package")}
    if not any(edge.external and edge.target.split(".")[0].split(":")[0] in packages
               for path in program.modules for edge in ctx.graph.out_edges(path)):
        return  # no plugin without the package: skip the walk over every function's IR
    configs = frozenset(c for d in data for c in d.get("plugin_configs", ()))
    modules = tuple(m for d in data for m in d.get("plugin_modules", ()))
    commit_keywords = frozenset(k for d in data for k in d["plugin_commit_keywords"])
    call_keyword = next((d["plugin_call_commit"] for d in data if d.get("plugin_call_commit")), "")
    routes = {name.replace(":", ".") for d in data for name in d.get("route_constructors", ())}
    found = False
    for path, module in list(program.modules.items()):
        if module.language != "python":
            continue
        for function in module.functions:
            for node in ir.iter_nodes(function.body):
                if type(node) is not ir.Call or type(node.func) not in (ir.Name, ir.Attr):
                    continue
                name = program.static_name(path, node.func)
                if name.rsplit(".", 1)[-1] in configs and name.startswith(modules):
                    if any(a.kind in ("kw", "kwstar") and (a.kind == "kwstar" or a.name in commit_keywords) for a in node.args):
                        return  # the plugin commits (or a handler of the project's own decides)
                    found = True
                elif call_keyword and _commits_by_keyword(node, call_keyword) and _builds_instances(program, path, node):
                    return  # ArticleService(session, auto_commit=True) / .new(…) / a provider of the class: all its writes commit
    if not found:
        return
    analyses = {(a.path, a.fid): a for a in program.analyses() if a.fid}
    for analysis in analyses.values():
        if non_production(analysis.path) or not _decorated_route(program, analysis, routes):
            continue
        effects = analysis.summary.effects
        writes = [e for e in effects if e.op == "write" and e.stack == "sqlalchemy"]
        if not writes or any(e.op in ("commit", "transaction") or e.in_tx for e in effects):
            continue
        if _may_commit_unseen(analysis, analyses) or _request_calls(analysis, analyses, call_keyword):
            continue
        first = writes[0]
        message = (
            f"`{first.method}` writes through the session advanced-alchemy's SQLAlchemyPlugin gives the request served by "
            f"`{analysis.function.qualname}`, and nothing commits it: the plugin's default before_send_handler only closes "
            f"the session after the response, which rolls the write back — the endpoint answers success and the row never exists"
        )
        guidance = ("Configure the plugin to commit (`SQLAlchemyAsyncConfig(..., before_send_handler=\"autocommit\")`), pass "
                    "`auto_commit=True` to the service/repository call, or `await db_session.commit()`.")
        yield _lost_write(ctx, first, message, guidance)


def _commits_by_keyword(node: ir.Call, keyword: str) -> bool:
    return any(a.kind == "kwstar" or a.kind == "kw" and a.name == keyword and not (type(a.value) is ir.Const and not a.value.value)
               for a in node.args)


def _builds_instances(program, path: str, node: ir.Call) -> bool:
    """``ArticleService(session=s, …)``, ``ArticleService.new(…)``, ``create_service_provider(ArticleService, …)``:
    a call that makes instances of a project class (not a method call of one)."""
    func = node.func.obj if type(node.func) is ir.Attr else node.func
    for candidate in (func, *(a.value for a in node.args if a.kind == "pos")):
        if type(candidate) in (ir.Name, ir.Attr) and type(v.strip(program.static_value(path, candidate))) is v.ClassValue:
            return True
    return False


def _decorated_route(program, analysis, routes: set) -> bool:
    for decorator in analysis.function.decorators:
        func = decorator.func if type(decorator) is ir.Call else decorator
        if type(func) in (ir.Name, ir.Attr) and program.static_name(analysis.path, func) in routes:
            return True
    return False


def _request_calls(analysis, analyses: dict, keyword: str) -> bool:
    """A call in the request (the handler and what it runs) passing ``auto_commit=True``."""
    seen, pending = set(), [analysis]
    while pending:
        current = pending.pop()
        for call in current.calls:
            if keyword and _commits_by_keyword(call.node, keyword):
                return True
            for callee in call.callees:
                key = (callee.path, callee.fid)
                if key not in seen and key in analyses:
                    seen.add(key)
                    pending.append(analyses[key])
    return False


def _uncommitted_g_connection_writes(ctx: CheckContext) -> Iterator[Finding]:
    """A DB-API connection the app keeps per request in Flask's ``g`` (``g.db = psycopg.connect(…)``,
    closed at teardown) and writes through on a request that never commits it: sqlite3, psycopg and
    PyMySQL open a transaction for the write and roll it back when the connection closes.  Judged only
    where the app commits that connection on other requests (so it is not in autocommit mode) and no
    teardown hook commits."""
    program = ctx.program
    if program is None or not program.modules:
        return
    committed = {t for a in program.analyses() if a.fid for e in a.summary.effects if e.op == "commit"
                 for t in e.tags if t.startswith(G_CONNECTION)}
    for analysis, slot, first in _requests_leaving_uncommitted(program, committed, lambda e: e.op == "write"):
        trace = tuple(TraceStep(p, s.line, s.column, f"calls `{label}`") for p, s, label in first.trace)
        message = (
            f"`{first.method}` writes through the {first.stack} connection kept in `g.{slot[len(G_CONNECTION):]}`, and nothing "
            f"in the request served by `{analysis.function.qualname}` commits it (other requests do): the driver "
            f"rolls the open transaction back when the connection is closed at teardown — the endpoint answers "
            f"success and the row never exists"
        )
        guidance = "Call `conn.commit()` after the writes (in the DAO or the service that makes them), or run them in `with conn:` / `with conn.transaction():`."
        yield ctx.registry.finding("AL206", first.path, first.span, message, guidance, trace)


def _requests_leaving_uncommitted(program, slots, is_write, frameworks=("flask", "quart")) -> Iterator[tuple]:
    """(handler's analysis, slot, first write) for each Flask/Quart route whose request — the handler and
    everything it calls — writes (``is_write``) through a per-request session or connection tagged ``slot``
    and never commits it; one per write.  None when the app commits at teardown; a request with an
    unresolved call named ``commit``/``save`` is skipped (it may be the commit the model cannot see)."""
    handlers = {(function.path, function.fid) for route in program.routes() if route.framework in frameworks
                for function in handler_functions(program, route)}
    if not handlers or not slots:
        return
    candidates = []
    for analysis in program.analyses():
        if (analysis.path, analysis.fid) not in handlers or non_production(analysis.path):
            continue
        for slot in sorted(slots):
            effects = [e for e in analysis.summary.effects if slot in e.tags]
            writes = [e for e in effects if is_write(e)]
            if writes and not any(e.op in ("commit", "transaction") or e.in_tx for e in effects):
                candidates.append((analysis, slot, writes[0]))
    if not candidates or _commits_at_teardown(program):
        return
    analyses = {(a.path, a.fid): a for a in program.analyses() if a.fid}
    reported = set()
    for analysis, slot, first in candidates:
        if (first.path, first.span) in reported or _may_commit_unseen(analysis, analyses):
            continue
        reported.add((first.path, first.span))
        yield analysis, slot, first


def _commits_at_teardown(program) -> bool:
    """A request hook that commits (``@app.teardown_request`` or ``app.teardown_request(fn)``), or
    Flask-SQLAlchemy 2's ``SQLALCHEMY_COMMIT_ON_TEARDOWN``: every request's writes are committed."""
    commits = {(a.path, a.fid) for a in program.analyses() if a.fid and any(e.op == "commit" for e in a.summary.effects)}
    for analysis in program.analyses():
        if (analysis.path, analysis.fid) in commits and (any(_hook(program, d) for d in analysis.function.decorators)
                                                         or program.context_hook(analysis.path, analysis.function)):
            return True  # @app.teardown_request, Sanic's @app.on_response
    for path, module in program.modules.items():  # app.config["SQLALCHEMY_COMMIT_ON_TEARDOWN"] = True, or a config class's attribute
        if any(field.name == _COMMIT_ON_TEARDOWN for cls in module.classes for field in cls.fields):
            return True
        for function in module.functions:
            for node in ir.iter_nodes(function.body):
                if type(node) is ir.Const and node.value == _COMMIT_ON_TEARDOWN or type(node) is ir.Name and node.id == _COMMIT_ON_TEARDOWN:
                    return True
                if type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name in _hooks(program) and node.args:
                    hook = program.static_value(path, node.args[0].value) if type(node.args[0].value) in (ir.Name, ir.Attr) else None
                    if type(hook) is v.Function and (hook.path, hook.fid) in commits:
                        return True
    return False


def _removed_at_teardown(program) -> set:
    """The session ids of module-level ``db_session = scoped_session(sessionmaker(…))`` objects that a Flask
    teardown hook removes (``db_session.remove()``, the Flask docs' SQLAlchemy pattern): like
    Flask-SQLAlchemy's ``db.session``, one session per request, rolled back when the request ends."""
    found = set()
    for path, module in program.modules.items():
        if module.language != "python":
            continue
        hooks = [f for f in module.functions if any(_hook(program, d) for d in f.decorators)]
        for function in module.functions:
            for node in _hook_registrations(program, function):
                hook = program.static_value(path, node.args[0].value) if type(node.args[0].value) in (ir.Name, ir.Attr) else None
                if type(hook) is v.Function and hook.path == path:
                    hooks.extend(f for f in module.functions if f.fid == hook.fid)
        for hook in hooks:
            for node in program.calls_named(hook, method="remove"):
                if type(node.func.obj) is ir.Name and not node.args:
                    site = _module_scoped_session(program, path, node.func.obj.id)
                    if site:
                        found.add(site)
    return found


def _hook_registrations(program, function) -> list:
    """The ``app.teardown_request(fn)``-style registrations (with an argument) in ``function``, in source order."""
    index = program.node_index(function)
    calls = [call for name in _hooks(program) for call in index.methods.get(name, ()) if call.args]
    return index.in_order(calls)


def _module_scoped_session(program, path: str, name: str, depth: int = 0) -> str:
    """``sid:<path>:<line>:<column>`` of the ``scoped_session(…)`` call a module-level name is bound to
    (here or through an import), else ``""``."""
    module = program.modules.get(path)
    if module is None or depth > 3:
        return ""
    for statement in reversed(module.module.body):
        if type(statement) is ir.Assign and any(type(t) is ir.Name and t.id == name for t in statement.targets):
            call = statement.value
            if type(call) is ir.Call and program.static_name(path, call.func) in interpreter_names(program).scoped_sessions:
                return f"sid:{path}:{call.span.line}:{call.span.column}"
            return ""
    binding = program.binding(path, name)
    target = program.graph.resolve_binding(path, binding) if binding else None
    if target is None or target.file is None:
        return ""
    return _module_scoped_session(program, target.file, binding.rsplit(":", 1)[-1].rsplit(".", 1)[-1], depth + 1)


def _hook(program, decorator) -> bool:
    hooks = _hooks(program)
    return (type(decorator) is ir.Attr and decorator.name in hooks
            or type(decorator) is ir.Call and type(decorator.func) is ir.Attr and decorator.func.name in hooks)


def _may_commit_unseen(analysis, analyses: dict) -> bool:
    """A call in the request the model could not follow (an unknown receiver) named like a commit."""
    seen, pending = set(), [analysis]
    while pending:
        current = pending.pop()
        for call in current.calls:
            if call.callees:
                for callee in call.callees:
                    key = (callee.path, callee.fid)
                    if key not in seen and key in analyses:
                        seen.add(key)
                        pending.append(analyses[key])
            elif type(call.node.func) is ir.Attr and call.node.func.name in ("commit", "save") and v.is_unknown(v.strip(call.receiver)):
                return True
    return False


# AL207 -------------------------------------------------------------------------------------------------
def _shared_async_session(ctx: CheckContext) -> Iterator[Finding]:
    data = ctx.datalayer
    for path, objects in sorted(data.module_objects.items()):
        for name, typed in sorted(objects.items()):
            if typed.stack not in ("sqlalchemy", "asyncpg", "aiosqlite", "psycopg") or typed.kind not in ("session", "connection"):
                continue
            if not _constructed_at_module_level(ctx.files[path], name):
                continue
            user = _async_user(ctx, path, name)
            if user is None:
                continue
            message = (
                f"module-level {typed.stack} {typed.kind} `{name}` is used by async function `{user.scope}`: concurrent "
                f"requests share one {typed.kind}, so queries interleave (\"another operation is in progress\", "
                f"IllegalStateChangeError) and one request's rollback discards another's writes"
            )
            guidance = (
                "Create the session per request (async_sessionmaker + a dependency that yields `async with "
                "SessionLocal() as session`), or acquire a connection from a pool inside the handler."
            )
            yield ctx.registry.finding("AL207", path, _assign_span(ctx.files[path], name), message, guidance)


def _constructed_at_module_level(facts: FileFacts, name: str) -> bool:
    return any(a.scope == "" and a.target == name and a.callee and "scoped_session" not in a.callee for a in facts.assigns)


def _async_user(ctx: CheckContext, path: str, name: str) -> DbAccess | None:
    for access in ctx.datalayer.accesses:
        if not access.scope or access.callee.split(".")[0] != name:
            continue
        if access.path != path and not _imports_name(ctx.files[access.path], name):
            continue
        function = next((f for f in ctx.files[access.path].functions if f.qualname == access.scope), None)
        if function is not None and function.is_async:
            return access
    return None


def _imports_name(facts: FileFacts, name: str) -> bool:
    return any(binding.name == name for binding in facts.bindings)


def _assign_span(facts: FileFacts, name: str):
    return next(a.span for a in facts.assigns if a.scope == "" and a.target == name)
