"""npm packages ship the JavaScript tsc emitted, not their TypeScript: decorators become `__decorate(…)` calls after the
class, `for…of` over an array becomes `__values(xs)` and `.next()` steps.  The model reads them as the source
meant: a compiled TypeORM entity is an entity, and an element of a constant list iterated by `__values` is constant."""

from __future__ import annotations

import textwrap

from archlint.application.pipeline import Options, run_check
from archlint.domain.ir_format import render
from test_ir_javascript import klass, lower_source

_HELPERS = """\
"use strict";
var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) { return target; };
var __metadata = (this && this.__metadata) || function (k, v) { };
"""

_USER = _HELPERS + """\
const typeorm_1 = require("typeorm");
let User = class User extends typeorm_1.BaseEntity {
    normalise() { this.username = this.username.toLowerCase(); }
};
exports.User = User;
__decorate([
    (0, typeorm_1.PrimaryGeneratedColumn)(),
    __metadata("design:type", Number)
], User.prototype, "id", void 0);
__decorate([
    (0, typeorm_1.Column)({ unique: true }),
    __metadata("design:type", String)
], User.prototype, "username", void 0);
__decorate([
    (0, typeorm_1.BeforeInsert)(),
    __metadata("design:type", Function)
], User.prototype, "normalise", null);
exports.User = User = __decorate([
    (0, typeorm_1.Entity)()
], User);
"""

_DTO = _HELPERS + """\
const typeorm_1 = require("typeorm");
class UserDto {
}
exports.UserDto = UserDto;
__decorate([
    (0, typeorm_1.Column)(),
    __metadata("design:type", String)
], UserDto.prototype, "username", void 0);
"""

_APP = """\
"use strict";
const express = require("express");
const typeorm_1 = require("typeorm");
const user_1 = require("./models/user");
const dto_1 = require("./models/dto");
const dataSource = new typeorm_1.DataSource({ type: "postgres", url: process.env.DATABASE_URL, entities: [user_1.User] });
const app = express();
app.get("/api/users/:id", async (req, res) => {
    const user = await dataSource.getRepository(user_1.User).findOneBy({ id: Number(req.params.id) });
    res.json({ username: user.username });
});
app.get("/api/dtos/:id", async (req, res) => {
    const dto = await dataSource.getRepository(dto_1.UserDto).findOneBy({ id: Number(req.params.id) });
    res.json({ username: dto.username });
});
app.listen(3000);
"""


def test_compiled_decorators_are_the_members_and_the_class_decorators():
    module = lower_source(_USER)
    user = klass(module, "User")
    assert [render(d) for d in user.decorators] == ["typeorm_1.Entity()"]
    assert {f.name: render(f.decorators[0]) for f in user.fields} == {
        "id": "typeorm_1.PrimaryGeneratedColumn()", "username": "typeorm_1.Column({unique: True})"}
    method = next(f for f in module.functions if f is not None and f.name == "normalise")
    assert render(method.decorators[0]) == "typeorm_1.BeforeInsert()"  # a method decorator stays the method's


def _write(root, files: dict) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def test_a_compiled_typeorm_entity_is_an_entity_and_a_decorated_dto_is_not(tmp_path):
    _write(tmp_path, {
        "package.json": '{"name": "x", "dependencies": {"express": "^4", "typeorm": "^0.3", "pg": "^8"}}',
        "src/models/user.js": _USER, "src/models/dto.js": _DTO, "src/app.js": _APP,
    })
    report = run_check([str(tmp_path)], Options(use_cache=False))
    assert sorted(m.name for m in report.context.program.schema.models.values()) == ["User"]
    unchecked = [(f.path, f.line) for f in report.findings if f.rule == "AL220"]
    assert unchecked == [("src/app.js", 10)]  # the entity's lookup; the Dto (no @Entity) is no model


_MIGRATION = """\
"use strict";
var __values = (this && this.__values) || function (o) {
    var s = typeof Symbol === "function" && Symbol.iterator, m = s && o[s], i = 0;
    if (m) return m.call(o);
    return { next: function () { return { value: o && o[i++], done: !o }; } };
};
const COUNTRIES = [{ iso2: "dk", name: "Denmark" }, { iso2: "us", name: "United States" }];
class SeedCountries {
    async up(queryRunner) {
        var _a = __values(COUNTRIES), _b = _a.next();
        for (; !_b.done; _b = _a.next()) {
            var c = _b.value;
            await queryRunner.query("INSERT INTO country (iso_2) VALUES ('".concat(c.iso2, "')"));
        }
    }
}
exports.SeedCountries = SeedCountries;
class TagCleanup {
    constructor(manager) { this.manager = manager; }
    async remove(names) {
        var _a = __values(names), _b = _a.next();
        for (; !_b.done; _b = _a.next()) {
            var name = _b.value;
            await this.manager.query("DELETE FROM tag WHERE name = '".concat(name, "'"));
        }
    }
}
exports.TagCleanup = TagCleanup;
"""


