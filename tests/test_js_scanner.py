"""The byte-level JS/TS head scanner (``js_scanner``) against the tree-sitter frontend.

Every snippet is read by both: where the scanner answers, its imports, archlint comments, lines
and problems must be the frontend's; where it cannot be sure it must hand the file back (``None``)
— and the shapes it is meant to read must not be handed back, or the fast path is lost.
Whole trees: ``bench/scanner_equivalence.py`` (effect 4.1.5's sources and the precision corpus's
npm packages: 0 differences), and ``test_scanner_equivalence.py`` when trees are given.
"""

from __future__ import annotations

import pytest

from archlint.adapters.frontends.javascript import extract
from archlint.adapters.frontends.js_scanner import compare_file, js_head
from archlint.domain.facts import RUNTIME, TYPE_ONLY

# Shapes the scanner reads itself (the file must not be handed back).
SCANNED = {
    "default-namespace-named": b'import a from "./a";\nimport * as ns from "./ns.ts";\nimport { b, c as d } from \'./bc\'\n',
    "default-and-named": b'import React, { useState, type FC } from "react";\n',
    "type-only": b'import type { A } from "./a";\nimport { type B, type C } from "./bc";\nimport type * as T from "./t";\n',
    "side-effect": b'import "./polyfill";\nimport\'./x\'\n',
    "re-exports": (b'export * from "./a";\nexport * as b from "./b";\nexport { c, d as e } from "./cd";\n'
                   b'export type { F } from "./f";\nexport { type G, H } from "./gh";\nexport { default } from "./i";\n'),
    "local-exports": b'const a = 1;\nexport { a };\nexport const b = 2;\nexport default function f() {}\nexport type T = {};\n',
    "multi-line-with-comments": (b'import {\n  // the first\n  a, /* b */ b,\n  c as d, // last\n} from "./m"\n'
                                 b'export {\n  /** docs {@link x} } from */\n  e,\n} from "./n";\n'),
    "strings-comments-templates": (b'// import x from "./no"\n/* export * from "./no" */\nconst s = "import y from \'./no\'";\n'
                                   b'const t = `import ${"z"} from "./no" ${`nested ${1}`}`;\n'
                                   b'const r = /import "x"/g, q = a / b / c;\nimport real from "./yes";\n'),
    "import-meta-and-properties": b'import x from "./x";\nconst u = import.meta.url;\ninterface I { readonly import: string }\n',
    "names-like-type": b'import { types as t, typeOf } from "./t";\nimport { type } from "./u";\n',
    "suppressions": b'import a from "./a"; // archlint: ignore AL101\n/* archlint-ignore AL104 */\nexport * from "./b";\n',
    "no-semicolon-asi": b'import a from "./a"\nimport b from "./b"\nexport * from "./c"\n',
    "non-ascii": 'const café = "ü"; // ✅\nimport { é } from "./é.ts";\n'.encode(),
    "crlf": b'import a from "./a";\r\nexport { b } from "./b"\r\n',
    "hashbang": b'#!/usr/bin/env node\nimport a from "./a";\n',
    "regex-after-keyword": b'function f(s) { return /\'/.test(s) }\nimport a from "./a";\n',
}

# Shapes the scanner must hand to the frontend (their answer needs the tree).
DEFERRED = {
    "require": b'const a = require("./a");\nfunction f() { return require("./b") }\n',
    "spread-require": b'module.exports = { ...require("./a") };\n',
    "dynamic-import": b'const m = await import("./m");\n',
    "member-dynamic-import": b'const ms = [...import.meta.x, ...(await import("./m")).default];\n',
    "decorator": b'import { Entity } from "typeorm";\nimport { User } from "./user";\n@Entity()\nexport class Post { author: User }\n',
    "import-equals": b'import fs = require("fs");\n',
    "import-attributes": b'import data from "./data.json" with { type: "json" };\n',
    "string-name": b'import { "a-b" as c } from "./m";\n',
    "type-default-name": b'import type from "./t";\n',
    "export-type-star": b'export type * from "./j";\n',  # the grammar reads a runtime re-export: its call
    "regex-or-division": b'if (x) /"/.test(y);\nimport a from "./a";\n',
    "unterminated-string": b'const s = "abc\nimport a from "./a";\n',
    "jsx": b'import React from "react";\nconst e = <div>don\'t</div>;\n',
    "html-comment": b'<!-- x\nimport a from "./a";\n',
}


@pytest.mark.parametrize("name", sorted(SCANNED))
def test_the_scanner_reads_these_shapes_as_the_frontend_does(name):
    source = SCANNED[name]
    path = "src/m.js" if name == "hashbang" else "src/m.ts"
    language = "javascript" if path.endswith(".js") else "typescript"
    assert js_head(path, source, language, signals=False) is not None, "handed back: the fast path is lost"
    assert compare_file(path, source, language) == ""


@pytest.mark.parametrize("name", sorted(DEFERRED))
def test_the_scanner_hands_these_shapes_to_the_frontend(name):
    path = "src/m.js" if name == "jsx" else "src/m.ts"
    language = "javascript" if name == "jsx" else "typescript"
    assert js_head(path, DEFERRED[name], language, signals=False) is None


def test_kinds_and_names_of_a_scanned_head():
    head = js_head("src/m.ts", SCANNED["type-only"] + SCANNED["default-and-named"], "typescript", signals=False)
    assert [(i.module, i.names, i.kind) for i in head.imports] == [
        ("./a", ("A",), TYPE_ONLY), ("./bc", ("B", "C"), TYPE_ONLY), ("./t", ("*",), TYPE_ONLY),
        ("react", ("default", "useState", "FC"), RUNTIME),
    ]
    assert head.signals is None and not head.syntax_checked and not head.has_body


def test_data_layer_candidates_go_to_the_frontend_when_bodies_are_read():
    sql = b'import { pool } from "./db";\nexport const q = () => pool.query("SELECT * FROM users");\n'
    url = b'export const url = "postgres://localhost/app";\n'
    define = b'export default (sequelize) => sequelize.define("User", { name: 1 });\n'
    for source in (sql, url, define):
        assert js_head("src/m.ts", source, "typescript", signals=False) is not None  # layers only: no signal asked
        assert js_head("src/m.ts", source, "typescript", signals=True) is None
        assert extract("src/m.ts", source, "typescript", full=False).signals == "sql"
    # a look-alike: a URL in a comment, a web URL in a string, SQL words in prose, `file:` as a key
    plain = (b'// see https://example.com/docs\nconst home = "https://example.com";\nconst msg = "selection made";\n'
             b'const o = { file: home };\nimport a from "./a";\n')
    head = js_head("src/m.ts", plain, "typescript", signals=True)
    assert head is not None and head.signals == ""
    assert compare_file("src/m.ts", plain, "typescript") == ""


def test_a_barrel_is_left_to_the_frontend_when_rules_read_bodies():
    """The deep scope (domain/callers.py) follows a name through ``export … from`` in the body: a run
    whose rules read bodies gets the barrel from the frontend's one parse; a layers-only run does not."""
    barrel = b"export * from './repo.js';\nexport { findUser as lookup } from './repo.js';\n"
    assert js_head("src/index.js", barrel, "javascript", signals=True) is None
    head = js_head("src/index.js", barrel, "javascript", signals=False)
    assert head is not None and [i.module for i in head.imports] == ["./repo.js", "./repo.js"]
