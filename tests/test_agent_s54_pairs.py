"""The s54 agent-style pairs (issue 12): Conduit under Clean Architecture in stacks the earlier fixtures do not
have — Fastify over Drizzle behind a `fastify.decorate('db', …)` plugin, FastAPI over Tortoise ORM with
`register_tortoise(generate_schemas=True)`, and Express over Kysely (the first Kysely app among the fixtures).  `archlint verify` must give every verdict right on both twins, the ORM
verdict included; the focused tests pin the general causes the pairs exposed: a lost update whose `row.C + 1` is
computed by the caller (or a row the caller read) and written by a repository, a Tortoise many-to-many `add` as a
write and `update_from_dict` as mass assignment, Tortoise's start-up schema creation, Kysely's schema builders (no
thenables) and its `set`/`values` taking the body."""

from __future__ import annotations

from pathlib import Path

import pytest

from archlint.application.pipeline import Options
from archlint.application.verify import Constraints, parse_task, run_verify
from helpers import findings, make_repo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ALL = {"framework": True, "architecture": True, "database": True}

CASES = [
    # a route querying the database fails the architecture on each bugs twin; each passes its own ORM, fails another
    ("agent-fastify-drizzle-plugin", "node-fastify-openapi-clean_architecture-postgres-drizzle", "sequelize"),
    ("agent-fastapi-tortoise-layers", "uv-fastapi-openapi-clean_architecture-postgres-tortoise", "sqlalchemy"),
    # Kysely is a query builder, no ORM: the task names none, and an ORM requirement fails on both twins
    ("agent-express-kysely-layers", "node-express-openapi-clean_architecture-postgres", "sequelize"),
]


@pytest.mark.parametrize("name, task, other_orm", CASES, ids=[case[0] for case in CASES])
def test_both_twins_get_the_right_verdicts(name, task, other_orm):
    parsed = parse_task(task)
    expected_correct = {**ALL, **({"orm": True} if parsed.orm else {})}
    for variant, expected in (("bugs", {**expected_correct, "architecture": False}), ("correct", expected_correct)):
        root = str(FIXTURES / f"{name}-{variant}")
        result = run_verify(root, parsed, options=Options(use_cache=False))
        got = {verdict.constraint: verdict.compliant for verdict in result.verdicts}
        assert got == expected, (variant, [verdict.reason for verdict in result.verdicts])
        orm = run_verify(root, Constraints(orm=other_orm), options=Options(use_cache=False))
        assert {verdict.constraint: verdict.compliant for verdict in orm.verdicts} == {"orm": False}, variant


_PRISMA_COUNTER = {
    "package.json": '{"dependencies": {"express": "^4.19.2", "@prisma/client": "^5.18.0"}}',
    "src/db.js": """
        const { PrismaClient } = require('@prisma/client');
        module.exports = new PrismaClient();
    """,
    "src/repositories/articleRepository.js": """
        const prisma = require('../db');

        async function findBySlug(slug) {
          return prisma.article.findUniqueOrThrow({ where: { slug } });
        }

        async function setFavoritesCount(id, favoritesCount) {
          return prisma.article.update({ where: { id }, data: { favoritesCount } });
        }

        async function countFavorites(articleId) {
          return prisma.favorite.count({ where: { articleId } });
        }

        module.exports = { findBySlug, setFavoritesCount, countFavorites };
    """,
    "src/services/articleService.js": """
        const articles = require('../repositories/articleRepository');

        async function favorite(slug) {
          const article = await articles.findBySlug(slug);
          const next = article.favoritesCount + 1;
          await articles.setFavoritesCount(article.id, next);
        }

        async function recount(slug) {
          const article = await articles.findBySlug(slug);
          await articles.setFavoritesCount(article.id, await articles.countFavorites(article.id));
        }

        async function mislabelled(slug) {
          const article = await articles.findBySlug(slug);
          await articles.setFavoritesCount(article.id, article.viewsCount + 1);
        }

        module.exports = { favorite, recount, mislabelled };
    """,
    "src/app.js": """
        const express = require('express');
        const service = require('./services/articleService');
        const app = express();
        app.post('/articles/:slug/favorite', async (req, res) => res.json(await service.favorite(req.params.slug)));
        app.post('/articles/:slug/recount', async (req, res) => res.json(await service.recount(req.params.slug)));
        app.post('/articles/:slug/other', async (req, res) => res.json(await service.mislabelled(req.params.slug)));
        module.exports = app;
    """,
}


