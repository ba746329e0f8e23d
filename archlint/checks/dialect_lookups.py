"""sql rule AL444: a PostgreSQL-only ORM lookup or operator in a project whose database is SQLite.

* Django ``JSONField`` containment — ``filter(tag_list__contains=[tag])`` and ``__contained_by``
  on a ``models.JSONField`` (also through key transforms, ``data__a__contains``): Django's SQLite
  backend declares ``supports_json_field_contains = False`` and the lookup raises
  ``NotSupportedError: contains lookup is not supported on this database backend.`` when the
  query is compiled.  ``__has_key``/``__has_keys``/key transforms/``__icontains`` work on SQLite
  and stay silent, as does ``__contains`` on any other field (a ``LIKE``).
* Sequelize operators that only PostgreSQL's grammar has, outside the literal options of a model
  query the builder lifters read (there AL402 reports the lifted ``ILIKE``/``@>``) — ``Op.contains`` (``@>``),
  ``Op.contained`` (``<@``), ``Op.overlap`` (``&&``), ``Op.iLike``/``Op.notILike`` (``ILIKE``),
  ``Op.iRegexp`` …: Sequelize writes them verbatim for every dialect and SQLite answers
  ``SQLITE_ERROR: … syntax error``.

The database premise is AL440's: every database signal of the project says SQLite.  The tables
are data (``unsupported_lookups_django`` / ``unsupported_operators_sequelize`` of the SQLite entry
in ``rules/knowledge/sql_dialects.toml``).  Raw SQL (``@>`` in a ``sequelize.query``) is the SQL
family's own parse against the project's dialect.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding
from archlint.domain.sql import detect_database, sql_knowledge
from archlint.semantics import values as v

_DJANGO_JSON = ("django.db.models.JSONField", "django.db.models.fields.json.JSONField")
_QUERY_METHODS = frozenset({"filter", "exclude", "get", "get_or_create", "update_or_create", "first", "count", "exists"})
_SEQUELIZE = ("sequelize", "sequelize-typescript")


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    entry = ctx.knowledge.entry("sqlite")
    if program is None or entry is None or not program.modules:
        return
    lookups = dict(entry.extra.get("unsupported_lookups_django", {}))
    operators = dict(entry.extra.get("unsupported_operators_sequelize", {}))
    sql = sql_knowledge(ctx.knowledge)
    choices: dict = {}

    def sqlite_evidence(path: str):
        project = ctx.projects.of(path)
        if project not in choices:
            files = ctx.project_files(project)
            choice = detect_database(files, ctx.graph, ctx.projects.manifest_of(ctx.manifest, project), sql)
            choices[project] = choice.evidence[0] if choice.database == "sqlite" and choice.databases() == {"sqlite"} else None
        return choices[project]

    seen = set()
    json_fields = _django_json_fields(program)
    if json_fields and lookups:
        for analysis in program.analyses():
            if non_production(analysis.path) or analysis.function is None:
                continue
            for record in analysis.calls:
                for finding in _django(ctx, analysis.path, record, json_fields, lookups, sqlite_evidence):
                    if finding.sort_key() not in seen:
                        seen.add(finding.sort_key())
                        yield finding
    if operators:
        yield from _sequelize(ctx, program, operators, sqlite_evidence)


def _django_json_fields(program) -> dict:
    """model key -> names of its ``models.JSONField`` columns."""
    found: dict = {}
    for key, model in program.schema.models.items():
        if model.stack != "django" or model.cid < 0 or model.path not in program.modules:
            continue
        cls = next((c for c in program.modules[model.path].classes if c.cid == model.cid), None)
        for member in cls.fields if cls is not None else ():
            if type(member.value) is ir.Call and program.static_name(model.path, member.value.func) in _DJANGO_JSON:
                found.setdefault(key, set()).add(member.name)
    return found


def _django(ctx, path, record, json_fields, lookups, sqlite_evidence):
    node = record.node
    if node.method not in _QUERY_METHODS:
        return
    receiver = v.strip(record.receiver)
    model = getattr(receiver, "model", "") if getattr(receiver, "stack", "") == "django" else ""
    fields = json_fields.get(model, ())
    if not fields:
        return
    for arg in node.args:
        if arg.kind != "kw" or not arg.name or "__" not in arg.name:
            continue
        parts = arg.name.split("__")
        if parts[0] not in fields or parts[-1] not in lookups:
            continue
        evidence = sqlite_evidence(path)
        if evidence is None:
            return
        name = model.rsplit(":", 1)[-1]
        message = (
            f"`{arg.name}` is a JSON containment lookup on `{name}.{parts[0]}` (a `JSONField`), and this project's database "
            f"is SQLite ({evidence.kind} `{evidence.detail}` in {evidence.path}:{evidence.line}): the query raises "
            f"{lookups[parts[-1]]}, so the request fails with a 500"
        )
        guidance = ("On SQLite, model the list as rows (a `Tag` model with a ManyToManyField, then `filter(tags__name=tag)`), "
                    "or filter in Python; `__has_key` and key lookups do work on SQLite. Or run on PostgreSQL everywhere.")
        yield ctx.registry.finding("AL444", path, getattr(arg.value, "span", node.span), message, guidance)


def _lifted_calls(program) -> dict:
    """path -> spans of Sequelize model queries the interpreter resolved (``Article.findAll({…})``):
    the builder lifters turn their literal options into SQL and AL402 reports an ``ILIKE``/``@>``
    there, so only operators outside them (a ``where`` built in a variable, a helper, an
    unresolved ``db.Article``) are this rule's."""
    found: dict = {}
    for analysis in program.analyses():
        for record in analysis.calls:
            bare = v.strip(record.receiver)
            if getattr(bare, "stack", "") in _SEQUELIZE and type(bare) in (v.ModelClass, v.Db, v.Query):
                spans = found.setdefault(analysis.path, [])
                spans.append(record.node.span)
                # `const where = { … }; Article.findAll({ where })`: the lifter reads the local's value too
                names = {n.id for a in record.node.args for n in ir.iter_nodes(a.value) if type(n) is ir.Name}
                body = analysis.function.body if analysis.function is not None else ()
                spans.extend(node.value.span for node in ir.iter_nodes(body)
                             if type(node) is ir.Assign and type(node.value) is ir.Obj
                             and any(type(t) is ir.Name and t.id in names for t in node.targets))
    return found


