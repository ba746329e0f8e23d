"""Proof that the lifters are right: the same query compiled by the real library (SQLAlchemy,
Django, knex) and lifted by archlint agree clause by clause.

The analysed code is written once.  archlint reads it as text (it never imports analysed code);
the test itself imports it to let SQLAlchemy/Django compile the statements (Django in a
subprocess: its settings are process-global).  knex is compared with the SQL `toSQL()` produced
(recorded in ``tests/data/knex_tosql.json``; re-checked live when Node and knex are installed,
``ARCHLINT_KNEX_DIR`` naming a directory with ``node_modules/knex``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import make_repo, report
from sql_clauses import clauses, parse

from archlint.semantics.builders import build_catalog, collect_queries, lift_query

DATA = Path(__file__).parent / "data"


def lifted_by_function(root: Path) -> dict:
    """function name -> [Lifted] for every query the analysed code runs or returns."""
    context = report(root).context
    program = context.program
    catalog = build_catalog(program, lambda path: True, [], [], [p for p in context.files if "migrat" in p])
    found: dict = {}
    for run in collect_queries(program):
        for lifted in lift_query(program, catalog, run.query):
            module = program.modules[lifted.path]
            span = lifted.span
            owner = min(
                (f for f in module.functions[1:]
                 if (f.span.line, f.span.column) <= (span.line, span.column) and (span.end_line, span.end_column) <= (f.span.end_line, f.span.end_column)),
                key=lambda f: (f.span.end_line - f.span.line),
                default=None,
            )
            if owner is not None:
                found.setdefault(owner.name, []).append(lifted)
    return found, catalog


# SQLAlchemy ------------------------------------------------------------------------------------------
SQLALCHEMY_MODELS = """
    from sqlalchemy import Column, DateTime, ForeignKey, String, Table, Text
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


    class Base(DeclarativeBase):
        pass


    article_tags = Table(
        "article_tags",
        Base.metadata,
        Column("article_id", ForeignKey("articles.id"), primary_key=True),
        Column("tag_id", ForeignKey("tags.id"), primary_key=True),
    )


    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        username: Mapped[str] = mapped_column(String(80))


    class Tag(Base):
        __tablename__ = "tags"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(80))


    class Article(Base):
        __tablename__ = "articles"
        id: Mapped[int] = mapped_column(primary_key=True)
        slug: Mapped[str] = mapped_column(String(200))
        title: Mapped[str] = mapped_column(String(200))
        created_at = mapped_column(DateTime)
        author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
        author: Mapped[User] = relationship()
        tags: Mapped[list[Tag]] = relationship(secondary=article_tags)
        comments: Mapped[list["Comment"]] = relationship(back_populates="article")


    class Comment(Base):
        __tablename__ = "comments"
        id: Mapped[int] = mapped_column(primary_key=True)
        body: Mapped[str] = mapped_column(Text)
        article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
        article: Mapped[Article] = relationship(back_populates="comments")
"""

SQLALCHEMY_QUERIES = """
    from sqlalchemy import delete, desc, distinct, func, select, update
    from sqlalchemy.orm import Session

    from proofapp.models import Article, Comment, Tag, User


    def paged(session: Session):
        stmt = select(Article).join(Article.author).where(User.username == "jake")
        stmt = stmt.order_by(Article.created_at.desc(), Article.id).limit(10).offset(20)
        return session.scalars(stmt)


    def tagged(session: Session):
        return session.scalars(select(Article).join(Article.tags).where(Tag.name == "dragons"))


    def counted(session: Session):
        return session.scalar(select(func.count(distinct(Article.id))).outerjoin(Article.comments))


    def grouped(session: Session):
        stmt = (
            select(Article.id, func.count(Comment.id))
            .join(Article.comments)
            .group_by(Article.id)
            .having(func.count(Comment.id) > 1)
            .order_by(desc(Article.id))
        )
        return session.execute(stmt)


    def explicit(session: Session):
        return session.execute(select(Comment.body).join(Article, Article.id == Comment.article_id).where(Article.slug == "a"))


    def filtered(session: Session):
        return session.scalars(select(Article).where(Article.title.like("%x%"), Article.author_id.in_([1, 2])).filter_by(slug="s"))


    def inferred(session: Session):
        return session.scalars(select(Article).join(User).distinct())


    def legacy(session: Session):
        return session.query(Article).filter(Article.slug == "a").order_by(Article.id).limit(1)


    def remove(session: Session):
        return session.execute(delete(Comment).where(Comment.article_id == 3))


    def rename(session: Session):
        return session.execute(update(Article).where(Article.slug == "a").values(title="b"))


    def unjoinable(session: Session):
        return session.scalars(select(Article).join(Tag))
