"""Wiring idioms of agent-written layered Conduit backends that the semantic model must follow:
an ESM `export { sequelize, Tag }` re-exporting an imported binding, a service container stored
in a framework context slot (`c.set('container', { articleService })`) by the composition root,
and query rows bound to a local only to be counted."""

from __future__ import annotations

from archlint.application.pipeline import Options
from archlint.application.verify import parse_task, run_verify
from helpers import findings, make_repo

ESM_PACKAGE = '{"type": "module", "dependencies": {"hono": "^4", "@hono/node-server": "^1", "sequelize": "^6", "sqlite3": "^5"}}'

ESM_DB = """
    import { Sequelize } from 'sequelize';
    export const sequelize = new Sequelize({ dialect: 'sqlite', storage: './conduit.sqlite' });
"""

ESM_MODELS = """
    import { DataTypes } from 'sequelize';
    import { sequelize } from '../database.js';

    const Article = sequelize.define('Article', {
      slug: DataTypes.STRING,
      favoritesCount: { type: DataTypes.INTEGER, defaultValue: 0 },
    });
    const Favorite = sequelize.define('Favorite', { userId: DataTypes.INTEGER, articleId: DataTypes.INTEGER });
    const Comment = sequelize.define('Comment', { body: DataTypes.TEXT, articleId: DataTypes.INTEGER });

    export { sequelize, Article, Favorite, Comment };
"""


def rules(root, *wanted):
    return [f for f in findings(root) if f[0] in wanted]


def test_sync_force_through_an_export_clause_re_exporting_the_imported_instance(tmp_path):
    files = {
        "package.json": ESM_PACKAGE,
        "src/database.js": ESM_DB,
        "src/models/index.js": ESM_MODELS,
        "src/index.js": """
            import { sequelize } from './models/index.js';

            await sequelize.sync({ force: true });
        """,
    }
    assert rules(make_repo(tmp_path / "bad", files), "AL216") == [("AL216", "src/index.js", 3)]
    files["src/index.js"] = files["src/index.js"].replace("{ force: true }", "")
    assert rules(make_repo(tmp_path / "good", files), "AL216") == []


HONO_REPOSITORY = """
    export class ArticleRepository {
      constructor({ Article, Favorite, sequelize }) {
        this.Article = Article;
        this.Favorite = Favorite;
        this.sequelize = sequelize;
      }

      async findBySlug(slug) {
        return this.Article.findOne({ where: { slug } });
      }

      async favorite(userId, article) {
        await this.Favorite.create({ userId, articleId: article.id });
        await article.increment('favoritesCount');
      }
    }
"""

HONO_SERVICE = """
    export class ArticleService {
      constructor({ articleRepository }) {
        this.articles = articleRepository;
      }

      async favorite(slug, userId) {
        const article = await this.articles.findBySlug(slug);
        if (!article) throw new Error('not found');
        await this.articles.favorite(userId, article);
        return article;
      }
    }
"""

HONO_ROUTES = """
    import { Hono } from 'hono';

    export const articleRoutes = new Hono();

    articleRoutes.post('/:slug/favorite', async (c) => {
      const { articleService } = c.get('container');
      const article = await articleService.favorite(c.req.param('slug'), c.get('userId'));
      return c.json({ article });
    });
"""

HONO_INDEX = """
    import { Hono } from 'hono';
    import { serve } from '@hono/node-server';
    import { sequelize, Article, Favorite } from './infrastructure/models/index.js';
    import { ArticleRepository } from './infrastructure/repositories/articleRepository.js';
    import { ArticleService } from './application/articleService.js';
    import { articleRoutes } from './api/routes/articles.js';

    const articleRepository = new ArticleRepository({ Article, Favorite, sequelize });
    const container = { articleService: new ArticleService({ articleRepository }) };

    const app = new Hono();
    app.use('*', async (c, next) => {
      c.set('container', container);
      await next();
    });
    app.route('/api/articles', articleRoutes);

    await sequelize.sync();
    serve({ fetch: app.fetch, port: 3000 });
"""


