"""False alarms found on real packages (issue 10) that the fact-based rules could not avoid and the
semantic model does: regression tests, so none of them comes back."""

from __future__ import annotations

import pytest

from helpers import findings, make_repo


def test_a_query_that_is_the_loop_source_is_not_n_plus_one(tmp_path):
    files = {  # wagtail/admin/views/pages/create.py
        "requirements.txt": "django\n",
        "app/models.py": "from django.db import models\nclass Locale(models.Model):\n    code = models.CharField(max_length=8)\n",
        "app/views.py": (
            "from app.models import Locale\n"
            "class Create:\n"
            "    def switcher(self):\n"
            "        return [\n"
            "            {'locale': locale.code, 'url': '?' + locale.code}\n"
            "            for locale in Locale.objects.exclude(pk=self.locale.pk)\n"
            "        ]\n"
        ),
    }
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL601"] == []


def test_a_client_factory_is_not_a_client_per_call(tmp_path):
    files = {  # drizzle-orm/mysql2/driver.js
        "package.json": '{"name": "x", "dependencies": {"mysql2": "^3"}}',
        "src/driver.js": (
            "const { createPool } = require('mysql2');\n"
            "function drizzle(url) {\n"
            "  const pool = createPool(url);\n"
            "  return new Database(pool);\n"
            "}\n"
            "module.exports = { drizzle };\n"
        ),
    }
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL302"] == []


def test_an_engine_created_in_async_main_is_created_once(tmp_path):
    files = {
        "requirements.txt": "sqlalchemy\naiosqlite\n",
        "app/run.py": (
            "import asyncio\n"
            "from sqlalchemy.ext.asyncio import create_async_engine\n"
            "async def async_main():\n"
            "    engine = create_async_engine('sqlite+aiosqlite:///x.db')\n"
            "    async with engine.begin() as conn:\n"
            "        pass\n"
            "asyncio.run(async_main())\n"
        ),
    }
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL302"] == []


def test_queries_on_a_model_defined_through_a_shared_db_module_count_for_the_orm_verdict(tmp_path):
    from archlint.application.pipeline import Options
    from archlint.application.verify import parse_task, run_verify

    files = {
        "package.json": '{"name": "c", "dependencies": {"express": "^4", "sequelize": "^6", "sqlite3": "^5"}}',
        "src/db.js": "const { Sequelize } = require('sequelize');\nmodule.exports = new Sequelize({ dialect: 'sqlite', storage: 'c.db' });\n",
        "src/models/user.js": "const db = require('../db');\nmodule.exports = db.define('User', {});\n",
        "src/routes/users.js": "const User = require('../models/user');\nexports.get = async (req, res) => res.json(await User.findByPk(req.params.id));\n",
        "src/index.js": "const express = require('express');\nconst app = express();\napp.get('/api/u/:id', require('./routes/users').get);\nrequire('./db').sync().then(() => app.listen(3000));\n",
    }
    report = run_verify(str(make_repo(tmp_path, files)), parse_task("node-express-openapi-sqlite-sequelize"), options=Options(use_cache=False))
    assert report.compliant


def test_a_module_function_returning_a_model_is_not_the_model_constructor(tmp_path):
    files = {  # django-allauth: allauth/mfa/webauthn/views.py → flows.signup_authenticator(…, name=…)
        "requirements.txt": "django\n",
        "app/models.py": "from django.db import models\nclass Authenticator(models.Model):\n    data = models.JSONField()\n",
        "app/flows.py": (
            "from app.models import Authenticator\n"
            "def signup_authenticator(request, user, name: str, credential: dict) -> Authenticator:\n"
            "    return Authenticator.objects.create(user=user, data={'name': name, 'credential': credential})\n"
        ),
        "app/views.py": (
            "from app import flows\n"
            "def signup(request):\n"
            "    flows.signup_authenticator(request, user=request.user, name=request.POST['name'], credential={})\n"
        ),
        "app/admin.py": "from app import models\ndef make():\n    return models.Authenticator(name='x')\n",
    }
    found = [(f[0], f[1]) for f in findings(make_repo(tmp_path, files)) if f[0] == "AL223"]
    assert found == [("AL223", "app/admin.py")]  # the model class through its module still counts


def test_a_base_method_called_through_its_class_gets_self_as_first_argument(tmp_path):
    files = {  # peewee: playhouse/reflection.py, CockroachDBMetadata.__init__ → Metadata.__init__(self, database)
        "requirements.txt": "peewee\n",
        "pkg/reflection.py": (
            "class Metadata(object):\n"
            "    def __init__(self, database):\n"
            "        self.database = database\n"
            "    def execute(self, sql, *params):\n"
            "        return self.database.execute_sql(sql, params)\n"
            "class CockroachDBMetadata(Metadata):\n"
            "    def __init__(self, database):\n"
            "        Metadata.__init__(self, database)\n"
            "        cursor = self.execute('select oid, typname from pg_type')\n"
            "        self.types = cursor.fetchall()\n"
        ),
    }
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL230"] == []


def test_a_classmethod_called_through_its_class_still_gets_the_class(tmp_path):
    files = {  # the look-alike's positive twin: `cls` is bound, so the built repository is typed
        "requirements.txt": "sqlalchemy\n",
        "app/db.py": "from sqlalchemy.orm import Session\nsession = Session()\n",
        "app/repo.py": (
            "from sqlalchemy import select\n"
            "from app.db import session\n"
            "class Repo:\n"
            "    def find(self, slug):\n"
            "        return session.scalars(select(Repo).where(slug == 1)).first()\n"
            "    @classmethod\n"
            "    def build(cls):\n"
            "        return cls()\n"
            "class Service:\n"
            "    def __init__(self) -> None:\n"
            "        self.repo = Repo.build()\n"
            "    def one(self, slug):\n"
            "        return self.repo.find_by_slug(slug)\n"
        ),
    }
    assert [(f[0], f[2]) for f in findings(make_repo(tmp_path, files)) if f[0] == "AL230"] == [("AL230", 13)]



_DESCRIPTOR = {  # indico: papers.py `event = AttributeProxyProperty('event')` then `self.event.can_manage(user)`
    "requirements.txt": "sqlalchemy\n",
    "app/db.py": "from sqlalchemy.orm import Session\nsession = Session()\n",
    "app/proxy.py": (
        "class AttributeProxyProperty:\n"
        "    def __init__(self, attr):\n"
        "        self.attr = attr\n"
        "    def __get__(self, obj, objtype=None):\n"
        "        if obj is None:\n"
        "            return self\n"
        "        return getattr(getattr(obj, obj.proxied_attr), self.attr)\n"
        "class Plain:\n"
        "    def __init__(self, attr):\n"
        "        self.attr = attr\n"
    ),
    "app/papers.py": (
        "from app.db import session\n"
        "from app.proxy import AttributeProxyProperty, Plain\n"
        "class Paper:\n"
        "    proxied_attr = 'contribution'\n"
        "    event = AttributeProxyProperty('event')\n"
        "    label = Plain('label')\n"
        "    def can_manage(self, user):\n"
        "        session.flush()\n"
        "        return self.event.can_manage(user)\n"
        "    def can_judge(self, user):\n"
        "        return self.label.can_judge(user)\n"
    ),
}


def test_a_class_attribute_that_is_a_descriptor_reads_what_its_get_returns(tmp_path):
    found = [(f[0], f[1], f[2]) for f in findings(make_repo(tmp_path, _DESCRIPTOR)) if f[0] == "AL230"]
    assert found == [("AL230", "app/papers.py", 11)]

_COMPAT = (  # fastapi/_compat.py: one of two definitions of ModelField, chosen at import time
    "from dataclasses import dataclass\n"
    "from pydantic.version import VERSION as PYDANTIC_VERSION\n"
    "PYDANTIC_V2 = PYDANTIC_VERSION.startswith('2.')\n"
    "if PYDANTIC_V2:\n"
    "    @dataclass\n"
    "    class ModelField:\n"
    "        name: str\n"
    "else:\n"
    "    from pydantic.fields import ModelField as ModelField\n"
)
_UTILS = (  # fastapi/utils.py (a pydantic v1 code path)
    "from fastapi._compat import ModelField\n"
    "from fastapi.datastructures import DefaultPlaceholder\n"
    "def create_model_field(name: str) -> ModelField:\n"
    "    return ModelField(name=name)\n"
    "def create_cloned_field(field: ModelField) -> ModelField:\n"
    "    new_field = create_model_field(name=field.name)\n"
    "    new_field.populate_validators()\n"
    "    return new_field\n"
)


