"""SQL sites: every call that hands SQL text to a database API, with the text it hands over.

A SQL string only matters when it reaches a sink — a DB access site that takes SQL (typed by the
data layer: ``cursor.execute``, ``pool.query``, ``sequelize.query``), a SQL-building function
(``text()``, ``RawSQL``, ``Sequelize.literal``, ``op.execute``), a raw-clause method of a query
builder (``whereRaw``), or an untyped ``.execute("SELECT …")``.  SQL in log messages,
docstrings, comments and error strings never reaches one, so it is never analysed.

The text is the literal argument, an f-string / template / ``%`` / ``.format`` / ``+`` built in
the argument (see :mod:`compose`), or a *name*.  A name's text is rebuilt from the ``Assign`` facts
of that name that precede the sink in the same function — ``q = "…"``, ``q += " AND …"``,
``q = q + "…"`` (see :mod:`steps`, which also decides when a step is conditional and the text
inexact) — or from the module-level assignments of a constant (in this module or one it imports
from; ``self.SQL`` / ``cls.SQL`` from the class body).  The frontends record only assignments whose
value looks like SQL text starting with a common keyword; a name whose statement they do not
recognise (``SCHEMA = "CREATE TABLE …"``, ``PRAGMA …``) has no such fact, and falls back to the
free-standing SQL literal whose column fits ``name = "…"`` on a statement line of that scope —
only when exactly one does, and inexact for a local name.  SQL that goes through a list of clauses
(``clauses.append(f"…")`` / ``where.push(`…`)`` then ``" AND ".join(clauses)``) is rebuilt from the
IR of the sink's function first (see :mod:`joined`).
"""

from __future__ import annotations

import bisect
import re

from archlint.domain import indexes, ir
from archlint.domain.arguments import ir_call, split_top_level
from archlint.domain.constants import ConstantFolder
from archlint.domain.datalayer import DataLayer, DbAccess, canonical, segments
from archlint.domain.facts import Argument, CallSite, FileFacts, Span, StringLit
from archlint.domain.graph import ModuleGraph
from archlint.domain.knowledge import module_matches
from archlint.domain.lazy_regex import lazy_compile
from archlint.domain.records import NamedTuple
from archlint.domain.sql import holes as hole_origin
from archlint.domain.ir_format import render
from archlint.domain.sql.compose import FORMAT_FIELD, Composed, Hole, compose, format_argument, is_name
from archlint.domain.sql.holes import SqlHole
from archlint.domain.sql.joined import Joined, callback_loop, has_join
from archlint.domain.sql.knowledge import OTHER_DATABASE, Sink, SqlKnowledge
from archlint.domain.sql.lexer import is_statement
from archlint.domain.sql.location import guess_opener, raw_span, text_span
from archlint.domain.sql.steps import Built, Piece, assignments, build, literal_composed

_SQL_KEYWORDS = ("sql", "query", "statement", "text", "operation", "stmt")
_PARAM_KEYWORDS = ("params", "parameters", "args", "vars", "values", "bindings", "bind_params", "replacements")
_VALUE_KEYWORDS = ("",) + _PARAM_KEYWORDS  # the arguments after the SQL that carry its values (positional, or these)
_JS_DECLARATIONS = (0, 4, 6, 13)  # "", "let "/"var ", "const ", "export const "


class SqlText(NamedTuple):
    text: str  # the SQL, with ``{}`` where each hole is
    holes: tuple[SqlHole, ...]
    how: str  # literal | fstring | template | percent | format | concat
    exact: bool  # False: it may not be the whole statement (a conditional step, an unrecorded one)
    path: str  # the file holding the literal (a constant may be imported)
    anchor: StringLit | None  # the literal in that file, for line/column
    opener: int  # width of the literal's prefix and opening quote
    language: str
    composed: Composed | None = None  # how the argument's source text maps onto ``text``
    pieces: tuple[Piece, ...] = ()  # a name built in steps: where each step's text is

    @property
    def located(self) -> bool:
        return self.anchor is not None or bool(self.pieces)

    def span(self, offset: int | None = None, length: int = 0) -> Span | None:
        """Where ``text[offset:offset+length]`` is; the whole literal when ``offset`` is None."""
        if self.pieces:
            offset = offset or 0
            piece = next((p for p in reversed(self.pieces) if p.start <= offset), self.pieces[0])
            return piece.span(offset, length, self.language)
        if self.anchor is None:
            return None
        if offset is None:
            return self.anchor.span
        composed = self.composed
        if composed is not None and composed.raw and composed.first >= 0:
            position = composed.raw_offset(offset)
            if position is not None:
                return raw_span(self.anchor, composed.raw, composed.first, position, length)
        if offset > len(self.anchor.text):
            return self.anchor.span
        return text_span(self.anchor, self.opener, offset, length, self.language)

    @property
    def runtime_holes(self) -> tuple[SqlHole, ...]:
        return tuple(h for h in self.holes if h.origin == hole_origin.RUNTIME)


class SqlSite(NamedTuple):
    path: str
    call: CallSite
    sink: Sink
    method: str
    stack: str  # the typed receiver's stack ("" when untyped)
    database: str  # the driver's own database, else the project's ("" when unknown)
    style: str  # paramstyle name; "" = not checked
    kind: str  # statement | fragment | script
    sql: SqlText | None  # None: the SQL is a runtime expression (``expression``)
    expression: str  # the SQL argument as written
    params: tuple[Argument, ...]  # the values passed with it ("" text = none given)
    many: bool  # executemany: params is a sequence of rows
    # an untyped ``.execute(query)`` whose SQL is a parameter of its function: it counts only through the
    # callers that hand it SQL text (checks/sql ``_helper_sites``), never on its own
    helper: bool = False
    # the IR of what ``expression`` and ``params`` were read from: (the SQL argument's expression, the
    # :class:`ir.Arg` of each value in ``params``); None when the call's IR is not known
    bound: tuple | None = None

    @property
    def language(self) -> str:
        return "python" if self.sink.language == "python" else "javascript"


