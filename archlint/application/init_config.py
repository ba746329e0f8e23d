"""``archlint init``: write a starting config that describes the repository as it is.

It inspects the project the way ``check`` does (nothing is imported or run): the languages,
the frameworks, ORMs and database drivers it imports or declares, database hints from
manifests (``.env`` URLs, docker-compose images), and the directories that hold layer
directories.  The result is a commented ``[tool.archlint]`` section appended to
``pyproject.toml`` (never replacing a byte of it) or an ``archlint.toml`` when there is no
pyproject.  If today's code already has findings they go into a baseline file, so the new
config passes on today's code only through the baseline — never by loosening a rule.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field, replace

from archlint.adapters import config_loader, knowledge
from archlint.application import baseline
from archlint.application.architecture import detect_containers, resolve_architecture
from archlint.application.pipeline import Options, Report, run_check
from archlint.domain.sql import detect_database, sql_knowledge
from archlint.domain.config import Config, ConfigError
from archlint.domain.knowledge import module_matches

try:
    import tomllib as _toml
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as _toml  # type: ignore[no-redef]

BASELINE_NAME = "archlint-baseline.json"
_KIND_LABELS = {"framework": "framework", "orm": "ORM", "driver": "database driver"}


@dataclass(slots=True)
class InitResult:
    """What `archlint init` wrote and detected."""
    config_path: str
    containers: list[str]
    findings: int
    baseline_path: str | None = None
    detected: list[str] = field(default_factory=list)


def init_project(directory: str) -> InitResult:
    root = os.path.abspath(directory)
    if not os.path.isdir(root):
        raise ConfigError(f"not a directory: {directory}")
    existing = config_loader.find_config(root)
    if existing is not None:
        raise ConfigError(f"{existing} already configures archlint; init never overwrites a config")
    pyproject = os.path.join(root, "pyproject.toml")
    target = pyproject if os.path.isfile(pyproject) else os.path.join(root, "archlint.toml")
    original = _read_valid_toml(target) if target == pyproject else None
    baseline_path = os.path.join(root, BASELINE_NAME)
    if os.path.exists(baseline_path):
        raise ConfigError(f"{baseline_path} already exists; move it away or run check --write-baseline yourself")

    survey = run_check([root], Options())
    containers = _containers(survey, None)
    detected = _describe_stack(survey)
    header = "[tool.archlint]\n" if original is not None else ""
    body = _section(header, detected, containers, [] if containers else _containers(survey, 2), table_prefix="tool.archlint." if header else "")
    _write(target, original, body)

    report = run_check([root], Options())
    result = InitResult(config_path=target, containers=containers, findings=len(report.findings), detected=detected)
    if report.findings:
        prints = baseline.fingerprints(report.findings, report.root)
        baseline.write(baseline_path, baseline.entries(report.findings, prints))
        _write(target, original, body + _baseline_comment(report, BASELINE_NAME))
        result.baseline_path = baseline_path
        _verify(root, baseline_path)
    return result


def _read_valid_toml(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        _toml.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    except _toml.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix it before running init") from exc
    return text


def _write(target: str, original: str | None, section: str) -> None:
    """Append to ``original`` (or create the file), then load it back; on a bad result the file
    is restored, so init can never leave a project with a config that does not load."""
    prefix = "" if original is None else original + ("" if original.endswith("\n") or not original else "\n") + "\n"
    try:
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(prefix + section)
        config_loader.load_config(target)
    except (OSError, ConfigError) as exc:
        _restore(target, original)
        raise ConfigError(f"could not write a valid config to {target}: {exc}") from exc


def _restore(target: str, original: str | None) -> None:
    if original is None:
        if os.path.exists(target):
            os.remove(target)
        return
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(original)


def _section(header: str, detected: list[str], containers: list[str], weak: list[str], table_prefix: str) -> str:
    lines = [header.rstrip("\n")] if header else []
    lines.append("# Written by `archlint init`; every key is optional (README: Configuration).")
    if detected:
        lines.append("# Detected (read as data; nothing was imported or run):")
        lines.extend(f"#   {line}" for line in detected)
    if containers:
        lines += [
            "# Layers: the clean preset (routes -> services -> repositories -> models) inside these",
            "# directories, found from their layer directories. main/app/settings/... may import anything.",
            'preset = "clean"',
            f"containers = [{', '.join(_quote(c) for c in containers)}]",
        ]
    else:
        lines += [
            "# No directory with three layer roles (routes, services, repositories, models) was found, so",
            "# no layer rule applies yet; the clean preset switches on by itself when one appears.",
        ]
        if weak:
            listed = ", ".join(_quote(c) for c in weak)
            lines += [f"# Directories with only two layer roles: {listed}. To check them now, set:",
                      '#   preset = "clean"', f"#   containers = [{listed}]"]
        lines += [
            "# Or declare your own layers, highest first:",
            f"#   [[{table_prefix}layers]]",
            '#   name = "api"',
            '#   paths = ["src/api/**"]',
            '#   may_import = ["domain"]',
            'preset = "auto"',
        ]
    lines += [
        "# exhaustive = true            # also report source files that belong to no layer (AL107)",
        '# exclude = ["migrations/**"]  # globs relative to this file',
        'fail_on = "warning"',
    ]
    return "\n".join(lines) + "\n"


def _baseline_comment(report: Report, name: str) -> str:
    counts = Counter(finding.rule for finding in report.findings)
    summary = ", ".join(f"{rule} x{count}" for rule, count in sorted(counts.items()))
    total = len(report.findings)
    return "\n".join(
        [
            f"# Today's code has {total} finding{'s' if total != 1 else ''}: {summary}.",
            f"# They are recorded in {name} instead of loosening any rule, so CI passes on",
            "# today's code and fails on every new finding:",
            f"#   archlint check . --baseline {name}",
            "# After fixing some, shrink the baseline (this never adds entries):",
            f"#   archlint check . --baseline {name} --write-baseline {name}",
            "",
        ]
    )


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _verify(root: str, baseline_path: str) -> None:
    """The written config plus baseline must pass on today's code; anything else is a bug."""
    report = run_check([root], Options())
    result = baseline.compare(report.findings, baseline.fingerprints(report.findings, report.root), baseline.load(baseline_path))
    if result.findings:
        raise ConfigError(f"internal error: {len(result.findings)} findings are not covered by the new baseline")


