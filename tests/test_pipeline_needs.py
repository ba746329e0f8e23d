"""The pipeline runs only the rule families a selection needs, and builds bodies only for them."""

from __future__ import annotations

import re
from pathlib import Path

from archlint.adapters import knowledge
from archlint.application.pipeline import Options, run_check
from archlint.checks import FAMILIES
from helpers import make_repo

CHECKS = Path(__file__).resolve().parent.parent / "archlint" / "checks"


def test_families_list_exactly_the_rules_their_modules_report():
    for family in FAMILIES:
        module = CHECKS / f"{family.module}.py"
        sources = [module] if module.is_file() else sorted((CHECKS / family.module).glob("*.py"))
        reported = set()
        for source in sources:
            reported |= set(re.findall(r'"(AL\d{3})"', source.read_text()))
        if family.module == "parse":
            reported = {"AL001", "AL002", "AL003", "AL004"}  # it reports the frontends' problems
        assert reported == set(family.rules), family.module


def test_every_catalogue_rule_belongs_to_a_family_or_the_suppression_stage():
    registry = knowledge.load_registry()
    covered = {rule for family in FAMILIES for rule in family.rules} | {"AL901", "AL902", "AL903"}
    assert {spec.id for spec in registry} == covered


def _layered_app(tmp_path: Path) -> Path:
    for role, body in {
        "routes": "from app.services import users\nfrom app.models import db\n\ndef get():\n    return db.session.execute('SELECT 1')\n",
        "services": "from app.repositories import users\n",
        "repositories": "import sqlalchemy\nfrom app.models import db\nfrom app.routes import users as upward\nengine = sqlalchemy.create_engine('sqlite:///x.db')\n",
        "models": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n",
    }.items():
        (tmp_path / "app" / role).mkdir(parents=True)
        (tmp_path / "app" / role / "__init__.py").write_text("")
        (tmp_path / "app" / role / "users.py").write_text(body)
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "broken.py").write_text("def f(:\n    pass\n")
    return tmp_path


def test_select_layering_builds_no_bodies_and_parses_nothing(tmp_path):
    report = run_check([str(_layered_app(tmp_path))], Options(use_cache=False, select=("layering",)))
    python = [facts for facts in report.context.files.values() if facts.language == "python"]
    assert python and not any(facts.has_body for facts in python)
    assert not any(facts.syntax_checked for facts in python if facts.path != "app/broken.py" and facts.lines)
    assert report.context.deep is None
    assert {f.rule for f in report.findings} <= {"AL101", "AL102", "AL103", "AL104", "AL105", "AL106", "AL107", "AL108"}
    assert any(f.rule == "AL101" and f.path == "app/repositories/users.py" for f in report.findings)


def test_select_layering_reads_no_body_of_files_judged_by_their_names(tmp_path):
    """AL109 judges a Django app's ``models.py`` by its name; only one among helpers (``utils/``)
    needs its classes read.  Reading ``classes`` first extracted the body of every models.py of the
    saleor-sized tree in a layers-only run (105 parses, +40 % CPU)."""
    files = {
        "shop/__init__.py": "",
        "shop/models.py": "from django.db import models\n\n\nclass Order(models.Model):\n    pass\n",
        "shop/views.py": "from shop.models import Order\n",
        "shop/utils/__init__.py": "",
        "shop/utils/models.py": "def available_models(user):\n    return []\n",
    }
    make_repo(tmp_path, files)
    report = run_check([str(tmp_path)], Options(use_cache=False, select=("layering",)))
    bodies = sorted(path for path, facts in report.context.files.items() if facts.has_body)
    assert bodies == ["shop/utils/models.py"]


def test_full_check_extracts_only_the_data_layer_files(tmp_path):
    root = _layered_app(tmp_path)
    (root / "app" / "util.py").write_text("import os\n\ndef helper():\n    return os.getcwd()\n")
    report = run_check([str(root)], Options(use_cache=False))
    files = report.context.files
    assert report.context.deep >= {"app/repositories/users.py", "app/models/users.py", "app/routes/users.py"}
    assert not files["app/util.py"].has_body and files["app/util.py"].syntax_checked
    assert any(f.rule == "AL001" and f.path == "app/broken.py" for f in report.findings)


def _keys(report):
    return sorted((f.rule, f.path, f.line, f.column) for f in report.findings)


def test_cache_written_by_a_layers_only_run_serves_a_full_run(tmp_path):
    """A head cached without signals or a syntax verdict is completed, not trusted, later."""
    root = _layered_app(tmp_path / "repo")
    cache = str(tmp_path / "cache")
    cold = run_check([str(root)], Options(use_cache=False))
    run_check([str(root)], Options(cache_dir=cache, select=("layering",)))
    warm = run_check([str(root)], Options(cache_dir=cache))
    assert _keys(warm) == _keys(cold)
    assert any(rule == "AL001" for rule, *_ in _keys(warm))
    again = run_check([str(root)], Options(cache_dir=cache))  # bodies and verdicts now come from the pack
    assert _keys(again) == _keys(cold) and again.cache_hits == len(again.context.files)


