"""Is a name spliced into SQL text fixed by the code?  Read from the IR, for what text folding
(:mod:`archlint.domain.constants`) cannot see:

* a parameter whose declared type makes its text harmless: ``pid: number`` (TypeScript, checked by
  the compiler), ``limit: int`` / ``flag: bool | None`` / ``Optional[int]`` (Python, checked by type
  checkers and by FastAPI/pydantic at the boundary) — it prints digits, ``true``/``false`` or
  ``None``, nothing that closes a quote or adds a clause;
* a local whose every assignment in its function is built from literals, through branches
  (``messages = "…"`` per dialect) and nested helpers called with literals (open-webui's
  ``author('{user_id}')`` whose body is ``return f"… {path} …"``);
* the SQL text an ORM compiled from its own expressions: ``sql, params = value.as_sql(compiler,
  connection)`` (Django; wagtail's search index rows) — placeholders for every value, the values in
  ``params``; a list built only from such texts and joined, zipped or formatted stays fixed
  (the methods and the element-preserving builtins are ``[[names]] reader = "hole_values"`` of
  ``rules/knowledge/sql_dialects.toml``);
* a management command's option read from ``handle(self, *args, **options)`` (``options["lock_id"]``)
  that the class's ``add_arguments`` declares ``type=int`` / ``float`` or as a flag: argparse has
  converted it to a number or a bool before ``handle`` runs (label-studio's ``locked_migrate``).

Flow-insensitive and closed: every binding of the name must be an assignment the evaluator
understands (a ``for`` target, ``with … as``, ``except … as`` or an import make it unknown), a
parameter counts only by its type (never by its default — the caller may pass anything), and a
free name is looked up in the enclosing functions, then at module level."""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.datalayer import migration
from archlint.domain.facts import Span
from archlint.domain.records import NamedTuple

_SCALAR_TYPES = frozenset({"int", "float", "bool", "number", "bigint", "boolean"})
# What a migration runner calls with its own context (TypeORM/n8n ``up(queryRunner)`` /
# ``up({ tablePrefix })``, knex ``up(knex)``, Alembic ``upgrade()``): configuration, never a request's input.
_MIGRATION_ENTRIES = frozenset({"up", "down", "upgrade", "downgrade"})
_PART_OF = "part-of"  # bindings(): the name is a part of a destructured value
_ELEMENT_OF = "element-of"  # bindings(): the name is (a part of) an element of what a ``for`` loop iterates
_COMPILED_TEXT = "compiled-text"  # bindings(): the name is the SQL text of `sql, params = x.as_sql(…)`
# methods that add to the list/set/dict a name holds
_MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "push", "unshift", "splice", "setdefault"})
_MAX_DEPTH = 20


def _scalar(annotation) -> bool | None:
    """True: a scalar type; None: nothing (``None`` / ``null`` / ``undefined``); False: anything else."""
    kind = type(annotation)
    if kind is ir.Name:
        if annotation.id in _SCALAR_TYPES:
            return True
        return None if annotation.id in ("None", "null", "undefined") else False
    if kind is ir.Const and annotation.value is None:
        return None
    if kind is ir.BinOp and annotation.op == "|":
        sides = (_scalar(annotation.left), _scalar(annotation.right))
        return False if False in sides or True not in sides else True
    if kind is ir.Index and type(annotation.obj) in (ir.Name, ir.Attr):
        head = annotation.obj.id if type(annotation.obj) is ir.Name else annotation.obj.name
        return True if head == "Optional" and _scalar(annotation.index) is True else False
    return False


class Known(NamedTuple):
    """The names the hole evaluator reads: the ``[[names]]`` table with ``reader = "hole_values"``
    (``rules/knowledge/sql_dialects.toml``, each key explained there), built once per run."""

    compiled_sql_methods: frozenset = frozenset()  # `sql, params = expr.as_sql(compiler, connection)`
    element_preserving: frozenset = frozenset()  # `zip(a, b)`: its elements are made of its arguments' elements
    text_conversions: frozenset = frozenset()  # `str(sql)`: the text of the one value it is given
    key_lists: frozenset = frozenset()  # `Object.keys(obj)`: the keys of the object it is given
    subset_methods: frozenset = frozenset()  # `COLUMNS.filter(cb)`: some of the receiver's elements, unchanged
    element_maps: frozenset = frozenset()  # `COLUMNS.map((c) => `${c} = ?`)`: one callback result per element


