"""Findings do not depend on the order the analyses of record run in (issue 11: a prerequisite for
analysing fewer roots).  ``program._root_order`` is the one place that order is chosen; reversing it
(module paths and each module's functions) must give the same findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archlint.application.pipeline import Options, run_check
from archlint.semantics import program

from helpers import findings, make_repo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# real-shaped Python apps whose findings run through helpers, services and repositories several calls deep
DEEP = ["agent-django-clean-arch-bugs", "agent-drf-generics-layered-bugs", "agent-aiohttp-views-uow-bugs",
        "agent-django-drf-conduit-bugs", "agent-django-repository-kwargs-bugs",
        # a nested function reads its definer's frame: analysed after it whatever the order (AL220 in `_move`)
        "agent-fastapi-closure-check-bugs"]


def _reversed(items):
    return list(reversed(list(items)))


@pytest.mark.parametrize("name", DEEP)
def test_reversing_the_root_order_keeps_every_fixture_finding(name, monkeypatch):
    expected = json.loads((FIXTURES / name / "expected.json").read_text())
    assert expected, "a fixture with findings: an empty one would prove nothing"
    monkeypatch.setattr(program, "_root_order", _reversed)
    report = run_check([str(FIXTURES / name)], Options(use_cache=False))
    assert [{"rule": f.rule, "path": f.path, "line": f.line, "column": f.column} for f in report.findings] == expected


_MODELS = '''
from sqlalchemy import ForeignKey, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, Session

class Base(DeclarativeBase):
    pass

class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str]

class Article(Base):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
'''

_CHAIN = '''
from sqlalchemy import select
from sqlalchemy.orm import Session
from app.models import Article, User

class Feed:
    def __init__(self, session: Session):
        self.session = session

    def feed(self):
        return [self.present(a) for a in self.session.scalars(select(Article)).all()]

    def present(self, article):
        return {"author": self.step1(article)}

    def step1(self, article):
        return self.step2(article)

    def step2(self, article):
        return self.step3(article)

    def step3(self, article):
        return self.step4(article)

    def step4(self, article):
        return self.step5(article)

    def step5(self, article):
        return self.author_of(article)

    def author_of(self, article):
        return %s
'''


@pytest.mark.parametrize("order", [lambda items: items, _reversed])
def test_a_query_seven_calls_below_the_loop_is_still_one_per_row(tmp_path, monkeypatch, order):
    # the call depth is no budget: the loop's summary follows present -> step1 … step5 -> author_of, and
    # every caller gets the same summary of each step whichever analysis of record asked for it first
    monkeypatch.setattr(program, "_root_order", order)
    root = make_repo(tmp_path / "query", {"app/models.py": _MODELS,
                                          "app/feed.py": _CHAIN % "self.session.get(User, article.author_id)"})
    assert [f for f in findings(root) if f[0] == "AL601"] == [("AL601", "app/feed.py", 10)]
    plain = make_repo(tmp_path / "plain", {"app/models.py": _MODELS, "app/feed.py": _CHAIN % "article.author_id"})
    assert [f for f in findings(plain) if f[0].startswith("AL6")] == []
