"""Issue 11 (the TypeScript full check): a JS/TS module whose top level only declares names has a lazy
environment (``semantics/module_env.py``) — a declaration is interpreted when something reads one of its
names, so a module nothing reads a name from is never interpreted, nor are the modules only its unread
declarations would import.  A module whose top level does something else keeps the eager, whole,
in-order interpretation."""

from __future__ import annotations

from helpers import findings, make_repo, report

from archlint.semantics import values as v

APP = {
    "package.json": '{"dependencies": {"pg": "^8"}}',
    "src/db.ts": """
        import { Pool } from "pg";
        import * as Queries from "./queries";
        import { started } from "./boot";
        export const pool = new Pool();
        export async function findUser(id: string) {
          return pool.query("SELECT * FROM users WHERE id = $1 LIMIT $2", [id, Queries.pageSize, started]);
        }
        export async function listUsers(ids: string[]) {
          for (const id of ids) {
            await pool.query("SELECT * FROM users WHERE id = $1", [id]);
          }
        }
        """,
    # declarations only (and no data-layer mark: loaded on demand): `pageSize` is read; `title`
    # (which would import ./heavy) is not
    "src/queries.ts": """
        import { render } from "./heavy";
        export const pageSize = 20;
        export const title = render("orders");
        export function unusedHelper() {
          return 1;
        }
        """,
    "src/heavy.ts": """
        export const render = (name: string) => `Report of ${name}`;
        """,
    # a top-level call: not declarations only, interpreted whole when a name is read
    "src/boot.ts": """
        export const started = Date.now();
        console.log("booting");
        """,
}


def test_only_the_declarations_read_are_interpreted(tmp_path):
    root = make_repo(tmp_path, APP)
    program = report(root, jobs=1).context.program
    program.analyses()
    queries = program.lazy_env("src/queries.ts")
    assert queries is not None
    assert "pageSize" in dict.keys(queries) and "title" not in dict.keys(queries)
    assert queries.runs == 1  # `pageSize` alone: `title` and `unusedHelper` never ran
    assert "src/queries.ts" not in program._module_envs  # the whole environment was never asked for
    # the declaration nobody read is the only reader of ./heavy: nothing of it was interpreted
    assert "src/heavy.ts" not in program._module_envs and "src/heavy.ts" not in program._lazy_envs
    assert program.module_global("src/queries.ts", "pageSize") == v.Const(20)
    # a module with a top-level statement that is not a declaration: whole, as before
    assert program.lazy_env("src/boot.ts") is None
    assert "src/boot.ts" in program._module_envs


def test_the_whole_environment_runs_every_declaration_in_order(tmp_path):
    root = make_repo(tmp_path, APP)
    program = report(root, jobs=1).context.program
    program.analyses()
    env = program.module_env("src/queries.ts")  # a reader that wants every name (a copy of the module scope)
    assert env is program.lazy_env("src/queries.ts")
    assert {"pageSize", "title", "unusedHelper"} <= set(dict.keys(env))
    assert env.runs == 3
    assert program.lazy_env("src/heavy.ts").runs == 1  # now `title` ran: `render` was read


def test_findings_are_those_of_the_eager_interpretation(tmp_path, monkeypatch):
    root = make_repo(tmp_path, APP)
    lazy = findings(root)
    assert ("AL404", "src/db.ts", 6) in lazy  # the query passing `Queries.pageSize` (read lazily) is analysed
    monkeypatch.setattr("archlint.semantics.module_env.declarations", lambda module: None)  # every module eager
    assert findings(root) == lazy
