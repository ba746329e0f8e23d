"""The deep scope counts a caller through the names it imports (issue 11): a name taken from a
barrel counts for the module that defines it, a re-export calls nothing, and a type-only import
counts only toward a file with data-layer marks of its own.  Through effect's barrels and type
imports the old scope (every importer, three levels up) reached 546 of its 626 modules."""

from __future__ import annotations

from archlint.application.pipeline import Options, run_check
from helpers import make_repo

JS = {
    "package.json": '{"type": "module", "dependencies": {"knex": "^3", "pg": "^8"}}',
    "src/db.js": "import knex from 'knex';\nexport const db = knex({ client: 'pg' });\n",
    "src/repo.js": "import { db } from './db.js';\nexport const findUser = (id) => db('users').where({ id }).first();\n",
    "src/util.js": "export const slug = (s) => s.toLowerCase();\n",
    "src/index.js": "export * from './repo.js';\nexport * from './util.js';\nexport { findUser as lookup } from './repo.js';\n"
                    "export * as users from './repo.js';\n",
    "src/plain.js": "import { slug } from './index.js';\nexport const title = (s) => slug(s);\n",
    "src/named.js": "import { findUser } from './index.js';\nexport const show = (id) => findUser(id);\n",
    "src/aliased.js": "import { lookup } from './index.js';\nexport const show = (id) => lookup(id);\n",
    "src/namespace.js": "import { users } from './index.js';\nexport const show = (id) => users.findUser(id);\n",
    "src/route.js": "import { show } from './named.js';\nexport const handler = (req) => show(req.id);\n",
    "src/handle.ts": "import type { db } from './db.js';\nexport function count(handle: typeof db) { return handle('users').count(); }\n",
    "src/typed.ts": "import type { findUser } from './repo.js';\nexport type Finder = typeof findUser;\n",
}

PY = {
    "app/db.py": "from sqlalchemy import create_engine\nengine = create_engine('sqlite://')\n",
    "app/repo.py": "from app.db import engine\n\n\ndef find_user(i):\n    return engine.execute('SELECT * FROM users WHERE id = ?', i)\n",
    "app/util.py": "def slug(s):\n    return s.lower()\n",
    "app/__init__.py": "from app.repo import find_user\nfrom app.util import slug\n",
    "app/plain.py": "from app import slug\n\n\ndef title(s):\n    return slug(s)\n",
    "app/named.py": "from app import find_user\n\n\ndef show(i):\n    return find_user(i)\n",
}


def _semantic(root) -> set[str]:
    return set(run_check([str(root)], Options(use_cache=False)).context.semantic)


def test_js_callers_through_a_barrel_by_the_names_they_import(tmp_path):
    semantic = _semantic(make_repo(tmp_path, JS))
    assert {"src/db.js", "src/repo.js", "src/named.js", "src/aliased.js", "src/namespace.js", "src/route.js"} <= semantic
    assert "src/handle.ts" in semantic  # the type of a DB handle annotates a parameter
    assert not semantic & {"src/plain.js", "src/index.js", "src/typed.ts", "src/util.js"}


def test_python_callers_through_a_package_init_by_the_names_they_import(tmp_path):
    semantic = _semantic(make_repo(tmp_path, PY))
    assert {"app/db.py", "app/repo.py", "app/named.py"} <= semantic
    assert "app/plain.py" not in semantic  # `slug` is util's, which reaches no database


def test_python_importers_of_a_plain_module_that_imports_the_name_still_count(tmp_path):
    """``from app.service import find_user`` where service.py took it from the repository: a
    caller of the service (one level up, as before), not lost because the name is the repo's."""
    semantic = _semantic(make_repo(tmp_path, {
        **PY, "app/service.py": "from app.repo import find_user\n\n\ndef load(i):\n    return find_user(i)\n",
        "app/route.py": "from app.service import find_user\n\n\ndef get(i):\n    return find_user(i)\n",
    }))
    assert {"app/service.py", "app/route.py"} <= semantic


