"""Manifest readers: every format with realistic content, exact lines, and hostile input."""

from __future__ import annotations

import pytest

from archlint.adapters.manifests import (
    MANIFEST_NAMES,
    MAX_CHARS,
    is_manifest,
    merge,
    read_manifest_file,
)
from archlint.domain.manifest import ComposeService, Dependency, EnvVar, Manifest, PackageJson


def deps(manifest: Manifest) -> list[tuple[str, str, int, bool]]:
    return [(d.name, d.spec, d.line, d.dev) for d in manifest.dependencies]


def env(manifest: Manifest) -> list[tuple[str, str, int]]:
    return [(e.name, e.value, e.line) for e in manifest.env]


# --- recognition ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "requirements.txt",
        "backend/requirements-dev.txt",
        "dev-requirements.txt",
        "requirements/base.txt",
        "requirements.in",
        "requirements/test.in",
        "pyproject.toml",
        "svc/setup.cfg",
        "setup.py",
        "Pipfile",
        ".env",
        ".env.example",
        "api/.env.development",
        "prod.env",
        "docker-compose.yml",
        "deploy/docker-compose.prod.yaml",
        "compose.yaml",
        "compose.override.yml",
    ],
)
def test_recognises_manifests(path: str) -> None:
    assert is_manifest(path)


@pytest.mark.parametrize(
    "path",
    [
        "package.json",
        "web/tsconfig.json",
        "tsconfig.base.json",
        "jsconfig.json",
        "MANIFEST.in",
        "config.h.in",
        "Pipfile.lock",
        "notes.txt",
        "app/main.py",
        ".envrc",
        "docker-compose.json",
        "poetry.lock",
    ],
)
def test_rejects_other_files(path: str) -> None:
    assert not is_manifest(path)
    assert read_manifest_file(path, "flask==3.0\nKEY=value\n") == Manifest()


def test_manifest_names_are_all_recognised_and_exclude_js_config() -> None:
    assert all(is_manifest(name) for name in MANIFEST_NAMES)
    assert "package.json" not in MANIFEST_NAMES
    assert "requirements.txt" in MANIFEST_NAMES


# --- requirements.txt -------------------------------------------------------------------------

REQUIREMENTS = """\
# FastAPI + SQLAlchemy backend
-r base.txt
-c constraints.txt
--index-url https://pypi.org/simple

fastapi==0.110.0
psycopg2-binary==2.9.9
sqlalchemy[asyncio]>=2.0  # async engine
Flask_SQLAlchemy>=3.1
alembic >= 1.13, < 2 ; python_version >= "3.10"
mylib @ git+https://github.com/acme/mylib.git@v1.2
-e git+https://github.com/acme/shared.git#egg=acme_shared
-e ./packages/local
uvicorn[standard]==0.29.0 \\
    --hash=sha256:0123456789abcdef
https://example.com/dist/anonymous-1.0.tar.gz
./vendor/pkg
"""


def test_requirements_txt() -> None:
    manifest = read_manifest_file("backend/requirements.txt", REQUIREMENTS)
    assert deps(manifest) == [
        ("fastapi", "==0.110.0", 6, False),
        ("psycopg2-binary", "==2.9.9", 7, False),
        ("sqlalchemy", "[asyncio]>=2.0", 8, False),
        ("flask-sqlalchemy", ">=3.1", 9, False),
        ("alembic", ">=1.13,<2", 10, False),
        ("mylib", "@ git+https://github.com/acme/mylib.git@v1.2", 11, False),
        ("acme-shared", "@ git+https://github.com/acme/shared.git#egg=acme_shared", 12, False),
        ("uvicorn", "[standard]==0.29.0", 14, False),
    ]
    assert {d.path for d in manifest.dependencies} == {"backend/requirements.txt"}
    assert {d.ecosystem for d in manifest.dependencies} == {"pypi"}
    assert manifest.files == ["backend/requirements.txt"]


@pytest.mark.parametrize(
    ("path", "dev"),
    [
        ("requirements-dev.txt", True),
        ("requirements/test.txt", True),
        ("requirements/testing.in", True),
        ("requirements/prod.txt", False),
        ("requirements.in", False),
    ],
)
def test_requirements_dev_flag_follows_file_name(path: str, dev: bool) -> None:
    manifest = read_manifest_file(path, "pytest>=8\n")
    assert [(d.name, d.dev) for d in manifest.dependencies] == [("pytest", dev)]


