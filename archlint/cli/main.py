"""``archlint`` command line.  Exit codes (output-contract.md): 0 clean, 1 findings at or above
the failing severity, 2 usage/config/path/internal error with one line on stderr."""

from __future__ import annotations

import gc

# Importing click and the domain modules makes thousands of objects and no garbage, and the cyclic
# collector runs over all of them again and again as they arrive (~10% of the import time): it is
# paused while they load (`check` then keeps it paused: see run_check).
_COLLECTING = gc.isenabled()
gc.disable()
try:
    import os
    import sys
    from contextlib import contextmanager
    from dataclasses import replace
    from pathlib import Path

    import click

    from archlint import __version__
    from archlint.domain.config import ConfigError
    from archlint.domain.findings import SEVERITIES
    from archlint.reporters.inert import terminal
finally:
    if _COLLECTING:
        gc.enable()

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    """``--select AL101,AL102 --select orm`` -> ("AL101", "AL102", "orm")."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _fail(message: str) -> None:
    click.echo(f"archlint: error: {terminal(message)}", err=True)  # one line, whatever a config file held
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
@click.argument("paths", nargs=-1, type=click.Path())
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
@click.option("--changed-only", is_flag=True, help="Report only findings the git work tree's changes introduce (the whole project is still analysed, before and after).")
@click.option("--base", metavar="REV", help="Git revision --changed-only compares with (default: HEAD); implies --changed-only.")
@click.option("--patch", "patch", type=click.Path(dir_okay=False),
              help="A unified diff (git format or diff -u): analyse PATH as the patch leaves it, in a temporary copy, and "
                   "report the findings the patch introduces.  Without PATH: the files a greenfield patch adds.")
@click.option("--all", "report_all", is_flag=True, help="With --patch: report every finding of the patched tree.")
@click.option("--fix", "fix", is_flag=True, help="Apply the safe automatic fixes (see `archlint rules`), re-check, and report what remains.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff: also apply the fixes marked unsafe.")
@click.option("--diff", "show_diff", is_flag=True, help="Print the fixes (and --add-ignore comments) as a unified diff; write nothing.")
@click.option("--openapi", "openapi", type=click.Path(dir_okay=False),
              help="The API contract (OpenAPI 3 / Swagger 2, JSON or YAML; local $refs only): routes are checked against its operations (overrides `openapi` in the config).")
@click.option("--add-ignore", "add_ignore", metavar="REASON",
              help="Suppress every remaining finding with an inline `archlint: ignore[...] REASON` comment.")
def check(paths, fmt, output, config_path, select, ignore, exclude, fail_on, no_cache, cache_dir, jobs,
          baseline_path, write_baseline, changed_only, base, patch, report_all, fix, unsafe_fixes, show_diff, openapi, add_ignore) -> None:
    """Check PATHS for layer, data-layer and parse findings (and fix them with --fix)."""
    if _HARD_EXIT:
        gc.disable()  # see run_check: the collector over the run's heap costs more than it frees
    from archlint.application.pipeline import Options  # baselines, fixes and patches: imported when asked for

    fixing = fix or show_diff or add_ignore is not None
    if unsafe_fixes and not (fix or show_diff):
        _fail("--unsafe-fixes needs --fix or --diff")
    if fixing and (write_baseline or patch):
        _fail("--fix, --diff and --add-ignore change the tree: they cannot be combined with --write-baseline or --patch")
    if show_diff and fmt != "text":
        _fail("--diff prints a unified diff; leave out --format")

    options = Options(
        config_path=config_path,
        select=_split(select),
        ignore=_split(ignore),
        exclude=_split(exclude),
        fail_on=fail_on,
        use_cache=not no_cache,
        cache_dir=cache_dir,
        jobs=jobs,
        reuse_results=not fixing,  # fixers read the project's models and manifest: a full run
        hashes=fixing,  # only fixers compare a file's content with what was analysed (the cache hashes anyway)
        openapi=openapi,
    )
    changed = changed_only or base is not None
    fixed = None
    try:
        _check_usage(paths, patch, changed, report_all)
        if fixing:
            from archlint.application.fixing import FixRequest

            fixed = _fix(list(paths), options, FixRequest(fix or show_diff, show_diff, unsafe_fixes, add_ignore),
                         baseline_path, changed, base)
    except (ConfigError, _patch_error()) as exc:
        _fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - contract: internal errors are exit 2, one line
        _fail(f"internal error: {type(exc).__name__}: {exc}")
    if fixing:
        _explain_fixes(fixed, show_diff)
        if show_diff:
            _write(fixed.diff(), output)
            sys.exit(EXIT_FINDINGS if fixed.failed else EXIT_OK)
    try:
        with _check_run(list(paths), options, patch, changed, base) as (report, source_root, compared):
            _warn(report.notices)
            prints = _fingerprints(report.findings, source_root) if (baseline_path or write_baseline or fmt == "sarif") else []
            outcome = None
            if baseline_path or write_baseline:
                from archlint.application.baseline import aliases, apply_baseline

                outcome = apply_baseline(report.findings, prints, baseline_path, write_baseline,
                                         aliases(report.findings, source_root) if baseline_path else None)
                report.findings, prints = outcome.findings, outcome.fingerprints
            if compared is not None and not report_all:
                report.findings, prints = _only_introduced(report.findings, prints, compared)
            if outcome is not None and fmt != "json":
                _explain_baseline(outcome, baseline_path, write_baseline)
            if compared is not None and fmt != "json":
                _explain_change(compared, patch, report_all)
            text = _render_check(report, fmt, output, prints, outcome, source_root, _change_json(compared, patch, base, report_all))
    except (ConfigError, _patch_error()) as exc:
        _fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - contract: internal errors are exit 2, one line
        _fail(f"internal error: {type(exc).__name__}: {exc}")
    _write(text, output)
    _finish(EXIT_FINDINGS if report.failed else EXIT_OK)


def _patch_error() -> type:
    """``PatchError``, imported only when an exception is being matched (an ``except`` clause's
    tuple is evaluated then): a plain check never loads the patch machinery."""
    from archlint.adapters.patch import PatchError

    return PatchError


def _fingerprints(findings, source_root: str) -> list[str]:
    from archlint.application.baseline import fingerprints

    return fingerprints(findings, source_root)


def _finish(code: int) -> None:
    """End a `check` process now that its report is written: flush, then leave without tearing
    down the run's millions of facts, IR nodes and abstract values one by one (the interpreter's
    shutdown collection and deallocation took ~1.5 s of an 8 s Django check).  Only when this
    is the `archlint` process itself (``__main__``/the console script), never inside a host."""
    if not _HARD_EXIT:
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


_HARD_EXIT = False  # set by main(), the process entry point


def _fix(paths: list[str], options, request, baseline_path: str | None, changed: bool, base: str | None):
    """--fix / --diff / --add-ignore: rounds of check -> fix; each round fixes what this command
    would report (the baseline's new findings; with --changed-only, what the change introduces)."""
    from archlint.application.baseline import aliases, apply_baseline, fingerprints
    from archlint.application.fixing import run_fixes
    from archlint.application.patched import changed as compare_changed
    from archlint.application.pipeline import run_check

    def check_round():
        if changed:
            with compare_changed(paths, options, base or "HEAD") as compared:
                report, introduced = compared.after, {id(f) for f in compared.introduced.findings}
        else:
            report, introduced = run_check(paths, options), None
        found = report.findings
        if baseline_path:
            found = apply_baseline(found, fingerprints(found, report.root), baseline_path, None,
                                   aliases(found, report.root)).findings
        return report, [f for f in found if introduced is None or id(f) in introduced]

    return run_fixes(request, check_round)


def _explain_fixes(fixed, dry_run: bool) -> None:
    """What --fix / --diff / --add-ignore did, on stderr (stdout is the report or the diff)."""
    files = len(fixed.changed_files)
    verb = "would change" if dry_run else "changed"
    if fixed.rounds or fixed.declined:
        rounds = "" if dry_run or fixed.rounds < 2 else f" in {fixed.rounds} rounds"
        click.echo(f"archlint: {'would fix' if dry_run else 'fixed'} {len(fixed.fixed)} findings{rounds}", err=True)
    if fixed.declined:
        click.echo(f"archlint: {len(fixed.declined)} findings with a fix were not fixed:", err=True)
        for finding, why in sorted(fixed.declined.items(), key=lambda item: item[0].sort_key()):
            click.echo(f"  {finding.path}:{finding.line}:{finding.column} {finding.rule}: {why}", err=True)
    if fixed.unsafe_available:
        click.echo(f"archlint: {fixed.unsafe_available} more findings have an unsafe fix (--unsafe-fixes)", err=True)
    if fixed.suppressed or fixed.unplaced:
        click.echo(f"archlint: {len(fixed.suppressed)} findings suppressed with inline comments", err=True)
        for finding, why in fixed.unplaced:
            click.echo(f"  not suppressed: {finding.path}:{finding.line}:{finding.column} {finding.rule}: {why}", err=True)
    click.echo(f"archlint: {verb} {files} files", err=True)


def _check_usage(paths, patch: str | None, changed: bool, report_all: bool) -> None:
    if not paths and patch is None:
        raise ConfigError("give the paths to check (e.g. `archlint check .`), or --patch FILE")
    if patch is not None and changed:
        raise ConfigError("--patch and --changed-only/--base are two ways to name a change; give one")
    if patch is not None and len(paths) > 1:
        raise ConfigError("--patch applies to one directory; give a single PATH")
    if report_all and patch is None:
        raise ConfigError("--all only goes with --patch (without --patch every finding is reported anyway)")


@contextmanager
def _check_run(paths: list[str], options, patch: str | None, changed: bool, base: str | None):
    """(report, directory its files are in, Compared or None) for the four kinds of run: a tree,
    a tree with a patch, a greenfield patch, the changes of a git work tree."""
    from archlint.application.pipeline import run_check

    if patch is not None and paths:
        from archlint.application.patched import patched

        with patched(paths[0], patch, options) as compared:
            yield replace(compared.after, root=compared.root), compared.after.root, compared
    elif patch is not None:
        from archlint.application.patched import greenfield_tree

        with greenfield_tree(patch) as directory:
            report = run_check([directory], replace(options, reuse_results=False))
            yield replace(report, root=os.path.abspath(patch)), directory, None
    elif changed:
        from archlint.application.patched import changed as compare_changed

        with compare_changed(paths, options, base or "HEAD") as compared:
            yield replace(compared.after, root=compared.root), compared.after.root, compared
    else:
        report = run_check(paths, replace(options, keep_model=False))  # the reporters read the findings only
        yield report, report.root, None


def _only_introduced(findings: list, prints: list[str], compared) -> tuple[list, list[str]]:
    keep = {id(finding) for finding in compared.introduced.findings}
    indices = [index for index, finding in enumerate(findings) if id(finding) in keep]
    return [findings[i] for i in indices], [prints[i] for i in indices] if prints else []


def _explain_change(compared, patch: str | None, report_all: bool) -> None:
    """One line on stderr: what the change touched and how its findings split."""
    summary = compared.introduced
    what = "the patch" if patch else "the change"
    shown = "every finding of the patched tree is listed" if report_all else "only those are listed"
    elsewhere = f", {summary.elsewhere} in files {what} does not touch" if summary.elsewhere else ""
    click.echo(f"archlint: {what} touches {len(compared.changes.touched())} files: {len(summary.findings)} findings introduced"
               f"{elsewhere}, {summary.preexisting} already there, {summary.fixed} fixed; {shown}", err=True)


def _change_json(compared, patch: str | None, base: str | None, report_all: bool) -> dict | None:
    if compared is None:
        return None
    origin = {"from": "patch", "patch": os.path.abspath(patch)} if patch else {"from": "git", "base": base or "HEAD"}
    return {**origin, "reported": "all" if report_all else "introduced", **compared.introduced.to_dict(),
            "files": compared.changes.to_dict()}


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


def _render_check(report, fmt: str, output: str | None, prints: list[str], outcome, source_root: str,
                  change: dict | None = None) -> str:
    if fmt == "json":
        from archlint.reporters.json_reporter import render as render_json

        data = report.to_dict()
        if outcome is not None:
            data["baseline"] = {"fixed": outcome.fixed, "suppressed": outcome.suppressed}
        if change is not None:
            data["change"] = change
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
    return render_text(source_root, report.findings, report.stats, colour)


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
@click.option("--framework", metavar="NAME",
              help="What must serve the routes: flask, quart, fastapi, starlette, django (also DRF and django-ninja "
                   "apps), aiohttp, sanic, litestar, express, fastify, hono, koa, nestjs.")
@click.option("--architecture", type=click.Choice(["clean"]))
@click.option("--database", metavar="NAME", help="Where the data must be stored: postgresql (postgres), sqlite, mysql (mariadb).")
@click.option("--orm", metavar="NAME",
              help="What all queries must go through: sqlalchemy (SQLModel models count), sqlmodel, django, "
                   "sequelize, prisma, typeorm, drizzle, objection, mikro-orm (mikroorm), tortoise (tortoise-orm), peewee.  Not ORM "
                   "values: knex, kysely (query builders without models), mongoose (MongoDB).")
@click.option("--patch", "patch", type=click.Path(dir_okay=False),
              help="A unified diff.  With PATH: verify PATH as the patch leaves it (a temporary copy; PATH is not "
                   "touched), saying what the patch changed in each verdict's evidence.  Without PATH: the files a greenfield patch adds.")
@click.option("--openapi", "openapi", type=click.Path(dir_okay=False),
              help="The API contract (OpenAPI/Swagger, JSON or YAML): adds an `api` verdict, the operations the routes serve.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE instead of stdout.")
@click.option("--no-cache", is_flag=True, help="Parse every file; neither read nor write the facts cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Facts cache location.")
def verify(path, task, framework, architecture, database, orm, patch, openapi, fmt, output, no_cache, cache_dir) -> None:
    """Verify that PATH (or PATH with --patch FILE applied, or a greenfield --patch FILE) satisfies a
    required stack: framework, clean architecture, database and ORM, each with a verdict and
    file:line evidence.  Exit 0 when every requested constraint holds, 1 otherwise."""
    from archlint.adapters.patch import PatchError
    from archlint.application.pipeline import Options
    from archlint.application.verify import Constraints, normalise, parse_task, run_verify

    try:
        constraints = parse_task(task) if task else Constraints()
        constraints.framework = normalise("framework", framework) or constraints.framework
        constraints.architecture = architecture or constraints.architecture
        constraints.database = normalise("database", database) or constraints.database
        constraints.orm = normalise("orm", orm) or constraints.orm
        constraints.api = bool(openapi)
        result = run_verify(path, constraints, patch, Options(use_cache=not no_cache, cache_dir=cache_dir, openapi=openapi))
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
@click.option("--manifest", type=click.Path(dir_okay=False),
              help="CSV with columns path,task or path,framework,architecture,database,orm; an optional base column names "
                   "the checkout a feature run changes (the run is then judged like verify BASE --patch RUN).")
@click.option("--scheduler", metavar="ADDRESS", help="Run on this Dask scheduler (needs archlint[dask]) instead of local processes.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=120.0, show_default=True,
              help="Seconds one run may take before it is recorded as an error.")
@click.option("--no-progress", is_flag=True, help="No progress bar (there is none anyway when stderr is not a terminal).")
def audit(roots, jobs, out, manifest, scheduler, timeout, no_progress) -> None:
    """Verify every benchmark run under ROOTS (run_N directories, repositories or patches; the
    constraints come from the task name in each path — greenfield tasks and feature tasks such as
    express-hard-focused-task-001 — or from --manifest) and write OUT/results.jsonl, OUT/summary.csv
    and OUT/report.html.  Runs already in results.jsonl are skipped.  Exit 0 once the reports are
    written, whatever the verdicts."""
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
    global _HARD_EXIT
    _HARD_EXIT = True
    from archlint.adapters.deferred_metadata import install

    install()  # importlib.metadata only if sqlglot really asks it something (~15 ms)
    cli(prog_name="archlint")