def _known(table: dict) -> Known:
    return Known(**{key: frozenset(table[key]) for key in Known._fields})


def known(program) -> Known:
    return program.library.view("hole_values", _known)


class _Evaluator:
    def __init__(self, module: ir.ModuleIR, function: ir.Function | None = None, span: Span | None = None,
                 private=None, names: Known | None = None) -> None:
        self.module = module
        self.names = names or Known()
        self.private = private or (lambda name: False)  # a module-level name only this module uses
        self.migration = migration(module.path)
        self._bindings: dict[int, dict[str, list]] = {}
        # The site: in its own function only the assignments that can reach it count — those
        # before it, and any inside a loop around it (a name reused later as a loop variable,
        # `for chat_id, author_id in rows:` after the query, is another value).
        self.site = (function.fid, span) if function is not None and span is not None else None
        self._loops = [n.span for n in ir.iter_nodes(function.body) if type(n) is ir.Loop and ir.span_contains(n.span, span)] \
            if self.site is not None else []

    def _reaches(self, at: Span) -> bool:
        span = self.site[1]
        if (at.line, at.column) < (span.line, span.column):
            return True
        return any(ir.span_contains(loop, at) for loop in self._loops)

    def bindings(self, function: ir.Function) -> dict[str, list]:
        """name -> (where, value) of each binding in ``function`` (value ``None`` for a binding that is
        not a plain assignment: a loop / with / except target, a destructuring, an augmented ``*=``)."""
        found = self._bindings.get(function.fid)
        if found is not None:
            return found
        found = {}
        for node in ir.iter_nodes(function.body):
            kind = type(node)
            if kind is ir.Assign:
                for target in node.targets:
                    if type(target) is ir.Name:
                        found.setdefault(target.id, []).append((node.span, node.value if node.op in ("=", "+=") else None))
                    else:  # a destructuring: `const { queryRunner, tablePrefix } = context` — a part of the value
                        part_of = (_PART_OF, node.value) if node.op == "=" else None
                        text = self._compiled_text(target, node.value) if node.op == "=" else None
                        for part in ir.iter_nodes((target,)):
                            if type(part) is ir.Name:
                                found.setdefault(part.id, []).append((node.span, (_COMPILED_TEXT, node.value) if part is text
                                                                      else part_of))
            elif kind is ir.Loop and node.target is not None:
                # an element of what the loop iterates: fixed when that is (`for t, m in RELABELS.items()`)
                element = (_ELEMENT_OF, node.iter) if node.kind == "for" else None
                for part in ir.iter_nodes((node.target,)):
                    if type(part) is ir.Name:
                        found.setdefault(part.id, []).append((node.span, element))
            elif kind is ir.With:
                for item in node.items:
                    if item.target is not None:
                        for part in ir.iter_nodes((item.target,)):
                            if type(part) is ir.Name:
                                found.setdefault(part.id, []).append((node.span, None))
            elif kind is ir.Handler and node.name:
                found.setdefault(node.name, []).append((node.span, None))
        self._bindings[function.fid] = found
        return found

    def _compiled_text(self, target, value):
        """The name ``sql`` of ``sql, params = value.as_sql(compiler, connection)``: the first item of
        what a compiled-SQL method returns (the text; the values are the second item)."""
        if type(target) is not ir.Seq or len(target.elts) != 2 or type(target.elts[0]) is not ir.Name:
            return None
        if type(value) is ir.Call and type(value.func) is ir.Attr and value.func.name in self.names.compiled_sql_methods:
            return target.elts[0]
        return None

    def parent(self, function: ir.Function) -> ir.Function | None:
        if 0 <= function.parent < len(self.module.functions) and function.kind != "module":
            return self.module.functions[function.parent]
        return None

    def name(self, function: ir.Function, name: str, bound: dict, depth: int, seen: frozenset) -> bool:
        """``name``, read in ``function``, is fixed text (``bound``: the callee's parameters whose
        argument is fixed, while a nested helper is evaluated)."""
        if depth > _MAX_DEPTH or (function.fid, name) in seen:
            return False
        seen = seen | {(function.fid, name)}
        if (function.fid, name) in bound:
            return bound[(function.fid, name)]
        scope = function.scope_of(name) if function.kind != "module" else "local"
        if scope == "param":
            if name in self.bindings(function):
                return False  # reassigned: `limit = request.args["limit"]`
            parameter = next((p for p in function.params if p.name == name), None)
            if parameter is not None and parameter.annotation is not None and _scalar(parameter.annotation) is True:
                return True
            holder = parameter or next((p for p in function.params if p.target is not None and name in ir.target_names(p.target)), None)
            if self.migration and function.name in _MIGRATION_ENTRIES and holder is not None and holder.default is None:
                return True  # the migration runner's context: `up({ queryRunner, tablePrefix })`, `up(knex)`
            return parameter is not None and self._private_callers_fix(function, parameter, depth, seen)
        if scope == "outer":
            outer = self.parent(function)
            return outer is not None and self.name(outer, name, bound, depth + 1, seen)
        assigned = self.bindings(function).get(name)
        if assigned and self.site is not None and function.fid == self.site[0]:
            assigned = [(at, value) for at, value in assigned if self._reaches(at)]
        if not assigned or any(value is None for _at, value in assigned):
            return False
        if function.kind == "module" and any(name in f.globals for f in self.module.functions):
            return False  # `global NAME` written from a function
        return all(self.expr(function, value, bound, depth + 1, seen) for _at, value in assigned) \
            and self._mutations_fixed(function, name, bound, depth, seen)

    def _mutations_fixed(self, function: ir.Function, name: str, bound: dict, depth: int, seen: frozenset) -> bool:
        """``parts.append(x)`` / ``parts.extend(…)`` change the list a name holds: every value they
        add must be fixed too (a list built from literals and then extended with a request value is not)."""
        for node in ir.iter_nodes(function.body):
            if type(node) is ir.Call and type(node.func) is ir.Attr and type(node.func.obj) is ir.Name \
                    and node.func.obj.id == name and node.func.name in _MUTATORS:
                if not all(self.expr(function, a.value, bound, depth + 1, seen) for a in node.args):
                    return False
        return True

    def _private_callers_fix(self, function: ir.Function, parameter: ir.Param, depth: int, seen: frozenset) -> bool:
        """A module-private helper (``def _drop_indexes(table_name, …)`` at module level, a name no
        other file imports) whose every use in its module is a call passing fixed text for this
        parameter (``_drop_indexes('user', col, conn)``): the parameter is that text."""
        name = function.name
        if not self.private(name) or function.parent != 0 or function.cls >= 0 or function.kind != "function":
            return False
        if parameter.kind not in ("pos", "posonly") or parameter.default is not None:
            return False
        index = function.params.index(parameter)
        top = self.module.functions[0]
        bound = self.bindings(top).get(name, [])
        if len(bound) != 1 or type(bound[0][1]) is not ir.FuncRef or bound[0][1].fid != function.fid:
            return False  # bound once, by its own def
        calls = 0
        for caller in self.module.functions:
            if caller.fid != 0 and caller.scope_of(name) != "outer":
                if any(type(n) is ir.Name and n.id == name for n in ir.iter_nodes(caller.body)):
                    return False  # a local of the same name shadows it there
                continue
            callees = set()
            for node in ir.iter_nodes(caller.body):
                if type(node) is ir.Call and type(node.func) is ir.Name and node.func.id == name:
                    callees.add(id(node.func))
                    positional = [a for a in node.args if a.kind == "pos"]
                    if any(a.kind in ("star", "kwstar") for a in node.args) or len(positional) <= index:
                        return False
                    if not self.expr(caller, positional[index].value, {}, depth + 1, seen):
                        return False
                    calls += 1
            for node in ir.iter_nodes(caller.body):
                if type(node) is ir.Name and node.id == name and id(node) not in callees and not (
                        caller.fid == 0 and any(type(a) is ir.Assign and node in a.targets for a in caller.body)):
                    return False  # passed on as a value (a callback): its callers are unknown
        return calls > 0

    def expr(self, function: ir.Function, node, bound: dict, depth: int, seen: frozenset) -> bool:
        kind = type(node)
        if kind is ir.Const:
            return True
        if kind is tuple and node[0] is _ELEMENT_OF:
            iterable = node[1]
            if type(iterable) is ir.Call and type(iterable.func) is ir.Attr and not iterable.args \
                    and iterable.func.name in ("items", "keys", "values"):
                iterable = iterable.func.obj
            return self.expr(function, iterable, bound, depth + 1, seen)
        if kind is ir.Obj:
            return all(type(e.key) is str and self.expr(function, e.value, bound, depth + 1, seen) for e in node.entries)
        if kind is tuple and node[0] is _COMPILED_TEXT:
            return True  # the ORM's own SQL text, every value a placeholder
        if kind is tuple and node[0] is _PART_OF:
            # a part of a fixed value: `const [a, b] = pg ? ['$1', '$2'] : ['?', '?']`, or of a
            # migration runner's context (`const { tablePrefix } = context`)
            return self.expr(function, node[1], bound, depth + 1, seen)
        if kind is ir.Seq:
            return all(self.expr(function, item, bound, depth + 1, seen) for item in node.elts)
        if kind is ir.Starred:
            return self.expr(function, node.value, bound, depth + 1, seen)
        if kind is ir.Loop and node.kind == "comprehension" and node.result is not None and node.target is not None:
            # `f"NEW.{name} IS NOT OLD.{name}" for name in COLUMNS`: each element built from a fixed element
            if not self.expr(function, node.iter, bound, depth + 1, seen):
                return False
            inner = {**bound, **{(function.fid, n): True for n in ir.target_names(node.target)}}
            return self.expr(function, node.result, inner, depth + 1, seen)
        if kind is ir.Call and type(node.func) is ir.Attr and node.func.name == "join" and len(node.args) == 1 \
                and node.args[0].kind == "pos":
            # ", ".join(parts): fixed separator, fixed parts
            return self.expr(function, node.func.obj, bound, depth + 1, seen) \
                and self.expr(function, node.args[0].value, bound, depth + 1, seen)
        if kind is ir.Template and node.tag is None:
            return all(self.expr(function, hole, bound, depth + 1, seen) for hole in node.holes)
        if kind is ir.BinOp and node.op in ("+", "%"):
            return self.expr(function, node.left, bound, depth + 1, seen) and self.expr(function, node.right, bound, depth + 1, seen)
        if kind is ir.Cond:
            return self.expr(function, node.then, bound, depth + 1, seen) and self.expr(function, node.orelse, bound, depth + 1, seen)
        if kind is ir.Name:
            return self.name(function, node.id, bound, depth + 1, seen)
        if kind in (ir.Index, ir.Call):
            option = _option_read(function, node)
            if option is not None:
                return option in self.scalar_options(function)
        if kind is ir.Call and type(node.func) is ir.Attr and type(node.func.obj) is ir.Name and len(node.args) == 1 \
                and node.args[0].kind == "pos" and f"{node.func.obj.id}.{node.func.name}" in self.names.key_lists \
                and function.scope_of(node.func.obj.id) not in ("local", "param"):
            return self.keys_fixed(function, node.args[0].value)  # Object.keys(payload): its keys, not its values
        if kind is ir.Call and type(node.func) is ir.Attr and node.func.name in self.names.subset_methods:
            # EDITABLE.filter((c) => c in changes): elements of a fixed list, whatever the callback keeps
            return self.expr(function, node.func.obj, bound, depth + 1, seen)
        if kind is ir.Loop and node.kind in self.names.subset_methods:
            # EDITABLE.filter((c) => c in changes) (an inline callback is a loop of the IR): elements of the list
            return self.expr(function, node.iter, bound, depth + 1, seen)
        if kind is ir.Loop and node.kind in self.names.element_maps and 0 <= node.fid < len(self.module.functions):
            # columns.map((c) => `${c} = @${c}`): the callback's results, its element (and index) fixed when the
            # list's elements are — JS's comprehension
            callback = self.module.functions[node.fid]
            results = self._returns(callback)
            if not results or not self.expr(function, node.iter, bound, depth + 1, seen):
                return False
            inner = {**bound, **{(callback.fid, n): True for p in callback.params[:2]
                                 for n in ((p.name,) if p.target is None else ir.target_names(p.target))}}
            return all(self.expr(callback, result, inner, depth + 1, seen) for result in results)
        if kind is ir.Call and type(node.func) is ir.Name and (node.func.id in self.names.element_preserving or
                                                               node.func.id in self.names.text_conversions and len(node.args) == 1) \
                and function.scope_of(node.func.id) not in ("local", "param") and node.args \
                and all(a.kind == "pos" for a in node.args):
            # zip(titles, bodies): each element is made of the arguments' elements; str(sql): the text itself
            return all(self.expr(function, a.value, bound, depth + 1, seen) for a in node.args)
        if kind is ir.Call and type(node.func) is ir.Name and all(a.kind in ("pos", "kw") for a in node.args):
            return self.helper_call(function, node, bound, depth + 1, seen)
        return False

    def keys_fixed(self, function: ir.Function, node) -> bool:
        """The keys of ``node`` are written in the code: an object literal with plain keys (no spread, no computed
        key), or a local every assignment of which is one and into which nothing stores a computed key."""
        if type(node) is ir.Obj:
            return all(type(e.key) is str for e in node.entries)
        if type(node) is not ir.Name or function.scope_of(node.id) != "local":
            return False
        assigned = self.bindings(function).get(node.id)
        if not assigned or any(type(value) is not ir.Obj or not all(type(e.key) is str for e in value.entries)
                               for _at, value in assigned):
            return False
        return not any(type(n) is ir.Assign and any(type(t) is ir.Index and type(t.obj) is ir.Name and t.obj.id == node.id
                                                    for t in n.targets)
                       for n in ir.iter_nodes(function.body))

    def helper_call(self, function: ir.Function, call: ir.Call, bound: dict, depth: int, seen: frozenset) -> bool:
        """``author('$.user_id')``: every def bound to the name (nested, or module-level) returns fixed
        text when its parameters get these arguments (or their defaults) — through locals, list
        building and joins (langflow's Alembic helpers ``_sqlite_insert_assignments()``)."""
        helpers = self._helpers(function, call.func.id)
        if not helpers:
            return False
        from archlint.semantics.records import argument_for

        passed = [self.expr(function, a.value, bound, depth + 1, seen) for a in call.args]
        for helper in helpers:
            params = helper.params
            if any(p.kind not in ("pos", "posonly") for p in params):
                return False
            # each parameter's argument (records.argument_for binds them); one the call leaves out takes its
            # default (`def settings_json(prefix="NEW")`), and every argument must fill a parameter
            filled = [argument_for(helper, call.args, p.name, False) for p in params]
            if any(found is None and p.default is None for found, p in zip(filled, params)) \
                    or len({found[0] for found in filled if found is not None}) != len(call.args):
                return False
            owner = self.parent(helper) or function
            fixed = [passed[found[0]] if found is not None else self.expr(owner, p.default, bound, depth + 1, seen)
                     for found, p in zip(filled, params)]
            returns = self._returns(helper)
            if not returns or any(value is None for value in returns):
                return False
            inner = {**bound, **{(helper.fid, p.name): f for p, f in zip(params, fixed)}}
            if not all(self.expr(helper, value, inner, depth + 1, seen) for value in returns):
                return False
        return True

    def scalar_options(self, function: ir.Function) -> frozenset[str]:
        """The options a command's ``add_arguments(parser)`` declares that argparse converts to a
        number or a flag (``type=int`` / ``float``, ``action="store_true"`` / ``"store_false"`` /
        ``"count"``), keyed by their ``dest``: what the same class's ``handle(self, *args, **options)``
        reads as ``options["lock_id"]`` (a Django management command) prints digits or True/False."""
        if function.kind != "method" or not 0 <= function.cls < len(self.module.classes):
            return frozenset()
        cls = self.module.classes[function.cls]
        found = set()
        for fid in cls.methods:
            method = self.module.functions[fid]
            if method.name != "add_arguments":
                continue
            for node in ir.iter_nodes(method.body):
                if type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name == "add_argument":
                    dest = _argparse_dest(node)
                    if dest is not None and _argparse_scalar(node):
                        found.add(dest)
        return frozenset(found)

    @staticmethod
    def _returns(helper: ir.Function) -> list:
        """The values ``helper`` returns (its own ``return`` statements: the walk does not enter
        nested functions); ``[]`` when it may end without one (an implicit ``None``)."""
        last = helper.body[-1] if helper.body else None
        if type(last) is not ir.Return:
            return []
        return [node.value for node in ir.iter_nodes(helper.body) if type(node) is ir.Return]

    def _helpers(self, function: ir.Function, name: str) -> list[ir.Function]:
        current = function
        while current is not None:
            if current.kind == "module" or current.scope_of(name) == "local":
                assigned = self.bindings(current).get(name) or []
                if not assigned or any(type(value) is not ir.FuncRef for _at, value in assigned):
                    return []
                return [self.module.functions[value.fid] for _at, value in assigned]
            if current.scope_of(name) == "param":
                return []
            current = self.parent(current)
        return []


