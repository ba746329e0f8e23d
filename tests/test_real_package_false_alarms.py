"""False alarms found on real packages (issue 10) that the fact-based rules could not avoid and the
semantic model does: regression tests, so none of them comes back."""

from __future__ import annotations

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
