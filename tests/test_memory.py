"""What a check keeps in memory while the cyclic collector is paused (issue 11: peak RSS).

The pipeline pauses the collector for the whole run, so anything that forms a reference cycle lives
to the end unless its cycle is broken: these tests pin the three places where that mattered.
"""

from __future__ import annotations

import gc
import os
import pickle
import time

from archlint.adapters.frontends.python import extract
from archlint.application.pipeline import Options, run_check
from archlint.domain.facts import FileFacts
from helpers import make_repo

SOURCE = b"import sqlalchemy\n\nengine = sqlalchemy.create_engine('sqlite:///x.db')\n\n\ndef rows(user_id):\n    return engine.execute(user_id)\n"


def test_lowering_leaves_no_lowerer_alive_with_the_collector_paused():
    enabled = gc.isenabled()
    gc.disable()
    try:
        facts = extract("app/db.py", SOURCE, full=True, ir=True)
        assert facts.ir is not None
        assert not [o for o in gc.get_objects() if type(o).__name__ == "_Lowerer"]  # its bytes and text went with it
    finally:
        if enabled:
            gc.enable()


def test_a_run_without_a_cache_drops_blobs_once_read_and_still_pickles():
    facts = extract("app/db.py", SOURCE, full=True, ir=True)
    copy = pickle.loads(pickle.dumps(facts))  # what a worker of the pool sends back: body and IR as blobs
    copy.keep_blobs = False
    assert copy.body == facts.body and copy.ir == facts.ir
    assert copy._blob is None and copy._ir_blob is None
    again = pickle.loads(pickle.dumps(copy))  # pickled anew from the records
    assert again.body == facts.body and again.ir == facts.ir
    kept = pickle.loads(pickle.dumps(facts))
    assert kept.body == facts.body and kept._blob is not None  # a cache saves the blob as is


def test_lifting_leaves_the_collector_as_the_pipeline_set_it(tmp_path):
    root = make_repo(tmp_path, {
        "app/models.py": "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\nclass User(Base):\n    __tablename__ = 'users'\n    id: Mapped[int] = mapped_column(primary_key=True)\n    name: Mapped[str]\n",
        "app/repo.py": "from sqlalchemy import select\nfrom sqlalchemy.orm import Session\nfrom app.models import User\n\n\ndef page(session: Session, n: int):\n    return session.scalars(select(User).limit(n).offset(n)).all()\n",
    })
    enabled = gc.isenabled()
    report = run_check([str(root)], Options(use_cache=False))
    assert "AL409" in {f.rule for f in report.findings}  # the lifted query was judged
    assert gc.isenabled() == enabled and gc.get_freeze_count() == 0


def test_repeated_texts_and_empty_name_sets_are_shared_not_copied():
    """Functions with no ``global`` share one empty set, short texts (names, callees, flags) are
    interned, and equal value-tag sets are one object: copies of them were held for the whole run."""
    from archlint.domain import ir
    from archlint.semantics import values as v

    first = extract("app/a.py", b"def view(request):\n    return request.user\n", full=True, ir=True)
    second = extract("app/b.py", b"def other(request):\n    request.save()\n", full=True, ir=True)
    functions = [f for f in first.ir.functions + second.ir.functions if f is not None]
    assert all(f.globals is ir.NO_NAMES for f in functions)
    one = next(p.name for p in first.ir.functions[1].params)
    two = next(p.name for p in second.ir.functions[1].params)
    assert one == two == "request" and one is two
    tagged = [v.tag(v.Instance("app/a.py", 1), frozenset({"elem:" + str(n)})) for n in ("1", "1")]
    assert tagged[0].tags is tagged[1].tags


def test_releasing_freed_memory_without_a_pool_does_nothing():
    from archlint.application.parsing import Workers

    with Workers(1) as workers:
        workers.release()  # a serial run frees no pickled blobs: no call into the C library
        assert workers.pool is None


