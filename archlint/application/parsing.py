"""Turn discovered source files into facts, in two passes, each file parsed at most once.

1. **Cheap pass** (:func:`scan_sources`), every file: read, hash, cache lookup; a miss gets its
   *head* (imports, suppressions, string signals) from the byte-level scanners — no syntax
   tree: ``scanner`` for Python, ``js_scanner`` for JS/TS — and from the frontend for the files a
   scanner defers (few Python files; JS/TS with ``require``, decorators or JSX, and, when rules
   read bodies, the data-layer candidates: SQL or DB-URL strings), whose one parse then gives
   their body and IR as well, when rules read bodies.
2. **Deep pass** (:func:`deepen`), only what the selected rules need: the *body* of the files the
   data-layer plan names (one tree-sitter parse yielding body facts and syntax problems), and a
   syntax-only parse of the other files when AL001 is selected.

The deep-pass seam: a frontend's ``extract(path, bytes, full=True)`` is one function of one
parsed tree; whatever else is derived from that tree (the typed IR) belongs in the same call,
so it is computed only for deep files and cached with them (by content hash, see
:mod:`archlint.adapters.cache`).  Large batches go to a process pool (``fork``): fact extraction
is Python, and tree-sitter does not parse faster on threads here (measured: 0.47 s serial,
0.70 s on two threads for Django).
"""

from __future__ import annotations

import os

from archlint.adapters.cache import FactsCache, content_hash
from archlint.adapters.discovery import SourceFile
from archlint.domain.facts import FileFacts, ParseProblem, Span

PARALLEL_THRESHOLD_FILES = 200
PARALLEL_THRESHOLD_BYTES = 2_000_000  # of syntax-only parsing; a byte lowered to the IR weighs LOWERED_WEIGHT
# A JS/TS parse that also builds facts and the IR costs ~3.4x a syntax-only parse per byte (effect's
# 68 deferred TS heads, 1.8 MB: 1.79 s of CPU with the IR, 0.52 s for the syntax alone), so a batch
# of them is worth the pool at about a third of the bytes.  (Python's batches are weighed as before.)
LOWERED_WEIGHT = 3
# The byte-level Python scan is ~8x cheaper per file than a parse, so it pays to share it with the
# pool only for larger trees (measured below this: the fork and the pickled heads cost more).
PARALLEL_SCAN_FILES = 600
PARALLEL_SCAN_BYTES = 4_000_000
# A layers-only scan (no SQL/DB-URL signal, no body) is the byte scanner alone plus a few lean heads:
# a second lane costs more CPU than it saves, and its wall-time win did not reproduce on the shared
# 2-core bench machine (``--select layering``, CPU user+sys, --jobs 1 vs 2: Django 885 files 0.50 vs
# 0.60 s, wagtail 1,379 files 0.49 vs 0.59 s, django-apps 3,490 files / 30 MB 0.93 vs 1.26 s), so
# it shares the scan only for trees well past those.
PARALLEL_LEAN_SCAN_FILES = 8_000
PARALLEL_LEAN_SCAN_BYTES = 64_000_000
_TRIM = None  # glibc's malloc_trim once looked up (see Workers.release); False: none

HEAD, HEAD_IR, FULL, BODY, SYNTAX = "head", "head+ir", "full", "body", "syntax"
HEAD_LEAN = "head-lean"  # a head without the SQL/DB-URL signal (no body-reading rule selected)


def extract(path: str, data: bytes, language: str, full: bool = True, ir: bool = False) -> FileFacts:
    """Dispatch to the language's frontend (imported lazily: a warm run needs neither).  ``ir``:
    also lower the semantic model's IR from the same parse (the deep pass)."""
    if language == "python":
        from archlint.adapters.frontends.python import extract as python_extract

        return python_extract(path, data, full=full, ir=ir)
    from archlint.adapters.frontends.javascript import extract as js_extract

    return js_extract(path, data, language, full=full, ir=ir)


def _extract_with_ir(path: str, data: bytes, language: str, full: bool = True) -> FileFacts:
    return extract(path, data, language, full, ir=True)


