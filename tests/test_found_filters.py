"""A statement filter that found its row (``if not deployment_id: return None`` after ``select(Deployment.id)
.where(…)``) keys a later statement with the same filter — the row is there (prefect's upsert-then-reread,
``calls.statement_filter``).  A write of *another* model's table between the two leaves that row where it
was; a write of the same model may move it.  ``Frame.forget_found_filters`` tells the two apart by the names
the filter reads, which the filter's key carries after its ``|``: a key without them forgot every found
filter at any write (a false AL220 on prefect's ``create_deployment``).  Rows only added — ``add_all`` of
built instances, then ``flush()`` — move no found row either."""

from __future__ import annotations

import pytest

from archlint.application.pipeline import Options, run_check

MODELS = '''
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Deployment(Base):
    __tablename__ = "deployment"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    flow_id: Mapped[int]


class FlowRun(Base):
    __tablename__ = "flow_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int]
'''

REPOSITORY = '''
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from app.models import Deployment, FlowRun


async def upsert_deployment(session, flow_id: int, name: str):
    await session.execute(insert(Deployment).values(flow_id=flow_id, name=name).on_conflict_do_nothing())
    result = await session.execute(select(Deployment.id).where(Deployment.flow_id == flow_id, Deployment.name == name))
    deployment_id = result.scalar_one_or_none()
    if not deployment_id:
        return None
    BETWEEN
    refreshed = await session.execute(select(Deployment).where(Deployment.flow_id == flow_id, Deployment.name == name))
    return refreshed.scalar()
'''

API = '''
from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_session
from app.repository import upsert_deployment

router = APIRouter()


class DeploymentIn(BaseModel):
    flow_id: int
    name: str


@router.post("/deployments")
async def create_deployment(body: DeploymentIn, session: AsyncSession = Depends(get_session)):
    model = await upsert_deployment(session, body.flow_id, body.name)
    return {"id": model.id, "name": model.name}
'''

DB = '''
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine("postgresql+asyncpg://localhost/app")
SessionLocal = async_sessionmaker(engine)


async def get_session():
    async with SessionLocal() as session:
        yield session
'''


DELETE = "await session.execute(delete({0}).where({0}.id != deployment_id))"
# rows only added (and sent by a flush) move no row: `keeps_found_rows` of rules/knowledge/orms.toml
INSERT = "session.add_all([FlowRun(deployment_id=deployment_id), FlowRun(deployment_id=deployment_id)])\n    await session.flush()"


@pytest.mark.parametrize("between, fires", [(DELETE.format("FlowRun"), False), (DELETE.format("Deployment"), True),
                                            (INSERT, False)])
def test_a_write_of_another_table_keeps_the_row_a_filter_found(tmp_path, between, fires):
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    for name, text in (("models", MODELS), ("repository", REPOSITORY.replace("BETWEEN", between)), ("api", API), ("db", DB)):
        (app / f"{name}.py").write_text(text)
    report = run_check([str(tmp_path)], Options(use_cache=False))
    found = [(f.path, f.line) for f in report.findings if f.rule == "AL220"]
    assert found == ([("app/api.py", 20)] if fires else [])
