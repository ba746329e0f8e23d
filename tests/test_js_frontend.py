"""The JS/TS frontend: every import shape, bindings, calls, strings, definitions, problems."""

from __future__ import annotations

import textwrap

from archlint.adapters.frontends.javascript import extract
from archlint.domain.facts import (
    Argument,
    Binding,
    FileFacts,
    Hole,
    Import,
    Parameter,
    Span,
)


def js(source: str, path: str = "src/app.js") -> FileFacts:
    return extract(path, textwrap.dedent(source).encode(), "javascript")


def ts(source: str, path: str = "src/app.ts") -> FileFacts:
    return extract(path, textwrap.dedent(source).encode(), "typescript")


def imports(facts: FileFacts) -> list[tuple[str, tuple[str, ...], str]]:
    return [(i.module, i.names, i.kind) for i in facts.imports]


def call(facts: FileFacts, callee: str):
    matches = [c for c in facts.calls if c.callee == callee]
    assert len(matches) == 1, [c.callee for c in facts.calls]
    return matches[0]


# -- imports ------------------------------------------------------------------------------------
def test_multi_line_named_import_is_one_import_spanning_its_lines() -> None:
    facts = ts(
        """\
        import {
          UserService,
          OrderService as Orders,
        } from '../services';
        """
    )
    assert facts.imports == [
        Import("../services", ("UserService", "OrderService"), "runtime", Span(1, 1, 4, 22))
    ]


def test_default_namespace_and_mixed_default_named_imports() -> None:
    facts = ts(
        """\
        import db from './db';
        import * as models from './models';
        import express, { Router } from 'express';
        """
    )
    assert imports(facts) == [
        ("./db", ("default",), "runtime"),
        ("./models", ("*",), "runtime"),
        ("express", ("default", "Router"), "runtime"),
    ]


def test_side_effect_import_has_no_names() -> None:
    assert imports(js("import './polyfills';\n")) == [("./polyfills", (), "runtime")]


def test_import_type_and_all_inline_type_specifiers_are_type_only() -> None:
    facts = ts(
        """\
        import type { User } from './models/user';
        import { type Order, type Item } from './models/order';
        import { type Repo, createRepo } from './repo';
        """
    )
    assert imports(facts) == [
        ("./models/user", ("User",), "type-only"),
        ("./models/order", ("Order", "Item"), "type-only"),
        ("./repo", ("Repo", "createRepo"), "runtime"),
    ]


def test_export_from_forms_are_runtime_imports() -> None:
    facts = ts(
        """\
        export { UserService as Users } from './user.service';
        export * from './order.service';
        export * as db from './db';
        export type { Row } from './types';
        """
    )
    assert imports(facts) == [
        ("./user.service", ("UserService",), "runtime"),
        ("./order.service", ("*",), "runtime"),
        ("./db", ("*",), "runtime"),
        ("./types", ("Row",), "type-only"),
    ]
    assert facts.exports == ["Users", "db", "Row"]


def test_require_at_module_level_is_runtime_and_in_function_is_lazy() -> None:
    facts = js(
        """\
        const express = require('express');
        function handler() {
          const db = require('./db');
        }
        app.get('/', (req, res) => require('./views'));
        """
    )
    assert imports(facts) == [
        ("express", (), "runtime"),
        ("./db", (), "lazy"),
        ("./views", (), "lazy"),
    ]


def test_await_dynamic_import_is_dynamic_and_binds_its_result() -> None:
    facts = ts(
        """\
        export async function load() {
          const svc = await import('../services/x');
        }
        """
    )
    assert imports(facts) == [("../services/x", (), "dynamic")]
    assert facts.imports[0].span == Span(2, 21, 2, 44)
    assert facts.bindings == [Binding("svc", "../services/x:", 2)]


def test_non_literal_require_and_import_are_opaque_with_argument_text() -> None:
    facts = js(
        """\
        const plugin = require(name);
        const view = require(`./views/${page}`);
        import('./locales/' + lang);
        const fixed = require(`./fixed`);
        """
    )
    assert imports(facts) == [
        ("name", (), "opaque"),
        ("`./views/${page}`", (), "opaque"),
        ("'./locales/' + lang", (), "opaque"),
        ("./fixed", (), "runtime"),
    ]


