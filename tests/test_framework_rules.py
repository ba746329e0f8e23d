"""Framework and start-up rules on small repos: the premise each rule needs, and the look-alike
that must stay silent (the bundled framework-*/stack-startup-* fixtures hold the full apps)."""

from __future__ import annotations

from helpers import findings, make_repo, report

from archlint.domain.manifest import Manifest
from archlint.domain.startup import entry_points, sets_variable
from archlint.semantics.web import segments, template

FASTIFY_APP = """
    import Fastify from 'fastify';
    const app = Fastify();
    app.post('/api/profiles/:username/follow', async (request) => ({ profile: { username: request.params.username } }));
    app.delete('/api/profiles/:username/follow', async (request) => ({ profile: { username: request.params.username } }));
    app.put('/api/user', { schema: { body: { type: 'object' } } }, async (request) => ({ user: request.body.user }));
    app.post('/api/users', async (request) => ({ user: request.body.user }));
    await app.listen({ port: 3000 });
"""


def _rules(root, rule):
    return [(path, line) for found, path, line in findings(root) if found == rule]


def test_fastify_empty_body_depends_on_the_declared_major_version(tmp_path):
    five = make_repo(tmp_path / "five", {"package.json": '{"dependencies": {"fastify": "^5.2.0"}}', "src/server.js": FASTIFY_APP})
    four = make_repo(tmp_path / "four", {"package.json": '{"dependencies": {"fastify": "~4.28.1"}}', "src/server.js": FASTIFY_APP})
    # bodyless POST and DELETE on 5; only POST on 4 (4 never parses DELETE bodies); the route with a
    # body schema and the one reading request.body expect a body
    assert _rules(five, "AL802") == [("src/server.js", 3), ("src/server.js", 4)]
    assert _rules(four, "AL802") == [("src/server.js", 3)]


def test_fastify_parser_that_tests_the_body_or_handles_the_error_code_is_tolerant(tmp_path):
    tolerant = FASTIFY_APP.replace("const app = Fastify();", """const app = Fastify();
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => done(null, body ? JSON.parse(body) : {}));""")
    handled = FASTIFY_APP.replace("const app = Fastify();", """const app = Fastify();
    app.setErrorHandler((err, req, reply) => err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? reply.send({}) : reply.send(err));""")
    naive = FASTIFY_APP.replace("const app = Fastify();", """const app = Fastify();
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => done(null, JSON.parse(body)));""")
    for name, source, expected in (("tolerant", tolerant, 0), ("handled", handled, 0), ("naive", naive, 2)):
        root = make_repo(tmp_path / name, {"package.json": '{"dependencies": {"fastify": "^5.2.0"}}', "src/server.js": source})
        assert len(_rules(root, "AL802")) == expected, name


def test_sqlite_fallback_is_silent_when_the_dockerfile_or_compose_sets_the_variable(tmp_path):
    files = {
        "requirements.txt": "sqlalchemy==2.0.36\npsycopg2-binary==2.9.10\n",
        "app/db.py": 'import os\nfrom sqlalchemy import create_engine\nengine = create_engine(os.environ.get("DATABASE_URL", "sqlite:///app.db"))\n',
    }
    bare = make_repo(tmp_path / "bare", files)
    docker = make_repo(tmp_path / "docker", {**files, "Dockerfile": "FROM python:3.12\nENV DATABASE_URL=postgresql://u:p@db/conduit\nCMD uvicorn app.main:app\n"})
    sqlite_only = make_repo(tmp_path / "sqlite", {**files, "requirements.txt": "sqlalchemy==2.0.36\n"})
    assert _rules(bare, "AL703") == [("app/db.py", 3)]
    assert _rules(docker, "AL703") == []
    assert _rules(sqlite_only, "AL703") == []  # no sign of PostgreSQL: SQLite is the choice, not a fallback