def _head(path: str, data: bytes, language: str, signals: bool = True) -> FileFacts:
    if language == "python":
        from archlint.adapters.frontends.scanner import python_head

        facts = python_head(path, data, signals)
        if facts is not None:
            return facts
        if not signals:  # no rule reads bodies: the frontend's head without the body it would build
            return _safe(_lean_python_head, path, data, language, False)
        # A file the scanner hands back (a few per project: dynamic imports, constructs it does not
        # model) is parsed here: its body and IR come from this parse, as the deep pass would take
        # them.  The semantic model reads most of them (Django's `management/__init__.py`,
        # `apps/config.py`), and a head-only parse here meant a second parse then: 22 of Django's.
        return _safe(_extract_with_ir, path, data, language, True)
    elif not signals and not any(token in data for token in _JS_HEAD_TOKENS):
        return _inert_script(path, data, language)
    return _safe(extract, path, data, language, False)


def _js_head(path: str, data: bytes, language: str, signals: bool) -> FileFacts | None:
    """A JS/TS head from the byte-level scanner, ``None`` when it defers to the frontend (its
    shapes: ``js_scanner``; a data-layer candidate, with ``signals``, is one of them)."""
    from archlint.adapters.frontends.js_scanner import js_head

    try:
        return js_head(path, data, language, signals)
    except RecursionError:
        return None


def _lean_python_head(path: str, data: bytes, language: str, full: bool) -> FileFacts:
    from archlint.adapters.frontends.python import extract as python_extract

    return python_extract(path, data, lean=True)


# A JS/TS file without these bytes has no import of any kind and no archlint comment: when no rule
# reads bodies its head is empty (Django's admin scripts, a Python project's static assets).
_JS_HEAD_TOKENS = (b"import", b"export", b"require", b"archlint")


def _inert_script(path: str, data: bytes, language: str) -> FileFacts:
    from archlint.adapters.frontends.source import decode

    facts = FileFacts(path=path, language=language, content_hash="", signals=None, syntax_checked=False)
    facts.lines = data.count(b"\n") + (not data.endswith(b"\n")) if data else 0  # as the JS frontend counts
    decoded = decode(data, language)
    facts.problems.extend(decoded.problems)
    facts.syntax_checked = decoded.skip or not decoded.data.strip()
    return facts


def _syntax(path: str, data: bytes, language: str) -> list[ParseProblem]:
    if language != "python":  # inert scripts and the files the byte-level scanner read
        from archlint.adapters.frontends.javascript import syntax_problems as js_syntax_problems

        try:
            return js_syntax_problems(path, data, language)
        except Exception:  # noqa: BLE001 - untrusted input (RecursionError too): no verdict, as the frontend's AL002 gave none
            return []
    from archlint.adapters.frontends.python import syntax_problems

    try:
        return syntax_problems(data)
    except RecursionError:
        return []  # reported by the full pass when a rule needs the body; not a syntax verdict


def _safe(function, path: str, data: bytes, language: str, full: bool) -> FileFacts:
    """A frontend bug on one weird file must become a finding, not abort the whole run."""
    try:
        return function(path, data, language, full)
    except RecursionError:
        message = "file is nested too deeply to analyse"
    except Exception as exc:  # noqa: BLE001 - untrusted input; report and go on
        message = f"internal error while analysing this file ({type(exc).__name__}: {exc})"
    facts = FileFacts(path=path, language=language, content_hash="")
    facts.problems.append(ParseProblem("AL002", message, Span(1, 1, 1, 1)))
    return facts


def _work(batch: list[tuple[str, str, str, str]], keep_blobs: bool = True, spool: str | None = None) -> list[tuple[str, object]]:
    """One worker batch: (mode, absolute, path, language) -> (path, facts or syntax problems).
    ``keep_blobs=False``: the caller keeps no pickled bodies or IR (no cache), so the body and IR
    of a deep file (``FULL``: both are read) are sent back as records in the batch's one pickle
    (``FileFacts.__reduce__``).  ``spool`` (a directory; a run with a cache, on the pool): the
    blobs the cache will save of a deep file (``FULL`` or ``BODY``) are written to this worker's
    spool file there, and the records travel as without a cache, with where their blobs are —
    the caller holds no blob (see :func:`_spool`).  A JS/TS head's IR stays a blob: most are never read (Django's admin
    scripts), and unpickling them all cost CPU."""
    results = _work_items(batch)
    if not keep_blobs:
        for (mode, *_item), (_path, facts) in zip(batch, results):
            if mode == FULL and isinstance(facts, FileFacts):
                facts.keep_blobs = False
    elif spool is not None:
        deep = [facts for (mode, *_item), (_path, facts) in zip(batch, results)
                if mode in (FULL, BODY) and isinstance(facts, FileFacts) and facts._body is not None]
        if deep:
            _spool(deep, spool)
    return results


