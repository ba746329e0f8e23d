"""`archlint check --fix`: every fixer on before/after projects written the way agents write them
(comments, odd formatting, `import sqlalchemy as sa`), run through the real CLI.

For every case: the fixed files are exactly the expected ones and every other file is untouched;
each fixed file still parses; the re-check no longer reports the fixed findings (the declined
ones stay, with a reason); a second `--fix` changes nothing; and one round changes nothing
outside the spans of the findings it fixed (plus the import it adds).
"""

from __future__ import annotations

import ast
import difflib
import json
import shutil
import subprocess
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import libcst
import pytest
from helpers import cli_in_process, make_repo

from archlint.adapters import fixers
from archlint.adapters.frontends.javascript import syntax_tree
from archlint.adapters.knowledge import load_registry
from archlint.application.fixing import FixRequest, run_fixes
from archlint.application.pipeline import Options, run_check

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
    slug: Mapped[str]
    title: Mapped[str]
    draft: Mapped[bool]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    deleted_at: Mapped[str | None]
    author: Mapped["User"] = relationship(back_populates="articles")
    comments: Mapped[list["Comment"]] = relationship(back_populates="article")


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    article: Mapped["Article"] = relationship(back_populates="comments")
'''
DB = '''
from sqlalchemy import create_engine

from app.models import Base

