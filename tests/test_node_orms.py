"""Node ORMs beyond Sequelize in agent-written Conduit backends: the verify verdicts on the agent-*
fixtures (TypeORM without NestJS, Prisma, Drizzle, Objection.js), the schema-creating calls each
stack has, and the Objection relation expressions that say what a query loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archlint.application.pipeline import Options
from archlint.application.verify import Constraints, run_verify
from archlint.semantics.calls import _objection_relations
from helpers import findings, make_repo, report

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def verdicts(root, **constraints):
    report = run_verify(str(root), Constraints(**constraints), options=Options(use_cache=False))
    return {verdict.constraint: verdict for verdict in report.verdicts}


@pytest.mark.parametrize("name, framework, stack", [
    ("agent-express-typeorm", "express", "typeorm"),
    ("agent-fastify-prisma", "fastify", "prisma"),
    ("agent-hono-drizzle", "hono", "drizzle"),
    ("agent-koa-objection", "koa", "objection"),
    ("agent-express-mikroorm", "express", "mikro-orm"),
])
def test_a_required_sequelize_fails_on_another_orm_and_names_it(name, framework, stack):
    for twin in ("bugs", "correct"):
        found = verdicts(FIXTURES / f"{name}-{twin}", framework=framework, orm="sequelize")
        assert found["framework"].compliant
        assert not found["orm"].compliant
        assert stack in found["orm"].reason, found["orm"].reason


@pytest.mark.parametrize("name", ["agent-express-typeorm-correct", "agent-fastify-prisma-correct",
                                  "agent-hono-drizzle-correct", "agent-koa-objection-correct",
                                  "agent-express-mikroorm-correct"])
def test_the_correct_twins_create_their_schema_on_postgresql(name):
    found = verdicts(FIXTURES / name, database="postgresql", architecture="clean")
    assert found["database"].compliant, found["database"].reason
    assert found["architecture"].compliant, found["architecture"].reason


@pytest.mark.parametrize("startup, created", [
    ("await migrate(db, { migrationsFolder: './drizzle' });", True),
    ("await AppDataSource.runMigrations();", True),
    ("console.log('no schema');", False),
])
def test_schema_created_by_a_migrator_or_run_migrations(tmp_path, startup, created):
    root = make_repo(tmp_path, {
        "package.json": '{"type": "module", "dependencies": {"hono": "^4", "drizzle-orm": "^0.31", "postgres": "^3", "typeorm": "^0.3"}}',
        "src/db.ts": """
            import { drizzle } from 'drizzle-orm/postgres-js';
            import postgres from 'postgres';
            import { DataSource } from 'typeorm';
            export const db = drizzle(postgres(process.env.DATABASE_URL));
            export const AppDataSource = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
        """,
        "src/index.ts": f"""
            import {{ Hono }} from 'hono';
            import {{ migrate }} from 'drizzle-orm/postgres-js/migrator';
            import {{ db, AppDataSource }} from './db';
            const app = new Hono();
            app.get('/api/users', async (c) => c.json(await db.execute('SELECT id FROM users')));
            {startup}
            export default app;
        """,
    })
    found = verdicts(root, database="postgresql")
    assert found["database"].compliant is created, found["database"].reason


def test_knex_migrate_latest_creates_the_schema(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"koa": "^2", "knex": "^3", "pg": "^8"}}',
        "src/app.js": """
            const Koa = require('koa');
            const knex = require('knex')({ client: 'pg', connection: process.env.DATABASE_URL });
            const app = new Koa();
            app.use(async (ctx) => { ctx.body = await knex('users').select('id'); });
            knex.migrate.latest().then(() => app.listen(3000));
        """,
    })
    assert verdicts(root, database="postgresql")["database"].compliant


def test_objection_relation_expressions():
    assert _objection_relations("author") == {"author"}
    assert _objection_relations("[author, tags]") == {"author", "tags"}
    assert _objection_relations("[author(selectName) as writer, tags.[owner, x]]") == {"author", "tags", "tags.owner", "tags.x"}
    assert _objection_relations("comments.author") == {"comments", "comments.author"}


PRISMA_SINGLETON = {
    "package.json": '{"dependencies": {"express": "^4", "@prisma/client": "^5"}}',
    "src/repositories/article.repository.ts": """
        import { prisma } from '../lib/prisma';
        export const findBySlug = (slug: string) => prisma.article.findUnique({ where: { slug } });
    """,
    "src/services/article.service.ts": """
        import { findBySlug } from '../repositories/article.repository';
        export async function title(slug: string) {
          const article = await findBySlug(slug);
          return article.title;
        }
    """,
}


@pytest.mark.parametrize("singleton", [
    "const g = globalThis as unknown as { prisma?: PrismaClient };\nexport const prisma = g.prisma ?? new PrismaClient();",
    "export const prisma = global.prisma || new PrismaClient();",
    "export const prisma = (globalThis as any).prisma ?? new PrismaClient();",
])
def test_the_hot_reload_prisma_singleton_is_the_client(tmp_path, singleton):
    root = make_repo(tmp_path, {**PRISMA_SINGLETON, "src/lib/prisma.ts": "import { PrismaClient } from '@prisma/client';\n" + singleton})
    assert ("AL220", "src/services/article.service.ts", 4) in findings(root)


def test_an_unknown_global_is_not_taken_for_the_client(tmp_path):
    # a property of an unrelated module object stays unknown: `config.prisma ?? new PrismaClient()`
    # is still the client's kind (the override idiom); a deeper global path is not a slot of the program
    root = make_repo(tmp_path, {**PRISMA_SINGLETON, "src/lib/prisma.ts": (
        "import { PrismaClient } from '@prisma/client';\n"
        "export const prisma = globalThis.process.env.prisma ?? new PrismaClient();")})
    assert ("AL220", "src/services/article.service.ts", 4) not in findings(root)


def test_mikro_orm_schema_through_a_holder_object(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4", "@mikro-orm/core": "^6", "@mikro-orm/postgresql": "^6"}}',
        "src/db.ts": """
            import { MikroORM, EntityManager } from '@mikro-orm/postgresql';
            export const DI = {} as { orm: MikroORM; em: EntityManager };
            export async function initORM() {
              DI.orm = await MikroORM.init({ clientUrl: process.env.DATABASE_URL ?? 'postgresql://c:c@postgres:5432/conduit' });
              DI.em = DI.orm.em;
              await DI.orm.schema.updateSchema();
            }
        """,
        "src/repo.ts": """
            import { EntityManager } from '@mikro-orm/postgresql';
            export class Repo {
              constructor(private readonly em: EntityManager) {}
              count() { return this.em.getConnection().execute('select count(*) from users'); }
            }
        """,
    })
    found = verdicts(root, database="postgresql")
    assert found["database"].compliant, found["database"].reason


def test_objection_builder_calls_chain_without_await(tmp_path):
    # Dito.js: `this.$query(trx).patch(props).runAfter(…)` — every builder call returns the builder
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"koa": "^2", "objection": "^3", "knex": "^3"}}',
        "src/models/Model.js": """
            const { Model: ObjectionModel } = require('objection');
            class Model extends ObjectionModel {
              async $patch(properties, trx) {
                return this.$query(trx).patch(properties).runAfter((result) => this.$set(result));
              }
            }
            module.exports = { Model };
        """,
    })
    assert [f for f in findings(root) if f[0] == "AL809"] == []


def test_destructuring_a_lookup_that_may_be_null(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4", "@prisma/client": "^5"}}',
        "src/repositories/articles.ts": """
            import { PrismaClient } from '@prisma/client';
            const prisma = new PrismaClient();
            export const bySlug = (slug: string) => prisma.article.findUnique({ where: { slug } });
            export const list = () => prisma.article.findMany({ take: 20 });
            export const stats = () => prisma.article.aggregate({ _count: true });
        """,
        "src/services/articles.ts": """
            import { bySlug, list, stats } from '../repositories/articles';
            export async function unchecked(slug: string) {
              const { title, body } = await bySlug(slug);
              return { title, body };
            }
            export async function checked(slug: string) {
              const article = await bySlug(slug);
              if (!article) throw new Error('not found');
              const { title } = article;
              return title;
            }
            export async function defaulted(slug: string) {
              const { title } = (await bySlug(slug)) ?? { title: '' };
              const { body } = (await bySlug(slug)) || { body: '' };
              return title + body;
            }
            export async function notLookups() {
              const { length } = await list();
              const { _count } = await stats();
              return length + _count;
            }
        """,
    })
    assert [f for f in findings(root) if f[0] == "AL220"] == [("AL220", "src/services/articles.ts", 3)]


TYPEORM_APP = {
    "package.json": '{"dependencies": {"express": "^4", "typeorm": "^0.3", "pg": "^8"}}',
    "src/data-source.ts": """
        import { DataSource } from 'typeorm';
        export const dataSource = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, synchronize: true });
    """,
    "src/entities.ts": """
        import { Entity, PrimaryGeneratedColumn, Column } from 'typeorm';
        @Entity()
        export class Article {
          @PrimaryGeneratedColumn() id!: number;
          @Column() title!: string;
          @Column() authorId!: number;
        }
        @Entity()
        export class User {
          @PrimaryGeneratedColumn() id!: number;
          @Column() articlesCount!: number;
        }
    """,
    "src/repositories/articles.ts": """
        import { dataSource } from '../data-source';
        import { Article, User } from '../entities';
        const articles = dataSource.getRepository(Article);
        const users = dataSource.manager.getRepository(User);
        export const search = (q: string) => articles.createQueryBuilder('a').where(`a.title ILIKE '%${q}%'`).getMany();
        export const searchBound = (q: string) =>
          articles.createQueryBuilder('a').where('a.title ILIKE :q', { q: `%${q}%` }).andWhere('a.id IN (:...ids)', { ids: [1, 2] }).getMany();
        export async function create(title: string, authorId: number) {
          await articles.save(articles.create({ title, authorId }));
          await users.increment({ id: authorId }, 'articlesCount', 1);
        }
        export async function createInTransaction(title: string, authorId: number) {
          await dataSource.transaction(async (manager) => {
            await manager.save(Article, { title, authorId });
            await manager.increment(User, { id: authorId }, 'articlesCount', 1);
          });
        }
    """,
    "src/routes/articles.ts": """
        import { Router } from 'express';
        import { search, searchBound, create, createInTransaction } from '../repositories/articles';
        export const router = Router();
        router.get('/a', async (req, res) => res.json(await search(String(req.query.q))));
        router.get('/b', async (req, res) => res.json(await searchBound(String(req.query.q))));
        router.post('/c', async (req, res) => res.json(await create('t', 1)));
        router.post('/d', async (req, res) => res.json(await createInTransaction('t', 1)));
    """,
}


def test_typeorm_query_builder_conditions_and_increment_writes(tmp_path):
    found = [f for f in findings(make_repo(tmp_path, TYPEORM_APP)) if f[0] in ("AL502", "AL503", "AL305")]
    assert found == [("AL502", "src/repositories/articles.ts", 5), ("AL305", "src/repositories/articles.ts", 9)]


def test_prisma_raw_fragment_through_a_re_exported_namespace(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"koa": "^2", "@prisma/client": "^5"}}',
        "src/lib/db.ts": """
            import { PrismaClient, Prisma } from '@prisma/client';
            export const db = new PrismaClient();
            export { Prisma };
        """,
        "src/repositories/articles.ts": """
            import { db, Prisma } from '../lib/db';
            const ORDER: Record<string, string> = { new: '"createdAt" DESC', old: '"createdAt" ASC' };
            export const sorted = (sort: string) =>
              db.$queryRaw`SELECT id FROM "Article" ORDER BY ${Prisma.raw(sort)}`;
            export const allowed = (sort: string) =>
              db.$queryRaw`SELECT id FROM "Article" ORDER BY ${Prisma.raw(ORDER[sort] ?? '"createdAt" DESC')} LIMIT ${20}`;
            export const fixed = () => db.$queryRaw`SELECT id FROM "Article" ORDER BY ${Prisma.raw('"createdAt" DESC')}`;
        """,
    })
    assert [f for f in findings(root) if f[0] in ("AL502", "AL503")] == [("AL503", "src/repositories/articles.ts", 4)]


@pytest.mark.parametrize("driver, dropped", [("better-sqlite3", False), ("libsql", True)])
def test_drizzle_sync_driver_results_need_no_await(tmp_path, driver, dropped):
    client = ("import Database from 'better-sqlite3';\nexport const db = drizzle(new Database('c.db'), { schema });"
              if driver == "better-sqlite3" else
              "import { createClient } from '@libsql/client';\nexport const db = drizzle(createClient({ url: 'file:c.db' }), { schema });")
    root = make_repo(tmp_path, {
        "package.json": '{"type": "module", "dependencies": {"hono": "^4", "drizzle-orm": "^0.31", "better-sqlite3": "^9", "@libsql/client": "^0.6"}}',
        "src/db/schema.ts": """
            import { sqliteTable, integer, text } from 'drizzle-orm/sqlite-core';
            export const articles = sqliteTable('articles', { id: integer('id').primaryKey(), slug: text('slug').notNull() });
        """,
        "src/db/index.ts": f"import {{ drizzle }} from 'drizzle-orm/{driver}';\nimport * as schema from './schema';\n{client}\n",
        "src/services/articles.ts": """
            import { eq, sql } from 'drizzle-orm';
            import { db } from '../db';
            import { articles } from '../db/schema';
            export function slugOf(slug: string) {
              const article = db.select().from(articles).where(eq(articles.slug, slug)).get();
              return article?.slug;
            }
            export const sorted = (sort: string) => db.all(sql`SELECT id FROM articles ORDER BY ${sql.raw(sort)}`);
        """,
    })
    found = findings(root)
    assert (("AL809", "src/services/articles.ts", 6) in found) is dropped  # reported where `.slug` is read
    assert ("AL503", "src/services/articles.ts", 8) in found


def test_typeorm_conditions_spliced_from_code_built_sql_stay_silent(tmp_path):
    # n8n's repositories: a sub-query's text (its parameters set on the outer builder), a helper's
    # SQL literal, a condition built in the function
    files = dict(TYPEORM_APP)
    files["src/repositories/articles.ts"] = """
        import { dataSource } from '../data-source';
        import { Article } from '../entities';
        const articles = dataSource.getRepository(Article);
        const nowLiteral = (pg: boolean) => (pg ? 'NOW()' : "datetime('now')");
        export function visible(userId: number, pg: boolean) {
          const sub = articles.createQueryBuilder('s').select('s.id').where('s.authorId = :userId', { userId });
          const condition = pg ? 'a.id > 0' : 'a.id >= 0';
          return articles.createQueryBuilder('a')
            .where(`a.id IN (${sub.getQuery()})`)
            .andWhere(`a.createdAt < ${nowLiteral(pg)}`)
            .andWhere(`(${condition})`)
            .setParameters(sub.getParameters())
            .getMany();
        }
    """
    files["src/routes/articles.ts"] = """
        import { Router } from 'express';
        import { visible } from '../repositories/articles';
        export const router = Router();
        router.get('/a', async (req, res) => res.json(await visible(Number(req.query.user), true)));
    """
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] in ("AL502", "AL503")] == []


def _tsyringe_app(service_body: str, second_implementation: bool = False) -> dict:
    files = {
        "package.json": '{"dependencies": {"express": "^4", "typeorm": "^0.3", "pg": "^8", "tsyringe": "^4"}}',
        "src/domain/Article.ts": """
            import { Entity, PrimaryGeneratedColumn, Column } from 'typeorm';
            @Entity()
            export class Article {
              @PrimaryGeneratedColumn() id!: number;
              @Column() slug!: string;
              @Column() authorId!: number;
            }
        """,
        "src/domain/IArticleRepository.ts": """
            import { Article } from './Article';
            export interface IArticleRepository {
              findBySlug(slug: string): Promise<Article | null>;
              list(): Promise<Article[]>;
              authorName(id: number): Promise<string | undefined>;
            }
        """,
        "src/infrastructure/data-source.ts": """
            import { DataSource } from 'typeorm';
            export const AppDataSource = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, synchronize: true });
        """,
        "src/infrastructure/TypeOrmArticleRepository.ts": """
            import { injectable } from 'tsyringe';
            import { AppDataSource } from './data-source';
            import { Article } from '../domain/Article';
            import { IArticleRepository } from '../domain/IArticleRepository';
            @injectable()
            export class TypeOrmArticleRepository implements IArticleRepository {
              private repo = AppDataSource.getRepository(Article);
              findBySlug(slug: string) { return this.repo.findOneBy({ slug }); }
              list() { return this.repo.find(); }
              async authorName(id: number) {
                const rows = await AppDataSource.query('SELECT username FROM users WHERE id = $1', [id]);
                return rows[0]?.username;
              }
            }
        """,
        "src/application/ArticleService.ts": """
            import { inject, injectable } from 'tsyringe';
            import { IArticleRepository } from '../domain/IArticleRepository';
            @injectable()
            export class ArticleService {
              constructor(@inject('ArticleRepository') private readonly articles: IArticleRepository) {}
        """ + service_body + "\n}\n",
    }
    if second_implementation:
        files["src/infrastructure/InMemoryArticleRepository.ts"] = """
            import { IArticleRepository } from '../domain/IArticleRepository';
            export class InMemoryArticleRepository implements IArticleRepository {
              async findBySlug(slug: string) { return null; }
              async list() { return []; }
              async authorName(id: number) { return undefined; }
            }
        """
    return files


BUGGY_SERVICE = """
  async get(slug: string) {
    const article = await this.articles.findBySlug(slug);
    return article.slug;
  }
  async list() {
    const rows = await this.articles.list();
    return Promise.all(rows.map(async (a) => this.articles.authorName(a.authorId)));
  }
"""


def test_an_interface_typed_dependency_is_its_one_implementation(tmp_path):
    found = [f[:2] for f in findings(make_repo(tmp_path, _tsyringe_app(BUGGY_SERVICE))) if f[0] in ("AL220", "AL601")]
    assert found == [("AL220", "src/application/ArticleService.ts"), ("AL601", "src/application/ArticleService.ts")]


def test_an_interface_with_two_implementations_stays_unknown(tmp_path):
    found = [f for f in findings(make_repo(tmp_path, _tsyringe_app(BUGGY_SERVICE, second_implementation=True)))
             if f[0] in ("AL220", "AL601")]
    assert found == []


def test_the_checked_twin_through_an_interface_is_silent(tmp_path):
    fixed = """
  async get(slug: string) {
    const article = await this.articles.findBySlug(slug);
    if (!article) throw new Error('not found');
    return article.slug;
  }
"""
    assert [f for f in findings(make_repo(tmp_path, _tsyringe_app(fixed))) if f[0] in ("AL220", "AL601")] == []


# Null vs undefined: each lookup yields one empty value for no row (TypeORM 0.3 findOne/getOne, Prisma,
# Sequelize, Mongoose, MikroORM: null; Drizzle findFirst/.get(), knex .first(), getRawOne: undefined).
# A strict guard of the other one lets the missing row through; `== null` / `!x` catch both.

_EMPTY_GUARD_APP = {
    "package.json": '{"dependencies": {"express": "^4", "knex": "^3", "pg": "^8", "mongoose": "^8", "typeorm": "%s"}}',
    "src/db.js": """
        const knex = require('knex')({ client: 'pg', connection: process.env.DATABASE_URL });
        const mongoose = require('mongoose');
        const User = mongoose.model('User', new mongoose.Schema({ email: String, username: String }));
        module.exports = { knex, User };
    """,
    "src/routes.js": """
        const express = require('express');
        const { knex, User } = require('./db');
        const app = express();
        app.get('/a/:slug', async (req, res) => {
          const article = await knex('articles').where({ slug: req.params.slug }).first();
          if (%s) return res.sendStatus(404);
          res.json({ title: article.title });
        });
        app.get('/u/:email', async (req, res) => {
          const user = await User.findOne({ email: req.params.email });
          if (%s) return res.sendStatus(404);
          res.json({ username: user.username });
        });
        module.exports = app;
    """,
}


def _empty_guard_app(tmp_path, knex_guard, mongoose_guard, typeorm="^0.3.20"):
    files = dict(_EMPTY_GUARD_APP)
    files["package.json"] = files["package.json"] % typeorm
    files["src/routes.js"] = files["src/routes.js"] % (knex_guard, mongoose_guard)
    return make_repo(tmp_path, files)


@pytest.mark.parametrize("knex_guard, mongoose_guard, lines", [
    ("article === null", "user === undefined", [7, 12]),  # both of the wrong kind
    ("article === undefined", "user === null", []),  # both right
    ("typeof article === 'undefined'", "!user", []),  # typeof: undefined only, which knex yields
    ("article == null", "user == undefined", []),  # loose equality: both
    ("article === null || article === undefined", "user === undefined || user === null", []),
    ("article === null || article === void 0", "user === void 0 || user === null", []),  # compiled `?.`
])
def test_a_strict_guard_must_name_the_empty_value_the_lookup_yields(tmp_path, knex_guard, mongoose_guard, lines):
    root = _empty_guard_app(tmp_path, knex_guard, mongoose_guard)
    found = report(root).findings
    assert [f.line for f in found if f.rule == "AL220"] == lines
    for finding in found:
        if finding.rule == "AL220":
            assert "does not catch" in finding.message and "`=== " in finding.guidance


def test_an_unchecked_undefined_lookup_is_named_undefined(tmp_path):
    root = _empty_guard_app(tmp_path, "false", "!user")
    found = [f for f in report(root).findings if f.rule == "AL220"]
    assert [f.line for f in found] == [7]
    assert "`article` may be undefined here" in found[0].message and "returns undefined when no row" in found[0].message


def test_typeof_undefined_does_not_catch_a_null_lookup(tmp_path):
    root = _empty_guard_app(tmp_path, "!article", "typeof user === 'undefined'")
    found = [f for f in report(root).findings if f.rule == "AL220"]
    assert [f.line for f in found] == [12]
    assert "`typeof user === 'undefined'` at line 11 does not catch null" in found[0].message


def test_typeorm_02_findone_resolved_to_undefined(tmp_path):
    files = {
        "package.json": '{"dependencies": {"express": "^4", "typeorm": "%s", "pg": "^8"}}',
        "src/article.ts": """
            import { Entity, PrimaryGeneratedColumn, Column } from 'typeorm';
            @Entity()
            export class Article {
              @PrimaryGeneratedColumn() id: number;
              @Column() slug: string;
            }
        """,
        "src/service.ts": """
            import { Repository } from 'typeorm';
            import { Article } from './article';
            export class ArticleService {
              constructor(private readonly articles: Repository<Article>) {}
              async find(slug: string) {
                const article = await this.articles.findOne({ where: { slug } });
                if (article === undefined) throw new Error('not found');
                return article.slug;
              }
            }
        """,
    }
    for version, lines in (("^0.3.17", [8]), ("^0.2.45", [])):
        (tmp_path / version).mkdir()
        root = make_repo(tmp_path / version, {**files, "package.json": files["package.json"] % version})
        assert [f[2] for f in findings(root) if f[0] == "AL220"] == lines, version


def test_a_non_null_assertion_checks_nothing_at_runtime(tmp_path):
    files = {
        "package.json": '{"dependencies": {"express": "^4", "@prisma/client": "^5"}}',
        "prisma/schema.prisma": "model User {\n  id Int @id\n  username String @unique\n}\n",
        "src/routes.ts": """
            import express from 'express';
            import { PrismaClient } from '@prisma/client';
            const prisma = new PrismaClient();
            const app = express();
            app.get('/p/:username', async (req, res) => {
              const user = await prisma.user.findUnique({ where: { username: req.params.username } });
              res.json({ profile: { username: user!.username } });
            });
            app.get('/q/:username', async (req, res) => {
              const user = await prisma.user.findUnique({ where: { username: req.params.username } });
              res.json({ profile: { username: user?.username } });
            });
            export default app;
        """,
    }
    found = [f for f in report(make_repo(tmp_path, files)).findings if f.rule == "AL220"]
    assert [f.line for f in found] == [7]
    assert "non-null assertion `!` only silences the TypeScript compiler" in found[0].message
    assert "Replace the `!` assertion" in found[0].guidance


_OBJECTION_MODELS = """
    const { Model } = require('objection');
    class User extends Model {
      static get tableName() { return 'users'; }
    }
    class Tag extends Model {
      static tableName = 'tags';
    }
    class Article extends Model {
      static get tableName() { return 'articles'; }
      static get relationMappings() {
        return {
          author: { relation: Model.BelongsToOneRelation, modelClass: User, join: { from: 'articles.author_id', to: 'users.id' } },
          tags: { relation: Model.ManyToManyRelation, modelClass: () => Tag,
                  join: { from: 'articles.id', through: { from: 'article_tags.article_id', to: 'article_tags.tag_id' }, to: 'tags.id' } },
        };
      }
    }
    module.exports = { User, Tag, Article };
"""


def test_objection_relation_mappings_give_relations_their_targets(tmp_path):
    files = {
        "package.json": '{"dependencies": {"koa": "^2", "@koa/router": "^12", "objection": "^3", "knex": "^3", "pg": "^8"}}',
        "src/models.js": _OBJECTION_MODELS,
        "src/routes.js": """
            const Router = require('@koa/router');
            const { Article } = require('./models');
            const router = new Router();
            router.get('/articles', async (ctx) => {
              const articles = await Article.query().orderBy('id').limit(20);
              const out = [];
              for (const article of articles) {
                const tags = await article.$relatedQuery('tags');
                out.push({ slug: article.slug, tags: tags.map((t) => t.name) });
              }
              ctx.body = { articles: out };
            });
            router.get('/feed', async (ctx) => {
              const articles = await Article.query().withGraphFetched('[author, tags]').orderBy('id').limit(20);
              ctx.body = { articles: articles.map((a) => ({ author: a.author.username, tags: a.tags.map((t) => t.name) })) };
            });
            router.get('/list', async (ctx) => {
              const articles = await Article.query().orderBy('id').limit(20);
              ctx.body = { articles: articles.map((a) => ({ slug: a.slug, author: a.author.username })) };
            });
            module.exports = router;
        """,
    }
    found = [f for f in report(make_repo(tmp_path, files)).findings if f.rule in ("AL601", "AL229", "AL220")]
    assert [(f.rule, f.line) for f in found] == [("AL601", 8), ("AL229", 19)]
    assert "on `Tag`" in found[0].message  # the relation's target, not the row's model
    assert "withGraphFetched('author')" in found[1].guidance


def test_mikroorm_wrap_init_per_row_is_a_query_per_row(tmp_path):
    # MikroORM 6 WrappedEntity.init(): `em.findOne(…, entity, { refresh: true })` — a query even when populated
    import shutil

    root = tmp_path / "app"
    shutil.copytree(FIXTURES / "agent-express-mikroorm-correct", root)
    (root / "src/services/wrapService.ts").write_text(
        "import { wrap } from '@mikro-orm/core';\n"
        "import { ArticleRepository } from '../repositories/articleRepository';\n"
        "\n"
        "export class WrapService {\n"
        "  constructor(private readonly articles: ArticleRepository) {}\n"
        "\n"
        "  async authors(limit: number, offset: number) {\n"
        "    const rows = await this.articles.list(limit, offset);\n"
        "    const out = [];\n"
        "    for (const a of rows) {\n"
        "      await wrap(a.author).init();\n"
        "      out.push({ slug: a.slug, author: a.author.username, plain: wrap(a).toObject() });\n"
        "    }\n"
        "    return out;\n"
        "  }\n"
        "}\n"
    )
    assert [f for f in findings(root) if f[1] == "src/services/wrapService.ts"] == [("AL603", "src/services/wrapService.ts", 11)]


_LOAD_MODULES_CONTAINER = """\
const { createContainer, asValue, asClass, InjectionMode, Lifetime } = require('awilix');
const models = require('./models');

const container = createContainer({ injectionMode: InjectionMode.PROXY });

container.register({
  sequelize: asValue(models.sequelize),
  Article: asValue(models.Article),
  User: asValue(models.User),
});

container.loadModules([%s], {
  cwd: __dirname,
  formatName: 'camelCase',
  resolverOptions: { lifetime: Lifetime.SINGLETON%s },
});

module.exports = container;
"""


@pytest.mark.parametrize("globs, register", [
    ("'repositories/*.js', 'services/*.js', 'controllers/*.js'", ""),
    ("['repositories/*.js', Lifetime.SCOPED], 'services/**/*.js'", ", register: asClass"),
])
def test_awilix_load_modules_registers_what_the_globs_match(tmp_path, globs, register):
    # the agent-express-awilix twins with `container.loadModules` in place of the explicit register:
    # the files the globs match are registered by camelCased file name, and nothing imports them
    import json
    import shutil

    for twin in ("bugs", "correct"):
        root = tmp_path / twin
        shutil.copytree(FIXTURES / f"agent-express-awilix-{twin}", root)
        (root / "src/container.js").write_text(_LOAD_MODULES_CONTAINER % (globs, register))
        expected = [(f["rule"], f["path"], f["line"]) for f in json.loads((root / "expected.json").read_text())]
        assert findings(root) == expected, twin
        assert twin == "correct" or len(expected) == 3


@pytest.mark.parametrize("twin", ["bugs", "correct"])
def test_the_prisma_empty_guard_twins_pass_verify(twin):
    found = verdicts(FIXTURES / f"agent-express-prisma-empty-guard-{twin}", framework="express", database="postgresql")
    assert found["framework"].compliant and found["database"].compliant, (found["framework"].reason, found["database"].reason)


def test_array_find_over_db_rows_of_each_orm_is_judged_like_a_lookup(tmp_path):
    # rows.find(…) over Prisma findMany / knex select / Mongoose find results: undefined when nothing
    # matches, so an unguarded read is AL220 (a `!` bound with the result gets the assertion message);
    # guarded, optional-chained, or over a constant array it is silent
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4", "@prisma/client": "^5", "knex": "^3", "pg": "^8", "mongoose": "^8"}}',
        "src/data.ts": '''
            import { PrismaClient } from '@prisma/client';
            import knex from 'knex';
            import mongoose from 'mongoose';
            const prisma = new PrismaClient();
            const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });
            const Tag = mongoose.model('Tag', new mongoose.Schema({ name: String }));

            export async function prismaFind(id: number) {
              const users = await prisma.user.findMany();
              const u = users.find((x) => x.id === id);
              return u.email;
            }
            export async function asserted(id: number) {
              const users = await prisma.user.findMany();
              const u = users.find((x) => x.id === id)!;
              return u.email;
            }
            export async function knexChecked(id: number) {
              const users = await db('users').select('*');
              const u = users.find((x) => x.id === id);
              if (!u) throw new Error('not found');
              return u.email;
            }
            export async function knexFind(id: number) {
              const users = await db('users').where({ active: true });
              const u = users.find((x) => x.id === id);
              return u.email;
            }
            export async function mongooseFind(name: string) {
              const tags = await Tag.find();
              const t = tags.find((x) => x.name === name);
              return t.name;
            }
            export async function optional(name: string) {
              const tags = await Tag.find();
              return tags.find((x) => x.name === name)?.name;
            }
            export function constant(key: string) {
              const sorts = [{ key: 'a', column: 'createdAt' }];
              return sorts.find((s) => s.key === key).column;
            }
        ''',
    })
    found = [f for f in report(root).findings if f.rule == "AL220"]
    assert [f.line for f in found] == [11, 16, 27, 32]
    assert "non-null assertion" in found[1].message and "non-null assertion" not in found[0].message


@pytest.mark.parametrize("name, framework, database, orm", [
    ("agent-hono-drizzle-sqlite", "hono", "sqlite", "drizzle"),  # `sqlite:` URL, better-sqlite3 `pragma` settings
    ("agent-fastify-plugin-options", "fastify", "sqlite", "prisma"),  # require('fastify')({ logger: true })
])
def test_agent_twins_pass_their_stack(name, framework, database, orm):
    found = verdicts(FIXTURES / f"{name}-correct", framework=framework, database=database, orm=orm)
    assert all(verdict.compliant for verdict in found.values()), {k: v.reason for k, v in found.items()}
    found = verdicts(FIXTURES / f"{name}-bugs", framework=framework, orm=orm)
    assert found["framework"].compliant and found["orm"].compliant, {k: v.reason for k, v in found.items()}


def test_the_koa_application_not_a_router_is_the_evidence_whatever_its_import_name(tmp_path):
    # `import Koa from 'koa'; new Koa()` in src/server.ts and `new Router()` in src/routes/a.ts (sorted first):
    # the default export is named by the importer, so the app is matched without case
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"koa": "^2", "koa-router": "^12", "sequelize": "^6", "sqlite3": "^5"}}',
        "src/routes/a.ts": "import Router from 'koa-router';\nexport const router = new Router();\nrouter.get('/', async (ctx) => { ctx.body = 'ok'; });\n",
        "src/server.ts": "import Koa from 'koa';\nimport { router } from './routes/a';\nconst app = new Koa();\napp.use(router.routes());\napp.listen(3000);\n",
    })
    found = verdicts(root, framework="koa")
    assert found["framework"].compliant and "src/server.ts:3" in found["framework"].reason, found["framework"].reason


_SEQUELIZE_INCLUDE_OBJECT = {
    "package.json": '{"dependencies": {"express": "^4", "sequelize": "^6", "sqlite3": "^5"}}',
    "src/db.js": """
const { Sequelize, DataTypes } = require('sequelize');
const sequelize = new Sequelize('sqlite:conduit.sqlite');
const User = sequelize.define('User', { username: DataTypes.STRING });
const Article = sequelize.define('Article', { title: DataTypes.STRING });
const Tag = sequelize.define('Tag', { name: DataTypes.STRING });
Article.belongsTo(User, { as: 'author' });
Article.belongsToMany(Tag, { through: 'ArticleTags', as: 'tags' });
module.exports = { sequelize, User, Article, Tag };
""",
    "src/app.js": """
const express = require('express');
const db = require('./db');
const app = express();
app.get('/one/:id', async (req, res) => {
  const a = await db.Article.findByPk(req.params.id, { include: { model: db.User, as: 'author' } });
  if (!a) return res.sendStatus(404);
  res.json({ author: a.author.username });
});
app.get('/all/:id', async (req, res) => {
  const a = await db.Article.findByPk(req.params.id, { include: { all: true } });
  if (!a) return res.sendStatus(404);
  res.json({ author: a.author.username, tags: a.tags });
});
app.get('/list', async (req, res) => {
  const articles = await db.Article.findAll({ include: { model: db.User, as: 'author' } });
  res.json(await Promise.all(articles.map(async (a) => ({ author: a.author.username, tags: await a.getTags() }))));
});
module.exports = app;
""",
}


def test_a_sequelize_include_given_as_one_object_loads_its_association(tmp_path):
    """`include: { model: User, as: 'author' }` (no array) and `include: { all: true }` were read as a map
    of relation names (`model`, `as`, `all`), so `a.author` was "not loaded" (AL229, three false alarms
    on an agent-style Express app); the association the include does not name still loads per row."""
    found = [(f.rule, f.line) for f in report(make_repo(tmp_path, _SEQUELIZE_INCLUDE_OBJECT)).findings
             if f.rule in ("AL229", "AL603", "AL601")]
    assert found == [("AL603", 16)]


def test_a_sequelize_mixin_keyed_by_the_row_is_fixed_by_one_query_for_all_keys(tmp_path):
    """`viewer.hasLiked(story.id)` per story: the row is the key, not the receiver — an include on the rows'
    findAll cannot load it (the association is the viewer's); the fix is one `viewer.getLiked({ where: { id: ids } })`
    and a set lookup.  The row's own mixin (`a.getTags()`) keeps the include guidance."""
    keyed = [f for f in report(FIXTURES / "realworld-express-sequelize-viewer-n1-bugs").findings if f.rule == "AL603"]
    assert [f.line for f in keyed] == [13, 22]
    assert "`getLiked({ where: { id: ids } })`" in keyed[0].guidance and "`Set` lookup" in keyed[0].guidance
    assert "`getSubscribed(" in keyed[1].guidance and "include" not in keyed[1].guidance
    own = [f for f in report(make_repo(tmp_path, _SEQUELIZE_INCLUDE_OBJECT)).findings if f.rule == "AL603"]
    assert len(own) == 1 and "include:" in own[0].guidance and "`Set` lookup" not in own[0].guidance


_UNMANAGED = {
    "package.json": '{"dependencies": {"express": "^4", "sequelize": "^6", "sqlite3": "^5", "knex": "^3"}}',
    "src/db.js": _SEQUELIZE_INCLUDE_OBJECT["src/db.js"],
    "src/repo.js": """
const db = require('./db');
async function addTag(name, transaction) {
  return db.Tag.create({ name }, { transaction });
}
async function addTagLoose(name) {
  return db.Tag.create({ name });
}
module.exports = { addTag, addTagLoose };
""",
    "src/app.js": """
const express = require('express');
const db = require('./db');
const repo = require('./repo');
const knex = require('knex')({ client: 'sqlite3', connection: { filename: 'x.sqlite' } });
const app = express();
app.post('/ok/:slug', async (req, res, next) => {
  const t = await db.sequelize.transaction();
  try {
    const article = await db.Article.findOne({ where: { slug: req.params.slug }, transaction: t });
    if (!article) {
      await t.rollback();
      return res.sendStatus(404);
    }
    await article.update({ title: 'x' }, { transaction: t });
    await repo.addTag('fav', t);
    await t.commit();
    res.json({ article: await db.Article.findByPk(article.id) });
  } catch (e) {
    await t.rollback();
    next(e);
  }
});
app.post('/bad/:slug', async (req, res, next) => {
  const t = await db.sequelize.transaction();
  try {
    await db.Article.update({ title: 'x' }, { where: { slug: req.params.slug }, transaction: t });
    await repo.addTagLoose('fav');
    await t.commit();
    res.json({ ok: true });
  } catch (e) {
    await t.rollback();
    next(e);
  }
});
app.post('/knex/:id', async (req, res, next) => {
  const trx = await knex.transaction();
  try {
    await trx('tags').insert({ name: 'a' });
    await knex('articles').where({ id: req.params.id }).update({ title: 'b' });
    await trx.commit();
    await knex('articles').where({ id: req.params.id }).update({ title: 'c' });
    res.json({ ok: true });
  } catch (e) {
    await trx.rollback();
    next(e);
  }
});
module.exports = app;
""",
}


def test_a_query_between_an_unmanaged_transaction_and_its_commit_without_it(tmp_path):
    """`const t = await sequelize.transaction()` … `t.commit()`: a write not given `t` in between (here through
    a repository helper) runs on another connection and a rollback does not undo it (AL215); knex's
    `await knex.transaction()` likewise (AL306).  Every query given the transaction, and those after the
    commit, are silent."""
    found = [(f.rule, f.path, f.line, _opened_line(f.message))
             for f in report(make_repo(tmp_path, _UNMANAGED)).findings if f.rule in ("AL215", "AL306")]
    # opened at `const t = await db.sequelize.transaction()` (line 24) / `const trx = await knex.transaction()` (36)
    assert found == [("AL215", "src/app.js", 27, 24), ("AL306", "src/app.js", 39, 36)]


def _opened_line(message: str) -> int | None:
    match = re.search(r"the transaction opened at line (\d+)", message)
    return int(match.group(1)) if match else None



_QUERY_RUNNER_ENTITIES = "import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';\n\n@Entity()\nexport class Article {\n  @PrimaryGeneratedColumn() id: number;\n  @Column() slug: string;\n  @Column({ default: 0 }) favoritesCount: number;\n}\n\n@Entity()\nexport class Favorite {\n  @PrimaryGeneratedColumn() id: number;\n  @Column() articleId: number;\n  @Column() userId: number;\n}\n"
_QUERY_RUNNER_CONTROLLER = "import { Controller, Param, Post } from '@nestjs/common';\nimport { ArticlesService } from './articles.service';\n\n@Controller('articles')\nexport class ArticlesController {\n  constructor(private readonly articlesService: ArticlesService) {}\n\n  @Post(':slug/favorite')\n  favorite(@Param('slug') slug: string) {\n    return this.articlesService.favorite(slug, 1);\n  }\n}\n"


@pytest.mark.parametrize("service, expected", [
    ("import { Injectable, NotFoundException } from '@nestjs/common';\nimport { InjectRepository } from '@nestjs/typeorm';\nimport { DataSource, Repository } from 'typeorm';\nimport { Article, Favorite } from './article.entity';\n\n@Injectable()\nexport class ArticlesService {\n  constructor(\n    private readonly dataSource: DataSource,\n    @InjectRepository(Article) private readonly articles: Repository<Article>,\n    @InjectRepository(Favorite) private readonly favorites: Repository<Favorite>,\n  ) {}\n\n  async favorite(slug: string, userId: number) {\n    const queryRunner = this.dataSource.createQueryRunner();\n    await queryRunner.connect();\n    await queryRunner.startTransaction();\n    try {\n      const article = await queryRunner.manager.findOne(Article, { where: { slug } });\n      if (!article) throw new NotFoundException();\n      await queryRunner.manager.save(Favorite, { articleId: article.id, userId });\n      await this.articles.increment({ id: article.id }, 'favoritesCount', 1);\n      await queryRunner.commitTransaction();\n      return article;\n    } catch (err) {\n      await queryRunner.rollbackTransaction();\n      throw err;\n    } finally {\n      await queryRunner.release();\n    }\n  }\n}\n", [("AL306", 22, 17)]),
    ('import { Injectable, NotFoundException } from \'@nestjs/common\';\nimport { InjectRepository } from \'@nestjs/typeorm\';\nimport { DataSource, Repository } from \'typeorm\';\nimport { Article, Favorite } from \'./article.entity\';\n\n@Injectable()\nexport class ArticlesService {\n  constructor(\n    private readonly dataSource: DataSource,\n    @InjectRepository(Article) private readonly articles: Repository<Article>,\n    @InjectRepository(Favorite) private readonly favorites: Repository<Favorite>,\n  ) {}\n\n  async favorite(slug: string, userId: number) {\n    const queryRunner = this.dataSource.createQueryRunner();\n    await queryRunner.connect();\n    await queryRunner.startTransaction();\n    try {\n      const article = await queryRunner.manager.findOne(Article, { where: { slug } });\n      if (!article) throw new NotFoundException();\n      await queryRunner.manager.save(Favorite, { articleId: article.id, userId });\n      await queryRunner.manager.increment(Article, { id: article.id }, \'favoritesCount\', 1);\n      await queryRunner.commitTransaction();\n      return article;\n    } catch (err) {\n      await queryRunner.rollbackTransaction();\n      throw err;\n    } finally {\n      await queryRunner.release();\n    }\n  }\n\n  async unfavorite(slug: string, userId: number) {\n    const queryRunner = this.dataSource.createQueryRunner();\n    await queryRunner.connect();\n    await queryRunner.startTransaction();\n    try {\n      await queryRunner.query(\'DELETE FROM favorite WHERE "userId" = $1\', [userId]);\n      await queryRunner.manager.getRepository(Article).decrement({ slug }, \'favoritesCount\', 1);\n      await queryRunner.commitTransaction();\n    } catch (err) {\n      await queryRunner.rollbackTransaction();\n      throw err;\n    } finally {\n      await queryRunner.release();\n    }\n    return this.articles.findOne({ where: { slug } });\n  }\n}\n', []),
])
def test_a_query_runner_transaction_joins_only_what_runs_on_that_runner(tmp_path, service, expected):
    """TypeORM's documented QueryRunner idiom: `createQueryRunner()` is synchronous (AL809 said it returns an
    awaitable, then flagged `.connect` read from it), and between `startTransaction()` and `commitTransaction()`
    a repository injected elsewhere (`this.articles.increment(…)`) runs on another connection, outside the
    transaction (missed).  Everything on `queryRunner.manager` / `queryRunner.query` stays silent."""
    files = {"package.json": '{"dependencies": {"@nestjs/common": "^10", "@nestjs/typeorm": "^10", "typeorm": "^0.3", "pg": "^8"}}',
             "src/article.entity.ts": _QUERY_RUNNER_ENTITIES, "src/articles.controller.ts": _QUERY_RUNNER_CONTROLLER,
             "src/articles.service.ts": service}
    # the transaction opens at `await queryRunner.startTransaction()` (line 17), not at createQueryRunner() (15)
    found = [(f.rule, f.line, _opened_line(f.message))
             for f in report(make_repo(tmp_path, files)).findings if f.path == "src/articles.service.ts"]
    assert found == expected


_BOOKSHELF_DB = """
const knex = require('knex')({ client: 'pg', connection: process.env.DATABASE_URL });
const bookshelf = require('bookshelf')(knex);
const Article = bookshelf.model('Article', { tableName: 'articles' });
module.exports = { knex, bookshelf, Article };
"""


@pytest.mark.parametrize("raw, expected", [
    # Ghost's shape: `bookshelf(db.knex)` and knex queries on that instance share one pool and its transactions
    ("const { knex } = require('./db');\nasync function stale() { return knex('articles').where('updated_at', '<', '2020-01-01').del(); }\n", []),
    # a second pool of a raw driver beside it is a second stack
    ("const { Pool } = require('pg');\nconst pool = new Pool();\nasync function stale() { return pool.query('DELETE FROM articles'); }\n",
     [("AL303", "src/cleanup.js", 3)]),
])
def test_knex_under_bookshelf_is_no_second_stack(tmp_path, raw, expected):
    """orms.toml `builds_on = ["knex"]` of Bookshelf (and Objection): counted as the ORM's calls by AL303."""
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"bookshelf": "^1.2.0", "knex": "^3", "pg": "^8"}}',
        "src/db.js": _BOOKSHELF_DB,
        "src/articles.js": "const { Article } = require('./db');\nasync function list() { return Article.where({ draft: false }).fetchAll(); }\n"
                           "async function one(id) { return Article.where({ id }).fetch({ require: false }); }\nmodule.exports = { list, one };\n",
        "src/cleanup.js": raw + "module.exports = { stale };\n",
    })
    assert [f for f in findings(root) if f[0] == "AL303"] == expected


