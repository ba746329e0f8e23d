"""Discovery on real directory shapes: excludes, .gitignore, virtualenvs, symlinks, manifests."""

from __future__ import annotations

import os
import threading

from archlint.adapters.discovery import discover


def write(root, relative: str, text: str = "x = 1\n") -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def paths_of(result):
    return [s.path for s in result.sources]


def test_languages_by_extension_and_manifests(tmp_path):
    for name in ["a.py", "b.pyi", "c.js", "d.mjs", "e.cjs", "f.jsx", "g.ts", "h.tsx", "i.mts", "j.cts", "k.txt", "l.md"]:
        write(tmp_path, f"src/{name}")
    write(tmp_path, "requirements.txt", "flask\n")
    write(tmp_path, "package.json", "{}")
    write(tmp_path, "tsconfig.json", "{}")
    write(tmp_path, ".env", "A=1\n")
    write(tmp_path, "docker-compose.yml", "services: {}\n")
    result = discover(str(tmp_path), [str(tmp_path)], [])
    languages = {s.path: s.language for s in result.sources}
    assert languages == {
        "src/a.py": "python", "src/b.pyi": "python", "src/c.js": "javascript", "src/d.mjs": "javascript",
        "src/e.cjs": "javascript", "src/f.jsx": "javascript", "src/g.ts": "typescript", "src/h.tsx": "typescript",
        "src/i.mts": "typescript", "src/j.cts": "typescript",
    }
    assert [m for m, _ in result.manifests] == [".env", "docker-compose.yml", "package.json", "requirements.txt", "tsconfig.json"]


def test_default_excludes_and_virtualenv_under_any_name(tmp_path):
    write(tmp_path, "app/main.py")
    for excluded in ["node_modules/x/index.js", ".git/hooks/a.py", "dist/out.js", "build/lib.py", "__pycache__/m.py", ".venv/lib/site.py"]:
        write(tmp_path, excluded)
    write(tmp_path, "myenv/pyvenv.cfg", "home = /usr\n")
    write(tmp_path, "myenv/lib/python3.11/site-packages/flask/app.py")
    assert paths_of(discover(str(tmp_path), [str(tmp_path)], [])) == ["app/main.py"]


def test_exclude_globs_and_gitignore_at_any_level(tmp_path):
    write(tmp_path, "app/main.py")
    write(tmp_path, "app/generated/models_pb2.py")
    write(tmp_path, "app/legacy/old.py")
    write(tmp_path, "app/legacy/keep.py")
    write(tmp_path, ".gitignore", "generated/\n")
    write(tmp_path, "app/legacy/.gitignore", "old.py\n")
    write(tmp_path, "scripts/seed.py")
    result = discover(str(tmp_path), [str(tmp_path)], ["scripts/**"])
    assert paths_of(result) == ["app/legacy/keep.py", "app/main.py"]


def test_gitignore_can_be_turned_off(tmp_path):
    write(tmp_path, "app/main.py")
    write(tmp_path, ".gitignore", "*.py\n")
    assert paths_of(discover(str(tmp_path), [str(tmp_path)], [], use_gitignore=False)) == ["app/main.py"]


def test_symlinks_out_of_root_loops_and_broken_links(tmp_path):
    outside = tmp_path / "outside"
    write(outside, "secret.py")
    root = tmp_path / "repo"
    write(root, "app/main.py")
    os.symlink(outside / "secret.py", root / "app" / "linked.py")  # leaves the root: skipped
    os.symlink(outside, root / "app" / "outdir")  # directory outside the root: not followed
    os.symlink(root / "app", root / "app" / "loop")  # loop back into the tree
    os.symlink(root / "missing.py", root / "app" / "broken.py")
    os.symlink(root / "app" / "self.py", root / "app" / "self.py")  # ELOOP
    result = discover(str(root), [str(root)], [])
    assert paths_of(result) == ["app/main.py"]
    problems = {path: problem.message for path, problem in result.problems}
    assert set(problems) == {"app/broken.py", "app/self.py"}
    assert "broken symlink" in problems["app/broken.py"]
    assert "loop" in problems["app/self.py"]
    assert result.skipped >= 3