"""


class _Capture:
    """A stand-in session: returns the statement it is asked to run."""

    def execute(self, statement, *args, **kwargs):
        return statement

    scalars = scalar = execute


@pytest.fixture(scope="module")
def sqlalchemy_app(tmp_path_factory):
    pytest.importorskip("sqlalchemy")
    root = make_repo(tmp_path_factory.mktemp("sa"), {
        "requirements.txt": "sqlalchemy\npsycopg\n",
        "proofapp/__init__.py": "",
        "proofapp/models.py": SQLALCHEMY_MODELS,
        "proofapp/queries.py": SQLALCHEMY_QUERIES,
    })
    sys.path.insert(0, str(root))
    try:
        for name in ("proofapp", "proofapp.models", "proofapp.queries"):
            sys.modules.pop(name, None)
        queries = importlib.import_module("proofapp.queries")
        models = importlib.import_module("proofapp.models")
    finally:
        sys.path.remove(str(root))
    yield root, queries, models
    for name in ("proofapp", "proofapp.models", "proofapp.queries"):
        sys.modules.pop(name, None)


def _compiled(statement) -> str:
    from sqlalchemy.dialects import postgresql

    return str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def _table_columns(models) -> dict:
    return {name: [c.name for c in table.columns] for name, table in models.Base.metadata.tables.items()}


@pytest.mark.parametrize("name", ["paged", "tagged", "counted", "grouped", "explicit", "filtered", "inferred", "legacy",
                                  "remove", "rename"])
def test_sqlalchemy_lift_matches_what_sqlalchemy_compiles(sqlalchemy_app, name):
    from sqlalchemy.orm import Session

    root, queries, models = sqlalchemy_app
    lifted, _catalog = _lifted_cache(root)
    function = getattr(queries, name)
    statement = function(Session()) if name == "legacy" else function(_Capture())
    statement = getattr(statement, "statement", statement)
    expected = clauses(parse(_compiled(statement), "postgres"), _table_columns(models))
    assert name in lifted, f"nothing lifted in {name}()"
    (query,) = lifted[name]
    assert query.exact
    assert clauses(query.tree, _table_columns(models)) == expected


def test_sqlalchemy_join_without_a_foreign_key_path_is_what_sqlalchemy_rejects(sqlalchemy_app):
    from sqlalchemy.exc import InvalidRequestError

    root, queries, models = sqlalchemy_app
    lifted, _catalog = _lifted_cache(root)
    with pytest.raises(InvalidRequestError, match="Don't know how to join"):
        _compiled(queries.unjoinable(_Capture()))
    (query,) = lifted["unjoinable"]
    assert [p.rule for p in query.problems] == ["AL421"]


_CACHE: dict = {}


def _lifted_cache(root):
    if root not in _CACHE:
        _CACHE[root] = lifted_by_function(root)
    return _CACHE[root]


# Django ----------------------------------------------------------------------------------------------
DJANGO_MODELS = """
    from django.db import models


    class Stamped(models.Model):
        created_at = models.DateTimeField(auto_now_add=True)

        class Meta:
            abstract = True


    class Profile(models.Model):
        username = models.CharField(max_length=80)


    class Tag(models.Model):
        name = models.CharField(max_length=80)


    class Article(Stamped):
        slug = models.SlugField()
        title = models.CharField(max_length=200)
        author = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="articles")
        tags = models.ManyToManyField(Tag, related_name="articles")


    class Comment(Stamped):
        body = models.TextField()
        article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
