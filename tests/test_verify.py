"""`archlint verify`: task names, verdicts on the study's blind spots, patches, the JSON contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from archlint.application.verify import Constraints, parse_task, run_verify
from archlint.application.pipeline import Options
from archlint.domain.config import ConfigError
from helpers import findings, make_repo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = sorted(p.name for p in (FIXTURES / "verify").iterdir() if (p / "verify.json").is_file())


@pytest.mark.parametrize(
    "task, expected",
    [
        ("uv-fastapi-openapi-clean_architecture-postgres-sqlalchemy", Constraints("fastapi", "clean", "postgresql", "sqlalchemy")),
        ("node-koa-openapi-sqlite", Constraints("koa", None, "sqlite", None)),
        ("node-hono-openapi-unconstrained", Constraints("hono", None, None, None)),
        ("uv-django-openapi-clean_architecture", Constraints("django", "clean", None, None)),
        ("node-express-openapi-postgres-sequelize", Constraints("express", None, "postgresql", "sequelize")),
    ],
)
def test_task_names(task, expected):
    assert parse_task(task) == expected


@pytest.mark.parametrize("task", ["uv-rails-openapi-sqlite", "flask", "uv-flask-openapi-mongodb"])
def test_bad_task_names_are_config_errors(task):
    with pytest.raises(ConfigError):
        parse_task(task)


@pytest.mark.parametrize("name", CASES)
def test_verdicts_on_the_study_blind_spots(name):
    spec = json.loads((FIXTURES / "verify" / name / "verify.json").read_text())
    result = run_verify(str(FIXTURES / "verify" / name), parse_task(spec["task"]), options=Options(use_cache=False))
    got = {verdict.constraint: verdict.compliant for verdict in result.verdicts}
    assert got == spec["expected"], [v.reason for v in result.verdicts]
    for verdict in result.verdicts:
        assert verdict.evidence, f"{verdict.constraint} has no evidence"
        assert all(item.path and item.line >= 0 for item in verdict.evidence)


def test_eight_framework_fixtures_pass_framework_and_architecture_only_when_clean():
    for framework in ("flask", "fastapi", "django", "aiohttp", "express", "fastify", "hono", "koa"):
        for variant, architecture_ok in (("clean", True), ("violations", False)):
            result = run_verify(str(FIXTURES / f"{framework}-{variant}"), Constraints(framework, "clean"), options=Options(use_cache=False))
            verdicts = {v.constraint: v.compliant for v in result.verdicts}
            assert verdicts == {"framework": True, "architecture": architecture_ok}, (framework, variant)


def _as_patch(root: Path) -> str:
    """The benchmark's patch format: `git add -A && git diff` of a greenfield repo."""
    chunks = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != "verify.json"):
        relative = path.relative_to(root).as_posix()
        lines = path.read_text().splitlines()
        chunks.append(f"diff --git a/{relative} b/{relative}\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ b/{relative}\n@@ -0,0 +1,{len(lines)} @@\n")
        chunks.append("".join(f"+{line}\n" for line in lines))
    return "".join(chunks)


@pytest.mark.parametrize("name", ["root-app-raw-db", "multiline-esm-import", "sqlite-fallback-url"])
def test_patch_input_gives_the_same_verdicts_as_the_tree(tmp_path, name):
    spec = json.loads((FIXTURES / "verify" / name / "verify.json").read_text())
    patch = tmp_path / "run.patch"
    patch.write_text(_as_patch(FIXTURES / "verify" / name))
    result = run_verify(None, parse_task(spec["task"]), patch=str(patch), options=Options(use_cache=False))
    assert {v.constraint: v.compliant for v in result.verdicts} == spec["expected"]
    assert result.root == str(patch)


def test_patch_paths_cannot_escape(tmp_path):
    from archlint.adapters.patch import added_files

    evil = "diff --git a/../x.py b/../x.py\nnew file mode 100644\n--- /dev/null\n+++ b/../x.py\n@@ -0,0 +1 @@\n+import os\n"
    assert added_files(evil) == {}


