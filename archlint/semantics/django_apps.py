"""Django's app registry, read statically: models and classes loaded by name.

``Product = get_model("catalogue", "Product")`` (``django.apps.apps.get_model``, django-oscar's
``oscar.core.loading.get_model``) is the model registered under that app label and (case-insensitive)
class name.  A model's app label is its ``Meta.app_label`` (own, or the abstract base's ``Meta`` it
inherits), else the label of the project ``AppConfig`` whose ``name`` contains the model's module,
else the app package's directory (Django's default label).  Exactly one project model must match; an
app outside the project or an ambiguous name stays unknown.

``get_class("catalogue.views", "ProductDetailView")`` / ``get_classes(label, [names])`` is
django-oscar's overridable class loader: the class in the project's fork of the app (the
``OscarConfig`` whose label is the first part of the module label: ``<app name>.<rest>``) when the
fork defines it, else the one in ``<module_prefix>.<module label>`` (``oscar.apps`` by default).  A
fork whose label cannot be read, or a class the fork's module may define, makes it unknown.
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v

_UNKNOWN_LABEL = "?"


class Known(NamedTuple):
    """The library names this module reads: the ``[[names]]`` table with ``reader = "django_apps"``
    of ``rules/knowledge/orms.toml`` (each key is explained there), built once per run."""

    model_loaders: frozenset  # registry loaders that return a model by app label and name
    class_loaders: frozenset  # django-oscar's (and django-machina's) overridable class loaders
    app_config_bases: frozenset  # Django's own AppConfig, which sets no label
    class_loader_packages: dict  # loader module -> the package its apps' classes live in ("oscar.apps")


def _known(table: dict) -> Known:
    return Known(**{key: dict(table[key]) if key == "class_loader_packages" else frozenset(table[key])
                    for key in Known._fields})


def known(program) -> Known:
    return program.library.view("django_apps", _known)


def is_loader(program, name: str) -> bool:
    """``name`` (a resolved callee) is a registry loader :func:`load` answers for."""
    names = known(program)
    return name in names.model_loaders or name in names.class_loaders


def loader_name(program, function: v.Function) -> str:
    """``oscar.core.loading.get_model`` for the project's own definition of a registry loader
    (django-oscar analysed itself), else ``""``."""
    definition = program.function(function.path, function.fid)
    module = program.graph.modules.get(function.path) or ""
    if definition is None or definition.name not in ("get_model", "get_class", "get_classes") or function.bound is not None:
        return ""
    dotted = f"{module}.{definition.name}"
    names = known(program)
    for name in sorted(names.model_loaders | names.class_loaders):
        if dotted == name or dotted.endswith("." + name):
            return name
    return ""


def _text(value) -> str | None:
    bare = v.strip(value)
    return bare.value if type(bare) is v.Const and isinstance(bare.value, str) and bare.value != v.ANY_CONSTANT else None


def load(program, name: str, args):
    """The value a registry loader call returns for these argument values, else ``UNKNOWN``."""
    positional = [a[2] for a in args if a[0] == "pos"]
    keywords = {a[1]: a[2] for a in args if a[0] == "kw"}
    if name in known(program).model_loaders:
        texts = [_text(p) for p in positional[:2]]
        if len(texts) == 1 and texts[0] and texts[0].count(".") == 1:  # apps.get_model("catalogue.Product")
            texts = texts[0].split(".")
        label = texts[0] if texts else _text(keywords.get("app_label"))
        model = texts[1] if len(texts) > 1 else _text(keywords.get("model_name"))
        if not label or not model:
            return v.UNKNOWN
        key = model_by_label(program, label, model)
        return v.ModelClass("django", key) if key else v.UNKNOWN
    module_label = _text(positional[0]) if positional else _text(keywords.get("module_label"))
    package = known(program).class_loader_packages.get(name.rpartition(".")[0], "")
    prefix = _text(positional[2]) if len(positional) > 2 else _text(keywords.get("module_prefix", v.Const(package)))
    if not module_label or not prefix or "." not in module_label:
        return v.UNKNOWN
    if name.endswith("get_class"):
        classname = _text(positional[1]) if len(positional) > 1 else _text(keywords.get("classname"))
        return oscar_class(program, module_label, classname, prefix) if classname else v.UNKNOWN
    names = positional[1] if len(positional) > 1 else keywords.get("classnames")
    items = v.strip(names).items if type(v.strip(names)) is v.Tuple else None
    if items is None:
        return v.UNKNOWN
    return v.Tuple(tuple(oscar_class(program, module_label, _text(item), prefix) if _text(item) else v.UNKNOWN for item in items))


# app labels -------------------------------------------------------------------------------------------
def app_configs(program) -> list[tuple[str, str]]:
    """``(app module name, label)`` of every ``AppConfig`` subclass in the project's ``apps.py``
    modules; the label is ``?`` when a base outside the project may set it."""
    memo = getattr(program, "_django_app_configs", None)
    if memo is not None:
        return memo
    found = []
    for path in sorted(program.graph.modules):
        if not path.endswith("apps.py") or path.rsplit("/", 1)[-1] != "apps.py":
            continue
        module = program.modules.get(path)
        if module is None or module.language != "python":
            continue
        for cls in module.classes:
            name = _class_text(program, path, cls.cid, "name")
            if name is None:
                continue
            label = _class_text(program, path, cls.cid, "label")
            if label is None:
                label = _UNKNOWN_LABEL if _external_base(program, path, cls.cid) else name.rpartition(".")[2]
            found.append((name, label))
    program._django_app_configs = found
    return found


def _class_text(program, path: str, cid: int, attribute: str) -> str | None:
    member = program.class_field(path, cid, attribute)
    if member is None or type(member.value) is not ir.Const or not isinstance(member.value.value, str):
        return None
    return member.value.value


def _external_base(program, path: str, cid: int) -> bool:
    """A base outside the project other than Django's ``AppConfig`` (which sets no label)."""
    for chain_path, chain_cid in program.subclass_chain(path, cid):
        for base in program.bases(chain_path, chain_cid):
            if type(base) is v.External and base.name not in known(program).app_config_bases:
                return True
            if type(base) not in (v.External, v.ClassValue):
                return True
    return False


