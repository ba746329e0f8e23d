"""Rules that used to match argument text now read the IR and the semantic values (issue 12):
each positive next to the look-alike the text matching got wrong."""

from __future__ import annotations

from helpers import make_repo, report


def _rules(root, *rules):
    return [(f.rule, f.path, f.line) for f in report(root).findings if f.rule in rules]


DJANGO_MODELS = '''
    from django.db import models


    class Article(models.Model):
        slug = models.SlugField(unique=True)
        author = models.CharField(max_length=80)
'''


def test_al501_whole_request_part_unpacked_into_a_django_lookup(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "django==5.1\n",
        "blog/__init__.py": "",
        "blog/models.py": DJANGO_MODELS,
        "blog/views.py": '''
            from django.http import JsonResponse

            from .models import Article


            def by_query(request):
                article = Article.objects.get(**request.GET.dict())
                return JsonResponse({"slug": article.slug})


            def by_form(request):
                article = Article.objects.get(**request.POST)
                return JsonResponse({"slug": article.slug})


            def by_author(request):
                article = Article.objects.get(
                    author=request.GET.get("author", ""),  # was **request.GET
                )
                return JsonResponse({"slug": article.slug})


            def by_named_filters(request):
                filters = {"author": request.GET.get("author", "")}
                article = Article.objects.get(**filters)
                return JsonResponse({"slug": article.slug})
        ''',
    })
    assert _rules(root, "AL501") == [("AL501", "blog/views.py", 7), ("AL501", "blog/views.py", 12)]


def test_al702_holds_each_file_to_its_own_projects_manifests(tmp_path):
    """label-studio ships ``tests/loadtests/requirements.txt`` (locust) and no manifest of its own:
    that sub-project's list says nothing about the code beside it (48 false AL702 before); a
    project whose own manifest omits the driver it imports is still reported."""
    root = make_repo(tmp_path, {
        "loadtests/requirements.txt": "locust==2.20\n",
        "loadtests/locustfile.py": "from locust import HttpUser\n\nclass Browse(HttpUser):\n    pass\n",
        "app/models.py": "from django.db import models\n\nclass Task(models.Model):\n    title = models.TextField()\n",
        "worker/requirements.txt": "celery==5.4\n",
        "worker/job.py": "import psycopg2\n\ndef connect():\n    return psycopg2.connect('dbname=x')\n",
    })
    assert _rules(root, "AL702") == [("AL702", "worker/job.py", 1)]


def test_al702_sequelize_dialect_read_from_the_option_object(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{ "name": "svc", "version": "1.0.0", "main": "src/db.js", '
                        '"dependencies": { "sequelize": "^6.37.3", "pg": "^8.12.0" } }\n',
        "src/db.js": '''
            const { Sequelize } = require('sequelize');

            const sequelize = new Sequelize(process.env.DATABASE_URL, {
              logging: false, // dialect: 'mysql' was the old RDS set-up
            });

            const options = { host: process.env.REPORTS_HOST, dialect: 'mysql', logging: false };
            const reports = new Sequelize('reports', process.env.REPORTS_USER, process.env.REPORTS_PASSWORD, options);

            module.exports = { sequelize, reports };
        ''',
    })
    # the comment in the first options is not an option; the constant object of the second is
    assert _rules(root, "AL702") == [("AL702", "src/db.js", 8)]


def test_al301_ddl_in_a_composition_root_is_set_up_whatever_holds_the_statement(tmp_path):
    root = make_repo(tmp_path, {
        "archlint.toml": 'preset = "clean"\n',
        "requirements.txt": "flask==3.0.3\n",
        "app/__init__.py": "",
        "app/routes/__init__.py": "",
        "app/services/__init__.py": "",
        "app/repositories/__init__.py": "",
        "app/repositories/visits.py": '''
            def count(conn):
                return conn.execute("SELECT COUNT(*) FROM visits").fetchone()[0]
        ''',
        "app/services/visits.py": '''
            from app.repositories import visits


            def count(conn):
                return visits.count(conn)
        ''',
        "app/routes/visits.py": '''
            from flask import Blueprint, g

            from app.services import visits

            bp = Blueprint("visits", __name__)


            @bp.get("/visits")
            def count():
                return {"visits": visits.count(g.db)}
        ''',
        "app/main.py": '''
            import sqlite3

            from flask import Flask

            from app.routes.visits import bp

            SCHEMA = """
                CREATE TABLE IF NOT EXISTS visits (id INTEGER PRIMARY KEY, path TEXT NOT NULL)
            """

            conn = sqlite3.connect("visits.db")
            conn.execute(SCHEMA)
            conn.execute("CREATE INDEX IF NOT EXISTS visits_path ON visits (path)")
            conn.execute("DELETE FROM visits WHERE path = ?", ("/health",))

            app = Flask(__name__)
            app.register_blueprint(bp)
        ''',
    })
    assert _rules(root, "AL301") == [("AL301", "app/main.py", 14)]


