"""A literal table of project functions (label-studio's ``ANNOTATED_FIELDS``: 8 annotate functions iterated
by ``.items()`` or picked by ``COUNTERS[name]``) stays known past ``MAX_UNION`` so each is followed; an
ordinary join of that many functions does not — effect's overloads and curried helpers, each followed, cost
its check a third more CPU (24 → 32 s) when every join of functions kept 16."""

from archlint.semantics import values as v


def _functions(n: int) -> list:
    return [v.Function("app/annotations.py", fid) for fid in range(n)]


def test_a_table_of_eight_functions_is_their_union_and_joins_with_itself():
    table = v.function_table(_functions(8))
    assert type(table) is v.Union and len(table.options) == 8
    assert v.join(table, v.function_table(_functions(8))) == table  # a loop's back edge keeps it
    assert type(v.strip(v.join(table, _functions(9)[8]))) is v.Union  # one more function: still a table


def test_an_ordinary_join_of_five_functions_is_unknown():
    joined = None
    for function in _functions(5):
        joined = v.join(joined, function)
    assert type(v.strip(joined)) is v.Unknown


def test_a_table_with_anything_but_functions_joins_as_usual():
    assert type(v.strip(v.function_table(_functions(6) + [v.Const("x")]))) is v.Unknown
    assert type(v.strip(v.function_table(_functions(17)))) is v.Unknown
