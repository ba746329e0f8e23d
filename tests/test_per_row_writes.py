"""AL601 for writes: one write statement per row of a query result, in what a request runs
(the Django shapes are the agent-django-row-writes-* fixtures; these are the other stacks and the
scoping to request code)."""

from __future__ import annotations

from helpers import make_repo, report

SEQUELIZE = '''
const express = require('express');
const { Sequelize, DataTypes } = require('sequelize');

const sequelize = new Sequelize(process.env.DATABASE_URL);
const Article = sequelize.define('Article', { title: DataTypes.STRING, views: DataTypes.INTEGER });
sequelize.sync();

const app = express();
app.post('/api/articles/reset', async (req, res) => {
  const rows = await Article.findAll();
  await sequelize.transaction(async (t) => {
    for (const a of rows) {
      a.views = 0;
      await a.save({ transaction: t });
    }
  });
  res.json({ ok: true });
});
app.post('/api/articles/reset-all', async (req, res) => {
  const rows = await Article.findAll();
  let last = null;
  for (const a of rows) {
    if (a.views > 100) {
      await a.destroy();
    }
    last = a;
  }
  if (last) {
    last.views = 0;
    await last.save();
  }
  await Article.bulkCreate(rows.map((a) => ({ title: a.title, views: 0 })));
  res.json({ ok: true });
});
app.listen(3000);
'''


def _writes(root):
    return [(f.path, f.line) for f in report(root).findings if f.rule == "AL601" and "N+1 writes" in f.message]


def test_a_sequelize_save_per_row_is_reported_inside_a_transaction_too(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"name": "x", "dependencies": {"express": "^4", "sequelize": "^6", "pg": "^8"}}',
        "src/app.js": SEQUELIZE,
    })
    assert _writes(root) == [("src/app.js", 14)]  # not the per-row decision, the save after the loop, bulkCreate


def test_a_management_command_writing_per_row_is_not_a_request(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "django\n",
        "app/models.py": (
            "from django.db import models\n"
            "class Token(models.Model):\n"
            "    expired = models.BooleanField(default=False)\n"
        ),
        "app/management/commands/purge.py": (
            "from django.core.management.base import BaseCommand\n"
            "from app.models import Token\n"
            "class Command(BaseCommand):\n"
            "    def handle(self, *args, **options):\n"
            "        for token in Token.objects.filter(expired=True):\n"
            "            token.delete()\n"
        ),
        "app/views.py": (
            "from django.http import JsonResponse\n"
            "from app.models import Token\n"
            "def purge(request):\n"
            "    for token in Token.objects.filter(expired=True):\n"
            "        token.delete()\n"
            "    return JsonResponse({})\n"
        ),
        "app/urls.py": (
            "from django.urls import path\n"
            "from app import views\n"
            "urlpatterns = [path('purge', views.purge)]\n"
        ),
    })
    assert _writes(root) == [("app/views.py", 5)]


def test_a_write_in_an_except_handler_of_the_loop_is_decided_per_row(tmp_path):
    """A DELETE run only for the rows whose step failed (open-webui drops the OAuth session whose token does
    not decrypt) is a per-row decision like an ``if``; the same DELETE in the ``try`` body runs for every row."""
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy\n",
        "app/__init__.py": "",
        "app/main.py": '''
            from fastapi import FastAPI
            from sqlalchemy import Column, Integer, String, create_engine, delete, select
            from sqlalchemy.orm import Session, declarative_base

            Base = declarative_base()
            engine = create_engine("sqlite:///app.db")
            app = FastAPI()


            class Token(Base):
                __tablename__ = "tokens"
                id = Column(Integer, primary_key=True)
                secret = Column(String)


            def decrypt(secret):
                return secret[::-1]


            @app.get("/tokens")
            def tokens():
                with Session(engine) as session:
                    out = []
                    for token in session.scalars(select(Token)).all():
                        try:
                            out.append(decrypt(token.secret))
                        except ValueError:
                            session.execute(delete(Token).where(Token.id == token.id))
                    session.commit()
                    return out


            @app.delete("/tokens")
            def purge():
                with Session(engine) as session:
                    for token in session.scalars(select(Token)).all():
                        try:
                            session.execute(delete(Token).where(Token.id == token.id))
                        except ValueError:
                            pass
                    session.commit()


            @app.post("/tokens/rotate")
            def rotate():
                with Session(engine) as session:
                    try:
                        session.execute(select(Token).limit(1)).one()
                    except ValueError:
                        for token in session.scalars(select(Token)).all():
                            session.execute(delete(Token).where(Token.id == token.id))
                    session.commit()
        ''',
    })
    found = [(f.rule, f.line) for f in report(root).findings if f.rule == "AL601"]
    # the third route's handler holds the loop, not the other way round: every row, one DELETE each
    assert found == [("AL601", 38), ("AL601", 51)]