def test_a_class_defined_in_one_branch_and_imported_in_the_other_is_either(tmp_path):
    files = {"requirements.txt": "pydantic\n", "fastapi/_compat.py": _COMPAT, "fastapi/utils.py": _UTILS}
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL230"] == []


def test_a_class_defined_unconditionally_is_still_the_class(tmp_path):
    compat = _COMPAT.replace("if PYDANTIC_V2:\n    @dataclass\n    class ModelField:\n        name: str\nelse:\n    from pydantic.fields import ModelField as ModelField\n",
                             "@dataclass\nclass ModelField:\n    name: str\n")
    files = {"requirements.txt": "pydantic\n", "fastapi/_compat.py": compat, "fastapi/utils.py": _UTILS}
    assert [(f[0], f[2]) for f in findings(make_repo(tmp_path, files)) if f[0] == "AL230"] == [("AL230", 7)]


def test_a_django_apps_tests_module_is_not_production_code(tmp_path):
    view = (
        "from app.models import Promotion\n"
        "def first_title():\n"
        "    return Promotion.objects.filter(live=True).first().title\n"
    )
    files = {  # wagtail/contrib/search_promotions/tests.py: Django's startapp test module
        "requirements.txt": "django\n",
        "app/models.py": "from django.db import models\nclass Promotion(models.Model):\n    title = models.CharField(max_length=9)\n    live = models.BooleanField()\n",
        "app/tests.py": view,
        "app/views.py": view,  # the same dereference in a view is still reported
    }
    assert [(f[0], f[1]) for f in findings(make_repo(tmp_path, files)) if f[0] == "AL220"] == [("AL220", "app/views.py")]


_DRIZZLE_BASE = (  # drizzle-orm sqlite-core/db.js: the session is a constructor parameter of the base
    "export class BaseSQLiteDatabase {\n"
    "  constructor(resultKind, session) {\n"
    "    this.resultKind = resultKind;\n"
    "    this.session = session;\n"
    "  }\n"
    "  run(query) {\n"
    "    return this.session.run(query);\n"
    "  }\n"
    "  foreignKeys() {\n"
    "    return this.session.run('PRAGMA foreign_keys = ON');\n"
    "  }\n"
    "}\n"
)
_DRIZZLE_SQLJS = (  # sql-js/driver.js: the base class constructed directly, with a session that has no batch()
    "import Database from 'sql.js';\n"
    "import { BaseSQLiteDatabase } from '../sqlite-core/db.js';\n"
    "class SQLJsSession {\n"
    "  constructor(client) { this.client = client; }\n"
    "  run(query) { return this.client.run(query); }\n"
    "}\n"
    "export function drizzle(client) {\n"
    "  return new BaseSQLiteDatabase('sync', new SQLJsSession(client));\n"
    "}\n"
)
_DRIZZLE_PROXY = (  # sqlite-proxy/driver.js: a subclass whose own construction passes a session with batch()
    "import { BaseSQLiteDatabase } from '../sqlite-core/db.js';\n"
    "class SQLiteRemoteSession {\n"
    "  constructor(callback) { this.callback = callback; }\n"
    "  run(query) { return this.callback(query, 'run'); }\n"
    "  batch(queries) { return this.callback(queries, 'batch'); }\n"
    "}\n"
    "class SqliteRemoteDatabase extends BaseSQLiteDatabase {\n"
    "  async batch(batch) {\n"
    "    return this.session.batch(batch);\n"
    "  }\n"
    "}\n"
    "export function drizzle(callback) {\n"
    "  return new SqliteRemoteDatabase('async', new SQLiteRemoteSession(callback));\n"
    "}\n"
)


def test_a_subclass_does_not_read_a_field_typed_by_a_direct_construction_of_its_base(tmp_path):
    files = {  # drizzle-orm: SqliteRemoteDatabase.batch() saw the SQLJsSession that sql-js/driver.js passed to the base
        "package.json": '{ "name": "drizzle-orm", "version": "0.44.0", "dependencies": { "sql.js": "^1.10.0" } }\n',
        "sqlite-core/db.js": _DRIZZLE_BASE,
        "sql-js/driver.js": _DRIZZLE_SQLJS,
        "sqlite-proxy/driver.js": _DRIZZLE_PROXY,
    }
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL230"] == []


def test_a_base_constructed_directly_still_knows_its_own_field(tmp_path):
    sqljs = _DRIZZLE_SQLJS.replace(
        "export function drizzle(client) {\n",
        "export function drizzle(client) {\n  const db = new BaseSQLiteDatabase('sync', new SQLJsSession(client));\n  db.session.batch([]);\n",
    )
    files = {  # the positive twin: on the base's own instance the session's class is certain
        "package.json": '{ "name": "drizzle-orm", "version": "0.44.0", "dependencies": { "sql.js": "^1.10.0" } }\n',
        "sqlite-core/db.js": _DRIZZLE_BASE,
        "sql-js/driver.js": sqljs,
    }
    assert [(f[0], f[1], f[2]) for f in findings(make_repo(tmp_path, files)) if f[0] == "AL230"] == [("AL230", "sql-js/driver.js", 9)]


_WRAPPING = (  # mlflow/tracing/fluent.py: `with Ctx(...) as coro` binds what __enter__ returns
    "from sqlalchemy import text\n"
    "class _WrappingContext:\n"
    "    @staticmethod\n"
    "    def _logic():\n"
    "        result = yield\n"
    "        yield result\n"
    "    def __init__(self):\n"
    "        self.coro = self._logic()\n"
    "    def __enter__(self):\n"
    "        next(self.coro)\n"
    "        return self.coro\n"
    "    def __exit__(self, *exc):\n"
    "        self.coro.close()\n"
    "def traced(fn):\n"
    "    def wrapper(*args):\n"
    "        with _WrappingContext() as coro:\n"
    "            return coro.send(fn(*args))\n"
    "    return wrapper\n"
)


def test_with_binds_what_a_project_classs_enter_returns(tmp_path):
    files = {"requirements.txt": "sqlalchemy\n", "app/tracing.py": _WRAPPING}
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL230"] == []


def test_with_binds_the_instance_when_enter_returns_self(tmp_path):
    source = _WRAPPING.replace("        return self.coro\n", "        return self\n")
    files = {"requirements.txt": "sqlalchemy\n", "app/tracing.py": source}
    assert [(f[0], f[2]) for f in findings(make_repo(tmp_path, files)) if f[0] == "AL230"] == [("AL230", 17)]


def test_a_functions_free_name_is_the_modules_global_not_an_export_of_that_name(tmp_path):
    """Ghost's members service: ``const config = require('…/shared/config')`` and ``module.exports =
    { …, config: membersConfig }``.  The functions of the module read the global (8 false AL230
    "getContentPath is not a method of MembersConfigProvider"); a real missing method on the
    provider is still reported."""
    files = {
        "package.json": '{"name": "g", "dependencies": {"knex": "3"}}',
        "server/data/db/index.js": "const knex = require('knex');\nmodule.exports = { knex: knex({ client: 'sqlite3' }) };\n",
        "server/services/members/MembersConfigProvider.js": (
            "class MembersConfigProvider {\n"
            "    constructor({settingsCache}) { this._settingsCache = settingsCache; }\n"
            "    getEmailFromAddress() { return this._settingsCache.get('members_email'); }\n"
            "}\n"
            "module.exports = MembersConfigProvider;\n"
        ),
        "server/services/members/service.js": (
            "const db = require('../../data/db');\n"
            "const MembersConfigProvider = require('./MembersConfigProvider');\n"
            "const config = require('../../../shared/config');\n"
            "const membersConfig = new MembersConfigProvider({settingsCache: null});\n"
            "const initImporter = () => ({storagePath: config.getContentPath('data'), knex: db.knex});\n"
            "module.exports = {\n"
            "    async init() { return [config.get('env'), initImporter(), membersConfig.getSupportAddress()]; },\n"
            "    config: membersConfig,\n"
            "};\n"
        ),
    }
    assert [(f[0], f[1], f[2]) for f in findings(make_repo(tmp_path, files)) if f[0] == "AL230"] == [
        ("AL230", "server/services/members/service.js", 7),
    ]


