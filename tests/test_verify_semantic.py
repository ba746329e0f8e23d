"""Verdicts that need the semantic model (issue 12 item 6): sessions from a factory held by a
repository, models wired into services by a composition root, an app built by calling the
framework in place, a SQLite URL without `//`."""

from __future__ import annotations

from archlint.application.pipeline import Options
from archlint.application.verify import parse_task, run_verify
from helpers import make_repo


def verdicts(root, task):
    report = run_verify(str(root), parse_task(task), options=Options(use_cache=False))
    return {v.constraint: v.compliant for v in report.verdicts}, report


def test_sqlalchemy_sessions_from_a_factory_entered_in_a_repository_count_for_the_orm(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy\nasyncpg\nuvicorn\n",
        "run.sh": "#!/bin/sh\nexport DATABASE_URL=postgresql+asyncpg://postgres:postgres@postgres:5432/conduit\nuvicorn app.main:app --port 8080\n",
        "app/models/article.py": '''
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
            class Base(DeclarativeBase):
                pass
            class Article(Base):
                __tablename__ = "articles"
                id: Mapped[int] = mapped_column(primary_key=True)
        ''',
        "app/db.py": '''
            import os
            from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
            engine = create_async_engine(os.environ["DATABASE_URL"])
            sessions = async_sessionmaker(engine, expire_on_commit=False)
        ''',
        "app/repositories/article_repository.py": '''
            from sqlalchemy import select
            from app.models.article import Article

            class ArticleRepository:
                def __init__(self, sessions):
                    self._sessions = sessions

                async def list(self):
                    async with self._sessions() as session:
                        return (await session.scalars(select(Article))).all()
        ''',
        "app/services/article_service.py": '''
            class ArticleService:
                def __init__(self, repo):
                    self.repo = repo
                async def list(self):
                    return [a.id for a in await self.repo.list()]
        ''',
        "app/container.py": '''
            from app.db import sessions
            from app.repositories.article_repository import ArticleRepository
            from app.services.article_service import ArticleService
            service = ArticleService(ArticleRepository(sessions))
        ''',
        "app/routes/articles.py": '''
            from fastapi import APIRouter
            from app.container import service
            router = APIRouter(prefix="/api")
            @router.get("/articles")
            async def list_articles():
                return {"articles": await service.list()}
        ''',
        "app/main.py": '''
            from fastapi import FastAPI
            from app.db import engine
            from app.models.article import Base
            from app.routes.articles import router
            app = FastAPI()
            app.include_router(router)
            @app.on_event("startup")
            async def startup():
                async with engine.begin() as conn:
                    await conn.run_sync(Base.metadata.create_all)
        ''',
    })
    result, report = verdicts(root, "uv-fastapi-openapi-clean_architecture-postgres-sqlalchemy")
    assert result == {"framework": True, "architecture": True, "database": True, "orm": True}, [v.reason for v in report.verdicts]
    orm = next(v for v in report.verdicts if v.constraint == "orm")
    assert any(e.path == "app/repositories/article_repository.py" for e in orm.evidence)


def test_fastify_called_in_place_and_a_sqlite_url_without_slashes(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"name": "c", "dependencies": {"fastify": "^4", "sequelize": "^6", "sqlite3": "^5"}}',
        "run.sh": "#!/bin/sh\nnode src/index.js\n",
        "src/index.js": """
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize('sqlite:conduit.sqlite');
            const Article = sequelize.define('Article', { title: DataTypes.STRING });
            const app = require('fastify')({ logger: true });
            app.get('/api/articles', async () => ({ articles: await Article.findAll() }));
            sequelize.sync().then(() => app.listen({ port: 3000 }));
        """,
    })
    result, report = verdicts(root, "node-fastify-openapi-sqlite-sequelize")
    assert result == {"framework": True, "database": True, "orm": True}, [v.reason for v in report.verdicts]


def test_sequelize_models_wired_into_services_by_a_destructured_constructor(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"name": "c", "dependencies": {"express": "^4", "sequelize": "^6", "pg": "^8"}}',
        "run.sh": "#!/bin/sh\nexport DATABASE_URL=postgres://postgres:postgres@postgres:5432/conduit\nnode src/app.js\n",
        "src/db.js": """
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize(process.env.DATABASE_URL);
            const Article = sequelize.define('Article', { title: DataTypes.STRING });
            module.exports = { sequelize, models: { Article } };
        """,
        "src/services/article.service.js": """
            class ArticleService {
              constructor({ Article }) {
                this.Article = Article;
              }
              list() {
                return this.Article.findAll();
              }
            }
            module.exports = { ArticleService };
        """,
        "src/app.js": """
            const express = require('express');
            const { sequelize, models } = require('./db');
            const { ArticleService } = require('./services/article.service');
            const service = new ArticleService(models);
            const app = express();
            app.get('/api/articles', async (req, res) => res.json(await service.list()));
            sequelize.sync().then(() => app.listen(3000));
        """,
    })
    result, report = verdicts(root, "node-express-openapi-postgres-sequelize")
    assert result == {"framework": True, "database": True, "orm": True}, [v.reason for v in report.verdicts]
    orm = next(v for v in report.verdicts if v.constraint == "orm")
    assert any(e.path == "src/services/article.service.js" for e in orm.evidence), orm.evidence


