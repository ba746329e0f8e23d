"""Sequelize rules: AL211 promise never awaited, AL212 string operator aliases, AL213 destroy /
update without a where, AL214 include of a model with no association, AL216 sync({ force|alter })
outside tests, AL217 findAndCountAll/count with include but no ``distinct: true``.  (AL215, a query
inside a managed transaction without ``{ transaction: t }``, reads the semantic model:
:mod:`archlint.checks.transactions`.)

Each reads the Sequelize access sites of the data layer and the shape of their option objects;
runtime behaviour in the messages was verified against Sequelize 6.37 by generating the SQL.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import DbAccess, Model, non_production
from archlint.domain.findings import Finding
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v
from archlint.semantics.options import Option
from archlint.semantics.schema import known as schema_names


class Known(NamedTuple):
    """The Sequelize names of ``reader = "checks.sequelize"`` in ``rules/knowledge/orms.toml`` (explained there)."""

    string_operators: frozenset  # v4 string operator aliases (`{ $gt: 5 }`) v5+ no longer understands (AL212)
    finders: frozenset  # model finders whose `include` names an association (AL213)
    instance_promises: frozenset  # instance methods returning a promise (AL211)


def _known(table: dict) -> Known:
    return Known(**{key: frozenset(table[key]) for key in Known._fields})


def _names(program) -> Known:
    return program.library.view("checks.sequelize", _known)


class _Call:
    """The call behind an access site as the interpreter saw it: IR node and argument values."""

    __slots__ = ("node", "values", "receiver")

    def __init__(self, node: ir.Call, values: tuple, receiver) -> None:
        self.node = node
        self.values = values
        self.receiver = receiver

    def option(self, index: int) -> Option | None:
        return Option.argument(self.node, self.values, index)

    @property
    def positional(self) -> int | None:
        """How many positional arguments; ``None`` when a spread argument hides them."""
        if any(arg.kind != "pos" for arg in self.node.args):
            return None
        return len(self.node.args)


def check(ctx: CheckContext) -> Iterator[Finding]:
    data = ctx.datalayer
    accesses = [a for a in data.accesses if a.stack == "sequelize"]
    program = ctx.program
    if not accesses or program is None:
        return
    names = _model_names(program)
    unattributed_associations = _has_unattributed_associations(ctx)
    reported: set = set()  # AL211 findings, by place: the statement half and the instance halves meet
    for access in accesses:
        record = program.call_record(access.path, access.span)
        if record is None:
            continue
        call = _Call(record.node, record.args, record.receiver)
        for finding in _not_awaited(ctx, access):
            reported.add((finding.path, finding.line, finding.column))
            yield finding
        yield from _string_operators(ctx, access, call)
        yield from _unbounded_write(ctx, access, call)
        if not unattributed_associations:
            yield from _include_without_association(ctx, access, call, data.models, names)
        yield from _sync_force(ctx, access, call)
        yield from _count_with_include(ctx, access, call, data.models, names)
    for finding in _instance_not_awaited(ctx, program):
        key = (finding.path, finding.line, finding.column)
        if key not in reported:
            reported.add(key)
            yield finding


def _model_names(program) -> dict[str, str]:
    """Sequelize model key (``path:Name``) -> the model's name."""
    return {key: model.name for key, model in program.schema.models.items() if model.stack == "sequelize"}


def _model_name(value, node, names: dict[str, str]) -> str | None:
    """The model an expression means: its value (a model class, resolved through imports and
    ``models.X`` objects), else the name it is written with (``Comment`` / ``models.Comment``)."""
    bare = v.strip(value) if value is not None else None
    if type(bare) is v.ModelClass and bare.model in names:
        return names[bare.model]
    if type(node) is ir.Name:
        return node.id
    if type(node) is ir.Attr:
        return node.name
    return None


# AL211 -------------------------------------------------------------------------------------------
def _not_awaited(ctx: CheckContext, access: DbAccess) -> Iterator[Finding]:
    flags = access.flags.split()
    if "stmt" not in flags or "await" in flags or access.method in ("define", "init"):
        return
    if access.kind == "row":
        return  # instance methods (article.save()) are AL211's instance half, below
    if not access.scope and access.category in ("schema", "connect"):
        return  # start-up at module level (`sequelize.sync()` before listen) runs no request
    message = (
        f"`{access.callee}(…)` returns a promise that is never awaited: the handler continues (and responds) before "
        f"the query runs, its errors become unhandled rejections, and the next read may not see the write"
    )
    guidance = f"`await {access.callee}(…)` (or return the promise) inside an async function."
    yield ctx.registry.finding("AL211", access.path, access.span, message, guidance)