def test_start_commands_tell_scripts_from_imported_apps():
    manifest = Manifest(commands=[
        ("run.sh", 3, "exec uvicorn app.main:app --host 0.0.0.0 --port 8080"),
        ("run.sh", 4, "FLASK_APP=conduit flask run --port 8080"),
        ("Dockerfile", 5, 'CMD ["gunicorn", "-w", "2", "wsgi:app"]'),
        ("Procfile", 1, "web: python server.py"),
        ("package.json", 6, "node src/index.js"),
        ("Dockerfile", 2, "ENV DATABASE_URL postgresql://db/conduit"),
        ("run.sh", 7, "exec gunicorn -w 2 -b 0.0.0.0:8080 'app:create_app()'"),
        ("run.sh", 8, "python -m app.main"),
    ])
    found = [(e.server, e.module, e.as_script) for e in entry_points(manifest)]
    assert found == [("uvicorn", "app.main", False), ("flask", "conduit", False), ("gunicorn", "wsgi", False),
                     ("python", "server.py", True), ("node", "src/index.js", True),
                     ("gunicorn", "app", False),  # the bind address 0.0.0.0:8080 is not the app
                     ("python -m", "app.main", True)]  # runpy runs app/main.py as __main__
    assert sets_variable(manifest, "DATABASE_URL") == ("Dockerfile", 2)
    assert sets_variable(manifest, "DB_DIALECT") is None


def test_path_templates_are_normalised_across_frameworks():
    spellings = ["/api/articles/{slug}/comments/{id}", "/api/articles/:slug/comments/:id", "api/articles/<slug>/comments/<int:id>",
                 "/api/articles/<str:slug>/comments/{id:\\d+}"]
    assert {template(s) for s in spellings} == {"/api/articles/{}/comments/{}"}
    assert [s.pattern for s in segments("/c/<int:id>/{n:\\d+}/:x(\\d+)") if s.param] == ["int", "\\d+", "\\d+"]


def test_shadowing_only_where_the_router_matches_in_registration_order(tmp_path):
    express = make_repo(tmp_path / "express", {
        "package.json": '{"dependencies": {"express": "^4.21.2"}}',
        "app.js": """
            const express = require('express');
            const app = express();
            app.get('/api/profiles/:username', (req, res) => res.json({}));
            app.get('/api/profiles/me', (req, res) => res.json({}));
            app.post('/api/profiles/me', (req, res) => res.json({}));
            app.listen(3000);
        """,
    })
    django = make_repo(tmp_path / "django", {
        "conduit/urls.py": """
            from django.urls import path
            from conduit import views
            urlpatterns = [
                path("api/articles/<slug:slug>", views.article),
                path("api/articles/feed", views.feed),
                path("api/comments/<int:pk>", views.comment),
                path("api/comments/recent", views.recent),
            ]
        """,
        "conduit/views.py": "def article(request, slug): ...\ndef feed(request): ...\ndef comment(request, pk): ...\ndef recent(request): ...\n",
    })
    # the POST has no parameterised sibling before it; <int:pk> never matches "recent"
    assert _rules(express, "AL808") == [("app.js", 4)]
    assert _rules(django, "AL808") == [("conduit/urls.py", 5)]


def test_route_parameters_are_read_from_the_routes_table(tmp_path):
    """AL801 on the routes table: a controller function in another file, mount prefixes and
    blueprint prefixes defining variables, Hono's c.req.param()."""
    express = make_repo(tmp_path / "express", {
        "package.json": '{"dependencies": {"express": "^4.21.1"}}',
        "src/controllers/articles.js": (
            "exports.show = async (req, res) => res.json({ id: req.params.id });\n"
            "exports.comments = async (req, res) => res.json({ slug: req.params.slug });\n"
        ),
        "src/app.js": (
            "const express = require('express');\n"
            "const articles = require('./controllers/articles');\n"
            "const app = express();\n"
            "const router = express.Router({ mergeParams: true });\n"
            "router.get('/comments', articles.comments);\n"
            "app.get('/api/articles/:slug', articles.show);\n"
            "app.use('/api/articles/:slug', router);\n"
            "app.listen(3000);\n"
        ),
    })
    assert _rules(express, "AL801") == [("src/app.js", 6)]  # `id` read by the controller; `slug` comes from the mount
    flask = make_repo(tmp_path / "flask", {
        "requirements.txt": "Flask==3.1.0\n",
        "app.py": (
            "from flask import Blueprint, Flask\n\n"
            "bp = Blueprint('comments', __name__, url_prefix='/api/articles/<slug>')\n\n\n"
            "@bp.get('/comments/<int:comment_id>')\n"
            "def show(slug, comment_id):\n"
            "    return {'slug': slug, 'id': comment_id}\n\n\n"
            "@bp.delete('/comments/<int:comment_id>')\n"
            "def delete(comment_id):\n"
            "    return '', 204\n\n\n"
            "app = Flask(__name__)\n"
            "app.register_blueprint(bp)\n"
        ),
    })
    assert _rules(flask, "AL801") == [("app.py", 12)]  # the prefix's <slug> is passed to delete() too
    hono = make_repo(tmp_path / "hono", {
        "package.json": '{"dependencies": {"hono": "^4.6.0", "@hono/node-server": "^1.13.0"}}',
        "src/index.ts": (
            "import { Hono } from 'hono';\n"
            "const app = new Hono();\n"
            "app.get('/api/tags/:name', (c) => c.json({ tag: c.req.param('id') }));\n"
            "app.get('/api/profiles/:username', (c) => c.json({ user: c.req.param('username') }));\n"
            "export default app;\n"
        ),
    })
    assert _rules(hono, "AL801") == [("src/index.ts", 3)]


