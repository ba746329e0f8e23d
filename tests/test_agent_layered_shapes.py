"""Shapes from agent-written layered Conduit backends (issue 12, the agent-style Python set):

* aiohttp class-based views registered with ``router.add_view`` are routes (an app registering only
  those served "no route" and failed the framework verdict);
* a lazy Django queryset built in a file and run there (``list(Tag.objects.values_list(…))``, a ``for``)
  is an access written in that file — AL301 in a view — while a queryset a repository built and a
  view runs, and a related manager read (``article.tags.all()``) in a service, are not;
* a row fetched by a per-row key is per-row data: a query keyed by it, in a helper two calls away,
  runs once per row too (AL601 lists it)."""

from __future__ import annotations

from archlint.application.pipeline import Options
from archlint.application.verify import Constraints, run_verify
from helpers import make_repo, report


def test_aiohttp_add_view_registers_the_class_views(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "aiohttp==3.10.5\n",
        "app/main.py": '''
            from aiohttp import web


            class ArticlesView(web.View):
                async def get(self):
                    return web.json_response([])


            class ArticleView(web.View):
                async def get(self):
                    return web.json_response({"slug": self.request.match_info["slug"]})

                async def delete(self):
                    return web.Response(status=204)


            def create_app():
                app = web.Application()
                app.router.add_view("/api/articles", ArticlesView)
                app.router.add_view("/api/articles/{slug}", ArticleView)
                return app
        ''',
    })
    verdict = next(c for c in run_verify(str(root), Constraints("aiohttp", None, None, None),
                                         options=Options(use_cache=False)).verdicts if c.constraint == "framework")
    assert verdict.compliant, verdict.reason
    assert "2 route registration(s)" in verdict.reason


DJANGO_LAYERS = {
    "requirements.txt": "Django==5.0.9\ndjangorestframework==3.15.2\n",
    "archlint.toml": 'preset = "clean"\n',
    "blog/models/entities.py": '''
        from django.db import models


        class Tag(models.Model):
            name = models.CharField(max_length=64, unique=True)


        class Article(models.Model):
            title = models.CharField(max_length=255)
            tags = models.ManyToManyField(Tag, related_name="articles")
    ''',
    "blog/repositories/articles.py": '''
        from blog.models.entities import Article


        def recent():
            return Article.objects.order_by("-id")
    ''',
    "blog/services/articles.py": '''
        from blog.repositories import articles as repo


        def recent():
            return repo.recent()


        def titles_with_tags():
            return [{"title": a.title, "tags": sorted(t.name for t in a.tags.all())} for a in repo.recent()[:1]]
    ''',
    "blog/routes/views.py": '''
        from django.http import JsonResponse

        from blog.models.entities import Tag
        from blog.services import articles


        def tag_list(request):
            return JsonResponse({"tags": list(Tag.objects.values_list("name", flat=True))})


        def tag_loop(request):
            out = []
            for tag in Tag.objects.order_by("name"):
                out.append(tag.name)
            return JsonResponse({"tags": out})


        def article_list(request):
            return JsonResponse({"titles": [a.title for a in articles.recent()]})
    ''',
}


def test_a_lazy_queryset_run_in_the_file_that_built_it_is_an_access_there(tmp_path):
    root = make_repo(tmp_path, DJANGO_LAYERS)
    found = sorted((f.rule, f.path, f.line) for f in report(root).findings if f.rule == "AL301")
    # the view's own querysets (and the model import, AL102, is another rule); the repository's queryset
    # run by a view, and `article.tags.all()` read by a service, stay silent
    assert found == [("AL301", "blog/routes/views.py", 8), ("AL301", "blog/routes/views.py", 13)]