_ROWCOUNT = {  # open-webui models/messages.py update_app_message_by_id
    "requirements.txt": "fastapi\nsqlalchemy\naiosqlite\n",
    "app/db.py": (
        "from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine\n"
        "engine = create_async_engine('sqlite+aiosqlite:///app.db')\n"
        "SessionLocal = async_sessionmaker(engine)\n"
    ),
    "app/models.py": (
        "import time\n"
        "from sqlalchemy import BigInteger, Column, Text, update\n"
        "from sqlalchemy.orm import declarative_base\n"
        "from app.db import SessionLocal\n"
        "Base = declarative_base()\n"
        "class Message(Base):\n"
        "    __tablename__ = 'message'\n"
        "    id = Column(Text, primary_key=True)\n"
        "    app_id = Column(Text)\n"
        "    content = Column(Text)\n"
        "    updated_at = Column(BigInteger)\n"
        "class MessageTable:\n"
        "    async def update_app_message(self, id: str, app_id: str, updated_at: int, content: str, other_id: str):\n"
        "        async with SessionLocal() as db:\n"
        "            result = await db.execute(\n"
        "                update(Message)\n"
        "                .where(Message.id == id, Message.app_id == app_id, Message.updated_at == updated_at)\n"
        "                .values(content=content, updated_at=max(time.time_ns(), updated_at + 1))\n"
        "            )\n"
        "            if result.rowcount != 1:\n"
        "                await db.rollback()\n"
        "                return None\n"
        "            message = await db.get(Message, {key}, populate_existing=True)\n"
        "            await db.commit()\n"
        "            return message.content\n"
    ),
}


def test_a_row_reread_after_an_update_that_matched_it_exists(tmp_path):
    files = {**_ROWCOUNT, "app/models.py": _ROWCOUNT["app/models.py"].replace("{key}", "id")}
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL220"] == []


def test_a_row_read_by_another_key_after_the_update_may_be_missing(tmp_path):
    files = {**_ROWCOUNT, "app/models.py": _ROWCOUNT["app/models.py"].replace("{key}", "other_id")}
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL220"] == [("AL220", "app/models.py", 25)]


def test_an_update_whose_rowcount_was_not_checked_proves_nothing(tmp_path):
    source = _ROWCOUNT["app/models.py"].replace("{key}", "id").replace("if result.rowcount != 1:", "if result.rowcount > 1:")
    files = {**_ROWCOUNT, "app/models.py": source}
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL220"] == [("AL220", "app/models.py", 25)]


def test_drizzle_over_a_per_request_binding_or_http_is_no_client_per_request(tmp_path):
    """Hono on Cloudflare Workers (the D1 shape of Hono RealWorld apps): ``drizzle(c.env.DB)`` in a
    handler wraps the binding the platform hands that request — no pool, the documented idiom; an
    HTTP driver (neon-http) neither.  ``drizzle(new Pool(…))`` per request is still reported."""
    files = {
        "package.json": '{"dependencies": {"hono": "^4", "drizzle-orm": "^0.44", "pg": "^8", "@neondatabase/serverless": "^0.10"}}',
        "src/schema.ts": "import { sqliteTable, integer } from 'drizzle-orm/sqlite-core';\n"
                         "export const tags = sqliteTable('tags', { id: integer('id').primaryKey() });\n",
        "src/d1.ts": (
            "import { Hono } from 'hono';\nimport { drizzle } from 'drizzle-orm/d1';\nimport { tags } from './schema';\n"
            "const app = new Hono();\n"
            "app.get('/tags', async (c) => {\n  const db = drizzle(c.env.DB);\n  const rows = await db.select().from(tags);\n  return c.json(rows);\n});\n"
            "export default app;\n"
        ),
        "src/neon.ts": (
            "import { Hono } from 'hono';\nimport { drizzle } from 'drizzle-orm/neon-http';\nimport { neon } from '@neondatabase/serverless';\n"
            "import { tags } from './schema';\nconst app = new Hono();\n"
            "app.get('/tags', async (c) => {\n  const db = drizzle(neon(c.env.DATABASE_URL));\n  const rows = await db.select().from(tags);\n  return c.json(rows);\n});\n"
            "export default app;\n"
        ),
        "src/pg.ts": (
            "import { Hono } from 'hono';\nimport { drizzle } from 'drizzle-orm/node-postgres';\nimport { tags } from './schema';\n"
            "const app = new Hono();\n"
            "app.get('/tags', async (c) => {\n  const db = drizzle(c.env.DATABASE_URL);\n  const rows = await db.select().from(tags);\n  return c.json(rows);\n});\n"
            "export default app;\n"
        ),
    }
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL302"] == [("AL302", "src/pg.ts", 6)]


def test_a_client_used_in_the_returned_expression_is_not_handed_out(tmp_path):
    """``return c.json(await db.select().from(tags))``: the handler uses the client it built in its
    return value, it does not return the client — a pool per request all the same (was silent:
    a factory returning its client is exempt).  ``return drizzle(url)`` stays a factory."""
    files = {
        "package.json": '{"dependencies": {"hono": "^4", "drizzle-orm": "^0.44", "pg": "^8"}}',
        "src/schema.ts": "import { pgTable, integer } from 'drizzle-orm/pg-core';\n"
                         "export const tags = pgTable('tags', { id: integer('id').primaryKey() });\n",
        "src/app.ts": (
            "import { Hono } from 'hono';\nimport { drizzle } from 'drizzle-orm/node-postgres';\nimport { tags } from './schema';\n"
            "const app = new Hono();\n"
            "const makeDb = (url) => drizzle(url);\n"
            "app.get('/tags', async (c) => {\n  const db = drizzle(c.env.DATABASE_URL);\n  return c.json(await db.select().from(tags));\n});\n"
            "export default app;\n"
        ),
    }
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL302"] == [("AL302", "src/app.ts", 7)]


def test_a_relation_cache_primed_on_a_related_row_is_not_lazy_loaded(tmp_path):
    """pretix's waiting-list run: ``wle.item.event = event; wle.variation.item = wle.item`` before
    ``wle.variation.check_quotas()`` reads ``self.item.event`` — Django keeps the assigned objects
    in the relation caches, so the reads send no query.  Without the priming both are per row."""
    files = {
        "requirements.txt": "django\n",
        "shop/__init__.py": "",
        "shop/models.py": '''
            from django.db import models

            class Event(models.Model):
                name = models.CharField(max_length=50)

            class Item(models.Model):
                event = models.ForeignKey(Event, on_delete=models.CASCADE)

            class Variation(models.Model):
                item = models.ForeignKey(Item, on_delete=models.CASCADE)

                def check_quotas(self):
                    return self.item.event.name

            class Entry(models.Model):
                item = models.ForeignKey(Item, on_delete=models.CASCADE)
                variation = models.ForeignKey(Variation, on_delete=models.CASCADE)
        ''',
        "shop/tasks.py": '''
            from shop.models import Entry

            def primed(event):
                for wle in Entry.objects.select_related("item", "variation"):
                    wle.item.event = event
                    wle.variation.item = wle.item
                    wle.variation.check_quotas()

            def unprimed(event):
                for wle in Entry.objects.select_related("item", "variation"):
                    wle.variation.check_quotas()
        ''',
    }
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] in ("AL601", "AL603")] == [("AL603", "shop/tasks.py", 11)]


_TREE_EXECUTOR = """\
class TreeExecutor {
  constructor(queryRunner) { this.queryRunner = queryRunner; }
  async insert(subject, parent) {
    const escape = (alias) => this.queryRunner.connection.driver.escape(alias);
    const tableName = this.getTableName(subject.metadata.tablePath);
    const queryParams = [];
    const ids = subject.metadata.primaryColumns.map((column) => {
      queryParams.push(column.getEntityValue(subject.entity));
      return this.queryRunner.connection.driver.createParameter("child_" + column.databaseName, queryParams.length - 1);
    });
    const where = subject.metadata.descendantColumns.map((column) => {
      const columnName = escape(column.databaseName);
      queryParams.push(column.getEntityValue(parent));
      const parameterName = this.queryRunner.connection.driver.createParameter("p_" + column.databaseName, queryParams.length - 1);
      return `${columnName} = ${parameterName}`;
    });
    await this.queryRunner.query(`INSERT INTO ${tableName} SELECT ${ids.join(", ")} FROM ${tableName} WHERE ${where.join(" AND ")}`, queryParams);
  }
  async grow(subject, parentId) {
    const tableName = this.getTableName(subject.metadata.tablePath);
    let right = undefined;
    right = await this.queryRunner.manager.createQueryBuilder().select("t.right", "right").whereInIds(parentId)
      .getRawOne().then((result) => {
        const value = result ? result["right"] : undefined;
        return typeof value === "string" ? parseInt(value) : value;
      });
    await this.queryRunner.query(`UPDATE ${tableName} SET rgt = rgt + 2 WHERE rgt >= ${right}`);
  }
  async remove(subject, ids) {
    const tableName = this.getTableName(subject.metadata.tablePath);
    const nodes = await this.getBounds(subject.metadata, ids);
    for (const node of nodes) {
      const size = node.right - node.left + 1;
      await this.queryRunner.query(`UPDATE ${tableName} SET lft = lft - ${size} WHERE lft > ${node.left} AND rgt < ${node.right}`);
    }
  }
  getBounds(metadata, ids) {
    return this.queryRunner.manager.createQueryBuilder().whereInIds(ids).getRawMany().then((results) => {
      const data = [];
      for (const result of results) {
        const entry = {};
        for (const key of ["left", "right"]) {
          const value = result ? result[key] : undefined;
          entry[key] = typeof value === "string" ? parseInt(value) : value;
        }
        data.push(entry);
      }
      return data;
    });
  }
  getTableName(tablePath) {
    return tablePath.split(".").map((i) => i === "" ? i : this.queryRunner.connection.driver.escape(i)).join(".");
  }
}
exports.TreeExecutor = TreeExecutor;
"""


