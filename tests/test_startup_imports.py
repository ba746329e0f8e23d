"""What a small repo's check loads (issue 11, small repos and pre-commit): no timing, only which
modules a run imports — each one costs start-up time whether it is used or not."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"

_PROBE = """
import io, json, sys, contextlib
from archlint.cli.main import cli
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        cli.main(sys.argv[1:], prog_name="archlint", standalone_mode=False)
    except SystemExit:
        pass
print(json.dumps({"modules": sorted(sys.modules), "report": out.getvalue()}))
"""


def _run(*args: str) -> tuple[set[str], dict]:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-c", _PROBE, "check", *args, "--format", "json"], capture_output=True,
                          text=True, env=env, cwd=str(REPO.parent), timeout=120)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout.splitlines()[-1])
    return set(data["modules"]), json.loads(data["report"])


def test_a_sqlalchemy_project_loads_only_the_sqlalchemy_lifter(tmp_path):
    modules, report = _run(str(FIXTURES / "builders-sqlalchemy-bugs"), "--no-cache")
    assert report["findings"], "the lifted queries are still judged"
    assert "archlint.semantics.builders.sqlalchemy" in modules
    for other in ("django", "knex", "sequelize", "typeorm", "prisma", "drizzle"):
        assert f"archlint.semantics.builders.{other}" not in modules


def test_a_js_project_loads_its_own_lifter(tmp_path):
    modules, report = _run(str(FIXTURES / "builders-knex-bugs"), "--no-cache")
    assert report["findings"]
    assert "archlint.semantics.builders.knex" in modules


def test_grammars_load_without_their_packages_init():
    """The tree-sitter grammar packages' __init__ imports importlib.resources (tempfile, shutil,
    random…) for highlight queries archlint never reads: the compiled binding is loaded alone."""
    from archlint.adapters.frontends.grammars import binding

    python = binding("tree_sitter_python")
    assert callable(python.language)
    typescript = binding("tree_sitter_typescript")
    assert callable(typescript.language_tsx) and callable(typescript.language_typescript)
    assert callable(binding("tree_sitter_javascript").language)
    import tree_sitter_python  # the package imported the ordinary way reuses the loaded binding

    assert tree_sitter_python.language is python.language


def test_a_warm_run_of_an_unchanged_tree_loads_no_graph_or_semantic_model(tmp_path):
    cache = tmp_path / "cache"
    tree = FIXTURES / "builders-sqlalchemy-bugs"
    _, cold = _run(str(tree), "--cache-dir", str(cache))
    modules, warm = _run(str(tree), "--cache-dir", str(cache))
    assert warm["findings"] == cold["findings"]
    for module in ("archlint.application.graph_builder", "archlint.application.semantic_model", "archlint.semantics.program",
                   "archlint.domain.context", "sqlglot", "tree_sitter", "hashlib"):
        assert module not in modules, module


def test_a_tree_without_manifests_never_loads_the_manifest_readers(tmp_path):
    """Discovery decides a manifest from its name (archlint.toml, notes.txt are none): the readers
    (tomllib, a dozen regexes) and js_config load only when a manifest is there to read."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("import os\n")
    (tmp_path / "notes.txt").write_text("not a requirements file\n")
    (tmp_path / "archlint.toml").write_text("")
    modules, report = _run(str(tmp_path), "--no-cache", "--select", "layering")
    assert report["stats"]["files"] == 1
    assert "archlint.adapters.manifests" not in modules
    assert "archlint.adapters.js_config" not in modules
    (tmp_path / "requirements.txt").write_text("sqlalchemy==2.0\n")
    modules, _ = _run(str(tmp_path), "--no-cache", "--select", "layering")
    assert "archlint.adapters.manifests" in modules  # the look-alike: a manifest is read


def _fresh(code: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=str(REPO.parent), timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_select_without_where_is_no_lookup_and_loads_no_sql_parser():
    """``text("SELECT COUNT(*) FROM articles")``: no WHERE keyword, so no WHERE clause — judged without
    parsing (sqlglot costs ~50 ms to import); a lookup with a WHERE is still parsed and read."""
    out = _fresh(
        "import sys\nfrom archlint.semantics.raw_lookups import lookup_table\n"
        "print(repr(lookup_table('SELECT COUNT(*) FROM articles')), repr(lookup_table('select * from tags')), 'sqlglot' in sys.modules)\n"
        "print(repr(lookup_table('SELECT slug FROM articles where slug = ?')), 'sqlglot' in sys.modules)"
    )
    assert out.splitlines() == ["'' '' False", "'articles' True"]


def test_lazy_patterns_compile_on_first_use_and_match_like_compiled_ones():
    from archlint.domain.lazy_regex import LazyPattern, lazy_compile

    lazy = lazy_compile(r"(?P<word>[a-z]+)(\d*)", re.IGNORECASE)
    with pytest.raises(AttributeError):
        object.__getattribute__(lazy, "match")  # nothing compiled yet
    eager = re.compile(r"(?P<word>[a-z]+)(\d*)", re.IGNORECASE)
    text = "Abc12 de f3"
    assert lazy.match(text).groups() == eager.match(text).groups()
    assert object.__getattribute__(lazy, "match") is not None  # compiled once, kept in the slot
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in eager.finditer(text)]
    assert lazy.sub("-", text) == eager.sub("-", text) and lazy.split(text) == eager.split(text)
    assert lazy.findall(text) == eager.findall(text) and lazy.fullmatch("ab1").group("word") == "ab"
    assert (lazy.pattern, lazy.flags, lazy.groups, lazy.groupindex) == (eager.pattern, eager.flags, eager.groups, eager.groupindex)
    assert isinstance(lazy, LazyPattern)
    with pytest.raises(AttributeError):
        lazy.no_such_method  # noqa: B018


def test_importing_the_frontends_compiles_none_of_their_rarely_used_patterns():
    """The import scanner's patterns (the layers-only path) and the SQL-text ones are compiled
    when first used, not on every start."""
    out = _fresh(
        "import archlint.adapters.frontends.scanner as s, archlint.checks.sql.statement_rules as r\n"
        "from archlint.domain.lazy_regex import LazyPattern\n"
        "lazy = [p for m in (s, r) for p in vars(m).values() if isinstance(p, LazyPattern)]\n"
        "def compiled(p):\n"
        "    try:\n        object.__getattribute__(p, 'match')\n    except AttributeError:\n        return False\n    return True\n"
        "print(len(lazy), sum(map(compiled, lazy)))"
    )
    count, compiled = map(int, out.split())
    assert count >= 15 and compiled == 0


def test_every_dataclass_has_a_docstring():
    """A dataclass without a docstring gets one made from ``inspect.signature`` when the class is
    created (34 of them on the cold check of a 51-file app had none)."""
    import ast

    missing = []
    for path in sorted((REPO / "archlint").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "dataclass" not in text:
            continue  # no decorator below can start with it: the parse and walk are skipped (~4 of 5 files)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and ast.get_docstring(node) is None and any(
                    ast.unparse(d).startswith(("dataclass", "dataclasses.dataclass")) for d in node.decorator_list):
                missing.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name}")
    assert not missing, missing