def test_requirements_prose_is_not_a_dependency() -> None:
    text = "This folder pins versions.\nSee docs: https://example.com\nPROJECT = foo\n"
    assert read_manifest_file("requirements/README.txt", text).dependencies == []


# --- pyproject.toml ---------------------------------------------------------------------------

PEP621 = """\
[build-system]
requires = ["hatchling"]

[project]
name = "conduit"
dependencies = [
    "fastapi>=0.110",
    "fastapi-users[sqlalchemy]>=13",
    "psycopg[binary]>=3.1",
    'SQLAlchemy[asyncio]>=2.0; python_version >= "3.10"',
]

[project.optional-dependencies]
postgres = ["asyncpg>=0.29"]
dev = [
    "pytest>=8",
    "fastapi>=0.110",
]
docs = ["mkdocs"]

[dependency-groups]
lint = ["ruff>=0.4", {include-group = "typing"}]
typing = ["mypy"]
"""


def test_pyproject_pep621_and_pep735() -> None:
    manifest = read_manifest_file("pyproject.toml", PEP621)
    assert deps(manifest) == [
        ("fastapi", ">=0.110", 7, False),
        ("fastapi-users", "[sqlalchemy]>=13", 8, False),
        ("psycopg", "[binary]>=3.1", 9, False),
        ("sqlalchemy", "[asyncio]>=2.0", 10, False),
        ("asyncpg", ">=0.29", 14, False),
        ("pytest", ">=8", 16, True),
        ("fastapi", ">=0.110", 17, True),
        ("mkdocs", "", 19, True),
        ("ruff", ">=0.4", 22, True),
        ("mypy", "", 23, True),
    ]
    assert manifest.files == ["pyproject.toml"]


POETRY = """\
[tool.poetry]
name = "conduit"
version = "0.1.0"

[tool.poetry.dependencies]
python = "^3.11"
fastapi = "^0.110"
SQLAlchemy = {version = "^2.0", extras = ["asyncio"]}
asyncpg = "*"
"psycopg2-binary" = "2.9.9"
shared = {git = "https://github.com/acme/shared.git", branch = "main"}

[tool.poetry.group.test.dependencies]
pytest = "^8.0"

[tool.poetry.group.lint.dependencies]
ruff = "^0.4"

[tool.poetry.dev-dependencies]
black = "^24"
"""


def test_pyproject_poetry() -> None:
    manifest = read_manifest_file("services/api/pyproject.toml", POETRY)
    assert deps(manifest) == [
        ("fastapi", "^0.110", 7, False),
        ("sqlalchemy", "[asyncio]^2.0", 8, False),
        ("asyncpg", "*", 9, False),
        ("psycopg2-binary", "2.9.9", 10, False),
        ("shared", "@ https://github.com/acme/shared.git", 11, False),
        ("black", "^24", 20, True),
        ("pytest", "^8.0", 14, True),
        ("ruff", "^0.4", 17, True),
    ]


def test_pyproject_wrong_types_are_ignored() -> None:
    text = '[project]\ndependencies = "flask"\noptional-dependencies = [1]\n[tool]\npoetry = 3\n'
    manifest = read_manifest_file("pyproject.toml", text)
    assert manifest == Manifest(files=["pyproject.toml"])


# --- setup.cfg / setup.py / Pipfile -----------------------------------------------------------

SETUP_CFG = """\
[metadata]
name = conduit

[options]
packages = find:
install_requires =
    Django>=4.2
    psycopg2>=2.9  # the C driver
    django-environ

[options.extras_require]
test =
    pytest-django
"""


def test_setup_cfg() -> None:
    manifest = read_manifest_file("setup.cfg", SETUP_CFG)
    assert deps(manifest) == [
        ("django", ">=4.2", 7, False),
        ("psycopg2", ">=2.9", 8, False),
        ("django-environ", "", 9, False),
        ("pytest-django", "", 13, True),
    ]


SETUP_PY = """\
from setuptools import setup

REQUIRES = [
    "flask>=3.0",
    "flask-sqlalchemy",
]

setup(
    name="legacy",
    install_requires=REQUIRES,
)
setup(install_requires=["pymongo==4.6", some_variable, "redis"])
"""