def test_tree_executor_sql_built_from_escaped_names_placeholders_and_integers_is_no_injection(tmp_path):
    """typeorm's persistence/tree executors: the holes are names escaped by the driver, placeholders
    returned by block-bodied map callbacks, and nested-set bounds read back as numbers
    (``typeof value === "string" ? parseInt(value) : value``, through ``await …then(cb)`` and a
    method returning a list of such entries).  The twin that keeps the raw text value still fires."""
    files = {"package.json": '{"name": "x", "dependencies": {"typeorm": "^0.3"}}', "src/tree.js": _TREE_EXECUTOR}
    assert [f for f in findings(make_repo(tmp_path / "ok", files)) if f[0] == "AL502"] == []
    raw = _TREE_EXECUTOR.replace('typeof value === "string" ? parseInt(value) : value', "value")
    raw = raw.replace('return `${columnName} = ${parameterName}`;', 'return `${columnName} = ${column.getEntityValue(parent)}`;')
    bad = findings(make_repo(tmp_path / "bad", {**files, "src/tree.js": raw}))
    assert sorted(f[2] for f in bad if f[0] == "AL502") == [17, 27, 34]


_POOL_API = """\
import sqlalchemy as sa
from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from app import crud
from app.models import WorkPool

router = APIRouter()
SessionLocal = async_sessionmaker(create_async_engine("sqlite+aiosqlite:///x.db"))


async def get_session():
    async with SessionLocal() as session:
        yield session


class Lookups:
    async def pool_id(self, session, name):
        pool = await crud.read_work_pool_by_name(session, name)
        if not pool:
            raise HTTPException(status_code=404)
        return pool.id


@router.get("/{name}")
async def read_pool(name: str, lookups: Lookups = Depends(Lookups), session=Depends(get_session)):
    pool_id = await lookups.pool_id(session=session, name=name)
    pool = await crud.read_work_pool(session=session, work_pool_id=pool_id)
    return {"name": pool.name}


@router.get("/scalar/{name}")
async def read_scalar(name: str, session=Depends(get_session)):
    found = await crud.read_work_pool_by_name(session, name)
    if not found:
        raise HTTPException(status_code=404)
    pool = await session.scalar(sa.select(WorkPool).where(WorkPool.id == found.id))
    return {"name": pool.name}


@router.get("/raw/{pool_id}")
async def read_raw(pool_id: int, session=Depends(get_session)):
    pool = await crud.read_work_pool(session=session, work_pool_id=pool_id)
    return {"name": pool.name}


@router.get("/scalar-raw/{pool_id}")
async def read_scalar_raw(pool_id: int, session=Depends(get_session)):
    pool = await session.scalar(sa.select(WorkPool).where(WorkPool.id == pool_id))
    return {"name": pool.name}
"""


def test_a_lookup_by_the_id_of_a_row_checked_earlier_finds_its_row(tmp_path):
    """prefect's workers API: ``_get_work_pool_id_from_name`` 404s on an unknown name and returns
    ``work_pool.id``; ``read_work_pool(work_pool_id=…)`` then runs ``session.execute(select(WorkPool)
    .where(WorkPool.id == work_pool_id))`` and ``result.scalar()``: keyed by the id of a row the
    program holds, through the executed statement's Result (and ``session.scalar(select …)``).  The
    same lookups by a path parameter still may find nothing."""
    files = {
        "requirements.txt": "fastapi\nsqlalchemy\naiosqlite\n",
        "app/__init__.py": "",
        "app/models.py": (
            "import sqlalchemy as sa\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
            "class Base(DeclarativeBase):\n    pass\n\n\nclass WorkPool(Base):\n    __tablename__ = 'work_pool'\n"
            "    id: Mapped[int] = mapped_column(primary_key=True)\n    name: Mapped[str] = mapped_column(sa.String)\n"
        ),
        "app/crud.py": (
            "import sqlalchemy as sa\nfrom app.models import WorkPool\n\n\n"
            "async def read_work_pool(session, work_pool_id):\n"
            "    query = sa.select(WorkPool).where(WorkPool.id == work_pool_id).limit(1)\n"
            "    result = await session.execute(query)\n    return result.scalar()\n\n\n"
            "async def read_work_pool_by_name(session, name):\n"
            "    result = await session.execute(sa.select(WorkPool).where(WorkPool.name == name).limit(1))\n"
            "    return result.scalar()\n"
        ),
        "app/api.py": _POOL_API,
    }
    found = [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL220"]
    assert found == [("AL220", "app/api.py", 44), ("AL220", "app/api.py", 50)]


def test_select_star_read_only_for_its_column_descriptions_is_introspection(tmp_path):
    """peewee's reflection / migrator: ``SELECT * … LIMIT 1`` whose cursor is read only through
    ``.description`` lists the table's columns — every column is the point.  Rows read from the
    same statement still are a ``SELECT *``."""
    files = {
        "requirements.txt": "peewee\n",
        "app/reflect.py": (
            "import sqlite3\n\n\nclass Metadata:\n"
            "    def __init__(self, path):\n        self.conn = sqlite3.connect(path)\n\n"
            "    def get_column_types(self, table):\n        column_types = {}\n"
            "        cursor = self.conn.execute('SELECT * FROM \"%s\" LIMIT 1' % table)\n"
            "        for column_description in cursor.description:\n"
            "            name, type_code = column_description[:2]\n            column_types[name] = type_code\n"
            "        return column_types\n\n"
            "    def column_names(self, table):\n"
            "        return [item[0] for item in self.conn.execute('select * from \"%s\" limit 1' % table).description]\n\n"
            "    def rows(self, table):\n"
            "        cursor = self.conn.execute('SELECT * FROM \"%s\" LIMIT 10' % table)\n"
            "        return [dict(zip([c[0] for c in cursor.description], row)) for row in cursor.fetchall()]\n"
        ),
    }
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL414"] == [("AL414", "app/reflect.py", 20)]


def test_import_module_over_a_constant_registry_is_no_opaque_import(tmp_path):
    """prefect's lazy ``__getattr__``: ``package, module_name = _public_api.get(name)`` /
    ``module, attr = _public_api[name]`` then ``import_module(module_name, package=package)``: the
    target is one of the registry's constants (``__spec__.parent`` is the package itself) — what
    AL106's own guidance asks for.  A name split from the argument stays opaque."""
    files = {
        "requirements.txt": "fastapi\n",
        "pkg/__init__.py": (
            "from importlib import import_module\n\n"
            "_public_api: dict[str, tuple[str, str]] = {\n"
            "    \"flow\": (__spec__.parent, \".main\"),\n    \"Task\": (__spec__.parent, \".tasks\"),\n}\n\n\n"
            "def __getattr__(attr_name: str) -> object:\n"
            "    dynamic_attr = _public_api.get(attr_name)\n"
            "    if dynamic_attr is None:\n        raise AttributeError(attr_name)\n"
            "    package, module_name = dynamic_attr\n"
            "    module = import_module(module_name, package=package)\n"
            "    return getattr(module, attr_name)\n"
        ),
        "pkg/docker.py": (
            "_public_api = {\"DockerImage\": (\"pkg.docker_image\", \"DockerImage\")}\n\n\n"
            "def __getattr__(name):\n    from importlib import import_module\n\n"
            "    if name in _public_api:\n        module, attr = _public_api[name]\n"
            "        return getattr(import_module(module), attr)\n    raise ImportError(name)\n"
        ),
        "pkg/loader.py": (
            "import importlib\n\n\ndef load_any(name):\n    module, attr = name.split(\":\")\n"
            "    return getattr(importlib.import_module(module), attr)\n"
        ),
    }
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL106"] == [("AL106", "pkg/loader.py", 6)]


def test_import_module_of_a_registry_key_checked_by_its_lookup_is_no_opaque_import(tmp_path):
    """prefect's lazy ``__getattr__`` (``prefect/__init__.py:115``, ``deployments/__init__.py:30``):
    ``dynamic_attr = _public_api.get(attr_name)``; past ``if dynamic_attr is None: …`` (exits),
    ``import_module(f".{attr_name}", package=package)`` loads a key of the constant registry.  The same
    f-string in the branch where the lookup found nothing (any attribute name) stays opaque."""
    files = {
        "requirements.txt": "fastapi\n",
        "pkg/__init__.py": (
            "import importlib\n\n"
            "_public_api: dict[str, tuple[str, str]] = {\n"
            "    \"flow\": (__spec__.parent, \"__module__\"),\n    \"Task\": (__spec__.parent, \".tasks\"),\n}\n\n\n"
            "def __getattr__(attr_name: str) -> object:\n"
            "    try:\n"
            "        dynamic_attr = _public_api.get(attr_name)\n"
            "        if dynamic_attr is None:\n"
            "            return importlib.import_module(f\".{attr_name}\", package=__name__)\n"
            "        package, module_name = dynamic_attr\n"
            "        if module_name == \"__module__\":\n"
            "            return importlib.import_module(f\".{attr_name}\", package=package)\n"
            "        module = importlib.import_module(module_name, package=package)\n"
            "        return getattr(module, attr_name)\n"
            "    except ModuleNotFoundError as ex:\n"
            "        raise AttributeError(attr_name) from ex\n"
        ),
        "pkg/other.py": (
            "import importlib\n\n_KNOWN = {\"a\": 1}\n\n\n"
            "def load(name):\n"
            "    found = _KNOWN.get(name)\n"
            "    if found is None:\n        print(\"unknown\")\n"
            "    return importlib.import_module(f\".{name}\", package=__name__)\n"
        ),
    }
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL106"] == [
        ("AL106", "pkg/__init__.py", 13), ("AL106", "pkg/other.py", 10)]


