"""ORM models read from the IR: which classes (or ``define`` calls) are models, their columns and
their relations with the loading strategy that decides whether reading them runs a query.

Each model has a *key* (``"app/models.py:Article"``) instead of a bare class name, so two classes
``Article`` in two packages never collide and renaming files never changes the answer.  A relation
target written as a string (SQLAlchemy ``relationship("User")``, Django ``"app.User"``) is resolved
the way the ORM does it: by class name within the same ORM, preferring the same file, then a unique
match; an ambiguous name stays unresolved (``""``).

Why :mod:`archlint.domain.orm_models` exists beside this registry: that one is read from the facts
before any IR is built, because the deep-analysis plan uses it to choose which files get an IR at
all (the importers of a model are followed), and the facts-level rules read it when there is no
semantic program.  This one is built from the IR of the files that plan chose, so it cannot
replace that one; it is the registry every IR-reading check and the interpreter use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archlint.domain import ir
from archlint.domain.facts import Span
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v
from archlint.semantics.tables import snake

USER_MODEL_TARGET = "AUTH_USER_MODEL"  # the target text of ForeignKey(settings.AUTH_USER_MODEL)
_COLLECTION_TYPES = frozenset({"list", "List", "set", "Set", "WriteOnlyMapped", "DynamicMapped", "Array", "Sequence"})


class Known(NamedTuple):
    """The library names this module reads: the ``[[names]]`` tables with ``reader = "schema"`` of
    ``rules/knowledge/orms.toml`` (each key is explained there), built once per run."""

    sqlalchemy_bases: frozenset  # mapped-model bases
    flask_models: frozenset  # Flask-SQLAlchemy's db.Model
    model_base_keywords: dict  # factory -> keyword naming a class its models derive from (model_class=, cls=)
    query_class_keywords: dict  # factory -> keyword naming the project query class of Model.query (query_class=)
    query_class_attributes: frozenset  # model attribute naming it (query_class = BillQuery)
    sqlalchemy_relationship: frozenset
    sqlalchemy_backref: frozenset  # backref("runs", …) given to relationship(backref=…)
    sqlalchemy_columns: frozenset
    sqlalchemy_imperative: frozenset  # registry().map_imperatively
    sqlalchemy_tables: frozenset  # Core Table(...)
    sqlalchemy_association_proxies: frozenset  # association_proxy("collection", "attribute")
    django_bases: frozenset
    django_user_bases: frozenset
    get_user_model: frozenset
    builtin_user_names: frozenset  # Django's auth.User, imported
    builtin_user_columns: frozenset
    django_relations: dict  # relation field (short name) -> a collection?
    django_relation_modules: frozenset  # the modules (prefixes) those fields come from
    django_keyword_targets: frozenset  # relation fields whose target is only the `to=` keyword
    django_relation_queries: dict  # relation field -> related-manager methods that query even when prefetched
    django_annotations: frozenset  # queryset methods whose keywords become row attributes (annotate)
    django_orderings: frozenset  # queryset methods ordering the rows by the fields they name (order_by)
    django_prefetch_objects: frozenset  # Prefetch, GenericPrefetch
    django_generic_keys: frozenset  # generic foreign keys: no `<name>_id` column, prefetch_related only
    sequelize_bases: frozenset
    tortoise_bases: frozenset  # Tortoise ORM's Model
    tortoise_relations: dict  # relation field (short name) -> a collection?
    tortoise_field_modules: frozenset  # the modules (prefixes) Tortoise's fields come from
    tortoise_defaults: dict  # the names Tortoise gives what a model does not name: table, related_name
    peewee_bases: frozenset  # Peewee's Model (and the playhouse models over it)
    peewee_relations: dict  # relation field (short name) -> a collection?
    peewee_field_modules: frozenset  # the modules (prefixes) Peewee's fields come from
    peewee_defaults: dict  # the backref names Peewee gives when a relation field names none
    sequelize_associations: dict  # association method -> a collection?
    sequelize_association_keys: dict  # association method -> where its foreign key lives: source | target | through
    typeorm_relations: dict  # relation decorator -> a collection?
    objection_relations: dict  # relation class -> a collection?
    bookshelf_relations: dict  # Bookshelf relation method of `this` -> a collection?
    class_model_fields: frozenset  # Typegoose `@prop()`: a field of the Mongoose model a class becomes
    bookshelf_registries: frozenset  # `bookshelf.model('Article', {…})`: registers a Bookshelf model
    mongoose_model_functions: dict  # `mongoose.model('Article', schema)`: function -> its module
    mongoose_class_schemas: dict  # @nestjs/mongoose `SchemaFactory.createForClass(Article)`: method -> its module
    mongoose_method_holders: dict  # `XSchema.methods.m = fn` / `XSchema.statics.m = fn`: holder -> static?
    mongoose_method_registrars: dict  # `XSchema.method('m', fn)` / `XSchema.static('m', fn)`: method -> static?


def _known(table: dict) -> Known:
    return Known(**{key: dict(table[key]) if isinstance(table[key], dict) else frozenset(table[key]) for key in Known._fields})


def known(program) -> Known:
    return program.library.view("schema", _known)


class Relation(NamedTuple):
    name: str
    target: str  # model key, "" when unresolved
    collection: bool
    strategy: str  # the ORM's default loading: "select" (lazy query), selectin/joined/…, "promise" (TypeORM lazy), "none"
    span: Span
    kind: str = "forward"  # forward | reverse | association
    via: str = ""  # how the relation was declared (relationship / ForeignKey / hasMany / ManyToOne …)


@dataclass(slots=True)
class Model:
    """An ORM model of the semantic model: its table, columns and relations."""
    key: str
    name: str
    stack: str  # sqlalchemy | django | sequelize | typeorm | prisma | objection | mikro-orm | mongoose
    path: str
    span: Span
    table: str = ""
    columns: set = field(default_factory=set)
    relations: dict = field(default_factory=dict)  # name -> Relation
    foreign_keys: dict = field(default_factory=dict)  # column -> referenced table
    cid: int = -1  # the class in ``path`` that defines it (-1: a Sequelize ``define``)
    # attribute sets the model declares unique (a column's unique=True / primary key, @unique,
    # UniqueConstraint("a", "b") / @@unique([a, b])): two rows never share all of one set's values
    unique: set = field(default_factory=set)
    pending: list = field(default_factory=list)  # (name, target text, collection, strategy, span, via, options)
    nullable: set = field(default_factory=set)  # Django foreign keys declared null=True (select_related() skips them)
    # columns declared as possibly NULL (`nullable=True`, `Mapped[int | None]`, Django `null=True` on a
    # foreign key's `<name>_id`): a key read from one may be None, so a lookup by it may find nothing
    nullable_columns: set = field(default_factory=set)
    imperative: bool = False  # mapped by `registry.map_imperatively(cls, table)`, not by a declarative base
    # Sequelize scopes: name -> (path, the scope's `include` IR, None without one, "*" unknown); "defaultScope" the default
    scopes: dict = field(default_factory=dict)
    # the Sequelize scopes that order their rows (`scopes: { recent: { order: [['createdAt', 'DESC']] } }`), or whose
    # options are not known (a scope function): a query through one is ordered even with no `order` of its own
    scope_orders: set = field(default_factory=set)
    mapped_in: str = ""  # the module that maps it: its class's module, or where `map_imperatively` is called
    # SQLAlchemy relations paired with one of the target's: relation name -> the target's relation that reads back
    # (`back_populates="cards"`, or the relation a `backref=` adds — both ways)
    inverse: dict = field(default_factory=dict)


class Schema:
    """Every ORM model of the analysed project, by key, with lookups by class and by name."""

    def __init__(self) -> None:
        self.models: dict[str, Model] = {}
        self.by_class: dict[tuple[str, int], str] = {}
        self.user_model = ""  # the custom Django user model's key (see _django_user_model)
        self.label_of = None  # Django model -> its app label (set by discover)

    def add(self, model: Model, cid: int = -1) -> None:
        model.cid = cid
        self.models.setdefault(model.key, model)
        if cid >= 0:
            self.by_class[(model.path, cid)] = model.key

    def get(self, key: str) -> Model | None:
        return self.models.get(key)

    def relation(self, key: str, name: str) -> Relation | None:
        model = self.models.get(key)
        return model.relations.get(name) if model is not None else None

    def back_reference(self, via: str) -> frozenset:
        """The foreign key of the rows a Django reverse foreign-key manager yields that points back
        at the row it was read through: ``event.subevents.filter(…)`` → ``{"event"}``.  Django's
        related manager hands its queryset that row as a known related object, so ``se.event`` on
        those rows is the same instance, no query — nor is what it loads through a foreign key, once
        for all of them (``p.order.event`` over ``order.payments``).  (Not a many-to-many manager.)"""
        owner, _, name = via.rpartition(".")
        relation = self.relation(owner, name)
        if relation is None or relation.kind != "reverse" or relation.via not in ("ForeignKey", "OneToOneField", "TreeForeignKey"):
            return frozenset()
        target = self.models.get(relation.target)
        if target is None:
            return frozenset()
        keys = [key for key, forward in target.relations.items()
                if forward.kind == "forward" and forward.target == owner and forward.span == relation.span]
        return frozenset(keys) | frozenset(f"{key}.{v.SHARED}" for key in keys)

    def identity_back(self, key: str, name: str) -> str:
        """The many-to-one that leads from the rows a SQLAlchemy relation yields back to the row it was read
        through: ``board`` of each card ``board.cards`` holds (``back_populates`` / ``backref``).  Its lazy loader
        looks the foreign key up in the session's identity map before it queries, and the row read through is
        there, so ``card.board`` is that row again — no query, nothing for an AsyncSession to refuse.  Only a
        many-to-one (the target holds the foreign key): the collection side of a pair always queries, and so does
        a many-to-many (``secondary=``: a collection both ways)."""
        model = self.models.get(key)
        relation = model.relations.get(name) if model is not None else None
        back = model.inverse.get(name, "") if model is not None else ""
        if relation is None or not back or model.stack != "sqlalchemy" or relation.target not in self.models:
            return ""
        target = self.models[relation.target]
        reverse = target.relations.get(back)
        if reverse is None or reverse.target != key or reverse.collection or target.inverse.get(back) != name:
            return ""
        if not relation.collection and (not model.table or model.table not in target.foreign_keys.values()):
            return ""  # a one-to-one: the back read is a many-to-one only when the target holds the key
        return back

    def one_to_one_back(self, key: str, name: str) -> str:
        """The accessor that leads back from the row a Django one-to-one relation reads: ``order`` of the
        invoice address ``order.invoice_address`` loads, ``invoice_address`` of the order ``address.order``
        loads.  Django's one-to-one descriptors (forward and reverse, and select_related) cache the row
        they were read from on the row they return, so reading back is the same instance, no query."""
        relation = self.relation(key, name)
        if relation is None or relation.via != "OneToOneField" or relation.collection:
            return ""
        target = self.models.get(relation.target)
        if target is None:
            return ""
        other = "reverse" if relation.kind == "forward" else "forward"
        for back, candidate in target.relations.items():
            if candidate.kind == other and candidate.target == key and candidate.span == relation.span \
                    and candidate.via == "OneToOneField":
                return back
        return ""

    def by_name(self, name: str, stack: str, near: str = "") -> str:
        """A model key from a class name, the way the ORM's registry finds it."""
        label = ""
        if "." in name:  # Django "app_label.Model"
            label, name = name.rsplit(".", 1)
        candidates = [m for m in self.models.values() if m.name == name and m.stack == stack]
        if label and len(candidates) > 1 and self.label_of is not None:  # "order.Line" of several `Line` models
            candidates = [m for m in candidates if m.cid >= 0 and self.label_of(m) == label] or candidates
        if not candidates:
            return ""
        same_file = [m for m in candidates if m.path == near]
        if len(same_file) == 1:
            return same_file[0].key
        return candidates[0].key if len(candidates) == 1 else ""


