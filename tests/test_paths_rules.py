"""Path- and write-sensitive rules on the semantic model (issue 13): transactions per ORM, managed
transaction callbacks, unchecked lookups, mass assignment, ORM semantics and layers by file role —
each positive next to the look-alike that must stay silent."""

from __future__ import annotations

import pytest

from helpers import make_repo, report


def _rules(root, *rules):
    found = report(root)
    return [(f.rule, f.path, f.line) for f in found.findings if f.rule in rules]


DJANGO_MODELS = '''
    from django.db import models

    class Tag(models.Model):
        name = models.CharField(max_length=20)

    class Article(models.Model):
        slug = models.SlugField()
        author = models.ForeignKey("auth.User", on_delete=models.CASCADE)
        tags = models.ManyToManyField(Tag)
'''


def _django(tmp_path, views, settings=""):
    files = {
        "requirements.txt": "django==5.1\n",
        "conduit/__init__.py": "",
        "conduit/articles/__init__.py": "",
        "conduit/articles/migrations/__init__.py": "",
        "conduit/articles/models.py": DJANGO_MODELS,
        "conduit/articles/views.py": views,
        "conduit/urls.py": '''
            from django.urls import path
            from conduit.articles import views
            urlpatterns = [path("articles", views.create), path("articles/safe", views.create_safe)]
        ''',
    }
    if settings:
        files["conduit/settings.py"] = settings
    return make_repo(tmp_path, files)


DJANGO_VIEWS = '''
    from django.db import transaction
    from django.http import JsonResponse
    from conduit.articles.models import Article, Tag

    def create(request):
        article = Article.objects.create(slug="a", author=request.user)
        tag, _ = Tag.objects.get_or_create(name="x")
        article.tags.add(tag)
        return JsonResponse({"slug": article.slug})

    @transaction.atomic
    def create_safe(request):
        article = Article.objects.create(slug="a", author=request.user)
        article.tags.add(Tag.objects.get_or_create(name="x")[0])
        return JsonResponse({"slug": article.slug})
'''


def test_django_writes_outside_atomic_are_reported_and_atomic_views_are_not(tmp_path):
    root = _django(tmp_path, DJANGO_VIEWS)
    assert _rules(root, "AL305") == [("AL305", "conduit/articles/views.py", 6)]


def test_idempotent_upserts_and_one_helper_called_twice_are_not_several_writes(tmp_path):
    """wagtail's shape: a profile fetched-or-created lazily, then saved — a retry finds the row
    the first attempt created, nothing is left half-done (the upsert is self-contained)."""
    views = '''
        from django.http import JsonResponse
        from conduit.articles.models import Article, Tag

        def touch(name):
            tag, _ = Tag.objects.update_or_create(name=name, defaults={"name": name})
            tag.save()
            return tag

        def create(request):
            Tag.objects.get_or_create(name="a")
            Tag.objects.get_or_create(name="b")
            touch("a")
            touch("b")
            return JsonResponse({})

        def create_safe(request):
            return JsonResponse({})
    '''
    root = _django(tmp_path, views)
    assert _rules(root, "AL305") == []


def test_django_atomic_requests_makes_every_view_atomic(tmp_path):
    settings = '''
        DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3", "ATOMIC_REQUESTS": True}}
    '''
    root = _django(tmp_path, DJANGO_VIEWS, settings)
    assert _rules(root, "AL305") == []


SQLA = '''
    from sqlalchemy import create_engine
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

    engine = create_engine("sqlite://")
    SessionLocal = sessionmaker(bind=engine)

    class Base(DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str]

    class Profile(Base):
        __tablename__ = "profiles"
        id: Mapped[int] = mapped_column(primary_key=True)
        user_id: Mapped[int]
'''


def test_sqlalchemy_commit_between_writes_is_reported_one_commit_and_exclusive_branches_are_not(tmp_path):
    root = make_repo(tmp_path, {
        "app/db.py": SQLA,
        "app/main.py": '''
            from fastapi import Depends, FastAPI
            from sqlalchemy.orm import Session
            from app.db import Profile, SessionLocal, User

            app = FastAPI()

            def get_db():
                db = SessionLocal()
                try:
                    yield db
                finally:
                    db.close()

            @app.post("/users")
            def register(name: str, db: Session = Depends(get_db)):
                user = User(name=name)
                db.add(user)
                db.commit()
                db.add(Profile(user_id=user.id))
                db.commit()
                return {"id": user.id}

            @app.post("/users/once")
            def register_once(name: str, db: Session = Depends(get_db)):
                user = User(name=name)
                db.add(user)
                db.flush()
                db.add(Profile(user_id=user.id))
                db.commit()
                return {"id": user.id}

            @app.put("/users/{uid}")
            def upsert(uid: int, name: str, db: Session = Depends(get_db)):
                user = db.get(User, uid)
                if user is None:
                    db.add(User(id=uid, name=name))
                    db.commit()
                    return {"created": True}
                user.name = name
                db.add(user)
                db.commit()
                return {"created": False}
        ''',
    })
    assert _rules(root, "AL305") == [("AL305", "app/main.py", 17)]


def test_a_commit_per_item_inside_a_try_that_records_the_failure_is_one_unit_per_item(tmp_path):
    """open-webui 0.6 skill import (routers/skills.py) reports a status per package from a per-item
    ``try``; its OAuth cleanup deletes stale sessions one by one through a helper that logs and
    returns False.  Each item is its own unit of work.  A ``try`` around the whole loop, or a handler
    that re-raises, still leaves the earlier items committed and the rest not; a helper that drops the
    error silently (``except Exception: return None``, open-webui's add_file_to_channel_by_id) leaves
    the caller unaware that part of the batch is missing.  The same recording helper called twice
    (open-webui's utils/oauth.py deleting stale sessions from two places) is two complete runs of one
    statement; a helper that lets its error out stops the second after the first committed."""
    root = make_repo(tmp_path, {
        "app/db.py": SQLA,
        "app/main.py": '''
            from fastapi import Depends, FastAPI
            from sqlalchemy.orm import Session
            from app.db import Profile, SessionLocal, User

            app = FastAPI()

            def get_db():
                db = SessionLocal()
                try:
                    yield db
                finally:
                    db.close()

            def delete_profile(db, pid):
                try:
                    db.query(Profile).filter_by(id=pid).delete()
                    db.commit()
                    return True
                except Exception as error:
                    print(f"could not delete profile {pid}: {error}")
                    return False

            @app.post("/import")
            def import_users(names: list[str], db: Session = Depends(get_db)):
                results = []
                for name in names:
                    try:
                        db.add(User(name=name))
                        db.commit()
                        results.append({"name": name, "status": "saved"})
                    except ValueError as error:
                        results.append({"name": name, "status": "error", "error": str(error)})
                return results

            @app.delete("/profiles")
            def cleanup(ids: list[int], db: Session = Depends(get_db)):
                for pid in ids:
                    delete_profile(db, pid)
                return {"ok": True}

            @app.post("/import-all")
            def import_all(names: list[str], db: Session = Depends(get_db)):
                try:
                    for name in names:
                        db.add(User(name=name))
                        db.commit()
                except ValueError:
                    return {"ok": False}
                return {"ok": True}

            def link_profile(db, uid):
                try:
                    db.add(Profile(user_id=uid))
                    db.commit()
                    return True
                except Exception:
                    return None

            @app.post("/link")
            def link(uids: list[int], db: Session = Depends(get_db)):
                for uid in uids:
                    link_profile(db, uid)
                return {"ok": True}

            @app.delete("/profiles/pair")
            def cleanup_pair(first: int, second: int, db: Session = Depends(get_db)):
                delete_profile(db, first)
                delete_profile(db, second)
                return {"ok": True}

            def drop_profile(db, pid):
                db.query(Profile).filter_by(id=pid).delete()
                db.commit()

            @app.delete("/profiles/pair-strict")
            def cleanup_pair_strict(first: int, second: int, db: Session = Depends(get_db)):
                drop_profile(db, first)
                drop_profile(db, second)
                return {"ok": True}

            @app.post("/import-strict")
            def import_strict(names: list[str], db: Session = Depends(get_db)):
                for name in names:
                    try:
                        db.add(User(name=name))
                        db.commit()
                    except ValueError:
                        db.rollback()
                        raise
                return {"ok": True}
        ''',
    })
    assert _rules(root, "AL305") == [("AL305", "app/main.py", 45), ("AL305", "app/main.py", 53), ("AL305", "app/main.py", 77),
                                     ("AL305", "app/main.py", 85)]


NODE_PKG = '{"name": "x", "dependencies": {"express": "4", "knex": "3", "pg": "8", "@prisma/client": "5", "sequelize": "6"}}'


def test_knex_and_prisma_transactions_and_queries_outside_their_callbacks(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": NODE_PKG,
        "src/db.js": '''
            const knex = require('knex');
            const { PrismaClient } = require('@prisma/client');
            module.exports = { db: knex({ client: 'pg' }), prisma: new PrismaClient() };
        ''',
        "src/routes.js": '''
            const express = require('express');
            const { db, prisma } = require('./db');
            const router = express.Router();
            router.post('/a', async (req, res) => {
              await db.transaction(async (trx) => {
                await trx('articles').insert({ title: 't' });
                await db('tags').insert({ name: 'x' });
              });
              res.sendStatus(201);
            });
            router.post('/b', async (req, res) => {
              await prisma.$transaction(async (tx) => {
                await tx.article.create({ data: { title: 't' } });
                await prisma.tag.create({ data: { name: 'x' } });
              });
              res.sendStatus(201);
            });
            router.post('/c', async (req, res) => {
              await prisma.$transaction([
                prisma.article.create({ data: { title: 't' } }),
                prisma.tag.create({ data: { name: 'x' } }),
              ]);
              res.sendStatus(201);
            });
            router.post('/d', async (req, res) => {
              await Promise.all([db('articles').insert({ title: 't' }), db('tags').insert({ name: 'x' })]);
              res.sendStatus(201);
            });
            router.post('/e', async (req, res) => {
              await db.transaction(async (trx) => {
                await trx('articles').insert({ title: 't' });
                await db('tags').insert({ name: 'x' }).transacting(trx);
              });
              res.sendStatus(201);
            });
            module.exports = router;
        ''',
    })
    assert _rules(root, "AL305", "AL306") == [
        ("AL306", "src/routes.js", 7),
        ("AL306", "src/routes.js", 14),
        ("AL305", "src/routes.js", 26),
    ]


