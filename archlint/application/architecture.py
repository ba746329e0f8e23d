"""Decide which architecture applies: configured layers, a preset, or none.

With no config, the ``clean`` preset is applied automatically — but only inside *containers*
(directories whose children are at least ``min_roles`` distinct layer roles), so a project
that merely has a ``views/`` and a ``db/`` directory is not judged by rules it never chose.
"""

from __future__ import annotations

from archlint.domain.config import Config, ConfigError
from archlint.domain.knowledge import Knowledge
from archlint.domain.layers import Architecture, Layer, file_stem

DEFAULT_PRESET = "clean"


def resolve_architecture(config: Config, source_paths: list[str], knowledge: Knowledge, load_preset) -> Architecture | None:
    groups = knowledge.groups()
    if config.layers:
        return _custom(config, groups)
    if config.preset == "none":
        return None
    explicit = config.preset != "auto"
    preset = load_preset(config.preset if explicit else DEFAULT_PRESET)
    layers = _preset_layers(preset, groups)
    if config.containers is not None:
        containers = [c.strip("/") for c in config.containers]
    else:
        minimum = preset.get("min_roles", 3) if not explicit else 2
        containers = detect_containers(layers, source_paths, minimum)
        if explicit and not containers:
            containers = [""]
    if not containers:
        return None
    roots = preset.get("composition_roots", {})
    return Architecture(
        name=preset["name"],
        layers=layers,
        containers=containers,
        composition_root_names=frozenset(roots.get("names", ())),
        composition_root_globs=tuple(roots.get("globs", ())) + tuple(config.composition_roots),
        exhaustive=config.exhaustive,
        exhaustive_ignore=config.exhaustive_ignore,
        source=config.path or "auto",
    )


def _expand(patterns, groups: dict[str, tuple[str, ...]], where: str) -> tuple[str, ...]:
    expanded: list[str] = []
    for pattern in patterns:
        if pattern.startswith("@"):
            if pattern not in groups:
                raise ConfigError(f"{where}: unknown module group {pattern!r} (known: {', '.join(sorted(groups))})")
            expanded.extend(groups[pattern])
        else:
            expanded.append(pattern)
    return tuple(dict.fromkeys(expanded))


def _preset_layers(preset: dict, groups) -> list[Layer]:
    layers = []
    for index, entry in enumerate(preset["layers"]):
        layers.append(
            Layer(
                name=entry["name"],
                rank=entry.get("rank", index),
                may_import=tuple(entry["may_import"]) if "may_import" in entry else None,
                forbidden_external=_expand(entry.get("forbidden_external", ()), groups, f"preset {preset['name']}"),
                aliases=tuple(alias.lower() for alias in entry.get("aliases", ())),
                suffixes=tuple(entry.get("suffixes", ())),
                data_access=entry.get("data_access", False),
            )
        )
    return layers


def _custom(config: Config, groups) -> Architecture:
    layers = [
        Layer(
            name=entry.name,
            rank=index,
            may_import=entry.may_import,
            forbidden_external=_expand(entry.forbidden_external, groups, config.path),
            paths=entry.paths,
            transitive=entry.transitive or config.transitive,
            data_access=entry.data_access,
        )
        for index, entry in enumerate(config.layers)
    ]
    return Architecture(
        name="custom",
        layers=layers,
        composition_root_globs=config.composition_roots,
        exhaustive=config.exhaustive,
        exhaustive_ignore=config.exhaustive_ignore,
        source=config.path,
    )


def detect_containers(layers: list[Layer], source_paths: list[str], minimum: int) -> list[str]:
    """Directories whose child directories (or directly contained files, by suffix) cover at
    least ``minimum`` distinct layer roles.  Nested candidates inside a container's layer
    directories are dropped: ``app/`` wins over ``app/domain/`` when both qualify."""
    roles: dict[str, set[str]] = {}
    for path in source_paths:
        parts = path.split("/")
        for depth in range(len(parts) - 1):
            parent = "/".join(parts[:depth])
            child = parts[depth]
            role = next((layer.name for layer in layers if child.lower() in layer.aliases), None)
            if role:
                roles.setdefault(parent, set()).add(role)
        directory = "/".join(parts[:-1])
        stem = file_stem(parts[-1]).lower()
        for layer in layers:
            if any(stem == s or stem.endswith(("." + s, "_" + s, "-" + s)) for s in layer.suffixes):
                roles.setdefault(directory, set()).add(layer.name)
                break
    candidates = sorted(d for d, found in roles.items() if len(found) >= minimum)
    kept: list[str] = []
    for candidate in candidates:
        if any(candidate.startswith(f"{outer}/") or (outer == "" and candidate) for outer in kept):
            continue
        kept.append(candidate)
    return kept
