"""A seeded fuzz sweep: real apps (the fixtures) mutated at random, plus hostile trees — binary and
NUL bytes, UTF-16 and Latin-1, BOM and CRLF, a 3 MB one-line bundle, 5,000-deep nesting, the newest
Python and TypeScript syntax, symlink loops, dangling links and links out of the tree, unreadable
files, odd file names, broken package.json / pyproject / tsconfig, bad ``[tool.archlint]`` values.

For every tree, through the real CLI: exit 0 or 1 (2 with exactly one line on stderr for a bad
config), valid JSON, a ``parse`` finding naming every file that cannot be decoded, the same JSON
from a second run (another process with another hash seed), nothing read outside the tree, and a
time bound per file — a hang detector with generous margins, not a performance measurement.

Seeded, so a failure reproduces: ``ARCHLINT_FUZZ_SEEDS=1-500 python -m pytest tests/test_fuzz.py``
sweeps more seeds than the suite's default handful.  Every crash such a sweep found is a regression
test in test_hostile_input.py / test_syntax_validity.py.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "fixtures"
APPS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name not in ("verify", "bench"))
SECONDS_PER_FILE = 3.0  # generous: a file takes milliseconds; a hang takes minutes
SECONDS_PER_RUN = 15.0  # interpreter start-up and imports on a loaded 2-core machine
SECRET = "ARCHLINT_FUZZ_OUTSIDE_SECRET"


def seeds() -> list[int]:
    spec = os.environ.get("ARCHLINT_FUZZ_SEEDS", "1-6")
    found: list[int] = []
    for part in spec.split(","):
        low, _, high = part.partition("-")
        found.extend(range(int(low), int(high or low) + 1))
    return found


# -- mutations ----------------------------------------------------------------------------------------
PY_MODERN = [
    "def first[T](items: list[T]) -> T:\n    return items[0]\n",
    "type Pair[K, V = int] = tuple[K, V]\n",
    "class Box[T = str]:\n    pass\n",
    'label = f"{"nested" + f"{1 + 1}"}"\n',
    'name = "x"\ngreeting = t"hello {name}"\n',
    "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",
    "lazy import json\n",
    "match command:\n    case [x, *rest] if rest:\n        pass\n    case {'k': v}:\n        pass\n",
]
JS_MODERN = [
    "export type * from './types';\n",
    "class Counter {\n  static accessor count = 0;\n}\n",
    "interface Producer<out T> { get(): T }\n",
    "const config = { port: 3000 } satisfies Record<string, number>;\n",
    "import data from './data.json' with { type: 'json' };\n",
    "function f<const T extends readonly unknown[]>(x: T): T { return x; }\n",
    "{ using handle = open(); }\n",
    "const rows = sql<{ count: number }>`SELECT COUNT(*) AS count FROM users`;\n",
]
GARBAGE = ["(", ")", "{", "}", "[", '"', "'", "'''", '"""', "`", "${", ":", "\\", "#", "/*", "*/", "\t", "    ",
           "\x00", "\x1b[2J", "\x1b]0;t\x07", "\ufeff", "\u202e", "é", "\r", ";", "=>", "async ", "await ", "yield "]


def deep(language: str, depth: int) -> str:
    if language == "python":
        return "x = " + "(" * depth + "1" + ")" * depth + "\n"
    return "const f = " + "".join(f"() => {{\n" for _ in range(depth)) + "return 1;\n" + "}\n" * depth + ";\n"


