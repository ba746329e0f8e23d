"""orm rule AL233: a synchronous Django ORM call made from an ``async def``.

Every database operation of Django's ORM is guarded by ``async_unsafe``: called from a thread
that runs an event loop it raises ``SynchronousOnlyOperation: You cannot call this from an async
context - use a thread or sync_to_async.`` (Django 3.0+).  An async view, a django-ninja async
route or a Channels consumer that evaluates a queryset, calls ``get``/``create``/``save``, reads
an unloaded foreign key (``article.author`` after ``aget``) or calls a sync helper that does any
of these answers 500 on every request that reaches it.

The semantic model gives each ``async def`` the effects it and its callees cause (``Effect``),
so the helper three calls away is seen; what is safe is told apart by what actually runs:

* the async API (Django 4.1+: ``aget``, ``acount``, ``acreate``, ``asave``, ``aiterator``, related
  managers' ``aadd``… in 5.0; ``async for`` over a queryset) — knowledge in ``semantics.toml``
  (``coroutines``);
* code run in a worker thread: ``await sync_to_async(fn)(…)`` (the interpreter does not enter
  ``fn``), a ``@sync_to_async`` / ``@database_sync_to_async`` function (its effects carry
  ``THREAD_TAG``).

A sync helper is reported where the async function calls it (the helper is fine from sync
code); an async callee's own mistakes are reported in that callee.  ``DJANGO_ALLOW_ASYNC_UNSAFE``
set anywhere in the project turns the guard off, and the rule with it.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.checks.process_memo import once_per_process
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding, TraceStep
from archlint.semantics import values as v

_ASYNC_ITERATION = frozenset({"__aiter__"})
_UNSAFE_SWITCH = "DJANGO_ALLOW_ASYNC_UNSAFE"


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    async_api = _ASYNC_ITERATION | {key.split(".", 1)[1] for key in program.library.coroutines.get("django", ())} | {"aiterator"}
    found: dict = {}
    atomic: set = set()  # async functions already reported for an atomic block
    for analysis in program.analyses():
        function = analysis.function
        if not analysis.fid or not function.is_async or non_production(analysis.path):
            continue
        for effect in analysis.summary.effects:
            if effect.stack != "django" or v.THREAD_TAG in effect.tags or once_per_process(ctx, effect.path, effect.span):
                continue  # (a singleton loaded on first use fails at most once per process, not every request)
            if effect.op != "lazy" and effect.method in async_api:
                if effect.in_tx and not effect.trace and (analysis.path, analysis.fid) not in atomic:
                    # `with transaction.atomic(): await X.objects.aupdate(…)`: reported once, at the first write
                    atomic.add((analysis.path, analysis.fid))
                    found.setdefault((effect.path, effect.span), (analysis, effect._replace(op="transaction")))
                continue
            if effect.trace and _async_callee(program, analysis.path, effect.trace[0][1]):
                continue  # an awaited async function: judged in its own analysis
            at = (effect.trace[0][0], effect.trace[0][1]) if effect.trace else (effect.path, effect.span)
            if at not in found:
                found[at] = (analysis, effect)
    responses = _async_responses(program, async_api)
    if not (found or responses) or _guard_disabled(program):
        return
    for (path, span), (analysis, effect) in sorted(found.items(), key=lambda item: (item[0][0], item[0][1].line, item[0][1].column)):
        yield _finding(ctx, path, span, analysis.function, effect, async_api)
    for (path, span), (function, effect) in sorted(responses.items(), key=lambda item: (item[0][0], item[0][1].line, item[0][1].column)):
        yield _response_finding(ctx, path, span, function, effect)


def _async_responses(program, async_api: set) -> dict:
    """(path, route decorator span) -> (route function, first sync ORM effect) of the async django-ninja
    routes whose response schema reads the returned rows with the synchronous ORM."""
    found: dict = {}
    for analysis in program.analyses():
        if analysis.fid or non_production(analysis.path):
            continue
        for effect in analysis.effects:
            if v.ASYNC_RESPONSE_TAG not in effect.tags or effect.stack != "django" \
                    or v.THREAD_TAG in effect.tags or (effect.op != "lazy" and effect.method in async_api):
                continue
            path, span = (effect.trace[0][0], effect.trace[0][1]) if effect.trace else (effect.path, effect.span)
            if (path, span) in found:
                continue
            module = program.modules.get(path)
            function = next((f for f in module.functions if f.is_async and any(d.span == span for d in f.decorators)), None) \
                if module is not None else None
            if function is not None:
                found[(path, span)] = (function, effect)
    return found


def _response_finding(ctx: CheckContext, path: str, span, function: ir.Function, effect) -> Finding:
    model = effect.model.rsplit(":", 1)[-1] if effect.model else "a model"
    # a serializer's `source="author.user.username"` reads `author.user`: a path from the row, not a relation of Profile
    of = f" of {model}" if "." not in (effect.detail or "") else ""
    what = (f"reads `{effect.detail}`{of}, a relation the query did not load" if effect.op == "lazy"
            else f"runs `{effect.method}()` on {model}")
    if not effect.trace:
        what = f"iterates the returned queryset of {model}"
    message = (
        f"`async def {function.name}` returns rows that django-ninja turns into its response schema in the event "
        f"loop, and the schema {what} with the synchronous ORM: Django raises "
        f"SynchronousOnlyOperation (\"You cannot call this from an async context\") — every request answers 500"
    )
    guidance = ("Load everything the schema reads before returning — `select_related`/`prefetch_related` and "
                "annotations, materialised with `[row async for row in queryset]` — or make the route a plain `def` "
                "(ninja runs it in a thread).")
    steps = tuple(TraceStep(p, s.line, s.column, f"calls `{label}`") for p, s, label in effect.trace[1:]) + (
        TraceStep(effect.path, effect.span.line, effect.span.column, "the ORM call"),)
    return ctx.registry.finding("AL233", path, span, message, guidance, steps)


def _async_callee(program, path: str, span) -> bool:
    record = program.call_record(path, span)
    if record is None:
        return False
    functions = [program.function(callee.path, callee.fid) for callee in record.callees]
    return bool(functions) and all(f is not None and f.is_async for f in functions)


def _guard_disabled(program) -> bool:
    """``os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"`` (or a setdefault) in the project's code."""
    for module in program.modules.values():
        for function in module.functions:
            for node in ir.iter_nodes(function.body):
                if type(node) is ir.Const and node.value == _UNSAFE_SWITCH:
                    return True
    return False


