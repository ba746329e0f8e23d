"""One definition of "the schema is created" for AL304 and the database verdict of `verify`
(archlint/domain/schema_sync.py): ``create_all`` by method name or passed as a reference, a
schema method on a typed Sequelize instance or model, a schema method reached through an
ORM holder (MikroORM's ``orm.schema``), a start command that migrates.  Look-alikes —
``glob.sync()``, ``mkdirp.sync()``, ``fs.readFileSync()``, a function merely named
``create_all_users`` — create no tables, for both."""

from __future__ import annotations

import pytest

from archlint.application.pipeline import Options
from archlint.application.verify import parse_task, run_verify
from helpers import make_repo, report

_MODELS = '''
    from sqlalchemy import create_engine
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

    engine = create_engine("sqlite:///./conduit.db")
    SessionLocal = sessionmaker(bind=engine)

    class Base(DeclarativeBase):
        pass

    class Article(Base):
        __tablename__ = "articles"
        id: Mapped[int] = mapped_column(primary_key=True)
'''

_MAIN = '''
    from fastapi import FastAPI
    from app.db import Article, SessionLocal, engine, Base
    from app import seed

    app = FastAPI()
    {setup}

    @app.get("/api/articles")
    def articles():
        with SessionLocal() as session:
            return [a.id for a in session.query(Article).all()]
'''

_PY_SETUPS = {
    # look-alikes: a project function whose name merely contains create_all
    "seed.create_all_users()": False,
    "Base.metadata.create_all(engine)": True,
    "Base.metadata.create_all(bind=engine)": True,
}


def _python_app(tmp_path, setup: str):
    return make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy\nuvicorn\n",
        "run.sh": "#!/bin/sh\nuvicorn app.main:app --port 8080\n",
        "app/__init__.py": "",
        "app/db.py": _MODELS,
        "app/seed.py": "def create_all_users():\n    return []\n",
        "app/main.py": _MAIN.replace("{setup}", setup),
    })


def _verdict(root, task):
    result = run_verify(str(root), parse_task(task), options=Options(use_cache=False))
    return next(v for v in result.verdicts if v.constraint == "database")


@pytest.mark.parametrize("setup, created", list(_PY_SETUPS.items()))
def test_python_schema_creation_is_one_definition(tmp_path, setup, created):
    root = _python_app(tmp_path, setup)
    al304 = [f for f in report(root).findings if f.rule == "AL304"]
    assert bool(al304) is not created, al304
    database = _verdict(root, "uv-fastapi-openapi-sqlite-sqlalchemy")
    assert database.compliant is created, database.reason


def test_create_all_passed_to_run_sync_counts_for_both(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy\naiosqlite\nuvicorn\n",
        "run.sh": "#!/bin/sh\nuvicorn app.main:app --port 8080\n",
        "app/__init__.py": "",
        "app/main.py": '''
            from fastapi import FastAPI
            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

            class Base(DeclarativeBase):
                pass

            class Article(Base):
                __tablename__ = "articles"
                id: Mapped[int] = mapped_column(primary_key=True)

            app = FastAPI()
            engine = create_async_engine("sqlite+aiosqlite:///./conduit.db")
            Session = async_sessionmaker(engine)

            async def init_models(connection):
                await connection.run_sync(Base.metadata.create_all)

            @app.on_event("startup")
            async def startup():
                async with engine.begin() as conn:
                    await init_models(conn)

            @app.get("/api/articles")
            async def articles():
                async with Session() as session:
                    return [a.id for a in (await session.scalars(select(Article))).all()]
        ''',
    })
    assert not [f for f in report(root).findings if f.rule == "AL304"]
    assert _verdict(root, "uv-fastapi-openapi-sqlite-sqlalchemy").compliant


_SEQUELIZE = """
    const { Sequelize, DataTypes, Model } = require('sequelize');
    const sequelize = new Sequelize('sqlite:conduit.sqlite');
    class Article extends Model {}
    Article.init({ title: DataTypes.STRING }, { sequelize, modelName: 'Article' });
    module.exports = { sequelize, Article };
"""

_JS_SETUPS = {
    # look-alikes: synchronous file-system helpers named `sync`
    "const files = glob.sync('src/**/*.js');\nmkdirp.sync('uploads');\nfs.readFileSync('README.md');\napp.listen(3000);": False,
    "sequelize.sync().then(() => app.listen(3000));": True,
    "Article.sync().then(() => app.listen(3000));": True,
}


@pytest.mark.parametrize("setup, created", list(_JS_SETUPS.items()))
def test_sequelize_sync_only_on_a_sequelize_instance_or_model(tmp_path, setup, created):
    root = make_repo(tmp_path, {
        "package.json": '{"name": "c", "dependencies": {"express": "^4", "sequelize": "^6", "sqlite3": "^5", "glob": "^10", "mkdirp": "^3"}}',
        "run.sh": "#!/bin/sh\nnode src/app.js\n",
        "src/models.js": _SEQUELIZE,
        "src/app.js": (
            "const fs = require('fs');\nconst glob = require('glob');\nconst mkdirp = require('mkdirp');\n"
            "const express = require('express');\nconst { sequelize, Article } = require('./models');\n"
            "const app = express();\n"
            "app.get('/api/articles', async (req, res) => res.json(await Article.findAll()));\n" + setup + "\n"
        ),
    })
    al304 = [f for f in report(root).findings if f.rule == "AL304"]
    assert bool(al304) is not created, al304
    assert _verdict(root, "node-express-openapi-sqlite-sequelize").compliant is created