_SPOOLS: dict[str, tuple] = {}  # this worker's spool file per directory: (handle, name)


def _spool(deep: list[FileFacts], directory: str) -> None:
    """Write the body and IR blobs of ``deep`` to this process's spool file in ``directory`` (one per
    worker, appended batch after batch) and mark each file with their places.  Any write error:
    nothing is spooled, the blobs travel in the batch's pickle as before."""
    try:
        spool = _SPOOLS.get(directory)
        if spool is None:
            name = os.path.join(directory, f"{os.getpid()}.blobs")
            spool = _SPOOLS[directory] = (open(name, "ab"), name)  # noqa: SIM115 - open for the worker's life
        handle, name = spool
        for facts in deep:
            facts.spool(handle, name)
        handle.flush()
    except OSError:
        _SPOOLS.pop(directory, None)
        for facts in deep:
            facts.unspool()


def _work_items(batch: list[tuple[str, str, str, str]]) -> list[tuple[str, object]]:
    results: list[tuple[str, object]] = []
    for mode, absolute, path, language in batch:
        try:
            with open(absolute, "rb") as handle:
                data = handle.read()
        except OSError:
            results.append((path, None))
            continue
        if mode == SYNTAX:
            results.append((path, _syntax(path, data, language)))
        elif mode == FULL:
            results.append((path, _safe(_extract_with_ir, path, data, language, True)))
        elif mode == BODY:  # body facts only: the IR is lowered on first use, if ever
            results.append((path, _safe(extract, path, data, language, True)))
        elif mode == HEAD_IR:  # a JS/TS head when bodies are read: its one parse gives the IR too
            results.append((path, _safe(_extract_with_ir, path, data, language, False)))
        else:
            results.append((path, _head(path, data, language, mode != HEAD_LEAN)))
    return results


def extract_full(source: SourceFile, expected_hash: str) -> tuple[bytes, FileFacts] | None:
    """One file's bytes and full facts (body and IR from one parse), in this process; ``None``
    when its bytes no longer hash to ``expected_hash`` (changed since the scan) or cannot be read."""
    try:
        with open(source.absolute, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    if content_hash(data, source.language) != expected_hash:
        return None
    facts = _safe(_extract_with_ir, source.path, data, source.language, True)
    facts.content_hash = expected_hash
    return data, facts


STALE_SPOOL_SECONDS = 24 * 3600  # no run takes a day: a spool that old is a killed run's


def _remove_stale_spools(directory: str) -> None:
    """A run killed before its pool shut down leaves its spool directory behind; the next run with a
    pool removes those a day old.  A live run's spool is minutes old, so runs sharing the cache keep theirs."""
    import shutil
    import time

    cutoff = time.time() - STALE_SPOOL_SECONDS
    try:
        with os.scandir(directory) as entries:
            stale = [e.path for e in entries if e.name.startswith("spool-") and e.is_dir(follow_symlinks=False)
                     and e.stat(follow_symlinks=False).st_mtime < cutoff]
    except OSError:
        return
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)


