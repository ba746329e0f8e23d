"""`archlint verify` beyond the benchmark's eight frameworks and two ORMs: every framework, ORM and
SQL database the knowledge tables model, each with a compliant and a non-compliant case (agent-style
fixtures verified against their own stack and against another one, and small inline apps)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from archlint.application.pipeline import Options
from archlint.application.verify import Constraints, orms, parse_task, run_verify
from archlint.domain.config import ConfigError
from helpers import make_repo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _verdict(root, **constraints):
    result = run_verify(str(root), Constraints(**constraints), options=Options(use_cache=False))
    (verdict,) = result.verdicts
    assert verdict.evidence, verdict.reason
    return verdict.compliant, verdict.reason


@pytest.mark.parametrize("fixture, orm, compliant", [
    ("agent-express-typeorm-correct", "typeorm", True),
    ("agent-nest-typeorm-correct", "typeorm", True),
    ("agent-hono-drizzle-correct", "typeorm", False),
    ("agent-fastify-prisma-correct", "prisma", True),
    ("agent-express-typeorm-correct", "prisma", False),
    ("agent-hono-drizzle-correct", "drizzle", True),
    ("agent-fastify-prisma-correct", "drizzle", False),
    ("agent-express-mikroorm-correct", "mikro-orm", True),
    ("agent-koa-objection-correct", "mikro-orm", False),
    ("agent-koa-objection-correct", "objection", True),  # its knex migrations are Objection's own
    ("agent-koa-knex-bugs", "objection", False),  # Knex alone: no Objection model
    ("agent-django-clean-arch-correct", "django", True),
    ("agent-django-sqlalchemy-correct", "django", False),
    ("agent-flask-peewee-correct", "peewee", True),
    ("agent-flask-peewee-correct", "sqlalchemy", False),  # peewee models and queries only
    ("agent-django-clean-arch-correct", "peewee", False),
    ("agent-fastapi-sqlmodel-correct", "sqlmodel", True),
    ("agent-fastapi-sqlmodel-correct", "sqlalchemy", True),  # SQLModel models are SQLAlchemy mapped classes
    ("agent-quart-g-session-correct", "sqlmodel", False),  # plain SQLAlchemy models
    ("agent-aiohttp-tortoise-correct", "tortoise", True),  # queries through the model classes, abstract base skipped
    ("agent-aiohttp-tortoise-correct", "sqlalchemy", False),
    ("agent-django-clean-arch-correct", "tortoise", False),
])
def test_orm_verdicts(fixture, orm, compliant):
    got, reason = _verdict(FIXTURES / fixture, orm=orm)
    assert got is compliant, reason


@pytest.mark.parametrize("fixture, framework, compliant", [
    ("agent-quart-g-session-correct", "quart", True),
    ("agent-quart-g-session-correct", "flask", False),
    ("framework-flask-correct", "quart", False),
    ("agent-nest-typeorm-correct", "nestjs", True),
    ("agent-nest-sequelize-correct", "nestjs", True),
    ("agent-express-typeorm-correct", "nestjs", False),
    ("agent-drf-conduit-bugs", "django", True),
    ("agent-ninja-conduit-bugs", "django", True),
])
def test_framework_verdicts_on_fixtures(fixture, framework, compliant):
    got, reason = _verdict(FIXTURES / fixture, framework=framework)
    assert got is compliant, reason


_TAGS = {
    "app/__init__.py": "",
    "app/models.py": """
        from sqlalchemy import Column, Integer, String
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()


        class Tag(Base):
            __tablename__ = "tags"
            id = Column(Integer, primary_key=True)
            name = Column(String(64), unique=True)
        """,
    "app/db.py": """
        from sqlalchemy.ext.asyncio import create_async_engine, async_sessionmaker
        from app.models import Base

        engine = create_async_engine("sqlite+aiosqlite:///./conduit.db")
        sessions = async_sessionmaker(engine, expire_on_commit=False)


        async def init_db():
            async with engine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
        """,
    "app/repo.py": """
        from sqlalchemy import select
        from app.models import Tag
        from app.db import sessions


        async def all_tags():
            async with sessions() as s:
                result = await s.execute(select(Tag.name))
                return [row[0] for row in result]
        """,
}
_MAINS = {
    "starlette": """
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse
        from starlette.routing import Route
        from app.db import init_db
        from app.repo import all_tags


        async def tags(request):
            return JSONResponse({"tags": await all_tags()})


        app = Starlette(routes=[Route("/api/tags", tags)], on_startup=[init_db])
        """,
    "litestar": """
        from litestar import Litestar, get
        from app.db import init_db
        from app.repo import all_tags


        @get("/api/tags")
        async def tags() -> dict:
            return {"tags": await all_tags()}


        app = Litestar(route_handlers=[tags], on_startup=[init_db])
        """,
    "sanic": """
        from sanic import Sanic
        from sanic.response import json
        from app.db import init_db
        from app.repo import all_tags

        app = Sanic("conduit")


        @app.before_server_start
        async def setup(app, _loop):
            await init_db()


        @app.get("/api/tags")
        async def tags(request):
            return json({"tags": await all_tags()})
        """,
}


@pytest.mark.parametrize("framework", sorted(_MAINS))
def test_starlette_litestar_sanic_routes_say_the_framework(tmp_path, framework):
    """Starlette's `routes=[Route(…)]` and Litestar's `@get(…)` handlers register routes by
    themselves (frameworks.toml `route_constructors`); without them verify said "no route"."""
    root = make_repo(tmp_path, {**_TAGS, "app/main.py": _MAINS[framework], "requirements.txt": f"{framework}\nsqlalchemy\naiosqlite\n"})
    got, reason = _verdict(root, framework=framework)
    assert got, reason
    other = next(name for name in sorted(_MAINS) if name != framework)
    got, reason = _verdict(root, framework=other)
    assert not got and framework in reason
    assert _verdict(root, database="sqlite")[0]
    assert not _verdict(root, database="mysql")[0]


def test_mysql_is_a_database_value(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"name": "c", "dependencies": {"express": "^4", "sequelize": "^6", "mysql2": "^3"}}',
        "src/index.js": """
            const express = require('express');
            const { Sequelize, DataTypes } = require('sequelize');

            const sequelize = new Sequelize('conduit', 'conduit', 'conduit', { host: 'mysql', dialect: 'mysql', logging: false });
            const Tag = sequelize.define('Tag', { name: { type: DataTypes.STRING, unique: true } });

            const app = express();
            app.get('/api/tags', async (req, res) => res.json({ tags: (await Tag.findAll()).map((t) => t.name) }));
            sequelize.sync().then(() => app.listen(3000));
            """,
    })
    assert _verdict(root, database="mysql")[0]
    compliant, reason = _verdict(root, database="postgresql")
    assert not compliant and "MySQL" in reason


def test_typeorm_with_a_raw_pg_query_beside_it_is_not_compliant(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"name": "c", "dependencies": {"express": "^4", "typeorm": "^0.3", "pg": "^8", "reflect-metadata": "^0.2"}}',
        "src/entity/Tag.ts": """
            import { Entity, PrimaryGeneratedColumn, Column } from 'typeorm';

            @Entity('tags')
            export class Tag {
              @PrimaryGeneratedColumn()
              id!: number;

              @Column({ unique: true })
              name!: string;
            }
            """,
        "src/data-source.ts": """
            import { DataSource } from 'typeorm';
            import { Tag } from './entity/Tag';

            export const AppDataSource = new DataSource({ type: 'postgres', url: 'postgres://c:c@postgres:5432/conduit', entities: [Tag], synchronize: true });
            """,
        "src/index.ts": """
            import express from 'express';
            import { Pool } from 'pg';
            import { AppDataSource } from './data-source';
            import { Tag } from './entity/Tag';

            const pool = new Pool({ connectionString: 'postgres://c:c@postgres:5432/conduit' });
            const app = express();
            app.get('/api/tags', async (req, res) => res.json({ tags: (await AppDataSource.getRepository(Tag).find()).map((t) => t.name) }));
            app.get('/api/popular', async (req, res) => {
              const { rows } = await pool.query('SELECT name FROM tags ORDER BY name');
              res.json({ tags: rows.map((r) => r.name) });
            });
            AppDataSource.initialize().then(() => app.listen(3000));
            """,
    })
    compliant, reason = _verdict(root, orm="typeorm")
    assert not compliant and "bypass" in reason, reason


@pytest.mark.parametrize("task, expected", [
    ("uv-quart-openapi-postgres-sqlmodel", Constraints("quart", None, "postgresql", "sqlmodel")),
    ("node-nestjs-openapi-clean_architecture-mysql-typeorm", Constraints("nestjs", "clean", "mysql", "typeorm")),
    ("node-express-openapi-sqlite-mikroorm", Constraints("express", None, "sqlite", "mikro-orm")),
    ("uv-django-openapi-postgres-orm", Constraints("django", None, "postgresql", "sqlalchemy")),  # the benchmark's ORM
])
def test_task_names_with_the_new_values(task, expected):
    assert parse_task(task) == expected


def test_knex_and_mongoose_are_not_orm_values():
    assert "knex" not in orms() and "mongoose" not in orms() and "sqlmodel" in orms()
    with pytest.raises(ConfigError):
        parse_task("node-express-openapi-sqlite-knex")
    usage = subprocess.run([sys.executable, "-m", "archlint", "verify", str(FIXTURES / "agent-koa-knex-bugs"), "--orm", "knex", "--no-cache"],
                           capture_output=True, text=True)
    assert usage.returncode == 2 and "query builder" in usage.stderr


@pytest.mark.parametrize("fixture, framework, database", [
    ("agent-fastify-sequelize-cli-correct", "fastify", "sqlite"),  # sequelize-cli config.js, development entry
    ("agent-express-sequelize-ts-correct", "express", "postgresql"),  # { dialect: 'postgres', ...configModule }
    ("agent-koa-repository-factories-correct", "koa", "sqlite"),  # DATABASE_URL || 'sqlite:conduit.sqlite'
    ("agent-hono-sequelize-init-correct", "hono", "sqlite"),
])
def test_sequelize_clean_architecture_conduits_verify_on_every_constraint(fixture, framework, database):
    """The study's JS stacks, as agents write them: every verdict holds on the correct app, and the
    other database is refused."""
    result = run_verify(str(FIXTURES / fixture), Constraints(framework, "clean", database, "sequelize"), options=Options(use_cache=False))
    assert result.compliant, [v.reason for v in result.verdicts]
    other = "postgresql" if database == "sqlite" else "sqlite"
    assert not _verdict(FIXTURES / fixture, database=other)[0]
