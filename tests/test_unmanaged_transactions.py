"""AL206 for an unmanaged Sequelize transaction (``const t = await sequelize.transaction()``) that
the function ends on one path and leaves open on another — the shape agents write for a
"dry run" or validation early return — with the look-alikes real code uses: commit/rollback on
every path, a ``finally`` that ends it, a wrapper that hands ``t`` to a handler, a middleware that
stores it on the request, a helper returning it."""

from __future__ import annotations

from helpers import make_repo, report

NODE = '{"name": "x", "dependencies": {"express": "4", "sequelize": "6", "pg": "8"}}'
MODELS = """
    const { Sequelize, DataTypes } = require('sequelize');
    const sequelize = new Sequelize(process.env.DATABASE_URL);
    const Article = sequelize.define('Article', { slug: DataTypes.STRING, title: DataTypes.STRING });
    const Tag = sequelize.define('Tag', { name: DataTypes.STRING });
    module.exports = { sequelize, Article, Tag };
"""


def _al206(root, routes: str):
    make_repo(root, {"package.json": NODE, "src/models.js": MODELS, "src/routes.js": routes})
    return sorted((f.path, f.line) for f in report(root).findings if f.rule == "AL206")


def test_an_early_return_leaves_the_transaction_open(tmp_path):
    assert _al206(tmp_path, """
        const express = require('express');
        const { sequelize, Article, Tag } = require('./models');
        const router = express.Router();

        router.post('/articles', async (req, res) => {
          const t = await sequelize.transaction();
          const article = await Article.create({ title: req.body.title }, { transaction: t });
          if (!req.body.tag) {
            return res.status(201).json({ article });
          }
          await Tag.create({ name: req.body.tag }, { transaction: t });
          await t.commit();
          res.status(201).json({ article });
        });

        module.exports = router;
    """) == [("src/routes.js", 9)]


def test_commit_and_rollback_on_every_path_are_silent(tmp_path):
    assert _al206(tmp_path, """
        const express = require('express');
        const { sequelize, Article, Tag } = require('./models');
        const router = express.Router();

        router.post('/articles', async (req, res) => {
          const t = await sequelize.transaction();
          try {
            const article = await Article.create({ title: req.body.title }, { transaction: t });
            if (!req.body.tag) {
              await t.commit();
              return res.status(201).json({ article });
            }
            await Tag.create({ name: req.body.tag }, { transaction: t });
            await t.commit();
            return res.status(201).json({ article });
          } catch (err) {
            await t.rollback();
            return res.status(500).json({ error: err.message });
          }
        });

        router.post('/tags', async (req, res) => {
          const t = await sequelize.transaction();
          try {
            if (!req.body.name) return res.status(422).end();
            await Tag.create({ name: req.body.name }, { transaction: t });
            await t.commit();
            return res.status(201).end();
          } finally {
            if (!t.finished) await t.rollback();
          }
        });

        module.exports = router;
    """) == []


def test_a_handle_given_to_someone_else_is_theirs_to_end(tmp_path):
    assert _al206(tmp_path, """
        const { sequelize, Tag } = require('./models');

        function withTransaction(handler) {
          return async (req, res) => {
            const transaction = await sequelize.transaction();
            try {
              await handler(req, res, transaction);
            } catch (err) {
              await transaction.rollback();
            }
          };
        }

        async function transactionMiddleware(req, res, next) {
          const transaction = await sequelize.transaction();
          req.transaction = transaction;
          if (req.method === 'GET') {
            await transaction.rollback();
            return next();
          }
          res.on('finish', () => transaction.commit());
          return next();
        }

        async function begin(strict) {
          const t = await sequelize.transaction();
          if (strict) {
            await t.rollback();
            return null;
          }
          return t;
        }

        module.exports = { withTransaction, transactionMiddleware, begin };
    """) == []


