"""AL442's LIMIT/OFFSET parameters come from sqlglot's tree of the lexed SQL, not a pattern over the text."""

from archlint.checks.sql.paging import paging_parameters


def _read(text: str, dialect: str) -> list[tuple[str, str, str, int]]:
    return [(p.clause, p.placeholder.kind, p.placeholder.name, p.position) for p in paging_parameters(text, dialect)]


def test_mysql_comma_form_is_offset_then_row_count():
    sql = "SELECT slug FROM articles WHERE author = ? ORDER BY id LIMIT ?, ?"
    assert _read(sql, "mysql") == [("OFFSET", "qmark", "", 1), ("LIMIT", "qmark", "", 2)]


def test_a_question_mark_inside_a_literal_is_no_parameter():
    sql = "SELECT slug FROM articles WHERE title <> '?' LIMIT ? OFFSET ?"
    assert _read(sql, "mysql") == [("LIMIT", "qmark", "", 0), ("OFFSET", "qmark", "", 1)]


def test_dollar_and_named_parameters_and_a_subquery():
    sql = "SELECT * FROM (SELECT id FROM comments WHERE slug = $1 LIMIT $2) AS page OFFSET $3"
    assert _read(sql, "postgres") == [("LIMIT", "dollar", "2", 1), ("OFFSET", "dollar", "3", 2)]
    named = "SELECT slug FROM articles ORDER BY created_at DESC LIMIT :limit OFFSET :offset"
    assert _read(named, "postgres") == [("LIMIT", "named", "limit", 0), ("OFFSET", "named", "offset", 1)]


def test_a_computed_limit_or_unparsable_text_gives_nothing():
    assert _read("SELECT id FROM t LIMIT $1 + 1", "postgres") == []
    assert _read("Price: $1 LIMIT $2 per customer", "postgres") == []
