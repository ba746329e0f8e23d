"""Abstract interpretation of one function in one calling context.

A :class:`Frame` walks a function's IR once, statement by statement, with an environment from
names to abstract values (:mod:`.values`).  Branches are interpreted on both sides with the test's
narrowing applied (``if user is None: raise`` leaves ``user`` non-null after the ``if``) and
joined; a loop body runs once with its target bound to an element of what is iterated; a call to
project code is answered by the callee's :class:`Summary` for these argument values (computed on
demand, cached, depth-bounded; a recursive cycle answers ``UNKNOWN``).

What a frame produces:

* a :class:`Summary` — the returned value and the *effects* (queries, writes, lazy loads, …) the
  function and everything it calls cause, each with the trace of calls that reached it, the
  loops it ran in and the per-row values it depended on (``elem:<loop>`` tags);
* when ``record`` is set (the analysis of record of each function, in its default context), the
  per-site facts checks read: DB access sites, DB handles created, loops and what they iterate,
  dereferences of values that may be ``None``.
"""

from __future__ import annotations

from typing import NamedTuple

from archlint.domain import ir
from archlint.domain.facts import Span
from archlint.semantics import values as v
from archlint.semantics.library import Outcome
from archlint.semantics.program import MAX_CALL_DEPTH, Program

NODE_BUDGET = 40_000  # evaluation steps per frame; past it the function's summary is UNKNOWN
_TX_METHODS = frozenset({"begin", "begin_nested", "transaction", "atomic"})
_ARRAY_LOOPS = frozenset({"map", "forEach", "flatMap", "filter", "reduce", "some", "every", "find", "findIndex"})
_NO_RETURN = frozenset({
    "flask.abort", "werkzeug.exceptions.abort", "sys.exit", "builtins.exit", "global:process.exit",
    "django.shortcuts.redirect_or_raise", "fastapi.HTTPException", "quart.abort", "aiohttp.web.HTTPNotFound",
})
_GET_OR_404 = frozenset({"django.shortcuts.get_object_or_404", "flask_sqlalchemy.SQLAlchemy().get_or_404",
                         "flask_sqlalchemy.SQLAlchemy().first_or_404", "rest_framework.generics.get_object_or_404"})
_REQUEST_PARTS = {
    "body": "body", "json": "body", "form": "body", "data": "body", "POST": "body", "files": "body",
    "params": "params", "match_info": "params", "path_params": "params", "kwargs": "params",
    "query": "query", "args": "query", "GET": "query", "query_params": "query", "values": "query",
    "headers": "headers", "cookies": "headers", "META": "headers",
    "user": "user", "state": "state",
}
_REQUEST_METHODS = {"get_json": "body", "json": "body", "text": "body", "post": "body", "formData": "body",
                    "param": "params", "header": "headers", "valid": "body", "parseBody": "body"}


class Effect(NamedTuple):
    """Something a function (or a function it calls) does to the database."""

    op: str  # read | write | transaction | schema | connect | lazy
    stack: str
    model: str
    method: str
    path: str
    span: Span
    deps: frozenset  # elem:<loop> tags of the values the statement used
    in_tx: bool
    trace: tuple  # ((path, span, label), ...): the calls from the analysed function down to the statement
    loops: tuple  # ids of the loops around it, outermost first, across the trace
    detail: str = ""  # e.g. the relation a lazy load reads
    tags: frozenset = frozenset()  # every tag of the values involved: async, sess:<with>, request …


class Summary(NamedTuple):
    returns: object
    effects: tuple
    always_raises: bool = False


class Site(NamedTuple):
    """A DB access written in the analysed function (what AL301-style rules report)."""

    path: str
    span: Span
    stack: str
    kind: str
    method: str
    category: str  # query | write | transaction | connect | schema
    model: str
    loops: tuple
    in_tx: bool
    callee: str  # the callee as written, for messages


class Construct(NamedTuple):
    """A DB handle created by calling a library constructor."""

    path: str
    span: Span
    stack: str
    kind: str
    callee: str
    target: str  # where it is stored ("" when not assigned)
    loops: tuple


class LoopInfo(NamedTuple):
    id: str
    path: str
    span: Span
    kind: str
    source: str  # rows | query | other: what is iterated
    model: str


class Deref(NamedTuple):
    """An attribute or index read of a value that may be None/null on this path."""

    path: str
    span: Span
    name: str
    model: str


class Event(NamedTuple):
    """A rule-specific observation made while interpreting (``joined-collection-without-unique``)."""

    kind: str
    path: str
    span: Span
    detail: str


class CallRecord(NamedTuple):
    """A call in the analysed function with the values the interpreter saw: what rules about
    arguments and results read (``len(…all())``, ``findOne`` results, option objects)."""

    node: ir.Call
    receiver: object  # the receiver's value for method calls, else the callee's value
    args: tuple  # argument values, in order
    result: object
    loops: tuple
    in_tx: bool


UNKNOWN_SUMMARY = Summary(v.UNKNOWN, ())


class Analysis:
    """The facts of one function's analysis of record (its default calling context)."""

    __slots__ = ("path", "fid", "function", "summary", "sites", "constructs", "loops", "derefs", "calls", "effects", "events")

    def __init__(self, path: str, function: ir.Function) -> None:
        self.path = path
        self.fid = function.fid
        self.function = function
        self.summary: Summary = UNKNOWN_SUMMARY
        self.sites: list[Site] = []
        self.constructs: list[Construct] = []
        self.loops: list[LoopInfo] = []
        self.derefs: list[Deref] = []
        self.calls: list[CallRecord] = []
        self.events: list[Event] = []
        self.effects: tuple = ()  # the module top level's own effects (functions have them in summary)


class _Budget(Exception):
    pass


def _callee_text(node) -> str:
    from archlint.domain.ir_format import render

    return render(node.func, 80) if type(node) is ir.Call else render(node, 80)