def discover(program) -> Schema:
    """Build the schema from every module's IR.  ``program`` answers static name resolution."""
    schema = Schema()
    from archlint.semantics.django_apps import app_label

    schema.label_of = lambda model: app_label(program, model)
    js_calls: dict[str, list] = {}
    from archlint.semantics.calls import known as call_names

    # the local names of the class-to-model functions (`getModelForClass`), the calls _js_model_calls collects
    class_models = frozenset(name.rsplit(":", 1)[-1].rsplit(".", 1)[-1] for name in call_names(program).mongoose_class_models)
    names = known(program)
    model_functions = class_models | frozenset(names.mongoose_model_functions)
    model_methods = (_SEQUELIZE_DEFINITIONS | frozenset(names.sequelize_associations) | frozenset(names.mongoose_class_schemas)
                     | names.bookshelf_registries | model_functions)
    for path in sorted(program.modules):
        module = program.modules[path]
        for cls in module.classes:
            stack = program.class_stack(path, cls.cid)
            if stack and not program.is_abstract_model(path, cls.cid):
                model = Model(f"{path}:{cls.name}", cls.name, stack, path, cls.span)
                schema.add(model, cls.cid)
                if stack == "sqlalchemy":
                    _inherited_fields(program, path, cls, model)
                elif stack == "django":
                    _django_abstract_fields(program, path, cls, model)
                _class_fields(program, module, cls, model)
                if stack == "sqlalchemy" and not model.table and program.auto_named(path, cls.cid):
                    model.table = snake(cls.name)  # advanced-alchemy's bases: `ArticleTag` maps `article_tag`
                elif stack == "sqlalchemy" and not model.table and program.sqlmodel_class(path, cls.cid):
                    model.table = cls.name.lower()  # SQLModel's default `__tablename__`: `ArticleTag` maps `articletag`
                if stack == "objection":
                    _objection_statics(program, module, cls, model)
        if module.language != "python":
            js_calls[path] = calls = _js_model_calls(module, model_methods, model_functions)
            _sequelize_defines(program, module, schema, calls)
            _mongoose_models(program, module, schema, calls)
            _bookshelf_models(program, module, schema, calls)
    for path, calls in js_calls.items():
        _sequelize_associations(program, program.modules[path], schema, calls)
    _imperative_models(program, schema)
    schema.user_model = _django_user_model(program, schema)
    _django_usernames(program, schema)
    _django_builtin_user(program, schema)
    _resolve_targets(schema, known(program))
    _django_concrete_parents(program, schema)
    _prisma_models(schema, getattr(program, "schema_files", ()))
    return schema


def _django_concrete_parents(program, schema: Schema) -> None:
    """Django multi-table inheritance: a model deriving from a concrete model (``class Attachment(ReusablePlugin)``,
    ``class ReusablePlugin(ArticlePlugin)``) has its parents' fields and relations too — Django joins the parent
    tables, so ``Attachment.objects.filter(articles=…)`` filters on the parent's many-to-many and
    ``attachment.article`` reads the parent's foreign key (django-wiki's plugins).  The nearest parent's field wins,
    and a field the model declares itself is kept."""
    for model in list(schema.models.values()):
        if model.stack != "django" or model.cid < 0:
            continue
        direct = not program.is_proxy_model(model.path, model.cid)  # a proxy model shares its parent's row: no link
        for base_path, base_cid in program.subclass_chain(model.path, model.cid)[1:]:
            parent = schema.models.get(schema.by_class.get((base_path, base_cid), ""))
            if parent is None or parent is model or parent.stack != "django":
                continue
            accessor = model.name.lower()
            if direct and accessor not in parent.relations:
                # the parent's implicit one-to-one to the child (`revision.imagerevision`), and back (`<parent>_ptr`)
                parent.relations[accessor] = Relation(accessor, model.key, False, "select", model.span, "reverse", "OneToOneField")
                pointer = f"{parent.name.lower()}_ptr"
                model.relations.setdefault(pointer, Relation(pointer, parent.key, False, "select", model.span, "forward", "OneToOneField"))
            direct = False
            for name, relation in parent.relations.items():
                if name not in model.relations and name not in model.columns:
                    model.relations[name] = relation
            for name in parent.columns - model.columns:
                if name not in model.relations:
                    model.columns.add(name)
                    if name in parent.nullable_columns:
                        model.nullable_columns.add(name)
            model.nullable.update(n for n in parent.nullable if n not in model.nullable and n in parent.relations)


# Django's own ``auth.User`` (``django.contrib.auth.models``): its fields, for a project that has no
# custom user model and points its foreign keys at it (``ForeignKey(settings.AUTH_USER_MODEL)``,
# ``ForeignKey(User)``, ``"auth.User"``).
BUILTIN_USER_KEY = "django.contrib.auth.models:User"