"""

DJANGO_QUERIES = """
    from django.db.models import Count, Q

    from blogproof.models import Article, Comment, Profile


    def paged():
        return list(Article.objects.filter(author__username="jake").order_by("-created_at", "id")[10:20])


    def tagged():
        return list(Article.objects.filter(tags__name="dragons"))


    def excluded():
        return list(Article.objects.exclude(title__icontains="x").filter(Q(slug="a") | Q(slug="b")))


    def reverse():
        return list(Article.objects.filter(comments__body__startswith="hi"))


    def annotated():
        return list(Article.objects.annotate(n=Count("comments", distinct=True)).filter(slug="a"))


    def counted():
        return Article.objects.filter(author__username="jake").count()


    def inherited():
        return list(Comment.objects.filter(article__slug="a").order_by("-created_at")[:5])


    def related():  # a related manager: Django filters by the foreign key to the row
        return list(Profile(pk=1).articles.filter(slug="a"))
"""

_DJANGO_COMPILE = r"""
import json, sys
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["blogproof"], DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
django.setup()
from django.db.models import QuerySet
from blogproof import queries


class Compiled(Exception):
    pass


def fetch(self):  # the moment Django would run the queryset: report its SQL instead
    sql, _params = self.query.sql_with_params()
    raise Compiled(sql.replace("%s", "?"))


QuerySet._fetch_all = fetch
out = {}
for name in sys.argv[1:]:
    try:
        getattr(queries, name)()
    except Compiled as compiled:
        out[name] = compiled.args[0]
    except Exception as error:
        out[name] = "ERROR: " + str(error)
