"""``if qs:`` runs a Django QuerySet (``bool()`` fetches and caches its rows).  The test is the query: per
row of a loop it is an N+1 (pretalx's ``if talks:`` per speaker); afterwards ``qs[0]`` / ``qs[1:]`` /
iteration read the cache, so a slice of the evaluated queryset is no LIMIT/OFFSET query (wagtail's
``collection_roots[1:]`` after ``if collection_roots:`` gave AL409/AL416 false alarms)."""

from __future__ import annotations

from helpers import make_repo, report

FILES = {
    "requirements.txt": "Django==5.1\n",
    "app/__init__.py": "",
    "app/models.py": '''
        from django.db import models


        class Speaker(models.Model):
            name = models.CharField(max_length=100)


        class Talk(models.Model):
            title = models.CharField(max_length=100)
            speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="talks")
            room = models.CharField(max_length=10, null=True)
    ''',
    "app/views.py": '''
        from django.db.models import Q
        from django.http import JsonResponse

        from app.models import Speaker, Talk


        def scheduled(request):
            result = {}
            for speaker in Speaker.objects.all():
                talks = Talk.objects.filter(speaker=speaker, room__isnull=False)
                if talks:
                    result[speaker.name] = [t.title for t in talks]
            return JsonResponse(result)


        def rooms(request):
            roots = Talk.objects.filter(room__isnull=False).values("room", "title")
            condition = Q()
            if roots:
                condition = Q(room=roots[0]["room"])
                for root in roots[1:]:
                    condition = condition | Q(room=root["room"])
            return JsonResponse({"n": Talk.objects.filter(condition).count()})
    ''',
}


def test_a_truth_test_runs_the_queryset_and_later_reads_use_its_cache(tmp_path):
    root = make_repo(tmp_path, FILES)
    found = sorted((f.rule, f.line) for f in report(root).findings if f.path == "app/views.py")
    assert found == [("AL601", 11)]  # the `if talks:` query per speaker; its iteration and the sliced roots are cached
