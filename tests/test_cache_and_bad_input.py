"""The facts cache (content-hash keyed, invalidated by content, safe to share) and bad input
end to end: every kind of broken file is a finding or a counted skip, never a crash."""

from __future__ import annotations

import os
import pickle

from helpers import make_repo

from archlint.adapters.cache import FactsCache
from archlint.application.pipeline import Options, run_check
from archlint.domain.facts import FileFacts

REPO = {
    "requirements.txt": "flask\n",
    "app/routes/users.py": "from app.services.users import get\n",
    "app/services/users.py": "from app.repositories.users import load\ndef get(): return load()\n",
    "app/repositories/users.py": "def load(): return 1\n",
    "app/models/user.py": "class User: pass\n",
}


def run(root, cache_dir, **extra):
    return run_check([str(root)], Options(cache_dir=str(cache_dir), **extra))


def test_warm_run_uses_the_cache_and_gives_identical_findings(tmp_path):
    repo = make_repo(tmp_path / "repo", {**REPO, "app/repositories/users.py": "from app.services.users import get\n"})
    cold = run(repo, tmp_path / "cache")
    warm = run(repo, tmp_path / "cache")
    assert cold.cache_hits == 0 and warm.cache_hits == 4
    assert [f.to_dict() for f in warm.findings] == [f.to_dict() for f in cold.findings]
    assert {f.rule for f in warm.findings} == {"AL101", "AL104", "AL105"}


def test_changed_content_is_reparsed_and_renamed_file_hits(tmp_path):
    repo = make_repo(tmp_path / "repo", REPO)
    run(repo, tmp_path / "cache")
    (repo / "app/routes/users.py").write_text("from app.repositories.users import load\n")
    os.rename(repo / "app/models/user.py", repo / "app/models/account.py")
    result = run(repo, tmp_path / "cache")
    assert result.cache_hits == 3  # renamed file hits by content; the edited file does not
    assert [(f.rule, f.path) for f in result.findings] == [("AL102", "app/routes/users.py")]


def test_no_cache_neither_reads_nor_writes(tmp_path):
    repo = make_repo(tmp_path / "repo", REPO)
    result = run(repo, tmp_path / "cache", use_cache=False)
    assert result.cache_hits == 0
    assert not (tmp_path / "cache").exists()


def test_corrupt_or_foreign_cache_is_ignored(tmp_path):
    repo = make_repo(tmp_path / "repo", REPO)
    cache = FactsCache(str(tmp_path / "cache"), str(repo))
    os.makedirs(os.path.dirname(cache.path))
    with open(cache.path, "wb") as handle:
        handle.write(b"not a pickle at all")
    assert run(repo, tmp_path / "cache").findings == []
    with open(cache.path, "wb") as handle:
        pickle.dump({"fingerprint": "from another version", "entries": {"x": 1}}, handle)
    assert run(repo, tmp_path / "cache").cache_hits == 0
    assert run(repo, tmp_path / "cache").cache_hits == 4  # and it was rewritten properly


def test_unwritable_cache_location_does_not_fail_the_run(tmp_path):
    repo = make_repo(tmp_path / "repo", REPO)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache directory should be")
    assert run(repo, blocker).findings == []


def test_parallel_and_serial_parsing_agree(tmp_path):
    files = dict(REPO)
    for index in range(60):  # above the parallel threshold
        files[f"app/services/s{index}.py"] = f"from app.services.s{(index + 1) % 60} import x\nx = {index}\n"
    repo = make_repo(tmp_path / "repo", files)
    serial = run_check([str(repo)], Options(use_cache=False, jobs=1))
    parallel = run_check([str(repo)], Options(use_cache=False, jobs=2))
    assert [f.to_dict() for f in parallel.findings] == [f.to_dict() for f in serial.findings]
    assert [f.rule for f in serial.findings] == ["AL104"]
    assert "60 modules are tangled" not in serial.findings[0].message  # the cycle path is all 60 long
    assert serial.findings[0].message.count("->") == 60


