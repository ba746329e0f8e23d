"""The s53 agent-style pairs (issue 12): Conduit under Clean Architecture in shapes the earlier fixtures do not
have — Express over raw better-sqlite3 and Koa over a raw `pg.Pool` (the study's CA + database tasks without an
ORM: repository classes over the connection, services taking them by destructured constructor parameters from a
composition root), FastAPI over the stdlib sqlite3 driver injected as `Annotated[sqlite3.Connection,
Depends(get_conn)]`, and Django + django-ninja routers over SQLAlchemy 2.0 with a unit-of-work class (the study's
Django + SQLAlchemy task).  `archlint verify` must give every verdict right on both twins, the ORM verdict
included; the focused tests pin the general causes the pairs exposed."""

from __future__ import annotations

from pathlib import Path

import pytest

from archlint.application.pipeline import Options
from archlint.application.verify import Constraints, parse_task, run_verify
from helpers import findings, make_repo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ALL = {"framework": True, "architecture": True, "database": True}

CASES = [
    # a route querying the connection fails the architecture on each bugs twin; the raw-driver apps fail an
    # ORM requirement (both twins), the SQLAlchemy one passes it and fails the Django ORM
    ("agent-express-better-sqlite", "node-express-openapi-clean_architecture-sqlite", "sequelize"),
    ("agent-fastapi-sqlite3-annotated", "uv-fastapi-openapi-clean_architecture-sqlite", "sqlalchemy"),
    ("agent-koa-pg-pool", "node-koa-openapi-clean_architecture-postgres", "sequelize"),
    ("agent-ninja-sqlalchemy", "uv-django-openapi-clean_architecture-sqlite-sqlalchemy", "django"),
]


@pytest.mark.parametrize("name, task, other_orm", CASES, ids=[case[0] for case in CASES])
def test_both_twins_get_the_right_verdicts(name, task, other_orm):
    parsed = parse_task(task)
    expected_correct = {**ALL, **({"orm": True} if parsed.orm else {})}
    for variant, expected in (("bugs", {**expected_correct, "architecture": False}), ("correct", expected_correct)):
        root = str(FIXTURES / f"{name}-{variant}")
        result = run_verify(root, parsed, options=Options(use_cache=False))
        got = {verdict.constraint: verdict.compliant for verdict in result.verdicts}
        assert got == expected, (variant, [verdict.reason for verdict in result.verdicts])
        orm = run_verify(root, Constraints(orm=other_orm), options=Options(use_cache=False))
        assert {verdict.constraint: verdict.compliant for verdict in orm.verdicts} == {"orm": False}, variant


_BETTER_SQLITE = {
    "package.json": '{"dependencies": {"express": "^4.19.2", "better-sqlite3": "^11.3.0"}}',
    "src/db.js": """
        const Database = require('better-sqlite3');
        const db = new Database('conduit.sqlite');
        db.exec('CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT, username TEXT)');
        module.exports = db;
    """,
    "src/repositories/userRepository.js": """
        class UserRepository {
          constructor(db) {
            this.db = db;
          }

          findById(id) {
            return this.db.prepare('SELECT id, email, username FROM users WHERE id = ?').get(id);
          }

          insert({ email, username }) {
            const info = this.db.prepare('INSERT INTO users (email, username) VALUES (?, ?)').run(email, username);
            return this.findById(info.lastInsertRowid);
          }
        }

        module.exports = UserRepository;
    """,
    "src/services/userService.js": """
        class UserService {
          constructor({ users }) {
            this.users = users;
          }

          register({ email, username }) {
            const user = this.users.insert({ email, username });
            return { email: user.email, username: user.username };
          }
        }

        module.exports = UserService;
    """,
    "src/routes/users.js": """
        const express = require('express');

        module.exports = function usersRouter({ userService }) {
          const router = express.Router();
          router.post('/users', (req, res) => {
            res.status(201).json({ user: userService.register(req.body.user || {}) });
          });
          return router;
        };
    """,
    "src/app.js": """
        const express = require('express');
        const db = require('./db');
        const UserRepository = require('./repositories/userRepository');
        const UserService = require('./services/userService');
        const usersRouter = require('./routes/users');

        const app = express();
        app.use(express.json());
        app.use('/api', usersRouter({ userService: new UserService({ users: new UserRepository(db) }) }));
        module.exports = app;
    """,
}


