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


def test_a_dict_comprehension_over_constant_keys_is_an_allow_list(tmp_path):
    """``{k: data[k] for k in ("title", "body") if k in data}`` keeps the client's values under keys
    the code chose: ``setattr`` over its ``.items()`` or its keys is silent (it was AL504); the same
    comprehension over the client's own keys is still mass assignment."""
    root = make_repo(tmp_path, {
        "requirements.txt": "Django==5.1\n",
        "blog/__init__.py": "",
        "blog/migrations/__init__.py": "",
        "blog/models.py": MODELS,
        "blog/urls.py": '''
            from django.urls import path

            from blog import views

            urlpatterns = [path("a/<slug:slug>", views.edit)]
        ''',
        "blog/views.py": '''
            import json

            from django.http import JsonResponse
            from django.shortcuts import get_object_or_404

            from blog.models import Article


            def edit(request, slug):
                article = get_object_or_404(Article, slug=slug)
                data = json.loads(request.body)
                fields = {key: data[key] for key in ("title", "body") if key in data}
                for key, value in fields.items():
                    setattr(article, key, value)
                for key in fields:
                    setattr(article, key, fields[key])
                pairs = [(key, data[key]) for key in ("title", "body") if key in data]
                for key, value in pairs:
                    setattr(article, key, value)
                loose = {key: data[key] for key in data}
                for key, value in loose.items():
                    setattr(article, key, value)
                article.save()
                return JsonResponse({"slug": article.slug})
        ''',
    })
    found = [(f.rule, f.path, f.line) for f in report(root).findings if f.rule == "AL504"]
    assert found == [("AL504", "blog/views.py", 22)]