def test_a_worker_without_a_cache_sends_body_and_ir_as_one_stream_sharing_positions():
    """A pool worker's facts for a run without a cache travel as records, not as two blobs: the
    spans a body shares with its IR (one parse, one object per range) arrive as one object each."""
    from archlint.application.parsing import FULL, _work
    from archlint.domain.facts import Span

    def spans(value, found, seen):
        if type(value) is Span:
            found[id(value)] = value
        elif isinstance(value, (tuple, list)) and id(value) not in seen:
            seen.add(id(value))
            for item in value:
                spans(item, found, seen)
        return found

    def sent(path, keep_blobs):
        (_, facts), = pickle.loads(pickle.dumps(_work([(FULL, str(path), "app/db.py", "python")], keep_blobs)))
        body = spans([getattr(facts.body, n) for n in ("calls", "assigns", "functions")], {}, set())
        module = spans(facts.ir, {}, set())
        return facts, body, module

    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "db.py"
        path.write_bytes(SOURCE)
        facts, body, module = sent(path, False)
        assert facts._blob is None and facts._ir_blob is None and not facts.keep_blobs
        assert body and set(body) <= set(module)  # every span of the body is an object of the IR
        kept, body, module = sent(path, True)  # a cache saves the blobs: two pickles, two copies
        assert kept._blob is not None and kept._ir_blob is not None
        assert not set(body) & set(module)
        assert kept.body == facts.body and kept.ir == facts.ir


def test_analyses_of_record_and_summaries_keep_no_empty_containers_of_their_own(tmp_path):
    """Once every analysis of record ran, its lists of sites/calls/… are tuples (an empty one the shared
    empty tuple) and an empty owned set one shared frozenset; a summary that exited no session block shares one empty
    set.  What an analysis found stays as found, and the call records are still found by position."""
    from archlint.application.semantic_model import build_program
    from archlint.domain.context import CheckContext

    root = make_repo(tmp_path, {
        "app/db.py": SOURCE.decode() + "\n\ndef helper(n):\n    return n + 1\n\n\ndef total(user_id):\n    return helper(rows(user_id))\n",
    })
    report = run_check([str(root)], Options(use_cache=False))
    context: CheckContext = report.context
    program = context.program if context.program is not None else build_program(context)
    analyses = {a.function.name: a for a in program.analyses() if a.fid}
    empty = analyses["helper"]
    assert empty.sites == () and empty.calls == () and empty.owned == frozenset()
    assert analyses["total"].owned is empty.owned  # one shared empty set, not one per analysis
    # found calls stay as found, as a tuple: no list header and spare slots of their own (s55-rss)
    assert type(analyses["rows"].calls) is tuple and analyses["rows"].calls
    record = analyses["rows"].calls[0]
    assert program.call_record("app/db.py", record.node.span) is record
    assert program.call_record("app/other.py", record.node.span) is None
    exits = [s.exited for s in program.summaries.values()] + [a.summary.exited for a in analyses.values()]
    assert exits and all(e is exits[0] for e in exits if not e)


def test_equal_tag_sets_of_effects_are_one_object(tmp_path):
    """An effect's tags, dependencies and handle are sets built anew at every statement and at every
    caller it is copied into; equal ones (most often the empty set, 216 bytes each) are one object."""
    from archlint.application.semantic_model import build_program

    root = make_repo(tmp_path, {
        "app/db.py": SOURCE.decode() + "\n\ndef total(user_id):\n    return rows(user_id)\n\n\ndef twice(user_id):\n"
                     "    rows(user_id)\n    return total(user_id)\n",
    })
    report = run_check([str(root)], Options(use_cache=False))
    context = report.context
    program = context.program if context.program is not None else build_program(context)
    effects = [e for a in program.analyses() for e in a.effects] + [e for s in program.summaries.values() for e in s.effects]
    sets = [s for e in effects for s in (e.tags, e.deps, e.handle)]
    assert len(effects) >= 2 and sum(1 for found in sets if not found) >= 2
    first: dict = {}
    for found in sets:
        assert first.setdefault(found, found) is found  # an equal set seen before is that same object


