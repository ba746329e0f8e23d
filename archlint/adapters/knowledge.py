"""Load the data in ``rules/``: the rule catalogue, layer presets and ecosystem knowledge.

The directory ships inside the wheel as ``archlint/_rules`` and sits at the repository root
(``rules/``) in a source checkout or editable install; both are looked up.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from archlint.domain.config import ConfigError
from archlint.domain.knowledge import AccessSpec, Knowledge, Package
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
    access_entries: list[dict] = []
    for path in sorted((rules_dir() / "knowledge").glob("*.toml")):
        for kind, entries in _load(path).items():
            if kind == "access":
                access_entries.extend(entries)
                continue
            if kind == "roles":  # read by archlint/checks/layer_roles.py
                for entry in entries:
                    knowledge.roles[entry["name"]] = dict(entry)
                continue
            if kind == "semantics":  # read as data by archlint/semantics/library.py
                for entry in entries:
                    knowledge.semantics[entry["stack"]] = dict(entry)
                continue
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
    for entry in access_entries:
        stack = knowledge.entry(entry["stack"])
        if stack is None:
            raise ConfigError(f"access.toml: stack {entry['stack']!r} is not an [[orm]] or [[driver]] entry")
        knowledge.access.append(_access(entry, python=stack.language == "python"))
    return knowledge


def _canonical_key(name: str) -> str:
    """Python keys are written ``module:attr`` in the TOML for readability; matching uses the
    dotted form the data-layer analysis builds (``sqlalchemy.orm.sessionmaker``)."""
    module, _, attr = name.partition(":")
    return f"{module}.{attr}".strip(".") if attr else module


def _access(entry: dict, python: bool) -> AccessSpec:
    key = _canonical_key if python else (lambda name: name)
    return AccessSpec(
        stack=entry["stack"],
        objects={key(k): v for k, v in entry.get("objects", {}).items()},
        annotations={key(k): v for k, v in entry.get("annotations", {}).items()},
        derived=dict(entry.get("derived", {})),
        methods={kind: frozenset(names) for kind, names in entry.get("methods", {}).items()},
        categories=dict(entry.get("categories", {})),
    )


def preset_names() -> list[str]:
    return sorted(path.stem for path in (rules_dir() / "presets").glob("*.toml"))


@lru_cache(maxsize=8)
def load_preset(name: str) -> dict:
    path = rules_dir() / "presets" / f"{name}.toml"
    if not path.is_file():
        raise ConfigError(f"unknown preset {name!r} (available: {', '.join(preset_names())})")
    return _load(path)
