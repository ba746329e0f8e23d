"""Embedded SQL as text: lexing, placeholder normalisation, argument composition, hole origins."""

from __future__ import annotations

import pytest

from archlint.checks.sql.parser import COMPILED, parse
from archlint.domain.constants import ConstantFolder, ValueFunctions
from archlint.domain.facts import FileFacts
from archlint.domain.sql.compose import compose
from archlint.domain.sql.holes import CONSTANT, RUNTIME, SAFE, origin, role
from archlint.domain.sql.lexer import (
    OffsetMap,
    decode_escapes,
    mask,
    normalise,
    placeholders,
    split_statements,
)


def test_mask_blanks_literals_and_comments_but_keeps_length():
    sql = "SELECT '?;' AS q, $$ ; ? $$ -- ? ;\nFROM t /* ILIKE */ WHERE a = ?"
    masked = mask(sql)
    assert len(masked) == len(sql)
    assert masked.count("?") == 1 and ";" not in masked and "ILIKE" not in masked
    assert "\n" in masked


@pytest.mark.parametrize(
    "sql, kinds",
    [
        ("a = ? AND b = ?", ["qmark", "qmark"]),
        ("a = %s AND b = %(name)s AND c LIKE '%%x'", ["format", "pyformat"]),
        ("a = $1 AND b = $2 AND c = $name", ["dollar", "dollar", "dollar_name"]),
        ("a = :name AND b::text = 'x' AND c = @v", ["named", "at"]),
        ("?? = ? AND :col: = 1", ["knex_identifier", "qmark", "knex_identifier"]),
        ("data ?| array['a'] AND a = ?1", ["qmark_numbered"]),
        # PostgreSQL's jsonb key-exists operator sits between an operand and a string literal
        ("WHERE data ? 'item_type' AND (rd.data ? 'x') AND a = ?", ["qmark"]),
        ("WHERE ? 'x' OR a LIKE ? OR b IN (?)", ["qmark", "qmark", "qmark"]),
    ],
)
def test_placeholders_by_kind(sql, kinds):
    assert [p.kind for p in placeholders(mask(sql))] == kinds


def test_mysql_user_variables_are_not_placeholders():
    assert placeholders(mask("SET @rank = 0; SELECT @rank"), frozenset({"at"})) == []


def test_statements_split_outside_literals_and_keep_trigger_bodies_whole():
    sql = "INSERT INTO t VALUES (';'); UPDATE t SET a = 1;\n"
    statements = split_statements(sql, mask(sql))
    assert [s.text.strip() for s in statements] == ["INSERT INTO t VALUES (';')", "UPDATE t SET a = 1"]
    trigger = "CREATE TRIGGER x AFTER INSERT ON t BEGIN UPDATE t SET a = 1; END;"
    assert len(split_statements(trigger, mask(trigger))) == 1


def test_normalised_sql_parses_in_every_dialect_and_maps_back():
    sql = "SELECT a FROM t WHERE id = %s AND x = ANY($1::int[]) AND n = %(name)s AND y = {}"
    statement = split_statements(sql, mask(sql))[0]
    normalised = normalise(statement, [sql.index("{}")], placeholders(mask(sql)), identifier_holes=False)
    for dialect in ("postgres", "sqlite", "mysql"):
        assert parse(normalised.sql, dialect).ok, dialect
    where = normalised.sql.index(":__h")
    assert normalised.offsets.original(where) == sql.index("{}")
    assert normalised.offsets.original(normalised.sql.index(" AND y")) == sql.index(" AND y")


def test_holes_become_bind_sentinels_or_identifier_sentinels():
    sql = "SELECT id FROM t x{}"  # a hole glued to an identifier only parses as an identifier
    statement = split_statements(sql, mask(sql))[0]
    holes = [sql.index("{}")]
    assert not parse(normalise(statement, holes, [], False).sql, "postgres").ok
    assert parse(normalise(statement, holes, [], True).sql, "postgres").ok
    table = "SELECT id FROM {} ORDER BY created_at"
    assert parse(normalise(split_statements(table, table)[0], [15], [], False).sql, "postgres").ok


def test_offset_map_inside_and_after_replacements():
    offsets = OffsetMap([(4, 9, 4, 6)])  # "abcd:__p0…" <- "abcd?x…"
    assert offsets.original(2) == 2 and offsets.original(6) == 4 and offsets.original(10) == 7


def test_escapes_keep_their_length():
    assert decode_escapes("a\\nb\\'c") == "a  b 'c"


def test_escaped_quotes_keep_their_space_outside_the_quoted_name():
    # "SELECT id FROM \"Articles\" WHERE …" in a JS/Python double-quoted string: the identifier is
    # `Articles`, not `Articles ` (which AL411 reported as a table the schema does not have)
    source = 'SELECT id FROM \\"Articles\\" WHERE title = \\\'x\\\''
    decoded = decode_escapes(source)
    assert len(decoded) == len(source)
    assert '"Articles"' in decoded and "'x'" in decoded


