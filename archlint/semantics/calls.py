"""Call dispatch for the interpreter: project functions through their summaries, classes,
library calls on DB handles/queries/rows from ``semantics.toml``, externals and builtins.

A mixin of :class:`~archlint.semantics.interpreter.Frame` (kept apart so each half stays readable);
it uses the frame's ``eval``/``effect``/``site`` and its environment.
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.records import NamedTuple
from archlint.domain.sql.lexer import is_statement
from archlint.semantics import django_apps, lost_updates, sequences, tasks, validators
from archlint.semantics import values as v
from archlint.semantics.containers import known as container_names, registry_call, registry_classes
from archlint.semantics.containers import resolved as resolved_from_container
from archlint.semantics.exception_handlers import known as handler_names
from archlint.semantics.frameworks import (ADAPTER, adapter_hook, converter_hook, dump_hook, instantiate_hook, save_hook,
                                          to_schema_hook, validate_hook, view_hook, paged)
from archlint.semantics.frameworks import known as framework_names
from archlint.semantics.library import Outcome
from archlint.semantics.program import passes_through, shares_context
from archlint.semantics.raw_lookups import inserted_table, lookup_table
from archlint.semantics.web import callee_name
from archlint.semantics.routes import known as route_names
from archlint.semantics.records import CallRecord, Construct, Event, LoopInfo, argument_for
from archlint.semantics.support import (
    ARRAY_LOOPS, ASYNC, CONTAINERS, EXISTS_MODEL, FACT, MODEL_QUERY, SYNC_DRIVER, all_tags,
    callee_text,
    computed_tags, dotted, field_key, without_identity, without_optional, query_chain, is_async_api, model_of, non_null, null_origins, prisma_fluent,
)
from archlint.semantics.support import known as known_support

def chain_writes(program, query) -> bool:
    """A built query some call of whose chain writes (``db.insert(t).values(…)``,
    ``db('t').where(…).del()``): running it is a write, and what it returns are the written rows."""
    steps = known(program).write_steps
    return type(query) is v.Query and any(
        type(step.node) is ir.Call and step.node.method in steps for chain in query.chains for step in chain)


def returns_inserted(program, query) -> bool:
    """A built INSERT that answers the rows it inserted: every chain holds an insert step and a returning step
    (`db.insert(comments).values(…).returning({ id: comments.id })`): a key read from them is a stored row's."""
    names = known(program)
    return type(query) is v.Query and bool(query.chains) and all(
        any(type(step.node) is ir.Call and step.node.method in names.insert_steps for step in chain)
        and any(type(step.node) is ir.Call and step.node.method in names.returning_steps for step in chain)
        for chain in query.chains)


def insert_statement(program, query) -> bool:
    """A built INSERT statement: a chain of the query starts with a call of a function (not a method of a
    built query) whose canonical name ends in one of ``statement_inserts`` (``insert(Follow).values(…)``,
    ``pg_insert(Follow)…``)."""
    if type(query) is not v.Query:
        return False
    names = known(program).statement_inserts
    for chain in query.chains:
        for step in chain:
            node = step.node
            if type(node) is ir.Call and type(node.func) in (ir.Name, ir.Attr):
                name = program.static_name(step.path, node.func)
                if name and name.rsplit(".", 1)[-1].rsplit(":", 1)[-1] in names:
                    return True
    return False


def written_step(program, query) -> str:
    """The write call of a built query (``del``, ``insert``: of its shortest chain that has one), what a
    statement effect is named after; ``""`` when no chain writes."""
    if type(query) is not v.Query:
        return ""
    steps = known(program).write_steps
    return next((step.node.method for chain in sorted(query.chains, key=chain_order) for step in chain
                 if type(step.node) is ir.Call and step.node.method in steps), "")


def chain_order(chain) -> tuple:
    """Shortest chain first, then by where its steps are — never by a set's order (per-process string hash)."""
    return len(chain), tuple((step.path, step.node.span) for step in chain)


def aggregate_row(program, query) -> bool:
    """Every chain aggregates without grouping (``db('t').count('* as n').first()``): the query
    returns exactly one row."""
    steps = known(program).aggregate_steps
    return bool(query.chains) and all(
        any(type(s.node) is ir.Call and s.node.method in steps for s in chain)
        and not any(type(s.node) is ir.Call and s.node.method in ("groupBy", "groupByRaw") for s in chain)
        for chain in query.chains
    )


KEY_MATCH_TAG = "key-match"  # rows kept by matching a key read from a row the program holds (a batch joined in memory)


def _sequelize_include(record) -> bool:
    """``include: { model: User, as: 'author' }`` / ``{ association: 'tags' }`` / ``{ all: true }``: one Sequelize
    include object given without an array, not a map of relation names (Prisma / TypeORM ``{ author: true }``)."""
    model = v.strip(record.get("model") or v.UNKNOWN)
    association = v.strip(record.get("association") or v.UNKNOWN)
    return type(model) is v.ModelClass or v.strip(record.get("all") or v.UNKNOWN) == v.Const(True) \
        or type(association) is v.Const and isinstance(association.value, str)


def _mixin_matches(association: str, suffix: str) -> bool:
    """Sequelize names mixins after the association's singular and plural (``followings``:
    addFollowing, addFollowings); compared loosely so an inflection archlint does not know is a match."""
    def stems(word: str) -> set:
        found = {word}
        if word.endswith("ies"):
            found.add(word[:-3] + "y")
        if word.endswith("es"):
            found.add(word[:-2])
        if word.endswith("s"):
            found.add(word[:-1])
        found.add(word + "s")
        return found
    return bool(stems(association) & stems(suffix))


LOOKUP = "lookup:"  # Frame.LOOKUP_TAG: on what a DB read returned
_DRIZZLE_TABLE_STEPS = frozenset({"from", "update", "delete", "insert"})  # the call naming a Drizzle query's table
CAUGHT_MISSING = frozenset({v.CAUGHT_MISSING_TAG})
# On a Bookshelf instance built from the client's values (`new Article({ id: ctx.params.id })`): its fetch() /
# (the id attribute among them) its destroy() is a lookup keyed by client input (calls.Frame._constructor_keys)
CTOR_KEYED = "ctor-keyed"
CTOR_ID_KEYED = "ctor-id-keyed"
NEW_ROW = frozenset({"new-row"})  # on a model instance built here (`User(...)`, `new User(...)`): not yet stored
# what a Django related manager answers from its prefetch cache (no query); its other methods build a new query
PREFETCH_SERVED = frozenset({"all", "count", "exists", "first", "last", "__iter__"})
STORED_ROW = frozenset({"stored-row"})  # on what an insert answered (`Model.objects.create(…)`): stored, built here or not
SAVES_EXISTING = "saves-existing"  # on a save()/add() whose row was not built here: an update, not an insert
# on a write that runs its statement once per value it is given (encode/databases `execute_many(query, values)` loops
# `execute` over the values, outside a transaction each committed on its own): several statements, unless the values
# are a literal list of one
EACH_VALUE = "each-value"
# on such a save()/add() of a row of a model whose loaded rows this function changed in ways not seen column by
# column (`setattr(row, key, value)`): what it sends is not known (Frame.forget_found_filters)
CHANGED_UNSEEN = "changed-unseen"
_PERSIST = frozenset({"save", "add"})
CAUGHT = frozenset({"caught:unique"})  # Frame.CAUGHT_UNIQUE
ANY_RELATION = "*"  # in Row.loaded: the query's include was not readable, any relation may be loaded
# in Row.loaded beside ANY_RELATION: the loads were not readable at all (`prefetch_related(*names)` with `names` grown
# at run time, options built elsewhere), and a lookup may reach any depth (`"interface__device"`): the relations of a
# related row may be loaded too.  A row built in memory (ANY_RELATION alone: its assigned objects) has no such depth.
ANY_DEPTH = "**"
DRF_PAGINATOR = "drf-paginator"  # v.Object kind of `PageNumberPagination()` and its siblings
DECLARED = "declared"  # an instance known from a type annotation only: a subclass may add methods


# on a MikroORM entity passed through `wrap(entity)`: its methods are the helper's (`wrapped.init` …)
MIKRO_WRAPPED = "mikro-orm:wrapped"


SHARED_CONTEXT = "shared-context"  # on a plugin fastify-plugin wrapped: registered without encapsulation


def _tagged_statement(node) -> bool:
    """``sql`…``` itself (a tagged template's call), the receiver of a raw statement run by ``.execute(db)``."""
    return type(node) is ir.Call and len(node.args) == 1 and type(node.args[0].value) is ir.Template \
        and node.args[0].value.tag is not None


def _forwarded_sql(args) -> frozenset:
    """``{FORWARDED_SQL}<text>`` when the SQL argument is a name holding a known text (a parameter the caller
    gave a literal), not the literal written here."""
    if not args or args[0][0] != "pos" or type(args[0][3]) is not ir.Name:
        return frozenset()
    first = v.strip(args[0][2])
    if type(first) is not v.Const or not isinstance(first.value, str):
        return frozenset()
    if not is_statement(first.value):
        return frozenset()  # `update_or_create(name=name)`: a value, not a statement's text
    return frozenset({FORWARDED_SQL + " ".join(first.value.split())[:200]})


def _wrapped_plugin(program, path: str, node: ir.Call) -> bool:
    """``fastify.register(fp(plugin))``: the plugin argument is a call of fastify-plugin itself."""
    first = node.args[0].value if node.args else None
    return type(first) is ir.Call and shares_context(program, program.static_name(path, first.func))


CONNECTION = "conn:"  # conn:<site>: run on the connection made at <site> (a TypeORM QueryRunner)
OPEN_TX = "open-tx:"  # open-tx:<site>: a query run while the unmanaged transaction opened at <site> is open, without it
# swallow:<n> on a write or commit inside a `try` whose handlers raise nothing, n loops between that
# `try` and the statement: an error there never leaves the `try` — inside a loop, each iteration is
# its own unit of work (open-webui's skill import records an error per package and goes on)
SWALLOW_TAG = "swallow:"
CLOSED_HANDLE = "closed-handle:"  # closed-handle:<path:line:col:method>: the handle was closed/released there
# forwarded-sql:<the text>: on a statement whose SQL a caller handed in (``query(sql, params) { return
# this.pool.query(sql, params) }``): one site in the wrapper runs as many statements as its callers write —
# two calls of it with two texts are two writes, not one statement reached twice (AL305)
FORWARDED_SQL = "forwarded-sql:"



def _prisma_loads(record, depth: int = 0) -> set:
    """The relation paths a Prisma ``include``/``select`` returns with the rows: ``{ include: {
    labels: { include: { label: true } } } }`` → ``labels``, ``labels.label``; an option archlint
    cannot read (a variable) may load anything."""
    found: set = set()
    for key in ("include", "select"):
        option = record.get(key)
        if option is None:
            continue
        bare = v.strip(option)
        if type(bare) is not v.Record:
            found.add(ANY_RELATION)
            continue
        for name, value in bare.items:
            if not isinstance(name, str):
                found.add(ANY_RELATION)
                continue
            inner = v.strip(value)
            if inner == v.Const(False):
                continue
            found.add(name)
            if type(inner) is v.Record and depth < 4:
                found.update(f"{name}.{path}" for path in _prisma_loads(inner, depth + 1) if path != ANY_RELATION)
                if ANY_RELATION in _prisma_loads(inner, depth + 1):
                    found.add(f"{name}.{ANY_RELATION}")
            elif type(inner) is not v.Const:
                found.add(f"{name}.{ANY_RELATION}")
    return found


_COLLECTION_WRITES = frozenset({"append", "remove", "extend", "add", "discard", "clear", "pop"})


def delegating(function: ir.Function) -> bool:
    """``async createArticle(input) { const id = await this.dbArticle.createArticle(input); return id; }`` — a
    method whose whole body is one call of a method of a field of ``this`` (awaited, returned, or stored and
    returned) given only its parameters (or an object literal of them): the Clean-Architecture pass-through
    layer (repository -> DAO).  A look at one or two statements, most functions answered by their length."""
    body = function.body
    if function.cls < 0 or not 1 <= len(body) <= 2:
        return False
    names = {p.name for p in function.params} | {n for p in function.params if p.target is not None
                                                  for n in ir.target_names(p.target)}
    first = body[0]
    if len(body) == 2:  # const x = await this.dep.m(…); return x;
        if type(first) is not ir.Assign or len(first.targets) != 1 or type(first.targets[0]) is not ir.Name \
                or type(body[1]) is not ir.Return or type(body[1].value) is not ir.Name \
                or body[1].value.id != first.targets[0].id:
            return False
        expr = first.value
    elif type(first) in (ir.Return, ir.ExprStmt):
        expr = first.value
    else:
        return False
    if type(expr) is ir.Await:
        expr = expr.value
    if type(expr) is not ir.Call or type(expr.func) is not ir.Attr or type(expr.func.obj) is not ir.Attr \
            or type(expr.func.obj.obj) is not ir.Name or expr.func.obj.obj.id not in ("this", "self"):
        return False

    def plain(value) -> bool:
        if type(value) is ir.Name:
            return value.id in names
        if type(value) is ir.Obj:
            return all(e.key is not None and plain(e.value) for e in value.entries)
        return False

    return all(a.kind in ("pos", "kw") and plain(a.value) for a in expr.args)


def forwarding_wrapper(program, function: v.Function) -> bool:
    """A project function that returns a function forwarding its own arguments to the one it was given —
    Express's hand-written ``const wrap = (fn) => (req, res, next) => Promise.resolve(fn(req, res, next)).catch(next)``
    (or the ``try { await fn(req, res) } catch (err) { next(err) }`` form, or ``(...args) => fn(...args).catch(args[2])``
    handing on a rest parameter whole): what runs per request is ``fn`` itself,
    so ``router.get('/x', wrap(handler))`` serves ``handler``.  A wrapper doing anything else around the call
    (opening a transaction, reading the request) is not one."""
    outer = program.function(function.path, function.fid)
    if outer is None or function.bound is not None or len(outer.params) != 1 or outer.params[0].kind != "pos" \
            or len(outer.body) != 1 or type(outer.body[0]) is not ir.Return or type(outer.body[0].value) is not ir.FuncRef:
        return False
    inner = program.function(function.path, outer.body[0].value.fid)
    rest = inner is not None and len(inner.params) == 1 and inner.params[0].kind == "vararg"
    if inner is None or not inner.params or not rest and any(p.kind != "pos" for p in inner.params):
        return False
    body = inner.body
    if len(body) == 1 and type(body[0]) is ir.Try and not body[0].orelse and not body[0].final:
        body = body[0].body
    if len(body) != 1 or type(body[0]) not in (ir.Return, ir.ExprStmt) or body[0].value is None:
        return False
    expr = body[0].value
    while True:
        if type(expr) is ir.Await:
            expr = expr.value
        elif type(expr) is ir.Call and type(expr.func) is ir.Attr and expr.func.name in ("catch", "then", "finally"):
            expr = expr.func.obj
        elif type(expr) is ir.Call and type(expr.func) is ir.Attr and expr.func.name == "resolve" \
                and type(expr.func.obj) is ir.Name and expr.func.obj.id == "Promise" and len(expr.args) == 1:
            expr = expr.args[0].value
        else:
            break
    names = {p.name for p in inner.params}
    if rest:  # `(...args) => fn(...args).catch(args[2])`: every argument handed on as it came
        return type(expr) is ir.Call and type(expr.func) is ir.Name and expr.func.id == outer.params[0].name \
            and len(expr.args) == 1 and expr.args[0].kind == "star" and type(expr.args[0].value) is ir.Name \
            and expr.args[0].value.id in names
    return type(expr) is ir.Call and type(expr.func) is ir.Name and expr.func.id == outer.params[0].name \
        and all(a.kind == "pos" and type(a.value) is ir.Name and a.value.id in names for a in expr.args)


def session_row(value) -> bool:
    """A SQLAlchemy row the unit of work may hold — read through the session or built here (added
    and committed before or after): a change to it is written by the next commit that flushes it."""
    return all(type(v.strip(o)) is v.Row and v.strip(o).stack == "sqlalchemy" for o in v.options(value))


def existing_row(value) -> bool:
    """A row that was read or handed in (``request.user``, ``get_object_or_404(…)``, a relation of
    another row), not one built here: saving it updates (AL310 judges inserts only).  A value that
    is not known to be a row — or may be one built here — is not."""
    return all(type(v.strip(o)) is v.Row and (not (NEW_ROW & v.tags_of(o)) or STORED_ROW <= v.tags_of(o)) for o in v.options(value))


# The languages' own ways to copy an object's keys (builtins, not a library's names, so they stay here): JS
# `Object.assign` / `Object.entries|keys|values`, Python `setattr`, `super(...)`, and a dict's `update` /
# `items` / `keys` / `values` (`entries` is a JS Map's); a library's setter (`instance.set(values)`) is
# knowledge (orms.toml `whole_object_setters`)
_KEY_ITERATORS = ("items", "keys", "values", "entries")
_KEY_COPIERS = ("assign", "entries", "keys", "values", "super", "setattr", "update")


def _copied_whole(program, function, name: str) -> bool:
    """Whether the constructor ``function`` copies the keys of parameter ``name`` onto something:
    spreads it (``{ ...props }`` / ``**props``), iterates it, or hands it whole to a call
    (``Object.assign(this, props)``, ``super(props)``, ``setattr`` loops over ``props.items()``,
    a library's ``this.set(props)``).  A parameter only stored into one field (``this.body = body``)
    or used as one value (``slug(title)`` of a string) copies no key."""
    def is_param(node) -> bool:
        return type(node) is ir.Name and node.id == name

    for node in ir.iter_nodes(function.body):
        kind = type(node)
        if kind is ir.Starred and is_param(node.value) or kind is ir.Entry and node.key is None and is_param(node.value):
            return True
        if kind is ir.Loop and is_param(node.iter):
            return True
        if kind is ir.Call:
            func = node.func
            if type(func) is ir.Attr and is_param(func.obj) and func.name in _KEY_ITERATORS:
                return True
            callee = (ir.dotted(func) if type(func) in (ir.Name, ir.Attr) else "").rsplit(".", 1)[-1]
            if (callee in _KEY_COPIERS or callee in known(program).whole_object_setters) \
                    and any(is_param(a.value) for a in node.args):
                return True
            if type(func) is ir.Attr and ir.dotted(func).startswith("super.") and any(is_param(a.value) for a in node.args):
                return True  # `super.init(props)` (`super(props)` is a key copier above)
    return False


def whole_body(value, prisma: bool = False) -> bool:
    """The request body (or a part of it, ``req.body.article``) as a whole object, or an object
    literal spreading it; for Prisma the ``data``/``create``/``update`` key of the argument."""
    for option in v.options(value):
        bare = v.strip(option)
        if type(bare) is v.Request and (bare.part == "body" or bare.part.startswith("body.")):
            return True
        if type(bare) is v.Record:
            spread = bare.get("...")
            if spread is not None and whole_body(spread):
                return True
            if prisma and any(whole_body(bare.get(key) or v.UNKNOWN) for key in ("data", "create", "update")):
                return True
    return False


# stacks whose query methods take a Node-style callback `(err, result) => …` as their last argument
NODE_CALLBACK_STACKS = frozenset({"mongoose"})
CALLBACK_FORM = "callback"  # how a lookup's callback form is shown: `.findOne(…, callback)`


KEYED_CURSOR = "keyed:stored"  # Db.via of a cursor whose lookup SELECT is keyed by a stored row's key


def _session_blocks(value) -> frozenset:
    """The ``sess:<with-block>`` tags an instance was built with."""
    return frozenset(t for t in v.tags_of(value) if t.startswith(v.SESSION_BLOCK_TAG)) if value is not None else frozenset()


def _sequelize_query_shape(args, names: Known) -> str:
    """What ``sequelize.query(sql, options)`` resolves to: ``"rows"`` with ``type: QueryTypes.SELECT`` (or
    ``'SELECT'``), ``"tuple"`` (``[results, metadata]``) with no ``type``; ``""`` for any other option that changes
    it (``plain: true`` gives one row, ``raw``/``model``/``mapToModel``/another type) or options not written here."""
    if len(args) < 2:
        return "tuple" if len(args) == 1 else ""
    options = args[1][3]
    if len(args) > 2 or type(options) is not ir.Obj:
        return ""
    shape = "tuple"
    for entry in options.entries:
        if entry.key in names.sequelize_query_options:
            continue
        if entry.key != "type":
            return ""
        value = entry.value
        name = value.name if type(value) is ir.Attr else value.value if type(value) is ir.Const else None
        if name not in names.sequelize_select_types:
            return ""
        shape = "rows"
    return shape


def _template_lookup(args) -> str:
    """The table a lookup SELECT written as a template literal reads (`SELECT ${COLUMNS} FROM users WHERE id = $1`:
    each hole read as a column name), else ``""``."""
    node = args[0][3] if args and args[0][0] == "pos" else None
    if type(node) is not ir.Template or node.tag is not None:
        return ""
    return lookup_table("x".join(node.strings))


def keyed_by_stored_row(program, receiver, args) -> bool:
    """``findByPk(comment.authorId)``, ``findOne({ where: { slug: article.slug } })``,
    ``session.get(User, row.user_id)``, ``Article.objects.filter(slug=article.slug).first()``:
    the one key value was read from a row the program holds — a foreign key, or the re-read of a row
    just written — so the lookup finds its row.  Two keys (``{ userId: user.id, articleId:
    article.id }``) ask whether a pair exists, which may well be null."""
    key = _lookup_key(program, receiver, args)
    return key is not None and v.STORED_KEY_TAG in v.tags_of(key)


def _lookup_key(program, receiver, args):
    """The one key of a lookup (:func:`single_key`), or the unique key of one scoped by foreign keys only
    (:func:`_scoped_key`)."""
    key = single_key(program, receiver, args)
    return key if key is not None or args else _scoped_key(program, receiver)


def _scoped_key(program, receiver):
    """``Person.query.filter(Person.id == bill.payer_id).filter(Person.project_id == project.id)``: the value a
    lookup compares the model's unique key (its primary key) with, when its other filters compare only foreign-key
    columns — the tenant the row belongs to (ihatemoney scopes every person by its project).  Given a key read
    from a row the program holds, the key names one row, and the row that holds it belongs to the same scope, so
    the lookup finds it.  A filter on any other column (``activated == True``) may exclude it: ``None`` then."""
    if type(receiver) is not v.Query or len(receiver.chains) != 1 or not receiver.model:
        return None
    model = program.schema.get(receiver.model)
    if model is None or not model.foreign_keys:
        return None
    steps = known(program).filter_steps
    keys: list = []
    scoped = 0
    for step in next(iter(receiver.chains)):
        func = getattr(step.node, "func", None)
        if type(func) is not ir.Attr or func.name not in steps:
            continue
        nodes = step.node.args
        if len(nodes) != len(step.args):
            return None
        for node, (kind, name, value) in zip(nodes, step.args):
            expr = node.value
            if kind == "kw":
                column = name
            elif kind == "pos" and type(expr) is ir.Compare and expr.op == "==" and type(expr.left) is ir.Attr \
                    and type(expr.left.obj) is ir.Name:
                column = expr.left.name
            else:
                return None
            if frozenset({column}) in model.unique:
                keys.append(value)
            elif column in model.foreign_keys:
                scoped += 1
            else:
                return None
    return keys[0] if len(keys) == 1 and scoped else None


def _model_columns(program) -> dict:
    """Model class name -> the columns of the models of that name (once per run): what a filter's
    ``Deployment.flow_id`` names."""
    def columns() -> dict:
        found: dict = {}
        for key, model in program.schema.models.items():
            name = key.rsplit(":", 1)[-1]
            found[name] = found.get(name, frozenset()) | frozenset(model.columns)
        return found

    return program.memoised("filter_model_columns", columns)


def _filter_reads(classes: dict, node, columns: set, whole: set, values: set) -> None:
    """The columns, whole models and values one filter argument reads (see ``values.FoundFilter``):
    ``Deployment.flow_id == deployment.flow_id`` reads the column (Deployment, flow_id) and the value
    (deployment, flow_id); ``orm_models.Deployment.name`` names the class as an attribute; an attribute of a
    class that is not one of its columns (a relationship's ``has()``, ``__table__``) reads the model whole."""
    done: set = set()
    for current in ir.iter_nodes(node):
        if id(current) in done or type(current) not in (ir.Attr, ir.Name):
            continue
        chain = []
        root = current
        while type(root) is ir.Attr:
            done.add(id(root))
            chain.append(root.name)
            root = root.obj
        if type(root) is not ir.Name:
            continue  # `func.lower(…)` / `row["id"].x`: its parts are walked on their own
        done.add(id(root))
        names = [root.id, *reversed(chain)]
        at = next((i for i, name in enumerate(names) if name in classes), None)
        if at is None:
            values.add((root.id, names[1] if len(names) > 1 else ""))
        elif at + 1 < len(names) and names[at + 1] in classes[names[at]]:
            columns.add((names[at], names[at + 1]))
        else:
            whole.add(names[at])


# what a name holds that says where a lookup looks, not which row: never a value of its key (key_filter)
_NOT_KEYS = (v.ModelClass, v.ModelAttr, v.ClassValue, v.Db, v.Module, v.Function, v.App)


def found_records(program) -> dict:
    """``FoundFilter.tag`` -> the record, for the filters whose lookups found rows this run (the record is
    all the tag says — its scope and steps — so one tag always holds an equal record)."""
    return program.memoised("found_filters", dict)


def key_filter(node, scope: str, model: str, value_name) -> v.FoundFilter | None:
    """The key a lookup call finds its row by, as a :class:`FoundFilter` of ``scope`` (the function): the model
    and each (field, value) its call chain filters by — a value a plain name (``findOne({ where: { slug } })``,
    ``db.get(Article, article_id)``, ``filter_by(id=id)``), a chain of names (``req.params.id``) or a literal —
    ``value_name(name)`` saying which names hold values (not a model class or a handle: ``Article`` above).
    A row the program checked was found by it makes a later lookup of that model by the same key find its row
    too (the re-read after ``if (!article) throw …``, or after a helper that throws unless it was found,
    ``Summary.found_keys``) until a write or a new value of a name it reads (``FoundFilter.moved_by`` of any
    write: ``whole`` is ``{""}``).  ``None`` when another argument (an expression, a spread, an options object
    whose values are not all such) leaves the key unknown."""
    slots: list = []
    while type(node) is ir.Await:
        node = node.value
    while type(node) is ir.Call:
        for arg in node.args:
            if arg.kind not in ("pos", "kw"):
                return None
            value = arg.value
            if type(value) is ir.Obj and arg.kind == "pos":
                where = next((e.value for e in value.entries if e.key == "where"), None)
                entries = value.entries if where is None else where.entries if type(where) is ir.Obj else None
                if entries is None:
                    return None
                for entry in entries:
                    slot = _key_slot(entry.value, value_name)
                    if not isinstance(entry.key, str) or slot is None:
                        return None
                    if slot:
                        slots.append((entry.key, *slot))
                continue
            slot = _key_slot(value, value_name)
            if slot is None:
                return None
            if slot:
                slots.append((arg.name if arg.kind == "kw" else "", *slot))
        node = node.func.obj if type(node.func) is ir.Attr else None
    if not model or not any(kind == "name" for _field, kind, _text in slots):
        return None
    steps = (("key", model, tuple(sorted(slots))),)
    values = frozenset((text.split(".")[0], "") for _field, kind, text in slots if kind == "name")
    return v.found_filter(scope, steps, frozenset(), frozenset({""}), values)


def _key_slot(value, value_name) -> tuple | None:
    """``("name", "req.params.id")`` / ``("const", "'public'")`` for one filter value, ``()`` for a name that
    holds no value (a model class, a handle), ``None`` for anything else."""
    if type(value) is ir.Const:
        return ("const", repr(value.value))
    text = ir.dotted(value)
    if not text:
        return None
    if type(value) is ir.Name and not value_name(value.id):
        return ()
    return ("name", text)


def rebound_key(found: v.FoundFilter, scope: str, names: dict) -> v.FoundFilter | None:
    """A callee's found key (``Summary.found_keys``) in its caller: the parameters it reads replaced by the
    names the caller passed (``names``: parameter -> the caller's name or chain of names); ``None`` when one it
    reads was not passed as such."""
    _key, model, slots = found.steps[0]
    moved = []
    for field, kind, text in slots:
        if kind == "name":
            root, dot, rest = text.partition(".")
            if root not in names:
                return None
            text = names[root] + dot + rest
        moved.append((field, kind, text))
    steps = (("key", model, tuple(sorted(moved))),)
    values = frozenset((text.split(".")[0], "") for _field, kind, text in moved if kind == "name")
    return v.found_filter(scope, steps, frozenset(), frozenset({""}), values)


def statement_filter(program, query, scope: str) -> v.FoundFilter | None:
    """What a SQLAlchemy statement's filter steps read (``select(Deployment.id).where(Deployment.flow_id ==
    deployment.flow_id)``): each step's method and its arguments' IR without spans (``ir.shape``), the same in
    every way it was built, and the columns, models and values of ``scope`` (the function) it reads — what
    ``Frame.forget_found_filters`` asks whether a write or an assignment may change.  None when it has no
    filter or the ways differ."""
    if type(query) is not v.Query or not query.chains:
        return None
    found = None
    classes = _model_columns(program)
    columns: set = set()
    whole: set = set()
    values: set = set()
    for chain in query.chains:
        calls = [step.node for step in chain if type(step.node) is ir.Call
                 and type(step.node.func) is ir.Attr and step.node.func.name in known(program).filter_steps]
        steps = tuple((call.func.name, ir.shape(call.args)) for call in calls)
        if found is not None and steps != found:
            return None
        found = steps
        for call in calls:
            for arg in call.args:
                _filter_reads(classes, arg.value, columns, whole, values)
                if arg.kind == "kw":  # filter_by(name=…): a column of the statement's model (not in the key)
                    columns.add(("", arg.name))
                elif arg.kind == "kwstar":
                    whole.add("")
    if not found:
        return None
    return v.found_filter(scope, found, frozenset(columns), frozenset(whole), frozenset(values))