def _rolledback(yield_inside: bool) -> dict:
    body = ("        with transaction.atomic():\n"
            "            yield\n"
            "            raise DummyRollbackException()\n") if yield_inside else \
           ("        with transaction.atomic():\n"
            "            pass\n"
            "        yield\n")
    return {  # pretix: helpers/database.py rolledback_transaction(), used by services/tickets.py's preview
        "requirements.txt": "django\n",
        "shop/models.py": (
            "from django.db import models\n"
            "class Event(models.Model):\n"
            "    name = models.CharField(max_length=100)\n"
            "class Order(models.Model):\n"
            "    event = models.ForeignKey(Event, on_delete=models.CASCADE)\n"
        ),
        "shop/db.py": (
            "from contextlib import contextmanager\n"
            "from django.db import transaction\n"
            "class DummyRollbackException(Exception):\n"
            "    pass\n"
            "@contextmanager\n"
            "def rolledback_transaction():\n"
            "    try:\n" + body +
            "    except DummyRollbackException:\n"
            "        pass\n"
        ),
        "shop/views.py": (
            "from django.http import JsonResponse\n"
            "from shop.db import rolledback_transaction\n"
            "from shop.models import Event, Order\n"
            "def preview(request):\n"
            "    with rolledback_transaction():\n"
            "        event = Event.objects.create(name='Sample')\n"
            "        Order.objects.create(event=event)\n"
            "        return JsonResponse({'event': event.pk})\n"
        ),
        "shop/urls.py": "from django.urls import path\nfrom shop import views\nurlpatterns = [path('preview', views.preview)]\n",
    }


def test_a_context_manager_that_yields_inside_atomic_is_a_transaction(tmp_path):
    assert [f for f in findings(make_repo(tmp_path / "in", _rolledback(True))) if f[0] == "AL305"] == []
    assert [f[:3] for f in findings(make_repo(tmp_path / "out", _rolledback(False))) if f[0] == "AL305"] == [
        ("AL305", "shop/views.py", 6)]


def test_a_rows_meta_fields_are_no_request_keys(tmp_path):
    files = {  # pretix: OrderPayment.confirm() copies the locked row's concrete fields back; paypal2's webhook found the row by the body
        "requirements.txt": "django\n",
        "shop/models.py": (
            "from django.db import models, transaction\n"
            "class Payment(models.Model):\n"
            "    state = models.CharField(max_length=16)\n"
            "    info = models.TextField()\n"
            "    def confirm(self):\n"
            "        with transaction.atomic():\n"
            "            locked = Payment.objects.select_for_update().get(pk=self.pk)\n"
            "            locked.state = 'confirmed'\n"
            "            locked.save(update_fields=['state'])\n"
            "            for field in self._meta.concrete_fields:\n"
            "                setattr(self, field.attname, getattr(locked, field.attname))\n"
            "    def update_from(self, data):\n"
            "        for key, value in data.items():\n"
            "            setattr(self, key, value)\n"
            "        self.save()\n"
        ),
        "shop/views.py": (
            "import json\n"
            "from django.http import JsonResponse\n"
            "from shop.models import Payment\n"
            "def webhook(request):\n"
            "    body = json.loads(request.body.decode())\n"
            "    payment = Payment.objects.filter(info__icontains=body['id']).first()\n"
            "    if payment:\n"
            "        payment.confirm()\n"
            "        payment.update_from(body)\n"
            "    return JsonResponse({'ok': True})\n"
        ),
        "shop/urls.py": "from django.urls import path\nfrom shop import views\nurlpatterns = [path('hook', views.webhook)]\n",
    }
    assert [f[:3] for f in findings(make_repo(tmp_path, files)) if f[0] == "AL504"] == [("AL504", "shop/models.py", 14)]


def _indico(lazy: str) -> dict:
    return {  # indico: core/db/sqlalchemy/core.py `db = IndicoSQLAlchemy(…)`, api/models/keys.py `user = db.relationship('User', lazy=False)`
        "requirements.txt": "flask-sqlalchemy\n",
        "app/db.py": (
            "from flask_sqlalchemy import SQLAlchemy\n"
            "class IndicoSQLAlchemy(SQLAlchemy):\n"
            "    def enforce_constraints(self):\n"
            "        self.session.execute('SET CONSTRAINTS ALL IMMEDIATE')\n"
            "db = IndicoSQLAlchemy()\n"
        ),
        "app/models.py": (
            "from app.db import db\n"
            "class User(db.Model):\n"
            "    id = db.Column(db.Integer, primary_key=True)\n"
            "    full_name = db.Column(db.String)\n"
            "class APIKey(db.Model):\n"
            "    id = db.Column(db.Integer, primary_key=True)\n"
            "    is_active = db.Column(db.Boolean)\n"
            "    user_id = db.Column(db.Integer, db.ForeignKey('user.id'))\n"
            f"    user = db.relationship('User'{lazy})\n"
        ),
        "app/views.py": (
            "from app.models import APIKey\n"
            "def keys():\n"
            "    return sorted(APIKey.query.filter_by(is_active=True), key=lambda ak: ak.user.full_name)\n"
        ),
    }


def test_models_of_a_flask_sqlalchemy_subclass_lazy_load_unless_lazy_is_false(tmp_path):
    found = [f[:3] for f in findings(make_repo(tmp_path / "lazy", _indico(""))) if f[0] == "AL603"]
    assert found == [("AL603", "app/views.py", 3)]
    assert [f for f in findings(make_repo(tmp_path / "joined", _indico(", lazy=False"))) if f[0] == "AL603"] == []


def test_a_flask_marshmallow_schema_load_is_a_validated_body(tmp_path):
    files = {  # indico: registration/controllers/management/fields.py `schema_cls(...).load(field_data)` on `mm.Schema`
        'requirements.txt': 'flask\nflask-sqlalchemy\nflask-marshmallow\n',
        'app/ext.py': 'from flask_marshmallow import Marshmallow\nfrom flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\nmm = Marshmallow()\n',
        'app/models.py': 'from app.ext import db\n\n\nclass Field(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n    title = db.Column(db.String)\n    is_required = db.Column(db.Boolean)\n',
        'app/views.py': 'from flask import Flask, request\nfrom marshmallow import fields\n\nfrom app.ext import db, mm\nfrom app.models import Field\n\napp = Flask(__name__)\n\n\nclass GeneralSchema(mm.Schema):\n    title = fields.String()\n    is_required = fields.Boolean()\n\n\nclass TextSchema(GeneralSchema):\n    pass\n\n\ndef _fill(field, data, is_text=False):\n    schema_cls = TextSchema if is_text else GeneralSchema\n    schema = schema_cls()\n    general = schema.load(data)\n    for key, value in general.items():\n        setattr(field, key, value)\n\n\n@app.post("/fields/<int:fid>")\ndef update(fid):\n    field = db.session.get(Field, fid)\n    _fill(field, request.json)\n    db.session.commit()\n    return {}\n\n\n@app.post("/fields/<int:fid>/raw")\ndef update_raw(fid):\n    field = db.session.get(Field, fid)\n    for key, value in request.json.items():\n        setattr(field, key, value)\n    db.session.commit()\n    return {}\n',
    }
    assert [f[:3] for f in findings(make_repo(tmp_path, files)) if f[0] == "AL504"] == [("AL504", "app/views.py", 39)]


