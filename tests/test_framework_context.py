"""DB handles stored in a framework's context and read back in handlers: Express ``req.db`` set by
a middleware in another module, Fastify ``fastify.decorate('db', …)`` read as ``this.db``, Hono
``c.set('db', db)`` read as ``c.var.db``, Koa ``app.context.db`` — the per-row queries through them
are N+1; a slot nothing DB-like was written to stays unknown."""

from __future__ import annotations

from helpers import make_repo, report

KNEX = '{"dependencies": {"express": "^4", "knex": "^3", "pg": "^8"}}'


def rules(root, *wanted):
    return sorted((f.rule, f.path, f.line) for f in report(root).findings if f.rule in wanted)


def test_express_middleware_in_another_module_puts_knex_on_the_request(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": KNEX,
        "src/db.js": "module.exports = require('knex')({ client: 'pg', connection: process.env.DATABASE_URL });\n",
        "src/middleware.js": """
            const db = require('./db');
            module.exports = function attachDb(req, res, next) { req.db = db; next(); };
        """,
        "src/articles.js": """
            async function list(req, res) {
              const rows = await req.db('articles').orderBy('id').limit(20);
              for (const row of rows) {
                row.author = await req.db('users').where({ id: row.author_id }).first();
              }
              res.json(rows);
            }
            module.exports = { list };
        """,
        "src/app.js": """
            const express = require('express');
            const attachDb = require('./middleware');
            const { list } = require('./articles');
            const app = express();
            app.use(attachDb);
            app.get('/articles', list);
            app.listen(3000);
        """,
    })
    assert rules(root, "AL601") == [("AL601", "src/articles.js", 4)]


def test_a_request_slot_holding_something_else_stays_unknown(tmp_path):
    """``req.db`` is a knex instance in one app and a cache in another: the joined slot is not a DB
    handle, so the per-row ``req.db.get(id)`` is not a query; ``req.user`` (a row) is never a handle."""
    root = make_repo(tmp_path, {
        "package.json": KNEX,
        "src/db.js": "module.exports = require('knex')({ client: 'pg', connection: process.env.DATABASE_URL });\n",
        "src/app.js": """
            const express = require('express');
            const db = require('./db');
            const app = express();
            const admin = express();
            const cache = new Map();
            app.use((req, res, next) => { req.db = db; next(); });
            admin.use((req, res, next) => { req.db = cache; next(); });
            app.use(async (req, res, next) => { req.user = await db('users').where({ id: 1 }).first(); next(); });
            app.get('/articles', async (req, res) => {
              const rows = await db('articles').orderBy('id').limit(20);
              const out = [];
              for (const row of rows) {
                out.push({ ...row, cached: await req.db.get(row.id), me: req.user.load(row.id) });
              }
              res.json(out);
            });
            app.use('/admin', admin);
            app.listen(3000);
        """,
    })
    assert rules(root, "AL601", "AL603") == []


def test_fastify_decorator_from_a_plugin_module_read_as_this(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"fastify": "^4", "fastify-plugin": "^4", "knex": "^3", "pg": "^8"}}',
        "src/plugins/db.js": """
            const fp = require('fastify-plugin');
            module.exports = fp(async function (fastify) {
              fastify.decorate('knex', require('knex')({ client: 'pg', connection: process.env.DATABASE_URL }));
            });
        """,
        "src/routes.js": """
            module.exports = async function routes(fastify) {
              fastify.get('/articles', async function (request) {
                const rows = await this.knex('articles').orderBy('id').limit(20);
                return Promise.all(rows.map(async (row) => ({
                  ...row, author: await this.knex('users').where({ id: row.author_id }).first(),
                })));
              });
              fastify.get('/tags', async (request) => {
                const tags = await fastify.knex('tags').orderBy('name').limit(50);
                const counts = await fastify.knex('article_tags').whereIn('tag_id', tags.map((t) => t.id)).count('* as n');
                return { tags, counts };
              });
            };
        """,
        "src/server.js": """
            const app = require('fastify')({ logger: true });
            app.register(require('./plugins/db'));
            app.register(require('./routes'));
            app.listen({ port: 3000 });
        """,
    })
    assert rules(root, "AL601") == [("AL601", "src/routes.js", 5)]