def test_decorated_routes_count_once_and_sqlalchemy_core_is_named_in_the_orm_verdict(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy\n",
        "app/db.py": '''
            from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine

            metadata = MetaData()
            users = Table("users", metadata, Column("id", Integer, primary_key=True), Column("name", String))
            engine = create_engine("sqlite:///app.db")
            metadata.create_all(engine)
        ''',
        "app/main.py": '''
            from fastapi import FastAPI
            from sqlalchemy import select

            from app.db import engine, users

            app = FastAPI()


            @app.get("/users")
            def list_users():
                with engine.connect() as conn:
                    return [dict(row) for row in conn.execute(select(users).order_by(users.c.id)).mappings()]


            @app.get("/users/count")
            def count_users():
                with engine.connect() as conn:
                    return {"count": len(conn.execute(select(users.c.id)).all())}
        ''',
    })
    compliant, report = verdicts(root, "uv-fastapi-openapi-sqlite-sqlalchemy")
    by_name = {v.constraint: v for v in report.verdicts}
    assert compliant["framework"] and "2 route registration(s)" in by_name["framework"].reason
    assert compliant["database"]
    assert not compliant["orm"]  # the task asks for the SQLAlchemy ORM: Core tables are not models
    assert "without a model (the core API, not the ORM)" in by_name["orm"].reason


FLASK_REEXPORTED_BASE = {
    "requirements.txt": "flask\nflask-sqlalchemy\npsycopg2-binary\n",
    "app/extensions.py": '''
        from flask_sqlalchemy import Model, SQLAlchemy

        class CRUDMixin(Model):
            def save(self):
                db.session.add(self)
                db.session.commit()
                return self

        db = SQLAlchemy(model_class=CRUDMixin)
    ''',
    "app/database.py": '''
        from app.extensions import db

        Column = db.Column
        Model = db.Model
    ''',
    "app/articles/models.py": '''
        from app.database import Column, Model, db

        class Article(Model):
            __tablename__ = "articles"
            id = Column(db.Integer, primary_key=True)
            title = Column(db.String(100))
    ''',
    "app/articles/views.py": '''
        from flask import Blueprint, jsonify
        from app.articles.models import Article

        blueprint = Blueprint("articles", __name__)

        @blueprint.route("/api/articles")
        def list_articles():
            return jsonify([a.title for a in Article.query.order_by(Article.id).all()])
    ''',
    "app/__init__.py": '''
        from flask import Flask
        from app.extensions import db
        from app.articles.views import blueprint

        def create_app():
            app = Flask(__name__)
            app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql://conduit:conduit@postgres:5432/conduit"
            db.init_app(app)
            app.register_blueprint(blueprint)
            with app.app_context():
                db.create_all()
            return app
    ''',
}


def test_flask_sqlalchemy_models_deriving_from_a_reexported_db_model(tmp_path):
    # gothinkster/flask-realworld-example-app: `Model = db.Model` in conduit/database.py, models import it
    root = make_repo(tmp_path, FLASK_REEXPORTED_BASE)
    result, report = verdicts(root, "uv-flask-openapi-postgresql-sqlalchemy")
    assert result["orm"] is True
    orm = next(v for v in report.verdicts if v.constraint == "orm")
    assert "1 SQLAlchemy model(s)" in orm.reason  # the model_class mixin deriving from flask_sqlalchemy.Model is no table


_SEQUELIZE_CLI_INDEX = """
    'use strict';
    const fs = require('fs');
    const path = require('path');
    const Sequelize = require('sequelize');
    const basename = path.basename(__filename);
    const db = {};
    const sequelize = new Sequelize('sqlite:conduit.sqlite', { logging: false });
    fs.readdirSync(__dirname)
      .filter((file) => file !== basename && file.endsWith('.js'))
      .forEach((file) => {
        const model = require(path.join(__dirname, file))(sequelize, Sequelize.DataTypes);
        db[model.name] = model;
      });
    db.sequelize = sequelize;
    db.Sequelize = Sequelize;
    module.exports = db;
"""