def _finding(ctx: CheckContext, path: str, span, function: ir.Function, effect, async_api: set) -> Finding:
    model = effect.model.rsplit(":", 1)[-1] if effect.model else "a model"
    if effect.op == "transaction":
        what = (f"opens `transaction.atomic()` around `{effect.method}` on {model} (entering the atomic block opens the "
                f"connection synchronously)")
        fix = "transactions do not work in async code; put the writes in one sync function decorated with `@transaction.atomic`"
        message = (f"`async def {function.name}` {what}: Django raises SynchronousOnlyOperation (\"You cannot call this "
                   f"from an async context - use a thread or sync_to_async.\") — every request that reaches it answers 500")
        return ctx.registry.finding("AL233", path, span, message, f"{fix} and await `sync_to_async(fn)(…)`.")
    if effect.op == "lazy":
        of = f" of {model}" if "." not in (effect.detail or "") else ""  # `author.user`: a path from the row
        what = f"reads `{effect.detail or effect.method}`{of}, a relation that was not loaded (a query)"
        fix = (f"load it with the query that fetched the row — `.select_related('{(effect.detail or effect.method).replace('.', '__')}')` "
               f"before `aget()` — or use `await sync_to_async(lambda: obj.{effect.detail or effect.method})()`")
    else:
        what = (f"iterates a queryset of {model} with the synchronous ORM" if effect.method in ("__iter__", "iterator")
                else f"calls `{effect.method}()` on {model} through the synchronous ORM")
        fix = _async_twin(effect.method, async_api)
    via = ""
    steps: tuple = ()
    if effect.trace:
        label = effect.trace[0][2]
        via = f" through `{label}` (a sync function it calls in the event loop's thread)"
        steps = tuple(TraceStep(p, s.line, s.column, f"calls `{label}`") for p, s, label in effect.trace) + (
            TraceStep(effect.path, effect.span.line, effect.span.column, "the ORM call"),)
    message = (
        f"`async def {function.name}`{via} {what}: Django's ORM refuses to run in an async context and raises "
        f"SynchronousOnlyOperation (\"You cannot call this from an async context - use a thread or sync_to_async.\") "
        f"— every request that reaches it answers 500"
    )
    guidance = f"Use Django's async API here: {fix}; or run the sync code in a thread: `await sync_to_async(helper)(…)`."
    return ctx.registry.finding("AL233", path, span, message, guidance, steps)


def _async_twin(method: str, async_api: set) -> str:
    if method in ("__iter__", "iterator"):
        return "iterate with `async for row in queryset` (or `[row async for row in queryset]`)"
    if f"a{method}" in async_api:
        return f"`await ….a{method}(…)`"
    return "`[row async for row in queryset]`, `await queryset.acount()`, `aget()`, `acreate()`, `asave()`"
