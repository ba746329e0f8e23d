"""``archlint verify``: does a repository (or a benchmark patch) satisfy a required stack?

Constraints come from flags or from a Constraint Decay task name such as
``uv-fastapi-openapi-clean_architecture-postgres-sqlalchemy``.  The tree is analysed by the normal
check pipeline with the ``clean`` preset forced (a repo's own config must not redefine the
benchmark's architecture), then each requested constraint gets a verdict with evidence.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field

from archlint import __version__
from archlint.adapters.patch import PatchError, materialise, read_patch
from archlint.application.pipeline import Options, Report, run_check
from archlint.domain.config import ConfigError
from archlint.domain.stack import Verdict, architecture_verdict, database_verdict, framework_verdict, orm_verdict

FRAMEWORKS = ("flask", "fastapi", "django", "aiohttp", "express", "fastify", "hono", "koa")
DATABASES = {"postgres": "postgresql", "postgresql": "postgresql", "pg": "postgresql", "sqlite": "sqlite"}
ORMS = ("sqlalchemy", "sequelize")
_TASK = re.compile(r"^(?:uv|node|python|js)-(?P<framework>[a-z]+)-openapi(?:-(?P<rest>.+))?$")


@dataclass(slots=True)
class Constraints:
    framework: str | None = None
    architecture: str | None = None
    database: str | None = None
    orm: str | None = None

    def requested(self) -> list[tuple[str, str]]:
        return [(name, value) for name, value in (("framework", self.framework), ("architecture", self.architecture),
                                                 ("database", self.database), ("orm", self.orm)) if value]


def parse_task(name: str) -> Constraints:
    """``node-koa-openapi-clean_architecture-sqlite-sequelize`` -> Constraints(koa, clean, sqlite, sequelize)."""
    match = _TASK.match(name.strip().lower())
    if match is None or match.group("framework") not in FRAMEWORKS:
        raise ConfigError(f"not a benchmark task name: {name!r} (expected e.g. uv-flask-openapi-clean_architecture-postgres-sqlalchemy)")
    constraints = Constraints(framework=match.group("framework"))
    for token in (match.group("rest") or "unconstrained").split("-"):
        if token in ("clean_architecture", "clean", "ca"):
            constraints.architecture = "clean"
        elif token in DATABASES:
            constraints.database = DATABASES[token]
        elif token in ORMS or token == "orm":
            constraints.orm = token if token in ORMS else ("sqlalchemy" if name.startswith("uv") else "sequelize")
        elif token != "unconstrained":
            raise ConfigError(f"unknown constraint {token!r} in task name {name!r}")
    return constraints


@dataclass(slots=True)
class VerifyReport:
    root: str
    verdicts: list[Verdict]
    report: Report
    source: str = ""  # "patch" when the tree was rebuilt from a diff
    extra: dict = field(default_factory=dict)

    @property
    def compliant(self) -> bool:
        return all(v.compliant for v in self.verdicts)

    def to_dict(self) -> dict:
        return {
            "schema": 1,
            "archlint": __version__,
            "root": self.root,
            "compliant": self.compliant,
            "constraints": [v.to_dict() for v in self.verdicts],
            "findings": [f.to_dict() for f in self.report.findings],
        }


def run_verify(path: str | None, constraints: Constraints, patch: str | None = None, options: Options | None = None) -> VerifyReport:
    if not constraints.requested():
        raise ConfigError("nothing to verify: give --task or at least one of --framework/--architecture/--database/--orm")
    options = options or Options()
    options.preset = "clean"
    if patch is not None:
        text = read_patch(patch)
        with tempfile.TemporaryDirectory(prefix="archlint-patch-") as directory:
            if materialise(text, directory) == 0:
                raise PatchError(f"the patch adds no files: {patch}")
            result = _verify_tree(directory, constraints, options)
            result.root = os.path.abspath(patch)
            result.report.context = None  # the tree is gone
            result.source = "patch"
            return result
    if path is None:
        raise ConfigError("give a repository path or --patch FILE")
    return _verify_tree(path, constraints, options)


def _verify_tree(path: str, constraints: Constraints, options: Options) -> VerifyReport:
    report = run_check([path], options)
    context = report.context
    verdicts: list[Verdict] = []
    if not report.stats["files"]:  # no constraint holds on code that was never read
        reason = "nothing was analysed: no Python or JavaScript/TypeScript source file (see the warning on stderr)"
        verdicts = [Verdict(name, expected, False, reason) for name, expected in constraints.requested()]
        return VerifyReport(root=report.root, verdicts=verdicts, report=report)
    for name, expected in constraints.requested():
        if name == "framework":
            verdicts.append(framework_verdict(context, expected))
        elif name == "architecture":
            verdicts.append(architecture_verdict(context, expected, report.findings))
        elif name == "database":
            verdicts.append(database_verdict(context, expected))
        else:
            verdicts.append(orm_verdict(context, expected))
    return VerifyReport(root=report.root, verdicts=verdicts, report=report)