def test_al204_filter_by_reads_the_entity_from_the_ir_not_the_argument_text(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "sqlalchemy==2.0.30\n",
        "app/__init__.py": "",
        "app/models.py": '''
            from sqlalchemy import String
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


            class Base(DeclarativeBase):
                pass


            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)
                username: Mapped[str] = mapped_column(String(80), unique=True)
        ''',
        "app/repository.py": '''
            from sqlalchemy.orm import Session

            from app.models import User


            def by_name(session: Session, name: str):
                return session.query(  # the account, not its profile
                    User,
                ).filter_by(user_name=name).first()


            def names(session: Session):
                return session.query(User.username).filter_by(username="admin").all()
        ''',
    })
    # the comment before the entity hid it from the text; a column as the first argument is no entity
    assert _rules(root, "AL204") == [("AL204", "app/repository.py", 7)]


def _sequelize_raw(models: str, query: str) -> dict:
    return {
        "package.json": '{ "name": "blog", "version": "1.0.0", "main": "src/index.js", '
                        '"dependencies": { "express": "^4.19.2", "sequelize": "^6.37.3", "sqlite3": "^5.1.7" } }\n',
        "src/db.js": '''
            const { Sequelize } = require('sequelize');

            module.exports = new Sequelize({ dialect: 'sqlite', storage: 'blog.db', logging: false });
        ''',
        "src/models.js": models,
        "src/index.js": f'''
            const express = require('express');
            const {{ QueryTypes }} = require('sequelize');
            const sequelize = require('./db');
            require('./models');

            const app = express();
            app.get('/posts', async (req, res) => {{
              res.json(await sequelize.query({query!r}, {{ type: QueryTypes.SELECT }}));
            }});
            sequelize.sync().then(() => app.listen(3000));
        ''',
    }


def test_al411_sequelize_table_names_come_from_the_option_values(tmp_path):
    models = '''
        const { DataTypes } = require('sequelize');
        const sequelize = require('./db');

        const POSTS_TABLE = 'blog_posts';

        const Post = sequelize.define('Post', { title: DataTypes.STRING }, { tableName: POSTS_TABLE });

        module.exports = { Post };
    '''
    # the table is blog_posts (through the constant the text did not read): blog_post is a slip
    root = make_repo(tmp_path / "named", _sequelize_raw(models, "SELECT id, title FROM blog_post"))
    assert _rules(root, "AL411") == [("AL411", "src/index.js", 8)]
    root = make_repo(tmp_path / "right", _sequelize_raw(models, "SELECT id, title FROM blog_posts"))
    assert _rules(root, "AL411") == []


def test_al411_freeze_table_name_false_keeps_the_plural(tmp_path):
    models = '''
        const { DataTypes } = require('sequelize');
        const sequelize = require('./db');

        const Post = sequelize.define('Post', { title: DataTypes.STRING }, { freezeTableName: false, timestamps: true });

        module.exports = { Post };
    '''
    # freezeTableName: false is the default: the table is Posts (the text took the word for `true`)
    root = make_repo(tmp_path, _sequelize_raw(models, "SELECT id, title FROM Posts"))
    assert _rules(root, "AL411") == []


SQLA_MODELS = '''
    from sqlalchemy import Integer, String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    class Article(Base):
        __tablename__ = "articles"
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str] = mapped_column(String(200))
        score: Mapped[int] = mapped_column(Integer, default=0)
        author_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
'''


