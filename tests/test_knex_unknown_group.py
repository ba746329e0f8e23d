"""knex ``.groupBy(this.columns)`` — the grouped columns held in a field archlint cannot read (Backstage's
bazaar plugin, ``getProjects``): the query is grouped all the same, one row per group. Before, the unreadable
names dropped the GROUP BY from the lifted query, and a LIMIT over its join with the members was read as paging
join rows (a false AL416)."""

from __future__ import annotations

from helpers import findings, make_repo

PACKAGE = '{"dependencies": {"express": "^4.19.2", "knex": "^3.1.0", "pg": "^8.12.0"}}'

STORE = """
    import { Knex } from 'knex';

    export class ProjectStore {
      private readonly db: Knex;
      private columns = ['projects.id', 'projects.title', 'projects.status'];

      constructor(db: Knex) {
        this.db = db;
      }

      async listProjects(limit: number) {
        const members = this.db.raw('count(members.project_id) as members_count');
        return await this.db('projects')
          .select([...this.columns, members])
          %s
          .leftJoin('members', 'projects.id', '=', 'members.project_id')
          .orderBy('projects.id')
          .limit(limit);
      }
    }
"""


def test_a_limit_over_a_query_grouped_by_unreadable_columns_is_silent(tmp_path):
    root = make_repo(tmp_path, {"package.json": PACKAGE, "src/store.ts": STORE % ".groupBy(this.columns)"})
    assert not [f for f in findings(root) if f[0] in ("AL416", "AL408", "AL415")]


def test_a_limit_over_the_same_join_without_grouping_is_reported(tmp_path):
    root = make_repo(tmp_path, {"package.json": PACKAGE, "src/store.ts": STORE % ".where('projects.status', 'open')"})
    assert ("AL416", "src/store.ts", 18) in findings(root)
