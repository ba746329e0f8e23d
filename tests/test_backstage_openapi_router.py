"""A Backstage plugin's router made by ``@backstage/backend-openapi-utils`` — usually through the generated
``createOpenApiRouter = async (options?) => createValidatedOpenApiRouterFromGeneratedEndpointMap<EndpointMap>(spec,
options)`` — is an Express router built on express-promise-router with ``express.json()`` mounted: its routes are
known (a body written whole is AL504), an async handler's throw is passed to ``next`` (no AL807) and ``req.body``
is parsed (no AL806). Before, none of those routes was known."""

from __future__ import annotations

from helpers import findings, make_repo

PACKAGE = ('{"dependencies": {"express": "^4.19.2", "knex": "^3.1.0", "pg": "^8.12.0", '
           '"@backstage/backend-openapi-utils": "^0.5.0"}}')

GENERATED = """
    import { createValidatedOpenApiRouterFromGeneratedEndpointMap } from '@backstage/backend-openapi-utils';

    export const spec = { openapi: '3.1.0', info: { title: 'labels', version: '1' }, paths: {} } as const;

    export const createOpenApiRouter = async (options?: Parameters<typeof createValidatedOpenApiRouterFromGeneratedEndpointMap>['1']) =>
      createValidatedOpenApiRouterFromGeneratedEndpointMap<any>(spec, options);
"""

ROUTER = """
    import { Knex } from 'knex';
    import { createOpenApiRouter } from './generated';

    class NotFoundError extends Error {}

    export async function createRouter(db: Knex) {
      const router = await createOpenApiRouter();
      router.post('/labels', async (req, res) => {
        await db('labels').insert(%s);
        res.status(201).end();
      });
      router.get('/labels/:id', async (req, res) => {
        const label = await db('labels').where('id', req.params.id).first();
        if (!label) {
          throw new NotFoundError(req.params.id);
        }
        res.json(label);
      });
      return router;
    }
"""


def test_a_generated_openapi_router_s_routes_are_known(tmp_path):
    root = make_repo(tmp_path, {"package.json": PACKAGE, "src/generated.ts": GENERATED, "src/router.ts": ROUTER % "req.body"})
    found = findings(root)
    assert ("AL504", "src/router.ts", 9) in found
    assert not [f for f in found if f[0] in ("AL806", "AL807")]


def test_named_fields_on_the_same_router_are_silent(tmp_path):
    root = make_repo(tmp_path, {"package.json": PACKAGE, "src/generated.ts": GENERATED,
                                "src/router.ts": ROUTER % "{ name: req.body.name, color: req.body.color }"})
    assert not findings(root)
