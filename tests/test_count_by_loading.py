"""AL602: rows fetched only to be counted — `len(query.all())`, and a name bound to the rows whose
every use counts them (`rows = await Article.findAll(); return rows.length`).  Rows that are also
used (a page and its size) are not reported."""

from __future__ import annotations

from helpers import make_repo, report


def _al602(root):
    return sorted((f.path, f.line) for f in report(root).findings if f.rule == "AL602")


def test_python_rows_bound_then_only_counted(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy>=2\n",
        "app/main.py": '''
            from fastapi import FastAPI
            from sqlalchemy import create_engine, select
            from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

            engine = create_engine("sqlite:///x.db")
            app = FastAPI()


            class Base(DeclarativeBase):
                pass


            class Article(Base):
                __tablename__ = "articles"
                id: Mapped[int] = mapped_column(primary_key=True)
                title: Mapped[str]


            @app.get("/count")
            def count():
                with Session(engine) as session:
                    rows = session.scalars(select(Article)).all()
                    return {"count": len(rows)}


            @app.get("/page")
            def page():
                with Session(engine) as session:
                    rows = session.scalars(select(Article).order_by(Article.id).limit(20)).all()
                    return {"count": len(rows), "titles": [r.title for r in rows]}
        ''',
    })
    assert _al602(root) == [("app/main.py", 23)]


def test_js_rows_bound_then_only_their_length_read(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4", "sequelize": "^6", "sqlite3": "^5"}}',
        "src/app.js": '''
            const express = require('express');
            const { Sequelize, DataTypes } = require('sequelize');

            const sequelize = new Sequelize('sqlite::memory:');
            const Article = sequelize.define('Article', { title: DataTypes.STRING });
            const app = express();

            app.get('/count', async (req, res) => {
              const articles = await Article.findAll();
              res.json({ count: articles.length });
            });

            app.get('/page', async (req, res) => {
              const articles = await Article.findAll({ limit: 20, order: [['id', 'DESC']] });
              res.json({ articles: articles.map((a) => a.title), articlesCount: articles.length });
            });

            module.exports = app;
        ''',
    })
    assert _al602(root) == [("src/app.js", 10)]
