"""awilix containers: the classes and factories a container registers are constructed with its cradle —
`constructor({ a, b })` in PROXY mode, `constructor(a, b)` by parameter name in CLASSIC mode — so the
handles they store are typed; a name the container does not register stays unknown."""

from __future__ import annotations

import pytest

from helpers import make_repo, report

MODELS = '''
    const { Sequelize, DataTypes } = require('sequelize');
    const sequelize = new Sequelize('postgres://localhost/app');
    const User = sequelize.define('User', { name: DataTypes.STRING });
    const Post = sequelize.define('Post', { title: DataTypes.STRING, authorId: DataTypes.INTEGER });
    module.exports = { sequelize, User, Post };
'''


@pytest.mark.parametrize("mode", ["proxy", "classic"])
def test_registered_classes_receive_the_cradle(tmp_path, mode):
    signature = "{ Post, User, audit }" if mode == "proxy" else "Post, User, audit"
    injection = "InjectionMode.PROXY" if mode == "proxy" else "InjectionMode.CLASSIC"
    root = make_repo(tmp_path, {
        "package.json": '{"name": "app", "dependencies": {"express": "^4", "sequelize": "^6", "pg": "^8", "awilix": "^10"}}',
        "src/models.js": MODELS,
        "src/postService.js": f'''
            class PostService {{
              constructor({signature}) {{
                this.Post = Post;
                this.User = User;
                this.audit = audit;
              }}

              async titles() {{
                const posts = await this.Post.findAll({{ order: [['id', 'DESC']] }});
                const out = [];
                for (const post of posts) {{
                  const author = await this.User.findByPk(post.authorId);
                  out.push([post.title, author && author.name]);
                }}
                return out;
              }}

              async audited() {{
                const rows = await this.audit.findAll();
                return Promise.all(rows.map((row) => this.audit.findByPk(row.parentId)));
              }}
            }}

            module.exports = PostService;
        ''',
        "src/container.js": f'''
            const {{ createContainer, asClass, asValue, InjectionMode }} = require('awilix');
            const models = require('./models');
            const PostService = require('./postService');

            const container = createContainer({{ injectionMode: {injection} }});
            container.register({{
              Post: asValue(models.Post),
              User: asValue(models.User),
              audit: asValue(require('./auditClient')),
            }});
            container.register('postService', asClass(PostService).singleton());
            module.exports = container;
        ''',
        "src/auditClient.js": "module.exports = { findAll: async () => [], findByPk: async () => null };\n",
    })
    found = sorted((f.rule, f.path, f.line) for f in report(root).findings if f.rule != "AL304")  # no sync(): not the point
    # the audit client is a plain object, not a DB handle: its calls are nobody's queries
    assert found == [("AL601", "src/postService.js", 12)]


# Hand-written registries: `register(name, factory)` stores into a field keyed by name, `resolve(name)`
# reads it back (and calls it, with the registry or without) ------------------------------------------
POST_SERVICE = '''
    class PostService {
      constructor({ Post, User }) {
        this.Post = Post;
        this.User = User;
      }

      async titles() {
        const posts = await this.Post.findAll();
        const out = [];
        for (const post of posts) {
          const author = await this.User.findByPk(post.authorId);
          out.push([post.title, author && author.name]);
        }
        return out;
      }
    }

    module.exports = PostService;
'''

MAP_CONTAINER = '''
    class Container {
      constructor() {
        this.factories = new Map();
        this.instances = new Map();
      }

      register(name, factory) {
        this.factories.set(name, factory);
        return this;
      }

      resolve(name) {
        if (!this.instances.has(name)) {
          const factory = this.factories.get(name);
          if (!factory) throw new Error(`No provider for ${name}`);
          this.instances.set(name, factory(this));
        }
        return this.instances.get(name);
      }
    }
'''

OBJECT_CONTAINER = '''
    class Registry {
      constructor() {
        this.providers = {};
      }

      add(key, value) {
        this.providers[key] = value;
      }

      get(key) {
        return this.providers[key];
      }
    }
'''


