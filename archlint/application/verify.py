"""``archlint verify``: does a repository (or a benchmark patch) satisfy a required stack?

Constraints come from flags or from a Constraint Decay task name such as
``uv-fastapi-openapi-clean_architecture-postgres-sqlalchemy``.  The tree is analysed by the normal
check pipeline with the ``clean`` preset forced when the task requires Clean Architecture (a
repo's own config must not redefine the benchmark's architecture) and no layers at all when it
does not, then each requested constraint gets a verdict with evidence.

Three inputs: a repository (PATH); a greenfield patch (``--patch FILE``: the files it adds); and
a repository with a patch (``PATH --patch FILE``, a feature task or a pull request): the verdicts
are those of the tree the patch produces, each with what the patch added to or removed from its
evidence, and the findings the patch introduces are listed apart.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace

from archlint import __version__
from archlint.application.changed import Introduced
from archlint.application.patched import Compared, greenfield_tree, patched, trees
from archlint.application import semantic_evidence
from archlint.application.pipeline import Options, Report, run_check
from archlint.domain.change import ChangeSet
from archlint.domain.config import ConfigError
from archlint.domain.findings import Finding
from archlint.domain.stack import Verdict, architecture_verdict, database_verdict, framework_verdict, option_engine, orm_verdict, scheme_engine
from archlint.domain.stack_delta import VerdictChange, compare, inventory

# The benchmark's eight; `--framework`/`--orm`/`--database` accept every stack the knowledge
# tables model (see :func:`frameworks`, :func:`orms`, :func:`databases`).
BENCHMARK_FRAMEWORKS = ("flask", "fastapi", "django", "aiohttp", "express", "fastify", "hono", "koa")
_DATABASE_ALIASES = {"postgres": "postgresql", "pg": "postgresql", "mariadb": "mysql"}
_ORM_ALIASES = {"mikroorm": "mikro-orm", "mikro_orm": "mikro-orm", "tortoise-orm": "tortoise", "django-orm": "django"}
_TASK = re.compile(r"^(?:uv|node|python|js)-(?P<framework>[a-z]+)-openapi(?:-(?P<rest>.+))?$")


def frameworks() -> tuple[str, ...]:
    """Every web framework of ``frameworks.toml`` (what serves the routes is read from their
    ``app_constructors``/``route_methods`` and the semantic model's routes)."""
    return tuple(entry.name for entry in _knowledge().of_kind("framework"))


def orms() -> tuple[str, ...]:
    """The ``[[orm]]`` entries of ``orms.toml`` without a ``verify = "why not"`` (Knex, Mongoose,
    Bookshelf), and ``sqlmodel`` (SQLAlchemy with SQLModel models)."""
    names = [entry.name for entry in _knowledge().of_kind("orm") if "verify" not in entry.extra]
    return tuple(names + ["sqlmodel"])


def databases() -> tuple[str, ...]:
    """The SQL dialects of ``sql_dialects.toml`` (postgresql, sqlite, mysql)."""
    from archlint.domain.sql import sql_knowledge

    return tuple(sql_knowledge(_knowledge()).dialects)


def normalise(kind: str, value: str | None) -> str | None:
    """A flag or task-name value as the verdicts name it (``postgres`` -> ``postgresql``,
    ``mikroorm`` -> ``mikro-orm``); a ConfigError for a value archlint does not model."""
    if value is None:
        return None
    value = value.strip().lower()
    if kind == "database":
        value, known = _DATABASE_ALIASES.get(value, value), databases()
    elif kind == "orm":
        value, known = _ORM_ALIASES.get(value, value), orms()
    else:
        known = frameworks()
    if value not in known:
        entry = _knowledge().entry(value) if kind == "orm" else None
        extra = f" ({entry.extra['verify']})" if entry is not None and "verify" in entry.extra else ""
        raise ConfigError(f"unknown --{kind} {value!r}{extra}; known: {', '.join(known)}")
    return value


def _knowledge():
    from archlint.adapters.knowledge import load_knowledge

    return load_knowledge()


@dataclass(slots=True)
class Constraints:
    """The stack a tree must satisfy (framework, architecture, database, ORM, API)."""
    framework: str | None = None
    architecture: str | None = None
    database: str | None = None
    orm: str | None = None
    api: bool = False  # --openapi FILE: the fifth verdict (the config's `openapi` adds it too)

    def requested(self) -> list[tuple[str, str]]:
        return [(name, value) for name, value in (("framework", self.framework), ("architecture", self.architecture),
                                                 ("database", self.database), ("orm", self.orm)) if value]


def parse_task(name: str) -> Constraints:
    """``node-koa-openapi-clean_architecture-sqlite-sequelize`` -> Constraints(koa, clean, sqlite, sequelize)."""
    match = _TASK.match(name.strip().lower())
    if match is None or match.group("framework") not in frameworks():
        raise ConfigError(f"not a benchmark task name: {name!r} (expected e.g. uv-flask-openapi-clean_architecture-postgres-sqlalchemy)")
    constraints = Constraints(framework=match.group("framework"))
    database_names, orm_names = databases(), orms()
    for token in (match.group("rest") or "unconstrained").split("-"):
        if token in ("clean_architecture", "clean", "ca"):
            constraints.architecture = "clean"
        elif _DATABASE_ALIASES.get(token, token) in database_names:
            constraints.database = _DATABASE_ALIASES.get(token, token)
        elif _ORM_ALIASES.get(token, token) in orm_names or token == "orm":
            constraints.orm = _ORM_ALIASES.get(token, token) if token != "orm" else ("sqlalchemy" if name.startswith("uv") else "sequelize")
        elif token != "unconstrained":
            raise ConfigError(f"unknown constraint {token!r} in task name {name!r}")
    return constraints


@dataclass(slots=True)
class VerifyReport:
    """The verdicts of `archlint verify` and the check report behind them."""
    root: str
    verdicts: list[Verdict]
    report: Report
    source: str = ""  # "patch" when the tree was rebuilt from a diff
    change: PatchOutcome | None = None  # PATH --patch (or a run against its base): what the change did

    @property
    def compliant(self) -> bool:
        return all(v.compliant for v in self.verdicts)

    @property
    def introduced(self) -> list[Finding] | None:
        return self.change.summary.findings if self.change is not None else None

    def to_dict(self) -> dict:
        constraints = [v.to_dict() for v in self.verdicts]
        for data, verdict_change in zip(constraints, self.change.verdicts if self.change is not None else ()):
            data["patch"] = verdict_change.to_dict()
        result = {
            "schema": 1,
            "archlint": __version__,
            "root": self.root,
            "compliant": self.compliant,
            "constraints": constraints,
            "findings": [f.to_dict() for f in self.report.findings],
        }
        if self.change is not None:
            result["patch"] = self.change.to_dict()
        return result


@dataclass(slots=True)
class PatchOutcome:
    """What a change did, for ``verify PATH --patch``: the files, the findings it introduced
    and, per verdict (in the verdicts' order), the evidence it added and removed."""

    path: str  # the patch (or the changed checkout)
    base: str  # the tree it changes
    files: ChangeSet
    summary: Introduced
    verdicts: list[VerdictChange]

    def to_dict(self) -> dict:
        return {"path": self.path, "base": self.base, "files": self.files.to_dict(), **self.summary.to_dict(),
                "introduced_findings": [finding.to_dict() for finding in self.summary.findings]}


def run_verify(path: str | None, constraints: Constraints, patch: str | None = None, options: Options | None = None) -> VerifyReport:
    if not constraints.requested() and not constraints.api:
        raise ConfigError("nothing to verify: give --task or at least one of --framework/--architecture/--database/--orm/--openapi")
    # The task, not the repository, says which architecture is required: the benchmark's clean
    # layers when it asks for Clean Architecture, none otherwise — a plain app whose routes call
    # the models breaks no constraint of its task, so no layer rule (AL101–AL103, AL301) runs.
    options = replace(options or Options(), preset="clean" if constraints.architecture else "none")
    if patch is not None and path is not None:
        return _verify_patched(path, constraints, patch, options)
    if patch is not None:
        with greenfield_tree(patch) as directory:
            report = run_check([directory], options)
            result = VerifyReport(os.path.abspath(patch), _verdicts(report, constraints), report, source="patch")
            report.context = None  # the tree is gone
            report.root = result.root
            return result
    if path is None:
        raise ConfigError("give a repository path or --patch FILE")
    report = run_check([path], options)
    return VerifyReport(report.root, _verdicts(report, constraints), report)


def _verify_patched(path: str, constraints: Constraints, patch: str, options: Options) -> VerifyReport:
    """The verdicts of PATH as the patch leaves it, each with what the patch changed in its
    evidence; the check findings are those of the whole resulting tree (as for ``verify``)."""
    with patched(path, patch, options) as compared:
        return _verify_compared(compared, constraints, os.path.abspath(patch), os.path.abspath(path))


def run_verify_change(base: str, tree: str, constraints: Constraints, options: Options | None = None) -> VerifyReport:
    """``tree`` (a checked-out feature run) verified as a change of ``base``, like ``verify BASE --patch``."""
    if not constraints.requested():
        raise ConfigError("nothing to verify: give at least one constraint")
    with trees(base, tree, replace(options or Options(), preset="clean")) as compared:
        return _verify_compared(compared, constraints, os.path.abspath(tree), os.path.abspath(base))


def _verify_compared(compared: Compared, constraints: Constraints, path: str, base: str) -> VerifyReport:
    before = _verdicts(compared.before, constraints)
    after = _verdicts(compared.after, constraints)
    changes = [
        compare(old, new, inventory(compared.before.context, old, compared.before.findings),
                inventory(compared.after.context, new, compared.after.findings), compared.changes.after_path)
        for old, new in zip(before, after)
    ]
    report = replace(compared.after, root=compared.root, context=None)  # the tree may be a copy that goes away
    outcome = PatchOutcome(path, base, compared.changes, compared.introduced, changes)
    return VerifyReport(compared.root, after, report, source="patch", change=outcome)


def _verdicts(report: Report, constraints: Constraints) -> list[Verdict]:
    context = report.context
    verdicts: list[Verdict] = []
    if not report.stats["files"]:  # no constraint holds on code that was never read
        reason = "nothing was analysed: no Python or JavaScript/TypeScript source file (see the warning on stderr)"
        return [Verdict(name, expected, False, reason) for name, expected in constraints.requested()]
    for name, expected in constraints.requested():
        if name == "framework":
            verdicts.append(framework_verdict(context, expected, semantic_evidence.served(context)))
        elif name == "architecture":
            verdicts.append(architecture_verdict(context, expected, report.findings))
        elif name == "database":
            urls = semantic_evidence.connection_urls(context, scheme_engine(context), option_engine(context))
            # Vendure's bootstrap(config): the framework connects with config.dbConnectionOptions
            configured = semantic_evidence.configured_connections(context, scheme_engine(context), option_engine(context))
            verdicts.append(database_verdict(context, expected, urls + configured, connects=bool(configured)))
        else:
            verdicts.append(orm_verdict(context, expected))
    if context is not None and context.api_spec is not None:
        verdicts.append(semantic_evidence.api_verdict(context))
    return verdicts
