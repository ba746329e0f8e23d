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
