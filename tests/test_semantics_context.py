"""Framework context namespaces: a DB handle stored by a hook, a middleware or a helper in Flask/Quart
``g``, the aiohttp application mapping, Starlette ``app.state`` / ``request.state`` (or a lifespan state
dict) and read back in handlers is the same handle — a per-row query through it is an N+1.  What
nobody stores stays unknown, and so does a row kept in ``g`` (not a handle: never "maybe None" in the
views that read it).  The slots are the ones the JS frameworks use (``Program.context_values``)."""

from __future__ import annotations

from helpers import make_repo, report


def rules(root, *wanted):
    return sorted((f.rule, f.path, f.line) for f in report(root).findings if f.rule in wanted)


def test_flask_g_connection_from_a_helper_and_a_before_request_hook(tmp_path):
    root = make_repo(tmp_path, {
        "app/db.py": '''
            import sqlite3
            from flask import g

            def get_db():
                if "db" not in g:
                    g.db = sqlite3.connect("app.db")
                    g.db.row_factory = sqlite3.Row
                return g.db
        ''',
        "app/hooks.py": '''
            import sqlite3
            from flask import g

            def open_db():
                g.conn = sqlite3.connect("app.db")
        ''',
        "app/views.py": '''
            from flask import Blueprint, g, jsonify
            from app.db import get_db

            bp = Blueprint("articles", __name__)

            def author_of(author_id):
                return get_db().execute("SELECT username FROM users WHERE id = ?", (author_id,)).fetchone()

            @bp.route("/articles")
            def list_articles():
                rows = get_db().execute("SELECT id, author_id FROM articles ORDER BY id LIMIT 20").fetchall()
                return jsonify([author_of(row["author_id"]) for row in rows])

            @bp.route("/tags")
            def list_tags():
                rows = g.conn.execute("SELECT id FROM articles ORDER BY id LIMIT 20").fetchall()
                return jsonify([g.conn.execute("SELECT tag FROM tags WHERE article_id = ?", (r[0],)).fetchall() for r in rows])

            @bp.route("/unknown")
            def list_unknown():
                rows = get_db().execute("SELECT id FROM articles ORDER BY id LIMIT 20").fetchall()
                return jsonify([g.cache.lookup(r[0]) for r in rows])
        ''',
        "app/__init__.py": '''
            from flask import Flask
            from app.hooks import open_db
            from app.views import bp

            def create_app():
                app = Flask(__name__)
                app.before_request(open_db)
                app.register_blueprint(bp)
                return app
        ''',
    })
    assert rules(root, "AL601") == [("AL601", "app/views.py", 12), ("AL601", "app/views.py", 17)]


def test_flask_g_user_row_is_not_maybe_none_in_views(tmp_path):
    root = make_repo(tmp_path, {
        "app.py": '''
            from flask import Flask, g, jsonify, session
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()
            app = Flask(__name__)
            db.init_app(app)

            class User(db.Model):
                id = db.Column(db.Integer, primary_key=True)
                username = db.Column(db.String(50))

            @app.before_request
            def load_user():
                user_id = session.get("user_id")
                g.user = db.session.get(User, user_id) if user_id else None

            @app.route("/me")
            def me():
                return jsonify({"name": g.user.username})
        ''',
    })
    assert rules(root, "AL220") == []


def test_flask_current_app_extensions_sqlalchemy(tmp_path):
    root = make_repo(tmp_path, {
        "app.py": '''
            from flask import Flask, current_app, jsonify
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()

            class User(db.Model):
                id = db.Column(db.Integer, primary_key=True)

            class Article(db.Model):
                id = db.Column(db.Integer, primary_key=True)
                author_id = db.Column(db.Integer, db.ForeignKey("user.id"))

            def create_app():
                app = Flask(__name__)
                db.init_app(app)
                app.add_url_rule("/articles", view_func=list_articles)
                return app

            def list_articles():
                session = current_app.extensions["sqlalchemy"].session
                articles = session.execute(db.select(Article).limit(20)).scalars().all()
                return jsonify([session.get(User, a.author_id) is not None for a in articles])
        ''',
    })
    assert rules(root, "AL601") == [("AL601", "app.py", 22)]