def test_node_postgres_begin_commit_on_one_client_is_a_transaction(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": NODE_PKG,
        "src/db.js": "const { Pool } = require('pg');\nmodule.exports = new Pool();\n",
        "src/routes.js": '''
            const express = require('express');
            const pool = require('./db');
            const router = express.Router();
            router.post('/follow', async (req, res) => {
              const client = await pool.connect();
              try {
                await client.query('BEGIN');
                await client.query('INSERT INTO follows (a, b) VALUES ($1, $2)', [1, 2]);
                await client.query('UPDATE users SET followers = followers + 1 WHERE id = $1', [2]);
                await client.query('COMMIT');
              } finally {
                client.release();
              }
              res.sendStatus(200);
            });
            router.post('/unfollow', async (req, res) => {
              await pool.query('DELETE FROM follows WHERE a = $1 AND b = $2', [1, 2]);
              await pool.query('UPDATE users SET followers = followers - 1 WHERE id = $1', [2]);
              res.sendStatus(200);
            });
            module.exports = router;
        ''',
    })
    assert _rules(root, "AL305") == [("AL305", "src/routes.js", 17)]


def test_typeorm_transaction_manager_and_an_injected_repository_inside_it(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"@nestjs/common": "10", "@nestjs/typeorm": "10", "typeorm": "0.3"}}',
        "src/article.entity.ts": '''
            import { Entity, PrimaryGeneratedColumn, Column } from 'typeorm';
            @Entity()
            export class Article { @PrimaryGeneratedColumn() id: number; @Column() title: string; }
        ''',
        "src/articles.service.ts": '''
            import { Injectable } from '@nestjs/common';
            import { InjectRepository } from '@nestjs/typeorm';
            import { DataSource, Repository } from 'typeorm';
            import { Article } from './article.entity';

            @Injectable()
            export class ArticlesService {
              constructor(private readonly dataSource: DataSource, @InjectRepository(Article) private readonly articles: Repository<Article>) {}

              async copy(title: string) {
                return this.dataSource.transaction(async (manager) => {
                  await manager.save(Article, { title });
                  await this.articles.save({ title: title + ' (copy)' });
                });
              }

              async copySafe(title: string) {
                return this.dataSource.transaction(async (manager) => {
                  await manager.save(Article, { title });
                  await manager.getRepository(Article).save({ title: title + ' (copy)' });
                });
              }
            }
        ''',
    })
    assert _rules(root, "AL306") == [("AL306", "src/articles.service.ts", 13)]


def test_sequelize_cls_passes_the_transaction_implicitly(tmp_path):
    models = '''
        const { Sequelize, DataTypes } = require('sequelize');
        const cls = require('cls-hooked');
        Sequelize.useCLS(cls.createNamespace('tx'));
        const sequelize = new Sequelize('sqlite::memory:');
        const Tag = sequelize.define('Tag', { name: DataTypes.STRING });
        module.exports = { sequelize, Tag };
    '''
    service = '''
        const { sequelize, Tag } = require('./models');
        async function tag(name) {
          return sequelize.transaction(async () => {
            await Tag.create({ name });
            await Tag.create({ name: name + '2' });
          });
        }
        module.exports = { tag };
    '''
    root = make_repo(tmp_path, {"package.json": NODE_PKG, "src/models.js": models, "src/service.js": service})
    assert _rules(root, "AL215") == []
    root2 = make_repo(tmp_path / "nocls", {
        "package.json": NODE_PKG,
        "src/models.js": models.replace("Sequelize.useCLS(cls.createNamespace('tx'));", ""),
        "src/service.js": service,
    })
    assert _rules(root2, "AL215") == [("AL215", "src/service.js", 4), ("AL215", "src/service.js", 5)]


def test_unchecked_lookup_across_a_repository_with_its_trace_and_checked_look_alikes(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": NODE_PKG,
        "src/models.js": '''
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize('sqlite::memory:');
            const User = sequelize.define('User', { username: DataTypes.STRING });
            module.exports = { User };
        ''',
        "src/repo.js": '''
            const { User } = require('./models');
            exports.byName = (username) => User.findOne({ where: { username } });
        ''',
        "src/service.js": '''
            const repo = require('./repo');
            exports.profile = async (name) => {
              const user = await repo.byName(name);
              return { username: user.username };
            };
            exports.safe = async (name) => {
              const user = await repo.byName(name);
              if (user == null) return null;
              return { username: user.username, bio: user?.bio };
            };
            exports.either = async (name) => {
              const user = await repo.byName(name);
              return user ? user.username : (await repo.byName('x'))?.username;
            };
        ''',
    })
    found = [f for f in report(root).findings if f.rule == "AL220"]
    assert [(f.path, f.line) for f in found] == [("src/service.js", 4)]
    assert [(step.path, step.line) for step in found[0].trace] == [("src/repo.js", 2)]


def test_mass_assignment_through_a_service_and_allow_listed_look_alikes(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "flask\nsqlalchemy\npydantic\n",
        "app/db.py": SQLA,
        "app/service.py": '''
            from app.db import SessionLocal, User

            def create_user(data):
                with SessionLocal.begin() as session:
                    session.add(User(**data))

            def create_user_checked(name):
                with SessionLocal.begin() as session:
                    session.add(User(name=name))
        ''',
        "app/routes.py": '''
            from flask import Blueprint, request
            from pydantic import BaseModel
            from app import service

            bp = Blueprint("users", __name__)

            class UserIn(BaseModel):
                name: str

            @bp.post("/users")
            def create():
                service.create_user(request.get_json()["user"])
                return "", 201

            @bp.post("/users/validated")
            def create_validated():
                service.create_user(UserIn(**request.get_json()["user"]).model_dump())
                return "", 201

            @bp.post("/users/fields")
            def create_fields():
                service.create_user_checked(request.get_json()["user"]["name"])
                return "", 201
        ''',
    })
    found = [f for f in report(root).findings if f.rule == "AL504"]
    assert [(f.path, f.line) for f in found] == [("app/service.py", 5)]
    assert [(step.path, step.line) for step in found[0].trace] == [("app/routes.py", 12)]


def test_presentation_imported_by_a_model_in_a_feature_folder_without_layer_directories(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy\n",
        "app/__init__.py": "",
        "app/articles/__init__.py": "",
        "app/articles/model.py": '''
            from sqlalchemy.orm import DeclarativeBase
            from app.articles.routes import PAGE_SIZE

            class Base(DeclarativeBase):
                pass
        ''',
        "app/articles/routes.py": '''
            from fastapi import APIRouter
            from app.articles.schemas import ArticleOut
            router = APIRouter()
            PAGE_SIZE = 20
        ''',
        "app/articles/schemas.py": "from pydantic import BaseModel\nclass ArticleOut(BaseModel):\n    title: str\n",
        "app/articles/service.py": "from app.articles.schemas import ArticleOut\n",
    })
    assert _rules(root, "AL109", "AL110") == [("AL109", "app/articles/model.py", 2)]


def test_database_routers_and_views_named_after_models_are_not_layer_roles(tmp_path):
    """Tortoise's and Django's *database* routers live in ``router.py``/``routers.py`` and import no
    web framework; wagtail's ``admin/views/generic/models.py`` is views for models, not models."""
    root = make_repo(tmp_path, {
        "requirements.txt": "django\n",
        "shop/__init__.py": "",
        "shop/models.py": '''
            from django.db import models
            from shop.routers import PrimaryReplicaRouter

            class Order(models.Model):
                db_router = PrimaryReplicaRouter
        ''',
        "shop/routers.py": '''
            from django.conf import settings

            class PrimaryReplicaRouter:
                def db_for_read(self, model, **hints):
                    return "replica"
        ''',
        "shop/admin/__init__.py": "",
        "shop/admin/views/__init__.py": "",
        "shop/admin/views/models.py": "from shop.admin.views.base import BaseView\n\nclass IndexView(BaseView):\n    pass\n",
        "shop/admin/views/base.py": "from django.shortcuts import render\n\nclass BaseView:\n    pass\n",
        "shop/web/__init__.py": "",
        "shop/web/model.py": "from shop.web.router import router\n",
        # functions about models among helpers (open-webui's utils/models.py lists LLM models): not the model layer
        "shop/utils/__init__.py": "",
        "shop/utils/models.py": "from shop.web.router import router\n\ndef available_models():\n    return list(router)\n",
        "shop/web/router.py": "from django.urls import path\n\nrouter = [path('', lambda request: None)]\n",
    })
    assert _rules(root, "AL109", "AL110") == [("AL109", "shop/web/model.py", 1)]  # a router that does import django.urls


