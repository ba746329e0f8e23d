"""Route handlers registered inside a router factory that nothing at module level calls
(``export function makeRouter() { const router = express.Router(); router.put(…, async (req, res) => …) }``,
the host calling it from a start-up callback): the handler still receives the request. The table of
handlers was built once, before the factory's registrations were interpreted, so such a handler ran
with an unknown ``req`` and nothing it did with ``req.body`` was request data (AL504 missed)."""

from __future__ import annotations

from helpers import findings, make_repo

PACKAGE = '{"dependencies": {"express": "^4.19.2", "knex": "^3.1.0", "pg": "^8.12.0"}}'

ROUTER = """
    import express from 'express';
    import knex from 'knex';

    const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });

    export function makeNotesRouter() {
      const router = express.Router();
      router.use(express.json());
      router.put('/notes/:id', async (req, res, next) => {
        try {
          %s
          res.status(204).end();
        } catch (error) {
          next(error);
        }
      });
      return router;
    }
"""


def test_a_factory_handler_writing_the_body_whole_is_reported(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": PACKAGE,
        "src/notes.ts": ROUTER % "await db('notes').where('id', req.params.id).update(req.body);",
    })
    assert ("AL504", "src/notes.ts", 11) in findings(root)


def test_a_factory_handler_copying_named_fields_is_silent(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": PACKAGE,
        "src/notes.ts": ROUTER % "const { title, body } = req.body; await db('notes').where('id', req.params.id).update({ title, body });",
    })
    assert not [f for f in findings(root) if f[0] == "AL504"]
