"""Option objects of library calls (``Article.findAll({ where, include })``, ``sync({ force: true })``)
read from the IR and from the interpreter's values at once.

An :class:`Option` pairs the argument's IR node (an ``Obj`` / ``Seq`` literal keeps spans, computed
keys, spreads and calls such as ``sequelize.fn``) with the value the interpreter gave it (what a
variable or a constant holding it was built as).  Checks and the query lifters ask it for keys,
constants and elements; nothing here reads source text.

``closed`` answers the question "is every key of this object known?" — what a rule about an
*absent* option (no ``where``, no ``distinct``) needs.  Only an object literal with no spread is
closed: an interpreted ``Record`` silently drops a spread it could not resolve.
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.semantics import values as v


def const_of(value, node=None):
    """The Python constant a value (or, failing that, a literal IR node) holds, else ``None``.
    ``ANY_CONSTANT`` is not a usable constant."""
    bare = v.strip(value) if value is not None else None
    if type(bare) is v.Const and bare.value is not v.ANY_CONSTANT and v.REQUEST_TAG not in v.tags_of(value):
        return bare.value
    if type(node) is ir.Const:
        return node.value
    return None


class Option:
    """One option (an object, a list or a scalar) as its IR node and its value."""

    __slots__ = ("node", "value")

    def __init__(self, node, value) -> None:
        self.node = node
        self.value = value

    @classmethod
    def argument(cls, call: ir.Call, values: tuple, index: int) -> "Option | None":
        """The ``index``-th positional argument of ``call`` (``values``: the argument values a
        ``CallRecord`` holds, in the order of ``call.args``); ``None`` when there is no such
        argument or a spread argument (``f(...args)``) makes the positions unknown."""
        position = 0
        for order, arg in enumerate(call.args):
            if arg.kind != "pos":
                return None
            if position == index:
                return cls(arg.value, values[order] if order < len(values) else None)
            position += 1
        return None

    @property
    def bare(self):
        return v.strip(self.value) if self.value is not None else None

    def get(self, key: str) -> "Option | None":
        node = None
        if type(self.node) is ir.Obj:
            node = next((e.value for e in self.node.entries if e.key == key), None)
        bare = self.bare
        value = bare.get(key) if type(bare) is v.Record else None
        if node is None and value is None:
            return None
        return type(self)(node, value)  # a lifter's subclass keeps its own reading of the parts

    def items(self) -> list[tuple[str, "Option"]]:
        keys: list[str] = []
        if type(self.node) is ir.Obj:
            for entry in self.node.entries:
                if isinstance(entry.key, str):
                    keys.append(entry.key)
                elif entry.key is not None:
                    keys.append(computed_key(entry.key))
                else:
                    keys.append("...")
        bare = self.bare
        if type(bare) is v.Record:
            keys += [k for k, _ in bare.items if k not in keys]
        result = []
        for key in keys:
            if key == "...":
                result.append((key, Option(None, None)))
                continue
            node = None
            if type(self.node) is ir.Obj:
                node = next((e.value for e in self.node.entries
                             if (e.key == key) or (e.key is not None and not isinstance(e.key, str) and computed_key(e.key) == key)), None)
            value = bare.get(key) if type(bare) is v.Record else None
            result.append((key, Option(node, value)))
        return result

    def elements(self) -> list["Option"]:
        """The items of a list option; a single option is a list of itself."""
        bare = self.bare
        if type(self.node) is ir.Seq:
            items = bare.items if type(bare) is v.Tuple and len(bare.items) == len(self.node.elts) else (None,) * len(self.node.elts)
            return [Option(n, i) for n, i in zip(self.node.elts, items)]
        if type(bare) is v.Tuple:
            return [Option(None, i) for i in bare.items]
        return [self]

    @property
    def closed(self) -> bool:
        """An object literal without a spread: its keys are all the keys it has."""
        return type(self.node) is ir.Obj and all(entry.key is not None for entry in self.node.entries)

    @property
    def is_record(self) -> bool:
        return type(self.node) is ir.Obj or type(self.bare) is v.Record

    @property
    def is_list(self) -> bool:
        return type(self.node) is ir.Seq or type(self.bare) is v.Tuple

    @property
    def string(self) -> str | None:
        found = self.constant
        return found if isinstance(found, str) else None

    @property
    def constant(self):
        """The constant the option holds (from its value, else its literal node), else ``None``."""
        return const_of(self.value, self.node)

    @property
    def known(self) -> bool:
        """The option's content is known (a literal, or a value the model tracked)."""
        if self.node is not None and type(self.node) in (ir.Obj, ir.Seq, ir.Const, ir.Call, ir.Template):
            return True
        bare = self.bare
        return bare is not None and not v.is_unknown(bare) and type(bare) is not v.Union

    def is_true(self) -> bool:
        """Set to the constant ``true`` (a literal, or a name bound to it)."""
        return self.constant is True

    def is_false(self) -> bool:
        return self.constant is False


def computed_key(node) -> str:
    """``[Op.or]`` → ``[Op.or]`` (the interpreter keys it ``[sequelize:Op.or]``)."""
    if type(node) is ir.Attr and type(node.obj) is ir.Name:
        return f"[{node.obj.id}.{node.name}]"
    return ""