def _containers(survey: Report, minimum: int | None) -> list[str]:
    """Directories holding layer directories of the clean preset, by ``detect_containers`` —
    with the preset's own threshold, or a lower ``minimum`` for hints in the comments."""
    ctx = survey.context
    paths = sorted(p for p, f in ctx.files.items() if f.language != "unknown")
    clean = resolve_architecture(replace(Config(), preset="clean"), paths, ctx.knowledge, knowledge.load_preset)
    if clean is None:
        return []
    threshold = minimum if minimum is not None else knowledge.load_preset("clean").get("min_roles", 3)
    return detect_containers(clean.layers, paths, threshold)


def _describe_stack(report: Report) -> list[str]:
    ctx = report.context
    languages = Counter(f.language for f in ctx.files.values() if f.language != "unknown")
    lines = []
    if languages:
        lines.append("languages: " + ", ".join(f"{lang} ({n} files)" for lang, n in sorted(languages.items())))
    databases: dict[str, list[str]] = {}
    for entry in ctx.knowledge.entries:
        evidence = _evidence(ctx, entry)
        if not evidence:
            continue
        lines.append(f"{_KIND_LABELS.get(entry.kind, entry.kind)}: {entry.name} ({'; '.join(evidence)})")
        if entry.kind == "driver" and entry.extra.get("database"):
            databases.setdefault(entry.extra["database"], []).append(f"driver {entry.name}")
    # URLs (code, .env, compose) and compose images: the same tables the SQL rules use
    choice = detect_database(ctx.files, ctx.graph, ctx.manifest, sql_knowledge(ctx.knowledge))
    for item in choice.evidence:
        if item.kind == "image":
            databases.setdefault(item.database, []).append(f"image {item.detail} in {item.path}")
        elif item.kind == "url":
            where = item.detail.split("=", 1)[0] if "=" in item.detail else "URL"
            databases.setdefault(item.database, []).append(f"{where} in {item.path}")
    for database, hints in sorted(databases.items()):
        lines.append(f"database: {database} ({'; '.join(dict.fromkeys(hints))})")
    return lines


def _evidence(ctx, entry) -> list[str]:
    python = entry.language == "python"
    imported = sorted(
        {
            edge.source
            for edge in ctx.graph.edges
            if edge.external
            and (ctx.files[edge.source].language == "python") == python
            and any(module_matches(edge.target, module) for module in entry.modules)
        }
    )
    declared = sorted(
        {
            dep.path
            for dep in ctx.manifest.dependencies
            if (dep.ecosystem == "pypi") == python and dep.name.lower() in {p.lower() for p in entry.packages}
        }
    )
    evidence = []
    if imported:
        more = f" and {len(imported) - 1} more" if len(imported) > 1 else ""
        evidence.append(f"imported in {imported[0]}{more}")
    if declared:
        evidence.append(f"declared in {', '.join(declared)}")
    return evidence
