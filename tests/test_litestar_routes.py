"""Litestar route handlers made by route constructors (``@get``/``@post`` of ``litestar``, not methods of an
app) are routes: the Controller's ``path``, the decorator's path and the prefixes of the ``Router``s whose
``route_handlers`` list them are joined; a handler registered nowhere archlint sees has an unknown path."""

from __future__ import annotations

from archlint.application.pipeline import Options, run_check
from archlint.semantics.routes import collect
from tests.helpers import make_repo

CONTROLLERS = '''
from litestar import Controller, get, post, delete

class ArticleController(Controller):
    path = "api/articles"

    @get()
    async def list_articles(self) -> dict:
        return {}

    @get(path="/{slug:str}")
    async def get_article(self, slug: str) -> dict:
        return {}

    @delete("/{slug:str}/comments/{id:int}")
    async def delete_comment(self, slug: str, id: int) -> None:
        return None


@post("/users/login")
async def login(data: dict) -> dict:
    return {}


@get("/orphan")
async def orphan() -> dict:
    return {}
'''


def _routes(tmp_path, main: str):
    root = make_repo(tmp_path, {"requirements.txt": "litestar\n", "app/__init__.py": "", "app/controllers.py": CONTROLLERS,
                                "app/main.py": main})
    captured = {}

    from archlint.checks import transactions

    original = transactions.check

    def spy(ctx):
        captured["routes"] = sorted((r.method, r.path, r.handler and ctx.program.function(r.handler.path, r.handler.fid).name)
                                    for r in collect(ctx.program))
        return original(ctx)

    transactions.check = spy
    try:
        run_check([str(root)], Options(use_cache=False))
    finally:
        transactions.check = original
    return captured.get("routes")


def test_positional_handler_list_and_controller_path(tmp_path):
    routes = _routes(tmp_path, '''
from litestar import Litestar
from app.controllers import ArticleController, login

app = Litestar([ArticleController, login])
''')
    assert ("GET", "/api/articles", "list_articles") in routes
    assert ("GET", "/api/articles/{slug:str}", "get_article") in routes
    assert ("DELETE", "/api/articles/{slug:str}/comments/{id:int}", "delete_comment") in routes
    assert ("POST", "/users/login", "login") in routes
    # registered nowhere: a route whose path is unknown, never a guess
    assert ("GET", "", "orphan") in routes


def test_router_prefix(tmp_path):
    routes = _routes(tmp_path, '''
from litestar import Litestar, Router
from app.controllers import ArticleController, login

api = Router(path="/v1", route_handlers=[ArticleController, login])
app = Litestar(route_handlers=[api])
''')
    assert ("GET", "/v1/api/articles", "list_articles") in routes
    assert ("POST", "/v1/users/login", "login") in routes
