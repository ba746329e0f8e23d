"""Which database a project uses: URLs beat options beat drivers beat compose images."""

from __future__ import annotations

from helpers import make_repo, report

from archlint.domain.sql import detect_database, sql_knowledge


def _detect(root):
    ctx = report(root).context
    return detect_database(ctx.files, ctx.graph, ctx.manifest, sql_knowledge(ctx.knowledge))


def test_driver_import_alone_decides(tmp_path):
    make_repo(tmp_path, {"app/db.py": "import sqlite3\nconn = sqlite3.connect('app.db')\n"})
    choice = _detect(tmp_path)
    assert choice.database == "sqlite"
    assert [(e.kind, e.detail) for e in choice.evidence] == [("driver", "sqlite3")]


def test_urls_win_over_drivers(tmp_path):
    make_repo(
        tmp_path,
        {
            "app/db.py": """
                import os
                import sqlite3
                from sqlalchemy import create_engine
                engine = create_engine(os.environ.get("DATABASE_URL", "postgresql+psycopg://u:p@db/app"))
                cache = sqlite3.connect("cache.db")
            """,
        },
    )
    assert _detect(tmp_path).database == "postgresql"


def test_a_tie_between_urls_is_broken_by_the_drivers(tmp_path):
    make_repo(
        tmp_path,
        {
            "app/db.py": """
                import os
                import psycopg
                from sqlalchemy import create_engine
                engine = create_engine(os.getenv("DATABASE_URL", "sqlite:///./app.db"))
            """,
            ".env": "DATABASE_URL=postgresql://u:p@localhost/app\n",
        },
    )
    assert _detect(tmp_path).database == "postgresql"


def test_sequelize_dialect_option_and_url_holes(tmp_path):
    make_repo(
        tmp_path,
        {
            "package.json": '{"dependencies": {"sequelize": "^6", "sqlite3": "^5", "pg": "^8"}}',
            "src/db.js": """
                const { Sequelize } = require('sequelize');
                const { Pool } = require('pg');
                const sequelize = new Sequelize({ dialect: 'sqlite', storage: 'app.sqlite' });
                module.exports = { sequelize };
            """,
        },
    )
    assert _detect(tmp_path).database == "sqlite"


def test_test_files_do_not_vote(tmp_path):
    make_repo(
        tmp_path,
        {
            "app/db.py": "import psycopg\nconn = psycopg.connect('dbname=app')\n",
            "tests/conftest.py": "import sqlite3\nURL = 'sqlite:///:memory:'\nconn = sqlite3.connect(':memory:')\n",
        },
    )
    assert _detect(tmp_path).database == "postgresql"


def test_no_signal_is_none(tmp_path):
    make_repo(tmp_path, {"app/main.py": "print('hello')\n"})
    assert _detect(tmp_path) == (None, ())


def test_a_url_in_a_branch_that_runs_only_under_the_tests_does_not_vote(tmp_path):
    """indico's app factory: ``if app.config['TESTING']: setdefault(URI, 'sqlite:///:memory:')``, the
    production URI from its config file.  Before, that branch made indico a SQLite project and every
    PostgreSQL type in its models an AL440."""
    make_repo(
        tmp_path,
        {
            "app/factory.py": """
                import os

                def configure_db(app):
                    if app.config["TESTING"]:
                        app.config.setdefault("SQLALCHEMY_DATABASE_URI", "sqlite:///:memory:")
                    else:
                        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URI"]
                    if not app.testing:
                        app.config["FALLBACK"] = "postgresql://localhost/app"
                    else:
                        app.config["OTHER"] = "sqlite:///other.db"
                    if os.getenv("TESTING") or app.debug:
                        app.config["DEBUG_URI"] = "mysql://localhost/dev"
            """,
        },
    )
    choice = _detect(tmp_path)
    assert sorted((e.database, e.line) for e in choice.evidence) == [("mysql", 13), ("postgresql", 9)]
