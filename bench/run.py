#!/usr/bin/env python3
"""archlint performance benchmark against real code and the established tools.

Usage::

    python bench/run.py [--repeat N] [--only python|node|small|scaling] [--workdir DIR]
                        [--archlint-cmd "python -m archlint"] [--tree NAME=PATH ...]

What one run does:

1. fetches the targets from the registries into the work dir (default: a directory under the
   system temp dir, never the repository; cached between runs): the Django 5.2 wheel; the
   wagtail wheel (a large Django-ORM code base: models and querysets everywhere); a saleor-sized
   tree of Django apps (saleor 2.10.1, wagtail and netbox from PyPI, ~3,500 files and 30 MB, as
   saleor's repository is not on a registry); the TypeScript sources of ``effect`` from npm;
2. installs the anchors there: import-linter and tach in a venv, dependency-cruiser 17 and
   TypeScript 5 with npm;
3. renders *equivalent* layer contracts for every tool from one layer list per target;
4. times every row as a whole subprocess (wall clock, and peak RSS from ``wait4``), the rows of
   one target *alternated* run by run (A B C A B C …) so that a drifting machine moves them alike;
   one untimed run per row first (it checks the command works and primes the warm caches);
5. prints a Markdown report — timings, every ratio of issue 11 with PASS/FAIL, the scaling rows
   with their slope — and writes it to ``bench/results.md``.

archlint rows: ``cold`` (every rule family, ``--no-cache``), ``layers only`` (``--select
layering``, cold), ``warm`` (unchanged tree, primed cache) and ``one edit`` (a comment appended
to one module before each run, primed cache).  archlint runs with byte-code caching on
(``PYTHONDONTWRITEBYTECODE`` removed, ``compileall`` first), as an installed package does.
``--tree NAME=PATH`` adds archlint rows (cold, layers only, warm, one edit) for any local tree,
e.g. a checkout of saleor or outline's ``server/``, with its own config if it has one.

A tool that cannot be installed, fails or times out becomes one error line in its row, never a
crash of this script.  This is a benchmark: nothing here is a unit test.
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
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conduit import LAYERS as CONDUIT_LAYERS  # noqa: E402
from conduit import write_conduit, write_copies  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results.md"
DEFAULT_WORK = Path(tempfile.gettempdir()) / "archlint-bench"

TIMEOUT = 600  # seconds, every timed or probing command
INSTALL_TIMEOUT = 900  # seconds, downloads and installs

# Layers, high -> low: every tool's contract is rendered from these lists (a layer may import
# any layer below it; importing a layer above it is a violation).
DJANGO_LAYERS = ["django.contrib", "django.views", "django.forms", "django.template", "django.db", "django.utils"]
WAGTAIL_LAYERS = ["wagtail.contrib", "wagtail.admin", "wagtail.snippets", "wagtail.documents", "wagtail.images",
                  "wagtail.models", "wagtail.utils"]
APPS_LAYERS = ["saleor.graphql", "saleor.checkout", "saleor.order", "saleor.product", "saleor.core"]
EFFECT_LAYERS = ["cluster", "workflow", "rpc", "http-api", "http", "sql", "schema"]

SCALING_COPIES = (1, 4, 16)

TOOL_VERSIONS: dict[str, str] = {}
TARGET_NOTES: list[str] = []


class BenchError(Exception):
    """A step failed in a way that is reported as one clear line."""


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def last_line(text: str, width: int = 160) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return (lines[-1] if lines else "")[:width]


def run(argv: list[str], *, cwd: Path | None = None, env: dict | None = None, timeout: float = TIMEOUT):
    try:
        return subprocess.run(argv, cwd=cwd, env=env, timeout=timeout, text=True, capture_output=True,
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise BenchError(f"program not found: {argv[0]}") from None
    except subprocess.TimeoutExpired:
        raise BenchError(f"timed out after {timeout:.0f}s: {' '.join(map(str, argv[:3]))} ...") from None


def run_ok(argv: list[str], what: str, **kw):
    proc = run(argv, **kw)
    if proc.returncode != 0:
        raise BenchError(f"{what} failed (exit {proc.returncode}): {last_line(proc.stderr) or last_line(proc.stdout)}")
    return proc


def measure(argv: list[str], cwd: Path | None, env: dict | None) -> tuple[float, int, int, str, str, float]:
    """Run once: (wall seconds, peak RSS in MiB of the largest process, exit code, stdout, stderr,
    CPU seconds user+sys of the process and the children it waited for).  CPU time barely moves when
    other jobs load the machine; wall time does — a ratio of wall times taken under load flatters the
    slower tool."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        try:
            process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        except FileNotFoundError:
            raise BenchError(f"program not found: {argv[0]}") from None
        deadline = started + TIMEOUT
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                raise BenchError(f"timed out after {TIMEOUT}s: {' '.join(map(str, argv[:3]))} ...")
            time.sleep(0.002)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (wall, usage.ru_maxrss // 1024, process.returncode, out.read().decode(errors="replace"),
                err.read().decode(errors="replace"), usage.ru_utime + usage.ru_stime)


