"""Services typed with abstract ports whose adapters a composition root passes (found on
borys25ol/fastapi-realworld-backend): the adapter's methods are what run, so an N+1 through them is found,
and a loop through a port whose adapter does not query stays silent."""

from __future__ import annotations

from helpers import findings, make_repo

MODELS = '''
    from sqlalchemy import ForeignKey
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Article(Base):
        __tablename__ = "articles"
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str]

    class Favorite(Base):
        __tablename__ = "favorites"
        user_id: Mapped[int] = mapped_column(primary_key=True)
        article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), primary_key=True)
'''

PORTS = '''
    import abc

    class ArticlesPort(abc.ABC):
        @abc.abstractmethod
        async def recent(self, session): ...

    class FavoritesPort(abc.ABC):
        @abc.abstractmethod
        async def count(self, session, article_id): ...
'''

ADAPTERS = '''
    from sqlalchemy import func, select
    from app.models import Article, Favorite
    from app.ports import ArticlesPort, FavoritesPort

    class SqlArticles(ArticlesPort):
        async def recent(self, session):
            result = await session.execute(select(Article).limit(20))
            return RESULT

    class SqlFavorites(FavoritesPort):
        async def count(self, session, article_id):
            stmt = select(func.count()).where(Favorite.article_id == article_id)
            return (await session.execute(stmt)).scalar_one()

    class CachedFavorites(FavoritesPort):
        def __init__(self, counts):
            self.counts = counts

        async def count(self, session, article_id):
            return self.counts.get(article_id, 0)
'''

SERVICE = '''
    from sqlalchemy.ext.asyncio import AsyncSession
    from app.ports import ArticlesPort, FavoritesPort

    class ArticleService:
        def __init__(self, articles: ArticlesPort, favorites: FavoritesPort):
            self.articles = articles
            self.favorites = favorites

        async def feed(self, session: AsyncSession):
            rows = await self.articles.recent(session)
            out = []
            for row in rows:
                out.append({"title": row.title, "favorites": await self.favorites.count(session, row.id)})
            return out
'''


def _repo(tmp_path, result="result.scalars().all()", adapter="SqlFavorites()"):
    return make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy\nasyncpg\n",
        "app/models.py": MODELS,
        "app/ports.py": PORTS,
        "app/adapters.py": ADAPTERS.replace("RESULT", result),
        "app/service.py": SERVICE,
        "app/container.py": f'''
            from app.adapters import CachedFavorites, SqlArticles, SqlFavorites
            from app.service import ArticleService

            def service():
                return ArticleService(articles=SqlArticles(), favorites={adapter})
        ''',
    })


def test_n_plus_one_through_an_abstract_port_the_container_fills(tmp_path):
    found = [f for f in findings(_repo(tmp_path)) if f[0] == "AL601"]
    assert found == [("AL601", "app/service.py", 13)]


def test_port_whose_adapter_does_not_query_is_silent(tmp_path):
    root = _repo(tmp_path, adapter="CachedFavorites({})")
    assert [f for f in findings(root) if f[0] in ("AL601", "AL603")] == []


def test_list_of_a_scalar_result_is_the_rows_it_fetches(tmp_path):
    root = _repo(tmp_path, result="list(result.scalars())")
    assert [f for f in findings(root) if f[0] == "AL601"] == [("AL601", "app/service.py", 13)]


FACTORY_APP = {
    "requirements.txt": "fastapi\nasyncpg\n",
    "app/deps.py": '''
        import asyncpg
        from fastapi import Depends, Request

        async def _connection(request: Request):
            async with request.app.state.pool.acquire() as conn:
                yield conn

        def get_repository(repo_type):
            def _get_repo(conn: asyncpg.Connection = Depends(_connection)):
                return repo_type(conn)
            return _get_repo
    ''',
    "app/repos.py": '''
        class ArticlesRepo:
            def __init__(self, conn):
                self.conn = conn

            async def by_slug(self, slug):
                return await self.conn.fetchrow("SELECT id FROM articles WHERE slug = $1", slug)

        class TagsRepo:
            def __init__(self, conn):
                self.conn = conn

            async def all_tags(self):
                return await self.conn.fetch("SELECT name FROM tags")
    ''',
    "app/routes.py": '''
        from fastapi import APIRouter, Depends
        from app.deps import get_repository
        from app.repos import ArticlesRepo, TagsRepo

        router = APIRouter()

        @router.get("/articles/{slug}")
        async def one(slug: str, articles: ArticlesRepo = Depends(get_repository(ArticlesRepo))):
            return await articles.by_slug(slug)

        @router.get("/tags")
        async def tags(tags_repo: TagsRepo = Depends(get_repository(TagsRepo))):
            return await tags_repo.all_tags()
    ''',
}


def test_repository_factory_closure_is_not_read_as_the_first_class_it_built(tmp_path):
    root = make_repo(tmp_path, FACTORY_APP)
    assert [f for f in findings(root) if f[0] == "AL230"] == []
