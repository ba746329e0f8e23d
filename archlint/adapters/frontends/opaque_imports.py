"""Is a computed Python import certainly left opaque by constant folding?  Answered from the bytes.

``importlib.import_module(mod_path)`` after ``mod_path, _, cls_name = entry.rpartition(".")``,
``import_module("%s.base" % backend_name)`` in ``def load_backend(backend_name)``: the Python
frontend records such a call as an *opaque* import with the argument's text, then constant folding
(:mod:`archlint.adapters.frontends.computed_imports`, :class:`archlint.domain.constants.ConstantFolder`)
tries to compute the argument and, failing, keeps it opaque.  The byte-level scanner used to hand
every such file to tree-sitter (Django: 22 files, ~0.2 s of a 0.55 s layers-only run) because a
name the file binds *might* fold to a constant.

This module proves, for the shapes it models, that folding *cannot* give a constant — the
argument's value depends on a parameter, an imported name or a call archlint does not know, along
every assignment the folder could follow — and that no guard can pin it to a constant registry's
keys (:func:`archlint.domain.allow_lists.allow_listed`).  Then the frontend's answer is the opaque
import with the argument's text, exactly what the scanner records.  It follows the folder's own
rules node by node (same expression parser, same knowledge tables) and answers ``False`` (the
frontend decides) for anything else: a constant anywhere on the way, a binding it cannot read (a
comprehension variable, ``with … as``, ``:=``, ``+=``, an assignment over several lines), a class
of the same name, a table attribute.

The proof is of *strict* folding (no UPPER_CASE convention): by convention a name may fold to a
constant with no known text, which ``resolve_computed_imports`` still keeps opaque, since it asks
strict folding (``_registered``) whether the argument is one of the code's constants.

Property proven for an expression tree (``_variable``): its folded value is not ``constant``, has
no known elements (``items``), is no mapping and no iterator step — what survives every operator
the folder combines it with below (``worst`` keeps it when one operand has it).
"""

from __future__ import annotations

import re

from archlint.domain.constants import FOLDED_NAMES, TABLE_ATTRIBUTES, _dotted, _schema_column, constant_name
from archlint.domain.lazy_regex import lazy_compile

_MAX_DEPTH = 6  # names followed through assignments (the folder goes to 20; deeper: the frontend decides)
_TEXT_LIMIT = 200  # the frontend cuts an assignment's value text there (python.py _ARG_TEXT_LIMIT)
_SEQUENCE_CALLS = frozenset({"range", "Array", "Array.from", "Object.keys", "Object.entries", "Object.values"})
# methods whose value the folder computes from the receiver or the arguments (constants._call)
_RECEIVER_METHODS = frozenset({"replace", "replaceAll", "format", "get", "has", "includes", "repeat", "keys", "values"})
_DEFERRED_METHODS = frozenset({"fill", "map", "flatMap", "next"})
_ARITHMETIC = frozenset({"%", "+", "-", "/", "//", "or", "and"})

