"""Checks: one module per rule family, each a pure function ``check(ctx) -> Iterable[Finding]``.

Adding a family means adding a module here and its rules to ``rules/catalogue/``.
"""

from archlint.checks import (
    cycles,
    db_access,
    framework,
    injection,
    layer_roles,
    layering,
    lifecycle,
    nullable_results,
    orm_semantics,
    ownership,
    parse,
    performance,
    request_writes,
    sequelize,
    sql,
    sqlalchemy,
    sqlalchemy_loading,
    stack,
    transactions,
)

ALL_CHECKS = (
    parse.check,
    layering.check,
    layer_roles.check,
    cycles.check,
    db_access.check,
    sqlalchemy.check,
    sqlalchemy_loading.check,
    sequelize.check,
    injection.check,
    sql.check,
    performance.check,
    transactions.check,
    nullable_results.check,
    request_writes.check,
    ownership.check,
    lifecycle.check,
    orm_semantics.check,
    stack.check,
    framework.check,
)
