"""``archlint`` command line.  Exit codes (output-contract.md): 0 clean, 1 findings at or above
the failing severity, 2 usage/config/path/internal error with one line on stderr."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from archlint import __version__
from archlint.domain.config import ConfigError
from archlint.domain.findings import SEVERITIES
from archlint.reporters.inert import terminal

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    """``--select AL101,AL102 --select orm`` -> ("AL101", "AL102", "orm")."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _fail(message: str) -> None:
    click.echo(f"archlint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _warn(notices: list[str]) -> None:
    """Warnings about the run itself (nothing analysed) go to stderr: stdout is the report."""
    for notice in notices:
        click.echo(f"archlint: warning: {terminal(notice)}", err=True)


def _write(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archlint")
def cli() -> None:
    """Architecture and data-layer linter for Python and Node.js web backends."""


CHECK_FORMATS = ["text", "json", "sarif", "github", "junit"]


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(CHECK_FORMATS), default="text", show_default=True,
              help="text for people; json (the contract); sarif (code scanning); github (Actions annotations); junit (CI test reports).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE instead of stdout.")
@click.option("--config", "config_path", type=click.Path(), help="Config file (default: archlint.toml or [tool.archlint] in pyproject.toml of the analysed directory).")
@click.option("--select", multiple=True, help="Only these rule ids, names or categories (comma-separated, repeatable).")
@click.option("--ignore", multiple=True, help="Skip these rule ids, names or categories.")
@click.option("--exclude", multiple=True, help="Glob of paths to skip (repeatable), relative to the analysed root.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Lowest severity that makes the exit code 1 (default: warning).")
@click.option("--no-cache", is_flag=True, help="Parse every file; neither read nor write the facts cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Facts cache location (default: $ARCHLINT_CACHE_DIR or ~/.cache/archlint).")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="Parallel parser processes (0 = all cores).")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), help="Report only findings not listed in this baseline file; list its fixed entries.")
@click.option("--write-baseline", "write_baseline", type=click.Path(dir_okay=False), help="Record today's findings in FILE (with --baseline: keep only entries still found, so it only shrinks).")
@click.option("--changed-only", is_flag=True, help="Report only findings in files changed against git (the whole project is still analysed).")
@click.option("--base", metavar="REV", help="Git revision --changed-only compares with (default: HEAD); implies --changed-only.")
def check(paths, fmt, output, config_path, select, ignore, exclude, fail_on, no_cache, cache_dir, jobs,
          baseline_path, write_baseline, changed_only, base) -> None:
    """Check PATHS for layer, data-layer and parse findings."""
    from archlint.application.baseline import apply_baseline, fingerprints
    from archlint.application.changed import limit_to_changed
    from archlint.application.pipeline import Options, run_check

    options = Options(
        config_path=config_path,
        select=_split(select),
        ignore=_split(ignore),
        exclude=_split(exclude),
        fail_on=fail_on,
        use_cache=not no_cache,
        cache_dir=cache_dir,
        jobs=jobs,
        reuse_results=True,
    )
    try:
        report = run_check(list(paths), options)
        prints = fingerprints(report.findings, report.root) if (baseline_path or write_baseline or fmt == "sarif") else []
        outcome = None
        if baseline_path or write_baseline:
            outcome = apply_baseline(report.findings, prints, baseline_path, write_baseline)
            report.findings, prints = outcome.findings, outcome.fingerprints
        if changed_only or base is not None:
            report.findings, prints = limit_to_changed(report.findings, prints, report.root, base or "HEAD")
    except ConfigError as exc:
        _fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - contract: internal errors are exit 2, one line
        _fail(f"internal error: {type(exc).__name__}: {exc}")
    _warn(report.notices)
    if outcome is not None and fmt != "json":
        _explain_baseline(outcome, baseline_path, write_baseline)
    _write(_render_check(report, fmt, output, prints, outcome), output)
    sys.exit(EXIT_FINDINGS if report.failed else EXIT_OK)


def _explain_baseline(outcome, baseline_path: str | None, write_baseline: str | None) -> None:
    """Baseline bookkeeping goes to stderr, so stdout stays a clean report in every format."""
    if write_baseline and not baseline_path:
        click.echo(f"archlint: wrote {outcome.suppressed} findings to baseline {write_baseline}", err=True)
        return
    click.echo(f"archlint: {outcome.suppressed} known findings hidden by baseline {baseline_path}", err=True)
    if outcome.fixed:
        how = "it was rewritten without them" if write_baseline else f"drop them with --baseline {baseline_path} --write-baseline {baseline_path}"
        click.echo(f"archlint: {len(outcome.fixed)} baseline entries are fixed; {how}:", err=True)
        for row in outcome.fixed:
            click.echo(f"  fixed: {row.get('rule', '?')} {row.get('path', '?')}: {row.get('message', '')}", err=True)


