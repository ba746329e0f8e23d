"""A JS/TS barrel re-exports the data layer: ``export * from './users.js'`` and ``export * as users from
'./users.js'`` in ``repositories/index.js`` — the handlers importing through it still see the queries."""

from __future__ import annotations

import pytest

from helpers import findings, make_repo

FILES = {
    "package.json": '{"type": "module", "dependencies": {"express": "^4", "knex": "^3", "pg": "^8"}}',
    "src/db.js": "import knex from 'knex';\nexport const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });\n",
    "src/repositories/users.js": "import { db } from '../db.js';\nexport const findUserById = (id) => db('users').where({ id }).first();\n",
    "src/repositories/articles.js": "import { db } from '../db.js';\n"
                                    "export const listArticles = () => db('articles').select('id', 'author_id').orderBy('id').limit(20);\n",
}

APP = """
    import express from 'express';
    import {{ listArticles, {imported} }} from './repositories/index.js';
    const app = express();
    app.get('/articles', async (req, res) => {{
      const rows = await listArticles();
      for (const row of rows) {{
        row.author = await {call}(row.author_id);
      }}
      res.json(rows);
    }});
    app.get('/users/:id', async (req, res) => {{
      const user = await {call}(req.params.id);
      res.json({{ name: user.username }});
    }});
    app.listen(3000);
"""


@pytest.mark.parametrize("barrel, imported, call", [
    ("export * from './users.js';\nexport * from './articles.js';\n", "findUserById", "findUserById"),
    ("export * as users from './users.js';\nexport * from './articles.js';\n", "users", "users.findUserById"),
])
def test_queries_imported_through_a_barrel(tmp_path, barrel, imported, call):
    root = make_repo(tmp_path, {**FILES, "src/repositories/index.js": barrel,
                                "src/app.js": APP.format(imported=imported, call=call)})
    assert findings(root) == [("AL601", "src/app.js", 7), ("AL220", "src/app.js", 13)]