def test_one_edited_file_is_redone_and_the_rest_comes_from_the_cache(tmp_path):
    root = _layered_app(tmp_path / "repo")
    cache = str(tmp_path / "cache")
    run_check([str(root)], Options(cache_dir=cache))
    edited = root / "app" / "services" / "users.py"
    edited.write_text(edited.read_text() + "from app.routes import users as upward_too\n")
    warm = run_check([str(root)], Options(cache_dir=cache))
    cold = run_check([str(root)], Options(use_cache=False))
    assert _keys(warm) == _keys(cold)
    assert any(f.path == "app/services/users.py" and f.rule == "AL101" for f in warm.findings)
    assert warm.cache_hits == len(warm.context.files) - 1


def test_scripts_without_imports_are_not_parsed_for_layers_only(tmp_path):
    root = _layered_app(tmp_path / "repo")
    static = root / "app" / "scripts"  # (under static/ with no package.json they are not even discovered)
    static.mkdir()
    (static / "widget.js").write_text("(function () {\n  var x = document.getElementById('a');\n  x.innerHTML = 'SELECT 1';\n})();\n")
    (static / "broken.js").write_text("function (\n")
    cache = str(tmp_path / "cache")
    layers = run_check([str(root)], Options(cache_dir=cache, select=("layering",)))
    widget = layers.context.files["app/scripts/widget.js"]
    assert not widget.has_body and widget.imports == [] and widget.signals is None
    with_syntax = run_check([str(root)], Options(use_cache=False, select=("layering", "AL001")))
    assert any(f.rule == "AL001" and f.path == "app/scripts/broken.js" for f in with_syntax.findings)
    full = run_check([str(root)], Options(cache_dir=cache))  # the cached inert head is not trusted for strings
    assert full.context.files["app/scripts/widget.js"].signals is not None
    assert _keys(full) == _keys(run_check([str(root)], Options(use_cache=False)))


def test_the_data_layer_of_a_layers_only_run_is_still_complete(tmp_path):
    """`verify` reads the data layer whatever the config selects: undecided signals are decided."""
    root = _layered_app(tmp_path)
    (root / "app" / "raw.py").write_text("def rows(cursor):\n    return cursor.execute('SELECT id FROM users')\n")
    layers = run_check([str(root)], Options(use_cache=False, select=("layering",)))
    full = run_check([str(root)], Options(use_cache=False))
    assert layers.context.files["app/raw.py"].signals is None
    assert "app/raw.py" in layers.context.datalayer.analysed
    assert layers.context.datalayer.analysed == full.context.datalayer.analysed


