"""The SQL rules of issue 14 — on SQL text, on SQL recognised by its text or typed by the semantic
model, and on queries lifted from builders — each case a tiny repo with the defect and its
look-alike (the look-alike must stay silent)."""

from __future__ import annotations

import pytest
from helpers import make_repo, report

RULES = {f"AL4{n:02d}" for n in range(1, 40)}


def sql_findings(root) -> list[tuple[str, str, int]]:
    return [(f.rule, f.path, f.line) for f in report(root).findings if f.rule in RULES]


PG_PY = {"requirements.txt": "asyncpg\n"}
KNEX_PG = {"package.json": '{"dependencies": {"knex": "^3", "pg": "^8"}}',
           "src/db.js": "const knex = require('knex');\nmodule.exports = knex({ client: 'pg' });\n"}

CASES = {
    "text-aggregate-without-group-by": (
        {
            **PG_PY,
            "repo.py": """
                import asyncpg

                async def lists(pool: asyncpg.Pool):
                    bad = await pool.fetch("SELECT a.id, a.title, COUNT(f.user_id) AS n FROM articles a LEFT JOIN favorites f ON f.article_id = a.id")
                    good = await pool.fetch("SELECT a.id, a.title, COUNT(f.user_id) AS n FROM articles a LEFT JOIN favorites f ON f.article_id = a.id GROUP BY a.id")
                    total = await pool.fetchval("SELECT COUNT(*) FROM articles")
                    nested = await pool.fetch("SELECT a.slug, (SELECT COUNT(*) FROM favorites f WHERE f.article_id = a.id) AS n FROM articles a")
                    return bad, good, total, nested
            """,
        },
        [("AL415", "repo.py", 4)],
    ),
    "sqlite-bare-column-beside-max-is-documented": (
        {
            "repo.py": """
                import sqlite3

                def latest(conn: sqlite3.Connection):
                    return conn.execute("SELECT slug, MAX(created_at) FROM articles").fetchone()
            """,
        },
        [],
    ),
    "text-unknown-qualifier": (
        {
            **PG_PY,
            "repo.py": """
                import asyncpg

                async def by_slug(pool: asyncpg.Pool, slug):
                    bad = await pool.fetchrow("SELECT a.title, u.username FROM articles a WHERE a.slug = $1", slug)
                    good = await pool.fetchrow("SELECT a.title, u.username FROM articles a JOIN users u ON u.id = a.author_id WHERE a.slug = $1", slug)
                    correlated = await pool.fetch("SELECT a.id FROM articles a WHERE EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = a.id)")
                    return bad, good, correlated
            """,
        },
        [("AL419", "repo.py", 4)],
    ),
    "postgres-parameter-first-used-untyped": (
        {
            **PG_PY,
            "repo.py": """
                import asyncpg

                async def filtered(pool: asyncpg.Pool, tag):
                    bad = await pool.fetch("SELECT id FROM articles WHERE ($1 IS NULL OR tag = $1) ORDER BY id", tag)
                    reordered = await pool.fetch("SELECT id FROM articles WHERE (tag = $1 OR $1 IS NULL) ORDER BY id", tag)
                    cast = await pool.fetch("SELECT id FROM articles WHERE ($1::text IS NULL OR tag = $1) ORDER BY id", tag)
                    return bad, reordered, cast
            """,
        },
        [("AL420", "repo.py", 4)],
    ),
    "untyped-parameter-is-postgres-only": (
        {
            "repo.py": """
                import sqlite3

                def filtered(conn: sqlite3.Connection, tag):
                    return conn.execute("SELECT id FROM articles WHERE (? IS NULL OR tag = ?) ORDER BY id", (tag, tag)).fetchall()
            """,
        },
        [],
    ),
    "sql-on-a-handle-a-constructor-received": (
        {
            "package.json": '{"dependencies": {"express": "^4", "better-sqlite3": "^9"}}',
            "src/db.js": "const Database = require('better-sqlite3');\nmodule.exports = new Database('app.db');\n",
            "src/repo.js": """
                class Repo {
                  constructor(db) { this.db = db; }
                  search(term) { return this.db.prepare('SELECT id FROM articles WHERE title ILIKE ?').all(term); }
                  searchOk(term) { return this.db.prepare('SELECT id FROM articles WHERE title LIKE ?').all(term); }
                }
                module.exports = { Repo };
            """,
            "src/app.js": """
                const db = require('./db');
                const { Repo } = require('./repo');
                module.exports = new Repo(db);
            """,
        },
        [("AL402", "src/repo.js", 3)],
    ),
    "sql-recognised-by-its-text-and-what-stays-silent": (
        {
            "package.json": '{"dependencies": {"better-sqlite3": "^9"}}',
            "src/db.js": "const Database = require('better-sqlite3');\nmodule.exports = () => new Database('app.db');\n",
            "src/store.js": """
                const { connect } = require('unknown-pool');
                const conn = connect();
                function clear(articleId) {
                  conn.exec('DELETE FROM article_tags');
                  conn.exec('DELETE FROM article_tags WHERE article_id = ?', articleId);
                  console.log('DELETE FROM article_tags done');
                  logger.error('SELECT id FROM articles failed');
                  throw new Error('UPDATE articles SET title = ? failed');
                }
                function notSql(text) {
                  return text.replace('SELECT FROM nowhere', '');
                }
                module.exports = { clear, notSql };
            """,
            "test/store.test.js": """
                const test = require('node:test');
                test('DELETE FROM article_tags removes the tags', () => {});
                it.skip('SELECT * FROM articles returns rows');
            """,
        },
        [("AL405", "src/store.js", 4)],
    ),
    "knex-value-in-an-identifier-position": (
        {
            **KNEX_PG,
            "src/repo.js": """
                const db = require('./db');
                async function favorited(userId) {
                  return db('articles').select('articles.id').leftJoin('favorites', function () {
                    this.on('favorites.article_id', '=', 'articles.id').andOn('favorites.user_id', '=', userId);
                  });
                }
                async function favoritedBound(userId) {
                  return db('articles').select('articles.id').leftJoin('favorites', function () {
                    this.on('favorites.article_id', '=', 'articles.id').andOnVal('favorites.user_id', '=', userId);
                  });
                }
                const OWNER = 'articles.author_id';
                async function owned() {
                  return db('articles').select('articles.id').join('users', function () {
                    this.on('users.id', '=', OWNER);
                  });
                }
                module.exports = { favorited, favoritedBound, owned };
            """,
        },
        [("AL418", "src/repo.js", 4)],
    ),
    "knex-write-without-where-in-one-branch-only": (
        {
            **KNEX_PG,
            "src/repo.js": """
                const db = require('./db');
                async function clearTags(articleId) {
                  let q = db('article_tags');
                  if (articleId) q = q.where({ article_id: articleId });
                  await q.del();
                }
                async function wipe() {
                  await db('article_tags').del();
                }
                async function removeTags(articleId) {
                  await db('article_tags').del();
                }
                async function cleanupExpired() {
                  await db('article_tags').del();
                }
                async function deactivateAllArticles() {
                  await db('articles').update({ active: false });
                }
                async function deactivateStaleArticles() {
                  await db('articles').update({ active: false });
                }
                async function leaveAll() {
                  await db('articles').update({ active: false });
                }
                module.exports = { clearTags, wipe, removeTags, cleanupExpired, deactivateAllArticles, deactivateStaleArticles, leaveAll };
            """,
        },
        # wipe() and deactivateAllArticles() (every row of its own table) mean every row;
        # cleanupExpired / deactivateStaleArticles name rows they forgot to pick, leaveAll no table
        [("AL405", "src/repo.js", 11), ("AL405", "src/repo.js", 14), ("AL405", "src/repo.js", 20), ("AL405", "src/repo.js", 23)],
    ),
    "sqlalchemy-limit-picking-the-keys-of-a-batch-write": (
        {
            **PG_PY,
            "app/models.py": """
                from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

                class Base(DeclarativeBase):
                    pass

                class Job(Base):
                    __tablename__ = "jobs"
                    id: Mapped[int] = mapped_column(primary_key=True)
                    state: Mapped[str] = mapped_column()
            """,
            "app/batching.py": """
                from sqlalchemy import delete, select, update
                from app.models import Job

                async def delete_batch(session, state):
                    ids = list((await session.execute(select(Job.id).where(Job.state == state).limit(500))).scalars())
                    if not ids:
                        return 0
                    await session.execute(delete(Job).where(Job.id.in_(ids)))
                    return len(ids)

                async def reset_batch(session):
                    ids = (await session.execute(select(Job.id).limit(100))).scalars().all()
                    await session.execute(update(Job).where(Job.id.in_(ids)).values(state="new"))

                async def newest(session):
                    rows = (await session.execute(select(Job.id).limit(20))).scalars().all()
                    await session.execute(update(Job).where(Job.state == "old").values(state="new"))
                    return rows
            """,
        },
        [("AL409", "app/batching.py", 16)],
    ),
    "sqlalchemy-limit-batch-processed-row-by-row": (
        {
            **PG_PY,
            "app/models.py": """
                from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

                class Base(DeclarativeBase):
                    pass

                class Event(Base):
                    __tablename__ = "events"
                    id: Mapped[int] = mapped_column(primary_key=True)
                    state: Mapped[str] = mapped_column()
                    details: Mapped[str] = mapped_column()

                class Notice(Base):
                    __tablename__ = "notices"
                    id: Mapped[int] = mapped_column(primary_key=True)
                    event_id: Mapped[int] = mapped_column()
            """,
            "app/batching.py": """
                from sqlalchemy import select, update
                from sqlalchemy.ext.asyncio import AsyncSession
                from app.models import Event, Notice

                BATCH = 100

                async def redact_batch(session):
                    rows = list((await session.execute(select(Event.id, Event.details).where(Event.state == "x").limit(BATCH))).all())
                    for row_id, details in rows:
                        await session.execute(update(Event).where(Event.id == row_id).values(details=""))
                    return len(rows)

                async def _close(session, event):
                    await session.execute(update(Event).where(Event.id == event.id).values(state="done"))

                async def sweep(session, limit=200):
                    statement = select(Event).where(Event.state == "open").limit(limit)
                    closed = 0
                    for event in (await session.execute(statement)).scalars().all():
                        await _close(session, event)
                        closed += 1
                    return closed

                async def expire(session: AsyncSession):
                    for event in (await session.execute(select(Event).where(Event.state == "stale").limit(50))).scalars():
                        event.state = "expired"
                    await session.commit()

                async def listing(session):
                    rows = (await session.execute(select(Event).limit(20))).scalars().all()
                    names = []
                    for event in rows:
                        names.append(event.details)
                    await session.execute(update(Event).where(Event.state == "old").values(state="new"))
                    return names

                async def annotated(session: AsyncSession):
                    rows = (await session.execute(select(Event).limit(20))).scalars().all()
                    for event in rows:
                        event.details = event.details.upper()
                    return rows

                async def notify_latest(session: AsyncSession):
                    for event in (await session.execute(select(Event).limit(10))).scalars():
                        session.add(Notice(event_id=event.id))
                    await session.commit()
            """,
        },
        [("AL409", "app/batching.py", 30), ("AL409", "app/batching.py", 38), ("AL409", "app/batching.py", 44)],
    ),
    "sqlalchemy-route-factory-named-for-deleting-all": (
        {
            **PG_PY,
            "app/models.py": """
                from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

                class Base(DeclarativeBase):
                    pass

                class Item(Base):
                    __tablename__ = "items"
                    id: Mapped[int] = mapped_column(primary_key=True)
            """,
            "app/router.py": """
                from fastapi import Depends
                from sqlalchemy.orm import Session
                from app.models import Item

                def get_db():
                    yield Session()

                class Router:
                    def _delete_all(self, *args, **kwargs):
                        def route(db: Session = Depends(get_db)):
                            db.query(Item).delete()
                            db.commit()
                        return route

                    def _delete_one(self, *args, **kwargs):
                        def route(db: Session = Depends(get_db)):
                            db.query(Item).delete()
                            db.commit()
                        return route
            """,
        },
        [("AL405", "app/router.py", 17)],
    ),
    "sqlalchemy-function-named-for-the-rows-of-its-table": (  # prefect 3 events/models/automations.py
        {
            **PG_PY,
            "app/models.py": """
                from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

                class Base(DeclarativeBase):
                    pass

                class Automation(Base):
                    __tablename__ = "automation"
                    id: Mapped[int] = mapped_column(primary_key=True)
                    enabled: Mapped[bool]
            """,
            "app/store.py": """
                import sqlalchemy as sa
                from sqlalchemy.ext.asyncio import AsyncSession
                from app.models import Automation

                async def delete_automations_for_workspace(db, session: AsyncSession):
                    await session.execute(sa.delete(Automation))

                async def disable_automations_for_workspace(db, session: AsyncSession):
                    await session.execute(sa.update(Automation).values(enabled=False))

                async def delete_expired_automations(db, session: AsyncSession):
                    await session.execute(sa.delete(Automation))

                async def disable_automation(db, session: AsyncSession, automation_id):
                    await session.execute(sa.update(Automation).values(enabled=False))
            """,
        },
        # a handle-only function whose name is a verb then the written table in the plural means
        # every row; an adjective before the noun names rows it forgot to pick, a key parameter a filter
        [("AL405", "app/store.py", 12), ("AL405", "app/store.py", 15)],
    ),
    "knex-limit-and-count-over-joins": (
        {
            **KNEX_PG,
            "src/repo.js": """
                const db = require('./db');
                async function page(limit) {
                  return db('articles').select('articles.id', 'comments.body')
                    .leftJoin('comments', 'comments.article_id', 'articles.id').orderBy('articles.id').limit(limit);
                }
                async function authors(limit) {
                  return db('articles').select('articles.id', 'users.username')
                    .join('users', 'users.id', 'articles.author_id').orderBy('articles.id').limit(limit);
                }
                async function grouped(limit) {
                  return db('articles').select('articles.id').count('comments.id as n')
                    .leftJoin('comments', 'comments.article_id', 'articles.id').groupBy('articles.id').orderBy('articles.id').limit(limit);
                }
                async function uncommented(limit) {  // anti-join: the articles with no comment, one row each
                  return db('articles').select('articles.id', 'comments.body')
                    .leftJoin('comments', 'comments.article_id', 'articles.id').whereNull('comments.article_id')
                    .orderBy('articles.id').limit(limit);
                }
                async function withDeleted(limit) {  // IS NULL on a column that is not the join key: still fans out
                  return db('articles').select('articles.id', 'comments.body')
                    .leftJoin('comments', 'comments.article_id', 'articles.id').whereNull('comments.deleted_at')
                    .orderBy('articles.id').limit(limit);
                }
                module.exports = { page, authors, grouped, uncommented, withDeleted };
            """,
        },
        [("AL416", "src/repo.js", 4), ("AL416", "src/repo.js", 22)],
    ),
    "knex-returning-on-mysql": (
        {
            "package.json": '{"dependencies": {"knex": "^3", "mysql2": "^3"}}',
            "src/db.js": "const knex = require('knex');\nmodule.exports = knex({ client: 'mysql2' });\n",
            "src/repo.js": """
                const db = require('./db');
                async function create(article) {
                  const [row] = await db('articles').insert(article).returning('*');
                  return row;
                }
                async function createPlain(article) {
                  const [id] = await db('articles').insert(article);
                  return db('articles').where({ id }).first();
                }
                module.exports = { create, createPlain };
            """,
        },
        [("AL402", "src/repo.js", 3)],
    ),
    "knex-total-over-a-child-join": (
        {
            **KNEX_PG,
            "src/repo.js": """
                const db = require('./db');
                function listQuery() {
                  return db('articles').leftJoin('article_tags', 'article_tags.article_id', 'articles.id');
                }
                async function total() {
                  return listQuery().count('* as total').first();
                }
                async function totalDistinct() {
                  return listQuery().countDistinct('articles.id as total').first();
                }
                async function tagCounts() {
                  return listQuery().select('articles.id').count('* as tags').groupBy('articles.id');
                }
                module.exports = { total, totalDistinct, tagCounts };
            """,
        },
        [("AL410", "src/repo.js", 6)],
    ),
    "knex-total-through-a-filtered-association-is-not-fan-out": (
        {
            **KNEX_PG,
            "migrations/001_init.js": """
                exports.up = async (knex) => {
                  await knex.schema.createTable('articles', (t) => { t.increments('id'); t.string('title'); });
                  await knex.schema.createTable('tags', (t) => { t.increments('id'); t.string('name'); });
                  await knex.schema.createTable('article_tags', (t) => {
                    t.integer('article_id').references('articles.id'); t.integer('tag_id').references('tags.id');
                  });
                  await knex.schema.createTable('favorites', (t) => {
                    t.integer('article_id').references('articles.id'); t.integer('user_id');
                  });
                };
            """,
            "src/repo.js": """
                const db = require('./db');
                async function totalTagged(tag) {
                  const [{ count }] = await db('articles')
                    .join('article_tags', 'article_tags.article_id', 'articles.id')
                    .join('tags', 'tags.id', 'article_tags.tag_id')
                    .where('tags.name', tag)
                    .count('* as count');
                  return Number(count);
                }
                async function totalTaggedWithFavorites(tag) {
                  const [{ count }] = await db('articles')
                    .join('article_tags', 'article_tags.article_id', 'articles.id')
                    .join('tags', 'tags.id', 'article_tags.tag_id')
                    .leftJoin('favorites', 'favorites.article_id', 'articles.id')
                    .where('tags.name', tag)
                    .count('* as count');
                  return Number(count);
                }
                module.exports = { totalTagged, totalTaggedWithFavorites };
            """,
        },
        [("AL410", "src/repo.js", 16)],
    ),
    "sqlalchemy-count-of-a-collection-per-parent-is-not-fan-out": (
        {
            "requirements.txt": "sqlalchemy>=2\npsycopg2-binary\n",
            "app/models.py": """
                from sqlalchemy import Column, ForeignKey, String, Table
                from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


                class Base(DeclarativeBase):
                    pass


                article_tags = Table(
                    "article_tags", Base.metadata,
                    Column("article_id", ForeignKey("articles.id"), primary_key=True),
                    Column("tag_id", ForeignKey("tags.id"), primary_key=True),
                )


                class Tag(Base):
                    __tablename__ = "tags"
                    id: Mapped[int] = mapped_column(primary_key=True)
                    name: Mapped[str] = mapped_column(String(50))


                class Article(Base):
                    __tablename__ = "articles"
                    id: Mapped[int] = mapped_column(primary_key=True)
                    tags = relationship(Tag, secondary=article_tags)
            """,
            "app/repo.py": """
                from sqlalchemy import func, select

                from app.models import Article, Tag


                def tag_counts(session):
                    stmt = select(Article.id, func.count(Tag.id)).join(Article.tags).group_by(Article.id)
                    return session.execute(stmt).all()


                def total_tagged(session):
                    return session.scalar(select(func.count()).select_from(Article).join(Article.tags))
            """,
        },
        [("AL410", "app/repo.py", 12)],
    ),
    # label-studio: Count("project__tasks__annotations") counts each annotation once — every table
    # before it on the path is one row per annotation; counting the tasks through their annotations,
    # or the comments beside the tags, is inflated
    "django-count-along-a-path-is-not-fan-out": (
        {
            "requirements.txt": "django==5.1\n",
            "labels/__init__.py": "",
            "labels/models.py": """
                from django.db import models

                class Project(models.Model):
                    title = models.CharField(max_length=80)

                class Task(models.Model):
                    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")

                class Annotation(models.Model):
                    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="annotations")

                class Comment(models.Model):
                    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")

                class LabelLink(models.Model):
                    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="links")
            """,
            "labels/views.py": """
                from django.db.models import Count
                from django.http import JsonResponse

                from labels.models import LabelLink, Task

                def links(request):
                    rows = LabelLink.objects.annotate(n=Count("project__tasks__annotations"))
                    return JsonResponse({"n": [r.n for r in rows]})

                def tasks(request):
                    rows = Task.objects.annotate(n=Count("annotations"), m=Count("comments"))
                    return JsonResponse({"n": [(r.n, r.m) for r in rows]})
            """,
        },
        [("AL410", "labels/views.py", 11)],
    ),
    "text-limit-over-a-joined-collection": (
        {
            "package.json": '{"dependencies": {"better-sqlite3": "^9"}}',
            "src/db.js": "const Database = require('better-sqlite3');\nmodule.exports = new Database('app.db');\n",
            "src/repo.js": """
                class ArticleRepository {
                  constructor(db) { this.db = db; }
                  withTags(limit) {
                    return this.db.prepare(`SELECT a.id, t.name FROM articles a
                      LEFT JOIN article_tags at ON at.article_id = a.id
                      LEFT JOIN tags t ON t.id = at.tag_id
                      ORDER BY a.id DESC LIMIT ?`).all(limit);
                  }
                  tagged(tag, limit) {
                    return this.db.prepare(`SELECT a.id FROM articles a
                      JOIN article_tags at ON at.article_id = a.id JOIN tags t ON t.id = at.tag_id
                      WHERE t.name = ? ORDER BY a.id DESC LIMIT ?`).all(tag, limit);
                  }
                  feed(userId, limit) {
                    return this.db.prepare(`SELECT a.id, u.username FROM articles a
                      JOIN users u ON u.id = a.author_id
                      JOIN follows f ON f.followee_id = a.author_id
                      WHERE f.follower_id = ? ORDER BY a.id DESC LIMIT ?`).all(userId, limit);
                  }
                  counted(limit) {
                    return this.db.prepare(`SELECT a.id, COUNT(c.id) AS n FROM articles a
                      LEFT JOIN comments c ON c.article_id = a.id GROUP BY a.id ORDER BY a.id LIMIT ?`).all(limit);
                  }
                  latestComment(id) {
                    return this.db.prepare(`SELECT c.body FROM articles a JOIN comments c ON c.article_id = a.id
                      WHERE a.id = ? ORDER BY c.id DESC LIMIT 1`).get(id);
                  }
                }
                module.exports = { ArticleRepository };
            """,
        },
        [("AL416", "src/repo.js", 7)],
    ),
    "knex-handle-injected-or-defaulted-in-a-constructor": (
        {
            "package.json": '{"dependencies": {"knex": "^3", "pg": "^8"}}',
            "src/database.js": """
                const knex = require('knex');
                let database = null;
                function getDatabase() {
                  if (database) return database;
                  database = knex({ client: 'pg', connection: process.env.DATABASE_URL });
                  return database;
                }
                module.exports = { getDatabase };
            """,
            "src/service.js": """
                const { getDatabase } = require('./database');
                class ItemsService {
                  constructor(options = {}) { this.knex = options.knex || getDatabase(); }
                  page(limit, offset) { return this.knex.select('id').from('items').limit(limit).offset(offset); }
                  pageOk(limit, offset) { return this.knex.select('id').from('items').orderBy('id').limit(limit).offset(offset); }
                }
                module.exports = { ItemsService };
            """,
        },
        [("AL409", "src/service.js", 4)],
    ),
    "raw-sql-judged-against-the-sequelize-migration": (
        {
            "package.json": '{"dependencies": {"sequelize": "^6", "pg": "^8"}}',
            "migrations/20240101-create-articles.js": """
                module.exports = {
                  async up(queryInterface, Sequelize) {
                    await queryInterface.createTable('articles', {
                      id: { type: Sequelize.INTEGER, primaryKey: true, autoIncrement: true },
                      title: { type: Sequelize.STRING },
                    });
                  },
                };
            """,
            "src/db.js": """
                const { Sequelize, QueryTypes } = require('sequelize');
                const sequelize = new Sequelize(process.env.DATABASE_URL, { dialect: 'postgres' });
                async function titles() {
                  const bad = await sequelize.query('SELECT id, titel FROM articles ORDER BY id', { type: QueryTypes.SELECT });
                  const good = await sequelize.query('SELECT id, title FROM articles ORDER BY id', { type: QueryTypes.SELECT });
                  return [bad, good];
                }
                module.exports = { titles };
            """,
        },
        [("AL412", "src/db.js", 4)],
    ),
    "knex-builder-changed-by-statements": (
        {
            **KNEX_PG,
            "src/repo.js": """
                const db = require('./db');
                async function list({ tag, limit, offset }) {
                  const query = db('articles').select('articles.id');
                  if (tag) query.where('articles.tag', tag);
                  const [{ count }] = await query.clone().count('* as count');
                  query.limit(limit).offset(offset);
                  return { rows: await query, count };
                }
                async function listOk({ tag, limit, offset }) {
                  const query = db('articles').select('articles.id');
                  if (tag) query.where('articles.tag', tag);
                  const [{ count }] = await query.clone().clearSelect().count('* as count');
                  query.orderBy('articles.id', 'desc');
                  query.limit(limit).offset(offset);
                  return { rows: await query, count };
                }
                module.exports = { list, listOk };
            """,
        },
        [("AL415", "src/repo.js", 5), ("AL409", "src/repo.js", 6)],
    ),
    "typeorm-query-builder-changed-by-statements": (
        {
            "package.json": '{"dependencies": {"typeorm": "^0.3", "pg": "^8"}}',
            "src/entities.ts": """
                import { Entity, PrimaryGeneratedColumn, Column, ManyToMany, JoinTable, ManyToOne, OneToMany } from 'typeorm';
                @Entity('tags')
                export class Tag {
                  @PrimaryGeneratedColumn() id: number;
                  @Column() name: string;
                }
                @Entity('articles')
                export class Article {
                  @PrimaryGeneratedColumn() id: number;
                  @Column() title: string;
                  @ManyToMany(() => Tag) @JoinTable() tags: Tag[];
                  @OneToMany(() => Comment, (c) => c.article) comments: Comment[];
                }
                @Entity('comments')
                export class Comment {
                  @PrimaryGeneratedColumn() id: number;
                  @ManyToOne(() => Article, (a) => a.comments) article: Article;
                }
            """,
            "src/service.ts": """
                import { Repository } from 'typeorm';
                import { Article } from './entities';
                export class ArticleService {
                  constructor(private readonly articles: Repository<Article>) {}
                  async list(limit: number, offset: number) {
                    const qb = this.articles.createQueryBuilder('article').leftJoinAndSelect('article.tags', 'tag');
                    qb.orderBy('article.id', 'DESC');
                    qb.offset(offset).limit(limit);
                    return qb.getMany();
                  }
                  async listOk(limit: number, offset: number) {
                    const qb = this.articles.createQueryBuilder('article').leftJoinAndSelect('article.tags', 'tag');
                    qb.orderBy('article.id', 'DESC');
                    qb.skip(offset).take(limit);
                    return qb.getMany();
                  }
                  async comments() {
                    return this.articles.createQueryBuilder('article').leftJoin('article.comments', 'comment')
                      .select('COUNT(comment.id)', 'count').getRawOne();
                  }
                }
            """,
        },
        [("AL416", "src/service.ts", 8)],
    ),
    "typeorm-get-repository-names-its-entity": (
        {
            "package.json": '{"dependencies": {"typeorm": "^0.3", "pg": "^8"}}',
            "src/entities.ts": """
                import { Entity, PrimaryGeneratedColumn, Column, ManyToOne, OneToMany } from 'typeorm';
                @Entity('user')
                export class UserEntity {
                  @PrimaryGeneratedColumn() id: number;
                  @OneToMany(() => ArticleEntity, (a) => a.author) articles: ArticleEntity[];
                }
                @Entity('article')
                export class ArticleEntity {
                  @PrimaryGeneratedColumn() id: number;
                  @Column() created: Date;
                  @ManyToOne(() => UserEntity, (u) => u.articles) author: UserEntity;
                }
            """,
            "src/service.ts": """
                import { getRepository } from 'typeorm';
                import { ArticleEntity } from './entities';
                export async function findAll(limit: number) {
                  const qb = getRepository(ArticleEntity).createQueryBuilder('article').leftJoinAndSelect('article.author', 'author');
                  qb.orderBy('article.created', 'DESC');
                  return qb.getMany();
                }
                export async function findAllUnordered(offset: number) {
                  return getRepository(ArticleEntity).createQueryBuilder('article').offset(offset).getMany();
                }
            """,
        },
        [("AL409", "src/service.ts", 9)],
    ),
    "raw-sql-judged-against-the-knex-migration": (
        {
            **KNEX_PG,
            "migrations/001_init.js": """
                exports.up = (knex) => knex.schema.createTable('articles', (t) => {
                  t.increments('id');
                  t.string('title');
                });
            """,
            "src/repo.js": """
                const db = require('./db');
                async function titles() {
                  const bad = await db.raw('SELECT id, titel FROM articles ORDER BY id');
                  const good = await db.raw('SELECT id, title FROM articles ORDER BY id');
                  return [bad, good];
                }
                module.exports = { titles };
            """,
        },
        [("AL412", "src/repo.js", 3)],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_builder_and_text_rule_cases(tmp_path, name):
    files, expected = CASES[name]
    make_repo(tmp_path, files)
    assert sql_findings(tmp_path) == expected


def test_sql_recognised_by_its_text_says_so(tmp_path):
    files, _expected = CASES["sql-recognised-by-its-text-and-what-stays-silent"]
    make_repo(tmp_path, files)
    (finding,) = [f for f in report(tmp_path).findings if f.rule == "AL405"]
    assert "recognised as SQL by its text: `conn.exec` is not known to be a database handle" in finding.message


def test_builder_findings_point_at_the_builder_call_and_speak_its_idiom(tmp_path):
    make_repo(tmp_path, {
        **KNEX_PG,
        "src/repo.js": """
            const db = require('./db');
            async function page(limit, offset) {
              return db('articles').select('id')
                .offset(offset)
                .limit(limit);
            }
            module.exports = { page };
        """,
    })
    (finding,) = [f for f in report(tmp_path).findings if f.rule == "AL409"]
    assert (finding.line, finding.column) == (4, 6)  # `.offset(` — not the SQL, not the chain's start
    assert "`.orderBy('created_at', 'desc')`" in finding.guidance


@pytest.mark.parametrize("client, driver, reported", [("sqlite3", "sqlite3", False), ("pg", "pg", True)])
def test_group_by_a_key_determines_the_columns_of_a_to_one_join_except_on_postgresql(tmp_path, client, driver, reported):
    """Found on avanelli's Fastify + knex Conduit (NeuraLegion's fork): the article list groups by
    ``articles.id`` and selects ``users.username`` through ``JOIN users ON articles.author =
    users.id`` — one user per article, so SQLite returns the one value (2 false AL408).  PostgreSQL
    recognises only the grouped table's own key and rejects the query; raw SQL is judged alike."""
    root = make_repo(tmp_path, {
        "package.json": f'{{"dependencies": {{"knex": "^3", "{driver}": "*"}}}}',
        "db.js": f"module.exports = require('knex')({{ client: '{client}', connection: process.env.DATABASE_URL }})\n",
        "articles.js": (
            "const knex = require('./db')\n"
            "exports.list = () => knex('articles')\n"
            "  .join('users', 'articles.author', 'users.id')\n"
            "  .select('articles.id', 'users.username')\n"
            "  .groupBy('articles.id')\n"
            "exports.raw = () => knex.raw('SELECT a.id, u.username, COUNT(f.id) FROM articles a "
            "JOIN users u ON u.id = a.author LEFT JOIN favorites f ON f.article = a.id GROUP BY a.id')\n"
        ),
    })
    found = [(rule, line) for rule, _path, line in sql_findings(root) if rule == "AL408"]
    assert found == ([("AL408", 4), ("AL408", 6)] if reported else [])


def test_knex_condition_after_the_write_call_and_builders_run_by_promise_all(tmp_path):
    """Found on LimarenkoDenis/typescript-node-koa-realworld-example-app: the article delete runs
    ``Promise.all([db('favorites').del().where({ … }), db('articles').del().where({ id })])`` and the
    favorite ``db('articles').increment('favorites_count', 1).where({ id })``.  knex builds the
    statement until it is awaited, so the WHERE written after ``.del()`` belongs to it (3 false
    AL405); Promise.all runs each builder (their rows are rows: the list's per-row lookup is found)."""
    root = make_repo(tmp_path, {
        **KNEX_PG,
        "src/articles.js": (
            "const db = require('./db');\n"
            "exports.remove = async (id) => {\n"
            "  await Promise.all([db('favorites').del().where({ article_id: id }), db('articles').del().where({ id })]);\n"
            "  await db('articles').increment('favorites_count', 1).where({ id });\n"
            "  await Promise.all([db('tags').del()]);\n"
            "};\n"
            "exports.list = async () => {\n"
            "  const [rows, [{ n }]] = await Promise.all([db('articles').select('id', 'author_id'), db('articles').count('* as n')]);\n"
            "  for (const row of rows) row.author = await db('users').where({ id: row.author_id }).first();\n"
            "  return { rows, n };\n"
            "};\n"
        ),
    })
    assert [(rule, line) for rule, _path, line in sql_findings(root)] == [("AL405", 5)]
    assert [(f.rule, f.line) for f in report(root).findings if f.rule == "AL601"] == [("AL601", 9)]


def test_drizzle_selection_with_spread_nested_objects_and_aliased_aggregates_is_lifted(tmp_path):
    """Found on illright/realworld-hono-drizzle: the article list selects ``{ ...columns,
    favoritesCount: count(favorites.userId).as('favoritesCount'), author: { username: … } }`` over
    left joins to favorites and tags; the spread made the whole projection ``*`` and ``.as()`` hid
    the COUNT, so the favorites count inflated by the tags (AL410) was invisible."""
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"hono": "^4", "drizzle-orm": "^0.36", "@libsql/client": "^0.14"}}',
        "src/schema.ts": (
            "import { int, sqliteTable, text } from 'drizzle-orm/sqlite-core';\n"
            "export const users = sqliteTable('users', { id: int().primaryKey(), username: text() });\n"
            "export const articles = sqliteTable('articles', { slug: text().primaryKey(), authorId: int().references(() => users.id) });\n"
            "export const tags = sqliteTable('article_tags', { articleSlug: text().references(() => articles.slug), tag: text() });\n"
            "export const favorites = sqliteTable('favorites', { articleSlug: text().references(() => articles.slug), userId: int() });\n"
        ),
        "src/list.ts": (
            "import { count, countDistinct, eq, getTableColumns } from 'drizzle-orm';\n"
            "import { drizzle } from 'drizzle-orm/libsql';\n"
            "import { articles, favorites, tags, users } from './schema';\n"
            "const db = drizzle('file:app.db');\n"
            "const { authorId, ...columns } = getTableColumns(articles);\n"
            "export const inflated = () => db.select({ ...columns, n: count(favorites.userId).as('n'), author: { name: users.username } })\n"
            "  .from(articles).leftJoin(favorites, eq(articles.slug, favorites.articleSlug))\n"
            "  .leftJoin(tags, eq(articles.slug, tags.articleSlug)).innerJoin(users, eq(articles.authorId, users.id)).groupBy(articles.slug);\n"
            "export const distinct = () => db.select({ ...columns, n: countDistinct(favorites.userId).as('n') })\n"
            "  .from(articles).leftJoin(favorites, eq(articles.slug, favorites.articleSlug))\n"
            "  .leftJoin(tags, eq(articles.slug, tags.articleSlug)).groupBy(articles.slug);\n"
        ),
    })
    assert [(rule, line) for rule, _path, line in sql_findings(root) if rule == "AL410"] == [("AL410", 6)]