def hono_app(root, repository=HONO_REPOSITORY, index=HONO_INDEX):
    return make_repo(root, {
        "package.json": ESM_PACKAGE,
        "src/infrastructure/database.js": ESM_DB,
        "src/infrastructure/models/index.js": ESM_MODELS,
        "src/infrastructure/repositories/articleRepository.js": repository,
        "src/application/articleService.js": HONO_SERVICE,
        "src/api/routes/articles.js": HONO_ROUTES,
        "src/index.js": index,
    })


def test_handlers_reach_services_through_a_container_in_the_hono_context(tmp_path):
    """`c.get('container').articleService.favorite(…)` runs the service the composition root built:
    its repository's two writes are one request's writes (AL305)."""
    got = rules(hono_app(tmp_path / "bad"), "AL305")
    assert got == [("AL305", "src/infrastructure/repositories/articleRepository.js", 13)]


def test_container_writes_in_one_transaction_stay_silent(tmp_path):
    repository = HONO_REPOSITORY.replace(
        """        await this.Favorite.create({ userId, articleId: article.id });
        await article.increment('favoritesCount');""",
        """        await this.sequelize.transaction(async (t) => {
          await this.Favorite.create({ userId, articleId: article.id }, { transaction: t });
          await article.increment('favoritesCount', { transaction: t });
        });""")
    assert rules(hono_app(tmp_path / "good", repository), "AL305", "AL215") == []


def test_a_context_slot_also_written_with_request_data_is_not_a_container(tmp_path):
    """A slot some middleware fills with something else (a JWT payload) is unknown to handlers:
    nothing is read through it."""
    index = HONO_INDEX.replace(
        "    app.route('/api/articles', articleRoutes);",
        "    app.use('*', async (c, next) => {\n"
        "      c.set('container', JSON.parse(c.req.header('x-container')));\n"
        "      await next();\n"
        "    });\n"
        "    app.route('/api/articles', articleRoutes);")
    assert rules(hono_app(tmp_path / "mixed", index=index), "AL305") == []


def test_rows_bound_to_a_local_only_to_be_counted(tmp_path):
    files = {
        "package.json": '{"dependencies": {"express": "^4", "sequelize": "^6", "pg": "^8"}}',
        "src/db.js": """
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize(process.env.DATABASE_URL);
            const Comment = sequelize.define('Comment', { body: DataTypes.TEXT, articleId: DataTypes.INTEGER });
            module.exports = { sequelize, Comment };
        """,
        "src/repositories/commentRepository.js": """
            const { Comment } = require('../db');

            async function countComments(articleId) {
              const comments = await Comment.findAll({ where: { articleId } });
              return comments.length;
            }

            async function listComments(articleId) {
              const comments = await Comment.findAll({ where: { articleId } });
              return { comments: comments.map((c) => c.body), count: comments.length };
            }

            async function hasComments(articleId) {
              const comments = await Comment.findAll({ where: { articleId } });
              const check = () => comments.length > 0;
              return check();
            }

            async function importComments(rows) {
              const created = await Comment.bulkCreate(rows);
              return created.length;
            }

            module.exports = { countComments, listComments, hasComments, importComments };
        """,
    }
    got = rules(make_repo(tmp_path / "js", files), "AL602")
    assert got == [("AL602", "src/repositories/commentRepository.js", 5)]


def test_python_rows_bound_to_a_local_only_to_be_counted(tmp_path):
    files = {
        "requirements.txt": "sqlalchemy\n",
        "app/models.py": """
            from sqlalchemy import ForeignKey, String
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

            class Base(DeclarativeBase):
                pass

            class Comment(Base):
                __tablename__ = "comments"
                id: Mapped[int] = mapped_column(primary_key=True)
                body: Mapped[str] = mapped_column(String(500))
                article_id: Mapped[int] = mapped_column()
        """,
        "app/repository.py": """
            from sqlalchemy import select
            from sqlalchemy.orm import Session

            from app.models import Comment


            def count_comments(session: Session, article_id: int) -> int:
                rows = session.scalars(select(Comment).where(Comment.article_id == article_id)).all()
                return len(rows)


            def list_comments(session: Session, article_id: int) -> dict:
                rows = session.scalars(select(Comment).where(Comment.article_id == article_id)).all()
                return {"comments": [c.body for c in rows], "commentsCount": len(rows)}
        """,
    }
    got = rules(make_repo(tmp_path / "py", files), "AL602")
    assert got == [("AL602", "app/repository.py", 9)]