def test_a_lookup_by_the_inserted_row_id_finds_the_row(tmp_path):
    """`info = stmt.run(INSERT …)` then `.get(info.lastInsertRowid)`: the re-read of the row the insert just stored
    finds it, so reading the returned user unchecked is no AL220.  Before, the key was an unknown value and the
    re-read answered `row | undefined`.  The same lookup keyed by the client's id still fires."""
    root = make_repo(tmp_path / "inserted", _BETTER_SQLITE)
    assert findings(root, select=["AL220"]) == []
    repository = root / "src" / "repositories" / "userRepository.js"
    repository.write_text(repository.read_text().replace("this.findById(info.lastInsertRowid)", "this.findById(email)"))
    assert ("AL220", "src/services/userService.js", 8) in findings(root, select=["AL220"])


def test_sqlite3_cursor_lastrowid_is_the_inserted_row_key(tmp_path):
    """Python's sqlite3: `cur = conn.execute("INSERT …")` then `SELECT … WHERE id = ?` with `cur.lastrowid`
    re-reads the row just stored — `fetchone()` of it finds the row."""
    files = {
        "requirements.txt": "fastapi\n",
        "app/repositories/users.py": """
            import sqlite3


            def insert_user(conn: sqlite3.Connection, email: str, username: str):
                cur = conn.execute("INSERT INTO users (email, username) VALUES (?, ?)", (email, username))
                row = conn.execute("SELECT id, email, username FROM users WHERE id = ?", (cur.lastrowid,)).fetchone()
                return {"id": row["id"], "email": row["email"], "username": row["username"]}


            def by_email(conn: sqlite3.Connection, email: str):
                row = conn.execute("SELECT id, email, username FROM users WHERE email = ?", (email,)).fetchone()
                return {"id": row["id"], "email": row["email"]}
        """,
    }
    root = make_repo(tmp_path / "py", files)
    got = findings(root, select=["AL220"])
    assert [line for rule, path, line in got] == [12], got


_UPDATE_REPOSITORY = """
    const EDITABLE = ['title', 'description', 'body'];

    class ArticleRepository {
      constructor(db) {
        this.db = db;
      }

      update(id, changes) {
        const columns = EDITABLE.filter((column) => changes[column] !== undefined);
        const assignments = columns.map((column) => `${column} = @${column}`).join(', ');
        this.db.prepare(`UPDATE articles SET ${assignments} WHERE id = @id`).run({ ...changes, id });
      }
    }

    module.exports = ArticleRepository;
"""


def _update_app(tmp_path, repository):
    return make_repo(tmp_path, {
        "package.json": '{"dependencies": {"better-sqlite3": "^11.3.0"}}',
        "src/repositories/articleRepository.js": repository,
    })


def test_js_filter_and_map_of_a_fixed_column_list_are_fixed_text(tmp_path):
    """`EDITABLE.filter(cb).map((c) => `${c} = @${c}`).join(', ')` over a constant list of column names splices only
    the code's own text (the IR lowers the inline callbacks to loops): no AL502.  Before, a JS array method's
    loop was no fixed value.  The same over `Object.keys(req-supplied changes)` stays reported."""
    root = _update_app(tmp_path / "fixed", _UPDATE_REPOSITORY)
    assert findings(root, select=["AL502"]) == []
    client = _UPDATE_REPOSITORY.replace("EDITABLE.filter((column) => changes[column] !== undefined)", "changes.fields")
    root = _update_app(tmp_path / "client", client)
    assert [rule for rule, _p, _l in findings(root, select=["AL502"])] == ["AL502"]