def test_setup_py_is_read_statically() -> None:
    manifest = read_manifest_file("setup.py", SETUP_PY)
    assert deps(manifest) == [
        ("flask", ">=3.0", 4, False),
        ("flask-sqlalchemy", "", 5, False),
        ("pymongo", "==4.6", 12, False),
        ("redis", "", 12, False),
    ]


def test_setup_py_is_never_executed(tmp_path) -> None:
    marker = tmp_path / "executed"
    text = f"open({str(marker)!r}, 'w').write('x')\nsetup(install_requires=['flask'])\n"
    manifest = read_manifest_file("setup.py", text)
    assert [d.name for d in manifest.dependencies] == ["flask"]
    assert not marker.exists()


PIPFILE = """\
[[source]]
url = "https://pypi.org/simple"

[packages]
django = "*"
psycopg = {version = ">=3.1", extras = ["binary"]}

[dev-packages]
pytest-django = "==4.8"
"""


def test_pipfile() -> None:
    manifest = read_manifest_file("Pipfile", PIPFILE)
    assert deps(manifest) == [
        ("django", "*", 5, False),
        ("psycopg", "[binary]>=3.1", 6, False),
        ("pytest-django", "==4.8", 9, True),
    ]


# --- .env -------------------------------------------------------------------------------------

DOTENV = """\
# local settings
export DATABASE_URL="postgresql://user:pass@localhost:5432/conduit"
SECRET_KEY='s3cr#t value'
DEBUG=true # inline comment
EMPTY=
HASHED=abc#def
GREETING="say \\"hi\\""
PRIVATE_KEY="-----BEGIN KEY-----
MIIBOgIBAAJBAK==
-----END KEY-----"
REDIS_URL = redis://redis:6379/0
not a variable
BROKEN="unterminated
AFTER=1
"""


def test_dotenv() -> None:
    manifest = read_manifest_file(".env.example", DOTENV)
    assert env(manifest) == [
        ("DATABASE_URL", "postgresql://user:pass@localhost:5432/conduit", 2),
        ("SECRET_KEY", "s3cr#t value", 3),
        ("DEBUG", "true", 4),
        ("EMPTY", "", 5),
        ("HASHED", "abc#def", 6),
        ("GREETING", 'say "hi"', 7),
        ("PRIVATE_KEY", "-----BEGIN KEY-----\nMIIBOgIBAAJBAK==\n-----END KEY-----", 8),
        ("REDIS_URL", "redis://redis:6379/0", 11),
        ("BROKEN", "unterminated", 13),
        ("AFTER", "1", 14),
    ]
    assert {e.path for e in manifest.env} == {".env.example"}
    assert manifest.files == [".env.example"]


# --- docker-compose ---------------------------------------------------------------------------

COMPOSE = """\
x-common-env: &common-env
  LOG_LEVEL: info
  TZ: UTC

services:
  postgres:
    image: postgres:16
    environment:
      POSTGRES_USER: user
      POSTGRES_PASSWORD: pass
      POSTGRES_DB: conduit
    ports:
      - "5432:5432"
  app:
    build: .
    environment:
      <<: *common-env
      DATABASE_URL: postgresql://user:pass@postgres:5432/conduit
      TZ: Europe/Paris
      PORT: 8000
      PASSTHROUGH:
  worker:
    image: "conduit-worker:latest"
    environment:
      - DATABASE_URL=postgresql://user:pass@postgres:5432/conduit
      - CELERY_CONCURRENCY=4
      - HOME
"""


def test_compose_services_and_environment() -> None:
    manifest = read_manifest_file("deploy/docker-compose.yml", COMPOSE)
    assert manifest.services == [
        ComposeService("postgres", "postgres:16", "deploy/docker-compose.yml", 6),
        ComposeService("app", "", "deploy/docker-compose.yml", 14),
        ComposeService("worker", "conduit-worker:latest", "deploy/docker-compose.yml", 22),
    ]
    assert env(manifest) == [
        ("POSTGRES_USER", "user", 9),
        ("POSTGRES_PASSWORD", "pass", 10),
        ("POSTGRES_DB", "conduit", 11),
        ("LOG_LEVEL", "info", 2),
        ("TZ", "Europe/Paris", 19),
        ("DATABASE_URL", "postgresql://user:pass@postgres:5432/conduit", 18),
        ("PORT", "8000", 20),
        ("PASSTHROUGH", "", 21),
        ("DATABASE_URL", "postgresql://user:pass@postgres:5432/conduit", 25),
        ("CELERY_CONCURRENCY", "4", 26),
        ("HOME", "", 27),
    ]
    assert manifest.files == ["deploy/docker-compose.yml"]


