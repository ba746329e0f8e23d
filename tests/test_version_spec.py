"""Manifest version specifiers (PEP 440 and npm ranges): which major versions a declaration can install."""

from __future__ import annotations

import pytest

from archlint.domain.version_spec import alternatives, highest_major, lowest_major, newest_lowest_major


@pytest.mark.parametrize("spec, low, high", [
    ("==1.4.54", 1, 1),  # SQLAlchemy pinned to the 1.x API
    ("<=1.4", None, 1),
    ("~=1.3", 1, 1),
    (">=1.3,<2", 1, 1),
    (">=1.3, <2.0.0", 1, 1),
    ("<2", None, 1),
    ("<4.2", None, 4),  # 4.1 installs: the bound is not a major one
    (">=4", 4, None),  # unbounded: the newest major installs
    (">4", 4, None),  # 4.0.1 is above 4
    ("^4.26.2", 4, 4),
    ("~5.0.0", 5, 5),
    ("4.x", 4, 4),
    ("4.18.2", 4, 4),
    ("v4.1.0", 4, 4),
    ("1.2.3 - 2.3.4", 1, 2),
    ("^4.18 || ^5.0.0", 4, 5),
    ("*", None, None),
    ("latest", None, None),
    ("", None, None),
    (">=2.0; python_version >= '3.8'", 2, None),  # the marker's version is no bound of the package
])
def test_lowest_and_highest_major(spec, low, high):
    assert lowest_major(spec) == low
    assert highest_major(spec) == high


def test_the_newest_alternative_decides_what_a_fresh_install_gets():
    assert newest_lowest_major("^4.18.2 || ^5") == 5
    assert newest_lowest_major("^4.18.2") == 4
    assert newest_lowest_major("latest") is None


def test_an_npm_range_is_clauses_that_all_hold():
    (clauses,) = alternatives(">=4.1.0 <5")
    assert [(c.op, c.major, c.minor) for c in clauses] == [(">=", 4, 1), ("<", 5, None)]
