"""framework rules: AL801 a route parameter the handler does not receive or does not define.

Two shapes the benchmark's agents produced (benchmark.md §4 item 4): a Flask URL variable that the
view function's signature lacks (``/comments/<int:comment_id>`` with ``def delete(slug, id)`` — a
TypeError and a 500 on every call), and a JS handler reading ``req.params.id`` on a route that only
defines ``:slug`` (always ``undefined``, so the query filters on nothing or throws).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.facts import FileFacts
from archlint.domain.findings import Finding
from archlint.domain.knowledge import module_matches

_PY_ROUTE = re.compile(r"""^[\w.]+\.(?:route|get|post|put|patch|delete)\(\s*['"]([^'"]+)['"]""")
_FLASK_VARIABLE = re.compile(r"<(?:[\w]+(?:\([^)]*\))?:)?(\w+)>")
_JS_ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "del", "all"})
_JS_PATH = re.compile(r"""^\s*(['"`])(/[^'"`]*)\1\s*,""")
_JS_PARAM = re.compile(r":(\w+)")
_JS_READS = (
    re.compile(r"\b(?:req|request|ctx)\.params\.(\w+)"),
    re.compile(r"""\b(?:req|request|ctx)\.params\[\s*['"](\w+)['"]\s*\]"""),
    re.compile(r"""\bc\.req\.param\(\s*['"](\w+)['"]\s*\)"""),
)
_JS_DESTRUCTURE = re.compile(r"\{([^{}]*)\}\s*=\s*(?:req|request|ctx)\.params\b")
_FLASK_MODULES = ("flask", "quart")
_JS_FRAMEWORKS = ("express", "koa", "@koa/router", "koa-router", "hono", "fastify")


def check(ctx: CheckContext) -> Iterator[Finding]:
    for path in sorted(ctx.files):
        facts = ctx.files[path]
        if non_production(path) or not facts.parsed:
            continue
        externals = [edge.target for edge in ctx.graph.out_edges(path) if edge.external]
        if facts.language == "python" and _imports(externals, _FLASK_MODULES):
            yield from _flask(ctx, facts)
        elif facts.language != "python" and _imports(externals, _JS_FRAMEWORKS):
            yield from _js(ctx, facts)


def _imports(externals: list[str], modules) -> bool:
    return any(module_matches(target, module) for target in externals for module in modules)


def _flask(ctx: CheckContext, facts: FileFacts) -> Iterator[Finding]:
    for function in facts.functions:
        parameters = function.parameters()
        if any(p.name.startswith("**") or p.name == "kwargs" for p in parameters) or "**" in function.params_text:
            continue
        names = {p.name for p in parameters}
        for decorator in function.decorators:
            route = _PY_ROUTE.match(decorator)
            if route is None:
                continue
            for variable in _FLASK_VARIABLE.findall(route.group(1)):
                if variable in names:
                    continue
                message = (
                    f"route `{route.group(1)}` passes `{variable}` to `{function.name}()`, which has no such parameter: "
                    f"every request raises TypeError (unexpected keyword argument '{variable}') and returns 500"
                )
                guidance = f"Name the parameter `{variable}` in `def {function.name}(…)` (or rename `<{variable}>` in the route)."
                yield ctx.registry.finding("AL801", facts.path, function.span, message, guidance)


def _js(ctx: CheckContext, facts: FileFacts) -> Iterator[Finding]:
    for call in facts.calls:
        method = call.callee.rsplit(".", 1)[-1]
        if "." not in call.callee or method not in _JS_ROUTE_METHODS:
            continue
        path_match = _JS_PATH.match(call.args_text)
        if path_match is None:
            continue
        route = path_match.group(2)
        defined = set(_JS_PARAM.findall(route))
        handler = call.args_text[path_match.end() :]
        for name in sorted(_reads(handler) - defined):
            message = (
                f"the handler reads route parameter `{name}`, but route `{route}` defines "
                f"{', '.join(f'`:{d}`' for d in sorted(defined)) or 'no parameter'}: it is always undefined, so the "
                f"lookup that uses it finds nothing or throws (Sequelize: WHERE parameter has invalid \"undefined\" value)"
            )
            guidance = f"Read the parameter the route defines (`{'`, `'.join(sorted(defined)) or 'none'}`) or add `:{name}` to the path."
            yield ctx.registry.finding("AL801", facts.path, call.span, message, guidance)


def _reads(handler: str) -> set[str]:
    names: set[str] = set()
    for pattern in _JS_READS:
        names.update(pattern.findall(handler))
    for group in _JS_DESTRUCTURE.findall(handler):
        for piece in group.split(","):
            key = piece.split(":")[0].split("=")[0].strip()
            if key and not key.startswith("..."):
                names.add(key)
    return names
