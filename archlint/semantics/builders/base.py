"""What every lifter shares: the lifted query, reading a chain step, and building sqlglot nodes
that remember which builder call wrote them.

A lifted query is a sqlglot ``Select``/``Insert``/``Update``/``Delete`` with

* the source span of each clause in the node's ``meta`` (:data:`SPAN`): a rule that finds
  ``LIMIT`` without ``ORDER BY`` reports on the ``.limit(10)`` call, not on SQL text;
* :class:`~sqlglot.exp.Placeholder` holes for runtime values (``meta[HOLE]`` says what the
  code passed there: a parameter, request data, a constant held in a variable);
* :class:`~sqlglot.exp.Join` nodes marked with ``meta[FAN_OUT]`` — ``True`` when the joined
  table has several rows per row of the query's own table (a one-to-many relation), ``False``
  for a many-to-one join, absent when the schema does not say;
* ``exact`` — every call of the chain was understood; a condition passed as a callback or a
  clause the lifter does not model leaves ``exact`` ``False`` (rules that need the whole query,
  such as "no WHERE clause", stay silent then).

Builder-level problems no SQL shows (a Django lookup on a field the model lacks, a runtime value
where knex expects a column name) are :class:`Problem` records of the lifted query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archlint.domain.records import NamedTuple

from sqlglot import exp

from archlint.domain import ir
from archlint.domain.facts import Span
from archlint.domain.ir_format import render
from archlint.domain.sql.lexer import IDENTIFIER, PLACEHOLDER, RAW, SET_LIST, UNKNOWN_TABLE  # noqa: F401 - the sentinels the builders insert
from archlint.semantics.options import const_of  # noqa: F401 - the lifters' name for it
from archlint.semantics import values as v

SPAN = "archlint_span"  # (path, Span) of the builder call that wrote the node
HOLE = "archlint_hole"  # Hole: the runtime value a placeholder stands for
FAN_OUT = "archlint_fan_out"  # on a Join: True one-to-many, False many-to-one
RELATION = "archlint_relation"  # on a Join: the relation (attribute) name it follows
RAW = "archlint_raw"  # the node came from a raw SQL fragment (checked as SQL text already)
UNKNOWN_GROUP = "__group__"  # a GROUP BY item archlint cannot read (see unknown_group)
# meta flag of a SELECT whose ordering the code cleared on purpose (Django's bare `order_by()`): a LIMIT over it
# takes any n rows by design, not a page
UNORDERED = "archlint_unordered"


class Hole(NamedTuple):
    expr: str  # the code that gives the value, as written
    request: bool = False  # derived from request data
    constant: bool = False  # a constant known at analysis time (held in a variable)


class Problem(NamedTuple):
    """A defect only the builder call shows; ``rule`` is the catalogue id it is reported under."""

    rule: str
    path: str
    span: Span
    message: str
    guidance: str


@dataclass(slots=True)
class Lifted:
    """A query-builder or ORM chain lifted to a sqlglot tree."""
    builder: str  # sqlalchemy | django | knex | sequelize | typeorm | prisma | drizzle
    tree: exp.Expression
    path: str
    span: Span  # the call that starts the chain
    model: str = ""
    exact: bool = True
    problems: list[Problem] = field(default_factory=list)
    run: tuple | None = None  # (path, Span) of the call that runs it, when known
    steps: tuple = ()  # the chain it came from (for evidence)
    covered: frozenset = frozenset()  # rules another family already reports on this call

    def at(self, node: exp.Expression | None) -> tuple[str, Span]:
        """Where ``node`` was written: the nearest enclosing node with a span, else the chain."""
        while node is not None:
            where = node.meta.get(SPAN) if node.meta else None
            if where is not None:
                return where
            node = node.parent
        return self.path, self.span

    def sql(self, dialect: str = "") -> str:
        return self.tree.sql(dialect=dialect or None)


# reading steps --------------------------------------------------------------------------------
class Lifter:
    """What every ORM's lifter starts from: the program, the table catalog and the query being
    lifted, whether the lift is still *exact* (every clause understood) and the problems found.
    A clause it cannot read becomes :meth:`inexact_condition`: the statement stays checkable
    for what is known, and no rule treats it as proof of anything."""

    def __init__(self, program, catalog, query) -> None:
        self.program = program
        self.catalog = catalog
        self.query = query
        self.exact = True
        self.problems: list[Problem] = []

    def inexact_condition(self) -> exp.Expression:
        self.exact = False
        return unknown_condition()


class StepView:
    """One step of a chain: the method called, its arguments as IR nodes and as values."""

    __slots__ = ("step", "node", "path", "method", "positional", "keywords")

    def __init__(self, step: v.Step) -> None:
        self.step = step
        self.node = step.node
        self.path = step.path
        node = step.node
        if type(node) is ir.Call:
            self.method = node.short_name
            nodes = node.args
        elif type(node) is ir.Attr:
            self.method, nodes = node.name, ()
        else:  # ir.Index: a slice
            self.method, nodes = "[]", ()
        values = step.args
        self.positional: list[tuple[object, object]] = []  # (IR node, value)
        self.keywords: dict[str, tuple[object, object]] = {}
        for index, arg in enumerate(nodes):
            value = values[index][2] if index < len(values) else v.UNKNOWN
            if arg.kind == "pos":
                self.positional.append((arg.value, value))
            elif arg.kind == "kw":
                self.keywords[arg.name] = (arg.value, value)
            else:
                self.positional.append((None, v.UNKNOWN))  # *args / **kwargs: not known one by one
                self.keywords["**"] = (arg.value, v.UNKNOWN)

    @property
    def span(self) -> Span:
        return method_span(self.node)

    @property
    def where(self) -> tuple[str, Span]:
        return self.path, self.span

    def arg(self, index: int) -> tuple[object, object]:
        return self.positional[index] if index < len(self.positional) else (None, None)

    def has_star(self) -> bool:
        return "**" in self.keywords

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<step {self.method} at {self.path}:{self.span.line}>"


def method_span(node) -> Span:
    """The span of ``name(args)`` of a method call — where a finding about this call belongs —
    rather than the whole chain the call's own span covers."""
    if type(node) is ir.Call and type(node.func) is ir.Attr:
        attr = node.func
        start = attr.span.end_column - len(attr.name)
        if start >= 1:
            return Span(attr.span.end_line, start, node.span.end_line, node.span.end_column)
    if type(node) is ir.Index:
        return Span(node.obj.span.end_line, node.obj.span.end_column, node.span.end_line, node.span.end_column)
    return node.span


