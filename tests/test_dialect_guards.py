"""SQL judged in the database it runs on: a dialect test (``if bind.dialect.name == "postgresql":``)
or a PostgreSQL-only module (``pgvector.py``) decides it, not the project's default database
(open-webui's chats.py and pgvector.py run on SQLite by default and on PostgreSQL when configured)."""

from __future__ import annotations

from helpers import findings, make_repo

_SQLITE_PROJECT = {
    "requirements.txt": "sqlalchemy\naiosqlite\n",
    "app/db.py": (
        "from sqlalchemy.ext.asyncio import create_async_engine\n"
        "engine = create_async_engine('sqlite+aiosqlite:///data/webui.db')\n"
    ),
    "app/models.py": (
        "from sqlalchemy import Column, String, Text\n"
        "from sqlalchemy.orm import declarative_base\n"
        "Base = declarative_base()\n"
        "class Chat(Base):\n"
        "    __tablename__ = 'chat'\n"
        "    id = Column(String, primary_key=True)\n"
        "    title = Column(Text)\n"
        "    chat = Column(Text)\n"
    ),
}


def _rules(tmp_path, files, *rules):
    found = findings(make_repo(tmp_path, {**_SQLITE_PROJECT, **files}))
    return [f for f in found if f[0] in rules]


_SEARCH = """
from sqlalchemy import select, text
from app.models import Chat


async def search_chats(session, user_id):
    stmt = select(Chat).where(Chat.id == user_id)
    bind = await session.connection()
    dialect_name = bind.dialect.name
    if dialect_name == 'sqlite':
        stmt = stmt.filter(text("json_valid(Chat.chat)"))
    elif dialect_name == 'postgresql':
        stmt = stmt.filter(text("Chat.title::text NOT LIKE '%x%'"))
    else:
        raise NotImplementedError(f'Unsupported dialect: {dialect_name}')
    return (await session.execute(stmt)).scalars().all()
"""


def test_postgres_sql_inside_a_postgresql_branch_is_not_judged_as_sqlite(tmp_path):
    assert _rules(tmp_path, {"app/chats.py": _SEARCH}, "AL401", "AL402") == []


def test_postgres_sql_inside_the_sqlite_branch_still_fires(tmp_path):
    swapped = _SEARCH.replace("'sqlite'", "'__tmp__'").replace("'postgresql'", "'sqlite'").replace("'__tmp__'", "'postgresql'")
    found = _rules(tmp_path, {"app/chats.py": swapped}, "AL402")
    assert [(rule, path) for rule, path, _ in found] == [("AL402", "app/chats.py")]
    assert found[0][2] == 12  # the `::` in the branch that runs on SQLite


def test_postgres_sql_after_an_early_return_for_other_databases_is_not_judged_as_sqlite(tmp_path):
    files = {
        "app/indexes.py": """
            from sqlalchemy import text
            from app.db import engine


            async def create_trigram_index():
                if engine.dialect.name != "postgresql":
                    return
                async with engine.begin() as conn:
                    await conn.execute(text("CREATE INDEX IF NOT EXISTS chat_title_trgm ON chat USING gin ((title::text) gin_trgm_ops)"))
        """,
    }
    assert _rules(tmp_path, files, "AL401", "AL402") == []


def test_an_early_return_on_postgresql_leaves_the_rest_to_sqlite(tmp_path):
    files = {
        "app/indexes.py": """
            from sqlalchemy import text
            from app.db import engine


            async def create_title_index():
                if engine.dialect.name == "postgresql":
                    return
                async with engine.begin() as conn:
                    await conn.execute(text("SELECT id FROM chat WHERE title::text LIKE 'a%'"))
        """,
    }
    assert [r for r, _, _ in _rules(tmp_path, files, "AL402")] == ["AL402"]


def test_a_dialect_local_reassigned_from_elsewhere_decides_nothing(tmp_path):
    files = {
        "app/chats.py": """
            from sqlalchemy import text


            async def count(session, override):
                dialect_name = (await session.connection()).dialect.name
                if override:
                    dialect_name = override
                if dialect_name == 'postgresql':
                    return (await session.execute(text("SELECT count(*) FROM chat WHERE title::text LIKE 'a%'"))).scalar()
                return 0
        """,
    }
    assert [r for r, _, _ in _rules(tmp_path, files, "AL402")] == ["AL402"]


_FTS = '''
from sqlalchemy import text
from app.db import engine


class {cls}:
    def __init__(self, session):
        self.session = session

    def search(self, collection_name, query, limit):
        return self.session.execute(
            text("""
                SELECT document_chunk.id AS id
                FROM document_chunk
                WHERE document_chunk.collection_name = :collection_name
                  AND to_tsvector('simple', document_chunk.text) @@ plainto_tsquery('simple', :query)
                LIMIT :limit
            """),
            {{'collection_name': collection_name, 'query': query, 'limit': limit}},
        ).fetchall()
'''


def test_a_pgvector_client_module_runs_on_postgresql(tmp_path):
    files = {"app/vector/dbs/pgvector.py": _FTS.format(cls="PgvectorClient")}
    assert _rules(tmp_path, files, "AL401", "AL402") == []


def test_the_same_search_in_a_module_for_no_database_is_judged_as_sqlite(tmp_path):
    files = {"app/vector/dbs/search.py": _FTS.format(cls="ChunkSearch")}
    assert [r for r, _, _ in _rules(tmp_path, files, "AL401", "AL402")] == ["AL401"]


_NOT_SQLITE = """
from sqlalchemy import text


async def vacuum(session):
    bind = await session.connection()
    if bind.dialect.name != 'sqlite':
        await session.execute(text("SELECT chat::text FROM chat"))
    else:
        await session.execute(text("SELECT chat::text FROM chat"))
"""


def test_a_test_that_rules_the_project_database_out_is_not_judged_in_it(tmp_path):
    # `!= 'sqlite'` true: the branch runs on some other database, not the project's SQLite; its
    # `else` runs on SQLite and the `::` cast there still fires
    found = _rules(tmp_path, {"app/maint.py": _NOT_SQLITE}, "AL402")
    assert [(rule, line) for rule, _, line in found] == [("AL402", 9)]  # the else (SQLite) only


_KNEX_PROJECT = {
    "package.json": '{"name": "app", "dependencies": {"knex": "^3.1.0", "pg": "^8.11.0", "sqlite3": "^5.1.7"}}',
    "src/db.js": "const knex = require('knex');\nmodule.exports = knex({ client: 'pg', connection: process.env.DATABASE_URL });\n",
}

_KNEX_UPSERT = """const db = require('./db');

async function touch(id) {
  if (db.client.config.client === 'sqlite3') {
    await db.raw('INSERT OR IGNORE INTO seen (id) VALUES (?)', [id]);
  } else {
    await db.raw('INSERT INTO seen (id) VALUES (?) ON CONFLICT DO NOTHING', [id]);
  }
  await db.raw('INSERT OR IGNORE INTO seen (id) VALUES (?)', [id]);
}

module.exports = { touch };
"""


def test_knex_client_name_guards_its_branch(tmp_path):
    found = findings(make_repo(tmp_path, {**_KNEX_PROJECT, "src/seen.js": _KNEX_UPSERT}))
    assert [(rule, path, line) for rule, path, line in found if rule == "AL402"] == [("AL402", "src/seen.js", 9)]
