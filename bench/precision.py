"""Precision corpus: run archlint on real packages and agent-style repos, count findings per rule,
and measure each rule's false-alarm rate from hand-judged findings.

    python bench/precision.py install [--scratch DIR]     # download the packages (own files only)
    python bench/precision.py run [--scratch DIR] [--out FILE]   # per-rule counts, judged rates
    python bench/precision.py unjudged [--scratch DIR] [--rule AL502] [--limit 20]

Agent-style repos are the bundled fixtures (``*-clean`` and the correct ORM/stack apps are
*compliant*; ``precision-*-correct`` and ``sql-*-correct`` are *look-alikes* of real defects) and
the repos under ``bench/precision/repos`` (``compliant-*`` / ``lookalike-*``).

``install`` uses the ordinary clients (``pip download --no-deps``, ``npm pack``) into a scratch
directory (default ``/tmp/archlint-precision``), never into the repository; nothing is installed
into an environment and no analysed code is run.  ``run`` analyses every package and every repo
under ``bench/precision/repos`` and prints, per rule, how many findings fired, how many of them
are judged in ``bench/precision/labels.tsv`` (``target  rule  path  line  verdict  note``; verdict
``tp`` or ``fp``) and the false-alarm rate among the judged ones.  It also checks the budget of
issue 10: on the ``compliant-*`` repos at most 5 findings in total, none of severity error; on the
``lookalike-*`` repos none at all.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent / "precision"
REPO = Path(__file__).resolve().parent.parent
DEFAULT_SCRATCH = Path("/tmp/archlint-precision")
COMPLIANT_BUDGET = 5


def corpus() -> list[dict]:
    return tomllib.loads((HERE / "corpus.toml").read_text())["package"]


def target_name(package: dict) -> str:
    return f"{package['registry']}:{package['name']}"


def source_dir(scratch: Path, package: dict) -> Path:
    return scratch / "src" / package["registry"] / package["name"].replace("/", "__")


# install --------------------------------------------------------------------------------------------
def install(scratch: Path) -> int:
    failures = 0
    for package in corpus():
        destination = source_dir(scratch, package)
        if destination.exists():
            continue
        with tempfile.TemporaryDirectory() as download:
            try:
                archive = _download(package, Path(download))
            except subprocess.CalledProcessError as error:
                print(f"FAILED {target_name(package)}=={package['version']}: {error.stderr.strip()[-300:]}", file=sys.stderr)
                failures += 1
                continue
            _extract(archive, destination)
        print(f"installed {target_name(package)}=={package['version']} -> {destination}")
    return 1 if failures else 0


def _download(package: dict, directory: Path) -> Path:
    if package["registry"] == "pypi":
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(directory),
             f"{package['name']}=={package['version']}"],
            check=True, capture_output=True, text=True,
        )
    else:
        subprocess.run(
            ["npm", "pack", "--silent", "--pack-destination", str(directory), f"{package['name']}@{package['version']}"],
            check=True, capture_output=True, text=True,
        )
    return next(p for p in directory.iterdir() if p.is_file())


def _extract(archive: Path, destination: Path) -> None:
    destination.mkdir(parents=True)
    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(destination)
        return
    with tarfile.open(archive) as tarred:
        tarred.extractall(destination, filter="data")
    inner = [p for p in destination.iterdir()]
    if len(inner) == 1 and inner[0].is_dir():  # npm's package/ and sdists' name-version/ folders
        for child in inner[0].iterdir():
            child.rename(destination / child.name)
        inner[0].rmdir()


# run ------------------------------------------------------------------------------------------------
FIXTURES = REPO / "fixtures"
# Agent-style Conduit repos that must stay silent: the eight Clean Architecture apps and the
# correct ORM/stack apps (compliant), and the apps full of look-alikes of real defects (the agent-style `agent-*-correct` twins included).
COMPLIANT_FIXTURES = ("*-clean", "sqlalchemy-correct", "sequelize-correct", "stack-python-correct", "stack-node-correct")
LOOKALIKE_FIXTURES = ("precision-*-correct", "sql-*-correct", "unique-check-*-correct", "prisma-relations-correct",
                      "agent-*-correct", "django-async-orm-correct", "sequelize-typescript-correct")


def targets(scratch: Path) -> list[tuple[str, Path, str]]:
    found = [(target_name(p), source_dir(scratch, p), p.get("kind", "library")) for p in corpus()]
    for kind, patterns in (("compliant", COMPLIANT_FIXTURES), ("lookalike", LOOKALIKE_FIXTURES)):
        for pattern in patterns:
            found.extend((f"fixture:{p.name}", p, kind) for p in sorted(FIXTURES.glob(pattern)) if p.is_dir())
    for repo in sorted((HERE / "repos").iterdir()):
        if repo.is_dir():
            kind = "compliant" if repo.name.startswith("compliant-") else "lookalike" if repo.name.startswith("lookalike-") else "repo"
            found.append((f"repo:{repo.name}", repo, kind))
    return found


def analyse(path: Path) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "archlint", "check", str(path), "--format", "json", "--no-cache", "--fail-on", "error"],
        capture_output=True, text=True, cwd=REPO,
    )
    if result.returncode not in (0, 1):
        raise RuntimeError(f"archlint failed on {path}: {result.stderr.strip()}")
    return json.loads(result.stdout)["findings"]


def labels() -> dict[tuple[str, str, str, int], tuple[str, str]]:
    table = {}
    path = HERE / "labels.tsv"
    with path.open(newline="") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if not row or row[0].startswith("#"):
                continue
            target, rule, file, line, verdict, note = (row + [""] * 6)[:6]
            table[(target, rule, file, int(line))] = (verdict, note)
    return table


def run(scratch: Path, out: Path | None) -> int:
    judged = labels()
    per_rule: dict[str, Counter] = defaultdict(Counter)
    per_target: dict[str, Counter] = {}
    budget: dict[str, list[dict]] = {"compliant": [], "lookalike": []}
    everything = []
    for name, path, kind in targets(scratch):
        if not path.exists():
            print(f"missing {name} (run `install` first)", file=sys.stderr)
            continue
        findings = analyse(path)
        per_target[name] = Counter(f["rule"] for f in findings)
        for finding in findings:
            key = (name, finding["rule"], finding["path"], finding["line"])
            verdict = judged.get(key, ("", ""))[0]
            per_rule[finding["rule"]]["fired"] += 1
            if verdict:
                per_rule[finding["rule"]][verdict] += 1
            if kind in budget:
                budget[kind].append(finding | {"target": name})
            everything.append({"target": name, **finding, "verdict": verdict})
    print(f"{'rule':7} {'fired':>6} {'judged':>6} {'tp':>4} {'fp':>4} {'fp rate':>8}")
    for rule in sorted(per_rule):
        counts = per_rule[rule]
        sample = counts["tp"] + counts["fp"]
        rate = f"{100 * counts['fp'] / sample:.0f} %" if sample else "-"
        print(f"{rule:7} {counts['fired']:6} {sample:6} {counts['tp']:4} {counts['fp']:4} {rate:>8}")
    print()
    for name in sorted(per_target):
        summary = ", ".join(f"{rule} {n}" for rule, n in sorted(per_target[name].items())) or "no findings"
        print(f"{name:40} {summary}")
    errors = [f for f in budget["compliant"] if f["severity"] == "error"]
    print()
    print(f"compliant agent-style repos: {len(budget['compliant'])} findings (budget {COMPLIANT_BUDGET}), {len(errors)} errors")
    print(f"look-alike agent-style repos: {len(budget['lookalike'])} findings (budget 0)")
    for finding in budget["compliant"] + budget["lookalike"]:
        print(f"  {finding['target']} {finding['path']}:{finding['line']} {finding['rule']} {finding['message'][:100]}")
    if out is not None:
        out.write_text(json.dumps(everything, indent=1))
    over = len(budget["compliant"]) > COMPLIANT_BUDGET or errors or budget["lookalike"]
    return 1 if over else 0


def unjudged(scratch: Path, rule: str | None, limit: int) -> int:
    judged = labels()
    shown = 0
    for name, path, _kind in targets(scratch):
        if not path.exists():
            continue
        for finding in analyse(path):
            if rule and finding["rule"] != rule:
                continue
            if (name, finding["rule"], finding["path"], finding["line"]) in judged:
                continue
            print(f"{name}\t{finding['rule']}\t{finding['path']}\t{finding['line']}\t\t{finding['message'][:160]}")
            shown += 1
            if shown >= limit:
                return 0
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("install", "run", "unjudged"))
    parser.add_argument("--scratch", type=Path, default=DEFAULT_SCRATCH)
    parser.add_argument("--out", type=Path, default=None, help="run: write every finding with its verdict as JSON")
    parser.add_argument("--rule", default=None)
    parser.add_argument("--limit", type=int, default=30)
    args = parser.parse_args()
    if args.command == "install":
        return install(args.scratch)
    if args.command == "run":
        return run(args.scratch, args.out)
    return unjudged(args.scratch, args.rule, args.limit)


if __name__ == "__main__":
    raise SystemExit(main())
