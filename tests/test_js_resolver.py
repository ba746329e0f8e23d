"""JS/TS module resolution and the tsconfig / package.json readers that feed it."""

from __future__ import annotations

from archlint.adapters.js_config import read_package_json, read_tsconfig
from archlint.adapters.resolution.javascript import JsResolver
from archlint.domain.manifest import Dependency, PackageJson, TsConfig


def resolver(files: set[str], tsconfigs: list[TsConfig] = (), packages: list[PackageJson] = ()) -> JsResolver:
    return JsResolver(files, list(tsconfigs), list(packages))


# -- relative specifiers ------------------------------------------------------------------------
def test_directory_import_probes_index_files() -> None:
    r = resolver({"src/app.ts", "src/services/index.ts"})
    assert r.resolve("src/app.ts", "./services") == ("internal", "src/services/index.ts")


def test_extension_probing_order_depends_on_the_importer() -> None:
    r = resolver({"src/a.ts", "src/a.js", "src/main.ts", "src/main.js"})
    assert r.resolve("src/main.ts", "./a") == ("internal", "src/a.ts")
    assert r.resolve("src/main.js", "./a") == ("internal", "src/a.js")


def test_js_specifier_names_the_typescript_source() -> None:
    r = resolver({"src/app.ts", "src/db/client.ts", "src/util.mts", "src/view.tsx"})
    assert r.resolve("src/app.ts", "./db/client.js") == ("internal", "src/db/client.ts")
    assert r.resolve("src/app.ts", "./util.mjs") == ("internal", "src/util.mts")
    assert r.resolve("src/app.ts", "./view.jsx") == ("internal", "src/view.tsx")


def test_existing_file_with_explicit_extension_and_json() -> None:
    r = resolver({"lib/a.js", "lib/b.cjs", "config/default.json"})
    assert r.resolve("lib/a.js", "./b.cjs") == ("internal", "lib/b.cjs")
    assert r.resolve("lib/a.js", "../config/default.json") == ("internal", "config/default.json")


def test_parent_directory_and_missing_file() -> None:
    r = resolver({"src/a/b.ts", "src/c.ts"})
    assert r.resolve("src/a/b.ts", "../c") == ("internal", "src/c.ts")
    assert r.resolve("src/a/b.ts", "../missing") == ("unresolved", "../missing")


def test_escaping_the_root_is_unresolved() -> None:
    r = resolver({"src/a.ts", "x.ts"})
    assert r.resolve("src/a.ts", "../x") == ("internal", "x.ts")
    assert r.resolve("src/a.ts", "../../x") == ("unresolved", "../../x")
    assert r.resolve("src/a.ts", "/etc/passwd") == ("unresolved", "/etc/passwd")


# -- configuration ------------------------------------------------------------------------------
def test_tsconfig_paths_with_base_url_and_wildcards() -> None:
    config = TsConfig(
        "", "src", (("@/*", ("*",)), ("@db", ("db/client",)), ("@lib/*", ("missing/*", "lib/*")))
    )
    r = resolver({"src/app.ts", "src/services/user.ts", "src/db/client.ts", "src/lib/log.ts"}, [config])
    assert r.resolve("src/app.ts", "@/services/user") == ("internal", "src/services/user.ts")
    assert r.resolve("src/app.ts", "@db") == ("internal", "src/db/client.ts")
    assert r.resolve("src/app.ts", "@lib/log") == ("internal", "src/lib/log.ts")
    assert r.resolve("src/app.ts", "services/user") == ("internal", "src/services/user.ts")
    assert r.resolve("src/app.ts", "@/nowhere") == ("unresolved", "@/nowhere")


def test_paths_without_base_url_are_relative_to_the_tsconfig_directory() -> None:
    config = TsConfig("apps/api", None, (("~/*", ("./src/*",)),))
    r = resolver({"apps/api/src/main.ts", "apps/api/src/repo.ts"}, [config])
    assert r.resolve("apps/api/src/main.ts", "~/repo") == ("internal", "apps/api/src/repo.ts")
    assert r.resolve("apps/api/src/main.ts", "repo") == ("external", "repo")