def mutate_text(rng: random.Random, text: str, language: str) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(9)
        index = rng.randrange(len(lines) or 1) if lines else 0
        if kind == 0 and text:
            return "\n".join(lines)[: rng.randrange(len(text))]
        if kind == 1 and lines:
            del lines[index]
        elif kind == 2 and lines:
            lines.insert(index, lines[index])
        elif kind == 3:
            line = lines[index] if lines else ""
            at = rng.randrange(len(line) + 1)
            lines[index:index + 1] = [line[:at] + rng.choice(GARBAGE) + line[at:]]
        elif kind == 4 and lines:
            lines[index] = " " * rng.randint(1, 3) + lines[index] if rng.random() < 0.5 else lines[index].lstrip()
        elif kind == 5:
            lines.insert(index, rng.choice(PY_MODERN if language == "python" else JS_MODERN))
        elif kind == 6:
            lines.append(deep(language, rng.choice([50, 500, 5000])))
        elif kind == 7 and lines:
            lines[index] = "".join(c if rng.random() > 0.05 else rng.choice("xyz_0(") for c in lines[index])
        elif kind == 8 and lines:
            rng.shuffle(lines)
    return "\n".join(lines)


def encode(rng: random.Random, text: str) -> tuple[bytes, bool]:
    """Bytes for the text, and whether they are undecodable (a parse finding must name the file)."""
    kind = rng.randrange(10)
    if kind == 0:
        return text.encode("utf-16"), True  # BOM + NUL bytes
    if kind == 1:
        return ("x = 'caf\u00e9'\n" + text).encode("latin-1", "replace"), True  # no coding cookie
    if kind == 2:
        return b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass"), False
    if kind == 3:
        return text.replace("\n", "\r\n").encode("utf-8", "surrogatepass"), False
    return text.encode("utf-8", "surrogatepass"), False


@dataclass
class Tree:
    root: Path
    undecodable: set[str] = field(default_factory=set)
    bad_config: bool = False
    files: int = 0


LANGUAGE_OF = {".py": "python", ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".ts": "typescript",
               ".tsx": "typescript", ".jsx": "javascript"}


def build(rng: random.Random, root: Path, outside: Path) -> Tree:
    app = rng.choice(APPS)
    shutil.copytree(FIXTURES / app, root, ignore=shutil.ignore_patterns("expected.json", "__pycache__"))
    tree = Tree(root)
    sources = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in LANGUAGE_OF)
    for path in rng.sample(sources, k=min(len(sources), rng.randint(1, 4))):
        text = path.read_text(encoding="utf-8", errors="replace")
        data, undecodable = encode(rng, mutate_text(rng, text, LANGUAGE_OF[path.suffix]))
        path.write_bytes(data)
        if undecodable:
            tree.undecodable.add(path.relative_to(root).as_posix())
    extras = rng.sample(range(12), k=rng.randint(2, 6))
    # a fixture's own archlint.toml governs before pyproject.toml (CONFIG_NAMES order): a bad
    # [tool.archlint] next to it is never read, so the bad key goes into the governing file
    own = next((root / name for name in ("archlint.toml", ".archlint.toml") if (root / name).is_file()), None)
    hostile = root / "hostile"
    hostile.mkdir(exist_ok=True)
    for extra in extras:
        if extra == 0:
            (hostile / "blob.py").write_bytes(bytes(rng.randrange(256) for _ in range(4096)) + b"\x00")
            tree.undecodable.add("hostile/blob.py")
        elif extra == 1:
            (hostile / "bundle.js").write_text("var a=require('x');" * 160_000)  # ~3 MB on one line
        elif extra == 2:
            (hostile / "deep.js").write_text(deep("javascript", 5000))
            (hostile / "deep.py").write_text("".join(" " * i + "if x:\n" for i in range(120)) + " " * 120 + "pass\n")
        elif extra == 3:
            os.symlink("loop.py", hostile / "loop.py")
            os.symlink("missing.py", hostile / "dangling.py")
            os.symlink("..", hostile / "up")
        elif extra == 4:
            os.symlink(outside / "secret.py", hostile / "leak.py")
            os.symlink(outside, hostile / "leakdir")
        elif extra == 5:
            locked = hostile / "locked.py"
            locked.write_text("import os\n")
            locked.chmod(0)
        elif extra == 6:
            for name in ("spa ce.py", "\u00fcn\u00efc\u00f6de.py", "-dash.py", "new\nline.py", "quo'te\".py", "x.tar.gz.ts",
                         "\u202eevil.py", "tab\there.js"):
                (hostile / name).write_text("import os\nx = 1\n")
        elif extra == 7:
            (hostile / "package.json").write_text(rng.choice(['{"name": ', "[1, 2", '{"dependencies": 5}', "\x00\x01"]))
            (hostile / "tsconfig.json").write_text(rng.choice(['{ "compilerOptions": { "paths": 5 } }', "{ // c\n", '{"extends": "../../../../etc/passwd"}']))
        elif extra == 8:
            broken = rng.choice(["[project\nname =", "[tool.archlint\n", '[[tool]]\n"x" = \x00'])
            (root / "pyproject.toml").write_text(broken)
            # a broken manifest is the project's problem; one that meant to configure archlint is a config error
            tree.bad_config = "tool.archlint" in broken if own is None else tree.bad_config
        elif extra == 9:
            bad = rng.choice(['fail_on = "sometimes"', "exclude = [1, 2]", "layers = 5", 'preset = "no-such-preset"',
                              "[[tool.archlint.layers]]\nname = 3"])
            if own is None:
                (root / "pyproject.toml").write_text(f"[tool.archlint]\n{bad}\n")
            else:
                own.write_text(own.read_text() + "\n" + bad.replace("tool.archlint.", "") + "\n")
            tree.bad_config = True
        elif extra == 10:
            (hostile / "modern.py").write_text("\n".join(PY_MODERN))
            (hostile / "modern.ts").write_text("\n".join(JS_MODERN))
        elif extra == 11:
            (hostile / "crlf_bom.py").write_bytes(b"\xef\xbb\xbfimport os\r\nx = 1\r\n")
            (hostile / "nul_late.js").write_bytes(b"const a = 1;\n" * 1000 + b"\x00")
    tree.files = sum(1 for p in root.rglob("*") if p.suffix in LANGUAGE_OF)
    return tree