def _django_builtin_user(program, schema: Schema) -> None:
    """With no custom user model, a relation to the user targets Django's ``auth.User``: a model
    archlint does not read but whose relations it knows — the reverse accessors the project's models
    add to it (``user.profile`` of a ``OneToOneField(User, related_name="profile")``), which load per
    row like any other (``author.profile.bio`` in a serializer over articles).  The model has no class
    in the project (``cid`` -1): checks that read a model's class skip it."""
    if schema.user_model:
        return
    targets = False
    for model in schema.models.values():
        if model.stack != "django":
            continue
        for index, pending in enumerate(model.pending):
            name, target, collection, strategy, span, via, related_name = pending
            if target == USER_MODEL_TARGET:
                targets = True
            elif target in ("User", "auth.User") and not schema.by_name(target, "django", model.path) \
                    and _builtin_user_reference(program, model, name, target):
                model.pending[index] = (name, USER_MODEL_TARGET, collection, strategy, span, via, related_name)
                targets = True
    if not targets:
        return
    model = Model(BUILTIN_USER_KEY, "User", "django", "", Span(1, 1, 1, 1), table="auth_user")
    model.columns.update(known(program).builtin_user_columns)
    model.unique.add(frozenset({"username"}))
    model.unique.add(frozenset({"id"}))
    schema.add(model)
    schema.user_model = BUILTIN_USER_KEY


def _builtin_user_reference(program, model: Model, name: str, target: str) -> bool:
    """``ForeignKey("auth.User")`` or ``ForeignKey(User)`` with ``User`` imported from Django."""
    if target == "auth.User":
        return True
    cls = program.cls(model.path, model.cid) if model.cid >= 0 else None
    member = next((m for m in cls.fields if m.name == name), None) if cls is not None else None
    call = member.value if member is not None and type(member.value) is ir.Call else None
    to = call.arg(0, "to") if call is not None else None
    return to is not None and program.static_name(model.path, to) in known(program).builtin_user_names


def _django_usernames(program, schema: Schema) -> None:
    """``AbstractUser`` declares ``username = CharField(unique=True)``: a model deriving from it
    inherits the constraint (unless it redeclares the field)."""
    for model in schema.models.values():
        if model.stack != "django" or model.cid < 0 or "username" in model.columns:
            continue
        chain = program.subclass_chain(model.path, model.cid)
        if any(type(base) is v.External and base.name == "django.contrib.auth.models.AbstractUser"
               for link in chain for base in program.bases(*link)):
            model.columns.add("username")
            model.unique.add(frozenset({"username"}))


def _prisma_models(schema: Schema, schema_files) -> None:
    """The models of ``schema.prisma`` (key ``prisma:<Model>``, what ``prisma.<model>`` delegates
    query): scalar fields are columns, relation fields relations that a query returns only when its
    ``include``/``select`` names them (strategy ``none``)."""
    from archlint.semantics.tables import prisma_models

    for path, text in schema_files:
        if not path.endswith(".prisma"):
            continue
        models = prisma_models(text)
        names = {m.name for m in models}
        for found in models:
            key = f"prisma:{found.name}"
            if key in schema.models:
                continue
            model = Model(key, found.name, "prisma", path, Span(found.line, 1, found.line, 1), table=found.table)
            model.columns.update(found.fields)
            model.unique.update(frozenset(u) for u in found.unique)
            for name, (target, collection, _own, _ref) in found.relations.items():
                if target in names:
                    model.relations[name] = Relation(name, f"prisma:{target}", collection, "none", model.span, "forward", "prisma")
            schema.add(model)


def _django_user_model(program, schema: Schema) -> str:
    """The project's custom Django user model (``settings.AUTH_USER_MODEL``, ``request.user``'s
    class): the one concrete model deriving from ``AbstractUser``/``AbstractBaseUser``; ``""``
    when there is none (Django's own ``auth.User``) or more than one."""
    keys = []
    for key, model in sorted(schema.models.items()):
        if model.stack != "django" or model.cid < 0 or program.is_abstract_model(model.path, model.cid):
            continue
        chain = program.subclass_chain(model.path, model.cid)
        if any(type(base) is v.External and base.name in known(program).django_user_bases for link in chain for base in program.bases(*link)):
            keys.append(key)
    return keys[0] if len(keys) == 1 else ""


# Python and TypeORM classes --------------------------------------------------------------------------
def _lazy_strategy(lazy) -> str:
    """SQLAlchemy's ``relationship(lazy=…)``: a loader name, or the legacy constants — ``lazy=False`` is
    ``"joined"`` (indico's ``APIKey.user``: loaded with the key, no query per key), ``lazy=None`` is
    ``"noload"``, ``lazy=True`` (like no argument) ``"select"``."""
    if type(lazy) is not ir.Const:
        return "select"
    if isinstance(lazy.value, str):
        return lazy.value
    if lazy.value is False:
        return "joined"
    if lazy.value is None:
        return "noload"
    return "select"


class _Backref(NamedTuple):
    """``relationship(…, backref=…)``: the relation SQLAlchemy adds to the target class."""

    name: str
    strategy: str
    uselist: bool | None  # backref("parent", uselist=False); None: the direction decides
    secondary: bool  # a many-to-many (``secondary=``): a collection both ways
    span: Span


def _backref(program, path: str, call: ir.Call, span: Span):
    """The backref a ``relationship()`` declares (``backref="tags"`` or ``backref=backref("tags",
    lazy="dynamic")``), or ``""``."""
    node = call.arg(keyword="backref")
    secondary = call.arg(keyword="secondary") is not None
    if type(node) is ir.Const and isinstance(node.value, str) and node.value:
        return _Backref(node.value, "select", None, secondary, span)
    if type(node) is ir.Call and program.static_name(path, node.func) in known(program).sqlalchemy_backref:
        name = node.arg(0, "name")
        if type(name) is ir.Const and isinstance(name.value, str) and name.value:
            uselist = node.arg(keyword="uselist")
            return _Backref(name.value, _lazy_strategy(node.arg(keyword="lazy")),
                            bool(uselist.value) if type(uselist) is ir.Const else None, secondary, span)
    return ""


def _keyword_entry(node, key: str):
    """The value of ``key`` in a keyword dict: a ``{"lazy": …}`` literal or ``dict(lazy=…)``."""
    if type(node) is ir.Obj:
        return next((e.value for e in node.entries if e.key == key), None)
    if type(node) is ir.Call and type(node.func) is ir.Name and node.func.id == "dict":
        return node.arg(keyword=key)
    return None


def _inherited_fields(program, path: str, cls: ir.Class, model: Model) -> None:
    """The fields a SQLAlchemy model inherits from project bases that are no tables of their own:
    SQLModel's ``class ArticleBase(SQLModel)`` shared with the API schemas (``class Article(ArticleBase,
    table=True)`` maps ``title: str`` declared there), an ``__abstract__`` declarative base.  Read
    before the class's own fields, which override them."""
    for base_path, base_cid in reversed(program.subclass_chain(path, cls.cid)[1:]):
        base = program.cls(base_path, base_cid)
        module = program.modules.get(base_path)
        if base is None or module is None or not program.is_abstract_model(base_path, base_cid):
            continue
        _class_fields(program, module, base, model)
    model.table = ""  # a base's ``__tablename__`` names no table of this model


def _django_abstract_fields(program, path: str, cls: ir.Class, model: Model) -> None:
    """The fields a Django model inherits from abstract project models (``Meta.abstract = True``):
    Django copies them into every concrete subclass (django-oscar's ``class Line(AbstractLine)``).
    Read before the class's own fields, which override them."""
    for base_path, base_cid in reversed(program.subclass_chain(path, cls.cid)[1:]):
        base = program.cls(base_path, base_cid)
        module = program.modules.get(base_path)
        if base is None or module is None or not program.is_abstract_model(base_path, base_cid) \
                or program.class_stack(base_path, base_cid) != "django":
            continue
        _class_fields(program, module, base, model)