def test_every_kind_of_bad_file_is_reported_and_analysis_goes_on(tmp_path):
    repo = make_repo(tmp_path / "repo", REPO)
    (repo / "app/services/syntax.py").write_text("def broken(:\n    pass\n")
    (repo / "app/services/binary.py").write_bytes(b"\x7fELF\x00\x00\x01\x02" * 64)
    (repo / "app/services/latin.py").write_bytes("nom = 'Zoë'\n".encode("latin-1"))
    (repo / "app/services/empty.py").write_bytes(b"")
    (repo / "app/services/huge.py").write_bytes(b"x = 1\n" * 1_000_000)
    (repo / "app/bundle.min.js").write_text("var a=1;" * 2000)
    os.symlink(repo / "nowhere.py", repo / "app/services/dangling.py")
    os.symlink(repo / "app/services/loop.py", repo / "app/services/loop.py")
    (repo / "app/routes/users.py").write_text("from app.repositories.users import load\n")  # a real violation
    result = run_check([str(repo)], Options(use_cache=False))
    got = [(f.rule, f.path, f.line) for f in result.findings]
    assert got == [
        ("AL004", "app/bundle.min.js", 1),
        ("AL102", "app/routes/users.py", 1),
        ("AL002", "app/services/binary.py", 1),
        ("AL002", "app/services/dangling.py", 1),
        ("AL004", "app/services/huge.py", 1),
        ("AL003", "app/services/latin.py", 1),
        ("AL002", "app/services/loop.py", 1),
        ("AL001", "app/services/syntax.py", 1),
    ]
    assert result.stats["files"] == 12
    assert result.stats["skipped"] == 5  # binary, dangling, loop, huge, minified
    assert result.stats["parsed"] == 7


def test_result_cache_reuses_findings_only_for_an_identical_tree(tmp_path):
    repo = make_repo(tmp_path / "repo", {**REPO, "app/repositories/users.py": "from app.services.users import get\n"})
    cache_dir = tmp_path / "cache"
    first = run(repo, cache_dir, reuse_results=True)
    second = run(repo, cache_dir, reuse_results=True)
    assert first.context is not None and second.context is None  # served from the result cache
    assert [f.to_dict() for f in second.findings] == [f.to_dict() for f in first.findings]
    (repo / "app/repositories/users.py").write_text("def load(): return 1\n")  # the violation is fixed
    third = run(repo, cache_dir, reuse_results=True)
    assert third.context is not None and third.findings == []
    (repo / "archlint.toml").write_text("fail_on = 'error'\n")  # a config change also recomputes
    assert run(repo, cache_dir, reuse_results=True).context is not None
    assert run(repo, cache_dir, reuse_results=False).context is not None  # verify/graph never reuse results


DEEP = {
    "requirements.txt": "sqlalchemy\n",
    "app/db.py": "import sqlalchemy\n\nengine = sqlalchemy.create_engine('sqlite:///x.db')\n\n\n"
                 "def rows(user_id):\n    return engine.execute(user_id)\n",
}


def test_the_pack_holds_heads_in_its_pickle_and_bodies_as_blobs_after_it(tmp_path):
    """Issue 11 (peak RSS): the pack's one pickle holds the heads only, so its memo never holds the
    bodies and IR, which follow it one blob at a time; a warm run reads them back as the cold run
    extracted them, left pickled until first read."""
    repo = make_repo(tmp_path / "repo", DEEP)
    cold = run(repo, tmp_path / "cache")
    facts = cold.context.files["app/db.py"]
    assert facts.read_parts == (True, True)
    cache = FactsCache(str(tmp_path / "cache"), str(repo))
    with open(cache.path, "rb") as handle:
        header = pickle.load(handle)
        heads = pickle.load(handle)  # the first chunk of heads (one here), then its blobs
        assert handle.read()  # the blobs follow the heads
    assert "entries" not in header and header["heads"] == len(heads) == len(cache.entries)
    assert all(type(state) is tuple and not any(isinstance(part, (bytes, FileFacts)) for part in state)
               for _digest, state in heads)
    entry = cache.entries[facts.content_hash]
    assert entry._blob is not None and entry._ir_blob is not None and entry.read_parts == (False, False)
    assert entry.body == facts.body and entry.ir == facts.ir