def test_compose_does_not_construct_python_objects(tmp_path) -> None:
    marker = tmp_path / "constructed"
    tag = f"!!python/object/apply:builtins.open [{str(marker)!r}, 'w']"
    text = f"services:\n  x:\n    image: {tag}\n    environment:\n      A: {tag}\n"
    manifest = read_manifest_file("compose.yml", text)
    assert manifest.services == [ComposeService("x", "", "compose.yml", 2)]
    assert manifest.env == []
    assert not marker.exists()


def test_compose_merge_bomb_and_alias_cycle_terminate() -> None:
    bomb = ["a0: &a0 {K: v}"]
    bomb += [f"a{i}: &a{i} {{<<: [{', '.join([f'*a{i - 1}'] * 9)}]}}" for i in range(1, 12)]
    text = "\n".join(bomb) + "\nservices:\n  s:\n    environment: *a11\n"
    assert env(read_manifest_file("compose.yml", text)) == [("K", "v", 1)]
    cycle = "services: &s\n  app:\n    environment:\n      <<: *s\n      A: b\n"
    assert env(read_manifest_file("compose.yml", cycle)) == [("A", "b", 5)]


# --- malformed input --------------------------------------------------------------------------

MALFORMED = [
    ("pyproject.toml", '[project\ndependencies = ["flask"'),
    ("Pipfile", "[packages]\ndjango = \n"),
    ("setup.cfg", "install_requires = flask\n[options\n"),
    ("setup.py", "setup(install_requires=['flask'\n"),
    ("docker-compose.yml", "services:\n  app:\n    image: [unclosed\n  - bad: : :\n"),
    ("docker-compose.yml", "- just\n- a list\n"),
    ("compose.yaml", "services: 42\n"),
    ("requirements.txt", "\ufffd\ufffd\x01\x02 ))) ((\n==1.0\n[extras]\n"),
    (".env", "=novalue\n  = \n\ufffd\ufffd\n"),
    ("setup.py", "x = (" * 500 + ")" * 500),
    ("pyproject.toml", "a = " + "[" * 5000 + "]" * 5000),
]


@pytest.mark.parametrize(("path", "text"), MALFORMED)
def test_malformed_input_yields_empty_manifest(path: str, text: str) -> None:
    assert read_manifest_file(path, text) == Manifest(files=[path])


@pytest.mark.parametrize("path", ["requirements.txt", "pyproject.toml", ".env", "compose.yml"])
def test_binary_garbage_lists_file_but_nothing_else(path: str) -> None:
    garbage = "flask==3.0\nKEY=1\x00\x01\x02\xff"
    assert read_manifest_file(path, garbage) == Manifest(files=[path])


def test_oversized_file_is_ignored() -> None:
    text = "flask==3.0\n" + "#" * MAX_CHARS
    assert read_manifest_file("requirements.txt", text) == Manifest()


# --- merge ------------------------------------------------------------------------------------


def test_merge_orders_by_path_then_line_regardless_of_input_order() -> None:
    reqs = read_manifest_file("requirements.txt", "flask\nredis\n")
    compose = read_manifest_file("compose.yml", "services:\n  db:\n    image: postgres:16\n")
    dotenv = read_manifest_file(".env", "A=1\n")
    pkg = Manifest(packages=[PackageJson("web", "web", ())], files=["web/package.json"])
    merged = merge([reqs, pkg, compose, dotenv, reqs])
    assert merged == merge([dotenv, reqs, compose, pkg, reqs])
    assert merged.files == [".env", "compose.yml", "requirements.txt", "web/package.json"]
    assert merged.dependencies == [
        Dependency("flask", "", "pypi", "requirements.txt", 1),
        Dependency("flask", "", "pypi", "requirements.txt", 1),
        Dependency("redis", "", "pypi", "requirements.txt", 2),
        Dependency("redis", "", "pypi", "requirements.txt", 2),
    ]
    assert merged.services == [ComposeService("db", "postgres:16", "compose.yml", 2)]
    assert merged.env == [EnvVar("A", "1", ".env", 1)]
    assert merged.packages == pkg.packages


