"""The semantic model on Python backends: values through helpers, DI and context managers; N+1 and
relationship-loading rules at any call depth; their correct look-alikes stay silent."""

from __future__ import annotations

from helpers import findings, make_repo, report

MODELS = '''
    from sqlalchemy import ForeignKey
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

    class Base(DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        username: Mapped[str]
        articles: Mapped[list["Article"]] = relationship(back_populates="author")

    class Article(Base):
        __tablename__ = "articles"
        id: Mapped[int] = mapped_column(primary_key=True)
        author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
        author: Mapped["User"] = relationship(back_populates="articles")
        comments = relationship("Comment")

    class Comment(Base):
        __tablename__ = "comments"
        id: Mapped[int] = mapped_column(primary_key=True)
        article_id = mapped_column(ForeignKey("articles.id"))
'''

DB = '''
    from sqlalchemy import create_engine
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
    from sqlalchemy.orm import sessionmaker

    engine = create_engine("sqlite:///app.db")
    SessionLocal = sessionmaker(bind=engine)
    async_engine = create_async_engine("sqlite+aiosqlite:///app.db")
    AsyncSessionLocal = async_sessionmaker(async_engine)

    def get_db():
        db = SessionLocal()
        try:
            yield db
        finally:
            db.close()
'''


def _repo(tmp_path, files):
    return make_repo(tmp_path, {"app/models.py": MODELS, "app/db.py": DB, **files})


def test_n_plus_one_through_a_service_and_a_repository_two_modules_away(tmp_path):
    root = _repo(tmp_path, {
        "app/repo.py": '''
            from sqlalchemy import select
            from sqlalchemy.orm import Session
            from app.models import Article, User

            class ArticleRepository:
                def __init__(self, session: Session):
                    self.session = session

                def all(self):
                    return self.session.scalars(select(Article)).all()

                def author_of(self, article):
                    return self.session.get(User, article.author_id)
        ''',
        "app/service.py": '''
            from app.repo import ArticleRepository

            class ArticleService:
                def __init__(self, repo: ArticleRepository):
                    self.repo = repo

                def feed(self):
                    return [self.present(a) for a in self.repo.all()]

                def present(self, article):
                    return {"title": article.id, "author": self.repo.author_of(article).username}
        ''',
    })
    found = report(root)
    n_plus_one = [f for f in found.findings if f.rule == "AL601"]
    assert [(f.path, f.line) for f in n_plus_one] == [("app/service.py", 8)]
    assert [(step.path, step.line) for step in n_plus_one[0].trace] == [("app/service.py", 11), ("app/repo.py", 13)]
    assert "through `self.present`" in n_plus_one[0].message


def test_lazy_relation_per_row_and_its_eager_loaded_look_alike(tmp_path):
    root = _repo(tmp_path, {
        "app/views.py": '''
            from fastapi import APIRouter, Depends
            from sqlalchemy import select
            from sqlalchemy.orm import Session, selectinload
            from app.db import get_db
            from app.models import Article

            router = APIRouter()

            @router.get("/articles")
            def articles(db: Session = Depends(get_db)):
                rows = db.scalars(select(Article)).all()
                return [{"author": row.author.username} for row in rows]

            @router.get("/articles/eager")
            def articles_eager(db: Session = Depends(get_db)):
                rows = db.scalars(select(Article).options(selectinload(Article.author))).all()
                return [{"author": row.author.username} for row in rows]

            @router.get("/articles/first")
            def first_author(db: Session = Depends(get_db)):
                article = db.scalars(select(Article)).first()
                return article.author.username if article else None
        ''',
    })
    assert [(rule, line) for rule, path, line in findings(root) if rule.startswith("AL6")] == [("AL603", 12)]


