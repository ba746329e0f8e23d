#!/usr/bin/env python3
"""archlint performance benchmark against real code and established anchors.

Usage::

    python bench/run.py [--repeat N] [--only python|node] [--workdir DIR]
                        [--archlint-cmd "python -m archlint"]

One run:

1. fetches the real targets into the work dir (cached between runs):
   Django 5.2 (the ``django/`` package from the PyPI wheel) and the CommonJS
   build of ``typeorm@0.3`` from npm (its ``.js`` files);
2. installs the anchors under ``WORKDIR/tools/``: ``import-linter`` in a venv
   and ``dependency-cruiser@17`` with npm;
3. renders *equivalent* layer configs for every tool from one layer list per
   target (``DJANGO_LAYERS`` / ``TYPEORM_LAYERS`` below) into ``bench/configs/``;
4. times each tool N times (subprocess wall clock, ``time.perf_counter``),
   cold and with a warm cache, plus archlint on a ~50-file repo;
5. prints a Markdown table and the ratios against the performance targets,
   and writes both to ``bench/results.md``.

Linters exit non-zero when they find violations: that is expected and does
not abort timing.  A tool that cannot be installed, crashes or runs past
``TIMEOUT`` seconds gets a clear error line and an empty row, never a crash of
this script.  While archlint's CLI does not exist yet its rows read
"archlint: not available".
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
CONFIGS = BENCH / "configs"
RESULTS = BENCH / "results.md"

TIMEOUT = 120  # seconds, every timed or probing command
INSTALL_TIMEOUT = 600  # seconds, pip/npm downloads and installs

DJANGO_SPEC = "django==5.2.*"
TYPEORM_SPEC = "typeorm@0.3"
IMPORT_LINTER_SPEC = "import-linter"
DEPCRUISE_SPEC = "dependency-cruiser@17"  # 18 needs Node >= 22

# Layers, high -> low.  Every config below is rendered from these lists, so the
# tools always check the same rule: a layer may import any layer below it and
# importing a layer above it is an (upward) violation.
DJANGO_LAYERS = ["contrib", "views", "forms", "template", "db", "utils"]
TYPEORM_LAYERS = ["data-source", "entity-manager", "query-builder", "driver", "metadata", "util"]

SMALL_REPO_FILES = 50  # size of the synthetic repo and the fixture we look for

# Filled while the run goes on, read by the report.
TARGETS: list[Target] = []
TOOL_VERSIONS: dict[str, str] = {}


# --------------------------------------------------------------------------- #
# Small helpers
# --------------------------------------------------------------------------- #


class BenchError(Exception):
    """A step failed in a way that should be reported as one clear line."""


def log(msg: str) -> None:
    """Progress output goes to stderr so stdout stays the Markdown report."""
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def last_line(text: str, width: int = 160) -> str:
    """The last non-empty line of *text*, shortened: the usual error summary."""
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    return (lines[-1] if lines else "")[:width]


def run(
    argv: list[str], *, cwd: Path | None = None, env: dict | None = None, timeout: float = TIMEOUT
) -> subprocess.CompletedProcess:
    """Run *argv*, capturing output; missing programs and timeouts raise BenchError."""
    try:
        return subprocess.run(
            argv,
            cwd=cwd,
            env=env,
            timeout=timeout,
            text=True,
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise BenchError(f"program not found: {argv[0]}") from None
    except subprocess.TimeoutExpired:
        raise BenchError(
            f"timed out after {timeout:.0f}s: {' '.join(map(str, argv[:3]))} ..."
        ) from None


def run_ok(argv: list[str], what: str, **kw) -> subprocess.CompletedProcess:
    """Like run(), but a non-zero exit code is a BenchError naming *what* failed."""
    proc = run(argv, **kw)
    if proc.returncode != 0:
        raise BenchError(
            f"{what} failed (exit {proc.returncode}): "
            f"{last_line(proc.stderr) or last_line(proc.stdout)}"
        )
    return proc


def count_files(root: Path, suffixes: tuple[str, ...]) -> int:
    """Number of files under *root* whose name ends with one of *suffixes*."""
    return sum(1 for p in root.rglob("*") if p.is_file() and p.name.endswith(suffixes))


def env_with(**extra: str) -> dict:
    """A copy of the environment with *extra* set (PYTHONPATH values are prepended)."""
    env = dict(os.environ)
    for key, value in extra.items():
        if key == "PYTHONPATH" and env.get(key):
            value = value + os.pathsep + env[key]
        env[key] = value
    return env


# --------------------------------------------------------------------------- #
# Targets
# --------------------------------------------------------------------------- #


@dataclass
class Target:
    """A code base to lint: ``root`` holds one top folder (``package``) with the code."""

    name: str
    root: Path
    package: str
    files: int
    source: str  # what was fetched, for the report
    archlint_config: Path | None = None  # set once configs are written


def fetch_django(work: Path) -> Target:
    """Download the Django 5.2 wheel (cached) and unpack its ``django/`` package."""
    dl = work / "downloads"
    wheels = sorted(dl.glob("[Dd]jango-5.2*.whl")) if dl.is_dir() else []
    if not wheels:
        log(f"downloading {DJANGO_SPEC} wheel")
        run_ok(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                DJANGO_SPEC,
                "-d",
                str(dl),
            ],
            "pip download django",
            timeout=INSTALL_TIMEOUT,
        )
        wheels = sorted(dl.glob("[Dd]jango-5.2*.whl"))
    if not wheels:
        raise BenchError("pip download django produced no wheel")
    wheel = wheels[-1]
    version = wheel.name.split("-")[1]
    root = work / "targets" / f"django-{version}"
    if not (root / "django" / "__init__.py").is_file():
        log(f"unpacking {wheel.name}")
        shutil.rmtree(root, ignore_errors=True)
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(root, [n for n in zf.namelist() if n.startswith("django/")])
    files = count_files(root / "django", (".py",))
    return Target(
        "Django", root, "django", files, f"django {version} (PyPI wheel), {files} .py files"
    )


def fetch_typeorm(work: Path) -> Target:
    """``npm pack`` typeorm 0.3 (cached) and keep its CommonJS build's ``.js`` files.

    The tarball also ships an ESM copy under ``browser/``, ``.d.ts`` and
    ``.map`` files; only the ``.js`` files outside ``browser/`` (plus
    ``package.json``) are copied to ``root/typeorm/`` so every tool sees the
    same input.
    """
    dl = work / "downloads"
    dl.mkdir(parents=True, exist_ok=True)
    tgzs = sorted(dl.glob("typeorm-0.3.*.tgz"))
    if not tgzs:
        log(f"npm pack {TYPEORM_SPEC}")
        run_ok(
            ["npm", "pack", TYPEORM_SPEC, "--silent"],
            "npm pack typeorm",
            cwd=dl,
            timeout=INSTALL_TIMEOUT,
        )
        tgzs = sorted(dl.glob("typeorm-0.3.*.tgz"))
    if not tgzs:
        raise BenchError("npm pack typeorm produced no tarball")
    tgz = tgzs[-1]
    version = tgz.name[len("typeorm-") : -len(".tgz")]
    root = work / "targets" / f"typeorm-{version}"
    pkg = root / "typeorm"
    if not (pkg / "index.js").is_file():
        log(f"unpacking {tgz.name}")
        shutil.rmtree(root, ignore_errors=True)
        with tarfile.open(tgz) as tf:
            for member in tf.getmembers():
                rel = member.name.split("/", 1)[-1]  # strip the "package/" prefix
                keep = rel == "package.json" or (
                    rel.endswith(".js") and not rel.startswith("browser/")
                )
                if member.isfile() and keep:
                    dest = pkg / rel
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(tf.extractfile(member).read())
    files = count_files(pkg, (".js",))
    return Target(
        "typeorm",
        root,
        "typeorm",
        files,
        f"typeorm {version} (npm pack, CommonJS build), {files} .js files",
    )


def synthetic_repo(work: Path, n_files: int = SMALL_REPO_FILES) -> Target:
    """Generate a deterministic layered Python repo of *n_files* modules.

    Package ``app`` with layers api > services > domain > infra; each module
    imports two modules of lower layers, and one infra module imports api (a
    single upward violation, so the linter has something to report).
    """
    layers = ["api", "services", "domain", "infra"]
    root = work / "targets" / f"synthetic-{n_files}"
    pkg = root / "app"
    per_layer = (n_files - 1 - len(layers)) // len(layers)  # minus app/__init__ and layer inits
    shutil.rmtree(root, ignore_errors=True)
    (pkg).mkdir(parents=True)
    (pkg / "__init__.py").write_text('"""Synthetic layered app for the archlint benchmark."""\n')
    written = 1
    for layer in layers:
        (pkg / layer).mkdir()
        (pkg / layer / "__init__.py").write_text("")
        written += 1
    for li, layer in enumerate(layers):
        count = per_layer + (1 if li < (n_files - written - per_layer * len(layers)) else 0)
        for i in range(count):
            lines = [f'"""{layer} module {i}."""', "from __future__ import annotations", ""]
            lower = layers[li + 1 :]
            for k, low in enumerate(lower[:2]):
                lines.append(f"from app.{low} import m{(i + k) % per_layer} as dep{k}")
            if layer == "infra" and i == 0:
                lines.append("from app.api import m0 as upward  # deliberate violation")
            lines += ["", "", f"def f{i}(x: int) -> int:", f"    return x + {i}", ""]
            (pkg / layer / f"m{i}.py").write_text("\n".join(lines))
    files = count_files(pkg, (".py",))
    config = root / "archlint.toml"
    config.write_text(
        render_archlint_toml(
            [(f"app/{name}", name) for name in layers], "synthetic layered repo", "synthetic_repo()"
        )
    )
    return Target(
        f"synthetic {files}-file repo",
        root,
        "app",
        files,
        f"synthetic layered Python repo, {files} .py files",
        config,
    )


def find_small_repo(work: Path) -> Target:
    """Pick the fixture repo closest to ~50 source files that has an archlint config.

    Looks at ``/work/main/fixtures/*`` (``REPO/fixtures``); falls back to a
    generated synthetic repo when none qualifies.
    """
    best: tuple[int, Target] | None = None
    fixtures = REPO / "fixtures"
    for d in sorted(fixtures.iterdir()) if fixtures.is_dir() else []:
        if not d.is_dir():
            continue
        config = d / "archlint.toml"
        if not config.is_file():
            py = d / "pyproject.toml"
            config = (
                py if py.is_file() and "[tool.archlint" in py.read_text(errors="replace") else None
            )
        if config is None:
            continue
        files = count_files(d, (".py", ".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs"))
        if not 20 <= files <= 200:
            continue
        score = abs(files - SMALL_REPO_FILES)
        if best is None or score < best[0]:
            best = (
                score,
                Target(
                    f"fixture {d.name}",
                    d,
                    d.name,
                    files,
                    f"fixtures/{d.name}, {files} source files",
                    config,
                ),
            )
    if best is not None:
        return best[1]
    return synthetic_repo(work)


# --------------------------------------------------------------------------- #
# Tools
# --------------------------------------------------------------------------- #


def install_import_linter(work: Path) -> tuple[Path, str]:
    """Install import-linter into ``WORKDIR/tools/venv`` (cached); return its exe and version."""
    venv = work / "tools" / "venv"
    exe = venv / "bin" / "lint-imports"
    py = venv / "bin" / "python"
    if not exe.is_file():
        log("installing import-linter into a venv")
        shutil.rmtree(venv, ignore_errors=True)
        run_ok(
            [sys.executable, "-m", "venv", str(venv)],
            "creating the import-linter venv",
            timeout=INSTALL_TIMEOUT,
        )
        run_ok(
            [
                str(py),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                IMPORT_LINTER_SPEC,
            ],
            "pip install import-linter",
            timeout=INSTALL_TIMEOUT,
        )
    if not exe.is_file():
        raise BenchError("import-linter installed but lint-imports is missing")
    version = run_ok(
        [str(py), "-c", "import importlib.metadata as m; print(m.version('import-linter'))"],
        "reading the import-linter version",
    ).stdout.strip()
    return exe, f"import-linter {version}"


def install_depcruise(work: Path) -> tuple[Path, str]:
    """Install dependency-cruiser 17 with npm into ``WORKDIR/tools/npm`` (cached)."""
    prefix = work / "tools" / "npm"
    exe = prefix / "node_modules" / ".bin" / "depcruise"
    if not exe.is_file():
        log(f"installing {DEPCRUISE_SPEC} with npm")
        prefix.mkdir(parents=True, exist_ok=True)
        if not (prefix / "package.json").is_file():
            (prefix / "package.json").write_text(
                '{"name": "archlint-bench-tools", "private": true}\n'
            )
        run_ok(
            ["npm", "install", "--no-audit", "--no-fund", "--silent", DEPCRUISE_SPEC],
            "npm install dependency-cruiser",
            cwd=prefix,
            timeout=INSTALL_TIMEOUT,
        )
    if not exe.is_file():
        raise BenchError("dependency-cruiser installed but depcruise is missing")
    version = run_ok([str(exe), "--version"], "depcruise --version").stdout.strip()
    return exe, f"dependency-cruiser {version}"


def archlint_probe(cmd: list[str]) -> tuple[bool, str]:
    """Whether ``CMD check --help`` works here; (ok, description-or-reason)."""
    try:
        proc = run(cmd + ["check", "--help"], cwd=REPO, env=env_with(PYTHONPATH=str(REPO)))
    except BenchError as exc:
        return False, str(exc)
    if proc.returncode != 0:
        reason = last_line(proc.stderr) or last_line(proc.stdout) or f"exit {proc.returncode}"
        return False, reason.replace(f"{sys.executable}: ", "")
    rev = run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO).stdout.strip()
    return True, f"archlint (`{shlex.join(cmd)}`, git {rev or 'no commit yet'})"


# --------------------------------------------------------------------------- #
# Configs: one layer list -> equivalent config for each tool
# --------------------------------------------------------------------------- #


def render_importlinter(package: str, layers: list[str], source: str) -> str:
    """An import-linter INI config with one layers contract (high -> low)."""
    body = "\n".join(f"    {package}.{name}" for name in layers)
    return (
        f"# Generated by bench/run.py from {source} -- edit there, not here.\n"
        "[importlinter]\n"
        f"root_package = {package}\n\n"
        f"[importlinter:contract:layers]\n"
        f"name = {package} layers (high -> low)\n"
        "type = layers\n"
        f"layers =\n{body}\n"
    )


def render_archlint_toml(layers: list[tuple[str, str]], what: str, source: str) -> str:
    """An archlint.toml with top-level ``[[layers]]``; *layers* are (folder, name) high -> low.

    Each layer may import every layer below it, which is the import-linter and
    dependency-cruiser rule too.  Paths are relative to the checked root (the
    config is copied there, so they are relative to the config file as well).
    """
    out = [
        f"# archlint layers for the {what}.",
        f"# Generated by bench/run.py from {source} -- edit there, not here.",
        "",
    ]
    names = [name for _, name in layers]
    for i, (folder, name) in enumerate(layers):
        lower = ", ".join(f'"{n}"' for n in names[i + 1 :])
        out += [
            "[[layers]]",
            f'name = "{name}"',
            f'paths = ["{folder}/**"]',
            f"may_import = [{lower}]",
            "",
        ]
    return "\n".join(out)


def render_depcruise(package: str, layers: list[str], source: str) -> str:
    """A dependency-cruiser config: one ``forbidden`` rule per layer, lower -> any higher."""
    rules = []
    for i, name in enumerate(layers[1:], start=1):
        higher = "|".join(layers[:i])
        rules.append(
            "    {\n"
            f"      name: 'no-upward-from-{name}',\n"
            "      severity: 'error',\n"
            f"      from: {{ path: '^{package}/{name}/' }},\n"
            f"      to: {{ path: '^{package}/({higher})/' }},\n"
            "    },"
        )
    return (
        f"// Generated by bench/run.py from {source} -- edit there, not here.\n"
        "/** @type {import('dependency-cruiser').IConfiguration} */\n"
        "module.exports = {\n"
        "  forbidden: [\n" + "\n".join(rules) + "\n  ],\n"
        "  options: {\n"
        "    doNotFollow: { path: 'node_modules' },\n"
        "    moduleSystems: ['cjs', 'es6'],\n"
        "  },\n"
        "};\n"
    )