def test_a_flag_set_by_a_ternary_on_the_lookup_guards_it(tmp_path):
    """`const ok = user ? await bcrypt.compare(pw, user.password) : false; if (!ok) throw …`: past
    the throw `ok` is truthy, so the ternary took its first branch and `user` is set."""
    service = """
        const bcrypt = require('bcryptjs');
        const { User } = require('../models');

        async function login(email, password) {
          const user = await User.findOne({ where: { email } });
          const ok = user ? await bcrypt.compare(password, user.password) : false;
          if (!ok) {
            throw new Error('Invalid credentials');
          }
          return { email: user.email, username: user.username };
        }

        async function loginUnchecked(email, password) {
          const user = await User.findOne({ where: { email } });
          const ok = user ? await bcrypt.compare(password, user.password) : false;
          return { ok, email: user.email };
        }

        async function loginNegated(email, password) {
          const user = await User.findOne({ where: { email } });
          const invalid = !user ? true : !(await bcrypt.compare(password, user.password));
          const valid = !user ? false : await bcrypt.compare(password, user.password);
          if (!valid) throw new Error('Invalid credentials');
          return { email: user.email };
        }

        module.exports = { login, loginUnchecked, loginNegated };
    """
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4", "sequelize": "^6", "pg": "^8", "bcryptjs": "^2"}}',
        "src/models/index.js": """
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize(process.env.DATABASE_URL);
            const User = sequelize.define('User', { email: DataTypes.STRING, username: DataTypes.STRING, password: DataTypes.STRING });
            module.exports = { sequelize, User };
        """,
        "src/services/userService.js": service,
    })
    assert rules(root, "AL220") == [("AL220", "src/services/userService.js", 16)]


def test_python_flag_set_by_a_conditional_expression_guards_the_lookup(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "sqlalchemy\nbcrypt\n",
        "app/models.py": """
            from sqlalchemy import String
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

            class Base(DeclarativeBase):
                pass

            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)
                email: Mapped[str] = mapped_column(String(200))
                password: Mapped[str] = mapped_column(String(200))
        """,
        "app/service.py": """
            import bcrypt
            from sqlalchemy import select
            from sqlalchemy.orm import Session

            from app.models import User


            def login(session: Session, email: str, password: str) -> dict:
                user = session.scalars(select(User).where(User.email == email)).first()
                ok = bcrypt.checkpw(password.encode(), user.password.encode()) if user else False
                if not ok:
                    raise ValueError("invalid credentials")
                return {"email": user.email}
        """,
    })
    assert rules(root, "AL220") == []


KOA_FILES = {
    "package.json": '{"dependencies": {"koa": "^2", "@koa/router": "^12", "koa-bodyparser": "^4", "sequelize": "^6", "pg": "^8"}}',
    "src/models/index.js": """
        const { Sequelize, DataTypes } = require('sequelize');
        const sequelize = new Sequelize('postgres://postgres:postgres@postgres:5432/conduit');
        const Article = sequelize.define('Article', { slug: DataTypes.STRING, title: DataTypes.STRING });
        const ArticleTag = sequelize.define('ArticleTag', { articleId: DataTypes.INTEGER, tagId: DataTypes.INTEGER });
        module.exports = { sequelize, Article, ArticleTag };
    """,
    "src/repositories/articleRepository.js": """
        class ArticleRepository {
          constructor({ Article, ArticleTag }) {
            this.Article = Article;
            this.ArticleTag = ArticleTag;
          }

          async create(data, tagIds) {
            const article = await this.Article.create({ slug: data.slug, title: data.title });
            await this.ArticleTag.bulkCreate(tagIds.map((tagId) => ({ articleId: article.id, tagId })));
            return article;
          }
        }
        module.exports = ArticleRepository;
    """,
    "src/services/articleService.js": """
        class ArticleService {
          constructor({ articleRepository }) {
            this.articleRepository = articleRepository;
          }

          async create(input) {
            return this.articleRepository.create(input, input.tagIds || []);
          }
        }
        module.exports = ArticleService;
    """,
    "src/routes/articles.js": """
        const Router = require('@koa/router');

        module.exports = function articlesRouter({ articleService }) {
          const router = new Router({ prefix: '/api/articles' });
          router.post('/', async (ctx) => {
            ctx.body = { article: await articleService.create(ctx.request.body.article) };
          });
          return router;
        };
    """,
    "src/app.js": """
        const Koa = require('koa');
        const bodyParser = require('koa-bodyparser');
        const models = require('./models');
        const ArticleRepository = require('./repositories/articleRepository');
        const ArticleService = require('./services/articleService');
        const articlesRouter = require('./routes/articles');

        const articleService = new ArticleService({ articleRepository: new ArticleRepository(models) });
        const app = new Koa();
        app.use(bodyParser());
        const router = articlesRouter({ articleService });
        app.use(router.routes());
        models.sequelize.sync().then(() => app.listen(3000));
    """,
}


