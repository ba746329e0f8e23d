"""What AL304 (schema never created) asks about start-up: whether the code that creates the schema
runs when the server starts, and where it should go.

* :func:`never_run` — every schema-creating call (``create_all()``, ``sequelize.sync()``, …) sits
  under ``if __name__ == "__main__":`` (or in a function only that block calls, or that nothing
  calls or references), while the project's start command *imports* the app (``flask run``,
  ``gunicorn app:app``, ``uvicorn app.main:app`` in run.sh, a Dockerfile ``CMD``, a Procfile):
  the block never runs, so the tables are never created.
* :func:`where_to_create` — the module the start command imports or runs (the place a
  ``create_all()`` belongs), for the finding's guidance.

Start commands are read by :mod:`archlint.domain.startup`; calls and references from the IR.
"""

from __future__ import annotations

import re

from archlint.domain import ir
from archlint.domain.records import NamedTuple
from archlint.domain.schema_sync import creates_schema
from archlint.domain.startup import entry_points, module_path_candidates
from archlint.semantics import values as v


class Site(NamedTuple):
    path: str
    span: object
    method: str


def schema_calls(program, own, holders: dict[str, frozenset[str]]) -> list[Site]:
    """Schema-creating calls (:func:`~archlint.domain.schema_sync.creates_schema`) in the Python
    modules read: ``metadata.create_all(...)`` — the access sites do not include the ones on a
    declarative base's ``metadata``, which is not a DB handle."""
    found = []
    for path in sorted(program.modules) if program is not None else ():
        module = program.modules[path]
        if module.language != "python" or not own(path):
            continue
        for function in module.functions:
            for call in ir.calls_in(function.body):
                if creates_schema(call, holders):
                    found.append(Site(path, call.span, call.method or "create_all"))
    return found


class NeverRun(NamedTuple):
    path: str  # the schema call
    span: object
    call: str  # "create_all()"
    why: str  # "only under `if __name__ == \"__main__\":`" / "in `init_db()`, which nothing calls"
    entry: object  # the EntryPoint that imports the app
    uncalled: str  # the function nothing calls (``init_db``), "" when the call is under the main block


def never_run(manifest, program, sites: list) -> NeverRun | None:
    """The first schema site when *none* of ``sites`` (DbAccess of category ``schema``) runs at
    start-up; ``None`` as soon as one may run (or archlint cannot tell)."""
    if program is None or not sites:
        return None
    entries = entry_points(manifest)
    importing = [e for e in entries if not e.as_script]
    if not importing:
        return None  # no start command imports the app: archlint does not know what runs at start
    scripts = {_base(e.path) + candidate for e in entries if e.as_script for candidate in module_path_candidates(e.module)}
    started = _named_by_commands(manifest, entries)
    reasons = []
    for site in sites:
        module = program.modules.get(site.path)
        if module is None or module.language != "python":
            return None
        reason = _why_not_run(program, site, module, scripts, started)
        if reason is None:
            return None
        reasons.append((site, reason))
    site, (reason, uncalled) = reasons[0]
    return NeverRun(site.path, site.span, site.method + "()", reason, importing[0], uncalled)


def _named_by_commands(manifest, entries) -> set[str]:
    """Function names a start command calls itself: ``gunicorn 'app:create_app()'``,
    ``python -c "from app.db import init_db; init_db()"``, ``flask --app app:make_app``; and the
    factories ``flask run`` finds on its own (``create_app``/``make_app``, whatever the command)."""
    # A start command is a shell string from a config file (Procfile, package.json scripts, a
    # Dockerfile CMD), not code archlint has an IR for: its identifier-shaped words are the names
    # it can call, so a word split of the string is the reading, not a pattern over argument text.
    names = {word for _path, _line, command in manifest.commands for word in re.findall(r"[A-Za-z_]\w*", command)}
    return names | {"create_app", "make_app"}  # what `flask run` / FLASK_APP find on their own


