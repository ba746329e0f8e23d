"""Small helpers to build throwaway repositories in tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

from archlint.application.pipeline import Options, run_check


def make_repo(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def findings(root: Path, **options) -> list[tuple[str, str, int]]:
    """(rule, path, line) of every finding, in report order."""
    report = run_check([str(root)], Options(use_cache=False, **options))
    return [(f.rule, f.path, f.line) for f in report.findings]


def report(root: Path, **options):
    return run_check([str(root)], Options(use_cache=False, **options))


SQLALCHEMY_SESSION = """\
from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

engine = create_engine("sqlite:///./app.db")
SessionLocal = sessionmaker(bind=engine)

def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()

class Base(DeclarativeBase):
    pass
"""


def sqlalchemy_db_module(models: str) -> str:
    """The ``app/db.py`` an agent writes for FastAPI + SQLAlchemy: an engine, ``SessionLocal``, the
    ``get_db`` dependency and a declarative ``Base``, followed by ``models`` (any indentation)."""
    return SQLALCHEMY_SESSION + "\n" + textwrap.dedent(models).lstrip("\n")