def sql_sites(
    files: dict[str, FileFacts],
    paths: list[str],
    datalayer: DataLayer,
    graph: ModuleGraph,
    sql: SqlKnowledge,
    project_database: str | None,
    typed: dict | None = None,
) -> list[SqlSite]:
    """``typed``: (path, span) of a call -> the DB stack of its receiver, from the semantic model
    (a handle received through a constructor, ``Depends`` or a factory), for receivers the data
    layer's facts leave untyped."""
    accesses = {(a.path, a.span, a.callee): a for a in datalayer.accesses}
    sites: list[SqlSite] = []
    for path in paths:
        facts = files[path]
        extractor = _FileExtractor(path, facts, files, graph, sql, project_database or "", typed or {})
        for call in facts.calls:
            sites.extend(extractor.sites(call, accesses.get((path, call.span, call.callee))))
    return sites


def helper_site(files: dict[str, FileFacts], graph: ModuleGraph, sql: SqlKnowledge, project_database: str | None,
                site: SqlSite, path: str, call: CallSite, index: int, params: tuple[Argument, ...], exact: bool) -> SqlSite | None:
    """The SQL a caller hands a query helper (``self._fetchone(select, {"id": id})`` where the helper runs
    ``cursor.execute(query, vars)`` on its parameters): ``site`` (the helper's sink, whose SQL is its parameter)
    seen at the caller's call — the text the caller's argument ``index`` holds, the values it passes as
    ``params``; the helper's driver decides the database and placeholder style.  ``exact`` is False when the
    helper changes the text before it runs (``query += " LIMIT …"``).  ``None`` when the caller's text is not
    known either."""
    facts = files.get(path)
    if facts is None:
        return None
    arguments = call.arguments(full=True)
    if index >= len(arguments):
        return None
    extractor = _FileExtractor(path, facts, files, graph, sql, project_database or "")
    node = extractor._argument_node(call, arguments, index)
    text = extractor._text(call, arguments[index].text, node)
    if text is None or not text.located:
        return None
    if not exact:
        text = text._replace(exact=False)
    kind = "script" if site.sink.takes_script(site.method) else (
        "fragment" if site.sink.statement == "fragment" or not is_statement(text.text) else "statement")
    if site.helper and not is_statement(text.text):
        return None  # an untyped receiver counts only with SQL in hand
    return SqlSite(path, call, site.sink, site.method, site.stack, site.database, site.style, kind, text,
                   arguments[index].text.strip(), params, site.many)


def _option_values(arguments) -> tuple:
    """The IR of :meth:`_FileExtractor._option_params`: the ``replacements`` / ``bind`` entry of an options object."""
    for argument in arguments:
        if type(argument.value) is ir.Obj:
            for entry in argument.value.entries:
                if entry.key in ("replacements", "bind"):
                    return (ir.Arg("pos", "", entry.value),)
    return ()