def _why_not_run(program, site, module: ir.ModuleIR, scripts: set, started: set) -> tuple[str, str] | None:
    """Why the site never runs at start (and the uncalled function's name), or ``None``."""
    function = _enclosing(module, site.span)
    if function is None or function.kind == "module":
        if _under_main(module, site.span):
            if site.path in scripts:
                return None  # `python app.py` runs the block
            return "only under `if __name__ == \"__main__\":`", ""
        return None  # module level: runs when the module is imported
    if function.decorators or function.parent > 0 or function.cls >= 0:
        return None  # a startup hook, a nested helper, a method: archlint does not judge it
    if function.name in started:
        return None  # the start command calls it (a factory, `python -c "…; init_db()"`)
    callers = _callers(program, site.path, function)
    if callers is None:
        return None
    if not callers:
        return f"in `{function.name}()`, which nothing calls or registers", function.name
    main_only = [c for c in callers if c[2]]
    if len(main_only) == len(callers):
        if any(path in scripts for path, _span, _main in callers):
            return None
        return f"in `{function.name}()`, which only `if __name__ == \"__main__\":` calls", ""
    return None


def _enclosing(module: ir.ModuleIR, span) -> ir.Function | None:
    best = None
    for function in module.functions:
        if function.span.line <= span.line <= function.span.end_line:
            if best is None or function.span.line >= best.span.line:
                best = function
    return best


def _main_blocks(module: ir.ModuleIR) -> list:
    blocks = []
    for statement in module.module.body:
        if type(statement) is ir.If and _is_main_test(statement.test):
            blocks.append(statement)
    return blocks


def _is_main_test(test) -> bool:
    return type(test) is ir.Compare and test.op == "==" and any(
        type(side) is ir.Name and side.id == "__name__" for side in (test.left, test.right)) and any(
        type(side) is ir.Const and side.value == "__main__" for side in (test.left, test.right))


def _under_main(module: ir.ModuleIR, span) -> bool:
    return any(block.span.line <= span.line <= block.span.end_line for block in _main_blocks(module))


def _callers(program, path: str, function: ir.Function):
    """(path, span, under-main) of every reference to the function — a call or a mention (passed
    as a hook, registered as a command) — in its module and the modules importing it.  A
    reference to that name archlint cannot resolve counts as a caller outside the main block."""
    found = []
    for module_path in _importers(program, path):
        module = program.modules.get(module_path)
        if module is None or module.language != "python":
            continue
        for other in module.functions:
            if other.fid == function.fid and module_path == path:
                continue
            nodes = list(ir.iter_nodes(other.body)) + list(ir.iter_nodes(other.decorators))
            bound = {id(target) for node in nodes if type(node) is ir.Assign for target in node.targets}
            for node in nodes:
                if id(node) in bound:
                    continue  # `def init_db` binds the name; it does not use it
                kind = type(node)
                if not ((kind is ir.Name and node.id == function.name) or (kind is ir.Attr and node.name == function.name)):
                    continue
                if kind is ir.Name and other.kind != "module" and other.scope_of(node.id) != "outer":
                    continue  # a local of the same name
                value = program.static_value(module_path, node)
                if type(value) is v.Function and (value.path, value.fid) != (path, function.fid):
                    continue  # another function of that name
                main = other.kind == "module" and type(value) is v.Function and _under_main(module, node.span)
                found.append((module_path, node.span, main))
    return found


def _importers(program, path: str) -> list[str]:
    """The module and every module importing it, directly or through others (a package
    ``__init__`` re-exporting ``init_db`` is imported by the ``wsgi.py`` that calls it)."""
    seen = {path}
    queue = [path]
    while queue:
        for edge in program.graph.in_edges(queue.pop()):
            if edge.source not in seen:
                seen.add(edge.source)
                queue.append(edge.source)
    return [path] + sorted(seen - {path})


def where_to_create(manifest, files) -> str:
    """Where the start command enters the app: ``app/main.py (what `uvicorn app.main:app` in
    run.sh imports)``; ``""`` when no start command names a project module."""
    for entry in entry_points(manifest):
        base = _base(entry.path)
        for candidate in module_path_candidates(entry.module):
            matches = [p for p in files if p == base + candidate or p == candidate]
            if matches:
                how = "runs" if entry.as_script else "imports"
                return f"`{sorted(matches)[0]}` (what `{entry.command.strip()}` in {entry.path} {how})"
    return ""


def _base(path: str) -> str:
    """The directory of the file a start command is written in (its commands run from there)."""
    return path.rsplit("/", 1)[0] + "/" if "/" in path else ""
