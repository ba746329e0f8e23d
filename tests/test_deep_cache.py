"""The deep findings cache: a warm run reuses the data-layer/semantic/SQL findings only when nothing
they read changed, and gives byte-identical output to a run without the cache — cold, warm, after
an edit to a file they read and after an edit to one they did not."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import NamedTuple

import pytest
from helpers import make_repo

from archlint.application import pipeline
from archlint.application.pipeline import Options, run_check

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

MODELS = '''
    from sqlalchemy import ForeignKey
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

    class Base(DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        username: Mapped[str]
        articles: Mapped[list["Article"]] = relationship(back_populates="author")

    class Article(Base):
        __tablename__ = "articles"
        id: Mapped[int] = mapped_column(primary_key=True)
        author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
        author: Mapped["User"] = relationship(back_populates="articles")

    class Comment(Base):
        __tablename__ = "comments"
        id: Mapped[int] = mapped_column(primary_key=True)
        article_id = mapped_column(ForeignKey("articles.id"))
'''

DB = '''
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    engine = create_engine("sqlite:///app.db")
    SessionLocal = sessionmaker(bind=engine)

    def get_db():
        db = SessionLocal()
        try:
            yield db
        finally:
            db.close()
'''

VIEWS = '''
    from fastapi import APIRouter, Depends
    from sqlalchemy import select
    from sqlalchemy.orm import Session
    from app.db import get_db
    from app.helpers import describe
    from app.models import Article

    router = APIRouter()

    @router.get("/articles")
    def articles(db: Session = Depends(get_db)):
        rows = db.scalars(select(Article)).all()
        return [describe(db, row) for row in rows]

    @router.get("/authors")
    def authors(db: Session = Depends(get_db)):
        rows = db.scalars(select(Article)).all()
        return [row.author.username for row in rows]
'''

HELPER_WITHOUT_QUERY = '''
    def describe(db, article):
        return {"id": article.id}
'''

HELPER_WITH_QUERY = '''
    from sqlalchemy import select
    from app.models import Comment

    def describe(db, article):
        comments = db.scalars(select(Comment).where(Comment.article_id == article.id)).all()
        return {"id": article.id, "comments": len(comments)}
'''

UTILITY = '''
    def slugify(text):
        return text.lower().replace(" ", "-")
'''


def _tree(root: Path) -> Path:
    return make_repo(root, {
        "requirements.txt": "fastapi\nsqlalchemy\n",
        "app/models.py": MODELS,
        "app/db.py": DB,
        "app/views.py": VIEWS,
        "app/helpers.py": HELPER_WITHOUT_QUERY,
        "app/text.py": UTILITY,
    })


def _write(root: Path, relative: str, text: str) -> None:
    (root / relative).write_text(textwrap.dedent(text).lstrip("\n"))


def _json(root: Path, cache: Path | None) -> dict:
    options = Options(cache_dir=str(cache), jobs=1) if cache is not None else Options(use_cache=False, jobs=1)
    data = run_check([str(root)], options).to_dict()
    data["stats"].pop("seconds")
    return data


def _rules(data: dict) -> list[tuple[str, str, int]]:
    return [(f["rule"], f["path"], f["line"]) for f in data["findings"] if f["rule"].startswith("AL6")]


class _Planned:
    """Counts the runs that planned the deep pass (a reused result plans nothing)."""

    def __init__(self, monkeypatch) -> None:
        self.calls = 0
        original = pipeline.plan_deep

        def counted(*args, **kwargs):
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(pipeline, "plan_deep", counted)


def test_a_query_added_to_a_helper_in_another_module_shows_the_n_plus_one_on_a_warm_run(tmp_path, monkeypatch):
    root, cache = _tree(tmp_path / "repo"), tmp_path / "cache"
    planned = _Planned(monkeypatch)
    before = _json(root, cache)
    assert ("AL601", "app/views.py", 13) not in _rules(before)
    assert _json(root, cache) == before and planned.calls == 1  # warm and unchanged: reused
    _write(root, "app/helpers.py", HELPER_WITH_QUERY)  # the caller's module is untouched
    after = _json(root, cache)
    assert planned.calls == 2
    assert ("AL601", "app/views.py", 13) in _rules(after)
    assert after == _json(root, None)


def test_editing_a_models_relationship_invalidates_the_findings_that_depend_on_it(tmp_path):
    root, cache = _tree(tmp_path / "repo"), tmp_path / "cache"
    assert ("AL603", "app/views.py", 18) in _rules(_json(root, cache))
    _write(root, "app/models.py", MODELS.replace(
        'author: Mapped["User"] = relationship(back_populates="articles")',
        'author: Mapped["User"] = relationship(back_populates="articles", lazy="selectin")'))
    after = _json(root, cache)
    assert ("AL603", "app/views.py", 18) not in _rules(after)
    assert after == _json(root, None)


def test_editing_a_file_the_deep_pass_never_read_reuses_its_findings(tmp_path, monkeypatch):
    root, cache = _tree(tmp_path / "repo"), tmp_path / "cache"
    _write(root, "app/helpers.py", HELPER_WITH_QUERY)
    planned = _Planned(monkeypatch)
    before = _json(root, cache)
    _write(root, "app/text.py", textwrap.dedent(UTILITY) + "\ndef title(text):\n    return text.title()\n")
    after = _json(root, cache)
    assert planned.calls == 1
    assert after == before
    assert after == _json(root, None)
    _write(root, "app/text.py", "from app.db import SessionLocal\n" + textwrap.dedent(UTILITY))  # its imports: a new head
    changed = _json(root, cache)
    assert planned.calls == 3  # the run without a cache planned once
    assert changed == _json(root, None)


def test_a_changed_config_is_not_served_the_last_runs_findings(tmp_path):
    root, cache = _tree(tmp_path / "repo"), tmp_path / "cache"
    _json(root, cache)
    (root / "pyproject.toml").write_text('[tool.archlint]\nignore = ["AL603"]\n')
    assert not any(rule == "AL603" for rule, _path, _line in _rules(_json(root, cache)))


FIXTURE_EDITS = {  # fixture: (a file the deep pass reads, a file it does not read or None)
    "orm-django-bugs": None,
    "builders-sqlalchemy-bugs": None,
    "agent-fastapi-service-bugs": None,
    "context-express-bugs": None,
    "precision-python-bugs": None,
    "django-violations": None,
}


@pytest.mark.parametrize("name", sorted(FIXTURE_EDITS))
def test_cold_warm_and_one_edit_outputs_are_identical_on_fixtures(name, tmp_path):
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    cache = tmp_path / "cache"
    cold = _json(root, None)
    assert _json(root, cache) == cold  # priming
    assert _json(root, cache) == cold  # warm
    sources = sorted(p for p in root.rglob("*") if p.suffix in (".py", ".js", ".ts") and p.is_file())
    assert sources
    for path in sources[:: max(1, len(sources) // 4)]:  # a few files, deep or not
        original = path.read_bytes()
        comment = b"\n# edited\n" if path.suffix == ".py" else b"\n// edited\n"
        path.write_bytes(original + comment)
        assert _json(root, cache) == _json(root, None), path
        path.write_bytes(original)
        assert _json(root, cache) == cold, path


def test_a_reworded_comment_in_a_model_changes_no_facts_and_reuses_the_findings(tmp_path, monkeypatch):
    root, cache = _tree(tmp_path / "repo"), tmp_path / "cache"
    _write(root, "app/models.py", MODELS.replace("class Base(DeclarativeBase):", "class Base(DeclarativeBase):  # the base"))
    planned = _Planned(monkeypatch)
    before = _json(root, cache)
    _write(root, "app/models.py", MODELS.replace("class Base(DeclarativeBase):", "class Base(DeclarativeBase):  # every model's base"))
    after = _json(root, cache)
    assert planned.calls == 1  # the same body and IR: an early cutoff
    assert after == before
    assert after == _json(root, None)
    _write(root, "app/models.py", MODELS + "\n    # one more line\n")  # trivia past the last statement: still a cutoff
    assert _json(root, cache) == before
    assert planned.calls == 2  # the run without a cache above planned once
    _write(root, "app/models.py", MODELS + "\n    LIMIT = 20\n")  # a statement more: redone
    grown = _json(root, cache)
    assert planned.calls == 3  # planned again
    assert grown == _json(root, None)


class Name(NamedTuple):
    id: str


class Attr(NamedTuple):
    id: str


def test_the_cutoff_compares_values_not_which_strings_are_shared():
    """The IR interns its names; the cached IR shares what its pickle memoised.  Equal trees whose
    equal strings are shared differently are the same facts (a one-edit run on Django missed the
    cutoff on this and redid the whole deep pass); a node of another type with equal fields is not."""
    from archlint.application.deep_reuse import _same

    shared = "".join(["art", "icle"])
    copy = "".join(["art", "icle"])
    assert shared is not copy
    assert _same((Name(shared), Name(shared)), (Name(shared), Name(copy)))
    assert not _same((Name(shared),), (Attr(shared),))


DJANGO_MODELS = '''
    from django.db import models

    class Article(models.Model):
        title = models.CharField(max_length=100)
'''


def test_the_plans_reading_of_a_files_text_is_asked_again_after_an_edit(tmp_path):
    """The plan takes a model's importer only where its text uses ``Model.objects``; a comment that
    stops saying so changes no body and no IR, yet changes the plan."""
    root = make_repo(tmp_path / "repo", {
        "requirements.txt": "django\n",
        "app/models.py": DJANGO_MODELS,
        "app/util.py": "from app.models import Article\n\ndef title(article):\n    return article.title  # not Article.objects\n",
    })
    cache = tmp_path / "cache"

    def deep(use_cache: bool):
        options = Options(cache_dir=str(cache), jobs=1) if use_cache else Options(use_cache=False, jobs=1)
        return sorted(run_check([str(root)], options).context.deep)

    assert "app/util.py" in deep(True)
    (root / "app/util.py").write_text((root / "app/util.py").read_text().replace("Article.objects", "Article.object "))
    assert deep(True) == deep(False)
    assert "app/util.py" not in deep(False)


def test_a_file_the_plan_only_searched_stays_reusable_edit_after_edit(tmp_path, monkeypatch):
    """A test importing a model without using ``Model.objects`` is read only as text by the plan (tests
    get no IR): lines appended to it change no answer, and comparing it must not make it a read file
    for the next run."""
    root = make_repo(tmp_path / "repo", {
        "requirements.txt": "django\n",
        "app/models.py": DJANGO_MODELS,
        "app/common/test_titles.py": "from app.models import Article\n\ndef title(article):\n    return article.title\n",
    })
    cache = tmp_path / "cache"
    planned = _Planned(monkeypatch)
    before = _json(root, cache)
    original = (root / "app/common/test_titles.py").read_text()
    for edit in range(3):
        (root / "app/common/test_titles.py").write_text(original + f"\n# edit {edit}\n")
        assert _json(root, cache) == before
    assert planned.calls == 1
    # a model edit redoes the deep pass; the test file, compared first (and found unchanged), must
    # not come out of that run as a file whose body and IR were read
    (root / "app/models.py").write_text((root / "app/models.py").read_text().replace("100", "200"))
    (root / "app/common/test_titles.py").write_text(original + "\n# edit 3\n")
    assert _json(root, cache) == _json(root, None)
    assert planned.calls == 3
    (root / "app/common/test_titles.py").write_text(original + "\n# edit 4\n# and one more line\n")
    assert _json(root, cache) == _json(root, None)
    assert planned.calls == 4  # only the run without a cache planned
    (root / "app/common/test_titles.py").write_text(original + "\n# Article.objects\n")  # now the plan takes it
    assert _json(root, cache) == _json(root, None)
    assert planned.calls == 6