def test_a_counter_computed_by_the_caller_and_written_by_a_repository_is_a_lost_update(tmp_path):
    """`next = article.favoritesCount + 1` handed to a repository writing `data: { favoritesCount }` is the
    read-modify-write; a recount from `count()` and another column's increment written there are not."""
    root = make_repo(tmp_path / "js", _PRISMA_COUNTER)
    assert findings(root, select=["AL311"]) == [("AL311", "src/repositories/articleRepository.js", 8)]
    # only the favorite path writes it back: without it, nothing
    files = dict(_PRISMA_COUNTER)
    files["src/services/articleService.js"] = files["src/services/articleService.js"].replace(
        "const next = article.favoritesCount + 1;", "const next = 1;")
    assert findings(make_repo(tmp_path / "js-constant", files), select=["AL311"]) == []


_SQLALCHEMY_COUNTER = {
    "requirements.txt": "fastapi\nsqlalchemy\n",
    "app/models.py": """
        from sqlalchemy import Integer, String
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

        class Base(DeclarativeBase):
            pass

        class Article(Base):
            __tablename__ = "articles"
            id: Mapped[int] = mapped_column(Integer, primary_key=True)
            slug: Mapped[str] = mapped_column(String, unique=True)
            views: Mapped[int] = mapped_column(Integer, default=0)
    """,
    "app/repository.py": """
        from sqlalchemy import select, update
        from sqlalchemy.orm import Session

        from app.models import Article

        def by_slug(session: Session, slug: str) -> Article:
            return session.scalars(select(Article).where(Article.slug == slug)).one()

        def set_views(session: Session, article_id: int, views: int) -> None:
            session.execute(update(Article).where(Article.id == article_id).values(views=views))
            session.commit()
    """,
    "app/main.py": """
        from fastapi import FastAPI
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session

        from app import repository

        engine = create_engine("sqlite:///app.db")
        app = FastAPI()

        @app.post("/articles/{slug}/view")
        def view(slug: str):
            with Session(engine) as session:
                article = repository.by_slug(session, slug)
                repository.set_views(session, article.id, VIEWS)
    """,
}


@pytest.mark.parametrize("value, expected", [("article.views + 1", [("AL311", "app/repository.py", 10)]), ("0", [])])
def test_a_python_keyword_written_from_a_callers_increment_is_a_lost_update(tmp_path, value, expected):
    files = dict(_SQLALCHEMY_COUNTER)
    files["app/main.py"] = files["app/main.py"].replace("VIEWS", value)
    assert findings(make_repo(tmp_path, files), select=["AL311"]) == expected


_TORTOISE_APP = {
    "requirements.txt": "fastapi\ntortoise-orm[asyncpg]\n",
    "app/models.py": """
        from tortoise import fields
        from tortoise.models import Model

        class Tag(Model):
            id = fields.IntField(primary_key=True)
            name = fields.CharField(max_length=50, unique=True)

        class Article(Model):
            id = fields.IntField(primary_key=True)
            slug = fields.CharField(max_length=200, unique=True)
            title = fields.CharField(max_length=200)
            tags = fields.ManyToManyField("models.Tag", related_name="articles")
    """,
    "app/main.py": """
        from fastapi import Body, FastAPI
        from tortoise.contrib.fastapi import register_tortoise

        from app.models import Article, Tag

        app = FastAPI()

        @app.post("/articles")
        async def create(body: dict = Body(...)):
            article = await Article.create(slug=body["slug"], title=body["title"])
            tag = await Tag.get(name=body["tag"])
            await article.tags.add(tag)
            return {"slug": article.slug}

        @app.put("/articles/{slug}")
        async def edit(slug: str, body: dict = Body(...)):
            article = await Article.get_or_none(slug=slug)
            if article is None:
                return None
            article.update_from_dict(EDIT)
            await article.save()
            return {"slug": article.slug}

        register_tortoise(app, db_url="postgres://u:p@localhost/app", modules={"models": ["app.models"]}, SCHEMAS)
    """,
}