AIOHTTP_UOW = {
    "requirements.txt": "aiohttp==3.10.5\nSQLAlchemy==2.0.35\naiosqlite==0.20.0\n",
    "app/models.py": '''
        from sqlalchemy import Column, ForeignKey, Integer, String
        from sqlalchemy.orm import DeclarativeBase


        class Base(DeclarativeBase):
            pass


        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
            username = Column(String(64))


        class Follow(Base):
            __tablename__ = "follows"
            follower_id = Column(Integer, ForeignKey("users.id"), primary_key=True)
            followed_id = Column(Integer, ForeignKey("users.id"), primary_key=True)


        class Article(Base):
            __tablename__ = "articles"
            id = Column(Integer, primary_key=True)
            author_id = Column(Integer, ForeignKey("users.id"))
    ''',
    "app/db.py": '''
        from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

        engine = create_async_engine("sqlite+aiosqlite:///./app.db")
        session_factory = async_sessionmaker(engine, expire_on_commit=False)
    ''',
    "app/profiles.py": '''
        from sqlalchemy import select

        from app.models import Follow


        async def build_profile(session, user, viewer_id):
            followed = await session.scalar(
                select(Follow).where(Follow.follower_id == viewer_id, Follow.followed_id == user.id)
            )
            return {"username": user.username, "following": followed is not None}
    ''',
    "app/views.py": '''
        from aiohttp import web
        from sqlalchemy import select

        from app.db import session_factory
        from app.models import Article, User
        from app.profiles import build_profile


        async def present(session, article, viewer_id):
            author = await session.get(User, article.author_id)
            return {"id": article.id, "author": await build_profile(session, author, viewer_id)}


        async def list_articles(request):
            async with session_factory() as session:
                rows = (await session.scalars(select(Article).order_by(Article.id).limit(20))).all()
                return web.json_response([await present(session, a, 1) for a in rows])


        async def one_article(request):
            async with session_factory() as session:
                rows = (await session.scalars(select(Article).order_by(Article.id).limit(20))).all()
                viewer = await session.get(User, 1)
                profile = await build_profile(session, viewer, 1)
                return web.json_response({"ids": [a.id for a in rows], "me": profile})


        def create_app():
            app = web.Application()
            app.router.add_get("/api/articles", list_articles)
            app.router.add_get("/api/articles/one", one_article)
            return app
    ''',
}


def test_a_query_keyed_by_a_row_fetched_per_row_runs_per_row(tmp_path):
    root = make_repo(tmp_path, AIOHTTP_UOW)
    found = [f for f in report(root).findings if f.rule == "AL601"]
    assert [(f.path, f.line) for f in found] == [("app/views.py", 17)]
    # the author (`session.get` per row) and the follow lookup keyed by that author, two calls away
    assert "on User" in found[0].message and "on Follow" in found[0].message
    assert "2 queries per row" in found[0].message


def test_iterating_a_flask_sqlalchemy_pagination_runs_over_its_rows(tmp_path):
    """``for a in db.paginate(stmt)``: Flask-SQLAlchemy's Pagination iterates its page's rows (as
    ``.items`` does) — a lazy relation read per item is an N+1; loaded with ``selectinload`` it is not."""
    root = make_repo(tmp_path, {
        "requirements.txt": "Flask==3.0.3\nFlask-SQLAlchemy==3.1.1\n",
        "app.py": '''
            from flask import Flask, jsonify, request
            from flask_sqlalchemy import SQLAlchemy
            from sqlalchemy import Column, ForeignKey, Integer, String
            from sqlalchemy.orm import relationship, selectinload

            app = Flask(__name__)
            app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///app.db"
            db = SQLAlchemy(app)


            class User(db.Model):
                id = Column(Integer, primary_key=True)
                username = Column(String(64))


            class Article(db.Model):
                id = Column(Integer, primary_key=True)
                slug = Column(String(64))
                author_id = Column(Integer, ForeignKey("user.id"))
                author = relationship(User)


            @app.get("/api/articles")
            def articles():
                page = db.paginate(db.select(Article).order_by(Article.id), page=request.args.get("page", 1, type=int))
                return jsonify([{"slug": a.slug, "author": a.author.username} for a in page])


            @app.get("/api/articles/loaded")
            def loaded():
                stmt = db.select(Article).options(selectinload(Article.author)).order_by(Article.id)
                page = db.paginate(stmt, page=request.args.get("page", 1, type=int))
                return jsonify([{"slug": a.slug, "author": a.author.username} for a in page])
        ''',
    })
    assert [(f.rule, f.path, f.line) for f in report(root).findings if f.rule in ("AL601", "AL603")] == [
        ("AL603", "app.py", 26)]
