"""``NamedTuple`` for archlint's own records, without ``typing``'s per-field annotation check.

``class Span(NamedTuple): line: int …`` goes through ``typing.NamedTupleMeta``, which checks every
annotation: under ``from __future__ import annotations`` each is a string, turned into a
``ForwardRef`` whose constructor ``compile()``s it.  archlint defines ~160 record classes, most of
them imported by every check, and that check was ~40 % of creating them (issue 11: a small
repo's cold run is mostly start-up).  This metaclass builds the same class — a
``collections.namedtuple`` with the body's defaults, methods, properties, docstring and class
attributes — and keeps ``__annotations__`` as the strings they are.  Type checkers see
``typing.NamedTuple`` itself.  Not for generic records (``typing`` handles ``Generic`` bases).
"""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    # As typing.NamedTupleMeta: what a record body may not define, and what is not copied.
    _PROHIBITED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults",
                             "_make", "_replace", "_asdict", "_source"})
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})

    class _RecordMeta(type):
        def __new__(cls, typename, bases, namespace):
            if bases != (_Record,):
                raise TypeError("archlint records derive from NamedTuple alone")
            types = namespace.get("__annotations__", {})
            defaults = []
            for field in types:
                if field in namespace:
                    defaults.append(namespace[field])
                elif defaults:
                    raise TypeError(f"Non-default namedtuple field {field} cannot follow default field")
            record = collections.namedtuple(typename, list(types), defaults=defaults, module=namespace["__module__"])
            record.__annotations__ = record.__new__.__annotations__ = dict(types)
            for key, value in namespace.items():
                if key in _PROHIBITED:
                    raise AttributeError("Cannot overwrite NamedTuple attribute " + key)
                if key not in _SPECIAL and key not in record._fields:
                    setattr(record, key, value)
            return record

    _Record = type.__new__(_RecordMeta, "NamedTuple", (), {})

    def NamedTuple(typename, fields=None, /, **kwargs):  # noqa: N802 - the functional form, as typing's
        import typing

        return typing.NamedTuple(typename, fields, **kwargs)

    NamedTuple.__mro_entries__ = lambda bases: (_Record,)