engine = create_engine("sqlite:///conduit.db")
Base.metadata.create_all(engine)
'''
PYTHON_PROJECT = {"requirements.txt": "sqlalchemy>=2\n", "app/models.py": MODELS, "app/db.py": DB}
NODE_PROJECT = {
    "package.json": '{"dependencies": {"express": "^4", "sequelize": "^6", "pg": "^8"}}\n',
    "src/db.js": """
    const { Sequelize, DataTypes } = require('sequelize');

    const sequelize = new Sequelize(process.env.DATABASE_URL, { dialect: 'postgres' });
    const Article = sequelize.define('Article', { slug: DataTypes.STRING, authorId: DataTypes.INTEGER });

    module.exports = { sequelize, Article };
    """,
}


@dataclass
class Case:
    id: str
    base: dict[str, str]
    before: dict[str, str]
    after: dict[str, str]  # the files --fix changes, as they must read afterwards
    fixed: tuple[str, ...]  # rules whose findings must all be gone
    remain: tuple[tuple[str, str, int], ...] = ()  # (rule, path, line) of declined findings still reported
    unsafe: bool = False
    extra: dict[str, str] = field(default_factory=dict)


CASES = [
    Case(
        "AL201-and-or-not-with-sa-alias",
        PYTHON_PROJECT,
        {
            "app/queries.py": '''
            """Article queries."""
            import sqlalchemy as sa
            from sqlalchemy.orm import Session

            from app.models import Article, User


            def by_author_and_slug(session: Session, author_id: int, slug: str):
                stmt = sa.select(Article).where(
                    Article.author_id == author_id  # the author
                    and Article.slug == slug
                )
                return session.scalars(stmt).first()


            def search(session: Session, term: str):
                stmt = sa.select(Article).where(Article.title == term or (Article.slug == term and not Article.draft))
                return session.scalars(stmt).all()


            def with_authors(session: Session):
                stmt = sa.select(Article).join(User, Article.author_id == User.id and User.username != "")
                return session.scalars(stmt).all()
            ''',
        },
        {
            "app/queries.py": '''
            """Article queries."""
            import sqlalchemy as sa
            from sqlalchemy.orm import Session

            from app.models import Article, User


            def by_author_and_slug(session: Session, author_id: int, slug: str):
                stmt = sa.select(Article).where(
                    Article.author_id == author_id,  # the author
                    Article.slug == slug
                )
                return session.scalars(stmt).first()


            def search(session: Session, term: str):
                stmt = sa.select(Article).where(sa.or_(Article.title == term, sa.and_(Article.slug == term, sa.not_(Article.draft))))
                return session.scalars(stmt).all()


            def with_authors(session: Session):
                stmt = sa.select(Article).join(User, sa.and_(Article.author_id == User.id, User.username != ""))
                return session.scalars(stmt).all()
            ''',
        },
        ("AL201",),
    ),
    Case(
        "AL201-imports-or_-and-not_",
        PYTHON_PROJECT,
        {
            "app/queries.py": '''
            from sqlalchemy import (
                func,
                select,
            )
            from sqlalchemy.orm import Session

            from app.models import Article


            def visible(session: Session, slug):
                # drafts and deleted articles are hidden
                query = select(Article).filter(not Article.draft, Article.slug == slug or Article.title == slug)
                return session.scalars(query).all(), func.now()
            ''',
        },
        {
            "app/queries.py": '''
            from sqlalchemy import (
                func,
                not_,
                or_,
                select,
            )
            from sqlalchemy.orm import Session

            from app.models import Article


            def visible(session: Session, slug):
                # drafts and deleted articles are hidden
                query = select(Article).filter(not_(Article.draft), or_(Article.slug == slug, Article.title == slug))
                return session.scalars(query).all(), func.now()
            ''',
        },
        ("AL201",),
    ),
    Case(
        "AL202-is-in-with-parentheses-and-a-declined-array-test",
        PYTHON_PROJECT,
        {
            "app/queries.py": '''
            from sqlalchemy import select
            from sqlalchemy.orm import Session

            from app.models import Article


            def live(session: Session, ids: list[int], banned: set[int], tags):
                stmt = (
                    select(Article)
                    .where((Article.deleted_at is None), Article.id in ids)  # live ones
                    .where(Article.author_id not in banned, Article.title is not None)
                    .where("python" in Article.title)
                )
                return session.scalars(stmt).all()
            ''',
        },
        {
            "app/queries.py": '''
            from sqlalchemy import select
            from sqlalchemy.orm import Session

            from app.models import Article


            def live(session: Session, ids: list[int], banned: set[int], tags):
                stmt = (
                    select(Article)
                    .where((Article.deleted_at.is_(None)), Article.id.in_(ids))  # live ones
                    .where(Article.author_id.not_in(banned), Article.title.is_not(None))
                    .where("python" in Article.title)
                )
                return session.scalars(stmt).all()
            ''',
        },
        ("AL202",),
        remain=(("AL202", "app/queries.py", 12),),
    ),
    Case(
        "AL201-then-AL202-in-a-second-round",
        PYTHON_PROJECT,
        {
            "app/queries.py": '''
            from sqlalchemy import select

            from app.models import Article


            def live(session, slug):
                return session.scalars(select(Article).where(Article.deleted_at is None and Article.slug == slug)).first()
            ''',
        },
        {
            "app/queries.py": '''
            from sqlalchemy import select

            from app.models import Article


            def live(session, slug):
                return session.scalars(select(Article).where(Article.deleted_at.is_(None), Article.slug == slug)).first()
            ''',
        },
        ("AL201", "AL202"),
    ),
    Case(
        "AL203-select-list-and-raw-sql",
        PYTHON_PROJECT,
        {
            "app/queries.py": '''
            """Legacy 1.x queries."""
            from sqlalchemy import select
            from sqlalchemy.orm import Session

            from app.db import engine
            from app.models import Article


            def slugs(session: Session):
                return session.execute(select([
                    Article.id,  # the key
                    Article.slug,
                ])).all()


            def tag_names(session: Session):
                return session.execute("SELECT name FROM tags ORDER BY name").fetchall()


            def tag_named(session: Session, name: str):
                return session.execute("SELECT name FROM tags WHERE name = :name", {"name": name}).fetchall()


            def tag_like(session: Session, name: str):
                return session.execute("SELECT name FROM tags WHERE name = %s", (name,)).fetchall()


            def ping():
                return engine.execute("SELECT 1").scalar()
            ''',
        },
        {
            "app/queries.py": '''
            """Legacy 1.x queries."""
            from sqlalchemy import select, text
            from sqlalchemy.orm import Session

            from app.db import engine
            from app.models import Article


            def slugs(session: Session):
                return session.execute(select(
                    Article.id,  # the key
                    Article.slug,
                )).all()


            def tag_names(session: Session):
                return session.execute(text("SELECT name FROM tags ORDER BY name")).fetchall()


            def tag_named(session: Session, name: str):
                return session.execute(text("SELECT name FROM tags WHERE name = :name"), {"name": name}).fetchall()


            def tag_like(session: Session, name: str):
                return session.execute("SELECT name FROM tags WHERE name = %s", (name,)).fetchall()


            def ping():
                return engine.execute("SELECT 1").scalar()
            ''',
        },
        ("AL203",),
        remain=(("AL203", "app/queries.py", 25), ("AL203", "app/queries.py", 29)),
    ),
    Case(
        "AL208-unique-where-the-rows-are-read",
        PYTHON_PROJECT,
        {
            "app/queries.py": '''
            import sqlalchemy as sa
            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession
            from sqlalchemy.orm import Session, joinedload

            from app.models import Article


            def with_comments(session: Session, slug: str):
                stmt = select(Article).options(joinedload(Article.comments)).where(Article.slug == slug)
                return session.scalars(stmt).one_or_none()


            async def with_comments_async(session: AsyncSession, slug: str):
                stmt = select(Article).options(joinedload(Article.comments)).where(Article.slug == slug)
                result = await session.execute(stmt)
                return result.scalars().all()


            async def all_async(session: AsyncSession):
                stmt = select(Article).options(joinedload(Article.comments))
                return (await session.scalars(stmt)).all()


            def all_with_comments(session: Session):
                stmt = sa.select(Article).options(sa.orm.joinedload(Article.comments))
                rows = session.execute(
                    stmt,  # joined eager load of a collection
                )
                return [row.slug for row in rows.scalars()]


            def first_is_fine(session: Session):
                stmt = select(Article).options(joinedload(Article.comments))
                return session.scalars(stmt).first()
            ''',
        },
        {
            "app/queries.py": '''
            import sqlalchemy as sa
            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession
            from sqlalchemy.orm import Session, joinedload

            from app.models import Article


            def with_comments(session: Session, slug: str):
                stmt = select(Article).options(joinedload(Article.comments)).where(Article.slug == slug)
                return session.scalars(stmt).unique().one_or_none()


            async def with_comments_async(session: AsyncSession, slug: str):
                stmt = select(Article).options(joinedload(Article.comments)).where(Article.slug == slug)
                result = await session.execute(stmt)
                return result.scalars().unique().all()


            async def all_async(session: AsyncSession):
                stmt = select(Article).options(joinedload(Article.comments))
                return (await session.scalars(stmt)).unique().all()


            def all_with_comments(session: Session):
                stmt = sa.select(Article).options(sa.orm.joinedload(Article.comments))
                rows = session.execute(
                    stmt,  # joined eager load of a collection
                )
                return [row.slug for row in rows.scalars().unique()]


            def first_is_fine(session: Session):
                stmt = select(Article).options(joinedload(Article.comments))
                return session.scalars(stmt).first()
            ''',
        },
        ("AL208",),
    ),
    Case(
        "AL701-postgres-scheme-in-literal-fstring-concatenation",
        {"requirements.txt": "sqlalchemy>=2\npsycopg2-binary\n", "app/models.py": MODELS},
        {
            "app/db.py": '''
            import os

            from sqlalchemy import create_engine

            from app.models import Base

            USER = os.getenv("DB_USER", "conduit")
            engine = create_engine(os.getenv("DATABASE_URL", "postgres://conduit:conduit@db:5432/conduit"))
            replica = create_engine(f"postgres://{USER}@replica:5432/conduit")
            archive = create_engine(("postgres://"  # scheme
                                     "archive/conduit"))
            url = os.environ.get("HEROKU_URL", "").replace("postgres://", "postgresql://", 1)
            Base.metadata.create_all(engine)
            ''',
        },
        {
            "app/db.py": '''
            import os

            from sqlalchemy import create_engine

            from app.models import Base

            USER = os.getenv("DB_USER", "conduit")
            engine = create_engine(os.getenv("DATABASE_URL", "postgresql://conduit:conduit@db:5432/conduit"))
            replica = create_engine(f"postgresql://{USER}@replica:5432/conduit")
            archive = create_engine(("postgresql://"  # scheme
                                     "archive/conduit"))
            url = os.environ.get("HEROKU_URL", "").replace("postgres://", "postgresql://", 1)
            Base.metadata.create_all(engine)
            ''',
        },
        ("AL701",),
    ),
    Case(
        "AL205-back-populates-one-candidate-unsafe",
        {"requirements.txt": "sqlalchemy>=2\n", "app/db.py": DB},
        {"app/models.py": MODELS.replace('relationship(back_populates="author")', "relationship(back_populates='owner')  # reverse")},
        {"app/models.py": MODELS.replace('relationship(back_populates="author")', "relationship(back_populates='author')  # reverse")},
        ("AL205",),
        unsafe=True,
    ),
    Case(
        "AL602-findAll-length-to-count",
        NODE_PROJECT,
        {
            "src/articles.js": """
            const { Article } = require('./db');

            async function counts(authorId) {
              const total = (await Article.findAll()).length;
              const mine = (await Article.findAll({ where: { authorId } /* by author */ })).length;
              let firstPage;
              firstPage = (await Article.findAll({ where: { authorId }, limit: 10 })).length;
              return [total, mine, firstPage];
            }

            module.exports = { counts };
            """,
        },
        {
            "src/articles.js": """
            const { Article } = require('./db');

            async function counts(authorId) {
              const total = await Article.count();
              const mine = await Article.count({ where: { authorId } /* by author */ });
              let firstPage;
              firstPage = (await Article.findAll({ where: { authorId }, limit: 10 })).length;
              return [total, mine, firstPage];
            }

            module.exports = { counts };
            """,
        },
        ("AL602",),
        # one page (`limit: 10`) is not counted by loading the table (semantics.toml `page_options`): no finding
        remain=(),
    ),
    Case(
        "AL216-sync-force-alter-unsafe-typescript",
        {"package.json": NODE_PROJECT["package.json"]},
        {
            "src/db.ts": """
            import { Sequelize } from 'sequelize';

            export const sequelize = new Sequelize(process.env.DATABASE_URL as string, { dialect: 'postgres' });

            export async function start(): Promise<void> {
              await sequelize.sync({ force: true });
              await sequelize.sync({ logging: false, alter: true });
              await sequelize.sync({
                force: true,
                logging: console.log, // keep the SQL visible
              });
            }
            """,
        },
        {
            "src/db.ts": """
            import { Sequelize } from 'sequelize';

            export const sequelize = new Sequelize(process.env.DATABASE_URL as string, { dialect: 'postgres' });

            export async function start(): Promise<void> {
              await sequelize.sync();
              await sequelize.sync({ logging: false });
              await sequelize.sync({
                logging: console.log, // keep the SQL visible
              });
            }
            """,
        },
        ("AL216",),
        unsafe=True,
    ),
]


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def project(tmp_path: Path, case: Case) -> Path:
    return make_repo(tmp_path / "repo", {**case.base, **case.before})


def run_cli(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return cli_in_process("check", ".", *args, cwd=repo, env={"NO_COLOR": "1", "ARCHLINT_CACHE_DIR": str(repo.parent / "cache")})


def snapshot(repo: Path) -> dict[str, str]:
    return {
        str(path.relative_to(repo)): path.read_text()
        for path in sorted(repo.rglob("*"))
        if path.is_file() and ".archlint" not in path.parts
    }


def assert_parses(path: str, text: str) -> None:
    if path.endswith(".py"):
        libcst.parse_module(text)
        ast.parse(text)
    elif path.endswith((".js", ".ts")):
        language = "typescript" if path.endswith(".ts") else "javascript"
        assert not syntax_tree(path, text.encode(), language).root_node.has_error, path


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_fix_rewrites_exactly_then_recheck_and_second_fix_change_nothing(tmp_path, case):
    repo = project(tmp_path, case)
    before = snapshot(repo)
    flags = ["--fix", "--format", "json", *(["--unsafe-fixes"] if case.unsafe else [])]
    first = run_cli(repo, *flags)
    assert first.returncode in (0, 1), first.stderr
    after = snapshot(repo)
    expected = {**before, **{path: dedent(text) for path, text in case.after.items()}}
    for path in expected:
        assert after[path] == expected[path], f"{path}:\n" + "".join(
            difflib.unified_diff(expected[path].splitlines(True), after[path].splitlines(True), "expected", "got")
        )
        assert_parses(path, after[path])
    remaining = json.loads(first.stdout)["findings"]
    left = [(f["rule"], f["path"], f["line"]) for f in remaining if f["rule"] in case.fixed]
    assert left == list(case.remain), first.stderr
    for rule, path, line in case.remain:
        assert f"{path}:{line}:" in first.stderr and rule in first.stderr, "a declined fix says why"
    assert first.returncode == (1 if any(f["severity"] != "info" for f in remaining) else 0)

    second = run_cli(repo, *flags)
    assert snapshot(repo) == after, "a second --fix changes nothing"
    assert json.loads(second.stdout)["findings"] == remaining


def allowed_regions(text: str, finding) -> tuple[int, int]:
    """The finding's span as offsets, widened over the parentheses directly around it and an
    `await` in front (AL208 wraps `(await call).unique()`)."""
    lines = text.split("\n")
    start = sum(len(line) + 1 for line in lines[: finding.line - 1]) + finding.column - 1
    end = sum(len(line) + 1 for line in lines[: finding.end_line - 1]) + finding.end_column - 1
    if text[:start].endswith("await "):
        start -= len("await ")
    while text[:start].rstrip().endswith("(") and text[end:].lstrip().startswith(")"):
        start = len(text[:start].rstrip()) - 1
        end = len(text) - len(text[end:].lstrip()) + 1
    return start, end


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_one_round_changes_nothing_outside_the_fixed_findings(tmp_path, case):
    repo = project(tmp_path, case)
    untouched = snapshot(repo)
    request = FixRequest(fix=True, diff=True, unsafe=case.unsafe)

    def check():
        report = run_check([str(repo)], Options(use_cache=False))
        return report, report.findings

    outcome = run_fixes(request, check)
    assert outcome.fixed and outcome.changed_files
    assert snapshot(repo) == untouched, "--diff writes nothing"
    for path in outcome.changed_files:
        before, after = (data.decode() for data in outcome.contents[path])
        regions = [allowed_regions(before, f) for f in outcome.fixed if f.path == path]
        matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
        for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            # an insertion right after a span may be aligned one character later by the differ
            # (`x(s).first()` + `.unique()` reads as `x(s).` + `unique().` + `first()`)
            slack = 1 if i1 == i2 else 0
            inside = any(start <= i1 and i2 <= end + slack for start, end in regions)
            where = before.count("\n", 0, i1) + 1
            assert inside or _in_import_statement(before, i1), f"{path}:{where}: {before[i1:i2]!r} changed outside every fixed finding"


def _in_import_statement(text: str, offset: int) -> bool:
    """Whether ``offset`` lies in a top-level `from … import (…)` / `import …` statement."""
    module = ast.parse(text)
    line = text.count("\n", 0, offset) + 1
    return any(isinstance(node, (ast.Import, ast.ImportFrom)) and node.lineno <= line <= (node.end_lineno or node.lineno) + 1
               for node in module.body)


def test_every_rule_marked_fixable_has_a_fixer_and_every_fixer_a_mark():
    marked = {spec.id: spec.fix for spec in load_registry() if spec.fix}
    registered = {rule for rule, _family in fixers.registered()}
    assert set(marked) == registered
    assert all(kind in ("safe", "unsafe") for kind in marked.values())
    tested = {rule for case in CASES for rule in case.fixed}
    assert registered <= tested, f"fixers without a before/after case: {registered - tested}"


# --add-ignore ----------------------------------------------------------------------------------
IGNORE_PY = '''
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.models import Article