class _FileExtractor:
    def __init__(self, path, facts: FileFacts, files, graph: ModuleGraph, sql: SqlKnowledge, database: str,
                 typed: dict | None = None) -> None:
        self.path = path
        self.typed = typed or {}
        self.facts = facts
        self.files = files
        self.graph = graph
        self.sql = sql
        self.database = database
        self.language = "python" if facts.language == "python" else "node"
        self.externals = [e.target for e in graph.out_edges(path) if e.external]
        self._owners: dict[StringLit, CallSite | None] | None = None
        self._owned: dict[int, list[StringLit]] | None = None  # by id() of the owning call
        self._folders: dict[int, ConstantFolder] = {}  # by id() of the facts (this file or an imported one)
        self._sink_at: Span = Span(0, 0, 0, 0)
        self._join_functions: dict[int, bool] = {}  # fid -> whether it calls a `join` method
        self._free: dict[int, list[StringLit]] = {}  # by id() of the facts (this file or an imported one)
        self.sinks = [s for s in sql.sinks if s.language == self.language and not s.by_text]
        self.text_sink = next((s for s in sql.sinks if s.language == self.language and s.by_text), None)
        self.method_names = {m for s in self.sinks for m in s.methods | s.script_methods | s.callee_methods}
        self.functions = {f for s in self.sinks for f in s.functions}
        self.function_names = {f.rsplit(".", 1)[-1] for f in self.functions}
        # Which database this file's SQL is for, most specific first: a path naming one
        # (dialects/oracle/, sqlite_ext.py), else the one database its own (non-optional) driver
        # imports talk to, else the project's.  A typed receiver or the enclosing class name
        # (SqliteDatabase.pragma) overrides both per site.
        by_path = sql.database_of_path(path)
        self._path_database = by_path if by_path is not None else self._driver_database() or database

    # matching ----------------------------------------------------------------------------------------
    def sites(self, call: CallSite, access: DbAccess | None) -> list[SqlSite]:
        method = call.callee.rsplit(".", 1)[-1].removesuffix("()")
        if method not in self.method_names and (canonical(call.resolved, self.facts.language) or "") not in self.functions:
            if not (self.language == "python" and method in self.function_names and self._reexported(call) in self.functions):
                return self._by_text(call, method)  # the cheap test first: most calls are not SQL sinks
        sink, stack = self._sink(call, method, access, self.typed.get((self.path, call.span)))
        if sink is None:
            return self._by_text(call, method)
        arguments = call.arguments(full=True)
        if sink.sql_keywords:
            return [self._site(call, sink, method, stack, item, ()) for item in self._keyword_sql(arguments, sink)]
        index = next((i for i, a in enumerate(arguments) if a.keyword in ("",) + _SQL_KEYWORDS), None)
        if index is None:
            return []
        first = arguments[index]
        if first.keyword == "" and first.text.startswith(("*", "...")):
            return []
        nodes = self._argument_nodes(call, arguments)
        node = nodes[index].value if nodes is not None else None
        values = [i for i in range(index + 1, len(arguments)) if arguments[i].keyword in _VALUE_KEYWORDS]
        params = tuple(arguments[i] for i in values)
        bound = (node, tuple(nodes[i] for i in values)) if nodes is not None else None
        if sink.untyped:
            text = self._text(call, first.text, node)
            if text is None and self._parameter(call, node):
                sink, stack = self._untyped_driver(sink)  # `def _fetchone(self, query, vars): cursor.execute(query, vars)`
                return [self._site(call, sink, method, stack, first.text, params, node, bound)._replace(helper=True)]
            if text is None or not is_statement(text.text):
                return []  # an untyped receiver counts only with SQL in hand
            sink, stack = self._untyped_driver(sink)
        site = self._site(call, sink, method, stack, first.text, params, node, bound)
        if site.sql is None and self._built_by_call(call, arguments, index) and not self.sql.spelled_on_request(*_chain_start(node)):
            # execute(select(...)) / execute(text(...)): the inner call is its own site, if any.  A call spelled on
            # the request (`execute(request.args.get("sql"))`) stays a site: extraction runs in the per-file pass,
            # before any semantic model exists, so only the spelling (sql_dialects.toml [[request_spelling]], read
            # off the argument's IR) can keep it; whether it IS request data is
            # AL503's to decide from the model's values (checks/sql/injection.py `_request_data`)
            return []
        return [site]

    def _parameter(self, call: CallSite, node) -> bool:
        """The SQL argument is a parameter of the (non-module) function the call is in."""
        module = self.facts.ir
        function = ir.innermost_function(module, call.span) if module is not None and type(node) is ir.Name else None
        return function is not None and function.kind != "module" and function.scope_of(node.id) == "param"

    def _built_by_call(self, call: CallSite, arguments: tuple[Argument, ...], index: int) -> bool:
        """Whether the SQL argument is built by a call: ``execute(select(User))``,
        ``execute(text("…").bindparams(x=1))``, ``query(sql.build().text)`` — read from the IR call
        (the argument records and the IR arguments are the same list, in order)."""
        expr = self._argument_node(call, arguments, index)
        while True:
            kind = type(expr)
            if kind is ir.Call:
                if expr.new:
                    return False
                if _dotted(expr.func):
                    return True
                expr = expr.func
            elif kind is ir.Attr or kind is ir.Index:
                expr = expr.obj
            else:
                return False

    def _sink(self, call: CallSite, method: str, access: DbAccess | None, typed: str | None = None) -> tuple[Sink | None, str]:
        resolved = canonical(call.resolved, self.facts.language) or ""
        if resolved.startswith(".") and self.language != "python":
            resolved = self._reexported(call) or resolved  # `import { Prisma } from '../lib/db'` re-exporting @prisma/client
        elif self.language == "python" and resolved not in self.functions and method in self.function_names:
            resolved = self._reexported(call) or resolved  # `queries.text(…)`: a project module's `from sqlalchemy import text`
        stack = access.stack if access is not None else typed
        for sink in self.sinks:
            if stack and stack in sink.stacks and (method in sink.methods or sink.takes_script(method)):
                return sink, stack
            if resolved and resolved in sink.functions:
                return sink, ""
            if method in sink.callee_methods and self._imports(sink.requires_modules) and len(segments(call.callee)) > 1:
                return sink, ""
        if access is None:
            for sink in self.sinks:
                if sink.untyped and (method in sink.methods or sink.takes_script(method)) and len(segments(call.callee)) > 1:
                    return sink, ""
        return None, ""

    def _reexported(self, call: CallSite) -> str:
        """The external name a project module re-exports under the callee's first name
        (``export { Prisma } from '@prisma/client'`` / ``import { Prisma } …; export { Prisma }``;
        Python ``queries.text`` where ``from app.db import queries`` and queries.py has
        ``from sqlalchemy import text``), followed through at most three modules; ``""`` when it is
        the project's own."""
        head, dot, rest = call.callee.partition(".")
        path, name = self.path, head
        for _ in range(3):
            facts = self.files.get(path)
            binding = next((b.target for b in facts.bindings if b.name == name), None) if facts is not None else None
            if binding is None:
                return ""
            target = self.graph.resolve_binding(path, binding)
            if target.external:
                return canonical(target.external, facts.language) + (dot + rest if dot else "")
            if target.file is None or "." in target.attr:
                return ""
            if not target.attr:  # a whole project module (Python): its attribute is the next name
                if self.language != "python" or not dot:
                    return ""
                name, dot, rest = rest.partition(".")
                path = target.file
                continue
            path, name = target.file, target.attr
        return ""

    def _by_text(self, call: CallSite, method: str) -> list[SqlSite]:
        """SQL recognised by its text: a method call on a receiver nobody typed whose first argument
        is a whole statement (``this.db.prepare('DELETE FROM article_tags')``).  The checks parse it
        in the project's dialect and drop it when it does not parse (then it was no SQL)."""
        sink = self.text_sink
        if sink is None or method in sink.quiet_methods or len(segments(call.callee)) < 2 or call.callee.startswith(("new ", "console.")):
            return []
        text = call.args_text.lstrip()
        if self.language == "python":
            text = text.lstrip("rRfFuUbBtT")
        if not text or text[0] not in "'\"`" or not _STATEMENT_HEAD.match(text.lstrip("'\"`")):
            return []  # the cheap test: only a string literal that starts like a statement
        if any(literal.kind == "tagged" for literal in self._owned_strings(call)):
            return []  # sql`…` / prisma.$queryRaw`…`: a tagged template binds its holes
        arguments = call.arguments(full=True)
        if not arguments or arguments[0].keyword:
            return []
        first = arguments[0].text
        text = self._text(call, first)
        if text is None or not _WHOLE_STATEMENT.match(text.text):
            return []
        params = tuple(a for a in arguments[1:] if a.keyword in _VALUE_KEYWORDS)
        site = self._site(call, sink, method, "", first, params)
        return [site] if site.kind == "statement" else []

    def _driver_database(self) -> str:
        optional = {record.span for record in self.facts.imports if record.optional}
        targets = [e.target for e in self.graph.out_edges(self.path) if e.external and e.span not in optional]
        databases = {
            self.sql.driver_databases.get(name, "")
            for name, modules in self.sql.driver_modules.items()
            if self.sql.driver_languages.get(name) == self.language and any(module_matches(t, m) for t in targets for m in modules)
        } - {""}
        if any(module_matches(t, m) for t in targets for m in self.sql.other_modules):
            databases.add(OTHER_DATABASE)
        return databases.pop() if len(databases) == 1 else ""

    def _imports(self, modules: tuple[str, ...]) -> bool:
        return any(module_matches(target, m) for target in self.externals for m in modules)

    def _untyped_driver(self, untyped: Sink) -> tuple[Sink, str]:
        """An untyped ``cursor.execute`` in a file importing exactly one driver is that driver's."""
        drivers = [
            name
            for name, modules in self.sql.driver_modules.items()
            if self.sql.driver_languages.get(name) == self.language and self._imports(modules)
        ]
        if len(drivers) == 1:
            sink = next((s for s in self.sinks if drivers[0] in s.stacks), None)
            if sink is not None:
                return sink, drivers[0]
        return untyped, ""

    @staticmethod
    def _keyword_sql(arguments: tuple[Argument, ...], sink: Sink) -> list[str]:
        items = []
        for argument in arguments:
            if argument.keyword not in sink.sql_keywords:
                continue
            text = argument.text.strip()
            if text[:1] in "[({" and text[-1:] in "])}":
                for item in split_top_level(text[1:-1]):
                    items.append(item.split(":", 1)[-1] if text[0] == "{" else item)
            else:
                items.append(text)
        return items

    # building the site -------------------------------------------------------------------------------
    def _argument_node(self, call: CallSite, arguments: tuple[Argument, ...], index: int):
        """The IR expression of argument ``index``, else ``None``."""
        nodes = self._argument_nodes(call, arguments)
        return nodes[index].value if nodes is not None else None

    def _argument_nodes(self, call: CallSite, arguments: tuple[Argument, ...]):
        """The IR arguments (:class:`ir.Arg`) of ``call`` — the argument records and the IR arguments are the
        same list, in order — else ``None``."""
        node = ir_call(self.facts, call)
        return node.args if node is not None and len(node.args) == len(arguments) else None

    def _site(self, call: CallSite, sink: Sink, method: str, stack: str, expression: str, params, node=None,
              bound=None) -> SqlSite:
        text = self._text(call, expression, node)
        database = self.sql.driver_databases.get(stack, "") or self.sql.database_of_scope(call.scope) or self._path_database
        if text is None:
            kind = "fragment" if sink.statement == "fragment" else "statement"
        elif sink.takes_script(method):
            kind = "script"
        elif sink.statement == "fragment" or not is_statement(text.text):
            kind = "fragment"
        else:
            kind = "statement"
        style = self._style(call, sink, stack, database)
        if sink.params == "options":
            params = self._option_params(params)
            bound = (bound[0], _option_values(bound[1])) if bound is not None else None
        return SqlSite(self.path, call, sink, method, stack, database, style, kind, text, expression.strip(), params,
                       method in sink.many_methods, bound=bound)

    def _style(self, call: CallSite, sink: Sink, stack: str, database: str) -> str:
        if sink.placeholders == "driver":
            return self.sql.driver_styles.get(stack, "")
        if sink.placeholders == "native":
            dialect = self.sql.dialects.get(database)
            return "" if dialect is None else (dialect.native_python if self.language == "python" else dialect.native_node)
        if sink.placeholders == "options":  # sequelize.query(sql, { bind: [...] }) / { replacements: {...} }
            return "sequelize-bind" if _passes_option(self.facts, call, "bind") else "sequelize-replacements"
        return sink.placeholders

    @staticmethod
    def _option_params(params) -> tuple[Argument, ...]:
        """Sequelize passes values in the options object: ``{ replacements: {…} }`` / ``{ bind: […] }``."""
        for argument in params:
            text = argument.text.strip()
            if not (text.startswith("{") and text.endswith("}")):
                continue
            for entry in split_top_level(text[1:-1]):
                key, _, value = entry.partition(":")
                if key.strip() in ("replacements", "bind"):
                    return (Argument("", value.strip() or key.strip()),)
        return ()

    def _text(self, call: CallSite, expression: str, node=None) -> SqlText | None:
        self._sink_at = call.span  # where the SQL runs: which loops enclose it, for folding its holes
        if node is not None and type(node) in (ir.Name, ir.Call, ir.BinOp, ir.Template):
            joined = self._joined(call, node)
            if joined is not None:
                return joined
        composed = compose(expression, "python" if self.language == "python" else "javascript")
        owned = self._owned_strings(call)
        anchor = self._anchor(owned, composed)
        if composed is None and anchor is not None and expression.lstrip()[:1] in "'\"`rRfFuUbB":
            composed = literal_composed(anchor, self.language)  # a literal longer than the stored argument text
        if composed is not None:  # exact unless the argument text was cut inside a literal
            return self._sql_text(composed, self.path, self.facts, call.scope, anchor, not composed.cut)
        if is_name(expression):
            text = self._resolve_name(call, expression.strip())
            if text is None and self.language == "python" and type(node) is ir.Name:
                text = self._substituted(call, self._only_assignment(call, node.id))
            return text
        if self.language == "python" and type(node) is ir.Call:
            return self._substituted(call, node)
        return None

    def _joined(self, call: CallSite, node) -> SqlText | None:
        """SQL assembled from a list of clauses in the sink's function (``clauses.append(…)`` then
        ``" AND ".join(clauses)``; see :mod:`~archlint.domain.sql.joined`), read from the IR."""
        module = self.facts.ir
        function = ir.innermost_function(module, call.span) if module is not None else None
        if function is None:
            return None
        language = "python" if self.language == "python" else "javascript"
        if type(node) is ir.Name and function.scope_of(node.id) == "param" and function.kind != "module":
            # statements.forEach((sql) => client.query(sql)): the element of the list the loop runs over
            found = callback_loop(module, function)
            if found is not None and type(found[1].target) is ir.Name and found[1].target.id == node.id:
                built = Joined(found[0], found[1].span, language).build_each(found[1].iter)
                return self._built(built, self.path, self.facts, call.scope, exact=False)
        cached = self._join_functions.get(function.fid)
        if cached is None:
            cached = self._join_functions[function.fid] = has_join(function)
        if not cached:
            return None
        built = Joined(function, call.span, language).build(node)
        return self._built(built, self.path, self.facts, call.scope, exact=False)

    # str methods on a SQL constant -------------------------------------------------------------------
    def _substituted(self, call: CallSite, node, depth: int = 0) -> SqlText | None:
        """``text(SEARCH_SQL.replace("{order}", order))`` / ``SQL.format(order=order)``: a SQL constant
        whose text a ``str`` method substitutes, read from the IR call — each substituted value a hole of
        the SQL text (a constant one folds to a constant hole: ``.replace("{order}", "created_at")``)."""
        if type(node) is not ir.Call or type(node.func) is not ir.Attr or depth > 8:
            return None
        method, receiver = node.func.name, node.func.obj
        if method in _SAME_TEXT and not node.args:  # SQL.strip().replace(…): the same text
            return self._template(call, receiver, depth + 1)
        if method not in ("replace", "format"):
            return None
        template = self._template(call, receiver, depth + 1)
        if template is None or template.how != "literal" and any(h.origin == hole_origin.RUNTIME for h in template.holes):
            return template  # already a hole of its own: reported as it is
        kept = [(h.offset, h.expr, h.how) for h in template.holes]
        if method == "replace":
            replaced = self._replaced(template.text, kept, node)
        else:
            replaced = self._formatted(template.text, kept, node)
        if replaced is None:
            return None
        text, holes = replaced
        composed = Composed(text, tuple(Hole(offset, expr, how) for offset, expr, how in holes), "format" if holes else "literal", 0)
        sql = self._sql_text(composed, self.path, self.facts, call.scope, None, template.exact)
        return sql._replace(composed=None)

    def _template(self, call: CallSite, node, depth: int) -> SqlText | None:
        """The SQL text a ``str`` method is called on: a constant's name, or another such call."""
        if type(node) is ir.Call:
            return self._substituted(call, node, depth)
        if type(node) is ir.Name:
            return self._resolve_name(call, node.id)
        if type(node) is ir.Attr and type(node.obj) is ir.Name and node.obj.id in ("self", "cls"):
            return self._resolve_name(call, f"{node.obj.id}.{node.name}")
        return None

    @staticmethod
    def _replaced(text: str, holes: list, node: ir.Call):
        """``.replace(old, new)`` with a constant ``old``: every occurrence of it becomes ``new`` —
        its text when constant, else a hole."""
        if len(node.args) < 2 or any(a.kind != "pos" for a in node.args[:2]):
            return None
        old, new = node.args[0].value, node.args[1].value
        if type(old) is not ir.Const or not isinstance(old.value, str) or not old.value or "{}" in old.value:
            return None
        constant = new.value if type(new) is ir.Const and isinstance(new.value, str) else None
        return _splice(text, holes, [(m.start(), m.end()) for m in re.finditer(re.escape(old.value), text)],
                       lambda _index: (constant, render(new)), "replace")

    @staticmethod
    def _formatted(text: str, holes: list, node: ir.Call):
        """``.format(*args, **kwargs)``: every ``{field}`` of the template becomes its argument."""
        positional = [a.value for a in node.args if a.kind == "pos"]
        keywords = {a.name: a.value for a in node.args if a.kind == "kw"}
        if any(a.kind in ("star", "kwstar") for a in node.args):
            return None
        fields = []
        automatic = 0
        values = []
        for match in FORMAT_FIELD.finditer(text):
            field = match.group("field")
            if field is None or field == "" and match.start() in {h[0] for h in holes}:
                continue  # `{{` / `}}`, or the marker of a hole the template already has
            value, automatic, _key = format_argument(field, positional, keywords, automatic)
            if value is None:
                return None  # a KeyError/IndexError at run time: not this call's text
            fields.append((match.start(), match.end()))
            values.append(value)

        def pick(index: int):
            value = values[index]
            return (value.value if type(value) is ir.Const and isinstance(value.value, (str, int)) else None, render(value))

        return _splice(text, holes, fields, pick, "format")

    def _only_assignment(self, call: CallSite, name: str):
        """``sql = SEARCH_SQL.replace("{order}", order)`` then ``text(sql)``: the value of the one
        assignment of the local name in the sink's function, from the IR (else ``None``)."""
        module = self.facts.ir
        function = next((f for f in module.functions if f.qualname == call.scope), None) if module is not None else None
        if function is None or name not in function.locals:
            return None
        values = [statement.value for statement in ir.iter_nodes(function.body)
                  if type(statement) is ir.Assign and any(type(t) is ir.Name and t.id == name for t in statement.targets)]
        return values[0] if len(values) == 1 and type(values[0]) is ir.Call else None

    def _sql_text(self, composed: Composed, path: str, facts: FileFacts, scope: str, anchor, exact: bool) -> SqlText:
        folder = self._folder(path, facts)
        where = (self._sink_at.line, self._sink_at.column) if facts is self.facts else None
        holes = tuple(
            SqlHole(h.offset, h.expr, h.how,
                    hole_origin.SAFE if self._quoted_by_helper(path, facts, h.expr)
                    else hole_origin.origin(h.expr, folder, scope, where if h.at is None or where is None else h.at,
                                            self.sql.safe_holes),
                    hole_origin.role(composed.text, h.offset))
            for h in composed.holes
        )
        opener = composed.opener or (guess_opener(anchor, self.language) if anchor is not None else 0)
        return SqlText(composed.text, holes, composed.how, exact, path, anchor, opener, self.facts.language, composed)

    def _folder(self, path: str, facts: FileFacts) -> ConstantFolder:
        folder = self._folders.get(id(facts))
        if folder is None:
            folder = ConstantFolder(facts, self.sql.values, lambda name: self._imported_facts(path, facts, name))
            self._folders[id(facts)] = folder
        return folder

    def _quoted_by_helper(self, path: str, facts: FileFacts, expr: str) -> bool:
        """``identifier(resource_id)`` / ``literal_string(id)`` where the called project function quotes its
        argument the way the SQL standard does: it returns ``Q + s.replace(Q, Q + Q)… + Q`` for one quote
        character ``Q`` (ckan's datastore: ``'"' + s.replace('"', '""').replace('\\0', '') + '"'``).  What
        it returns is one quoted identifier or literal, whatever ``s`` holds."""
        match = _CALLED.match(expr.strip())
        if match is None:
            return False
        name = match.group(1)
        if "." in name:
            return False
        found = (facts, name) if any(f.qualname == name for f in (facts.ir.functions if facts.ir is not None else ())) \
            else self._imported_facts(path, facts, name)
        if found is None or found[0].ir is None:
            return False
        function = next((f for f in found[0].ir.functions if f.qualname == found[1] and f.kind == "function"), None)
        return function is not None and _quotes_its_argument(function)

    def _imported_facts(self, path: str, facts: FileFacts, name: str) -> tuple[FileFacts, str] | None:
        """Where an imported name is defined: ``from .config import TABLE`` -> (facts of config, "TABLE");
        a whole module (``const entities_1 = require("../entities/x")``, ``import * as m``) -> (its facts, "")."""
        binding = next((b.target for b in facts.bindings if b.name == name), None)
        if binding is None:
            return None
        target = self.graph.resolve_binding(path, binding)
        if target.file is None or target.file not in self.files:
            return None
        return self.files[target.file], target.attr.split(".")[-1] if target.attr else ""

    @staticmethod
    def _anchor(owned: list[StringLit], composed: Composed | None) -> StringLit | None:
        """The literal that starts the argument, if the frontend kept it (SQL-looking ones only)."""
        if not owned:
            return None
        first = owned[0]
        prefix = re.split(r"[{%]", first.text, maxsplit=1)[0][:40]
        return first if composed is None or composed.text.startswith(prefix) else None

    # literals owned by a call -------------------------------------------------------------------------
    def _owned_strings(self, call: CallSite) -> list[StringLit]:
        if self._owned is None:
            self._owned = {}
            for literal, owner in self._owner_map().items():
                if owner is not None:
                    self._owned.setdefault(id(owner), []).append(literal)
        return self._owned.get(id(call), [])

    def _owner_map(self) -> dict[StringLit, CallSite | None]:
        if self._owners is None:
            self._owners = _owners(self.facts.strings, self.facts.calls)
        return self._owners

    def _free_strings(self, facts: FileFacts) -> list[StringLit]:
        """Literals no call holds and no recorded assignment owns: where an unrecorded ``name = "…"`` is."""
        cached = self._free.get(id(facts))
        if cached is not None:
            return cached
        owners = self._owner_map() if facts is self.facts else _owners(facts.strings, facts.calls)
        free = [s for s, owner in owners.items() if owner is None]
        free = _outside(free, [a.span for a in facts.assigns if not a.callee])
        self._free[id(facts)] = free
        return free

    # names -----------------------------------------------------------------------------------------
    def _resolve_name(self, call: CallSite, name: str) -> SqlText | None:
        head = name.split(".")[-1] if name.startswith(("self.", "cls.", "this.")) else name
        if "." in head:
            return None
        if name == head and call.scope and not head.isupper():
            steps = assignments(self.facts.assigns, {call.scope}, head)
            if steps:
                return self._built(build(steps, head, self._scope_strings(self.facts, call.scope), self.language, call.span),
                                   self.path, self.facts, call.scope, exact=True)
            if _is_parameter(self.facts, call.scope, head):
                return None
            local = self._local(call, head)
            if local is not None:
                return local
        sink = call.span if call.scope == "" and name == head else None
        constant = self._module_constant(self.path, self.facts, head, call.scope, sink, class_scope=name != head)
        if constant is not None:
            return constant
        return self._imported_constant(head)

    def _local(self, call: CallSite, name: str) -> SqlText | None:
        """A local name with no recorded assignment: the one literal that fits ``name = "…"``."""
        before = [
            s for s in self._free_strings(self.facts)
            if s.scope == call.scope and (s.span.line, s.span.column) < (call.span.line, call.span.column)
        ]
        if not before:
            return None
        indents = _statement_columns(self.facts, call.scope)
        literal = _only([s for s in before if _fits(s, name, indents, self.language)])
        if literal is None:
            return None
        return self._from_literal(literal, self.path, self.facts, call.scope, exact=False)

    def _module_constant(self, path: str, facts: FileFacts, name: str, scope: str, sink: Span | None,
                         class_scope: bool) -> SqlText | None:
        """``NAME = "…"`` at module level (or in a class body for ``self.NAME``), from its assignments."""
        scopes = {c.name for c in facts.classes} if class_scope else {""}
        steps = assignments(facts.assigns, scopes, name)
        if steps:
            built = build(steps, name, self._scope_strings(facts, *scopes), self.language, sink)
            # A constant is whole when UPPER_CASE; any name is when a module-level sink follows its steps.
            return self._built(built, path, facts, scope if facts is self.facts else "", exact=name.isupper() or sink is not None)
        literal = _only([s for s in self._free_strings(facts) if s.scope in scopes and _fits(s, name, {1, 5, 9}, self.language)])
        if literal is None:
            return None
        return self._from_literal(literal, path, facts, scope if facts is self.facts else "", exact=name.isupper())

    def _imported_constant(self, name: str) -> SqlText | None:
        binding = next((b.target for b in self.facts.bindings if b.name == name), None)
        if binding is None:
            return None
        target = self.graph.resolve_binding(self.path, binding)
        if target.file is None or target.file not in self.files or target.attr.split(".")[-1] != name:
            return None
        return self._module_constant(target.file, self.files[target.file], name, "", None, class_scope=False)

    def _from_literal(self, literal: StringLit, path: str, facts: FileFacts, scope: str, exact: bool) -> SqlText:
        return self._sql_text(literal_composed(literal, self.language), path, facts, scope, literal, exact)

    def _built(self, built: Built | None, path: str, facts: FileFacts, scope: str, exact: bool) -> SqlText | None:
        """A name's text rebuilt from its assignments; ``exact`` also needs every step unconditional."""
        if built is None:
            return None
        composed = Composed(built.text, built.holes, built.how, 0)
        text = self._sql_text(composed, path, facts, scope, None, exact and built.exact)
        return text._replace(composed=None, pieces=built.pieces)

    @staticmethod
    def _scope_strings(facts: FileFacts, *scopes: str) -> list[StringLit]:
        return indexes.having(facts.strings, indexes.by_scope, scopes)