def test_prisma_order_by_a_relation_aggregate_or_column_is_an_order(tmp_path):
    """Found on the Prisma Conduit (gothinkster's tag.service, francielecapaulino-coder's fork):
    ``findMany({ orderBy: { articles: { _count: 'desc' } }, take: 10 })`` orders by a relation
    count, but the relation's entry was dropped — a false AL409 "LIMIT with no ORDER BY"."""
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"@prisma/client": "^5"}}',
        "prisma/schema.prisma": (
            "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n"
            "model Tag {\n  id Int @id\n  name String\n  articles Article[]\n}\n"
            "model Article {\n  id Int @id\n  tags Tag[]\n}\n"
        ),
        "src/tags.js": (
            "const { PrismaClient } = require('@prisma/client');\nconst prisma = new PrismaClient();\n"
            "exports.popular = () => prisma.tag.findMany({ orderBy: { articles: { _count: 'desc' } }, take: 10 });\n"
            "exports.some = () => prisma.tag.findMany({ take: 10 });\n"
        ),
    })
    assert [(rule, line) for rule, _path, line in sql_findings(root)] == [("AL409", 4)]


def test_knex_increment_is_lifted_as_set_column_plus_amount(tmp_path):
    # increment('col', n) / increment({ a: 1, b: 2 }) / decrement: UPDATE … SET col = col ± n — the columns are
    # checked against the migration (before, the SET list was a `__set__` placeholder reported as an unknown column)
    root = make_repo(tmp_path, {
        **KNEX_PG,
        "migrations/001_init.js": (
            "exports.up = async (knex) => {\n"
            "  await knex.schema.createTable('articles', (t) => { t.increments('id'); t.integer('favorites_count'); t.integer('views'); });\n"
            "};\n"
        ),
        "src/articles.js": (
            "const db = require('./db');\n"
            "exports.ok = async (id) => {\n"
            "  await db('articles').where({ id }).increment('favorites_count', 1);\n"
            "  await db('articles').increment({ favorites_count: 1, views: 2 }).where({ id });\n"
            "  await db('articles').where({ id }).decrement('views');\n"
            "};\n"
            "exports.typo = async (id) => {\n"
            "  await db('articles').where({ id }).increment('favorite_count', 1);\n"
            "};\n"
        ),
    })
    assert [(f.rule, f.line) for f in report(root).findings if f.rule == "AL412"] == [("AL412", 8)]