def test_fastify_route_options_object_gives_method_and_path_and_a_computed_path_is_unknown(tmp_path):
    """Found on NeuraLegion/fastify-realworld-example-app: every route is
    ``server.route({ method: 'GET', path: options.prefix + 'articles/:slug', handler })``.  The
    options object was not read, so each route was `GET /` — three false AL801 ("route `/`
    defines no parameter") and the favorite POST's missing empty-body parser (AL802) unseen.
    The method and a literal url/path come from the object; a path built at run time is unknown."""
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"fastify": "^4.28.0", "fastify-plugin": "^4.5.1"}}',
        "server.js": (
            "const fastify = require('fastify')()\n"
            "fastify.register(require('./routes'), { prefix: '/api/' })\n"
            "fastify.listen({ port: 3000 })\n"
        ),
        "routes.js": (
            "module.exports = async function (server, options) {\n"
            "  server.route({ method: 'POST', url: options.prefix + 'articles/:slug/favorite',\n"
            "    handler: async (req) => ({ slug: req.params.slug }) })\n"
            "  server.route({ method: ['PUT'], path: '/articles/:slug',\n"
            "    handler: async (req) => ({ slug: req.params.slug, title: req.body.title }) })\n"
            "  server.route({ method: 'GET', url: '/articles/:slug/comments/:id',\n"
            "    handler: async (req) => ({ id: req.params.commentId }) })\n"
            "}\n"
        ),
    })
    assert _rules(root, "AL802") == [("routes.js", 2)]  # the POST reads no body, the PUT does
    assert _rules(root, "AL801") == [("routes.js", 6)]  # `commentId`; `slug` on the computed path is not judged


def test_router_param_middleware_defines_the_params_it_stores_and_mount_prefixes_are_joined_once(tmp_path):
    """Found on LimarenkoDenis/typescript-node-koa-realworld-example-app: ``router.param('slug',
    articles.bySlug)`` looks the article up and stores ``ctx.params.article``, which the handlers of
    ``/articles/:slug…`` read (3 false AL801).  A route without ``:slug`` does not run it; the path in
    the message is the routes table's (``/api`` once, not ``/api/api``)."""
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"koa": "^2", "koa-router": "^12"}}',
        "app.js": (
            "const Koa = require('koa')\n"
            "const Router = require('koa-router')\n"
            "const app = new Koa()\n"
            "const api = new Router()\n"
            "const router = new Router()\n"
            "const load = async (slug, ctx, next) => { ctx.params.article = { slug }; return next() }\n"
            "api.param('slug', load)\n"
            "api.get('/articles/:slug', async (ctx) => { ctx.body = ctx.params.article })\n"
            "api.get('/articles/:id/likes', async (ctx) => { ctx.body = ctx.params.article })\n"
            "router.use('/api', api.routes())\n"
            "app.use(router.routes())\n"
            "app.listen(3000)\n"
        ),
    })
    found = [f for f in report(root).findings if f.rule == "AL801"]
    assert [(f.path, f.line) for f in found] == [("app.js", 9)]
    assert "`/api/articles/:id/likes`" in found[0].message


def test_fastify_body_less_json_relabelled_for_the_projects_own_parser_is_tolerated(tmp_path):
    """Found on avanelli/fastify-realworld-example-app (lib/server.js, also in NeuraLegion's fork):
    an onRequest hook sets ``req.headers['content-type'] = 'empty'`` for a JSON request without a
    body, and ``addContentTypeParser('empty', …)`` answers ``{}`` — the favorite POST works.  A
    parser for a type nothing relabels to is no workaround."""
    hook = """const app = Fastify();
    app.addHook('onRequest', async (req) => {
      if (req.headers['content-type'] === 'application/json' && req.body === undefined) {
        req.headers['content-type'] = 'empty'
      }
    });
    app.addContentTypeParser('%s', (request, body, done) => done(null, {}));"""
    for name, parsed, expected in (("relabelled", "empty", 0), ("other-type", "text/plain", 2)):
        source = FASTIFY_APP.replace("const app = Fastify();", hook % parsed)
        root = make_repo(tmp_path / name, {"package.json": '{"dependencies": {"fastify": "^5.2.0"}}', "src/server.js": source})
        assert len(_rules(root, "AL802")) == expected, name


