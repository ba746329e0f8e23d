"""Lists, sets and dicts the program fills with rows (:class:`values.Items`).

``result = []`` then ``result.append((article, following))`` in a loop, ``by_slug[a.slug] = a``,
``picked.extend(rows)`` / ``picked += rows`` / ``picked.insert(0, row)``, a comprehension of rows, and
``list()`` / ``sorted()`` of any of them: the name holds one abstract element, the join of what was put in,
so a later ``for article, following in result`` (or ``result[0]``, ``d[k]``, ``d.values()``) reads the rows
with their loads and tags (the ``with`` block whose session loaded them, the request).  Only elements that
hold rows are collected — a list of ids or plain dicts stays what it was — which keeps the fixpoint cheap:
one element per list, joins capped by :data:`values.MAX_UNION`, nesting by :data:`MAX_DEPTH`.
"""

from __future__ import annotations

from archlint.semantics import values as v
from archlint.semantics.support import non_null

MAX_DEPTH = 2  # a list of lists of rows is followed; deeper nesting is unknown
GROWERS = frozenset({"append", "extend", "insert", "add"})  # what changes a list's (set's) elements in place
_ROW_KINDS = (v.Row, v.Rows, v.Result)


def holds_rows(value, depth: int = 0) -> bool:
    """Some alternative of ``value`` is a row / rows, a tuple, record or list holding one."""
    if depth > MAX_DEPTH:
        return False
    for option in v.options(value):
        bare = v.strip(option)
        kind = type(bare)
        if kind in _ROW_KINDS:
            return True
        if kind is v.Tuple and any(holds_rows(item, depth + 1) for item in bare.items):
            return True
        if kind is v.Items and holds_rows(bare.item, depth + 1):
            return True
    return False


def _depth(value) -> int:
    bare = v.strip(value)
    if type(bare) is v.Items:
        return 1 + _depth(bare.item)
    if type(bare) is v.Tuple and bare.items:
        return max(_depth(item) for item in bare.items)
    return 0


def element(value):
    """What a list element put in stands for: a row checked before it was appended is a row (a list of
    possibly-None rows is not the idiom)."""
    if type(v.strip(value)) is v.Row:
        return non_null(value)
    return value


def elements(value):
    """The one element iterating ``value`` yields, or ``None`` when ``value`` is no sequence the
    interpreter knows (rows become one row of them, with the rows' tags)."""
    found = None
    for option in v.options(value):
        bare, tags = v.strip(option), v.tags_of(option)
        kind = type(bare)
        if kind is v.Items and not bare.keyed:
            item = v.tag(bare.item, tags)
        elif kind is v.Tuple:
            item = None
            for one in bare.items:
                item = v.join(item, one)
            if item is None:
                continue  # an empty literal adds nothing
            item = v.tag(item, tags)
        elif kind in (v.Rows, v.Result):
            item = v.tag(v.Row(bare.stack, bare.model, bare.loaded), tags)
        else:
            return None
        found = v.join(found, item)
    return found if found is not None else v.Tuple(())


def filled(value) -> bool:
    """``value`` is a list (or dict) :func:`grow` may add to: a literal, or one already filled."""
    return all(type(v.strip(o)) in (v.Tuple, v.Items) or type(v.strip(o)) is v.Record and not v.strip(o).items
               for o in v.options(value))


def collect(current, item, keyed: bool = False):
    """``current`` with ``item`` added (``None`` when there is nothing to follow: no rows in sight)."""
    if not holds_rows(item) and not holds_rows(current):
        return None
    item = element(item)
    result = None
    for option in v.options(current):
        bare, tags = v.strip(option), v.tags_of(option)
        if type(bare) is v.Items and bare.keyed == keyed:
            joined = v.join(bare.item, item)
        elif type(bare) is v.Tuple and not keyed:
            joined = item
            for one in bare.items:
                joined = v.join(joined, one)
        elif type(bare) is v.Record and not bare.items and keyed:
            joined = item
        else:
            return None
        result = v.join(result, v.tag(v.Items(joined, keyed), tags | v.tags_of(item)))
    if result is None or _depth(result) > MAX_DEPTH + 1:
        return None
    return result


def grow(current, method: str, args):
    """The list after ``current.<method>(*args)`` (``args`` as ``Calls.arguments`` gives them), or
    ``None`` when the call adds nothing the interpreter follows."""
    positional = [a[2] for a in args if a[0] == "pos"]
    if method in ("append", "add") and len(positional) == 1:
        return collect(current, positional[0])
    if method == "insert" and len(positional) == 2:
        return collect(current, positional[1])
    if method == "extend" and len(positional) == 1:
        added = elements(positional[0])
        return collect(current, added if added is not None else v.UNKNOWN)
    return None


def read(value, method: str):
    """``items.pop()`` / ``d.values()`` / ``d.items()`` / ``d.get(k)`` / ``items.copy()`` on a filled list or
    dict, else ``None``."""
    bare, tags = v.strip(value), v.tags_of(value)
    if type(bare) is not v.Items:
        return None
    if method == "copy":
        return value
    if method == "pop" or bare.keyed and method in ("get", "setdefault"):
        return v.tag(bare.item, tags)
    if bare.keyed and method == "values":
        return v.tag(v.Items(bare.item), tags)
    if bare.keyed and method == "items":
        return v.tag(v.Items(v.Tuple((v.UNKNOWN, bare.item))), tags)
    return None


def row_models(value, depth: int = 0) -> frozenset:
    """The models of the rows ``value`` holds (a row, rows, a list or tuple of them; any of its options)."""
    if depth > MAX_DEPTH:
        return frozenset()
    found: set[str] = set()
    for option in v.options(value):
        bare = v.strip(option)
        kind = type(bare)
        if kind in (v.Row, v.Rows):
            found.add(bare.model)
        elif kind is v.Items:
            found.update(row_models(bare.item, depth + 1))
        elif kind is v.Tuple:
            for item in bare.items:
                found.update(row_models(item, depth + 1))
    return frozenset(found)


def with_loads(value, relations: frozenset, depth: int = 0):
    """``value`` with ``relations`` loaded on every row it holds (``prefetch_related_objects(items, "author")``
    on a list filled with rows, on rows, on one row); anything else as it is."""
    if depth > MAX_DEPTH or not relations:
        return value
    options = v.options(value)
    if len(options) > 1:
        joined = None
        for option in options:
            joined = v.join(joined, with_loads(option, relations, depth))
        return joined
    bare, tags = v.strip(value), v.tags_of(value)
    kind = type(bare)
    if kind in (v.Row, v.Rows):
        bare = bare._replace(loaded=bare.loaded | relations)
    elif kind is v.Items:
        bare = bare._replace(item=with_loads(bare.item, relations, depth + 1))
    elif kind is v.Tuple:
        bare = bare._replace(items=tuple(with_loads(item, relations, depth + 1) for item in bare.items))
    else:
        return value
    return v.tag(bare, tags)
