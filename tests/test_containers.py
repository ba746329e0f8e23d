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