def test_a_pooled_cold_run_saves_from_the_spool_what_a_serial_one_pickles(tmp_path, monkeypatch):
    """Issue 11 (peak RSS): with a cache, the pool's workers spool the deep files' blobs instead of
    sending them, and the save copies them from there; the pack holds what a serial run's holds,
    the spool is gone after the run, and a warm run hits."""
    from archlint.application import parsing

    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        import pytest

        pytest.skip("one CPU or no fork: no pool")
    files = dict(DEEP)
    for index in range(8):
        files[f"app/repo{index}.py"] = (f"from app.db import engine\n\n\ndef load{index}(user_id):\n"
                                        f"    for row in engine.execute('SELECT * FROM t{index} WHERE id = ' + user_id):\n"
                                        f"        engine.execute(row)\n")
    repo = make_repo(tmp_path / "repo", files)
    monkeypatch.setattr(parsing, "PARALLEL_THRESHOLD_FILES", 1)
    serial = run(repo, tmp_path / "serial", jobs=1)
    pooled = run(repo, tmp_path / "pooled", jobs=2)
    assert [f.to_dict() for f in pooled.findings] == [f.to_dict() for f in serial.findings]
    assert not [p for p in (tmp_path / "pooled").rglob("*") if p.name.startswith("spool-")]
    from archlint.domain.facts import SpooledBlob

    assert any(type(facts._blob) is SpooledBlob for facts in pooled.context.files.values())  # the pool spooled

    def entries(directory):
        cache = FactsCache(str(tmp_path / directory), str(repo))
        return {digest: (facts.head_state(), facts.body if facts._blob else None, facts.ir if facts._ir_blob else None)
                for digest, facts in cache.entries.items()}

    assert entries("pooled") == entries("serial")
    assert any(body for _head, body, _ir in entries("pooled").values())
    warm = run(repo, tmp_path / "pooled", jobs=2)
    assert warm.cache_hits == len(files) - 1
    assert [f.to_dict() for f in warm.findings] == [f.to_dict() for f in serial.findings]


def test_a_pack_of_many_chunks_reads_back_every_entry(tmp_path, monkeypatch):
    """The heads are pickled a chunk at a time (a pickle's memo holds all it wrote until it is
    done), each chunk followed by its entries' blobs; a warm run reads every chunk back."""
    from archlint.adapters import cache as cache_module

    monkeypatch.setattr(cache_module, "HEADS_PER_CHUNK", 2)
    files = {**DEEP, **{f"app/m{index}.py": f"import app.db\nX = {index}\n" for index in range(5)}}
    repo = make_repo(tmp_path / "repo", files)
    cold = run(repo, tmp_path / "cache")
    warm = run(repo, tmp_path / "cache", reuse_results=False)
    assert warm.cache_hits == 6 and [f.to_dict() for f in warm.findings] == [f.to_dict() for f in cold.findings]
    entries = FactsCache(str(tmp_path / "cache"), str(repo)).entries
    assert len(entries) == 6
    db = cold.context.files["app/db.py"]
    assert entries[db.content_hash].body == db.body and entries[db.content_hash].ir == db.ir


def test_a_truncated_pack_is_ignored(tmp_path):
    repo = make_repo(tmp_path / "repo", DEEP)
    run(repo, tmp_path / "cache")
    path = FactsCache(str(tmp_path / "cache"), str(repo)).path
    with open(path, "rb") as handle:
        data = handle.read()
    with open(path, "wb") as handle:
        handle.write(data[:-10])
    assert FactsCache(str(tmp_path / "cache"), str(repo)).entries == {}
    assert run(repo, tmp_path / "cache").cache_hits == 0