def test_a_conditional_hole_choosing_fixed_texts_is_fixed(tmp_path):
    """`${assignments ? `${assignments}, ` : ''}`: a conditional hole whose branches are fixed text (a JS hole's text
    is its source, which the Python rendering of the IR never equals) — no AL502.  A branch with the client's
    value stays reported."""
    fixed = _UPDATE_REPOSITORY.replace("SET ${assignments} WHERE", "SET ${assignments ? `${assignments}, ` : ''}updated_at = 1 WHERE")
    root = _update_app(tmp_path / "cond", fixed)
    assert findings(root, select=["AL502"]) == []
    client = fixed.replace("`${assignments}, ` : ''", "`${assignments}, ` : changes.extra")
    root = _update_app(tmp_path / "cond-client", client)
    assert [rule for rule, _p, _l in findings(root, select=["AL502"])] == ["AL502"]


_PRESENTER_APP = {
    "requirements.txt": "fastapi\n",
    "app/repositories/users.py": """
        import sqlite3


        class UserRepository:
            def __init__(self, conn: sqlite3.Connection):
                self.conn = conn

            def by_id(self, user_id: int):
                return self.conn.execute("SELECT id, username FROM users WHERE id = ?", (user_id,)).fetchone()

            def articles(self):
                return self.conn.execute("SELECT id, title, author_id FROM articles WHERE id > ?", (0,)).fetchall()
    """,
    "app/services/presenter.py": """
        from app.repositories.users import UserRepository


        def present(users: UserRepository, row) -> dict:
            author = users.by_id(row["author_id"])
            return {"title": row["title"], "author": author["username"]}
    """,
    "app/api/routes.py": """
        import sqlite3

        from fastapi import APIRouter, Body

        from app.repositories.users import UserRepository
        from app.services.presenter import present

        router = APIRouter()


        @router.get("/articles")
        def articles() -> list:
            users = UserRepository(sqlite3.connect("app.db"))
            return [present(users, row) for row in users.articles()]
    """,
}


def test_a_driver_lookup_keyed_by_a_parameter_rows_column_is_judged_by_the_callers(tmp_path):
    """`users.by_id(row["author_id"])` in `present(users, row)`, `by_id` running `execute(…, (user_id,))` and
    `fetchone()`: the key is a column of the row the callers pass — a stored row's foreign key for a caller looping
    over fetched rows — so `author["username"]` is no AL220.  Before, a subscript of a parameter was no parameter
    column and the cursor dropped the key between `execute` and `fetchone`: the helper's own analysis reported the
    read.  A caller passing the request body (the client's id) still gets it reported."""
    root = make_repo(tmp_path / "rows", _PRESENTER_APP)
    assert findings(root, select=["AL220"]) == []
    routes = root / "app" / "api" / "routes.py"
    routes.write_text(routes.read_text() + """

@router.post("/preview")
def preview(payload: dict = Body()) -> dict:
    return present(UserRepository(sqlite3.connect("app.db")), payload)
""")
    assert [(rule, path) for rule, path, _line in findings(root, select=["AL220"])] == [("AL220", "app/services/presenter.py")]


