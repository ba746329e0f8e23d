"""Django's async ORM API on the semantic model: `aget()`/`acreate()`/`async for` are the same
queries as their sync twins (so N+1, missing-await and the async-context rule see them), and
AL233 tells the sync ORM in an `async def` from the async API and from code run in a thread."""

from __future__ import annotations

from helpers import make_repo, report

MODELS = '''
    from django.contrib.auth.models import User
    from django.db import models


    class Article(models.Model):
        slug = models.SlugField(unique=True)
        title = models.CharField(max_length=200)
        author = models.ForeignKey(User, on_delete=models.CASCADE)
'''


def _repo(tmp_path, views: str):
    return make_repo(tmp_path, {
        "requirements.txt": "Django==5.1\n",
        "blog/__init__.py": "",
        "blog/migrations/__init__.py": "",
        "blog/models.py": MODELS,
        "blog/views.py": views,
    })


def _found(root, rule):
    return sorted((f.path, f.line) for f in report(root).findings if f.rule == rule)


def test_an_unawaited_aget_is_a_coroutine_read_as_a_row(tmp_path):
    root = _repo(tmp_path, '''
        from django.http import JsonResponse
        from blog.models import Article


        async def article(request, slug):
            found = Article.objects.aget(slug=slug)
            return JsonResponse({"title": found.title})


        async def article_ok(request, slug):
            found = await Article.objects.aget(slug=slug)
            return JsonResponse({"title": found.title})
    ''')
    assert _found(root, "AL809") == [("blog/views.py", 7)]
    assert _found(root, "AL233") == []


def test_an_async_query_per_row_is_an_n_plus_one(tmp_path):
    root = _repo(tmp_path, '''
        from django.http import JsonResponse
        from blog.models import Article


        async def authors(request):
            names = []
            async for article in Article.objects.all():
                author = await Article.objects.filter(author_id=article.author_id).acount()
                names.append(author)
            return JsonResponse({"counts": names})
    ''')
    assert _found(root, "AL601") == [("blog/views.py", 8)]
    assert _found(root, "AL233") == []


def test_sync_orm_in_async_def_directly_through_a_helper_and_a_lazy_relation(tmp_path):
    root = _repo(tmp_path, '''
        from asgiref.sync import sync_to_async
        from django.http import JsonResponse
        from blog.models import Article


        def titles(author):
            return [a.title for a in Article.objects.filter(author__username=author)]


        @sync_to_async
        def titles_in_thread(author):
            return [a.title for a in Article.objects.filter(author__username=author)]


        async def sync_get(request, slug):
            return JsonResponse({"title": Article.objects.get(slug=slug).title})


        async def through_helper(request):
            return JsonResponse({"titles": titles(request.GET["author"])})


        async def lazy_author(request, slug):
            article = await Article.objects.aget(slug=slug)
            return JsonResponse({"author": article.author.username})


        async def in_threads(request):
            first = await sync_to_async(titles)(request.GET["author"])
            second = await titles_in_thread(request.GET["author"])
            return JsonResponse({"titles": first + second})


        async def eager(request, slug):
            article = await Article.objects.select_related("author").aget(slug=slug)
            return JsonResponse({"author": article.author.username, "n": await Article.objects.acount()})


        def sync_view(request):
            return JsonResponse({"titles": titles(request.GET["author"])})
    ''')
    assert _found(root, "AL233") == [("blog/views.py", 16), ("blog/views.py", 20), ("blog/views.py", 25)]
    by_line = {f.line: f for f in report(root).findings if f.rule == "AL233"}
    assert "through `titles`" in by_line[20].message and by_line[20].trace[-1].line == 7


def test_the_project_turning_the_guard_off_silences_the_rule(tmp_path):
    root = _repo(tmp_path, '''
        import os

        from django.http import JsonResponse
        from blog.models import Article

        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


        async def sync_get(request, slug):
            return JsonResponse({"title": Article.objects.get(slug=slug).title})
    ''')
    assert _found(root, "AL233") == []


def test_an_async_ninja_route_s_response_schema_reads_the_rows_in_the_event_loop():
    """Fixture pair agent-ninja-async-response-*: django-ninja awaits an async view and then validates
    its response in the event loop, so the schema's sync ORM reads (unloaded relations, a returned
    queryset, a relation of an ``aget()`` row) raise SynchronousOnlyOperation — AL233 at the route;
    no N+1 is reported for them (the first query raises).  ``@paginate`` fetches the page of a returned
    queryset with ``async for`` (silent in the twin), the relations of its rows are still read there."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "fixtures" / "agent-ninja-async-response-bugs"
    found = [(f.rule, f.line) for f in report(root).findings]
    # AL234 too: `await listing().aget(pk=pk)` by the path's pk, and ninja does not turn DoesNotExist into a 404
    assert found == [("AL233", 25), ("AL233", 30), ("AL233", 35), ("AL234", 37), ("AL233", 40)]
    messages = [f.message for f in report(root).findings]
    assert "iterates the returned queryset of Article" in messages[1]
    assert "reads `author` of Article" in messages[2]
