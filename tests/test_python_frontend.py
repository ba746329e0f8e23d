"""The Python frontend on real code shapes: every import form, bindings, calls, strings, bad input."""

from __future__ import annotations

import textwrap

import pytest

from archlint.adapters.frontends.python import extract
from archlint.domain.facts import DYNAMIC, LAZY, OPAQUE, RUNTIME, TYPE_ONLY


def facts_of(source: str, path: str = "app/repositories/article.py"):
    return extract(path, textwrap.dedent(source).encode())


def imports_of(source: str):
    return [(i.module, i.names, i.kind, i.level, i.span.line) for i in facts_of(source).imports]


def test_absolute_import_and_alias():
    assert imports_of("import os\nimport sqlalchemy.orm as orm, json\n") == [
        ("os", (), RUNTIME, 0, 1),
        ("sqlalchemy.orm", (), RUNTIME, 0, 2),
        ("json", (), RUNTIME, 0, 2),
    ]


def test_from_import_names_and_star():
    assert imports_of("from sqlalchemy import select, text as t\nfrom x import *\n") == [
        ("sqlalchemy", ("select", "text"), RUNTIME, 0, 1),
        ("x", ("*",), RUNTIME, 0, 2),
    ]


def test_relative_imports_keep_their_level():
    source = "from . import x\nfrom .. import services\nfrom ..services.user import UserService\n"
    assert imports_of(source) == [
        ("", ("x",), RUNTIME, 1, 1),
        ("", ("services",), RUNTIME, 2, 2),
        ("services.user", ("UserService",), RUNTIME, 2, 3),
    ]


def test_multiline_parenthesised_import():
    source = """
    from app.services.article_service import (
        create_article,
        list_articles,
    )
    """
    assert imports_of(source) == [("app.services.article_service", ("create_article", "list_articles"), RUNTIME, 0, 2)]


def test_function_scope_import_is_lazy():
    source = """
    def handler():
        from app.services import users
        return users
    """
    assert imports_of(source) == [("app.services", ("users",), LAZY, 0, 3)]


def test_type_checking_imports_are_type_only_but_else_branch_is_runtime():
    source = """
    import typing
    from typing import TYPE_CHECKING
    if TYPE_CHECKING:
        from app.routes.articles import ArticleOut
    else:
        import json
    if typing.TYPE_CHECKING:
        import app.services
    """
    result = {module: kind for module, _n, kind, _l, _line in imports_of(source)}
    assert result["app.routes.articles"] == TYPE_ONLY
    assert result["app.services"] == TYPE_ONLY
    assert result["json"] == RUNTIME


def test_try_except_imports_are_runtime():
    source = """
    try:
        import ujson as json
    except ImportError:
        import json
    """
    assert [kind for *_rest, kind, _lvl, _line in [(m, n, k, lv, ln) for m, n, k, lv, ln in imports_of(source)]] == [
        RUNTIME,
        RUNTIME,
    ]


def test_importlib_literal_is_dynamic_and_expression_is_opaque():
    source = """
    import importlib
    from importlib import import_module as load
    a = importlib.import_module("app.services.user_service")
    b = load(".helpers")
    c = importlib.import_module(f"app.handlers.{name}")
    d = __import__("app.models")
    e = __import__(module_name)
    """
    result = [(m, k, lvl) for m, _n, k, lvl, _line in imports_of(source)]
    assert result == [
        ("importlib", RUNTIME, 0),
        ("importlib", RUNTIME, 0),
        ("app.services.user_service", DYNAMIC, 0),
        ("helpers", DYNAMIC, 1),
        ('f"app.handlers.{name}"', OPAQUE, 0),
        ("app.models", DYNAMIC, 0),
        ("module_name", OPAQUE, 0),
    ]


def test_pep810_lazy_import_is_not_a_syntax_error():
    facts = facts_of("lazy import json\nlazy from app.services import users\n")
    assert facts.problems == []
    assert [(i.module, i.kind) for i in facts.imports] == [("json", LAZY), ("app.services", LAZY)]


