"""Checks: one module per rule family, each a pure function ``check(ctx) -> Iterable[Finding]``.

Adding a family means adding a module here and its rules to ``rules/catalogue/``.  Each family
says which rules it reports and what they read (``reads``): only the head facts and the import graph
every run builds (``HEADS``), or also the semantic model (``MODEL``: the data-layer plan, the bodies
and IR of the files on a path to the database, and the analyses over them).  The pipeline runs a
family only when one of its rules is selected, and builds the model only when a selected rule reads
it (:func:`reads_model`); a family whose rules read different things runs only the selected rules'
part (``CheckContext.selected``).  ``tests/test_pipeline_needs.py`` keeps the rule lists true to the
modules and counts what a selection builds.
"""

from archlint.domain.records import NamedTuple


HEADS = "heads"  # every file's head facts (imports, names, classes, problems) and the import graph
MODEL = "model"  # and the semantic model: the data-layer plan, bodies and IR, the analyses of record
NPM_MODEL = "model of npm projects"  # MODEL when the tree has a package.json (npm dependencies), else HEADS


class Family(NamedTuple):
    module: str  # archlint.checks.<module>, imported only when one of its rules is selected
    rules: tuple[str, ...]
    reads: str  # HEADS or MODEL: what its rules read
    # runs only when another selected family reads the model: a layers-only run (`--select layering`)
    # stays a heads-only run, where this family's finer evidence is not looked for
    with_bodies_only: bool = False
    rule_reads: tuple[tuple[str, str], ...] = ()  # (rule, what it reads) where a rule reads less than ``reads``

    def reads_model(self, active, npm: bool) -> bool:
        """Whether the family, run for the ``active`` rules, reads the semantic model (``npm``: the
        tree has a package.json)."""
        levels = {dict(self.rule_reads).get(rule, self.reads) for rule in self.rules if rule in active}
        return MODEL in levels or (npm and NPM_MODEL in levels)

    @property
    def check(self):  # Callable[[CheckContext], Iterable[Finding]]
        return _load(self.module).check


FAMILIES = (
    Family("parse", ("AL001", "AL002", "AL003", "AL004"), reads=HEADS),
    Family("layering", ("AL101", "AL102", "AL103", "AL106", "AL107", "AL108"), reads=HEADS),
    Family("cycles", ("AL104", "AL105"), reads=HEADS),
    Family("layer_roles", ("AL109", "AL110"), reads=HEADS),
    Family("db_access", ("AL301", "AL302", "AL303", "AL304"), reads=MODEL),
    Family("container_layers", ("AL101", "AL102"), reads=MODEL, with_bodies_only=True),
    Family("persistence_ignorance", ("AL103",), reads=MODEL, with_bodies_only=True),
    Family("sqlalchemy", ("AL201", "AL202", "AL203", "AL204", "AL205", "AL206", "AL207", "AL210"), reads=MODEL),
    Family("sqlalchemy_loading", ("AL208", "AL209", "AL218", "AL235", "AL236"), reads=MODEL),
    Family("concurrent_sessions", ("AL237",), reads=MODEL),
    Family("sequelize", ("AL211", "AL212", "AL213", "AL214", "AL216", "AL217"), reads=MODEL),
    Family("injection", ("AL501",), reads=MODEL),
    Family(
        "sql",
        ("AL401", "AL402", "AL403", "AL404", "AL405", "AL406", "AL407", "AL408", "AL409", "AL410", "AL411",
         "AL412", "AL413", "AL414", "AL415", "AL416", "AL417", "AL418", "AL419", "AL420", "AL421", "AL502", "AL503"),
        reads=MODEL,
    ),
    Family("performance", ("AL601", "AL602", "AL603", "AL605"), reads=MODEL),
    Family("blocking_calls", ("AL604",), reads=MODEL),
    Family("transactions", ("AL215", "AL305", "AL306", "AL310"), reads=MODEL),
    Family("lost_update", ("AL311",), reads=MODEL),
    Family("nullable_results", ("AL220",), reads=MODEL),
    Family("request_writes", ("AL504",), reads=MODEL),
    Family("ownership", ("AL505",), reads=MODEL),
    Family("lifecycle", ("AL307", "AL308", "AL309", "AL312"), reads=MODEL),
    Family("collection_counting", ("AL232",), reads=MODEL),
    Family("sync_orm_in_async", ("AL233",), reads=MODEL),
    Family("missing_rows", ("AL234",), reads=MODEL),
    Family(
        "orm_semantics",
        ("AL221", "AL222", "AL223", "AL224", "AL225", "AL226", "AL227", "AL228", "AL229", "AL230", "AL231"),
        reads=MODEL,
    ),
    # AL702 reads the imports and the manifests, and the model only for the Sequelize `dialect` option
    # of a file whose package.json declares dependencies
    Family("stack", ("AL701", "AL702"), reads=MODEL, rule_reads=(("AL702", NPM_MODEL),)),
    Family("framework", ("AL801",), reads=MODEL),
    Family("web_quirks", ("AL802", "AL805", "AL806", "AL808"), reads=MODEL),
    Family("startup", ("AL703", "AL704", "AL706"), reads=MODEL),
    Family("awaits", ("AL809",), reads=MODEL),
    Family("async_handlers", ("AL807",), reads=MODEL),
    Family("auth_context", ("AL810",), reads=MODEL),
    Family("django_quirks", ("AL803", "AL804"), reads=MODEL),
    Family("contract", ("AL811", "AL812"), reads=MODEL),
    Family("contract_auth", ("AL813", "AL814"), reads=MODEL),
    Family("path_params", ("AL815",), reads=MODEL),
    Family("query_numbers", ("AL442",), reads=MODEL),
    Family("dialect_types", ("AL440",), reads=MODEL),
    Family("aware_datetimes", ("AL443",), reads=MODEL),
    Family("dialect_lookups", ("AL444",), reads=MODEL),
)


