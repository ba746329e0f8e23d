"""Hostile input, one regression per failure found: inert output, deep nesting, cut-off SQL,
trees with nothing to analyse, patches with names no file system takes.  (The randomised sweep
over the same kinds of input is tests/test_fuzz.py.)"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from helpers import make_repo, report

from archlint.adapters.frontends.javascript import extract as js_extract
from archlint.domain.findings import Finding
from archlint.reporters import github_reporter, text_reporter
from archlint.reporters.inert import frame, markdown, terminal

ESC_TITLE = "\x1b]0;pwned\x07"  # retitles an xterm
ESC_CLEAR = "\x1b[2J"  # clears the screen


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1", ARCHLINT_CACHE_DIR=str(cwd / ".cache-test"))
    return subprocess.run([sys.executable, "-m", "archlint", *args], capture_output=True, text=True, cwd=cwd, env=env)


def a_finding(**fields) -> Finding:
    base = dict(rule="AL401", name="sql-syntax-error", category="sql", severity="error", path="app/x.py", line=1,
                column=1, end_line=1, end_column=2, message="m", guidance="g")
    base.update(fields)
    return Finding(**base)


# -- untrusted text is inert ----------------------------------------------------------------------------
def test_text_report_spells_out_terminal_control_from_the_analysed_file(tmp_path):
    source = f'import sqlite3\nconn = sqlite3.connect("x.db")\n\ndef f():\n    conn.execute("SELECT 1{ESC_TITLE}{ESC_CLEAR}")\n'
    repo = make_repo(tmp_path / "repo", {"app/db.py": source})
    result = run_cli("check", ".", "--no-cache", cwd=repo)
    assert result.returncode == 1, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b]0;pwned\\x07\\x1b[2J" in result.stdout  # shown, like git and ruff show it
    frame_line = next(line for line in result.stdout.splitlines() if line.lstrip().startswith("5 |"))
    caret_line = result.stdout.splitlines()[result.stdout.splitlines().index(frame_line) + 1]
    assert frame_line[caret_line.index("^")] == "]"  # the caret still points at the token AL401 names


def test_code_frame_caret_moves_with_the_escapes_before_it():
    assert frame("a\x1bb", 3) == ("a\\x1bb", 6)
    assert frame("plain", 3) == ("plain", 3)
    assert terminal("ok\u202eevil") == "ok\\u202eevil"  # Trojan Source bidi override


def test_text_reporter_escapes_path_message_and_guidance(tmp_path):
    nasty = a_finding(path=f"app/{ESC_CLEAR}x.py", message=f"bad {ESC_TITLE}", guidance=f"fix {ESC_CLEAR}")
    text = text_reporter.render(str(tmp_path), [nasty], {"files": 1, "skipped": 0, "seconds": 0.0}, colour=False)
    assert "\x1b" not in text and "\x07" not in text
    assert "app/\\x1b[2Jx.py" in text and "bad \\x1b]0;pwned\\x07" in text


def test_github_annotations_carry_no_control_characters_and_no_active_markdown():
    hostile = a_finding(message=f"`{ESC_TITLE}` and <img src=x onerror=alert(1)> and [click](https://evil.example)")
    line = github_reporter.render([hostile])
    assert "\x1b" not in line and "\x07" not in line
    assert not re.search(r"(?<!\\)<img|(?<!\\)\]\(", line)  # every bracket that could open a tag or a link is escaped
    assert "\\<img src=x onerror=alert(1)\\>" in line and "\\[click\\](https" in line
    plain = a_finding(message="`rows[0]` is read before `db.session` exists")
    assert "`rows[0]` is read before `db.session` exists" in github_reporter.render([plain])  # plain text stays as is
    assert markdown("a\nb") == "a\nb"  # line breaks are the workflow command's to encode


def test_an_escape_sequence_in_a_sql_literal_is_no_second_statement(tmp_path):
    source = 'import sqlite3\nconn = sqlite3.connect("x.db")\n\ndef f():\n    conn.execute("SELECT name FROM users \\x1b[0;31m")\n'
    repo = make_repo(tmp_path / "repo", {"app/db.py": source})
    rules = [f.rule for f in report(repo).findings]
    assert "AL401" in rules and "AL413" not in rules
    control = make_repo(tmp_path / "control", {"app/db.py": source.replace("\\x1b[0;31m", "; DELETE FROM users")})
    assert "AL413" in [f.rule for f in report(control).findings]


def test_config_errors_stay_on_one_line_whatever_the_config_holds(tmp_path):
    repo = make_repo(tmp_path / "repo", {"app/a.py": "x = 1\n", "pyproject.toml": '[tool.archlint]\nfail_on = "bad\\nline\\u001b[2J"\n'})
    result = run_cli("check", ".", "--no-cache", cwd=repo)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "\x1b" not in result.stderr


# -- patches ----------------------------------------------------------------------------------------------
def test_patch_names_that_no_file_system_takes_are_skipped_not_fatal(tmp_path):
    names = ["x\x00y.py", "a\x1b[2J.py", "a" * 300 + ".py", "d/" + "b" * 300 + "/c.py", "../escape.py", "/abs.py", "app/ok.py"]
    patch = "".join(
        f"diff --git a/{n} b/{n}\nnew file mode 100644\n--- /dev/null\n+++ b/{n}\n@@ -0,0 +1 @@\n+import os\n" for n in names
    )
    (tmp_path / "evil.patch").write_text(patch)
    result = run_cli("verify", "--patch", str(tmp_path / "evil.patch"), "--framework", "flask", "--format", "json", "--no-cache", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["compliant"] is False and not (tmp_path / "escape.py").exists() and not Path("/abs.py").exists()


# -- nothing to analyse -----------------------------------------------------------------------------------
def test_a_tree_hidden_by_the_default_excludes_says_so_and_verify_passes_nothing(tmp_path):
    repo = make_repo(tmp_path / "repo", {
        "dist/app.py": "from flask import Flask\napp = Flask(__name__)\n",
        "node_modules/x/index.js": "module.exports = 1;\n",
        "requirements.txt": "flask\n",
    })
    checked = run_cli("check", ".", "--format", "json", "--no-cache", cwd=repo)
    assert checked.returncode == 0
    assert json.loads(checked.stdout)["stats"]["files"] == 0  # stdout stays the contract
    warning = checked.stderr.strip()
    assert warning.startswith("archlint: warning: nothing was analysed") and len(checked.stderr.splitlines()) == 1
    assert "dist/ (default exclude `dist`: 1 source file)" in warning and "node_modules/" in warning
    verified = run_cli("verify", ".", "--framework", "flask", "--no-cache", cwd=repo)
    assert verified.returncode == 1 and "nothing was analysed" in verified.stderr
    assert "framework   flask     FAIL     nothing was analysed" in verified.stdout
    named = run_cli("check", "dist", "--no-cache", cwd=repo)  # named on the command line: analysed
    assert named.returncode == 0 and named.stderr == "" and "in 1 files" in named.stdout


# -- cut-off SQL ------------------------------------------------------------------------------------------
PIECES = " +\n    ".join(f"'column_number_{i} AS alias_{i}, '" for i in range(100))


def test_a_constant_sql_text_of_a_hundred_pieces_is_not_an_injection(tmp_path):
    repo = make_repo(tmp_path / "repo", {
        "app/db.py": f"import sqlite3\nconn = sqlite3.connect('x.db')\n\ndef f():\n    return conn.execute('SELECT ' +\n    {PIECES} + 'x FROM t')\n",
        "src/db.js": f"const {{ Pool }} = require('pg');\nconst pool = new Pool();\nasync function f() {{\n  return pool.query('SELECT ' +\n    {PIECES} + 'x FROM t');\n}}\n",
    })
    assert [f.rule for f in report(repo).findings] == []


def test_an_injection_before_the_cut_is_still_reported(tmp_path):
    repo = make_repo(tmp_path / "repo", {
        "app/db.py": f"import sqlite3\nconn = sqlite3.connect('x.db')\n\ndef f(name):\n    return conn.execute('SELECT * FROM t WHERE name = ' + name + ' AND ' +\n    {PIECES} + 'x')\n",
    })
    found = [(f.rule, f.line) for f in report(repo).findings]
    assert found == [("AL502", 5)]


# -- deep nesting -----------------------------------------------------------------------------------------
def test_deeply_nested_scopes_keep_short_names_and_their_calls():
    depth = 200
    source = "const { Pool } = require('pg');\nconst pool = new Pool();\n"
    source += "".join(f"function f{i}() {{\n" for i in range(depth)) + "pool.query('SELECT 1');\n" + "}\n" * depth
    facts = js_extract("src/deep.js", source.encode(), "javascript")
    (query,) = [c for c in facts.calls if c.callee == "pool.query"]
    assert query.scope.startswith("f0.f1.f2.") and "<deep>" in query.scope and query.scope.endswith(f".f{depth - 1}")
    assert len(query.scope.split(".")) == 64 + 2
    assert max(len(f.qualname) for f in facts.functions) < 1_000


def test_a_query_deep_inside_nested_functions_is_still_a_database_access(tmp_path):
    depth = 300
    body = "".join(f"function f{i}(db) {{\n" for i in range(depth)) + "return pool.query('SELECT id FROM users');\n" + "}\n" * depth
    repo = make_repo(tmp_path / "repo", {"src/db.js": "const { Pool } = require('pg');\nconst pool = new Pool();\n" + body})
    context = report(repo).context
    accesses = context.datalayer.accesses_in("src/db.js")
    assert [(a.method, a.span.line) for a in accesses] == [("query", depth + 3)]
