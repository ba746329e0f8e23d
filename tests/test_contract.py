"""The API contract: reading OpenAPI/Swagger specs (JSON and YAML, local $refs, server base
paths, the auth scheme a description shows), `--openapi` / `openapi =` on check and verify, the
`api` verdict, and the contract rules AL811–AL815 on small apps (the contract-<framework>-*
fixtures hold the full Conduit apps)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import findings, make_repo

from archlint.adapters.openapi import build_spec, load_spec
from archlint.domain.config import ConfigError
from archlint.domain.contract import AUTH_NONE, AUTH_OPTIONAL, AUTH_REQUIRED, CONDUIT

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SPEC = FIXTURES / "contract-express-correct" / "openapi.yml"


def test_yaml_spec_with_refs_base_path_and_described_token_scheme():
    spec = load_spec(str(SPEC), "openapi.yml")
    by_label = {op.label: op for op in spec.operations}
    assert len(spec.operations) == 20  # the 19 Conduit operations and the health check
    assert "GET /api/articles/{slug}" in by_label  # paths joined to the server's /api
    slug = by_label["GET /api/articles/{slug}"].parameter("slug")
    assert (slug.type, slug.location) == ("string", "path")  # a path-level $ref parameter
    assert by_label["DELETE /api/articles/{slug}/comments/{id}"].parameter("id").type == "integer"
    assert by_label["PUT /api/user"].auth == AUTH_REQUIRED
    assert by_label["GET /api/articles/{slug}/comments"].auth == AUTH_OPTIONAL  # security: [{}, {Token: []}]
    assert by_label["GET /api/tags"].auth == AUTH_NONE
    assert spec.auth_prefixes() == {"Token"}  # "Token xxxxxx.yyyyyyy.zzzzzz" in the description
    assert by_label["PUT /api/user"].line == 25
    assert spec.where(by_label["PUT /api/user"]) == "openapi.yml:25"


def test_json_swagger2_and_http_bearer():
    swagger = {"swagger": "2.0", "basePath": "/v1", "securityDefinitions": {"jwt": {"type": "apiKey", "in": "header", "name": "Authorization",
                                                                                    "description": "Use `Bearer <token>`"}},
               "security": [{"jwt": []}],
               "paths": {"/items/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "type": "integer"}]}}}}
    spec = build_spec(swagger, "swagger.json")
    assert [op.label for op in spec.operations] == ["GET /v1/items/{id}"]
    assert spec.operations[0].auth == AUTH_REQUIRED and spec.operations[0].parameter("id").type == "integer"
    assert spec.auth_prefixes() == {"Bearer"}
    openapi = {"openapi": "3.1.0", "components": {"securitySchemes": {"b": {"type": "http", "scheme": "bearer"}}},
               "paths": {"/x": {"post": {"security": [{"b": []}], "parameters": [{"$ref": "other.yml#/p"}]}},
                         "/y": {"$ref": "https://example.com/remote.yml"}}}
    spec = build_spec(openapi, "openapi.json")
    assert [op.label for op in spec.operations] == ["POST /x"]  # a remote $ref is never fetched: /y's methods are unknown
    assert spec.operations[0].parameters == ()
    assert spec.auth_prefixes() == {"Bearer"}


def test_bad_specs_are_config_errors(tmp_path):
    (tmp_path / "not-api.yml").write_text("title: nothing here\n")
    (tmp_path / "broken.json").write_text('{"openapi": "3.0.0", "paths": {')
    for name in ("not-api.yml", "broken.json", "missing.yml"):
        with pytest.raises(ConfigError):
            load_spec(str(tmp_path / name))


def test_conduit_contract_is_nineteen_operations_on_twelve_paths():
    assert len(CONDUIT.operations) == 19
    assert len({op.path for op in CONDUIT.operations}) == 12
    assert CONDUIT.auth_prefixes() == {"Token"}


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "archlint", *args], capture_output=True, text=True, cwd=cwd)


def test_openapi_option_config_key_and_errors(tmp_path):
    app = FIXTURES / "contract-express-bugs"
    by_flag = _cli("check", str(app), "--no-cache", "--format", "json", "--select", "AL812", "--openapi", str(SPEC))
    assert by_flag.returncode == 0  # AL812 is info; the health check is in the correct twin's spec
    assert json.loads(by_flag.stdout)["findings"] == []
    by_config = _cli("check", str(app), "--no-cache", "--format", "json", "--select", "AL812")
    assert [f["path"] for f in json.loads(by_config.stdout)["findings"]] == ["src/server.js"]  # openapi = "openapi.yml"
    missing = _cli("check", str(app), "--no-cache", "--openapi", str(tmp_path / "nope.yml"))
    assert missing.returncode == 2 and "OpenAPI spec not found" in missing.stderr and len(missing.stderr.splitlines()) == 1
    root = make_repo(tmp_path / "badconfig", {"archlint.toml": "openapi = 3\n", "app.py": "x = 1\n"})
    bad = _cli("check", str(root), "--no-cache")
    assert bad.returncode == 2 and "'openapi' must be a string" in bad.stderr


def test_verify_reports_contract_coverage_as_a_fifth_verdict(tmp_path):
    result = _cli("verify", str(FIXTURES / "contract-express-bugs"), "--framework", "express", "--openapi", str(SPEC),
                  "--format", "json", "--no-cache")
    data = json.loads(result.stdout)
    api = next(c for c in data["constraints"] if c["constraint"] == "api")
    assert not api["compliant"] and result.returncode == 1
    assert api["reason"] == "18/20 operations routed; missing DELETE /api/articles/{slug}/favorite, PUT /api/user"
    assert {e["path"] for e in api["evidence"]} == {"src/routes.js"}
    fixed = json.loads(_cli("verify", str(FIXTURES / "contract-express-correct"), "--openapi", str(SPEC), "--format", "json",
                            "--no-cache").stdout)
    assert [(c["constraint"], c["compliant"], c["reason"]) for c in fixed["constraints"]] == [("api", True, "20/20 operations routed")]
    text = _cli("verify", str(FIXTURES / "contract-express-bugs"), "--openapi", str(SPEC), "--no-cache").stdout
    assert "api" in text and "18/20 operations routed" in text


EXPRESS = """
const express = require('express');
const app = express();
const router = express.Router();
{routes}
app.use('/api', router);
app.listen(3000);
"""
CONDUIT_ROUTES = [
    "router.post('/users/login', (req, res) => res.json({}));",
    "router.post('/users', (req, res) => res.json({}));",
    "router.get('/user', (req, res) => res.json({}));",
    "router.get('/profiles/:username', (req, res) => res.json({}));",
    "router.post('/profiles/:username/follow', (req, res) => res.json({}));",
    "router.get('/articles', (req, res) => res.json({}));",
    "router.get('/articles/:slug', (req, res) => res.json({}));",
    "router.get('/articles/:slug/comments', (req, res) => res.json({}));",
    "router.post('/articles/:slug/favorite', (req, res) => res.json({}));",
]


def test_conduit_contract_applies_only_to_a_conduit_shaped_app(tmp_path):
    package = '{"dependencies": {"express": "^4.21.0"}}'
    conduit = make_repo(tmp_path / "conduit", {"package.json": package, "src/app.js": EXPRESS.replace("{routes}", "\n".join(CONDUIT_ROUTES))})
    small = make_repo(tmp_path / "small", {"package.json": package, "src/app.js": EXPRESS.replace("{routes}", "\n".join(CONDUIT_ROUTES[:4]))})
    missing = [line for rule, _path, line in findings(conduit) if rule == "AL811"]
    assert len(missing) == 10  # 9 of the 19 operations are served (feed is only captured by /articles/:slug)
    assert [rule for rule, _p, _l in findings(small) if rule.startswith("AL81")] == []  # 4 of 12 paths: not a Conduit


def test_unreadable_mount_makes_operations_unknown_not_missing(tmp_path):
    source = EXPRESS.replace("{routes}", "\n".join(CONDUIT_ROUTES + ["router.get('/tags', (req, res) => res.json({}));",
                                                                     "router.get('/articles/feed', (req, res) => res.json({}));"]))
    source = source.replace("app.use('/api', router);", "app.use('/api', router);\napp.use('/api/articles', require(process.env.EXTRA));")
    root = make_repo(tmp_path / "mount", {"package.json": '{"dependencies": {"express": "^4.21.0"}}', "src/app.js": source})
    labels = sorted(line for rule, _path, line in findings(root) if rule == "AL811")
    # PUT /api/user and DELETE /api/profiles/{username}/follow; what lives under /api/articles (the
    # computed require) is unknown, so its seven missing operations are not reported
    assert labels == [6, 8]
