"""Issue 11 (effect's full check): the deep extraction the pool does for the semantic model is not
waited for as a whole.  ``deepen(..., defer=first)`` submits it and returns a ``Pending``; each file
carries a promise that waits for its own batch when first read, so the main process analyses the
modules that have arrived while the pool parses the rest (and the syntax-only checks the parse
family reads last).  What a file holds once read is what the synchronous pass gives.

The pool thresholds are lowered so that a small tree takes the pooled path."""

from __future__ import annotations

import pytest

from archlint.adapters.discovery import discover
from archlint.application import parsing
from archlint.application.parsing import Workers, deepen, scan_sources
from archlint.application.pipeline import Options, run_check
from helpers import make_repo

APP = {
    "src/db.ts": """
        import { Pool } from "pg";
        import { quote } from "./quote";
        export const pool = new Pool();
        export async function findUser(id: string) {
          return pool.query(`SELECT * FROM users WHERE id = '${id}'`);
        }
        export const label = (s: string) => quote(s);
        """,
    "src/quote.ts": "export const quote = (s: string) => s.trim();\n",
    "src/users.ts": """
        import { findUser } from "./db";
        export async function showUser(id: string) {
          return String(await findUser(id));
        }
        """,
    "src/broken.ts": 'import { quote } from "./quote";\nexport const x = quote(;\n',
    "src/fine.ts": 'import { quote } from "./quote";\nexport const y = quote("a");\n',
}
DEEP = {"src/db.ts", "src/quote.ts", "src/users.ts"}
SYNTAX = {"src/broken.ts", "src/fine.ts"}


@pytest.fixture
def pooled(monkeypatch):
    monkeypatch.setattr(parsing, "PARALLEL_THRESHOLD_FILES", 1)
    monkeypatch.setattr(parsing, "PARALLEL_THRESHOLD_BYTES", 1)


def _heads(root):
    found = discover(str(root), [str(root)], [], False)
    sources = {source.path: source for source in found.sources}
    files, _hits, sizes = scan_sources(found.sources, None, Workers(1))
    return files, sources, sizes


def _state(facts):
    return (facts.has_body, facts.body if facts.has_body else None, facts.has_ir, facts.ir,
            facts.syntax_checked, facts.problems)


def test_a_deferred_extraction_is_adopted_batch_by_batch_as_files_are_read(tmp_path, pooled):
    root = make_repo(tmp_path, APP)
    files, sources, sizes = _heads(root)
    with Workers(2) as workers:
        pending = deepen(files, sources, DEEP, SYNTAX, workers, sizes, defer=("src/users.ts",))
        assert pending is not None
        assert not any(pending.done)
        first = pending.batches[0]
        assert [path for _mode, _absolute, path, _language in first] == ["src/users.ts"]  # what is read first leads
        assert files["src/users.ts"].ir is not None  # waits for its own batch only
        assert pending.done[0] and not all(pending.done)
        assert not files["src/broken.ts"].syntax_checked  # a syntax check is adopted when drained
        pending.drain()
    expected, _sources, _sizes = _heads(root)
    deepen(expected, sources, DEEP, SYNTAX, Workers(1), sizes)
    for path in sorted(APP):
        assert _state(files[path]) == _state(expected[path]), path
    assert [p.rule for p in files["src/broken.ts"].problems] == ["AL001"]


def test_has_body_and_has_ir_wait_for_the_promise(tmp_path, pooled):
    root = make_repo(tmp_path, APP)
    files, sources, sizes = _heads(root)
    with Workers(2) as workers:
        pending = deepen(files, sources, DEEP, set(), workers, sizes, defer=())
        assert pending is not None and not any(pending.done)
        assert files["src/quote.ts"].has_ir and files["src/quote.ts"].has_body
        index = next(i for i, batch in enumerate(pending.batches) if any(item[2] == "src/quote.ts" for item in batch))
        assert pending.done[index]
        pending.drain()


def test_below_the_pool_thresholds_nothing_is_deferred_and_the_syntax_checks_wait(tmp_path):
    """In this process the deep files are extracted at once, and the syntax-only checks of a
    deferred call are left out: a module the analysis then reads on demand is parsed once."""
    root = make_repo(tmp_path, APP)
    files, sources, sizes = _heads(root)
    assert deepen(files, sources, DEEP, SYNTAX, Workers(2), sizes, defer=()) is None
    assert all(files[path].has_ir for path in DEEP)
    assert not any(files[path].syntax_checked for path in SYNTAX)


def test_a_pooled_run_reports_what_a_serial_run_reports(tmp_path, monkeypatch):
    root = make_repo(tmp_path, APP)
    serial = run_check([str(root)], Options(use_cache=False, jobs=1))
    expected = [(f.rule, f.path, f.line, f.message) for f in serial.findings]
    assert ("AL001", "src/broken.ts") in {(rule, path) for rule, path, *_ in expected}
    assert any(rule == "AL502" for rule, *_ in expected)
    monkeypatch.setattr(parsing, "PARALLEL_THRESHOLD_FILES", 1)
    monkeypatch.setattr(parsing, "PARALLEL_THRESHOLD_BYTES", 1)
    for cache in (False, True, True):  # without a cache, then cold and warm with one
        report = run_check([str(root)], Options(use_cache=cache, cache_dir=str(tmp_path / "cache"), jobs=2))
        assert [(f.rule, f.path, f.line, f.message) for f in report.findings] == expected


def test_the_reached_modules_are_submitted_breadth_first_from_the_semantic_files(tmp_path):
    from archlint.application.pipeline import _import_order

    root = make_repo(tmp_path, APP)
    report = run_check([str(root)], Options(use_cache=False, jobs=1, select=("layering",)))
    graph = report.context.graph
    assert _import_order(graph, ["src/users.ts"], {"src/db.ts", "src/quote.ts"}) == ("src/db.ts", "src/quote.ts")
    assert _import_order(graph, ["src/fine.ts"], {"src/db.ts", "src/quote.ts"}) == ("src/quote.ts",)
