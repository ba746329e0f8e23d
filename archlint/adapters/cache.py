"""Content-hash cache of per-file facts.

Facts depend only on a file's bytes, on archlint's own frontend code and on the knowledge tables the
frontends read (``rules/knowledge``: module forks, TypeScript's emitted helpers), so the key is a hash of
the content; a renamed or copied file hits the cache too.  One *pack* file per analysed root
holds every entry: a warm run is then one read and one unpickle instead of a thousand small
files.  Writes go to a temporary file renamed into place, so concurrent runs never see a torn
pack (the last writer wins, which is harmless: entries are keyed by content).
"""

from __future__ import annotations

import os
import pickle
import struct
from pathlib import Path

import archlint
from archlint.adapters.digest import blake2b
from archlint.domain.facts import FileFacts, SpooledBlob, from_packed

# 2: the pack also holds the deep findings of the last run (see get_deep); 3: the entries' bodies and
# IR follow the header pickle as a stream of blobs (see FactsCache.save); 4: the heads are pickled
# in chunks, each followed by its entries' blobs
_FORMAT = 4
_BLOB_SIZES = struct.Struct("<qq")  # an entry's body and IR blob sizes; -1: none
# Heads per pickle of the pack: one pickle's memo holds every object it wrote until it is done (all
# heads of the saleor-sized tree in one: 16 MiB at the save, the cold run's peak), and a chunk still
# shares the texts its heads repeat (module names, kinds)
HEADS_PER_CHUNK = 512


def default_cache_dir() -> str:
    configured = os.environ.get("ARCHLINT_CACHE_DIR")
    if configured:
        return configured
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "archlint")


def content_hash(data: bytes, language: str) -> str:
    return blake2b(data, digest_size=16, person=language.encode()[:16]).hexdigest()


def code_and_data_fingerprint() -> str:
    """Changes when any archlint module or any file in rules/ changes (a result-cache key part)."""
    package = os.path.dirname(os.path.realpath(archlint.__file__))
    parts = [archlint.__version__]
    for root in (package, os.path.join(package, "_rules"), os.path.join(os.path.dirname(package), "rules")):
        if os.path.isdir(root):
            _stat_tree(root, "", parts)
    return blake2b("|".join(parts).encode(), digest_size=16).hexdigest()


def _stat_tree(directory: str, prefix: str, parts: list[str]) -> None:
    """``relative/path:size:mtime_ns`` of every ``.py`` / ``.toml`` file under ``directory``, in
    name order (os.scandir, not pathlib: a warm run pays for this walk every time)."""
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=True) and entry.name != "__pycache__":
            _stat_tree(entry.path, f"{prefix}{entry.name}/", parts)
        elif entry.name.endswith((".py", ".toml")):
            try:
                stat = entry.stat()
            except OSError:
                continue
            parts.append(f"{prefix}{entry.name}:{stat.st_size}:{stat.st_mtime_ns}")


def _code_fingerprint() -> str:
    """Changes when archlint's version, any frontend/fact-model source or any knowledge table changes."""
    from archlint.adapters.knowledge import rules_dir

    package = Path(archlint.__file__).resolve().parent
    parts = [archlint.__version__, str(_FORMAT)]
    for target in (package / "domain/facts.py", package / "domain/ir.py", package / "adapters/frontends", rules_dir() / "knowledge"):
        files = sorted((*target.glob("*.py"), *target.glob("*.toml"))) if target.is_dir() else [target]
        for path in files:
            stat = path.stat()
            parts.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return blake2b("|".join(parts).encode(), digest_size=8).hexdigest()