def count_files(root: Path, suffixes: tuple[str, ...]) -> int:
    return sum(1 for p in root.rglob("*") if p.is_file() and p.name.endswith(suffixes) and "node_modules" not in p.parts)


def tree_bytes(root: Path, suffixes: tuple[str, ...]) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and p.name.endswith(suffixes))


# --------------------------------------------------------------------------- #
# Targets
# --------------------------------------------------------------------------- #


@dataclass
class Target:
    name: str
    root: Path
    language: str  # python | typescript
    layers: list[str]  # dotted packages (Python) or folders under the package (TS), high -> low
    packages: list[str] = field(default_factory=list)  # Python top-level packages (import-linter roots)
    source: str = ""
    edit_file: Path | None = None  # the module the "one edit" row changes
    archlint_config: Path | None = None


def pip_download(spec: str, work: Path, *extra: str) -> Path:
    """A wheel for ``spec`` in ``work/downloads`` (cached)."""
    downloads = work / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    name = spec.split("=")[0].split("<")[0].split(">")[0].replace("-", "_").lower()
    found = sorted(p for p in downloads.glob("*.whl") if p.name.lower().startswith(name + "-"))
    if not found:
        log(f"downloading {spec}")
        run_ok([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", *extra, spec,
                "-d", str(downloads)], f"pip download {spec}", timeout=INSTALL_TIMEOUT)
        found = sorted(p for p in downloads.glob("*.whl") if p.name.lower().startswith(name + "-"))
    if not found:
        raise BenchError(f"pip download {spec} produced no wheel")
    return found[-1]


def unpack_wheel(wheel: Path, destination: Path, skip_prefixes: tuple[str, ...] = ()) -> list[str]:
    """Unpack the wheel's packages (not its .dist-info) and return the top-level package names."""
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if ".dist-info/" not in n and not n.startswith(skip_prefixes)]
        archive.extractall(destination, names)
    return sorted({n.split("/")[0] for n in names if "/" in n and (destination / n.split("/")[0] / "__init__.py").exists()})


def fetch_django(work: Path) -> Target:
    wheel = pip_download("django==5.2.*", work)
    root = work / "targets" / wheel.stem
    if not (root / "django" / "__init__.py").is_file():
        unpack_wheel(wheel, root)
    files = count_files(root, (".py",))
    return Target("Django", root, "python", DJANGO_LAYERS, ["django"],
                  f"{wheel.name.split('-')[0]} {wheel.name.split('-')[1]} wheel, {files} .py files",
                  root / "django" / "db" / "models" / "query.py")


def fetch_wagtail(work: Path) -> Target:
    wheel = pip_download("wagtail", work)
    root = work / "targets" / wheel.stem
    if not (root / "wagtail" / "__init__.py").is_file():
        unpack_wheel(wheel, root)
    files = count_files(root, (".py",))
    return Target("wagtail", root, "python", WAGTAIL_LAYERS, ["wagtail"],
                  f"wagtail {wheel.name.split('-')[1]} wheel, {files} .py files", root / "wagtail" / "models" / "pages.py")


def fetch_apps(work: Path) -> Target:
    """saleor-sized: saleor 2.10.1 (its last PyPI release) + wagtail + netbox in one tree."""
    wheels = [pip_download("saleor==2.10.1", work, "--ignore-requires-python", "--python-version", "3.8"),
              pip_download("wagtail", work), pip_download("netbox", work, "--ignore-requires-python")]
    root = work / "targets" / "django-apps"
    marker = root / ".complete"
    if not marker.is_file():
        shutil.rmtree(root, ignore_errors=True)
        for wheel in wheels:
            unpack_wheel(wheel, root)
        marker.write_text("\n".join(w.name for w in wheels))
    packages = sorted(p.name for p in root.iterdir() if (p / "__init__.py").is_file())
    files = count_files(root, (".py",))
    megabytes = tree_bytes(root, (".py",)) / 1e6
    versions = ", ".join("-".join(w.name.split("-")[:2]) for w in wheels)
    return Target("django-apps (saleor-sized)", root, "python", APPS_LAYERS, packages,
                  f"{versions} wheels in one tree, {files} .py files, {megabytes:.1f} MB", root / "saleor" / "order" / "models.py")


