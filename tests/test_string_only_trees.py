"""A tree that talks to no database (issue 11, the self-check's cost): SQL-looking strings in a
linter's knowledge table, a docstring or a message (``"(with a session)"``) do not start the
semantic model when no file imports a driver, an ORM or a web framework and no manifest declares a
driver or ORM — archlint's own package paid ~60 s for them.  Raw SQL beside a driver import, or in
a project that declares its driver, still does."""

from __future__ import annotations

from archlint.application.pipeline import Options, run_check
from helpers import make_repo

LINTER = {
    "lint/knowledge.py": 'VERBS = ("SELECT * FROM", "INSERT INTO", "DELETE FROM")\n'
                         'URLS = ["postgresql://user@host/db"]\n',
    "lint/rules.py": '"""Flags "SELECT *" in a query string."""\nfrom lint.knowledge import VERBS\n\n\n'
                     'def check(text):\n    """(with a session) SELECT the verbs."""\n'
                     '    return [v for v in VERBS if v in text]\n',
    "lint/cli.py": "from lint.rules import check\n\n\ndef main(argv):\n"
                   '    print("(create it with --fix)")\n    return check(argv[0])\n',
}

REPO = {
    "shop/queries.py": 'FIND = "SELECT id, name FROM users WHERE id = ?"\n',
    "shop/repo.py": "from shop.queries import FIND\n\n\ndef find(conn, i):\n    return conn.execute(FIND, (i,)).fetchone()\n",
    "shop/service.py": "from shop.repo import find\n\n\ndef load(conn, i):\n    return find(conn, i)\n",
}


def _semantic(root) -> set[str]:
    return set(run_check([str(root)], Options(use_cache=False)).context.semantic)


def test_sql_looking_strings_without_a_database_start_no_model(tmp_path):
    assert _semantic(make_repo(tmp_path, LINTER)) == set()


def test_raw_sql_beside_a_driver_import_stays_deep(tmp_path):
    semantic = _semantic(make_repo(tmp_path, {
        **REPO, "shop/main.py": "import sqlite3\nfrom shop.service import load\n\n\n"
                                "def run():\n    return load(sqlite3.connect('shop.db'), 1)\n",
    }))
    assert {"shop/queries.py", "shop/repo.py", "shop/main.py"} <= semantic  # the SQL, its user, the driver


def test_raw_sql_in_a_subtree_of_a_project_declaring_its_driver_stays_deep(tmp_path):
    """No file here imports the driver (the connection comes in as a parameter), but the project
    declares it: the strings count."""
    semantic = _semantic(make_repo(tmp_path, {
        **REPO, "pyproject.toml": '[project]\nname = "shop"\ndependencies = ["psycopg2-binary>=2.9"]\n',
    }))
    assert {"shop/queries.py", "shop/repo.py"} <= semantic  # the SQL and the file that runs it


def test_a_test_only_declared_driver_does_not_count(tmp_path):
    semantic = _semantic(make_repo(tmp_path, {
        **LINTER, "pyproject.toml": '[project]\nname = "lint"\n[project.optional-dependencies]\n'
                                    'test = ["SQLAlchemy>=2"]\n',
    }))
    assert semantic == set()


def test_a_driver_imported_only_by_tests_does_not_count(tmp_path):
    """archlint's own tests import SQLAlchemy to compile the queries it lifts: not a data layer."""
    semantic = _semantic(make_repo(tmp_path, {
        **LINTER, "tests/test_rules.py": "import sqlalchemy\nfrom lint.rules import check\n\n\n"
                                         "def test_check():\n    assert check(str(sqlalchemy.text('SELECT 1')))\n",
    }))
    assert semantic == set()