def test_merge_of_nothing_is_empty() -> None:
    assert merge([]) == Manifest()


def test_a_tree_splits_into_projects_by_manifest():
    from archlint.domain.manifest import Dependency, EnvVar, Manifest
    from archlint.domain.projects import projects_from

    projects = projects_from(["docker-compose.yml", "api/package.json", "api/src/db.ts", "worker/pyproject.toml",
                              "worker/app/jobs.py", "scripts/seed.py", "README.md"])
    assert projects.roots == ("", "api", "worker")
    assert projects.of("api/src/db.ts") == "api" and projects.of("worker/app/jobs.py") == "worker"
    assert projects.of("scripts/seed.py") == "" and projects.of("apiary/x.py") == ""
    manifest = Manifest(
        dependencies=[Dependency("pg", "^8", "npm", "api/package.json", 3), Dependency("psycopg", "3", "pypi", "worker/pyproject.toml", 5)],
        env=[EnvVar("DATABASE_URL", "postgresql://db/x", ".env", 1), EnvVar("DATABASE_URL", "sqlite:///w.db", "worker/.env", 1)],
    )
    api = projects.manifest_of(manifest, "api")
    assert [d.name for d in api.dependencies] == ["pg"]  # never the sibling's
    assert [e.path for e in api.env] == [".env"]  # but the enclosing project's shared config


def test_an_unpacked_wheels_requires_dist_is_its_dependency_list(tmp_path) -> None:
    """Real code is often measured from a wheel: its ``*.dist-info/METADATA`` pins what it runs on
    (indico 3.3: ``sqlalchemy (==1.4.48)``), so the SQLAlchemy 2.0 removed-API rule (AL203) must see
    the 1.x pin there as it does in a requirements file; an extra's requirement is optional."""
    metadata = (
        "Metadata-Version: 2.1\nName: conduit\nVersion: 1.0\n"
        "Requires-Dist: sqlalchemy (==1.4.48)\n"
        "Requires-Dist: psycopg2>=2.9 ; python_version >= '3.8'\n"
        "Requires-Dist: pytest ; extra == 'dev'\n"
        'Requires-Dist: pymysql ; extra == "mysql"\n'
        "\nRequires-Dist: prose in the description is not a header\n"
    )
    found = read_manifest_file("conduit-1.0.dist-info/METADATA", metadata).dependencies
    assert [(d.name, d.spec, d.line, d.dev) for d in found] == [
        ("sqlalchemy", "==1.4.48", 4, False), ("psycopg2", ">=2.9", 5, False), ("pytest", "", 6, True),
        ("pymysql", "", 7, False)]
    assert read_manifest_file("docs/METADATA", metadata).dependencies == []

    from helpers import make_repo, report

    files = {"conduit/__init__.py": "", "conduit/db.py": '''
        from sqlalchemy import create_engine, select

        engine = create_engine("postgresql://localhost/conduit")


        def names(users):
            with engine.connect() as conn:
                return conn.execute(select([users.c.name])).fetchall()
    '''}
    pinned = make_repo(tmp_path / "pinned", {**files, "conduit-1.0.dist-info/METADATA": metadata})
    unpinned = make_repo(tmp_path / "unpinned", files)
    assert [f.rule for f in report(pinned).findings if f.rule == "AL203"] == []
    assert [f.rule for f in report(unpinned).findings if f.rule == "AL203"] == ["AL203"]


