"""SQLModel, as the FastAPI tutorial writes it: `table=True` classes are SQLAlchemy models (a SQLModel
class without it is a Pydantic schema), and a dependency that yields inside `with Session(engine) as
session:` hands the handler an open session — a lazy load there is an N+1 at worst, never a detached
instance; a generator that leaves the block before it yields does hand out detached rows."""

from __future__ import annotations

from archlint.application.pipeline import Options
from archlint.application.verify import Constraints, run_verify
from helpers import make_repo, report

MODELS = '''
    from typing import Optional

    from sqlmodel import Field, Relationship, SQLModel


    class User(SQLModel, table=True):
        id: Optional[int] = Field(default=None, primary_key=True)
        username: str


    class Article(SQLModel, table=True):
        id: Optional[int] = Field(default=None, primary_key=True)
        slug: str
        author_id: int = Field(foreign_key="user.id")
        author: Optional[User] = Relationship()


    class ArticleRead(SQLModel):
        slug: str
        author: str
'''

DB = '''
    from sqlmodel import Session, SQLModel, create_engine

    engine = create_engine("sqlite:///app.db")


    def create_tables():
        SQLModel.metadata.create_all(engine)


    def get_session():
        with Session(engine) as session:
            yield session
'''


def _repo(tmp_path, main: str, models: str = MODELS):
    return make_repo(tmp_path, {"requirements.txt": "fastapi\nsqlmodel\n", "app/__init__.py": "", "app/models.py": models,
                                "app/db.py": DB, "app/main.py": main})


def _rules(root):
    return sorted((f.rule, f.path, f.line) for f in report(root).findings)


def test_a_session_yielded_inside_its_with_block_is_open_for_the_handler(tmp_path):
    root = _repo(tmp_path, '''
        from fastapi import Depends, FastAPI
        from sqlalchemy.orm import selectinload
        from sqlmodel import Session, select

        from app.db import create_tables, engine, get_session
        from app.models import Article

        app = FastAPI()
        create_tables()


        @app.get("/articles/{slug}")
        def one(slug: str, session: Session = Depends(get_session)):
            article = session.exec(select(Article).where(Article.slug == slug)).one()
            return {"author": article.author.username}


        def names_detached():
            with Session(engine) as session:
                rows = session.exec(select(Article).order_by(Article.id)).all()
            for row in rows:
                yield row.author.username


        def names_open():
            with Session(engine) as session:
                for row in session.exec(select(Article).options(selectinload(Article.author)).order_by(Article.id)).all():
                    yield row.author.username


        @app.get("/authors")
        def authors():
            return {"authors": list(names_detached()) + list(names_open())}
    ''')
    # AL234: `.one()` by the path's slug raises NoResultFound (a 500) when no article matches
    assert _rules(root) == [("AL218", "app/main.py", 22), ("AL234", "app/main.py", 14)]


def test_table_models_count_for_the_orm_verdict_and_schemas_do_not(tmp_path):
    main = '''
        from fastapi import Depends, FastAPI
        from sqlmodel import Session, select

        from app.db import create_tables, get_session
        from app.models import Article

        app = FastAPI()
        create_tables()


        @app.get("/articles")
        def articles(session: Session = Depends(get_session)):
            rows = session.exec(select(Article).order_by(Article.id).limit(20)).all()
            return [{"slug": row.slug} for row in rows]
    '''
    constraints = Constraints(orm="sqlalchemy", database="sqlite")
    verdicts = {v.constraint: v for v in run_verify(str(_repo(tmp_path / "tables", main)), constraints, options=Options(use_cache=False)).verdicts}
    assert verdicts["orm"].compliant and "2 SQLAlchemy model(s)" in verdicts["orm"].reason
    assert verdicts["database"].compliant

    schemas_only = MODELS.replace(", table=True", "")  # Pydantic schemas: no table, no model
    verdicts = {v.constraint: v for v in run_verify(str(_repo(tmp_path / "schemas", main, schemas_only)), constraints, options=Options(use_cache=False)).verdicts}
    assert not verdicts["orm"].compliant and "no SQLAlchemy model" in verdicts["orm"].reason