def test_feature_folders_under_routes_hold_services_and_mappers(tmp_path):
    """Found on the Prisma Conduit (francielecapaulino-coder's fork of gothinkster's Express app):
    every feature lives in ``src/app/routes/<feature>/`` — controller, service and mapper side by
    side — so ``article.service.ts`` importing ``article.mapper.ts`` is no service reaching into
    HTTP (6 false AL109 on the app).  A file of that folder that does import the web framework
    (a router) is still presentation, and a service outside the folder still may not import it."""
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4"}}',
        "src/app/routes/article/article.mapper.ts": "export const toArticle = (a) => ({ slug: a.slug });\n",
        "src/app/routes/article/article.service.ts": (
            "import { toArticle } from './article.mapper';\n"
            "export const list = (rows) => rows.map(toArticle);\n"
        ),
        "src/app/routes/article/handlers.ts": "import { Router } from 'express';\nexport const router = Router();\nexport const LIMIT = 20;\n",
        "src/app/routes/tag/tag.service.ts": "import { LIMIT } from '../article/handlers';\nexport const top = (tags) => tags.slice(0, LIMIT);\n",
        "src/app/services/feed.service.ts": "import { toArticle } from '../routes/article/article.mapper';\nexport const feed = (rows) => rows.map(toArticle);\n",
    })
    assert _rules(root, "AL109", "AL110") == [
        ("AL109", "src/app/routes/tag/tag.service.ts", 1),  # the folder's router imports express
        ("AL109", "src/app/services/feed.service.ts", 1),  # outside the routes/ container
    ]


def test_delete_by_url_without_an_owner_check_and_the_checked_look_alikes(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy\n",
        "app/db.py": SQLA.replace("        user_id: Mapped[int]", "        user_id: Mapped[int]\n        bio: Mapped[str]"),
        "app/main.py": '''
            from fastapi import Depends, FastAPI, HTTPException
            from sqlalchemy.orm import Session
            from app.db import Profile, SessionLocal, User

            app = FastAPI()

            def get_db():
                with SessionLocal() as db:
                    yield db

            def get_current_user(db: Session = Depends(get_db)) -> User:
                return db.get(User, 1)

            @app.delete("/profiles/{pid}")
            def delete_profile(pid: int, user: User = Depends(get_current_user), db: Session = Depends(get_db)):
                profile = db.get(Profile, pid)
                if profile is None:
                    raise HTTPException(404)
                db.delete(profile)
                db.commit()

            @app.delete("/profiles/{pid}/checked")
            def delete_checked(pid: int, user: User = Depends(get_current_user), db: Session = Depends(get_db)):
                profile = db.get(Profile, pid)
                if profile is None or profile.user_id != user.id:
                    raise HTTPException(403)
                db.delete(profile)
                db.commit()

            @app.put("/profiles/{pid}")
            def update_public(pid: int, bio: str, db: Session = Depends(get_db)):
                profile = db.get(Profile, pid)
                if profile is None:
                    raise HTTPException(404)
                profile.bio = bio
                db.add(profile)
                db.commit()
        ''',
    })
    assert _rules(root, "AL505") == [("AL505", "app/main.py", 19)]


def test_sequelize_destroy_by_url_parameter_without_owner(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": NODE_PKG,
        "src/models.js": '''
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize('sqlite::memory:');
            const User = sequelize.define('User', { username: DataTypes.STRING });
            const Comment = sequelize.define('Comment', { body: DataTypes.STRING });
            Comment.belongsTo(User, { as: 'author', foreignKey: 'authorId' });
            module.exports = { Comment };
        ''',
        "src/routes.js": '''
            const express = require('express');
            const { Comment } = require('./models');
            const router = express.Router();
            router.delete('/comments/:id', async (req, res) => {
              if (!req.user) return res.sendStatus(401);
              await Comment.destroy({ where: { id: req.params.id } });
              res.sendStatus(204);
            });
            router.delete('/mine/:id', async (req, res) => {
              const comment = await Comment.findByPk(req.params.id);
              if (!comment) return res.sendStatus(404);
              if (comment.authorId !== req.user.id) return res.sendStatus(403);
              await comment.destroy();
              res.sendStatus(204);
            });
            router.delete('/anonymous/:id', async (req, res) => {
              await Comment.destroy({ where: { id: req.params.id } });
              res.sendStatus(204);
            });
            module.exports = router;
        ''',
    })
    assert _rules(root, "AL505") == [("AL505", "src/routes.js", 6)]


# ch1n3du/realworld-nest-prisma `ArticlesService.deleteArticle`: the article is deleted first, then its
# `authorId` is compared with the user and a 403 thrown — the row is already gone.  A check that surely runs
# after the write does not count; the same comparison before it, or the owner in the write's `where`, does.
_LATE_OWNER_JS = {
    "package.json": NODE_PKG,
    "src/models.js": '''
        const { Sequelize, DataTypes } = require('sequelize');
        const sequelize = new Sequelize('sqlite::memory:');
        const User = sequelize.define('User', { username: DataTypes.STRING });
        const Article = sequelize.define('Article', { slug: DataTypes.STRING });
        Article.belongsTo(User, { as: 'author', foreignKey: 'authorId' });
        module.exports = { Article };
    ''',
    "src/service.js": '''
        const { Article } = require('./models');
        async function removeArticle(slug, userId) {
          const article = await Article.findOne({ where: { slug } });
          if (!article) throw new Error('not found');
          BODY
        }
        module.exports = { removeArticle };
    ''',
    "src/routes.js": '''
        const express = require('express');
        const { removeArticle } = require('./service');
        const router = express.Router();
        router.delete('/articles/:slug', async (req, res) => {
          if (!req.user) return res.sendStatus(401);
          await removeArticle(req.params.slug, req.user.id);
          res.sendStatus(204);
        });
        module.exports = router;
    ''',
}
_LATE_OWNER_PY = {
    "requirements.txt": "fastapi\nsqlalchemy\n",
    "app/db.py": SQLA,
    "app/main.py": '''
        from fastapi import Depends, FastAPI, HTTPException
        from sqlalchemy.orm import Session
        from app.db import Profile, SessionLocal, User

        app = FastAPI()

        def get_db():
            with SessionLocal() as db:
                yield db

        def get_current_user(db: Session = Depends(get_db)) -> User:
            return db.get(User, 1)

        @app.delete("/profiles/{pid}")
        def delete_profile(pid: int, user: User = Depends(get_current_user), db: Session = Depends(get_db)):
            profile = db.get(Profile, pid)
            if profile is None:
                raise HTTPException(404)
            BODY
            db.commit()
    ''',
}


@pytest.mark.parametrize("files, body, expected", [
    (_LATE_OWNER_JS, "await Article.destroy({ where: { slug } });\n"
                     "          if (article.authorId !== userId) throw new Error('forbidden');", [("AL505", "src/routes.js", 6)]),
    (_LATE_OWNER_JS, "if (article.authorId !== userId) throw new Error('forbidden');\n"
                     "          await Article.destroy({ where: { slug } });", []),
    (_LATE_OWNER_JS, "await Article.destroy({ where: { slug, authorId: userId } });\n"
                     "          if (article.authorId !== userId) throw new Error('forbidden');", []),
    (_LATE_OWNER_JS, "if (slug) { await Article.destroy({ where: { slug } }); }\n"
                     "          if (article.authorId !== userId) throw new Error('forbidden');", []),
    (_LATE_OWNER_PY, "db.delete(profile)\n"
                     "            if profile.user_id != user.id:\n"
                     "                raise HTTPException(403)", [("AL505", "app/main.py", 19)]),
    (_LATE_OWNER_PY, "if profile.user_id != user.id:\n"
                     "                raise HTTPException(403)\n"
                     "            db.delete(profile)", []),
], ids=["js-delete-then-check", "js-check-then-delete", "js-owner-in-where", "js-delete-in-branch",
        "py-delete-then-check", "py-check-then-delete"])
def test_an_owner_check_after_the_write_does_not_count(tmp_path, files, body, expected):
    root = make_repo(tmp_path, {name: text.replace("BODY", body) for name, text in files.items()})
    assert _rules(root, "AL505") == expected


def test_pooled_client_used_after_release(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": NODE_PKG,
        "src/db.js": "const { Pool } = require('pg');\nmodule.exports = new Pool();\n",
        "src/tags.js": '''
            const pool = require('./db');
            async function tags() {
              const client = await pool.connect();
              const { rows } = await client.query('SELECT name FROM tags');
              client.release();
              const again = await client.query('SELECT COUNT(*) FROM tags');
              return { rows, again };
            }
            async function tagsOk() {
              const client = await pool.connect();
              try {
                return (await client.query('SELECT name FROM tags')).rows;
              } finally {
                client.release();
              }
            }
            module.exports = { tags, tagsOk };
        ''',
    })
    assert _rules(root, "AL307") == [("AL307", "src/tags.js", 6)]


def test_callback_made_before_the_close_is_not_use_after_close(tmp_path):
    # keystone's resetDatabase: the callback handed to an awaited helper runs before `finally { client.end() }`;
    # the closure analysed on its own saw the live frame's closed mark.  A callback made after the close keeps it.
    root = make_repo(tmp_path, {
        "package.json": NODE_PKG,
        "src/reset.js": '''
            const { Client } = require('pg');
            const { applyMigrations } = require('./migrate');
            async function reset(config, dir) {
              const client = new Client(config);
              await client.connect();
              try {
                await applyMigrations(dir, (sql) => client.query(sql));
              } finally {
                await client.end();
              }
            }
            async function late(config, names) {
              const client = new Client(config);
              await client.connect();
              await client.end();
              return Promise.all(names.map((n) => client.query('SELECT 1 FROM tags WHERE name = $1', [n])));
            }
            module.exports = { reset, late };
        ''',
        "src/migrate.js": "async function applyMigrations(dir, run) { for (const f of [dir]) await run(f); }\nmodule.exports = { applyMigrations };\n",
    })
    assert _rules(root, "AL307") == [("AL307", "src/reset.js", 16)]