def fetch_effect(work: Path) -> Target:
    downloads = work / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    tarballs = sorted(downloads.glob("effect-*.tgz"))
    if not tarballs:
        log("npm pack effect")
        run_ok(["npm", "pack", "effect@4", "--silent"], "npm pack effect", cwd=downloads, timeout=INSTALL_TIMEOUT)
        tarballs = sorted(downloads.glob("effect-*.tgz"))
    if not tarballs:
        raise BenchError("npm pack effect produced no tarball")
    version = tarballs[-1].name[len("effect-") : -len(".tgz")]
    root = work / "targets" / f"effect-{version}"
    package = root / "effect"
    if not (package / "src").is_dir():
        shutil.rmtree(root, ignore_errors=True)
        with tarfile.open(tarballs[-1]) as archive:
            for member in archive.getmembers():
                relative = member.name.split("/", 1)[-1]
                if member.isfile() and (relative == "package.json" or (relative.startswith("src/") and relative.endswith(".ts"))):
                    destination = package / relative
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    destination.write_bytes(archive.extractfile(member).read())
    files = count_files(package, (".ts",))
    return Target("effect (TS)", root, "typescript", EFFECT_LAYERS, [], f"effect {version} npm sources, {files} .ts files",
                  package / "src" / "Effect.ts")


def small_repo(work: Path) -> Target:
    root = work / "targets" / "conduit-1"
    shutil.rmtree(root, ignore_errors=True)
    files = write_conduit(root)
    return Target("Conduit app (agent-style)", root, "python", [f"conduit.{layer}" for layer in CONDUIT_LAYERS],
                  ["conduit"], f"generated FastAPI + SQLAlchemy Conduit app, {files} .py files",
                  root / "conduit" / "services" / "article_service.py")


# --------------------------------------------------------------------------- #
# Tools and configs
# --------------------------------------------------------------------------- #


def install_python_tools(work: Path) -> Path:
    venv = work / "tools" / "venv"
    python = venv / "bin" / "python"
    if not (venv / "bin" / "lint-imports").is_file() or not (venv / "bin" / "tach").is_file():
        log("installing import-linter and tach into a venv")
        shutil.rmtree(venv, ignore_errors=True)
        run_ok([sys.executable, "-m", "venv", str(venv)], "creating the tools venv", timeout=INSTALL_TIMEOUT)
        run_ok([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "import-linter", "tach"],
               "pip install import-linter tach", timeout=INSTALL_TIMEOUT)
    for package in ("import-linter", "grimp", "tach"):
        version = run([str(python), "-c", f"import importlib.metadata as m; print(m.version('{package}'))"]).stdout.strip()
        TOOL_VERSIONS[package] = f"{package} {version or '?'}"
    return venv / "bin"


def install_node_tools(work: Path) -> Path:
    prefix = work / "tools" / "npm"
    binaries = prefix / "node_modules" / ".bin"
    if not (binaries / "depcruise").is_file() or not (binaries / "tsc").is_file():
        log("installing dependency-cruiser 17 and typescript 5 with npm")
        prefix.mkdir(parents=True, exist_ok=True)
        (prefix / "package.json").write_text('{"name": "archlint-bench-tools", "private": true}\n')
        run_ok(["npm", "install", "--no-audit", "--no-fund", "--silent", "dependency-cruiser@17", "typescript@5"],
               "npm install dependency-cruiser typescript", cwd=prefix, timeout=INSTALL_TIMEOUT)
    TOOL_VERSIONS["depcruise"] = "dependency-cruiser " + run([str(binaries / "depcruise"), "--version"]).stdout.strip()
    TOOL_VERSIONS["typescript"] = "typescript " + run([str(binaries / "tsc"), "--version"]).stdout.strip().split()[-1]
    return binaries


