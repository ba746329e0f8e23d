"""Which files get the deep pass: the data-layer plan.

Decided from the cheap pass (imports, string signals) and, round by round, from the bodies of the
files already planned: a file is deep when it imports a driver or ORM, holds SQL-looking or DB-URL
strings, or imports a data-layer *name* (a DB handle, session provider, declarative base, or a model
it uses as ``Model.objects`` / ``Model.query``) from a deep file — never because it imports something
that imports a DB module (on saleor that pulled 1,461 bodies).  Flask routes and SQL-sink users get
bodies too, for the framework and SQL families.  Each round's bodies are extracted in parallel
before the next round looks at them.
"""

from __future__ import annotations

import re

from archlint.application.parsing import Workers, deepen

_MANAGER = b"(?:objects|query)"


def plan_deep(files, graph, knowledge_tables, sources, workers: Workers, sizes, reads: dict[str, list] | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """The data-layer files, found from the cheap pass and grown along the names they export
    (``datalayer.follow_names``), each round's bodies extracted in parallel before the next;
    and every file whose body was extracted (plus Flask routes and SQL-sink users).  ``reads``
    collects what the plan asked of each file's bytes (a dependency of what it decided)."""
    from archlint.domain.datalayer import body_seeds, follow_names, seed_candidates

    mentions = _mentions(sources, reads if reads is not None else {})
    deep, candidates = seed_candidates(files, graph, knowledge_tables, mentions)
    others = _framework_files(files, graph, knowledge_tables, mentions)  # bodies, not data-layer files
    frontier = deep | others | set(candidates)  # a candidate's calls are read once the pool extracted its body
    while frontier:
        deepen(files, sources, frontier, set(), workers, sizes)
        if candidates:
            deep |= body_seeds(files, graph, knowledge_tables, candidates)
            candidates = {}
        frontier = follow_names(files, graph, knowledge_tables, deep, mentions)
        deep |= frontier
    bodies = deep | others | {path for path, facts in files.items() if facts.language != "python"}
    return frozenset(deep), frozenset(bodies)


def _framework_files(files, graph, knowledge_tables, mentions) -> set[str]:
    """Python files whose bodies the framework and SQL families read outside the data layer:
    Flask/Quart routes (AL801), and files that import a SQL sink's module *and* name the sink
    (``.extra(``, ``RawSQL``, ``op.execute``) — not every file importing django."""
    from archlint.domain.knowledge import module_matches
    from archlint.domain.sql import sql_knowledge

    sql = sql_knowledge(knowledge_tables)
    functions: dict[str, set[str]] = {}  # module -> sink functions named in a file (RawSQL, text)
    methods: dict[str, set[str]] = {}  # module -> sink methods called in a file (`.extra(`)
    for sink in sql.sinks:
        for module in sink.requires_modules:
            methods.setdefault(module, set()).update(sink.callee_methods)
        for function in sink.functions:
            module, _, name = function.replace(":", ".").rpartition(".")
            functions.setdefault(module.split(".")[0], set()).add(name)
    found = set()
    for path, facts in files.items():
        if facts.language != "python" or not facts.parsed:
            continue
        externals = [edge.target for edge in graph.out_edges(path) if edge.external]
        if any(module_matches(target, m) for target in externals for m in ("flask", "quart")):
            found.add(path)
            continue
        names = {n for target in externals for module, wanted in functions.items() if module_matches(target, module) for n in wanted}
        called = {n for target in externals for module, wanted in methods.items() if module_matches(target, module) for n in wanted}
        if (names or called) and mentions(path, names, set(), called):
            found.add(path)
    return found


def _mentions(sources, reads: dict[str, list]):
    """``mentions(path, words, managed)`` for the plan: a regex over the file's bytes (re-read:
    the cheap pass keeps no text), so a model import only counts where ``Model.objects`` is used.
    Every question asked of a file is recorded in ``reads[path]`` as ``(words, managed, methods,
    answer)``: the deep-findings cache asks them again of an edited file (``mentioned``)."""

    def mentions(path: str, words: set[str], managed: set[str], methods: set[str] = frozenset()) -> bool:
        data = read_source(sources, path)
        question = (tuple(sorted(words)), tuple(sorted(managed)), tuple(sorted(methods)))
        answer = data is not None and mentioned(data, *question)
        reads.setdefault(path, []).append((*question, answer))
        return answer

    return mentions


def read_source(sources, path: str) -> bytes | None:
    """A source file's bytes, read again (the cheap pass keeps no text); ``None`` when unreadable — the
    plan then assumes the most."""
    source = sources.get(path)
    if source is None:
        return None
    try:
        with open(source.absolute, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def mentioned(data: bytes, words, managed, methods) -> bool:
    """Whether ``data`` names one of ``words``, uses one of ``managed`` as ``Model.objects`` /
    ``Model.query``, or calls one of ``methods``."""
    parts = []
    if words:
        parts.append(rb"\b(?:" + b"|".join(re.escape(w.encode()) for w in sorted(words)) + rb")\b")
    if managed:
        names = b"|".join(re.escape(m.encode()) for m in sorted(managed))
        parts.append(rb"\b(?:" + names + rb")\s*\.\s*" + _MANAGER + rb"\b")
    if methods:  # a call of the method, not the word (`extra` is everywhere, `.extra(` is a sink)
        parts.append(rb"\.\s*(?:" + b"|".join(re.escape(m.encode()) for m in sorted(methods)) + rb")\s*\(")
    return re.search(b"|".join(parts), data) is not None


def reached_scripts(files, graph, start) -> set[str]:
    """The JS/TS project files ``start`` imports, transitively: what the semantic model lowers on
    first use when a call or an import it follows reaches them (``ModuleTable``), one at a time in
    this process.  Extracted up front with the semantic files, in one batch, they are parsed and
    lowered by the pool instead (effect's TypeScript sources: the model reached 353 modules beyond
    its 26, all through imports; their closure here is 373, the 20 more are re-exports it never
    followed).  Python files are left to the on-demand loader: a Django project's import closure
    is most of the project, of which the model reads a part."""
    reached: set[str] = set()
    todo = [path for path in start if path in files and files[path].language != "python"]
    seen = set(todo)
    while todo:
        path = todo.pop()
        for edge in graph.out_edges(path):
            target = edge.target
            if edge.external or target in seen:
                continue
            seen.add(target)
            facts = files.get(target)
            if facts is not None and facts.parsed and facts.language not in ("python", "unknown"):
                reached.add(target)
                todo.append(target)
    return reached - set(start)