def _client_scalar(value) -> bool:
    """A value the client chose that can key a lookup (a URL or body id), not a dict or model of data to write."""
    return v.INPUT_TAG in v.tags_of(value) and type(v.strip(value)) in (v.Unknown, v.Const)


def keyed_by_parameter_member(program, receiver, args) -> bool:
    """``users.get(article.author_id)`` in ``def present(article)`` analysed on its own: the one key
    is a column of a parameter nothing is known of (see ``values.PARAMETER_KEY_TAG``)."""
    key = _lookup_key(program, receiver, args)
    return key is not None and v.PARAMETER_KEY_TAG in v.tags_of(key)


def plain_parameter_key(program, receiver, args) -> frozenset:
    """``User.findByPk(userId)`` in ``profileOf(userId)`` analysed on its own (or run for a caller
    whose own parameter it was handed): the one key is a parameter nothing is known of — the
    ``deferred-param:<name>`` tags for the row (see ``values.PLAIN_PARAMETER_TAG``), else empty."""
    key = single_key(program, receiver, args)
    if key is None:
        return frozenset()
    tags = v.tags_of(key)
    if v.STORED_KEY_TAG in tags or v.INPUT_TAG in tags:
        return frozenset()
    return frozenset(v.DEFERRED_PARAMETER_TAG + t[len(v.PLAIN_PARAMETER_TAG):] for t in tags if t.startswith(v.PLAIN_PARAMETER_TAG))


def _field_list(value) -> bool:
    """A list of attribute names the program wrote (``["title", "body"]``, also through a constant):
    not one the client sent."""
    if value is None or v.REQUEST_TAG in v.tags_of(value):
        return False
    bare = v.strip(value)
    if type(bare) is v.Tuple:
        return all(type(v.strip(item)) is v.Const and v.REQUEST_TAG not in v.tags_of(item) for item in bare.items)
    return False


def lookup_key_tags(program, receiver, args) -> frozenset:
    """The tags of a nullable row by what its one key is: a column of a parameter (``DEFERRED_TAG``:
    the callers' contexts judge it), the client's id a lookup already found (``CHECKED_LOOKUP_TAG``),
    a plain parameter (``deferred-param:<name>``: what every caller passes decides), else none."""
    if keyed_by_parameter_member(program, receiver, args):
        return frozenset({v.DEFERRED_TAG})
    key = single_key(program, receiver, args)
    if key is not None and v.CHECKED_KEY_TAG in v.tags_of(key):
        return frozenset({v.CHECKED_LOOKUP_TAG})
    return plain_parameter_key(program, receiver, args)


def single_key(program, receiver, args):
    """The value of the one key a lookup is filtered by — its arguments, and the filter steps of
    the query it ends — or ``None`` when it has none or several."""
    keys = _key_values(args)
    if type(receiver) is v.Query and len(receiver.chains) == 1:
        for step in next(iter(receiver.chains)):
            func = getattr(step.node, "func", None)
            if type(func) is ir.Attr and func.name in known(program).filter_steps:
                keys.extend(_key_values(tuple((kind, name, value, None) for kind, name, value in step.args)))
    return keys[0] if len(keys) == 1 else None


def _rows_parameter(node, membership: frozenset) -> str | None:
    """The name whose rows a filter keys on: ``Record.id.in_([r.id for r in records])`` (a comprehension of
    a column of each row of ``records``) or ``Record.id == record.id`` — else ``None``."""
    if type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name in membership and len(node.args) == 1 \
            and type(node.func.obj) is ir.Attr:
        loop = node.args[0].value
        if type(loop) is ir.Loop and loop.kind == "comprehension" and type(loop.iter) is ir.Name \
                and type(loop.target) is ir.Name and not loop.conditions and type(loop.result) is ir.Attr \
                and type(loop.result.obj) is ir.Name and loop.result.obj.id == loop.target.id \
                and loop.result.name == node.func.obj.name:
            return loop.iter.id
        return None
    if type(node) is ir.Compare and node.op == "==" and type(node.left) is ir.Attr and type(node.right) is ir.Attr \
            and type(node.right.obj) is ir.Name and node.left.name == node.right.name:
        return node.right.obj.id  # `Record.id == record.id` — not `Dataset.id == record.dataset_id` (another row)
    return None


VALIDATED = "validated:"  # path fact: a form validator checked a field's lookup (interpreter.Frame._validated_form)
_IN_THREAD = frozenset({v.THREAD_TAG})
_DETACHED = frozenset({v.DETACHED_TAG})
_BEST_EFFORT = frozenset({v.BEST_EFFORT_TAG})
_FAILURE = frozenset({v.FAILURE_TAG})
_PARAMETER_KEY = frozenset({v.PARAMETER_KEY_TAG})
# Calls whose result is still the client's value (AL234's `input`): these conversions, and the body parsers of
# rules/knowledge/frameworks.toml (Known.body_parsers)
_CONVERSIONS = frozenset({
    "builtins.int", "builtins.str", "builtins.float", "builtins.bytes", "uuid.UUID", "urllib.parse.unquote",
    "urllib.parse.unquote_plus", "builtins.dict",
})
_WHOLE_COPIES = frozenset({"dict", "to_dict", "copy"})  # methods of a request part that return all of it

# SQLAlchemy ``session.get(Model, key, **options)`` keywords: how to load, not which row.
_GET_OPTIONS = frozenset({"options", "populate_existing", "with_for_update", "identity_token", "execution_options", "bind_arguments"})


def input_keyed(program, receiver, args) -> bool:
    """A lookup one of whose conditions compares with a value the client chose (``input``-tagged: a
    URL or query parameter, the body) that was not read from a row the program holds — a column of it, or
    the row itself (``get(auth_token=token)`` with a token just fetched) (AL234)."""
    keys = _key_values(args)
    if type(receiver) is v.Query and _aggregate_select(receiver):
        return False  # select(func.count()).where(…).scalar_one(): an aggregate always yields its row
    if type(receiver) is v.Query:
        for chain in receiver.chains:
            for step in chain:
                func = getattr(step.node, "func", None)
                if type(func) is ir.Attr and func.name in known(program).filter_steps:
                    keys.extend(_key_values(tuple((kind, name, value, None) for kind, name, value in step.args)))
    return any(_client_value(key) for key in keys)


def _client_value(key) -> bool:
    """``input``-tagged, and neither read from a row (a ``stored-key`` column, the row itself, a value derived
    from an element of a loop over query results — ``elem:``)."""
    tags = v.tags_of(key)
    return v.INPUT_TAG in tags and v.STORED_KEY_TAG not in tags and not any(t.startswith("elem:") for t in tags) \
        and not any(type(v.strip(option)) in (v.Row, v.Rows) for option in v.options(key))


def _aggregate_select(query) -> bool:
    """``select(func.count()).select_from(A)…`` / ``session.query(func.max(A.id))``: what it selects is an aggregate."""
    for chain in query.chains:
        first = chain[0].node if chain else None
        if type(first) is ir.Call and first.method in ("select", "query") and any(
                type(arg.value) is ir.Call and _named_along(arg.value.func, "func") for arg in first.args):
            return True
    return False


def _named_along(callee, name: str) -> bool:
    """A name or attribute of the callee's chain is ``name`` (``sa.func.count`` along ``func``), read from the IR."""
    while True:
        kind = type(callee)
        if kind is ir.Attr:
            if callee.name == name:
                return True
            callee = callee.obj
        elif kind is ir.Call:
            callee = callee.func
        elif kind is ir.Index:
            callee = callee.obj
        else:
            return kind is ir.Name and callee.id == name


def _key_values(args) -> list:
    keys = []
    for index, (kind, name, value, _node) in enumerate(args):
        if kind == "kw" and name in _GET_OPTIONS:
            continue
        if index == 0 and kind == "pos" and _select_text(value):
            continue  # conn.fetchrow("SELECT … WHERE id = $1", key): the statement, not a key
        bare = v.strip(value)
        if type(bare) in (v.ModelClass, v.ModelAttr, v.ClassValue):
            continue  # session.get(Message, id): the class says where, not which row
        if type(bare) is v.Tuple and index == 1 and keys == [] and args and _select_text(args[0][2]):
            keys.extend(bare.items)  # execute("SELECT … WHERE id = ?", (key,)): the parameters
            continue
        if type(bare) is v.Record:
            where = bare.get("where")
            if where is not None and type(v.strip(where)) is v.Record:
                for _key, item in v.strip(where).items:
                    # Prisma's compound unique selector `{ fanId_idolId: { fanId, idolId } }`: each column is a key
                    inner = v.strip(item)
                    keys.extend(i for _k, i in inner.items) if type(inner) is v.Record else keys.append(item)
            elif where is not None and type(v.strip(where)) is not v.Const:
                # Drizzle's `findFirst({ where: eq(comments.id, id), with: { author: true }, columns })`: the condition
                # is the one key; `with` / `columns` say what to load, not which row
                keys.append(where)
            elif index == 0 or not keys:  # findOneBy({ id }); a later object is options (`findByPk(id, { include })`)
                keys.extend(item for _key, item in bare.items)
        else:
            keys.append(value)
    return keys


RAW_ROW_STACKS = frozenset({"sqlite3", "aiosqlite", "asyncpg", "psycopg", "psycopg2"})


def raw_row(value) -> bool:
    """A row of a raw DB driver (a mapping-like record, not an ORM object)."""
    return any(type(v.strip(o)) is v.Row and v.strip(o).stack in RAW_ROW_STACKS for o in v.options(value))


def _select_text(value) -> bool:
    """A constant SELECT statement (a raw driver's lookup text)."""
    bare = v.strip(value)
    return type(bare) is v.Const and isinstance(bare.value, str) and bare.value.lstrip().lower().startswith("select")


def _objection_relations(expression: str) -> set[str]:
    """The relation paths of an Objection relation expression: ``'[author, tags.[owner, x]]'`` ->
    author, tags, tags.owner, tags.x (``author(selectName)`` modifiers and ``as`` aliases dropped)."""
    found: set[str] = set()

    def items(text: str) -> list[str]:
        text = text.strip()
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1]
        parts, depth, start = [], 0, 0
        for index, char in enumerate(text):
            if char in "[(":
                depth += 1
            elif char in "])":
                depth -= 1
            elif char == "," and depth == 0:
                parts.append(text[start:index])
                start = index + 1
        parts.append(text[start:])
        return [part.strip() for part in parts if part.strip()]

    def walk(text: str, prefix: str) -> None:
        for item in items(text):
            head, dot, rest = item.partition(".")
            head = head.split("(")[0].split(" as ")[0].strip().lstrip("^*")
            if not head or head == "*":
                continue
            path = f"{prefix}{head}"
            found.add(path)
            if dot:
                walk(rest, path + ".")

    walk(expression, "")
    return found


def _rejects_on_empty(args) -> bool:
    """Sequelize ``findOne({ …, rejectOnEmpty: true })`` throws instead of returning null."""
    for _kind, _name, value, _node in args:
        record = v.strip(value)
        if type(record) is v.Record:
            option = v.strip(record.get("rejectOnEmpty") or v.UNKNOWN)
            if type(option) is v.Const and option.value not in (False, None) or type(option) not in (v.Const, v.Unknown):
                return True
    return False


def _option_false(args, option: str) -> bool:
    """An options object among the call's arguments sets ``option`` to literal ``false``."""
    return any(type(v.strip(value)) is v.Record and v.strip(v.strip(value).get(option) or v.UNKNOWN) == v.Const(False)
               for _kind, _name, value, _node in args)


def _option_true(args, option: str) -> bool:
    """An options object among the call's arguments sets ``option`` to literal ``true``."""
    for _kind, _name, value, _node in args:
        record = v.strip(value)
        if type(record) is v.Record and v.strip(record.get(option) or v.UNKNOWN) == v.Const(True):
            return True
    return False


def _aggregates_only(spec: dict | None, args) -> bool:
    """The lookup's options object lists only aggregate calls in ``spec["option"]`` and none of the
    grouping options (``semantics.toml`` ``single_row_aggregates``): SQL yields one row for it even when
    no row matches.  Read from the literal only: a spread or an unknown element keeps the lookup nullable."""
    if not spec:
        return False
    for kind, _name, _value, node in args:
        if kind != "pos" or type(node) is not ir.Obj:
            continue
        if any(e.key is None or e.key in spec["grouping"] for e in node.entries):
            return False
        listed = next((e.value for e in node.entries if e.key == spec["option"]), None)
        if type(listed) is not ir.Seq or not listed.elts:
            return False
        return all(_aggregate_call(spec, elt.elts[0] if type(elt) is ir.Seq and elt.elts else elt) for elt in listed.elts)
    return False


def _aggregate_call(spec: dict, node, depth: int = 0) -> bool:
    """``fn('COUNT', col('id'))`` / ``sequelize.fn('SUM', …)``: a builder call naming an aggregate, or
    one over an aggregate (``fn('COALESCE', fn('SUM', col('views')), 0)``)."""
    if type(node) is not ir.Call or not node.args or node.args[0].kind != "pos" or depth > 4:
        return False
    name = node.short_name
    first = node.args[0].value
    if name not in spec["builders"] or type(first) is not ir.Const or not isinstance(first.value, str):
        return False
    return first.value.upper() in spec["functions"] or any(
        _aggregate_call(spec, arg.value, depth + 1) for arg in node.args[1:])


def _no_tx(tags: frozenset) -> frozenset:
    """Data read or written keeps no transaction handle, nor the connection it was read on."""
    return frozenset(t for t in tags if not t.startswith((v.TX_TAG, CONNECTION))) if tags else tags


PROMISE_METHODS = frozenset({"then", "catch", "finally"})
ROW_SUBSETS = frozenset({"slice", "sort", "reverse", "toSorted", "toReversed"})  # JS array methods giving rows back
ROW_MAP = "rowmap:"  # Object kind of `rows.map(fn)`: a list with one item per DB row (of the model after the colon)


class Known(NamedTuple):
    """The library names this module reads: the ``[[names]]`` tables with ``reader = "calls"`` of
    ``rules/knowledge/orms.toml`` (explained there), built once per run; awilix's container calls are
    read through :func:`archlint.semantics.containers.known`."""

    mongoose_model: frozenset
    mongoose_class_models: frozenset  # Typegoose getModelForClass(Article): the Mongoose model named by the class
    write_steps: frozenset  # query-builder steps that make the built query a write
    aggregate_steps: frozenset  # query-builder steps that make it one aggregated row
    insert_steps: frozenset  # query-builder steps that make the built query an INSERT
    returning_steps: frozenset  # ... and the steps that make it answer the inserted rows
    django_raising_lookups: frozenset  # Django lookups that raise DoesNotExist on no row (AL234)
    task_spawners: frozenset  # asyncio.create_task & co.: run a coroutine as a task of its own (semantics/tasks.py)
    concurrent_awaits: frozenset  # asyncio.gather / wait / as_completed: their coroutines run at once (AL237)
    task_groups: frozenset  # asyncio.TaskGroup: its create_task calls run at once (AL237)
    async_drivers: frozenset  # driver stacks whose every connection is async (AL237)
    transaction_writes: frozenset  # Sequelize calls that write in a transaction (checks/open_transactions.py)
    association_mutators: frozenset  # prefixes of Sequelize's generated association writes (setTags, addFavorite)
    transaction_raising_reads: frozenset  # read options that throw on a missing row (rejectOnEmpty)
    raising_lookups: frozenset  # JS lookups that throw on no row, `stack:handle.method:Error` (AL234)
    raising_lookup_options: frozenset  # ... given `option: true`, `stack:handle.method:option:Error` (AL234)
    non_raising_options: frozenset  # `stack:option`: given `false`, those lookups answer instead of throwing (AL234)
    keyed_constructors: frozenset  # `stack:id`: `new Model(attrs)` keys its instance's queries by attrs (AL234)
    missing_row_answers: frozenset  # more names an error handler tells a JS missing-row error apart by (AL234)
    membership_operators: frozenset  # SQLAlchemy `col.in_(…)`: which rows a filter selects (Summary.row_loads)
    requires_unique: frozenset  # SQLAlchemy Result methods needing `.unique()` after a joined collection load
    get_or_404: frozenset  # get_object_or_404 / db.get_or_404: one row of the model given, never None
    import_string: frozenset  # Django's import_string: the object a constant dotted path names
    paginators: frozenset  # Django's Paginator: `Paginator(qs, n)` pages qs's rows
    page_methods: frozenset  # `paginator.page(n)` / `get_page(n)`: one page of those rows
    page_functions: frozenset  # library helpers returning a Page of their first argument
    body_parsers: frozenset  # json.loads / JSON.parse: a raw request body, parsed (still the client's keys)
    transaction_methods: frozenset  # begin / atomic / transaction: called on a DB handle, opens a transaction
    transaction_functions: frozenset  # Tortoise in_transaction() / atomic(): a module function opening one
    sequelize_instance_methods: frozenset  # Sequelize's own instance methods that look like association mixins
    fastapi_depends: frozenset  # Depends / Security: FastAPI calls the provider per request (also interpreter, AL604)
    association_mixins: frozenset  # prefixes of the association methods Sequelize generates (getTags, $get("tags"))
    close_methods: frozenset  # close / release / end: the handle is closed (a later query through it raises)
    statement_runners: frozenset  # session.execute(select(…)) & co.: the statement says an untyped receiver is a session
    filter_steps: frozenset  # filter / filter_by / where / get: the steps of a query chain that hold its conditions
    whole_object_setters: frozenset  # Sequelize/Mongoose `instance.set(values)`: copies every key of its argument
    statement_selects: frozenset  # SQLAlchemy `select(…)`: a statement selecting its arguments
    column_free_statements: frozenset  # SQLAlchemy `exists()`, no argument: a statement selecting no column
    statement_inserts: frozenset  # SQLAlchemy `insert(Model)` / `pg_insert(Model)`: an INSERT statement
    column_free_selects: frozenset  # SQLAlchemy `func.count()` / `exists()` in `select(…)`: no model's column
    request_object_methods: dict  # request method -> the part of the request its result is (`get_json()` -> "body")
    request_validated_methods: frozenset  # Hono's `c.req.valid("json")`: a validator's parsed output, not the body as sent
    compiled_iterators: frozenset  # TypeScript's emitted `__values(xs)`: an iterator over xs's elements
    compiled_reads: frozenset  # TypeScript's emitted `__read(xs, n)`: xs's first elements, as an array
    compiled_decorators: frozenset  # TypeScript's emitted `__decorate([…], C)`: the class C, decorated
    sequelize_query_options: frozenset  # `sequelize.query(sql, { replacements })`: options leaving its result's shape
    sequelize_select_types: frozenset  # `type: QueryTypes.SELECT`: the rows alone, not `[results, metadata]`
    context_handles: dict  # extension constructor -> (framework, scope, key, kind): the handle it puts in that slot


def _known(table: dict) -> Known:
    return Known(request_object_methods=dict(table["request_object_methods"]),
                 context_handles={name: tuple(slot) for name, slot in table["context_handles"].items()},
                 **{key: frozenset(table[key]) for key in Known._fields if key not in ("request_object_methods", "context_handles")})


def known(program) -> Known:
    return program.library.view("calls", _known)


ITERATED = "\0iterated"  # the key under which the iterator `__values(xs)` holds xs (no source key has a NUL)
PAGINATES = "\0paginates"  # the key under which a Django `Paginator(qs, n)` Record holds qs

# builtins that call a function once per element of an iterable (a key, a mapper, a predicate)
_BUILTIN_CALLBACKS = frozenset({"builtins.sorted", "builtins.map", "builtins.filter", "builtins.max", "builtins.min"})

def held_sessions(program, value, prefixes: tuple, kinds: tuple = ("session",)) -> set:
    """The identity tags (``prefixes``) of the sessions held in the fields of ``value`` — an instance, or a
    service/repository built over one (``ArticleService(ArticleRepository(session))``), a few levels deep."""
    found: set = set()
    pending, seen = [(value, 0)], set()
    while pending:
        value, depth = pending.pop()
        bare = v.strip(value)
        if type(bare) is not v.Instance or depth >= 3 or (bare.path, bare.cid) in seen:
            continue
        seen.add((bare.path, bare.cid))
        for key in program.subclass_chain(bare.path, bare.cid):
            for held in (program.fields.get(key) or {}).values():
                inner = v.strip(held)
                if type(inner) is v.Db and inner.kind in kinds:
                    found |= {t for t in v.tags_of(held) if t.startswith(prefixes)}
                elif type(inner) is v.Instance:
                    pending.append((held, depth + 1))
    return found


def _elements(value) -> list:
    """The values a list literal (``[a, b]``) or a filled list holds, unions spread."""
    if type(value) is v.Tuple:
        items = list(value.items)
    elif type(value) is v.Items:
        items = [value.item]
    else:
        return []
    found = []
    for item in items:
        bare = v.strip(item)
        if type(bare) is v.Union:
            found.extend(v.strip(option) for option in bare.options)
        else:
            found.append(bare)
    return found


_KEY_TYPES = frozenset({"number", "string", "bigint"})  # TypeScript's primitive types a row's key is declared with


def _key_type(annotation) -> bool:
    """``number`` / ``string`` / ``string | undefined``: a TypeScript annotation of a scalar key."""
    if type(annotation) is ir.Name:
        return annotation.id in _KEY_TYPES
    if type(annotation) is ir.BinOp and annotation.op == "|":
        sides = [side for side in (annotation.left, annotation.right)
                 if not (type(side) is ir.Name and side.id in ("null", "undefined"))]
        return bool(sides) and all(_key_type(side) for side in sides)
    return False


