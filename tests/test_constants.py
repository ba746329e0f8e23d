"""Constant folding (archlint/domain/constants.py) on facts the real frontends extract, and the
dynamic imports it resolves."""

from __future__ import annotations

import textwrap

import pytest

from archlint.adapters.frontends import javascript, python
from archlint.adapters.knowledge import load_knowledge
from archlint.domain.constants import CONSTANT, DERIVED, QUOTED, UNKNOWN, ConstantFolder, value_functions
from archlint.domain.expressions import parse
from archlint.domain.facts import DYNAMIC, OPAQUE

PY_SOURCE = textwrap.dedent(
    """
    import enum
    from django.conf import settings
    from psycopg2 import sql

    TABLE = "articles"
    COLUMNS = ["id", "title"]
    table = "articles"
    ORDERS = {"new": "created_at DESC", "old": "created_at"}


    class Status(enum.Enum):
        DRAFT = "draft"


    class Repo:
        view = "article_view"

        def __init__(self, conn, name):
            self.table = "articles"
            self.conn = conn
            self.name = name

        def run(self, ids, sort, request):
            placeholders = ",".join("?" * len(ids))
            marks = ", ".join(["%s"] * len(ids))
            gen = ", ".join("?" for _ in ids)
            cols = ", ".join(COLUMNS)
            order = ORDERS.get(sort, "created_at")
            keys = ", ".join(f"{k} = ?" for k in request.json)
            offset = (int(request.args["page"]) - 1) * 20
            limit = min(int(request.args.get("limit", 20)), 100)
            local = "tags"
            for i in range(1, 5):
                self.conn.execute(f"UPDATE t SET rank = {i}")
            for name in ["tags", "comments"]:
                self.conn.execute(f"DELETE FROM {name}")
            for n, row in enumerate(ids):
                self.conn.execute(f"SELECT {n}, {row}")
            return self.conn.execute("")


    for i in range(3):
        conn.execute(f"SELECT {i}")


    def quoted(cur, name):
        cur.execute(sql.SQL("SELECT id FROM {}").format(sql.Identifier(name)))
    """
)


@pytest.fixture(scope="module")
def py_folder():
    facts = python.extract("app/repo.py", PY_SOURCE.encode())
    return ConstantFolder(facts, value_functions(load_knowledge()))


