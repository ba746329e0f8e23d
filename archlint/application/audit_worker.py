"""One run → one result row.  This is the function every audit worker calls.

The row is plain JSON data (it crosses process and network boundaries, and is appended to
``results.jsonl``): the run's coordinates, the overall verdict, each constraint's verdict with its
reason and first evidence, and finding counts by rule and category.  Anything that goes wrong with a
run — a patch that adds nothing, a timeout, a crash in the analysis — is an error row, never an
exception, so one bad run cannot abort an audit of thousands.
"""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from archlint import __version__
from archlint.adapters.patch import PatchError
from archlint.application.audit_runs import RunSpec
from archlint.application.pipeline import Options
from archlint.application.verify import VerifyReport, run_verify, run_verify_change
from archlint.domain.config import ConfigError

ROW_SCHEMA = 1


class RunTimeout(BaseException):
    """Raised by the alarm inside a worker.  A BaseException so that the pipeline's own
    ``except Exception`` guards (which turn a bad file into a finding) cannot swallow it."""


def audit_run(spec: RunSpec) -> dict:
    started = time.perf_counter()
    if spec.problem:
        return error_row(spec, spec.problem, 0.0)
    options = Options(use_cache=False, jobs=1)  # parallelism is across runs; no nested pools
    try:
        if spec.base and spec.kind == "patch":
            result = run_verify(spec.base, spec.constraints(), patch=spec.path, options=options)
        elif spec.base:
            result = run_verify_change(spec.base, spec.path, spec.constraints(), options=options)
        elif spec.kind == "patch":
            result = run_verify(None, spec.constraints(), patch=spec.path, options=options)
        else:
            result = run_verify(spec.path, spec.constraints(), options=options)
    except (ConfigError, PatchError, OSError) as exc:
        return error_row(spec, str(exc), time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 - untrusted input; one run must not stop the audit
        return error_row(spec, f"internal error: {type(exc).__name__}: {exc}", time.perf_counter() - started)
    return result_row(spec, result, time.perf_counter() - started)


def guarded(worker: Callable[[RunSpec], dict], spec: RunSpec, timeout: float) -> dict:
    """Call ``worker(spec)`` with a SIGALRM deadline (only possible on a process's main thread;
    the pool adds a hard deadline from outside for code that never returns to Python)."""
    started = time.perf_counter()
    try:
        with _alarm(timeout):
            return worker(spec)
    except RunTimeout:
        return error_row(spec, timeout_message(timeout), time.perf_counter() - started)


def timeout_message(timeout: float) -> str:
    return f"timed out after {timeout:g} s"


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    usable = seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum, frame):
        raise RunTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def result_row(spec: RunSpec, result: VerifyReport, seconds: float) -> dict:
    """A run with a base (a feature run) counts the findings its change introduces, and each
    verdict says whether it held before the change and what the change did to its evidence."""
    findings = result.introduced if result.introduced is not None else result.report.findings
    verdicts = []
    for index, verdict in enumerate(result.verdicts):
        row = {
            "constraint": verdict.constraint,
            "expected": verdict.expected,
            "compliant": verdict.compliant,
            "reason": verdict.reason,
            "evidence": verdict.evidence[0].to_dict() if verdict.evidence else None,
        }
        if result.change is not None:
            row["was_compliant"] = result.change.verdicts[index].was_compliant
            row["patch"] = result.change.verdicts[index].summary
        verdicts.append(row)
    extra = {}
    if result.change is not None:
        extra["change"] = {**result.change.summary.to_dict(), "files": len(result.change.files.files)}
    return {
        **_head(spec),
        "compliant": result.compliant,
        "verdicts": verdicts,
        **extra,
        "findings": {
            "total": len(findings),
            "by_rule": dict(sorted(Counter(f.rule for f in findings).items())),
            "by_category": dict(sorted(Counter(f.category for f in findings).items())),
        },
        "seconds": round(seconds, 4),
        "error": None,
    }


def error_row(spec: RunSpec, message: str, seconds: float) -> dict:
    return {
        **_head(spec),
        "compliant": None,
        "verdicts": [],
        "findings": {"total": 0, "by_rule": {}, "by_category": {}},
        "seconds": round(seconds, 4),
        "error": message,
    }


def _head(spec: RunSpec) -> dict:
    return {"schema": ROW_SCHEMA, "archlint": __version__, **spec.describe()}
