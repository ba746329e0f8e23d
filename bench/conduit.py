"""A Conduit-sized, agent-style backend (FastAPI + SQLAlchemy, clean architecture), generated.

The benchmark's small-repo and scaling rows need the code shape an agent writes for the RealWorld
"Conduit" task (routes -> services -> repositories -> models, a db module with a session provider),
at about 50 files, and N independent copies of it.  Deterministic: the same files every time.
"""

from __future__ import annotations

from pathlib import Path

ENTITIES = ("user", "article", "comment", "tag", "profile", "favorite")


def _model(entity: str) -> str:
    title = entity.title()
    return f'''"""{title} table."""
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import relationship

from ..db import Base


class {title}(Base):
    __tablename__ = "{entity}s"

    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False, index=True)
    body = Column(Text, default="")
    owner_id = Column(Integer, ForeignKey("users.id"), nullable=True)
    created_at = Column(DateTime, server_default=func.now())

    owner = relationship("User", lazy="select")

    def __repr__(self) -> str:
        return f"<{title} {{self.id}} {{self.name}}>"
'''


def _schema(entity: str) -> str:
    title = entity.title()
    return f'''"""Request and response bodies for {entity}s."""
from datetime import datetime

from pydantic import BaseModel


class {title}In(BaseModel):
    name: str
    body: str = ""


class {title}Out(BaseModel):
    id: int
    name: str
    body: str
    created_at: datetime | None = None

    class Config:
        from_attributes = True
'''


def _repository(entity: str) -> str:
    title = entity.title()
    return f'''"""Data access for {entity}s: the only layer that talks to the session."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models.{entity} import {title}


class {title}Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, item_id: int) -> {title} | None:
        return self.session.get({title}, item_id)

    def list(self, limit: int = 20, offset: int = 0) -> list[{title}]:
        statement = select({title}).order_by({title}.created_at.desc()).limit(limit).offset(offset)
        return list(self.session.scalars(statement))

    def by_name(self, name: str) -> {title} | None:
        return self.session.scalars(select({title}).where({title}.name == name)).first()

    def add(self, name: str, body: str, owner_id: int | None = None) -> {title}:
        item = {title}(name=name, body=body, owner_id=owner_id)
        self.session.add(item)
        self.session.commit()
        self.session.refresh(item)
        return item

    def delete(self, item: {title}) -> None:
        self.session.delete(item)
        self.session.commit()
'''


def _service(entity: str) -> str:
    title = entity.title()
    return f'''"""Use cases for {entity}s."""
from ..core.exceptions import NotFound
from ..repositories.{entity}_repository import {title}Repository
from ..schemas.{entity} import {title}In


class {title}Service:
    def __init__(self, repository: {title}Repository) -> None:
        self.repository = repository

    def get(self, item_id: int):
        item = self.repository.get(item_id)
        if item is None:
            raise NotFound("{entity}", item_id)
        return item

    def list(self, limit: int = 20, offset: int = 0):
        return self.repository.list(limit=limit, offset=offset)

    def create(self, data: {title}In, owner_id: int | None = None):
        return self.repository.add(data.name, data.body, owner_id)

    def remove(self, item_id: int) -> None:
        self.repository.delete(self.get(item_id))
'''


def _route(entity: str, leak: bool) -> str:
    title = entity.title()
    leaked = (
        f'''

@router.get("/stats/{entity}s")  # not under /{entity}s/{{item_id}}: it would be shadowed (AL808)
def count_{entity}s(db: Session = Depends(get_db)):
    return {{"count": db.execute(text("SELECT COUNT(*) FROM {entity}s")).scalar()}}
'''
        if leak
        else ""
    )
    return f'''"""HTTP endpoints for {entity}s."""
from fastapi import APIRouter, Depends
from sqlalchemy import text
from sqlalchemy.orm import Session

from ..db import get_db
from ..repositories.{entity}_repository import {title}Repository
from ..schemas.{entity} import {title}In, {title}Out
from ..services.{entity}_service import {title}Service

router = APIRouter()


def get_service(db: Session = Depends(get_db)) -> {title}Service:
    return {title}Service({title}Repository(db))


@router.get("/{entity}s", response_model=list[{title}Out])
def list_{entity}s(limit: int = 20, offset: int = 0, service: {title}Service = Depends(get_service)):
    return service.list(limit=limit, offset=offset)


@router.get("/{entity}s/{{item_id}}", response_model={title}Out)
def get_{entity}(item_id: int, service: {title}Service = Depends(get_service)):
    return service.get(item_id)


@router.post("/{entity}s", response_model={title}Out, status_code=201)
def create_{entity}(data: {title}In, service: {title}Service = Depends(get_service)):
    return service.create(data)


@router.delete("/{entity}s/{{item_id}}", status_code=204)
def delete_{entity}(item_id: int, service: {title}Service = Depends(get_service)):
    service.remove(item_id)
{leaked}'''


