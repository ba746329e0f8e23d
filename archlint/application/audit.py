"""``archlint audit``: verify every run of a Constraint Decay results tree and report on all of them.

Flow: collect runs (:mod:`audit_runs`) → skip the runs ``OUT/results.jsonl`` already holds → verify
the rest in parallel (:mod:`audit_pool`, one worker call per run, :mod:`audit_worker`) → append each
row the moment it arrives → render ``summary.csv`` and ``report.html`` from every stored row.

Resuming is by run path: rerunning the same command after an interruption (or after adding runs)
verifies only what is missing.  Error rows count as done — a run that timed out would time out
again; delete its line from ``results.jsonl`` to retry it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from archlint.adapters.run_store import ResultsFile, RunStoreError, write_text
from archlint.application.audit_pool import default_jobs, run_dask, run_local
from archlint.application.audit_runs import RunSpec, collect_runs
from archlint.domain.config import ConfigError

RESULTS, SUMMARY, REPORT = "results.jsonl", "summary.csv", "report.html"
DEFAULT_TIMEOUT = 120.0

Progress = Callable[[int, int, "dict | None"], None]
Renderer = Callable[[list[dict], str], str]  # (rows, output directory) -> file text


@dataclass(slots=True)
class AuditRequest:
    """What `archlint audit` was asked to verify, and how."""
    roots: list[str]
    out: str = "archlint-audit"
    manifest: str | None = None
    jobs: int = 0  # 0 = every usable core
    timeout: float = DEFAULT_TIMEOUT  # seconds per run
    scheduler: object | None = None  # a Dask scheduler address (or Cluster) instead of local processes


@dataclass(slots=True)
class AuditOutcome:
    """The rows of an audit and how many runs it found, verified and skipped."""
    out: str
    rows: list[dict] = field(default_factory=list)  # every stored row, sorted by path
    found: int = 0
    verified: int = 0  # runs verified by this invocation
    skipped: int = 0  # runs already in results.jsonl

    def count(self, state: str) -> int:
        """``compliant`` / ``non-compliant`` / ``error`` rows."""
        return sum(1 for row in self.rows if _state(row) == state)


def _state(row: dict) -> str:
    if row.get("error"):
        return "error"
    return "compliant" if row.get("compliant") else "non-compliant"


def run_audit(request: AuditRequest, progress: Progress | None = None) -> AuditOutcome:
    if not request.roots and not request.manifest:
        raise ConfigError("give at least one results directory (or --manifest CSV)")
    try:
        specs = collect_runs(request.roots, request.manifest)
        store = ResultsFile(os.path.join(request.out, RESULTS))
        rows = store.load()
    except RunStoreError as exc:
        raise ConfigError(str(exc)) from exc
    todo = [spec for spec in specs if spec.path not in rows]
    if progress is not None:
        progress(0, len(todo), None)
    with store.appender() as append:
        for done, row in enumerate(_execute(todo, request), start=1):
            append.write(row)
            rows[row["path"]] = row
            if progress is not None:
                progress(done, len(todo), row)
    return AuditOutcome(out=request.out, rows=[rows[path] for path in sorted(rows)], found=len(specs),
                        verified=len(todo), skipped=len(specs) - len(todo))


def _execute(todo: list[RunSpec], request: AuditRequest):
    if not todo:
        return iter(())
    if request.scheduler is not None:
        return run_dask(todo, request.scheduler, request.timeout)
    return run_local(todo, min(request.jobs or default_jobs(), len(todo)), request.timeout)


def write_outputs(outcome: AuditOutcome, renderers: dict[str, Renderer]) -> list[str]:
    """Render every output (``summary.csv``, ``report.html``) from all stored rows; returns paths."""
    written = []
    for name, render in renderers.items():
        path = os.path.join(outcome.out, name)
        write_text(path, render(outcome.rows, os.path.abspath(outcome.out)))
        written.append(path)
    return written