def write_configs() -> dict[str, Path]:
    """Render every config into ``bench/configs/`` (deterministic, idempotent)."""
    CONFIGS.mkdir(parents=True, exist_ok=True)
    files = {
        "importlinter": (
            CONFIGS / "django.importlinter",
            render_importlinter("django", DJANGO_LAYERS, "DJANGO_LAYERS"),
        ),
        "django_archlint": (
            CONFIGS / "django.archlint.toml",
            render_archlint_toml(
                [(f"django/{n}", n) for n in DJANGO_LAYERS], "django package", "DJANGO_LAYERS"
            ),
        ),
        "depcruise": (
            CONFIGS / "typeorm.dependency-cruiser.cjs",
            render_depcruise("typeorm", TYPEORM_LAYERS, "TYPEORM_LAYERS"),
        ),
        "typeorm_archlint": (
            CONFIGS / "typeorm.archlint.toml",
            render_archlint_toml(
                [(f"typeorm/{n}", n) for n in TYPEORM_LAYERS],
                "typeorm CommonJS build",
                "TYPEORM_LAYERS",
            ),
        ),
    }
    for path, text in files.values():
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
    return {key: path for key, (path, _) in files.items()}


def place_archlint_config(target: Target, config: Path) -> None:
    """Copy archlint's config into the target root, so its relative paths resolve either way."""
    dest = target.root / "archlint.toml"
    shutil.copyfile(config, dest)
    target.archlint_config = dest