def _instance_not_awaited(ctx: CheckContext, program) -> Iterator[Finding]:
    """``article.save()`` as a statement, where ``article`` is a Sequelize row (``await Article.findOne(...)``,
    ``Article.create(...)``, an element of ``findAll`` rows): the model's value, not the names."""
    for analysis in program.analyses():
        if analysis.path not in ctx.datalayer.analysed or not analysis.calls:
            continue
        module = program.modules.get(analysis.path)
        if module is None or module.language == "python":
            continue
        bare_calls = _statement_calls(analysis.function)
        for record in analysis.calls:
            node = record.node
            if node.method not in _names(program).instance_promises or node.span not in bare_calls:
                continue
            receiver = v.strip(record.receiver)
            if type(receiver) is not v.Row or receiver.stack != "sequelize":
                continue
            callee = f"{_written(node.receiver)}.{node.method}"
            message = (
                f"`{callee}()` on a Sequelize instance is never awaited: the change may not be stored when the "
                f"response is sent, and a failure becomes an unhandled rejection"
            )
            yield ctx.registry.finding("AL211", analysis.path, node.span, message, f"`await {callee}()`.")
    yield from _dropped_in_call_context(ctx, program)


def _dropped_in_call_context(ctx: CheckContext, program) -> Iterator[Finding]:
    """A Sequelize statement whose receiver only a caller knows — ``article.setTags(tags);`` in a
    repository method given the row by the service — written as a bare statement: the writes the
    request handlers' summaries reach (in the calling context that knows the row) name it."""
    statements: dict = {}
    seen: set = set()
    for analysis in program.analyses():
        for effect in analysis.summary.effects:
            if effect.stack != "sequelize" or effect.op != "write" or (effect.path, effect.span) in seen:
                continue
            seen.add((effect.path, effect.span))
            if effect.path not in ctx.datalayer.analysed or non_production(effect.path):
                continue
            module = program.modules.get(effect.path)
            if module is None or module.language == "python":
                continue
            function = ir.innermost_function(module, effect.span)
            if function is None:
                continue
            key = (effect.path, function.fid)
            if key not in statements:
                statements[key] = {node.span: node for node in ir.iter_nodes(function.body)
                                   if type(node) is ir.Call and node.span in _statement_calls(function)}
            node = statements[key].get(effect.span)
            if node is None or type(node.func) is not ir.Attr:
                continue
            callee = f"{_written(node.receiver)}.{node.method}"
            message = (
                f"`{callee}()` writes through Sequelize and its promise is never awaited: the handler responds before the "
                f"write is stored, and a failure becomes an unhandled rejection"
            )
            yield ctx.registry.finding("AL211", effect.path, effect.span, message, f"`await {callee}()`.")


def _statement_calls(function) -> frozenset:
    """Spans of the calls that are a whole expression statement (``x.save();``): their promise is
    dropped.  ``await x.save()``, ``return x.save()``, ``x.save().then(…)`` and ``void x.save()`` keep it."""
    return frozenset(node.value.span for node in ir.iter_nodes(function.body)
                     if type(node) is ir.ExprStmt and type(node.value) is ir.Call)


def _written(node) -> str:
    if type(node) is ir.Name:
        return node.id
    if type(node) is ir.Attr:
        return f"{_written(node.obj)}.{node.name}"
    return "…"


# AL212 -------------------------------------------------------------------------------------------
def _string_operators(ctx: CheckContext, access: DbAccess, call: _Call) -> Iterator[Finding]:
    operator = _string_operator(call.node, _names(ctx.program).string_operators)
    if operator is None:
        return
    message = (
        f"string operator alias `${operator}` in a Sequelize query: v5+ no longer accepts string aliases, so the "
        f"operator object is compared as a value (`WHERE \"col\" = '[object Object]'`) — no error, wrong rows"
    )
    guidance = f"Use the symbol operator: `const {{ Op }} = require('sequelize')` and `{{ [Op.{operator}]: value }}`."
    yield ctx.registry.finding("AL212", access.path, access.span, message, guidance)


