"""`archlint init`: a commented config from what the repository is, plus a baseline when
today's code has findings — never a config that passes by loosening rules."""

from __future__ import annotations

import json

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from helpers import make_repo
from test_cli import VIOLATING, run_cli

PYPROJECT = '[project]\nname = "shop"\nversion = "1.0"\n\n[tool.ruff]\nline-length = 100\n'
COMPOSE = "services:\n  db:\n    image: postgres:16\n"


def test_init_appends_to_pyproject_and_baselines_todays_findings(tmp_path):
    repo = make_repo(tmp_path / "repo", {**VIOLATING, "pyproject.toml": PYPROJECT, "docker-compose.yml": COMPOSE,
                                         "requirements.txt": "flask\nsqlalchemy\npsycopg2-binary\n"})
    result = run_cli("init", str(repo), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (repo / "pyproject.toml").read_text()
    assert text.startswith(PYPROJECT)  # nothing of the original is touched
    config = tomllib.loads(text)
    assert config["project"]["name"] == "shop" and config["tool"]["ruff"] == {"line-length": 100}
    section = config["tool"]["archlint"]
    assert section == {"preset": "clean", "containers": ["app"], "fail_on": "warning"}  # no rule loosened
    for line in ("#   framework: flask", "database: postgresql", "image postgres:16 in docker-compose.yml",
                 "--baseline archlint-baseline.json"):
        assert line in text, line
    baseline = json.loads((repo / "archlint-baseline.json").read_text())
    assert sorted(row["rule"] for row in baseline["findings"]) == ["AL001", "AL102", "AL103"]
    assert "3 findings today" in result.stdout

    assert run_cli("check", str(repo), cwd=tmp_path).returncode == 1  # the config itself does not hide them
    passing = run_cli("check", ".", "--baseline", "archlint-baseline.json", cwd=repo)
    assert passing.returncode == 0, passing.stdout
    (repo / "app/routes/admin.py").write_text("from app.repositories.users import UserRepository\n")
    assert run_cli("check", ".", "--baseline", "archlint-baseline.json", cwd=repo).returncode == 1

    again = run_cli("init", str(repo), cwd=tmp_path)
    assert again.returncode == 2 and "already configures archlint" in again.stderr
    assert (repo / "pyproject.toml").read_text() == text


def test_node_only_repo_gets_archlint_toml_and_no_baseline_when_clean(tmp_path):
    repo = make_repo(
        tmp_path / "repo",
        {
            "package.json": '{"name": "api", "dependencies": {"express": "^4", "@prisma/client": "^5"}}',
            ".env": "DATABASE_URL=postgresql://u:p@localhost:5432/db\n",
            "src/index.js": "const app = require('./routes/users');\n",
            "src/routes/users.js": "const svc = require('../services/users');\nconst express = require('express');\n",
            "src/services/users.js": "const repo = require('../repositories/users');\n",
            "src/repositories/users.js": "const { PrismaClient } = require('@prisma/client');\n",
            "src/models/user.js": "module.exports = {};\n",
        },
    )
    result = run_cli("init", str(repo), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (repo / "pyproject.toml").exists() and not (repo / "archlint-baseline.json").exists()
    text = (repo / "archlint.toml").read_text()
    assert "[tool.archlint]" not in text
    assert tomllib.loads(text) == {"preset": "clean", "containers": ["src"], "fail_on": "warning"}
    assert "framework: express" in text and "DATABASE_URL in .env" in text
    assert "no findings today" in result.stdout
    assert run_cli("check", str(repo), cwd=tmp_path).returncode == 0


def test_repo_without_layers_gets_hints_not_rules(tmp_path):
    repo = make_repo(tmp_path / "repo", {"pyproject.toml": PYPROJECT, "shop/views/a.py": "x = 1\n", "shop/models/b.py": "y = 2\n"})
    assert run_cli("init", str(repo), cwd=tmp_path).returncode == 0
    text = (repo / "pyproject.toml").read_text()
    assert tomllib.loads(text)["tool"]["archlint"] == {"preset": "auto", "fail_on": "warning"}
    assert 'Directories with only two layer roles: "shop"' in text
    assert "#   [[tool.archlint.layers]]" in text


def test_init_refuses_existing_config_and_broken_pyproject(tmp_path):
    configured = make_repo(tmp_path / "a", {"archlint.toml": 'preset = "none"\n', "x.py": "x = 1\n"})
    result = run_cli("init", str(configured), cwd=tmp_path)
    assert result.returncode == 2 and "already configures archlint" in result.stderr
    broken = make_repo(tmp_path / "b", {"pyproject.toml": "[project\nname = 1\n", "x.py": "x = 1\n"})
    result = run_cli("init", str(broken), cwd=tmp_path)
    assert result.returncode == 2 and "not valid TOML" in result.stderr
    assert (broken / "pyproject.toml").read_text() == "[project\nname = 1\n"
    assert len(result.stderr.strip().splitlines()) == 1
