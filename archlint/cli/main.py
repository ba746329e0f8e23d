"""``archlint`` command line.  Exit codes (output-contract.md): 0 clean, 1 findings at or above
the failing severity, 2 usage/config/path/internal error with one line on stderr."""

from __future__ import annotations

import sys

import click

from archlint import __version__
from archlint.domain.config import ConfigError
from archlint.domain.findings import SEVERITIES

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    """``--select AL101,AL102 --select orm`` -> ("AL101", "AL102", "orm")."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _fail(message: str) -> None:
    click.echo(f"archlint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


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


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE instead of stdout.")
@click.option("--config", "config_path", type=click.Path(), help="Config file (default: archlint.toml or [tool.archlint] in pyproject.toml of the analysed directory).")
@click.option("--select", multiple=True, help="Only these rule ids, names or categories (comma-separated, repeatable).")
@click.option("--ignore", multiple=True, help="Skip these rule ids, names or categories.")
@click.option("--exclude", multiple=True, help="Glob of paths to skip (repeatable), relative to the analysed root.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Lowest severity that makes the exit code 1 (default: warning).")
@click.option("--no-cache", is_flag=True, help="Parse every file; neither read nor write the facts cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Facts cache location (default: $ARCHLINT_CACHE_DIR or ~/.cache/archlint).")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="Parallel parser processes (0 = all cores).")
def check(paths, fmt, output, config_path, select, ignore, exclude, fail_on, no_cache, cache_dir, jobs) -> None:
    """Check PATHS for layer, data-layer and parse findings."""
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
    )
    try:
        report = run_check(list(paths), options)
    except ConfigError as exc:
        _fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - contract: internal errors are exit 2, one line
        _fail(f"internal error: {type(exc).__name__}: {exc}")
    if fmt == "json":
        from archlint.reporters.json_reporter import render as render_json

        text = render_json(report.to_dict())
    else:
        from archlint.reporters.text_reporter import render as render_text, wants_colour

        colour = output is None and wants_colour(sys.stdout)
        text = render_text(report.root, report.findings, report.stats, colour)
    _write(text, output)
    sys.exit(EXIT_FINDINGS if report.failed else EXIT_OK)


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


def main() -> None:
    cli(prog_name="archlint")
