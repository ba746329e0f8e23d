"""What frameworks do with the objects a project hands them — code archlint never sees run.

* A Django REST framework serializer given rows with ``many=True`` reads every declared field of
  every row: ``SerializerMethodField`` calls ``get_<name>(obj)``, a nested serializer reads the
  relation (``source=`` or the field name), a ``source="author.username"`` reads the chain, a
  relational field with ``many=True`` (and a ``ModelSerializer`` field on a to-many relation) calls
  ``.all()`` on the related manager, and ``Meta.depth`` nests the model's relations.  (Verified in
  DRF 3.18: ``ManyRelatedField.get_attribute`` returns ``relationship.all()``; a
  ``PrimaryKeyRelatedField`` on a foreign key reads only ``<fk>_id``.)
  A project ``to_representation(instance)`` runs for every row too; ``fields = "__all__"`` holds
  the model's own fields (DRF leaves reverse relations out).
* A DRF list view (``ListAPIView``, ``ModelViewSet``, ``ListModelMixin`` …) serializes
  ``get_queryset()`` / ``queryset`` with ``get_serializer_class()`` / ``serializer_class`` and
  ``many=True``.  In a view's own ``list()`` or ``@action``, ``self.get_serializer(rows, many=True)``
  builds that serializer, ``filter_queryset``/``paginate_queryset`` hand the rows back,
  ``self.get_object()`` is a row of the queryset, and ``super().get_queryset()`` is the class's
  ``queryset``.
* django-ninja (``response=``) and FastAPI (``response_model=``) build their response schema from
  each returned ORM object: every annotated field of the schema is read from the row (a nested
  schema or a list reads the relation; ``resolve_<field>(obj)`` is called; ninja resolves a
  ``Field(alias="queue.title")`` path on the object).  An envelope schema (``articles:
  list[ArticleOut]``) given named values — a returned dict, or the schema built with keywords in the
  handler — serializes each list field's rows with that field's schema.
* A marshmallow schema made with ``many=True`` dumps every declared field of every object
  (``schema.dump(rows)``, or flask-apispec's ``@marshal_with(schema)`` on the view's return value):
  a plain field reads the attribute (a relation, or a ``@property`` that may query), ``Nested`` and
  ``List(Nested)`` read the relation and dump it with the nested schema, ``Method``/``Function``
  call their function with the object; ``load_only`` fields are not dumped.

Each is modelled as a loop over the rows whose body reads what the framework reads, so the N+1
rules see it like any other loop; the framework step appears in the finding's trace.
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v
from archlint.semantics.program import MAX_CALL_DEPTH, _late
from archlint.semantics.records import Analysis, LoopInfo, argument_for

MANY = "schema-many"  # tag of a marshmallow schema instance made with many=True
BOUND = "drf-bound:"  # tag of a DRF serializer made with an instance: drf-bound:<stack>|<model> ("" when not typed)
_LIST_TYPES = frozenset({"list", "List", "Sequence", "set", "Set", "tuple", "Tuple", "Iterable"})
MAX_NESTING = 3


class Known(NamedTuple):
    """The library names this module reads: the ``[[names]]`` tables with ``reader = "frameworks"`` of
    ``rules/knowledge/frameworks.toml`` (each key is explained there), built once per run."""

    serializer_bases: frozenset  # DRF serializers (and add-ons' ModelSerializer subclasses)
    list_views: frozenset  # DRF views whose list() serializes get_queryset() with many=True
    generic_view_modules: tuple  # prefixes: what GenericAPIView gives
    request_view_modules: tuple  # prefixes: class-based views, whose `self.request` is the request served
    pagination_modules: tuple  # prefixes: DRF pagination classes
    many_related_fields: frozenset  # DRF relational fields, short names
    field_map_hooks: frozenset  # serializer methods that build / prune the rendered field map
    pk_only_fields: frozenset  # DRF relational fields that read only the foreign key's id (PKOnlyObject)
    viewset_standard_actions: frozenset
    get_actions: frozenset  # actions served only for GET: `self.request.method` is "GET" in them
    queryset_scopers: frozenset  # permission-class methods handing back their queryset argument, narrowed
    django_list_views: frozenset  # Django's generic list views
    object_permission_mixins: frozenset  # django-rules / django-guardian
    permission_phase: frozenset  # methods running before the object permission was checked
    schema_bases: frozenset  # ninja / pydantic / sqlmodel response schemas
    struct_bases: frozenset  # msgspec Structs
    marshmallow_bases: frozenset
    marshmallow_dumps: frozenset  # dump, flask-marshmallow's jsonify
    marshal_with: frozenset  # flask-apispec
    from_object: frozenset  # schema classmethods reading an object (model_validate)
    type_adapters: frozenset  # pydantic TypeAdapter
    parse_as: frozenset  # pydantic parse_obj_as
    paginations: frozenset  # advanced-alchemy / Litestar OffsetPagination
    converters: frozenset  # type_adapters | parse_as | msgspec_convert | paginations
    sqlalchemy_dtos: frozenset  # Litestar SQLAlchemyDTO
    litestar_handlers: frozenset  # route decorators, short names
    serialization_plugins: tuple  # short names
    cache_reads: frozenset  # read-through caches: the lookup answering None on a miss (`cache.get`)
    cache_writes: frozenset  # … and what stores the value back under the key (`cache.set`)


def _known(table: dict) -> Known:
    sets = {key: frozenset(table[key]) for key in Known._fields if key not in ("generic_view_modules", "pagination_modules",
                                                                            "serialization_plugins", "converters",
                                                                            "request_view_modules")}
    return Known(**sets, generic_view_modules=tuple(table["generic_view_modules"]),
                 request_view_modules=tuple(table["request_view_modules"]),
                 pagination_modules=tuple(table["pagination_modules"]), serialization_plugins=tuple(table["serialization_plugins"]),
                 converters=sets["type_adapters"] | sets["parse_as"] | frozenset(table["msgspec_convert"]) | sets["paginations"])


def known(program) -> Known:
    return program.library.view("frameworks", _known)


def _base_names(program, path: str, cid: int, seen=None) -> set[str]:
    """Every external base class name of a project class, through its project bases."""
    seen = seen if seen is not None else set()
    if (path, cid) in seen:
        return set()
    seen.add((path, cid))
    names: set[str] = set()
    for base in program.bases(path, cid):
        if type(base) is v.External:
            names.add(base.name)
        elif type(base) is v.ClassValue:
            names |= _base_names(program, base.path, base.cid, seen)
    return names


def is_view_class(program, path: str, cid: int) -> bool:
    """A project class derived from a Django or DRF class-based view (frameworks.toml ``request_view_modules``)."""
    prefixes = known(program).request_view_modules
    return any(name.startswith(prefixes) for name in _base_names(program, path, cid))


def project_only_bases(program, cls) -> bool:
    """Every base class of ``cls`` (a ClassValue or Instance) is a project class (or ``object``)."""
    return not (_base_names(program, cls.path, cls.cid) - {"builtins.object", "object"})


def viewset_action(program, path: str, function: ir.Function) -> str:
    """The DRF action a viewset method serves (``self.action`` while it runs): a standard action's
    name, or the name of an ``@action`` method; ``""`` for anything else (a helper, a hook)."""
    if function.cls < 0 or not any(name.startswith("rest_framework.viewsets.") or name in known(program).list_views
                                   for name in _base_names(program, path, function.cls)):
        return ""
    if function.name in known(program).viewset_standard_actions:
        return function.name
    for decorator in function.decorators:
        callee = decorator.func if type(decorator) is ir.Call else decorator
        if program.static_name(path, callee) in ("rest_framework.decorators.action", "rest_framework.decorators.detail_route",
                                                  "rest_framework.decorators.list_route"):
            return function.name
    return ""


def derives_from(program, cls: v.ClassValue, names: frozenset) -> bool:
    """A project class with one of ``names`` among its external bases (through its project bases)."""
    return bool(_base_names(program, cls.path, cls.cid) & names)


def is_serializer(program, cls: v.ClassValue) -> bool:
    return bool(_base_names(program, cls.path, cls.cid) & known(program).serializer_bases)


def is_schema(program, cls: v.ClassValue) -> bool:
    return bool(_base_names(program, cls.path, cls.cid) & known(program).schema_bases) and not program.model_of_class(cls.path, cls.cid)


def is_struct(program, cls: v.ClassValue) -> bool:
    return bool(_base_names(program, cls.path, cls.cid) & known(program).struct_bases) and not program.model_of_class(cls.path, cls.cid)


def is_marshmallow(program, cls: v.ClassValue) -> bool:
    return bool(_base_names(program, cls.path, cls.cid) & known(program).marshmallow_bases)


def serializer_context(program, instance: v.Instance):
    """``self.context`` of a DRF serializer: the dict views pass it (generic views always put the
    current ``request`` in it; an explicit ``context={'request': request}`` does the same)."""
    if not is_serializer(program, v.ClassValue(instance.path, instance.cid)):
        return None
    return v.Record((("request", v.tag(v.Request("django"), frozenset({v.REQUEST_TAG}))),))


def _many(args) -> bool:
    many = next((value for kind, name, value, _n in args if kind == "kw" and name == "many"), None)
    return many is not None and v.strip(many) == v.Const(True)


def instantiate_hook(frame, node, cls: v.ClassValue, args):
    """``ArticleSerializer(articles, many=True)``: the serializer reads each row's fields;
    ``ArticleSchema(many=True)`` (marshmallow) is a schema that dumps lists."""
    if is_marshmallow(frame.program, cls):
        return v.tag(v.Instance(cls.path, cls.cid), frozenset({MANY})) if _many(args) else None
    if is_schema(frame.program, cls):  # ArticleList(articles=rows, articlesCount=n): validated as it is built
        serialize_envelope(frame, node, cls, {name: value for kind, name, value, _n in args if kind == "kw"}, 0)
        return None
    if not is_serializer(frame.program, cls):
        return None
    many = next((value for kind, name, value, _n in args if kind == "kw" and name == "many"), None)
    if many is None or v.strip(many) != v.Const(True):
        bound = next((value for kind, name, value, _n in args if kind == "pos" or name == "instance"), None)
        if bound is None:
            return None
        row = v.strip(bound)  # ArticleSerializer(article, data=…, partial=True): save() updates that row
        model = f"{row.stack}|{row.model}" if type(row) is v.Row and row.model else ""
        if model and frame.depth < MAX_CALL_DEPTH and not any(kind == "kw" and name == "data" for kind, name, _v, _n in args):
            # `AuthorSerializer(obj.author, context=…).data` in a SerializerMethodField: the nested serializer
            # reads that row's fields (its own method fields' queries) once for every row the outer one renders
            _read_in(frame, node, f"{frame.program.cls(cls.path, cls.cid).name}(row)", cls, bound, 0)
        return v.tag(v.Instance(cls.path, cls.cid), frozenset({BOUND + model}))
    rows = next((value for kind, name, value, _n in args if kind == "pos" or name == "instance"), None)
    label = f"{frame.program.cls(cls.path, cls.cid).name}(many=True)"
    if rows is None:
        # `ArticleSerializer(data=page, many=True)`: model rows given as data fail validation (each is no
        # mapping), and `.data` then renders the initial data — ListSerializer.get_initial() is
        # to_representation(initial_data) — so each row is read as if it were the instance (twinstae/
        # realworld-djangorestframework ArticleViewSet.list).  each_row reads nothing of request data.
        rows = next((value for kind, name, value, _n in args if kind == "kw" and name == "data"), None)
        label = f"{frame.program.cls(cls.path, cls.cid).name}(data=rows, many=True)"
    if rows is None:
        return None
    serialize_many(frame, node, cls, _listed(frame, node, rows), label)
    return v.Instance(cls.path, cls.cid)


def _listed(frame, node, rows):
    """What a DRF ListSerializer iterates: ``.all()`` of a Django manager it is given (``TaskSerializer(task.drafts,
    many=True)``, label-studio's drafts serializers) — a queryset of the relation, not a manager iterated (AL224)."""
    held = v.strip(rows)
    if type(held) is v.Union:
        listed = None
        for option in held.options:
            listed = v.join(listed, _listed(frame, node, option))
        return v.tag(listed, v.tags_of(rows))
    if type(held) is v.Db and held.stack == "django" and held.kind in ("manager", "prefetched"):
        return frame.db_method(node, held, v.tags_of(rows), "all", [])
    return rows


def save_hook(frame, node, instance, method: str):
    """``serializer.save()`` on a DRF ModelSerializer the project does not give its own ``save``: DRF
    calls ``update(instance, validated_data)`` — the row the serializer was made with is saved — or,
    made with no instance, ``create(validated_data)`` — a row of ``Meta.model`` is inserted.  Recorded
    as that write on the view's path; ``None`` when this is no such call."""
    bare = v.strip(instance)
    program = frame.program
    if method != "save" or not is_serializer(program, bare):
        return None
    tags = v.tags_of(instance)
    bound = next((t[len(BOUND):] for t in sorted(tags) if t.startswith(BOUND)), None)
    stack, model = bound.split("|", 1) if bound else ("", "")
    if not model:
        stack, model = _meta_model(frame, bare)
    if not model:
        return None  # a plain Serializer: its own create()/update() do what they do
    frame.effect("write", stack, model, "save" if bound is not None else "create", node,
                 frozenset(t for t in tags if not t.startswith(BOUND)))
    return v.UNKNOWN


def _meta_model(frame, cls: v.ClassValue) -> tuple[str, str]:
    """(stack, model key) of a ModelSerializer's ``Meta.model``; ("", "") when it names no known model."""
    program = frame.program
    declared = _meta(program, cls).get("model")
    held = v.strip(frame.eval_in_module(declared[0], declared[1])) if declared is not None else None
    model = program.model_of_class(held.path, held.cid) if type(held) is v.ClassValue else ""
    return (program.schema.models[model].stack, model) if model else ("", "")


def updated_row(frame, function: ir.Function, param: ir.Param):
    """The ``instance`` DRF hands a ModelSerializer's own ``update(self, instance, validated_data)``
    (``serializer.save()`` on a serializer made with a row): a stored row of ``Meta.model``, so the
    method's ``instance.save()`` and ``instance.tags.set(…)`` are writes of that model.  ``None`` for
    any other parameter or function."""
    if function.name != "update" or function.kind != "method" or len(function.params) < 3 or function.params[1] is not param:
        return None
    receiver = v.strip(frame.self_value)
    if type(receiver) is not v.Instance:
        return None
    cls = v.ClassValue(receiver.path, receiver.cid)
    if not is_serializer(frame.program, cls):
        return None
    stack, model = _meta_model(frame, cls)
    return v.Row(stack, model) if model else None


def dump_hook(frame, node, instance, method: str, args):
    """``articles_schema.dump(articles)`` on a marshmallow schema made with ``many=True`` (or
    ``.dump(rows, many=True)``): each object is dumped; ``schema.load(body)`` is the validated body.
    ``None`` when this is no such call."""
    bare = v.strip(instance)
    if method in ("load", "loads") and args and is_marshmallow(frame.program, bare):
        # `schema.load(request.json)`: the declared fields, validated (unknown keys raise, or are excluded) —
        # like a pydantic body, no longer the client's raw body
        return v.Object("dict")
    if method not in known(frame.program).marshmallow_dumps or not args or not is_marshmallow(frame.program, bare):
        return None
    if MANY in v.tags_of(instance) or _many(args):
        serialize_many(frame, node, v.ClassValue(bare.path, bare.cid), args[0][2], f"{frame.program.cls(bare.path, bare.cid).name}.dump(many)")
    else:
        _read_in(frame, node, f"{frame.program.cls(bare.path, bare.cid).name}.{method}", v.ClassValue(bare.path, bare.cid), args[0][2], 0)
    return v.Object("dict")


def is_generic_view(program, cls: v.ClassValue) -> bool:
    """A DRF generic view or viewset (what ``GenericAPIView`` gives: ``get_serializer``,
    ``filter_queryset``, ``paginate_queryset``)."""
    return any(name.startswith(known(program).generic_view_modules) for name in _base_names(program, cls.path, cls.cid))


def is_paginator(program, cls) -> bool:
    """A DRF pagination class of the project (``class Pages(LimitOffsetPagination)``) used on its own
    in an ``APIView``: ``paginate_queryset(qs, request)`` returns one page of ``qs``'s rows."""
    return any(name.startswith(known(program).pagination_modules) for name in _base_names(program, cls.path, cls.cid))


def view_hook(frame, node, instance, method: str, args):
    """What ``GenericAPIView`` does for a view's own ``list()`` or ``@action`` that the project does
    not override: ``self.get_queryset()`` is the class's ``queryset``; ``self.filter_queryset(qs)`` and
    ``self.paginate_queryset(qs)`` hand back the rows
    of ``qs`` (a filtered queryset, a page of it); ``self.get_serializer(rows, many=True)`` builds
    ``get_serializer_class()`` (else ``serializer_class``) with those arguments, so the serializer
    reads each row; ``self.get_object()`` is a row of ``get_queryset()`` (with what it loads).
    ``None`` when this is no such call."""
    bare = v.strip(instance)
    if method == "paginate_queryset" and args and args[0][0] == "pos" and is_paginator(frame.program, bare):
        return paged(args[0][2])  # paginator.paginate_queryset(qs, request, view=self): a page of qs's rows, or None
    if method == "get_queryset" and not args:
        # `self.get_queryset()` in an action of a view that does not override it: GenericAPIView's, the
        # class's `queryset` (what `super().get_queryset()` gives an override)
        return frame._framework_queryset(bare, method, args, bare.path, bare.cid)
    if method not in ("filter_queryset", "paginate_queryset", "get_serializer", "get_object") \
            or not is_generic_view(frame.program, bare):
        return None
    if method == "get_object":  # the row of get_queryset() the URL names (404 when none)
        getter = frame.program.method(bare.path, bare.cid, "get_queryset")
        if getter is not None:
            rows = frame.call_function(node, getter._replace(bound=bare), [])
        elif frame.program.class_field(bare.path, bare.cid, "queryset") is not None:
            rows = frame.instance_member(bare, "queryset")
        else:
            return None
        query = v.strip(rows)
        if type(query) is not v.Query or not query.model or query.stack != "django":
            return None
        return v.Row(query.stack, query.model, query.loaded)
    if method != "get_serializer":
        if not args or args[0][0] != "pos":
            return None
        return paged(args[0][2]) if method == "paginate_queryset" else args[0][2]
    serializer = view_serializer(frame, node, bare, bare)
    if serializer is None:
        return None
    return frame.instantiate(node, serializer, args)


def paged(rows):
    """What DRF's ``paginate_queryset(qs, …)`` returns: a page of ``qs``'s rows, or ``None`` when the request
    asks for no page (``LimitOffsetPagination`` without a ``limit`` and no ``default_limit``, a view with no
    ``pagination_class``) — so the view's ``if page is None:`` branch, which serializes the whole queryset,
    is a path too."""
    return v.join(rows, v.Const(None))


def view_serializer(frame, node, instance: v.Instance, bound):
    """The serializer class a DRF view serializes with: what ``get_serializer_class()`` returns
    (called on ``bound``), else ``serializer_class``.  A chooser whose result the model cannot tell
    (``getattr(self, "minimal_serializer_class", None)`` on one branch, pulpcore's
    ``NamedModelViewSet``) but that returns ``self.serializer_class`` or the framework's choice
    (``super().get_serializer_class()``) on another serializes with ``serializer_class`` on that
    path.  ``None`` when it is no serializer the model knows."""
    program = frame.program
    getter = program.method(instance.path, instance.cid, "get_serializer_class")
    field = program.class_field(instance.path, instance.cid, "serializer_class")
    default = frame.instance_member(instance, "serializer_class") if field is not None and field.value is not None else None
    serializer = default
    if getter is not None:
        serializer = frame.call_function(node, getter._replace(bound=bound), [])
        if default is not None and not _serializer_class(program, serializer) \
                and _may_return_default(program.function(getter.path, getter.fid)):
            serializer = default
    return _serializer_class(program, serializer)


def _serializer_class(program, value):
    bare = v.strip(value) if value is not None else None
    return bare if type(bare) is v.ClassValue and is_serializer(program, bare) else None


def _may_return_default(function) -> bool:
    """``return self.serializer_class`` / ``return super().get_serializer_class()`` in the chooser."""
    for node in ir.iter_nodes(function.body) if function is not None else ():
        if type(node) is not ir.Return or type(node.value) not in (ir.Attr, ir.Call):
            continue
        value = node.value
        if type(value) is ir.Attr and value.name == "serializer_class" and type(value.obj) is ir.Name and value.obj.id == "self":
            return True
        if type(value) is ir.Call and type(value.func) is ir.Attr and value.func.name == "get_serializer_class" \
                and type(value.func.obj) is ir.Call and type(value.func.obj.func) is ir.Name and value.func.obj.func.id == "super":
            return True
    return False


def permission_object(program, instance, method: str, caller: ir.Function | None) -> bool:
    """Whether ``self.<method>`` (a call or a property) of a view is the object its permission mixin
    checked before the handler ran: a view under django-rules' / django-guardian's
    ``PermissionRequiredMixin`` (or a project ``has_permission`` that reads
    ``self.get_permission_object()``) calls ``user.has_perms(perms, obj)`` in ``dispatch`` and refuses
    the request (``handle_no_permission``: 403/404) when it is not granted — a missing object is
    refused, so the handlers run with it.  The object is ``get_permission_object()`` (else
    ``get_object()``) and every method or property that just returns it, or returns one that does
    (``return self.profile`` / ``object = cached_property(lambda self: self.get_object())``).
    ``caller`` is the method reading it: in the permission phase itself nothing was checked yet."""
    bare = v.strip(instance)
    if type(bare) is not v.Instance or caller is None or caller.cls < 0 or caller.name in known(program).permission_phase:
        return False
    key = (bare.path, bare.cid)
    names = program.permission_objects.get(key)
    if names is None:
        names = program.permission_objects[key] = _permission_object_names(program, bare.path, bare.cid)
    return method in names and caller.name not in names


def _permission_object_names(program, path: str, cid: int) -> frozenset[str]:
    roots: set[str] = set()
    mixin = bool(known(program).object_permission_mixins & _base_names(program, path, cid))
    checker = program.method(path, cid, "has_permission")
    if checker is not None:  # the project's own check: the methods of self it hands has_perm(s)
        calls = ir.calls_in(program.function(checker.path, checker.fid).body)
        roots = {call.method for call in calls if _self_call(call)} & {"get_permission_object", "get_object"}
        mixin = mixin and any(call.method == "has_permission" and _super_call(call) for call in calls)
    if mixin:
        roots.add("get_permission_object" if program.method(path, cid, "get_permission_object") is not None else "get_object")
    if not roots:
        return frozenset()
    returns: dict[str, set[str]] = {}  # method -> the members of self its returns are
    for chain_path, chain_cid in program.subclass_chain(path, cid):
        cls = program.cls(chain_path, chain_cid)
        for fid in cls.methods if cls is not None else ():
            function = program.function(chain_path, fid)
            if function is None or function.name in returns:
                continue
            values = [node.value for node in ir.iter_nodes(function.body) if type(node) is ir.Return]
            members = {_self_member(value) for value in values}
            returns[function.name] = members if values and "" not in members else set()
    names = set(roots)
    changed = True
    while changed:
        changed = False
        for name, members in returns.items():
            if name not in names and members and members <= names:
                names.add(name)  # returns the checked object (`object` -> `self.get_object()`)
                changed = True
            if name in names and members and not members <= names:
                names |= members  # the checked object is what it returns (`return self.profile`)
                changed = True
    return frozenset(names)


def _self_call(call: ir.Call) -> bool:
    return type(call.receiver) is ir.Name and call.receiver.id == "self"


def _super_call(call: ir.Call) -> bool:
    receiver = call.receiver
    return type(receiver) is ir.Call and type(receiver.func) is ir.Name and receiver.func.id == "super"


def _self_member(node) -> str:
    """``self.x`` / ``self.x()`` (no arguments): ``x``; else ``""``."""
    if type(node) is ir.Call and not node.args:
        node = node.func
    if type(node) is ir.Attr and type(node.obj) is ir.Name and node.obj.id == "self":
        return node.name
    return ""


def validate_hook(frame, node, cls: v.ClassValue, method: str, args):
    """``ArticleOut.from_orm(article)`` / ``model_validate(article)`` on a Pydantic or django-ninja
    schema reads the row's fields the way a response schema does (relations, ``resolve_<field>``);
    inside a loop over rows that is a read per row.  ``None`` when this is no such call."""
    if method not in known(frame.program).from_object or not args or args[0][0] != "pos" or not is_schema(frame.program, cls):
        return None
    _read_in(frame, node, f"{frame.program.cls(cls.path, cls.cid).name}.{method}", cls, args[0][2], 0)
    return v.Instance(cls.path, cls.cid)


ADAPTER = "type-adapter|"  # kind of the v.Object a TypeAdapter is: type-adapter|<path>|<cid>|<many>


def _argument(args, index: int, keyword: str):
    """The (kind, name, value, node) of the positional argument ``index`` or keyword ``keyword``."""
    positional = [arg for arg in args if arg[0] == "pos"]
    if index < len(positional):
        return positional[index]
    return next((arg for arg in args if arg[0] == "kw" and arg[1] == keyword), None)


def converter_hook(frame, node, name: str, args):
    """What a converter in ``Known.converters`` does with ORM objects; ``None`` when this call is none."""
    program = frame.program
    if name in known(program).paginations:
        items = _argument(args, 0, "items")
        return v.Record((("items", items[2]),)) if items is not None else None
    if name in known(program).type_adapters:
        target = _argument(args, 0, "type")
        cls, many = _schema_type_at(program, frame.path, target[3]) if target is not None and target[3] is not None else (None, False)
        if cls is None:
            return None
        return v.Object(f"{ADAPTER}{cls.path}|{cls.cid}|{int(many)}")
    if name in known(program).parse_as:
        target, obj, label = _argument(args, 0, "type_"), _argument(args, 1, "obj"), "parse_obj_as"
    else:
        target, obj, label = _argument(args, 1, "type"), _argument(args, 0, "obj"), "msgspec.convert"
        attributes = next((arg for arg in args if arg[0] == "kw" and arg[1] == "from_attributes"), None)
        if attributes is None or v.strip(attributes[2]) != v.Const(True):
            return None  # without from_attributes msgspec reads no attribute of an object (a ValidationError)
    if target is None or obj is None or target[3] is None:
        return None
    cls, many = _schema_type_at(program, frame.path, target[3])
    if cls is None:
        return None
    convert(frame, node, cls, many, obj[2], f"{label} {program.cls(cls.path, cls.cid).name}")
    return v.Object("converted")


def adapter_hook(frame, node, adapter: v.Object, method: str, args):
    """``TypeAdapter(T).validate_python(obj)``: ``obj`` converted to ``T`` (its attributes read)."""
    if method != "validate_python" or not args or args[0][0] != "pos":
        return None
    path, cid, many = adapter.kind[len(ADAPTER):].rsplit("|", 2)
    cls = v.ClassValue(path, int(cid))
    convert(frame, node, cls, many == "1", args[0][2], f"TypeAdapter({frame.program.cls(cls.path, cls.cid).name}).validate_python")
    return v.Object("converted")


def to_schema_hook(frame, node, args):
    """advanced-alchemy's ``service.to_schema(data, total, filters, schema_type=ArticleSchema)``: a pydantic
    model or msgspec Struct built from each row's attributes (``from_attributes=True``); without
    ``schema_type`` the rows are handed back as they are.  ``None`` when no schema type is known."""
    data = _argument(args, 0, "data")
    schema = next((arg for arg in args if arg[0] == "kw" and arg[1] == "schema_type"), None)
    if data is None or schema is None or schema[3] is None:
        return None
    cls, _many = _schema_type_at(frame.program, frame.path, schema[3])
    if cls is None:
        return None
    convert(frame, node, cls, type(v.strip(data[2])) is not v.Row, data[2], f"to_schema({frame.program.cls(cls.path, cls.cid).name})")
    return v.Object("converted")


def convert(frame, node, cls: v.ClassValue, many: bool, value, label: str) -> None:
    """``cls`` built from the attributes of ``value`` (each of its rows when ``many``)."""
    if many:
        serialize_many(frame, node, cls, value, label)
    elif type(v.strip(value)) is v.Row:
        _read_in(frame, node, label, cls, value, 0)


def serialize_many(frame, node, cls: v.ClassValue, rows, label: str) -> None:
    """A loop over ``rows`` (at ``node``) whose body is what the framework reads per row."""
    each_row(frame, node, rows, lambda element: _read_in(frame, node, label, cls, element, 0))


def each_row(frame, node, rows, read) -> None:
    """``read(row)`` as the body of a loop over ``rows`` that the framework runs at ``node``;
    nothing when ``rows`` are not DB rows."""
    loop_id = f"{frame.path}:{node.span.line}:{node.span.column}"
    fake = ir.Loop("serialize", None, node, (), node.span)
    element, source, model = frame.element_of(fake, rows, loop_id)
    if source != "rows":
        return
    info = LoopInfo(loop_id, frame.path, node.span, "serializer", source, model)
    if frame.analysis is not None:
        frame.analysis.loops.append(info)
    else:
        frame.program.nested_loops.setdefault(loop_id, info)
    frame.loops.append(loop_id)
    try:
        read(element)
    finally:
        frame.loops.pop()


def serialize_envelope(frame, node, cls: v.ClassValue, items: dict, depth: int) -> None:
    """A schema built from named values rather than from one ORM object: the RealWorld envelope
    ``{"articles": rows, "articlesCount": n}`` returned for ``response_model=ArticleList``, or
    ``ArticleList(articles=rows, …)``.  Pydantic validates each value against its field, so a
    ``list[ArticleOut]`` field given rows reads every row's fields (a loop over the rows), a nested
    schema given one row reads that row's, and a nested envelope is read the same way."""
    program = frame.program
    if depth > MAX_NESTING:
        return
    for member in _fields(program, cls):
        if member.annotation is None or member.name.startswith("_"):
            continue
        call = member.value
        alias = (_keyword_text(call, "alias") if type(call) is ir.Call
                 and _short(program.static_value(cls.path, call.func)) == "Field" else "")
        key = member.name if member.name in items else alias
        if key not in items:
            continue
        inner, is_list = _schema_type_at(program, cls.path, member.annotation)
        if inner is None:
            continue
        value = items[key]
        bare = v.strip(value)
        label = f"{program.cls(cls.path, cls.cid).name}.{member.name}"
        if is_list:
            serialize_many(frame, node, inner, value, label)
        elif type(bare) is v.Record:
            serialize_envelope(frame, node, inner, dict(bare.items), depth + 1)
        elif type(bare) is v.Row:
            _read_in(frame, node, label, inner, value, depth + 1)


def _read_in(frame, node, label: str, cls: v.ClassValue, obj, depth: int) -> None:
    """Run the per-row reads in a frame of the serializer's own module (spans there are its
    spans), then hand the effects to ``frame`` as if a call at ``node`` had made them."""
    program = frame.program
    if depth > MAX_NESTING:
        return
    if is_serializer(program, cls):
        read_in_module(frame, node, label, cls.path, lambda child: _serializer_reads(child, cls, obj, depth))
    elif is_marshmallow(program, cls):
        read_in_module(frame, node, label, cls.path, lambda child: _marshmallow_reads(child, cls, obj, depth))
    else:
        read_in_module(frame, node, label, cls.path, lambda child: _schema_reads(child, cls, obj, depth))


def read_in_module(frame, node, label: str, path: str, reads) -> None:
    """``reads(child)`` in a frame of module ``path`` (where the serializer or field map is
    declared, so spans there are its spans); its effects go to ``frame`` as if a call at ``node``
    had made them."""
    from archlint.semantics.interpreter import Frame

    program = frame.program
    module = program.modules.get(path)
    if module is None:
        return
    child = Frame(program, path, module.module, frame.depth + 1)
    child.env = dict(program.module_env(path))
    reads(child)
    for effect in child.effects:
        frame.effects.append(effect._replace(
            trace=((frame.path, node.span, label),) + effect.trace,
            loops=tuple(frame.loops) + effect.loops,
            in_tx=effect.in_tx or frame.tx > 0,
        ))


def _fields(program, cls: v.ClassValue, init_assigned: bool = False) -> list[ir.Field]:
    """The class's declared fields through its bases (a subclass's declaration replaces its base's).
    ``init_assigned``: also those the serializer's own ``__init__`` adds by a constant name
    (``self.fields["annotations"] = AnnotationSerializer(many=True, read_only=True)``), which DRF renders
    like declared ones."""
    seen: dict[str, ir.Field] = {}
    for path, cid in reversed(program.subclass_chain(cls.path, cls.cid)):
        definition = program.cls(path, cid)
        if definition is None:
            continue
        for member in definition.fields:
            seen[member.name] = member
        if init_assigned and path == cls.path:
            seen.update(_init_assigned_fields(program, path, definition))
    return list(seen.values())


def _init_assigned_fields(program, path: str, definition) -> dict[str, ir.Field]:
    found: dict[str, ir.Field] = {}
    for fid in definition.methods:
        function = program.function(path, fid)
        if function is None or function.name != "__init__":
            continue
        for node in ir.iter_nodes(function.body):
            if type(node) is not ir.Assign or len(node.targets) != 1 or type(node.value) is not ir.Call:
                continue
            target = node.targets[0]
            if type(target) is ir.Index and type(target.index) is ir.Const and isinstance(target.index.value, str) \
                    and type(target.obj) is ir.Attr and target.obj.name == "fields" \
                    and type(target.obj.obj) is ir.Name and target.obj.obj.id == "self":
                found[target.index.value] = ir.Field(target.index.value, node.span, value=node.value)
    return found


def _meta(program, cls: v.ClassValue) -> dict:
    """``class Meta: model = …; fields = …; depth = …`` of a ModelSerializer."""
    for path, cid in program.subclass_chain(cls.path, cls.cid):
        definition = program.cls(path, cid)
        for nested in definition.nested if definition is not None else ():
            inner = program.cls(path, nested)
            if inner is not None and inner.name == "Meta":
                return {member.name: (path, member.value) for member in inner.fields if member.value is not None}
    return {}


def _opt_in_fields(program, cls: v.ClassValue) -> frozenset:
    """The fields a serializer renders only when the request asks for them: a name its field-map hooks
    (frameworks.toml ``field_map_hooks``: ``__init__``, the ``fields`` property, …) pop from the map under a
    condition — a constant (``self.fields.pop("settings")``), or each name of a ``Meta`` list iterated there
    (``for name in getattr(self.Meta, "opt_in_fields", []): if name not in include: fields.pop(name)``), that
    list being the ``Meta`` attribute itself or filled by a method of the class that appends its parameter
    (``self.extend_field_names(fields, "config_context", opt_in_only=True)`` — nautobot's opt-in
    ``config_context``).  What such a field reads is not charged to every listing."""
    cache = program.memoised("opt_in_fields", dict)
    key = (cls.path, cls.cid)
    if key not in cache:
        cache[key] = frozenset()
        cache[key] = _find_opt_in_fields(program, cls)
    return cache[key]


def _find_opt_in_fields(program, cls: v.ClassValue) -> frozenset:
    hooks = known(program).field_map_hooks
    methods = [(path, program.function(path, fid)) for path, cid in program.mro(cls.path, cls.cid)
               for fid in (program.cls(path, cid).methods if program.cls(path, cid) is not None else ())]
    methods = [(path, function) for path, function in methods if function is not None]
    names, lists = set(), set()
    for _path, function in methods:
        if function.name not in hooks:
            continue
        listed = {}  # local name -> the Meta attribute it holds or iterates
        for node in ir.iter_nodes(function.body):
            if type(node) is ir.Assign and len(node.targets) == 1 and type(node.targets[0]) is ir.Name:
                attribute = _meta_list(node.value)
                if attribute:
                    listed[node.targets[0].id] = attribute
            elif type(node) is ir.Loop and type(node.target) is ir.Name:
                attribute = _meta_list(node.iter) or (listed.get(node.iter.id, "") if type(node.iter) is ir.Name else "")
                if attribute:
                    listed[node.target.id] = attribute
        for node in ir.iter_nodes(function.body):
            if type(node) is not ir.If:
                continue
            for inner in ir.iter_nodes(node.body + node.orelse):
                popped = _popped_field(inner)
                if type(popped) is ir.Const and isinstance(popped.value, str):
                    names.add(popped.value)
                elif type(popped) is ir.Name and popped.id in listed:
                    lists.add(listed[popped.id])
    if not lists:
        return frozenset(names)
    meta = _meta(program, cls)
    for attribute in lists:
        static = meta.get(attribute)
        if static is not None and type(static[1]) is ir.Seq:
            names.update(e.value for e in static[1].elts if type(e) is ir.Const and isinstance(e.value, str))
    fillers = {}  # method name -> (parameter index, parameter name, the flag parameter guarding the append or "")
    for _path, function in methods:
        params = [p.name for p in function.params]
        for node in ir.iter_nodes(function.body):
            if type(node) is ir.If and type(node.test) is ir.Name and node.test.id in params:
                guard = node.test.id
            else:
                continue
            for inner in ir.iter_nodes(node.body):
                added = _meta_append(inner, lists)
                if type(added) is ir.Name and added.id in params:
                    fillers.setdefault(function.name, (params.index(added.id), added.id, guard))
    for _path, function in methods:
        for node in ir.iter_nodes(function.body):
            if type(node) is not ir.Call or type(node.func) is not ir.Attr or node.func.name not in fillers \
                    or type(node.func.obj) is not ir.Name or node.func.obj.id != "self":
                continue
            index, param, guard = fillers[node.func.name]
            keywords = {a.name: a.value for a in node.args if a.kind == "kw"}
            positional = [a.value for a in node.args if a.kind == "pos"]
            flag = keywords.get(guard)
            if type(flag) is not ir.Const or not flag.value:
                continue
            value = keywords.get(param, positional[index - 1] if 0 < index <= len(positional) else None)
            if type(value) is ir.Const and isinstance(value.value, str):
                names.add(value.value)
    return frozenset(names)


def _meta_list(node) -> str:
    """``getattr(self.Meta, "opt_in_fields", [])`` / ``self.Meta.opt_in_fields``: the attribute name, else ``""``."""
    if type(node) is ir.Call and type(node.func) is ir.Name and node.func.id == "getattr" and len(node.args) >= 2:
        holder, name = node.args[0].value, node.args[1].value
        if type(holder) is ir.Attr and holder.name == "Meta" and type(name) is ir.Const and isinstance(name.value, str):
            return name.value
    if type(node) is ir.Attr and type(node.obj) is ir.Attr and node.obj.name == "Meta":
        return node.name
    return ""


def _popped_field(node):
    """``fields.pop(name, …)`` / ``self.fields.pop(name)`` / ``del self.fields[name]``: the name's expression."""
    if type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name == "pop" and node.args:
        receiver = node.func.obj
        if (type(receiver) is ir.Name and receiver.id == "fields") or (type(receiver) is ir.Attr and receiver.name == "fields"):
            return node.args[0].value
    if type(node) is ir.Delete:
        for target in node.targets:
            if type(target) is ir.Index and type(target.obj) is ir.Attr and target.obj.name == "fields":
                return target.index
    return None


def _meta_append(node, lists: set):
    """``self.Meta.opt_in_fields.append(name)`` / ``self.Meta.opt_in_fields = [name]`` for one of ``lists``: ``name``."""
    if type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name == "append" and len(node.args) == 1:
        if _meta_list(node.func.obj) in lists:
            return node.args[0].value
    if type(node) is ir.Assign and len(node.targets) == 1 and _meta_list(node.targets[0]) in lists \
            and type(node.value) is ir.Seq and len(node.value.elts) == 1:
        return node.value.elts[0]
    return None


def _serializer_reads(child, cls: v.ClassValue, obj, depth: int) -> None:
    program = child.program
    declared = set()
    opt_in = _opt_in_fields(program, cls)
    for member in _fields(program, cls, init_assigned=True):
        declared.add(member.name)
        if member.name in opt_in:
            continue  # rendered only when the request asks for it (nautobot's `?include=config_context`)
        call = member.value if type(member.value) is ir.Call else None
        if call is None:
            continue
        callee = child.eval_cached(call.func)
        built = _factory_field(program, callee)
        if built is not None:  # `actor = get_grf()`: the field the project's factory function builds
            callee, options = built
            if not any(arg.kind == "kw" for arg in call.args):
                call = ir.Call(call.func, options.args, call.span)
        short = _short(callee) or _field_base(program, callee)
        source = _source(call) or member.name
        many = any(arg.kind == "kw" and arg.name == "many" and type(arg.value) is ir.Const and arg.value.value is True
                   for arg in call.args)
        if short == "SerializerMethodField":
            method_name = _keyword_text(call, "method_name") or f"get_{member.name}"
            method = program.method(cls.path, cls.cid, method_name)
            if method is not None:
                returned = child.call_function(call, method._replace(bound=v.Instance(cls.path, cls.cid)),
                                               [("pos", "", obj, None)], label=method_name)
                _rendered(child, returned, call)
            continue
        if source == "*":
            continue
        if type(v.strip(callee)) is v.ClassValue and is_serializer(program, v.strip(callee)):
            value = _read_chain(child, obj, source, call)
            inner = v.strip(callee)
            _register_nested(child, call, source, f"{program.cls(cls.path, cls.cid).name}.{member.name} = "
                             f"{program.cls(inner.path, inner.cid).name}({'many=True' if many else ''})")
            _nested(child, call, inner, value, many, depth)
            continue
        if type(v.strip(callee)) is v.ClassValue and _project_field(child, v.strip(callee), call, obj, source, many):
            continue
        if short in known(program).many_related_fields or short.endswith("Field") or short.endswith("RelatedField"):
            value = _read_chain(child, obj, source, call, pk_only=not many and _pk_only(program, short, callee, call))
            if many:
                _read_all(child, value, call)
            elif short not in known(program).many_related_fields:
                _rendered(child, value, call)
    represent = program.method(cls.path, cls.cid, "to_representation")
    meta = _meta(program, cls)
    if represent is not None:  # the project's to_representation(instance) runs for every row too
        function = program.function(represent.path, represent.fid)
        _returned, summary = child.call_function(function, represent._replace(bound=v.Instance(cls.path, cls.cid)),
                                                 [("pos", "", obj, None)], label="to_representation", with_summary=True)
        if summary is not None and summary.row_slots:
            _rendered_slots(child, cls, function, summary.row_slots, meta)
    model = v.strip(obj)
    if "fields" in meta and type(model) is v.Row and model.model:
        names = _meta_field_names(child, meta["fields"][1], model.model)
        depth_value = meta.get("depth")
        nesting = depth_value[1].value if depth_value and type(depth_value[1]) is ir.Const and isinstance(depth_value[1].value, int) else 0
        anchor = meta["fields"][1]
        for name in names:
            if name in declared or name in opt_in:
                continue
            relation = program.schema.relation(model.model, name)
            if relation is None:
                # a model property or method named in `fields` (ModelSerializer makes it a ReadOnlyField):
                # read — and, when callable, called — for every row
                if _model_method(program, model, name) is not None:
                    _read_chain(child, obj, name, anchor)
                continue
            if relation.collection:
                _read_all(child, child.member(obj, name, anchor), anchor)
            elif nesting:
                child.member(obj, name, anchor)


def _factory_field(program, callee):
    """A project function every ``return`` of which builds one field class — django-activity-stream's
    ``def get_grf(): return GenericRelatedField(registry_factory(related_field_factory), read_only=True)``
    declared as ``actor = get_grf()``: ``(that class, the call building it)``, whose keywords (``many``,
    ``source``) hold when the declaration passes none of its own; else ``None``."""
    bare = v.strip(callee)
    function = program.function(bare.path, bare.fid) if type(bare) is v.Function and bare.bound is None else None
    if function is None or function.kind == "method":
        return None
    built = None
    for node in ir.iter_nodes(function.body):
        if type(node) is not ir.Return:
            continue
        if type(node.value) is not ir.Call or built is not None:
            return None
        cls = program.static_value(bare.path, node.value.func)
        if type(v.strip(cls)) not in (v.External, v.ClassValue):
            return None
        built = (cls, node.value)
    return built


def _rendered_slots(child, cls: v.ClassValue, function: ir.Function, slots: tuple, meta: dict) -> None:
    """``instance._actions = instance.get_actions()`` in ``to_representation(self, instance)`` before
    ``super().to_representation(instance)``: a lazy queryset left on the row, which the field reading that
    attribute (``ListField(source="_actions")``, or the name in ``Meta.fields``) runs for every row."""
    params = [param.name for param in function.params if param.kind in ("pos", "posonly")][1:2]
    if not params:
        return
    fields = {}
    for member in _fields(child.program, cls):
        call = member.value if type(member.value) is ir.Call else None
        if call is not None:
            fields.setdefault(_source(call) or member.name, call)
    listed = meta.get("fields")
    if listed is not None and type(listed[1]) is ir.Seq:
        for element in listed[1].elts:
            if type(element) is ir.Const and isinstance(element.value, str):
                fields.setdefault(element.value, listed[1])
    for param, attribute, query in slots:
        if param == params[0] and attribute in fields:
            _rendered(child, query, fields[attribute])


def _rendered(child, value, node) -> None:
    """A field's value that is a lazy queryset — ``return board.cards.values_list("title", flat=True)`` in a
    ``get_…`` method, a ``ListField(source="tag_names")`` whose model method returns one — is not data yet:
    the field (``ListField`` iterates it) or the renderer (DRF's JSON encoder turns a ``QuerySet`` into a
    tuple) runs it, once for every row.  A queryset whose rows were prefetched (``cached``) runs nothing."""
    for option in v.options(value) if value is not None else ():
        query = v.strip(option)
        if type(query) is v.Query and query.lazy and not query.cached and query.stack == "django":
            child.effect("read", query.stack, query.model, "__iter__", node, v.tags_of(option), query=query)
            child.evaluated(query)
            return


def _project_field(child, field: v.ClassValue, call: ir.Call, obj, source: str, many: bool) -> bool:
    """A project field class that overrides what DRF calls for every row: ``get_attribute(instance)``
    (pulpcore's ``TaskGroupStatusCountField`` returns ``instance.tasks.filter(state=…).count()``) and
    ``to_representation(value)`` of what it read — with ``many=True``, DRF's ``ManyRelatedField`` reads
    ``relation.all()`` and calls the child's ``to_representation`` once per related object.  False when
    the class overrides neither (DRF's own field behaviour is modelled by the caller)."""
    program = child.program
    getter = None if many else program.method(field.path, field.cid, "get_attribute")
    represent = program.method(field.path, field.cid, "to_representation")
    if getter is None and represent is None:
        return False
    bound = v.Instance(field.path, field.cid)
    if getter is not None:
        value = child.call_function(call, getter._replace(bound=bound), [("pos", "", obj, None)], label="get_attribute")
    else:
        value = _read_chain(child, obj, source, call)
        if many:
            value = _element(_read_all(child, value, call))
    if represent is not None and value is not None and not v.is_unknown(value):
        child.call_function(call, represent._replace(bound=bound), [("pos", "", value, None)], label="to_representation")
    return True


def _meta_field_names(child, node, model: str) -> list[str]:
    if type(node) is ir.Const and node.value == "__all__":
        # DRF: "Reverse relationships are not included by default by the ModelSerializer" —
        # ``__all__`` is the model's own fields (its foreign keys and many-to-many fields)
        found = child.program.schema.get(model)
        return sorted(name for name, relation in found.relations.items() if relation.kind != "reverse") if found is not None else []
    if type(node) is ir.Seq:
        return [e.value for e in node.elts if type(e) is ir.Const and isinstance(e.value, str)]
    return []


def _register_nested(child, node, relation: str, declaration: str) -> None:
    """Remember that the field at ``node`` reads ``relation`` of each row with a nested serializer or
    schema (see ``Program.nested_fields``): what that one runs, it runs once per related object."""
    child.program.nested_fields.setdefault((child.path, node.span), (relation, declaration))


def _nested(child, node, serializer: v.ClassValue, value, many: bool, depth: int) -> None:
    if many:
        value = _read_all(child, value, node)
        element = _element(value)
        if element is not None:
            _read_in(child, node, f"{child.program.cls(serializer.path, serializer.cid).name}(many=True)", serializer, element, depth + 1)
        return
    _read_in(child, node, child.program.cls(serializer.path, serializer.cid).name, serializer, value, depth + 1)


def _element(value):
    bare = v.strip(value)
    if type(bare) in (v.Rows, v.Result) or type(bare) is v.Query:
        return v.tag(v.Row(bare.stack, bare.model, bare.loaded), v.tags_of(value))
    return None


def _read_all(child, value, node):
    """What ``ManyRelatedField`` does: ``relationship.all()`` (a query unless prefetched)."""
    bare = v.strip(value)
    if type(bare) is v.Db or (type(bare) is v.Query and bare.lazy and not bare.cached):
        # (a query: a SQLAlchemy `lazy="dynamic"` relationship — lemur's `User.roles` under
        # `roles = fields.Nested(AssociatedRoleSchema, many=True)` — iterated, runs once per object)
        prefetched = type(bare) is v.Db and bare.kind == "prefetched"
        result = child.db_method(node, bare, v.tags_of(value), "all", []) if not prefetched else None
        if prefetched:
            return v.tag(v.Query("django", bare.model, bare.loaded, lazy=True, cached=True), v.tags_of(value))
        query = v.strip(result) if result is not None else None
        if type(query) is v.Query and query.lazy and not query.cached:
            child.effect("read", query.stack, query.model, "all", node, v.tags_of(value))
        return result if result is not None else value
    return value


def _pk_only(program, short: str, callee, call: ir.Call) -> bool:
    """DRF's ``RelatedField.get_attribute`` hands the field a ``PKOnlyObject`` built from
    ``serializable_value(<fk>)`` — the row's ``<fk>_id``, no SELECT — when ``use_pk_only_optimization()``
    is true: ``PrimaryKeyRelatedField`` always, ``HyperlinkedRelatedField`` when its ``lookup_field`` is
    ``pk`` (frameworks.toml ``pk_only_fields``).  Not when the project's field class (or a base of it)
    overrides ``use_pk_only_optimization`` (pulpcore's ``DetailRelatedField`` returns False: its
    ``get_url`` needs the related row) or looks the row up by another field."""
    if short not in known(program).pk_only_fields:
        return False
    lookup = call.arg(keyword="lookup_field")
    if lookup is not None and not (type(lookup) is ir.Const and lookup.value == "pk"):
        return False
    bare = v.strip(callee)
    if type(bare) is v.ClassValue and (program.method(bare.path, bare.cid, "use_pk_only_optimization") is not None
                                       or _field_lookup(program, bare) not in ("", "pk")):
        return False
    return True


def _field_lookup(program, field) -> str:
    """The ``lookup_field = "…"`` a project field class (or a project base) declares, "" when none."""
    declared = program.class_field(field.path, field.cid, "lookup_field")
    if declared is None:
        return ""
    value = declared.value
    return value.value if type(value) is ir.Const and isinstance(value.value, str) else "?"


def _read_chain(child, obj, source: str, node, pk_only: bool = False):
    parts = source.split(".")
    if pk_only:
        parts = parts[:-1]  # PrimaryKeyRelatedField reads <fk>_id, not the related row
    value = obj
    for index, part in enumerate(parts):
        start = len(child.effects)
        parent = value
        value = child.member(value, part, node)
        method = _simple_method(child.program, v.strip(parent), part) if v.is_unknown(value) else None
        if method is not None:
            # DRF's get_attribute calls what it read when it takes no argument: `source="comment_count"`
            # naming a model method runs the method (its queries) for every row
            value = child.call_function(node, method._replace(bound=parent), [], label=part)
        if index:  # `source="author.user.username"`: the lazy load of `user` on each author is `author.user`
            prefix = ".".join(parts[:index])
            child.effects[start:] = [
                effect._replace(detail=f"{prefix}.{part}")
                if effect.op == "lazy" and effect.detail == part and effect.span == node.span else effect
                for effect in child.effects[start:]]
    return value


def _model_method(program, row, name: str):
    """The method (or property) ``name`` that a row's model class defines, or ``None``."""
    model = program.schema.get(row.model) if type(row) is v.Row and row.model else None
    if model is None or model.cid < 0:
        return None
    return program.method(model.path, model.cid, name)


def _simple_method(program, row, name: str):
    """The model method ``name`` of a row that DRF calls with no argument (``is_simple_callable``: every
    parameter after ``self`` has a default), not a property (reading one already ran it); else ``None``."""
    from archlint.semantics.interpreter import _is_property, known as value_names

    method = _model_method(program, row, name)
    found = program.function(method.path, method.fid) if method is not None else None
    if found is None or found.kind != "method" or _is_property(found, value_names(program)):
        return None
    return method if all(param.default is not None or param.kind in ("vararg", "kwarg") for param in found.params[1:]) else None


def _field_base(program, callee) -> str:
    """The DRF field a project field class derives from (``class TagRelatedField(RelatedField)``:
    ``RelatedField``), so a project relational field with ``many=True`` reads the relation too."""
    bare = v.strip(callee)
    if type(bare) is not v.ClassValue or is_serializer(program, bare):
        return ""
    names = sorted(name for name in _base_names(program, bare.path, bare.cid) if name.startswith("rest_framework."))
    shorts = [_short(v.External(name)) for name in names]
    return next((short for short in shorts if short in known(program).many_related_fields), next(iter(shorts), ""))


def _source(call: ir.Call) -> str:
    return _keyword_text(call, "source")


def _keyword_text(call: ir.Call, keyword: str) -> str:
    value = call.arg(keyword=keyword)
    return value.value if type(value) is ir.Const and isinstance(value.value, str) else ""


def _short(value) -> str:
    bare = v.strip(value)
    if type(bare) is v.External:
        return bare.name.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
    return ""


# marshmallow schemas ------------------------------------------------------------------------------------
def _marshmallow_reads(child, cls: v.ClassValue, obj, depth: int) -> None:
    """What ``Schema.dump(obj)`` reads: every declared field that is not ``load_only``.  A dict with
    known keys (the envelope ``articles_schema.jsonify({"articles": rows})``) is read by key, as
    marshmallow's ``get_value`` does: a ``Nested(S, many=True)`` field given rows dumps each row."""
    program = child.program
    if type(v.strip(obj)) is v.Record:
        _marshmallow_envelope(child, cls, v.strip(obj), depth)
        return
    if type(v.strip(obj)) is not v.Row:
        return
    for member in _fields(program, cls):
        call = member.value if type(member.value) is ir.Call else None
        if call is None or _keyword_const(call, "load_only") is True:
            continue
        short = _short(child.eval_cached(call.func))
        if short in ("Method", "Function"):
            _marshmallow_function(child, cls, obj, call, short)
            continue
        attribute = _keyword_text(call, "attribute") or member.name
        if short == "Constant" or not attribute.isidentifier():
            continue
        value = _read_chain(child, obj, attribute, call)
        inner, many = _marshmallow_nested(child, call, short)
        if many:
            value = _read_all(child, value, call)
        if inner is not None:
            element = _element(value) if many else value
            if element is not None and type(v.strip(element)) is v.Row:
                _register_nested(child, call, attribute, f"{program.cls(cls.path, cls.cid).name}.{member.name} = "
                                 f"{'List(Nested' if many else 'Nested'}({program.cls(inner.path, inner.cid).name})"
                                 f"{')' if many else ''}")
                _read_in(child, call, program.cls(inner.path, inner.cid).name, inner, element, depth + 1)


def _marshmallow_envelope(child, cls: v.ClassValue, record: v.Record, depth: int) -> None:
    """The fields of a dict dumped by a schema: each key's value is dumped with its ``Nested`` schema
    (rows of a many field one by one, a row or a nested dict as one object); plain fields read nothing."""
    program = child.program
    for member in _fields(program, cls):
        call = member.value if type(member.value) is ir.Call else None
        if call is None or _keyword_const(call, "load_only") is True:
            continue
        short = _short(child.eval_cached(call.func))
        key = _keyword_text(call, "attribute") or member.name
        value = record.get(key)
        inner, many = _marshmallow_nested(child, call, short)
        if value is None or inner is None:
            continue
        label = f"{program.cls(cls.path, cls.cid).name}.{member.name}"
        if many:
            serialize_many(child, call, inner, value, label)
        elif type(v.strip(value)) in (v.Row, v.Record):
            _read_in(child, call, label, inner, value, depth + 1)


def _marshmallow_nested(child, call: ir.Call, short: str):
    """``Nested(ProfileSchema)`` → (ProfileSchema, False); ``Nested(S, many=True)`` /
    ``List(Nested(S))`` → (S, True); ``List(Str())`` → (None, True); a plain field → (None, False)."""
    if short == "List" and call.args and type(call.args[0].value) is ir.Call:
        inner_call = call.args[0].value
        inner, _ = _marshmallow_nested(child, inner_call, _short(child.eval_cached(inner_call.func)))
        return inner, True
    if short in ("Nested", "Pluck") and call.args:
        target = v.strip(child.eval_cached(call.args[0].value))
        if type(target) is v.Instance:
            target = v.ClassValue(target.path, target.cid)
        many = _keyword_const(call, "many") is True
        if type(target) is v.ClassValue and is_marshmallow(child.program, target):
            return target, many
        return None, many
    return None, False


def _marshmallow_function(child, cls: v.ClassValue, obj, call: ir.Call, short: str) -> None:
    if short == "Method":
        name = _keyword_text(call, "serialize") or (call.args[0].value.value if call.args and type(call.args[0].value) is ir.Const else "")
        method = child.program.method(cls.path, cls.cid, name) if isinstance(name, str) and name else None
        if method is not None:
            child.call_function(call, method._replace(bound=v.Instance(cls.path, cls.cid)), [("pos", "", obj, None)], label=name)
        return
    function = v.strip(child.eval_cached(call.args[0].value)) if call.args else None
    if type(function) is v.Function:
        child.call_function(call, function, [("pos", "", obj, None)], label="fields.Function")


def loaded_fields(frame, node) -> tuple | None:
    """The fields a marshmallow schema loads from a request body (``@use_kwargs(article_schema)``: the
    schema class, an instance of it, or a dict of fields): its declared fields but ``dump_only`` ones;
    ``None`` when the schema cannot be read (a ``Meta.model`` auto-schema, one built elsewhere)."""
    if type(node) is ir.Obj:  # use_kwargs({"title": fields.Str(), …})
        keys = [entry.key.value for entry in node.entries if type(entry.key) is ir.Const and isinstance(entry.key.value, str)]
        return tuple(sorted(keys)) if len(keys) == len(node.entries) else None
    bare = v.strip(frame.eval_in_module(frame.path, node))
    if type(bare) not in (v.Instance, v.ClassValue) or not is_marshmallow(frame.program, bare):
        return None
    cls = v.ClassValue(bare.path, bare.cid)
    if "model" in _meta(frame.program, cls):
        return None  # marshmallow-sqlalchemy's auto schema: its fields are the model's columns
    names = [member.name for member in _fields(frame.program, cls) if type(member.value) is ir.Call
             and _keyword_const(member.value, "dump_only") is not True]
    return tuple(sorted(names))


def _keyword_const(call: ir.Call, keyword: str):
    value = call.arg(keyword=keyword)
    return value.value if type(value) is ir.Const else None


# Pydantic / ninja schemas --------------------------------------------------------------------------------
def _schema_reads(child, cls: v.ClassValue, obj, depth: int) -> None:
    program = child.program
    model = v.strip(obj)
    if type(model) is not v.Row:
        return
    ninja = any(name.startswith("ninja.") for name in _base_names(program, cls.path, cls.cid))
    for member in _fields(program, cls):
        if member.annotation is None or member.name.startswith("_") or member.name in ("model_config", "Config"):
            continue
        resolver = program.method(cls.path, cls.cid, f"resolve_{member.name}")
        if resolver is not None:
            _resolve(child, member.annotation, cls, resolver, obj, f"resolve_{member.name}")
            continue
        holder, name = obj, member.name
        alias = _field_alias(child, member)
        if alias:  # Field(..., alias="queue.title"): django-ninja resolves the dotted path on the object
            parts = alias.split(".")
            if len(parts) > 1 and not ninja:
                continue  # pydantic reads an attribute named "queue.title": none
            for part in parts[:-1]:
                holder = _element(_read_all(child, holder, member.value)) if part.isdigit() else child.member(holder, part, member.value)
                if holder is None or type(v.strip(holder)) is not v.Row:
                    break
            if holder is None or type(v.strip(holder)) is not v.Row or parts[-1].isdigit():
                continue
            name = parts[-1]
        row = v.strip(holder)
        relation = program.schema.relation(row.model, name) if row.model else None
        if relation is None:
            # a model property read per object (`author_name: str` over `@property def author_name`); django-ninja's
            # DjangoGetter also calls what it read when callable (`comment_count: int` over a model method)
            if _model_method(program, row, name) is None:
                continue  # a column (or nothing the model defines): no query of its own
            value = child.member(holder, name, member.annotation)
            method = _simple_method(program, row, name) if ninja and v.is_unknown(value) else None
            if method is not None:
                child.call_function(member.annotation, method._replace(bound=holder), [], label=name)
            continue
        value = child.member(holder, name, member.annotation)
        inner, is_list = _schema_type(child, member.annotation)
        if is_list:
            value = _read_all(child, value, member.annotation)
        if inner is not None:
            element = _element(value) if is_list else value
            if element is not None:
                inner_name = program.cls(inner.path, inner.cid).name
                relation = alias or member.name
                _register_nested(child, member.annotation, relation, f"{program.cls(cls.path, cls.cid).name}.{member.name}: "
                                 f"{f'list[{inner_name}]' if is_list else inner_name}")
                _read_in(child, member.annotation, inner_name, inner, element, depth + 1)
    if ninja:
        _model_schema_reads(child, cls, obj, declared={member.name for member in _fields(program, cls)})


def _resolve(child, node, cls: v.ClassValue, resolver, obj, label: str) -> None:
    """django-ninja calls ``resolve_<field>(obj)`` — or ``resolve_<field>(obj, context)``, the
    context holding the ``request`` — as a static method, or ``resolve_<field>(self, obj[, context])``
    on the schema instance when it is a plain method."""
    function = child.program.function(resolver.path, resolver.fid)
    static = function is None or function.is_static or function.kind != "method"
    request = v.tag(v.Request("django"), frozenset({v.REQUEST_TAG}))
    args = (("pos", "", obj, None), ("pos", "", v.Record((("request", request),)), None))
    # the context only when a parameter takes the second argument (records.argument_for binds them)
    takes_context = function is not None and any(argument_for(function, args, p.name, not static) == (1, "") for p in function.params)
    child.call_function(node, resolver._replace(bound=None if static else v.Instance(cls.path, cls.cid)), list(args if takes_context else args[:1]),
                        label=label)


def _model_schema_reads(child, cls: v.ClassValue, obj, declared: set) -> None:
    """A django-ninja ``ModelSchema``'s ``Meta.fields`` (or ``"__all__"``): a foreign key is read as
    its ``<fk>_id``, a many-to-many field as the list of related keys — ``.all()`` on the manager."""
    meta = _meta(child.program, cls)
    model = v.strip(obj)
    if "fields" not in meta or type(model) is not v.Row or not model.model:
        return
    anchor = meta["fields"][1]
    for name in _meta_field_names(child, anchor, model.model):
        relation = child.program.schema.relation(model.model, name)
        if name in declared or relation is None or not relation.collection or relation.kind == "reverse":
            continue
        _read_all(child, child.member(obj, name, anchor), anchor)


def _field_alias(child, member: ir.Field) -> str:
    """``x: str = Field(..., alias="queue.title")`` (ninja's or pydantic's ``Field``): the alias, else ``""``."""
    call = member.value
    if type(call) is not ir.Call or _short(child.eval_cached(call.func)) != "Field":
        return ""
    return _keyword_text(call, "alias")


def _schema_type(child, annotation):
    """``list[TagOut]`` → (TagOut, True); ``UserOut | None`` → (UserOut, False)."""
    return _schema_type_at(child.program, child.path, annotation)


def _schema_type_at(program, path: str, annotation):
    node = annotation
    is_list = False
    while True:
        if type(node) is ir.BinOp and node.op == "|":
            node = node.left
            continue
        if type(node) is ir.Index:
            base = node.obj.id if type(node.obj) is ir.Name else node.obj.name if type(node.obj) is ir.Attr else ""
            if base in _LIST_TYPES:
                is_list = True
            node = node.index.elts[0] if type(node.index) is ir.Seq and node.index.elts else node.index
            continue
        break
    if type(node) is ir.Const and isinstance(node.value, str) and node.value.isidentifier():
        node = ir.Name(node.value, annotation.span)
    value = program.static_value(path, node) if type(node) in (ir.Name, ir.Attr) else None
    if type(value) is v.ClassValue and (is_schema(program, value) or is_struct(program, value)):
        return value, is_list
    return None, is_list


# Django's generic list views ------------------------------------------------------------------------------
def is_django_list_view(program, instance) -> bool:
    bare = v.strip(instance)
    return type(bare) is v.Instance and bool(_base_names(program, bare.path, bare.cid) & known(program).django_list_views)


def django_list_rows(frame, instance):
    """``self.object_list`` of a Django list view: what its ``get_queryset()`` returns — the
    project's override, else ``queryset``, else ``model.objects.all()`` (``MultipleObjectMixin``).
    ``None`` when none of them is readable."""
    program = frame.program
    bare = v.strip(instance)
    getter = program.method(bare.path, bare.cid, "get_queryset")
    if getter is not None:
        return frame.call_function(None, getter._replace(bound=bare), [])
    field = program.class_field(bare.path, bare.cid, "queryset")
    if field is not None and field.value is not None:
        return frame.instance_member(bare, "queryset")
    field = program.class_field(bare.path, bare.cid, "model")
    model = v.strip(frame.instance_member(bare, "model")) if field is not None and field.value is not None else None
    if type(model) is not v.ClassValue or not program.model_of_class(model.path, model.cid):
        return None
    manager = frame.member(model, "objects", field.value)
    managed = v.strip(manager)
    if type(managed) is not v.Db:
        return None
    return frame.db_method(ir.Call(field.value, (), field.value.span), managed, v.tags_of(manager), "all", [])


def _django_list_render(frame, view: v.ClassValue) -> None:
    """A list view's own ``render_to_response(context)`` (a JSON list view) runs with the context
    ``get_context_data()`` built: ``object_list`` and ``<model>_list`` are the rows of
    ``get_queryset()`` (a page of them)."""
    program = frame.program
    render = program.method(view.path, view.cid, "render_to_response")
    instance = v.Instance(view.path, view.cid)
    if render is None or program.method(view.path, view.cid, "get") is not None:
        return
    rows = django_list_rows(frame, instance)
    if rows is None:
        return
    items = [("object_list", rows)]
    query = v.strip(rows)
    if type(query) is v.Query and query.model:
        items.append((f"{query.model.rpartition(':')[2].lower()}_list", rows))
    context = v.Record(tuple(sorted(items)))
    definition = program.function(render.path, render.fid)
    node = ir.Opaque("view", (), definition.span) if definition is not None else None  # a step outside its loops
    frame.call_function(node, render._replace(bound=instance), [("pos", "", context, None)], label="render_to_response")


# Entry points the framework owns -------------------------------------------------------------------------
def framework_analyses(program) -> list[Analysis]:
    """Synthetic analyses for what frameworks run: DRF list views serializing their queryset, and
    route handlers whose returned rows a response schema reads."""
    from archlint.semantics.interpreter import Frame, _Budget

    results: list[Analysis] = []
    names = known(program)
    for path in sorted(program.modules):
        module = program.modules[path]
        for cls in module.classes:
            value = v.ClassValue(path, cls.cid)
            bases = _base_names(program, path, cls.cid)
            if not (bases & names.list_views) and not (bases & names.django_list_views):
                continue
            analysis = Analysis(path, module.module)
            frame = Frame(program, path, module.module, 1, analysis)
            frame.env = dict(program.module_env(path))
            try:
                if bases & names.list_views:
                    _list_view(frame, value, cls)
                else:
                    _django_list_render(frame, value)
            except (_Budget, RecursionError):  # past the budget, or nesting deeper than Python's stack
                continue
            analysis.effects = tuple(dict.fromkeys(frame.effects))
            results.append(analysis)
        for function in module.functions:
            schema = _response_schema(program, path, function)
            if schema is None:
                marshalled = _restx_marshalled(program, path, function)
                if marshalled is None:
                    marshalled = _dto_encoded(program, path, function)
                if marshalled is None:
                    marshalled = _wrapper_serialized(program, path, function)
                if marshalled is not None:
                    results.append(marshalled)
                continue
            analysis = _encoded_response(program, path, function,
                                         lambda frame, summary: _schema_response(frame, summary, function, schema))
            if analysis is None:
                continue
            if function.is_async and _ninja_schema(program, schema):
                # AsyncOperation.run: `result = await view_func(…); return self._result_to_response(…)` —
                # the schema reads the rows in the event loop's thread; under `@paginate` the wrapper
                # fetches the page of a returned queryset with `async for` (its iteration is safe)
                paged = _decorator_node(function).span if _ninja_paginated(program, path, function) else None
                analysis.effects = tuple(e._replace(tags=e.tags | {v.ASYNC_RESPONSE_TAG}) for e in analysis.effects
                                         if not (e.span == paged and not e.trace and e.op == "read"))
            results.append(analysis)
    return results


def _schema_response(frame, summary, function: ir.Function, schema: v.ClassValue) -> None:
    """What a response schema reads of the handler's returned rows (and of a RealWorld envelope)."""
    label = f"response {frame.program.cls(schema.path, schema.cid).name}"
    body, bodies = _response_bodies(summary.returns)
    serialize_many(frame, _decorator_node(function), schema, body, label)
    for option in bodies:
        if type(v.strip(option)) is v.Record:  # return {"articles": rows, "articlesCount": n}
            serialize_envelope(frame, _decorator_node(function), schema, dict(v.strip(option).items), 0)
    if function.is_async and _ninja_schema(frame.program, schema):
        _async_response_reads(frame, _decorator_node(function), schema, body, label)


def _encoded_response(program, path: str, function: ir.Function, encode) -> Analysis | None:
    """The synthetic analysis of a handler whose framework encodes what it returns: the handler runs
    (its own effects belong to its own analysis), then ``encode(frame, summary)`` reads the returned
    values as the framework does — only those reads are this analysis's.  ``None`` past the budget."""
    from archlint.semantics.interpreter import Frame, _Budget

    analysis = Analysis(path, program.modules[path].module)
    frame = Frame(program, path, function, 1, analysis)
    try:
        summary = frame.run(bound=program.default_receiver(path, function))
        frame.effects = []
        encode(frame, summary)
    except (_Budget, RecursionError):  # past the budget, or nesting deeper than Python's stack
        return None
    analysis.effects = tuple(dict.fromkeys(frame.effects))
    return analysis


def _async_response_reads(frame, node, schema: v.ClassValue, body, label: str) -> None:
    """What an async django-ninja route's response reads in the event loop beyond the rows of a list
    (serialize_many's loop, which also iterates a returned queryset): a single returned row."""
    for option in v.strip(body).options if type(v.strip(body)) is v.Union else (body,):
        if type(v.strip(option)) is v.Row and v.strip(option).stack == "django":
            _read_in(frame, node, label, schema, option, 0)


def _ninja_paginated(program, path: str, function: ir.Function) -> bool:
    """``@paginate`` / ``@paginate(PageNumberPagination)`` (django-ninja): the async wrapper evaluates the
    page of the returned queryset with ``async for`` (``apaginate_queryset``)."""
    for decorator in function.decorators:
        name = program.static_name(path, decorator.func if type(decorator) is ir.Call else decorator)
        if name.startswith("ninja.") and name.rsplit(".", 1)[-1] == "paginate":
            return True
    return False


def _ninja_schema(program, schema: v.ClassValue) -> bool:
    return any(name.startswith("ninja.") for name in _base_names(program, schema.path, schema.cid))


def _restx_marshalled(program, path: str, function: ir.Function):
    """The synthetic analysis of a handler whose decorator marshals what it returns
    (``@ns.marshal_list_with(article_fields)``), else ``None``."""
    restx = _late("restx")  # (it imports this module; asked of every route handler)
    marshalled, marshal_returned = restx.marshalled, restx.marshal_returned
    found = marshalled(program, path, function)
    if found is None:
        return None
    return _encoded_response(program, path, function,
                             lambda frame, summary: marshal_returned(frame, _decorator_node(function), found, summary.returns))


def _wrapper_serialized(program, path: str, function: ir.Function):
    """The synthetic analysis of a route handler wrapped by a project decorator whose wrapper serializes
    what the handler returns per row — lemur's ``@validate_schema(None, endpoints_output_schema)``:
    ``def validate_schema(input_schema, output_schema): def decorator(f): @wraps(f) def
    decorated_function(*a, **kw): resp = f(*a, **kw); … return unwrap_pagination(resp, output_schema)``,
    whose helper dumps ``resp["items"]`` with ``many=True``.  The wrapper runs with the closure of *this*
    use bound (the decorator's arguments, the handler as ``f``) — not the join of every view's
    schemas — and only the reads of the rows it serializes are this analysis's, each loop over them
    anchored at the decorator (where the view chose that schema).  ``None`` when no decorator does so."""
    if (path, function.fid) not in program.handler_functions():
        return None
    for decorator in function.decorators:
        analysis = _wrapper_reads(program, path, function, decorator)
        if analysis is not None:
            return analysis
    return None


def _wrapper_reads(program, path: str, function: ir.Function, decorator):
    from archlint.semantics.interpreter import Frame, _Budget
    from archlint.semantics.support import callee_text

    factory_node = decorator.func if type(decorator) is ir.Call else decorator
    factory = program.static_value(path, factory_node) if type(factory_node) in (ir.Name, ir.Attr) else None
    if type(factory) is not v.Function or factory.bound is not None:
        return None
    module = program.modules[path]
    outer: dict = {}  # the decorator factory's parameters: the closure the wrapper reads
    analysis = Analysis(path, module.module)
    try:
        if type(decorator) is ir.Call:
            definition = program.function(factory.path, factory.fid)
            if definition is None:
                return None
            frame = Frame(program, path, module.module, 1)
            frame.env = dict(program.module_env(path))
            if any(arg.kind in ("star", "kwstar") for arg in decorator.args):
                return None
            values = [frame.eval_cached(arg.value) for arg in decorator.args]
            positional = tuple(value for arg, value in zip(decorator.args, values) if arg.kind == "pos")
            keywords = tuple(sorted((arg.name, value) for arg, value in zip(decorator.args, values) if arg.kind == "kw"))
            # each parameter the call fills, bound the way Python binds it (a positional argument past
            # `*rest` is not a keyword-only parameter's; a keyword does not fill a positional-only one)
            outer = {param.name: values[found[0]] for param in definition.params
                     if (found := argument_for(definition, decorator.args, param.name, False)) is not None}
            made = v.strip(program.summary_of(factory, positional, keywords).returns)
        else:
            made = factory
        inner_definition = program.function(made.path, made.fid) if type(made) is v.Function else None
        if inner_definition is None or not inner_definition.params:
            return None
        handler = v.Function(path, function.fid, program.default_receiver(path, function))
        wrapper = v.strip(program.summary_of(made, (handler,)).returns)
        wrapper_definition = program.function(wrapper.path, wrapper.fid) if type(wrapper) is v.Function else None
        if wrapper_definition is None or wrapper_definition.parent != made.fid or wrapper.path != made.path:
            return None  # the decorator returns the handler itself (a registry), or no wrapper of its own
        frame = Frame(program, wrapper.path, wrapper_definition, 1, analysis)
        frame.env = {**outer, inner_definition.params[0].name: handler}
        frame.run()
    except (_Budget, RecursionError):  # past the budget, or nesting deeper than Python's stack
        return None
    return _anchored_serializer_reads(program, analysis, frame.effects, path, decorator, callee_text(decorator))


def _anchored_serializer_reads(program, analysis, effects, path: str, decorator, label: str):
    """Keep the effects of ``effects`` that run per row of a serializer loop, that loop re-anchored at
    ``decorator`` of the view in ``path`` (the place the view picks the schema and the fix is made)."""
    known_loops = {loop.id: loop for loop in analysis.loops}
    anchor = f"{path}:{decorator.span.line}:{decorator.span.column}"  # one loop, whichever dump the rows took
    kept: list = []
    source = model = ""
    for effect in effects:
        loop_id = next((lid for lid in effect.loops
                        if (known_loops.get(lid) or program.nested_loops.get(lid) or _NO_LOOP).kind == "serializer"), None)
        if loop_id is None:
            continue
        loop = known_loops.get(loop_id) or program.nested_loops[loop_id]
        source = source or loop.source
        if not model and effect.op == "lazy" and effect.loops[-1] == loop_id:
            # the rows' model: a relation read of the row itself (a loop id shared by several views'
            # rows — the same helper dumping each — keeps the first model it was registered with)
            model = effect.model
        element = f"elem:{loop_id}"
        kept.append(effect._replace(
            loops=tuple(anchor if lid == loop_id else lid for lid in effect.loops),
            deps=frozenset(f"elem:{anchor}" if dep == element else dep for dep in effect.deps),
            trace=((path, decorator.span, label),) + effect.trace))
    if not kept:
        return None
    analysis.loops = [LoopInfo(anchor, path, decorator.span, "serializer", source, model or loop.model)]
    analysis.effects = tuple(dict.fromkeys(kept))
    return analysis


_NO_LOOP = LoopInfo("", "", None, "", "", "")


class _Dto(NamedTuple):
    name: str  # for the trace: ArticleDTO / SQLAlchemyDTO[Article]
    model: str  # model key
    exclude: frozenset
    include: frozenset
    depth: int
    anchor: object  # the IR node naming the DTO where the handler (or its controller) declares it


def _dto_encoded(program, path: str, function: ir.Function):
    """The synthetic analysis of a Litestar handler whose return DTO reads the returned rows, else ``None``."""
    dto = _return_dto(program, path, function)
    if dto is None:
        return None

    def encode(frame, summary):
        body, _bodies = _response_bodies(summary.returns)
        bare = v.strip(body)
        if type(bare) is v.Record and bare.get("items") is not None:  # OffsetPagination(items=rows, …)
            body, bare = bare.get("items"), v.strip(bare.get("items"))
        label = f"return DTO {dto.name}"
        if type(bare) is v.Row:
            read_in_module(frame, dto.anchor, label, path, lambda child: _dto_reads(child, dto, body, dto.exclude, dto.include, dto.depth))
        else:
            each_row(frame, dto.anchor, body, lambda element: read_in_module(
                frame, dto.anchor, label, path, lambda child: _dto_reads(child, dto, element, dto.exclude, dto.include, dto.depth)))

    return _encoded_response(program, path, function, encode)


def _dto_reads(child, dto: _Dto, obj, exclude: frozenset, include: frozenset, depth: int) -> None:
    """The relationships of ``obj`` the DTO encodes (its columns cost no query)."""
    row = v.strip(obj)
    if depth <= 0 or type(row) is not v.Row or not row.model:
        return
    model = child.program.schema.get(row.model)
    for name in sorted(model.relations) if model is not None else ():
        if name in exclude or include and name not in include and not any(entry.startswith(name + ".") for entry in include):
            continue
        value = child.member(obj, name, dto.anchor)
        nested_exclude = frozenset(entry[len(name) + 1:] for entry in exclude if entry.startswith(name + "."))
        nested_include = frozenset(entry[len(name) + 1:] for entry in include if entry.startswith(name + "."))
        inner = v.strip(value)
        element = _element(value) if type(inner) is v.Rows else value
        if depth > 1 and element is not None:
            _dto_reads(child, dto, element, nested_exclude, nested_include, depth - 1)


def _return_dto(program, path: str, function: ir.Function):
    for decorator in function.decorators:
        if type(decorator) is not ir.Call:
            continue
        name = program.static_name(path, decorator.func)
        if not name.startswith("litestar") or name.rsplit(".", 1)[-1].rsplit(":", 1)[-1] not in known(program).litestar_handlers:
            continue
        for keyword in ("return_dto", "dto"):
            node = decorator.arg(keyword=keyword)
            if node is not None:
                return _dto_of(program, path, node)
        break
    else:
        return None
    for keyword in ("return_dto", "dto") if function.cls >= 0 else ():  # class ArticleController(Controller): return_dto = …
        field = program.class_field(path, function.cls, keyword)
        if field is not None and field.value is not None:
            return _dto_of(program, path, field.value)
    return _plugin_dto(program, path, function)


def _plugin_dto(program, path: str, function: ir.Function):
    """Litestar's SQLAlchemySerializationPlugin (also added by advanced-alchemy's ``SQLAlchemyPlugin``) makes a
    ``SQLAlchemyDTO`` with the default config for a handler whose return annotation is a model (``-> Article``,
    ``-> list[Article]``, ``-> OffsetPagination[Article]``) and that names no DTO."""
    if function.returns is None or not _serialization_plugin(program):
        return None
    node = function.returns
    while type(node) in (ir.Index, ir.BinOp):
        node = node.left if type(node) is ir.BinOp else node.index
        if type(node) is ir.Seq:
            node = node.elts[0] if node.elts else None
    if type(node) is ir.Const and isinstance(node.value, str) and node.value.isidentifier():
        node = ir.Name(node.value, function.returns.span)
    model = program.static_value(path, node) if type(node) in (ir.Name, ir.Attr) else None
    key = program.model_of_class(model.path, model.cid) if type(model) is v.ClassValue else ""
    if not key or program.schema.models[key].stack != "sqlalchemy":
        return None
    return _Dto(f"SQLAlchemyDTO[{program.schema.models[key].name}] (SQLAlchemySerializationPlugin)", key, frozenset(), frozenset(), 1,
                function.returns)


def _serialization_plugin(program) -> bool:
    """Whether the project imports a Litestar SQLAlchemy serialization plugin (``SQLAlchemyPlugin`` adds one)."""
    found = program.serialization_plugin
    if found is None:
        found = any(edge.external and edge.target.startswith(("litestar", "advanced_alchemy"))
                    and edge.target.rsplit(".", 1)[-1].rsplit(":", 1)[-1] in known(program).serialization_plugins
                    for path in program.modules for edge in program.graph.out_edges(path))
        program.serialization_plugin = found
    return found


def _dto_of(program, path: str, node):
    """``SQLAlchemyDTO[Article]`` or a project ``class ArticleDTO(SQLAlchemyDTO[Article])`` with its ``config``."""
    if type(node) is ir.Index:
        if program.static_name(path, node.obj) not in known(program).sqlalchemy_dtos:
            return None
        model = program.static_value(path, node.index)
        key = program.model_of_class(model.path, model.cid) if type(model) is v.ClassValue else ""
        if not key:
            return None
        return _Dto(f"SQLAlchemyDTO[{program.cls(model.path, model.cid).name}]", key, frozenset(), frozenset(), 1, node)
    value = program.static_value(path, node) if type(node) in (ir.Name, ir.Attr) else None
    if type(value) is not v.ClassValue:
        return None
    for chain_path, chain_cid in program.subclass_chain(value.path, value.cid):
        cls = program.cls(chain_path, chain_cid)
        for base in cls.bases if cls is not None else ():
            if type(base) is ir.Index and program.static_name(chain_path, base.obj) in known(program).sqlalchemy_dtos:
                model = program.static_value(chain_path, base.index)
                key = program.model_of_class(model.path, model.cid) if type(model) is v.ClassValue else ""
                if not key:
                    return None
                exclude, include, depth = _dto_config(program, value)
                return _Dto(program.cls(value.path, value.cid).name, key, exclude, include, depth, node)
    return None


def _dto_config(program, dto: v.ClassValue) -> tuple:
    """``config = SQLAlchemyDTOConfig(exclude={"author"}, max_nested_depth=0)``: (exclude, include, depth)."""
    field = program.class_field(dto.path, dto.cid, "config")
    call = field.value if field is not None else None
    if type(call) is not ir.Call:
        return frozenset(), frozenset(), 1
    names = []
    for keyword in ("exclude", "include"):
        node = call.arg(keyword=keyword)
        entries = node.elts if type(node) is ir.Seq else ()
        names.append(frozenset(e.value for e in entries if type(e) is ir.Const and isinstance(e.value, str)))
    depth = call.arg(keyword="max_nested_depth")
    depth = depth.value if type(depth) is ir.Const and isinstance(depth.value, int) else 1
    return names[0], names[1], depth


def _list_view(frame, view: v.ClassValue, cls: ir.Class) -> None:
    program = frame.program
    if not _framework_list_runs(program, view):
        return  # the project's own list() is what runs (analysed as a method), not ListModelMixin.list
    instance = v.Instance(view.path, view.cid)
    serving = v.tag(instance, frozenset({v.DRF_ACTION_TAG + "list"}))  # `self.action` is "list" in these methods
    getter = program.method(view.path, view.cid, "get_queryset")
    anchor = None
    if getter is not None:
        rows = frame.call_function(None, getter._replace(bound=serving), [])
        # the finding is reported in the view's file: a getter of a mixin or base elsewhere (nautobot's
        # ConfigContextQuerySetMixin) points at the view's own `queryset` (the class when it has none)
        anchor = program.function(getter.path, getter.fid) if getter.path == frame.path else \
            next((member for member in cls.fields if member.name == "queryset"), None)
    else:
        field = program.class_field(view.path, view.cid, "queryset")
        if field is None or field.value is None:
            return
        rows = frame.eval(field.value)
        anchor = field
    serializer = view_serializer(frame, None, instance, serving)  # def get_serializer_class(self): return TicketSerializer
    if serializer is None:
        return
    node = ir.Opaque("view", (), anchor.span if anchor is not None else cls.span)
    serialize_many(frame, node, serializer, rows, f"{cls.name} lists with {program.cls(serializer.path, serializer.cid).name}")


def _framework_list_runs(program, view: v.ClassValue) -> bool:
    """Whether DRF's ``ListModelMixin.list`` serializes the view's queryset: no project class on the way
    defines ``list``, or each one that does hands on to ``super().list(…)`` — and what that reaches is not
    another project ``list`` that answers on its own (a UI mixin whose ``list`` renders a page from
    ``get_queryset()`` without a serializer, under a view whose ``list`` only checks a permission first)."""
    owner, seen = view, set()
    while True:
        found = program.method(owner.path, owner.cid, "list")
        if found is None:
            return True
        if not _calls_super_list(program.function(found.path, found.fid)):
            return False
        defining = _defining_class(program, owner, found)
        if defining is None or defining in seen:
            return True
        seen.add(defining)
        following = [base for base in program.bases(*defining) if type(base) is v.ClassValue
                     and program.method(base.path, base.cid, "list") is not None]
        if not following:
            return True
        owner = following[0]


def _defining_class(program, owner: v.ClassValue, method: v.Function):
    """The class of ``owner``'s chain whose own body defines ``method``."""
    for path, cid in program.subclass_chain(owner.path, owner.cid):
        cls = program.cls(path, cid)
        if cls is not None and path == method.path and method.fid in cls.methods:
            return path, cid
    return None


def _calls_super_list(function) -> bool:
    """``return super().list(request)``: the framework's list still serializes the queryset."""
    if function is None:
        return False
    return any(
        type(call.func) is ir.Attr and call.func.name == "list" and type(call.func.obj) is ir.Call
        and type(call.func.obj.func) is ir.Name and call.func.obj.func.id == "super"
        for call in ir.calls_in(function.body)
    )


def _response_schema(program, path: str, function: ir.Function):
    for decorator in function.decorators:
        if type(decorator) is not ir.Call:
            continue
        name = program.static_name(path, decorator.func)
        if name in known(program).marshal_with and decorator.args:
            schema = _many_schema(program, path, decorator.args[0].value)
            if schema is not None:
                return schema
        if name.startswith("flask_smorest.") and name.endswith(".response"):  # @blp.response(200, ArticleSchema(many=True))
            node = decorator.arg(1, "schema")
            schema = _many_schema(program, path, node) if node is not None else None
            if schema is not None:
                return schema
        for keyword in ("response", "response_model"):
            node = _success_response(decorator.arg(keyword=keyword))
            if node is None:
                continue
            while type(node) is ir.Index:  # List[ArticleOut]
                node = node.index
            value = program.static_value(path, node) if type(node) in (ir.Name, ir.Attr) else None
            if type(value) is v.ClassValue and is_schema(program, value):
                return value
        if function.returns is not None and decorator.arg(keyword="response_model") is None and _fastapi_route(program, path, decorator):
            # FastAPI (0.89+) takes the return annotation as the response model when none is given:
            # `async def list_articles(…) -> list[ArticleOut]: return rows` validates every row
            value, _many = _schema_type_at(program, path, function.returns)
            if value is not None and is_schema(program, value):
                return value
    return None


def _fastapi_route(program, path: str, decorator: ir.Call) -> bool:
    """``@router.get(…)`` / ``@app.post(…)`` on a FastAPI application or APIRouter."""
    from archlint.semantics.routes import HTTP_METHODS, _module_value

    if type(decorator.func) is not ir.Attr or decorator.func.name not in HTTP_METHODS + ("api_route",):
        return False
    owner = _module_value(program, path, decorator.func.obj)
    return type(owner) is v.App and owner.framework == "fastapi"


def _success_response(node):
    """django-ninja's ``response={200: ArticleOut, 404: ErrorOut}``: the schema of the success
    status (the first 2xx entry); any other node as it is."""
    if type(node) is not ir.Obj:
        return node
    for entry in node.entries:
        key = entry.key
        if type(key) is ir.Const and isinstance(key.value, int) and 200 <= key.value < 300:
            return entry.value
    return None


def _response_bodies(returned) -> tuple:
    """What a handler returns without django-ninja's status (``return 201, body`` → ``body``), and
    each alternative of it in a stable order (``returned`` itself when no alternative has a status)."""
    bare = v.strip(returned)
    options = list(bare.options) if type(bare) is v.Union else [returned]
    bodies = [body for body in map(_without_status, options) if body is not None]
    if all(body is option for body, option in zip(bodies, options)) and len(bodies) == len(options):
        return returned, bodies
    if not bodies:  # only error statuses: return 404, {"detail": …}
        return v.UNKNOWN, []
    joined = bodies[0]
    for other in bodies[1:]:
        joined = v.join(joined, other)
    return joined, bodies


def _without_status(returned):
    """``return 200, body`` → ``body``; ``return 404, error`` → None (no response schema reads an
    error body); anything else as it is."""
    bare = v.strip(returned)
    if type(bare) is v.Tuple and len(bare.items) == 2 and type(v.strip(bare.items[0])) is v.Const \
            and type(v.strip(bare.items[0]).value) is int:
        return bare.items[1] if 200 <= v.strip(bare.items[0]).value < 300 else None
    return returned


def single_response_schema(program, path: str, function: ir.Function) -> str:
    """The name of the one-object response schema a route decorator declares (``response=ArticleOut``,
    ``response_model=UserOut``), else ``""``: not ``Optional[…]``, ``List[…]``, ``X | None`` or a
    status dict, where None or a list may be what the route means."""
    for decorator in function.decorators:
        if type(decorator) is not ir.Call:
            continue
        for keyword in ("response", "response_model"):
            node = decorator.arg(keyword=keyword)
            if type(node) in (ir.Name, ir.Attr):
                value = program.static_value(path, node)
                if type(value) is v.ClassValue and is_schema(program, value):
                    return node.id if type(node) is ir.Name else node.name
    return ""


def _many_schema(program, path: str, node):
    """The marshmallow schema class of ``articles_schema`` when it was made with ``many=True``."""
    from archlint.semantics.interpreter import Frame

    module = program.modules.get(path)
    if module is None:
        return None
    frame = Frame(program, path, module.module, 1)
    frame.env = dict(program.module_env(path))
    value = frame.eval_cached(node)
    bare = v.strip(value)
    if type(bare) is v.Instance and MANY in v.tags_of(value) and is_marshmallow(program, bare):
        return v.ClassValue(bare.path, bare.cid)
    return None


def _decorator_node(function: ir.Function):
    return next((d for d in function.decorators if type(d) is ir.Call), ir.Opaque("route", (), function.span))
