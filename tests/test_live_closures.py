"""A lambda a property hands to a helper that calls it at once (pretix's ``InvoiceAddress.name``:
``build_name(self.name_parts, fallback_scheme=lambda: self.order.event.settings.name_scheme)``) sees the
``self`` of the call that defined it — with what that row's query loaded — not the join of every caller's
``self``; and an empty stand-in row (``except InvoiceAddress.DoesNotExist: ia = InvoiceAddress()``) has
nothing to lazy-load, so joined with a loaded row it keeps that row's loads."""

from __future__ import annotations

from helpers import make_repo

MODELS = """
from django.db import models


def build_name(parts, fallback=None):
    return parts or (fallback() if fallback else "")


class Event(models.Model):
    name = models.CharField(max_length=100)


class Order(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE)
    code = models.CharField(max_length=16)


class InvoiceAddress(models.Model):
    order = models.OneToOneField(Order, null=True, related_name="invoice_address", on_delete=models.CASCADE)
    name_cached = models.CharField(max_length=100)

    @property
    def name(self):
        return build_name(self.name_cached, fallback=lambda: self.order.event.name)


class OrderPosition(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE)
"""

VIEWS = """
from django.http import JsonResponse

from app.models import InvoiceAddress, OrderPosition


def export(request):
    qs = OrderPosition.objects.filter(order__event_id=1).select_related("order", "order__invoice_address")
    rows = []
    for op in qs:
        try:
            ia = op.order.invoice_address
        except InvoiceAddress.DoesNotExist:
            ia = InvoiceAddress()
        rows.append([op.order.code, ia.name])
    return JsonResponse({"rows": rows})


def lookup(request):
    return JsonResponse({"name": InvoiceAddress.objects.get(pk=request.GET["pk"]).name})
"""

URLS = """
from django.urls import path

from app import views

urlpatterns = [path("export", views.export), path("lookup", views.lookup)]
"""


def test_a_lambda_called_while_its_property_runs_sees_that_rows_loads(tmp_path):
    root = make_repo(tmp_path, {"app/__init__.py": "", "app/models.py": MODELS, "app/views.py": VIEWS, "app/urls.py": URLS})
    from archlint.application.pipeline import Options, run_check

    report = run_check([str(root)], Options(use_cache=False))
    lazy = [f for f in report.findings if f.rule == "AL603"]
    assert [(f.path, f.line) for f in lazy] == [("app/views.py", 14)]
    # the order is the one select_related loaded (the invoice address's back reference); its event is not
    assert "`order.event` is lazy-loaded" in lazy[0].message and "`order`," not in lazy[0].message
