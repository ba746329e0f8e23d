"""Kysely (issue 12, query builders): `new Kysely<DB>({ dialect })` is a DB handle whose dialect class names the
database, `db.selectFrom('t')…execute*()` runs a query of table `t` (`executeTakeFirst()` may yield undefined),
`insertInto` / `updateTable` / `deleteFrom` build writes that run at `execute*()`, `db.transaction().execute(async
(trx) => …)` hands the callback the transaction, and `sql.raw(x)` splices text where `sql`…`` binds its holes.
The fixture pair `kysely-express-{bugs,correct}` covers the rules end to end; these pin single behaviours."""

from __future__ import annotations

from helpers import findings, make_repo, report

from archlint.domain.sql import detect_database, sql_knowledge

_PACKAGE = '{"name": "app", "type": "module", "dependencies": {"kysely": "^0.28.0", "better-sqlite3": "^11.0.0"}}'

_SQLITE_DB = """
    import { Kysely, SqliteDialect } from 'kysely'
    import { open } from './driver.js'

    export const db = new Kysely({ dialect: new SqliteDialect({ database: open }) })
"""


def _detect(root):
    ctx = report(root).context
    return detect_database(ctx.files, ctx.graph, ctx.manifest, sql_knowledge(ctx.knowledge))


def test_the_dialect_class_names_the_database(tmp_path):
    # the driver is opened in another module that imports `pg` for a legacy export job: the dialect decides
    make_repo(tmp_path, {
        "package.json": _PACKAGE,
        "src/db.ts": _SQLITE_DB,
        "src/driver.ts": "import SQLite from 'better-sqlite3'\nexport const open = async () => new SQLite('app.db')\n",
        "src/export.ts": "import pg from 'pg'\nexport const pool = new pg.Pool()\n",
    })
    choice = _detect(tmp_path)
    assert choice.database == "sqlite"
    assert ("option", "new SqliteDialect") in [(e.kind, e.detail) for e in choice.evidence]


def test_a_dialect_class_of_another_library_is_no_evidence(tmp_path):
    make_repo(tmp_path, {
        "package.json": _PACKAGE,
        "src/db.ts": "import { SqliteDialect } from './dialects.js'\nexport const d = new SqliteDialect()\n",
    })
    assert not [e for e in _detect(tmp_path).evidence if e.kind == "option"]


_REPOSITORY = """
    import type { Kysely, Transaction } from 'kysely'
    import { sql } from 'kysely'

    export class ArticleRepository {
      constructor(private readonly db: Kysely<any>) {}

      bySlug(slug: string) {
        return this.db.selectFrom('articles').selectAll().where('slug', '=', slug).executeTakeFirst()
      }

      firstOrFail(slug: string) {
        return this.db.selectFrom('articles').selectAll().where('slug', '=', slug).executeTakeFirstOrThrow()
      }

      async title(slug: string) {
        const row = await this.bySlug(slug)
        return row.title
      }

      async checkedTitle(slug: string) {
        const row = await this.bySlug(slug)
        return row ? row.title : null
      }

      async mustTitle(slug: string) {
        const row = await this.firstOrFail(slug)
        return row.title
      }

      async inserted(title: string) {
        const row = await this.db.insertInto('articles').values({ title }).returningAll().executeTakeFirst()
        return row.id
      }

      async authors(trx: Transaction<any>) {
        const rows = await trx.selectFrom('articles').select('author_id').execute()
        const out = []
        for (const row of rows) {
          out.push(await trx.selectFrom('users').select('username').where('id', '=', row.author_id).executeTakeFirstOrThrow())
        }
        return out
      }

      search(term: string, column: string) {
        return sql`select id from articles where ${sql.ref(column)} = ${term}`.execute(this.db)
      }

      sorted(order: string) {
        return this.db.selectFrom('articles').selectAll().orderBy(sql.raw(order)).execute()
      }

      sortedConstant() {
        return this.db.selectFrom('articles').selectAll().orderBy(sql.raw('created_at desc')).execute()
      }
    }
"""


def test_rules_on_a_repository_class_handed_the_handle(tmp_path):
    make_repo(tmp_path, {"package.json": _PACKAGE, "src/repositories/articleRepository.ts": _REPOSITORY})
    found = sorted((rule, line) for rule, _, line in findings(tmp_path))
    # line 17: executeTakeFirst() read unchecked; 39: N+1 on the transaction handle (a `Transaction<DB>`
    # parameter); 49: sql.raw of a parameter, the SQL text itself (AL503).  Silent: the checked row,
    # executeTakeFirstOrThrow(), the RETURNING row of an insert, the sql`…` holes and sql.ref, a constant sql.raw.
    assert found == [("AL220", 17), ("AL503", 49), ("AL601", 39)]