def test_async_session_lazy_load_is_missing_greenlet_even_through_a_helper(tmp_path):
    root = _repo(tmp_path, {
        "app/handlers.py": '''
            from sqlalchemy import select
            from sqlalchemy.orm import selectinload
            from app.db import AsyncSessionLocal
            from app.models import Article

            def author_name(article):
                return article.author.username

            async def show(article_id: int):
                async with AsyncSessionLocal() as session:
                    article = await session.get(Article, article_id)
                    return author_name(article)

            async def show_eager(article_id: int):
                async with AsyncSessionLocal() as session:
                    stmt = select(Article).options(selectinload(Article.author)).where(Article.id == article_id)
                    article = (await session.scalars(stmt)).one()
                    return author_name(article)
        ''',
    })
    # `session.get` may return None and `author_name` reads it: AL220 at the call (issue 13's unchecked result)
    assert [(rule, path, line) for rule, path, line in findings(root) if rule.startswith("AL2")] == [
        ("AL209", "app/handlers.py", 7), ("AL220", "app/handlers.py", 12),
    ]


def test_detached_instance_after_the_session_block_in_another_function(tmp_path):
    root = _repo(tmp_path, {
        "app/store.py": '''
            from sqlalchemy import select
            from sqlalchemy.orm import Session, selectinload
            from app.db import engine
            from app.models import Article

            def load_articles():
                with Session(engine) as session:
                    return session.scalars(select(Article)).all()

            def load_articles_eager():
                with Session(engine) as session:
                    return session.scalars(select(Article).options(selectinload(Article.author))).all()

            def names():
                return [a.author.username for a in load_articles()]

            def names_eager():
                return [a.author.username for a in load_articles_eager()]

            def inside_block():
                with Session(engine) as session:
                    return [a.author.username for a in session.scalars(select(Article)).all()]
        ''',
    })
    got = [(rule, line) for rule, path, line in findings(root) if rule in ("AL218", "AL603")]
    assert got == [("AL218", 15), ("AL603", 22)]


def test_joined_collection_needs_unique_for_all_but_not_for_first(tmp_path):
    root = _repo(tmp_path, {
        "app/queries.py": '''
            from sqlalchemy import select
            from sqlalchemy.orm import Session, joinedload
            from app.models import Article

            def with_comments(session: Session):
                stmt = select(Article).options(joinedload(Article.comments))
                return session.scalars(stmt).all()

            def first_with_comments(session: Session):
                stmt = select(Article).options(joinedload(Article.comments))
                return session.scalars(stmt).first()

            def unique_with_comments(session: Session):
                stmt = select(Article).options(joinedload(Article.comments))
                return session.scalars(stmt).unique().all()

            def with_author(session: Session):
                return session.scalars(select(Article).options(joinedload(Article.author))).all()
        ''',
    })
    assert [(rule, line) for rule, path, line in findings(root) if rule == "AL208"] == [("AL208", 7)]


def test_loops_over_request_data_and_precomputed_flags_are_not_n_plus_one(tmp_path):
    root = _repo(tmp_path, {
        "app/tags.py": '''
            from sqlalchemy import select
            from sqlalchemy.orm import Session
            from app.models import Article, User

            def save_tags(session: Session, payload: dict):
                for name in payload["tags"]:
                    session.add(User(username=name))
                session.commit()

            def present(session: Session, article, followed=None):
                if followed is not None:
                    following = article.author_id in followed
                else:
                    following = session.get(User, article.author_id) is not None
                return {"id": article.id, "following": following}

            def listing(session: Session):
                rows = session.scalars(select(Article)).all()
                followed = set(session.scalars(select(User.id)).all())
                return [present(session, row, followed) for row in rows]
        ''',
    })
    assert [rule for rule, _path, _line in findings(root) if rule.startswith("AL6")] == []


def test_django_related_managers_prefetch_and_per_row_exists(tmp_path):
    root = make_repo(tmp_path, {
        "blog/models.py": '''
            from django.db import models

            class User(models.Model):
                username = models.CharField(max_length=50)

            class Article(models.Model):
                author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="articles")
                favorited_by = models.ManyToManyField(User, related_name="favorites")
        ''',
        "blog/views.py": '''
            from blog.models import Article

            def favorited(article, user):
                return article.favorited_by.filter(pk=user.pk).exists()

            def listing(request):
                return [{"fav": favorited(a, request.user)} for a in Article.objects.all()]

            def counts(request):
                return [a.favorited_by.count() for a in Article.objects.prefetch_related("favorited_by")]

            def authors(request):
                return [a.author.username for a in Article.objects.all()]

            def authors_joined(request):
                return [a.author.username for a in Article.objects.select_related("author")]
        ''',
    })
    got = [(rule, line) for rule, path, line in findings(root) if rule.startswith("AL6")]
    assert got == [("AL601", 7), ("AL603", 13)]