def test_a_flag_reset_on_every_row_then_set_on_one_is_meant(tmp_path):
    files = {  # misago: themes/admin/views.py set_theme_as_active; indico: rb/operations/admin.py (map areas)
        "requirements.txt": "django\n",
        "themes/models.py": (
            "from django.db import models\n"
            "class Theme(models.Model):\n"
            "    name = models.CharField(max_length=100)\n"
            "    is_active = models.BooleanField(default=False)\n"
            "    hits = models.IntegerField(default=0)\n"
        ),
        "themes/views.py": (
            "from django.http import JsonResponse\n"
            "from themes.models import Theme\n"
            "def activate(request, pk):\n"
            "    Theme.objects.update(is_active=False)\n"
            "    Theme.objects.filter(pk=pk).update(is_active=True)\n"
            "    return JsonResponse({'ok': True})\n"
            "def deactivate(request, pk):\n"
            "    Theme.objects.update(is_active=False)\n"
            "    return JsonResponse({'ok': True})\n"
            "def reset_hits(request, pk):\n"
            "    Theme.objects.update(hits=0)\n"
            "    Theme.objects.filter(pk=pk).update(is_active=True)\n"
            "    return JsonResponse({'ok': True})\n"
        ),
        "themes/urls.py": (
            "from django.urls import path\n"
            "from themes import views\n"
            "urlpatterns = [path('t/<int:pk>/a', views.activate), path('t/<int:pk>/d', views.deactivate),\n"
            "               path('t/<int:pk>/r', views.reset_hits)]\n"
        ),
    }
    assert [f[:3] for f in findings(make_repo(tmp_path / "dj", files)) if f[0] == "AL405"] == [
        ("AL405", "themes/views.py", 8), ("AL405", "themes/views.py", 11)]
    sqla = {
        "requirements.txt": "flask-sqlalchemy\n",
        "app/db.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n",
        "app/models.py": (
            "from app.db import db\n"
            "class MapArea(db.Model):\n"
            "    id = db.Column(db.Integer, primary_key=True)\n"
            "    is_default = db.Column(db.Boolean, default=False)\n"
        ),
        "app/ops.py": (
            "from app.db import db\n"
            "from app.models import MapArea\n"
            "def update_area(map_area, default):\n"
            "    if default:\n"
            "        MapArea.query.update({MapArea.is_default: False}, synchronize_session='fetch')\n"
            "    map_area.is_default = default\n"
            "    db.session.flush()\n"
            "def clear_defaults():\n"
            "    MapArea.query.update({MapArea.is_default: False}, synchronize_session='fetch')\n"
        ),
    }
    assert [f[:3] for f in findings(make_repo(tmp_path / "sa", sqla)) if f[0] == "AL405"] == [("AL405", "app/ops.py", 9)]


def _middleware_row(listed: bool) -> dict:
    files = {  # pretix: multidomain/middlewares.py `request.organizer = …`, api/views/organizer.py `self.request.organizer.teams…`
        'requirements.txt': 'django\ndjangorestframework\n',
        'orga/__init__.py': '',
        'orga/models.py': 'from django.db import models\n\n\nclass Organizer(models.Model):\n    name = models.CharField(max_length=100)\n\n\nclass Event(models.Model):\n    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="events")\n    slug = models.SlugField()\n\n\nclass Team(models.Model):\n    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="teams")\n    name = models.CharField(max_length=100)\n    limit_events = models.ManyToManyField(Event)\n',
        'orga/serializers.py': 'from rest_framework import serializers\n\nfrom .models import Team\n\n\nclass EventSlugField(serializers.SlugRelatedField):\n    def get_queryset(self):\n        return self.context["organizer"].events.all()\n\n\nclass TeamSerializer(serializers.ModelSerializer):\n    limit_events = EventSlugField(slug_field="slug", many=True)\n\n    class Meta:\n        model = Team\n        fields = ("id", "name", "limit_events")\n\n\nclass PlainTeamSerializer(serializers.ModelSerializer):\n    limit_events = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)\n\n    class Meta:\n        model = Team\n        fields = ("id", "name", "limit_events")\n',
        'orga/views.py': 'from rest_framework import viewsets\n\nfrom .serializers import PlainTeamSerializer\n\n\nclass PlainTeamViewSet(viewsets.ReadOnlyModelViewSet):\n    serializer_class = PlainTeamSerializer\n\n    def get_queryset(self):\n        return self.request.organizer.teams.order_by("pk")\n',
        'orga/fviews.py': 'from django.http import JsonResponse\n\n\ndef team_events(request):\n    return JsonResponse({"teams": [[e.slug for e in t.limit_events.all()] for t in request.organizer.teams.all()]})\n',
        'orga/middleware.py': 'from .models import Organizer\n\n\nclass OrganizerMiddleware:\n    def __init__(self, get_response):\n        self.get_response = get_response\n\n    def __call__(self, request):\n        request.organizer = Organizer.objects.filter(pk=request.GET.get("o")).first()\n        return self.get_response(request)\n',
        'orga/settings.py': 'SECRET_KEY = "x"\nINSTALLED_APPS = ["rest_framework", "orga"]\nMIDDLEWARE = ["orga.middleware.OrganizerMiddleware"]\nROOT_URLCONF = "orga.urls"\n',
        'orga/urls.py': 'from django.urls import path\nfrom rest_framework.routers import DefaultRouter\n\nfrom . import fviews, views\n\nrouter = DefaultRouter()\nrouter.register("plain-teams", views.PlainTeamViewSet, basename="plain-team")\nurlpatterns = router.urls + [path("te", fviews.team_events)]\n',
    }
    if not listed:
        files['orga/settings.py'] = files['orga/settings.py'].replace('MIDDLEWARE = ["orga.middleware.OrganizerMiddleware"]', 'MIDDLEWARE = []')
    return files


def test_a_row_a_django_middleware_stores_on_the_request_is_read_by_views(tmp_path):
    found = [f[:3] for f in findings(make_repo(tmp_path / 'on', _middleware_row(True))) if f[0] == 'AL601']
    # the function view and the DRF viewset (its `self.request` is the request the middleware filled)
    assert found == [('AL601', 'orga/fviews.py', 5), ('AL601', 'orga/views.py', 9)]
    assert [f for f in findings(make_repo(tmp_path / 'off', _middleware_row(False))) if f[0] == 'AL601'] == []


def test_a_count_grouped_by_the_joined_collection_is_not_fanned_out(tmp_path):
    files = {  # pretix: control/views/item.py `.values('options', 'options__answer').annotate(count=Count('id'))`
        "requirements.txt": "django\n",
        "shop/__init__.py": "",
        "shop/models.py": (
            "from django.db import models\n"
            "class Question(models.Model):\n"
            "    question = models.CharField(max_length=200)\n"
            "class QuestionOption(models.Model):\n"
            "    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name='options')\n"
            "    answer = models.CharField(max_length=200)\n"
            "class QuestionAnswer(models.Model):\n"
            "    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name='answers')\n"
            "    options = models.ManyToManyField(QuestionOption, related_name='answers')\n"
            "    answer = models.TextField()\n"
        ),
        "shop/views.py": (
            "from django.db.models import Count\n"
            "from django.http import JsonResponse\n"
            "from shop.models import QuestionAnswer\n"
            "def option_stats(request, qid):\n"
            "    qs = QuestionAnswer.objects.filter(question_id=qid)\n"
            "    qs = qs.order_by('options').values('options', 'options__answer').annotate(count=Count('id')).order_by('-count')\n"
            "    return JsonResponse({'stats': [{'option': a['options__answer'], 'count': a['count']} for a in qs]})\n"
            "def answer_stats(request, qid):\n"
            "    qs = QuestionAnswer.objects.filter(question_id=qid).values('answer').annotate(count=Count('id'), n=Count('options'))\n"
            "    return JsonResponse({'stats': list(qs)})\n"
        ),
        "shop/urls.py": (
            "from django.urls import path\n"
            "from shop import views\n"
            "urlpatterns = [path('q/<int:qid>/o', views.option_stats), path('q/<int:qid>/a', views.answer_stats)]\n"
        ),
    }
    assert [f[:3] for f in findings(make_repo(tmp_path, files)) if f[0] == "AL410"] == [("AL410", "shop/views.py", 9)]


