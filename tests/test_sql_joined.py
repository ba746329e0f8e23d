"""SQL assembled from a list of clauses (``append``/``push``/``extend``/``unshift``/``+=`` then ``join``):
the elements' holes are holes of the SQL the sink receives (archlint/domain/sql/joined.py)."""

from __future__ import annotations

from helpers import findings, make_repo

_PY_HEAD = """
from sqlalchemy import text


def search(session, author, tag, cond):
"""


def _py(tmp_path, body: str):
    source = _PY_HEAD + "".join(f"    {line}\n" for line in body.strip("\n").splitlines())
    make_repo(tmp_path, {"app/search.py": source, "requirements.txt": "sqlalchemy\n"})
    return [(rule, line) for rule, _path, line in findings(tmp_path, select=("AL502", "AL503"))]


def test_python_appended_fstring_is_a_hole_of_the_joined_sql(tmp_path):
    assert _py(tmp_path, """
clauses = []
if author:
    clauses.append(f"u.username = '{author}'")
sql = "SELECT id FROM articles a JOIN users u ON u.id = a.author_id WHERE " + " AND ".join(clauses)
return session.execute(text(sql))
""") == [("AL502", 7)]


def test_python_placeholders_and_unknown_elements_give_no_hole(tmp_path):
    # `cond` is no SQL text built here: left out, like an unrecorded `q += where` step (no hole invented)
    assert _py(tmp_path, """
clauses = ["a.deleted = 0"]
if author:
    clauses.append("u.username = :author")
clauses.append(cond)
sql = "SELECT id FROM articles a JOIN users u ON u.id = a.author_id WHERE " + " AND ".join(clauses)
return session.execute(text(sql), {"author": author})
""") == []


def test_python_extend_of_a_percent_element(tmp_path):
    assert _py(tmp_path, """
parts = []
parts.extend(["t.name = '%s'" % tag])
return session.execute(text("SELECT id FROM tags t WHERE " + " OR ".join(parts)))
""") == [("AL502", 6)]


def test_python_join_without_rebuildable_list_keeps_the_old_reading(tmp_path):
    # a comprehension is not replayed: the text comes from the `+` steps as before, its join a folded hole
    assert _py(tmp_path, """
names = ["title", "slug"]
sql = "SELECT " + ", ".join(n for n in names) + " FROM articles"
return session.execute(text(sql))
""") == []


def _js(tmp_path, body: str):
    source = "import { sequelize } from './db.js';\n\nexport async function search({ author, tag }) {\n" + "".join(
        f"  {line}\n" for line in body.strip("\n").splitlines()) + "}\n"
    make_repo(tmp_path, {
        "src/search.js": source,
        "src/db.js": "import { Sequelize } from 'sequelize';\nexport const sequelize = new Sequelize('sqlite::memory:');\n",
        "package.json": '{"type": "module", "dependencies": {"sequelize": "^6.0.0"}}',
    })
    return [(rule, line) for rule, _path, line in findings(tmp_path, select=("AL502", "AL503"))]


def test_js_unshift_and_default_separator(tmp_path):
    assert _js(tmp_path, """
const where = [];
if (tag) where.unshift(`t.name = '${tag}'`);
const sql = 'SELECT id FROM tags t WHERE ' + where.join();
return sequelize.query(sql);
""") == [("AL502", 5)]


def test_js_conditional_clause_with_replacements_is_silent(tmp_path):
    assert _js(tmp_path, """
const where = [];
if (author) where.push('u.username = :author');
const sql = ['SELECT a.id FROM articles a JOIN users u ON u.id = a.authorId', where.length ? 'WHERE ' + where.join(' AND ') : ''].join(' ');
return sequelize.query(sql, { replacements: { author } });
""") == []