def test_sequelize_own_instance_methods_are_not_missing_association_mixins(tmp_path):
    """AL227 fires on a mixin no association generates (`me.addFollower` with `as: 'followings'`), never on
    Sequelize's own instance methods that look like one (`getDataValue`, `setDataValue`: knowledge's
    `sequelize_instance_methods`)."""
    make_repo(tmp_path, {
        "package.json": '{"name": "x", "main": "src/app.js", "dependencies": {"express": "^4.19.2", "sequelize": "^6.37.3", "sqlite3": "^5.1.7"}}',
        "src/models.js": """
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize({ dialect: 'sqlite', storage: 'x.sqlite' });
            const User = sequelize.define('User', { username: DataTypes.STRING, bio: DataTypes.TEXT });
            User.belongsToMany(User, { as: 'followings', through: 'Follows', foreignKey: 'followerId', otherKey: 'followingId' });
            module.exports = { sequelize, User };
        """,
        "src/app.js": """
            const express = require('express');
            const { User } = require('./models');
            const app = express();
            app.post('/users/:id/follow', async (req, res) => {
              const me = await User.findByPk(req.params.id, { rejectOnEmpty: true });
              const other = await User.findByPk(req.body.other, { rejectOnEmpty: true });
              await me.addFollower(other);
              res.json({ ok: true });
            });
            app.put('/users/:id', async (req, res) => {
              const me = await User.findByPk(req.params.id, { rejectOnEmpty: true });
              me.setDataValue('bio', String(req.body.bio));
              await me.save();
              res.json({ bio: me.getDataValue('bio') });
            });
            app.listen(3000);
        """,
    })
    mixins = [(path, line) for rule, path, line in findings(tmp_path) if rule == "AL227"]
    assert mixins == [("src/app.js", 7)]


