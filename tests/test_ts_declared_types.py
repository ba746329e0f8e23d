"""What a TypeScript declaration says about a value archlint cannot otherwise see (issue 12, Backstage backend
plugins read from their source maps):

``createRouter(options: RouterOptions)`` with ``interface RouterOptions { store: ListStore }`` and
``const { store } = options``: the store is the one class implementing ``ListStore`` (an object type literal
``{ store: ListStore }`` and a ``type`` alias read the same way).
Before, an interface, a type alias and an object type literal lowered to nothing: the options object was unknown."""

from __future__ import annotations

from helpers import findings, make_repo

PACKAGE = ('{"dependencies": {"express": "^4.19.2", "express-promise-router": "^4.1.1", "knex": "^3.1.0", '
           '"@backstage/backend-plugin-api": "^1.2.0"}}')

STORE = """
    import { Knex } from 'knex';

    export interface ListStore {
      removeList(id: string): Promise<void>;
    }

    export class KnexListStore implements ListStore {
      private readonly db: Knex;

      constructor(db: Knex) {
        this.db = db;
      }

      async removeList(id: string) {
        %s
      }
    }
"""

TWO_DELETES = """await this.db('list_items').where('list_id', id).del();
        await this.db('lists').where('id', id).del();"""

ONE_TRANSACTION = """await this.db.transaction(async trx => {
          await trx('list_items').where('list_id', id).del();
          await trx('lists').where('id', id).del();
        });"""

ROUTER = """
    import express from 'express';
    import Router from 'express-promise-router';
    import { ListStore } from './store';

    %s

    export async function createRouter(options: RouterOptions): Promise<express.Router> {
      const { store } = options;
      const router = Router();
      router.delete('/lists/:id', async (req, res) => {
        await store.removeList(req.params.id);
        res.status(204).end();
      });
      return router;
    }
"""

INTERFACE = "export interface RouterOptions {\n      store: ListStore;\n      logger?: { info(message: string): void };\n    }"
ALIAS = "type RouterOptions = { store: ListStore; baseUrl: string };"


def test_a_store_read_from_an_interface_member_reaches_its_writes(tmp_path):
    root = make_repo(tmp_path, {"package.json": PACKAGE, "src/store.ts": STORE % TWO_DELETES, "src/router.ts": ROUTER % INTERFACE})
    assert ("AL305", "src/store.ts", 15) in findings(root)


def test_a_store_read_from_a_type_alias_member_reaches_its_writes(tmp_path):
    root = make_repo(tmp_path, {"package.json": PACKAGE, "src/store.ts": STORE % TWO_DELETES, "src/router.ts": ROUTER % ALIAS})
    assert ("AL305", "src/store.ts", 15) in findings(root)


def test_the_same_store_writing_in_one_transaction_is_silent(tmp_path):
    root = make_repo(tmp_path, {"package.json": PACKAGE, "src/store.ts": STORE % ONE_TRANSACTION, "src/router.ts": ROUTER % INTERFACE})
    assert not [f for f in findings(root) if f[0] == "AL305"]
