"""AL220 on a lookup keyed by a column of a parameter: ``users.get(article.author_id)`` inside
``def present(article)``.  Analysed on its own the function cannot tell a foreign key of a row the
program holds (the author exists) from the client's id (it may not): the read is judged in the
callers' contexts.  A column declared nullable (``nullable=True``, ``Mapped[int | None]``, Django
``null=True``, Sequelize ``allowNull: true``) is never a stored key."""

from __future__ import annotations

from tests.helpers import findings, make_repo

MODELS = """
    from flask_sqlalchemy import SQLAlchemy

    db = SQLAlchemy()


    class User(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        username = db.Column(db.String(80), unique=True, nullable=False)


    class Article(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        slug = db.Column(db.String(200), unique=True, nullable=False)
        author_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
        editor_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
"""

SERIALIZERS = """
    from app.models import User


    def serialize_article(article):
        author = User.query.get(article.author_id)
        return {"slug": article.slug, "author": author.username}


    def serialize_editor(article):
        editor = User.query.get(article.editor_id)
        return {"slug": article.slug, "editor": editor.username}


    def comment_target(payload):
        article = User.query.get(payload.article_id)
        return article.username
"""

ROUTES = """
    from flask import Blueprint, jsonify, request

    from app.models import Article
    from app.serializers import comment_target, serialize_article, serialize_editor

    bp = Blueprint("api", __name__)


    @bp.get("/articles/<slug>")
    def get_article(slug):
        article = Article.query.filter_by(slug=slug).first_or_404()
        return jsonify(serialize_article(article), serialize_editor(article))


    @bp.get("/articles")
    def list_articles():
        return jsonify([serialize_article(a) for a in Article.query.order_by(Article.id).all()])


    @bp.post("/comments")
    def comment():
        return jsonify(target=comment_target(request.get_json(force=True)))
"""


def test_a_foreign_key_of_a_held_row_is_judged_in_the_callers_contexts(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "flask\nflask-sqlalchemy\n",
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/serializers.py": SERIALIZERS,
        "app/routes.py": ROUTES,
    })
    # serialize_article: the author behind a non-null foreign key exists (was reported by the
    # function's own analysis); serialize_editor: editor_id is nullable=True; comment_target: the
    # key is the client's (the request body the handler passes)
    assert [f for f in findings(root) if f[0] == "AL220"] == [
        ("AL220", "app/serializers.py", 11), ("AL220", "app/serializers.py", 16)]


def test_sqlalchemy_2_mapped_optional_is_a_nullable_key(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy\n",
        "app/__init__.py": "",
        "app/main.py": """
            from fastapi import Depends, FastAPI
            from sqlalchemy import ForeignKey, create_engine, select
            from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

            engine = create_engine("sqlite:///x.db")
            SessionLocal = sessionmaker(bind=engine)


            class Base(DeclarativeBase):
                pass


            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)
                username: Mapped[str]


            class Article(Base):
                __tablename__ = "articles"
                id: Mapped[int] = mapped_column(primary_key=True)
                author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
                reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


            Base.metadata.create_all(engine)


            def get_db():
                with SessionLocal() as db:
                    yield db


            def present(db, article):
                author = db.get(User, article.author_id)
                reviewer = db.get(User, article.reviewer_id)
                name = author.username
                return {"author": name, "reviewer": reviewer.username}


            app = FastAPI()


            @app.get("/articles")
            def articles(db: Session = Depends(get_db)):
                return [present(db, a) for a in db.scalars(select(Article).order_by(Article.id)).all()]
        """,
    })
    assert [f for f in findings(root) if f[0] == "AL220"] == [("AL220", "app/main.py", 38)]  # the reviewer's, not the author's (37)


def test_a_sequelize_foreign_key_in_a_helper_is_judged_like_the_inline_one(tmp_path):
    """``findByPk(article.authorId)`` in a helper given listed rows is silent, as the same call inline
    in the loop always was; the helper given the request body's id is reported."""
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4.19.0", "sequelize": "^6.37.0"}}',
        "src/models.js": """
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize('sqlite::memory:');
            const User = sequelize.define('User', { username: { type: DataTypes.STRING, allowNull: false } });
            const Article = sequelize.define('Article', { slug: DataTypes.STRING, title: DataTypes.STRING });
            Article.belongsTo(User, { as: 'author', foreignKey: 'authorId' });
            module.exports = { sequelize, User, Article };
        """,
        "src/present.js": """
            const { User } = require('./models');

            async function present(article) {
              const author = await User.findByPk(article.authorId);
              return { slug: article.slug, author: author.username };
            }

            module.exports = { present };
        """,
        "src/app.js": """
            const express = require('express');
            const { Article } = require('./models');
            const { present } = require('./present');

            const app = express();
            app.use(express.json());

            app.get('/api/articles', async (req, res) => {
              const articles = await Article.findAll({ order: [['id', 'DESC']], limit: 20 });
              res.json({ articles: await Promise.all(articles.map((a) => present(a))) });
            });

            app.post('/api/preview', async (req, res) => {
              res.json(await present(req.body.article));
            });

            module.exports = app;
        """,
    })
    assert [f for f in findings(root) if f[0] == "AL220"] == [("AL220", "src/present.js", 5)]