def test_the_program_model_answers_values_and_nullable_dereferences(tmp_path):
    root = _repo(tmp_path, {
        "app/lookup.py": '''
            from sqlalchemy.orm import Session
            from app.models import Article

            def unchecked(session: Session, pk: int):
                article = session.get(Article, pk)
                return article.author_id

            def checked(session: Session, pk: int):
                article = session.get(Article, pk)
                if not article:
                    return None
                return article.author_id
        ''',
    })
    program = report(root).context.program
    derefs = {a.function.name: [(d.span.line, d.name) for d in a.derefs] for a in program.analyses() if a.path == "app/lookup.py"}
    # keyed by the parameter `pk` itself: the read waits for the call graph (semantics/callers.py)
    for (path, _span), (fid, deref, names) in program.parameter_derefs.items():
        if path == "app/lookup.py":
            derefs[program.function(path, fid).name].append((deref.span.line, deref.name))
            assert names == frozenset({"pk"})
    assert derefs["unchecked"] == [(6, "article")]
    assert derefs["checked"] == []
    models = program.schema.models
    assert models["app/models.py:Article"].relations["comments"].collection is True  # from Comment's foreign key
    assert models["app/models.py:Article"].relations["author"].collection is False


def test_a_client_created_per_request_is_reported_with_the_route_that_reaches_it(tmp_path):
    root = _repo(tmp_path, {
        "app/store.py": '''
            from sqlalchemy import create_engine, text

            def fetch_count(url):
                engine = create_engine(url)
                with engine.connect() as conn:
                    return conn.execute(text("SELECT count(*) FROM articles")).scalar()

            def make_engine(url):
                return create_engine(url)
        ''',
        "app/routes.py": '''
            from flask import Flask
            from app.store import fetch_count, make_engine

            app = Flask(__name__)
            engine = make_engine("sqlite:///app.db")

            @app.get("/api/count")
            def count():
                return {"count": fetch_count("sqlite:///app.db")}
        ''',
    })
    found = [f for f in report(root).findings if f.rule == "AL302"]
    assert [(f.path, f.line) for f in found] == [("app/store.py", 4)]
    assert "per request: handler of GET /api/count" in found[0].message


def test_a_client_memoised_per_key_is_created_once(tmp_path):
    """prefect's ``ENGINES[cache_key] = engine`` after ``if cache_key not in ENGINES``: one engine
    per key for the process, not per call; one kept in a local dict is still per call."""
    root = _repo(tmp_path, {
        "app/store.py": '''
            from sqlalchemy.ext.asyncio import create_async_engine
            from sqlalchemy import text

            ENGINES = {}

            async def engine_for(url):
                if url not in ENGINES:
                    engine = create_async_engine(url, pool_pre_ping=True)
                    ENGINES[url] = engine
                return ENGINES[url]

            async def count(url):
                engines = {}
                engine = create_async_engine(url)
                engines[url] = engine
                async with engine.connect() as conn:
                    return (await conn.execute(text("SELECT count(*) FROM articles"))).scalar()
        ''',
        "app/routes.py": '''
            from fastapi import FastAPI
            from app.store import count, engine_for

            app = FastAPI()

            @app.get("/api/count")
            async def get_count():
                await engine_for("sqlite+aiosqlite:///a.db")
                return {"count": await count("sqlite+aiosqlite:///a.db")}
        ''',
    })
    assert [(f.path, f.line) for f in report(root).findings if f.rule == "AL302"] == [("app/store.py", 14)]