print(json.dumps(out))
"""

DJANGO_CASES = ["paged", "tagged", "excluded", "reverse", "annotated", "inherited", "related"]


@pytest.fixture(scope="module")
def django_app(tmp_path_factory):
    pytest.importorskip("django")
    root = make_repo(tmp_path_factory.mktemp("dj"), {
        "requirements.txt": "Django\n",
        "blogproof/__init__.py": "",
        "blogproof/models.py": DJANGO_MODELS,
        "blogproof/queries.py": DJANGO_QUERIES,
    })
    done = subprocess.run([sys.executable, "-c", _DJANGO_COMPILE, *DJANGO_CASES], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0, done.stderr
    return root, json.loads(done.stdout)


def _quoted_to_plain(sql: str) -> str:
    return sql.replace('"', "")


@pytest.mark.parametrize("name", DJANGO_CASES)
def test_django_lift_matches_what_django_compiles(django_app, name):
    root, compiled = django_app
    lifted, catalog = _lifted_cache(root)
    assert name in lifted, f"nothing lifted in {name}()"
    (query,) = lifted[name]
    expected = clauses(parse(_quoted_to_plain(compiled[name]), "sqlite"))
    got = clauses(query.tree)
    # Django lists every column in SELECT and GROUP BY (SQLite has no functional dependency on
    # the key); the lifted query says `t.*` and groups by the key: compare the key, not the list.
    expected.pop("projection"), got.pop("projection")
    if got["group"]:
        assert set(got["group"]) <= set(expected["group"])
        expected.pop("group"), got.pop("group")
    assert got == expected


def test_django_lookup_on_a_missing_field_is_what_django_rejects(tmp_path):
    pytest.importorskip("django")
    root = make_repo(tmp_path, {
        "requirements.txt": "Django\n",
        "blogproof/__init__.py": "",
        "blogproof/models.py": DJANGO_MODELS,
        "blogproof/queries.py": """
            from blogproof.models import Article


            def typo():
                return list(Article.objects.filter(author__usrname="jake"))
        """,
    })
    done = subprocess.run([sys.executable, "-c", _DJANGO_COMPILE, "typo"], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(root)})
    error = json.loads(done.stdout)["typo"]
    assert "Unsupported lookup 'usrname' for ForeignKey" in error
    lifted, _catalog = lifted_by_function(root)
    problems = [p for q in lifted["typo"] for p in q.problems]
    assert [p.rule for p in problems] == ["AL417"]
    assert "Unsupported lookup 'usrname' for ForeignKey" in problems[0].message  # Django's own words


# knex ------------------------------------------------------------------------------------------------
def _knex_cases() -> list[dict]:
    return json.loads((DATA / "knex_tosql.json").read_text())


def _knex_repo(tmp_path) -> Path:
    cases = _knex_cases()
    body = "\n".join(f"async function {c['name']}(id) {{\n  return {c['code']};\n}}" for c in cases)
    names = ", ".join(c["name"] for c in cases)
    return make_repo(tmp_path, {
        "package.json": '{"dependencies": {"knex": "^3", "pg": "^8"}}',
        "src/db.js": "const knex = require('knex');\nmodule.exports = knex({ client: 'pg' });\n",
        "src/queries.js": f"const db = require('./db');\n{body}\nmodule.exports = {{ {names} }};\n",
    })


@pytest.mark.parametrize("case", _knex_cases(), ids=lambda c: c["name"])
def test_knex_lift_matches_recorded_tosql(tmp_path_factory, case):
    root = _knex_root(tmp_path_factory)
    lifted, _catalog = _lifted_cache(root)
    assert case["name"] in lifted, f"nothing lifted in {case['name']}()"
    (query,) = lifted[case["name"]]
    expected = clauses(parse(case["sql"], "postgres"))
    assert clauses(query.tree) == expected


_KNEX_ROOT: dict = {}


def _knex_root(factory):
    if "root" not in _KNEX_ROOT:
        _KNEX_ROOT["root"] = _knex_repo(factory.mktemp("knex"))
    return _KNEX_ROOT["root"]


def test_recorded_knex_sql_is_what_knex_generates_when_node_is_available(tmp_path):
    """Re-checks tests/data/knex_tosql.json against knex itself (skipped without Node/knex)."""
    knex_dir = os.environ.get("ARCHLINT_KNEX_DIR", "")
    node = shutil.which("node")
    if not node or not knex_dir or not (Path(knex_dir) / "node_modules" / "knex").is_dir():
        pytest.skip("Node and knex are not available (set ARCHLINT_KNEX_DIR to a directory with node_modules/knex)")
    cases = _knex_cases()
    script = "const db = require('knex')({ client: 'pg' });\nconst out = {};\n" + "".join(
        f"out[{json.dumps(c['name'])}] = (function (id) {{ return {c['code']}; }})(1).toSQL().sql;\n" for c in cases
    ) + "console.log(JSON.stringify(out));\n"
    done = subprocess.run([node, "-e", script], cwd=knex_dir, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    generated = json.loads(done.stdout)
    assert {c["name"]: c["sql"] for c in cases} == generated


def test_django_positional_aggregate_is_named_field_double_underscore_aggregate(tmp_path):
    # `annotate(Count("comments"))` is named `comments__count` by Django; ordering by that name is valid,
    # a misspelt one is not — checked against Django itself
    pytest.importorskip("django")
    root = make_repo(tmp_path, {
        "requirements.txt": "Django\n",
        "blogproof/__init__.py": "",
        "blogproof/models.py": DJANGO_MODELS,
        "blogproof/queries.py": """
            from django.db import models

            from blogproof.models import Article


            def busiest():
                return list(Article.objects.annotate(models.Count("comments")).order_by("-comments__count")[:20])


            def misspelt():
                return list(Article.objects.annotate(models.Count("comments")).order_by("-comment__count")[:20])
        """,
    })
    done = subprocess.run([sys.executable, "-c", _DJANGO_COMPILE, "busiest", "misspelt"], cwd=root, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(root)})
    compiled = json.loads(done.stdout)
    assert not compiled["busiest"].startswith("ERROR") and compiled["misspelt"].startswith("ERROR")
    lifted, _catalog = lifted_by_function(root)
    assert [p.rule for q in lifted["busiest"] for p in q.problems] == []
    assert [p.rule for q in lifted["misspelt"] for p in q.problems] == ["AL417"]
