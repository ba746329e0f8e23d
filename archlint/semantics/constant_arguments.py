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
    names = [p.name for p in function.params if p.kind in ("pos", "posonly", "kwonly", "pattern")]
    field = ""
    if name not in names:
        # `async function updateIdsInBatches({ tableName, idPrefix, trx })`: a field of the destructured object
        pattern = next((i for i, p in enumerate(function.params) if p.kind == "pattern" and type(p.target) is ir.Obj
                        and any(e.key == name and type(e.value) is ir.Name and e.value.id == name for e in p.target.entries)), None)
        if pattern is None:
            return False
        field, index = name, pattern
    else:
        index = names.index(name)
    # a method called through its instance or class: the receiver fills `self` / `cls`
    receiver = function.kind == "method" and not function.is_static and names[:1] in (["self"], ["cls"])
    records = _records_by_callee(program).get((path, function.fid), ())
    if not records:
        return False
    for record in records:
        shift = 1 if receiver and type(record.node.func) is ir.Attr else 0
        value = _argument(record, index - shift, name if not field else "")
        if field and value is not None:
            bare = v.strip(value)
            value = bare.get(field) if type(bare) is v.Record else None
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


def _argument(record, position: int, name: str):
    positional = 0
    for arg, value in zip(record.node.args, record.args):
        if arg.kind == "kw" and arg.name == name:
            return value
        if arg.kind == "pos":
            if positional == position:
                return value
            positional += 1
        elif arg.kind != "kw":
            return None  # *args / **kwargs: which parameter gets what is unknown
    return None


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
