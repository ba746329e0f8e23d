"""Django models and classes loaded by name (django-oscar's idiom, measured on django-oscar 4.2):
``Product = get_model("catalogue", "Product")`` / ``apps.get_model("catalogue.Category")`` is the model
registered under that app label; ``get_class("catalogue.managers", "X")`` / ``get_classes`` is the class
of the app's module (a fork of the app in the project first).  Models live in ``if not
is_model_registered(…)`` blocks and take their fields (and relations, ``related_name="%(class)s_set"``)
from abstract models star-imported from ``abstract_models.py``.  Look-alikes: a queryset that
``select_related``s the relation, a label no project app has, a name two apps share."""

from __future__ import annotations

from helpers import make_repo, report

from archlint.semantics import django_apps

FILES = {
    "requirements.txt": "Django==5.1\n",
    "oscar/__init__.py": "",
    "oscar/core/__init__.py": "",
    "oscar/core/loading.py": '''
        from django.apps import apps
        from django.utils.module_loading import import_string


        def get_class(module_label, classname, module_prefix="oscar.apps"):
            return get_classes(module_label, [classname], module_prefix)[0]


        def get_classes(module_label, classnames, module_prefix="oscar.apps"):
            return import_string("x")(module_label, classnames, module_prefix)


        def get_model(app_label, model_name):
            return apps.get_model(app_label, model_name)


        def is_model_registered(app_label, model_name):
            return False
    ''',
    "oscar/apps/__init__.py": "",
    "oscar/apps/catalogue/__init__.py": "",
    "oscar/apps/catalogue/apps.py": '''
        from django.apps import AppConfig


        class CatalogueConfig(AppConfig):
            label = "catalogue"
            name = "oscar.apps.catalogue"
    ''',
    "oscar/apps/catalogue/managers.py": '''
        from django.db import models


        class ProductQuerySet(models.QuerySet):
            def browsable(self):
                return self.filter(is_public=True)
    ''',
    "oscar/apps/catalogue/abstract_models.py": '''
        from django.db import models

        from oscar.core.loading import get_classes

        (ProductQuerySet,) = get_classes("catalogue.managers", ["ProductQuerySet"])


        class AbstractProductClass(models.Model):
            name = models.CharField(max_length=100)

            class Meta:
                abstract = True
                app_label = "catalogue"


        class AbstractProduct(models.Model):
            title = models.CharField(max_length=100)
            is_public = models.BooleanField(default=True)
            product_class = models.ForeignKey("catalogue.ProductClass", on_delete=models.PROTECT, related_name="products")

            objects = ProductQuerySet.as_manager()

            class Meta:
                abstract = True
                app_label = "catalogue"


        class AbstractReview(models.Model):
            product = models.ForeignKey("catalogue.Product", on_delete=models.CASCADE, related_name="%(class)s_set")
            body = models.TextField()

            class Meta:
                abstract = True
                app_label = "catalogue"
    ''',
    "oscar/apps/catalogue/models.py": '''
        from oscar.apps.catalogue.abstract_models import *
        from oscar.core.loading import is_model_registered

        __all__ = []

        if not is_model_registered("catalogue", "ProductClass"):

            class ProductClass(AbstractProductClass):
                pass

            __all__.append("ProductClass")

        if not is_model_registered("catalogue", "Product"):

            class Product(AbstractProduct):
                pass

            __all__.append("Product")

        if not is_model_registered("catalogue", "Review"):

            class Review(AbstractReview):
                pass
    ''',
    "oscar/apps/wishlists/__init__.py": "",
    "oscar/apps/wishlists/models.py": '''
        from django.db import models


        class Line(models.Model):
            title = models.CharField(max_length=100)
    ''',
    "oscar/apps/basket/__init__.py": "",
    "oscar/apps/basket/models.py": '''
        from django.db import models


        class Line(models.Model):
            product = models.ForeignKey("catalogue.Product", on_delete=models.CASCADE)
    ''',
    "oscar/apps/catalogue/utils.py": '''
        def product_summary(product):
            return {"title": product.title, "reviews": product.review_set.count()}
    ''',
    "oscar/apps/catalogue/shortcuts.py": '''
        from oscar.core.loading import get_class

        product_summary = get_class("catalogue.utils", "product_summary")  # re-exported, as search.views does
    ''',
    "oscar/apps/catalogue/views.py": '''
        from django.apps import apps
        from django.http import JsonResponse

        from oscar.core.loading import get_class, get_model

        Product = get_model("catalogue", "product")
        ProductClass = apps.get_model("catalogue.ProductClass")
        Line = get_model("basket", "Line")
        Ghost = get_model("nowhere", "Product")
        product_summary = get_class("catalogue.shortcuts", "product_summary")


        def product_list(request):
            rows = [{"title": p.title, "class": p.product_class.name} for p in Product.objects.browsable()]
            return JsonResponse({"products": rows})


        def product_list_joined(request):
            products = Product.objects.browsable().select_related("product_class")
            return JsonResponse({"products": [{"title": p.title, "class": p.product_class.name} for p in products]})


        def product_summaries(request):
            return JsonResponse({"products": [product_summary(p) for p in Product.objects.all()]})


        def class_list(request):
            return JsonResponse({"classes": [{"n": c.products.count()} for c in ProductClass.objects.all()]})


        def basket_lines(request):
            return JsonResponse({"lines": [line.product.title for line in Line.objects.all()]})


        def ghosts(request):
            return JsonResponse({"ghosts": [g.owner.name for g in Ghost.objects.all()]})
    ''',
}


