"""The JS/TS lowering (adapters/frontends/js_ir.py) on the code shapes of the stacks we analyse:
Express/Koa/Fastify/Hono handlers, NestJS services and controllers, TypeORM entities, Sequelize
models and transactions, Prisma and knex chains, CommonJS services, TSX — asserted as rendered IR."""

from __future__ import annotations

import textwrap

from archlint.adapters.frontends.javascript import _grammar, _grammar_name, extract
from archlint.adapters.frontends.js_ir import lower
from archlint.domain import ir
from archlint.domain.facts import Span
from archlint.domain.ir_format import dump_function, render


def lower_source(source: str, path: str = "src/app.js") -> ir.ModuleIR:
    data = textwrap.dedent(source).encode()
    language = "typescript" if path.endswith((".ts", ".tsx")) else "javascript"
    root = _grammar(_grammar_name(path, language)).parser.parse(data).root_node
    return lower(root, data, path, language)


def function(module: ir.ModuleIR, qualname: str) -> ir.Function:
    matches = [f for f in module.functions if f.qualname == qualname]
    assert len(matches) == 1, [f.qualname for f in module.functions]
    return matches[0]


def dump(module: ir.ModuleIR, qualname: str = "") -> str:
    return dump_function(function(module, qualname))


def expected(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def klass(module: ir.ModuleIR, name: str) -> ir.Class:
    matches = [c for c in module.classes if c.name == name]
    assert len(matches) == 1, [c.name for c in module.classes]
    return matches[0]


def fields(cls: ir.Class) -> list[str]:
    out = []
    for field in cls.fields:
        text = " ".join(f"@{render(d)}" for d in field.decorators)
        text += " " + " ".join(field.modifiers + (("static",) if field.is_static else ()))
        text += f" {field.name}"
        if field.annotation is not None:
            text += f": {render(field.annotation)}"
        if field.value is not None:
            text += f" = {render(field.value)}"
        out.append(" ".join(text.split()))
    return out


def params(fn: ir.Function) -> list[str]:
    out = []
    for param in fn.params:
        text = " ".join(f"@{render(d)}" for d in param.decorators)
        text += " " + " ".join(param.modifiers)
        text += f" {param.kind} {param.name or render(param.target)}"
        if param.annotation is not None:
            text += f": {render(param.annotation)}"
        if param.default is not None:
            text += f" = {render(param.default)}"
        out.append(" ".join(text.split()))
    return out


def exports(module: ir.ModuleIR) -> list[str]:
    out = []
    for export in module.exports:
        if export.source:
            out.append(f"{export.name} <- {export.source_name} from {export.source}")
        elif export.local:
            out.append(f"{export.name} = {export.local}")
        else:
            out.append(f"{export.name} = {render(export.value)}")
    return out


def all_calls(module: ir.ModuleIR) -> list[str]:
    return sorted(render(call) for f in module.functions for call in ir.calls_in(f.body))


# -- Express / Koa / Fastify / Hono ------------------------------------------------------------------
EXPRESS = """\
    const express = require('express');
    const { Article, User } = require('../models');
    const { NotFoundError } = require('../errors');
    const router = express.Router();

    router.get('/articles', async (req, res, next) => {
      try {
        const { limit = 20, offset = 0, tag } = req.query;
        const where = tag ? { tagList: { [Op.like]: `%${tag}%` } } : {};
        const articles = await Article.findAll({ where, limit, offset, include: [{ model: User, as: 'author' }] });
        res.json({ articles: await Promise.all(articles.map(async (a) => a.toJSON())), count: articles.length });
      } catch (err) {
        next(err);
      }
    });

    router.get('/articles/:slug', async (req, res) => {
      const article = await Article.findOne({ where: { slug: req.params.slug } });
      if (!article?.author) throw new NotFoundError(`article ${req.params.slug}`);
      for (const comment of await article.getComments()) {
        comment.author = await User.findByPk(comment.authorId);
      }
      res.json(article);
    });

    module.exports = router;
"""


def test_express_router_module_level_registrations_and_commonjs_export() -> None:
    module = lower_source(EXPRESS)
    assert dump(module) == expected(
        """
        module ()
          express = require('express')
          {Article: Article, User: User} = require('../models')
          {NotFoundError: NotFoundError} = require('../errors')
          router = express.Router()
          router.get('/articles', <function #1>)
          router.get('/articles/:slug', <function #2>)
          module.exports = router
        """
    )
    assert module.bindings == (
        ("express", "express:"),
        ("Article", "../models:Article"),
        ("User", "../models:User"),
        ("NotFoundError", "../errors:NotFoundError"),
    )
    assert exports(module) == ["default = router"]
    assert module.module.locals == {"express", "Article", "User", "NotFoundError", "router"}


def test_express_handler_with_try_destructuring_and_promise_all_map_loop() -> None:
    module = lower_source(EXPRESS)
    handler = function(module, "<arrow@6>")
    assert handler.is_async and handler.kind == "arrow" and handler.parent == 0
    assert [p.name for p in handler.params] == ["req", "res", "next"]
    assert handler.locals == {"limit", "offset", "tag", "where", "articles", "err"}
    assert dump(module, "<arrow@6>") == expected(
        """
        async arrow <arrow@6>(req, res, next)
          try:
            {limit: limit = 20, offset: offset = 0, tag: tag} = req.query
            where = ({tagList: {[Op.like]: f`%{tag}%`}} if tag else {})
            articles = await Article.findAll({where: where, limit: limit, offset: offset, include: [{model: User, as: 'author'}]})
            res.json({articles: await Promise.all(<map a in articles>), count: articles.length})
          except as err:
            next(err)
        """
    )
    gather = next(c for c in ir.calls_in(handler.body) if c.method == "all")
    loop = gather.arg(0)
    assert type(loop) is ir.Loop and loop.kind == "map" and loop.is_async
    callback = module.functions[loop.fid]
    assert callback.qualname == "<arrow@6>.<arrow@11>" and callback.parent == handler.fid
    assert loop.body is callback.body and render(loop.result) == "a.toJSON()"


def test_express_handler_guard_throw_and_for_of_with_query_per_element() -> None:
    module = lower_source(EXPRESS)
    assert dump(module, "<arrow@17>") == expected(
        """
        async arrow <arrow@17>(req, res)
          article = await Article.findOne({where: {slug: req.params.slug}})
          if not article?.author:
            raise new NotFoundError(f`article {req.params.slug}`)
          for comment in await article.getComments():
            comment.author = await User.findByPk(comment.authorId)
          res.json(article)
        """
    )
    guard = function(module, "<arrow@17>").body[1]
    assert type(guard.test.operand) is ir.Attr and guard.test.operand.optional


def test_koa_router_handler_assigns_ctx_body() -> None:
    module = lower_source(
        """\
        import Router from '@koa/router';
        import * as userService from '../services/user.js';
        const router = new Router({ prefix: '/api' });
        router.post('/users', async (ctx) => {
          const { user } = ctx.request.body;
          ctx.body = { user: await userService.create(user) };
          ctx.status = 201;
        });
        export default router;
        """
    )
    assert module.bindings == (("Router", "@koa/router:default"), ("userService", "../services/user.js:"))
    assert dump(module) == expected(
        """
        module ()
          router = new Router({prefix: '/api'})
          router.post('/users', <function #1>)
        """
    )
    assert dump(module, "<arrow@4>") == expected(
        """
        async arrow <arrow@4>(ctx)
          {user: user} = ctx.request.body
          ctx.body = {user: await userService.create(user)}
          ctx.status = 201
        """
    )
    assert exports(module) == ["default = router"]


def test_fastify_app_from_called_require_and_plugin_function_export() -> None:
    module = lower_source(
        """\
        const fastify = require('fastify')({ logger: true });
        module.exports = async function routes(app, opts) {
          app.get('/users/:id', { schema: { params: idSchema } }, async (request, reply) => {
            const user = await app.db.users.findOne({ id: request.params.id });
            return user ?? reply.code(404).send({ message: 'not found' });
          });
        };
        """
    )
    assert dump(module) == expected(
        """
        module ()
          fastify = require('fastify')({logger: True})
          module.exports = <function #1>
        """
    )
    # `require('fastify')(…)` is a call of the required module, not a binding of `fastify`
    assert module.bindings == ()
    routes = function(module, "routes")
    assert [p.name for p in routes.params] == ["app", "opts"] and routes.is_async
    assert dump(module, "routes.<arrow@3>") == expected(
        """
        async arrow routes.<arrow@3>(request, reply)
          user = await app.db.users.findOne({id: request.params.id})
          return (user ?? reply.code(404).send({message: 'not found'}))
        """
    )
    assert exports(module) == ["default = <function #1>"]


def test_hono_app_with_drizzle_query_and_early_return() -> None:
    module = lower_source(
        """\
        import { Hono } from 'hono';
        import { eq } from 'drizzle-orm';
        import { db } from './db';
        import { users } from './schema';
        const app = new Hono();
        app.get('/users/:id', async (c) => {
          const user = await db.query.users.findFirst({ where: eq(users.id, Number(c.req.param('id'))) });
          if (!user) return c.json({ error: 'not found' }, 404);
          return c.json(user);
        });
        export default app;
        """,
        "src/index.ts",
    )
    assert dump(module, "<arrow@6>") == expected(
        """
        async arrow <arrow@6>(c)
          user = await db.query.users.findFirst({where: eq(users.id, Number(c.req.param('id')))})
          if not user:
            return c.json({error: 'not found'}, 404)
          return c.json(user)
        """
    )
    assert module.binding("db") == "./db:db" and module.binding("eq") == "drizzle-orm:eq"
    assert exports(module) == ["default = app"]


# -- NestJS and TypeORM ---------------------------------------------------------------------------------
NEST = """\
    import { Injectable, Controller, Get, Param, Body, Put } from '@nestjs/common';
    import { InjectRepository } from '@nestjs/typeorm';
    import { Repository } from 'typeorm';
    import { Article } from './article.entity';

    @Injectable()
    export class ArticleService {
      constructor(
        @InjectRepository(Article) private readonly articleRepository: Repository<Article>,
        private readonly userService: UserService,
      ) {}

      async findAll(query: ArticleQuery): Promise<ArticleDto[]> {
        const qb = this.articleRepository.createQueryBuilder('article').leftJoinAndSelect('article.author', 'author');
        if (query.tag) {
          qb.andWhere('article.tagList LIKE :tag', { tag: `%${query.tag}%` });
        }
        const articles = await qb.getMany();
        return Promise.all(articles.map(async (a) => this.toDto(a, await this.userService.findById(a.authorId))));
      }

      private toDto(article: Article, author: User | null): ArticleDto {
        return { ...article, author };
      }
    }

    @Controller('articles')
    export class ArticleController {
      constructor(private readonly articleService: ArticleService) {}

      @Get(':slug')
      async findOne(@Param('slug') slug: string): Promise<Article | undefined> {
        return this.articleService.findOne(slug);
      }

      @Put(':slug')
      update(@Param('slug') slug: string, @Body('article') body: UpdateArticleDto) {
        return this.articleService.update(slug, body);
      }
    }
"""


def test_nestjs_service_constructor_injection_becomes_params_and_fields() -> None:
    module = lower_source(NEST, "src/article/article.service.ts")
    service = klass(module, "ArticleService")
    assert [render(d) for d in service.decorators] == ["Injectable()"]
    assert fields(service) == [
        "@InjectRepository(Article) private readonly articleRepository: Repository[Article]",
        "private readonly userService: UserService",
    ]
    constructor = function(module, "ArticleService.constructor")
    assert constructor.cls == service.cid and constructor.kind == "method"
    assert params(constructor) == [
        "@InjectRepository(Article) private readonly pos articleRepository: Repository[Article]",
        "private readonly pos userService: UserService",
    ]
    assert [module.functions[fid].name for fid in service.methods] == ["constructor", "findAll", "toDto"]
    assert exports(module) == ["ArticleService = ArticleService", "ArticleController = ArticleController"]


def test_nestjs_service_method_builds_query_and_loops_with_helper_call() -> None:
    module = lower_source(NEST, "src/article/article.service.ts")
    find_all = function(module, "ArticleService.findAll")
    assert render(find_all.returns) == "Promise[Array[ArticleDto]]"
    assert dump(module, "ArticleService.findAll") == expected(
        """
        async method ArticleService.findAll(query: ArticleQuery)
          qb = this.articleRepository.createQueryBuilder('article').leftJoinAndSelect('article.author', 'author')
          if query.tag:
            qb.andWhere('article.tagList LIKE :tag', {tag: f`%{query.tag}%`})
          articles = await qb.getMany()
          return Promise.all(<map a in articles>)
        """
    )
    loop = next(c for c in ir.calls_in(find_all.body) if c.method == "all").arg(0)
    assert [render(c) for c in ir.calls_in(loop.body)] == [
        "this.toDto(a, await this.userService.findById(a.authorId))",
        "this.userService.findById(a.authorId)",
    ]
    assert dump(module, "ArticleService.toDto") == expected(
        """
        method ArticleService.toDto(article: Article, author: (User | None))
          return {**article, author: author}
        """
    )


def test_nestjs_controller_method_and_parameter_decorators() -> None:
    module = lower_source(NEST, "src/article/article.controller.ts")
    controller = klass(module, "ArticleController")
    assert [render(d) for d in controller.decorators] == ["Controller('articles')"]
    assert fields(controller) == ["private readonly articleService: ArticleService"]
    find_one = function(module, "ArticleController.findOne")
    assert [render(d) for d in find_one.decorators] == ["Get(':slug')"]
    assert params(find_one) == ["@Param('slug') pos slug: string"]
    assert render(find_one.returns) == "Promise[(Article | None)]"
    update = function(module, "ArticleController.update")
    assert [render(d) for d in update.decorators] == ["Put(':slug')"]
    assert params(update) == ["@Param('slug') pos slug: string", "@Body('article') pos body: UpdateArticleDto"]


def test_typeorm_entity_fields_with_decorators_and_relation_arrows() -> None:
    module = lower_source(
        """\
        import { Entity, PrimaryGeneratedColumn, Column, ManyToOne, OneToMany } from 'typeorm';

        @Entity('articles')
        export class Article extends BaseEntity {
          @PrimaryGeneratedColumn() id: number;
          @Column({ unique: true }) slug: string;
          @ManyToOne(() => User, (user) => user.articles, { eager: false, onDelete: 'CASCADE' })
          author: User;
          @OneToMany(() => Comment, (comment) => comment.article)
          comments: Comment[];
          @Column('simple-array') tagList: string[] = [];
          static readonly TABLE = 'articles';
        }
        """,
        "src/article/article.entity.ts",
    )
    article = klass(module, "Article")
    assert [render(b) for b in article.bases] == ["BaseEntity"]
    assert [render(d) for d in article.decorators] == ["Entity('articles')"]
    assert fields(article) == [
        "@PrimaryGeneratedColumn() id: number",
        "@Column({unique: True}) slug: string",
        "@ManyToOne(<function #1>, <function #2>, {eager: False, onDelete: 'CASCADE'}) author: User",
        "@OneToMany(<function #3>, <function #4>) comments: Array[Comment]",
        "@Column('simple-array') tagList: Array[string] = []",
        "readonly static TABLE = 'articles'",
    ]
    assert dump_function(module.functions[2]) == expected(
        """
        arrow Article.<arrow@7>(user)
          return user.articles
        """
    )


def test_typeorm_repository_subclass_keeps_its_generic_base() -> None:
    module = lower_source(
        """\
        @EntityRepository(User)
        export class UserRepository extends Repository<User> implements IUserRepository {
          findByEmail(email: string) {
            return this.findOne({ where: { email } });
          }
        }
        """,
        "src/user.repository.ts",
    )
    assert [render(b) for b in klass(module, "UserRepository").bases] == ["Repository[User]"]


# -- Sequelize ---------------------------------------------------------------------------------------
def test_sequelize_define_factory_and_associate_function() -> None:
    module = lower_source(
        """\
        module.exports = (sequelize, DataTypes) => {
          const Article = sequelize.define('Article', {
            slug: { type: DataTypes.STRING, unique: true },
            title: DataTypes.STRING,
          }, { tableName: 'articles' });
          Article.associate = (models) => {
            Article.belongsTo(models.User, { as: 'author', foreignKey: 'authorId' });
            Article.hasMany(models.Comment);
          };
          return Article;
        };
        """,
        "models/article.js",
    )
    factory = module.functions[1]
    assert factory.locals == {"Article"}
    assert dump_function(factory) == expected(
        """
        arrow default(sequelize, DataTypes)
          Article = sequelize.define('Article', {slug: {type: DataTypes.STRING, unique: True}, title: DataTypes.STRING}, {tableName: 'articles'})
          Article.associate = <function #2>
          return Article
        """
    )
    assert dump(module, "default.associate") == expected(
        """
        arrow default.associate(models)
          Article.belongsTo(models.User, {as: 'author', foreignKey: 'authorId'})
          Article.hasMany(models.Comment)
        """
    )


def test_sequelize_model_class_init_and_managed_transaction() -> None:
    module = lower_source(
        """\
        const { Model, DataTypes } = require('sequelize');
        const sequelize = require('../db');
        class User extends Model {
          static associate(models) {
            this.hasMany(models.Article, { foreignKey: 'authorId', as: 'articles' });
          }
        }
        User.init({ email: DataTypes.STRING }, { sequelize, modelName: 'User' });

        async function register(data) {
          return sequelize.transaction(async (t) => {
            const user = await User.create(data, { transaction: t });
            await Profile.create({ userId: user.id }, { transaction: t });
            return user;
          });
        }
        module.exports = { User, register };
        """,
        "models/user.js",
    )
    assert module.bindings == (("Model", "sequelize:Model"), ("DataTypes", "sequelize:DataTypes"), ("sequelize", "../db:"))
    associate = function(module, "User.associate")
    assert associate.is_static and associate.cls == klass(module, "User").cid
    assert dump(module, "register.<arrow@11>") == expected(
        """
        async arrow register.<arrow@11>(t)
          user = await User.create(data, {transaction: t})
          await Profile.create({userId: user.id}, {transaction: t})
          return user
        """
    )
    assert exports(module) == ["default = {User: User, register: register}", "User = User", "register = register"]


# -- Prisma, knex, SQL text ---------------------------------------------------------------------------
def test_prisma_and_knex_chains_and_tagged_raw_query() -> None:
    module = lower_source(
        """\
        export async function search(q: string, id: number) {
          const users = await prisma.user.findMany({ where: { email: { contains: q } }, include: { posts: true } });
          const rows = await knex('articles').where({ author_id: id }).orderBy('created_at', 'desc').limit(10);
          const raw = await prisma.$queryRaw`SELECT * FROM users WHERE id = ${id}`;
          return { users, rows, raw };
        }
        """,
        "src/search.ts",
    )
    assert dump(module, "search") == expected(
        """
        async function search(q: string, id: number)
          users = await prisma.user.findMany({where: {email: {contains: q}}, include: {posts: True}})
          rows = await knex('articles').where({author_id: id}).orderBy('created_at', 'desc').limit(10)
          raw = await prisma.$queryRaw`SELECT * FROM users WHERE id = {id}`
          return {users: users, rows: rows, raw: raw}
        """
    )
    tagged = ir.calls_in(function(module, "search").body)[-1]
    template = tagged.arg(0)
    assert template.strings == ("SELECT * FROM users WHERE id = ", "") and render(template.tag) == "prisma.$queryRaw"


def test_a_chain_of_tagged_templates_is_walked_once_per_node() -> None:
    """Backquoted words in a doc comment that tree-sitter recovers as code (effect 4.1.5's Schema.ts:
    "keys (`title`, `description`, …)") parse as a chain of tagged templates a`x`y`z`….  The tag
    is the call's own func: walking, evaluating or rendering it again from the template doubles
    the work at every level (2^16 visits here; effect's chain ran past 10 minutes)."""
    module = lower_source("const keys = f" + "".join(f"`k{i}`" for i in range(16)) + "\n", "src/a.ts")
    body = module.functions[0].body
    visits = sum(1 for _ in ir.iter_nodes(body))
    distinct = len({id(node) for node in ir.iter_nodes(body)})
    assert visits == distinct and 16 * 3 <= visits < 16 * 6
    assert sum(1 for _ in ir.iter_edges(body)) == visits
    assert len(render(body[0].value)) < 16 * 12


def test_sql_strings_fold_through_plus_and_templates_keep_their_holes() -> None:
    module = lower_source(
        r"""
        const a = 'SELECT * ' + 'FROM users ' + "WHERE id = " + 1;
        const b = 'SELECT ' + cols + ' FROM t WHERE x = \'y\'';
        const c = `SELECT * FROM t\nWHERE id = ${id} AND name = ${req.body.name}`;
        const d = `plain \u00e9`;
        db.query(sql`DELETE FROM t WHERE id = ${id}`);
        """
    )
    assert dump(module) == expected(
        """
        module ()
          a = 'SELECT * FROM users WHERE id = 1'
          b = (('SELECT ' + cols) + " FROM t WHERE x = 'y'")
          c = f`SELECT * FROM t
        WHERE id = {id} AND name = {req.body.name}`
          d = 'plain é'
          db.query(sql`DELETE FROM t WHERE id = {id}`)
        """
    )


# -- CommonJS services, destructured constructors --------------------------------------------------------
def test_commonjs_service_with_destructured_constructor_dependencies() -> None:
    module = lower_source(
        """\
        class ArticleService {
          constructor({ Article, User }) {
            this.Article = Article;
            this.User = User;
          }
          async list(limit = 20) {
            return this.Article.findAll({ include: [this.User], limit });
          }
        }
        module.exports = { ArticleService, createService: (deps) => new ArticleService(deps) };
        """,
        "src/services/article.js",
    )
    constructor = function(module, "ArticleService.constructor")
    assert params(constructor) == ["pattern {Article: Article, User: User}"]
    assert constructor.scope_of("Article") == "param" and constructor.scope_of("this") == "outer"
    assert constructor.locals == frozenset()
    assert dump(module, "ArticleService.constructor") == expected(
        """
        method ArticleService.constructor()
          this.Article = Article
          this.User = User
        """
    )
    assert params(function(module, "ArticleService.list")) == ["pos limit = 20"]
    assert exports(module) == [
        "default = {ArticleService: ArticleService, createService: <function #3>}",
        "ArticleService = ArticleService",
        "createService = <function #3>",
    ]
    assert function(module, "createService").kind == "arrow"


def test_commonjs_named_exports_and_prototype_methods() -> None:
    module = lower_source(
        """\
        exports.create = async (req, res) => res.json(await svc.create(req.body));
        module.exports.remove = function (id) { return db('t').where({ id }).del(); };
        Repo.prototype.find = function find(id) { return this.db.get(id); };
        """
    )
    assert exports(module) == ["create = <function #1>", "remove = <function #2>"]
    assert [f.qualname for f in module.functions[1:]] == ["create", "remove", "find"]
    assert function(module, "find").locals == {"find"}  # a named function expression sees its own name


# -- control flow ------------------------------------------------------------------------------------
def test_switch_becomes_if_chain_with_strict_equality() -> None:
    module = lower_source(
        """\
        function status(order) {
          switch (order.state) {
            case 'new':
            case 'pending':
              return 1;
            case 'done': {
              notify(order);
              break;
            }
            default:
              throw new Error('bad state');
          }
          switch (load(order)) {
            case 1: go(); break;
          }
          switch (kind) {
            case 'skip': break;
            case 'run': run(); break;
          }
        }
        """
    )
    assert dump(module, "status") == expected(
        """
        function status(order)
          if ((order.state === 'new') or (order.state === 'pending')):
            return 1
          else:
            if (order.state === 'done'):
              notify(order)
            else:
              raise new Error('bad state')
          <switch@13> = load(order)
          if (<switch@13> === 1):
            go()
          if (kind === 'skip'):
          else:
            if (kind === 'run'):
              run()
        """
    )
    assert "<switch@13>" in function(module, "status").locals


def test_loops_for_of_in_c_style_while_do_labels_and_jumps() -> None:
    module = lower_source(
        """\
        async function walk(rows, obj, cursor) {
          outer: for (const [key, { id }] of Object.entries(rows)) {
            if (!id) continue;
            for (let i = 0, n = key.length; i < n; i++) {
              if (i > 3) break outer;
            }
          }
          for (const k in obj) delete obj[k];
          for await (const chunk of cursor) process(chunk);
          let page;
          while ((page = await cursor.next()) !== null) { handle(page); }
          do { retry(); } while (failed());
          for (;;) { break; }
        }
        """
    )
    assert dump(module, "walk") == expected(
        """
        async function walk(rows, obj, cursor)
          for [key, {id: id}] in Object.entries(rows):
            if not id:
              continue
            i = 0
            n = key.length
            for  in (i < n):
              if (i > 3):
                break
              i += 1
          for k in obj:
            del obj[k]
          async for chunk in cursor:
            process(chunk)
          page
          while  in (page !== None):
            page = await cursor.next()
            handle(page)
          while  in failed():
            retry()
          for  in True:
            break
        """
    )
    assert function(module, "walk").locals == {"key", "id", "i", "n", "k", "chunk", "page"}


def test_if_else_chain_try_catch_finally_and_catch_destructuring() -> None:
    module = lower_source(
        """\
        async function save(repo, entity, log) {
          if (entity.id == null) await repo.insert(entity);
          else if (entity.deleted) await repo.remove(entity);
          else { await repo.update(entity.id, entity); }
          try {
            await repo.commit();
          } catch ({ message, code }) {
            log.error(message);
            throw new DbError(code);
          } finally {
            await repo.release();
          }
        }
        """
    )
    assert dump(module, "save") == expected(
        """
        async function save(repo, entity, log)
          if (entity.id == None):
            await repo.insert(entity)
          else:
            if entity.deleted:
              await repo.remove(entity)
            else:
              await repo.update(entity.id, entity)
          try:
            await repo.commit()
          except:
            log.error(message)
            raise new DbError(code)
          finally:
            await repo.release()
        """
    )
    assert function(module, "save").locals == {"message", "code"}


def test_assignment_used_as_a_value_is_hoisted_and_read_once() -> None:
    module = lower_source(
        """\
        async function load(id) {
          let user;
          if (!(user = await User.findByPk(id))) return null;
          cache[id] ||= user;
          return (count += 1, user);
        }
        """
    )
    assert dump(module, "load") == expected(
        """
        async function load(id)
          user
          user = await User.findByPk(id)
          if not user:
            return None
          cache[id] ||= user
          count += 1
          return user
        """
    )
    assert [render(c) for c in ir.calls_in(function(module, "load").body)] == ["User.findByPk(id)"]


def test_using_declarations_are_with_blocks_over_the_rest_of_the_block() -> None:
    module = lower_source(
        """\
        async function run() {
          await using conn = await pool.connect();
          using lock = mutex.lock();
          await conn.query('SELECT 1');
        }
        """
    )
    assert dump(module, "run") == expected(
        """
        async function run()
          async with await pool.connect() as conn:
            with mutex.lock() as lock:
              await conn.query('SELECT 1')
        """
    )
    assert function(module, "run").locals == {"conn", "lock"}


# -- array methods ---------------------------------------------------------------------------------
def test_array_methods_with_inline_callbacks_are_loops_and_named_callbacks_are_calls() -> None:
    module = lower_source(
        """\
        async function feed(users, ids) {
          users.forEach((u) => { u.touch(); });
          const total = users.reduce((sum, { orders }) => sum + orders.length, 0);
          const chain = ids.reduce(async (prev, id) => { await prev; await Post.destroy({ where: { id } }); }, Promise.resolve());
          const dtos = users.map(toDto);
          const first = users.find(function isAdmin(u) { return u.admin; });
          return users.filter(Boolean);
        }
        """
    )
    assert dump(module, "feed") == expected(
        """
        async function feed(users, ids)
          forEach u in users:
            u.touch()
          total = <reduce {orders: orders} in users>
          Promise.resolve()
          chain = <reduce id in ids>
          dtos = users.map(toDto)
          first = <find u in users>
          return users.filter(Boolean)
        """
    )
    body = function(module, "feed").body
    total = body[1].value
    assert total.fid > 0 and render(total.result) == "(sum + orders.length)"
    assert module.functions[total.fid].params[0].name == "sum"
    chain = body[3].value
    assert chain.is_async and chain.result is None
    assert module.functions[body[5].value.fid].qualname == "feed.isAdmin"
    assert [render(c) for c in ir.calls_in(chain.body)] == ["Post.destroy({where: {id: id}})"]


# -- expressions ------------------------------------------------------------------------------------
def test_expression_forms_normalised() -> None:
    module = lower_source(
        r"""
        x = a?.b?.[k]?.(1, ...rest);
        y = !ok && (n === 0 || n !== 1) && typeof v === 'string' && !(k in o) && e instanceof E;
        z = [1, , ...more];
        w = { a, 'b-c': 2, [key]: 3, 4: 4, ...extra, m() {} };
        v = void 0 ?? undefined ?? null;
        u = -1 + -x;
        t = /ab+c/gi;
        s = import('./lazy');
        r = (0, db_1.query)(sql);
        q = new Date;
        p = 0x1F + 1_000 + 10n + .5 + 017;
        """
    )
    assert dump(module) == expected(
        """
        module ()
          x = a?.b[k]?.(1, *rest)
          y = (not ok and ((n === 0) or (n !== 1)) and (typeof v === 'string') and not (k in o) and (e instanceof E))
          z = [1, None, *more]
          w = {a: a, b-c: 2, [key]: 3, 4: 4, **extra, m: <function #1>}
          v = (None ?? None ?? None)
          u = (-1 + -x)
          t = <regex>
          s = import('./lazy')
          r = db_1.query(sql)
          q = new Date()
          p = ((((31 + 1000) + 10) + 0.5) + 15)
        """
    )
    x = function(module, "").body[0].value
    assert x.optional and x.func.optional and x.func.obj.optional  # a?.b?.[k]?.()
    y = function(module, "").body[1].value
    assert [type(v).__name__ for v in y.values] == ["Unary", "BoolOp", "Compare", "Unary", "Compare"]
    assert y.values[2].strict and y.values[1].values[0].strict


def test_jsx_is_opaque_but_keeps_embedded_calls_and_loops() -> None:
    module = lower_source(
        """\
        export default function ArticleList({ articles, onDelete }) {
          return (
            <ul className="list">
              {articles.map((a) => <li key={a.id} onClick={() => onDelete(a.id)}>{a.title}</li>)}
              <Footer {...props} count={count(articles)} />
            </ul>
          );
        }
        """,
        "src/ArticleList.tsx",
    )
    component = function(module, "ArticleList")
    returned = component.body[0].value
    assert type(returned) is ir.Opaque and returned.kind == "jsx"
    assert [render(p) for p in returned.parts] == ["<map a in articles>", "*props", "count(articles)"]
    assert exports(module) == ["default = ArticleList"]
    assert params(component) == ["pattern {articles: articles, onDelete: onDelete}"]


def test_typescript_wrappers_and_types_lowered_to_expressions() -> None:
    module = lower_source(
        """\
        const repo = dataSource.getRepository(User) as Repository<User>;
        const a = <Foo>b;
        const c = d!.e satisfies F;
        let map: Map<string, User[]> | undefined;
        let fn: (x: number) => void;
        let lit: 'asc' | 'desc' = 'asc';
        let nested: Express.Request;
        let tuple: [A, B];
        """,
        "src/repo.ts",
    )
    assert dump(module) == expected(
        """
        module ()
          repo = dataSource.getRepository(User)
          a = b
          c = d.e
          map: (Map[(string, Array[User])] | None)
          fn: <type>
          lit: ('asc' | 'desc') = 'asc'
          nested: Express.Request
          tuple: (A, B)
        """
    )


def test_typescript_only_declarations_enum_and_namespace() -> None:
    module = lower_source(
        """\
        type Id = string;
        interface Repo { find(id: Id): Promise<User>; }
        declare const process: any;
        declare module 'express' { interface Request { user?: User } }
        export enum Role { Admin = 'admin', User = 'user' }
        enum Level { Low, Mid = 5, High }
        export namespace Queries {
          export const byId = (id: Id) => knex('users').where({ id });
        }
        export function overloaded(a: string): void;
        export function overloaded(a: any) { return a; }
        """,
        "src/types.ts",
    )
    assert dump(module) == expected(
        """
        module ()
          overloaded = <function #2>
          Role = {Admin: 'admin', User: 'user'}
          Level = {Low: 0, Mid: 5, High: 6}
          Queries = <namespace>
          byId = <function #1>
        """
    )
    assert exports(module) == ["Role = Role", "Queries = Queries", "overloaded = overloaded"]


def test_esm_export_forms() -> None:
    module = lower_source(
        """\
        import db, { sql as raw } from './db';
        export const a = 1, { b, c: [d] } = obj;
        export default new UserService(db);
        export { a as alias, raw };
        export { x as default, y } from './x';
        export * from './models';
        export * as schemas from './schemas';
        export type { T } from './types';
        """,
        "src/index.ts",
    )
    assert exports(module) == [
        "a = a",
        "b = b",
        "d = d",
        "default = new UserService(db)",
        "alias = a",
        "raw = raw",
        "default <- x from ./x",
        "y <- y from ./x",
        "* <- * from ./models",
        "schemas <- * from ./schemas",
    ]
    assert "new UserService(db)" in all_calls(module)
    assert module.bindings == (("db", "./db:default"), ("raw", "./db:sql"))


def test_function_and_class_declarations_bind_names_functions_hoisted() -> None:
    module = lower_source(
        """\
        app.use(handler);
        class Repo {}
        function handler(req, res) {
          return helper();
          function helper() { return 1; }
        }
        const Svc = class extends Repo {};
        """
    )
    assert dump(module) == expected(
        """
        module ()
          handler = <function #1>
          app.use(handler)
          Repo = <class #0>
          Svc = <class #1>
        """
    )
    assert dump(module, "handler") == expected(
        """
        function handler(req, res)
          helper = <function #2>
          return helper()
        """
    )
    assert function(module, "handler.helper").parent == function(module, "handler").fid
    assert klass(module, "Svc").bases[0] == ir.Name("Repo", Span(7, 27, 7, 31))


def test_class_members_getters_setters_static_private_and_arrow_fields() -> None:
    module = lower_source(
        """\
        class Controller extends Base {
          #pool = createPool();
          static instance;
          handle = async (req, res) => { res.send(await this.service.run()); };
          get ready() { return this.#pool.ready; }
          set ready(value) { this.#pool.ready = value; }
          static async *stream() { yield 1; }
          static { Controller.instance = new Controller(); }
        }
        """
    )
    controller = klass(module, "Controller")
    assert fields(controller) == ["#pool = createPool()", "static instance", "handle = <function #1>"]
    assert [(module.functions[f].name, module.functions[f].kind) for f in controller.methods] == [
        ("ready", "getter"), ("ready", "setter"), ("stream", "method"), ("<static>", "method"),
    ]
    stream = function(module, "Controller.stream")
    assert stream.is_static and stream.is_async and stream.is_generator
    handle = function(module, "Controller.handle")
    assert handle.cls == controller.cid and handle.kind == "arrow"
    assert dump(module, "Controller.<static>") == expected(
        """
        method Controller.<static>()
          Controller.instance = new Controller()
        """
    )


# -- spans, literals -------------------------------------------------------------------------------
def test_spans_are_one_based_character_columns_like_the_facts() -> None:
    source = "const s = 'é';\nawait db.query(s);\n"
    module = lower_source(source)
    call = ir.calls_in(module.module.body)[0]
    facts = extract("src/app.js", source.encode(), "javascript")
    assert call.span == facts.calls[0].span == Span(2, 7, 2, 18)
    assert module.module.body[0].targets[0].span == Span(1, 7, 1, 8)
    assert module.module.body[0].value.span == Span(1, 11, 1, 14)


def test_bindings_match_the_facts_for_every_import_shape() -> None:
    source = textwrap.dedent(
        """\
        import Default, * as ns from 'a';
        import { x, y as z, "q-r" as qr } from 'b';
        import type { T } from 'c';
        import fs = require('fs');
        const path = require('path');
        const { join, resolve: res } = require('path');
        const knex = require('knex').default;
        async function lazy() {
          const { Op } = await import('sequelize');
          let pg;
          pg = require('pg');
        }
        """
    )
    module = lower_source(source, "src/a.ts")
    facts = extract("src/a.ts", source.encode(), "typescript")
    assert sorted(module.bindings) == sorted((b.name, b.target) for b in facts.bindings)
    assert len(module.bindings) == 13


# -- robustness ------------------------------------------------------------------------------------
def test_deep_nesting_is_bounded_and_marked_truncated() -> None:
    for source in (
        "x = " + "[" * 5000 + "]" * 5000 + ";",
        "x = " + "(" * 5000 + "1" + ")" * 5000 + ";",
        "x = " + "f(" * 5000 + ")" * 5000 + ";",
        "x = " + "{a: " * 5000 + "1" + "}" * 5000 + ";",
        "if (a) {" * 5000 + "}" * 5000,
        "x = " + "a ? b : " * 5000 + "c;",
        "x = " + "<div>{" * 2000 + "1" + "}</div>" * 2000 + ";",
    ):
        module = lower_source(source, "deep.jsx")
        assert module.truncated, source[:20]
        assert all(f is not None for f in module.functions)


def test_long_chains_and_concatenations_are_not_depth() -> None:
    chain = "q = knex('t')" + ".where('a', 1)" * 3000 + ";"
    module = lower_source(chain)
    assert not module.truncated
    assert len(ir.calls_in(module.module.body)) == 3001
    concat = "s = 'a'" + " + 'b'" * 5000 + ";"
    module = lower_source(concat)
    assert not module.truncated and module.module.body[0].value.value == "a" + "b" * 5000
    chain_if = "if (a) x(); " + "else if (a) x(); " * 3000
    module = lower_source(chain_if)
    assert not module.truncated and len(ir.calls_in(module.module.body)) == 3001
    # nested callbacks are lowered one function at a time from a queue, not by recursion
    module = lower_source("x = " + "() => " * 5000 + "go();")
    assert not module.truncated and len(module.functions) == 5001
    assert ir.calls_in(module.functions[-1].body)[0].func == ir.Name("go", Span(1, 30005, 1, 30007))


def test_syntax_errors_become_opaque_and_keep_their_calls() -> None:
    module = lower_source(
        """\
        const x = ;
        router.get('/a', async (req, res) => { await db.query('SELECT 1') ;
        class { method() { audit(user) } }
        """
    )
    assert all_calls(module) == ["audit(user)", "db.query('SELECT 1')"]
    assert module.module.body[3] == ir.ExprStmt(ir.Opaque("formal_parameters", (ir.Name("req", Span(2, 25, 2, 28)), ir.Name("res", Span(2, 30, 2, 33))), Span(2, 24, 2, 34)), Span(2, 24, 2, 34))


def test_truncated_files_never_raise() -> None:
    """Every prefix of real handler code (an editor mid-keystroke, a cut-off download)."""
    for source, path in ((EXPRESS, "src/app.js"), (NEST, "src/app.ts")):
        text = textwrap.dedent(source)
        for end in range(0, len(text), 7):
            module = lower_source(text[:end], path)
            assert all(f is not None for f in module.functions)
            assert all(c is not None for c in module.classes)


def test_spans_of_chain_links_inside_parentheses() -> None:
    module = lower_source("x = (await repo.find()).map(toDto);\n")
    outer = module.module.body[0].value
    assert outer.func.name == "map" and render(outer.func.obj.value) == "repo.find()"  # (await …).map
    assert outer.span == Span(1, 5, 1, 35) and outer.func.span == Span(1, 5, 1, 28)
    inner = outer.func.obj.value
    assert inner.span == Span(1, 12, 1, 23) and inner.func.span == Span(1, 12, 1, 21)
    call = lower_source("y = (db.models).User.findAll();\n").module.body[0].value
    assert render(call) == "db.models.User.findAll()"
    assert call.span == Span(1, 5, 1, 31) and call.func.obj.span == Span(1, 5, 1, 21)
    assert call.func.obj.obj.span == Span(1, 6, 1, 15)  # inside the parentheses


def test_computed_member_keys_are_evaluated_where_the_class_is_defined() -> None:
    module = lower_source(
        """\
        class Model {
          static [Symbol.for('nodejs.util.inspect.custom')]() { return this.name; }
          [KEY] = 1;
        }
        const o = { [prefix + 'id']: 1, [make()]() {} };
        """
    )
    assert dump(module) == expected(
        """
        module ()
          Symbol.for('nodejs.util.inspect.custom')
          Model = <class #0>
          o = {[(prefix + 'id')]: 1, [make()]: <function #2>}
        """
    )
    assert [module.functions[f].name for f in klass(module, "Model").methods] == ["[Symbol.for('nodejs.util.inspect.custom')]"]
    assert fields(klass(module, "Model")) == ["[KEY] = 1"]