def _render_check(report, fmt: str, output: str | None, prints: list[str], outcome) -> str:
    if fmt == "json":
        from archlint.reporters.json_reporter import render as render_json

        data = report.to_dict()
        if outcome is not None:
            data["baseline"] = {"fixed": outcome.fixed, "suppressed": outcome.suppressed}
        return render_json(data)
    if fmt == "sarif":
        from archlint.reporters.sarif_reporter import render as render_sarif

        base_dir, prefix = _display_base(report.root)
        from archlint.adapters.knowledge import load_registry

        return render_sarif(report.findings, load_registry(), __version__, Path(base_dir).as_uri().rstrip("/") + "/",
                            prints, prefix, baseline_applied=outcome is not None)
    if fmt == "github":
        from archlint.reporters.github_reporter import render as render_github

        return render_github(report.findings, _display_base(report.root)[1])
    if fmt == "junit":
        from archlint.reporters.junit_reporter import render as render_junit

        return render_junit(report.findings, report.stats)
    from archlint.reporters.text_reporter import render as render_text, wants_colour

    colour = output is None and wants_colour(sys.stdout)
    return render_text(report.root, report.findings, report.stats, colour)


def _display_base(root: str) -> tuple[str, str]:
    """(directory, path prefix) for CI formats: CI resolves paths against the checkout, which is
    the working directory, so a root below it (``archlint check backend``) gets a prefix."""
    relative = os.path.relpath(root, os.getcwd())
    if relative == ".":
        return root, ""
    if relative == os.pardir or relative.startswith(os.pardir + os.sep) or os.path.isabs(relative):
        return root, ""
    return os.getcwd(), relative.replace(os.sep, "/") + "/"


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["dot", "mermaid", "json"]), default="dot", show_default=True)
@click.option("--modules", is_flag=True, help="One node per module (grouped by layer) instead of one per layer.")
@click.option("--no-external", is_flag=True, help="Leave out external packages.")
@click.option("--stdlib", is_flag=True, help="Also draw standard-library modules (left out unless a rule flags them or they are a known driver).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the graph to FILE instead of stdout.")
@click.option("--config", "config_path", type=click.Path(), help="Config file (as for check).")
@click.option("--exclude", multiple=True, help="Glob of paths to skip (repeatable).")
@click.option("--no-cache", is_flag=True, help="Parse every file; neither read nor write the facts cache.")
def graph(paths, fmt, modules, no_external, stdlib, output, config_path, exclude, no_cache) -> None:
    """Draw the dependency graph of PATHS by layer (or by module), violations in red."""
    from archlint.application.graph_export import export_graph
    from archlint.application.pipeline import Options, run_check
    from archlint.reporters.graph_reporter import render as render_graph

    try:
        report = run_check(list(paths), Options(config_path=config_path, exclude=_split(exclude), use_cache=not no_cache))
        data = export_graph(report.context, report.findings, modules=modules, external=not no_external, stdlib=stdlib)
    except ConfigError as exc:
        _fail(str(exc))
    except Exception as exc:  # noqa: BLE001
        _fail(f"internal error: {type(exc).__name__}: {exc}")
    _write(render_graph(data, fmt), output)


@cli.command()
@click.argument("path", default=".", type=click.Path())
def init(path) -> None:
    """Write a commented archlint config for the repository at PATH (default: .), and a
    baseline of today's findings if there are any."""
    from archlint.application.init_config import init_project

    try:
        result = init_project(path)
    except ConfigError as exc:
        _fail(str(exc))
    except Exception as exc:  # noqa: BLE001
        _fail(f"internal error: {type(exc).__name__}: {exc}")
    where = ", ".join(c or "." for c in result.containers) or "none detected (see the comments)"
    click.echo(f"archlint: wrote the archlint config to {result.config_path}")
    click.echo(f"  layer containers: {where}")
    for line in result.detected:
        click.echo(f"  {line}")
    if result.baseline_path:
        name = os.path.basename(result.baseline_path)
        click.echo(f"archlint: {result.findings} findings today, recorded in {result.baseline_path}")
        click.echo(f"  check new code with: archlint check . --baseline {name}")
    else:
        click.echo("archlint: no findings today; check with: archlint check .")


