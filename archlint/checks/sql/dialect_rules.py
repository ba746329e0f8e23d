"""Is this SQL valid for *this* database and *this* driver?

AL401 the statement does not parse; AL402 a construct another database owns (``ILIKE`` on
SQLite, ``AUTOINCREMENT`` on PostgreSQL) — judged from the ``[[sql_construct]]`` table, because
sqlglot's parsers are lenient across dialects and ``transpile`` is no compatibility oracle
(reference §4.1); AL403 a placeholder the driver does not bind (``?`` with psycopg, ``%s`` with
sqlite3, ``$1`` with mysql2); AL413 several statements where the API runs one.
"""

from __future__ import annotations


from collections.abc import Iterator

from archlint.checks.sql.analysis import Prepared, finding, parse_statement
from archlint.domain.context import CheckContext
from archlint.domain.findings import Finding
from archlint.domain.lazy_regex import lazy_compile
from archlint.domain.sql.knowledge import OTHER_DATABASE, SqlKnowledge
from archlint.domain.sql.lexer import ROUTINE_DDL, line_col_to_offset

_SYNTAX_FIX = "Fix the statement (run it once in the database's shell to see the exact error), or build it with the ORM's query API."


def constructs(ctx: CheckContext, prepared: Prepared, sql: SqlKnowledge) -> Iterator[Finding]:
    """AL402, one finding per construct (at its first use)."""
    dialect = prepared.dialect
    if dialect is None:
        return
    for construct in sql.constructs:
        if dialect.name in construct.supported:
            continue
        match = construct.pattern.search(prepared.masked)
        if match is None:
            continue
        owners = " and ".join(sql.dialects[name].label for name in sorted(construct.supported) if name in sql.dialects)
        outcome = construct.error.get(dialect.name) or dialect.says("syntax_error")
        message = f"{construct.label} is {owners} syntax, but this project uses {dialect.label}: {outcome}"
        at = "at" if "at" in construct.pattern.groupindex else 0  # a pattern with context names the construct's place
        yield finding(ctx, prepared, "AL402", match.start(at), len(match.group(at).strip()) or 1, message, construct.fix)


def construct_offsets(prepared: Prepared, sql: SqlKnowledge) -> set[int]:
    """Statement indexes that hold an AL402 construct (their parse error would repeat it)."""
    dialect = prepared.dialect
    if dialect is None:
        return set()
    found = set()
    for index, item in enumerate(prepared.statements):
        for construct in sql.constructs:
            if dialect.name not in construct.supported and construct.pattern.search(item.statement.masked):
                found.add(index)
    return found


def syntax(ctx: CheckContext, prepared: Prepared, sql: SqlKnowledge) -> Iterator[Finding]:
    """AL401 for complete statements whose text is known exactly."""
    site = prepared.site
    if site.kind == "fragment" or site.sql is None or not site.sql.exact or site.database == OTHER_DATABASE:
        return  # code for Oracle / SQL Server / …: archlint has no grammar of theirs to judge by
    covered = construct_offsets(prepared, sql)
    for index, item in enumerate(prepared.statements):
        slip = next(((m, d) for p, d in sql.syntax_slips if (m := p.search(item.statement.masked))), None)
        if slip is not None:
            match, description = slip
            message = f"SQL has {description} (`{match.group(0).strip()}`): every database rejects it with a syntax error"
            yield finding(ctx, prepared, "AL401", item.statement.offset + match.start(), 1, message, _SYNTAX_FIX)
            continue
        if ROUTINE_DDL.match(item.statement.masked):
            continue  # DROP FUNCTION f(value TEXT), CREATE TYPE …: no grammar of ours to judge by
        parsed = parse_statement(prepared, item)
        if parsed.error is None or index in covered or item.holes:
            continue  # parsed, not understood (a Command), or built from runtime pieces
        others = [d for d in sql.dialects.values() if d is not prepared.dialect and parse_statement(prepared, item, d.sqlglot).ok]
        if prepared.dialect is None and (others or any(parse_statement(prepared, item, g).ok for g in sql.other_grammars)):
            continue  # valid somewhere, and we do not know where it runs
        error = parsed.error
        offset = item.statement.offset
        if error.line and item.normalised is not None:
            offset += item.original(line_col_to_offset(item.normalised.sql, error.line, error.column) - max(len(error.token), 1) + 1)
        where = f" near `{error.token}`" if error.token else ""
        dialect = prepared.dialect
        if dialect is not None:
            also = f" (it parses as {', '.join(d.label for d in others)})" if others else ""
            message = f"SQL does not parse as {dialect.label}{where}: {error.description}{also}; every run fails with {dialect.says('syntax_error')}"
        else:
            message = f"SQL does not parse in any supported dialect{where}: {error.description}; every run fails with a syntax error"
        yield finding(ctx, prepared, "AL401", offset, max(len(error.token), 1), message, _SYNTAX_FIX)


def placeholder_style(ctx: CheckContext, prepared: Prepared, sql: SqlKnowledge) -> Iterator[Finding]:
    """AL403 at the first placeholder the sink's paramstyle does not bind."""
    site = prepared.site
    if not site.style or site.sql is None or site.sql.how in ("percent", "format"):
        return
    accepted = sql.accepted_placeholders(site.style, site.database)
    if accepted is None:
        return
    wrong = next((p for p in prepared.placeholders if p.kind not in accepted), None)
    if wrong is None:
        return
    token = prepared.text[wrong.offset : wrong.offset + wrong.length]
    style = sql.paramstyles[site.style]
    owner = site.sink.label
    dialect = prepared.dialect
    if dialect is not None and wrong.kind in dialect.engine_placeholders:
        outcome = f"{dialect.label} reads it as a parameter nobody binds — NULL, so the condition matches no row — or the driver raises a parameter-count error"
    else:
        outcome = f"the statement fails with {dialect.says('syntax_error') if dialect is not None else 'a syntax error'}"
    message = f"`{token}` is not a placeholder {owner} binds (it expects {style.example}): it reaches the database as written, and {outcome}"
    guidance = f"Write every placeholder as {style.example} for {owner} and pass the values separately."
    yield finding(ctx, prepared, "AL403", wrong.offset, wrong.length, message, guidance)


# Terminal control in the SQL text, raw or as an escape the source spells out.
_TERMINAL_CONTROL = lazy_compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\\(?:x1[bB]|033|u001[bB]|e\[)")


def several_statements(ctx: CheckContext, prepared: Prepared) -> Iterator[Finding]:
    """AL413: several statements sent through a call that runs one."""
    site = prepared.site
    if site.kind != "statement" or len(prepared.statements) < 2:
        return
    if site.sql is not None and _TERMINAL_CONTROL.search(site.sql.text):
        return  # a `;` inside an ESC sequence (`\x1b[0;31m`) separates no statements: AL401 says the text is not SQL
    outcome = site.sink.single_statement or (site.sink.single_with_params if site.params else "")
    if not outcome:
        return
    second = prepared.statements[1].statement
    offset = second.offset + len(second.text) - len(second.text.lstrip())
    message = f"{len(prepared.statements)} statements in one `{site.call.callee}()` call: {outcome}"
    guidance = "Run one statement per call, or send a parameterless script through the script API (executescript() / exec())."
    yield finding(ctx, prepared, "AL413", offset, 1, message, guidance)