def test_spans_are_one_packed_int_that_reads_back_as_the_range():
    """Every IR node and body record holds a span: one int of four 32-bit fields, not a 4-tuple
    (80 bytes, plus an int object per line number above 256: 63 MiB of the saleor-sized tree).
    It still reads, unpacks, orders, pickles and prints as the range it stands for."""
    import sys

    from archlint.domain import ir
    from archlint.domain.facts import Span

    facts = extract("app/db.py", SOURCE, full=True, ir=True)
    nodes = [n for f in facts.ir.functions if f is not None for n in ir.iter_nodes(f.body)] + list(ir.iter_nodes(facts.ir.module.body))
    spans = [n.span for n in nodes if hasattr(n, "span")] + [c.span for c in facts.calls]
    assert spans and all(type(s) is Span and not isinstance(s, tuple) for s in spans)
    call = next(c for c in facts.calls if c.callee == "engine.execute")
    assert tuple(call.span) == (7, 12, 7, 35) and call.span.line == 7 and call.span.end_column == 35
    assert next(n for n in nodes if type(n) is ir.Call and n.span.line == 7).span is call.span  # one object per range

    far = Span(70_000, 5_000_000, 70_001, 1)
    line, column, end_line, end_column = far
    assert (line, column, end_line, end_column) == (far.line, far.column, far.end_line, far.end_column) == (70_000, 5_000_000, 70_001, 1)
    assert type(far.line) is int and far[1] == 5_000_000 and far._replace(end_column=9) == Span(70_000, 5_000_000, 70_001, 9)
    ranges = [(2, 1, 2, 1), (1, 9, 9, 9), (1, 9, 3, 70_000), (1, 10, 1, 1)]
    assert [tuple(s) for s in sorted(Span(*r) for r in ranges)] == sorted(ranges)  # the tuples' order
    copy = pickle.loads(pickle.dumps(far))
    assert type(copy) is Span and copy == far and repr(copy) == "Span(line=70000, column=5000000, end_line=70001, end_column=1)"
    assert bool(Span(0, 0, 0, 0)) and sys.getsizeof(far) < sys.getsizeof(tuple(far))
    try:
        Span(1, -1, 1, 1)
    except ValueError:
        pass
    else:
        raise AssertionError("a field outside 0..2**32-1 would corrupt its neighbours")


def test_callee_segments_cached_for_the_run_share_equal_pairs():
    """The split callees are cached for the whole run; a ``("self", False)`` pair per callee was
    held once per distinct callee text, now once."""
    from archlint.domain.datalayer import segments

    first, second = segments("self.session.query().filter"), segments("self.session.add")
    assert first == [("self", False), ("session", False), ("query", True), ("filter", False)]
    assert second == [("self", False), ("session", False), ("add", False)]
    assert first[0] is second[0] and first[1] is second[1]


def test_line_numbers_of_call_arguments_are_one_int_per_line_across_files():
    """Issue 11: a call's ``args_line`` above 256 is the process's one int object for that line
    number (``source.line_numbers``), not a copy per file."""
    from archlint.adapters.frontends.javascript import extract as js_extract

    padding = b"\n" * 300
    first = extract("app/a.py", padding + b"def f(request):\n    request.save(1)\n", full=True)
    second = extract("app/b.py", padding + b"def g(request):\n    request.save(2)\n", full=True)
    script = js_extract("app/c.ts", padding + b"export function h(r) {\n  r.save(3);\n}\n", "typescript", full=True)
    lines = [next(call for call in facts.calls if call.callee.endswith("save")).args_line
             for facts in (first, second, script)]
    assert lines == [302, 302, 302]
    assert lines[0] is lines[1] is lines[2]


def test_a_worker_with_a_cache_spools_the_blobs_and_sends_records_sharing_positions(tmp_path):
    """With a cache and a spool directory, a pool worker writes a deep file's body and IR blobs to
    its spool file and sends the records as one stream (as without a cache), with where the blobs
    are: the caller holds no pickled copy, and the cache's save writes the same blobs from there.
    Once the spool is gone, the save pickles the records again (nothing is lost)."""
    from archlint.adapters.cache import read_spooled
    from archlint.application.parsing import BODY, FULL, _work
    from archlint.domain.facts import SpooledBlob

    path = tmp_path / "db.py"
    path.write_bytes(SOURCE)
    spool = tmp_path / "spool"
    spool.mkdir()
    (_, facts), (_, body_only) = pickle.loads(pickle.dumps(
        _work([(FULL, str(path), "app/db.py", "python"), (BODY, str(path), "app/db_test.py", "python")], True, str(spool))))
    assert type(facts._blob) is SpooledBlob and type(facts._ir_blob) is SpooledBlob and facts.keep_blobs
    assert type(body_only._blob) is SpooledBlob and body_only._ir_blob is None and body_only._ir is None
    assert facts.read_parts == (True, True)  # records, not blobs waiting to be unpickled
    assert {id(call.span) for call in facts.body.calls} <= {id(span) for span in _spans_of(facts.ir)}  # one object each
    expected = extract("app/db.py", SOURCE, full=True, ir=True)
    assert facts.body == expected.body and facts.ir == expected.ir
    _state, body, ir = facts.packed(read_spooled)
    assert pickle.loads(body) == expected.body and pickle.loads(ir) == expected.ir
    assert body == read_spooled(facts._blob) and len(list(spool.iterdir())) == 1  # one spool file per worker
    for spooled in spool.iterdir():
        spooled.unlink()
    _state, body, ir = facts.packed(read_spooled)  # the spool removed: pickled from the records
    assert pickle.loads(body) == expected.body and pickle.loads(ir) == expected.ir