def test_a_module_imported_by_name_still_brings_its_model_users(tmp_path):
    """`from app import models` then `models.Article.objects.filter(...)`: the view is a data-layer file."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(
        "from django.db import models\n\n\nclass Article(models.Model):\n    title = models.CharField(max_length=9)\n"
    )
    (tmp_path / "app" / "views.py").write_text(
        "from app import models\n\n\ndef titles():\n    return [a.title for a in models.Article.objects.all()]\n"
    )
    (tmp_path / "app" / "migrations").mkdir()
    (tmp_path / "app" / "migrations" / "0001_initial.py").write_text(
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    operations = []\n"
    )
    report = run_check([str(tmp_path)], Options(use_cache=False))
    assert "app/views.py" in report.context.deep
    assert "app/migrations/0001_initial.py" not in report.context.deep  # describes tables, holds no SQL


def test_a_deep_test_file_gets_its_body_but_its_ir_only_on_demand(tmp_path):
    """Tests are read for their body facts (a conftest's ``create_all`` decides AL304) but the
    semantic model never starts from them: the deep pass lowers no IR for them, and a cached run
    that then needs it gets the same findings."""
    root = _layered_app(tmp_path / "repo")
    (root / "tests").mkdir()
    (root / "tests" / "conftest.py").write_text(
        "from sqlalchemy import create_engine\nfrom app.models.users import Base\n\n\n"
        "def setup_db():\n    engine = create_engine('sqlite://')\n    Base.metadata.create_all(engine)\n"
    )
    report = run_check([str(root)], Options(use_cache=False))
    files = report.context.files
    assert "tests/conftest.py" in report.context.deep
    assert files["tests/conftest.py"].has_body and not files["tests/conftest.py"].has_ir
    assert files["app/repositories/users.py"].has_ir  # production data-layer files are lowered in the same parse
    assert files["tests/conftest.py"].ir is not None  # still there for whoever asks
    cache = str(tmp_path / "cache")
    run_check([str(root)], Options(cache_dir=cache))
    warm = run_check([str(root)], Options(cache_dir=cache))
    assert _keys(warm) == _keys(report)


def test_a_scan_shared_with_the_pool_yields_the_heads_of_a_serial_scan(monkeypatch):
    """Large trees split the byte-level scan between this process and the pool: the heads
    (imports with kinds and spans, suppressions, signals, deferred files) must not change.
    archlint's own package is the tree (200 files, a forced split)."""
    from archlint.adapters.discovery import discover
    from archlint.application import parsing

    root = str(Path(parsing.__file__).resolve().parents[1])
    sources = discover(root, [root], [], True).sources

    def heads(jobs: int, signals: bool):
        with parsing.Workers(jobs) as workers:
            files, _hits, _sizes = parsing.scan_sources(sources, None, workers, signals=signals)
            return {path: (facts.imports, facts.suppressions, facts.signals, facts.lines) for path, facts in files.items()}

    serial = heads(1, True), heads(1, False)
    monkeypatch.setattr(parsing, "PARALLEL_SCAN_FILES", 1)
    monkeypatch.setattr(parsing, "PARALLEL_LEAN_SCAN_FILES", 1)
    with parsing.Workers(2) as workers:
        if workers.jobs < 2:
            import pytest

            pytest.skip("one CPU: the scan is never shared")
    assert (heads(2, True), heads(2, False)) == serial
    assert any(facts[0] for facts in serial[0].values())


def test_django_models_no_migration_creates_are_named_plainly(tmp_path):
    """AL304 on a Django app with models and no migrations: one finding on the first model, naming
    the stack as a noun ("2 Django ORM model(s)", not "2 the Django ORM model(s))."""
    files = {
        "requirements.txt": "django\n",
        "blog/__init__.py": "",
        "blog/models.py": "from django.db import models\n\n\nclass Tag(models.Model):\n    name = models.CharField(max_length=9)\n\n\n"
                          "class Post(models.Model):\n    tags = models.ManyToManyField(Tag)\n",
        "blog/views.py": "from blog.models import Post\n\n\ndef index(request):\n    return list(Post.objects.all())\n",
    }
    make_repo(tmp_path, files)
    found = [f for f in run_check([str(tmp_path)], Options(use_cache=False)).findings if f.rule == "AL304"]
    assert [(f.path, f.line) for f in found] == [("blog/models.py", 4)]
    assert found[0].message.startswith("2 Django ORM model(s) are defined"), found[0].message


def test_the_scan_shares_balance_the_files_handed_to_the_frontend():
    """A file naming a dynamic importer likely costs a parse and constant folding (~20x the
    byte-level scan): the shares are dealt by expected cost, so two such files never land in one
    share while the other holds only cheap ones of the same total size."""
    from archlint.adapters.discovery import SourceFile
    from archlint.application.parsing import _shares

    def source(name: str) -> SourceFile:
        return SourceFile(name, "/nowhere/" + name, "python")

    # by size alone (largest first, dealt in turn) both dynamic files would share one lane
    scans = [(source("plain1.py"), b"x" * 1010), (source("plain2.py"), b"x" * 995),
             (source("dyn1.py"), b"import_module(x)" + b"x" * 984), (source("dyn2.py"), b"__import__(x)" + b"x" * 977)]
    shares = _shares(scans, 2)
    assert sorted(sorted(s.path for s, _data in share) for share in shares) == [["dyn1.py", "plain2.py"], ["dyn2.py", "plain1.py"]]
    assert _shares(scans, 1) == [scans]


def test_a_cold_run_without_fixes_hashes_no_file_and_a_fixing_one_does(tmp_path):
    """Content hashes serve the cache and the fixers only: a ``--no-cache`` check leaves them
    empty (blake2b over a saleor-sized tree costs ~0.05 s), a run that may fix records them."""
    root = str(_layered_app(tmp_path))
    cold = run_check([root], Options(use_cache=False, select=("layering",), hashes=False))
    assert {facts.content_hash for facts in cold.context.files.values()} == {""}
    fixing = run_check([root], Options(use_cache=False, select=("layering",)))
    assert all(len(facts.content_hash) == 32 for facts in fixing.context.files.values() if facts.parsed)


def test_the_pool_starts_no_worker_without_a_batch():
    """The scan hands the pool one share when two lanes split it: a forked pool starts every worker
    at once, so it is sized to the batches (one), and grows when a later run submits more."""
    import os

    from archlint.application import parsing

    with parsing.Workers(2) as workers:
        if workers.jobs < 2 or not hasattr(os, "fork"):
            import pytest

            pytest.skip("one CPU or no fork: no pool")
        here = str(Path(parsing.__file__).resolve())
        item = (parsing.SYNTAX, here, "parsing.py", "python")
        assert workers.start([[item], []])() == [("parsing.py", [])]
        assert workers.size == 1 and len(workers.pool._processes) == 1
        assert len(workers.start([[item], [item]])()) == 2
        assert workers.size == 2
    assert workers.lanes(885, 5_700_000, signals=False) == 1  # Django's layers-only scan stays in one process
    assert workers.lanes(885, 5_700_000, signals=True) == workers.jobs
