"""Parameters every caller fills with a constant.

A private helper (``_fetch_setting(self, connection, setting_name)`` in SQLAlchemy's MySQL dialect,
an Alembic migration's ``_drop_sqlite_indexes_for_column(table_name, …)``) splices a parameter into
SQL text; every call of it in the program passes a literal (``"sql_mode"``, ``'user'``).  Within the
program the parameter is one of those constants.  Only functions nobody outside can call are judged
this way — a leading underscore (not a dunder) or a function nested in another — and only when the
program holds at least one call and every call that ran the function is known, with a constant there.
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.semantics import values as v
from archlint.semantics.records import recorded_argument


def constant_parameter(program, path: str, span, name: str) -> bool:
    """The parameter ``name`` of the function around ``span`` gets a constant from every caller."""
    module = program.modules.get(path)
    function = ir.innermost_function(module, span) if module is not None else None
    if function is None or function.kind == "module" or function.scope_of(name) != "param":
        return False
    private = function.name.startswith("_") and not function.name.endswith("__")
    nested = 0 <= function.parent < len(module.functions) and module.functions[function.parent].kind != "module"
    if not (private or nested or program.language(path) != "python" and _module_private(program, path, function)):
        return False
    records = _records_by_callee(program).get((path, function.fid), ())
    if not records:
        return False
    python = program.language(path) == "python"
    for record in records:
        found = recorded_argument(record, path, function, name, python)
        value = record.args[found[0]] if found is not None else None
        if value is not None and found[1]:  # a field of a destructured object parameter
            bare = v.strip(value)
            value = bare.get(found[1]) if type(bare) is v.Record else None
        if value is None or not v.is_constant(value):
            return False
    return True


def _module_private(program, path: str, function: ir.Function) -> bool:
    """A JS/TS module-level function no other module can call (not exported, never passed as a
    value): the call graph knows every caller (semantics/callers.py)."""
    from archlint.semantics.callers import closed

    module = program.modules[path]
    if function.kind != "function" or any(e.local == function.name for e in module.exports):
        return False  # exported: callers outside the program may pass anything
    return closed(program, path, function)


def _records_by_callee(program) -> dict:
    """(path, fid) -> the call records that ran the function, indexed once per run."""
    index = program.records_by_callee
    if index is None:
        index = {}
        for analysis in program.analyses():
            for record in analysis.calls:
                for callee in record.callees:
                    index.setdefault((callee.path, callee.fid), []).append(record)
        program.records_by_callee = index
    return index
