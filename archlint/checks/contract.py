"""framework rules that hold the routes table against the API contract: AL811 an operation no
route serves, AL812 a route the contract does not describe (info).

The contract is the OpenAPI spec given with ``--openapi FILE`` / ``openapi = "…"``; without one,
an app routing at least 8 of the 12 RealWorld Conduit paths is held to the Conduit contract
(:data:`archlint.domain.contract.CONDUIT`), and AL812 stays silent (an implicit contract says
nothing about the routes an app adds).  Matching is in :mod:`archlint.semantics.api_contract`.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain.context import CheckContext
from archlint.domain.datalayer import production
from archlint.domain.findings import Finding
from archlint.semantics.api_contract import contract_for, coverage, describe

# Below this share of served operations of a given spec, archlint probably does not see how the
# app routes (directory autoloading, a framework it does not model): it reports no operation as
# missing.  (The Conduit contract applies only once 8 of its 12 paths are seen routed.)
MIN_SERVED_SHARE = 0.5


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    contract = contract_for(program, ctx.api_spec, production)
    if contract is None:
        return
    found = coverage(program, contract, production)
    if found.served and (contract.builtin or len(found.served) >= MIN_SERVED_SHARE * found.total):
        yield from _missing(ctx, contract, found)
    if not contract.builtin:
        yield from _extra(ctx, contract, found)


# AL811 -------------------------------------------------------------------------------------------
def _missing(ctx: CheckContext, contract, found) -> Iterator[Finding]:
    for missing in found.missing:
        operation, near = missing.operation, missing.near
        if near is None:
            continue
        where = contract.where(operation)
        if missing.captured_by is not None:
            route = missing.captured_by
            message = (
                f"`{operation.label}` ({where}) has no route of its own: {describe(route)} answers it with its parameter "
                f"set to the static segment (a lookup of that value: 404 or the wrong resource), and the handler the "
                f"contract expects does not exist"
            )
            guidance = f"Register `{operation.method} {operation.path}` before `{route.path}`, with its own handler."
        elif missing.same_path:
            message = (
                f"`{operation.label}` ({where}) is not served: the route {describe(near)} on that path does not accept "
                f"{operation.method}, so clients get {_unrouted_method(near.framework, operation)}"
            )
            guidance = f"Add a {operation.method} handler for `{operation.path}` next to the {near.method} one."
        else:
            message = (
                f"`{operation.label}` ({where}) has no route: no handler of the app matches that method and path "
                f"(prefixes of routers and mounts included), so every call gets 404"
            )
            guidance = f"Register `{operation.method} {operation.path}` (the nearest route is `{near.method} {near.path}`, {near.file}:{near.span.line})."
        yield ctx.registry.finding("AL811", near.file, near.span, message, guidance)


def _unrouted_method(framework: str, operation) -> str:
    """What the framework answers a known path with an unrouted method."""
    if framework == "express":
        return f"404 \"Cannot {operation.method} {operation.path}\""
    if framework == "fastify":
        return f"404 \"Route {operation.method}:{operation.path} not found\""
    if framework == "hono":
        return "404 Not Found"
    if framework == "koa":
        return "404 Not Found (405 only with `router.allowedMethods()`)"
    return "405 Method Not Allowed"


# AL812 -------------------------------------------------------------------------------------------
def _extra(ctx: CheckContext, contract, found) -> Iterator[Finding]:
    seen = set()
    for route in found.extra:
        key = (route.file, route.span, route.path)
        if key in seen:
            continue
        seen.add(key)
        message = f"`{route.method} {route.path}` is served, but {contract.source} does not describe it"
        guidance = "Add the operation to the spec if clients rely on it, or remove the route if nothing calls it."
        yield ctx.registry.finding("AL812", route.file, route.span, message, guidance)