class Workers:
    """Runs batches serially, or on a process pool once the work is large enough; the pool is
    started at most once per run and only when needed (small repos never pay for it)."""

    def __init__(self, jobs: int, keep_blobs: bool = True, spool_in: str | None = None) -> None:
        self.jobs = min(jobs, os.cpu_count() or 1)
        self.pool = None
        self.size = 0  # the pool's workers
        self.keep_blobs = keep_blobs  # False: no cache saves pickled bodies or IR (see _work)
        # With a cache: the directory under which the workers spool the deep files' blobs (a
        # temporary directory made when the pool starts, removed on exit; see _work)
        self.spool_in = spool_in if keep_blobs else None
        self.spool: str | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown()
        if self.spool is not None:
            import shutil

            shutil.rmtree(self.spool, ignore_errors=True)
            self.spool = None

    def _spool_directory(self) -> str | None:
        if self.spool is None and self.spool_in is not None:
            import tempfile

            try:
                os.makedirs(self.spool_in, exist_ok=True)
                _remove_stale_spools(self.spool_in)
                self.spool = tempfile.mkdtemp(prefix="spool-", dir=self.spool_in)
            except OSError:  # a read-only cache location: the blobs travel in the pickles
                self.spool_in = None
        return self.spool

    def pooled(self, items: list[tuple[str, str, str, str]], sizes: dict[str, int]) -> bool:
        """Whether a batch goes to the pool rather than this process: enough files, or enough bytes
        (weighted: JS/TS files lowered to the IR count ``LOWERED_WEIGHT`` times)."""
        if self.jobs <= 1:
            return False
        weight = sum(sizes.get(path, 0) * (LOWERED_WEIGHT if mode in (FULL, HEAD_IR) and language != "python" else 1)
                     for mode, _absolute, path, language in items)
        return len(items) >= PARALLEL_THRESHOLD_FILES or weight >= PARALLEL_THRESHOLD_BYTES

    def run(self, items: list[tuple[str, str, str, str]], sizes: dict[str, int]) -> list[tuple[str, object]]:
        if not self.pooled(items, sizes):
            return _work(items)
        ordered = sorted(items, key=lambda item: sizes.get(item[2], 0), reverse=True)
        return self.start([ordered[index :: self.jobs * 4] for index in range(self.jobs * 4)])()

    def start(self, batches: list[list[tuple[str, str, str, str]]]):
        """Submit ``batches`` to the pool and return a function that waits for their results (in
        batch order), so this process can do its own share meanwhile; without a pool the returned
        function runs them here."""
        batches = [batch for batch in batches if batch]
        if not batches:
            return lambda: []
        try:
            pool = self._pool(len(batches))
            futures = [pool.submit(_work, batch, self.keep_blobs, self._spool_directory()) for batch in batches]
        except (OSError, RuntimeError):  # no fork/semaphores in this sandbox: stay serial
            return lambda: [result for batch in batches for result in _work(batch)]

        def collect() -> list[tuple[str, object]]:
            try:
                return [result for future in futures for result in future.result()]
            except (OSError, RuntimeError):  # the pool broke (a worker killed): redo here
                return [result for batch in batches for result in _work(batch)]

        return collect

    def _pool(self, batches: int):
        """The pool, started on first use.  A forked pool starts all its workers at once: no more
        than there are batches (the scan's one share for the pool left a worker idle, forked and
        torn down for nothing).  A later, larger submission replaces a smaller pool (its work was
        collected already)."""
        wanted = min(self.jobs, batches)
        if self.pool is not None and self.size < wanted:
            self.pool.shutdown()
            self.pool = None
        if self.pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            context = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
            self.pool = ProcessPoolExecutor(max_workers=wanted, mp_context=context)
            self.size = wanted
        return self.pool

    def start_each(self, batches: list[list[tuple[str, str, str, str]]]):
        """Submit ``batches`` (none empty) to the pool and return ``collect(index)``: the results
        of one batch, waited for; without a pool, or once it broke, that batch runs here."""
        futures = None
        try:
            pool = self._pool(len(batches))
            futures = [pool.submit(_work, batch, self.keep_blobs, self._spool_directory()) for batch in batches]
        except (OSError, RuntimeError):  # no fork/semaphores in this sandbox: each batch runs here
            futures = None

        def collect(index: int) -> list[tuple[str, object]]:
            if futures is not None:
                try:
                    return futures[index].result()
                except (OSError, RuntimeError):  # the pool broke (a worker killed): redo it here
                    pass
            return _work(batches[index], self.keep_blobs)

        return collect

    def release(self) -> None:
        """Hand the C heap's free pages back to the system once a pool has run.  The bodies and IR
        a worker sends arrive as pickled blobs (bytes, allocated by C ``malloc``); each is freed
        once unpickled, but Python's own objects live in separate arenas that never reuse that
        space, so the freed blobs stayed in this process's RSS to the end (saleor-sized tree,
        default jobs: 480 MB peak, 437 MB with the pages returned).  A serial run frees no blobs:
        nothing is done."""
        if self.pool is None:
            return
        global _TRIM
        if _TRIM is None:
            _TRIM = False
            try:
                import ctypes

                _TRIM = ctypes.CDLL("libc.so.6").malloc_trim
            except (OSError, AttributeError):  # not glibc: nothing to trim
                pass
        if _TRIM:
            _TRIM(0)

    def lanes(self, count: int, total_bytes: int, signals: bool = True) -> int:
        """How many processes share the cheap scan of ``count`` Python files: one below
        ``PARALLEL_SCAN_*`` (``PARALLEL_LEAN_SCAN_*`` for a layers-only scan, ``signals`` False: a
        pool's start-up costs more than it saves), else every job."""
        files, size = (PARALLEL_SCAN_FILES, PARALLEL_SCAN_BYTES) if signals else (PARALLEL_LEAN_SCAN_FILES, PARALLEL_LEAN_SCAN_BYTES)
        if self.jobs <= 1 or (count < files and total_bytes < size):
            return 1
        return self.jobs


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