def test_two_collections_joined_in_one_typeorm_query_and_the_query_strategy_look_alike(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"typeorm": "0.3"}}',
        "src/entities.ts": '''
            import { Entity, PrimaryGeneratedColumn, OneToMany, ManyToOne, ManyToMany } from 'typeorm';
            @Entity()
            export class Article {
              @PrimaryGeneratedColumn() id: number;
              @OneToMany(() => Comment, (c) => c.article) comments: Comment[];
              @ManyToMany(() => Tag) tags: Tag[];
            }
            @Entity()
            export class Comment { @PrimaryGeneratedColumn() id: number; @ManyToOne(() => Article) article: Article; }
            @Entity()
            export class Tag { @PrimaryGeneratedColumn() id: number; }
        ''',
        "src/repo.ts": '''
            import { DataSource } from 'typeorm';
            import { Article } from './entities';
            const ds = new DataSource({ type: 'sqlite', database: 'x' });
            export const full = () => ds.getRepository(Article).find({ relations: ['comments', 'tags'] });
            export const split = () => ds.getRepository(Article).find({ relations: ['comments', 'tags'], relationLoadStrategy: 'query' });
            export const one = () => ds.getRepository(Article).find({ relations: ['tags'] });
        ''',
    })
    assert _rules(root, "AL231") == [("AL231", "src/repo.ts", 4)]


def test_sqlalchemy_joinedload_of_two_collections_and_selectinload_look_alike(tmp_path):
    root = make_repo(tmp_path, {"requirements.txt": "sqlalchemy\n", "app/m.py": 'from sqlalchemy import ForeignKey, select\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, joinedload, selectinload, Session\n\nclass Base(DeclarativeBase):\n    pass\n\nclass Article(Base):\n    __tablename__ = "articles"\n    id: Mapped[int] = mapped_column(primary_key=True)\n    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))\n    author: Mapped["User"] = relationship()\n    comments: Mapped[list["Comment"]] = relationship()\n    tags: Mapped[list["Tag"]] = relationship()\n\nclass User(Base):\n    __tablename__ = "users"\n    id: Mapped[int] = mapped_column(primary_key=True)\n\nclass Comment(Base):\n    __tablename__ = "comments"\n    id: Mapped[int] = mapped_column(primary_key=True)\n    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))\n\nclass Tag(Base):\n    __tablename__ = "tags"\n    id: Mapped[int] = mapped_column(primary_key=True)\n    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))\n\ndef bad(s: Session):\n    return s.scalars(select(Article).options(joinedload(Article.comments), joinedload(Article.tags))).unique().all()\n\ndef ok(s: Session):\n    return s.scalars(select(Article).options(joinedload(Article.author), selectinload(Article.comments), selectinload(Article.tags))).all()\n'})
    assert _rules(root, "AL231") == [("AL231", "app/m.py", 30)]


def test_commonjs_exports_called_inside_the_module_carry_their_nullable_result(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": NODE_PKG,
        "src/db.js": "const knex = require('knex');\nmodule.exports = knex({ client: 'pg' });\n",
        "src/articles.js": '''
            const db = require('./db');
            exports.bySlug = (slug) => db('articles').where({ slug }).first();
            exports.title = async (slug) => {
              const article = await exports.bySlug(slug);
              return article.title;
            };
            exports.titleChecked = async (slug) => {
              const article = await exports.bySlug(slug);
              return article ? article.title : null;
            };
        ''',
    })
    assert _rules(root, "AL220") == [("AL220", "src/articles.js", 5)]


def test_a_flag_holding_an_and_of_the_lookup_narrows_it(tmp_path):
    """``valid = row and not row.expired()`` then ``if not valid: raise``: past the check the row
    is set (django-allauth's confirmation-key lookup through a custom manager); a flag that only
    holds the other operand does not narrow the row.  A dereference inside ``try: … except
    AttributeError:`` is handled."""
    root = make_repo(tmp_path, {
        "requirements.txt": "django==5.1\n",
        "blog/__init__.py": "",
        "blog/migrations/__init__.py": "",
        "blog/models.py": DJANGO_MODELS,
        "blog/views.py": '''
            from django.http import Http404, JsonResponse
            from blog.models import Article

            def confirm(request, slug):
                article = Article.objects.filter(slug=slug).first()
                valid = article and article.slug != "draft"
                if not valid:
                    raise Http404()
                return JsonResponse({"id": article.pk})

            def confirm_wrong(request, slug):
                article = Article.objects.filter(slug=slug).first()
                valid = slug and slug != "draft"
                if not valid:
                    raise Http404()
                return JsonResponse({"id": article.pk})

            def author_or_none(request, slug):
                try:
                    author = Article.objects.filter(slug=slug).first().author
                except AttributeError:
                    author = None
                return JsonResponse({"author": str(author)})

            def author_or_500(request, slug):
                try:
                    author = Article.objects.filter(slug=slug).first().author
                except KeyError:
                    author = None
                return JsonResponse({"author": str(author)})
        ''',
    })
    # a None handled by `except AttributeError` (wagtail's get_workflow) is checked; KeyError is not
    assert _rules(root, "AL220") == [("AL220", "blog/views.py", 16), ("AL220", "blog/views.py", 27)]


def test_first_of_a_queryset_this_path_checked_is_a_row(tmp_path):
    """label-studio: ``if not memberships.exists(): raise …`` then ``memberships.first()``,
    ``membership.exists() and membership.first().enabled``, ``if not annotations: raise …`` then
    ``annotations.first()`` — the QuerySet was checked to match a row (3 false AL220).  A check on
    one branch only, or on another QuerySet, leaves ``.first()`` nullable."""
    root = make_repo(tmp_path, {
        "blog/__init__.py": "",
        "blog/models.py": DJANGO_MODELS,
        "blog/views.py": '''
            from django.http import Http404, JsonResponse
            from blog.models import Article

            def first_checked(request, slug):
                articles = Article.objects.filter(slug=slug)
                if not articles.exists():
                    raise Http404()
                return JsonResponse({"id": articles.first().pk})

            def truthy_checked(request, slug):
                articles = Article.objects.filter(slug=slug)
                if not articles:
                    raise Http404()
                article = articles.first()
                return JsonResponse({"id": article.pk, "enabled": articles.exists() and articles.first().slug})

            def checked_on_one_branch(request, slug):
                articles = Article.objects.filter(slug=slug)
                if request.GET.get("strict") and not articles.exists():
                    raise Http404()
                return JsonResponse({"id": articles.first().pk})

            def other_queryset_checked(request, slug):
                articles = Article.objects.filter(slug=slug)
                drafts = articles.filter(slug="draft")
                if not articles.exists():
                    raise Http404()
                return JsonResponse({"id": drafts.first().pk})

            def manager_checked(request):
                if Article.objects.exists():
                    return JsonResponse({"id": Article.objects.first().pk})
                return JsonResponse({})

            def manager_checked_on_one_path(request):
                if request.GET.get("x") and Article.objects.exists():
                    request.session["seen"] = True
                return JsonResponse({"id": Article.objects.first().pk})
        ''',
    })
    # label-studio's `if Organization.objects.exists(): org = Organization.objects.first()` is checked;
    # a check that only one path made is not (the fact is dropped where the paths merge)
    assert _rules(root, "AL220") == [
        ("AL220", "blog/views.py", 21), ("AL220", "blog/views.py", 28), ("AL220", "blog/views.py", 38),
    ]


def test_a_catch_all_that_returns_handles_the_none_one_that_raises_does_not(tmp_path):
    """open-webui's table classes wrap each lookup in ``try: … except Exception: return None``: a
    missing row's AttributeError becomes the method's own None/False answer, not a 500.  A catch-all
    that logs and re-raises (or raises a 500) still lets the failure out."""
    root = make_repo(tmp_path, {
        "requirements.txt": "sqlalchemy\naiosqlite\n",
        "app/db.py": '''
            from contextlib import asynccontextmanager
            from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

            engine = create_async_engine("sqlite+aiosqlite://")
            AsyncSessionLocal = async_sessionmaker(engine)

            class Base(DeclarativeBase):
                pass

            class Chat(Base):
                __tablename__ = "chat"
                id: Mapped[str] = mapped_column(primary_key=True)
                pinned: Mapped[bool]

            @asynccontextmanager
            async def get_async_db_context(db=None):
                if db is not None:
                    yield db
                else:
                    async with AsyncSessionLocal() as session:
                        yield session
        ''',
        "app/chats.py": '''
            import logging
            from sqlalchemy.ext.asyncio import AsyncSession
            from app.db import Chat, get_async_db_context

            log = logging.getLogger(__name__)

            class ChatTable:
                async def toggle_chat_pinned_by_id(self, id: str, db: AsyncSession | None = None):
                    try:
                        async with get_async_db_context(db) as session:
                            chat = await session.get(Chat, id)
                            chat.pinned = not chat.pinned
                            await session.commit()
                            return chat
                    except Exception:
                        return None

                async def toggle_chat_pinned_or_raise(self, id: str, db: AsyncSession | None = None):
                    try:
                        async with get_async_db_context(db) as session:
                            chat = await session.get(Chat, id)
                            chat.pinned = not chat.pinned
                            await session.commit()
                            return chat
                    except Exception as e:
                        log.exception(e)
                        raise
        ''',
    })
    assert _rules(root, "AL220") == [("AL220", "app/chats.py", 22)]


def test_setattr_loop_over_the_request_body_and_allow_listed_look_alikes(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "flask\nsqlalchemy\n",
        "app/db.py": SQLA,
        "app/routes.py": '''
            from flask import Blueprint, request
            from app.db import SessionLocal, User

            bp = Blueprint("users", __name__)
            ALLOWED = ("name",)

            @bp.put("/users/<int:uid>")
            def update(uid):
                data = request.get_json()["user"]
                with SessionLocal.begin() as session:
                    user = session.get(User, uid)
                    for key, value in data.items():
                        if hasattr(user, key):
                            setattr(user, key, value)
                return "", 200

            @bp.put("/users/<int:uid>/allowed")
            def update_allowed(uid):
                data = request.get_json()["user"]
                with SessionLocal.begin() as session:
                    user = session.get(User, uid)
                    for key, value in data.items():
                        if key in ALLOWED:
                            setattr(user, key, value)
                return "", 200

            @bp.put("/users/<int:uid>/skip")
            def update_skipping(uid):
                data = request.get_json()["user"]
                with SessionLocal.begin() as session:
                    user = session.get(User, uid)
                    for key, value in data.items():
                        if key not in ("name", "bio"):
                            continue
                        setattr(user, key, value)
                return "", 200

            @bp.put("/users/<int:uid>/fields")
            def update_fields(uid):
                data = request.get_json()["user"]
                with SessionLocal.begin() as session:
                    user = session.get(User, uid)
                    for key in ("name",):
                        if key in data:
                            setattr(user, key, data[key])
                return "", 200
        ''',
    })
    found = [f for f in report(root).findings if f.rule == "AL504"]
    assert [(f.path, f.line) for f in found] == [("app/routes.py", 14)]
    assert "setattr(row, key, value)" in found[0].message