# --------------------------------------------------------------------------- #
# Timing
# --------------------------------------------------------------------------- #


@dataclass
class Case:
    """One row of the table: a command timed *repeat* times after one untimed run.

    The untimed run checks the command works and, for warm modes, primes the
    cache (``reset`` runs first to empty it).  ``ok`` decides whether an exit
    was a real run (violations found count as success) or a failure.
    """

    target: str
    tool: str
    mode: str
    argv: list[str] = field(default_factory=list)
    cwd: Path | None = None
    env: dict | None = None
    ok: Callable[[subprocess.CompletedProcess], bool] = lambda p: p.returncode in (0, 1)
    reset: Callable[[], None] | None = None
    anchor: bool = False  # the reference row for ratios within this target
    unavailable: str | None = None  # set when the tool is missing: row is not run
    times: list[float] = field(default_factory=list)
    error: str | None = None
    note: str = ""

    @property
    def min(self) -> float | None:
        return min(self.times) if self.times else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None


def describe_failure(proc: subprocess.CompletedProcess) -> str:
    """One line saying why a linter run does not count as a run."""
    return (
        f"exit {proc.returncode}: {last_line(proc.stderr) or last_line(proc.stdout) or 'no output'}"
    )


def time_case(case: Case, repeat: int) -> Case:
    """Fill ``case.times`` (or ``case.error``); never raises."""
    if case.unavailable:
        case.error = case.unavailable
        return case
    label = f"{case.target} / {case.tool} / {case.mode}"
    try:
        if case.reset:
            case.reset()
        log(f"{label}: untimed first run")
        first = run(case.argv, cwd=case.cwd, env=case.env)
        if not case.ok(first):
            case.error = describe_failure(first)
            log(f"{label}: FAILED {case.error}")
            return case
        case.note = summarize_output(case.tool, first)
        for i in range(repeat):
            start = time.perf_counter()
            proc = run(case.argv, cwd=case.cwd, env=case.env)
            elapsed = time.perf_counter() - start
            if not case.ok(proc):
                case.error = f"run {i + 1}: {describe_failure(proc)}"
                log(f"{label}: FAILED {case.error}")
                return case
            case.times.append(elapsed)
        log(f"{label}: min {case.min:.3f}s median {case.median:.3f}s")
    except BenchError as exc:
        case.error = str(exc)
        log(f"{label}: FAILED {case.error}")
    return case