class _BodyLoader:
    """Extracts a file's body on first use when no plan asked for it (a safety net: every
    reader of bodies stays correct even if the plan missed a file).  ``ir``: the IR too, from
    the same parse — the loader of a file with neither, attached as both its body and its IR
    loader, so whichever is read first yields both (the semantic model reads a module the plan
    did not name, a schema or exceptions module a handler imports, for its IR and then for its
    calls: the Conduit app parsed 7 such files three times each)."""

    __slots__ = ("absolute", "path", "language", "ir")

    def __init__(self, absolute: str, path: str, language: str, ir: bool = False) -> None:
        self.absolute, self.path, self.language, self.ir = absolute, path, language, ir

    def __call__(self) -> FileFacts:
        try:
            with open(self.absolute, "rb") as handle:
                data = handle.read()
        except OSError:
            return FileFacts(path=self.path, language=self.language, content_hash="")
        return _safe(_extract_with_ir if self.ir else extract, self.path, data, self.language, True)


def scan_sources(
    sources: list[SourceFile], cache: FactsCache | None, workers: Workers, signals: bool = True, hashes: bool = True
) -> tuple[dict[str, FileFacts], int, dict[str, int]]:
    """Heads for every source (cached or scanned), how many came from the cache, and sizes.
    ``signals``: decide every Python file's SQL/DB-URL signal (body-reading rules need it).
    ``hashes``: record every file's content hash even without a cache (the fixers compare it);
    without either, ``content_hash`` stays empty."""
    results: dict[str, FileFacts] = {}
    pending: list[tuple[str, str, str, str]] = []
    digests: dict[str, str] = {}
    sizes: dict[str, int] = {}
    scans: list[tuple[SourceFile, bytes]] = []  # Python files for the byte-level scanner
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
        sizes[source.path] = len(data)
        digest = content_hash(data, source.language) if cache is not None or hashes else ""
        cached = cache.get(digest, source.path) if cache is not None else None
        if cached is not None and signals and cached.signals is None and cached.language != "python":
            cached = None  # an inert script cached by a layers-only run: its strings need the frontend
        if cached is not None:
            results[source.path] = cached
            hits += 1
            if signals and cached.signals is None:
                from archlint.adapters.frontends.scanner import python_signal

                cached.signals = python_signal(data)
                cache.put(cached)
        elif source.language == "python":
            digests[source.path] = digest
            scans.append((source, data))
        elif not signals and not any(token in data for token in _JS_HEAD_TOKENS):
            facts = _inert_script(source.path, data, source.language)
            facts.content_hash = digest
            results[source.path] = facts
            if cache is not None:
                cache.put(facts)
        elif (facts := _js_head(source.path, data, source.language, signals)) is not None:
            # the byte-level scan (no parse): the body, IR and syntax verdict come from one parse
            # if a rule reads them — here, only files the scanner defers to the frontend are parsed
            facts.content_hash = digest
            results[source.path] = facts
            if cache is not None:
                cache.put(facts)
        else:
            digests[source.path] = digest
            pending.append((HEAD_IR if signals else HEAD, source.absolute, source.path, source.language))
    # The scanner runs here on one share of the Python files while the pool takes the others
    # (and every JS/TS head): dealt largest cost first to the least loaded share, so the shares
    # finish together.
    lanes = workers.lanes(len(scans), sum(len(data) for _source, data in scans), signals)
    shares = _shares(scans, lanes)
    mode = HEAD if signals else HEAD_LEAN
    shared = [[(mode, source.absolute, source.path, "python") for source, _data in share] for share in shares[1:]]
    if lanes > 1:
        # The pool forks now, before this process scans: what both sides import (the scanner, and
        # the frontend for the few files the scanner hands back, which a tree this size has) is
        # imported once here, not once per process.
        from archlint.adapters.frontends import computed_imports, python, scanner  # noqa: F401
        from archlint.domain import arguments  # noqa: F401  (the scanner's dynamic imports)

        if signals:
            python._grammar()
        else:  # the lean head runs the folding query, never the full one
            python._extra_query("fold")
    collect = workers.start(shared) if lanes > 1 else None
    scanned = [(source.path, _head(source.path, data, "python", signals)) for source, data in shares[0]]
    if collect is not None:
        scanned.extend(collect())
    for path, facts in scanned + workers.run(pending, sizes):
        if facts is None:
            facts = FileFacts(path=path, language="unknown", content_hash="")
            facts.problems.append(ParseProblem("AL002", "cannot read file", Span(1, 1, 1, 1)))
        facts.content_hash = digests.get(path, "")
        results[path] = facts
        if cache is not None and facts.content_hash:
            cache.put(facts)
    for source in sources:
        facts = results[source.path]
        if not facts.parsed:
            continue
        if not facts.has_body and not facts.has_ir:  # one parse, on first use of either
            loader = _BodyLoader(source.absolute, source.path, source.language, ir=True)
            facts.attach_loader(loader)
            facts.attach_ir_loader(loader)
        elif not facts.has_body:
            facts.attach_loader(_BodyLoader(source.absolute, source.path, source.language))
        elif not facts.has_ir:
            facts.attach_ir_loader(_IrLoader(source.absolute, source.path, source.language))
    return results, hits, sizes