_ES5_HELPERS = _HELPERS + """\
var __extends = (this && this.__extends) || function (d, b) { d.prototype = Object.create(b.prototype); };
"""

# tsc with `target: "es5"` (what @medusajs/medusa@1 ships): a class is an IIFE taking its base
_ES5_USER = _ES5_HELPERS + """\
var typeorm_1 = require("typeorm");
var User = /** @class */ (function (_super) {
    __extends(User, _super);
    function User() {
        return _super !== null && _super.apply(this, arguments) || this;
    }
    User.prototype.normalise = function () { this.username = this.username.toLowerCase(); };
    User.byName = function (name) { return name; };
    __decorate([
        (0, typeorm_1.PrimaryGeneratedColumn)(),
        __metadata("design:type", Number)
    ], User.prototype, "id", void 0);
    __decorate([
        (0, typeorm_1.Column)({ unique: true }),
        __metadata("design:type", String)
    ], User.prototype, "username", void 0);
    __decorate([
        (0, typeorm_1.BeforeInsert)(),
        __metadata("design:type", Function)
    ], User.prototype, "normalise", null);
    User = __decorate([
        (0, typeorm_1.Entity)()
    ], User);
    return User;
}(typeorm_1.BaseEntity));
exports.User = User;
"""

# the same shape without `@Entity()`, and a module-pattern IIFE returning a function (no `/** @class */`, no base)
_ES5_DTO = _ES5_HELPERS + """\
var typeorm_1 = require("typeorm");
var UserDto = /** @class */ (function () {
    function UserDto() {
    }
    __decorate([
        (0, typeorm_1.Column)(),
        __metadata("design:type", String)
    ], UserDto.prototype, "username", void 0);
    return UserDto;
}());
exports.UserDto = UserDto;
var counter = (function () {
    function counter() { return 1; }
    return counter;
}());
exports.counter = counter;
"""


def test_an_es5_compiled_class_is_a_class_with_its_base_methods_and_decorators():
    module = lower_source(_ES5_USER)
    user = klass(module, "User")
    assert [render(b) for b in user.bases] == ["typeorm_1.BaseEntity"]
    assert [render(d) for d in user.decorators] == ["typeorm_1.Entity()"]
    assert {f.name: render(f.decorators[0]) for f in user.fields} == {
        "id": "typeorm_1.PrimaryGeneratedColumn()", "username": "typeorm_1.Column({unique: True})"}
    methods = {module.functions[fid].name: module.functions[fid] for fid in user.methods}
    assert sorted(methods) == ["byName", "constructor", "normalise"]
    assert methods["byName"].is_static and not methods["normalise"].is_static
    assert render(methods["normalise"].decorators[0]) == "typeorm_1.BeforeInsert()"
    dto = lower_source(_ES5_DTO)
    assert [c.name for c in dto.classes] == ["UserDto"]  # `counter`'s IIFE is no class


def test_an_es5_compiled_typeorm_entity_is_an_entity_and_a_decorated_dto_is_not(tmp_path):
    _write(tmp_path, {
        "package.json": '{"name": "x", "dependencies": {"express": "^4", "typeorm": "^0.3", "pg": "^8"}}',
        "src/models/user.js": _ES5_USER, "src/models/dto.js": _ES5_DTO, "src/app.js": _APP,
    })
    report = run_check([str(tmp_path)], Options(use_cache=False))
    assert sorted(m.name for m in report.context.program.schema.models.values()) == ["User"]
    unchecked = [(f.path, f.line) for f in report.findings if f.rule == "AL220"]
    assert unchecked == [("src/app.js", 10)]


def test_an_element_of_a_constant_list_iterated_by_values_is_constant(tmp_path):
    _write(tmp_path, {
        "package.json": '{"name": "x", "dependencies": {"typeorm": "^0.3", "pg": "^8"}}',
        "src/migrations/1700000000000-seed.js": _MIGRATION,
    })
    report = run_check([str(tmp_path)], Options(use_cache=False))
    spliced = [(f.line, f.message.split("`")[1]) for f in report.findings if f.rule == "AL502"]
    assert spliced == [(24, "name")]  # the parameter's elements are the caller's; the constant list's are fixed


_SEED_FROM_PACKAGE = """\
"use strict";
var __values = (this && this.__values) || function (o) { return o[Symbol.iterator](); };
var __read = (this && this.__read) || function (o, n) { return Array.from(o).slice(0, n); };
var data_1 = require("@acme/reference-data");
class SeedRegions {
    async down(queryRunner) {
        var _a, _b, _c, _d, _e, _k, region;
        _a = __values(data_1.regions), _b = _a.next();
        for (; !_b.done; _b = _a.next()) {
            region = _b.value;
            await queryRunner.query("DELETE FROM region WHERE code = '".concat(region.code, "'"));
        }
        _d = __values(Object.entries(data_1.currencies)), _e = _d.next();
        for (; !_e.done; _e = _d.next()) {
            _c = __read(_e.value, 2), _k = _c[0], region = _c[1];
            await queryRunner.query("DELETE FROM currency WHERE code = '".concat(region.code.toLowerCase(), "'"));
        }
    }
}
exports.SeedRegions = SeedRegions;
"""