_KOA_REPOS = {
    "package.json": '{"type": "module", "dependencies": {"koa": "^2.15.3", "@koa/router": "^13.1.0", "pg": "^8.12.0"}}',
    "src/db.js": """
        import pg from 'pg';

        export const pool = new pg.Pool({ host: 'postgres', database: 'conduit' });
    """,
    "src/repositories/userRepository.js": """
        export class UserRepository {
          constructor(pool) {
            this.pool = pool;
          }

          async findById(id) {
            const { rows } = await this.pool.query('SELECT id, username FROM users WHERE id = $1', [id]);
            return rows[0];
          }
        }
    """,
    "src/repositories/articleRepository.js": """
        export class ArticleRepository {
          constructor(pool) {
            this.pool = pool;
          }

          async list() {
            const { rows } = await this.pool.query('SELECT id, title, author_id FROM articles ORDER BY id LIMIT 20');
            return rows;
          }
        }
    """,
    "src/services/presenters.js": """
        export async function presentArticle({ users }, row) {
          const author = await users.findById(row.author_id);
          return { title: row.title, author: author && author.username };
        }
    """,
    "src/services/articleService.js": """
        import { presentArticle } from './presenters.js';

        export class ArticleService {
          constructor({ articles, users }) {
            this.articles = articles;
            this.repos = { articles, users };
          }

          async list() {
            const rows = await this.articles.list();
            return Promise.all(rows.map((row) => presentArticle(this.repos, row)));
          }
        }
    """,
    "src/routes/index.js": """
        import Router from '@koa/router';

        export function buildRouter({ articleService }) {
          const router = new Router({ prefix: '/api' });
          router.get('/articles', async (ctx) => {
            ctx.body = { articles: await articleService.list() };
          });
          return router;
        }
    """,
    "src/app.js": """
        import Koa from 'koa';
        import { pool } from './db.js';
        import { ArticleRepository } from './repositories/articleRepository.js';
        import { UserRepository } from './repositories/userRepository.js';
        import { ArticleService } from './services/articleService.js';
        import { buildRouter } from './routes/index.js';

        const articles = new ArticleRepository(pool);
        const users = new UserRepository(pool);
        export const app = new Koa();
        app.use(buildRouter({ articleService: new ArticleService({ articles, users }) }).routes());
    """,
}


def test_a_field_holding_an_object_of_constructor_parameters_keeps_the_composition_roots_values(tmp_path):
    """`this.repos = { articles, users }` in `constructor({ articles, users })`, handed to a presenter that
    destructures `{ users }` and looks the author up per row: the constructor analysed on its own wrote an object
    of unknowns, which joined with the composition root's repositories and hid them — the N+1 was missed.  An
    object of unknowns now adds nothing to the field, as `UNKNOWN` does (test fails on the old code)."""
    root = make_repo(tmp_path / "repos", _KOA_REPOS)
    assert ("AL601", "src/services/articleService.js", 11) in findings(root, select=["AL601"])


def test_rows_0_of_a_node_postgres_lookup_may_be_undefined(tmp_path):
    """`const { rows } = await pool.query(\\`SELECT ${COLUMNS} FROM users WHERE username = $1\\`, [name]); return rows[0];`
    then `user.id` in the service: no row matched → `undefined` (AL220, at the read, origin the query).  Before,
    every subscript of rows was left unjudged and a template literal SQL was no lookup.  A checked read, and
    `rows[0]` of `SELECT COUNT(*)` (always one row), stay silent."""
    files = {
        "package.json": '{"type": "module", "dependencies": {"pg": "^8.12.0"}}',
        "src/repositories/userRepository.js": """
            const COLUMNS = 'id, username, bio';

            export class UserRepository {
              constructor(pool) {
                this.pool = pool;
              }

              async findByUsername(username) {
                const { rows } = await this.pool.query(`SELECT ${COLUMNS} FROM users WHERE username = $1`, [username]);
                return rows[0];
              }

              async countFollowers(id) {
                const { rows } = await this.pool.query('SELECT COUNT(*) AS n FROM follows WHERE followed_id = $1', [id]);
                return rows[0].n;
              }
            }
        """,
        "src/services/profileService.js": """
            export class ProfileService {
              constructor({ users }) {
                this.users = users;
              }

              async get(username) {
                const user = await this.users.findByUsername(username);
                return { username: user.username, followers: await this.users.countFollowers(user.id) };
              }

              async checked(username) {
                const user = await this.users.findByUsername(username);
                if (!user) return null;
                return { username: user.username };
              }
            }
        """,
        "src/app.js": """
            import pg from 'pg';
            import { UserRepository } from './repositories/userRepository.js';
            import { ProfileService } from './services/profileService.js';

            const pool = new pg.Pool({ host: 'postgres', database: 'conduit' });
            export const profiles = new ProfileService({ users: new UserRepository(pool) });
        """,
    }
    root = make_repo(tmp_path / "pg", files)
    assert [(rule, path, line) for rule, path, line in findings(root, select=["AL220"])] == [
        ("AL220", "src/services/profileService.js", 8)]
