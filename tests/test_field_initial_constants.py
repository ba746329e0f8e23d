"""A class field's initial constant (``private readonly isSQLite = false``) that the constructor overwrites with a
value archlint cannot tell (``this.isSQLite = this.db.client.config.client.includes('sqlite3')``, Backstage's
notifications store) is not the field's only value: both branches of ``if (!this.isSQLite)`` may run. Before, the
constant alone was read and the per-row SQLite fallback — a real N+1 — was an unreachable branch."""

from __future__ import annotations

from helpers import findings, make_repo

PACKAGE = ('{"dependencies": {"express": "^4.19.2", "express-promise-router": "^4.1.1", "knex": "^3.1.0", '
           '"@backstage/backend-plugin-api": "^1.2.0"}}')

FLAGGED_STORE = """
    import { Knex } from 'knex';

    export class StatusStore {
      private readonly %s = false;
      private readonly db: Knex;

      constructor(db: Knex) {
        this.db = db;
        %s
      }

      async markRead(ids: string[], user: string) {
        const rows = await this.db('broadcast').whereIn('id', ids).select();
        if (%s) {
          await this.db('status').insert(rows.map(r => ({ broadcast_id: r.id, user }))).onConflict(['broadcast_id', 'user']).merge();
        } else {
          for (const row of rows) {
            const seen = await this.db('status').where('broadcast_id', row.id).where('user', user).first();
            if (!seen) {
              await this.db('status').insert({ broadcast_id: row.id, user });
            }
          }
        }
      }
    }
"""


def test_a_field_constant_the_constructor_overwrites_decides_no_branch(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": PACKAGE,
        "src/store.ts": FLAGGED_STORE % ("isSqlite", "this.isSqlite = String(this.db.client.config.client).includes('sqlite');",
                                         "!this.isSqlite"),
    })
    assert ("AL601", "src/store.ts", 18) in findings(root)


def test_a_field_constant_nothing_overwrites_still_decides_its_branch(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": PACKAGE,
        "src/store.ts": FLAGGED_STORE % ("perRowFallback", "", "!this.perRowFallback"),
    })
    assert not [f for f in findings(root) if f[0] == "AL601"]