def test_parse_errors_are_located_and_commands_are_not_errors():
    failure = parse("UPDATE t SET a = 1 b = 2", "sqlite").error
    assert failure is not None and failure.token == "b" and failure.line == 1
    assert parse("VACUUM", "sqlite") == (None, None)
    assert isinstance(COMPILED, bool)


@pytest.mark.parametrize(
    "arg, language, text, how, exprs",
    [
        ('f"SELECT * FROM {T} WHERE e = \'{e}\'"', "python", "SELECT * FROM {} WHERE e = '{}'", "fstring", ["T", "e"]),
        ("\"SELECT a FROM t WHERE e = '%s' AND n = %d\" % (e, n)", "python", "SELECT a FROM t WHERE e = '{}' AND n = {}", "percent", ["e", "int(n)"]),
        ('"SELECT a FROM t WHERE e = {}".format(e)', "python", "SELECT a FROM t WHERE e = {}", "format", ["e"]),
        ('"SELECT a FROM t WHERE id = " + uid', "python", "SELECT a FROM t WHERE id = {}", "concat", ["uid"]),
        ('(\n  "SELECT a "\n  f"FROM {t!r:>3}"\n)', "python", "SELECT a FROM {}", "fstring", ["t"]),
        ('f"{{literal}} {x=}"', "python", "{literal} {}", "fstring", ["x"]),
        ("`SELECT a FROM t WHERE e = '${req.body.e}'`", "javascript", "SELECT a FROM t WHERE e = '{}'", "template", ["req.body.e"]),
        ("'SELECT a FROM t WHERE id = ' + req.query.id", "javascript", "SELECT a FROM t WHERE id = {}", "concat", ["req.query.id"]),
        ("`${ {a: 1}.a } x`", "javascript", "{} x", "template", ["{a: 1}.a"]),
    ],
)
def test_compose(arg, language, text, how, exprs):
    composed = compose(arg, language)
    assert composed is not None
    assert (composed.text, composed.how, [h.expr for h in composed.holes]) == (text, how, exprs)
    for hole in composed.holes:
        assert composed.text[hole.offset : hole.offset + 2] == "{}"


def test_compose_maps_every_piece_back_to_the_argument_source():
    arg = '"SELECT a FROM t "\n    "WHERE b = \'{}\'".format(value)'
    composed = compose(arg, "python")
    hole = composed.holes[0]
    assert arg[composed.raw_offset(hole.offset)] == "{"
    assert arg[composed.raw_offset(composed.text.index("WHERE"))] == "W"


def test_names_and_calls_are_not_composed():
    assert compose("query", "python") is None
    assert compose("build_query(x)", "python") is None
    assert compose("sql`SELECT 1`", "javascript") is None


def _facts(assigns=()):
    facts = FileFacts("m.py", "python", "")
    facts.body.assigns.extend(assigns)
    return facts


@pytest.mark.parametrize(
    "expr, expected",
    [
        ("TABLE", CONSTANT),
        ("self.TABLE", CONSTANT),
        ("settings.USERS_TABLE", CONSTANT),
        ("SORTS[key]", CONSTANT),
        ("ALLOWED.get(key, 'id')", CONSTANT),
        ("Article.__tablename__", CONSTANT),
        ("42", CONSTANT),
        ("placeholders", SAFE),
        ('", ".join("?" * len(ids))', SAFE),
        ("int(limit)", SAFE),
        ("ids.length", SAFE),
        ("quote_ident(name)", SAFE),
        ("email", RUNTIME),
        ("request.args['sort']", RUNTIME),
        ("sort_by", RUNTIME),
    ],
)
def test_hole_origin(expr, expected):
    from archlint.adapters.knowledge import load_knowledge
    from archlint.domain.sql import sql_knowledge

    sql = sql_knowledge(load_knowledge())
    assert origin(expr, ConstantFolder(_facts(), sql.values), "f", None, sql.safe_holes) == expected


def test_hole_origin_follows_local_assignments():
    from archlint.domain.facts import Assign, Span

    span = Span(1, 1, 1, 1)
    facts = _facts([Assign("order", "ORDERS.get(key, 'new')", "ORDERS.get", None, span, "f")])
    folder = ConstantFolder(facts, ValueFunctions())
    assert origin("order", folder, "f", None, ()) == CONSTANT
    assert origin("order", folder, "g", None, ()) == RUNTIME