def summarize_output(tool: str, proc: subprocess.CompletedProcess) -> str:
    """A short note on what the linter reported (to show the runs did real work)."""
    text = proc.stdout + "\n" + proc.stderr
    if tool == "lint-imports":
        for line in text.splitlines():
            if line.startswith("Contracts:"):
                return line.strip()
    if tool == "depcruise":
        for line in text.splitlines():
            if "violations" in line or "modules" in line:
                return line.strip(" ✘✔x\t")[:100]
    if tool == "archlint":
        return summarize_json(proc)
    return f"exit {proc.returncode}"


def summarize_json(proc: subprocess.CompletedProcess) -> str:
    """Count findings in archlint's ``--format json`` output, whatever its exact shape."""
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        return f"exit {proc.returncode}"
    if isinstance(data, dict):
        data = next(
            (
                v
                for k, v in data.items()
                if k in ("findings", "violations", "results") and isinstance(v, list)
            ),
            data,
        )
    if isinstance(data, list):
        return f"exit {proc.returncode}, {len(data)} findings"
    return f"exit {proc.returncode}"


# Success predicates: a run that found violations is still a successful run.
def lint_imports_ok(p: subprocess.CompletedProcess) -> bool:
    return p.returncode in (0, 1) and "Contracts:" in p.stdout