def write_python_configs(target: Target) -> None:
    """import-linter (.importlinter), tach (tach.toml) and archlint (archlint.toml) with one contract."""
    roots = "\n".join(f"    {package}" for package in target.packages)
    layers = "\n".join(f"    {layer}" for layer in target.layers)
    (target.root / ".importlinter").write_text(
        "[importlinter]\nroot_packages =\n" + roots + "\n\n[importlinter:contract:layers]\nname = layers (high -> low)\n"
        "type = layers\nlayers =\n" + layers + "\n"
    )
    modules = "".join(f'\n[[modules]]\npath = "{layer}"\nlayer = "{layer}"\n' for layer in target.layers)
    (target.root / "tach.toml").write_text(
        'source_roots = ["."]\nlayers = [' + ", ".join(f'"{layer}"' for layer in target.layers) + "]\n" + modules
    )
    archlint = []
    for index, layer in enumerate(target.layers):
        lower = ", ".join(f'"{name}"' for name in target.layers[index + 1 :])
        archlint += ["[[layers]]", f'name = "{layer}"', f'paths = ["{layer.replace(".", "/")}/**"]', f"may_import = [{lower}]", ""]
    target.archlint_config = target.root / "archlint.toml"
    target.archlint_config.write_text("\n".join(archlint))


def write_ts_configs(target: Target) -> None:
    rules = []
    for index, layer in enumerate(target.layers[1:], start=1):
        higher = "|".join(target.layers[:index])
        rules.append(f"    {{ name: 'no-upward-from-{layer}', severity: 'error', from: {{ path: '^effect/src/{layer}/' }}, "
                     f"to: {{ path: '^effect/src/({higher})/' }} }},")
    (target.root / "dependency-cruiser.cjs").write_text(
        "module.exports = {\n  forbidden: [\n" + "\n".join(rules) + "\n  ],\n  options: {\n"
        "    doNotFollow: { path: 'node_modules' },\n    moduleSystems: ['cjs', 'es6'],\n"
        "    tsPreCompilationDeps: true,\n    tsConfig: { fileName: 'tsconfig.json' },\n  },\n};\n"
    )
    (target.root / "tsconfig.json").write_text(
        '{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext", "target": "ES2022", "noEmit": true },'
        ' "include": ["effect/src"] }\n'
    )
    archlint = []
    for index, layer in enumerate(target.layers):
        lower = ", ".join(f'"{name}"' for name in target.layers[index + 1 :])
        archlint += ["[[layers]]", f'name = "{layer}"', f'paths = ["effect/src/{layer}/**"]', f"may_import = [{lower}]", ""]
    target.archlint_config = target.root / "archlint.toml"
    target.archlint_config.write_text("\n".join(archlint))


# --------------------------------------------------------------------------- #
# Rows
# --------------------------------------------------------------------------- #


@dataclass
class Case:
    """One row: a command timed ``repeat`` times (alternated with the other rows of its target)."""

    target: str
    tool: str
    mode: str
    argv: list[str] = field(default_factory=list)
    cwd: Path | None = None
    env: dict | None = None
    ok: Callable[[int, str, str], bool] = lambda code, out, err: code in (0, 1)
    before: Callable[[], None] | None = None  # untimed, before every run (the one-edit row edits here)
    after: Callable[[], None] | None = None  # untimed, after every run (the edit is undone: other rows see the tree as fetched)
    reset: Callable[[], None] | None = None  # untimed, once before the priming run
    files: int = 0
    times: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    error: str | None = None
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def cpu(self) -> float | None:
        return statistics.median(self.cpus) if self.cpus else None

    @property
    def peak(self) -> int | None:
        return max(self.peaks) if self.peaks else None


def lint_imports_ok(code: int, out: str, err: str) -> bool:
    return code in (0, 1) and "Contracts:" in out


def tach_ok(code: int, out: str, err: str) -> bool:
    return code in (0, 1) and "Traceback" not in err


def depcruise_ok(code: int, out: str, err: str) -> bool:
    return "dependency violations" in out + err or (code == 0 and "ERROR" not in err)


def archlint_ok(code: int, out: str, err: str) -> bool:
    return code in (0, 1) and "Traceback (most recent call last)" not in err


