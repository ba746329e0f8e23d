"""Route handlers behind a hand-written Express wrapper shared by several routes.

``const wrap = (fn) => (req, res, next) => Promise.resolve(fn(req, res, next)).catch(next)`` serves ``fn``: what the
handler writes is the request's (AL305) — each route its own handler, not one inner arrow shared by every route
registered through the wrapper — and its rejections go to ``next`` (no AL807).  A wrapper that does more
around the call (here: runs it in a transaction) is not unwrapped.
"""

from __future__ import annotations

from tests.helpers import findings, make_repo

MODELS = """
    const { DataTypes, Sequelize } = require('sequelize');
    const sequelize = new Sequelize({ dialect: 'sqlite', storage: 'x.sqlite' });
    const Article = sequelize.define('Article', { title: DataTypes.STRING });
    const Tag = sequelize.define('Tag', { name: DataTypes.STRING });
    module.exports = { sequelize, Article, Tag };
"""

PACKAGE = '{"dependencies": {"express": "^4.19.2", "sequelize": "^6.37.3", "sqlite3": "^5.1.7"}}'


def _app(wrapper: str) -> dict[str, str]:
    return {
        "package.json": PACKAGE,
        "models.js": MODELS,
        "repository.js": """
            const { Article, Tag } = require('./models');
            async function insert(title, tag) {
              const article = await Article.create({ title });
              await Tag.create({ name: tag });
              return article;
            }
            module.exports = { insert };
        """,
        "service.js": """
            const repository = require('./repository');
            async function createArticle(title, tag) {
              if (!title) throw new Error('title is required');
              return repository.insert(title, tag);
            }
            module.exports = { createArticle };
        """,
        "app.js": f"""
            const express = require('express');
            const {{ sequelize }} = require('./models');
            const service = require('./service');
            const app = express();
            const router = express.Router();
            app.use(express.json());
            {wrapper}
            router.get('/articles', wrap(async (req, res) => {{
              res.json({{ articles: [] }});
            }}));
            router.post('/articles', wrap(async (req, res) => {{
              const article = await service.createArticle(req.body.title, req.body.tag);
              res.status(201).json({{ id: article.id }});
            }}));
            app.use('/api', router);
            app.listen(3000);
        """,
    }


def test_forwarding_wrapper_serves_the_handler(tmp_path):
    root = make_repo(tmp_path, _app("const wrap = (fn) => (req, res, next) => Promise.resolve(fn(req, res, next)).catch(next);"))
    rules = [rule for rule, _path, _line in findings(root)]
    assert "AL305" in rules  # the two autocommitted creates of the wrapped handler
    assert "AL807" not in rules  # its rejection reaches next(): Express 4 answers 500


def test_try_catch_wrapper_serves_the_handler(tmp_path):
    wrapper = """function wrap(fn) {
              return async function (req, res, next) {
                try { await fn(req, res, next); } catch (err) { next(err); }
              };
            }"""
    root = make_repo(tmp_path, _app(wrapper))
    rules = [rule for rule, _path, _line in findings(root)]
    assert "AL305" in rules and "AL807" not in rules


def test_transaction_wrapper_is_not_unwrapped(tmp_path):
    wrapper = "const wrap = (fn) => (req, res, next) => sequelize.transaction(() => fn(req, res, next)).catch(next);"
    root = make_repo(tmp_path, _app(wrapper))
    assert "AL305" not in [rule for rule, _path, _line in findings(root)]
