"""The bind parameters a SQL text puts in its ``LIMIT`` and ``OFFSET`` clauses, read from sqlglot's tree.

AL442 (checks/query_numbers.py) asks which driver parameter a page size or offset takes:
asyncpg's ``LIMIT $2``, mysql2's ``LIMIT ?, ?`` (the second ``?`` the row count, the first the
offset), SQLAlchemy ``text()``'s ``OFFSET :offset``.  The text goes through the same lexer as
every other SQL rule (literals and comments masked, so a ``?`` inside ``'?'`` is no parameter;
placeholders rewritten to ``:name`` bind parameters every dialect parses) and the clauses are the
tree's ``Limit``/``Offset`` nodes whose value is a bare parameter — a ``LIMIT $1 + 1`` or a
``LIMIT`` in a subquery is found where it stands, and a string that does not parse is not judged.
Imported only when a call's first argument is a SQL statement with a placeholder, so files with no
raw SQL never load sqlglot.
"""

from __future__ import annotations

from archlint.domain.records import NamedTuple

from sqlglot import exp

from archlint.checks.sql.parser import parse
from archlint.domain.sql.lexer import (
    NAMED,
    PLACEHOLDER,
    Placeholder,
    mask,
    normalise,
    placeholders,
    split_statements,
)


class PagingParameter(NamedTuple):
    clause: str  # "LIMIT" or "OFFSET": what the value means, whatever the syntax (``LIMIT ?, ?``)
    placeholder: Placeholder  # offset relative to the whole text
    position: int  # among the text's placeholders of the same kind (the 0-based index of a `?`)


def paging_parameters(text: str, dialect: str) -> list[PagingParameter]:
    """The placeholders that are a whole ``LIMIT``/``OFFSET`` value, in text order."""
    masked = mask(text)
    found = placeholders(masked)
    if not found:
        return []
    found_kinds = [p.kind for p in found]
    result = []
    for statement in split_statements(text, masked):
        end = statement.offset + len(statement.text)
        own = [p for p in found if statement.offset <= p.offset < end]
        relative = [p._replace(offset=p.offset - statement.offset) for p in own]
        tree = parse(normalise(statement, [], relative, identifier_holes=False).sql, dialect).tree
        if tree is None:
            continue
        for node in tree.find_all(exp.Limit, exp.Offset):
            placeholder = _bound(node.expression, own)
            if placeholder is None:
                continue
            index = found.index(placeholder)
            position = found_kinds[:index].count(placeholder.kind)
            result.append(PagingParameter("LIMIT" if type(node) is exp.Limit else "OFFSET", placeholder, position))
    return sorted(result, key=lambda parameter: parameter.placeholder.offset)


def _bound(value, own: list[Placeholder]) -> Placeholder | None:
    """The statement's placeholder a clause value is: ``:__pN`` is the N-th placeholder (positional
    ones are numbered so), ``:name`` the first named one of that name."""
    if type(value) is not exp.Placeholder or not isinstance(value.this, str):
        return None
    name = value.this
    number = name[len(PLACEHOLDER):]
    if name.startswith(PLACEHOLDER) and number.isdigit() and int(number) < len(own):
        return own[int(number)]
    return next((p for p in own if p.kind in NAMED and p.name == name), None)