_DB = '''"""Engine, session factory and the request-scoped session provider."""
from sqlalchemy import create_engine
from sqlalchemy.orm import declarative_base, sessionmaker

from .core.config import settings

engine = create_engine(settings.database_url, connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine, autoflush=False, autocommit=False)
Base = declarative_base()


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
'''

_MAIN = '''"""Application entry point."""
from fastapi import FastAPI

from .db import Base, engine
from .routes import {imports}

app = FastAPI(title="Conduit")
Base.metadata.create_all(bind=engine)
{includes}
'''

_CORE = {
    "config": '''"""Settings from the environment."""
import os


class Settings:
    database_url: str = os.environ.get("DATABASE_URL", "sqlite:///./conduit.db")
    secret_key: str = os.environ.get("SECRET_KEY", "change-me")
    token_minutes: int = int(os.environ.get("TOKEN_MINUTES", "60"))


settings = Settings()
''',
    "security": '''"""Password hashing and tokens."""
import hashlib
import hmac

from .config import settings


def hash_password(password: str) -> str:
    return hashlib.sha256((settings.secret_key + password).encode()).hexdigest()


def verify_password(password: str, hashed: str) -> bool:
    return hmac.compare_digest(hash_password(password), hashed)
''',
    "exceptions": '''"""Domain errors the routes turn into HTTP responses."""


class NotFound(Exception):
    def __init__(self, what: str, key) -> None:
        super().__init__(f"{what} {key} not found")
        self.what, self.key = what, key
''',
    "pagination": '''"""Limit/offset helpers."""


def clamp(limit: int, maximum: int = 100) -> int:
    return max(1, min(limit, maximum))
''',
    "slugs": '''"""Slugs for article titles."""
import re

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(title: str) -> str:
    return _NON_WORD.sub("-", title.lower()).strip("-")
''',
}

_TEST = '''"""Smoke test for {entity}s."""
from fastapi.testclient import TestClient

from ..main import app

client = TestClient(app)


def test_list_{entity}s():
    assert client.get("/{entity}s").status_code == 200
'''


def write_conduit(root: Path, package: str = "conduit") -> int:
    """Write one Conduit app as package ``package`` under ``root``; returns its .py file count."""
    base = root / package
    files: dict[str, str] = {"__init__.py": '"""Conduit API."""\n', "db.py": _DB}
    for layer in ("models", "schemas", "repositories", "services", "routes", "core", "tests"):
        files[f"{layer}/__init__.py"] = ""
    for name, text in _CORE.items():
        files[f"core/{name}.py"] = text
    for index, entity in enumerate(ENTITIES):
        files[f"models/{entity}.py"] = _model(entity)
        files[f"schemas/{entity}.py"] = _schema(entity)
        files[f"repositories/{entity}_repository.py"] = _repository(entity)
        files[f"services/{entity}_service.py"] = _service(entity)
        files[f"routes/{entity}s.py"] = _route(entity, leak=index == 1)
        files[f"tests/test_{entity}s.py"] = _TEST.format(entity=entity)
    imports = ", ".join(f"{entity}s" for entity in ENTITIES)
    includes = "\n".join(f"app.include_router({entity}s.router)" for entity in ENTITIES)
    files["main.py"] = _MAIN.format(imports=imports, includes=includes)
    for relative, text in files.items():
        path = base / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return sum(1 for name in files if name.endswith(".py"))


def write_copies(root: Path, copies: int) -> int:
    """``copies`` independent Conduit apps (``conduit_1`` … ``conduit_N``); returns the file count."""
    return sum(write_conduit(root, f"conduit_{index}") for index in range(1, copies + 1))


LAYERS = ["routes", "services", "repositories", "models"]  # high -> low; schemas and core unlayered
