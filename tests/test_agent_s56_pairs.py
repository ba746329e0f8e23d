"""The s56 agent-style pairs: Conduit under Clean Architecture in combinations the earlier pairs lack —
Hono over Sequelize on PostgreSQL with a `getRepository(name)` registry, Koa over Sequelize with a
`withTransaction(work)` helper relaying the managed transaction, aiohttp over async SQLAlchemy with an
`async_sessionmaker` on the app and an `async with self.uow` unit of work, and Django without DRF
(`JsonResponse` function views, services, repository classes, presenter helpers).  Each `-bugs` twin holds
planted defects one to three calls from the handler or loop, asserted as an exact (rule, file, line) set;
each `-correct` twin fixes every one with a look-alike and must stay silent; `archlint verify` must give
the stack verdicts right on both.

The focused tests pin what the pairs exposed (a miss or a false alarm each, fixed generally):
  * AL703 for a fallback written as a branch on whether the variable is set (`url ? pg : sqlite`,
    `if os.environ.get("POSTGRES_HOST"): … else: sqlite3`) — `verify` saw it, `check` did not;
  * no AL101/AL105 for models importing the ORM's setup kept in a plain `db/` directory
    (`db/sequelize.js`, `db/base.py`): the models must import it;
  * AL215 reported at the caller's callback, not at a `withTransaction(work)` helper's `work(t)`;
  * AL311 for `row.count = row.count + delta` when every caller passes a constant `delta`;
  * no AL804 on a view restricted to safe methods (`@require_GET`) whose URL the contract also PUTs to.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from archlint.application.pipeline import Options
from archlint.application.verify import parse_task, run_verify
from helpers import findings, make_repo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

PLANTED = {
    "agent-hono-pg-repo-factory": {
        ("AL703", "src/config/database.js", 7),
        ("AL217", "src/repositories/articleRepository.js", 21),
        ("AL228", "src/repositories/articleRepository.js", 39),
        ("AL213", "src/repositories/profileRepository.js", 23),
        ("AL301", "src/routes/tags.js", 8),
        ("AL229", "src/services/articleService.js", 21),
        ("AL601", "src/services/articleService.js", 47),
        ("AL215", "src/services/articleService.js", 62),
        ("AL220", "src/services/profileService.js", 7),
    },
    "agent-koa-tx-helper": {
        ("AL311", "src/repositories/articleRepository.js", 17),
        ("AL303", "src/repositories/tagRepository.js", 8),
        ("AL215", "src/services/articleService.js", 19),
        ("AL305", "src/services/articleService.js", 43),
        ("AL603", "src/services/commentService.js", 21),
    },
    "agent-aiohttp-uow-state": {
        ("AL703", "conduit/config.py", 3),
        ("AL102", "conduit/handlers/articles.py", 5),
        ("AL301", "conduit/handlers/articles.py", 45),
        ("AL209", "conduit/handlers/presenters.py", 13),
        ("AL208", "conduit/repositories/articles.py", 30),
        ("AL201", "conduit/repositories/articles.py", 37),
        ("AL237", "conduit/services/articles.py", 21),
        ("AL236", "conduit/services/articles.py", 46),
    },
    "agent-django-jsonviews-services": {
        ("AL703", "config/settings.py", 39),
        ("AL305", "realworld/repositories/articles.py", 27),
        ("AL234", "realworld/repositories/profiles.py", 10),
        ("AL603", "realworld/services/articles.py", 19),
        ("AL603", "realworld/services/articles.py", 26),
        ("AL220", "realworld/services/articles.py", 31),
        ("AL224", "realworld/services/articles.py", 72),
        ("AL804", "realworld/views/articles.py", 63),
        ("AL301", "realworld/views/tags.py", 11),
        ("AL301", "realworld/views/tags.py", 12),
    },
}

ALL = {"framework": True, "architecture": True, "database": True, "orm": True}
VERDICTS = {
    "agent-hono-pg-repo-factory": ("node-hono-openapi-clean_architecture-postgres-sequelize",
                                   {**ALL, "architecture": False, "database": False}),
    "agent-koa-tx-helper": ("node-koa-openapi-clean_architecture-sqlite-sequelize",
                            {**ALL, "architecture": False, "orm": False}),
    "agent-aiohttp-uow-state": ("uv-aiohttp-openapi-clean_architecture-postgres-sqlalchemy",
                                {**ALL, "architecture": False, "database": False}),
    "agent-django-jsonviews-services": ("uv-django-openapi-clean_architecture-postgres",
                                        {"framework": True, "architecture": False, "database": False}),
}


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_the_bugs_twin_gives_exactly_the_planted_findings_and_the_correct_twin_none(name):
    assert set(findings(FIXTURES / f"{name}-bugs")) == PLANTED[name]
    assert findings(FIXTURES / f"{name}-correct") == []


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_both_twins_get_the_right_verdicts(name):
    task, bugs = VERDICTS[name]
    parsed = parse_task(task)
    for variant, expected in (("bugs", bugs), ("correct", {key: True for key in bugs})):
        result = run_verify(str(FIXTURES / f"{name}-{variant}"), parsed, options=Options(use_cache=False))
        got = {verdict.constraint: verdict.compliant for verdict in result.verdicts}
        assert got == expected, (variant, [verdict.reason for verdict in result.verdicts])


# AL703 -------------------------------------------------------------------------------------------------
_SEQUELIZE_BRANCH = {
    "package.json": '{ "type": "module", "dependencies": { "sequelize": "^6.37.0", "pg": "^8.12.0" } }\n',
    "src/db.js": """
        import { Sequelize } from 'sequelize';

        const url = process.env.DATABASE_URL;

        export const sequelize = url
          ? new Sequelize(url, { dialect: 'postgres' })
          : new Sequelize({ dialect: 'sqlite', storage: './dev.sqlite' });
    """,
}

_DJANGO_BRANCH = {
    "requirements.txt": "django\npsycopg2-binary\n",
    "config/settings.py": """
        import os

        if os.environ.get("POSTGRES_HOST"):
            DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "HOST": os.environ["POSTGRES_HOST"]}}
        else:
            DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
    """,
}


def test_a_sqlite_branch_taken_when_the_database_variable_is_unset_is_a_fallback(tmp_path):
    assert findings(make_repo(tmp_path / "js", _SEQUELIZE_BRANCH), select=["AL703"]) == [("AL703", "src/db.js", 7)]
    assert findings(make_repo(tmp_path / "py", _DJANGO_BRANCH), select=["AL703"]) == [("AL703", "config/settings.py", 6)]
    negated = dict(_DJANGO_BRANCH)
    negated["config/settings.py"] = """
        import os

        if not os.getenv("POSTGRES_HOST"):
            DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
        else:
            DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "HOST": os.environ["POSTGRES_HOST"]}}
    """
    assert findings(make_repo(tmp_path / "negated", negated), select=["AL703"]) == [("AL703", "config/settings.py", 4)]


def test_a_branch_that_is_not_the_unset_side_or_not_on_a_variable_stays_silent(tmp_path):
    # SQLite on the side taken when the variable *is* set (an opt-in), a test on NODE_ENV's value, a variable run.sh sets
    opt_in = dict(_SEQUELIZE_BRANCH)
    opt_in["src/db.js"] = """
        import { Sequelize } from 'sequelize';

        export const sequelize = process.env.USE_SQLITE
          ? new Sequelize({ dialect: 'sqlite', storage: './dev.sqlite' })
          : new Sequelize(process.env.DATABASE_URL, { dialect: 'postgres' });
    """
    assert findings(make_repo(tmp_path / "opt-in", opt_in), select=["AL703"]) == []
    value_test = dict(_SEQUELIZE_BRANCH)
    value_test["src/db.js"] = """
        import { Sequelize } from 'sequelize';

        export const sequelize = process.env.NODE_ENV === 'test'
          ? new Sequelize({ dialect: 'sqlite', storage: ':memory:' })
          : new Sequelize(process.env.DATABASE_URL, { dialect: 'postgres' });
    """
    assert findings(make_repo(tmp_path / "value", value_test), select=["AL703"]) == []
    started = dict(_DJANGO_BRANCH, **{"run.sh": "export POSTGRES_HOST=postgres\npython manage.py runserver 0.0.0.0:8080\n"})
    assert findings(make_repo(tmp_path / "set", started), select=["AL703"]) == []


# AL101 / AL105: the ORM's setup in a plain db/ directory ----------------------------------------------
_SETUP = {
    "requirements.txt": "sqlalchemy\n",
    "app/db/base.py": """
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()
    """,
    "app/models/user.py": """
        from sqlalchemy import Column, Integer

        from app.db.base import Base

        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
    """,
    "app/repositories/user_repository.py": """
        from app.models.user import User

        class UserRepository:
            def __init__(self, session):
                self.session = session

            def get(self, user_id):
                return self.session.get(User, user_id)
    """,
    "app/services/user_service.py": """
        from app.repositories.user_repository import UserRepository

        def get_user(session, user_id):
            return UserRepository(session).get(user_id)
    """,
    "app/routes/users.py": """
        from app.services.user_service import get_user
    """,
}


def test_models_importing_the_orm_setup_in_a_plain_db_directory_is_no_upward_import(tmp_path):
    assert findings(make_repo(tmp_path / "setup", _SETUP), select=["AL101", "AL105"]) == []


def test_a_db_module_that_imports_the_project_or_sits_in_a_repositories_directory_stays_judged(tmp_path):
    # db/base.py also importing a project module is no leaf setup: the models depend on the data layer through it
    coupled = dict(_SETUP)
    coupled["app/db/base.py"] = """
        from sqlalchemy.orm import declarative_base

        from app.repositories.user_repository import UserRepository

        Base = declarative_base()
        DEFAULT = UserRepository
    """
    assert ("AL101", "app/models/user.py", 3) in findings(make_repo(tmp_path / "coupled", coupled), select=["AL101"])
    # the same setup kept in `repositories/` (a distinctive data-access directory) is the repositories layer
    moved = {path.replace("app/db/base.py", "app/repositories/base.py"): text.replace("app.db.base", "app.repositories.base")
             for path, text in _SETUP.items()}
    assert findings(make_repo(tmp_path / "moved", moved), select=["AL101"]) == [("AL101", "app/models/user.py", 3)]
    # a route importing the setup directly still skips the layers
    routed = dict(_SETUP, **{"app/routes/users.py": "from app.db.base import Base\nfrom app.services.user_service import get_user\n"})
    assert findings(make_repo(tmp_path / "routed", routed), select=["AL102"]) == [("AL102", "app/routes/users.py", 1)]


# AL215 through a withTransaction helper ----------------------------------------------------------------
_TX_HELPER = {
    "package.json": '{ "dependencies": { "sequelize": "^6.37.0", "sqlite3": "^5.1.7" } }\n',
    "src/db.js": """
        const { Sequelize, DataTypes } = require('sequelize');
        const sequelize = new Sequelize({ dialect: 'sqlite', storage: './app.sqlite' });
        const Favorite = sequelize.define('Favorite', { userId: DataTypes.INTEGER, articleId: DataTypes.INTEGER });

        function withTransaction(work) {
          return sequelize.transaction((t) => work(t));
        }

        module.exports = { sequelize, Favorite, withTransaction };
    """,
    "src/favorites.js": """
        const { Favorite, withTransaction } = require('./db');

        function addFavorite(userId, articleId, options = {}) {
          return Favorite.findOrCreate({ where: { userId, articleId } });
        }

        function addFavoriteIn(userId, articleId, options = {}) {
          return Favorite.findOrCreate({ where: { userId, articleId }, ...options });
        }

        async function favorite(userId, articleId) {
          return withTransaction(async (t) => {
            await addFavorite(userId, articleId, { transaction: t });
          });
        }

        async function favoriteIn(userId, articleId) {
          return withTransaction(async (t) => {
            await addFavoriteIn(userId, articleId, { transaction: t });
          });
        }

        module.exports = { favorite, favoriteIn };
    """,
}


def test_a_query_reached_through_a_transaction_helper_is_reported_at_the_callers_callback(tmp_path):
    root = make_repo(tmp_path / "helper", _TX_HELPER)
    assert findings(root, select=["AL215"]) == [("AL215", "src/favorites.js", 13)]


# AL311 with the constant passed by the caller ----------------------------------------------------------
_BUMP = {
    "package.json": '{ "dependencies": { "sequelize": "^6.37.0", "sqlite3": "^5.1.7", "express": "^4.19.0" } }\n',
    "src/app.js": """
        const express = require('express');
        const { Sequelize, DataTypes } = require('sequelize');
        const sequelize = new Sequelize({ dialect: 'sqlite', storage: './app.sqlite' });
        const Article = sequelize.define('Article', { slug: DataTypes.STRING, favoritesCount: DataTypes.INTEGER });

        async function bump(article, delta) {
          article.favoritesCount = article.favoritesCount + delta;
          return article.save();
        }

        const app = express();
        app.use(express.json());
        app.post('/api/articles/:slug/favorite', async (req, res) => {
          const article = await Article.findOne({ where: { slug: req.params.slug } });
          if (!article) return res.sendStatus(404);
          await bump(article, 1);
          res.json({ article });
        });
        app.put('/api/articles/:slug/score', async (req, res) => {
          const article = await Article.findOne({ where: { slug: req.params.slug } });
          if (!article) return res.sendStatus(404);
          await bump(article, req.body.delta);
          res.json({ article });
        });
        module.exports = app;
    """,
}


def test_a_column_written_back_plus_a_constant_the_caller_passes_is_a_lost_update(tmp_path):
    assert findings(make_repo(tmp_path / "bump", _BUMP), select=["AL311"]) == [("AL311", "src/app.js", 7)]
    # only the request's own value as the delta: not a constant increment
    variable = dict(_BUMP)
    variable["src/app.js"] = _BUMP["src/app.js"].replace("await bump(article, 1);", "await bump(article, Number(req.query.by));")
    assert findings(make_repo(tmp_path / "variable", variable), select=["AL311"]) == []


# AL804 on views restricted to safe methods -------------------------------------------------------------
def test_a_view_restricted_to_safe_methods_needs_no_csrf_exemption_for_the_contracts_writes(tmp_path):
    """Conduit PUTs and DELETEs `/api/articles/{slug}`; a `require_http_methods(["GET"])` view there does not
    serve them (AL811 says so) and `csrf_exempt` would not either.  An unrestricted view there does."""
    root = FIXTURES / "agent-django-jsonviews-services-bugs"
    files = {str(path.relative_to(root)): path.read_text() for path in root.rglob("*.py")}
    files.update({"requirements.txt": (root / "requirements.txt").read_text()})
    detail = files["realworld/views/articles.py"]
    files["realworld/views/articles.py"] = detail.replace(
        '@csrf_exempt\n@require_http_methods(["GET", "PUT", "DELETE"])\ndef article_detail', '@require_http_methods(["GET"])\ndef article_detail')
    got = findings(make_repo(tmp_path / "safe", files), select=["AL804"])
    assert got == [("AL804", "realworld/views/articles.py", 62)]
    files["realworld/views/articles.py"] = detail.replace(
        '@csrf_exempt\n@require_http_methods(["GET", "PUT", "DELETE"])\ndef article_detail', 'def article_detail')
    got = findings(make_repo(tmp_path / "open", files), select=["AL804"])
    assert got == [("AL804", "realworld/views/articles.py", 39), ("AL804", "realworld/views/articles.py", 61)]
