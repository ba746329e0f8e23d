"""Rules about a call's arguments read the IR call (keywords, names, object-literal keys, string
literals), never the argument text: an option spread over lines counts, a string that only
mentions it does not."""

from __future__ import annotations

from helpers import make_repo, report

from archlint.checks.sql.schema import build_schema
from archlint.domain.sql import detect_database, sql_knowledge
from archlint.domain.stack import schema_creation

KNEX_PACKAGE = '{"name": "api", "dependencies": {"knex": "^3.1.0", "pg": "^8.11.0", "express": "^4.19.0"}}'


def _options(root) -> list[tuple[str, str]]:
    ctx = report(root).context
    choice = detect_database(ctx.files, ctx.graph, ctx.manifest, sql_knowledge(ctx.knowledge))
    return [(e.database, e.detail) for e in choice.evidence if e.kind == "option"]


def test_a_connection_option_in_an_object_literal_is_evidence(tmp_path):
    make_repo(tmp_path, {
        "package.json": KNEX_PACKAGE,
        "src/db.js": """
            const knex = require('knex');
            module.exports = knex({
              client: 'pg',
              connection: process.env.DATABASE_URL,
              pool: { min: 0, max: 10 },
            });
        """,
    })
    assert _options(tmp_path) == [("postgresql", "pg")]


def test_an_option_named_in_a_string_or_a_non_database_value_is_not(tmp_path):
    make_repo(tmp_path, {
        "package.json": KNEX_PACKAGE,
        "src/db.js": """
            const knex = require('knex');
            console.log("configure knex with client: 'pg' or client: 'mysql2'");
            res.json({ type: 'message', text: 'hello' });
            module.exports = knex(require('./knexfile'));
        """,
    })
    assert _options(tmp_path) == []


def _closed(root) -> bool:
    ctx = report(root).context
    paths = sorted(p for p in ctx.files if p.endswith(".py"))
    return build_schema(ctx, paths, "sqlite", ctx.projects.of(paths[0])).closed


CORE_TABLES = """
    from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine

    engine = create_engine("sqlite:///app.db")
    metadata = MetaData()
    users = Table("users", metadata, Column("id", Integer, primary_key=True), Column("name", String))
"""


def test_reflection_keyword_opens_the_schema(tmp_path):
    make_repo(tmp_path, {"app/db.py": CORE_TABLES + """
    legacy = Table(
        "legacy_orders",
        metadata,
        autoload_with=engine,
    )
    """})
    assert _closed(tmp_path) is False


def test_reflection_named_only_in_a_string_leaves_the_schema_closed(tmp_path):
    make_repo(tmp_path, {"app/db.py": CORE_TABLES + """
    print("tables are declared here, not loaded with autoload_with=engine or metadata.reflect()")
    """})
    assert _closed(tmp_path) is True


def test_a_reflect_callback_passed_to_run_sync_opens_the_schema(tmp_path):
    make_repo(tmp_path, {"app/db.py": CORE_TABLES + """
    async def load(conn):
        await conn.run_sync(lambda sync_conn: metadata.reflect(sync_conn))
    """})
    assert _closed(tmp_path) is False


FASTAPI_MODELS = """
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    engine = create_async_engine("sqlite+aiosqlite:///./app.db")

    class Base(DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "items"
        id: Mapped[int] = mapped_column(primary_key=True)
"""


def test_create_all_passed_to_run_sync_is_schema_creation(tmp_path):
    make_repo(tmp_path, {"app/db.py": FASTAPI_MODELS + """
    async def init_models():
        async with engine.begin() as conn:
            await conn.run_sync(
                Base.metadata.create_all
            )
    """})
    evidence = schema_creation(report(tmp_path).context)
    assert evidence is not None and evidence.path == "app/db.py"


def test_create_all_named_in_a_log_message_is_not(tmp_path):
    make_repo(tmp_path, {"app/db.py": FASTAPI_MODELS + """
    import logging

    def init_models():
        logging.getLogger(__name__).info("run alembic upgrade head; this app never calls create_all")
    """})
    assert schema_creation(report(tmp_path).context) is None