# A file naming a dynamic importer is likely handed back to the frontend (a computed argument):
# a parse, the folding query and constant folding cost ~20x the byte-level scan per byte
# (Django's 24 such files: as long as its 738 others).
_DEFERRED_WEIGHT = 20


def _shares(scans: list[tuple[SourceFile, bytes]], lanes: int) -> list[list[tuple[SourceFile, bytes]]]:
    """``scans`` split in ``lanes`` shares of about equal expected cost (the first stays here)."""
    if lanes <= 1:
        return [scans]
    weighted = sorted(((len(data) * (_DEFERRED_WEIGHT if b"import_module" in data or b"__import__" in data else 1), index)
                       for index, (_source, data) in enumerate(scans)), reverse=True)
    shares: list[list[tuple[SourceFile, bytes]]] = [[] for _ in range(lanes)]
    loads = [0] * lanes
    for weight, index in weighted:
        lane = loads.index(min(loads))
        shares[lane].append(scans[index])
        loads[lane] += weight
    return shares


def deepen(
    files: dict[str, FileFacts],
    sources: dict[str, SourceFile],
    bodies: set[str],
    syntax: set[str],
    workers: Workers,
    sizes: dict[str, int],
    defer: tuple[str, ...] | None = None,
    then: tuple[str, ...] = (),
) -> Pending | None:
    """Extract the bodies of ``bodies`` and check the syntax of ``syntax`` (files already
    deep or already checked are skipped), in one batch of parallel work.

    ``defer`` (the paths wanted first, in order): when the bodies are work for the pool, do not
    wait for it — return the :class:`Pending` extraction, each of those files carrying a promise
    that waits for its own batch on first read, so this process analyses what has arrived while
    the pool parses the rest.  What every file holds once read (or once :meth:`Pending.drain`
    ran) is what the synchronous pass gives; only when it arrives differs.  ``then``: the order
    in which the other deep files are likely read (the rest follow, largest first).  The ``syntax`` checks
    of a deferred call are done only on the pool, along with it (else they are left out).

    The IR comes from the same parse, except for Python tests, migrations and scripts: the
    semantic model never starts from them (see ``semantic_files``), only their body facts are
    read (models of a test app, a ``create_all`` in a conftest), so their IR stays with the
    on-demand loader.  On wagtail's wheel that is 115 test files, 3.2 MB of the 5.9 MB read deep.
    (The price: the few whose IR is read after all are parsed a second time — Django's
    ``db/migrations/state.py``, which the model reaches through imports, and eight more.)"""
    from archlint.domain.datalayer import non_production

    items: list[tuple[str, str, str, str]] = []
    for path in sorted(bodies | syntax):
        facts = files.get(path)
        source = sources.get(path)
        if facts is None or source is None or not facts.parsed:
            continue
        if path in bodies and not facts.has_body:
            mode = BODY if source.language == "python" and non_production(path) else FULL
            items.append((mode, source.absolute, path, source.language))
        elif not facts.syntax_checked:
            items.append((SYNTAX, source.absolute, path, source.language))
    if defer is not None:
        deep = [item for item in items if item[0] != SYNTAX]
        if workers.pooled(deep, sizes):
            return Pending(files, sources, workers, items, defer, sizes, then)
        items = deep  # here, the syntax checks wait for the end (a file read on demand is parsed once)
    _adopt(files, sources, workers.run(items, sizes))
    return None