def test_a_write_whose_error_nothing_rolls_back(tmp_path):
    """``const t = await sequelize.transaction()``, two creates, ``t.commit()`` — no ``try``: a unique
    violation in the second create leaves ``t`` open (Sequelize never rolls an unmanaged transaction
    back by itself).  The same writes inside ``try { … } catch { await t.rollback() }`` are silent."""
    assert _al206(tmp_path, """
        const express = require('express');
        const { sequelize, Article, Tag } = require('./models');
        const router = express.Router();

        router.post('/articles', async (req, res) => {
          const t = await sequelize.transaction();
          const article = await Article.create({ title: req.body.title }, { transaction: t });
          await Tag.create({ name: req.body.tag }, { transaction: t });
          await t.commit();
          res.status(201).json({ article });
        });

        router.post('/articles/safe', async (req, res) => {
          const t = await sequelize.transaction();
          try {
            const article = await Article.create({ title: req.body.title }, { transaction: t });
            await Tag.create({ name: req.body.tag }, { transaction: t });
            await t.commit();
            res.status(201).json({ article });
          } catch (err) {
            await t.rollback();
            throw err;
          }
        });

        module.exports = router;
    """) == [("src/routes.js", 7)]


def test_a_closure_passing_the_transaction_as_an_option_does_not_take_it(tmp_path):
    """``tags.map((name) => Tag.findOrCreate({ where: { name }, transaction: t }))`` only runs queries
    in ``t``; a closure that commits it (``res.on('finish', () => t.commit())``) may end it."""
    assert _al206(tmp_path, """
        const express = require('express');
        const { sequelize, Article, Tag } = require('./models');
        const router = express.Router();

        router.post('/articles', async (req, res) => {
          const t = await sequelize.transaction();
          try {
            const article = await Article.create({ title: req.body.title }, { transaction: t });
            await Promise.all(req.body.tags.map((name) => Tag.findOrCreate({ where: { name }, transaction: t })));
            if (req.query.preview) return res.json({ article });
            await t.commit();
            return res.status(201).json({ article });
          } catch (err) {
            await t.rollback();
            throw err;
          }
        });

        router.post('/later', async (req, res) => {
          const t = await sequelize.transaction();
          try {
            await Tag.create({ name: req.body.name }, { transaction: t });
            if (req.query.defer) {
              res.on('finish', () => t.commit());
              return res.status(202).end();
            }
            await t.commit();
            return res.status(201).end();
          } catch (err) {
            await t.rollback();
            throw err;
          }
        });

        module.exports = router;
    """) == [("src/routes.js", 10)]


def test_a_read_that_throws_on_a_missing_row_before_the_try(tmp_path):
    """`findOne({ transaction: t, rejectOnEmpty: true })` before the `try` that rolls `t` back: an unknown
    slug throws EmptyResultError and `t` stays open.  The same read with `rejectOnEmpty: false` (null for no
    row), or inside the `try`, is silent."""
    assert _al206(tmp_path, """
        const express = require('express');
        const { sequelize, Article } = require('./models');
        const router = express.Router();

        router.put('/articles/:slug', async (req, res) => {
          const t = await sequelize.transaction();
          const article = await Article.findOne({ where: { slug: req.params.slug }, transaction: t, rejectOnEmpty: true });
          try {
            await article.update({ title: req.body.title }, { transaction: t });
            await t.commit();
          } catch (err) {
            await t.rollback();
            throw err;
          }
          res.json({ article });
        });

        router.patch('/articles/:slug', async (req, res) => {
          const t = await sequelize.transaction();
          const article = await Article.findOne({ where: { slug: req.params.slug }, transaction: t, rejectOnEmpty: false });
          try {
            if (article) await article.update({ title: req.body.title }, { transaction: t });
            await t.commit();
          } catch (err) {
            await t.rollback();
            throw err;
          }
          res.json({ article });
        });

        router.post('/articles/:slug/touch', async (req, res) => {
          const t = await sequelize.transaction();
          try {
            const article = await Article.findOne({ where: { slug: req.params.slug }, transaction: t, rejectOnEmpty: true });
            await article.update({ title: req.body.title }, { transaction: t });
            await t.commit();
            res.json({ article });
          } catch (err) {
            await t.rollback();
            throw err;
          }
        });

        module.exports = router;
    """) == [("src/routes.js", 7)]