def test_aiohttp_app_key_hooks_and_class_views(tmp_path):
    root = make_repo(tmp_path, {
        "app/db.py": '''
            import aiosqlite
            import asyncpg
            from aiohttp import web

            pool_key = web.AppKey("pool", asyncpg.Pool)

            async def pg_ctx(app):
                app[pool_key] = await asyncpg.create_pool(dsn="postgresql://localhost/app")
                yield
                await app[pool_key].close()

            async def open_sqlite(app):
                app["sqlite"] = await aiosqlite.connect("app.db")
        ''',
        "app/views.py": '''
            from aiohttp import web
            from app.db import pool_key

            async def list_articles(request):
                rows = await request.config_dict[pool_key].fetch("SELECT id FROM articles ORDER BY id LIMIT 20")
                out = []
                for row in rows:
                    async with request.app[pool_key].acquire() as conn:
                        out.append(await conn.fetchval("SELECT count(*) FROM tags WHERE article_id = $1", row["id"]))
                return web.json_response(out)

            async def list_other(request):
                rows = await request.app["nobody"].fetch("SELECT id FROM articles ORDER BY id LIMIT 20")
                return web.json_response([await request.app["nobody"].fetch("SELECT 1 WHERE $1", r["id"]) for r in rows])

            class TagsView(web.View):
                async def get(self):
                    db = self.request.app["sqlite"]
                    cur = await db.execute("SELECT id FROM articles ORDER BY id LIMIT 20")
                    out = []
                    for row in await cur.fetchall():
                        c2 = await db.execute("SELECT tag FROM tags WHERE article_id = ?", (row[0],))
                        out.append(await c2.fetchall())
                    return web.json_response(out)
        ''',
        "app/main.py": '''
            from aiohttp import web
            from app.db import open_sqlite, pg_ctx
            from app.views import TagsView, list_articles, list_other

            def make_app():
                app = web.Application()
                app.cleanup_ctx.append(pg_ctx)
                app.on_startup.append(open_sqlite)
                app.router.add_get("/articles", list_articles)
                app.router.add_get("/other", list_other)
                app.router.add_view("/tags", TagsView)
                return app
        ''',
    })
    assert rules(root, "AL601") == [("AL601", "app/views.py", 9), ("AL601", "app/views.py", 22)]


def test_starlette_app_state_request_state_and_lifespan_state(tmp_path):
    root = make_repo(tmp_path, {
        "models.py": '''
            from sqlalchemy import ForeignKey
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

            class Base(DeclarativeBase):
                pass

            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)

            class Article(Base):
                __tablename__ = "articles"
                id: Mapped[int] = mapped_column(primary_key=True)
                author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
        ''',
        "state_app.py": '''
            from contextlib import asynccontextmanager
            import asyncpg
            from fastapi import FastAPI, Request

            @asynccontextmanager
            async def lifespan(app: FastAPI):
                app.state.pool = await asyncpg.create_pool(dsn="postgresql://localhost/app")
                yield
                await app.state.pool.close()

            app = FastAPI(lifespan=lifespan)

            async def author_of(pool, author_id):
                return await pool.fetchrow("SELECT id FROM users WHERE id = $1", author_id)

            @app.get("/articles")
            async def list_articles(request: Request):
                pool = request.app.state.pool
                rows = await pool.fetch("SELECT id, author_id FROM articles ORDER BY id LIMIT 20")
                return [await author_of(pool, r["author_id"]) for r in rows]
        ''',
        "yield_app.py": '''
            from contextlib import asynccontextmanager
            import asyncpg
            from fastapi import FastAPI, Request

            @asynccontextmanager
            async def lifespan(app: FastAPI):
                async with asyncpg.create_pool(dsn="postgresql://localhost/app") as pool:
                    yield {"pool": pool}

            app = FastAPI(lifespan=lifespan)

            @app.get("/articles")
            async def list_articles(request: Request):
                rows = await request.state.pool.fetch("SELECT id, author_id FROM articles ORDER BY id LIMIT 20")
                return [await request.state.pool.fetchrow("SELECT id FROM users WHERE id = $1", r["author_id"]) for r in rows]
        ''',
        "middleware_app.py": '''
            from fastapi import FastAPI, Request
            from sqlalchemy import create_engine, select
            from sqlalchemy.orm import sessionmaker
            from models import Article, User

            SessionLocal = sessionmaker(bind=create_engine("sqlite:///app.db"))
            app = FastAPI()

            @app.middleware("http")
            async def db_session(request: Request, call_next):
                request.state.db = SessionLocal()
                try:
                    return await call_next(request)
                finally:
                    request.state.db.close()

            @app.get("/articles")
            def list_articles(request: Request):
                db = request.state.db
                articles = db.scalars(select(Article).limit(20)).all()
                return [db.get(User, a.author_id) is not None for a in articles]
        ''',
    })
    assert rules(root, "AL601") == [("AL601", "middleware_app.py", 21), ("AL601", "state_app.py", 20), ("AL601", "yield_app.py", 15)]