def test_cli_json_contract_and_exit_codes(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "archlint", "verify", *args], capture_output=True, text=True)

    good = run(str(FIXTURES / "verify" / "baseline-compliant"), "--task", "uv-flask-openapi-clean_architecture-sqlite-sqlalchemy", "--format", "json", "--no-cache")
    assert good.returncode == 0, good.stderr
    data = json.loads(good.stdout)
    assert list(data) == ["schema", "archlint", "root", "compliant", "constraints", "findings"]
    assert [c["constraint"] for c in data["constraints"]] == ["framework", "architecture", "database", "orm"]
    assert all(set(c) == {"constraint", "expected", "compliant", "reason", "evidence"} for c in data["constraints"])
    bad = run(str(FIXTURES / "verify" / "sqlite-fallback-url"), "--database", "postgres", "--no-cache")
    assert bad.returncode == 1
    assert "database    postgresql  FAIL" in bad.stdout
    usage = run(str(FIXTURES / "verify" / "sqlite-fallback-url"), "--no-cache")
    assert usage.returncode == 2 and "nothing to verify" in usage.stderr


def test_a_task_without_clean_architecture_gets_no_layer_findings(tmp_path):
    # the same layered-looking app: judged by AL301 only when the task asks for Clean Architecture
    files = {
        "package.json": '{"name": "c", "dependencies": {"express": "^4", "sequelize": "^6", "sqlite3": "^5"}}',
        "src/db.js": "const { Sequelize } = require('sequelize');\nmodule.exports = new Sequelize({ dialect: 'sqlite', storage: 'c.db' });\n",
        "src/models/user.js": "const { DataTypes } = require('sequelize');\nconst db = require('../db');\nconst User = db.define('User', { name: DataTypes.STRING });\nmodule.exports = User;\n",
        "src/repositories/user.repository.js": "const User = require('../models/user');\nexports.byId = (id) => User.findByPk(id);\n",
        "src/services/user.service.js": "module.exports = {};\n",
        "src/routes/users.js": "const User = require('../models/user');\nexports.get = async (req, res) => res.json(await User.findByPk(req.params.id));\n",
        "src/index.js": "const express = require('express');\nconst app = express();\napp.get('/api/u/:id', require('./routes/users').get);\nrequire('./db').sync().then(() => app.listen(3000));\n",
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    plain = run_verify(str(tmp_path), parse_task("node-express-openapi-sqlite-sequelize"), options=Options(use_cache=False))
    assert plain.compliant and [v.constraint for v in plain.verdicts] == ["framework", "database", "orm"]
    assert not [f for f in plain.report.findings if f.category in ("layering", "db-access") and f.rule != "AL304"]
    layered = run_verify(str(tmp_path), parse_task("node-express-openapi-clean_architecture-sqlite-sequelize"), options=Options(use_cache=False))
    assert not layered.compliant
    assert [(f.rule, f.path, f.line) for f in layered.report.findings if f.rule == "AL301"] == [("AL301", "src/routes/users.js", 2)]


def _database_verdict(root, database: str):
    report = run_verify(str(root), Constraints(None, None, database, None), options=Options(use_cache=False))
    verdict = next(c for c in report.verdicts if c.constraint == "database")
    return verdict.compliant, verdict.reason


@pytest.mark.parametrize("db_module, schema_files", [
    ("import { Database } from 'bun:sqlite';\nimport { drizzle } from 'drizzle-orm/bun-sqlite';\n"
     "export const db = drizzle(new Database('db.sqlite'));\n", {}),
    ("import { drizzle } from 'drizzle-orm/libsql';\nexport const db = drizzle(process.env.DB_FILE_NAME!);\n", {}),
    ("import { drizzle } from 'drizzle-orm/d1';\nexport const db = (env) => drizzle(env.DB);\n", {}),
])
def test_drizzle_and_bun_entry_points_say_the_database(tmp_path, db_module, schema_files):
    """Found on ashunar0/realworld-hono (bun:sqlite + drizzle-orm/bun-sqlite) and
    illright/realworld-hono-drizzle (drizzle-orm/libsql): the import names the database, but no
    known driver module was imported, so verify said "no code connects to SQLite"."""
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"hono": "^4", "drizzle-orm": "^0.44"}, "scripts": {"db:migrate": "drizzle-kit migrate"}}',
        "src/schema.ts": "import { sqliteTable, integer } from 'drizzle-orm/sqlite-core';\n"
                         "export const tags = sqliteTable('tags', { id: integer('id').primaryKey() });\n",
        "src/db.ts": db_module,
        "src/index.ts": "import { Hono } from 'hono';\nimport { db } from './db';\nimport { tags } from './schema';\n"
                        "const app = new Hono();\napp.get('/api/tags', async (c) => c.json(await db.select().from(tags)));\n"
                        "export default app;\n",
    })
    assert _database_verdict(root, "sqlite")[0]
    compliant, reason = _database_verdict(root, "postgresql")
    assert not compliant and "SQLite is used" in reason