def located(node: exp.Expression, where: tuple[str, Span] | None) -> exp.Expression:
    if where is not None and node is not None:
        node.meta[SPAN] = where
    return node


# values ----------------------------------------------------------------------------------------


def string_of(value, node=None) -> str | None:
    found = const_of(value, node)
    return found if isinstance(found, str) else None


def hole(node, value) -> exp.Placeholder:
    """A runtime value in the query: a placeholder that remembers the expression behind it."""
    placeholder = exp.Placeholder()
    text = render(node, 60) if node is not None else "?"
    request = value is not None and v.REQUEST_TAG in v.tags_of(value)
    constant = value is not None and v.is_constant(value)
    placeholder.meta[HOLE] = Hole(text, request, constant)
    return placeholder


def literal(value) -> exp.Expression:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def value_expr(node, value) -> exp.Expression:
    """A value the code passes into a condition: a literal when it is one, else a hole."""
    if type(node) is ir.Const and node.value is not None and not isinstance(node.value, (bytes,)):
        return literal(node.value)
    if type(node) is ir.Const and node.value is None:
        return exp.Null()
    found = const_of(value)
    if found is not None and type(node) not in (ir.Name, ir.Attr):
        return literal(found)
    return hole(node, value)


def is_runtime(node, value) -> bool:
    """The argument is a value computed at run time (a parameter, request data, a row's field),
    not a constant written in the code."""
    if type(node) is ir.Const:
        return False
    if value is not None and v.is_constant(value):
        return False
    if value is not None and v.REQUEST_TAG in v.tags_of(value):
        return True
    bare = v.strip(value) if value is not None else None
    if type(bare) in (v.Row, v.Rows, v.Request, v.Record, v.Tuple):
        return True
    return type(node) in (ir.Name, ir.Attr, ir.Index, ir.Template, ir.BinOp) and not _constant_name(node)


def _constant_name(node) -> bool:
    return type(node) is ir.Name and node.id.isupper()


def chain_key(chain) -> tuple:
    """Where a chain's steps are: chains are lifted in source order, so findings come out in one order."""
    return tuple((step.path, step.node.span) for step in chain)


# sqlglot nodes ---------------------------------------------------------------------------------
def table(name: str, alias: str = "") -> exp.Table:
    db = ""
    if "." in name:
        db, name = name.rsplit(".", 1)
    node = exp.Table(this=exp.to_identifier(name))
    if db:
        node.set("db", exp.to_identifier(db))
    if alias and alias != name:
        node.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
    return node


