"""AL220: a DB lookup that returns ``None``/``null`` when no row matches, dereferenced on a path
where nothing checked it.

The semantic model gives each such result (``.first()``, ``one_or_none()``, ``scalar_one_or_none()``,
``session.get``, ``findOne``, ``findByPk``, ``findUnique``, ``findFirst``, ``findOneBy``, knex
``.first()`` …, from ``rules/knowledge/semantics.toml``; ``rows.find(…)`` / ``next((r for r in rows if …), None)``
over a query's rows, unless matched by a foreign key the program holds) the value *nullable row* and narrows it on
every check a program makes before use: ``if not user: raise/return/abort(…)``, ``is None``,
``=== null``, ``user and user.x``, ``user?.x``, ``assert user``, a helper that raises, a conditional
expression, the count of a raw lookup's rows (``if (!rows.length)``, ``result.rowCount === 0``).
``get_object_or_404``, ``scalar_one()``, ``findOrFail``/``OrThrow``, Sequelize
``rejectOnEmpty`` never yield ``None`` — unless a ``try`` turns their error into one: a handler catching it
that returns ``None``/``null`` (``try: return q.one() except NoResultFound: return None``, ``try { return await
repo.findOneOrFail(…) } catch { return null }``) or ``.catch(() => null)`` makes the function's result that
lookup's nullable row; so do ``rows[0] ?? null`` / ``row || null`` / ``row or None`` and a member read with ``?.``
(``return result.rows[0]?.bio``).  A lookup of a model by the very key (same fields, same names or literals) a check
on the path found a row of that model by — inline (``if (!found) throw …`` then ``findOne({ where: { slug } })``
again, Strapi admin's ``deleteById``) or in a helper that returns only when it found one (``await
assertArticleExists(slug)``, ``article_or_404(slug)``: ``Summary.found_keys``) — finds it, until a write or a new
value of a name the key reads (``calls.key_filter``).  A raw lookup bound to the values a raw ``INSERT`` of its table bound earlier in
the function (insert-or-ignore, then select) finds its row.  A WTForms ``validate_<field>(self, field)`` that raises unless ``Model.query.get(field.data)``
found a row is a check of that same lookup re-run on ``form.<field>.data`` past ``form.validate()`` /
``validate_on_submit()``; a lookup by the primary key compared with a stored foreign key and otherwise only
foreign-key columns (a tenant scope, ihatemoney's ``Person.id == bill.payer_id`` within the project) finds its row.  What is left is a dereference that raises on a missing row —
``AttributeError: 'NoneType' object has no attribute …`` / ``TypeError: Cannot read properties of
null`` — a 500 where the API promises a 404.  The value travels through returns, so a repository
that returns ``first()`` and a service that reads ``.title`` from it are judged together; the
finding's trace points at the lookup.  A lookup keyed by a column of a parameter the function knows
nothing of (``users.get(article.author_id)`` in ``def present(article)``) is judged in its callers'
contexts — a held row's foreign key finds its row, the client's id may not — or on its own when no
caller's context ran it (``docs/semantic-model.md``, "stored key").  A lookup keyed by the parameter
itself (``User.findByPk(userId)`` in ``profileOf(userId)``) is silent only when the call graph knows
every caller and each passes a stored key (``semantics/callers.py``); an unknown caller (a route
handler, a callback, an export nothing calls, an untyped receiver) or one passing the client's id
leaves it reported at the read.  A read in a function every caller calls inside a ``try`` whose handler
catches the error (a closure defined and called in it) is caught like one written inline there.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding, TraceStep
from archlint.semantics import values as v
from archlint.semantics.callers import caught, settled
from archlint.semantics.calls import CALLBACK_FORM
from archlint.semantics.frameworks import single_response_schema


def check(ctx: CheckContext) -> Iterator[Finding]:
    unawaited = None
    for finding in _check(ctx):
        if unawaited is None:
            unawaited = _unawaited_reads(ctx)
        if (finding.path, finding.line, finding.column) not in unawaited:
            yield finding


def _unawaited_reads(ctx: CheckContext) -> frozenset:
    """Reads of an async helper's call that nobody awaited (``user = get_current_user(request)`` then
    ``user.username``): the value there is the coroutine, not the row — AL809 reports the read, and the
    row is never dereferenced."""
    from archlint.checks import awaits

    return frozenset((f.path, f.line, f.column) for f in awaits.unawaited(ctx))


def _check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    seen: set = set()
    callbacks_removed = _mongoose_callbacks_removed(ctx)
    typeorm_02 = _typeorm_before_03(ctx)
    for analysis in program.analyses():
        if non_production(analysis.path):
            continue
        for deref in analysis.derefs:
            if not _judged(deref, callbacks_removed, typeorm_02) or caught(program, analysis.path, analysis.fid):
                continue
            key = (analysis.path, analysis.fid, deref.origin, _read_name(deref))
            at = (deref.path, deref.span, deref.origin)
            if key in seen or at in seen:
                continue  # once per lookup and function: after the first dereference the row exists
            seen.add(key)
            seen.add(at)  # a handler's read also recorded by the analysis that ran it as a callback
            yield _finding(ctx, deref)
        yield from _returned_to_schema(ctx, program, analysis)
    # reads the default analysis left to the callers' contexts (a lookup keyed by a parameter's
    # column), in a function no caller's context ran: judged on their own after all
    for (path, _span), (fid, deref) in sorted(program.deferred_derefs.items(), key=lambda item: item[0]):
        if (path, fid) in program.called or non_production(path) or not _judged(deref, callbacks_removed, typeorm_02) \
                or caught(program, path, fid):
            continue
        key = (path, fid, deref.origin, _read_name(deref))
        if key not in seen:
            seen.add(key)
            yield _finding(ctx, deref)
    # reads of a row looked up by the function's own parameter: silent when every caller is known and
    # passes a stored key (semantics/callers.py), judged here otherwise
    for (path, _span), (fid, deref, names) in program.parameter_derefs.items():  # in analysis order: the first read
        if non_production(path) or not _judged(deref, callbacks_removed, typeorm_02) or caught(program, path, fid):
            continue
        if (deref.path, deref.span) not in program.callee_null_derefs and settled(program, path, fid, names):
            continue
        key = (path, fid, deref.origin, _read_name(deref))
        if key not in seen:
            seen.add(key)
            seen.add((deref.path, deref.span, deref.origin))
            yield _finding(ctx, deref)
    # lookups read unchecked inside a callee, seen only with a caller's handle (the callee's own
    # analysis did not know the connection its parameter holds)
    if not program.callee_null_derefs:
        return
    # (a relation the query did not load, read at the same span — `author.favorites.map` — is AL229's, not this read)
    judged = {(a.path, d.span) for a in program.analyses() for d in a.derefs if ":unloaded:" not in d.origin}
    typed = {(a.path, r.node.span.line, r.node.span.column) for a in program.analyses() for r in a.calls if not v.is_unknown(r.result)}
    for (path, span), deref in sorted(program.callee_null_derefs.items()):
        if (path, span) in judged or non_production(path):
            continue
        if (path, span) not in program.deferred_derefs and _judged_at_lookup(typed, deref.origin):
            continue
        if callbacks_removed and deref.origin.endswith(f"{CALLBACK_FORM})"):
            continue
        key = (path, "callee", deref.origin, _read_name(deref))
        at = (deref.path, deref.span, deref.origin)
        if key in seen or at in seen:
            continue  # the same read already judged above (a parameter's row, read in the caller's context too)
        seen.add(key)
        seen.add(at)
        yield _finding(ctx, deref)


def _read_name(deref) -> str:
    """The name whose member the read dereferences (``user`` of ``user.profile.bio``): one finding
    per lookup and name, since past the first read the row exists."""
    return deref.name.split(".")[0].split("[")[0].split("(")[0]


def _judged(deref, callbacks_removed: bool, typeorm_02: bool) -> bool:
    if not deref.origin or ":unloaded:" in deref.origin:
        return False  # unknown origin (a subscript): not judged; an association not loaded: AL229
    if callbacks_removed and deref.origin.endswith(f"{CALLBACK_FORM})"):
        return False  # Mongoose ≥ 7 throws on the callback form: the callback never runs
    # TypeORM 0.2's findOne resolved to undefined: `=== undefined` was the check
    return not (typeorm_02 and ":undefined:" in deref.guard)


def _judged_at_lookup(typed: set, origin: str) -> bool:
    """The lookup's own function, analysed in its default context, already knew what the call
    returns (its handle was typed there): that analysis, not a caller's, decides whether the
    row is checked."""
    path, line, column, _callee = _split(origin)
    if not line.isdigit() or not column.isdigit():
        return True
    return (path, int(line), int(column)) in typed


def _typeorm_before_03(ctx) -> bool:
    """The project declares TypeORM 0.2 or older, whose ``findOne`` resolved to ``undefined`` for no
    row (0.3 made it ``null``)."""
    for dependency in ctx.manifest.dependencies:
        if dependency.ecosystem == "npm" and dependency.name == "typeorm":
            version = dependency.spec.strip().lstrip("^~>=v ")
            return version.startswith(("0.1", "0.2"))
    return False


def _mongoose_callbacks_removed(ctx) -> bool:
    """The project declares Mongoose 7 or later, which dropped the callback API (``Model.findOne()
    no longer accepts a callback``): a callback-form lookup throws before its callback runs."""
    for dependency in ctx.manifest.dependencies:
        if dependency.ecosystem != "npm" or dependency.name != "mongoose":
            continue
        spec = dependency.spec.strip()
        if spec in ("", "*", "latest", "x"):
            return True
        digits = ""
        for char in spec.lstrip("^~>=v "):
            if not char.isdigit():
                break
            digits += char
        if digits and int(digits) >= 7:
            return True
    return False


def _returned_to_schema(ctx, program, analysis) -> Iterator[Finding]:
    """A django-ninja / FastAPI handler whose response schema is one object (``response=ArticleOut``,
    ``response_model=ArticleOut``, not ``Optional[…]``) returning the lookup unchecked: on a missing
    row the framework validates None against the schema — a 500 (ninja ``ConfigError``/validation
    error, FastAPI ``ResponseValidationError``) where the API should answer 404."""
    events = [e for e in analysis.events if e.kind == "nullable-return" and e.detail]
    if not events:
        return
    schema = single_response_schema(program, analysis.path, analysis.function)
    if not schema:
        return
    for event in events:
        origin_path, line, column, callee = _split(event.detail)
        here = origin_path == analysis.path
        where = f"`{callee}`" + (f" at line {line}" if here else f" ({origin_path}:{line})")
        message = (
            f"The handler returns the row from {where} unchecked, and the framework validates it against the response "
            f"schema `{schema}`: when no row matches it validates None and fails — a 500 (response validation error) "
            f"where the API should answer 404"
        )
        guidance = ("Check the lookup and answer 404 before returning it: `if x is None: raise HttpError(404, …)` / "
                    "`raise HTTPException(404)`, or `get_object_or_404(…)`.")
        trace = () if here else (TraceStep(origin_path, int(line), int(column), f"`{callee}` returns None when no row matches"),)
        yield ctx.registry.finding("AL220", event.path, event.span, message, guidance, trace)


def _finding(ctx: CheckContext, deref) -> Finding:
    if deref.sink:
        return _sink_finding(ctx, deref)
    origin_path, line, column, callee = _split(deref.origin)
    model = deref.model.rsplit(":", 1)[-1] if ":" in deref.model else f"row of `{deref.model}`" if deref.model else "row"
    python = deref.path.endswith(".py")
    error = (
        (f"TypeError: 'NoneType' object is not {deref.subscript}" if deref.subscript else
         "AttributeError: 'NoneType' object has no attribute …") if python
        else "TypeError: Cannot destructure property … of null/undefined" if deref.destructure
        else "TypeError: Cannot read (or set) properties of null/undefined"
    )
    here = origin_path == deref.path
    where = f"`{callee}`" + (f" at line {line}" if here else f" ({origin_path}:{line})")
    guard_line, written, guard_test = (deref.guard.split(":", 2) + ["", ""])[:3]  # written: what the guard compared with
    none = "None" if python else "undefined" if written == "null" or not written and deref.empty == "undefined" else "null"
    use = "this destructuring" if deref.destructure else "this dereference"
    if deref.via:  # passed to a function that reads it
        inner_path, inner_span, note = deref.via[-1]
        use = f"it is passed on and read at {inner_path}:{inner_span.line} ({note})"
    checked = f"nothing checks it before {use}"
    if deref.guard:
        checked = (f"the strict guard `{guard_test}` at line {guard_line} does not catch {none} (`===` and `!==` "
                   f"do not equate null and undefined), so {use} runs on the missing row")
    elif deref.asserted:
        checked = (f"nothing checks it before {use}: the non-null assertion `!` only silences the TypeScript compiler, "
                   f"it checks nothing at runtime")
    message = (
        f"`{deref.name}` may be {none} here: it is the {model} returned by {where}, which returns {none} when no row "
        f"matches, and {checked} — a missing or deleted row raises {error}, a 500 where the API should answer 404"
    )
    check = ("`if x is None: raise NotFound` / `abort(404)`, `get_object_or_404`, or `scalar_one()`" if python
             else "`if (!x) return res.status(404)…` / `throw new NotFoundError()`, optional chaining, or `findOneOrFail` / `findUniqueOrThrow` / `rejectOnEmpty: true`")
    guidance = f"Check the result before using it: {check}."
    if deref.guard:
        guidance = (f"Compare with what the lookup returns (`=== {none}`), or use `== null` / `!x`, which match both null and "
                    f"undefined; or {check}.")
    elif deref.asserted:
        guidance = f"Replace the `!` assertion by a runtime check unless the row is certain to exist: {check}."
    trace = () if here else (TraceStep(origin_path, int(line), int(column), f"`{callee}` returns None/null when no row matches"),)
    trace += tuple(TraceStep(path, span.line, span.column, note) for path, span, note in deref.via)
    return ctx.registry.finding("AL220", deref.path, deref.span, message, guidance, trace)


def _sink_finding(ctx: CheckContext, deref) -> Finding:
    """An optional chain of the missing row given as a key the ORM drops when it is ``undefined`` (Prisma)."""
    origin_path, line, column, callee = _split(deref.origin)
    effect, _, method = deref.sink.partition(":")
    here = origin_path == deref.path
    where = f"`{callee}`" + (f" at line {line}" if here else f" ({origin_path}:{line})")
    use = f"`{deref.name}`"
    if deref.via:
        inner_path, inner_span, note = deref.via[-1]
        use = f"it is passed on, and {note} at {inner_path}:{inner_span.line}"
    if effect == "unique":
        outcome = (f"`{method}` then has no unique key and Prisma rejects the call (PrismaClientValidationError) — a 500 "
                   f"where the API should answer 404")
    elif effect == "column":
        method, _, column = method.partition(":")
        outcome = (f"`{method}` leaves the column `{column}` out — a required column makes Prisma reject the call "
                   f"(PrismaClientValidationError, a 500 where the API should answer 404), an optional one stores a row "
                   f"that points at nothing")
    else:
        writes = method in ("updateMany", "deleteMany")
        outcome = (f"Prisma drops a filter whose value is undefined, so `{method}` "
                   f"{'changes' if writes else 'answers'} every row the rest of its `where` matches (all of them when "
                   f"nothing else filters) where the API should answer 404")
    message = (
        f"`{deref.name.split('?')[0]}` may be null here: it is the row returned by {where}, which returns null when no row "
        f"matches, and {use} turns the missing row into undefined as a key of this query: {outcome}"
    )
    guidance = ("Check the lookup first (`if (!row) return res.status(404)…` / `throw new NotFoundError()`), or use "
                "`findUniqueOrThrow`; optional chaining does not check it, it only hands Prisma an undefined key.")
    trace = () if here else (TraceStep(origin_path, int(line), int(column), f"`{callee}` returns null when no row matches"),)
    trace += tuple(TraceStep(path, span.line, span.column, note) for path, span, note in deref.via)
    return ctx.registry.finding("AL220", deref.path, deref.span, message, guidance, trace)


def _split(origin: str) -> tuple[str, str, str, str]:
    path, line, column, callee = origin.split(":", 3) if origin.count(":") >= 3 else (origin, "0", "0", "")
    return path, line, column, callee
