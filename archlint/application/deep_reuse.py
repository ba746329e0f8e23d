"""Reusing the deep families' findings when nothing they read has changed.

The deep families (data layer, semantic model, SQL: every family with ``bodies``) are
whole-program, but what they *read* is known once they ran: the heads of every file (imports,
signals, suppressions: the graph and the plan come from them), and the body, IR or bytes of the
files the plan named, the interpreter reached or a check asked for.  The last run's findings per
family are kept with that read set — each read file's content hash — and a digest of everything
else they depend on (archlint's code and data, the config, discovery's problems, the manifests, the
API contract, every head).  A later run whose inputs match reuses them: the computation is
deterministic, so the same inputs make it read the same files and find the same things.  Editing
a file none of them read (a utility module outside the data layer) then costs the cheap pass
only; editing one they read (a model, a helper a loop calls, a route) redoes the deep pass whole.

A head is compared without its content hash, line count, syntax verdict and AL001 problems:
those change with any edit, and only the parse family (always run) reads them.
"""

from __future__ import annotations

import hashlib
import pickle

from archlint.domain.facts import FileFacts

_VERSION = 1


def base_key(code_fingerprint: str, root: str, config, found, spec, manifests: bytes) -> str:
    """Everything but the files: archlint's code and data, root, config, discovery's problems,
    the API contract and the manifests' bytes (the same parts as the whole-result key)."""
    digest = hashlib.blake2b(digest_size=16)
    parts = (str(_VERSION), code_fingerprint, root, repr(config), repr(found.problems), spec.digest if spec is not None else "")
    for part in parts:
        digest.update(part.encode() + b"\0")
    digest.update(manifests)
    return digest.hexdigest()


def heads_digest(files: dict[str, FileFacts]) -> str:
    """Every file's head as the deep families see it (see the module docstring for what is left out)."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(files):
        facts = files[path]
        problems = [p for p in facts.problems if p.rule != "AL001"]
        head = (path, facts.language, facts.imports, problems, facts.suppressions, facts.signals)
        digest.update(pickle.dumps(head, pickle.HIGHEST_PROTOCOL))
    return digest.hexdigest()


def lookup(entry: dict | None, base: str, heads: str, files: dict[str, FileFacts], families: list[str]):
    """The stored entry when it holds for this tree (every file it read has the same content
    hash) and holds the findings of every family in ``families``, else ``None``."""
    if not isinstance(entry, dict) or entry.get("base") != base or entry.get("heads") != heads:
        return None
    if set(entry["findings"]) != set(families):
        return None
    for path, content in entry["reads"].items():
        facts = files.get(path)
        if facts is None or facts.content_hash != content or not content:
            return None
    return entry


def record(base: str, heads: str, files: dict[str, FileFacts], plan, extra_reads, findings: dict) -> dict | None:
    """The entry for this run: ``plan`` is (deep, planned, semantic), ``extra_reads`` the files
    whose bytes the plan re-read, ``findings`` each deep family's findings in order.  ``None``
    when a read file has no content hash (unreadable): such a run is never reused."""
    deep, planned, semantic = plan
    read = set(planned or ()) | set(semantic or ()) | set(deep or ()) | set(extra_reads)
    read |= {path for path, facts in files.items() if facts.read_deep}
    reads = {}
    for path in sorted(read):
        facts = files.get(path)
        if facts is None:
            continue
        if not facts.content_hash:
            return None
        reads[path] = facts.content_hash
    return {"base": base, "heads": heads, "reads": reads, "plan": plan, "findings": findings}