def test_writes_through_a_session_nothing_commits_are_rolled_back(tmp_path):
    root = _repo(tmp_path, {
        "app/deps.py": '''
            from app.db import SessionLocal

            def get_db():
                db = SessionLocal()
                try:
                    yield db
                finally:
                    db.close()

            def get_db_committing():
                db = SessionLocal()
                try:
                    yield db
                    db.commit()
                finally:
                    db.close()
        ''',
        "app/repo.py": '''
            from app.models import User

            class UserRepository:
                def __init__(self, db):
                    self.db = db

                def add(self, name):
                    self.db.add(User(username=name))

                def save(self, name):
                    self.db.add(User(username=name))
                    self.db.commit()
        ''',
        "app/api.py": '''
            from fastapi import APIRouter, Depends
            from sqlalchemy import insert
            from app.db import engine
            from app.deps import get_db, get_db_committing
            from app.models import User
            from app.repo import UserRepository

            router = APIRouter()

            @router.post("/users")
            def register(name: str, db=Depends(get_db)):
                UserRepository(db).add(name)
                return {"ok": True}

            @router.post("/users/committed")
            def register_committed(name: str, db=Depends(get_db)):
                UserRepository(db).save(name)
                return {"ok": True}

            @router.post("/users/provider-commits")
            def register_provider(name: str, db=Depends(get_db_committing)):
                UserRepository(db).add(name)
                return {"ok": True}

            def import_users(names):
                with engine.connect() as conn:
                    conn.execute(insert(User), [{"username": n} for n in names])

            def import_users_committed(names):
                with engine.begin() as conn:
                    conn.execute(insert(User), [{"username": n} for n in names])
        ''',
    })
    found = [(f.path, f.line) for f in report(root).findings if f.rule == "AL206"]
    assert found == [("app/api.py", 27), ("app/repo.py", 8)]


def test_a_value_joined_with_itself_under_other_tags_stays_that_value():
    from archlint.semantics import values as v

    session = v.Db("sqlalchemy", "session", "")
    joined = v.join(v.tag(session, frozenset({"sid:app/database.py:15:10"})), session)
    assert v.strip(joined) == session  # not a one-option Union, which no method call reads
    assert v.tags_of(joined) == frozenset({"sid:app/database.py:15:10"})


def test_a_connection_behind_a_property_and_aiosql_queries_on_the_driver(tmp_path):
    """The FastAPI RealWorld layout: repositories read ``self.connection`` (a ``@property`` over the
    asyncpg connection), named queries come from ``aiosql.from_path(…, "asyncpg")`` imported from a
    module of the same name as its global, and the per-row helper is a method one call away."""
    root = make_repo(tmp_path, {
        "app/__init__.py": "",
        "app/queries/__init__.py": "",
        "app/queries/queries.py": '''
            import aiosql
            queries = aiosql.from_path("app/queries/sql", "asyncpg")
        ''',
        "app/repo.py": '''
            from asyncpg.connection import Connection
            from app.queries.queries import queries

            class Repo:
                def __init__(self, conn: Connection) -> None:
                    self._conn = conn

                @property
                def connection(self) -> Connection:
                    return self._conn

                async def page(self):
                    rows = await self.connection.fetch("SELECT slug FROM articles ORDER BY id LIMIT 20")
                    return [await self.tags(row["slug"]) for row in rows]

                async def page_batched(self):
                    rows = await self.connection.fetch("SELECT slug FROM articles ORDER BY id LIMIT 20")
                    tags = await queries.tags_for_slugs(self.connection, slugs=[row["slug"] for row in rows])
                    return [(row["slug"], tags) for row in rows]

                async def tags(self, slug):
                    return await queries.get_tags_for_article(self.connection, slug=slug)
        ''',
    })
    found = report(root)
    assert [(f.rule, f.path, f.line) for f in found.findings] == [("AL601", "app/repo.py", 14)]
    assert "`get_tags_for_article` query" in found.findings[0].message
    program = found.context.program
    assert program.module_env("app/queries/queries.py")["queries"] [:3] == ("asyncpg", "aiosql_queries", "")


