"""BLAKE2b, the one hash archlint keys its caches with.

``hashlib`` also loads OpenSSL's ``_hashlib`` (~2.5 ms of every start, a fiftieth of a warm
run); BLAKE2 is CPython's own ``_blake2`` module, which hashlib itself wraps.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter without CPython's _blake2
    from hashlib import blake2b

__all__ = ["blake2b"]