def _inside(span, spans) -> bool:
    return any(ir.span_contains(outer, span) for outer in spans)


def _sequelize(ctx, program, operators, sqlite_evidence):
    lifted = None
    for path in sorted(program.modules):
        module = program.modules[path]
        if non_production(path) or module.language == "python":
            continue
        imports = any(target.split(":")[0] in _SEQUELIZE for _name, target in module.bindings)
        for function in module.functions:
            for node in program.nodes_of(function, ir.Obj):
                for entry in node.entries:
                    key = entry.key
                    if key is None or isinstance(key, str) or type(key) is not ir.Attr or key.name not in operators:
                        continue
                    if not _is_op(program, path, key.obj, imports):
                        continue
                    if lifted is None:
                        lifted = _lifted_calls(program)
                    if _inside(key.span, lifted.get(path, ())):
                        continue  # a literal option of a resolved model query: AL402's (the lifted SQL)
                    evidence = sqlite_evidence(path)
                    if evidence is None:
                        return
                    message = (
                        f"`Op.{key.name}` is PostgreSQL syntax (Sequelize writes it as {operators[key.name]} for every dialect), and "
                        f"this project's database is SQLite ({evidence.kind} `{evidence.detail}` in {evidence.path}:{evidence.line}): "
                        f"the query fails with `SequelizeDatabaseError: SQLITE_ERROR: … syntax error`"
                    )
                    guidance = ("On SQLite use `Op.like` (case-insensitive for ASCII there) instead of `Op.iLike`, and for list columns "
                                "an association table (`include: [{ model: Tag, where: { name: tag } }]`); or use PostgreSQL everywhere.")
                    yield ctx.registry.finding("AL444", path, key.span, message, guidance)


def _is_op(program, path: str, node, imports: bool) -> bool:
    """``Op`` from sequelize: ``const { Op } = require('sequelize')`` (or ``Sequelize.Op``) in a file
    importing it, or ``db.Sequelize.Op`` of sequelize-cli's models index anywhere."""
    name = program.static_name(path, node)
    if name.split(":")[0] in _SEQUELIZE and name.endswith("Op"):
        return True
    if type(node) is ir.Name:
        return node.id == "Op" and imports
    if type(node) is not ir.Attr or node.name != "Op":
        return False
    holder = node.obj
    return imports or (type(holder) is ir.Attr and holder.name == "Sequelize") or (type(holder) is ir.Name and holder.id == "Sequelize")