@pytest.mark.parametrize("shape", ["module-chain", "build-function", "object-values"])
def test_hand_written_registry_feeds_destructured_constructors(tmp_path, shape):
    """A container an agent writes itself instead of awilix: models and services registered by name
    and resolved by name reach `constructor({ Post, User })`, so the N+1 behind `this.User` is seen —
    registered at module level in one chain, inside a `buildContainer()` whose factories close over its
    locals, or as plain values in an object-keyed registry."""
    if shape == "module-chain":
        container = MAP_CONTAINER + '''
            const models = require('./models');
            const PostService = require('./postService');
            const container = new Container();
            container
              .register('models', () => models)
              .register('postService', (c) => new PostService({ Post: c.resolve('models').Post, User: c.resolve('models').User }));
            module.exports = container;
        '''
        use = "container.resolve('postService')"
    elif shape == "build-function":
        container = MAP_CONTAINER + '''
            const PostService = require('./postService');
            function buildContainer() {
              const models = require('./models');
              const container = new Container();
              container.register('models', () => models);
              container.register('postService', (c) => new PostService({ Post: c.resolve('models').Post, User: c.resolve('models').User }));
              return container;
            }
            module.exports = buildContainer();
        '''
        use = "container.resolve('postService')"
    else:
        container = OBJECT_CONTAINER + '''
            const { Post, User } = require('./models');
            const PostService = require('./postService');
            const registry = new Registry();
            registry.add('postService', new PostService({ Post, User }));
            module.exports = registry;
        '''
        use = "container.get('postService')"
    root = make_repo(tmp_path, {
        "package.json": '{"name": "app", "dependencies": {"express": "^4", "sequelize": "^6", "pg": "^8"}}',
        "src/models.js": MODELS,
        "src/postService.js": POST_SERVICE,
        "src/container.js": container,
        "src/routes.js": f'''
            const express = require('express');
            const container = require('./container');
            const router = express.Router();
            router.get('/posts', async (req, res) => res.json(await {use}.titles()));
            module.exports = router;
        ''',
    })
    found = sorted((f.rule, f.path, f.line) for f in report(root).findings if f.rule != "AL304")
    assert found == [("AL601", "src/postService.js", 11)]


def test_a_keyed_cache_of_rows_is_not_a_registry_of_them(tmp_path):
    """A per-process cache with the same shape (`set(key, value)` / `get(key)`) holding a looked-up row:
    what `get` returns depends on what ran before (nothing, or a checked row), so the row's lookup is not
    replayed at the read — no AL220 on `cache.get('admin').name`."""
    root = make_repo(tmp_path, {
        "package.json": '{"name": "app", "dependencies": {"express": "^4", "sequelize": "^6", "pg": "^8"}}',
        "src/models.js": MODELS,
        "src/cache.js": OBJECT_CONTAINER.replace("Registry", "Cache") + "module.exports = new Cache();\n",
        "src/routes.js": '''
            const express = require('express');
            const cache = require('./cache');
            const { User } = require('./models');
            const router = express.Router();
            router.post('/admin', async (req, res) => {
              cache.add('admin', await User.findByPk(1));
              res.json({ ok: true });
            });
            router.get('/admin', async (req, res) => res.json({ name: cache.get('admin').name }));
            module.exports = router;
        ''',
    })
    assert [f for f in report(root).findings if f.rule == "AL220"] == []


def test_orm_verdict_sees_queries_behind_a_hand_written_registry():
    """agent-express-registry-bugs: every query runs on `this.Article` & co., models that arrive through
    `c.resolve('models')`; before the registry was read the verdict was "no query goes through Sequelize"."""
    from pathlib import Path

    from archlint.application.pipeline import Options
    from archlint.application.verify import parse_task, run_verify

    root = Path(__file__).resolve().parent.parent / "fixtures" / "agent-express-registry-bugs"
    verdicts = run_verify(str(root), parse_task("node-express-openapi-clean_architecture-postgres-sequelize"),
                          options=Options(use_cache=False)).verdicts
    orm = next(c for c in verdicts if c.constraint == "orm")
    database = next(c for c in verdicts if c.constraint == "database")
    assert orm.compliant, orm.reason
    assert not database.compliant  # `DATABASE_URL || 'sqlite:conduit.sqlite'`


LAYERED_REPOSITORY = '''
    class PostRepository {
      constructor({ Post }) {
        this.Post = Post;
      }

      async recent(limit) {
        return this.Post.findAll({ order: [['id', 'DESC']], limit });
      }
    }

    module.exports = PostRepository;
'''

LAYERED_SERVICE = '''
    class PostService {
      constructor({ postRepository }) {
        this.postRepository = postRepository;
      }

      async recent(limit) {
        return this.postRepository.recent(Math.min(Number(limit) || 10, 50));
      }
    }

    module.exports = PostService;
'''