def test_handlers_of_a_route_factory_see_what_the_composition_root_passed(tmp_path):
    """The factory is analysed on its own too (its parameter unknown there): the handler still runs
    the service the root gave it, so the repository's two writes are one request's (AL305)."""
    root = make_repo(tmp_path, KOA_FILES)
    assert rules(root, "AL305") == [("AL305", "src/repositories/articleRepository.js", 8)]


FASTIFY_FILES = {
    "package.json": '{"dependencies": {"fastify": "^4", "fastify-plugin": "^4", "sequelize": "^6", "pg": "^8"}}',
    "src/models/tag.js": """
        const { Model, DataTypes } = require('sequelize');

        class Tag extends Model {
          static initModel(sequelize) {
            Tag.init({ name: DataTypes.STRING }, { sequelize, modelName: 'Tag' });
            return Tag;
          }
        }
        module.exports = Tag;
    """,
    "src/models/index.js": """
        const Tag = require('./tag');

        function initModels(sequelize) {
          return { Tag: Tag.initModel(sequelize) };
        }
        module.exports = { initModels };
    """,
    "src/plugins/db.js": """
        const fp = require('fastify-plugin');
        const { Sequelize } = require('sequelize');
        const { initModels } = require('../models');

        module.exports = fp(async (fastify) => {
          const sequelize = new Sequelize('postgres://postgres:postgres@postgres:5432/conduit');
          fastify.decorate('models', initModels(sequelize));
          await sequelize.sync();
        });
    """,
    "src/routes/tags.js": """
        module.exports = async function tagRoutes(fastify) {
          fastify.get('/', async () => {
            const tags = await fastify.models.Tag.findAll();
            return { tags: tags.map((t) => t.name) };
          });
        };
    """,
    "src/services/tagService.js": "module.exports = {};\n",
    "src/repositories/tagRepository.js": "module.exports = {};\n",
    "src/server.js": """
        const fastify = require('fastify')({ logger: true });
        fastify.register(require('./plugins/db'));
        fastify.register(require('./routes/tags'), { prefix: '/api/tags' });
        fastify.listen({ port: 3000 });
    """,
}


def test_models_returned_by_their_own_static_init_are_models_in_a_fastify_decoration(tmp_path):
    """`class Tag extends Model { static initModel(sequelize) { Tag.init(…); return Tag } }`, gathered
    by `initModels(sequelize)` and decorated as `fastify.models`: a route querying it is DB access
    in the routes layer, and the ORM verdict sees the query."""
    root = make_repo(tmp_path, FASTIFY_FILES)
    assert rules(root, "AL301") == [("AL301", "src/routes/tags.js", 3)]
    report = run_verify(str(root), parse_task("node-fastify-openapi-postgres-sequelize"), options=Options(use_cache=False))
    orm = next(c for c in report.verdicts if c.constraint == "orm")
    assert orm.compliant, orm.reason


