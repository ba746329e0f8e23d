"""A TypeScript declaration file (``.d.ts``) is never loaded, so its imports cannot leave a module
half-initialised: a cycle that runs through one is no AL104 (@medusajs/product's published
``dist/services/index.d.ts`` re-exporting a service whose declaration imports the index back).
The same cycle between the ``.ts`` sources is one."""

from __future__ import annotations

from helpers import findings, make_repo

_PACKAGE = {"package.json": '{"name": "pkg", "version": "1.0.0"}\n'}


def _cycles(tmp_path, files):
    return [(path, line) for rule, path, line in findings(make_repo(tmp_path, {**_PACKAGE, **files})) if rule == "AL104"]


def test_declaration_files_importing_each_other_are_no_cycle(tmp_path):
    files = {
        "declarations/services/index.d.ts": "export { default as ProductService } from './product';\nexport { default as VariantService } from './variant';\n",
        "declarations/services/product.d.ts": "import { VariantService } from '.';\ntype Injected = { variantService: VariantService };\nexport default class ProductService { constructor(deps: Injected); }\n",
        "declarations/services/variant.d.ts": "export default class VariantService { list(): string[]; }\n",
        "declarations/services/index.js": "exports.ProductService = require('./product').default;\n",
        "declarations/services/product.js": "exports.default = class ProductService {};\n",
        "declarations/services/variant.js": "exports.default = class VariantService {};\n",
    }
    assert _cycles(tmp_path, files) == []


def test_the_same_imports_between_sources_are_a_cycle(tmp_path):
    files = {
        "src/services/index.ts": "export { default as ProductService } from './product';\nexport { default as VariantService } from './variant';\n",
        "src/services/product.ts": "import { VariantService } from '.';\nexport default class ProductService extends VariantService {}\n",
        "src/services/variant.ts": "export default class VariantService {}\n",
    }
    assert _cycles(tmp_path, files) == [("src/services/index.ts", 1)]
