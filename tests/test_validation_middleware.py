"""A validation middleware that replaces the request body (`req.body = value`, Koa `ctx.request.body = value`)
mounted on a route: the handler after it reads the validated body, so AL504 (mass assignment) follows what the
schema hands back (fixtures agent-express-validate-middleware-* cover Express; these cover Koa's shapes)."""

from __future__ import annotations

import textwrap

from archlint.application.pipeline import Options, run_check

_MODELS = """\
const { Sequelize, DataTypes } = require('sequelize');
const sequelize = new Sequelize(process.env.DATABASE_URL);
const Article = sequelize.define('Article', {
  title: DataTypes.STRING,
  body: DataTypes.TEXT,
  favoritesCount: { type: DataTypes.INTEGER, defaultValue: 0 },
});
module.exports = { sequelize, Article };
"""

_MIDDLEWARE = """\
const validate = (schema) => async (ctx, next) => {
  ctx.request.body = await schema.validateAsync(ctx.request.body);
  await next();
};
// sets the response body (Koa's ctx.body), not the request's
const envelope = async (ctx, next) => {
  await next();
  ctx.body = { data: ctx.body };
};
module.exports = { validate, envelope };
"""

_APP = """\
const Koa = require('koa');
const Router = require('@koa/router');
const bodyParser = require('koa-bodyparser');
const Joi = require('joi');
const { Article } = require('./models');
const { validate, envelope } = require('./middleware');

const articleSchema = Joi.object({ title: Joi.string().required(), body: Joi.string().required() }){options};
const router = new Router();

router.post('/articles', validate(articleSchema), async (ctx) => {
  ctx.body = { article: await Article.create(ctx.request.body) };
});
router.post('/drafts', envelope, async (ctx) => {
  ctx.body = { article: await Article.create(ctx.request.body) };
});

const app = new Koa();
app.use(bodyParser());
app.use(router.routes());
app.listen(3000);
"""


def _mass_assignments(tmp_path, options: str) -> list:
    files = {
        "package.json": '{"name": "k", "dependencies": {"koa": "^2", "@koa/router": "^12", "koa-bodyparser": "^4",'
                        ' "sequelize": "^6", "pg": "^8", "joi": "^17"}}',
        "src/models.js": _MODELS, "src/middleware.js": _MIDDLEWARE, "src/app.js": _APP.replace("{options}", options),
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    report = run_check([str(tmp_path)], Options(use_cache=False))
    return sorted((f.path, f.line) for f in report.findings if f.rule == "AL504")


def test_koa_body_replaced_by_a_rejecting_schema_is_no_mass_assignment(tmp_path):
    # Joi rejects undeclared keys: the handler after validate() gets only title/body; the route behind a
    # middleware that only writes the response body (ctx.body) still gets the client's own body
    assert _mass_assignments(tmp_path, "") == [("src/app.js", 15)]


def test_koa_body_replaced_by_a_schema_letting_unknown_keys_through_is_mass_assignment(tmp_path):
    # `.unknown()`: every key the client sent is in the validated value the middleware stores
    assert _mass_assignments(tmp_path, ".unknown()") == [("src/app.js", 12), ("src/app.js", 15)]


_HELPER = """\
// one helper every route's schema middleware calls: it stores the validated body
function validateRequest(req, next, schema) {
  const options = { abortEarly: false, allowUnknown: true, stripUnknown: true };
  const { error, value } = schema.validate(req.body, options);
  if (error) {
    next(`Validation error: ${error.details.map((x) => x.message).join(', ')}`);
  } else {
    req.body = value;
    next();
  }
}
module.exports = validateRequest;
"""

_BOOKS = """\
const express = require('express');
const Joi = require('joi');
const { Book } = require('./models');
const validateRequest = require('./validate-request');

const router = express.Router();
router.post('/', createSchema, create);
router.put('/:id', updateSchema, update);
router.post('/import', create);
module.exports = router;

function create(req, res, next) {
  Book.create(Object.assign({}, req.body)).then(() => res.status(201).send()).catch(next);
}

function update(req, res, next) {
  Book.update(req.body, { where: { id: req.params.id } }).then(() => res.send()).catch(next);
}

function createSchema(req, res, next) {
  const schema = Joi.object({ title: Joi.string().required(), review: Joi.string().required() });
  validateRequest(req, next, schema);
}

function updateSchema(req, res, next) {
  const schema = Joi.object({ title: Joi.string().empty(''), review: Joi.string().empty('') });
  validateRequest(req, next, schema);
}
"""

_BOOK_MODELS = """\
const { Sequelize, DataTypes } = require('sequelize');
const sequelize = new Sequelize(process.env.DATABASE_URL);
const Book = sequelize.define('Book', { title: DataTypes.STRING, review: DataTypes.TEXT, reviewerId: DataTypes.INTEGER });
module.exports = { sequelize, Book };
"""


def test_a_schema_middleware_calling_a_helper_that_stores_the_body(tmp_path):
    # `validateRequest(req, next, schema)` strips undeclared keys (stripUnknown) and stores the value: the routes
    # mounting createSchema / updateSchema get it; `POST /import` (no schema middleware) gets the client's body
    files = {
        "package.json": '{"name": "b", "dependencies": {"express": "^4", "sequelize": "^6", "pg": "^8", "joi": "^17"}}',
        "src/models.js": _BOOK_MODELS, "src/validate-request.js": _HELPER, "src/books.js": _BOOKS,
        "src/server.js": "const express = require('express');\nconst app = express();\napp.use(express.json());\n"
                         "app.use('/books', require('./books'));\napp.listen(3000);\n",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    report = run_check([str(tmp_path)], Options(use_cache=False))
    assert sorted((f.path, f.line) for f in report.findings if f.rule == "AL504") == [("src/books.js", 13)]
