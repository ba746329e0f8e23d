"""Baselines: accept today's findings, fail only on new ones, and let the list only shrink.

A finding is identified by a fingerprint that survives edits elsewhere in the file: a hash of
its rule, path, message (digits masked, since messages may quote line numbers) and the
stripped text of its source line — never the line number itself — plus an occurrence index
that tells identical findings apart.  The baseline file is sorted JSON without timestamps, so
writing it twice on the same tree gives the same bytes and a review diff shows only real
changes.  ``--write-baseline`` together with ``--baseline`` keeps only the entries that are
still found: new findings are never added that way, so the file can only shrink.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass

from archlint.application.suppressions import SourceText
from archlint.domain.config import ConfigError
from archlint.domain.findings import Finding

FORMAT_VERSION = 1
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class BaselineResult:
    """Findings after a baseline is applied, and the baseline's bookkeeping."""
    findings: list[Finding]  # the new findings: not in the baseline
    fingerprints: list[str]  # theirs, in the same order
    fixed: list[dict]  # baseline entries no longer found
    suppressed: int  # findings hidden because the baseline lists them


def apply_baseline(findings: list[Finding], prints: list[str], baseline_path: str | None, write_path: str | None,
                   also: list[frozenset] | None = None) -> BaselineResult:
    """``--baseline`` / ``--write-baseline``: compare with the baseline file (or, when only
    writing, with today's findings, which are then all known) and write the new file.  ``also``:
    each finding's :func:`aliases`."""
    rows = load(baseline_path) if baseline_path else entries(findings, prints)
    if write_path:
        write(write_path, shrink(rows, prints, findings, also) if baseline_path else rows)
    return compare(findings, prints, rows, also)


def fingerprints(findings: list[Finding], root: str) -> list[str]:
    """One fingerprint per finding, in the findings' (report) order.  A finding that names a changing
    list (AL601's one finding for the views that share a per-row query) gives its identity in its
    data (``("identity", text)``), which stands for the message."""
    source = SourceText(root)
    seen: Counter[str] = Counter()
    result = []
    for finding in findings:
        code = _SPACE.sub(" ", source.line(finding.path, finding.line).strip())
        message = _DIGITS.sub("#", finding.datum("identity", finding.message))
        digest = hashlib.sha256("\0".join((finding.rule, finding.path, message, code)).encode()).hexdigest()[:20]
        result.append(f"{digest}-{seen[digest]}")
        seen[digest] += 1
    return result


def aliases(findings: list[Finding], root: str) -> list[frozenset]:
    """Per finding, the fingerprints it also answers to: a finding that stands for several findings
    reported before (``("merged", findings)`` in its data — the views reaching one shared per-row query,
    once reported one by one) is known to a baseline that lists any of them."""
    return [frozenset(fingerprints(list(finding.members), root)) if finding.members else frozenset()
            for finding in findings]


def entries(findings: list[Finding], prints: list[str]) -> list[dict]:
    """Baseline entries for ``findings``, sorted so the file is deterministic."""
    rows = [
        {"fingerprint": fp, "rule": f.rule, "name": f.name, "path": f.path, "message": f.message}
        for f, fp in zip(findings, prints)
    ]
    return sorted(rows, key=lambda row: (row["path"], row["rule"], row["message"], row["fingerprint"]))


def render(rows: list[dict]) -> str:
    document = {
        "archlint_baseline": FORMAT_VERSION,
        "about": "Findings accepted when this file was written; `archlint check --baseline FILE` reports only "
        "findings not listed here. Regenerate with --baseline FILE --write-baseline FILE to drop fixed ones.",
        "findings": rows,
    }
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def load(path: str) -> list[dict]:
    """The entries of a baseline file; a missing or malformed file is a config error (exit 2)."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError(f"baseline file not found: {path} (create it with --write-baseline {path})") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read baseline {path}: {exc}") from exc
    valid = (
        isinstance(document, dict)
        and document.get("archlint_baseline") == FORMAT_VERSION
        and isinstance(document.get("findings"), list)
        and all(isinstance(row, dict) and isinstance(row.get("fingerprint"), str) for row in document["findings"])
    )
    if not valid:
        raise ConfigError(f"{path} is not an archlint baseline (version {FORMAT_VERSION})")
    return document["findings"]


def compare(findings: list[Finding], prints: list[str], baseline: list[dict], also: list[frozenset] | None = None) -> BaselineResult:
    """Split ``findings`` into new ones and known ones; list the baseline entries now fixed.  A finding
    is known by its fingerprint or by one of its aliases (``also``: a baseline written when the views
    sharing one per-row query were reported one by one still accepts the one finding for them, and its
    entries for those views are not fixed)."""
    also = also or [frozenset()] * len(findings)
    known = {row["fingerprint"] for row in baseline}
    current = set(prints).union(*also) if also else set(prints)
    new = [(finding, fp) for finding, fp, alias in zip(findings, prints, also) if fp not in known and not alias & known]
    fixed = [row for row in baseline if row["fingerprint"] not in current]
    return BaselineResult(
        findings=[finding for finding, _fp in new],
        fingerprints=[fp for _finding, fp in new],
        fixed=fixed,
        suppressed=len(findings) - len(new),
    )


def shrink(baseline: list[dict], prints: list[str], findings: list[Finding] | None = None,
           also: list[frozenset] | None = None) -> list[dict]:
    """The baseline without its fixed entries (never with new ones), sorted like :func:`entries`.  The
    entries a finding answers to by its aliases are replaced by that finding's own entry, so the file
    moves to today's fingerprints without losing what it accepted."""
    current = set(prints)
    kept = [row for row in baseline if row["fingerprint"] in current]
    if findings and also:
        known = {row["fingerprint"] for row in baseline}
        renamed = {fp for fp, alias in zip(prints, also) if fp not in known and alias & known}
        kept += [row for row in entries(findings, prints) if row["fingerprint"] in renamed]
    return sorted(kept, key=lambda row: (row.get("path", ""), row.get("rule", ""), row.get("message", ""), row["fingerprint"]))


def write(path: str, rows: list[dict]) -> None:
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(render(rows))
    except OSError as exc:
        raise ConfigError(f"cannot write baseline {path}: {exc.strerror}") from exc
