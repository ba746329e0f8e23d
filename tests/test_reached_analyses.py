"""Issue 11 (the TypeScript full check): of the modules the semantic model loads on demand (through an
import or a call), only the functions an analysis reaches get an analysis of record.

On effect's TypeScript sources the model starts from 26 modules and loads 352 more; each was analysed
whole (every function, in its default context), although no data-layer file calls most of what they
define.  A function of such a module is analysed when a summary asked for it (a call reached it), when
it is a method of a class an analysis built (a service a composition root wires), when it was handed to
a call (a middleware given to ``app.use``, a view to ``path()``), when it declares a route, or when it
is nested in one of those."""

from __future__ import annotations

from helpers import make_repo, report

APP = {
    "package.json": '{"dependencies": {"express": "^4", "pg": "^8"}}',
    "src/db.ts": """
        import { Pool } from "pg";
        export const pool = new Pool();
        export async function findUser(id: string) {
          return pool.query("SELECT * FROM users WHERE id = $1", [id]);
        }
        """,
    "src/users.ts": """
        import { findUser } from "./db";
        import { format } from "./format";
        import { UserService } from "./service";
        import { authenticate } from "./auth";
        import express from "express";
        const app = express();
        app.use(authenticate);
        const service = new UserService(findUser);
        app.get("/users/:id", async (req, res) => {
          res.json(format(await service.show(req.params.id)));
        });
        """,
    "src/format.ts": """
        export function format(row: unknown) {
          return String(row);
        }
        export function unused(row: unknown) {
          return JSON.stringify(row);
        }
        export const twice = undeclaredWrap((row: unknown) => [row, row]);
        """,
    "src/service.ts": """
        export class UserService {
          constructor(private readonly find: (id: string) => Promise<unknown>) {}
          show(id: string) {
            return this.find(id);
          }
          rename(id: string) {
            return this.find(id);
          }
        }
        export class Unbuilt {
          run() { return 1; }
        }
        """,
    "src/auth.ts": """
        export function authenticate(req: any, res: any, next: any) {
          req.user = { id: 1 };
          next();
        }
        export function other(req: any) {
          return req.user;
        }
        """,
}


def test_only_the_reached_functions_of_loaded_modules_are_analysed(tmp_path):
    root = make_repo(tmp_path, APP)
    program = report(root, jobs=1).context.program
    loaded = set(program.modules.later)
    assert {"src/format.ts", "src/service.ts", "src/auth.ts"} <= loaded
    analysed = {(a.path, a.function.name) for a in program.analyses() if a.path in loaded}
    assert ("src/format.ts", "format") in analysed  # called from a deep file
    assert ("src/service.ts", "show") in analysed and ("src/service.ts", "rename") in analysed  # its class was built
    assert ("src/auth.ts", "authenticate") in analysed  # handed to app.use
    assert not {("src/format.ts", "unused"), ("src/service.ts", "run"), ("src/auth.ts", "other")} & analysed


def test_a_function_handed_to_an_unknown_callee_is_not_reached(tmp_path):
    """``undeclaredWrap((row) => …)``: a callee the model cannot resolve (a global it does not know, a name
    lost to a parse error — effect's ``dual(2, (self, f) => …)``) is no framework registration (those
    resolve to a library value, as ``app.use`` does above), so the arrow is not analysed of record."""
    root = make_repo(tmp_path, APP)
    program = report(root, jobs=1).context.program
    assert "src/format.ts" in program.modules.later
    arrows = [f for f in program.modules["src/format.ts"].functions if f.kind == "arrow"]
    assert len(arrows) == 1  # the arrow handed to undeclaredWrap
    analysed = {(a.path, a.function.fid) for a in program.analyses()}
    assert ("src/format.ts", 0) in analysed  # the top level that makes the call is analysed
    assert not {("src/format.ts", f.fid) for f in arrows} & analysed
