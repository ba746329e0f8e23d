"""Layer rules for layouts that are not layered with confidence: AL109 a model, repository or
service importing the presentation layer, AL110 a model or repository reading the request context.

Most real backends have no four role directories: a Django app keeps ``models.py``, ``views.py`` and
``serializers.py`` side by side, a feature folder holds ``articles/{routes,service,model}.py``, a
NestJS module ``articles.controller.ts`` next to ``article.entity.ts``, and a plain app keeps its
handlers in ``api/`` or ``routes/``.  The full Clean Architecture contract (AL101–AL103) applies only
where a layout is layered with confidence (``rules/presets/clean.toml``); these two rules judge the
dependencies that are wrong in *any* layered design, between files whose role their names state
(``rules/knowledge/roles.toml``): the domain and data code must never depend on the code that serves
HTTP.  Where a file's role cannot be told from its name, nothing is reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain.context import CheckContext
from archlint.domain.facts import DEFERRED, DYNAMIC, LAZY, RUNTIME
from archlint.domain.findings import Finding
from archlint.domain.knowledge import module_matches
from archlint.domain.layers import file_stem, non_production

_KINDS = frozenset({RUNTIME, LAZY, DYNAMIC, DEFERRED})
_LOWER = ("models", "repositories")  # roles that must know nothing of HTTP
_SERVICE_WORDS = ("services", "service", "usecases", "use_cases")


def check(ctx: CheckContext) -> Iterator[Finding]:
    roles = ctx.knowledge.roles
    if not roles or "presentation" not in roles:
        return
    for path in sorted(ctx.files):
        if non_production(path) or _layered(ctx, path):
            continue
        role = role_of(roles, path)
        if role is None or (role == "models" and not _declares_types(ctx, path)):
            continue
        yield from _presentation_imports(ctx, roles, path, role)
        if role in _LOWER and path.endswith(".py"):
            yield from _request_context(ctx, roles, path, role)


_HELPER_DIRECTORIES = frozenset({"utils", "util", "helpers", "helper"})


def _declares_types(ctx: CheckContext, path: str) -> bool:
    """Whether a file named for models is the model layer.  Not a class-less module among helpers:
    open-webui's ``utils/models.py`` holds functions that list the LLM models a user may call —
    helpers *about* models, named for what they help with, not the data model."""
    facts = ctx.files[path]
    # the directory first: reading `classes` loads the file's body, which a layers-only run never
    # needs for a models.py outside utils/ (105 bodies extracted on the saleor-sized tree)
    return not facts.parsed or not set(path.lower().split("/")[:-1]) & _HELPER_DIRECTORIES or bool(facts.classes)


def _layered(ctx: CheckContext, path: str) -> bool:
    """A file the Clean Architecture contract already judges (AL101–AL103)."""
    return ctx.architecture is not None and ctx.layer(path) is not None


def _words(stem: str) -> set[str]:
    """``articles.controller`` -> {articles.controller, controller}; ``user_repository`` -> {…, repository};
    ``OfferBookshelfRepository`` -> {…, repository} (the last CamelCase word)."""
    lowered = stem.lower()
    found = {lowered}
    for separator in (".", "_", "-"):
        if separator in lowered:
            found.add(lowered.rsplit(separator, 1)[1])
    last = stem.rsplit(".", 1)[-1]
    start = next((i for i in range(len(last) - 1, 0, -1) if last[i].isupper() and last[i - 1].islower()), 0)
    if start:
        found.add(last[start:].lower())
    return found


def role_of(roles: dict, path: str) -> str | None:
    """The role a file's name states: presentation, models, repositories or services; None when
    its name says nothing (or it is a neutral data-shape module such as ``api/schemas.py``)."""
    parts = path.lower().split("/")
    directories, stem = parts[:-1], file_stem(parts[-1])
    words = _words(file_stem(path.rsplit("/", 1)[-1]))  # the name as written: CamelCase tells its words
    presentation = roles["presentation"]
    for name in ("repositories", "models"):
        if words & set(roles[name]["files"]):
            # `admin/views/generic/models.py`, `viewsets/model.py`: views *for* models — name and place disagree
            return None if set(directories) & set(presentation["directories"]) else name
    if words & set(presentation["files"]):
        return "presentation"
    if words & set(_SERVICE_WORDS):
        return "services"
    if stem in presentation.get("neutral", ()):
        return None
    for directory in reversed(directories):  # the nearest directory with a role decides
        if directory in presentation["directories"]:
            return "presentation"
        for name in ("repositories", "models"):
            if directory in roles[name]["directories"]:
                return name
        if directory in _SERVICE_WORDS:
            return "services"
    return None


def _role_directory(roles: dict, path: str) -> str:
    """The directory prefix (``src/app/routes/``) that gives a presentation file its role when its
    own name states none; ``""`` when the name does."""
    parts = path.lower().split("/")
    directories = parts[:-1]
    if _words(file_stem(path.rsplit("/", 1)[-1])) & set(roles["presentation"]["files"]):
        return ""
    for index in range(len(directories) - 1, -1, -1):
        if directories[index] in roles["presentation"]["directories"]:
            return "/".join(directories[: index + 1]) + "/"
    return ""


# AL109 -------------------------------------------------------------------------------------------------
def _presentation_imports(ctx: CheckContext, roles: dict, path: str, role: str) -> Iterator[Finding]:
    if role == "presentation":
        return
    seen: set = set()
    for edge in ctx.graph.out_edges(path):
        if edge.external or edge.kind not in _KINDS or edge.target == path or edge.target in seen:
            continue
        if role_of(roles, edge.target) != "presentation" or non_production(edge.target):
            continue
        container = _role_directory(roles, edge.target)
        if container and path.lower().startswith(container) and not _imports_web_server(ctx, edge.target):
            # `routes/article/article.service.ts` importing `routes/article/article.mapper.ts`: the
            # directory that made the target presentation holds the importer too — a feature
            # container (gothinkster's Prisma Conduit keeps services, mappers and controllers
            # under `routes/<feature>/`) — and the target serves no HTTP itself (no web framework)
            continue
        if not _serves_http(ctx, roles, edge.target):
            continue
        seen.add(edge.target)
        what = {"models": "model/domain", "repositories": "data-access", "services": "service"}[role]
        message = (
            f"{what} module imports `{edge.target}`, which serves HTTP (routes/views/controllers): the {role} now depend on "
            f"the presentation layer — they cannot be used without the web framework, the import pulls route "
            f"registration into every caller, and the two halves import each other into a cycle as soon as the "
            f"handler imports this module"
        )
        guidance = (
            f"Move what `{path}` needs from `{edge.target}` into the {role} (or a shared module such as schemas/"
            f"exceptions), or pass it in as a parameter; only the presentation layer imports the layers below it."
        )
        yield ctx.registry.finding("AL109", path, edge.span, message, guidance)


def _serves_http(ctx: CheckContext, roles: dict, path: str) -> bool:
    """A name that also means something else (``router.py``: Django's and Tortoise's *database*
    routers) is presentation only when the file imports a web framework's server modules."""
    if not _words(file_stem(path.rsplit("/", 1)[-1])) & set(roles["presentation"].get("ambiguous", ())):
        return True
    return _imports_web_server(ctx, path)


def _imports_web_server(ctx: CheckContext, path: str) -> bool:
    facts = ctx.files.get(path)
    server = ctx.knowledge.groups()["@web-frameworks-server"]
    return facts is not None and any(module_matches(record.module, module) for record in facts.imports for module in server)


# AL110 -------------------------------------------------------------------------------------------------
def _request_context(ctx: CheckContext, roles: dict, path: str, role: str) -> Iterator[Finding]:
    context = set(roles.get("request-context", {}).get("python", ()))
    facts = ctx.files[path]
    for record in facts.imports:
        module = record.module
        names = [f"{module}.{name}" for name in record.names] if record.names else [module]
        for full in names:
            if full in context:
                what = "model/domain" if role == "models" else "data-access"
                message = (
                    f"{what} module imports `{full}`, the current request's context: the {role} now read state of "
                    f"the HTTP request they happen to run in — they fail outside a request (\"Working outside of "
                    f"request context\" in a CLI, a job or a test) and hide an input the caller cannot see"
                )
                guidance = (
                    "Let the route read the request and pass the values (the current user, the parsed body) into "
                    "the service and down to the model as parameters."
                )
                yield ctx.registry.finding("AL110", path, record.span, message, guidance)
