"""Issue 11: every file is parsed at most once per run.

The semantic model reads modules the deep plan did not name (a schema a route annotates with, an
exceptions module a service raises from): their IR and their body were each re-read and re-parsed
on first use, after the syntax-only pass had parsed them already — three parses of one file.  The
parser is counted here per file content, on a small app of the shape agents write (Python and
JS/TS, a data layer with SQL, handlers, an error handler)."""

from __future__ import annotations

import collections
import hashlib

import pytest
import tree_sitter

from archlint.adapters.frontends import javascript, python
from archlint.application.pipeline import Options, run_check
from helpers import make_repo

APP = {
    "app/__init__.py": "",
    "app/db.py": """
        from sqlalchemy import create_engine, text
        from sqlalchemy.orm import DeclarativeBase, sessionmaker

        engine = create_engine("sqlite:///./app.db")
        SessionLocal = sessionmaker(bind=engine)

        class Base(DeclarativeBase):
            pass

        def get_db():
            db = SessionLocal()
            try:
                yield db
            finally:
                db.close()
        """,
    "app/core/__init__.py": "",
    "app/core/exceptions.py": """
        class NotFound(Exception):
            def __init__(self, kind: str, key: int) -> None:
                super().__init__(f"{kind} {key} not found")
                self.kind, self.key = kind, key
        """,
    "app/models/__init__.py": "",
    "app/models/article.py": """
        from sqlalchemy import Column, Integer, String

        from ..db import Base

        class Article(Base):
            __tablename__ = "articles"
            id = Column(Integer, primary_key=True)
            title = Column(String(120), nullable=False)
        """,
    "app/schemas/__init__.py": "",
    "app/schemas/article.py": """
        from pydantic import BaseModel

        class ArticleIn(BaseModel):
            title: str

        class ArticleOut(BaseModel):
            id: int
            title: str
        """,
    "app/repositories/__init__.py": "",
    "app/repositories/articles.py": """
        from sqlalchemy import select, text
        from sqlalchemy.orm import Session

        from ..models.article import Article

        class ArticleRepository:
            def __init__(self, session: Session) -> None:
                self.session = session

            def get(self, item_id: int) -> Article | None:
                return self.session.get(Article, item_id)

            def by_title(self, title: str):
                return self.session.execute(text("SELECT id, title FROM articles WHERE title = :t"), {"t": title}).first()

            def add(self, title: str) -> Article:
                item = Article(title=title)
                self.session.add(item)
                self.session.commit()
                return item
        """,
    "app/services/__init__.py": "",
    "app/services/articles.py": """
        from ..core.exceptions import NotFound
        from ..repositories.articles import ArticleRepository
        from ..schemas.article import ArticleIn

        class ArticleService:
            def __init__(self, repository: ArticleRepository) -> None:
                self.repository = repository

            def get(self, item_id: int):
                item = self.repository.get(item_id)
                if item is None:
                    raise NotFound("article", item_id)
                return item

            def create(self, data: ArticleIn):
                return self.repository.add(data.title)
        """,
    "app/routes/__init__.py": "",
    "app/routes/articles.py": """
        from fastapi import APIRouter, Depends
        from sqlalchemy.orm import Session

        from ..db import get_db
        from ..repositories.articles import ArticleRepository
        from ..schemas.article import ArticleIn, ArticleOut
        from ..services.articles import ArticleService

        router = APIRouter()

        @router.get("/articles/{item_id}", response_model=ArticleOut)
        def read(item_id: int, db: Session = Depends(get_db)):
            return ArticleService(ArticleRepository(db)).get(item_id)

        @router.post("/articles", response_model=ArticleOut)
        def create(data: ArticleIn, db: Session = Depends(get_db)):
            return ArticleService(ArticleRepository(db)).create(data)
        """,
    "app/main.py": """
        from fastapi import FastAPI
        from fastapi.responses import JSONResponse

        from .core.exceptions import NotFound
        from .routes.articles import router

        app = FastAPI()
        app.include_router(router)

        @app.exception_handler(NotFound)
        async def not_found(request, exc: NotFound):
            return JSONResponse({"error": str(exc)}, status_code=404)
        """,
    "tests/test_articles.py": """
        from app.services.articles import ArticleService

        def test_get():
            assert ArticleService
        """,
    "web/package.json": '{"name": "web", "dependencies": {"express": "^4.19.0", "pg": "^8.11.0"}}\n',
    "web/src/db.js": """
        const { Pool } = require('pg');
        const pool = new Pool({ connectionString: process.env.DATABASE_URL });
        module.exports = { pool };
        """,
    "web/src/errors.ts": """
        export class HttpError extends Error {
          constructor(public status: number, message: string) { super(message); }
        }
        export function errorHandler(err: any, req: any, res: any, next: any) {
          res.status(err.status || 500).json({ error: err.message });
        }
        """,
    "web/src/users.js": """
        const { pool } = require('./db');
        const { HttpError } = require('./errors');

        async function findUser(id) {
          const { rows } = await pool.query('SELECT id, email FROM users WHERE id = $1', [id]);
          if (!rows.length) throw new HttpError(404, 'no such user');
          return rows[0];
        }
        module.exports = { findUser };
        """,
    "web/src/server.js": """
        const express = require('express');
        const { findUser } = require('./users');
        const { errorHandler } = require('./errors');

        const app = express();
        app.get('/users/:id', async (req, res, next) => {
          try { res.json(await findUser(req.params.id)); } catch (err) { next(err); }
        });
        app.use(errorHandler);
        app.listen(3000);
        """,
}


