"""Python fixes through libcst: find the node a finding's span names, refer to the names a fix
needs through the module's own imports, and apply every fix of one file in one transformation.

libcst keeps every comment, blank line and parenthesis of the code a fix does not replace, and a
fix builds its replacement from the original nodes, so their inner formatting survives too.
Positions come from libcst's PositionProvider, which counts characters like archlint's spans
(and, like them, leaves a node's own parentheses out of its range).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, ParentNodeProvider, PositionProvider

from archlint.adapters.fixers.base import Decline, FileFix, SourceText
from archlint.domain.findings import Finding

Replacement = cst.CSTNode | cst.FlattenSentinel

# Where a name a fix needs may already be imported from (``from sqlalchemy.sql import or_``).
_HOMES = {"sqlalchemy": ("sqlalchemy", "sqlalchemy.sql", "sqlalchemy.sql.expression")}


@dataclass(frozen=True, slots=True)
class Change:
    """Replace ``target`` (a node of the parsed module) with ``replacement``; ``imports`` are the
    ``(module, name)`` pairs the replacement refers to and the module does not import yet."""

    target: cst.CSTNode
    replacement: Replacement
    imports: tuple[tuple[str, str], ...] = ()


class PythonModule:
    """One parsed file, with positions and parents, as the fixers see it."""

    def __init__(self, text: str) -> None:
        try:
            module = cst.parse_module(text)
        except Exception as exc:  # noqa: BLE001 - libcst raises ParserSyntaxError and, rarely, others
            raise Decline(f"libcst cannot parse this file ({type(exc).__name__})") from exc
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.module = module
        self.positions = wrapper.resolve(PositionProvider)
        self.parents = wrapper.resolve(ParentNodeProvider)
        self._by_range: dict[tuple, list[cst.CSTNode]] | None = None
        self.names = ModuleNames(module)

    def node_at(self, finding: Finding, *types: type) -> cst.CSTNode:
        """The node of one of ``types`` whose range is exactly the finding's span (the outermost
        one when several share it)."""
        if self._by_range is None:
            self._by_range = {}
            for node, where in self.positions.items():
                self._by_range.setdefault(_key(where), []).append(node)
        key = ((finding.line, finding.column - 1), (finding.end_line, finding.end_column - 1))
        for node in self._by_range.get(key, ()):
            if isinstance(node, types):
                return node
        wanted = " or ".join(t.__name__ for t in types)
        raise Decline(f"no {wanted} at exactly the finding's span (the file changed, or the code has an unusual shape)")

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parents.get(node)

    def range_of(self, node: cst.CSTNode) -> tuple[tuple[int, int], tuple[int, int]]:
        return _key(self.positions[node])

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)


def _key(where: CodeRange) -> tuple[tuple[int, int], tuple[int, int]]:
    return (where.start.line, where.start.column), (where.end.line, where.end.column)


class ModuleNames:
    """How code in this module can name ``sqlalchemy.or_``: an existing ``from`` import (maybe
    aliased), a star import, the module's own alias (``import sqlalchemy as sa`` -> ``sa.or_``),
    or a new ``from sqlalchemy import or_`` when the bare name is free."""

    def __init__(self, module: cst.Module) -> None:
        self.from_names: dict[tuple[str, str], str] = {}
        self.stars: set[str] = set()
        self.aliases: dict[str, str] = {}
        for statement in module.body:
            for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        dotted = _dotted(alias.name)
                        self.aliases.setdefault(dotted, alias.asname.name.value if alias.asname else dotted)
                elif isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
                    source = _dotted(small.module)
                    if isinstance(small.names, cst.ImportStar):
                        self.stars.add(source)
                        continue
                    for alias in small.names:
                        local = alias.asname.name.value if alias.asname else _dotted(alias.name)
                        self.from_names.setdefault((source, _dotted(alias.name)), local)
        collector = _BoundNames()
        module.visit(collector)
        self.bound = collector.names

    def reference(self, module: str, name: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """(expression text, imports to add) naming ``module.name`` here; Decline when the bare
        name would have to be imported but already means something else in the file."""
        homes = _HOMES.get(module, (module,))
        for home in homes:
            local = self.from_names.get((home, name))
            if local is not None:
                return local, ()
        if any(home in self.stars for home in homes):
            return name, ()
        alias = self.aliases.get(module)
        if alias is not None:
            return f"{alias}.{name}", ()
        if name in self.bound:
            raise Decline(f"`{name}` already names something else in this module; import {module}.{name} by hand")
        return name, ((module, name),)


class _BoundNames(cst.CSTVisitor):
    """Every identifier the module uses as a name (not as an attribute or keyword)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


