"""ORM models found in the facts: SQLAlchemy declarative classes, Django models, Sequelize
``define``/``init``/``extends Model`` models and their associations.

The schema (model -> columns, relationships with target / back_populates / lazy, associations with
``as``) is what the ORM rules check queries against and what the SQL rules use as table metadata.

Why this is not :mod:`archlint.semantics.schema` (the IR's model registry): this one is read from the
*facts*, before any IR exists, because it decides which files get one — the deep-analysis plan
(``application/deep_plan.py`` → ``datalayer.follow_names``) follows the files that import a model
found here, and only those are lowered to the IR the semantic program is built from (issue 11's
budget: deep analysis only where there are data-layer signals).  It also serves the facts-level
rules that run with no semantic program (``ctx.program`` is ``None`` for a project with none: AL2xx
SQLAlchemy checks, the SQL schema, the relationship fixer).  Models here are keyed by bare class name
and resolved through import bindings (:class:`ModelIndex`); the IR registry keys them by
``path:Class`` and knows more (relation loading strategies, unique sets, nullable columns).  Folding
the two into one needs that one to be built from facts first and enriched from the IR later.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from archlint.domain import ir
from archlint.domain.arguments import ir_call, ir_calls_on_line, literal_value, object_strings, refers_to, string_of
from archlint.domain.facts import ClassDef, FileFacts, Span
from archlint.domain.lazy_regex import lazy_compile
from archlint.domain.records import NamedTuple


def canonical(resolved: str | None, language: str) -> str | None:
    """Python ``sqlalchemy:orm.sessionmaker`` -> ``sqlalchemy.orm.sessionmaker``; JS unchanged."""
    if resolved is None:
        return None
    if language == "python":
        return resolved.replace(":", ".").strip(".")
    return resolved


class ModelField(NamedTuple):
    name: str
    kind: str  # column | relationship | association
    target: str  # related model for relationships/associations
    options: dict
    span: Span


@dataclass(slots=True)
class Model:
    """An ORM model class found in the facts."""
    name: str
    stack: str  # sqlalchemy | django | sequelize
    path: str
    span: Span
    table: str = ""
    fields: dict[str, ModelField] = field(default_factory=dict)


# Models -----------------------------------------------------------------------------------------------
_SQLA_BASES = ("sqlalchemy.orm.DeclarativeBase", "sqlalchemy.orm.DeclarativeBaseNoMeta", "sqlmodel.SQLModel")
SQLA_BASE_FACTORIES = ("sqlalchemy.orm.declarative_base", "sqlalchemy.ext.declarative.declarative_base")
_DJANGO_BASES = ("django.db.models.Model", "django.db.models.base.Model")
_SEQUELIZE_BASES = ("sequelize:Model", "sequelize-typescript:Model", "sequelize:default.Model", "sequelize:.Model")
_MAPPED_TARGET = re.compile(r"""Mapped\[\s*(?:(?:list|List|set|Set|Optional)\[\s*)?['"]?([A-Za-z_]\w*)""")
_RELATION_OPTIONS = frozenset({"back_populates", "backref", "lazy", "through"})  # relationship()/ManyToManyField() keywords kept
_SEQUELIZE = frozenset({"sequelize"})
_ASSOCIATION_OPTIONS = frozenset({"as", "foreignKey", "through", "back_populates", "backref", "lazy"})
_COLLECTION = re.compile(r"Mapped\[\s*(?:list|List|set|Set|WriteOnlyMapped|DynamicMapped)\b")  # of the annotation


# The names a plain declarative base goes by: a class whose bases are all of these declares every
# column itself; a mixin or a custom base (`TimestampMixin`, `AuditedModel`) may add columns unseen.
_PLAIN_DECLARATIVE_BASE = lazy_compile(r"(^|\.)(Base|DeclarativeBase|Model|SQLModel|db\.Model)$")


def columns_fully_declared(facts: FileFacts, model: Model) -> bool:
    """Every column of ``model`` is declared in its own class body: its bases (class keywords such as
    SQLModel's ``table=True`` are not bases) are plain declarative bases.  The column rules (AL210,
    AL205, the SQL schema) stay silent otherwise, since a mixin's columns are invisible to them."""
    cls = next((c for c in facts.classes if c.name == model.name), None)
    return cls is not None and all(_PLAIN_DECLARATIVE_BASE.search(base) for base in cls.bases)


def find_models(
    files: dict[str, FileFacts], paths: Iterable[str], module_env: Callable[[str], dict], every: list[Model] | None = None,
    declarative: frozenset = frozenset(), associations: frozenset = frozenset(),
) -> dict[str, Model]:
    """ORM models across the project: SQLAlchemy declarative, Django, Sequelize.  The result maps
    a name to its first definition; ``every`` (when given) receives every class model, so that two
    classes of one name in two files can be told apart (:class:`ModelIndex`).  ``declarative``:
    library bases whose subclasses are tables named after the class (advanced-alchemy's ``UUIDBase``,
    ``semantics.toml`` ``declarative_bases``); ``associations``: Sequelize's association methods
    (``hasMany``…, ``orms.toml`` ``sequelize_associations``)."""
    paths = list(paths)
    models: dict[str, Model] = {}
    found: dict[tuple[str, str], Model] = {}
    bases: dict[str, str] = {}  # local declarative base class names -> stack
    sqlmodel_bases: set[str] = set()  # those of them that are SQLModel classes without table=True
    for path in paths:
        facts = files[path]
        for assign in facts.assigns:
            if not assign.scope and canonical(assign.resolved, facts.language) in SQLA_BASE_FACTORIES:
                bases[assign.target] = "sqlalchemy"
            typed = module_env(path).get(assign.target)
            if typed is not None and typed.kind == "flask_db":
                bases[f"{assign.target}.Model"] = "sqlalchemy"
    aliases: dict[str, set[str]] = {}  # `Model = db.Model` at module level: name -> the modules re-exporting the base
    for path in paths:
        for assign in files[path].assigns:
            if not assign.scope and not assign.callee and assign.value in bases and assign.target.isidentifier():
                aliases.setdefault(assign.target, set()).add(path.rsplit(".", 1)[0].replace("/", ".").removesuffix(".__init__"))
    for _round in range(3):  # class Base(DeclarativeBase); class TimestampMixin(Base); class User(TimestampMixin)
        for path in paths:
            facts = files[path]
            for cls in facts.classes:
                stack = _model_stack(cls, facts.language, bases) or _aliased_base(cls, aliases)
                named = facts.language == "python" and any(canonical(r, "python") in declarative for r in cls.resolved_bases)
                stack = stack or ("sqlalchemy" if named else None)
                if stack is None:
                    continue
                sqlmodel = _sqlmodel_derived(cls, sqlmodel_bases)
                if named and "__abstract__" not in cls.attributes:
                    pass  # `class Article(UUIDBase)` is table `article` without a `__tablename__`
                elif sqlmodel and not _table_keyword(facts, cls) or (
                        not sqlmodel and is_abstract_base(cls, facts.language)):
                    # a declarative base, or a SQLModel class without `table=True` (a pydantic schema:
                    # `ArticleBase(SQLModel)`, `ArticlePublic(ArticleBase)`)
                    bases[cls.name] = stack
                    if sqlmodel:
                        sqlmodel_bases.add(cls.name)
                    continue
                model = found.setdefault((path, cls.name), Model(cls.name, stack, path, cls.span))
                if sqlmodel and not model.table:
                    model.table = cls.name.lower()  # SQLModel's default `__tablename__` (a `__tablename__` overrides it)
                models.setdefault(cls.name, model)
                if _declared_abstract(facts, cls):
                    # `class TimestampedModel(models.Model): class Meta: abstract = True` (or `__abstract__ = True`):
                    # the classes deriving from it, in this file or another, are the tables
                    bases.setdefault(cls.name, stack)
    # each file's models, grouped once (a tree of hundreds of projects has thousands of models)
    found_at: dict[str, list[Model]] = {}
    for model in found.values():
        found_at.setdefault(model.path, []).append(model)
    named_at: dict[str, list[Model]] = {}
    for model in models.values():
        named_at.setdefault(model.path, []).append(model)
    for path in paths:
        facts = files[path]
        sequelize = facts.language != "python"  # define/init/hasMany are Sequelize's (JS/TS) API
        if sequelize:
            before = len(models)
            _sequelize_defines(facts, models)
            added = [model for _, model in zip(range(len(models) - before), reversed(models.values()))]
            for model in reversed(added):
                named_at.setdefault(model.path, []).append(model)
        for model in {id(m): m for m in (*found_at.get(path, ()), *named_at.get(path, ()))}.values():
            _fields(facts, model)
        if sequelize:
            _sequelize_associations(facts, models, associations)
    if every is not None:
        every.extend(found.values())
    return models


class ModelIndex:
    """Which model a name means *in one file*: the class defined there, else the one its import
    binds, else the only model of that name in the project — never the first file seen, so the
    answer does not change when files are renamed.  Two same-named models and no way to tell
    them apart resolve to None (rules stay silent rather than judge the wrong class)."""

    def __init__(self, models: list[Model], files: dict[str, FileFacts], resolve_binding: Callable, project_of: Callable[[str], str]) -> None:
        self.by_name: dict[str, list[Model]] = {}
        for model in models:
            self.by_name.setdefault(model.name, []).append(model)
        self.files = files
        self.resolve_binding = resolve_binding
        self.project_of = project_of

    def resolve(self, path: str, name: str) -> Model | None:
        candidates = self.by_name.get(name, [])
        if not candidates:
            return None
        own = [m for m in candidates if m.path == path]
        if own:
            return own[0]
        facts = self.files.get(path)
        if facts is not None:
            if any(cls.name == name for cls in facts.classes):
                return None  # a class of that name here that is not a model shadows the others
            binding = next((b.target for b in reversed(facts.bindings) if b.name == name), None)
            if binding is not None:
                target = self.resolve_binding(path, binding)
                imported = target.attr.split(".")[-1] if target.attr else ""
                chosen = [m for m in candidates if m.path == target.file and (imported in ("", name) or m.name == imported)]
                return chosen[0] if len(chosen) == 1 else None
        project = self.project_of(path)
        same = [m for m in candidates if self.project_of(m.path) == project]
        return same[0] if len(same) == 1 else None


def _aliased_base(cls: ClassDef, aliases: dict[str, set[str]]) -> str | None:
    """``class Article(SurrogatePK, Model)`` with ``from conduit.database import Model`` where that module
    has ``Model = db.Model``: a Flask-SQLAlchemy model (a class deriving from another package's
    ``Model`` is not)."""
    for resolved in cls.resolved_bases:
        module, _, name = (resolved or "").partition(":")
        if name in aliases and module and any(m == module or m.endswith("." + module) for m in aliases[name]):
            return "sqlalchemy"
    return None


def _model_stack(cls: ClassDef, language: str, bases: dict[str, str]) -> str | None:
    for text, resolved in zip(cls.bases, cls.resolved_bases):
        name = canonical(resolved, language) or ""
        if name in _SQLA_BASES or text in bases or name.split(".")[-1] in bases and not resolved:
            return bases.get(text, "sqlalchemy")
        if name in _DJANGO_BASES or (text == "models.Model" and "django" in name):
            return "django"
        if resolved in _SEQUELIZE_BASES or (resolved or "").endswith(":Model") and "sequelize" in (resolved or ""):
            return "sequelize"
        imported_base = (resolved or "").rpartition(":")[2].split(".")[-1]
        if imported_base in bases:
            return bases[imported_base]
    return None


def _declared_abstract(facts: FileFacts, cls: ClassDef) -> bool:
    """``__abstract__ = True`` in the body (SQLAlchemy) or a nested ``class Meta: abstract = True`` (Django)."""
    if facts.language != "python":
        return False
    if "__abstract__" in cls.attributes:
        return True
    span = cls.span
    return any(inner.name == "Meta" and "abstract" in inner.attributes and inner.span.column > span.column
               and span.line < inner.span.line <= span.end_line for inner in facts.classes)


def is_abstract_base(cls: ClassDef, language: str) -> bool:
    """``class Base(DeclarativeBase): pass`` defines a base, not a table."""
    if language != "python":
        return False
    resolved = [canonical(r, language) or "" for r in cls.resolved_bases]
    declares_table = "__tablename__" in cls.attributes or "__table__" in cls.attributes
    return not declares_table and (any(r in _SQLA_BASES for r in resolved) or cls.name in ("Base", "Model", "BaseModel"))


def _sqlmodel_derived(cls: ClassDef, sqlmodel_bases: set[str]) -> bool:
    """A SQLModel class: ``SQLModel`` itself among its bases, or a project SQLModel class."""
    for text, resolved in zip(cls.bases, cls.resolved_bases):
        if resolved == "sqlmodel:SQLModel" or text in sqlmodel_bases \
                or (resolved or "").rpartition(":")[2].split(".")[-1] in sqlmodel_bases:
            return True
    return False


def _table_keyword(facts: FileFacts, cls: ClassDef) -> bool:
    """``class User(SQLModel, table=True)``: a table model (without ``table=True`` a SQLModel class is
    a Pydantic schema).  The class keyword is read from the IR."""
    if facts.ir is None:
        return False
    for node in facts.ir.classes:
        if node.name == cls.name and node.span.line == cls.span.line:
            return any(k.name == "table" and type(k.value) is ir.Const and k.value.value is True for k in node.keywords)
    return False


def _fields(facts: FileFacts, model: Model) -> None:
    for assign in facts.assigns:
        if assign.scope != model.name:
            continue
        name = assign.target.split(":")[0].strip()
        callee = assign.callee.split(".")[-1]
        if callee in ("relationship", "ForeignKey", "ManyToManyField", "OneToOneField"):
            node = _value_call(facts, assign, callee)
            first = node.arg(0) if node is not None else None
            literal = string_of(first) if first is not None else None
            if literal is None and type(first) is ir.Name and callee == "relationship":
                literal = first.id  # relationship(Role, backref=…): the class itself
            mapped = _MAPPED_TARGET.search(assign.target)  # the annotation: Mapped[list["Post"]]
            target = literal or (mapped.group(1) if mapped else "")
            options = _keyword_strings(node) if node is not None else {}
            uselist = _keyword_const(node, "uselist") if node is not None else None
            if _COLLECTION.search(assign.target) or uselist is True:
                options["collection"] = "true"
            elif "Mapped[" not in assign.target and uselist is not False and name.endswith("s"):
                options["collection"] = "guess"  # legacy relationship() without a Mapped annotation
            model.fields[name] = ModelField(name, "relationship", target, options, assign.span)
        elif callee in ("Column", "mapped_column", "column_property") or callee.endswith("Field"):
            model.fields[name] = ModelField(name, "column", "", {}, assign.span)
        elif name == "__tablename__":
            model.table = literal_value(assign.value) or ""
    for cls in facts.classes:
        if cls.name == model.name:
            for attribute in cls.attributes:
                if not attribute.startswith("__"):
                    model.fields.setdefault(attribute, ModelField(attribute, "column", "", {}, cls.span))


def _value_call(facts: FileFacts, assign, callee: str):
    """The IR call an assignment's value is (``posts = relationship("Post", back_populates=…)``):
    the first call on the assignment's line, after its target's start, that calls ``callee``."""
    for node in ir_calls_on_line(facts, assign.span.line):
        name = node.short_name
        if name == callee and node.span.column >= assign.span.column:
            return node
    return None


def _keyword_strings(call) -> dict[str, str]:
    """The string-valued keywords named in _RELATION_OPTIONS of ``call`` and of the calls in its
    arguments (``backref=backref("posts", lazy="dynamic")``), the last written winning."""
    found = []
    for node in ir.iter_nodes(call):
        if type(node) is ir.Call:
            if node.short_name == "backref" and node.args:
                text = string_of(node.args[0].value) if node.args[0].kind == "pos" else None
                if text:  # backref=backref("created", uselist=True): the name it adds to the target
                    found.append((node.args[0].value.span, "backref", text))
            for arg in node.args:
                text = string_of(arg.value) if arg.kind == "kw" and arg.name in _RELATION_OPTIONS else None
                if text:
                    found.append((arg.value.span, arg.name, text))
    return {name: text for _span, name, text in sorted(found)}


def _keyword_const(call, keyword: str):
    value = call.arg(keyword=keyword)
    return value.value if type(value) is ir.Const else None


def _sequelize_defines(facts: FileFacts, models: dict[str, Model]) -> None:
    """``const User = sequelize.define('User', {...})`` and ``User.init({...}, {sequelize})``."""
    for call in facts.calls:
        method = call.callee.rsplit(".", 1)[-1]
        if method == "define" and call.args_text:
            node = ir_call(facts, call)
            literal = string_of(node.arg(0)) if node is not None else None
            assigned = next((a.target for a in facts.assigns if a.span.line == call.span.line), "")
            for name in {literal or "", assigned} - {""}:
                models.setdefault(name, Model(name, "sequelize", facts.path, call.span))
        elif method == "init" and "." in call.callee and _passes_sequelize(facts, call):
            name = call.callee.rsplit(".", 1)[0].split(".")[-1]
            models.setdefault(name, Model(name, "sequelize", facts.path, call.span))


def _passes_sequelize(facts: FileFacts, call) -> bool:
    """``User.init(attributes, { sequelize })`` / ``{ sequelize: db }`` / ``User.init(this.sequelize)``:
    the call is given the Sequelize instance (a ``sequelize`` option, name or attribute)."""
    if refers_to(facts, call, _SEQUELIZE):
        return True
    node = ir_call(facts, call)
    return node is not None and any(
        type(inner) is ir.Obj and any(entry.key == "sequelize" for entry in inner.entries)
        for arg in node.args for inner in ir.iter_nodes(arg.value))


def _sequelize_associations(facts: FileFacts, models: dict[str, Model], associations: frozenset) -> None:
    for call in facts.calls:
        parts = call.callee.split(".")
        if len(parts) < 2 or parts[-1] not in associations:
            continue
        owner = models.get(parts[-2])
        if owner is None or owner.stack != "sequelize":
            continue
        node = ir_call(facts, call)
        first = node.arg(0) if node is not None else None
        target = first.id if type(first) is ir.Name else first.name if type(first) is ir.Attr else ""  # Post / models.Post
        if not target:
            continue
        options = {key: value for arg in node.args for key, value in object_strings(arg.value, _ASSOCIATION_OPTIONS).items()}
        options["type"] = parts[-1]
        alias = options.get("as", "")
        key = f"{parts[-1]}:{target}:{alias}"
        owner.fields[key] = ModelField(alias or target, "association", target, options, call.span)