_STATEMENT_HEAD = re.compile(r"\s*\(?\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|REPLACE)\b", re.IGNORECASE)
# What a statement recognised only by its text must look like: a verb and its structure.
_WHOLE_STATEMENT = lazy_compile(
    r"^\s*\(?\s*(?:SELECT\b[\s\S]*?\bFROM\b|INSERT\s+(?:OR\s+\w+\s+)?INTO\b|UPDATE\s+[\w\".`]+\s+SET\b|DELETE\s+FROM\b|"
    r"WITH\s+\w+\s+AS\s*\(|CREATE\s+(?:TEMP\w*\s+)?(?:TABLE|UNIQUE\s+INDEX|INDEX|VIEW)\b|REPLACE\s+INTO\b)",
    re.IGNORECASE,
)


_SAME_TEXT = frozenset({"strip", "lstrip", "rstrip"})


def _splice(text: str, holes: list, spans: list, value_of, how: str):
    """``text`` with each ``spans[i]`` replaced by ``value_of(i)`` = (constant text or ``None``,
    expression): constant text is spliced in, anything else becomes a ``{}`` hole; the holes the
    text already had move with it."""
    parts: list[str] = []
    out: list[tuple[int, str, str]] = []
    pending = sorted(holes)
    cursor = 0
    length = 0
    for index, (start, end) in enumerate(spans):
        while pending and pending[0][0] < start:
            offset, expr, kind = pending.pop(0)
            if offset < cursor:
                continue
            out.append((length + offset - cursor, expr, kind))
        if any(start <= h[0] < end for h in pending):
            return None  # the substituted text overlaps a hole
        parts.append(text[cursor:start])
        length += start - cursor
        constant, expr = value_of(index)
        if constant is not None:
            parts.append(str(constant))
            length += len(str(constant))
        else:
            out.append((length, expr, how))
            parts.append("{}")
            length += 2
        cursor = end
    for offset, expr, kind in pending:
        if offset >= cursor:
            out.append((length + offset - cursor, expr, kind))
    parts.append(text[cursor:])
    return "".join(parts), out