def column(name: str, qualifier: str = "") -> exp.Expression:
    if name == "*":
        return exp.Column(this=exp.Star(), table=exp.to_identifier(qualifier)) if qualifier else exp.Star()
    node = exp.Column(this=exp.to_identifier(name))
    if qualifier:
        node.set("table", exp.to_identifier(qualifier))
    return node


def dotted(reference: str) -> exp.Expression:
    """``articles.title`` / ``a.*`` / ``title`` → a column."""
    reference = reference.strip()
    qualifier, _, name = reference.rpartition(".")
    return column(name.strip('"`'), qualifier.strip('"`'))


def split_alias(text: str) -> tuple[str, str]:
    """``'articles as a'`` → (``articles``, ``a``); knex and TypeORM write aliases this way."""
    parts = text.split()
    if len(parts) == 3 and parts[1].lower() == "as":
        return parts[0], parts[2]
    return text.strip(), ""


def aliased(node: exp.Expression, alias: str) -> exp.Expression:
    return exp.Alias(this=node, alias=exp.to_identifier(alias)) if alias else node


def and_all(conditions: list[exp.Expression]) -> exp.Expression | None:
    conditions = [c for c in conditions if c is not None]
    if not conditions:
        return None
    result = conditions[0]
    for item in conditions[1:]:
        result = exp.And(this=result, expression=item)
    return result


def or_all(conditions: list[exp.Expression]) -> exp.Expression | None:
    conditions = [c for c in conditions if c is not None]
    if not conditions:
        return None
    result = conditions[0]
    for item in conditions[1:]:
        result = exp.Or(this=exp.Paren(this=result) if isinstance(result, exp.And) else result,
                        expression=exp.Paren(this=item) if isinstance(item, exp.And) else item)
    return result


def unknown_group() -> exp.Expression:
    """A GROUP BY item that is there but not understood (a list held in a field, a spread): enough to
    know the query is grouped — one row per group, not per joined row —, not by which columns."""
    return exp.Anonymous(this=UNKNOWN_GROUP)


def unknown_condition() -> exp.Expression:
    """A condition that is there but not understood (a callback, a spread object): enough to know
    the query is filtered, nothing more."""
    node = exp.Anonymous(this="__condition__")
    return node


def add_where(select: exp.Expression, condition: exp.Expression | None, use_or: bool = False) -> None:
    if condition is None:
        return
    current = select.args.get("where")
    if current is None:
        select.set("where", exp.Where(this=condition))
        return
    combined = (exp.Or if use_or else exp.And)(this=current.this, expression=condition)
    current.set("this", combined)


def add_having(select: exp.Expression, condition: exp.Expression | None) -> None:
    if condition is None:
        return
    current = select.args.get("having")
    if current is None:
        select.set("having", exp.Having(this=condition))
    else:
        current.set("this", exp.And(this=current.this, expression=condition))


def add_order(select: exp.Expression, term: exp.Expression, desc: bool, where) -> None:
    order = select.args.get("order")
    ordered = located(exp.Ordered(this=term, desc=desc), where)
    if order is None:
        select.set("order", located(exp.Order(expressions=[ordered]), where))
    else:
        order.append("expressions", ordered)


def add_group(select: exp.Expression, term: exp.Expression, where) -> None:
    group = select.args.get("group")
    if group is None:
        select.set("group", located(exp.Group(expressions=[term]), where))
    else:
        group.append("expressions", term)


def set_limit(select: exp.Expression, value: exp.Expression, where) -> None:
    select.set("limit", located(exp.Limit(expression=value), where))


def set_offset(select: exp.Expression, value: exp.Expression, where) -> None:
    select.set("offset", located(exp.Offset(expression=value), where))


def add_join(select: exp.Expression, target: exp.Expression, on: exp.Expression | None, side: str, where,
             kind: str = "") -> exp.Join:
    join = exp.Join(this=target)
    if side:
        join.set("side", side)
    if kind:
        join.set("kind", kind)
    if on is not None:
        join.set("on", on)
    located(join, where)
    select.append("joins", join)
    return join


def projections(select: exp.Select) -> list[exp.Expression]:
    return list(select.expressions)


def from_table(select: exp.Expression) -> exp.Table | None:
    source = select.args.get(FROM_KEY)
    return source.this if source is not None and isinstance(source.this, exp.Table) else None


FROM_KEY = "from_" if "from_" in exp.Select.arg_types else "from"  # sqlglot renamed it in v28


def set_from(select: exp.Select, target: exp.Expression, where) -> None:
    select.set(FROM_KEY, located(exp.From(this=target), where))


def table_alias(node: exp.Table) -> str:
    return (node.alias or node.name).lower()