@pytest.mark.parametrize(
    "source",
    [
        "def first[T](items: list[T]) -> T:\n    return items[0]\n",  # PEP 695
        "type Pair[T] = tuple[T, T]\n",  # PEP 695 alias
        "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",  # PEP 758
        'x = f"{"nested" + f"{1}"}"\n',  # PEP 701
        'greeting = t"hello {name}"\n',  # PEP 750
        "match cmd:\n    case [x, *rest]:\n        pass\n",
        "try:\n    pass\nexcept* OSError:\n    pass\n",
    ],
)
def test_modern_syntax_parses_without_problems(source):
    assert facts_of(source).problems == []


def test_syntax_error_is_reported_with_location_and_other_facts_survive():
    facts = facts_of("import os\n\ndef create(data:\n    return data\n\nimport json\n")
    assert [p.rule for p in facts.problems] == ["AL001"]
    assert facts.problems[0].span.line == 3
    assert [i.module for i in facts.imports] == ["os", "json"]


def test_bindings_resolve_calls_through_aliases():
    source = """
    import sqlalchemy as sa
    from sqlalchemy import text as t
    stmt = sa.select(User).where(User.id == 1)
    rows = session.execute(t("SELECT 1"))
    """
    facts = facts_of(source)
    calls = {(c.callee, c.resolved) for c in facts.calls}
    assert ("sa.select().where", "sqlalchemy:select().where") in calls
    assert ("sa.select", "sqlalchemy:select") in calls
    assert ("t", "sqlalchemy:text") in calls
    assert ("session.execute", None) in calls


def test_call_arguments_are_split_on_demand():
    facts = facts_of('engine = create_engine("sqlite:///./conduit.db", echo=True, connect_args={"a": 1})\n')
    call = facts.calls[0]
    args = call.arguments()
    assert [(a.keyword, a.literal) for a in args] == [("", "sqlite:///./conduit.db"), ("echo", None), ("connect_args", None)]
    assert args[2].text == '{"a": 1}'


def test_argument_spans_map_ast_positions_back_to_the_file():
    """Checks parse `f(<args_text>)` with ast; span_in_arguments maps a node back to file
    characters: the first argument line (after `f(`), later lines, non-ASCII text before it."""
    import ast

    from archlint.domain.arguments import span_in_arguments

    source = 'q = (select(A)\n     .where(A.t == "é" and A.x,\n            A.y  in ids))\n'
    call = next(c for c in facts_of(source).calls if c.callee.endswith("where"))
    assert (call.args_line, call.args_column) == (2, 13)
    first, second = ast.parse(f"f({call.args_text})", mode="eval").body.args
    lines = source.splitlines()
    start = span_in_arguments(call, first)
    assert lines[start.line - 1][start.column - 1 : start.end_column - 1] == 'A.t == "é" and A.x'
    span = span_in_arguments(call, second)
    assert (span.line, span.end_line) == (3, 3)
    assert lines[2][span.column - 1 : span.end_column - 1] == "A.y  in ids"


def test_scope_is_the_enclosing_qualified_function():
    source = """
    class ArticleRepository:
        def get(self, slug):
            return self.session.get(Article, slug)

    def top():
        def inner():
            helper()
    setup()
    """
    scopes = {c.callee: c.scope for c in facts_of(source).calls}
    assert scopes == {"self.session.get": "ArticleRepository.get", "helper": "top.inner", "setup": ""}


def test_functions_have_decorators_params_and_async():
    source = """
    @router.get("/articles/{slug}")
    async def get_article(slug: str, db: Session = Depends(get_db)) -> ArticleOut:
        ...
    """
    function = facts_of(source).functions[0]
    assert function.qualname == "get_article"
    assert function.decorators == ('router.get("/articles/{slug}")',)
    assert function.is_async
    params = function.parameters()
    assert [(p.name, p.annotation, p.default) for p in params] == [("slug", "str", ""), ("db", "Session", "Depends(get_db)")]


