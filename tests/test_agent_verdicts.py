"""`archlint verify` on the s46 agent-style pairs: the defects planted in a bugs twin are runtime defects, so the
constraint verdicts stay PASS — except where the planted defect is itself a constraint violation (a raw driver
beside the required ORM: the ORM verdict fails, and a driver imported in the services layer fails the architecture)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archlint.application.pipeline import Options
from archlint.application.verify import parse_task, run_verify

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ALL = {"framework": True, "architecture": True, "database": True, "orm": True}

CASES = [
    ("agent-fastapi-annotated-lifespan", "uv-fastapi-openapi-clean_architecture-postgres-sqlalchemy", ALL),
    ("agent-flask-fsa3-paginate", "uv-flask-openapi-clean_architecture-sqlite-sqlalchemy",
     {**ALL, "architecture": False, "orm": False}),
    ("agent-django-cbv-request-session", "uv-django-openapi-clean_architecture-postgres-sqlalchemy", {**ALL, "orm": False}),
    ("agent-aiohttp-appkey-sessionmaker", "uv-aiohttp-openapi-clean_architecture-sqlite-sqlalchemy", ALL),
    ("agent-express-define-managed-tx", "node-express-openapi-clean_architecture-sqlite-sequelize", ALL),
    ("agent-koa-model-init-unmanaged-tx", "node-koa-openapi-clean_architecture-postgres-sequelize",
     {**ALL, "architecture": False, "orm": False}),
    ("agent-hono-model-scopes", "node-hono-openapi-clean_architecture-sqlite-sequelize", ALL),
    ("agent-fastify-decorate-models", "node-fastify-openapi-clean_architecture-postgres-sequelize", ALL),
]


@pytest.mark.parametrize("name, task, bugs", CASES, ids=[case[0] for case in CASES])
def test_both_twins_get_the_right_verdicts(name, task, bugs):
    for variant, expected in (("bugs", bugs), ("correct", ALL)):
        result = run_verify(str(FIXTURES / f"{name}-{variant}"), parse_task(task), options=Options(use_cache=False))
        got = {verdict.constraint: verdict.compliant for verdict in result.verdicts}
        assert got == expected, (variant, [verdict.reason for verdict in result.verdicts])


def test_an_es_module_autoload_folder_registers_its_routes():
    """`@fastify/autoload` given `join(dirname(fileURLToPath(import.meta.url)), "routes")` (lifeiscontent/fastify-realworld
    `src/app.ts`) loads the routes folder as `__dirname` would: the framework verdict sees the routes on both twins (it
    failed with "no route is registered" before)."""
    task = parse_task("node-fastify-openapi-clean_architecture-postgres-sequelize")
    for variant in ("bugs", "correct"):
        result = run_verify(str(FIXTURES / f"real-fastify-kysely-esm-autoload-{variant}"), task, options=Options(use_cache=False))
        framework = next(verdict for verdict in result.verdicts if verdict.constraint == "framework")
        assert framework.compliant, framework.reason
        assert "2 route registration" in framework.reason
