"""The s55 agent-style pairs (issue 12): Conduit under Clean Architecture in shapes the earlier fixtures do not
have — Koa over Sequelize wired by hand (`new ArticleRepository(models)` into `constructor({ Article, User })`,
services with JS private methods `#present`), FastAPI over async SQLAlchemy with repositories and services built by
`Annotated[…, Depends(…)]` providers, and Flask over SQLAlchemy 2 with a session factory, a unit of work whose
`__exit__` closes the session, and use-case classes; Fastify over Sequelize in TypeScript with `fastify.db` and
`fastify.services` decorated by `fastify-plugin` plugins and `Model.init` classes.  `archlint verify` must give every verdict right on both twins,
the ORM verdict included.  The focused test pins the cause the Flask pair exposed: rows loaded inside
`with self.uow as uow:` are detached when the block ends (the unit of work's exit closes its session), so a lazy
relation read on a row the use case returned is a DetachedInstanceError (AL218)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archlint.application.pipeline import Options
from archlint.application.verify import Constraints, parse_task, run_verify
from helpers import findings, make_repo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ALL = {"framework": True, "architecture": True, "database": True, "orm": True}

CASES = [
    # each bugs twin queries past its services (raw SQL / a session in a route): the architecture fails there
    ("agent-koa-manual-di", "node-koa-openapi-clean_architecture-sqlite-sequelize", "sqlalchemy"),
    ("agent-fastapi-annotated-repos", "uv-fastapi-openapi-clean_architecture-postgres-sqlalchemy", "sequelize"),
    ("agent-flask-uow-usecases", "uv-flask-openapi-clean_architecture-sqlite-sqlalchemy", "sequelize"),
    ("agent-fastify-ts-decorated-services", "node-fastify-openapi-clean_architecture-postgres-sequelize", "sqlalchemy"),
    # the database plugin at infrastructure/database/plugin.ts is wiring; the bugs twin fails on a route-serving
    # plugin and a FastifyRequest-taking repository in that layer (AL103)
    ("agent-fastify-ts-infra-plugin", "node-fastify-openapi-clean_architecture-postgres-sequelize", "sqlalchemy"),
]


@pytest.mark.parametrize("name, task, other_orm", CASES, ids=[case[0] for case in CASES])
def test_both_twins_get_the_right_verdicts(name, task, other_orm):
    parsed = parse_task(task)
    for variant, expected in (("bugs", {**ALL, "architecture": False}), ("correct", ALL)):
        root = str(FIXTURES / f"{name}-{variant}")
        result = run_verify(root, parsed, options=Options(use_cache=False))
        got = {verdict.constraint: verdict.compliant for verdict in result.verdicts}
        assert got == expected, (variant, [verdict.reason for verdict in result.verdicts])
        orm = run_verify(root, Constraints(orm=other_orm), options=Options(use_cache=False))
        assert {verdict.constraint: verdict.compliant for verdict in orm.verdicts} == {"orm": False}, variant


# The shape of fixtures/agent-flask-uow-usecases-bugs (conduit/infrastructure/unit_of_work.py and
# conduit/application/use_cases/articles.py `GetArticle`): a unit of work opening a session in `__enter__`
# and closing it in `__exit__`, a use case returning the row from inside the block, a route reading a lazy relation.
_UOW = {
    "requirements.txt": "flask\nsqlalchemy\n",
    "app/models.py": """
        from sqlalchemy import ForeignKey, String
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

        class Base(DeclarativeBase):
            pass

        class User(Base):
            __tablename__ = "users"
            id: Mapped[int] = mapped_column(primary_key=True)
            username: Mapped[str] = mapped_column(String(80))

        class Article(Base):
            __tablename__ = "articles"
            id: Mapped[int] = mapped_column(primary_key=True)
            slug: Mapped[str] = mapped_column(String(80))
            author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
            author: Mapped[User] = relationship()
    """,
    "app/db.py": """
        from contextlib import contextmanager

        from sqlalchemy import create_engine, select
        from sqlalchemy.orm import joinedload, sessionmaker

        from app.models import Article

        engine = create_engine("sqlite:///app.db")
        SessionFactory = sessionmaker(bind=engine, expire_on_commit=False)

        class ArticleRepository:
            def __init__(self, session):
                self.session = session

            def by_slug(self, slug):
                return self.session.scalars(select(Article).where(Article.slug == slug)).one()

            def by_slug_with_author(self, slug):
                stmt = select(Article).options(joinedload(Article.author)).where(Article.slug == slug)
                return self.session.scalars(stmt).one()

        class UnitOfWork:
            def __init__(self, session_factory=SessionFactory):
                self.session_factory = session_factory

            def __enter__(self):
                self.session = self.session_factory()
                self.articles = ArticleRepository(self.session)
                return self

            def __exit__(self, exc_type, exc, tb):
                if exc_type is not None:
                    self.session.rollback()
                self.session.close()

            def commit(self):
                self.session.commit()

        class Work:
            def __init__(self, session):
                self.session = session
                self.articles = ArticleRepository(session)

        @contextmanager
        def unit_of_work():
            session = SessionFactory()
            try:
                yield Work(session)
                session.commit()
            finally:
                session.close()
    """,
    "app/use_cases.py": """
        from app.db import UnitOfWork, unit_of_work

        class GetArticle:
            def __init__(self, uow=None):
                self.uow = uow or UnitOfWork()

            def execute(self, slug):
                with self.uow as uow:
                    return uow.articles.by_slug(slug)

            def execute_loaded(self, slug):
                with self.uow as uow:
                    return uow.articles.by_slug_with_author(slug)

            def through_generator(self, slug):
                with unit_of_work() as work:
                    return work.articles.by_slug(slug)

            def author_name(self, slug):
                with self.uow as uow:
                    article = uow.articles.by_slug(slug)
                    return article.author.username
    """,
    "app/main.py": """
        from flask import Flask

        from app.use_cases import GetArticle

        app = Flask(__name__)

        @app.get("/articles/<slug>")
        def get_article(slug):
            article = GetArticle().execute(slug)
            return {"slug": article.slug, "author": article.author.username}

        @app.get("/loaded/<slug>")
        def get_loaded(slug):
            article = GetArticle().execute_loaded(slug)
            return {"slug": article.slug, "author": article.author.username}

        @app.get("/generator/<slug>")
        def get_generated(slug):
            article = GetArticle().through_generator(slug)
            return {"slug": article.slug, "author": article.author.username}

        @app.get("/inside/<slug>")
        def get_inside(slug):
            return {"author": GetArticle().author_name(slug)}
    """,
}


def test_a_lazy_relation_read_after_the_unit_of_work_closed_its_session_is_detached(tmp_path):
    """The route reads `article.author` on the row the use case returned from inside `with self.uow`: the
    unit of work's `__exit__` closed the session, the row is detached; so is the row returned from inside
    `with unit_of_work() as work:`, a `@contextmanager` yielding an object around the session it closes in `finally`.
    The eager-loaded twin and the read made inside the block stay silent."""
    root = make_repo(tmp_path / "closes", _UOW)
    assert findings(root, select=["AL218"]) == [("AL218", "app/main.py", 10), ("AL218", "app/main.py", 20)]
    # a unit of work whose exit only ends the transaction, a generator that only commits (no close): the session,
    # and its rows, stay attached
    files = dict(_UOW)
    files["app/db.py"] = files["app/db.py"].replace("self.session.close()", "self.session.commit()").replace(
        "session.close()", "session.rollback()")
    assert findings(make_repo(tmp_path / "keeps", files), select=["AL218"]) == []
