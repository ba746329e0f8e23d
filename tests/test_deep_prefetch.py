"""Issue 11 (the TypeScript full check): the modules the semantic model reaches through imports are
extracted by the process pool, with the semantic files, not one by one in the main process.

On effect's TypeScript sources the model started from 26 modules and lowered 353 more on first use
(``ModuleTable`` → ``_BodyLoader``), serially in the parent: ~10 s of CPU the pool's second core
never shared.  Their static import closure (``deep_plan.reached_scripts``) covers all but one.
Here the pool thresholds are lowered so that a small app takes the pooled path."""

from __future__ import annotations

import pytest

from archlint.application import parsing
from archlint.application.deep_plan import reached_scripts
from archlint.application.pipeline import Options, run_check
from helpers import make_repo

APP = {
    "src/db.ts": """
        import { Pool } from "pg";
        export const pool = new Pool();
        export async function findUser(id: string) {
          return pool.query(`SELECT * FROM users WHERE id = '${id}'`);
        }
        """,
    "src/users.ts": """
        import { findUser } from "./db";
        import { format } from "./format";
        export async function showUser(id: string) {
          return format(await findUser(id));
        }
        """,
    "src/format.ts": """
        import { trim } from "./strings";
        export function format(row: unknown) {
          return trim(String(row));
        }
        """,
    "src/strings.ts": "export const trim = (s: string) => s.trim();\n",
    # imported by nothing the model starts from: never extracted
    "src/cli.ts": 'import { trim } from "./strings";\nexport const main = (a: string) => trim(a);\n',
}


@pytest.fixture
def loads(monkeypatch):
    """Paths the main process extracted on first use (the pool's workers are other processes)."""
    seen: list[str] = []
    original = parsing._BodyLoader.__call__

    def counting(self):
        seen.append(self.path)
        return original(self)

    monkeypatch.setattr(parsing._BodyLoader, "__call__", counting)
    return seen


def _run(root, jobs):
    report = run_check([str(root)], Options(use_cache=False, jobs=jobs))
    return report, [(f.rule, f.path, f.line, f.message) for f in report.findings]


def test_the_modules_the_model_reaches_are_extracted_by_the_pool(tmp_path, monkeypatch, loads):
    root = make_repo(tmp_path, APP)
    serial, expected = _run(root, 1)
    # the serial run lowers them on first use, in this process (what the pool now does)
    assert {"src/format.ts", "src/strings.ts"} <= set(loads)
    assert any(rule == "AL502" and path == "src/db.ts" for rule, path, *_ in expected)
    loads.clear()
    monkeypatch.setattr(parsing, "PARALLEL_THRESHOLD_FILES", 1)
    monkeypatch.setattr(parsing, "PARALLEL_THRESHOLD_BYTES", 1)
    pooled, found = _run(root, 2)
    assert found == expected
    assert "src/format.ts" not in loads and "src/strings.ts" not in loads
    files = pooled.context.files
    assert files["src/format.ts"].has_ir and files["src/strings.ts"].has_ir
    assert not files["src/cli.ts"].has_body  # not imported by what the model reads: left alone


def test_a_batch_this_process_would_run_is_left_to_the_on_demand_loader(tmp_path, loads):
    """Below the pool thresholds nothing is extracted ahead: the loader reads only what the
    analysis reaches (a small repo pays for no module it never reads)."""
    root = make_repo(tmp_path, APP)
    report, _found = _run(root, 2)
    assert {"src/format.ts", "src/strings.ts"} <= set(loads)
    assert not report.context.files["src/cli.ts"].has_body


def test_reached_scripts_follows_project_imports_of_js_files_only(tmp_path):
    root = make_repo(tmp_path, {**APP, "tools/gen.py": "import os\n"})
    report = run_check([str(root)], Options(use_cache=False, jobs=1, select=("layering",)))
    files, graph = report.context.files, report.context.graph
    assert reached_scripts(files, graph, ["src/users.ts"]) == {"src/db.ts", "src/format.ts", "src/strings.ts"}
    assert reached_scripts(files, graph, ["src/strings.ts"]) == set()
    assert reached_scripts(files, graph, ["tools/gen.py"]) == set()


def test_a_batch_lowered_to_the_ir_goes_to_the_pool_at_a_third_of_the_bytes():
    """effect's 68 deferred TS heads (1.8 MB, parsed and lowered: 1.8 s of CPU) ran in the main
    process, under the 2 MB that a batch of syntax-only parses (0.5 s for those bytes) needs."""
    workers = parsing.Workers(2)
    sizes = {"a.ts": 400_000, "b.ts": 400_000, "a.py": 400_000, "b.py": 400_000}
    lowered = [(parsing.HEAD_IR, "", "a.ts", "typescript"), (parsing.FULL, "", "b.ts", "typescript")]
    assert workers.pooled(lowered, sizes)
    assert not workers.pooled([(parsing.SYNTAX, "", path, "typescript") for path in ("a.ts", "b.ts")], sizes)
    assert not workers.pooled([(parsing.FULL, "", path, "python") for path in ("a.py", "b.py")], sizes)  # weighed as before
    assert not parsing.Workers(1).pooled(lowered, sizes)