def summarize(tool: str, out: str, err: str, code: int) -> str:
    if tool == "lint-imports":
        return next((line.strip() for line in out.splitlines() if line.startswith("Contracts:")), f"exit {code}")
    if tool == "depcruise":
        return next((line.strip(" ✘✔x\t")[:100] for line in (out + err).splitlines() if "violations" in line), f"exit {code}")
    if tool == "archlint":
        try:
            data = json.loads(out)
            return f"exit {code}, {len(data['findings'])} findings, {data['stats']['files']} files"
        except (ValueError, KeyError, TypeError):
            return f"exit {code}"
    return f"exit {code}, {sum(1 for line in (out + err).splitlines() if line.startswith('[FAIL]'))} errors"


def archlint_env() -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def archlint_cases(target: Target, work: Path, cmd: list[str], modes=("cold", "layers only", "warm", "one edit")) -> list[Case]:
    base = cmd + ["check", str(target.root), "--format", "json"]
    if target.archlint_config is not None:
        base += ["--config", str(target.archlint_config)]
    slug = "".join(c if c.isalnum() else "-" for c in target.name.lower())
    env = archlint_env()
    cases = []
    for mode in modes:
        case = Case(target.name, "archlint", mode, cwd=REPO, env=env, ok=archlint_ok)
        if mode == "cold":
            case.argv = base + ["--no-cache"]
        elif mode == "layers only":
            case.argv = base + ["--no-cache", "--select", "layering"]
        else:
            cache = work / "cache" / f"archlint-{slug}-{mode.replace(' ', '-')}"
            case.argv = base + ["--cache-dir", str(cache)]
            case.reset = lambda cache=cache: shutil.rmtree(cache, ignore_errors=True)
            if mode == "one edit" and target.edit_file is not None:
                case.before = editor(target.edit_file)
                case.after = case.before.restore  # type: ignore[attr-defined]
        cases.append(case)
    return cases


def editor(path: Path) -> Callable[[], None]:
    """Append a different comment line to ``path`` before each run (a real content change)."""
    original = path.read_bytes()
    counter = [0]

    def edit() -> None:
        counter[0] += 1
        comment = b"\n# bench edit %d\n" % counter[0] if path.suffix == ".py" else b"\n// bench edit %d\n" % counter[0]
        path.write_bytes(original + comment)

    edit.restore = lambda: path.write_bytes(original)  # type: ignore[attr-defined]
    return edit


def time_group(cases: list[Case], repeat: int) -> None:
    """One untimed run per row, then ``repeat`` rounds over the rows in turn."""
    live = []
    for case in cases:
        if case.error:
            continue
        label = f"{case.target} / {case.tool} / {case.mode}"
        try:
            if case.reset:
                case.reset()
            if case.before:
                case.before()
            log(f"{label}: untimed first run")
            _wall, _peak, code, out, err, _cpu = measure(case.argv, case.cwd, case.env)
            if case.after:
                case.after()
            if not case.ok(code, out, err):
                case.error = f"exit {code}: {last_line(err) or last_line(out) or 'no output'}"
                log(f"{label}: FAILED {case.error}")
                continue
            case.note = summarize(case.tool, out, err, code)
            live.append(case)
        except BenchError as exc:
            case.error = str(exc)
            log(f"{label}: FAILED {case.error}")
    for round_number in range(repeat):
        for case in live:
            if case.error:
                continue
            try:
                if case.before:
                    case.before()
                wall, peak, code, out, err, cpu = measure(case.argv, case.cwd, case.env)
                if case.after:
                    case.after()
            except BenchError as exc:
                case.error = f"run {round_number + 1}: {exc}"
                continue
            if not case.ok(code, out, err):
                case.error = f"run {round_number + 1}: exit {code}: {last_line(err) or last_line(out)}"
                continue
            case.times.append(wall)
            case.peaks.append(peak)
            case.cpus.append(cpu)
    for case in live:
        if case.times:
            log(f"{case.target} / {case.tool} / {case.mode}: median {case.median:.3f}s, CPU {case.cpu:.3f}s, peak {case.peak} MiB")


def python_group(target: Target, work: Path, tools: Path | None, cmd: list[str], repeat: int) -> list[Case]:
    write_python_configs(target)
    env = dict(os.environ, PYTHONPATH=str(target.root))
    cases = []
    if tools is not None:
        cases.append(Case(target.name, "lint-imports", "cold", [str(tools / "lint-imports"), "--no-cache"],
                          target.root, env, lint_imports_ok))
        cases.append(Case(target.name, "tach", "cold", [str(tools / "tach"), "check"], target.root, env, tach_ok))
    cases += archlint_cases(target, work, cmd)
    time_group(cases, repeat)
    return cases


