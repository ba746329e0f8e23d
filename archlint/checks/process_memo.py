"""Statements that run once per process: a module-level singleton filled on first use.

``global default_domain`` … ``if default_domain is None: default_domain = Domain.objects.get(…)``
(pulpcore's ``get_default_domain``): the lookup — and the row it creates when missing — happens the
first time any code asks, then never again.  Rules whose premise is *every request* (a validation hook
that writes, a synchronous ORM call that makes every async request fail) do not hold for it."""

from __future__ import annotations

from archlint.domain import ir


def once_per_process(ctx, path: str, span) -> bool:
    """Whether the statement at ``span`` sits in the block of ``if G is None:`` / ``if not G:`` in a
    function that declares ``global G`` and assigns ``G`` in that block."""
    facts = ctx.files.get(path)
    module = facts.ir if facts is not None and facts.parsed else None
    if module is None or module.language != "python":
        return False
    function = ir.innermost_function(module, span)
    if function is None or not function.globals:
        return False
    for node in ir.iter_nodes(function.body):
        if type(node) is not ir.If or not any(ir.span_contains(stmt.span, span) for stmt in node.body):
            continue
        name = _unset_test(node.test)
        if name in function.globals and any(
                type(stored) is ir.Assign and any(type(t) is ir.Name and t.id == name for t in stored.targets)
                for stored in ir.iter_nodes(node.body)):
            return True
    return False


def _unset_test(test) -> str:
    if type(test) is ir.Compare and test.op == "is" and type(test.left) is ir.Name and type(test.right) is ir.Const \
            and test.right.value is None:
        return test.left.id
    if type(test) is ir.Unary and test.op == "not" and type(test.operand) is ir.Name:
        return test.operand.id
    return ""
