"""`archlint audit --scheduler`: the same audit on a Dask cluster (an in-process LocalCluster here).
Skipped unless the optional extra is installed: pip install "archlint[dask]"."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("distributed")

from distributed import LocalCluster

from archlint.application.audit import AuditRequest, run_audit
from archlint.application.audit_pool import run_dask
from test_audit import _spec, build_tree


def _slow(spec):
    from test_audit import _fast

    if spec.path.endswith("slow"):
        time.sleep(2.5)  # a worker thread cannot be interrupted; the audit must not wait for it
    return _fast(spec)


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as local:
        yield local


def test_dask_audit_gives_the_same_rows_as_local_processes(cluster, tmp_path):
    expected = build_tree(tmp_path / "results")
    remote = run_audit(AuditRequest([str(tmp_path / "results")], out=str(tmp_path / "dask"), scheduler=cluster.scheduler_address))
    local = run_audit(AuditRequest([str(tmp_path / "results")], out=str(tmp_path / "local"), jobs=2))

    def essence(outcome):
        return {row["path"]: (row["compliant"], row["verdicts"], row["findings"], row["error"]) for row in outcome.rows}

    assert len(remote.rows) == len(expected) == remote.verified
    assert essence(remote) == essence(local)


def test_dask_deadline_cancels_a_run_that_does_not_finish(cluster):
    started = time.monotonic()
    rows = {row["path"]: row for row in run_dask([_spec("a"), _spec("slow"), _spec("b")], cluster.scheduler_address,
                                                   timeout=0.3, worker=_slow, grace=0.3)}
    assert time.monotonic() - started < 2.4
    assert rows["/runs/slow"]["error"] == "timed out after 0.3 s"
    assert rows["/runs/a"]["compliant"] is True and rows["/runs/b"]["compliant"] is True
