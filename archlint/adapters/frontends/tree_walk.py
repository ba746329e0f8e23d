"""Position questions about a syntax tree that stay linear on hostile input.

tree-sitter nodes carry no parent pointer: ``node.parent`` and ``root.descendant_for_byte_range``
walk down from the root, so they cost the depth of the node.  Asked once per call site of a file
with 3,000 nested functions (or a 2,000-branch ``else if`` chain), that is quadratic — minutes for
a 200 kB file.  The frontends ask these questions for nodes in source order, so a cursor that
stays where the last answer left it only climbs to the common ancestor and descends again: the
whole sequence costs about one walk over the tree.
"""

from __future__ import annotations

import bisect


def preorder(node) -> tuple[int, int]:
    """Sort key for a walk in document order: by start, an enclosing node before the nodes it
    holds (a chain ``a.b().c().d()`` starts all its calls at one byte)."""
    return node.start_byte, -node.end_byte


class Ancestry:
    """``parent`` / ``at`` without walks from the root.

    ``prefetch`` answers ``parent`` for a batch of nodes — and their parents, up to ``levels`` —
    in document order, remembering each answer by node id; later questions in any order are
    then lookups.  Unremembered questions move the cursor, cheap when close to the last one."""

    __slots__ = ("_cursor", "_parents")

    def __init__(self, root) -> None:
        self._cursor = root.walk()
        self._parents: dict[int, object] = {}

    def prefetch(self, nodes, levels: int = 1) -> None:
        for node in sorted(nodes, key=preorder):
            for _ in range(levels):
                node = self.parent(node)
                if node is None:
                    break

    def parent(self, node):
        """``node.parent``."""
        known = self._parents.get(node.id, self)
        if known is not self:
            return known
        if not self._goto(node):
            found = node.parent  # a zero-width node the cursor cannot land on: ask the tree
        else:
            cursor = self._cursor
            found = cursor.node if cursor.goto_parent() else None
        self._parents[node.id] = found
        return found

    def at(self, offset: int):
        """The smallest node spanning ``[offset, offset + 1)``, like
        ``root.descendant_for_byte_range(offset, offset + 1)``."""
        cursor = self._cursor
        node = cursor.node
        while not (node.start_byte <= offset < node.end_byte) and cursor.goto_parent():
            node = cursor.node
        while cursor.goto_first_child_for_byte(offset) is not None:
            if cursor.node.start_byte > offset:  # in the gap before this child: the parent is the answer
                cursor.goto_parent()
                break
        return cursor.node

    def _goto(self, target) -> bool:
        cursor = self._cursor
        start, end = target.start_byte, target.end_byte
        node = cursor.node
        while not (node.start_byte <= start and end <= node.end_byte) and cursor.goto_parent():
            node = cursor.node
        while node != target:
            if start == end or cursor.goto_first_child_for_byte(start) is None:
                return False
            node = cursor.node
            if node.start_byte > start or node.end_byte < end:
                return False
        return True


class Intervals:
    """Byte ranges (loop bodies), merged lazily, answering "is this offset inside one?" by bisection
    instead of a scan of every range for every call."""

    __slots__ = ("ranges", "starts")

    def __init__(self) -> None:
        self.ranges: list[tuple[int, int]] = []
        self.starts: list[int] | None = None

    def add(self, start: int, end: int) -> None:
        self.ranges.append((start, end))
        self.starts = None

    def contains(self, offset: int) -> bool:
        if not self.ranges:
            return False
        if self.starts is None:
            merged: list[list[int]] = []
            for start, end in sorted(self.ranges):
                if merged and start <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], end)
                else:
                    merged.append([start, end])
            self.ranges = [(a, b) for a, b in merged]
            self.starts = [a for a, _ in self.ranges]
        index = bisect.bisect_right(self.starts, offset) - 1
        return index >= 0 and offset < self.ranges[index][1]
