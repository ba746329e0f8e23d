"""SQL built in steps: ``q = "SELECT …"``, ``q += " AND tag = ?"``, ``q = q + " ORDER BY …"``, then
``execute(q)``.

The frontends record these as :class:`~archlint.domain.facts.Assign` facts (``op`` ``=`` or ``+=``,
``value`` the right-hand side's source text).  :func:`build` replays the assignments to one name
that precede the sink, in source order: ``=`` restarts the text, ``+=`` appends its value, and a
value that mentions the name itself (``q = q + X``, ``q = "WITH … " + q``) has the current text
spliced in where the name is.  Every value is read by :func:`~.compose.compose`, so holes keep
their expressions, and every piece of the result keeps where its characters are in the file
(:class:`Piece`): a finding about an appended ``" AND name ILIKE ?"`` lands on that line.

**Conditional steps.**  The facts carry no ``if``: a step is judged by its indentation.  The first
assignment to the name fixes the level; a later step at a deeper column sits in a nested block
(``if``, loop, ``try``, callback) and may or may not run, and a sink to the left of that level is
outside the block that built the text.  Replaying every step gives one *possible* query — what
injection, dialect and placeholder-style rules need, since each of its pieces does run on some
path — but not necessarily a complete one (``if``/``else`` branches both appended, a loop's
clause once), so :attr:`Built.exact` is False and the checks skip the whole-statement rules
(AL401 syntax, AL404 counts, AL405/AL406/AL408/AL410).

**Steps the facts do not show.**  The frontends record an append only when its right-hand side
looks like SQL text starting with a keyword (``" AND …"``, ``" WHERE …"``); ``q += where_clause``
or ``q += ", image = ?"`` leave no fact.  A text that visibly ends mid-clause (``… WHERE``,
``… SET a = ?,``) was certainly extended that way and is inexact too; one that ends in a complete
statement is taken as the whole statement — the remaining blind spot (``q = "UPDATE t SET a = ?"``
then ``q += where_clause`` reads as an UPDATE without WHERE).

JS declarations start their span at the name (``let q = …``): their statement column is four
characters to the left (``let ``/``var ``), which is the level later ``q += …`` lines are compared
with.  A name first assigned without a declaration in JS is therefore judged conditional — fewer
findings, never a wrong statement.
"""

from __future__ import annotations

import re

from archlint.domain import indexes
from archlint.domain.facts import Assign, Span, StringLit
from archlint.domain.lazy_regex import lazy_compile
from archlint.domain.records import NamedTuple
from archlint.domain.sql.compose import Composed, Hole, compose
from archlint.domain.sql.location import guess_opener, point_span, text_span

_JS_DECLARATION = 4  # "let " / "var "
_UNFINISHED = lazy_compile(r"(?:\b(?:WHERE|AND|OR|NOT|SET|VALUES|BY|ON|FROM|JOIN|SELECT|HAVING|LIMIT|OFFSET)|[,(=<>+-])\s*$", re.IGNORECASE)


class Piece(NamedTuple):
    """``text[start:]`` of the built SQL continues ``composed.text[delta:]``; that value's source
    text starts at ``line``/``column`` — or, when ``composed.raw`` is empty (a value the facts
    cut short, read from its :class:`StringLit` instead), ``anchor`` is that literal."""

    start: int
    composed: Composed
    delta: int
    line: int
    column: int
    anchor: StringLit | None = None

    def span(self, offset: int, length: int, language: str) -> Span:
        """Where ``text[offset:offset+length]`` of the built SQL is, for an offset in this piece."""
        local = self.delta + offset - self.start
        if self.anchor is not None:
            return text_span(self.anchor, self.composed.opener, local, length, language)
        position = self.composed.raw_offset(local)
        return point_span(self.line, self.column, self.composed.raw, 0, position or 0, length)


class Built(NamedTuple):
    text: str  # with ``{}`` where each hole is
    holes: tuple[Hole, ...]
    how: str  # the only step's kind; else percent/format when a step used them, concat with holes, literal
    pieces: tuple[Piece, ...]
    exact: bool  # every step runs, unconditionally, before the sink


class _Run(NamedTuple):
    value: Composed
    start: int  # composed.text[start:end]
    end: int
    line: int
    column: int
    anchor: StringLit | None


def assignments(assigns: list[Assign], scopes: set[str], name: str) -> list[Assign]:
    """Assignments to ``name`` (plain or ``+=``) in ``scopes``, in source order."""
    found = [a for a in indexes.having(assigns, indexes.by_scope, scopes) if a.op in ("=", "+=") and _target(a.target) == name]
    return sorted(found, key=lambda a: (a.span.line, a.span.column))


