"""A statement filter that found its row (``if not deployment_id: return None`` after ``select(Deployment.id)
.where(…)``) keys a later statement with the same filter — the row is there (prefect's upsert-then-reread,
``calls.statement_filter``).  A write of *another* model's table between the two leaves that row where it
was; a write of the same model may move it only if it deletes rows or sets a column the filter compares.
``Frame.forget_found_filters`` asks the filter's record (``values.FoundFilter``: the columns, models and values
it reads): a protocol of text keys once lost the names a filter reads and forgot every found filter at any
write, and later forgot it at any write of its model — prefect's ``create_deployment`` re-reads its deployment
by (flow_id, name) after a helper set the row's concurrency limit and ``session.add``-ed it (a false AL220).
Rows only added — ``add_all`` of built instances, then ``flush()`` — move no found row either."""

from __future__ import annotations

import pytest

from archlint.application.pipeline import Options, run_check

MODELS = '''
from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Flow(Base):
    __tablename__ = "flow"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class WorkPool(Base):
    __tablename__ = "work_pool"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class Deployment(Base):
    __tablename__ = "deployment"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    flow_id: Mapped[int] = mapped_column(ForeignKey("flow.id"))
    work_pool_id: Mapped[int | None] = mapped_column(ForeignKey("work_pool.id"))
    concurrency: Mapped[int] = mapped_column(default=0)
    flow: Mapped[Flow] = relationship()
    work_pool: Mapped[WorkPool | None] = relationship()


class FlowRun(Base):
    __tablename__ = "flow_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int]
'''

REPOSITORY = '''
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert

from app.models import Deployment, Flow, FlowRun, WorkPool


async def limit_deployment(session, deployment_id: int, limit: int):
    deployment = await session.get(Deployment, deployment_id)
    assert deployment is not None
    deployment.CHANGED = limit
    session.add(deployment)


async def change_deployment(session, deployment_id: int, changes: dict):
    deployment = await session.get(Deployment, deployment_id)
    assert deployment is not None
    for key, value in changes.items():
        setattr(deployment, key, value)
    session.add(deployment)


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


# a helper that loads the row by its id, sets one column and adds it (prefect's concurrency limit): an update
# of that column only — the (flow_id, name) filter still matches unless the column is one of those
LIMIT = "await limit_deployment(session, deployment_id, 3)"
# the same, inline: `row.column = …` is a change the unit of work flushes (a `dirty` effect)
INLINE = "row = await session.get(Deployment, deployment_id)\n    assert row is not None\n    row.CHANGED = 7\n    session.add(row)"
# no add: the flush sends the change all the same (`flush` keeps found rows; the change itself does not)
FLUSHED = INLINE.replace("session.add(row)", "await session.flush()")
# an UPDATE statement naming the columns it sets (`values(**changes)` names none: any may change)
UPDATE = "await session.execute(update(Deployment).where(Deployment.id == deployment_id).values(CHANGED=3))"
# a relation assigned: its foreign key changes (work_pool_id, not compared; flow_id, compared)
RELATION = INLINE.replace("row.CHANGED = 7", "row.work_pool = WorkPool(name='pool')")
# setattr: which column is not known, so any may have changed
SETATTR = "await change_deployment(session, deployment_id, {'concurrency': 3})"


@pytest.mark.parametrize("between, fires", [(DELETE.format("FlowRun"), False), (DELETE.format("Deployment"), True),
                                            (INSERT, False),
                                            (LIMIT, False), (LIMIT.replace("3", "'renamed'"), False),
                                            (INLINE, False), (FLUSHED, False), (UPDATE, False), (SETATTR, True),
                                            (RELATION, False), (RELATION.replace("row.work_pool = WorkPool(name='pool')", "row.flow = Flow(name='other')"), True),
                                            (UPDATE.replace("CHANGED=3", "**{'concurrency': 3}"), True),
                                            # a value the filter compares with assigned again: another filter
                                            ("name = name.strip()", True), ("flow_ids = [flow_id]", False)])
def test_a_write_of_another_table_keeps_the_row_a_filter_found(tmp_path, between, fires):
    _check(tmp_path, between, "concurrency", fires)


@pytest.mark.parametrize("between", [LIMIT.replace("3", "'renamed'"), INLINE, FLUSHED, UPDATE])
def test_a_write_of_a_column_the_filter_compares_forgets_it(tmp_path, between):
    """The look-alike of the column-precise cases above: the helper (or the function itself) sets a column the
    filter compares — `name`, `flow_id` — so the re-read by (flow_id, name) may find nothing."""
    _check(tmp_path, between, "name" if "renamed" in between else "flow_id", True)


SPEC_REPOSITORY = '''
from dataclasses import dataclass

