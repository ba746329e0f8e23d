"""The semantic model: one typed model of the program that every data-layer check queries.

Built from the per-file IR (:mod:`archlint.domain.ir`) of the files that need deep analysis:

* :mod:`.values` — abstract values (DB handles, queries, rows, models, request data, constants);
* :mod:`.library` — what library calls return and do, read from ``rules/knowledge/access.toml``;
* :mod:`.schema` — ORM models (SQLAlchemy, Django, Sequelize, TypeORM) from the IR's classes/calls;
* :mod:`.program` — the symbol table: modules, imports resolved to definitions, classes with their
  bases across modules, fields of instances, and the summary cache;
* :mod:`.interpreter` — abstract interpretation of one function in one calling context: values
  flow through assignments, calls (via the callee's summary), returns, attributes, ``with``,
  destructuring; loops, transactions and ``None`` guards are tracked; effects (queries, writes,
  lazy loads, dereferences) are recorded with the path that reached them.

Trade-offs, written down (semgrep's habit): a loop body is interpreted once (no fixpoint over
iterations); calls are followed to a bounded depth; a recursive cycle yields ``UNKNOWN``; every
construct the model does not know yields ``UNKNOWN`` and no rule fires on ``UNKNOWN``.
"""
