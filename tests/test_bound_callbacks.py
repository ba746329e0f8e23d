"""N+1 through a method handed to an array loop with ``.bind(this)`` (``Promise.all(rows.map(this.present.bind(this)))``),
as through ``rows.map(this.present, this)``; a bound method that queries nothing stays silent."""

from __future__ import annotations

from helpers import make_repo, report

NODE = '{"name": "x", "dependencies": {"express": "4", "sequelize": "6", "pg": "8"}}'
MODELS = """
    const { Sequelize, DataTypes } = require('sequelize');
    const sequelize = new Sequelize(process.env.DATABASE_URL);
    const User = sequelize.define('User', { username: DataTypes.STRING });
    const Article = sequelize.define('Article', { slug: DataTypes.STRING, authorId: DataTypes.INTEGER });
    module.exports = { sequelize, User, Article };
"""
SERVICE = """
    const { User, Article } = require('../models');

    class ArticleService {
      async present(article) {
        const author = await User.findByPk(article.authorId);
        return { slug: article.slug, author: author && author.username };
      }

      format(article) {
        return { slug: article.slug };
      }

      async list() {
        const rows = await Article.findAll();
        return Promise.all(rows.map(this.present.bind(this)));
      }

      async plain() {
        const rows = await Article.findAll();
        return rows.map(this.format.bind(this));
      }

      async partial(viewer) {
        const rows = await Article.findAll();
        return rows.map(this.format.bind(this, viewer));
      }
    }

    module.exports = ArticleService;
"""


def test_a_bound_method_mapped_over_rows_queries_per_row(tmp_path):
    root = make_repo(tmp_path, {"package.json": NODE, "src/models/index.js": MODELS, "src/services/articles.js": SERVICE})
    found = [(f.rule, f.path, f.line) for f in report(root).findings if f.rule == "AL601"]
    assert found == [("AL601", "src/services/articles.js", 15)]


PARTIAL_SERVICE = """
    const { User, Article } = require('../models');

    class FeedService {
      async present(viewer, article) {
        const author = await User.findByPk(article.authorId);
        return { slug: article.slug, author: author && author.username, mine: viewer === article.authorId };
      }

      format(viewer, article) {
        return { slug: article.slug, mine: viewer === article.authorId };
      }

      async feed(viewer) {
        const rows = await Article.findAll();
        return Promise.all(rows.map(this.present.bind(this, viewer)));
      }

      async plain(viewer) {
        const rows = await Article.findAll();
        return rows.map(this.format.bind(this, viewer));
      }
    }

    module.exports = FeedService;
"""


def test_a_partially_bound_method_keeps_its_callee_and_shifts_the_row(tmp_path):
    # `this.present.bind(this, viewer)`: the viewer fills `viewer`, the row `article` — the query per row is found;
    # `this.format.bind(this, viewer)` queries nothing and stays silent
    root = make_repo(tmp_path, {"package.json": NODE, "src/models/index.js": MODELS, "src/services/feed.js": PARTIAL_SERVICE})
    found = [(f.rule, f.path, f.line) for f in report(root).findings if f.rule == "AL601"]
    assert found == [("AL601", "src/services/feed.js", 15)]
