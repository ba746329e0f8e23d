"""Load the data in ``rules/``: the rule catalogue, layer presets and ecosystem knowledge.

The directory ships inside the wheel as ``archlint/_rules`` and sits at the repository root
(``rules/``) in a source checkout or editable install; both are looked up.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from archlint.domain.config import ConfigError
from archlint.domain.knowledge import Knowledge, Package
from archlint.domain.rules import Registry, RuleSpec

try:
    import tomllib as _toml
except ModuleNotFoundError:  # pragma: no cover
    import tomli as _toml  # type: ignore[no-redef]

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def rules_dir() -> Path:
    for candidate in (_PACKAGE_DIR / "_rules", _PACKAGE_DIR.parent / "rules"):
        if (candidate / "catalogue").is_dir():
            return candidate
    raise ConfigError("archlint's rules/ data directory is missing from the installation")


def _load(path: Path) -> dict:
    with open(path, "rb") as handle:
        return _toml.load(handle)


@lru_cache(maxsize=1)
def load_registry() -> Registry:
    specs: list[RuleSpec] = []
    for path in sorted((rules_dir() / "catalogue").glob("*.toml")):
        for entry in _load(path).get("rule", []):
            specs.append(RuleSpec(**entry))
    return Registry(specs)


@lru_cache(maxsize=1)
def load_knowledge() -> Knowledge:
    knowledge = Knowledge()
    for path in sorted((rules_dir() / "knowledge").glob("*.toml")):
        for kind, entries in _load(path).items():
            for entry in entries:
                entry = dict(entry)
                knowledge.entries.append(
                    Package(
                        kind=kind,
                        name=entry.pop("name"),
                        language=entry.pop("language"),
                        modules=tuple(entry.pop("modules", ())),
                        packages=tuple(entry.pop("packages", ())),
                        extra=entry,
                    )
                )
    return knowledge


def preset_names() -> list[str]:
    return sorted(path.stem for path in (rules_dir() / "presets").glob("*.toml"))


@lru_cache(maxsize=8)
def load_preset(name: str) -> dict:
    path = rules_dir() / "presets" / f"{name}.toml"
    if not path.is_file():
        raise ConfigError(f"unknown preset {name!r} (available: {', '.join(preset_names())})")
    return _load(path)
