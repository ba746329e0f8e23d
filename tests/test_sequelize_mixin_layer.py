"""Sequelize association methods outside the data layer (issue 12, agent-style Express/Sequelize backends).

``viewer.getFollowing()``, ``article.countComments()``, ``article.addTag(tag)`` on a row are queries and writes
of their own, as ``article.update()`` is: a service calling them goes around the repositories layer (AL301).
The same getter called in a repository, and a plain object's ``getFollowing()`` that is no Sequelize row,
stay silent."""

from __future__ import annotations

from helpers import make_repo, report

FILES = {
    "package.json": '{"name": "blog", "dependencies": {"express": "^4.19.2", "sequelize": "^6.37.3", "sqlite3": "^5.1.7"}}\n',
    "src/models/index.js": '''
        const { Sequelize, DataTypes } = require('sequelize');

        const sequelize = new Sequelize('sqlite::memory:');
        const User = sequelize.define('User', { username: DataTypes.STRING });
        const Article = sequelize.define('Article', { title: DataTypes.STRING });
        const Tag = sequelize.define('Tag', { name: DataTypes.STRING });
        const Comment = sequelize.define('Comment', { body: DataTypes.TEXT });
        User.belongsToMany(User, { as: 'following', through: 'Follows', foreignKey: 'followerId' });
        Article.hasMany(Comment, { as: 'comments', foreignKey: 'articleId' });
        Article.belongsToMany(Tag, { as: 'tags', through: 'ArticleTags' });

        module.exports = { sequelize, User, Article, Tag, Comment };
    ''',
    "src/repositories/articleRepository.js": '''
        const { Article, User } = require('../models');

        async function findById(id) {
          return Article.findByPk(id);
        }

        async function findUser(id) {
          return User.findByPk(id);
        }

        // the data layer: its association getters are where the queries belong
        async function followedIds(viewer) {
          const following = await viewer.getFollowing({ attributes: ['id'] });
          return following.map((u) => u.id);
        }

        module.exports = { findById, findUser, followedIds };
    ''',
    "src/services/articleService.js": '''
        const articles = require('../repositories/articleRepository');

        async function feed(viewerId) {
          const viewer = await articles.findUser(viewerId);
          if (!viewer) return [];
          const following = await viewer.getFollowing();
          return following.map((u) => u.id);
        }

        async function stats(id) {
          const article = await articles.findById(id);
          if (!article) return null;
          return { comments: await article.countComments() };
        }

        async function tag(id, label) {
          const article = await articles.findById(id);
          if (!article) return null;
          await article.addTag(label);
          return article;
        }

        async function cachedFeed(viewerId) {
          // a plain object with a method of the same name: no Sequelize row, no query
          const cache = { getFollowing() { return [viewerId]; } };
          return cache.getFollowing();
        }

        async function repositoryFeed(viewerId) {
          const viewer = await articles.findUser(viewerId);
          if (!viewer) return [];
          return articles.followedIds(viewer);
        }

        module.exports = { feed, stats, tag, cachedFeed, repositoryFeed };
    ''',
}


def test_association_methods_in_a_service_are_db_access_outside_the_data_layer(tmp_path):
    root = make_repo(tmp_path, FILES)
    found = sorted((f.rule, f.path, f.line) for f in report(root).findings if f.rule == "AL301")
    assert found == [
        ("AL301", "src/services/articleService.js", 6),   # viewer.getFollowing()
        ("AL301", "src/services/articleService.js", 13),  # article.countComments()
        ("AL301", "src/services/articleService.js", 19),  # article.addTag(label)
    ]
