"""A ``while`` loop's test guards its body: ``while bay is not None: bay.device`` walks a chain of rows a
lookup may not find, and the body runs only for a row that was found (nautobot's device-bay parent chain,
a comment thread's parents in Express).  The look-alike dereferences the lookup in the test itself —
``while bay.device_id`` — and the row may be None there.  Zero iterations are a path too: after the loop
the value is what the lookup gave or what the body assigned, not narrowed."""

from __future__ import annotations

import pytest

from archlint.application.pipeline import Options, run_check

MODELS = '''from django.db import models


class Device(models.Model):
    name = models.CharField(max_length=50)


class Bay(models.Model):
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="bays")
    installed = models.ForeignKey(Device, on_delete=models.CASCADE, null=True, related_name="+")

    def parent_chain(self):
        seen = set()
        parent = Bay.objects.filter(installed=self.device).first()
        while LOOP_TEST:
            owner = parent.device
            if owner.pk in seen:
                raise ValueError("the chain has a loop")
            seen.add(owner.pk)
            parent = Bay.objects.filter(installed=owner).first()
        return seen
'''

ROUTES = '''const express = require('express');
const { Comment } = require('./models');
const app = express();

app.get('/comments/:id/thread', async (req, res) => {
  const thread = [];
  let comment = await Comment.findOne({ where: { id: req.params.id } });
  while (LOOP_TEST) {
    thread.push(comment.body);
    comment = await Comment.findOne({ where: { id: comment.parentId } });
  }
  res.json(thread);
});

module.exports = app;
'''

SEQUELIZE = '''const { Sequelize, DataTypes } = require('sequelize');
const sequelize = new Sequelize('sqlite:comments.sqlite');
const Comment = sequelize.define('Comment', { body: DataTypes.TEXT, parentId: DataTypes.INTEGER });
module.exports = { sequelize, Comment };
'''


def _unchecked(tmp_path) -> list[tuple[str, int]]:
    report = run_check([str(tmp_path)], Options(use_cache=False))
    return sorted((finding.path, finding.line) for finding in report.findings if finding.rule == "AL220")


@pytest.mark.parametrize("test, fires", [("parent is not None", False), ("parent", False),
                                         ("parent.device_id", True), ("len(seen) < 10", True)])
def test_a_while_test_guards_the_python_loop_body(tmp_path, test, fires):
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(MODELS.replace("LOOP_TEST", test))
    line = 15 if test == "parent.device_id" else 16  # the test itself, or the first read in the body
    assert _unchecked(tmp_path) == ([("app/models.py", line)] if fires else [])


@pytest.mark.parametrize("test, fires", [("comment", False), ("comment !== null", False),
                                         ("comment.parentId", True), ("thread.length < 10", True)])
def test_a_while_test_guards_the_javascript_loop_body(tmp_path, test, fires):
    (tmp_path / "package.json").write_text('{"name": "comments", "version": "1.0.0", '
                                           '"dependencies": {"express": "^4.19.0", "sequelize": "^6.37.0"}}')
    src = tmp_path / "src"
    src.mkdir()
    (src / "models.js").write_text(SEQUELIZE)
    (src / "app.js").write_text(ROUTES.replace("LOOP_TEST", test))
    line = 8 if test == "comment.parentId" else 9
    assert _unchecked(tmp_path) == ([("src/app.js", line)] if fires else [])