class Names:
    """The names one fix refers to, collected while it builds its replacement."""

    def __init__(self, module: PythonModule, home: str = "sqlalchemy") -> None:
        self.module = module
        self.home = home
        self.imports: list[tuple[str, str]] = []

    def expression(self, name: str) -> cst.BaseExpression:
        text, needed = self.module.names.reference(self.home, name)
        for pair in needed:
            if pair not in self.imports:
                self.imports.append(pair)
        return cst.parse_expression(text)

    def call(self, name: str, args: Iterable[cst.Arg]) -> cst.Call:
        return cst.Call(func=self.expression(name), args=list(args))


# Applying ------------------------------------------------------------------------------------
Fixer = Callable[[PythonModule, Finding, object], Change]


def fix_python(path: str, data: bytes, findings: list[Finding], fixers: dict[str, Fixer], ctx) -> FileFix:
    """Every fix of one file in one pass; a fix whose target overlaps an earlier one's waits for
    the next round (the re-check reports it again)."""
    result = FileFix(path, data, data)
    try:
        source = SourceText.decode(data, "python")
        module = PythonModule(source.text)
    except Decline as exc:
        result.declined = [(finding, str(exc)) for finding in findings]
        return result
    planned: list[tuple[Finding, Change]] = []
    for finding in findings:
        try:
            planned.append((finding, fixers[finding.rule](module, finding, ctx)))
        except Decline as exc:
            result.declined.append((finding, str(exc)))
        except Exception as exc:  # noqa: BLE001 - a fixer bug on odd code declines, never aborts the run
            result.declined.append((finding, f"internal error in the fixer ({type(exc).__name__}: {exc})"))
    accepted: list[tuple[Finding, Change]] = []
    taken: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for finding, change in sorted(planned, key=lambda item: module.range_of(item[1].target)):
        where = module.range_of(change.target)
        twin = any(c.target is change.target and _render(module, c) == _render(module, change) for _f, c in accepted)
        if not twin and any(where[0] < end and start < where[1] or where == (start, end) for start, end in taken):
            result.declined.append((finding, "another fix rewrites the same code in this round; run --fix again"))
            continue
        accepted.append((finding, change))  # a twin (two findings, one rewrite) is applied once
        taken.append(where)
    if not accepted:
        return result
    imports: dict[str, list[str]] = {}
    for _finding, change in accepted:
        for home, name in change.imports:
            if name not in imports.setdefault(home, []):
                imports[home].append(name)
    replacements = {id(change.target): change.replacement for _finding, change in accepted}
    new_module = module.module.visit(_Apply(replacements, imports))
    text = new_module.code
    try:
        cst.parse_module(text)
    except Exception as exc:  # noqa: BLE001 - a fixer bug must not write a broken file
        result.declined.extend((finding, f"internal: the fixed file would not parse ({type(exc).__name__})") for finding, _ in accepted)
        return result
    result.after = source.encode(text)
    result.fixed = [finding for finding, _change in accepted]
    return result


def _render(module: PythonModule, change: Change) -> str:
    nodes = change.replacement.nodes if isinstance(change.replacement, cst.FlattenSentinel) else [change.replacement]
    return "\0".join(module.code(node) for node in nodes)


class _Apply(cst.CSTTransformer):
    def __init__(self, replacements: dict[int, Replacement], imports: dict[str, list[str]]) -> None:
        super().__init__()
        self.replacements = replacements
        self.imports = imports

    def on_leave(self, original_node, updated_node):
        replacement = self.replacements.get(id(original_node))
        return super().on_leave(original_node, updated_node) if replacement is None else replacement

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body = list(updated_node.body)
        for home, names in sorted(self.imports.items()):
            body = _add_import(original_node, body, home, names)
        return updated_node.with_changes(body=body)