_ARGPARSE_TYPES = frozenset({"int", "float"})
_ARGPARSE_ACTIONS = frozenset({"store_true", "store_false", "count"})


def _option_read(function: ir.Function, node) -> str | None:
    """The key of ``options["key"]`` / ``options.get("key")`` where ``options`` is the ``**kwargs``
    parameter of ``function``, never reassigned there; else ``None``."""
    if type(node) is ir.Index:
        holder, key = node.obj, node.index
    elif type(node.func) is ir.Attr and node.func.name == "get" and node.args and node.args[0].kind == "pos":
        holder, key = node.func.obj, node.args[0].value
    else:
        return None
    if type(holder) is not ir.Name or type(key) is not ir.Const or type(key.value) is not str:
        return None
    if not any(p.kind == "kwarg" and p.name == holder.id for p in function.params):
        return None
    for statement in ir.iter_nodes(function.body):
        if type(statement) is ir.Assign and any(type(t) is ir.Name and t.id == holder.id for t in statement.targets):
            return None
    return key.value


def _argparse_dest(call: ir.Call) -> str | None:
    """``add_argument("--migrate-lock-id", …)`` stores under ``migrate_lock_id`` (argparse: the first
    long flag, else the first flag or the positional name, dashes made underscores; ``dest=`` wins)."""
    flags = [a.value.value for a in call.args if a.kind == "pos" and type(a.value) is ir.Const and type(a.value.value) is str]
    for arg in call.args:
        if arg.kind == "kw" and arg.name == "dest":
            return arg.value.value if type(arg.value) is ir.Const and type(arg.value.value) is str else None
    if not flags:
        return None
    chosen = next((f for f in flags if f.startswith("--")), flags[0])
    return chosen.lstrip("-").replace("-", "_") or None


