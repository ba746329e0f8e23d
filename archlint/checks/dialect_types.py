"""sql rule AL440: a column type the project's database cannot create.

PostgreSQL-only column types in the models of a project whose database is SQLite (and only
SQLite: a project with any PostgreSQL signal is AL703's question, a fallback, not this one):

* SQLAlchemy ``ARRAY`` (generic or ``postgresql.ARRAY``), ``JSONB``, ``HSTORE``, ``INET``,
  ``CIDR``, ``TSVECTOR`` — ``create_all()`` raises ``CompileError: … can't render element of
  type ARRAY`` (verified on SQLAlchemy 2.0.36), so the app never starts;
* Sequelize ``DataTypes.ARRAY`` — ``sync()`` sends ``VARCHAR(255)[]`` and SQLite answers
  ``SQLITE_ERROR: near "[]": syntax error`` (verified on Sequelize 6 + sqlite3 5; ``JSONB`` is
  accepted there, so it is not reported).

The types are knowledge (``rules/knowledge/sql_dialects.toml``, ``unsupported_types`` of the
SQLite entry), matched on the names the model resolves (``from sqlalchemy.dialects.postgresql
import JSONB``, ``sa.ARRAY``), Flask-SQLAlchemy's ``db.ARRAY`` and Sequelize's ``DataTypes.ARRAY``
(also the ``DataTypes`` parameter sequelize-cli's model files receive).
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding
from archlint.domain.sql import detect_database, sql_knowledge
from archlint.semantics import values as v

_SEQUELIZE_HOLDERS = ("DataTypes", "Sequelize", "DataType")
_LISTED = ("ARRAY", "JSONB", "HSTORE", "INET", "CIDR", "TSVECTOR", "ArrayField")
_ORM_MODULES = ("sqlalchemy", "flask_sqlalchemy", "sqlmodel", "sequelize", "sequelize-typescript", "django")


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    entry = ctx.knowledge.entry("sqlite")
    if program is None or entry is None:
        return
    python = {name: label for name, label in entry.extra.get("unsupported_types_python", {}).items()}
    node_types = {name: label for name, label in entry.extra.get("unsupported_types_node", {}).items()}
    sql = sql_knowledge(ctx.knowledge)
    choices = {}

    def sqlite_only(project) -> bool:
        if project not in choices:
            files = ctx.project_files(project)
            choices[project] = detect_database(files, ctx.graph, ctx.projects.manifest_of(ctx.manifest, project), sql)
        choice = choices[project]
        return choice.database == "sqlite" and choice.databases() == {"sqlite"}

    uses = []
    for path in sorted(program.modules):
        if non_production(path):
            continue
        module = program.modules[path]
        if not _declares_models(module):
            continue  # only files that import the ORM (or take sequelize-cli's DataTypes) are walked
        if not sqlite_only(ctx.projects.of(path)):
            continue  # the database is decided first: a project not on SQLite alone is never walked
        table = python if module.language == "python" else node_types
        for node in _type_nodes(module):
            name = _type_name(program, path, node, module.language)
            if name in table:
                uses.append((path, node, table[name]))
    seen = set()
    for path, node, label in uses:
        choice = choices[ctx.projects.of(path)]
        if (path, node.span.line, node.span.column) in seen:
            continue
        seen.add((path, node.span.line, node.span.column))
        evidence = choice.evidence[0]
        stack, type_name, failure = label.split("|", 2)
        message = (
            f"`{type_name}` is a PostgreSQL column type, and this project's database is SQLite ({evidence.kind} `{evidence.detail}` in "
            f"{evidence.path}:{evidence.line}): {failure}"
        )
        guidance = (
            "Use a type SQLite can store — `JSON` (a list of tags as a JSON array) or an association table for a list — "
            if stack == "sqlalchemy" else
            "Use `models.JSONField(default=list)` for a list (or a ManyToManyField to a Tag model), "
            if stack == "django" else
            "Use `DataTypes.JSON` for a list (or an association table), "
        ) + "or move the project to PostgreSQL everywhere (URL, driver, compose) if that is the database it must run on."
        yield ctx.registry.finding("AL440", path, node.span, message, guidance)


def _declares_models(module: ir.ModuleIR) -> bool:
    if any(target.split(":")[0].split(".")[0] in _ORM_MODULES for _name, target in module.bindings):
        return True
    return any(param.name in _SEQUELIZE_HOLDERS for function in module.functions for param in function.params)


def _type_nodes(module: ir.ModuleIR):
    """The Name/Attr nodes of the module (function bodies and class field values, where
    declarative columns live)."""
    for function in module.functions:
        for node in ir.iter_nodes(function.body):
            if type(node) in (ir.Name, ir.Attr):
                yield node
    for cls in module.classes:
        for field in cls.fields:
            for part in (field.value, field.annotation):
                if part is not None:
                    for node in ir.iter_nodes(part):
                        if type(node) in (ir.Name, ir.Attr):
                            yield node


def _type_name(program, path: str, node, language: str) -> str:
    """``sqlalchemy.dialects.postgresql.JSONB`` / ``sequelize:DataTypes.ARRAY`` for a reference to a
    listed type, else ``""``."""
    if type(node) is ir.Attr and node.name not in _LISTED:
        return ""
    if type(node) is ir.Name and node.id not in _LISTED:
        return ""
    if language == "python":
        value = v.strip(program.static_value(path, node))
        return value.name if type(value) is v.External else ""  # db.ARRAY: flask_sqlalchemy.SQLAlchemy().ARRAY
    if type(node) is ir.Attr:
        obj = node.obj
        if (type(obj) is ir.Name and obj.id in _SEQUELIZE_HOLDERS) or (type(obj) is ir.Attr and obj.name == "DataTypes"):
            return f"sequelize:DataTypes.{node.name}"
    return ""