def test_models_and_classes_loaded_by_name_are_typed(tmp_path):
    root = make_repo(tmp_path, FILES)
    result = report(root)
    found = sorted((f.rule, f.line) for f in result.findings if f.path == "oscar/apps/catalogue/views.py")
    assert found == [
        ("AL601", 24),  # product_summary(p) through get_class: the review_set count per product
        ("AL601", 28),  # c.products.count() per product class (apps.get_model("catalogue.ProductClass"))
        ("AL603", 14),  # p.product_class per product of the custom queryset's browsable()
        ("AL603", 32),  # line.product per basket line: "basket.Line", not the wishlist's Line
    ]
    program = result.context.program
    assert program.module_global("oscar/apps/catalogue/views.py", "Ghost") == program.module_global(
        "oscar/apps/catalogue/views.py", "Ghost") and "ModelClass" not in repr(program.module_global("oscar/apps/catalogue/views.py", "Ghost"))
    product = program.schema.models["oscar/apps/catalogue/models.py:Product"]
    assert product.relations["product_class"].target == "oscar/apps/catalogue/models.py:ProductClass"
    assert "review_set" in product.relations  # the abstract model's related_name="%(class)s_set"
    assert django_apps.model_by_label(program, "basket", "line") == "oscar/apps/basket/models.py:Line"
    assert django_apps.model_by_label(program, "catalogue", "Line") == ""


def test_a_fork_of_the_app_in_the_project_wins(tmp_path):
    files = dict(FILES)
    files["myshop/__init__.py"] = ""
    files["myshop/catalogue/__init__.py"] = ""
    files["myshop/catalogue/apps.py"] = '''
        from oscar.apps.catalogue import apps


        class CatalogueConfig(apps.CatalogueConfig):
            name = "myshop.catalogue"
    '''
    files["myshop/catalogue/utils.py"] = '''
        def product_summary(product):
            return {"title": product.title}
    '''
    root = make_repo(tmp_path, files)
    program = report(root).context.program
    value = django_apps.load(program, "oscar.core.loading.get_class", [("pos", "", _const("catalogue.utils"), None),
                                                                       ("pos", "", _const("product_summary"), None),
                                                                       ("pos", "", _const("oscar.apps"), None)])
    assert getattr(value, "path", "") == "myshop/catalogue/utils.py"
    missing = django_apps.load(program, "oscar.core.loading.get_class", [("pos", "", _const("catalogue.utils"), None),
                                                                         ("pos", "", _const("nothing_here"), None),
                                                                         ("pos", "", _const("oscar.apps"), None)])
    assert "Unknown" in repr(missing)


