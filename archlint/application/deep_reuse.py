"""Reusing the deep families' findings when nothing they read has changed.

The deep families (data layer, semantic model, SQL: every family whose selected rules read the model) are
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

import io
import pickle

from archlint.adapters.digest import blake2b
from archlint.domain.facts import FileFacts

_VERSION = 2


def base_key(code_fingerprint: str, root: str, config, found, spec, manifests: bytes) -> str:
    """Everything but the files: archlint's code and data, root, config, discovery's problems,
    the API contract and the manifests' bytes (the same parts as the whole-result key)."""
    digest = blake2b(digest_size=16)
    parts = (str(_VERSION), code_fingerprint, root, repr(config), repr(found.problems), spec.digest if spec is not None else "")
    for part in parts:
        digest.update(part.encode() + b"\0")
    digest.update(manifests)
    return digest.hexdigest()


def heads_digest(files: dict[str, FileFacts]) -> str:
    """Every file's head as the deep families see it (see the module docstring for what is left out)."""
    digest = blake2b(digest_size=16)
    for path in sorted(files):
        facts = files[path]
        problems = [p for p in facts.problems if p.rule != "AL001"]
        head = (path, facts.language, facts.imports, problems, facts.suppressions, facts.signals)
        digest.update(pickle.dumps(head, pickle.HIGHEST_PROTOCOL))
    return digest.hexdigest()


MAX_CUTOFF_FILES = 8  # changed files re-extracted to test an early cutoff; past it the deep pass is simply redone


def lookup(entry: dict | None, base: str, heads: str, files: dict[str, FileFacts], families: list[str], extract, previous):
    """See :func:`_lookup`; an entry of another shape (a pack from another archlint) is a miss."""
    try:
        return _lookup(entry, base, heads, files, families, extract, previous)
    except (TypeError, ValueError, KeyError, AttributeError):
        return None, {}


def _lookup(entry, base: str, heads: str, files: dict[str, FileFacts], families: list[str], extract, previous):
    """``(entry, fresh)``: the stored entry when it holds for this tree, else ``None``; ``fresh`` the
    full facts (body and IR) extracted for the changed files while deciding, for the caller to adopt
    on a hit (on a miss they would count as read by the run that records the next entry).

    The entry holds when every file it read has the same content hash — or, failing that, when
    everything the deep pass read of the file is the same now: its body and IR re-extracted (when
    it read them) are the ones the cache holds for its previous content, and the plan's questions
    of its bytes get the same answers.  An early cutoff, as build systems do: a reworded comment
    changes no body, no IR (whose spans would move with any added line) and no answer, so no
    finding.  ``extract(path)`` gives ``(bytes, full facts)``, or ``None`` when the bytes no longer
    hash as the scan's did; ``previous(content_hash)`` the cached facts of that content, if any."""
    from archlint.application.deep_plan import mentioned

    fresh: dict[str, FileFacts] = {}
    if not isinstance(entry, dict) or entry.get("base") != base or entry.get("heads") != heads:
        return None, fresh
    if set(entry["findings"]) != set(families):
        return None, fresh
    changed = []
    for path, (content, parts, questions) in entry["reads"].items():
        facts = files.get(path)
        if facts is None or not content or not facts.content_hash:
            return None, fresh
        if facts.content_hash != content:
            if parts is None:
                return None, fresh
            changed.append(path)
    if len(changed) > MAX_CUTOFF_FILES:
        return None, fresh
    reads = dict(entry["reads"])
    for path in changed:
        content, parts, questions = reads[path]
        old = previous(content)
        extracted = extract(path)
        if extracted is None or old is None:
            return None, fresh
        data, full = extracted
        fresh[path] = full
        if not _same_facts(old, full, parts):
            return None, fresh
        if any(mentioned(data, *question[:3]) != question[3] for question in questions):
            return None, fresh
        reads[path] = (files[path].content_hash, parts, questions)
    return ({**entry, "reads": reads} if changed else entry), fresh


def _same_facts(old: FileFacts, new: FileFacts, parts: tuple[bool, bool]) -> bool:
    """Whether ``new`` has the body and IR (as far as ``parts`` says they were read) of ``old``:
    compared as pickles made here, so classes, values and spans all take part (NamedTuple
    equality alone would let two node types with equal fields pass)."""
    with_body, with_ir = parts
    if with_body and (not old.has_body or not new.has_body or not _same(old.body, new.body)):
        return False
    return not with_ir or (old.has_ir and new.has_ir and _same(_without_module_end(old.ir), _without_module_end(new.ir)))


def _without_module_end(module):
    """The IR with its top level's span ending where it starts: that span runs to the end of the
    file, so a comment appended after the last statement moved it and missed the cutoff (a one-edit
    run on Django redid the whole deep pass: 6.9 s instead of ~0.5 s).  What the deep pass reads of
    it is its statements, each with its own span; past the last one there is only trivia."""
    if not module.functions:
        return module
    top = module.functions[0]
    span = top.span._replace(end_line=top.span.line, end_column=top.span.column)
    return module._replace(functions=(top._replace(span=span),) + module.functions[1:])


def _same(old, new) -> bool:
    if pickle.dumps(old, pickle.HIGHEST_PROTOCOL) == pickle.dumps(new, pickle.HIGHEST_PROTOCOL):
        return True
    return _canonical(old) == _canonical(new)  # the fast pickles differ in set order alone, often


def _canonical(value) -> bytes:
    """A pickle that depends on values only: sets sorted, and no memo (``fast``), so a string shared
    by identity (the IR interns its names; an unpickled IR shares what its pickle memoised) is written
    like an equal string that is not — the IR is a tree, so nothing recursive needs the memo."""
    stream = io.BytesIO()
    pickler = _CanonicalPickler(stream, pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(value)
    return stream.getvalue()


class _CanonicalPickler(pickle.Pickler):
    """Sets pickled in sorted order: two equal frozensets (``Function.locals``) built in different
    orders or processes iterate differently, and are still the same facts.  (``persistent_id`` is
    the one hook the C pickler calls for sets, which it otherwise writes natively.)"""

    def persistent_id(self, obj):
        if type(obj) in (frozenset, set):
            return type(obj).__name__, tuple(sorted(obj, key=_order))
        return None


def _order(item) -> tuple[str, str]:
    return type(item).__name__, repr(item)


def record(base: str, heads: str, files: dict[str, FileFacts], plan, byte_reads: dict[str, list], findings: dict) -> dict | None:
    """The entry for this run: ``plan`` is (deep, planned, semantic), ``byte_reads`` what the plan
    asked of each file's bytes (``deep_plan._mentions``), ``findings`` each deep family's findings
    in order.  Each read file is kept as (content hash, which facts were read — body, IR —, the
    plan's questions of its bytes); ``None`` when a read file has no content hash (unreadable):
    such a run is never reused."""
    deep, planned, semantic = plan
    read = set(planned or ()) | set(semantic or ()) | set(deep or ()) | set(byte_reads)
    read |= {path for path, facts in files.items() if facts.read_deep}
    reads = {}
    for path in sorted(read):
        facts = files.get(path)
        if facts is None:
            continue
        if not facts.content_hash:
            return None
        parts = facts.read_parts
        questions = tuple(byte_reads.get(path, ()))
        # read, yet nothing to compare but the bytes: only the same content will do
        reads[path] = (facts.content_hash, None if parts == (False, False) and not questions else parts, questions)
    return {"base": base, "heads": heads, "reads": reads, "plan": plan, "findings": findings}
