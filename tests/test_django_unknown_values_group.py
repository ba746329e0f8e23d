"""Django's ``values_list("name").annotate(c=Count("*"))`` is grouped by ``name`` whatever the field's type.

Found on pretix (``presale/views/event.py``: ``subevents.order_by().values_list('name', flat=True)
.annotate(c=Count('*'))``, where ``name`` is an ``I18nCharField``): the lifter could not name that column, dropped
it from the GROUP BY and the projection, and read the query as ``*`` beside an aggregate with no GROUP BY — a false
AL415.  A field the catalog cannot name still groups; a grouped query of a known field still lifts exactly.  The
same query's ``order_by()[:250]`` is a sample of any 250 names, ordered by nobody on purpose: no AL409."""

from __future__ import annotations

from helpers import findings, make_repo

FILES = {
    "requirements.txt": "django==5.2\n",
    "shop/__init__.py": "",
    "shop/fields.py": """
        from django.db import models


        class TranslatedCharField(models.TextField):
            pass
    """,
    "shop/models.py": """
        from django.db import models

        from shop.fields import TranslatedCharField


        class Series(models.Model):
            title = models.CharField(max_length=100)


        class Date(models.Model):
            series = models.ForeignKey(Series, related_name="dates", on_delete=models.CASCADE)
            name = TranslatedCharField()
            label = models.CharField(max_length=100)
    """,
    "shop/views.py": """
        from django.db.models import Count
        from django.http import JsonResponse

        from shop.models import Date, Series


        def names(request, pk):
            series = Series.objects.get(pk=pk)
            named = series.dates.order_by("name").values_list("name", flat=True).annotate(c=Count("*"))
            return JsonResponse({"names": list(named)})


        def page(request):
            rows = Date.objects.values("label").annotate(c=Count("*"))[:20]
            return JsonResponse({"rows": list(rows)})


        def sample(request):
            # ordering dropped on purpose: any 20 labels will do
            labels = set(Date.objects.order_by().values_list("label", flat=True)[:20])
            return JsonResponse({"varied": len(labels) > 1})


        def second_page(request):
            rows = Date.objects.order_by().values_list("label", flat=True)[20:40]
            return JsonResponse({"rows": list(rows)})
    """,
}


def test_values_of_a_field_the_catalog_cannot_name_still_group(tmp_path):
    root = make_repo(tmp_path, FILES)
    got = [f for f in findings(root) if f[0] in ("AL408", "AL409", "AL415")]
    # the unreadable field groups (no AL415); the known one still lifts: its unordered page is AL409.  A bare
    # `order_by()` drops the ordering on purpose: a LIMIT over it is a sample, but an OFFSET still pages (AL409)
    assert got == [("AL409", "shop/views.py", 14), ("AL409", "shop/views.py", 25)]