def _chain_start(expr) -> tuple[str, str]:
    """The name an attribute/index/call chain starts from and the first attribute read off it
    (``("ctx", "request")`` of ``ctx.request.body.sql``, ``("request", "args")`` of
    ``request.args.get("sql")``, ``("req", "")`` of ``req[0]``), read from the IR; ``("", "")``
    when the chain starts anywhere but a name."""
    first = ""
    while True:
        kind = type(expr)
        if kind is ir.Attr:
            first = expr.name
            expr = expr.obj
        elif kind is ir.Index:
            first = ""
            expr = expr.obj
        elif kind is ir.Call:
            first = ""
            expr = expr.func
        else:
            return (expr.id, first) if kind is ir.Name else ("", "")


def _dotted(expr) -> bool:
    """A name or a chain of attributes of a name (``select``, ``sa.text``, ``this.db.query``)."""
    while type(expr) is ir.Attr:
        expr = expr.obj
    return type(expr) is ir.Name


def _passes_option(facts: FileFacts, call: CallSite, key: str) -> bool:
    """Whether an object literal after the call's first argument has an entry ``key``."""
    node = ir_call(facts, call)
    return node is not None and any(
        type(inner) is ir.Obj and any(entry.key == key for entry in inner.entries)
        for arg in node.args[1:] for inner in ir.iter_nodes(arg.value))


