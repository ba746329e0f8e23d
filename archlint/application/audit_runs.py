"""Which runs an audit covers and what each run was asked to build.

A run's constraints come from the benchmark task name in its path (the study's layout is
``{runtime}/{agent}/{model}/{task}/{date}/run_N``) or from a ``--manifest`` CSV, which wins when
both exist because it is what the user stated explicitly.  A run whose constraints cannot be
determined is still listed, with a ``problem`` that becomes its error row: an audit that silently
drops runs would overstate compliance.

Feature runs (the study's feature-implementation tasks, ``hard-focused-task-NNN`` under a framework
directory, or ``<framework>-hard-focused-task-NNN``) require their framework; the manifest's
optional ``base`` column names the checkout the run's patch applies to, and such runs are judged
as changes of it (``verify BASE --patch``).  A feature run's patch without a base cannot be judged:
rebuilding only the files it adds would give the verdicts of a fragment.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass

from archlint.adapters import run_store
from archlint.application.verify import BENCHMARK_FRAMEWORKS, Constraints, parse_task
from archlint.domain.config import ConfigError

PYTHON_FRAMEWORKS = frozenset({"flask", "fastapi", "django", "aiohttp"})
STRUCTURAL = ("architecture", "database", "orm")
_TASK_NAME = re.compile(r"^(?:uv|node)-[a-z0-9]+-openapi(?:-.+)?$")
_FEATURE_TASK = re.compile(r"^(?:(?P<framework>[a-z]+)-)?(?:simple|intermediate|hard)-focused-task-\d+$")
_FEATURE_DIRS = {"honojs": "hono", "hono": "hono", "express": "express", "fastapi": "fastapi", "flask": "flask",
                 "aiohttp": "aiohttp"}  # the study's result directories of feature tasks (README, results layout)
_RUNTIMES = ("uv", "node")
_NO = frozenset({"", "-", "no", "none", "false", "0", "n/a", "unconstrained"})
_YES = frozenset({"yes", "true", "1", "y"})


@dataclass(frozen=True, slots=True)
class RunSpec:
    """One run to verify: where it is, what it must satisfy, and the study coordinates."""

    path: str
    kind: str  # "dir" | "patch" | "empty" | "missing"
    task: str = ""
    mode: str = "greenfield"  # "feature": a change of an existing repository (feature task or a base given)
    base: str = ""  # the checkout the run changes (manifest `base` column)
    framework: str = ""
    architecture: str = ""
    database: str = ""
    orm: str = ""
    level: int | None = None
    runtime: str = ""
    agent: str = ""
    model: str = ""
    date: str = ""
    run: str = ""
    problem: str = ""  # why the run cannot be verified; recorded as its error

    def constraints(self) -> Constraints:
        return Constraints(self.framework or None, self.architecture or None, self.database or None, self.orm or None)

    def describe(self) -> dict:
        """The identifying columns every result row starts with."""
        return {key: value for key, value in asdict(self).items() if key != "problem"}


def collect_runs(roots: list[str], manifest: str | None = None) -> list[RunSpec]:
    """Every run under ``roots`` and every path a manifest names, each described once."""
    entries = {row["path"]: row for row in run_store.read_manifest(manifest)} if manifest else {}
    found: dict[str, run_store.FoundRun] = {}
    for root in [*roots, *entries]:
        if not os.path.exists(root):
            if root in entries:  # a manifest row naming a run that is not there is an audit result
                found.setdefault(root, run_store.FoundRun(root, "missing"))
                continue
            raise ConfigError(f"path does not exist: {root}")
        for run in run_store.find_runs(root):
            found.setdefault(run.path, run)
    return [describe(run, _manifest_entry(run.path, entries)) for run in sorted(found.values(), key=lambda r: r.path)]


def _manifest_entry(path: str, entries: dict[str, dict]) -> dict | None:
    """The manifest row for ``path`` itself or its nearest ancestor (a row may name a task folder)."""
    current = path
    while True:
        if current in entries:
            return entries[current]
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def describe(run: run_store.FoundRun, entry: dict | None) -> RunSpec:
    parts = _components(run)
    index = next((i for i in range(len(parts) - 1, -1, -1) if _is_task(parts[i].lower())), None)
    path_task = parts[index].lower() if index is not None else ""
    coordinates = _coordinates(parts, index) if index is not None else {}
    base = (entry or {}).get("base", "")
    stated = entry is not None and (entry.get("task") or entry.get("framework"))
    try:
        if stated:
            constraints, task = _from_manifest(entry)
        elif path_task:
            constraints, task = task_constraints(path_task, coordinates.get("runtime", ""))
        else:
            return RunSpec(run.path, run.kind, base=base, problem="no benchmark task name in the path and no manifest entry")
    except ConfigError as exc:
        return RunSpec(run.path, run.kind, task=(entry or {}).get("task", path_task), base=base, **coordinates, problem=str(exc))
    feature = bool(base) or is_feature_task(task)
    coordinates["runtime"] = runtime_of(constraints.framework)
    return RunSpec(
        run.path, run.kind, task=task or task_name(constraints), mode="feature" if feature else "greenfield", base=base,
        framework=constraints.framework or "", architecture=constraints.architecture or "",
        database=constraints.database or "", orm=constraints.orm or "",
        level=None if feature else sum(1 for name in STRUCTURAL if getattr(constraints, name)), **coordinates,
        problem=_kind_problem(run) or _base_problem(run, feature, base),
    )


def _is_task(name: str) -> bool:
    return bool(_TASK_NAME.match(name) or _FEATURE_TASK.match(name))


def is_feature_task(name: str) -> bool:
    return bool(_FEATURE_TASK.match(name.strip().lower()))


def task_constraints(name: str, directory: str = "") -> tuple[Constraints, str]:
    """Constraints and canonical name of a greenfield task (``uv-flask-openapi-sqlite``) or a feature
    task (``express-hard-focused-task-001``, or ``hard-focused-task-001`` under the study's
    ``express/`` directory): a feature task requires its framework, nothing else."""
    match = _FEATURE_TASK.match(name.strip().lower())
    if match is None:
        return parse_task(name), name.strip().lower()
    framework = _FEATURE_DIRS.get(match.group("framework") or directory.lower(), match.group("framework") or "")
    if framework not in BENCHMARK_FRAMEWORKS:
        raise ConfigError(f"feature task {name!r}: cannot tell its framework (expected e.g. express-hard-focused-task-001)")
    bare = name.strip().lower() if match.group("framework") is None else name.strip().lower().split("-", 1)[1]
    return Constraints(framework=framework), f"{framework}-{bare}"


def _base_problem(run: run_store.FoundRun, feature: bool, base: str) -> str:
    if base and not os.path.isdir(base):
        return f"the base checkout does not exist: {base}"
    if feature and run.kind == "patch" and not base:
        return ("a feature run's patch changes an existing repository: give that checkout in the manifest's "
                "`base` column (rebuilding only the files the patch adds would judge a fragment)")
    return ""


def _components(run: run_store.FoundRun) -> list[str]:
    """Path components, with a patch file's name reduced to its stem when that stem is a task name
    (``uv-flask-openapi-sqlite.patch``)."""
    parts = [part for part in run.path.replace("\\", "/").split("/") if part]
    if run.kind == "patch" and parts:
        stem = os.path.splitext(parts[-1])[0]
        if _TASK_NAME.match(stem.lower()):
            parts[-1] = stem
    return parts


def _coordinates(parts: list[str], index: int) -> dict:
    """runtime/agent/model before the task and date/run_N after it, when the path has that shape
    (for feature tasks the study's "runtime" directory is the framework's: ``express/``, ``honojs/``)."""
    found: dict = {}
    feature = _FEATURE_TASK.match(parts[index].lower())
    runtime = parts[index - 3].lower() if feature and index >= 3 else parts[index].lower().split("-", 1)[0]
    if index >= 3 and parts[index - 3].lower() == runtime and (runtime in _RUNTIMES or (feature and runtime in _FEATURE_DIRS)):
        found.update(agent=parts[index - 2], model=parts[index - 1])
    tail = parts[index + 1:]
    run = next((part for part in tail if run_store.RUN_DIR.match(part)), "")
    if run:
        found["run"] = run
        if tail[0] != run:
            found["date"] = tail[0]
    found["runtime"] = runtime
    return found


def _from_manifest(entry: dict) -> tuple[Constraints, str]:
    """A ``task`` column (greenfield or feature task), or ``framework,architecture,database,orm``
    columns (validated by spelling them as a task name, so both forms accept exactly the same values)."""
    where = f"manifest line {entry.get('line', '?')}"
    if entry.get("task"):
        try:
            return task_constraints(entry["task"])
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from exc
    framework = entry.get("framework", "").lower()
    if not framework:
        raise ConfigError(f"{where}: needs a `task` or a `framework` value")
    tokens = []
    architecture = entry.get("architecture", "").lower()
    if architecture not in _NO:
        tokens.append("clean_architecture" if architecture in _YES else architecture)
    database = entry.get("database", "").lower()
    if database not in _NO:
        tokens.append(database)
    orm = entry.get("orm", "").lower()
    if orm not in _NO:
        tokens.append("orm" if orm in _YES else orm)
    try:  # the runtime prefix decides what a bare "orm" means
        return parse_task("-".join([runtime_of(framework), framework, "openapi", *tokens])), ""
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def task_name(constraints: Constraints) -> str:
    """The study's spelling of a constraint set: ``uv-flask-openapi-clean_architecture-postgres-sqlalchemy``."""
    tokens = [token for token in (
        "clean_architecture" if constraints.architecture else "",
        {"postgresql": "postgres"}.get(constraints.database or "", constraints.database or ""),
        constraints.orm or "",
    ) if token]
    return "-".join([runtime_of(constraints.framework), constraints.framework or "", "openapi", *(tokens or ["unconstrained"])])


def runtime_of(framework: str | None) -> str:
    return "uv" if framework in PYTHON_FRAMEWORKS else "node"


def _kind_problem(run: run_store.FoundRun) -> str:
    if run.kind == "empty":
        return "the run directory holds no source files and no patch"
    if run.kind == "missing":
        return "the manifest names a path that does not exist"
    return ""