def test_js_entity_keys_copied_from_the_body_and_the_includes_allow_list(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"name": "x", "dependencies": {"express": "4", "sequelize": "6"}}',
        "src/models.js": '''
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize('sqlite::memory:');
            const User = sequelize.define('User', { username: DataTypes.STRING, bio: DataTypes.STRING });
            module.exports = { sequelize, User };
        ''',
        "src/app.js": '''
            const express = require('express');
            const { User } = require('./models');
            const app = express();
            const ALLOWED = ['username', 'bio'];

            app.put('/user/:id', async (req, res) => {
              const user = await User.findByPk(req.params.id);
              if (!user) return res.sendStatus(404);
              for (const [key, value] of Object.entries(req.body.user)) {
                user[key] = value;
              }
              await user.save();
              res.json(user);
            });

            app.put('/user/:id/allowed', async (req, res) => {
              const user = await User.findByPk(req.params.id);
              if (!user) return res.sendStatus(404);
              for (const [key, value] of Object.entries(req.body.user)) {
                if (ALLOWED.includes(key)) user[key] = value;
              }
              Object.keys(req.body.user).forEach((k) => { if (ALLOWED.includes(k)) { user[k] = req.body.user[k]; } });
              await user.save();
              res.json(user);
            });
            module.exports = app;
        ''',
    })
    assert _rules(root, "AL504") == [("AL504", "src/app.js", 10)]


COUNTED_MODELS = '''
    from sqlalchemy import Column, ForeignKey, Table, create_engine
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, sessionmaker

    engine = create_engine("sqlite://")
    SessionLocal = sessionmaker(bind=engine)

    class Base(DeclarativeBase):
        pass

    favorites = Table("favorites", Base.metadata, Column("user_id", ForeignKey("users.id")),
                      Column("article_id", ForeignKey("articles.id")))

    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)

    class Tag(Base):
        __tablename__ = "tags"
        id: Mapped[int] = mapped_column(primary_key=True)
        article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
        name: Mapped[str]

    class Article(Base):
        __tablename__ = "articles"
        id: Mapped[int] = mapped_column(primary_key=True)
        favorited_by: Mapped[list["User"]] = relationship(secondary=favorites)
        tags: Mapped[list["Tag"]] = relationship()
        tag_names: Mapped[str]

        def to_dict(self, user):
            return {
                "favoritesCount": len(self.favorited_by),
                "favorited": user in self.favorited_by,
                "tagList": [t.name for t in self.tags],
                "tagCount": len(self.tags),
                "names": len(self.tag_names),
            }
'''


def test_collection_loaded_only_to_count_it_and_the_listed_collection_look_alike(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "flask\nsqlalchemy\n",
        "app/models.py": COUNTED_MODELS,
        "app/routes.py": '''
            from flask import Blueprint, g
            from app.models import SessionLocal, Article

            bp = Blueprint("a", __name__)

            @bp.get("/articles/<int:aid>")
            def get(aid):
                with SessionLocal() as session:
                    article = session.get(Article, aid)
                    if article is None:
                        return "", 404
                    return {"favorited": any(u.id == g.user_id for u in article.favorited_by),
                            "local": len([1, 2]), "doc": article.to_dict(None)}
        ''',
    })
    found = [f for f in report(root).findings if f.rule == "AL232"]
    assert [(f.path, f.line) for f in found] == [("app/models.py", 32), ("app/routes.py", 12)]
    assert "counted and searched" in found[0].message and "lazy-loaded" in found[0].message
    assert not [f for f in found if f.line == 35]  # tags: lazy="select" too, but listed in the same function


def test_a_search_whose_test_calls_a_method_per_element_needs_the_rows(tmp_path):
    # indico: `any(track.can_manage(user, …) for track in self.reviewed_for_tracks)` — no EXISTS query runs can_manage
    root = make_repo(tmp_path, {
        "requirements.txt": "flask\nsqlalchemy\n",
        "app/models.py": COUNTED_MODELS,
        "app/routes.py": '''
            from flask import Blueprint, g
            from app.models import SessionLocal, Article

            bp = Blueprint("a", __name__)

            def can_follow(user, viewer):
                return user.id != viewer

            @bp.get("/articles/<int:aid>")
            def get(aid):
                with SessionLocal() as session:
                    article = session.get(Article, aid)
                    if article is None:
                        return "", 404
                    return {"followable": any(can_follow(u, g.user_id) for u in article.favorited_by)}
        ''',
    })
    assert [(f.path, f.line) for f in report(root).findings if f.rule == "AL232" and f.path == "app/routes.py"] == []


def test_sequelize_included_collections_counted_in_code_stay_silent(tmp_path):
    """The query included them on purpose: counting what is loaded issues no query."""
    root = make_repo(tmp_path, {
        "package.json": '{"name": "x", "dependencies": {"express": "4", "sequelize": "6"}}',
        "src/models.js": '''
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize('sqlite::memory:');
            const User = sequelize.define('User', { username: DataTypes.STRING });
            const Article = sequelize.define('Article', { slug: DataTypes.STRING });
            const Tag = sequelize.define('Tag', { name: DataTypes.STRING });
            Article.belongsToMany(User, { through: 'Favorites', as: 'favoritedBy' });
            Article.hasMany(Tag, { as: 'tags' });
            module.exports = { sequelize, User, Article, Tag };
        ''',
        "src/app.js": '''
            const express = require('express');
            const { Article, User, Tag } = require('./models');
            const app = express();

            app.get('/articles/:slug', async (req, res) => {
              const article = await Article.findOne({ where: { slug: req.params.slug },
                include: [{ model: User, as: 'favoritedBy' }, { model: Tag, as: 'tags' }] });
              if (!article) return res.sendStatus(404);
              res.json({
                favoritesCount: article.favoritedBy.length,
                favorited: article.favoritedBy.some((u) => u.id === req.user.id),
                tagList: article.tags.map((t) => t.name),
                tagCount: article.tags.length,
              });
            });
            module.exports = app;
        ''',
    })
    assert _rules(root, "AL232") == []


def test_typeorm_query_runner_transaction_and_a_runner_that_never_starts_one(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"name": "x", "dependencies": {"express": "4", "typeorm": "0.3"}}',
        "src/data-source.ts": '''
            import { DataSource, Entity, PrimaryGeneratedColumn, Column } from 'typeorm';

            @Entity()
            export class Article {
              @PrimaryGeneratedColumn() id: number;
              @Column() slug: string;
            }

            @Entity()
            export class Tag {
              @PrimaryGeneratedColumn() id: number;
              @Column() name: string;
            }

            export const AppDataSource = new DataSource({ type: 'sqlite', database: 'db.sqlite', entities: [Article, Tag] });
        ''',
        "src/app.ts": '''
            import express from 'express';
            import { AppDataSource, Article, Tag } from './data-source';

            const app = express();

            app.post('/articles', async (req, res) => {
              const queryRunner = AppDataSource.createQueryRunner();
              await queryRunner.connect();
              await queryRunner.startTransaction();
              try {
                const article = await queryRunner.manager.save(Article, { slug: req.body.slug });
                await queryRunner.manager.save(Tag, { name: req.body.tag });
                await queryRunner.commitTransaction();
                res.json(article);
              } catch (err) {
                await queryRunner.rollbackTransaction();
                throw err;
              } finally {
                await queryRunner.release();
              }
            });

            app.post('/articles/no-tx', async (req, res) => {
              const queryRunner = AppDataSource.createQueryRunner();
              await queryRunner.connect();
              try {
                const article = await queryRunner.manager.save(Article, { slug: req.body.slug });
                await queryRunner.manager.save(Tag, { name: req.body.tag });
                res.json(article);
              } finally {
                await queryRunner.release();
              }
            });
            export default app;
        ''',
    })
    assert _rules(root, "AL305", "AL306") == [("AL305", "src/app.ts", 27)]


