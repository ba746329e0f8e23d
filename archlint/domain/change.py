"""What a change did to a tree, file by file: the common currency of ``check PATH --patch``,
``--changed-only`` and ``verify PATH --patch``, however the change was obtained (a patch file
applied to a copy, ``git diff`` of a work tree, or two directories compared).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file a change creates, deletes, renames or edits."""
    before: str | None  # path in the tree before the change (None: the change creates the file)
    after: str | None  # path after it (None: the change deletes the file)
    added: frozenset[int] = frozenset()  # lines of ``after`` the change added
    note: str = ""  # why the content could not be rebuilt (binary without data, a symlink)

    @property
    def status(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "deleted"
        return "renamed" if self.before != self.after else "modified"


@dataclass
class ChangeSet:
    """Built once, then read: the lookups below are indexed on first use."""

    files: list[FileChange] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)  # paths the change touches outside the analysed directory

    @cached_property
    def _by_before(self) -> dict[str, FileChange]:
        return {change.before: change for change in self.files if change.before is not None}

    @cached_property
    def _by_after(self) -> dict[str, FileChange]:
        return {change.after: change for change in self.files if change.after is not None}

    def touched(self) -> frozenset[str]:
        """Paths after the change of every file it creates, modifies or renames."""
        return frozenset(self._by_after)

    def after_path(self, before: str) -> str | None:
        """Where a file of the old tree is after the change: renamed, deleted (None) or in place."""
        change = self._by_before.get(before)
        return before if change is None else change.after

    def added_lines(self, after: str) -> frozenset[int]:
        change = self._by_after.get(after)
        return change.added if change is not None else frozenset()

    def under(self, prefix: str) -> ChangeSet:
        """The same change with every path below ``prefix`` (PATH's place in the report's root)."""
        if not prefix:
            return self

        def moved(path: str | None) -> str | None:
            return None if path is None else f"{prefix}/{path}"

        return ChangeSet([FileChange(moved(c.before), moved(c.after), c.added, c.note) for c in self.files], self.outside)

    def to_dict(self) -> dict:
        """The files by what happened to them, for the JSON reports."""
        result: dict[str, list] = {"added": [], "modified": [], "renamed": [], "deleted": []}
        for change in sorted(self.files, key=lambda c: (c.after or c.before or "")):
            if change.status == "renamed":
                result["renamed"].append({"from": change.before, "to": change.after})
            else:
                result[change.status].append(change.after or change.before)
        notes = [{"path": change.after or change.before, "note": change.note} for change in self.files if change.note]
        if notes:
            result["not_rebuilt"] = notes
        if self.outside:
            result["outside"] = sorted(self.outside)
        return result

    def __bool__(self) -> bool:
        return bool(self.files)