def test_attributes_added_by_setattr_are_not_missing_methods(tmp_path):
    files = {  # django/core/management/color.py: make_style() fills a Style() with setattr(style, role, func)
        "requirements.txt": "django\n",
        "pkg/base.py": (  # sorts before color.py: analysed before make_style()
            "from django.db import connection\n"
            "from pkg.color import make_style, make_plain\n"
            "def run():\n"
            "    text = make_style().ERROR('x')\n"
            "    return text + make_plain().ERROR('y')\n"
        ),
        "pkg/color.py": (
            "from django.db import connection\n"
            "import os\n"
            "class Style:\n"
            "    pass\n"
            "class Plain:\n"
            "    pass\n"
            "def make_style():\n"
            "    style = Style()\n"
            "    for role in os.environ.get('ROLES', '').split(','):\n"
            "        setattr(style, role, lambda text: text)\n"
            "    return style\n"
            "def make_plain():\n"
            "    plain = Plain()\n"
            "    setattr(plain, 'NOTICE', lambda text: text)\n"
            "    return plain\n"
        ),
    }
    # Style gets computed names (any method may exist); Plain gets NOTICE only, so ERROR raises
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL230"] == [("AL230", "pkg/base.py", 5)]


def test_an_instance_given_another_class_is_not_missing_methods(tmp_path):
    files = {  # django/db/models/sql/query.py Query.chain(): obj = Empty(); obj.__class__ = self.__class__
        "requirements.txt": "django\n",
        "pkg/query.py": (
            "from django.db import connection\n"
            "class Empty:\n"
            "    pass\n"
            "class Blank:\n"
            "    pass\n"
            "class Query:\n"
            "    def clone(self):\n"
            "        obj = Empty()\n"
            "        obj.__class__ = self.__class__\n"
            "        return obj.clone()\n"
            "    def blank(self):\n"
            "        obj = Blank()\n"
            "        obj.kind = self.__class__\n"
            "        return obj.clone()\n"
        ),
    }
    # Empty's instances may be any class; Blank only got an attribute, so its missing clone() raises
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL230"] == [("AL230", "pkg/query.py", 14)]


def _keyed_writes(second_key: str) -> dict:
    return {  # open-webui routers/apps.py connect_app_by_id: the app row updated by its id, then again by the same id
        "requirements.txt": "fastapi\nsqlalchemy\n",
        "app/models.py": (
            "from sqlalchemy import Boolean, Integer, String\n"
            "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n"
            "class Base(DeclarativeBase):\n"
            "    pass\n"
            "class App(Base):\n"
            "    __tablename__ = 'app'\n"
            "    id: Mapped[str] = mapped_column(String, primary_key=True)\n"
            "    is_active: Mapped[bool] = mapped_column(Boolean)\n"
            "    updated_at: Mapped[int] = mapped_column(Integer)\n"
        ),
        "app/main.py": (
            "from fastapi import Depends, FastAPI, HTTPException\n"
            "from sqlalchemy import update\n"
            "from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine\n"
            "from app.models import App, Base\n"
            "engine = create_async_engine('sqlite+aiosqlite:///app.db')\n"
            "SessionLocal = async_sessionmaker(engine)\n"
            "api = FastAPI()\n"
            "@api.on_event('startup')\n"
            "async def startup():\n"
            "    async with engine.begin() as conn:\n"
            "        await conn.run_sync(Base.metadata.create_all)\n"
            "async def get_db():\n"
            "    async with SessionLocal() as session:\n"
            "        yield session\n"
            "async def update_app(db: AsyncSession, id: str, data: dict):\n"
            "    await db.execute(update(App).where(App.id == id).values(**data))\n"
            "    await db.commit()\n"
            "async def activate(app_id: str, stamp: int):\n"
            "    async with SessionLocal() as db:\n"
            "        result = await db.execute(update(App).where(App.id == app_id, App.updated_at == stamp).values(is_active=True))\n"
            "        if result.rowcount != 1:\n"
            "            raise HTTPException(409, 'changed')\n"
            "        await db.commit()\n"
            "@api.post('/apps/{app_id}/connect')\n"
            "async def connect_app(app_id: str, other_id: str, stamp: int, db: AsyncSession = Depends(get_db)):\n"
            "    await update_app(db, app_id, {'is_active': False})\n"
            f"    await activate({second_key}, stamp)\n"
            "    return {'ok': True}\n"
        ),
    }


def _job_writes(saved: str) -> dict:
    return {  # label-studio data_import/api.py async_reimport: the job row created, its id handed to the job, which
        # looks it up and saves it (through core/redis.py start_job_async_or_sync(job, *args) -> job(*args))
        "requirements.txt": "django\n",
        "jobs/models.py": (
            "from django.db import models\n"
            "class Reimport(models.Model):\n"
            "    status = models.CharField(max_length=20)\n"
            "class Project(models.Model):\n"
            "    reimports = models.IntegerField(default=0)\n"
        ),
        "jobs/runner.py": (
            "def start_job_async_or_sync(job, *args, **kwargs):\n"
            "    return job(*args, **kwargs)\n"
        ),
        "jobs/views.py": (
            "from django.http import JsonResponse\n"
            "from jobs.models import Project, Reimport\n"
            "from jobs.runner import start_job_async_or_sync\n"
            "def reimport_background(reimport_id, project_id):\n"
            f"    row = {saved}.objects.get(id={saved.lower()}_id)\n"
            "    row.status = 'done'\n"
            "    row.save()\n"
            "def reimport(request, project_id):\n"
            "    job = Reimport.objects.create(status='created')\n"
            "    start_job_async_or_sync(reimport_background, job.id, project_id)\n"
            "    return JsonResponse({'id': job.id})\n"
        ),
        "jobs/urls.py": "from django.urls import path\nfrom jobs import views\nurlpatterns = [path('reimport/<int:project_id>', views.reimport)]\n",
    }


@pytest.mark.parametrize("files, expected", [
    (_keyed_writes("app_id"), []),  # one row, by one key: left as the first update made it
    (_keyed_writes("other_id"), [("AL305", "app/main.py", 26)]),  # two rows (a transfer): half-written
    (_job_writes("Reimport"), []),  # the job row it created, looked up by that row's id and saved again
    (_job_writes("Project"), [("AL305", "jobs/views.py", 9)]),  # another row, looked up by another key
], ids=["same-key", "other-key", "job-row", "other-row"])
def test_writes_of_one_row_by_one_key_are_one_write(tmp_path, files, expected):
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL305"] == expected


_AUTH_MODELS = (
    "from pydantic import BaseModel, ConfigDict\n"
    "from sqlalchemy import String\n"
    "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n"
    "class Base(DeclarativeBase):\n"
    "    pass\n"
    "class Auth(Base):\n"
    "    __tablename__ = 'auth'\n"
    "    id: Mapped[str] = mapped_column(String, primary_key=True)\n"
    "    email: Mapped[str] = mapped_column(String)\n"
    "    password: Mapped[str] = mapped_column(String)\n"
    "    stamp: Mapped[str] = mapped_column(String)\n"
    "class User(Base):\n"
    "    __tablename__ = 'user'\n"
    "    id: Mapped[str] = mapped_column(String, primary_key=True)\n"
    "    scim: Mapped[str] = mapped_column(String)\n"
    "class AuthModel(BaseModel):\n"
    "    model_config = ConfigDict(from_attributes=True)\n"
    "    id: str\n"
    "    email: str\n"
    "    stamp: str\n"
)

