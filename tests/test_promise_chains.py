"""Promise chains in JS (`p.then(cb)` / `p.catch(cb)` / `p.finally(cb)`): each inline callback runs as the rest
of the enclosing function — its effects are the function's, in order, at the function's call depth — and the
chain resolves to what the callback returns.  Mongoose schema methods and statics are the documents' and the
model's methods."""

from __future__ import annotations

from pathlib import Path

from archlint.application.semantic_model import build_program
from helpers import findings, make_repo, report

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

MODELS = {
    "package.json": '{"dependencies": {"express": "^4.19.2", "mongoose": "^6.12.0"}}',
    "models.js": """
        const mongoose = require('mongoose');

        const NoteSchema = new mongoose.Schema({ title: String, hits: Number });
        NoteSchema.static('byTitle', function (title) {
          return this.findOne({ title });
        });
        mongoose.model('Note', NoteSchema);

        const LogSchema = new mongoose.Schema({ message: String });
        mongoose.model('Log', LogSchema);
    """,
}


def _handler_effects(root: Path, path: str, line: int):
    context = report(root).context
    program = context.program if context.program is not None else build_program(context)
    for analysis in program.analyses():
        if analysis.fid and analysis.path == path and analysis.function.span.line == line:
            return [(e.op, e.model.rsplit(":", 1)[-1], e.method, e.span.line, e.in_tx) for e in analysis.summary.effects]
    raise AssertionError(f"no analysis at {path}:{line}")


def test_a_transaction_wrapped_chain_keeps_every_write_of_its_nested_callbacks_in_the_transaction():
    """The -correct twin is silent because its writes are in the transaction, not because the chain was lost:
    four callbacks deep (then → withTransaction → then → schema method → then), both saves are still seen."""
    root = FIXTURES / "agent-express-mongoose-chains-correct"
    effects = _handler_effects(root, "routes/articles.js", 34)
    writes = [(model, method, in_tx) for op, model, method, _line, in_tx in effects if op == "write"]
    assert writes == [("User", "save", True), ("Article", "save", True)]


def test_the_catch_callback_runs_as_an_except_block_and_finally_runs_either_way(tmp_path):
    root = make_repo(tmp_path, {**MODELS, "routes.js": """
        const router = require('express').Router();
        const mongoose = require('mongoose');
        const Note = mongoose.model('Note');
        const Log = mongoose.model('Log');

        router.get('/notes/:title', (req, res, next) => {
          Note.byTitle(req.params.title)
            .then((note) => res.json({ note }))
            .catch((err) => Log.create({ message: String(err) }))
            .finally(() => Log.deleteMany({ message: '' }))
            .catch(next);
        });

        module.exports = router;
    """})
    effects = _handler_effects(root, "routes.js", 6)
    assert [(op, model, method) for op, model, method, _line, _tx in effects] == [
        ("read", "Note", "await"), ("write", "Log", "create"), ("write", "Log", "deleteMany")]


def test_what_a_then_callback_returns_is_what_the_chain_resolves_to(tmp_path):
    """`byTitle` (a schema static) resolves to a maybe-missing note; the next `.then` reads it unchecked (AL220),
    and the look-alike checks it first."""
    root = make_repo(tmp_path, {**MODELS, "routes.js": """
        const router = require('express').Router();
        const mongoose = require('mongoose');
        const Note = mongoose.model('Note');

        router.get('/a/:title', (req, res, next) => {
          Note.byTitle(req.params.title)
            .then((note) => note)
            .then((note) => res.json({ title: note.title }))
            .catch(next);
        });

        router.get('/b/:title', (req, res, next) => {
          Note.byTitle(req.params.title)
            .then((note) => note)
            .then((note) => (note ? res.json({ title: note.title }) : res.sendStatus(404)))
            .catch(next);
        });

        module.exports = router;
    """})
    found = [(rule, path, line) for rule, path, line in findings(root) if rule == "AL220"]
    assert found == [("AL220", "routes.js", 8)]


def test_schema_methods_given_as_a_table_are_the_documents_methods(tmp_path):
    """`XSchema.methods = { name() {…} }` and `XSchema.method({ name() {…} })` register every function of the object,
    as `XSchema.methods.name = fn` does: a list mapped through one of them that queries is a query per row."""
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4.19.2", "mongoose": "^6.12.0"}}',
        "models.js": """
            const mongoose = require('mongoose');
            const Writer = mongoose.model('Writer', new mongoose.Schema({ name: String }));

            const EntrySchema = new mongoose.Schema({ title: String, writer: { type: mongoose.Schema.Types.ObjectId, ref: 'Writer' } });
            EntrySchema.methods = {
              async withWriter() {
                const writer = await Writer.findById(this.writer);
                return { title: this.title, writer: writer && writer.name };
              },
              label() {
                return this.title;
              },
            };
            mongoose.model('Entry', EntrySchema);
        """,
        "routes.js": """
            const router = require('express').Router();
            const mongoose = require('mongoose');
            require('./models');
            const Entry = mongoose.model('Entry');

            router.get('/entries', async (req, res) => {
              const entries = await Entry.find({}).limit(20);
              res.json({ entries: await Promise.all(entries.map((entry) => entry.withWriter())) });
            });

            router.get('/labels', async (req, res) => {
              const entries = await Entry.find({}).limit(20);
              res.json({ labels: entries.map((entry) => entry.label()) });
            });

            module.exports = router;
        """,
    })
    found = [(rule, path, line) for rule, path, line in findings(root) if rule == "AL601"]
    assert found == [("AL601", "routes.js", 8)]