def depcruise_ok(p: subprocess.CompletedProcess) -> bool:
    # depcruise exits with the number of error-level violations (0 when clean).
    return "dependency violations" in p.stdout + p.stderr or (
        p.returncode == 0 and "Error" not in p.stderr
    )


def archlint_ok(p: subprocess.CompletedProcess) -> bool:
    # 0 = clean, 1 = violations; anything else (usage error 2, crash) is a failure.
    return p.returncode in (0, 1) and "Traceback (most recent call last)" not in p.stderr


def rmtree_reset(path: Path) -> Callable[[], None]:
    """A reset hook that deletes a cache directory."""
    return lambda: shutil.rmtree(path, ignore_errors=True)


@dataclass
class Archlint:
    """How to call archlint and whether it is there."""

    cmd: list[str]
    available: bool
    info: str  # description when available, reason when not


def archlint_cases(target: Target, work: Path, archlint: Archlint) -> list[Case]:
    """archlint cold (``--no-cache``) and warm (dedicated ``--cache-dir``, primed) on *target*."""
    unavailable = None if archlint.available else "archlint: not available"
    base = archlint.cmd + [
        "check",
        str(target.root),
        "--config",
        str(target.archlint_config),
        "--format",
        "json",
    ]
    cache = work / "cache" / f"archlint-{target.package}"
    env = env_with(PYTHONPATH=str(REPO))
    return [
        Case(
            target.name,
            "archlint",
            "cold",
            base + ["--no-cache"],
            REPO,
            env,
            archlint_ok,
            unavailable=unavailable,
        ),
        Case(
            target.name,
            "archlint",
            "warm",
            base + ["--cache-dir", str(cache)],
            REPO,
            env,
            archlint_ok,
            reset=rmtree_reset(cache),
            unavailable=unavailable,
        ),
    ]


