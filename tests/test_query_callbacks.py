"""A callback given to a query builder reads the loop row from the enclosing scope: knex
``.where((qb) => qb.where('id', row.author_id))`` and Drizzle ``findFirst({ where: (u, { eq }) =>
eq(u.id, c.authorId) })`` run one query per row (AL601); a callback closing over a request value
before the loop is one query."""

from __future__ import annotations

from helpers import findings, make_repo

KNEX_PKG = '{"dependencies": {"@koa/router": "^12", "koa": "^2", "knex": "^3", "pg": "^8"}}'


def test_knex_where_callback_reading_the_row_is_a_query_per_row(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": KNEX_PKG,
        "src/db.js": "const knex = require('knex');\nmodule.exports = knex({ client: 'pg', connection: process.env.DATABASE_URL });\n",
        "src/routes.js": """
            const Router = require('@koa/router');
            const db = require('./db');
            const router = new Router();
            router.get('/a', async (ctx) => {
              const rows = await db('articles').select('id', 'author_id').orderBy('id').limit(20);
              for (const row of rows) {
                row.author = await db('users').where((qb) => qb.where('id', row.author_id)).first();
              }
              ctx.body = rows;
            });
            router.get('/b', async (ctx) => {
              const rows = await db('articles').select('id', 'author_id').orderBy('id').limit(20);
              const since = ctx.query.since;
              const recent = await db('users').where((qb) => qb.where('created_at', '>', since));
              ctx.body = { rows, recent };
            });
            module.exports = router;
        """,
    })
    assert findings(root) == [("AL601", "src/routes.js", 7)]


def test_drizzle_relational_where_callback_reading_the_row_is_a_query_per_row(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"type": "module", "dependencies": {"hono": "^4", "drizzle-orm": "^0.30", "pg": "^8"}}',
        "src/schema.ts": """
            import { integer, pgTable, serial, text } from 'drizzle-orm/pg-core';
            export const users = pgTable('users', { id: serial('id').primaryKey(), username: text('username').notNull() });
            export const comments = pgTable('comments', {
              id: serial('id').primaryKey(),
              body: text('body').notNull(),
              authorId: integer('author_id').notNull().references(() => users.id),
            });
        """,
        "src/db.ts": """
            import { drizzle } from 'drizzle-orm/node-postgres';
            import pg from 'pg';
            import * as schema from './schema';
            export const db = drizzle(new pg.Pool({ connectionString: process.env.DATABASE_URL }), { schema });
        """,
        "src/routes.ts": """
            import { Hono } from 'hono';
            import { db } from './db';
            import { comments } from './schema';
            export const routes = new Hono();
            routes.get('/comments', async (c) => {
              const rows = await db.select().from(comments);
              const out = await Promise.all(rows.map(async (row) => ({
                ...row,
                author: await db.query.users.findFirst({ where: (u, { eq }) => eq(u.id, row.authorId) }),
              })));
              return c.json(out);
            });
            routes.get('/authors', async (c) => {
              const rows = await db.select().from(comments);
              const ids = rows.map((row) => row.authorId);
              const authors = await db.query.users.findMany({ where: (u, { inArray }) => inArray(u.id, ids) });
              return c.json({ rows, authors });
            });
        """,
    })
    assert findings(root) == [("AL601", "src/routes.ts", 9)]