def test_the_nearest_tsconfig_applies() -> None:
    root = TsConfig("", ".", (("@/*", ("shared/*",)),))
    api = TsConfig("api", ".", (("@/*", ("src/*",)),))
    files = {"shared/x.ts", "api/src/x.ts", "api/src/main.ts", "web/main.ts"}
    r = resolver(files, [root, api])
    assert r.resolve("api/src/main.ts", "@/x") == ("internal", "api/src/x.ts")
    assert r.resolve("web/main.ts", "@/x") == ("internal", "shared/x.ts")


def test_package_json_imports_aliases() -> None:
    package = PackageJson(
        "", "app", (("#db", "./src/db/index.js"), ("#services/*", "./src/services/*.js"), ("#dep", "pg"))
    )
    r = resolver({"src/app.js", "src/db/index.js", "src/services/user.js"}, packages=[package])
    assert r.resolve("src/app.js", "#db") == ("internal", "src/db/index.js")
    assert r.resolve("src/app.js", "#services/user") == ("internal", "src/services/user.js")
    assert r.resolve("src/app.js", "#dep") == ("external", "pg")
    assert r.resolve("src/app.js", "#unknown") == ("unresolved", "#unknown")


def test_module_alias_entries_of_the_package_json() -> None:
    """module-alias's ``_moduleAliases``: an alias alone or followed by ``/``, the longest first; ``@koa/router``
    is not the alias ``@`` (the character after it is no ``/``)."""
    (package, _deps) = read_package_json("package.json", """{
      "dependencies": {"@koa/router": "12"},
      "_moduleAliases": {"@": "./src", "@model": "./src/model", "@lib": "lodash", "@bad": 3}
    }""")
    assert package.aliases == (("@model", "./src/model"), ("@lib", "lodash"), ("@", "./src"))
    r = resolver({"src/main.js", "src/model/index.js", "src/model/User.js", "src/app/db.js"}, packages=[package])
    assert r.resolve("src/main.js", "@model") == ("internal", "src/model/index.js")
    assert r.resolve("src/app/db.js", "@model/User") == ("internal", "src/model/User.js")
    assert r.resolve("src/main.js", "@/app/db") == ("internal", "src/app/db.js")
    assert r.resolve("src/main.js", "@lib/fp") == ("external", "lodash/fp")
    assert r.resolve("src/main.js", "@koa/router") == ("external", "@koa/router")
    assert r.resolve("src/main.js", "@model/Missing") == ("unresolved", "@model/Missing")


def test_node_path_of_the_package_scripts() -> None:
    """``cross-env NODE_PATH=src node …`` (gothinkster's koa-knex-realworld-example): ``require("lib/utils")``
    is ``src/lib/utils.js``; a declared dependency stays the package even when ``src/config`` exists (Node
    reads node_modules before NODE_PATH), and so does a name with no project file."""
    (package, _deps) = read_package_json("package.json", """{
      "scripts": {"start": "cross-env NODE_PATH=src node src/bin/server", "x": "NODE_PATH=/abs:../up node a"},
      "dependencies": {"config": "3", "koa": "2", "@koa/router": "12"}
    }""")
    assert package.node_path == ("src",)
    files = {"src/bin/server.js", "src/lib/utils.js", "src/controllers/index.js", "src/config/index.js"}
    r = resolver(files, packages=[package])
    assert r.resolve("src/bin/server.js", "lib/utils") == ("internal", "src/lib/utils.js")
    assert r.resolve("src/lib/utils.js", "controllers") == ("internal", "src/controllers/index.js")
    assert r.resolve("src/lib/utils.js", "config") == ("external", "config")
    assert r.resolve("src/lib/utils.js", "lodash") == ("external", "lodash")
    assert r.resolve("src/lib/utils.js", "fs") == ("external", "node:fs")
    (plain, _deps) = read_package_json("package.json", '{"scripts": {"start": "node src/index.js"}}')
    assert plain.node_path == () and plain.declared == ()