def ts_group(target: Target, work: Path, binaries: Path | None, cmd: list[str], repeat: int) -> list[Case]:
    write_ts_configs(target)
    cases = []
    if binaries is not None:
        cases.append(Case(target.name, "depcruise", "cold",
                          [str(binaries / "depcruise"), "--config", "dependency-cruiser.cjs", "--output-type", "err",
                           "--progress", "none", "effect/src"], target.root, None, depcruise_ok))
    cases += archlint_cases(target, work, cmd)
    time_group(cases, repeat)
    return cases


def scaling_group(work: Path, cmd: list[str], repeat: int) -> list[Case]:
    cases = []
    for copies in SCALING_COPIES:
        root = work / "targets" / f"conduit-x{copies}"
        shutil.rmtree(root, ignore_errors=True)
        files = write_copies(root, copies)
        target = Target(f"Conduit ×{copies}", root, "python", [], [], f"{copies} copies, {files} .py files")
        for case in archlint_cases(target, work, cmd, modes=("cold", "layers only")):
            case.target, case.files = "scaling", files
            case.mode = f"{case.mode}, ×{copies} ({files} files)"
            cases.append(case)
    time_group(cases, repeat)
    return cases


# --------------------------------------------------------------------------- #
# Report
# --------------------------------------------------------------------------- #


def fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def find(cases: list[Case], target: str, tool: str, mode: str) -> Case | None:
    return next((c for c in cases if c.target == target and c.tool == tool and c.mode == mode), None)


def ratio(a: Case | None, b: Case | None) -> float | None:
    if a is None or b is None or a.median is None or not b.median:
        return None
    return a.median / b.median


def render_table(cases: list[Case]) -> str:
    rows = ["| target | tool | mode | median s | CPU s | peak MiB | vs first anchor | CPU vs anchor | note |",
            "|---|---|---|---:|---:|---:|---:|---:|---|"]
    for case in cases:
        anchor = next((c for c in cases if c.target == case.target and c.tool in ("lint-imports", "depcruise")), None)
        relative = ratio(case, anchor) if case is not anchor else None
        text = "anchor" if case is anchor and case.times else ("—" if relative is None else f"{relative:.2f}×")
        cpu_relative = case.cpu / anchor.cpu if case is not anchor and anchor is not None and case.cpu and anchor.cpu else None
        cpu_text = "anchor" if case is anchor and case.cpus else ("—" if cpu_relative is None else f"{cpu_relative:.2f}×")
        note = (case.error or case.note).replace("|", "/")
        rows.append(f"| {case.target} | {case.tool} | {case.mode} | {fmt(case.median)} | {fmt(case.cpu)} | {case.peak or '—'} "
                    f"| {text} | {cpu_text} | {note} |")
    return "\n".join(rows)


def verdict(label: str, value: float | None, limit: float, unit: str = "×") -> str:
    if value is None:
        return f"| {label} | ≤ {limit}{unit} | — | not measured |"
    return f"| {label} | ≤ {limit}{unit} | {value:.2f}{unit} | {'PASS' if value <= limit else 'FAIL'} |"


