"""A SQL function reached through a project module that imports it: ``from conduit.db import
queries`` then ``queries.text(sql)``, where queries.py has ``from sqlalchemy import text`` (agents
write it so handlers need one import).  The call resolves through the module's import binding to
``sqlalchemy.text``, so the SQL site is found even when its argument is no literal statement (the
text fallback only sees literals) — here an f-string built in a variable (AL502).  A project
module's *own* ``text`` function, or one holding a fixed statement, is no finding."""

from __future__ import annotations

from helpers import findings, make_repo

_QUERIES = """
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection


async def count(conn: AsyncConnection) -> int:
    return (await conn.execute(text("SELECT count(*) FROM tags"))).scalar_one()
"""

_HANDLERS = """
from aiohttp import web

from conduit.db import queries
from conduit import db

routes = web.RouteTableDef()


@routes.post("/api/tags")
async def add_tag(request: web.Request) -> web.Response:
    name = (await request.json())["name"]
    async with request.app["engine"].begin() as conn:
        sql = f"INSERT INTO tags (name) VALUES ('{name}')"
        await conn.execute(queries.text(sql))
    return web.json_response({"ok": True})


@routes.get("/api/tags/{name}")
async def get_tag(request: web.Request) -> web.Response:
    async with request.app["engine"].connect() as conn:
        sql = f"SELECT id FROM tags WHERE name = '{request.match_info['name']}'"
        row = (await conn.execute(db.queries.text(sql))).first()
    return web.json_response({"id": row.id if row else None})
"""

_CORRECT_HANDLERS = """
from aiohttp import web

from conduit.db import queries
from conduit import messages

routes = web.RouteTableDef()


@routes.post("/api/tags")
async def add_tag(request: web.Request) -> web.Response:
    name = (await request.json())["name"]
    async with request.app["engine"].begin() as conn:
        sql = "INSERT INTO tags (name) VALUES (:name)"
        await conn.execute(queries.text(sql), {"name": name})
    return web.json_response({"message": messages.text(f"INSERT INTO tags '{name}'")})
"""

_MESSAGES = """
def text(message: str) -> str:
    return message.strip()
"""


def test_sql_text_through_a_project_module_re_exporting_it(tmp_path):
    root = make_repo(tmp_path, {
        "conduit/__init__.py": "",
        "conduit/db/__init__.py": "from conduit.db import queries\n",
        "conduit/db/queries.py": _QUERIES,
        "conduit/handlers.py": _HANDLERS,
    })
    assert [f for f in findings(root) if f[0] == "AL502"] == [
        ("AL502", "conduit/handlers.py", 13), ("AL502", "conduit/handlers.py", 21),
    ]


def test_bound_text_through_the_module_and_a_project_text_function_are_no_findings(tmp_path):
    root = make_repo(tmp_path, {
        "conduit/__init__.py": "",
        "conduit/db/__init__.py": "",
        "conduit/db/queries.py": _QUERIES,
        "conduit/messages.py": _MESSAGES,
        "conduit/handlers.py": _CORRECT_HANDLERS,
    })
    assert [f for f in findings(root) if f[0].startswith(("AL4", "AL5"))] == []