def _owners(literals: list[StringLit], calls: list[CallSite]) -> dict[StringLit, CallSite | None]:
    """Each literal's owner: the innermost call whose argument list holds it (``"…".format`` calls
    aside) — the latest-starting call that starts before the literal and ends at or after it.

    Calls and literals are syntax-tree nodes, so their spans nest: one sweep in source order with
    a stack of the calls still open finds every owner (a file of 20,000 ``execute("…")`` lines is
    a seed script, not a reason to compare every literal with every call)."""
    eligible = [
        (call.span.line, call.span.column, -call.span.end_line, -call.span.end_column, -index, call)
        for index, call in enumerate(calls)
        if call.callee[:1] not in "'\"`" and call.args_text
    ]
    eligible.sort(key=lambda item: item[:5])
    ordered = sorted(range(len(literals)), key=lambda i: (literals[i].span.line, literals[i].span.column))
    owners: dict[StringLit, CallSite | None] = {}
    stack: list[tuple[tuple[int, int], tuple[int, int], CallSite]] = []  # (start, end, call), innermost last
    next_call = 0
    for position in ordered:
        literal = literals[position]
        start = (literal.span.line, literal.span.column)
        end = (literal.span.end_line, literal.span.end_column)
        while next_call < len(eligible) and (eligible[next_call][0], eligible[next_call][1]) < start:
            line, column, end_line, end_column, _index, call = eligible[next_call]
            while stack and stack[-1][1] <= (line, column):
                stack.pop()  # ended before this call starts: encloses nothing from here on
            stack.append(((line, column), (-end_line, -end_column), call))
            next_call += 1
        while stack and stack[-1][1] <= start:
            stack.pop()  # ended before this literal: encloses no later one either
        owner = None
        for _start, call_end, call in reversed(stack):
            if end <= call_end:
                owner = call
                break
        owners.setdefault(literal, owner)
    return {literal: owners[literal] for literal in literals}


