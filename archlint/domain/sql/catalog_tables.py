"""The databases' own catalog tables and views: names an application's SQL reads that no project
schema declares — SQLite's ``sqlite_master``, PostgreSQL's ``pg_*`` and ``information_schema``,
Oracle's ``dual``, its ``ALL_``/``USER_``/``DBA_``/``CDB_`` data dictionary views and ``V$``
dynamic views (directus/api's ``select SUM(bytes) from dba_segments``).  One definition, read by
the rules that judge table names (AL411 unknown tables, AL419 unknown qualifiers)."""

from __future__ import annotations

import re

from archlint.domain.lazy_regex import LazyPattern, lazy_compile

_DICTIONARY_VIEWS = (
    "tables|tab_columns|tab_cols|segments|objects|constraints|cons_columns|indexes|ind_columns|sequences|views|users"
    "|triggers|synonyms|source|tab_comments|col_comments|procedures|dependencies|tablespaces|data_files|free_space"
    "|extents|tab_privs|role_privs|sys_privs"
)
CATALOG_TABLE = rf"sqlite_\w+|pg_\w+|information_schema|dual|(all|user|dba|cdb)_({_DICTIONARY_VIEWS})|v\$\w+"


def catalog_pattern(*extra: str) -> LazyPattern:
    """A whole-name, case-insensitive match of a catalog table, or of one of the ``extra`` patterns
    a rule adds (the ``excluded``/``new``/``old`` pseudo-tables a qualifier may name); compiled on
    first use (~2 ms: the rules that read it run only on SQL text)."""
    return lazy_compile(rf"^({'|'.join((CATALOG_TABLE, *extra))})$", re.IGNORECASE)