class Calls:
    def call(self, node: ir.Call):
        saved_ran, self.ran = self.ran, []
        func = node.func
        if (not self.python and type(func) is ir.Attr and func.name in ("all", "allSettled") and type(func.obj) is ir.Name
                and func.obj.id == "Promise" and node.args and type(node.args[0].value) is ir.Loop):
            self.settled_loops.add(node.args[0].value.span)
        if type(func) is ir.Attr:
            receiver = self.eval(func.obj)
            if func.optional or node.optional:
                receiver = non_null(receiver)
            elif not self.python and func.name in PROMISE_METHODS and type(func.obj) is ir.Call:
                pass  # User.findOne(…).then(cb): a method of the call's Promise, not of the row it resolves to
            elif type(func.obj) is ir.Call and prisma_fluent(self.program, receiver, func.name) is not None:
                pass  # prisma.article.findUnique(…).comments(): the fluent API, null when no article
            else:
                self.dereference(func.obj, receiver, func.span)
            first = len(self.effects)
            args = self.arguments(node.args, self._spawned_arguments(node, receiver))
            if args and not _project_method(self.program, receiver, func.name):
                _note_passed(self.program, args)
            if type(v.strip(receiver)) in (v.Query, v.ModelClass, v.Db):
                args = self.parameter_keys(args)  # a lookup's key, or a filter step's
            if func.name == "transacting" and type(func.obj) is ir.Call and any(v.tx_tags(a[2]) for a in args):
                # knex(…).insert(…).transacting(trx): the statement built before joins the transaction
                self.effects[:] = [e._replace(in_tx=True, tags=e.tags - {t for t in e.tags if t.startswith("outside-tx:")})
                                   if e.span == func.obj.span and e.path == self.path else e for e in self.effects]
            if func.name == "$transaction" and len(self.effects) > first and self._is_handle(receiver):
                # prisma.$transaction([a, b]): the queries built in the array run when the transaction does
                self.effects[first:] = [e._replace(in_tx=True, tags=e.tags - {t for t in e.tags if t.startswith("outside-tx:")})
                                        for e in self.effects[first:]]
            key = field_key(func.obj, func.name)
            inherited = self._super_call(node, func, args) if self.python and type(func.obj) is ir.Call else None
            if inherited is not None:
                result = inherited
            elif key and key in self.env:
                result = self.invoke(node, self.env[key], args)
            elif node.new and type(v.strip(receiver)) is v.Db and self.program.library.is_registry(v.strip(receiver)):
                # new (sequelize.models.Article)(req.body.article): the registered model class, constructed
                result = self.invoke(node, self.member(receiver, func.name, func), args)
            else:
                result = self.method_call(node, receiver, func.name, args)
            if (func.name == "$transaction" and args and args[0][0] == "pos" and type(v.strip(args[0][2])) is v.Tuple
                    and any(type(v.strip(item)) in (v.Rows, v.Row) for item in v.strip(args[0][2]).items)):
                result = args[0][2]  # const [rows, total] = await prisma.$transaction([findMany(…), count(…)])
            if func.name in ("first", "last") and self.python and self._checked_nonempty(func.obj):
                result = non_null(result)  # if Organization.objects.exists(): Organization.objects.first()
            if func.name == "reload" and not self.python and type(func.obj) is ir.Name and func.obj.id in self.env:
                self._reloaded(func.obj.id, receiver, result)
            if func.name in sequences.GROWERS and self.python and type(func.obj) is ir.Name and func.obj.id in self.env \
                    and sequences.filled(self.env[func.obj.id]):
                grown = sequences.grow(self.env[func.obj.id], func.name, args)  # result.append((row, flag))
                if grown is not None:
                    self.env[func.obj.id] = grown
                else:
                    self._grown_literal(node, func.obj.id, func.name, args)
        elif type(func) is ir.Name and func.id == "super" and not self.python:
            receiver = v.UNKNOWN
            args = self.arguments(node.args)
            result = self._base_constructor(node, args)
        elif type(func) is ir.Name and func.id in ("require", "import") and not self.python and node.args:
            self.ran = saved_ran
            return self.require(node)
        elif type(func) is ir.Name and not self.python and node.args and (
                func.id in known(self.program).compiled_iterators or func.id in known(self.program).compiled_reads
                or func.id in known(self.program).compiled_decorators):
            receiver = v.UNKNOWN  # the helper TypeScript emitted in the file (`var __values = … || function (o) {…}`)
            args = self.arguments(node.args)
            result = self.compiled_iteration(func.id, args)
        elif (method := self._getattr_method(func)) is not None:
            # getattr(request.user.notifications, method_name)(): django-notifications' list helper picks the
            # manager method by a name its callers pass ("unread", "all") — the method call of that name
            receiver = method[0]
            args = self.arguments(node.args)
            result = self.method_call(node, receiver, method[1], args)
        else:
            receiver = self.eval(func)
            args = self.arguments(node.args, self._spawned_arguments(node, receiver))
            if args and type(v.strip(receiver)) not in (v.Function, v.ClassValue, v.Unknown):
                # (a callee the model does not know — a name it could not resolve, `dual(2, (self, f) => …)`
                # where `dual` is lost to a parse error — is not a framework registration: what it does
                # with the function is unknown, and a registration API resolves to a library value)
                _note_passed(self.program, args)
            result = self.invoke(node, receiver, args)
        if type(func) is ir.Attr:
            self.closing(node, func, receiver, args)
            self._mutated_builder(func, result)
            if func.name in _DRIZZLE_TABLE_STEPS and node.args and type(node.args[0].value) is ir.Name:
                result = self._drizzle_rows_of(result, node.args[0].value.id)
            locking = lost_updates.known(self.program)
            if func.name in locking.lock_methods or lost_updates.lock_option(node):
                result = v.tag(result, lost_updates.LOCKED)  # the rows it returns stay locked until commit
            if func.name in locking.write_methods or func.name == "set" and type(v.strip(receiver)) is v.Query:  # Drizzle update().set()
                # (also while running for a caller: a repository given the row the service read — a context event)
                for column, name, value in lost_updates.written_increments(node, locking.clamp_functions):
                    if not lost_updates.compare_and_set(node, column, locking):
                        self.stale_increment(name, column, value)
                for column, name in lost_updates.written_names(node):
                    # `set({ favoritesCount })` of a parameter the caller passed as `article.favoritesCount + 1`
                    stale = next((t[len(lost_updates.STALE_TAG):] for t in sorted(v.tags_of(self.env.get(name.id)))
                                  if t.startswith(lost_updates.STALE_TAG) and t.endswith(f"|{column}")), None)
                    if stale is not None and not lost_updates.compare_and_set(node, column, locking):
                        self.event("lost-update", node, stale)
        if self.analysis is not None:
            callees = tuple(self.ran)
            self.analysis.calls.append(CallRecord(node, receiver, tuple(a[2] for a in args), result, tuple(self.loops),
                                                  self.tx > 0, callees, self.catching_none > 0))
        elif node.method and type(v.strip(receiver)) is v.Query and v.strip(receiver).stack in self.program.library.mutable_builders:
            # `query.whereRaw(…)` in a helper handed the builder: its receiver is known only in a caller's context
            self.program.context_receivers.setdefault((self.path, node.span), v.strip(receiver).stack)
        self.ran = saved_ran
        return result

    def _getattr_method(self, func):
        """``getattr(obj, name)`` called, with ``name`` a string the interpreter knows here (a constant, or
        the caller's argument ``"unread"``): ``(obj's value, name)``, the method call ``obj.<name>()`` it is;
        else ``None``.  With a third argument (a default) the attribute may be missing: not read here."""
        if not self.python or type(func) is not ir.Call or type(func.func) is not ir.Name or func.func.id != "getattr" \
                or len(func.args) != 2 or any(a.kind != "pos" for a in func.args) or "getattr" in self.env:
            return None
        name = v.strip(self.eval(func.args[1].value))
        if type(name) is not v.Const or not isinstance(name.value, str) or not name.value.isidentifier():
            return None
        return self.eval(func.args[0].value), name.value

    def _grown_literal(self, node: ir.Call, name: str, method: str, args) -> None:
        """``names.append("author")`` on a list literal the interpreter does not collect (no rows): a
        constant string joins the literal's items (once — the loop's fixpoint stays finite), anything
        else (``names.append(field.source)``) leaves what it holds unknown (:data:`values.GROWN_TAG`)."""
        held = self.env[name]
        bare = v.strip(held)
        if type(bare) is not v.Tuple:
            if any(type(v.strip(o)) is v.Tuple for o in v.options(held)):
                self.env[name] = v.tag(held, frozenset({v.GROWN_TAG}))
            return
        positional = [a[2] for a in args if a[0] == "pos"]
        added = positional[-1:] if method in ("append", "add", "insert") and len(positional) == (2 if method == "insert" else 1) \
            else list(v.strip(positional[0]).items) if method == "extend" and len(positional) == 1 \
            and type(v.strip(positional[0])) is v.Tuple else None
        if added is not None and len(added) == 1 and type(v.strip(added[0])) is v.Unknown and node.args \
                and self._is_prefetch(node.args[-1].value):
            # names.append(Prefetch("answers", queryset=…)): the lookups it loads, as names
            added = [v.Const(path.replace(".", "__")) for path in sorted(self._prefetch_object(node.args[-1].value))]
        if added is not None and all(type(v.strip(item)) is v.Const and isinstance(v.strip(item).value, str) for item in added):
            items = bare.items + tuple(v.strip(item) for item in added if v.strip(item) not in bare.items)
            self.env[name] = v.tag(v.Tuple(items), v.tags_of(held)) if items != bare.items else held
            return
        self.env[name] = v.tag(held, frozenset({v.GROWN_TAG}))

    def compiled_iteration(self, name: str, args):
        """TypeScript's emitted helpers (npm packages ship compiled JavaScript): ``__values(xs)`` an
        iterator whose ``.next()`` gives ``{ value, done }`` with ``value`` an element of ``xs`` (a
        ``Record`` holding ``xs`` under ``ITERATED``), ``__read(xs, n)`` ``xs`` itself (indexing it reads
        the same elements), ``__decorate([Entity()], User)`` the class ``User``."""
        if name in known(self.program).compiled_decorators:  # `User = __decorate([Entity()], User)`: the class
            return args[1][2] if len(args) == 2 else v.Const(None)
        iterable = args[0][2]
        if name in known(self.program).compiled_reads:
            return iterable
        return v.Record(((ITERATED, iterable),))

    def _super_call(self, node: ir.Call, func: ir.Attr, args):
        """``super().get_queryset()`` in a method: the method of the first project base that defines
        it, run on ``self``; on a DRF generic view whose project bases do not define it,
        ``GenericAPIView.get_queryset`` (the class's ``queryset``).  ``None`` otherwise."""
        inner = func.obj
        if type(inner.func) is not ir.Name or inner.func.id != "super" or inner.args:
            return None
        function = self.function
        if function.kind != "method" or function.cls < 0 or function.is_static or not function.params:
            return None
        bound = v.strip(self.env.get(function.params[0].name, v.UNKNOWN))
        if type(bound) is v.Query and bound.lazy and not args and self.program.library.outcome(bound.stack, "query", func.name):
            # `super().get_queryset()` in a project manager's method (run on a lazy queryset of the model):
            # Manager.get_queryset, the queryset itself
            return self.db_method(node, bound, v.tags_of(self.env.get(function.params[0].name)), func.name, args)
        if type(bound) is not v.Instance:
            return None
        order = self.program.mro(bound.path, bound.cid)
        here = (self.path, function.cls)
        if here in order:
            # the next class in the bound instance's MRO that defines the method — for a mixin, a sibling
            # of the concrete class's bases, not one of the mixin's own
            for path, cid in order[order.index(here) + 1:]:
                found = self.program.own_method(path, cid, func.name)
                if found is not None:
                    return self.invoke(node, found._replace(bound=bound), args)
            return self._framework_queryset(bound, func.name, args, bound.path, bound.cid)
        for base in self.program.bases(self.path, function.cls):
            if type(base) is v.ClassValue:
                found = self.program.method(base.path, base.cid, func.name)
                if found is not None:
                    return self.invoke(node, found._replace(bound=bound), args)
        return self._framework_queryset(bound, func.name, args, self.path, function.cls)

    def _base_constructor(self, node: ir.Call, args):
        """``super(User)`` in a JS/TS subclass's constructor: the constructor of the first project base that
        defines one, run on ``this`` — so what it stores (``this.model = model``, a TypeScript parameter property
        ``constructor(protected model: ModelStatic<T>)``) is written on the instance being built, and a generic
        ``BaseRepository``'s ``this.model.findOne(…)`` is the subclass's model.  ``UNKNOWN`` otherwise."""
        function = self.function
        bound = v.strip(self.self_value) if self.self_value is not None else None
        if function.name != "constructor" or function.cls < 0 or type(bound) is not v.Instance:
            return v.UNKNOWN
        for base in self.program.bases(self.path, function.cls):
            if type(base) is v.ClassValue:
                found = self.program.method(base.path, base.cid, "constructor")
                if found is not None:
                    self.invoke(node, found._replace(bound=bound), args)
                return v.UNKNOWN
        return v.UNKNOWN

    def _framework_queryset(self, bound: v.Instance, name: str, args, path: str, cid: int):
        """``GenericAPIView.get_queryset`` reached by ``super()`` on a DRF generic view (the class at
        ``path``/``cid``): the instance's ``queryset``.  ``None`` otherwise."""
        if name == "get_queryset" and not args:
            from archlint.semantics.frameworks import is_generic_view

            if is_generic_view(self.program, v.ClassValue(path, cid)) \
                    and self.program.class_field(bound.path, bound.cid, "queryset") is not None:
                return self.instance_member(bound, "queryset")
        return None

    def _mutated_builder(self, func: ir.Attr, result) -> None:
        """``qb.offset(o).limit(n)`` on a local knex/TypeORM builder: the local now holds the longer chain
        (``clone()`` makes a new builder: the local keeps its own)."""
        bare = v.strip(result)
        if type(bare) is not v.Query or bare.stack not in self.program.library.mutable_builders or not bare.chains:
            return
        root = func.obj
        while True:
            if type(root) is ir.Call and type(root.func) is ir.Attr:
                if root.func.name == "clone":
                    return
                root = root.func.obj
            else:
                break
        if func.name == "clone" or type(root) is not ir.Name or root.id not in self.env:
            return
        held = v.strip(self.env[root.id])
        if type(held) is not v.Query or held.stack != bare.stack or not held.chains:
            return
        if all(any(len(chain) > len(mine) and chain[: len(mine)] == mine for chain in bare.chains) for mine in held.chains):
            self.env[root.id] = v.tag(bare, v.tags_of(self.env[root.id]))

    def _drizzle_rows_of(self, result, variable: str):
        """``db.select().from(articles)`` / ``db.update(articles)``: a Drizzle query of that table."""
        bare = v.strip(result)
        if type(bare) is not v.Query or bare.stack != "drizzle" or bare.model:
            return result
        table = self.program.table_variable(self.path, variable)
        return v.tag(bare._replace(model=table), v.tags_of(result)) if table else result

    def change_unseen(self, row) -> None:
        """``setattr(row, key, value)`` on a loaded SQLAlchemy row: a column of its model changed, which one not
        known — a found filter of that model may no longer match, and a later ``session.add`` of such a row
        sends what is not known (``CHANGED_UNSEEN``)."""
        models = {v.strip(option).model for option in v.options(row)}
        self.changed_unseen.update(models)
        if self.filter_facts:
            for model in sorted(models):
                self.forget_moved(model, None)

    def _changed_unseen(self, row) -> frozenset:
        """``CHANGED_UNSEEN`` for a save of ``row`` when this function changed a row of its model unseen."""
        if self.changed_unseen and any(v.strip(option).model in self.changed_unseen for option in v.options(row)):
            return frozenset({CHANGED_UNSEEN})
        return frozenset()

    def _collection_write(self, node: ir.Call, method: str) -> None:
        """``article.tags.append(tag)`` on a row the session loaded: the unit of work writes the
        association at the next flush/commit — a ``dirty`` effect, as for an assigned column."""
        collection = node.func.obj if type(node.func) is ir.Attr else None
        if type(collection) is not ir.Attr or type(collection.obj) is not ir.Name:
            return
        held = self.env.get(collection.obj.id)
        if held is None or not session_row(held):
            return
        rows = {v.strip(o).model for o in v.options(held)}
        model = next(iter(rows)) if len(rows) == 1 else ""
        relation = self.program.schema.relation(model, collection.name) if model else None
        if relation is not None and relation.collection:
            self.effect("dirty", "sqlalchemy", model, f"{collection.name}.{method}", node,
                        v.tags_of(held) | {v.COLLECTION_WRITE_TAG}, detail=collection.name)

    def stale_increment(self, name: ir.Name, column: str, node, pending: int | None = None) -> None:
        """``column`` written as ``name.column ± n`` where ``name`` holds a stored row (read, not built
        here): a read-modify-write that loses concurrent updates (see :mod:`.lost_updates`).
        ``pending``: an in-memory change, reported once a write after this many effects stores it."""
        held = self.env.get(name.id)
        if held is None or not existing_row(held) or lost_updates.LOCKED <= v.tags_of(held):
            return
        row = next((v.strip(o) for o in v.options(held) if v.strip(o).model), None)
        if row is None:
            return
        if pending is None:
            self.event("lost-update", node, f"{row.stack}|{row.model}|{column}")
        else:
            self.pending_increments.append((node, f"{row.stack}|{row.model}|{column}", pending))

    def stale_value(self, node: ir.BinOp) -> frozenset:
        """The tag of ``row.column ± n`` where ``row`` holds a stored row read without a lock: the value, passed on
        (``repository.setCount(article.id, article.count + 1)``), is a read-modify-write when it is written back to
        that column (see :mod:`.lost_updates`)."""
        found = lost_updates.incremented_column(node)
        if found is None:
            return frozenset()
        held = self.env.get(found[0].id)
        if held is None or not existing_row(held) or lost_updates.LOCKED <= v.tags_of(held):
            return frozenset()
        row = next((v.strip(o) for o in v.options(held) if v.strip(o).model), None)
        if row is None:
            return frozenset()
        return frozenset({f"{lost_updates.STALE_TAG}{row.stack}|{row.model}|{found[1]}"})

    def arguments(self, args: tuple, spawned: frozenset = frozenset()) -> list[tuple[str, str, object, object]]:
        if not spawned:
            found = [(arg.kind, arg.name, self.eval(arg.value), arg.value) for arg in args]
            if self.raise_points:
                self.raise_point()  # the call runs now, with its arguments evaluated: it may raise
            return found
        found = []
        for index, arg in enumerate(args):
            first = len(self.effects)
            found.append((arg.kind, arg.name, self.eval(arg.value), arg.value))
            if index in spawned:
                # the coroutine runs as a task of its own: not in this function's loops (semantics/tasks.py)
                depth, outer = len(self.loops), tuple(self.loops)
                self.effects[first:] = [e._replace(loops=e.loops[depth:] if e.loops[:depth] == outer else e.loops,
                                                   tags=e.tags | _DETACHED) for e in self.effects[first:]]
        if self.raise_points:
            self.raise_point()
        return found

    def _spawned_arguments(self, node: ir.Call, receiver) -> frozenset:
        """The indices of the arguments ``node`` starts as detached tasks: the coroutine a task spawner
        (``asyncio.create_task(notify(row))``), or a project wrapper that spawns its parameter, is
        handed, where this function never awaits the task (:mod:`archlint.semantics.tasks`)."""
        if not self.python or not any(type(arg.value) is ir.Call for arg in node.args):
            return frozenset()
        if type(node.func) is ir.Attr and node.func.name not in tasks.spawner_names(self.program):
            return frozenset()  # (`asyncio.create_task`: its name read statically only when it could be one)
        bare = v.strip(receiver if type(node.func) is not ir.Attr else self.program.static_value(self.path, node.func))
        if type(bare) is v.External and bare.name in tasks.spawners(self.program):
            names, wrapper = None, False
        elif type(bare) is v.Function and self.program.function(bare.path, bare.fid) is not None:
            names, wrapper = tasks.spawned_parameters(self.program, bare.path, bare.fid), True
            if not names:
                return frozenset()
        else:
            return frozenset()
        if tasks.awaited(self.function, node, wrapper=wrapper, returning=False):
            return frozenset()
        if names is None:
            return frozenset({0}) if node.args[0].kind == "pos" and type(node.args[0].value) is ir.Call else frozenset()
        callee = self.program.function(bare.path, bare.fid)
        found = filter(None, (argument_for(callee, node.args, name, bare.bound is not None) for name in names))
        return frozenset(index for index, _field in found if type(node.args[index].value) is ir.Call)

    def parameter_keys(self, args):
        """The arguments, a column of an unknown parameter among them tagged ``PARAMETER_KEY_TAG``
        (``users.get(article.author_id)`` in ``def present(article)`` analysed on its own): a lookup
        keyed by it is judged in the callers' contexts, where ``article`` is known.  Only call
        arguments are tagged — a value stored in a field or a global never carries the tag.  A plain
        parameter as the key (``User.findByPk(userId)`` in ``profileOf(userId)``) gets
        ``param:<name>``: its callers decide only where the call graph knows them all
        (``semantics/callers.py``; deferring every one lost true findings whose callers' contexts do
        not all resolve — route handlers, DI, exports nothing calls, callbacks)."""
        if self.analysis is None:
            return args
        changed = None
        for index, (kind, name, value, expr) in enumerate(args):
            tagged = self._parameter_key(value, expr, 0)
            if tagged is not value:
                changed = changed or list(args)
                changed[index] = (kind, name, tagged, expr)
        return changed if changed is not None else args

    def _parameter_key(self, value, expr, depth: int):
        if type(expr) is ir.Name and value is v.UNKNOWN and expr.id not in ("self", "cls"):
            # the parameter itself (`findByPk(userId)`): judged by what the callers pass (semantics/callers.py)
            if any(p.name == expr.id and p.kind in ("pos", "posonly", "kwonly") for p in self.function.params):
                return v.tag(v.UNKNOWN, frozenset({v.PLAIN_PARAMETER_TAG + expr.id}))
            return value
        if (type(expr) is ir.Attr or type(expr) is ir.Index and type(expr.index) is ir.Const and isinstance(expr.index.value, str)) \
                and type(expr.obj) is ir.Name and value is v.UNKNOWN:
            # `article.author_id`, or `row["author_id"]` of a driver row (sqlite3.Row, asyncpg Record, a dict row)
            name = expr.obj.id
            if self.env.get(name) is v.UNKNOWN and any(p.name == name for p in self.function.params):
                return v.tag(v.UNKNOWN, _PARAMETER_KEY)
            return value
        if type(expr) is ir.Obj and type(value) is v.Record and depth < 2:  # findOne({ where: { id: a.authorId } })
            entries = {e.key: e.value for e in expr.entries if isinstance(e.key, str)}
            items = tuple((key, self._parameter_key(item, entries.get(key), depth + 1)) for key, item in value.items)
            if any(new is not old for (_k, new), (_k2, old) in zip(items, value.items)):
                return v.Record(items)
        return value

    def require(self, node: ir.Call):
        first = node.args[0].value
        if type(first) is ir.Const and isinstance(first.value, str):
            found = self.program.graph.resolve_binding(self.path, f"{first.value}:")
            if found.file is not None:
                return self.program.module_exports(found.file)
            return v.External(f"{first.value}:")
        self.eval(first)
        # require(__dirname + '/../config/config.js'): the one project module a computed target resolves to
        # (adapters/frontends/computed_imports.py folds it); a directory listing or several targets stay unknown
        targets = {edge.target for edge in self.program.graph.out_edges(self.path)
                   if edge.span == node.span and not edge.external and edge.kind == "dynamic"}
        if len(targets) == 1:
            target = targets.pop()
            if target in self.program.modules:
                return self.program.module_exports(target)
        return v.UNKNOWN

    def promise_chain(self, node: ir.Call, receiver, method: str, args):
        """``p.then(cb)`` / ``p.catch(cb)`` / ``p.finally(cb)`` with inline (or known) callbacks: each runs here,
        after what built ``p`` — its effects are this function's, in order.  ``then``'s callback gets what
        awaiting ``p`` gives (``Article.findAll().then((articles) => …)`` binds as ``const articles = await
        Article.findAll()``; ``user.favorite(id).then(() => …)`` gets the saved row) and the chain resolves to
        what it returns; a rejection callback (``catch``, ``then``'s second) runs as an ``except`` block would,
        with an unknown error, and the chain resolves to either side.  None when no callback is a function."""
        callbacks = [a[2] for a in args if a[0] == "pos"]
        functions = [type(v.strip(c)) is v.Function for c in callbacks]
        if not any(functions):
            return None
        inline = [self._continuation(c) for c in callbacks]
        result = missed = None
        if method == "then":
            if functions[0]:
                # awaited as `await <receiver call>` would be: a maybe-null row names the lookup it came from (AL220)
                awaited = ir.Await(node.func.obj, node.span) if type(node.func) is ir.Attr and type(node.func.obj) is ir.Call else node
                result = self._continue(inline[0], node, callbacks[0], [("pos", "", self.await_value(receiver, awaited), None)])
            else:
                result = receiver
            rejected = callbacks[1] if len(callbacks) > 1 and functions[1] else None
        elif method == "catch":
            result, rejected = receiver, callbacks[0] if functions[0] else None
            lookup = node.func.obj if type(node.func) is ir.Attr and type(node.func.obj) is ir.Call else None
            if rejected is not None and lookup is not None and self.origin_of(lookup) in self.raising_runs:
                # `repo.findOneOrFail(…).catch(() => null)`: the null the callback answers stands for the missing row
                self.raising_runs.remove(self.origin_of(lookup))
                for index, effect in enumerate(self.effects):  # and the error it raises is caught there (AL234)
                    if effect.path == self.path and effect.span == lookup.span and any(
                            t.startswith(v.RAISES_MISSING_TAG) for t in effect.tags):
                        self.effects[index] = effect._replace(tags=effect.tags | CAUGHT_MISSING)
                missed = v.Tagged(v.Const(None), frozenset({v.MISSED_TAG + self.origin_of(lookup) + " → catch: null"}))
        else:  # finally(cb): runs either way, the chain keeps the receiver's value
            self._continue(inline[0], node, callbacks[0], [])
            return receiver
        if rejected is not None:  # a rejection handler runs only on a failure
            self.handling.append(len(self.loops))
            self.failing += 1
            try:
                answered = self._continue(rejected is callbacks[-1] and inline[-1], node, rejected, [("pos", "", v.UNKNOWN, None)])
                if missed is not None and v.strip(answered) == v.Const(None):
                    answered = missed
                result = v.join(result, answered)
            finally:
                self.handling.pop()
                self.failing -= 1
        return result

    def _continuation(self, callback) -> bool:
        """A callback written inline in this function (``.then((user) => …)``): the rest of this function's
        work, not a call one level down — a chain of them costs no call depth (``MAX_CALL_DEPTH`` counts
        handler → service → repository → helper, and a promise-chain handler nests a callback per step)."""
        bare = v.strip(callback)
        if type(bare) is not v.Function or bare.path != self.path or bare.bound is not None or bare.partial or bare.keywords:
            return False
        definition = self.program.function(bare.path, bare.fid)
        return definition is not None and definition.parent == self.function.fid and definition.parent > 0

    def _continue(self, inline: bool, node: ir.Call, callback, args):
        if not inline:
            return self.invoke(node, callback, args)
        self.depth -= 1  # call_function adds one back: the callback runs at this function's depth
        try:
            return self.invoke(node, callback, args)
        finally:
            self.depth += 1

    def method_call(self, node: ir.Call, receiver, method: str, args):  # noqa: C901
        options = v.options(receiver)
        if len(options) > 1:
            result = None
            self.alternatives += 1  # one alternative lacking the method proves nothing
            try:
                for option in options:
                    result = v.join(result, self.method_call(node, option, method, args))
            finally:
                self.alternatives -= 1
            return result
        tags = v.tags_of(receiver)
        bare = v.strip(receiver)
        kind = type(bare)
        if method in PROMISE_METHODS and not self.python and kind not in (v.Instance, v.ClassValue):
            chained = self.promise_chain(node, receiver, method, args)
            if chained is not None:
                return chained
        if kind in (v.Rows, v.Query) and bare.stack == "sqlalchemy" and self.python and method in _COLLECTION_WRITES:
            # (a `lazy="dynamic"` relationship reads as a query: its AppenderQuery's append/remove write too)
            self._collection_write(node, method)
        if kind is v.Items:
            found = sequences.read(receiver, method)  # by_id.values() / pairs.pop()
            if found is not None:
                return found
        if kind is v.Loader:  # joinedload(A.author).selectinload(User.profile)
            attribute = v.strip(args[0][2]) if args else None
            if method in ("raiseload", "lazyload", "noload", "defaultload"):
                return bare  # selectinload(A.comments).raiseload(Comment.author): the chained relation is not loaded
            if method == "options" and bare.path:
                # selectinload(Record.dataset).options(selectinload(Dataset.fields), …): each sub-option loads below
                # the parent's path (SQLAlchemy 1.4+ Load.options); the parent's path stays the loader's own
                nested = list(bare.nested)
                for _kind, _name, value, _node in args:
                    for option in v.options(value):
                        sub = v.strip(option)
                        if type(sub) is v.Loader and sub.path:
                            nested.append(v.Loader(sub.strategy, bare.path + sub.path))
                            nested.extend(v.Loader(s.strategy, bare.path + s.path) for s in sub.nested)
                return bare._replace(nested=tuple(nested))
            if type(attribute) is v.ModelAttr:
                return bare._replace(path=bare.path + (attribute.name,))
            return bare
        if kind is v.Db and bare.stack == "django" and bare.kind in ("manager", "prefetched") and self._requeries(bare, method):
            # taggit's `article.tags.names()`: `get_queryset().values_list("name", flat=True)`, a clone of the
            # (prefetched) queryset that queries again — a lazy queryset of the relation like `.values_list()`
            return self.db_method(node, bare._replace(kind="manager"), tags | {v.REQUERY_TAG + method}, "values_list", [])
        if kind is v.Db and bare.kind == "prefetched":
            if method in PREFETCH_SERVED:
                return v.tag(v.Query("django", bare.model, bare.loaded, lazy=True, cached=True), tags)
            bare = bare._replace(kind="manager")
            kind = v.Db
        if kind is v.Db and bare.kind == "flask_db" and method == "init_app":
            self.program.write_context("flask", "extensions", "sqlalchemy", bare)  # current_app.extensions['sqlalchemy']
        if (kind is v.Rows and not self.python and method in ARRAY_LOOPS and args
                and type(v.strip(args[0][2])) is v.Function):
            return self.callback_loop(node, receiver, args[0][2])  # rows.map(toJSON): an array method of the rows
        if kind is v.Rows and not self.python and method in ROW_SUBSETS:
            return receiver  # rows.slice(0, 10) / rows.sort(byDate): some of the same rows
        if kind is v.Db and bare.kind == "service" and method == "to_schema":
            converted = to_schema_hook(self, node, args)  # service.to_schema(rows, schema_type=ArticleSchema)
            if converted is not None:
                return converted
        if kind is v.Object and bare.kind.startswith(validators.VALIDATOR) and not self.python:
            validated = validators.method(self, bare, method, args)  # yup / Joi / zod: `schema.validate(req.body)`
            if validated is not None:
                return validated
        if kind is v.Object and bare.kind.startswith(ADAPTER):
            converted = adapter_hook(self, node, bare, method, args)
            if converted is not None:
                return converted
        if kind is v.Row and bare.model and self.program.schema.relation(bare.model, method) is not None:
            # `order.all_positions(manager="objects")`: the relation's handle called (semantics.toml `manager.__call__`)
            held = self.row_member(bare, tags, method, None)
            if type(v.strip(held)) is v.Db:
                found = self.db_method(node, v.strip(held), v.tags_of(held), "__call__", args)
                if found is not None and not v.is_unknown(found):
                    return found
        if kind in (v.Db, v.Query, v.Result, v.Rows, v.Row, v.ModelClass):
            found = self.db_method(node, bare, tags, method, args)
            if found is not None:
                return found
        if kind is v.Object and bare.kind == DRF_PAGINATOR and method == "paginate_queryset" and args and args[0][0] == "pos":
            return paged(args[0][2])  # PageNumberPagination().paginate_queryset(qs, request): a page of qs's rows, or None
        registry = registry_classes(self.program).get((bare.path, bare.cid)) if kind is v.Instance else None
        if registry is not None:  # a hand-written container: `register('name', factory)` / `resolve('name')`
            found = registry_call(self, node, bare, registry, method, args)
            if found is not None:
                return found
        if kind is v.Instance:
            function = self.program.method(bare.path, bare.cid, method)
            if function is not None:
                # the view keeps serving its action; a repository keeps the session block it was built with
                action = frozenset(t for t in tags if t.startswith((v.DRF_ACTION_TAG, v.SESSION_BLOCK_TAG)))
                return self.invoke(node, function._replace(bound=v.tag(bare, action) if action else bare), args)
            dumped = dump_hook(self, node, receiver, method, args)
            if dumped is None:
                dumped = view_hook(self, node, receiver, method, args)
            if dumped is None:
                dumped = save_hook(self, node, receiver, method)
            if dumped is not None:
                return dumped
            member = self.instance_member(bare, method)
            if v.is_unknown(member) and self.program.class_field(bare.path, bare.cid, method) is None:
                handle = self._handle_base(v.ClassValue(bare.path, bare.cid))
                if handle is not None:  # this.$connect() / repository.save(): a method of the inherited handle
                    first = len(self.analysis.sites) if self.analysis is not None else 0
                    result = self.method_call(node, v.tag(handle, tags), method, args)
                    if self.analysis is not None:  # run by the project class (its layer), not written here
                        self.analysis.sites[first:] = [s._replace(owner=bare.path) if s.span == node.span else s
                                                       for s in self.analysis.sites[first:]]
                    return result
            if (v.is_unknown(member) and DECLARED not in tags and not self.alternatives
                    and self.program.closed_class(bare.path, bare.cid) and not self.program.has_subclasses(bare.path, bare.cid)):
                if self.program.class_field(bare.path, bare.cid, method) is None and self.program.field_value(bare.path, bare.cid, method) is None:
                    self.event("missing-method", node, f"{bare.path}|{bare.cid}|{method}")
            return self.invoke(node, member, args)
        if kind is v.ClassValue:
            model = self.program.model_of_class(bare.path, bare.cid)
            if model:
                stack = self.program.schema.models[model].stack
                found = self.db_method(node, v.ModelClass(stack, model), tags, method, args)
                if found is not None:
                    return found
            function = self.program.method(bare.path, bare.cid, method)
            if function is not None:
                return self.invoke(node, function._replace(bound=bare if self._binds_class(function) else None), args)
            handle = v.strip(self._handle_base(bare))
            if type(handle) is v.Db and (handle.stack, f"{handle.kind}.{method}") in self.program.library.instance_factories:
                return v.Instance(bare.path, bare.cid)  # `async with ArticleService.new(session=s) as service`
            built = validate_hook(self, node, bare, method, args)
            return built if built is not None else v.UNKNOWN
        if kind is v.App and bare.framework == "express" and method in ("set", "get") and args and len(args) == (2 if method == "set" else 1) \
                and type(v.strip(args[0][2])) is v.Const and isinstance(v.strip(args[0][2]).value, str) and not v.strip(args[0][2]).value.startswith("/"):
            # application settings: app.set('sequelize', sequelize) at start-up, req.app.get('sequelize') in a handler
            key = v.strip(args[0][2]).value
            if method == "set":
                self.program.write_context("express", "settings", key, args[1][2])
                return bare
            held = self.program.read_context("express", "settings", key)
            return held if held is not None else v.UNKNOWN
        if kind is v.App or kind is v.Request and method not in known(self.program).request_object_methods \
                and method not in ("get", "set"):
            held = self.context_read(receiver, method)
            if held is not None:  # fastify.db('articles') / req.knex('users')
                return self.invoke(node, held, args)
        if kind is v.App and bare.framework == "fastify" and method in ("decorate", "decorateRequest") and len(args) >= 2 \
                and type(v.strip(args[0][2])) is v.Const and isinstance(v.strip(args[0][2]).value, str):
            # fastify.decorate('db', knex(…)) in a plugin: handlers read fastify.db / this.db / request.server.db
            scope = "app" if method == "decorate" else "request"
            self.program.write_context("fastify", scope, v.strip(args[0][2]).value, args[1][2])
            return bare
        if kind is v.Context and bare.scope == "app.ctx":  # Sanic request.app.ctx.sessionmaker(): the factory a listener stored
            held = self.context_read(receiver, method)
            if held is not None:
                return self.invoke(node, held, args)
        if kind is v.Context and bare.framework == "flask" and bare.scope == "app":
            # Quart/Flask `current_app.sessions()`: the factory the app factory stored as `app.sessions = async_sessionmaker(…)`
            held = self.program.read_context("flask", "app", method)
            if held is not None:
                return self.invoke(node, held, args)
        if kind is v.Context:
            return self.context_method(node, bare, method, args)
        if kind is v.App and bare.framework == "aiohttp" and method == "get" and args:
            return self.context_method(node, v.Context("aiohttp", "app"), method, args)
        if kind is v.App and bare.framework in ("fastapi", "starlette") and method == "add_event_handler" and len(args) == 2:
            event = v.strip(args[0][2])  # app.add_event_handler("startup", create_start_app_handler(app, settings))
            handler = v.strip(args[1][2])
            if type(event) is v.Const and event.value == "startup" and type(handler) is v.Function:
                self.call_function(node, handler, [])
            return v.UNKNOWN
        if kind is v.App and bare.site == v.ANNOTATED_APP:
            return v.UNKNOWN  # routes registered on a parameter: which application (and prefix) is not known
        if kind is v.App and method in self.program.library.framework_data.get(bare.framework, {}).get("param_methods", ()) \
                and len(args) == 2 and type(v.strip(args[1][2])) is v.Function:
            # router.param('article', loader): the loader runs per request before the routes naming `:article`
            loader = v.strip(args[1][2])
            self.program.param_loaders.setdefault((loader.path, loader.fid), bare.framework)
            return bare
        if kind is v.App:  # route registration: handlers run per request and are analysed on their own
            if method in handler_names(self.program).js_registrations:  # setErrorHandler / onError: on which app
                self.program.handler_receivers.setdefault((self.path, node.span), bare)
            if method in self.program.library.route_methods.get(bare.framework, ()) or method in ("route", "basePath"):
                values = tuple(a[2] for a in args)
                first = self.program.route_calls.setdefault((self.path, node.span), (self.path, node, bare, values))
                if first[3] != values or first[2] != bare:  # a registration in a loop over routers, one per router
                    self.program.repeated_route_calls.setdefault((self.path, node.span, bare, values), (self.path, node, bare, values))
                plugin = next((v.strip(a[2]) for a in args if type(v.strip(a[2])) is v.Function), None)
                if method == "register" and bare.framework == "fastify" and plugin is not None:
                    child = v.App("fastify", f"{self.path}:{node.span.line}:{node.span.column}")
                    if any(SHARED_CONTEXT in v.tags_of(a[2]) for a in args) or _wrapped_plugin(self.program, self.path, node):
                        self.program.shared_contexts.add(child.site)  # register(fp(plugin)): no encapsulation
                    # register(plugin, { prefix, service }): the plugin gets its instance and the options object
                    options = next((a[2] for a in args[1:] if a[0] == "pos" and type(v.strip(a[2])) is v.Record), v.UNKNOWN)
                    self.call_function(node, plugin, [("pos", "", child, None), ("pos", "", options, None)])
                if method == "basePath" and args and type(v.strip(args[0][2])) is v.Const:
                    child = v.App(bare.framework, f"{self.path}:{node.span.end_line}:{node.span.end_column}")
                    self.program.app_prefixes[child.site] = str(v.strip(args[0][2]).value)
                    self.program.app_mounts.setdefault(child.site, (bare.site, ""))
                    return child
                return bare
            return v.UNKNOWN
        if kind is v.Record and method == "get" and bare.get("get") is None and self.program.language(self.path) == "python":
            key = v.strip(args[0][2]) if args else None
            if type(key) is v.Const and isinstance(key.value, str):  # dict.get(key, default) on a known dict
                found = bare.get(key.value)
                if found is not None:
                    return v.tag(found, tags)
                if not bare.items and self.alternatives:
                    # `(request.get_json() or {}).get("article")`: the empty-dict alternative has no key — the
                    # default, not an unknown that would hide the body's own `article` in the join
                    return args[1][2] if len(args) > 1 and args[1][0] == "pos" else v.Const(None)
            return v.tag(v.UNKNOWN, tags)  # a missing key: the literal may have had computed keys or spreads
        if kind is v.Record and bare.get(PAGINATES) is not None and method in known(self.program).page_methods:
            # paginator.get_page(n): a Page — iterating it, or its object_list, runs over a slice of the rows
            rows = bare.get(PAGINATES)
            return v.tag(v.Record((("object_list", rows), ("paginator", bare), (v.ITERATES, rows))), tags)
        if kind is v.Record and method in ("items", "keys") and not args and bare.get(method) is None and self.python:
            spread = bare.get("...")
            if spread is not None and whole_body(spread):  # `def update(self, **kwargs)` given `**body`: the client's keys
                return v.tag(v.UNKNOWN, v.tags_of(spread) | tags)
        if kind is v.Record and method in ("values", "items") and not args and bare.get(method) is None and self.python \
                and bare.items and all(isinstance(key, str) and key != "..." and key != v.ITERATES for key, _ in bare.items):
            # `for _, annotate in COUNTERS.items()` on a dict literal: every one of its values, in turn
            element = v.function_table(item for _key, item in bare.items)
            if method == "items":
                element = v.Tuple((v.Const(v.ANY_CONSTANT), element))
            return v.tag(v.Items(element), tags)
        if kind is v.Record and method == "next" and not args and bare.get(ITERATED) is not None:
            # `_b = _a.next()` on the iterator `__values(xs)` made: `_b.value` is one element of xs
            iterated = bare.get(ITERATED)
            element = sequences.elements(iterated)
            if element is None:
                element = v.Const(v.ANY_CONSTANT) if v.is_constant(iterated) else v.tag(v.UNKNOWN, v.tags_of(iterated))
            return v.Record((("value", element), ("done", v.Const(v.ANY_CONSTANT))))
        if kind is v.Module or kind is v.Record:
            return self.invoke(node, self.member(receiver, method, node.func), args)
        if kind is v.External:
            return self.invoke(node, self.program.static_attribute(bare, method), args)
        if kind is v.Request:
            key = v.strip(args[0][2]) if args else None
            if method in ("get", "set") and bare.part == "" and type(key) is v.Const and isinstance(key.value, str) and bare.framework == "hono":
                # Hono context variables: c.set('user', payload) in middleware, c.get('user') in handlers
                self.request_event("request-write" if method == "set" else "request-read", bare, "var." + key.value, node.span)
                if method == "set" and len(args) >= 2:
                    self.program.write_context(bare.framework, "var", key.value, args[1][2])
                if method == "get":
                    held = self.program.read_context(bare.framework, "var", key.value)
                    return held if held is not None else v.tag(v.UNKNOWN, tags | {v.REQUEST_TAG})
            if self.python and method == "get" and type(key) is v.Const and isinstance(key.value, str) \
                    and (bare.part == "body" or bare.part.startswith("body.")):
                # `body.get("article")` on the parsed JSON body: the sub-object, as `body["article"]` is
                return self.member(receiver, key.value, None)
            names = known(self.program)
            part = names.request_object_methods.get(method)
            validated = method in names.request_validated_methods
            if part == "body" and not validated and bare.part in ("", "req"):  # c.req.json(), request.get_json()
                self.request_event("request-read", bare, "body", node.span)
            if validated and part == "body" and type(key) is v.Const:
                parsed = self._validated_target(bare, key.value)
                if parsed is not None:
                    return parsed
            if part is not None:
                chosen = frozenset({v.INPUT_TAG}) if part in v.INPUT_PARTS else frozenset()
                return v.tag(v.Request(bare.framework, part), tags | {v.REQUEST_TAG} | chosen)
            if bare.part and method in _WHOLE_COPIES:  # request.POST.dict() / request.form.to_dict(): the part, copied
                return v.tag(bare, tags | {v.REQUEST_TAG})
            return v.tag(v.UNKNOWN, tags | {v.REQUEST_TAG})
        if kind is v.Unknown and method in known(self.program).statement_runners and args and args[0][0] == "pos" and not args[0][1]:
            statement = v.strip(args[0][2])
            if type(statement) is v.Query and statement.stack == "sqlalchemy" and statement.chains:
                found = self.db_method(node, v.Db("sqlalchemy", "session"), tags, method, args)
                if found is not None:
                    return found
        if method in ARRAY_LOOPS and args and type(v.strip(args[0][2])) is v.Function:
            return self.callback_loop(node, receiver, args[0][2])
        if kind is v.Function and method in ("call", "apply"):
            return self.invoke(node, bare, args[1:] if method == "call" else [])
        if kind is v.Function and method == "bind" and not self.python:
            # rows.map(this.present.bind(this)): the function, run with that `this`; `fn.bind(this, viewer)` also
            # fixes its first parameters (the caller's arguments come after them)
            if any(a[0] != "pos" for a in args):
                return v.UNKNOWN  # a spread: which parameters it fills is not known
            return bare._replace(bound=args[0][2], partial=bare.partial + tuple(a[2] for a in args[1:])) if args else bare
        if kind is v.Unknown and method in framework_names(self.program).queryset_scopers:
            scoped = [a[2] for a in args if a[0] == "pos" and type(v.strip(a[2])) is v.Query]
            if len(scoped) == 1:
                return scoped[0]  # permission_class.scope_queryset(self, qs): qs narrowed to what the user may see
        passed = computed_tags([a[2] for a in args])
        if v.INPUT_TAG not in tags:  # `paginator.page(request.GET["page"])`: not the client's value; `slug.lower()` is
            passed = passed - {v.INPUT_TAG}
        return v.tag(v.UNKNOWN, tags | passed)

    def _binds_class(self, function: v.Function) -> bool:
        """Whether ``Class.method(…)`` passes the class as the method's first parameter: in JS
        (``this``) and for a Python classmethod — not for a plain Python method called through its
        class (``Base.__init__(self, database)``), whose first argument *is* ``self``."""
        if not self.python:
            return True
        definition = self.program.function(function.path, function.fid)
        return definition is not None and any(
            type(d) is ir.Name and d.id == "classmethod" for d in definition.decorators
        )

    def _validated_target(self, request: v.Request, target):
        """``c.req.valid('json')`` in a handler whose route runs ``zValidator('json', schema)`` first: the
        schema's parsed output (a zod ``z.object`` keeps only its declared keys), ``None`` when no modelled
        schema validates that target."""
        if request.part not in ("", "req") or not isinstance(target, str):
            return None
        found = self.program.validated_targets(request.framework).get((self.path, self.function.fid), {}).get(target)
        if found is None:
            return None
        body_targets = self.program.library.framework_data.get(request.framework, {}).get("validator_body_targets", ())
        part = "body" if target in body_targets else None
        if part is None or not self.program.stripping_schema(*found, request.framework):
            return None  # a schema keeping unknown keys (`.passthrough()` anywhere in it): the body as sent
        schema = self.eval_in_module(*found)
        body = v.tag(v.Request(request.framework, part), frozenset({v.REQUEST_TAG, v.INPUT_TAG}))
        return validators.parsed(schema, body)

    def callback_loop(self, node: ir.Call, receiver, function):
        """``rows.map(toDto)``: the function runs once per element."""
        loop_id = f"{self.path}:{node.span.line}:{node.span.column}"
        fake = ir.Loop(node.method, None, node.receiver, (), node.span)
        element, source, model = self.element_of(fake, receiver, loop_id)
        if self.analysis is not None:
            self.analysis.loops.append(LoopInfo(loop_id, self.path, node.span, node.method, source, model))
        self.loops.append(loop_id)
        try:
            if type(v.strip(function)) is v.Function and node.args and node.args[0].kind == "pos":
                # named after the function handed to the loop (`comments.map(commentView)`: commentView)
                self.call_function(node, v.strip(function), [("pos", "", element, None)], callee_text(node.args[0].value))
            else:
                self.invoke(node, function, [("pos", "", element, None)])
        finally:
            self.loops.pop()
        if source == "rows" and node.method in ("map", "flatMap") and not self.python:
            return v.Object(ROW_MAP + model)  # rows.map(toDto): one item per row
        return v.UNKNOWN

    def _builtin_callback(self, node: ir.Call, short: str, args) -> None:
        """``sorted(rows, key=lambda a: a.author.username)``, ``map(fn, rows)``, ``filter(fn, rows)``,
        ``max(rows, key=…)``: Python calls the function once per element — over DB rows, a loop whose
        body is the function (a query or lazy load there runs per row)."""
        positional = [a for a in args if a[0] == "pos"]
        if short in ("map", "filter"):
            if len(positional) != 2:
                return
            function, rows = positional[0], positional[1]
        else:
            function = next((a for a in args if a[0] == "kw" and a[1] == "key"), None)
            if function is None or not positional:
                return
            rows = positional[0]
        if type(v.strip(function[2])) is not v.Function or rows[3] is None:
            return
        loop_id = f"{self.path}:{node.span.line}:{node.span.column}"
        fake = ir.Loop(short, None, rows[3], (), node.span)
        element, source, model = self.element_of(fake, rows[2], loop_id)
        if source != "rows":
            return
        if self.analysis is not None:
            self.analysis.loops.append(LoopInfo(loop_id, self.path, node.span, short, source, model))
        self.loops.append(loop_id)
        try:
            written = function[3]
            if type(written) is ir.Call and (v.strip(function[2]).partial or v.strip(function[2]).keywords) and written.args:
                written = written.args[0].value  # partial(self._present, viewer): named after the function it fixes
            text = "lambda" if type(written) is ir.FuncRef else callee_text(written)
            self.call_function(node, v.strip(function[2]), [("pos", "", element, None)], text)
        finally:
            self.loops.pop()

    def _requeries(self, manager, method: str) -> bool:
        """``method`` of a Django related manager is one its relation field's manager class builds a new
        query for even when the relation was prefetched (``rules/knowledge/orms.toml`` django_relation_queries)."""
        from archlint.semantics.schema import known as schema_names

        owner, _, name = manager.via.rpartition(".")
        relation = self.program.schema.relation(owner, name) if owner else None
        if relation is None or method not in schema_names(self.program).django_relation_queries.get(relation.via, ()):
            return False
        model = self.program.schema.get(owner)
        field = self.program.class_field(model.path, model.cid, name) if model is not None and model.cid >= 0 else None
        custom = field.value.arg(keyword="manager") if field is not None and type(field.value) is ir.Call else None
        klass = v.strip(self.program.static_value(model.path, custom)) if custom is not None else None
        # `TaggableManager(manager=ProjectManager)`: a project manager class that defines the method or its
        # own get_queryset may answer it differently — no claim then
        return not (type(klass) is v.ClassValue and any(self.program.method(klass.path, klass.cid, m) is not None
                                                         for m in (method, "get_queryset")))

    def db_method(self, node: ir.Call, bare, tags: frozenset, method: str, args):  # noqa: C901
        """A call on a DB handle, query, result, rows, row or model class — from the library tables."""
        library = self.program.library
        kind = type(bare)
        stack = bare.stack
        value_kind = {v.Db: None, v.Query: "query", v.Result: "result", v.Rows: "rows", v.Row: "row",
                      v.ModelClass: "model"}[kind]
        handle_kind = bare.kind if kind is v.Db else value_kind
        model = bare.model
        # the session a call writes or reads through is its receiver's (Effect.handle): an argument computed
        # from rows of another session names no session here (see support.without_identity)
        arg_tags = without_identity(without_optional(all_tags([a[2] for a in args]))) | self._closure_elems(args)
        if stack in library.keyed_records and kind in (v.Db, v.ModelClass, v.Query):
            self._instance_as_key(node, stack, method, args)
        if stack in library.undefined_keys and kind is v.Db and args and args[0][0] == "pos" \
                and type(v.strip(args[0][2])) is v.Record:
            self._undefined_keys(stack, method, v.strip(args[0][2]))
        if kind is v.Db and args and args[0][0] == "pos" and args[0][3] is not None \
                and (stack, f"{bare.kind}.{method}") in library.instance_arguments:
            self.dereference(args[0][3], args[0][2], node.span)  # session.delete(article) of a lookup that may be None
        if kind is v.Db and method in ("commit", "rollback", "commitTransaction", "rollbackTransaction") and self.opened:
            # t.commit() / t.rollback() of `const t = await sequelize.transaction()`: the transaction has ended
            ended = {tag.split(":", 1)[1] for tag in tags if tag.startswith((v.TX_TAG, CONNECTION))}
            if self.analysis is not None:
                for site, opened_stack, handle in self.opened:
                    if handle in ended:
                        self.analysis.events.append(Event("tx-ended", self.path, node.span, f"{opened_stack}|{site}"))
            self.opened = [entry for entry in self.opened if entry[2] not in ended]
        if kind is v.Db and method not in known(self.program).close_methods:
            closed = next((t for t in sorted(tags) if t.startswith(CLOSED_HANDLE)), None)
            if closed is not None and (library.category(bare, method) is not None or library.outcome(stack, bare.kind, method)):
                self.event("use-after-close", node, f"{stack}|{bare.kind}|{method}|{closed[len(CLOSED_HANDLE):]}")
        deps = v.elem_loops(bare if not tags else v.Tagged(bare, tags)) | frozenset(t for t in arg_tags if t.startswith("elem:"))
        combined = tags | arg_tags
        if kind is v.Db and (stack, f"{bare.kind}.{method}") in library.definers and args:
            name = v.strip(args[0][2])
            if type(name) is v.Const and isinstance(name.value, str):  # the model the schema registered
                return v.ModelClass(stack, self.program.schema.by_name(name.value, stack, self.path) or f"{self.path}:{name.value}")
        if kind is v.Db and (stack, f"{bare.kind}.{method}") in library.extensions and args \
                and type(v.strip(args[0][2])) is v.Record:
            key = (stack, bare.kind, bare.model)
            extended = self.program.handle_extensions.get(key, v.Record(()))
            added = tuple((name, value) for name, value in v.strip(args[0][2]).items if type(v.strip(value)) is v.Function)
            self.program.handle_extensions[key] = v.Record(tuple(i for i in extended.items if i[0] not in dict(added)) + added)
            for _name, function in added:  # analysed on its own, such a method's `this` is the handle
                self.program.extension_receivers[(v.strip(function).path, v.strip(function).fid)] = bare
            return v.tag(bare, tags)
        if kind is v.ModelClass and method in library.scope_methods.get(stack, {}):
            # Article.scope('withAuthor'): the model class, its queries loading that scope's includes
            named = tuple(v.strip(a[2]).value for a in args if type(v.strip(a[2])) is v.Const and isinstance(v.strip(a[2]).value, str))
            if library.scope_methods[stack][method] == "none":
                return v.tag(bare._replace(loaded=frozenset(), scoped=True), tags)
            if len(named) != len(args):
                return v.tag(bare._replace(loaded=frozenset({ANY_RELATION}), scoped=True), tags)  # a scope archlint cannot name
            return v.tag(bare._replace(loaded=bare.loaded | self.scope_loads(model, named), scoped=True), tags)
        if kind is v.ModelClass:  # Objection `Article.transaction(async (trx) => …)`
            callback = library.callback(stack, "model", method)
            function = next((a[2] for a in args if type(v.strip(a[2])) is v.Function), None)
            if callback is not None and function is not None:
                result = self.managed_callback(node, callback, stack, model, method, function, tags)
                self.site(node, v.Db(stack, "model"), method, library.category(v.Db(stack, "model"), method) or "transaction", model)
                return result
        if kind is v.Db:
            callback = library.callback(stack, bare.kind, method)
            function = next((a[2] for a in args if type(v.strip(a[2])) is v.Function), None)
            if callback is not None and function is not None:
                result = self.managed_callback(node, callback, stack, model, method, function, tags)
                self.site(node, bare, method, library.category(bare, method) or "transaction", model)
                return result
            if method in known(self.program).transaction_methods and callback is not None and callback.passed \
                    and not self.implicit_transactions(stack):
                # const t = await sequelize.transaction(): an unmanaged transaction, passed by hand; open
                # until `t.commit()` / `t.rollback()`, and a query of the stack not given `t` meanwhile runs outside it
                self.effect("transaction", stack, model, method, node, tags)
                self.site(node, bare, method, library.category(bare, method) or "transaction", model)
                self.opened.append((self.site_key(node), stack, self.site_key(node)))
                return v.tag(v.Db(stack, callback.kind), frozenset({v.TX_TAG + self.site_key(node)}))
            derived = library.derived(bare, method)
            if derived is not None and library.outcome(stack, bare.kind, method) is None:
                category = library.category(bare, method)
                self.site(node, bare, method, category or "connect")
                if method == "__call__" and bare.kind == derived.kind:
                    # a scoped_session called (`Session()`): the registry's current session, the same one its
                    # proxy methods reach — not a new session with an identity of its own
                    return v.tag(derived, tags)
                if method == "__call__":  # SessionFactory(expire_on_commit=False) overrides the factory's
                    tags = (tags - {v.EXPIRES_TAG}) | self._expiring(derived, node, tags & {v.EXPIRES_TAG})
                return v.tag(derived, tags | self.own_session(derived, node, method))
        if kind is v.Row and MIKRO_WRAPPED in tags:
            handle_kind = "wrapped"
            tags = combined = combined - {MIKRO_WRAPPED}
        if (stack, f"{value_kind}.{method}") in library.row_loader_methods:
            # Tortoise `await Article.fetch_for_list(rows, "author")` / `await row.fetch_related("author")`: the rows the
            # name holds (the receiver row) now have those relations — awaiting one later reads no more
            target = args[0][3] if kind is v.ModelClass and args and args[0][0] == "pos" else \
                node.func.obj if kind is v.Row and type(node.func) is ir.Attr else None
            if type(target) is ir.Name and target.id in self.env:
                loaded, _joined = self.argument_loads(stack, args[1:] if kind is v.ModelClass else args)
                self.env[target.id] = sequences.with_loads(self.env[target.id], loaded)
        if kind is v.Query and MODEL_QUERY in tags and model:
            model_def = self.program.schema.get(model)
            owner = self.program.query_class(model_def.path, model_def.cid) if model_def is not None and model_def.cid >= 0 else None
            function = self.program.method(owner.path, owner.cid, method) if owner is not None else None
            if function is not None:  # `Bill.query.delete(project, id)`: the model's query class defines delete
                return self.invoke(node, function._replace(bound=v.tag(bare, tags)), args)
        if kind is v.ModelClass:
            outcome = library.outcome(stack, "model", method) or library.outcome(stack, "modelclass", method)
        else:
            outcome = library.outcome(stack, handle_kind, method)
        if kind is v.Row and outcome is None:
            model_def = self.program.schema.get(model) if model else None
            if model_def is not None and model_def.cid >= 0:  # a method the model class defines
                function = self.program.method(model_def.path, model_def.cid, method)
                if function is not None:
                    return self.invoke(node, function._replace(bound=v.tag(bare, tags)), args)
            elif model_def is not None and model_def.stack == "sequelize":  # Article.prototype.toJson = …
                function = self.program.prototype_method(model_def.key, method)
                if function is not None:
                    return self.invoke(node, function._replace(bound=v.tag(bare, tags)), args)
            elif model_def is not None and model_def.stack == "mongoose":  # ArticleSchema.methods.toJSONFor = …
                function = self.program.schema_method(model_def.key, method)
                if function is not None:
                    return self.invoke(node, function._replace(bound=v.tag(bare, tags)), args)
            return self.row_method(node, bare, tags, method, args)
        if kind is v.Result and method in ("one", "scalar_one") and stack == "sqlalchemy":
            self._result_raises_missing(tags, method, node, model)
            if not bare.keyed:
                self.raising_runs.append(self.origin_of(node))  # `execute(stmt).scalar_one()`: NoResultFound (try_statement)
        if kind is v.Result and method in known(self.program).requires_unique and not bare.unique and self.analysis is not None:
            collections = self._joined_collections(bare)
            if collections:
                self.analysis.events.append(Event("joined-without-unique", self.path, node.span, ",".join(collections)))
        category = library.category(bare if kind is v.Db else v.Db(stack, "model"), method) if kind in (v.Db, v.ModelClass) else None
        if outcome is None and category is None and stack == "django" and model and (
                kind is v.Db and bare.kind == "manager" or kind is v.Query and bare.lazy):
            from archlint.semantics.django_managers import custom_method, default_loads

            function = custom_method(self.program, model, method, kind is v.Query)  # Article.objects.with_favorites(user)
            if function is not None:
                queryset = bare if kind is v.Query else v.Query("django", model, default_loads(self, node, model), lazy=True, via=bare.via)
                return self.invoke(node, function._replace(bound=v.tag(queryset, tags)), args)
        if outcome is None and category is None and kind is v.Db:
            extension = self.program.handle_extensions.get((stack, bare.kind, bare.model))
            added = v.strip(extension.get(method)) if extension is not None else None
            if type(added) is v.Function:  # a method `.extend({...})` added to the repository
                return self.invoke(node, added._replace(bound=v.tag(bare, tags)), args)
        if outcome is None and category is None:
            if kind is v.ModelClass:
                if method in self.program.library.mass_assign.get(stack, ()):
                    self.mass_assignment(node, stack, model, method, args)  # Article.build(req.body.article)
                function = self.program.schema_method(model, method, static=True) if stack == "mongoose" else None
                if function is not None:  # ArticleSchema.statics.bySlug = function (slug) { return this.findOne(…) }
                    return self.invoke(node, function._replace(bound=v.tag(bare, tags)), args)
                return None  # a project classmethod: the caller looks it up
            if kind is v.Db and self.language_is(stack) and bare.kind not in ("manager",):
                return None if stack == "prisma" else v.tag(v.UNKNOWN, combined)
            return v.tag(v.UNKNOWN, combined) if kind is not v.Db else None
        value = self.outcome_value(outcome, bare, args, node, stack, model) if outcome is not None else v.UNKNOWN
        wrapped = node.func.obj if kind is v.Row and handle_kind == "wrapped" and type(node.func) is ir.Attr else None
        if type(wrapped) is ir.Call and len(wrapped.args) == 1 and type(wrapped.args[0].value) is ir.Attr:
            wrapped = wrapped.args[0].value  # wrap(article.author).init(): the reference `author`
        if outcome is not None and outcome.lazy and (kind is v.Rows or type(wrapped) is ir.Attr) and type(node.func) is ir.Attr \
                and type(wrapped if kind is v.Row else node.func.obj) is ir.Attr:
            # `article.tags.init()`: the collection of a loaded row fetched now — a lazy load (per row in a loop: AL603)
            relation = (wrapped if kind is v.Row else node.func.obj).name
            self.effect("lazy", stack, model, relation, node, tags, detail=relation)
            return v.tag(value, tags)
        if outcome is not None and outcome.write and not outcome.builds or method in self.program.library.mass_assign.get(stack, ()):
            self.mass_assignment(node, stack, model, method, args)
        if outcome is not None and (outcome.run or outcome.write) and not outcome.builds:
            op = "write" if outcome.write or self._runs_write(outcome, args) or chain_writes(self.program, bare) else "read"
            op = self._sql_operation(args, op)
            if op == "read" and type(node.func) is ir.Attr and _tagged_statement(node.func.obj):
                # Kysely `sql`INSERT …`.execute(db)`: the statement is the receiver, run on the handle given
                op = self._sql_operation([("pos", "", v.UNKNOWN, node.func.obj)], op)
            arg_tags = arg_tags | _forwarded_sql(args)
            written = model_of(value) or model or (model_of(args[0][2]) if args and op == "write" else "")
            if op == "write" and method in _PERSIST:
                saved = v.tag(bare, tags) if kind is v.Row else args[0][2] if args else None
                if saved is not None and existing_row(saved):
                    arg_tags = arg_tags | {SAVES_EXISTING} | self._changed_unseen(saved)
            if op == "write" and outcome.each and not _one_value(args):
                arg_tags = arg_tags | {EACH_VALUE}
            shown = written_step(self.program, bare) or method
            # (a write raises too where the knowledge says so: Prisma's single-row update/delete, P2025)
            raising = self._raises_missing(stack, kind, handle_kind, method, args, bare, node, tags) if op == "read" or not self.python else frozenset()
            if op == "read" and not keyed_by_stored_row(self.program, bare, args) and self._raising_error(stack, kind, handle_kind, method, args):
                # `.one()` / `findOneOrFail()` that finds no row raises: a `try` around it that answers None makes the
                # function's result a nullable row (see Frame.try_statement)
                self.raising_runs.append(self.origin_of(node))
            self.effect(op, stack, written, shown, node, tags | arg_tags | raising, deps=deps,
                        query=self.run_query(outcome, bare, node, args, stack, model), on=tags)
            if op == "read" and written:  # what the read returned decides a branch: see Frame._lookup_exit
                tags = tags | {LOOKUP + self.site_key(node)}
            self.site(node, bare, method, op if op in ("write", "schema") else (category or "query"), model_of(value) or model)
        elif category is not None:
            if method == "run_sync" and args and type(args[0][3]) is ir.Attr and args[0][3].name in ("create_all", "drop_all"):
                category = "schema"  # conn.run_sync(Base.metadata.create_all)
            op = {"query": "read", "write": "write"}.get(category, category)
            if category == "query" and outcome is None and op == "read":
                op = self._sql_operation(args, op)  # db.execute(sql`DELETE …`): the statement's first keyword
                op = op if op in ("read", "write") else "read"
                arg_tags = arg_tags | _forwarded_sql(args)
            if category in ("query", "write") and outcome is None:  # a builder the library says is lazy runs later
                if op == "write" and method in _PERSIST and args and existing_row(args[0][2]):
                    arg_tags = arg_tags | {SAVES_EXISTING} | self._changed_unseen(args[0][2])  # session.add(current_user)
                self.effect(op, stack, model, method, node, tags | arg_tags, deps=deps, on=tags)
            elif method == "commit":
                self.effect("commit", stack, model, method, node, tags, on=tags)
            self.site(node, bare, method, category, model)
        if method in known(self.program).transaction_methods and kind is v.Db and stack == "sqlalchemy" and node.span in self.hand_begun:
            # `await self.session.begin()` alone (a unit of work's __aenter__, a service's start()): it opens the
            # transaction and commits nothing — what commits is a later commit(), in this function or another
            self.effect("begin", stack, model, method, node, tags)
        elif method in known(self.program).transaction_methods and kind is v.Db:
            self.effect("transaction", stack, model, method, node, tags)
        if method in ("commit", "commitTransaction") and kind is v.Db:
            self.effect("commit", stack, model, method, node, tags, on=tags)
            if v.EXPIRES_TAG in tags and self.python:
                self.expire_rows(node, tags)
        if method == "refresh" and kind is v.Db and stack == "sqlalchemy":
            self.unexpire(args)
        if method in ("beginTransaction", "startTransaction") and kind is v.Db:
            # mysql2 beginTransaction, TypeORM QueryRunner / Mongoose session startTransaction: the statements
            # on that connection join it until commit
            self.effect("begin", stack, model, method, node, tags)
            connection = next((tag[len(CONNECTION):] for tag in sorted(tags) if tag.startswith(CONNECTION)), None)
            if connection is not None:  # a query not run on that QueryRunner meanwhile runs outside the transaction
                # (opened here, at startTransaction(); the runner made at createQueryRunner() is what commits it)
                self.opened.append((self.site_key(node), stack, connection))
        if kind is v.Db and bare.kind == "datasource" and type(v.strip(value)) is v.Db and v.strip(value).kind == "queryrunner":
            # dataSource.createQueryRunner(): one connection; what runs on it (its `manager`, `query`) is tagged with it
            value = v.tag(value, frozenset({CONNECTION + self.site_key(node)}))
        if outcome is not None and outcome.value in ("rows", "row", "row?", "result", "scalar", "tuple", "record", "none"):
            # data read or written is not a transaction handle: `article.save()` later is not in `t`
            tags, arg_tags = _no_tx(tags), _no_tx(arg_tags)
        if stack in NODE_CALLBACK_STACKS and args and args[-1][0] == "pos" and type(v.strip(args[-1][2])) is v.Function:
            return self.node_callback(node, value, tags, args[-1][2])
        if outcome is not None and (outcome.run or outcome.write):  # what the database answered is not the client's input
            tags, arg_tags = tags - {v.INPUT_TAG}, arg_tags - {v.INPUT_TAG}
        if outcome is not None and outcome.write and not outcome.new and outcome.value in ("row", "rows"):
            # the row an insert answers is stored, whatever it was built from: `Attachment.objects.create(email=email, …)`
            # with an `email = Email(…)` the code built carries that NEW_ROW mark (what the code made, for AL601's
            # loops), but a later `att.save()` updates it (hyperkitty's incoming.py; AL310 took it for a second insert)
            tags = tags | STORED_ROW
        # what a lookup keyed by a loop's row found is that row's data too (`author = session.get(User,
        # a.author_id)`): a query keyed by it, in a helper two calls away, runs once per row as well
        return v.tag(value, tags | arg_tags) if not v.is_unknown(value) or combined or tags else value

    def _raises_missing(self, stack: str, kind, handle_kind: str, method: str, args, receiver, node,
                        receiver_tags: frozenset = frozenset()) -> frozenset:
        """The tags of a lookup that raises when no row matches — Django ``.get()`` (``DoesNotExist``),
        SQLAlchemy ``Query.one()`` / ``session.get_one()`` (``NoResultFound``) — for AL234: what it
        raises, and whether an enclosing ``try`` catches it."""
        raised = self._raising_error(stack, kind, handle_kind, method, args)
        if not raised:
            return frozenset()
        written = self.program.library.outcome(stack, handle_kind, method) if kind is v.Row else None
        constructed = kind is v.Row and (CTOR_ID_KEYED if written is not None and written.write else CTOR_KEYED) in receiver_tags
        if not (input_keyed(self.program, receiver, args) or constructed) or self._checked_exists(receiver):
            return frozenset()
        key = single_key(self.program, receiver, args)
        if key is not None and v.CHECKED_KEY_TAG in v.tags_of(key):
            return frozenset()  # the same client key found its row earlier on this path (`if (!found) throw 404`)
        return frozenset({v.RAISES_MISSING_TAG + f"{method}:{raised}"}) | (
            frozenset({v.CAUGHT_MISSING_TAG}) if self.catching_missing else frozenset())

    def lookup_key_filter(self, node, model: str) -> v.FoundFilter | None:
        """The key this lookup call finds its row by (:func:`key_filter`), names of a model class or a handle
        (``db.get(Article, id)``) not among its values."""
        def value_name(name: str) -> bool:
            held = self.name(ir.Name(name, node.span))
            return not any(type(v.strip(option)) in _NOT_KEYS for option in v.options(held))

        return key_filter(node, f"{self.path}:{self.function.fid}", model, value_name) if node is not None else None

    def validated_lookup(self, node) -> bool:
        """``Project.query.get(form.id.data)`` past ``form.validate()``, whose validator raised unless that same
        lookup of that field's data found a row (see interpreter.validated_lookups)."""
        if type(node) is not ir.Call or len(node.args) != 1 or not self.python:
            return False
        key = node.args[0].value
        if type(key) is not ir.Attr or key.name != "data" or type(key.obj) is not ir.Attr or type(key.obj.obj) is not ir.Name:
            return False
        return f"{FACT}{VALIDATED}{key.obj.obj.id}.{key.obj.name}:{callee_text(node)}" in self.env

    def _raising_error(self, stack: str, kind, handle_kind: str, method: str, args) -> str:
        """What a lookup raises when no row matches (``DoesNotExist``, ``NoResultFound``, ``EntityNotFoundError`` …),
        or ``""`` for one that answers None/null or is no lookup."""
        if stack == "django" and method in known(self.program).django_raising_lookups and handle_kind in ("manager", "query") \
                and (args or kind is v.Query):
            return "DoesNotExist"
        # the `raising_lookups` of rules/knowledge/orms.toml: SQLAlchemy `query.one()` / `session.get_one()`, TypeORM…
        prefix = f"{stack}:{handle_kind}.{method}:"
        raised = next((entry[len(prefix):] for entry in known(self.program).raising_lookups if entry.startswith(prefix)), "")
        outcome = self.program.library.outcome(stack, handle_kind, method) if raised else None
        if outcome is not None and outcome.nullable and _option_false(args, outcome.nullable):
            return ""  # Bookshelf `fetch({ require: false })`: null instead of NotFoundError
        if raised and any(entry == f"{stack}:{option}" and _option_false(args, option)
                          for entry in known(self.program).non_raising_options for option in (entry.split(":", 1)[1],)):
            return ""  # Bookshelf `destroy({ require: false })`: no NoRowsDeletedError
        if not raised:  # `findOne({ where, rejectOnEmpty: true })`: the option makes it throw (an Error object given
            # instead of `true` is what it throws — the code chose that error, often an HTTP one)
            raised = next((entry[len(prefix):].split(":", 1)[1] for entry in known(self.program).raising_lookup_options
                           if entry.startswith(prefix) and _option_true(args, entry[len(prefix):].split(":", 1)[0])), "")
        return raised

    def _assigned_relations(self, model: str, args) -> frozenset:
        """The relations a model instance built here was given by keyword (``Ticket(event=event)``,
        ``Mail.objects.create(ticket=t)``): the ORM keeps the object assigned, so reading ``ticket.event``
        back is that object (with what it had loaded), never a query — ``event_id=…`` assigns a key only."""
        found = self.program.schema.get(model) if model else None
        if found is None:
            return frozenset()
        names: set = set()
        literal = v.strip(args[0][2]) if len(args) == 1 and args[0][0] == "pos" else None
        if type(literal) is v.Record:  # TypeORM `repository.create({ body, article, user })`: the object's keys
            args = [("kw", key, value, None) for key, value in literal.items]
        keywords = []
        for arg in args:
            if arg[0] != "kwstar":
                keywords.append(arg)
                continue
            # `Ticket(**line)`: a mapping of known keys assigns the relations it names; one archlint cannot read
            # (validated input, a comprehension over it) may give any relation its object — not judged
            mapping = v.strip(arg[2])
            if type(mapping) is not v.Record or any(key == "..." for key, _value in mapping.items):
                names.add(ANY_RELATION)
            else:
                keywords.extend(("kw", key, value, None) for key, value in mapping.items)
        for arg in keywords:
            relation = found.relations.get(arg[1]) if arg[0] == "kw" else None
            if relation is None or relation.collection:
                continue
            names.add(arg[1])
            value = v.strip(arg[2])
            if type(value) is v.Row and value.model == relation.target:
                names.update(f"{arg[1]}.{path}" for path in value.loaded)
            if self._same_in_every_iteration(arg[3]):
                names.add(f"{arg[1]}.{v.SHARED}")
        if found.stack == "django" and ANY_RELATION not in names:
            # a foreign key given neither its object nor its key (`Order(event=event)`: no `sales_channel`) holds
            # None: Django answers the read with None (or RelatedObjectDoesNotExist) and sends no query — until the
            # code sets the key (`order.sales_channel_id = …`, which forgets it again) or assigns the object
            from archlint.semantics.schema import known as schema_names

            given = {a[1] for a in keywords if a[0] == "kw"}
            generic = schema_names(self.program).django_generic_keys
            names.update(name for name, relation in found.relations.items()
                         if relation.kind == "forward" and not relation.collection and relation.via not in generic
                         and name not in given and f"{name}_id" not in given)
        return frozenset(names)

    def _same_in_every_iteration(self, node) -> bool:
        """``Order(event=event)`` in a loop of this function whose body never binds ``event``: every instance the
        loop builds holds that one object, so what it loads through a foreign key (``o.event.organizer``) is
        loaded once for all of them (``v.SHARED``) — pretix's order import builds each order with the task's
        event.  A value computed in the loop (``Show.objects.get(pk=line["show"])``) is a new object each time."""
        if type(node) is not ir.Name or not self.loops or not self.python:
            return False
        outermost = next((n for n in ir.iter_nodes(self.function.body) if type(n) is ir.Loop
                          and f"{self.path}:{n.span.line}:{n.span.column}" == self.loops[0]), None)
        if outermost is None:
            return False
        for inner in ir.iter_nodes(outermost):
            if type(inner) is ir.Assign and any(node.id in ir.target_names(t) for t in inner.targets):
                return False
            if type(inner) is ir.Loop and inner.target is not None and node.id in ir.target_names(inner.target):
                return False
        return True

    def _shadowing_annotations(self, model: str, args) -> frozenset:
        """The keywords of ``.annotate(has_variations=Count("variations"))`` that name a method of the model
        (its ``cached_property``): the annotated value shadows it on every row.  Only those — an annotation
        named after nothing of the model changes no read, and kept in the loads it would keep two branches
        annotating different names (``if by == "name": qs = qs.annotate(resolved_name=…)``) from joining into
        one query."""
        found = self.program.schema.get(model) if model else None
        if found is None or found.cid < 0:
            return frozenset()
        return frozenset(a[1] for a in args if a[0] == "kw" and self.program.method(found.path, found.cid, a[1]) is not None)

    def _constructor_keys(self, stack: str, args) -> frozenset:
        """``new Article({ id: ctx.params.id })`` in Bookshelf (``keyed_constructors``): the instance's ``fetch()``
        is keyed by the client's value (``CTOR_KEYED``), and its ``destroy()`` too when that value is the id
        attribute (``CTOR_ID_KEYED``) — a lookup that throws when no row matches (AL234)."""
        id_attribute = next((entry.split(":", 1)[1] for entry in known(self.program).keyed_constructors
                             if entry.split(":", 1)[0] == stack), None)
        attrs = v.strip(args[0][2]) if id_attribute and args and args[0][0] == "pos" else None
        if type(attrs) is not v.Record:
            return frozenset()
        client = {key for key, value in attrs.items if key != "..." and _client_value(value)}
        if not client:
            return frozenset()
        return frozenset({CTOR_KEYED, CTOR_ID_KEYED}) if id_attribute in client else frozenset({CTOR_KEYED})

    def _checked_exists(self, receiver) -> bool:
        """This path checked a query of the same table has a row (``if not Article.objects.filter(slug=s).exists():
        raise Http404`` before ``Article.objects.get(slug=s)``; ``qs.exists()`` before ``qs.get()``).  The table
        is the typed query's model, a Django proxy model's its concrete parent's (arches: ``Tile.objects.get(pk=x)``
        after ``TileModel.objects.filter(pk=x).exists()``, ``Tile`` a proxy of ``TileModel``)."""
        bare = v.strip(receiver)
        if type(bare) is v.Query and bare.nonempty:
            return True
        return type(bare) in (v.Query, v.Db) and bool(bare.model) \
            and FACT + EXISTS_MODEL + self.program.table_model(bare.model) in self.env

    def _result_raises_missing(self, tags: frozenset, method: str, node: ir.Call, model: str) -> None:
        """``session.execute(stmt).scalar_one()`` / ``.one()``: the statement ran at ``execute``; its read
        raises ``NoResultFound`` here when no row matched (the read effect is marked, see _raises_missing)."""
        sites = {t[len(LOOKUP):] for t in tags if t.startswith(LOOKUP)}
        if not sites:
            return
        extra = frozenset({v.RAISES_MISSING_TAG + f"{method}:NoResultFound@{self.site_key(node)}"}) | (
            frozenset({v.CAUGHT_MISSING_TAG}) if self.catching_missing else frozenset())
        # the statement this result came from: the last read of the result's model among the lookups its value
        # derives from (a result whose WHERE compares with `user.id` also carries the user lookup's tag)
        index = next((i for i in range(len(self.effects) - 1, -1, -1)
                      if self.effects[i].op == "read" and self.effects[i].model == model and model
                      and f"{self.effects[i].path}:{self.effects[i].span.line}:{self.effects[i].span.column}" in sites), None)
        if index is not None and input_keyed(self.program, self.effects[index].query, ()):
            self.effects[index] = self.effects[index]._replace(tags=self.effects[index].tags | extra)

    def node_callback(self, node: ir.Call, value, tags: frozenset, function):
        """Mongoose's callback form — ``User.findOne({ email }, (err, user) => …)``,
        ``query.exec((err, doc) => …)``: the query runs now and the callback gets ``(err, result)``,
        what awaiting it would give (a single-document query: a row that is null when nothing
        matches).  The call itself yields nothing the code reads."""
        result = v.tag(value, tags)
        if type(v.strip(value)) is v.Query:  # not run yet: the callback is what runs it
            result = self.await_value(result, ir.Await(node, node.span))
        row = v.strip(result)
        if type(row) is v.Row and row.nullable and row.origin and type(node.func) is ir.Attr:
            # named by the call that takes the callback (AL220 keeps it to Mongoose versions that still call it)
            shown = f".{node.func.name}({'…, ' if len(node.args) > 1 else ''}{CALLBACK_FORM})"
            row = row._replace(origin=f"{self.path}:{node.span.line}:{node.span.column}:{shown}")
            result = v.tag(row, v.tags_of(result))
        self.invoke(node, function, [("pos", "", v.UNKNOWN, None), ("pos", "", result, None)])
        return v.UNKNOWN

    def query_chains(self, receiver, node, args) -> frozenset:
        """The builder chains of the query a call makes: the receiver query's chains with this call
        appended, or a new chain starting here (``select(A)``, ``db('articles')``, ``Model.objects.filter``)."""
        step = v.Step(self.path, node, tuple((kind, name, value) for kind, name, value, _node in args))
        if type(receiver) is v.Query:
            return v.extend_chains(receiver.chains, step)
        return frozenset({(step,)})

    def run_query(self, outcome, receiver, node, args, stack: str, model: str):
        """The query a running call executes, with its chains: ``session.execute(stmt)`` runs the
        statement's; ``qs.count()`` / ``q.del()`` the receiver's plus this call; an option-object
        call on a model or a handle (``Article.findAll({...})``, ``prisma.article.findMany``) is a
        chain of its own."""
        if outcome.source == "arg0":
            source = v.strip(args[0][2]) if args else None
            return source if type(source) is v.Query and source.chains else None
        if type(receiver) not in (v.Query, v.Db, v.ModelClass):
            return None
        chains = self.query_chains(receiver, node, args)
        if not chains:
            return None
        return v.Query(stack, model or getattr(receiver, "model", ""), chains=chains, via=getattr(receiver, "via", ""))

    def _instance_as_key(self, node, stack: str, method: str, args) -> None:
        """``where: { authorId: user }``: a model instance where a key is compared (Sequelize finds
        no row, Prisma rejects the argument, knex/TypeORM compare with '[object Object]')."""
        for _kind, _name, value, _node in args:
            record = v.strip(value)
            if type(record) is not v.Record:
                continue
            where = v.strip(record.get("where") or v.UNKNOWN)
            for condition in (where, record) if type(where) is v.Record else (record,):
                for key, item in condition.items:
                    row = v.strip(item)
                    if isinstance(key, str) and (key.endswith(("Id", "_id")) or key == "id") and type(row) is v.Row and row.model:
                        self.event("instance-as-key", node, f"{stack}|{key}|{row.model}|{method}")
                        return

    def _undefined_keys(self, stack: str, method: str, options: v.Record) -> None:
        """Prisma drops a key whose value is ``undefined``: ``where: { articleId: article?.id }`` of a lookup that
        found nothing filters nothing (``deleteMany`` deletes every comment), and a unique ``where`` or a nested
        ``connect: { id: article?.id }`` left without its key throws a validation error.  The optional chain of a
        row that may be missing here is judged like a read of it (AL220), with where it went.  The options are
        read as values: an object built beforehand (``const where = { id: user?.id }`` then ``{ where }``, a
        spread ``{ ...base, id }``, ``const id = row?.id`` then ``{ id }``) holds the chain's value as well."""
        methods, relations, nested = self.program.library.undefined_keys[stack]
        effect = methods.get(method)
        if effect is None and method not in nested:
            return
        for key, value in options.items:
            bare = v.strip(value)
            if type(bare) is not v.Record:
                continue
            if key == "where" and effect is not None:
                self._optional_keys(bare, f"{effect}:{method}")
            elif key in ("data", "create", "update") and method in nested:
                for field, write in bare.items:  # author: { connect: { id: … } }
                    if isinstance(field, str) and type(v.strip(write)) is v.Record:
                        for relation, target in v.strip(write).items:
                            if relation in relations and type(v.strip(target)) is v.Record:
                                self._optional_keys(v.strip(target), f"unique:{relation}")
                    elif isinstance(field, str) and field != "..." and (key == "create" or key == "data" and method == "create"):
                        # `create({ data: { authorId: author?.id } })`: the column is left out — a required one makes
                        # the create throw, an optional one stores a row that points at nothing
                        self._optional_value(write, f"column:{method}:{field}")

    def _optional_keys(self, record: v.Record, sink: str, depth: int = 0) -> None:
        """The values of ``record`` (and of its nested filter objects: ``{ id: { equals: x } }``) that are an
        optional chain of a name that holds a row that may be missing on this path (``values.OPTIONAL_READ_TAG``)."""
        for _key, value in record.items:
            bare = v.strip(value)
            if type(bare) is v.Record:
                if depth < 3:
                    self._optional_keys(bare, sink, depth + 1)
                continue
            self._optional_value(value, sink)

    def _optional_value(self, value, sink: str) -> None:
        """A value that is an optional chain of a name holding a row that may be missing here (its
        ``values.OPTIONAL_READ_TAG``): judged like a read of that row, with where the undefined goes (``sink``)."""
        for mark in sorted(v.tags_of(value)):
            chain = self.optional_reads.get(mark) if mark.startswith(v.OPTIONAL_READ_TAG) else None
            if chain is not None and chain.obj.id in self.env and v.is_nullable(self.env[chain.obj.id]):
                self.dereference(chain, self.env[chain.obj.id], chain.span, sink=sink)

    def closing(self, node: ir.Call, func: ir.Attr, receiver, args) -> None:
        """``conn.close()`` / ``client.release()`` / ``pool.release(conn)``: the variable holding the
        handle now holds a closed one (a later query through it raises)."""
        bare = v.strip(receiver)
        if type(bare) is not v.Db or func.name not in known(self.program).close_methods or bare.stack == "sqlalchemy":
            return
        site = f"{self.path}:{node.span.line}:{node.span.column}:{func.name}"
        if func.name == "release" and args and type(node.args[0].value) is ir.Name:  # pool.release(conn)
            target, value = node.args[0].value.id, args[0][2]
        elif type(func.obj) is ir.Name:
            target, value = func.obj.id, receiver
        else:
            return
        if type(v.strip(value)) is v.Db and v.strip(value).kind in ("connection", "cursor") and target in self.env:
            self.env[target] = v.tag(value, frozenset({CLOSED_HANDLE + site}))

    def _unstored_arguments(self, cls: v.ClassValue, args):
        """The arguments of ``new Comment(author, article, dto.body)`` whose keys the entity class's own
        constructor copies (see ``_copied_whole``): a parameter it only stores into one field
        (``this.body = body``) holds one column's value, whatever object it came from, so no key of the
        client's object names an attribute.  All of them when the class has no constructor of its own
        (the ORM's: ``new Article(req.body)`` copies every key)."""
        init = self.program.method(cls.path, cls.cid, "__init__" if self.python else "constructor")
        function = self.program.function(init.path, init.fid) if init is not None else None
        if function is None or init.path != cls.path or function.cls != cls.cid \
                or any(p.kind not in ("pos", "posonly") for p in function.params):
            return args
        positional = [p.name for p in function.params if p.name not in ("self", "this")]
        kept = []
        for index, arg in enumerate(args):
            if arg[0] != "pos" or index >= len(positional) or _copied_whole(self.program, function, positional[index]):
                kept.append(arg)
        return tuple(kept)

    def mass_assignment(self, node, stack: str, model: str, method: str, args) -> None:
        """A write (or an entity built for one) given the request body whole: every key the client
        sends becomes a column value (``Article.create(req.body)``, ``Article(**data)``,
        ``{ ...req.body, authorId }``, Prisma ``data: req.body``)."""
        allow = self.program.library.field_allow_lists.get(stack)
        if allow and any(type(v.strip(a[2])) is v.Record and any(_field_list(v.strip(a[2]).get(key)) for key in allow)
                         for a in args):
            return  # `article.update(body, { fields: ['title', 'body'] })`: only the listed attributes are stored
        for kind, _name, value, _node in args:
            if kind in ("pos", "kwstar", "star") and whole_body(value, stack == "prisma") and self._client_may_set(model, value):
                self.effect("mass-assign", stack, model, method, node, v.tags_of(value))
                return

    def _client_may_set(self, model: str, value) -> bool:
        """The body can set a column the server owns: a raw body (any key), or a schema-loaded one
        (``BODY_FIELDS_TAG``) accepting the row's primary key, a foreign key or a relationship
        (``author`` nested in the one schema used for request and response)."""
        fields = next((t[len(v.BODY_FIELDS_TAG):] for t in sorted(v.tags_of(value)) if t.startswith(v.BODY_FIELDS_TAG)), None)
        if fields is None:
            return True
        definition = self.program.schema.get(model) if model else None
        if definition is None:
            return False
        return bool(set(fields.split(",")) & (set(definition.relations) | set(definition.foreign_keys) | {"id"}))

    def dynamic_field_write(self, node, row, key, method: str) -> None:
        """``setattr(user, key, value)`` / ``user[key] = value`` on a model instance with a key taken
        from the request (``for key, value in data.items()``): the client chooses which attributes
        are written — mass assignment one attribute at a time."""
        bare = v.strip(row)
        if type(bare) is v.Row and bare.model and v.REQUEST_TAG in v.tags_of(key) and not v.is_constant(key) \
                and self._client_may_set(bare.model, key):
            self.effect("mass-assign", bare.stack, bare.model, method, node, v.tags_of(key))

    def origin_of(self, node) -> str:
        if node is None:
            return ""
        shown = f".{node.func.name}()" if type(node) is ir.Call and type(node.func) is ir.Attr else callee_text(node) + "()"
        return f"{self.path}:{node.span.line}:{node.span.column}:{shown}"

    def managed_callback(self, node: ir.Call, callback, stack: str, model: str, method: str, function, tags: frozenset):
        """``sequelize.transaction(async (t) => …)``: the callback runs with the transaction's
        handle.  Where the ORM passes it implicitly (SQLAlchemy ``run_sync``, Sequelize with CLS)
        everything inside is in the transaction; where it must be passed by hand, only queries given
        that handle (tagged ``tx:<site>``) are — the others run outside, on another connection."""
        explicit = callback.transaction and callback.passed and not self.implicit_transactions(stack)
        handle = v.Db(stack, callback.kind)
        implicit = callback.transaction and not explicit
        if explicit:
            site = self.site_key(node)
            handle = v.tag(handle, frozenset({v.TX_TAG + site}))
            self.managed.append(site)
        self.tx += implicit
        try:
            result = self.invoke(node, function, [("pos", "", handle, None)])
        finally:
            self.tx -= implicit
            if explicit:
                self.managed.pop()
        self.effect("transaction", stack, model, method, node, tags)
        return result

    def implicit_transactions(self, stack: str) -> bool:
        """Sequelize with ``Sequelize.useCLS(namespace)``: every query joins the running transaction."""
        return stack == "sequelize" and self.program.sequelize_cls

    @staticmethod
    def _runs_write(outcome, args) -> bool:
        """``session.execute(update(Article)…)``: running an INSERT/UPDATE/DELETE statement writes."""
        if outcome.source != "arg0" or not args:
            return False
        statement = v.strip(args[0][2])
        return type(statement) is v.Query and statement.write

    def _joined_collections(self, result) -> list[str]:
        found = []
        for name in sorted(result.joined):
            relation = self.program.schema.relation(result.model, name)
            if relation is not None and relation.collection:
                found.append(name)
        return found

    def language_is(self, stack: str) -> bool:
        language = self.program.library.language.get(stack)
        return language is not None and (language == "python") == self.python

    def _cursor_executed(self, cursor, node, args, stack: str) -> None:
        """``cur.execute("SELECT … WHERE slug = %s", (slug,))`` as a statement on a cursor variable: the
        cursor now holds that statement's result, so its ``fetchone()`` is a lookup of the table the
        SELECT reads (None when no row matches) — or of nothing, after another statement."""
        if type(node) is not ir.Call or type(node.func) is not ir.Attr or type(node.func.obj) is not ir.Name:
            return
        name = node.func.obj.id
        if name not in self.env or v.strip(self.env[name]) != cursor:
            return
        table = self._raw_lookup(args)
        keyed = bool(table) and keyed_by_stored_row(self.program, cursor, args)
        self.env[name] = v.tag(v.Db(stack, "cursor", table, via=KEYED_CURSOR if keyed else ""), v.tags_of(self.env[name]))

    def _bound_parameters(self, node) -> list:
        """The values ``text("…").bindparams(writer_id=entry.writer_id)`` binds, as keyword arguments (the
        statement's parameters when ``execute`` is given none)."""
        found: list = []
        while type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name in self.program.library.sql_text_methods:
            if node.func.name == "bindparams":
                found.extend(("kw", arg.name, self.eval_cached(arg.value), arg.value) for arg in node.args if arg.kind == "kw")
            node = node.func.obj
        return found

    def _text_lookup(self, node) -> str:
        """The table a lookup SELECT wrapped in an ORM's SQL text function reads (``text("SELECT * FROM
        articles WHERE slug = :slug")``; an f-string's holes read as values), else ``""``.  The clause's own
        methods that keep the statement (``text("…").bindparams(user_id=…)``) are looked through."""
        while type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name in self.program.library.sql_text_methods:
            node = node.func.obj
        if type(node) is not ir.Call or not node.args or node.args[0].kind != "pos" or \
                callee_name(self.program, self.path, node) not in self.program.library.sql_text_functions:
            return ""
        sql = node.args[0].value
        if type(sql) is ir.Const and isinstance(sql.value, str):
            return lookup_table(sql.value)
        if type(sql) is ir.Template and sql.strings:
            return lookup_table("0".join(sql.strings))
        return ""

    @staticmethod
    def _raw_lookup(args) -> str:
        """The table a raw SQL lookup (the call's first argument, a constant) reads, else ``""``."""
        if not args or args[0][0] != "pos":
            return ""
        text = v.strip(args[0][2])
        return lookup_table(text.value) if type(text) is v.Const and isinstance(text.value, str) else ""

    def _sql_operation(self, args, default: str) -> str:
        """Raw SQL run through ``execute``: its first keyword says read or write."""
        if not args:
            return default
        first = v.strip(args[0][2])
        text = first.value if type(first) is v.Const and isinstance(first.value, str) else ""
        node = args[0][3]
        if not text and type(node) is ir.Name:
            node = self._assigned_text(node.id) or node  # const query = `INSERT INTO t (${columns}) VALUES …`
        if not text and type(node) is ir.Call and node.args and type(node.args[0].value) in (ir.Const, ir.Template):
            node = node.args[0].value  # text("INSERT …")
            text = node.value if type(node) is ir.Const and isinstance(node.value, str) else ""
        if not text and type(node) is ir.Template and node.strings:
            text = node.strings[0]
        words = text.lstrip(" (\n\t").split(None, 1)  # (a template opening with a hole: `(${sub}) union …` has no word)
        word = words[0].upper() if words else ""
        if word in ("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "UPSERT", "TRUNCATE"):
            return "write"
        if word in ("BEGIN", "START"):  # BEGIN / START TRANSACTION on one connection
            return "begin"
        if word in ("COMMIT", "END"):
            return "commit"
        if word == "ROLLBACK":
            return "rollback"
        if word in ("CREATE", "ALTER", "DROP", "PRAGMA"):
            return "schema"
        return default

    def _assigned_text(self, name: str):
        """The template literal (or string) every assignment of local ``name`` in this function gives it, when
        they all start with the same text: its holes make the value unknown, but not the statement's first
        keyword.  Read from the function's node index (its assignments, in source order, listed once per run)."""
        found = None
        for node in self.program.node_index(self.function).assigns:
            if not any(type(t) is ir.Name and t.id == name for t in node.targets):
                continue
            if node.op != "=":
                continue  # `query += ' WHERE …'` keeps the statement's first keyword
            value = node.value
            if type(value) is ir.Template and value.strings:
                head = value.strings[0]
            elif type(value) is ir.Const and isinstance(value.value, str):
                head = value.value
            else:
                return None
            if found is not None and found[1].split(None, 1)[:1] != head.split(None, 1)[:1]:
                return None
            found = (value, head)
        return found[0] if found is not None else None

    def row_method(self, node: ir.Call, row: v.Row, tags: frozenset, method: str, args):
        """Sequelize association mixins (``article.getTags()``, sequelize-typescript's
        ``article.$get("tags")``) query per call; ``setX``/``addX``/``removeX``/``createX`` write; Django ``save()``/``delete()`` come from the tables.  A mixin
        that no association of the model generates is recorded (``missing-mixin``)."""
        if method in self.program.library.mass_assign.get(row.stack, ()) and args:
            self.mass_assignment(node, row.stack, row.model, method, args[:1])  # article.set(req.body.article)
        model = self.program.schema.get(row.model) if row.model else None
        mixins = known(self.program).association_mixins
        prefix = next((p for p in mixins if method.startswith(p) and len(method) > len(p) and method[len(p)].isupper()), "")
        named = v.strip(args[0][2]) if args and args[0][0] == "pos" else None
        if method.startswith("$") and method[1:] in mixins and type(named) is v.Const and isinstance(named.value, str):
            # sequelize-typescript: document.$get("createdBy") / $count("views") / $add("tags", tag)
            prefix, method = method[1:], method[1:] + named.value[:1].upper() + named.value[1:]
            args = args[1:]
        if model is None or not prefix or method in known(self.program).sequelize_instance_methods:
            return v.tag(v.UNKNOWN, tags)
        suffix = method[len(prefix):].lower()
        for name, relation in model.relations.items():
            if _mixin_matches(name.lower(), suffix):
                if prefix in ("get", "has", "count"):
                    # viewer.hasFollow(comment.authorId): a query keyed by what the argument carries — per row of
                    # a loop when the argument comes from the loop's element, whoever the receiver is
                    keyed = frozenset(t for t in all_tags([a[2] for a in args]) if t.startswith("elem:"))
                    if not keyed <= tags:  # the row is the key, not the receiver: the fix is one query for all the keys
                        keyed |= {v.KEYED_MIXIN_TAG}
                    self.effect("lazy", row.stack, row.model, name, node, tags | keyed, detail=name)
                    target = relation.target
                    if prefix != "get":
                        return v.tag(v.Const(v.ANY_CONSTANT), tags)
                    loaded = self._mixin_loads(target, args)  # owner.getStarred({ include: [Tag] })
                    return v.tag(v.Rows(row.stack, target, loaded) if relation.collection
                                 else v.Row(row.stack, target, loaded, nullable=True), tags)
                self.effect("write", row.stack, row.model, method, node, tags | all_tags([a[2] for a in args]))
                return v.tag(v.UNKNOWN, _no_tx(tags))
        if row.stack == "sequelize" and model.relations and not self._names_a_model(suffix):
            self.event("missing-mixin", node, f"{row.model}|{method}|{','.join(sorted(model.relations))}")
        return v.tag(v.UNKNOWN, tags)

    def _reloaded(self, name: str, receiver, result) -> None:
        """``await article.reload({ include: [...] })``: Sequelize refreshes the instance in place, with what the
        options include now loaded on it (the result is the same object)."""
        row, fresh = v.strip(receiver), v.strip(result)
        if type(row) is v.Row and type(fresh) is v.Row and fresh.model == row.model and fresh.loaded - row.loaded:
            self.env[name] = v.tag(row._replace(loaded=row.loaded | fresh.loaded), v.tags_of(receiver))

    def _mixin_loads(self, target: str, args) -> frozenset:
        """The associations an association getter's options include (``owner.getStarred({ include: [{ model: Tag,
        as: 'labels' }] })``) load with the rows it returns; options archlint cannot read may load any."""
        loaded: set[str] = set()
        for _kind, _name, value, _node in args:
            record = v.strip(value)
            if type(record) is v.Record and record.get("include") is not None:
                loaded.update(self._relation_names(record.get("include"), target) or {ANY_RELATION})
            elif v.is_unknown(value):
                loaded.add(ANY_RELATION)
        return frozenset(loaded)

    def _names_a_model(self, suffix: str) -> bool:
        """``addTag``: the suffix names a model of the project — an association archlint may have
        missed, not judged."""
        return any(_mixin_matches(model.name.lower(), suffix) for model in self.program.schema.models.values())

    def _filtered_model(self, node: ir.Call) -> str:
        """The one model whose columns (``Model.column``) a ``where(…)`` call's arguments compare, else ``""``
        — for a statement that selects no column at all: ``exists()`` or ``select(func.count())`` (a statement
        selecting a column, ``select(Deployment.id)``, keeps what its own arguments say)."""
        built = node.func.obj if type(node.func) is ir.Attr else None
        short = built.short_name if type(built) is ir.Call else ""
        names = known(self.program)
        counting = short in names.statement_selects and built.args and all(
            type(a.value) is ir.Call and not a.value.args and a.value.short_name in names.column_free_selects
            for a in built.args)
        if not (short in names.column_free_statements and not built.args or counting):
            return ""
        found = set()
        for arg in node.args:
            for inner in ir.iter_nodes(arg.value):
                if type(inner) is ir.Attr and type(inner.obj) is ir.Name:
                    named = v.strip(self.program.static_value(self.path, inner.obj))
                    model = self.program.model_of_class(named.path, named.cid) if type(named) is v.ClassValue else ""
                    if model:
                        found.add(model)
        return found.pop() if len(found) == 1 else ""

    def _statement_params(self, node, args) -> tuple[str, tuple | None]:
        """The SQL text a raw driver call runs and the names of the values it binds (``pool.query(sql, [name])``,
        ``db.prepare(sql).run(name)`` / ``.get(name)``, the statement held in a local), each a local or a local's
        attribute (``tag.name``); the names ``None`` when any bound value is something else."""
        if type(node) is not ir.Call or type(node.func) is not ir.Attr:
            return "", None
        statement = node.func.obj
        if type(statement) is ir.Name:
            assigned = [a.value for a in self.program.node_index(self.function).assigns
                        if a.op == "=" and any(type(t) is ir.Name and t.id == statement.id for t in a.targets)]
            statement = assigned[0] if len(assigned) == 1 else None
        prepared = type(statement) is ir.Call and type(statement.func) is ir.Attr and statement.args \
            and statement.args[0].kind == "pos" and type(statement.args[0].value) is ir.Const \
            and isinstance(statement.args[0].value.value, str) and len(statement.args) == 1
        if prepared:  # db.prepare("INSERT …").run(a, b): the arguments are the bound values
            text, bound = statement.args[0].value.value, [a.value for a in node.args]
        elif args and args[0][0] == "pos" and type(v.strip(args[0][2])) is v.Const and isinstance(v.strip(args[0][2]).value, str):
            text, bound = v.strip(args[0][2]).value, [a.value for a in node.args[1:2]]
        else:
            return "", None
        if len(bound) == 1 and type(bound[0]) is ir.Seq:
            bound = list(bound[0].elts)
        names = []
        for value in bound:
            if type(value) is ir.Name:
                names.append(value.id)
            elif type(value) is ir.Attr and type(value.obj) is ir.Name:
                names.append(f"{value.obj.id}.{value.name}")
            else:
                return text, None
        return text, tuple(names)

    def _note_raw_insert(self, node, args) -> None:
        """A raw ``INSERT`` run here (``INSERT … ON CONFLICT DO NOTHING``, ``INSERT OR IGNORE``, a plain one): past it a
        row of that table holds the values it bound — stored, or already there — so a lookup of the table bound to the
        same names finds it (``Frame.inserted_keys``, read by :meth:`_reinserted`)."""
        text, names = self._statement_params(node, args)
        table = inserted_table(text) if text and names else ""
        if table:
            self.inserted_keys[table] = self.inserted_keys.get(table, frozenset()) | frozenset(names)

    def _reinserted(self, table: str, node, args) -> bool:
        """A raw lookup of ``table`` bound only to names an ``INSERT`` of the same table bound earlier in this
        function (insert-or-ignore, then select the row's id): it finds that row."""
        inserted = self.inserted_keys.get(table) if table else None
        if not inserted:
            return False
        _text, names = self._statement_params(node, args)
        return bool(names) and set(names) <= inserted

    def outcome_value(self, outcome: Outcome, receiver, args, node, stack: str, model: str):  # noqa: C901
        """The value a library call yields, from its descriptor in ``semantics.toml``."""
        kind = outcome.value
        if (outcome.run or outcome.write) and stack not in self.program.library.orm_lookups:
            self._note_raw_insert(node, args)
        # a manager's own query (``ticket.followups.filter(…)``) loads afresh: not what a prefetch loaded
        loaded = getattr(receiver, "loaded", frozenset()) if type(receiver) is not v.Db else frozenset()
        if type(receiver) is v.ModelClass and not receiver.scoped and stack in self.program.library.scope_methods:
            loaded = loaded | self.scope_loads(model, ("defaultScope",), missing=frozenset())  # Sequelize's defaultScope
        if type(receiver) is v.Db and (stack, receiver.kind) in self.program.library.bound_models:
            loaded = receiver.loaded  # an advanced-alchemy service's default loader options (`loader_options`)
        if type(receiver) is v.Db and receiver.via and stack == "django":
            loaded = loaded | self.program.schema.back_reference(receiver.via)
        if type(receiver) is v.Db and receiver.kind == "manager" and stack == "django" and model and outcome.value != "none":
            from archlint.semantics.django_managers import default_loads

            loaded = loaded | default_loads(self, node, model)  # objects = ArticleManager(): its get_queryset's loads
        joined = getattr(receiver, "joined", frozenset())
        unique = getattr(receiver, "unique", False) or outcome.unique
        if outcome.raw:
            loaded = loaded | {ANY_RELATION}  # `getRawMany()`: `r.author` is a selected column's alias, not a relation
        if outcome.source == "arg0" and args:
            source = v.strip(args[0][2])
            if type(source) in (v.Query, v.Result):
                model, loaded, joined = source.model, source.loaded, source.joined
                unique = unique or source.unique
            elif type(source) is v.ModelClass:
                model = source.model
            else:
                model = ""
        elif outcome.model.startswith("arg") and args:
            model = self._model_argument(outcome.model, args)
            if not model and stack == "sqlalchemy" and type(args[0][3]) is ir.Name:
                # SQLAlchemy Core: select(users) where `users = Table("users", metadata, …)` reads that table
                model = self.program.table_variable(self.path, args[0][3].id)
        elif outcome.model.startswith("arg") and outcome.value == "query" and not args:
            model = ""
        if not model and stack == "sqlalchemy" and outcome.value == "same" and type(receiver) is v.Query and args \
                and type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name in known(self.program).filter_steps:
            # `select(exists().where(Follow.a == a, Follow.b == b))` / `select(func.count()).where(Follow.b == b)`:
            # nothing selected names a model, so the rows read are those of the model whose columns the filter compares
            model = self._filtered_model(node)
        one_related = False
        if outcome.model == "relation" and args and model:
            # Objection `article.$relatedQuery('tags')`: a query of the relation's target model (one row for a
            # BelongsToOne/HasOne relation), known from the model's relationMappings
            named = v.strip(args[0][2])
            relation = self.program.schema.relation(model, named.value) if type(named) is v.Const and isinstance(named.value, str) else None
            if relation is not None and relation.target:
                model, loaded, joined, one_related = relation.target, frozenset(), frozenset(), not relation.collection
        if outcome.loads:
            new_loaded, new_joined = self.eager_loads(outcome, stack, model, args)
            if stack == "django" and not args and type(node) is ir.Call and type(node.func) is ir.Attr \
                    and node.func.name == "select_related":
                new_loaded = self._non_null_foreign_keys(model)
            loaded = loaded | new_loaded
            joined = joined | new_joined
            together = self._collections(model, joined) if new_joined else self._joined_in_one_query(stack, model, outcome, args)
            if len(together) >= 2:
                self.event("collections-joined", node, f"{stack}|{model}|{','.join(together)}")
        if (outcome.run or outcome.write) and args and type(receiver) is v.Db and receiver.kind == "cursor" and stack not in self.program.library.orm_lookups:
            self._cursor_executed(receiver, node, args, stack)
        if kind == "same":
            kind = {v.Query: "query", v.Result: "result", v.Rows: "rows", v.Row: "row"}.get(type(receiver), "query")
        if kind == "query":
            lazy = stack in self.program.library.lazy_queries
            cached = type(receiver) is v.Db and receiver.kind == "prefetched"
            single = getattr(receiver, "single", False) or outcome.single or one_related
            write = getattr(receiver, "write", False) or (outcome.write and (type(receiver) is not v.Db or outcome.builds))
            if outcome.annotates:  # `.annotate(n=Count(…))`: an attribute `n` on every row (never a field's name)
                loaded = loaded | self._shadowing_annotations(model, args)
            empty = outcome.nothing or type(receiver) is v.Query and receiver.empty
            return v.Query(stack, model, loaded | {"*"} if empty else loaded, lazy, unique, joined, single,
                           cached or getattr(receiver, "cached", False), write,
                           self.query_chains(receiver, node, args), via=getattr(receiver, "via", ""),
                           nonempty=outcome.nonempty or getattr(receiver, "nonempty", False) and type(receiver) is v.Query,
                           empty=empty)
        if kind == "result" and stack == "sqlalchemy" and loaded and args and type(receiver) is v.Db:
            self._reselected_rows(node, v.strip(args[0][2]), loaded)
        if kind == "result":
            keyed = any(type(v.strip(arg[2])) is v.Query and (keyed_by_stored_row(self.program, v.strip(arg[2]), ())
                                                               or insert_statement(self.program, v.strip(arg[2]))) for arg in args[:1]) \
                or type(receiver) is v.Result and receiver.keyed  # result.mappings() / .scalars(): still that lookup
            # (an INSERT … RETURNING gives back the rows it wrote: its first row is there)
            # (this function's filter: its names mean nothing elsewhere)
            where = receiver.where if type(receiver) is v.Result else \
                statement_filter(self.program, v.strip(args[0][2]), f"{self.path}:{self.function.fid}") if args else None
            # the same statement filter a checked lookup of this path found its row by (values.FOUND_FILTER_TAG)
            keyed = keyed or where is not None and FACT + where.tag in self.env
            if not model and args and type(v.strip(args[0][2])) is not v.Query:
                # conn.execute(text("SELECT … FROM articles WHERE slug = :slug"), {…}): a result of that table,
                # whose first() is a lookup like a cursor's fetchone() — unless keyed by a row's foreign key
                model = self._text_lookup(args[0][3])
                keyed = keyed or bool(model) and keyed_by_stored_row(self.program, receiver, args[1:] or self._bound_parameters(args[0][3]))
            statement = v.strip(args[0][2]) if args else None
            key_tags = receiver.key_tags if type(receiver) is v.Result else \
                lookup_key_tags(self.program, statement, ()) if type(statement) is v.Query else frozenset()
            return v.Result(stack, model, loaded, unique, joined, keyed, where, key_tags)
        if kind in ("rows", "row?") and chain_writes(self.program, receiver):
            # `tx.insert(t).values(…).returning().all()` (Drizzle on a synchronous driver): the rows the
            # statement wrote, not a lookup's — nothing to find missing
            return v.UNKNOWN
        if kind == "rows" and stack == "mongoose" and type(receiver) is v.Query and receiver.single and model:
            # `User.findOne({ email }).exec()`: the document, or null when none matches
            chain = min(receiver.chains, key=chain_order) if receiver.chains else ()
            origin = self.origin_of(chain[0].node if chain and type(chain[0].node) is ir.Call else node)
            return v.Row(stack, model, loaded, nullable=True, origin=origin, empty="null")
        if kind == "rows" and stack == "sequelize" and not model and node is not None:
            table = self._raw_lookup(args) or _template_lookup(args)
            shape = _sequelize_query_shape(args, known(self.program))
            if table and shape and not self._reinserted(table, node, args):
                # sequelize.query("SELECT … WHERE id = ?", { replacements: [id] }): `[rows, metadata]`, the rows alone
                # with `type: QueryTypes.SELECT` — rows[0] may be undefined
                rows = v.tag(v.Rows(stack, table, loaded), frozenset({v.LOOKUP_ROWS_TAG + self.origin_of(node)}))
                return rows if shape == "rows" else v.Tuple((rows, v.UNKNOWN))
        if kind == "rows":
            return v.Rows(stack, model, loaded)
        keyed_cursor = type(receiver) is v.Db and receiver.kind == "cursor" and receiver.via == KEYED_CURSOR
        keyed_result = (type(receiver) is v.Result and receiver.keyed  # execute(keyed select).scalar()
                        or kind == "row?" and bool(args) and type(v.strip(args[0][2])) is v.Query  # session.scalar(keyed select)
                        and keyed_by_stored_row(self.program, v.strip(args[0][2]), ()))
        if kind == "row" and outcome.nullable and _option_false(args, outcome.nullable):
            kind = "row?"  # Bookshelf `fetch({ require: false })`: null when no row matches
        if kind == "row?" and _aggregates_only(self.program.library.single_row_aggregates.get(stack), args):
            return v.Row(stack, model, loaded)  # `SELECT COUNT(id) … LIMIT 1`: one row whatever matches
        if kind == "row?" and not _rejects_on_empty(args) and not keyed_by_stored_row(self.program, receiver, args) and not getattr(receiver, "nonempty", False) and not keyed_cursor and not keyed_result \
                and not self.validated_lookup(node) \
                and not (type(receiver) is v.Db and receiver.kind == "statement" and self._reinserted(receiver.model, node, args)):
            # a lookup of a mapped model, or a raw lookup SELECT (`SELECT COUNT(*)`/`RETURNING id` always
            # yield a row: raw_lookups gives them no table)
            if stack not in self.program.library.orm_lookups and not model:
                model = self._raw_lookup(args)
            origin = self.origin_of(node) if model else ""
            empty = outcome.empty or self.program.library.empties.get(stack, "")
            by_key = self.lookup_key_filter(node, model) if model else None
            if by_key is not None and FACT + by_key.tag in self.env:
                return v.Row(stack, model, loaded)  # this path checked a row of the model by that key was found
            row = v.Row(stack, model, loaded, nullable=True, origin=origin, empty=empty)
            found = frozenset()
            if by_key is not None:
                found = frozenset({by_key.tag})
                found_records(self.program)[by_key.tag] = by_key
            if type(receiver) is v.Result and receiver.where is not None:
                found = found | {receiver.where.tag}
                found_records(self.program)[receiver.where.tag] = receiver.where
            keys = receiver.key_tags if type(receiver) is v.Result and not args else lookup_key_tags(self.program, receiver, args)
            return v.tag(row, keys | found)
        if kind in ("row", "row?"):
            if kind == "row?" and stack not in self.program.library.orm_lookups and not model:
                model = self._raw_lookup(args)  # a raw lookup that finds its row: still a row of its table
            if outcome.assigns:  # `Mail.objects.create(ticket=t)`: the instance holds the ticket it was given
                loaded = loaded | self._assigned_relations(model, args)
            given = v.strip(args[0][2]) if outcome.given and args and args[0][0] == "pos" else None
            if type(given) is v.Row and given.model == model:
                loaded = loaded | given.loaded  # `repository.save(comment)` answers that entity, relations and all
            return v.tag(v.Row(stack, model, loaded), NEW_ROW if outcome.new else frozenset())
        if kind.startswith("handle:"):  # a cursor remembers the table a raw lookup SELECT reads
            table = model or (self._raw_lookup(args) if stack not in self.program.library.orm_lookups else "")
            if kind == "handle:cursor" and table and (keyed_by_stored_row(self.program, receiver, args) or self._reinserted(table, node, args)):
                # db.execute("SELECT … WHERE id = ?", (row["author_id"],)): its fetchone() finds the row
                return v.Db(stack, "cursor", table, via=KEYED_CURSOR)
            handle = v.Db(stack, kind[7:], table)
            if kind == "handle:cursor" and table:
                # db.execute("SELECT … WHERE id = ?", (user_id,)) in `by_id(user_id)`, or keyed by a parameter's column
                # (`row["author_id"]` in `present(row)`): its fetchone() is judged where the key is known, as a
                # one-call lookup keyed so is
                keys = lookup_key_tags(self.program, receiver, args)
                if keys:
                    return v.tag(handle, keys)
            if node is not None and stack in known(self.program).async_drivers:  # `pool.acquire()`: a connection of its own
                return v.tag(handle, self.own_session(handle, node, "", True)) if handle.kind == "connection" else handle
            return handle
        if kind.startswith("loader:"):
            path = ()
            if args:
                attribute = v.strip(args[0][2])
                if type(attribute) is v.ModelAttr:
                    path = (attribute.name,)
                elif type(attribute) is v.Const and isinstance(attribute.value, str):
                    path = tuple(attribute.value.split("."))
            strategy = kind[7:]
            if strategy == "raise" and any(name == "sql_only" and v.strip(value) == v.Const(True) for _k, name, value, _n in args):
                strategy = "raise_on_sql"  # raiseload(rel, sql_only=True): an identity-map hit still loads
            return v.Loader(strategy, path)
        if kind == "record":
            if stack in ("pg", "sequelize"):
                rows = v.Rows(stack, model, loaded)
                table = self._raw_lookup(args) or _template_lookup(args) \
                    if not model and stack not in self.program.library.orm_lookups else ""
                if table and node is not None and not self._reinserted(table, node, args):
                    # pool.query("SELECT … WHERE id = $1", [id]): rows[0] may be undefined
                    rows = v.tag(v.Rows(stack, table, loaded), frozenset({v.LOOKUP_ROWS_TAG + self.origin_of(node)}))
                return v.Record((("rows", rows), ("rowCount", v.UNKNOWN), ("count", v.UNKNOWN)))
            if stack == "sqlalchemy":  # Flask-SQLAlchemy's Pagination (query.paginate / db.paginate): .items is the page's rows
                page = v.Rows(stack, model, loaded)  # and iterating the Pagination yields them too
                return v.Record((("items", page), ("total", v.UNKNOWN), ("pages", v.UNKNOWN), (v.ITERATES, page)))
            return v.UNKNOWN
        if kind == "tuple":
            if outcome.of in ("rows", "row"):  # advanced-alchemy: (rows, count) / (row, created)
                return v.Tuple((v.Rows(stack, model, loaded) if outcome.of == "rows" else v.Row(stack, model, loaded), v.UNKNOWN))
            if stack == "mysql2":
                rows = v.Rows(stack, model)
                table = self._raw_lookup(args) or _template_lookup(args) if not model else ""
                if table and node is not None and not self._reinserted(table, node, args):
                    # const [rows] = await pool.execute("SELECT … WHERE id = ?", [id]): rows[0] may be undefined
                    rows = v.tag(v.Rows(stack, table), frozenset({v.LOOKUP_ROWS_TAG + self.origin_of(node)}))
                return v.Tuple((rows, v.UNKNOWN))
            if stack in ("django", "sequelize"):
                return v.Tuple((v.Row(stack, model, loaded), v.UNKNOWN))
            return v.UNKNOWN
        if kind == "none":
            return v.Const(None)
        if kind == "key":  # `cursor.lastrowid`: the key of the row the statement just inserted — a row that exists
            return v.tag(v.UNKNOWN, frozenset({v.STORED_KEY_TAG}))
        if kind == "scalar" and outcome.inserted:  # `info = stmt.run(…)`: `info.lastInsertRowid` is such a key
            return v.Record(((outcome.inserted, v.tag(v.UNKNOWN, frozenset({v.STORED_KEY_TAG}))),))
        return v.UNKNOWN

    def _non_null_foreign_keys(self, model: str, depth: int = 0) -> frozenset:
        """``select_related()`` with no field: Django follows every foreign key that is not
        ``null=True`` (and those of the rows it joins, up to five levels) — a nullable one is left lazy."""
        found = self.program.schema.get(model) if model else None
        if found is None or depth >= 5:
            return frozenset()
        loaded: set[str] = set()
        for name, relation in found.relations.items():
            if relation.kind != "forward" or relation.collection or name in found.nullable \
                    or relation.via not in ("ForeignKey", "OneToOneField", "ParentalKey", "TreeForeignKey"):
                continue
            loaded.add(name)
            if relation.target and relation.target != model:
                loaded.update(f"{name}.{inner}" for inner in self._non_null_foreign_keys(relation.target, depth + 1))
        return frozenset(loaded)

    def argument_loads(self, stack: str, args) -> tuple[frozenset, frozenset]:
        """The relations (and the joined ones) named by a loader call's arguments: SQLAlchemy loader
        options, Django lookups (``"author__profile"``, ``Prefetch(…)``), Sequelize/TypeORM names."""
        loaded: set[str] = set()
        joined: set[str] = set()
        spread = []
        for kind, _name, value, _node in args:
            if kind != "star":
                continue
            for option in v.options(value):  # a list filled on one path only (`if flag: names.append("author")`): either
                if type(v.strip(option)) is v.Tuple:
                    # .options(*options): the loaders a caller passed (fief's get_by_id(id, (joinedload(User.tenant),)))
                    spread.extend(("pos", "", item, None) for item in v.strip(option).items)
                if type(v.strip(option)) is not v.Tuple or v.GROWN_TAG in v.tags_of(option) | v.tags_of(value):
                    # select_related(*names) with `names` grown at run time (appended in a loop over the
                    # serializer's fields) or built elsewhere: which relations it names is unknown — any may be loaded,
                    # at any depth (nautobot's natural-key prefetch of `interface__device`)
                    loaded.update((ANY_RELATION, ANY_DEPTH))
        pending = [*args, *spread]
        while pending:
            _kind, _name, value, _node = pending.pop(0)
            bare = v.strip(value)
            if _kind == "star":
                continue
            if type(bare) is v.Loader and bare.nested:
                # the sub-options of `.options()` on a loader: each loads (or raises on) its own longer path
                pending.extend(("pos", "", item, None) for item in bare.nested)
            if type(bare) is v.Loader and bare.path:
                if bare.strategy in ("raise", "raise_on_sql") and len(bare.path) == 1:
                    # raiseload(Article.author) / raiseload("*"): reading it unloaded raises (AL235)
                    loaded.add((v.RAISE_LOADER if bare.strategy == "raise" else v.RAISE_SQL_LOADER) + bare.path[0])
                    continue
                if bare.strategy in ("lazy", "raise", "raise_on_sql", "noload", "default"):
                    continue
                loaded.add(".".join(bare.path))
                if bare.strategy == "joined":
                    joined.add(bare.path[0])
            elif type(bare) is v.Const and isinstance(bare.value, str) and stack == "objection":
                loaded.update(_objection_relations(bare.value))  # withGraphFetched('[author, tags.owner]')
            elif type(bare) is v.Const and isinstance(bare.value, str) and "." in bare.value \
                    and stack in self.program.library.alias_loads:
                # leftJoinAndSelect('article.comments', 'c'): the relation `comments` of the row the alias names
                # (kept whole too: a join alias is usually its relation's name — 'author.profile')
                loaded.update((bare.value, bare.value.split(".", 1)[1]))
            elif type(bare) is v.Const and isinstance(bare.value, str):
                loaded.add(bare.value.replace("__", "."))
            elif type(bare) is v.Tuple:
                for item in bare.items:
                    item = v.strip(item)
                    if type(item) is v.Const and isinstance(item.value, str):
                        loaded.add(item.value.replace("__", "."))
            elif type(bare) is v.Record:  # Django Prefetch("comments", queryset=…) as a record: skip
                continue
            else:
                loaded.update(self._prefetch_object(_node))
                # a Prefetch(…) built earlier and passed by name (`bundles = Prefetch("bundles", …)`)
                loaded.update(t[len(v.PREFETCH_TAG):] for t in v.tags_of(value) if t.startswith(v.PREFETCH_TAG))
        return frozenset(loaded), frozenset(joined)

    def eager_loads(self, outcome: Outcome, stack: str, model: str, args) -> tuple[frozenset, frozenset]:
        """Relations a query loads with its rows: SQLAlchemy loader options, Django
        select_related/prefetch_related, Sequelize/Prisma ``include``, TypeORM ``relations``."""
        loaded: set[str] = set()
        joined: set[str] = set()
        if outcome.loads == "args":
            return self.argument_loads(stack, args)
        if outcome.loads == "models":
            # (a prefetch yields the rows: `prefetch(users, Tweet)` gives the query first, `users.prefetch(Tweet)` does not)
            prefetch = outcome.value == "rows"
            return self._model_loads(model, args[1:] if prefetch and outcome.source == "arg0" else args, prefetch), frozenset()
        key = outcome.loads
        if self.python:  # advanced-alchemy `repository.list(load=[selectinload(Article.author)])`: a keyword
            return self._keyword_loads(args, key)
        records = 0
        for kind, _name, value, node in args:
            record = v.strip(value)
            if type(record) is not v.Record:
                continue
            records += 1
            if stack == "prisma":  # include: { author: true } / select: { author: { select: … } }, nested
                loaded.update(_prisma_loads(record))
                continue
            option = record.get(key)
            if option is None:
                continue
            names = self._relation_names(option, model)
            loaded.update(names or {ANY_RELATION, ANY_DEPTH})  # an include archlint cannot read may load anything
        if not records and any(v.is_unknown(a[2]) and not self._key_argument(a[2], a[3]) for a in args):
            loaded.update((ANY_RELATION, ANY_DEPTH))  # options built elsewhere (or an id archlint cannot tell from them)
        return frozenset(loaded), frozenset(joined)

    def _key_argument(self, value, node) -> bool:
        """An unknown loader argument that is a primary key, not an options object built elsewhere: a value of
        the request (``User.findByPk(req.params.id)``) or a parameter typed as a key (``findOne(id)`` in
        ``favorite(id: number, …)``, TypeORM 0.2's lookup by id — lujakob's nestjs-realworld-example-app):
        it names no relation, so the row loads none."""
        if v.INPUT_TAG in v.tags_of(value) or v.REQUEST_TAG in v.tags_of(value):
            return True
        if self.python or type(node) is not ir.Name:
            return False
        param = next((p for p in self.function.params if p.name == node.id), None)
        return param is not None and _key_type(param.annotation)

    def _model_loads(self, model: str, args, prefetch: bool) -> frozenset:
        """Peewee ``Tweet.select(Tweet, User).join(User)`` / ``prefetch(users, Tweet, Comment)``: the model classes
        (or queries over one) among the arguments name what the rows load — the relation of ``model`` whose target
        is that model, else a relation of a model already loaded (``tweets.comments``).  A model no relation
        reaches loads nothing; a ``prefetch`` subquery that names no model archlint can place (an alias, a
        ``(Child, Parent)`` pair, the rows' own model again: a self-referential tree) may load any relation."""
        schema = self.program.schema
        reached: dict[str, str] = {model: ""}  # model -> the relation path reaching it from the rows
        loaded: set[str] = set()
        for kind, _name, value, _node in args:
            bare = v.strip(value)
            target = "" if kind != "pos" else bare.model if type(bare) in (v.ModelClass, v.Query, v.ModelAttr) else \
                schema.by_class.get((bare.path, bare.cid), "") if type(bare) is v.ClassValue else ""
            if prefetch and kind in ("pos", "star") and (not target or target in reached):
                loaded.add(ANY_RELATION)
            if not target or target in reached:
                continue
            for owner, prefix in list(reached.items()):
                found = schema.get(owner)
                relation = next((r for _n, r in sorted(found.relations.items()) if r.target == target), None) if found else None
                if relation is not None:
                    path = f"{prefix}.{relation.name}" if prefix else relation.name
                    reached[target] = path
                    loaded.add(path)
                    break
        return frozenset(loaded)

    @staticmethod
    def _keyword_loads(args, key: str) -> tuple[frozenset, frozenset]:
        """``load=[selectinload(Article.author), Article.tags]`` / ``load="*"``: loader options or relationship
        attributes (advanced-alchemy joins a many-to-one, selects a collection in); anything unreadable may load
        any relation."""
        loaded: set[str] = set()
        joined: set[str] = set()
        for kind, name, value, _node in args:
            if kind == "kwstar":
                loaded.add(ANY_RELATION)
            if name != key:
                continue
            bare = v.strip(value)
            for item in (v.strip(i) for i in bare.items) if type(bare) is v.Tuple else (bare,):
                if type(item) is v.Loader and item.path:
                    if item.strategy not in ("lazy", "raise", "raise_on_sql", "noload", "default"):
                        loaded.add(".".join(item.path))
                        if item.strategy == "joined":
                            joined.add(item.path[0])
                elif type(item) is v.ModelAttr:
                    loaded.add(item.name)
                elif not (type(item) is v.Const and item.value is None):
                    loaded.add(ANY_RELATION)  # "*", a LoadSpec built elsewhere
        return frozenset(loaded), frozenset(joined)

    def _is_prefetch(self, node) -> bool:
        """``Prefetch(…)`` of Django (orms.toml ``django_prefetch_objects``: ``GenericPrefetch`` too)."""
        if type(node) is not ir.Call or not self.python:
            return False
        name = self.program.static_name(self.path, node.func) or ""
        if not name.startswith("django."):
            return False  # (asked of every library call: the import below runs only for Django's names)
        from archlint.semantics.schema import known as schema_names

        return name.rsplit(".", 1)[-1] in schema_names(self.program).django_prefetch_objects

    def _prefetch_object(self, node) -> set[str]:
        """``Prefetch("followups", queryset=FollowUp.objects.select_related("author"))``: the lookup,
        and below it what the inner queryset loads (``followups.author``).  With ``to_attr`` the rows
        land in that attribute and the relation's manager stays unloaded: nothing."""
        if type(node) is not ir.Call or not self.python:
            return set()
        name = self.program.static_name(self.path, node.func) or ""
        if not self._is_prefetch(node) or not node.args or node.arg(keyword="to_attr") is not None:
            return set()
        lookup = node.args[0].value if node.args[0].kind == "pos" else node.arg(keyword="lookup")
        if type(lookup) is not ir.Const and lookup is not None:
            # a project helper that builds the Prefetch for the lookup its caller names (rdmo's
            # `def condition_prefetch(lookup): return Prefetch(lookup, queryset=…select_related(…))`): the
            # summary of the call runs with that argument's text
            lookup = v.strip(self.eval_cached(lookup))
        if type(lookup) not in (ir.Const, v.Const) or not isinstance(lookup.value, str):
            return set()
        path = lookup.value.replace("__", ".")
        found = {path}
        inner = node.arg(keyword="queryset")
        query = v.strip(self.eval_cached(inner)) if inner is not None else None
        if type(query) is v.Query:
            found.update(f"{path}.{name}" for name in query.loaded)
        elif inner is not None and v.is_unknown(query):
            # a queryset archlint cannot read here (`shop.products.annotate(…)` on a parameter not known in this run):
            # what it loads and annotates onto the related rows is unknown — any relation, at any depth
            found.update((f"{path}.{ANY_RELATION}", f"{path}.{ANY_DEPTH}"))
        return found

    def _collections(self, model: str, names) -> list[str]:
        return sorted(n for n in names if (r := self.program.schema.relation(model, n)) is not None and r.collection)

    def _joined_in_one_query(self, stack: str, model: str, outcome, args) -> list[str]:
        """Collections a stack with ``single_query_loads`` knowledge (TypeORM ``relations``, without
        ``relationLoadStrategy: 'query'``) joins into the one SQL statement.  (Sequelize is not judged: ``separate: true`` exists for hasMany only, so
        an include of two belongsToMany collections — tags and favoritedBy in every Conduit app — has
        no one-line fix; the branch below stays for when that is decided.)"""
        single_query = self.program.library.single_query_loads.get(stack)
        if single_query is None or not outcome.loads or outcome.loads == "args":
            return []
        for _kind, _name, value, _node in args:
            record = v.strip(value)
            if type(record) is not v.Record:
                continue
            option = record.get(outcome.loads)
            if option is None:
                continue
            strategy_option, separate = single_query
            if strategy_option:
                strategy = v.strip(record.get(strategy_option) or v.UNKNOWN)
                if strategy == v.Const(separate):
                    return []
                return self._collections(model, self._relation_names(option, model))
            items = v.strip(option).items if type(v.strip(option)) is v.Tuple else (option,)
            joined: set = set()
            for item in items:
                entry = v.strip(item)
                if type(entry) is v.Record and v.strip(entry.get("separate") or v.UNKNOWN) == v.Const(True):
                    continue
                joined |= self._relation_names(v.Tuple((item,)), model)
            return self._collections(model, joined)
        return []

    def scope_loads(self, model: str, names: tuple, missing: frozenset = frozenset({ANY_RELATION})) -> frozenset:
        """The relations the Sequelize scopes ``names`` of ``model`` include (``scopes: { withAuthor: { include:
        [{ model: User, as: 'author' }] } }``), read from the model's definition; a scope archlint does not know
        gives ``missing`` (any relation, so nothing unloaded is claimed), one built by a function any relation."""
        definition = self.program.schema.get(model) if model else None
        loaded: set = set()
        for name in names:
            found = definition.scopes.get(name) if definition is not None else None
            if found is None:
                loaded |= missing if name == "defaultScope" or definition is None else {ANY_RELATION}
                continue
            path, include = found
            if include is None:
                continue
            value = self._static_option(path, include) if include != "*" else v.UNKNOWN
            loaded |= self._relation_names(value, model) or {ANY_RELATION}
        return frozenset(loaded)

    def _static_option(self, path: str, node):
        """An options literal of a model definition as a value, its names resolved statically (``[{ model: User, as:
        'author' }]``)."""
        kind = type(node)
        if kind is ir.Seq:
            return v.Tuple(tuple(self._static_option(path, item) for item in node.elts))
        if kind is ir.Obj:
            return v.Record(tuple((e.key, self._static_option(path, e.value)) for e in node.entries if isinstance(e.key, str)))
        return self.program.static_value(path, node)

    def _relation_names(self, option, model: str) -> set[str]:
        names: set[str] = set()
        bare = v.strip(option)
        items = bare.items if type(bare) is v.Tuple else (option,)
        if type(bare) is v.Record and not _sequelize_include(bare):
            # Prisma include: { author: true }, TypeORM relations: { author: true }
            return {key for key, value in bare.items if v.strip(value) != v.Const(False)}
        for item in items:
            item = v.strip(item)
            if type(item) is v.Record and v.strip(item.get("all") or v.UNKNOWN) == v.Const(True):
                names.add(ANY_RELATION)  # Sequelize include: { all: true } (or { all: true, nested: true }): every association
            elif type(item) is v.Const and isinstance(item.value, str):
                names.add(item.value.split(".")[0])
            elif type(item) in (v.ModelClass, v.ClassValue):  # include: [Tag] (a sequelize-typescript class too)
                names.update(self._association_names(model, self.model_key(item)))
            elif type(item) is v.Record:
                alias = v.strip(item.get("as") or v.UNKNOWN)
                if type(alias) is v.Const and isinstance(alias.value, str):
                    names.add(alias.value)
                association = v.strip(item.get("association") or v.UNKNOWN)
                if type(association) is v.Const and isinstance(association.value, str):
                    names.add(association.value)
                target = v.strip(item.get("model") or v.UNKNOWN)
                if type(target) in (v.ModelClass, v.ClassValue) and type(alias) is not v.Const:
                    names.update(self._association_names(model, self.model_key(target)))
        return names

    def _association_names(self, model: str, target: str) -> set[str]:
        found = self.program.schema.get(model)
        if found is None:
            return set()
        return {name for name, relation in found.relations.items() if relation.target == target}

    def _model_argument(self, spec: str, args) -> str:
        """The model a call names by argument position (``semantics.toml`` ``model=arg1,arg0``): the
        first listed position given positionally, whose value names a model — Vendure's
        ``connection.getRepository(ctx, Product)`` (the entity second) and its one-argument overload
        ``getRepository(Product)``."""
        if spec == "arg0":
            return self.model_key(args[0][2])
        positional = [arg[2] for arg in args if arg[0] == "pos"]
        for word in spec.split(","):
            index = int(word[3:]) if word[3:].isdigit() else -1
            model = self.model_key(positional[index]) if 0 <= index < len(positional) else ""
            if model:
                return model
        return ""

    def model_key(self, value) -> str:
        bare = v.strip(value)
        if type(bare) is v.ModelClass:
            return bare.model
        if type(bare) is v.ClassValue:
            return self.program.model_of_class(bare.path, bare.cid)
        if type(bare) in (v.Query, v.Result):
            return bare.model
        if type(bare) is v.Db and bare.kind == "table":
            return bare.model  # insert(self.table): a SQLAlchemy Core table, named by its SQL name
        if type(bare) is v.Const and isinstance(bare.value, str):
            return bare.value  # knex('articles'): a table name
        return ""

    def invoke(self, node: ir.Call, callee, args):  # noqa: C901
        options = v.options(callee)
        if len(options) > 1:
            result = None
            for option in options:
                result = v.join(result, self.invoke(node, option, args))
            return result
        bare = v.strip(callee)
        kind = type(bare)
        if kind is v.Function:
            loader = django_apps.loader_name(self.program, bare)
            if loader:  # django-oscar's own get_model / get_class: the registry's answer, not the loader's body
                return django_apps.load(self.program, loader, args)
            return self.call_function(node, bare, args)
        if kind is v.ClassValue:
            return self.instantiate(node, bare, args)
        if kind is v.ModelClass:
            self.mass_assignment(node, bare.stack, bare.model, bare.model.rsplit(":", 1)[-1], args)
            # `InvoiceAddress()` with no argument (an empty stand-in: `except DoesNotExist: ia = InvoiceAddress()`)
            # holds no foreign key: reading a relation of it gives None or an empty set, never a query
            return v.tag(v.Row(bare.stack, bare.model, self._assigned_relations(bare.model, args) if args else frozenset({"*"})),
                         NEW_ROW | self._constructor_keys(bare.stack, args))
        if kind is v.External:
            result = self.call_external(node, bare, args)
            if self._is_prefetch(node):  # what a Prefetch(…) loads, kept on the value wherever it is passed
                paths = self._prefetch_object(node)
                if paths:
                    result = v.tag(v.UNKNOWN if result is None else result, frozenset(v.PREFETCH_TAG + p for p in paths))
            if type(result) is v.Tagged and v.INPUT_TAG in result.tags and bare.name not in _CONVERSIONS \
                    and bare.name not in known(self.program).body_parsers:
                # `authenticate(request, username=…)`: what a library computed from the input is not the input
                rest = result.tags - {v.INPUT_TAG}
                return v.Tagged(result.value, rest) if rest else result.value
            return result
        if kind is v.Db:
            return self.db_method(node, bare, v.tags_of(callee), "__call__", args) or v.UNKNOWN
        return v.tag(v.UNKNOWN, computed_tags([a[2] for a in args]))

    def own_session(self, handle, node, method: str, asynchronous: bool = False) -> frozenset:
        """A SQLAlchemy session or Core connection made here (``SessionLocal()``, ``Session(engine)``,
        ``engine.connect()``) gets an identity (``sid:<site>``), so the writes and the commits made
        through it — here or in any function it is passed to — can be matched (AL206)."""
        if type(handle) is not v.Db or handle.kind not in ("session", "connection"):
            return frozenset()
        if handle.stack != "sqlalchemy" and not (asynchronous and handle.kind == "connection"):
            return frozenset()  # a driver's asyncio connection (psycopg AsyncConnection, asyncpg): one of its own (AL237)
        if method in ("begin", "begin_nested"):
            return frozenset()  # engine.begin(): commits on exit
        sid = f"sid:{self.path}:{node.span.line}:{node.span.column}"
        if self.analysis is not None:
            self.analysis.owned.add(sid)
        return frozenset({sid})

    def call_function(self, node: ir.Call, function: v.Function, args, label: str = "", with_summary: bool = False):
        """The value a call of a project function gives here; ``with_summary``: (that value, the callee's
        summary applied here — ``None`` when no summary ran: a forwarding wrapper given the handler)."""
        if not self.python and len(args) == 1 and args[0][0] == "pos" and type(v.strip(args[0][2])) is v.Function \
                and forwarding_wrapper(self.program, function):
            # wrap(async (req, res) => …): the handler itself serves the route
            return (args[0][2], None) if with_summary else args[0][2]
        callee = self.program.function(function.path, function.fid)
        if callee is not None and callee.name not in ("__init__", "constructor"):
            args = self.parameter_keys(args)  # (a constructor stores its arguments in fields: never tagged)
        self.program.called.add((function.path, function.fid))
        positional = function.partial + tuple(a[2] for a in args if a[0] == "pos")
        if function.keywords:  # partial(serialize, many=True): the fixed keywords, the caller's winning
            named = dict(function.keywords)
            named.update((a[1], a[2]) for a in args if a[0] == "kw")
            keywords = tuple(sorted(named.items(), key=lambda item: item[0]))
        else:
            keywords = tuple(sorted((a[1], a[2]) for a in args if a[0] == "kw"))
        function = function._replace(partial=(), keywords=()) if function.partial or function.keywords else function
        spread = next((a[2] for a in args if a[0] == "kwstar"), None)
        if spread is not None and callee is not None and any(p.kind == "kwarg" for p in callee.params):
            # `repo.create(author=user, **data)` into `def create(**fields)`: `fields` is `{author, ...data}`
            keywords = tuple(sorted(keywords + (("...", spread),), key=lambda item: item[0]))
        # a method that only hands its arguments to one call of a field (a repository forwarding to its DAO) is a
        # step of the caller's call, not a level of its own: it costs no call depth
        step = 0 if callee is not None and delegating(callee) else 1
        summary = self.program.summary_of(function, positional, keywords, self.depth + step, step)
        returned = self._returned(node, function, args, label, summary)
        return (returned, summary) if with_summary else returned

    def _returned(self, node, function: v.Function, args, label: str, summary):
        """The caller's side of a project call: the callee's summary applied here (effects, events, expired
        and loaded rows, branches), and the value the call gives the caller."""
        if self.strict_missed:  # `check_access(row, user)` / `require(user and …)`: a helper given the value may check it
            for arg in args:
                for inner in ir.iter_nodes(arg[3]) if arg[3] is not None else ():
                    if type(inner) is ir.Name and self.strict_missed.get(inner.id, v.LOCAL_LOOKUP) is not v.LOCAL_LOOKUP \
                            and self.strict_missed.pop(inner.id) is not None and inner.id in self.env:
                        # nor is its None claimed past here (`require(user and …)` then `return user`)
                        self.env[inner.id] = non_null(v.without_missed(self.env[inner.id]))
        self.ran.append(function)
        if not label and (summary.derefs or summary.effects):  # (rendered only when a deref or an effect names it)
            label = callee_text(node) if node is not None else "call"
        if summary.always_raises and node is not None:
            self._raising_calls.add(node.span)
        if summary.derefs:
            self._dereferenced_by_callee(args, summary.derefs, label)
        if summary.exited:  # a cached summary: its session blocks ended in this analysis too
            self.exited.update(summary.exited)
            self.program.exited_sessions.update(summary.exited)
        for event in summary.events:
            (self.analysis.events if self.analysis is not None else self.context_events).append(event)
            if event.kind == "body-write":  # the callee stored the request body: so did this function
                self.program.record_body(self.path, self.function.fid, self.program.body_values[int(event.detail)])
        thread = _IN_THREAD if self.program.runs_in_thread(function.path, function.fid) else frozenset()
        # a call whose value is dropped, running one write statement that a `try` of the callee keeps from failing
        # the caller: best effort (values.BEST_EFFORT_TAG) — several statements are a unit of their own
        best_effort = node is not None and node is self.discarded and summary.effects \
            and len({(e.path, e.span) for e in summary.effects if e.op == "write"}) == 1
        for effect in summary.effects:
            if best_effort and effect.op in ("write", "commit") and any(t.startswith(SWALLOW_TAG) for t in effect.tags):
                effect = effect._replace(tags=effect.tags | _BEST_EFFORT)
            if effect.op in ("write", "dirty") and self.filter_facts:
                self.forget_found_filters(effect)
            self.effects.append(effect._replace(
                trace=((self.path, node.span if node is not None else effect.span, label),) + effect.trace,
                loops=effect.loops if v.DETACHED_TAG in effect.tags else tuple(self.loops) + effect.loops,
                in_tx=effect.in_tx or self.tx > 0,
                branch=self.branch + effect.branch,
                tags=v.shared_tags(self._in_block(effect, self._outside(effect)) | (CAUGHT if self.catching_unique and effect.op in ("write", "commit") else frozenset())
                                   | self._context_tags(effect) | thread | self._swallowed(effect)
                                   | (CAUGHT_MISSING if self.catching_missing and effect.op == "read" else frozenset())),
            ))
        committed = next((e for e in summary.effects if e.op == "commit" and v.EXPIRES_TAG in e.tags), None) if self.python else None
        if committed is not None and node is not None:
            # `await repo.save(article)` committed an expiring AsyncSession: the caller's rows are expired too —
            # but not what it passed (the callee may have refreshed it: not followed)
            passed = {a[3].id for a in args if type(a[3]) is ir.Name}
            kept = {name: self.env[name] for name in sorted(passed) if name in self.env}
            self.expire_rows(node, committed.tags)
            self.env.update(kept)
        if summary.row_loads and node is not None:
            self._loaded_by_callee(function, args, summary.row_loads)
        if summary.exit_branch and not summary.always_raises:
            # the rest of the caller's block runs only where the callee returned: on its exit sides
            self.branch = self.branch + tuple(side for side in summary.exit_branch if side not in self.branch)
        if summary.found_keys and not summary.always_raises and node is not None:
            self._rebind_found_keys(function, args, summary.found_keys)
        if function.bound is not None and v.is_nullable(summary.returns):
            from archlint.semantics.frameworks import permission_object

            callee = self.program.function(function.path, function.fid)
            if callee is not None and permission_object(self.program, function.bound, callee.name, self.function):
                return non_null(summary.returns)  # the view's permission check refused a missing object
        if v.missed_origin(summary.returns) and any(
                v.CHECKED_KEY_TAG in v.tags_of(a[2]) or v.STORED_KEY_TAG in v.tags_of(a[2])
                or v.STRICT_MISSED_TAG in v.tags_of(summary.returns) and self._held_member(a[3])
                and not any(_client_scalar(b[2]) for b in args) for a in args):
            # `get_by_id(user_id)` again after `if user is None: raise 404` (update-then-get), or keyed by a column of a
            # row held (`get_message_by_id(message.id)` of a message just inserted): the helper's lookup finds its row,
            # its None for a missing one is not returned — unless the client chose another key
            # (`get_chat_by_id_and_user_id(id, user.id)`: the user's id only filters the client's chat id)
            return non_null(v.without_missed(summary.returns))
        returned = v.strip(summary.returns)
        if type(returned) is v.App and node is not None and self._made_in(function, returned.site):
            # a project factory of routers (`module.exports.Router = (name) => express.Router()`): each call
            # makes another router, named by the call; the routes the factory itself registered stay under it
            site = f"{self.path}:{node.span.line}:{node.span.column}"
            self.program.app_mounts.setdefault(returned.site, (site, ""))
            return v.tag(returned._replace(site=site), v.tags_of(summary.returns))
        if self.analysis is not None and type(returned) is v.Instance:
            # a factory that opens a session and returns the service built over it (`session = SessionLocal();
            # return ArticleService(ArticleRepository(session))`): the caller owns that session (AL206)
            self.analysis.owned.update(sid for sid in held_sessions(self.program, returned, ("sid:",))
                                       if self._made_in(function, sid[4:]))
        sessions = _session_blocks(function.bound)
        if sessions and type(returned) in (v.Row, v.Rows):
            # `ArticleRepository(session).list_recent()` in `with Session() as session:`: the rows were loaded
            # by the session the instance was built with (its field joins every constructor call's session)
            return v.tag(summary.returns, sessions)
        return summary.returns

    def _reselected_rows(self, node, query, loaded: frozenset) -> None:
        """``await db.execute(select(Record).filter(Record.id.in_([r.id for r in records])).options(selectinload(
        Record.responses)))`` in ``def preload(db, records)``: the rows of the parameter ``records`` selected
        again, with loader options, on the session the parameter ``db`` holds — the identity map puts the
        relations on the rows the caller passed (``Summary.row_loads``).  A session made here, a filter on
        anything but that parameter's rows, or one that is not the only filter: nothing."""
        if type(query) is not v.Query or len(query.chains) != 1 or type(node) is not ir.Call \
                or type(node.func) is not ir.Attr or type(node.func.obj) is not ir.Name:
            return
        params = {p.name for p in self.function.params if p.kind in ("pos", "posonly", "kwonly")}
        session = node.func.obj.id
        if session not in params:
            return
        filters = [step for step in next(iter(query.chains))
                   if type(step.node) is ir.Call and type(step.node.func) is ir.Attr and step.node.func.name in known(self.program).filter_steps]
        if len(filters) != 1 or len(filters[0].node.args) != 1:
            return
        rows = _rows_parameter(filters[0].node.args[0].value, known(self.program).membership_operators)
        if rows is not None and rows in params and rows != session:
            self.row_loads.append((rows, query.model, loaded))
            if rows in self.env and query.model in sequences.row_models(self.env[rows]):
                # and on the parameter's rows here too, from this statement on: argilla's build_dataset_event selects
                # `Dataset.id == dataset.id` with selectinload(…) "to force loading", then serialises `dataset`
                self.env[rows] = sequences.with_loads(self.env[rows], loaded)

    def _loaded_by_callee(self, function: v.Function, args, row_loads: tuple) -> None:
        """``_preload(self._db, records)``: the relations a callee's summary loaded onto the rows of one of
        its parameters (``Summary.row_loads``) are on the rows the caller's name holds — as
        ``prefetch_related_objects`` (semantics.toml ``row_loaders``) puts them."""
        callee = self.program.function(function.path, function.fid)
        if callee is None or function.partial or function.keywords:
            return
        for name, model, loaded in row_loads:
            found = argument_for(callee, args, name, self.python and function.bound is not None)
            passed = args[found[0]][3] if found is not None and not found[1] else None
            if type(passed) is ir.Name and passed.id in self.env and model in sequences.row_models(self.env[passed.id]):
                self.env[passed.id] = sequences.with_loads(self.env[passed.id], loaded)

    def _rebind_found_keys(self, function: v.Function, args, found_keys: tuple) -> None:
        """``await assertArticleExists(slug)`` returned: a row of each key its summary found (``Summary.found_keys``)
        exists, keyed here by what the caller passed for the parameters it reads (a name or a chain of names)."""
        callee = self.program.function(function.path, function.fid)
        if callee is None or function.partial or function.keywords:
            return
        names = {}
        for param in callee.params:
            found = argument_for(callee, args, param.name, self.python and function.bound is not None)
            passed = args[found[0]][3] if found is not None and not found[1] else None
            if passed is not None and ir.dotted(passed):
                names[param.name] = ir.dotted(passed)
        scope = f"{self.path}:{self.function.fid}"
        for key in found_keys:
            moved = rebound_key(key, scope, names)
            if moved is not None:
                found_records(self.program)[moved.tag] = moved
                self.filter_facts[FACT + moved.tag] = moved
                self.env[FACT + moved.tag] = v.Const(True)

    def _held_member(self, node) -> bool:
        """``message.id`` / ``user.id`` of a row or a model object the function holds (not the request's data)."""
        if type(node) is not ir.Attr or type(node.obj) is not ir.Name or node.obj.id not in self.env:
            return False
        held = self.env[node.obj.id]
        return v.REQUEST_TAG not in v.tags_of(held) and v.INPUT_TAG not in v.tags_of(held) and all(
            type(v.strip(option)) in (v.Row, v.Instance) for option in v.options(held))

    def _made_in(self, function: v.Function, site: str) -> bool:
        """``site`` (``path:line:column``) lies in ``function``'s own source."""
        path, _, position = site.rpartition(":")
        path, _, line = path.rpartition(":")
        callee = self.program.function(function.path, function.fid)
        if path != function.path or callee is None or not line.isdigit() or callee.kind == "module":
            return False
        return callee.span.line <= int(line) <= callee.span.end_line

    def _checked_nonempty(self, receiver) -> bool:
        """Whether this path tested ``<receiver>.exists()`` true, the receiver a chain of names
        (see ``Frame.narrowing``; the fact is dropped at a merge with a path that did not) — or
        tested the queryset that ``receiver`` only orders or loads more of (``row_keeping_builders``:
        ``if t.emails.count() == 0: … else: t.emails.order_by("-date").first()``)."""
        keeping = None
        while True:
            chain = query_chain(self.program, receiver)
            if chain is None:
                return False
            if FACT + "nonempty:" + chain in self.env:
                return True
            keeping = keeping or known_support(self.program).row_keeping_builders
            if type(receiver) is not ir.Call or type(receiver.func) is not ir.Attr or receiver.func.name not in keeping:
                return False
            receiver = receiver.func.obj

    def _dereferenced_by_callee(self, args, derefs: tuple, label: str) -> None:
        """A possibly-None row passed to a function that reads it: the read fails in the callee,
        so the argument is where the caller's unchecked lookup is judged (with the callee's line)."""
        for _kind, _name, value, expr in args:
            origins = null_origins((value,))
            inner = next((d for d in derefs if d.origin in origins), None)
            if inner is not None and expr is None:
                # a result the library hands a callback (`findOne(q, (err, user) => user.name)`): no
                # argument written here, so the read is judged where the callback makes it
                self.null_derefs.append(inner)
                if self.analysis is not None:
                    self.analysis.derefs.append(inner)
            elif inner is not None:
                self.dereference(expr, value, expr.span, ((inner.path, inner.span, f"`{label}` reads `{inner.name}`"),) + inner.via,
                                 sink=inner.sink)

    def _closure_elems(self, args) -> frozenset:
        """The loop rows a callback given to the query builder reads from the enclosing scope — Drizzle
        ``findFirst({ where: (u, { eq }) => eq(u.id, c.authorId) })``, knex ``.where((qb) => qb.where('id',
        row.id))``: the library calls it to build this query, so the query is keyed by those rows."""
        found: frozenset = frozenset()
        pending, budget = [a[2] for a in args], 16
        while pending and budget:
            budget -= 1
            bare = v.strip(pending.pop())
            if type(bare) is v.Record:
                pending.extend(value for _key, value in bare.items)
                continue
            if type(bare) is not v.Function or bare.bound is not None or bare.path != self.path:
                continue
            function = self.program.function(bare.path, bare.fid)
            if function is None or function.parent < 0:
                continue
            bound = set(function.locals) | {p.name for p in function.params}
            for param in function.params:
                if param.target is not None:
                    bound.update(n.id for n in ir.iter_nodes(param.target) if type(n) is ir.Name)
            for node in ir.iter_nodes(function.body):
                if type(node) is ir.Name and node.id not in bound and node.id in self.env:
                    found |= frozenset(t for t in v.tags_of(self.env[node.id]) if t.startswith("elem:"))
        return found

    def _is_handle(self, receiver) -> bool:
        """A DB handle, or an instance of a project class inheriting one (``this.prisma`` typed as
        ``class PrismaService extends PrismaClient``)."""
        bare = v.strip(receiver)
        if type(bare) is v.Instance:
            bare = v.strip(self._handle_base(v.ClassValue(bare.path, bare.cid)))
        return type(bare) is v.Db

    def _swallowed(self, effect) -> frozenset:
        """A callee's write or commit run inside a ``try`` of this function whose handlers raise
        nothing (SWALLOW_TAG): the loops between that ``try`` and the statement are this
        function's inside it plus all of the callee's."""
        if not self.swallowing or effect.op not in ("write", "commit"):
            return frozenset()
        return frozenset({f"{SWALLOW_TAG}{len(self.loops) - self.swallowing[-1] + len(effect.loops)}"})

    def _context_tags(self, effect) -> frozenset:
        """A callee's write run from an ``except`` handler or from an injected dependency; a callee's
        read or lazy load run from a handler that runs only on a failure (``FAILURE_TAG``)."""
        if effect.op in ("read", "lazy"):
            return _FAILURE if self.failing else frozenset()
        if effect.op != "write":
            return frozenset()
        tags = frozenset({v.INJECTED_TAG}) if self.injecting else frozenset()
        if not self.handling:
            return tags
        between = len(effect.loops) + (0 if v.DETACHED_TAG in effect.tags else len(self.loops) - self.handling[-1])
        return tags | {v.IN_HANDLER_TAG, f"{v.HANDLER_LOOPS_TAG}{between}"}

    def _in_block(self, effect, tags: frozenset) -> frozenset:
        """A callee's write run while this frame holds a transaction open: it belongs to this frame's outermost
        transaction block (``TX_BLOCK_TAG``), or to no block when that transaction is not a block's."""
        if self.tx == 0 or effect.op not in ("write", "dirty"):
            return tags
        kept = frozenset(t for t in tags if not t.startswith(v.TX_BLOCK_TAG))
        block = self.tx_block()
        return kept | {block} if block is not None else kept

    def _outside(self, effect) -> frozenset:
        """A callee's query that runs inside a managed-transaction callback without its handle."""
        if self.managed and not effect.in_tx and self.tx == 0 and effect.op in ("read", "write"):
            return effect.tags | {"outside-tx:" + self.managed[-1]}
        opened, handle = next(((site, key) for site, stack, key in reversed(self.opened) if stack == effect.stack), (None, None))
        if opened is not None and not effect.in_tx and self.tx == 0 and effect.op in ("read", "write") \
                and CONNECTION + handle not in effect.tags:
            return effect.tags | {OPEN_TX + opened}
        return effect.tags

    def provided_sessions(self, provided) -> set:
        """The per-request sessions a ``Depends`` provider hands the handler: the ``sid:`` tags of what it
        returns — a session, or a service/repository it builds over one (``ArticleService(ArticleRepository(
        session))``: the session held in the fields of the objects it returns, a few levels deep)."""
        return {t for t in v.tags_of(provided) if t.startswith("sid:")} | held_sessions(self.program, provided, ("sid:",))

    def instantiate(self, node: ir.Call, cls: v.ClassValue, args):
        model = self.program.model_of_class(cls.path, cls.cid)
        if model:
            stack = self.program.schema.models[model].stack
            self.mass_assignment(node, stack, model, model.rsplit(":", 1)[-1], self._unstored_arguments(cls, args))
            # `InvoiceAddress()` with no argument (an empty stand-in: `except DoesNotExist: ia = InvoiceAddress()`)
            # holds no foreign key: reading a relation of it gives None or an empty set, never a query
            return v.tag(v.Row(stack, model, self._assigned_relations(model, args) if args else frozenset({"*"})), NEW_ROW)
        instance = v.Instance(cls.path, cls.cid)
        self.program.instantiated.add((cls.path, cls.cid))
        constructor = self.program.method(cls.path, cls.cid, "__init__") or self.program.method(cls.path, cls.cid, "constructor")
        if constructor is not None:
            self.call_function(node, constructor._replace(bound=instance), args)
        hooked = instantiate_hook(self, node, cls, args)
        if hooked is not None:
            return hooked
        # built with a session a `with` block opened: its methods' rows are that block's (see call_function)
        return v.tag(instance, frozenset(t for a in args for t in v.tags_of(a[2]) if t.startswith(v.SESSION_BLOCK_TAG)))

    @staticmethod
    def _expiring(handle, node: ir.Call, default: frozenset = frozenset({v.EXPIRES_TAG})) -> frozenset:
        """An AsyncSession or async_sessionmaker made with ``expire_on_commit`` at its default (True): its
        commit expires the objects it holds.  ``False`` — or a value archlint cannot read — is not judged."""
        if type(handle) is not v.Db or handle.stack != "sqlalchemy" or handle.kind not in ("session", "session_factory"):
            return frozenset()
        option = node.arg(keyword="expire_on_commit") if node is not None else None
        if option is None:
            return default
        return frozenset({v.EXPIRES_TAG}) if type(option) is ir.Const and option.value is True else frozenset()

    def expire_rows(self, node, session_tags: frozenset = frozenset()) -> None:
        """``session.commit()`` of an expiring session: every row this function holds is expired
        (SQLAlchemy expires the whole identity map), until ``refresh()`` loads it again.  The rows take
        the committing session's ``with``-block tag: read after that block closed, the reload fails
        (DetachedInstanceError) even for a synchronous session; an AsyncSession fails at any read."""
        tag = frozenset({f"{v.EXPIRED_TAG}{self.path}:{node.span.line}:{node.span.column}"}) \
            | frozenset(t for t in session_tags if t.startswith("sess:") or t == "async")
        committing = {t for t in session_tags if t.startswith("sid:")}
        for name, value in list(self.env.items()):
            bare = v.strip(value)
            loaded_by = {t for t in v.tags_of(value) if t.startswith("sid:")}
            if committing and loaded_by and not committing & loaded_by:
                continue  # a row another session loaded (`current_user` from its own `async with SessionLocal()`)
            if type(bare) in (v.Row, v.Rows) and bare.stack == "sqlalchemy" and len(v.options(value)) == 1 \
                    and not any(t.startswith(v.EXPIRED_TAG) for t in v.tags_of(value)):
                self.env[name] = v.tag(bare, v.tags_of(value) | tag)

    def unexpire(self, args) -> None:
        """``await session.refresh(article)``: the object is loaded again; the relationships named in
        ``attribute_names`` (``refresh(article, ["author"])``) are loaded too (SQLAlchemy 2.0.4+, also
        those declared ``lazy="raise"``)."""
        if not args or args[0][0] != "pos" or type(args[0][3]) is not ir.Name:
            return
        name = args[0][3].id
        value = self.env.get(name)
        if value is None or type(v.strip(value)) is not v.Row:
            return
        # refreshed: loaded from its stored row (so no longer one built here and not yet stored)
        row, tags = v.strip(value), frozenset(t for t in v.tags_of(value) if not t.startswith(v.EXPIRED_TAG)) - NEW_ROW
        names = next((a[2] for a in args[1:] if a[0] == "pos" or a[1] == "attribute_names"), None)
        listed = v.strip(names) if names is not None else None
        if type(listed) is v.Tuple:
            loaded = {v.strip(item).value for item in listed.items
                      if type(v.strip(item)) is v.Const and isinstance(v.strip(item).value, str)}
            row = row._replace(loaded=row.loaded | loaded)
        elif names is not None:
            row = row._replace(loaded=row.loaded | {ANY_RELATION})  # names archlint cannot read: anything may be loaded
        self.env[name] = v.tag(row, tags)

    def _async_class_option(self, node: ir.Call) -> bool:
        """``sessionmaker(engine, class_=AsyncSession)`` (the pre-2.0 idiom, SQLModel's tutorials):
        the factory makes AsyncSessions."""
        option = node.arg(keyword="class_")
        return option is not None and type(option) in (ir.Name, ir.Attr) and is_async_api(self.program, self.program.static_name(self.path, option))

    def call_external(self, node: ir.Call, external: v.External, args):  # noqa: C901
        library = self.program.library
        name = external.name
        names = known(self.program)  # (read once: ~27k external calls on Django, most reach the end)
        if args and (name in names.compiled_iterators or name in names.compiled_reads
                     or name in names.compiled_decorators):
            return self.compiled_iteration(name, args)  # tslib_1.__values(xs) (importHelpers)
        arg_tags = all_tags([a[2] for a in args])
        handle = library.constructor(name) or (library.constructor(name[:-2]) if name.endswith("()") else None)
        if handle is not None:
            if self.analysis is not None:
                self.analysis.constructs.append(Construct(self.path, node.span, handle.stack, handle.kind, callee_text(node), "", tuple(self.loops)))
            if handle.kind == "repository" and args and not handle.model:  # TypeORM getRepository(Article)
                handle = handle._replace(model=self.model_key(args[0][2]))
            asynchronous = name in library.asynchronous or handle.stack in names.async_drivers
            owned = self.own_session(handle, node, "", asynchronous)
            if name in library.synchronous:
                owned = owned | {SYNC_DRIVER}
            if is_async_api(self.program, name) or self._async_class_option(node) or name in library.asynchronous:
                owned = ASYNC | owned
            slot = names.context_handles.get(name)
            if slot is not None:
                # `QuartDB(app)`: the extension gives every request a connection in `g.connection` (no project code
                # writes that slot, so views would read an unknown value)
                framework, scope, key, kind = slot
                self.program.write_context(framework, scope, key, v.tag(v.Db(handle.stack, kind), owned & ASYNC))
            return v.tag(handle, owned | self._expiring(handle, node))
        if name in library.row_loaders and args and args[0][0] == "pos" and type(args[0][3]) is ir.Name \
                and args[0][3].id in self.env:
            # prefetch_related_objects(articles, "author"): the rows the name holds now have those relations
            loaded, _joined = self.argument_loads(library.row_loaders[name], args[1:])
            self.env[args[0][3].id] = sequences.with_loads(self.env[args[0][3].id], loaded)
            return v.Const(None)
        if name in ("builtins.getattr", "builtins.setattr") and len(args) >= 2 and type(v.strip(args[0][2])) is v.Context:
            context, key = v.strip(args[0][2]), v.strip(args[1][2])
            if type(key) is v.Const and isinstance(key.value, str):
                if name == "builtins.setattr" and len(args) == 3:  # setattr(g, "db", conn)
                    self.program.write_context(context.framework, context.scope, key.value, args[2][2])
                    return v.Const(None)
                if name == "builtins.getattr":  # getattr(g, "_database", None): the Flask docs' get_db()
                    found = self.program.read_context(context.framework, context.scope, key.value)
                    return v.UNKNOWN if found is None else found if len(args) == 2 else v.join(found, args[2][2])
            return v.UNKNOWN
        if name == "builtins.dict" and len(args) == 1 and args[0][0] == "pos" and args[0][3] is not None and raw_row(args[0][2]):
            # dict(row) of a driver lookup that may be None: TypeError ('NoneType' object is not iterable)
            self.dereference(args[0][3], args[0][2], node.span, subscript="iterable")
        if name in ("builtins.setattr", "global:Object.assign") and len(args) >= 2 and args[0][0] == "pos" and args[0][3] is not None:
            # setattr(article, key, value) / Object.assign(article, changes) on a lookup that may be
            # None/null: the write raises (AttributeError / TypeError) like a read
            self.dereference(args[0][3], args[0][2], node.span)
        if name == "builtins.setattr" and len(args) == 3:
            if session_row(args[0][2]):  # a column of a loaded row, which one not known here
                self.change_unseen(args[0][2])
            self.dynamic_field_write(node, args[0][2], args[1][2], "setattr")
            self.program.note_setattr(args[0][2], args[1][2])
        if name in ("global:Object.entries", "global:Object.values") and len(args) == 1 and type(v.strip(args[0][2])) is v.Record:
            # Object.entries({ '/articles': articles, … }): the [key, value] pairs of a record the code wrote
            record = v.strip(args[0][2])
            if name.endswith("values"):
                return v.Tuple(tuple(value for _key, value in record.items))
            return v.Tuple(tuple(v.Tuple((v.Const(key), value)) for key, value in record.items))
        if name == "global:Object.assign" and len(args) >= 2 and type(v.strip(args[0][2])) is v.Row:
            row = v.strip(args[0][2])  # Object.assign(article, req.body.article)
            self.mass_assignment(node, row.stack, row.model, "Object.assign", args[1:])
        if name == "global:Object.assign" and len(args) >= 2 and args[0][0] == "pos" and whole_body(args[0][2]):
            # Object.assign(req.body.article, { authorId }): the request's own object, given more keys, is what
            # Object.assign returns — still every key the client sent
            return args[0][2]
        if name == "global:Object.assign" and args and all(kind == "pos" for kind, *_ in args) \
                and type(v.strip(args[0][2])) is v.Record:
            # Object.assign({}, req.body.comment, { authorId }): the object a spread literal builds
            items = dict(v.strip(args[0][2]).items)
            for _kind, _name, value, _node in args[1:]:
                self.spread_into(items, value)
            return v.tag(v.Record(tuple(items.items())), all_tags(value for _kind, _name, value, _node in args))
        if name.endswith(":wrap") and name[:-len(":wrap")] in self.program.library.modules_of_orm.get("mikro-orm", ()) \
                and args and type(v.strip(args[0][2])) is v.Row:
            # MikroORM `wrap(article.author)`: the entity's helper; `.init()` on it loads the reference
            return v.tag(args[0][2], frozenset({MIKRO_WRAPPED}))
        if passes_through(self.program, name) and args and type(v.strip(args[0][2])) is v.Function:
            # fp(async (fastify, opts) => …) / createMiddleware(async (c, next) => …): the function itself
            # (a fastify-plugin one shares its parent's context: what it sets, such as an error handler, is the parent's)
            return v.tag(args[0][2], frozenset({SHARED_CONTEXT})) if shares_context(self.program, name) else args[0][2]
        # awilix: `createContainer()` is the container, `container.resolve('name')` what it registered under
        # the name (semantics/containers.py fills the cradle before the functions are analysed)
        if name in container_names(self.program).container_constructors:
            return v.External(name + "()")  # the container: `container.resolve('name')` below
        if name in container_names(self.program).container_resolvers and args:
            key = v.strip(args[0][2])  # container.resolve('sequelize'): what the container registered under it
            found = resolved_from_container(self.program, self.path, key.value) \
                if type(key) is v.Const and isinstance(key.value, str) else None
            return found if found is not None else v.UNKNOWN
        if name == "django.contrib.auth.get_user_model" and not args and self.program.django_user_model():
            return v.ModelClass("django", self.program.django_user_model())  # User = get_user_model()
        if name.startswith("rest_framework.pagination.") and name.rsplit(".", 1)[-1].endswith("Pagination"):
            return v.Object(DRF_PAGINATOR)  # a DRF paginator used on its own in an APIView
        if name in framework_names(self.program).converters:  # TypeAdapter(list[ArticleOut]) / msgspec.convert(rows, list[S], from_attributes=True)
            converted = converter_hook(self, node, name, args)
            if converted is not None:
                return converted
        schema = validators.build(self.program, name, args) if not self.python else None
        if schema is not None:  # yup.object({…}) / Joi.object() / z.object({…}): an object schema and its unknown-key policy
            return schema
        found = library.function(name)
        if found is not None:
            stack, outcome = found
            result = self.outcome_value(outcome, v.UNKNOWN, args, node, stack, "")
            # `select(exists().where(Follow.b == article.author_id))`: a statement built from a loop's element
            # depends on it like its arguments do (the `elem:` tags), so running it per row is a query per row
            element = frozenset(t for a in args for t in v.tags_of(a[2]) if t.startswith("elem:"))
            return v.tag(result, element) if element and result is not None else result
        if name in library.adapters:  # aiosql.from_path("queries.sql", "asyncpg")
            driver = next((a[2] for a in args if a[0] == "kw" and a[1] == "driver_adapter"), None)
            driver = driver if driver is not None else (args[1][2] if len(args) > 1 and args[1][0] == "pos" else None)
            bare = v.strip(driver) if driver is not None else None
            handle = library.adapter(name, bare.value if type(bare) is v.Const else None)
            if handle is not None:
                return handle
        if name in ("django.urls.path", "django.urls.re_path", "django.conf.urls.url") or name in route_names(self.program).starlette_routes:
            self.program.route_calls.setdefault((self.path, node.span), (self.path, node, external, tuple(a[2] for a in args)))
            return v.UNKNOWN
        if name in names.mongoose_model and args:  # mongoose.model('Article', ArticleSchema)
            label = v.strip(args[0][2])
            if type(label) is v.Const and isinstance(label.value, str):
                key = self.program.schema.by_name(label.value, "mongoose", self.path) or f"{self.path}:{label.value}"
                return v.ModelClass("mongoose", key)
        if name in names.mongoose_class_models and args and type(v.strip(args[0][2])) is v.ClassValue:
            cls = v.strip(args[0][2])  # getModelForClass(Article): the model the schema read registers under the class's name
            definition = self.program.cls(cls.path, cls.cid)
            if definition is not None:
                key = self.program.schema.by_name(definition.name, "mongoose", self.path) or f"{self.path}:{definition.name}"
                return v.ModelClass("mongoose", key)
        if name in ("aiohttp.web.AppKey", "aiohttp.web_app.AppKey", "aiohttp.AppKey") and args:
            label = v.strip(args[0][2])  # web.AppKey('db', asyncpg.Pool): a typed key of the application mapping
            return v.Const(f"AppKey:{label.value}") if type(label) is v.Const and isinstance(label.value, str) else v.UNKNOWN
        framework = library.app(name)
        if framework:
            site = f"{self.path}:{node.span.line}:{node.span.column}"
            if framework in ("fastapi", "starlette"):
                self.lifespan(node, v.App(framework, site), args)
            for kind, keyword, value, _node in args:
                prefix = v.strip(value)
                if type(prefix) is v.Record:  # new Router({ prefix: '/api' })
                    prefix, keyword, kind = v.strip(prefix.get("prefix") or v.UNKNOWN), "prefix", "kw"
                if kind == "kw" and keyword in ("url_prefix", "prefix") and type(prefix) is v.Const and isinstance(prefix.value, str):
                    self.program.app_prefixes[site] = prefix.value
            self._handler_list(framework, site, args)
            return v.App(framework, site)
        short = name.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
        if name in names.fastapi_depends and args:
            provider = args[0][2]
            if type(v.strip(provider)) is v.Function:
                provided = self.call_function(node, v.strip(provider), [])
                if self.analysis is not None:  # a per-request session: the handler owns what it writes
                    self.analysis.owned.update(self.provided_sessions(provided))
                return provided
            if type(v.strip(provider)) is v.ClassValue:
                return self.instantiate(node, v.strip(provider), [])
            return v.UNKNOWN
        if name in names.get_or_404 and args:
            target = v.strip(args[0][2])
            model = self.model_key(target)
            stack = target.stack if type(target) in (v.ModelClass, v.Query) else "django"
            self.effect("read", stack, model, short, node, arg_tags)
            return v.Row(stack, model, getattr(target, "loaded", frozenset()))
        if name in names.page_functions and args and args[0][0] == "pos":  # paginate(qs, page): a Page of qs
            rows = args[0][2]
            return v.Record((("object_list", rows), (v.ITERATES, rows)))
        if name in names.paginators:  # Paginator(qs, per_page): holds qs until a page of it is asked for
            rows = next((a[2] for a in args if a[0] == "pos" or a[1] == "object_list"), None)
            return v.Record(((PAGINATES, rows), ("object_list", rows))) if rows is not None else v.UNKNOWN
        if name == "functools.partial" and args and type(v.strip(args[0][2])) is v.Function:
            # `map(partial(self._present, viewer), rows)`: the function with its first parameters fixed, as
            # JS's `fn.bind(this, viewer)`, and its keywords (`partial(serialize, many=True)`) fixed by name;
            # a spread (`*args` / `**options`) fills parameters nobody can tell
            function = v.strip(args[0][2])
            if all(a[0] in ("pos", "kw") for a in args[1:]):
                named = dict(function.keywords)
                named.update((a[1], a[2]) for a in args[1:] if a[0] == "kw")
                return function._replace(partial=function.partial + tuple(a[2] for a in args[1:] if a[0] == "pos"),
                                         keywords=tuple(sorted(named.items(), key=lambda item: item[0])))
        if name in _BUILTIN_CALLBACKS and args:
            self._builtin_callback(node, short, args)
        if name in ("builtins.list", "builtins.len", "builtins.bool", "builtins.sorted", "builtins.tuple", "builtins.set",
                    "builtins.frozenset", "builtins.dict") and args:
            value = v.strip(args[0][2])
            if type(value) is v.Db and value.stack == "django" and value.kind in ("manager", "prefetched") and short != "bool":
                self.event("manager-iterated", node, value.model)
            if type(value) is v.Query and value.lazy and not value.cached and value.stack == "django" \
                    and self.python and type(args[0][3]) is ir.Name and args[0][3].id in self.env:
                self._truth_evaluated(args[0][3], short, node)  # the name's QuerySet now holds its rows
            elif type(value) is v.Query and value.lazy and not value.cached:
                self.effect("read", value.stack, value.model, short, node, v.tags_of(args[0][2]), query=value)
                self.evaluated(value)
                if short in ("list", "sorted", "tuple"):
                    return v.tag(v.Rows(value.stack, value.model, value.loaded), v.tags_of(args[0][2]))
            if short in ("sorted", "list", "tuple", "set", "frozenset") and type(value) is v.Rows:
                return args[0][2]  # set(names): the same rows, each once
            if short in ("sorted", "list", "tuple", "set", "frozenset") and type(value) is v.Items:
                return v.tag(value._replace(keyed=False), v.tags_of(args[0][2])) if not value.keyed else v.UNKNOWN
            if short in ("sorted", "list", "tuple", "set", "frozenset") and type(value) is v.Result:
                # list(await session.scalars(stmt)): iterating the result fetches its rows, as a `for` does
                if not value.unique and self.analysis is not None and self._joined_collections(value):
                    self.analysis.events.append(Event("joined-without-unique", self.path, node.span, ",".join(self._joined_collections(value))))
                return v.tag(v.Rows(value.stack, value.model, value.loaded), v.tags_of(args[0][2]))
            if short in ("list", "sorted", "tuple") and type(value) is v.Query and value.lazy:
                return v.tag(v.Rows(value.stack, value.model, value.loaded), v.tags_of(args[0][2]))
            if short == "len":
                return v.tag(v.Const(v.ANY_CONSTANT), v.tags_of(args[0][2]) - {v.REQUEST_TAG} if False else v.tags_of(args[0][2]))
        if django_apps.is_loader(self.program, name):
            return django_apps.load(self.program, name, args)
        if name == "builtins.next" and len(args) == 2 and type(args[0][3]) is ir.Loop and args[0][3].kind == "comprehension" \
                and type(v.strip(args[0][2])) is v.Rows and v.strip(args[1][2]) == v.Const(None):
            # next((r for r in rows if …), None): the first matching row, or None when none matches
            rows = v.strip(args[0][2])
            if KEY_MATCH_TAG in v.tags_of(args[0][2]):
                return v.Row(rows.stack, rows.model, rows.loaded)
            return v.Row(rows.stack, rows.model, rows.loaded, nullable=True, origin=f"{self.path}:{node.span.line}:{node.span.column}:next()")
        if name in names.import_string and len(args) == 1 and type(v.strip(args[0][2])) is v.Const \
                and isinstance(v.strip(args[0][2]).value, str):
            return self.program.import_string(self.path, v.strip(args[0][2]).value)
        if name in names.body_parsers and args and type(v.strip(args[0][2])) is v.Request:
            return args[0][2]  # json.loads(request.body): the body itself, parsed
        if name.startswith(("flask_restx.", "flask_restful.", "flask_restplus.")) and name.endswith("marshal"):
            from archlint.semantics.restx import marshal_hook

            if marshal_hook(self, node, name, args):
                return v.Object("dict")
        if name == "global:Promise.all" and args:
            bare = v.strip(args[0][2])
            elements = args[0][3].elts if type(args[0][3]) is ir.Seq else ()
            if type(bare) is v.Tuple and len(elements) == len(bare.items) and any(
                    type(v.strip(item)) is v.Query and v.strip(item).stack in self.program.library.thenables for item in bare.items):
                # Promise.all([db('articles').select(…), db('articles').count()]) / ([q.del().where(…), …]):
                # Promise.all calls .then on each builder, so each runs now, with every call chained onto it
                return v.tag(v.Tuple(tuple(self.await_value(item, element) for item, element in zip(bare.items, elements))),
                             v.tags_of(args[0][2]))
            return args[0][2]
        if name == "global:Array.from" and len(args) == 1 and type(v.strip(args[0][2])) is v.Rows:
            return args[0][2]  # Array.from(rows): the same rows
        if name == "builtins.str" and len(args) == 1 and args[0][0] == "pos" and type(v.strip(args[0][2])) is v.Row:
            # str(item): the model's own __str__ runs on the row (django-helpdesk's KBItem reads its category)
            row = v.strip(args[0][2])
            model = self.program.schema.get(row.model) if row.model else None
            method = self.program.method(model.path, model.cid, "__str__") if model is not None and model.cid >= 0 else None
            if method is not None:
                # (str(None) is "None": the method runs on the row that is there, never on a None)
                return self.call_function(node, method._replace(bound=non_null(args[0][2])), [], label=f"{short}() → __str__")
        if name in ("builtins.str", "builtins.int", "builtins.float", "global:String", "global:Number", "global:parseInt"):
            if args and v.is_constant(args[0][2]):
                return v.Const(v.ANY_CONSTANT)
        if name == "builtins.dict" and args and all(kind == "kw" for kind, _n, _v, _node in args):
            # dict(items=rows, total=n): the record the literal {"items": rows, "total": n} builds
            return v.tag(v.Record(tuple((key, value) for _k, key, value, _n in args)), all_tags([a[2] for a in args]))
        if name in CONTAINERS:
            return v.tag(v.Object(short), arg_tags - frozenset(t for t in arg_tags if t.startswith("elem:")) if short in ("set", "dict", "Set", "Map") else arg_tags)
        for _kind, _name, value, _node in args:
            if type(v.strip(value)) is v.Function and name.startswith("global:Promise"):
                self.call_function(node, v.strip(value), [])
        # a conversion (`int(row.author_id)`, `UUID(…)`) is still the key it converts, an ORM's condition
        # (`eq(users.id, article.authorId)`) is keyed by it
        keeps_key = name in _CONVERSIONS or name in names.body_parsers or library.orm_function(name)
        return v.tag(v.UNKNOWN, without_optional(arg_tags) if keeps_key else computed_tags([a[2] for a in args]))

    def context_method(self, node: ir.Call, context: v.Context, method: str, args):
        """``g.get('db')`` / ``request.app.get('db')``: the entry, or the default when nobody set it;
        ``app.on_startup.append(init_db)`` / ``app.cleanup_ctx.append(pg_ctx)``: the hook runs with the
        application, so the entries it stores are written."""
        if context.scope == "hooks" and method in ("append", "insert", "extend"):
            for _kind, _name, value, _node in args:
                for hook in v.options(value):
                    if type(v.strip(hook)) is v.Function:
                        self.call_function(node, v.strip(hook), [("pos", "", v.App("aiohttp"), None)])
            return v.UNKNOWN
        if method == "get" and args:
            from archlint.semantics.interpreter import context_key

            key = context_key(args[0][2])
            if not key:
                return v.UNKNOWN
            found = self.program.read_context(context.framework, context.scope, key)
            default = args[1][2] if len(args) > 1 else v.Const(None)
            return v.UNKNOWN if found is None else v.join(found, default)
        return v.UNKNOWN

    def _handler_list(self, framework: str, site: str, args) -> None:
        """Litestar ``Router(path="/api", route_handlers=[ArticleController, health])``: each handler,
        Controller and Router of the list is served under this app's path (``frameworks.toml``
        ``handler_list_keywords`` / ``path_keywords``; a positional string is the path, a positional
        list the handlers)."""
        data = self.program.library.framework_data.get(framework, {})
        lists, paths = data.get("handler_list_keywords", ()), data.get("path_keywords", ())
        if not lists:
            return
        for kind, keyword, value, _node in args:
            bare = v.strip(value)
            if (kind == "kw" and keyword in paths or kind == "pos") and type(bare) is v.Const and isinstance(bare.value, str):
                self.program.app_prefixes[site] = bare.value
            elif kind == "kw" and keyword in lists or kind == "pos" and type(bare) in (v.Tuple, v.Items):
                for item in _elements(bare):
                    if type(item) is v.Function:
                        self.program.handler_mounts.setdefault((item.path, item.fid), site)
                    elif type(item) is v.ClassValue:
                        self.program.handler_mounts.setdefault((item.path, -item.cid - 1), site)
                    elif type(item) is v.App and item.site and item.site != site:
                        self.program.app_mounts.setdefault(item.site, (site, ""))

    def lifespan(self, node: ir.Call, app: v.App, args) -> None:
        """``FastAPI(lifespan=lifespan)``: the lifespan runs with the application; what it stores on
        ``app.state`` is written, and a state dict it yields (``yield {"pool": pool}``) becomes
        ``request.state`` in every handler."""
        handler = next((a[2] for a in args if a[0] == "kw" and a[1] == "lifespan"), None)
        if handler is None or type(v.strip(handler)) is not v.Function:
            return
        state = v.strip(self.call_function(node, v.strip(handler), [("pos", "", app, None)]))
        for option in v.options(state):
            if type(v.strip(option)) is v.Record:
                for key, value in v.strip(option).items:
                    if isinstance(key, str):
                        self.program.write_context(app.framework, "state", key, value)

    # effects -----------------------------------------------------------------------------------------


def _project_method(program, receiver, name: str) -> bool:
    """``receiver.name(…)`` calls a project function: a module's member, or a method a project class
    defines (its summary follows what it does with the functions it is given)."""
    bare = v.strip(receiver)
    kind = type(bare)
    if kind is v.Module:
        return True
    if kind is v.Instance or kind is v.ClassValue:
        return program.method(bare.path, bare.cid, name) is not None
    return False


def _note_passed(program, arguments) -> None:
    """A function or class handed to library code (a route handler or middleware to a framework's
    registration, a view to ``path()``, a viewset to a router) is called or built by it, not by any
    call the model follows: reached, for the analyses of record of the modules loaded on demand."""
    for argument in arguments:
        for option in v.options(argument[2]):
            bare = v.strip(option)
            kind = type(bare)
            if kind is v.Function:
                program.reached.add((bare.path, bare.fid))
            elif kind is v.ClassValue:
                program.instantiated.add((bare.path, bare.cid))


def _one_value(args) -> bool:
    """The values of a statement run once per value (``execute_many(query, values)``) are a literal list or tuple
    of one item: one statement.  Anything else — a comprehension, a list built elsewhere — may hold many."""
    values = next((value for kind, name, value, _node in args[1:2] if kind == "pos"), None)
    if values is None:
        values = next((value for kind, name, value, _node in args if kind == "kw" and name == "values"), None)
    bare = v.strip(values) if values is not None else None
    return type(bare) is v.Tuple and len(bare.items) == 1 and v.GROWN_TAG not in v.tags_of(values)
