"""Performance rules on the semantic model: AL601 a query per row (N+1, at any call depth), AL602
loading every row to count them, AL603 a relationship lazy-loaded per row.

N+1 needs both halves, and the semantic model sees both across functions: a loop over rows of a
query (``for a in repo.list()``, ``rows.map(async r => …)``, a comprehension, a DRF serializer
given ``many=True``), and a query that *depends on the row* — its arguments derive from the loop
element (``elem:<loop>`` tags flow through attributes, helpers and summaries), or it is a lazy load
of the element's relation.  A loop over request data (saving each tag of a new article) iterates no
query result and stays silent; a relation the first query loaded eagerly issues no query.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding, TraceStep
from archlint.domain.ir_format import render
from archlint.semantics import frameworks
from archlint.semantics import values as v
from archlint.semantics.schema import known as schema_known

_EAGER_HINT = {
    "sqlalchemy": "add `.options(selectinload(Model.relation))` (joinedload for many-to-one) to the query that loads the rows",
    "django": "add `.select_related('relation')` (foreign keys) or `.prefetch_related('relation')` (collections) to the queryset",
    "sequelize": "add `include: [{ model: Related, as: 'alias' }]` to the findAll that loads the rows",
    "prisma": "add `include: { relation: true }` to the findMany that loads the rows",
    "typeorm": "add `relations: ['relation']` (or leftJoinAndSelect) to the query that loads the rows",
    "knex": "join the related table in the first query, or fetch all related rows with one `whereIn` keyed by the ids",
    "kysely": "join the related table in the first query, or fetch all related rows with one `where('id', 'in', ids)` query",
    "drizzle": "add `with: { relation: true }` to the findMany that loads the rows, or fetch them with one `inArray` query",
    "objection": "add `.withGraphFetched('[relation]')` to the query that loads the rows",
    "mikro-orm": "add `populate: ['relation']` to the find that loads the rows (or `em.populate(rows, ['relation'])` once)",
}


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    analyses = program.analyses()
    loops = {loop.id: loop for analysis in analyses for loop in analysis.loops}
    for loop_id, loop in getattr(program, "nested_loops", {}).items():
        loops.setdefault(loop_id, loop)  # a serializer's own many=True serializer (see Program.nested_loops)
    yield from _per_row_queries(ctx, analyses, loops)
    yield from _per_row_writes(ctx, analyses, loops)
    yield from _count_by_loading(ctx, analyses)
    yield from _loop_invariant_queries(ctx, analyses, loops)


def _effects(analysis):
    return analysis.summary.effects if analysis.fid else analysis.effects


# AL601 / AL603 -----------------------------------------------------------------------------------
def _per_row_queries(ctx: CheckContext, analyses, loops) -> Iterator[Finding]:
    """One finding per place in a loop body that triggers per-row queries (a helper call that
    runs three queries per row is one finding listing them, not three)."""
    groups: dict = {}
    spans: dict = {}  # (path, line, column, loop id) -> the span first reported there
    guarded: dict = {}  # (path, span, loop id) -> under a memo guard: one walk per place, however many effects
    for analysis in analyses:
        if non_production(analysis.path):
            continue
        for effect in _effects(analysis):
            if effect.op not in ("read", "lazy") or non_production(effect.path):
                continue
            if effect.op == "lazy" and ("async" in effect.tags or v.RAISE_LOAD_TAG in effect.tags
                                        or any(t.startswith("closed:") for t in effect.tags)):
                continue  # it does not run at all: AL209 / AL218 / AL235 report it
            if v.ASYNC_RESPONSE_TAG in effect.tags:
                continue  # an async django-ninja route's schema: the first query raises (AL233)
            if v.FAILURE_TAG in effect.tags:
                continue  # recovery when a row failed (`except Exception: deactivate(row.id); raise`), not every row's work
            keyed = [lid for lid in reversed(effect.loops) if f"elem:{lid}" in effect.deps and lid in loops]
            if effect.op == "read" and keyed and loops[keyed[0]].source == "built":
                continue  # a list of instances the code constructed is no query result: a query per input item
            if not keyed or keyed[0] != next((lid for lid in reversed(effect.loops) if f"elem:{lid}" in effect.deps), None):
                continue
            for loop_id in _reported_loops(keyed, loops) if effect.op == "read" else keyed[:1]:
                if _batched(effect, loop_id):
                    break  # `for ids in batch(all_ids, 1000): Task.objects.filter(id__in=ids)`: a query per chunk
                loop = loops[loop_id]
                path, span, chain, inside = _report_place(effect, loop)
                if effect.op == "lazy" and _in_identity_map(ctx, analysis, effect, loop_id, loop):
                    break  # the same session loaded the target row by its key earlier in the iteration
                if effect.op == "read" and _repeated_get(ctx, analysis, effect, loop_id, loop):
                    break  # `Person.query.get(bill.payer_id)` again: the identity map answers, no SELECT
                places = [(path, span)] + [(p, s) for p, s, _label in chain[1:]] + [(effect.path, effect.span)]
                if any(_guarded(ctx, guarded, p, s, loop) for p, s in places):  # a memo guard anywhere on the way to the query
                    break
                if inside and len(chain) == 1 and _carried_queryset(ctx, path, span, effect, loop):
                    break  # the loop hands the evaluated queryset back in: its rows are fetched once, not per row
                if _leaves_the_loop(ctx, path, span, loop):
                    break  # `if matched: user = session.get(…); …; return user`: once, on the way out
                # one place: `a.author.user.username` lazy-loads two relations from one expression (the
                # reads' spans share their start), one finding listing both
                start = (path, span.line, span.column, loop_id)
                spans.setdefault(start, span)
                group = groups.setdefault(start, {})
                # A relation loads once per row however often it is read (the ORM caches it on the object).
                key = ("lazy", effect.model, effect.detail) if effect.op == "lazy" else (effect.path, effect.span, effect.op)
                group.setdefault(key, (effect, chain, inside))
    # (loop id, model, relation, receiver) -> the branch sides of each read of that relation of one object: reported at
    # its first read.  A later read on a path the earlier one may run on (no `if` puts them on opposite sides) is the
    # same N+1: no query when the earlier read ran, the row's one load of that relation when it did not (a property
    # whose read sits after its own early return, then the same relation read in the loop body) — one defect
    claimed: dict = {}
    found: list = []
    for (path, line, column, loop_id), effects in sorted(groups.items(), key=lambda item: item[0][:3]):
        for key, (effect, chain, _inside) in list(effects.items()):
            receiver = _receiver(ctx, effect, loops[loop_id], chain, loops) if effect.op == "lazy" else None
            if receiver is not None:
                sides = frozenset(effect.branch)
                binding = _binding_loop(ctx, effect, loops, loop_id, receiver[0])
                earlier = claimed.setdefault((binding, effect.model, effect.detail, receiver), [])
                if any(_same_path(before, sides) for before in earlier):
                    del effects[key]  # read again in the same iteration: the ORM holds it on the object, one load per row
                earlier.append(sides)
        if effects:
            found.append((path, spans[(path, line, column, loop_id)], loops[loop_id], list(effects.values())))
    yield from _one_per_shared_site(ctx, found)


def _binding_loop(ctx: CheckContext, effect, loops: dict, loop_id: str, name: str) -> str:
    """The loop around ``effect`` (``loop_id`` or one outside it, in the same file) whose ``for`` binds ``name``: a
    relation of the outer row read again in an inner loop (``op.order.event`` in the loop over ``op``'s answers) is
    the outer row's one load.  ``loop_id`` when no such loop binds it."""
    ids = list(effect.loops)
    if loop_id not in ids:
        return loop_id
    for candidate in reversed(ids[:ids.index(loop_id) + 1]):
        info = loops.get(candidate)
        if info is None or info.path != loops[loop_id].path:
            continue
        if name in ctx.program.memoised(f"AL603-binds:{candidate}", lambda: _loop_targets(ctx, info)):
            return candidate
    return loop_id


def _loop_targets(ctx: CheckContext, info) -> frozenset:
    """The names the ``for`` statement of ``info`` binds to each element."""
    statement = _loop_node(ctx.program, info)
    return frozenset(ir.target_names(statement.target)) if statement is not None and statement.target is not None else frozenset()


def _same_path(before: frozenset, after: frozenset) -> bool:
    """Two reads' branch sides put them on one path: no ``if`` site has one on each side."""
    sides = dict(before)
    return all(sides.get(site, side) == side for site, side in after)


def _one_per_shared_site(ctx: CheckContext, found: list) -> Iterator[Finding]:
    """A finding per place, except that the places of framework loops (a view serializing its rows:
    the loop is the framework's, its body the serializer's code) that run the very same per-row queries
    are one defect: nautobot's ``TaggedModelSerializerMixin.to_representation`` re-queries the tags of
    each row, and every one of the 55 viewsets whose serializer inherits it serializes rows through it.
    Those are reported once, at the query in the shared code, with the views as the entry points: the
    shared code has to change, whatever the views load.  What a view's eager load would answer is not
    merged — a lazy load (AL603), a related manager's ``all()`` / iteration a prefetch serves: the shared
    read is right and each view's queryset lacks the load — nor is a loop the code writes itself
    (``for prefix in …: get_closest_parent(prefix)``): each is its own place."""
    shared: dict = {}
    for index, (_path, _span, loop, effects) in enumerate(found):
        if loop.kind == "serializer" and all(e.op == "read" and inside and chain and not _eager_load_answers(e)
                                             for e, chain, inside in effects):
            shared.setdefault(_defect_site(effects), []).append(index)
    merged = {indexes[0]: indexes for indexes in shared.values()
              if len({_entry_place(found[i]) for i in indexes}) > 1}  # more than one view reaches them
    skipped = {i for indexes in merged.values() for i in indexes[1:]}
    for index, (path, span, loop, effects) in enumerate(found):
        if index in skipped:
            continue
        if index not in merged:
            yield _finding(ctx, path, span, loop, effects)
            continue
        members = [found[i] for i in merged[index]]
        yield _shared_finding(ctx, members, [_finding(ctx, *member) for member in members])


def _entry_place(place) -> tuple:
    """Where a place's rows enter (path, span of the view): the first step of its first effect's call chain."""
    _path, _span, _loop, effects = place
    _effect, chain, _inside = effects[0]
    entry_path, entry_span = chain[0][0], chain[0][1]
    return entry_path, entry_span


def _eager_load_answers(effect) -> bool:
    """A read through a related manager (``obj.tags.all()``, iterating it) that the view's queryset could
    serve with a prefetch: every call of its chains is one the prefetch cache answers, and it is no
    re-query (taggit's ``names()``).  ``instance.tags.values_list(…)`` clones the queryset and queries anyway."""
    from archlint.semantics.calls import PREFETCH_SERVED

    if any(t.startswith(v.REQUERY_TAG) for t in effect.tags):
        return False
    query = effect.query
    if query is None or not query.chains:  # the framework reads the relation (a field's `source="tags"`)
        return effect.method in PREFETCH_SERVED
    if "." not in (getattr(query, "via", "") or ""):
        return False  # a query of its own (`Tag.objects.filter(article=obj)`): no eager load answers it
    methods = {step.node.func.name for chain in query.chains for step in chain
               if type(step.node) is ir.Call and type(step.node.func) is ir.Attr}
    return methods <= PREFETCH_SERVED


def _defect_site(effects) -> tuple:
    """The per-row queries of a place, as where they are written (the same for every view that reaches them)."""
    return tuple(sorted({(e.path, e.span.line, e.span.column, e.op, e.model, e.detail) for e, _c, _i in effects}))


_SHOWN_ENTRIES = 3  # entry points named in the message; the trace lists more
_TRACED_ENTRIES = 10


def _shared_finding(ctx: CheckContext, members: list, findings: list) -> Finding:
    """One finding at the per-row query of shared serializer code, for the views (``members``, whose
    own findings are ``findings``) that all reach it.  Its data carries those findings, so a baseline
    that accepted them accepts this one, and its identity for baselines: the message without the views
    it names, so adding or renaming a view keeps it the same finding (application/baseline.py)."""
    entries = sorted({(chain[0][0], chain[0][1].line, chain[0][1].column, chain[0][2])
                      for _p, _s, _l, effects in members for _e, chain, _i in effects[:1]})
    effects = sorted((e for e, _c, _i in members[0][3]), key=lambda e: (e.path, e.span.line, e.span.column))
    site = effects[0]
    first = findings[0]
    count, shown = len(entries), [f"`{label}`" for _p, _l, _c, label in entries[:_SHOWN_ENTRIES]]
    more = f" and {count - _SHOWN_ENTRIES} more" if count > _SHOWN_ENTRIES else ""
    what = ", ".join(_what(e) for e in effects[:3]) + (f" and {len(effects) - 3} more" if len(effects) > 3 else "")
    head = f"N+1: {len(effects)} quer{'y' if len(effects) == 1 else 'ies'} per row here ({what}), keyed by the row"
    message = (f"{head}, in serializer code {count} views run on each row they list — {', '.join(shown)}{more}: "
               f"a list of 100 rows sends {100 * len(effects) + 1} queries from each of them")
    guidance = (f"Fix it once here, where every one of the {count} views reaches it (the trace lists them): "
                + first.guidance[:1].lower() + first.guidance[1:])
    trace = [TraceStep(path, line, column, f"`{label}` runs it per row")
             for path, line, column, label in entries[:_TRACED_ENTRIES]]
    if count > _TRACED_ENTRIES:
        step = trace[-1]
        trace[-1] = step._replace(note=f"{step.note} (and {count - _TRACED_ENTRIES} more views)")
    return ctx.registry.finding(first.rule, site.path, site.span, message, guidance, tuple(trace),
                                data=(("identity", head), ("merged", tuple(findings))))


def _receiver(ctx: CheckContext, effect, loop, chain=(), loops=None):
    """The object a lazy load reads its relation from, as the reference in the loop body naming it —
    ``("endpoint", "certificate")`` for ``endpoint.certificate.replaced`` — when that reference names one object
    all through an iteration: attributes from a name the loop body does not rebind (lemur's rotation loop reads
    ``endpoint.certificate.replaced`` on five lines; the first read loads it, the others read what the ORM
    holds), or binds once to such a reference (``ev = wle.subevent or event``: ``ev`` is ``wle.subevent``
    where it holds a subevent).  A load made in a method or property the loop body calls on such a reference
    (``p.valid_until`` whose getter reads ``self.event``, through ``self.…`` calls only) reads it from that
    reference's object: ``("p",)`` — the same relation of the same object as ``p.event`` read on another line,
    loaded once.  ``None`` otherwise: such reads are not merged."""
    if effect.path == loop.path and _within(effect.span, loop.span):
        found = _body_function(ctx, effect.path, effect.span)
        if found is None:
            return None
        function, reads, rebound = found
        named = _named(_reference(reads.get((effect.span, effect.detail))), function, loop, rebound)
        return _collapsed(ctx, _back_reference(ctx, function, named, (effect.path, effect.span), loops), effect)
    if not chain or chain[0][0] != loop.path or not _within(chain[0][1], loop.span):
        return None
    found = _body_function(ctx, loop.path, chain[0][1])
    if found is None:
        return None
    function, reads, rebound = found
    base = _named(_reference(_called_on(found, chain[0][1])), function, loop, rebound)
    if base is None:
        return _passed_receiver(ctx, effect, loop, chain, found, loops)
    callee = _body_function(ctx, effect.path, effect.span)
    if callee is None:
        return None
    anchor = None  # the method whose `self` the read's `self` is
    at = 0
    for at, (path, span, _label) in enumerate(chain[1:], 1):  # each further step a call on the callee's own `self` …
        step = _body_function(ctx, path, span)
        if step is None:
            return None
        if _reference(_called_on(step, span)) != (ir.self_name(step[0]),):
            # … or, from here on, any call that ends in a closure written inside this method (`build_name(…,
            # fallback_scheme=lambda: self.order.event…)` in the `name` property): the closure's `self` is the method's
            anchor = step[0]
            break
    if anchor is None:
        anchor = callee[0]
    elif not _closure_of(ctx, effect.path, callee[0], anchor, path):
        if not _back_on_self(ctx, chain[at + 1:], anchor, path, callee):
            return None
        anchor = callee[0]  # the closure called a method of the same `self`: the read's `self` is that object
    reference = _reference(callee[1].get((effect.span, effect.detail)))
    if not reference or reference[0] != ir.self_name(anchor):
        return None
    return _collapsed(ctx, base + reference[1:], effect)


def _back_on_self(ctx: CheckContext, steps, anchor: ir.Function, anchor_path: str, callee) -> bool:
    """Among ``steps`` (the calls after the one that left ``anchor``), one is made in a closure written inside
    ``anchor`` on ``anchor``'s own ``self`` (``fallback_scheme=lambda: self.event.settings…`` in the
    ``attendee_name`` property reading the ``event`` property), and each later one on its own function's ``self``,
    down to the method ``callee`` holding the read: that method's ``self`` is ``anchor``'s."""
    own = ir.self_name(anchor)
    if not own or not ir.self_name(callee[0]):
        return False
    for index, (path, span, _label) in enumerate(steps):
        step = _body_function(ctx, path, span)
        if step is None:
            return False
        if _reference(_called_on(step, span)) != (own,) or not _closure_of(ctx, path, step[0], anchor, anchor_path):
            continue
        for later_path, later_span, _l in steps[index + 1:]:
            later = _body_function(ctx, later_path, later_span)
            if later is None or _reference(_called_on(later, later_span)) != (ir.self_name(later[0]),):
                return False
        return True
    return False


def _passed_receiver(ctx: CheckContext, effect, loop, chain, found, loops=None):
    """The receiver of a lazy load made in code the loop body hands the object to as a plain argument:
    ``format_answer(a)`` whose ``str(a)`` runs ``a.__str__``, whose ``self.to_string()`` reads
    ``self.orderposition.order.event`` — ``("a", "orderposition", "order")``.  Each step passes the object on
    as the one positional argument of a plain call (to the callee's parameter at that position, or to the
    ``self`` of a dunder method a builtin dispatches to: ``str(x)``) or calls a method / reads a property on
    it (to that method's ``self``); a name that holds it is never rebound in its function.  ``None`` otherwise."""
    function, reads, rebound = found
    passing = _passed_argument(reads.get((chain[0][1], "()")), None)
    if passing is None:
        return None
    index, argument = passing
    base = _named(_reference(ir.Attr(argument, "", argument.span)), function, loop, rebound)
    if not base:
        return None
    steps = list(chain[1:]) + [(effect.path, effect.span, "")]
    for number, (path, span, _label) in enumerate(steps):
        step = _body_function(ctx, path, span)
        if step is None:
            return None
        callee = step[0]
        own = ir.self_name(callee)
        if index < 0:
            held = own
        elif own and callee.name.startswith("__") and callee.name.endswith("__"):
            held = own if index == 0 else ""
        elif callee.kind != "method" and index < len(callee.params) and callee.params[index].kind in ("pos", "posonly"):
            held = callee.params[index].name
        else:
            held = ""
        if not held or any(type(node) is ir.Assign and any(held in ir.target_names(t) for t in node.targets)
                           for node in ir.iter_nodes(callee.body)):
            return None
        if number == len(steps) - 1:
            reference = _reference(step[1].get((effect.span, effect.detail)))
            if not reference or reference[0] != held:
                return None
            return _collapsed(ctx, _back_reference(ctx, function, base + reference[1:], chain[0][:2], loops), effect)
        attribute = _called_on(step, span)
        if attribute is not None and _reference(attribute) == (held,):
            index = -1  # `held.method()` / `held.prop`: the next function's `self`
            continue
        passing = _passed_argument(step[1].get((span, "()")), held)
        if passing is None:
            return None
        index = passing[0]
    return None


def _passed_argument(call, held):
    """(position, expression) of the one positional argument of the plain call ``call`` that names an object
    (a name or attribute path) — the name ``held`` itself when given — else ``None``."""
    if type(call) is not ir.Call or type(call.func) is not ir.Name:
        return None
    found = [(i, a.value) for i, a in enumerate(call.args) if a.kind == "pos"
             and _reference(ir.Attr(a.value, "", a.value.span)) is not None
             and (held is None or type(a.value) is ir.Name and a.value.id == held)]
    return found[0] if len(found) == 1 else None


def _back_reference(ctx: CheckContext, function: ir.Function, reference, where, loops=None):
    """``("a", "orderposition", …)`` is ``("op", …)`` when ``a`` is the element of a ``for`` over ``op.answers.all()``
    (or ``op.answers``) in ``function``, ``op`` the row of an enclosing loop over rows of a model whose reverse
    relation ``answers`` is the Django foreign key ``orderposition`` seen from the other side: a related manager's
    rows hold the instance they were read from (``_known_related_objects``, prefetched or not), so reading the
    key back is ``op`` itself, no query."""
    if not reference or len(reference) < 2 or not loops:
        return reference
    path, place = where
    binding = None  # the innermost `for` around the place that binds the name
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Loop and node.kind == "for" and type(node.target) is ir.Name \
                and node.target.id == reference[0] and ir.span_contains(node.span, place) \
                and (binding is None or ir.span_contains(binding.span, node.span)):
            binding = node
    for node in (binding,) if binding is not None else ():
        source = node.iter
        if type(source) is ir.Call and type(source.func) is ir.Attr and source.func.name == "all" and not source.args:
            source = source.func.obj
        if type(source) is not ir.Attr:
            return reference
        owner = _reference(source)
        if owner is None or len(owner) != 1:
            return reference
        rows = [info for info in loops.values() if info.path == path and info.kind == "for" and info.model
                and _within(place, info.span) and owner[0] in ctx.program.memoised(f"AL603-binds:{info.id}",
                                                                                  lambda info=info: _loop_targets(ctx, info))]
        rows.sort(key=lambda info: (info.span.line, info.span.column))
        if not rows or not _reverse_of(ctx.program.schema, rows[-1].model, source.name, reference[1]):
            return reference
        return owner + reference[2:]
    return reference


def _reverse_of(schema, model_key: str, relation: str, back: str) -> bool:
    """``relation`` of the Django model ``model_key`` is a reverse foreign key whose forward side is named ``back``."""
    model = schema.models.get(model_key)
    candidate = model.relations.get(relation) if model is not None and model.stack == "django" else None
    if candidate is None or candidate.kind != "reverse" or candidate.via != "ForeignKey" or candidate.collection is False:
        return False
    target = schema.models.get(candidate.target)
    forward = target.relations.get(back) if target is not None else None
    return forward is not None and forward.kind == "forward" and forward.span == candidate.span and forward.target == model_key


def _closure_of(ctx: CheckContext, path: str, inner: ir.Function, method: ir.Function, method_path: str) -> bool:
    """``inner`` is ``method`` or a lambda / nested function written inside it that binds no name of its own over
    ``method``'s ``self`` — so ``self`` in it is ``method``'s."""
    if path != method_path:
        return False
    facts = ctx.files.get(path)
    module = facts.ir if facts is not None and facts.parsed else None
    functions = {f.fid: f for f in module.functions} if module is not None else {}
    own = ir.self_name(method)
    current = inner
    while current is not None and current.fid != method.fid:
        if not own or any(param.name == own for param in current.params):
            return False
        current = functions.get(current.parent)
    return current is not None


def _collapsed(ctx: CheckContext, reference, effect):
    """``("order", "invoice_address", "order")`` is ``("order",)``: a Django one-to-one read back from the row it
    loaded is the same instance (schema.one_to_one_back) — the relation ``effect`` loads is read from that object."""
    if not reference or not effect.model:
        return reference
    names = list(reference)
    schema = ctx.program.schema
    while len(names) >= 3 and schema.one_to_one_back(effect.model, names[-2]) == names[-1]:
        del names[-2:]
    return tuple(names)


def _body_function(ctx: CheckContext, path: str, span):
    """(the innermost function holding ``span``, its reads and loops — see _reads_and_loops), walked once per run."""
    facts = ctx.files.get(path)
    module = facts.ir if facts is not None and facts.parsed else None
    function = ir.innermost_function(module, span) if module is not None else None
    if function is None:
        return None
    reads, rebound = ctx.program.memoised(f"AL603-body:{path}:{function.fid}", lambda: _reads_and_loops(function))
    return function, reads, rebound


def _reference(node) -> tuple | None:
    """``("endpoint", "certificate")`` for the object of the read ``endpoint.certificate.replaced``."""
    names: list = []
    obj = node.obj if type(node) is ir.Attr else None
    while type(obj) is ir.Attr:
        names.append(obj.name)
        obj = obj.obj
    if type(obj) is not ir.Name:
        return None
    return (obj.id, *reversed(names))


def _called_on(found, span):
    """The attribute read a step of a trace is — a property read (``p.valid_until``) or the method of a call
    (``op.event_name()``) — at ``span``, in the function ``found`` (see _body_function)."""
    _function, reads, _rebound = found
    call = reads.get((span, "()"))
    if call is not None:
        return call.func if type(call.func) is ir.Attr else None
    return next((node for (at, _name), node in reads.items() if at == span), None)


def _named(reference, function: ir.Function, loop, rebound: dict):
    """``reference`` as the loop body names its object: from a name the body does not rebind, or binds once to
    such a reference (or to ``reference or default``)."""
    if not reference:
        return None
    names = rebound.get(loop.span, {})
    if reference[0] not in names:
        return reference
    value = names[reference[0]]  # `cert = …` inside the loop: the name may hold another object on a later line
    if type(value) is ir.BoolOp and value.op == "or":
        value = value.values[0]
    aliased = _reference(ir.Attr(value, "", value.span)) if type(value) in (ir.Attr, ir.Name) else None
    if aliased is None or aliased[0] in names:
        return None
    return aliased + reference[1:]


def _reads_and_loops(function: ir.Function) -> tuple[dict, dict]:
    """One walk of ``function``'s body, kept for the run (``_receiver`` asks once per lazy load): its attribute
    reads by ``(span, attribute)`` (and its calls by ``(span, "()")``) and, by the span of each loop statement,
    the names its body assigns — each with the value of its one plain assignment there, ``None`` when it has
    another binding."""
    reads: dict = {}
    rebound: dict = {}
    for node in ir.iter_nodes(function.body):
        kind = type(node)
        if kind is ir.Attr:
            reads.setdefault((node.span, node.name), node)
        elif kind is ir.Call:
            reads.setdefault((node.span, "()"), node)
        elif kind is ir.Loop and node.span not in rebound:
            names: dict = {}
            for inner in ir.iter_nodes(node.body):
                if type(inner) is not ir.Assign:
                    continue
                for target in inner.targets:
                    for name in ir.target_names(target):
                        single = type(target) is ir.Name and len(inner.targets) == 1 and inner.op == "=" and name not in names
                        names[name] = inner.value if single else None
            rebound[node.span] = names
    return reads, rebound


def _reported_loops(keyed: list, loops: dict) -> list:
    """The loops a per-row statement is reported at, innermost first: the innermost loop whose row it
    is keyed by, and — when that loop sits in a function the outer loop's body calls
    (`for ticket in tickets: ticket.set_custom_field_values()`, whose own loop over the custom fields
    reads `self.ticketcustomfieldvalue_set.get(field=field)`) — the caller's loop too: its rows
    multiply the helper's queries, and the fix (a prefetch on the caller's queryset) is made there.
    Loops nested in one function report the innermost only, and so does a nested serializer's loop
    (its rows are the outer object's relation, reported where they are serialized)."""
    found = [keyed[0]]
    for outer_id in keyed[1:]:
        inner, outer = loops[found[-1]], loops[outer_id]
        if inner.kind == "serializer" or inner.path == outer.path and _within(inner.span, outer.span):
            break  # a nested loop of the same function (or of a callee defined inside the loop)
        found.append(outer_id)
    return found


# a statement per call (staging calls — SQLAlchemy `session.add`, MikroORM `persist` — are flushed
# together and are not)
_ROUND_TRIP_WRITES = frozenset({"save", "asave", "create", "acreate", "update", "aupdate", "delete", "adelete",
                                "get_or_create", "update_or_create", "destroy", "increment", "decrement",
                                "upsert", "insert", "remove", "updateOne", "deleteOne", "findByIdAndUpdate"})
_PER_ROW_WRITE_STACKS = frozenset({"django", "sequelize", "prisma", "typeorm", "mongoose"})


def _per_row_writes(ctx: CheckContext, analyses, loops) -> Iterator[Finding]:
    """AL601 for writes, in what a request handler runs (itself or through its calls): a write
    statement in the body of a loop over query results, keyed by the row (``for a in qs: a.save()`` / ``a.delete()``, ``Model.objects.filter(pk=a.pk).update(…)``,
    ``Log.objects.create(article=a)``) sends one statement per row — inside a transaction too.
    Only a write written in the loop body itself: a model method or a ``save()`` the project
    overrides runs per-row logic (signals, files, computed fields) that a bulk statement skips."""
    seen: set = set()
    handlers = ctx.program.handler_functions()
    for analysis in analyses:
        if non_production(analysis.path) or (analysis.path, analysis.fid) not in handlers:
            continue  # a request's latency: a periodic cleanup or a management command deletes row by row on purpose
        for effect in _effects(analysis):
            statement = _write_statement(ctx, effect)  # conn.execute(tags.insert().values(…)): one statement run
            if effect.op != "write" or not statement and (effect.stack not in _PER_ROW_WRITE_STACKS
                                                          or effect.method not in _ROUND_TRIP_WRITES):
                continue
            loop_id = next((lid for lid in reversed(effect.loops) if f"elem:{lid}" in effect.deps), None)
            loop = loops.get(loop_id) if loop_id is not None else None
            if loop is None or loop.source not in ("rows", "query", "built") or non_production(effect.path):
                continue
            if effect.path != loop.path or not _within(effect.span, loop.span) or _batched(effect, loop_id):
                continue
            if _decided_per_row(effect, loop) or _leaves_the_loop(ctx, effect.path, effect.span, loop) \
                    or v.inside_loop(effect.tags, v.HANDLER_LOOPS_TAG, effect.loops, loop_id):
                continue  # `if not cp.valid: cp.delete(); continue` — a per-row decision, not every row; `a.save(); break` — once
            if effect.method in ("save", "asave", "delete", "adelete") and _overridden(ctx, effect.model, effect.method):
                continue
            key = (effect.path, effect.span, loop_id)
            if key in seen or _guarded(ctx, {}, effect.path, effect.span, loop):
                continue
            seen.add(key)
            yield _write_finding(ctx, effect, loop, statement)


def _write_statement(ctx: CheckContext, effect) -> str:
    """``insert`` / ``update`` / ``delete`` when the write runs a built INSERT/UPDATE/DELETE statement (a SQLAlchemy
    ``insert(Tag)``, Core ``tags.update().where(…)``, given to ``execute``): each run is one statement and one round
    trip, on any stack that runs it (a session, a connection, encode/databases).  ``""`` for any other write."""
    query = effect.query
    if type(query) is not v.Query or not query.write or not query.chains:
        return ""
    chain = min(query.chains, key=lambda c: (len(c), tuple((step.path, step.node.span) for step in c)))
    first = chain[0].node if chain else None
    if type(first) is not ir.Call:
        return ""
    name = first.method or (ctx.program.static_name(chain[0].path, first.func) or "").rsplit(".", 1)[-1].rsplit(":", 1)[-1]
    return name if name in ("insert", "update", "delete") else "write"


def _decided_per_row(effect, loop) -> bool:
    """The write runs on one side of an ``if`` inside the loop (or after an ``if … continue``)."""
    for site, _side in effect.branch:
        path, _, rest = site.rpartition(":")[0].rpartition(":")
        if path != loop.path or not rest.isdigit():
            continue
        if loop.span.line <= int(rest) <= loop.span.end_line:
            return True
    return False


def _overridden(ctx: CheckContext, model_key: str, method: str) -> bool:
    """The project's model defines ``save``/``delete`` itself: each call runs its code."""
    model = ctx.program.schema.get(model_key) if model_key else None
    if model is None:
        return True  # not known: not judged
    if model.cid < 0:
        return False  # `sequelize.define(…)`: no class to override it
    return ctx.program.method(model.path, model.cid, method.lstrip("a") if method.startswith("a") else method) is not None


def _write_finding(ctx: CheckContext, effect, loop, statement: str = "") -> Finding:
    name = _model_name(effect.model)
    on = f" on {name}" if name else ""
    if statement:
        fix = {"insert": "one `execute(insert(table), [row, …])` with the list of rows (executemany)",
               "update": "one `update(table).where(table.c.id.in_(ids))` (or one executemany of the statement with "
                         "`bindparam`s and a list of values)",
               "delete": "one `delete(table).where(table.c.id.in_(ids))`"}
    elif effect.stack == "django":
        fix = {"save": "`Model.objects.bulk_update(rows, [fields])`", "create": "`Model.objects.bulk_create([...])`",
               "delete": "one `queryset.delete()` (Django still sends the delete signals)",
               "update": "one `.filter(pk__in=ids).update(…)` (or `bulk_update` for per-row values)"}
    elif effect.stack == "sequelize":
        fix = {"save": "one `Model.update(values, { where: { id: ids } })`", "create": "`Model.bulkCreate([...])`",
               "destroy": "one `Model.destroy({ where: { id: ids } })`", "update": "one `Model.update(values, { where: { id: ids } })`"}
    else:
        fix = {"create": "one `createMany` / `insertMany` / `insert([...])`", "update": "one `updateMany` keyed by the ids",
               "delete": "one `deleteMany` keyed by the ids"}
    bare = effect.method.lstrip("a") if effect.method in ("asave", "acreate", "aupdate", "adelete") else effect.method
    bare = statement or bare
    if loop.source == "built" and bare in ("save", "create"):
        # instances the code constructed and never stored: each `save()` is an INSERT (Django tries an UPDATE
        # first when the constructor set the primary key), and the list to insert at once is already there
        insert = {"django": f"`{name or 'Model'}.objects.bulk_create(instances)`", "sequelize": "`Model.bulkCreate([...])`"}
        message = (
            f"N+1 writes: `{effect.method}`{on} stores the instances built in the list of the `{loop.kind}` loop at line "
            f"{loop.span.line} one at a time: 100 instances send 100 INSERT statements (one round trip each, a "
            f"transaction does not batch them)"
        )
        guidance = f"Insert the list in one statement: {insert.get(effect.stack, 'one bulk insert of the list')}."
        trace = (TraceStep(loop.path, loop.span.line, loop.span.column, "the loop over instances the code built, not loaded"),)
        return ctx.registry.finding("AL601", effect.path, effect.span, message, guidance, trace)
    instead = fix.get(bare, "one statement for all the rows")
    shown = f"`{effect.method}` of {'a' if statement == 'delete' else 'an'} {statement.upper()} statement" if statement in fix else f"`{effect.method}`"
    message = (
        f"N+1 writes: {shown}{on} runs once per row of the `{loop.kind}` loop at line {loop.span.line}: "
        f"100 rows send 100 write statements (one round trip each, a transaction does not batch them)"
    )
    guidance = f"Write all the rows in one statement: {instead}."
    trace = (TraceStep(loop.path, loop.span.line, loop.span.column, "the loop over query results"),)
    return ctx.registry.finding("AL601", effect.path, effect.span, message, guidance, trace)


def _leaves_the_loop(ctx: CheckContext, path: str, span, loop) -> bool:
    """Every path from the place in the loop body leaves the loop (``return`` / ``raise`` /
    ``break``): the query runs at most once per loop, on the iteration that ends it — langflow's
    API-key lookup scans keys and, on the match, loads the user and returns."""
    statement = _loop_statement(ctx, path, loop)
    return statement is not None and _exits_after(statement.body, span)


def _loop_statement(ctx: CheckContext, path: str, loop):
    """The ``for`` / ``while`` statement of ``loop`` in ``path``, else ``None``."""
    program = ctx.program
    module = program.modules.get(path) if program is not None and path == loop.path else None
    if module is None or loop.kind not in ("for", "while"):
        return None
    return _loop_node(program, loop)


def _loop_node(program, loop):
    """The IR loop of ``loop`` (a ``for``, ``while`` or an inline callback's ``.map``) in its module, found once
    per run whichever of AL601/AL603/AL605 asks; ``None`` when its module has none at that place."""
    def find():
        module = program.modules.get(loop.path)
        return next(filter(None, (_loop_in(body, loop) for body in
                                  (module.module.body, *(function.body for function in module.functions)))), None) \
            if module is not None else None
    return program.memoised(f"loop-node:{loop.path}:{loop.span}", find)


def _loop_in(body, loop):
    """The ``for`` / ``while`` statement of ``loop`` among the nodes of ``body``, else ``None``."""
    return next((node for node in ir.iter_nodes(body) if type(node) is ir.Loop and node.span == loop.span), None)


def _exits_after(block, span) -> bool:
    """In ``block``, the statement holding ``span`` and those after it leave the enclosing loop on every path."""
    for index, statement in enumerate(block):
        if not ir.span_contains(statement.span, span):
            continue
        if any(_always_exits(later) for later in block[index:]):
            return True
        kind = type(statement)
        if kind is ir.If:
            inner = statement.body if any(ir.span_contains(s.span, span) for s in statement.body) else statement.orelse
            return _exits_after(inner, span)
        if kind is ir.With:
            return _exits_after(statement.body, span)
        return False
    return False


def _always_exits(statement) -> bool:
    kind = type(statement)
    if kind in (ir.Return, ir.Raise):
        return True
    if kind is ir.Jump:
        return statement.kind == "break"
    if kind is ir.If:
        return bool(statement.orelse) and all(any(_always_exits(s) for s in branch) for branch in (statement.body, statement.orelse))
    if kind is ir.With:
        return any(_always_exits(s) for s in statement.body)
    return False


def _batched(effect, loop_id: str) -> bool:
    """The query selects the rows of a chunk the loop hands out: its ``__in`` filter takes the loop
    element itself (Django ``filter(id__in=chunk)``) — one query per chunk of keys, the batching that
    *fixes* an N+1, not one."""
    query = v.strip(effect.query) if effect.query is not None else None
    if type(query) is not v.Query or query.stack != "django":
        return False
    tag = f"elem:{loop_id}"
    for chain in query.chains:
        for step in chain:
            for _kind, name, value in getattr(step, "args", ()):
                if name and name.endswith("__in") and tag in v.tags_of(value) and type(v.strip(value)) is not v.Query:
                    return True
    return False


def _in_identity_map(ctx: CheckContext, analysis, effect, loop_id: str, loop) -> bool:
    """SQLAlchemy: a many-to-one relation read per row whose target row the same session already
    loaded by that row's foreign key, earlier in the same iteration and on every path to the read
    (mlflow's gateway config resolver: ``sql_model_def = store._get_entity_or_raise(session,
    SqlGatewayModelDefinition, {"model_definition_id": sql_mapping.model_definition_id})`` then
    ``sql_mapping.to_mlflow_entity()`` reading ``self.model_definition``).  The lazy loader of a
    simple many-to-one looks the key up in the session's identity map first and sends no SELECT.
    The key is the relation's only foreign-key column to the target's table, a unique column of the
    target of the same name; it is read from a row of the relation's model — the loop's own element,
    or a row an earlier key lookup of this iteration returned (``{"secret_id": sql_model_def.secret_id}``)."""
    if effect.stack != "sqlalchemy":
        return False
    schema = ctx.program.schema
    relation = schema.relation(effect.model, effect.detail)
    if relation is None or relation.collection or not relation.target:
        return False
    model, target = schema.models.get(effect.model), schema.models.get(relation.target)
    if model is None or target is None or not target.table:
        return False
    keys = [column for column, table in model.foreign_keys.items() if table == target.table]
    if len(keys) != 1 or frozenset({keys[0]}) not in target.unique:
        return False
    sessions = {tag for tag in effect.tags if tag.startswith("sess:")}
    module = ctx.program.modules.get(analysis.path)
    place = effect.trace[0] if effect.trace else (effect.path, effect.span, "")
    if not sessions or module is None or place[0] != analysis.path:
        return False
    lookups = _key_lookups(module, analysis, loop_id, sessions, place[1], set(effect.branch))
    body = module.functions[analysis.fid].body
    return any(found == target.key and _key_of_row(body, argument, keys[0], model.key, loop, lookups)
               for found, _call, argument in lookups)


def _repeated_get(ctx: CheckContext, analysis, effect, loop_id: str, loop) -> bool:
    """SQLAlchemy: a primary-key ``get`` written in the loop body (``Model.query.get(k)`` /
    ``session.get(Model, k)``) after a ``get`` of the same model by the same key reference, through the same
    session, earlier in the iteration and on every path to it (ihatemoney's ``"payer_name":
    Person.query.get(bill.payer_id).name, "payer_weight": Person.query.get(bill.payer_id).weight``).
    ``get`` looks the key up in the session's identity map first: the second sends no SELECT (the first
    is still reported).  The key must be a name or attribute chain from a name the loop body does not rebind."""
    if effect.stack != "sqlalchemy" or effect.method != "get" or not effect.handle \
            or effect.path != loop.path or not _within(effect.span, loop.span):
        return False
    facts = ctx.files.get(effect.path)
    module = facts.ir if facts is not None and facts.parsed else None
    function = ir.innermost_function(module, effect.span) if module is not None else None
    if function is None:
        return False
    calls = {node.span: node for node in ir.iter_nodes(function.body) if type(node) is ir.Call}
    key = _get_key(calls.get(effect.span))
    root = key
    while type(root) is ir.Attr:
        root = root.obj
    if type(root) is not ir.Name:
        return False
    statement = next((node for node in ir.iter_nodes(function.body) if type(node) is ir.Loop and node.span == loop.span), None)
    if statement is None or any(type(node) is ir.Assign and any(root.id in ir.target_names(t) for t in node.targets)
                                for node in ir.iter_nodes(statement.body)):
        return False  # `payer = …` inside the loop: the name may hold another object on a later line
    branch = set(effect.branch)
    for other in _effects(analysis):
        if (other.op == "read" and other.method == "get" and other.path == effect.path and other.trace == effect.trace
                and other.model == effect.model and other.handle == effect.handle and loop_id in other.loops
                and set(other.branch) <= branch and _within(other.span, loop.span)
                and (other.span.line, other.span.column) < (effect.span.line, effect.span.column)):
            earlier = _get_key(calls.get(other.span))
            if earlier is not None and _same_ref(earlier, key):
                return True
    return False


def _get_key(call):
    """The key of ``Model.query.get(k)`` / ``session.get(Model, k)``: its last positional argument."""
    if call is None or call.method != "get":
        return None
    positional = [arg.value for arg in call.args if arg.kind == "pos"]
    return positional[-1] if positional else None


def _key_lookups(module, analysis, loop_id: str, sessions: set, before, branch: set) -> list:
    """(model, call, (key name, value)) of the reads of this iteration that run before ``before`` on
    every path to it, through the ``sessions`` of the lazy read, given a keyword / dict entry / ``get`` key."""
    calls = {node.span: node for node in ir.iter_nodes(module.functions[analysis.fid].body) if type(node) is ir.Call}
    found = []
    for other in _effects(analysis):
        # the same session, and that one only: a lookup through a second session carries both tags
        # (the key it is given comes from a row of the first)
        if other.op != "read" or loop_id not in other.loops or not set(other.branch) <= branch \
                or {tag for tag in other.tags if tag.startswith("sess:")} != sessions:
            continue
        path, span = (other.trace[0][0], other.trace[0][1]) if other.trace else (other.path, other.span)
        call = calls.get(span) if path == analysis.path else None
        if call is None or (span.line, span.column) >= (before.line, before.column):
            continue
        keyed = {a.name: a.value for a in call.args if a.kind == "kw"}
        keyed.update({e.key: e.value for a in call.args if type(a.value) is ir.Obj for e in a.value.entries if type(e.key) is str})
        for name, value in keyed.items():
            found.append((other.model, call, (name, value)))
        if call.method == "get":
            found.extend((other.model, call, ("", a.value)) for a in call.args if a.kind == "pos")
    return found


def _key_of_row(body, argument, key: str, model: str, loop, lookups) -> bool:
    """``key=row.key`` (or ``{"key": row.key}``, ``session.get(T, row.key)``) where ``row`` is the
    loop's element over rows of ``model``, or bound in the iteration to an earlier key lookup of ``model``."""
    name, value = argument
    if name not in ("", key) or type(value) is not ir.Attr or value.name != key or type(value.obj) is not ir.Name:
        return False
    row = value.obj.id
    node = next((n for n in ir.iter_nodes(body) if type(n) is ir.Loop and n.span == loop.span), None)
    if node is not None and type(node.target) is ir.Name and node.target.id == row and loop.model == model:
        return True
    bound = [n for n in ir.iter_nodes(body) if type(n) is ir.Assign and any(type(t) is ir.Name and t.id == row for t in n.targets)]
    return len(bound) == 1 and any(found == model and call.span == bound[0].value.span for found, call, _a in lookups)


def _report_place(effect, loop):
    """Where the loop body triggers the query: the call inside the loop that leads to it, or the
    query itself when it is written in the loop."""
    steps = list(effect.trace)
    inside = [index for index, (path, span, _label) in enumerate(steps) if path == loop.path and _within(span, loop.span)]
    if inside:
        first = inside[-1]
        path, span, label = steps[first]
        return path, span, [(path, span, label)] + steps[first + 1:], True
    return effect.path, effect.span, [], False


def _finding(ctx: CheckContext, path: str, span, loop, effects) -> Finding:
    effect, chain, inside = effects[0]
    lazy_only = all(e.op == "lazy" for e, _c, _i in effects)
    nestings = [_nesting(ctx, e) for e, _c, _i in effects]
    fields = ctx.program.nested_fields
    trace = tuple(TraceStep(p, s.line, s.column, f"serialises each `{fields[(p, s)][0]}` with `{fields[(p, s)][1]}`"
                            if (p, s) in fields else f"calls `{label}`") for p, s, label in chain[1:])
    if inside:
        trace += tuple(TraceStep(e.path, e.span.line, e.span.column, _what(e, n)) for (e, _c, _i), n in zip(effects, nestings))
    iterated = f"`{loop.kind}` loop at line {loop.span.line}" if loop.path == path else f"loop at {loop.path}:{loop.span.line}"
    count = len(effects)
    what = ", ".join(_what(e, n) for (e, _c, _i), n in zip(effects[:3], nestings)) + (f" and {count - 3} more" if count > 3 else "")
    through = f" through `{chain[0][2]}`" if inside else ""
    hint = _EAGER_HINT.get(effect.stack, "load the related rows with the first query")
    nested = _nested_note(effects, nestings)
    if lazy_only:
        schema = ctx.program.schema
        steps = [_steps_from_row(schema, loop.model, e, n) for (e, _c, _i), n in zip(effects, nestings)]
        relations = ", ".join(f"`{'.'.join(name for _m, name, _r in path) if path else _relation_path(e, n)}`"
                              for (e, _c, _i), n, path in zip(effects, nestings, steps))
        message = (
            f"N+1: {relations} {'is' if count == 1 else 'are'} lazy-loaded once per row of the {iterated}{through}"
            f"{nested}: a page of 100 rows sends {100 * count + 1} queries and the endpoint slows down as the data grows"
        )
        guidance = f"Load {relations} with the rows instead: {_eager_hint(effect.stack, steps, schema_known(ctx.program).django_generic_keys) or hint}."
        if all(v.KEYED_MIXIN_TAG in e.tags for e, _c, _i in effects):  # viewer.hasFollow(row.id): keyed by the row
            getters = " / ".join(sorted({f"`get{e.detail[:1].upper()}{e.detail[1:]}({{ where: {{ id: ids }} }})`" for e, _c, _i in effects}))
            guidance = (f"Ask for {relations} once for the whole list instead: one {getters} on the same receiver with the "
                        "keys of all rows, then a `Set` lookup per row; pass the set into the per-row code.")
        return ctx.registry.finding("AL603", path, span, message, guidance, trace)
    message = (
        f"N+1: {count} quer{'y' if count == 1 else 'ies'} per row of the {iterated}{through} ({what}), keyed by the row{nested}: "
        f"a list of 100 rows sends {100 * count + 1} queries and the latency grows with the data"
    )
    guidance = (
        f"Fetch the related data for all rows at once — {hint}, or one `IN (…)` query keyed by the ids and a dict "
        f"lookup per row; pass the result into the per-row code instead of querying there."
    )
    requeries = sorted({(e.query.via.rpartition(".")[2], t[len(v.REQUERY_TAG):]) for e, _c, _i in effects
                        for t in e.tags if t.startswith(v.REQUERY_TAG) and "." in (getattr(e.query, "via", "") or "")})
    for relation, method in requeries:  # taggit: names() is get_queryset().values_list(…), a clone past the prefetch cache
        guidance += (f" `obj.{relation}.{method}()` is `get_queryset().values_list(…)`: a new query per row even after "
                     f"`prefetch_related(\"{relation}\")` — prefetch it and read the cached rows instead "
                     f"(`[t.{method[:-1] if method.endswith('s') else 'name'} for t in obj.{relation}.all()]`).")
    if nested:
        relations = sorted({".".join(r for r, _d in n) for n in nestings if n})
        guidance += (" What the nested serializer/schema reads, it reads for each related object: load it along "
                     + ", ".join(f"`{r}`" for r in relations) + " on the list's queryset (a `Prefetch` with its own queryset, "
                     "an `annotate(…)` read by the nested field) or hand the nested serializer the data through its context.")
    return ctx.registry.finding("AL601", path, span, message, guidance, trace)


def _nesting(ctx: CheckContext, effect) -> list:
    """The nested serializer/schema fields an effect's trace passes through, outermost first:
    [(relation, declaration)] — ``[("author", "ArticleSerializer.author = ProfileSerializer()")]``
    for a query the nested ``ProfileSerializer`` runs on each article's author (the field's own
    lazy load of ``author`` is made before the step into it, so it has none)."""
    fields = ctx.program.nested_fields
    if not fields:
        return []
    return [fields[(p, s)] for p, s, _label in effect.trace if (p, s) in fields]


def _steps_from_row(schema, root: str, effect, nesting) -> list:
    """The relations from the loop's row to a lazy load, ``[(model, relation, Relation)]``: ``user`` read on each
    article's ``author`` is ``author`` (Article) then ``user`` (Profile).  The row's model and the schema decide it:
    the load is on the row itself, or one relation path of at most three steps leads to the loaded model (several
    paths, or none: ``[]``, the load is named as the effect names it)."""
    if nesting or not root or not effect.detail or root not in schema.models:
        return []
    names = effect.detail.split(".")
    if effect.model == root or len(names) > 1:
        path, model = [], root
        for name in names:
            relation = schema.relation(model, name)
            if relation is None:
                return []
            path.append((model, name, relation))
            model = relation.target
        return path
    last = schema.relation(effect.model, effect.detail)
    if last is None:
        return []
    frontier, seen = [(root, [])], {root}
    for _depth in range(3):
        found, following = [], []
        for model, path in frontier:
            for name, relation in schema.models[model].relations.items() if model in schema.models else ():
                if relation.kind != "forward" or not relation.target or relation.target in seen and relation.target != effect.model:
                    continue
                step = path + [(model, name, relation)]
                if relation.target == effect.model:
                    found.append(step)
                else:
                    following.append((relation.target, step))
        if found:
            return found[0] + [(effect.model, effect.detail, last)] if len(found) == 1 else []
        seen.update(model for model, _p in following)
        frontier = following
    return []


def _eager_hint(stack: str, steps: list, generic_keys: frozenset = frozenset()) -> str:
    """The eager load that fixes these lazy loads, spelled for the ORM with the paths from the row: Django's
    ``select_related("author__user")`` (``prefetch_related`` when a step is a collection or a generic
    foreign key — ``generic_keys``, orms.toml ``django_generic_keys``), SQLAlchemy's
    ``joinedload(Article.author).joinedload(Profile.user)`` (``selectinload`` for a collection)."""
    paths = [path for path in steps if path]
    if not paths or len(paths) != len(steps) or stack not in ("django", "sqlalchemy"):
        return ""
    longest = [p for p in paths if not any(len(q) > len(p) and [s[1] for s in q[:len(p)]] == [s[1] for s in p] for q in paths)]
    unique = list({tuple(step[1] for step in path): path for path in longest}.values())
    if stack == "django":
        joined = [path for path in unique if not any(relation.collection or relation.via in generic_keys for _m, _n, relation in path)]
        prefetched = [path for path in unique if path not in joined]
        parts = []
        if joined:
            parts.append(".select_related(" + ", ".join(f'"{"__".join(n for _m, n, _r in p)}"' for p in joined) + ")")
        if prefetched:
            parts.append(".prefetch_related(" + ", ".join(f'"{"__".join(n for _m, n, _r in p)}"' for p in prefetched) + ")")
        return f"add `{''.join(parts)}` to the queryset that loads the rows"
    options = []
    for path in unique:
        chain = ".".join(f"{'selectinload' if relation.collection else 'joinedload'}({model.rsplit(':', 1)[-1]}.{name})"
                         for model, name, relation in path)
        options.append(chain)
    return f"add `.options({', '.join(options)})` to the query that loads the rows"


def _relation_path(effect, nesting) -> str:
    """A lazy load's relation from the row: ``author.user`` for ``user`` read on each ``author``."""
    return ".".join([relation for relation, _d in nesting] + [effect.detail])


def _nested_note(effects, nestings) -> str:
    """`` — `ProfileSerializer` runs them for each `author` (`ArticleSerializer.author = ProfileSerializer()`)``:
    the relation whose objects a nested serializer's queries run on, named with its declaration."""
    declarations: dict = {}
    for nesting in nestings:
        if nesting:
            declarations.setdefault(".".join(r for r, _d in nesting), nesting[-1][1])
    if not declarations:
        return ""
    return "".join(f"; each row's `{relation}` is serialised by the nested `{declaration}`, whose reads run once per related object"
                   for relation, declaration in declarations.items())


def _what(effect, nesting=()) -> str:
    if effect.op == "lazy":
        return f"lazy load of `{_relation_path(effect, nesting)}`"
    if effect.method == "await":  # a knex / Drizzle builder runs when awaited
        return f"{effect.stack} query" + (f" on `{_model_name(effect.model)}`" if effect.model else "")
    via = getattr(effect.query, "via", "") or ""
    relation = f" through the related manager `{via.rpartition('.')[2]}`" if via and "." in via else ""
    each = f" for each `{'.'.join(r for r, _d in nesting)}`" if nesting else ""
    requery = sorted(t[len(v.REQUERY_TAG):] for t in effect.tags if t.startswith(v.REQUERY_TAG))
    if requery and relation:  # taggit's `obj.tags.names()`: a values_list of the manager's queryset
        name = via.rpartition(".")[2]
        return f"`{name}.{requery[0]}()` query through the related manager `{name}` (run even when `{name}` is prefetched){each}"
    return f"`{effect.method}` query" + (f" on {_model_name(effect.model)}" if effect.model else "") + relation + each


def _model_name(key: str) -> str:
    return key.rsplit(":", 1)[-1] if key else ""


def _guarded(ctx: CheckContext, memo: dict, path: str, span, loop) -> bool:
    key = (path, span, loop.id)
    if key not in memo:
        memo[key] = _memoized(ctx, path, span, loop)
    return memo[key]


def _memoized(ctx: CheckContext, path: str, span, loop) -> bool:
    """The per-row code sits under a memo guard — ``if key not in cache:`` whose block stores
    ``cache[…] = …``, ``if not hasattr(obj, "name"):`` whose block sets ``obj.name`` (pretix's
    per-event layout map), or ``x = getattr(obj, "name", None)`` then ``if x is None:`` whose block
    stores it back — so it runs once per distinct key or object, not once per row.  A guard
    in the loop's own function must sit inside the loop (one around the loop guards nothing per row);
    in a function the loop reaches through calls, any guard around the query counts."""
    facts = ctx.files.get(path)
    module = facts.ir if facts is not None and facts.parsed else None
    if module is None:
        return False
    function = ir.innermost_function(module, span)
    if function is None:
        return False
    in_loop_function = loop.path == path and _within(span, loop.span)
    for node in ir.iter_nodes(function.body):
        if type(node) is not ir.If:
            continue
        if in_loop_function and not _within(node.span, loop.span):
            continue
        if _annotation_fallback(ctx, function, node, span, loop):
            return True
        if not any(_within(span, stmt.span) for stmt in node.body):
            continue
        if in_loop_function and _change_guard(ctx, function, node, loop):
            return True
        test = node.test
        if type(test) is ir.Compare and test.op == "not-in" and type(test.right) in (ir.Name, ir.Attr):
            cache = test.right
            if any(_stores_into(stored, cache) for stored in ir.iter_nodes(node.body)):
                return True
        held = _hasattr_test(test) or _getattr_memo_test(function, test)
        if held is not None and any(_sets_attribute(stored, held) for stored in ir.iter_nodes(node.body)):
            return True
        cache = _read_through_test(ctx, function, test)
        if cache is not None and any(_stores_into(stored, cache) or _cache_write(ctx, stored, cache)
                                     for stored in ir.iter_nodes(node.body)):
            return True
    return False


def _change_guard(ctx: CheckContext, function: ir.Function, node: ir.If, loop) -> bool:
    """``if last != row.event_id: …; last = row.event_id`` in a loop over rows the query orders by that field
    (``.order_by("event_id")``, orms.toml ``django_orderings``): the rows of one value come one after the other,
    so the block runs once per value — pretix's expiry reminders read each event's settings only when the event
    changes.  The name must be bound in the loop only by the block itself; rows in another order (or an order
    archlint cannot read) may alternate between values, and the block may run for every row."""
    test = node.test
    if type(test) is not ir.Compare or test.op != "!=":
        return False
    statement = _loop_in(function.body, loop)
    if statement is None or type(statement.target) is not ir.Name or type(statement.body) is not tuple:
        return False
    for held, key in ((test.left, test.right), (test.right, test.left)):
        if type(held) is not ir.Name or type(key) is not ir.Attr or type(key.obj) is not ir.Name \
                or key.obj.id != statement.target.id:
            continue
        stores = [s for s in node.body if type(s) is ir.Assign and len(s.targets) == 1 and type(s.targets[0]) is ir.Name
                  and s.targets[0].id == held.id and s.op == "=" and s.value is not None and _same_ref(s.value, key)]
        if not stores:
            continue
        others = [n for n in ir.iter_nodes(statement.body) if type(n) is ir.Assign and n not in stores
                  and any(held.id in ir.target_names(t) for t in n.targets)]
        if not others and _ordered_by(ctx, function, statement.iter, key.name):
            return True
    return False


def _ordered_by(ctx: CheckContext, function: ir.Function, source, field: str) -> bool:
    """The rows ``source`` yields are ordered first by ``field`` (``event_id`` or its relation ``event``): the last
    ordering call of its chain (or of the one assignment of the name it is) names it first."""
    if type(source) is ir.Name:
        bound = [n for n in ir.iter_nodes(function.body) if type(n) is ir.Assign
                 and any(source.id in ir.target_names(t) for t in n.targets)]
        if len(bound) != 1 or len(bound[0].targets) != 1 or type(bound[0].targets[0]) is not ir.Name or bound[0].value is None:
            return False
        source = bound[0].value
    orderings = schema_known(ctx.program).django_orderings
    while type(source) is ir.Call and type(source.func) is ir.Attr:
        if source.func.name in orderings:
            first = source.args[0].value if source.args and source.args[0].kind == "pos" else None
            if type(first) is not ir.Const or not isinstance(first.value, str):
                return False
            name = first.value.lstrip("-")
            return name == field or f"{name}_id" == field
        source = source.func.obj
    return False


def _annotation_fallback(ctx: CheckContext, function: ir.Function, node: ir.If, span, loop) -> bool:
    """The query is the fallback for rows loaded without an annotation: ``if not hasattr(self,
    "config_context_data"): <query>`` (or ``if hasattr(…): … else: <query>``, or ``if hasattr(self, "pcnt"):
    return self.pcnt`` followed by the query — the body exits, so what follows it in the same block runs
    only without the attribute) where the name is one the project's querysets of the loop's model annotate
    onto its rows (``self.annotate(config_context_data=…)`` in its queryset class,
    ``django_managers.annotated_names``) or the loop's own file annotates — the rows that carry it answer
    from the annotation, with no query (nautobot's ``get_config_context``, pretix's ``count_positions``)."""
    test, branch = node.test, node.body
    if type(test) is ir.Call:  # `if hasattr(obj, "n"): … else: <query>`
        test, branch = ir.Unary("not", test, test.span), node.orelse
        if ir.exits(node.body):  # `if hasattr(obj, "n"): return obj.n` then <query>
            branch = tuple(branch) + _following(function.body, node)
    held = _hasattr_test(test)
    if held is None or not loop.model or not any(_within(span, stmt.span) for stmt in branch):
        return False
    from archlint.semantics.django_managers import annotated_names

    name = held[1]
    return name in annotated_names(ctx.program, loop.model) or name in _file_annotations(ctx, loop.path)


def _carried_queryset(ctx: CheckContext, path: str, span, effect, loop) -> bool:
    """The loop carries the queryset the query evaluates from one row to the next: ``qs = notify(row,
    rules=qs)`` (or ``done, qs = …``) in the loop body, where the callee builds the queryset only under ``if
    rules is None:``, evaluates that parameter (``if not rules:``, ``for rule in rules:``) and returns it.  A
    Django queryset keeps the rows of its first evaluation, so the query runs once per queryset, not once per
    row — again only where the loop drops it (``if change.kind != last_kind: rules = None``, nautobot's
    ``enqueue_job_hooks`` / ``enqueue_webhooks``).  The loop may not reset the name on every row (an
    unconditional assignment in its body), and the callee may not assign the parameter another way.  Only a stack
    whose built queries cache their rows (semantics.toml ``lazy_queries``): a SQLAlchemy ``Query`` runs again on
    every iteration."""
    if effect.stack not in ctx.program.library.lazy_queries:
        return False
    callee_module = _module(ctx, effect.path)
    if callee_module is None:
        return False
    statement = _loop_node(ctx.program, loop)
    call = next((n for n in ir.iter_nodes(statement.body) if type(n) is ir.Call and n.span == span), None) \
        if statement is not None else None
    callee = ir.innermost_function(callee_module, effect.span)
    if call is None or callee is None or type(call.func) not in (ir.Name, ir.Attr):
        return False
    if call.short_name != callee.name:
        return False
    carrier = next((n for n in ir.iter_nodes(statement.body) if type(n) is ir.Assign and n.value is call), None)
    if carrier is None:
        return False
    carried = {name for t in carrier.targets for name in ir.target_names(t)}
    params = [p.name for p in callee.params if p.name != ir.self_name(callee)]
    passed = set()
    for index, arg in enumerate(a for a in call.args if a.kind == "pos"):
        if type(arg.value) is ir.Name and arg.value.id in carried and index < len(params):
            passed.add((arg.value.id, params[index]))
    for arg in call.args:
        if arg.kind == "kw" and type(arg.value) is ir.Name and arg.value.id in carried and arg.name in params:
            passed.add((arg.value.id, arg.name))
    for name, param in passed:
        if _reset_every_row(statement.body, name, carrier) or not _cached_parameter(callee, param, effect.span):
            continue
        return True
    return False


def _module(ctx: CheckContext, path: str):
    facts = ctx.files.get(path)
    return facts.ir if facts is not None and facts.parsed else None


def _reset_every_row(body: tuple, name: str, carrier) -> bool:
    """The loop body assigns ``name`` outside any ``if`` other than by the carrying call itself."""
    for statement in body:
        if statement is carrier:
            continue
        if type(statement) is ir.Assign and any(name in ir.target_names(t) for t in statement.targets):
            return True
    return False


def _cached_parameter(function: ir.Function, param: str, span) -> bool:
    """In ``function``, ``param`` is assigned only under ``if param is None:``, the query at ``span`` evaluates the
    parameter itself (a truth test, ``for … in param``, ``len``/``list``/``bool`` of it), and a ``return``
    hands it back (alone or in a tuple)."""
    guarded = {id(n) for node in ir.iter_nodes(function.body) if type(node) is ir.If and _is_none_test(node.test, param)
               for n in ir.iter_nodes(node.body)}
    evaluated = returned = False
    for node in ir.iter_nodes(function.body):
        kind = type(node)
        if kind is ir.Assign and any(param in ir.target_names(t) for t in node.targets) and id(node) not in guarded:
            return False
        if kind is ir.If and _evaluates(node.test, param, span):
            evaluated = True
        elif kind is ir.Loop and type(node.iter) is ir.Name and node.iter.id == param and _at(node.iter.span, span):
            evaluated = True
        elif kind is ir.Call and type(node.func) is ir.Name and node.func.id in ("len", "list", "bool") \
                and len(node.args) == 1 and type(node.args[0].value) is ir.Name and node.args[0].value.id == param \
                and (_at(node.span, span) or _at(node.args[0].value.span, span)):
            evaluated = True
        elif kind is ir.Return and node.value is not None:
            values = node.value.elts if type(node.value) is ir.Seq else (node.value,)
            returned = returned or any(type(value) is ir.Name and value.id == param for value in values)
    return evaluated and returned


def _is_none_test(test, name: str) -> bool:
    return type(test) is ir.Compare and test.op == "is" and type(test.left) is ir.Name and test.left.id == name \
        and type(test.right) is ir.Const and test.right.value is None


def _evaluates(test, name: str, span) -> bool:
    """``if name:`` / ``if not name:`` at ``span``."""
    if type(test) is ir.Unary and test.op == "not":
        test = test.operand
    return type(test) is ir.Name and test.id == name and _at(test.span, span)


def _at(node_span, span) -> bool:
    return (node_span.line, node_span.column) == (span.line, span.column)


def _following(block: tuple, statement) -> tuple:
    """The statements after ``statement`` in the block that holds it (searched from ``block`` down), else ``()``."""
    for index, candidate in enumerate(block):
        if candidate is statement:
            return tuple(block[index + 1:])
    for node in ir.iter_nodes(block):
        for value in node:
            if type(value) is tuple and any(item is statement for item in value):
                return _following(value, statement)
    return ()


def _file_annotations(ctx: CheckContext, path: str) -> frozenset:
    """The keywords of every ``.annotate(…)`` call written in one file (orms.toml ``django_annotations``)."""
    cache = ctx.program.memoised("file_annotations", dict)
    if path not in cache:
        facts = ctx.files.get(path)
        module = facts.ir if facts is not None and facts.parsed else None
        methods = schema_known(ctx.program).django_annotations
        cache[path] = frozenset(arg.name for function in (module.functions if module is not None else ())
                                for node in ir.iter_nodes(function.body)
                                if type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name in methods
                                for arg in node.args if arg.kind == "kw" and arg.name)
    return cache[path]


def _read_through_test(ctx: CheckContext, function: ir.Function, test):
    """``if choices is None:`` / ``if not choices:`` after ``choices = cache.get(key)``: the cache
    (``cache``, ``self._cache``), else ``None``."""
    name = _none_test_name(test)
    if name is None:
        return None
    reads = frameworks.known(ctx.program).cache_reads
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Assign and len(node.targets) == 1 and type(node.targets[0]) is ir.Name and node.targets[0].id == name:
            value = node.value
            if type(value) is ir.Call and type(value.func) is ir.Attr and value.func.name in reads \
                    and type(value.func.obj) in (ir.Name, ir.Attr):
                return value.func.obj
    return None


def _cache_write(ctx: CheckContext, node, cache) -> bool:
    """``cache.set(key, value)`` on the cache the guard read."""
    writes = frameworks.known(ctx.program).cache_writes
    return type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name in writes and _same_ref(node.func.obj, cache)


def _none_test_name(test):
    """The name of ``x is None`` / ``not x``, else ``None``."""
    if type(test) is ir.Compare and test.op == "is" and type(test.left) is ir.Name and type(test.right) is ir.Const \
            and test.right.value is None:
        return test.left.id
    if type(test) is ir.Unary and test.op == "not" and type(test.operand) is ir.Name:
        return test.operand.id
    return None


def _getattr_memo_test(function: ir.Function, test):
    """``if project is None:`` after ``project = getattr(self, "_project", None)``: (self, "_project"),
    else ``None`` — label-studio's export serializer resolves the project once per serializer."""
    name = _none_test_name(test)
    if name is None:
        return None
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Assign and len(node.targets) == 1 and type(node.targets[0]) is ir.Name and node.targets[0].id == name:
            value = node.value
            if type(value) is ir.BoolOp and value.op == "or":  # `getattr(event, "_domain", None) or event.cache.get(…)`
                value = value.values[0]
            args = [arg.value for arg in value.args] if type(value) is ir.Call else []
            if (type(value) is ir.Call and type(value.func) is ir.Name and value.func.id == "getattr" and len(args) == 3
                    and type(args[0]) in (ir.Name, ir.Attr)):
                if type(args[1]) is ir.Const and isinstance(args[1].value, str):
                    return args[0], args[1].value
                return args[0], render(args[1])  # a computed name (`"_cached_domain" + suffix`): set back by setattr
    return None


def _sets_attribute(node, held) -> bool:
    """``obj.name = …`` / ``setattr(obj, "name", …)`` for ``held`` = (obj, name) — ``name`` also the rendered
    expression of a computed attribute name, set back by ``setattr(obj, <the same expression>, …)``."""
    target, name = held
    if type(node) is ir.Assign:
        return any(type(t) is ir.Attr and t.name == name and _same_ref(t.obj, target) for t in node.targets)
    if type(node) is ir.Call and type(node.func) is ir.Name and node.func.id == "setattr" and len(node.args) >= 3:
        key = node.args[1].value
        same = key.value == name if type(key) is ir.Const else render(key) == name
        return same and _same_ref(node.args[0].value, target)
    return False


def _hasattr_test(test):
    """``not hasattr(obj, "name")``: (obj, "name"), else ``None``."""
    if type(test) is not ir.Unary or test.op != "not" or type(test.operand) is not ir.Call:
        return None
    call = test.operand
    args = [arg.value for arg in call.args]
    if (type(call.func) is ir.Name and call.func.id == "hasattr" and len(args) == 2 and type(args[1]) is ir.Const
            and isinstance(args[1].value, str) and type(args[0]) in (ir.Name, ir.Attr)):
        return args[0], args[1].value
    return None


def _stores_into(node, cache) -> bool:
    """``cache[key] = …`` or ``cache.add(key)`` / ``.append`` / ``.setdefault`` / ``.update``."""
    if type(node) is ir.Assign:
        return any(type(t) is ir.Index and _same_ref(t.obj, cache) for t in node.targets)
    if type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name in ("add", "append", "setdefault", "update"):
        return _same_ref(node.func.obj, cache)
    return False


def _same_ref(a, b) -> bool:
    """The same name or attribute chain (``cache``, ``self._seen``), wherever it is written."""
    if type(a) is ir.Name and type(b) is ir.Name:
        return a.id == b.id
    if type(a) is ir.Attr and type(b) is ir.Attr:
        return a.name == b.name and _same_ref(a.obj, b.obj)
    return False


def _within(span, outer) -> bool:
    return ir.span_contains(outer, span)


# AL605 -------------------------------------------------------------------------------------------
def _loop_invariant_queries(ctx: CheckContext, analyses, loops) -> Iterator[Finding]:
    """A query the body of a loop over data runs on every iteration with the same arguments: nothing it
    reads depends on the element (no ``elem:<loop>`` in its value-flow dependencies) nor on a name the loop
    body binds or changes (the IR of the call in the body), and nothing in the iteration writes to the
    database (a write could change what it returns).  It answers the same each time — ``for item in cart:
    rate = Setting.objects.get(key="vat")`` — and belongs before the loop.  AL601 is the query that *is*
    keyed by the element (its fix is one IN query); this one's fix is hoisting it.  Silent: a loop whose
    element the body never reads (a retry / polling counter: ``for _ in range(5): job = Job.get(id)``),
    ``while`` loops, a query in a ``try`` of the body (a retry), on a path that leaves the loop, or under a
    memo guard (``if rate is None: rate = …``, a read-through cache)."""
    reported: set = set()
    guarded: dict = {}
    for analysis in analyses:
        if non_production(analysis.path):
            continue
        effects = _effects(analysis)
        written = {loop_id for e in effects if e.op in ("write", "dirty") for loop_id in e.loops}
        for effect in effects:
            if effect.op != "read" or not effect.loops or non_production(effect.path):
                continue
            if v.ASYNC_RESPONSE_TAG in effect.tags or v.FAILURE_TAG in effect.tags or v.DETACHED_TAG in effect.tags:
                continue
            loop_id = effect.loops[-1]
            loop = loops.get(loop_id)
            if loop is None or loop.kind in ("while", "serializer") or loop_id in written:
                continue
            if f"elem:{loop_id}" in effect.deps:
                continue  # keyed by the element: AL601's (or a loop over data that is no query result)
            path, span, chain, _inside = _report_place(effect, loop)
            key = (path, span, loop.path, loop.span)
            if key in reported or path != loop.path:
                continue
            if not _invariant_in_body(ctx, loop, span):
                continue
            if _leaves_the_loop(ctx, path, span, loop):
                continue
            places = [(path, span)] + [(p, s) for p, s, _label in chain[1:]] + [(effect.path, effect.span)]
            if any(_guarded(ctx, guarded, p, s, loop) for p, s in places):
                continue
            reported.add(key)
            yield _invariant_finding(ctx, path, span, loop, effect, chain)


def _invariant_in_body(ctx: CheckContext, loop, span) -> bool:
    """The call at ``span`` in ``loop``'s body reads no name the body binds or changes, the body reads the
    loop's element elsewhere (it iterates over data), and the call sits in no ``try`` of the body nor under an
    ``if`` that tests a name its own block assigns (a lazy initialisation: it runs once)."""
    module = ctx.program.modules.get(loop.path)
    statement = _loop_node(ctx.program, loop) if module is not None else None
    if statement is None:
        return False
    body, targets = statement.body, statement.target
    if statement.fid >= 0:  # `items.map(async (item) => …)`: the callback's body and parameters
        callback = next((f for f in module.functions if f.fid == statement.fid), None)
        if callback is None:
            return False
        body = callback.body if type(callback.body) is tuple else (callback.body,)
        element = {name for param in callback.params for name in ir.target_names(getattr(param, "target", None) or ir.Name(param.name, param.span))}
    else:
        element = set(ir.target_names(targets)) if targets is not None else set()
    if type(body) is not tuple:
        body = (body,)
    scope = body + tuple(statement.conditions) + ((statement.result,) if statement.result is not None else ())
    call = next((n for n in ir.iter_nodes(scope) if type(n) is ir.Call and n.span == span), None)
    if call is None or not element:
        return False
    changed = set(element)
    used = False
    for node in ir.iter_nodes(scope):
        kind = type(node)
        if kind is ir.Name and node.id in element and not ir.span_contains(call.span, node.span):
            used = True
        elif kind is ir.Assign:
            for target in node.targets:
                base = target
                while type(base) in (ir.Attr, ir.Index):
                    base = base.obj
                changed.update(ir.target_names(base))
        elif kind is ir.Loop and node.target is not None:
            changed.update(ir.target_names(node.target))
        elif kind is ir.ExprStmt:  # `ids.append(x)`: a call statement changes its receiver
            value = node.value.value if type(node.value) is ir.Await else node.value
            receiver = value.func.obj if type(value) is ir.Call and type(value.func) is ir.Attr else None
            if type(receiver) is ir.Name:
                changed.add(receiver.id)
        elif kind is ir.Try and any(ir.span_contains(s.span, span) for s in node.body):
            return False  # a retry, or a per-item error path
        elif kind is ir.If and any(ir.span_contains(s.span, span) for s in node.body):
            tested = {n.id for n in ir.iter_nodes(node.test) if type(n) is ir.Name}
            assigned = {name for s in ir.iter_nodes(node.body) if type(s) is ir.Assign
                        for t in s.targets for name in ir.target_names(t)}
            if tested & assigned:
                return False  # `if rate is None: rate = …`: initialised once
    if not used:
        return False  # `for _ in range(5)`: a retry or polling counter, not a loop over data
    read = {n.id for n in ir.iter_nodes(call) if type(n) is ir.Name}
    return not read & changed


def _invariant_finding(ctx: CheckContext, path: str, span, loop, effect, chain) -> Finding:
    iterated = f"`{loop.kind}` loop at line {loop.span.line}"
    through = f" through `{chain[0][2]}`" if chain else ""
    trace = tuple(TraceStep(p, s.line, s.column, f"calls `{label}`") for p, s, label in chain[1:])
    if chain:
        trace += (TraceStep(effect.path, effect.span.line, effect.span.column, _what(effect)),)
    message = (f"Loop-invariant query: {_what(effect)}{through} runs on every iteration of the {iterated} with the "
               f"same arguments — nothing it reads depends on the element or changes in the loop: 100 items send "
               f"100 identical queries")
    guidance = ("Hoist it: run the query once before the loop, keep its result in a local, and read that in the "
                "loop body (or pass it into the per-item code).")
    return ctx.registry.finding("AL605", path, span, message, guidance, trace)


# AL602 -------------------------------------------------------------------------------------------
_JS_COUNT = ("`.length` of a query's rows (`findAll(…).length`, `(await db.select().from(t).where(…)).length`) loads "
             "every row to count them; the endpoint slows down as the table grows")
_JS_GUIDANCE = ("Count in the database: `Model.count({ where })` (or findAndCountAll for a page plus the total), "
                "`db.select({ n: count() }).from(t).where(…)` / `db.$count(t, where)`, `knex('t').where(…).count()`.")
_PY_COUNT = ("`len(…)` of a query result loads every row into memory only to count them; on a large table "
             "the endpoint slows down and can run out of memory")
_PY_GUIDANCE = "Count in the database: select(func.count()).select_from(Model) / query.count() / Model.objects.count()."


def _count_by_loading(ctx: CheckContext, analyses) -> Iterator[Finding]:
    program = ctx.program
    for analysis in analyses:
        writes = {site.span for site in analysis.sites if site.category == "write"}
        results = {record.node.span: record for record in analysis.calls if record.node.span not in writes}
        python = analysis.path.endswith((".py", ".pyi"))
        for record in analysis.calls:
            node = record.node
            if type(node.func) is ir.Name and node.func.id == "len" and len(node.args) == 1:
                argument = node.args[0].value
                if _loads_rows(program, argument, results):
                    yield ctx.registry.finding("AL602", analysis.path, node.span, _PY_COUNT, _PY_GUIDANCE)
        if not python:  # `.length` of loaded rows is a JS idiom
            for node in program.nodes_of(analysis.function, ir.Attr):
                if node.name == "length" and _loads_rows(program, node.obj, results):
                    yield ctx.registry.finding("AL602", analysis.path, node.span, _JS_COUNT, _JS_GUIDANCE)
        for span in _rows_bound_only_to_count(program, analysis, results, python):
            yield ctx.registry.finding("AL602", analysis.path, span,
                                       _PY_COUNT if python else _JS_COUNT, _PY_GUIDANCE if python else _JS_GUIDANCE)


def _rows_bound_only_to_count(program, analysis, results, python: bool) -> list:
    """``const comments = await Comment.findAll(…); return comments.length`` / ``rows = (await
    s.scalars(q)).all(); return len(rows)``: a local bound once to the rows of a query whose every
    read is a count (``.length`` / ``len(name)``) loads them only to count them.  Any other read
    (serialising, iterating, returning the rows, a closure that sees the name) needs the rows."""
    function = analysis.function
    bound: dict = {}  # name -> the count of assignments binding it
    loading: dict = {}  # name -> the assignment's value loads rows
    index = program.node_index(function)
    for node in index.assigns:
        for target in node.targets:
            for name in ir.target_names(target):
                bound[name] = bound.get(name, 0) + 1
                if type(target) is ir.Name and node.op == "=" and node.value is not None \
                        and _loads_rows(program, node.value, results):
                    loading[name] = target.span
    candidates = {name: span for name, span in loading.items() if bound[name] == 1 and function.scope_of(name) == "local"}
    if not candidates:
        return []
    # the rows of an awaited builder tested for being there (`(await db.select().from(f).where(and(…))).length > 0`):
    # an existence test of a lookup, which loads the row or two it matches — not a count
    builders = {target.id for node in index.assigns for target in node.targets
                if type(target) is ir.Name and target.id in candidates and _awaited_builder(program, node.value, results)}
    existence = _existence_tests(program, function) if builders and not python else set()
    counted: dict = {}
    other: set = set()
    len_arguments = {call.args[0].value.span for call in index.functions.get("len", ())
                     if python and len(call.args) == 1 and call.args[0].kind == "pos"}
    for node, parent, field in ir.iter_edges(function.body):
        if type(node) is not ir.Name or node.id not in candidates or node.span == candidates[node.id]:
            continue
        if not python and type(parent) is ir.Attr and field == "obj" and parent.name == "length":
            if node.id in builders and parent.span in existence:
                other.add(node.id)
            else:
                counted.setdefault(node.id, parent.span)
        elif python and type(parent) is ir.Arg and node.span in len_arguments:
            counted.setdefault(node.id, node.span)
        else:
            other.add(node.id)
    if counted:
        other.update(_read_by_nested_functions(program, analysis, set(counted)))
    return sorted(span for name, span in counted.items() if name not in other)


def _read_by_nested_functions(program, analysis, names: set) -> set:
    """The names among ``names`` that a function nested in the analysed one reads (a closure)."""
    module = program.modules.get(analysis.path)
    if module is None:
        return set()
    outer = analysis.function
    seen: set = set()
    for function in module.functions:
        if function.fid == outer.fid or not ir.span_contains(outer.span, function.span):
            continue
        for node in ir.iter_nodes(function.body):
            if type(node) is ir.Name and node.id in names:
                seen.add(node.id)
    return seen


def _loads_rows(program, node, results) -> bool:
    """The expression itself runs a query and materialises its rows (``results``: the function's
    calls that are not writes — the objects ``bulk_create``/``bulkCreate`` returns were built in
    memory, not loaded).  Awaiting a read built on a thenable stack (``await db.select(…).from(t)
    .where(…)``) runs it and yields every row it matches (not knex's ``.first()``)."""
    if _awaited_builder(program, node, results):
        return True
    inner = node.value if type(node) is ir.Await else node
    if type(inner) is not ir.Call:
        return False
    record = results.get(inner.span)
    if record is None:
        return False
    value = v.strip(record.result)
    if type(value) is v.Rows and _one_page(program, value.stack, record.args):
        return False
    return type(value) is v.Rows or (type(value) is v.Query and value.lazy and not value.cached)


def _one_page(program, stack: str, args) -> bool:
    """A read capped to one page by its options (`findMany({ take, cursor })`, `findAll({ limit })`): it loads at
    most that many rows, so `.length` of them counts the page — a `hasMore` test of cursor pagination (akbarnafisa's
    realworld-express) — not the table."""
    keys = program.library.page_options.get(stack)
    if not keys:
        return False
    for arg in args:
        options = v.strip(arg)
        if type(options) is v.Record and any(options.get(key) is not None and v.strip(options.get(key)) != v.Const(None)
                                             for key in keys):
            return True
    return False


def _awaited_builder(program, node, results) -> bool:
    """``await db.select(…).from(t).where(…)``: a read built on a thenable stack, run by the await."""
    if type(node) is not ir.Await or type(node.value) is not ir.Call:
        return False
    record = results.get(node.value.span)
    value = v.strip(record.result) if record is not None else None
    if type(value) is not v.Query or value.single or value.write or value.cached \
            or value.stack not in program.library.thenables:
        return False
    from archlint.semantics.calls import chain_writes

    return not chain_writes(program, value)


def _existence_tests(program, function) -> set:
    """Spans of ``rows.length`` compared with 0 or 1 (``rows.length > 0``, ``=== 0``): whether a row matched."""
    found = set()
    for node in ir.iter_nodes(function.body):
        if type(node) is not ir.Compare:
            continue
        for side, other in ((node.left, node.right), (node.right, node.left)):
            if type(side) is ir.Attr and side.name == "length" and type(other) is ir.Const \
                    and type(other.value) is int and other.value in (0, 1):
                found.add(side.span)
    return found
