"""The semantic model on Node backends: Sequelize models wired by constructor injection, Prisma,
knex and TypeORM repositories injected by NestJS — N+1 through `map(async …)` and `for … of`,
with their eager-loaded look-alikes silent."""

from __future__ import annotations

from helpers import make_repo, report


def n_plus_one(root):
    return [(f.rule, f.path, f.line) for f in report(root).findings if f.rule in ("AL601", "AL603")]


def test_sequelize_models_injected_through_a_destructured_constructor(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4", "sequelize": "^6", "pg": "^8"}}',
        "src/db.js": """
            const { Sequelize } = require('sequelize');
            const sequelize = new Sequelize(process.env.DATABASE_URL);
            module.exports = { sequelize };
        """,
        "src/models/index.js": """
            const { DataTypes } = require('sequelize');
            const { sequelize } = require('../db');
            const User = sequelize.define('User', { username: DataTypes.STRING });
            const Article = sequelize.define('Article', { title: DataTypes.STRING, authorId: DataTypes.INTEGER });
            Article.belongsTo(User, { as: 'author', foreignKey: 'authorId' });
            module.exports = { User, Article };
        """,
        "src/repositories/user.repository.js": """
            class UserRepository {
              constructor({ User }) {
                this.User = User;
              }
              async findById(id) {
                return this.User.findByPk(id);
              }
            }
            module.exports = { UserRepository };
        """,
        "src/repositories/article.repository.js": """
            class ArticleRepository {
              constructor({ Article, User }) {
                this.Article = Article;
                this.User = User;
              }
              async list() {
                return this.Article.findAll({ order: [['id', 'DESC']] });
              }
              async listWithAuthors() {
                return this.Article.findAll({ include: [{ model: this.User, as: 'author' }] });
              }
            }
            module.exports = { ArticleRepository };
        """,
        "src/services/article.service.js": """
            class ArticleService {
              constructor(articleRepository, userRepository) {
                this.articles = articleRepository;
                this.users = userRepository;
              }
              async feed() {
                const rows = await this.articles.list();
                return Promise.all(rows.map(async (row) => {
                  const author = await this.users.findById(row.authorId);
                  return { title: row.title, author: author.username };
                }));
              }
              async feedFast() {
                const rows = await this.articles.listWithAuthors();
                return rows.map((row) => ({ title: row.title, author: row.author.username }));
              }
            }
            module.exports = { ArticleService };
        """,
        "src/app.js": """
            const express = require('express');
            const models = require('./models');
            const { ArticleRepository } = require('./repositories/article.repository');
            const { UserRepository } = require('./repositories/user.repository');
            const { ArticleService } = require('./services/article.service');

            const service = new ArticleService(new ArticleRepository(models), new UserRepository(models));
            const app = express();
            app.get('/api/articles', async (req, res) => res.json(await service.feed()));
            module.exports = app;
        """,
    })
    findings = [f for f in report(root).findings if f.rule == "AL601"]
    assert [(f.path, f.line) for f in findings] == [("src/services/article.service.js", 9)]
    assert [(s.path, s.line) for s in findings[0].trace] == [("src/repositories/user.repository.js", 6)]


def test_prisma_knex_and_typeorm_per_row_queries_and_their_eager_look_alikes(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"@prisma/client": "^5", "knex": "^3", "typeorm": "^0.3", "@nestjs/typeorm": "^10"}}',
        "src/prisma.ts": """
            import { PrismaClient } from '@prisma/client';
            export const prisma = new PrismaClient();
        """,
        "src/articles.prisma.ts": """
            import { prisma } from './prisma';

            export async function feed() {
              const articles = await prisma.article.findMany();
              const out = [];
              for (const a of articles) {
                const author = await prisma.user.findUnique({ where: { id: a.authorId } });
                out.push({ title: a.title, author: author?.username });
              }
              return out;
            }

            export async function feedIncluded() {
              const articles = await prisma.article.findMany({ include: { author: true } });
              return articles.map((a) => ({ title: a.title, author: a.author.username }));
            }

            export async function tagsOf(ids: number[]) {
              return Promise.all(ids.map((id) => prisma.tag.findMany({ where: { articleId: id } })));
            }
        """,
        "src/db.ts": """
            import knex from 'knex';
            export const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });
        """,
        "src/articles.knex.ts": """
            import { db } from './db';

            export async function feed() {
              const rows = await db('articles').select('*');
              return Promise.all(rows.map(async (r) => {
                const author = await db('users').where({ id: r.author_id }).first();
                return { ...r, author };
              }));
            }
        """,
        "src/article.entity.ts": """
            import { Entity, PrimaryGeneratedColumn, Column, ManyToOne } from 'typeorm';
            import { User } from './user.entity';
            @Entity()
            export class Article {
              @PrimaryGeneratedColumn() id: number;
              @ManyToOne(() => User, (u) => u.articles) author: User;
              @Column() authorId: number;
            }
        """,
        "src/user.entity.ts": """
            import { Entity, PrimaryGeneratedColumn, Column, OneToMany } from 'typeorm';
            import { Article } from './article.entity';
            @Entity()
            export class User {
              @PrimaryGeneratedColumn() id: number;
              @Column() username: string;
              @OneToMany(() => Article, (a) => a.author) articles: Article[];
            }
        """,
        "src/articles.service.ts": """
            import { InjectRepository } from '@nestjs/typeorm';
            import { Repository } from 'typeorm';
            import { Article } from './article.entity';
            import { User } from './user.entity';

            export class ArticlesService {
              constructor(
                @InjectRepository(Article) private readonly articles: Repository<Article>,
                @InjectRepository(User) private readonly users: Repository<User>,
              ) {}

              async feed() {
                const list = await this.articles.find();
                return Promise.all(list.map(async (a) => ({ ...a, author: await this.users.findOneBy({ id: a.authorId }) })));
              }

              async feedWithAuthors() {
                const list = await this.articles.find({ relations: ['author'] });
                return list.map((a) => a.author.username);
              }
            }
        """,
    })
    assert n_plus_one(root) == [
        ("AL601", "src/articles.knex.ts", 6),
        ("AL601", "src/articles.prisma.ts", 7),
        ("AL601", "src/articles.service.ts", 14),
    ]


