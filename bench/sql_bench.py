#!/usr/bin/env python3
"""Embedded-SQL throughput: extraction + analysis on a real package, with and without sqlglotc.

Usage::

    python bench/sql_bench.py [--target DIR] [--repeat N] [--no-compiled] [--workdir DIR]

What it measures (in-process, ``time.perf_counter``, best of ``--repeat`` runs, parse cache
cleared before every run so each run parses cold):

* **extract** — database detection plus :func:`archlint.domain.sql.sql_sites` over the target
  (facts are built once beforehand and not timed: that is the frontend's cost);
* **check** — the whole SQL rule family (``archlint.checks.sql.check``): extraction, lexing,
  normalisation, sqlglot parsing, every rule and the schema;
* **parse core** — every SQL-looking string literal of the target (at a sink or not) pushed
  through mask → split → normalise → sqlglot parse, i.e. the statements/second the analysis can
  sustain on real SQL.

The default target is the ``django/`` package of the Django 5.2 wheel that ``bench/run.py``
downloads into its work dir (``archlint-bench`` under the system temp dir by default).  The script runs itself twice: with this interpreter
(pure-Python sqlglot unless sqlglotc is installed here) and with a venv under
``WORKDIR/tools/sqlglotc-venv`` that overlays ``sqlglotc`` of the same version (created on first
use with pip; ``--no-compiled`` skips it).  Output: a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
DEFAULT_WORK = Path(tempfile.gettempdir()) / "archlint-bench"  # as bench/run.py: never inside the repository


def child(target: Path, repeat: int) -> dict:
    """Measure in this interpreter; returns the numbers as a dict (printed as JSON)."""
    sys.path.insert(0, str(REPO))
    import sqlglot

    from archlint.application.pipeline import Options, run_check
    from archlint.checks import sql as sql_check
    from archlint.checks.sql.parser import COMPILED, parse
    from archlint.domain.sql import detect_database, sql_knowledge, sql_sites
    from archlint.domain.sql.lexer import (
        decode_escapes,
        is_statement,
        mask,
        normalise,
        placeholders,
        split_statements,
    )

    started = time.perf_counter()
    ctx = run_check([str(target)], Options(use_cache=False, select=["AL001"])).context
    knowledge = sql_knowledge(ctx.knowledge)
    paths = sql_check.candidate_paths(ctx, knowledge)
    _ = ctx.datalayer  # typed receivers: shared with the other data-layer rules, not SQL-specific
    facts_seconds = time.perf_counter() - started

    def extract():
        choice = detect_database(ctx.files, ctx.graph, ctx.manifest, knowledge)
        return sql_sites(ctx.files, paths, ctx.datalayer, ctx.graph, knowledge, choice.database)

    def check():
        return list(sql_check.check(ctx))

    literals = [s.text for f in ctx.files.values() if f.parsed for s in f.strings if is_statement(s.text)]

    def parse_core() -> int:
        count = 0
        for text in literals:
            text = decode_escapes(text)
            masked = mask(text)
            for statement in split_statements(text, masked):
                found = placeholders(statement.masked)
                holes = [i for i in range(len(statement.text) - 1) if statement.masked.startswith("{}", i)]
                parse(normalise(statement, holes, found, identifier_holes=False).sql, "postgres")
                count += 1
        return count

    def best(function):
        times, result = [], None
        for _ in range(repeat):
            parse.cache_clear()
            start = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - start)
        return min(times), result

    extract_seconds, sites = best(extract)
    check_seconds, findings = best(check)
    core_seconds, core_statements = best(parse_core)
    statements = sum(
        len(split_statements(decode_escapes(s.sql.text), mask(decode_escapes(s.sql.text))))
        for s in sites
        if s.sql is not None and s.kind != "fragment"
    )
    return {
        "python": sys.version.split()[0],
        "sqlglot": sqlglot.__version__,
        "compiled": bool(COMPILED),
        "files": len(ctx.files),
        "facts_seconds": facts_seconds,
        "sql_files": len(paths),
        "sites": len(sites),
        "statements": statements,
        "findings": len(findings),
        "extract_seconds": extract_seconds,
        "check_seconds": check_seconds,
        "core_statements": core_statements,
        "core_seconds": core_seconds,
    }


def compiled_python(work: Path, version: str) -> Path | None:
    """A venv that sees this interpreter's packages but overlays sqlglot + sqlglotc ``version``."""
    venv = work / "tools" / "sqlglotc-venv"
    python = venv / "bin" / "python"
    if not python.is_file():
        print(f"creating {venv.relative_to(REPO) if venv.is_relative_to(REPO) else venv}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    probe = "import sqlglot, sqlglot.tokens as t; print(sqlglot.__version__, t.SQLGLOTC_INSTALLED)"
    state = subprocess.run([str(python), "-c", probe], capture_output=True, text=True)
    if state.stdout.split() != [version, "True"]:
        install = [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall",
                   f"sqlglot=={version}", f"sqlglotc=={version}"]
        if subprocess.run(install).returncode != 0:
            print("sqlglotc could not be installed; reporting pure Python only", file=sys.stderr)
            return None
    return python


def run_child(python: Path | str, target: Path, repeat: int) -> dict:
    proc = subprocess.run(
        [str(python), __file__, "--child", "--target", str(target), "--repeat", str(repeat)],
        capture_output=True, text=True, cwd=REPO,
    )
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed ({python}):\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def render(rows: list[dict], target: Path) -> str:
    lines = [
        f"### Embedded SQL on `{target.relative_to(REPO) if target.is_relative_to(REPO) else target}`",
        "",
        f"{rows[0]['files']} files; {rows[0]['sql_files']} with data-layer imports; {rows[0]['sites']} SQL sites "
        f"({rows[0]['statements']} statements); {rows[0]['core_statements']} SQL-looking literals' statements for the "
        f"parse core; {rows[0]['findings']} SQL findings. Facts (not SQL-specific, untimed below): "
        f"{rows[0]['facts_seconds']:.2f} s. Best of the runs, parse cache cleared each run.",
        "",
        "| sqlglot | extract | SQL check (all rules) | check statements/s | parse core | parse core statements/s |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        build = f"{row['sqlglot']} {'+ sqlglotc' if row['compiled'] else 'pure Python'}"
        lines.append(
            f"| {build} | {row['extract_seconds'] * 1000:.0f} ms | {row['check_seconds'] * 1000:.0f} ms | "
            f"{row['statements'] / row['check_seconds']:,.0f} | {row['core_seconds'] * 1000:.0f} ms | "
            f"{row['core_statements'] / row['core_seconds']:,.0f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", type=Path, help="package directory to analyse (default: Django 5.2)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--no-compiled", action="store_true", help="skip the sqlglotc run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.target, args.repeat)))
        return 0
    target = args.target
    if target is None:
        sys.path.insert(0, str(BENCH))
        import run as bench_run  # the shared Django download

        target = bench_run.fetch_django(args.workdir).root / "django"
    target = target.resolve()
    rows = [run_child(sys.executable, target, args.repeat)]
    if not args.no_compiled and not rows[0]["compiled"]:
        python = compiled_python(args.workdir, rows[0]["sqlglot"])
        if python is not None:
            rows.append(run_child(python, target, args.repeat))
    print(render(rows, target))
    return 0


if __name__ == "__main__":
    sys.exit(main())