class FactsCache:
    def __init__(self, directory: str, root: str) -> None:
        key = blake2b(os.path.realpath(root).encode(), digest_size=10).hexdigest()
        self.path = os.path.join(directory, "packs", f"{key}.pickle")
        self.fingerprint = _code_fingerprint()
        self.entries: dict[str, FileFacts] = {}
        self.used: dict[str, FileFacts] = {}
        self.dirty = False
        self.result: tuple[str, object] | None = None  # (key, findings) of the last full run
        self.deep: dict | None = None  # the deep families' findings of the last run and what they read
        self._load()

    def _load(self) -> None:
        try:
            with open(self.path, "rb") as handle:
                payload = pickle.load(handle)
                if not isinstance(payload, dict) or payload.get("fingerprint") != self.fingerprint:
                    return
                entries = _read_entries(handle, payload.get("heads", 0))
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError, struct.error):
            return
        self.entries = entries
        result = payload.get("result")
        self.result = result if isinstance(result, tuple) and len(result) == 2 else None
        deep = payload.get("deep")
        self.deep = deep if isinstance(deep, dict) else None

    def get(self, digest: str, path: str) -> FileFacts | None:
        facts = self.entries.get(digest)
        if facts is None:
            return None
        self.used[digest] = facts
        return facts if facts.path == path else facts.with_path(path)

    def peek(self, digest: str) -> FileFacts | None:
        """The cached facts of this content, without keeping them for the next pack."""
        return self.entries.get(digest)

    def put(self, facts: FileFacts) -> None:
        self.used[facts.content_hash] = facts
        self.dirty = True

    def get_result(self, key: str):
        """The findings of the last run, if its whole input (every file, config, archlint itself)
        hashes to ``key`` — the checks are whole-program, so only an identical tree may reuse them."""
        return self.result[1] if self.result is not None and self.result[0] == key else None

    def put_result(self, key: str, findings) -> None:
        if self.result is None or self.result[0] != key:
            self.result = (key, findings)
            self.dirty = True

    def get_deep(self) -> dict | None:
        """The last run's deep-findings entry (``application/deep_reuse.py`` decides whether it
        still holds); archlint's whole code and data are part of its key there."""
        return self.deep

    def put_deep(self, entry: dict) -> None:
        if self.deep != entry:
            self.deep = entry
            self.dirty = True

    def save(self) -> None:
        """Keep exactly the entries of this run, so the pack never grows without bound.

        Call it after the checks ran: bodies extracted on demand during the run are then part of
        the entries, so the next run finds them without re-parsing.

        The pack is a header pickle (fingerprint, findings, how many heads), then the heads in
        chunks of ``HEADS_PER_CHUNK``: a pickle of the chunk's heads (imports, problems, signals:
        their repeated texts memoised once per chunk), then each of its entries' body and IR
        blob, written one at a time.  In the one pickle they were before, the pickler's memo held
        every blob it had written until the whole pack was done: a cold run's peak was its save,
        all bodies and IR pickled at once beside their records (saleor-sized tree, ``--jobs 1``:
        449 MiB against 368 without a cache); with all heads in one pickle, its memo still held
        16 MiB of them."""
        fresh = any(facts.fresh_body or facts.fresh_ir for facts in self.used.values())
        if not self.dirty and not fresh and len(self.used) == len(self.entries):
            return
        import tempfile  # only when writing: keeps a warm, unchanged run's imports light

        directory = os.path.dirname(self.path)
        try:
            os.makedirs(directory, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                payload = {"fingerprint": self.fingerprint, "heads": len(self.used), "result": self.result, "deep": self.deep}
                pickle.dump(payload, stream, protocol=pickle.HIGHEST_PROTOCOL)
                used = list(self.used.items())
                for start in range(0, len(used), HEADS_PER_CHUNK):
                    chunk = used[start : start + HEADS_PER_CHUNK]
                    pickle.dump([(digest, facts.head_state()) for digest, facts in chunk], stream, protocol=pickle.HIGHEST_PROTOCOL)
                    _write_blobs(stream, [facts for _digest, facts in chunk])
            os.replace(temporary, self.path)
        except OSError:
            return  # a read-only cache location must never fail the analysis


def read_spooled(blob: SpooledBlob) -> bytes | None:
    """The bytes of a blob a pool worker spooled, ``None`` when its spool is gone or short (the
    save then pickles the records the facts hold)."""
    try:
        with open(blob.path, "rb") as handle:
            handle.seek(blob.offset)
            data = handle.read(blob.size)
    except OSError:
        return None
    return data if len(data) == blob.size else None


def _write_blobs(stream, entries) -> None:
    """Each entry's body and IR blob after its chunk's heads, in the heads' order: both sizes
    (``-1`` for none), then the bytes.  A body or IR read as records is pickled into the stream
    here (``FileFacts.dump_blobs``), its sizes written in front of it once known."""
    sizes = _BLOB_SIZES.pack
    for facts in entries:
        position = stream.tell()
        stream.write(sizes(-1, -1))
        body, ir = facts.dump_blobs(stream, read_spooled)
        end = stream.tell()
        stream.seek(position)
        stream.write(sizes(body, ir))
        stream.seek(end)


def _read_entries(handle, count: int) -> dict[str, FileFacts]:
    """The ``count`` entries of a pack whose header pickle was read from ``handle``: chunk after
    chunk, its heads, then each head's body and IR blobs, left pickled until first read
    (``FileFacts.body`` / ``ir``)."""
    entries: dict[str, FileFacts] = {}
    read, size, unpack = handle.read, _BLOB_SIZES.size, _BLOB_SIZES.unpack
    while len(entries) < count:
        chunk = pickle.load(handle)
        if not chunk:
            raise ValueError("empty chunk")
        for digest, state in chunk:
            body_size, ir_size = unpack(read(size))
            body = read(body_size) if body_size >= 0 else None
            ir = read(ir_size) if ir_size >= 0 else None
            if (body is not None and len(body) != body_size) or (ir is not None and len(ir) != ir_size):
                raise EOFError("truncated pack")
            entries[digest] = from_packed(state, body, ir)
    return entries
