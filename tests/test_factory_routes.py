"""Routes registered on an app or blueprint made inside an app factory (``def create_app(): app = Sanic(…);
@app.get(…)``), which Sanic's CLI runs as ``sanic server:create_app --factory``: no module-level call makes
the app, so the decorator's name is read in the enclosing function.  A name the factory rebinds, or one not
made by an app constructor, registers nothing."""

from __future__ import annotations

from tests.helpers import make_repo, report

SERVER = """
from sanic import Blueprint, Sanic
from sanic.response import json


def profiles() -> Blueprint:
    bp = Blueprint("profiles", url_prefix="/api/profiles")

    @bp.get("/<username>")
    async def get_profile(request, username):
        return json({})

    return bp


def create_app() -> Sanic:
    app = Sanic("conduit")
    users = Blueprint("users", url_prefix="/api/users")

    @users.post("/login")
    async def login(request):
        return json({})

    @app.route("/api/articles/<slug>", methods=["PUT", "DELETE"])
    async def edit_article(request, slug):
        return json({})

    app.blueprint(users)
    app.blueprint(profiles())
    return app
# EXTRA
"""


def _routes(tmp_path, extra: str = ""):
    root = make_repo(tmp_path, {"requirements.txt": "sanic\n", "app/__init__.py": "",
                                "app/server.py": SERVER.replace("# EXTRA", extra)})
    return sorted((r.method, r.path) for r in report(root).context.program.routes())


def test_routes_made_inside_an_uncalled_factory_are_registered_with_their_prefixes(tmp_path):
    assert _routes(tmp_path) == [
        ("GET", "/api/profiles/<username>"), ("POST", "/api/users/login"), ("PUT,DELETE", "/api/articles/<slug>"),
    ]


def test_a_local_not_made_by_an_app_constructor_registers_nothing(tmp_path):
    extra = """

def make_routes(registry):
    router = registry.child("/api/tags")

    @router.get("/")
    async def list_tags(request):
        return json([])

    return router
"""
    assert ("GET", "/api/tags/") not in _routes(tmp_path, extra) and len(_routes(tmp_path / "x", extra)) == 3
