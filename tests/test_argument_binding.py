"""records.argument_for / recorded_argument: which argument of a call fills a callee's parameter —
the one binder AL220's callers (semantics/callers.py), the constant-parameter test
(semantics/constant_arguments.py) and a callee's row loads (Calls._loaded_by_callee) share."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import tree_sitter as ts
import tree_sitter_python as tsp

from archlint.adapters.frontends.javascript import _grammar, _grammar_name
from archlint.adapters.frontends.js_ir import lower as lower_js
from archlint.adapters.frontends.python_ir import lower as lower_python
from archlint.domain import ir
from archlint.domain.ir_format import render
from archlint.semantics import values as v
from archlint.semantics.records import CallRecord, argument_for, recorded_argument
from helpers import findings

_PARSER = ts.Parser(ts.Language(tsp.language()))

PYTHON = '''
class Repo:
    def load(self, rows, *, session=None, limit=10):
        pass

    @staticmethod
    def pure(rows, key):
        pass

    @classmethod
    def make(cls, name):
        pass

def helper(a, b=2, /, c=3, *rest, kw, **extra):
    pass

repo.load(xs)
repo.load(xs, session=s)
Repo.load(repo, xs)
Repo.pure(xs, k)
Repo.make("n")
helper(1, 2, 3, 4, kw=5)
helper(1, b=2, c=9)
helper(*xs, kw=1)
helper(1, *xs, c=3)
helper(1, **opts)
'''

JS = '''
async function update({ tableName, trx: tx }, id, ...more) {}
class Store { load(rows, opts = {}) {} }
update({ tableName: 'user', trx }, 7);
update(...args);
store.load(xs);
'''


def python_module() -> ir.ModuleIR:
    data = textwrap.dedent(PYTHON).encode()
    return lower_python(_PARSER.parse(data).root_node, data, "app/x.py")


def js_module() -> ir.ModuleIR:
    data = textwrap.dedent(JS).encode()
    return lower_js(_grammar(_grammar_name("src/x.js", "javascript")).parser.parse(data).root_node, data, "src/x.js", "javascript")


def function(module: ir.ModuleIR, qualname: str) -> ir.Function:
    return next(f for f in module.functions if f.qualname == qualname)


def calls(module: ir.ModuleIR) -> list[ir.Call]:
    top = module.functions[0]
    return [s.value for s in top.body if type(s) is ir.ExprStmt and type(s.value) is ir.Call]


def passed(function: ir.Function, call: ir.Call, name: str, bound: bool):
    """The source of the argument bound to ``name`` (with the field read from it), else None."""
    found = argument_for(function, call.args, name, bound)
    if found is None:
        return None
    text = render(call.args[found[0]].value)
    return f"{text}.{found[1]}" if found[1] else text


def test_python_methods_through_instance_and_class_keyword_only_and_defaults():
    module = python_module()
    load, pure, make = (function(module, name) for name in ("Repo.load", "Repo.pure", "Repo.make"))
    by_instance, with_keyword, by_class, static, classmethod, *_ = calls(module)
    assert passed(load, by_instance, "rows", bound=True) == "xs"
    assert passed(load, by_instance, "session", bound=True) is None  # the default: nothing written here
    assert passed(load, with_keyword, "session", bound=True) == "s"
    assert passed(load, by_class, "rows", bound=False) == "xs"  # `Repo.load(repo, xs)`: repo fills self
    assert passed(load, by_class, "self", bound=False) == "repo"
    assert passed(pure, static, "rows", bound=True) == "xs"  # a staticmethod has no self
    assert passed(pure, static, "key", bound=True) == "k"
    assert passed(make, classmethod, "name", bound=True) == "'n'"


def test_python_positional_only_varargs_and_spreads():
    module = python_module()
    helper = function(module, "helper")
    *_, full, keywords, star_first, star_after, kwstar = calls(module)
    assert [passed(helper, full, name, False) for name in ("a", "b", "c", "kw", "rest", "extra")] == \
        ["1", "2", "3", "5", None, None]
    assert passed(helper, keywords, "b", False) is None  # positional-only: `b=2` goes to **extra
    assert passed(helper, keywords, "c", False) == "9"
    assert passed(helper, star_first, "a", False) is None  # `*xs` fills it: unknown
    assert passed(helper, star_first, "kw", False) == "1"
    assert passed(helper, star_after, "a", False) == "1"  # before the spread: known
    assert passed(helper, star_after, "c", False) == "3"
    assert passed(helper, kwstar, "c", False) is None  # maybe in **opts, maybe the default
    assert passed(helper, kwstar, "a", False) == "1"


def test_javascript_destructured_parameter_rest_and_methods():
    module = js_module()
    update, load = function(module, "update"), function(module, "Store.load")
    direct, spread, method = calls(module)
    assert passed(update, direct, "tableName", False) == "{tableName: 'user', trx: trx}.tableName"
    assert passed(update, direct, "tx", False) is None  # renamed in the pattern (`trx: tx`): not followed
    assert passed(update, direct, "id", False) == "7"  # the pattern takes the first position
    assert passed(update, spread, "id", False) is None
    assert passed(load, method, "rows", False) == "xs"  # `this` is no parameter in JS
    assert passed(load, method, "opts", False) is None


def test_recorded_call_binds_self_as_the_interpreter_ran_it():
    module = python_module()
    load = function(module, "Repo.load")
    by_instance, _with_keyword, by_class, *_ = calls(module)

    def record(call, bound):
        return CallRecord(call, v.UNKNOWN, tuple(v.UNKNOWN for _ in call.args), v.UNKNOWN, (), False,
                          callees=(v.Function("app/x.py", load.fid, bound),))

    assert recorded_argument(record(by_instance, v.Instance("app/x.py", 0)), "app/x.py", load, "rows", True) == (0, "")
    assert recorded_argument(record(by_class, None), "app/x.py", load, "rows", True) == (1, "")
    # a JS method: the receiver is `this`, never a parameter
    assert recorded_argument(record(by_class, v.Instance("app/x.py", 0)), "app/x.py", load, "rows", False) == (1, "")


def test_decorator_factory_closure_is_bound_like_python_binds_it(tmp_path):
    """A project decorator factory whose wrapper serializes the handler's rows (lemur's ``validate_schema``,
    fixture flask-schema-decorator-bugs), its output schema made keyword-only behind ``*hooks``:
    ``@validate_schema(None, schema)`` passes the schema to ``hooks`` and the wrapper's ``output_schema``
    stays ``None`` (no per-row dump, no AL603), while ``output_schema=schema`` dumps the rows.  The factory's
    closure was bound by zipping the positional arguments with the named parameters, which put the second
    positional argument into the keyword-only ``output_schema`` — a false alarm on line 17."""
    root = tmp_path / "repo"
    shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures" / "flask-schema-decorator-bugs", root)
    schema = root / "app" / "common" / "schema.py"
    text = schema.read_text()
    assert "def validate_schema(input_schema, output_schema):" in text
    schema.write_text(text.replace("def validate_schema(input_schema, output_schema):",
                                   "def validate_schema(input_schema, *hooks, output_schema=None):"))
    views = root / "app" / "endpoints" / "views.py"
    lines = views.read_text().splitlines()
    assert lines[16].strip() == lines[25].strip() == "@validate_schema(None, endpoints_output_schema)"
    lines[25] = lines[25].replace("None, endpoints_output_schema", "None, output_schema=endpoints_output_schema")
    views.write_text("\n".join(lines) + "\n")
    got = [line for rule, path, line in findings(root) if rule == "AL603" and path == "app/endpoints/views.py"]
    assert got == [26]