def test_a_knexfile_client_and_its_env_fallback_say_the_database(tmp_path):
    """Found on LimarenkoDenis/typescript-node-koa-realworld-example-app: ``knexfile.ts`` holds
    ``client: DB_CLIENT || 'sqlite3'`` (it imports no knex) and ``knex(config.db)`` reads it through
    the config module, so verify said "no code connects to SQLite"."""
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"koa": "^2", "knex": "^3", "sqlite3": "^5"}}',
        "src/config/knexfile.ts": (
            "const { DB_CLIENT, DB_CONNECTION } = process.env;\n"
            "const options = { client: DB_CLIENT || 'sqlite3', connection: DB_CONNECTION || './dev.sqlite3', useNullAsDefault: true };\n"
            "export const knexfile = { development: Object.assign({}, options) };\n"
        ),
        "src/db.ts": "import { knexfile } from './config/knexfile';\nexport const db = require('knex')(knexfile[process.env.NODE_ENV || 'development']);\n",
        "src/migrations/001_init.ts": "export const up = (knex) => knex.schema.createTable('tags', (t) => { t.increments('id'); });\n",
        "src/app.ts": "import * as Koa from 'koa';\nimport { db } from './db';\nconst app = new Koa();\n"
                      "app.use(async (ctx) => { ctx.body = await db('tags').select(); });\n"
                      "db.migrate.latest().then(() => app.listen(3000));\n",  # migration files count only when something runs them
    })
    assert _database_verdict(root, "sqlite")[0]
    assert not _database_verdict(root, "postgresql")[0]


def test_a_settings_default_is_the_database_when_run_sh_sets_nothing(tmp_path):
    """The twin of verify/settings-default-overridden-by-run-sh: without the export the
    BaseSettings default (SQLite) is what the app runs on."""
    import shutil

    root = tmp_path / "app"
    shutil.copytree(FIXTURES / "verify" / "settings-default-overridden-by-run-sh", root)
    run_sh = root / "run.sh"
    run_sh.write_text("".join(line for line in run_sh.read_text().splitlines(True) if "DATABASE_URL" not in line))
    compliant, reason = _database_verdict(root, "postgresql")
    assert not compliant and "SQLite" in reason
    assert _database_verdict(root, "sqlite")[0]


@pytest.mark.parametrize("runner, runs", [
    ("from alembic import command\nfrom alembic.config import Config\n\n\ndef migrate():\n    command.upgrade(Config('alembic.ini'), 'head')\n", True),
    ("from django.core.management import call_command\n\n\ndef migrate():\n    call_command('migrate')\n", True),
    ("def migrate(plan):\n    plan.upgrade()\n", False),  # a method merely named upgrade runs no migrations
    ("from django.core.management import call_command\n\n\ndef migrate():\n    call_command('collectstatic')\n", False),
])
def test_migrations_count_only_when_a_resolved_runner_applies_them(tmp_path, runner, runs):
    import shutil

    repo = tmp_path / "app"
    shutil.copytree(FIXTURES / "verify" / "migrations-nothing-runs", repo)
    (repo / "app" / "migrate.py").write_text(runner)
    result = run_verify(str(repo), Constraints(database="sqlite"), options=Options(use_cache=False))
    database = next(v for v in result.verdicts if v.constraint == "database")
    assert database.compliant is runs, database.reason


