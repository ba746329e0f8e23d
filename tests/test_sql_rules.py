"""Embedded SQL rules per API: each case is a tiny repo with the bug and its look-alike fix."""

from __future__ import annotations

import pytest
from helpers import findings, make_repo, report

SQL_RULES = {f"AL4{n:02d}" for n in range(1, 15)} | {"AL502", "AL503"}


def sql_findings(root) -> list[tuple[str, str, int]]:
    return [f for f in findings(root) if f[0] in SQL_RULES]


CASES = {
    "psycopg2-qmark-and-missing-key": (
        {
            "db.py": """
                import psycopg2
                conn = psycopg2.connect("dbname=app")
                cur = conn.cursor()
                cur.execute("SELECT id FROM users WHERE email = ?", (email,))
                cur.execute("SELECT id FROM users WHERE email = %s", (email,))
                cur.execute("SELECT id FROM users WHERE email = %(email)s AND name = %(name)s", {"email": email})
                cur.execute("SELECT id FROM users WHERE email = %(email)s", {"email": email})
            """,
        },
        [("AL403", "db.py", 4), ("AL404", "db.py", 6)],
    ),
    "value-counts-read-from-the-ir": (
        {
            "db.py": """
                import sqlite3
                conn = sqlite3.connect("app.db")

                def run(uid, extra, kw, make):
                    conn.execute("SELECT id FROM users WHERE id = ?", (uid))
                    conn.execute("SELECT id FROM users WHERE id = ?", (make(uid)))
                    conn.execute("SELECT id FROM users WHERE id = ? AND a = ?", (uid, *extra))
                    conn.execute("SELECT id FROM users WHERE id = ? AND a = ?", [uid])
                    conn.execute("SELECT id FROM users WHERE id = :id AND a = :a", {"id": uid, **kw})
                    conn.execute("SELECT id FROM users WHERE id = :id AND a = :a", {"id": uid})
                    conn.executemany("UPDATE users SET a = ? WHERE id = ?", [(1, 2, 3)])
            """,
        },
        # ``(uid)`` is a bare value; ``(make(uid))`` may return a tuple; a starred element and a ``**``
        # entry make the count unknown; the short list, the missing key and the 3-value row are wrong
        [("AL404", "db.py", 5), ("AL404", "db.py", 8), ("AL404", "db.py", 10), ("AL404", "db.py", 11)],
    ),
    "asyncpg-varargs": (
        {
            "repo.py": """
                import asyncpg

                async def get(pool: asyncpg.Pool, a, b):
                    await pool.fetch("SELECT id FROM t WHERE a = $1 AND b = $2 ORDER BY id", a)
                    await pool.fetch("SELECT id FROM t WHERE a = $1 AND b = $2 ORDER BY id", a, b)
                    await pool.fetchrow("SELECT id FROM t WHERE a = $1 AND b = $1", a)
                    await pool.execute("SELECT id FROM t WHERE a = %s", a)
            """,
        },
        [("AL404", "repo.py", 4), ("AL403", "repo.py", 7)],
    ),
    "django-raw-rawsql-extra": (
        {
            "requirements.txt": "Django==5.1\n",
            "blog/models.py": """
                from django.db import models
                from django.db.models.expressions import RawSQL

                class Post(models.Model):
                    title = models.CharField(max_length=200)

                def search(term, order):
                    bad = Post.objects.raw(f"SELECT id, title FROM blog_post WHERE title = '{term}'")
                    good = Post.objects.raw("SELECT id, title FROM blog_post WHERE title = %s", [term])
                    wrong_style = Post.objects.annotate(n=RawSQL("SELECT COUNT(*) FROM blog_post WHERE id > ?", (1,)))
                    extra = Post.objects.extra(where=[f"title = '{term}'"])
                    fine = Post.objects.extra(where=["title = %s"], params=[term])
                    return bad, good, wrong_style, extra, fine
            """,
        },
        [("AL502", "blog/models.py", 8), ("AL403", "blog/models.py", 10), ("AL502", "blog/models.py", 11)],
    ),
    "sqlalchemy-text-from-request": (
        {
            "app/routes.py": """
                from flask import request
                from sqlalchemy import select, text
                from app.models import Article

                def listing(session):
                    stmt = select(Article).order_by(text(request.args["sort"]))
                    ok = select(Article).order_by(text("created_at DESC"))
                    return session.scalars(stmt).all(), ok
            """,
            "app/models.py": """
                from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

                class Base(DeclarativeBase):
                    pass

                class Article(Base):
                    __tablename__ = "articles"
                    id: Mapped[int] = mapped_column(primary_key=True)
            """,
        },
        [("AL503", "app/routes.py", 6)],
    ),
    "migrations-may-purge": (
        {
            "requirements.txt": "alembic==1.14\nSQLAlchemy==2.0\n",
            "migrations/versions/0002_reset.py": """
                from alembic import op

                def upgrade():
                    op.execute("UPDATE users SET token = NULL")
                    op.execute("DELETE FROM sessions")
                    op.execute("SELECT id name, FROM users")
            """,
        },
        [("AL401", "migrations/versions/0002_reset.py", 6)],
    ),
    "sql-that-never-reaches-a-sink": (
        {
            "app/repo.py": '''
                import logging
                import sqlite3

                log = logging.getLogger(__name__)
                URL = f"postgresql://{USER}:{PASSWORD}@{HOST}/app"

                def find(conn: sqlite3.Connection, email):
                    """SELECT * FROM users WHERE email = '{email}' — what this replaces."""
                    # cur.execute(f"SELECT * FROM users WHERE email = '{email}'")
                    log.info(f"SELECT * FROM users WHERE email = '{email}'")
                    message = f"UPDATE users SET x = 1 failed for {email}"
                    if not email:
                        raise ValueError(f"DELETE FROM users WHERE email = '{email}' refused")
                    return conn.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone(), message
            ''',
        },
        [],
    ),
    "untyped-cursor-in-a-driver-file": (
        {
            "app/repo.py": """
                import sqlite3

                def find(cursor, email):
                    cursor.execute(f"SELECT id FROM users WHERE email = '{email}'")
                    cursor.execute("SELECT id FROM users WHERE email = %s", (email,))
                    cursor.execute("SELECT id FROM users WHERE email = ?", (email,))
            """,
        },
        [("AL502", "app/repo.py", 4), ("AL403", "app/repo.py", 5)],
    ),
    "knex": (
        {
            "package.json": '{"dependencies": {"knex": "^3", "pg": "^8"}}',
            "src/db.js": """
                const knex = require('knex')({ client: 'pg', connection: process.env.DATABASE_URL });

                async function find(email, column, id) {
                  await knex('users').whereRaw(`email = '${email}'`);
                  await knex('users').whereRaw('email = ?', [email]);
                  await knex.raw('SELECT ?? FROM users WHERE id = ?', [column, id]);
                  await knex.raw('SELECT id FROM users WHERE id = $1', [id]);
                  await knex.raw('SELECT id FROM users WHERE id = ? AND email = ?', [id]);
                }
                module.exports = { knex, find };
            """,
        },
        [("AL502", "src/db.js", 4), ("AL403", "src/db.js", 7), ("AL404", "src/db.js", 8)],
    ),
    "mysql2": (
        {
            "package.json": '{"dependencies": {"mysql2": "^3"}}',
            "src/db.js": """
                const mysql = require('mysql2/promise');
                const pool = mysql.createPool(process.env.DATABASE_URL);

                async function run(id) {
                  await pool.query('SELECT id FROM users WHERE id = $1', [id]);
                  await pool.query('SELECT id FROM users WHERE id = ?', [id]);
                  await pool.query('UPDATE users SET a = 1 WHERE id = ?; UPDATE users SET b = 2 WHERE id = ?', [id, id]);
                  await pool.query("SELECT CONCAT(first, ' ', last) AS name FROM users WHERE id = ?", [id]);
                  await pool.query("SELECT first || ' ' || last AS name FROM users WHERE id = ?", [id]);
                }
                module.exports = { run };
            """,
        },
        [("AL403", "src/db.js", 5), ("AL413", "src/db.js", 7), ("AL402", "src/db.js", 9)],
    ),
    "better-sqlite3-and-node-sqlite3": (
        {
            "package.json": '{"dependencies": {"better-sqlite3": "^11", "sqlite3": "^5"}}',
            "src/a.js": """
                const Database = require('better-sqlite3');
                const db = new Database('app.db');
                db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY); CREATE INDEX IF NOT EXISTS ix ON t (id)');
                const stmt = db.prepare('DELETE FROM t WHERE id = ?; DELETE FROM t WHERE id > ?');
                module.exports = { stmt };
            """,
            "src/b.js": """
                const sqlite3 = require('sqlite3');
                const db = new sqlite3.Database('app.db');
                db.run('INSERT INTO t (id) VALUES (1); INSERT INTO t (id) VALUES (2)');
                db.get('SELECT id FROM t WHERE id = ?', [1], (err, row) => row);
                module.exports = { db };
            """,
        },
        [("AL413", "src/a.js", 4), ("AL413", "src/b.js", 3)],
    ),
    "node-sqlite3-callbacks-are-not-values": (
        {
            "package.json": '{"dependencies": {"sqlite3": "^5", "express": "^4"}}',
            "src/db.js": """
                const sqlite3 = require('sqlite3');
                const db = new sqlite3.Database('app.db');
                function byId(id, done) {
                  db.get('SELECT id FROM t WHERE id = ?', [id], function (err, row) {
                    done(err, row);
                  });
                }
                function byPair(a, done) {
                  db.all('SELECT id FROM t WHERE a = ?', done);
                }
                function all(done) {
                  db.all('SELECT id FROM t', done);
                }
                module.exports = { byId, byPair, all };
            """,
        },
        [("AL404", "src/db.js", 9)],
    ),
    "tagged-templates-are-parameterised": (
        {
            "package.json": '{"dependencies": {"postgres": "^3", "@prisma/client": "^5"}}',
            "src/db.js": """
                const postgres = require('postgres');
                const { PrismaClient, Prisma } = require('@prisma/client');
                const sql = postgres(process.env.DATABASE_URL);
                const prisma = new PrismaClient();

                async function find(email, id) {
                  await sql`SELECT id FROM users WHERE email = ${email}`;
                  await prisma.$queryRaw`SELECT id FROM users WHERE id = ${id}`;
                  await prisma.$queryRaw(Prisma.sql`SELECT id FROM users WHERE id = ${id}`);
                  await prisma.$queryRawUnsafe(`SELECT id FROM users WHERE email = '${email}'`);
                  await prisma.$queryRawUnsafe('SELECT id FROM users WHERE id = $1', id);
                }
                module.exports = { find };
            """,
        },
        [("AL502", "src/db.js", 10)],
    ),
    "purges-and-table-helpers": (
        {
            "app/store.py": """
                import sqlite3


                class Sessions:
                    def __init__(self, conn: sqlite3.Connection):
                        self.conn = conn

                    def clear(self):
                        self.conn.execute("DELETE FROM sessions")

                    def clear_for(self, user_id):
                        self.conn.execute("DELETE FROM sessions")


                def truncate(conn: sqlite3.Connection, table):
                    conn.execute(f"DELETE FROM {quote_ident(table)}")
                    conn.execute("UPDATE sessions SET seen = 1" + (" WHERE id = 1" if table else ""))


                def reset_db(conn: sqlite3.Connection):
                    conn.execute("DELETE FROM sessions")


                def delete_all_users(conn: sqlite3.Connection):
                    conn.execute("DELETE FROM sessions")


                class Expiry:
                    def __init__(self, conn: sqlite3.Connection):
                        self.conn = conn

                    def cleanup_expired(self):
                        self.conn.execute("DELETE FROM sessions")
            """,
        },
        # reset_db takes only its connection: every row is meant (the same table as lifted
        # queries, rules/knowledge/sql_dialects.toml [[purge_function]]), and delete_all_users
        # empties the users' sessions too (open-webui's delete_all_groups deleting group_member);
        # cleanup_expired names rows it forgot to pick
        [("AL405", "app/store.py", 12), ("AL405", "app/store.py", 33)],
    ),
    "camel-case-purges-over-quoted-table-names": (  # n8n 2.8 e2e.controller truncateAll()
        {
            "package.json": '{"dependencies": {"typeorm": "^0.3.20"}}',
            "src/e2e.js": """
                const TABLES = ['user', 'workflow_entity'];
                class E2EController {
                    constructor(connection) { this.connection = connection; }
                    async truncateAll() {
                        for (const table of TABLES) {
                            await this.connection.query(`DELETE FROM "${table}";`);
                        }
                    }
                    async resetOwner(ownerId) {
                        for (const table of TABLES) {
                            await this.connection.query(`DELETE FROM "${table}";`);
                        }
                    }
                }
                module.exports = { E2EController };
            """,
        },
        [("AL405", "src/e2e.js", 11)],
    ),
    "quote-doubling-escape-before-a-quoted-literal": (  # peewee 3.18 playhouse/sqlcipher_ext.py
        {
            "app/db.py": """
                import sqlite3


                def connect(path, params):
                    passphrase = params.pop("passphrase", "").replace("'", "''")
                    conn = sqlite3.connect(path)
                    conn.execute("PRAGMA key='%s'" % passphrase)
                    return conn


                def connect_raw(path, params):
                    passphrase = params.pop("passphrase", "").replace("'", "")
                    conn = sqlite3.connect(path)
                    conn.execute("PRAGMA key='%s'" % passphrase)
                    return conn
            """,
        },
        # doubling the quote is SQL's escape inside a quoted literal; stripping quotes changes the
        # value and is not an escape the rule knows
        [("AL502", "app/db.py", 14)],
    ),
    "js-key-checked-by-a-word-regex": (  # payload's drizzle utilities/json.js jsonBuildObject
        {
            "package.json": '{"name": "x", "dependencies": {"drizzle-orm": "0.44", "pg": "8"}}',
            "src/json.js": """
                import { sql } from 'drizzle-orm';

                const SAFE_KEY = /^\\w+$/;

                export function buildObject(shape) {
                  const chunks = [];
                  Object.entries(shape).forEach(([key, value]) => {
                    if (!SAFE_KEY.test(key)) throw new Error('unsafe key');
                    chunks.push(sql.raw(`'${key}',`));
                    chunks.push(sql`${value}`);
                  });
                  return sql`json_build_object(${sql.join(chunks)})`;
                }

                export function lines(shape) {
                  const chunks = [];
                  Object.entries(shape).forEach(([key, value]) => {
                    if (!/^\\w+$/m.test(key)) throw new Error('unsafe key');
                    chunks.push(sql.raw(`'${key}',`));
                    chunks.push(sql`${value}`);
                  });
                  return sql`json_build_object(${sql.join(chunks)})`;
                }

                export function anything(shape) {
                  const chunks = [];
                  Object.entries(shape).forEach(([key, value]) => {
                    if (!/^.+$/.test(key)) throw new Error('empty key');
                    chunks.push(sql.raw(`'${key}',`));
                    chunks.push(sql`${value}`);
                  });
                  return sql`json_build_object(${sql.join(chunks)})`;
                }
            """,
        },
        # a multiline regex passes a second line, `.+` anything
        [("AL502", "src/json.js", 19), ("AL502", "src/json.js", 29)],
    ),
    "js-compiled-template-literal-string-concat": (  # medusa 1.x dist: tsc's ES5 output of a template literal
        {
            "package.json": '{"name": "x", "dependencies": {"typeorm": "0.2", "pg": "8"}}',
            "lib/users.js": """
                var CODE = 'de';
                function UserRepository(queryRunner) { this.queryRunner = queryRunner; }
                UserRepository.prototype.byName = function (req) {
                  return this.queryRunner.query("SELECT id FROM users WHERE name = '".concat(req.query.name, "'"));
                };
                UserRepository.prototype.dropGerman = function () {
                  return this.queryRunner.query("DELETE FROM \\"country\\" WHERE iso_2 = '".concat(CODE, "'"));
                };
                UserRepository.prototype.list = function () {
                  return this.queryRunner.query(["SELECT id FROM users"].concat(["ORDER BY id"]).join(" "));
                };
                module.exports = UserRepository;
            """,
        },
        # the literal receiver alone was the SQL text (`… = '`: an AL401 syntax error on every line); the
        # text is the literal and the arguments: a request value is an injection, a constant is not
        [("AL502", "lib/users.js", 4)],
    ),
    "js-module-function-destructured-field-every-caller-fills-with-a-constant": (  # medusa migration-scripts
        {
            "package.json": '{"name": "x", "dependencies": {"knex": "3", "pg": "8"}}',
            "src/migrate.js": """
                const knex = require('knex')({ client: 'pg' });

                async function rewriteIds({ tableName, prefix, trx }) {
                  return trx.raw(`select id from "${tableName}" where id not like ?`, [`${prefix}_%`]);
                }

                async function countRows({ tableName, trx }) {
                  return trx.raw(`select count(*) from "${tableName}"`);
                }

                async function migrate(table) {
                  await knex.transaction(async (trx) => {
                    await rewriteIds({ tableName: 'product_option', prefix: 'opt', trx });
                    await rewriteIds({ tableName: 'product_option_value', prefix: 'optval', trx });
                    await countRows({ tableName: table, trx });
                  });
                }

                module.exports = { migrate };
            """,
        },
        # rewriteIds is not exported and both its calls pass a literal; countRows gets the caller's parameter
        [("AL502", "src/migrate.js", 8)],
    ),
    "private-helpers-every-caller-fills-with-a-constant": (  # sqlalchemy 2.0 mysql/base.py _fetch_setting
        {
            "requirements.txt": "pymysql\n",
            "app/dialect.py": """
                import pymysql


                class Dialect:
                    def _fetch_setting(self, connection, setting_name):
                        cursor = connection.cursor()
                        cursor.execute("SELECT @@%s" % setting_name)
                        return cursor.fetchone()

                    def lower_case_table_names(self, connection):
                        return self._fetch_setting(connection, "lower_case_table_names")

                    def sql_mode(self, connection):
                        return self._fetch_setting(connection, setting_name="sql_mode")

                    def _read_variable(self, connection, name):
                        cursor = connection.cursor()
                        cursor.execute("SELECT @@%s" % name)
                        return cursor.fetchone()

                    def variable(self, connection, name):
                        return self._read_variable(connection, name)

                    def fetch_public(self, connection, setting_name):
                        cursor = connection.cursor()
                        cursor.execute("SELECT @@%s" % setting_name)
                        return cursor.fetchone()

                    def charset(self, connection):
                        return self.fetch_public(connection, "character_set_client")
            """,
        },
        # _read_variable gets its caller's argument; fetch_public is public (callers outside the
        # program may pass anything) although the one call here passes a literal
        [("AL502", "app/dialect.py", 18), ("AL502", "app/dialect.py", 26)],
    ),
    "values-checked-against-a-constant-allow-list": (
        {
            "requirements.txt": "asyncpg\n",
            "app/repo.py": """
                import asyncpg
                from fastapi import HTTPException

                ALLOWED_SORTS = {"created_at", "title"}


                async def checked(pool: asyncpg.Pool, sort: str):
                    if sort not in ALLOWED_SORTS:
                        raise HTTPException(status_code=400, detail="bad sort")
                    return await pool.fetch(f"SELECT id, title FROM articles ORDER BY {sort} DESC")


                async def inside(pool: asyncpg.Pool, sort: str, direction: str):
                    if sort in ("created_at", "title") and direction in ("ASC", "DESC"):
                        return await pool.fetch(f"SELECT id FROM articles ORDER BY {sort} {direction}")
                    return []


                async def logged_only(pool: asyncpg.Pool, sort: str):
                    if sort not in ALLOWED_SORTS:
                        print("odd sort", sort)
                    return await pool.fetch(f"SELECT id, title FROM articles ORDER BY {sort} DESC")


                async def against_the_caller(pool: asyncpg.Pool, sort: str, allowed):
                    if sort not in allowed:
                        raise HTTPException(status_code=400)
                    return await pool.fetch(f"SELECT id, title FROM articles ORDER BY {sort} DESC")


                async def one_of_two(pool: asyncpg.Pool, sort: str, direction: str):
                    if sort in ALLOWED_SORTS or direction == "ASC":
                        return await pool.fetch(f"SELECT id FROM articles ORDER BY {sort} {direction}")
                    return []


                async def fallback(pool: asyncpg.Pool, sort: str, direction: str):
                    if sort not in ALLOWED_SORTS:
                        sort = "created_at"
                    direction = direction if direction in ("ASC", "DESC") else "DESC"
                    return await pool.fetch(f"SELECT id FROM articles ORDER BY {sort} {direction}")


                async def fallback_to_input(pool: asyncpg.Pool, sort: str, other: str):
                    if sort not in ALLOWED_SORTS:
                        sort = other
                    return await pool.fetch(f"SELECT id FROM articles ORDER BY {sort}")
            """,
            "src/repo.js": """
                const { Pool } = require('pg');
                const pool = new Pool();
                const SORTS = ['created_at', 'title'];
                async function checked(sort) {
                  if (!SORTS.includes(sort)) throw new Error('bad sort');
                  return pool.query(`SELECT id, title FROM articles ORDER BY ${sort} DESC`);
                }
                async function journal(options) {
                  if (options.schema && ['public', 'app'].indexOf(options.schema) !== -1) {
                    await pool.query(`SET search_path TO ${options.schema}`);
                  }
                }
                async function reassigned(sort, fallback) {
                  if (!SORTS.includes(sort)) throw new Error('bad sort');
                  sort = fallback;
                  return pool.query(`SELECT id, title FROM articles ORDER BY ${sort} DESC`);
                }
                async function fallback(sort) {
                  const orderBy = SORTS.includes(sort) ? sort : 'created_at';
                  return pool.query(`SELECT id, title FROM articles ORDER BY ${orderBy} DESC`);
                }
                async function notFound(sort) {
                  if (SORTS.indexOf(sort) === -1) {
                    return pool.query(`SELECT id, title FROM articles ORDER BY ${sort} DESC`);
                  }
                }
                module.exports = { checked, journal, reassigned, notFound };
            """,
            "package.json": '{"dependencies": {"pg": "^8"}}',
        },
        # a check that only logs, a list the caller passes, one alternative of an `or`, a fallback
        # to another input, a value reassigned after its check and the branch where it is *not* a
        # member still splice input; a fallback to a constant (statement or conditional) does not
        [("AL502", "app/repo.py", 22), ("AL502", "app/repo.py", 28), ("AL502", "app/repo.py", 33), ("AL502", "app/repo.py", 47),
         ("AL502", "src/repo.js", 16), ("AL502", "src/repo.js", 24)],
    ),
    "typeorm-escaped-table-paths-and-view-definitions": (  # typeorm 0.3 tree executors, createViewSql
        {
            "package.json": '{"dependencies": {"typeorm": "^0.3.20"}}',
            "src/executor.js": """
                class Executor {
                    constructor(queryRunner) { this.queryRunner = queryRunner; }
                    async remove(metadata, id) {
                        const tableName = this.getTableName(metadata.tablePath);
                        await this.queryRunner.query(`DELETE FROM ${tableName} WHERE id = $1`, [id]);
                    }
                    async removeRaw(metadata, id) {
                        const tableName = this.rawName(metadata.tablePath);
                        await this.queryRunner.query(`DELETE FROM ${tableName} WHERE id = $1`, [id]);
                    }
                    async createView(view) {
                        await this.queryRunner.query(`CREATE VIEW ${this.getTableName(view.name)} AS ${view.expression}`);
                    }
                    async isRoot(metadata, parent) {
                        const escape = (alias) => this.queryRunner.connection.driver.escape(alias);
                        const params = metadata.joinColumns.map((column) => column.getEntityValue(parent));
                        const where = metadata.joinColumns.map((column, i) =>
                            `${escape(column.databaseName)} = ${this.queryRunner.connection.driver.createParameter("entity", i)}`
                        ).join(" AND ");
                        return this.queryRunner.query(`SELECT COUNT(1) FROM ${this.getTableName(metadata.tablePath)} WHERE ${where}`, params);
                    }
                    async viewFromRequest(req) {
                        await this.queryRunner.query(`CREATE VIEW report AS ${req.body.sql}`);
                    }
                    getTableName(tablePath) {
                        return tablePath
                            .split(".")
                            .map((i) => {
                            return i === ""
                                ? i
                                : this.queryRunner.connection.driver.escape(i);
                        })
                            .join(".");
                    }
                    rawName(tablePath) {
                        return tablePath
                            .split(".")
                            .map((i) => {
                            return i === ""
                                ? this.queryRunner.connection.driver.escape(i)
                                : i;
                        })
                            .join(".");
                    }
                }
                module.exports = { Executor };
            """,
        },
        # getTableName quotes every part of the path (the "" part it keeps is the constant it equals);
        # rawName escapes only the empty part; a view's defining query is SQL by design, request data is not
        # createParameter is the driver's placeholder for a bound value
        [("AL502", "src/executor.js", 9), ("AL502", "src/executor.js", 23)],
    ),
    "management-command-options-argparse-converts": (
        {
            "requirements.txt": "django==5.0\npsycopg==3.2\n",
            "app/management/commands/locked_migrate.py": """
                from django.core.management.base import BaseCommand
                from django.db import connection

                class Command(BaseCommand):
                    def add_arguments(self, parser):
                        parser.add_argument("--migrate-lock-id", default=1000, type=int)
                        parser.add_argument("--verbose-sql", action="store_true")
                        parser.add_argument("--lock-name", default="migrations")

                    def handle(self, *args, **options):
                        lock_id = options["migrate_lock_id"]
                        verbose = options.get("verbose_sql")
                        name = options["lock_name"]
                        with connection.cursor() as cursor:
                            cursor.execute(f"SELECT pg_advisory_xact_lock({lock_id})")
                            cursor.execute(f"SELECT {verbose} AS verbose")
                            cursor.execute(f"SELECT pg_advisory_xact_lock(hashtext('{name}'))")
            """,
        },
        # argparse converts a type=int option to a number and a store_true one to a bool; a plain
        # option is the operator's text
        [("AL502", "app/management/commands/locked_migrate.py", 17)],
    ),
    "dialect-specific-directories": (
        {
            "requirements.txt": "psycopg==3.2\n",
            "app/db.py": "import psycopg\nconn = psycopg.connect('dbname=app')\n",
            "app/backends/sqlite3/introspection.py": """
                def columns(cursor, table):
                    cursor.execute("PRAGMA table_info(users)")
            """,
            "app/backends/oracle/introspection.py": """
                def columns(cursor):
                    cursor.execute("SELECT `column_name` FROM user_tab_cols WHERE ROWNUM <= 10")
            """,
            "app/maintenance.py": """
                import psycopg

                def vacuum(conn: psycopg.Connection):
                    conn.execute("PRAGMA optimize")
            """,
        },
        [("AL402", "app/maintenance.py", 4)],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_sql_rule_cases(tmp_path, name):
    files, expected = CASES[name]
    make_repo(tmp_path, files)
    assert sql_findings(tmp_path) == expected


def test_finding_points_at_the_line_inside_a_multiline_string(tmp_path):
    make_repo(
        tmp_path,
        {
            "repo.py": '''
                import sqlite3

                def stale(conn: sqlite3.Connection):
                    return conn.execute(
                        """
                        SELECT id
                        FROM users
                        WHERE deleted_at = NULL
                        """
                    ).fetchall()
            ''',
        },
    )
    (finding,) = [f for f in report(tmp_path).findings if f.rule == "AL407"]
    assert (finding.line, finding.column) == (8, 26)


def test_a_constant_used_by_two_sinks_is_reported_once(tmp_path):
    make_repo(
        tmp_path,
        {
            "queries.py": 'STALE = "SELECT id FROM users WHERE deleted_at = NULL"\n',
            "repo.py": """
                import sqlite3
                from queries import STALE

                def a(conn: sqlite3.Connection):
                    return conn.execute(STALE).fetchall()

                def b(conn: sqlite3.Connection):
                    return conn.execute(STALE).fetchone()
            """,
        },
    )
    assert sql_findings(tmp_path) == [("AL407", "queries.py", 1)]


def test_unknown_tables_against_orm_models_are_only_near_misses(tmp_path):
    make_repo(
        tmp_path,
        {
            "app/models.py": """
                from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

                class Base(DeclarativeBase):
                    pass

                class User(Base):
                    __tablename__ = "users"
                    id: Mapped[int] = mapped_column(primary_key=True)
                    email: Mapped[str] = mapped_column()
            """,
            "app/repo.py": """
                from sqlalchemy import text
                from sqlalchemy.orm import Session

                def run(session: Session):
                    session.execute(text("SELECT id FROM user WHERE email = :e"), {"e": 1})
                    session.execute(text("SELECT name FROM tags ORDER BY name"))
                    session.execute(text("SELECT emial FROM users WHERE id = :id"), {"id": 1})
            """,
        },
    )
    assert sql_findings(tmp_path) == [("AL411", "app/repo.py", 5), ("AL412", "app/repo.py", 7)]


def test_columns_a_declarative_base_declares_belong_to_every_model(tmp_path):
    """prefect's ``Base(DeclarativeBase)`` declares ``id``/``created`` and derives ``__tablename__``
    from the class name: raw SQL reading ``id`` is right (53 false AL412 on prefect's server before);
    a misspelt column is still reported."""
    make_repo(
        tmp_path,
        {
            "app/models.py": """
                import re
                import uuid

                import sqlalchemy as sa
                from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

                camel_to_snake = re.compile(r"(?<!^)(?=[A-Z])")

                class Base(DeclarativeBase):
                    @declared_attr
                    def __tablename__(cls):
                        return camel_to_snake.sub("_", cls.__name__).lower()

                    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
                    created = sa.Column(sa.DateTime, nullable=False)

                class FlowRunState(Base):
                    name = sa.Column(sa.String, nullable=False)
            """,
            "app/repo.py": """
                import sqlalchemy as sa

                async def names(session):
                    rows = await session.execute(sa.text("SELECT id, created, name FROM flow_run_state WHERE name = :n"), {"n": "x"})
                    typo = await session.execute(sa.text("SELECT id, nmae FROM flow_run_state"))
                    return rows.all(), typo.all()
            """,
        },
    )
    assert sql_findings(tmp_path) == [("AL412", "app/repo.py", 5)]


def test_a_double_quoted_string_on_sqlite_is_reported_as_the_quirk_it_is(tmp_path):
    """SQLite reads a double-quoted name that is no column as a string (prefect's migration
    ``DELETE FROM block_type WHERE name = "Debug Print Notification"``): no error by default, so the
    finding says so instead of promising a 'no such column' failure."""
    make_repo(
        tmp_path,
        {
            "app/db.py": """
                import sqlite3

                conn = sqlite3.connect("app.db")
                conn.execute("CREATE TABLE block_type (id INTEGER PRIMARY KEY, name TEXT)")

                def drop_debug():
                    conn.execute('DELETE FROM block_type WHERE name = "Debug Print"')

                def drop_bad():
                    conn.execute("DELETE FROM block_type WHERE nmae = 'x'")
            """,
        },
    )
    found = {f.line: f for f in report(tmp_path).findings if f.rule == "AL412"}
    assert sorted(found) == [7, 10]
    assert "as the string 'Debug Print'" in found[7].message and "single quotes" in found[7].guidance
    assert "no such column" in found[10].message


def test_sql_files_open_the_schema(tmp_path):
    make_repo(
        tmp_path,
        {
            "schema.sql": "CREATE TABLE extra (id INTEGER);\n",
            "repo.py": """
                import sqlite3
                SCHEMA = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)"

                def run(conn: sqlite3.Connection):
                    conn.execute(SCHEMA)
                    return conn.execute("SELECT id FROM extra WHERE id = ?", (1,)).fetchall()
            """,
        },
    )
    assert sql_findings(tmp_path) == []


def test_names_resolve_through_their_assignments(tmp_path):
    make_repo(
        tmp_path,
        {
            "repo.py": """
                import psycopg
                GET_A = "SELECT id FROM a WHERE x = NULL"
                GET_B = "SELECT id FROM b WHERE y = 1"
                stale_rows = "SELECT id FROM c WHERE z = NULL"
                TUNE_A = "PRAGMA optimize"
                TUNE_B = "PRAGMA quick_check"
                MAINTENANCE = "PRAGMA optimize"


                def run(conn: psycopg.Connection, stmt):
                    conn.execute(GET_A)
                    conn.execute(stale_rows)
                    sql = "DELETE FROM d"
                    conn.execute(sql)
                    conn.execute(stmt)
                    conn.execute(TUNE_A)
                    conn.execute(MAINTENANCE)
            """,
        },
    )
    # Every name is read from its own assignment (PRAGMA statements included): `sql` is the whole
    # statement, and TUNE_A and MAINTENANCE are both PostgreSQL-incompatible PRAGMAs.
    assert sql_findings(tmp_path) == [
        ("AL407", "repo.py", 2), ("AL407", "repo.py", 4), ("AL402", "repo.py", 5), ("AL402", "repo.py", 7),
        ("AL405", "repo.py", 13),
    ]


def _located(root) -> list[tuple[str, int, int]]:
    return [(f.rule, f.line, f.column) for f in report(root).findings if f.rule in SQL_RULES]


def test_sql_built_in_steps_python(tmp_path):
    make_repo(
        tmp_path,
        {
            "repo.py": """
                import sqlite3


                def search(conn: sqlite3.Connection, author, term):
                    sql = "SELECT id FROM users WHERE 1 = 1"
                    params = []
                    if author:
                        sql += f" AND username = '{author}'"
                    if term:
                        sql += " AND bio ILIKE ?"
                        params.append(term)
                    return conn.execute(sql, params).fetchall()


                def bound(conn: sqlite3.Connection, author):
                    sql = "SELECT id FROM users WHERE 1 = 1"
                    if author:
                        sql += " AND username = ?"
                    sql = sql + " ORDER BY id"
                    return conn.execute(sql, (author,)).fetchall()


                def maybe_everyone(conn: sqlite3.Connection, bio, uid):
                    sql = "UPDATE users SET bio = ?"
                    if uid:
                        sql += " WHERE id = ?"
                    conn.execute(sql, (bio, uid))


                def everyone(conn: sqlite3.Connection, bio):
                    sql = "UPDATE users SET bio = ?"
                    sql += " RETURNING id"
                    conn.execute(sql, (bio,))


                def one(conn: sqlite3.Connection, bio, uid):
                    sql = "UPDATE users SET bio = ?"
                    sql += " WHERE id = ?"
                    conn.execute(sql, (bio,))


                def opaque(conn: sqlite3.Connection, build, extra):
                    sql = "DELETE FROM users"
                    sql = build(sql)
                    conn.execute(sql)
                    extra += " WHERE id = NULL"
                    conn.execute(extra)


                def unfinished(conn: sqlite3.Connection, where):
                    sql = "DELETE FROM users WHERE "
                    sql += where
                    conn.execute(sql, (1, 2))
            """,
        },
    )
    assert _located(tmp_path) == [
        ("AL502", 8, 35),  # `{author}` in the appended f-string
        ("AL402", 10, 26),  # ILIKE in the fragment appended under `if term:`
        ("AL405", 31, 12),  # every step unconditional: the whole statement has no WHERE
        ("AL404", 37, 35),  # 2 placeholders (one appended), 1 value
    ]


def test_sql_built_in_steps_javascript(tmp_path):
    make_repo(
        tmp_path,
        {
            "package.json": '{"dependencies": {"pg": "^8"}}',
            "repo.js": """
                const { Pool } = require('pg');
                const pool = new Pool({ connectionString: 'postgres://app@localhost/app' });

                async function search(req) {
                  let sql = 'SELECT id FROM users WHERE true';
                  if (req.query.name) {
                    sql += ` AND username = '${req.query.name}'`;
                  }
                  sql += ' ORDER BY id';
                  sql += ` LIMIT ${Number(req.query.offset)}, 20`;
                  return pool.query(sql);
                }

                async function touch(id) {
                  let sql = 'UPDATE users SET seen = now()';
                  sql = sql + ' WHERE id = $1';
                  await pool.query(sql, [id]);
                }

                async function touchAll(id) {
                  let sql = 'DELETE FROM sessions';
                  await pool.query(sql);
                }
            """,
        },
    )
    assert _located(tmp_path) == [
        ("AL502", 7, 30),  # `${req.query.name}` in the appended template
        ("AL402", 10, 12),  # MySQL's LIMIT offset, count in the last fragment
        ("AL405", 21, 14),
    ]




def test_comma_join_of_schema_qualified_tables_is_judged_by_its_where(tmp_path):
    # Django's MySQL introspection shape: `information_schema.x AS kc, information_schema.y AS c WHERE c.k = kc.k`
    make_repo(
        tmp_path,
        {
            "repo.py": """
                import sqlite3


                def linked(conn: sqlite3.Connection):
                    return conn.execute(
                        "SELECT kc.name FROM main.key_usage AS kc, main.constraints AS c WHERE c.name = kc.name"
                    ).fetchall()


                def unlinked(conn: sqlite3.Connection):
                    return conn.execute("SELECT a.id FROM main.articles AS a, main.users AS u").fetchall()
            """,
        },
    )
    assert [f for f in sql_findings(tmp_path) if f[0] == "AL406"] == [("AL406", "repo.py", 11)]


def test_comma_join_linked_through_a_later_table_is_a_join(tmp_path):
    # ckan's datastore index lookup: `pg_class i` meets `pg_class t` only through `pg_index idx`, listed after it
    make_repo(
        tmp_path,
        {
            "repo.py": """
                import sqlite3


                def index_names(conn: sqlite3.Connection, name: str):
                    return conn.execute(
                        "SELECT i.relname FROM pg_class t, pg_class i, pg_index idx "
                        "WHERE t.oid = idx.indrelid AND i.oid = idx.indexrelid AND t.relname = ?", (name,)
                    ).fetchall()


                def half_linked(conn: sqlite3.Connection, name: str):
                    return conn.execute(
                        "SELECT i.relname FROM pg_class t, pg_class i, pg_index idx "
                        "WHERE i.oid = idx.indexrelid AND t.relname = ?", (name,)
                    ).fetchall()
            """,
        },
    )
    assert [f for f in sql_findings(tmp_path) if f[0] == "AL406"] == [("AL406", "repo.py", 13)]


def test_a_limit_that_picks_a_batch_or_a_sample_is_not_paging(tmp_path):
    """LIMIT without ORDER BY matters where rows are returned page by page.  A batch picked for an
    UPDATE/DELETE (prefect's backfill migrations: ``WITH batch AS (SELECT id … LIMIT 500) UPDATE …``,
    ``WHERE id IN (SELECT id … LIMIT :n)``) or a sample only counted takes *any* rows; a page
    returned (or a batch stepped through with OFFSET) still needs an order."""
    make_repo(
        tmp_path,
        {
            "app/db.py": """
                import sqlite3

                conn = sqlite3.connect("app.db")
                conn.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, state TEXT, queue TEXT)")

                def backfill():
                    conn.execute("WITH batch AS (SELECT id FROM runs WHERE queue IS NULL LIMIT 500) UPDATE runs SET queue = 'default' WHERE id IN (SELECT id FROM batch)")
                    conn.execute("DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE state = 'done' LIMIT ?)", (500,))
                    return conn.execute("SELECT count(*) FROM (SELECT id FROM runs WHERE state = 'late' LIMIT 1000) AS sample").fetchone()

                def page(offset):
                    return conn.execute("SELECT id, state FROM runs LIMIT 20 OFFSET ?", (offset,)).fetchall()

                def step(offset):
                    conn.execute("UPDATE runs SET state = 'x' WHERE id IN (SELECT id FROM runs LIMIT 100 OFFSET ?)", (offset,))

                def latest():
                    return conn.execute("SELECT id, state FROM runs LIMIT 10").fetchall()

                def unique(state):  # advanced-alchemy's uniqueness probe: 0, 1 or "more than one"
                    rows = conn.execute("SELECT id FROM runs WHERE state = ? LIMIT 2", (state,)).fetchall()
                    return rows[0] if len(rows) == 1 else None
            """,
        },
    )
    assert [f for f in sql_findings(tmp_path) if f[0] == "AL409"] == [
        ("AL409", "app/db.py", 12), ("AL409", "app/db.py", 15), ("AL409", "app/db.py", 18),
    ]


def test_select_star_in_a_migration_reads_its_own_revisions_schema(tmp_path):
    """prefect's data migrations ``SELECT * FROM artifact_collection …`` then read ``row[0]``: a
    migration runs against the schema of its revision, so no column appears under it; the same
    query in application code is reported."""
    query = """
        import sqlalchemy as sa
        from alembic import op

        def upgrade():
            rows = op.get_bind().execute(sa.text("SELECT * FROM artifact ORDER BY id")).fetchall()
            return [row[0] for row in rows]
    """
    make_repo(tmp_path, {
        "migrations/versions/0002_backfill.py": query,
        "app/repo.py": query.replace("def upgrade", "def latest"),
    })
    assert [f for f in sql_findings(tmp_path) if f[0] == "AL414"] == [("AL414", "app/repo.py", 5)]


def test_a_query_run_again_and_again_in_a_while_loop_takes_a_batch(tmp_path):
    """prefect's services: ``while True: runs = (await session.execute(select(Run).where(…)
    .limit(batch_size))).scalars().all(); …; if len(runs) < batch_size: break`` — each pass takes
    any matching rows and changes them, order is irrelevant.  The same query returned as a page
    of an endpoint, or stepped through with an OFFSET in the loop, needs an order."""
    make_repo(tmp_path, {
        "app/models.py": """
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

            class Base(DeclarativeBase):
                pass

            class Run(Base):
                __tablename__ = "runs"
                id: Mapped[int] = mapped_column(primary_key=True)
                state: Mapped[str] = mapped_column()
        """,
        "app/jobs.py": """
            from sqlalchemy import select
            from app.models import Run

            def mark_late(session, batch_size=100):
                while True:
                    runs = session.execute(select(Run).where(Run.state == "scheduled").limit(batch_size)).scalars().all()
                    for run in runs:
                        run.state = "late"
                    session.commit()
                    if len(runs) < batch_size:
                        break

            def export(session, batch_size=100):
                offset = 0
                while True:
                    runs = session.execute(select(Run).limit(batch_size).offset(offset)).scalars().all()
                    if not runs:
                        break
                    offset += batch_size

            def latest(session):
                return session.execute(select(Run).where(Run.state == "done").limit(20)).scalars().all()
        """,
    })
    assert [f for f in sql_findings(tmp_path) if f[0] == "AL409"] == [("AL409", "app/jobs.py", 16), ("AL409", "app/jobs.py", 22)]


def test_a_comma_join_with_a_one_row_cte_multiplies_nothing(tmp_path):
    # open-webui pgvector.py: `WITH fts_query AS (SELECT plainto_tsquery(…) AS query) … FROM document_chunk, fts_query`
    make_repo(
        tmp_path,
        {
            "repo.py": """
                import psycopg


                def ranked(conn: psycopg.Connection, query: str):
                    return conn.execute(
                        "WITH fts_query AS (SELECT plainto_tsquery('simple', %s) AS query) "
                        "SELECT c.id, ts_rank_cd(to_tsvector('simple', c.text), fts_query.query) AS rank "
                        "FROM chunk AS c, fts_query ORDER BY rank DESC",
                        (query,),
                    ).fetchall()


                def newest(conn: psycopg.Connection):
                    return conn.execute(
                        "WITH latest AS (SELECT max(created_at) AS at FROM chunk) "
                        "SELECT c.id FROM chunk AS c, latest WHERE c.created_at = latest.at"
                    ).fetchall()


                def paired(conn: psycopg.Connection):
                    return conn.execute(
                        "WITH recent AS (SELECT id, title FROM chunk ORDER BY id DESC LIMIT 10) "
                        "SELECT c.id, recent.title FROM chunk AS c, recent"
                    ).fetchall()
            """,
        },
    )
    assert [f for f in sql_findings(tmp_path) if f[0] == "AL406"] == [("AL406", "repo.py", 23)]


def test_a_migration_script_that_rebuilds_a_table_defines_its_new_columns(tmp_path):
    """Actual's sync-server rebuilds ``auth`` the SQLite way in one script string that starts with
    ``BEGIN TRANSACTION;`` — ``CREATE TABLE auth_new (…); … ALTER TABLE auth_new RENAME TO auth`` —
    and creates ``pending_openid_requests`` in it (18 false AL412 and 3 AL411 before: the script was
    not recognised as SQL and the rename was not read).  A misspelt column is still reported."""
    make_repo(tmp_path, {
        "package.json": '{"name": "sync", "type": "module", "dependencies": {"better-sqlite3": "^11"}}',
        "src/db.js": """
            import Database from 'better-sqlite3';
            export const db = new Database('account.sqlite');
        """,
        "migrations/001-create.js": """
            import { db } from '../src/db.js';
            export const up = () => db.exec(`CREATE TABLE IF NOT EXISTS auth (password TEXT PRIMARY KEY)`);
        """,
        "migrations/002-openid.js": """
            import { db } from '../src/db.js';
            export const up = () => db.exec(`
              BEGIN TRANSACTION;
              CREATE TABLE auth_new (method TEXT PRIMARY KEY, display_name TEXT, extra_data TEXT, active INTEGER);
              INSERT INTO auth_new (method, display_name, extra_data, active) SELECT 'password', 'Password', password, 1 FROM auth;
              DROP TABLE auth;
              ALTER TABLE auth_new RENAME TO auth;
              CREATE TABLE pending_openid_requests (state TEXT PRIMARY KEY, return_url TEXT);
              COMMIT;`);
        """,
        "src/auth.js": """
            import { db } from './db.js';
            export const method = (name) => db.prepare('SELECT extra_data FROM auth WHERE method = ? AND active = 1').get(name);
            export const pending = (state) => db.prepare('SELECT return_url FROM pending_openid_requests WHERE state = ?').get(state);
            export const typo = (name) => db.prepare('SELECT extra_dta FROM auth WHERE method = ?').get(name);
        """,
    })
    assert [f for f in sql_findings(tmp_path) if f[0] in ("AL411", "AL412")] == [("AL412", "src/auth.js", 4)]


def test_a_relationship_join_starts_from_the_relationship_parent(tmp_path):
    """``select(Tag.name).join(Article.tags)``: SQLAlchemy joins from the relationship's parent
    (FROM articles JOIN article_tags … JOIN tags), and the FROM that only held tags is absorbed —
    no cross join.  Selecting a third table that is not on that path is still one."""
    make_repo(
        tmp_path,
        {
            "models.py": """
                from sqlalchemy import Column, ForeignKey, Integer, String, Table
                from sqlalchemy.orm import DeclarativeBase, relationship


                class Base(DeclarativeBase):
                    pass


                article_tags = Table(
                    "article_tags", Base.metadata,
                    Column("article_id", ForeignKey("articles.id"), primary_key=True),
                    Column("tag_id", ForeignKey("tags.id"), primary_key=True),
                )


                class User(Base):
                    __tablename__ = "users"
                    id = Column(Integer, primary_key=True)
                    username = Column(String)


                class Tag(Base):
                    __tablename__ = "tags"
                    id = Column(Integer, primary_key=True)
                    name = Column(String)


                class Article(Base):
                    __tablename__ = "articles"
                    id = Column(Integer, primary_key=True)
                    tags = relationship(Tag, secondary=article_tags)
            """,
            "repo.py": """
                from sqlalchemy import select

                from models import Article, Tag, User


                async def tags_of(session, article_id: int):
                    stmt = select(Tag.name).join(Article.tags).where(Article.id == article_id)
                    return (await session.execute(stmt)).scalars().all()


                async def names_and_tags(session, user_id: int):
                    stmt = select(User.username, Tag.name).join(Article.tags).where(User.id == user_id)
                    return (await session.execute(stmt)).all()
            """,
        },
    )
    assert [f for f in sql_findings(tmp_path) if f[0] == "AL406"] == [("AL406", "repo.py", 12)]


def test_postgresql_migrations_from_indico_stay_silent(tmp_path):
    """Alembic migrations of a PostgreSQL app (indico 3.3): the jsonb key-exists operator is no
    placeholder (AL403) and no syntax error (AL401); ``DROP FUNCTION f(value TEXT)`` is routine DDL
    sqlglot has no grammar for (AL401); a cross join with a one-row ``INSERT … VALUES (…) RETURNING id``
    CTE multiplies nothing (AL406).  The bare ``?`` placeholder in the last one is still reported."""
    make_repo(tmp_path, {
        "requirements.txt": "alembic\npsycopg2\n",
        "migrations/versions/0001_jsonb.py": '''
            from alembic import op


            def upgrade():
                op.execute("""
                    UPDATE event_registration.form_items
                    SET data = data || '{"item_type": "dropdown"}'
                    WHERE input_type = 'single_choice' AND NOT (data ? 'item_type')
                """)
                op.execute("""
                    WITH attr AS (
                        INSERT INTO room_attributes (name, title) VALUES ('notification-email', 'Email')
                        ON CONFLICT (name) DO UPDATE SET name = excluded.name
                        RETURNING id
                    )
                    INSERT INTO room_attribute_values (attribute_id, room_id, value)
                    SELECT attr.id, r.id, r.email FROM rooms r, attr WHERE r.email != ''
                """)


            def downgrade():
                op.execute("DROP FUNCTION indico.natsort(value TEXT)")
                op.execute("UPDATE form_items SET data = data - 'item_type' WHERE id = ?")
        ''',
    })
    assert [f for f in sql_findings(tmp_path) if f[0] in ("AL401", "AL403", "AL406")] == [
        ("AL403", "migrations/versions/0001_jsonb.py", 23)]


def test_oracle_data_dictionary_views_are_catalog_tables(tmp_path):
    """Directus's Oracle schema helper reads ``select SUM(bytes) from dba_segments`` through knex: a
    data-dictionary view like ``pg_*`` or ``sqlite_master``, not a table the migrations forgot (a false
    AL411 before).  A project table that only starts like one (``user_profiles``) is still checked."""
    make_repo(tmp_path, {
        "package.json": '{"name": "api", "dependencies": {"knex": "^3", "oracledb": "^6"}}',
        "migrations/001-init.js": """
            exports.up = (knex) => knex.schema.createTable('articles', (t) => { t.increments('id'); t.string('title'); });
        """,
        "src/size.js": """
            const knex = require('knex')({ client: 'oracledb' });
            exports.size = () => knex.raw('select SUM(bytes) from dba_segments');
            exports.columns = () => knex.raw('select column_name from user_tab_columns where table_name = ?', ['ARTICLES']);
            exports.profiles = () => knex.raw('select id from user_profiles');
        """,
    })
    assert [f for f in sql_findings(tmp_path) if f[0] == "AL411"] == [("AL411", "src/size.js", 4)]


def test_a_migration_revision_and_a_test_are_not_judged_as_serving_code(tmp_path):
    # ckan: migration/versions/085_….py backfills every row (AL405); what a revision splices is still judged (AL502);
    # ckan's datastore tests read `select *` (AL414) with LIMIT and no ORDER BY (AL409).  The app module is still judged.
    files = {
        'requirements.txt': 'sqlalchemy\nalembic\n',
        'app/migration/versions/085_adjust.py': 'from uuid import uuid4\n\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "085"\ndown_revision = "084"\n\n\ndef upgrade():\n    connection = op.get_bind()\n    connection.execute(sa.text("update activity set timestamp = timestamp + (:utc - :local);"), {"utc": 1, "local": 0})\n    op.execute(f"INSERT INTO oauth_apps (name, client_id) VALUES (\'Flower\', \'{uuid4()}\')")\n\n\ndef downgrade():\n    op.execute("UPDATE activity SET timestamp = timestamp - 1")\n',
        'app/repo.py': 'import sqlalchemy as sa\n\n\ndef reset(connection, name):\n    connection.execute(sa.text("update activity set timestamp = now()"))\n    return connection.execute(sa.text(f"SELECT * FROM activity WHERE name = \'{name}\' LIMIT 10")).fetchall()\n',
        'app/tests/test_repo.py': 'import sqlalchemy as sa\n\n\ndef test_rows(connection, name="x"):\n    assert connection.execute(sa.text("SELECT * FROM activity LIMIT 5")).fetchall()\n    assert connection.execute(sa.text(f"SELECT id FROM activity WHERE name = \'{name}\'")).fetchall()\n',
    }
    found = [f for f in findings(make_repo(tmp_path, files)) if f[0] in ("AL405", "AL409", "AL414", "AL502")]
    assert sorted(found) == [("AL405", "app/repo.py", 5), ("AL409", "app/repo.py", 6), ("AL414", "app/repo.py", 6),
                             ("AL502", "app/migration/versions/085_adjust.py", 13), ("AL502", "app/repo.py", 6),
                             ("AL502", "app/tests/test_repo.py", 6)]


def test_a_project_helper_that_doubles_the_quote_quotes_what_it_splices(tmp_path):
    # ckan: ckanext/datastore/backend/postgres.py identifier() / literal_string(); `wrapped` adds quotes but escapes nothing
    files = {'requirements.txt': 'sqlalchemy\n', 'app/backend.py': 'import sqlalchemy as sa\n\n\ndef literal_string(s: str):\n    """\n    Return s as a postgres literal string\n    """\n    return u"\'" + s.replace(u"\'", u"\'\'").replace(u\'\\0\', \'\') + u"\'"\n\n\ndef identifier(s: str):\n    """\n    Return s as a quoted postgres identifier\n    """\n    return u\'"\' + s.replace(u\'"\', u\'""\').replace(u\'\\0\', \'\') + u\'"\'\n\n\ndef wrapped(s: str):\n    return u\'"\' + s + u\'"\'\n\n\ndef delete_table(connection, data_dict):\n    connection.execute(sa.text(u\'DROP TABLE {0} CASCADE\'.format(identifier(data_dict[\'resource_id\']))))\n    connection.execute(sa.text(f"SELECT 1 FROM pg_tables WHERE tablename = {literal_string(data_dict[\'resource_id\'])}"))\n    connection.execute(sa.text(u\'DROP TABLE {0} CASCADE\'.format(wrapped(data_dict[\'resource_id\']))))\n'}
    assert [f for f in sql_findings(make_repo(tmp_path, files)) if f[0] == 'AL502'] == [('AL502', 'app/backend.py', 25)]


def test_a_limit_on_a_generated_series_caps_it_in_order(tmp_path):
    """prefect's ``make_timestamp_intervals``: ``select_from(func.generate_series(start, end, interval)
    .alias("dt")) … .limit(500)`` — a function scan yields the series in the order it generates it,
    so the LIMIT only bounds the count.  A table paged with no ORDER BY, and a series joined to a
    table, are still unordered pages."""
    make_repo(
        tmp_path,
        {
            "requirements.txt": "sqlalchemy==2.0\npsycopg==3.2\n",
            "app/models.py": """
                from sqlalchemy import Column, Integer, DateTime
                from sqlalchemy.orm import declarative_base

                Base = declarative_base()

                class Run(Base):
                    __tablename__ = "runs"
                    id = Column(Integer, primary_key=True)
                    started = Column(DateTime)
            """,
            "app/queries.py": """
                import sqlalchemy as sa
                from app.models import Run


                def intervals(start, end, interval):
                    return (
                        sa.select(sa.literal_column("dt").label("interval_start"))
                        .select_from(sa.func.generate_series(start, end, interval).alias("dt"))
                        .where(sa.literal_column("dt") < end)
                        .limit(500)
                    )


                def runs_page(offset):
                    return sa.select(Run.id).select_from(Run).limit(50).offset(offset)


                def raw_series(conn, start, end):
                    return conn.execute(sa.text("SELECT dt FROM generate_series(:start, :end, interval '1 hour') AS dt LIMIT 500"),
                                        {"start": start, "end": end})


                def raw_joined(conn, start, end):
                    return conn.execute(sa.text("SELECT dt, r.id FROM generate_series(:start, :end, interval '1 hour') AS dt "
                                                "JOIN runs r ON r.started >= dt LIMIT 500"), {"start": start, "end": end})
            """,
        },
    )
    assert [f for f in sql_findings(tmp_path) if f[0] == "AL409"] == [("AL409", "app/queries.py", 15), ("AL409", "app/queries.py", 25)]


def test_natural_joins_of_every_side_are_joined_on_their_shared_columns(tmp_path):
    """``NATURAL LEFT JOIN`` / ``NATURAL INNER JOIN`` join on the shared column names like ``NATURAL JOIN``
    (sqlglot's ``Join.method``); a plain ``LEFT JOIN`` with no ``ON`` is still a join without condition."""
    make_repo(
        tmp_path,
        {
            "repo.py": """
                import sqlite3


                def natural(conn: sqlite3.Connection):
                    conn.execute("SELECT a.id, b.name FROM a NATURAL LEFT JOIN b").fetchall()
                    return conn.execute("SELECT a.id, b.name FROM a NATURAL INNER JOIN b").fetchall()


                def unconditioned(conn: sqlite3.Connection):
                    return conn.execute("SELECT a.id, b.name FROM a INNER JOIN b").fetchall()
            """,
        },
    )
    assert [f for f in sql_findings(tmp_path) if f[0] == "AL406"] == [("AL406", "repo.py", 10)]