from sqlalchemy import select

from app.models import Deployment


@dataclass
class DeploymentSpec:
    flow_id: int
    name: str
    updated: str = ""


async def upsert_deployment(session, flow_id: int, name: str):
    spec = DeploymentSpec(flow_id=flow_id, name=name)
    result = await session.execute(select(Deployment.id).where(Deployment.flow_id == spec.flow_id, Deployment.name == spec.name))
    deployment_id = result.scalar_one_or_none()
    if not deployment_id:
        return None
    spec.CHANGED = "now"
    refreshed = await session.execute(select(Deployment).where(Deployment.flow_id == spec.flow_id, Deployment.name == spec.name))
    return refreshed.scalar()
'''


@pytest.mark.parametrize("changed, fires", [("updated", False), ("name", True)])
def test_an_attribute_the_filter_compares_with_assigned_again(tmp_path, changed, fires):
    """`spec.updated = …` leaves `spec.flow_id` and `spec.name`, what the filter compares with, as they were;
    `spec.name = …` makes the re-read another filter."""
    _check(tmp_path, "", changed, fires, SPEC_REPOSITORY)


# the values in a dict: an entry assigned again changes what the filter compares with (which entry is not told
# apart), an entry of another dict does not
DICT_REPOSITORY = (SPEC_REPOSITORY.replace("spec = DeploymentSpec(flow_id=flow_id, name=name)",
                                           "spec = {'flow_id': flow_id, 'name': name}\n    other = {}")
                   .replace("spec.flow_id", "spec['flow_id']").replace("spec.name", "spec['name']")
                   .replace("spec.CHANGED", "CHANGED['name']"))


@pytest.mark.parametrize("changed, fires", [("other", False), ("spec", True)])
def test_an_entry_of_a_dict_the_filter_reads_assigned_again(tmp_path, changed, fires):
    _check(tmp_path, "", changed, fires, DICT_REPOSITORY)


def _check(tmp_path, between: str, changed: str, fires: bool, source: str = REPOSITORY) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    repository = source.replace("BETWEEN", between).replace("CHANGED", changed)
    for name, text in (("models", MODELS), ("repository", repository), ("api", API), ("db", DB)):
        (app / f"{name}.py").write_text(text)
    report = run_check([str(tmp_path)], Options(use_cache=False))
    found = [(f.path, f.line) for f in report.findings if f.rule == "AL220"]
    assert found == ([("app/api.py", 20)] if fires else [])


def test_a_found_filter_record_says_which_writes_move_its_row():
    """``FoundFilter.moved_by``: a write of another model keeps the row; of its model, only a delete, an update of
    columns not known, or one setting a column it compares moves it.  A ``filter_by`` column belongs to whichever
    model the statement selects, and a relationship's ``has()`` reads its model whole."""
    from archlint.semantics.values import found_filter

    by_name = found_filter("app/r.py:1", (), frozenset({("Deployment", "name")}), frozenset(), frozenset())
    assert by_name.moved_by("Deployment", None) and by_name.moved_by("Deployment", frozenset({"name"}))
    assert not by_name.moved_by("Deployment", frozenset({"concurrency"})) and not by_name.moved_by("FlowRun", None)
    assert by_name.moved_by("", frozenset({"concurrency"}))  # a write of a table not known
    keyword = found_filter("app/r.py:1", (), frozenset({("", "name")}), frozenset(), frozenset())
    assert keyword.moved_by("FlowRun", frozenset({"name"})) and keyword.moved_by("FlowRun", None)
    assert not keyword.moved_by("FlowRun", frozenset({"state"}))
    related = found_filter("app/r.py:1", (), frozenset(), frozenset({"Deployment"}), frozenset())
    assert related.moved_by("Deployment", frozenset({"concurrency"})) and not related.moved_by("FlowRun", None)
    assert found_filter("app/r.py:1", (), frozenset(), frozenset(), frozenset()).moved_by("FlowRun", frozenset({"x"}))


# A lookup's key (calls.key_filter): the model and each (field, value) of its `where`.  After an inline
# `if (!found) throw`, a re-read of the same model by the same key finds its row (Strapi admin's deleteById:
# findOne({ where: { id } }), `if (!userToDelete) return null`, then delete({ where: { id } })); each look-alike
# below keeps the re-read unchecked.
_KEY_MODELS = """
    const { Sequelize, DataTypes } = require('sequelize');
    const sequelize = new Sequelize('sqlite::memory:');
    const Article = sequelize.define('Article', { title: DataTypes.STRING, authorId: DataTypes.INTEGER });
    const User = sequelize.define('User', { username: DataTypes.STRING });
    sequelize.sync();
    module.exports = { Article, User };
"""
_KEY_SERVICE = """
    const {{ Article, User }} = require('./models');

    async function title(id, authorId, strict) {{
      {check}
      const article = await Article.findOne({{ where: {reread} }});
      return article.title;
    }}

    module.exports = {{ title }};
"""
_FOUND = "const found = await {model}.findOne({{ where: {{ id }} }});\n      if (!found) throw new Error('missing');"


@pytest.mark.parametrize("check, reread, fires", [
    (_FOUND.format(model="Article"), "{ id }", False),  # the same model and key: found
    (_FOUND.format(model="User"), "{ id }", True),  # another model's row was found by that id
    (_FOUND.format(model="Article") + "\n      id = id + 1;", "{ id }", True),  # the key rebound
    (_FOUND.format(model="Article"), "{ id, authorId }", True),  # the re-read filters more
    (_FOUND.format(model="Article").replace("if (!found)", "if (strict && !found)"), "{ id }", True),  # checked on one path
    (_FOUND.format(model="Article") + "\n      await Article.destroy({ where: { authorId } });", "{ id }", True),  # a write between
])
def test_a_reread_by_the_key_a_check_found(tmp_path, check, reread, fires):
    from helpers import findings, make_repo

    root = make_repo(tmp_path, {"package.json": '{"dependencies": {"sequelize": "^6.37.0"}}', "src/models.js": _KEY_MODELS,
                                "src/service.js": _KEY_SERVICE.format(check=check, reread=reread)})
    got = [f for f in findings(root) if f[0] == "AL220"]
    assert got == ([("AL220", "src/service.js", 6 + check.count("\n"))] if fires else [])


_HELPER_SERVICE = """
    const {{ Article }} = require('./models');

    async function assertExists(id) {{
      {rebind}
      const found = await Article.findOne({{ where: {{ id }} }});
      if (!found) throw new Error('missing');
    }}

    async function title(id) {{
      await assertExists(id);
      const article = await Article.findOne({{ where: {{ id }} }});
      return article.title;
    }}

    module.exports = {{ title }};
"""


# the helper's found key reaches the caller (Summary.found_keys) only for a parameter that still holds what the
# caller passed: `id = Number(id) + 1` in the helper found another row
@pytest.mark.parametrize("rebind, fires", [("", False), ("id = Number(id) + 1;", True)])
def test_a_helper_that_throws_unless_found_hands_its_key_to_the_caller(tmp_path, rebind, fires):
    from helpers import findings, make_repo

    root = make_repo(tmp_path, {"package.json": '{"dependencies": {"sequelize": "^6.37.0"}}', "src/models.js": _KEY_MODELS,
                                "src/service.js": _HELPER_SERVICE.format(rebind=rebind)})
    got = [f for f in findings(root) if f[0] == "AL220"]
    assert got == ([("AL220", "src/service.js", 12)] if fires else [])
