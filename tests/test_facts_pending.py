"""``FileFacts.attach_pending``: a record whose body and IR are being made elsewhere (the pool's deferred
deep pass, ``parsing.Pending``) runs the given ``settle`` once, before its body or IR is first read or
asked for; the record itself knows nothing of pools or promises (tests/test_deferred_deep.py runs the
real pool)."""

from __future__ import annotations

import pytest

from archlint.domain.facts import FileBody, FileFacts


def test_a_pending_record_settles_once_before_its_body_or_ir_is_read():
    head = FileFacts("src/a.ts", "typescript", "hash")
    full = FileFacts("src/a.ts", "typescript", "hash", body=FileBody())
    full.set_ir(None)
    settled = []

    def settle():
        settled.append(True)
        head.adopt(full)

    head.attach_loader(lambda: pytest.fail("the synchronous loader is dropped"))
    head.attach_ir_loader(lambda: pytest.fail("the synchronous IR loader is dropped"))
    head.attach_pending(settle)
    assert not settled  # nothing waits before a reader asks
    assert head.has_body and settled == [True]
    assert head.body is full.body and head.has_ir and head.ir is None
    assert settled == [True]


def test_a_pending_record_whose_settling_brings_nothing_reads_empty():
    head = FileFacts("src/a.ts", "typescript", "hash")
    head.attach_pending(lambda: None)  # the file could not be read again: no facts arrive
    assert not head.has_body and not head.has_ir
    assert head.body == FileBody() and head.ir is None
