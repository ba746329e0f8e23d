"""archlint's own patch applier (adapters/patch.py, domain/diff*.py) against the real `git apply` and
GNU `patch` on the same patches: git-format diffs with renames, deletions, mode changes, binary data
and markers, quoted and spaced names, files without a final newline, CRLF files, a whole patch
converted to CRLF, `--no-prefix`, plain `diff -ruN`, a patch series, a PATH below the diff's root;
then what must fail: a hunk that does not match (one line naming file and hunk), unsafe paths,
paths through symbolic links."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from test_changed import git

from archlint.adapters.patch import PatchError, choose_layout, load_patch, plan_patch, replicate, write_plan
from archlint.domain.diff import parse

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PNG = bytes(range(256)) * 3 + b"\x89PNG\r\n\x1a\n" + bytes(200)


def _tree(root: Path) -> dict[str, tuple[bytes, bool]]:
    """path -> (bytes, executable) of every regular file (symbolic links and .git left out)."""
    result = {}
    for path in sorted(root.rglob("*")):
        if ".git" in path.relative_to(root).parts or path.is_symlink() or not path.is_file():
            continue
        result[path.relative_to(root).as_posix()] = (path.read_bytes(), bool(path.stat().st_mode & stat.S_IXUSR))
    return result


def _apply_ours(base: Path, patch: Path, target: Path) -> None:
    """The plan written onto a full copy (``replicate`` copies only what the analysis reads; it is
    tested on its own below)."""
    plan = plan_patch(str(base), load_patch(str(patch)), str(patch))
    shutil.copytree(base, target, symlinks=True)
    write_plan(plan, str(target))


def _apply_git(base: Path, patch: Path, target: Path, *options: str) -> None:
    shutil.copytree(base, target, symlinks=True)
    result = subprocess.run(["git", "apply", "--binary", *options, str(patch)], cwd=target, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _changed_repository(root: Path) -> tuple[Path, Path, Path]:
    """A repository whose index holds every kind of change; copies of the tree before and after."""
    repo = root / "repo"
    shutil.copytree(FIXTURES / "flask-clean", repo)
    (repo / "crlf.py").write_bytes(b"import os\r\n\r\ndef f():\r\n    return os.sep\r\n\r\nVALUE = 1\r\n")
    (repo / "noeol.py").write_bytes(b"x = 1\ny = 2")
    (repo / "logo.png").write_bytes(PNG)
    (repo / "dir with space").mkdir()
    (repo / "dir with space" / "a b.py").write_text("a = 1\nb = 2\n")
    (repo / "caf\u00e9.py").write_text("CAFE = 'caf\u00e9'\n")
    (repo / "run.sh").chmod(0o644)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    shutil.copytree(repo, root / "base", ignore=shutil.ignore_patterns(".git"))
    views = repo / "app/views/articles.py"
    lines = views.read_text().splitlines(keepends=True)
    lines.insert(0, "# first line added\n")
    lines[20:22] = ["# two lines replaced by one\n"]
    lines.append("\n\n@bp.get(\"/ping\")\ndef ping():\n    return \"pong\"\n")
    views.write_text("".join(lines))
    (repo / "crlf.py").write_bytes(b"import os\r\n\r\ndef f():\r\n    return os.linesep\r\n\r\nVALUE = 2\r\nEXTRA = 3\r\n")
    (repo / "noeol.py").write_bytes(b"x = 1\ny = 3\nz = 4")
    data = repo / "app/utils/data.py"
    (repo / "app/utils/helpers.py").write_text(data.read_text() + "\nHELPER = True\n")
    data.unlink()  # a rename with a change
    (repo / "app/auth.py").unlink()
    (repo / "app/services/tag_service.py").write_text("def list_tags():\n    return []\n")
    (repo / "run.sh").chmod(0o755)
    (repo / "logo.png").write_bytes(PNG[::-1])
    (repo / "new.bin").write_bytes(bytes(range(255, -1, -1)) * 4)
    (repo / "dir with space" / "a b.py").write_text("a = 1\nb = 3\n")
    (repo / "caf\u00e9.py").write_text("CAFE = 'caf\u00e9!'\n")
    git(repo, "add", "-A")
    shutil.copytree(repo, root / "finished", ignore=shutil.ignore_patterns(".git"))
    return repo, root / "base", root / "finished"


@pytest.fixture(scope="module")
def changed_repo(tmp_path_factory):
    return _changed_repository(tmp_path_factory.mktemp("apply"))


def _diff(repo: Path, out: Path, *options: str) -> Path:
    result = subprocess.run(["git", "diff", "--cached", *options], cwd=repo, capture_output=True, check=True)
    out.write_bytes(result.stdout)
    return out


@pytest.mark.parametrize("options", [("-M", "--binary"), ("-M", "--binary", "--no-prefix"), ("-M", "--binary", "-U1"),
                                     ("--binary", "--no-renames"), ("-M", "--binary", "--src-prefix=i/", "--dst-prefix=w/")])
def test_git_format_patches_give_what_git_apply_gives(changed_repo, tmp_path, options):
    repo, base, finished = changed_repo
    patch = _diff(repo, tmp_path / "change.patch", *options)
    _apply_ours(base, patch, tmp_path / "ours")
    git_options = ("-p0",) if "--no-prefix" in options else ()
    _apply_git(base, patch, tmp_path / "theirs", *git_options)
    assert _tree(tmp_path / "ours") == _tree(tmp_path / "theirs") == _tree(finished)


def test_binary_markers_rebuild_everything_else_and_say_what_was_not_rebuilt(changed_repo, tmp_path):
    repo, base, finished = changed_repo
    patch = _diff(repo, tmp_path / "change.patch", "-M")  # no --binary: "Binary files … differ"
    assert b"Binary files a/logo.png and b/logo.png differ" in patch.read_bytes()
    plan = plan_patch(str(base), load_patch(str(patch)), str(patch))
    notes = {change.after: change.note for change in plan.changes.files if change.note}
    assert set(notes) == {"logo.png", "new.bin"} and all("binary" in note for note in notes.values())
    shutil.copytree(base, tmp_path / "ours")
    write_plan(plan, str(tmp_path / "ours"))
    ours, want = _tree(tmp_path / "ours"), _tree(finished)
    assert ours["logo.png"] == (PNG, False) and "new.bin" not in ours  # the old bytes stay; nothing to create
    assert {p: v for p, v in ours.items() if p != "logo.png"} == {p: v for p, v in want.items() if p not in ("logo.png", "new.bin")}


def test_the_change_set_names_every_kind_of_change(changed_repo, tmp_path):
    repo, base, _finished = changed_repo
    plan = plan_patch(str(base), load_patch(str(_diff(repo, tmp_path / "p", "-M", "--binary"))), "p")
    by_status = {}
    for change in plan.changes.files:
        by_status.setdefault(change.status, set()).add(change.after or change.before)
    assert by_status["renamed"] == {"app/utils/helpers.py"} and by_status["deleted"] == {"app/auth.py"}
    assert {"app/services/tag_service.py", "new.bin"} <= by_status["added"]
    assert {"app/views/articles.py", "crlf.py", "noeol.py", "run.sh", "dir with space/a b.py", "caf\u00e9.py"} <= by_status["modified"]
    assert plan.changes.after_path("app/utils/data.py") == "app/utils/helpers.py"
    assert plan.changes.after_path("app/auth.py") is None
    added = plan.changes.added_lines("app/views/articles.py")
    text = plan.writes["app/views/articles.py"][0].decode().splitlines()
    assert {text[n - 1] for n in added} >= {"# first line added", "# two lines replaced by one", "def ping():"}
    assert all(text[n - 1] in ("# first line added", "# two lines replaced by one", "", '@bp.get("/ping")', "def ping():",
                               '    return "pong"') for n in added)
    assert plan.changes.added_lines("app/utils/helpers.py") == {len(plan.writes["app/utils/helpers.py"][0].decode().splitlines())} | {
        len(plan.writes["app/utils/helpers.py"][0].decode().splitlines()) - 1}


def test_a_patch_converted_to_crlf_and_a_plain_diff_ruN_apply_too(changed_repo, tmp_path):
    repo, base, finished = changed_repo
    patch = _diff(repo, tmp_path / "lf.patch", "-M", "--binary")
    crlf = tmp_path / "crlf.patch"
    crlf.write_bytes(patch.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert parse(crlf.read_bytes()).crlf
    _apply_ours(base, crlf, tmp_path / "ours")
    want = _tree(finished)
    got = _tree(tmp_path / "ours")
    assert {p: v for p, v in got.items() if p != "crlf.py"} == {p: v for p, v in want.items() if p != "crlf.py"}
    assert got["crlf.py"] == want["crlf.py"]  # CRLF content survives a CRLF-converted patch

    if shutil.which("diff") is None:
        pytest.skip("no diff program")
    plain = tmp_path / "plain.diff"
    result = subprocess.run(["diff", "-ruN", "base", "finished"], cwd=base.parent, capture_output=True)
    assert result.returncode == 1, result.stderr
    plain.write_bytes(result.stdout)
    _apply_ours(base, plain, tmp_path / "plain-ours")
    _apply_git(base, plain, tmp_path / "plain-git")
    text = {p: v for p, v in _tree(tmp_path / "plain-ours").items() if not p.endswith((".png", ".bin"))}
    assert text == {p: (b, x) for p, (b, x) in _tree(tmp_path / "plain-git").items() if not p.endswith((".png", ".bin"))}
    assert text == {p: (b, x) for p, (b, x) in want.items() if not p.endswith((".png", ".bin")) and p != "run.sh"} | {
        "run.sh": (want["run.sh"][0], False)}  # diff -u knows no file modes


def test_a_patch_series_touching_a_file_twice_and_the_reverse_patch(changed_repo, tmp_path):
    repo, base, finished = changed_repo
    first = _diff(repo, tmp_path / "first.patch", "-M", "--binary").read_bytes()
    # a second commit's diff on top: another change to the same views file
    second_tree = tmp_path / "second"
    shutil.copytree(finished, second_tree)
    git(second_tree, "init", "-q")
    git(second_tree, "add", "-A")
    git(second_tree, "commit", "-qm", "first")
    views = second_tree / "app/views/articles.py"
    views.write_text(views.read_text().replace('return "pong"', 'return "PONG"'))
    second = subprocess.run(["git", "diff"], cwd=second_tree, capture_output=True, check=True).stdout
    series = tmp_path / "series.patch"
    series.write_bytes(b"From 1 Mon Sep 17 00:00:00 2001\nSubject: [PATCH 1/2] one\n\n---\n app | 1 +\n\n" + first
                       + b"-- \n2.39.5\n\nSubject: [PATCH 2/2] two\n---\n" + second + b"-- \n2.39.5\n")
    _apply_ours(base, series, tmp_path / "ours")
    assert _tree(tmp_path / "ours")["app/views/articles.py"] == _tree(second_tree)["app/views/articles.py"]
    plan = plan_patch(str(base), parse(series.read_bytes()), "series")
    text = plan.writes["app/views/articles.py"][0].decode().splitlines()
    assert '    return "PONG"' in {text[n - 1] for n in plan.changes.added_lines("app/views/articles.py")}

    backwards = plan_patch(str(finished), parse(first).reversed(), "reverse")
    shutil.copytree(finished, tmp_path / "back")
    write_plan(backwards, str(tmp_path / "back"))
    assert _tree(tmp_path / "back") == _tree(base)


def test_a_repository_diff_applies_to_a_subdirectory_path(tmp_path):
    repo = tmp_path / "mono"
    shutil.copytree(FIXTURES / "flask-clean", repo / "backend")
    (repo / "frontend").mkdir()
    (repo / "frontend/app.js").write_text("console.log(1)\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    (repo / "backend/app/auth.py").write_text((repo / "backend/app/auth.py").read_text() + "\nAUTH = 1\n")
    (repo / "frontend/app.js").write_text("console.log(2)\n")
    git(repo, "add", "-A")
    patch = _diff(repo, tmp_path / "pr.diff")
    layout = choose_layout(str(repo / "backend"), parse(patch.read_bytes()))
    assert layout.prefix == "backend"
    plan = plan_patch(str(repo / "backend"), load_patch(str(patch)), "pr.diff")
    assert set(plan.writes) == {"app/auth.py"} and plan.changes.outside == ["frontend/app.js"]


def test_a_diff_of_two_directories_made_above_them(changed_repo, tmp_path):
    """`git diff --no-index base finished` run in their parent: every name carries its directory."""
    _repo, base, finished = changed_repo
    result = subprocess.run(["git", "diff", "--no-index", "-M", "--binary", "base", "finished"], cwd=base.parent, capture_output=True)
    assert result.returncode == 1, result.stderr
    patch = tmp_path / "dirs.patch"
    patch.write_bytes(result.stdout)
    assert b"diff --git a/base/app/auth.py b/base/app/auth.py" in result.stdout  # the deletion
    assert b"diff --git a/base/noeol.py b/finished/noeol.py" in result.stdout  # a modification, named apart
    assert choose_layout(str(base), parse(result.stdout)).strip == 1
    _apply_ours(base, patch, tmp_path / "ours")
    assert _tree(tmp_path / "ours") == _tree(finished)


def test_a_hunk_that_does_not_match_names_the_file_and_hunk_on_one_line(changed_repo, tmp_path):
    repo, base, _finished = changed_repo
    patch = _diff(repo, tmp_path / "change.patch", "-M", "--binary")
    drifted = tmp_path / "drifted"
    shutil.copytree(base, drifted)
    views = drifted / "app/views/articles.py"
    views.write_text(views.read_text().replace("def list_tags():", "def all_tags():"))
    with pytest.raises(PatchError) as failure:
        plan_patch(str(drifted), load_patch(str(patch)), "change.patch")
    message = str(failure.value)
    assert "\n" not in message
    assert message.startswith(f"change.patch does not apply to {drifted}: app/views/articles.py: hunk 3 of 3 (@@ -")
    assert message.endswith("does not match the file")
    theirs = subprocess.run(["git", "apply", "--check", str(patch)], cwd=drifted, capture_output=True, text=True)
    assert theirs.returncode != 0 and "app/views/articles.py" in theirs.stderr  # git agrees it does not apply

    missing = tmp_path / "missing"
    shutil.copytree(base, missing)
    (missing / "noeol.py").unlink()
    with pytest.raises(PatchError, match=r"noeol\.py: hunk 1 of 1 \(@@ -1,2 \+1,3 @@, patch line \d+\): the file does not exist"):
        plan_patch(str(missing), load_patch(str(patch)), "change.patch")
    exists = tmp_path / "exists"
    shutil.copytree(base, exists)
    (exists / "app/services/tag_service.py").write_text("x = 1\n")
    with pytest.raises(PatchError, match="tag_service.py: the patch creates it, but it already exists"):
        plan_patch(str(exists), load_patch(str(patch)), "change.patch")


@pytest.mark.parametrize("name", ["../evil.py", "/etc/evil.py", "app/../../evil.py", "app//evil.py"])
def test_unsafe_paths_are_refused(tmp_path, name):
    (tmp_path / "tree").mkdir()
    patch = f"diff --git a/{name} b/{name}\nnew file mode 100644\n--- /dev/null\n+++ b/{name}\n@@ -0,0 +1 @@\n+import os\n"
    with pytest.raises(PatchError, match="refusing the unsafe path"):
        plan_patch(str(tmp_path / "tree"), parse(patch.encode()), "evil.patch")


def test_nothing_is_read_or_written_through_a_symbolic_link(tmp_path):
    tree = tmp_path / "tree"
    (tree / "app").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("SECRET = 1\n")
    (tree / "app" / "link").symlink_to(outside, target_is_directory=True)
    modify = "--- a/app/link/secret.py\n+++ b/app/link/secret.py\n@@ -1 +1 @@\n-SECRET = 1\n+SECRET = 2\n"
    with pytest.raises(PatchError, match="symbolic link"):
        plan_patch(str(tree), parse(modify.encode()), "p")
    create = "diff --git a/app/link/x.py b/app/link/x.py\nnew file mode 100644\n--- /dev/null\n+++ b/app/link/x.py\n@@ -0,0 +1 @@\n+x = 1\n"
    with pytest.raises(PatchError, match="symbolic link"):
        plan_patch(str(tree), parse(create.encode()), "p")
    # a symbolic link the patch creates is not rebuilt
    link = "diff --git a/app/l.py b/app/l.py\nnew file mode 120000\n--- /dev/null\n+++ b/app/l.py\n@@ -0,0 +1 @@\n+/etc/passwd\n\\ No newline at end of file\n"
    plan = plan_patch(str(tree), parse(link.encode()), "p")
    assert plan.writes == {} and [c.note for c in plan.changes.files] == ["symbolic link not rebuilt"]
    assert (outside / "secret.py").read_text() == "SECRET = 1\n"


def test_the_copy_holds_what_the_analysis_reads(tmp_path):
    tree = tmp_path / "tree"
    (tree / "app" / "locale" / "de").mkdir(parents=True)
    (tree / "app" / "locale" / "de" / "django.mo").write_bytes(b"\0" * 10)
    (tree / "app" / "inner.py").write_text("x = 1\n")
    (tree / "app" / "alias.py").symlink_to("inner.py")
    (tree / "app" / "pkg").symlink_to("locale", target_is_directory=True)
    (tree / "app" / "out").symlink_to(tmp_path, target_is_directory=True)
    (tree / "node_modules" / "x").mkdir(parents=True)
    (tree / "node_modules" / "x" / "index.js").write_text("module.exports = 1\n")
    for name in ("requirements.txt", "run.sh", ".gitignore", "archlint.toml", "README.md", ".env", "schema.sql"):
        (tree / name).write_text("x\n")
    replicate(str(tree), str(tmp_path / "copy"))
    copied = sorted(p.relative_to(tmp_path / "copy").as_posix() for p in (tmp_path / "copy").rglob("*"))
    assert copied == [".env", ".gitignore", "app", "app/alias.py", "app/inner.py", "app/pkg", "archlint.toml",
                      "requirements.txt", "run.sh", "schema.sql"]
    assert os.path.islink(tmp_path / "copy/app/alias.py") and (tmp_path / "copy/app/alias.py").read_text() == "x = 1\n"
    assert os.readlink(tmp_path / "copy/app/pkg") == "locale"  # inside the tree: kept, relative to the copy
    assert os.stat(tmp_path / "copy/app/inner.py").st_ino == os.stat(tree / "app/inner.py").st_ino  # a hard link
    plan = plan_patch(str(tree), parse(b"--- a/app/inner.py\n+++ b/app/inner.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"), "p")
    write_plan(plan, str(tmp_path / "copy"))
    assert (tree / "app/inner.py").read_text() == "x = 1\n" and (tmp_path / "copy/app/inner.py").read_text() == "x = 2\n"


def test_new_files_in_new_directories_stay_where_the_patch_puts_them(tmp_path):
    tree = tmp_path / "tree"
    (tree / "app").mkdir(parents=True)
    (tree / "app" / "main.py").write_text("x = 1\n")
    create = ("diff --git a/app/comments/routes/api.py b/app/comments/routes/api.py\nnew file mode 100644\n"
              "--- /dev/null\n+++ b/app/comments/routes/api.py\n@@ -0,0 +1 @@\n+y = 2\n")
    assert set(plan_patch(str(tree), parse(create.encode()), "p").writes) == {"app/comments/routes/api.py"}
    plain = "--- /dev/null\n+++ b/app/comments/api.py\n@@ -0,0 +1 @@\n+y = 2\n"  # diff -u's creation, b/ prefixed
    assert set(plan_patch(str(tree), parse(plain.encode()), "p").writes) == {"app/comments/api.py"}


def test_renames_across_the_analysed_directory(tmp_path):
    mono = tmp_path / "mono"
    (mono / "backend").mkdir(parents=True)
    (mono / "backend" / "moving_out.py").write_text("x = 1\n")
    (mono / "backend" / "stays.py").write_text("y = 1\n")
    (mono / "shared").mkdir()
    (mono / "shared" / "util.py").write_text("z = 1\n")
    patch = ("diff --git a/backend/moving_out.py b/shared/moving_out.py\nsimilarity index 100%\n"
             "rename from backend/moving_out.py\nrename to shared/moving_out.py\n"
             "diff --git a/shared/util.py b/backend/util.py\nsimilarity index 100%\nrename from shared/util.py\nrename to backend/util.py\n"
             "diff --git a/backend/stays.py b/backend/stays.py\n--- a/backend/stays.py\n+++ b/backend/stays.py\n@@ -1 +1 @@\n-y = 1\n+y = 2\n")
    plan = plan_patch(str(mono / "backend"), parse(patch.encode()), "p")
    assert plan.deletes == {"moving_out.py"} and set(plan.writes) == {"stays.py"}
    notes = {change.after: change.note for change in plan.changes.files if change.note}
    assert notes == {"util.py": "moved in from outside the analysed directory; not rebuilt"}
    assert plan.changes.after_path("moving_out.py") is None