def test_awaitable_attrs_is_a_legal_async_load_but_one_query_per_row(tmp_path):
    """``await row.awaitable_attrs.rel`` (SQLAlchemy's AsyncAttrs) loads the relation without
    MissingGreenlet, so AL209 stays silent — but in a loop over rows it is still a lazy load per
    row (AL603) unless the query eager-loaded it."""
    root = _repo(tmp_path, {
        "app/handlers.py": '''
            from sqlalchemy import select
            from sqlalchemy.orm import selectinload
            from app.db import AsyncSessionLocal
            from app.models import Article

            async def authors():
                async with AsyncSessionLocal() as session:
                    rows = (await session.scalars(select(Article))).all()
                    return [(await row.awaitable_attrs.author).username for row in rows]

            async def authors_eager():
                async with AsyncSessionLocal() as session:
                    rows = (await session.scalars(select(Article).options(selectinload(Article.author)))).all()
                    return [(await row.awaitable_attrs.author).username for row in rows]

            async def one_author(article_id: int):
                async with AsyncSessionLocal() as session:
                    article = await session.get(Article, article_id)
                    if article is None:
                        return None
                    author = await article.awaitable_attrs.author
                    return author.username
        ''',
    })
    assert [(rule, path, line) for rule, path, line in findings(root) if rule[:3] in ("AL2", "AL6")] == [
        ("AL603", "app/handlers.py", 9)
    ]


def test_import_cycles_and_a_setup_module_inside_a_package(tmp_path):
    """indico 3.3: ``indico/cli/setup.py`` (a ``setup`` command, a module of the package) made
    ``indico/cli`` a source root, so ``from watchfiles import watch`` in ``indico/cli/watchfiles.py``
    resolved to that module itself, and evaluating the binding recursed until Python's stack ran
    out — an internal error on the whole run.  Now ``setup.py`` inside a package is no project file,
    and a cycle of re-exports (nothing defines the name) is unknown."""
    root = _repo(tmp_path, {
        "requirements.txt": "sqlalchemy\npsycopg2\n",  # a PostgreSQL project: AL703 resolves every call's callee
        "app/__init__.py": "",
        "app/cli/__init__.py": "",
        "app/cli/setup.py": "def setup():\n    return 'configured'\n",
        "app/cli/watchfiles.py": '''
            import os

            from watchfiles import watch

            from app.cycle_a import helper


            def run():
                for changes in watch(os.getcwd()):
                    print(changes, helper())
                return os.environ.get("DATABASE_URL", "sqlite:///app.db")
        ''',
        "app/cycle_a.py": "from app.cycle_b import helper\n",
        "app/cycle_b.py": "from app.cycle_a import helper\n",
    })
    result = report(root)
    assert not [f for f in result.findings if f.rule in ("AL001", "AL002")]
    graph, program = result.context.graph, result.context.program
    assert graph.resolve_binding("app/cli/watchfiles.py", "watchfiles:watch").external == "watchfiles.watch"
    assert program.module_global("app/cycle_a.py", "helper") == program.module_global("app/cycle_b.py", "helper")


def test_next_over_db_rows_is_a_nullable_row_unless_matched_by_a_stored_key(tmp_path):
    # next((u for u in users if …), None) over a query's rows: None when nothing matches (AL220 on the read);
    # checked, it is silent; matched by a row's foreign key (a batch joined in memory), the row exists
    root = _repo(tmp_path, {
        "app/views.py": '''
            from sqlalchemy import select
            from app.db import SessionLocal
            from app.models import Article, User

            def by_name(name):
                with SessionLocal() as db:
                    users = db.scalars(select(User)).all()
                    user = next((u for u in users if u.username == name), None)
                    return {"username": user.username}

            def by_name_checked(name):
                with SessionLocal() as db:
                    users = db.scalars(select(User)).all()
                    user = next((u for u in users if u.username == name), None)
                    if user is None:
                        raise LookupError(name)
                    return {"username": user.username}

            def batch():
                with SessionLocal() as db:
                    articles = db.scalars(select(Article)).all()
                    users = db.scalars(select(User).where(User.id.in_([a.author_id for a in articles]))).all()
                    out = []
                    for a in articles:
                        author = next((u for u in users if u.id == a.author_id), None)
                        out.append({"title": a.id, "author": author.username})
                    return out

            def plain(name):
                items = [{"name": "a"}]
                item = next((i for i in items if i["name"] == name), None)
                return item["name"]
        ''',
    })
    assert [f for f in findings(root) if f[0] == "AL220"] == [("AL220", "app/views.py", 9)]


