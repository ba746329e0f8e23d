"""sqlglot, wrapped: one statement in, a tree or a located error out — cached by text.

The same query text recurs (constants used by several sinks, identical statements across files,
the schema DDL parsed once for the schema and once as a statement), so parses are memoised on
``(sql, dialect)``.  With ``sqlglotc`` installed (``pip install "archlint[fast]"``) sqlglot's
modules are compiled overlays — same import, ~3.5× faster parsing (reference §4.2); nothing here
changes, :data:`COMPILED` only reports it.

sqlglot never raises on purpose for unknown statements: it logs a warning and returns an
``exp.Command``.  Those are "not understood", not errors, so the logger is silenced and a
``Command`` is returned as ``tree=None, error=None``.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from archlint.domain.records import NamedTuple

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, TokenError

try:
    from sqlglot.tokens import SQLGLOTC_INSTALLED as COMPILED
except ImportError:  # pragma: no cover - older sqlglot
    COMPILED = False

logging.getLogger("sqlglot").setLevel(logging.CRITICAL)


class ParseFailure(NamedTuple):
    description: str
    line: int  # 1-based in the parsed text; 0 when sqlglot gave no position
    column: int
    token: str = ""  # the offending token (sqlglot's "highlight")


class Parsed(NamedTuple):
    tree: exp.Expression | None
    error: ParseFailure | None

    @property
    def ok(self) -> bool:
        return self.error is None


@lru_cache(maxsize=8192)
def parse(sql: str, dialect: str) -> Parsed:
    try:
        trees = [tree for tree in sqlglot.parse(sql, read=dialect, error_level=ErrorLevel.RAISE) if tree is not None]
    except ParseError as error:
        first = error.errors[0] if error.errors else {}
        failure = ParseFailure(
            _describe(first.get("description") or str(error)), first.get("line") or 0, first.get("col") or 0,
            (first.get("highlight") or "").strip(),
        )
        return Parsed(None, failure)
    except TokenError as error:
        return Parsed(None, ParseFailure(_describe(str(error)), 0, 0))
    except Exception:  # noqa: BLE001 - a sqlglot bug on odd input must not abort the run
        return Parsed(None, None)
    if len(trees) != 1 or isinstance(trees[0], exp.Command):
        return Parsed(None, None)
    return Parsed(trees[0], None)


def _describe(description: str) -> str:
    """sqlglot's wording, minus its position suffix and Python class reprs."""
    description = description.split(". Line ")[0].strip().rstrip(".")
    return re.sub(r"<class '[\w.]+\.(\w+)'>", lambda m: m.group(1).upper(), description)