def _class_fields(program, module: ir.ModuleIR, cls: ir.Class, model: Model) -> None:
    path = module.path
    if model.stack in ("django", "tortoise"):  # Tortoise's Meta takes the same `unique_together`
        _django_meta_unique(program, path, cls, model)
    if model.stack == "tortoise" and model.unique:
        _tortoise_key_columns(program, cls, model)
    if model.stack == "tortoise" and not model.table:
        model.table = _tortoise_table(program, path, cls)
    for member in cls.fields:
        if member.name == "__tablename__" and type(member.value) is ir.Const and isinstance(member.value.value, str):
            model.table = member.value.value
            continue
        if member.name == "__table_args__" and member.value is not None:
            _unique_constraints(program, path, member.value, model)
            continue
        if member.name.startswith("__"):
            continue
        if model.stack in ("typeorm", "mikro-orm"):  # MikroORM's relation decorators have TypeORM's names
            _typeorm_field(program, path, member, model)
            continue
        if model.stack == "sequelize" and member.decorators:
            _sequelize_typescript_field(program, path, member, model)
            continue
        call = member.value if type(member.value) is ir.Call else None
        callee = program.static_name(path, call.func) if call is not None else ""
        if model.stack == "django" and call is not None:
            callee = _library_relation(program, path, call) or callee
        short = callee.rsplit(".", 1)[-1]
        if model.stack == "sqlalchemy" and callee in known(program).sqlalchemy_relationship:
            target = _target_text(call.arg(0, "argument")) or _annotation_target(member.annotation)
            collection: bool | None = _annotation_collection(member.annotation)
            uselist = call.arg(keyword="uselist")
            if type(uselist) is ir.Const:
                collection = bool(uselist.value)
            elif member.annotation is None and call.arg(keyword="secondary") is not None:
                collection = True
            elif not collection and not _is_mapped(member.annotation):
                collection = None  # legacy relationship(): the foreign keys decide (see _resolve_targets)
            lazy = call.arg(keyword="lazy")
            if lazy is None:  # SQLModel: Relationship(sa_relationship_kwargs={"lazy": "selectin"})
                lazy = _keyword_entry(call.arg(keyword="sa_relationship_kwargs"), "lazy")
            strategy = _lazy_strategy(lazy)
            backref = _backref(program, path, call, member.span)
            model.pending.append((member.name, target, collection, strategy, member.span, "relationship", backref))
            populates = call.arg(keyword="back_populates")
            if type(populates) is ir.Const and isinstance(populates.value, str) and populates.value:
                model.inverse[member.name] = populates.value
        elif model.stack == "django" and short in known(program).django_relations \
                and callee.startswith(tuple(sorted(known(program).django_relation_modules))):
            to = call.arg(keyword="to") if short in known(program).django_keyword_targets else call.arg(0, "to")
            target = _target_text(to)
            if type(to) is ir.Call and program.static_name(path, to.func) in known(program).get_user_model:
                target = USER_MODEL_TARGET
            related = call.arg(keyword="related_name")
            related_name = related.value if type(related) is ir.Const and isinstance(related.value, str) else ""
            if "%(" in related_name:  # an abstract model's related_name="%(app_label)s_%(class)s_set"
                from archlint.semantics.django_apps import app_label

                related_name = related_name.replace("%(class)s", model.name.lower()).replace("%(app_label)s", app_label(program, model))
            collection = known(program).django_relations[short]
            model.pending.append((member.name, target, collection, "select", member.span, short, related_name))
            if not collection and short not in known(program).django_generic_keys:  # a many-to-many / generic relation has no column on this table
                model.columns.add(f"{member.name}_id")
            null = call.arg(keyword="null")
            if type(null) is ir.Const and null.value is True:
                model.nullable.add(member.name)
                model.nullable_columns.add(f"{member.name}_id")
            if short == "OneToOneField" or _declares_unique(call):
                model.unique.add(frozenset({member.name}))
                model.unique.add(frozenset({f"{member.name}_id"}))
        elif model.stack == "tortoise" and callee.startswith(tuple(sorted(known(program).tortoise_field_modules))):
            _tortoise_field(member, call, short, model, known(program).tortoise_relations)
        elif model.stack == "peewee" and callee.startswith(tuple(sorted(known(program).peewee_field_modules))):
            _peewee_field(member, call, short, model, known(program).peewee_relations)
        elif model.stack == "django" and callee.startswith("django.db.models") and short.endswith("Field"):
            model.columns.add(member.name)
            if _declares_unique(call):
                model.unique.add(frozenset({member.name}))
        elif model.stack == "sqlalchemy" and (callee in known(program).sqlalchemy_columns or _is_mapped(member.annotation)):
            model.columns.add(member.name)
            if call is not None and _declares_unique(call):
                model.unique.add(frozenset({member.name}))
            table = _foreign_key_table(program, path, call) if call is not None else ""
            if table:
                model.foreign_keys[member.name] = table
            if _declared_nullable(call, member.annotation):
                model.nullable_columns.add(member.name)
        elif call is None and member.annotation is not None and model.stack == "sqlalchemy":
            model.columns.add(member.name)


def _tortoise_key_columns(program, cls: ir.Class, model: Model) -> None:
    """``unique_together = (("follower", "followed"),)`` names foreign keys by their relation; the rows hold
    (and lookups compare) their ``<name>_id`` columns: the same set under those names too."""
    relations = known(program).tortoise_relations
    keys = {member.name for member in cls.fields if type(member.value) is ir.Call
            and relations.get(ir.dotted(member.value.func).rsplit(".", 1)[-1] if ir.dotted(member.value.func) else "") is False}
    for group in list(model.unique):
        if group & keys:
            model.unique.add(frozenset(f"{name}_id" if name in keys else name for name in group))


def _tortoise_table(program, path: str, cls: ir.Class) -> str:
    """A Tortoise model's table: ``class Meta: table = "…"``, else its class name lowercased (orms.toml
    ``tortoise_defaults``)."""
    for nested in cls.nested:
        inner = program.cls(path, nested)
        if inner is not None and inner.name == "Meta":
            for member in inner.fields:
                if member.name == "table" and type(member.value) is ir.Const and isinstance(member.value.value, str):
                    return member.value.value
    return known(program).tortoise_defaults["table"].format(name=cls.name.lower())


def _tortoise_field(member, call: ir.Call, short: str, model: Model, relations: dict) -> None:
    """A Tortoise field: a relation (``ForeignKeyField("models.User", related_name="articles")`` — its
    ``<name>_id`` column too) or a column (``CharField(max_length=…, unique=True)``)."""
    null = call.arg(keyword="null")
    nullable = type(null) is ir.Const and null.value is True
    if short in relations:
        related = call.arg(keyword="related_name")
        # "" when not given (or None): Tortoise's default name; False: no reverse relation; None: a name not known here
        related_name = (related.value if type(related) is ir.Const and (isinstance(related.value, str) or related.value is False)
                        else "" if related is None or type(related) is ir.Const and related.value is None else None)
        model.pending.append((member.name, _target_text(call.arg(0, "model_name")), relations[short], "select",
                              member.span, short, related_name))
        if not relations[short]:
            _foreign_key_column(model, member.name, nullable, short == "OneToOneField" or _declares_unique(call))
        return
    if short.endswith("Field"):
        model.columns.add(member.name)
        if nullable:
            model.nullable_columns.add(member.name)
        if _declares_unique(call) or _keyword_true(call, "pk"):
            model.unique.add(frozenset({member.name}))


def _peewee_field(member, call: ir.Call, short: str, model: Model, relations: dict) -> None:
    """A Peewee field: a relation (``ForeignKeyField(User, backref="tweets")`` — its ``<name>_id`` column too;
    ``ManyToManyField(Tag, backref="posts")``) or a column (``CharField(unique=True)``, ``null=True``)."""
    nullable = _keyword_true(call, "null")
    if short in relations:
        backref = call.arg(keyword="backref")
        if backref is None:
            backref = call.arg(keyword="related_name")  # peewee 2's name, still accepted
        # "" when not given: Peewee's default name; "+": none; None: a name not known here (a callable)
        backref_name = (backref.value if type(backref) is ir.Const and isinstance(backref.value, str)
                        else "" if backref is None or type(backref) is ir.Const and backref.value is None else None)
        target = call.arg(0, "rel_model") if short != "DeferredForeignKey" else call.arg(0, "rel_model_name")
        model.pending.append((member.name, _target_text(target), relations[short], "select", member.span, short, backref_name))
        if not relations[short]:
            _foreign_key_column(model, member.name, nullable, _declares_unique(call))
        return
    if short.endswith(("Field", "Key")):
        model.columns.add(member.name)
        if nullable:
            model.nullable_columns.add(member.name)
        if _declares_unique(call) or _keyword_true(call, "primary_key"):
            model.unique.add(frozenset({member.name}))


def _foreign_key_column(model: Model, name: str, nullable: bool, unique: bool) -> None:
    """A to-one relation's ``<name>_id`` column (Tortoise, Peewee): nullable with the relation, unique with it."""
    model.columns.add(f"{name}_id")
    if nullable:
        model.nullable.add(name)
        model.nullable_columns.add(f"{name}_id")
    if unique:
        model.unique.add(frozenset({name}))
        model.unique.add(frozenset({f"{name}_id"}))


def _keyword_true(call: ir.Call, name: str) -> bool:
    value = call.arg(keyword=name)
    return type(value) is ir.Const and value.value is True