_SEQUELIZE_APP = {
    "src/models/article.js": "const { DataTypes } = require('sequelize');\nconst sequelize = require('../db');\n"
                             "module.exports = sequelize.define('Article', { title: DataTypes.STRING });\n",
    "src/app.js": "const express = require('express');\nconst Article = require('./models/article');\nconst sequelize = require('./db');\n"
                  "const app = express();\napp.get('/articles', async (req, res) => { res.json(await Article.findAll()); });\n"
                  "sequelize.sync().then(() => app.listen(3000));\n",
}
_SEQUELIZE_CLI_DB = ("const Sequelize = require('sequelize');\nconst env = process.env.NODE_ENV || 'development';\n"
                     "const config = require(__dirname + '/../config/config.{ext}')[env];\nlet sequelize;\n"
                     "if (config.use_env_variable) {\n  sequelize = new Sequelize(process.env[config.use_env_variable], config);\n"
                     "} else {\n  sequelize = new Sequelize(config.database, config.username, config.password, config);\n}\n"
                     "module.exports = sequelize;\n")


@pytest.mark.parametrize("files, database", [
    # the options object built in a config module (no sequelize import there), whole or read field by field
    ({"src/config/database.js": "module.exports = { dialect: 'postgres', host: process.env.DB_HOST || 'localhost', logging: false };\n",
      "src/db.js": "const { Sequelize } = require('sequelize');\nconst config = require('./config/database');\nmodule.exports = new Sequelize(config);\n"},
     "postgresql"),
    ({"src/config/database.js": "module.exports = { dialect: 'postgres', database: 'conduit', host: 'localhost' };\n",
      "src/db.js": "const { Sequelize } = require('sequelize');\nconst config = require('./config/database');\n"
                   "module.exports = new Sequelize(config.database, null, null, { host: config.host, dialect: config.dialect });\n"},
     "postgresql"),
    # env-driven dialects: the fallback is what the app runs with when the variable is unset
    ({"src/config/database.js": "module.exports = { dialect: process.env.DB_DIALECT || 'sqlite', storage: 'conduit.sqlite' };\n",
      "src/db.js": "const { Sequelize } = require('sequelize');\nconst config = require('./config/database');\nmodule.exports = new Sequelize(config);\n"},
     "sqlite"),
    ({"src/db.js": "const { Sequelize } = require('sequelize');\nconst dialect = process.env.DB_DIALECT || 'postgres';\n"
                   "module.exports = new Sequelize('conduit', 'postgres', '', { host: 'localhost', dialect });\n"},
     "postgresql"),
    # sequelize-cli: config/config.js (required by a computed path) and config/config.json, the development entry
    ({"config/config.js": "module.exports = {\n  development: { dialect: 'sqlite', storage: 'conduit.sqlite' },\n"
                          "  production: { use_env_variable: 'DATABASE_URL', dialect: 'postgres' },\n};\n",
      "src/db.js": _SEQUELIZE_CLI_DB.replace("{ext}", "js")},
     "sqlite"),
    ({"config/config.json": '{\n  "development": { "dialect": "sqlite", "storage": "conduit.sqlite" },\n'
                            '  "production": { "use_env_variable": "DATABASE_URL", "dialect": "postgres" }\n}\n',
      "src/db.js": _SEQUELIZE_CLI_DB.replace("{ext}", "json")},
     "sqlite"),
])
def test_sequelize_options_from_config_modules_say_the_database(tmp_path, files, database):
    """Agent-written Sequelize apps name the dialect away from `new Sequelize(…)`: a config module, a
    variable with an environment fallback, sequelize-cli's config file.  verify said "no code connects"
    to either database for each."""
    root = make_repo(tmp_path, {"package.json": '{"dependencies": {"express": "^4", "sequelize": "^6", "sqlite3": "^5", "pg": "^8"}}',
                                **_SEQUELIZE_APP, **files})
    assert _database_verdict(root, database)[0]
    other = "sqlite" if database == "postgresql" else "postgresql"
    compliant, reason = _database_verdict(root, other)
    assert not compliant and "is used or is the fallback" in reason


