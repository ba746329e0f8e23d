"""The pre-commit hook, run by the real `pre-commit` on real `git commit`s.

Two set-ups are exercised:

* **hook repository** — this repository's ``.pre-commit-hooks.yaml`` (``language: python``),
  installed by pre-commit from a temporary commit of the working tree, exactly as users get it
  with ``repo: <url>`` + ``rev``.  pre-commit builds a fresh virtualenv and ``pip install``s
  archlint into it, build backend (hatchling) and dependencies included, from the package index
  pip is configured with (``PIP_INDEX_URL`` / ``PIP_FIND_LINKS`` / pip.conf) — the same index
  ``pip install ".[test]"`` used, so a local mirror keeps it offline.  (It used to let that
  virtualenv see "the system site-packages" instead, which are the *base* interpreter's, not
  those of the virtualenv the suite runs in: a newcomer's fresh venv had no hatchling there.)
* **local system hook** — ``repo: local`` with ``language: system`` and ``python -m archlint``,
  for teams that install archlint into their own environment.

In both, a commit that adds a layer violation is blocked (exit 1, the finding printed) and the
fix goes through.  The violating commit changes only the route file: a hook that analysed
just the files pre-commit passes would see no layers at all and let it through.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import make_repo
from test_changed import GIT_ENV, git

pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]' installs it)")
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

REPO_ROOT = Path(__file__).resolve().parent.parent
LAYERED = {
    "requirements.txt": "flask\n",
    "app/main.py": "from app.routes import users\n",
    "app/routes/users.py": "from app.services.users import list_users\n",
    "app/services/users.py": "from app.repositories.users import UserRepository\n\ndef list_users():\n    return UserRepository()\n",
    "app/repositories/users.py": "class UserRepository:\n    pass\n",
    "app/models/user.py": "class User:\n    pass\n",
}
VIOLATION = "from app.repositories.users import UserRepository\n"


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory):
    """Environment for git + pre-commit: neutral git identity, private pre-commit home
    (shared by the tests in this module, so the hook's virtualenv is built once)."""
    home = tmp_path_factory.mktemp("precommit-home")
    env = {
        **os.environ,
        **GIT_ENV,
        "PRE_COMMIT_HOME": str(home / "pre-commit"),
        "PRE_COMMIT_COLOR": "never",
        "NO_COLOR": "1",
        "ARCHLINT_CACHE_DIR": str(home / "archlint-cache"),
    }
    for inherited in ("VIRTUALENV_SYSTEM_SITE_PACKAGES", "PIP_NO_BUILD_ISOLATION", "PYTHONPATH"):
        env.pop(inherited, None)  # the hook's virtualenv is as clean as a user's
    return env


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, str]:
    """This working tree (what the hook installs from) committed into a scratch repository."""
    target = tmp_path_factory.mktemp("hook-repo")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for directory in ("archlint", "rules"):
        shutil.copytree(REPO_ROOT / directory, target / directory, ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO_ROOT / name, target / name)
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-qm", "archlint hook")
    return target, git(target, "rev-parse", "HEAD").stdout.strip()


def hook_repository_config(hook_repo) -> str:
    path, rev = hook_repo
    return f"repos:\n  - repo: {path.as_uri()}\n    rev: {rev}\n    hooks:\n      - id: archlint\n"


def local_system_config(_hook_repo) -> str:
    return (
        "repos:\n  - repo: local\n    hooks:\n      - id: archlint\n        name: archlint\n"
        f"        entry: {sys.executable} -m archlint check\n        language: system\n"
        "        args: [.]\n        pass_filenames: false\n"
    )


def commit(repo: Path, env: dict, message: str) -> subprocess.CompletedProcess:
    git(repo, "add", "-A")
    return subprocess.run(["git", "commit", "-m", message], cwd=repo, capture_output=True, text=True, env=env)


