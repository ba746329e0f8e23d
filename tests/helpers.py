"""Small helpers to build throwaway repositories in tests."""

from __future__ import annotations

import os
import subprocess
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


def cli_in_process(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """``archlint ARGS`` run in ``cwd`` with ``env`` added: the CLI's own command (click), its exit code,
    stdout and stderr, in this process.  A fresh interpreter per call cost ~1 s of start-up each; the
    tests whose point is the process itself (determinism across hash seeds, the console script, the
    hook) keep their subprocess (test_cli.run_cli)."""
    from click.testing import CliRunner

    from archlint.cli.main import cli

    try:
        runner = CliRunner(env=env, mix_stderr=False)  # click 8.1
    except TypeError:
        runner = CliRunner(env=env)  # click >= 8.2 keeps stderr apart
    here = os.getcwd()
    os.chdir(cwd)  # contextlib.chdir is Python 3.11+
    try:
        result = runner.invoke(cli, list(args), prog_name="archlint", catch_exceptions=False)
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(["archlint", *args], result.exit_code, result.stdout, result.stderr)


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


OPEN_WEBUI_ASYNC_DB = """\
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import declarative_base

Base = declarative_base()
engine = create_async_engine("sqlite+aiosqlite:///app.db")
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def get_async_db():
    async with SessionLocal() as session:
        yield session


@asynccontextmanager
async def get_async_db_context(db: AsyncSession | None = None):
    if isinstance(db, AsyncSession):
        yield db
    else:
        async with get_async_db() as session:
            yield session


async def get_async_session():
    async with SessionLocal() as session:
        yield session
"""
"""open-webui's ``open_webui/internal/db.py`` shape: an async sessionmaker, and ``get_async_db_context(db)``
that reuses the caller's session or opens its own (its Table methods take ``db=`` and commit whichever)."""


def sqlalchemy_db_module(models: str) -> str:
    """The ``app/db.py`` an agent writes for FastAPI + SQLAlchemy: an engine, ``SessionLocal``, the
    ``get_db`` dependency and a declarative ``Base``, followed by ``models`` (any indentation)."""
    return SQLALCHEMY_SESSION + "\n" + textwrap.dedent(models).lstrip("\n")