@pytest.mark.parametrize(
    "text, expected",
    [
        ("SELECT a FROM t WHERE e = '{}'", "a quoted value"),
        ("SELECT a FROM {}", "a table name"),
        ("SELECT a FROM t ORDER BY {}", "an ORDER BY/GROUP BY term"),
        ("SELECT a FROM t LIMIT {}", "a LIMIT/OFFSET value"),
        ("SELECT a FROM t WHERE id IN ({})", "an IN list"),
        ("SELECT a FROM t WHERE id = {}", "a value"),
    ],
)
def test_hole_role(text, expected):
    assert role(text, text.index("{}")) == expected


def _step(target: str, op: str, value: str, line: int, column: int):
    """An Assign fact as the Python frontend records ``target op value`` on one line."""
    from archlint.domain.facts import Assign, Span

    end = column + len(target) + len(op) + 2 + len(value)
    return Assign(target, value, "", None, Span(line, column, line, end), "f", op)


def test_steps_restart_append_and_splice_keep_every_piece_located():
    from archlint.domain.sql.steps import build

    steps = [
        _step("q", "=", '"SELECT 1"', 1, 5),  # replaced by the next restart
        _step("q", "=", '"SELECT id FROM t WHERE a = ?"', 2, 5),
        _step("q", "+=", 'f" AND b = {b}"', 3, 5),
        _step("q", "=", '"WITH x AS (SELECT 1) " + q + " ORDER BY id"', 4, 5),
    ]
    built = build(steps, "q", [], "python", None)
    assert built.text == "WITH x AS (SELECT 1) SELECT id FROM t WHERE a = ? AND b = {} ORDER BY id"
    assert [h.expr for h in built.holes] == ["b"] and built.exact
    located = {word: built.text.index(word) for word in ("WITH", "SELECT id", "AND", "ORDER")}

    def span_of(offset):
        return next(p for p in reversed(built.pieces) if p.start <= offset).span(offset, 1, "python")

    assert (span_of(located["WITH"]).line, span_of(located["WITH"]).column) == (4, 10)
    assert (span_of(located["SELECT id"]).line, span_of(located["SELECT id"]).column) == (2, 10)
    assert (span_of(located["AND"]).line, span_of(located["AND"]).column) == (3, 13)
    assert span_of(located["ORDER"]).line == 4


def test_steps_deeper_steps_are_conditional_and_unknown_values_stop_the_text():
    from archlint.domain.sql.steps import build

    base = _step("q", "=", '"UPDATE t SET a = ?"', 1, 5)
    assert build([base, _step("q", "+=", '" WHERE id = ?"', 3, 9)], "q", [], "python", None).exact is False
    assert build([base, _step("q", "+=", '" WHERE id = ?"', 2, 5)], "q", [], "python", None).exact is True
    assert build([_step("q", "=", '"DELETE FROM t WHERE "', 1, 5)], "q", [], "python", None).exact is False  # unfinished
    assert build([base, _step("q", "=", "wrap(q)", 2, 5)], "q", [], "python", None) is None
    assert build([_step("q", "+=", '" AND a = ?"', 2, 5)], "q", [], "python", None) is None  # appended to a parameter


@pytest.mark.parametrize("identifier_holes", [False, True])
def test_every_sentinel_the_normaliser_writes_is_recognised(identifier_holes):
    """One definition (lexer.has_sentinel) of what normalise() and the statement builders write
    where a hole or a placeholder was: AL411/AL412 (checks/sql/names.py and schema.py) skip them."""
    import re

    from archlint.domain.sql import lexer

    sql = ("SELECT {} FROM t{} WHERE a = ? AND b = %s AND c = $1 AND d = ?2 AND e = :name AND f = %(g)s "
           "AND h = @i AND j = $k AND ?? = 1 AND {} = 2")
    holes = [m.start() for m in re.finditer(r"\{\}", sql)]
    found = placeholders(mask(sql))
    assert {p.kind for p in found} >= {"qmark", "format", "dollar", "qmark_numbered", "named", "pyformat", "at",
                                       "dollar_name", "knex_identifier"}
    written = normalise(split_statements(sql, mask(sql))[0], holes, found, identifier_holes).sql
    original = set(re.findall(r"\w+", sql))
    inserted = {word for word in re.findall(r"\w+", written) if word not in original}
    assert inserted and all(lexer.has_sentinel(word) for word in inserted), inserted
    assert sorted(lexer.hole_number(name) for name in re.findall(r":?__h\d+", written)) == [0, 1, 2]  # `t{}` -> t__h1
    for sentinel in (lexer.RAW, lexer.UNKNOWN_TABLE, lexer.SET_LIST, lexer.IDENTIFIER, f"{lexer.PLACEHOLDER}_id"):
        assert lexer.has_sentinel(sentinel)  # what the statement builders insert
    assert not any(lexer.has_sentinel(name) for name in ("users", "hp", "__init", "p1", "h0", "ident"))