@pytest.mark.parametrize("make_config", [hook_repository_config, local_system_config], ids=["hook-repository", "local-system"])
def test_commit_with_layer_violation_is_blocked_and_the_fix_is_allowed(tmp_path, hook_env, hook_repo, make_config):
    repo = make_repo(tmp_path / "project", LAYERED)
    (repo / ".pre-commit-config.yaml").write_text(make_config(hook_repo))
    git(repo, "init", "-q")
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, capture_output=True, text=True, env=hook_env)
    assert installed.returncode == 0, installed.stderr

    first = commit(repo, hook_env, "layered app")
    assert first.returncode == 0, first.stdout + first.stderr
    assert re.search(r"^archlint\.+Passed$", first.stdout + first.stderr, re.MULTILINE)

    (repo / "app/routes/users.py").write_text(VIOLATION)  # the only file in the commit
    alone = subprocess.run([sys.executable, "-m", "archlint", "check", "app/routes/users.py", "--no-cache"],
                           cwd=repo, capture_output=True, text=True, env=hook_env)
    assert alone.returncode == 0, "control: the changed file alone shows no layers, so no finding"
    blocked = commit(repo, hook_env, "route reaches the repository")
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode == 1, output
    assert re.search(r"^archlint\.+Failed$", output, re.MULTILINE) and "exit code: 1" in output
    assert "AL102" in output and "app/routes/users.py" in output and "skip-layer import" in output
    assert git(repo, "rev-list", "--count", "HEAD").stdout.strip() == "1"

    (repo / "app/routes/users.py").write_text("from app.services.users import list_users\n\nusers = list_users\n")
    fixed = commit(repo, hook_env, "route goes through the service")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert git(repo, "rev-list", "--count", "HEAD").stdout.strip() == "2"


def test_hook_manifest_is_valid_and_analyses_the_whole_project():
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(REPO_ROOT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"archlint", "archlint-fix"}
    hook = hooks["archlint"]
    assert hook["language"] == "python"
    assert hook["entry"] == "archlint check" and hook["args"] == ["."]
    assert hook["pass_filenames"] is False
    fixing = hooks["archlint-fix"]
    assert fixing["entry"] == "archlint check --fix --changed-only" and fixing["args"] == ["."]
    assert fixing["pass_filenames"] is False and fixing["language"] == "python"


FIXABLE = {
    "requirements.txt": "sqlalchemy>=2\n",
    "app/models.py": (
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        "class Article(Base):\n    __tablename__ = \"articles\"\n\n"
        "    id: Mapped[int] = mapped_column(primary_key=True)\n    slug: Mapped[str]\n    draft: Mapped[bool]\n"
    ),
    "app/db.py": "from sqlalchemy import create_engine\n\nfrom app.models import Base\n\nBase.metadata.create_all(create_engine(\"sqlite://\"))\n",
}
QUERY = (
    "from sqlalchemy import select\n\nfrom app.models import Article\n\n\n"
    "def published(session, slug):\n"
    "    return session.scalars(select(Article).where(Article.slug == slug and not Article.draft)).first()  # the page\n"
)
FIXED_QUERY = (
    "from sqlalchemy import not_, select\n\nfrom app.models import Article\n\n\n"
    "def published(session, slug):\n"
    "    return session.scalars(select(Article).where(Article.slug == slug, not_(Article.draft))).first()  # the page\n"
)


def fix_hook_repository_config(hook_repo) -> str:
    path, rev = hook_repo
    return f"repos:\n  - repo: {path.as_uri()}\n    rev: {rev}\n    hooks:\n      - id: archlint-fix\n"


def fix_local_system_config(_hook_repo) -> str:
    return (
        "repos:\n  - repo: local\n    hooks:\n      - id: archlint-fix\n        name: archlint (fix)\n"
        f"        entry: {sys.executable} -m archlint check --fix --changed-only\n        language: system\n"
        "        args: [.]\n        pass_filenames: false\n"
    )


@pytest.mark.parametrize("make_config", [fix_hook_repository_config, fix_local_system_config], ids=["hook-repository", "local-system"])
def test_fix_hook_repairs_the_commit_and_the_repaired_commit_goes_through(tmp_path, hook_env, hook_repo, make_config):
    repo = make_repo(tmp_path / "project", FIXABLE)
    (repo / ".pre-commit-config.yaml").write_text(make_config(hook_repo))
    git(repo, "init", "-q")
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, capture_output=True, text=True, env=hook_env)
    assert installed.returncode == 0, installed.stderr
    first = commit(repo, hook_env, "models")
    assert first.returncode == 0, first.stdout + first.stderr

    (repo / "app/queries.py").write_text(QUERY)
    blocked = commit(repo, hook_env, "a query with a Python `and`")
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode == 1, output
    assert re.search(r"^archlint \(fix\)\.+Failed$", output, re.MULTILINE) and "files were modified by this hook" in output
    assert "fixed 1 findings" in output
    assert (repo / "app/queries.py").read_text() == FIXED_QUERY, "the fix is in the working tree, for review"
    assert git(repo, "rev-list", "--count", "HEAD").stdout.strip() == "1"

    fixed = commit(repo, hook_env, "a query with a Python `and`, fixed")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert git(repo, "show", "HEAD:app/queries.py").stdout == FIXED_QUERY
