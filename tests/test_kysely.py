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
