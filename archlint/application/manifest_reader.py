"""Read every manifest found by discovery into one :class:`Manifest` (as data, never executed)."""

from __future__ import annotations

from archlint.domain.manifest import Manifest

MAX_MANIFEST_BYTES = 2 * 1024 * 1024


def read_manifests(found: list[tuple[str, str]]) -> Manifest:
    from archlint.adapters import js_config, manifests

    parts: list[Manifest] = []
    for relative, absolute in found:
        text = _read(absolute)
        if text is None:
            continue
        name = relative.rsplit("/", 1)[-1]
        if name == "package.json":
            package, dependencies = js_config.read_package_json(relative, text)
            parts.append(Manifest(dependencies=list(dependencies), packages=[package], files=[relative]))
        elif name.startswith(("tsconfig", "jsconfig")) and name.endswith(".json"):
            parts.append(Manifest(tsconfigs=[js_config.read_tsconfig(relative, text)], files=[relative]))
        elif manifests.is_manifest(relative):
            parts.append(manifests.read_manifest_file(relative, text))
    return manifests.merge(parts)


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_MANIFEST_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_MANIFEST_BYTES or b"\x00" in data[:4096]:
        return None
    return data.decode("utf-8", "replace")
