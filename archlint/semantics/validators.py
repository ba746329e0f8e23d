"""Object schemas of JS validation libraries (yup, Joi, zod) and what their validated value holds.

Whether the value a schema hands back still carries every key the client sent decides AL504 (mass
assignment) for ``Model.update(await schema.validate(req.body))``.  The libraries differ (their
documented defaults, ``rules/knowledge/frameworks.toml`` ``reader = "validators"``):

* yup ``validate`` / ``validateSync`` / ``cast`` keep unknown keys (``stripUnknown`` defaults to false);
  ``.noUnknown()`` makes ``validate`` reject them, the ``stripUnknown: true`` option removes them;
* Joi rejects unknown keys (``allowUnknown`` defaults to false) of an object schema given keys, but
  ``Joi.object()`` with no keys, ``.unknown()`` and ``allowUnknown: true`` let them through, unless
  ``stripUnknown: true`` removes them;
* zod's ``z.object`` strips unknown keys by default; ``.passthrough()`` / ``.loose()`` /
  ``.catchall()`` / ``z.looseObject`` keep them, ``.strict()`` / ``z.strictObject`` reject them.

A schema is a ``v.Object`` whose kind is ``validator|<library>|<policy>|<declared keys or ?>``
(``policy``: ``keep``, ``strip`` or ``reject``).  Validating request data with a ``keep`` schema
yields the data itself (still the client's body); with the other two, the body holding only the
declared keys (``BODY_FIELDS_TAG``: AL504 still fires when they include a key or a foreign key),
or, keys unknown, validated input.  Read from the IR values only.
"""

from __future__ import annotations

from archlint.domain.records import NamedTuple
from archlint.semantics import values as v

VALIDATOR = "validator|"


class Known(NamedTuple):
    """The ``[[names]]`` table with ``reader = "validators"`` (explained in frameworks.toml)."""

    object_schemas: dict  # builder call -> [library, policy given keys, policy given none]
    policy_methods: dict  # "<library>.<method>" -> "<policy called bare or truthy>|<policy given false>"
    validate_methods: dict  # "<library>.<method>" -> where the validated value is: "value" or "record:<key>"
    strip_options: dict  # library -> the validate option that removes unknown keys
    allow_options: dict  # library -> the validate option that lets unknown keys through
    key_methods: dict  # "<library>.<method>" -> "add" (declares more keys) or "forget" (keys no longer known)


def _known(table: dict) -> Known:
    return Known(**{key: dict(table[key]) for key in Known._fields})


def known(program) -> Known:
    return program.library.view("validators", _known)


def schema_kind(library: str, policy: str, keys) -> str:
    return f"{VALIDATOR}{library}|{policy}|{'?' if keys is None else ','.join(sorted(keys))}"


def _parts(schema: v.Object) -> tuple[str, str, tuple | None]:
    library, policy, keys = schema.kind[len(VALIDATOR):].split("|", 2)
    return library, policy, None if keys == "?" else tuple(k for k in keys.split(",") if k)


def _shape_keys(value):
    """The constant keys of an object literal (``{ title: z.string(), … }``); ``None`` when a spread or
    anything but a literal makes them unknown."""
    bare = v.strip(value)
    if type(bare) is not v.Record or any(key == "..." for key, _value in bare.items):
        return None
    return tuple(key for key, _value in bare.items)


def build(program, name: str, args):
    """``yup.object({…})`` / ``Joi.object()`` / ``z.strictObject({…})``: the schema, or ``None``."""
    spec = known(program).object_schemas.get(name)
    if spec is None:
        return None
    library, given, bare = spec
    shape = next((value for kind, _name, value, _node in args if kind == "pos"), None)
    if shape is None:
        return v.Object(schema_kind(library, bare, ()))
    return v.Object(schema_kind(library, given, _shape_keys(shape)))


def _flag(args) -> bool | None:
    """The first positional argument as a constant boolean (``noUnknown(false)``), ``None`` when absent."""
    if not args or args[0][0] != "pos":
        return None
    bare = v.strip(args[0][2])
    return bare.value if type(bare) is v.Const and isinstance(bare.value, bool) else None


def _option(args, name: str):
    """``{ stripUnknown: true }`` among the arguments: its constant value, or ``None``."""
    for _kind, _name, value, _node in args:
        bare = v.strip(value)
        if type(bare) is v.Record:
            found = v.strip(bare.get(name) or v.UNKNOWN)
            if type(found) is v.Const:
                return found.value
    return None


def _policy_by_options(known_: Known, library: str, policy: str, args) -> str:
    strip, allow = known_.strip_options.get(library), known_.allow_options.get(library)
    if strip and _option(args, strip) is True:
        return "strip"
    if allow and _option(args, allow) is True:
        return "keep"
    return policy


def method(frame, schema: v.Object, name: str, args):
    """A method called on a schema: a derived schema, or the validated value (``None``: not modelled)."""
    known_ = known(frame.program)
    library, policy, keys = _parts(schema)
    qualified = f"{library}.{name}"
    found = known_.validate_methods.get(qualified)
    if found is not None:
        data = next((value for kind, _name, value, _node in args if kind == "pos"), None)
        if data is None:
            return None
        value = _validated(_policy_by_options(known_, library, policy, args[1:]), keys, data)
        if found == "value":
            return value
        return v.Record(((found.split(":", 1)[1], value),))  # Joi `{ value, error }`, zod `{ success, data }`
    change, grows = known_.policy_methods.get(qualified), known_.key_methods.get(qualified)
    if change is None and grows is None:
        return schema  # a fluent refinement (`.required()`, `.label(…)`) or a query of the schema: the same schema
    if change == "by-options":  # Joi `.options({ stripUnknown: true })`: the defaults of every validate
        policy = _policy_by_options(known_, library, policy, args)
    elif change is not None:
        truthy, _, falsy = change.partition("|")
        policy = falsy if falsy and _flag(args) is False else truthy
    if grows == "add":  # `.shape({…})` / `.extend({…})` / Joi `.keys({…})`: more declared keys
        shape = next((value for kind, _name, value, _node in args if kind == "pos"), None)
        added = _shape_keys(shape) if shape is not None else None
        keys = None if keys is None or added is None else keys + added
    elif grows == "forget":  # `.pick(…)` / `.merge(other)`: which keys remain is not read
        keys = None
    return v.Object(schema_kind(library, policy, keys))


def parsed(schema, data):
    """What a middleware validating ``data`` with ``schema`` hands the handler (Hono's ``zValidator``):
    as ``_validated``, or ``None`` when ``schema`` is no schema this module models."""
    bare = v.strip(schema)
    if type(bare) is not v.Object or not bare.kind.startswith(VALIDATOR):
        return None
    _library, policy, keys = _parts(bare)
    return _validated(policy, keys, data)


def _validated(policy: str, keys, data):
    """What validating ``data`` gives: the data itself when unknown keys pass through, else only the
    declared keys of the request body (or validated input when those are unknown)."""
    if policy == "keep":
        return data
    tags = v.tags_of(data)
    whole = next((v.strip(o) for o in v.options(data) if type(v.strip(o)) is v.Request and v.strip(o).part.startswith("body")), None)
    if whole is not None and keys is not None:
        return v.tag(v.Request(whole.framework, "body"), frozenset({v.REQUEST_TAG, v.BODY_FIELDS_TAG + ",".join(keys)}))
    rest = frozenset(t for t in tags if t != v.REQUEST_TAG)
    return v.tag(v.UNKNOWN, rest | {v.INPUT_TAG}) if v.REQUEST_TAG in tags or whole is not None else v.tag(v.UNKNOWN, rest)
