"""The RealWorld response envelope: ``{"articles": [...], "articlesCount": n}``.

FastAPI validates a handler's return value against ``response_model``; when that is an envelope schema
(``articles: list[ArticleOut]``), a returned dict or an ``ArticleList(articles=rows, …)`` built in the
handler makes Pydantic read every field of ``ArticleOut`` from every row — a lazy relation there is a
query per row (an N+1) on a sync session and a MissingGreenlet 500 on an AsyncSession.  Agents write
this shape for nearly every list endpoint of the spec, so it must be seen like ``response_model=list[…]``."""

from __future__ import annotations

from helpers import make_repo, report

MODELS = '''
    from sqlalchemy import ForeignKey
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


    class Base(DeclarativeBase):
        pass


    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        username: Mapped[str]


    class Tag(Base):
        __tablename__ = "tags"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str]
        article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))


    class Article(Base):
        __tablename__ = "articles"
        id: Mapped[int] = mapped_column(primary_key=True)
        slug: Mapped[str]
        author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
        author: Mapped[User] = relationship()
        tags: Mapped[list[Tag]] = relationship()
'''

SCHEMAS = '''
    from pydantic import BaseModel, ConfigDict, Field


    class ProfileOut(BaseModel):
        model_config = ConfigDict(from_attributes=True)
        username: str


    class ArticleOut(BaseModel):
        model_config = ConfigDict(from_attributes=True)
        slug: str
        author: ProfileOut


    class ArticleSlug(BaseModel):
        model_config = ConfigDict(from_attributes=True)
        slug: str


    class ArticleList(BaseModel):
        articles: list[ArticleOut]
        articles_count: int = Field(alias="articlesCount")


    class SlugList(BaseModel):
        articles: list[ArticleSlug]
        tags: list[str]
'''

SYNC_DB = '''
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    engine = create_engine("sqlite:///conduit.db")
    SessionLocal = sessionmaker(bind=engine)


    def get_db():
        db = SessionLocal()
        try:
            yield db
        finally:
            db.close()
'''

ASYNC_DB = '''
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    engine = create_async_engine("sqlite+aiosqlite:///conduit.db")
    SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


    async def get_db():
        async with SessionLocal() as session:
            yield session
'''

HEAD = '''
    from fastapi import Depends, FastAPI
    from sqlalchemy import select
    from sqlalchemy.orm import Session, joinedload

    from .db import get_db
    from .models import Article
    from .schemas import ArticleList, ArticleOut, SlugList

    app = FastAPI()
'''


def _findings(tmp_path, main: str, db: str = SYNC_DB):
    root = make_repo(tmp_path, {"requirements.txt": "fastapi\nsqlalchemy\n", "app/__init__.py": "", "app/models.py": MODELS,
                                "app/schemas.py": SCHEMAS, "app/db.py": db, "app/main.py": HEAD + main})
    return [f for f in report(root).findings if f.rule in ("AL209", "AL601", "AL603")]


def test_a_returned_envelope_dict_serializes_every_row_with_the_list_fields_schema(tmp_path):
    found = _findings(tmp_path, '''
    @app.get("/api/articles", response_model=ArticleList)
    def list_articles(db: Session = Depends(get_db)):
        articles = db.scalars(select(Article).order_by(Article.id)).all()
        return {"articles": articles, "articlesCount": len(articles)}
    ''')
    assert [(f.rule, f.path) for f in found] == [("AL603", "app/main.py")]
    assert "`author`" in found[0].message and "ArticleList.articles" in found[0].message
    assert [step.path for step in found[0].trace] == ["app/schemas.py"]


def test_an_envelope_built_with_keywords_is_validated_where_it_is_built(tmp_path):
    found = _findings(tmp_path, '''
    @app.get("/api/articles")
    def list_articles(db: Session = Depends(get_db)):
        articles = db.scalars(select(Article).order_by(Article.id)).all()
        return ArticleList(articles=articles, articlesCount=len(articles))
    ''')
    lines = (tmp_path / "app" / "main.py").read_text().splitlines()
    built = next(n for n, line in enumerate(lines, 1) if "return ArticleList(" in line)
    assert [(f.rule, f.line) for f in found] == [("AL603", built)]