def test_typescript_import_equals_require_is_runtime_and_binds() -> None:
    facts = ts("import fs = require('fs');\n")
    assert imports(facts) == [("fs", (), "runtime")]
    assert facts.bindings == [Binding("fs", "fs:", 1)]


def test_each_statement_is_its_own_import() -> None:
    facts = js("import a from 'x';\nimport { b } from 'x';\n")
    assert imports(facts) == [("x", ("default",), "runtime"), ("x", ("b",), "runtime")]


def test_require_without_arguments_and_member_require_are_not_imports() -> None:
    assert js("require();\nrequire.resolve('x');\n").imports == []


# -- bindings -----------------------------------------------------------------------------------
def test_bindings_of_every_import_shape() -> None:
    facts = ts(
        """\
        import x from 'm1';
        import { a as b } from 'm2';
        import * as ns from 'm3';
        const r = require('m4');
        const { c, d: e } = require('m5');
        const y = require('m6').y;
        """
    )
    assert [(b.name, b.target, b.line) for b in facts.bindings] == [
        ("x", "m1:default", 1),
        ("b", "m2:a", 2),
        ("ns", "m3:", 3),
        ("r", "m4:", 4),
        ("c", "m5:c", 5),
        ("e", "m5:d", 5),
        ("y", "m6:y", 6),
    ]
    assert imports(facts)[-2:] == [("m5", ("c", "d"), "runtime"), ("m6", ("y",), "runtime")]


# -- calls --------------------------------------------------------------------------------------
def test_call_resolution_through_an_aliased_import() -> None:
    facts = ts(
        """\
        import { Sequelize as S, Op } from 'sequelize';
        const q = S.literal(x);
        const w = { [Op.gte]: 1 };
        """
    )
    site = call(facts, "S.literal")
    assert site.resolved == "sequelize:Sequelize.literal"
    assert site.args_text == "x"
    assert site.scope == ""


def test_resolution_of_namespace_default_and_new_expressions() -> None:
    facts = js(
        """\
        import * as db from './db';
        import knex from 'knex';
        const { PrismaClient } = require('@prisma/client');
        db.User.findAll();
        knex('users').where({ id: 1 });
        const prisma = new PrismaClient({ log: ['query'] });
        unknown();
        """
    )
    assert call(facts, "db.User.findAll").resolved == "./db:User.findAll"
    assert call(facts, "knex").resolved == "knex:default"
    assert call(facts, "knex().where").resolved == "knex:default().where"
    created = call(facts, "PrismaClient")
    assert created.resolved == "@prisma/client:PrismaClient"
    assert created.args_text == "{ log: ['query'] }"
    assert call(facts, "unknown").resolved is None


def test_callee_normalisation_of_chains_optional_calls_and_compiled_wrappers() -> None:
    facts = js(
        """\
        prisma?.user
          .findMany();
        (0, db_1.query)('SELECT 1');
        (function () {})();
        """
    )
    assert [c.callee for c in facts.calls] == ["prisma.user.findMany", "db_1.query", "<function>"]


def test_arguments_are_split_on_demand_with_literals() -> None:
    site = call(js("db.query('SELECT * FROM t WHERE id = ?', [id], { raw: true });\n"), "db.query")
    assert site.arguments() == (
        Argument("", "'SELECT * FROM t WHERE id = ?'", "SELECT * FROM t WHERE id = ?"),
        Argument("", "[id]", None),
        Argument("", "{ raw: true }", None),
    )


def test_tagged_template_is_a_call_with_the_template_as_argument() -> None:
    site = call(ts("import { Prisma } from '@prisma/client';\nPrisma.sql`SELECT 1`;\n"), "Prisma.sql")
    assert site.resolved == "@prisma/client:Prisma.sql"
    assert site.args_text == "`SELECT 1`"