def test_a_typeorm_row_found_by_a_typed_key_loads_no_relation():
    """Found on lujakob/nestjs-realworld-example-app (`ArticleService.favorite`): `userRepository.findOne(id)`
    with `id: number` from a `@User('id')` decorator, then `user.favorites.findIndex(…)` — TypeORM 0.2's lookup
    by id loads no relation, so `favorites` is undefined (a 500 on every favorite).  The id was read as an options
    object built elsewhere (any relation loaded), and the read was left to the callers, who pass nothing known:
    both missed it.  A `FindOneOptions` parameter stays an options object (the correct twin)."""
    found = [(f.rule, f.path, f.line) for f in report(FIXTURES / "realworld-nest-typeorm-by-id-bugs").findings]
    assert found == [("AL229", "src/article/article.service.ts", 22), ("AL229", "src/article/article.service.ts", 30)]
    assert report(FIXTURES / "realworld-nest-typeorm-by-id-correct").findings == []


def test_a_row_destructured_from_the_request_is_the_middlewares_row():
    """Found on TonyMckes/conduit-realworld-example-app: `const { loggedUser } = req;` in every handler, the row
    `req.loggedUser = await User.findOne(…)` stored in the auth middleware.  Read as `req.loggedUser` it was the
    row; destructured it was unknown, so the feed's per-author `getArticles` N+1 and the profile update copying
    every body key onto the row went unseen."""
    found = [(f.rule, f.path, f.line) for f in report(FIXTURES / "realworld-express-sequelize-logged-user-bugs").findings]
    assert found == [("AL603", "controllers/articles.js", 13), ("AL504", "controllers/user.js", 12),
                     ("AL220", "middleware/authentication.js", 15)]
    assert report(FIXTURES / "realworld-express-sequelize-logged-user-correct").findings == []