def _adopt(files: dict[str, FileFacts], sources: dict[str, SourceFile], results: list[tuple[str, object]]) -> None:
    for path, result in results:
        facts = files[path]
        if isinstance(result, FileFacts):
            facts.adopt(result)
            if not facts.has_ir:  # a body without its IR: lowering it, if ever, needs the tree alone
                source = sources[path]
                facts.attach_ir_loader(_IrLoader(source.absolute, path, source.language))
        elif result is not None and not facts.syntax_checked:  # (a file read on demand meanwhile has its verdict)
            facts.problems.extend(result)
            facts.syntax_checked = True
            facts.fresh_body = True  # the cache should keep the verdict


class _Promise:
    """What a file waits for while the pool extracts it (``FileFacts.attach_pending``): its batch,
    whose facts are adopted into every file of the batch when it arrives."""

    __slots__ = ("pending", "index")

    def __init__(self, pending: Pending, index: int) -> None:
        self.pending, self.index = pending, index

    def __call__(self) -> None:
        self.pending.wait(self.index)


# Files per batch of a deferred extraction: small enough that the first ones the analysis reads
# arrive early, large enough that a batch's pickling and round trip stay small beside its parses.
DEFERRED_BATCH_FILES = 12


class Pending:
    """A deep extraction submitted to the pool and not waited for: the ``first`` paths (the ones
    the analysis reads at once, in its order) lead, dealt over the workers, then the rest largest
    first (or in the order ``then`` expects them to be read), then the syntax-only checks (read
    last, by the parse family).  Each body file carries a
    :class:`_Promise` until its batch is adopted; :meth:`drain` adopts every batch left."""

    def __init__(self, files, sources, workers: Workers, items, first, sizes, then=()) -> None:
        self.files, self.sources = files, sources
        rank = {path: index for index, path in enumerate(first)}
        expected = {path: index for index, path in enumerate(then)}
        deep = [item for item in items if item[0] != SYNTAX]
        leading = sorted((item for item in deep if item[2] in rank), key=lambda item: rank[item[2]])
        rest = sorted((item for item in deep if item[2] not in rank),
                      key=lambda item: (expected.get(item[2], len(expected)), -sizes.get(item[2], 0), item[2]))
        syntax = sorted((item for item in items if item[0] == SYNTAX), key=lambda item: (-sizes.get(item[2], 0), item[2]))
        lanes = max(1, workers.jobs)
        step = max(1, -(-len(leading) // lanes))  # the files read first: one batch per worker
        batches = [leading[index : index + step] for index in range(0, len(leading), step)]
        for group in (rest, syntax):
            batches += [group[index : index + DEFERRED_BATCH_FILES] for index in range(0, len(group), DEFERRED_BATCH_FILES)]
        self.batches = batches
        self.done = [False] * len(batches)
        self.collect = workers.start_each(batches)
        for index, batch in enumerate(batches):
            for mode, _absolute, path, _language in batch:
                if mode != SYNTAX:
                    files[path].attach_pending(_Promise(self, index))

    def wait(self, index: int) -> None:
        if self.done[index]:
            return
        self.done[index] = True
        _adopt(self.files, self.sources, self.collect(index))

    def drain(self) -> None:
        for index in range(len(self.batches)):
            self.wait(index)
