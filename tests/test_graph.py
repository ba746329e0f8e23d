"""`archlint graph`: layer and module views in DOT, Mermaid and JSON, violations in red."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from helpers import cli_in_process, make_repo
from test_cli import run_cli

REPO = {
    "requirements.txt": "flask\nsqlalchemy\n",
    "app/main.py": "from app.routes import users\n",
    "app/routes/users.py": (
        "from app.services.users import get\n"
        "from app.repositories.users import UserRepository\n"
        "from flask import Blueprint\n"
    ),
    "app/services/users.py": "from app.repositories.users import UserRepository\nfrom app import util\n",
    "app/repositories/users.py": "from sqlalchemy.orm import Session\nfrom app.models.user import User\nclass UserRepository: pass\n",
    "app/models/user.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.services.users import get\nclass User: pass\n",
    "app/util.py": "import os\n",
}
_DOT_NODE = re.compile(r'^\s*"(?P<id>(?:[^"\\]|\\.)*)" \[(?P<attrs>.*)\];$')
_DOT_EDGE = re.compile(r'^\s*"(?P<src>(?:[^"\\]|\\.)*)" -> "(?P<dst>(?:[^"\\]|\\.)*)"(?: \[(?P<attrs>.*)\])?;$')


def run_graph(*args: str, cwd) -> subprocess.CompletedProcess:
    """``archlint graph ARGS`` through the CLI's command in this process (what it prints is the point
    here; test_graph_errors_are_exit_2 keeps a real process for the exit code and stderr)."""
    return cli_in_process("graph", *args, cwd=cwd, env={"NO_COLOR": "1", "ARCHLINT_CACHE_DIR": str(cwd.resolve() / ".cache-test")})


def graph(tmp_path, *args: str) -> str:
    repo = make_repo(tmp_path / "repo", REPO)
    result = run_graph(str(repo), *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout


def parse_dot(text: str) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    lines = text.splitlines()
    assert lines[0] == "digraph archlint {" and lines[-1] == "}"
    nodes, edges = {}, {}
    for line in lines[1:-1]:
        if edge := _DOT_EDGE.match(line):
            edges[(edge["src"], edge["dst"])] = edge["attrs"] or ""
        elif node := _DOT_NODE.match(line):
            nodes[node["id"]] = node["attrs"]
    return nodes, edges


def test_dot_layer_view_marks_the_violating_edge_red(tmp_path):
    nodes, edges = parse_dot(graph(tmp_path))
    assert {"routes", "services", "repositories", "models", "(composition roots)", "(unlayered)"} <= set(nodes)
    assert {"flask", "sqlalchemy"} <= set(nodes)  # external packages, top-level names
    assert "sqlalchemy.orm" not in nodes and "os" not in nodes and "typing" not in nodes  # no stdlib noise
    assert 'label="routes\\n(1 module)"' in nodes["routes"]
    assert "shape=\"ellipse\"" in nodes["flask"]
    assert edges[("routes", "repositories")].startswith("color=red") and 'label="AL102"' in edges[("routes", "repositories")]
    assert "red" not in edges[("routes", "services")]
    assert "red" not in edges[("services", "repositories")]
    assert "style=dashed" in edges[("models", "services")]  # type-only import: allowed, drawn dashed
    assert ("(composition roots)", "routes") in edges


def test_stdlib_modules_only_when_asked_or_relevant(tmp_path):
    nodes, edges = parse_dot(graph(tmp_path, "--stdlib"))
    assert ("(unlayered)", "os") in edges and "typing" in nodes
    repo = make_repo(tmp_path / "other", {**REPO, "app/services/users.py": "import sqlite3\n"})
    nodes, edges = parse_dot(run_graph(str(repo), cwd=tmp_path).stdout)
    assert "color=red" in edges[("services", "sqlite3")] and "os" not in nodes  # a known driver, flagged


def test_dot_module_view_and_no_external(tmp_path):
    text = graph(tmp_path, "--modules", "--no-external")
    nodes, edges = parse_dot(text)
    assert set(nodes) == {path for path in REPO if path.endswith(".py")}
    assert re.search(r'subgraph cluster_\d+ \{\n    label="routes";\n    "app/routes/users.py"', text)
    assert "color=red" in edges[("app/routes/users.py", "app/repositories/users.py")]
    assert not any(dst in ("flask", "sqlalchemy") for _src, dst in edges)


def test_mermaid_link_style_points_at_the_violating_edge(tmp_path):
    lines = graph(tmp_path, "--format", "mermaid").splitlines()
    assert lines[0] == "flowchart TD"
    declared = dict(re.findall(r'^\s*(n\d+)(?:\["|\(\[")([^"]*)"', "\n".join(lines), re.MULTILINE))
    links = [line.strip() for line in lines if re.match(r"^\s*n\d+ (-->|-\.->)", line)]
    styles = [int(m[1]) for line in lines if (m := re.match(r"^\s*linkStyle (\d+) stroke:red", line))]
    assert len(styles) == 1
    src, arrow_and_label, dst = links[styles[0]].split(" ")
    assert (declared[src].split("<br/>")[0], declared[dst].split("<br/>")[0]) == ("routes", "repositories")
    assert arrow_and_label == "-->|AL102|"
    assert any("-.->" in link for link in links)  # the type-only edge


def test_json_graph_nodes_and_edges(tmp_path):
    data = json.loads(graph(tmp_path, "--format", "json"))
    assert data["schema"] == 1 and data["view"] == "layers"
    kinds = {node["id"]: node["kind"] for node in data["nodes"]}
    assert kinds["routes"] == "layer" and kinds["flask"] == "external" and kinds["(unlayered)"] == "unlayered"
    violating = [(e["source"], e["target"], e["rules"]) for e in data["edges"] if e["violation"]]
    assert violating == [("routes", "repositories", ["AL102"])]
    modules = json.loads(graph(tmp_path, "--format", "json", "--modules"))
    by_id = {node["id"]: node for node in modules["nodes"]}
    assert by_id["app/routes/users.py"]["layer"] == "routes"


def test_suppressed_violation_is_not_drawn_red(tmp_path):
    repo = make_repo(
        tmp_path / "repo",
        {**REPO, "app/routes/users.py": "from app.repositories.users import UserRepository  # archlint: ignore[AL102] ok\n"},
    )
    result = run_graph(str(repo), cwd=tmp_path)
    assert result.returncode == 0 and "color=red" not in result.stdout
    assert parse_dot(result.stdout)[1][("routes", "repositories")] == ""


def test_graph_errors_are_exit_2(tmp_path):
    result = run_cli("graph", str(tmp_path / "missing"), cwd=tmp_path)
    assert result.returncode == 2 and "path does not exist" in result.stderr


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed (apt-get install graphviz)")
def test_graphviz_accepts_both_views(tmp_path):
    for args in ((), ("--modules", "--stdlib")):
        text = graph(tmp_path, *args)
        rendered = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True)
        assert rendered.returncode == 0 and "<svg" in rendered.stdout, rendered.stderr