def _library_relation(program, path: str, call: ir.Call) -> str:
    """The library relation field a project subclass of one stands for: nautobot's
    ``tags = TagsField()`` with ``class TagsField(TaggableManager)`` is a taggable manager — the
    dotted name of the first relation field (``django_relations`` from ``django_relation_modules``)
    among the project class's bases, through its project bases; ``""`` when the callee is no project
    class or none of its bases is one."""
    value = v.strip(program.static_value(path, call.func)) if type(call.func) in (ir.Name, ir.Attr) else None
    if type(value) is not v.ClassValue:
        return ""
    relations, modules = known(program).django_relations, tuple(sorted(known(program).django_relation_modules))
    for base_path, base_cid in program.subclass_chain(value.path, value.cid):
        cls = program.cls(base_path, base_cid)
        for base in cls.bases if cls is not None else ():
            name = program.static_name(base_path, base)
            if name.rsplit(".", 1)[-1] in relations and name.startswith(modules):
                return name
    return ""


def _objection_statics(program, module: ir.ModuleIR, cls: ir.Class, model: Model) -> None:
    """An Objection model's ``static tableName`` and ``static relationMappings`` (a static field or a
    static getter returning the literal): each relation is a (target class, list?) pair.  Objection
    loads a relation only when asked (``withGraphFetched``, ``$relatedQuery``, ``$fetchGraph``): a
    relation read from a row fetched without it is ``undefined`` (strategy ``none``)."""
    statics: dict = {member.name: member.value for member in cls.fields if member.value is not None}
    for fid in cls.methods:
        function = module.functions[fid]
        if function.name in ("tableName", "relationMappings") and function.kind in ("getter", "method"):
            returns = [stmt.value for stmt in function.body if type(stmt) is ir.Return and stmt.value is not None]
            if len(returns) == 1:
                statics.setdefault(function.name, returns[0])
    table = statics.get("tableName")
    if type(table) is ir.Const and isinstance(table.value, str):
        model.table = table.value
    mappings = statics.get("relationMappings")
    if type(mappings) is not ir.Obj:
        return
    for entry in mappings.entries:
        if not isinstance(entry.key, str) or type(entry.value) is not ir.Obj:
            continue
        options = {e.key: e.value for e in entry.value.entries if isinstance(e.key, str)}
        relation = options.get("relation")
        kind = relation.name if type(relation) is ir.Attr else relation.id if type(relation) is ir.Name else ""
        if kind not in known(program).objection_relations:
            continue
        target = options.get("modelClass")
        if type(target) is ir.FuncRef:  # modelClass: () => Tag
            body = module.functions[target.fid].body
            target = body[0].value if len(body) == 1 and type(body[0]) is ir.Return else None
        if type(target) is ir.Call and type(target.func) is ir.Name and target.func.id == "require" and len(target.args) == 1:
            target = target.args[0].value  # modelClass: require('./Tag')
        text = target.id if type(target) is ir.Name else ""
        if type(target) is ir.Const and isinstance(target.value, str):  # modelClass: 'Tag' / a module path
            text = target.value.rsplit("/", 1)[-1].removesuffix(".js").removesuffix(".ts")
        model.pending.append((entry.key, text, known(program).objection_relations[kind], "none", entry.value.span, kind, ""))


def _typeorm_field(program, path: str, member: ir.Field, model: Model) -> None:
    for decorator in member.decorators:
        call = decorator if type(decorator) is ir.Call else None
        name = program.static_name(path, call.func if call is not None else decorator)
        short = name.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
        if short in known(program).typeorm_relations and call is not None:
            target = ""
            first = call.arg(0)
            if type(first) is ir.FuncRef:
                target = _arrow_result_name(program, path, first)
            elif type(first) is ir.Const and isinstance(first.value, str):
                target = first.value
            lazy = type(member.annotation) is ir.Index and type(member.annotation.obj) is ir.Name and member.annotation.obj.id == "Promise"
            eager = any(
                type(arg.value) is ir.Obj and any(e.key == "eager" and type(e.value) is ir.Const and e.value.value is True for e in arg.value.entries)
                for arg in call.args
            )
            strategy = "promise" if lazy else "joined" if eager else "none"
            model.pending.append((member.name, target, known(program).typeorm_relations[short], strategy, member.span, short, ""))
            return
        if short in ("Column", "PrimaryGeneratedColumn", "PrimaryColumn", "CreateDateColumn", "UpdateDateColumn",
                     "Property", "PrimaryKey", "SerializedPrimaryKey", "Enum"):  # the last four: MikroORM
            model.columns.add(member.name)
            if short.startswith("Primary") or (call is not None and any(_declares_unique(arg.value) for arg in call.args)):
                model.unique.add(frozenset({member.name}))
            return


def _sequelize_typescript_field(program, path: str, member: ir.Field, model: Model) -> None:
    """sequelize-typescript declares on the class: ``@BelongsTo(() => User, "createdById")
    createdBy``, ``@HasMany(() => Document)``, ``@BelongsToMany(() => Tag, () => ArticleTag)``,
    ``@Column``.  Associations load only when included or fetched (``$get``): strategy ``none``."""
    for decorator in member.decorators:
        call = decorator if type(decorator) is ir.Call else None
        name = program.static_name(path, call.func if call is not None else decorator)
        if not name.startswith("sequelize-typescript"):
            continue
        short = name.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
        association = short[:1].lower() + short[1:]
        if association in known(program).sequelize_associations and call is not None:
            first = call.arg(0)
            target = _arrow_result_name(program, path, first) if type(first) is ir.FuncRef else ""
            model.pending.append((member.name, target, known(program).sequelize_associations[association], "none", member.span, "association", association))
            return
        if short in ("Column", "PrimaryKey", "ForeignKey", "CreatedAt", "UpdatedAt", "DeletedAt"):
            model.columns.add(member.name)
        if short in ("Unique", "PrimaryKey") or short == "Column" and call is not None and any(_declares_unique(a.value) for a in call.args):
            model.unique.add(frozenset({member.name}))


def _arrow_result_name(program, path: str, ref: ir.FuncRef) -> str:
    function = program.modules[path].functions[ref.fid]
    if function.body and type(function.body[-1]) is ir.Return and type(function.body[-1].value) is ir.Name:
        return function.body[-1].value.id
    return ""


def _target_text(node) -> str:
    if type(node) is ir.Const and isinstance(node.value, str):
        return node.value
    if type(node) is ir.Name:
        return node.id
    if type(node) is ir.Attr:
        return node.name
    if type(node) is ir.FuncRef:
        return ""
    return ""


def _annotation_target(annotation) -> str:
    """``Mapped[list["Tag"]]`` → ``Tag``; ``Mapped[Optional["User"]]`` → ``User``."""
    node = annotation
    while type(node) is ir.Index:
        node = node.index
        if type(node) is ir.Seq and node.elts:
            node = node.elts[0]
    if type(node) is ir.BinOp:  # "User" | None
        node = node.left
    if type(node) is ir.Const and isinstance(node.value, str):
        return node.value.strip().strip("'\"").split("[")[-1].rstrip("]").strip("'\"")
    if type(node) is ir.Name:
        return node.id
    return ""


def _annotation_collection(annotation) -> bool:
    node = annotation
    while type(node) is ir.Index:
        base = node.obj
        name = base.id if type(base) is ir.Name else base.name if type(base) is ir.Attr else ""
        if name in _COLLECTION_TYPES:
            return True
        node = node.index
    if type(node) is ir.Const and isinstance(node.value, str):
        text = node.value.replace(" ", "")
        return text.startswith(("list[", "List[", "set[", "Set["))
    return False


def _foreign_key_table(program, path: str, call: ir.Call) -> str:
    """``mapped_column(ForeignKey("users.id"))`` → ``users``; SQLModel's ``Field(foreign_key="users.id")``."""
    keyword = call.arg(keyword="foreign_key")
    if type(keyword) is ir.Const and isinstance(keyword.value, str) and "." in keyword.value \
            and program.static_name(path, call.func).startswith("sqlmodel"):
        return keyword.value.rsplit(".", 1)[0]
    for arg in call.args:
        inner = arg.value
        if type(inner) is ir.Call and program.static_name(path, inner.func).endswith("ForeignKey"):
            target = inner.arg(0)
            if type(target) is ir.Const and isinstance(target.value, str) and "." in target.value:
                return target.value.rsplit(".", 1)[0]
    return ""


def _is_mapped(annotation) -> bool:
    return type(annotation) is ir.Index and type(annotation.obj) is ir.Name and annotation.obj.id == "Mapped"