def test_workspace_package_resolves_into_the_project() -> None:
    packages = [PackageJson("packages/db", "@acme/db", (), "src/index.ts")]
    files = {"apps/api/main.ts", "packages/db/src/index.ts", "packages/db/src/schema.ts"}
    r = resolver(files, packages=packages)
    assert r.resolve("apps/api/main.ts", "@acme/db") == ("internal", "packages/db/src/index.ts")
    assert r.resolve("apps/api/main.ts", "@acme/db/src/schema") == ("internal", "packages/db/src/schema.ts")


# -- external -----------------------------------------------------------------------------------
def test_node_builtins_are_external_with_the_node_prefix() -> None:
    r = resolver({"a.js"})
    assert r.resolve("a.js", "fs") == ("external", "node:fs")
    assert r.resolve("a.js", "node:fs") == ("external", "node:fs")
    assert r.resolve("a.js", "fs/promises") == ("external", "node:fs/promises")


def test_scoped_and_deep_package_specifiers_keep_their_subpath() -> None:
    r = resolver({"a.ts"})
    assert r.resolve("a.ts", "@prisma/client") == ("external", "@prisma/client")
    assert r.resolve("a.ts", "sequelize/lib/utils") == ("external", "sequelize/lib/utils")
    assert r.resolve("a.ts", "~/x") == ("unresolved", "~/x")


def test_results_are_cached_per_directory_and_specifier() -> None:
    files = {"src/a.ts", "src/b.ts", "src/x.ts"}
    r = resolver(files)
    assert r.resolve("src/a.ts", "./x") == r.resolve("src/b.ts", "./x") == ("internal", "src/x.ts")
    assert len(r._cache) == 1


# -- config readers -----------------------------------------------------------------------------
def test_read_tsconfig_accepts_comments_and_trailing_commas() -> None:
    text = """{
      // editor settings
      "extends": "./tsconfig.base.json",
      "compilerOptions": {
        "baseUrl": "./src", /* block */
        "paths": { "@/*": ["*",], "docs": ["https://example.com/x"], "bad": "x" },
      },
    }"""
    assert read_tsconfig("apps/web/tsconfig.json", text) == TsConfig(
        "apps/web", "./src", (("@/*", ("*",)), ("docs", ("https://example.com/x",)))
    )


def test_read_tsconfig_never_raises() -> None:
    assert read_tsconfig("tsconfig.json", "{ nope") == TsConfig("", None, ())
    assert read_tsconfig("jsconfig.json", '{"compilerOptions": []}') == TsConfig("", None, ())


def test_read_package_json_dependencies_with_lines_and_imports_conditions() -> None:
    text = """{
  "name": "api",
  "type": "module",
  "main": "dist/index.js",
  "imports": {
    "#db": { "types": "./db.d.ts", "node": "./src/db.js", "default": "./src/db-browser.js" },
    "#cfg": { "require": "./cfg.cjs", "import": "./cfg.mjs" },
    "#svc/*": "./src/services/*.js"
  },
  "dependencies": {
    "pg": "^8.11.0",
    "@prisma/client": "5.0.0"
  },
  "devDependencies": { "prisma": "5.0.0" },
  "peerDependencies": { "pg": ">=8" },
  "optionalDependencies": { "pg-native": "*" }
}"""
    package, deps = read_package_json("services/api/package.json", text)
    assert package == PackageJson(
        "services/api",
        "api",
        (("#db", "./src/db.js"), ("#cfg", "./cfg.mjs"), ("#svc/*", "./src/services/*.js")),
        "dist/index.js",
        "module",
    )
    path = "services/api/package.json"
    assert deps == [
        Dependency("pg", "^8.11.0", "npm", path, 11),
        Dependency("@prisma/client", "5.0.0", "npm", path, 12),
        Dependency("prisma", "5.0.0", "npm", path, 14, dev=True),
        Dependency("pg", ">=8", "npm", path, 15),
        Dependency("pg-native", "*", "npm", path, 16),
    ]


def test_read_package_json_never_raises() -> None:
    assert read_package_json("package.json", "not json") == (PackageJson("", "", ()), [])
    assert read_package_json("package.json", '{"dependencies": ["pg"], "imports": 3}') == (
        PackageJson("", "", ()),
        [],
    )