def test_mongoose_writes_outside_a_session_transaction_and_the_three_transaction_forms(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"name": "x", "dependencies": {"express": "4", "mongoose": "8"}}',
        "src/models.js": '''
            const mongoose = require('mongoose');
            const ArticleSchema = new mongoose.Schema({ slug: String, favoritesCount: Number });
            const UserSchema = new mongoose.Schema({ username: String, favorites: [{ type: mongoose.Schema.Types.ObjectId, ref: 'Article' }] });
            const Article = mongoose.model('Article', ArticleSchema);
            const User = mongoose.model('User', UserSchema);
            module.exports = { Article, User };
        ''',
        "src/app.js": '''
            const express = require('express');
            const mongoose = require('mongoose');
            const { Article, User } = require('./models');
            const app = express();

            app.post('/articles/:slug/favorite', async (req, res) => {
              const article = await Article.findOne({ slug: req.params.slug });
              if (!article) return res.sendStatus(404);
              await User.updateOne({ _id: req.user.id }, { $addToSet: { favorites: article._id } });
              await Article.updateOne({ _id: article._id }, { $inc: { favoritesCount: 1 } });
              res.json({ ok: true });
            });

            app.post('/articles/:slug/favorite-tx', async (req, res) => {
              const session = await mongoose.startSession();
              try {
                await session.withTransaction(async () => {
                  await User.updateOne({ _id: req.user.id }, { $addToSet: { favorites: req.params.slug } }, { session });
                  await Article.updateOne({ slug: req.params.slug }, { $inc: { favoritesCount: 1 } }, { session });
                });
              } finally {
                await session.endSession();
              }
              res.json({ ok: true });
            });

            app.post('/articles/:slug/favorite-manual', async (req, res) => {
              const session = await mongoose.startSession();
              session.startTransaction();
              try {
                await User.updateOne({ _id: req.user.id }, { $addToSet: { favorites: req.params.slug } }, { session });
                await Article.updateOne({ slug: req.params.slug }, { $inc: { favoritesCount: 1 } }, { session });
                await session.commitTransaction();
              } catch (e) {
                await session.abortTransaction();
                throw e;
              } finally {
                session.endSession();
              }
              res.json({ ok: true });
            });

            app.post('/articles/:slug/favorite-conn', async (req, res) => {
              await mongoose.connection.transaction(async (session) => {
                await User.updateOne({ _id: req.user.id }, { $addToSet: { favorites: req.params.slug } }, { session });
                await Article.updateOne({ slug: req.params.slug }, { $inc: { favoritesCount: 1 } }, { session });
              });
              res.json({ ok: true });
            });
            module.exports = app;
        ''',
    })
    assert _rules(root, "AL305", "AL306") == [("AL305", "src/app.js", 9)]


def test_unchecked_lookup_passed_to_a_helper_that_reads_it_and_null_safe_helpers(tmp_path):
    """``return toArticleJSON(article)`` after an unchecked ``findOne`` fails inside the helper: the
    argument is reported with the helper's read in the trace.  A helper that checks its argument,
    or a lookup that was checked, stays silent; and a row already dereferenced once (so the None
    path raised there) is not reported again where a caller uses what the helper returned."""
    root = make_repo(tmp_path, {
        "package.json": NODE_PKG,
        "src/models.js": '''
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize('sqlite::memory:');
            const Article = sequelize.define('Article', { slug: DataTypes.STRING, title: DataTypes.STRING });
            module.exports = { Article };
        ''',
        "src/present.js": '''
            exports.toJSON = (article) => ({ slug: article.slug, title: article.title });
            exports.maybeJSON = (article) => (article ? { slug: article.slug } : null);
        ''',
        "src/service.js": '''
            const { Article } = require('./models');
            const { toJSON, maybeJSON } = require('./present');
            exports.get = async (slug) => {
              const article = await Article.findOne({ where: { slug } });
              return toJSON(article);
            };
            exports.getChecked = async (slug) => {
              const article = await Article.findOne({ where: { slug } });
              if (!article) throw new Error('not found');
              return toJSON(article);
            };
            exports.getMaybe = async (slug) => {
              const article = await Article.findOne({ where: { slug } });
              return maybeJSON(article);
            };
            exports.touch = async (slug) => {
              const article = await Article.findOne({ where: { slug } });
              await article.update({ title: 'x' });
              return article;
            };
        ''',
        "src/routes.js": '''
            const service = require('./service');
            exports.touched = async (req, res) => {
              const article = await service.touch(req.params.slug);
              res.json({ slug: article.slug });
            };
        ''',
    })
    found = [f for f in report(root).findings if f.rule == "AL220"]
    assert [(f.path, f.line) for f in found] == [("src/service.js", 5), ("src/service.js", 18)]
    assert [(step.path, step.line) for step in found[0].trace] == [("src/present.js", 1)]
    assert "read at src/present.js:1" in found[0].message


def test_python_unchecked_lookup_passed_to_a_serializer_function(tmp_path):
    root = make_repo(tmp_path, {
        "app/db.py": SQLA,
        "app/views.py": '''
            from app.db import SessionLocal, User

            def serialize(user):
                return {"id": user.id, "name": user.name}

            def profile(name):
                with SessionLocal() as session:
                    user = session.query(User).filter_by(name=name).first()
                    return serialize(user)

            def profile_checked(name):
                with SessionLocal() as session:
                    user = session.query(User).filter_by(name=name).first()
                    if user is None:
                        raise LookupError(name)
                    return serialize(user)
        ''',
    })
    assert _rules(root, "AL220") == [("AL220", "app/views.py", 9)]


def test_a_lookup_keyed_by_one_value_read_from_a_held_row_finds_its_row(tmp_path):
    """``findByPk(article.authorId)`` (a foreign key) and the re-read after a write
    (``Article.objects.filter(slug=article.slug).first()``) find the row; a pair lookup keyed by
    two row values (``Favorite.findOne({ where: { userId: user.id, articleId: article.id } })``)
    asks whether the pair exists and may be null; a key from the request may be null."""
    root = make_repo(tmp_path, {
        "package.json": NODE_PKG,
        "src/models.js": '''
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize('sqlite::memory:');
            const User = sequelize.define('User', { username: DataTypes.STRING });
            const Article = sequelize.define('Article', { slug: DataTypes.STRING, authorId: DataTypes.INTEGER });
            const Favorite = sequelize.define('Favorite', { userId: DataTypes.INTEGER, articleId: DataTypes.INTEGER });
            module.exports = { User, Article, Favorite };
        ''',
        "src/service.js": '''
            const { User, Article, Favorite } = require('./models');
            exports.author = async (slug) => {
              const article = await Article.findOne({ where: { slug } });
              if (!article) throw new Error('not found');
              const user = await User.findByPk(article.authorId);
              return user.username;
            };
            exports.unfavorite = async (userId, slug) => {
              const user = await User.findByPk(userId);
              const article = await Article.findOne({ where: { slug } });
              if (!user || !article) throw new Error('not found');
              const favorite = await Favorite.findOne({ where: { userId: user.id, articleId: article.id } });
              await favorite.destroy();
            };
            exports.byId = async (id) => {
              const user = await User.findByPk(id);
              return user.username;
            };
        ''',
    })
    assert _rules(root, "AL220") == [("AL220", "src/service.js", 13), ("AL220", "src/service.js", 17)]


def test_a_helper_that_checks_its_argument_inside_an_and_chain_is_null_safe(tmp_path):
    """flaskbb's ``Topic.tracker_needs_update(forumsread)``: ``if forumsread and
    forumsread.cleared is not None`` — deciding the branch must read the chain's later operands
    with the earlier ones' narrowing, or the check itself looks like an unchecked read."""
    root = make_repo(tmp_path, {
        "requirements.txt": "flask\nsqlalchemy\n",
        "app/models.py": '''
            from sqlalchemy import create_engine
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

            engine = create_engine("sqlite://")
            Session = sessionmaker(bind=engine)

            class Base(DeclarativeBase):
                pass

            class Read(Base):
                __tablename__ = "reads"
                id: Mapped[int] = mapped_column(primary_key=True)
                cleared: Mapped[int]

            class Topic(Base):
                __tablename__ = "topics"
                id: Mapped[int] = mapped_column(primary_key=True)

                def needs_update(self, read):
                    if read and read.cleared is not None:
                        return False
                    return True

                def cleared_at(self, read):
                    return read.cleared

            def view(topic_id, user_id):
                with Session() as session:
                    topic = session.get(Topic, topic_id)
                    if topic is None:
                        return None
                    read = session.query(Read).filter_by(id=user_id).first()
                    return topic.needs_update(read), topic.cleared_at(read)
        ''',
    })
    found = [f for f in report(root).findings if f.rule == "AL220"]
    assert [(f.path, f.line, f.column) for f in found] == [("app/models.py", 33, 59)]


def test_a_model_mistake_made_with_the_callers_row_is_reported_where_it_happens(tmp_path):
    """A service given the handler's ``user`` row writes ``authorId: author`` / filters
    ``where: { authorId: author }``: only the caller's values show that ``author`` is a row, so
    the summary carries the mistake to the caller's analysis; ``author.id`` stays silent."""
    root = make_repo(tmp_path, {
        "package.json": NODE_PKG,
        "src/models.js": '''
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize('sqlite::memory:');
            const User = sequelize.define('User', { username: DataTypes.STRING });
            const Article = sequelize.define('Article', { title: DataTypes.STRING, authorId: DataTypes.INTEGER });
            module.exports = { User, Article };
        ''',
        "src/service.js": '''
            const { Article } = require('./models');
            exports.create = async (title, author) => Article.create({ title, authorId: author });
            exports.createOk = async (title, author) => Article.create({ title, authorId: author.id });
            exports.byAuthor = async (author) => Article.findAll({ where: { authorId: author } });
        ''',
        "src/routes.js": '''
            const { User } = require('./models');
            const service = require('./service');
            async function current(req) {
              const user = await User.findByPk(req.params.id);
              if (!user) throw new Error('unauthorized');
              return user;
            }
            exports.create = async (req, res) => res.json(await service.create('t', await current(req)));
            exports.createOk = async (req, res) => res.json(await service.createOk('t', await current(req)));
            exports.mine = async (req, res) => res.json(await service.byAuthor(await current(req)));
        ''',
    })
    found = [f for f in report(root).findings if f.rule == "AL228"]
    assert [(f.path, f.line) for f in found] == [("src/service.js", 2), ("src/service.js", 4)]
    assert "rejects it" in found[0].message and "matches no row" in found[1].message