class Frame:
    def __init__(self, program: Program, path: str, function: ir.Function, depth: int,
                 analysis: Analysis | None = None) -> None:
        self.program = program
        self.path = path
        self.function = function
        self.module = program.modules[path]
        self.python = self.module.language == "python"
        self.depth = depth
        self.analysis = analysis
        self.env: dict[str, object] = {}
        self.returns = None
        self.effects: list[Effect] = []
        self.loops: list[str] = []
        self.tx = 0
        self.callback_results: list[list] = []
        self.steps = 0
        self.self_value = None
        self.always_raises = False

    # running ---------------------------------------------------------------------------------------
    def run(self, args: tuple = (), kwargs: tuple = (), bound=None) -> Summary:
        function = self.function
        self.self_value = bound
        if self._decorated_atomic():
            self.tx += 1
        try:
            self._bind_parameters(args, dict(kwargs), bound)
            terminated = self.block(function.body)
        except _Budget:
            return UNKNOWN_SUMMARY
        returns = self.returns
        if returns is None:
            returns = v.Const(None) if not terminated or self.python else v.UNKNOWN
        if function.is_generator and returns == v.Const(None):
            returns = v.UNKNOWN
        raises = terminated and self.returns is None and self.always_raises
        return Summary(returns, tuple(dict.fromkeys(self.effects)), raises)

    def _decorated_atomic(self) -> bool:
        for decorator in self.function.decorators:
            name = self.program.static_name(self.path, decorator.func if type(decorator) is ir.Call else decorator)
            if name.endswith(("transaction.atomic", "transaction.commit_on_success")) or name == "sqlalchemy_utils.transactional":
                return True
        return False

    def _bind_parameters(self, args: tuple, kwargs: dict, bound) -> None:
        params = list(self.function.params)
        if bound is not None and not self.python:
            self.env["this"] = bound
        elif bound is not None and params and self.function.kind == "method" and not self.function.is_static:
            self.env[params[0].name] = bound
            params = params[1:]
        positional = list(args)
        for param in params:
            if param.kind in ("pos", "posonly", "pattern") and positional:
                value = positional.pop(0)
            elif param.name in kwargs:
                value = kwargs.pop(param.name)
            elif param.kind == "vararg":
                value = v.Tuple(tuple(positional)) if positional else v.UNKNOWN
                positional = []
            elif param.kind == "kwarg":
                value = v.Record(tuple(sorted(kwargs.items()))) if kwargs else v.UNKNOWN
            else:
                value = self.default_parameter(param)
            if param.kind == "pattern" and param.target is not None:
                self.bind(param.target, value)
            else:
                self.env[param.name] = value
            if param.modifiers and self.function.name == "constructor":  # TS parameter property
                receiver = self.self_value
                if type(receiver) is v.Instance:
                    self.program.write_field(receiver.path, receiver.cid, param.name, value)

    def default_parameter(self, param: ir.Param):
        """A parameter's value when the caller does not give it: its default (``Depends(get_db)``),
        else what its annotation or decorators say (``db: Session``, ``@InjectRepository(User)``)."""
        value = None
        if param.default is not None:
            value = self.eval(param.default)
        for decorator in param.decorators:
            injected = self.parameter_decorator(decorator)
            if injected is not None:
                return injected
        if value is not None and not v.is_unknown(value) and v.strip(value) != v.Const(None):
            return value
        if param.annotation is not None:
            typed = self.type_value(param.annotation)
            if typed is not None:
                return typed
        return value if value is not None else v.UNKNOWN

    def parameter_decorator(self, decorator):
        call = decorator if type(decorator) is ir.Call else None
        name = self.program.static_name(self.path, call.func if call is not None else decorator)
        short = name.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
        if short == "InjectRepository" and call is not None:
            model = self.model_key(self.eval(call.arg(0)) if call.arg(0) is not None else v.UNKNOWN)
            return v.Db("typeorm", "repository", model)
        if short in ("Body", "Param", "Query", "Headers", "Req", "Request") and name.startswith("@nestjs"):
            part = {"Body": "body", "Param": "params", "Query": "query", "Headers": "headers"}.get(short, "")
            return v.tag(v.Request("nestjs", part), frozenset({v.REQUEST_TAG}))
        return None

    def type_value(self, annotation):
        """The value a parameter annotated with this type holds, when the type says it."""
        node = annotation
        if type(node) is ir.Const and isinstance(node.value, str) and node.value.isidentifier():
            node = ir.Name(node.value, annotation.span)  # "Session" forward reference
        if type(node) is ir.BinOp and node.op == "|":  # Optional: X | None
            left = self.type_value(node.left)
            return left if left is not None else self.type_value(node.right)
        if type(node) is ir.Index:
            base = self.program.static_value(self.path, node.obj)
            base_name = base.name if type(base) is v.External else node.obj.id if type(node.obj) is ir.Name else ""
            short = base_name.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
            if short == "Annotated" and type(node.index) is ir.Seq:
                for extra in node.index.elts[1:]:
                    if type(extra) is ir.Call:
                        value = self.eval(extra)
                        if not v.is_unknown(value):
                            return value
                return self.type_value(node.index.elts[0]) if node.index.elts else None
            if short == "Optional":
                return self.type_value(node.index)
            if short in ("Repository", "EntityRepository", "MongoRepository"):
                return v.Db("typeorm", "repository", self.model_key(self.eval(node.index)))
            if short in ("Promise",):
                return self.type_value(node.index)
            node = node.obj
        value = self.program.static_value(self.path, node) if type(node) in (ir.Name, ir.Attr) else None
        if value is None:
            return None
        kind = type(value)
        if kind is v.ClassValue:
            model = self.program.model_of_class(value.path, value.cid)
            if model:
                stack = self.program.schema.models[model].stack
                return v.Row(stack, model)
            return v.Instance(value.path, value.cid)
        if kind is v.External:
            name = value.name
            handle = self.program.library.annotated(name)
            if handle is None and type(node) is ir.Name:
                short = name.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
                handle = self.program.library.annotated(short) if self._imports_stack_for(short) else None
            if handle is not None:
                return v.tag(handle, _ASYNC) if _is_async_api(name) else handle
            if self._is_request_type(name):
                return v.tag(v.Request(self._framework_of(name)), frozenset({v.REQUEST_TAG}))
        return None

    def _imports_stack_for(self, short: str) -> bool:
        handle = self.program.library.annotated(short)
        if handle is None:
            return False
        language = self.program.library.language.get(handle.stack)
        return (language == "python") == self.python

    @staticmethod
    def _is_request_type(name: str) -> bool:
        return name in (
            "flask.Request", "fastapi.Request", "starlette.requests.Request", "aiohttp.web.Request",
            "django.http.HttpRequest", "rest_framework.request.Request", "express:Request", "koa:Context",
            "hono:Context", "fastify:FastifyRequest",
        ) or name.endswith((":Request", ".Request")) and not name.startswith(("urllib", "requests"))

    @staticmethod
    def _framework_of(name: str) -> str:
        return name.split(".", 1)[0].split(":", 1)[0]

    # statements ---------------------------------------------------------------------------------------
    def block(self, statements) -> bool:
        """Run statements; True when the block never falls through (return/raise/break/continue)."""
        for statement in statements:
            if self.stmt(statement):
                return True
        return False

    def tick(self) -> None:
        self.steps += 1
        if self.steps > NODE_BUDGET:
            raise _Budget

    def stmt(self, node) -> bool:  # noqa: C901 - one branch per statement kind
        self.tick()
        kind = type(node)
        if kind is ir.Assign:
            self.assign(node)
            return False
        if kind is ir.ExprStmt:
            value = node.value
            if type(value) is ir.Opaque and value.kind == "yield":
                for part in value.parts:
                    self.returns = v.join(self.returns, self.eval(part))
                return False
            self.eval(value)
            return self.never_returns(value)
        if kind is ir.Return:
            value = self.eval(node.value) if node.value is not None else v.Const(None)
            if self.callback_results:
                self.callback_results[-1].append(value)
            else:
                self.returns = v.join(self.returns, value)
            return True
        if kind is ir.Raise:
            if node.value is not None:
                self.eval(node.value)
            self.always_raises = True
            return True
        if kind is ir.If:
            return self.if_statement(node)
        if kind is ir.Loop:
            self.loop(node)
            return False
        if kind is ir.With:
            return self.with_statement(node)
        if kind is ir.Try:
            return self.try_statement(node)
        if kind is ir.Assert:
            self.eval(node.test)
            self.env.update(self.narrowing(node.test, True))
            return False
        if kind is ir.Jump:
            return True
        if kind is ir.Delete:
            for target in node.targets:
                if type(target) is not ir.Name:
                    self.eval(target)
            return False
        return False

    def never_returns(self, value) -> bool:
        """``abort(404)`` / ``sys.exit()`` / a project helper that always raises."""
        call = value.value if type(value) is ir.Await else value
        if type(call) is not ir.Call:
            return False
        callee = self.program.static_value(self.path, call.func) if type(call.func) in (ir.Name, ir.Attr) else None
        if type(callee) is v.External and callee.name in _NO_RETURN:
            self.always_raises = True
            return True
        return call.span in self._raising_calls

    @property
    def _raising_calls(self) -> set:
        found = getattr(self, "_raising", None)
        if found is None:
            found = self._raising = set()
        return found

    def if_statement(self, node: ir.If) -> bool:
        self.eval(node.test)
        known = self.decide(node.test)
        if known is True:
            self.env.update(self.narrowing(node.test, True))
            return self.block(node.body)
        if known is False:
            self.env.update(self.narrowing(node.test, False))
            return self.block(node.orelse)
        before = self.env
        narrow_then, narrow_else = self.narrowing(node.test, True), self.narrowing(node.test, False)
        self.env = {**before, **narrow_then}
        ends_then = self.block(node.body)
        then_env = self.env
        self.env = {**before, **narrow_else}
        ends_else = self.block(node.orelse)
        else_env = self.env
        if ends_then and ends_else:
            self.env = _join_envs(then_env, else_env)
            return True
        if ends_then:
            self.env = else_env
        elif ends_else:
            self.env = then_env
        else:
            self.env = _join_envs(then_env, else_env)
        return False

    def decide(self, test):
        """The test's outcome when the values decide it (``if ids is not None`` with a set
        passed in), else ``None``: the branch that cannot run is not interpreted."""
        kind = type(test)
        if kind is ir.Unary and test.op == "not":
            inner = self.decide(test.operand)
            return None if inner is None else not inner
        if kind is ir.BoolOp and test.op in ("and", "or"):
            answers = [self.decide(value) for value in test.values]
            if test.op == "and":
                return False if False in answers else True if all(a is True for a in answers) else None
            return True if True in answers else False if all(a is False for a in answers) else None
        if kind is ir.Compare and test.op in ("is", "is-not", "==", "!="):
            subject, other = test.left, test.right
            if type(subject) is ir.Const:
                subject, other = other, subject
            if type(other) is ir.Const and other.value is None:
                null = v.nullness(self.eval_cached(subject))
                if null is None:
                    return None
                return null if test.op in ("is", "==") else not null
            return None
        if kind in (ir.Name, ir.Attr):
            return v.truth(self.eval_cached(test))
        return None

    def narrowing(self, test, truthy: bool) -> dict:
        """Names whose value a branch knows more about (``if not user: return`` → user non-null)."""
        kind = type(test)
        if kind is ir.Unary and test.op == "not":
            return self.narrowing(test.operand, not truthy)
        if kind is ir.BoolOp:
            if (test.op == "and") == truthy:
                found: dict = {}
                for value in test.values:
                    found.update(self.narrowing(value, truthy))
                return found
            return {}
        if kind is ir.Name:
            current = self.env.get(test.id)
            if current is not None and truthy:
                return {test.id: _non_null(current)}
            return {}
        if kind is ir.Attr or kind is ir.Call:
            return {}
        if kind is ir.Compare and test.op in ("is", "is-not", "==", "!="):
            name, other = test.left, test.right
            if type(name) is ir.Const:
                name, other = other, name
            if type(name) is ir.Name and type(other) is ir.Const and other.value is None:
                is_null = (test.op in ("is", "==")) == truthy
                current = self.env.get(name.id)
                if current is None:
                    return {}
                return {name.id: v.Const(None)} if is_null else {name.id: _non_null(current)}
        return {}

    def loop(self, node: ir.Loop):
        """A loop statement or expression; returns the loop expression's value."""
        iterable = self.eval(node.iter) if node.kind != "while" else self.eval(node.iter)
        loop_id = f"{self.path}:{node.span.line}:{node.span.column}"
        element, source, model = self.element_of(node, iterable, loop_id)
        if self.analysis is not None:
            self.analysis.loops.append(LoopInfo(loop_id, self.path, node.span, node.kind, source, model))
        before = dict(self.env)
        if node.target is not None:
            self.bind(node.target, element)
        self.loops.append(loop_id)
        callback = node.fid >= 0
        if callback:
            self.callback_results.append([])
            if node.kind == "reduce":
                function = self.program.function(self.path, node.fid)
                if function is not None and function.params:
                    self.env[function.params[0].name] = v.UNKNOWN
        try:
            for condition in node.conditions:
                self.eval(condition)
                self.env.update(self.narrowing(condition, True))
            self.block(node.body)
            result = self.eval(node.result) if node.result is not None and not callback else None
            results = self.callback_results[-1] if callback else ([] if result is None else [result])
        finally:
            if callback:
                self.callback_results.pop()
            self.loops.pop()
        if node.orelse:
            self.block(node.orelse)
        self.env = _join_envs(before, self.env)
        if node.kind in ("filter",) and source == "rows":
            return iterable
        if node.kind in ("find",) and source == "rows":
            return v.Row(*_row_of(iterable), nullable=True) if _row_of(iterable) else v.UNKNOWN
        value = None
        for result in results:
            value = v.join(value, result)
        tags = v.tags_of(value) - v.elem_loops(value) if value is not None else frozenset()
        return v.tag(v.Object("list"), tags)

    def element_of(self, node: ir.Loop, iterable, loop_id: str):
        """What the loop target is bound to, and what the loop iterates (rows / query / other)."""
        call = node.iter
        inner_call = call.value if type(call) is ir.Await else call
        if type(inner_call) is ir.Call and type(inner_call.func) is ir.Name and inner_call.func.id in ("enumerate", "sorted", "reversed", "list", "tuple", "set", "zip") and inner_call.args:
            wrapper = inner_call.func.id
            inner = self.eval(inner_call.args[0].value) if wrapper != "zip" else iterable
            if wrapper in ("enumerate", "sorted", "reversed", "list", "tuple", "set"):
                element, source, model = self.element_of(node._replace(iter=inner_call.args[0].value), inner, loop_id)
                if wrapper == "enumerate":
                    return v.Tuple((v.Const(v.ANY_CONSTANT), element)), source, model
                return element, source, model
        tags = v.tags_of(iterable)
        bare = v.strip(iterable)
        kind = type(bare)
        elem_tag = frozenset({f"elem:{loop_id}"})
        if kind is v.Result and not bare.unique and self.analysis is not None and self._joined_collections(bare):
            self.analysis.events.append(Event("joined-without-unique", self.path, node.iter.span, ",".join(self._joined_collections(bare))))
        if kind is v.Rows or kind is v.Result:
            return v.tag(v.Row(bare.stack, bare.model, bare.loaded), tags | elem_tag), "rows", bare.model
        if kind is v.Query and (bare.lazy or bare.stack in ("sqlalchemy",)):
            if bare.lazy and not bare.cached:
                self.effect("read", bare.stack, bare.model, "__iter__", node.iter, tags)
            return v.tag(v.Row(bare.stack, bare.model, bare.loaded), tags | elem_tag), "rows", bare.model
        if kind is v.Tuple and bare.items:
            element = bare.items[0]
            for item in bare.items[1:]:
                element = v.join(element, item)
            return v.tag(element, tags), "other", ""
        return v.tag(v.UNKNOWN, tags), "other", ""

    def with_statement(self, node: ir.With) -> bool:
        opened = 0
        sessions: list[str] = []
        for item in node.items:
            value = self.eval(item.context)
            if self.opens_transaction(item.context, value):
                opened += 1
            entered = _entered(value)
            bare = v.strip(entered)
            if type(bare) is v.Db and bare.kind == "session" and type(item.context) in (ir.Call, ir.Await):
                session = f"sess:{self.path}:{node.span.line}:{node.span.column}"
                sessions.append(session)
                entered = v.tag(entered, frozenset({session}))
            if item.target is not None:
                self.bind(item.target, entered)
        self.tx += opened
        self.program.open_sessions.update(sessions)
        try:
            return self.block(node.body)
        finally:
            self.tx -= opened
            self.program.open_sessions.difference_update(sessions)

    def opens_transaction(self, context, value) -> bool:
        call = context.value if type(context) is ir.Await else context
        if type(call) is not ir.Call:
            return False
        if call.method in _TX_METHODS and type(v.strip(self.eval_cached(call.receiver))) is v.Db:
            return True
        callee = self.program.static_value(self.path, call.func) if type(call.func) in (ir.Name, ir.Attr) else None
        return type(callee) is v.External and callee.name.endswith(("transaction.atomic", "transaction.commit_on_success"))

    def eval_cached(self, node):
        """Re-evaluating a receiver for a question must not record its effects twice."""
        saved = (self.effects, self.analysis)
        self.effects, self.analysis = [], None
        try:
            return self.eval(node)
        finally:
            self.effects, self.analysis = saved

    def try_statement(self, node: ir.Try) -> bool:
        before = dict(self.env)
        ends_body = self.block(node.body)
        after_body = self.env
        ends_all = ends_body
        envs = [after_body] if not ends_body else []
        for handler in node.handlers:
            self.env = _join_envs(before, after_body)
            if handler.name:
                self.env[handler.name] = v.UNKNOWN
            ends = self.block(handler.body)
            if not ends:
                envs.append(self.env)
            ends_all = ends_all and ends
        if node.orelse and not ends_body:
            self.env = after_body
            ends_else = self.block(node.orelse)
            if ends_else and after_body in envs:
                envs.remove(after_body)
            elif not ends_else:
                envs = [self.env if e is after_body else e for e in envs]
        merged = None
        for env in envs:
            merged = env if merged is None else _join_envs(merged, env)
        self.env = merged if merged is not None else after_body
        if node.final:
            self.block(node.final)
        return ends_all and not envs

    # assignment -----------------------------------------------------------------------------------------
    def assign(self, node: ir.Assign) -> None:
        if node.value is None:
            if node.annotation is not None:
                for target in node.targets:
                    if type(target) is ir.Name and target.id not in self.env:
                        typed = self.type_value(node.annotation)
                        if typed is not None:
                            self.env[target.id] = typed
            return
        value = self.eval(node.value)
        if node.op != "=":
            current = self.eval(node.targets[0]) if node.targets else v.UNKNOWN
            value = self.binop(node.op.rstrip("="), current, value)
        for target in node.targets:
            self.bind(target, value)
        if self.analysis is not None and type(value) is v.Db:
            self._name_construct(node, value)

    def _name_construct(self, node: ir.Assign, value) -> None:
        for index, construct in enumerate(self.analysis.constructs):
            if construct.span == node.value.span or (type(node.value) is ir.Await and construct.span == node.value.value.span):
                from archlint.domain.ir_format import render

                self.analysis.constructs[index] = construct._replace(target=render(node.targets[0], 80))

    def bind(self, target, value) -> None:  # noqa: C901
        kind = type(target)
        if kind is ir.Name:
            self.env[target.id] = value
            if target.id in self.function.globals:
                table = self.program.globals_written.setdefault(self.path, {})
                table[target.id] = v.join(table.get(target.id), value)
            return
        if kind is ir.Attr:
            obj = target.obj
            if type(obj) is ir.Name and obj.id == "module" and target.name == "exports" and not self.python:
                self.env["<exports>"] = value
                return
            if not self.python and (
                (type(obj) is ir.Name and obj.id == "exports")
                or (type(obj) is ir.Attr and type(obj.obj) is ir.Name and obj.obj.id == "module" and obj.name == "exports")
            ):
                current = v.strip(self.env.get("<exports>", v.Record(())))
                items = dict(current.items) if type(current) is v.Record else {}
                items[target.name] = value
                self.env["<exports>"] = v.Record(tuple(items.items()))
                return
            receiver = v.strip(self.eval(obj))
            if type(receiver) is v.Instance:
                self.env[_field_key(obj, target.name)] = value
                self.program.write_field(receiver.path, receiver.cid, target.name, value)
            elif type(receiver) is v.ClassValue:
                self.program.write_field(receiver.path, receiver.cid, target.name, value)
            return
        if kind is ir.Seq:
            bare = v.strip(value)
            tags = v.tags_of(value)
            for index, element in enumerate(target.elts):
                if type(element) is ir.Starred:
                    self.bind(element.value, v.tag(v.UNKNOWN, tags))
                    continue
                if type(bare) is v.Tuple and index < len(bare.items):
                    item = bare.items[index]
                elif type(bare) is v.Rows:
                    item = v.Row(bare.stack, bare.model, bare.loaded, nullable=True)
                else:
                    item = v.UNKNOWN
                self.bind(element, v.tag(item, tags))
            return
        if kind is ir.Obj:
            for entry in target.entries:
                if entry.key is None:
                    self.bind(entry.value, v.tag(v.UNKNOWN, v.tags_of(value)))
                    continue
                key = entry.key if isinstance(entry.key, str) else ""
                member = self.member(value, key, target) if key else v.UNKNOWN
                if entry.default is not None:
                    member = v.join(member, self.eval(entry.default)) if not v.is_unknown(member) else self.eval(entry.default)
                self.bind(entry.value, member)
            return
        if kind is ir.Starred:
            self.bind(target.value, value)
            return
        if kind is ir.Index:
            self.eval(target.obj)
            self.eval(target.index)

    # expressions ----------------------------------------------------------------------------------------
    def eval(self, node):  # noqa: C901 - one branch per expression kind
        self.tick()
        kind = type(node)
        if kind is ir.Name:
            return self.name(node)
        if kind is ir.Call:
            return self.call(node)
        if kind is ir.Attr:
            value = self.eval(node.obj)
            if node.optional:
                value = _non_null(value)
            else:
                self.dereference(node.obj, value, node.span)
            key = _field_key(node.obj, node.name)
            if key and key in self.env:
                return self.env[key]
            return self.member(value, node.name, node)
        if kind is ir.Const:
            return v.Const(node.value)
        if kind is ir.Await:
            return self.await_value(self.eval(node.value), node)
        if kind is ir.Index:
            obj = self.eval(node.obj)
            index = self.eval(node.index)
            if type(node.index) is ir.Opaque and node.index.kind == "slice":  # qs[a:b] is still a query
                return obj
            if not node.optional:
                self.dereference(node.obj, obj, node.span)
            return self.subscript(obj, index)
        if kind is ir.Template:
            values = [self.eval(hole) for hole in node.holes]
            if node.tag is not None:
                self.eval(node.tag)
            tags = _all_tags(values)
            if all(v.is_constant(value) for value in values):
                return v.Const("".join(node.strings) if not values else v.ANY_CONSTANT)
            return v.tag(v.UNKNOWN, tags)
        if kind is ir.BinOp:
            return self.binop(node.op, self.eval(node.left), self.eval(node.right))
        if kind is ir.BoolOp:
            values = []
            for index, part in enumerate(node.values):
                values.append(self.eval(part))
            if node.op == "??" and values:
                result = _non_null(values[0])
                for value in values[1:]:
                    result = v.join(result, value)
                return result
            result = values[0] if values else v.UNKNOWN
            for value in values[1:]:
                result = v.join(result, value)
            return result
        if kind is ir.Compare:
            left, right = self.eval(node.left), self.eval(node.right)
            return v.tag(v.Const(v.ANY_CONSTANT) if v.is_constant(left) and v.is_constant(right) else v.UNKNOWN,
                         _all_tags((left, right)))
        if kind is ir.Unary:
            operand = self.eval(node.operand)
            if node.op == "-" and v.is_constant(operand):
                return v.Const(v.ANY_CONSTANT)
            return v.tag(v.UNKNOWN, v.tags_of(operand)) if node.op != "typeof" else v.Const(v.ANY_CONSTANT)
        if kind is ir.Cond:
            self.eval(node.test)
            known = self.decide(node.test)
            if known is not None:
                return self.eval(node.then if known else node.orelse)
            before = self.env
            narrow_then, narrow_else = self.narrowing(node.test, True), self.narrowing(node.test, False)
            self.env = {**before, **narrow_then}
            then = self.eval(node.then)
            self.env = {**before, **narrow_else}
            orelse = self.eval(node.orelse)
            self.env = before
            return v.join(then, orelse)
        if kind is ir.Seq:
            return v.Tuple(tuple(self.eval(element) for element in node.elts))
        if kind is ir.Obj:
            return self.object_literal(node)
        if kind is ir.Starred:
            return self.eval(node.value)
        if kind is ir.FuncRef:
            self.program.closures[(self.path, node.fid)] = self.env
            return v.Function(self.path, node.fid)
        if kind is ir.ClassRef:
            return v.ClassValue(self.path, node.cid)
        if kind is ir.Loop:
            return self.loop(node)
        if kind is ir.Opaque:
            for part in node.parts:
                self.eval(part)
            return v.UNKNOWN
        return v.UNKNOWN

    def object_literal(self, node: ir.Obj):
        items: dict = {}
        for entry in node.entries:
            value = self.eval(entry.value)
            if entry.key is None:
                spread = v.strip(value)
                if type(spread) is v.Record:
                    items.update(spread.items)
                continue
            if isinstance(entry.key, str):
                items[entry.key] = value
            else:
                self.eval(entry.key)
        return v.Record(tuple(items.items()))

    def name(self, node: ir.Name):
        name = node.id
        if name in self.env:
            return self.env[name]
        scope = self.function.scope_of(name)
        if scope in ("param", "local"):
            return v.UNKNOWN
        if name in ("self", "this") and self.self_value is not None and name not in self.env:
            return self.self_value
        # enclosing functions (closures): the environment each function was defined in
        function = self.function
        while function.kind != "module" and function.parent > 0:
            closure = self.program.closures.get((self.path, function.fid))
            if closure is not None and name in closure:
                return closure[name]
            outer = self.program.function(self.path, function.parent)
            if outer is None:
                break
            if outer.scope_of(name) != "outer":
                return v.UNKNOWN
            function = outer
        if self.function.kind == "module":
            return self.program.module_member_static(self.path, name)
        return self.program.module_member(self.path, name)

    def member(self, value, name: str, node):  # noqa: C901
        """``value.name``: attributes of handles, models, rows, instances, modules, requests."""
        options = v.options(value)
        if len(options) > 1:
            result = None
            for option in options:
                result = v.join(result, self.member(option, name, node))
            return result
        tags = v.tags_of(value)
        bare = v.strip(value)
        kind = type(bare)
        library = self.program.library
        if kind is v.Db:
            derived = library.derived(bare, name)
            if derived is not None:
                return v.tag(derived, tags)
            outcome = library.attribute(bare.stack, bare.kind, name)
            if outcome is not None:
                return v.tag(self.outcome_value(outcome, bare, (), node, bare.stack, bare.model), tags)
            return v.tag(v.UNKNOWN, tags)
        if kind is v.ModelClass:
            outcome = library.attribute(bare.stack, "modelclass", name)
            if outcome is not None:
                return self.outcome_value(outcome, bare, (), node, bare.stack, bare.model)
            model = self.program.schema.get(bare.model)
            if model is not None and (name in model.relations or name in model.columns):
                return v.ModelAttr(bare.stack, bare.model, name)
            if model is not None and model.cid >= 0:
                found = self.program.method(model.path, model.cid, name)
                if found is not None:
                    return found._replace(bound=v.ClassValue(model.path, model.cid))
            return v.UNKNOWN
        if kind is v.Row:
            return self.row_member(bare, tags, name, node)
        if kind is v.Rows and name in ("length",):
            return v.tag(v.UNKNOWN, tags)
        if kind is v.Instance:
            key = _field_key(node.obj, name) if type(node) is ir.Attr else ""
            if key and key in self.env:
                return self.env[key]
            return v.tag(self.instance_member(bare, name), tags)
        if kind is v.ClassValue:
            model = self.program.model_of_class(bare.path, bare.cid)
            if model:
                return self.member(v.ModelClass(self.program.schema.models[model].stack, model), name, node)
            found = self.program.method(bare.path, bare.cid, name)
            if found is not None:
                return found._replace(bound=bare)
            written = self.program.field_value(bare.path, bare.cid, name)
            if written is not None:
                return written
            member = self.program.class_field(bare.path, bare.cid, name)
            if member is not None and member.value is not None:
                return self.eval_in_module(bare.path, member.value)
            return v.UNKNOWN
        if kind is v.Module:
            return self.program.module_member(bare.path, name)
        if kind is v.External:
            return self.program.static_attribute(bare, name)
        if kind is v.Request:
            if bare.part == "" or bare.part in ("state",):
                part = _REQUEST_PARTS.get(name)
                if part is None and name in ("request", "req"):  # ctx.request (Koa), c.req (Hono)
                    return v.tag(v.Request(bare.framework, ""), tags | {v.REQUEST_TAG})
                if part is not None:
                    return v.tag(v.Request(bare.framework, part), tags | {v.REQUEST_TAG})
                return v.tag(v.UNKNOWN, tags | {v.REQUEST_TAG})
            if "." not in bare.part:
                return v.tag(v.Request(bare.framework, f"{bare.part}.{name}"), tags | {v.REQUEST_TAG})
            return v.tag(v.UNKNOWN, tags | {v.REQUEST_TAG})
        if kind is v.Record:
            found = bare.get(name)
            if found is not None:
                return v.tag(found, tags)
            return v.tag(v.UNKNOWN, tags)
        if kind is v.Function and name in ("call", "apply", "bind"):
            return bare
        return v.tag(v.UNKNOWN, tags)

    def instance_member(self, instance: v.Instance, name: str):
        found = self.program.method(instance.path, instance.cid, name)
        if found is not None:
            return found._replace(bound=instance)
        written = self.program.field_value(instance.path, instance.cid, name)
        member = self.program.class_field(instance.path, instance.cid, name)
        declared = None
        if member is not None:
            if member.value is not None and type(member.value) is not ir.FuncRef:
                declared = self.eval_in_module(instance.path, member.value)
            if (declared is None or v.is_unknown(declared)) and member.decorators:
                for decorator in member.decorators:
                    frame = Frame(self.program, instance.path, self.program.modules[instance.path].module, self.depth)
                    injected = frame.parameter_decorator(decorator)
                    if injected is not None:
                        declared = injected
            if (declared is None or v.is_unknown(declared)) and member.annotation is not None:
                frame = Frame(self.program, instance.path, self.program.modules[instance.path].module, self.depth)
                declared = frame.type_value(member.annotation)
            if member.value is not None and type(member.value) is ir.FuncRef:
                return v.Function(instance.path, member.value.fid, instance)
        if written is not None and declared is not None and not v.is_unknown(declared):
            return v.join(written, declared) if v.is_unknown(written) is False else declared
        if written is not None:
            return written
        return declared if declared is not None else v.UNKNOWN

    def eval_in_module(self, path: str, node):
        if path == self.path and self.function.kind == "module":
            return self.eval(node)
        frame = Frame(self.program, path, self.program.modules[path].module, self.depth)
        frame.env = dict(self.program.module_env(path))
        try:
            return frame.eval(node)
        except _Budget:
            return v.UNKNOWN

    def row_member(self, row: v.Row, tags: frozenset, name: str, node):
        """An attribute of a model instance: a column (a plain value), or a relation — read from
        what the query loaded, or loaded now (a lazy load: one query per row in a loop)."""
        relation = self.program.schema.relation(row.model, name) if row.model else None
        if relation is None:
            return v.tag(v.UNKNOWN, tags)
        loaded = any(path == name or path.startswith(name + ".") for path in row.loaded)
        nested = frozenset(path[len(name) + 1:] for path in row.loaded if path.startswith(name + "."))
        stack = row.stack
        target_stack = self.program.schema.models[relation.target].stack if relation.target in self.program.schema.models else stack
        if stack == "django" and relation.collection:  # a related manager: queries when read through
            return v.tag(v.Db("django", "prefetched" if loaded else "manager", relation.target), tags)
        if not loaded and relation.strategy not in ("none",) and relation.strategy not in _EAGER and relation.strategy not in _NO_QUERY:
            self.effect("lazy", stack, row.model, name, node, tags, detail=name)
        if relation.collection:
            return v.tag(v.Rows(target_stack, relation.target, nested), tags)
        return v.tag(v.Row(target_stack, relation.target, nested), tags)

    def subscript(self, obj, index):
        tags = v.tags_of(obj) | (v.tags_of(index) - v.elem_loops(index))
        bare = v.strip(obj)
        kind = type(bare)
        if kind is v.Rows:
            return v.tag(v.Row(bare.stack, bare.model, bare.loaded, nullable=True), tags)
        if kind is v.Query and bare.lazy:  # Django qs[0] runs the query (IndexError when empty)
            return v.tag(v.Row(bare.stack, bare.model, bare.loaded, nullable=True), tags)
        if kind is v.Tuple:
            position = v.strip(index)
            if type(position) is v.Const and isinstance(position.value, int) and -len(bare.items) <= position.value < len(bare.items):
                return v.tag(bare.items[position.value], tags)
            return v.tag(v.UNKNOWN, tags)
        if kind is v.Record:
            key = v.strip(index)
            if type(key) is v.Const and isinstance(key.value, str):
                found = bare.get(key.value)
                if found is not None:
                    return v.tag(found, tags)
        if kind is v.Request:
            key = v.strip(index)
            if type(key) is v.Const and isinstance(key.value, str):
                return self.member(obj, key.value, None)
            return v.tag(v.UNKNOWN, tags | {v.REQUEST_TAG})
        return v.tag(v.UNKNOWN, tags)

    def binop(self, op: str, left, right):
        tags = _all_tags((left, right))
        a, b = v.strip(left), v.strip(right)
        if type(a) is v.Const and type(b) is v.Const and REQUEST_FREE(left, right):
            if op == "+" and isinstance(a.value, str) and isinstance(b.value, str):
                return v.Const(a.value + b.value)
            return v.Const(v.ANY_CONSTANT)
        if op == "*" and (v.is_constant(left) or v.is_constant(right)) and REQUEST_FREE(left, right):
            if type(a) is v.Const and isinstance(a.value, str) or type(b) is v.Const and isinstance(b.value, str):
                return v.Const(v.ANY_CONSTANT)  # "?" * len(ids)
        return v.tag(v.UNKNOWN, tags)

    def dereference(self, node, value, span: Span) -> None:
        if self.analysis is not None and v.is_nullable(value):
            from archlint.domain.ir_format import render

            model = next((v.strip(o).model for o in v.options(value) if type(v.strip(o)) is v.Row), "")
            self.analysis.derefs.append(Deref(self.path, span, render(node, 60), model))

    def await_value(self, value, node):
        bare = v.strip(value)
        if type(bare) is v.Query and bare.stack == "knex":  # a knex builder runs when awaited
            self.effect("read", "knex", bare.model, "await", node, v.tags_of(value))
            if bare.single:
                return v.tag(v.Row("knex", bare.model, nullable=True), v.tags_of(value))
            return v.tag(v.Rows("knex", bare.model), v.tags_of(value))
        return value

    # calls ---------------------------------------------------------------------------------------------
    def call(self, node: ir.Call):
        func = node.func
        if type(func) is ir.Attr:
            receiver = self.eval(func.obj)
            if func.optional or node.optional:
                receiver = _non_null(receiver)
            else:
                self.dereference(func.obj, receiver, func.span)
            args = self.arguments(node.args)
            key = _field_key(func.obj, func.name)
            if key and key in self.env:
                result = self.invoke(node, self.env[key], args)
            else:
                result = self.method_call(node, receiver, func.name, args)
        elif type(func) is ir.Name and func.id in ("require", "import") and not self.python and node.args:
            return self.require(node)
        else:
            receiver = self.eval(func)
            args = self.arguments(node.args)
            result = self.invoke(node, receiver, args)
        if self.analysis is not None:
            self.analysis.calls.append(CallRecord(node, receiver, tuple(a[2] for a in args), result, tuple(self.loops), self.tx > 0))
        return result

    def arguments(self, args: tuple) -> list[tuple[str, str, object, object]]:
        return [(arg.kind, arg.name, self.eval(arg.value), arg.value) for arg in args]

    def require(self, node: ir.Call):
        first = node.args[0].value
        if type(first) is ir.Const and isinstance(first.value, str):
            found = self.program.graph.resolve_binding(self.path, f"{first.value}:")
            if found.file is not None:
                return self.program.module_exports(found.file)
            return v.External(f"{first.value}:")
        self.eval(first)
        return v.UNKNOWN

    def method_call(self, node: ir.Call, receiver, method: str, args):  # noqa: C901
        options = v.options(receiver)
        if len(options) > 1:
            result = None
            for option in options:
                result = v.join(result, self.method_call(node, option, method, args))
            return result
        tags = v.tags_of(receiver)
        bare = v.strip(receiver)
        kind = type(bare)
        if kind is v.Loader:  # joinedload(A.author).selectinload(User.profile)
            attribute = v.strip(args[0][2]) if args else None
            if type(attribute) is v.ModelAttr:
                return v.Loader(bare.strategy, bare.path + (attribute.name,))
            return bare
        if kind is v.Db and bare.kind == "prefetched":
            if method in ("all", "count", "exists", "first", "last", "__iter__"):
                return v.tag(v.Query("django", bare.model, lazy=True, cached=True), tags)
            bare = bare._replace(kind="manager")
            kind = v.Db
        if kind in (v.Db, v.Query, v.Result, v.Rows, v.Row, v.ModelClass):
            found = self.db_method(node, bare, tags, method, args)
            if found is not None:
                return found
        if kind is v.Instance:
            function = self.program.method(bare.path, bare.cid, method)
            if function is not None:
                return self.invoke(node, function._replace(bound=bare), args)
            member = self.instance_member(bare, method)
            return self.invoke(node, member, args)
        if kind is v.ClassValue:
            model = self.program.model_of_class(bare.path, bare.cid)
            if model:
                stack = self.program.schema.models[model].stack
                found = self.db_method(node, v.ModelClass(stack, model), tags, method, args)
                if found is not None:
                    return found
            function = self.program.method(bare.path, bare.cid, method)
            if function is not None:
                return self.invoke(node, function._replace(bound=bare), args)
            return v.UNKNOWN
        if kind is v.Module or kind is v.Record:
            return self.invoke(node, self.member(receiver, method, node.func), args)
        if kind is v.External:
            return self.invoke(node, self.program.static_attribute(bare, method), args)
        if kind is v.Request:
            part = _REQUEST_METHODS.get(method)
            if part is not None:
                return v.tag(v.Request(bare.framework, part), tags | {v.REQUEST_TAG})
            return v.tag(v.UNKNOWN, tags | {v.REQUEST_TAG})
        if method in _ARRAY_LOOPS and args and type(v.strip(args[0][2])) is v.Function:
            return self.callback_loop(node, receiver, args[0][2])
        if kind is v.Function and method in ("call", "apply"):
            return self.invoke(node, bare, args[1:] if method == "call" else [])
        return v.tag(v.UNKNOWN, tags | _all_tags([a[2] for a in args]) - _elem_only(args))

    def callback_loop(self, node: ir.Call, receiver, function):
        """``rows.map(toDto)``: the function runs once per element."""
        loop_id = f"{self.path}:{node.span.line}:{node.span.column}"
        fake = ir.Loop(node.method, None, node.receiver, (), node.span)
        element, source, model = self.element_of(fake, receiver, loop_id)
        if self.analysis is not None:
            self.analysis.loops.append(LoopInfo(loop_id, self.path, node.span, node.method, source, model))
        self.loops.append(loop_id)
        try:
            self.invoke(node, function, [("pos", "", element, None)])
        finally:
            self.loops.pop()
        return v.UNKNOWN

    def db_method(self, node: ir.Call, bare, tags: frozenset, method: str, args):  # noqa: C901
        """A call on a DB handle, query, result, rows, row or model class — from the library tables."""
        library = self.program.library
        kind = type(bare)
        stack = bare.stack
        value_kind = {v.Db: None, v.Query: "query", v.Result: "result", v.Rows: "rows", v.Row: "row",
                      v.ModelClass: "model"}[kind]
        handle_kind = bare.kind if kind is v.Db else value_kind
        model = bare.model
        arg_tags = _all_tags([a[2] for a in args])
        deps = v.elem_loops(bare if not tags else v.Tagged(bare, tags)) | frozenset(t for t in arg_tags if t.startswith("elem:"))
        all_tags = tags | arg_tags
        if kind is v.Db:
            callback = library.callback(stack, bare.kind, method)
            function = next((a[2] for a in args if type(v.strip(a[2])) is v.Function), None)
            if callback is not None and function is not None:
                self.tx += callback.transaction
                try:
                    result = self.invoke(node, function, [("pos", "", v.Db(stack, callback.kind), None)])
                finally:
                    self.tx -= callback.transaction
                self.effect("transaction", stack, model, method, node, tags)
                return result
            derived = library.derived(bare, method)
            if derived is not None and library.outcome(stack, bare.kind, method) is None:
                category = library.category(bare, method)
                self.site(node, bare, method, category or "connect")
                return v.tag(derived, tags)
        if kind is v.ModelClass:
            outcome = library.outcome(stack, "model", method) or library.outcome(stack, "modelclass", method)
        else:
            outcome = library.outcome(stack, handle_kind, method)
        if kind is v.Row and outcome is None:
            return self.row_method(node, bare, tags, method, args)
        if kind is v.Result and method in _REQUIRES_UNIQUE and not bare.unique and self.analysis is not None:
            collections = self._joined_collections(bare)
            if collections:
                self.analysis.events.append(Event("joined-without-unique", self.path, node.span, ",".join(collections)))
        category = library.category(bare, method) if kind is v.Db else None
        if outcome is None and category is None:
            if kind is v.ModelClass:
                return None  # a project classmethod: the caller looks it up
            if kind is v.Db and self.language_is(stack) and bare.kind not in ("manager",):
                return None if stack == "prisma" else v.tag(v.UNKNOWN, all_tags)
            return v.tag(v.UNKNOWN, all_tags) if kind is not v.Db else None
        value = self.outcome_value(outcome, bare, args, node, stack, model) if outcome is not None else v.UNKNOWN
        if outcome is not None and (outcome.run or outcome.write):
            op = "write" if outcome.write else "read"
            op = self._sql_operation(args, op)
            self.effect(op, stack, _model_of(value) or model, method, node, tags | arg_tags, deps=deps)
            self.site(node, bare, method, "write" if op == "write" else (category or "query"), _model_of(value) or model)
        elif category is not None:
            op = {"query": "read", "write": "write"}.get(category, category)
            if category in ("query", "write"):
                self.effect(op, stack, model, method, node, tags | arg_tags, deps=deps)
            self.site(node, bare, method, category, model)
        if method in _TX_METHODS and kind is v.Db:
            self.effect("transaction", stack, model, method, node, tags)
        return v.tag(value, tags | (arg_tags - frozenset(t for t in arg_tags if t.startswith("elem:")) if outcome is not None and outcome.value in ("rows", "row", "row?", "result") else arg_tags)) if not v.is_unknown(value) or all_tags else value

    def _joined_collections(self, result) -> list[str]:
        found = []
        for name in sorted(result.joined):
            relation = self.program.schema.relation(result.model, name)
            if relation is not None and relation.collection:
                found.append(name)
        return found

    def language_is(self, stack: str) -> bool:
        language = self.program.library.language.get(stack)
        return language is not None and (language == "python") == self.python

    @staticmethod
    def _sql_operation(args, default: str) -> str:
        """Raw SQL run through ``execute``: its first keyword says read or write."""
        if not args:
            return default
        first = v.strip(args[0][2])
        text = first.value if type(first) is v.Const and isinstance(first.value, str) else ""
        node = args[0][3]
        if not text and type(node) is ir.Template and node.strings:
            text = node.strings[0]
        word = text.lstrip(" (\n\t").split(None, 1)[0].upper() if text.strip() else ""
        if word in ("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "UPSERT", "TRUNCATE"):
            return "write"
        if word in ("CREATE", "ALTER", "DROP", "PRAGMA"):
            return "schema"
        return default

    def row_method(self, node: ir.Call, row: v.Row, tags: frozenset, method: str, args):
        """Sequelize association mixins (``article.getTags()``) query per call; ``setX``/``addX``
        write; Django ``save()``/``delete()`` come from the tables."""
        model = self.program.schema.get(row.model) if row.model else None
        if model is not None and method[:3] in ("get", "set", "add", "has") and len(method) > 3:
            suffix = method[3:]
            for name, relation in model.relations.items():
                if name.lower() in (suffix.lower(), suffix.lower() + "s") or name.lower().rstrip("s") == suffix.lower().rstrip("s"):
                    if method.startswith("get") or method.startswith("has"):
                        self.effect("lazy", row.stack, row.model, name, node, tags, detail=name)
                        target = relation.target
                        return v.tag(v.Rows(row.stack, target) if relation.collection else v.Row(row.stack, target, nullable=True), tags)
                    self.effect("write", row.stack, row.model, method, node, tags)
                    return v.tag(v.UNKNOWN, tags)
        return v.tag(v.UNKNOWN, tags)

    def outcome_value(self, outcome: Outcome, receiver, args, node, stack: str, model: str):  # noqa: C901
        """The value a library call yields, from its descriptor in ``semantics.toml``."""
        kind = outcome.value
        loaded = getattr(receiver, "loaded", frozenset())
        joined = getattr(receiver, "joined", frozenset())
        unique = getattr(receiver, "unique", False) or outcome.unique
        if outcome.source == "arg0" and args:
            source = v.strip(args[0][2])
            if type(source) in (v.Query, v.Result):
                model, loaded, joined = source.model, source.loaded, source.joined
                unique = unique or source.unique
            elif type(source) is v.ModelClass:
                model = source.model
            else:
                model = ""
        elif outcome.model == "arg0" and args:
            model = self.model_key(args[0][2])
        elif outcome.model == "arg0" and outcome.value == "query" and not args:
            model = ""
        if outcome.loads:
            new_loaded, new_joined = self.eager_loads(outcome, stack, model, args)
            loaded = loaded | new_loaded
            joined = joined | new_joined
        if kind == "same":
            kind = {v.Query: "query", v.Result: "result", v.Rows: "rows", v.Row: "row"}.get(type(receiver), "query")
        if kind == "query":
            lazy = stack == "django"
            cached = type(receiver) is v.Db and receiver.kind == "prefetched"
            single = getattr(receiver, "single", False) or outcome.single
            return v.Query(stack, model, loaded, lazy, unique, joined, single, cached or getattr(receiver, "cached", False))
        if kind == "result":
            return v.Result(stack, model, loaded, unique, joined)
        if kind == "rows":
            return v.Rows(stack, model, loaded)
        if kind in ("row", "row?"):
            return v.Row(stack, model, loaded, nullable=kind == "row?")
        if kind.startswith("handle:"):
            return v.Db(stack, kind[7:], model)
        if kind.startswith("loader:"):
            path = ()
            if args:
                attribute = v.strip(args[0][2])
                if type(attribute) is v.ModelAttr:
                    path = (attribute.name,)
                elif type(attribute) is v.Const and isinstance(attribute.value, str):
                    path = tuple(attribute.value.split("."))
            return v.Loader(kind[7:], path)
        if kind == "record":
            if stack in ("pg", "sequelize"):
                return v.Record((("rows", v.Rows(stack, model, loaded)), ("rowCount", v.UNKNOWN), ("count", v.UNKNOWN)))
            return v.UNKNOWN
        if kind == "tuple":
            if stack == "mysql2":
                return v.Tuple((v.Rows(stack, model), v.UNKNOWN))
            if stack in ("django", "sequelize"):
                return v.Tuple((v.Row(stack, model, loaded), v.UNKNOWN))
            if stack == "typeorm":
                return v.Tuple((v.Rows(stack, model, loaded), v.UNKNOWN))
            return v.UNKNOWN
        if kind == "none":
            return v.Const(None)
        return v.UNKNOWN

    def eager_loads(self, outcome: Outcome, stack: str, model: str, args) -> tuple[frozenset, frozenset]:
        """Relations a query loads with its rows: SQLAlchemy loader options, Django
        select_related/prefetch_related, Sequelize/Prisma ``include``, TypeORM ``relations``."""
        loaded: set[str] = set()
        joined: set[str] = set()
        if outcome.loads == "args":
            for _kind, _name, value, _node in args:
                bare = v.strip(value)
                if type(bare) is v.Loader and bare.path:
                    if bare.strategy in ("lazy", "raise", "noload", "default"):
                        continue
                    loaded.add(".".join(bare.path))
                    if bare.strategy == "joined":
                        joined.add(bare.path[0])
                elif type(bare) is v.Const and isinstance(bare.value, str):
                    loaded.add(bare.value.replace("__", "."))
                elif type(bare) is v.Tuple:
                    for item in bare.items:
                        item = v.strip(item)
                        if type(item) is v.Const and isinstance(item.value, str):
                            loaded.add(item.value.replace("__", "."))
                elif type(bare) is v.Record:  # Django Prefetch("comments", queryset=…) as a record: skip
                    continue
            return frozenset(loaded), frozenset(joined)
        key = outcome.loads
        for kind, _name, value, node in args:
            record = v.strip(value)
            if type(record) is not v.Record:
                continue
            option = record.get(key)
            if option is None:
                continue
            loaded.update(self._relation_names(option, model))
        return frozenset(loaded), frozenset(joined)

    def _relation_names(self, option, model: str) -> set[str]:
        names: set[str] = set()
        bare = v.strip(option)
        items = bare.items if type(bare) is v.Tuple else (option,)
        if type(bare) is v.Record:  # Prisma include: { author: true }, TypeORM relations: { author: true }
            return {key for key, value in bare.items if v.strip(value) != v.Const(False)}
        for item in items:
            item = v.strip(item)
            if type(item) is v.Const and isinstance(item.value, str):
                names.add(item.value.split(".")[0])
            elif type(item) is v.ModelClass:
                names.update(self._association_names(model, item.model))
            elif type(item) is v.Record:
                alias = v.strip(item.get("as") or v.UNKNOWN)
                if type(alias) is v.Const and isinstance(alias.value, str):
                    names.add(alias.value)
                association = v.strip(item.get("association") or v.UNKNOWN)
                if type(association) is v.Const and isinstance(association.value, str):
                    names.add(association.value)
                target = v.strip(item.get("model") or v.UNKNOWN)
                if type(target) is v.ModelClass and type(alias) is not v.Const:
                    names.update(self._association_names(model, target.model))
        return names

    def _association_names(self, model: str, target: str) -> set[str]:
        found = self.program.schema.get(model)
        if found is None:
            return set()
        return {name for name, relation in found.relations.items() if relation.target == target}

    def model_key(self, value) -> str:
        bare = v.strip(value)
        if type(bare) is v.ModelClass:
            return bare.model
        if type(bare) is v.ClassValue:
            return self.program.model_of_class(bare.path, bare.cid)
        if type(bare) in (v.Query, v.Result):
            return bare.model
        if type(bare) is v.Const and isinstance(bare.value, str):
            return bare.value  # knex('articles'): a table name
        return ""

    def invoke(self, node: ir.Call, callee, args):  # noqa: C901
        options = v.options(callee)
        if len(options) > 1:
            result = None
            for option in options:
                result = v.join(result, self.invoke(node, option, args))
            return result
        bare = v.strip(callee)
        kind = type(bare)
        arg_tags = _all_tags([a[2] for a in args])
        if kind is v.Function:
            return self.call_function(node, bare, args)
        if kind is v.ClassValue:
            return self.instantiate(node, bare, args)
        if kind is v.ModelClass:
            return v.Row(bare.stack, bare.model)
        if kind is v.External:
            return self.call_external(node, bare, args)
        if kind is v.Db:
            return self.db_method(node, bare, v.tags_of(callee), "__call__", args) or v.UNKNOWN
        return v.tag(v.UNKNOWN, arg_tags)

    def call_function(self, node: ir.Call, function: v.Function, args):
        positional = tuple(a[2] for a in args if a[0] == "pos")
        keywords = tuple(sorted((a[1], a[2]) for a in args if a[0] == "kw"))
        summary = self.program.summary_of(function, positional, keywords, self.depth + 1)
        label = _callee_text(node) if node is not None else "call"
        if summary.always_raises and node is not None:
            self._raising_calls.add(node.span)
        for effect in summary.effects:
            self.effects.append(effect._replace(
                trace=((self.path, node.span if node is not None else effect.span, label),) + effect.trace,
                loops=tuple(self.loops) + effect.loops,
                in_tx=effect.in_tx or self.tx > 0,
            ))
        return summary.returns

    def instantiate(self, node: ir.Call, cls: v.ClassValue, args):
        model = self.program.model_of_class(cls.path, cls.cid)
        if model:
            return v.Row(self.program.schema.models[model].stack, model)
        instance = v.Instance(cls.path, cls.cid)
        constructor = self.program.method(cls.path, cls.cid, "__init__") or self.program.method(cls.path, cls.cid, "constructor")
        if constructor is not None:
            self.call_function(node, constructor._replace(bound=instance), args)
        from archlint.semantics.frameworks import instantiate_hook

        hooked = instantiate_hook(self, node, cls, args)
        return hooked if hooked is not None else instance

    def call_external(self, node: ir.Call, external: v.External, args):  # noqa: C901
        library = self.program.library
        name = external.name
        arg_tags = _all_tags([a[2] for a in args])
        handle = library.constructor(name) or (library.constructor(name[:-2]) if name.endswith("()") else None)
        if handle is not None:
            if self.analysis is not None:
                self.analysis.constructs.append(Construct(self.path, node.span, handle.stack, handle.kind, _callee_text(node), "", tuple(self.loops)))
            return v.tag(handle, _ASYNC) if _is_async_api(name) else handle
        found = library.function(name)
        if found is not None:
            stack, outcome = found
            return self.outcome_value(outcome, v.UNKNOWN, args, node, stack, "")
        short = name.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
        if name in ("fastapi.Depends", "fastapi.params.Depends", "fastapi.Security") and args:
            provider = args[0][2]
            if type(v.strip(provider)) is v.Function:
                return self.call_function(node, v.strip(provider), [])
            if type(v.strip(provider)) is v.ClassValue:
                return self.instantiate(node, v.strip(provider), [])
            return v.UNKNOWN
        if name in _GET_OR_404 and args:
            target = v.strip(args[0][2])
            model = self.model_key(target)
            stack = target.stack if type(target) in (v.ModelClass, v.Query) else "django"
            self.effect("read", stack, model, short, node, arg_tags)
            return v.Row(stack, model, getattr(target, "loaded", frozenset()))
        if name in ("builtins.list", "builtins.len", "builtins.bool", "builtins.sorted", "builtins.tuple", "builtins.set",
                    "builtins.frozenset", "builtins.dict") and args:
            value = v.strip(args[0][2])
            if type(value) is v.Query and value.lazy and not value.cached:
                self.effect("read", value.stack, value.model, short, node, v.tags_of(args[0][2]))
                if short in ("list", "sorted", "tuple"):
                    return v.tag(v.Rows(value.stack, value.model, value.loaded), v.tags_of(args[0][2]))
            if short in ("sorted", "list", "tuple") and type(value) is v.Rows:
                return args[0][2]
            if short in ("list", "sorted", "tuple") and type(value) is v.Query and value.lazy:
                return v.tag(v.Rows(value.stack, value.model, value.loaded), v.tags_of(args[0][2]))
            if short == "len":
                return v.tag(v.Const(v.ANY_CONSTANT), v.tags_of(args[0][2]) - {v.REQUEST_TAG} if False else v.tags_of(args[0][2]))
        if name == "global:Promise.all" and args:
            return args[0][2]
        if name in ("builtins.str", "builtins.int", "builtins.float", "global:String", "global:Number", "global:parseInt"):
            if args and v.is_constant(args[0][2]):
                return v.Const(v.ANY_CONSTANT)
        if name in _CONTAINERS:
            return v.tag(v.Object(short), arg_tags - frozenset(t for t in arg_tags if t.startswith("elem:")) if short in ("set", "dict", "Set", "Map") else arg_tags)
        for _kind, _name, value, _node in args:
            if type(v.strip(value)) is v.Function and name.startswith("global:Promise"):
                self.call_function(node, v.strip(value), [])
        return v.tag(v.UNKNOWN, arg_tags)

    # effects -----------------------------------------------------------------------------------------
    def effect(self, op: str, stack: str, model: str, method: str, node, tags: frozenset, deps=None, detail: str = "") -> None:
        span = node.span if node is not None else self.function.span
        dependencies = deps if deps is not None else frozenset(t for t in tags if t.startswith("elem:"))
        closed = frozenset(t for t in tags if t.startswith("sess:") and t not in self.program.open_sessions)
        self.effects.append(Effect(op, stack, model, method, self.path, span, dependencies, self.tx > 0, (),
                                   tuple(self.loops), detail, frozenset(tags) | {"closed:" + t[5:] for t in closed}))

    def site(self, node: ir.Call, handle, method: str, category: str, model: str = "") -> None:
        if self.analysis is None:
            return
        kind = handle.kind if type(handle) is v.Db else type(handle).__name__.lower()
        self.analysis.sites.append(Site(self.path, node.span, handle.stack, kind, method, category, model,
                                        tuple(self.loops), self.tx > 0, _callee_text(node)))


# helpers ---------------------------------------------------------------------------------------------
_CONTAINERS = frozenset({
    "builtins.set", "builtins.list", "builtins.dict", "builtins.tuple", "builtins.frozenset", "builtins.str",
    "builtins.sorted", "builtins.int", "builtins.float", "builtins.bool", "global:Set", "global:Map", "global:Array.from",
    "global:String", "global:Number", "global:Object.keys", "global:Object.values", "global:Object.entries",
})
_EAGER = frozenset({"selectin", "joined", "subquery", "immediate"})
_ASYNC = frozenset({"async"})
_REQUIRES_UNIQUE = frozenset({"all", "one", "one_or_none", "scalar_one", "scalar_one_or_none", "fetchall", "partitions"})


def _is_async_api(name: str) -> bool:
    """``AsyncSession`` / ``async_sessionmaker`` / ``create_async_engine``: lazy loads cannot happen."""
    short = name.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
    return "sqlalchemy" in name and ("asyncio" in name or short.startswith(("Async", "async_", "create_async"))) or short in (
        "AsyncSession", "AsyncEngine", "AsyncConnection", "async_sessionmaker", "create_async_engine")
_NO_QUERY = frozenset({"raise", "raise_on_sql", "noload", "write_only", "dynamic"})


def REQUEST_FREE(*values) -> bool:  # noqa: N802 - reads like a predicate in expressions
    return not any(v.REQUEST_TAG in v.tags_of(value) for value in values)


def _all_tags(values) -> frozenset:
    tags: frozenset = frozenset()
    for value in values:
        if type(value) is v.Tagged:
            tags = tags | value.tags
    return tags


def _elem_only(args) -> frozenset:
    return frozenset()


def _field_key(obj, name: str) -> str:
    """Environment key of ``self.x`` / ``this.x`` inside a method (flow-sensitive field values)."""
    if type(obj) is ir.Name and obj.id in ("self", "this", "cls"):
        return f"{obj.id}.{name}"
    return ""


def _non_null(value):
    """The value on a path where it was checked not to be None/null."""
    options = v.options(value)
    if len(options) > 1:
        kept = [o for o in options if v.strip(o) != v.Const(None)]
        result = None
        for option in kept:
            result = v.join(result, _non_null(option))
        return result if result is not None else v.UNKNOWN
    bare = v.strip(value)
    if type(bare) is v.Row and bare.nullable:
        return v.tag(bare._replace(nullable=False), v.tags_of(value))
    return value


def _row_of(value):
    bare = v.strip(value)
    if type(bare) in (v.Rows, v.Result):
        return (bare.stack, bare.model, bare.loaded)
    return None


def _model_of(value) -> str:
    bare = v.strip(value)
    return getattr(bare, "model", "") if type(bare) in (v.Query, v.Result, v.Rows, v.Row, v.Db) else ""


def _entered(value):
    """What ``with X as y`` binds: the handle itself for sessions/connections (their
    ``__enter__`` returns self); a transaction context yields its connection."""
    bare = v.strip(value)
    if type(bare) is v.Db and bare.kind == "transaction":
        return v.tag(v.Db(bare.stack, "connection" if bare.stack != "sqlalchemy" else "session", bare.model), v.tags_of(value))
    return value


def _join_envs(left: dict, right: dict) -> dict:
    if left is right:
        return left
    merged = dict(left)
    for key, value in right.items():
        if key in merged:
            if merged[key] != value:
                merged[key] = v.join(merged[key], value)
        else:
            merged[key] = value
    return merged


def run_module(program: Program, path: str, analysis: Analysis | None = None) -> dict:
    """A module's top level, interpreted once: its globals."""
    module = program.modules[path]
    frame = Frame(program, path, module.module, 0, analysis)
    program.closures[(path, 0)] = frame.env
    try:
        frame.block(module.module.body)
    except _Budget:
        pass
    if analysis is not None:
        analysis.effects = tuple(dict.fromkeys(frame.effects))
    return frame.env
