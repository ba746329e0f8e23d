"""The cheap import scanner yields exactly the tree-sitter frontend's imports and archlint
comments.  On a vendored tricky corpus this always runs; on real trees (Django, SQLAlchemy, a
saleor-sized app) see tests/test_scanner_equivalence.py and bench/scanner_equivalence.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from archlint.adapters.frontends import python
from archlint.adapters.frontends.scanner import compare_file, scan_python
from archlint.domain.facts import DYNAMIC, LAZY, OPAQUE, RUNTIME, TYPE_ONLY

CORPUS = Path(__file__).parent / "data" / "scanner_tricky.py"


def _scan(source: str):
    result = scan_python(source.encode())
    assert result is not None, "the scanner handed this source to the frontend"
    return result


def test_tricky_corpus_matches_the_frontend_exactly():
    data = CORPUS.read_bytes()
    scanned = scan_python(data)
    assert scanned is not None
    reference = python.extract("scanner_tricky.py", data, full=False)
    assert not reference.problems
    assert scanned[0] == reference.imports
    assert scanned[1] == reference.suppressions
    assert compare_file("scanner_tricky.py", data) == ""


def test_tricky_corpus_kinds_and_strings():
    imports, suppressions = scan_python(CORPUS.read_bytes())
    kinds = {record.module: record.kind for record in imports}
    assert "not_an_import" not in kinds and "inside_triple" not in kinds and "fake" not in kinds
    assert "commented_out" not in kinds and "not_code" not in kinds and "inside_def_docstring" not in kinds
    assert kinds["after_triple"] == RUNTIME and kinds["after_dict"] == RUNTIME
    assert kinds["models"] == TYPE_ONLY and kinds["typed_only"] == TYPE_ONLY and kinds["one_line_typed"] == TYPE_ONLY
    assert kinds["runtime_else"] == RUNTIME and kinds["in_loop_block"] == RUNTIME and kinds["after_for"] == RUNTIME
    assert kinds["after_try"] == RUNTIME and kinds["simplejson"] == RUNTIME
    assert kinds["lazy_in_function"] == LAZY and kinds["inner_lazy"] == LAZY and kinds["in_one_liner"] == LAZY
    assert kinds["typed_in_method"] == TYPE_ONLY and kinds["method_lazy"] == LAZY and kinds["async_lazy"] == LAZY
    assert kinds["pep810_module"] == LAZY and kinds["pep810"] == LAZY and kinds["class_level"] == RUNTIME
    assert "__future__" not in kinds  # a compiler directive, as in the frontend
    multi = next(record for record in imports if record.module == "deep.pkg")
    assert multi.names == ("alpha", "beta", "gamma") and multi.level == 3
    assert (multi.span.line, multi.span.end_line) != (multi.span.line, multi.span.line)
    expected_line = CORPUS.read_text().splitlines().index("from final import last  # archlint: ignore[AL101] a reviewed exception") + 1
    assert suppressions == [(expected_line, "# archlint: ignore[AL101] a reviewed exception")]


@pytest.mark.parametrize(
    "source",
    [
        "import a\n",
        "from a import (b,\n    c)\n",
        "def f():\n    x = g(\n1)\n    import y\n",  # a continuation line below the def's indentation
        "import a.b as c, d.e\n",
        "from .a import b as c\n",
        "s = 'é'\nimport unicode_after\n",
        "if x:\n    pass\nelif TYPE_CHECKING:\n    import not_typed\n",
        "def f(\n    a,\n):\n    import lazy_after_signature\n",
        "class A:\n    def m(self) -> None: import inline_lazy\n",
        "if sys.platform == 'win32' or not _t.TYPE_CHECKING:\n    import runtime_despite_the_name\n",
        "if typing.TYPE_CHECKING:\n    import typed\n",
        # a one-line string continued by a backslash holds a quote, then a docstring opens (test_tokenize.py)
        "check(r'\"a\\\nde\"', \"\"\"\\\n    STRING\n\"\"\")\ndef f():\n    import in_function\n",
    ],
)
def test_scanner_agrees_or_defers(source):
    """Either the scanner's answer is the frontend's, or it defers (returns None)."""
    data = source.encode()
    scanned = scan_python(data)
    reference = python.extract("x.py", data, full=False)
    if scanned is not None:
        assert scanned[0] == reference.imports
    kinds = {record.module: record.kind for record in reference.imports}
    assert kinds.get("runtime_despite_the_name", RUNTIME) == RUNTIME and kinds.get("typed", TYPE_ONLY) == TYPE_ONLY


def test_dynamic_imports_resolve_like_the_frontend():
    source = (
        b"import importlib\nfrom importlib import import_module as load\n\n\ndef plugins():\n"
        b"    importlib.import_module('plugins.core')\n    load('.relative.plugin', package=__name__)\n"
        b"    __import__('legacy_plugin')\n    return \"importlib.import_module('not.a.call')\"\n"
    )
    imports, _ = scan_python(source)
    assert [(i.module, i.kind, i.level) for i in imports if i.kind == DYNAMIC] == [
        ("plugins.core", DYNAMIC, 0),
        ("relative.plugin", DYNAMIC, 1),
        ("legacy_plugin", DYNAMIC, 0),
    ]
    assert imports == python.extract("x.py", source, full=False).imports
    rebound, _ = _scan("from mylib import import_module\nimport_module('x')\n")
    assert [i.module for i in rebound] == ["mylib"]  # not importlib's: no dynamic edge
    # a computed target is folded from constants by the frontend (a real edge or opaque): it decides
    assert scan_python(b"import importlib\nfor name in ('a', 'b'):\n    importlib.import_module(f'app.{name}')\n") is None
    unbound = b"import importlib\nimportlib.import_module(f'app.{name}')\n"  # nothing can fold `name`: opaque
    assert scan_python(unbound)[0] == python.extract("x.py", unbound, full=False).imports


# (source, does the scanner answer itself?): an argument folding can give no text value is opaque
# with its own text, as the frontend leaves it; anything folding might resolve goes to the frontend.
_OPAQUE_CASES = [
    ("from django.conf import settings\nfrom importlib import import_module\n\n\ndef store():\n"
     "    return import_module(settings.SESSION_ENGINE).SessionStore\n", True),
    ("import importlib\n\n\nclass Ops:\n    def compiler(self):\n        return importlib.import_module(self.compiler_module)\n", True),
    ("import importlib\n\n\ndef load(path):\n    return importlib.import_module(path)\n", True),  # a parameter
    ("import importlib\n\n\ndef load(mods, i):\n    return importlib.import_module(mods[i])\n", True),  # parameters only
    ("import importlib\n\n\ndef load(path):\n    log(path=path)\n    return importlib.import_module(path)\n", True),  # a keyword binds nothing
    ("import importlib\n\n\ndef load(path, package):\n    return importlib.import_module(path, package=package)\n", True),
    # bound in the file: folding decides
    ("import importlib\n\n\nclass Ops:\n    compiler_module = 'app.sql.compiler'\n\n"
     "    def compiler(self):\n        return importlib.import_module(self.compiler_module)\n", False),
    ("import importlib\nTARGET = 'app.plugins'\n\n\ndef load():\n    return importlib.import_module(TARGET)\n", False),
    ("import importlib\n\n\ndef load():\n    for name in ['a', 'b']:\n        importlib.import_module(name)\n", False),
    ("import importlib\n\n\ndef load():\n    for (kind,\n         name) in PAIRS:\n        importlib.import_module(name)\n", False),
    ("import importlib\n\n\ndef load():\n    with open('x') as name:\n        importlib.import_module(name)\n", False),
    ("import importlib\n\n\ndef load():\n    name: dict[\n        str, str] = 'a'\n    importlib.import_module(name)\n", False),
    ("import importlib\n\n\ndef load():\n    name \\\n        = 'a'\n    importlib.import_module(name)\n", False),
    ("import importlib\n\n\ndef load():\n    name += 'a'\n    importlib.import_module(name)\n", False),
    ("import importlib\n\n\ndef load():\n    if (name := 'a'):\n        importlib.import_module(name)\n", False),
    # literals and folding's own names with a variable part (what folding leaves opaque); empty calls
    ("import importlib\nimportlib.import_module('%s.models' % app)\n", True),  # `app` bound nowhere
    ("import importlib\nimportlib.import_module(__name__ + suffix)\n", True),
    ("import importlib\nimportlib.import_module(str())\n", False),
    ("import importlib\nimportlib.import_module(x or None)\n", True),
    ("import importlib\nimportlib.import_module(prefix + 2 * part)\n", True),
]


@pytest.mark.parametrize("source,answers", _OPAQUE_CASES, ids=range(len(_OPAQUE_CASES)))
def test_opaque_dynamic_imports_are_the_frontends_or_deferred(source, answers):
    data = source.encode()
    scanned = scan_python(data)
    reference = python.extract("x.py", data, full=False).imports
    assert (scanned is not None) == answers
    if scanned is not None:
        assert scanned[0] == reference
        assert any(record.kind == OPAQUE for record in scanned[0])


_H = "import importlib\n\n\n"
# (source, does the scanner answer itself?) for arguments built from names the file assigns: the
# scanner proves the value variable along every assignment folding could follow (Django's shapes),
# or hands the file to the frontend.  Either way the records are the frontend's (compare_file).
_ASSIGNED_CASES = [
    # proven opaque: a parameter's method, a parameter in a %-format, a loop over a parameter, a
    # function's result unpacked twice, a member set from a parameter, a join of a parameter
    (_H + "def load(entry):\n    mod_path, _, cls_name = entry.rpartition('.')\n    return importlib.import_module(mod_path)\n", True),
    (_H + "def load_backend(backend_name):\n    if backend_name == 'old':\n        backend_name = 'new'\n"
     "    return importlib.import_module('%s.base' % backend_name)\n", True),  # a parameter wins over assignments
    (_H + "def load(app_name, name):\n    return importlib.import_module('%s.commands.%s' % (app_name, name))\n", True),
    (_H + "def load(labels):\n    for label in labels:\n        importlib.import_module(label)\n", True),
    (_H + "def load(labels):\n    for i, label in enumerate(labels):\n        importlib.import_module(label)\n", True),
    (_H + "def load(view):\n    mod, func = split(view)\n    mod, klass = split(mod)\n    return importlib.import_module(mod)\n", True),
    (_H + "class Loader:\n    def __init__(self, name):\n        self.urlconf_name = name\n\n"
     "    def urls(self):\n        return importlib.import_module(self.urlconf_name)\n", True),
    (_H + "def load(parts):\n    return importlib.import_module('.'.join(parts))\n", True),
    (_H + "def load(path):\n    name = None\n    if path:\n        name = path.lower()\n    return importlib.import_module(name)\n", True),
    (_H + "def load(path, x):\n    if path:\n        name = x\n    else:\n        name = 'b'\n    return importlib.import_module(name)\n", True),
    # a member set from a parameter in a class whose method has a comprehension binding the same
    # name (a loop binds no member); a parameter on a signature spread over lines (`name, other=None`
    # there is no assignment); a value that is a call whose arguments go on over lines
    (_H + "class Config:\n    def __init__(self, label):\n        self.name = label\n\n    def pairs(self, mod):\n"
     "        return [\n            (name, value)\n            for name, value in vars(mod).items()\n        ]\n\n"
     "    def load(self):\n        return importlib.import_module('%s.models' % (self.name,))\n", True),
    (_H + "class Pattern:\n    def __init__(self, regex):\n        self.regex = regex\n\n\n"
     "class Resolver:\n    def __init__(\n        self, pattern, name, default=None\n    ):\n        self.name = name\n\n"
     "    def urls(self):\n        return importlib.import_module(self.name)\n", True),
    (_H + "class Writer:\n    def base(self):\n        package, _ = Loader.package_of(\n            self.label\n        )\n"
     "        return importlib.import_module(package)\n", True),
    # a member one method of the class sets from a parameter, whatever another class (even a
    # subclass, even over a header spread over lines) or the class body assigns (the folder pools
    # the family's values, and the worst of them is variable: Django's Settings and
    # UserSettingsHolder); a loop over a list holding a variable, grown by `append` (Django's
    # `locales = [locale]`); a tuple unpacked from a variable and a literal (`dirs, missing =
    # name.split("."), []`): each name gets the worst of its items
    (_H + "class Settings:\n    def __init__(self, module):\n        self.MODULE = module\n"
     "        importlib.import_module(self.MODULE)\n\n\nclass Holder:\n    MODULE = None\n", True),
    (_H + "class Settings:\n    def __init__(self, module):\n        self.MODULE = module\n"
     "        importlib.import_module(self.MODULE)\n\n\nclass Holder(\n    base.Settings,\n):\n    MODULE = 'app.x'\n", True),
    (_H + "class Settings:\n    MODULE = 'app.x'\n\n    def __init__(self, module):\n        self.MODULE = module\n"
     "        importlib.import_module(self.MODULE)\n", True),
    (_H + "def load(lang):\n    locale = to_locale(lang)\n    locales = [locale]\n    if '_' in locale:\n"
     "        locales.append('en')\n    for location in ['app.%s']:\n        for loc in locales:\n"
     "            importlib.import_module('%s.formats' % (location % loc))\n", True),
    (_H + "def load(lang):\n    langs = [lang, 'en']\n    for loc in langs:\n        importlib.import_module(loc)\n", True),
    (_H + "def load(name):\n    dirs, missing = name.split('.'), []\n    while dirs:\n"
     "        missing.insert(0, dirs.pop(-1))\n        importlib.import_module('.'.join(dirs))\n", True),
    (_H + "def load(name):\n    pairs = [('a', 'b'), name]\n    for pair in pairs:\n        for loc in pair:\n"
     "            importlib.import_module(loc)\n", True),
    # their look-alikes: the constant is the owner's own (another class sets the member), the
    # method is named like a class holding a constant (the folder's owner is then that class), a
    # list of constants only, an empty list, a tuple of literals, a comprehension or a starred list
    # (not read), a loop over a constant dict's items
    (_H + "class Other:\n    def __init__(self, module):\n        self.MODULE = module\n\n\nclass Settings:\n"
     "    MODULE = 'app.x'\n\n    def load(self):\n        return importlib.import_module(self.MODULE)\n", False),
    (_H + "class Settings:\n    def __init__(self, module):\n        self.MODULE = module\n\n\nclass load:\n"
     "    MODULE = 'app.x'\n\n\nclass Holder:\n    def load(self):\n        return importlib.import_module(self.MODULE)\n", False),
    (_H + "def load(lang):\n    locales = ['en']\n    for loc in locales:\n        importlib.import_module('%s.formats' % loc)\n", False),
    (_H + "def load(lang):\n    locales = []\n    for loc in locales:\n        importlib.import_module('%s.formats' % loc)\n", False),
    (_H + "def load(name):\n    dirs, missing = ['a', 'b'], []\n    importlib.import_module('.'.join(dirs))\n", False),
    (_H + "def load(name):\n    dirs, missing = 'app.a', 'app.b'\n    importlib.import_module(dirs)\n", False),
    (_H + "def load(lang):\n    locales = [lang.x for lang in LANGS]\n    for loc in locales:\n        importlib.import_module(loc)\n", False),
    (_H + "def load(lang):\n    for loc in [*LANGS]:\n        importlib.import_module(loc)\n", False),
    (_H + "TABLES = {'app.a': 1}\n\ndef load():\n    for key, value in TABLES.items():\n        importlib.import_module(key)\n", False),
    # a parameter's default on a signature spread over lines (wagtail's `def sendfile(` … `backend=None,`)
    # and a keyword argument on a call's lines bind nothing; a name used inside brackets over lines
    (_H + "def get():\n    backend = getattr(settings, 'BACKEND', None)\n    return importlib.import_module(backend)\n\n\n"
     "def send(\n    request,\n    backend=None,\n):\n    return backend\n", True),
    (_H + "def get():\n    backend = getattr(settings, 'BACKEND', None)\n    log(\n        'x',\n        backend=None,\n    )\n"
     "    return importlib.import_module(backend)\n", True),
    (_H + "def load(name):\n    tags[name] = 1\n    log(\n        name,\n    )\n    return importlib.import_module(name)\n", True),
    # their look-alikes: the same name assigned a constant in another function, a tuple target
    # spread over lines (the folder unpacks it: each name is one of the constants)
    (_H + "def get():\n    backend = getattr(settings, 'BACKEND', None)\n    return importlib.import_module(backend)\n\n\n"
     "def send(request):\n    if request:\n        backend = 'app.x'\n    return backend\n", False),
    (_H + "def load():\n    (name,\n     other) = 'app.a', 'app.b'\n    return importlib.import_module(name)\n", False),
    (_H + "def load():\n    (other,\n     name) = 'app.a', 'app.b'\n    return importlib.import_module(name)\n", False),
    (_H + "def load():\n    (other,\n     name,\n     third) = 'app.a', 'app.b', 'c'\n    return importlib.import_module(name)\n", False),
    # look-alikes folding resolves, or a guard pins, or a shape not read: the frontend decides
    (_H + "class Config:\n    name = 'app.models'\n\n    def pairs(self, mod):\n        return [name for name in mod]\n\n"
     "    def load(self):\n        return importlib.import_module(self.name)\n", False),
    (_H + "def load(path):\n    if (\n        name := 'app.a'\n    ):\n        return importlib.import_module(name)\n", False),
    (_H + "def load(path):\n    with (\n        path as name,\n    ):\n        return importlib.import_module(name)\n", False),
    (_H + "def load(self):\n    package = get_package(\n        self.label\n    ) or 'app.a'\n"
     "    return importlib.import_module(package)\n", False),
    (_H + "def load(self):\n    package = str(\n        'app.a'\n    )\n    return importlib.import_module(package)\n", False),
    (_H + "def load(path):\n    name = 'app.' + 'x'\n    return importlib.import_module(name)\n", False),
    (_H + "name = 'a'\n\ndef other(path):\n    name = path\n\ndef load():\n    return importlib.import_module(name)\n", False),
    (_H + "def load():\n    for name in ('a', 'b'):\n        importlib.import_module(name)\n", False),
    (_H + "def load(names):\n    for i, name in enumerate(['a', 'b']):\n        importlib.import_module(name)\n", False),
    (_H + "ALLOWED = {'a', 'b'}\n\ndef load(name):\n    if name not in ALLOWED:\n        raise ValueError(name)\n"
     "    return importlib.import_module(name)\n", False),
    (_H + "allowed = ['a', 'b']\n\ndef load(name):\n    if name not in allowed:\n        raise ValueError(name)\n"
     "    return importlib.import_module(name)\n", False),
    (_H + "_API = {'a': 'x.a'}\n\ndef load(name):\n    found = _API.get(name)\n    if found is None:\n        return None\n"
     "    return importlib.import_module(name)\n", False),
    (_H + "helper = lambda x: 'a'\n\ndef load():\n    return importlib.import_module(helper(1))\n", False),
    (_H + "def load():\n    name = os.path.join('a', 'b')\n    return importlib.import_module(name)\n", False),
    (_H + "class Ops:\n    compiler_module = 'app.compiler'\n\n    def load(self):\n"
     "        return importlib.import_module(self.compiler_module)\n", False),
    (_H + "class name:\n    pass\n\ndef load():\n    return importlib.import_module(name)\n", False),
    (_H + "def load(table):\n    return importlib.import_module(table._meta)\n", False),
    (_H + "def load(path):\n    name = 'a' if path else 'b'\n    return importlib.import_module(name)\n", False),
    (_H + "def load(path):\n    with path as name:\n        return importlib.import_module(name)\n", False),
    (_H + "def load(path):\n    name = other = 'a'\n    return importlib.import_module(name)\n", False),
    (_H + "def load(path):\n    x = [\n        name for name in path]\n    name = 'a'\n    return importlib.import_module(name)\n", False),
    (_H + "def f(): name = 'a'\ndef load(path):\n    name = path\n    return importlib.import_module(name)\n", False),
]


@pytest.mark.parametrize("source,answers", _ASSIGNED_CASES, ids=range(len(_ASSIGNED_CASES)))
def test_computed_imports_of_assigned_names_are_the_frontends_or_deferred(source, answers):
    data = source.encode()
    scanned = scan_python(data)
    reference = python.extract("x.py", data, full=False).imports
    assert (scanned is not None) == answers
    if scanned is not None:
        assert scanned[0] == reference
        assert any(record.kind == OPAQUE for record in scanned[0])
    assert compare_file("x.py", data) in ("", None)


def test_imports_guarded_by_try_are_optional_as_in_the_frontend():
    """``optional``: in a try: body whose except catches ImportError (or a base, or everything)."""
    imports, _ = scan_python(CORPUS.read_bytes())
    optional = {record.module: record.optional for record in imports}
    assert optional["ujson"] and optional["simplejson"]
    assert not optional["after_try"] and not optional["in_loop_block"] and not optional["os"]
    source = b"try:\n    import a\nexcept ValueError:\n    pass\n\n\ndef f():\n    try:\n        import b\n    except Exception:\n        pass\n"
    scanned, _ = scan_python(source)
    assert [(i.module, i.optional) for i in scanned] == [("a", False), ("b", True)]
    assert scanned == python.extract("x.py", source, full=False).imports


def test_statement_forms():
    imports, _ = _scan("import a.b as c, d\nfrom ..x import (y as z,)\nfrom . import *\n")
    assert [(i.module, i.names, i.level) for i in imports] == [("a.b", (), 0), ("d", (), 0), ("x", ("y",), 2), ("", ("*",), 1)]
    assert imports[0].span == imports[1].span  # one statement, two edges


def test_file_signal_is_the_frontends_file_signal():
    from archlint.adapters.frontends.python import _FILE_SIGNAL
    from archlint.adapters.frontends.scanner import file_signal

    samples = [
        CORPUS.read_bytes(),
        b'q = "SELECT id FROM users"\n',
        b"q = f'  (select * from t'\n",
        b'url = "postgresql+psycopg://u@h/db"\n',
        b'ENGINE = "django.db.backends.sqlite3"\n',
        b'msg = "Update your profile"\n',  # a loose match, as the frontend's
        b'msg = "selected"\nx = "MySQL is a database"\n',
        b"nothing = 'here'\n",
    ]
    for data in samples:
        assert file_signal(data) == (_FILE_SIGNAL.search(data) is not None), data


def test_imports_under_contextlib_suppress_import_error_are_optional_as_in_the_frontend():
    """``with contextlib.suppress(ImportError): import asyncpg`` (advanced-alchemy's litestar plugin)
    is the one-line form of try/except ImportError; another suppressed exception guards nothing."""
    source = (b"import contextlib\nfrom contextlib import suppress\n\nwith contextlib.suppress(ImportError):\n    import a\n\n"
              b"with suppress(ModuleNotFoundError, AttributeError):\n    from b import c\n\n"
              b"with contextlib.suppress(KeyError):\n    import d\n\n\ndef f():\n    with contextlib.suppress(ImportError):\n"
              b"        import e\n")
    scanned, _ = scan_python(source)
    assert [(i.module, i.optional) for i in scanned] == [
        ("contextlib", False), ("contextlib", False), ("a", True), ("b", True), ("d", False), ("e", True)]
    assert scanned == python.extract("x.py", source, full=False).imports


_FOLDED = (
    b"import importlib\n\nMODULES = ['app.users', 'app.orders']\n\n\ndef load(obj):\n"
    b"    for name in MODULES:\n        importlib.import_module(name)  # archlint: ignore[AL106]\n"
    b"    helper(obj.attr.value)\n    return load_plugin(obj)\n"
)


def test_the_lean_head_is_the_frontends_head_without_a_body():
    """A file the scanner hands back, in a run whose rules read no bodies: the frontend builds
    only what constant folding needs (the folded targets are real edges) and keeps no body."""
    assert scan_python(_FOLDED) is None  # `name` is bound by a loop: folding decides
    reference = python.extract("x.py", _FOLDED, full=False)
    lean = python.extract("x.py", _FOLDED, lean=True)
    assert [(i.module, i.kind) for i in lean.imports if i.kind == DYNAMIC] == [("app.orders", DYNAMIC), ("app.users", DYNAMIC)]
    assert lean.imports == reference.imports and lean.suppressions == reference.suppressions
    assert lean.signals is None and lean.lines == reference.lines  # no rule of such a run reads signals
    assert not lean.has_body and not lean.syntax_checked  # AL001, if selected, parses it again
    assert compare_file("x.py", _FOLDED) is None  # handed over, and the lean head agrees


_GUARDED = (
    b"import importlib\n\n_public_api = {\"flow\": (__spec__.parent, \".main\")}\n\n\n"
    b"class Loader:\n    def load(self, name):\n        def inner():\n            return importlib.import_module(name)\n"
    b"        return inner()\n\n\n"
    b"def __getattr__(attr_name):\n"
    b"    def unrelated():\n        return 1\n\n"
    b"    found = _public_api.get(attr_name)\n"
    b"    if found is None:\n        raise AttributeError(attr_name)\n"
    b"    return importlib.import_module(f\".{attr_name}\", package=__name__)\n\n\n"
    b"def other(name):\n    for _ in range(3):\n        pass\n    return importlib.import_module(name)\n"
)


def test_the_lean_head_reads_guards_from_the_functions_around_its_imports():
    """The lean head lowers only the functions that hold a computed import (the module's top level
    whole): a registry key checked by its lookup is pinned as with the whole IR, and the imports
    in a method's nested function and in a later function stay opaque, as the full pass says."""
    reference = python.extract("x.py", _GUARDED, full=False)
    lean = python.extract("x.py", _GUARDED, lean=True)
    assert [(i.span.line, i.kind) for i in reference.imports if i.module != "importlib"] == [
        (9, OPAQUE), (20, "registry"), (26, OPAQUE)]
    assert lean.imports == reference.imports


def test_a_layers_only_scan_keeps_no_partial_body(tmp_path):
    from archlint.adapters.discovery import SourceFile
    from archlint.application import parsing

    (tmp_path / "x.py").write_bytes(_FOLDED)
    source = SourceFile("x.py", str(tmp_path / "x.py"), "python")
    with parsing.Workers(1) as workers:
        files, _hits, _sizes = parsing.scan_sources([source], None, workers, signals=False)
    facts = files["x.py"]
    assert facts.imports == python.extract("x.py", _FOLDED, full=False).imports
    assert not facts.has_body
    assert {call.callee for call in facts.calls} >= {"helper", "load_plugin"}  # the loader's full body


_SIMPLE_SHAPES = [
    "from a.b import c, d\n",
    "from a import b as c, d\n",
    "from a import base as alias, d  # archlint: ignore[AL101] reviewed\n",
    "from . import x\n",
    "from ...pkg.sub import y\n",
    "from a import *\n",
    "from __future__ import annotations\nimport after_future\n",
    "import a.b\n",
    "import a.b as c\n",
    "import a; x = 1\n",
    "from a import b;import c\n",
    "from a import b\r\nimport c\r\n",
    "s = 'é'\nfrom unicode_after import x\n",
    "from\ta\timport\tb\nimport c  \n",
    "from importlib import import_module as load\nload('app.x')\n",
    "import importlib as il\nil.import_module('app.y')\n",
    "import importlib.util\nimportlib.import_module('app.z')\n",
]


@pytest.mark.parametrize("source", _SIMPLE_SHAPES)
def test_module_level_one_line_imports_take_the_one_match_path_with_the_frontends_records(source, monkeypatch):
    """A one-line import at column 0 (the bulk of any tree) is read by one regex match, never the
    general statement reader, and its records — spans, names, levels, and the bindings dynamic
    imports resolve through — are the frontend's."""
    from archlint.adapters.frontends import scanner

    def general(self, at, inline):
        if not inline:
            raise AssertionError(f"the general reader read {self.data[at:at + 30]!r}")
        return reader(self, at, inline)

    reader = scanner._Scan._statement
    monkeypatch.setattr(scanner._Scan, "_statement", general)
    data = source.encode()
    imports, suppressions = scan_python(data)
    reference = python.extract("x.py", data, full=False)
    assert imports == reference.imports
    assert suppressions == reference.suppressions


def test_the_lean_head_lowers_nothing_for_an_argument_no_guard_can_pin(monkeypatch):
    """A computed import whose argument is an attribute or an expression of names (no string, so
    no template) can never be pinned by a guard: the lean head folds it without lowering the IR,
    and gives the full pass's records; a bare name still asks the guards (test above)."""
    source = (
        b"import importlib\n\n\nclass Settings:\n    def __init__(self, module):\n        self.module = module.strip()\n\n"
        b"    def load(self, entry):\n        if entry in ALLOWED:\n            importlib.import_module(entry[1])\n"
        b"        return importlib.import_module(self.module)\n\nALLOWED = {'a': 'b'}\n"
    )
    # `self.module = module.strip()` (a parameter's method) and `entry[1]` (a parameter; a lookup no
    # guard pins): the scanner proves both opaque itself, with the frontend's records
    assert scan_python(source)[0] == python.extract("x.py", source, full=False).imports
    lowered = []
    real = python._lower
    monkeypatch.setattr(python, "_lower", lambda *args, **kwargs: lowered.append(args[2]) or real(*args, **kwargs))
    lean = python.extract("x.py", source, lean=True)
    assert lowered == []
    monkeypatch.undo()
    reference = python.extract("x.py", source, full=False)
    assert lean.imports == reference.imports
    assert [(i.module, i.kind) for i in lean.imports if i.kind == OPAQUE] == [("entry[1]", OPAQUE), ("self.module", OPAQUE)]


_SHAPES = (
    b"import importlib\nfrom importlib import import_module as load_module\n\n_BACKENDS = {\"db\": 1, \"cache\": 2}\n\n\n"
    b"def unrelated(x):\n    name = 'app.evil'\n    return x\n\n\n"
    b"class Registry:\n    MODULES = ('app.a', 'app.b')\n\n\n"
    b"class Plain:\n    def method(self):\n        self.module = 'app.m'\n\n\n"
    b"def backend(name):\n    found = _BACKENDS.get(name)\n    if found is None:\n        raise ValueError(name)\n"
    b"    return importlib.import_module(f\"x.{name}\")\n\n\n"
    b"for name in ('users', 'orders'):\n    load_module(f\"app.routes.{name}\")\n\n\n"
    b"def by_parameter(name):\n    return importlib.import_module(name)\n"
)
_FROM_A_CLASS = b"\n\ndef from_registry():\n    for module in Registry.MODULES:\n        importlib.import_module(module)\n"


def test_the_lean_head_matches_the_frontend_on_each_computed_import_shape():
    """The lean head (folding with the guards' partial IR, classes away from the imports lowered
    without members) keeps the full frontend's records on each computed-import shape: a guarded
    ``import_module(f"x.{name}")`` (a registry key), a constant tuple loop (two real edges), a
    parameter (opaque), and a class attribute read from another class (``Registry.MODULES``)."""
    for source, expected in (
        (_SHAPES, []),
        (_SHAPES + _FROM_A_CLASS, [(38, "app.a", DYNAMIC), (38, "app.b", DYNAMIC)]),
    ):
        reference = python.extract("x.py", source, full=False)
        lean = python.extract("x.py", source, lean=True)
        assert [(i.span.line, i.module, i.kind) for i in reference.imports if i.span.line > 2] == [
            (25, 'f"x.{name}"', "registry"), (29, "app.routes.orders", DYNAMIC), (29, "app.routes.users", DYNAMIC),
            (33, "name", OPAQUE), *expected]
        assert lean.imports == reference.imports and lean.lines == reference.lines


@pytest.mark.parametrize(
    "source,optional",
    [
        # black's layout of a caught tuple: one name a line, a comment after some
        ("try:\n    import colorama\nexcept (\n    AttributeError,  # old versions\n    ImportError,\n    OSError,\n):\n    pass\n", True),
        ("try:\n    import colorama\nexcept (\n    AttributeError,\n    OSError,  # not an import error\n) as error:\n    pass\n", False),
    ],
)
def test_an_except_tuple_over_lines_is_read_as_the_frontend_reads_it(source, optional):
    data = source.encode()
    scanned = scan_python(data)
    assert scanned is not None, "the scanner handed this source to the frontend"
    assert scanned[0] == python.extract("x.py", data, full=False).imports
    assert scanned[0][0].optional is optional


@pytest.mark.parametrize(
    "source,kind",
    [
        ("def f(setting):\n    if setting in {\n        'A',\n        'B',\n    }:\n        from app import engines\n", LAZY),
        ("if name in {\n    'A',\n}:\n    from app import engines\n", RUNTIME),
    ],
)
def test_an_import_under_a_header_whose_set_goes_on_over_lines_is_scanned(source, kind):
    """`if setting in {` … `}:` (Django's test signals): the header's first line leaves a brace open."""
    data = source.encode()
    scanned = scan_python(data)
    assert scanned is not None, "the scanner handed this source to the frontend"
    assert scanned[0] == python.extract("x.py", data, full=False).imports
    assert scanned[0][-1].kind == kind
