"""Turn discovered source files into facts: cache first, then parse the rest in parallel.

Every file is read and hashed in the main process (cheap: Django's 6 MB in ~20 ms); only cache
misses are parsed.  Large batches go to a process pool — tree-sitter releases the GIL while
parsing, but fact extraction is Python and would serialise on threads.
"""

from __future__ import annotations

import os
from functools import lru_cache

from archlint.adapters.cache import FactsCache, content_hash
from archlint.adapters.discovery import SourceFile
from archlint.domain.facts import FileFacts, ParseProblem, Span

PARALLEL_THRESHOLD_FILES = 200
PARALLEL_THRESHOLD_BYTES = 2_000_000


def extract(path: str, data: bytes, language: str, full: bool = True) -> FileFacts:
    """Dispatch to the language's frontend (imported lazily: a warm run needs neither)."""
    if language == "python":
        from archlint.adapters.frontends.python import extract as python_extract

        return python_extract(path, data, full=full, eager=_eager_tokens())
    from archlint.adapters.frontends.javascript import extract as js_extract

    return js_extract(path, data, language, full=full)


@lru_cache(maxsize=1)
def _eager_tokens() -> tuple[bytes, ...]:
    """Names whose mere presence in a file's bytes predicts that the data-layer rules will read
    its body (drivers and ORMs), so the cheap pass extracts it right away."""
    from archlint.adapters.knowledge import load_knowledge

    knowledge = load_knowledge()
    python = {e.name for e in knowledge.entries if e.language == "python"}
    modules = {m for e in knowledge.entries if e.name in python and e.kind in ("orm", "driver") for m in e.modules}
    return tuple(sorted(m.encode() for m in modules))


class _BodyLoader:
    """Extracts a file's body on first use: re-reads and re-parses it (the cheap pass kept only
    the head).  Picklable-free by design: loaders never travel through the cache."""

    __slots__ = ("absolute", "path", "language")

    def __init__(self, absolute: str, path: str, language: str) -> None:
        self.absolute, self.path, self.language = absolute, path, language

    def __call__(self):
        from archlint.domain.facts import FileBody

        try:
            with open(self.absolute, "rb") as handle:
                data = handle.read()
        except OSError:
            return FileBody()
        return _safe_extract(self.path, data, self.language, full=True).body


class _IrLoader:
    """Lowers a file to the IR on first use (re-reads and re-parses it, like the body loader)."""

    __slots__ = ("absolute", "path", "language")

    def __init__(self, absolute: str, path: str, language: str) -> None:
        self.absolute, self.path, self.language = absolute, path, language

    def __call__(self):
        from archlint.adapters.frontends.lowering import lower_file

        try:
            with open(self.absolute, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        try:
            return lower_file(self.path, data, self.language)
        except RecursionError:
            return None
        except Exception:  # noqa: BLE001 - untrusted input: no IR, the facts still stand
            return None


def _extract_batch(batch: list[tuple[str, bytes, str, str]]) -> list[FileFacts]:
    results = []
    for path, data, language, digest in batch:
        facts = _safe_extract(path, data, language, full=False)
        facts.content_hash = digest
        results.append(facts)
    return results


def _safe_extract(path: str, data: bytes, language: str, full: bool) -> FileFacts:
    """A frontend bug on one weird file must become a finding, not abort the whole run."""
    try:
        return extract(path, data, language, full)
    except RecursionError:
        message = "file is nested too deeply to analyse"
    except Exception as exc:  # noqa: BLE001 - untrusted input; report and go on
        message = f"internal error while analysing this file ({type(exc).__name__}: {exc})"
    facts = FileFacts(path=path, language=language, content_hash="")
    facts.problems.append(ParseProblem("AL002", message, Span(1, 1, 1, 1)))
    return facts


def parse_sources(sources: list[SourceFile], cache: FactsCache | None, jobs: int) -> tuple[dict[str, FileFacts], int]:
    """Facts for every source, keyed by path, and how many came from the cache."""
    results: dict[str, FileFacts] = {}
    pending: list[tuple[str, bytes, str, str]] = []
    hits = 0
    for source in sources:
        try:
            with open(source.absolute, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            facts = FileFacts(path=source.path, language=source.language, content_hash="")
            reason = exc.strerror or type(exc).__name__
            facts.problems.append(ParseProblem("AL002", f"cannot read file: {reason}", Span(1, 1, 1, 1)))
            results[source.path] = facts
            continue
        digest = content_hash(data, source.language)
        cached = cache.get(digest, source.path) if cache is not None else None
        if cached is not None:
            results[source.path] = cached
            hits += 1
        else:
            pending.append((source.path, data, source.language, digest))
    for facts in _extract_all(pending, jobs):
        results[facts.path] = facts
        if cache is not None:
            cache.put(facts)
    for source in sources:
        facts = results[source.path]
        if not facts.has_body and facts.parsed:
            facts.attach_loader(_BodyLoader(source.absolute, source.path, source.language))
        if facts.parsed and not facts.has_ir:
            facts.attach_ir_loader(_IrLoader(source.absolute, source.path, source.language))
    return results, hits


def _extract_all(pending, jobs: int) -> list[FileFacts]:
    total_bytes = sum(len(item[1]) for item in pending)
    workers = min(jobs, os.cpu_count() or 1)
    if workers <= 1 or (len(pending) < PARALLEL_THRESHOLD_FILES and total_bytes < PARALLEL_THRESHOLD_BYTES):
        return _extract_batch(pending)
    # Interleave big and small files so the workers finish together.
    ordered = sorted(pending, key=lambda item: len(item[1]), reverse=True)
    batches = [ordered[index::workers * 4] for index in range(workers * 4)]
    try:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results: list[FileFacts] = []
            for batch_result in pool.map(_extract_batch, batches):
                results.extend(batch_result)
            return results
    except (OSError, RuntimeError):
        return _extract_batch(pending)  # no fork/semaphores in this sandbox: stay serial
