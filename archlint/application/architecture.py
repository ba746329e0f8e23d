"""Decide which architecture applies: configured layers, a preset, or none.

With no config, the ``clean`` preset is applied automatically — but only inside *containers*
layered with confidence (:func:`detect_containers`): directories whose children are at least
``min_roles`` distinct layer roles, the preset's ``confident_roles`` among them (the data-access
one named by a word only deliberately layered code uses).  A plain app with ``routes/ models/ db/`` is not judged by
layer rules (AL101–AL103, AL301) it never chose.  This module is the one place that decides
which directory plays which role; presets hold the words.
"""

from __future__ import annotations

from archlint.domain.config import Config, ConfigError
from archlint.domain.knowledge import Knowledge
from archlint.domain.layers import Architecture, Layer, file_stem, has_suffix

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
        if explicit:
            containers = detect_containers(layers, source_paths, 2)
        else:
            containers = detect_containers(layers, source_paths, preset.get("min_roles", 3), tuple(preset.get("confident_roles", ())))
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
                distinctive=tuple(alias.lower() for alias in entry.get("distinctive", ())),
                distinctive_suffixes=tuple(entry.get("distinctive_suffixes", ())),
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


def detect_containers(layers: list[Layer], source_paths: list[str], minimum: int, confident_roles: tuple[str, ...] = ()) -> list[str]:
    """Directories whose child directories (or directly contained files, by suffix) cover at
    least ``minimum`` distinct layer roles, every role of ``confident_roles`` among them — shown by a
    distinctive alias or file name when its layer has such words (see :func:`role_evidence`).  Nested candidates inside a
    container's layer directories are dropped: ``app/`` wins over ``app/domain/`` when both qualify."""
    evidence = role_evidence(layers, source_paths)
    distinctive = {layer.name for layer in layers if layer.distinctive or layer.distinctive_suffixes}
    candidates = sorted(
        directory
        for directory, roles in evidence.items()
        if len(roles) >= minimum and all(role in roles and (roles[role] or role not in distinctive) for role in confident_roles)
    )
    kept: list[str] = []
    for candidate in candidates:
        if any(candidate.startswith(f"{outer}/") or (outer == "" and candidate) for outer in kept):
            continue
        kept.append(candidate)
    return kept


def role_evidence(layers: list[Layer], source_paths: list[str]) -> dict[str, dict[str, bool]]:
    """For every directory, the roles its children play and whether each is shown distinctively:
    ``{"src": {"routes": False, "models": False, "repositories": True}}``.  A child directory
    plays a role by alias (``routes/``); a file directly inside by suffix (``articles.controller.ts``).
    Distinctive: an alias in the layer's ``distinctive`` list, or a file anywhere in that role's
    directory named with one of its ``distinctive_suffixes`` (``db/UserRepository.js``)."""
    roles: dict[str, dict[str, bool]] = {}

    def note(directory: str, role: str, distinctive: bool) -> None:
        found = roles.setdefault(directory, {})
        found[role] = found.get(role, False) or distinctive

    for path in source_paths:
        parts = path.split("/")
        stem = file_stem(parts[-1])
        for depth in range(len(parts) - 1):
            child = parts[depth].lower()
            layer = next((layer for layer in layers if child in layer.aliases), None)
            if layer is not None:
                named = child in layer.distinctive or has_suffix(stem, layer.distinctive_suffixes, camel_case=True)
                note("/".join(parts[:depth]), layer.name, named)
        layer = next((layer for layer in layers if has_suffix(stem, layer.suffixes)), None)
        if layer is not None:
            note("/".join(parts[:-1]), layer.name, has_suffix(stem, layer.distinctive_suffixes))
    return roles

