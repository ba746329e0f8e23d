"""AL402's SERIAL is a column *type*: reported in a column definition of CREATE TABLE / ALTER TABLE … ADD
on SQLite (where it is no rowid alias and inserts store NULL ids), never for a column that is *named*
``serial`` (privacyidea's token migration: ``UPDATE token SET serial = SUBSTR(serial, 2)``)."""

from __future__ import annotations

from helpers import findings, make_repo

_PROJECT = {
    "requirements.txt": "\n",
    "app/db.py": "import sqlite3\nconn = sqlite3.connect('app.db')\n",
}


def _al402(tmp_path, body: str):
    source = "from app.db import conn\n\n\ndef migrate():\n" + body
    found = findings(make_repo(tmp_path, {**_PROJECT, "app/migrate.py": source}))
    return [(line, ) for rule, path, line in found if rule == "AL402" and path == "app/migrate.py"]


def test_serial_column_type_in_create_table_on_sqlite(tmp_path):
    body = ('    conn.execute("""CREATE TABLE IF NOT EXISTS tokens (\n'
            '        id SERIAL PRIMARY KEY,\n'
            '        serial TEXT NOT NULL)""")\n')
    assert _al402(tmp_path, body) == [(6,)]  # the type on the `id` line, not the column named serial


def test_bigserial_added_by_alter_table(tmp_path):
    assert _al402(tmp_path, '    conn.execute("ALTER TABLE tokens ADD COLUMN seq BIGSERIAL")\n') == [(5,)]


def test_a_column_named_serial_is_not_the_type(tmp_path):
    body = ('    conn.execute("UPDATE tokens SET serial = SUBSTR(serial, 2) WHERE serial LIKE \'x%\'")\n'
            '    conn.execute("SELECT serial, id FROM tokens ORDER BY serial")\n'
            '    conn.execute("CREATE INDEX ix_serial ON tokens (serial)")\n')
    assert _al402(tmp_path, body) == []
