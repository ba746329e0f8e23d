"""Inline suppressions: what they hide, and the findings about suppressions themselves."""

from __future__ import annotations

import pytest
from helpers import findings, make_repo

import archlint
from archlint.application.suppressions import parse_suppression

LAYERS = {
    "requirements.txt": "flask\n",
    "app/services/users.py": "def get(): pass\n",
    "app/repositories/users.py": "class UserRepository: pass\n",
    "app/models/user.py": "class User: pass\n",
}


def repo_with_route(tmp_path, route: str, name: str = "app/routes/users.py"):
    return make_repo(tmp_path / "repo", {**LAYERS, name: route})


@pytest.mark.parametrize(
    "route",
    [
        "from app.repositories.users import UserRepository  # archlint: ignore[AL102] health check, see ADR-7\n",
        "# archlint: ignore[AL102] health check, see ADR-7\nfrom app.repositories.users import UserRepository\n",
        "from app.repositories.users import UserRepository  # archlint: ignore[skip-layer-import] by name\n",
        "# archlint: ignore[AL103, AL102] both, on the line above\nimport sqlite3; from app.repositories.users import UserRepository\n",
    ],
    ids=["same-line", "line-above", "by-name", "several-ids"],
)
def test_python_suppression_hides_the_finding(tmp_path, route):
    found = findings(repo_with_route(tmp_path, route))
    assert not [f for f in found if f[0] == "AL102"], found
    assert not [f for f in found if f[0].startswith("AL9")], found


@pytest.mark.parametrize(
    "comment",
    ["// archlint-ignore AL102 health check", "// archlint: ignore[AL102] health check", "/* archlint-ignore AL102, AL101 legacy */"],
)
def test_js_suppression_forms(tmp_path, comment):
    repo = make_repo(
        tmp_path / "repo",
        {
            "package.json": '{"name": "x", "dependencies": {"express": "4"}}',
            "src/routes/users.js": f"{comment}\nconst repo = require('../repositories/users');\n",
            "src/services/users.js": "module.exports = {};\n",
            "src/repositories/users.js": "module.exports = {};\n",
            "src/models/user.js": "module.exports = {};\n",
        },
    )
    found = findings(repo)
    assert "AL102" not in [f[0] for f in found]
    if "AL101" in comment:  # named, but nothing to suppress
        assert ("AL902", "src/routes/users.js", 1) in found
    else:
        assert found == []


def test_suppression_without_reason_still_suppresses_but_is_reported(tmp_path):
    repo = repo_with_route(tmp_path, "from app.repositories.users import UserRepository  # archlint: ignore[AL102]\n")
    assert findings(repo) == [("AL901", "app/routes/users.py", 1)]


def test_unused_suppression_is_reported_per_rule(tmp_path):
    route = "from app.services.users import get  # archlint: ignore[AL102, AL103] legacy\n"
    found = findings(repo_with_route(tmp_path, route))
    assert found == [("AL902", "app/routes/users.py", 1), ("AL902", "app/routes/users.py", 1)]
    report = archlint.check(str(tmp_path / "repo"))
    messages = [f["message"] for f in report["findings"]]
    assert any("AL102" in m for m in messages) and any("AL103" in m for m in messages)
    first = report["findings"][0]
    assert (first["column"], first["end_column"]) == (route.index("#") + 1, len(route))


def test_unused_detection_skips_rules_switched_off(tmp_path):
    route = "from app.services.users import get  # archlint: ignore[AL102] legacy\n"
    repo = repo_with_route(tmp_path, route)
    assert findings(repo, ignore=("AL102",)) == []
    assert findings(repo, select=("AL103", "AL902")) == []
    assert findings(repo, ignore=("layering",)) == []
    assert findings(repo, select=("AL902",)) == []  # AL102 itself is not selected
    assert findings(repo, select=("AL102", "AL902")) == [("AL902", "app/routes/users.py", 1)]


def test_meta_findings_follow_select_ignore_and_severity(tmp_path):
    repo = repo_with_route(tmp_path, "x = 1  # archlint: ignore[AL102] stale\n")
    assert findings(repo, ignore=("unused-suppression",)) == []
    assert findings(repo, select=("layering", "parse")) == [("AL902", "app/routes/users.py", 1)]
    report = archlint.check(str(repo), config=str(make_repo(tmp_path / "cfg", {"archlint.toml": "[severity]\nAL902 = 'error'\n"}) / "archlint.toml"))
    assert [f["severity"] for f in report["findings"]] == ["error"]


