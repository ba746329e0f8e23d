"""Opt-in: the cheap scanner agrees with the tree-sitter frontend on whole real trees.

Set ``ARCHLINT_EQUIVALENCE_TREES`` to directories (``os.pathsep``-separated) — e.g. the Django and
SQLAlchemy wheels and the saleor-sized tree that ``bench/run.py`` unpacks — and every ``.py`` file
in them is compared; without it the test is skipped (the unit suite never needs the network).
Measured so far: 0 differences on Django 5.2, SQLAlchemy 2.1, wagtail 8, netbox 4.7, saleor 2.10.1,
mayan-edms, pretix and weblate (see ``bench/scanner_equivalence.py``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

TREES = [Path(p) for p in os.environ.get("ARCHLINT_EQUIVALENCE_TREES", "").split(os.pathsep) if p]


@pytest.mark.skipif(not TREES, reason="set ARCHLINT_EQUIVALENCE_TREES to real trees to compare")
@pytest.mark.parametrize("tree", TREES, ids=[p.name for p in TREES])
def test_scanner_yields_the_frontends_imports_on_a_real_tree(tree):
    from scanner_equivalence import compare_tree

    assert tree.is_dir(), tree
    files, _deferred, differences = compare_tree(tree)
    assert files > 0
    assert differences == []