def _string_operator(call: ir.Call, operators: frozenset) -> str | None:
    """The first ``$op`` key of an object literal in the call's arguments (``{ $gte: since }``, at any
    depth); strings and comments that merely contain ``$gte:`` are not keys."""
    for arg in call.args:
        for node in ir.iter_nodes(arg.value):
            if type(node) is not ir.Obj:
                continue
            for entry in node.entries:
                if isinstance(entry.key, str) and entry.key[:1] == "$" and entry.key[1:] in operators:
                    return entry.key[1:]
    return None


# AL213 -------------------------------------------------------------------------------------------
def _unbounded_write(ctx: CheckContext, access: DbAccess, call: _Call) -> Iterator[Finding]:
    if access.kind != "model" or access.method not in ("destroy", "update"):
        return
    index = 0 if access.method == "destroy" else 1
    count = call.positional
    if count is None:
        return  # update(...args): the options may be there
    if count <= index:
        if access.method == "destroy":
            message = "`destroy()` with no options on a model throws \"Missing where or truncate attribute\" — the delete endpoint returns 500"
        else:
            message = "`update(values)` with no options throws \"Missing where attribute in the options parameter\" — the update endpoint returns 500"
        yield ctx.registry.finding("AL213", access.path, access.span, message, "Pass `{ where: { id } }` naming the rows to change.")
        return
    options = call.option(index)
    if options is None or not options.closed:
        return  # a variable or a spread: its keys are not all known
    where = options.get("where")
    if where is None and options.get("truncate") is None:
        message = f"`{access.method}` options have no `where`: Sequelize throws \"Missing where attribute\" at runtime"
        yield ctx.registry.finding("AL213", access.path, access.span, message, "Add `where: { … }` naming the rows to change.")
    elif where is not None and where.closed and not where.node.entries:
        verb = "DELETE FROM" if access.method == "destroy" else "UPDATE"
        message = f"`{access.method}` with `where: {{}}` runs `{verb} \"table\"` with no condition: every row is affected"
        yield ctx.registry.finding("AL213", access.path, access.span, message, "Put the real condition in `where`, or use `truncate: true` if clearing the table is intended.")


# AL214 -------------------------------------------------------------------------------------------
def _include_without_association(ctx, access: DbAccess, call: _Call, models: dict[str, Model], names: dict[str, str]) -> Iterator[Finding]:
    if access.kind != "model" or access.method not in _names(ctx.program).finders:
        return
    receiver = call.node.receiver
    base = models.get(_model_name(call.receiver, receiver, names) or "")
    options = call.option(1 if access.method == "findByPk" else 0)
    if base is None or options is None or not options.is_record:
        return
    include = options.get("include")
    items = include.elements() if include is not None else []
    associations = [f for f in base.fields.values() if f.kind == "association"]
    if not associations:
        return
    for item in items:
        target, alias = _include_target(item, names)
        if target is None or target not in models:
            continue
        matching = [a for a in associations if a.target == target]
        if not matching:
            message = (
                f"`include: {target}` on `{base.name}`, but {base.name} has no association with {target}: Sequelize throws "
                f"SequelizeEagerLoadingError (\"{target} is not associated to {base.name}!\")"
            )
            guidance = f"Declare `{base.name}.hasMany/hasOne/belongsTo/belongsToMany({target}, …)` or include a model that is associated."
            yield ctx.registry.finding("AL214", access.path, access.span, message, guidance)
        elif alias and not any(a.options.get("as") == alias for a in matching):
            declared = ", ".join(sorted({repr(a.options.get("as")) for a in matching if a.options.get("as")})) or "no alias"
            message = (
                f"`include` of {target} as '{alias}', but {base.name}'s association with {target} is declared with {declared}: "
                f"Sequelize throws SequelizeEagerLoadingError"
            )
            guidance = f"Use the alias the association declares, or add `as: '{alias}'` to the association."
            yield ctx.registry.finding("AL214", access.path, access.span, message, guidance)


def _include_target(item: Option, names: dict[str, str]) -> tuple[str | None, str]:
    """``Comment`` / ``models.Comment`` -> ("Comment", ""); ``{ model: Comment, as: 'replies' }`` ->
    ("Comment", "replies"); anything else (a string, ``{ all: true }``, a variable) -> (None, "")."""
    if type(item.node) in (ir.Name, ir.Attr) or (item.node is None and type(item.bare) is v.ModelClass):
        return _model_name(item.value, item.node, names), ""
    if item.is_record:
        model = item.get("model")
        if model is None or (model.node is not None and type(model.node) not in (ir.Name, ir.Attr)):
            return None, ""
        alias = item.get("as")
        return _model_name(model.value, model.node, names), (alias.string or "") if alias is not None else ""
    return None, ""


