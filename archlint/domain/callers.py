"""Which modules an import really reaches: the deep scope's notion of a caller.

A file is a caller of the data layer through the names it imports, not through the modules it
names: ``import {Effect} from "./index"`` reaches the module that defines ``Effect``, not every
module the barrel ``index.ts`` re-exports.  :class:`ImportedNames` follows an imported name through
re-exports — JS/TS ``export * from``, ``export * as N from``, ``export {a as b} from`` (the
frontend's ``reexports``), Python ``from .x import a`` / ``from .x import *`` in the importing
module (read from the head: no body is extracted for it) — to the modules that may define it.

A Python file planned only for its SQL-looking strings (no driver, ORM or framework import) holds
no DB value: :func:`sql_users` finds the importers of names that may carry its SQL text
(:func:`sql_names`), which may run it; the semantic model's callers start from files holding DB values.

Where the facts cannot tell (a CommonJS ``module.exports = {...}``, a name a Python module may
define itself or take from a star import) every candidate is kept: the scope may be wider than
needed, never narrower.
"""

from __future__ import annotations

import re

from archlint.domain.facts import TYPE_ONLY


class ImportedNames:
    def __init__(self, files, graph) -> None:
        self.files = files
        self.graph = graph
        self._targets: dict[str, dict] = {}
        self._uses: dict[tuple, frozenset[str]] = {}
        self._resolved: dict[tuple[str, str], frozenset[str]] = {}
        self._closures: dict[str, frozenset[str]] = {}
        self._reexports: dict[str, frozenset] = {}

    def uses(self, path: str, into=None) -> list[tuple[frozenset[str], bool]]:
        """``path``'s imports of project files (of those in ``into`` only, when given), each as
        (the modules that define what it imports, whether the import is type-only); JS/TS
        re-exports are not uses."""
        facts = self.files.get(path)
        if facts is None or not facts.parsed:
            return []
        targets = self.targets(path)
        reexported = self.reexport_spans(path)
        found = []
        for record in facts.imports:
            internal = targets.get(record.span)
            if not internal or record.span in reexported or (into is not None and into.isdisjoint(internal)):
                continue
            key = (path, record.span, record.names)
            reached = self._uses.get(key)
            if reached is None:
                reached = self._uses[key] = self._reached(facts, record, internal)
            found.append((reached, record.kind == TYPE_ONLY))
        return found

    def _reached(self, facts, record, internal) -> frozenset[str]:
        reached: set[str] = set()
        python = facts.language == "python"
        for target in internal:
            if not record.names or "*" in record.names or (python and _submodule(target, record.names)):
                reached |= self.closure(target)  # the module object, or all it hands out
            else:
                for name in record.names:
                    reached |= self.resolve(target, name)
        return frozenset(reached)

    def targets(self, path: str) -> dict:
        """Import span -> the project files that import resolves to."""
        found = self._targets.get(path)
        if found is None:
            found = self._targets[path] = {}
            for edge in self.graph.out_edges(path):
                if not edge.external and edge.target in self.files:
                    found.setdefault(edge.span, []).append(edge.target)
        return found

    def reexport_spans(self, path: str) -> frozenset:
        """The spans of ``path``'s JS/TS re-export statements."""
        found = self._reexports.get(path)
        if found is None:
            facts = self.files[path]
            found = self._reexports[path] = frozenset(
                () if facts.language == "python" or not facts.has_body else (span for span, _i, _e in facts.reexports))
        return found

    def resolve(self, module: str, name: str) -> frozenset[str]:
        """The modules that may define ``name`` as imported from ``module``."""
        key = (module, name)
        found = self._resolved.get(key)
        if found is None:
            self._resolved[key] = frozenset((module,))  # an import cycle: the module itself
            found = self._resolved[key] = frozenset(self._resolve(module, name) or (module,))
        return found

    def _resolve(self, module: str, name: str) -> set[str]:
        facts = self.files[module]
        targets = self.targets(module)
        found: set[str] = set()
        if facts.language == "python":
            for record in facts.imports:
                if name in record.names and record.kind != TYPE_ONLY:
                    for target in targets.get(record.span, ()):
                        found |= self.closure(target) if _submodule(target, (name,)) else self.resolve(target, name)
            if found:  # a plain module's importers count as its callers too, a level up, as before
                return found if _package(module) else found | {module}
            found.add(module)  # defined here, or taken from a star import
            for record in facts.imports:
                if "*" in record.names:
                    for target in targets.get(record.span, ()):
                        found |= self.resolve(target, name)
            return found
        if not facts.has_body:
            return self.closure(module)
        for span, imported, exported in facts.reexports:
            for target in targets.get(span, ()):
                if exported == "*":  # export * from: only if that module hands the name out
                    if self.exports(target, name):
                        found |= self.resolve(target, name)
                elif exported == name:
                    found |= self.closure(target) if imported == "*" else self.resolve(target, name=imported)
        if found:
            return found
        if name in facts.exports or name == "default":
            return {module}
        # not listed (`module.exports = {...}`, a form the frontend does not list): the module
        # and whatever it imports
        return {module} | {t for ts in targets.values() for t in ts}

    def exports(self, module: str, name: str, seen=None) -> bool:
        """Whether ``module`` hands ``name`` out (itself or through its ``export *``)."""
        facts = self.files[module]
        if facts.language == "python" or not facts.has_body or name in facts.exports:
            return True
        seen = seen if seen is not None else set()
        if module in seen:
            return False
        seen.add(module)
        targets = self.targets(module)
        return any(self.exports(t, name, seen) for span, _imported, exported in facts.reexports
                   if exported == "*" for t in targets.get(span, ()))

    def closure(self, module: str) -> frozenset[str]:
        """A module used whole (``import * as ns``, ``import pkg``): the module and everything it
        re-exports (a Python package's ``__init__`` re-exports what it imports)."""
        found = self._closures.get(module)
        if found is not None:
            return found
        self._closures[module] = frozenset((module,))
        facts = self.files[module]
        reached = {module}
        targets = self.targets(module)
        if facts.language == "python":
            spans = [r.span for r in facts.imports if r.kind != TYPE_ONLY and (_package(module) or "*" in r.names)]
        elif facts.has_body:
            spans = [span for span, _imported, _exported in facts.reexports]
        else:
            spans = list(targets)
        for span in spans:
            for target in targets.get(span, ()):
                reached |= self.closure(target)
        found = self._closures[module] = frozenset(reached)
        return found


