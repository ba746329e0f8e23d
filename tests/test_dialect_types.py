"""AL440: a PostgreSQL-only column type fires only where every database signal says SQLite."""

from __future__ import annotations

from helpers import make_repo, report

MODELS = """
import os
from sqlalchemy import ARRAY, Column, Integer, String, create_engine
from sqlalchemy.orm import declarative_base

engine = create_engine({url})
Base = declarative_base()


class Article(Base):
    __tablename__ = "articles"
    id = Column(Integer, primary_key=True)
    tag_list = Column(ARRAY(String))


Base.metadata.create_all(engine)
"""


def _al440(root):
    return [(f.path, f.line) for f in report(root).findings if f.rule == "AL440"]


def test_array_fires_on_sqlite_only(tmp_path):
    sqlite = make_repo(tmp_path / "sqlite", {"requirements.txt": "SQLAlchemy==2.0.36\n",
                                             "app/models.py": MODELS.format(url='"sqlite:///./app.db"')})
    assert _al440(sqlite) == [("app/models.py", 12)]  # the `ARRAY` of tag_list


def test_a_sqlite_fallback_of_a_postgres_app_is_not_this_rule(tmp_path):
    fallback = make_repo(tmp_path / "fallback", {
        "requirements.txt": "SQLAlchemy==2.0.36\npsycopg2-binary==2.9.10\n",
        "app/models.py": MODELS.format(url='os.getenv("DATABASE_URL", "sqlite:///./app.db")'),
        "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n",
    })
    postgres = make_repo(tmp_path / "pg", {"requirements.txt": "SQLAlchemy==2.0.36\npsycopg2-binary==2.9.10\n",
                                           "app/models.py": MODELS.format(url='"postgresql+psycopg2://u:p@db/app"')})
    assert _al440(fallback) == []  # PostgreSQL signals too: AL703's question (the fallback), not a wrong type
    assert _al440(postgres) == []
