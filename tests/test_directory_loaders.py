"""Directory loaders (``require(path.join(__dirname, file))`` over ``fs.readdirSync(__dirname)``,
sequelize-cli's ``models/index.js``): the files they load become graph edges, the loaded model
files enter the semantic model, and only a listing of another or a computed directory stays opaque."""

from __future__ import annotations

import textwrap

import pytest

from archlint.adapters.frontends import javascript
from archlint.application.pipeline import Options, run_check
from archlint.domain.facts import DYNAMIC, OPAQUE


def loaded(source: str) -> list[tuple[str, str]]:
    facts = javascript.extract("src/models/index.js", textwrap.dedent(source).encode(), "javascript")
    return sorted((i.kind, i.module) for i in facts.imports if i.kind in (DYNAMIC, OPAQUE))


@pytest.mark.parametrize(
    "source, expected",
    [
        (  # sequelize-cli's generated models/index.js
            """
            const fs = require('fs'); const path = require('path');
            const basename = path.basename(__filename);
            fs.readdirSync(__dirname)
              .filter(file => file.indexOf('.') !== 0 && file !== basename && file.slice(-3) === '.js')
              .forEach(file => { const model = require(path.join(__dirname, file))(sequelize, Sequelize.DataTypes); db[model.name] = model; });
            """,
            [(DYNAMIC, "./*")],
        ),
        (  # a route loader over a sub-directory, with a template
            """
            const fs = require('fs'); const path = require('path');
            fs.readdirSync(path.join(__dirname, 'routes')).forEach((file) => { app.use(require(`./routes/${file}`)); });
            """,
            [(DYNAMIC, "./routes/*")],
        ),
        (  # for…of over the listing, string concatenation
            """
            const fs = require('fs');
            for (const name of fs.readdirSync(__dirname + '')) { }
            for (const name of fs.readdirSync(__dirname)) { require(__dirname + '/' + name); }
            """,
            [(DYNAMIC, "./*")],
        ),
        (  # the listing and the require name different directories: what is loaded is not known
            """
            const fs = require('fs'); const path = require('path');
            fs.readdirSync(path.join(__dirname, 'plugins')).forEach((file) => require(path.join(__dirname, file)));
            """,
            [(OPAQUE, "path.join(__dirname, file)")],
        ),
        (  # a parent directory's files: not this loader's
            """
            const fs = require('fs');
            fs.readdirSync(process.env.DIR).forEach((file) => require(`../${file}`));
            """,
            [(OPAQUE, "`../${file}`")],
        ),
        (  # a directory from the environment
            """
            const fs = require('fs'); const path = require('path');
            const dir = process.env.PLUGIN_DIR;
            for (const file of fs.readdirSync(dir)) require(path.join(dir, file));
            """,
            [(OPAQUE, "path.join(dir, file)")],
        ),
        (  # the required name is not the listed file
            """
            const fs = require('fs'); const path = require('path');
            fs.readdirSync(__dirname).forEach((file) => require(path.join(__dirname, other)));
            """,
            [(OPAQUE, "path.join(__dirname, other)")],
        ),
    ],
)
def test_directory_loaders(source, expected):
    assert loaded(source) == expected


def test_sequelize_cli_layout_feeds_the_semantic_model(tmp_path):
    """The model files receive `sequelize` as a parameter and import nothing that marks them as data
    layer; through the loader's edges they are read, and `db.User` / `const { Comment } = db` are models."""
    fixture = "fixtures/sequelize-cli-bugs"
    report = run_check([fixture], Options())
    graph = report.context.graph
    assert sorted(e.target for e in graph.out_edges("models/index.js") if e.specifier == "./*") == [
        "models/article.js", "models/comment.js", "models/user.js"]
    models = sorted(m.name for m in report.context.program.schema.models.values())
    assert models == ["Article", "Comment", "User"]
    n_plus_one = sorted((f.path, f.line) for f in report.findings if f.rule == "AL601")
    assert n_plus_one == [("routes/articles.js", 12), ("routes/articles.js", 22)]
