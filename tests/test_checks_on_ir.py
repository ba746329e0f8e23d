"""Rules that used to match argument text now read the IR and the semantic values (issue 12):
each positive next to the look-alike the text matching got wrong."""

from __future__ import annotations

from helpers import make_repo, report


def _rules(root, *rules):
    return [(f.rule, f.path, f.line) for f in report(root).findings if f.rule in rules]


DJANGO_MODELS = '''
    from django.db import models


    class Article(models.Model):
        slug = models.SlugField(unique=True)
        author = models.CharField(max_length=80)
'''


def test_al501_whole_request_part_unpacked_into_a_django_lookup(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "django==5.1\n",
        "blog/__init__.py": "",
        "blog/models.py": DJANGO_MODELS,
        "blog/views.py": '''
            from django.http import JsonResponse

            from .models import Article


            def by_query(request):
                article = Article.objects.get(**request.GET.dict())
                return JsonResponse({"slug": article.slug})


            def by_form(request):
                article = Article.objects.get(**request.POST)
                return JsonResponse({"slug": article.slug})


            def by_author(request):
                article = Article.objects.get(
                    author=request.GET.get("author", ""),  # was **request.GET
                )
                return JsonResponse({"slug": article.slug})


            def by_named_filters(request):
                filters = {"author": request.GET.get("author", "")}
                article = Article.objects.get(**filters)
                return JsonResponse({"slug": article.slug})
        ''',
    })
    assert _rules(root, "AL501") == [("AL501", "blog/views.py", 7), ("AL501", "blog/views.py", 12)]