def test_sqlalchemy_conditions_are_judged_on_the_ir(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "sqlalchemy==2.0.30\n",
        "app/__init__.py": "",
        "app/models.py": SQLA_MODELS,
        "app/repository.py": '''
            from sqlalchemy import select
            from sqlalchemy.orm import Session

            from app.models import Article


            def orphans(session: Session):
                return session.scalars(select(Article).where(Article.author_id is None)).all()


            def popular(session: Session, ids):
                return session.scalars(select(Article).where(Article.score > 10 and Article.id in ids)).all()


            def middling(session: Session):
                return session.scalars(select(Article).where(0 < Article.score < 10)).all()


            def titled(session: Session):
                return session.scalars(select(Article).where(Article.title == "drafts and notes")).all()


            def legacy(session: Session):
                return session.execute(select(  # 1.x style
                    [Article.id, Article.title],
                )).all()


            def columns(session: Session, wanted):
                return session.execute(select(*[getattr(Article, name) for name in wanted])).all()


            def misspelt(session: Session):
                return session.scalars(select(Article).order_by(Article.scroe.desc())).all()
        ''',
    })
    assert _rules(root, "AL201", "AL202", "AL203", "AL210") == [
        ("AL202", "app/repository.py", 8),  # `is None` on a column
        ("AL201", "app/repository.py", 12),  # Python `and` (the `in` inside it is one problem of the same argument)
        # 0 < score < 10 is one chained comparison, and "drafts and notes" is a string: silent
        ("AL203", "app/repository.py", 24),  # select([...]) after a comment the text did not skip
        ("AL210", "app/repository.py", 34),
    ]


def _flask_raw(query: str) -> dict:
    return {
        "requirements.txt": "flask==3.0.3\nflask-sqlalchemy==3.1.1\n",
        "app/__init__.py": "",
        "app/models.py": '''
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()


            class Article(db.Model):
                __tablename__ = "articles"
                id = db.Column(db.Integer, primary_key=True)
                title = db.Column(db.String(200), nullable=False)
                body = db.Column("body_text", db.Text, nullable=False)
        ''',
        "app/views.py": f'''
            from flask import Blueprint, jsonify
            from sqlalchemy import text

            from app.models import db

            bp = Blueprint("articles", __name__)


            @bp.get("/articles")
            def list_articles():
                rows = db.session.execute(text({query!r})).all()
                return jsonify([dict(row._mapping) for row in rows])
        ''',
    }


def test_al412_a_renamed_flask_sqlalchemy_column_is_a_column(tmp_path):
    # db.Column("body_text", …): the table's column is body_text (the text only knew a bare Column(…))
    root = make_repo(tmp_path / "renamed", _flask_raw("SELECT id, title, body_text FROM articles"))
    assert _rules(root, "AL412") == []
    root = make_repo(tmp_path / "slip", _flask_raw("SELECT id, titel, body_text FROM articles"))
    assert _rules(root, "AL412") == [("AL412", "app/views.py", 11)]


def test_al411_migration_tables_are_read_from_the_create_table_call(tmp_path):
    files = {
        "requirements.txt": "flask==3.0.3\nsqlalchemy==2.0.30\nalembic==1.13.2\n",
        "migrations/versions/0001_initial.py": '''
            import sqlalchemy as sa
            from alembic import op

            revision = "0001"
            down_revision = None


            def upgrade():
                op.create_table("users", sa.Column("id", sa.Integer, primary_key=True), sa.Column("email", sa.String(200)))
                op.create_table(  # written by every request, read by the admin page
                    "audit_log",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("action", sa.String(50)),
                )
        ''',
        "app/__init__.py": "",
        "app/db.py": '''
            from sqlalchemy import create_engine

            engine = create_engine("sqlite:///app.db")
        ''',
        "app/views.py": '''
            from flask import Blueprint, jsonify
            from sqlalchemy import text

            from app.db import engine

            bp = Blueprint("admin", __name__)


            @bp.get("/audit")
            def audit():
                with engine.connect() as conn:
                    rows = conn.execute(text("SELECT id, action FROM audit_log")).all()
                    users = conn.execute(text("SELECT id, email FROM user")).all()
                return jsonify(len(rows), len(users))
        ''',
    }
    # audit_log is created too (its name after a comment); `user` is a slip for users
    assert _rules(make_repo(tmp_path, files), "AL411") == [("AL411", "app/views.py", 13)]