def _package(path: str) -> bool:
    """A Python package's ``__init__.py``: what it imports, it hands out."""
    return path.rpartition("/")[2] == "__init__.py"


def _submodule(target: str, names) -> bool:
    """``from pkg import mod``: the import resolved to the submodule file itself."""
    stem = target[:-12] if target.endswith("/__init__.py") else target.rsplit(".", 1)[0]
    return stem.rsplit("/", 1)[-1] in names


def _exposing(names: ImportedNames, defining: set[str]) -> set[str]:
    """``defining`` and the barrels that hand out what they define (a re-export, or a package's
    ``__init__`` importing it), transitively."""
    exposing = set(defining)
    stack = list(defining)
    while stack:
        path = stack.pop()
        for edge in names.graph.in_edges(path):
            source = edge.source
            if source not in exposing and source in names.files and (
                    edge.span in names.reexport_spans(source) or _package(source)):
                exposing.add(source)
                stack.append(source)
    return exposing


def callers(names: ImportedNames, level: set[str], marked: set[str]) -> set[str]:
    """The files outside ``level`` that import something defined in it — directly or through
    barrels that re-export it — by a runtime import, or by a type-only one of something defined in
    a ``marked`` file (a DB handle's or a model's type annotates a parameter: receiver typing
    reads it; a type from anywhere else calls nothing)."""
    exposing = _exposing(names, level)
    found = set()
    for source in {edge.source for path in exposing for edge in names.graph.in_edges(path)} - level:
        for reached, type_only in names.uses(source, exposing):
            hit = reached & level
            if hit and (not type_only or hit & marked):
                found.add(source)
                break
    return found