def test_a_wheels_own_compiled_modules_and_optional_backends_are_declared(tmp_path) -> None:
    """Two false alarms of AL702 on the SQLAlchemy and tortoise-orm wheels: ``from
    sqlalchemy.cyextension.processors import …`` names a compiled ``.so`` of the package itself (its
    ``__init__.py`` is in the tree), and tortoise's MySQL backend imports pymysql, which comes with
    aiomysql, declared under ``extra == "aiomysql"`` — declared for whoever uses that backend.  An
    import of a driver nothing declares still fires."""
    from helpers import make_repo, report

    repo = make_repo(tmp_path, {
        "orm-1.0.dist-info/METADATA": (
            "Metadata-Version: 2.1\nName: orm\nVersion: 1.0\n"
            'Requires-Dist: pytest ; extra == "test"\nRequires-Dist: aiomysql ; extra == "aiomysql"\n'),
        "orm/__init__.py": "",
        "orm/cyext/__init__.py": "",
        "orm/engine.py": "from orm.cyext.processors import to_float\n",
        "orm/backends/mysql.py": "import pymysql\n",
        # tortoise: aiomysql requires PyMySQL, so its declaration installs the fallback's module too
        "orm/backends/aio.py": "try:\n    import asyncmy as mysql\nexcept ImportError:\n    import aiomysql as mysql\n    from pymysql import err\n",
        "orm/backends/postgres.py": "import asyncpg\n",
    })
    assert [(f.rule, f.path) for f in report(repo).findings if f.rule == "AL702"] == [
        ("AL702", "orm/backends/postgres.py")]


def test_a_librarys_optional_integration_subpackage_needs_no_declaration(tmp_path) -> None:
    """starlette-admin's ``contrib/sqla`` and ``contrib/tortoise`` import the ORM they adapt, which
    the wheel does not declare (12 false AL702): the user who imports
    ``starlette_admin.contrib.sqla`` brings SQLAlchemy, and nothing of the library imports the
    integration, so a clean install never runs it.  An integration module the library itself
    imports (``admin/base.py`` → ``admin/contrib/pg.py``) is needed on every install and still fires."""
    from helpers import make_repo, report

    repo = make_repo(tmp_path, {
        "admin-1.0.dist-info/METADATA": (
            "Metadata-Version: 2.1\nName: admin\nVersion: 1.0\nRequires-Dist: starlette>=0.40\n"),
        "admin/__init__.py": "from admin.base import BaseAdmin\n",
        "admin/base.py": "from admin.contrib.pg import connect\n\nclass BaseAdmin:\n    pass\n",
        "admin/contrib/__init__.py": "",
        "admin/contrib/sqla/__init__.py": "from .view import ModelView\n",
        "admin/contrib/sqla/view.py": "import sqlalchemy\nfrom admin.base import BaseAdmin\n\nclass ModelView(BaseAdmin):\n    pass\n",
        "admin/contrib/sqla/helpers.py": "from sqlalchemy.orm import Session\n",
        "admin/contrib/tortoise/view.py": "from tortoise.models import Model\n",
        # an integration built on another one is as optional as it
        "admin/contrib/sqlmodel/view.py": "from admin.contrib.sqla.view import ModelView\nfrom sqlalchemy import select\n",
        "admin/contrib/pg.py": "import asyncpg\n\ndef connect():\n    return asyncpg\n",
        # a Fastify-style plugins folder is loaded by path (autoload), not by import: still judged
        "admin/plugins/db.py": "import psycopg2\n",
    })
    assert [(f.rule, f.path) for f in report(repo).findings if f.rule == "AL702"] == [
        ("AL702", "admin/contrib/pg.py"), ("AL702", "admin/plugins/db.py")]


@pytest.mark.parametrize("requires, fires", [
    # openwisp-controller: Requires-Dist names django-taggit, django-reversion… and never Django itself —
    # each plugin requires Django, so a clean install has it (39 false AL702)
    (("django-taggit~=6.1", "django-reversion~=6.3"), False),
    (("djangorestframework>=3.15",), False),
    # the look-alikes: a package merely named like Django, and nothing Django-related at all
    (("djangoish-utils>=1.0",), True),
    (("requests>=2.0",), True),
])
def test_a_django_plugin_declared_installs_django(tmp_path, requires, fires) -> None:
    from helpers import make_repo, report

    repo = make_repo(tmp_path, {
        "netctl-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: netctl\nVersion: 1.0\n"
                                         + "".join(f"Requires-Dist: {line}\n" for line in requires),
        "netctl/__init__.py": "",
        "netctl/models.py": "from django.db import models\n\n\nclass Device(models.Model):\n    name = models.CharField(max_length=20)\n",
    })
    found = [(f.rule, f.path) for f in report(repo).findings if f.rule == "AL702"]
    assert found == ([("AL702", "netctl/models.py")] if fires else [])
