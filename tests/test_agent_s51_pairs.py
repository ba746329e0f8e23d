"""The s51 agent-style pairs (issue 12): Conduit under Clean Architecture + a database + the required ORM, in
idioms the earlier fixtures do not have — Flask `MethodView` classes registered with `add_url_rule` over a
`flask_sqlalchemy` `db` from `extensions.py` (SQLite), aiohttp handlers opening sessions from
`request.config_dict[SESSIONMAKER]` under a `/api` sub-application (PostgreSQL), Express controllers as
classes of arrow properties reading services from `req.app.get('services')` (SQLite, Sequelize `Model.init`),
and Fastify plugins decorating `fastify.db` read as `this.db` in function handlers (PostgreSQL).
`archlint verify` must give every stack verdict right on both twins; the focused tests pin the two general
causes the pairs exposed."""

from __future__ import annotations

from pathlib import Path

import pytest

from archlint.application.pipeline import Options
from archlint.application.verify import parse_task, run_verify
from helpers import findings, make_repo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ALL = {"framework": True, "architecture": True, "database": True, "orm": True}

CASES = [
    # a query in a routes view (AL301) fails the architecture; a sqlite3 insert beside Flask-SQLAlchemy fails the ORM
    ("agent-flask-methodview", "uv-flask-openapi-clean_architecture-sqlite-sqlalchemy",
     {**ALL, "architecture": False, "orm": False}, ALL),
    # a query in the domain (models) layer and one in a handler fail the architecture; `text()` SQL on the
    # session is still SQLAlchemy (orm PASS on both twins)
    ("agent-aiohttp-config-dict", "uv-aiohttp-openapi-clean_architecture-postgres-sqlalchemy",
     {**ALL, "architecture": False}, ALL),
    # `sequelize.query(…)` raw SQL is Sequelize's own connection (orm PASS on both twins); a controller on a
    # model and a service writing a row fail the architecture
    ("agent-express-app-locals", "node-express-openapi-clean_architecture-sqlite-sequelize",
     {**ALL, "architecture": False}, ALL),
    # `this.db` / `this.services` in Fastify function handlers; a `pg` Pool for one query fails the ORM
    ("agent-fastify-this-db", "node-fastify-openapi-clean_architecture-postgres-sequelize",
     {**ALL, "architecture": False, "orm": False}, ALL),
]


@pytest.mark.parametrize("name, task, bugs, correct", CASES, ids=[case[0] for case in CASES])
def test_both_twins_get_the_right_verdicts(name, task, bugs, correct):
    for variant, expected in (("bugs", bugs), ("correct", correct)):
        result = run_verify(str(FIXTURES / f"{name}-{variant}"), parse_task(task), options=Options(use_cache=False))
        got = {verdict.constraint: verdict.compliant for verdict in result.verdicts}
        assert got == expected, (variant, [verdict.reason for verdict in result.verdicts])


_FLASK_APP = {
    "requirements.txt": "flask\nflask-sqlalchemy\nsqlalchemy\n",
    "app/extensions.py": """
        from flask_sqlalchemy import SQLAlchemy

        db = SQLAlchemy()
    """,
    "app/models/article.py": """
        from app.extensions import db


        class Article(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            slug = db.Column(db.String(80), unique=True)
            title = db.Column(db.String(200))
            favorites_count = db.Column(db.Integer, default=0)


        class Favorite(db.Model):
            user_id = db.Column(db.Integer, primary_key=True)
            article_id = db.Column(db.Integer, primary_key=True)
    """,
    "app/repositories/articles.py": """
        from sqlalchemy import select, update

        from app.extensions import db
        from app.models.article import Article, Favorite


        class ArticleRepository:
            def by_slug(self, slug):
                return db.session.scalars(select(Article).where(Article.slug == slug)).first()

            def add_favorite(self, article_id, user_id):
                db.session.add(Favorite(article_id=article_id, user_id=user_id))

            def update(self, article_id, **values):
                db.session.execute(update(Article).where(Article.id == article_id).values(**values))

            def commit(self):
                db.session.commit()
    """,
    "app/services/articles.py": """
        from app.repositories.articles import ArticleRepository

        EDITABLE = ("title",)


        class ArticleService:
            def __init__(self):
                self.articles = ArticleRepository()

            def favorite(self, slug, user_id):
                article = self.articles.by_slug(slug)
                if article is None:
                    return None
                self.articles.add_favorite(article.id, user_id)
                self.articles.commit()
                article.favorites_count = article.favorites_count + 1
                self.articles.commit()
                return article.slug

            def update(self, slug, data):
                article = self.articles.by_slug(slug)
                if article is None:
                    return None
                self.articles.update(article.id, **data)
                self.articles.commit()
                return article.slug
    """,
    "app/routes/articles.py": """
        from flask import Blueprint, jsonify, request

        from app.services.articles import ArticleService

        bp = Blueprint("articles", __name__)


        @bp.post("/articles/<slug>/favorite")
        def favorite(slug):
            return jsonify({"slug": ArticleService().favorite(slug, 1)})


        @bp.put("/articles/<slug>")
        def update_article(slug):
            payload = request.get_json(silent=True) or {}
            return jsonify({"slug": ArticleService().update(slug, payload.get("article") or {})})
    """,
}


def test_a_commit_wrapper_commits_in_the_function_that_calls_it(tmp_path):
    """`repo.add_favorite(…); repo.commit(); article.favorites_count += 1; repo.commit()`: a repository method that
    does nothing but `db.session.commit()` commits where it is called, so the changed row and the favorite are
    committed separately (AL305).  Before, the changed row was paired only with a commit written in its own
    function, and the wrapper hid both commits.  A single commit after both stays silent."""
    root = make_repo(tmp_path / "two", _FLASK_APP)
    assert ("AL305", "app/services/articles.py", 14) in findings(root, select=["AL305"])
    service = root / "app" / "services" / "articles.py"
    service.write_text(service.read_text().replace(
        "        self.articles.commit()\n        article.favorites_count = article.favorites_count + 1\n",
        "        article.favorites_count = article.favorites_count + 1\n"))
    assert findings(root, select=["AL305"]) == []


def test_dict_get_on_the_json_body_is_the_body_part(tmp_path):
    """`payload.get("article") or {}` of `request.get_json()` is the client's `article` object, as
    `payload["article"]` is: spread into `.values(**values)` two calls away it writes every key the client sent
    (AL504).  Before, `.get` on the body answered an unknown value and the write was silent.  Copying the
    allowed keys first stays silent."""
    root = make_repo(tmp_path / "get", _FLASK_APP)
    assert ("AL504", "app/repositories/articles.py", 15) in findings(root, select=["AL504"])
    service = root / "app" / "services" / "articles.py"
    service.write_text(service.read_text().replace(
        "self.articles.update(article.id, **data)",
        "self.articles.update(article.id, **{key: data[key] for key in EDITABLE if key in data})"))
    assert findings(root, select=["AL504"]) == []