def test_the_sequelize_cli_template_default_import_and_define_factories(tmp_path):
    """sequelize-cli's layout, the one agents copy: ``const Sequelize = require('sequelize')`` (the
    module is the class) and model files that import nothing, ``module.exports = (sequelize,
    DataTypes) => sequelize.define(…)``, loaded by ``models/index.js`` reading its directory.
    Before, neither the connection nor the two models were seen: both verdicts failed."""
    root = make_repo(tmp_path, {
        "package.json": '{"name": "c", "dependencies": {"express": "^4", "sequelize": "^6", "sqlite3": "^5"}}',
        "run.sh": "#!/bin/sh\nnode src/app.js\n",
        "models/index.js": _SEQUELIZE_CLI_INDEX,
        "models/user.js": """
            module.exports = (sequelize, DataTypes) => {
              const User = sequelize.define('User', { username: DataTypes.STRING });
              return User;
            };
        """,
        "models/article.js": """
            module.exports = (sequelize, DataTypes) => sequelize.define('Article', { title: DataTypes.STRING, authorId: DataTypes.INTEGER });
        """,
        "src/app.js": """
            const express = require('express');
            const db = require('../models');
            const app = express();
            app.get('/api/articles', async (req, res) => res.json({ articles: await db.Article.findAll() }));
            app.get('/api/profiles/:username', async (req, res) => res.json(await db.User.findOne({ where: { username: req.params.username } })));
            db.sequelize.sync().then(() => app.listen(3000));
        """,
    })
    result, report = verdicts(root, "node-express-openapi-sqlite-sequelize")
    assert result == {"framework": True, "database": True, "orm": True}, [v.reason for v in report.verdicts]
    orm = next(v for v in report.verdicts if v.constraint == "orm")
    assert orm.reason.startswith("2 Sequelize model(s)"), orm.reason
    database = next(v for v in report.verdicts if v.constraint == "database")
    assert "models/index.js:7" in database.reason, database.reason


def test_a_define_call_that_is_no_sequelize_model_defines_none(tmp_path):
    """``customElements.define('x-card', Card)`` passes a class, not attributes: not a model file."""
    root = make_repo(tmp_path, {
        "package.json": '{"name": "c", "dependencies": {"express": "^4", "sequelize": "^6", "sqlite3": "^5"}}',
        "run.sh": "#!/bin/sh\nnode src/app.js\n",
        "models/index.js": _SEQUELIZE_CLI_INDEX,
        "models/card.js": """
            class Card {}
            module.exports = (registry) => registry.define('x-card', Card);
        """,
        "src/app.js": """
            const express = require('express');
            const db = require('../models');
            const app = express();
            app.get('/api/cards', async (req, res) => res.json(await db.sequelize.query('SELECT 1')));
            db.sequelize.sync().then(() => app.listen(3000));
        """,
    })
    result, report = verdicts(root, "node-express-openapi-sqlite-sequelize")
    assert result["database"] is True and result["orm"] is False, [v.reason for v in report.verdicts]
    orm = next(v for v in report.verdicts if v.constraint == "orm")
    assert orm.reason.startswith("no Sequelize model is defined"), orm.reason


def test_a_sync_or_create_all_lookalike_creates_no_schema(tmp_path):
    """Schema creation is Sequelize's ``sync()`` on a typed instance or model and SQLAlchemy's
    ``create_all``: ``glob.sync(…)`` and a ``createAllTags()`` helper create no tables."""
    root = make_repo(tmp_path, {
        "package.json": '{"name": "c", "dependencies": {"express": "^4", "sequelize": "^6", "sqlite3": "^5", "glob": "^10"}}',
        "run.sh": "#!/bin/sh\nnode src/app.js\n",
        "src/db.js": """
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize('sqlite:conduit.sqlite');
            const Tag = sequelize.define('Tag', { name: DataTypes.STRING });
            module.exports = { sequelize, Tag };
        """,
        "src/app.js": """
            const express = require('express');
            const glob = require('glob');
            const { Tag } = require('./db');
            const tags = require('./tags');
            const app = express();
            for (const file of glob.sync('src/routes/*.js')) require(file)(app);
            app.get('/api/tags', async (req, res) => res.json({ tags: await Tag.findAll() }));
            tags.create_all_tags().then(() => app.listen(3000));
        """,
        "src/tags.js": """
            const { Tag } = require('./db');
            exports.create_all_tags = () => Tag.bulkCreate([{ name: 'a' }]);
        """,
    })
    result, report = verdicts(root, "node-express-openapi-sqlite-sequelize")
    database = next(v for v in report.verdicts if v.constraint == "database")
    assert result["database"] is False and "nothing creates the schema" in database.reason, database.reason