def test_scopes_of_functions_methods_arrows_and_callbacks() -> None:
    facts = ts(
        """\
        export async function getUser(id: string) {
          db.a();
          items.map((x) => db.b(x));
        }
        const list = async () => db.c();
        router.get('/x', async (req, res) => db.d());
        class Repo {
          find() { db.e(); }
          handler = () => db.f();
          field = db.g();
        }
        db.h();
        """
    )
    assert [(c.callee, c.scope) for c in facts.calls if c.callee.startswith("db.")] == [
        ("db.a", "getUser"),
        ("db.b", "getUser.<anonymous>"),
        ("db.c", "list"),
        ("db.d", "<anonymous>"),
        ("db.e", "Repo.find"),
        ("db.f", "Repo.handler"),
        ("db.g", "Repo"),
        ("db.h", ""),
    ]


# -- strings ------------------------------------------------------------------------------------
def test_template_literal_holes_replace_interpolations() -> None:
    facts = js(
        "async function f(id) {\n  return db.query(`SELECT * FROM users WHERE id = ${id} AND org = ${req.org}`);\n}\n"
    )
    (lit,) = facts.strings
    assert lit.text == "SELECT * FROM users WHERE id = {} AND org = {}"
    assert lit.kind == "template"
    assert lit.holes == (Hole("id", 31), Hole("req.org", 44))
    assert lit.scope == "f"
    assert lit.span == Span(2, 19, 2, 78)


def test_tagged_templates_name_their_tag() -> None:
    facts = ts(
        "const rows = await prisma.$queryRaw(Prisma.sql`\n  DELETE FROM t WHERE a = ${a}`);\nsql`UPDATE t SET x = 1`;\n"
    )
    assert [(s.kind, s.tag, s.text, s.holes) for s in facts.strings] == [
        ("tagged", "Prisma.sql", "\n  DELETE FROM t WHERE a = {}", (Hole("a", 27),)),
        ("tagged", "sql", "UPDATE t SET x = 1", ()),
    ]


def test_only_sql_and_db_url_strings_are_kept() -> None:
    facts = js(
        """\
        const a = "select id from users";
        const b = 'hello world';
        const c = "postgres://app:secret@db:5432/app";
        const d = 'file:./dev.db';
        // "DELETE FROM users" in a comment is not a string
        const e = 'it\\'s ( INSERT INTO t VALUES (1)';
        const f = 'https://example.com';
        const g = 'Update your profile';
        """
    )
    assert [(s.text, s.kind) for s in facts.strings] == [
        ("select id from users", "plain"),
        ("postgres://app:secret@db:5432/app", "plain"),
        ("file:./dev.db", "plain"),
    ]


def test_escapes_are_decoded_in_plain_strings() -> None:
    facts = js("q('SELECT \\'a\\'\\tFROM t');\n")
    assert facts.strings[0].text == "SELECT 'a'\tFROM t"


# -- classes and functions ----------------------------------------------------------------------
def test_typescript_decorators_bases_and_attributes() -> None:
    facts = ts(
        """\
        import { Model as BaseModel } from 'sequelize-typescript';
        @Table({ tableName: 'users' })
        export class User extends BaseModel<User> implements Auditable {
          @Column() name: string;
          static count = 0;
          constructor(private readonly repo: Repo, plain: number) { super(); }
        }
        """
    )
    (cls,) = facts.classes
    assert cls.name == "User"
    assert cls.bases == ("BaseModel",)
    assert cls.resolved_bases == ("sequelize-typescript:Model",)
    assert cls.decorators == ("Table({ tableName: 'users' })",)
    assert cls.attributes == ("name", "count", "repo")
    assert cls.span == Span(3, 8, 7, 2)


def test_javascript_class_extending_a_member_expression() -> None:
    facts = js(
        "const { Model } = require('sequelize');\nclass User extends db.Model {}\nclass Post extends Model {}\n"
    )
    assert [(c.name, c.bases, c.resolved_bases) for c in facts.classes] == [
        ("User", ("db.Model",), (None,)),
        ("Post", ("Model",), ("sequelize:Model",)),
    ]


def test_functions_methods_and_bound_arrows() -> None:
    facts = ts(
        """\
        @Controller('users')
        export class UsersController {
          @Get(':id')
          @UseGuards(AuthGuard)
          async findOne(id: string, limit = 10): Promise<User> {}
        }
        export const getUser = async (req: Request) => {};
        function plain(a, { b }) {}
        const handlers = { list(req) {}, remove: function (req) {} };
        app.use((req, res, next) => next());
        """
    )
    assert [(f.qualname, f.decorators, f.params_text, f.is_async) for f in facts.functions] == [
        ("UsersController.findOne", ("Get(':id')", "UseGuards(AuthGuard)"), "id: string, limit = 10", True),
        ("getUser", (), "req: Request", True),
        ("plain", (), "a, { b }", False),
        ("list", (), "req", False),
        ("remove", (), "req", False),
    ]
    assert facts.functions[0].parameters() == (
        Parameter("id", "string", ""),
        Parameter("limit", "", "10"),
    )


