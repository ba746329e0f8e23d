"""The helpers TypeScript emits into compiled JavaScript (``__decorate``, ``__extends``, ``__importDefault``),
as the JS frontends read them: the ``[[names]]`` table of ``reader = "adapters.frontends.ts_helpers"`` in
``rules/knowledge/frameworks.toml``."""

from __future__ import annotations

from functools import cache

from archlint.adapters.knowledge import load_knowledge
from archlint.domain.records import NamedTuple


class Known(NamedTuple):
    decorate: frozenset  # `__decorate([…], C.prototype, "m", void 0)` / `C = __decorate([…], C)`
    extends: frozenset  # `__extends(C, _super)`: C is a subclass
    import_default: frozenset  # `__importDefault(require("./a"))`: the module itself


def _known(table: dict) -> Known:
    return Known(frozenset(table["decorate_helpers"]), frozenset(table["extends_helpers"]),
                 frozenset(table["import_default_helpers"]))


@cache
def ts_helpers() -> Known:
    return load_knowledge().view("adapters.frontends.ts_helpers", _known)