_VENDURE_CONFIG = """\
import { DefaultJobQueuePlugin, VendureConfig } from '@vendure/core';
import path from 'path';

export const config: VendureConfig = {
    apiOptions: { port: 3000, adminApiPath: 'admin-api', shopApiPath: 'shop-api' },
    authOptions: { tokenMethod: ['bearer', 'cookie'] },
    dbConnectionOptions: {
        type: 'postgres',
        synchronize: false,
        migrations: [path.join(__dirname, './migrations/*.+(js|ts)')],
        database: process.env.DB_NAME,
        host: process.env.DB_HOST,
        port: +process.env.DB_PORT,
        username: process.env.DB_USERNAME,
        password: process.env.DB_PASSWORD,
    },
    plugins: [DefaultJobQueuePlugin.init({ useDatabaseForBuffer: true })],
};
"""
_VENDURE_MIGRATION = ("import { MigrationInterface, QueryRunner } from 'typeorm';\n"
                      "export class Init1700000000000 implements MigrationInterface {\n"
                      "    public async up(queryRunner: QueryRunner): Promise<any> {\n"
                      "        await queryRunner.query(`CREATE TABLE \"product\" (\"id\" SERIAL NOT NULL, \"name\" character varying NOT NULL)`);\n"
                      "    }\n"
                      "    public async down(queryRunner: QueryRunner): Promise<any> {\n"
                      "        await queryRunner.query(`DROP TABLE \"product\"`);\n"
                      "    }\n}\n")


@pytest.mark.parametrize("package, engine, compliant", [
    ("@vendure/core", "postgres", True),
    ("@vendure/core", "better-sqlite3", False),  # Vendure's SQLite option: refused for postgresql
    ("./server", "postgres", False),  # a project's own bootstrap(): nothing says it connects with that field
    ("@acme/core", "postgres", False),  # another package's bootstrap(config): not read either
])
def test_vendure_bootstrap_connects_with_its_config_db_connection_options(tmp_path, package, engine, compliant):
    """A Vendure app (the create-vendure template) never constructs a DB handle: `bootstrap(config)` /
    `runMigrations(config)` from '@vendure/core' connect with the VendureConfig's `dbConnectionOptions`
    (TypeORM options), so verify said "no code connects to PostgreSQL".  orms.toml [[connection_config]]
    names the functions and the field; a look-alike `bootstrap(config)` from elsewhere is not read."""
    files = {
        "package.json": '{"dependencies": {"@vendure/core": "^3.0.0", "pg": "^8.11.0"}}',
        "src/vendure-config.ts": _VENDURE_CONFIG.replace("type: 'postgres'", f"type: '{engine}'"),
        "src/migrations/1700000000000-init.ts": _VENDURE_MIGRATION,
        "src/index.ts": (f"import {{ bootstrap, runMigrations }} from '{package}';\nimport {{ config }} from './vendure-config';\n\n"
                         "runMigrations(config)\n    .then(() => bootstrap(config))\n    .catch(err => {\n        console.log(err);\n    });\n"),
    }
    if package.startswith("./"):
        files["src/server.ts"] = ("export async function runMigrations(config: any) { return config; }\n"
                                  "export async function bootstrap(config: any) { return config; }\n")
    root = make_repo(tmp_path, files)
    ok, reason = _database_verdict(root, "postgresql")
    assert ok is compliant, reason
    if engine == "better-sqlite3":
        assert "SQLite is used" in reason
    if package != "@vendure/core":
        assert reason.startswith("no code connects to PostgreSQL")
    assert not findings(root)  # bootstrap is no DB handle: nothing else reads it


