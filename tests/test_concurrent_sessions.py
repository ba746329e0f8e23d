"""AL237: one async session/connection used by coroutines that run at once (archlint/checks/concurrent_sessions.py).

The SQLAlchemy shapes live in the fixtures ``agent-fastapi-gather-session-{bugs,correct}`` (the s37 planted P3:
``gather(*(self._to_out(a) for a in rows))`` reaching the request's session through ``self.profiles``).  Here: the
asyncpg connection (every asyncpg connection is async), ``asyncio.wait``, and the look-alikes that are another
problem or none — a pool (each call acquires its own connection), a sync ``Session`` handed to threads.
"""

from __future__ import annotations

from tests.helpers import findings, make_repo

MODELS = """
    from sqlalchemy import String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    class Article(Base):
        __tablename__ = "articles"
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str] = mapped_column(String(200))
"""


def _al237(tmp_path, files) -> list[tuple[str, int]]:
    make_repo(tmp_path, files)
    return [(path, line) for rule, path, line in findings(tmp_path, select=("AL237",)) if rule == "AL237"]


def test_an_asyncpg_connection_gathered_twice_is_reported_a_pool_is_not(tmp_path):
    found = _al237(tmp_path, {
        "requirements.txt": "asyncpg\n",
        "app/__init__.py": "",
        "app/stats.py": """
            import asyncio

            import asyncpg


            async def counts(conn: asyncpg.Connection) -> tuple:
                return await asyncio.gather(
                    conn.fetchval("SELECT count(*) FROM articles"),
                    conn.fetchval("SELECT count(*) FROM users"),
                )


            async def counts_on_pool(pool: asyncpg.Pool) -> tuple:
                return await asyncio.gather(
                    pool.fetchval("SELECT count(*) FROM articles"),
                    pool.fetchval("SELECT count(*) FROM users"),
                )


            async def counts_one_by_one(conn: asyncpg.Connection) -> tuple:
                articles = await conn.fetchval("SELECT count(*) FROM articles")
                users = await conn.fetchval("SELECT count(*) FROM users")
                return articles, users
        """,
    })
    assert found == [("app/stats.py", 7)]


def test_asyncio_wait_over_a_list_of_coroutines_on_one_session(tmp_path):
    found = _al237(tmp_path, {
        "requirements.txt": "sqlalchemy[asyncio]\naiosqlite\n",
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/jobs.py": """
            import asyncio

            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession

            from app.models import Article


            async def title(session: AsyncSession, article_id: int):
                return await session.scalar(select(Article.title).where(Article.id == article_id))


            async def titles(session: AsyncSession, ids: list[int]):
                done, _pending = await asyncio.wait([title(session, ids[0]), title(session, ids[1])])
                return done
        """,
    })
    assert found == [("app/jobs.py", 14)]


def test_a_sync_session_handed_to_threads_is_not_this_rule(tmp_path):
    # sharing a sync Session across threads is a bug of its own; to_thread's coroutines are not the session's
    found = _al237(tmp_path, {
        "requirements.txt": "sqlalchemy\n",
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/jobs.py": """
            import asyncio

            from sqlalchemy import func, select
            from sqlalchemy.orm import Session

            from app.models import Article


            def count(session: Session) -> int:
                return session.scalar(select(func.count(Article.id)))


            async def count_twice(session: Session):
                return await asyncio.gather(asyncio.to_thread(count, session), asyncio.to_thread(count, session))


            async def count_sync_twice(session: Session):
                async def one():
                    return session.scalar(select(func.count(Article.id)))

                return await asyncio.gather(one(), one())
        """,
    })
    assert found == []


def test_tasks_started_then_gathered_are_reported_once_at_the_gather(tmp_path):
    found = _al237(tmp_path, {
        "requirements.txt": "sqlalchemy[asyncio]\naiosqlite\n",
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/jobs.py": """
            import asyncio

            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession

            from app.models import Article


            async def title(session: AsyncSession, article_id: int):
                return await session.scalar(select(Article.title).where(Article.id == article_id))


            async def titles(session: AsyncSession, ids: list[int]):
                tasks = [asyncio.create_task(title(session, i)) for i in ids]
                return await asyncio.gather(*tasks)


            async def titles_one_by_one(session: AsyncSession, ids: list[int]):
                found = []
                for i in ids:
                    found.append(await asyncio.create_task(title(session, i)))
                return found
        """,
    })
    assert found == [("app/jobs.py", 15)]