def _declared_nullable(call, annotation) -> bool:
    """A SQLAlchemy column its declaration says may hold NULL: ``nullable=True``, or (without an
    explicit ``nullable``) ``Mapped[Optional[int]]`` / ``Mapped[int | None]``.  Only what is written
    counts — a ``Column()`` left at SQLAlchemy's nullable default is taken as always set."""
    explicit = call.arg(keyword="nullable") if call is not None else None
    if type(explicit) is ir.Const:
        return explicit.value is True
    if not _is_mapped(annotation):
        return False
    inner = annotation.index
    if type(inner) is ir.Index and type(inner.obj) in (ir.Name, ir.Attr):
        return (inner.obj.id if type(inner.obj) is ir.Name else inner.obj.name) == "Optional"
    return type(inner) is ir.BinOp and inner.op == "|" and any(
        type(side) is ir.Const and side.value is None or type(side) is ir.Name and side.id == "None"
        for side in (inner.left, inner.right))


# Sequelize -------------------------------------------------------------------------------------------
_SEQUELIZE_DEFINITIONS = frozenset({"define", "init"})  # `sequelize.define('User', {…})`, `User.init({…}, { sequelize })`


def _js_model_calls(module: ir.ModuleIR, methods: frozenset, functions: frozenset) -> list:
    """(function, node) for the assignments and calls a JS model definition is made of, found in
    one walk of the module: calls of the ``methods`` (``define``/``init``, the association methods,
    ``model``…) and of the bare ``functions`` (``model(…)`` imported from mongoose, the class-to-model
    functions: Typegoose ``getModelForClass(Article)``)."""
    found = []
    for function in module.functions:
        for node in ir.iter_nodes(function.body):
            kind = type(node)
            if kind is ir.Call and (node.method in methods or (type(node.func) is ir.Name and node.func.id in functions)):
                found.append((function, node))
            elif kind is ir.Assign and type(node.value) in (ir.Call, ir.Await):
                call = node.value.value if type(node.value) is ir.Await else node.value
                if type(call) is ir.Call and call.method == "define":
                    found.append((function, node))
    return found


def _sequelize_defines(program, module: ir.ModuleIR, schema: Schema, calls) -> None:
    """``const User = sequelize.define('User', {...})`` and ``User.init({...}, { sequelize })``."""
    path = module.path
    for _function, node in calls:
        if type(node) is ir.Assign and type(node.value) in (ir.Call, ir.Await):
            call = node.value.value if type(node.value) is ir.Await else node.value
            if type(call) is ir.Call and call.method == "define":
                name = call.arg(0)
                model_name = name.value if type(name) is ir.Const and isinstance(name.value, str) else ""
                if not model_name:
                    continue
                model = Model(f"{path}:{model_name}", model_name, "sequelize", path, node.span)
                _sequelize_attributes(call.arg(1), model)
                _sequelize_indexes(call.arg(2), model)
                _sequelize_scopes(path, call.arg(2), model)
                schema.add(model)
                for target in node.targets:
                    if type(target) is ir.Name:
                        program.define_aliases[(path, target.id)] = model.key
        elif type(node) is ir.Call and node.method == "define" and type(node.arg(0)) is ir.Const:
            name = node.arg(0).value  # return sequelize.define('Tag', {...}) (sequelize-cli models)
            if isinstance(name, str) and name:
                model = Model(f"{path}:{name}", name, "sequelize", path, node.span)
                _sequelize_attributes(node.arg(1), model)
                _sequelize_indexes(node.arg(2), model)
                _sequelize_scopes(path, node.arg(2), model)
                schema.add(model)
        elif type(node) is ir.Call and node.method == "init" and type(node.receiver) is ir.Name:
            key = schema.by_class.get((path, _class_id(module, node.receiver.id)))
            if key is not None:
                _sequelize_attributes(node.arg(0), schema.models[key])
                _sequelize_indexes(node.arg(1), schema.models[key])
                _sequelize_scopes(path, node.arg(1), schema.models[key])


def _mongoose_models(program, module: ir.ModuleIR, schema: Schema, calls) -> None:
    """``mongoose.model('Article', ArticleSchema)`` (also ``model(…)`` imported from mongoose)."""
    from archlint.semantics.calls import known as call_names

    path = module.path
    class_models = call_names(program).mongoose_class_models
    names = known(program)
    for _function, node in calls:
        factory = names.mongoose_class_schemas.get(node.method) if type(node) is ir.Call else None
        if factory is not None and type(node.arg(0)) is ir.Name and program.static_name(path, node.func).startswith(f"{factory}:"):
            # @nestjs/mongoose: `@Schema() class Article {…}` + `SchemaFactory.createForClass(Article)`,
            # registered by `MongooseModule.forFeature([{ name: Article.name, schema }])` under the class name
            name = node.arg(0).id
            schema.add(Model(f"{path}:{name}", name, "mongoose", path, node.span))
            continue
        if type(node) is ir.Call and len(node.args) >= 1 and type(node.arg(0)) is ir.Name \
                and program.static_name(path, node.func) in class_models:
            # Typegoose: `getModelForClass(Article)` — a Mongoose model named by the decorated class, whose
            # `@prop()` fields are its fields and whose methods are its documents' methods
            name = node.arg(0).id
            cls = program.static_value(path, node.arg(0))
            definition = program.cls(cls.path, cls.cid) if type(cls) is v.ClassValue else None
            if definition is None:
                schema.add(Model(f"{path}:{name}", name, "mongoose", path, node.span))
                continue
            model = Model(f"{cls.path}:{definition.name}", definition.name, "mongoose", cls.path, definition.span)
            _class_model_fields(program, cls.path, definition, model)
            schema.add(model, cls.cid)
            continue
        if type(node) is not ir.Call or len(node.args) < 2:
            continue
        func = node.func
        module_name = names.mongoose_model_functions.get(node.short_name)
        if module_name is None or not program.static_name(path, func).startswith(f"{module_name}:"):
            continue
        name = node.arg(0)
        if type(name) is ir.Const and isinstance(name.value, str):
            schema.add(Model(f"{path}:{name.value}", name.value, "mongoose", path, node.span))
            if type(node.arg(1)) is ir.Name:  # ArticleSchema: its .methods are the documents' methods
                program.mongoose_schemas[f"{path}:{name.value}"] = node.arg(1).id


def _class_model_fields(program, path: str, definition, model: Model) -> None:
    """The ``@prop()`` fields of a class Typegoose makes a Mongoose model of (``class_model_fields``):
    columns, unique when the options say ``unique: true``."""
    names = known(program).class_model_fields
    for member in definition.fields:
        for decorator in member.decorators:
            call = decorator if type(decorator) is ir.Call else None
            if program.static_name(path, call.func if call is not None else decorator) not in names:
                continue
            model.columns.add(member.name)
            if call is not None and any(_declares_unique(arg.value) for arg in call.args):
                model.unique.add(frozenset({member.name}))


def _bookshelf_models(program, module: ir.ModuleIR, schema: Schema, calls) -> None:
    """Bookshelf's registry: ``bookshelf.model('Article', { tableName: 'articles', author() { return
    this.belongsTo('User') } })`` — the name, then the model's prototype properties (an object literal, or
    ``bookshelf.Model.extend({…})`` given in place or assigned to the name given, Ghost's shape).  The
    properties must name the ``tableName``: Mongoose's ``model('A', schema)`` passes no such object.  A
    method returning ``this.<relation>('Target', …)`` is a relation, loaded only by ``withRelated`` or
    ``related(…).fetch()`` / ``load(…)`` (strategy "none": reading it runs no query)."""
    path = module.path
    relations = known(program).bookshelf_relations
    for function, node in calls:
        if type(node) is not ir.Call or node.method not in known(program).bookshelf_registries or len(node.args) < 2:
            continue
        label = node.arg(0)
        properties = _bookshelf_properties(module, function, node.arg(1))
        if type(label) is not ir.Const or not isinstance(label.value, str) or properties is None:
            continue
        table = next((e.value for e in properties.entries if e.key == "tableName"), None)
        if type(table) is not ir.Const or not isinstance(table.value, str):
            continue
        model = Model(f"{path}:{label.value}", label.value, "bookshelf", path, node.span, table=table.value)
        for entry in properties.entries:
            if type(entry.value) is not ir.FuncRef or not isinstance(entry.key, str):
                continue
            body = module.functions[entry.value.fid].body
            returned = body[-1].value if body and type(body[-1]) is ir.Return else None
            if type(returned) is ir.Call and type(returned.func) is ir.Attr and type(returned.func.obj) is ir.Name \
                    and returned.func.obj.id == "this" and returned.func.name in relations:
                target = returned.arg(0)
                text = target.value if type(target) is ir.Const and isinstance(target.value, str) else (
                    target.id if type(target) is ir.Name else "")
                model.pending.append((entry.key, text, relations[returned.func.name], "none", entry.value.span,
                                      returned.func.name, ""))
        schema.add(model)


