"""Facts and IR of a TypeScript file whose first parse trips on a known grammar gap come from the
parse of the same-length rewrite (js_syntax), not from the broken first tree.

The shape is Effect's overload style (effect 4.1.5 ``Function.ts``'s ``dual``, and 186 more files of
that package): call signatures in a type literal separated by line breaks, each with a generic
constraint.  tree-sitter-typescript reads the second signature's ``<`` as continuing the first one's
type, and its error recovery then swallowed the rest of the file: the class, its decorator and
every call after the type literal were lost."""

from __future__ import annotations

from archlint.adapters.frontends import javascript
from archlint.adapters.frontends.js_syntax import parse_without_gaps
from archlint.domain.facts import Span

OVERLOADS = b"""import { Injectable } from "@nestjs/common";
import { pipe } from "./pipe";

export const withRetry: {
  /** data-last */
  <Fn extends (...args: Array<any>) => any>(times: number): (self: Fn) => Fn
  /** data-first */
  <Fn extends (...args: Array<any>) => any>(self: Fn, times: number): Fn
} = (...args: Array<any>) => pipe(args[0], retry);

@Injectable()
export class Jobs {
  run(repo: Repo) {
    return repo.save(withRetry(1));
  }
}
"""


def test_the_first_parse_of_the_shape_fails_and_its_rewrite_parses():
    """The premise: if a grammar upgrade parses this, the test below checks nothing new."""
    parser = javascript._grammar("typescript").parser
    assert parser.parse(OVERLOADS).root_node.has_error
    parsed = parse_without_gaps(parser, OVERLOADS)
    assert parsed.error_root is None and parsed.parses == 2
    assert not parsed.tree.root_node.has_error


def test_facts_after_a_grammar_gap_are_found_with_exact_spans():
    facts = javascript.extract("src/jobs.ts", OVERLOADS, "typescript", ir=True)
    assert facts.problems == []
    assert [(i.module, i.span) for i in facts.imports] == [
        ("@nestjs/common", Span(1, 1, 1, 45)),
        ("./pipe", Span(2, 1, 2, 31)),
    ]
    assert [(c.callee, c.span) for c in facts.calls] == [
        ("pipe", Span(9, 30, 9, 50)),
        ("Injectable", Span(11, 2, 11, 14)),
        ("repo.save", Span(14, 12, 14, 35)),
        ("withRetry", Span(14, 22, 14, 34)),
    ]
    assert [(c.name, c.span) for c in facts.classes] == [("Jobs", Span(12, 8, 16, 2))]
    assert [(f.name, f.span.line) for f in facts.functions if f.name == "run"] == [("run", 13)]
    module = facts.ir
    assert [f.name for f in module.functions] == ["<module>", "withRetry", "run"]
    assert [c.name for c in module.classes] == ["Jobs"]
    run = module.functions[2]
    assert (run.span.line, run.span.column) == (13, 3)


def test_node_text_is_read_from_the_real_source_not_the_rewrite():
    """`let as = …` is rewritten (`as` renamed); the binding keeps its real name."""
    source = b'import { pipe } from "./pipe";\nlet as = 1;\nexport class A { m() { return pipe(as); } }\n'
    parser = javascript._grammar("typescript").parser
    assert parser.parse(source).root_node.has_error
    facts = javascript.extract("src/a.ts", source, "typescript", ir=True)
    assert facts.problems == []
    assert [(c.callee, c.span) for c in facts.calls] == [("pipe", Span(3, 31, 3, 39))]
    assert "as" in facts.ir.functions[0].locals


def test_a_real_syntax_error_after_a_grammar_gap_is_still_al001():
    source = OVERLOADS + b"export const broken = pipe(;\n"
    facts = javascript.extract("src/jobs.ts", source, "typescript")
    assert [(p.rule, p.span.line) for p in facts.problems] == [("AL001", 17)]


def test_a_clean_file_is_parsed_once():
    parser = javascript._grammar("typescript").parser
    assert parse_without_gaps(parser, b"export const a = 1;\n").parses == 1