def test_typescript_enum_members_and_literal_tables_spliced_into_sql_are_fixed_text(tmp_path):
    # `'${Status.Pending}'` where `enum Status { Pending = 'pending' }` (imported or local) or a module-level
    # object of literals: no input in the SQL (found on n8n's repositories); a request value still is
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"typeorm": "^0.3", "pg": "^8"}}',
        "src/status.ts": "export enum Status {\n  Pending = 'pending',\n  Done = 'done',\n}\n",
        "src/repo.ts": (
            "import { DataSource } from 'typeorm';\n"
            "import { Status } from './status';\n"
            "const ds = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });\n"
            "enum Local { A = 'a' }\n"
            "const COLUMNS = { recent: 'created_at', title: 'title' };\n"
            "export async function pending() {\n"
            "  return ds.query(`SELECT id FROM outbox WHERE status = '${Status.Pending}' OR kind = '${Local.A}' ORDER BY ${COLUMNS.recent}`);\n"
            "}\n"
            "export async function unsafe(status: string) {\n"
            "  return ds.query(`SELECT id FROM outbox WHERE status = '${status}'`);\n"
            "}\n"
        ),
    })
    assert [(f.rule, f.line) for f in report(root).findings if f.rule == "AL502"] == [("AL502", 10)]


def test_typescript_optional_parameter_is_a_parameter():
    # `author?: string` names the parameter `author` (the constant folder looked for `author?` and missed the
    # hole in a query-builder helper: agent-express-typeorm-helper-bugs)
    from archlint.domain.arguments import split_parameters

    assert [(p.name, p.annotation, p.default) for p in split_parameters("author?: string, limit = 20, { a, b }: Opts")] == [
        ("author", "string", ""), ("limit", "", "20"), ("{ a, b }", "Opts", "")]