def test_fastapi_realworld_start_up_handler_with_an_annotated_app(tmp_path):
    """The fastapi-realworld-example-app wiring: `connect_to_db(app: FastAPI)` stores the pool on
    `app.state`, run by a start-up handler made by a factory; repositories get a connection through a
    `Depends` chain that starts at `request.app.state.pool`."""
    root = make_repo(tmp_path, {
        "app/db/events.py": '''
            import asyncpg
            from fastapi import FastAPI

            async def connect_to_db(app: FastAPI, settings) -> None:
                app.state.pool = await asyncpg.create_pool(str(settings.database_url), min_size=1, max_size=10)
        ''',
        "app/events.py": '''
            from fastapi import FastAPI
            from app.db.events import connect_to_db

            def create_start_app_handler(app: FastAPI, settings):
                async def start_app() -> None:
                    await connect_to_db(app, settings)
                return start_app
        ''',
        "app/api/deps.py": '''
            from fastapi import Depends
            from starlette.requests import Request

            def _get_db_pool(request: Request):
                return request.app.state.pool

            async def _get_connection_from_pool(pool=Depends(_get_db_pool)):
                async with pool.acquire() as conn:
                    yield conn

            class ArticlesRepository:
                def __init__(self, conn) -> None:
                    self._conn = conn

                async def list(self):
                    return await self._conn.fetch("SELECT id FROM articles ORDER BY id LIMIT 20")

                async def tags_for(self, article_id):
                    return await self._conn.fetch("SELECT tag FROM article_tags WHERE article_id = $1", article_id)

            def get_repository(repo_type):
                def _get_repo(conn=Depends(_get_connection_from_pool)):
                    return repo_type(conn)
                return _get_repo
        ''',
        "app/api/articles.py": '''
            from fastapi import APIRouter, Depends
            from app.api.deps import ArticlesRepository, get_repository

            router = APIRouter()

            @router.get("/articles")
            async def list_articles(repo: ArticlesRepository = Depends(get_repository(ArticlesRepository))):
                rows = await repo.list()
                return [{"id": r["id"], "tags": await repo.tags_for(r["id"])} for r in rows]
        ''',
        "app/main.py": '''
            from fastapi import FastAPI
            from app.api import articles
            from app.events import create_start_app_handler

            def get_application() -> FastAPI:
                application = FastAPI()
                application.add_event_handler("startup", create_start_app_handler(application, None))
                application.include_router(articles.router, prefix="/api")
                return application

            app = get_application()
        ''',
    })
    assert rules(root, "AL601") == [("AL601", "app/api/articles.py", 9)]