def test_classes_have_bases_resolved_and_body_attributes():
    source = """
    from app.db import Base
    class Article(Base):
        __tablename__ = "articles"
        id: Mapped[int] = mapped_column(primary_key=True)
        slug = Column(String)
    """
    cls = facts_of(source).classes[0]
    assert (cls.name, cls.bases, cls.resolved_bases) == ("Article", ("Base",), ("app.db:Base",))
    assert cls.attributes == ("__tablename__", "id", "slug")


def test_sql_and_url_strings_are_kept_with_holes_docstrings_are_not():
    source = '''
    """SELECT statements live in this module."""
    QUERY = "SELECT id, slug FROM articles WHERE author_id = ?"
    def find(tag):
        return db.execute(f"SELECT * FROM articles WHERE tag = '{tag}'")
    URL = "postgresql+psycopg://conduit:conduit@postgres:5432/conduit"
    MESSAGE = "select an article"
    '''
    strings = facts_of(source).strings
    assert [(s.kind, s.text, s.scope) for s in strings] == [
        ("plain", "SELECT id, slug FROM articles WHERE author_id = ?", ""),
        ("fstring", "SELECT * FROM articles WHERE tag = '{}'", "find"),
        ("plain", "postgresql+psycopg://conduit:conduit@postgres:5432/conduit", ""),
    ]
    assert strings[1].holes[0].expr == "tag"
    assert strings[1].holes[0].offset == len("SELECT * FROM articles WHERE tag = '")


def test_suppression_comments_are_recorded():
    facts = facts_of("import sqlite3  # archlint: ignore[AL103] legacy migration script\n")
    assert facts.suppressions == [(1, "# archlint: ignore[AL103] legacy migration script")]


def test_columns_count_characters_not_bytes():
    facts = facts_of('titre = "é"; import os\n')
    assert facts.imports[0].span.column == len('titre = "é"; ') + 1


def test_empty_file_has_no_facts_and_no_problems():
    facts = extract("app/__init__.py", b"")
    assert (facts.imports, facts.problems, facts.lines) == ([], [], 0)


def test_binary_file_is_a_problem_not_a_crash():
    facts = extract("app/blob.py", b"\x00\x01\x02garbage" * 10)
    assert [p.rule for p in facts.problems] == ["AL002"]
    assert not facts.parsed


def test_latin1_with_coding_cookie_is_fine_without_it_is_reported():
    body = "# -*- coding: latin-1 -*-\nname = 'café'\nimport os\n".encode("latin-1")
    assert extract("a.py", body).problems == []
    assert [i.module for i in extract("a.py", body).imports] == ["os"]
    bad = "name = 'café'\nimport os\n".encode("latin-1")
    facts = extract("b.py", bad)
    assert [p.rule for p in facts.problems] == ["AL003"]
    assert facts.problems[0].span.line == 1
    assert [i.module for i in facts.imports] == ["os"]


def test_huge_file_is_skipped_with_a_problem():
    facts = extract("big.py", b"x = 1\n" * (1024 * 1024))
    assert [p.rule for p in facts.problems] == ["AL004"]
    assert facts.imports == []


def test_a_lone_transaction_word_is_sql_only_when_it_reads_as_a_statement():
    source = '''
    def run(conn):
        conn.execute("SELECT 1")
        conn.execute("BEGIN")
        conn.execute("begin immediate")
        conn.execute("COMMIT;")
        conn.execute("start transaction")
    TOKENS = ["begin", "commit", "rollback"]  # a protobuf tokenizer's words, git's verbs, event names
    STATE = "Begin"
    '''
    assert [s.text for s in facts_of(source).strings] == ["SELECT 1", "BEGIN", "begin immediate", "COMMIT;", "start transaction"]
