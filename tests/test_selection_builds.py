"""What a rule selection builds: the union of what its rules read (``archlint.checks.Family.reads``).

Counted, not timed: the data-layer plan, the semantic model and its analyses of record are builders
the test wraps.  A selection whose rules read only the import graph and the head facts builds none of
them (``verify`` may still build the model from the returned context afterwards, on first read),
and reports exactly the findings a full check reports for those rules."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from archlint.application import pipeline, semantic_model
from archlint.application.pipeline import Options, run_check
from archlint.semantics.program import Program

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
LAYERS = tuple(f"AL1{n:02d}" for n in range(1, 11))  # AL101…AL110, "AL1xx"
HEAD_SELECTIONS = [("AL702",), ("layering",), LAYERS, ("AL104", "AL105", "AL001")]


@pytest.fixture
def built(monkeypatch):
    """How many times each builder ran."""
    counts = {"plan": 0, "model": 0, "analyses": 0}

    def counting(name, function):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return function(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(pipeline, "plan_deep", counting("plan", pipeline.plan_deep))
    monkeypatch.setattr(semantic_model, "build_program", counting("model", semantic_model.build_program))
    monkeypatch.setattr(Program, "_analyse_reached", counting("analyses", Program._analyse_reached))
    return counts


def _conduit(tmp_path: Path) -> Path:
    """The benchmark's generated Conduit backend (FastAPI + SQLAlchemy, four layers)."""
    spec = importlib.util.spec_from_file_location("bench_conduit", ROOT / "bench" / "conduit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_conduit(tmp_path / "conduit-app")
    return tmp_path / "conduit-app"


def _run(root: Path, select=()):
    return run_check([str(root)], Options(use_cache=False, jobs=1, select=tuple(select)))


def _keys(findings):
    return [f.to_dict() for f in findings]


@pytest.mark.parametrize("select", HEAD_SELECTIONS, ids=lambda s: ",".join(s)[:20])
def test_a_selection_reading_only_heads_builds_no_model(tmp_path, built, select):
    _run(_conduit(tmp_path), select)
    assert built == {"plan": 0, "model": 0, "analyses": 0}


def test_a_data_layer_rule_builds_the_model_once(tmp_path, built):
    report = _run(_conduit(tmp_path), ("AL301", "AL702"))
    assert built == {"plan": 1, "model": 1, "analyses": 1}
    assert any(f.rule == "AL301" for f in report.findings)


def test_al702_reads_the_model_only_where_a_package_json_declares_dependencies(built):
    """The Sequelize `dialect` option is a value the model reads: with a package.json it is built."""
    python = _run(FIXTURES / "stack-python-bugs", ("AL702",))
    assert built["model"] == 0 and any(f.rule == "AL702" for f in python.findings)
    node = _run(FIXTURES / "stack-node-bugs", ("AL702",))
    assert built["model"] == 1
    assert any(f.rule == "AL702" and f.path == "src/db.js" and f.line == 3 for f in node.findings)


@pytest.mark.parametrize("tree", ["conduit", "flask-violations", "express-violations", "django-violations",
                                  "stack-python-bugs", "stack-node-bugs"])
def test_a_selection_reports_what_the_full_check_reports_for_its_rules(tmp_path, tree):
    root = _conduit(tmp_path) if tree == "conduit" else FIXTURES / tree
    full = _run(root).findings
    for select in HEAD_SELECTIONS + [("AL701", "AL702"), ("AL301",)]:
        chosen = set(select)
        wanted = [f for f in full if {f.rule, f.name, f.category} & chosen]
        assert _keys(_run(root, select).findings) == _keys(wanted), select


# What a run imports, asked of a fresh interpreter (this one has imported everything by now).
_IMPORTED = """
import sys
from archlint.application import parsing
from archlint.application.pipeline import Options, run_check

pools = []
start = parsing.Workers._pool
parsing.Workers._pool = lambda self, batches: pools.append(batches) or start(self, batches)
run_check([sys.argv[1]], Options(use_cache=False, jobs=2, select=tuple(sys.argv[2:])))
print(" ".join(sorted(name for name in sys.modules if name.split(".")[0] in ("sqlglot", "tree_sitter", "concurrent", "multiprocessing")
                      or name.startswith("archlint.semantics"))))
print(len(pools))
"""


def _imported(root: Path, select=()) -> tuple[set[str], int]:
    """The heavy modules a run loads (sqlglot, tree-sitter, the process pool, the semantic model),
    and how many times it started a process pool."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _IMPORTED, str(root), *select], capture_output=True, text=True, check=True,
                          cwd=ROOT)
    modules, pools = done.stdout.splitlines()[-2:]
    return set(modules.split()), int(pools)


def test_a_layers_only_run_of_a_small_app_loads_no_parser_no_sql_and_no_pool(tmp_path):
    """The Conduit app's imports all come from the byte-level scanner: no tree-sitter, no semantic
    model, no sqlglot, and 51 files never start a process pool (two jobs asked for)."""
    modules, pools = _imported(_conduit(tmp_path), ("layering",))
    assert modules == set() and pools == 0


def test_a_full_check_loads_sqlglot_only_for_sql(tmp_path):
    """A tree with no database code is analysed without sqlglot (~0.1 s to import); the Conduit
    app's SQLAlchemy queries are lifted to sqlglot trees, so there it is loaded.  Neither starts a pool."""
    plain = tmp_path / "plain"
    for path, text in {"app/api/views.py": "from app.core import util\n\n\ndef handler(x):\n    return util.double(x)\n",
                       "app/core/util.py": "def double(x):\n    return 2 * x\n"}.items():
        (plain / path).parent.mkdir(parents=True, exist_ok=True)
        (plain / path).write_text(text)
    modules, pools = _imported(plain)
    assert not any(name.startswith("sqlglot") for name in modules) and pools == 0
    assert "archlint.semantics.program" in modules  # the model was built: the test would prove nothing otherwise
    modules, pools = _imported(_conduit(tmp_path))
    assert "sqlglot" in modules and pools == 0
