"""The API contract a backend must serve: the operations of an OpenAPI spec, as plain data.

A user passes their spec (``--openapi FILE`` or ``openapi = "…"`` in ``[tool.archlint]``); the
adapter (``adapters/openapi.py``) reads it — JSON or YAML, local ``$ref``s only, never the
network — into an :class:`ApiSpec`.  Without a spec, an app that implements the RealWorld
"Conduit" API (the benchmark's contract, benchmark.md §1.2) is held to :data:`CONDUIT`: most of
its routes already match it, so the few that do not are the bugs the study's judge saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

AUTH_REQUIRED = "required"
AUTH_OPTIONAL = "optional"  # the spec lists an empty requirement ({}) beside a scheme
AUTH_NONE = "none"  # no security requirement: anyone may call it (Conduit's "auth is optional" too)


@dataclass(frozen=True, slots=True)
class Parameter:
    """A parameter of an API operation."""
    name: str
    location: str  # path | query | header | cookie
    type: str = ""  # string | integer | number | boolean | array | object | "" (not declared)
    format: str = ""


@dataclass(frozen=True, slots=True)
class Operation:
    """An operation of the API contract: method, path, auth and parameters."""
    method: str  # GET, POST, …
    path: str  # with the server's base path: /api/articles/{slug}
    auth: str = AUTH_NONE
    schemes: tuple[str, ...] = ()  # names of the security schemes that authenticate it
    parameters: tuple[Parameter, ...] = ()
    line: int = 0  # where the spec declares it (0: unknown)
    operation_id: str = ""

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    def parameter(self, name: str, location: str = "path") -> Parameter | None:
        return next((p for p in self.parameters if p.name == name and p.location == location), None)


@dataclass(frozen=True, slots=True)
class SecurityScheme:
    """``type: http, scheme: bearer`` → prefix ``Bearer``; ``type: apiKey, in: header, name:
    Authorization`` with "Token xxxxx" in its description → prefix ``Token``."""

    name: str
    kind: str  # apiKey | http | oauth2 | openIdConnect
    header: str = ""  # the header it travels in, lower case ("authorization")
    prefix: str = ""  # the word before the credential in that header ("Token", "Bearer"); "" unknown/none


@dataclass(slots=True)
class ApiSpec:
    """The API contract: its operations and security schemes."""
    source: str  # the spec file as given (for messages), or "Conduit" for the built-in contract
    operations: list[Operation] = field(default_factory=list)
    schemes: dict[str, SecurityScheme] = field(default_factory=dict)
    digest: str = ""  # content hash (the result cache keys on it)
    builtin: bool = False  # the Conduit contract archlint assumed (no spec was given)

    def where(self, operation: Operation) -> str:
        return f"{self.source}:{operation.line}" if operation.line and not self.builtin else self.source

    def auth_prefixes(self) -> set[str]:
        """The header prefixes the authenticated operations use (``{"Token"}`` for Conduit)."""
        used = {name for op in self.operations for name in op.schemes}
        return {s.prefix for name, s in self.schemes.items() if name in used and s.prefix and s.header == "authorization"}


def _conduit() -> ApiSpec:
    """The RealWorld Conduit contract (19 operations on 12 paths, ``Authorization: Token <jwt>``),
    written from the benchmark's description (benchmark.md §1.2)."""
    slug = Parameter("slug", "path", "string")
    username = Parameter("username", "path", "string")
    comment = Parameter("id", "path", "integer")
    paging = (Parameter("limit", "query", "integer"), Parameter("offset", "query", "integer"))
    table = (
        ("POST", "/api/users/login", AUTH_NONE, ()),
        ("POST", "/api/users", AUTH_NONE, ()),
        ("GET", "/api/user", AUTH_REQUIRED, ()),
        ("PUT", "/api/user", AUTH_REQUIRED, ()),
        ("GET", "/api/profiles/{username}", AUTH_NONE, (username,)),
        ("POST", "/api/profiles/{username}/follow", AUTH_REQUIRED, (username,)),
        ("DELETE", "/api/profiles/{username}/follow", AUTH_REQUIRED, (username,)),
        ("GET", "/api/articles/feed", AUTH_REQUIRED, paging),
        ("GET", "/api/articles", AUTH_NONE, paging + (Parameter("tag", "query", "string"),
                                                     Parameter("author", "query", "string"),
                                                     Parameter("favorited", "query", "string"))),
        ("POST", "/api/articles", AUTH_REQUIRED, ()),
        ("GET", "/api/articles/{slug}", AUTH_NONE, (slug,)),
        ("PUT", "/api/articles/{slug}", AUTH_REQUIRED, (slug,)),
        ("DELETE", "/api/articles/{slug}", AUTH_REQUIRED, (slug,)),
        ("GET", "/api/articles/{slug}/comments", AUTH_NONE, (slug,)),
        ("POST", "/api/articles/{slug}/comments", AUTH_REQUIRED, (slug,)),
        ("DELETE", "/api/articles/{slug}/comments/{id}", AUTH_REQUIRED, (slug, comment)),
        ("POST", "/api/articles/{slug}/favorite", AUTH_REQUIRED, (slug,)),
        ("DELETE", "/api/articles/{slug}/favorite", AUTH_REQUIRED, (slug,)),
        ("GET", "/api/tags", AUTH_NONE, ()),
    )
    operations = [Operation(method, path, auth, ("Token",) if auth == AUTH_REQUIRED else (), params)
                  for method, path, auth, params in table]
    return ApiSpec("the RealWorld Conduit contract", operations,
                   {"Token": SecurityScheme("Token", "apiKey", "authorization", "Token")}, "conduit", builtin=True)


CONDUIT = _conduit()
# An app is held to the Conduit contract without a spec when it routes this many of its 12 paths.
CONDUIT_MIN_PATHS = 8