def _add_import(module: cst.Module, body: list, home: str, names: list[str]) -> list:
    """Add ``from home import names``: into an existing top-level ``from home import …`` when
    there is one, else as a new line before the first ``from home.sub import …`` (where isort puts
    it), after the module's last import of ``home``, its leading imports or its docstring."""
    last_home = last_import = first_submodule = None
    leading = True  # still in the module's leading block of imports
    for index, statement in enumerate(body):
        smalls = statement.body if isinstance(statement, cst.SimpleStatementLine) else ()
        imports = [small for small in smalls if isinstance(small, (cst.Import, cst.ImportFrom))]
        for small in imports:
            if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
                source = _dotted(small.module)
                if source == home and not isinstance(small.names, cst.ImportStar) and len(smalls) == 1:
                    body[index] = statement.with_changes(body=[_extend(small, names)])
                    return body
                if source.split(".")[0] == home:
                    last_home = index
                    if source != home and first_submodule is None:
                        first_submodule = index  # `from home import x` sorts before `from home.sub import y`
            elif isinstance(small, cst.Import) and any(_dotted(a.name).split(".")[0] == home for a in small.names):
                last_home = index
        if imports and leading:
            last_import = index
        elif last_import is not None:
            leading = False
    if first_submodule is not None:
        statement = cst.parse_statement(f"from {home} import {', '.join(names)}\n", config=module.config_for_parsing)
        moved = body[first_submodule]
        body[first_submodule] = moved.with_changes(leading_lines=[])  # blank lines / comments stay above the block
        body.insert(first_submodule, statement.with_changes(leading_lines=moved.leading_lines))
        return body
    anchor = last_home if last_home is not None else last_import
    if anchor is None:
        anchor = 0 if body and _is_docstring(body[0]) else -1
        while anchor + 1 < len(body) and _is_future_import(body[anchor + 1]):
            anchor += 1
    statement = cst.parse_statement(f"from {home} import {', '.join(names)}\n", config=module.config_for_parsing)
    body.insert(anchor + 1, statement)
    return body


def _extend(node: cst.ImportFrom, names: list[str]) -> cst.ImportFrom:
    """``from m import a, b`` + names, in the statement's own layout (one per line when it is
    written one per line, a trailing comma kept) and order (sorted names stay sorted)."""
    aliases = list(node.names)
    trailing = aliases[-1].comma if isinstance(aliases[-1].comma, cst.Comma) else None
    if len(aliases) >= 2 and isinstance(aliases[-2].comma, cst.Comma):
        separator = aliases[-2].comma
    elif trailing is not None and node.lpar is not None:
        separator = cst.Comma(whitespace_after=node.lpar.whitespace_after)
    else:
        separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    keys = [_dotted(alias.name).lower() for alias in aliases]
    ordered = keys == sorted(keys)
    for name in sorted(names, key=str.lower):
        keys = [_dotted(alias.name).lower() for alias in aliases]
        position = next((i for i, key in enumerate(keys) if key > name.lower()), len(aliases)) if ordered else len(aliases)
        if position < len(aliases):
            aliases.insert(position, cst.ImportAlias(name=cst.Name(name), comma=separator))
        else:
            aliases[-1] = aliases[-1].with_changes(comma=separator)
            aliases.append(cst.ImportAlias(name=cst.Name(name), comma=trailing or cst.MaybeSentinel.DEFAULT))
    return node.with_changes(names=aliases)


def _is_docstring(statement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _is_future_import(statement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and any(isinstance(s, cst.ImportFrom) and s.module is not None and _dotted(s.module) == "__future__" for s in statement.body)
    )


def keep_parens(replacement: cst.BaseExpression, original: cst.BaseExpression) -> cst.BaseExpression:
    """The replacement inside the original's own parentheses, which lie outside the finding's span."""
    return replacement.with_changes(lpar=original.lpar, rpar=original.rpar)


def without_parens(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(lpar=[], rpar=[]) if node.lpar else node