def _outside(literals: list[StringLit], spans: list[Span]) -> list[StringLit]:
    """The literals inside none of ``spans`` (assignments, which nest or are disjoint)."""
    if not spans or not literals:
        return literals
    ordered = sorted(spans, key=lambda s: (s.line, s.column, -s.end_line, -s.end_column))
    starts = [(s.line, s.column) for s in ordered]
    # widest end among the spans starting at or before each index: one enclosing span is enough
    reach: list[tuple[int, int]] = []
    for span in ordered:
        end = (span.end_line, span.end_column)
        reach.append(max(reach[-1], end) if reach else end)
    kept = []
    for literal in literals:
        index = bisect.bisect_right(starts, (literal.span.line, literal.span.column)) - 1
        if index < 0 or reach[index] < (literal.span.end_line, literal.span.end_column):
            kept.append(literal)
    return kept


def _only(candidates: list[StringLit]) -> StringLit | None:
    """The one literal that fits ``name = "…"``.  Two that fit equally (names of the same length,
    or a reassignment) cannot be told apart from the facts: better no text than the wrong one."""
    texts = {c.text for c in candidates}
    return candidates[-1] if len(texts) == 1 else None


def _is_parameter(facts: FileFacts, scope: str, name: str) -> bool:
    function = indexes.first(facts.functions, indexes.by_qualname, scope)
    return function is not None and any(p.name == name for p in function.parameters())


