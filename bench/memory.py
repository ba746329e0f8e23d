#!/usr/bin/env python3
"""Where a check's memory goes: resident size after each pipeline stage of one run (issue 11, point 3).

Usage::

    python bench/memory.py TREE [--config FILE] [--jobs N] [--cache]

Runs ``archlint check TREE --format json`` in this process (``--no-cache`` unless ``--cache``) and
prints, on stderr, the process CPU time, resident size (VmRSS), peak resident size (VmHWM) and
Python's allocated blocks after each stage: the cheap parse, the graph, the data-layer plan (bodies
and IR of the deep files), the semantic files' IR, the semantic model and its data layer, and every
check family.  The stages are found by wrapping the pipeline's functions from outside: nothing in
archlint changes.  Only this process is measured — with ``--jobs`` above 1 the pool's workers are
not (``/usr/bin/time -v`` reports the largest process of the tree; it is this one).  This is a
benchmark, not a test.
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
        result = function(*args, **kwargs)
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
            found = list(function(context))
            mark(f"family {name}")
            return found

        return run

    family_type.check = property(timed_check)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree")
    parser.add_argument("--config")
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--cache", action="store_true", help="use the facts cache (default: --no-cache)")
    options = parser.parse_args()
    mark("start (interpreter, archlint imported)")
    instrument()
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