def test_koa_app_context_and_hono_context_variables(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"koa": "^2", "@koa/router": "^13", "hono": "^4", "knex": "^3", "pg": "^8"}}',
        "src/db.js": "module.exports = require('knex')({ client: 'pg', connection: process.env.DATABASE_URL });\n",
        "src/koa.js": """
            const Koa = require('koa');
            const Router = require('@koa/router');
            const app = new Koa();
            const router = new Router();
            app.context.db = require('./db');
            router.get('/articles', async (ctx) => {
              const rows = await ctx.db('articles').orderBy('id').limit(20);
              for (const row of rows) {
                row.tags = await ctx.db('tags').where({ article_id: row.id });
              }
              ctx.body = rows;
            });
            app.use(router.routes());
            app.listen(3000);
        """,
        "src/hono.js": """
            const { Hono } = require('hono');
            const db = require('./db');
            const app = new Hono();
            app.use('*', async (c, next) => { c.set('db', db); await next(); });
            app.get('/articles', async (c) => {
              const rows = await c.var.db('articles').orderBy('id').limit(20);
              const authors = await c.get('db')('users').whereIn('id', rows.map((r) => r.author_id));
              return c.json({ rows, authors });
            });
            module.exports = app;
        """,
    })
    assert rules(root, "AL601") == [("AL601", "src/koa.js", 9)]


def test_prisma_implicit_many_to_many_relation_is_a_field(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4", "@prisma/client": "^5"}}',
        "prisma/schema.prisma": """
            datasource db {
              provider = "postgresql"
              url      = env("DATABASE_URL")
            }
            model Article {
              id   Int    @id @default(autoincrement())
              slug String @unique
              tags Tag[]
            }
            model Tag {
              id       Int       @id @default(autoincrement())
              name     String    @unique
              articles Article[]
            }
        """,
        "src/app.js": """
            const express = require('express');
            const { PrismaClient } = require('@prisma/client');
            const prisma = new PrismaClient();
            const app = express();
            app.get('/tags/:slug', async (req, res) => {
              res.json(await prisma.tag.findMany({ where: { articles: { some: { slug: req.params.slug } } }, take: 50, orderBy: { name: 'asc' } }));
            });
            app.get('/bad', async (req, res) => {
              res.json(await prisma.tag.findMany({ where: { posts: { some: { slug: 'x' } } }, take: 50, orderBy: { name: 'asc' } }));
            });
            app.listen(3000);
        """,
    })
    assert rules(root, "AL417") == [("AL417", "src/app.js", 9)]


def test_fastify_cli_layout_with_autoload_folders(tmp_path):
    """``fastify start app.js``: app.js registers ``@fastify/autoload`` over ``plugins/`` and ``routes/``;
    nothing imports the route modules, yet their handlers read the decorator.  A module outside the
    autoloaded folders with the same shape is not a plugin (its ``fastify`` stays unknown)."""
    route = """
        module.exports = async function (fastify, opts) {
          fastify.get('/', async function (request, reply) {
            const rows = await this.knex('articles').orderBy('id').limit(20)
            for (const row of rows) {
              row.author = await this.knex('users').where({ id: row.author_id }).first()
            }
            return rows
          })
        }
    """
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"fastify": "^4", "fastify-cli": "^6", "fastify-plugin": "^4", '
                        '"@fastify/autoload": "^5", "knex": "^3", "pg": "^8"}}',
        "app.js": """
            const path = require('node:path')
            const AutoLoad = require('@fastify/autoload')
            module.exports = async function (fastify, opts) {
              fastify.register(AutoLoad, { dir: path.join(__dirname, 'plugins'), options: Object.assign({}, opts) })
              fastify.register(AutoLoad, { dir: path.join(__dirname, 'routes'), options: Object.assign({}, opts) })
            }
        """,
        "plugins/knex.js": """
            const fp = require('fastify-plugin')
            module.exports = fp(async function (fastify, opts) {
              fastify.decorate('knex', require('knex')({ client: 'pg', connection: process.env.DATABASE_URL }))
            })
        """,
        "routes/articles/index.js": route,
        "scripts/articles.js": route,
    })
    assert rules(root, "AL601") == [("AL601", "routes/articles/index.js", 5)]


