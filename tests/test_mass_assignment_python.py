"""AL504 / AL501 on Django's raw body: `json.loads(request.body)` is the request body parsed, and
`request.POST.dict()` a copy of the form — passed whole into `update(**…)` they are the columns
written (mass assignment, AL504), not a filter (AL501); an allow-list or named fields are silent."""

from __future__ import annotations

from helpers import make_repo, report

MODELS = '''
    from django.db import models


    class Article(models.Model):
        slug = models.SlugField(unique=True)
        title = models.CharField(max_length=200)
        body = models.TextField()
'''


def test_a_parsed_raw_body_written_whole_and_its_look_alikes(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "Django==5.1\n",
        "blog/__init__.py": "",
        "blog/migrations/__init__.py": "",
        "blog/models.py": MODELS,
        "blog/urls.py": '''
            from django.urls import path

            from blog import views

            urlpatterns = [
                path("a/<slug:slug>", views.parsed_body), path("b/<slug:slug>", views.form_copy),
                path("c/<slug:slug>", views.allowed_fields), path("d/<slug:slug>", views.named_fields),
                path("e", views.filter_from_query),
            ]
        ''',
        "blog/views.py": '''
            import json

            from django.http import JsonResponse

            from blog.models import Article

            EDITABLE = ("title", "body")


            def _save(slug, data):
                Article.objects.filter(slug=slug).update(**data)


            def parsed_body(request, slug):
                _save(slug, json.loads(request.body)["article"])
                return JsonResponse({})


            def form_copy(request, slug):
                Article.objects.filter(slug=slug).update(**request.POST.dict())
                return JsonResponse({})


            def allowed_fields(request, slug):
                data = json.loads(request.body)["article"]
                Article.objects.filter(slug=slug).update(**{k: data[k] for k in EDITABLE if k in data})
                return JsonResponse({})


            def named_fields(request, slug):
                data = json.loads(request.body)["article"]
                Article.objects.create(slug=slug, title=data["title"], body=data["body"])
                return JsonResponse({})


            def filter_from_query(request):
                return JsonResponse({"n": Article.objects.filter(**request.GET.dict()).count()})
        ''',
    })
    findings = report(root).findings
    assert sorted((f.rule, f.line) for f in findings if f.rule in ("AL501", "AL504")) == [
        ("AL501", 37), ("AL504", 11), ("AL504", 20)]