def _tortoise(tmp_path, edit="body", schemas="generate_schemas=True"):
    files = dict(_TORTOISE_APP)
    files["app/main.py"] = files["app/main.py"].replace("EDIT", edit).replace("SCHEMAS", schemas)
    return make_repo(tmp_path, files)


def test_tortoise_many_to_many_add_is_a_write_and_update_from_dict_is_mass_assignment(tmp_path):
    got = findings(_tortoise(tmp_path / "whole"), select=["AL305", "AL504"])
    assert got == [("AL305", "app/main.py", 10), ("AL504", "app/main.py", 20)]
    picked = _tortoise(tmp_path / "picked", edit='{"title": body["title"]}')
    assert findings(picked, select=["AL504"]) == []


@pytest.mark.parametrize("schemas, created", [("generate_schemas=True", True), ("generate_schemas=False", False),
                                              ("config_file='t.json'", False)])
def test_register_tortoise_generating_schemas_creates_the_schema(tmp_path, schemas, created):
    result = run_verify(str(_tortoise(tmp_path, schemas=schemas)), Constraints(database="postgresql"),
                        options=Options(use_cache=False))
    (verdict,) = result.verdicts
    assert verdict.compliant is created, verdict.reason


_KYSELY_APP = {
    "package.json": '{"type": "module", "dependencies": {"express": "^4.19.2", "kysely": "^0.27.4", "pg": "^8.12.0"}}',
    "src/db.js": """
        import { Kysely, PostgresDialect } from 'kysely';
        import pg from 'pg';

        export const db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool() }) });

        export async function createSchema() {
          await db.schema.createTable('articles').ifNotExists()
            .addColumn('id', 'serial', (c) => c.primaryKey())
            .addColumn('favorites_count', 'integer', (c) => c.notNull().defaultTo(0))
            .execute();
        }
    """,
    "src/repository.js": """
        import { db } from './db.js';

        export function findById(id) {
          return db.selectFrom('articles').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        }

        export function bump(article) {
          return db.updateTable('articles').set({ favorites_count: article.favorites_count + 1 }).where('id', '=', article.id).execute();
        }

        export function edit(id, changes) {
          return db.updateTable('articles').set(changes).where('id', '=', id).execute();
        }
    """,
    "src/app.js": """
        import express from 'express';
        import { createSchema } from './db.js';
        import { bump, edit, findById } from './repository.js';

        const app = express();
        app.use(express.json());
        app.post('/articles/:id/favorite', async (req, res) => {
          await bump(ROW);
          res.status(204).end();
        });
        app.put('/articles/:id', async (req, res) => {
          await edit(Number(req.params.id), CHANGES);
          res.status(204).end();
        });
        await createSchema();
        app.listen(3000);
    """,
}


def _kysely(tmp_path, row="await findById(Number(req.params.id))", changes="req.body.article"):
    files = dict(_KYSELY_APP)
    files["src/app.js"] = files["src/app.js"].replace("ROW", row).replace("CHANGES", changes)
    return make_repo(tmp_path, files)


def test_kysely_schema_builders_are_built_not_awaited_and_set_takes_the_body(tmp_path):
    """`db.schema.createTable(…).ifNotExists()…execute()` is a builder chain (no AL809 on `.ifNotExists`);
    `updateTable(t).set(req.body.article)` writes whatever keys the client sent (AL504); a repository bumping the
    counter of the row its caller read is a lost update (AL311)."""
    got = findings(_kysely(tmp_path / "bugs"), select=["AL809", "AL504", "AL311"])
    assert got == [("AL311", "src/repository.js", 8), ("AL504", "src/repository.js", 12)]
    fixed = _kysely(tmp_path / "fixed", row="{ id: Number(req.params.id), favorites_count: 0 }",
                    changes="{ title: req.body.article.title }")
    assert findings(fixed, select=["AL809", "AL504", "AL311"]) == []
