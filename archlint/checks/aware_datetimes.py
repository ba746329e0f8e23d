"""sql rule AL443: a timezone-aware datetime written to a naive ``DateTime`` column under asyncpg.

SQLAlchemy's ``DateTime`` (and ``Mapped[datetime]`` without a type) is ``TIMESTAMP WITHOUT TIME
ZONE`` unless declared ``DateTime(timezone=True)``.  asyncpg encodes the parameter with the
column's type and its ``timestamp`` codec subtracts a naive epoch from the value, so an aware
``datetime`` fails the INSERT/UPDATE: ``asyncpg.exceptions.DataError: invalid input for query
argument $n: datetime.datetime(…, tzinfo=datetime.timezone.utc) (can't subtract offset-naive and
offset-aware datetimes)`` (MagicStack/asyncpg#1139, sqlalchemy#7537).  psycopg and psycopg2 send
the value as text and PostgreSQL drops the offset silently, SQLite stores the text: neither
fails, so only projects whose driver is asyncpg (a ``postgresql+asyncpg://`` URL, or ``asyncpg``
imported or required) are judged.

Aware values are the calls the interpreter cannot confuse with naive ones:
``datetime.now(<tz>)`` / ``datetime.now(tz=<tz>)`` / ``datetime.fromtimestamp(x, <tz>)`` and
``….replace(tzinfo=<tz>)`` / ``….astimezone(<tz>)`` with a non-``None`` zone, a lambda returning
one, or a module function whose every ``return`` is one.  They are reported where they reach a
naive column: ``default=``/``onupdate=`` of the column itself, a keyword of the model's
constructor (``Comment(created_at=…)``), or an assignment ``obj.<column> = …`` when every model
column of that name in the project is naive.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding
from archlint.domain.sql import asyncpg_signal, detect_database, sql_knowledge
from archlint.semantics import values as v

_DATETIME_TYPES = ("DateTime", "TIMESTAMP")
_COLUMN_CALLS = ("Column", "mapped_column")
_AWARE_FACTORIES = ("datetime.datetime.now", "datetime.datetime.fromtimestamp")


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    columns = _naive_columns(program)  # model key -> {column name: (path, field)}
    if not columns:
        return
    sql = sql_knowledge(ctx.knowledge)
    verdicts: dict = {}

    def asyncpg(path: str) -> str:
        project = ctx.projects.of(path)
        if project not in verdicts:
            verdicts[project] = _asyncpg_evidence(ctx, project, sql)
        return verdicts[project]

    schema = program.schema
    # column names that are naive in every model of the project (an assignment's model is not known)
    naive_names: dict = {}
    aware_names: dict = {}
    for model in schema.models.values():
        if model.stack == "sqlalchemy":
            project = ctx.projects.of(model.path)
            naive = columns.get(model.key, {})
            naive_names.setdefault(project, set()).update(naive)
            aware_names.setdefault(project, set()).update(name for name in model.columns if name not in naive)
    seen = set()
    for key in sorted(columns):
        for name, (path, member, call) in sorted(columns[key].items()):
            if non_production(path):
                continue
            for keyword in ("default", "onupdate"):
                value = call.arg(keyword=keyword)
                if value is not None and _aware(program, path, value):
                    evidence = asyncpg(path)
                    if evidence:
                        yield _finding(ctx, path, value, key, name, f"its `{keyword}=`", evidence, seen)
    for path in sorted(program.modules):
        module = program.modules[path]
        if non_production(path) or module.language != "python":
            continue
        project = ctx.projects.of(path)
        names = naive_names.get(project, set()) - aware_names.get(project, set())
        for function in module.functions:
            for node in ir.iter_nodes(function.body):
                if type(node) is ir.Assign and node.value is not None:
                    for target in node.targets:
                        if type(target) is ir.Attr and target.name in names and _aware(program, path, node.value):
                            evidence = asyncpg(path)
                            if evidence:
                                key = next(k for k in sorted(columns) if target.name in columns[k] and ctx.projects.of(columns[k][target.name][0]) == project)
                                yield _finding(ctx, path, node.value, key, target.name, "an assignment", evidence, seen)
                elif type(node) is ir.Call:
                    model = v.strip(program.static_value(path, node.func))
                    key = schema.by_class.get((model.path, model.cid), "") if type(model) is v.ClassValue else ""
                    for arg in node.args if key in columns else ():
                        if arg.kind == "kw" and arg.name in columns[key] and _aware(program, path, arg.value):
                            evidence = asyncpg(path)
                            if evidence:
                                yield _finding(ctx, path, arg.value, key, arg.name, "the constructor", evidence, seen)


def _finding(ctx, path, node, key, column, how, evidence, seen):
    where = (path, node.span.line, node.span.column)
    if where in seen:
        return None
    seen.add(where)
    model = key.rsplit(":", 1)[-1]
    message = (
        f"`{model}.{column}` is a `DateTime` without `timezone=True` (PostgreSQL `timestamp without time zone`) and "
        f"{how} gives it a timezone-aware datetime; with asyncpg ({evidence}) every such write fails: `DataError: invalid "
        f"input for query argument $n: datetime.datetime(…, tzinfo=datetime.timezone.utc) (can't subtract offset-naive "
        f"and offset-aware datetimes)`"
    )
    guidance = ("Declare the column `DateTime(timezone=True)` (and migrate it to `timestamptz`), or store naive UTC "
                "consistently (`datetime.now(timezone.utc).replace(tzinfo=None)`); `server_default=func.now()` avoids "
                "the Python value altogether.")
    return ctx.registry.finding("AL443", path, node.span, message, guidance)


def _naive_columns(program) -> dict:
    found: dict = {}
    schema = program.schema
    for key, model in schema.models.items():
        if model.stack != "sqlalchemy" or model.cid < 0 or model.path not in program.modules:
            continue
        cls = next((c for c in program.modules[model.path].classes if c.cid == model.cid), None)
        for member in cls.fields if cls is not None else ():
            call = member.value
            if type(call) is not ir.Call or program.static_name(model.path, call.func).rsplit(".", 1)[-1] not in _COLUMN_CALLS:
                continue
            if _naive_type(program, model.path, call, member.annotation, _maps_datetime(program, model)):
                found.setdefault(key, {})[member.name] = (model.path, member, call)
    return found


def _naive_type(program, path: str, call: ir.Call, annotation, mapped_aware: bool) -> bool:
    """The column's type is a naive ``DateTime``/``TIMESTAMP``: written as the first positional
    argument (bare or called without ``timezone=True``), or left to ``Mapped[datetime]``."""
    positional = [a.value for a in call.args if a.kind == "pos"]
    type_arg = next((a for a in positional if type(a) in (ir.Name, ir.Attr, ir.Call)
                     and type(_callee(a)) is not ir.Call), None)
    if type_arg is not None and _is_column_type_ref(program, path, type_arg):
        reference = type_arg.func if type(type_arg) is ir.Call else type_arg
        name = program.static_name(path, reference)
        if name.rsplit(".", 1)[-1] not in _DATETIME_TYPES or not _sqlalchemy_name(program, name):
            return False
        if type(type_arg) is ir.Call:
            tz = type_arg.arg(0, "timezone")
            return tz is None or (type(tz) is ir.Const and tz.value in (False, None))
        return True
    if type_arg is None and annotation is not None:  # Mapped[datetime] → DateTime(timezone=False)
        return _annotation_is_datetime(program, path, annotation) and not mapped_aware
    return False


def _maps_datetime(program, model) -> bool:
    """A declarative base with ``type_annotation_map = {datetime: DateTime(timezone=True)}`` (any
    map that mentions ``datetime``: its type is then the map's, not the naive default)."""
    for link_path, cid in program.subclass_chain(model.path, model.cid):
        cls = next((c for c in program.modules[link_path].classes if c.cid == cid), None) if link_path in program.modules else None
        for member in cls.fields if cls is not None else ():
            if member.name == "type_annotation_map" and member.value is not None and any(
                    type(n) in (ir.Name, ir.Attr) and program.static_name(link_path, n) == "datetime.datetime"
                    for n in ir.iter_nodes(member.value)):
                return True
    return False


def _callee(node):
    return node.func if type(node) is ir.Call else node


def _is_column_type_ref(program, path: str, node) -> bool:
    name = program.static_name(path, _callee(node))
    return _sqlalchemy_name(program, name) and name.rsplit(".", 1)[-1][:1].isupper() \
        and name.rsplit(".", 1)[-1] not in ("ForeignKey", "Sequence", "Identity", "Computed")


def _sqlalchemy_name(program, name: str) -> bool:
    """A name of SQLAlchemy or of a package publishing its types (``flask_sqlalchemy.SQLAlchemy().DateTime``,
    ``quart_sqlalchemy``'s, ``sqlmodel.DateTime``): the modules of the ``sqlalchemy`` entry of rules/knowledge/orms.toml."""
    return name.split(".", 1)[0] in program.library.modules_of_orm.get("sqlalchemy", ())


def _annotation_is_datetime(program, path: str, annotation) -> bool:
    if type(annotation) is not ir.Index:
        return False
    if program.static_name(path, annotation.obj).rsplit(".", 1)[-1] != "Mapped":
        return False
    inner = annotation.index
    return program.static_name(path, inner) == "datetime.datetime"


def _aware(program, path: str, value, depth: int = 0) -> bool:
    """The expression evaluates to a timezone-aware datetime (see the module docstring)."""
    if type(value) in (ir.Name, ir.FuncRef) and depth == 0:
        if type(value) is ir.FuncRef:
            function = program.function(path, value.fid)
        else:  # a helper, here or imported (`from app.models.base import utcnow`)
            target = v.strip(program.static_value(path, value))
            function = program.function(target.path, target.fid) if type(target) is v.Function else None
            path = target.path if function is not None else path
        if function is None:
            return False
        returns = [n.value for n in ir.iter_nodes(function.body) if type(n) is ir.Return]
        return bool(returns) and all(r is not None and _aware(program, path, r, depth + 1) for r in returns)
    if type(value) is not ir.Call:
        return False
    if value.method in ("replace", "astimezone"):
        zone = value.arg(keyword="tzinfo") if value.method == "replace" else value.arg(0, "tz")
        return zone is not None and not (type(zone) is ir.Const and zone.value is None)
    name = program.static_name(path, value.func)
    if name == "datetime.datetime.now":
        zone = value.arg(0, "tz")
    elif name == "datetime.datetime.fromtimestamp":
        zone = value.arg(1, "tz")
    else:
        return False
    return zone is not None and not (type(zone) is ir.Const and zone.value is None)


def _asyncpg_evidence(ctx: CheckContext, project, sql) -> str:
    """How the project is known to talk to PostgreSQL through asyncpg (``""`` when it is not)."""
    files = ctx.project_files(project)
    manifest = ctx.projects.manifest_of(ctx.manifest, project)
    return asyncpg_signal(files, manifest, detect_database(files, ctx.graph, manifest, sql))
