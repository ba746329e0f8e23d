"""AL235 (a relation read that lazy="raise" / raiseload() forbids) and AL236 (a read after an expiring
AsyncSession commit) on the shapes agents write: loader options, refresh(attribute_names), new objects."""

from __future__ import annotations

from helpers import findings, make_repo

MODELS = '''
from sqlalchemy import ForeignKey, String
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

engine = create_async_engine("postgresql+asyncpg://app@db/app")
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))


class Comment(Base):
    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author: Mapped[User] = relationship()


class Article(Base):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author: Mapped[User] = relationship(lazy="raise")
    tags: Mapped[list[User]] = relationship(lazy="selectin", secondary="article_tags")
    comments: Mapped[list[Comment]] = relationship(lazy="raise_on_sql")
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    editor: Mapped[User] = relationship(lazy="raise_on_sql", foreign_keys=[editor_id])
'''


def _al23x(tmp_path, code: str) -> list[tuple[str, int]]:
    root = make_repo(tmp_path, {"app/models.py": MODELS, "app/service.py": code})
    return [(rule, line) for rule, path, line in findings(root) if rule in ("AL235", "AL236", "AL209") and path == "app/service.py"]


def test_loader_options_decide_what_raises(tmp_path):
    got = _al23x(tmp_path, '''
        from sqlalchemy import select
        from sqlalchemy.orm import raiseload, selectinload
        from app.models import Article, SessionLocal

        async def loaded():
            async with SessionLocal() as session:
                rows = (await session.scalars(select(Article).options(selectinload(Article.author)))).all()
                return [a.author.username for a in rows]

        async def wildcard():
            async with SessionLocal() as session:
                rows = (await session.scalars(select(Article).options(selectinload(Article.author), raiseload("*")))).all()
                return [(a.author.username, len(a.tags)) for a in rows]

        async def sql_only():
            async with SessionLocal() as session:
                rows = (await session.scalars(select(Article).options(selectinload(Article.author), raiseload("*", sql_only=True)))).all()
                return [(a.editor_id, len(a.comments), a.editor) for a in rows]

        async def plain():
            async with SessionLocal() as session:
                article = await session.get(Article, 1)
                return article.author.username if article else None
    ''')
    # wildcard: `tags` (lazy="selectin" on the mapping) is overridden by raiseload("*"); sql_only: only the
    # collection raises (a many-to-one may come from the identity map); plain: the mapping's lazy="raise"
    assert got == [("AL235", 13), ("AL235", 18), ("AL235", 23)]


def test_refresh_with_attribute_names_loads_and_new_objects_do_not_raise(tmp_path):
    got = _al23x(tmp_path, '''
        from app.models import Article, SessionLocal

        async def named():
            async with SessionLocal() as session:
                article = Article(author_id=1, editor_id=1)
                session.add(article)
                await session.commit()
                await session.refresh(article, ["author"])
                return article.author.username

        async def pending():
            async with SessionLocal() as session:
                article = Article(author_id=1, editor_id=1)
                session.add(article)
                return article.author

        async def refreshed():
            async with SessionLocal() as session:
                article = Article(author_id=1, editor_id=1)
                session.add(article)
                await session.commit()
                await session.refresh(article)
                return article.author
    ''')
    assert got == [("AL235", 23)]


def test_expiring_sessions_only(tmp_path):
    root = make_repo(tmp_path, {"app/models.py": MODELS.replace(", expire_on_commit=False", ""), "app/service.py": '''
        from app.models import Article, SessionLocal, engine
        from sqlalchemy.ext.asyncio import AsyncSession

        async def expired():
            async with SessionLocal() as session:
                article = Article(author_id=1, editor_id=1)
                session.add(article)
                await session.commit()
                return {"id": article.id}

        async def overridden():
            async with SessionLocal(expire_on_commit=False) as session:
                article = Article(author_id=1, editor_id=1)
                session.add(article)
                await session.commit()
                return {"id": article.id}

        async def direct():
            async with AsyncSession(engine) as session:
                article = Article(author_id=1, editor_id=1)
                session.add(article)
                await session.commit()
                return {"id": article.id}
    '''})
    got = [(rule, line) for rule, path, line in findings(root) if rule == "AL236"]
    assert got == [("AL236", 9), ("AL236", 23)]


def test_sync_sessions_only_after_the_with_block_closed(tmp_path):
    root = make_repo(tmp_path, {"app/models.py": '''
        from sqlalchemy import String, create_engine
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

        engine = create_engine("sqlite:///app.db")
        SessionLocal = sessionmaker(bind=engine)
        KeepLocal = sessionmaker(bind=engine, expire_on_commit=False)


        class Base(DeclarativeBase):
            pass


        class User(Base):
            __tablename__ = "users"
            id: Mapped[int] = mapped_column(primary_key=True)
            username: Mapped[str] = mapped_column(String(64))
    ''', "app/service.py": '''
        from app.models import KeepLocal, SessionLocal, User

        def closed(name):
            with SessionLocal() as session:
                user = User(username=name)
                session.add(user)
                session.commit()
            return {"id": user.id}

        def still_open(name):
            with SessionLocal() as session:
                user = User(username=name)
                session.add(user)
                session.commit()
                return {"id": user.id}

        def refreshed(name):
            with SessionLocal() as session:
                user = User(username=name)
                session.add(user)
                session.commit()
                session.refresh(user)
            return {"id": user.id}

        def kept(name):
            with KeepLocal() as session:
                user = User(username=name)
                session.add(user)
                session.commit()
            return {"id": user.id}
    '''})
    assert [(rule, line) for rule, path, line in findings(root) if rule == "AL236"] == [("AL236", 8)]


def test_begin_blocks_commit_on_exit(tmp_path):
    root = make_repo(tmp_path, {"app/models.py": MODELS.replace(", expire_on_commit=False", "") + '''

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

SyncLocal = sessionmaker(bind=create_engine("sqlite:///app.db"))
''', "app/service.py": '''
        from app.models import Article, SessionLocal, SyncLocal

        def sync_closed():
            with SyncLocal.begin() as session:
                article = Article(author_id=1, editor_id=1)
                session.add(article)
            return {"id": article.id}

        def sync_open():
            with SyncLocal() as session:
                with session.begin():
                    article = Article(author_id=1, editor_id=1)
                    session.add(article)
                return {"id": article.id}

        async def async_begin():
            async with SessionLocal() as session:
                async with session.begin():
                    article = Article(author_id=1, editor_id=1)
                    session.add(article)
                return {"id": article.id}
    '''})
    assert [(rule, line) for rule, path, line in findings(root) if rule == "AL236"] == [("AL236", 7), ("AL236", 21)]


def test_rows_of_another_session_are_not_expired_by_this_commit(tmp_path):
    root = make_repo(tmp_path, {"app/models.py": MODELS.replace(", expire_on_commit=False", ""), "app/service.py": '''
        from app.models import Article, SessionLocal, User

        async def current_user(user_id):
            async with SessionLocal() as session:
                return await session.get(User, user_id)

        async def create(title):
            user = await current_user(1)
            if user is None:
                return None
            async with SessionLocal() as session:
                article = Article(author_id=user.id, editor_id=user.id)
                session.add(article)
                await session.commit()
                return {"author": user.username}

        async def create_same_session(title):
            async with SessionLocal() as session:
                user = await session.get(User, 1)
                if user is None:
                    return None
                session.add(Article(author_id=user.id, editor_id=user.id))
                await session.commit()
                return {"author": user.username}
    '''})
    assert [(rule, line) for rule, path, line in findings(root) if rule == "AL236"] == [("AL236", 24)]