def test_flask_docs_get_db_with_getattr_and_a_query_db_helper(tmp_path):
    """The "Using SQLite 3 with Flask" pattern: `getattr(g, "_database", None)`, a chained assignment
    `db = g._database = sqlite3.connect(...)`, and a `query_db()` helper used in the loop."""
    root = make_repo(tmp_path, {
        "app.py": '''
            import sqlite3
            from flask import Flask, g, jsonify

            app = Flask(__name__)

            def get_db():
                db = getattr(g, "_database", None)
                if db is None:
                    db = g._database = sqlite3.connect("app.db")
                return db

            def query_db(query, args=(), one=False):
                cur = get_db().execute(query, args)
                rv = cur.fetchall()
                return (rv[0] if rv else None) if one else rv

            @app.route("/articles")
            def list_articles():
                out = []
                for article in query_db("SELECT id, author_id FROM articles ORDER BY id LIMIT 20"):
                    out.append(query_db("SELECT username FROM users WHERE id = ?", [article[1]], one=True))
                return jsonify(out)

            @app.route("/tags")
            def list_tags():
                rows = query_db("SELECT id FROM articles ORDER BY id LIMIT 20")
                return jsonify([getattr(g, "cache", None) for r in rows])
        ''',
    })
    assert rules(root, "AL601") == [("AL601", "app.py", 21)]


def test_starlette_request_state_is_one_slot_whichever_request_class_a_module_imports(tmp_path):
    """A Starlette ``BaseHTTPMiddleware`` stores the session; the FastAPI handlers read it through
    ``fastapi.Request``: FastAPI's ``request.state`` is Starlette's, one slot of the project-wide
    table.  A handler reading a key nobody stored (``request.state.session``) gets nothing."""
    root = make_repo(tmp_path, {
        "models.py": '''
            from sqlalchemy import ForeignKey
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

            class Base(DeclarativeBase):
                pass

            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)

            class Article(Base):
                __tablename__ = "articles"
                id: Mapped[int] = mapped_column(primary_key=True)
                author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
        ''',
        "middleware.py": '''
            from sqlalchemy import create_engine
            from sqlalchemy.orm import sessionmaker
            from starlette.middleware.base import BaseHTTPMiddleware
            from starlette.requests import Request

            SessionLocal = sessionmaker(bind=create_engine("sqlite:///app.db"))

            class DbSession(BaseHTTPMiddleware):
                async def dispatch(self, request: Request, call_next):
                    request.state.db = SessionLocal()
                    try:
                        return await call_next(request)
                    finally:
                        request.state.db.close()
        ''',
        "main.py": '''
            from fastapi import FastAPI, Request
            from sqlalchemy import select
            from middleware import DbSession
            from models import Article, User

            app = FastAPI()
            app.add_middleware(DbSession)

            @app.get("/articles")
            def list_articles(request: Request):
                db = request.state.db
                articles = db.scalars(select(Article).limit(20)).all()
                return [db.get(User, a.author_id) is not None for a in articles]

            @app.get("/others")
            def list_others(request: Request):
                db = request.state.session
                articles = db.scalars(select(Article).limit(20)).all()
                return [db.get(User, a.author_id) is not None for a in articles]
        ''',
    })
    assert rules(root, "AL601") == [("AL601", "main.py", 13)]


def test_flask_g_slot_also_written_with_a_non_handle_object_is_not_a_handle(tmp_path):
    """``g.db`` is a sqlite3 connection, or a stub object in demo mode: a per-row ``g.db.execute``
    is not known to be a query.  ``g.conn``, only ever the connection, still is."""
    root = make_repo(tmp_path, {
        "app.py": '''
            import os
            import sqlite3
            from flask import Flask, g, jsonify

            app = Flask(__name__)

            class DemoConnection:
                def execute(self, sql, params=()):
                    return []

            @app.before_request
            def open_db():
                g.conn = sqlite3.connect("app.db")
                if os.environ.get("DEMO"):
                    g.db = DemoConnection()
                else:
                    g.db = sqlite3.connect("app.db")

            @app.route("/articles")
            def list_articles():
                rows = g.conn.execute("SELECT id, author_id FROM articles ORDER BY id LIMIT 20").fetchall()
                authors = [g.db.execute("SELECT name FROM users WHERE id = ?", (r[1],)).fetchone() for r in rows]
                editors = [g.conn.execute("SELECT name FROM users WHERE id = ?", (r[1],)).fetchone() for r in rows]
                return jsonify(authors + editors)
        ''',
    })
    assert rules(root, "AL601") == [("AL601", "app.py", 23)]


