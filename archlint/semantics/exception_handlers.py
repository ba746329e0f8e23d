"""Application-level exception handlers: what a project registers that answers an error a view let
out, recorded once per program (:meth:`Program.exception_handlers`) for the rules that ask whether an
uncaught error becomes a 500 (AL234) or whether a unique violation is answered app-wide (AL310).

Each :class:`Handler` says what kind of handler it is, which exception classes it is for (their short
names, as the handler names them; a status code such as ``errorhandler(404)`` is kept as ``"404"``,
it catches no exception class) and where it is:

* ``registration`` — Flask ``@app.errorhandler(NoResultFound)`` / ``register_error_handler``, a
  blueprint's ``app_errorhandler``, FastAPI / Starlette / django-ninja ``exception_handler`` /
  ``add_exception_handler``, Sanic ``@app.exception(…)``: for the classes of its first argument (one
  registered on a django-ninja ``NinjaAPI`` answers for ninja's operations only: ``scope`` ``ninja``);
* ``hook`` — a class method every view's error reaches: a Django middleware's ``process_exception``,
  a Flask-RESTful ``Api.handle_error`` override: for every error;
* ``setting`` — DRF's ``REST_FRAMEWORK = {"EXCEPTION_HANDLER": …}``: for every error of DRF's views
  (``scope`` ``drf``: a plain Django view's error never reaches it);
* ``middleware`` — a ``try`` in an HTTP middleware (aiohttp ``@web.middleware``, FastAPI
  ``@app.middleware("http")``, a Starlette ``BaseHTTPMiddleware.dispatch``, a Django middleware class
  listed in ``MIDDLEWARE`` or based on ``MiddlewareMixin``) whose handler does not re-raise: for the
  classes it catches (``BaseException`` for a bare ``except:``);
* ``view`` — a view class's own hook (DRF ``APIView.handle_exception``): for every error of its views
  and its subclasses' (``cls`` is the class).

The names are data: the ``[[names]]`` table with ``reader = "exception_handlers"`` of
``rules/knowledge/frameworks.toml``.
"""

from __future__ import annotations

from typing import NamedTuple

from archlint.domain import ir
from archlint.domain.datalayer import non_production
from archlint.semantics import values as v

ANY = "*"  # the handler sees every error (a hook, a settings handler)


class Known(NamedTuple):
    """The library names this module reads (explained in ``rules/knowledge/frameworks.toml``)."""

    registrations: frozenset
    decorator_registrations: frozenset
    hook_methods: frozenset
    view_hooks: frozenset
    settings_keys: frozenset
    middleware_decorators: frozenset
    middleware_methods: frozenset
    middleware_bases: frozenset
    middleware_settings: tuple
    middleware_entries: frozenset
    drf_modules: tuple
    ninja_modules: tuple
    request_methods: frozenset  # read by AL234 (checks/missing_rows.py): what a routed view class serves
    request_hooks: frozenset
    action_decorators: frozenset


def _known(table: dict) -> Known:
    return Known(middleware_settings=tuple(table["middleware_settings"]), drf_modules=tuple(table["drf_modules"]),
                 ninja_modules=tuple(table["ninja_modules"]),
                 **{key: frozenset(table[key]) for key in (
                     "registrations", "decorator_registrations", "hook_methods", "view_hooks", "settings_keys",
                     "middleware_decorators", "middleware_methods", "middleware_bases", "middleware_entries",
                     "request_methods", "request_hooks", "action_decorators")})


def known(program) -> Known:
    return program.library.view("exception_handlers", _known)


class Handler(NamedTuple):
    kind: str  # registration | hook | setting | middleware | view
    exceptions: tuple  # short names of the exception classes it is for; (ANY,) for every error
    path: str
    line: int
    cls: int = -1  # the class of a view hook
    scope: str = ""  # the views it answers for: "" every view; "drf" DRF's views (EXCEPTION_HANDLER); "ninja" django-ninja's
    function: int = -1  # the fid of the function a decorator registers (its body may tell errors apart), else -1


def collect(program) -> tuple:
    """Every application-level handler of the program's production Python modules, in file order."""
    names = known(program)
    middleware_classes = _settings_middleware(program, names)
    found: list[Handler] = []
    for path in sorted(program.modules):
        module = program.modules[path]
        if module.language != "python" or non_production(path):
            continue
        for function in module.functions:
            line = function.span.line
            if function.cls >= 0 and function.name in names.hook_methods:
                found.append(Handler("hook", (ANY,), path, line))
            if function.cls >= 0 and function.name in names.view_hooks:
                found.append(Handler("view", (ANY,), path, line, function.cls))
            for decorator in function.decorators:
                if type(decorator) is ir.Call and decorator.method in names.registrations | names.decorator_registrations:
                    found.append(Handler("registration", _first_argument_names(decorator), path, decorator.span.line,
                                         scope=_receiver_scope(program, names, path, decorator, function),
                                         function=function.fid))
            middleware = _middleware_function(program, names, path, function, middleware_classes)
            for node in ir.iter_nodes(function.body):
                kind = type(node)
                if kind is ir.Call and node.method in names.registrations:
                    found.append(Handler("registration", _first_argument_names(node), path, node.span.line,
                                         scope=_receiver_scope(program, names, path, node, function)))
                elif kind is ir.Entry and node.key in names.settings_keys or kind is ir.Const and node.value in names.settings_keys:
                    found.append(Handler("setting", (ANY,), path, node.span.line if kind is ir.Const else line, scope="drf"))
                elif middleware and kind is ir.Try:
                    for handler in node.handlers:
                        if not reraises(handler):
                            found.append(Handler("middleware", _type_names(handler.types), path, node.span.line))
    return tuple(found)


