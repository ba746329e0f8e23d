"""Load the data in ``rules/``: the rule catalogue, layer presets and ecosystem knowledge.

The directory ships inside the wheel as ``archlint/_rules`` and sits at the repository root
(``rules/``) in a source checkout or editable install; both are looked up.

Parsing the TOML costs ~25 ms a run (a fifth of a warm pre-commit run), so the parsed files are
kept like byte code: one ``marshal`` file in archlint's cache directory, named by a hash of every
TOML file's name and bytes, read in ~1 ms.  Editing any file in ``rules/`` changes the name, so a
stale copy is never read; a cache directory that cannot be written only costs the parse.
"""

from __future__ import annotations

import marshal
import os
from functools import lru_cache
from pathlib import Path

from archlint.adapters.digest import blake2b
from archlint.domain.config import ConfigError
from archlint.domain.knowledge import AccessSpec, Knowledge, Package, module_matches
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
    return _parsed_rules()[path.relative_to(rules_dir()).as_posix()]


@lru_cache(maxsize=1)
def _parsed_rules() -> dict[str, dict]:
    """Every TOML file of ``rules/``, parsed: from the compiled copy when its name (the hash of
    the files' names and bytes) matches, else parsed now and the copy written for the next run."""
    root = rules_dir()
    texts = {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*.toml"))}
    digest = blake2b(digest_size=16)
    for name, data in texts.items():
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    from archlint.adapters.cache import default_cache_dir

    compiled = os.path.join(default_cache_dir(), "knowledge", f"{digest.hexdigest()}.marshal")
    try:
        with open(compiled, "rb") as handle:
            parsed = marshal.loads(handle.read())  # marshal.load(handle) reads object by object: 5x slower
        if isinstance(parsed, dict) and parsed.keys() == texts.keys():
            return parsed
    except (OSError, EOFError, ValueError, TypeError):
        pass
    parsed = {name: _toml.loads(data.decode("utf-8")) for name, data in texts.items()}
    _write_compiled(compiled, parsed)
    return parsed


def _write_compiled(target: str, parsed: dict[str, dict]) -> None:
    try:
        payload = marshal.dumps(parsed)
    except ValueError:  # a TOML date or time: not marshallable, parse every run instead
        return
    temporary = f"{target}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(payload)
        os.replace(temporary, target)  # concurrent runs never read a torn file
        _prune(os.path.dirname(target))
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


_KEEP_COMPILED = 4  # copies of other rules/ versions (other installs, earlier edits) kept


def _prune(directory: str) -> None:
    entries = [entry for entry in os.scandir(directory) if entry.name.endswith(".marshal")]
    entries.sort(key=lambda entry: entry.stat().st_mtime_ns, reverse=True)
    for entry in entries[_KEEP_COMPILED:]:
        os.unlink(entry.path)


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
            if kind == "names":  # read by the semantics module named by `reader` (Library.view)
                for entry in entries:
                    _merge_names(knowledge.names, entry, path.name)
                continue
            if kind == "semantics":  # read as data by archlint/semantics/library.py
                for entry in entries:
                    knowledge.semantics[entry["stack"]] = dict(entry)
                continue
            for entry in entries:
                entry = dict(entry)
                modules = tuple(entry.pop("modules", ()))
                forks = tuple(entry.pop("forks", ()))
                for fork in forks:  # an import of the fork reads as one of the package it forks
                    knowledge.module_aliases[fork] = modules[0]
                knowledge.entries.append(
                    Package(
                        kind=kind,
                        name=entry.pop("name"),
                        language=entry.pop("language"),
                        modules=modules + forks,
                        packages=tuple(entry.pop("packages", ())) + forks,
                        extra=entry,
                    )
                )
    for entry in access_entries:
        stack = knowledge.entry(entry["stack"])
        if stack is None:
            raise ConfigError(f"access.toml: stack {entry['stack']!r} is not an [[orm]] or [[driver]] entry")
        knowledge.access.append(_access(entry, python=stack.language == "python"))
    return knowledge


def canonical_module(module: str) -> str:
    """The module a JS import specifier stands for: a fork or re-export declared in ``forks`` of a
    knowledge entry (``@n8n/typeorm`` of ``typeorm``) is the package it forks, its subpaths included
    (``@n8n/typeorm/util/DateUtils`` -> ``typeorm/util/DateUtils``); any other specifier is itself."""
    aliases = load_knowledge().module_aliases
    if not aliases or module.startswith("."):
        return module
    for fork, original in aliases.items():
        if module_matches(module, fork):
            return original + module[len(fork):]
    return module


def canonical_binding(target: str) -> str:
    """A frontend's ``module:attr`` binding target with its module made canonical (``canonical_module``)."""
    module, colon, attribute = target.rpartition(":")
    if not colon:
        return target
    canonical = canonical_module(module)
    return target if canonical == module else f"{canonical}:{attribute}"


def _merge_names(names: dict, entry: dict, file: str) -> None:
    """One ``[[names]]`` table into ``names[reader]``: its ``reader`` and ``library`` say who reads it
    and whose names these are; every other key is a list or table of names, defined once per reader."""
    table = names.setdefault(entry["reader"], {})
    for key, value in entry.items():
        if key in ("reader", "library"):
            continue
        if key in table:
            raise ConfigError(f"{file}: [[names]] key {key!r} of reader {entry['reader']!r} is defined twice")
        table[key] = value


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