def test_single_parameter_arrow_keeps_its_parameter() -> None:
    (fn,) = js("const double = x => x * 2;\n").functions
    assert (fn.name, fn.params_text, fn.span) == ("double", "x", Span(1, 16, 1, 26))


# -- exports ------------------------------------------------------------------------------------
def test_esm_and_commonjs_exports() -> None:
    facts = js(
        """\
        export const a = 1, { b, c: d } = obj;
        export function f() {}
        export class C {}
        export { g, h as i };
        export default function () {}
        module.exports = { a };
        exports.j = 1;
        module.exports.k = 2;
        """
    )
    assert facts.exports == ["a", "b", "d", "f", "C", "g", "i", "default", "default", "j", "k"]


def test_typescript_export_assignment_and_declarations() -> None:
    facts = ts(
        "export interface I {}\nexport type T = 1;\nexport enum E { A }\nexport declare const z: number;\nexport = I;\n"
    )
    assert facts.exports == ["I", "T", "E", "z", "default"]


# -- problems, suppressions, lines --------------------------------------------------------------
def test_syntax_error_is_al001_at_the_offending_token_and_facts_survive() -> None:
    facts = js("const a = require('a');\nfunction f() {\n  g(1));\n}\n")
    assert [(p.rule, p.message, p.span) for p in facts.problems] == [
        ("AL001", "syntax error: unexpected `)`", Span(3, 7, 3, 8))
    ]
    assert imports(facts) == [("a", (), "runtime")]
    assert [(c.callee, c.scope) for c in facts.calls] == [("require", ""), ("g", "f")]


def test_missing_closing_brace_is_reported_as_missing() -> None:
    facts = js("function f() {\n  if (x) {\n    g(1);\n}\n")
    assert [(p.rule, p.message, p.span.line) for p in facts.problems] == [
        ("AL001", "syntax error: missing `}`", 4)
    ]


def test_minified_file_is_skipped_with_al004_and_no_facts() -> None:
    facts = js("var a=require('a');" * 400)
    assert [p.rule for p in facts.problems] == ["AL004"]
    assert facts.problems[0].span == Span(1, 1, 1, 1)
    assert (facts.imports, facts.calls, facts.lines, facts.parsed) == ([], [], 1, False)


def test_non_utf8_file_is_al003_and_still_analysed() -> None:
    facts = extract("src/a.js", b"const s = '\xe9t\xe9';\nconst db = require('./db');\n", "javascript")
    assert [(p.rule, p.span.line) for p in facts.problems] == [("AL003", 1)]
    assert imports(facts) == [("./db", (), "runtime")]
    assert facts.parsed


def test_empty_file_has_no_facts_and_no_problems() -> None:
    facts = extract("src/empty.ts", b"", "typescript")
    assert facts == type(facts)(path="src/empty.ts", language="typescript", content_hash="")


def test_suppression_comments_are_collected_with_their_line() -> None:
    facts = js(
        "// archlint-ignore: db-in-controller\nconst x = 1; /* archlint: ignore */\nconst s = 'archlint-ignore';\n"
    )
    assert facts.suppressions == [
        (1, "// archlint-ignore: db-in-controller"),
        (2, "/* archlint: ignore */"),
    ]


def test_line_count_and_character_columns_after_non_ascii_text() -> None:
    facts = js("const é = 'ü'; foo();\n")
    assert facts.lines == 1
    assert facts.calls[0].span == Span(1, 16, 1, 21)


def test_grammar_follows_the_file_extension() -> None:
    component = "const App = () => <div>{api.get('/x')}</div>;\n"
    assert js(component, "src/App.jsx").problems == []
    assert ts(component, "src/App.tsx").problems == []
    assert [p.rule for p in ts(component, "src/App.ts").problems] == ["AL001"]
    assert ts("const n = <number>value;\n", "src/a.mts").problems == []


