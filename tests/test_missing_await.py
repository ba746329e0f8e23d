"""AL809 missing-await: a Promise/coroutine used as if it were its value — and the properties every
object has (a Promise's `.constructor`, a coroutine's `__class__`), which are no misuse."""

from __future__ import annotations

from helpers import make_repo, report


def _al809(root, messages: bool = False):
    found = [f for f in report(root).findings if f.rule == "AL809"]
    return [(f.path, f.line, f.message) if messages else (f.path, f.line) for f in found]


def test_a_promise_read_as_its_value_and_the_properties_every_promise_has(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4"}}',
        "src/app.js": '''
            const express = require('express');
            const app = express();

            async function findUser(id) {
              return { id, name: 'x' };
            }

            const nativePromisePrototype = (async () => {})().constructor.prototype;

            app.get('/users/:id', async (req, res) => {
              const user = findUser(req.params.id);
              const kind = findUser(req.params.id).constructor.name;
              res.json({ name: user.name, kind });
            });

            module.exports = { app, nativePromisePrototype };
        ''',
    })
    assert _al809(root) == [("src/app.js", 13)]  # `user.name`; not `.constructor`


PRISMA_SCHEMA = '''
    datasource db {
      provider = "sqlite"
      url      = "file:dev.db"
    }

    model Article {
      id       Int       @id @default(autoincrement())
      slug     String    @unique
      comments Comment[]
    }

    model Comment {
      id        Int     @id @default(autoincrement())
      body      String
      articleId Int
      article   Article @relation(fields: [articleId], references: [id])
    }
'''


def test_prisma_fluent_relation_calls_on_an_unawaited_query_are_no_misuse(tmp_path):
    """``prisma.article.findUnique({ where }).comments()`` is Prisma's fluent API: the relation is
    read by the query itself (and is null when there is no article) — neither a Promise misread
    (AL809) nor a dereference of a null row (AL220).  ``.slug`` of the unawaited query is a misuse."""
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4", "@prisma/client": "^5"}}',
        "prisma/schema.prisma": PRISMA_SCHEMA,
        "src/app.js": '''
            const express = require('express');
            const { PrismaClient } = require('@prisma/client');
            const prisma = new PrismaClient();
            const app = express();
            app.use(express.json());
            app.get('/articles/:slug/comments', async (req, res) => {
              const comments = await prisma.article.findUnique({ where: { slug: req.params.slug } }).comments();
              res.json({ comments: comments ?? [] });
            });
            app.get('/articles/:slug', async (req, res) => {
              const article = prisma.article.findUnique({ where: { slug: req.params.slug } });
              res.json({ slug: article.slug });
            });
        ''',
    })
    found = report(root).findings
    assert [(f.rule, f.line) for f in found if f.rule in ("AL809", "AL220") and f.line == 7] == []
    assert ("src/app.js", 12) in _al809(root)


def test_an_unawaited_count_used_in_arithmetic(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4", "sequelize": "^6", "sqlite3": "^5"}}',
        "src/app.js": '''
            const express = require('express');
            const { Sequelize, DataTypes } = require('sequelize');

            const sequelize = new Sequelize('sqlite::memory:');
            const Article = sequelize.define('Article', { title: DataTypes.STRING });
            const app = express();

            app.get('/count', async (req, res) => {
              const total = Article.count();
              res.json({ count: total + 1, label: 'n=' + (await Article.count()) });
            });

            module.exports = app;
        ''',
    })
    assert _al809(root) == [("src/app.js", 10)]  # `total + 1`; the awaited count is fine


def test_a_closure_variable_holding_an_in_flight_promise_is_tested_for_existence(tmp_path):
    # Ghost's one-at-a-time.js: `promise = run()` in a closure over `let promise = null`, `if (promise)` asks
    # whether a run is in flight (another function sets it back to null); a local tested for truth is still AL809
    source = (
        "const { Sequelize } = require('sequelize');\n"
        "const sequelize = new Sequelize('sqlite::memory:');\n"
        "const oneAtATime = (fn) => {\n"
        "  let promise = null;\n"
        "  const run = async () => { await fn(); promise = null; };\n"
        "  return () => {\n"
        "    if (promise) return promise;\n"
        "    promise = run();\n"
        "    return promise;\n"
        "  };\n"
        "};\n"
        "async function load() { return sequelize.query('SELECT 1'); }\n"
        "function bad() {\n"
        "  const p = load();\n"
        "  if (p) return 1;\n"
        "  return 0;\n"
        "}\n"
        "module.exports = { oneAtATime, bad };\n"
    )
    root = make_repo(tmp_path, {"package.json": '{"dependencies": {"sequelize": "^6", "sqlite3": "^5"}}', "src/one.js": source})
    assert [(f.rule, f.line) for f in report(root).findings if f.rule == "AL809"] == [("AL809", 15)]


