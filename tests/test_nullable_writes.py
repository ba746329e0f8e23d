"""AL220 on writes: assigning into a lookup that may be None/null (``article.title = body.title``,
``setattr(article, key, value)``, ``Object.assign(a, changes)``) raises like a read — each written
the way a handler does it, next to the checked look-alikes that must stay silent."""

from __future__ import annotations

from helpers import make_repo, report, sqlalchemy_db_module


def _al220(root):
    return [(f.path, f.line) for f in report(root).findings if f.rule == "AL220"]


SQLA_MODELS = sqlalchemy_db_module('''
    class Article(Base):
        __tablename__ = "articles"
        id: Mapped[int] = mapped_column(primary_key=True)
        slug: Mapped[str] = mapped_column(String, unique=True)
        title: Mapped[str]
''')


def test_fastapi_assignment_and_setattr_loop_into_an_unchecked_first(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy\npydantic\n",
        "app/db.py": SQLA_MODELS,
        "app/main.py": '''
            from fastapi import Depends, FastAPI, HTTPException
            from pydantic import BaseModel
            from sqlalchemy.orm import Session
            from app.db import Article, get_db

            app = FastAPI()

            class ArticleUpdate(BaseModel):
                title: str | None = None

            @app.put("/articles/{slug}")
            def update_article(slug: str, body: ArticleUpdate, db: Session = Depends(get_db)):
                article = db.query(Article).filter_by(slug=slug).first()
                article.title = body.title
                db.commit()
                return {"ok": True}

            @app.patch("/articles/{slug}")
            def patch_article(slug: str, body: ArticleUpdate, db: Session = Depends(get_db)):
                article = db.query(Article).filter(Article.slug == slug).first()
                for key, value in body.dict(exclude_unset=True).items():
                    setattr(article, key, value)
                db.commit()
                return {"ok": True}

            @app.put("/checked/{slug}")
            def update_checked(slug: str, body: ArticleUpdate, db: Session = Depends(get_db)):
                article = db.query(Article).filter_by(slug=slug).first()
                if not article:
                    raise HTTPException(status_code=404, detail="Article not found")
                article.title = body.title
                db.commit()
                return {"ok": True}

            @app.patch("/checked/{slug}")
            def patch_checked(slug: str, body: ArticleUpdate, db: Session = Depends(get_db)):
                article = db.query(Article).filter_by(slug=slug).first()
                if article is None:
                    raise HTTPException(status_code=404)
                for key, value in body.dict(exclude_unset=True).items():
                    setattr(article, key, value)
                db.commit()
                return {"ok": True}

            @app.put("/one/{slug}")
            def update_one(slug: str, body: ArticleUpdate, db: Session = Depends(get_db)):
                article = db.query(Article).filter_by(slug=slug).one()
                article.title = body.title
                db.commit()
                return {"ok": True}

            @app.put("/upsert/{slug}")
            def upsert(slug: str, body: ArticleUpdate, db: Session = Depends(get_db)):
                article = db.query(Article).filter_by(slug=slug).first()
                article = article or Article(slug=slug)
                article.title = body.title
                db.add(article)
                db.commit()
                return {"ok": True}

            @app.patch("/guarded/{slug}")
            def patch_guarded(slug: str, body: ArticleUpdate, db: Session = Depends(get_db)):
                article = db.query(Article).filter_by(slug=slug).first()
                for key, value in body.dict(exclude_unset=True).items():
                    if hasattr(article, key):
                        setattr(article, key, value)
                db.commit()
                return {"ok": True}
        ''',
    })
    assert _al220(root) == [("app/main.py", 14), ("app/main.py", 22)]


