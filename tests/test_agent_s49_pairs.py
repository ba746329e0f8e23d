"""The s49 agent-style pairs (issue 12): Conduit under Clean Architecture + a database + the required ORM, in
shapes the earlier fixtures do not have — use-case classes over a unit of work in a dataclass container
(aiohttp), a lazily-building TypeScript container with arrow-property controllers (Fastify), and generic
`BaseRepository<T>` subclasses bound to their model by `super(Model)` (Hono).  `archlint verify` must give every
stack verdict right on both twins; the focused tests pin the two general causes the pairs exposed."""

from __future__ import annotations

from pathlib import Path

import pytest

from archlint.adapters.frontends.javascript import extract
from archlint.application.pipeline import Options
from archlint.application.verify import parse_task, run_verify
from archlint.domain import ir
from helpers import findings, make_repo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ALL = {"framework": True, "architecture": True, "database": True, "orm": True}

CASES = [
    # a session in a controller (AL301) fails the architecture; asyncpg / pg / sqlite3 beside the ORM fails the ORM
    ("agent-aiohttp-usecase-container", "uv-aiohttp-openapi-clean_architecture-postgres-sqlalchemy",
     {**ALL, "architecture": False, "orm": False}, ALL),
    ("agent-fastify-ts-lazy-container", "node-fastify-openapi-clean_architecture-postgres-sequelize",
     {**ALL, "architecture": False, "orm": False}, ALL),
    ("agent-hono-base-repository", "node-hono-openapi-clean_architecture-sqlite-sequelize",
     {**ALL, "architecture": False, "orm": False}, ALL),
    ("agent-fastify-esm-define-registry", "node-fastify-openapi-clean_architecture-sqlite-sequelize",
     {**ALL, "architecture": False, "orm": False}, ALL),
]


@pytest.mark.parametrize("name, task, bugs, correct", CASES, ids=[case[0] for case in CASES])
def test_both_twins_get_the_right_verdicts(name, task, bugs, correct):
    for variant, expected in (("bugs", bugs), ("correct", correct)):
        result = run_verify(str(FIXTURES / f"{name}-{variant}"), parse_task(task), options=Options(use_cache=False))
        got = {verdict.constraint: verdict.compliant for verdict in result.verdicts}
        assert got == expected, (variant, [verdict.reason for verdict in result.verdicts])


_BASE_REPOSITORY_APP = {
    "package.json": '{"type": "commonjs", "dependencies": {"express": "^4", "sequelize": "^6", "sqlite3": "^5"}}',
    "src/models/index.js": """
        const { DataTypes, Sequelize } = require('sequelize');

        const sequelize = new Sequelize({ dialect: 'sqlite', storage: 'conduit.sqlite' });
        const User = sequelize.define('User', { username: DataTypes.STRING });
        const Article = sequelize.define('Article', { slug: DataTypes.STRING, authorId: DataTypes.INTEGER });

        module.exports = { sequelize, User, Article };
    """,
    "src/repositories/baseRepository.js": """
        class BaseRepository {
          constructor(model) {
            this.model = model;
          }

          findById(id) {
            return this.model.findByPk(id);
          }

          findAll(options = {}) {
            return this.model.findAll(options);
          }
        }

        module.exports = { BaseRepository };
    """,
    "src/repositories/index.js": """
        const { Article, User } = require('../models');
        const { BaseRepository } = require('./baseRepository');

        class UserRepository extends BaseRepository {
          constructor() {
            super(User);
          }
        }

        class ArticleRepository extends BaseRepository {
          constructor() {
            super(Article);
          }
        }

        module.exports = { UserRepository, ArticleRepository };
    """,
    "src/services/articleService.js": """
        const { ArticleRepository, UserRepository } = require('../repositories');

        const articles = new ArticleRepository();
        const users = new UserRepository();

        async function feed() {
          const rows = await articles.findAll({ order: [['id', 'DESC']], limit: 20 });
          const out = [];
          for (const row of rows) {
            const author = await users.findById(row.authorId);
            out.push({ slug: row.slug, author: author && author.username });
          }
          return out;
        }

        async function profile(id) {
          const user = await users.findById(id);
          return { username: user.username };
        }

        module.exports = { feed, profile };
    """,
    "src/routes/articles.js": """
        const express = require('express');
        const service = require('../services/articleService');

        const router = express.Router();
        router.get('/articles', async (req, res) => res.json({ articles: await service.feed() }));
        router.get('/users/:id', async (req, res) => res.json({ profile: await service.profile(Number(req.params.id)) }));

        module.exports = router;
    """,
    "src/app.js": """
        const express = require('express');
        const { sequelize } = require('./models');
        const articles = require('./routes/articles');

        const app = express();
        app.use('/api', articles);
        sequelize.sync().then(() => app.listen(3000));
    """,
}


def test_a_subclass_super_call_runs_the_base_constructor_on_this(tmp_path):
    """`class UserRepository extends BaseRepository { constructor() { super(User); } }` with the base storing
    `this.model = model`: the inherited `findById` is `User.findByPk` — a lookup per article (AL601) and an
    unchecked row (AL220).  Before, `super(…)` was an unknown call, `this.model` unknown, and both were silent."""
    root = make_repo(tmp_path / "base", _BASE_REPOSITORY_APP)
    assert findings(root) == [
        ("AL601", "src/services/articleService.js", 10),
        ("AL220", "src/services/articleService.js", 18),
    ]
    service = root / "src" / "services" / "articleService.js"
    service.write_text(service.read_text().replace("  return { username: user.username };", "  return user && { username: user.username };"))
    assert findings(root) == [("AL601", "src/services/articleService.js", 10)]


def test_a_subclass_without_a_project_base_constructor_stays_unknown(tmp_path):
    """A base with no constructor of its own (the field set elsewhere) is not invented: `super(User)` binds nothing."""
    files = dict(_BASE_REPOSITORY_APP)
    files["src/repositories/baseRepository.js"] = files["src/repositories/baseRepository.js"].replace(
        "          constructor(model) {\n            this.model = model;\n          }\n", "")
    root = make_repo(tmp_path / "nobase", files)
    assert findings(root) == []


def _statement_values(source: bytes) -> list:
    module = extract("a.ts", source, "typescript", ir=True).ir
    function = next(f for f in module.functions if f.name == "f")
    return [statement.value for statement in function.body]


def test_await_of_a_call_with_type_arguments_awaits_the_call():
    """tree-sitter-typescript parses `await sequelize.query<Row>(sql)` as `(await sequelize.query)<Row>(sql)`: the
    IR awaits the call on `sequelize.query` (and a whole chain after it), as TypeScript does — before, the call's
    callee was an `Await`, and a raw query in a controller was no DB access (AL301 missed)."""
    values = _statement_values(
        b"async function f() {\n"
        b"  const a = await sequelize.query<{ name: string }>('SELECT 1');\n"
        b"  const b = await sequelize.query('SELECT 1');\n"
        b"  const c = await repo.find<Row>(x).then(g);\n"
        b"}\n")
    for value, method in zip(values, ("query", "query", "then")):
        assert type(value) is ir.Await
        assert type(value.value) is ir.Call and type(value.value.func) is ir.Attr and value.value.func.name == method
    generic, plain = values[0].value, values[1].value
    assert generic.func.span.column == 19 and plain.func.span.column == 19  # the callee starts at `sequelize`