def _argparse_scalar(call: ir.Call) -> bool:
    for arg in call.args:
        if arg.kind != "kw":
            continue
        if arg.name == "type" and type(arg.value) is ir.Name and arg.value.id in _ARGPARSE_TYPES:
            return True
        if arg.name == "action" and type(arg.value) is ir.Const and arg.value.value in _ARGPARSE_ACTIONS:
            return True
    return False


# A query builder compiled to its SQL text and bindings (knex / Drizzle / Objection ``toSQL()`` -> ``{ sql,
# bindings }``, knex ``.toSQL().toNative()``): the text is the builder's own, with placeholders for every value
_COMPILERS = frozenset({"toSQL", "toNative"})


def _compiled(evaluator, function: ir.Function, node, depth: int) -> bool:
    """``node`` (read in ``function``) is a compiled builder: ``qb.toSQL()``, a local bound only to one,
    or a call of a local helper that only returns one (Strapi's ``selectRowsToOrder(table)`` arrow)."""
    if depth > 4:
        return False
    if type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name in _COMPILERS:
        return node.func.name == "toSQL" or (type(node.func.obj) is ir.Call and type(node.func.obj.func) is ir.Attr
                                              and node.func.obj.func.name == "toSQL")
    if type(node) is ir.Call and type(node.func) is ir.Name:
        helpers = evaluator._helpers(function, node.func.id)
        returns = [(helper, evaluator._returns(helper)) for helper in helpers]
        return bool(returns) and all(values and all(_compiled(evaluator, helper, value, depth + 1) for value in values)
                                     for helper, values in returns)
    if type(node) is ir.Name:
        while function is not None and function.kind != "module" and function.scope_of(node.id) == "outer":
            function = evaluator.parent(function)
        if function is None or function.scope_of(node.id) == "param":
            return False
        assigned = evaluator.bindings(function).get(node.id)
        return bool(assigned) and all(value is not None and _compiled(evaluator, function, value, depth + 1) for _at, value in assigned)
    return False