@pytest.fixture
def parses(monkeypatch):
    """Parser calls per parsed content (tree-sitter's Parser cannot be subclassed: the frontends'
    parsers are rebuilt as wrappers that count)."""
    counts: collections.Counter[str] = collections.Counter()
    real = tree_sitter.Parser

    class Counting:
        def __init__(self, *args, **kwargs) -> None:
            self.parser = real(*args, **kwargs)

        def parse(self, data, *args, **kwargs):
            counts[hashlib.sha1(bytes(data)).hexdigest()] += 1
            return self.parser.parse(data, *args, **kwargs)

    caches = (python._language_parser, python._grammar, javascript._grammar)
    for cached in caches:
        cached.cache_clear()
    monkeypatch.setattr(tree_sitter, "Parser", Counting)
    yield counts
    monkeypatch.undo()
    for cached in caches:
        cached.cache_clear()


def test_each_file_is_parsed_at_most_once_per_run(tmp_path, parses):
    root = make_repo(tmp_path, APP)
    report = run_check([str(root)], Options(use_cache=False, jobs=1))
    contents = {hashlib.sha1((root / path).read_bytes()).hexdigest(): path for path in APP if path.endswith((".py", ".js", ".ts"))}
    per_file = collections.Counter({contents.get(digest, digest): count for digest, count in parses.items()})
    assert set(per_file) <= set(contents.values())  # no parse of anything else (a rewritten text)
    assert {path for path in per_file} >= {"app/schemas/article.py", "app/core/exceptions.py", "web/src/server.js"}
    assert {path: count for path, count in per_file.items() if count > 1} == {}
    # the app is analysed deep: the data layer was read, and the run found what it finds
    assert report.context.files["app/repositories/articles.py"].has_body
    assert report.context.files["app/schemas/article.py"].syntax_checked


TS_LIBRARY = {
    "src/schema/index.ts": 'export * from "./field";\nexport type { Field } from "./field";\n',
    "src/schema/field.ts": 'import * as Util from "../util";\nexport interface Field { name: string }\nexport const field = (n: string) => Util.id(n);\n',
    "src/util.ts": "export const id = <A>(a: A): A => a;\n",
    "src/broken.ts": 'import { id } from "./util";\nexport const x = id(;\n',
}


def test_a_layers_only_run_parses_no_js_file_the_scanner_read(tmp_path, parses):
    """Issue 11: the import graph of ES-module TS comes from the byte-level scanner; a run whose
    rules read no body (``--select layering``) parses none of it, and builds no body or IR."""
    root = make_repo(tmp_path, TS_LIBRARY)
    report = run_check([str(root)], Options(use_cache=False, jobs=1, select=("layering",)))
    assert sum(parses.values()) == 0
    files = report.context.files
    assert [i.module for i in files["src/schema/field.ts"].imports] == ["../util"]
    assert not any(f.has_body or f.has_ir for f in files.values())


def test_a_full_run_parses_each_scanned_js_file_once_for_its_syntax(tmp_path, parses):
    root = make_repo(tmp_path, TS_LIBRARY)
    report = run_check([str(root)], Options(use_cache=False, jobs=1))
    assert [f.rule for f in report.findings if f.path == "src/broken.ts"] == ["AL001"]
    assert parses and max(parses.values()) == 1  # the syntax verdict's one parse (two when a grammar gap is rewritten)


GAP = (
    "export const twice: {\n"
    "  <Fn extends (...args: Array<any>) => any>(self: Fn): Fn\n"
    "  <Fn extends (...args: Array<any>) => any>(self: Fn, n: number): Fn\n"
    "} = (f: any) => f;\n"
)


def test_only_a_file_whose_first_parse_trips_on_a_grammar_gap_is_parsed_twice(tmp_path, parses):
    """A grammar gap (js_syntax) costs one more parse, of the rewritten text, for that file alone:
    the facts, the IR and the syntax verdict all come from that second tree."""
    root = make_repo(tmp_path, {**TS_LIBRARY, "src/overloads.ts": GAP})
    report = run_check([str(root)], Options(use_cache=False, jobs=1))
    assert [f.path for f in report.findings if f.rule == "AL001"] == ["src/broken.ts"]
    contents = {hashlib.sha1((root / path).read_bytes()).hexdigest(): path for path in TS_LIBRARY}
    contents[hashlib.sha1((root / "src/overloads.ts").read_bytes()).hexdigest()] = "src/overloads.ts"
    per_file = collections.Counter({contents.get(digest, "(rewritten)"): count for digest, count in parses.items()})
    assert max(per_file.values()) == 1
    assert per_file["src/overloads.ts"] == 1 and per_file["(rewritten)"] == 1
