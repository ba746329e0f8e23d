"""The validated configuration of one analysis (what ``[tool.archlint]`` / ``archlint.toml`` say).

Only plain data lives here; reading and validating TOML is the config adapter's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class ConfigError(Exception):
    """A config that cannot be trusted: the CLI prints one line and exits 2."""


@dataclass(slots=True)
class LayerConfig:
    """One `[[layers]]` entry of the config."""
    name: str
    paths: tuple[str, ...] = ()
    may_import: tuple[str, ...] | None = None
    forbidden_external: tuple[str, ...] = ()
    transitive: bool = False
    data_access: bool = False
    line: int = 0  # where it is declared, for findings about the config itself


@dataclass(slots=True)
class Config:
    """The archlint config of the analysed tree."""
    path: str = ""  # the config file ("" when none was found)
    preset: str = "auto"  # "auto" | "none" | a preset name
    containers: tuple[str, ...] | None = None  # None: detect
    layers: list[LayerConfig] = field(default_factory=list)
    composition_roots: tuple[str, ...] = ()  # extra globs
    exhaustive: bool = False
    exhaustive_ignore: tuple[str, ...] = ()
    source_roots: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ()  # rule ids, names or categories; empty = all
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)  # rule id -> severity
    fail_on: str = "warning"
    transitive: bool = False  # layering through unlayered modules, for every layer
    cycles_include_lazy: bool = False
    cycles_include_type_only: bool = False
    gitignore: bool = True
    openapi: str = ""  # the API contract (an OpenAPI/Swagger file), relative to the config file