def fixed_name(module: ir.ModuleIR, span: Span, name: str, private=None, names: Known | None = None) -> bool:
    """``name``, read by the code at ``span``, is fixed by the code (see the module docstring).
    ``private(name)``: the module-level ``name`` is used by this module only (no other file imports it).
    ``select.sql`` where ``select`` is a compiled query builder (``….toSQL()``) is the builder's text."""
    function = ir.innermost_function(module, span)
    if function is None:
        return False
    evaluator = _Evaluator(module, function, span, private, names)
    if name.isidentifier():
        return evaluator.name(function, name, {}, 0, frozenset())
    base, dot, attribute = name.partition(".")
    if dot and attribute == "sql" and base.isidentifier():
        return _compiled(evaluator, function, ir.Name(base, span), 0)
    hole = _hole_at(function, span, name)
    return hole is not None and evaluator.expr(function, hole, {}, 0, frozenset())


def _hole_at(function: ir.Function, span: Span, text: str):
    """The expression ``text`` written inside ``span`` that the evaluator reads beyond names: a call of a
    function by name (``_sqlite_insert_assignments()``), or a conditional choosing between texts
    (``assignments ? `${assignments}, ` : ''``)."""
    from archlint.domain.ir_format import render

    for node in ir.iter_nodes(function.body):
        kind = type(node)
        if (kind is ir.Call and type(node.func) is ir.Name or kind is ir.Cond) and ir.span_contains(span, node.span) \
                and (render(node) == text or _spans_text(node.span, text)):
            return node
    return None