def by_title(session: Session, title):
    return session.scalars(select(Article).where(Article.titel == title)).all()  # noqa: E501


def legacy(session: Session):
    return session.scalars(select(Article).order_by(Article.created)).all()  # archlint: ignore[AL209] read model


def report(session: Session, table: str):
    return session.execute(text(f"""SELECT count(*) FROM {table}
        WHERE 1 = 1""")).all()


def chained(session: Session):
    rows = session.scalars(select(Article) \\
        .order_by(Article.created)) \\
        .all()
    return rows


def continued(session: Session):
    rows = \\
        session.scalars(select(Article).order_by(Article.created)) \\
        .all()
    return rows
'''
IGNORED_PY = '''
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.models import Article


def by_title(session: Session, title):
    # archlint: ignore[AL210] reviewed in ADR-9
    return session.scalars(select(Article).where(Article.titel == title)).all()  # noqa: E501


def legacy(session: Session):
    return session.scalars(select(Article).order_by(Article.created)).all()  # archlint: ignore[AL209, AL210] read model


def report(session: Session, table: str):
    # archlint: ignore[AL502] reviewed in ADR-9
    return session.execute(text(f"""SELECT count(*) FROM {table}
        WHERE 1 = 1""")).all()


def chained(session: Session):
    # archlint: ignore[AL210] reviewed in ADR-9
    rows = session.scalars(select(Article) \\
        .order_by(Article.created)) \\
        .all()
    return rows


