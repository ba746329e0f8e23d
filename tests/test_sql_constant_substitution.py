"""AL502 through ``str`` methods of a SQL constant: ``text(SEARCH_SQL.replace("{order}", order))``,
``SQL.format(order=order)``, ``sql = SQL.strip().replace(…)`` then ``text(sql)`` — the substituted
value is a hole of the constant's text, read from the IR call.  A constant or allow-listed value
substituted is no hole to report."""

from __future__ import annotations

from helpers import findings, make_repo

_SEARCH = """
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

app = FastAPI()
SEARCH_SQL = "SELECT id, title FROM books WHERE title ILIKE :q ORDER BY {order} LIMIT 20"
ORDERS = {"new": "created_at DESC", "title": "title"}


@app.get("/a")
async def a(db: AsyncSession, q: str, order: str):
    return (await db.execute(text(SEARCH_SQL.replace("{order}", order)), {"q": q})).all()


@app.get("/b")
async def b(db: AsyncSession, q: str, order: str):
    return (await db.execute(text(SEARCH_SQL.format(order=order)), {"q": q})).all()


@app.get("/c")
async def c(db: AsyncSession, q: str, order: str):
    sql = SEARCH_SQL.strip().replace("{order}", order)
    return (await db.execute(text(sql), {"q": q})).all()


@app.get("/d")
async def d(db: AsyncSession, q: str):
    return (await db.execute(text(SEARCH_SQL.replace("{order}", "created_at DESC")), {"q": q})).all()


@app.get("/e")
async def e(db: AsyncSession, q: str, order: str):
    return (await db.execute(text(SEARCH_SQL.format(order=ORDERS.get(order, "title"))), {"q": q})).all()
"""


def test_sql_constant_with_a_runtime_value_substituted_by_str_methods(tmp_path):
    root = make_repo(tmp_path, {"main.py": _SEARCH})
    assert [f for f in findings(root) if f[0] == "AL502"] == [
        ("AL502", "main.py", 12), ("AL502", "main.py", 17), ("AL502", "main.py", 23),
    ]


_CHAINED = """
from sqlalchemy import text


class ArticleQueries:
    LIST_SQL = "SELECT id FROM articles WHERE author_id = :author ORDER BY {order} {direction} LIMIT {limit}"

    def __init__(self, session):
        self.session = session

    def page(self, author, order, direction):
        sql = self.LIST_SQL.replace("{order}", order).replace("{direction}", "DESC").replace("{limit}", "20")
        return self.session.execute(text(sql), {"author": author}).all()

    def fixed(self, author):
        sql = self.LIST_SQL.replace("{order}", "id").replace("{direction}", "DESC").format(limit=20)
        return self.session.execute(text(sql), {"author": author}).all()

    def positional(self, author, limit):
        return self.session.execute(text("SELECT id FROM articles WHERE author_id = :a LIMIT {}".format(limit)), {"a": author}).all()
"""


def test_chained_replacements_and_class_constants(tmp_path):
    root = make_repo(tmp_path, {"queries.py": _CHAINED})
    found = [f for f in findings(root) if f[0] == "AL502"]
    assert ("AL502", "queries.py", 12) in found  # `order` replaced in, the other two constant
    assert not [f for f in found if f[2] == 15]  # every substitution constant


def test_django_request_data_spliced_into_raw_sql_is_injection(tmp_path):
    """``request.GET`` / ``self.request.POST`` are UPPER_CASE but hold the client's input; a
    module's ``settings.TABLE`` keeps the constant convention (agent-style Django search views)."""
    root = make_repo(tmp_path, {
        "requirements.txt": "django\n",
        "app/__init__.py": "",
        "app/views.py": """
            from django.conf import settings
            from django.db import connection
            from django.http import JsonResponse
            from django.views import View


            def search(request):
                q = request.GET.get("q", "")
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT id, slug FROM articles_article WHERE title LIKE '%{q}%'")
                    return JsonResponse({"results": cursor.fetchall()})


            class SearchView(View):
                def post(self, request):
                    title = self.request.POST["title"]
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT id FROM articles_article WHERE title = '" + title + "'")
                        return JsonResponse({"results": cursor.fetchall()})


            def archived(request):
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT id FROM {settings.ARCHIVE_TABLE} WHERE archived")
                    return JsonResponse({"results": cursor.fetchall()})
        """,
    })
    assert [f for f in findings(root) if f[0] == "AL502"] == [("AL502", "app/views.py", 10), ("AL502", "app/views.py", 18)]
