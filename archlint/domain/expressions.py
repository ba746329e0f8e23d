"""A small parser for the expression texts the facts carry (Python and JS/TS alike).

Facts keep expressions as source text: an interpolation hole (``", ".join("?" * len(ids))``), the
value of an assignment, a loop's iterable, a dynamic import's argument.  Constant folding
(:mod:`archlint.domain.constants`) needs their structure, not their spelling, so this module turns
such a text into a tiny tree of tuples.  It is deliberately forgiving and small: what it does not
understand becomes an ``("unknown",)`` node, never an exception, and the typed per-function IR will
replace it by handing the folder real nodes.

Node shapes (plain tuples, cheap and hashable):

``("str", value)`` / ``("num", text)`` / ``("const", word)`` (None, true, null …) / ``("name", id)``
/ ``("attr", obj, name)`` / ``("index", obj, key)`` / ``("call", func, args, keywords)`` (``args``
a tuple of nodes, ``("spread", node)`` for ``*x`` / ``...x``; ``keywords`` a tuple of (name, node)) /
``("bin", op, left, right)`` / ``("unary", op, operand)`` / ``("cond", test, then, else)`` /
``("seq", items)`` (list, tuple, set, array) / ``("dict", keys, values)`` /
``("fn", params, body)`` (lambda or arrow; ``body`` None when it is a block) /
``("comp", element, target_names, iterable)`` / ``("fstr", parts)`` (``parts``: str or node) /
``("unknown",)``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from archlint.domain.lazy_regex import lazy_compile

UNKNOWN = ("unknown",)

_STRING_START = lazy_compile(r"""([rRbBuUfFtT]{0,2})('''|\"\"\"|'|"|`)""")
_NUMBER = lazy_compile(r"0[xX][0-9a-fA-F_]+n?|0[bB][01_]+n?|0[oO][0-7_]+n?|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?[jJn]?")


def _latin1_complement(allowed: str) -> str:
    """A negated class: every code point below U+00C0 that *allowed* (a class) does not match, and the astral planes.

    ``[\\w$\\u00c0-\\uffff]`` spelled out costs ~7 ms to compile on every start (sre builds a bitmap over the
    65k-wide range); its complement over the first 192 code points compiles in ~0.1 ms and matches as fast.
    Astral letters (which ``\\w`` would match) are left out: no identifier in web backend code uses them."""
    ok = re.compile(allowed)
    return "[^" + "".join(re.escape(chr(c)) for c in range(0xC0) if not ok.match(chr(c))) + "\U00010000-\U0010ffff]"


# [A-Za-z_$\u00c0-\uffff][\w$\u00c0-\uffff]* — a name of Python or JS (letters outside ASCII included)
_NAME = lazy_compile(_latin1_complement(r"[A-Za-z_$]") + _latin1_complement(r"[\w$]") + "*")

_OPERATORS = (
    "...", "===", "!==", ">>>", "**", "//", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "=>", "<<", ">>", ":=",
    "+", "-", "*", "/", "%", "<", ">", "!", "~", "&", "|", "^", "?", ":", ".", ",", "(", ")", "[", "]", "{", "}",
    "=", "@", ";",
)
_CONSTANT_WORDS = frozenset({"None", "True", "False", "true", "false", "null", "undefined", "NaN", "Infinity"})
_BINARY = (  # lowest precedence first
    frozenset({"or", "||", "??"}),
    frozenset({"and", "&&"}),
    frozenset({"in", "not in", "is", "is not", "<", ">", "==", "!=", "===", "!==", "<=", ">=", "instanceof"}),
    frozenset({"|"}),
    frozenset({"^"}),
    frozenset({"&"}),
    frozenset({"<<", ">>", ">>>"}),
    frozenset({"+", "-"}),
    frozenset({"*", "/", "//", "%", "@"}),
)
_PREFIX = frozenset({"-", "+", "~", "!", "not", "await", "typeof", "void", "new", "delete"})
_MAX_LENGTH = 4_000


class _Token:
    __slots__ = ("kind", "text", "value")

    def __init__(self, kind: str, text: str, value=None) -> None:
        self.kind = kind  # str | num | name | op | end
        self.text = text
        self.value = value  # strings: ("str", value) or ("fstr", parts)


class _Unparsable(Exception):
    pass


@lru_cache(maxsize=4096)
def parse(text: str, language: str = "python") -> tuple:
    """The tree of ``text``, or ``("unknown",)`` when it is not an expression this parser reads."""
    text = text.strip()
    if not text or len(text) > _MAX_LENGTH:
        return UNKNOWN
    try:
        parser = _Parser(_tokens(text, language), language)
        node = parser.expression_list()
        if parser.peek().kind != "end":
            return UNKNOWN
        return node
    except (_Unparsable, RecursionError, IndexError, ValueError):
        return UNKNOWN


# tokens -------------------------------------------------------------------------------------------
def _tokens(text: str, language: str) -> list[_Token]:
    tokens: list[_Token] = []
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char in " \t\r\n\\":
            index += 1
            continue
        if char == "#" and language == "python":
            raise _Unparsable
        match = _STRING_START.match(text, index)
        if match and (match.group(1) == "" or language == "python") and (match.group(2) != "`" or language != "python"):
            token, index = _string(text, match, language)
            tokens.append(token)
            continue
        if char.isdigit() or (char == "." and index + 1 < length and text[index + 1].isdigit()):
            number = _NUMBER.match(text, index)
            if number is None or not number.group(0):
                raise _Unparsable
            tokens.append(_Token("num", number.group(0)))
            index = number.end()
            continue
        name = _NAME.match(text, index)
        if name:
            tokens.append(_Token("name", name.group(0)))
            index = name.end()
            continue
        operator = next((op for op in _OPERATORS if text.startswith(op, index)), None)
        if operator is None:
            raise _Unparsable
        tokens.append(_Token("op", operator))
        index += len(operator)
    tokens.append(_Token("end", ""))
    return tokens


def _string(text: str, match: re.Match, language: str) -> tuple[_Token, int]:
    prefix, quote = match.group(1).lower(), match.group(2)
    start = match.end()
    raw = "r" in prefix
    interpolated = quote == "`" or "f" in prefix or "t" in prefix
    parts: list = []
    chunk: list[str] = []
    index = start
    while True:
        if index >= len(text):
            raise _Unparsable
        if text.startswith(quote, index):
            index += len(quote)
            break
        char = text[index]
        if char == "\\" and not raw:
            chunk.append(text[index : index + 2])
            index += 2
            continue
        if char == "\\":
            chunk.append(text[index : index + 2])
            index += 2
            continue
        if char == "\n" and len(quote) == 1 and quote != "`":
            raise _Unparsable
        if interpolated and quote == "`" and text.startswith("${", index):
            end = _closing(text, index + 2, language)
            parts.append("".join(chunk))
            chunk = []
            parts.append(parse(text[index + 2 : end], language))
            index = end + 1
            continue
        if interpolated and quote != "`" and char in "{}":
            if text.startswith(char * 2, index):
                chunk.append(char)
                index += 2
                continue
            if char == "}":
                raise _Unparsable
            end = _closing(text, index + 1, language)
            parts.append("".join(chunk))
            chunk = []
            parts.append(_format_field(text[index + 1 : end], language))
            index = end + 1
            continue
        chunk.append(char)
        index += 1
    parts.append("".join(chunk))
    if not interpolated:
        return _Token("str", text[match.start() : index], ("str", parts[0])), index
    return _Token("str", text[match.start() : index], ("fstr", tuple(parts))), index


def _closing(text: str, index: int, language: str) -> int:
    """Index of the ``}`` closing an interpolation that starts at ``index``."""
    depth = 0
    while index < len(text):
        match = _STRING_START.match(text, index)
        if match and (match.group(1) == "" or language == "python"):
            _token, index = _string(text, match, language)
            continue
        char = text[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                if char != "}":
                    raise _Unparsable
                return index
            depth -= 1
        index += 1
    raise _Unparsable


def _format_field(field: str, language: str) -> tuple:
    """``x!r:>10`` -> the node of ``x``, wrapped as ``("format", node, spec)`` when a spec is given."""
    depth = 0
    cut = len(field)
    for position, char in enumerate(field):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and char == "!" and not field.startswith("!=", position):
            cut = min(cut, position)
        elif depth == 0 and char == ":" and cut == len(field):
            cut = position
            break
    expression = field[:cut].rstrip("= ")
    spec = field[cut:]
    node = parse(expression, language)
    colon = spec.find(":")
    return ("format", node, spec[colon + 1 :]) if colon >= 0 else node


# parser -------------------------------------------------------------------------------------------
class _Parser:
    def __init__(self, tokens: list[_Token], language: str) -> None:
        self.tokens = tokens
        self.index = 0
        self.language = language
        self.depth = 0

    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def next(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, text: str) -> bool:
        token = self.peek()
        return token.kind in ("op", "name") and token.text == text

    def expect(self, text: str) -> None:
        if not self.at(text):
            raise _Unparsable
        self.index += 1

    def expression_list(self) -> tuple:
        """``a, b`` (a Python tuple without brackets) or one expression."""
        first = self.expression()
        if not self.at(","):
            return first
        items = [first]
        while self.at(","):
            self.next()
            if self.peek().kind == "end" or self.at(")"):
                break
            items.append(self.expression())
        return ("seq", tuple(items))

    def expression(self) -> tuple:
        self.depth += 1
        if self.depth > 60:
            raise _Unparsable
        try:
            return self._expression()
        finally:
            self.depth -= 1

    def _expression(self) -> tuple:
        if self.at("lambda"):
            return self.lambda_()
        arrow = self.arrow()
        if arrow is not None:
            return arrow
        if self.at("async") and self.peek(1).kind in ("name", "op") and self.peek(1).text not in (".", "(", "="):
            self.next()
            return self.expression()
        node = self.binary(0)
        if self.at("if") and self.language == "python":
            self.next()
            test = self.binary(0)
            self.expect("else")
            return ("cond", test, node, self.expression())
        if self.at("?") and self.language != "python":
            self.next()
            then = self.expression()
            self.expect(":")
            return ("cond", node, then, self.expression())
        if self.at(":=") or (self.at("=") and self.language != "python"):
            self.next()
            return self.expression()
        if self.at("as") or self.at("satisfies"):  # TS casts keep the value
            self.next()
            self.type_expression()
        return node

    def type_expression(self) -> None:
        depth = 0
        while self.peek().kind != "end":
            token = self.peek()
            if token.text in ("(", "[", "{", "<"):
                depth += 1
            elif token.text in (")", "]", "}", ">"):
                if depth == 0:
                    return
                depth -= 1
            elif depth == 0 and token.text in (",", ";", "?", ":"):
                return
            self.next()

    def lambda_(self) -> tuple:
        self.expect("lambda")
        params = []
        while not self.at(":"):
            token = self.next()
            if token.kind == "name":
                params.append(token.text)
                if self.at("="):
                    self.next()
                    self.expression()
            elif token.kind == "end":
                raise _Unparsable
        self.expect(":")
        return ("fn", tuple(params), self.expression())

    def arrow(self) -> tuple | None:
        """``x => …`` / ``(a, b) => …`` / ``async (a) => …``; None when not an arrow function."""
        if self.language == "python":
            return None
        start = self.index
        if self.at("async"):
            self.next()
        token = self.peek()
        params: list[str] = []
        if token.kind == "name" and self.peek(1).text == "=>":
            params = [token.text]
            self.index += 2
        elif token.text == "(":
            close = self._matching(self.index)
            if close is None or self.tokens[close + 1].text not in ("=>", ":"):
                self.index = start
                return None
            if self.tokens[close + 1].text == ":":  # (a): T => …
                arrow_at = next((i for i in range(close + 1, len(self.tokens)) if self.tokens[i].text == "=>"), None)
                if arrow_at is None:
                    self.index = start
                    return None
            else:
                arrow_at = close + 1
            depth = 0
            expecting_name = True
            pattern: list[str] | None = None  # a destructured parameter `{ a, b }` / `[a, b]`: kept as its text
            for token in self.tokens[self.index + 1 : close]:
                if pattern is not None:
                    pattern.append(token.text)
                if token.text in ("(", "[", "{"):
                    if depth == 0 and expecting_name and token.text != "(":
                        pattern = [token.text]
                    depth += 1
                    expecting_name = False
                elif token.text in (")", "]", "}"):
                    depth -= 1
                    if depth == 0 and pattern is not None:
                        params.append(" ".join(pattern))
                        pattern = None
                elif depth == 0 and token.text == ",":
                    expecting_name = True
                elif depth == 0 and expecting_name and token.kind == "name":
                    params.append(token.text)
                    expecting_name = False
                elif depth == 0 and token.text in ("...",):
                    continue
                else:
                    expecting_name = False
            self.index = arrow_at + 1
        else:
            self.index = start
            return None
        if self.at("{"):
            close = self._matching(self.index)
            if close is None:
                raise _Unparsable
            body = self._block_return(self.index + 1, close)
            self.index = close + 1
            return ("fn", tuple(params), body)
        return ("fn", tuple(params), self.expression())

    def _block_return(self, start: int, end: int) -> tuple | None:
        """The value of a block ``{ return x; }`` that holds nothing but that return."""
        tokens = self.tokens[start:end]
        if not tokens or tokens[0].text != "return":
            return None
        inner = tokens[1:]
        while inner and inner[-1].text == ";":
            inner = inner[:-1]
        if any(t.text in (";", "return") for t in inner):
            return None
        sub = _Parser(inner + [_Token("end", "")], self.language)
        node = sub.expression()
        return node if sub.peek().kind == "end" else None

    def _matching(self, index: int) -> int | None:
        pairs = {"(": ")", "[": "]", "{": "}"}
        opener = self.tokens[index].text
        depth = 0
        for position in range(index, len(self.tokens)):
            text = self.tokens[position].text
            kind = self.tokens[position].kind
            if kind != "op":
                continue
            if text in pairs:
                depth += 1
            elif text in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return position if pairs[opener] == text else None
        return None

    def binary(self, level: int) -> tuple:
        if level == len(_BINARY):
            return self.unary()
        if level == 2 and self.at("not") and self.language == "python":
            self.next()
            return ("unary", "not", self.binary(level))
        left = self.binary(level + 1)
        operators = _BINARY[level]
        while True:
            token = self.peek()
            operator = token.text if token.kind in ("op", "name") else ""
            if operator == "not" and self.peek(1).text == "in":
                operator = "not in"
            elif operator == "is" and self.peek(1).text == "not":
                operator = "is not"
            if operator not in operators:
                return left
            self.index += len(operator.split())
            right = self.binary(level + 1)
            left = ("bin", operator, left, right)

    def unary(self) -> tuple:
        token = self.peek()
        if token.kind in ("op", "name") and token.text in _PREFIX:
            if token.text == "new" and self.language != "python":
                self.next()
                return self.postfix(self.atom(), new=True)
            if token.kind == "op" or self.language != "python" or token.text in ("not", "await"):
                if token.text in ("await", "typeof", "void", "delete") and self.peek(1).kind == "end":
                    return self.postfix(self.atom())
                self.next()
                return ("unary", token.text, self.unary())
        if token.text in ("*", "**", "...") and token.kind == "op":
            self.next()
            return ("spread", self.unary())
        base = self.postfix(self.atom())
        if self.at("**"):
            self.next()
            return ("bin", "**", base, self.unary())
        return base

    def postfix(self, node: tuple, new: bool = False) -> tuple:
        while True:
            token = self.peek()
            if token.kind != "op":
                return node
            if token.text in (".", "?."):
                self.next()
                if self.at("(") or self.at("["):
                    continue  # a?.(x) / a?.[i]
                name = self.next()
                if name.kind != "name":
                    raise _Unparsable
                node = ("attr", node, name.text)
            elif token.text == "(":
                self.next()
                args, keywords = self.arguments(")")
                node = ("call", node, args, keywords)
            elif token.text == "[":
                self.next()
                key = self.subscript()
                node = ("index", node, key)
            elif token.text == "!" and self.language != "python" and self.peek(1).text not in ("=", "=="):
                self.next()  # TS non-null assertion
            elif token.text == "<" and self.language != "python" and self._generic_call():
                continue
            else:
                return node

    def _generic_call(self) -> bool:
        """``f<T>(x)``: skip the type arguments when a call follows them."""
        depth = 0
        for position in range(self.index, min(self.index + 40, len(self.tokens))):
            text = self.tokens[position].text
            if text == "<":
                depth += 1
            elif text == ">":
                depth -= 1
                if depth == 0:
                    if self.tokens[position + 1].text == "(":
                        self.index = position + 1
                        return True
                    return False
            elif text in (";", "{", "}", "&&", "||"):
                return False
        return False

    def subscript(self) -> tuple:
        if self.at(":"):
            key = UNKNOWN
        else:
            key = self.expression()
        if self.at(":"):
            while not self.at("]"):
                if self.next().kind == "end":
                    raise _Unparsable
            key = ("slice",)
        while self.at(","):
            self.next()
            if not self.at("]"):
                self.expression()
        self.expect("]")
        return key

    def arguments(self, closer: str) -> tuple[tuple, tuple]:
        args: list = []
        keywords: list = []
        while not self.at(closer):
            if self.peek().kind == "name" and self.peek(1).text == "=" and self.language == "python":
                name = self.next().text
                self.next()
                keywords.append((name, self.expression()))
            else:
                node = self.expression()
                if self.at("for") and self.language == "python":
                    node = self.comprehension(node)
                args.append(node)
            if self.at(","):
                self.next()
            elif not self.at(closer):
                raise _Unparsable
        self.expect(closer)
        return tuple(args), tuple(keywords)

    def comprehension(self, element: tuple) -> tuple:
        node = element
        loops = []
        while self.at("for") or self.at("async"):
            if self.at("async"):
                self.next()
            self.expect("for")
            names = []
            while not self.at("in"):
                token = self.next()
                if token.kind == "name":
                    names.append(token.text)
                elif token.kind == "end":
                    raise _Unparsable
            self.expect("in")
            iterable = self.binary(0)
            loops.append((tuple(names), iterable))
            while self.at("if"):
                self.next()
                self.binary(0)
        for names, iterable in reversed(loops):
            node = ("comp", node, names, iterable)
        return node

    def atom(self) -> tuple:
        token = self.next()
        if token.kind == "str":
            node = token.value
            while self.peek().kind == "str" and self.language == "python":  # "a" "b"
                node = _concat(node, self.next().value)
            return node
        if token.kind == "num":
            return ("num", token.text)
        if token.kind == "name":
            if token.text in _CONSTANT_WORDS:
                return ("const", token.text)
            return ("name", token.text)
        if token.kind != "op":
            raise _Unparsable
        if token.text == "(":
            if self.at(")"):
                self.next()
                return ("seq", ())
            first = self.expression()
            if self.at("for") and self.language == "python":
                node = self.comprehension(first)
                self.expect(")")
                return node
            if self.at(","):
                items = [first]
                while self.at(","):
                    self.next()
                    if self.at(")"):
                        break
                    items.append(self.expression())
                self.expect(")")
                return ("seq", tuple(items))
            self.expect(")")
            return first
        if token.text == "[":
            items = []
            while not self.at("]"):
                item = self.expression()
                if self.at("for") and self.language == "python":
                    item = self.comprehension(item)
                    self.expect("]")
                    return item
                items.append(item)
                if self.at(","):
                    self.next()
                elif not self.at("]"):
                    raise _Unparsable
            self.expect("]")
            return ("seq", tuple(items))
        if token.text == "{":
            return self.braces()
        raise _Unparsable

    def braces(self) -> tuple:
        keys: list = []
        values: list = []
        items: list = []
        while not self.at("}"):
            if self.at("...") or self.at("**"):
                self.next()
                values.append(("spread", self.expression()))
                keys.append(UNKNOWN)
            elif self.peek().kind in ("name", "str", "num") and self.peek(1).text in (",", "}") and self.language != "python":
                token = self.next()  # { a } shorthand
                keys.append(("str", token.text))
                values.append(("name", token.text))
            else:
                if self.at("[") and self.language != "python":
                    self.next()
                    key = self.expression()
                    self.expect("]")
                else:
                    token = self.peek()
                    if token.kind == "name" and self.language != "python" and self.peek(1).text in (":", "("):
                        self.next()
                        key = ("str", token.text)
                    else:
                        key = self.expression()
                if self.at(":"):
                    self.next()
                    keys.append(key)
                    values.append(self.expression())
                elif self.at("(") and self.language != "python":  # method shorthand
                    close = self._matching(self.index)
                    if close is None or self.tokens[close + 1].text != "{":
                        raise _Unparsable
                    end = self._matching(close + 1)
                    if end is None:
                        raise _Unparsable
                    self.index = end + 1
                    keys.append(key)
                    values.append(UNKNOWN)
                elif self.at("for") and self.language == "python":
                    node = self.comprehension(key)
                    self.expect("}")
                    return node
                else:
                    items.append(key)
            if self.at(","):
                self.next()
            elif not self.at("}"):
                raise _Unparsable
        self.expect("}")
        if items and not keys:
            return ("seq", tuple(items))
        return ("dict", tuple(keys), tuple(values))


def _concat(left: tuple, right: tuple) -> tuple:
    def parts(node: tuple) -> tuple:
        return (node[1],) if node[0] == "str" else node[1]

    if left[0] == "str" and right[0] == "str":
        return ("str", left[1] + right[1])
    return ("fstr", parts(left) + parts(right))


def names_in(target: str) -> tuple[str, ...]:
    """The names a loop target binds: ``i`` / ``(k, v)`` / ``const [a, b]`` / ``{ id }``."""
    cleaned = re.sub(r"^\s*(?:const|let|var|await)\s+", "", target)
    return tuple(re.findall(r"[A-Za-z_$][\w$]*", cleaned))


__all__ = ["UNKNOWN", "names_in", "parse"]
