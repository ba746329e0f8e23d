"""AL504: the request body written whole into a row (mass assignment).

The semantic model follows request data from where the framework hands it over (``req.body``,
``request.get_json()``, ``ctx.request.body``, ``c.req.json()``, ``request.data``, NestJS ``@Body()``)
through variables, object spreads and calls; the interpreter records a ``mass-assign`` effect
where that object — whole, a sub-object of it (``req.body.article``), or spread into an object
literal — reaches a write or an entity constructor: ``Model.create``/``update``/``save``/``insert``,
``Model(**data)``, ``new Model(body)``, ``Object.assign(entity, body)``, TypeORM ``create``/``merge``,
Prisma ``data:``; and where a key taken from the body names the attribute written
(``for key, value in data.items(): setattr(user, key, value)``, JS ``user[key] = value``) unless
the branch checked the key against a fixed allow-list (``if key in ALLOWED``).  Values that went through a schema (pydantic, DRF serializers, zod, Joi, a
destructuring into named fields) are no longer request objects and stay silent.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding, TraceStep


_DYNAMIC = {"setattr": "setattr(row, key, value)", "[key] =": "row[key] = value"}  # one attribute at a time, key from the body


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    best: dict = {}
    for analysis in program.analyses():
        effects = analysis.summary.effects if analysis.fid else analysis.effects
        for effect in effects:
            if effect.op != "mass-assign" or non_production(effect.path):
                continue
            key = (effect.path, effect.span)
            current = best.get(key)
            if current is None or len(effect.trace) > len(current.trace):
                best[key] = effect  # the longest path shows where the body came from (the handler)
    for (path, span), effect in sorted(best.items(), key=lambda item: (item[0][0], item[0][1])):
        yield _finding(ctx, effect)


def _finding(ctx: CheckContext, effect) -> Finding:
    model = effect.model.rsplit(":", 1)[-1] if effect.model else "the row"
    if effect.method in _DYNAMIC:
        how = f"Every key of the request body is copied onto a {model} by `{_DYNAMIC[effect.method]}` with the client's key"
    else:
        how = f"The request body is passed whole into `{effect.method}` ({model})"
    message = (
        f"{how}: every key the client sends becomes a column "
        f"value — a client can set `id`, `authorId`, `favoritesCount`, `isAdmin` or another user's foreign key "
        f"(mass assignment), and an unknown key makes the ORM fail with a 500"
    )
    guidance = (
        "Copy the allowed fields explicitly (`{ title, description, body } = req.body.article`; "
        "`Article(title=data['title'], …)`), or validate the body with a schema that drops unknown keys "
        "(pydantic, a DRF serializer, zod) and set owner and counters on the server."
    )
    trace = tuple(TraceStep(p, s.line, s.column, f"calls `{label}`") for p, s, label in effect.trace)
    return ctx.registry.finding("AL504", effect.path, effect.span, message, guidance, trace)
