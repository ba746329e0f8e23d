"""Embedded SQL as data: which database the project uses, which calls carry SQL, what the SQL
text is and which parts of it are interpolated — all pure functions of the facts.

* :mod:`.knowledge` — typed views of ``rules/knowledge/sql_dialects.toml``;
* :mod:`.database` — :func:`detect_database`, reusable by any command that asks
  "which database does this project use";
* :mod:`.sites` — :func:`sql_sites`, every SQL text that reaches a SQL sink;
* :mod:`.compose`, :mod:`.holes` — how an argument builds its SQL, and what each hole holds;
* :mod:`.lexer` — masking, statements, placeholders and the rewrite sqlglot needs;
* :mod:`.location` — offsets in a SQL text back to line/column in the host file.

Parsing with sqlglot is the checks' job (``archlint.checks.sql``): the domain layer stays free of
third-party parsers.
"""

from archlint.domain.sql.database import DatabaseChoice, Evidence, asyncpg_signal, detect_database, urls_in
from archlint.domain.sql.knowledge import SqlKnowledge, sql_knowledge
from archlint.domain.sql.sites import SqlSite, SqlText, sql_sites

__all__ = [
    "urls_in",
    "DatabaseChoice",
    "Evidence",
    "SqlKnowledge",
    "SqlSite",
    "SqlText",
    "asyncpg_signal",
    "detect_database",
    "sql_knowledge",
    "sql_sites",
]
