"""AL220 on a SQLAlchemy repository helper that answers ``None`` for a missing row (``values.STRICT_MISSED_TAG``):
the caller's read is judged straight after the call, on the same branch, before the value goes to a function;
the lookup's own function keeps judging its None on every path."""

from __future__ import annotations

from tests.helpers import findings, make_repo

MODELS = """
    from sqlalchemy import String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        username: Mapped[str] = mapped_column(String(100), unique=True)
"""

DB = """
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from app.models import Base

    engine = create_async_engine("postgresql+asyncpg://localhost/app")
    SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


    async def get_session():
        async with SessionLocal() as session:
            yield session


    async def init_models():
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
"""

REPO = """
    from sqlalchemy import select

    from app.models import User


    async def by_name(s, name: str):
        row = (await s.execute(select(User).where(User.username == name))).scalar_one_or_none()
        if row is None:
            return None
        return {"id": row.id, "username": row.username}
"""

ROUTE = """
    from fastapi import Depends, FastAPI, HTTPException
    from sqlalchemy import select

    from app import repo
    from app.db import get_session, init_models
    from app.models import User

    app = FastAPI(on_startup=[init_models])


    def require(user):
        if not user:
            raise HTTPException(404)


    @app.get("/users/{name}")
    async def read(name: str, s=Depends(get_session)):
        user = await repo.by_name(s, name)
        {READ}


    @app.get("/own/{name}")
    async def own(name: str, s=Depends(get_session)):
        user = (await s.execute(select(User).where(User.username == name))).scalar_one_or_none()
        if user is None:
            raise HTTPException(404, detail=f"no user {user.username}")
        return {"id": user.id}
"""


def _run(tmp_path, read: str):
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy\nasyncpg\n",
        "app/__init__.py": "", "app/models.py": MODELS, "app/db.py": DB, "app/repo.py": REPO,
        "app/main.py": ROUTE.replace("{READ}", read),
    })
    return [f for f in findings(root) if f[0] == "AL220"]


def test_the_helpers_none_read_straight_after_the_call_is_reported(tmp_path):
    assert _run(tmp_path, 'return {"id": user["id"]}') == [("AL220", "app/main.py", 19), ("AL220", "app/main.py", 26)]


def test_a_helper_given_the_answer_first_may_check_it(tmp_path):
    # (the route below moves one line down)
    assert _run(tmp_path, 'require(user)\n        return {"id": user["id"]}') == [("AL220", "app/main.py", 27)]
