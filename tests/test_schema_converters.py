"""Converters that build schemas from ORM rows read their relations like a response schema does:
pydantic's ``parse_obj_as`` / ``TypeAdapter``, ``msgspec.convert(…, from_attributes=True)`` (only with it:
without, msgspec reads no attribute of an object), FastAPI's return annotation (never Litestar's)."""

from __future__ import annotations

from tests.helpers import findings, make_repo

MODELS = """
from sqlalchemy import ForeignKey, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, sessionmaker


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))


class Article(Base):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author: Mapped[User] = relationship()


engine = create_engine("sqlite:///x.db")
SessionLocal = sessionmaker(engine)
Base.metadata.create_all(engine)
"""

SCHEMAS = """
import msgspec
from pydantic import BaseModel


class UserOut(BaseModel):
    username: str


class ArticleOut(BaseModel):
    id: int
    author: UserOut


class UserStruct(msgspec.Struct):
    username: str


class ArticleStruct(msgspec.Struct):
    id: int
    author: UserStruct
"""


def _app(tmp_path, handler: str, requirements: str = "fastapi\nsqlalchemy\npydantic\nmsgspec\n"):
    return make_repo(tmp_path, {
        "requirements.txt": requirements,
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/schemas.py": SCHEMAS,
        "app/api.py": handler,
    })


def test_parse_obj_as_reads_the_relation_of_every_row(tmp_path):
    root = _app(tmp_path, """
        from fastapi import APIRouter
        from pydantic import parse_obj_as
        from sqlalchemy import select

        from app.models import Article, SessionLocal
        from app.schemas import ArticleOut

        router = APIRouter()


        @router.get("/articles")
        def articles():
            with SessionLocal() as session:
                rows = session.scalars(select(Article).order_by(Article.id)).all()
                return parse_obj_as(list[ArticleOut], rows)
    """)
    assert ("AL603", "app/api.py", 15) in findings(root)


def test_msgspec_convert_reads_attributes_only_with_from_attributes(tmp_path):
    handler = """
        import msgspec
        from fastapi import APIRouter
        from sqlalchemy import select

        from app.models import Article, SessionLocal
        from app.schemas import ArticleStruct

        router = APIRouter()


        @router.get("/articles")
        def articles():
            with SessionLocal() as session:
                rows = session.scalars(select(Article).order_by(Article.id)).all()
                return msgspec.convert(rows, list[ArticleStruct]{keywords})
    """
    assert ("AL603", "app/api.py", 15) in findings(_app(tmp_path / "a", handler.replace("{keywords}", ", from_attributes=True")))
    assert [f for f in findings(_app(tmp_path / "b", handler.replace("{keywords}", ""))) if f[0] == "AL603"] == []


def test_return_annotation_is_the_response_model_in_fastapi_only(tmp_path):
    fastapi = """
        from fastapi import APIRouter
        from sqlalchemy import select

        from app.models import Article, SessionLocal
        from app.schemas import ArticleOut

        router = APIRouter()


        @router.get("/articles"{keywords})
        def articles() -> list[ArticleOut]:
            with SessionLocal() as session:
                return session.scalars(select(Article).order_by(Article.id)).all()
    """
    # validated after the `with` closed the session: the lazy load of a detached row raises (AL218)
    assert ("AL218", "app/schemas.py", 11) in findings(_app(tmp_path / "a", fastapi.replace("{keywords}", "")))
    # response_model=None turns the annotation off: FastAPI validates nothing
    assert findings(_app(tmp_path / "b", fastapi.replace("{keywords}", ", response_model=None"))) == []
    litestar = """
        from litestar import get
        from sqlalchemy import select

        from app.models import Article, SessionLocal
        from app.schemas import ArticleOut


        @get("/articles", sync_to_thread=True)
        def articles() -> list[ArticleOut]:
            with SessionLocal() as session:
                return session.scalars(select(Article).order_by(Article.id)).all()
    """
    root = _app(tmp_path / "c", litestar, "litestar\nsqlalchemy\npydantic\nmsgspec\n")
    assert findings(root) == []