# -- the property --------------------------------------------------------------------------------------
def run(root: Path, hash_seed: str) -> tuple[subprocess.CompletedProcess, float]:
    env = dict(os.environ, NO_COLOR="1", PYTHONHASHSEED=hash_seed)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "archlint", "check", ".", "--format", "json", "--no-cache"],
                            capture_output=True, text=True, cwd=root, env=env, timeout=600)
    return result, time.monotonic() - started


def without_timing(report: dict) -> dict:
    report = dict(report)
    report["stats"] = {k: v for k, v in report["stats"].items() if k != "seconds"}
    return report


@pytest.mark.parametrize("seed", seeds())
def test_any_tree_gives_a_contract_answer_deterministically(tmp_path, seed):
    rng = random.Random(seed)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(f"import {SECRET}\nSQL = 'SELECT {SECRET} FROM t'\n")
    tree = build(rng, tmp_path / "tree", outside)
    first, seconds = run(tree.root, "1")
    assert seconds < SECONDS_PER_RUN + SECONDS_PER_FILE * tree.files, f"seed {seed}: {seconds:.1f}s for {tree.files} files"
    if tree.bad_config:
        assert first.returncode == 2, (seed, first.returncode, first.stderr)
        assert len(first.stderr.splitlines()) == 1 and first.stderr.startswith("archlint: error:"), (seed, first.stderr)
        return
    assert first.returncode in (0, 1), (seed, first.returncode, first.stderr[-2000:])
    report = json.loads(first.stdout)
    parse_paths = {f["path"] for f in report["findings"] if f["category"] == "parse"}
    assert tree.undecodable <= parse_paths, (seed, tree.undecodable - parse_paths)
    assert SECRET not in first.stdout and SECRET not in first.stderr, seed
    second, _ = run(tree.root, "2")
    assert second.returncode == first.returncode and without_timing(json.loads(second.stdout)) == without_timing(report), seed
