"""Lifters: query-builder and ORM call chains turned into sqlglot trees (issue 14).

One module per builder; each has ``define(program, catalog, in_project)`` — the tables its
models map — and ``lift_chain(program, catalog, query, chain)`` — the :class:`~.base.Lifted` statements of one
possible chain of a :class:`~archlint.semantics.values.Query` (branches give several chains).  The interpreter
records every query a statement runs with the chain of builder calls that made it
(``Effect.query``); :func:`lift_query` dispatches on the query's stack.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from archlint.domain.records import NamedTuple
from archlint.semantics import values as v
from archlint.semantics.builders import base

logging.getLogger("sqlglot").setLevel(logging.CRITICAL)  # sqlglot's parse warnings are not the user's output


class _Lifters(Mapping):
    """stack -> lifter module, each imported on first use: a SQLAlchemy project never loads the
    six JS/Django lifters (~250 KB of byte code, a tenth of a small repo's cold start)."""

    def __init__(self, stacks: tuple[str, ...]) -> None:
        self._stacks = stacks
        self._modules: dict = {}

    def __getitem__(self, stack: str):
        module = self._modules.get(stack)
        if module is None:
            if stack not in self._stacks:
                raise KeyError(stack)
            module = self._modules[stack] = _import(stack)
        return module

    def __contains__(self, stack: object) -> bool:
        return stack in self._stacks

    def __iter__(self):
        return iter(self._stacks)

    def __len__(self) -> int:
        return len(self._stacks)


def _import(stack: str):
    """The lifter module of ``stack`` (static imports, so archlint's own graph sees them)."""
    if stack == "sqlalchemy":
        from archlint.semantics.builders import sqlalchemy as module
    elif stack == "django":
        from archlint.semantics.builders import django as module
    elif stack == "knex":
        from archlint.semantics.builders import knex as module
    elif stack == "sequelize":
        from archlint.semantics.builders import sequelize as module
    elif stack == "typeorm":
        from archlint.semantics.builders import typeorm as module
    elif stack == "prisma":
        from archlint.semantics.builders import prisma as module
    else:
        from archlint.semantics.builders import drizzle as module
    return module


LIFTERS = _Lifters(("sqlalchemy", "django", "knex", "sequelize", "typeorm", "prisma", "drizzle"))

__all__ = ["LIFTERS", "Run", "base", "build_catalog", "collect_queries", "lift_query"]


def lift_query(program, catalog, query: v.Query) -> list[base.Lifted]:
    module = LIFTERS.get(query.stack)
    if module is None or not query.chains:
        return []
    lifted: list[base.Lifted] = []
    try:
        for chain in sorted(query.chains, key=base.chain_key):  # branches in source order: deterministic output
            lifted.extend(module.lift_chain(program, catalog, query, chain))
    except Exception:  # noqa: BLE001 - code shapes no lifter foresaw (or a sqlglot bug) must not abort the run
        return []  # the query stays unjudged: unknown stays unknown
    return lifted


def build_catalog(program, in_project, ddl: list, schema_files: list, migrations: list, dialect: str = ""):
    """The relational schema of one project (see :mod:`archlint.semantics.tables`).

    ``ddl``: (text, path, line) of SQL strings with ``CREATE TABLE``; ``schema_files``: (path,
    text) of ``.sql`` / ``.prisma`` files; ``migrations``: paths of migration files (lowered on
    demand — they import no database module, so the model may not have read them yet)."""
    from archlint.semantics import tables

    catalog = tables.Catalog()
    for path, text in schema_files:
        if path.endswith(".prisma"):
            tables.add_prisma(catalog, text, path)
        else:
            tables.add_ddl(catalog, text, path.rsplit("/", 1)[-1], path, 1, dialect)
    for text, path, line in ddl:
        tables.add_ddl(catalog, text, "DDL run by the code", path, line, dialect)
    for path in migrations:
        module = program.modules.get(path)
        if module is not None:
            tables.add_migrations(catalog, module)
    for stack in LIFTERS:
        if _may_define(program, stack):
            LIFTERS[stack].define(program, catalog, in_project)
    return catalog


def _may_define(program, stack: str) -> bool:
    """Whether ``stack``'s ``define`` can add a table (so its lifter is worth importing): knex
    and Prisma define none (migrations, DDL and ``schema.prisma`` are read above); Django,
    Sequelize and TypeORM only from models of their stack; SQLAlchemy reads Python modules and
    Drizzle JS/TS ones."""
    if stack in ("knex", "prisma"):
        return False
    if stack in ("django", "sequelize", "typeorm"):
        return any(model.stack == stack for model in program.schema.models.values())
    python = stack == "sqlalchemy"
    return any((module.language == "python") == python for module in program.modules.values())


class Run(NamedTuple):
    """A query some statement runs (or a function returns to a caller that runs it)."""

    query: v.Query
    path: str  # where it runs ("" for a returned query)
    span: object
    handlers: frozenset  # (path, fid) of the analyses of record that ran it (route handlers among them)
    # every run of it repeats inside a ``while`` loop: a batch or polling loop (``while True: rows =
    # …limit(n); process(rows); if len(rows) < n: break``) — it takes *any* n matching rows each time
    in_while: bool = False


def collect_queries(program) -> list[Run]:
    """Every query with a known builder chain that the program runs, once per set of chains:
    the ``query`` of each effect (through every caller's trace) and queries returned by a
    function (a repository returning a knex builder its caller awaits).  A returned chain that
    some other chain extends is not a query of its own (the caller adds ``.orderBy`` later)."""
    found: dict = {}
    returned: dict = {}
    whiles = {loop.id for analysis in program.analyses() for loop in analysis.loops if loop.kind == "while"}
    for analysis in program.analyses():
        effects = analysis.summary.effects if analysis.fid else analysis.effects
        owner = (analysis.path, analysis.fid)
        for effect in effects:
            query = effect.query
            if query is None or query.stack not in LIFTERS:
                continue
            # The same calls reached from two callers carry different argument values: one query.
            key = (query.stack, query.model, _calls_of(query))
            run = found.get(key)
            handlers = (run.handlers if run is not None else frozenset()) | {owner}
            in_while = any(loop in whiles for loop in effect.loops) and (run is None or run.in_while)
            found[key] = Run(run.query if run is not None else query, effect.path, effect.span, handlers, in_while)
        if analysis.fid:
            for option in v.options(analysis.summary.returns):
                query = v.strip(option)
                if type(query) is v.Query and query.chains and query.stack in LIFTERS:
                    returned.setdefault((query.stack, query.model, _calls_of(query)), Run(query, "", None, frozenset({owner})))
    chains = {chain for key in found for chain in key[2]} | {chain for key in returned for chain in key[2]}
    thenables = program.library.thenables
    for key in [key for key in found if key[0] in thenables]:
        # knex `db('t').del().where({ id })`: the write was recorded at `.del()`, but a thenable
        # builder runs only when awaited, with every call chained onto it — the chain a longer
        # one extends is not a statement of its own
        if all(any(_extends(other, chain) for other in chains) for chain in key[2]):
            del found[key]
    for key, run in returned.items():
        if key in found:
            continue
        if any(_extends(other, chain) for chain in key[2] for other in chains):
            continue
        found[key] = run
    return sorted(found.values(), key=_run_key)


def _calls_of(query: v.Query) -> frozenset:
    """The query's chains as the calls written (path and span of each step), values aside."""
    return frozenset(tuple((step.path, step.node.span) for step in chain) for chain in query.chains)


def _extends(longer: tuple, prefix: tuple) -> bool:
    return len(longer) > len(prefix) and longer[: len(prefix)] == prefix


def _run_key(run: Run) -> tuple:
    first = min((chain[0].path, chain[0].node.span) for chain in run.query.chains)
    return (first, run.path, run.span or (0, 0, 0, 0), len(run.query.chains))