def test_kysely_builders_are_no_promises(tmp_path):
    # `insertInto()` / `transaction()` build; only `execute*()` returns a Promise (AL809 stays silent)
    make_repo(tmp_path, {
        "package.json": _PACKAGE,
        "src/db.ts": _SQLITE_DB,
        "src/driver.ts": "import SQLite from 'better-sqlite3'\nexport const open = async () => new SQLite('app.db')\n",
        "src/repositories/tags.ts": """
            import { db } from '../db.js'

            export function add(name: string) {
              const query = db.insertInto('tags').values({ name })
              return db.transaction().execute(async (trx) => {
                await trx.insertInto('tags').values({ name: name + '-copy' }).execute()
                return query.execute()
              })
            }
        """,
    })
    assert [rule for rule, _, _ in findings(tmp_path) if rule == "AL809"] == []


_RAW_PER_ROW = """
    import { sql } from 'kysely'
    import { db } from '../db.js'

    export async function tagsPerArticle() {
      const articles = await db.selectFrom('articles').select('id').execute()
      const out = []
      for (const a of articles) {
        const { rows } = await sql<{ name: string }>`select name from tags where article_id = ${a.id}`.execute(db)
        out.push(rows)
      }
      return out
    }

    export async function tagsMapped() {
      const articles = await db.selectFrom('articles').select('id').execute()
      return Promise.all(articles.map(async (a) => {
        return (await sql`select name from tags where article_id = ${a.id}`.execute(db)).rows
      }))
    }

    export async function tagsAtOnce() {
      const articles = await db.selectFrom('articles').select('id').execute()
      const ids = articles.map((a) => a.id)
      return (await sql`select name from tags where article_id in (${sql.join(ids)})`.execute(db)).rows
    }

    export async function byFragment() {
      const articles = await db.selectFrom('articles').select('id').execute()
      const out = []
      for (const a of articles) {
        out.push(sql`lower(title) = ${a.id}`)
      }
      return db.selectFrom('articles').selectAll().where(sql`id > 0`).execute()
    }
"""


def test_a_raw_sql_template_run_per_row_is_n_plus_one(tmp_path):
    # `sql`…`.execute(db)` runs the statement on `db`: per article in a loop or in Promise.all(map) it is one query
    # per row (AL601).  Silent: the same statement run once over every id, and `sql`…`` built as a fragment only
    make_repo(tmp_path, {
        "package.json": _PACKAGE,
        "src/db.ts": _SQLITE_DB,
        "src/driver.ts": "import SQLite from 'better-sqlite3'\nexport const open = async () => new SQLite('app.db')\n",
        "src/repositories/tags.ts": _RAW_PER_ROW,
    })
    found = sorted((rule, line) for rule, _, line in findings(tmp_path) if rule == "AL601")
    assert found == [("AL601", 8), ("AL601", 17)]


def test_raw_sql_template_writes_count_for_transactions(tmp_path):
    # `sql`delete …`.execute(db)` then `sql`insert …`.execute(db)`: two writes (their first keyword), each committed
    # alone (AL305); run on `trx` inside `db.transaction().execute(…)` they are one unit (silent)
    make_repo(tmp_path, {
        "package.json": '{"name": "app", "type": "module", "dependencies": {"express": "^5.1.0", "kysely": "^0.28.0", "better-sqlite3": "^11.0.0"}}',
        "src/db.ts": _SQLITE_DB,
        "src/driver.ts": "import SQLite from 'better-sqlite3'\nexport const open = async () => new SQLite('app.db')\n",
        "src/app.ts": "import express from 'express'\nimport { router } from './routes/tags.js'\nconst app = express()\napp.use(router)\napp.listen(3000)\n",
        "src/routes/tags.ts": """
            import { Router } from 'express'
            import { sql } from 'kysely'
            import { db } from '../db.js'

            export const router = Router()

            router.put('/articles/:id/tag', async (req, res) => {
              await sql`delete from tags where article_id = ${req.params.id}`.execute(db)
              await sql`insert into tags (article_id, name) values (${req.params.id}, ${req.body.name})`.execute(db)
              res.status(204).end()
            })

            router.put('/articles/:id/tag-tx', async (req, res) => {
              await db.transaction().execute(async (trx) => {
                await sql`delete from tags where article_id = ${req.params.id}`.execute(trx)
                await sql`insert into tags (article_id, name) values (${req.params.id}, ${req.body.name})`.execute(trx)
              })
              res.status(204).end()
            })
        """,
    })
    assert [(rule, line) for rule, _, line in findings(tmp_path) if rule.startswith("AL30")] == [("AL305", 8)]
