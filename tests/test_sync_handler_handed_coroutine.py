"""AL807 on a synchronous route handler calling a project ``async def``: the coroutine never runs —
unless the handler hands it straight to a call that runs it (``asyncio.run(fetch())``, a helper that
submits it to a background event loop: changedetection.io's ``run_async_in_browser_loop(_fetch_snapshot())``
in a view of a blueprint its factory function makes)."""

from __future__ import annotations

from tests.helpers import findings, make_repo

VIEWS = """
import asyncio

from flask import Blueprint, jsonify


async def fetch_snapshot(url):
    await asyncio.sleep(0)
    return {"url": url}


def run_in_loop(coro):
    return asyncio.run(coro)


def construct_blueprint():
    bp = Blueprint("snapshots", __name__)

    @bp.route("/snapshot/<path:url>")
    def snapshot(url):
        found = CALL
        return jsonify({"found": bool(found)})

    return bp
"""

APP = """
from flask import Flask

from app.views import construct_blueprint


def create_app():
    app = Flask(__name__)
    app.register_blueprint(construct_blueprint(), url_prefix="/api")
    return app
"""


def _al807(tmp_path, call: str):
    root = make_repo(tmp_path, {"requirements.txt": "flask\n", "app/__init__.py": APP,
                                "app/views.py": VIEWS.replace("CALL", call)})
    return [(path, line) for rule, path, line in findings(root) if rule == "AL807"]


def test_a_coroutine_called_bare_in_a_factory_made_view_is_reported(tmp_path):
    assert _al807(tmp_path / "bare", "fetch_snapshot(url)") == [("app/views.py", 20)]
    # given to a call that only wraps it (the response is built from the coroutine object)
    assert _al807(tmp_path / "wrapped", "dict(snapshot=fetch_snapshot(url))") == [("app/views.py", 20)]


def test_a_coroutine_handed_to_a_runner_is_not(tmp_path):
    assert _al807(tmp_path / "helper", "run_in_loop(fetch_snapshot(url))") == []
    assert _al807(tmp_path / "asyncio", "asyncio.run(fetch_snapshot(url))") == []
