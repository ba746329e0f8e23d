"""Run many runs' audits at once — on local processes or on a Dask cluster — and yield each row
as soon as it is ready, so the caller can store it before the next one arrives (resumability).

Two deadlines guard against a pathological run (a 50 MB minified bundle, a regex that never ends):
the worker's own SIGALRM (:func:`audit_worker.guarded`, cheap, keeps the worker) and, for code
stuck where a signal cannot reach it, a hard deadline here: the pool's workers are killed, the
overdue run becomes an error row and the runs that were merely sharing the pool are run again.
A worker that dies on its own (segfault, OOM kill) takes every run in flight with it; those are
retried one at a time, so only the run that really kills its worker is recorded as an error.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from functools import partial

from archlint.adapters import knowledge
from archlint.application.audit_runs import RunSpec
from archlint.application.audit_worker import audit_run, error_row, guarded, timeout_message
from archlint.domain.config import ConfigError

Worker = Callable[[RunSpec], dict]
GRACE_SECONDS = 5.0  # after the soft deadline, before the hard one
POLL_SECONDS = 0.25


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# local processes ----------------------------------------------------------------------------------
class _NoProcesses(Exception):
    """Worker processes cannot be started here (no fork, no semaphores, no memory)."""


def run_local(specs: Iterable[RunSpec], jobs: int, timeout: float, worker: Worker = audit_run,
              grace: float = GRACE_SECONDS) -> Iterator[dict]:
    queue: deque[tuple[RunSpec, int]] = deque((spec, 0) for spec in specs)  # (spec, crashes so far)
    knowledge.load_registry()  # parsed once here, inherited by forked workers
    knowledge.load_knowledge()
    while queue:
        try:
            pool = ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=_fork_context())
            yield from _drain(pool, queue, max(1, jobs), timeout, worker, grace)
        except (_NoProcesses, OSError, NotImplementedError):  # stay serial, in this process
            while queue:
                yield guarded(worker, queue.popleft()[0], timeout)


def _fork_context():
    """Forked workers start in milliseconds with archlint already imported."""
    return multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None


def _drain(pool: ProcessPoolExecutor, queue: deque, jobs: int, timeout: float, worker: Worker,
           grace: float) -> Iterator[dict]:
    """Feed ``pool`` until the queue is empty or the pool had to be given up (then the unfinished
    runs are back in ``queue``).  At most ``jobs`` runs are in flight, so a run's submit time is
    its start time and the hard deadline measures the run itself."""
    inflight: dict[Future, tuple[RunSpec, int, float]] = {}
    healthy = False
    try:
        while queue or inflight:
            _submit(pool, queue, inflight, jobs, timeout, worker)
            done, _ = wait(inflight, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            crashed = False
            for future in done:
                spec, crashes, started = inflight.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool:
                    crashed = True
                    if crashes:
                        yield error_row(spec, "the worker process died while verifying this run", time.monotonic() - started)
                    else:
                        queue.appendleft((spec, crashes + 1))
                except Exception as exc:  # noqa: BLE001 - a failing worker call is that run's error
                    yield error_row(spec, f"internal error: {type(exc).__name__}: {exc}", time.monotonic() - started)
            now = time.monotonic()
            overdue = [future for future, (_s, _c, started) in inflight.items() if now - started > timeout + grace]
            for future in overdue:
                spec, _crashes, started = inflight.pop(future)
                yield error_row(spec, timeout_message(timeout), now - started)
            if crashed or overdue:
                _kill(pool)
                queue.extendleft((spec, crashes) for spec, crashes, _started in inflight.values())
                return
        healthy = True
    finally:
        if not healthy:
            _kill(pool)
        pool.shutdown(wait=healthy, cancel_futures=True)


def _submit(pool, queue: deque, inflight: dict, jobs: int, timeout: float, worker: Worker) -> None:
    """Top up to ``jobs`` runs in flight; a run that was in flight when a worker died runs alone."""
    while queue and len(inflight) < jobs:
        spec, crashes = queue[0]
        if inflight and (crashes or any(c for _s, c, _t in inflight.values())):
            return
        try:
            future = pool.submit(guarded, worker, spec, timeout)
        except (OSError, NotImplementedError, BrokenProcessPool) as exc:  # workers start on the first submit
            if not inflight:
                raise _NoProcesses(str(exc)) from exc
            return  # the runs in flight report the breakage, or free a slot to retry
        queue.popleft()
        inflight[future] = (spec, crashes, time.monotonic())


def _kill(pool: ProcessPoolExecutor) -> None:
    kill = getattr(pool, "kill_workers", None)  # Python 3.14+
    if kill is not None:
        kill()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):  # no public API before 3.14
        if process.is_alive():
            process.kill()


# Dask ---------------------------------------------------------------------------------------------
def run_dask(specs: Iterable[RunSpec], address, timeout: float, worker: Worker = audit_run,
             grace: float = GRACE_SECONDS) -> Iterator[dict]:
    """The same audit on a Dask cluster (``archlint[dask]``).  Dask runs tasks on worker threads,
    where SIGALRM is unavailable, so the deadline is enforced here: a task processing for longer
    than ``timeout + grace`` is cancelled and recorded as timed out."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise ConfigError("--scheduler needs Dask: pip install 'archlint[dask]'") from exc
    try:
        client = Client(address, timeout=30)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(f"cannot connect to the Dask scheduler at {address}: {exc}") from exc
    with client:
        specs = list(specs)
        futures = client.map(partial(guarded, worker, timeout=timeout), specs, pure=False)
        pending = dict(zip(futures, specs))
        first_seen: dict = {}
        while pending:
            finished = [future for future in pending if future.done()]
            for future in finished:
                yield _dask_row(future, pending.pop(future), first_seen.get(future.key))
            yield from _dask_overdue(client, pending, first_seen, timeout + grace, timeout)
            if not finished:
                time.sleep(POLL_SECONDS)


def _dask_row(future, spec: RunSpec, started: float | None) -> dict:
    seconds = time.monotonic() - started if started else 0.0
    if future.status == "cancelled":
        return error_row(spec, "the Dask task was cancelled", seconds)
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a failing task is that run's error
        return error_row(spec, f"internal error: {type(exc).__name__}: {exc}", seconds)


def _dask_overdue(client, pending: dict, first_seen: dict, limit: float, timeout: float) -> Iterator[dict]:
    now = time.monotonic()
    processing = {key for keys in client.processing().values() for key in keys}
    by_key = {future.key: future for future in pending}
    for key in processing & by_key.keys():
        first_seen.setdefault(key, now)
    for key, started in list(first_seen.items()):
        future = by_key.get(key)
        if future is not None and now - started > limit:
            future.cancel()
            yield error_row(pending.pop(future), timeout_message(timeout), now - started)
