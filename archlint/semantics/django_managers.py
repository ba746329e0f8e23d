"""Custom Django managers and querysets: the methods a project adds to ``Model.objects``.

``objects = ArticleQuerySet.as_manager()``, ``objects = models.Manager.from_queryset(ArticleQuerySet)()``
(directly or through a module-level ``ArticleManager = …``) and ``objects = ArticleManager()`` (a
project ``Manager`` subclass) give ``Article.objects.with_favorites(user)`` and
``Article.objects.filter(…).with_favorites(user)`` the project method's body: it runs with ``self``
as a lazy queryset of the model, so what it returns (``self.annotate(…)``, ``self.filter(…)``) is a
queryset of the model like any other.  The pre-``as_manager`` idiom — a project manager whose
``get_queryset()`` returns ``SubmissionQuerySet(self.model, using=self._db)`` and whose methods
delegate ``return self.get_queryset().accepted()`` — also reaches the queryset class: a method called
on a queryset is looked up in that class first, one called on the manager in the manager first (else
the delegation would find the manager's own method again).  Unresolved shapes stay unknown.
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.semantics import values as v


def custom_method(program, model: str, method: str, on_queryset: bool = False):
    """The project method ``method`` of ``model``'s managers / querysets, or ``None``; ``on_queryset``:
    the receiver is a queryset (``Article.objects.filter(…).accepted()``), not the manager."""
    found = program.schema.get(model)
    if found is None or found.cid < 0:
        return None
    for path, cid in program.subclass_chain(found.path, found.cid):
        cls = program.cls(path, cid)
        for member in cls.fields if cls is not None else ():
            classes = _manager_classes(program, path, member.value)
            constructed = [qs for klass in classes for qs in _constructed_querysets(program, klass)]
            for klass in constructed + classes if on_queryset else classes + constructed:
                function = program.method(klass.path, klass.cid, method)
                if function is not None:
                    return function
    return None


def default_loads(frame, node, model: str) -> frozenset:
    """What every query of ``model``'s manager loads: a project manager's own ``get_queryset`` that
    returns ``super().get_queryset().select_related("author")`` makes ``Article.objects.all()``,
    ``.filter(…)`` and the related managers (Django builds them from the default manager's class)
    load ``author`` with the rows.  Evaluated once per model on a lazy queryset of it."""
    program = frame.program
    known = program.manager_loads.get(model)
    if known is not None:
        return known
    program.manager_loads[model] = frozenset()  # a get_queryset that reaches the manager again loads nothing more
    function = custom_method(program, model, "get_queryset")
    if function is None:
        return frozenset()
    from archlint.semantics.interpreter import Frame, _Budget

    # evaluated on its own frame: what the body does is the manager's, not the caller's that asked first
    module = program.modules[function.path]
    own = Frame(program, function.path, module.module, 1)
    own.env = dict(program.module_env(function.path))
    try:
        result = v.strip(own.invoke(node, function._replace(bound=v.Query("django", model, lazy=True)), []))
    except (_Budget, RecursionError):
        result = None
    loads = result.loaded if type(result) is v.Query and result.model == model else frozenset()
    program.manager_loads[model] = loads
    return loads


def _constructed_querysets(program, manager) -> list:
    """``def get_queryset(self): return SubmissionQuerySet(self.model, using=self._db)``: the project
    queryset classes a project manager's ``get_queryset`` builds — its own, or a base manager's that a
    narrowing subclass reaches through ``super().get_queryset()`` (``class VisibleManager(BoardManager)``
    whose ``get_queryset`` returns ``super().get_queryset().filter(archived=False)``)."""
    found, seen = [], set()
    for path, cid in program.subclass_chain(manager.path, manager.cid):
        cls = program.cls(path, cid)
        getter = next((fid for fid in cls.methods if getattr(program.function(path, fid), "name", "") == "get_queryset"),
                      None) if cls is not None else None
        function = program.function(path, getter) if getter is not None else None
        for node in ir.iter_nodes(function.body) if function is not None else ():
            if type(node) is ir.Return and type(node.value) is ir.Call:
                for klass in _project_classes(program, path, node.value.func):
                    if klass != manager and (klass.path, klass.cid) not in seen:
                        seen.add((klass.path, klass.cid))
                        found.append(klass)
    return found


def _manager_classes(program, path: str, node) -> list:
    if type(node) is not ir.Call:
        return []
    func = node.func
    if type(func) is ir.Attr and func.name == "as_manager":  # ArticleQuerySet.as_manager()
        return _project_classes(program, path, func.obj)
    if type(func) is ir.Call:  # models.Manager.from_queryset(ArticleQuerySet)()
        return _from_queryset(program, path, func)
    if type(func) is ir.Name:
        assigned = _module_assignment(program, path, func.id)
        if type(assigned) is ir.Call:  # ArticleManager = models.Manager.from_queryset(ArticleQuerySet)
            return _from_queryset(program, path, assigned)
    return _project_classes(program, path, func)  # objects = ArticleManager()


def _from_queryset(program, path: str, call: ir.Call) -> list:
    if type(call.func) is not ir.Attr or call.func.name != "from_queryset" or not call.args:
        return []
    return _project_classes(program, path, call.func.obj) + _project_classes(program, path, call.args[0].value)


def _project_classes(program, path: str, node) -> list:
    value = program.static_value(path, node) if type(node) in (ir.Name, ir.Attr) else None
    if type(value) is not v.ClassValue and type(node) is ir.Name:
        # `CategoryQuerySet, …, ProductQuerySet = get_classes("catalogue.managers", [...])` (django-oscar):
        # the module's interpreted global
        value = v.strip(program.module_global(path, node.id))
    return [value] if type(value) is v.ClassValue else []


def _module_assignment(program, path: str, name: str):
    module = program.modules.get(path)
    for statement in reversed(module.module.body) if module is not None else ():
        if type(statement) is ir.Assign and any(type(t) is ir.Name and t.id == name for t in statement.targets):
            return statement.value
    return None


def annotated_names(program, model: str) -> frozenset:
    """The row attributes the project's own manager / queryset classes of ``model`` annotate onto its
    rows: the keywords of ``self.annotate(config_context_data=Subquery(…))`` (orms.toml
    ``django_annotations``) in any method of those classes or their project bases.  A queryset that
    may carry them answers a model method's ``hasattr(self, "config_context_data")`` with no query."""
    from archlint.semantics.schema import known

    cache = program.memoised("annotated_names", dict)
    if model in cache:
        return cache[model]
    cache[model] = frozenset()
    found = program.schema.get(model)
    if found is None or found.cid < 0:
        return frozenset()
    methods = known(program).django_annotations
    names: set = set()
    seen: set = set()
    for path, cid in program.subclass_chain(found.path, found.cid):
        cls = program.cls(path, cid)
        for member in cls.fields if cls is not None else ():
            classes = _manager_classes(program, path, member.value)
            for klass in classes + [qs for k in classes for qs in _constructed_querysets(program, k)]:
                for owner in program.subclass_chain(klass.path, klass.cid):
                    if owner in seen:
                        continue
                    seen.add(owner)
                    holder = program.cls(*owner)
                    for fid in holder.methods if holder is not None else ():
                        function = program.function(owner[0], fid)
                        for node in ir.iter_nodes(function.body) if function is not None else ():
                            if type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name in methods:
                                names.update(arg.name for arg in node.args if arg.kind == "kw" and arg.name)
    cache[model] = frozenset(names)
    return cache[model]