def _bookshelf_properties(module: ir.ModuleIR, function, node) -> ir.Obj | None:
    """The object literal of a Bookshelf model: given in place, through ``X.Model.extend({…})``, or a name
    assigned one of those in the same function (the module body)."""
    if type(node) is ir.Name:
        assigned = [n.value for n in ir.iter_nodes(function.body) if type(n) is ir.Assign
                    and any(type(t) is ir.Name and t.id == node.id for t in n.targets)]
        node = assigned[0] if len(assigned) == 1 else None
    if type(node) is ir.Call and node.method == "extend" and type(node.func) is ir.Attr \
            and type(node.func.obj) is ir.Attr and node.func.obj.name == "Model":
        node = node.arg(0)
    return node if type(node) is ir.Obj else None


def _class_id(module: ir.ModuleIR, name: str) -> int:
    for cls in module.classes:
        if cls.name == name:
            return cls.cid
    return -1


def _sequelize_attributes(node, model: Model) -> None:
    if type(node) is ir.Obj:
        for entry in node.entries:
            if isinstance(entry.key, str):
                model.columns.add(entry.key)
                if _declares_unique(entry.value):
                    model.unique.add(frozenset({entry.key}))
                allow_null = _keyword_entry(entry.value, "allowNull")
                if type(allow_null) is ir.Const and allow_null.value is True:
                    model.nullable_columns.add(entry.key)  # `editorId: { type: INTEGER, allowNull: true }`


def _sequelize_scopes(path: str, node, model: Model) -> None:
    """The options' ``defaultScope: { include: [...] }`` and ``scopes: { withAuthor: { include: [...] } }``: each
    scope's ``include`` (read where a query applies the scope: ``Article.scope('withAuthor').findAll()``).  A scope
    given as a function (``scopes: { byAuthor(id) { … } }``) is kept with no include known."""
    if type(node) is not ir.Obj:
        return
    for entry in node.entries:
        if entry.key == "defaultScope":
            model.scopes["defaultScope"] = (path, _keyword_entry(entry.value, "include") if type(entry.value) is ir.Obj else "*")
            if _scope_orders(entry.value):
                model.scope_orders.add("defaultScope")
        elif entry.key == "scopes" and type(entry.value) is ir.Obj:
            for scope in entry.value.entries:
                if isinstance(scope.key, str):  # a scope function's include is not known: "*"
                    model.scopes[scope.key] = (path, _keyword_entry(scope.value, "include") if type(scope.value) is ir.Obj else "*")
                    if _scope_orders(scope.value):
                        model.scope_orders.add(scope.key)


def _scope_orders(node) -> bool:
    """A scope's options order the rows: an `order` entry, or options not known (a function, a spread)."""
    if type(node) is not ir.Obj:
        return True
    return any(not isinstance(entry.key, str) or entry.key == "order" for entry in node.entries)


def _sequelize_indexes(node, model: Model) -> None:
    """The options' ``indexes: [{ unique: true, fields: ['followerId', 'followingId'] }]``."""
    if type(node) is not ir.Obj:
        return
    for entry in node.entries:
        if entry.key != "indexes" or type(entry.value) is not ir.Seq:
            continue
        for index in entry.value.elts:
            if type(index) is not ir.Obj or not _declares_unique(index):
                continue
            fields = next((e.value for e in index.entries if e.key == "fields"), None)
            if type(fields) is ir.Seq:
                names = [f.value for f in fields.elts if type(f) is ir.Const and isinstance(f.value, str)]
                if names and len(names) == len(fields.elts):
                    model.unique.add(frozenset(names))


def _declares_unique(node) -> bool:
    """``Column(..., unique=True)`` / ``primary_key=True`` (SQLAlchemy, Django), an options object
    ``{ unique: true }`` / ``{ unique: 'users_email' }`` / ``{ primaryKey: true }`` (Sequelize,
    TypeORM ``@Column({ unique: true })``)."""
    if type(node) is ir.Call:
        for arg in node.args:
            if arg.kind == "kw" and arg.name in ("unique", "primary_key") and type(arg.value) is ir.Const and arg.value.value is True:
                return True
        return False
    if type(node) is ir.Obj:
        for entry in node.entries:
            if entry.key in ("unique", "primaryKey", "primary") and type(entry.value) is ir.Const and (
                    entry.value.value is True or isinstance(entry.value.value, str) and entry.value.value):
                return True
    return False


def _django_meta_unique(program, path: str, cls: ir.Class, model: Model) -> None:
    """``class Meta: unique_together = ("mailinglist", "message_id")`` (one tuple, or a sequence of them) and
    ``constraints = [UniqueConstraint(fields=["email", "user"], name=…)]`` — a constraint with a ``condition``
    is partial (duplicates stay possible outside it) and is not taken."""
    for nested in cls.nested:
        inner = program.cls(path, nested)
        if inner is None or inner.name != "Meta":
            continue
        for member in inner.fields:
            if member.name == "unique_together" and type(member.value) is ir.Seq:
                groups = member.value.elts
                if groups and all(type(g) is ir.Const for g in groups):
                    groups = (member.value,)  # one set given flat: unique_together = ("a", "b")
                for group in groups:
                    names = _const_strings(group)
                    if names:
                        model.unique.add(frozenset(names))
            elif member.name == "constraints" and member.value is not None:
                for inner_call in ir.iter_nodes(member.value):
                    if type(inner_call) is not ir.Call \
                            or program.static_name(path, inner_call.func).rsplit(".", 1)[-1] != "UniqueConstraint" \
                            or inner_call.arg(keyword="condition") is not None:
                        continue
                    names = _const_strings(inner_call.arg(keyword="fields"))
                    if names:
                        model.unique.add(frozenset(names))


def _const_strings(node) -> list:
    """``("a", "b")`` / ``["a", "b"]``: its strings, or ``[]`` when an element is not a literal string."""
    if type(node) is not ir.Seq or not node.elts:
        return []
    names = [e.value for e in node.elts if type(e) is ir.Const and isinstance(e.value, str)]
    return names if len(names) == len(node.elts) else []


def _unique_constraints(program, path: str, node, model: Model) -> None:
    """``__table_args__ = (UniqueConstraint("follower_id", "followed_id"), Index("ix", "email", unique=True))``;
    a ``PrimaryKeyConstraint("endpoint_id", name=…)`` there declares the primary key (mlflow's models)."""
    for inner in ir.iter_nodes(node):
        if type(inner) is not ir.Call:
            continue
        short = program.static_name(path, inner.func).rsplit(".", 1)[-1]
        names = [a.value.value for a in inner.args if a.kind == "pos" and type(a.value) is ir.Const and isinstance(a.value.value, str)]
        if short in ("UniqueConstraint", "PrimaryKeyConstraint") and names:
            model.unique.add(frozenset(names))
        elif short == "Index" and len(names) >= 2 and _declares_unique(inner):
            model.unique.add(frozenset(names[1:]))


def _sequelize_associations(program, module: ir.ModuleIR, schema: Schema, calls) -> None:
    """``Article.belongsTo(User, { as: 'author' })`` anywhere (module level or ``associate()``)."""
    path = module.path
    for function, node in calls:
        if type(node) is not ir.Call or node.method not in known(program).sequelize_associations:
            continue
        owner = _sequelize_model_named(program, path, node.receiver, schema, function)
        target = _sequelize_model_named(program, path, node.arg(0), schema, function)
        if not owner:
            continue
        alias = foreign_key = ""
        options = node.arg(1)
        if type(options) is ir.Obj:
            for entry in options.entries:
                if entry.key == "as" and type(entry.value) is ir.Const and isinstance(entry.value.value, str):
                    alias = entry.value.value
                elif entry.key == "foreignKey":
                    foreign_key = _sequelize_key_name(entry.value)
        target_name = schema.models[target].name if target else _target_text(node.arg(0))
        collection = known(program).sequelize_associations[node.method]
        name = alias or (target_name + "s" if collection and not target_name.endswith("s") else target_name)
        schema.models[owner].relations[name] = Relation(name, target, collection, "none", node.span, "association", node.method)
        side = known(program).sequelize_association_keys.get(node.method)
        if target and side == "source":  # the owner holds the key: `authorId` of belongsTo(User, { as: 'author' })
            holder, referenced = schema.models[owner], schema.models[target]
            column = foreign_key or f"{alias or referenced.name}Id"
        elif target and side == "target":  # the target holds it: `UserId` of User.hasMany(Article)
            holder, referenced = schema.models[target], schema.models[owner]
            column = foreign_key or f"{referenced.name}Id"
        else:
            continue
        holder.foreign_keys.setdefault(column, referenced.table or referenced.name)


