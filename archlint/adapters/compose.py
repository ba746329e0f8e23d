"""docker-compose files read as data: services (image) and their ``environment``.

Split from ``manifests`` so PyYAML (~25 ms to import) loads only when a compose file exists.
Only PyYAML's safe node API is used (``yaml.compose`` with ``SafeLoader``): no object is ever
constructed from the file, and line numbers come from the nodes.
"""

from __future__ import annotations

import yaml

from archlint.domain.manifest import ComposeService, EnvVar, Manifest


_MERGE_TAG = "tag:yaml.org,2002:merge"
_NULL_TAG = "tag:yaml.org,2002:null"


def _compose_root(text: str) -> yaml.Node | None:
    """The document as a node tree: nodes carry line numbers, and composing builds no objects."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None


_Entry = tuple[yaml.ScalarNode, yaml.Node]


def _mapping_items(node: object, seen: set[int] | None = None) -> list[_Entry]:
    """Scalar-keyed entries of a mapping with ``<<: *anchor`` merges applied (own keys win).

    ``seen`` is shared across the whole expansion: a mapping merged twice adds nothing the
    first time did not, and skipping it defeats alias cycles and exponential merge bombs.
    """
    seen = set() if seen is None else seen
    if not isinstance(node, yaml.MappingNode) or id(node) in seen:
        return []
    seen.add(id(node))
    merged: dict[str, _Entry] = {}
    own: dict[str, _Entry] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        if key.tag == _MERGE_TAG:
            sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for source in sources:
                for item in _mapping_items(source, seen):
                    merged.setdefault(item[0].value, item)
        else:
            own[key.value] = (key, value)
    return list({**merged, **own}.values())


def _child(node: object, key: str) -> yaml.Node | None:
    return next((value for name, value in _mapping_items(node) if name.value == key), None)


def _scalar(node: object) -> str:
    """A scalar's text as written (``5432`` stays a string); null and non-scalars read as ""."""
    return node.value if isinstance(node, yaml.ScalarNode) and node.tag != _NULL_TAG else ""


def _compose_env(path: str, node: object) -> list[EnvVar]:
    """``environment:`` as a mapping (``KEY: value``) or a list (``- KEY=value``).

    Compose only accepts scalar values; a nested mapping or list is not a variable.
    """
    if not isinstance(node, yaml.SequenceNode):
        return [
            EnvVar(key.value, _scalar(value), path, key.start_mark.line + 1)
            for key, value in _mapping_items(node)
            if isinstance(value, yaml.ScalarNode)
        ]
    env = []
    for item in node.value:
        name, _, value = _scalar(item).partition("=")
        if name.strip():
            env.append(EnvVar(name.strip(), value, path, item.start_mark.line + 1))
    return env


def read_compose(path: str, text: str) -> Manifest:
    manifest = Manifest(files=[path])
    for key, service in _mapping_items(_child(_compose_root(text), "services")):
        image = _scalar(_child(service, "image"))
        manifest.services.append(ComposeService(key.value, image, path, key.start_mark.line + 1))
        manifest.env += _compose_env(path, _child(service, "environment"))
    return manifest
