"""JS error handlers answer for the routes of the router or plugin they are registered on: an Express
`router.use(errorHandler)` on a mounted `Router()` sees only that router's errors, a Fastify
`setErrorHandler` inside a plugin only the plugin's routes (encapsulation) — unless fastify-plugin wraps
it, which registers it on the parent.  One on the application answers for every route."""

from __future__ import annotations

from helpers import make_repo, report

DB = "const knex = require('knex');\n\nmodule.exports = knex({ client: 'pg', connection: process.env.DATABASE_URL });\n"
CHECK_THEN_INSERT = """
    const { email, username } = BODY.user;
    if (await db('users').where({ email }).first()) {
      return REPLY_422;
    }
    await db('users').insert({ email, username });
    return REPLY_201;
"""
TELLS_APART = "if (err.code === '23505') return res.status(409).json({ errors: { body: ['taken'] } });\n" \
              "  return res.status(500).json({ errors: { body: [err.message] } });"


def _express(tmp_path, where: str):
    body = CHECK_THEN_INSERT.replace("BODY", "req.body").replace("REPLY_422", "res.status(422).end()") \
        .replace("REPLY_201", "res.status(201).end()")
    handler = f"function onError(err, req, res, next) {{\n  {TELLS_APART}\n}}\n"
    users = f"""
const express = require('express');
const db = require('./db');
const router = express.Router();
router.post('/users', async (req, res, next) => {{
  try {{{body}  }} catch (err) {{ return next(err); }}
}});
{handler if where == "users" else ""}{"router.use(onError);" if where == "users" else ""}
module.exports = router;
"""
    profiles = f"""
const express = require('express');
const db = require('./db');
const router = express.Router();
router.post('/profiles', async (req, res, next) => {{
  try {{{body}  }} catch (err) {{ return next(err); }}
}});
{handler if where == "profiles" else ""}{"router.use(onError);" if where == "profiles" else ""}
module.exports = router;
"""
    server = f"""
const express = require('express');
const users = require('./users');
const profiles = require('./profiles');
const app = express();
app.use(express.json());
app.use('/api', users);
app.use('/api', profiles);
{handler if where == "app" else ""}{"app.use(onError);" if where == "app" else ""}
app.listen(3000);
"""
    files = {"package.json": '{"name": "e", "dependencies": {"express": "^4.19.0", "knex": "^3.1.0", "pg": "^8.11.3"}}',
             "src/db.js": DB, "src/users.js": users, "src/profiles.js": profiles, "src/server.js": server}
    result = report(make_repo(tmp_path, files))
    return sorted(f.path for f in result.findings if f.rule == "AL310")


def test_an_express_router_error_handler_answers_for_its_own_routes_only(tmp_path):
    assert _express(tmp_path / "users", "users") == ["src/profiles.js"]
    assert _express(tmp_path / "profiles", "profiles") == ["src/users.js"]


def test_an_express_app_error_handler_answers_for_every_router(tmp_path):
    assert _express(tmp_path / "app", "app") == []
    assert _express(tmp_path / "none", "") == ["src/profiles.js", "src/users.js"]


def _fastify(tmp_path, wrap: bool):
    body = CHECK_THEN_INSERT.replace("BODY", "request.body").replace("REPLY_422", "reply.code(422).send({})") \
        .replace("REPLY_201", "reply.code(201).send({})")
    handler = TELLS_APART.replace("res.status", "reply.code").replace(".json(", ".send(")
    plugin = f"""
const fp = require('fastify-plugin');
const db = require('./db');
async function users(fastify) {{
  fastify.setErrorHandler((err, request, reply) => {{
    {handler}
  }});
  fastify.post('/users', async (request, reply) => {{{body}  }});
}}
module.exports = {{ users }};
"""
    server = f"""
const fastify = require('fastify');
const fp = require('fastify-plugin');
const db = require('./db');
const {{ users }} = require('./users');
const app = fastify();
app.register({"fp(users)" if wrap else "users"}, {{ prefix: '/api' }});
app.post('/api/profiles', async (request, reply) => {{{body}  }});
app.listen({{ port: 3000 }});
"""
    files = {"package.json": '{"name": "f", "dependencies": {"fastify": "^4.26.0", "fastify-plugin": "^4.5.0", '
                             '"knex": "^3.1.0", "pg": "^8.11.3"}}',
             "src/db.js": DB, "src/users.js": plugin, "src/server.js": server}
    result = report(make_repo(tmp_path, files))
    return sorted(f.path for f in result.findings if f.rule == "AL310")


def test_a_fastify_plugin_error_handler_is_encapsulated(tmp_path):
    assert _fastify(tmp_path / "plain", wrap=False) == ["src/server.js"]


def test_a_fastify_plugin_wrapped_by_fastify_plugin_sets_the_parent_error_handler(tmp_path):
    assert _fastify(tmp_path / "fp", wrap=True) == []


HONO_ROUTE = """
  const { email, username } = (await c.req.json()).user;
  if (await db('users').where({ email }).first()) {
    return c.json({ errors: { email: ['taken'] } }, 422);
  }
  await db('users').insert({ email, username });
  return c.json({ user: { email, username } }, 201);
"""
HONO_ON_ERROR = """
OWNER.onError((err, c) => {
  if (err.code === '23505') return c.json({ errors: { body: ['taken'] } }, 409);
  return c.json({ errors: { body: [err.message] } }, 500);
});
"""


def _hono(tmp_path, owner: str):
    users = f"""
const {{ Hono }} = require('hono');
const db = require('./db');
const users = new Hono();
users.post('/users', async (c) => {{{HONO_ROUTE}}});
{HONO_ON_ERROR.replace("OWNER", "users") if owner == "users" else ""}
module.exports = {{ users }};
"""
    server = f"""
const {{ Hono }} = require('hono');
const {{ serve }} = require('@hono/node-server');
const db = require('./db');
const {{ users }} = require('./users');
const app = new Hono();
app.route('/api', users);
app.post('/api/profiles', async (c) => {{{HONO_ROUTE}}});
{HONO_ON_ERROR.replace("OWNER", "app") if owner == "app" else ""}
serve({{ fetch: app.fetch, port: 3000 }});
"""
    files = {"package.json": '{"name": "h", "dependencies": {"hono": "^4.4.0", "@hono/node-server": "^1.11.0", '
                             '"knex": "^3.1.0", "pg": "^8.11.3"}}',
             "src/db.js": DB, "src/users.js": users, "src/server.js": server}
    result = report(make_repo(tmp_path, files))
    return sorted(f.path for f in result.findings if f.rule == "AL310")


def test_a_hono_sub_app_on_error_answers_for_its_routes_only(tmp_path):
    assert _hono(tmp_path / "sub", "users") == ["src/server.js"]
    assert _hono(tmp_path / "app", "app") == []
