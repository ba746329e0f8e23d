#!/usr/bin/env python3
"""How much of a full check's root analysis a static "quiet root" prediction could ever skip (issue 11).

Usage::

    python bench/quiet_roots.py TREE [--config FILE]

Runs ``archlint check TREE --no-cache --jobs 1`` in this process, times every root analysis
(``Program._analyse_root``, settling reruns included) and prints, on stderr:

* ``roots``: the analyses of record of functions and their CPU;
* ``quiet``: those whose own analysis holds nothing a check reads — no site, construct, loop,
  dereference, event, effect or owned session (the first-run oracle of the last stop: skipping exactly
  these changed AL502 findings, ``tests/test_quiet_callers.py``);
* ``quiet, no project call``: quiet and none of its call records ran a project function;
* two *upper bounds* of a static prediction over the call graph, each counting only quiet roots:
  ``call graph`` — every function the root can reach is quiet too, a call ``x.m(…)`` reaching every
  function named ``m`` (``self.m(…)`` only the methods named ``m`` of the class, its bases and its
  subclasses), a call ``Name(…)`` every function of that name (and any ``__init__`` for a capitalised
  name), any other callee everything; ``+ local`` — and no function on the way writes an attribute or
  an item, declares ``global``/``nonlocal``, defines a nested function or class, is decorated or async
  (what writes the program's shared state: fields, closures, registrations).

Both bounds are optimistic — they take quietness from the oracle, not from a static test, and ignore the
consumers that read other functions' call records or their absence (``semantics/callers.py``,
``constant_arguments.py``, ``Program.called``, ``Program.call_record``) — so a sound prediction proves
at most that much.  This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _quiet(analysis) -> bool:
    return not (analysis.sites or analysis.constructs or analysis.loops or analysis.derefs or analysis.events
                or analysis.summary.effects or analysis.effects or analysis.owned)


def _writes_shared_state(function, ir) -> bool:
    if function.decorators or function.is_async or function.globals:
        return True
    for node in ir.iter_nodes(function.body):
        kind = type(node)
        if kind is ir.Assign and any(type(target) in (ir.Attr, ir.Index) for target in node.targets):
            return True
        if kind is ir.FuncRef or kind is ir.ClassRef:
            return True
    return False


class _CallGraph:
    """Calls by name, ``self.m(…)`` by the class hierarchy; ``None`` for a callee named by nothing."""

    def __init__(self, program, ir) -> None:
        self.ir = ir
        self.functions: dict = {}
        self.by_name: dict = collections.defaultdict(list)
        hierarchy: dict = {}
        for path in list(program.modules):
            module = program.modules.get(path)
            if module is None:
                continue
            for function in module.functions[1:]:
                self.functions[(path, function.fid)] = function
                self.by_name[function.name].append((path, function.fid))
            for cls in module.classes:
                hierarchy[(path, cls.cid)] = {tuple(link) for link in program.mro(path, cls.cid)}
        self.related: dict = collections.defaultdict(set)  # a class -> its bases and subclasses, itself included
        for key, chain in hierarchy.items():
            for base in chain | {key}:
                self.related[key].add(base)
                self.related[base].add(key)

    def callees(self, key) -> list | None:
        path, _fid = key
        function = self.functions[key]
        ir = self.ir
        found = []
        for node in ir.iter_nodes(function.body):
            if type(node) is not ir.Call:
                continue
            func = node.func
            if type(func) is ir.Attr and type(func.obj) is ir.Name and func.obj.id in ("self", "cls") and function.cls >= 0:
                classes = self.related.get((path, function.cls), {(path, function.cls)})
                found += [c for c in self.by_name.get(func.name, ()) if (c[0], self.functions[c].cls) in classes]
            elif type(func) is ir.Attr:
                found += self.by_name.get(func.name, ())
            elif type(func) is ir.Name:
                found += self.by_name.get(func.id, ())
                if func.id[:1].isupper():
                    found += self.by_name.get("__init__", ())
            else:
                return None
        return found


def _provable(graph: _CallGraph, quiet: dict, local: bool) -> set:
    """The roots whose whole reach is quiet (and, with ``local``, writes no shared state): a greatest
    fixpoint, every function assumed provable until something it reaches is not."""
    ir = graph.ir
    callees = {key: graph.callees(key) for key in graph.functions}
    callers: dict = collections.defaultdict(set)
    for key, found in callees.items():
        for callee in set(found or ()):
            callers[callee].add(key)
    bad = [key for key, found in callees.items() if not quiet.get(key, True) or found is None
           or (local and _writes_shared_state(graph.functions[key], ir))]
    good = set(callees) - set(bad)
    while bad:  # whatever reaches an unprovable function is unprovable
        for caller in callers.get(bad.pop(), ()):
            if caller in good:
                good.discard(caller)
                bad.append(caller)
    return good


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree")
    parser.add_argument("--config")
    options = parser.parse_args()
    sys.setrecursionlimit(100_000)
    from archlint.cli import main as cli_main
    from archlint.domain import ir
    from archlint.semantics import program as program_module

    times: dict = collections.Counter()
    programs: list = []
    analyse_root = program_module.Program._analyse_root

    def timed(self, path, function):
        if not programs:
            programs.append(self)
        started = time.process_time()
        try:
            return analyse_root(self, path, function)
        finally:
            times[(path, function.fid)] += time.process_time() - started

    program_module.Program._analyse_root = timed
    argv = ["check", ".", "--no-cache", "--jobs", "1", "--format", "json"]
    argv += ["--config", str(Path(options.config).resolve())] if options.config else []
    os.chdir(options.tree)
    started = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        cli_main.cli(argv, prog_name="archlint", standalone_mode=False)  # not main(): it leaves by os._exit
    total = time.process_time() - started
    if not programs:
        print("no root was analysed", file=sys.stderr)
        return
    program = programs[0]
    analyses = [a for a in program.analyses() if a.function.kind != "module" and (a.path, a.fid) in times]
    quiet = {(a.path, a.fid): _quiet(a) for a in analyses}
    calling = {(a.path, a.fid) for a in analyses if any(record.callees for record in a.calls)}
    graph = _CallGraph(program, ir)

    def row(label: str, keys) -> None:
        keys = list(keys)
        print(f"{label:44s} {len(keys):7d} roots  {sum(times[k] for k in keys):7.2f} s", file=sys.stderr)

    print(f"check, CPU of this process: {total:.2f} s", file=sys.stderr)
    row("roots", quiet)
    row("quiet", [k for k, q in quiet.items() if q])
    row("quiet, no project call", [k for k, q in quiet.items() if q and k not in calling])
    for local in (False, True):
        provable = _provable(graph, quiet, local)
        row("bound: call graph" + (" + local" if local else ""), [k for k, q in quiet.items() if q and k in provable])


if __name__ == "__main__":
    main()
