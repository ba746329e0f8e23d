"""Backstage hands a backend plugin its database as a ``DatabaseService`` (``coreServices.database``; the older
``PluginDatabaseManager``): ``await database.getClient()`` is the plugin's knex instance (``access.toml``), not a
project class of the same name. Before, the client was unknown and its writes were nobody's."""

from __future__ import annotations

from helpers import findings, make_repo

PACKAGE = ('{"dependencies": {"express": "^4.19.2", "express-promise-router": "^4.1.1", "knex": "^3.1.0", '
           '"@backstage/backend-plugin-api": "^1.2.0"}}')

BACKSTAGE_ROUTER = """
    import express from 'express';
    import Router from 'express-promise-router';
    %s

    export async function createRouter({ database }: { database: DatabaseService }): Promise<express.Router> {
      const client = await database.getClient();
      const router = Router();
      router.delete('/lists/:id', async (req, res) => {
        await client('list_items').where('list_id', req.params.id).del();
        await client('lists').where('id', req.params.id).del();
        res.status(204).end();
      });
      return router;
    }
"""


def test_the_client_of_backstages_database_service_is_knex(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": PACKAGE,
        "src/router.ts": BACKSTAGE_ROUTER % "import { DatabaseService } from '@backstage/backend-plugin-api';",
    })
    assert ("AL305", "src/router.ts", 9) in findings(root)


def test_a_project_class_named_database_service_is_not_backstages(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": PACKAGE,
        "src/database.ts": """
            export class DatabaseService {
              async getClient() {
                return (table: string) => ({ where: (column: string, value: string) => ({ del: async () => 0 }) });
              }
            }
        """,
        "src/router.ts": BACKSTAGE_ROUTER % "import { DatabaseService } from './database';",
    })
    assert not [f for f in findings(root) if f[0] == "AL305"]