# a line no loop target continues onto (`if not name:` after a `for` further up, with no `:` between)
_STATEMENT_LINE = lazy_compile(rb"[ \t]*(?:if|elif|while|return|raise|assert|del|with|def|class|import|try|except|global|nonlocal)\b")
_DEF_SIGNATURE = lazy_compile(rb"[ \t]*(?:async[ \t]+)?def[ \t]+([^\W\d]\w*)[ \t]*\(")
_SIGNATURE_TOKEN = lazy_compile(rb"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|#[^\n]*|[()\[\]{},]|[^()\[\]{},'"#]+""")
_PARAMETER = lazy_compile(rb"\s*\**\s*([^\W\d]\w*)")
_CLASS_HEADER = lazy_compile(rb"class[ \t]")
_DEF_OR_CLASS = lazy_compile(rb"[ \t]*(?:async[ \t]+)?(?:def|class)\b")
_INDENT = re.compile(rb"[ \t\f]*")
_ASCII_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")  # bytes `\w`
# after a name at a line start: an assignment of a bracket (`sorts = [`, `SORTS: list = (`)
_BRACKET_ASSIGNED = lazy_compile(rb"[ \t]*(?::[^=\n]*)?=[ \t\\]*[\[({]")
_OPERATORS = frozenset(bytes([c]) for c in b"-+*/%&|^@<>")  # before `=`: an augmented assignment
_IMPORT_LINE = lazy_compile(rb"[ \t]*(?:from|import)[ \t]")
_FOR_LINE = lazy_compile(rb"[ \t]*(?:async[ \t]+)?for[ \t]+([^\n]*?)[ \t]+in[ \t]+([^\n]*):[ \t]*(?:#[^\n]*)?\r?$", re.M)
# What can pin a name to an allow-list's keys (allow_lists._member / _lookups), over-approximated:
# `x in <collection>` / `x not in …`, `x == "text"` / `"text" != x`, `<collection>.get(x` /
# `.includes(x` / `.has(x` / `.__contains__(x` / `.test(x` / `.indexOf(x` — tested around each
# occurrence of the name (found by C's substring search), never by a regex over the file.
_PIN_AFTER = lazy_compile(rb"[\s)]*(?:(?:not\s+)?in\s+(?:([A-Za-z_][\w.]*)|.)|[=!]=\s*[rRbBuUfF]{0,2}['\"])", re.S)
_PIN_EQUAL_BEFORE = lazy_compile(rb"['\"][\s)]*[=!]=[\s(]*\Z")
_PIN_METHOD_BEFORE = lazy_compile(rb"([\w.]*)(\S?)\s*\.\s*(?:get|has|includes|__contains__|test|indexOf)\s*\(\s*\Z")
_STRING_OR_BRACKET = lazy_compile(rb"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|[()\[\]{}]""")
# a value that is a call opened on its line and not closed there: `MigrationLoader.migrations_module(`
_CALL_OPENED = lazy_compile(rb"[A-Za-z_][\w.]*[ \t]*\(")
# after a name: the end of an element of a bracket group — `,` ending the line, or the group's closing
# bracket (`(name,` / `other) = …` of a tuple target spread over lines)
_GROUP_ELEMENT_END = lazy_compile(rb"[ \t]*(?:,[ \t]*(?:#[^\n]*)?\r?\n|[)\]])")
_GROUP_TOKEN = lazy_compile(rb"""'''|\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|#[^\n]*|[()\[\]{}]""")
_ASSIGNED_GROUP = lazy_compile(rb"[ \t]*=(?!=)")
_GROUP_SCAN_LIMIT = 4000
_CODE_PREFIX = lazy_compile(rb"""(?:[^'"#\n]|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")*""")


class Prover:
    """One file's answers (``scan``: the scanner's :class:`_Scan`, for its string awareness)."""

    def __init__(self, scan) -> None:
        from archlint.adapters.frontends.computed_imports import _functions

        self.scan = scan
        self.data: bytes = scan.data
        self.functions = _functions()
        self._sites: dict[str, tuple[bool, bool]] = {}
        self._members: dict[str, bool] = {}
        self._visiting: set[str] = set()
        self._scope: int | None = -1  # the header offset of the function the expression being folded is in (-1: none, None: unknown)
        self._around: list[int] | None = []  # every def / class header around it, innermost first (None: unknown)
        self._families: dict[int, frozenset[str] | None] = {}
        self._parameters: dict[int, frozenset[str] | None] = {}
        self._chains: dict[int, list[int] | None] = {}

    def opaque(self, text: str, at: int) -> bool:
        """Does folding leave the import argument ``text`` (the call at offset ``at``) opaque, as it
        is, in this file?"""
        from archlint.domain.expressions import parse

        tree = parse(text, "python")
        if tree[0] == "unknown":
            return False  # no tree: the frontend's parse decides
        if any(self._pinnable(name) for name in _holes(tree)):
            return False
        chain = self._chain(at)
        self._scope = None if chain is None else chain[0] if chain else -1
        self._around = chain
        return self._variable(tree, 0)

    # the folder's nodes ---------------------------------------------------------------------------
    def _variable(self, node: tuple, depth: int) -> bool:
        kind = node[0]
        if depth > _MAX_DEPTH:
            return False
        if kind == "name":
            return self._name(node[1], depth)
        if kind == "attr":
            return self._attribute(node, depth)
        if kind == "call":
            return self._call(node, depth)
        if kind == "index":
            return self._variable(node[1], depth + 1)  # a lookup or a slice of a variable value
        if kind == "bin":
            operator, left, right = node[1], node[2], node[3]
            if operator not in _ARITHMETIC:
                return False
            if self._variable(left, depth + 1):
                return True
            if operator == "%" and right[0] == "seq":
                return any(self._variable(item, depth + 1) for item in right[1])  # "%s.%s" % (a, b)
            return self._variable(right, depth + 1)
        if kind == "fstr":
            return any(not isinstance(part, str) and self._variable(part, depth + 1) for part in node[1])
        if kind == "format":
            return self._variable(node[1], depth + 1)
        return False  # a literal, a sequence, a condition, a comprehension …: the frontend decides

    def _elements_variable(self, node: tuple, depth: int) -> bool:
        """Is every element a loop over ``node`` binds (the folder's ``_elements``) variable?  When
        ``node`` is (its elements are then unknown, or of its non-constant kind); when ``node`` is a
        literal sequence one of whose items is — the folder's elements of ``[locale, "en"]`` are
        ``worst`` of the items, which keeps that item's kind and, as it has none, no elements, no
        mapping and no iterator step; or a name every value of which is such a sequence (or
        variable).  Then the elements' elements are variable too: what unpacking (``a, b = …``)
        and a loop over a loop's element bind."""
        if self._variable(node, depth):
            return True
        if depth > _MAX_DEPTH:
            return False
        if node[0] == "seq":
            return any(self._variable(item, depth + 1) for item in node[1])
        if node[0] == "name":
            return self._name(node[1], depth, elements=True)
        return False

    def _attribute(self, node: tuple, depth: int) -> bool:
        _kind, obj, attribute = node
        if attribute in TABLE_ATTRIBUTES or attribute == "_meta" or attribute in ("name", "key") and _schema_column(obj):
            return False  # the model's table name, a column's name: constants
        if obj[0] == "name" and obj[1] in ("self", "this", "cls"):
            return self._member(attribute, depth)
        if obj == ("name", "__spec__") or obj[0] == "name" and self._is_class(obj[1]):
            return False
        return self._variable(obj, depth + 1)

    def _call(self, node: tuple, depth: int) -> bool:
        _kind, function, args, keywords = node
        if function[0] == "seq":
            return False
        callee = _dotted(function)
        functions = self.functions
        if callee:
            if functions.matches(callee, functions.quoted) or functions.matches(callee, functions.derived):
                return True  # quoted / derived: never a constant
            if functions.matches(callee, functions.path_joins) or callee in _SEQUENCE_CALLS:
                return False
            if functions.matches(callee, functions.same):
                return bool(args) and self._variable(args[0], depth + 1)
            if args and functions.matches(callee, functions.iterators):
                return self._variable(args[0], depth + 1)
        if function[0] == "name":
            return not self._assigned_anywhere(function[1])  # no local helper to evaluate: unknown
        if function[0] != "attr":
            return True
        receiver, method = function[1], function[2]
        if method in functions.same_methods:
            return self._variable(receiver, depth + 1)
        if method == "join":
            return not args or self._variable(args[0], depth + 1)
        if method in _RECEIVER_METHODS:
            return self._variable(receiver, depth + 1)
        if method in _DEFERRED_METHODS or method == "items":
            return False  # (`for key, value in TABLE.items()`: the keys of a constant dict)
        return True  # count (derived) or a method the folder does not know: unknown

    # names ------------------------------------------------------------------------------------------
    def _name(self, name: str, depth: int, elements: bool = False) -> bool:
        """The folder's ``_name``: a loop around the place binding ``name`` gives its element; else a
        parameter of the function there is unknown; else the worst of the assignments of the first
        enclosing scope that has some.  Read over the whole file: every loop binding ``name`` gives
        a variable element, and it is a parameter here or every scope assigning it has a variable
        assignment.  ``elements``: the same of the elements a loop over the name binds (a
        parameter's are unknown)."""
        if name in FOLDED_NAMES or name in ("self", "this", "cls"):
            return False
        if name in self._visiting:
            return True  # the folder's answer for a name met again on its own way: unknown
        key = ("*" + name) if elements else name
        sites = self._sites.get(key)
        if sites is None:
            if self._is_class(name):
                sites = (False, False)
            else:
                scope, around = self._scope, self._around
                self._visiting.add(name)
                try:
                    sites = self._sites_variable(name, depth, elements=elements)[:2]
                finally:
                    self._visiting.discard(name)
                    self._scope, self._around = scope, around
            if not all(sites) or not self._visiting:
                self._sites[key] = sites  # a True reached under another name's hypothesis is not kept
        loops, assignments = sites
        return loops and (assignments or name in (self._parameters_of(self._scope) or ()))

    def _member(self, attribute: str, depth: int) -> bool:
        """``self.x``: every ``self.x = …`` / ``cls.x = …`` and every plain ``x = …`` is variable;
        or one in the class around is.  The folder's ``_member`` pools (``worst``) the assignments
        of the owner's family — the owner and the classes naming it as a base — and ``worst`` keeps
        a variable value variable, whatever the others are: a method of a top-level class that sets
        ``self.x`` from a parameter is proof enough, another class's ``x = None`` (Django's
        ``UserSettingsHolder.SETTINGS_MODULE`` beside ``Settings``) cannot make it a constant."""
        owner = self._owner()
        cached = self._members.get((owner, attribute))
        if cached is None:
            key = "." + attribute
            if key in self._visiting:
                return True  # met again on its own way: unknown
            scope, around = self._scope, self._around
            self._visiting.add(key)
            try:
                loops, assignments, groups = self._sites_variable(attribute, depth, members=True)
                cached = loops and (assignments or owner is not None and groups.get(owner, False))
            finally:
                self._visiting.discard(key)
                self._scope, self._around = scope, around
            if not cached or not self._visiting:
                self._members[(owner, attribute)] = cached
        return cached

    def _owner(self) -> int | None:
        """The header of the folder's owner class of ``self.x`` here, when certain: a method (one
        ``def`` whose name is no class's) right in a top-level class — the folder's scope is then
        ``Class.method`` and its owner ``Class``, the first part every ``self.x = …`` of the class's
        own methods has in its scope.  None otherwise."""
        around = self._around
        if not around or len(around) != 2:
            return None
        method, owner = around
        data = self.data
        signature = _DEF_SIGNATURE.match(data, method)
        if signature is None or self._is_class(signature.group(1).decode("utf-8", "replace")):
            return None
        if not _CLASS_HEADER.match(data, owner) or _indent(data, owner):
            return None
        return owner

    def _sites_variable(self, name: str, depth: int, members: bool = False, elements: bool = False) -> tuple[bool, bool, dict]:
        """Every loop binding ``name`` (``for name in …``) gives a variable element, and every scope
        that assigns it has a variable assignment: the folder takes the worst of one scope's
        assignments (``_assigned``, or the class family's for ``self.x``: ``_member``), and the
        worst of a variable value and any other is variable.  Also returns each scope's verdict,
        by its header (``_group``)."""
        data = self.data
        token = name.encode()
        groups: dict[int, bool] = {}
        start = data.find(token)
        while start >= 0:
            end = start + len(token)
            if not (_is_word(data, start - 1) or _is_word(data, end)):
                found = self._site(name, start, end, depth, members, elements)
                if found is not None:
                    kind, verdict, chain = found
                    if kind == "loop":
                        if not verdict:
                            return False, False, {}
                    else:
                        key = _group(chain, kind, members)
                        if key is not None:
                            groups[key] = groups.get(key, False) or verdict
            start = data.find(token, end)
        return True, all(groups.values()), groups

    def _chain(self, start: int) -> list[int] | None:
        """The ``def`` / ``class`` headers around offset ``start``, innermost first, as the scanner
        walks them for imports; None when the line is such a header itself (``def f(): x = 1``: its
        indentation is not its scope's)."""
        from archlint.adapters.frontends.scanner import _Unsure

        line_start = self.data.rfind(b"\n", 0, start) + 1
        if line_start in self._chains:
            return self._chains[line_start]
        try:
            chain = self._headers(line_start)
        except _Unsure:
            chain = None
        self._chains[line_start] = chain
        return chain

    def _headers(self, line_start: int) -> list[int] | None:
        scan = self.scan
        data = self.data
        if _DEF_OR_CLASS.match(data, line_start):
            return None
        chain = []
        indent = _indent(data, line_start)
        position = line_start
        while indent > 0 and position > 0:
            position = data.rfind(b"\n", 0, position - 1) + 1
            if data[position : position + indent].isspace():
                continue  # indented as deep (or blank): the scanner's walk skips it too, by a slice test
            if scan._in_string(position) or scan._blank(position) or _indent(data, position) >= indent:
                continue
            opening = scan._header_line(position)
            if scan._classify(opening) in ("def", "class"):
                chain.append(opening)
            indent = _indent(data, opening)
            position = opening
        return chain

    def _parameters_of(self, header: int | None) -> frozenset[str] | None:
        """The parameter names of the ``def`` at ``header`` (None: not a def, a name defined twice
        — the folder reads the first function of a qualified name — or a signature not read)."""
        if header is None or header < 0:
            return None
        if header in self._parameters:
            return self._parameters[header]
        found = None
        match = _DEF_SIGNATURE.match(self.data, header)
        if match is not None and _word_found(self.data, b"def", match.group(1), 2) == 1:
            found = _parameter_names(self.data, match.end() - 1)
        self._parameters[header] = found
        return found

    def _site(self, name: str, start: int, end: int, depth: int, members: bool, elements: bool = False) -> tuple[str, bool, list | None] | None:
        """One occurrence: ``None`` when it binds nothing the folder reads, else ``(kind, variable, headers around it)``
        — kind "loop" (a loop target), "self" (``self.x = …``) or "assign"; variable False when
        unsure.  Found by the scanner's own binding tests (``_bound``).  ``elements``: variable
        means the elements a loop over the bound value gets are."""
        from archlint.adapters.frontends.scanner import _AS_BEFORE, _ASSIGNED_AFTER, _UNPACKED_AFTER, _UNPACKED_BEFORE, _loop_target

        data = self.data
        line_start = data.rfind(b"\n", 0, start) + 1
        before = data[line_start:start]
        dotted = before.rstrip(b" \t").endswith(b".")
        if dotted:
            if not members:
                return None  # an attribute of something else
            owner = before.rstrip(b" \t")[:-1].rstrip(b" \t")
            receiver = next((r for r in (b"self", b"cls", b"this")
                             if owner.endswith(r) and not _is_word(owner, len(owner) - len(r) - 1)), None)
            if receiver is None:
                return None  # `other.x`: not the class's member
            before = owner[: -len(receiver)]
        assigned = _ASSIGNED_AFTER.match(data, end)
        unpacked = None if assigned is not None else _UNPACKED_AFTER.match(data, end)
        aliased = assigned is None and unpacked is None and _AS_BEFORE.search(data, max(0, start - 64), start)
        looped = not (assigned or unpacked or aliased) and _loop_target(data, start, end) \
            and not _STATEMENT_LINE.match(data, line_start)
        if not (assigned or unpacked or aliased or looped):
            if _GROUP_ELEMENT_END.match(data, end) and _UNPACKED_BEFORE.match(before) and self.scan._in_code(start) \
                    and self._target_group(end):
                return "loop", False, None  # `(name,` then `other) = …`: a target the folder unpacks (unsure)
            return None  # a use
        if looped and members and not dotted:
            return None  # a loop binds no member: the folder's `_member` reads assignments only
        if not self.scan._in_code(start):
            return None  # in a string or a comment
        kind = "self" if dotted else "assign"
        # what binds nothing: a keyword argument, a parameter's default, a header's colon, an import alias
        if assigned is not None:
            span = data[end : assigned.end()]
            walrus = span.lstrip(b" \t").startswith(b":=")
            if not walrus and before.strip(b" \t") and _unbalanced(before):
                return None  # `f(a, x=1)`, `def f(a, x=1)`
            if b"\n" in span and span.lstrip(b" \t").startswith(b":") and self._header_colon(end + span.index(b":")):
                return None  # `if x:` / `else:` / `lambda x:` ending its line: no annotation goes on
        elif unpacked is not None:
            if not dotted and not _UNPACKED_BEFORE.match(before) and _unbalanced(before):
                return None  # `f(x, y=1)`
        if (assigned is not None and not walrus or unpacked is not None) and self._opens_bracket(line_start):
            return None  # `def f(` then `self, x, y=None`: parameters (or arguments) inside the brackets, no assignment
        if assigned is not None and not walrus and not before.strip(b" \t") and self._inside_parentheses(line_start, start):
            return None  # `def f(` … then `backend=None,` lines below: a default (or a keyword argument), no assignment
        elif aliased and _IMPORT_LINE.match(data, line_start) and not dotted:
            return None  # `import a as x`: an import binding, no assignment
        chain = self._chain(start)
        if chain is None:
            return "loop", False, None  # unsure, whatever it is
        self._scope = chain[0] if chain else -1
        self._around = chain
        if assigned is not None:
            if walrus or b"\n" in span or b"\\" in span or span[-2:-1] in _OPERATORS:
                return kind, False, chain  # `(x := …)`, over lines, `x += …` (the folder reads the added text as the value)
            if not before.strip(b" \t") or _UNPACKED_BEFORE.match(before) and not dotted:
                return kind, self._value_variable(assigned.end(), depth, elements), chain  # `x = …`, `x: T = …`, `a, x = …`
            return kind, False, chain  # `a = x = …`, `lambda x=1: …`, `…; x = …`
        if unpacked is not None:
            if not dotted and _UNPACKED_BEFORE.match(before):
                return kind, self._value_variable(unpacked.end(), depth, True), chain  # `x, y = …`: an element of the value
            return kind, False, chain
        if aliased:
            return kind, False, chain  # `with … as x`, `except … as x`
        loop = _FOR_LINE.match(data, line_start)
        if loop is None or dotted or not (loop.start(1) <= start and end <= loop.end(1)):
            return "loop", False, chain  # a comprehension, a header over several lines
        from archlint.domain.expressions import names_in, parse

        names = names_in(loop.group(1).decode("utf-8", "replace"))
        iterable = parse(loop.group(2).decode("utf-8", "replace"), "python")
        if iterable[0] == "call" and iterable[1] == ("name", "enumerate") and len(names) == 2 and iterable[2]:
            return "loop", name == names[0] or self._elements_variable(iterable[2][0], depth + 1), chain  # the index: derived
        return "loop", self._elements_variable(iterable, depth + 1), chain  # (an element of an element: variable too)

    def _opens_bracket(self, line_start: int) -> bool:
        """The line before ``line_start`` ends, as code, with an opening bracket: this line is
        inside brackets, where no statement (so no assignment) starts."""
        from archlint.adapters.frontends.scanner import _Unsure

        data = self.data
        last = line_start - 2  # the byte before the newline ending the line above
        while last >= 0 and data[last] in b" \t\r":
            last -= 1
        if last < 0 or data[last] not in b"([{":
            return False
        try:
            return self.scan._in_code(last)
        except _Unsure:
            return False

    def _target_group(self, end: int) -> bool:
        """The bracket group the name ending at ``end`` is an element of closes, and ``=`` (no ``==``)
        follows it: an assignment's target (``(a,\n b) = …``), which the folder unpacks.  True when
        unsure (a triple-quoted string, a group not closed within the scan's reach)."""
        data = self.data
        depth = 0
        for match in _GROUP_TOKEN.finditer(data, end, min(len(data), end + _GROUP_SCAN_LIMIT)):
            token = match.group()
            if token in (b"(", b"[", b"{"):
                depth += 1
            elif token in (b")", b"]", b"}"):
                depth -= 1
                if depth < 0:
                    return _ASSIGNED_GROUP.match(data, match.end()) is not None
            elif token in (b"'''", b'"""'):
                return True
        return True

    def _inside_parentheses(self, line_start: int, start: int) -> bool:
        """The line at ``line_start`` lies inside a parenthesis opened on the nearest line above that
        is indented less (``def sendfile(`` over the parameter lines of its signature, a call's
        ``f(`` over its keyword-argument lines), closed after ``start``: no statement starts inside
        it, so its ``x=…`` binds nothing."""
        from archlint.adapters.frontends.scanner import _Unsure

        scan = self.scan
        data = self.data
        indent = _indent(data, line_start)
        position = line_start
        try:
            while True:
                if position <= 0:
                    return False
                position = data.rfind(b"\n", 0, position - 1) + 1
                if scan._in_string(position) or scan._blank(position):
                    continue
                if _indent(data, position) < indent:
                    break
            line_end = data.find(b"\n", position)
            open_paren = data.rfind(b"(", position, len(data) if line_end < 0 else line_end)
            if open_paren < 0 or not scan._in_code(open_paren):
                return False
            return scan._closing(open_paren) > start
        except _Unsure:
            return False

    def _header_colon(self, colon: int) -> bool:
        """The ``:`` after a name leaves nothing open to its line's end (brackets closed, no ``\\``):
        no annotation continues onto the next line, whatever ``=`` comes there."""
        data = self.data
        line_end = data.find(b"\n", colon)
        line_end = len(data) if line_end < 0 else line_end
        code = _CODE_PREFIX.match(data, colon + 1, line_end)
        if code.end() < line_end and data[code.end()] != 0x23:
            return False  # a string opened and not closed on the line
        rest = data[colon + 1 : code.end()].rstrip()
        return not rest.endswith(b"\\") and not _unbalanced(rest) and not _unbalanced(rest, closing=True)

    def _value_variable(self, at: int, depth: int, elements: bool = False) -> bool:
        """The assigned value from ``at`` to the end of its line (the whole value, or unsure);
        ``elements``: a loop's elements over it."""
        data = self.data
        line_end = data.find(b"\n", at)
        line_end = len(data) if line_end < 0 else line_end
        code = _CODE_PREFIX.match(data, at, line_end)
        stop = code.end()
        if stop < line_end and data[stop] != 0x23:  # an open quote: a string over lines
            return False
        text = data[at:stop].strip()
        if _CALL_OPENED.fullmatch(text):
            text = self._call_over_lines(at, at + data[at:stop].index(b"("))  # `f(` then its arguments on the lines below
            if text is None:
                return False
        if not text or len(text) >= _TEXT_LIMIT or text.endswith(b"\\") or b";" in text or _unbalanced(text) \
                or _unbalanced(text, closing=True):
            return False
        from archlint.domain.expressions import parse

        tree = parse(text.decode("utf-8", "replace"), "python")  # "unknown": unsure
        return self._elements_variable(tree, depth + 1) if elements else self._variable(tree, depth + 1)

    def _call_over_lines(self, start: int, open_paren: int) -> bytes | None:
        """The whole value ``callee(…)`` whose arguments go on over lines, as one line, when the
        statement ends at its closing bracket (nothing but a comment after it); None otherwise."""
        from archlint.adapters.frontends.scanner import _Unsure

        data = self.data
        try:
            close = self.scan._closing(open_paren)  # comments or triple-quoted strings inside: unsure
        except _Unsure:
            return None
        line_end = data.find(b"\n", close)
        rest = data[close + 1 : len(data) if line_end < 0 else line_end].strip()
        if rest and not rest.startswith(b"#"):
            return None  # `f(…) + x`, `f(…)[0]`, `f(…).g(` …: more value after the call
        whole = data[start:close + 1]
        if b"\\" in whole or b"'" in whole or b'"' in whole:
            return None  # a string or a continuation over the lines: the frontend decides
        return b" ".join(whole.split())

    # text tests -------------------------------------------------------------------------------------
    def _assigned_anywhere(self, name: str) -> bool:
        from archlint.adapters.frontends.scanner import _bound

        return _bound(self.data, {name})

    def _is_class(self, name: str) -> bool:
        return _word_found(self.data, b"class", name.encode())

    def _pinnable(self, name: str) -> bool:
        """May a guard pin ``name`` to a constant collection's members?  (Then the IR decides.)"""
        data = self.data
        token = name.encode()
        start = data.find(token)
        while start >= 0:
            end = start + len(token)
            if not (_is_word(data, start - 1) or _is_word(data, end)):
                attribute = data[start - 1 : start] == b"."
                after = None if attribute else _PIN_AFTER.match(data, end)
                if after is not None:
                    collection = after.group(1)
                    if b"=" in after.group() or collection is None or self._constant_collection(collection.decode()):
                        return True
                window = max(0, start - 160)
                previous = data[window:start].rstrip(b" \t\r\n")
                opened = previous.endswith(b"(")
                previous = previous.rstrip(b" \t\r\n(")  # the last code before: `==` or `.get(` …
                if previous.endswith(b"=") and not attribute and _PIN_EQUAL_BEFORE.search(data, window, start):
                    return True
                method = _PIN_METHOD_BEFORE.search(data, window, start) if opened and _is_word(previous, len(previous) - 1) else None
                if method is not None:
                    receiver, closing = method.group(1).decode(), method.group(2)
                    if closing or "." not in receiver or constant_name(receiver.rsplit(".", 1)[1]):
                        return True  # `ALLOWED.get(x`, `self.SORTS.includes(x`, `{…}.get(x`
            start = data.find(token, end)
        return False

    def _constant_collection(self, dotted: str) -> bool:
        """``x in SORTS`` / ``x in self.ALLOWED`` / ``x in sorts`` with ``sorts = [...]`` at module
        level (allow_lists._constant_set): an UPPER_CASE end, or a name bound at column 0 to a
        bracket.  ``x in sys.modules`` or ``x in names`` (a parameter) is none."""
        last = dotted.rsplit(".", 1)[-1]
        if constant_name(last) or last in ("keys", "values"):
            return True
        if "." in dotted:
            return False
        data = self.data
        token = dotted.encode()
        start = data.find(token)
        while start >= 0:  # `name = [` at a line start: C's substring search, then the tail's regex
            if (start == 0 or data[start - 1] == 0x0A) and _BRACKET_ASSIGNED.match(data, start + len(token)):
                return True
            start = data.find(token, start + 1)
        return False


def _group(chain: list[int], kind: str, members: bool) -> int | None:
    """The scope an assignment belongs to, as the header offset of its innermost ``def`` /
    ``class`` (-1: the module); for ``self.x`` the outermost one (``_member`` pools the class
    family's methods), for a member's plain ``x = …`` only a top-level class body's (None:
    outside every pool)."""
    if not members:
        return chain[0] if chain else -1
    if kind == "self":
        return chain[-1] if chain else None
    return chain[0] if len(chain) == 1 else None


def _parameter_names(data: bytes, open_paren: int) -> frozenset[str] | None:
    """The names of a signature's parameters, from its ``(``: the first name of each comma-separated
    part at depth one (``*args``, ``b: int = 1``); None when the signature is not closed."""
    depth = 0
    names = []
    expecting = True
    for match in _SIGNATURE_TOKEN.finditer(data, open_paren):
        token = match.group()
        if token in (b"(", b"[", b"{"):
            depth += 1
            expecting = expecting and depth == 1
        elif token in (b")", b"]", b"}"):
            depth -= 1
            if depth == 0:
                return frozenset(names)
        elif depth == 1 and token == b",":
            expecting = True
        elif depth == 1 and expecting and token[:1] in b"'\"#":
            return None
        elif depth == 1 and expecting and _PARAMETER.match(token):
            names.append(_PARAMETER.match(token).group(1).decode())
            expecting = False
        elif depth == 1 and expecting and token.strip() in (b"", b"*", b"**", b"/"):
            continue
        elif depth == 1:
            expecting = False
    return None


def _holes(tree: tuple) -> list[str]:
    """The names a guard could pin (computed_imports._pinned_by_guard): the argument itself when it
    is a name, an f-string's named holes (a template in the IR); any other argument is no name or
    template there (``"%s.base" % name`` is a binary operation), which no guard pins."""
    if tree[0] == "name":
        return [tree[1]]
    if tree[0] != "fstr":
        return []
    holes = []
    for part in tree[1]:
        if isinstance(part, tuple):
            inner = part[1] if part[0] == "format" else part
            if inner[0] == "name":
                holes.append(inner[1])
    return holes


def _unbalanced(text: bytes, closing: bool = False) -> bool:
    """More brackets opened than closed in ``text`` (``closing``: more closed than opened)."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in (b"(", b"[", b"{"):
            depth += 1
        elif token in (b")", b"]", b"}"):
            depth -= 1
            if depth < 0 and closing:
                return True
    return depth > 0 and not closing


def _word_found(data: bytes, keyword: bytes, name: bytes, count: int = 1) -> int:
    """How many ``keyword name`` (``class Foo``, ``def load``: blanks between, the name ended, the
    keyword starting a word) the file holds, up to ``count`` — what a search for
    ``rb"keyword[ \\t]+name(?!\\w)"`` finds, by C's substring search for the name (no regex
    compiled per name)."""
    found = 0
    start = data.find(name)
    while start >= 0:
        end = start + len(name)
        blank = start
        while blank > 0 and data[blank - 1] in (0x20, 0x09):
            blank -= 1
        if blank < start and data.endswith(keyword, 0, blank) and not _is_word(data, blank - len(keyword) - 1) \
                and not (end < len(data) and data[end] in _ASCII_WORD):
            found += 1
            if found >= count:
                break
        start = data.find(name, end)
    return found


def _indent(data: bytes, line_start: int) -> int:
    return _INDENT.match(data, line_start).end() - line_start


def _is_word(data: bytes, index: int) -> bool:
    if index < 0 or index >= len(data):
        return False
    byte = data[index]
    return byte >= 0x80 or byte == 0x5F or 0x30 <= byte <= 0x39 or 0x41 <= byte <= 0x5A or 0x61 <= byte <= 0x7A
