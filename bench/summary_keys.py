#!/usr/bin/env python3
"""How much keying function summaries on only the constant arguments they read could ever save (issue 11).

Usage::

    python bench/summary_keys.py TREE [--config FILE] [--top N]

Runs ``archlint check TREE --no-cache --jobs 1`` in this process and watches every summary computation
(``Program.summary_of`` running a ``Frame``).  A computation is described by its function, its call depth
and its environment right after the parameters were bound (the receiver included).  It prints, on stderr:

* ``computed``: summary computations, and their CPU (inclusive of the callees they computed);
* ``distinct inputs``: computations with a distinct (function, depth, bound environment) — the others
  reran an input seen before (summaries dropped by ``Program._settle_fields`` or when the context writers
  have run, closures' frame counts in the key);
* ``bound: read constants``: distinct inputs once a constant bound to a parameter the frame never looked
  up by name (``Frame.name``) is left out — the most a summary keyed on the constants it read could save;
* ``bound: no parameter constants``: distinct inputs with every constant bound to a parameter left out, and
  ``bound: no constants`` also those inside tuples, records and unions (``*args``, ``**kwargs``) — what
  summaries parametric in the constants they carry (stored in a field, passed on, returned) could save at most;
* the functions summarised most often, with the parameters they were given constants for.

The savings are counted as computations and as their inclusive CPU (an interval inside another saved one
counted once).  Both bounds are optimistic: the first ignores the reads that bypass ``Frame.name`` (the
narrowing of tests, env scans), the second every way a constant decides what a summary holds.  This is a
benchmark, not a test.
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

_ANY = "<constant>"


def main() -> None:  # noqa: C901
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree")
    parser.add_argument("--config")
    parser.add_argument("--top", type=int, default=12)
    options = parser.parse_args()
    sys.setrecursionlimit(100_000)
    from archlint.cli import main as cli_main
    from archlint.semantics import interpreter
    from archlint.semantics import values as v

    runs: list = []  # [function, depth, bound env, names read, start, end]
    reading: list = []  # the names each running summary frame looked up
    run, bind, name = interpreter.Frame.run, interpreter.Frame._bind_parameters, interpreter.Frame.name

    def watched_run(self, args=(), kwargs=(), bound=None):
        if self.analysis is not None or sys._getframe(1).f_code.co_name != "summary_of":
            return run(self, args, kwargs, bound)
        entry = [(self.path, self.function.fid, self.function.name), self.depth, {}, set(), time.process_time(), 0.0]
        runs.append(entry)
        reading.append(entry)
        try:
            return run(self, args, kwargs, bound)
        finally:
            reading.pop()
            entry[5] = time.process_time()

    def watched_bind(self, args, kwargs, bound):
        bind(self, args, kwargs, bound)
        if reading and reading[-1][0][:2] == (self.path, self.function.fid) and not reading[-1][2]:
            reading[-1][2] = dict(self.env)

    def watched_name(self, node):
        if reading and reading[-1][0][:2] == (self.path, self.function.fid):
            reading[-1][3].add(node.id)
        return name(self, node)

    interpreter.Frame.run, interpreter.Frame._bind_parameters, interpreter.Frame.name = \
        watched_run, watched_bind, watched_name
    argv = ["check", ".", "--no-cache", "--jobs", "1", "--format", "json"]
    argv += ["--config", str(Path(options.config).resolve())] if options.config else []
    os.chdir(options.tree)
    started = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        cli_main.cli(argv, prog_name="archlint", standalone_mode=False)  # not main(): it leaves by os._exit
    total = time.process_time() - started

    def without_constants(value):
        if type(value) is v.Const:
            return _ANY
        if isinstance(value, tuple):
            return type(value).__name__, tuple(without_constants(item) for item in value)
        return value

    def key(entry, leave) -> tuple:
        function, depth, env, reads = entry[:4]
        if leave is None:  # every constant, also those inside tuples, records and unions (`*args`, `**kwargs`)
            return function, depth, tuple(sorted((n, repr(without_constants(value))) for n, value in env.items()))
        return function, depth, tuple(sorted(
            (n, _ANY if type(value) is v.Const and leave(n, reads) else repr(value)) for n, value in env.items()))

    def row(label: str, leave) -> None:
        seen: set = set()
        saved = []
        for entry in runs:
            k = key(entry, leave)
            if k in seen:
                saved.append(entry)
            seen.add(k)
        cpu, outer_end = 0.0, -1.0
        for entry in sorted(saved, key=lambda e: e[4]):  # nested intervals: the outermost saved one counts
            if entry[4] >= outer_end:
                cpu += entry[5] - entry[4]
                outer_end = entry[5]
        print(f"{label:28s} {len(seen):7d} distinct   saves {len(saved):6d} computations, {cpu:6.2f} s", file=sys.stderr)

    print(f"check, CPU of this process: {total:.2f} s", file=sys.stderr)
    print(f"{'computed':28s} {len(runs):7d}", file=sys.stderr)
    row("distinct inputs", lambda n, reads: False)
    row("bound: read constants", lambda n, reads: n not in reads)
    row("bound: no parameter constants", lambda n, reads: True)
    row("bound: no constants", None)
    by_function = collections.defaultdict(list)
    for entry in runs:
        by_function[entry[0]].append(entry)
    for function, entries in sorted(by_function.items(), key=lambda kv: -len(kv[1]))[:options.top]:
        constants = sorted({n for e in entries for n, value in e[2].items() if type(value) is v.Const})
        unread = [n for n in constants if not any(n in e[3] for e in entries)]
        print(f"{len(entries):6d}  {function[0]}:{function[2]}  constants for {constants}  never read {unread}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
