"""Projects of a tree holding many projects (a folder of packages, archlint's own fixtures/): the
owner of a path, the manifest part and the files a project sees are found without rescanning every
project (issue 11), and stay exactly what the definition in domain/projects.py says."""

from archlint.domain.context import CheckContext
from archlint.domain.manifest import ComposeService, Dependency, EnvVar, Manifest, PackageJson, TsConfig
from archlint.domain.projects import projects_from

PATHS = [
    "docker-compose.yml", "package.json", "README.md", "scripts/seed.py",
    "api/package.json", "api/src/db.ts", "api/.env",
    "api/plugins/auth/package.json", "api/plugins/auth/index.ts", "api/plugins/auth/.env",
    "apiary/x.py", "worker/pyproject.toml", "worker/app/jobs.py", "worker/app/setup.py", "worker/app/__init__.py",
]


def _definition(roots, path):
    """The owner as the module docstring defines it: the longest root that is ``path`` or a directory of it."""
    best = ""
    for root in roots:
        if root and (path == root or path.startswith(root + "/")) and len(root) > len(best):
            best = root
    return best


def _sees(roots, project, path):
    owner = _definition(roots, path)
    return owner == project or owner == "" or project.startswith(owner + "/")


def test_the_owner_of_a_path_is_the_deepest_root_above_it():
    projects = projects_from(PATHS)
    assert projects.roots == ("", "api", "api/plugins/auth", "worker")
    odd = ["", "api", "api/", "api/plugins", "api/plugins/auth/", "/x", "apiary", "ap", "worker/app/setup.py/x"]
    for path in PATHS + odd:
        assert projects.of(path) == _definition(projects.roots, path), path
        assert projects.of(path) == _definition(projects.roots, path), path  # the remembered answer too
    assert projects.of("api/plugins/auth/index.ts") == "api/plugins/auth" and projects.of("apiary/x.py") == ""


def test_a_nested_project_sees_its_own_and_its_enclosing_projects_manifest_parts_in_order():
    projects = projects_from(PATHS)
    manifest = Manifest(
        dependencies=[Dependency("pg", "8", "npm", "api/package.json", 3), Dependency("jose", "5", "npm", "api/plugins/auth/package.json", 2),
                      Dependency("psycopg", "3", "pypi", "worker/pyproject.toml", 5), Dependency("knex", "3", "npm", "package.json", 4)],
        env=[EnvVar("A", "1", "api/plugins/auth/.env", 1), EnvVar("B", "2", ".env", 1), EnvVar("C", "3", "api/.env", 1)],
        services=[ComposeService("db", "postgres", "docker-compose.yml", 2), ComposeService("w", "x", "worker/compose.yml", 1)],
        tsconfigs=[TsConfig("api", None, ()), TsConfig("", None, ()), TsConfig("api/plugins/auth", None, ())],
        packages=[PackageJson("api/plugins/auth", "auth", ()), PackageJson("worker", "w", ())],
        files=["worker/pyproject.toml", "api/package.json", "package.json", "api/plugins/auth/package.json"],
        commands=[("api/package.json", 3, "node x"), ("worker/pyproject.toml", 9, "y")],
        schema_files=[("api/plugins/auth/schema.sql", "create table t (id int)"), ("schema.prisma", "")],
    )
    for project in projects.roots + ("apiary",):
        part = projects.manifest_of(manifest, project)
        sees = lambda path: _sees(projects.roots, project, path)  # noqa: E731
        assert part.dependencies == [d for d in manifest.dependencies if sees(d.path)], project
        assert part.env == [e for e in manifest.env if sees(e.path)], project
        assert part.services == [s for s in manifest.services if sees(s.path)], project
        assert part.tsconfigs == [t for t in manifest.tsconfigs if sees(t.directory + "/x")], project
        assert part.packages == [p for p in manifest.packages if sees(p.directory + "/x")], project
        assert part.files == [f for f in manifest.files if sees(f)], project
        assert part.commands == [c for c in manifest.commands if sees(c[0])], project
        assert part.schema_files == [s for s in manifest.schema_files if sees(s[0])], project
    auth = projects.manifest_of(manifest, "api/plugins/auth")
    assert [d.name for d in auth.dependencies] == ["pg", "jose", "knex"]  # never the sibling worker's psycopg
    assert projects.manifest_of(manifest, "api/plugins/auth") is auth  # grouped once, not per ask


def test_the_files_of_a_project_and_the_files_it_sees_keep_the_tree_order():
    projects = projects_from(PATHS)
    files = {path: object() for path in reversed(PATHS)}
    ctx = CheckContext.__new__(CheckContext)
    for name, value in (("files", files), ("projects", projects), ("_project_files", None), ("_file_positions", None)):
        setattr(ctx, name, value)
    for project in projects.roots:
        assert list(ctx.project_files(project)) == [p for p in files if projects.of(p) == project], project
        assert list(ctx.visible_files(project)) == [p for p in files if _sees(projects.roots, project, p)], project
    assert "worker/app/jobs.py" not in ctx.visible_files("api/plugins/auth")