def build(steps: list[Assign], name: str, strings: list[StringLit], language: str, sink: Span | None) -> Built | None:
    """The SQL ``steps`` leave in ``name`` at ``sink`` (``None``: after all of them), or ``None``
    when some step's value is not SQL text built from literals here (a call, another name …)."""
    if sink is not None:
        steps = [a for a in steps if (a.span.end_line, a.span.end_column) <= (sink.line, sink.column)]
    if not steps:
        return None
    runs: list[_Run] | None = None
    used: list[Assign] = []
    for step in steps:
        value = _value(step, strings, language)
        if value is None:
            runs, used = None, [step]  # a runtime value (a call, another name): the text is unknown
            continue
        run, composed = value
        own = [h for h in composed.holes if _target(h.expr) == name]
        if step.op == "+=":
            if runs is None:
                return None  # appended to a value we do not know (a parameter, a call)
            runs = runs + [run]
            used.append(step)
        elif own:
            if runs is None:
                return None
            runs = _splice(run, own, runs)
            used.append(step)
        else:
            runs, used = [run], [step]
    if runs is None:
        return None
    return _result(runs, _exact(steps[0], used, sink, language), [a.op for a in used], [r.value.how for r in runs])


def literal_composed(literal: StringLit, language: str) -> Composed:
    """A :class:`StringLit` as a :class:`Composed` value without source text (located by the literal)."""
    how = "fstring" if literal.kind == "fstring" else "template"
    holes = tuple(Hole(h.offset, h.expr, how) for h in literal.holes)
    return Composed(literal.text, holes, literal.kind if literal.holes else "literal", guess_opener(literal, language))


# one step ---------------------------------------------------------------------------------------------
def _value(step: Assign, strings: list[StringLit], language: str) -> tuple[_Run, Composed] | None:
    raw = step.value.strip()
    composed = compose(raw, language)
    if composed is not None:
        origin = _origin(step, raw, composed, strings)
        if origin is not None:
            return _Run(composed, 0, len(composed.text), origin[0], origin[1], None), composed
    literal = _whole_literal(step, raw, strings)
    if literal is None:
        return None
    composed = literal_composed(literal, language)
    return _Run(composed, 0, len(composed.text), literal.span.line, literal.span.column, literal), composed


def _origin(step: Assign, raw: str, composed: Composed, strings: list[StringLit]) -> tuple[int, int] | None:
    """Line and column of ``raw[0]``, from the end of the assignment's span — or ``None`` when the
    value does not fill the span's end (the frontend cut a long value short)."""
    span = step.span
    lines = raw.count("\n")
    if span.end_line - span.line != lines:
        return None
    after = len(step.target) + len(step.op)  # `q = ` / `q += ` at the least, a few spaces at most
    if not lines:
        column = span.end_column - len(raw)
        return (span.line, column) if span.column + after <= column <= span.column + after + 8 else None
    if len(raw) - raw.rfind("\n") - 1 != span.end_column - 1:
        return None
    first = composed.first if composed.first >= 0 and "\n" not in raw[: composed.first] else -1
    literal = next((s for s in strings if s.span.line == span.line and span.column < s.span.column
                    and (s.span.end_line, s.span.end_column) <= (span.end_line, span.end_column)), None) if first >= 0 else None
    column = literal.span.column - first if literal is not None else span.column + after + 2
    return span.line, column


def _whole_literal(step: Assign, raw: str, strings: list[StringLit]) -> StringLit | None:
    """A long literal value the fact cut short: its :class:`StringLit` holds the whole text."""
    if raw[:1] not in "'\"`rRfFuU":
        return None
    span = step.span
    return next(
        (
            s for s in strings
            if s.span.line == span.line and s.span.column > span.column
            and (s.span.end_line, s.span.end_column) == (span.end_line, span.end_column)
        ),
        None,
    )


def _splice(run: _Run, own: list[Hole], current: list[_Run]) -> list[_Run]:
    """``q = q + X`` / ``q = X + q``: the value with the current text where the name is."""
    result: list[_Run] = []
    cursor = run.start
    for hole in own:
        result.append(run._replace(start=cursor, end=hole.offset))
        result.extend(current)
        cursor = hole.offset + 2
    result.append(run._replace(start=cursor))
    return [r for r in result if r.end > r.start]


# the whole text ------------------------------------------------------------------------------------------
def _exact(first: Assign, used: list[Assign], sink: Span | None, language: str) -> bool:
    level = first.span.column
    if language != "python" and level > _JS_DECLARATION:
        level -= _JS_DECLARATION
    if sink is not None and sink.column < level:
        return False  # the text was built inside a block the sink is not in
    return all(step is first or step.span.column == level for step in used)


def _result(runs: list[_Run], exact: bool, ops: list[str], kinds: list[str]) -> Built:
    parts: list[str] = []
    holes: list[Hole] = []
    pieces: list[Piece] = []
    length = 0
    for run in runs:
        pieces.append(Piece(length, run.value, run.start, run.line, run.column, run.anchor))
        for hole in run.value.holes:
            if run.start <= hole.offset < run.end:
                holes.append(hole._replace(offset=length + hole.offset - run.start))
        parts.append(run.value.text[run.start : run.end])
        length += run.end - run.start
    if len(ops) == 1:
        how = kinds[0]
    else:
        how = next((k for k in kinds if k in ("percent", "format")), "concat" if holes else "literal")
    text = "".join(parts)
    return Built(text, tuple(holes), how, tuple(pieces), exact and not _UNFINISHED.search(text))


def _target(text: str) -> str:
    return text.split(":", 1)[0].strip()