def app_label(program, model) -> str:
    """The app label Django registers a project model under (see the module docstring)."""
    memo = getattr(program, "_django_model_labels", None)
    if memo is None:
        memo = program._django_model_labels = {}
    if model.key in memo:
        return memo[model.key]
    label = meta_app_label(program, model.path, model.cid)
    if label is None:
        module = program.graph.modules.get(model.path) or ""
        owners = [(name, found) for name, found in app_configs(program) if module == name or module.startswith(name + ".")]
        if owners:
            label = max(owners, key=lambda item: len(item[0]))[1]
        else:
            from archlint.semantics.builders.django import app_label as directory_label

            label = directory_label(model.path)
    memo[model.key] = label
    return label


def meta_app_label(program, path: str, cid: int) -> str | None:
    """``Meta.app_label`` of the class or, when it declares no ``Meta``, of the nearest project base's
    (an abstract model's ``Meta`` is inherited)."""
    for chain_path, chain_cid in program.subclass_chain(path, cid):
        cls = program.cls(chain_path, chain_cid)
        if cls is None:
            return None
        for nested in cls.nested:
            inner = program.cls(chain_path, nested)
            if inner is None or inner.name != "Meta":
                continue
            for member in inner.fields:
                if member.name == "app_label" and type(member.value) is ir.Const and isinstance(member.value.value, str):
                    return member.value.value
            if chain_path == path and chain_cid == cid and not inner.bases:
                return None  # its own `class Meta:` without app_label: the containing app's
    return None


def model_by_label(program, label: str, name: str) -> str:
    """The key of the one project Django model registered as ``label.name``, else ``""``.  A model
    of an app whose ``AppConfig`` inherits its label from a package's config (django-oscar's fork:
    ``class CatalogueConfig(oscar.apps.catalogue.apps.CatalogueConfig): name = "shop.catalogue"``)
    answers to the last part of the app's name — the label such a fork keeps (as ``oscar_class``
    reads it); an explicit label elsewhere still wins by being the only match."""
    if label == _UNKNOWN_LABEL:
        return ""
    found = [m.key for m in program.schema.models.values()
             if m.stack == "django" and m.cid >= 0 and m.name.lower() == name.lower() and _answers_to(program, m, label)]
    return found[0] if len(found) == 1 else ""


def _answers_to(program, model, label: str) -> bool:
    known = app_label(program, model)
    if known != _UNKNOWN_LABEL:
        return known == label
    module = program.graph.modules.get(model.path) or ""
    owners = [name for name, _found in app_configs(program) if module == name or module.startswith(name + ".")]
    return bool(owners) and max(owners, key=len).rpartition(".")[2] == label


# django-oscar's class loader ---------------------------------------------------------------------------
def oscar_class(program, module_label: str, classname: str, prefix: str):
    app, _, rest = module_label.partition(".")
    forks = [name for name, label in app_configs(program)
             if not name.startswith(prefix + ".") and (label == app or label == _UNKNOWN_LABEL and name.rpartition(".")[2] == app)]
    for fork in forks:
        path = _module_path(program, f"{fork}.{rest}")
        if path is None:
            continue
        if _defines(program, path, classname):
            return _member(program, path, classname)
        if program.modules.get(path) is None:
            return v.UNKNOWN
    path = _module_path(program, f"{prefix}.{module_label}")
    if path is None:
        return v.External(f"{prefix}.{module_label}.{classname}") if not forks else v.UNKNOWN
    return _member(program, path, classname) if _defines(program, path, classname) else v.UNKNOWN


def _module_path(program, dotted: str) -> str | None:
    found = sorted((p for p, name in program.graph.modules.items() if name == dotted or name.endswith("." + dotted)),
                   key=lambda p: (len(p), p))
    return found[0] if found else None


def _defines(program, path: str, name: str) -> bool:
    from archlint.semantics.program import _assigns

    module = program.modules.get(path)
    return module is not None and (_assigns(module.module.body, name) or program.binding(path, name) is not None
                                   or program.star_source(path, name) is not None)


def _member(program, path: str, name: str):
    value = program.module_member_static(path, name)
    if type(v.strip(value)) is v.Unknown:  # `CatalogueView = get_class("search.views.catalogue", …)` re-exported
        value = program.module_member(path, name)
    return value if type(v.strip(value)) is not v.Unknown else v.UNKNOWN