def continued(session: Session):
    rows = \\
        session.scalars(select(Article).order_by(Article.created)) \\
        .all()
    return rows
'''
IGNORE_JS = """
const { sequelize, Article } = require('./db');

async function start() {
  await sequelize.sync({ force: true });
  const n = (await Article.findAll({ order: [['id', 'DESC']] })).length; // archlint-ignore AL211 a count for the banner
  return n;
}

module.exports = { start };
"""
IGNORED_JS = """
const { sequelize, Article } = require('./db');

async function start() {
  await sequelize.sync({ force: true });  // archlint-ignore AL216 reviewed in ADR-9
  const n = (await Article.findAll({ order: [['id', 'DESC']] })).length; // archlint-ignore AL211, AL602 a count for the banner
  return n;
}

module.exports = { start };
"""


def test_add_ignore_places_comments_by_the_syntax_tree_and_they_suppress(tmp_path):
    repo = make_repo(tmp_path / "repo", {**PYTHON_PROJECT, **NODE_PROJECT, "app/queries.py": IGNORE_PY, "src/start.js": IGNORE_JS})
    result = run_cli(repo, "--add-ignore", "  reviewed in\nADR-9 ", "--format", "json")
    assert (repo / "app/queries.py").read_text() == dedent(IGNORED_PY)
    assert (repo / "src/start.js").read_text() == dedent(IGNORED_JS)
    left = [(f["rule"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]]
    # the one place no comment fits: line 29 continues line 28 and itself continues on line 30 (now
    # 32, below three new comment lines); the unused suppressions (AL902) are never suppressed
    assert left == [("AL902", "app/queries.py", 13), ("AL210", "app/queries.py", 32), ("AL902", "src/start.js", 5)]
    assert "not suppressed: app/queries.py:29:" in result.stderr and "multi-line string or continued line" in result.stderr
    assert "not suppressed: app/queries.py:12:" in result.stderr, "AL902 itself is never suppressed"
    assert result.returncode == 1
    assert_parses("app/queries.py", (repo / "app/queries.py").read_text())
    assert_parses("src/start.js", (repo / "src/start.js").read_text())
    again = run_cli(repo, "--add-ignore", "reviewed in ADR-9")
    assert (repo / "app/queries.py").read_text() == dedent(IGNORED_PY), "nothing left to suppress twice"
    assert again.returncode == 1


def test_fix_then_add_ignore_suppresses_only_what_the_fixes_left_and_diff_shows_the_same(tmp_path):
    source = '''
    from sqlalchemy.orm import Session

    from app.models import Article


    def live(session: Session, slug):
        rows = session.query(Article).filter(Article.slug == slug or Article.title == slug).all()
        return session.query(Article).order_by(Article.created).all(), rows
    '''
    fixed = '''
    from sqlalchemy import or_
    from sqlalchemy.orm import Session

    from app.models import Article


    def live(session: Session, slug):
        rows = session.query(Article).filter(or_(Article.slug == slug, Article.title == slug)).all()
        return session.query(Article).order_by(Article.created).all(), rows  # archlint: ignore[AL210] column added in the next migration
    '''
    repo = make_repo(tmp_path / "repo", {**PYTHON_PROJECT, "app/queries.py": source})
    preview = run_cli(repo, "--diff", "--add-ignore", "column added in the next migration")
    assert (repo / "app/queries.py").read_text() == dedent(source)
    result = run_cli(repo, "--fix", "--add-ignore", "column added in the next migration")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (repo / "app/queries.py").read_text() == dedent(fixed), "the comment follows the line the new import moved"
    assert "fixed 1 findings" in result.stderr and "1 findings suppressed" in result.stderr
    new_lines = [line[1:] for line in preview.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert new_lines == [line for line in dedent(fixed).splitlines() if line not in dedent(source).splitlines()]


# The command line ----------------------------------------------------------------------------------
BROKEN_QUERY = {
    **PYTHON_PROJECT,
    "app/queries.py": """
    from sqlalchemy import select

    from app.models import Article


    def by_slug(session, slug, author_id):
        return session.scalars(select(Article).where(Article.slug == slug and Article.author_id == author_id)).first()
    """,
}


def test_diff_prints_the_fix_writes_nothing_and_exits_as_check(tmp_path):
    repo = make_repo(tmp_path / "repo", BROKEN_QUERY)
    before = snapshot(repo)
    result = run_cli(repo, "--diff")
    assert snapshot(repo) == before
    assert result.returncode == 1, "the tree still has the finding"
    assert result.stdout.startswith("--- a/app/queries.py\n+++ b/app/queries.py\n")
    assert "+    return session.scalars(select(Article).where(Article.slug == slug, Article.author_id == author_id)).first()" in result.stdout
    assert "would fix 1 findings" in result.stderr
    if shutil.which("git"):  # the diff applies as a patch, and gives what --fix writes
        applied = subprocess.run(["git", "apply", "-"], input=result.stdout, text=True, capture_output=True, cwd=repo)
        assert applied.returncode == 0, applied.stderr
        fixed = snapshot(repo)
        (repo / "app/queries.py").write_text(before["app/queries.py"])
        run_cli(repo, "--fix")
        assert snapshot(repo) == fixed


def test_fix_exits_0_when_everything_was_fixed(tmp_path):
    repo = make_repo(tmp_path / "repo", BROKEN_QUERY)
    result = run_cli(repo, "--fix")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("no findings")
    assert "fixed 1 findings" in result.stderr and "changed 1 files" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--unsafe-fixes"], "--unsafe-fixes needs --fix or --diff"),
        (["--add-ignore", " - "], "--add-ignore needs a reason"),
        (["--diff", "--format", "json"], "--diff prints a unified diff"),
        (["--fix", "--write-baseline", "b.json"], "cannot be combined with --write-baseline or --patch"),
        (["--add-ignore", "why", "--patch", "change.diff"], "cannot be combined with --write-baseline or --patch"),
    ],
)
def test_fix_option_misuse_is_a_usage_error(tmp_path, args, message):
    repo = make_repo(tmp_path / "repo", BROKEN_QUERY)
    before = snapshot(repo)
    result = run_cli(repo, *args)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("archlint: error: ") and message in result.stderr and result.stderr.count("\n") == 1
    assert snapshot(repo) == before


def test_fix_respects_the_baseline_and_changed_only(tmp_path):
    """Fixes follow the report: a baselined finding is not fixed, and with --changed-only only
    what the work tree's change introduces is (the whole project still analysed)."""
    from test_changed import git

    old = dedent(BROKEN_QUERY["app/queries.py"])
    repo = make_repo(tmp_path / "repo", {**BROKEN_QUERY, "app/other.py": old.replace("by_slug", "other")})
    (repo / ".gitignore").write_text("baseline.json\n")
    assert run_cli(repo, "--write-baseline", "baseline.json").returncode == 0
    baselined = run_cli(repo, "--fix", "--baseline", "baseline.json")
    assert baselined.returncode == 0 and snapshot(repo)["app/queries.py"] == old

    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    added = "\n\ndef by_title(session, title, author_id):\n    return session.scalars(select(Article).where(Article.title == title and Article.author_id == author_id)).all()\n"
    (repo / "app/queries.py").write_text(old + added)
    changed = run_cli(repo, "--fix", "--changed-only")
    assert changed.returncode == 0, changed.stdout + changed.stderr
    assert (repo / "app/queries.py").read_text() == old + added.replace("title and Article", "title, Article"), "only the new bug"
    assert (repo / "app/other.py").read_text() == old.replace("by_slug", "other"), "not touched by the change"


@pytest.mark.parametrize(
    "before, after",
    [
        ("select([a, b])", "select(a, b)"),
        ("select(\n    [a, b],\n)", "select(\n    a, b,\n)"),
        ("select([\n    a,  # first\n    b,\n])", "select(\n    a,  # first\n    b,\n)"),
        ("select([  # cols\n    a,\n    b  # last\n])", "select(  # cols\n    a,\n    b  # last\n)"),
        ("select(\n    [\n        a\n    ],\n)", "select(\n    a,\n)"),
        ("select(\n    [a, b]  # trailing\n)", "select(\n    a, b  # trailing\n)"),
        ("select([*columns, c])", "select(*columns, c)"),
        ("select([c for c in columns])", "select(*[c for c in columns])"),
    ],
    ids=["flat", "own-lines", "comments-inside", "comments-at-brackets", "nested-lines", "trailing-comment", "star", "comprehension"],
)
def test_select_list_rewrite_keeps_layout_and_comments(before, after):
    from archlint.adapters.fixers.python_cst import fix_python
    from archlint.adapters.fixers.sqlalchemy_api import removed_api
    from archlint.domain.findings import Finding

    lines = before.split("\n")
    finding = Finding("AL203", "sqlalchemy-removed-api", "orm", "error", "q.py", 1, 1, len(lines), len(lines[-1]) + 1, "m", "g")
    result = fix_python("q.py", (before + "\n").encode(), [finding], {"AL203": removed_api}, None)
    assert result.fixed == [finding], result.declined
    assert result.after.decode() == after + "\n"


def test_a_fix_that_leaves_its_finding_is_undone_and_reported(tmp_path, monkeypatch):
    """Should a fixer and its check ever disagree, the file is put back and the finding listed,
    instead of a rewrite that fixes nothing (or a loop rewriting it again and again)."""
    from archlint.adapters.fixers.base import FileFix

    repo = make_repo(tmp_path / "repo", BROKEN_QUERY)
    original = (repo / "app/queries.py").read_bytes()
    calls = []

    def useless_fix(path, language, data, group, ctx):
        calls.append(path)
        return FileFix(path, data, data + b"# rewritten, finding untouched\n", fixed=list(group))

    monkeypatch.setattr(fixers, "fix_file", useless_fix)

    def check():
        report = run_check([str(repo)], Options(use_cache=False))
        return report, report.findings

    outcome = run_fixes(FixRequest(fix=True), check)
    assert (repo / "app/queries.py").read_bytes() == original
    assert calls == ["app/queries.py"], "not retried"
    assert not outcome.fixed and not outcome.changed_files
    assert [why for f, why in outcome.declined.items() if f.rule == "AL201"] == ["internal: the fix did not remove the finding; fix it by hand"]