def _statement_columns(facts: FileFacts, scope: str) -> set[int]:
    """Columns where statements of ``scope`` start: its other assignments and statement calls,
    and one indentation step (4 or 2 spaces) inside its ``def``/``function`` line."""
    columns = {f.span.column + step for f in indexes.having(facts.functions, indexes.by_qualname, (scope,)) for step in (2, 4)}
    columns |= {a.span.column for a in indexes.having(facts.assigns, indexes.by_scope, (scope,))}
    columns |= {c.span.column for c in indexes.having(facts.calls, indexes.by_scope, (scope,)) if c.has("stmt")}
    columns |= {loop.span.column for loop in indexes.having(facts.loops, indexes.by_scope, (scope,))}
    return columns


def _fits(literal: StringLit, name: str, indents: set[int], language: str) -> bool:
    """Does the literal start where ``name = "…"`` would put it on a statement line?"""
    start = literal.span.column - len(name) - 3
    if language == "python":  # the block may be one level deeper or shallower than its neighbours
        return start >= 1 and any(start + delta in indents for delta in (0, 4, -4))
    return any(start - width in indents for width in _JS_DECLARATIONS)


_CALLED = lazy_compile(r"^([A-Za-z_][\w.]*)\(.*\)$", re.S)


def _quotes_its_argument(function: ir.Function) -> bool:
    """The function's only statement (after a docstring) returns ``Q + <param>.replace(Q, QQ)[.replace(…)] + Q``."""
    body = [statement for statement in function.body
            if not (type(statement) is ir.ExprStmt and type(statement.value) is ir.Const)]
    if len(body) != 1 or type(body[0]) is not ir.Return or function.params == ():
        return False
    parts = _concatenated(body[0].value)
    if len(parts) != 3 or not all(type(p) is ir.Const and isinstance(p.value, str) for p in (parts[0], parts[2])):
        return False
    quote = parts[0].value
    if quote not in ("'", '"', "`") or parts[2].value != quote:
        return False
    inner = parts[1]
    doubled = False
    while type(inner) is ir.Call and type(inner.func) is ir.Attr and inner.func.name == "replace" and len(inner.args) == 2:
        old, new = inner.args[0].value, inner.args[1].value
        if type(old) is ir.Const and type(new) is ir.Const and old.value == quote and new.value == quote * 2:
            doubled = True
        inner = inner.func.obj
    return doubled and type(inner) is ir.Name and inner.id in {p.name for p in function.params}


def _concatenated(node) -> list:
    if type(node) is ir.BinOp and node.op == "+":
        return _concatenated(node.left) + _concatenated(node.right)
    return [node]
