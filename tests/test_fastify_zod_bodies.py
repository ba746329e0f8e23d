"""AL504 and Fastify bodies parsed by a route's zod schema (fastify-type-provider-zod's validator compiler)."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import findings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _copy(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    return root


def test_zod_schemas_strip_only_under_the_zod_validator_compiler(tmp_path):
    """Without `setValidatorCompiler(validatorCompiler)` the route's zod schema does not replace the body
    (Fastify's Ajv would not run it): the correct twin's two writes of the body are mass assignment again."""
    root = _copy(tmp_path, "agent-fastify-zod-body-correct")
    assert findings(root) == []
    index = root / "src" / "index.ts"
    index.write_text("".join(line for line in index.read_text().splitlines(keepends=True) if "setValidatorCompiler" not in line))
    assert sorted(findings(root)) == [("AL504", "src/routes/stories.ts", 10), ("AL504", "src/routes/stories.ts", 17)]


def test_a_keeping_method_nested_in_the_schema_keeps_the_finding(tmp_path):
    """`.passthrough()` on the inner object keeps unknown keys: the create still mass-assigns."""
    root = _copy(tmp_path, "agent-fastify-zod-body-correct")
    schemas = root / "src" / "schemas.ts"
    schemas.write_text(schemas.read_text().replace("body: z.string() }),", "body: z.string() }).passthrough(),", 1))
    assert findings(root) == [("AL504", "src/routes/stories.ts", 17)]
