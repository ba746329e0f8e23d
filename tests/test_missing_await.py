"""AL809 missing-await: a Promise/coroutine used as if it were its value — and the properties every
object has (a Promise's `.constructor`, a coroutine's `__class__`), which are no misuse."""

from __future__ import annotations

from helpers import make_repo, report


def _al809(root):
    return [(f.path, f.line) for f in report(root).findings if f.rule == "AL809"]


def test_a_promise_read_as_its_value_and_the_properties_every_promise_has(tmp_path):
    root = make_repo(tmp_path, {
        "package.json": '{"dependencies": {"express": "^4"}}',
        "src/app.js": '''
            const express = require('express');
            const app = express();

            async function findUser(id) {
              return { id, name: 'x' };
            }

            const nativePromisePrototype = (async () => {})().constructor.prototype;

            app.get('/users/:id', async (req, res) => {
              const user = findUser(req.params.id);
              const kind = findUser(req.params.id).constructor.name;
              res.json({ name: user.name, kind });
            });

            module.exports = { app, nativePromisePrototype };
        ''',
    })
    assert _al809(root) == [("src/app.js", 13)]  # `user.name`; not `.constructor`