# A repository that runs its SQL on a connection it is handed: planned for its SQL strings only
# (no driver import), so it holds no DB value of its own.
TEXT = {
    "app/db.py": "import sqlite3\n\n\ndef connect():\n    return sqlite3.connect('app.db')\n",
    "app/repo.py": "class NotFound(Exception):\n    pass\n\n\nPAGE = 20\n\n\n"
                   "def find_user(conn, i):\n    return conn.execute('SELECT * FROM users WHERE id = ?', (i,)).fetchone()\n\n\n"
                   "class UserRepo:\n    def __init__(self, conn):\n        self.conn = conn\n\n"
                   "    def get(self, i):\n        return find_user(self.conn, i)\n",
    # imports a class that reaches the SQL through a helper: it may run it
    "app/service.py": "from app.repo import UserRepo\n\n\ndef load(conn, i):\n    return UserRepo(conn).get(i)\n",
    # look-alikes: an exception and a constant carry no SQL; a caller of the service holds no DB value
    "app/errors.py": "from app.repo import NotFound, PAGE\n\n\ndef missing(i):\n    raise NotFound(i, PAGE)\n",
    "app/route.py": "from app.service import load\n\n\ndef get(conn, i):\n    return load(conn, i)\n",
    # the handler holds the connection: handler -> service -> repository
    "app/handler.py": "from app.db import connect\nfrom app.service import load\n\n\ndef show(i):\n    return load(connect(), i)\n",
    "app/cli.py": "from app.handler import show\n\n\ndef main():\n    return show(1)\n",
    # SQL text over a connection taken from the driver's file: a caller like any other, a level later
    "app/report.py": "from app.db import connect\n\n\ndef count():\n    return connect().execute('SELECT count(*) FROM users').fetchone()[0]\n",
    "app/summary.py": "from app.report import count\n\n\ndef line():\n    return f'{count()} users'\n",
    "app/page.py": "from app.summary import line\n\n\ndef render():\n    return line()\n",
}


def test_python_sql_text_files_count_their_sql_users_and_not_their_other_importers(tmp_path):
    """A file planned only for its SQL strings: its importers of names that may carry the SQL
    are read (they may run it), not its other importers, and nothing above them is read as a caller
    unless it reaches a file holding DB values — the chain a handler holding the connection starts."""
    semantic = _semantic(make_repo(tmp_path, TEXT))
    assert {"app/db.py", "app/repo.py", "app/service.py", "app/handler.py", "app/cli.py"} <= semantic
    assert {"app/report.py", "app/summary.py", "app/page.py"} <= semantic
    assert not semantic & {"app/errors.py", "app/route.py"}


def test_js_sql_text_files_keep_every_importer(tmp_path):
    """JS/TS importers of a data-layer file are planned deep already (``follow_names``): the rule for
    Python SQL-text files changes nothing there."""
    semantic = _semantic(make_repo(tmp_path, {
        "package.json": '{"type": "module", "dependencies": {"pg": "^8"}}',
        "src/db.js": "import pg from 'pg';\nexport const pool = new pg.Pool();\n",
        "src/repo.js": "export const NotFound = class extends Error {};\n"
                       "export const findUser = (conn, id) => conn.query('SELECT * FROM users WHERE id = $1', [id]);\n",
        "src/errors.js": "import { NotFound } from './repo.js';\nexport const missing = (id) => { throw new NotFound(id); };\n",
        "src/service.js": "import { findUser } from './repo.js';\nexport const load = (conn, id) => findUser(conn, id);\n",
        "src/route.js": "import { pool } from './db.js';\nimport { load } from './service.js';\nexport const show = (id) => load(pool, id);\n",
        "src/app.js": "import { show } from './route.js';\nexport const main = () => show(1);\n",
    }))
    assert {"src/db.js", "src/repo.js", "src/errors.js", "src/service.js", "src/route.js", "src/app.js"} <= semantic
