"""The parsed rules/ data is kept like byte code: read back when unchanged, never when stale."""

from __future__ import annotations

import shutil

import pytest

from archlint.adapters import knowledge


@pytest.fixture
def rules_copy(tmp_path, monkeypatch):
    """A private copy of rules/ and a private cache directory, with the loaders' memo cleared."""
    copy = tmp_path / "rules"
    shutil.copytree(knowledge.rules_dir(), copy)
    monkeypatch.setattr(knowledge, "rules_dir", lambda: copy)
    monkeypatch.setenv("ARCHLINT_CACHE_DIR", str(tmp_path / "cache"))
    knowledge._parsed_rules.cache_clear()
    yield copy
    knowledge._parsed_rules.cache_clear()


def _compiled(tmp_path):
    return sorted((tmp_path / "cache" / "knowledge").glob("*.marshal"))


def test_second_run_reads_the_compiled_copy_without_parsing(rules_copy, tmp_path, monkeypatch):
    first = knowledge._parsed_rules()
    assert "catalogue/performance.toml" in first and first["catalogue/performance.toml"]["rule"]
    assert len(_compiled(tmp_path)) == 1
    knowledge._parsed_rules.cache_clear()

    def no_parsing(_text):
        raise AssertionError("the compiled copy should have been read")

    monkeypatch.setattr(knowledge._toml, "loads", no_parsing)
    assert knowledge._parsed_rules() == first


def test_an_edited_rules_file_is_parsed_again(rules_copy, tmp_path):
    knowledge._parsed_rules()
    preset = rules_copy / "presets" / "clean.toml"
    preset.write_text(preset.read_text() + '\n# a comment\n[extra]\nmarker = "edited"\n')
    knowledge._parsed_rules.cache_clear()
    assert knowledge._parsed_rules()["presets/clean.toml"]["extra"] == {"marker": "edited"}
    assert len(_compiled(tmp_path)) == 2


def test_a_corrupt_or_unwritable_cache_only_costs_the_parse(rules_copy, tmp_path, monkeypatch):
    expected = knowledge._parsed_rules()
    (path,) = _compiled(tmp_path)
    path.write_bytes(b"\x00garbage")
    knowledge._parsed_rules.cache_clear()
    assert knowledge._parsed_rules() == expected
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache directory should be")
    knowledge._parsed_rules.cache_clear()
    monkeypatch.setenv("ARCHLINT_CACHE_DIR", str(blocked))
    assert knowledge._parsed_rules() == expected
