"""How a None row fails depends on how it is read, and AL220 names that failure: ``row["x"]`` is
not subscriptable, ``dict(row)`` (how agents serialise asyncpg/sqlite3 records) is not iterable,
``{**row}`` is not a mapping.  A message that names the wrong TypeError sends the reader looking
for the wrong line."""

from __future__ import annotations

from helpers import make_repo, report

REPO = '''
import aiosqlite


async def _row(db: aiosqlite.Connection, slug):
    cursor = await db.execute("SELECT slug, title FROM articles WHERE slug = ?", (slug,))
    return await cursor.fetchone()


async def as_subscript(db: aiosqlite.Connection, slug):
    row = await _row(db, slug)
    return row["title"]


async def as_dict(db: aiosqlite.Connection, slug):
    row = await _row(db, slug)
    return dict(row)


async def as_spread(db: aiosqlite.Connection, slug):
    row = await _row(db, slug)
    return {**row, "favorited": False}


async def checked(db: aiosqlite.Connection, slug):
    row = await _row(db, slug)
    return dict(row) if row is not None else None
'''


def test_each_read_of_a_none_row_names_its_own_type_error(tmp_path):
    repo = make_repo(tmp_path, {"app/repo.py": REPO, "requirements.txt": "aiosqlite\n"})
    messages = {f.line: f.message for f in report(repo).findings if f.rule == "AL220"}
    assert sorted(messages) == [11, 16, 21]
    assert "'NoneType' object is not subscriptable" in messages[11]
    assert "'NoneType' object is not iterable" in messages[16]
    assert "'NoneType' object is not a mapping" in messages[21]