# open-webui models/auths.py: the Auth row read through a pydantic model (`model_validate`), compared-and-swapped by
# `auth.id`, the model copied with `model_copy(update=…)`; each method opens its own session and commits
_AUTHS_TABLE = (
    "from sqlalchemy import update\n"
    "from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine\n"
    "from app.models import Auth, AuthModel, User\n"
    "engine = create_async_engine('sqlite+aiosqlite:///app.db')\n"
    "SessionLocal = async_sessionmaker(engine)\n"
    "class AuthsTable:\n"
    "    async def get_auth_by_id(self, user_id: str, db: AsyncSession | None = None):\n"
    "        if db is None:\n"
    "            async with SessionLocal() as session:\n"
    "                return await self.get_auth_by_id(user_id, db=session)\n"
    "        row = await db.get(Auth, user_id)\n"
    "        return AuthModel.model_validate(row) if row else None\n"
    "    async def update_stamp(self, auth: AuthModel, *, db: AsyncSession):\n"
    "        result = await db.execute(update(Auth).where(Auth.id == auth.id, Auth.stamp == auth.stamp).values(stamp='new'))\n"
    "        if result.rowcount != 1:\n"
    "            return None\n"
    "        return auth.model_copy(update={'stamp': 'new'})\n"
    "    async def update_password(self, user_id, password, *, current_auth=None):\n"
    "        async with SessionLocal() as session:\n"
    "            auth = current_auth or await self.get_auth_by_id(user_id, db=session)\n"
    "            if auth is None:\n"
    "                return False\n"
    "            await self.update_stamp(auth, db=session)\n"
    "            await session.execute(update(Auth).where(Auth.id == user_id).values(password=password))\n"
    "            await session.commit()\n"
    "            return True\n"
    "    async def update_email(self, user_id, email):\n"
    "        async with SessionLocal() as session:\n"
    "            row = await session.get(Auth, user_id)\n"
    "            if row is None:\n"
    "                return False\n"
    "            row.email = email\n"
    "            await session.commit()\n"
    "            return True\n"
    "    async def update_user_scim(self, user_id, external_id):\n"
    "        async with SessionLocal() as session:\n"
    "            user = await session.get(User, user_id)\n"
    "            user.scim = external_id\n"
    "            await session.commit()\n"
    "Auths = AuthsTable()\n"
)


def _auth_row_writes(email_key: str, second: str = "update_email({key}, email)") -> dict:
    return {  # open-webui routers/users.py update_user_by_id: password and email of the one Auth row of user_id
        "requirements.txt": "fastapi\nsqlalchemy\npydantic\n",
        "app/models.py": _AUTH_MODELS,
        "app/auths.py": _AUTHS_TABLE,
        "app/main.py": (
            "from fastapi import FastAPI\n"
            "from app.auths import Auths\n"
            "api = FastAPI()\n"
            "@api.post('/users/{user_id}/update')\n"
            "async def update_user(user_id: str, other_id: str, password: str, email: str):\n"
            "    await Auths.update_password(user_id, password)\n"
            f"    await Auths.{second.format(key=email_key)}\n"
            "    return {'ok': True}\n"
        ),
    }


def _challenge_writes(saved: str) -> dict:
    return {  # open-webui utils/mfa.py: load_challenge counts an attempt on the Auth row of the token's user and
        # returns that row (the copy update_stamp made) in a tuple; the caller saves it again
        "requirements.txt": "fastapi\nsqlalchemy\npydantic\n",
        "app/models.py": _AUTH_MODELS,
        "app/auths.py": _AUTHS_TABLE,
        "app/mfa.py": (
            "from app.auths import Auths, SessionLocal\n"
            "async def get_auth(user_id):\n"
            "    auth = await Auths.get_auth_by_id(user_id)\n"
            "    if auth is None:\n"
            "        raise ValueError('no auth')\n"
            "    return auth\n"
            "async def save(auth):\n"
            "    async with SessionLocal() as db:\n"
            "        updated = await Auths.update_stamp(auth, db=db)\n"
            "        await db.commit()\n"
            "        return updated\n"
            "async def load_challenge(token):\n"
            "    user_id, _, _ = token.partition('.')\n"
            "    auth = await get_auth(user_id)\n"
            "    updated = await save(auth)\n"
            "    return user_id, updated\n"
        ),
        "app/main.py": (
            "from fastapi import FastAPI\n"
            "from app.mfa import get_auth, load_challenge, save\n"
            "api = FastAPI()\n"
            "@api.post('/mfa/confirm')\n"
            "async def confirm(token: str, other_id: str):\n"
            "    user_id, auth = await load_challenge(token)\n"
            "    other = await get_auth(other_id)\n"
            f"    await save({saved})\n"
            "    return {'ok': True}\n"
        ),
    }


@pytest.mark.parametrize("files, expected", [
    (_auth_row_writes("user_id"), []),  # the one Auth row of user_id, reached through its pydantic model and a lookup
    (_auth_row_writes("other_id"), [("AL305", "app/main.py", 6)]),  # two users' rows: half-written
    # the user's Auth row, then its User row: one key, two rows (open-webui routers/scim.py:717)
    (_auth_row_writes("user_id", "update_user_scim({key}, 'x')"), [("AL305", "app/main.py", 6)]),
    (_challenge_writes("auth"), []),  # the row the challenge counted on, handed back in a tuple, saved again
    (_challenge_writes("other"), [("AL305", "app/main.py", 6)]),  # another user's row
], ids=["same-auth", "other-auth", "other-model", "same-challenge-row", "other-challenge-row"])
def test_one_row_reached_through_models_copies_and_returned_tuples(tmp_path, files, expected):
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL305"] == expected


def _connect_writes(update: str) -> dict:
    return {  # open-webui routers/apps.py connect_app_by_id: the app row updated by its id, the row the update answers
        # handed to a connection object (AppConnection(app) -> self.app) that updates it again by `self.app.id` and
        # re-reads it by that id
        "requirements.txt": "fastapi\nsqlalchemy\npydantic\n",
        "app/models.py": (
            "from pydantic import BaseModel, ConfigDict\n"
            "from sqlalchemy import Boolean, String\n"
            "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n"
            "class Base(DeclarativeBase):\n"
            "    pass\n"
            "class App(Base):\n"
            "    __tablename__ = 'app'\n"
            "    id: Mapped[str] = mapped_column(String, primary_key=True)\n"
            "    is_active: Mapped[bool] = mapped_column(Boolean)\n"
            "class AppModel(BaseModel):\n"
            "    model_config = ConfigDict(from_attributes=True)\n"
            "    id: str\n"
            "    is_active: bool\n"
        ),
        "app/apps.py": (
            "from sqlalchemy import select, update\n"
            "from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine\n"
            "from app.models import App, AppModel\n"
            "engine = create_async_engine('sqlite+aiosqlite:///app.db')\n"
            "SessionLocal = async_sessionmaker(engine)\n"
            "class AppsTable:\n"
            "    async def get_app_by_id(self, id: str, db: AsyncSession):\n"
            "        app = await db.scalar(select(App).where(App.id == id))\n"
            "        return AppModel.model_validate(app) if app else None\n"
            "    async def update_app_by_id(self, id: str, data: dict, db: AsyncSession):\n"
            "        await db.execute(update(App).where(App.id == id).values(**data))\n"
            "        await db.commit()\n"
            "        return await self.get_app_by_id(id, db=db)\n"
            "Apps = AppsTable()\n"
        ),
        "app/connections.py": (
            "from sqlalchemy import update\n"
            "from app.apps import Apps, SessionLocal\n"
            "from app.models import App\n"
            "class AppConnection:\n"
            "    def __init__(self, app):\n"
            "        self.app = app\n"
            "    async def open(self, *, enroll=False):\n"
            "        if enroll:\n"
            "            async with SessionLocal() as db:\n"
            "                await db.execute(update(App).where(App.id == self.app.id).values(is_active=True))\n"
            "                await db.commit()\n"
            "                self.app = await Apps.get_app_by_id(self.app.id, db=db)\n"
            "class AppConnections:\n"
            "    async def connect(self, app):\n"
            "        peer = AppConnection(app)\n"
            "        await peer.open(enroll=True)\n"
            "        return peer.app\n"
            "connections = AppConnections()\n"
        ),
        "app/main.py": (
            "from fastapi import Depends, FastAPI\n"
            "from sqlalchemy.ext.asyncio import AsyncSession\n"
            "from app.apps import Apps, SessionLocal\n"
            "from app.connections import connections\n"
            "api = FastAPI()\n"
            "async def get_db():\n"
            "    async with SessionLocal() as session:\n"
            "        yield session\n"
            "@api.post('/apps/{app_id}/connect')\n"
            "async def connect_app(app_id: str, other_id: str, db: AsyncSession = Depends(get_db)):\n"
            "    app = await Apps.get_app_by_id(app_id, db=db)\n"
            f"    {update}\n"
            "    app = await connections.connect(app)\n"
            "    return {'ok': app.is_active}\n"
        ),
    }


@pytest.mark.parametrize("files, expected", [
    (_connect_writes("app = await Apps.update_app_by_id(app_id, {'is_active': False}, db=db)"), []),  # the app's row
    (_connect_writes("await Apps.update_app_by_id(other_id, {'is_active': False}, db=db)"), [("AL305", "app/main.py", 12)]),
], ids=["same-app", "other-app"])
def test_one_row_held_in_a_field_of_the_object_built_with_it(tmp_path, files, expected):
    assert [f for f in findings(make_repo(tmp_path, files)) if f[0] == "AL305"] == expected
