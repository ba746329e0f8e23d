#!/usr/bin/env python3
"""Where a check's memory goes: resident size after each pipeline stage of one run (issue 11, point 3).

Usage::

    python bench/memory.py TREE [--config FILE] [--jobs N] [--cache] [--readers]

Runs ``archlint check TREE --format json`` in this process (``--no-cache`` unless ``--cache``) and
prints, on stderr, the process CPU time, resident size (VmRSS), peak resident size (VmHWM) and
Python's allocated blocks after each stage: the cheap parse, the graph, the data-layer plan (bodies
and IR of the deep files), the semantic files' IR, the semantic model and its data layer, and every
check family.  The stages are found by wrapping the pipeline's functions from outside: nothing in
archlint changes.  Only this process is measured — with ``--jobs`` above 1 the pool's workers are
not (``/usr/bin/time -v`` reports the largest process of the tree; it is this one).  This is a
benchmark, not a test.

``--readers`` also records which stage reads each file's body and IR (``FileFacts.body`` / ``.ir``)
and prints, at the end, their sizes grouped by the stage that read them last and by test / non-test
file: what could be released after which stage if nothing else held it (the model's tables hold
the IR by object, so a module's IR outlives its last ``.ir`` read).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

_STARTED = time.process_time()
_LAST = [0]
_STAGE = ["start"]  # what runs now: the innermost wrapped function or check family


def _status() -> dict[str, int]:
    found = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) // 1024
    return found


def mark(stage: str) -> None:
    status = _status()
    rss = status.get("VmRSS", 0)
    delta, _LAST[0] = rss - _LAST[0], rss
    print(f"{time.process_time() - _STARTED:8.1f} s  {stage:34s} rss {rss:5d} MiB ({delta:+5d})  peak {status.get('VmHWM', 0):5d} MiB"
          f"  blocks {sys.getallocatedblocks() // 1000:6d}k", file=sys.stderr, flush=True)


def _wrap(module, name: str, label: str) -> None:
    function = getattr(module, name)

    def wrapped(*args, **kwargs):
        outer, _STAGE[0] = _STAGE[0], name
        try:
            result = function(*args, **kwargs)
        finally:
            _STAGE[0] = outer
        mark(label)
        return result

    setattr(module, name, wrapped)


def instrument() -> None:
    import archlint.checks as checks
    from archlint.adapters import cache
    from archlint.application import graph_builder, pipeline, semantic_model

    _wrap(pipeline, "_parse", "parse (heads)")
    _wrap(graph_builder, "build_graph", "graph")
    _wrap(pipeline, "plan_deep", "data-layer plan (bodies + IR)")
    _wrap(pipeline, "deepen", "deepen (semantic IR / syntax)")
    _wrap(semantic_model, "build_program", "semantic model built")
    _wrap(semantic_model, "build_datalayer", "analyses + data layer")
    _wrap(pipeline, "_checks", "checks done")
    _wrap(cache.FactsCache, "save", "cache saved")
    family_type = type(checks.FAMILIES[0])
    check = family_type.check

    def timed_check(self):
        function = check.fget(self)

        def run(context, function=function, name=self.module):
            outer, _STAGE[0] = _STAGE[0], f"family {name}"
            try:
                found = list(function(context))
            finally:
                _STAGE[0] = outer
            mark(f"family {name}")
            return found

        return run

    family_type.check = property(timed_check)


def record_readers() -> tuple[dict, dict]:
    """path -> the stage that last read the file's body, and its IR (wraps ``FileFacts.body`` / ``.ir``)."""
    from archlint.domain import facts

    bodies: dict[str, str] = {}
    irs: dict[str, str] = {}
    body, module_ir = facts.FileFacts.body, facts.FileFacts.ir

    def read_body(self):
        bodies[self.path] = _STAGE[0]
        return body.fget(self)

    def read_ir(self):
        irs[self.path] = _STAGE[0]
        return module_ir.fget(self)

    facts.FileFacts.body = property(read_body)
    facts.FileFacts.ir = property(read_ir)
    return bodies, irs


def _deep_size(root, seen: set) -> int:
    """``sys.getsizeof`` over everything ``root`` reaches that ``seen`` does not hold yet."""
    total, stack = 0, [root]
    while stack:
        item = stack.pop()
        if item is None or type(item) is bool or id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, (str, bytes, int, float)):
            continue
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        else:
            for klass in type(item).__mro__:
                stack.extend(getattr(item, name) for name in getattr(klass, "__slots__", ()) or () if hasattr(item, name))
            if hasattr(item, "__dict__"):
                stack.append(item.__dict__)
    return total


def print_readers(files: dict, bodies: dict, irs: dict) -> None:
    sizes: dict = {}
    seen: set = set()
    for kind, readers, attribute in (("body", bodies, "_body"), ("IR", irs, "_ir")):
        for path, facts in files.items():
            held = getattr(facts, attribute)
            if held:
                key = (kind, readers.get(path, "?"), "test" if "test" in path else "")
                size, count = sizes.get(key, (0, 0))
                sizes[key] = (size + _deep_size(held, seen), count + 1)
    print("last read   MiB  files", file=sys.stderr)
    for (kind, stage, test), (size, count) in sorted(sizes.items(), key=lambda item: -item[1][0]):
        print(f"{size / 2**20:7.1f} {count:6d}  {kind:4s} {test:4s} during {stage}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree")
    parser.add_argument("--config")
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--cache", action="store_true", help="use the facts cache (default: --no-cache)")
    parser.add_argument("--readers", action="store_true", help="which stage reads each body and IR last, with sizes")
    options = parser.parse_args()
    mark("start (interpreter, archlint imported)")
    instrument()
    if options.readers:  # in this process, not through the CLI (which leaves with os._exit)
        from archlint.application import pipeline

        bodies, irs = record_readers()
        report = pipeline.run_check([options.tree], pipeline.Options(
            config_path=options.config, use_cache=options.cache, jobs=options.jobs))
        mark("end")
        print_readers(report.context.files, bodies, irs)
        return
    from archlint.cli.main import main as archlint_main

    argv = ["archlint", "check", options.tree, "--format", "json"]
    argv += ["--config", options.config] if options.config else []
    argv += ["--jobs", str(options.jobs)] if options.jobs else []
    argv += [] if options.cache else ["--no-cache"]  # --cache: ARCHLINT_CACHE_DIR names a fresh one
    sys.argv = argv
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        archlint_main()
    mark("end")


if __name__ == "__main__":
    main()
