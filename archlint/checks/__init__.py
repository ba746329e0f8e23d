"""Checks: one module per rule family, each a pure function ``check(ctx) -> Iterable[Finding]``.

Adding a family means adding a module here and its rules to ``rules/catalogue/``.  Each family
says which rules it reports and whether it reads file *bodies* (calls, assignments, strings —
the deep pass) or only heads (imports, problems): the pipeline runs a family only when one of
its rules is selected, and extracts bodies only when such a family runs
(``tests/test_pipeline_needs.py`` keeps the rule lists true to the modules).
"""

from typing import NamedTuple

from archlint.checks import (
    cycles,
    db_access,
    framework,
    injection,
    layering,
    parse,
    performance,
    sequelize,
    sql,
    sqlalchemy,
    sqlalchemy_loading,
    stack,
)


class Family(NamedTuple):
    check: object  # Callable[[CheckContext], Iterable[Finding]]
    rules: tuple[str, ...]
    bodies: bool  # reads FileBody facts (and the data layer derived from them)


FAMILIES = (
    Family(parse.check, ("AL001", "AL002", "AL003", "AL004"), bodies=False),
    Family(layering.check, ("AL101", "AL102", "AL103", "AL106", "AL107", "AL108"), bodies=False),
    Family(cycles.check, ("AL104", "AL105"), bodies=False),
    Family(db_access.check, ("AL301", "AL302", "AL303", "AL304"), bodies=True),
    Family(sqlalchemy.check, ("AL201", "AL202", "AL203", "AL204", "AL205", "AL206", "AL207", "AL210"), bodies=True),
    Family(sqlalchemy_loading.check, ("AL208", "AL209", "AL218", "AL603"), bodies=True),
    Family(sequelize.check, ("AL211", "AL212", "AL213", "AL214", "AL215", "AL216", "AL217"), bodies=True),
    Family(injection.check, ("AL501",), bodies=True),
    Family(
        sql.check,
        ("AL401", "AL402", "AL403", "AL404", "AL405", "AL406", "AL407", "AL408", "AL409", "AL410", "AL411",
         "AL412", "AL413", "AL414", "AL502", "AL503"),
        bodies=True,
    ),
    Family(performance.check, ("AL601", "AL602"), bodies=True),
    Family(stack.check, ("AL701", "AL702"), bodies=True),
    Family(framework.check, ("AL801",), bodies=True),
)

ALL_CHECKS = tuple(family.check for family in FAMILIES)