def test_sequelize_cli_registry_put_on_the_request(tmp_path):
    """``req.models = require('./models')`` (sequelize-cli's ``models/index.js``, whose keys are the
    models its loop registers next to ``db.Sequelize``): ``req.models.User.findByPk`` per row is N+1."""
    import shutil
    from pathlib import Path

    root = tmp_path / "app"
    shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures" / "sequelize-cli-bugs", root)
    app = root / "app.js"
    app.write_text(app.read_text().replace(
        "app.use(express.json());", "app.use(express.json());\napp.use((req, res, next) => { req.models = require('./models'); next(); });"))
    routes = root / "routes" / "articles.js"
    routes.write_text(routes.read_text().replace("await db.Article.findAll(", "await req.models.Article.findAll(", 1)
                      .replace("await db.User.findByPk(", "await req.models.User.findByPk("))
    assert "req.models.User" in routes.read_text()
    assert ("AL601", "routes/articles.js", 12) in rules(root, "AL601")


def test_a_slot_also_written_with_a_non_handle_object_is_not_a_handle(tmp_path):
    """``req.db`` is the knex instance in one application and an in-memory store (a class instance,
    known not to be a handle) in another: the same per-row ``req.db('users')`` call is not known to
    be a query.  The same loop over a slot only the knex instance is written to is an N+1."""
    root = make_repo(tmp_path, {
        "package.json": KNEX,
        "src/db.js": "module.exports = require('knex')({ client: 'pg', connection: process.env.DATABASE_URL });\n",
        "src/app.js": """
            const express = require('express');
            const db = require('./db');
            class MemoryStore { constructor() { this.rows = new Map(); } }
            const app = express();
            const demo = express();
            app.use((req, res, next) => { req.db = db; req.knex = db; next(); });
            demo.use((req, res, next) => { req.db = new MemoryStore(); next(); });
            app.get('/articles', async (req, res) => {
              const rows = await db('articles').orderBy('id').limit(20);
              for (const row of rows) {
                row.author = await req.db('users').where({ id: row.author_id }).first();
                row.editor = await req.knex('users').where({ id: row.editor_id }).first();
              }
              res.json(rows);
            });
            app.use('/demo', demo);
            app.listen(3000);
        """,
    })
    assert rules(root, "AL601") == [("AL601", "src/app.js", 12)]


def test_koa_and_express_application_properties_read_through_ctx_app_and_req_app(tmp_path):
    """Found on LimarenkoDenis/typescript-node-koa-realworld-example-app (dimonnwc3's koa-knex
    Conduit): ``db(app)`` stores ``app.db = knex(config)`` on the Koa application and every handler
    queries ``ctx.app.db('articles')`` — the whole data layer was untyped.  Express's ``req.app.db``
    is the same object property; a property holding no handle stays unknown."""
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"koa": "^2", "@koa/router": "^13", "express": "^4", "knex": "^3", "pg": "^8"}}',
        "src/db.js": """
            module.exports = function db (app) {
              app.db = require('knex')({ client: 'pg', connection: process.env.DATABASE_URL });
              app.keys = ['secret'];
              return async (ctx, next) => next();
            };
        """,
        "src/koa.js": """
            const Koa = require('koa');
            const Router = require('@koa/router');
            const db = require('./db');
            const app = new Koa();
            const router = new Router();
            router.get('/articles', async (ctx) => {
              const rows = await ctx.app.db('articles').orderBy('id').limit(20);
              for (const row of rows) {
                row.author = await ctx.app.db('users').where({ id: row.author_id }).first();
              }
              ctx.body = { rows, keys: ctx.app.keys.length };
            });
            app.use(db(app));
            app.use(router.routes());
            app.listen(3000);
        """,
        "src/express.js": """
            const express = require('express');
            const app = express();
            app.db = require('knex')({ client: 'pg', connection: process.env.DATABASE_URL });
            app.get('/tags', async (req, res) => {
              const tags = await req.app.db('tags').orderBy('name');
              res.json(await Promise.all(tags.map((tag) => req.app.db('article_tags').where({ tag_id: tag.id }).count('* as n'))));
            });
            app.listen(3000);
        """,
    })
    assert rules(root, "AL601") == [("AL601", "src/express.js", 6), ("AL601", "src/koa.js", 9)]