def test_using_as_a_variable_name_is_not_a_syntax_error() -> None:
    # knex's query compiler: tree-sitter reads `using` as a declaration keyword there
    facts = extract("lib/compiler.js", b"let using = '';\nusing += (using ? ',' : 'using ') + joins;\n", "javascript")
    assert facts.problems == []
    broken = extract("lib/compiler.js", b"let using = '';\nusing += 'x';\nfunction f(( {\n", "javascript")
    assert [(p.rule, p.span.line) for p in broken.problems] == [("AL001", 3)]


def test_decorated_entities_import_each_other_deferred_but_load_time_reads_stay_runtime():
    article = ts('''
        import { Column, Entity, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
        import { User } from '../users/user.entity';

        @Entity('articles')
        export class Article {
          @PrimaryGeneratedColumn()
          id: number;

          @ManyToOne(() => User, (user) => user.articles)
          author: User;
        }
    ''', "src/articles/article.entity.ts")
    assert imports(article) == [("typeorm", ("Column", "Entity", "ManyToOne", "PrimaryGeneratedColumn"), "runtime"),
                                ("../users/user.entity", ("User",), "deferred")]
    service = ts('''
        import { Injectable } from '@nestjs/common';
        import { InjectRepository } from '@nestjs/typeorm';
        import { Repository } from 'typeorm';
        import { Article } from './article.entity';
        import { UsersService } from '../users/users.service';
        import { Base } from './base';
        import { slugify } from './slug';

        @Injectable()
        export class ArticlesService extends Base {
          constructor(
            @InjectRepository(Article) private readonly articles: Repository<Article>,
            private readonly users: UsersService,
          ) {
            super();
          }

          create(title: string) {
            return this.articles.save({ title, slug: slugify(title) });
          }
        }
    ''', "src/articles/articles.service.ts")
    kinds = {module: kind for module, _names, kind in imports(service)}
    assert kinds["./article.entity"] == "runtime"  # a parameter decorator's argument runs at load
    assert kinds["../users/users.service"] == "runtime"  # a constructor parameter type: design:paramtypes
    assert kinds["./base"] == "runtime"  # extends
    assert kinds["./slug"] == "deferred"  # read only in a method


def test_compiled_commonjs_requires_read_only_in_functions_are_deferred():
    # tsc's ES5 output of a TypeORM entity: `customer_1` is read only in the relation's arrow (run later);
    # `country_1` in `__metadata("design:type", …)` and `base_1` as the class's base run while the module loads
    facts = js('''
        "use strict";
        Object.defineProperty(exports, "__esModule", { value: true });
        var typeorm_1 = require("typeorm");
        var customer_1 = require("./customer");
        var country_1 = require("./country");
        var base_1 = __importDefault(require("./base"));
        var helpers_1 = require("./helpers");
        var Address = /** @class */ (function (_super) {
            __extends(Address, _super);
            function Address() { return _super.apply(this, arguments) || this; }
            Address.prototype.label = function () { return helpers_1.format(this); };
            __decorate([
                (0, typeorm_1.ManyToOne)(function () { return customer_1.Customer; }),
                __metadata("design:type", country_1.Country)
            ], Address.prototype, "customer", void 0);
            return Address;
        }(base_1.default));
        exports.Address = Address;
    ''')
    kinds = {module: kind for module, _names, kind in imports(facts)}
    assert kinds == {"typeorm": "runtime", "./customer": "deferred", "./country": "runtime", "./base": "runtime",
                     "./helpers": "deferred"}


def test_hand_written_commonjs_requires_stay_runtime():
    # without the compiled-ESM marker a target may replace `module.exports`: the early binding would hold the stale object
    facts = js('''
        const customer = require('./customer');

        function find(id) {
          return customer.byId(id);
        }
        module.exports = { find };
    ''')
    assert imports(facts) == [("./customer", (), "runtime")]


def test_undecorated_modules_keep_runtime_imports():
    facts = ts('''
        import { helper } from './helper';

        export function run() {
          return helper();
        }
    ''')
    assert imports(facts) == [("./helper", ("helper",), "runtime")]