def python_cases(work: Path, configs: dict[str, Path], archlint: Archlint) -> list[Case]:
    """lint-imports cold/warm and archlint cold/warm on Django."""
    try:
        target = fetch_django(work)
    except BenchError as exc:
        log(f"Django target unavailable: {exc}")
        return [Case("Django", "(target)", "-", unavailable=f"target: {exc}")]
    place_archlint_config(target, configs["django_archlint"])
    cases: list[Case] = []
    try:
        exe, version = install_import_linter(work)
        TOOL_VERSIONS["lint-imports"] = version
        missing = None
    except BenchError as exc:
        exe, missing = Path("lint-imports"), f"import-linter: cannot install ({exc})"
        log(missing)
    env = env_with(PYTHONPATH=str(target.root))
    base = [str(exe), "--config", str(configs["importlinter"])]
    cache = work / "cache" / "import-linter-django"
    cases += [
        Case(
            target.name,
            "lint-imports",
            "cold",
            base + ["--no-cache"],
            target.root,
            env,
            lint_imports_ok,
            anchor=True,
            unavailable=missing,
        ),
        Case(
            target.name,
            "lint-imports",
            "warm",
            base + ["--cache-dir", str(cache)],
            target.root,
            env,
            lint_imports_ok,
            reset=rmtree_reset(cache),
            unavailable=missing,
        ),
    ]
    cases += archlint_cases(target, work, archlint)
    TARGETS.append(target)
    return cases