def _spans_of(value, seen=None):
    from archlint.domain.facts import Span

    seen = set() if seen is None else seen
    if type(value) is Span:
        yield value
    elif isinstance(value, (tuple, list)) and id(value) not in seen:
        seen.add(id(value))
        for item in value:
            yield from _spans_of(item, seen)


def test_an_unwritable_spool_sends_the_blobs_in_the_pickle(tmp_path):
    from archlint.application.parsing import FULL, _work

    path = tmp_path / "db.py"
    path.write_bytes(SOURCE)
    (_, facts), = pickle.loads(pickle.dumps(_work([(FULL, str(path), "app/db.py", "python")], True, str(tmp_path / "missing"))))
    assert type(facts._blob) is bytes and type(facts._ir_blob) is bytes
    assert facts.body == extract("app/db.py", SOURCE, full=True, ir=True).body


def test_the_spool_directory_is_made_in_the_cache_and_removed_with_the_workers(tmp_path):
    from archlint.application.parsing import Workers

    with Workers(2, keep_blobs=True, spool_in=str(tmp_path / "packs")) as workers:
        directory = workers._spool_directory()
        assert directory is not None and directory.startswith(str(tmp_path / "packs"))
    assert not (tmp_path / "packs").exists() or not list((tmp_path / "packs").iterdir())
    assert Workers(2, keep_blobs=False, spool_in=str(tmp_path))._spool_directory() is None  # no cache: nothing saved


def test_a_killed_runs_spool_is_removed_by_the_next_pool_a_day_later(tmp_path):
    """A run killed before its pool shut down leaves `spool-*` behind: the next pool removes the ones a day
    old and keeps a fresh one (another run sharing the cache may be writing it) and anything else there."""
    from archlint.application.parsing import STALE_SPOOL_SECONDS, Workers

    packs = tmp_path / "packs"
    old, fresh, other = packs / "spool-killed", packs / "spool-running", packs / "entries"
    for directory in (old, fresh, other):
        directory.mkdir(parents=True)
        (directory / "blob").write_bytes(b"x")
    long_ago = time.time() - STALE_SPOOL_SECONDS - 60
    os.utime(old, (long_ago, long_ago))
    os.utime(other, (long_ago, long_ago))
    with Workers(2, keep_blobs=True, spool_in=str(packs)) as workers:
        workers._spool_directory()
        assert not old.exists() and fresh.exists() and other.exists()


def test_a_plain_check_frees_the_semantic_model_before_the_cache_is_saved(tmp_path):
    """``keep_model=False`` (the ``check`` command, ``archlint.check``): the model and its data layer
    are gone by the time the cache is written — freed, with the collector paused; nothing rebuilds them — and the
    findings are the ones a run that keeps them reports.  By default (``verify``, the fixers) they stay."""
    import weakref

    from archlint.application import pipeline

    root = make_repo(tmp_path, {"app/db.py": SOURCE.decode(), "app/views.py": "from app.db import rows\n\n\ndef show(u):\n    return rows(u)\n"})
    at_save: list = []
    saving = pipeline._save_cache
    programs: list = []

    def spy(run, key, findings):
        at_save.append(len(programs) and programs[-1]())
        return saving(run, key, findings)

    building = pipeline._semantic_model().build_program

    def built(context):
        program = building(context)
        programs.append(weakref.ref(program))
        return program

    pipeline._save_cache, pipeline._semantic_model().build_program = spy, built
    try:
        kept = run_check([str(root)], Options(cache_dir=str(tmp_path / "c1")))
        freed = run_check([str(root)], Options(cache_dir=str(tmp_path / "c2"), keep_model=False))
    finally:
        pipeline._save_cache, pipeline._semantic_model().build_program = saving, building
    assert [f.to_dict() for f in kept.findings] == [f.to_dict() for f in freed.findings]
    assert kept.context.program is not None and at_save[0] is kept.context.program
    assert freed.context.program is None and freed.context._datalayer is None
    assert len(programs) == 2 and at_save[1] is None  # freed by reference counting, the collector paused
