"""Read and validate ``[tool.archlint]`` (pyproject.toml) or ``archlint.toml``.

Strict on purpose: an unknown key is almost always a typo that silently turns a rule off, so it
is a :class:`ConfigError` (one line on stderr, exit 2) — never ignored.
"""

from __future__ import annotations

import os
import re

from archlint.domain.config import Config, ConfigError, LayerConfig
from archlint.domain.findings import SEVERITIES

try:  # Python 3.11+
    import tomllib as _toml
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as _toml  # type: ignore[no-redef]

CONFIG_NAMES = ("archlint.toml", ".archlint.toml", "pyproject.toml")

_TOP_KEYS = {
    "preset", "containers", "layers", "composition_roots", "exhaustive", "exhaustive_ignore",
    "source_roots", "exclude", "select", "ignore", "severity", "fail_on", "transitive", "cycles",
    "gitignore", "openapi",
}
_LAYER_KEYS = {"name", "paths", "may_import", "forbidden_external", "transitive", "data_access"}
_CYCLE_KEYS = {"include_lazy", "include_type_only"}


PROJECT_MARKERS = (
    ".git", "pyproject.toml", "package.json", "setup.py", "setup.cfg", "requirements.txt", "archlint.toml",
)


def find_config(directory: str) -> str | None:
    """The config governing ``directory``: the nearest one in it or an ancestor, stopping at
    the first *project boundary* (a directory holding a manifest or ``.git``).

    The boundary stops an enclosing project's config (a monorepo's, or archlint's own when it
    is run on its fixtures) from silently applying to a separate project nested inside it,
    while ``archlint check src/`` still finds the config next to ``src/``.
    """
    current = os.path.abspath(directory)
    while True:
        found = _config_in(current)
        if found is not None:
            return found
        if any(os.path.exists(os.path.join(current, marker)) for marker in PROJECT_MARKERS):
            return None
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _config_in(directory: str) -> str | None:
    for name in CONFIG_NAMES:
        candidate = os.path.join(directory, name)
        if not os.path.isfile(candidate):
            continue
        if name != "pyproject.toml" or _has_tool_section(candidate):
            return candidate
    return None


def _has_tool_section(path: str) -> bool:
    """True when pyproject.toml configures archlint.  A broken pyproject that mentions
    ``tool.archlint`` counts (loading it then reports the TOML error); one that does not is
    somebody else's problem and must not stop the analysis."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        data = _toml.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError):
        return False
    except _toml.TOMLDecodeError:
        return b"tool.archlint" in raw
    return "archlint" in data.get("tool", {})


def load_config(path: str | None) -> Config:
    """Parse and validate a config file; ``None`` gives the defaults."""
    if path is None:
        return Config()
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        data = _toml.loads(raw.decode("utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc}") from exc
    except _toml.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML in {path}: {exc}") from exc
    section = data.get("tool", {}).get("archlint") if os.path.basename(path) == "pyproject.toml" else data
    if section is None:
        raise ConfigError(f"{path} has no [tool.archlint] section")
    return _build(section, path, raw.decode("utf-8"))


def _build(section: dict, path: str, text: str) -> Config:
    _reject_unknown(section, _TOP_KEYS, path, "")
    config = Config(path=path)
    config.preset = _string(section, "preset", "auto", path)
    containers = section.get("containers")
    config.containers = None if containers is None else _strings(section, "containers", path)
    config.composition_roots = _strings(section, "composition_roots", path)
    config.exhaustive = _bool(section, "exhaustive", False, path)
    config.exhaustive_ignore = _strings(section, "exhaustive_ignore", path)
    config.source_roots = _strings(section, "source_roots", path)
    config.exclude = _strings(section, "exclude", path)
    config.select = _strings(section, "select", path)
    config.ignore = _strings(section, "ignore", path)
    config.fail_on = _string(section, "fail_on", "warning", path)
    if config.fail_on not in SEVERITIES:
        raise ConfigError(f"{path}: fail_on must be one of {', '.join(SEVERITIES)}, not {config.fail_on!r}")
    config.transitive = _bool(section, "transitive", False, path)
    config.gitignore = _bool(section, "gitignore", True, path)
    config.openapi = _string(section, "openapi", "", path)
    config.severity = _severities(section.get("severity", {}), path)
    cycles = section.get("cycles", {})
    if not isinstance(cycles, dict):
        raise ConfigError(f"{path}: 'cycles' must be a table")
    _reject_unknown(cycles, _CYCLE_KEYS, path, "cycles.")
    config.cycles_include_lazy = _bool(cycles, "include_lazy", False, path)
    config.cycles_include_type_only = _bool(cycles, "include_type_only", False, path)
    config.layers = _layers(section.get("layers", []), path, text)
    return config


def _layers(raw, path: str, text: str) -> list[LayerConfig]:
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise ConfigError(f"{path}: 'layers' must be an array of tables ([[tool.archlint.layers]])")
    layers: list[LayerConfig] = []
    names: set[str] = set()
    for item in raw:
        _reject_unknown(item, _LAYER_KEYS, path, "layers.")
        name = _string(item, "name", "", path)
        if not name:
            raise ConfigError(f"{path}: every layer needs a 'name'")
        if name in names:
            raise ConfigError(f"{path}: layer {name!r} is declared twice")
        names.add(name)
        may_import = item.get("may_import")
        layers.append(
            LayerConfig(
                name=name,
                paths=_strings(item, "paths", path),
                may_import=None if may_import is None else _strings(item, "may_import", path),
                forbidden_external=_strings(item, "forbidden_external", path),
                transitive=_bool(item, "transitive", False, path),
                data_access=_bool(item, "data_access", False, path),
                line=_line_of(text, name),
            )
        )
    for layer in layers:
        for other in layer.may_import or ():
            if other not in names:
                raise ConfigError(f"{path}: layer {layer.name!r} may_import unknown layer {other!r}")
    return layers


def _line_of(text: str, name: str) -> int:
    match = re.search(r"^\s*name\s*=\s*[\"']" + re.escape(name) + r"[\"']", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _reject_unknown(table: dict, allowed: set[str], path: str, prefix: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(
            f"{path}: unknown config key {prefix}{unknown[0]!r} (allowed: {', '.join(sorted(allowed))})"
        )


def _string(table: dict, key: str, default: str, path: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"{path}: {key!r} must be a string")
    return value


def _strings(table: dict, key: str, path: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{path}: {key!r} must be a list of strings")
    return tuple(value)


def _bool(table: dict, key: str, default: bool, path: str) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{path}: {key!r} must be true or false")
    return value


def _severities(raw, path: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: 'severity' must be a table of RULE = \"error|warning|info\"")
    for rule, level in raw.items():
        if level not in SEVERITIES:
            raise ConfigError(f"{path}: severity for {rule} must be one of {', '.join(SEVERITIES)}")
    return dict(raw)
