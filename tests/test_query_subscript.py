"""Subscripting a query runs it (issue 12): a Django QuerySet's ``qs[0]`` fetches a row, a SQLAlchemy
legacy ``Query``'s ``query[0]`` / ``query[:5]`` selects with LIMIT/OFFSET — per row of a loop, an N+1
(AL601) like ``.first()``.  A slice of a QuerySet stays a query, and indexing a list the code already
loaded runs nothing."""

from __future__ import annotations

from helpers import make_repo, report

MODELS = '''
    from django.db import models

    class Author(models.Model):
        name = models.CharField(max_length=40)

    class Book(models.Model):
        author = models.ForeignKey(Author, on_delete=models.CASCADE)
        title = models.CharField(max_length=40)
'''


def _django(tmp_path, views):
    return make_repo(tmp_path, {
        "requirements.txt": "django==5.1\n",
        "shelf/__init__.py": "",
        "shelf/books/__init__.py": "",
        "shelf/books/migrations/__init__.py": "",
        "shelf/books/models.py": MODELS,
        "shelf/books/views.py": views,
        "shelf/urls.py": '''
            from django.urls import path
            from shelf.books import views
            urlpatterns = [path("authors", views.authors)]
        ''',
    })


def _n_plus_one(root):
    return [(f.rule, f.line) for f in report(root).findings if f.rule in ("AL601", "AL603")]


def test_django_queryset_index_per_row_is_n_plus_one(tmp_path):
    root = _django(tmp_path, '''
        from django.http import JsonResponse
        from shelf.books.models import Author, Book

        def authors(request):
            out = []
            for author in Author.objects.all():
                first = Book.objects.filter(author=author).order_by("id")[0]
                out.append(first.title)
            return JsonResponse({"first": out})
    ''')
    assert _n_plus_one(root) == [("AL601", 7)]


def test_django_queryset_slice_and_loaded_list_index_stay_silent(tmp_path):
    root = _django(tmp_path, '''
        from django.http import JsonResponse
        from shelf.books.models import Author, Book

        def authors(request):
            books = list(Book.objects.order_by("id"))
            out = []
            for author in Author.objects.all():
                recent = Book.objects.filter(author=author)[:3]
                out.append(books[0].title)
            return JsonResponse({"first": out})
    ''')
    assert _n_plus_one(root) == []


def test_django_queryset_index_after_len_reads_the_cache(tmp_path):
    # django-oscar's alert utils: `len(stockrecords)` fetches the rows into the QuerySet's cache, so
    # `stockrecords[0]` afterwards sends nothing — the loop's one query per row is the `len`
    root = _django(tmp_path, '''
        from django.http import JsonResponse
        from shelf.books.models import Author, Book

        def authors(request):
            out = []
            for author in Author.objects.all():
                books = Book.objects.filter(author=author)
                if len(books) == 1:
                    out.append(books[0].title)
            return JsonResponse({"first": out})
    ''')
    found = [f for f in report(root).findings if f.rule in ("AL601", "AL603")]
    assert [(f.rule, f.line) for f in found] == [("AL601", 8)]
    assert "1 query per row" in found[0].message


def test_django_slices_after_len_read_the_cache_not_pages(tmp_path):
    # label-studio's `batch()`: `l = len(iterable)` fills the QuerySet's cache, so `iterable[a:b]`
    # slices the loaded list — no LIMIT/OFFSET page, nothing for AL409 to order.  Without the `len`,
    # each slice is a page of an unordered query (AL409).
    root = _django(tmp_path, '''
        from django.http import JsonResponse
        from shelf.books.models import Book

        def authors(request):
            books = Book.objects.filter(title__startswith="a")
            total = len(books)
            cached = [list(books[i:i + 10]) for i in range(0, total, 10)]
            pages = Book.objects.filter(title__startswith="b")
            paged = [list(pages[i:i + 10]) for i in range(0, 100, 10)]
            return JsonResponse({"cached": len(cached), "paged": len(paged)})
    ''')
    assert [(f.rule, f.line) for f in report(root).findings if f.rule == "AL409"] == [("AL409", 9)]
