"""Request data spelled conventionally (sql_dialects.toml ``[[request_spelling]]``): the evidence AL502/AL503
and SQL-site extraction read where no semantic model says whether a value is request data — read from the
expression's tree (the hole's text) or the argument's IR, never matched as text."""

from __future__ import annotations

from archlint.adapters.knowledge import load_knowledge
from archlint.checks.sql.injection import _chain_start
from archlint.domain.sql import sql_knowledge


def _spelled(expression: str, language: str = "python") -> bool:
    return sql_knowledge(load_knowledge()).spelled_on_request(*_chain_start(expression, language))


def test_chains_read_off_the_request_or_a_request_holder():
    assert _spelled('request.args.get("sql")')
    assert _spelled("req.body.sql", "node")
    assert _spelled("req[0]", "node")
    assert _spelled("ctx.request.body.order", "node")
    assert _spelled("c.req.query('sort')", "node")
    assert _spelled("event.body", "node")
    assert _spelled("self.request.GET['sort']")


def test_look_alikes_are_not_request_data():
    assert not _spelled("request_count")  # a name that merely starts with the word
    assert not _spelled("requests.get(url).text")
    assert not _spelled("ctx.state.sql", "node")  # ctx, but not a request part
    assert not _spelled("self.query")
