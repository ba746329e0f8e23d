"""AL444: PostgreSQL-only ORM lookups/operators fire only where every database signal says SQLite."""

from __future__ import annotations

from helpers import make_repo, report

SETTINGS = 'DATABASES = {{"default": {{"ENGINE": "django.db.backends.{engine}", "NAME": "app"}}}}\n'
MODELS = """
from django.db import models


class Article(models.Model):
    title = models.CharField(max_length=200)
    tag_list = models.JSONField(default=list)
"""
VIEWS = """
from django.http import JsonResponse
from app.models import Article


def articles(request):
    tag = request.GET.get("tag", "")
    rows = Article.objects.filter({lookup}=[tag])
    return JsonResponse({{"articles": [a.title for a in rows]}})
"""


def _rules(root, rule):
    return [(f.path, f.line) for f in report(root).findings if f.rule == rule]


def _django(tmp_path, name, engine, lookup):
    return make_repo(tmp_path / name, {
        "requirements.txt": "Django==5.1.4\n", "run.sh": "python manage.py migrate\n",
        "conduit/settings.py": SETTINGS.format(engine=engine), "app/__init__.py": "",
        "app/models.py": MODELS, "app/views.py": VIEWS.format(lookup=lookup),
    })


def test_json_containment_on_sqlite(tmp_path):
    assert _rules(_django(tmp_path, "a", "sqlite3", "tag_list__contains"), "AL444") == [("app/views.py", 7)]
    assert _rules(_django(tmp_path, "b", "sqlite3", "tag_list__0__contained_by"), "AL444") == [("app/views.py", 7)]


def test_sqlite_safe_lookups_and_postgres_are_silent(tmp_path):
    assert _rules(_django(tmp_path, "pg", "postgresql", "tag_list__contains"), "AL444") == []
    assert _rules(_django(tmp_path, "key", "sqlite3", "tag_list__has_key"), "AL444") == []
    assert _rules(_django(tmp_path, "text", "sqlite3", "title__contains"), "AL444") == []


def test_sequelize_operators_through_the_models_index(tmp_path):
    app = """
const db = require('./models');

async function search(req, res) {
  const rows = await db.Article.findAll({ where: { title: { [db.Sequelize.Op.iLike]: `%${req.query.q}%` } } });
  const liked = await db.Article.findAll({ where: { title: { [db.Sequelize.Op.like]: `%${req.query.q}%` } } });
  res.json({ rows, liked });
}

module.exports = { search };
"""
    models = "const { Sequelize } = require('sequelize');\nconst sequelize = new Sequelize({ dialect: '%s', storage: 'db.sqlite' });\nmodule.exports = { sequelize, Sequelize };\n"
    sqlite = make_repo(tmp_path / "sqlite", {"package.json": '{"dependencies": {"sequelize": "^6.37.5", "sqlite3": "^5.1.7"}}',
                                             "src/search.js": app, "src/models/index.js": models % "sqlite"})
    postgres = make_repo(tmp_path / "pg", {"package.json": '{"dependencies": {"sequelize": "^6.37.5", "pg": "^8.13.1"}}',
                                           "src/search.js": app, "src/models/index.js": models % "postgres"})
    assert _rules(sqlite, "AL444") == [("src/search.js", 4)]  # Op.iLike, not Op.like
    assert _rules(postgres, "AL444") == []
