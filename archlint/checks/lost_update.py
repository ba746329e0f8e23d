"""AL311: a stored column written back as its read value plus a constant —
``prisma.article.update({ where: { id }, data: { favoritesCount: article.favoritesCount + 1 } })``,
``article.update({ views: article.views + 1 })``, ``Article.objects.filter(pk=a.pk).update(views=a.views + 1)``,
``article.favorites_count += 1`` then ``save()``/``commit()``.

The semantic model records a ``lost-update`` event where such a value is written (or assigned to
an attribute of the row) and the row was *read* in this request — never for a row built here (see
:mod:`archlint.semantics.lost_updates`).  A row read with a lock (``select_for_update``,
``with_for_update``, ``forUpdate``, ``setLock``, a ``lock`` find option) carries a ``locked`` tag
wherever it travels and never raises it either.  This check reports the events, except in a
function that itself reads with a lock (a lock the model did not connect to the row): there the
read-modify-write is serialised, which is the other correct way to do it.
An update conditioned on the old value (a compare-and-set) never raises the event.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding
from archlint.semantics.lost_updates import known, locks_rows

_ATOMIC = {
    "prisma": "`data: {{ {column}: {{ increment: 1 }} }}` (or `decrement`)",
    "sequelize": "`await {row}.increment('{column}')` / `Model.increment('{column}', {{ where }})`",
    "typeorm": "`repository.increment({{ id }}, '{column}', 1)` (or an UPDATE … SET {column} = {column} + 1 built with the query builder)",
    "knex": "`.increment('{column}', 1)`",
    "django": "`Model.objects.filter(pk={row}.pk).update({column}=F('{column}') + 1)` (`from django.db.models import F`)",
    "sqlalchemy": "`update(Model).where(Model.id == {row}.id).values({column}=Model.{column} + 1)` (the column, not the value read)",
    "mongoose": "`Model.updateOne({{ _id }}, {{ $inc: {{ {column}: 1 }} }})`",
}


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    seen = set()  # a repository method given the row by two services is reported once
    for analysis in program.analyses():
        events = [e for e in analysis.events if e.kind == "lost-update"]
        if not events or locks_rows(analysis.function, known(program)):
            continue
        for event in events:
            if (event.path, event.span) in seen or non_production(event.path):
                continue
            seen.add((event.path, event.span))
            stack, model, column = event.detail.split("|", 2)
            entry = program.schema.models.get(model)
            name = f"`{entry.name}`" if entry is not None else f"`{model}`"
            atomic = _ATOMIC.get(stack, "an atomic update that computes the new value in the database (`SET {column} = {column} + 1`)")
            message = (
                f"`{column}` of the {name} row is written back as the value this request read plus a constant: two requests "
                f"that read the row at the same time both write the same new value, so one of the changes is lost (a favorite or "
                f"a view that never counts) — a transaction at the default isolation level does not prevent it"
            )
            guidance = (f"Let the database do the arithmetic: {atomic.format(column=column, row='row')}; or read the row with a "
                        f"lock (`select_for_update()` / `with_for_update()` / `.forUpdate()`) inside the transaction that writes it.")
            yield ctx.registry.finding("AL311", event.path, event.span, message, guidance)