def test_dialect_upserts_are_writes_like_plain_inserts(tmp_path):
    """SQLAlchemy's dialect inserts — postgresql/sqlite/mysql ``insert`` (imported by name, under an alias or
    through the dialect module) chained with ``on_conflict_do_update`` / ``on_conflict_do_nothing`` /
    ``on_duplicate_key_update`` — are writes: two of them committed separately fire AL305 as two plain
    ``sqlalchemy.insert`` writes do (prefect's upserts).  Both inside ``async with session.begin():``, and a
    local function or ``bisect.insort`` named like an insert, stay silent.  A project
    wrapper returning the dialect insert (``db.insert(Model)``) is one too."""
    root = _repo(tmp_path, {
        "app/api.py": '''
            import bisect

            from fastapi import APIRouter
            from sqlalchemy import insert as sa_insert
            from sqlalchemy.dialects import mysql, postgresql
            from sqlalchemy.dialects.postgresql import insert
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert
            from app.db import AsyncSessionLocal
            from app.models import Comment, User

            router = APIRouter()

            def insort(items, item):
                items.append(item)

            @router.post("/plain")
            async def plain(name: str):
                async with AsyncSessionLocal() as session:
                    await session.execute(sa_insert(User).values(username=name))
                    await session.commit()
                    await session.execute(sa_insert(Comment).values(article_id=1))
                    await session.commit()

            @router.post("/pg")
            async def pg(name: str):
                async with AsyncSessionLocal() as session:
                    stmt = insert(User).values(username=name).on_conflict_do_update(
                        index_elements=[User.username], set_={"username": name})
                    await session.execute(stmt)
                    await session.commit()
                    await session.execute(insert(Comment).values(article_id=1).on_conflict_do_nothing())
                    await session.commit()

            @router.post("/sqlite")
            async def lite(name: str):
                async with AsyncSessionLocal() as session:
                    await session.execute(sqlite_insert(User).values(username=name).on_conflict_do_nothing())
                    await session.commit()
                    await session.execute(mysql.insert(Comment).values(article_id=1).on_duplicate_key_update(article_id=1))
                    await session.commit()

            @router.post("/atomic")
            async def atomic(name: str):
                async with AsyncSessionLocal() as session:
                    async with session.begin():
                        await session.execute(postgresql.insert(User).values(username=name).on_conflict_do_nothing())
                        await session.execute(postgresql.insert(Comment).values(article_id=1).on_conflict_do_nothing())

            @router.post("/lookalike")
            async def lookalike(name: str):
                names = []
                async with AsyncSessionLocal() as session:
                    bisect.insort(names, name)
                    insort(names, name)
                    await session.commit()
                    insort(names, name)
                    await session.commit()
                return names
        ''',
        "app/local.py": '''
            from fastapi import APIRouter
            from app.db import AsyncSessionLocal

            router = APIRouter()

            def insert(rows, row):
                rows.append(row)
                return rows

            @router.post("/local")
            async def local(name: str):
                rows = []
                async with AsyncSessionLocal() as session:
                    insert(rows, name)
                    await session.commit()
                    insert(rows, name)
                    await session.commit()
                return rows
        ''',
        "app/dbutil.py": '''
            from sqlalchemy.dialects import postgresql

            class Database:
                def insert(self, model):
                    return postgresql.insert(model)

            db = Database()
        ''',
        "app/wrapped.py": '''
            from fastapi import APIRouter
            from app.db import AsyncSessionLocal
            from app.dbutil import db
            from app.models import Comment, User

            router = APIRouter()

            @router.post("/wrapped")
            async def wrapped(name: str):
                async with AsyncSessionLocal() as session:
                    await session.execute(db.insert(User).values(username=name).on_conflict_do_nothing())
                    await session.commit()
                    await session.execute(db.insert(Comment).values(article_id=1).on_conflict_do_nothing())
                    await session.commit()
        ''',
    })
    assert [f for f in findings(root) if f[0] == "AL305"] == [
        ("AL305", "app/api.py", 19), ("AL305", "app/api.py", 29), ("AL305", "app/api.py", 37),
        ("AL305", "app/wrapped.py", 11)]
