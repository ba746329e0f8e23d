"""What a patch did to the evidence behind each ``verify`` verdict.

A verdict's own evidence is a short excerpt (the first app object, the first violations); to say
what a patch *added or removed* we need every item of the kind the verdict weighs: each route
registration, each import that crosses a layer boundary, each database URL, each ORM model and
query.  Items of the trees before and after the patch are matched by (path after renames,
detail) — never by line, which the patch shifts — and the difference is the patch's
contribution, e.g. "still compliant; the patch adds app/routes/comments.py:3 routes → services
(app/services/comment_service.py)".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from archlint.domain.context import CheckContext
from archlint.domain.findings import Finding
from archlint.domain.stack import (Evidence, Verdict, architecture_violations, database_evidence, layer_directories, production,
                                   schema_creation, served_frameworks)

SHOWN = 3  # items named in a summary sentence


@dataclass(slots=True)
class VerdictChange:
    """How a verdict changed between the tree before and after a change."""
    constraint: str
    was_compliant: bool | None  # None: there was no tree before
    compliant: bool
    added: list[Evidence] = field(default_factory=list)
    removed: list[Evidence] = field(default_factory=list)

    @property
    def summary(self) -> str:
        status = {(True, True): "still compliant", (False, True): "now compliant", (True, False): "no longer compliant",
                  (False, False): "still not compliant"}.get((self.was_compliant, self.compliant), "compliant" if self.compliant else "not compliant")
        parts = [f"{self.constraint}: {status}"]
        if self.added:
            parts.append(f"the patch adds {_listing(self.added)}")
        if self.removed:
            parts.append(f"{'and ' if self.added else 'the patch '}removes {_listing(self.removed)}")
        if not self.added and not self.removed:
            parts.append("the patch changes none of its evidence")
        return "; ".join(parts)

    def to_dict(self) -> dict:
        return {
            "was_compliant": self.was_compliant,
            "summary": self.summary,
            "added": [item.to_dict() for item in self.added],
            "removed": [item.to_dict() for item in self.removed],
        }


def _listing(items: list[Evidence]) -> str:
    """The items grouped by file, the first files named: ``a.py → services, models`` for imports
    that cross layers, else ``a.py:12 <first item> (+2 more)``."""
    by_path: dict[str, list[Evidence]] = {}
    for item in sorted(items, key=lambda item: not _violation(item)):  # what breaks the constraint first
        by_path.setdefault(item.path, []).append(item)
    named = []
    for path, group in by_path.items():
        layers = [_crossing(item.detail) for item in group]
        if all(layers):
            named.append(f"{path} → {', '.join(dict.fromkeys(layers))}")
        else:
            more = f" (+{len(group) - 1} more)" if len(group) > 1 else ""
            named.append(f"{path}:{group[0].line} {group[0].detail}{more}")
    return ", ".join(named[:SHOWN]) + (f" and {len(named) - SHOWN} more files" if len(named) > SHOWN else "")


def _violation(item: Evidence) -> bool:
    """An item naming a finding (``AL102 skip-layer import: …``, see :func:`_architecture`)."""
    rule = item.detail.split(" ", 1)[0]
    return len(rule) == 5 and rule.startswith("AL") and rule[2:].isdigit()


def _crossing(detail: str) -> str | None:
    """The layer an import crossing layers leads to (details written by :func:`_architecture`)."""
    if " → " not in detail or not detail.endswith(")"):
        return None
    return detail.split(" → ", 1)[1].split(" (", 1)[0]


def inventory(ctx: CheckContext, verdict: Verdict, findings: list[Finding]) -> list[Evidence]:
    """Every item of the kind ``verdict`` weighs, in the tree ``ctx`` describes (``findings`` are
    that tree's check findings).  Independent of the verdict's outcome: a verdict's own evidence
    is directories when it passes and violations when it fails, which would read as the patch
    removing directories."""
    gather = _GATHERERS.get(verdict.constraint)
    items = gather(ctx, findings) if gather is not None else list(verdict.evidence)
    unique: dict[tuple[str, int, str], Evidence] = {}
    for item in items:
        unique.setdefault((item.path, item.line, item.detail), item)
    return sorted(unique.values(), key=lambda item: (item.path, item.line, item.detail))


def compare(before: Verdict | None, after: Verdict, before_items: list[Evidence], after_items: list[Evidence],
            after_path: Callable[[str], str | None]) -> VerdictChange:
    """``after_path`` maps a path of the tree before to the tree after (None: deleted)."""
    def key(item: Evidence, path: str | None) -> tuple:
        return (path, item.detail)

    old = Counter(key(item, after_path(item.path)) for item in before_items)
    new = Counter(key(item, item.path) for item in after_items)
    gained, lost = new - old, old - new
    added = [item for item in after_items if _take(gained, key(item, item.path))]
    removed = [item for item in before_items if _take(lost, key(item, after_path(item.path)))]
    return VerdictChange(after.constraint, before.compliant if before is not None else None, after.compliant, added, removed)


def _take(counts: Counter, key: tuple) -> bool:
    if counts.get(key, 0) > 0:
        counts[key] -= 1
        return True
    return False


# inventories ---------------------------------------------------------------------------------------
def _framework(ctx: CheckContext, findings: list[Finding]) -> list[Evidence]:
    items = []
    for name, (apps, routes) in served_frameworks(ctx).items():
        items += [Evidence(e.path, e.line, f"{name} app {e.detail}") for e in apps]
        items += [Evidence(e.path, e.line, f"{name} route {e.detail}") for e in routes]
    return items


def _architecture(ctx: CheckContext, findings: list[Finding]) -> list[Evidence]:
    """Layer directories, imports that cross a layer boundary (``routes → services
    (app/services/x.py)``) and violations."""
    items = [Evidence(directory, 0, f"{layer} layer directory") for layer, (directory, _first) in layer_directories(ctx).items()]
    for path in sorted(ctx.files):
        layer = ctx.layer(path)
        if layer is None or not production(path):
            continue
        for edge in ctx.graph.out_edges(path):
            if edge.external:
                continue
            target = ctx.layer(edge.target)
            if target is not None and target.name != layer.name:
                items.append(Evidence(path, edge.span.line, f"{layer.name} → {target.name} ({edge.target})"))
    items += [Evidence(f.path, f.line, f"{f.rule} {f.message.split(';')[0][:110]}") for f in architecture_violations(ctx, findings)]
    return items


def _database(ctx: CheckContext, findings: list[Finding]) -> list[Evidence]:
    items = [Evidence(e.path, e.line, f"{engine}: {e.detail}") for engine, found in database_evidence(ctx).items() for e in found]
    schema = schema_creation(ctx)
    if schema is not None:
        items.append(Evidence(schema.path, schema.line, f"schema: {schema.detail}"))
    return items


def _orm(ctx: CheckContext, findings: list[Finding]) -> list[Evidence]:
    data = ctx.datalayer
    items = [Evidence(m.path, m.span.line, f"{m.stack} model {m.name}") for m in data.models.values() if production(m.path)]
    items += [Evidence(a.path, a.span.line, f"{a.stack} {a.category} {a.callee}(…)") for a in data.accesses
              if a.category in ("query", "write") and production(a.path)]
    return items


_GATHERERS: dict[str, Callable[[CheckContext, list[Finding]], list[Evidence]]] = {
    "framework": _framework, "architecture": _architecture, "database": _database, "orm": _orm,
}
