"""A fake Constraint Decay results tree built from the fixtures, in the study's layout
``{runtime}/{agent}/{model}/{task}/{date}/run_N`` (benchmark.md §1.4, §1.5, §3).

It is the input of the audit tests and of the audit benchmark (README, "Auditing benchmark runs"):

    python tests/test_audit_tree.py /tmp/audit-240      # 80 tasks x 3 runs = 240 Conduit-size runs
"""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from pathlib import Path

from test_verify import _as_patch

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PYTHON = ("flask", "fastapi", "django", "aiohttp")
NODE = ("express", "fastify", "hono", "koa")
# The ten variants every framework gets (L0 x1, L1 x3, L2 x4, L3 x2); {orm} is the runtime's ORM.
VARIANTS = (
    "unconstrained", "clean_architecture", "sqlite", "postgres", "clean_architecture-sqlite",
    "clean_architecture-postgres", "sqlite-{orm}", "postgres-{orm}", "clean_architecture-sqlite-{orm}",
    "clean_architecture-postgres-{orm}",
)


def study_tasks() -> list[str]:
    """The 80 greenfield task names."""
    names = []
    for framework in PYTHON + NODE:
        runtime, orm = ("uv", "sqlalchemy") if framework in PYTHON else ("node", "sequelize")
        names.extend(f"{runtime}-{framework}-openapi-{variant.format(orm=orm)}" for variant in VARIANTS)
    return names


def task_dir(root: Path, task: str, agent: str = "mini-swe", model: str = "gpt-5.4", date: str = "2026-05-01") -> Path:
    return root / task.split("-", 1)[0] / agent / model / task / date


def put_run(run: Path, source: Path, as_patch: bool = False) -> Path:
    """``run`` holds a copy of ``source``, or only the benchmark's patch of it (``run/agent.patch``)."""
    if as_patch:
        run.mkdir(parents=True, exist_ok=True)
        (run / "agent.patch").write_text(_as_patch(source))
        return run / "agent.patch"
    shutil.copytree(source, run, ignore=shutil.ignore_patterns("verify.json", "expected.json", "EXPECTED.md"))
    return run


def build_study_tree(root: Path, runs: int = 3) -> int:
    """Every study task with ``runs`` runs: run_1 the framework's clean fixture, run_2 its violating
    twin, run_3 the clean fixture as a patch (then repeating).  Returns the number of runs."""
    count = 0
    for task in study_tasks():
        framework = task.split("-")[1]
        for number in range(1, runs + 1):
            variant = "violations" if number % 3 == 2 else "clean"
            put_run(task_dir(root, task) / f"run_{number}", FIXTURES / f"{framework}-{variant}", as_patch=number % 3 == 0)
            count += 1
    return count


def test_study_tree_has_the_benchmark_shape(tmp_path):
    from archlint.application.audit_runs import collect_runs

    assert build_study_tree(tmp_path, runs=1) == 80
    specs = collect_runs([str(tmp_path)])
    assert len(specs) == 80 and not [s for s in specs if s.problem]
    assert Counter(spec.level for spec in specs) == {0: 8, 1: 24, 2: 32, 3: 16}
    assert {(spec.agent, spec.model, spec.date, spec.run) for spec in specs} == {("mini-swe", "gpt-5.4", "2026-05-01", "run_1")}
    assert sorted(spec.task for spec in specs) == sorted(study_tasks())


if __name__ == "__main__":
    destination = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/audit-240")
    if destination.exists():
        sys.exit(f"{destination} exists; remove it first")
    print(f"{build_study_tree(destination)} runs under {destination}")
