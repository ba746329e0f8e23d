"""SQLAlchemy relationship-loading rules on the semantic model: AL208 joined eager load of a
collection read without ``.unique()``, AL209 lazy load through an AsyncSession (MissingGreenlet),
AL218 lazy load after the ``with`` block that owned the session closed it (DetachedInstanceError).

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


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    analyses = program.analyses()
    yield from _joined_without_unique(ctx, analyses)
    reported: set = set()
    for analysis in analyses:
        effects = analysis.summary.effects if analysis.fid else analysis.effects
        for effect in effects:
            if effect.op != "lazy" or effect.stack != "sqlalchemy":
                continue
            key = (effect.path, effect.span, effect.detail)
            if key in reported:
                continue
            if "async" in effect.tags:
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