def test_a_schema_generator_reached_through_a_holder_counts_for_both(tmp_path):
    """MikroORM's ``DI.orm.schema.updateSchema()``: the holder is typed by no one, the method is
    the schema generator's (access.toml ``derived``)."""
    root = make_repo(tmp_path, {
        "package.json": '{"name": "c", "dependencies": {"express": "^4", "@mikro-orm/core": "^6", "@mikro-orm/postgresql": "^6"}}',
        "run.sh": "#!/bin/sh\nnode dist/app.js\n",
        "src/entities.ts": """
            import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
            @Entity()
            export class Article {
              @PrimaryKey() id!: number;
              @Property() title!: string;
            }
        """,
        "src/di.ts": "export const DI = {} as { orm: any };\n",
        "src/app.ts": """
            import express from 'express';
            import { MikroORM } from '@mikro-orm/postgresql';
            import { DI } from './di';
            import { Article } from './entities';
            const app = express();
            app.get('/api/articles', async (req, res) => res.json(await DI.orm.em.fork().find(Article, {})));
            async function main() {
              DI.orm = await MikroORM.init({ clientUrl: 'postgresql://c:c@postgres:5432/conduit', entities: [Article] });
              await DI.orm.schema.updateSchema();
              app.listen(3000);
            }
            main();
        """,
    })
    assert not [f for f in report(root).findings if f.rule == "AL304"]
    assert _verdict(root, "node-express-openapi-postgres").compliant


@pytest.mark.parametrize("command, created", [
    ("npx sequelize-cli db:migrate && node src/app.js", True),
    ("npx typeorm migration:run -d dist/data-source.js && node src/app.js", True),
    ("npx drizzle-kit push && node src/app.js", True),
    ("npm ci && node src/app.js", False),
])
def test_start_commands_that_create_the_schema_are_one_list(tmp_path, command, created):
    root = make_repo(tmp_path, {
        "package.json": '{"name": "c", "dependencies": {"express": "^4", "sequelize": "^6", "sqlite3": "^5"}}',
        "run.sh": f"#!/bin/sh\n{command}\n",
        "src/models.js": _SEQUELIZE,
        "src/app.js": (
            "const express = require('express');\nconst { Article } = require('./models');\nconst app = express();\n"
            "app.get('/api/articles', async (req, res) => res.json(await Article.findAll()));\napp.listen(3000);\n"
        ),
    })
    al304 = [f for f in report(root).findings if f.rule == "AL304"]
    assert bool(al304) is not created, al304
    assert _verdict(root, "node-express-openapi-sqlite-sequelize").compliant is created


@pytest.mark.parametrize("registered, created", [("asValue(sequelize)", True), ("asValue(fileStore)", False)])
def test_sync_on_what_an_awilix_container_resolves(tmp_path, registered, created):
    """``container.resolve('db').sync()``: the receiver is what the container registered under the
    name — the Sequelize instance creates the tables, a file store's ``sync()`` does not."""
    root = make_repo(tmp_path, {
        "package.json": '{"name": "c", "dependencies": {"express": "^4", "sequelize": "^6", "sqlite3": "^5", "awilix": "^10"}}',
        "run.sh": "#!/bin/sh\nnode src/server.js\n",
        "src/models.js": _SEQUELIZE,
        "src/container.js": (
            "const { createContainer, asValue } = require('awilix');\nconst { sequelize, Article } = require('./models');\n"
            "const fileStore = { sync() { return Promise.resolve(); } };\n"
            "const container = createContainer();\n"
            f"container.register({{ db: {registered}, Article: asValue(Article) }});\nmodule.exports = container;\n"
        ),
        "src/server.js": (
            "const express = require('express');\nconst container = require('./container');\nconst app = express();\n"
            "app.get('/api/articles', async (req, res) => res.json(await container.resolve('Article').findAll()));\n"
            "container.resolve('db').sync().then(() => app.listen(3000));\n"
        ),
    })
    al304 = [f for f in report(root).findings if f.rule == "AL304"]
    assert bool(al304) is not created, al304
    assert _verdict(root, "node-express-openapi-sqlite-sequelize").compliant is created


@pytest.mark.parametrize("module, created", [
    ("tortoise.contrib.fastapi", True),  # tortoise/contrib/fastapi/__init__.py's register_tortoise
    ("tortoise.contrib.starlette", True),
    # a look-alike two segments below contrib: `*` stands for one dotted segment (fnmatch's alone spanned dots)
    ("tortoise.contrib.fastapi.helpers", False),
])
def test_a_schema_flag_pattern_star_is_one_dotted_segment(module, created):
    import textwrap

    import tree_sitter as ts
    import tree_sitter_python as tsp

    from archlint.adapters.frontends.python_ir import lower
    from archlint.adapters.knowledge import load_knowledge
    from archlint.domain.schema_sync import schema_calls_known, synchronising_calls

    data = textwrap.dedent(f'''
        from fastapi import FastAPI
        from {module} import register_tortoise

        app = FastAPI()
        register_tortoise(app, db_url="sqlite://db.sqlite3", modules={{"models": ["app.models"]}}, generate_schemas=True)
    ''').encode()
    lowered = lower(ts.Parser(ts.Language(tsp.language())).parse(data).root_node, data, "app/main.py")
    found = synchronising_calls(lowered, schema_calls_known(load_knowledge()))
    assert [what for _span, what in found] == (["register_tortoise(generate_schemas=True)"] if created else [])