def test_elements_and_entries_of_a_package_table_iterated_by_values_are_that_packages_data(tmp_path):
    """The compiled `for (const r of regions)` / `for (const [k, c] of Object.entries(currencies))` of a migration
    seeding reference data another package exports (tsc names each loop's iterator apart and declares the element
    once for the function): no input reaches the SQL text (AL502 stays silent)."""
    _write(tmp_path, {
        "package.json": '{"name": "x", "dependencies": {"typeorm": "^0.3", "pg": "^8", "@acme/reference-data": "^1"}}',
        "src/migrations/1700000000001-regions.js": _SEED_FROM_PACKAGE,
    })
    report = run_check([str(tmp_path)], Options(use_cache=False))
    assert [f for f in report.findings if f.rule == "AL502"] == []


_LOADER = """\
"use strict";
var __values = (this && this.__values) || function (o) { return o[Symbol.iterator](); };
var typeorm_1 = require("typeorm");
function loadPlugins(config) {
    var resolved = {};
    Object.keys(config.plugins).forEach(function (name) { resolved[name] = { path: config.plugins[name] }; });
    var loaded = [];
    for (var _a = __values(Object.values(resolved)), _b = _a.next(); !_b.done; _b = _a.next()) {
        var plugin = _b.value;
        loaded.push(require(plugin.path));
    }
    return new typeorm_1.DataSource({ type: "postgres", entities: loaded });
}
exports.loadPlugins = loadPlugins;
"""


def test_values_of_a_project_object_filled_at_runtime_are_not_constant(tmp_path):
    """`Object.values(resolved)` of an object literal the code fills from configuration (`resolved[name] = …`):
    its elements are runtime data, so `require(plugin.path)` stays a computed import (AL106)."""
    _write(tmp_path, {"package.json": '{"name": "x", "dependencies": {"typeorm": "^0.3", "pg": "^8"}}',
                      "src/plugins.js": _LOADER})
    report = run_check([str(tmp_path)], Options(use_cache=False))
    assert [(f.rule, f.line) for f in report.findings if f.rule == "AL106"] == [("AL106", 10)]


def _entity(name: str, other: str, eager: bool) -> str:
    """A compiled entity requiring its relation's module at the top (tsc's CommonJS), read in the relation's arrow
    only — or, ``eager``, also in the `design:type` metadata tsc emits when the property is typed by that class."""
    metadata = f"{other.lower()}_1.{other}" if eager else "Object"
    return _ES5_HELPERS + f"""\
Object.defineProperty(exports, "__esModule", {{ value: true }});
var typeorm_1 = require("typeorm");
var {other.lower()}_1 = require("./{other.lower()}");
var {name} = /** @class */ (function (_super) {{
    __extends({name}, _super);
    function {name}() {{
        return _super !== null && _super.apply(this, arguments) || this;
    }}
    __decorate([
        (0, typeorm_1.ManyToOne)(function () {{ return {other.lower()}_1.{other}; }}),
        __metadata("design:type", {metadata})
    ], {name}.prototype, "{other.lower()}", void 0);
    {name} = __decorate([
        (0, typeorm_1.Entity)()
    ], {name});
    return {name};
}}(typeorm_1.BaseEntity));
exports.{name} = {name};
"""


def test_compiled_entities_requiring_each_other_lazily_are_no_import_cycle(tmp_path):
    _write(tmp_path, {
        "package.json": '{"name": "x", "dependencies": {"typeorm": "^0.3", "pg": "^8"}}',
        "lib/models/address.js": _entity("Address", "Customer", False),
        "lib/models/customer.js": _entity("Customer", "Address", False),
    })
    report = run_check([str(tmp_path)], Options(use_cache=False))
    assert [f.rule for f in report.findings if f.rule == "AL104"] == []


def test_compiled_entities_reading_each_other_at_load_are_an_import_cycle(tmp_path):
    # `__metadata("design:type", customer_1.Customer)` runs when address.js loads: entered from customer.js,
    # it reads a module still loading (undefined)
    _write(tmp_path, {
        "package.json": '{"name": "x", "dependencies": {"typeorm": "^0.3", "pg": "^8"}}',
        "lib/models/address.js": _entity("Address", "Customer", True),
        "lib/models/customer.js": _entity("Customer", "Address", False),
    })
    report = run_check([str(tmp_path)], Options(use_cache=False))
    assert [(f.rule, f.path) for f in report.findings if f.rule == "AL104"] == [("AL104", "lib/models/address.js")]