def test_a_write_dropped_where_only_the_caller_knows_the_row(tmp_path):
    files = dict(KOA_FILES)
    files["src/repositories/articleRepository.js"] = """
        class ArticleRepository {
          constructor({ Article, ArticleTag, sequelize }) {
            this.Article = Article;
            this.sequelize = sequelize;
          }

          async create(data) {
            return this.Article.create({ slug: data.slug, title: data.title });
          }

          rename(article, title) {
            article.update({ title });
          }

          async retitle(article, title) {
            await article.update({ title });
          }
        }
        module.exports = ArticleRepository;
    """
    files["src/services/articleService.js"] = """
        class ArticleService {
          constructor({ articleRepository }) {
            this.articleRepository = articleRepository;
          }

          async create(input) {
            const article = await this.articleRepository.create(input);
            this.articleRepository.rename(article, input.title.trim());
            await this.articleRepository.retitle(article, input.title);
            return article;
          }
        }
        module.exports = ArticleService;
    """
    root = make_repo(tmp_path, files)
    assert rules(root, "AL211") == [("AL211", "src/repositories/articleRepository.js", 12)]


SA_MODELS = """
    from sqlalchemy import ForeignKey, Integer, String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    class Article(Base):
        __tablename__ = "articles"
        id: Mapped[int] = mapped_column(primary_key=True)
        slug: Mapped[str] = mapped_column(String(200), unique=True)
        title: Mapped[str] = mapped_column(String(200))
        favorites_count: Mapped[int] = mapped_column(Integer, default=0)


    class Favorite(Base):
        __tablename__ = "favorites"
        user_id: Mapped[int] = mapped_column(primary_key=True)
        article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), primary_key=True)
"""

SA_APP = """
    from fastapi import Depends, FastAPI
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

    from app.models import Article, Favorite

    engine = create_async_engine("postgresql+asyncpg://postgres:postgres@postgres:5432/conduit")
    SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
    app = FastAPI()


    async def get_session():
        async with SessionLocal() as session:
            yield session


    @app.post("/api/articles/{slug}/favorite")
    async def favorite(slug: str, session: AsyncSession = Depends(get_session)):
        article = (await session.execute(select(Article).where(Article.slug == slug))).scalar_one()
        session.add(Favorite(user_id=1, article_id=article.id))
        await session.commit()
        article.favorites_count += 1
        await session.commit()
        return {"ok": True}


    @app.put("/api/articles/{slug}")
    async def rename(slug: str, title: str, session: AsyncSession = Depends(get_session)):
        article = (await session.execute(select(Article).where(Article.slug == slug))).scalar_one()
        article.title = title
        article.favorites_count = 0
        await session.commit()
        return {"ok": True}


    @app.post("/api/articles")
    async def create(title: str, session: AsyncSession = Depends(get_session)):
        article = Article(slug=title.lower(), title=title)
        article.favorites_count = 0
        session.add(article)
        await session.commit()
        return {"ok": True}


    @app.delete("/api/articles/{slug}/favorite")
    async def unfavorite(slug: str, session: AsyncSession = Depends(get_session)):
        favorite = (await session.execute(select(Favorite).where(Favorite.article_id == 1))).scalar_one()
        await session.delete(favorite)
        session.commit()
        return {"ok": True}
"""


def test_a_column_assigned_on_a_loaded_row_is_a_write_between_two_commits(tmp_path):
    """`add(favorite); commit(); article.favorites_count += 1; commit()`: the counter is written by
    the second commit, after the favorite is durable (AL305).  One commit after several
    assignments, or assignments on a row built here, are one unit of work."""
    root = make_repo(tmp_path, {"requirements.txt": "fastapi\nsqlalchemy[asyncio]\nasyncpg\n",
                                "app/__init__.py": "", "app/models.py": SA_MODELS, "app/main.py": SA_APP})
    assert rules(root, "AL305") == [("AL305", "app/main.py", 20)]


def test_a_python_coroutine_dropped_as_a_statement_never_runs(tmp_path):
    """`session.commit()` without await on an AsyncSession: the commit never happens (AL809); the
    awaited calls are silent."""
    root = make_repo(tmp_path, {"requirements.txt": "fastapi\nsqlalchemy[asyncio]\nasyncpg\n",
                                "app/__init__.py": "", "app/models.py": SA_MODELS, "app/main.py": SA_APP})
    assert rules(root, "AL809") == [("AL809", "app/main.py", 49)]


