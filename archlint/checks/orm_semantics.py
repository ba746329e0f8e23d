"""ORM-semantics rules on the semantic model — what made agent-written apps crash in the study:

* AL221 ``Article.author.username == name``: a relationship attribute chained to its target's
  column on the class (SQLAlchemy raises AttributeError when the expression is built);
* AL222 ``select(ArticleSchema)`` / ``session.query(UserOut)``: a class that is not mapped — a
  pydantic/marshmallow schema, a dataclass — given to the query (ArgumentError);
* AL223 ``Article(titel=…)``: a model constructed with a keyword that is no attribute of the model
  (SQLAlchemy's and Django's constructors raise TypeError);
* AL224 ``for tag in article.tags`` (Django): a manager iterated, measured or listed without ``.all()``
  (TypeError: 'ManyRelatedManager' object is not iterable);
* AL225 ``title = serializers.CharField(source="title")``: DRF asserts the source is redundant;
* AL226 a write inside a serializer/schema validation hook (it runs on every validation, also of
  requests that are rejected afterwards);
* AL227 ``user.addFollower(v)`` when the association is ``as: 'followings'``: a Sequelize mixin no
  association generates (TypeError: user.addFollower is not a function);
* AL228 ``where: { authorId: user }``: a model instance compared where a key is expected (Sequelize
  matches no row, Prisma rejects the argument);
* AL229 ``article.author.username`` on a Sequelize/TypeORM row whose query did not include
  ``author``: the association is ``undefined`` (TypeError);
* AL230 ``self.repo.find_by_slug(slug)`` when the repository class (and its project bases) defines
  no such method (AttributeError / "is not a function");
* AL231 two collections eager-loaded by joins in one statement (``joinedload(A.comments),
  joinedload(A.tags)``, TypeORM ``relations``): the rows multiply (comments × tags per article).

Every message quotes the error the real library raises (verified: SQLAlchemy 2.0, Django 5.1, DRF 3.15).
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.checks.process_memo import once_per_process
from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding, TraceStep
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v
from archlint.semantics.frameworks import derives_from, is_serializer

_SQLMODEL = "sqlmodel.SQLModel"


class Known(NamedTuple):
    """The validation hooks of ``rules/knowledge/frameworks.toml`` and the ORM names of ``orms.toml``
    (``reader = "checks.orm_semantics"``)."""

    serializer_hooks: frozenset
    serializer_hook_prefixes: tuple
    field_bases: frozenset
    field_hooks: frozenset
    validator_modules: tuple
    validator_decorators: frozenset
    select_functions: frozenset  # `select(…)` of SQLAlchemy / SQLModel (AL222)
    unmapped_bases: tuple  # prefixes of the external bases of a class that is no mapped model (AL222)
    write_methods: frozenset  # ORM calls that write the values given (AL228's wording)


def _known(table: dict) -> Known:
    hooks = table["serializer_hooks"]
    return Known(serializer_hooks=frozenset(h for h in hooks if not h.endswith("*")),
                 serializer_hook_prefixes=tuple(h[:-1] for h in hooks if h.endswith("*")),
                 field_bases=frozenset(table["field_bases"]), field_hooks=frozenset(table["field_hooks"]),
                 validator_modules=tuple(table["validator_modules"]), validator_decorators=frozenset(table["validator_decorators"]),
                 select_functions=frozenset(table["select_functions"]), unmapped_bases=tuple(table["unmapped_bases"]),
                 write_methods=frozenset(table["write_methods"]))


def _names(program) -> Known:
    return program.library.view("checks.orm_semantics", _known)


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    analyses = [a for a in program.analyses() if not non_production(a.path)]
    seen: set = set()
    for finding in _all(ctx, program, analyses):
        key = (finding.rule, finding.path, finding.line, finding.column)
        if key not in seen:
            seen.add(key)
            yield finding


def _all(ctx, program, analyses) -> Iterator[Finding]:
    for analysis in analyses:
        for event in analysis.events:
            if event.kind == "relation-attribute-chained":
                yield _chained(ctx, event)
            elif event.kind == "manager-iterated":
                yield _manager(ctx, event)
            elif event.kind == "missing-mixin":
                yield _missing_mixin(ctx, event)
            elif event.kind == "instance-as-key":
                yield _instance_as_key(ctx, event)
            elif event.kind == "missing-method":
                finding = _missing_method(ctx, program, event)
                if finding is not None:
                    yield finding
            elif event.kind == "collections-joined":
                yield _collections_joined(ctx, event)
        yield from _unloaded(ctx, analysis.derefs)
        for record in analysis.calls:
            yield from _unmapped(ctx, program, analysis.path, record)
            yield from _unknown_keyword(ctx, program, analysis.path, record)
        yield from _write_in_validator(ctx, program, analysis)
    yield from _unloaded(ctx, [d for _key, d in sorted(program.deep_derefs.items()) if not non_production(d.path)])
    yield from _redundant_source(ctx, program)


def _name(key: str) -> str:
    return key.rsplit(":", 1)[-1]


# AL221 -------------------------------------------------------------------------------------------------
def _chained(ctx, event) -> Finding:
    model, relation, column = event.detail.split("|")
    message = (
        f"`{_name(model)}.{relation}.{column}` reads `{column}` through the relationship `{relation}` on the class: SQLAlchemy "
        f"raises AttributeError (\"Neither 'InstrumentedAttribute' object nor 'Comparator' object associated with "
        f"{_name(model)}.{relation} has an attribute '{column}'\") when the query is built — a 500 on every call"
    )
    guidance = (
        f"Join the relationship and filter on the target's column: `.join({_name(model)}.{relation}).where(<Target>.{column} == …)`, "
        f"or use `{_name(model)}.{relation}.has(<Target>.{column} == …)`."
    )
    return ctx.registry.finding("AL221", event.path, event.span, message, guidance)


# AL222 -------------------------------------------------------------------------------------------------
def _unmapped(ctx, program, path: str, record) -> Iterator[Finding]:
    node = record.node
    receiver = v.strip(record.receiver)
    if type(receiver) is v.External and receiver.name in _names(program).select_functions:
        what = "select()"
    elif type(receiver) is v.Db and receiver.stack == "sqlalchemy" and type(node.func) is ir.Attr and node.func.name == "query":
        what = "session.query()"
    else:
        return
    for arg, value in zip(node.args, record.args):
        cls = v.strip(value)
        if arg.kind != "pos" or type(cls) is not v.ClassValue or program.model_of_class(cls.path, cls.cid):
            continue
        base = _unmapped_base(program, cls)
        if not base:
            continue
        name = program.cls(cls.path, cls.cid).name
        message = (
            f"`{name}` is given to {what} but it is not a mapped model (it is a {base} class): SQLAlchemy raises "
            f"ArgumentError (\"Column expression, FROM clause, or other columns clause element expected, got <class "
            f"'{name}'>\") — the endpoint answers 500"
        )
        guidance = f"Query the ORM model and convert the rows afterwards (`{name}.model_validate(row)` / `from_orm`)."
        yield ctx.registry.finding("AL222", path, arg.value.span, message, guidance)


def _unmapped_base(program, cls: v.ClassValue, seen=None) -> str:
    """The external base that shows the class is not mapped (pydantic, marshmallow, …), or ""."""
    seen = seen if seen is not None else set()
    if (cls.path, cls.cid) in seen:
        return ""
    seen.add((cls.path, cls.cid))
    definition = program.cls(cls.path, cls.cid)
    for base in program.bases(cls.path, cls.cid):
        if type(base) is v.External:
            if base.name == _SQLMODEL and definition is not None and not any(kw.name == "table" for kw in definition.keywords):
                return "SQLModel (no table=True)"
            if base.name.startswith(_names(program).unmapped_bases):
                return base.name.split(".", 1)[0]
        elif type(base) is v.ClassValue and not program.model_of_class(base.path, base.cid):
            found = _unmapped_base(program, base, seen)
            if found:
                return found
    return ""


# AL223 -------------------------------------------------------------------------------------------------
def _unknown_keyword(ctx, program, path: str, record) -> Iterator[Finding]:
    node = record.node
    if not path.endswith(".py") or node.new:
        return
    callee = v.strip(record.receiver)
    result = v.strip(record.result)
    if type(node.func) is ir.Attr:  # models.Article(…) — not Article.create_from(…), a classmethod
        if type(callee) is not v.Module or type(result) is not v.Row:
            return
        # the attribute must be the model class itself, not a module function that returns a row
        # (``flows.signup_authenticator(…, name=…) -> Authenticator``)
        member = v.strip(program.module_member(callee.path, node.func.name))
        if type(member) not in (v.ModelClass, v.ClassValue):
            return
        model = program.schema.get(result.model)
    elif type(callee) is v.ModelClass:
        model = program.schema.get(callee.model)
    elif type(callee) is v.ClassValue:
        model = program.schema.get(program.model_of_class(callee.path, callee.cid))
    else:
        return
    if model is None or model.cid < 0 or model.stack not in ("sqlalchemy", "django"):
        return
    names = _attributes(program, model)
    if names is None:
        return
    for arg in node.args:
        if arg.kind != "kw" or arg.name in names:
            continue
        error = (f"TypeError: '{arg.name}' is an invalid keyword argument for {model.name}" if model.stack == "sqlalchemy"
                 else f"TypeError: {model.name}() got unexpected keyword arguments: '{arg.name}'")
        columns = sorted(model.columns | set(model.relations))
        message = (
            f"`{model.name}(…)` is given `{arg.name}=`, which is neither a column nor a relationship of {model.name}: "
            f"constructing it raises {error} — a 500 on the endpoint that creates it"
        )
        guidance = f"Use one of the model's attributes ({', '.join(columns[:8])}{', …' if len(columns) > 8 else ''}), or add the column to the model."
        yield ctx.registry.finding("AL223", path, arg.value.span, message, guidance)


def _attributes(program, model) -> set | None:
    """Every name the model's constructor accepts, or None when that is not known for sure
    (a base the model does not see, a custom ``__init__``, backrefs declared elsewhere)."""
    names: set = set(model.columns) | set(model.relations) | {"id", "pk"}
    if _has_backrefs(program):
        return None
    for path, cid in program.subclass_chain(model.path, model.cid):
        cls = program.cls(path, cid)
        if cls is None:
            return None
        for base in program.bases(path, cid):
            if type(base) is v.External:
                if model.stack == "sqlalchemy" and not (base.name.startswith("sqlalchemy.") or base.name.endswith("SQLAlchemy().Model")
                                                         or base.name == _SQLMODEL):
                    return None
                if model.stack == "django" and not base.name.startswith("django.db.models"):
                    return None
            elif type(base) is not v.ClassValue:
                return None
        names.update(member.name for member in cls.fields)
        for fid in cls.methods:
            function = program.function(path, fid)
            if function is None or function.name == "__init__":
                return None
            names.add(function.name)
    return names


def _has_backrefs(program) -> bool:
    found = getattr(program, "_archlint_backrefs", None)
    if found is None:
        found = False
        for key, model in program.schema.models.items():
            if model.stack != "sqlalchemy" or model.cid < 0:
                continue
            cls = program.cls(model.path, model.cid)
            for member in cls.fields if cls is not None else ():
                call = member.value
                if type(call) is ir.Call and call.arg(keyword="backref") is not None:
                    found = True
        program._archlint_backrefs = found
    return found


# AL224 -------------------------------------------------------------------------------------------------
def _manager(ctx, event) -> Finding:
    model = _name(event.detail) if event.detail else "the model"
    message = (
        f"A Django manager of {model} is iterated (or measured) as if it were a list: managers are not iterable — "
        f"Django raises TypeError (\"'ManyRelatedManager' object is not iterable\" / \"object of type "
        f"'RelatedManager' has no len()\") — a 500"
    )
    guidance = "Call `.all()` first (`for tag in article.tags.all()`), or `.count()` / `.exists()` to measure it."
    return ctx.registry.finding("AL224", event.path, event.span, message, guidance)


# AL225 -------------------------------------------------------------------------------------------------
def _redundant_source(ctx, program) -> Iterator[Finding]:
    for path in sorted(program.modules):
        module = program.modules[path]
        if module.language != "python" or non_production(path):
            continue
        for cls in module.classes:
            if not is_serializer(program, v.ClassValue(path, cls.cid)):
                continue
            for member in cls.fields:
                call = member.value
                if type(call) is not ir.Call:
                    continue
                source = call.arg(keyword="source")
                if type(source) is ir.Const and source.value == member.name:
                    field = call.short_name or "Field"
                    message = (
                        f"`{member.name}` declares `source='{member.name}'`, its own name: DRF raises AssertionError (\"It is "
                        f"redundant to specify `source='{member.name}'` on field '{field}' in serializer '{cls.name}', because "
                        f"it is the same as the field name\") the first time the serializer is used — every endpoint using "
                        f"{cls.name} answers 500"
                    )
                    yield ctx.registry.finding("AL225", path, source.span, message, "Remove the `source=` argument.")


# AL226 -------------------------------------------------------------------------------------------------
def _write_in_validator(ctx, program, analysis) -> Iterator[Finding]:
    function = analysis.function
    if not analysis.fid or function.cls < 0 or not analysis.path.endswith(".py"):
        return
    hooks = program.library.view("checks.orm_semantics", _known)
    cls = v.ClassValue(analysis.path, function.cls)
    is_hook = False
    if function.name in hooks.serializer_hooks or function.name.startswith(hooks.serializer_hook_prefixes):
        is_hook = is_serializer(program, cls)  # validate(attrs) / validate_<field>(value) / to_internal_value(data)
    if not is_hook and function.name in hooks.field_hooks:
        is_hook = derives_from(program, cls, hooks.field_bases)  # a custom RelatedField's to_internal_value(data)
    for decorator in function.decorators:
        name = program.static_name(analysis.path, decorator.func if type(decorator) is ir.Call else decorator)
        if name.rsplit(".", 1)[-1] in hooks.validator_decorators and name.startswith(hooks.validator_modules):
            is_hook = True
    if not is_hook:
        return
    for effect in analysis.summary.effects:
        if effect.op != "write" or once_per_process(ctx, effect.path, effect.span):
            continue  # a singleton row created on first use (`if DEFAULT is None: … .save()`): not per validation
        what = f"`{effect.method}`" + (f" on {_name(effect.model)}" if effect.model else "")
        message = (
            f"`{function.name}` is a validation hook and writes to the database ({what}): validation runs before the request "
            f"is accepted (and again on every `is_valid()`), so a request rejected by a later check still leaves the row "
            f"written, and validating twice writes twice"
        )
        guidance = "Validate only in the hook; do the write in `create()`/`save()`/the service after validation passed."
        trace = tuple(TraceStep(p, s.line, s.column, f"calls `{label}`") for p, s, label in effect.trace)
        yield ctx.registry.finding("AL226", effect.path if not effect.trace else effect.trace[0][0],
                                   effect.span if not effect.trace else effect.trace[0][1], message, guidance, trace)
        return


# AL227 -------------------------------------------------------------------------------------------------
def _missing_mixin(ctx, event) -> Finding:
    model, method, associations = event.detail.split("|")
    names = ", ".join(f"`{a}`" for a in associations.split(",") if a)
    message = (
        f"`{method}()` is not a method of {_name(model)} rows: Sequelize generates association methods from each "
        f"association's alias ({names}) in singular and plural, and none is named like this — it raises "
        f"TypeError (\"{method} is not a function\"), a 500"
    )
    guidance = f"Call the mixin of the alias you declared (for `as: 'followings'`: addFollowing/removeFollowing/getFollowings), or declare the association."
    return ctx.registry.finding("AL227", event.path, event.span, message, guidance)


# AL228 -------------------------------------------------------------------------------------------------


def _instance_as_key(ctx, event) -> Finding:
    stack, key, model, method = event.detail.split("|")
    outcome = {
        "sequelize": "Sequelize compares the column with the object and matches no row (the request silently finds nothing)",
        "prisma": "Prisma rejects it (\"Argument `%s`: Invalid value provided. Expected Int, provided Object\") — a 500" % key,
    }.get(stack, "the database compares the column with '[object Object]' and matches no row")
    if method in _names(ctx.program).write_methods:
        outcome = ("the write gets an object where the foreign key's integer belongs: the ORM or the driver rejects it "
                   "(a 500), or the column stores no valid key and the row is orphaned")
    message = f"`{key}` is given a {_name(model)} row, not its id, in `{method}`: {outcome}"
    guidance = f"Pass the key: `{key}: {_name(model).lower()}.id`."
    return ctx.registry.finding("AL228", event.path, event.span, message, guidance)


# AL229 -------------------------------------------------------------------------------------------------
def _unloaded(ctx, derefs) -> Iterator[Finding]:
    seen: set = set()
    for deref in derefs:
        if ":unloaded:" not in deref.origin:
            continue
        path, line, column, rest = deref.origin.split(":", 3)
        relation = rest.split(":", 1)[1]
        key = (path, line, column)
        if key in seen:
            continue
        seen.add(key)
        stack = ctx.program.schema.models.get(deref.model).stack if deref.model in ctx.program.schema.models else ""
        if stack == "prisma":
            message = (
                f"`{deref.name}` is the relation `{relation}` of a row whose Prisma query did not `include` or `select` it: "
                f"Prisma returns only scalar fields, so it is undefined and reading through it raises TypeError "
                f"(\"Cannot read properties of undefined\") — a 500"
            )
            guidance = (f"Load it with the row: `include: {{ {relation}: true }}` (or `select: {{ {relation}: {{ select: {{ … }} }} }}`) "
                        f"in the query that returns it.")
            yield ctx.registry.finding("AL229", deref.path, deref.span, message, guidance)
            continue
        if stack == "objection":
            message = (
                f"`{deref.name}` is the relation `{relation}` of a row whose Objection query did not fetch it: Objection "
                f"loads a relation only when asked, so it is undefined and reading through it raises TypeError "
                f"(\"Cannot read properties of undefined\") — a 500"
            )
            guidance = (f"Fetch it with the rows: `.withGraphFetched('{relation}')` on the query (or "
                        f"`await Model.fetchGraph(rows, '{relation}')`), not `$relatedQuery` per row.")
            yield ctx.registry.finding("AL229", deref.path, deref.span, message, guidance)
            continue
        stack_hint = "`include: [{ model: …, as: '%s' }]`" % relation if deref.path.endswith((".js", ".ts", ".mjs", ".cjs")) else ""
        message = (
            f"`{deref.name}` is the association `{relation}` of a row whose query did not load it: Sequelize and TypeORM "
            f"leave it undefined, so reading through it raises TypeError (\"Cannot read properties of undefined\") — a 500"
        )
        guidance = (f"Load it with the row: {stack_hint or 'the query'} (Sequelize) / `relations: ['{relation}']` (TypeORM), "
                    f"or fetch it (`await row.get{relation[:1].upper() + relation[1:]}()`).")
        yield ctx.registry.finding("AL229", deref.path, deref.span, message, guidance)


# AL230 -------------------------------------------------------------------------------------------------
def _missing_method(ctx, program, event) -> Finding | None:
    path, cid, method = event.detail.split("|")
    if program.set_by_setattr(path, int(cid), method):
        # `setattr(style, role, func)` (Django's make_style): judged once every analysis ran, so the
        # verdict does not depend on whether the setattr's function was analysed before the call's
        return None
    cls = program.cls(path, int(cid))
    name = cls.name if cls is not None else "the class"
    methods = sorted({program.function(p, f).name for p, c in program.subclass_chain(path, int(cid))
                      for f in (program.cls(p, c).methods if program.cls(p, c) is not None else ())
                      if program.function(p, f) is not None and not program.function(p, f).name.startswith("_")})
    python = event.path.endswith(".py")
    error = (f"AttributeError: '{name}' object has no attribute '{method}'" if python
             else f"TypeError: this.….{method} is not a function")
    message = (
        f"`{method}()` is called on a {name} ({path}), which defines no such method (nor do its bases): the call raises "
        f"{error} — a 500 on every request that reaches it"
    )
    known = ", ".join(f"`{m}`" for m in methods[:8]) + (", …" if len(methods) > 8 else "")
    guidance = f"Call a method {name} has ({known or 'none'}), or add `{method}` to {name}."
    return ctx.registry.finding("AL230", event.path, event.span, message, guidance)


# AL231 -------------------------------------------------------------------------------------------------
_SEPARATE = {
    "sqlalchemy": "load collections with `selectinload()` (one extra query each) and keep `joinedload()` for many-to-one",
    "typeorm": "pass `relationLoadStrategy: 'query'` (a query per relation) or load one collection separately",
}


def _collections_joined(ctx, event) -> Finding:
    stack, model, names = event.detail.split("|")
    relations = ", ".join(f"`{n}`" for n in names.split(","))
    # SQLAlchemy wraps a LIMIT/OFFSET query with joined-eager collections in a subquery, so its pages stay right:
    # only the row product is the cost there (RealWorld fastapi app of adr1enbe4udou1n, s57)
    paging = ("" if stack == "sqlalchemy" else
              f" and LIMIT/OFFSET pages count joined rows instead of {_name(model)} rows")
    message = (
        f"The {_name(model)} query joins the collections {relations} into one SQL statement: the database returns one row per "
        f"combination (an article with 20 comments and 5 tags comes back as 100 rows), so the result grows multiplicatively"
        f"{paging}"
    )
    return ctx.registry.finding("AL231", event.path, event.span, message, _SEPARATE.get(stack, "Load the collections in separate queries.") + ".")
