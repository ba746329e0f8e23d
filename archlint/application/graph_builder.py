"""Connect per-file facts into one module graph across Python and JS/TS.

Resolution needs the whole project (source roots, tsconfig paths, package.json imports), so it
happens here, after the per-file (cacheable) facts exist.
"""

from __future__ import annotations

from archlint.adapters.resolution.python import PythonResolver
from functools import lru_cache

from archlint.domain.facts import OPAQUE, REGISTRY, RUNTIME, TYPE_ONLY, FileFacts, Import, Span, is_declaration_file
from archlint.domain.graph import BindingTarget, Edge, ModuleGraph
from archlint.domain.manifest import Manifest


def build_graph(files: dict[str, FileFacts], manifest: Manifest, other_files: list[str], source_roots) -> ModuleGraph:
    graph = ModuleGraph()
    python_paths = sorted(p for p, f in files.items() if f.language == "python")
    js_paths = sorted(p for p, f in files.items() if f.language != "python")
    python = PythonResolver(python_paths, other_files, list(source_roots)) if python_paths else None
    js = _js_resolver(js_paths, manifest, other_files) if js_paths else None
    for path in python_paths:
        graph.modules[path] = python.module_name(path)  # type: ignore[union-attr]
    for path in js_paths:
        graph.modules[path] = path.rsplit(".", 1)[0]
    for path in sorted(files):
        facts = files[path]
        declaration = facts.language != "python" and is_declaration_file(path)
        for imp in facts.imports:
            if imp.kind in (OPAQUE, REGISTRY):
                continue
            if declaration and imp.kind != TYPE_ONLY:
                imp = imp._replace(kind=TYPE_ONLY)  # a .d.ts never loads: its imports cannot form a load-time cycle
            if facts.language == "python":
                targets = [(t.path, t.external) for t in python.resolve(path, imp)]  # type: ignore[union-attr]
                specifier = "." * imp.level + imp.module
            elif imp.module.endswith("/*"):  # a directory loader (computed_imports)
                targets = [(sibling, False) for sibling in _siblings(js_paths, path, imp.module)]
                specifier = imp.module
            else:
                targets = _js_targets(js, path, imp.module)
                specifier = imp.module
            if not targets:
                graph.unresolved.append(Edge(path, specifier, False, imp.kind, imp.span, specifier))
            for target, external in targets:
                graph.add(Edge(path, target, external, imp.kind, imp.span, specifier))
    graph.binding_resolver = _binding_resolver(files, python, js)
    return graph


_NO_SPAN = Span(1, 1, 1, 1)


def _siblings(js_paths: list[str], path: str, loaded: str) -> list[str]:
    """The modules a directory loader (``./*``, ``./routes/*``) loads: the other JS/TS files of
    that directory (not declaration files or tests)."""
    import posixpath

    from archlint.domain.datalayer import non_production

    folder = posixpath.normpath(posixpath.join(path.rpartition("/")[0], loaded[:-2]))
    folder = "" if folder == "." else folder
    return [
        other for other in js_paths
        if other != path and other.rpartition("/")[0] == folder and not other.endswith(".d.ts") and not non_production(other)
    ]


def _binding_resolver(files: dict[str, FileFacts], python, js):
    """``(importer, "app.db:SessionLocal")`` -> where that name really lives."""

    @lru_cache(maxsize=None)
    def resolve(path: str, target: str) -> BindingTarget:
        module, _, attr = target.partition(":")
        facts = files.get(path)
        if facts is not None and facts.language == "python" and python is not None:
            stripped = module.lstrip(".")
            level = len(module) - len(stripped)
            names = (attr.split(".")[0],) if attr else ()
            found = python.resolve(path, Import(stripped, names, RUNTIME, _NO_SPAN, level))
            if found and not found[0].external:
                file = found[0].path
                if attr and file.endswith(("/" + attr.split(".")[0] + ".py", "/" + attr.split(".")[0] + "/__init__.py")):
                    # a submodule — unless the name is the module's own namesake attribute
                    # (`from app.db.queries.queries import queries`: the file queries.py, its global `queries`)
                    itself = python.resolve(path, Import(stripped, (), RUNTIME, _NO_SPAN, level))
                    if not (itself and itself[0].path == file):
                        return BindingTarget(file, attr.partition(".")[2], None)
                return BindingTarget(file, attr, None)
            dotted = ".".join(part for part in (stripped, attr) if part)
            return BindingTarget(None, attr, dotted)
        if js is not None:
            kind, value = js.resolve(path, module)
            if kind == "internal":
                return BindingTarget(value, attr, None)
        return BindingTarget(None, attr, target)

    return resolve


def _js_resolver(js_paths: list[str], manifest: Manifest, other_files: list[str]):
    from archlint.adapters.resolution.javascript import JsResolver

    known = set(js_paths) | {p for p in other_files if p.endswith(".json")}
    return JsResolver(known, manifest.tsconfigs, manifest.packages)


def _js_targets(js, importer: str, specifier: str) -> list[tuple[str, bool]]:
    kind, value = js.resolve(importer, specifier)
    if kind == "internal":
        return [(value, False)]
    if kind == "external":
        return [(value, True)]
    return []
