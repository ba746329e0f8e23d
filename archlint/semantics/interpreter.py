"""Abstract interpretation of one function in one calling context.

A :class:`Frame` walks a function's IR once, statement by statement, with an environment from
names to abstract values (:mod:`.values`).  Branches are interpreted on both sides with the test's
narrowing applied (``if user is None: raise`` leaves ``user`` non-null after the ``if``) and
joined; a loop body runs once with its target bound to an element of what is iterated; a call to
project code is answered by the callee's :class:`Summary` for these argument values (computed on
demand, cached, depth-bounded; a recursive cycle answers ``UNKNOWN``).

What a frame produces:

* a :class:`Summary` — the returned value and the *effects* (queries, writes, lazy loads, …) the
  function and everything it calls cause, each with the trace of calls that reached it, the
  loops it ran in and the per-row values it depended on (``elem:<loop>`` tags);
* when ``record`` is set (the analysis of record of each function, in its default context), the
  per-site facts checks read: DB access sites, DB handles created, loops and what they iterate,
  dereferences of values that may be ``None``.
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.env_defaults import env_read
from archlint.domain.facts import Span
from archlint.domain.records import NamedTuple
from archlint.semantics import lost_updates, sequences
from archlint.semantics.containers import known as container_names, resolved as resolved_from_container, slot_container
from archlint.semantics import values as v
from archlint.semantics.calls import ANY_DEPTH, ANY_RELATION, CONNECTION, KEY_MATCH_TAG, NEW_ROW, OPEN_TX, ROW_MAP, SWALLOW_TAG, Calls, _no_tx, raw_row, keyed_by_stored_row, session_row
from archlint.semantics.calls import aggregate_row, chain_order, chain_writes, lookup_key_tags
from archlint.semantics.calls import CHANGED_UNSEEN, SAVES_EXISTING, VALIDATED, found_records
from archlint.semantics.calls import known as call_names
from archlint.semantics.discriminants import equality_side
from archlint.semantics.exception_handlers import reraises
from archlint.semantics.frameworks import known as framework_names
from archlint.semantics.frameworks import loaded_fields, updated_row
from archlint.semantics.program import Program
from archlint.semantics.records import UNKNOWN_SUMMARY, Analysis, Deref, Effect, Event, LoopInfo, Site, Summary
from archlint.semantics.support import (
    ASYNC, EXISTS_MODEL, FACT, FLASK_SESSION, G_CONNECTION, MODEL_QUERY, all_tags, callee_text,
    computed_tags, dotted, without_optional,
    entered, field_key, query_chain, is_async_api, join_envs, non_null, null_origins, request_free, row_of,
)
from archlint.semantics.support import known as support_names

def render_short(node) -> str:
    from archlint.domain.ir_format import render

    return render(node, 40)


# Mistakes about a model that a callee makes with its caller's row (`Article.create({ authorId: user })`
# in a service given the user, `target.addFollowing(u)`, a related manager iterated, `article.count += 1;
# article.save()` in a repository given the row the service read): they hold for the
# model whatever path brought the row, so a summary carries them to the caller's analysis.
# (``collection-read``: what a method's ``self.favorited_by`` is when a caller runs it — the caller's query may have
# loaded it; AL232 judges the method's own reading by these)
CONTEXT_EVENTS = frozenset({"instance-as-key", "missing-mixin", "manager-iterated", "lost-update", "body-write",
                            "collection-read"})
AWAITABLE = "awaitable-attrs"  # a SQLAlchemy row read through ``row.awaitable_attrs``
SPREAD = "..."  # the key under which an object literal keeps a spread of request data
# where a framework context slot lives, by the request part it is written through (the model's own part and
# scope ids, not a library's names, as are the framework ids below: they stay in code)
_CONTEXT_SCOPES = {"": "request", "state": "state", "var": "var", "app.locals": "app.locals", "ctx": "ctx"}
# frameworks whose application object carries the project's own properties (`app.db = knex(…)`),
# read back in a handler through `ctx.app` (Koa) / `req.app` (Express)

# Python's own builtin types (the language, not a library's knowledge: they stay in code)
_BUILTIN_TYPES = {"str": str, "int": int, "float": float, "bool": bool, "bytes": bytes}
NODE_BUDGET = 40_000  # evaluation steps per frame; past it the function's summary is UNKNOWN


def _unit_of_work_connection(value, drivers: frozenset) -> bool:
    """A connection of a driver that opens a transaction for the first write (``unit_of_work_drivers``)."""
    options = v.options(value)
    return bool(options) and all(type(v.strip(o)) is v.Db and v.strip(o).stack in drivers
                                 and v.strip(o).kind == "connection" for o in options)


class _Budget(Exception):
    pass


def _swallows(node: ir.Try) -> bool | None:
    """Whether every handler of the ``try`` records the error and lets nothing out (none raises,
    each calls something: ``log.error(…)``, ``results.append(…)``, ``db.rollback()``): ``True`` when
    they all fall through or ``continue``, ``False`` when one returns (it leaves the function),
    ``None`` when a handler raises, hands the error on, drops it silently (``except: return None``)
    or there is no handler."""
    if not node.handlers:
        return None
    returns = False
    for handler in node.handlers:
        calls = False
        for inner in ir.iter_nodes(handler.body):
            if type(inner) is ir.Raise:
                return None
            if type(inner) is ir.Return:
                returns = True
            if type(inner) is ir.Call:
                if type(inner.func) is ir.Name and inner.func.id == "next":
                    return None  # Express `next(error)`
                calls = True
        if not calls:
            return None
    return not returns


def _failure_handler(handler) -> bool:
    """A handler that runs only when something failed: a catch-all (bare ``except:``, ``except
    Exception:``, a JS ``catch`` which has no types) or one whose last statement raises (``except
    X: log(…); raise`` — the operation fails anyway).  A handler of a specific error that carries on
    (``except KeyError:``, ``except Article.DoesNotExist:``) is control flow, not a failure path."""
    types = handler.types
    if types is None or _broad(types):
        return True
    return bool(handler.body) and type(handler.body[-1]) is ir.Raise


def _broad(types) -> bool:
    if type(types) is ir.Seq:
        return any(_broad(item) for item in types.elts)
    return type(types) is ir.Name and types.id in _CATCH_ALL


def _catches_attribute_error(types) -> bool:
    """``except AttributeError:`` / ``except (AttributeError, KeyError):`` — the code expects a
    None somewhere in the ``try`` body and handles it (``qs.first().related.x``)."""
    if type(types) is ir.Seq:
        return any(_catches_attribute_error(item) for item in types.elts)
    return type(types) is ir.Name and types.id == "AttributeError"


def _swallows_none(handler) -> bool:
    """``except Exception: return None`` / bare ``except:`` / JS ``catch (e) { return false }``: a
    catch-all that raises nothing and ends by returning a literal turns a None dereference in the
    ``try`` body into the function's own not-found answer, not a 500 (open-webui's
    ``toggle_chat_pinned_by_id``) — or an empty list/dict literal.  A handler that raises (re-raise, ``HTTPException(500)``) or
    hands the error on (Express ``next(error)``) still lets the failure out."""
    types = handler.types
    broad = types is None or type(types) is ir.Name and types.id in _CATCH_ALL or (
        type(types) is ir.Seq and any(type(t) is ir.Name and t.id in _CATCH_ALL for t in types.elts))
    if not broad or not handler.body or any(type(n) is ir.Raise for n in ir.iter_nodes(handler.body)):
        return False
    last = handler.body[-1]
    value = last.value if type(last) is ir.Return else None
    # `return None` / `return False` / `return []` / `return {}`: a literal answer, the empty collection of a
    # function that lists rows (open-webui's `delete_folder_by_id_and_user_id` returns `[]`)
    return type(last) is ir.Return and (value is None or type(value) is ir.Const
                                        or type(value) is ir.Seq and not value.elts or type(value) is ir.Obj and not value.entries)


# on a nullable row a strict guard of the other empty value let through (`=== undefined` of a null lookup):
# wrong-guard:<line>:<null|undefined, what it compared with>:<the test>, which AL220 names
WRONG_GUARD_TAG = "wrong-guard:"
LOOKUP_TAG = "lookup:"  # on the value a DB read returned: lookup:<path:line:column> of the read
ASSERTED_TAG = "asserted"  # a nullable value bound from an expression under TypeScript's `!` (`const u = x!`)
KEYED_BY_STORED_ROW = frozenset({"keyed:stored"})  # rows of a lookup by one key read from a row the program holds
CAUGHT_UNIQUE = "caught:unique"  # on a write inside a `try` that handles a unique violation
# the roots of the languages' own exception hierarchies (Python's Exception / BaseException, JavaScript's Error):
# language constructs, not a library's knowledge, so they stay in code
_CATCH_ALL = frozenset({"Exception", "BaseException", "Error"})


class Known(NamedTuple):
    """The library names this module reads: the ``[[names]]`` tables with ``reader = "interpreter"`` of
    ``rules/knowledge/orms.toml`` (the errors a missing row or a unique violation raises, the names of a
    row's key, SQLAlchemy's hand-begun transactions) and ``rules/knowledge/frameworks.toml`` (aiohttp's
    application hooks, the application classes, the attribute context namespaces, property decorators),
    built once per run."""

    missing_row_errors: frozenset
    does_not_exist_errors: frozenset
    keeps_found_rows: frozenset  # writes after which a row a filter found is still there (forget_found_filters)
    sends_held_changes: frozenset  # given a row that was read, writes only the changes made on it (forget_found_filters)
    sets_columns: frozenset  # statement steps that update the columns their mass-assign steps name (_set_columns)
    unique_errors: tuple  # matched by the end of a handler's class name
    non_database_errors: frozenset  # error classes no driver raises (ZodError): a catch-all's branch for one answers only it
    unique_codes: frozenset
    aiohttp_hooks: frozenset
    primary_keys: frozenset
    hand_begun: frozenset
    app_classes: frozenset
    attribute_scopes: frozenset
    app_attribute_slots: frozenset  # frameworks whose app object holds the project's values as attributes (`app.db = …`)
    properties: frozenset
    row_metadata: frozenset
    context_decorators: frozenset
    unit_of_work_drivers: frozenset
    scoped_sessions: frozenset
    instance_state: frozenset  # sqlalchemy.inspect(row): its InstanceState (`.dict` loaded, `.unloaded` not)
    context_attributes: dict  # framework -> attribute of its request / app that holds the project's values (Sanic `ctx`)
    context_hooks: dict  # framework -> {"request": decorators, "app": decorators}: its request hooks and listeners
    no_return: frozenset  # calls that raise or exit: `abort(404)`, `sys.exit()` (Interpreter.never_returns)
    request_parts: dict  # request attribute -> the part of the request it holds (`request.args` -> "query")
    injected_repositories: dict  # module of a NestJS `@InjectRepository(Entity)` -> the stack of the repository it injects
    form_validations: frozenset  # WTForms `form.validate()` / `validate_on_submit()`: the form's validators ran (_validated_form)
    field_validator_prefixes: tuple  # `validate_<field>(self, field)`: WTForms' inline field validators
    row_counts: frozenset  # `rows.length` / `result.rowCount`: a raw lookup's rows counted (_lookup_rows_found)
    held_users: frozenset  # Flask-Login `current_user`: the request's loaded account, its columns a stored row's keys
    held_user_contexts: dict  # JS runtime global -> `ctx.state.user`: the path to the account its auth loaded (Strapi)


def _known(table: dict) -> Known:
    return Known(unique_errors=tuple(table["unique_errors"]),
                 context_attributes=dict(table["context_attributes"]),
                 request_parts=dict(table["request_parts"]),
                 held_user_contexts={name: tuple(path.split(".")) for name, path in table["held_user_contexts"].items()},
                 injected_repositories=dict(table["injected_repositories"]),
                 field_validator_prefixes=tuple(table["field_validator_prefixes"]),
                 context_hooks={framework: {"request": frozenset(table["context_request_hooks"].get(framework, ())),
                                            "app": frozenset(table["context_app_hooks"].get(framework, ()))}
                                for framework in {**table["context_request_hooks"], **table["context_app_hooks"]}},
                 **{key: frozenset(table[key]) for key in ("missing_row_errors", "does_not_exist_errors", "unique_codes",
                                                           "aiohttp_hooks", "primary_keys", "hand_begun", "app_classes", "non_database_errors", "keeps_found_rows",
                                                           "sends_held_changes", "sets_columns",
                                                           "attribute_scopes", "app_attribute_slots", "properties", "row_metadata",
                                                           "context_decorators", "unit_of_work_drivers", "scoped_sessions",
                                                           "instance_state", "no_return", "form_validations", "row_counts", "held_users")})


def known(program) -> Known:
    return program.library.view("interpreter", _known)


def _row_counts(program) -> frozenset:
    return known(program).row_counts


def _held_users(program) -> frozenset:
    return known(program).held_users


def _held_user_context(frame, node) -> str:
    """``ctx.state.user`` read in a function whose first parameter is ``ctx``, in a module that reads the JS runtime
    global (Strapi's ``strapi``) whose knowledge names that path (auth.toml ``held_user_contexts``): the name of the
    held account it is (``global:strapi.ctx.state.user``), else ``""``.  The parameter must be the function's own and
    unassigned, and the global not shadowed where the function reads it."""
    contexts = known(frame.program).held_user_contexts
    if not contexts or frame.python or type(node) is not ir.Attr:
        return ""
    names = []
    current = node
    while type(current) is ir.Attr:
        names.append(current.name)
        current = current.obj
    if type(current) is not ir.Name:
        return ""
    chain = (current.id, *reversed(names))
    params = frame.function.params
    for name, path in sorted(contexts.items()):
        if chain != path or not params or params[0].kind != "pos" or params[0].name != path[0] \
                or current.id in frame.function.locals:
            continue
        seen = frame.name(ir.Name(name, node.span))
        if type(v.strip(seen)) is v.External and v.strip(seen).name == f"global:{name}" \
                and name in _module_names(frame.program, frame.path):
            return f"global:{name}.{'.'.join(path)}"
    return ""


def _module_names(program, path: str) -> frozenset:
    """The names a module reads anywhere (its functions' bodies), once per module."""
    cache = program.memoised("module_names_read", dict)
    found = cache.get(path)
    if found is None:
        module = program.modules.get(path)
        found = frozenset(node.id for node in ir.iter_nodes(module.functions) if type(node) is ir.Name) \
            if module is not None else frozenset()
        cache[path] = found
    return found


def handles_unique_violation(handler, names: Known, resolve=None) -> bool:
    """``except IntegrityError:`` (SQLAlchemy, Django, sqlite3, psycopg ``UniqueViolation``), or a
    catch-all (``except Exception:`` / JS ``catch (e)``) whose body tells a unique violation apart
    (``e.code === 'P2002'``, ``e instanceof UniqueConstraintError``, ``e.name ===
    'SequelizeUniqueConstraintError'``, ``23505``/``ER_DUP_ENTRY``/``11000``) or answers a client
    error itself (a 4xx status constant: the duplicate becomes a 409/400, not a 500)."""
    types = _handler_type_names(handler.types)
    if any(name.endswith(names.unique_errors) for name in types):
        return True
    if types and not types & _CATCH_ALL:
        return False
    for inner in ir.iter_nodes(_outside_other_error_branches(handler.body, names)):
        kind = type(inner)
        if kind is ir.Const and (isinstance(inner.value, str) and inner.value in names.unique_codes
                                 or type(inner.value) is int and (inner.value == 11000 or 400 <= inner.value < 500)):
            return True
        if kind is ir.Name and inner.id in names.unique_codes or kind is ir.Attr and inner.name in names.unique_codes:
            return True
        if kind is ir.Name and resolve is not None:  # const UNIQUE_VIOLATION = '23505'
            value = resolve(inner)
            if type(value) is v.Const and isinstance(value.value, (str, int)) and str(value.value) in names.unique_codes:
                return True
    return False


def _outside_other_error_branches(body: tuple, names: Known) -> tuple:
    """A catch-all's statements without the branches that answer an error no database raises, by its
    type (``if (error instanceof ZodError) return c.json(…, 422)``, ``non_database_errors`` of
    ``rules/knowledge/orms.toml``): a 4xx there answers that error, and a unique violation falls through
    to what follows.  Any other branch (a driver's error type, a test that is no type test) stays."""
    kept = []
    for statement in body:
        if type(statement) is ir.If:
            if _tested_error_type(statement.test) in names.non_database_errors:
                kept.append(ir.If(statement.test, (), _outside_other_error_branches(statement.orelse, names), statement.span))
                continue
        kept.append(statement)
    return tuple(kept)


def _tested_error_type(test) -> str:
    """``T`` of ``e instanceof T`` / ``isinstance(e, T)`` (a name or ``mod.T``), else ``""``."""
    if type(test) is ir.Compare and test.op == "instanceof":
        types = _handler_type_names(test.right)
    elif type(test) is ir.Call and type(test.func) is ir.Name and test.func.id == "isinstance" and len(test.args) == 2:
        types = _handler_type_names(test.args[1].value)
    else:
        return ""
    return next(iter(types)) if len(types) == 1 and "?" not in types else ""


def _handler_type_names(types) -> set:
    if types is None:
        return set()
    if type(types) is ir.Seq:
        return {name for item in types.elts for name in _handler_type_names(item)}
    if type(types) is ir.Name:
        return {types.id}
    if type(types) is ir.Attr:
        return {types.name}
    return {"?"}


def lookup_polarity(test) -> bool | None:
    """Whether ``test`` is true when the row it reads exists: ``existing``, ``qs.exists()``,
    ``x is not None``, ``x !== null``, ``count > 0``, ``rows.length`` → True; ``not x``, ``!x``,
    ``x is None``, ``count == 0`` → False; anything else (``x.role == 'admin'``) → None."""
    kind = type(test)
    if kind is ir.Unary and test.op == "not":
        inner = lookup_polarity(test.operand)
        return None if inner is None else not inner
    if kind is ir.BoolOp and test.op in ("and", "or"):
        sides = {lookup_polarity(value) for value in test.values}
        return sides.pop() if len(sides) == 1 else None
    if kind in (ir.Name, ir.Call, ir.Await):
        return True
    if kind is ir.Attr:
        return True if test.name == "length" else None
    if kind is ir.Compare:
        left, right, op = test.left, test.right, test.op
        if type(left) is ir.Const:
            left, right = right, left
            op = {">": "<", "<": ">", ">=": "<=", "<=": ">="}.get(op, op)
        if type(right) is not ir.Const or lookup_polarity(left) is not True:
            return None
        if right.value is None and op in ("is", "is-not", "==", "!="):
            return op in ("is-not", "!=")
        if type(right.value) is int and right.value in (0, 1):
            zero = right.value == 0
            return {(">", True): True, ("!=", True): True, ("==", True): False, (">=", False): True, ("<", False): False,
                    ("<=", True): False}.get((op, zero))
    return None


def _inserted_pairs(query) -> frozenset:
    """``column=name`` for each entry of a knex ``insert({ … })`` whose value is a chain of names,
    in every way the query was built."""
    found = None
    for chain in query.chains:
        pairs = set()
        for step in chain:
            call = step.node
            if type(call) is ir.Call and call.method == "insert" and call.args and type(call.args[0].value) is ir.Obj:
                pairs |= {f"{entry.key}={text}" for entry in call.args[0].value.entries
                          if isinstance(entry.key, str) and (text := dotted(entry.value)) is not None}
        found = pairs if found is None else found & pairs
    return frozenset(found or ())


def _lookup_pairs(query) -> frozenset:
    """``column=name`` of a knex lookup's conditions (``where({ name })`` / ``where('name', name)``),
    in every way it was built; empty when any condition is something else."""
    found = None
    for chain in query.chains:
        pairs = set()
        for step in chain:
            call = step.node
            if type(call) is not ir.Call or call.method != "where":
                continue
            args = [arg.value for arg in call.args]
            if len(args) == 1 and type(args[0]) is ir.Obj:
                for entry in args[0].entries:
                    text = dotted(entry.value) if isinstance(entry.key, str) else None
                    if text is None:
                        return frozenset()
                    pairs.add(f"{entry.key}={text}")
            elif len(args) == 2 and type(args[0]) is ir.Const and isinstance(args[0].value, str) and dotted(args[1]) is not None:
                pairs.add(f"{args[0].value.rsplit('.', 1)[-1]}={dotted(args[1])}")
            else:
                return frozenset()
        if found is not None and pairs != found:
            return frozenset()
        found = pairs
    return frozenset(found or ())


def _rows_in(value) -> list:
    """The rows among ``value``'s alternatives, also at a position of a tuple (``(row, flag)``)."""
    found = []
    for option in v.options(value):
        bare = v.strip(option)
        if type(bare) is v.Row:
            found.append(option)
        elif type(bare) is v.Tuple:
            found.extend(o for item in bare.items for o in v.options(item) if type(v.strip(o)) is v.Row)
    return found


def _records(value) -> bool:
    """Every alternative of the value is an object literal's record."""
    return all(type(v.strip(option)) is v.Record for option in v.options(value))


def record_key(value) -> str:
    """The key a computed object key stands for: a constant string, or a library symbol
    (``[Op.or]`` → ``"[sequelize:Op.or]"``); ``""`` when it is not known."""
    bare = v.strip(value)
    if type(bare) is v.Const and isinstance(bare.value, str):
        return bare.value
    if type(bare) is v.External:
        return f"[{bare.name}]"
    return ""


# the model's own framework ids (``v.Request.framework``) that share Starlette's request and application
# (ids archlint gives, not a library's names: they stay in code)
STARLETTE = ("fastapi", "starlette")


def request_context(request: v.Request, name: str):
    """The context namespace a request attribute leads to: aiohttp ``request.app`` /
    ``request.config_dict`` (the application mapping), Starlette ``request.app`` (its ``state``)."""
    if request.part != "":
        return None
    if request.framework == "aiohttp" and name in ("app", "config_dict"):
        return v.Context("aiohttp", "app")
    if request.framework in STARLETTE and name == "app":
        return v.Context("starlette", "app")
    return None


def app_context(app: v.App, name: str, names: Known):
    """``app.state`` of a FastAPI/Starlette application, ``app.extensions`` of a Flask/Quart one,
    ``app.on_startup`` / ``app.cleanup_ctx`` of an aiohttp one (the hooks that receive the
    application and fill its mapping)."""
    if app.framework in ("flask", "quart") and name == "extensions":
        return v.Context("flask", "extensions")
    if app.framework in STARLETTE and name == "state":
        return v.Context("starlette", "app.state")
    if app.framework == "aiohttp" and name in names.aiohttp_hooks:
        return v.Context("aiohttp", "hooks")
    if name == names.context_attributes.get(app.framework):
        return v.Context(app.framework, "app.ctx")  # Sanic's app.ctx.sessionmaker = … in a listener
    return None


def context_key(index) -> str:
    """The key of a context entry: a string constant (``app['db']``) or an aiohttp ``AppKey``
    (``web.AppKey('db', Pool)``, whose value the model keeps as ``Const('AppKey:db')``)."""
    key = v.strip(index)
    if type(key) is v.Const and isinstance(key.value, str):
        return key.value
    return ""


def _is_property(definition, names: Known) -> bool:
    """``@property`` / ``@functools.cached_property`` / a JS ``get name() {…}`` accessor: reading the
    attribute calls the method (``private get articles() { return this.db.getRepository(Article) }``)."""
    if definition is None:
        return False
    if definition.kind == "getter":
        return True
    properties = names.properties
    for decorator in definition.decorators:
        if (type(decorator) is ir.Name and decorator.id in properties) or (type(decorator) is ir.Attr and decorator.name in properties):
            return True
    return False


def property_getter(program, path: str, cid: int, name: str):
    """The getter a class attribute made by calling ``property`` runs — django-helpdesk's
    ``email_address = property(_email_address)`` on ``TicketCC`` — as a method of the class; ``None``
    for anything else (a decorated ``@property`` is a method of that name, found as one)."""
    field = program.class_field(path, cid, name)
    value = field.value if field is not None else None
    if (type(value) is not ir.Call or not value.args or value.args[0].kind != "pos" or type(value.func) is not ir.Name
            or value.func.id not in known(program).properties or type(value.args[0].value) is not ir.Name):
        return None
    return program.method(path, cid, value.args[0].value.id)


def _counted(node) -> bool:
    """``<queryset>.count()`` (no arguments: JS ``Array.count`` and friends are not Python querysets)."""
    return type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name == "count" and not node.args


def _at_least_one(op: str, number: int, truthy: bool) -> bool:
    """The branch where ``rowcount <op> number`` is ``truthy`` knows that at least one row matched."""
    if not truthy:
        op = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}.get(op, "")
    return (op == "==" and number >= 1) or (op == "!=" and number == 0) or (op == ">" and number >= 0) or (op == ">=" and number >= 1)


def _caught_env(before: dict, first: dict | None, after_body: dict) -> dict:
    """The environment a ``try``'s handler starts with: the one before the body joined with the one after it — and,
    for a row a name holds all through the body, the relations it had loaded at the body's first call or ``raise``
    (``first``, see Frame.raise_point): read before anything could raise, they are loaded on every path to the
    handler (Django keeps them on the instance), so a later loop over the same rows does not load them again."""
    caught = join_envs(before, after_body)
    if not first:
        return caught
    for name, held in first.items():
        at_first, prior = v.strip(held), v.strip(before.get(name))
        if type(at_first) is not v.Row or type(prior) is not v.Row or at_first.loaded == prior.loaded \
                or at_first._replace(loaded=prior.loaded) != prior or name not in after_body:
            continue  # not a row, nothing read on it, or the name was bound to another object before the call
        joined = v.strip(caught.get(name))
        if type(joined) is v.Row and joined.model == at_first.model:
            caught[name] = v.join(held, after_body[name])
    return caught


_NO_EXITS: frozenset = frozenset()  # the summaries of most calls exit no session block: one shared empty set


class Frame(Calls):
    # a JS/TS module frame interpreting one lazy declaration (semantics/module_env.py): the module's
    # globals, read when the frame's own environment is a copy (inside a loop) and lacks one
    lazy_globals = None
    # run_module: the expression of `export default <call>`, also a statement of the module (its effects):
    # the statement's value is the default export, kept rather than evaluated a second time
    default_export = None

    def __init__(self, program: Program, path: str, function: ir.Function, depth: int,
                 analysis: Analysis | None = None) -> None:
        self.program = program
        self.path = path
        self.function = function
        self.module = program.modules[path]
        self.python = self.module.language == "python"
        self.depth = depth
        self.analysis = analysis
        self.env: dict[str, object] = {}
        self.returns = None
        self.effects: list[Effect] = []
        self.loops: list[str] = []
        self.tx = 0
        self.tx_blocks: list[tuple[str, int]] = []  # (site, transactions it opened) of each open `with` block opening one
        self.hand_begun: set = set()  # spans of `session.begin()` called as a statement (see Calls.method_call)
        self.yielded = False  # a `yield` ran (in the current `with` block: see with_statement)
        self.branch: tuple = ()  # ((if-site, side), ...): the branches this statement runs on
        # the tests of the `if` statements whose blocks this statement runs in, innermost last (Python:
        # `if input_args.quiet_mode: return None` answers its own test, not a lookup found None before it)
        self.if_tests: list = []
        self.managed: list[str] = []  # sites of the managed-transaction callbacks running (explicit handle passing)
        # (site, stack, handle) of unmanaged transactions opened here at <site> and not yet committed/rolled back; <handle>
        # is the site of what commits it: the `t` of `const t = await sequelize.transaction()` (the same site), or the
        # TypeORM QueryRunner made at createQueryRunner() (whose startTransaction() is <site>)
        self.opened: list[tuple] = []
        self.finalised = 0  # inside the body or a handler of a `try` with a `finally` (which may end a transaction)
        self.guards: dict[str, object] = {}  # found = user is not None: a name that holds a null check
        # message = get_message_by_id(message_id): the name holding a possibly-None row -> the one name its
        # lookup was keyed by; once a check finds the row, that key names a row that exists (a stored key)
        self.lookup_keys: dict[str, str] = {}
        # names holding a helper's answer that may be a non-Django lookup's missed None (values.STRICT_MISSED_TAG),
        # with the branch they were assigned on: read unchecked there, before passed to any function, it is judged
        self.strict_missed: dict[str, tuple] = {}
        # (parameter, model, relations): a statement this function ran on the session a parameter holds, selecting
        # the rows another parameter holds with loader options — the identity map puts those relations on the
        # caller's rows (records.Summary.row_loads)
        self.row_loads: list[tuple] = []
        self.row_slots: list[tuple] = []  # (parameter, attribute, lazy query): records.Summary.row_slots
        self.callback_results: list[list] = []
        # Promise.all(rows.map((r) => Model.findById(r.x))): the map callbacks whose returned thenables
        # Promise.all runs (it calls .then on each), by the loop's span
        self.settled_loops: set = set()
        self.callback_settled: list[bool] = []
        self.steps = 0
        self.self_value = None
        self.always_raises = False
        self.ran: list = []  # project functions the call being evaluated ran (CallRecord.callees)
        self.alternatives = 0  # > 0 while one alternative of a union receiver is being called
        self.catching_none = 0  # > 0 inside `try:` whose handler catches AttributeError (a None dereference)
        self.null_derefs: list[Deref] = []  # every dereference of a nullable row on this run
        self.exited: set[str] = set()  # sess:<with-block> tags of the session blocks that ended on this run (Summary.exited)
        self.deferred_reads: set = set()  # spans of those whose row was keyed by an unknown parameter (DEFERRED_TAG)
        self.context_events: list[Event] = []  # CONTEXT_EVENTS seen while running for a caller (no analysis)
        # `row.count += 1` on a row no unit of work tracks: (node, detail, effects so far), a lost update
        # only once a later write of this run stores it (see `_instance_increment`)
        self.pending_increments: list[tuple] = []
        self.catching_unique = 0  # > 0 inside `try` whose handler handles a unique violation (IntegrityError, P2002 …)
        self.catching_missing = 0  # > 0 inside `try` whose handler catches DoesNotExist / NoResultFound (or Exception)
        self.raising_runs: list[str] = []  # origins of the lookups run here that raise on no row (`.one()`, `findOneOrFail`)
        # len(self.loops) at each enclosing `try` whose handlers let no error out (SWALLOW_TAG)
        self.swallowing: list[int] = []
        self.handling: list[int] = []  # len(self.loops) at each enclosing `except`/`catch` handler body
        self.failing = 0  # > 0 inside a handler that runs only on a failure (FAILURE_TAG; see _failure_handler)
        # one slot per enclosing `try` of this frame: [the environment at the body's first call or `raise`, or None
        # while none ran; the branch and loop depth the body starts on] (see try_statement)
        self.raise_points: list[list] = []
        # the optional parameters (a falsy constant default) the caller gave a value, with that value (see BoolOp)
        self.overrides: dict[str, object] = {}
        self.row_facts: set[str] = set()  # env keys of rows this frame inserted (see _inserted_here)
        self.inserted_keys: dict[str, frozenset] = {}  # table -> names a raw INSERT here bound (Calls._note_raw_insert)
        self.filter_facts: dict = {}  # env key -> the FoundFilter of a statement filter found here (see _found_filters)
        self.changed_unseen: set[str] = set()  # models of loaded rows changed here column unknown (Calls.change_unseen)
        self.discarded = None  # the call an expression statement runs: nothing reads its value
        self.injecting = 0  # > 0 while a parameter's default (`Depends(provider)`) is evaluated
        self.exit_branches: list[tuple] = []  # self.branch at each normal return (Summary.exit_branch)
        self.exit_found: list[frozenset] = []  # the parameters' found keys at each normal return (Summary.found_keys)
        # values.OPTIONAL_READ_TAG of each optional chain of a maybe-missing row read here -> the chain
        self.optional_reads: dict[str, ir.Attr] = {}
        # the same marks -> the maybe-missing row the chain read (a function returning the chain: see _missing_member)
        self.optional_rows: dict[str, object] = {}

    # running ---------------------------------------------------------------------------------------
    def run(self, args: tuple = (), kwargs: tuple = (), bound=None) -> Summary:
        function = self.function
        self.self_value = bound
        if self._decorated_atomic():
            self.tx += 1
        try:
            self._bind_parameters(args, dict(kwargs), bound)
            terminated = False
            for statement in function.body:  # (not self.block: the branch the body ends on is kept)
                if self.stmt(statement):
                    terminated = True
                    break
            if not terminated:
                self.exit_branches.append(self.branch)
                self.exit_found.append(self._found_parameter_keys())
                self._exit_with_open_transaction(function.span)
        except (_Budget, RecursionError):  # past the budget, or nesting deeper than Python's stack
            return UNKNOWN_SUMMARY
        self._stored_increments()
        returns = self.returns
        if returns is None:
            returns = v.Const(None) if not terminated or self.python else v.UNKNOWN
        if function.is_generator and returns == v.Const(None):
            returns = v.UNKNOWN
        raises = terminated and self.returns is None and self.always_raises
        derefs = ()
        if self.null_derefs:
            passed_in = null_origins((*args, *(value for _, value in kwargs)))
            derefs = tuple(d for d in self.null_derefs if d.origin in passed_in)
            # a property or method run on the caller's possibly-None row (`i.canceled`): the caller's
            # read of the member is the dereference, judged there (also where it is caught)
            passed_in = passed_in | null_origins((bound,)) if bound is not None else passed_in
            if self.analysis is None:
                # a lookup this callee (or a function it calls) ran with the caller's handle
                # (`get_article(pool, slug)` with the handler's pool), read here unchecked: the
                # function's own analysis may not know the handle, so it is judged in this context
                for deref in self.null_derefs:
                    if deref.span in self.deferred_reads:
                        continue  # keyed by a parameter this context does not know either
                    if deref.origin and deref.origin not in passed_in and ":unloaded:" not in deref.origin:
                        self.program.callee_null_derefs.setdefault((deref.path, deref.span), deref)
        return Summary(returns, tuple(dict.fromkeys(self.effects)), raises, derefs, tuple(dict.fromkeys(self.context_events)),
                       self._exit_branch(), frozenset(self.exited) if self.exited else _NO_EXITS,
                       tuple(dict.fromkeys(self.row_loads)), tuple(self.row_slots),
                       () if raises or not self.exit_found else tuple(sorted(frozenset.intersection(*self.exit_found))))

    def _exit_with_open_transaction(self, span, value=None) -> None:
        """A normal exit (a ``return``, the end of the body) while an unmanaged transaction this
        function opened (``const t = await sequelize.transaction()``) is neither committed nor rolled
        back: an ``open-tx-exit`` event (AL206 judges it against the function's own commit/rollback)."""
        if self.analysis is None or self.finalised or not self.opened:
            return
        function = self.function
        handed = {t for option in v.options(value) for t in v.tags_of(option)} if value is not None else set()
        for site, stack, handle in self.opened:
            if v.TX_TAG + handle in handed or CONNECTION + handle in handed:
                continue  # `return t`: the caller ends it
            path, line, _column = site.rsplit(":", 2)
            if path == self.path and function.span.line <= int(line) <= function.span.end_line:
                self.analysis.events.append(Event("open-tx-exit", self.path, span, f"{stack}|{site}"))

    def _found_parameter_keys(self) -> frozenset:
        """The keys read from this function's parameters that a check on this path found a row by
        (``calls.key_filter``): what a normal return here promises the caller (``Summary.found_keys``)."""
        if not self.filter_facts:
            return frozenset()
        scope = f"{self.path}:{self.function.fid}"
        # a parameter the body assigns (`slug = slug.toLowerCase()`) no longer holds what the caller passed
        params = {param.name for param in self.function.params} - self.program.assigned_names(self.function)
        return frozenset(found for key, found in self.filter_facts.items()
                         if key in self.env and found.scope == scope and found.steps[0][0] == "key"
                         and found.values and all(name in params for name, _ in found.values))

    def _exit_branch(self) -> tuple:
        """The branch sides every normal return (a ``return``, the end of the body) runs on: after
        ``if found: raise …`` a helper returns only on the not-found side."""
        if not self.exit_branches:
            return ()
        common = set(self.exit_branches[0])
        for branch in self.exit_branches[1:]:
            common &= set(branch)
        return tuple(side for side in self.exit_branches[0] if side in common)

    def _route_parameter(self, param: ir.Param, value) -> bool:
        """A parameter of a route handler the framework fills from the URL or the query string: Flask's
        ``<slug>``, Django's URL kwargs (after ``request``), FastAPI / django-ninja path and query
        parameters — not an injected dependency (``Depends(…)``), a handle, the request itself."""
        if (self.path, self.function.fid) not in self.program._handler_frameworks():
            return False
        if param.decorators or param.name in ("self", "cls", "request", "req"):
            return False
        default = param.default
        if default is not None and type(default) is not ir.Const and not (
                type(default) is ir.Call and default.short_name in ("Path", "Query")):
            return False
        bare = v.strip(value)
        if type(bare) is v.Instance:  # a FastAPI / django-ninja body schema (`body: NewArticle`)
            from archlint.semantics.frameworks import is_schema

            return param.annotation is not None and is_schema(self.program, v.ClassValue(bare.path, bare.cid))
        return type(bare) is v.Unknown or bare == v.Const(None)  # `pk=None` of a DRF action: the URL's pk

    def _decorated_atomic(self) -> bool:
        for decorator in self.function.decorators:
            name = self.program.static_name(self.path, decorator.func if type(decorator) is ir.Call else decorator)
            if name.endswith(("transaction.atomic", "transaction.commit_on_success")) or name == "sqlalchemy_utils.transactional":
                return True
            if name in call_names(self.program).transaction_functions:  # Tortoise `@atomic()`
                return True
            if type(decorator) is ir.Call and type(decorator.func) is ir.Attr \
                    and decorator.func.name in call_names(self.program).transaction_methods \
                    and type(v.strip(self.eval_cached(decorator.func.obj))) is v.Db:
                return True  # encode/databases `@database.transaction()`: the function runs in one transaction
        return False

    def _bind_parameters(self, args: tuple, kwargs: dict, bound) -> None:
        params = list(self.function.params)
        if bound is not None and not self.python:
            self.env["this"] = bound
        elif bound is not None and params and self.function.kind == "method" and not self.function.is_static:
            self.env[params[0].name] = bound
            params = params[1:]
        positional = list(args)
        body = self._body_args(params) if not args and not kwargs else None
        for param in params:
            given = True
            if param.kind in ("pos", "posonly", "pattern") and positional:
                value = positional.pop(0)
                if not self.python and param.annotation is not None and v.is_unknown(value):
                    # `findById(Container.get('db'), id)` into `@param {Knex} db` / `db: Knex`: the declared handle
                    typed = self.type_value(param.annotation)
                    if type(v.strip(typed)) is v.Db:
                        value = v.tag(typed, v.tags_of(value))
            elif body is not None and param is body[0]:
                value = body[1]
            elif param.name in kwargs:
                value = kwargs.pop(param.name)
            elif param.kind == "vararg":
                value = v.Tuple(tuple(positional)) if positional else v.UNKNOWN
                positional = []
            elif param.kind == "kwarg":
                value = v.Record(tuple(sorted(kwargs.items()))) if kwargs else self._body_kwargs()
            else:
                given = False
                value = self.default_parameter(param)
                if self.python and param.kind in ("pos", "kwonly") and self._route_parameter(param, value):
                    value = v.tag(v.UNKNOWN if type(v.strip(value)) is v.Const else value, frozenset({v.INPUT_TAG}))
            if param.kind == "pattern" and param.target is not None:
                if not self.python and v.is_unknown(value):
                    value = self._runtime_globals(param.target, value)
                self.bind(param.target, value)
            else:
                self.env[param.name] = value
                if given and type(param.default) is ir.Const and not param.default.value and _given_truthy(value):
                    self.overrides[param.name] = value
            if param.modifiers and self.function.name == "constructor":  # TS parameter property
                receiver = v.strip(self.self_value)
                if type(receiver) is v.Instance:
                    self.program.write_field(receiver.path, receiver.cid, param.name, value)

    def _runtime_globals(self, pattern, value):
        """``module.exports = ({ strapi }) => ({ … })``: the framework calls the factory with an object holding its runtime
        global (semantics.toml `globals`) under that name — the same object the free name reads, whatever local the
        pattern binds it to (a bundler's ``({ strapi: strapi1 })`` where the module also reads the free name, as in
        @strapi/plugin-users-permissions' dist/server/controllers/auth.js). Other keys stay unknown."""
        names = self.program.library.js_globals
        if not names or type(pattern) is not ir.Obj:
            return value
        found = tuple((entry.key, v.External(f"global:{entry.key}")) for entry in pattern.entries
                      if entry.key in names and type(entry.value) is ir.Name)
        return v.Record(found) if found else value

    def default_parameter(self, param: ir.Param):
        """A parameter's value when the caller does not give it: its default (``Depends(get_db)``),
        else what its annotation or decorators say (``db: Session``, ``@InjectRepository(User)``)."""
        value = None
        if param.default is not None:
            self.injecting += 1
            try:
                value = self.eval(param.default)
            finally:
                self.injecting -= 1
        for decorator in param.decorators:
            injected = self.parameter_decorator(decorator)
            if injected is not None:
                return self._allow_listed_body(param, injected)
        if value is not None and not v.is_unknown(value) and v.strip(value) != v.Const(None):
            return value
        if value is None and self.python and param.annotation is not None and param.name in self.program.name_injections():
            # Litestar injects by name before any annotation is read: `db_session: AsyncSession` of a provider gets
            # what `Provide(provide_db_session)` yields (that session, its teardown), not a generic session
            injected = self._injected_by_name(param.name)
            if injected is not None:
                return injected
        if param.annotation is not None:
            typed = self.type_value(param.annotation)
            if typed is not None:
                return self._parameter_handle(param, typed)
            framework = self._raw_body_framework(param)
            if framework:
                return v.tag(v.Request(framework, "body"), frozenset({v.REQUEST_TAG}))
        if value is None and self.python:
            injected = self._injected_by_name(param.name)
            if injected is not None:
                return injected
            if self.function.name == "update":  # DRF ModelSerializer.update(self, instance, validated_data)
                row = updated_row(self, self.function, param)
                if row is not None:
                    return row
        return value if value is not None else v.UNKNOWN

    def _parameter_handle(self, param: ir.Param, typed):
        """``session: AsyncSession`` with no value given, in a function that runs coroutines at once: one session all
        the same, the one the caller holds — named by the parameter (``hid:<site>``), so two coroutines handed it are
        seen to share it (AL237)."""
        from archlint.semantics import tasks

        bare = v.strip(typed)
        if not self.python or type(bare) is not v.Db or bare.kind not in ("session", "connection") \
                or any(t.startswith(v.IDENTITY_TAGS) for t in v.tags_of(typed)) \
                or not tasks.schedules_concurrently(self.program, self.path, self.function):
            return typed
        return v.tag(typed, frozenset({f"{v.HANDLE_ID_TAG}{self.path}:{param.span.line}:{param.span.column}"}))

    def _injecting_route(self) -> bool:
        """A route handler of a framework that injects by parameter name: decorated with one of its route
        constructors (``@get("/")`` of litestar, or a route method of its modules)."""
        for decorator in self.function.decorators:
            func = decorator.func if type(decorator) is ir.Call else decorator
            if type(func) not in (ir.Name, ir.Attr):
                continue
            name = self.program.static_name(self.path, func)
            for framework, data in self.program.library.framework_data.items():
                if not data.get("dependency_keywords"):
                    continue
                constructors = {c.replace(":", ".") for c in data.get("route_constructors", ())}
                if name in constructors or name.split(".", 1)[0] == framework and name.rsplit(".", 1)[-1] in data.get("route_methods", ()):
                    return True
        return False

    def _injected_by_name(self, name: str):
        """Litestar injects by parameter name: ``dependencies={"articles_service": Provide(provide_articles_service)}``
        gives a handler's (or a provider's) parameter ``articles_service`` what the provider returns or yields;
        advanced-alchemy's SQLAlchemyPlugin gives ``db_session`` (``frameworks.toml`` ``plugin_parameters``)."""
        injections = self.program.name_injections()
        if not injections:
            return None
        key = (self.path, self.function.fid)
        if key not in injections.get("", ()) and not self._injecting_route():
            return None
        result = None
        for path, provider in injections.get(name, ()):
            function = v.strip(self.program.static_value(path, provider)) if type(provider) in (ir.Name, ir.Attr) else None
            if type(function) is v.Function and (function.path, function.fid) != key:
                provided = self.call_function(None, function, [])
                if self.analysis is not None:  # a per-request session (Provide(provide_db_session)): the handler owns what it writes
                    self.analysis.owned.update(self.provided_sessions(provided))
                if not v.is_unknown(provided):
                    result = v.join(result, provided)
        if result is not None:
            return result
        for data in self.program.library.framework_data.values():
            handle = data.get("plugin_parameters", {}).get(name)
            if handle is not None:
                stack, _, kind = handle.partition(":")
                return v.tag(v.Db(stack, kind), ASYNC) if injections.get("<async plugin>") else v.Db(stack, kind)
        return None

    def _body_kwargs(self):
        """``**kwargs`` of a view decorated ``@use_kwargs(ArticleSchema)`` (``body_kwargs_decorators`` of
        ``frameworks.toml``): the request body's fields the schema loads, tagged with their names
        (``BODY_FIELDS``) — whether that is a mass assignment depends on the row they are written to."""
        found = self._loaded_body("body_kwargs_decorators")
        return found if found is not None else v.UNKNOWN

    def _body_args(self, params) -> tuple | None:
        """webargs ``@use_args(schema)`` / flask-smorest ``@blp.arguments(schema)`` (``body_args_decorators``):
        the view's first parameter (after ``self``) is the dict the schema loaded from the body."""
        first = next((p for p in params if p.kind in ("pos", "posonly")), None)
        found = self._loaded_body("body_args_decorators") if first is not None else None
        return (first, found) if found is not None else None

    def _loaded_body(self, key: str):
        if not self.python or self.function.kind == "module" or not self.function.decorators:
            return None
        for decorator in self.function.decorators:
            if type(decorator) is not ir.Call or not decorator.args:
                continue
            name = self.program.static_name(self.path, decorator.func)
            for framework, data in self.program.library.framework_data.items():
                if name not in data.get(key, ()):
                    continue
                location = decorator.arg(keyword="location")
                if location is not None and not (type(location) is ir.Const and location.value in data.get("body_locations", ())):
                    return None  # the query string, headers, the URL: not the body
                fields = loaded_fields(self, decorator.args[0].value)
                if fields is None:
                    return None
                return v.tag(v.Request(framework, "body"), frozenset({v.REQUEST_TAG, v.BODY_FIELDS_TAG + ",".join(fields)}))
        return None

    def _raw_body_framework(self, param: ir.Param) -> str:
        """The framework whose route handler receives this parameter as the parsed JSON body as it came —
        every key the client sent (a pydantic model would have kept only its declared fields): FastAPI's
        ``body: dict = Body(...)`` / bare ``payload: dict``, django-ninja's ``payload: dict = Body(...)``, Litestar's
        ``data: dict`` (the body is the parameter named ``data``) (``raw_body_*`` of ``frameworks.toml``).  Another default is a query parameter.  "" when not."""
        framework = self.program._handler_frameworks().get((self.path, self.function.fid))
        data = self.program.library.framework_data.get(framework or "", {})
        names = data.get("raw_body_names", ())
        if not data.get("raw_body_defaults") and not names or names and param.name not in names:
            return ""
        annotation = param.annotation
        if type(annotation) is ir.Index:
            annotation = annotation.obj  # dict[str, Any] / Dict[str, Any]
        name = self.program.static_name(self.path, annotation) if type(annotation) in (ir.Name, ir.Attr) else ""
        if name not in data.get("raw_body_annotations", ()):
            return ""
        default = param.default
        if default is None:
            return framework if data.get("raw_body_bare") else ""
        if type(default) is ir.Call and self.program.static_name(self.path, default.func) in data.get("raw_body_defaults", ()):
            return framework
        return ""

    def _framework_data(self, framework: str) -> dict:
        return self.program.library.framework_data.get(framework, {})

    def _route_auth(self, framework: str):
        """The value a route's ``auth=`` callable returned for this request (django-ninja ``request.auth``):
        the route decorator of this handler names it (``@router.put("/user", auth=TokenAuth())``); an object
        is called through the first of ``auth_methods`` its class defines, a function directly.  The handler
        runs only when it was truthy, so the value is never None.  ``None`` when not known."""
        data = self._framework_data(framework)
        keyword = data.get("auth_keyword")
        if not keyword or self.program._handler_frameworks().get((self.path, self.function.fid)) != framework:
            return None
        result = None
        for decorator in self.function.decorators:
            if type(decorator) is not ir.Call:
                continue
            expr, where = decorator.arg(keyword=keyword), self.path
            if expr is None:
                where, expr = self._router_keyword(decorator, keyword, data) or (self.path, None)
            if expr is None:
                continue
            auth = v.strip(self.eval_in_module(where, expr))
            function = auth if type(auth) is v.Function else None
            if type(auth) is v.Instance:
                for method in data.get("auth_methods", ()):
                    function = self.program.method(auth.path, auth.cid, method)
                    if function is not None:
                        function = function._replace(bound=auth)
                        break
            if function is None:
                return None
            summary = self.program.summary_of(function, (), (), self.depth + 1)
            result = v.join(result, non_null(summary.returns))
        return result

    def _router_keyword(self, decorator: ir.Call, keyword: str, data: dict):
        """The ``keyword`` argument of the router a route decorator registers on, when the operation does not
        give its own: ``api = NinjaAPI(auth=TokenAuth())`` / ``router = Router(auth=…)`` in this module, then
        ``@api.put("/user")`` — or, for a router made without it, the auth its mount gives (see ``_router_auth``):
        ``(module path, expression)``.  ``None`` when the router is made elsewhere or without it."""
        func = decorator.func
        if type(func) is not ir.Attr or type(func.obj) is not ir.Name:
            return None
        return self._router_auth(self.path, func.obj, keyword, frozenset(data.get("router_mounts", ())), 0)

    def _router_auth(self, path: str, name: ir.Name, keyword: str, mounts: frozenset, depth: int):
        """The ``keyword`` the router ``name`` (a module-level name of ``path``) authenticates with: its constructor's,
        else the one of the ``add_router(prefix, router, auth=…)`` call mounting it, else that of what it is mounted
        on (``NinjaAPI(auth=TokenAuth())``), through up to three levels.  ``None`` when not known."""
        module = self.program.modules.get(path)
        statement = self.program._last_assignments(path, module.module).get(name.id) if module else None
        value = statement.value if statement is not None else None
        router = v.strip(self.eval_in_module(path, name))
        if type(value) is not ir.Call or type(router) is not v.App:
            return None
        own = value.arg(keyword=keyword)
        if own is not None or depth >= 3 or not mounts:
            return (path, own) if own is not None else None
        for mount_path, mount in self.program.calls_of_methods(mounts):
            mounted = mount.arg(1)
            if mounted is None or v.strip(self.eval_in_module(mount_path, mounted)) != router:
                continue
            given = mount.arg(keyword=keyword)
            if given is not None:
                return mount_path, given
            parent = mount.func.obj
            if type(parent) is ir.Name:
                return self._router_auth(mount_path, parent, keyword, mounts, depth + 1)
        return None

    def _allow_listed_body(self, param: ir.Param, injected):
        """``@Body() dto: CreateArticleDto`` under a global validation pipe that strips undeclared keys
        (``frameworks.toml`` ``validation_pipes``): the DTO's declared fields, not the body as sent — what
        its class type says, else unknown.  A body typed ``any``/``object`` (no class) keeps every key."""
        bare = v.strip(injected)
        if type(bare) is not v.Request or bare.part != "body" or param.annotation is None:
            return injected
        dto = v.strip(self.program.static_value(self.path, param.annotation)) if type(param.annotation) in (ir.Name, ir.Attr) else None
        if type(dto) is not v.ClassValue or not (self._local_allow_listing_pipe(param, bare.framework)
                                                 or self.program.allow_listing_pipe(bare.framework)):
            return injected
        return v.tag(v.UNKNOWN, frozenset({v.INPUT_TAG}))  # what the client sent, validated and allow-listed

    def _local_allow_listing_pipe(self, param: ir.Param, framework: str) -> bool:
        """A whitelisting pipe bound to this body alone: ``@Body(new ValidationPipe({ whitelist: true }))``
        (an argument of the parameter's own decorator), or ``@UsePipes(…)`` (``frameworks.toml``
        ``pipe_decorators``) on the handler method or on its controller class."""
        pipe_value = self.program.allow_listing_pipe_value
        if any(type(d) is ir.Call and any(pipe_value(self.path, a.value, framework) for a in d.args) for d in param.decorators):
            return True
        users = frozenset(self.program.library.framework_data.get(framework, {}).get("pipe_decorators", ()))
        cls = self.program.cls(self.path, self.function.cls) if self.function.cls >= 0 else None
        for decorator in (*self.function.decorators, *(cls.decorators if cls is not None else ())):
            if (type(decorator) is ir.Call and self.program.static_name(self.path, decorator.func) in users
                    and any(pipe_value(self.path, a.value, framework) for a in decorator.args)):
                return True
        return False

    def parameter_decorator(self, decorator):
        call = decorator if type(decorator) is ir.Call else None
        name = self.program.static_name(self.path, call.func if call is not None else decorator)
        short = name.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
        if short == "InjectRepository" and call is not None:
            model = self.model_key(self.eval(call.arg(0)) if call.arg(0) is not None else v.UNKNOWN)
            # @nestjs/typeorm's (the default: an unresolved decorator keeps it) or @mikro-orm/nestjs's
            module = name.rsplit(":", 1)[0] if ":" in name else ""
            return v.Db(known(self.program).injected_repositories.get(module, "typeorm"), "repository", model)
        if short == "InjectModel" and call is not None and call.arg(0) is not None and name.startswith("@nestjs/mongoose"):
            # `@InjectModel(Article.name) private articleModel: Model<Article>`: the model registered
            # under that name (`MongooseModule.forFeature([{ name: Article.name, … }])`)
            token = call.arg(0)
            label = token.obj.id if type(token) is ir.Attr and token.name == "name" and type(token.obj) is ir.Name else (
                token.value if type(token) is ir.Const and isinstance(token.value, str) else "")
            key = self.program.schema.by_name(label, "mongoose", self.path) if label else ""
            return v.ModelClass("mongoose", key) if key else None
        if short == "InjectModel" and call is not None and call.arg(0) is not None and name.startswith("@nestjs/sequelize"):
            # `@InjectModel(Article) private articleModel: typeof Article`: the model class itself
            # (its static finders and creators), as `SequelizeModule.forFeature([Article])` provides it
            model = self.eval(call.arg(0))
            return model if type(v.strip(model)) in (v.ClassValue, v.ModelClass) and self.model_key(model) else None
        parts = self.program.library.framework_data.get("nestjs", {}).get("request_parameter_decorators", {})
        if short in parts and name.startswith("@nestjs"):
            return v.tag(v.Request("nestjs", parts[short]), frozenset({v.REQUEST_TAG}))
        return None

    def type_value(self, annotation, path: str | None = None, depth: int = 0):
        """The value a parameter annotated with this type holds, when the type says it.  ``path``:
        the module the annotation is written in (a type alias imported from another module); ``depth``:
        TypeScript type names followed to their declarations so far.

        A TypeScript type's value is kept per (module, annotation, depth) for the run: it reads only
        module-level declarations, and an interface is expanded into a record of its members' types,
        each followed to its declaration (effect's parameter types took 1.4M calls from 17k
        parameters, a fifth of the check).  Not kept when the type's value read the calling
        function's names (``Repository<User>``: ``User`` is evaluated where the parameter is bound)."""
        path = path or self.path
        if self.python:
            return self._type_value(annotation, path, depth)
        memo = self.program.memoised("script_type_values", dict)
        key = (path, id(annotation), depth)
        kept = memo.get(key)
        if kept is not None and kept[0] is annotation:
            return kept[1]
        local = self.program.memoised("script_type_local_reads", lambda: [0])
        before = local[0]
        value = self._type_value(annotation, path, depth)
        if local[0] == before:
            memo[key] = (annotation, value)  # (the annotation held: its id names no other node while kept)
        return value

    def _type_value(self, annotation, path: str, depth: int):
        node = annotation
        if type(node) is ir.Obj and not self.python:  # `{ database: Knex }`: an object whose members have those types
            items = tuple((entry.key, self.type_value(entry.value, path, depth)) for entry in node.entries if type(entry.key) is str)
            if all(value is None for _key, value in items):
                return None
            return v.Record(tuple((key, v.UNKNOWN if value is None else value) for key, value in items))
        if type(node) is ir.Const and isinstance(node.value, str) and node.value.isidentifier():
            node = ir.Name(node.value, annotation.span)  # "Session" forward reference
        if type(node) is ir.BinOp and node.op == "|":  # Optional: X | None
            left = self.type_value(node.left, path, depth)
            return left if left is not None else self.type_value(node.right, path, depth)
        if type(node) is ir.Name and self.python:
            alias = self.program.type_alias(path, node)
            if alias is not None:  # SessionDep = Annotated[AsyncSession, Depends(get_session)]
                return self.type_value(alias[1], alias[0])
        if type(node) is ir.Index:
            base = self.program.static_value(path, node.obj)
            base_name = base.name if type(base) is v.External else node.obj.id if type(node.obj) is ir.Name else ""
            short = base_name.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
            if short == "Annotated" and type(node.index) is ir.Seq:
                for extra in node.index.elts[1:]:
                    if type(extra) is ir.Call:
                        value = self._annotated_extra(extra, node.index.elts[0], path)
                        if not v.is_unknown(value):
                            return value
                return self.type_value(node.index.elts[0], path, depth) if node.index.elts else None
            if short == "Optional":
                return self.type_value(node.index, path, depth)
            if short in ("Repository", "EntityRepository", "MongoRepository"):
                if not self.python:
                    self.program.memoised("script_type_local_reads", lambda: [0])[0] += 1  # read here: not kept
                return v.Db("typeorm", "repository", self.model_key(self.eval(node.index)))
            if short in ("Promise",):
                return self.type_value(node.index, path, depth)
            node = node.obj
        value = self.program.static_value(path, node) if type(node) in (ir.Name, ir.Attr) else None
        if (value is None or v.is_unknown(value)) and type(node) is ir.Name and not self.python:
            # `private readonly articles: IArticleRepository` (tsyringe / inversify / a hand-written
            # container): the one class of the program that `implements` the interface
            value = self.program.implementation_of(node.id) or value
        if (value is None or v.is_unknown(value)) and type(node) is ir.Name and not self.python and depth < 4:
            # `options: RouterOptions` of `interface RouterOptions { store: NotificationsStore }`: an object of the
            # members' types (`const { store } = options`)
            declared = self.program.declared_type(path, node.id)
            if declared is not None:
                typed = self.type_value(declared[1], declared[0], depth + 1)
                if typed is not None:
                    return typed
        if v.is_unknown(value) and type(node) is ir.Name and not self.python:
            # JSDoc `@param {Knex} db` with the type never imported: the handle type of a package this module requires
            typed = self.program.library.annotated(node.id)
            module = self.program.modules.get(path)
            if typed is not None and module is not None and any(
                    (made := self.program.library.constructor(target.split(":", 1)[0] + ":")) is not None and made.stack == typed.stack
                    for _local, target in module.bindings):
                return typed
        if value is None:
            return None
        kind = type(value)
        if kind is v.ClassValue:
            model = self.program.model_of_class(value.path, value.cid)
            if model:
                stack = self.program.schema.models[model].stack
                # a row known from its type only: how it was loaded is unknown (Sequelize/TypeORM
                # associations may have been included by the caller)
                if stack == "sqlalchemy":  # nothing loaded, but not known to raise either (AL235 needs the query)
                    return v.tag(v.Row(stack, model, frozenset()), frozenset({v.TYPED_ROW_TAG}))
                return v.Row(stack, model, frozenset({"*"}) if stack in ("sequelize", "typeorm") else frozenset())
            return v.tag(v.Instance(value.path, value.cid), frozenset({"declared"}))
        if kind is v.External:
            name = value.name
            model = self.program.django_builtin_model(name)
            if model is not None:  # `user: User` of django.contrib.auth.models
                return v.Row("django", model.model)
            handle = self.program.library.annotated(name)
            if handle is None and type(node) is ir.Name:
                short = name.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
                handle = self.program.library.annotated(short) if self._imports_stack_for(short) else None
            if handle is None and not self.python and ":" in name:
                # JSDoc `{import('knex').Knex}` (read as `require('knex').Knex`): the type its own package exports
                module, _, short = name.partition(":")
                typed = self.program.library.annotated(short.rsplit(".", 1)[-1])
                made = self.program.library.constructor(module + ":")
                handle = typed if typed is not None and made is not None and made.stack == typed.stack else None
            if handle is not None:
                return v.tag(handle, ASYNC) if is_async_api(self.program, name) else handle
            if self._is_request_type(name):
                return v.tag(v.Request(self._framework_of(name)), frozenset({v.REQUEST_TAG}))
            framework = self.program.library.app(name)
            if framework and name.rsplit(".", 1)[-1].rsplit(":", 1)[-1] in known(self.program).app_classes:
                # `async def connect_to_db(app: FastAPI)`: the application (its state / mapping / extensions)
                return v.App(framework, v.ANNOTATED_APP)
        return None

    def _annotated_extra(self, extra: ir.Call, declared, path: str):
        """What an ``Annotated[T, extra]`` parameter receives from ``extra``: ``Depends(provider)``
        calls the provider; FastAPI's bare ``Depends()`` builds the declared class ``T`` itself.
        An alias from another module is read there: its names are that module's."""
        name = self.program.static_name(path, extra.func)
        if name in call_names(self.program).fastapi_depends and not extra.args:
            declared_value = v.strip(self.program.static_value(path, declared)) if type(declared) in (ir.Name, ir.Attr) else None
            if type(declared_value) is v.ClassValue and not self.program.model_of_class(declared_value.path, declared_value.cid):
                return self.instantiate(extra, declared_value, [])
            return v.UNKNOWN
        if path == self.path:
            return self.eval(extra)
        if name in call_names(self.program).fastapi_depends and extra.args[0].kind == "pos":
            provider = v.strip(self.program.static_value(path, extra.args[0].value))
            if type(provider) is v.Function:
                provided = self.call_function(extra, provider, [])
                if self.analysis is not None:  # a per-request session: the handler owns what it writes
                    self.analysis.owned.update(self.provided_sessions(provided))
                return provided
            if type(provider) is v.ClassValue:
                return self.instantiate(extra, provider, [])
        return v.UNKNOWN

    def _handle_base(self, cls: v.ClassValue):
        """The DB handle a project class inherits from (``class PrismaService extends PrismaClient``,
        the NestJS idiom; a repository class over TypeORM's ``Repository``): a library handle class
        among its bases, else ``None``.  Members the class does not define are the handle's."""
        for path, cid in self.program.subclass_chain(cls.path, cls.cid):
            for base in self.program.bases(path, cid):
                if type(base) is not v.External:
                    continue
                handle = self.program.library.constructor(base.name) or self.program.library.annotated(base.name)
                short = base.name.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
                if handle is None and self._imports_stack_for(short):  # a generated client: '../generated/prisma/client'
                    handle = self.program.library.annotated(short)
                if handle is not None:
                    handle = self._bound_model(cls, handle)
                    return v.tag(handle, ASYNC) if is_async_api(self.program, base.name) else handle
        return None

    def _bound_model(self, cls: v.ClassValue, handle, depth: int = 0):
        """advanced-alchemy's ``class ArticleRepository(SQLAlchemyAsyncRepository[Article]): model_type = Article``
        and ``class ArticleService(SQLAlchemyAsyncRepositoryService[Article]): repository_type = ArticleRepository``:
        the inherited handle bound to the model the class attribute names (``semantics.toml`` ``bound_models``),
        its default loader options (``loader_options = [...]``) loading what they name."""
        library = self.program.library
        if not handle.model and (handle.stack, handle.kind) in library.super_models:
            model = self._super_model(cls)
            if model:  # class ArticleRepository extends Repository<Article> { constructor(ds) { super(Article, …) } }
                handle = handle._replace(model=model)
        if not handle.model and handle.kind == "repository":
            model = self._type_argument_model(cls)
            if model:  # class UserRepository extends EntityRepository<User> {} (MikroORM, TypeORM): the entity it serves
                handle = handle._replace(model=model)
        attribute = library.bound_models.get((handle.stack, handle.kind))
        if attribute is None or depth > 3:
            return handle
        named = self._class_attribute(cls, attribute)
        if type(named) is v.ClassValue:
            model = self.program.model_of_class(named.path, named.cid)
            if model:
                handle = handle._replace(model=model)
            else:  # the service's repository class: its model, its loads
                inner = v.strip(self._handle_base(named)) if depth < 3 else None
                if type(inner) is v.Db and inner.stack == handle.stack:
                    handle = handle._replace(model=inner.model, loaded=inner.loaded)
        loads = library.class_loads.get(handle.stack)
        if loads and self._class_attribute(cls, loads) is not None or self.program.constructed_with_loads(cls.path, cls.cid):
            handle = handle._replace(loaded=handle.loaded | frozenset({ANY_RELATION}))
        return handle

    def _type_argument_model(self, cls: v.ClassValue) -> str:
        """The model a base of the class (or of a project base) names as its type argument
        (``extends EntityRepository<User>``), else ``""``."""
        for path, cid in self.program.subclass_chain(cls.path, cls.cid):
            definition = self.program.cls(path, cid)
            for base in definition.bases if definition is not None else ():
                if type(base) is ir.Index and type(base.index) in (ir.Name, ir.Attr):
                    named = v.strip(self.program.static_value(path, base.index))
                    if type(named) is v.ClassValue:
                        model = self.program.model_of_class(named.path, named.cid)
                        if model:
                            return model
        return ""

    def _super_model(self, cls: v.ClassValue) -> str:
        """The model a constructor of the class (or a project base) names first in its ``super(…)``
        call (TypeORM's ``Repository(target, manager)``), else ``""``."""
        found = self.program.method(cls.path, cls.cid, "constructor")
        constructor = self.program.function(found.path, found.fid) if type(found) is v.Function else None
        for node in ir.iter_nodes(constructor.body) if constructor is not None else ():
            if type(node) is ir.Call and type(node.func) is ir.Name and node.func.id == "super" and node.args:
                named = v.strip(self.program.static_value(found.path, node.args[0].value))
                if type(named) is v.ClassValue:
                    return self.program.model_of_class(named.path, named.cid) or ""
                return ""
        return ""

    def _class_attribute(self, cls: v.ClassValue, name: str):
        """The static value of a class attribute written in the class or a project base, else ``None``."""
        for path, cid in self.program.subclass_chain(cls.path, cls.cid):
            found = self.program.cls(path, cid)
            for member in found.fields if found is not None else ():
                if member.name == name and member.value is not None:
                    value = v.strip(self.program.static_value(path, member.value))
                    if type(member.value) is ir.Name and type(value) is not v.ClassValue:
                        # `class Repo(SQLAlchemyAsyncRepository[User]): …` nested in the service's body
                        inner = next((c for c in map(lambda n: self.program.cls(path, n), found.nested)
                                      if c is not None and c.name == member.value.id), None)
                        value = v.ClassValue(path, inner.cid) if inner is not None else value
                    return None if type(value) is v.Const and value.value is None else value
        return None

    def _imports_stack_for(self, short: str) -> bool:
        handle = self.program.library.annotated(short)
        if handle is None:
            return False
        language = self.program.library.language.get(handle.stack)
        return (language == "python") == self.python

    @staticmethod
    def _is_request_type(name: str) -> bool:
        return name in (
            "flask.Request", "fastapi.Request", "starlette.requests.Request", "aiohttp.web.Request",
            "django.http.HttpRequest", "rest_framework.request.Request", "express:Request", "koa:Context",
            "hono:Context", "fastify:FastifyRequest",
        ) or name.endswith((":Request", ".Request")) and not name.startswith(("urllib", "requests"))

    @staticmethod
    def _framework_of(name: str) -> str:
        return name.split(".", 1)[0].split(":", 1)[0]

    # statements ---------------------------------------------------------------------------------------
    def block(self, statements) -> bool:
        """Run statements; True when the block never falls through (return/raise/break/continue)."""
        branch = self.branch
        try:
            for statement in statements:
                if self.stmt(statement):
                    return True
            return False
        finally:
            self.branch = branch

    def tick(self) -> None:
        self.steps += 1
        if self.steps > NODE_BUDGET:
            raise _Budget

    def stmt(self, node) -> bool:  # noqa: C901 - one branch per statement kind
        self.tick()
        kind = type(node)
        if kind is ir.Assign:
            self.assign(node)
            return False
        if kind is ir.ExprStmt:
            value = node.value
            if type(value) is ir.Opaque and value.kind == "yield":
                for part in value.parts:
                    self.returns = v.join(self.returns, self.eval(part))
                self.yielded = True
                return False
            call = value.value if type(value) is ir.Await else value
            if type(call) is ir.Call and self.python and call.method in known(self.program).hand_begun:
                self.hand_begun.add(call.span)  # `await session.begin()` alone: not a block that commits on exit
            discarded, self.discarded = self.discarded, call  # its value is dropped (values.BEST_EFFORT_TAG)
            result = self.eval(value)
            if value is self.default_export:
                self.env["<default>"] = result
            self.discarded = discarded
            if type(call) is ir.Call and call.method == "assert" and call.args and call.args[0].kind == "pos" and not self.python:
                receiver = v.strip(self.eval_cached(call.func.obj))
                if type(receiver) is v.Request and receiver.framework == "koa" and receiver.part == "":
                    # ctx.assert(article, 404): Koa throws an HttpError when the value is falsy
                    self.env.update(self.narrowing(call.args[0].value, True))
            return self.never_returns(value)
        if kind is ir.Return:
            value = self.eval(node.value) if node.value is not None else v.Const(None)
            if node.value is None or (type(node.value) is ir.Const and node.value.value is None):
                value = self._missed_return(value)
            elif self.optional_rows and not self.python:
                value = self._missing_member(node.value, value)
            if self.callback_results:
                if self.callback_settled[-1] and type(v.strip(value)) is v.Query:
                    value = self.await_value(value, node.value)  # runs now, once per element
                self.callback_results[-1].append(value)
            else:
                self.returns = v.join(self.returns, value)
                self.exit_branches.append(self.branch)
                self.exit_found.append(self._found_parameter_keys())
                self._exit_with_open_transaction(node.span, value)
                if self.analysis is not None and node.value is not None and v.is_nullable(value):
                    # a handler returning the lookup itself: its response schema gets None (AL220)
                    origin = next((v.strip(o).origin for o in v.options(value)
                                   if type(v.strip(o)) is v.Row and v.strip(o).nullable and v.strip(o).origin), "")
                    self.analysis.events.append(Event("nullable-return", self.path, node.value.span, origin))
            return True
        if kind is ir.Raise:
            if node.value is not None:
                self.eval(node.value)
            if self.raise_points:
                self.raise_point()
            self.always_raises = True
            return True
        if kind is ir.If:
            return self.if_statement(node)
        if kind is ir.Loop:
            self.loop(node)
            return False
        if kind is ir.With:
            return self.with_statement(node)
        if kind is ir.Try:
            return self.try_statement(node)
        if kind is ir.Assert:
            self.eval(node.test)
            self.env.update(self.narrowing(node.test, True))
            return False
        if kind is ir.Jump:
            return True
        if kind is ir.Delete:
            for target in node.targets:
                if type(target) is not ir.Name:
                    self.eval(target)
            return False
        return False

    def never_returns(self, value) -> bool:
        """``abort(404)`` / ``sys.exit()`` / a project helper that always raises."""
        call = value.value if type(value) is ir.Await else value
        if type(call) is not ir.Call:
            return False
        callee = self.program.static_value(self.path, call.func) if type(call.func) in (ir.Name, ir.Attr) else None
        if type(callee) is v.External and callee.name in known(self.program).no_return:
            self.always_raises = True
            return True
        if not self.python and call.method == "throw" and type(call.func) is ir.Attr:
            receiver = v.strip(self.eval_cached(call.func.obj))
            if type(receiver) is v.Request and receiver.framework == "koa" and receiver.part == "":
                self.always_raises = True
                return True  # ctx.throw(404, "…"): Koa throws an HttpError
        return call.span in self._raising_calls

    @property
    def _raising_calls(self) -> set:
        found = getattr(self, "_raising", None)
        if found is None:
            found = self._raising = set()
        return found

    def if_statement(self, node: ir.If) -> bool:
        test_value = self.eval(node.test)
        self._truth_evaluated(node.test)
        known = self.decide(node.test)
        if known is True:
            self.env.update(self.narrowing(node.test, True))
            return self._if_block(node.test, node.body)
        if known is False:
            self.env.update(self.narrowing(node.test, False))
            return self._if_block(node.test, node.orelse)
        before = self.env
        narrow_then, narrow_else = self.narrowing(node.test, True), self.narrowing(node.test, False)
        site, branch = self.site_key(node), self.branch
        # if (req.method === 'POST') … if (req.method === 'DELETE'): one virtual site, two sides
        picked = equality_side(node.test, self.eval_cached, self.program.assigned_paths(self.path, self.function))
        then_sides = ((site, "then"),) + ((picked,) if picked is not None else ())
        self.env = {**before, **narrow_then}
        self.branch = branch + then_sides
        ends_then = self._if_block(node.test, node.body)
        then_env = self.env
        self.env = {**before, **narrow_else}
        self.branch = branch + ((site, "else"),)
        ends_else = self._if_block(node.test, node.orelse)
        else_env = self.env
        self.branch = branch
        self._lookup_exit(node, site, test_value, ends_then, ends_else)
        if ends_then and ends_else:
            self.env = join_envs(then_env, else_env)
            return True
        if ends_then:  # the rest of the block runs only when the test was false
            self.env = else_env
            self.branch = branch + ((site, "else"),)
        elif ends_else:
            self.env = then_env
            self.branch = branch + then_sides
        else:
            self.env = join_envs(then_env, else_env)
        return False

    def _if_block(self, test, body) -> bool:
        """``self.block(body)``, one side of an ``if`` whose test is ``test`` (see ``if_tests``)."""
        self.if_tests.append(test)
        try:
            return self.block(body)
        finally:
            self.if_tests.pop()

    def _lookup_exit(self, node: ir.If, site: str, test_value, ends_then: bool, ends_else: bool) -> None:
        """``if existing: return 409`` / ``if (await User.findOne({ where: { email } })) throw …``: a DB
        lookup decides a branch that leaves the function when the row exists (shape ``exit``), or one
        that runs only when no row was found (``if not existing: session.add(…)``, shape ``guard``).
        Recorded (event ``lookup-exit``: the if, the side that runs when no row was found, the lookups,
        the shape) for the check-then-insert rule, which matches it with an insert on that side."""
        lookups = sorted(t[len(LOOKUP_TAG):] for t in v.tags_of(test_value) if t.startswith(LOOKUP_TAG))
        if not lookups:
            return
        found = lookup_polarity(node.test)
        if found is None:
            return
        found_side, missing_side = ("then", "else") if found else ("else", "then")
        # the found branch leaves (`if existing: return 409`: an exit) or falls through (`if not existing:
        # session.add(…)`, `if (fav) destroy() else create()`: the insert is guarded — get-or-create, a toggle)
        shape = "exit" if (ends_then if found_side == "then" else ends_else) else "guard"
        event = Event("lookup-exit", self.path, node.span, f"{site}|{missing_side}|{','.join(lookups)}|{shape}")
        if self.analysis is not None:
            self.analysis.events.append(event)
        else:  # a helper run for its caller (`ensure_unique_email(db, email)`): the caller's analysis gets it
            self.context_events.append(event)

    def _request_slot(self, obj, name: str) -> str:
        """Environment key of ``req.<name>`` for a name the framework does not define on the request
        (``req.loggedUser``, ``req.article``): a value a middleware or handler stores there."""
        if type(obj) is not ir.Name or name in known(self.program).request_parts or self.python:
            return ""
        current = v.strip(self.env.get(obj.id, v.UNKNOWN))
        if type(current) is not v.Request or current.part != "":
            return ""
        return f"{obj.id}:{name}"

    def site_key(self, node) -> str:
        return f"{self.path}:{node.span.line}:{node.span.column}"

    def decide(self, test):
        """The test's outcome when the values decide it (``if ids is not None`` with a set
        passed in), else ``None``: the branch that cannot run is not interpreted."""
        kind = type(test)
        if kind is ir.Unary and test.op == "not":
            inner = self.decide(test.operand)
            return None if inner is None else not inner
        if kind is ir.BoolOp and test.op in ("and", "or"):
            answers = [self.decide(value) for value in test.values]
            if test.op == "and":
                return False if False in answers else True if all(a is True for a in answers) else None
            return True if True in answers else False if all(a is False for a in answers) else None
        if kind is ir.Compare and test.op in ("==", "!=", "in", "not-in"):
            action = self._drf_action_test(test)
            if action is None:
                action = self._constant_text_test(test)
            if action is not None:
                return action
        if kind is ir.Compare and test.op in ("is", "is-not", "==", "!="):
            subject, other = test.left, test.right
            if type(subject) is ir.Const:
                subject, other = other, subject
            if type(other) is ir.Const and other.value is None:
                null = False if self._given(subject) else v.nullness(self.eval_cached(subject))
                if null is None:
                    return None
                return null if test.op in ("is", "==") else not null
            return None
        if kind is ir.Call and self.python and type(test.func) is ir.Name and test.func.id == "isinstance" and len(test.args) == 2:
            return self._isinstance_of_constant(test)
        if kind is ir.Call and self.python and type(test.func) is ir.Name and test.func.id == "callable" and len(test.args) == 1:
            return self._callable(self.eval_cached(test.args[0].value))
        if kind is ir.Attr and not self.python and self._absent_attribute(test):
            return False  # `if (toAppend?.author)` on a User row: no such attribute, undefined
        if kind is ir.Name and self._given(test):
            return True
        if kind in (ir.Name, ir.Attr):
            value = self.eval_cached(test)
            if kind is ir.Attr and not self.python and _unloaded_relation(value):
                # `me && user.followers ? user.followers.some(…) : false` on a row whose query did not
                # include the relation: the attribute is undefined, so the test is falsy and the read
                # it guards never runs
                return False
            return v.truth(value)
        return None

    def _instance_narrowing(self, name: str, types) -> dict:
        """``isinstance(orga, Organizer)`` held: ``orga`` is a row of that model (pretix's multidomain
        middleware: ``request.organizer = orga if isinstance(orga, Organizer) else Organizer.objects.get(…)``
        with ``orga`` read from a cache). Without it the unknown alternative hid every per-row read of
        what views reach through ``request.organizer``."""
        cls = v.strip(self.eval_cached(types))
        model = self.program.model_of_class(cls.path, cls.cid) if type(cls) is v.ClassValue \
            else cls.model if type(cls) is v.ModelClass else ""
        if not model:
            return {}
        current = self.env[name]
        row = v.strip(current)
        if type(row) is v.Row:  # already a row (of that model or a subclass): only no longer None
            return {name: non_null(current)}
        stack = self.program.schema.models[model].stack
        return {name: v.tag(v.Row(stack, model, frozenset()), v.tags_of(current))}

    def _given(self, test) -> bool:
        """``param`` is an optional parameter (a falsy default) the caller gave a value taken as given, still
        bound to it: ``if function is None: function = Functions.get(id)`` / ``if not function:`` is the
        fallback for callers that leave it out, and does not run for this one (as ``param or fallback``)."""
        return type(test) is ir.Name and bool(self.overrides) and self.overrides.get(test.id, self) is self.env.get(test.id)

    def _callable(self, value):
        """``callable(x)`` when the value decides it: a function or a class is; an instance of a marshmallow
        schema (lemur's ``output_schema() if callable(output_schema) else output_schema``) or of a project
        class whose bases are all the project's, with no ``__call__``, is not.  ``None`` otherwise."""
        from archlint.semantics.frameworks import is_marshmallow, project_only_bases

        bare = v.strip(value)
        if type(bare) in (v.Function, v.ClassValue, v.ModelClass):
            return True
        if type(bare) is not v.Instance:
            return None
        if self.program.method(bare.path, bare.cid, "__call__") is not None:
            return True
        if is_marshmallow(self.program, bare) or project_only_bases(self.program, bare):
            return False
        return None

    def _missed_get(self, node: ir.Try):
        """The ``None`` standing for the ``.get()`` of a try body whose ``DoesNotExist`` a handler
        catches (``try: return Article.objects.get(slug=s) except Article.DoesNotExist: return None``)."""
        for call in ir.calls_in(node.body):
            if type(call.func) is ir.Attr and call.func.name in ("get", "aget") and call.args:
                origin = f"{self.path}:{call.span.line}:{call.span.column}:.{call.func.name}() → except DoesNotExist: return None"
                return v.Tagged(v.Const(None), frozenset({v.MISSED_TAG + origin}))
        return None

    def _missed_return(self, value):
        """``if article is None: return None``: on this path a lookup found no row, and the function
        says so with ``None`` — the caller gets that lookup's possibly-None result."""
        if MISSED_KEY in self.env:
            return self.env[MISSED_KEY]
        if not self.python:
            return value
        # inside an `if`, the None answers that if's test: the lookup's only when the test reads its name
        # (`if user is None: … return None`), not `if input_args.quiet_mode: return None` past `if user: return user`
        tested = self._names_read(self.if_tests[-1]) if self.if_tests else None  # walked once per test node
        for name in sorted(self.env):
            # outside any `if`, only a name this path found None (`if chat: return chat` / `return None`): one
            # that may still hold the row (`if share and share.mode == "open": return chat` / `return None`)
            # did not make this None — the function answers None there for another reason, and its callers
            # never get that lookup's row (open-webui's get_accessible_chat_by_id and its shared-chat lookup)
            if v.missed_origin(self.env[name]) and self.function.scope_of(name) in ("local", "param") \
                    and (name in tested if tested is not None else _only_none(self.env[name])):
                return self.env[name]
        for name in sorted(self.env):
            origin = v.missed_row(self.env[name])
            if origin and self.function.scope_of(name) in ("local", "param") and (tested is None or name in tested):
                return v.Tagged(v.Const(None), frozenset({v.MISSED_ROW_TAG + origin}))
        return value

    def _drf_action_test(self, test: ir.Compare):
        """``self.action == "list"`` / ``self.action in ("list", "retrieve")`` (or ``getattr(self, "action", "")``)
        on a DRF view whose action the analysis knows (see ``DRF_ACTION_TAG``): decided; anything else ``None``."""
        subject, other = test.left, test.right
        if test.op in ("==", "!=") and type(subject) is ir.Const:
            subject, other = other, subject
        if type(subject) is ir.Call and type(subject.func) is ir.Name and subject.func.id == "getattr" \
                and len(subject.args) in (2, 3) and all(a.kind == "pos" for a in subject.args) \
                and type(subject.args[1].value) is ir.Const and subject.args[1].value.value == "action":
            owner = subject.args[0].value  # getattr(self, "action", ""): pulpcore's list-only optimisations
        elif type(subject) is ir.Attr and subject.name == "action":
            owner = subject.obj
        elif type(subject) is ir.Attr and subject.name == "method" and type(subject.obj) is ir.Attr and subject.obj.name == "request":
            # `if self.request.method == "GET": return TaskSimpleSerializer` in a view serving `list`: DRF
            # routes that action for GET only
            view = self.eval_cached(subject.obj.obj)
            tag = next((t for t in sorted(v.tags_of(view)) if t.startswith(v.DRF_ACTION_TAG)), None)
            if tag is None or type(v.strip(view)) is not v.Instance or tag[len(v.DRF_ACTION_TAG):] not in framework_names(self.program).get_actions:
                return None
            return _names_test(test, other, "GET")
        else:
            return None
        view = self.eval_cached(owner)
        tag = next((t for t in sorted(v.tags_of(view)) if t.startswith(v.DRF_ACTION_TAG)), None)
        if tag is None or type(v.strip(view)) is not v.Instance:
            return None
        current = self.eval_cached(subject) if subject is not owner and type(subject) is ir.Attr \
            else self._drf_action_member(v.strip(view), "action", tag)
        if v.strip(current) != v.Const(tag[len(v.DRF_ACTION_TAG):]):
            return None
        return _names_test(test, other, tag[len(v.DRF_ACTION_TAG):])

    def _constant_text_test(self, test: ir.Compare):
        """``kind == "files"`` / ``kind in ("files", "message:files")`` where every path here gives
        ``kind`` one known text (a dispatcher called with ``emit({"type": "chat:completion"})``):
        decided, so the branch for the other event names is not run for this call."""
        subject, other = test.left, test.right
        if test.op in ("==", "!=") and type(subject) is ir.Const:
            subject, other = other, subject
        if type(subject) is ir.Const:
            return None
        value = v.strip(self.eval_cached(subject))
        if type(value) is not v.Const or not isinstance(value.value, str) or not self._record_entry(subject):
            return None
        return _names_test(test, other, value.value)

    def _record_entry(self, node) -> bool:
        """``event.get("type")`` / ``event["type"]`` on a dict whose keys the analysis knows (the
        literal a caller passed), or a local assigned once from one: a text that is exactly what this
        call was given — not a class default or a column's value seen on some path (``user.role``)."""
        if type(node) is ir.Name:
            if self.function.scope_of(node.id) != "local":
                return False
            assigned = [n for n in ir.iter_nodes(self.function.body) if type(n) is ir.Assign
                        and any(type(t) is ir.Name and t.id == node.id for t in n.targets)]
            return len(assigned) == 1 and assigned[0].value is not None and self._record_entry(assigned[0].value)
        if type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name == "get" and node.args:
            key, receiver = node.args[0].value, node.func.obj
        elif type(node) is ir.Index:
            key, receiver = node.index, node.obj
        else:
            return False
        return type(key) is ir.Const and isinstance(key.value, str) and type(v.strip(self.eval_cached(receiver))) is v.Record

    def _isinstance_of_constant(self, test: ir.Call):
        """``isinstance(func_string, str)`` with a constant argument (a setting's text passed to a
        loader): decided by the constant's own type; anything else stays undecided."""
        value = v.strip(self.eval_cached(test.args[0].value))
        types = test.args[1].value
        names = [t.id for t in (types.elts if type(types) is ir.Seq else (types,)) if type(t) is ir.Name]
        if type(value) is not v.Const or value.value is v.ANY_CONSTANT or not names or any(n not in _BUILTIN_TYPES for n in names):
            return None
        return any(isinstance(value.value, _BUILTIN_TYPES[n]) for n in names)

    def _absent_attribute(self, test: ir.Attr) -> bool:
        """``row.author`` where the row's model (Sequelize/TypeORM/Prisma, columns known) has no such
        column or association: the JS read is ``undefined`` — a helper shared by articles and users
        guards the article-only part with it."""
        bare = v.strip(self.eval_cached(test.obj))
        if type(bare) is not v.Row or bare.nullable or bare.stack not in ("sequelize", "typeorm", "prisma") or not bare.model:
            return False
        model = self.program.schema.get(bare.model)
        if model is None or not model.columns or model.pending:
            return False
        name = test.name
        if model.cid >= 0 and (self.program.method(model.path, model.cid, name) is not None
                               or self.program.class_field(model.path, model.cid, name) is not None):
            return False  # a getter, a method or a field the entity class defines (`get url()`)
        return name not in model.columns and name not in model.relations and not name.endswith(("Id", "_id", "At", "_at")) \
            and name not in ("id", "dataValues", "createdAt", "updatedAt")

    def _nonempty_narrowing(self, name) -> dict:
        """A queryset the branch knows has a row (``exists()``, ``count() > 0``): its ``.first()``
        is a row.  A name, or a fact about a chain (``Organization.objects``)."""
        if not self.python:
            return {}
        if type(name) is ir.Name and name.id in self.env:
            return {name.id: _nonempty(self.env[name.id])} | self._exists_model(self.env[name.id])
        chain = query_chain(self.program, name)
        if chain is not None:  # if Organization.objects.exists(): org = Organization.objects.first()
            return {FACT + "nonempty:" + chain: v.Const(True)} | self._exists_model(self.eval_cached(name))
        # a query no chain of names spells (`get_user_model().objects.filter(username=u)`): which table has
        # the row is still known, so a later `.get()` on it is checked (AL234)
        return self._exists_model(self.eval_cached(name)) if type(name) in (ir.Call, ir.Attr) else {}

    def _found_row_model(self, value) -> dict:
        """``if (!existing) throw 404`` past the check: the table the looked-up row came from has the row the
        request is about — a later lookup of it that throws on no row (``prisma.article.update({ where })``
        keyed again by ``req.params.slug``) is checked, as after ``exists()`` (AL234)."""
        rows = [v.strip(option) for option in v.options(value)]
        models = {row.model for row in rows if type(row) is v.Row and row.model}
        if len(models) != 1:
            return {}
        return {FACT + EXISTS_MODEL + self.program.table_model(models.pop()): v.Const(True)}

    def _exists_model(self, value) -> dict:
        """The table a query tested to have a row reads (``TileModel.objects.filter(pk=x).exists()``,
        ``session.query(User).filter_by(id=i).count()``): a later lookup that raises on no row (``.get()``,
        ``.one()``) of a model over that table — the model, or a Django proxy of it — is checked (AL234)."""
        bare = v.strip(value)
        if type(bare) not in (v.Query, v.Db) or not bare.model:
            return {}
        return {FACT + EXISTS_MODEL + self.program.table_model(bare.model): v.Const(True)}

    def narrowing(self, test, truthy: bool, seen: frozenset = frozenset()) -> dict:
        """Names whose value a branch knows more about (``if not user: return`` → user non-null).
        A flag set from a test (``found = user is not None``) narrows like the test itself; ``seen``
        stops a flag defined through itself (``ok = ok and x``)."""
        kind = type(test)
        if kind is ir.Unary and test.op == "not":
            return self.narrowing(test.operand, not truthy, seen)
        if kind is ir.BoolOp:
            if (test.op == "and") == truthy:
                found: dict = {}
                for value in test.values:
                    for key, narrowed in self.narrowing(value, truthy, seen).items():
                        if key in found and any(t.startswith(WRONG_GUARD_TAG) for t in v.tags_of(narrowed)):
                            continue  # `x === null || x === undefined`: the other test narrowed it
                        found[key] = narrowed
                return found
            # `if (a and b) or (b and not a):` — one of the operands held: what every one of them knows.
            # An operand the values decide the other way is not the one (`if not user and must_exist: raise`
            # with must_exist True: past it, user is set)
            common: dict | None = None
            for value in test.values:
                if self.decide(value) is (not truthy):
                    continue
                known = self.narrowing(value, truthy, seen)
                common = known if common is None else {
                    key: v.join(common[key], known[key]) for key in common if key in known}  # in common's order, not a set's
                if not common:
                    return {}
            return common or {}
        if kind is ir.Name:
            current = self._narrowable(test)
            guard = self.guards.get(test.id) if test.id not in seen else None
            found = self.narrowing(guard, truthy, seen | {test.id}) if guard is not None else {}
            if current is not None and truthy:
                found[test.id] = _nonempty(non_null(current)) if self.python else non_null(current)
                if v.is_nullable(current) or v.missed_row(current):
                    found.update(self._found_key(test.id))
                    found.update(self._found_row_model(current))
            elif current is not None and self.python and v.missed_origin(v.missed_lookup(current)):
                found[test.id] = v.missed_lookup(current)  # if not article: … (no row: the name holds None)
            elif current is not None and self.python:
                missed = v.row_missed(current)  # if not message: return None (SQLAlchemy: the row stays, marked)
                if missed is not current:
                    found[test.id] = missed
            return found
        if kind is ir.Call and type(test.func) is ir.Attr and test.func.name in ("exists", "count") and not test.args:
            return self._nonempty_narrowing(test.func.obj) if truthy else {}  # if memberships.exists(): … .first()
        if kind is ir.Compare and _counted(test.left) and type(test.right) is ir.Const and type(test.right.value) is int \
                and type(test.right.value) is not bool and _at_least_one(test.op, test.right.value, truthy):
            return self._nonempty_narrowing(test.left.func.obj)  # if qs.count() > 0: qs.first() / == 1
        if kind is ir.Call and self.python and type(test.func) is ir.Name and test.func.id == "bool" and len(test.args) == 1 \
                and test.args[0].kind == "pos":
            return self.narrowing(test.arg(0), truthy, seen)  # can_write = bool(knowledge) and knowledge.user_id == …
        if kind is ir.Call and truthy and self.python and type(test.func) is ir.Name and test.func.id == "hasattr" \
                and len(test.args) == 2 and type(test.arg(0)) is ir.Name and test.arg(0).id in self.env:
            return {test.arg(0).id: non_null(self.env[test.arg(0).id])}  # `if hasattr(user, key)`: None has no columns
        if kind is ir.Call and truthy and self.python and not test.args and type(test.func) is ir.Attr \
                and type(test.func.obj) is ir.Name and test.func.name in _form_validations(self.program):
            return self._validated_form(test.func.obj.id)  # if form.validate_on_submit(): its validators' lookups found rows
        if kind is ir.Call and truthy and self.python and type(test.func) is ir.Name and test.func.id == "isinstance" and "isinstance" not in self.env \
                and len(test.args) == 2 and type(test.arg(0)) is ir.Name and test.arg(0).id in self.env:
            return self._instance_narrowing(test.arg(0).id, test.arg(1))
        if kind is ir.Call:
            return self._membership_narrowing(test.args[0].value if len(test.args) == 1 else None, test.func, truthy, "includes")
        if not self.python and kind is ir.Attr and test.name in _row_counts(self.program):
            return self._lookup_rows_found(test.obj) if truthy else {}  # if (!rows.length) return null / !result.rowCount
        if not self.python and kind is ir.Compare and type(test.left) is ir.Attr and test.left.name in _row_counts(self.program) \
                and type(test.right) is ir.Const and type(test.right.value) is int and type(test.right.value) is not bool \
                and _at_least_one(test.op, test.right.value, truthy):
            return self._lookup_rows_found(test.left.obj)  # if (rows.length === 0) throw … / result.rowCount < 1
        if kind is ir.Attr and test.name == "rowcount" and type(test.obj) is ir.Name:
            return self._rows_matched(test.obj.id) if truthy else {}  # if not result.rowcount: return
        if kind is ir.Compare and type(test.left) is ir.Attr and test.left.name == "rowcount" and type(test.left.obj) is ir.Name \
                and type(test.right) is ir.Const and type(test.right.value) is int and _at_least_one(test.op, test.right.value, truthy):
            return self._rows_matched(test.left.obj.id)  # if result.rowcount != 1: return None
        if kind is ir.Attr:
            key = self._request_slot(test.obj, test.name)
            if key and truthy and key in self.env:  # if (!req.loggedUser) return …
                return {key: non_null(self.env[key])}
            if truthy and test.optional and type(test.obj) is ir.Name:
                # `if (!row?.original_value) throw …`: past it the value held is truthy, so `row` was no null
                return {**self.narrowing(test.obj, True, seen), **self._field_narrowing(test)}
            return self._field_narrowing(test) if truthy else {}
        if kind is ir.Compare and test.op in ("in", "not-in"):
            loaded = self._loaded_state_narrowing(test, truthy == (test.op == "in"))
            if loaded:
                return loaded
            return self._membership_narrowing(test.left, test.right, truthy == (test.op == "in"), "in")
        shown = ""
        if kind is ir.Compare and test.op in ("==", "!=") and not self.python:
            typeof = _typeof_undefined(test)
            if typeof is not None:  # `typeof x === 'undefined'`: x === undefined (typeof null is 'object')
                shown = f"typeof {typeof.id if type(typeof) is ir.Name else '…'} {'===' if test.op == '==' else '!=='} 'undefined'"
                test = ir.Compare(test.op, typeof, ir.Const(None, test.span, "undefined"), test.span, True)
        if kind is ir.Compare and test.op in ("is", "is-not", "==", "!="):
            name, other = test.left, test.right
            if type(name) is ir.Const:
                name, other = other, name
            if type(name) is ir.Name and type(other) is ir.Const and other.value is None:
                is_null = (test.op in ("is", "==")) == truthy
                current = self._narrowable(name)
                if current is None:
                    return {}
                if test.strict and _other_empty(current, ir.empty_literal(other)):
                    # `if (user === undefined) throw` of a lookup that yields null: never true, the
                    # path past it still holds the null (and `x !== null` lets an undefined through)
                    literal = ir.empty_literal(other)
                    shown = shown or f"{name.id} {'===' if test.op == '==' else '!=='} {literal}"
                    mark = f"{WRONG_GUARD_TAG}{test.span.line}:{literal}:{shown}"
                    return {} if is_null else {name.id: v.tag(current, frozenset({mark}))}
                if is_null:
                    missed = v.missed_lookup(current)
                    origin = v.missed_row(v.row_missed(current)) if self.python and not v.missed_origin(missed) else ""
                    return {name.id: v.Tagged(missed, frozenset({v.MISSED_ROW_TAG + origin})) if origin else missed}
                return {name.id: non_null(current), **(self._found_key(name.id) if v.is_nullable(current) or v.missed_row(current) else {})}
            if type(name) is ir.Attr and type(other) is ir.Const and other.value is None \
                    and (test.op in ("is", "==")) != truthy:
                return self._field_narrowing(name)  # if self.user is None: raise …
        return {}

    def _missing_member(self, node, value):
        """``return result.rows[0]?.bio`` / ``return user?.profile``: a member of a row that may be missing, read with an
        optional chain, is ``undefined`` where the lookup found nothing — the caller gets that lookup's missing row
        (a ``missed:`` None) besides the member, and a read of it unchecked raises as the row's would."""
        while type(node) is ir.Await:
            node = node.value
        if type(node) is not ir.Attr or not node.optional:
            return value
        for mark in sorted(v.tags_of(value)):
            row = self.optional_rows.get(mark) if mark.startswith(v.OPTIONAL_READ_TAG) else None
            origin = next((v.strip(o).origin for o in v.options(row) if type(v.strip(o)) is v.Row and v.strip(o).nullable
                           and v.strip(o).origin), "") if row is not None else ""
            if origin:
                member = _without_optional_mark(value)
                missing = v.Tagged(v.Const(None), frozenset({v.MISSED_TAG + origin}))
                joined = v.join(member, missing)
                if type(v.strip(member)) is v.Unknown:  # a column's value: kept beside the None (a join would drop it)
                    joined = v.Tagged(v.Union(tuple(sorted((v.UNKNOWN, v.Const(None)), key=v.order_key))),
                                      v.tags_of(member) | missing.tags)
                return joined
        return value

    def _lookup_rows_found(self, counted) -> dict:
        """``if (!rows.length) return null`` / ``if (result.rowCount === 0) throw new NotFoundError()``: past the test a
        raw lookup's rows (``result.rows`` of ``pool.query("SELECT … WHERE id = $1")``, a name holding them, or the
        result whose ``rowCount`` was tested) hold at least one row, so ``rows[0]`` is a row, not undefined."""
        if type(counted) is ir.Attr and type(counted.obj) is ir.Name:  # result.rows.length
            counted = counted.obj if counted.name == "rows" else None
        if type(counted) is not ir.Name or counted.id not in self.env:
            return {}
        current = self.env[counted.id]
        found = None
        for option in v.options(current):
            found = v.join(found, _found_rows(option))
        return {counted.id: found} if found is not None and found != current else {}

    def _validated_form(self, name: str) -> dict:
        """``if form.validate():`` with ``form`` an instance of a project form class: the path facts that the
        lookups its inline validators check (``validate_id(self, field)`` raising when ``Project.query.get(field.data)``
        is falsy or None) found their rows — by field and callee, ``validated:<form>.<field>:<callee>`` (read by
        ``Calls.validated_lookup``)."""
        bare = v.strip(self.env.get(name))
        if type(bare) is not v.Instance:
            return {}
        return {f"{FACT}{VALIDATED}{name}.{field}:{callee}": v.Const(True)
                for field, callee in validated_lookups(self.program, bare.path, bare.cid)}

    def _narrowable(self, name: ir.Name):
        """The value a test of ``name`` narrows: the local's, or — in a nested function testing a
        variable of the function that defined it (``if article: moved.append(article.id)`` in a
        closure) — the enclosing frame's, narrowed here for this branch.  ``None`` when unbound."""
        current = self.env.get(name.id)
        if current is None and self.python and self.function.kind != "module" and self.function.parent > 0 \
                and self.function.scope_of(name.id) not in ("param", "local"):
            found = self.name(name)
            current = None if v.is_unknown(found) else found
        return current

    def _field_narrowing(self, test: ir.Attr) -> dict:
        """``assert self.user`` / ``if self.article is None: raise``: on the path after the test the
        field (a plain attribute, or a property that caches what it looked up) is not None."""
        key = field_key(test.obj, test.name)
        if not key:
            return {}
        current = self.env[key] if key in self.env else self.eval_cached(test)
        if v.nullness(current) is not None:
            return {}
        return {key: non_null(current)}

    def _rows_matched(self, result: str) -> dict:
        """``result = session.execute(update(Message).where(Message.id == id, …))`` and the branch knows
        ``result.rowcount >= 1``: the UPDATE matched a row, so every value it compared a column with
        equality is a key of a row that exists in this transaction — ``session.get(Message, id)``
        right after finds it (the stored-key tag, as for a key read from a row the program holds)."""
        assigned = [node for node in ir.iter_nodes(self.function.body)
                    if type(node) is ir.Assign and any(type(t) is ir.Name and t.id == result for t in node.targets)]
        if len(assigned) != 1 or assigned[0].value is None:
            return {}
        statement = assigned[0].value
        updates = [n for n in ir.iter_nodes((statement,)) if type(n) is ir.Call and len(n.args) == 1 and type(n.args[0].value) is ir.Name
                   and type(n.func) in (ir.Name, ir.Attr) and _is_sqlalchemy_update(self.program.static_name(self.path, n.func))]
        if len(updates) != 1:
            return {}
        model = updates[0].args[0].value.id
        keys: set[str] = set()
        for node in ir.iter_nodes((statement,)):
            if type(node) is ir.Compare and node.op == "==":
                for column, value in ((node.left, node.right), (node.right, node.left)):
                    if type(column) is ir.Attr and type(column.obj) is ir.Name and column.obj.id == model and type(value) is ir.Name:
                        keys.add(value.id)
            elif type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name == "filter_by":
                keys.update(a.value.id for a in node.args if a.kind == "kw" and type(a.value) is ir.Name)
        return {key: v.tag(self.env[key], frozenset({v.STORED_KEY_TAG})) for key in sorted(keys) if key in self.env}

    def _loaded_state_narrowing(self, test: ir.Compare, inside: bool) -> dict:
        """``if "records" in state.dict:`` (or ``not in state.unloaded``) with ``state = inspect(row)``:
        in that block the row's relation is loaded — reading it issues no query."""
        state = test.right
        if type(test.left) is not ir.Const or not isinstance(test.left.value, str) or type(state) is not ir.Attr \
                or inside != (state.name == "dict") or state.name not in ("dict", "unloaded"):
            return {}
        call = state.obj
        if type(call) is ir.Name:  # state = inspect(self) earlier in the function
            call = next((node.value for node in ir.iter_nodes(self.function.body) if type(node) is ir.Assign
                         and len(node.targets) == 1 and type(node.targets[0]) is ir.Name and node.targets[0].id == call.id), None)
        if type(call) is not ir.Call or len(call.args) != 1 or type(call.args[0].value) is not ir.Name \
                or self.program.static_name(self.path, call.func) not in known(self.program).instance_state:
            return {}
        name = call.args[0].value.id
        row = v.strip(self.env.get(name))
        if type(row) is not v.Row:
            return {}
        return {name: v.tag(row._replace(loaded=row.loaded | {test.left.value}), v.tags_of(self.env[name]))}

    def _membership_narrowing(self, name, container, truthy: bool, how: str) -> dict:
        """``if key in ALLOWED`` / ``ALLOWED.includes(key)``: inside the branch a request-derived
        key is one of the container's keys, which the client does not choose — it is no longer
        request data (what keeps an allow-listed ``setattr`` loop silent)."""
        if not truthy or type(name) is not ir.Name or name.id not in self.env:
            return {}
        if how == "includes":
            if type(container) is not ir.Attr or container.name not in ("includes", "has"):
                return {}
            container = container.obj
        if type(container) not in (ir.Name, ir.Attr, ir.Seq):
            return {}  # a call would run again here (and record its effects twice): not narrowed
        current = self.env[name.id]
        if v.REQUEST_TAG not in v.tags_of(current) or v.REQUEST_TAG in v.tags_of(self.eval(container)):
            return {}
        bare = v.strip(current)
        return {name.id: v.tag(bare, v.tags_of(current) - {v.REQUEST_TAG})}

    def loop(self, node: ir.Loop):
        """A loop statement or expression; returns the loop expression's value."""
        iterable = self.eval(node.iter)
        if node.kind != "while" and not node.optional and any(":unloaded:" in v.strip(o).origin for o in v.options(iterable)
                                        if type(v.strip(o)) is v.Row and v.strip(o).nullable):
            self.dereference(node.iter, iterable, node.iter.span)  # `a.tags.map(…)` of an association not loaded
        loop_id = f"{self.path}:{node.span.line}:{node.span.column}"
        element, source, model = self.element_of(node, iterable, loop_id)
        counter = self._row_counter(node)
        if counter is not None:  # for (let i = 0; i < rows.length; i++): rows[i] is the loop's row
            source, model = "rows", counter[1]
        if self.analysis is not None:
            self.analysis.loops.append(LoopInfo(loop_id, self.path, node.span, node.kind, source, model))
        before = dict(self.env)
        if node.kind == "while":  # the body runs only while the test holds (`while bay is not None: bay.device`)
            self.env.update(self.narrowing(node.iter, True))
        if counter is not None:
            self.env[counter[0]] = v.tag(v.UNKNOWN, frozenset({f"elem:{loop_id}"}))  # (a constant carries no tag)
        if node.target is not None:
            self.bind(node.target, element)
        self.loops.append(loop_id)
        callback = node.fid >= 0
        if callback:
            self.callback_results.append([])
            self.callback_settled.append(node.kind in ("map", "flatMap") and node.span in self.settled_loops)
            if node.kind == "reduce":
                function = self.program.function(self.path, node.fid)
                if function is not None and function.params:
                    self.env[function.params[0].name] = v.UNKNOWN
        try:
            for condition in node.conditions:
                self.eval(condition)
                self.env.update(self.narrowing(condition, True))
            for item in self._unrolled(node, iterable, source):
                # each router of a literal table in turn (`routes.forEach((r) => app.use(r.path, r.router))`): the
                # registration sees one router with its own prefix, not their join
                entry = dict(self.env)
                self.bind(node.target, item)
                self.block(node.body)
                self.env = join_envs(entry, self.env)
            self.block(node.body)
            primed = self._primed_relations(node, element)
            result = self.eval(node.result) if node.result is not None and not callback else None
            results = self.callback_results[-1] if callback else ([] if result is None else [result])
        finally:
            if callback:
                self.callback_results.pop()
                self.callback_settled.pop()
            self.loops.pop()
        by_stored_key = node.kind in ("find", "comprehension") and source == "rows" and self._find_by_stored_key(node, loop_id)
        if node.orelse:
            self.block(node.orelse)
        self.env = join_envs(before, self.env)
        if primed:  # every row of `items` now holds what the loop assigned (the loop ran over all or none of them)
            held = self.env[node.iter.id]
            query = v.strip(held)
            self.env[node.iter.id] = v.tag(query._replace(loaded=query.loaded | primed), v.tags_of(held)) \
                if type(query) is v.Query and query.lazy and query.stack == "django" else sequences.with_loads(held, primed)
        if node.kind in ("filter",) and source == "rows":
            return iterable
        if node.kind in ("find",) and source == "rows":
            # rows.find((r) => …) over a query's rows: the matching row, or undefined when none matches
            # (judged by AL220 like a lookup; the receiver is the DB result, not a repository's `find`,
            # which is a query and returns rows)
            if not row_of(iterable):
                return v.UNKNOWN
            if by_stored_key:  # authors.find((u) => u.id === article.authorId): a batch joined in memory
                return v.Row(*row_of(iterable))
            shown = f"{render_short(node.iter)}.find()"
            origin = f"{self.path}:{node.span.line}:{node.span.column}:{shown}"
            return v.Row(*row_of(iterable), nullable=True, origin=origin, empty="" if self.python else "undefined")
        value = None
        for result in results:
            value = v.join(value, result)
        tags = v.tags_of(value) - v.elem_loops(value) if value is not None else frozenset()
        if source == "rows" and node.kind in ("map", "flatMap") and not self.python:
            return v.tag(v.Object(ROW_MAP + model), tags)  # rows.map((r) => ({ … })): one item per row
        row = v.strip(value) if value is not None else None
        if node.kind == "comprehension" and source == "rows" and type(row) is v.Row and not row.nullable \
                and f"elem:{loop_id}" in v.tags_of(value):
            # [t for t in Ticket.objects.all() if …]: a list of the rows themselves, loaded as they were
            # (`next((u for u in users if u.id == a.author_id), None)` of rows matched by a stored key: found)
            return v.tag(v.Rows(row.stack, row.model, row.loaded), tags | ({KEY_MATCH_TAG} if by_stored_key else frozenset()))
        if node.kind == "comprehension" and self.python and value is not None and node.result is not None:
            collected = self._collected(node.result, value, tags)
            if collected is not None:
                return collected
        if node.kind == "comprehension" and source == "rows" and self.python and value is not None \
                and v.STORED_KEY_TAG in v.tags_of(value):
            # [a.author_id for a in articles]: one key per row, like rows.map(fn) — a query per item of
            # it (`gather(*[repo.get(i) for i in ids])`) is a query per row (objects built from the rows
            # stay a plain list)
            return v.tag(v.Object(ROW_MAP + model), tags)
        if node.kind == "comprehension" and source == "rows" and self.python and _built_from_target(node):
            # [ArticleDTO(id=a.id, …) for a in rows] / [mapper.to_dto(a) for a in rows] / [{"id": a.id} for a in
            # rows]: one object built from each row, like rows.map(toDto) — a repository's list of DTOs; a query
            # per item of it keyed by the item (`repo.count(article_id=dto.id)`) is a query per row
            return v.tag(v.Object(ROW_MAP + model), tags)
        if node.kind == "comprehension" and v.REQUEST_TAG in tags and _fixed_keys(node, results):
            # {k: data[k] for k in ("title", "body") if k in data}: the client's values under keys the
            # code chose — iterating it (`.items()`, the keys) yields keys that are not request data
            return v.tag(v.Object(FIXED_KEYS), tags)
        return v.tag(v.Object("list"), tags)

    def _primed_relations(self, node: ir.Loop, element) -> frozenset:
        """``for item in items: item.event = event`` (pretix primes the caches this way to save a query per row):
        the relations the body assigned on every element, which the rows of ``items`` keep for a later loop over
        the same name — a list holds the same objects, and a Django QuerySet iterated again reads its result
        cache.  Only a plain ``for`` over a name whose body cannot leave early (no ``break``/``return``/``raise``):
        then the body ran for each row, and an assignment under an ``if`` is not in the joined element's loads."""
        if node.kind not in ("for", "forEach") or type(node.target) is not ir.Name or type(node.iter) is not ir.Name \
                or node.iter.id not in self.env or node.target.id not in self.env:
            return frozenset()
        before, after = v.strip(element), v.strip(self.env[node.target.id])
        if type(before) is not v.Row or type(after) is not v.Row or not after.loaded - before.loaded:
            return frozenset()
        for child in ir.iter_nodes(node.body):
            if type(child) in (ir.Jump, ir.Return, ir.Raise) and (type(child) is not ir.Jump or child.kind == "break"):
                return frozenset()
        return frozenset(after.loaded - before.loaded)

    def _unrolled(self, node: ir.Loop, iterable, source: str) -> tuple:
        """The items of a small literal table of routers a loop registers (JS): each is bound and the body run once
        for it before the joined run, so each registration is recorded with its own router and prefix.  Only a
        tuple of at most 16 items of which one holds an application/router object — never DB rows."""
        if self.python or source != "other" or node.kind not in ("for", "forEach"):
            return ()
        bare = v.strip(iterable)
        if type(bare) is not v.Tuple or not 1 < len(bare.items) <= 16 or not any(_holds_app(item) for item in bare.items):
            return ()
        return bare.items if node.target is not None else ()

    def _collected(self, result, value, tags: frozenset):
        """A comprehension whose elements hold rows: ``[(a, a.id) for a in rows]`` /
        ``[session.get(User, i) for i in ids]`` is a list of them, ``{a.slug: a for a in rows}`` a dict of
        them (its result the ``key: value`` pair), ``[t for a in rows for t in a.tags]`` the inner
        elements; else ``None`` (a list of plain dicts or ids stays an untracked list)."""
        if type(result) is ir.Loop:
            value = sequences.elements(value)
            if value is None:
                return None
        # a dict comprehension's pair starts where its key does (a tuple literal starts at its parenthesis)
        keyed = type(result) is ir.Seq and len(result.elts) == 2 and result.span[:2] == tuple(getattr(result.elts[0], "span", (0, 0))[:2])
        if keyed:
            pair = v.strip(value)
            value = pair.items[1] if type(pair) is v.Tuple and len(pair.items) == 2 else v.UNKNOWN
            if all(type(v.strip(option)) is v.Function for option in v.options(value)):
                # {name: COUNTERS[name] for name in fields}: a dict of some of those functions
                return v.tag(v.Items(value, True), tags)
        if type(result) is ir.Obj or not sequences.holds_rows(value):
            return None
        return v.tag(v.Items(sequences.element(value), keyed), tags)

    def _find_by_stored_key(self, node: ir.Loop, loop_id: str) -> bool:
        """``authors.find((u) => u.id === article.authorId)``: the predicate matches the element's column
        against a key read from a row the program holds (a foreign key) — the batch-loading idiom (the
        rows were queried by those keys; referential integrity makes the match exist), not a search
        by a value from outside whose miss yields undefined.  Evaluated in the callback's scope."""
        predicates = list(node.conditions)
        if node.kind == "find":
            predicates = [node.result]
            if node.result is None and node.body and type(node.body[-1]) is ir.Return:
                predicates = [node.body[-1].value]
        compares = []
        for predicate in predicates:
            compares += [predicate] if type(predicate) is ir.Compare else \
                [c for c in predicate.values if type(c) is ir.Compare] if type(predicate) is ir.BoolOp and predicate.op == "and" else []
        own = f"elem:{loop_id}"
        for compare in compares:
            if compare.op != "==":
                continue
            nodes = (compare.left, compare.right)
            sides = [v.tags_of(self.eval_cached(side)) for side in nodes]
            for mine, other in ((0, 1), (1, 0)):
                # the element's primary key against another row's key: the parent a foreign key points at
                # (`counts.find((c) => c.articleId === a.id)` looks for a child row, which may not exist)
                if own in sides[mine] and type(nodes[mine]) is ir.Attr and nodes[mine].name in known(self.program).primary_keys \
                        and own not in sides[other] and v.STORED_KEY_TAG in sides[other]:
                    return True
        return False

    def _row_counter(self, node: ir.Loop):
        """``for (let i = 0; i < rows.length; i++)`` over DB rows: (the counter's name, the rows' model),
        else ``None``."""
        test = node.iter
        if node.kind != "for" or node.target is not None or self.python or type(test) is not ir.Compare:
            return None
        if test.op not in ("<", "<=") or type(test.left) is not ir.Name or type(test.right) is not ir.Attr or test.right.name != "length":
            return None
        rows = v.strip(self.eval_cached(test.right.obj))
        if type(rows) not in (v.Rows, v.Result):
            return None
        return test.left.id, rows.model

    def element_of(self, node: ir.Loop, iterable, loop_id: str):
        """What the loop target is bound to, and what the loop iterates (rows / query / other)."""
        call = node.iter
        inner_call = call.value if type(call) is ir.Await else call
        if type(inner_call) is ir.Call and type(inner_call.func) is ir.Name and inner_call.func.id in ("enumerate", "sorted", "reversed", "list", "tuple", "set", "zip") and inner_call.args:
            wrapper = inner_call.func.id
            inner = self.eval(inner_call.args[0].value) if wrapper != "zip" else iterable
            if wrapper in ("enumerate", "sorted", "reversed", "list", "tuple", "set"):
                element, source, model = self.element_of(node._replace(iter=inner_call.args[0].value), inner, loop_id)
                if wrapper == "enumerate":
                    return v.Tuple((v.Const(v.ANY_CONSTANT), element)), source, model
                return element, source, model
            zipped = self._zipped_rows(node, inner_call, loop_id)
            if zipped is not None:
                return zipped
            if all(type(arg.value) is ir.Name and arg.kind == "pos" for arg in inner_call.args):
                # `for statement, article_id in zip(statements, ids)`: each position is an element of its own
                # list — the request's ids do not make the code's statements request data
                return v.Tuple(tuple(self.element_of(node._replace(iter=arg.value), self.eval(arg.value), loop_id)[0]
                                     for arg in inner_call.args)), "other", ""
        tags = v.tags_of(iterable)
        bare = v.strip(iterable)
        kind = type(bare)
        elem_tag = frozenset({f"elem:{loop_id}"})
        if (not self.python and type(inner_call) is ir.Call and type(inner_call.func) is ir.Attr
                and inner_call.func.name == "entries" and not inner_call.args):
            rows = v.strip(self.eval_cached(inner_call.func.obj))
            if type(rows) is v.Rows:  # for (const [i, row] of rows.entries())
                row = v.tag(v.Row(rows.stack, rows.model, rows.loaded), tags | elem_tag)
                return v.Tuple((v.Const(v.ANY_CONSTANT), row)), "rows", rows.model
        if kind is v.Union:
            # rows from one query or another (`favorited ? user.getFavorites(o) : Article.findAll(o)`),
            # or an empty list that one branch replaced: a loop over DB rows when every alternative
            # that yields anything is one (a None alternative, DRF's `paginate_queryset` asked for no page,
            # yields nothing: the loop runs only over the rows)
            element = None
            seen = 0
            for option in bare.options:
                if type(v.strip(option)) is v.Tuple and not v.strip(option).items or v.strip(option) == v.Const(None):
                    continue
                item, source, model = self.element_of(node, v.tag(option, tags), loop_id)
                if source != "rows":
                    return v.tag(v.UNKNOWN, tags), "other", ""
                element = v.join(element, item)
                seen += 1
            if seen:
                row = v.strip(element)
                return element, "rows", row.model if type(row) is v.Row else ""
        if kind is v.Result and not bare.unique and self.analysis is not None and self._joined_collections(bare):
            self.analysis.events.append(Event("joined-without-unique", self.path, node.iter.span, ",".join(self._joined_collections(bare))))
        if kind is v.Db and bare.stack == "django" and bare.kind in ("manager", "prefetched"):
            self.event("manager-iterated", node.iter, bare.model)
        if kind is v.Rows or kind is v.Result:
            return v.tag(v.Row(bare.stack, bare.model, bare.loaded), tags | elem_tag), "rows", bare.model
        if kind is v.Query and (bare.lazy or bare.stack in ("sqlalchemy",)):
            if bare.lazy and not bare.cached:
                # `async for a in qs` runs through the async API (QuerySet.__aiter__), a plain `for` through __iter__
                self.effect("read", bare.stack, bare.model, "__aiter__" if node.is_async else "__iter__", node.iter, tags, query=bare)
                self.evaluated(bare)
            return v.tag(v.Row(bare.stack, bare.model, bare.loaded), tags | elem_tag), "rows", bare.model
        if kind is v.Object and bare.kind.startswith(ROW_MAP):
            # for (const dto of rows.map(toDto)): each item stands for one row (its content is not tracked)
            return v.tag(v.UNKNOWN, tags | elem_tag), "rows", bare.kind[len(ROW_MAP):]
        if kind is v.Record and bare.get(v.ITERATES) is not None:  # for a in pagination: its page's rows
            return self.element_of(node, v.tag(bare.get(v.ITERATES), tags), loop_id)
        if kind is v.Items and not bare.keyed and self.python:
            # for article, following in result — a list the program filled: each iteration one element
            element = v.tag(bare.item, tags | elem_tag)
            rows = _rows_in(bare.item)
            row = next((v.strip(r) for r in rows), None)
            if rows and all(NEW_ROW & v.tags_of(r) for r in rows):
                # instances the code built (`EmailAddress(email=…)`, `model()` + setattr), never loaded: a
                # query per element is a query per item of the input, not per row of a result (no AL601);
                # once stored, their relations still load per element (AL603 keeps the element's tag)
                return element, "built", row.model
            return (element, "rows", row.model) if row is not None else (v.tag(bare.item, tags), "other", "")
        if kind is v.Tuple and bare.items:
            element = bare.items[0]
            for item in bare.items[1:]:
                element = v.join(element, item)
            return v.tag(element, tags), "other", ""
        keyed = v.strip(self.eval_cached(inner_call.func.obj)) if type(inner_call) is ir.Call and type(inner_call.func) is ir.Attr \
            and inner_call.func.name == "items" and not inner_call.args else bare
        if type(keyed) is v.Object and keyed.kind == FIXED_KEYS:
            key = v.tag(v.UNKNOWN, tags - {v.REQUEST_TAG, v.INPUT_TAG})  # a key the code chose
            if keyed is bare:
                return key, "other", ""  # for k in fields
            return v.Tuple((key, v.tag(v.UNKNOWN, tags))), "other", ""  # for k, value in fields.items()
        if kind is not v.Request:  # an item of what some code computed from the input is not the input (AL234)
            tags = tags - {v.INPUT_TAG}
        if kind is v.Unknown and v.STORED_KEY_TAG in tags and not self.python and not NEW_ROW & tags \
                and any(t.startswith(LOOKUP_TAG) for t in tags):
            # `article.comments.map(id => Comment.findById(id))`: the ids a loaded document holds (a Mongoose
            # ref array, an array column): each element a key stored in the row, so a lookup keyed by it
            # is one query per element — an N+1 the first query's populate / one `$in` lookup avoids.  Only
            # a row a read returned: the tags of a row the request just built or created are the client's
            return v.tag(v.UNKNOWN, tags | elem_tag), "keys", ""
        return v.tag(v.UNKNOWN, tags), "other", ""

    def _zipped_rows(self, node: ir.Loop, call: ir.Call, loop_id: str):
        """``for row, author in zip(rows, authors)``: a loop over DB rows when one of the zipped names
        holds rows — that position of the target is the row; the others vary with the iteration
        (``authors`` gathered per row), so each is an element of the loop.  Only names are read
        (evaluating a call again would run it twice)."""
        if any(type(arg.value) is not ir.Name or arg.kind != "pos" for arg in call.args):
            return None
        other = v.tag(v.UNKNOWN, frozenset({f"elem:{loop_id}"}))
        elements, found = [], None
        for arg in call.args:
            value = self.eval(arg.value)
            if found is None and type(v.strip(value)) in (v.Rows, v.Result):
                element, source, model = self.element_of(node._replace(iter=arg.value), value, loop_id)
                if source == "rows":
                    found = (source, model)
                    elements.append(element)
                    continue
            elements.append(other)
        return (v.Tuple(tuple(elements)),) + found if found is not None else None

    def _truth_evaluated(self, test, method: str = "__bool__", at=None) -> None:
        """``if qs:`` / ``if not qs:`` on a Django QuerySet runs it (``bool()`` fetches the rows and caches
        them): one query at the test, and iterating, slicing or indexing the same name afterwards reads the
        cache (wagtail's ``if collection_roots: … collection_roots[0] … collection_roots[1:]``).  So do
        ``len(qs)`` / ``list(qs)`` (``method``, reported ``at`` the call): django-oscar's
        ``num = len(stockrecords)`` then ``stockrecords[0]`` reads the cache."""
        name = test.operand if type(test) is ir.Unary and test.op == "not" else test
        if not self.python or type(name) is not ir.Name or name.id not in self.env:
            return
        value = self.env[name.id]
        changed, joined = False, None
        for option in v.options(value):
            bare = v.strip(option)
            if type(bare) is v.Query and bare.stack == "django" and bare.lazy and not bare.cached:
                self.effect("read", bare.stack, bare.model, method, at if at is not None else name, v.tags_of(option), query=bare)
                self.evaluated(bare)
                option, changed = v.tag(bare._replace(cached=True), v.tags_of(option)), True
            joined = v.join(joined, option)
        if changed:
            self.env[name.id] = joined

    def with_statement(self, node: ir.With) -> bool:
        opened = 0
        sessions: list[str] = []
        closes: list[tuple] = []
        managers: list = []  # project context managers entered here (a unit of work): their exit runs after the block
        expiring: list = []  # tags of expiring sessions whose `begin()` block commits on exit
        first = len(self.effects)
        generators: list = []  # project @contextmanager functions entered here (`with db.session() as s:`)
        entered_tags: frozenset = frozenset()  # the tags of what those generators yielded
        detaching: set[str] = set()  # sid: tags of the sessions a project manager's exit closes (a unit of work)
        for item in node.items:
            calls_before = len(self.analysis.calls) if self.analysis is not None else 0
            value = self.eval(item.context)
            if type(v.strip(value)) is v.Instance:
                managers.append(value)
            elif self.analysis is not None and type(item.context) is ir.Call:
                generators.extend(self._context_generators(item.context, calls_before))
            self._shared_connection_entered(item.context, value)
            closing = self._closes_on_exit(item.context, value)
            if closing and type(item.target) is ir.Name:
                closes.append((item.target.id, f"{self.path}:{node.span.line}:{node.span.column}:{closing}"))
            if self.opens_transaction(item.context, value):
                opened += 1
                committing = self._expiring_transaction(item.context, value)
                if committing is not None:
                    expiring.append(committing)
            inside = self._entered(value, node.is_async)
            if type(v.strip(value)) is v.Instance:
                detaching.update(self._closed_on_exit(value, node.is_async) | self._closed_by_generator(item.context, value))
            bare = v.strip(inside)
            if type(bare) is v.Db and bare.kind == "session" and type(item.context) in (ir.Call, ir.Await):
                session = f"sess:{self.path}:{node.span.line}:{node.span.column}"
                sessions.append(session)
                inside = v.tag(inside, frozenset({session}))
            if item.target is not None:
                self.bind(item.target, inside)
            if generators:
                entered_tags |= v.tags_of(inside)
        suppressing = self.python and any(
            type(item.context) is ir.Call and item.context.short_name == "suppress"
            and any(catches_missing_row(arg.value, known(self.program)) for arg in item.context.args) for item in node.items)
        self.tx += opened
        if opened:
            self.tx_blocks.append((f"{self.path}:{node.span.line}:{node.span.column}", opened))
        self.catching_missing += suppressing  # with suppress(Article.DoesNotExist): …
        self.program.open_sessions.update(sessions)
        returned_before = self.returns
        outer_yield, self.yielded = self.yielded, False
        try:
            terminated = self.block(node.body)
        finally:
            self.tx -= opened
            if opened:
                self.tx_blocks.pop()
            self.catching_missing -= suppressing
            self.program.open_sessions.difference_update(sessions)
            if not self.yielded:
                # a generator that yields inside the block (`with Session(engine) as s: yield s`, a
                # FastAPI dependency) hands the session to its consumer while the block is still open:
                # the block exits only after the consumer is done with what it read
                if detaching:
                    sessions.append(self._detach_on_exit(node, frozenset(detaching), returned_before))
                self.program.exited_sessions.update(sessions)
                self.exited.update(sessions)
            self.yielded = self.yielded or outer_yield
            for name, site in closes:  # the block closed (or released) what it bound
                if name in self.env:
                    self.env[name] = v.tag(self.env[name], frozenset({"closed-handle:" + site}))
        if expiring and not terminated:
            # `with SessionLocal.begin() as session:` / `async with session.begin():` committed on exit
            for tags in expiring:
                self.expire_rows(node, (tags - {"made"}) | (frozenset(sessions) if "made" in tags else frozenset()))
        for manager in reversed(managers):
            self._exited(manager, node.is_async)
        if (managers or generators) and self.analysis is not None:
            self._own_entered_sessions(managers, first, generators, entered_tags)
        return terminated

    def _context_generators(self, context: ir.Call, calls_before: int) -> list:
        """The project generator functions decorated as context managers (``@contextmanager def session(self):
        s = factory(); try: yield s; finally: s.close()``) that ``with context as x`` ran: (path, first line, last line)."""
        found = []
        for record in self.analysis.calls[calls_before:]:
            if record.node is not context:
                continue
            for callee in record.callees:
                definition = self.program.function(callee.path, callee.fid)
                if definition is not None and self.program.context_manager_function(callee.path, definition):
                    found.append((callee.path, definition.span.line, definition.span.end_line,
                                  _closes_after_yield(definition, built=False)))
                    found.extend(self._blocks_around_yield(callee.path, definition))
        return found

    def _blocks_around_yield(self, path: str, definition, depth: int = 0) -> list:
        """The project ``@contextmanager`` generators that ``definition`` (one itself) enters in a ``with`` block
        around its ``yield`` — open-webui's ``hierarchy_transaction``: ``async with get_async_db() as db: try: yield
        db; await db.commit() …`` — as ``_context_generators`` gives them.  The session such an inner generator
        opens lives exactly as long as the outer block: the function running that block owns it (AL206 judges its
        writes there, the outer generator's commit after ``yield`` included).  Only when every ``yield`` is in such a
        block: ``get_async_db_context(db)``, which yields the caller's session when given one, hands over a session
        that may be the caller's caller's to commit (``insert_new_user(…, db=db)`` flushes, the route commits)."""
        found, covered = [], set()
        for node in ir.iter_nodes(definition.body):
            yields = {id(inner) for inner in ir.iter_nodes(node.body) if type(inner) is ir.Opaque and inner.kind == "yield"} \
                if type(node) is ir.With else set()
            if not yields:
                continue
            for item in node.items:
                if type(item.context) is not ir.Call or type(item.context.func) not in (ir.Name, ir.Attr):
                    continue
                callee = v.strip(self.program.static_value(path, item.context.func))
                inner = self.program.function(callee.path, callee.fid) if type(callee) is v.Function else None
                if inner is None or not self.program.context_manager_function(callee.path, inner):
                    continue
                covered |= yields
                found.append((callee.path, inner.span.line, inner.span.end_line, False))
                if depth < 2:
                    found.extend(self._blocks_around_yield(callee.path, inner, depth + 1))
        if any(id(node) not in covered for node in ir.iter_nodes(definition.body) if type(node) is ir.Opaque and node.kind == "yield"):
            return []
        return found

    def _exited(self, value, is_async: bool) -> None:
        """Leaving ``with UnitOfWork() as uow:`` runs the class's ``__exit__``/``__aexit__``: what it does to the
        session it opened on entry (commits it when no error was raised, rolls back, closes) is part of the block."""
        bare = v.strip(value)
        method = self.program.method(bare.path, bare.cid, "__aexit__" if is_async else "__exit__")
        if method is not None:
            self.call_function(None, method._replace(bound=value), ())

    def _closed_on_exit(self, manager, is_async: bool) -> frozenset:
        """The ``sid:`` tags of the SQLAlchemy sessions held in fields of ``manager`` (a project class entered by
        ``with``) that its ``__exit__``/``__aexit__`` closes (``self.session.close()``): a unit of work whose exit
        closes the session it opened in ``__enter__`` detaches every row loaded through it when the block ends."""
        bare = v.strip(manager)
        method = self.program.method(bare.path, bare.cid, "__aexit__" if is_async else "__exit__")
        definition = self.program.function(method.path, method.fid) if method is not None else None
        if definition is None or not definition.params:
            return frozenset()
        owner = definition.params[0].name
        closed = {inner.receiver.name for inner in ir.iter_nodes(definition.body)
                  if type(inner) is ir.Call and inner.method == "close" and type(inner.receiver) is ir.Attr
                  and type(inner.receiver.obj) is ir.Name and inner.receiver.obj.id == owner}
        return self._held_sessions(manager, closed)

    def _closed_by_generator(self, context, value) -> frozenset:
        """``with unit_of_work() as uow:`` where ``unit_of_work`` is a project ``@contextmanager`` generator that
        yields an object built around a session it closes afterwards (``session = factory(); try: yield
        UnitOfWork(session) … finally: session.close()``): the ``sid:`` tags of the sessions that object holds."""
        if type(context) is not ir.Call:
            return frozenset()
        callee = v.strip(self.eval_cached(context.func))
        if type(callee) is not v.Function:
            return frozenset()
        definition = self.program.function(callee.path, callee.fid)
        if definition is None or not self.program.context_manager_function(callee.path, definition) \
                or not _closes_after_yield(definition, built=True):
            return frozenset()
        return self._held_sessions(value)

    def _held_sessions(self, holder, names=None) -> frozenset:
        """The ``sid:`` tags of the SQLAlchemy sessions held in the fields ``names`` (every field when ``None``) of
        ``holder``, a project class instance."""
        bare = v.strip(holder)
        if type(bare) is not v.Instance:
            return frozenset()
        found: set[str] = set()
        for name in sorted(self.program.fields.get((bare.path, bare.cid), {}) if names is None else names):
            held = self.program.field_value(bare.path, bare.cid, name)
            for option in v.options(held) if held is not None else ():
                handle = v.strip(option)
                if type(handle) is v.Db and handle.stack == "sqlalchemy" and handle.kind == "session":
                    found.update(t for t in v.tags_of(option) if t.startswith("sid:"))
        return frozenset(found)

    def _detach_on_exit(self, node: ir.With, closing: frozenset, returned_before) -> str:
        """Leaving ``with uow:`` whose exit closed the session(s) ``closing`` (``sid:`` tags): the rows loaded
        through them — held in names here or returned from inside the block — take this block's session tag, so a
        lazy load read on them once the block has ended is judged as after ``with Session() as s:`` (AL218).  The
        ``sid:`` is the site in ``__enter__`` shared by every block, so the tag is this block's own (a value returned
        before the block began is not the block's)."""
        tag = f"sess:{self.path}:{node.span.line}:{node.span.column}"
        earlier = set(v.options(returned_before)) if returned_before is not None else set()

        def detached(value, kept=frozenset()):
            options = v.options(value)
            if not any(type(v.strip(o)) in (v.Row, v.Rows) and closing & v.tags_of(o) and o not in kept for o in options):
                return value
            joined = None
            for option in options:
                bare = v.strip(option)
                if type(bare) in (v.Row, v.Rows) and bare.stack == "sqlalchemy" and closing & v.tags_of(option) \
                        and option not in kept:
                    option = v.tag(option, frozenset({tag}))
                joined = v.join(joined, option)
            return joined

        for name, value in list(self.env.items()):
            self.env[name] = detached(value)
        if self.returns is not None:
            self.returns = detached(self.returns, earlier)
        return tag

    def _own_entered_sessions(self, managers: list, first: int, generators: tuple = (), entered: frozenset = frozenset()) -> None:
        """A session a project context manager opens itself (``self.session = self._factory()`` in a unit of
        work's ``__aenter__``) lives as long as the ``with`` block: the function that runs the block owns it, as it
        would own ``with SessionLocal() as session:`` — its writes must be committed by the block or by the exit (AL206).
        So does the session a ``@contextmanager`` generator yields and closes after the block (``session =
        self._scoped(); try: yield session; finally: session.close()``), wherever it was made: a scoped_session's
        current session is closed — its uncommitted writes rolled back — when the block ends."""
        if any(closes for *_span, closes in generators):
            self.analysis.owned.update(t for t in entered if t.startswith("sid:"))
        spans = [span for *span, _closes in generators]
        for manager in managers:
            bare = v.strip(manager)
            cls = self.program.cls(bare.path, bare.cid)
            if cls is not None:
                spans.append((bare.path, cls.span.line, cls.span.end_line))
        for effect in self.effects[first:]:
            for tag in effect.tags:
                if not tag.startswith("sid:"):
                    continue
                path, line, _column = tag[4:].rsplit(":", 2)
                if any(path == where and start <= int(line) <= end for where, start, end in spans):
                    self.analysis.owned.add(tag)

    def _entered(self, value, is_async: bool):
        """What ``with X as y`` binds: what a project class's ``__enter__``/``__aenter__`` returns
        (mlflow's ``_WrappingContext.__enter__`` returns its generator, not itself: ``y.send(…)`` is
        the generator's), else the handle itself (:func:`entered`)."""
        bare = v.strip(value)
        if type(bare) is v.Instance:
            method = self.program.method(bare.path, bare.cid, "__aenter__" if is_async else "__enter__")
            if method is not None:
                return self.call_function(None, method._replace(bound=value), ())
        return entered(value)

    def _closes_on_exit(self, context, value) -> str:
        """What leaving ``with X as y`` does to ``y`` when it ends the handle: psycopg 3, aiosqlite and
        PyMySQL connections close, cursors close, ``pool.acquire()`` releases (sqlite3's and psycopg2's
        connection context only ends the transaction)."""
        bare = v.strip(entered(value))
        if type(bare) is not v.Db:
            return ""
        if bare.kind == "cursor" and bare.stack in ("psycopg", "psycopg2", "aiosqlite", "pymysql"):
            return "with-exit"
        if bare.kind == "connection" and bare.stack in ("psycopg", "aiosqlite", "pymysql"):
            return "with-exit"
        call = context.value if type(context) is ir.Await else context
        if bare.kind == "connection" and bare.stack == "asyncpg" and type(call) is ir.Call and call.method == "acquire":
            return "released"
        return ""

    def _shared_connection_entered(self, context, value) -> None:
        """``async with db:`` on a connection made once at module level: the second request enters
        it again (aiosqlite: "threads can only be started once"; psycopg/PyMySQL: closed by the first)."""
        bare = v.strip(value)
        if type(context) is not ir.Name or self.function.kind == "module" or type(bare) is not v.Db:
            return
        if bare.kind != "connection" or bare.stack not in ("aiosqlite", "psycopg", "pymysql"):
            return
        if self.function.scope_of(context.id) in ("local", "param"):
            return
        self.event("shared-connection-entered", context, f"{bare.stack}|{context.id}")

    def _expiring_transaction(self, context, value):
        """The tags of the expiring SQLAlchemy session whose ``begin()`` this ``with`` enters (the
        block commits on exit), else None."""
        call = context.value if type(context) is ir.Await else context
        if not self.python or type(call) is not ir.Call or call.method not in ("begin",):
            return None
        receiver = self.eval_cached(call.receiver)
        for candidate in (value, receiver):
            bare = v.strip(candidate)
            if type(bare) is v.Db and bare.stack == "sqlalchemy" and v.EXPIRES_TAG in v.tags_of(candidate):
                # `SessionLocal.begin()` also closes the session it made; `session.begin()` leaves it open
                made = type(v.strip(receiver)) is v.Db and v.strip(receiver).kind == "session_factory"
                return frozenset(t for t in v.tags_of(candidate) if made or not t.startswith("sess:")) | ({"made"} if made else set())
        return None

    def tx_block(self) -> str | None:
        """The ``TX_BLOCK_TAG`` of a write made here: the outermost open ``with`` block that opened a transaction,
        when every transaction open in this frame was opened by such a block (``None`` inside a managed
        callback's or an ``@atomic`` function's transaction: one transaction, whatever blocks it holds)."""
        if not self.tx_blocks or sum(count for _site, count in self.tx_blocks) != self.tx:
            return None
        return v.TX_BLOCK_TAG + self.tx_blocks[0][0]

    def opens_transaction(self, context, value) -> bool:
        call = context.value if type(context) is ir.Await else context
        if type(call) is not ir.Call:
            return False
        if call.method in call_names(self.program).transaction_methods and type(v.strip(self.eval_cached(call.receiver))) is v.Db:
            return True
        callee = self.program.static_value(self.path, call.func) if type(call.func) in (ir.Name, ir.Attr) else None
        if type(callee) is v.Function and callee.bound is None:
            return self.program.transactional_manager(callee.path, callee.fid)
        if type(callee) is not v.External and type(call.func) is ir.Attr and self.python:
            # `async with self.db.transaction() as conn:`: a project context-manager method yielding in a transaction
            method = v.strip(self.eval_cached(call.func))
            if type(method) is v.Function:
                return self.program.transactional_manager(method.path, method.fid)
        return type(callee) is v.External and (callee.name.endswith(("transaction.atomic", "transaction.commit_on_success"))
                                               or callee.name in call_names(self.program).transaction_functions)

    def eval_cached(self, node):
        """Re-evaluating a receiver for a question must not record its effects (or its
        dereferences, or what they narrow) twice."""
        saved = (self.effects, self.analysis, self.null_derefs, self.context_events, self.env)
        self.effects, self.analysis, self.null_derefs, self.context_events, self.env = [], None, [], [], dict(self.env)
        try:
            return self.eval(node)
        finally:
            self.effects, self.analysis, self.null_derefs, self.context_events, self.env = saved

    def _static_constant(self, node):
        return self.program.static_value(self.path, node)

    def try_statement(self, node: ir.Try) -> bool:
        before = dict(self.env)
        catches = any(_catches_attribute_error(handler.types) or _swallows_none(handler) for handler in node.handlers)
        names = known(self.program)
        unique = any(handles_unique_violation(handler, names, self._static_constant) for handler in node.handlers)
        swallows = _swallows(node)
        missing = any(catches_missing_row(handler.types, names) and not reraises(handler)
                      and not forwards_error(handler, self.function) for handler in node.handlers)
        self.catching_none += catches
        self.catching_unique += unique
        self.catching_missing += missing
        if swallows is not None:
            # a handler that returns leaves this function: it protects only the callers' loops
            self.swallowing.append(len(self.loops) if swallows else 0)
        finalised = bool(node.final)
        self.finalised += finalised
        point = [None, self.branch, len(self.loops)]
        self.raise_points.append(point)
        raising = len(self.raising_runs)
        try:
            ends_body = self.block(node.body)
        finally:
            self.raise_points.pop()
            self.catching_none -= catches
            self.catching_unique -= unique
            self.catching_missing -= missing
            if swallows is not None:
                self.swallowing.pop()
        after_body = self.env
        ends_all = ends_body
        envs = [after_body] if not ends_body else []
        missed = self._missed_get(node) if self.python else None
        # `try: return q.one() except NoResultFound: return None`, `try { return await repo.findOneOrFail(…) } catch
        # { return null }`: the None/null a handler answers stands for the raising lookup's missing row
        raised = self.raising_runs[raising:]
        if raised and any(catches_missing_row(handler.types, names) for handler in node.handlers):
            del self.raising_runs[raising:]  # answered here: no enclosing `try` answers them
        answered = " → except: None" if self.python else " → catch: null"
        missed_raise = v.Tagged(v.Const(None), frozenset({v.MISSED_TAG + raised[0] + answered})) if raised else None
        caught = _caught_env(before, point[0], after_body) if node.handlers else None
        for handler in node.handlers:
            self.env = dict(caught)
            if handler.name:
                self.env[handler.name] = v.UNKNOWN
            if missed is not None and _catches_does_not_exist(handler.types, names):
                self.env[MISSED_KEY] = missed  # except Article.DoesNotExist: return None
            elif missed_raise is not None and catches_missing_row(handler.types, names) and not reraises(handler):
                self.env[MISSED_KEY] = missed_raise  # except NoResultFound: return None
            failure = _failure_handler(handler)
            self.handling.append(len(self.loops))
            self.failing += failure
            try:
                ends = self.block(handler.body)
            finally:
                self.handling.pop()
                self.failing -= failure
                self.env.pop(MISSED_KEY, None)
            if not ends:
                envs.append(self.env)
            ends_all = ends_all and ends
        self.finalised -= finalised
        if node.orelse and not ends_body:
            self.env = after_body
            ends_else = self.block(node.orelse)
            if ends_else and after_body in envs:
                envs.remove(after_body)
            elif not ends_else:
                envs = [self.env if e is after_body else e for e in envs]
        merged = None
        for env in envs:
            merged = env if merged is None else join_envs(merged, env)
        self.env = merged if merged is not None else after_body
        if node.final:
            self.block(node.final)
        return ends_all and not envs

    def raise_point(self) -> None:
        """A call (its arguments evaluated) or a ``raise`` runs: the first of a ``try`` body's, on the branch and loop
        depth the body starts on, is where its handlers can be entered first — what the body read before it stays
        read there (``try: check(voucher=cp.voucher) except Invalid: …``: ``cp.voucher`` is loaded on both paths).
        A first one under an ``if`` or in a loop of the body keeps the environment before the ``try``."""
        for point in self.raise_points:
            if point[0] is None:
                point[0] = dict(self.env) if point[1] == self.branch and point[2] == len(self.loops) else False

    # assignment -----------------------------------------------------------------------------------------
    def assign(self, node: ir.Assign) -> None:
        if node.value is None:
            if node.annotation is not None:
                for target in node.targets:
                    if type(target) is ir.Name and target.id not in self.env:
                        typed = self.type_value(node.annotation)
                        if typed is not None:
                            self.env[target.id] = typed
            return
        value = self.eval(node.value)
        if not self.python and node.annotation is not None and v.is_unknown(value):
            typed = self.type_value(node.annotation)  # `/** @type {Knex} */ const db = app.get('db')`: the declared type
            if type(v.strip(typed)) is v.Db:
                value = v.tag(typed, v.tags_of(value))
        if not self.python and v.is_nullable(value) and (node.value.span.end_line, node.value.span.end_column) in self.module.asserted:
            value = v.tag(value, frozenset({ASSERTED_TAG}))  # `const u = rows.find(…)!`: the assertion checked nothing
        if self.python and len(node.targets) == 1 and type(node.targets[0]) is ir.Attr and node.targets[0].name == "__class__":
            # `obj = Empty(); obj.__class__ = self.__class__` (Django's Query.clone): the instance becomes another
            # class, so any method may exist on instances of the one it was made from (AL230)
            self.program.note_setattr(self.eval(node.targets[0].obj), v.UNKNOWN)
        if len(node.targets) == 1 and type(node.targets[0]) is ir.Attr:
            tracked = len(self.effects)
            self._dirty_write(node)
            # a unit of work (SQLAlchemy) writes the changed attribute at its next commit, wherever that is;
            # elsewhere the change is stored only by a later write (`save(row)`, `em.flush()`)
            self._instance_increment(node, stored=len(self.effects) > tracked)  # also for a caller's row: a context event
        if node.op != "=":
            current = self.eval(node.targets[0]) if node.targets else v.UNKNOWN
            added = sequences.elements(value) if self.python and node.op == "+=" and sequences.filled(current) else None
            grown = sequences.collect(current, added) if added is not None else None
            value = grown if grown is not None else self.binop(node.op.rstrip("="), current, value)  # picked += rows
        if self.python and node.op == "=" and len(node.targets) == 1 and type(node.targets[0]) is ir.Attr \
                and type(node.value) is ir.Name:
            self._one_to_one_assigned(node.targets[0], node.value.id, value)
        for target in node.targets:
            if type(target) is ir.Obj and not self.python and node.op == "=":
                # `const { title } = await repo.findBySlug(slug)`: destructuring null throws
                # (TypeError: Cannot destructure property 'title' of … as it is null)
                self.dereference(node.value, value, target.span, destructure=True)
            self.bind(target, value)
        if node.op == "=" and len(node.targets) == 1 and type(node.targets[0]) is ir.Name:
            self._remember_guard(node.targets[0].id, node.value)
            self._remember_lookup_key(node.targets[0].id, node.value, value)
            if self.python and v.STRICT_MISSED_TAG in v.tags_of(value):
                self.strict_missed[node.targets[0].id] = self.branch
            elif self.python and v.is_nullable(value) and not v.missed_origin(value):
                self.strict_missed[node.targets[0].id] = v.LOCAL_LOOKUP  # the lookup itself: its None judged on any path
            else:
                self.strict_missed.pop(node.targets[0].id, None)
        if self.analysis is not None and type(value) is v.Db:
            self._name_construct(node, value)

    def _instance_increment(self, node: ir.Assign, stored: bool) -> None:
        """``article.count += 1`` / ``article.count = article.count + 1`` on a stored row: saved
        back, it overwrites what concurrent requests wrote in between (see :mod:`.lost_updates`).
        ``stored``: a unit of work records the change as a write; otherwise it is judged at the end
        of the run — a row changed in memory only for the response (the database was incremented
        atomically before) loses nothing."""
        target = node.targets[0]
        if type(target.obj) is not ir.Name:
            return
        pending = None if stored else len(self.effects)
        if node.op in ("+=", "-=") and self._numeric_constant(node.value):
            self.stale_increment(target.obj, target.name, node, pending)
        elif node.op == "=":
            clamps = lost_updates.known(self.program).clamp_functions
            name = lost_updates.increment_of(node.value, target.name, self._numeric_constant, clamps)
            if name is not None and name.id == target.obj.id:
                self.stale_increment(name, target.name, node, pending)

    def _numeric_constant(self, node) -> bool:
        """A number written here, or a name whose value where this runs is one (a parameter every
        caller passes ``1`` / ``-1``: ``bumpFavorites(article, 1)``)."""
        if lost_updates.is_number(node):
            return True
        if type(node) is not ir.Name:
            return False
        value = self.eval(node)
        return type(value) is v.Const and isinstance(value.value, (int, float)) and not isinstance(value.value, bool)

    def _stored_increments(self) -> None:
        """The pending in-memory increments a later write of this run stores (see ``_instance_increment``)."""
        for node, detail, first in self.pending_increments:
            if any(effect.op in ("write", "transaction") for effect in self.effects[first:]):
                self.event("lost-update", node, detail)
        self.pending_increments.clear()

    def _dirty_write(self, node: ir.Assign) -> None:
        """``article.favorites_count += 1`` on a SQLAlchemy row: the unit of work writes it at the next
        flush/commit — a ``dirty`` effect, what AL305 counts as a write between two commits (one
        commit after every change, the usual shape, is one unit of work and stays silent)."""
        target = node.targets[0]
        if type(target.obj) is not ir.Name:
            return
        held = self.env.get(target.obj.id)
        if held is None or not session_row(held):
            return
        rows = [v.strip(o) for o in v.options(held)]
        if not rows or any(row.stack != "sqlalchemy" or not row.model for row in rows) or len({row.model for row in rows}) != 1:
            return
        model = self.program.schema.get(rows[0].model)
        if model is not None and target.name not in model.columns and self.filter_facts:
            self._forget_relation_change(model, target.name)
        if model is None or target.name not in model.columns:
            return
        self.effect("dirty", "sqlalchemy", rows[0].model, f"{target.name} =", node, v.tags_of(held), detail=target.name)

    def _forget_relation_change(self, model, name: str) -> None:
        """``deployment.work_pool = pool`` on a loaded row: its foreign-key columns to the related table change
        at the next flush (a collection's related rows, any attribute not mapped: columns not known) — the
        found filters of this function comparing them no longer hold.  (No ``dirty`` effect is made of it: a
        caller's filters are not told, see ``forget_found_filters``.)"""
        relation = model.relations.get(name)
        if relation is not None and relation.collection:
            self.forget_moved(relation.target, None)
            return
        target = self.program.schema.models.get(relation.target) if relation is not None and relation.target else None
        keys = frozenset(column for column, table in model.foreign_keys.items() if target is not None and table == target.table)
        self.forget_moved(model.key, keys or None)

    def _remember_lookup_key(self, name: str, expr, value) -> None:
        """``message = await Messages.get_message_by_id(message_id, db=db)`` (``db.get(Message, id)``,
        ``User.objects.filter(pk=pk).first()``): a possibly-None row looked up by one plain value
        held in a name.  Rebinding either name forgets it."""
        for held in [k for k, key in self.lookup_keys.items() if k == name or key == name]:
            del self.lookup_keys[held]
        if not v.is_nullable(value) and not v.missed_row(value):
            return  # (or a helper's None for a row it did not find: `get_message_by_id(message_id)`)
        while type(expr) is ir.Await:  # (`await await prisma.x.findFirst(…)` runs the lookup once)
            expr = expr.value
        keys: set[str] = set()
        while type(expr) is ir.Call:
            for arg in expr.args:
                for node in _where_names(arg.value):
                    held = v.strip(self._held(node.id)) if node.id != name else None
                    # a value (`req.params.id` held in a name is one field of the request), not a handle or the request
                    if type(held) in (v.Unknown, v.Const) or type(held) is v.Request and "." in held.part:
                        keys.add(node.id)
            expr = expr.func.obj if type(expr.func) is ir.Attr else None
        if len(keys) == 1:
            self.lookup_keys[name] = keys.pop()

    def _found_key(self, name: str) -> dict:
        """The key a checked lookup was made by (see ``_remember_lookup_key``), tagged ``checked-key``
        past the check: a helper keyed by its parameter that is handed it (``update_message_by_id(
        message_id, …)``) re-reads a row that was found (``semantics/callers.py``)."""
        found = self._found_filters(name)
        key = self.lookup_keys.get(name)
        held = self._held(key) if key is not None else None
        if held is None:
            return found
        return {**found, key: v.tag(held, frozenset({v.CHECKED_KEY_TAG}))}

    def _found_filters(self, name: str) -> dict:
        """The path facts that a statement filter found its row (``values.FOUND_FILTER_TAG``): a later
        statement of that model with the same filter is keyed like a stored row's (calls.py)."""
        held = self.env.get(name)
        if held is None:
            return {}
        records = found_records(self.program)
        keys = {FACT + t: records[t] for t in v.tags_of(held) if t.startswith(v.FOUND_FILTER_TAG) and t in records}
        self.filter_facts.update(keys)
        return {key: v.Const(True) for key in keys}

    def forget_found_filters(self, effect) -> None:
        """A write ``effect`` (or a change of a loaded row the unit of work flushes, ``dirty``) may move the row
        a found filter found — a write of a model the filter reads (of any table when the model is unknown, and
        any write when the filter names no model class: ``filter_by(name=…)`` of an unknown statement) that
        deletes its rows or sets a column the filter compares; one whose columns are not known may set any.
        ``deployment._concurrency_limit = …`` then ``session.add(deployment)`` moves no row found by (flow_id,
        name).  A write that only adds rows, or a flush of what the session holds (``keeps_found_rows``), moves
        none; nor does ``session.add`` of a row that was read (``sends_held_changes``): each change made on it
        was a ``dirty`` effect that forgot what it moves when it was made."""
        names = known(self.program)
        if effect.method in names.keeps_found_rows:
            return
        model, columns = effect.model, None
        if effect.op == "dirty":
            if v.COLLECTION_WRITE_TAG in effect.tags:  # `article.tags.append(tag)`: the related rows change
                relation = self.program.schema.relation(effect.model, effect.detail)
                model = relation.target if relation is not None else ""
            elif effect.detail:
                columns = frozenset({effect.detail})
        elif effect.stack == "sqlalchemy" and effect.method in names.sends_held_changes \
                and SAVES_EXISTING in effect.tags and CHANGED_UNSEEN not in effect.tags:
            return
        elif effect.query is not None:
            columns = self._set_columns(effect.stack, effect.query)
        self.forget_moved(model, columns)

    def _set_columns(self, stack: str, query) -> frozenset | None:
        """The columns an UPDATE statement sets (``update(Deployment).where(…).values(concurrency=3)``: the
        ``sets_columns`` step and the keywords of its mass-assign steps), in every way it was built; None when
        it is not one, or sets columns not named (``values(**data)``, ``values({…})``)."""
        names = known(self.program)
        setters = self.program.library.mass_assign.get(stack, ())
        writes = call_names(self.program).write_steps
        columns: set = set()
        for chain in query.chains:
            calls = [step.node for step in chain if type(step.node) is ir.Call]
            methods = [call.short_name for call in calls]
            written = [m for m in methods if m in writes or m in names.sets_columns]
            if len(written) != 1 or written[0] not in names.sets_columns:
                return None  # a delete, an insert (`on_conflict_do_update`), or several
            assigned = [call for call, m in zip(calls, methods) if m in setters]
            if not assigned or any(arg.kind != "kw" for call in assigned for arg in call.args):
                return None
            columns.update(arg.name for call in assigned for arg in call.args)
        return frozenset(columns) if query.chains else None

    def forget_moved(self, model: str, columns: frozenset | None) -> None:
        """Forget the found filters a write of ``model`` (any table when "") setting ``columns`` (any when
        None, a delete too) may no longer match (see ``forget_found_filters``)."""
        written = model.rsplit(":", 1)[-1]
        for key in [k for k in self.filter_facts if k in self.env and self.filter_facts[k].moved_by(written, columns)]:
            del self.env[key]

    def forget_filters_reading(self, name: str, attribute: str = "") -> None:
        """Assigning ``name`` again, or its ``attribute`` (``deployment.name = …``), changes what a found
        filter that compares with it means; its other attributes (``deployment.flow_id``) do not."""
        for key in [k for k in self.filter_facts if k in self.env]:
            if any(held == name and (not attribute or read in ("", attribute)) for held, read in self.filter_facts[key].values):
                del self.env[key]

    def _one_to_one_assigned(self, target: ir.Attr, name: str, value) -> None:
        """``address.order = o``: Django's one-to-one descriptor also caches ``address`` on ``o`` as the reverse
        accessor (``o.invoice_address``), so reading it back is no query.  The forward relation is the one named
        ``target.name`` of the receiver's model, or — for an untyped object the code keeps on a model instance
        (``o._address``, set by ``o._address = InvoiceAddress()``) — the one one-to-one field of that name in the
        whole schema that points at the assigned row's model.  Any other receiver (a view's ``self``) is no row."""
        row = v.strip(value)
        if type(row) is not v.Row or row.stack != "django" or name not in self.env:
            return
        schema = self.program.schema
        receiver = v.strip(self.eval_cached(target.obj))
        if type(receiver) is v.Row and receiver.model:
            owners = [receiver.model]
        elif type(receiver) is not v.Unknown or type(target.obj) is not ir.Attr \
                or type(v.strip(self.eval_cached(target.obj.obj))) is not v.Row:
            return  # `self.order = o` on a view, `ctx.order = o`: not a model instance
        else:  # an object the code keeps on a model instance (`o._address`), untyped: the field's name decides
            owners = [key for key, model in schema.models.items() if model.stack == "django"
                      and (relation := model.relations.get(target.name)) is not None and relation.kind == "forward"
                      and relation.via == "OneToOneField" and relation.target == row.model]
        backs = {schema.one_to_one_back(owner, target.name) for owner in owners}
        if len(backs) != 1 or "" in backs:
            return
        current = self.env[name]
        held = v.strip(current)
        if type(held) is v.Row:
            self.env[name] = v.tag(held._replace(loaded=held.loaded | backs), v.tags_of(current))

    def _held(self, name: str):
        """The value of the name here: this frame's, or — in a closure reading a local or parameter of
        the function that defined it (``message_id`` of the enclosing handler) — that frame's.
        ``None`` when unbound, or a module-level name."""
        if name in self.env:
            return self.env[name]
        function = self.function
        if not self.python or function.kind == "module" or function.parent <= 0 or function.scope_of(name) != "outer":
            return None
        outer = self.program.function(self.path, function.parent)
        while outer is not None and outer.kind != "module" and outer.scope_of(name) == "outer" and outer.parent > 0:
            outer = self.program.function(self.path, outer.parent)
        if outer is None or outer.kind == "module" or outer.scope_of(name) == "outer":
            return None
        return self.name(ir.Name(name, function.span))

    def _names_read(self, guard) -> frozenset:
        """The names a remembered guard's test (or an ``if`` test) reads, walked once per test node for the
        run — not once per assignment, nor once per ``return None`` under it (``_missed_return``)."""
        cache = self.program.memoised("guard_names", dict)
        found = cache.get(id(guard))
        if found is not None and found[0] is guard:
            return found[1]
        names = frozenset(n.id for n in ir.iter_nodes((guard,)) if type(n) is ir.Name)
        cache[id(guard)] = (guard, names)
        return names

    def _remember_guard(self, name: str, test) -> None:
        """``found = user is not None`` / ``missing = not user``: ``if not found`` then checks ``user``.
        Rebinding the name, or a name the test reads, forgets it."""
        if self.guards:
            for key in [k for k, guard in self.guards.items() if k == name or name in self._names_read(guard)]:
                del self.guards[key]
        kind = type(test)
        if kind is ir.Compare and test.op in ("is", "is-not", "==", "!=") or kind is ir.Unary and test.op == "not":
            self.guards[name] = test
        elif kind is ir.BoolOp and test.op == "and":  # valid = row and not row.expired(): truthy means row is set
            self.guards[name] = test
        elif kind is ir.Call and type(test.func) is ir.Attr and test.func.name in ("count", "exists") and not test.args:
            self.guards[name] = test  # n = qs.count(); if n: qs.last() — a row is there
        elif kind is ir.Cond:
            # ok = user ? await bcrypt.compare(pw, user.password) : false — truthy means the test held
            # (and the chosen branch is truthy); with the falsy constant on the other side, the reverse
            if _falsy_constant(test.orelse):
                self.guards[name] = ir.BoolOp("and", (test.test, test.then), test.span)
            elif _falsy_constant(test.then):
                self.guards[name] = ir.BoolOp("and", (ir.Unary("not", test.test, test.span), test.orelse), test.span)

    def _name_construct(self, node: ir.Assign, value) -> None:
        for index, construct in enumerate(self.analysis.constructs):
            if construct.span == node.value.span or (type(node.value) is ir.Await and construct.span == node.value.value.span):
                from archlint.domain.ir_format import render

                self.analysis.constructs[index] = construct._replace(target=render(node.targets[0], 80))

    def bind(self, target, value) -> None:  # noqa: C901
        kind = type(target)
        if kind is ir.Name:
            self.env[target.id] = value
            if self.filter_facts:
                self.forget_filters_reading(target.id)
            if self.row_facts:  # a name assigned again no longer holds the value a row was inserted with
                for key in self.row_facts:
                    text = key.rsplit("=", 1)[-1]
                    if key in self.env and (text == target.id or text.startswith(target.id + ".")):
                        del self.env[key]
            if target.id in self.function.globals:
                table = self.program.globals_written.setdefault(self.path, {})
                table[target.id] = v.join(table.get(target.id), value)
            return
        if kind is ir.Attr:
            obj = target.obj
            if self.filter_facts:  # `deployment.name = …` (`deployment.owner.name = …`): a filter reading it changed
                root, attribute = obj, target.name
                while type(root) is ir.Attr:
                    root, attribute = root.obj, root.name
                if type(root) is ir.Name:
                    self.forget_filters_reading(root.id, attribute)
            if type(obj) is ir.Name and obj.id == "module" and target.name == "exports" and not self.python:
                self.env["<exports>"] = value
                return
            if not self.python and (
                (type(obj) is ir.Name and obj.id == "exports")
                or (type(obj) is ir.Attr and type(obj.obj) is ir.Name and obj.obj.id == "module" and obj.name == "exports")
            ):
                current = v.strip(self.env.get("<exports>", v.Record(())))
                items = dict(current.items) if type(current) is v.Record else {}
                items[target.name] = value
                self.env["<exports>"] = v.Record(tuple(items.items()))
                return
            held = self.eval(obj)
            # `article.title = body.title` on a lookup that may be None: the write raises like a read
            self.dereference(obj, held, target.span)
            receiver = v.strip(held)
            if type(obj) is ir.Name and obj.id in self.env and _records(self.env[obj.id]):
                self._set_entry(obj.id, target.name, value)  # where.authorId = id
                return
            if type(receiver) is v.Context:  # g.db = connect() / app.state.pool = await create_pool()
                if receiver.scope in known(self.program).attribute_scopes:  # (what context_read reads back)
                    self.program.write_context(receiver.framework, receiver.scope, target.name, value)
                return
            if type(receiver) is v.App and receiver.framework in known(self.program).app_attribute_slots:
                # `app.db = knex(config)` on the Koa / Express application, read back as `ctx.app.db` / `req.app.db`
                self.program.write_context(receiver.framework, "app", target.name, value)
                return
            if type(receiver) is v.Request:
                self.request_event("request-write", receiver, target.name, target.span)
                if receiver.part == "" and known(self.program).request_parts.get(target.name) == "body" \
                        and (receiver.framework != "koa" or (type(obj) is ir.Attr and obj.name == "request")):
                    # `req.body = value` in a middleware (Koa: `ctx.request.body`; `ctx.body` is the response); the
                    # event tells the callers too (a route middleware calling `validateRequest(req, next, schema)`)
                    self.program.body_values.append(value)
                    self.program.record_body(self.path, self.function.fid, value)
                    self.event("body-write", target, str(len(self.program.body_values) - 1))
                scope = _CONTEXT_SCOPES.get(receiver.part)
                if scope:  # req.db = db in a middleware, ctx.state.db = db, app.context.db = db, Starlette request.state.db = db
                    # (a router.param loader's row is stored as it is: its own null check decides)
                    loader = self._in_param_loader()
                    if not (loader and self._loader_callback_alone() and type(v.strip(value)) is v.Unknown):
                        self.program.write_context(receiver.framework, scope, target.name, value, checked=not loader)
                key = self._request_slot(obj, target.name)
                if key:  # req.loggedUser = await User.findOne(…): later reads in this frame see the row
                    self.env[key] = value
                    return
            if type(receiver) is v.Row and type(obj) is ir.Name and obj.id in self.env:  # article.author = user
                current = self.env[obj.id]
                row = v.strip(current)
                if type(row) is v.Row:
                    loaded = row.loaded | {target.name}
                    keyed = target.name[:-3] if target.name.endswith("_id") else ""
                    if keyed and row.stack == "django" and self.program.schema.relation(row.model, keyed) is not None:
                        # `ticket.rate_id = 5`: the key changed, the object is not held any more — the next read loads it
                        loaded = frozenset(p for p in loaded if p != keyed and not p.startswith(keyed + "."))
                    self.env[obj.id] = v.tag(row._replace(loaded=loaded), v.tags_of(current))
                    query = v.strip(value)
                    if type(query) is v.Query and query.lazy and not query.cached and query.stack == "django" \
                            and any(param.name == obj.id for param in self.function.params):
                        self.row_slots.append((obj.id, target.name, value))
                return
            if type(receiver) is v.Row and type(obj) is ir.Attr:
                # `wle.item.event = event` (pretix primes the caches before a per-row call): the related
                # object of the local row now holds it, so `wle.item.event` reads it from there
                path, root = [target.name], obj
                while type(root) is ir.Attr:
                    path.append(root.name)
                    root = root.obj
                current = self.env.get(root.id) if type(root) is ir.Name else None
                row = v.strip(current) if current is not None else None
                if type(row) is v.Row:
                    prefix = ".".join(reversed(path))
                    assigned = v.strip(value)  # `wle.variation.item = wle.item`: with what that row holds
                    held = {f"{prefix}.{inner}" for inner in assigned.loaded if inner != "*"} if type(assigned) is v.Row else set()
                    self.env[root.id] = v.tag(row._replace(loaded=row.loaded | {prefix} | held), v.tags_of(current))
                return
            if type(receiver) is v.Record and type(obj) is ir.Name and obj.id in self.env:
                # let page = { rows: [], count: 0 }; page.rows = await user.getFavorites(): the local
                # object now holds the rows (a strong update: the name is this frame's own binding)
                current = self.env[obj.id]
                items = dict(v.strip(current).items)
                items[target.name] = value
                self.env[obj.id] = v.tag(v.Record(tuple(items.items())), v.tags_of(current))
                return
            if type(receiver) is v.Instance:
                self.env[field_key(obj, target.name)] = value
                self.program.write_field(receiver.path, receiver.cid, target.name, value)
            elif type(receiver) is v.ClassValue:
                self.program.write_field(receiver.path, receiver.cid, target.name, value)
            return
        if kind is ir.Seq:
            bare = v.strip(value)
            tags = v.tags_of(value)
            for index, element in enumerate(target.elts):
                if type(element) is ir.Starred:
                    self.bind(element.value, v.tag(v.UNKNOWN, tags))
                    continue
                if type(bare) is v.Union and all(type(v.strip(o)) is v.Tuple and index < len(v.strip(o).items) for o in bare.options):
                    item = None  # const [items, count] = await repo.findAndCount(): one tuple or another
                    for option in bare.options:
                        item = v.join(item, v.strip(option).items[index])
                elif type(bare) is v.Tuple and index < len(bare.items):
                    item = bare.items[index]
                elif type(bare) is v.Items and not bare.keyed:
                    item = bare.item  # first, *rest = result
                elif type(bare) is v.Rows:  # const [user] = await knex('users').where(…): undefined when no row
                    stored = KEYED_BY_STORED_ROW <= tags and index == 0  # …unless keyed by a foreign key the program holds
                    origin = f"{self.path}:{element.span.line}:{element.span.column}:[{render_short(element)}] = …" if not self.python and bare.model and not stored else ""
                    item = v.Row(bare.stack, bare.model, bare.loaded, nullable=not stored, origin=origin, empty="undefined" if origin else "")
                else:
                    item = v.UNKNOWN
                self.bind(element, v.tag(item, tags))
            return
        if kind is ir.Obj:
            for entry in target.entries:
                if entry.key is None:
                    self.bind(entry.value, v.tag(v.UNKNOWN, v.tags_of(value)))
                    continue
                key = entry.key if isinstance(entry.key, str) else ""
                held = self.context_read(value, key) if key else None  # const { db } = ctx.state
                member = held if held is not None else self.member(value, key, target) if key else v.UNKNOWN
                if held is None and key:
                    # `const { loggedUser } = req`: the row an auth middleware stored there, as `req.loggedUser` reads it
                    held_row = self._request_row(value, key)
                    if held_row is not None:
                        member = held_row
                if entry.default is not None:
                    member = v.join(member, self.eval(entry.default)) if not v.is_unknown(member) else self.eval(entry.default)
                self.bind(entry.value, member)
            return
        if kind is ir.Starred:
            self.bind(target.value, value)
            return
        if kind is ir.Index:
            if self.filter_facts:  # `data["name"] = …`: a filter reading `data` may compare with it
                root = target.obj
                while type(root) in (ir.Attr, ir.Index):
                    root = root.obj
                if type(root) is ir.Name:
                    self.forget_filters_reading(root.id)
            receiver = v.strip(self.eval(target.obj))
            index = self.eval(target.index)
            key = record_key(index)
            if key and type(target.obj) is ir.Name and target.obj.id in self.env and _records(self.env[target.obj.id]):
                self._set_entry(target.obj.id, key, value)  # where[Op.or] = [...]
            if self.python and not key and type(target.obj) is ir.Name and target.obj.id in self.env:
                keyed = sequences.collect(self.env[target.obj.id], value, keyed=True)
                if keyed is not None:  # by_slug[article.slug] = article
                    self.env[target.obj.id] = keyed
                    return
            bare_key = v.strip(index)
            if type(receiver) is v.Context or type(receiver) is v.App and receiver.framework == "aiohttp":
                key = context_key(index)  # app['db'] = await create_pool(…) in an on_startup hook
                if key:
                    context = receiver if type(receiver) is v.Context else v.Context("aiohttp", "app")
                    self.program.write_context(context.framework, context.scope, key, value)
                return
            if type(receiver) is v.Request and type(bare_key) is v.Const and isinstance(bare_key.value, str):
                self.request_event("request-write", receiver, "[" + bare_key.value + "]", target.span)
                if receiver.framework == "aiohttp" and not receiver.part:
                    # request['session'] = session in a middleware: the handlers read it back (``item``)
                    self.program.write_context("aiohttp", "item", bare_key.value, value)
            if type(receiver) is v.Row and receiver.stack in ("sqlite3", "aiosqlite", "asyncpg"):
                self.event("row-item-assigned", target, receiver.stack)
            elif not self.python:  # entity[key] = value, key chosen by the client
                self.dynamic_field_write(target, receiver, self.eval(target.index), "[key] =")

    def _set_entry(self, name: str, key: str, value) -> None:
        """An object built up entry by entry (``const where = {}; if (tag) where.tag = tag``): the
        name now holds the record with that entry (a branch joins the two records)."""
        current = self.env[name]
        result = None
        for option in v.options(current):  # built differently on two branches: both get the entry
            items = dict(v.strip(option).items)
            items[key] = value
            result = v.join(result, v.tag(v.Record(tuple(items.items())), v.tags_of(option) | without_optional(v.tags_of(value))))
        self.env[name] = result

    # expressions ----------------------------------------------------------------------------------------
    def eval(self, node):  # noqa: C901 - one branch per expression kind
        self.tick()
        kind = type(node)
        if kind is ir.Name:
            return self.name(node)
        if kind is ir.Call:
            return self.call(node)
        if kind is ir.Attr:
            value = self.eval(node.obj)
            if node.optional:
                if v.is_nullable(value):
                    # `row?.id` of a lookup that may have found nothing: undefined then, not a stored row's key;
                    # marked with the chain, wherever the value is copied (`const where = { id: row?.id }`)
                    mark = v.OPTIONAL_READ_TAG + self.site_key(node)
                    if type(node.obj) is ir.Name:
                        self.optional_reads[mark] = node
                    self.optional_rows[mark] = value
                    return v.tag(_unstored(self._attr(node, non_null(value))), frozenset({mark}))
                value = non_null(value)
            else:
                self.dereference(node.obj, value, node.span)
            # (Frame._attr inlined: the hot path of every attribute read)
            key = field_key(node.obj, node.name) or self._request_slot(node.obj, node.name)
            if key and key in self.env:
                return self.env[key]
            held = self.context_read(value, node.name)
            if held is not None:
                return held
            result = self.member(value, node.name, node)
            held_row = self._request_row(value, node.name)
            if held_row is not None:
                return held_row  # read after member(): the request-read event (AL810) is recorded all the same
            if type(node.obj) is ir.Name and type(v.strip(value)) is v.Row and node.obj.id in self.env:
                self._remember_loaded(node.obj.id, value, node.name)
            elif type(node.obj) is ir.Attr and node.obj.name == "awaitable_attrs" and type(node.obj.obj) is ir.Name \
                    and AWAITABLE in v.tags_of(value) and node.obj.obj.id in self.env:
                # `await team.awaitable_attrs.members`: the relation is loaded on `team` from here on
                self._remember_loaded(node.obj.obj.id, self.env[node.obj.obj.id], node.name)
            return result
        if kind is ir.Const:
            return v.Const(node.value)
        if kind is ir.Await:
            return self.await_value(self.eval(node.value), node)
        if kind is ir.Index:
            obj = self.eval(node.obj)
            index = self.eval(node.index)
            ran = self.indexed_query(node, obj, index)
            if ran is not None:
                return ran
            if type(node.index) is ir.Opaque and node.index.kind == "slice":  # qs[a:b] is still a query
                bare = v.strip(obj)
                if type(bare) is v.Query and bare.chains:  # Django: LIMIT/OFFSET
                    return v.tag(bare._replace(chains=v.extend_chains(bare.chains, v.Step(self.path, node))), v.tags_of(obj))
                return obj
            if not node.optional:
                self.dereference(node.obj, obj, node.span, subscript="subscriptable")
            key = v.strip(index)
            if type(v.strip(obj)) is v.Request and type(key) is v.Const and isinstance(key.value, str):
                # JS `req.params['pk']` is `req.params.pk`; an item of the request itself stays `[user]` (aiohttp)
                part = v.strip(obj).part and not self.python
                self.request_event("request-read", v.strip(obj), key.value if part else "[" + key.value + "]", node.span)
            return self.subscript(obj, index)
        if kind is ir.Template:
            values = [self.eval(hole) for hole in node.holes]  # (a tag is its call's func, evaluated there)
            # f"{key}" is the key; f"{user}@{domain}" is a new string, not a stored row's key
            # (`${row?.id}` is the string "undefined", not undefined)
            tags = without_optional(all_tags(values)) if len(values) == 1 and not any(node.strings) else computed_tags(values)
            if all(v.is_constant(value) for value in values):
                return v.Const("".join(node.strings) if not values else v.ANY_CONSTANT)
            return v.tag(v.UNKNOWN, tags)
        if kind is ir.BinOp:
            result = self.binop(node.op, self.eval(node.left), self.eval(node.right))
            if node.op in ("+", "-"):
                result = v.tag(result, self.stale_value(node))  # `article.count + 1`, perhaps written back elsewhere
            return result
        if kind is ir.BoolOp:
            values = []
            before = self.env
            for index, part in enumerate(node.values):
                values.append(self.eval(part))
                if node.op == "or" and index + 1 < len(node.values) and self._given(part):
                    # `currency or self.event.currency` where the caller passed `currency=event.currency`: the
                    # fallback of an optional parameter (default None) runs when the caller leaves it out, and
                    # this one gave it — what the fallback reads (a lazy relation per row) is not read here
                    break
                if node.op in ("and", "or") and index + 1 < len(node.values):
                    # `user and user.name` / `not user or user.name`: the next operand runs only
                    # when this one was truthy (and) / falsy (or)
                    self.env = {**self.env, **self.narrowing(part, node.op == "and")}
            if node.op in ("and", "or"):
                self.env = before
            if node.op in ("or", "??") and len(values) > 1 and type(v.strip(values[-1])) in (v.Db, v.Instance) and all(
                    v.is_unknown(value) or _global_slot(value) for value in values[:-1]):
                # `options.knex || getDatabase()`, `session or SessionLocal()`, `repository or
                # ArticleRepository()`: the injected override is of the same kind as the default the
                # code falls back to.  `globalThis.prisma ?? new PrismaClient()` (the hot-reload
                # singleton): the global slot holds the client an earlier evaluation made here.
                return v.tag(values[-1], all_tags(values))
            if node.op in ("or", "??") and len(values) > 1 and type(v.strip(values[0])) is v.Db and all(
                    v.is_unknown(value) for value in values[1:]):
                # `session_factory or current_app.extensions["sessionmaker"]` with the parameter typed by its
                # annotation (`session_factory: async_sessionmaker | None = None`): the fallback the code
                # takes when no override is given is of the kind the override is declared to be
                return v.tag(values[0], all_tags(values))
            if node.op == "or" and len(values) > 1:
                # an operand that is a falsy constant (`None or ArticleRepository()`, the parameter's
                # default) is never the result: the next operand is
                kept = [value for value in values[:-1] if not _always_falsy(value)] + [values[-1]]
                values = kept
            if node.op in ("or", "??") and len(values) == 2 and type(values[0]) in (v.Unknown, v.External) \
                    and type(values[1]) is v.Const and isinstance(values[1].value, str) and env_read(node.values[0], self.python):
                # `process.env.NODE_ENV || 'development'`, `process.env.DB_DIALECT ?? 'sqlite'`: the value the app
                # runs with when the variable is unset (the start-up environment is judged by `verify`)
                return values[1]
            if node.op in ("or", "??") and len(values) == 2 and _only_none(values[1]) \
                    and v.is_nullable(values[0]):
                # `return rows[0] ?? null` / `return row || null` / `return row or None`: the fallback is the missing row's own null — still
                # the lookup's maybe-missing row (its origin kept, judged at the caller's read), null now
                bare = v.strip(values[0])
                return v.tag(bare._replace(empty=""), v.tags_of(values[0])) if type(bare) is v.Row else values[0]
            if node.op == "??" and values:
                # `row?.id ?? -1`: a fallback where the chain yields undefined
                result = non_null(_without_optional_mark(values[0]) if len(values) > 1 else values[0])
                for value in values[1:]:
                    result = v.join(result, value)
                return result
            if node.op == "or" and values:
                # `article or Article(slug=slug)`: an operand is the result only when it is truthy, so
                # a row that may be None is, there, a row; only the last operand is taken as it is
                values = [non_null(_without_optional_mark(value)) for value in values[:-1]] + [values[-1]]
            result = values[0] if values else v.UNKNOWN
            for value in values[1:]:
                result = v.join(result, value)
            return result
        if kind is ir.Compare:
            left, right = self.eval(node.left), self.eval(node.right)
            return v.tag(v.Const(v.ANY_CONSTANT) if v.is_constant(left) and v.is_constant(right) else v.UNKNOWN,
                         without_optional(all_tags((left, right))))
        if kind is ir.Unary:
            operand = self.eval(node.operand)
            if node.op == "-" and v.is_constant(operand):
                return v.Const(v.ANY_CONSTANT)
            return v.tag(v.UNKNOWN, v.tags_of(operand)) if node.op != "typeof" else v.Const(v.ANY_CONSTANT)
        if kind is ir.Cond:
            self.eval(node.test)
            known = self.decide(node.test)
            if known is not None:
                return self.eval(node.then if known else node.orelse)
            before, branch, site = self.env, self.branch, self.site_key(node)
            narrow_then, narrow_else = self.narrowing(node.test, True), self.narrowing(node.test, False)
            self.env = {**before, **narrow_then}
            self.branch = branch + ((site, "then"),)
            then = _missed_none(self.eval(node.then), narrow_then) if self.python else self.eval(node.then)
            self.env = {**before, **narrow_else}
            self.branch = branch + ((site, "else"),)
            orelse = _missed_none(self.eval(node.orelse), narrow_else) if self.python else self.eval(node.orelse)
            self.env, self.branch = before, branch
            return v.join(then, orelse)
        if kind is ir.Seq:
            items = tuple(self.eval(element) for element in node.elts)
            if (not self.python and len(items) == 1 and type(node.elts[0]) is ir.Starred
                    and type(v.strip(items[0])) is v.Rows):
                return items[0]  # [...rows]: a copy of the rows
            return v.tag(v.Tuple(items), without_optional(all_tags(items)))
        if kind is ir.Obj:
            return self.object_literal(node)
        if kind is ir.Starred:
            return self.eval(node.value)
        if kind is ir.FuncRef:
            self.program.define_closure(self.path, node.fid, self.env)
            return v.Function(self.path, node.fid)
        if kind is ir.ClassRef:
            return v.ClassValue(self.path, node.cid)
        if kind is ir.Loop:
            return self.loop(node)
        if kind is ir.Opaque:
            for part in node.parts:
                self.eval(part)
            return v.UNKNOWN
        return v.UNKNOWN

    def object_literal(self, node: ir.Obj):
        items: dict = {}
        for entry in node.entries:
            value = self.eval(entry.value)
            if entry.key is None:
                if self.python and entry.value is not None and raw_row(value):
                    self.dereference(entry.value, value, entry.value.span, subscript="a mapping")  # {**row}: TypeError on None
                self.spread_into(items, value)
                continue
            if isinstance(entry.key, str):
                items[entry.key] = value
            else:
                key = record_key(self.eval(entry.key))
                if key:  # { [Op.or]: [...] } — what Sequelize where objects are built from
                    items[key] = value
        return v.tag(v.Record(tuple(items.items())), without_optional(all_tags(items.values())))

    @staticmethod
    def spread_into(items: dict, value) -> None:
        """The keys ``{ ...value }`` (or ``Object.assign(target, value)``) copies into ``items``."""
        spread = v.strip(value)
        if type(spread) is v.Record:
            items.update(spread.items)
        elif type(spread) is v.Union and _records(value):
            # `{ ...fields }` where `fields` got an entry on one branch only (`if (t) fields.slug = …`):
            # every key of either record, a key both have joined
            merged: dict = {}
            for option in v.options(value):
                for key, item in v.strip(option).items:
                    merged[key] = v.join(merged.get(key), item)
            items.update(merged)
        elif type(spread) is v.Request:  # { ...req.body, authorId }: every key the client sent
            items[SPREAD] = value
        elif type(spread) is v.Union:
            # `({ article = {} }) => ({ ...article, slug })` given `req.body.article`: the client's object, or the
            # empty default when it sent none — the keys of each record option, and every key the client sent
            for option in v.options(value):
                bare = v.strip(option)
                if type(bare) is v.Record:
                    items.update(bare.items)
                elif type(bare) is v.Request:
                    items[SPREAD] = option

    def name(self, node: ir.Name):
        name = node.id
        if name in self.env:
            return self.env[name]
        if name == "exports" and not self.python and self.function.kind != "module":
            # exports.get(…) inside a CommonJS module: what its top level exported
            found = self.program.commonjs_exports(self.path)
            if found is not None:
                return found
        scope = self.function.scope_of(name)
        if scope == "param" or (scope == "local" and self.program.binding(self.path, name) is None):
            return v.UNKNOWN  # bound here but not yet (or not knowably) assigned on this path
        if name in ("self", "this") and self.self_value is not None and name not in self.env:
            return self.self_value
        if name in self.function.imports:
            # a function-scope import (`from flask import Config` in a method of the module's own class
            # Config): the imported name, not the module-level definition it shadows
            return self._imported(name)
        # enclosing functions (closures): the environment each function was defined in
        function = self.function
        while function.kind != "module" and function.parent > 0:
            found = self.program.closure_value(self.path, function.fid, name)
            if found is not None:
                return found
            outer = self.program.function(self.path, function.parent)
            if outer is None:
                break
            if name in outer.imports:
                return self._imported(name)
            if outer.scope_of(name) != "outer":
                return v.UNKNOWN
            function = outer
        if self.function.kind == "module":
            lazy = self.lazy_globals
            if lazy is not None and name in lazy:
                # a declaration not read yet, while a loop of this one holds a copy of the environment
                return lazy[name]
            binding = self.program.binding(self.path, name)
            if binding is not None:
                return self.program.import_value(self.path, binding)
            return self.program.module_member_static(self.path, name)
        return self.program.module_global(self.path, name)

    def _imported(self, name: str):
        binding = self.program.binding(self.path, name)
        return self.program.import_value(self.path, binding) if binding is not None else v.UNKNOWN

    def member(self, value, name: str, node):  # noqa: C901
        """``value.name``: attributes of handles, models, rows, instances, modules, requests."""
        options = v.options(value)
        if len(options) > 1:
            result = None
            for option in options:
                result = v.join(result, self.member(option, name, node))
            return result
        tags = v.tags_of(value)
        bare = v.strip(value)
        kind = type(bare)
        library = self.program.library
        if kind is v.Db:
            if library.is_registry(bare):  # sequelize.models.Article
                key = self.program.schema.by_name(name, bare.stack, self.path)
                return v.ModelClass(bare.stack, key) if key else v.tag(v.UNKNOWN, tags)
            derived = library.derived(bare, name)
            if derived is not None and derived.kind == "relational_table" and not derived.model:
                derived = derived._replace(model=self.program.relational_table(name))  # db.query.articles
            if derived is not None:
                return v.tag(derived, tags | {FLASK_SESSION} if bare.kind == "flask_db" and name == "session" else tags)
            outcome = library.attribute(bare.stack, bare.kind, name)
            if outcome is not None:
                return v.tag(self.outcome_value(outcome, bare, (), node, bare.stack, bare.model), tags)
            return v.tag(v.UNKNOWN, tags)
        if kind is v.External and (bare.name in _held_users(self.program) or bare.name.startswith("global:") and any(
                bare.name == f"global:{name}.{'.'.join(path)}" for name, path in known(self.program).held_user_contexts.items())):
            # Flask-Login's `current_user.id`: a column of the account the user loader found for this request (behind
            # `login_required` it is that row, else the anonymous user, which has no id) — a stored row's key (AL220);
            # Strapi's `ctx.state.user.id` likewise (the user its auth strategy fetched)
            return v.tag(v.UNKNOWN, tags | {v.STORED_KEY_TAG})
        if kind is v.Unknown and node is not None and not self.python:
            held = _held_user_context(self, node)
            if held:  # Strapi's `ctx.state.user`: the account its auth strategy loaded for this request
                return v.External(held)
        if kind is v.ModelClass:
            outcome = library.attribute(bare.stack, "modelclass", name)
            model = self.program.schema.get(bare.model)
            if outcome is not None:
                found = self.outcome_value(outcome, bare, (), node, bare.stack, bare.model)
                if model is not None and model.cid >= 0 and self.program.flask_model(model.path, model.cid):
                    return v.tag(found, v.tags_of(found) | {FLASK_SESSION, MODEL_QUERY})  # `User.query` runs on db.session
                return found
            if model is not None and (name in model.relations or name in model.columns):
                return v.ModelAttr(bare.stack, bare.model, name)
            if model is not None and model.cid >= 0:
                found = self.program.method(model.path, model.cid, name)
                if found is not None:
                    return found._replace(bound=v.ClassValue(model.path, model.cid))
            return v.UNKNOWN
        if kind is v.Row:
            expired = next((t for t in sorted(tags) if t.startswith(v.EXPIRED_TAG)), None) if bare.stack == "sqlalchemy" else None
            if expired is not None and node is not None:
                # an attribute of an object the AsyncSession's commit expired: loading it again is implicit I/O
                self.effect("expired", bare.stack, bare.model, name, node, tags, detail=name)
                tags = frozenset(t for t in tags if not t.startswith(v.EXPIRED_TAG))
                if type(node) is ir.Attr and type(node.obj) is ir.Name and node.obj.id in self.env:
                    self.env[node.obj.id] = v.tag(bare, tags)  # the first read is the one that fails
            if name == "awaitable_attrs" and bare.stack == "sqlalchemy" and AWAITABLE not in tags:
                return v.tag(bare, tags | {AWAITABLE})  # the AsyncAttrs accessor: its relations load when awaited
            model = self.program.schema.get(bare.model) if bare.model else None
            if model is not None and model.cid >= 0 and name not in model.columns and name not in model.relations \
                    and library.attribute(bare.stack, "modelclass", name) is not None and self.program.flask_model(model.path, model.cid):
                return self.member(v.ModelClass(bare.stack, bare.model), name, node)  # `self.query`: Model.query, on an instance
            return self.row_member(bare, tags, name, node)
        if kind is v.ModelAttr:
            self._chained_relation(bare, name, node)
            return v.tag(v.UNKNOWN, tags)
        if kind is v.Rows and name in ("length",):
            return v.tag(v.UNKNOWN, tags)
        if kind is v.Instance:
            key = field_key(node.obj, name) if type(node) is ir.Attr else ""
            if key and key in self.env:
                return self.env[key]
            action = next((t for t in sorted(tags) if t.startswith(v.DRF_ACTION_TAG)), None)
            if action is not None:  # the DRF view of a list-view analysis: `self.action` is its action
                return self._drf_action_member(bare, name, action)
            client_data = bool(tags & {v.INPUT_TAG, v.REQUEST_TAG})
            return v.tag(self.instance_member(bare, name, client_data), tags - {"declared"})  # a field has its own provenance
        if kind is v.ClassValue:
            model = self.program.model_of_class(bare.path, bare.cid)
            if model:
                return self.member(v.ModelClass(self.program.schema.models[model].stack, model), name, node)
            found = self.program.method(bare.path, bare.cid, name)
            if found is not None:
                return found._replace(bound=bare)
            written = self.program.field_value(bare.path, bare.cid, name)
            if written is not None:
                return written
            member = self.program.class_field(bare.path, bare.cid, name)
            if member is not None and member.value is not None:
                return self.eval_in_module(bare.path, member.value)
            return v.UNKNOWN
        if kind is v.Module:
            return self.program.module_member(bare.path, name)
        if kind is v.External:
            if bare.name in container_names(self.program).container_cradles:
                found = resolved_from_container(self.program, self.path, name)  # container.cradle.articleService
                return found if found is not None else v.UNKNOWN
            model = self.program.django_builtin_model(bare.name)
            if model is not None:  # User.objects of `from django.contrib.auth.models import User`
                return self.member(v.tag(model, tags), name, node)
            return self.program.static_attribute(bare, name)
        if kind is v.Context:
            return self.context_member(bare, name)
        if kind is v.Request:
            attribute = known(self.program).context_attributes.get(bare.framework)
            if attribute and bare.part == "" and name == attribute:  # Sanic request.ctx: the request's own namespace
                return v.tag(v.Request(bare.framework, "ctx"), tags | {v.REQUEST_TAG})
            if attribute and bare.part == "" and name == "app":  # Sanic request.app: the application (its ctx)
                return v.Context(bare.framework, "app")
            if name == "app" and bare.framework in ("express", "koa") and bare.part == "":
                return v.App(bare.framework)  # req.app / ctx.app: the application (its settings, its own properties)
            context = request_context(bare, name)
            if context is not None:  # aiohttp request.app / request.config_dict, Starlette request.app
                return context
            if name == "server" and bare.framework == "fastify" and bare.part == "":
                return v.App("fastify")  # request.server: the Fastify instance (its decorators)
            if name == "var" and bare.framework == "hono" and bare.part == "":
                return v.Request("hono", "var")  # c.var.db: the context variables c.set() wrote
            container = slot_container(self.program, bare.framework, f"{bare.part}.{name}" if bare.part else name)
            if container is not None:  # request.diScope (@fastify/awilix), req.container (awilix-express)
                return container
            if node is not None:
                self.request_event("request-read", bare, name, node.span)
            if bare.part == "" and name == self._framework_data(bare.framework).get("auth_attribute"):
                authed = self._route_auth(bare.framework)
                if authed is not None:  # django-ninja's `request.auth`: what the operation's auth returned
                    return authed
            if bare.part == "" and name == "user" and bare.framework == "django":
                user = self.program.django_user_model()  # set by the authentication middleware / DRF authenticators
                if user:
                    return v.Row("django", user)
            if bare.part == "" or bare.part in ("state",):
                part = known(self.program).request_parts.get(name)
                if part is None and name in ("request", "req"):  # ctx.request (Koa), c.req (Hono)
                    return v.tag(v.Request(bare.framework, ""), tags | {v.REQUEST_TAG})
                if part == "body" and bare.part == "" and (self.path, self.function.fid) in self.program.stripped_body_handlers(bare.framework):
                    return v.tag(v.UNKNOWN, frozenset({v.INPUT_TAG}))  # the route's schema parsed it: declared keys only
                if part == "body" and bare.part == "":
                    replaced = next((t[len(v.BODY_REPLACED_TAG):] for t in tags if t.startswith(v.BODY_REPLACED_TAG)), None)
                    if replaced is not None:  # the body a validation middleware stored before this handler
                        handler_path, _, fid = replaced.rpartition(":")
                        stored = self.program.replaced_body(handler_path, int(fid))
                        if stored is not None:
                            return stored
                if part is not None:
                    chosen = frozenset({v.INPUT_TAG}) if part in v.INPUT_PARTS else frozenset()
                    return v.tag(v.Request(bare.framework, part), tags | {v.REQUEST_TAG} | chosen)
                return v.tag(v.UNKNOWN, tags | {v.REQUEST_TAG})
            if "." not in bare.part:
                return v.tag(v.Request(bare.framework, f"{bare.part}.{name}"), tags | {v.REQUEST_TAG})
            return v.tag(v.UNKNOWN, tags | {v.REQUEST_TAG})
        if kind is v.Record:
            found = bare.get(name)
            if found is None:  # sequelize-cli's models/index.js registry
                found = self.program.registered_model(self.path, name)
            if found is not None:
                return v.tag(found, tags)
            return v.tag(v.UNKNOWN, tags)
        if kind is v.Function and name in ("call", "apply", "bind"):
            return bare
        if kind is v.App and name in ("router", "routes", "app"):  # aiohttp app.router.add_get
            return bare
        if kind is v.App and slot_container(self.program, bare.framework, name) is not None:
            return slot_container(self.program, bare.framework, name)  # fastify.diContainer
        if kind is v.App and name == "context" and bare.framework == "koa":
            return v.Request("koa")  # app.context: the prototype of every ctx (app.context.db = db)
        if kind is v.App and name == "locals" and bare.framework == "express":
            return v.Request("express", "app.locals")  # app.locals / req.app.locals: application-wide values
        if kind is v.App:
            context = app_context(bare, name, known(self.program))
            if context is not None:  # app.state / app.extensions / app.on_startup
                return context
        return v.tag(v.UNKNOWN, tags)

    def context_member(self, context: v.Context, name: str):
        """An attribute of a context namespace: a nested namespace (``request.app.state``,
        ``current_app.extensions``) or the slot's value (``g.db``, ``app.state.pool``)."""
        if context.framework == "starlette" and context.scope == "app":
            return v.Context("starlette", "app.state") if name == "state" else v.UNKNOWN
        if context.framework == "flask" and context.scope == "app":
            if name == "extensions":
                return v.Context("flask", "extensions")
            # `current_app.pool`: what a hook stored as `app.pool = await asyncpg.create_pool(…)` (a DB handle only)
            held = self.program.read_context("flask", "app", name)
            return held if held is not None else v.UNKNOWN
        if context.scope == "app" and context.framework in known(self.program).context_attributes:
            attribute = known(self.program).context_attributes[context.framework]
            return v.Context(context.framework, "app.ctx") if name == attribute else v.UNKNOWN
        held = self.context_read(context, name)
        if held is None and context.scope in known(self.program).attribute_scopes:
            # `g.user` an auth decorator stored (`g.user = User.query.get(id)`): the row every write stored
            held = self.program.read_row_context(context.framework, context.scope, name)
        return held if held is not None else v.UNKNOWN

    def _request_row(self, value, name: str):
        """``req.user`` / ``ctx.state.user`` in a handler: the row an auth middleware stored there
        (``req.user = await User.findByPk(payload.id)``), so ``authorId: req.user`` is seen as a row."""
        bare = v.strip(value)
        if type(bare) is not v.Request or bare.part not in ("", "state"):
            return None
        scope = _CONTEXT_SCOPES.get(bare.part)
        return self.program.read_row_context(bare.framework, scope, name) if scope else None

    def context_read(self, value, name: str):
        """``req.db`` / ``ctx.state.db`` / ``c.var.db`` / ``fastify.db`` / ``app.locals.db`` /
        ``g.db`` / ``app.state.pool`` / Starlette ``request.state.db``: the DB handle the project
        stored in that framework context slot (``Program.context_values``), else ``None``."""
        bare = v.strip(value)
        if type(bare) is v.Request and name not in known(self.program).request_parts:
            scope = _CONTEXT_SCOPES.get(bare.part)
            return self.program.read_context(bare.framework, scope, name) if scope else None
        if type(bare) is v.App and (bare.framework == "fastify" or bare.framework in known(self.program).app_attribute_slots):
            return self.program.read_context(bare.framework, "app", name)
        if type(bare) is v.Context and bare.scope in known(self.program).attribute_scopes:
            held = self.program.read_context(bare.framework, bare.scope, name)
            if held is not None and bare.framework in ("flask", "quart") and bare.scope == "g" \
                    and _unit_of_work_connection(held, known(self.program).unit_of_work_drivers):
                held = v.tag(held, frozenset({G_CONNECTION + name}))  # the request's own connection (AL206)
            return held
        return None

    def _chained_relation(self, attribute: v.ModelAttr, name: str, node) -> None:
        """``Article.author.username`` on the class: a relationship attribute has no attributes of
        its target (SQLAlchemy raises AttributeError when the expression is built)."""
        if attribute.stack != "sqlalchemy" or node is None:
            return
        relation = self.program.schema.relation(attribute.model, attribute.name)
        target = self.program.schema.get(relation.target) if relation is not None else None
        if target is not None and (name in target.columns or name in target.relations):
            self.event("relation-attribute-chained", node, f"{attribute.model}|{attribute.name}|{name}")

    def event(self, kind: str, node, detail: str) -> None:
        if node is None:
            return
        if self.analysis is not None:
            self.analysis.events.append(Event(kind, self.path, node.span, detail))
        elif kind in CONTEXT_EVENTS:
            self.context_events.append(Event(kind, self.path, node.span, detail))

    def request_event(self, kind: str, request: v.Request, name: str, span: Span) -> None:
        """``request-read`` / ``request-write`` of a request attribute or item, by where it lives
        on the request: ``user`` (``req.user``), ``state.user`` (``ctx.state.user``,
        ``request.state.user``), ``[user]`` (aiohttp ``request['user']``), ``var.user`` (Hono
        ``c.get('user')`` / ``c.set('user', …)``), ``body``, ``query.limit`` … — what the
        framework rules compare between middleware and handlers."""
        if self.analysis is None:
            return
        detail = f"{request.part}.{name}" if request.part else name
        self.analysis.events.append(Event(kind, self.path, span, detail))

    def _routed_view(self, instance: v.Instance) -> bool:
        """A class some route serves (a Django class-based view, a DRF view or viewset), or a subclass of one."""
        handlers = self.program._handler_frameworks()
        for path, cid in self.program.subclass_chain(instance.path, instance.cid):
            cls = self.program.cls(path, cid)
            if cls is not None and any((path, fid) in handlers for fid in cls.methods):
                return True
        return (instance.path, instance.cid) in self.program.routed_bases()  # a mixin of a routed view

    def _view_class(self, instance: v.Instance) -> bool:
        """A Django / DRF class-based view whose route archlint does not see (URL patterns built at runtime):
        it still serves requests, so ``self.request`` is one."""
        from archlint.semantics.frameworks import is_view_class

        return is_view_class(self.program, instance.path, instance.cid)

    def _aiohttp_view(self, instance: v.Instance) -> bool:
        return any(type(base) is v.External and base.name in ("aiohttp.web.View", "aiohttp.web_urldispatcher.View", "aiohttp.web_views.View")
                   for path, cid in self.program.subclass_chain(instance.path, instance.cid) for base in self.program.bases(path, cid))

    def _drf_action_member(self, instance: v.Instance, name: str, action: str):
        """A member of a DRF view that serves ``action``: ``self.action`` is that action's name (DRF
        sets it per request), a method stays bound to a view serving it (``self.base_queryset()``)."""
        written, _owner = self.program.field_entry(instance.path, instance.cid, name)
        if name == "action" and written is None and self.program.class_field(instance.path, instance.cid, name) is None:
            return v.Const(action[len(v.DRF_ACTION_TAG):])
        found = self.instance_member(instance, name)
        if type(found) is v.Function and found.bound == instance:
            return found._replace(bound=v.tag(instance, frozenset({action})))
        return found

    def instance_member(self, instance: v.Instance, name: str, client_data: bool = False):
        found = self.program.method(instance.path, instance.cid, name)
        if found is not None:
            if _is_property(self.program.function(found.path, found.fid), known(self.program)):  # `self.connection` runs the getter
                return self.call_function(None, found._replace(bound=instance), ())
            return found._replace(bound=instance)
        written, owner = self.program.field_entry(instance.path, instance.cid, name)
        if written is not None and owner != (instance.path, instance.cid) and type(v.strip(written)) is v.Instance:
            # written on instances of a base (`new Base(…, sqlJsSession)`): not what this subclass's
            # own construction passes, so the held object's class is not certain
            written = v.tag(written, frozenset({"declared"}))
        member = self.program.class_field(instance.path, instance.cid, name)
        if name == "context" and written is None and member is None:
            from archlint.semantics.frameworks import serializer_context

            context = serializer_context(self.program, instance)
            if context is not None:
                return context
        if name == "object_list" and written is None and member is None:
            from archlint.semantics.frameworks import django_list_rows, is_django_list_view

            if is_django_list_view(self.program, instance):  # BaseListView.get: self.object_list = self.get_queryset()
                rows = django_list_rows(self, instance)
                if rows is not None:
                    return rows
        if name == "kwargs" and written is None and member is None and self.python and self._routed_view(instance):
            return v.tag(v.UNKNOWN, frozenset({v.INPUT_TAG}))  # a Django/DRF view's URL kwargs (`self.kwargs["slug"]`)
        if name in ("validated_data", "initial_data") and written is None and member is None and self.python:
            from archlint.semantics.frameworks import is_serializer

            if is_serializer(self.program, v.ClassValue(instance.path, instance.cid)):
                return v.tag(v.UNKNOWN, frozenset({v.INPUT_TAG}))  # what the client sent, validated or not
        if name == "request" and written is None and member is None and self._aiohttp_view(instance):
            return v.tag(v.Request("aiohttp"), frozenset({v.REQUEST_TAG}))  # web.View keeps the request it serves
        if name == "request" and written is None and member is None and self.python and (
                self._routed_view(instance) or self._view_class(instance)):
            return v.tag(v.Request("django"), frozenset({v.REQUEST_TAG}))  # View.setup() keeps the request it serves
        declared = None
        initial = False  # `declared` is the value the field starts with (`isSQLite = false`), not its type
        if member is not None:
            if member.value is not None and type(member.value) is not ir.FuncRef:
                declared = self.eval_in_module(instance.path, member.value)
                initial = True
                held = v.strip(declared)
                if type(held) is v.Instance and self.program.method(held.path, held.cid, "__get__") is not None:
                    declared = v.UNKNOWN  # a descriptor (`event = AttributeProxyProperty("event")`): its __get__ answers the read
                elif client_data and member.annotation is not None and self._schema_instance(instance):
                    # `tag_list: Optional[List[str]] = None` of a pydantic model the client sent: the default only
                    # when the client left the field out — any value of its type otherwise (luizcarloscf/
                    # fastapi-realworld-example create_article: `if article.tag_list:` was dead).  Not on objects
                    # the program builds itself (prefect's OrchestrationContext): there the default stands until
                    # the construction is tracked — widening them made 5 false AL220 on prefect's orchestration
                    frame = Frame(self.program, instance.path, self.program.modules[instance.path].module, self.depth)
                    typed = frame.type_value(member.annotation)
                    declared, initial = v.join(declared, v.UNKNOWN if typed is None else typed), False
            if (declared is None or v.is_unknown(declared)) and member.decorators:
                for decorator in member.decorators:
                    frame = Frame(self.program, instance.path, self.program.modules[instance.path].module, self.depth)
                    injected = frame.parameter_decorator(decorator)
                    if injected is not None:
                        declared, initial = injected, False
            if (declared is None or v.is_unknown(declared)) and member.annotation is not None:
                frame = Frame(self.program, instance.path, self.program.modules[instance.path].module, self.depth)
                declared, initial = frame.type_value(member.annotation), False
            if member.value is not None and type(member.value) is ir.FuncRef:
                return v.Function(instance.path, member.value.fid, instance)
        if written is not None and declared is not None and not v.is_unknown(declared):
            if initial and type(v.strip(declared)) is v.Const and v.strip(declared).value is not None and v.is_unknown(written):
                # a constant the field starts with, overwritten by a value archlint cannot tell (the constructor's
                # `this.isSQLite = db.client.config.client.includes('sqlite3')`): either may be read — not the constant
                # alone (a `None` placeholder keeps its meaning: filled later, see Program._refined_join)
                return v.join(declared, written)
            return v.join(written, declared) if v.is_unknown(written) is False else declared
        if written is not None:
            return written
        if declared is not None:
            return declared
        handle = self._handle_base(v.ClassValue(instance.path, instance.cid))
        if handle is not None:  # this.prisma.article on a PrismaService: what the inherited client has
            return self._bound_member(instance, handle, name) or self.member(handle, name, None)
        return v.UNKNOWN

    def _schema_instance(self, instance: v.Instance) -> bool:
        from archlint.semantics.frameworks import is_schema

        return is_schema(self.program, v.ClassValue(instance.path, instance.cid))

    def _bound_member(self, instance: v.Instance, handle, name: str):
        """``self.repository`` of an advanced-alchemy service: an instance of the project repository class
        its ``repository_type`` names (its own methods callable), not only the library's handle."""
        bare = v.strip(handle)
        library = self.program.library
        derived = library.derived(bare, name)
        attribute = library.bound_models.get((bare.stack, bare.kind))
        if derived is None or attribute is None or (derived.stack, derived.kind) not in library.bound_models:
            return None
        named = self._class_attribute(v.ClassValue(instance.path, instance.cid), attribute)
        if type(named) is not v.ClassValue or self.program.model_of_class(named.path, named.cid):
            return None
        inner = v.strip(self._handle_base(named))
        if type(inner) is not v.Db or inner.kind != derived.kind:
            return None
        return v.tag(v.Instance(named.path, named.cid), v.tags_of(handle))

    def eval_in_module(self, path: str, node):
        if path == self.path and self.function.kind == "module":
            return self.eval(node)
        frame = Frame(self.program, path, self.program.modules[path].module, self.depth)
        frame.env = dict(self.program.module_env(path))
        try:
            return frame.eval(node)
        except (_Budget, RecursionError):  # past the budget, or nesting deeper than Python's stack
            return v.UNKNOWN

    def _remember_loaded(self, name: str, value, relation: str) -> None:
        """A relation read once stays loaded on that object (Django caches it on the instance,
        SQLAlchemy in the identity map): reading it again issues no second query."""
        bare = v.strip(value)
        if relation not in bare.loaded and self.program.schema.relation(bare.model, relation) is not None:
            self.env[name] = v.tag(bare._replace(loaded=bare.loaded | {relation, v.READ_LOADED + relation}), v.tags_of(value))

    def _loader_callback_alone(self) -> bool:
        """This frame is a callback written inside a ``router.param`` loader (``Article.findOne(…).then((article)
        => { req.article = article; … })``) analysed on its own, its parameters unknown: the loader's own run
        calls it with the row, and the unknown this run stores would join that row into an unknown slot, so a
        handler in another module, analysed after both, would read no row from ``req.article``."""
        return len(self.program.stack) == 1 and (self.path, self.function.fid) not in self.program.param_loaders

    def _in_param_loader(self) -> bool:
        """This frame runs a ``router.param`` loader, or a callback written inside one (``User.findOne(…)
        .then((user) => { req.profile = user; … })``: the promise callback stores the loader's row)."""
        loaders = self.program.param_loaders
        if not loaders:
            return False
        module = self.program.modules.get(self.path)
        fid = self.function.fid
        while fid > 0:
            if (self.path, fid) in loaders:
                return True
            fid = module.functions[fid].parent if module is not None and fid < len(module.functions) else -1
        return False

    def row_member(self, row: v.Row, tags: frozenset, name: str, node):
        """An attribute of a model instance: a column (a plain value), or a relation — read from
        what the query loaded, or loaded now (a lazy load: one query per row in a loop)."""
        relation = self.program.schema.relation(row.model, name) if row.model else None
        effect_tags = tags
        if AWAITABLE in tags:  # `await row.awaitable_attrs.rel`: a legal async load, still one query per row
            tags = tags - {AWAITABLE}
            effect_tags = tags - {"async"}
        if relation is None and name in known(self.program).row_metadata:
            return v.UNKNOWN  # `self._meta`: the model's schema, nothing of the request that chose the row
        if relation is None and row.stack == "sqlalchemy":
            proxied = self._association_proxy(row, tags, name, node)
            if proxied is not None:
                return proxied
        if relation is None:
            model = self.program.schema.get(row.model) if row.model else None
            getter = self.program.method(model.path, model.cid, name) if model is not None and model.cid >= 0 else None
            if getter is not None and not _is_property(self.program.function(getter.path, getter.fid), known(self.program)):
                getter = None  # a plain method: read, not run
            elif getter is None and model is not None and model.cid >= 0:
                getter = property_getter(self.program, model.path, model.cid, name)  # `display = property(_display)`
            if getter is not None and row.stack == "django" and name in row.loaded:
                # `.annotate(has_variations=Count("variations"))`: the queryset sets the attribute on each row,
                # which shadows the model's cached_property of that name — the getter does not run
                getter = None
            if getter is not None:
                # `article.favoritesCount`: the getter runs here, so what it queries is traced to this read
                # (a serializer field reading the attribute — `fields.List(…, attribute="tag_names")` — is the site)
                site = node if type(node) in (ir.Attr, ir.Call) else None
                return self.call_function(site, getter._replace(bound=v.tag(row, tags)), (), label=name if type(node) is ir.Call else "")
            # a column of a row the program holds is a stored key — past the read, which raises on a
            # missing row (not `row?.id`) — unless declared nullable (`editor_id` may be None)
            # — nor of a row built here from what the caller gave (`repository.create(input).tagList`): the client's
            # values, not keys of stored rows
            stored = (not row.nullable or type(node) is ir.Attr and not node.optional) \
                and (model is None or name not in model.nullable_columns) and not (NEW_ROW & tags and name != "id")
            return v.tag(v.UNKNOWN, tags | {v.STORED_KEY_TAG} if stored else tags)
        shared = v.SHARED in row.loaded and not relation.collection  # a foreign key of a shared instance: loaded once
        loaded = "*" in row.loaded or shared or any(path == name or path.startswith(name + ".") for path in row.loaded)
        nested = frozenset(path[len(name) + 1:] for path in row.loaded if path.startswith(name + "."))
        if ANY_DEPTH in row.loaded:  # loads archlint could not read: the related row's relations may be loaded too
            nested = nested | {ANY_RELATION, ANY_DEPTH}
        if shared:
            nested = nested | {v.SHARED}
        stack = row.stack
        back = self.program.schema.one_to_one_back(row.model, name) if stack == "django" else ""
        if stack == "sqlalchemy":  # `card.board` over `board.cards`: the identity map answers with `board` again
            back = self.program.schema.identity_back(row.model, name)
        if back:  # `order.invoice_address.order` is `order` again, with what it has loaded
            nested = nested | {back} | frozenset(f"{back}.{path}" for path in row.loaded)
        target_stack = self.program.schema.models[relation.target].stack if relation.target in self.program.schema.models else stack
        if stack == "tortoise" and not loaded:
            # a relation the rows' queryset did not fetch: an awaitable query of the related rows (`await article.author`,
            # `await user.articles.all()`) — one query per row in a loop.  A non-null forward key always finds its row.
            owner = self.program.schema.get(row.model)
            nonempty = not relation.collection and relation.kind == "forward" and owner is not None and name not in owner.nullable
            if type(node) is ir.Attr:  # read without `await` it is no row (AL809)
                self.event("awaitable-relation", node, f"{relation.target}|{'many' if relation.collection else 'one'}")
            return v.tag(v.Query(target_stack, relation.target, single=not relation.collection, nonempty=nonempty), tags)
        if stack == "peewee" and relation.collection and not loaded:
            # a Peewee backref / many-to-many the rows were not prefetched with is a query of the related rows
            # (`user.tweets.order_by(…)`): reading it runs nothing, iterating or counting it runs one — per row in a loop
            return v.tag(v.Query(target_stack, relation.target, lazy=True), tags)
        if stack == "django" and relation.collection:  # a related manager: queries when read through
            if loaded:
                # prefetched: the prefetch hands each related row the row it was read through (Django sets the
                # foreign key's cache of every prefetched row), so `answer.orderposition` is that row again, with
                # what it loaded — and what it did not load is still that row's one load, not the related row's
                back = [key for key in self.program.schema.back_reference(f"{row.model}.{name}") if "." not in key]
                nested = nested | frozenset(back) | frozenset(f"{key}.{path}" for key in back for path in row.loaded)
            return v.tag(v.Db("django", "prefetched" if loaded else "manager", relation.target, f"{row.model}.{name}",
                              nested if loaded else frozenset()), tags)
        # a model built here and not yet stored (pending/transient) has nothing to lazy-load: no raise either
        raising = not loaded and stack == "sqlalchemy" and not (tags & NEW_ROW) and v.TYPED_ROW_TAG not in tags \
            and self._raises_on_read(row, relation, name)
        strategies = support_names(self.program)
        if relation.collection and relation.strategy not in strategies.no_query_strategies and type(node) is ir.Attr and not raising:
            # a collection materialised in memory (what counting it in code reads: AL232)
            state = ("read" if v.READ_LOADED + name in row.loaded else "loaded") if loaded else relation.strategy
            self.event("collection-read", node, f"{row.model}|{name}|{state}")
        if raising:  # lazy="raise" / raiseload(): InvalidRequestError instead of a query (AL235)
            self.effect("lazy", stack, row.model, name, node, effect_tags | {v.RAISE_LOAD_TAG}, detail=name)
        elif not loaded and relation.strategy not in ("none",) and relation.strategy not in strategies.eager_strategies \
                and relation.strategy not in strategies.no_query_strategies:
            self.effect("lazy", stack, row.model, name, node, effect_tags, detail=name)
        if relation.collection and relation.strategy == "dynamic" and stack == "sqlalchemy":
            # lazy="dynamic": the attribute is a query (AppenderQuery) of the related rows — each
            # `.all()`, `.count()`, `.filter(…)` or iteration runs one, per row in a loop
            return v.tag(v.Query(target_stack, relation.target, lazy=True), tags)
        if not loaded and relation.strategy == "none" and stack in ("sequelize", "typeorm", "prisma", "objection") and node is not None:
            # an association the query did not include — one row or a collection: the attribute is
            # undefined, and reading through it (`a.author.name`, `a.tags.map(…)`, `a.tags.length`) raises
            origin = f"{self.path}:{node.span.line}:{node.span.column}:unloaded:{name}"
            return v.tag(v.Row(target_stack, relation.target, nested, nullable=True, origin=origin, empty="undefined"), tags)
        if relation.collection:
            return v.tag(v.Rows(target_stack, relation.target, nested), tags)
        from archlint.semantics.schema import known as _schema_names

        if stack == "django" and relation.via in _schema_names(self.program).django_generic_keys:
            return v.tag(v.UNKNOWN, tags)  # a generic foreign key's object: a row of any model — nothing is known of it
        return v.tag(v.Row(target_stack, relation.target, nested), tags)

    def _association_proxy(self, row: v.Row, tags: frozenset, name: str, node):
        """``cert.domains`` where the model declares ``domains = association_proxy("certificate_associations",
        "domain")`` (lemur's Certificate): the read loads the row's ``certificate_associations`` as reading
        that relation would, and answers the ``domain`` of each — rows of its target.  ``None`` when ``name``
        is no such proxy of the row's model class."""
        from archlint.semantics.schema import known as schema_names

        model = self.program.schema.get(row.model) if row.model else None
        field = self.program.class_field(model.path, model.cid, name) if model is not None and model.cid >= 0 else None
        call = field.value if field is not None else None
        if (type(call) is not ir.Call or len(call.args) < 2 or type(call.args[0].value) is not ir.Const
                or self.program.static_name(model.path, call.func) not in schema_names(self.program).sqlalchemy_association_proxies):
            return None
        collection = call.args[0].value.value
        through = self.program.schema.relation(row.model, collection) if isinstance(collection, str) else None
        if through is None:
            return None
        related = v.strip(self.row_member(row, tags, collection, node))
        attribute = call.args[1].value.value if type(call.args[1].value) is ir.Const else None
        target = self.program.schema.relation(through.target, attribute) if isinstance(attribute, str) and through.target else None
        if type(related) not in (v.Rows, v.Row) or target is None or not target.target:
            return v.tag(v.UNKNOWN, tags)
        nested = frozenset(path[len(attribute) + 1:] for path in related.loaded if path.startswith(attribute + "."))
        return v.tag(v.Rows(row.stack, target.target, nested), tags)

    @staticmethod
    def _raises_on_read(row: v.Row, relation, name: str) -> bool:
        """A relation the query did not load whose read raises InvalidRequestError: declared
        ``lazy="raise"``, or named by a ``raiseload()`` option of the query (``raiseload("*")`` covers
        every relation no other option named).  ``raise_on_sql`` (``sql_only=True``) raises only when a
        query would run: always for a collection, not for a many-to-one an identity-map hit may answer."""
        options = row.loaded
        if v.RAISE_LOADER + name in options:
            return True
        if v.RAISE_SQL_LOADER + name in options:
            return relation.collection
        if relation.strategy in ("write_only", "dynamic"):
            return False  # not loaded by reading: a query object (wildcard options leave them alone)
        if v.RAISE_LOADER + "*" in options:
            return True
        if v.RAISE_SQL_LOADER + "*" in options:
            return relation.collection
        if relation.strategy == "raise":
            return True
        return relation.strategy == "raise_on_sql" and relation.collection

    def indexed_query(self, node: ir.Index, obj, index):
        """``query[0]`` / ``query[:5]`` where the library runs the query to answer it (``semantics.toml``
        ``query.__getitem__`` / ``query.__getslice__``: a SQLAlchemy legacy ``Query`` selects with LIMIT/OFFSET,
        a Django QuerySet fetches ``qs[0]``) — a read, as ``.first()`` is; per row of a loop, an N+1
        (ihatemoney's ``pr.get_bills()[0].date`` for each project).  ``None`` when it does not."""
        bare = v.strip(obj)
        if type(bare) is not v.Query or bare.cached or len(v.options(obj)) > 1:
            return None
        sliced = type(node.index) is ir.Opaque and node.index.kind == "slice"
        method = "__getslice__" if sliced else "__getitem__"
        if self.program.library.outcome(bare.stack, "query", method) is None:
            return None
        args = [] if sliced else [("pos", "", index, node.index)]
        call = ir.Call(ir.Attr(node.obj, method, node.span), tuple(ir.Arg("pos", "", a[3]) for a in args), node.span)
        return self.method_call(call, obj, method, args)

    def subscript(self, obj, index):
        # what the index was read from stays on the element (taint, per-row loops) — but not that the
        # index is a stored row's key: `entry[config.mail_attribute]` is a value the key chose, not a
        # key itself, and a lookup by it may well find nothing
        tags = v.tags_of(obj) | (v.tags_of(index) - v.elem_loops(index) - {v.STORED_KEY_TAG})
        bare = v.strip(obj)
        kind = type(bare)
        if kind is v.Rows and v.elem_loops(index):  # rows[i] in for (let i = 0; i < rows.length; i++)
            return v.tag(v.Row(bare.stack, bare.model, bare.loaded), tags | v.elem_loops(index))
        if kind is v.Rows:  # JS: rows[0] of no rows is undefined
            # of a raw lookup's rows, the lookup's own row (judged at its reads, origin the query); else unjudged
            origin = next((t[len(v.LOOKUP_ROWS_TAG):] for t in sorted(tags) if t.startswith(v.LOOKUP_ROWS_TAG)), "") \
                if not self.python and type(v.strip(index)) is v.Const and v.strip(index).value == 0 else ""
            tags = frozenset(t for t in tags if not t.startswith(v.LOOKUP_ROWS_TAG))
            return v.tag(v.Row(bare.stack, bare.model, bare.loaded, nullable=True, origin=origin,
                               empty="" if self.python else "undefined"), tags)
        if kind is v.Query and bare.lazy:  # Django qs[0] runs the query (IndexError when empty)
            return v.tag(v.Row(bare.stack, bare.model, bare.loaded, nullable=True), tags)
        if kind is v.External and bare.name in framework_names(self.program).converters:  # OffsetPagination[Article](items=rows): the same class
            return obj
        if kind is v.Items and bare.keyed and type(v.strip(bare.item)) is v.Row and v.elem_loops(index):
            # `tags[name]` with `name` a loop's element: the stored row that element picks — another row on
            # every iteration, so a query keyed by it runs once per element (chahoseong/realworld-fastapi-backend
            # _replace_article_tags: `tag = tags[name]` then a lookup by `tag.id` per dropped tag name)
            return v.tag(bare.item, tags | v.elem_loops(index))
        if kind is v.Items:  # result[0] / by_slug[slug]: one of the elements
            return v.tag(bare.item, tags)
        if kind is v.Tuple:
            position = v.strip(index)
            if type(position) is v.Const and isinstance(position.value, int) and -len(bare.items) <= position.value < len(bare.items):
                return v.tag(bare.items[position.value], tags)
            return v.tag(v.UNKNOWN, tags)
        if kind is v.Record:
            key = v.strip(index)
            if type(key) is v.Const and isinstance(key.value, str):
                found = bare.get(key.value)
                if found is not None:
                    return v.tag(found, tags)
            elif self.python and type(key) is not v.Const and bare.items and all(type(v.strip(item)) is v.Function for _, item in bare.items):
                # `HANDLERS[name]` with a computed key on a dict literal of functions: one of them
                return v.tag(v.function_table(item for _key, item in bare.items), tags)
        if kind is v.Context or kind is v.App and bare.framework == "aiohttp":
            key = context_key(index)  # request.app['db'] / current_app.extensions['sqlalchemy']
            context = bare if kind is v.Context else v.Context("aiohttp", "app")
            held = self.program.read_context(context.framework, context.scope, key) if key else None
            return held if held is not None else v.UNKNOWN
        if kind is v.Row and not bare.nullable and type(v.strip(index)) is v.Const and (
                isinstance(v.strip(index).value, str) or self.python and type(v.strip(index).value) is int):
            # row['author_id'] of a row the program holds, or `row[0]` of a result row (`select(Chat.id)`)
            return v.tag(v.UNKNOWN, tags | {v.STORED_KEY_TAG})
        if kind is v.Request:
            key = v.strip(index)
            if type(key) is v.Const and isinstance(key.value, str):
                if bare.framework == "aiohttp" and not bare.part:  # request['session'] a middleware stored
                    held = self.program.read_context("aiohttp", "item", key.value)
                    if held is None:
                        held = self.program.read_row_context("aiohttp", "item", key.value)
                    if held is not None:
                        return held
                return self.member(obj, key.value, None)
            return v.tag(v.UNKNOWN, tags | {v.REQUEST_TAG})
        return v.tag(v.UNKNOWN, tags)

    def binop(self, op: str, left, right):
        # `key + 1`, `prefix + key`: computed from a key, not one; `(User.id == key) & …` is still keyed
        tags = all_tags((left, right)) if op in ("&", "|") else computed_tags((left, right))
        a, b = v.strip(left), v.strip(right)
        if type(a) is v.Const and type(b) is v.Const and request_free(left, right):
            if op == "+" and isinstance(a.value, str) and isinstance(b.value, str):
                return v.Const(a.value + b.value)
            return v.Const(v.ANY_CONSTANT)
        if op == "*" and (v.is_constant(left) or v.is_constant(right)) and request_free(left, right):
            if type(a) is v.Const and isinstance(a.value, str) or type(b) is v.Const and isinstance(b.value, str):
                return v.Const(v.ANY_CONSTANT)  # "?" * len(ids)
        rows = self._rows_operand(op, a, b)
        if rows is not None:
            return v.tag(rows, tags)
        return v.tag(v.UNKNOWN, tags)

    def _rows_operand(self, op: str, a, b):
        """The DB rows a Python set/list operator keeps: ``set(old_names) - set(new_names)`` and ``&`` are some
        of the left operand's rows, ``set(old_names) | set(new_names)`` (``^``, list ``+``) holds every row of a
        rows operand — a loop over it still runs once per stored row (chahoseong/realworld-fastapi-backend
        ``_replace_article_tags``: a query per old tag name).  ``None`` when no operand is rows."""
        if not self.python:
            return None
        if op in ("-", "&"):
            return a if type(a) is v.Rows else None
        if op in ("|", "^", "+"):
            if type(a) is v.Rows and type(b) is v.Rows:
                return a if a.model == b.model else None
            # a list or set of rows combined with anything is a collection holding those rows
            return a if type(a) is v.Rows else b if type(b) is v.Rows else None
        return None

    def _attr(self, node: ir.Attr, value):
        """``obj.name`` of ``value`` (the object, past its null check)."""
        key = field_key(node.obj, node.name) or self._request_slot(node.obj, node.name)
        if key and key in self.env:
            return self.env[key]
        held = self.context_read(value, node.name)
        if held is not None:
            return held
        result = self.member(value, node.name, node)
        held_row = self._request_row(value, node.name)
        if held_row is not None:
            return held_row  # read after member(): the request-read event (AL810) is recorded all the same
        if type(node.obj) is ir.Name and type(v.strip(value)) is v.Row and node.obj.id in self.env:
            self._remember_loaded(node.obj.id, value, node.name)
        return result

    def _strict_read(self, node) -> bool:
        """A read of a non-Django helper's possibly-missed None that is judged: through a name assigned from the call
        on this same branch and not handed to any function since (see ``strict_missed``), or the call itself."""
        while type(node) in (ir.Attr, ir.Index):
            node = node.obj
        if type(node) is ir.Name:
            return self.strict_missed.get(node.id) in (v.LOCAL_LOOKUP, self.branch)
        return type(node) in (ir.Call, ir.Await)

    def dereference(self, node, value, span: Span, via: tuple = (), subscript: str = "", destructure: bool = False,
                    sink: str = "") -> None:
        """Record a read of a value that may be None/null; past it the name holds a row (on the
        path where it was None the read raised), so one lookup is judged once per path."""
        if not v.is_nullable(value):
            return
        if v.STRICT_MISSED_TAG in v.tags_of(value) and not self._strict_read(node):
            return
        if not self.catching_none:
            from archlint.domain.ir_format import render

            rows = [v.strip(o) for o in v.options(value) if type(v.strip(o)) is v.Row]
            model = next((row.model for row in rows), "")
            origin = next((row.origin for row in rows if row.nullable and row.origin), "") \
                or v.missed_origin(value)
            guard = next((t[len(WRONG_GUARD_TAG):] for t in sorted(v.tags_of(value)) if t.startswith(WRONG_GUARD_TAG)), "")
            asserted = node is not None and (node.span.end_line, node.span.end_column) in self.module.asserted \
                or ASSERTED_TAG in v.tags_of(value)
            empty = next((row.empty for row in rows if row.nullable and row.origin), "")
            if not rows and not self.python:
                empty = "undefined"  # a missing row's member read with `?.` (Frame._missing_member)
            deref = Deref(self.path, span, render(node, 60), model, origin, via, subscript, destructure, guard, asserted, empty, sink)
            self.null_derefs.append(deref)
            tags = all_tags(v.options(value))
            if ":unloaded:" in origin:
                # a relation the row's own query did not load is undefined whatever key found the row: not a
                # question of what the callers pass (`user = await repo.findOne(id); user.favorites.findIndex(…)`)
                tags = frozenset(t for t in tags if not t.startswith(v.DEFERRED_PARAMETER_TAG)
                                 and t not in (v.CHECKED_LOOKUP_TAG, v.DEFERRED_TAG))
            parameters = frozenset(t[len(v.DEFERRED_PARAMETER_TAG):] for t in tags if t.startswith(v.DEFERRED_PARAMETER_TAG))
            if parameters:
                # keyed by a parameter itself: what every caller passes decides (semantics/callers.py);
                # a context run for a caller knows that caller's parameter no better
                self.deferred_reads.add(span)
                if self.analysis is not None:
                    self.program.parameter_derefs.setdefault((deref.path, deref.span), (self.function.fid, deref, parameters))
            elif v.CHECKED_LOOKUP_TAG in tags and self.analysis is None:
                self.deferred_reads.add(span)  # a caller's found key in a helper: the call graph judges it
            elif v.DEFERRED_TAG in tags:
                # keyed by an unknown parameter: the contexts where the key is known judge it
                # (callee_null_derefs), else the function on its own (Program.deferred_derefs)
                self.deferred_reads.add(span)
                if self.analysis is not None:
                    self.program.deferred_derefs.setdefault((deref.path, deref.span), (self.function.fid, deref))
            elif self.analysis is not None:
                self.analysis.derefs.append(deref)
            elif ":unloaded:" in origin:
                # a helper reading a relation of the row a caller passed (`toArticleJSON(article)`):
                # judged in the caller's context, where the row's query is known
                self.program.deep_derefs.setdefault((self.path, span), deref)
        if type(node) is ir.Name and node.id in self.env:
            self.env[node.id] = non_null(self.env[node.id])
        elif not self.python and type(node) is ir.Call and len(node.args) == 1 and type(node.args[0].value) is ir.Name \
                and node.args[0].value.id in self.env and v.strip(self.env[node.args[0].value.id]) == v.strip(value):
            # `wrap(article).assign(data)` (MikroORM): the call handed back the row it was given, so past this
            # read the row is there too — `article.toJSON()` after it is the same lookup, judged once
            name = node.args[0].value.id
            self.env[name] = non_null(self.env[name])

    def await_value(self, value, node):
        bare = v.strip(value)
        if type(bare) is v.Union and any(type(v.strip(o)) is v.Query and v.strip(o).stack in self.program.library.thenables
                                         for o in bare.options):
            # `if (!ids.length) return []; return db('users').whereIn('id', ids)`: the query runs when awaited
            result = None
            for option in v.options(value):
                query = type(v.strip(option)) is v.Query
                awaited = self.await_value(option, node) if query else v.tag(v.strip(option), _no_tx(v.tags_of(option)))
                result = awaited if result is None else v.join(result, awaited)
            return result
        if type(bare) is v.Query and bare.stack in self.program.library.thenables:  # knex, Mongoose, Drizzle: runs when awaited
            # the rows a query built on `trx` returns are data, not the handle: `db('t').insert({ id: row.id })`
            # is not in the transaction (a Mongoose document keeps its session: `doc.save()` runs in it)
            data_tags = v.tags_of(value) if bare.stack == "mongoose" else _no_tx(v.tags_of(value))
            if chain_writes(self.program, bare) and bare.stack == "knex" or bare.stack == "objection" and (bare.write or chain_writes(self.program, bare)):
                # knex recorded the write where `.insert()`/`.del()` was called; awaiting it only
                # hands the whole chain (`.returning()`, `.transacting()`) to the lifters.
                self.effect("statement", bare.stack, bare.model, "await", node, v.tags_of(value), query=bare)
                for pair in _inserted_pairs(bare):  # the row now exists: a lookup by these values finds it
                    key = f"{FACT}row:{bare.model}:{pair}"
                    self.env[key] = v.Const(True)
                    self.row_facts.add(key)
                return v.tag(v.UNKNOWN, data_tags | _inserted_keys(self.program, bare))  # ids / a count / returned rows
            op = "write" if chain_writes(self.program, bare) else "read"
            self.effect(op, bare.stack, bare.model, "await", node, v.tags_of(value), query=bare)
            if self.python:  # Tortoise `await Article.filter(…)`: the chain's last call is the access site
                self.evaluated(bare)
            if op == "write":
                return v.tag(v.UNKNOWN, data_tags | _inserted_keys(self.program, bare))
            if not bare.single and aggregate_row(self.program, bare):
                # `const [{ n }] = await db('t').count('* as n')`: an aggregate without groupBy answers
                # exactly one row (a count, not rows of the table): the destructured row is never undefined
                return v.tag(v.UNKNOWN, data_tags)
            tags = data_tags | ({LOOKUP_TAG + self.site_key(node)} if bare.model else frozenset())
            if keyed_by_stored_row(self.program, bare, ()):  # where({ id: article.author_id }): a foreign key the program holds
                tags = tags | KEYED_BY_STORED_ROW
            if bare.single:
                origin = self.origin_of(node.value) if type(node) is ir.Await else ""
                nullable = (not aggregate_row(self.program, bare) and not self._inserted_here(bare)  # count('* as n').first(): one row
                            and not KEYED_BY_STORED_ROW <= tags and not bare.nonempty)  # Objection .throwIfNotFound()
                empty = self.program.library.empties.get(bare.stack, "") if nullable else ""  # Mongoose null, knex undefined
                if nullable:
                    tags = tags | lookup_key_tags(self.program, bare, ())  # `where({ id }).first()` in `findById(id)`: the callers decide
                return v.tag(v.Row(bare.stack, bare.model, bare.loaded, nullable=nullable, origin=origin if nullable else "",
                                   empty=empty), tags)
            return v.tag(v.Rows(bare.stack, bare.model, bare.loaded), tags)
        return value

    def _inserted_here(self, query) -> bool:
        """``insert({ name }).onConflict('name').ignore()`` then ``where({ name }).first()`` on this
        path: every condition of the lookup names a value the path inserted into that table (the
        fact is dropped at a merge with a path that did not, and when the name is assigned again)."""
        pairs = _lookup_pairs(query)
        return bool(pairs) and all(f"{FACT}row:{query.model}:{pair}" in self.env for pair in pairs)

    # calls ---------------------------------------------------------------------------------------------
    def effect(self, op: str, stack: str, model: str, method: str, node, tags: frozenset, deps=None, detail: str = "",
               query=None, on: frozenset = frozenset()) -> None:
        span = node.span if node is not None else self.function.span
        dependencies = deps if deps is not None else frozenset(t for t in tags if t.startswith("elem:"))
        closed = frozenset(t for t in tags if t.startswith("sess:") and t not in self.program.open_sessions
                           and t in self.program.exited_sessions)
        if query is not None and (type(query) is not v.Query or not query.chains):
            query = None
        in_tx = self.tx > 0 or any(t.startswith(v.TX_TAG) for t in tags)
        extra = {"closed:" + t[5:] for t in closed}
        block = self.tx_block()
        if block is not None and op in ("write", "dirty"):
            extra.add(block)
        if self.catching_unique and op in ("write", "commit"):
            extra.add(CAUGHT_UNIQUE)
        if self.swallowing and op in ("write", "commit"):
            extra.add(f"{SWALLOW_TAG}{len(self.loops) - self.swallowing[-1]}")
        if self.handling and op == "write":
            extra.update((v.IN_HANDLER_TAG, f"{v.HANDLER_LOOPS_TAG}{len(self.loops) - self.handling[-1]}"))
        if self.failing and op in ("read", "lazy"):
            extra.add(v.FAILURE_TAG)
        if self.managed and not in_tx and op in ("read", "write"):
            extra.add("outside-tx:" + self.managed[-1])
        opened, handle = next(((site, key) for site, opened_stack, key in reversed(self.opened) if opened_stack == stack), (None, None))
        if opened is not None and not self.managed and not in_tx and op in ("read", "write") and CONNECTION + handle not in tags:
            extra.add(OPEN_TX + opened)
        shared = v.shared_tags
        self.effects.append(Effect(op, stack, model, method, self.path, span, shared(frozenset(dependencies)), in_tx, (),
                                   tuple(self.loops), detail, shared(frozenset(tags) | extra), self.branch, query,
                                   shared(frozenset(t for t in on if t.startswith(v.IDENTITY_TAGS)))))
        if op in ("write", "dirty") and self.filter_facts:
            self.forget_found_filters(self.effects[-1])

    def evaluated(self, query) -> None:
        """A lazy queryset run here (iterated, ``list()``-ed, tested): the query is written where its
        chain was built.  When that is this file (``list(Tag.objects.values_list("name", flat=True))`` in
        a view) the access site is the chain's last builder call — what AL301 judges by its file; a
        queryset a repository built and returned keeps its access in the repository's file, and one made
        from a row's related manager (``article.tags.all()``) is a relation read, as ``article.author`` is."""
        if self.analysis is None or type(query) is not v.Query or query.via:
            return
        for chain in sorted(query.chains, key=chain_order):  # sites in source order, whatever the set's order
            step = chain[-1] if chain else None
            if step is None or step.path != self.path or type(step.node) is not ir.Call or type(step.node.func) is not ir.Attr:
                continue
            self.site(step.node, query, step.node.func.name, "query", query.model)

    def site(self, node: ir.Call, handle, method: str, category: str, model: str = "") -> None:
        if self.analysis is None:
            return
        kind = handle.kind if type(handle) is v.Db else "model" if type(handle) is v.ModelClass else type(handle).__name__.lower()
        self.analysis.sites.append(Site(self.path, node.span, handle.stack, kind, method, category, model,
                                        tuple(self.loops), self.tx > 0, callee_text(node)))


# helpers ---------------------------------------------------------------------------------------------
def _given_truthy(value) -> bool:
    """A value a caller passed for an optional parameter that is taken as given: no option of it is a constant
    that may be falsy (``None``, ``0``, ``''``, an unknown constant) nor a row that may be missing, nor a container
    that may be empty (``filter = {}`` filled under ``if``s, then ``filter=filter``: ``if filter:`` may be false)."""
    if v.is_nullable(value):
        return False
    for option in v.options(value):
        bare = v.strip(option)
        if type(bare) is v.Const and (bare.value is v.ANY_CONSTANT or not bare.value):
            return False
        if type(bare) is v.Items or type(bare) in (v.Record, v.Tuple) and not bare.items:
            return False
    return True


def _always_falsy(value) -> bool:
    """A value whose every option is a falsy constant (``None``, ``False``, ``0``, ``''``)."""
    options = v.options(value)
    bare = [v.strip(o) for o in options]
    return bool(bare) and all(type(b) is v.Const and b.value is not v.ANY_CONSTANT and not b.value for b in bare)


def _unloaded_relation(value) -> bool:
    """The value of a relation read from a JS row whose query did not load it (every alternative):
    ``undefined`` at run time (see ``row_member``), so a truth test of it is false."""
    found = False
    for option in v.options(value):
        bare = v.strip(option)
        if type(bare) is not v.Row or not bare.nullable or bare.empty != "undefined" or ":unloaded:" not in bare.origin:
            return False
        found = True
    return found


def _only_none(value) -> bool:
    """Every alternative of ``value`` is ``None`` (the path it is read on found the row missing)."""
    return all(type(option) is v.Const and option.value is None for option in map(v.strip, v.options(value)))


def _missed_none(value, narrowed: dict):
    """``UserOut.model_validate(row) if row else None``: the ``None`` of the branch where the test found the
    lookup's row missing stands for that missing row (as ``if row is None: return None`` does)."""
    if v.strip(value) != v.Const(None) or v.tags_of(value):
        return value
    return next((held for _name, held in sorted(narrowed.items()) if v.missed_origin(held)), value)


def _falsy_constant(node) -> bool:
    """``false`` / ``None`` / ``null`` / ``0`` / ``''`` written as a literal."""
    return type(node) is ir.Const and isinstance(node.value, (bool, int, float, str, type(None))) and not node.value


def run_module(program: Program, path: str, analysis: Analysis | None = None) -> dict:
    """A module's top level, interpreted once: its globals."""
    module = program.modules[path]
    frame = Frame(program, path, module.module, 0, analysis)
    program.define_closure(path, 0, frame.env)
    if module.language != "python":
        frame.default_export = next((e.value for e in module.exports if e.name == "default" and not e.local
                                     and not e.source and e.value is not None), None)
    try:
        frame.block(module.module.body)
        if module.language != "python":
            for export in module.exports:
                # `export default { development: { dialect: 'sqlite', … } }`: a config object literal,
                # its value for `import config from './config/database.js'` (an export, not a statement);
                # `export default mongoose.model('Article', articleSchema)`: the expression's value
                # (`module.exports = …` is an export too, read from "<exports>": not evaluated twice)
                if export.name == "default" and not export.local and not export.source and export.value is not None \
                        and (type(export.value) is ir.Obj or "<exports>" not in frame.env) and "<default>" not in frame.env:
                    frame.env["<default>"] = frame.eval(export.value)
    except (_Budget, RecursionError):
        pass
    if analysis is not None:
        analysis.effects = tuple(dict.fromkeys(frame.effects))
    return frame.env


def _is_sqlalchemy_update(name: str) -> bool:
    """``sqlalchemy.update`` / ``sqlalchemy.sql.expression.update`` (however it was imported)."""
    return name.startswith("sqlalchemy") and name.rsplit(".", 1)[-1] == "update"


def _found_rows(value):
    """A raw lookup's rows (tagged ``values.LOOKUP_ROWS_TAG``), or the driver result holding them as ``rows``, known to
    hold a row: the tag dropped, so their first element is a row."""
    bare = v.strip(value)
    if type(bare) is v.Rows:
        tags = v.tags_of(value)
        kept = frozenset(t for t in tags if not t.startswith(v.LOOKUP_ROWS_TAG))
        return value if kept == tags else v.tag(bare, kept)
    if type(bare) is v.Record and bare.get("rows") is not None:
        rows = bare.get("rows")
        found = _found_rows(rows)
        if found is rows:
            return value
        return v.tag(v.Record(tuple((key, found if key == "rows" else item) for key, item in bare.items)), v.tags_of(value))
    return value


def _nonempty(value):
    """A Django QuerySet known to match a row on this path (its truth value, or ``.exists()``, was
    tested): ``.first()`` on it is a row.  Other values are returned as they are."""
    changed = False
    options = []
    for option in v.options(value):
        bare = v.strip(option)
        if type(bare) is v.Query and bare.lazy and not bare.nonempty:
            option, changed = v.tag(bare._replace(nonempty=True), v.tags_of(option)), True
        options.append(option)
    if not changed:
        return value
    joined = None
    for option in options:
        joined = v.join(joined, option)
    return joined


def _form_validations(program) -> frozenset:
    return known(program).form_validations


def validated_lookups(program, path: str, cid: int) -> frozenset:
    """``(field, callee)`` of every lookup a form class's inline validators check exists (once per class): a method
    ``validate_<field>(self, field)`` (WTForms) with ``if not <callee>(field.data): raise …`` / ``if <callee>(…) is
    None: raise …``, or the same test of a name assigned that call — keyed by ``field.data`` (the validated field)
    or ``self.<other>.data``.  Only a test that raises counts: a validator that checks a row is absent (a unique
    name) proves nothing about a later lookup."""
    cache = program.memoised("validated_lookups", dict)
    found = cache.get((path, cid))
    if found is not None:
        return found
    prefixes = known(program).field_validator_prefixes
    result: set = set()
    for link in program.subclass_chain(path, cid):
        cls = program.cls(*link)
        for fid in cls.methods if cls is not None else ():
            method = program.function(link[0], fid)
            if method is None or not method.name.startswith(prefixes) or len(method.params) != 2:
                continue
            field = method.name[next(len(p) for p in prefixes if method.name.startswith(p)):]
            result.update(_checked_lookups(method, field))
    cache[(path, cid)] = found = frozenset(result)
    return found


def _checked_lookups(method: ir.Function, field: str) -> set:
    param = method.params[1].name
    assigned: dict = {}
    found: set = set()
    for node in method.body:  # the validator's own statements: a test under another condition may not run
        if type(node) is ir.Assign and len(node.targets) == 1 and type(node.targets[0]) is ir.Name and type(node.value) is ir.Call:
            assigned[node.targets[0].id] = node.value
        if type(node) is not ir.If or not node.body or type(node.body[-1]) is not ir.Raise:
            continue
        test = node.test
        if type(test) is ir.Unary and test.op == "not":
            tested = test.operand
        elif type(test) is ir.Compare and test.op == "is" and type(test.right) is ir.Const and test.right.value is None:
            tested = test.left
        else:
            continue
        call = assigned.get(tested.id) if type(tested) is ir.Name else tested
        if type(call) is not ir.Call or len(call.args) != 1 or call.args[0].kind != "pos":
            continue
        key = call.args[0].value
        if type(key) is not ir.Attr or key.name != "data":
            continue
        if type(key.obj) is ir.Name and key.obj.id == param:
            found.add((field, callee_text(call)))
        elif type(key.obj) is ir.Attr and type(key.obj.obj) is ir.Name and key.obj.obj.id == "self":
            found.add((key.obj.name, callee_text(call)))
    return found


MISSED_KEY = "missed-lookup"  # env key: in an `except …DoesNotExist` handler, the None of the try body's `.get()`


FIXED_KEYS = "dict:fixed-keys"  # Object kind: a dict/list of pairs whose keys the code chose, values from the request


def _built_from_target(node: ir.Loop) -> bool:
    """A comprehension whose item is an object built from the element: a call or a dict literal reading
    a name the loop binds (``ArticleDTO(id=a.id)``, ``mapper.to_dto(a)``, ``{"id": a.id}``), not the
    element itself nor a plain field of it (those keep their own values)."""
    result = node.result
    if type(result) not in (ir.Call, ir.Obj) or node.target is None:
        return False
    bound = {n.id for n in ir.iter_nodes(node.target) if type(n) is ir.Name}
    return any(type(n) is ir.Name and n.id in bound for n in ir.iter_nodes(result))


def _fixed_keys(node: ir.Loop, results: list) -> bool:
    """A comprehension of (key, value) pairs — ``{k: v …}`` or ``[(k, v) …]`` — whose every key
    is free of request data."""
    result = node.result
    while type(result) is ir.Loop:
        result = result.result
    if type(result) is not ir.Seq or result.kind != "tuple" or len(result.elts) != 2 or not results:
        return False
    pairs = [v.strip(r) for r in results]
    return all(type(p) is v.Tuple and len(p.items) == 2 and v.REQUEST_TAG not in v.tags_of(p.items[0]) for p in pairs)


def _catches_does_not_exist(types, names: Known) -> bool:
    """``except Article.DoesNotExist`` / ``except ObjectDoesNotExist`` (or a tuple holding one)."""
    if types is None:
        return False
    items = types.elts if type(types) is ir.Seq else (types,)
    return any((type(t) is ir.Attr and t.name in names.does_not_exist_errors)
               or (type(t) is ir.Name and t.id in names.does_not_exist_errors) for t in items)


def _holds_app(value, depth: int = 0) -> bool:
    bare = v.strip(value)
    if type(bare) is v.App:
        return True
    if depth < 2 and type(bare) is v.Tuple:
        return any(_holds_app(item, depth + 1) for item in bare.items)
    if depth < 2 and type(bare) is v.Record:
        return any(_holds_app(item, depth + 1) for _key, item in bare.items)
    return False


def _where_names(node) -> list:
    """The names a lookup argument keys by: the argument itself (``db.get(Message, message_id)``), or the
    names of an object's ``where`` (``findFirst({ where: { slug } })``, Prisma / Sequelize / TypeORM)."""
    if type(node) is ir.Name:
        return [node]
    if type(node) is not ir.Obj:
        return []
    where = next((entry.value for entry in node.entries if entry.key == "where"), None)
    return [entry.value for entry in where.entries if type(entry.value) is ir.Name] if type(where) is ir.Obj else []


def forwards_error(handler: ir.Handler, function: ir.Function) -> bool:
    """``catch (error) { next(error) }`` / ``return cb(err)``: the handler's last statement gives the caught
    error to a callback the caller passed in (Express's ``next``, a Node callback) — it hands the error on,
    like a re-raise, to whatever error handling the caller has."""
    last = handler.body[-1] if handler.body and handler.name else None
    call = last.value if type(last) in (ir.ExprStmt, ir.Return) else None
    return (type(call) is ir.Call and type(call.func) is ir.Name and function.scope_of(call.func.id) == "param"
            and len(call.args) == 1 and type(call.args[0].value) is ir.Name and call.args[0].value.id == handler.name)


def catches_missing_row(types, names: Known) -> bool:
    """A handler that catches what a missing row raises: ``except Article.DoesNotExist``,
    ``except ObjectDoesNotExist`` / ``NoResultFound`` (or their bases, ``Exception``, a bare
    ``except:``), or a tuple holding one (the names: ``missing_row_errors``)."""
    if types is None:
        return True
    items = types.elts if type(types) is ir.Seq else (types,)
    return any((type(t) is ir.Attr and t.name in names.missing_row_errors)
               or (type(t) is ir.Name and t.id in names.missing_row_errors) for t in items)


def _without_optional_mark(value):
    """``value`` without the optional-chain marks (``values.OPTIONAL_READ_TAG``)."""
    if type(value) is v.Tagged:
        rest = without_optional(value.tags)
        if rest is not value.tags:
            return v.Tagged(value.value, rest) if rest else value.value
    return value


def _unstored(value):
    """``value`` without the stored-key tag (see ``Frame._attr``)."""
    if type(value) is v.Tagged and v.STORED_KEY_TAG in value.tags:
        rest = value.tags - {v.STORED_KEY_TAG}
        return v.Tagged(value.value, rest) if rest else value.value
    return value


def _global_slot(value) -> bool:
    """A property the program keeps on the global object (``globalThis.prisma``, ``global.db``):
    no runtime global of that name exists, so it holds what the program itself stored there."""
    bare = v.strip(value)
    if type(bare) is not v.External:
        return False
    for prefix in ("global:globalThis.", "global:global."):
        if bare.name.startswith(prefix):
            return "." not in bare.name[len(prefix):]
    return False


def _other_empty(value, literal: str) -> bool:
    """``value`` is a nullable lookup whose empty value is known and is not ``literal`` (``null`` /
    ``undefined``): a strict comparison with ``literal`` never matches the missing row."""
    if not literal:
        return False
    rows = [v.strip(o) for o in v.options(value) if type(v.strip(o)) is v.Row and v.strip(o).nullable]
    return bool(rows) and all(row.empty and row.empty != literal for row in rows) \
        and all(type(v.strip(o)) is v.Row for o in v.options(value))


def _typeof_undefined(test: ir.Compare):
    """The operand of ``typeof x === 'undefined'`` (either side, any equality), else ``None``."""
    for left, right in ((test.left, test.right), (test.right, test.left)):
        if type(left) is ir.Unary and left.op == "typeof" and type(right) is ir.Const and right.value == "undefined":
            return left.operand
    return None


def _closes_after_yield(function, built: bool) -> bool:
    """A generator that calls ``.close()`` on a name it yields (``yield session`` … ``finally: session.close()``)
    or, ``built``, on a name passed to a call it yields (``yield UnitOfWork(session)`` … ``session.close()``:
    the object's session ends with the ``with`` block)."""
    yielded = set()
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Opaque and node.kind == "yield":
            for part in node.parts:
                if not built and type(part) is ir.Name:
                    yielded.add(part.id)
                elif built and type(part) is ir.Call:
                    yielded.update(arg.value.id for arg in part.args if type(arg.value) is ir.Name)
    return bool(yielded) and any(type(node) is ir.Call and node.method == "close" and type(node.receiver) is ir.Name
                                 and node.receiver.id in yielded for node in ir.iter_nodes(function.body))


def _names_test(test: ir.Compare, names_node, known: str):
    """``known`` compared (``test.op``) with a text constant or a literal tuple/list/set of them
    (``names_node``): the outcome, or ``None`` when ``names_node`` is not such a literal."""
    names = names_node.elts if type(names_node) is ir.Seq and test.op in ("in", "not-in") else (names_node,) if test.op in ("==", "!=") else ()
    if not names or any(type(n) is not ir.Const or not isinstance(n.value, str) for n in names):
        return None
    found = known in {n.value for n in names}
    return found if test.op in ("==", "in") else not found


def _inserted_keys(program, query) -> frozenset:
    """``const [c] = await db.insert(comments).values(…).returning({ id: comments.id })``: the rows it answers were
    just inserted, so a key read from them (``c.id``) is a stored row's — a lookup by it finds its row (the read-back
    of one's own insert, inyourtime/realworld-fastify-drizzle's ``.then(([c]) => this.get(c.id))``)."""
    from archlint.semantics.calls import returns_inserted

    return frozenset({v.STORED_KEY_TAG}) if returns_inserted(program, query) else frozenset()