def node_cases(work: Path, configs: dict[str, Path], archlint: Archlint) -> list[Case]:
    """depcruise and archlint cold/warm on typeorm."""
    try:
        target = fetch_typeorm(work)
    except BenchError as exc:
        log(f"typeorm target unavailable: {exc}")
        return [Case("typeorm", "(target)", "-", unavailable=f"target: {exc}")]
    place_archlint_config(target, configs["typeorm_archlint"])
    try:
        exe, version = install_depcruise(work)
        TOOL_VERSIONS["depcruise"] = version
        missing = None
    except BenchError as exc:
        exe, missing = Path("depcruise"), f"dependency-cruiser: cannot install ({exc})"
        log(missing)
    argv = [
        str(exe),
        "--config",
        str(configs["depcruise"]),
        "--output-type",
        "err",
        "--progress",
        "none",
        target.package,
    ]
    cases = [
        Case(
            target.name,
            "depcruise",
            "cold",
            argv,
            target.root,
            None,
            depcruise_ok,
            anchor=True,
            unavailable=missing,
        )
    ]
    cases += archlint_cases(target, work, archlint)
    TARGETS.append(target)
    return cases


def small_repo_cases(work: Path, archlint: Archlint) -> list[Case]:
    """archlint cold and warm on a ~50-file repo (fixture or synthetic)."""
    target = find_small_repo(work)
    TARGETS.append(target)
    return archlint_cases(target, work, archlint)


# --------------------------------------------------------------------------- #
# Report
# --------------------------------------------------------------------------- #


def fmt(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.3f}"


def anchor_of(case: Case, cases: list[Case]) -> Case | None:
    """The anchor row of the same target, if any."""
    return next((c for c in cases if c.anchor and c.target == case.target), None)


def ratio(num: float | None, den: float | None) -> float | None:
    return None if num is None or not den else num / den


