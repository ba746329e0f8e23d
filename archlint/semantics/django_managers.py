"""Custom Django managers and querysets: the methods a project adds to ``Model.objects``.

``objects = ArticleQuerySet.as_manager()``, ``objects = models.Manager.from_queryset(ArticleQuerySet)()``
(directly or through a module-level ``ArticleManager = …``) and ``objects = ArticleManager()`` (a
project ``Manager`` subclass) give ``Article.objects.with_favorites(user)`` and
``Article.objects.filter(…).with_favorites(user)`` the project method's body: it runs with ``self``
as a lazy queryset of the model, so what it returns (``self.annotate(…)``, ``self.filter(…)``) is a
queryset of the model like any other.  Unresolved shapes stay unknown.
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.semantics import values as v


def custom_method(program, model: str, method: str):
    """The project method ``method`` of ``model``'s managers / querysets, or ``None``."""
    found = program.schema.get(model)
    if found is None or found.cid < 0:
        return None
    for path, cid in program.subclass_chain(found.path, found.cid):
        cls = program.cls(path, cid)
        for member in cls.fields if cls is not None else ():
            for klass in _manager_classes(program, path, member.value):
                function = program.method(klass.path, klass.cid, method)
                if function is not None:
                    return function
    return None


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
