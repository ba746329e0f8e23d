"""AL001 means "the interpreter refuses this file" — in both directions.

Valid code the tree-sitter grammars cannot parse (PEP 696, TS 5 `.d.ts` shapes found in real
packages from npm: zod, drizzle, effect, @types/node, mikro-orm, vite, typebox) must not be called
invalid, and files CPython refuses although tree-sitter accepts them (indentation, nesting limits)
must be.  Each construct is checked alone and followed by a real error, which must still be
reported at its own line: a tolerated construct never hides a mistake after it.
"""

from __future__ import annotations

import pytest

from archlint.adapters.frontends.javascript import extract as js_extract
from archlint.adapters.frontends.python import extract as py_extract


def al001(facts) -> list[tuple[str, int]]:
    return [(p.message, p.span.line) for p in facts.problems if p.rule == "AL001"]


def lines(source: str) -> int:
    return source.count("\n")


# -- TypeScript / JavaScript: valid, but not for the grammar -------------------------------------------------
TS_VALID = {
    "export type star": ("types.d.ts", "export type * from './types';\nexport type * as ns from './types';\n"),
    "accessor fields": ("a.ts", "class A {\n  static accessor x = 1;\n  accessor y: string = '';\n  @dec accessor z = 3;\n}\n"),
    "variance": ("v.d.ts", "interface P<out T> { get(): T }\ninterface C<in T> { set(v: T): void }\ntype B<in out T> = (x: T) => T;\n"),
    "variance after a comment": ("v.d.ts", "export interface Z<\n  /** @ts-ignore variance */\n  out S extends object = {},\n> {}\n"),
    "import type with arguments": ("i.d.ts", "declare let x: import('./x.js').Foo<T>;\ntype Z = import('./z').A.B<string, Map<K, V>>;\n"),
    "import type in parentheses": ("i.d.ts", "declare const f: () => (import('./p').Policy | undefined)[];\n"),
    "method named using": ("u.d.ts", "declare class V {\n  using(using: string): this;\n}\n"),
    "using called": ("u.ts", "using(1);\nobj.using(2);\n"),
    "escaped backtick in template type": ("t.d.ts", "type T = `a\\`b${string}`;\n"),
    "escaped brace in template type": ("t.d.ts", "type T<S> = S extends `${infer L}$\\{${infer R}\\}` ? L : R;\n"),
    "generic function type argument": ("g.ts", "g<<C>(c: C) => C>();\n"),
    "import defer": ("d.ts", "import defer * as ns from './x.js';\n"),
    "keyof readonly array": ("k.d.ts", "type U = { [K in keyof readonly any[]]?: boolean };\n"),
    "global augmentation in a module": ("b.d.ts", 'declare module "buffer" {\n    global {\n        interface X {}\n    }\n}\n'),
    "anonymous default function declaration": ("l.d.ts", "export default function (): {\n    localeError: string;\n};\n"),
    "reserved word as export name": ("s.js", "const _null = null;\nexport { _null as null };\n"),
    "member named abstract": ("o.d.ts", "interface O {\n  abstract?: boolean;\n  in: 'query' | 'path';\n}\n"),
    "call signatures without separators": (
        "e.ts",
        "export interface F {\n  <A>(a: A): (self: A) => Effect<A>\n  /** doc */\n  (n: number): <B>(b: B) => { [K in keyof B]: K }\n  <C>(c: C): C\n}\n",
    ),
    "typed tagged template": ("q.ts", "const rows = sql<{ count: number }>`SELECT COUNT(*) AS count FROM users`;\n"),
    "as as a variable name": ("p.ts", "let as = items.length === 0 ? [] : items;\n"),
}


@pytest.mark.parametrize("path, source", TS_VALID.values(), ids=TS_VALID.keys())
def test_valid_typescript_is_not_a_syntax_error_even_after_a_real_one_is_added(path, source):
    language = "typescript" if ".ts" in path else "javascript"
    assert al001(js_extract(path, source.encode(), language)) == []
    broken = source + "const = ;\n"
    assert [line for _message, line in al001(js_extract(path, broken.encode(), language))] == [lines(source) + 1]


def test_each_typescript_gap_is_still_a_gap_of_the_grammar():
    """If a grammar upgrade parses one of these, its rewrite in js_syntax can go."""
    from archlint.adapters.frontends.javascript import _grammar, _grammar_name

    still = [
        name for name, (path, source) in TS_VALID.items()
        if _grammar(_grammar_name(path, "typescript" if ".ts" in path else "javascript")).parser.parse(source.encode()).root_node.has_error
    ]
    assert still == list(TS_VALID)


@pytest.mark.parametrize(
    "source, line",
    [
        ("export type * from './types'\nconst = 1;\n", 2),
        ("class A { static accessor x = 1; }\nfunction (\n", 2),
        ("const accessor = 1;\nconst y = accessor in obj;\n}\n", 3),
        ("f(\n  a,\n  (b) => b,\n;\n", 3),
    ],
)
def test_real_typescript_errors_next_to_tolerated_shapes_are_reported(source, line):
    assert [found for _m, found in al001(js_extract("x.ts", source.encode(), "typescript"))] == [line]