SEQUELIZE_PACKAGE = '{"name": "api", "dependencies": {"sequelize": "^6.37.0", "pg": "^8.11.0"}}'


def test_sequelize_init_define_and_associations_from_the_call(tmp_path):
    make_repo(tmp_path, {
        "package.json": SEQUELIZE_PACKAGE,
        "src/models.js": """
            const { Sequelize, DataTypes, Model } = require('sequelize');
            const db = new Sequelize(process.env.DATABASE_URL);
            class User extends Model {}
            User.init(
              { name: DataTypes.STRING },
              {
                sequelize: db,
                tableName: 'users',
              },
            );
            const Post = db.define(`Post`, { title: DataTypes.STRING });
            User.hasMany(Post, {
              as: 'posts',
              foreignKey: 'authorId',
            });
            module.exports = { User, Post };
        """,
    })
    models = report(tmp_path).context.datalayer.models
    assert models["User"].stack == "sequelize" and models["Post"].stack == "sequelize"
    association = models["User"].fields["hasMany:Post:posts"]
    assert (association.target, association.options["foreignKey"]) == ("Post", "authorId")


def test_an_init_that_only_mentions_sequelize_in_a_string_is_no_model(tmp_path):
    make_repo(tmp_path, {
        "package.json": SEQUELIZE_PACKAGE,
        "src/cache.js": """
            const { Sequelize } = require('sequelize');
            const db = new Sequelize(process.env.DATABASE_URL);
            const Cache = require('./cache-store');
            Cache.init({ namespace: 'sequelize-query-cache', ttl: 60 });
            module.exports = { db, Cache };
        """,
    })
    assert "Cache" not in report(tmp_path).context.datalayer.models


def test_relationship_options_come_from_the_call_keywords(tmp_path):
    make_repo(tmp_path, {"app/models.py": """
        from sqlalchemy import Column, ForeignKey, Integer
        from sqlalchemy.orm import backref, declarative_base, relationship

        Base = declarative_base()

        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
            posts = relationship(
                "Post",
                backref=backref("author", lazy="dynamic"),
                lazy="selectin",
            )
            profiles = relationship("Profile", uselist=False, doc="one profile per user")

        class Post(Base):
            __tablename__ = "posts"
            id = Column(Integer, primary_key=True)
            author_id = Column(Integer, ForeignKey("users.id"))
    """})
    user = report(tmp_path).context.datalayer.models["User"]
    posts, profiles = user.fields["posts"], user.fields["profiles"]
    # backref("author", …) names the attribute it adds to Post (AL210 reads it)
    assert (posts.target, posts.options) == ("Post", {"backref": "author", "lazy": "selectin", "collection": "guess"})
    assert (profiles.target, profiles.options) == ("Profile", {})  # uselist=False: one row, whatever the name says
    assert user.table == "users"



def test_sql_built_by_a_call_is_that_call_s_site_not_the_execute_s(tmp_path):
    """``session.execute(text("…").bindparams(…))``: the SQL is the inner ``text()`` call's; a
    value that is not built by a call (``rows[0]``, ``new Query()``) keeps the outer site."""
    make_repo(tmp_path, {"app/repo.py": """
        from sqlalchemy import text
        from sqlalchemy.orm import Session

        def by_name(session: Session, name: str):
            return session.execute(
                text("SELECT id FROM users WHERE name = :name").bindparams(name=name)
            ).all()

        def rerun(session: Session, saved: list):
            return session.execute(saved[0]).all()
    """})
    ctx = report(tmp_path).context
    from archlint.domain.sql import sql_knowledge
    from archlint.domain.sql.sites import sql_sites

    sites = sql_sites(ctx.files, ["app/repo.py"], ctx.datalayer, ctx.graph, sql_knowledge(ctx.knowledge), "sqlite")
    expressions = sorted((site.call.callee, site.expression) for site in sites)
    assert ("session.execute", "saved[0]") in expressions
    assert not any(callee == "session.execute" and expression.startswith("text(") for callee, expression in expressions)