def render_table(cases: list[Case]) -> str:
    """The side-by-side Markdown table (ratio = median / anchor's median)."""
    rows = [
        "| target | tool | mode | min s | median s | ratio vs anchor | note |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for c in cases:
        a = anchor_of(c, cases)
        r = ratio(c.median, a.median if a else None)
        rtext = "anchor" if c.anchor and c.times else ("—" if r is None else f"{r:.2f}×")
        note = c.error if c.error else c.note
        rows.append(
            f"| {c.target} | {c.tool} | {c.mode} | {fmt(c.min)} | {fmt(c.median)} "
            f"| {rtext} | {note.replace('|', '/')} |"
        )
    return "\n".join(rows)


def find(cases: list[Case], target_prefix: str, tool: str, mode: str) -> Case | None:
    return next(
        (
            c
            for c in cases
            if c.target.startswith(target_prefix) and c.tool == tool and c.mode == mode
        ),
        None,
    )


def render_targets(cases: list[Case]) -> str:
    """The ratios against archlint's performance targets (medians)."""

    def check(label: str, value: float | None, limit: float, unit: str = "×") -> str:
        if value is None:
            return f"| {label} | ≤ {limit}{unit} | — | not measured |"
        verdict = "PASS" if value <= limit else "FAIL"
        return f"| {label} | ≤ {limit}{unit} | {value:.2f}{unit} | {verdict} |"

    def med(prefix: str, tool: str, mode: str) -> float | None:
        c = find(cases, prefix, tool, mode)
        return c.median if c else None

    small = next(
        (
            c
            for c in cases
            if c.tool == "archlint"
            and c.mode == "cold"
            and not c.target.startswith(("Django", "typeorm"))
        ),
        None,
    )
    rows = [
        "| target | goal | measured | verdict |",
        "|---|---:|---:|---|",
        check(
            "Django: archlint cold / lint-imports cold",
            ratio(med("Django", "archlint", "cold"), med("Django", "lint-imports", "cold")),
            1.5,
        ),
        check(
            "typeorm: archlint cold / depcruise",
            ratio(med("typeorm", "archlint", "cold"), med("typeorm", "depcruise", "cold")),
            0.5,
        ),
        check(
            "Django: archlint warm / archlint cold",
            ratio(med("Django", "archlint", "warm"), med("Django", "archlint", "cold")),
            0.3,
        ),
        check(
            "typeorm: archlint warm / archlint cold",
            ratio(med("typeorm", "archlint", "warm"), med("typeorm", "archlint", "cold")),
            0.3,
        ),
        check(
            f"{small.target if small else '50-file repo'}: archlint cold",
            small.median if small else None,
            0.3,
            " s",
        ),
    ]
    return "\n".join(rows)


def render_report(cases: list[Case], repeat: int, archlint: Archlint) -> str:
    """The whole Markdown report: environment, targets, table, target ratios."""
    now = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    node = "node " + (
        run(["node", "--version"]).stdout.strip() if shutil.which("node") else "missing"
    )
    tools = [
        TOOL_VERSIONS.get("lint-imports", "import-linter: not installed"),
        TOOL_VERSIONS.get("depcruise", "dependency-cruiser: not installed"),
        archlint.info if archlint.available else f"archlint: not available ({archlint.info})",
    ]
    lines = [
        "# archlint benchmark results",
        "",
        f"Generated by `python bench/run.py --repeat {repeat}` on {now}.",
        f"Machine: {platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {node}.",
        "Wall clock of the whole subprocess (`time.perf_counter`), after one untimed run "
        "(which also primes the warm caches); ratios use medians.",
        "",
        "Tools: " + "; ".join(tools) + ".",
        "",
        "Targets:",
        *[f"- {t.name}: {t.source}" for t in TARGETS],
        "",
        "## Timings",
        "",
        render_table(cases),
        "",
        "## Performance targets",
        "",
        render_targets(cases),
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- #
# Main
# --------------------------------------------------------------------------- #


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark archlint against import-linter "
        "and dependency-cruiser on Django and typeorm."
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per row (default 5)")
    parser.add_argument(
        "--only",
        choices=["python", "node"],
        help="only the Python targets (Django, 50-file repo) or only the Node one",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=BENCH / ".work",
        help="downloads, tools and caches (default bench/.work)",
    )
    parser.add_argument(
        "--archlint-cmd",
        default=f"{shlex.quote(sys.executable)} -m archlint",
        help="how to invoke archlint (default: this Python's -m archlint, run from the repo root)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    configs = write_configs()
    cmd = shlex.split(args.archlint_cmd)
    archlint = Archlint(cmd, *archlint_probe(cmd))
    log(archlint.info if archlint.available else f"archlint: not available ({archlint.info})")

    cases: list[Case] = []
    if args.only in (None, "python"):
        cases += python_cases(work, configs, archlint)
    if args.only in (None, "node"):
        cases += node_cases(work, configs, archlint)
    if args.only in (None, "python"):
        cases += small_repo_cases(work, archlint)

    for case in cases:
        time_case(case, args.repeat)

    report = render_report(cases, args.repeat, archlint)
    RESULTS.write_text(report)
    print(report)
    log(f"wrote {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