# -- Python: valid for CPython 3.12-3.15, not for the grammar ---------------------------------------------
PY_VALID = {
    "pep 696 class": "class Default[T = int]:\n    pass\n",
    "pep 696 every kind": "def f[T = int, *Ts = *tuple[int], **P = [int, str]](): pass\ntype A[T: int = bool, U = 'Foo'] = T\n",
    "pep 810 lazy import first in a function": "def f():\n    lazy import json\n    return json\n",
    "line in brackets left of its block": "def f(a, b, c):\n    if (\n        a and\nb and\n  # note\n        c\n    ):\n        return (a.\n  b)\n",
}
# and valid code the layout checks must leave alone
PY_LAYOUT_VALID = {
    "tabs": "if x:\n\ta = 1\n\tb = 2\n",
    "crlf": "if x:\r\n    a = 1\r\nelse:\r\n    b = 2\r\n",
    "form feed": "\x0cdef f():\n    pass\n\x0c\nclass A:\n    pass\n",
    "backslash continuation": "x = 1; \\\n    y = 2\nif x:\n    a = 1; \\\n        b = 2\n",
    "continuation lines": "x = [\n        1,\n  2]\ny = (\n1)\n",
    "one-line bodies": "def f(): return 1\nclass A: pass\nif x: a = 1; b = 2\nelse: c = 3\n",
    "decorators": "class A:\n    @property\n    def f(self):\n        return 1\n\n    @staticmethod\n    def g(): pass\n",
    "match": "match x:\n    case 1:\n        pass\n    case _:\n        pass\n",
    "comments at any column": "def f():\n    x = 1\n  # odd comment\n        # another\n    return x\n",
    "99 indentation levels": "".join(" " * i + "if x:\n" for i in range(99)) + " " * 99 + "pass\n",
    "200 nested brackets": "x = " + "(" * 200 + "1" + ")" * 200 + "\n",
    "600 columns inside brackets": "x = [\n" + " " * 600 + "1]\n",
    "python 3 print to a file": "print >>f, x\n",
}


@pytest.mark.parametrize("source", list(PY_VALID.values()) + list(PY_LAYOUT_VALID.values()), ids=list(PY_VALID) + list(PY_LAYOUT_VALID))
def test_valid_python_is_not_a_syntax_error_even_after_a_real_one_is_added(source):
    assert al001(py_extract("app/x.py", source.encode())) == []
    broken = source + "x = = 1\n"
    assert [line for _message, line in al001(py_extract("app/x.py", broken.encode()))] == [lines(source) + 1]


def test_each_python_gap_is_still_a_gap_of_the_grammar():
    from archlint.adapters.frontends.python import _grammar

    parser = _grammar()[2]
    assert [name for name, source in PY_VALID.items() if parser.parse(source.encode()).root_node.has_error] == list(PY_VALID)


# -- Python: refused by CPython, accepted by tree-sitter -------------------------------------------------
PY_INVALID = {
    "body not indented": ("def f():\nreturn 1\n", 1, "expected an indented block after function definition on line 1"),
    "class without a body": ("class A:\n\nx = 1\n", 1, "expected an indented block after class definition"),
    "class at end of file": ("class A:\n", 1, "expected an indented block"),
    "comment-only body": ("def f():\n    # todo\n", 1, "expected an indented block"),
    "empty finally": ("try:\n    pass\nfinally:\nx = 1\n", 3, "after 'finally' statement on line 3"),
    "dedent to no level": ("def f():\n    if x:\n        a = 1\n      b = 2\n", 4, "indentation error"),
    "unexpected indent": ("x = 1\n    y = 2\n", 2, "unexpected indent"),
    "unexpected indent in a block": ("def f():\n    x = 1\n        y = 2\n", 3, "unexpected indent"),
    "else out of line": ("if x:\n    pass\n  else:\n    pass\n", 3, "unindent does not match any outer indentation level"),
    "method out of line": ("class A:\n    def f(self):\n        pass\n   def g(self):\n        pass\n", 4, "indentation error"),
    "decorator out of line": ("class A:\n    @property\n      def f(self):\n        pass\n", 3, "indentation error"),
    "tab and spaces": ("def f():\n\tx = 1\n        y = 2\n", 3, "inconsistent use of tabs and spaces"),
    "100 indentation levels": ("".join(" " * i + "if x:\n" for i in range(100)) + " " * 100 + "pass\n", 101, "too many levels of indentation"),
    "201 nested brackets": ("x = " + "(" * 201 + "1" + ")" * 201 + "\n", 1, "too many nested parentheses"),
    "python 2 print": ("print 'hello'\n", 1, "missing parentheses in call to 'print'"),
    "return at module level": ("def f():\n    x = 1\nreturn x\n", 3, "'return' outside function"),
}


@pytest.mark.parametrize("source, line, message", PY_INVALID.values(), ids=PY_INVALID.keys())
def test_python_that_cpython_refuses_is_al001_at_the_right_line(source, line, message):
    (found,) = al001(py_extract("app/x.py", source.encode()))
    assert found[1] == line and message in found[0] and found[0].endswith("the module cannot be imported")


def test_nesting_past_the_parsers_own_limit_is_refused_without_parsing():
    """tree-sitter-python's scanner crashes the process (SIGSEGV) past ~500 indentation levels
    when strings are involved: such a file is measured first and never parsed."""
    source = "".join(" " * i + "if x:\n" + " " * (i + 1) + "'s'\n" for i in range(600))
    facts = py_extract("app/deep.py", source.encode())
    assert [(p.rule, p.span.line) for p in facts.problems] == [("AL001", 200)]
    assert facts.imports == [] and not facts.has_body


def test_an_open_bracket_that_fools_the_depth_measure_keeps_a_deep_file_away_from_the_parser():
    """A PEP 701 f-string (`f"{"("}"`) leaves the small pre-parse tokenizer one bracket deep, so it
    cannot see the indentation after it: a line 500+ columns deep is then not parsed (AL004)."""
    source = 'x = f"{"("}"\n' + "".join(" " * i + "if x:\n" + " " * (i + 1) + "'s'\n" for i in range(600))
    facts = py_extract("app/deep.py", source.encode())
    assert [p.rule for p in facts.problems] == ["AL004"]
