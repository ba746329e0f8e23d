"""AL443: an aware datetime reaches a naive DateTime column only matters under asyncpg."""

from __future__ import annotations

from helpers import make_repo, report

MODELS = """
from datetime import datetime, timezone
from sqlalchemy import Column, DateTime, Integer, create_engine
from sqlalchemy.orm import declarative_base

engine = create_engine({url})
Base = declarative_base()


class Event(Base):
    __tablename__ = "events"
    id = Column(Integer, primary_key=True)
    at = Column({type}, default=lambda: datetime.now({tz}))


Base.metadata.create_all(engine)
"""


def _al443(root):
    return [(f.path, f.line) for f in report(root).findings if f.rule == "AL443"]


def _repo(tmp_path, name, url, type_="DateTime", tz="timezone.utc"):
    return make_repo(tmp_path / name, {"requirements.txt": "SQLAlchemy==2.0.36\n",
                                       "app/models.py": MODELS.format(url=url, type=type_, tz=tz)})


def test_aware_default_on_a_naive_column_under_asyncpg(tmp_path):
    assert _al443(_repo(tmp_path, "a", '"postgresql+asyncpg://u:p@db/app"')) == [("app/models.py", 12)]  # the lambda of `at`


def test_other_drivers_timestamptz_and_naive_values_are_fine(tmp_path):
    assert _al443(_repo(tmp_path, "psycopg", '"postgresql+psycopg://u:p@db/app"')) == []
    assert _al443(_repo(tmp_path, "sqlite", '"sqlite:///./app.db"')) == []
    assert _al443(_repo(tmp_path, "tz", '"postgresql+asyncpg://u:p@db/app"', type_="DateTime(timezone=True)")) == []
    assert _al443(_repo(tmp_path, "naive", '"postgresql+asyncpg://u:p@db/app"', tz="")) == []
    assert _al443(_repo(tmp_path, "none", '"postgresql+asyncpg://u:p@db/app"', tz="None")) == []