def render_targets(cases: list[Case]) -> str:
    rows = ["| target | goal | measured | verdict |", "|---|---:|---:|---|"]
    for name, full_limit in (("Django", 1.5), ("wagtail", 2.0), ("django-apps (saleor-sized)", 2.0)):
        anchor = find(cases, name, "lint-imports", "cold")
        if anchor is None:
            continue
        rows.append(verdict(f"{name}: layers only / import-linter", ratio(find(cases, name, "archlint", "layers only"), anchor), 1.0))
        rows.append(verdict(f"{name}: layers only / tach", ratio(find(cases, name, "archlint", "layers only"), find(cases, name, "tach", "cold")), 1.0))
        rows.append(verdict(f"{name}: full check / import-linter", ratio(find(cases, name, "archlint", "cold"), anchor), full_limit))
    for name in ("Django", "wagtail", "django-apps (saleor-sized)", "effect (TS)"):
        cold = find(cases, name, "archlint", "cold")
        if cold is None:
            continue
        rows.append(verdict(f"{name}: warm unchanged / cold", ratio(find(cases, name, "archlint", "warm"), cold), 0.15))
        rows.append(verdict(f"{name}: one edited file / cold", ratio(find(cases, name, "archlint", "one edit"), cold), 0.3))
    apps = find(cases, "django-apps (saleor-sized)", "archlint", "cold")
    if apps is not None:
        rows.append(verdict("django-apps (saleor-sized): peak RSS, full check", apps.peak, 150, " MiB"))
    effect = find(cases, "effect (TS)", "archlint", "cold")
    if effect is not None:
        rows.append(verdict("effect (TS): full check / depcruise", ratio(effect, find(cases, "effect (TS)", "depcruise", "cold")), 0.5))
    small_cold = find(cases, "Conduit app (agent-style)", "archlint", "cold")
    if small_cold is not None:
        small_warm = find(cases, "Conduit app (agent-style)", "archlint", "warm") or Case("", "", "")
        rows.append(verdict("Conduit app, 51 files: cold", small_cold.median, 0.25, " s"))
        rows.append(verdict("Conduit app, 51 files: warm", small_warm.median, 0.12, " s"))
        # On a busy machine wall time waits for the CPU; user+sys of the process is what it needed
        # (an idle machine's wall time is about this plus a few ms of I/O): the same limits, as a hint.
        rows.append(verdict("Conduit app, 51 files: cold, CPU user+sys (busy-machine hint)", small_cold.cpu, 0.25, " s"))
        rows.append(verdict("Conduit app, 51 files: warm, CPU user+sys (busy-machine hint)", small_warm.cpu, 0.12, " s"))
    return "\n".join(rows)


def render_scaling(cases: list[Case]) -> str:
    lines = []
    for mode in ("cold", "layers only"):
        rows = sorted((c for c in cases if c.target == "scaling" and c.mode.startswith(mode + ",") and c.times), key=lambda c: c.files)
        if len(rows) < 2:
            continue
        xs = [c.files for c in rows]
        ys = [c.median for c in rows]
        mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
        slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sum((x - mean_x) ** 2 for x in xs)
        peaks = [c.peak for c in rows]
        memory = (peaks[-1] - peaks[0]) / (xs[-1] - xs[0]) if xs[-1] != xs[0] else 0.0
        per_file = [(y - ys[0]) / (x - xs[0]) for x, y in zip(xs[1:], ys[1:])]
        linear = per_file[-1] <= 1.25 * per_file[0] if len(per_file) > 1 else True
        lines.append(f"- {mode}: slope {slope * 1000:.2f} ms per file, {memory * 1000:.0f} KiB of peak RSS per file; "
                     f"marginal cost {', '.join(f'{p * 1000:.2f}' for p in per_file)} ms/file "
                     f"({'linear: PASS' if linear else 'super-linear: FAIL'})")
    return "\n".join(lines) or "- not measured"


def render_report(cases: list[Case], repeat: int, archlint_info: str) -> str:
    now = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    node = run(["node", "--version"]).stdout.strip() if shutil.which("node") else "missing"
    tools = [TOOL_VERSIONS.get(k, f"{k}: not installed") for k in ("import-linter", "grimp", "tach", "depcruise", "typescript")]
    return "\n".join([
        "# archlint benchmark results",
        "",
        f"Generated by `python bench/run.py --repeat {repeat}` on {now}.",
        f"Machine: {platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, node {node}.",
        "Whole-process wall clock (medians) and peak RSS of the largest process; the rows of one target alternate run by run.",
        "",
        "Tools: " + "; ".join(tools + [archlint_info]) + ".",
        "",
        "Targets:",
        *[f"- {note}" for note in TARGET_NOTES],
        "",
        "## Timings",
        "",
        render_table(cases),
        "",
        "## Issue 11 targets",
        "",
        render_targets(cases),
        "",
        "## Scaling (copies of the Conduit app)",
        "",
        render_scaling(cases),
        "",
    ])