FLASK_MODELS = """
    from sqlalchemy import Column, ForeignKey, Integer, String, Table
    from sqlalchemy.orm import DeclarativeBase, relationship


    class Base(DeclarativeBase):
        pass


    article_tags = Table("article_tags", Base.metadata,
                         Column("article_id", ForeignKey("articles.id"), primary_key=True),
                         Column("tag_id", ForeignKey("tags.id"), primary_key=True))


    class User(Base):
        __tablename__ = "users"
        id = Column(Integer, primary_key=True)
        username = Column(String(80))


    class Tag(Base):
        __tablename__ = "tags"
        id = Column(Integer, primary_key=True)
        name = Column(String(80))


    class Article(Base):
        __tablename__ = "articles"
        id = Column(Integer, primary_key=True)
        slug = Column(String(200))
        author_id = Column(Integer, ForeignKey("users.id"))
        author = relationship("User")
        tags = relationship("Tag", secondary=article_tags)
"""

FLASK_FILES = {
    "requirements.txt": "flask\nsqlalchemy\n",
    "app/__init__.py": "",
    "app/database.py": """
        from sqlalchemy import create_engine
        from sqlalchemy.orm import scoped_session, sessionmaker

        engine = create_engine("sqlite:///conduit.db")
        db_session = scoped_session(sessionmaker(bind=engine))
    """,
    "app/models.py": FLASK_MODELS,
    "app/repositories/article_repository.py": """
        from app.database import db_session
        from app.models import Article, Tag


        class ArticleRepository:
            def by_slug(self, slug):
                return db_session.query(Article).filter_by(slug=slug).first()

            def tag(self, article, names):
                for name in names:
                    article.tags.append(Tag(name=name))
                    db_session.commit()

            def tag_once(self, article, names):
                for name in names:
                    article.tags.append(Tag(name=name))
                db_session.commit()
    """,
    "app/services/article_service.py": """
        from app.repositories.article_repository import ArticleRepository


        class ArticleService:
            def __init__(self, repository=None):
                self.repository = repository or ArticleRepository()

            def author_of(self, slug):
                article = self.repository.by_slug(slug)
                return article.author.username

            def tag(self, slug, names):
                article = self.repository.by_slug(slug)
                if article is None:
                    raise LookupError(slug)
                self.repository.tag(article, names)

            def tag_once(self, slug, names):
                article = self.repository.by_slug(slug)
                if article is None:
                    raise LookupError(slug)
                self.repository.tag_once(article, names)
    """,
    "app/routes/articles.py": """
        from flask import Blueprint, request

        from app.services.article_service import ArticleService

        bp = Blueprint("articles", __name__)
        service = ArticleService()


        @bp.get("/api/articles/<slug>/author")
        def author(slug):
            return {"author": service.author_of(slug)}


        @bp.post("/api/articles/<slug>/tags")
        def tag(slug):
            service.tag(slug, request.get_json()["tags"])
            return {}


        @bp.put("/api/articles/<slug>/tags")
        def tag_once(slug):
            service.tag_once(slug, request.get_json()["tags"])
            return {}
    """,
}


def test_a_service_defaulting_its_repository_with_or_runs_that_repository(tmp_path):
    """`self.repository = repository or ArticleRepository()` built with no argument: `None or X()` is
    `X()`, so the service's calls reach the repository (the unchecked `.first()` is seen)."""
    root = make_repo(tmp_path, FLASK_FILES)
    assert rules(root, "AL220") == [("AL220", "app/services/article_service.py", 10)]


def test_a_collection_appended_and_committed_per_item_is_written_per_commit(tmp_path):
    """`article.tags.append(tag); db_session.commit()` in a loop commits each tag on its own (AL305);
    appending them all and committing once is one unit of work."""
    root = make_repo(tmp_path, FLASK_FILES)
    assert rules(root, "AL305") == [("AL305", "app/repositories/article_repository.py", 11)]


