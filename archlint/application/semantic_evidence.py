"""Verdict evidence read from the semantic model, for ``archlint verify``.

The fact-based verdicts recognise an app by its assignment (``app = Fastify()``) and a database by a
URL literal; the model also sees what code *does*: ``require('fastify')({ logger: true })`` builds an
app whose routes are registered, ``new Sequelize('sqlite:conduit.sqlite')`` connects to SQLite (a
URL without ``//``), a session that arrives from a factory, a context manager or a DI container runs
the queries.  These items are added to the verdicts' evidence.
"""

from __future__ import annotations

from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.stack import Evidence
from archlint.semantics import values as v


def served(context: CheckContext) -> dict[str, tuple[list[Evidence], list[Evidence]]]:
    """framework -> (app objects created, routes registered), from the routes table."""
    program = context.program
    found: dict[str, tuple[list[Evidence], list[Evidence]]] = {}
    if program is None:
        return found
    for route in program.routes():
        if non_production(route.file) or route.method == "USE":
            continue
        apps, routes = found.setdefault(route.framework, ([], []))
        routes.append(Evidence(route.file, route.span.line, f"{route.method} {route.path or '?'}"))
    for path, _node, receiver, _values in sorted(program.route_calls.values(), key=lambda item: (item[0], item[1].span)):
        app = v.strip(receiver)
        if type(app) is v.App and app.framework in found and app.site:
            file, line, _column = app.site.rsplit(":", 2)
            evidence = Evidence(file, int(line), f"{app.framework} app/router created")
            if evidence not in found[app.framework][0] and not non_production(file):
                found[app.framework][0].append(evidence)
    return found


def connection_urls(context: CheckContext, schemes) -> list[tuple[str, Evidence]]:
    """``new Sequelize('sqlite:conduit.sqlite')`` / ``create_engine(url)`` with a constant URL: the
    engine the DB handle connects to, by the URL's scheme (``schemes`` maps a scheme to an engine)."""
    program = context.program
    found: list[tuple[str, Evidence]] = []
    if program is None:
        return found
    for analysis in program.analyses():
        if non_production(analysis.path):
            continue
        created = {construct.span for construct in analysis.constructs}
        for record in analysis.calls:
            if record.node.span not in created or not record.args:
                continue
            url = v.strip(record.args[0])
            if type(url) is not v.Const or not isinstance(url.value, str) or ":" not in url.value:
                continue
            engine = schemes(url.value.split(":", 1)[0].split("+", 1)[0])
            if engine:
                found.append((engine, Evidence(analysis.path, record.node.span.line, f"connects with {url.value.split(':', 1)[0]}: URL")))
    return found