def test_django_assignment_into_filter_first_and_get_object_or_404(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "django==5.1\n",
        "blog/__init__.py": "",
        "blog/models.py": '''
            from django.db import models

            class Article(models.Model):
                slug = models.SlugField(unique=True)
                title = models.CharField(max_length=200)
        ''',
        "blog/views.py": '''
            import json
            from django.http import Http404, JsonResponse
            from django.shortcuts import get_object_or_404
            from blog.models import Article

            def rename(request, slug):
                article = Article.objects.filter(slug=slug).first()
                article.title = json.loads(request.body)["title"]
                Article.objects.bulk_update([article], ["title"])
                return JsonResponse({})

            def rename_checked(request, slug):
                article = Article.objects.filter(slug=slug).first()
                if article is None:
                    raise Http404("no article")
                article.title = json.loads(request.body)["title"]
                Article.objects.bulk_update([article], ["title"])
                return JsonResponse({})

            def rename_404(request, slug):
                article = get_object_or_404(Article, slug=slug)
                article.title = json.loads(request.body)["title"]
                Article.objects.bulk_update([article], ["title"])
                return JsonResponse({})

            def rename_or_new(request, slug):
                article = Article.objects.filter(slug=slug).first() or Article(slug=slug)
                article.title = json.loads(request.body)["title"]
                article.save()
                return JsonResponse({})
        ''',
        "blog/urls.py": '''
            from django.urls import path
            from blog import views

            urlpatterns = [
                path("a/<slug:slug>", views.rename),
                path("b/<slug:slug>", views.rename_checked),
                path("c/<slug:slug>", views.rename_404),
                path("d/<slug:slug>", views.rename_or_new),
            ]
        ''',
    })
    assert _al220(root) == [("blog/views.py", 8)]


def test_sequelize_assignment_and_object_assign_into_an_unchecked_find_one(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"name": "x", "dependencies": {"express": "4", "sequelize": "6"}}',
        "src/models.js": '''
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize(process.env.DATABASE_URL);
            const Article = sequelize.define('Article', { slug: { type: DataTypes.STRING, unique: true }, title: DataTypes.STRING });
            module.exports = { sequelize, Article };
        ''',
        "src/routes.js": '''
            const express = require('express');
            const { Article } = require('./models');
            const router = express.Router();

            router.put('/articles/:slug', async (req, res) => {
              const { slug } = req.params;
              const a = await Article.findOne({ where: { slug } });
              a.title = req.body.title;
              await a.save();
              res.json(a);
            });

            router.patch('/articles/:slug', async (req, res) => {
              const a = await Article.findOne({ where: { slug: req.params.slug } });
              Object.assign(a, { title: req.body.title });
              await a.save();
              res.json(a);
            });

            router.put('/checked/:slug', async (req, res) => {
              const a = await Article.findOne({ where: { slug: req.params.slug } });
              if (!a) return res.status(404).json({ error: 'Article not found' });
              a.title = req.body.title;
              await a.save();
              res.json(a);
            });

            router.put('/strict/:slug', async (req, res) => {
              const a = await Article.findOne({ where: { slug: req.params.slug }, rejectOnEmpty: true });
              a.title = req.body.title;
              await a.save();
              res.json(a);
            });

            router.put('/upsert/:slug', async (req, res) => {
              let a = await Article.findOne({ where: { slug: req.params.slug } });
              a = a || Article.build({ slug: req.params.slug });
              a.title = req.body.title;
              await a.save();
              res.json(a);
            });

            module.exports = router;
        ''',
    })
    assert _al220(root) == [("src/routes.js", 8), ("src/routes.js", 15)]