def test_writes_of_an_injected_dependency_or_an_except_handler_are_not_the_operations_own(tmp_path):
    """open-webui: the auth dependency (``Depends(get_verified_user)``) stamps ``last_active`` and
    commits before every handler, and a handler's ``except`` branch deletes a corrupt row — neither
    belongs in the operation's transaction (244 AL305 findings on open-webui, 235 of them through
    the dependency).  Two commits of the handler's own writes are still reported."""
    root = make_repo(tmp_path, {
        "app/db.py": SQLA,
        "app/main.py": '''
            from fastapi import Depends, FastAPI
            from sqlalchemy.orm import Session
            from app.db import Profile, SessionLocal, User

            app = FastAPI()

            def get_db():
                db = SessionLocal()
                try:
                    yield db
                finally:
                    db.close()

            def current_user(db: Session = Depends(get_db)):
                user = db.get(User, 1)
                db.add(Profile(user_id=user.id))  # last seen
                db.commit()
                return user

            @app.post("/profiles")
            def create_profile(user=Depends(current_user), db: Session = Depends(get_db)):
                db.add(Profile(user_id=user.id))
                db.commit()
                return {"ok": True}

            @app.post("/profiles/repair")
            def repair(user=Depends(current_user), db: Session = Depends(get_db)):
                try:
                    db.add(Profile(user_id=user.id))
                    db.commit()
                except ValueError:
                    db.rollback()
                    db.add(Profile(user_id=0))
                    db.commit()
                return {"ok": True}

            @app.post("/profiles/twice")
            def twice(user=Depends(current_user), db: Session = Depends(get_db)):
                db.add(Profile(user_id=user.id))
                db.commit()
                db.add(Profile(user_id=user.id))
                db.commit()
                return {"ok": True}
        ''',
    })
    assert _rules(root, "AL305") == [("AL305", "app/main.py", 39)]


def test_owner_check_on_django_class_based_views(tmp_path):
    """AL505 on an ``APIView``'s ``delete``/``put``: the class authenticates
    (``permission_classes = [IsAuthenticatedOrReadOnly]``), the row is chosen by the URL and
    nothing compares its author with ``request.user``.  The look-alikes: the same view checking
    the author, and a view whose class does not authenticate at all."""
    root = make_repo(tmp_path, {
        "requirements.txt": "django==5.1\ndjangorestframework\n",
        "conduit/__init__.py": "",
        "conduit/articles/__init__.py": "",
        "conduit/articles/migrations/__init__.py": "",
        "conduit/articles/models.py": DJANGO_MODELS,
        "conduit/articles/views.py": '''
            from rest_framework.exceptions import PermissionDenied
            from rest_framework.permissions import IsAuthenticatedOrReadOnly
            from rest_framework.response import Response
            from rest_framework.views import APIView
            from conduit.articles.models import Article

            class ArticleView(APIView):
                permission_classes = [IsAuthenticatedOrReadOnly]

                def delete(self, request, slug):
                    Article.objects.filter(slug=slug).delete()
                    return Response(status=204)

            class CheckedArticleView(APIView):
                permission_classes = [IsAuthenticatedOrReadOnly]

                def delete(self, request, slug):
                    article = Article.objects.get(slug=slug)
                    if article.author != request.user:
                        raise PermissionDenied()
                    article.delete()
                    return Response(status=204)

            class PublicArticleView(APIView):
                def delete(self, request, slug):
                    Article.objects.filter(slug=slug).delete()
                    return Response(status=204)
        ''',
        "conduit/urls.py": '''
            from django.urls import path
            from conduit.articles import views
            urlpatterns = [
                path("articles/<slug:slug>", views.ArticleView.as_view()),
                path("checked/<slug:slug>", views.CheckedArticleView.as_view()),
                path("public/<slug:slug>", views.PublicArticleView.as_view()),
            ]
        ''',
    })
    found = [f for f in report(root).findings if f.rule == "AL505"]
    assert [(f.path, f.line) for f in found] == [("conduit/articles/views.py", 11)]
    assert found[0].message.startswith("`DELETE /articles/<slug:slug>`")


def test_a_drf_generic_views_serializer_create_is_the_requests_writes(tmp_path):
    """``ListCreateAPIView`` with ``serializer_class = ArticleSerializer``: DRF runs the serializer's
    ``create`` (article, then its tags) inside the library.  The atomic look-alike and a serializer
    that writes once stay silent."""
    root = make_repo(tmp_path, {
        "requirements.txt": "django==5.1\ndjangorestframework\n",
        "conduit/__init__.py": "",
        "conduit/articles/__init__.py": "",
        "conduit/articles/migrations/__init__.py": "",
        "conduit/articles/models.py": DJANGO_MODELS,
        "conduit/articles/serializers.py": '''
            from django.db import transaction
            from rest_framework import serializers
            from conduit.articles.models import Article, Tag

            class ArticleSerializer(serializers.ModelSerializer):
                class Meta:
                    model = Article
                    fields = ["slug"]

                def create(self, validated_data):
                    article = Article.objects.create(author=self.context["request"].user, **validated_data)
                    for name in self.initial_data.get("tagList", []):
                        article.tags.add(Tag.objects.get_or_create(name=name)[0])
                    return article

            class AtomicArticleSerializer(ArticleSerializer):
                @transaction.atomic
                def create(self, validated_data):
                    article = Article.objects.create(author=self.context["request"].user, **validated_data)
                    for name in self.initial_data.get("tagList", []):
                        article.tags.add(Tag.objects.get_or_create(name=name)[0])
                    return article

            class TagSerializer(serializers.ModelSerializer):
                class Meta:
                    model = Tag
                    fields = ["name"]

                def create(self, validated_data):
                    return Tag.objects.create(**validated_data)
        ''',
        "conduit/articles/views.py": '''
            from rest_framework import generics
            from conduit.articles.serializers import ArticleSerializer, AtomicArticleSerializer, TagSerializer

            class ArticleList(generics.ListCreateAPIView):
                serializer_class = ArticleSerializer

            class AtomicArticleList(generics.ListCreateAPIView):
                serializer_class = AtomicArticleSerializer

            class TagList(generics.ListCreateAPIView):
                serializer_class = TagSerializer
        ''',
        "conduit/urls.py": '''
            from django.urls import path
            from conduit.articles import views
            urlpatterns = [
                path("articles", views.ArticleList.as_view()),
                path("atomic", views.AtomicArticleList.as_view()),
                path("tags", views.TagList.as_view()),
            ]
        ''',
    })
    assert _rules(root, "AL305") == [("AL305", "conduit/articles/serializers.py", 11)]


def test_django_ninja_routes_are_routes_and_auth_keyword_authenticates(tmp_path):
    """django-ninja's ``@router.delete("/articles/{slug}", auth=django_auth)`` with
    ``api.add_router("/api", router)``: a route of the Django app at ``/api/articles/{slug}`` whose
    caller is authenticated — a delete by slug with no author check is AL505; the one that filters
    by the author, and a route without ``auth``, stay silent."""
    root = make_repo(tmp_path, {
        "requirements.txt": "django==5.1\ndjango-ninja\n",
        "conduit/__init__.py": "",
        "conduit/articles/__init__.py": "",
        "conduit/articles/migrations/__init__.py": "",
        "conduit/articles/models.py": DJANGO_MODELS,
        "conduit/articles/api.py": '''
            from ninja import Router
            from ninja.security import django_auth
            from conduit.articles.models import Article

            router = Router()

            @router.delete("/articles/{slug}", auth=django_auth)
            def delete_article(request, slug: str):
                Article.objects.filter(slug=slug).delete()
                return 204, None

            @router.delete("/mine/{slug}", auth=django_auth)
            def delete_mine(request, slug: str):
                Article.objects.filter(slug=slug, author=request.auth).delete()
                return 204, None

            @router.delete("/open/{slug}")
            def delete_open(request, slug: str):
                Article.objects.filter(slug=slug).delete()
                return 204, None
        ''',
        "conduit/urls.py": '''
            from django.urls import path
            from ninja import NinjaAPI
            from conduit.articles.api import router

            api = NinjaAPI()
            api.add_router("/api", router)
            urlpatterns = [path("", api.urls)]
        ''',
    })
    found = [f for f in report(root).findings if f.rule == "AL505"]
    assert [(f.path, f.line) for f in found] == [("conduit/articles/api.py", 9)]
    assert found[0].message.startswith("`DELETE /api/articles/{slug}`")


def test_a_handler_returning_an_unchecked_lookup_to_a_response_schema(tmp_path):
    """FastAPI ``response_model=ArticleOut`` / ninja ``response=ArticleOut``: returning ``.first()``
    unchecked makes the framework validate None against the schema — a 500.  ``Optional[…]``
    schemas, a checked lookup and ``get_object_or_404`` stay silent."""
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy\npydantic\n",
        "app/db.py": SQLA,
        "app/main.py": '''
            from typing import Optional
            from fastapi import FastAPI, HTTPException
            from pydantic import BaseModel
            from app.db import SessionLocal, User

            app = FastAPI()

            class UserOut(BaseModel):
                id: int
                name: str

            @app.get("/users/{name}", response_model=UserOut)
            def get_user(name: str):
                with SessionLocal() as session:
                    return session.query(User).filter_by(name=name).first()

            @app.get("/maybe/{name}", response_model=Optional[UserOut])
            def maybe_user(name: str):
                with SessionLocal() as session:
                    return session.query(User).filter_by(name=name).first()

            @app.get("/checked/{name}", response_model=UserOut)
            def checked_user(name: str):
                with SessionLocal() as session:
                    user = session.query(User).filter_by(name=name).first()
                    if user is None:
                        raise HTTPException(status_code=404)
                    return user
        ''',
    })
    found = [f for f in report(root).findings if f.rule == "AL220"]
    assert [(f.path, f.line) for f in found] == [("app/main.py", 15)]
    assert "response schema `UserOut`" in found[0].message