def test_sequelize_instance_set_is_synchronous(tmp_path):
    """`article.set({ title })` then `await article.save()` — Model#set returns the instance, no
    promise (a false AL211 before); a bare `article.save()` is still reported."""
    root = make_repo(tmp_path, {
        "package.json": '{"name": "app", "type": "module", "dependencies": {"express": "^4", "sequelize": "^6", "pg": "^8"}}',
        "src/models.js": """
            import { Sequelize, DataTypes } from 'sequelize';
            export const sequelize = new Sequelize('postgres://localhost/app');
            export const Article = sequelize.define('Article', { slug: DataTypes.STRING, title: DataTypes.STRING });
        """,
        "src/routes.js": """
            import express from 'express';
            import { Article } from './models.js';
            export const router = express.Router();
            router.put('/articles/:slug', async (req, res) => {
              const article = await Article.findOne({ where: { slug: req.params.slug } });
              if (!article) return res.sendStatus(404);
              article.set({ title: req.body.title });
              await article.save();
              res.json(article);
            });
            router.post('/articles/:slug/touch', async (req, res) => {
              const article = await Article.findOne({ where: { slug: req.params.slug } });
              if (!article) return res.sendStatus(404);
              article.save();
              res.json(article);
            });
        """,
    })
    assert sorted((f.rule, f.line) for f in report(root).findings if f.rule == "AL211") == [("AL211", 14)]


def test_a_dropped_write_in_a_transaction_callback_only_the_caller_types(tmp_path):
    """``tx.article.delete(…);`` in the ``$transaction(async (tx) => …)`` callback of a repository: the
    callback returns and the transaction commits before the delete runs — a PrismaPromise is lazy, so
    the delete never runs at all.  ``tx`` is typed only in the context of the route that calls the
    repository, so it is found through the write the handler reaches.  ``void`` discards a PrismaPromise
    unstarted: that write never runs either.  Look-alikes: a promise handed to ``.catch()`` / ``.then()``
    (both start it) — no finding."""
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4", "@prisma/client": "^5"}}',
        "prisma/schema.prisma": PRISMA_SCHEMA,
        "src/db.js": '''
            const { PrismaClient } = require('@prisma/client');
            module.exports = new PrismaClient();
        ''',
        "src/articles.js": '''
            class Articles {
              constructor(db) { this.db = db; }
              async remove(id) {
                await this.db.$transaction(async (tx) => {
                  await tx.comment.deleteMany({ where: { articleId: id } });
                  tx.article.delete({ where: { id } });
                });
              }
              async touch(id) {
                this.db.comment.deleteMany({ where: { articleId: id } }).catch(() => null);
                this.db.article.update({ where: { id }, data: { slug: 'x' } }).then(() => null);
                void this.db.article.update({ where: { id }, data: { slug: 'y' } });
              }
            }
            module.exports = Articles;
        ''',
        "src/app.js": '''
            const express = require('express');
            const db = require('./db');
            const Articles = require('./articles');
            const app = express();
            const articles = new Articles(db);
            app.delete('/articles/:id', async (req, res) => {
              await articles.remove(Number(req.params.id));
              await articles.touch(Number(req.params.id));
              res.status(204).end();
            });
            module.exports = app;
        ''',
    })
    findings = _al809(root, messages=True)
    assert [(path, line) for path, line, _message in findings] == [("src/articles.js", 6), ("src/articles.js", 12)]
    assert all("never reaches the database" in message for _path, _line, message in findings)


def test_a_repository_returning_an_unawaited_knex_builder_dropped_by_its_caller(tmp_path):
    """``this.users.unfollow(a, b);`` where ``unfollow`` returns ``this.knex('follows').where(…).del()``:
    a knex builder runs only when awaited, so the delete never happens.  Look-alikes: the same call awaited,
    a builder variable mutated as a statement and awaited later, a read dropped."""
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"koa": "^2", "@koa/router": "^12", "knex": "^3", "pg": "^8"}}',
        "src/db.js": '''
            const knex = require('knex');
            module.exports = knex({ client: 'pg', connection: process.env.DATABASE_URL });
        ''',
        "src/users.js": '''
            class Users {
              constructor(knex) { this.knex = knex; }
              unfollow(a, b) { return this.knex('follows').where({ follower_id: a, following_id: b }).del(); }
              byId(id) { return this.knex('users').where({ id }).first(); }
              async rename(id, name) {
                const query = this.knex('users').where({ id });
                query.update({ name });
                return await query;
              }
            }
            module.exports = Users;
        ''',
        "src/profiles.js": '''
            class Profiles {
              constructor({ users }) { this.users = users; }
              async unfollow(a, b) {
                this.users.unfollow(a, b);
                this.users.byId(b);
                await this.users.unfollow(b, a);
                await this.users.rename(a, 'x');
                return { following: false };
              }
            }
            module.exports = Profiles;
        ''',
        "src/routes.js": '''
            const Router = require('@koa/router');
            const db = require('./db');
            const Users = require('./users');
            const Profiles = require('./profiles');
            const profiles = new Profiles({ users: new Users(db) });
            const router = new Router();
            router.delete('/profiles/:id/follow', async (ctx) => {
              ctx.body = await profiles.unfollow(ctx.state.user.id, Number(ctx.params.id));
            });
            module.exports = router;
        ''',
    })
    assert _al809(root) == [("src/profiles.js", 4)]