def _fanned_include(base: Model, include: Option, models: dict[str, Model], names: dict[str, str],
                    to_one: frozenset) -> str | None:
    """The model of an include that may join several rows to one ``base`` row (a hasMany / belongsToMany
    association, an include nesting further includes, or one whose association is not known); ``None`` when
    every include is a declared belongsTo / hasOne of ``base`` (one joined row at most: the count is right)."""
    associations = [f for f in base.fields.values() if f.kind == "association"]
    items = include.elements()
    for item in items:
        target, alias = _include_target(item, names)
        if target is None or target not in models:
            return ""
        if item.is_record and item.get("include") is not None:
            return target
        matching = [a for a in associations if a.target == target and (not alias or a.options.get("as") == alias)]
        if not matching or any(a.options.get("type") not in to_one for a in matching):
            return target
    return None


def _has_unattributed_associations(ctx: CheckContext) -> bool:
    """``this.hasMany(models.X)`` inside ``static associate`` cannot be attributed: stay silent.  Read from
    the files' IR calls: an association method called on something other than a model by its name (the
    name, or the last attribute, of the receiver)."""
    from archlint.domain.arguments import ir_calls

    models = ctx.datalayer.models
    associations = schema_names(ctx.program).sequelize_associations
    for path in ctx.datalayer.analysed:
        for node in ir_calls(ctx.files[path]).values():
            if node.method not in associations:
                continue
            receiver = node.receiver
            owner = receiver.id if type(receiver) is ir.Name else receiver.name if type(receiver) is ir.Attr else ""
            if owner not in models:
                return True
    return False


# AL216 -------------------------------------------------------------------------------------------
def _sync_force(ctx: CheckContext, access: DbAccess, call: _Call) -> Iterator[Finding]:
    if access.method != "sync" or non_production(access.path):
        return
    options = call.option(0)
    if options is None:
        return
    for flag, consequence in (("force", "drops and recreates every table on each start: all data is lost on every restart"),
                              ("alter", "alters tables to match the models on each start: columns can be dropped or data truncated")):
        value = options.get(flag)
        if value is not None and value.is_true():
            message = f"`sync({{ {flag}: true }})` in application code {consequence}"
            guidance = "Use plain `sync()` to create missing tables (or migrations with sequelize-cli / umzug); keep force/alter to tests."
            yield ctx.registry.finding("AL216", access.path, access.span, message, guidance)


# AL217 -------------------------------------------------------------------------------------------
def _count_with_include(ctx: CheckContext, access: DbAccess, call: _Call, models: dict[str, Model],
                        names: dict[str, str]) -> Iterator[Finding]:
    if access.method not in ("findAndCountAll", "count"):
        return
    options = call.option(0)
    if options is None or not options.closed:
        return  # a variable or a spread may carry `distinct`
    include = options.get("include")
    if include is None or (type(include.node) is ir.Seq and not include.node.elts):
        return  # `include: []` joins nothing
    distinct = options.get("distinct")
    if distinct is not None and not distinct.is_false():
        return  # `distinct: true`, or a value not known to be false
    base_name = _model_name(call.receiver, call.node.receiver, names) if access.kind == "model" else None
    base = models.get(base_name or "")
    # an include through an association that is no collection (belongsTo, hasOne) joins at most one row per counted row
    to_one = frozenset(name for name, collection in schema_names(ctx.program).sequelize_associations.items() if not collection)
    fanned = _fanned_include(base, include, models, names, to_one) if base is not None else ""
    if fanned is None:
        return  # every include is a belongsTo / hasOne of the counted model (a join table's `include: [Tag]`)
    counted = base.name if base is not None else (base_name or "parent")
    joined = f"{fanned} rows" if fanned else "joined rows"
    message = (
        f"`{access.method}` with `include` but without `distinct: true` counts joined rows, not {counted} rows: "
        f"one {counted} with three {joined} is counted three times, so the total and the pagination are wrong"
    )
    yield ctx.registry.finding("AL217", access.path, access.span, message, "Add `distinct: true` (and `col: 'id'` if needed) to the options.")