def test_the_row_an_auth_middleware_stores_on_the_request_is_a_row_in_handlers(tmp_path):
    """Express ``req.user = await User.findByPk(payload.id)`` in the auth middleware: a handler's
    ``req.user`` is a User row, so ``authorId: req.user`` (a row where the key belongs) is AL228 —
    and ``authorId: req.user.id`` is not."""
    root = make_repo(tmp_path, {
        "package.json": NODE_PKG,
        "src/models.js": '''
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize('sqlite::memory:');
            const User = sequelize.define('User', { username: DataTypes.STRING });
            const Article = sequelize.define('Article', { title: DataTypes.STRING, authorId: DataTypes.INTEGER });
            module.exports = { User, Article };
        ''',
        "src/app.js": '''
            const express = require('express');
            const { User, Article } = require('./models');
            const app = express();
            app.use(express.json());
            async function auth(req, res, next) {
              const user = await User.findByPk(req.headers['x-user']);
              if (!user) return res.sendStatus(401);
              req.user = user;
              next();
            }
            app.post('/articles', auth, async (req, res) => {
              res.json(await Article.create({ title: req.body.title, authorId: req.user }));
            });
            app.post('/articles/ok', auth, async (req, res) => {
              res.json(await Article.create({ title: req.body.title, authorId: req.user.id }));
            });
            app.listen(3000);
        ''',
    })
    assert _rules(root, "AL228", "AL810") == [("AL228", "src/app.js", 12)]


def test_a_branch_guarded_by_an_attribute_the_rows_model_lacks_does_not_run_for_it(tmp_path):
    """A helper shared by articles and users (``appendFollowers(loggedUser, toAppend)``) guards the
    article part with ``if (toAppend?.author)``: called with a User row the branch never runs, so
    its ``toAppend.getAuthor()`` is no missing mixin of User (AL227); called with an Article it is
    fine; a mixin of neither model is still reported."""
    root = make_repo(tmp_path, {
        "package.json": NODE_PKG,
        "src/models.js": '''
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize('sqlite::memory:');
            const User = sequelize.define('User', { username: DataTypes.STRING });
            const Article = sequelize.define('Article', { title: DataTypes.STRING });
            Article.belongsTo(User, { as: 'author' });
            User.hasMany(Article, { as: 'articles', foreignKey: 'authorId' });
            module.exports = { User, Article };
        ''',
        "src/helpers.js": '''
            exports.appendAuthor = async (item) => {
              if (item?.author) {
                const author = await item.getAuthor();
                item.dataValues.authorName = author.username;
              }
              return item;
            };
            exports.appendWriter = async (item) => item.getWriter();
        ''',
        "src/routes.js": '''
            const express = require('express');
            const { User, Article } = require('./models');
            const { appendAuthor, appendWriter } = require('./helpers');
            const router = express.Router();
            router.get('/users/:id', async (req, res) => {
              const user = await User.findByPk(req.params.id, { rejectOnEmpty: true });
              res.json(await appendAuthor(user));
            });
            router.get('/articles/:id', async (req, res) => {
              const article = await Article.findByPk(req.params.id, { rejectOnEmpty: true, include: [{ model: User, as: 'author' }] });
              res.json(await appendAuthor(article));
            });
            router.get('/writers/:id', async (req, res) => {
              const article = await Article.findByPk(req.params.id, { rejectOnEmpty: true });
              res.json(await appendWriter(article));
            });
            module.exports = router;
        ''',
    })
    assert _rules(root, "AL227") == [("AL227", "src/helpers.js", 8)]


def test_a_knex_lookup_of_the_row_this_path_just_inserted_finds_it(tmp_path):
    """``insert({ name }).onConflict('name').ignore()`` then ``where({ name }).first()``: the row
    exists whichever way the insert went (the agent-written tag upsert).  A lookup by another
    value, or after the name is assigned again, can still miss."""
    make_repo(
        tmp_path,
        {
            "package.json": NODE_PKG,
            "src/db.js": "const knex = require('knex');\nmodule.exports = knex({ client: 'pg' });\n",
            "src/tags.js": """
                const db = require('./db');

                async function attachTags(articleId, tagList) {
                  for (const name of tagList) {
                    await db('tags').insert({ name }).onConflict('name').ignore();
                    const tag = await db('tags').where({ name }).first();
                    await db('article_tags').insert({ article_id: articleId, tag_id: tag.id });
                  }
                }

                async function attachOther(articleId, name, other) {
                  await db('tags').insert({ name });
                  const tag = await db('tags').where('name', other).first();
                  return tag.id;
                }

                async function attachRenamed(articleId, name) {
                  await db('tags').insert({ name });
                  name = name.toLowerCase();
                  const tag = await db('tags').where({ name }).first();
                  return tag.id;
                }

                module.exports = { attachTags, attachOther, attachRenamed };
            """,
        },
    )
    assert _rules(tmp_path, "AL220") == [("AL220", "src/tags.js", 14), ("AL220", "src/tags.js", 21)]


def test_a_raw_lookup_row_may_be_none_but_counts_and_returning_rows_always_exist(tmp_path):
    """``execute("SELECT … FROM articles WHERE slug = ?").fetchone()`` is ``None`` when no row
    matches, like an ORM's ``.first()``: reading it unchecked is AL220.  A ``COUNT(*)``, an
    ``INSERT … RETURNING id`` and a ``SELECT`` with no ``WHERE`` always yield their row (or are no
    lookup), and a checked row is fine."""
    make_repo(
        tmp_path,
        {
            "requirements.txt": "flask\n",
            "app.py": """
                import sqlite3

                from flask import Flask, abort, jsonify

                app = Flask(__name__)


                def get_db():
                    conn = sqlite3.connect("conduit.db")
                    conn.row_factory = sqlite3.Row
                    return conn


                @app.get("/api/articles/<slug>")
                def get_article(slug):
                    row = get_db().execute("SELECT slug, title FROM articles WHERE slug = ?", (slug,)).fetchone()
                    return jsonify({"slug": row["slug"], "title": row["title"]})


                @app.get("/api/articles/<slug>/checked")
                def get_checked(slug):
                    row = get_db().execute("SELECT slug, title FROM articles WHERE slug = ?", (slug,)).fetchone()
                    if row is None:
                        abort(404)
                    return jsonify({"slug": row["slug"]})


                @app.get("/api/articles/<slug>/count")
                def count(slug):
                    row = get_db().execute("SELECT COUNT(*) AS n FROM comments WHERE article_slug = ?", (slug,)).fetchone()
                    return jsonify({"count": row["n"]})


                @app.post("/api/tags/<name>")
                def add_tag(name):
                    row = get_db().execute("INSERT INTO tags (name) VALUES (?) RETURNING id", (name,)).fetchone()
                    return jsonify({"id": row["id"]})


                @app.get("/api/settings")
                def settings():
                    row = get_db().execute("SELECT theme FROM settings LIMIT 1").fetchone()
                    return jsonify({"theme": row["theme"]})
            """,
        },
    )
    assert _rules(tmp_path, "AL220") == [("AL220", "app.py", 17)]


def test_knex_count_awaited_without_first_is_an_array_of_rows(tmp_path):
    """Found on NeuraLegion/fastify-realworld-example-app (lib/models/articles.js): the article
    list mutates its builder with ``query.select(…).count('followers.id as following').groupBy(…)``
    and maps ``await query``; knex's ``count()`` was read as a single-row query, so the array was a
    nullable row (2 false AL220).  ``count()`` alone yields rows; ``count().first()`` without a
    GROUP BY is exactly one row; with a GROUP BY its ``first()`` may be undefined."""
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"knex": "^3", "pg": "^8"}}',
        "db.js": "module.exports = require('knex')({ client: 'pg', connection: process.env.DATABASE_URL })\n",
        "articles.js": (
            "const knex = require('./db')\n"
            "async function list (slug) {\n"
            "  const query = knex('articles').where('articles.slug', slug)\n"
            "  query.select('articles.id').count('favorites.id as n').groupBy('articles.id')\n"
            "  const rows = await query\n"
            "  const total = await knex('articles').count('* as n').first()\n"
            "  return { articles: rows.map((r) => r.id), count: total.n }\n"
            "}\n"
            "async function top (authorId) {\n"
            "  const row = await knex('articles').where({ author_id: authorId }).count('* as n').groupBy('tag').first()\n"
            "  return row.n\n"
            "}\n"
            "module.exports = { list, top }\n"
        ),
    })
    assert _rules(root, "AL220") == [("AL220", "articles.js", 11)]


def test_mysql2_connection_not_released_on_every_path(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"name": "app", "dependencies": {"mysql2": "^3.11.0", "express": "^4.21.2"}}',
        "src/db.js": "const mysql = require('mysql2/promise');\nmodule.exports = mysql.createPool({ uri: process.env.DB });\n",
        "src/tags.js": '''
            const pool = require('./db');
            const audit = require('audit-log');
            async function tags() {
              const conn = await pool.getConnection();
              const [rows] = await conn.query('SELECT name FROM tags');
              conn.release();
              return rows;
            }
            async function tagsOk() {
              const conn = await pool.getConnection();
              try {
                return (await conn.query('SELECT name FROM tags'))[0];
              } finally {
                conn.release();
              }
            }
            async function handedOn() {
              const conn = await pool.getConnection();
              audit.track(conn);
              return (await conn.query('SELECT name FROM tags'))[0];
            }
            module.exports = { tags, tagsOk, handedOn };
        ''',
    })
    # handedOn: a library callee may keep (or release) the connection — not judged
    assert _rules(root, "AL312") == [("AL312", "src/tags.js", 4)]


def test_session_kept_by_a_closing_project_class_is_not_a_leak(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "sqlalchemy==2.0.36\n",
        "app/db.py": '''
            from sqlalchemy import create_engine, text
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(bind=create_engine("sqlite:///app.db"))


            class UnitOfWork:
                def __init__(self, session):
                    self.session = session

                def names(self):
                    try:
                        return list(self.session.execute(text("SELECT name FROM tags")).scalars())
                    finally:
                        self.session.close()


            class Reader:
                def __init__(self, session):
                    self.session = session

                def names(self):
                    return list(self.session.execute(text("SELECT name FROM tags")).scalars())


            def closed_by_the_unit():
                session = SessionLocal()
                return UnitOfWork(session).names()


            def never_closed():
                session = SessionLocal()
                return Reader(session).names()
        ''',
    })
    assert _rules(root, "AL312") == [("AL312", "app/db.py", 32)]
