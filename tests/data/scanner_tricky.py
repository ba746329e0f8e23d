"""A module docstring that talks about code:

import not_an_import
from also_not import this
    from indented.in_docstring import nothing
"""
from __future__ import annotations

import os, sys as system
import xml.etree.ElementTree as ET
from . import sibling
from .. import parent_module as pm
from ...deep.pkg import (
    alpha,  # a comment (with parens) inside the list
    beta as b,
    gamma,
)
from pkg.sub import *
from pkg import one, \
    two
import json; import csv
from typing import TYPE_CHECKING
import typing

x = "import fake_in_string"
y = 'from fake import inside'
z = f"{x} import {y}"  # import in comment
w = """
import inside_triple
"""; import after_triple
template = '''
from tmpl import x
'''
r = r"\"; import not_code"
# import commented_out
#from commented import out

if TYPE_CHECKING:
    from models import User
    import typed_only
else:
    import runtime_else

if typing.TYPE_CHECKING:
    from models import Order

if TYPE_CHECKING: import one_line_typed

try:
    import ujson as fastjson
except (ValueError, ImportError) as error:  # import in a comment
    fastjson = None
else: import after_try

try: import simplejson
except ImportError: pass

for _attempt in range(1):  # a block header that is neither def, class, try nor TYPE_CHECKING
    import in_loop_block
else: import after_for


def outer(
    a: int,
    b: str = "import x",
) -> None:
    """Docstring with
import inside_def_docstring
    """
    import lazy_in_function
    if a:
        from lazy.pkg import thing

    def inner():
        from inner_lazy import y
        return y

    return inner


def oneliner(): import in_one_liner


@decorator(
    "import nope",
)
def decorated():
    import lazy_under_decorator


class Service:
    import class_level

    def method(self):
        if TYPE_CHECKING:
            from typed_in_method import T
        import method_lazy

    async def coroutine(self):
        import async_lazy


lazy import pep810_module
lazy from pep810 import name

value = {"key": "value"}; from after_dict import k
multi = (
    "import not_here"
)
from final import last  # archlint: ignore[AL101] a reviewed exception


def plugins(name):
    import importlib
    from importlib import import_module as load
    importlib.import_module("plugins.core")
    load(".relative.plugin", package=__name__)
    __import__("legacy_plugin")
    return "importlib.import_module('not.a.call')"