def test_the_length_of_one_page_is_not_a_count_of_the_table():
    """Found on akbarnafisa/realworld-express (server-express-prisma-pzn): cursor pagination's `hasMore` reads
    `.length` of `findMany({ take, cursor })` — at most `take` rows, a page — and was reported as counting by loading
    (AL602, two false alarms); the total counted by loading every row (`(await findMany({ where })).length`) still is."""
    found = [(f.rule, f.line) for f in report(FIXTURES / "realworld-express-prisma-page-length-bugs").findings]
    assert found == [("AL602", 22)]
    assert report(FIXTURES / "realworld-express-prisma-page-length-correct").findings == []


def test_the_read_back_of_ones_own_insert_finds_its_row():
    """Found on inyourtime/realworld-fastify-drizzle: `db.insert(comments).values(…).returning({ id: comments.id })
    .then(([comment]) => this.get(comment.id))` reads back the row it just inserted, by the id the INSERT … RETURNING
    answered — it exists, and `response(result!)` on it was a false alarm (AL220), as was `fastify.register(a)
    .register(b)` read as an unawaited Promise of the async plugin `a` (AL809: `register` answers the instance).
    A lookup by the client's id is still judged."""
    found = [(f.rule, f.line) for f in report(FIXTURES / "realworld-fastify-drizzle-read-back-bugs").findings]
    assert found == [("AL220", 21)]
    assert report(FIXTURES / "realworld-fastify-drizzle-read-back-correct").findings == []
