"""SQLAlchemy relationship-loading rules on the semantic model: AL208 joined eager load of a
collection read without ``.unique()``, AL209 lazy load through an AsyncSession (MissingGreenlet),
AL218 lazy load after the ``with`` block that owned the session closed it (DetachedInstanceError),
AL235 a relation read unloaded when the mapping (``lazy="raise"``) or the query (``raiseload()``) forbids
the lazy load (InvalidRequestError), AL236 an attribute read on an object an expiring AsyncSession's commit expired
(MissingGreenlet).

The model follows each query from its statement (``select(Model).options(...)``, through variables,
helpers and repositories) to where its rows are read: the loaded relations travel with the rows,
a row loaded through an ``AsyncSession`` carries that fact, and so does a row loaded inside a
``with Session(...) as session:`` block, so reading an unloaded relation is judged where it
happens — in the same function or three calls away.  Verified on SQLAlchemy 2.1: ``all()``,
``one()``, ``one_or_none()``, ``scalar_one[_or_none]()`` and iteration raise for a joined
collection without ``unique()``; ``first()``, ``scalar()`` and ``session.get()`` do not.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain.context import CheckContext
from archlint.domain.findings import Finding, TraceStep
from archlint.semantics.values import EXPIRED_TAG, RAISE_LOAD_TAG


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    analyses = program.analyses()
    yield from _joined_without_unique(ctx, analyses)
    yield from _expired_reads(ctx, analyses)
    reported: set = set()
    for analysis in analyses:
        effects = analysis.summary.effects if analysis.fid else analysis.effects
        for effect in effects:
            if effect.op != "lazy" or effect.stack != "sqlalchemy":
                continue
            key = (effect.path, effect.span, effect.detail)
            if key in reported:
                continue
            if RAISE_LOAD_TAG in effect.tags:  # it raises whatever the session: no query, no greenlet
                reported.add(key)
                yield _raise_load(ctx, effect)
            elif "async" in effect.tags:
                reported.add(key)
                yield _missing_greenlet(ctx, effect)
            elif any(tag.startswith("closed:") for tag in effect.tags):
                reported.add(key)
                yield _detached(ctx, effect)


def _joined_without_unique(ctx: CheckContext, analyses) -> Iterator[Finding]:
    seen = set()
    for analysis in analyses:
        for event in analysis.events:
            if event.kind != "joined-without-unique" or (event.path, event.span) in seen:
                continue
            seen.add((event.path, event.span))
            relations = ", ".join(f"`{name}`" for name in event.detail.split(","))
            message = (
                f"The rows of a query that joined-eager-loads the collection {relations} are read without `.unique()`: "
                f"SQLAlchemy raises InvalidRequestError (\"The unique() method must be invoked on this Result, as it "
                f"contains results that include joined eager loads against collections\") — the endpoint returns 500"
            )
            guidance = "Call `.unique()` on the result before .all()/.one()/scalar_one…(), or load the collection with selectinload()."
            yield ctx.registry.finding("AL208", event.path, event.span, message, guidance)


def _trace(effect) -> tuple:
    return tuple(TraceStep(path, span.line, span.column, f"calls `{label}`") for path, span, label in effect.trace)


def _model(key: str) -> str:
    return key.rsplit(":", 1)[-1] if key else "the model"


def _missing_greenlet(ctx: CheckContext, effect) -> Finding:
    model = _model(effect.model)
    message = (
        f"`{effect.detail}` of {model} is lazy-loaded on an object loaded through an AsyncSession: the load needs I/O "
        f"that AsyncSession cannot do implicitly, so SQLAlchemy raises MissingGreenlet (\"greenlet_spawn has not been "
        f"called\") — a 500 on the endpoint that reads it"
    )
    guidance = (
        f"Eager-load it in the query that loads the {model} rows: `.options(selectinload({model}.{effect.detail}))`, "
        f"or `await obj.awaitable_attrs.{effect.detail}`."
    )
    return ctx.registry.finding("AL209", effect.path, effect.span, message, guidance, _trace(effect))


def _detached(ctx: CheckContext, effect) -> Finding:
    model = _model(effect.model)
    message = (
        f"`{effect.detail}` of {model} is lazy-loaded after the `with` block that owned its session ended: SQLAlchemy "
        f"raises DetachedInstanceError (\"Parent instance <{model}> is not bound to a Session\") — a 500"
    )
    guidance = (
        f"Eager-load it while the session is open (`.options(selectinload({model}.{effect.detail}))`), read it inside "
        f"the `with` block, or return plain data (a schema/dict) instead of ORM objects."
    )
    return ctx.registry.finding("AL218", effect.path, effect.span, message, guidance, _trace(effect))


def _raise_load(ctx: CheckContext, effect) -> Finding:
    model = _model(effect.model)
    message = (
        f"`{effect.detail}` of {model} is read on an object whose query did not load it, and the relationship is "
        f"declared `lazy=\"raise\"` or the query set `raiseload()`: SQLAlchemy raises InvalidRequestError "
        f"(\"'{model}.{effect.detail}' is not available due to lazy='raise'\") — a 500 on the endpoint that reads it"
    )
    guidance = (
        f"Eager-load it in the query that loads the {model} rows: `.options(selectinload({model}.{effect.detail}))` "
        f"(joinedload for a many-to-one), or drop the read."
    )
    return ctx.registry.finding("AL235", effect.path, effect.span, message, guidance, _trace(effect))


def _expired_reads(ctx: CheckContext, analyses) -> Iterator[Finding]:
    """AL236: one finding per commit whose expired objects are read — the first read after it, the one nearest the
    commit (the shortest call path)."""
    first: dict = {}
    for analysis in analyses:
        effects = analysis.summary.effects if analysis.fid else analysis.effects
        for effect in effects:
            if effect.op != "expired" or effect.stack != "sqlalchemy":
                continue
            commit = next((t for t in sorted(effect.tags) if t.startswith(EXPIRED_TAG)), None)
            closed = any(t.startswith("closed:") for t in effect.tags)
            if commit is None or not ("async" in effect.tags or closed):
                continue  # a synchronous session reloads an expired object while it is open
            rank = (len(effect.trace), effect.path, effect.span.line, effect.span.column)
            if commit not in first or rank < first[commit][0]:
                first[commit] = (rank, effect)
    for commit, (_rank, effect) in sorted(first.items()):
        where = commit[len(EXPIRED_TAG):]
        model = _model(effect.model)
        error = (
            "the session has closed since, so SQLAlchemy raises DetachedInstanceError (\"Instance is not bound to a Session; "
            "attribute refresh operation cannot proceed\")" if any(t.startswith("closed:") for t in effect.tags)
            else "reloading the attribute is implicit I/O, so SQLAlchemy raises MissingGreenlet (\"greenlet_spawn has not "
            "been called\"), or DetachedInstanceError once the session is closed"
        )
        kind = "an AsyncSession" if "async" in effect.tags else "a session"
        message = (
            f"`{effect.detail}` of {model} is read after `commit()` ({where}) of {kind} made with the default "
            f"`expire_on_commit=True`: the commit expired the object; {error} — a 500"
        )
        guidance = (
            "Create the sessions with `expire_on_commit=False` (`async_sessionmaker(engine, expire_on_commit=False)`), "
            "refresh the object after the commit (`session.refresh(obj)`) before the session closes, or read what you "
            "need inside the session."
        )
        yield ctx.registry.finding("AL236", effect.path, effect.span, message, guidance, _trace(effect))
