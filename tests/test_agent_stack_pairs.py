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
