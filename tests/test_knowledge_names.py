"""The ``[[names]]`` tables of rules/knowledge/*.toml: the library names (classes, functions, decorators,
modules, framework method names) the semantic modules read as data.  Every table says who reads it and
whose names it holds, every key is documented next to it and read by its module (no unknown key, none
missing), and the loader refuses a key defined twice for one reader."""

from __future__ import annotations

import importlib
import re

import pytest

from archlint.adapters import knowledge
from archlint.domain.config import ConfigError
from archlint.semantics.library import Library


def _entries():
    """(file name, its text, the [[names]] entries) of every knowledge file holding some."""
    found = []
    for path in sorted((knowledge.rules_dir() / "knowledge").glob("*.toml")):
        entries = knowledge._load(path).get("names", [])
        if entries:
            found.append((path.name, path.read_text(encoding="utf-8"), entries))
    return found


def _strings(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(name, str) and name for name in value)


def _words(value) -> bool:
    """A table's value that is a list: names, or a tuple of a name and flags (``["GET", false]``)."""
    return isinstance(value, list) and bool(value) and all(isinstance(item, (str, bool)) for item in value)


def _readers() -> dict[str, dict]:
    return knowledge.load_knowledge().names


def _reader_module(reader: str):
    """``reader = "schema"`` is archlint/semantics/schema.py; a dotted one names its package under
    archlint (``checks.transactions`` is archlint/checks/transactions.py)."""
    # archlint: ignore[AL106] the reader names come from rules/knowledge/*.toml, this repository's own data
    return importlib.import_module(f"archlint.{reader}" if "." in reader else f"archlint.semantics.{reader}")


def test_every_names_table_says_who_reads_it_and_whose_names_it_holds():
    assert _entries(), "no [[names]] table found"
    for file, text, entries in _entries():
        blocks = re.split(r"^\[\[names\]\]$", text, flags=re.MULTILINE)  # a table header, not the words in a comment
        for block, entry in zip(blocks[:-1], entries):
            assert block.rstrip().splitlines()[-1].startswith("#"), f"{file}: a [[names]] table without a comment above it"
            assert isinstance(entry.get("reader"), str) and isinstance(entry.get("library"), str) and entry["library"], (file, entry)
            _reader_module(entry["reader"])


def test_every_key_is_documented_and_holds_names():
    for file, text, entries in _entries():
        comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
        for entry in entries:
            for key, value in entry.items():
                if key in ("reader", "library"):
                    continue
                assert re.search(rf"\b{re.escape(key)}\b", comments), f"{file}: key {key!r} is not explained in a comment"
                if isinstance(value, dict):
                    assert value and all(isinstance(k, str) and (isinstance(item, (bool, str)) or _words(item))
                                         for k, item in value.items()), (file, key)
                else:
                    assert _strings(value), (file, key)


@pytest.mark.parametrize("reader", sorted(_readers()))
def test_every_key_is_read_by_its_module_and_none_is_missing(reader):
    table = _readers()[reader]
    module = _reader_module(reader)
    view = module._known(table)  # every key the module needs is there
    assert type(view) is module.Known
    for key in table:  # and every key there is one the module reads
        partial = {k: value for k, value in table.items() if k != key}
        with pytest.raises(KeyError):
            module._known(partial)


def test_the_library_builds_each_view_once():
    library = Library(knowledge.load_knowledge())
    module = importlib.import_module("archlint.semantics.frameworks")

    class Program:
        pass

    program = Program()
    program.library = library
    first = module.known(program)
    assert module.known(program) is first
    assert "rest_framework.serializers.ModelSerializer" in first.serializer_bases
    assert first.converters >= first.type_adapters | first.parse_as | first.paginations


def test_a_key_defined_twice_for_one_reader_is_refused():
    names: dict = {}
    knowledge._merge_names(names, {"reader": "schema", "library": "a", "django_bases": ["x"]}, "one.toml")
    with pytest.raises(ConfigError, match="defined twice"):
        knowledge._merge_names(names, {"reader": "schema", "library": "b", "django_bases": ["y"]}, "two.toml")


def test_a_fork_declared_in_knowledge_reads_as_the_package_it_forks():
    """``forks`` of an entry: ``@n8n/typeorm`` (and its subpaths) is TypeORM; a look-alike name is not."""
    assert knowledge.canonical_module("@n8n/typeorm") == "typeorm"
    assert knowledge.canonical_module("@n8n/typeorm/util/DateUtils") == "typeorm/util/DateUtils"
    assert knowledge.canonical_binding("@n8n/typeorm:Repository") == "typeorm:Repository"
    for other in ("@n8n/typeorm-extras", "@n8n/typeormx", "typeorm-extension", "@n8n/db", "./@n8n/typeorm"):
        assert knowledge.canonical_module(other) == other
    entry = knowledge.load_knowledge().entry("typeorm")
    assert "@n8n/typeorm" in entry.modules and "@n8n/typeorm" in entry.packages