def _load(name: str):
    """The family's module, imported on first use (static imports, so archlint's own graph sees them)."""
    if name == "parse":
        from archlint.checks import parse as module
    elif name == "layering":
        from archlint.checks import layering as module
    elif name == "cycles":
        from archlint.checks import cycles as module
    elif name == "layer_roles":
        from archlint.checks import layer_roles as module
    elif name == "container_layers":
        from archlint.checks import container_layers as module
    elif name == "persistence_ignorance":
        from archlint.checks import persistence_ignorance as module
    elif name == "db_access":
        from archlint.checks import db_access as module
    elif name == "sqlalchemy":
        from archlint.checks import sqlalchemy as module
    elif name == "sqlalchemy_loading":
        from archlint.checks import sqlalchemy_loading as module
    elif name == "concurrent_sessions":
        from archlint.checks import concurrent_sessions as module
    elif name == "sequelize":
        from archlint.checks import sequelize as module
    elif name == "injection":
        from archlint.checks import injection as module
    elif name == "sql":
        from archlint.checks import sql as module
    elif name == "performance":
        from archlint.checks import performance as module
    elif name == "blocking_calls":
        from archlint.checks import blocking_calls as module
    elif name == "transactions":
        from archlint.checks import transactions as module
    elif name == "nullable_results":
        from archlint.checks import nullable_results as module
    elif name == "request_writes":
        from archlint.checks import request_writes as module
    elif name == "ownership":
        from archlint.checks import ownership as module
    elif name == "lifecycle":
        from archlint.checks import lifecycle as module
    elif name == "collection_counting":
        from archlint.checks import collection_counting as module
    elif name == "sync_orm_in_async":
        from archlint.checks import sync_orm_in_async as module
    elif name == "missing_rows":
        from archlint.checks import missing_rows as module
    elif name == "lost_update":
        from archlint.checks import lost_update as module
    elif name == "orm_semantics":
        from archlint.checks import orm_semantics as module
    elif name == "stack":
        from archlint.checks import stack as module
    elif name == "framework":
        from archlint.checks import framework as module
    elif name == "web_quirks":
        from archlint.checks import web_quirks as module
    elif name == "startup":
        from archlint.checks import startup as module
    elif name == "awaits":
        from archlint.checks import awaits as module
    elif name == "async_handlers":
        from archlint.checks import async_handlers as module
    elif name == "auth_context":
        from archlint.checks import auth_context as module
    elif name == "django_quirks":
        from archlint.checks import django_quirks as module
    elif name == "contract":
        from archlint.checks import contract as module
    elif name == "contract_auth":
        from archlint.checks import contract_auth as module
    elif name == "path_params":
        from archlint.checks import path_params as module
    elif name == "query_numbers":
        from archlint.checks import query_numbers as module
    elif name == "dialect_types":
        from archlint.checks import dialect_types as module
    elif name == "aware_datetimes":
        from archlint.checks import aware_datetimes as module
    elif name == "dialect_lookups":
        from archlint.checks import dialect_lookups as module
    else:
        raise KeyError(name)
    return module
