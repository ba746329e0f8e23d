"""Values checked against a constant allow-list before they are used.

``if sort not in ALLOWED_SORTS: raise HTTPException(400)`` then ``f"… ORDER BY {sort}"``, and
``if (!SORTS.includes(sort)) throw …`` / ``if (["WAL", "DELETE"].indexOf(mode) !== -1) { … }``
(typeorm's Capacitor driver): where the statement runs, the value is one of the list's constants,
so splicing it cannot inject anything (AL502).  Read from the IR of the statement's function: the
tests that guard the statement (an ``if`` around it, or an earlier ``if`` whose branch never falls
through), the subject compared by its dotted name (``sort``, ``this.options.journalMode``).
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.constants import constant_name
from archlint.domain.facts import Span

_MEMBER_METHODS = frozenset({"includes", "has", "__contains__"})


def allow_listed(module: ir.ModuleIR, span: Span, subject: str) -> bool:
    """The value written ``subject`` is one of a constant allow-list wherever the code at ``span``
    runs (by the guards of its function)."""
    function = ir.innermost_function(module, span)
    if function is None or not subject:
        return False
    constants = _module_constants(module)
    return _walk(function.body, span, subject, constants, _lookups(function, subject, constants)) is True


def _lookups(function: ir.Function, subject: str, constants: frozenset[str]) -> frozenset[str]:
    """Locals bound once to a lookup of ``subject`` in a constant mapping (``found = _public_api.get(name)``,
    prefect's lazy ``__getattr__``): where one is not None, ``subject`` is one of the mapping's keys."""
    bound: dict[str, list] = {}
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Assign:
            for target in node.targets:
                if type(target) is ir.Name:
                    bound.setdefault(target.id, []).append(node.value)
    found = set()
    for name, values in bound.items():
        value = values[0] if len(values) == 1 else None
        if type(value) is ir.Call and type(value.func) is ir.Attr and value.func.name == "get" and value.args \
                and value.args[0].kind == "pos" and _dotted(value.args[0].value) == subject \
                and (len(value.args) == 1 or type(value.args[1].value) is ir.Const and value.args[1].value.value is None) \
                and type(value.func.obj) is ir.Name and value.func.obj.id in constants:
            found.add(name)
    return frozenset(found)


def _module_constants(module: ir.ModuleIR) -> frozenset[str]:
    """Module-level names bound once to a literal collection of constants (``SORTS = {"a", "b"}``), or
    to a regex literal matching only words (``const SAFE_KEY = /^\\w+$/``)."""
    top = module.functions[0] if module.functions and module.functions[0].kind == "module" else None
    if top is None:
        return frozenset()
    bound: dict[str, list] = {}
    for statement in top.body:
        if type(statement) is ir.Assign:
            for target in statement.targets:
                if type(target) is ir.Name:
                    bound.setdefault(target.id, []).append(statement.value)
    return frozenset(name for name, values in bound.items() if len(values) == 1 and (_literal_set(values[0]) or _word_regex(values[0])))


def _word_regex(node) -> bool:
    """A regex literal matching only whole words of ``[A-Za-z0-9_]`` (``/^\\w+$/``, see the JS frontend)."""
    return type(node) is ir.Opaque and node.kind == "regex:identifier"


def _literal_set(node) -> bool:
    """A non-empty list/tuple/set of constants, or a dict / object whose keys are constants.  Asked of
    the IR node itself, not through :mod:`archlint.domain.constants`: that folder answers what *value*
    an expression has (a string, a number) from the facts' expression text and would call
    ``["a", "b"]`` constant without saying it is a collection whose members an ``in`` test pins;
    here only the collection's shape matters, and the IR has it."""
    if type(node) is ir.Seq:
        return bool(node.elts) and all(type(e) is ir.Const for e in node.elts)
    if type(node) is ir.Obj:  # a dict / object: membership tests its keys
        return bool(node.entries) and all(type(e.key) is str or type(e.key) is ir.Const for e in node.entries)
    return False


def _constant_set(node, constants: frozenset[str]) -> bool:
    if _literal_set(node):
        return True
    if type(node) is ir.Name:
        return node.id in constants or constant_name(node.id)
    if type(node) is ir.Attr:
        return constant_name(node.name)  # self.ALLOWED_SORTS / Config.SORTS
    if type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name == "keys" and not node.args:
        return _constant_set(node.func.obj, constants)  # ALLOWED.keys()
    if type(node) is ir.Call and _dotted(node.func) == "Object.keys" and len(node.args) == 1:
        return _constant_set(node.args[0].value, constants)
    return False


_dotted = ir.dotted


def _member(test, truthy: bool, subject: str, constants: frozenset[str], lookups: frozenset[str] = frozenset()) -> bool:
    """``test`` evaluating to ``truthy`` means ``subject`` is in a constant allow-list (``lookups``:
    locals holding ``MAPPING.get(subject)``, see :func:`_lookups`)."""
    kind = type(test)
    if kind is ir.Unary and test.op == "not":
        return _member(test.operand, not truthy, subject, constants, lookups)
    if kind is ir.BoolOp:
        if (test.op == "and") == truthy:  # `a and b` true: each holds; `a or b` false: none holds
            return any(_member(v, truthy, subject, constants, lookups) for v in test.values)
        return bool(test.values) and all(_member(v, truthy, subject, constants, lookups) for v in test.values)
    if kind is ir.Name and test.id in lookups:
        return truthy  # `if found:` — the lookup found a value
    if kind is ir.Compare and test.op in ("is", "is-not") and type(test.left) is ir.Name and test.left.id in lookups \
            and type(test.right) is ir.Const and test.right.value is None:
        return (test.op == "is-not") == truthy  # `if found is None: return …` — past it, a key
    if kind is ir.Call and type(test.func) is ir.Attr and test.func.name in _MEMBER_METHODS and len(test.args) == 1:
        return truthy and _dotted(test.args[0].value) == subject and _constant_set(test.func.obj, constants)
    if kind is ir.Call and type(test.func) is ir.Attr and test.func.name == "test" and len(test.args) == 1:
        # `if (!SAFE_KEY.test(key)) throw …` with `SAFE_KEY = /^\w+$/`: a word, no quote or SQL punctuation
        regex = test.func.obj
        return truthy and _dotted(test.args[0].value) == subject and (
            _word_regex(regex) or type(regex) is ir.Name and regex.id in constants)
    if kind is not ir.Compare:
        return False
    if test.op in ("in", "not-in"):
        return (test.op == "in") == truthy and _dotted(test.left) == subject and _constant_set(test.right, constants)
    if test.op in ("==", "!=") and (test.op == "==") == truthy:
        for side, other in ((test.left, test.right), (test.right, test.left)):
            if _dotted(side) == subject and type(other) is ir.Const and type(other.value) is str:
                return True
    # SORTS.indexOf(x) !== -1 / >= 0 / > -1 (a member) and === -1 / < 0 (not one)
    index = test.left
    if not (type(index) is ir.Call and type(index.func) is ir.Attr and index.func.name == "indexOf"
            and len(index.args) == 1 and _dotted(index.args[0].value) == subject
            and _constant_set(index.func.obj, constants)):
        return False
    bound = _number(test.right)
    if bound is None:
        return False
    found = {("!=", -1): True, (">=", 0): True, (">", -1): True, ("==", -1): False, ("<", 0): False}.get((test.op, bound))
    return found is not None and found == truthy


def _number(node) -> int | None:
    if type(node) is ir.Const and type(node.value) is int and not isinstance(node.value, bool):
        return node.value
    if type(node) is ir.Unary and node.op == "-" and type(node.operand) is ir.Const and type(node.operand.value) is int:
        return -node.operand.value
    return None


def _assigns(block: tuple, subject: str) -> bool:
    return any(type(node) is ir.Assign and any(_dotted(t) == subject for t in node.targets) for node in ir.iter_nodes(block))


def _ends_with_constant(block: tuple, subject: str) -> bool:
    """The block's last assignment of ``subject`` (at its top level, the only one) is a constant."""
    assigned = [node for node in ir.iter_nodes(block)
                if type(node) is ir.Assign and any(_dotted(t) == subject for t in node.targets)]
    return len(assigned) == 1 and assigned[0] in block and type(assigned[0].value) is ir.Const


def _checked_choice(value, constants: frozenset[str]) -> bool:
    """``x if x in SORTS else "id"`` / ``const orderBy = SORTS.includes(sort) ? sort : "id"``: a member
    of the list or a constant."""
    if type(value) is not ir.Cond:
        return False
    for branch, truthy, other in ((value.then, True, value.orelse), (value.orelse, False, value.then)):
        name = _dotted(branch)
        if name and type(other) is ir.Const and _member(value.test, truthy, name, constants):
            return True
    return False


def _step(statement, pinned: bool, subject: str, constants: frozenset[str], lookups: frozenset[str] = frozenset()) -> bool:
    """Whether ``subject`` is pinned after ``statement`` (run before the code asked about), given
    whether it was before."""
    if type(statement) is ir.If:
        if ir.exits(statement.body) and not ir.exits(statement.orelse):
            return pinned or _member(statement.test, False, subject, constants, lookups)
        if ir.exits(statement.orelse) and not ir.exits(statement.body):
            return pinned or _member(statement.test, True, subject, constants, lookups)
        if not statement.orelse and _member(statement.test, False, subject, constants):
            # `if sort not in SORTS: sort = "created_at"`: a member, or the constant put instead
            return _ends_with_constant(statement.body, subject) or pinned and not _assigns(statement.body, subject)
        if _assigns(statement.body, subject) or _assigns(statement.orelse, subject):
            return False
        return pinned
    if type(statement) is ir.Assign and any(_dotted(t) == subject for t in statement.targets):
        # `sort = sort if sort in SORTS else "created_at"`: a member or a constant; else reassigned
        return _checked_choice(statement.value, constants)
    return pinned


def _walk(block: tuple, span: Span, subject: str, constants: frozenset[str], lookups: frozenset[str] = frozenset()) -> bool | None:
    """Whether a guard on the way to the statement holding ``span`` pins ``subject`` (``None``: no
    statement of ``block`` holds it)."""
    pinned = False
    for statement in block:
        if not ir.span_contains(statement.span, span):
            pinned = _step(statement, pinned, subject, constants, lookups)
            continue
        if type(statement) is ir.If:
            for side, truthy in ((statement.body, True), (statement.orelse, False)):
                inner = _walk(side, span, subject, constants, lookups)
                if inner is not None:
                    return pinned or inner or _member(statement.test, truthy, subject, constants, lookups)
            return pinned
        for field in ("body", "orelse", "final"):
            inner = _walk(getattr(statement, field, ()) or (), span, subject, constants, lookups)
            if inner is not None:
                return pinned or inner
        if type(statement) is ir.Try:
            for handler in statement.handlers:
                inner = _walk(handler.body, span, subject, constants, lookups)
                if inner is not None:
                    return pinned or inner
        return pinned
    return None


def constructor_pinned(module: ir.ModuleIR, span: Span, subject: str) -> bool:
    """``self.distance_strategy`` (or a local bound only to it, ``dist = self.distance_strategy``)
    read in a method, where the class sets the attribute in ``__init__`` only and ``__init__`` ends
    with it checked against a constant allow-list (``if self.distance_strategy not in {"cosine",
    "euclidean"}: raise ValueError(…)``, open-webui's MariaDB vector client): every instance holds
    one of the list's constants."""
    function = ir.innermost_function(module, span)
    if function is None or function.kind != "method" or not 0 <= function.cls < len(module.classes):
        return False
    attribute = _self_attribute(function, subject)
    if attribute is None:
        return False
    constants = _module_constants(module)
    pinned = False
    for fid in module.classes[function.cls].methods:
        method = module.functions[fid]
        if method.name == "__init__":
            pinned = _pinned_after(method.body, attribute, constants)
        elif _assigns(method.body, attribute):
            return False  # set again elsewhere: not only the checked value
    return pinned


def _self_attribute(function: ir.Function, subject: str) -> str | None:
    """``self.x`` for the subject ``self.x``, or for a local name whose every binding is ``self.x``."""
    if subject.startswith("self.") and subject.count(".") == 1:
        return subject
    if not subject.isidentifier() or function.scope_of(subject) != "local":
        return None
    values = [node.value for node in ir.iter_nodes(function.body)
              if type(node) is ir.Assign and any(type(t) is ir.Name and t.id == subject for t in node.targets)]
    if any(type(n) in (ir.Loop, ir.With, ir.Handler) and _binds(n, subject) for n in ir.iter_nodes(function.body)):
        return None
    read = {_dotted(value) for value in values if value is not None}
    if not values or len(read) != 1 or None in values:
        return None
    found = read.pop()
    return found if found.startswith("self.") and found.count(".") == 1 else None


def _binds(node, name: str) -> bool:
    if type(node) is ir.Loop:
        return node.target is not None and name in ir.target_names(node.target)
    if type(node) is ir.With:
        return any(item.target is not None and name in ir.target_names(item.target) for item in node.items)
    return node.name == name


def _pinned_after(block: tuple, subject: str, constants: frozenset[str]) -> bool:
    """``subject`` is pinned when ``block`` (a constructor's body) ends."""
    pinned = False
    for statement in block:
        if type(statement) not in (ir.If, ir.Assign) and _assigns((statement,), subject):
            return False  # set inside a loop / with / try: not followed here
        pinned = _step(statement, pinned, subject, constants)
    return pinned