def _spans_text(span: Span, text: str) -> bool:
    """The node is written on one line as exactly ``text`` long (the rendering is Python's, a JS hole's text is its
    source: `a ? `${a}, ` : ''`)."""
    return span.line == span.end_line and span.end_column - span.column == len(text) and "\n" not in text


def static_constant(program, path: str, expr: str) -> bool:
    """``Status.Pending`` / ``statuses.Status.Pending`` spliced into SQL, where the chain names, through
    module-level definitions and imports only, a literal: a TypeScript ``enum`` member (``enum Status
    { Pending = 'pending' }``) or a key of a module-level object literal — fixed text, no input in it."""
    parts = expr.split(".")
    if len(parts) < 2 or not all(part.isidentifier() for part in parts):
        return False
    from archlint.semantics import values as v

    node = ir.Name(parts[0], Span(0, 0, 0, 0))
    for part in parts[1:]:
        node = ir.Attr(node, part, Span(0, 0, 0, 0))
    value = program.static_value(path, node)
    return type(value) is v.Const and value.value is not v.ANY_CONSTANT and isinstance(value.value, (str, int, float)) \
        and not isinstance(value.value, bool)


def constant_property(program, path: str, span: Span, expr: str) -> bool:
    """``db.timestamp_now`` spliced into SQL, where ``db`` is a parameter annotated with a project
    class whose ``timestamp_now`` is a ``@property`` that returns only string literals (or other
    such properties of ``self``): lnbits' ``Connection.timestamp_now`` is ``"now()"`` on PostgreSQL
    and ``"(strftime('%s', 'now'))"`` on SQLite — fixed SQL per dialect, no input in it."""
    name, dot, attribute = expr.partition(".")
    if not dot or not name.isidentifier() or not attribute.isidentifier():
        return False
    module = program.modules.get(path)
    function = ir.innermost_function(module, span) if module is not None else None
    param = next((p for p in function.params if p.name == name), None) if function is not None else None
    if param is None or param.annotation is None or function.scope_of(name) != "param":
        return False
    from archlint.semantics import values as v

    cls = program.static_value(path, param.annotation)
    return type(cls) is v.ClassValue and _constant_getter(program, cls, attribute, 0)


def _constant_getter(program, cls, attribute: str, depth: int) -> bool:
    from archlint.domain.ir_format import render

    method = program.method(cls.path, cls.cid, attribute) if depth <= 3 else None
    getter = program.function(method.path, method.fid) if method is not None else None
    if getter is None or not any(render(d) == "property" for d in getter.decorators):
        return False
    returns = [node for node in ir.iter_nodes(getter.body) if type(node) is ir.Return]
    for node in returns:
        value = node.value
        if type(value) is ir.Const and type(value.value) is str:
            continue
        if type(value) is ir.Attr and type(value.obj) is ir.Name and value.obj.id == "self" \
                and _constant_getter(program, cls, value.name, depth + 1):
            continue  # return self.timestamp_now
        return False
    return bool(returns)