def sql_users(names: ImportedNames, text_only: set[str], read=None) -> set[str]:
    """The files outside ``text_only`` (Python files planned only for their SQL-looking strings)
    that import from one of them — directly or through barrels — a name whose definition may carry
    that SQL text (:func:`sql_names`), or the module whole: they may run the SQL themselves.
    ``read(path)`` gives a file's bytes; without it (or them) every name of the file counts."""
    if not text_only:
        return set()
    wanted = {path: sql_names(names.files[path], read(path) if read is not None else None) for path in text_only}
    exposing = _exposing(names, text_only)
    found = set()
    for source in sorted({edge.source for path in exposing for edge in names.graph.in_edges(path)} - text_only):
        facts = names.files[source]
        if not facts.parsed:
            continue
        targets = names.targets(source)
        reexported = names.reexport_spans(source)
        if any(_carries(names, facts, record, internal, text_only, wanted) for record in facts.imports
               if (internal := targets.get(record.span)) and record.span not in reexported):
            found.add(source)
    return found


def _carries(names: ImportedNames, facts, record, internal, text_only, wanted, seen=None) -> bool:
    """Whether ``record`` (an import in ``facts``' file, of the project files ``internal``) takes a
    name that may carry the SQL of a ``text_only`` file, or a module handing one out."""
    python = facts.language == "python"
    for target in internal:
        if not record.names or "*" in record.names or (python and _submodule(target, record.names)):
            if _hands_out(names, target, text_only, wanted, seen if seen is not None else set()):
                return True
            continue
        for name in record.names:
            for defining in names.resolve(target, name) & text_only:
                carried = wanted[defining]
                if carried is None or name in carried:
                    return True
    return False


def _hands_out(names: ImportedNames, module: str, text_only, wanted, seen: set) -> bool:
    """A module used whole (``import pkg``, ``from pkg import *``): whether one of the names it hands
    out may carry a ``text_only`` file's SQL — its own, or what a Python package (or a star import)
    takes from such a file; a JS/TS module, by everything it re-exports."""
    if module in seen:
        return False
    seen.add(module)
    if module in text_only and wanted[module] != frozenset():
        return True
    facts = names.files[module]
    if facts.language != "python":
        return bool(names.closure(module) & text_only)
    targets = names.targets(module)
    return any(_carries(names, facts, record, internal, text_only, wanted, seen) for record in facts.imports
               if record.kind != TYPE_ONLY and (_package(module) or "*" in record.names)
               and (internal := targets.get(record.span)))


_IDENTIFIER = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")


def sql_names(facts, data: bytes | None) -> frozenset[str] | None:
    """The top-level names of a Python file whose definitions may carry its SQL-looking strings: a
    function or class holding one, or naming (anywhere in its source) another such definition — a
    method calling a helper, a class deriving from one, a callback passed on.  ``None`` (every name)
    when that cannot be told: no bytes or body, a SQL string or a use of such a name at module
    level (a constant, an instance built at import), or a module ``__getattr__``."""
    if data is None or facts.language != "python" or not facts.has_body:
        return None
    units: dict[str, list[tuple[int, int]]] = {}
    spans = [(f.span.line, f.span.end_line, f.name) for f in facts.functions if "." not in f.qualname]
    spans += [(c.span.line, c.span.end_line, c.name) for c in facts.classes]
    spans.sort(key=lambda item: (item[0], -item[1]))
    end = 0
    for start, stop, name in spans:  # the outermost definitions (a nested class lies inside one)
        if start > end:
            units.setdefault(name, []).append((start, stop))
            end = stop
        else:
            end = max(end, stop)
    carrying = set()
    for string in facts.strings:
        top = string.scope.split(".", 1)[0]
        if not top or top not in units:
            return None
        carrying.add(top)
    if "__getattr__" in units:
        return None
    lines = data.split(b"\n")
    inside = [False] * (len(lines) + 2)
    words: dict[str, set[bytes]] = {}
    for name, ranges in units.items():
        found = words.setdefault(name, set())
        for start, stop in ranges:
            for line in range(start, min(stop, len(lines)) + 1):
                inside[line] = True
            found.update(_IDENTIFIER.findall(b"\n".join(lines[start - 1:stop])))
    rest = set(_IDENTIFIER.findall(b"\n".join(line for number, line in enumerate(lines, 1) if not inside[number])))
    grown = True
    while grown:
        grown = False
        encoded = {name.encode() for name in carrying}
        for name in units:
            if name not in carrying and words[name] & encoded:
                carrying.add(name)
                grown = True
    if rest & {name.encode() for name in carrying}:
        return None
    return frozenset(carrying)