def _layered_registry_app(tmp_path, resolved: str, layered: bool = True):
    """Routes -> services -> repositories wired by a hand-written registry; the route resolves ``resolved``."""
    services = "src/services/postService.js" if layered else "src/postService.js"
    repositories = "src/repositories/postRepository.js" if layered else "src/postRepository.js"
    return make_repo(tmp_path, {
        "package.json": '{"name": "app", "dependencies": {"express": "^4", "sequelize": "^6", "pg": "^8"}}',
        "src/models/index.js": MODELS,
        repositories: LAYERED_REPOSITORY,
        services: LAYERED_SERVICE,
        "src/container.js": MAP_CONTAINER + f'''
            const models = require('./models');
            const PostRepository = require('./{repositories[4:-3]}');
            const PostService = require('./{services[4:-3]}');
            const container = new Container();
            container
              .register('postRepository', () => new PostRepository({{ Post: models.Post }}))
              .register('postService', (c) => new PostService({{ postRepository: c.resolve('postRepository') }}));
            module.exports = container;
        ''',
        "src/routes/posts.js": f'''
            const express = require('express');
            const container = require('../container');
            const router = express.Router();
            router.get('/posts', async (req, res) => {{
              res.json(await container.resolve('{resolved}').recent(req.query.limit));
            }});
            module.exports = router;
        ''',
    })


def test_route_resolving_a_repository_from_the_registry_skips_the_service_layer(tmp_path):
    """No import shows it — the route imports only the container, a composition root — but what
    `container.resolve('postRepository')` yields is a `PostRepository`, in the repositories layer the
    routes layer may not use: AL102 at the resolve call."""
    found = [f for f in report(_layered_registry_app(tmp_path, "postRepository")).findings if f.rule in ("AL101", "AL102")]
    assert [(f.rule, f.path, f.line, f.column) for f in found] == [("AL102", "src/routes/posts.js", 5, 18)]
    assert "container.resolve('postRepository')" in found[0].message and "services" in found[0].guidance


def test_route_resolving_the_service_from_the_registry_is_silent(tmp_path):
    """The look-alike: the route resolves the service, which uses the repository (the service's own
    `c.resolve('postRepository')` is in the container, a composition root)."""
    found = [f for f in report(_layered_registry_app(tmp_path, "postService")).findings if f.rule in ("AL101", "AL102")]
    assert found == []


def test_registry_resolution_in_an_unlayered_app_is_not_judged(tmp_path):
    """No layers configured or inferred (no services/ or repositories/ directory): no layer rule's premise."""
    found = [f for f in report(_layered_registry_app(tmp_path, "postRepository", layered=False)).findings
             if f.rule in ("AL101", "AL102")]
    assert found == []


def test_layers_only_run_stays_heads_only_with_a_registry(tmp_path):
    """`--select layering` reads no bodies, so the resolution is not looked for there (imports only)."""
    root = _layered_registry_app(tmp_path, "postRepository")
    found = report(root, select=("layering",))
    assert found.context.deep is None
    assert [f for f in found.findings if f.rule == "AL102"] == []


def test_awilix_resolution_of_a_repository_in_a_route_skips_the_service_layer(tmp_path):
    """awilix's `container.resolve('postRepository')` yields the registered `asClass(PostRepository)`:
    AL102 in the route; the route beside it resolving `postService` is silent."""
    root = make_repo(tmp_path, {
        "package.json": '{"name": "app", "dependencies": {"express": "^4", "sequelize": "^6", "pg": "^8", "awilix": "^10"}}',
        "src/models/index.js": MODELS,
        "src/repositories/postRepository.js": LAYERED_REPOSITORY,
        "src/services/postService.js": LAYERED_SERVICE,
        "src/container.js": '''
            const { createContainer, asClass, asValue } = require('awilix');
            const models = require('./models');
            const PostRepository = require('./repositories/postRepository');
            const PostService = require('./services/postService');
            const container = createContainer();
            container.register({
              Post: asValue(models.Post),
              postRepository: asClass(PostRepository).singleton(),
              postService: asClass(PostService).scoped(),
            });
            module.exports = container;
        ''',
        "src/routes/posts.js": '''
            const express = require('express');
            const container = require('../container');
            const router = express.Router();
            router.get('/posts', async (req, res) => res.json(await container.resolve('postRepository').recent(req.query.limit)));
            router.get('/feed', async (req, res) => res.json(await container.resolve('postService').recent(req.query.limit)));
            module.exports = router;
        ''',
    })
    found = [(f.rule, f.path, f.line) for f in report(root).findings if f.rule in ("AL101", "AL102")]
    assert found == [("AL102", "src/routes/posts.js", 4)]
