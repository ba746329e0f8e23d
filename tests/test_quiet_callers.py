"""Issue 11: why a root function whose own analysis holds nothing a check reads cannot simply be skipped.

On the Django wheel 6,983 of 8,593 root functions end with no site, construct, loop, dereference, event,
effect or session of their own (8.3 of the roots' 11.8 s of CPU, ``bench/quiet_roots.py``); skipping exactly
those, known from a first run, changed two AL502 findings at
``django/contrib/gis/db/backends/postgis/operations.py:340``.  The shape:
a private helper splices its parameter into SQL text (``"SELECT %s()" % func``) and every caller is a
one-line method passing a constant (``self._get_postgis_func("postgis_lib_version")``).  Those callers are
"quiet" by that measure, yet their call records are what ``constant_arguments.constant_parameter`` reads
to prove the hole fixed: without them the helper's parameter is anyone's and AL502 fires.

The same holds for every consumer that reads *another* function's call records or their absence
(``semantics/callers.py``: AL220's callers, the names called on unknown receivers; ``Program.called``;
``Program.call_record``), so a sound cut must be predicted from those consumers, not from the analysis's own
lists (README, issue 11).  These tests pin the real shape: the finding stays absent while every caller
passes a constant, appears once one caller passes its own parameter, and the quiet callers' records are
what decides it."""

from __future__ import annotations

from helpers import findings, make_repo, report

from archlint.semantics.constant_arguments import constant_parameter

OPERATIONS = """
    class ServerOperations:
        \"\"\"What the database server reports about itself, through a connection the caller hands in.\"\"\"

        def __init__(self, connection):
            self.connection = connection

        def _server_function(self, name):
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT %s()" % name)
                return cursor.fetchone()[0]

        def server_version(self):
            return self._server_function("version")

        def current_schema(self):
            return self._server_function("current_schema")
"""

PUBLIC_CALLER = """
        def call_function(self, name):
            return self._server_function(name)
"""

EXECUTE_LINE = 9  # `cursor.execute("SELECT %s()" % name)`


def _repo(tmp_path, extra: str = ""):
    return make_repo(tmp_path, {
        "requirements.txt": "psycopg2\n",
        "backend/__init__.py": "",
        "backend/operations.py": OPERATIONS + extra,
    })


def _al502(root):
    return [f for f in findings(root, jobs=1) if f[0] == "AL502"]


def _quiet(analysis) -> bool:
    """Nothing of the analysis's own a check reads (the measure of the first-run oracle)."""
    return not (analysis.sites or analysis.constructs or analysis.loops or analysis.derefs or analysis.events
                or analysis.summary.effects or analysis.effects or analysis.owned)


def test_constants_from_every_caller_keep_the_hole_fixed(tmp_path):
    assert _al502(_repo(tmp_path)) == []


def test_a_caller_passing_its_own_parameter_makes_the_hole_open(tmp_path):
    assert _al502(_repo(tmp_path, PUBLIC_CALLER)) == [("AL502", "backend/operations.py", EXECUTE_LINE)]


def test_the_quiet_callers_records_decide_the_hole(tmp_path):
    program = report(_repo(tmp_path), jobs=1).context.program
    path = "backend/operations.py"
    by_name = {a.function.name: a for a in program.analyses() if a.path == path}
    callers = [by_name["server_version"], by_name["current_schema"]]
    assert all(_quiet(caller) for caller in callers)  # a per-analysis criterion would skip both ...
    helper = by_name["_server_function"]
    execute = next(record.node for record in helper.calls if getattr(record.node.func, "name", "") == "execute")
    assert execute.span.line == EXECUTE_LINE
    assert constant_parameter(program, path, execute.span, "name")
    # ... and without their records (what skipping them leaves) the parameter is no longer proven constant
    kept = [a for a in program.analyses() if not any(a is caller for caller in callers)]
    program._analyses[:] = kept
    program.records_by_callee = None
    assert not constant_parameter(program, path, execute.span, "name")