def test_fifos_sockets_and_devices_named_like_sources_are_never_read(tmp_path):
    """A FIFO named ``x.py`` (or a symlink to one, or a FIFO ``package.json``) in a tree: opening it
    blocks until a writer comes, so the run hung forever.  Only regular files are sources."""
    write(tmp_path, "app/main.py")
    os.mkfifo(tmp_path / "app" / "pipe.py")
    os.mkfifo(tmp_path / "package.json")
    os.symlink(tmp_path / "app" / "pipe.py", tmp_path / "app" / "linked.js")
    result = discover(str(tmp_path), [str(tmp_path)], [])
    assert paths_of(result) == ["app/main.py"]
    assert result.manifests == []
    assert result.problems == []
    assert result.skipped == 3
    named = discover(str(tmp_path), [str(tmp_path / "app" / "pipe.py")], [])
    assert paths_of(named) == [] and named.skipped == 1


def test_a_fifo_gitignore_is_not_read(tmp_path):
    """Reading a FIFO ``.gitignore`` blocks until a writer comes (the run hung).  The writer here
    feeds ``app/`` if anything reads it, so an unguarded read fails the test instead of hanging."""
    write(tmp_path, "app/main.py")
    fifo = tmp_path / ".gitignore"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "w") as handle:
            handle.write("app/\n")

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    result = discover(str(tmp_path), [str(tmp_path)], [])
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # releases the writer if nothing read it
    writer.join()
    os.close(reader)
    assert paths_of(result) == ["app/main.py"]


def test_explicit_file_paths(tmp_path):
    write(tmp_path, "app/a.py")
    write(tmp_path, "app/b.py")
    result = discover(str(tmp_path), [str(tmp_path / "app" / "b.py")], [])
    assert paths_of(result) == ["app/b.py"]


def test_explicitly_named_path_is_analysed_even_if_excluded(tmp_path):
    write(tmp_path, "legacy/old.py")
    write(tmp_path, "legacy/generated/skip.py")
    result = discover(str(tmp_path), [str(tmp_path / "legacy")], ["legacy/**", "**/generated/**"])
    assert paths_of(result) == ["legacy/old.py"]


def test_browser_assets_no_package_json_governs_are_left_out(tmp_path):
    """pretix ships 629 JS files under static/ and static.dist/ (jQuery plugins, Vite bundles) and no
    package.json: they are what the Django app serves to browsers, not a Node program (9 s and 600 MB
    of parsing before).  JS outside an asset directory, and JS under a package.json — a Node
    backend's public/ or a frontend/ sub-project — are analysed."""
    write(tmp_path, "requirements.txt", "django\n")
    write(tmp_path, "shop/views.py")
    write(tmp_path, "shop/static/shop/js/cart.js", "$(function () { $('#cart').show(); });\n")
    write(tmp_path, "shop/static.dist/vite/app.min.js", "var a=1;\n")
    write(tmp_path, "shop/static.dist/vite/vendor.js", "export const v = 1;\n")
    write(tmp_path, "tools/build.js", "require('fs');\n")
    write(tmp_path, "frontend/package.json", "{}")
    write(tmp_path, "frontend/public/sw.js", "self.addEventListener('fetch', () => {});\n")
    result = discover(str(tmp_path), [str(tmp_path)], [])
    assert paths_of(result) == ["frontend/public/sw.js", "shop/views.py", "tools/build.js"]
    assert result.problems == [] and result.skipped == 0
    assert sorted(d for d, why in result.hidden if why.startswith("browser assets")) == ["shop/static", "shop/static.dist"]
    write(tmp_path, "package.json", "{}")  # a Node project at the root governs every JS file
    result = discover(str(tmp_path), [str(tmp_path)], [])
    assert "shop/static/shop/js/cart.js" in paths_of(result) and "shop/static.dist/vite/vendor.js" in paths_of(result)