def _const(text):
    from archlint.semantics import values as v

    return v.Const(text)


def test_a_star_import_from_a_module_with_a_literal_all_and_method_calls(tmp_path):
    """peewee's shape crashed the run (AttributeError on the IR ``Attr``): a module with a literal
    ``__all__`` and a call of a method at its top level, star-imported.  ``__all__`` limits what
    the star brings; ``__all__.append(…)`` lifts the limit (archlint does not follow it)."""
    root = make_repo(tmp_path, {
        "requirements.txt": "sqlalchemy\n",
        "app/__init__.py": "",
        "app/base.py": '''
            import logging

            __all__ = ["Model"]
            logger = logging.getLogger(__name__)
            logger.addHandler(logging.NullHandler())


            class Model:
                pass


            class Hidden:
                pass
        ''',
        "app/more.py": '''
            __all__ = ["Extra"]
            __all__.append("Other")


            class Extra:
                pass


            class Other:
                pass
        ''',
        "app/models.py": '''
            from app.base import *
            from app.more import *

            from sqlalchemy.orm import Session


            def load(session: Session):
                return session.execute("SELECT 1"), Model, Other
        ''',
    })
    program = report(root).context.program
    assert "app/base.py" in repr(program.module_global("app/models.py", "Model"))
    assert "Hidden" not in repr(program.module_global("app/models.py", "Hidden"))
    assert "app/more.py" in repr(program.module_global("app/models.py", "Other"))


def test_a_fork_of_an_installed_app_answers_to_the_label_its_config_inherits(tmp_path):
    """django-oscar installed (not in the tree) and its catalogue app forked in the project: the fork's
    ``AppConfig`` sets only ``name`` (the label ``catalogue`` comes from oscar's config) and its
    ``Product`` takes ``Meta.app_label`` from oscar's abstract model.  ``get_model("catalogue",
    "Product")`` is the fork's model, so the per-product lazy load of ``brand`` in a list is found
    and its ``select_related`` look-alike is silent; another label stays unknown."""
    root = make_repo(tmp_path, {
        "requirements.txt": "Django==5.1\ndjango-oscar==3.2\ndjangorestframework==3.15\n",
        "shop/__init__.py": "",
        "shop/catalogue/__init__.py": "",
        "shop/catalogue/migrations/__init__.py": "",
        "shop/catalogue/apps.py": '''
            import oscar.apps.catalogue.apps as apps


            class CatalogueConfig(apps.CatalogueConfig):
                name = "shop.catalogue"
        ''',
        "shop/catalogue/models.py": '''
            from django.db import models
            from oscar.apps.catalogue.abstract_models import AbstractProduct


            class Brand(models.Model):
                name = models.CharField(max_length=100)


            class Product(AbstractProduct):
                video_url = models.URLField(blank=True)
                brand = models.ForeignKey(Brand, on_delete=models.SET_NULL, null=True, related_name="products")


            from oscar.apps.catalogue.models import *  # noqa
        ''',
        "shop/api/__init__.py": "",
        "shop/api/views.py": '''
            from oscar.core.loading import get_model
            from rest_framework import generics, serializers

            Product = get_model("catalogue", "Product")
            Other = get_model("partner", "Product")


            class ProductSerializer(serializers.ModelSerializer):
                brand_name = serializers.CharField(source="brand.name")

                class Meta:
                    model = Product
                    fields = ["id", "video_url", "brand_name"]


            class ProductList(generics.ListAPIView):
                queryset = Product.objects.all()
                serializer_class = ProductSerializer


            class FastProductList(generics.ListAPIView):
                queryset = Product.objects.select_related("brand")
                serializer_class = ProductSerializer
        ''',
    })
    result = report(root)
    found = sorted((f.rule, f.path, f.line) for f in result.findings if f.rule in ("AL601", "AL603"))
    assert found == [("AL603", "shop/api/views.py", 17)]
    program = result.context.program
    assert django_apps.model_by_label(program, "catalogue", "product") == "shop/catalogue/models.py:Product"
    assert django_apps.model_by_label(program, "partner", "Product") == ""