def _sequelize_key_name(node) -> str:
    """The ``foreignKey`` option of an association: ``'authorId'`` or ``{ name: 'authorId', … }``."""
    if type(node) is ir.Obj:
        node = next((entry.value for entry in node.entries if entry.key == "name"), None)
    return node.value if type(node) is ir.Const and isinstance(node.value, str) else ""


def _sequelize_model_named(program, path: str, node, schema: Schema, function: ir.Function) -> str:
    if node is None:
        return ""
    if type(node) is ir.Name and node.id == "this" and function.cls >= 0:
        return schema.by_class.get((path, function.cls), "")
    if type(node) is ir.Name:
        alias = program.define_aliases.get((path, node.id))
        if alias:
            return alias
        value = program.static_value(path, node)
        if type(value) is v.ClassValue:
            key = schema.by_class.get((value.path, value.cid))
            if key:
                return key
        return schema.by_name(node.id, "sequelize", path)
    if type(node) is ir.Attr:  # models.User
        return schema.by_name(node.name, "sequelize", path)
    return ""


def _direction_is_many(model: Model, target: Model | None, name: str) -> bool:
    """A legacy ``relationship("Comment")``: one-to-many when the target holds the foreign key to
    this model's table, many-to-one when this model holds it (what SQLAlchemy itself decides)."""
    if target is not None:
        if target.table and target.table in model.foreign_keys.values():
            return False
        if model.table and model.table in target.foreign_keys.values():
            return True
    return name.endswith("s")


# Targets -----------------------------------------------------------------------------------------------
def _resolve_targets(schema: Schema, known_names: Known) -> None:
    for model in list(schema.models.values()):
        for name, target, collection, strategy, span, via, related_name in model.pending:
            if target == USER_MODEL_TARGET and model.stack == "django":  # ForeignKey(settings.AUTH_USER_MODEL)
                key = schema.user_model
            else:
                key = model.key if target == "self" else schema.by_name(target, model.stack, model.path) if target else ""
            if collection is None:
                collection = _direction_is_many(model, schema.models.get(key), name)
            model.relations[name] = Relation(name, key, collection, strategy, span, "forward", via)
            if type(related_name) is _Backref and key in schema.models:
                # SQLAlchemy adds the backref to the target: a collection when this side is many-to-one
                # (or both are many, `secondary=`), one row when this side is the collection
                back = related_name
                many = back.uselist if back.uselist is not None else (back.secondary or not collection)
                schema.models[key].relations.setdefault(
                    back.name, Relation(back.name, model.key, many, back.strategy, back.span, "forward", via))
                schema.models[key].inverse.setdefault(back.name, name)
                model.inverse.setdefault(name, back.name)
            if model.stack == "tortoise" and key and isinstance(related_name, str):
                # the reverse side Tortoise adds under `related_name` — or, not given, under its default name
                # (`{table}s`: `comments` for `class Comment`): a collection (one row of a OneToOneField)
                reverse = related_name or known_names.tortoise_defaults["related_name"].format(table=model.table or model.name.lower())
                schema.models[key].relations.setdefault(
                    reverse, Relation(reverse, model.key, via != "OneToOneField", "select", span, "reverse", via))
            if model.stack == "peewee" and key and isinstance(related_name, str) and related_name != "+":
                # the backref Peewee adds to the target — a query of the related rows (or, not named, `<model>_set`; a
                # ManyToManyField's `<model>s`): iterated it runs one query per row unless the rows were prefetched
                reverse = related_name or known_names.peewee_defaults["many_backref" if collection else "backref"].format(
                    name=model.name.lower())
                schema.models[key].relations.setdefault(
                    reverse, Relation(reverse, model.key, True, "select", span, "reverse", via))
            if model.stack == "django" and key:
                # a OneToOneField's reverse accessor is the model's name (``user.profile``), a ForeignKey's ``<model>_set``
                reverse = related_name or (model.name.lower() if via == "OneToOneField" else f"{model.name.lower()}_set")
                if reverse != "+" and not reverse.endswith("+"):
                    target_model = schema.models[key]
                    target_model.relations.setdefault(
                        reverse, Relation(reverse, model.key, via != "OneToOneField", "select", span, "reverse", via)
                    )
        model.pending.clear()


def _imperative_models(program, schema: Schema) -> None:
    """``mapper_registry.map_imperatively(Article, articles, properties={"author": relationship(User)})``:
    SQLAlchemy's imperative mapping makes a plain class (a domain dataclass) a mapped model of the
    Core table, with the relations the ``properties`` give it.  Only modules that call it are read."""
    imperative = known(program).sqlalchemy_imperative
    if not imperative:
        return
    for path in sorted(program.modules):
        module = program.modules[path]
        if module.language != "python":
            continue
        for function in module.functions:
            for node in program.calls_named(function, method="map_imperatively"):
                if program.static_name(path, node.func) not in imperative:
                    continue
                cls = v.strip(program.static_value(path, node.arg(0, "class_")))
                if type(cls) is not v.ClassValue or (cls.path, cls.cid) in schema.by_class:
                    continue
                definition = program.cls(cls.path, cls.cid)
                if definition is None:
                    continue
                model = Model(f"{cls.path}:{definition.name}", definition.name, "sqlalchemy", cls.path, definition.span,
                              imperative=True, mapped_in=path)
                table = _core_table(program, path, node.arg(1, "local_table"))
                if table is not None:
                    _core_columns(program, table[0], table[1], model)
                properties = node.arg(keyword="properties")
                for entry in properties.entries if type(properties) is ir.Obj else ():
                    call = entry.value
                    if not isinstance(entry.key, str) or type(call) is not ir.Call:
                        continue
                    if program.static_name(path, call.func) not in known(program).sqlalchemy_relationship:
                        continue
                    uselist = call.arg(keyword="uselist")
                    collection = (bool(uselist.value) if type(uselist) is ir.Const
                                  else True if call.arg(keyword="secondary") is not None else None)
                    lazy = call.arg(keyword="lazy")
                    strategy = lazy.value if type(lazy) is ir.Const and isinstance(lazy.value, str) else "select"
                    model.pending.append((entry.key, _target_text(call.arg(0, "argument")), collection, strategy,
                                          call.span, "relationship", ""))
                schema.add(model, cls.cid)


def _core_table(program, path: str, node, depth: int = 0):
    """The ``Table("articles", metadata, …)`` call a name denotes (here or through an import), with its module."""
    if type(node) is ir.Call:
        return (path, node) if program.static_name(path, node.func) in known(program).sqlalchemy_tables else None
    if type(node) is not ir.Name or depth > 3:
        return None
    module = program.modules.get(path)
    for statement in reversed(module.module.body if module is not None else ()):
        if type(statement) is ir.Assign and any(type(t) is ir.Name and t.id == node.id for t in statement.targets):
            return _core_table(program, path, statement.value, depth + 1)
    binding = program.binding(path, node.id)
    found = program.graph.resolve_binding(path, binding) if binding else None
    if found is None or found.file is None or found.file not in program.modules:
        return None
    return _core_table(program, found.file, ir.Name(binding.rsplit(":", 1)[-1].rsplit(".", 1)[-1], node.span), depth + 1)


def _core_columns(program, path: str, table: ir.Call, model: Model) -> None:
    """The table name and the ``Column("name", …)`` arguments of a Core table."""
    name = table.arg(0, "name")
    if type(name) is ir.Const and isinstance(name.value, str):
        model.table = name.value
    for arg in table.args[1:]:
        column = arg.value
        if arg.kind != "pos" or type(column) is not ir.Call:
            continue
        if program.static_name(path, column.func) not in known(program).sqlalchemy_columns:
            continue
        label = column.arg(0)
        if type(label) is not ir.Const or not isinstance(label.value, str):
            continue
        model.columns.add(label.value)
        if _declares_unique(column):
            model.unique.add(frozenset({label.value}))
        referenced = _foreign_key_table(program, path, column)
        if referenced:
            model.foreign_keys[label.value] = referenced
        nullable, primary = column.arg(keyword="nullable"), column.arg(keyword="primary_key")
        if not (type(nullable) is ir.Const and nullable.value is False) and not (type(primary) is ir.Const and primary.value is True):
            model.nullable_columns.add(label.value)