@cli.command()
@click.argument("path", required=False, type=click.Path())
@click.option("--task", help="Benchmark task name, e.g. uv-fastapi-openapi-clean_architecture-postgres-sqlalchemy.")
@click.option("--framework", type=click.Choice(["flask", "fastapi", "django", "aiohttp", "express", "fastify", "hono", "koa"]))
@click.option("--architecture", type=click.Choice(["clean"]))
@click.option("--database", type=click.Choice(["postgresql", "postgres", "sqlite"]))
@click.option("--orm", type=click.Choice(["sqlalchemy", "sequelize"]))
@click.option("--patch", "patch", type=click.Path(dir_okay=False), help="Analyse the files a unified diff adds instead of PATH.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE instead of stdout.")
@click.option("--no-cache", is_flag=True, help="Parse every file; neither read nor write the facts cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Facts cache location.")
def verify(path, task, framework, architecture, database, orm, patch, fmt, output, no_cache, cache_dir) -> None:
    """Verify that PATH (or --patch FILE) satisfies a required stack: framework, clean architecture,
    database and ORM, each with a verdict and file:line evidence.  Exit 0 when every requested
    constraint holds, 1 otherwise."""
    from archlint.adapters.patch import PatchError
    from archlint.application.pipeline import Options
    from archlint.application.verify import Constraints, parse_task, run_verify

    try:
        constraints = parse_task(task) if task else Constraints()
        constraints.framework = framework or constraints.framework
        constraints.architecture = architecture or constraints.architecture
        constraints.database = {"postgres": "postgresql"}.get(database, database) or constraints.database
        constraints.orm = orm or constraints.orm
        result = run_verify(path, constraints, patch, Options(use_cache=not no_cache, cache_dir=cache_dir))
    except (ConfigError, PatchError) as exc:
        _fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - contract: internal errors are exit 2, one line
        _fail(f"internal error: {type(exc).__name__}: {exc}")
    _warn(result.report.notices)
    if fmt == "json":
        from archlint.reporters.json_reporter import render as render_json

        text = render_json(result.to_dict())
    else:
        from archlint.reporters.verify_reporter import render as render_verify

        text = render_verify(result.to_dict())
    _write(text, output)
    sys.exit(EXIT_OK if result.compliant else EXIT_FINDINGS)


@cli.command()
@click.argument("roots", nargs=-1, type=click.Path())
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="Runs verified in parallel (0 = all cores).")
@click.option("--out", "-o", "out", type=click.Path(file_okay=False), default="archlint-audit", show_default=True,
              help="Directory for results.jsonl (resumable), summary.csv and report.html.")
@click.option("--manifest", type=click.Path(dir_okay=False), help="CSV with columns path,task or path,framework,architecture,database,orm.")
@click.option("--scheduler", metavar="ADDRESS", help="Run on this Dask scheduler (needs archlint[dask]) instead of local processes.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=120.0, show_default=True,
              help="Seconds one run may take before it is recorded as an error.")
@click.option("--no-progress", is_flag=True, help="No progress bar (there is none anyway when stderr is not a terminal).")
def audit(roots, jobs, out, manifest, scheduler, timeout, no_progress) -> None:
    """Verify every benchmark run under ROOTS (run_N directories, repositories or patches; the
    constraints come from the task name in each path or from --manifest) and write OUT/results.jsonl,
    OUT/summary.csv and OUT/report.html.  Runs already in results.jsonl are skipped.  Exit 0 once
    the reports are written, whatever the verdicts."""
    import time
    from functools import partial

    from archlint.adapters.knowledge import load_registry
    from archlint.application.audit import REPORT, RESULTS, SUMMARY, AuditRequest, run_audit, write_outputs
    from archlint.reporters import audit_csv, audit_html
    from archlint.reporters.audit_progress import progress_line

    show = not no_progress and sys.stderr.isatty()
    started, errors = time.monotonic(), [0]

    def progress(done: int, total: int, row: dict | None) -> None:
        errors[0] += bool(row and row.get("error"))
        if show and total:
            click.echo("\r" + progress_line(done, total, errors[0], time.monotonic() - started), err=True, nl=done == total)

    try:
        outcome = run_audit(AuditRequest(list(roots), out, manifest, jobs, timeout, scheduler), progress)
        names = {rule.id: rule.name for rule in load_registry()}
        written = write_outputs(outcome, {SUMMARY: audit_csv.render, REPORT: partial(audit_html.render, rule_names=names)})
    except ConfigError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot write the audit to {out}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        click.echo(f"\narchlint: interrupted; finished runs are in {os.path.join(out, RESULTS)} — rerun to resume", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(f"archlint: {outcome.found} runs found, {outcome.verified} verified now, {outcome.skipped} already done; "
               f"{os.path.join(out, RESULTS)} holds {len(outcome.rows)}: {outcome.count('compliant')} compliant, "
               f"{outcome.count('non-compliant')} non-compliant, {outcome.count('error')} errors")
    click.echo("  " + "\n  ".join(written))
    sys.exit(EXIT_OK)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def rules(fmt) -> None:
    """List every rule: id, name, category, severity and what it reports."""
    from archlint.adapters.knowledge import load_registry
    from archlint.reporters.rules_reporter import render_list

    click.echo(render_list(load_registry(), fmt), nl=False)


@cli.command()
@click.argument("rule")
def explain(rule) -> None:
    """Explain RULE (id or name): what, why, a bad and a good example, and the fix."""
    from archlint.adapters.knowledge import load_registry
    from archlint.reporters.rules_reporter import render_explain

    registry = load_registry()
    if rule not in registry:
        _fail(f"unknown rule {rule!r}; `archlint rules` lists them")
    click.echo(render_explain(registry.get(rule)), nl=False)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the `check` / `verify` JSON reports (it ships in the package as
    archlint/schemas/report.schema.json)."""
    from importlib.resources import files

    click.echo(files("archlint").joinpath("schemas", "report.schema.json").read_text(encoding="utf-8"), nl=False)


def main() -> None:
    cli(prog_name="archlint")