def test_mongoose_queries_are_thenables_and_run_per_row_in_a_map(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4", "mongoose": "^8"}}',
        "src/models/Article.js": """
            const mongoose = require('mongoose');
            const ArticleSchema = new mongoose.Schema({ title: String, author: { type: mongoose.Schema.Types.ObjectId, ref: 'User' } });
            module.exports = mongoose.model('Article', ArticleSchema);
        """,
        "src/models/User.js": """
            const mongoose = require('mongoose');
            module.exports = mongoose.model('User', new mongoose.Schema({ username: String }));
        """,
        "src/routes/articles.js": """
            const router = require('express').Router();
            const Article = require('../models/Article');
            const User = require('../models/User');

            router.get('/articles', async (req, res) => {
              const articles = await Article.find({}).limit(20);
              res.json(await Promise.all(articles.map(async (a) => {
                const author = await User.findById(a.author);
                return { title: a.title, author: author && author.username };
              })));
            });

            router.get('/articles/populated', async (req, res) => {
              const articles = await Article.find({}).populate('author').limit(20);
              res.json(articles.map((a) => ({ title: a.title, author: a.author.username })));
            });

            module.exports = router;
        """,
    })
    assert n_plus_one(root) == [("AL601", "src/routes/articles.js", 8)]


def test_drizzle_queries_run_when_awaited_per_row_and_batched_look_alike(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"hono": "^4", "drizzle-orm": "^0.30", "better-sqlite3": "^9"}}',
        "src/db/schema.ts": """
            import { sqliteTable, integer, text } from 'drizzle-orm/sqlite-core';
            export const users = sqliteTable('users', { id: integer('id').primaryKey(), username: text('username') });
            export const articles = sqliteTable('articles', { id: integer('id').primaryKey(), authorId: integer('author_id') });
        """,
        "src/db/index.ts": """
            import Database from 'better-sqlite3';
            import { drizzle } from 'drizzle-orm/better-sqlite3';
            export const db = drizzle(new Database('conduit.db'));
        """,
        "src/articles.ts": """
            import { eq, desc, inArray } from 'drizzle-orm';
            import { db } from './db';
            import { articles, users } from './db/schema';

            async function authorOf(id: number) {
              const rows = await db.select().from(users).where(eq(users.id, id));
              return rows[0];
            }

            export async function page() {
              const rows = await db.select().from(articles).orderBy(desc(articles.id)).limit(20);
              return Promise.all(rows.map(async (a) => ({ ...a, author: await authorOf(a.authorId) })));
            }

            export async function pageBatched() {
              const rows = await db.select().from(articles).orderBy(desc(articles.id)).limit(20);
              const authors = await db.select().from(users).where(inArray(users.id, rows.map((a) => a.authorId)));
              const byId = new Map(authors.map((u) => [u.id, u]));
              return rows.map((a) => ({ ...a, author: byId.get(a.authorId) }));
            }
        """,
    })
    found = report(root).findings
    assert [(f.rule, f.path, f.line) for f in found] == [("AL601", "src/articles.ts", 12)]
    assert "(drizzle query on `users`)" in found[0].message  # the table the query names (Program.table_variable)


import pytest  # noqa: E402


@pytest.mark.parametrize("driver, client", [
    ("bun-sqlite", "import { Database } from 'bun:sqlite';\nexport const db = drizzle(new Database('conduit.db'));"),
    ("d1", "export const db = drizzle(globalThis.env.DB);"),
    ("neon-http", "import { neon } from '@neondatabase/serverless';\nexport const db = drizzle(neon(process.env.DATABASE_URL!));"),
    ("libsql/web", "import { createClient } from '@libsql/client/web';\nexport const db = drizzle(createClient({ url: process.env.DB_URL! }));"),
])
def test_every_drizzle_driver_entry_point_is_a_drizzle_handle(tmp_path, driver, client):
    """Found on ashunar0/realworld-hono (Hono + Drizzle on ``drizzle-orm/bun-sqlite``): only four
    driver entry points were known, so a Bun, D1, Neon or libsql app's queries were all untyped."""
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"hono": "^4", "drizzle-orm": "^0.44"}}',
        "src/schema.ts": """
            import { sqliteTable, integer, text } from 'drizzle-orm/sqlite-core';
            export const users = sqliteTable('users', { id: integer('id').primaryKey(), username: text('username') });
            export const articles = sqliteTable('articles', { id: integer('id').primaryKey(), authorId: integer('author_id') });
        """,
        "src/db.ts": f"import {{ drizzle }} from 'drizzle-orm/{driver}';\n{client}\n",
        "src/articles.ts": """
            import { eq } from 'drizzle-orm';
            import { db } from './db';
            import { articles, users } from './schema';
            export async function page() {
              const rows = await db.select().from(articles).limit(20);
              for (const a of rows) {
                a.author = (await db.select().from(users).where(eq(users.id, a.authorId)))[0];
              }
              return rows;
            }
        """,
    })
    assert n_plus_one(root) == [("AL601", "src/articles.ts", 7)]