def test_look_alikes_stay_silent(tmp_path):
    found = _findings(tmp_path, '''
    @app.get("/api/articles", response_model=ArticleList)
    def eager(db: Session = Depends(get_db)):
        articles = db.scalars(select(Article).options(joinedload(Article.author)).order_by(Article.id)).all()
        return {"articles": articles, "articlesCount": len(articles)}


    @app.get("/api/articles/built")
    def built(db: Session = Depends(get_db)):
        articles = db.scalars(select(Article).options(joinedload(Article.author)).order_by(Article.id)).all()
        return ArticleList(articles=[ArticleOut.model_validate(a) for a in articles], articlesCount=len(articles))


    @app.get("/api/slugs", response_model=SlugList)
    def slugs(db: Session = Depends(get_db)):
        articles = db.scalars(select(Article).order_by(Article.id)).all()
        return {"articles": articles, "tags": [a.slug for a in articles]}


    @app.get("/api/one", response_model=ArticleList)
    def one(db: Session = Depends(get_db)):
        article = db.scalars(select(Article).where(Article.id == 1)).one()
        return {"articles": [], "articlesCount": 0, "first": article}
    ''')
    assert found == []


def test_on_an_async_session_the_envelope_lazy_load_is_a_missing_greenlet_error(tmp_path):
    found = _findings(tmp_path, '''
    from sqlalchemy.ext.asyncio import AsyncSession


    @app.get("/api/articles", response_model=ArticleList)
    async def list_articles(db: AsyncSession = Depends(get_db)):
        result = await db.execute(select(Article).order_by(Article.id))
        articles = result.scalars().all()
        return {"articles": articles, "articlesCount": len(articles)}
    ''', db=ASYNC_DB)
    assert [(f.rule, f.path, f.severity) for f in found] == [("AL209", "app/schemas.py", "error")]


NINJA_MODELS = '''
    from django.db import models


    class Author(models.Model):
        username = models.CharField(max_length=50)


    class Article(models.Model):
        slug = models.SlugField(unique=True)
        author = models.ForeignKey(Author, on_delete=models.CASCADE)
'''

NINJA_API = '''
    from typing import List

    from ninja import Router, Schema

    from .models import Article

    router = Router()


    class AuthorOut(Schema):
        username: str


    class ArticleOut(Schema):
        slug: str
        author: AuthorOut


    class ArticleListOut(Schema):
        articles: List[ArticleOut]
        articlesCount: int


    class ErrorOut(Schema):
        detail: str
'''


def test_django_ninja_status_responses_serialize_the_success_body(tmp_path):
    """``response={200: ArticleListOut, 404: ErrorOut}`` and ``return 200, {...}``: the 2xx schema reads
    the body; the eager look-alike (``select_related``) stays silent."""
    root = make_repo(tmp_path, {"requirements.txt": "django\ndjango-ninja\n", "conduit/__init__.py": "",
                                "conduit/models.py": NINJA_MODELS, "conduit/api.py": NINJA_API + '''

    @router.get("/feed", response={200: ArticleListOut, 404: ErrorOut})
    def feed(request):
        qs = Article.objects.order_by("-id")
        return 200, {"articles": qs, "articlesCount": qs.count()}


    @router.get("/list", response={200: List[ArticleOut]})
    def listing(request):
        return 200, Article.objects.order_by("-id")


    @router.get("/eager", response={200: ArticleListOut})
    def eager(request):
        qs = Article.objects.select_related("author").order_by("-id")
        return 200, {"articles": qs, "articlesCount": qs.count()}
    '''})
    lines = (root / "conduit" / "api.py").read_text().splitlines()
    route = {name: next(n for n, line in enumerate(lines, 1) if f'"/{name}"' in line) for name in ("feed", "list")}
    found = sorted((f.rule, f.line) for f in report(root).findings if f.rule in ("AL601", "AL603"))
    assert found == [("AL603", route["feed"]), ("AL603", route["list"])]