def _fastify_db_plugin(fallback: str) -> dict:
    return {
        "package.json": '{"name": "c", "dependencies": {"fastify": "^4", "fastify-plugin": "^4", "sequelize": "^6", "sqlite3": "^5", "pg": "^8"}}',
        "run.sh": "#!/bin/sh\nnode src/app.js\n",
        "src/plugins/db.js": """
            const fp = require('fastify-plugin');
            const { Sequelize, DataTypes } = require('sequelize');

            async function dbPlugin(fastify, opts) {
              const sequelize = new Sequelize(opts.url || '%s', { logging: false });
              const Article = sequelize.define('Article', { slug: DataTypes.STRING });
              await sequelize.sync();
              fastify.decorate('models', { Article });
            }

            module.exports = fp(dbPlugin);
        """ % fallback,
        "src/app.js": """
            const Fastify = require('fastify');
            const db = require('./plugins/db');
            const app = Fastify();
            app.register(db, { url: process.env.DATABASE_URL });
            app.get('/api/articles', async (request) => ({ articles: await request.server.models.Article.findAll() }));
            app.listen({ port: 3000 });
        """,
    }


def test_a_fastify_plugin_connecting_with_its_options_url_or_a_sqlite_fallback(tmp_path):
    """``new Sequelize(opts.url || 'sqlite:conduit.sqlite')`` in a Fastify plugin registered with
    ``{ url: process.env.DATABASE_URL }``, which run.sh does not set: the app runs on the fallback.
    Before, the unknown ``opts.url`` made the whole argument unknown and the database verdict said
    "no code connects to SQLite"."""
    result, report = verdicts(make_repo(tmp_path, _fastify_db_plugin("sqlite:conduit.sqlite")),
                              "node-fastify-openapi-sqlite-sequelize")
    assert result == {"framework": True, "database": True, "orm": True}, [v.reason for v in report.verdicts]
    database = next(v for v in report.verdicts if v.constraint == "database")
    assert "src/plugins/db.js:5" in database.reason, database.reason


def test_a_fastify_plugin_falling_back_to_postgres_is_no_sqlite_app(tmp_path):
    result, report = verdicts(make_repo(tmp_path, _fastify_db_plugin("postgres://localhost:5432/conduit")),
                              "node-fastify-openapi-sqlite-sequelize")
    assert result["database"] is False, [v.reason for v in report.verdicts]
    result, report = verdicts(make_repo(tmp_path / "pg", _fastify_db_plugin("postgres://localhost:5432/conduit")),
                              "node-fastify-openapi-postgres-sequelize")
    assert result["database"] is True, [v.reason for v in report.verdicts]


def test_an_esm_default_exported_config_object_picked_by_node_env(tmp_path):
    """``import config from './config/database.js'`` of ``export default { development: { dialect:
    'sqlite' }, production: { dialect: 'postgres' } }`` and ``new Sequelize(config[env])`` with
    ``env = process.env.NODE_ENV || 'development'``: the app runs on SQLite.  Before, the ESM
    default export of an object literal had no value and the verdict said "no code connects"."""
    files = {
        "package.json": '{"name": "c", "type": "module", "dependencies": {"koa": "^2", "@koa/router": "^12", "sequelize": "^6", "sqlite3": "^5"}}',
        "run.sh": "#!/bin/sh\nnode src/index.js\n",
        "src/config/database.js": """
            export default {
              development: { dialect: 'sqlite', storage: './conduit.sqlite', logging: false },
              production: { dialect: 'postgres', url: process.env.DATABASE_URL },
            };
        """,
        "src/db.js": """
            import { Sequelize, DataTypes } from 'sequelize';
            import config from './config/database.js';

            const env = process.env.NODE_ENV || 'development';
            export const sequelize = new Sequelize(config[env]);
            export const Tag = sequelize.define('Tag', { name: DataTypes.STRING });
        """,
        "src/index.js": """
            import Koa from 'koa';
            import Router from '@koa/router';
            import { sequelize, Tag } from './db.js';

            const app = new Koa();
            const router = new Router();
            router.get('/api/tags', async (ctx) => { ctx.body = { tags: (await Tag.findAll()).map((t) => t.name) }; });
            app.use(router.routes());
            await sequelize.sync();
            app.listen(3000);
        """,
    }
    result, report = verdicts(make_repo(tmp_path / "a", files), "node-koa-openapi-sqlite-sequelize")
    assert result == {"framework": True, "database": True, "orm": True}, [v.reason for v in report.verdicts]
    result, report = verdicts(make_repo(tmp_path / "b", files), "node-koa-openapi-postgres-sequelize")
    assert result["database"] is False, [v.reason for v in report.verdicts]
