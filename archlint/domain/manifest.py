"""Project-level facts read from manifests and config files — as data, never executed.

These feed stack verification (which database/ORM/framework is declared vs used) and JS
module resolution (tsconfig ``paths``, package.json ``imports``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Dependency:
    """A declared dependency: ``psycopg2-binary>=2.9`` in requirements.txt line 3."""

    name: str  # normalised: lower case, ``_`` -> ``-`` for Python; as-is for npm
    spec: str
    ecosystem: str  # "pypi" | "npm"
    path: str
    line: int
    dev: bool = False


@dataclass(frozen=True, slots=True)
class EnvVar:
    """An environment variable assignment from ``.env`` or docker-compose ``environment``."""

    name: str
    value: str
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class ComposeService:
    """A service of a compose file."""
    name: str
    image: str
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class TsConfig:
    """The resolution-relevant part of a tsconfig/jsconfig: where it lives, baseUrl, paths."""

    directory: str  # POSIX dir relative to root ("" = root)
    base_url: str | None  # relative to ``directory``
    paths: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class PackageJson:
    """What archlint reads of a package.json."""
    directory: str
    name: str
    imports: tuple[tuple[str, str], ...]  # "#alias/*" -> "./src/*" (conditions already picked)
    main: str = ""
    module_type: str = ""  # "module" | "commonjs" | ""
    workspaces: tuple[str, ...] = ()  # npm/yarn ``workspaces`` globs ("packages/*"), relative to ``directory``
    aliases: tuple[tuple[str, str], ...] = ()  # module-alias ``_moduleAliases``: "@model" -> "./src/model"
    # ``NODE_PATH=src`` in a ``scripts`` command: folders bare specifiers are looked up in ("src"), relative to
    # ``directory``, with the declared dependencies (which node_modules answers first) — both empty without one
    node_path: tuple[str, ...] = ()
    declared: tuple[str, ...] = ()


@dataclass(slots=True)
class Manifest:
    """The project's manifests: dependencies, environment, services, TS configs."""
    dependencies: list[Dependency] = field(default_factory=list)
    env: list[EnvVar] = field(default_factory=list)
    services: list[ComposeService] = field(default_factory=list)
    tsconfigs: list[TsConfig] = field(default_factory=list)
    packages: list[PackageJson] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # manifest files that were read
    commands: list[tuple[str, int, str]] = field(default_factory=list)  # (path, line, shell/npm command)
    schema_files: list[tuple[str, str]] = field(default_factory=list)  # (path, text) of .sql / .prisma files
    connection_configs: list[tuple[str, str]] = field(default_factory=list)  # (path, text) of sequelize-cli config/config.json