# --------------------------------------------------------------------------- #
# Main
# --------------------------------------------------------------------------- #


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark archlint against import-linter, tach and dependency-cruiser.")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per row (default 5)")
    parser.add_argument("--only", choices=["python", "apps", "node", "small", "scaling"], help="one group of targets")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORK, help=f"downloads, tools, caches (default {DEFAULT_WORK})")
    parser.add_argument("--archlint-cmd", default=f"{shlex.quote(sys.executable)} -m archlint")
    parser.add_argument("--tree", action="append", default=[], metavar="NAME=PATH", help="also time archlint on a local tree")
    parser.add_argument("--skip-apps", action="store_true", help="leave out the saleor-sized tree (the slowest rows)")
    parser.add_argument("--update-readme", action="store_true",
                        help="also replace the performance table in README.md (between its perf-table markers)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = args.workdir.resolve()
    if work == REPO or REPO in work.parents:
        raise SystemExit("--workdir must be outside the repository")
    work.mkdir(parents=True, exist_ok=True)
    cmd = shlex.split(args.archlint_cmd)
    run([sys.executable, "-m", "compileall", "-q", str(REPO / "archlint")], env=archlint_env())
    revision = run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO).stdout.strip()
    archlint_info = f"archlint (`{shlex.join(cmd)}`, git {revision or '?'})"
    cases: list[Case] = []
    if args.only in (None, "python", "apps"):
        try:
            tools = install_python_tools(work)
        except BenchError as exc:
            log(f"Python anchors unavailable: {exc}")
            tools = None
        fetchers = [] if args.only == "apps" else [fetch_django, fetch_wagtail]
        fetchers += [] if args.skip_apps else [fetch_apps]
        for fetch in fetchers:
            try:
                target = fetch(work)
            except BenchError as exc:
                log(f"target unavailable: {exc}")
                continue
            TARGET_NOTES.append(f"{target.name}: {target.source}")
            cases += python_group(target, work, tools, cmd, args.repeat)
    if args.only in (None, "node"):
        try:
            binaries = install_node_tools(work)
        except BenchError as exc:
            log(f"Node anchors unavailable: {exc}")
            binaries = None
        try:
            target = fetch_effect(work)
            TARGET_NOTES.append(f"{target.name}: {target.source}")
            cases += ts_group(target, work, binaries, cmd, args.repeat)
        except BenchError as exc:
            log(f"TS target unavailable: {exc}")
    if args.only in (None, "small"):
        target = small_repo(work)
        write_python_configs(target)
        TARGET_NOTES.append(f"{target.name}: {target.source}")
        group = archlint_cases(target, work, cmd, modes=("cold", "warm"))
        time_group(group, args.repeat)
        cases += group
    for spec in args.tree:
        name, _, path = spec.partition("=")
        target = Target(name, Path(path).resolve(), "any", [], [], f"local tree {path}")
        TARGET_NOTES.append(f"{name}: {target.source}")
        cases += python_group_like_tree(target, work, cmd, args.repeat)
    if args.only in (None, "scaling"):
        cases += scaling_group(work, cmd, args.repeat)
        TARGET_NOTES.append(f"scaling: {', '.join(str(c) for c in SCALING_COPIES)} copies of the Conduit app")
    report = render_report(cases, args.repeat, archlint_info)
    RESULTS.write_text(report)
    print(report)
    if args.update_readme:
        update_readme(cases, args.repeat)
    log(f"wrote {RESULTS.relative_to(REPO)}")
    return 0


README = REPO / "README.md"
START, END = "<!-- perf-table:start (bench/run.py --update-readme) -->", "<!-- perf-table:end -->"


def update_readme(cases: list[Case], repeat: int) -> None:
    """The README's table: every row's median and peak, then the targets with PASS/FAIL."""
    text = README.read_text()
    if START not in text or END not in text:
        log("README.md has no perf-table markers; not updated")
        return
    now = _dt.datetime.now().astimezone().strftime("%Y-%m-%d")
    block = "\n".join([
        START,
        f"Generated by `python bench/run.py --repeat {repeat} --update-readme` on {now} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}); full report: `bench/results.md`.",
        "",
        render_table(cases),
        "",
        render_targets(cases),
        "",
        "Scaling (copies of the 51-file app):",
        "",
        render_scaling(cases),
        END,
    ])
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    README.write_text(head + block + tail)
    log("updated the performance table in README.md")


def python_group_like_tree(target: Target, work: Path, cmd: list[str], repeat: int) -> list[Case]:
    """archlint rows only, for a local tree (its own config, if any, applies)."""
    candidates = [p for p in target.root.rglob("*.py") if "test" not in p.name][:1] or list(target.root.rglob("*.ts"))[:1]
    target.edit_file = candidates[0] if candidates else None
    cases = archlint_cases(target, work, cmd)
    time_group(cases, repeat)
    return cases


if __name__ == "__main__":
    sys.exit(main())