def test_a_fastapi_dict_body_is_the_request_body(tmp_path):
    """`body: dict = Body(...)` / `payload: dict` in a FastAPI handler is the JSON as sent: copying
    its keys onto a row is mass assignment (AL504); a pydantic model, a `Depends` and a service's
    own `dict` parameter are not the raw body."""
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy\n",
        "app/__init__.py": "",
        "app/models.py": FLASK_MODELS,
        "app/main.py": """
            from fastapi import Body, Depends, FastAPI
            from pydantic import BaseModel
            from sqlalchemy import create_engine, select
            from sqlalchemy.orm import Session, sessionmaker

            from app.models import Article

            engine = create_engine("sqlite:///conduit.db")
            SessionLocal = sessionmaker(bind=engine)
            app = FastAPI()


            def get_db():
                with SessionLocal() as db:
                    yield db


            class ArticleUpdate(BaseModel):
                slug: str | None = None


            def apply(db: Session, slug: str, data: dict):
                article = db.scalars(select(Article).where(Article.slug == slug)).one()
                for key, value in data.items():
                    setattr(article, key, value)
                db.commit()


            @app.put("/a/{slug}")
            def raw(slug: str, body: dict = Body(...), db: Session = Depends(get_db)):
                apply(db, slug, body["article"])


            def apply_checked(db: Session, slug: str, data: dict):
                article = db.scalars(select(Article).where(Article.slug == slug)).one()
                for key, value in data.items():
                    setattr(article, key, value)
                db.commit()


            @app.put("/b/{slug}")
            def typed(slug: str, body: ArticleUpdate, db: Session = Depends(get_db)):
                apply_checked(db, slug, body.model_dump(exclude_unset=True))
        """,
    })
    assert rules(root, "AL504") == [("AL504", "app/main.py", 25)]


def test_a_dropped_call_of_a_decorated_async_function_may_run(tmp_path):
    """A decorator may run the coroutine itself (prefect's `@sync_compatible`): a bare call of such a
    function is not reported; a bare call of a plain `async def` in async code is."""
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\n",
        "app/__init__.py": "",
        "app/clock.py": """
            from fastapi import FastAPI

            from app.compat import sync_compatible

            app = FastAPI()
            _clock = {"value": None}


            async def reset_clock():
                _clock["value"] = None


            @sync_compatible
            async def release(names):
                _clock["value"] = names


            @app.post("/reset")
            async def reset():
                reset_clock()
                release(["a"])
        """,
        "app/compat.py": """
            def sync_compatible(function):
                return function
        """,
    })
    assert rules(root, "AL809") == [("AL809", "app/clock.py", 20)]


def test_a_sync_session_in_an_async_handler_blocks_the_event_loop(tmp_path):
    """AL604: an `async def` FastAPI handler querying a sync `Session` (directly or through a
    repository) blocks the loop; a plain `def` handler, a sync dependency (run in the threadpool),
    a call offloaded with `run_in_threadpool` and an `AsyncSession` are silent."""
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy\npsycopg2-binary\n",
        "app/__init__.py": "",
        "app/models.py": FLASK_MODELS,
        "app/db.py": """
            from sqlalchemy import create_engine
            from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(bind=create_engine("postgresql+psycopg2://u:p@postgres/conduit"))
            AsyncSessionLocal = async_sessionmaker(create_async_engine("postgresql+asyncpg://u:p@postgres/conduit"))


            def get_db():
                db = SessionLocal()
                try:
                    yield db
                finally:
                    db.close()


            async def get_async_db():
                async with AsyncSessionLocal() as session:
                    yield session
        """,
        "app/repository.py": """
            from sqlalchemy import select

            from app.models import Tag, User


            def tag_names(db):
                return [t.name for t in db.scalars(select(Tag)).all()]


            def current_user(db):
                return db.get(User, 1)
        """,
        "app/main.py": """
            from fastapi import Depends, FastAPI
            from fastapi.concurrency import run_in_threadpool
            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession
            from sqlalchemy.orm import Session

            from app.db import get_async_db, get_db
            from app.models import Tag
            from app.repository import current_user, tag_names

            app = FastAPI()


            def get_current_user(db: Session = Depends(get_db)):
                return current_user(db)


            @app.get("/api/tags")
            async def tags(db: Session = Depends(get_db)):
                return {"tags": tag_names(db)}


            @app.get("/api/tags/sync")
            def tags_sync(db: Session = Depends(get_db)):
                return {"tags": tag_names(db)}


            @app.get("/api/tags/offloaded")
            async def tags_offloaded(db: Session = Depends(get_db)):
                return {"tags": await run_in_threadpool(tag_names, db)}


            @app.get("/api/user")
            async def me(user=Depends(get_current_user)):
                return {"user": user.username}


            @app.get("/api/tags/async")
            async def tags_async(session: AsyncSession = Depends(get_async_db)):
                return {"tags": list((await session.scalars(select(Tag.name))).all())}
        """,
    })
    assert rules(root, "AL604") == [("AL604", "app/repository.py", 7)]