def test_unknown_or_missing_rule_is_invalid(tmp_path):
    route = (
        "x = 1  # archlint: ignore[AL1O2] typo in the id\n"
        "y = 2  # archlint: ignore everything here\n"
        "from app.repositories.users import UserRepository\n"
    )
    found = findings(repo_with_route(tmp_path, route))
    assert found == [
        ("AL903", "app/routes/users.py", 1),
        ("AL903", "app/routes/users.py", 2),
        ("AL102", "app/routes/users.py", 3),  # a blanket comment on the line above hides nothing
    ]


def test_prose_mentioning_the_directive_is_not_a_suppression(tmp_path):
    route = "# Use `archlint: ignore[AL102]` comments sparingly; archlint-ignore works in JS.\nx = 1\n"
    assert findings(repo_with_route(tmp_path, route)) == []


def test_suppression_does_not_reach_two_lines_down_or_other_rules(tmp_path):
    route = (
        "# archlint: ignore[AL102] too far away\n"
        "\n"
        "from app.repositories.users import UserRepository\n"
        "import sqlite3  # archlint: ignore[AL102] wrong rule\n"
    )
    found = findings(repo_with_route(tmp_path, route))
    assert ("AL102", "app/routes/users.py", 3) in found
    assert ("AL103", "app/routes/users.py", 4) in found
    assert ("AL902", "app/routes/users.py", 1) in found and ("AL902", "app/routes/users.py", 4) in found


@pytest.mark.parametrize(
    "comment, refs, reason",
    [
        ("# archlint: ignore[AL102] reason here", ("AL102",), "reason here"),
        ("# archlint: ignore[ AL102 , skip-layer-import ] -- why", ("AL102", "skip-layer-import"), "why"),
        ("// archlint-ignore AL102,AL103 reason", ("AL102", "AL103"), "reason"),
        ("// archlint-ignore: AL102 - reason", ("AL102",), "reason"),
        ("/* archlint-ignore AL102 */", ("AL102",), ""),
        ("# archlint: ignore", (), ""),
    ],
)
def test_parse_forms(comment, refs, reason):
    parsed = parse_suppression("a.py", 3, comment)
    assert parsed is not None and (parsed.refs, parsed.reason) == (refs, reason)


def test_comments_that_only_mention_archlint_are_not_parsed():
    assert parse_suppression("a.py", 1, "# archlint holds itself to its own rules") is None
    assert parse_suppression("a.py", 1, "# see archlint: ignore[AL102] in the docs") is None


def test_a_view_suppression_accepts_its_share_of_a_finding_merged_at_shared_serializer_code(tmp_path):
    """AL601 reports a per-row query in serializer code that several views reach once, at the query.
    A suppression written at one view (where the finding was reported when it was one per view)
    accepts that view: it is used, not stale (AL902), and the shared finding stays for the other
    views; once every view's suppression accepts it, it is suppressed."""
    import shutil
    from pathlib import Path

    repo = tmp_path / "repo"
    shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures/agent-drf-shared-mixin-bugs", repo)
    views = repo / "inventory/catalog/views.py"
    lines = views.read_text().splitlines(keepends=True)
    shared = ("AL601", "inventory/catalog/serializers.py", 16)
    assert shared in findings(repo)

    def suppress(*numbers):
        text = list(lines)
        for number in numbers:  # the view's `queryset = …` line, where its own finding was
            text[number - 1] = text[number - 1].rstrip("\n") + "  # archlint: ignore[AL601] labels are few\n"
        views.write_text("".join(text))
        return findings(repo)

    one = suppress(8)
    assert shared in one and not [f for f in one if f[0].startswith("AL9")], one
    every = suppress(8, 13, 18)
    assert shared not in every and not [f for f in every if f[0].startswith("AL9")], every
    unrelated = suppress(3)  # an import line: no view's finding is there
    assert shared in unrelated and ("AL902", "inventory/catalog/views.py", 3) in unrelated
