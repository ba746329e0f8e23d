"""The s47 agent-style pairs: layouts (src/, npm workspaces, feature folders), DI styles (a chain of FastAPI
providers, Koa `ctx.state`, Hono `c.var`) and ORM styles each twin is written in.  `archlint verify` must give
every stack verdict right on both twins, and the idioms the correct twins rely on must stay silent only for the
reason they are correct."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from archlint.application.pipeline import Options
from archlint.application.verify import parse_task, run_verify
from helpers import findings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ALL = {"framework": True, "architecture": True, "database": True, "orm": True}
NO_CA = {"framework": True, "database": True, "orm": True}

CASES = [
    ("agent-fastapi-src-depends-chain", "uv-fastapi-openapi-clean_architecture-postgres-sqlalchemy", ALL, ALL),
    ("agent-express-workspaces-cls", "node-express-openapi-clean_architecture-sqlite-sequelize", ALL, ALL),
    ("agent-koa-feature-folders", "node-koa-openapi-postgres-sequelize", {**NO_CA, "orm": False}, NO_CA),
    ("agent-hono-cvar-usecases", "node-hono-openapi-clean_architecture-sqlite-sequelize", ALL, ALL),
    ("agent-flask-di-container", "uv-flask-openapi-clean_architecture-sqlite-sqlalchemy", {**ALL, "database": False}, ALL),
    ("agent-aiohttp-backend-gather", "uv-aiohttp-openapi-clean_architecture-sqlite-sqlalchemy", {**ALL, "orm": False}, ALL),
    ("agent-fastify-awilix-plugin", "node-fastify-openapi-clean_architecture-postgres-sequelize", ALL, ALL),
    # s50: an awilix-koa app whose composition root is a function and whose services are asFunction factories
    ("agent-koa-awilix-scoped", "node-koa-openapi-clean_architecture-postgres-sequelize",
     {**ALL, "architecture": False, "database": False}, ALL),
    ("agent-flask-select-uow", "uv-flask-openapi-clean_architecture-postgres-sqlalchemy",
     {**ALL, "architecture": False, "database": False}, ALL),
    ("agent-fastapi-async-deps", "uv-fastapi-openapi-clean_architecture-postgres-sqlalchemy",
     {**ALL, "architecture": False, "orm": False}, ALL),
    ("agent-express-cli-models", "node-express-openapi-clean_architecture-postgres-sequelize",
     {**ALL, "architecture": False, "database": False}, ALL),
    # SQLAlchemy Core: the CA+PostgreSQL level (Core is not the ORM the ORM level asks for)
    ("agent-aiohttp-core-views", "uv-aiohttp-openapi-clean_architecture-postgres",
     {"framework": True, "architecture": False, "database": False}, {"framework": True, "architecture": True, "database": True}),
    ("agent-drf-service-layer", "uv-django-openapi-clean_architecture-postgres",
     {"framework": True, "architecture": False, "database": False}, {"framework": True, "architecture": True, "database": True}),
]


@pytest.mark.parametrize("name, task, bugs, correct", CASES, ids=[case[0] for case in CASES])
def test_both_twins_get_the_right_verdicts(name, task, bugs, correct):
    for variant, expected in (("bugs", bugs), ("correct", correct)):
        result = run_verify(str(FIXTURES / f"{name}-{variant}"), parse_task(task), options=Options(use_cache=False))
        got = {verdict.constraint: verdict.compliant for verdict in result.verdicts}
        assert got == expected, (variant, [verdict.reason for verdict in result.verdicts])


def _copy(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    return root


def test_a_workspace_member_sees_the_dependencies_npm_hoists(tmp_path):
    """`packages/api` requires `sequelize`, which only `packages/db` declares: npm workspaces install it once at
    the root, so nothing is missing — without the root's `workspaces` field the two are separate projects and the
    require fails on a clean install of `packages/api` (AL702)."""
    root = _copy(tmp_path, "agent-express-workspaces-cls-correct")
    assert findings(root) == []
    manifest = root / "package.json"
    data = json.loads(manifest.read_text())
    del data["workspaces"]
    manifest.write_text(json.dumps(data))
    assert findings(root) == [("AL702", "packages/api/src/models/index.js", 3)]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_hono_zvalidator_output_keeps_only_the_declared_keys(tmp_path):
    """`c.req.valid('json')` behind `zValidator('json', z.object(…))` holds the schema's keys only: silent.  Without the
    middleware it is the body as sent (AL504); a nested `.passthrough()` keeps unknown keys (AL504); a schema that
    declares the `authorId` foreign key (from `belongsTo(User, { as: 'author', foreignKey: 'authorId' })`) lets the
    client choose the owner (AL504)."""
    root = _copy(tmp_path, "agent-hono-cvar-usecases-correct")
    routes = root / "src" / "http" / "articles.ts"
    original = routes.read_text()
    expected = [("AL504", "src/persistence/articleStore.ts", 65)]

    _edit(routes, "articles.put('/articles/:slug', zValidator('json', articleChanges), async", "articles.put('/articles/:slug', async")
    _edit(routes, "const payload = c.req.valid('json');", "const payload = await c.req.json();")
    assert findings(root) == expected

    routes.write_text(original)
    _edit(routes, "    body: z.string().optional(),\n  }),\n});", "    body: z.string().optional(),\n  }).passthrough(),\n});")
    assert findings(root) == expected

    routes.write_text(original)
    _edit(routes, "    body: z.string().optional(),\n  }),\n});", "    body: z.string().optional(),\n  }),\n  authorId: z.number().optional(),\n});")
    _edit(routes, "viewerId, payload.article);", "viewerId, payload);")
    assert findings(root) == expected


_BLOCKS_APP = {
    "requirements.txt": "fastapi\nsqlalchemy\n",
    "app/models.py": """
        from sqlalchemy import ForeignKey
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


        class Base(DeclarativeBase):
            pass


        class Article(Base):
            __tablename__ = "articles"
            id: Mapped[int] = mapped_column(primary_key=True)
            title: Mapped[str]


        class Tag(Base):
            __tablename__ = "tags"
            id: Mapped[int] = mapped_column(primary_key=True)
            article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
            name: Mapped[str]
    """,
    "app/store.py": """
        from sqlalchemy import create_engine
        from sqlalchemy.orm import sessionmaker

        from app.models import Article, Tag

        Session = sessionmaker(create_engine("sqlite:///x.db"))


        def add_article(title):
            with Session.begin() as session:
                article = Article(title=title)
                session.add(article)
                session.flush()
                return article.id


        def add_tag(article_id, name):
            with Session.begin() as session:
                session.add(Tag(article_id=article_id, name=name))


        def add_tag_in(session, article_id, name):
            with session.begin_nested():
                session.add(Tag(article_id=article_id, name=name))
    """,
    "app/main.py": """
        from fastapi import FastAPI

        from app import store
        from app.models import Article

        app = FastAPI()


        @app.post("/articles")
        def create(title: str, tag: str):
            article_id = store.add_article(title)
            store.add_tag(article_id, tag)
            return {"id": article_id}


        @app.post("/tags")
        def tags(article_id: int, first: str, second: str):
            store.add_tag(article_id, first)
            return {"ok": True}


        @app.post("/drafts")
        def drafts(title: str, tag: str):
            with store.Session.begin() as session:
                article = Article(title=title)
                session.add(article)
                session.flush()
                store.add_tag_in(session, article.id, tag)
            return {"id": article.id}
    """,
}


def test_writes_in_two_transaction_blocks_are_two_transactions(tmp_path):
    """`store.add_article` and `store.add_tag` each open `with Session.begin()`: the article is committed before the
    tag's block starts (AL305 at the first call).  One block around both (a helper's `begin_nested()` inside it is a
    savepoint of the same transaction) is one transaction: silent; so is one block alone."""
    from helpers import make_repo

    root = make_repo(tmp_path / "blocks", _BLOCKS_APP)
    assert findings(root, select=("AL305",)) == [("AL305", "app/main.py", 11)]


@pytest.mark.parametrize("lookup", [
    "request.diScope.resolve('articleService')",
    "request.diScope.cradle.articleService",
    "fastify.diContainer.resolve('articleService')",
    "fastify.diContainer.cradle.articleService",
])
def test_fastify_awilix_slots_hold_the_container(tmp_path, lookup):
    """@fastify/awilix puts the container on the instance (`fastify.diContainer`) and a request scope on every request
    (`request.diScope`): what they resolve is the registered service, so the body the handler passes reaches
    `article.update(changes)` (AL504).  Without any awilix registration the same attribute is an unknown request slot."""
    root = _copy(tmp_path, "agent-fastify-awilix-plugin-bugs")
    routes = root / "src" / "routes" / "articles.js"
    _edit(routes, "    const service = request.diScope.resolve('articleService');\n    const article = await service.update(",
          f"    const article = await {lookup}.update(")
    assert ("AL504", "src/repositories/articleRepository.js", 33) in findings(root)
    server = root / "src" / "server.js"
    _edit(server, "diContainer.register({", "diContainer.registerNothing({")
    assert ("AL504", "src/repositories/articleRepository.js", 33) not in findings(root)


def test_a_class_view_is_guarded_by_the_method_of_the_operation_only(tmp_path):
    """aiohttp `web.View`: `ArticlesView.post` calls `require_user`, `get` reads the optional viewer — the public
    GET /api/articles is not guarded by what `post` calls (AL814 used to fire on every public GET of such a view).
    A `get` that calls `require_user` first is."""
    root = _copy(tmp_path, "agent-aiohttp-core-views-correct")
    assert findings(root) == []
    _edit(root / "conduit" / "web" / "views.py",
          "class ArticlesView(web.View):\n    async def get(self) -> web.Response:\n",
          "class ArticlesView(web.View):\n    async def get(self) -> web.Response:\n        require_user(self.request)\n")
    assert findings(root) == [("AL814", "conduit/web/routes.py", 12)]