SANIC_APP = '''
    from sanic import Blueprint, Sanic, json
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from app.models import Article

    app = Sanic("conduit")
    bp = Blueprint("articles")

    @app.listener("before_server_start")
    async def setup_db(app, _loop):
        app.ctx.sessionmaker = async_sessionmaker(create_async_engine("postgresql+asyncpg://db/x"))

    @app.middleware("request")
    async def open_session(request):
        request.ctx.session = request.app.ctx.sessionmaker()

    @app.middleware("response")
    async def close_session(request, response):
        RESPONSE_HOOK

    @bp.get("/articles")
    async def list_articles(request):
        rows = (await request.ctx.session.scalars(select(Article))).all()
        return json([(await request.ctx.session.get(Article, a.id)).slug for a in rows])

    @bp.post("/articles")
    async def create_article(request):
        request.ctx.session.add(Article(slug=request.json["slug"]))
        return json({}, status=201)

    app.blueprint(bp)
'''
SANIC_MODELS = '''
    from sqlalchemy import String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Article(Base):
        __tablename__ = "articles"
        id: Mapped[int] = mapped_column(primary_key=True)
        slug: Mapped[str] = mapped_column(String(80))
'''


def test_sanic_request_ctx_session_from_app_ctx_factory(tmp_path):
    # request.ctx.session opened in a request middleware from the factory a listener stored in app.ctx: the
    # handler's session is that AsyncSession (a per-row `get` is an N+1), and a write nothing commits is lost
    closes = SANIC_APP.replace("RESPONSE_HOOK", "await request.ctx.session.close()")
    found = rules(make_repo(tmp_path / "closes", {"app/__init__.py": "", "app/models.py": SANIC_MODELS, "app/main.py": closes}),
                  "AL206", "AL601")
    assert found == [("AL206", "app/main.py", 29), ("AL601", "app/main.py", 25)]
    commits = SANIC_APP.replace("RESPONSE_HOOK", "await request.ctx.session.commit()\n        await request.ctx.session.close()")
    found = rules(make_repo(tmp_path / "commits", {"app/__init__.py": "", "app/models.py": SANIC_MODELS, "app/main.py": commits}),
                  "AL206", "AL601")
    assert found == [("AL601", "app/main.py", 26)]  # one line further down: the hook grew one


def test_sanic_hooks_registered_in_an_app_factory(tmp_path):
    # the hooks are nested in create_app() on its local `app = Sanic(…)`; the routes on a module-level blueprint
    views = '''
        from sanic import Blueprint, json
        from app.models import Article

        bp = Blueprint("articles")

        @bp.post("/articles")
        async def create_article(request):
            request.ctx.session.add(Article(slug=request.json["slug"]))
            return json({}, status=201)
    '''
    factory = '''
        from sanic import Sanic
        from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
        from app.views import bp

        def create_app():
            app = Sanic("conduit")

            @app.before_server_start
            async def setup_db(app, _loop):
                app.ctx.sessionmaker = async_sessionmaker(create_async_engine("postgresql+asyncpg://db/x"))

            @app.on_request
            async def open_session(request):
                request.ctx.session = request.app.ctx.sessionmaker()

            @app.on_response
            async def close_session(request, response):
                RESPONSE_HOOK

            app.blueprint(bp)
            return app
    '''
    files = {"app/__init__.py": "", "app/models.py": SANIC_MODELS, "app/views.py": views}
    closes = dict(files, **{"app/main.py": factory.replace("RESPONSE_HOOK", "await request.ctx.session.close()")})
    assert rules(make_repo(tmp_path / "closes", closes), "AL206") == [("AL206", "app/views.py", 8)]
    commits = dict(files, **{"app/main.py": factory.replace("RESPONSE_HOOK", "await request.ctx.session.commit()")})
    assert rules(make_repo(tmp_path / "commits", commits), "AL206") == []