def test_a_session_a_caller_holds_open_is_not_closed_in_the_methods_it_runs(tmp_path):
    """`with SessionLocal() as session: ArticleService(session).get(slug)`: the service and its
    repository keep the session in fields and run while the `with` is open — no AL218 on
    `article.author` (also when the view is analysed before the service, its field then holding the
    view's session).  A repository method that opens and closes its own session, returning the row
    to a service that reads a lazy relation, is detached (AL218)."""
    root = make_repo(tmp_path, {
        "requirements.txt": "django\nsqlalchemy\n",
        "conduit/__init__.py": "",
        "conduit/models.py": FLASK_MODELS,
        "conduit/db.py": """
            from sqlalchemy import create_engine
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(bind=create_engine("sqlite:///conduit.db"))
        """,
        "conduit/repositories.py": """
            from sqlalchemy import select

            from conduit.db import SessionLocal
            from conduit.models import Article


            class ArticleRepository:
                def __init__(self, session):
                    self.session = session

                def by_slug(self, slug):
                    return self.session.scalars(select(Article).where(Article.slug == slug)).one()


            def load_article(slug):
                with SessionLocal() as session:
                    return session.scalars(select(Article).where(Article.slug == slug)).one()
        """,
        "conduit/services.py": """
            from conduit.repositories import ArticleRepository, load_article


            class ArticleService:
                def __init__(self, session):
                    self.repo = ArticleRepository(session)

                def author_of(self, slug):
                    return self.repo.by_slug(slug).author.username


            def detached_author_of(slug):
                return load_article(slug).author.username
        """,
        "conduit/api/__init__.py": "",
        "conduit/api/views.py": """
            from django.http import JsonResponse

            from conduit.db import SessionLocal
            from conduit.services import ArticleService, detached_author_of


            def author(request, slug):
                with SessionLocal() as session:
                    return JsonResponse({"author": ArticleService(session).author_of(slug)})


            def detached(request, slug):
                return JsonResponse({"author": detached_author_of(slug)})
        """,
        "conduit/urls.py": """
            from django.urls import path

            from conduit.api import views

            urlpatterns = [path("api/a/<slug>", views.author), path("api/b/<slug>", views.detached)]
        """,
    })
    assert rules(root, "AL218") == [("AL218", "conduit/services.py", 13)]


def test_sequelize_instance_set_with_the_body_is_mass_assignment(tmp_path):
    """`article.set(req.body.article); await article.save()` writes every key the client sent (AL504);
    `article.set('title', …)` and `article.set({ title, body })` pick the fields."""
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4", "sequelize": "^6", "sqlite3": "^5"}}',
        "src/models.js": """
            const { Sequelize, DataTypes } = require('sequelize');
            const sequelize = new Sequelize({ dialect: 'sqlite', storage: 'c.sqlite' });
            const Article = sequelize.define('Article', { slug: DataTypes.STRING, title: DataTypes.STRING, body: DataTypes.TEXT });
            module.exports = { sequelize, Article };
        """,
        "src/app.js": """
            const express = require('express');
            const { sequelize, Article } = require('./models');

            const app = express();
            app.use(express.json());

            app.put('/api/articles/:slug', async (req, res) => {
              const article = await Article.findOne({ where: { slug: req.params.slug } });
              if (!article) return res.status(404).end();
              article.set(req.body.article);
              await article.save();
              res.json({ article });
            });

            app.put('/api/v2/articles/:slug', async (req, res) => {
              const article = await Article.findOne({ where: { slug: req.params.slug } });
              if (!article) return res.status(404).end();
              const { title, body } = req.body.article;
              article.set('title', title);
              article.set({ title, body });
              await article.save();
              res.json({ article });
            });

            sequelize.sync().then(() => app.listen(3000));
        """,
    })
    assert rules(root, "AL504") == [("AL504", "src/app.js", 10)]