def test_typeorm_assignment_into_find_one_by_and_the_or_fail_look_alikes(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"name": "x", "dependencies": {"express": "4", "typeorm": "0.3", "reflect-metadata": "0.2"}}',
        "src/user.entity.ts": '''
            import { Entity, PrimaryGeneratedColumn, Column } from 'typeorm';

            @Entity()
            export class User {
              @PrimaryGeneratedColumn()
              id: number;

              @Column({ unique: true })
              username: string;

              @Column({ nullable: true })
              bio: string;
            }
        ''',
        "src/data-source.ts": '''
            import { DataSource } from 'typeorm';
            import { User } from './user.entity';
            export const AppDataSource = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, entities: [User] });
        ''',
        "src/routes.ts": '''
            import { Router, Request, Response } from 'express';
            import { AppDataSource } from './data-source';
            import { User } from './user.entity';

            const router = Router();
            const users = AppDataSource.getRepository(User);

            router.put('/profile/:username', async (req: Request, res: Response) => {
              const user = await users.findOneBy({ username: req.params.username });
              user.bio = req.body.bio;
              await users.save(user);
              res.json({});
            });

            router.put('/checked/:username', async (req: Request, res: Response) => {
              const user = await users.findOneBy({ username: req.params.username });
              if (!user) {
                return res.status(404).json({ message: 'User not found' });
              }
              user.bio = req.body.bio;
              await users.save(user);
              res.json({});
            });

            router.put('/strict/:username', async (req: Request, res: Response) => {
              const user = await users.findOneByOrFail({ username: req.params.username });
              user.bio = req.body.bio;
              await users.save(user);
              res.json({});
            });

            router.put('/strict2/:username', async (req: Request, res: Response) => {
              const user = await users.findOneOrFail({ where: { username: req.params.username } });
              user.bio = req.body.bio;
              await users.save(user);
              res.json({});
            });

            export default router;
        ''',
    })
    assert _al220(root) == [("src/routes.ts", 10)]


def test_mongoose_callback_forms_hand_the_callback_a_nullable_document(tmp_path):
    """Mongoose ≤ 6's callback style: ``User.findOne(filter, (err, user) => …)`` and
    ``query.exec((err, user) => …)`` pass null as ``user`` when nothing matches; ``.exec()`` awaited
    is the same document.  ``if (!user)`` / ``if (err || !user)`` in the callback, ``find`` (a list)
    and ``save`` callbacks stay silent."""
    root = make_repo(tmp_path, {
        "package.json": '{"name": "x", "dependencies": {"express": "4", "mongoose": "6"}}',
        "src/user.model.js": '''
            const mongoose = require('mongoose');
            const UserSchema = new mongoose.Schema({ email: { type: String, unique: true }, name: String });
            module.exports = mongoose.model('User', UserSchema);
        ''',
        "src/routes.js": '''
            const express = require('express');
            const User = require('./user.model');
            const router = express.Router();

            router.get('/a/:email', (req, res) => {
              User.findOne({ email: req.params.email }, (err, user) => {
                if (err) return res.status(500).json({ error: err.message });
                res.json({ name: user.name });
              });
            });

            router.put('/b/:email', (req, res) => {
              User.findOne({ email: req.params.email }).exec(function (err, user) {
                if (err) return res.status(500).send(err);
                user.name = req.body.name;
                user.save(() => res.json(user));
              });
            });

            router.get('/c/:email', async (req, res) => {
              const user = await User.findOne({ email: req.params.email }).exec();
              res.json({ name: user.name });
            });

            router.get('/d/:email', (req, res) => {
              User.findOne({ email: req.params.email }, (err, user) => {
                if (err) return res.status(500).json({ error: err.message });
                if (!user) return res.status(404).json({ error: 'User not found' });
                res.json({ name: user.name });
              });
            });

            router.put('/e/:id', (req, res) => {
              User.findById(req.params.id, function (err, user) {
                if (err || !user) return res.status(404).json({ error: 'User not found' });
                user.name = req.body.name;
                user.save((saveErr, saved) => res.json({ name: saved.name }));
              });
            });

            router.get('/f', (req, res) => {
              User.find({}, (err, users) => {
                res.json(users.map((user) => ({ name: user.name })));
              });
            });

            module.exports = router;
        ''',
    })
    assert _al220(root) == [("src/routes.js", 8), ("src/routes.js", 15), ("src/routes.js", 22)]
    # Mongoose 7 dropped the callback API (`Model.findOne() no longer accepts a callback`): the
    # callbacks never run, so only the awaited `.exec()` stays
    (tmp_path / "package.json").write_text('{"name": "x", "dependencies": {"express": "4", "mongoose": "^7.6.3"}}')
    assert _al220(root) == [("src/routes.js", 22)]
