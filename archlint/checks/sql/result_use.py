"""How the host code uses a statement's result: the half of AL414 (``SELECT *``) the SQL tree cannot answer.

statement_rules.py judges the statement alone (its sqlglot tree, no host program), so it reports every
``SELECT *`` over a stored table; whether the star is the point — the code reads only the cursor's
``description``, the columns themselves — is a question about the call site's function, asked of its
IR here.  The runner drops AL414 where :func:`columns_only` holds.
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.context import CheckContext


def columns_only(ctx: CheckContext, site) -> bool:
    """``cursor = db.execute('SELECT * FROM t LIMIT 1')`` read only through ``cursor.description``
    (peewee's reflection and migrator): introspection of the table's columns, where every column is
    the point and no row is used (from the IR of the statement's function)."""
    facts = ctx.files.get(site.path)
    module = facts.ir if facts is not None and facts.has_ir else None
    function = ir.innermost_function(module, site.call.span) if module is not None else None
    if function is None:
        return False
    span = site.call.span
    names = set()
    described = False
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Attr and node.name == "description" and type(node.obj) is ir.Call and node.obj.span == span:
            described = True
        if type(node) is ir.Assign and node.value is not None and len(node.targets) == 1 and type(node.targets[0]) is ir.Name:
            value = node.value.value if type(node.value) is ir.Await else node.value
            if type(value) is ir.Call and value.span == span:
                names.add(node.targets[0].id)
    if not names:
        return described
    reads = [node for node in ir.iter_nodes(function.body) if type(node) is ir.Name and node.id in names]
    attributes = [node for node in ir.iter_nodes(function.body) if type(node) is ir.Attr and type(node.obj) is ir.Name
                  and node.obj.id in names]
    targets = len(names)  # the assignment's own target is a Name too
    return bool(attributes) and all(a.name == "description" for a in attributes) and len(reads) == targets + len(attributes)
