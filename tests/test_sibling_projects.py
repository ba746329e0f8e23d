"""Sibling projects in one tree (a folder of apps, a monorepo's packages, archlint's own fixtures/) are
analysed as if each were alone: the aiohttp application mapping (`app["session_factory"]`,
`app["article_service"]`) of one app is not the other's, and a sibling's declared PostgreSQL driver
says nothing of this app's database.  Before, the context slots were one table for the whole tree,
so which app's service a handler read depended on the order of the analyses (Python's hash seed):
the correct twin got the other's AL305s, AL703 fired on evidence from a sibling's requirements, and
an awilix container resolved `articleRepository` to either app's class (the message named the other
app's `findOne`)."""

import json
import shutil
from pathlib import Path

from tests.helpers import report

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SIBLINGS = ("agent-aiohttp-views-uow-bugs", "agent-aiohttp-views-uow-correct",
            "agent-aiohttp-repo-sessions-bugs", "agent-aiohttp-repo-sessions-correct",
            "agent-express-awilix-bugs", "agent-express-awilix-correct")


def test_sibling_apps_in_one_tree_give_each_app_its_own_findings(tmp_path):
    expected = set()
    for name in SIBLINGS:
        shutil.copytree(FIXTURES / name, tmp_path / name)
        expected |= {(f["rule"], f"{name}/{f['path']}", f["line"])
                     for f in json.loads((FIXTURES / name / "expected.json").read_text())}
    found = report(tmp_path).findings
    assert {(f.rule, f.path, f.line) for f in found} == expected
    for finding in found:  # what a message names (an origin, a trace) is in the finding's own app
        own = finding.path.split("/", 1)[0]
        assert [name for name in SIBLINGS if name + "/" in finding.message] in ([], [own]), finding.message