def test_a_route_parameter_read_by_subscript_is_the_parameter(tmp_path):
    # @directus/api 23: `req.params['pk']` on `/:pk` (91 AL801 false alarms read it as `[pk]`)
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4.21.1"}}',
        "src/app.js": (
            "const express = require('express');\n"
            "const app = express();\n"
            "app.get('/access/:pk', (req, res) => res.json({ pk: req.params['pk'] }));\n"
            "app.get('/roles/:id', (req, res) => res.json({ pk: req.params['pk'] }));\n"
            "app.listen(3000);\n"
        ),
    })
    assert _rules(root, "AL801") == [("src/app.js", 4)]


def test_a_parser_run_inside_middleware_and_auth_set_through_a_wrapper(tmp_path):
    # @directus/api 23: `app.use((req, res, next) => { express.json({ limit })(req, res, (err) => …) })` parses
    # the body (104 AL806), and `app.use(authenticate)` where authenticate = asyncHandler(handler) and handler
    # sets `req.accountability` (170 AL810)
    files = {
        "package.json": '{"dependencies": {"express": "^4.21.1"}}',
        "src/async-handler.js": "module.exports = (fn) => (req, res, next) => Promise.resolve(fn(req, res, next)).catch(next);\n",
        "src/authenticate.js": (
            "const asyncHandler = require('./async-handler');\n"
            "const handler = async (req, res, next) => {\n"
            "  req.accountability = { user: req.get('x-user') || null };\n"
            "  return next();\n"
            "};\n"
            "module.exports = asyncHandler(handler);\n"
        ),
        "src/app.js": (
            "const express = require('express');\n"
            "const authenticate = require('./authenticate');\n"
            "const app = express();\n"
            "app.use((req, res, next) => {\n"
            "  express.json({ limit: '1mb' })(req, res, (err) => (err ? next(err) : next()));\n"
            "});\n"
            "app.use(authenticate);\n"
            "app.post('/items', (req, res) => res.json({ by: req.accountability.user, data: req.body.data }));\n"
            "app.get('/me', (req, res) => res.json({ user: req.currentUser.id }));\n"
            "app.listen(3000);\n"
        ),
    }
    root = make_repo(tmp_path, files)
    assert _rules(root, "AL806") == []
    assert _rules(root, "AL810") == [("src/app.js", 9)]


def test_routers_made_by_a_project_factory_are_distinct_routers(tmp_path):
    # Ghost's shared/express.js: `module.exports.Router = (name) => express.Router()`; a sub-router mounted at
    # `/members/metafields` with `/:namespace/:key` shadows nothing on the main router (90 AL808 on Ghost before);
    # two routes on one router made by the factory still shadow each other
    from helpers import make_repo, report

    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4", "pg": "^8"}}',
        "src/shared/express.js": (
            "const express = require('express');\n"
            "module.exports = () => express();\n"
            "module.exports.Router = (name) => {\n"
            "  const router = express.Router();\n"
            "  return router;\n"
            "};\n"
        ),
        "src/routes.js": (
            "const express = require('./shared/express');\n"
            "const h = (req, res) => res.json({});\n"
            "module.exports = function apiRoutes() {\n"
            "  const router = express.Router('admin');\n"
            "  const metafields = express.Router('metafields');\n"
            "  router.use('/members/metafields', metafields);\n"
            "  metafields.get('/:namespace/:key', h);\n"
            "  router.get('/members/:id', h);\n"
            "  router.get('/posts/:id', h);\n"
            "  router.get('/posts/export', h);\n"
            "  return router;\n"
            "};\n"
        ),
        "src/app.js": (
            "const express = require('./shared/express');\n"
            "const routes = require('./routes');\n"
            "const app = express();\n"
            "app.use('/api', routes());\n"
            "app.listen(3000);\n"
        ),
    })
    assert [(f.rule, f.path, f.line) for f in report(root).findings if f.rule == "AL808"] == [("AL808", "src/routes.js", 10)]
