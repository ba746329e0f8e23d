"""A Litestar + advanced-alchemy app (the plugin owns the engine and the schema): no AL702 for
SQLAlchemy — advanced-alchemy requires it, so declaring it installs it — and no AL304 when its
config says ``create_all=True``."""

from __future__ import annotations

from helpers import findings, make_repo

_MODELS = """
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
"""

_MAIN = """
from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from litestar import Litestar, get
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Base, Post


@get("/posts")
async def list_posts(db_session: AsyncSession) -> list[str]:
    return [p.title for p in await db_session.scalars(select(Post).order_by(Post.id))]


config = SQLAlchemyAsyncConfig(connection_string="postgresql+asyncpg://u:p@db/blog", create_all={flag}, metadata=Base.metadata)
app = Litestar(route_handlers=[list_posts], plugins=[SQLAlchemyPlugin(config=config)])
"""


def _rules(tmp_path, flag: str) -> list[tuple[str, str]]:
    files = {"requirements.txt": "litestar\nadvanced-alchemy\nasyncpg\n", "app/__init__.py": "",
             "app/models.py": _MODELS, "app/main.py": _MAIN.replace("{flag}", flag)}
    return [(rule, path) for rule, path, _line in findings(make_repo(tmp_path, files)) if rule in ("AL702", "AL304")]


def test_the_plugin_config_creates_the_schema_and_brings_sqlalchemy(tmp_path):
    assert _rules(tmp_path, "True") == []


def test_create_all_off_still_leaves_the_schema_uncreated(tmp_path):
    assert _rules(tmp_path, "False") == [("AL304", "app/models.py")]
