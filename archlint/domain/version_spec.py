"""Version specifiers of manifests — PEP 440 (``SQLAlchemy>=1.3,<2``) and npm ranges
(``^4.18.2 || ^5``, ``4.x``, ``1.2.3 - 2.0.0``) — parsed once into clauses.

A specifier is a config string, not code, so there is no IR for it; this module is its one reader.
Checks ask it a typed question — which major versions can the declaration install — instead of
each matching the text its own way (AL706 bcrypt 5, AL802 Fastify 5's DELETE bodies, Express 5's
async errors, SQLAlchemy 1.x's legacy API).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# An operator and a version whose parts may be wildcards (`4.x`, `1.*`); pre-release and build tags are ignored.
_CLAUSE = re.compile(r"(===|==|~=|!=|>=|<=|>|<|\^|~|=)?\s*v?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?")


@dataclass(frozen=True, slots=True)
class Clause:
    """One comparison of a specifier: ``>=4.1`` is ``Clause(">=", 4, 1, None)``."""
    op: str  # "" for a bare version (npm: exactly it, or the range a wildcard leaves open)
    major: int
    minor: int | None  # None: absent or a wildcard
    patch: int | None


def alternatives(spec: str) -> tuple[tuple[Clause, ...], ...]:
    """The ``||`` alternatives of ``spec``, each the clauses that must all hold (PEP 440 separates
    them with commas, npm with spaces; an npm hyphen range is ``>=`` and ``<=``).  A specifier with
    no version in it (``*``, ``latest``, a git URL without one) has no alternative."""
    found = []
    for part in spec.split("||"):
        part = part.split(";", 1)[0]  # a PEP 508 environment marker
        low, dash, high = part.partition(" - ")
        text = f">={low} <={high}" if dash else part
        clauses = tuple(Clause(op or "", int(major), _part(minor), _part(patch))
                        for op, major, minor, patch in _CLAUSE.findall(text))
        if clauses:
            found.append(clauses)
    return tuple(found)


def _part(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def lowest_major(spec: str) -> int | None:
    """The lowest major version the specifier admits; ``None`` when it sets no lower bound."""
    lows = [_low(clauses) for clauses in alternatives(spec)]
    return None if not lows or None in lows else min(lows)


def highest_major(spec: str) -> int | None:
    """The highest major version the specifier admits (``<5`` → 4, ``<4.2`` → 4, ``^4.1`` → 4,
    ``~=1.4`` → 1); ``None`` when it sets no upper bound (``>=4``, ``*``)."""
    highs = [_high(clauses) for clauses in alternatives(spec)]
    return None if not highs or None in highs else max(highs)


def newest_lowest_major(spec: str) -> int | None:
    """The lowest major of the last ``||`` alternative — the newest line a range written oldest
    first (``^4.18 || ^5``) names: what a fresh install resolves to when both are published."""
    found = alternatives(spec)
    return _low(found[-1]) if found else None


def _low(clauses: tuple[Clause, ...]) -> int | None:
    bounds = [c.major for c in clauses if c.op in ("", "=", "==", "===", "~=", ">=", ">", "^", "~")]  # >4 admits 4.0.1
    return max(bounds) if bounds else None


def _high(clauses: tuple[Clause, ...]) -> int | None:
    bounds = [c.major for c in clauses if c.op in ("", "=", "==", "===", "<=", "^", "~")]
    bounds += [c.major for c in clauses if c.op == "~=" and c.minor is not None]  # ~=1.4 is >=1.4, ==1.*
    bounds += [c.major - 1 if not c.minor and not c.patch else c.major for c in clauses if c.op == "<"]
    return min(bounds) if bounds else None
