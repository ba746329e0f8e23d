"""Python module naming and import resolution without relying on __init__.py."""

from __future__ import annotations

from archlint.adapters.resolution.python import PythonResolver, Target
from archlint.domain.facts import RUNTIME, Import, Span

SPAN = Span(1, 1, 1, 1)


def imp(module: str, names=(), level: int = 0) -> Import:
    return Import(module, tuple(names), RUNTIME, SPAN, level)


def test_src_layout_and_module_names():
    files = ["src/conduit/__init__.py", "src/conduit/services/articles.py", "tests/test_x.py"]
    resolver = PythonResolver(files, ["pyproject.toml"])
    assert resolver.module_name("src/conduit/services/articles.py") == "conduit.services.articles"
    assert resolver.module_name("src/conduit/__init__.py") == "conduit"
    assert resolver.resolve("tests/test_x.py", imp("conduit.services.articles")) == [
        Target("src/conduit/services/articles.py", False)
    ]


def test_no_init_files_and_app_run_from_its_own_directory():
    files = ["app/main.py", "app/services/users.py", "app/repositories/users.py"]
    resolver = PythonResolver(files, ["requirements.txt"])
    # `cd app && python main.py` makes app/ a root: `from services import users` works there
    assert resolver.resolve("app/main.py", imp("services", ["users"])) == [Target("app/services/users.py", False)]
    # and from the repository root the package path works too
    assert resolver.resolve("app/main.py", imp("app.repositories.users")) == [Target("app/repositories/users.py", False)]


def test_relative_imports_including_package_imports():
    files = ["app/__init__.py", "app/services/__init__.py", "app/services/users.py", "app/repositories/users.py"]
    resolver = PythonResolver(files)
    importer = "app/repositories/users.py"
    assert resolver.resolve(importer, imp("", ["services"], level=2)) == [Target("app/services/__init__.py", False)]
    assert resolver.resolve(importer, imp("services.users", ["UserService"], level=2)) == [
        Target("app/services/users.py", False)
    ]
    assert resolver.resolve(importer, imp("", ["users"], level=1)) == [Target("app/repositories/users.py", False)]


def test_namespace_package_directory_is_a_node():
    files = ["app/services/users.py", "app/repositories/users.py", "app/main.py"]
    resolver = PythonResolver(files)
    assert resolver.resolve("app/repositories/users.py", imp("", ["services"], level=2)) == [
        Target("app/services/", False)
    ]


def test_from_import_of_submodules_yields_one_target_each():
    files = ["app/main.py", "app/routes/__init__.py", "app/routes/users.py", "app/routes/articles.py"]
    resolver = PythonResolver(files)
    assert resolver.resolve("app/main.py", imp("app.routes", ["users", "articles", "router"])) == [
        Target("app/routes/users.py", False),
        Target("app/routes/articles.py", False),
        Target("app/routes/__init__.py", False),
    ]


def test_externals_keep_submodule_granularity():
    resolver = PythonResolver(["app/main.py"])
    assert resolver.resolve("app/main.py", imp("sqlalchemy.orm", ["Session", "relationship"])) == [
        Target("sqlalchemy.orm.Session", True),
        Target("sqlalchemy.orm.relationship", True),
    ]
    assert resolver.resolve("app/main.py", imp("psycopg2")) == [Target("psycopg2", True)]


def test_stdlib_name_is_not_shadowed_by_a_nested_file():
    # app/utils/ is not a root, so `import json` from app/main.py stays the stdlib
    resolver = PythonResolver(["app/main.py", "app/utils/json.py"])
    assert resolver.resolve("app/main.py", imp("json")) == [Target("json", True)]


def test_relative_import_beyond_top_is_unresolved():
    resolver = PythonResolver(["a.py"])
    assert resolver.resolve("a.py", imp("x", level=3)) == []


def test_a_stdlib_name_never_resolves_through_another_directorys_root():
    """prefect/server: api/server.py makes api/ a root (a script could start there), and api/ holds
    collections.py.  `from collections import defaultdict` in models/ is the standard library —
    a false AL109 "models import the presentation layer" before.  Inside api/ the name is the
    sibling, and a project name still resolves through the other root."""
    files = ["api/server.py", "api/collections.py", "api/helpers.py", "models/workers.py"]
    resolver = PythonResolver(files, ["pyproject.toml"])
    assert resolver.resolve("models/workers.py", imp("collections", ["defaultdict"])) == [Target("collections.defaultdict", True)]
    assert resolver.resolve("api/server.py", imp("collections")) == [Target("api/collections.py", False)]
    assert resolver.resolve("models/workers.py", imp("helpers")) == [Target("api/helpers.py", False)]