def _line(source: str, needle: str) -> int:
    return next(i for i, line in enumerate(source.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    "expression, scope, needle, kind",
    [
        ("TABLE", "Repo.run", None, CONSTANT),
        ("table", "Repo.run", None, CONSTANT),  # a lower-case module constant, read in a function
        ("table", "", None, CONSTANT),  # ... and at module level: the same answer
        ("self.table", "Repo.run", None, CONSTANT),
        ("self.view", "Repo.run", None, CONSTANT),  # class attribute
        ("self.name", "Repo.run", None, UNKNOWN),  # set from a constructor parameter
        ("Status.DRAFT.value", "Repo.run", None, CONSTANT),
        ("placeholders", "Repo.run", None, DERIVED),
        ("marks", "Repo.run", None, DERIVED),
        ("gen", "Repo.run", None, DERIVED),
        ("cols", "Repo.run", None, CONSTANT),
        ("order", "Repo.run", None, CONSTANT),  # a lookup in a constant allow-list
        ("keys", "Repo.run", None, UNKNOWN),  # column names from the request body
        ("limit", "Repo.run", None, DERIVED),
        ("offset", "Repo.run", None, DERIVED),
        ("local", "Repo.run", None, CONSTANT),
        ("i", "Repo.run", "UPDATE t SET rank", DERIVED),  # for i in range(1, 5)
        ("name", "Repo.run", "DELETE FROM {name}", CONSTANT),  # for name in ["tags", "comments"]
        ("n", "Repo.run", "SELECT {n}, {row}", DERIVED),  # enumerate's index
        ("row", "Repo.run", "SELECT {n}, {row}", UNKNOWN),  # ... its element: a parameter's
        ("i", "", "SELECT {i}", DERIVED),  # a module-level loop behaves like a function-level one
        ("sort", "Repo.run", None, UNKNOWN),  # a parameter
        ("request.args['sort']", "Repo.run", None, UNKNOWN),
        # Django's request data is UPPER_CASE: on a parameter or through `self.request` it is the
        # client's input, not a constant by convention (it was folded CONSTANT: AL502 missed it)
        ("request.GET.get('q', '')", "Repo.run", None, UNKNOWN),
        ("request.POST['title']", "Repo.run", None, UNKNOWN),
        ("self.request.GET.get('q')", "Repo.run", None, UNKNOWN),
        ("settings.TABLE_PREFIX", "Repo.run", None, CONSTANT),  # a module's setting keeps the convention
        ("sql.Identifier(name)", "quoted", None, QUOTED),
        ("name", "quoted", None, UNKNOWN),
    ],
)
def test_python_folding(py_folder, expression, scope, needle, kind):
    at = (_line(PY_SOURCE, needle), 30) if needle else None
    assert py_folder.fold(expression, scope, at).kind == kind


def test_loop_variables_keep_their_values(py_folder):
    at = (_line(PY_SOURCE, "DELETE FROM {name}"), 30)
    assert py_folder.fold("name", "Repo.run", at).values == ("tags", "comments")
    # outside the loop the name is the method's other binding (none here): not the loop's values
    assert py_folder.fold("name", "Repo.run", (_line(PY_SOURCE, "return self.conn"), 10)).kind == UNKNOWN


JS_SOURCE = textwrap.dedent(
    """
    const path = require('path');
    const TABLES = Object.freeze({ users: 'users' });
    const target = './routes/users.js';
    class Repo {
      table = 'articles';
      constructor(pool) { this.pool = pool; this.view = 'article_view'; }
      async byIds(ids, req) {
        const marks = ids.map(() => '?').join(', ');
        const numbered = ids.map((_, i) => `$${i + 1}`).join(', ');
        const filled = new Array(ids.length).fill('?').join(',');
        const fromLength = Array.from({ length: ids.length }, (_, i) => `$${i + 1}`).join(', ');
        const cols = Object.keys(req.body).join(', ');
        const page = (req.query.page - 1) * 20;
        return this.pool.query(`SELECT 1`);
      }
    }
    for (const m of ['users', 'articles']) require('./routes/' + m);
    for (const m of ['users']) require(path.join(__dirname, 'routes', m));
    for (const f of require('fs').readdirSync(__dirname)) require(path.join(__dirname, f));
    import(target);
    require(process.env.PLUGIN);
    """
)


@pytest.mark.parametrize(
    "expression, kind",
    [
        ("this.table", CONSTANT),
        ("this.view", CONSTANT),
        ("this.pool", UNKNOWN),
        ("TABLES.users", CONSTANT),
        ("marks", DERIVED),
        ("numbered", DERIVED),
        ("filled", DERIVED),
        ("fromLength", DERIVED),
        ("cols", UNKNOWN),  # column names from the request body
        ("page", DERIVED),  # JS arithmetic other than + is a number
        ("req.query.sort", UNKNOWN),
        ("pg.escapeIdentifier(req.query.sort)", QUOTED),
        ("knex.ref(req.query.sort)", QUOTED),
        ("this.formatter.wrap(this.single.returning)", QUOTED),  # knex compiler API (custom dialects)
        ("this.client.parameterize(values, undefined, builder, holder)", QUOTED),
    ],
)
def test_javascript_folding(expression, kind):
    facts = javascript.extract("src/repo.js", JS_SOURCE.encode(), "javascript")
    folder = ConstantFolder(facts, value_functions(load_knowledge()))
    assert folder.fold(expression, "Repo.byIds").kind == kind


def test_dynamic_imports_over_constants_become_edges_and_the_rest_stay_opaque():
    facts = javascript.extract("src/app.js", JS_SOURCE.encode(), "javascript")
    dynamic = sorted(i.module for i in facts.imports if i.kind == DYNAMIC)
    opaque = sorted(i.module for i in facts.imports if i.kind == OPAQUE)
    assert dynamic == ["./routes/articles", "./routes/users", "./routes/users", "./routes/users.js"]
    assert opaque == ["path.join(__dirname, f)", "process.env.PLUGIN"]


def test_python_dynamic_imports_resolve_relative_to_the_package():
    source = textwrap.dedent(
        """
        import importlib
        import os
        HANDLERS = ("users", "articles")
        def setup(app):
            for name in HANDLERS:
                importlib.import_module("." + name, __name__)
            for name in ["tags"]:
                importlib.import_module(f"{__name__}.{name}")
                importlib.import_module("." + name, "app.api")
            importlib.import_module(os.environ["PLUGIN"])
        """
    )
    facts = python.extract("app/handlers/__init__.py", source.encode())
    found = sorted((i.module, i.level, i.kind) for i in facts.imports if i.kind in (DYNAMIC, OPAQUE))
    assert found == [
        ("app.api.tags", 0, DYNAMIC),
        ("articles", 1, DYNAMIC),
        ('os.environ["PLUGIN"]', 0, OPAQUE),
        ("tags", 1, DYNAMIC),
        ("users", 1, DYNAMIC),
    ]


@pytest.mark.parametrize(
    "text, language",
    [
        ('f"{a!r:>{w}} {{x}} {b}"', "python"),
        ("`a ${b ? `x${c}` : 'y'} d`", "javascript"),
        ("items.filter(x => x.ok).map(({ id }) => id)", "javascript"),
        ("{**base, 'k': [1, 2][0]}", "python"),
        ("lambda *a, **k: (yield)", "python"),
    ],
)
def test_the_expression_parser_reads_odd_shapes_and_never_raises(text, language):
    assert parse(text, language) != ("unknown",)
    for end in range(len(text)):  # every truncation (facts cut long values) is unknown or a tree
        assert isinstance(parse(text[:end], language), tuple)


def test_names_outside_ascii_are_names_and_the_class_matches_its_spelled_out_form():
    """``_NAME`` is spelled as a cheap negated class (the literal one cost ~7 ms to compile per start);
    over the whole Basic Multilingual Plane it must match exactly what the literal class matched."""
    import re

    from archlint.domain import expressions

    literal = re.compile(r"[A-Za-z_$\u00c0-\uffff][\w$\u00c0-\uffff]*")
    for code in range(0x10000):
        for text in (chr(code) + "a", "a" + chr(code) + "b"):
            want, got = literal.match(text), expressions._NAME.match(text)
            assert (want and want.group()) == (got and got.group()), hex(code)
    assert parse("café.prénom(x)") == ("call", ("attr", ("name", "café"), "prénom"), (("name", "x"),), ())
    assert parse("$scope.name", "javascript") == ("attr", ("name", "$scope"), "name")


FILLED_SOURCE = textwrap.dedent(
    """
    class Runner {
      async loadTables(pool) {
        const dbTables = [];
        dbTables.push(...(await pool.query('SELECT TABLE_NAME, TABLE_SCHEMA FROM TABLES')));
        const fromRows = dbTables.map((t) => `'${t.TABLE_NAME}'`).join(' OR ');
        const destructured = dbTables.map(({ TABLE_NAME, TABLE_SCHEMA }) => `'${TABLE_SCHEMA}.${TABLE_NAME}'`).join(' OR ');
        const columns = [];
        columns.push('id');
        columns.push('title');
        const fixed = columns.map((c) => `"${c}"`).join(', ');
        const pairs = [{ NAME: 'a', KIND: 'b' }].map(({ NAME, KIND }) => `${NAME} ${KIND}`).join(', ');
        const numbered = dbTables.map((t, i) => `$${i + 1}`).join(', ');
        return [fromRows, destructured, fixed, pairs, numbered];
      }
    }
    """
)


@pytest.mark.parametrize(
    "expression, kind",
    [
        ("fromRows", UNKNOWN),  # `[]` filled in place with query rows: their text
        ("destructured", UNKNOWN),  # fields of those rows, UPPER_CASE or not
        ("fixed", DERIVED),  # filled with constants: constant text, how many known at runtime
        ("pairs", CONSTANT),  # fields of constant objects
        ("numbered", DERIVED),  # the index of (row, i), not a field
    ],
)
def test_lists_filled_in_place_and_destructured_callback_parameters(expression, kind):
    """typeorm's MysqlQueryRunner.loadTables: ``const dbTables = []`` filled by ``push(...(await query))``, then
    ``dbTables.map(({ TABLE_NAME, TABLE_SCHEMA }) => …).join(" OR ")`` spliced into SQL — the list is not the
    empty constant it was bound to, and the destructured names are the rows' fields."""
    from archlint.application.parsing import extract

    facts = extract("src/runner.js", FILLED_SOURCE.encode(), "javascript", full=True, ir=True)
    folder = ConstantFolder(facts, value_functions(load_knowledge()))
    assert folder.fold(expression, "Runner.loadTables", (15, 1)).kind == kind