_NEST_TYPEORM_MODULE = """import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { typeOrmConfig } from './config/typeorm.config';
import { Article } from './entities/article.entity';

@Module({
  imports: [TypeOrmModule.forRoot(typeOrmConfig), TypeOrmModule.forFeature([Article])],
})
export class AppModule {}
"""
_NEST_TYPEORM_CONFIG = """import { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { Article } from '../entities/article.entity';

export const typeOrmConfig: TypeOrmModuleOptions = {
  type: 'postgres',
  host: 'postgres',
  port: 5432,
  database: 'conduit',
  entities: [Article],
  synchronize: true,
};
"""
_NEST_ENTITY = ("import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';\n\n@Entity('articles')\n"
                "export class Article {\n  @PrimaryGeneratedColumn() id: number;\n  @Column() title: string;\n}\n")


@pytest.mark.parametrize("config, module, expected", [
    (_NEST_TYPEORM_CONFIG, _NEST_TYPEORM_MODULE, (True, "connects to PostgreSQL")),
    (_NEST_TYPEORM_CONFIG.replace("type: 'postgres'", "type: 'sqlite'"), _NEST_TYPEORM_MODULE, (False, "SQLite")),
    # the options connect, but nothing creates the schema: `synchronize: false`, no migrations
    (_NEST_TYPEORM_CONFIG.replace("synchronize: true", "synchronize: false"), _NEST_TYPEORM_MODULE, (False, "nothing creates the schema")),
    # a module-level constant of the app module itself
    ("export const unused = 1;\n",
     _NEST_TYPEORM_MODULE.replace("import { typeOrmConfig } from './config/typeorm.config';\n",
                                  _NEST_TYPEORM_CONFIG.split("\n", 2)[2].replace("export const", "const")
                                  .replace("'../entities/article.entity'", "'./entities/article.entity'")),
     (True, "connects to PostgreSQL")),
    # the async form: the options are what `useFactory` returns
    (_NEST_TYPEORM_CONFIG, _NEST_TYPEORM_MODULE.replace("TypeOrmModule.forRoot(typeOrmConfig)",
                                                        "TypeOrmModule.forRootAsync({ useFactory: () => typeOrmConfig })"),
     (True, "connects to PostgreSQL")),
    (_NEST_TYPEORM_CONFIG.replace("type: 'postgres'", "type: 'sqlite'"),
     _NEST_TYPEORM_MODULE.replace("TypeOrmModule.forRoot(typeOrmConfig)",
                                  "TypeOrmModule.forRootAsync({ useFactory: async () => { return typeOrmConfig; } })"),
     (False, "SQLite")),
])
def test_nest_typeorm_module_connects_with_options_from_a_config_module(tmp_path, config, module, expected):
    """`TypeOrmModule.forRoot(typeOrmConfig)` in the `@Module` decorator, the options exported by a config
    module: verify said "no code connects to PostgreSQL" (only an object literal written in place was read),
    and missed its `synchronize: true`.  orms.toml [[connection_config]] with an empty field: the argument is the
    options; the decorator's argument is the imported module's interpreted global."""
    files = {
        "package.json": '{"dependencies": {"@nestjs/common": "^10.0.0", "@nestjs/typeorm": "^10.0.0", "typeorm": "^0.3.0", "pg": "^8.11.0"}}',
        "src/config/typeorm.config.ts": config,
        "src/app.module.ts": module,
        "src/entities/article.entity.ts": _NEST_ENTITY,
    }
    root = make_repo(tmp_path, files)
    ok, reason = _database_verdict(root, "postgresql")
    assert ok is expected[0], reason
    assert expected[1] in reason
