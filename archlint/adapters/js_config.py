"""``tsconfig.json`` / ``jsconfig.json`` and ``package.json``, read as data.

They feed JS module resolution (``baseUrl``, ``paths``, package ``imports``) and stack
verification (declared npm dependencies).  Like the other manifest readers, both functions
are total: malformed input yields an empty record, never an exception, because one broken
config in a scanned repository must not stop the scan.

Limitation: a tsconfig's ``extends`` is not followed, so ``paths`` inherited from a base config
(``tsconfig.base.json`` in Nx-style monorepos) are not seen; ``TsConfig`` has no field to carry
the chain, and the graph stage only reads each file once.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from posixpath import dirname, normpath

from archlint.domain.manifest import Dependency, PackageJson, TsConfig

# tsconfig is JSONC: comments and trailing commas.  Strings are matched first so that a "//"
# inside a path pattern ("https://…") or a comma inside a string is left alone.
_JSONC_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/|,(?=\s*[}\]])', re.DOTALL)
_CONDITIONS = ("import", "node", "require", "default")
_DEPENDENCY_SECTIONS = (
    ("dependencies", False),
    ("devDependencies", True),
    ("peerDependencies", False),
    ("optionalDependencies", False),
)


def _load_jsonc(text: str) -> dict:
    """Parse JSON with comments and trailing commas; anything but an object -> ``{}``."""
    cleaned = _JSONC_TOKEN.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text)
    try:
        data = json.loads(cleaned)
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def read_tsconfig(path_rel: str, text: str) -> TsConfig:
    """The resolution-relevant part of a tsconfig/jsconfig (``extends`` is not followed)."""
    options = _load_jsonc(text).get("compilerOptions")
    options = options if isinstance(options, dict) else {}
    base_url = options.get("baseUrl")
    raw_paths = options.get("paths")
    paths: list[tuple[str, tuple[str, ...]]] = []
    if isinstance(raw_paths, dict):
        for pattern, targets in raw_paths.items():
            if isinstance(targets, list):
                strings = tuple(t for t in targets if isinstance(t, str))
                if strings:
                    paths.append((pattern, strings))
    return TsConfig(dirname(path_rel), base_url if isinstance(base_url, str) else None, tuple(paths))


def read_package_json(path_rel: str, text: str) -> tuple[PackageJson, list[Dependency]]:
    """Name, ``main``, ``type``, ``imports``, module-alias's ``_moduleAliases`` and the declared
    dependencies with their lines."""
    data = _load_jsonc(text)
    directory = dirname(path_rel)
    package = PackageJson(
        directory=directory,
        name=_string(data.get("name")),
        imports=_imports(data.get("imports")),
        main=_string(data.get("main")),
        module_type=_string(data.get("type")) if data.get("type") in ("module", "commonjs") else "",
        workspaces=_workspaces(data.get("workspaces")),
        aliases=_module_aliases(data.get("_moduleAliases")),
    )
    dependencies = _dependencies(path_rel, text, data)
    node_path = _node_path(data.get("scripts"))
    if node_path:
        package = replace(package, node_path=node_path, declared=tuple(sorted({d.name for d in dependencies})))
    return package, dependencies


# `NODE_PATH=src node …` / `cross-env NODE_PATH=./src nodemon …` in a script: Node looks bare specifiers up there
_NODE_PATH = re.compile(r"(?:^|[\s;&])NODE_PATH=(['\"]?)([^\s'\";&]+)\1")


def _node_path(scripts: object) -> tuple[str, ...]:
    """The project folders ``NODE_PATH`` names in the ``scripts`` commands (``require("lib/utils")`` from
    ``src/lib/utils.js`` under ``NODE_PATH=src``), first seen first; folders outside the package, absolute
    or variable ones are left out."""
    if not isinstance(scripts, dict):
        return ()
    found: list[str] = []
    for command in scripts.values():
        for match in _NODE_PATH.finditer(command if isinstance(command, str) else ""):
            for folder in match.group(2).split(":"):
                folder = normpath(folder) if folder else ""
                if folder and not folder.startswith(("/", "..", "$", "%", "~")) and folder not in found:
                    found.append(folder)
    return tuple(found)


def _workspaces(raw: object) -> tuple[str, ...]:
    """``"workspaces": ["packages/*"]`` or yarn's ``{"packages": [...]}`` -> the member globs."""
    if isinstance(raw, dict):
        raw = raw.get("packages")
    if not isinstance(raw, list):
        return ()
    return tuple(item.strip().removeprefix("./").rstrip("/") for item in raw if isinstance(item, str) and item.strip())


def _module_aliases(raw: object) -> tuple[tuple[str, str], ...]:
    """module-alias's ``"_moduleAliases": {"@model": "./src/model"}`` (registered at start-up by
    ``require('module-alias/register')``) -> (("@model", "./src/model"),), longest alias first, as the
    library matches them."""
    if not isinstance(raw, dict):
        return ()
    found = [(key, value) for key, value in raw.items() if isinstance(key, str) and key and isinstance(value, str) and value]
    return tuple(sorted(found, key=lambda pair: (-len(pair[0]), pair[0])))


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""


def _imports(raw: object) -> tuple[tuple[str, str], ...]:
    """``{"#db": {"import": "./src/db.js", "default": …}}`` -> (("#db", "./src/db.js"),)."""
    if not isinstance(raw, dict):
        return ()
    picked = []
    for key, value in raw.items():
        target = _pick_condition(value)
        if key.startswith("#") and target:
            picked.append((key, target))
    return tuple(picked)


def _pick_condition(value: object, depth: int = 0) -> str:
    """Resolve a conditional target: "import", then "node", "require", "default"; arrays are
    fallback lists (first usable entry wins); ``null`` excludes the entry."""
    if isinstance(value, str):
        return value
    if depth > 8:
        return ""
    if isinstance(value, list):
        return next((t for t in (_pick_condition(v, depth + 1) for v in value) if t), "")
    if isinstance(value, dict):
        for condition in _CONDITIONS:
            if condition in value:
                target = _pick_condition(value[condition], depth + 1)
                if target:
                    return target
    return ""


def _dependencies(path_rel: str, text: str, data: dict) -> list[Dependency]:
    found: list[Dependency] = []
    for section, dev in _DEPENDENCY_SECTIONS:
        entries = data.get(section)
        if not isinstance(entries, dict):
            continue
        section_start = _key_offset(text, section, 0)
        for name, spec in entries.items():
            if isinstance(spec, str):
                offset = _key_offset(text, name, max(section_start, 0))
                line = _line_at(text, offset if offset >= 0 else max(section_start, 0))
                found.append(Dependency(name, spec, "npm", path_rel, line, dev))
    return found


def _key_offset(text: str, key: str, start: int) -> int:
    """Offset of ``"key":`` at or after ``start`` (-1 when absent); a text search, because the
    JSON parser forgets positions."""
    match = re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:").search(text, start)
    return match.start() if match else -1


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
