"""Read every manifest found by discovery into one :class:`Manifest` (as data, never executed)."""

from __future__ import annotations

from archlint.domain.manifest import Manifest

MAX_MANIFEST_BYTES = 2 * 1024 * 1024


def read_manifests(found: list[tuple[str, str]]) -> Manifest:
    if not found:
        return Manifest()  # what merging nothing gives, without importing the readers
    from archlint.adapters import js_config, manifests

    parts: list[Manifest] = []
    commands: list[tuple[str, int, str]] = []
    schema_files: list[tuple[str, str]] = []
    connection_configs: list[tuple[str, str]] = []
    for relative, absolute in found:
        text = _read(absolute)
        if text is None:
            continue
        name = relative.rsplit("/", 1)[-1]
        commands.extend(_commands(relative, name, text))
        if name.endswith((".sql", ".prisma")):
            schema_files.append((relative, text))  # table definitions (semantics/tables.py)
        elif name == "config.json":
            connection_configs.append((relative, text))  # sequelize-cli (domain/sql/database.py)
            continue
        if name == "package.json":
            package, dependencies = js_config.read_package_json(relative, text)
            parts.append(Manifest(dependencies=list(dependencies), packages=[package], files=[relative]))
        elif name.startswith(("tsconfig", "jsconfig")) and name.endswith(".json"):
            parts.append(Manifest(tsconfigs=[js_config.read_tsconfig(relative, text)], files=[relative]))
        elif manifests.is_manifest(relative):
            parts.append(manifests.read_manifest_file(relative, text))
    merged = manifests.merge(parts)
    merged.files = sorted(set(merged.files) | {relative for relative, _ in found})
    merged.commands = commands
    merged.schema_files = schema_files
    merged.connection_configs = connection_configs
    return merged


def _commands(relative: str, name: str, text: str) -> list[tuple[str, int, str]]:
    """Start-up commands: run.sh lines and package.json scripts (what "schema created on
    startup" and "how the app is started" are judged by)."""
    if name.endswith(".sh"):
        return [
            (relative, number, line.strip())
            for number, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.strip().startswith("#")
        ]
    if name == "Dockerfile" or name.startswith("Dockerfile.") or name == "Procfile":
        # ENV / RUN / CMD / ENTRYPOINT lines, and Procfile process lines: what the container or
        # platform runs at start and the environment it sets
        return [
            (relative, number, line.strip())
            for number, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.strip().startswith("#")
        ]
    if name == "package.json":
        import json

        try:
            scripts = json.loads(text).get("scripts", {})
        except (ValueError, AttributeError):
            return []
        lines = text.splitlines()
        found = []
        for key, command in scripts.items() if isinstance(scripts, dict) else ():
            if isinstance(command, str):
                line = next((i for i, l in enumerate(lines, 1) if f'"{key}"' in l), 1)
                found.append((relative, line, command))
        return found
    return []


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_MANIFEST_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_MANIFEST_BYTES or b"\x00" in data[:4096]:
        return None
    return data.decode("utf-8", "replace")