def _receiver_scope(program, names: Known, path: str, call: ir.Call, function: ir.Function) -> str:
    """``api.exception_handler(…)`` on a django-ninja ``NinjaAPI`` (a module's, or a parameter annotated
    ``api: NinjaAPI`` of the function registering it): it answers for ninja's operations only."""
    func = call.func
    if type(func) is not ir.Attr:
        return ""
    receiver = v.strip(program.static_value(path, func.obj))
    if type(receiver) is not v.External and type(func.obj) is ir.Name:
        receiver = _annotated_parameter(program, path, function, func.obj.id)
    if type(receiver) is v.External and receiver.name.startswith(names.ninja_modules):
        return "ninja"
    return ""


def _annotated_parameter(program, path: str, function: ir.Function, name: str):
    """The class a parameter ``name`` of the function (or of a function enclosing it) is annotated with."""
    module = program.modules[path]
    current, depth = function, 0
    while current is not None and depth < 5:
        for param in current.params:
            if param.name == name:
                return v.strip(program.static_value(path, param.annotation)) if param.annotation is not None else v.UNKNOWN
        current = module.functions[current.parent] if 0 < current.parent < len(module.functions) else None
        depth += 1
    return v.UNKNOWN


def answers_for(program, handler: Handler, path: str, function: ir.Function) -> bool:
    """The handler's scope holds the view ``function`` (``""``: every view; ``drf``: a method of a DRF view
    class or an ``@api_view`` function; ``ninja``: a django-ninja operation)."""
    if not handler.scope:
        return True
    names = known(program)
    prefixes = names.drf_modules if handler.scope == "drf" else names.ninja_modules
    for decorator in function.decorators:
        func = decorator.func if type(decorator) is ir.Call else decorator
        if program.static_name(path, func).startswith(prefixes):
            return True  # @api_view([...]) / @api.get("/…") / @router.post(…)
        if type(func) is ir.Attr:
            receiver = v.strip(program.static_value(path, func.obj))
            if type(receiver) is v.External and receiver.name.startswith(prefixes):
                return True
    if function.cls < 0:
        return False
    return any(type(base) is v.External and base.name.startswith(prefixes)
               for link in program.subclass_chain(path, function.cls) for base in program.bases(*link))


def _first_argument_names(call: ir.Call) -> tuple:
    """``errorhandler(NoResultFound)`` / ``exception_handler((A, B))`` / ``errorhandler(404)``: what its first argument names."""
    if not call.args:
        return ()
    first = call.args[0].value
    items = first.elts if type(first) is ir.Seq else (first,)
    return tuple(name for t in items for name in (short_name(t),) if name)


def _type_names(types) -> tuple:
    if types is None:
        return ("BaseException",)  # a bare `except:`
    items = types.elts if type(types) is ir.Seq else (types,)
    return tuple(name for t in items for name in (short_name(t),) if name)


def short_name(node) -> str:
    """The last name of ``app.errorhandler`` / ``NoResultFound`` (a status code as its digits)."""
    kind = type(node)
    if kind is ir.Name:
        return node.id
    if kind is ir.Attr:
        return node.name
    if kind is ir.Const and type(node.value) is int:
        return str(node.value)
    return ""


def reraises(handler: ir.Handler) -> bool:
    """``except X: log(…); raise`` / ``raise e``: the error still leaves the function."""
    last = handler.body[-1] if handler.body else None
    return type(last) is ir.Raise and (last.value is None or type(last.value) is ir.Name and last.value.id == handler.name)


def _middleware_function(program, names: Known, path: str, function: ir.Function, classes: set) -> bool:
    """A function that wraps every request: decorated as a middleware (aiohttp ``@web.middleware``,
    FastAPI/Starlette ``@app.middleware("http")`` on an application), or the ``dispatch`` / ``__call__``
    of a middleware class (based on a framework's middleware class, or listed in Django's ``MIDDLEWARE``)."""
    for decorator in function.decorators:
        func = decorator.func if type(decorator) is ir.Call else decorator
        if program.static_name(path, func) in names.middleware_decorators:
            return True
        if type(func) is ir.Attr and func.name in names.middleware_methods and _application(program, path, func.obj):
            return True
    if function.cls < 0 or function.name not in names.middleware_entries:
        return False
    for link in program.subclass_chain(path, function.cls):
        if link in classes or any(type(base) is v.External and base.name in names.middleware_bases for base in program.bases(*link)):
            return True
    return False


def _application(program, path: str, node) -> bool:
    """``app`` of ``@app.middleware("http")``: an application a framework's constructor built."""
    value = v.strip(program.static_value(path, node))
    if type(value) is v.App:
        return True
    return type(value) is v.External and bool(program.library.app(value.name))


def _settings_middleware(program, names: Known) -> set:
    """(path, cid) of the project classes Django's ``MIDDLEWARE`` setting lists (in any settings module)."""
    from archlint.semantics import django_settings

    found: set = set()
    for path in sorted(program.graph.modules):
        if not (path.endswith(".py") and (path.rsplit("/", 1)[-1] == "settings.py" or "/settings/" in f"/{path}")):
            continue
        if path not in program.modules:
            continue
        settings = django_settings.read(program, path)
        for key in names.middleware_settings:
            setting = settings.get(key)
            if setting is None or not isinstance(setting.value, tuple):
                continue
            for dotted in setting.value:
                if isinstance(dotted, str):
                    value = v.strip(program.import_string(path, dotted))
                    if type(value) is v.ClassValue:
                        found.add((value.path, value.cid))
    return found


def covers(handler: Handler, errors: frozenset) -> bool:
    """The handler may answer an error whose class (or a base of it) is one of ``errors`` (short names)."""
    return ANY in handler.exceptions or any(name in errors for name in handler.exceptions)
