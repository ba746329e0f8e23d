"""Read an OpenAPI (3.x) or Swagger (2.0) spec into an :class:`~archlint.domain.contract.ApiSpec`.

JSON or YAML (told apart by content), local ``$ref``s only (``#/components/parameters/slug``): a
reference to another file or a URL is left unresolved, never fetched.  A spec that cannot be read
or is not an API description is a :class:`ConfigError` (one line on stderr, exit 2), like a bad config.
"""

from __future__ import annotations

import hashlib
import json
import re

from archlint.domain.config import ConfigError
from archlint.domain.contract import AUTH_NONE, AUTH_OPTIONAL, AUTH_REQUIRED, ApiSpec, Operation, Parameter, SecurityScheme

MAX_SPEC_BYTES = 8 * 1024 * 1024
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_KNOWN_PREFIXES = ("Token", "Bearer", "JWT", "Basic")
# "Token xxxxxx.yyyyyyy.zzzzzz", "Bearer <jwt>", "`Token {token}`", "prefix the token with 'Token '"
_EXAMPLE = re.compile(r"(?<![\w-])([A-Z][A-Za-z]{1,15}) +(?:x{3,}[\w.]*|<[^>\s]+>|\{[^}\s]+\}|eyJ[\w.-]*|\$\{?\w+\}?)")
_QUOTED = re.compile(r"""prefix(?:ed)?\b[^'"`]{0,40}['"`]([A-Z][A-Za-z]{1,15}) ?['"`]""", re.IGNORECASE)


def load_spec(path: str, display: str | None = None) -> ApiSpec:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_SPEC_BYTES + 1)
    except FileNotFoundError as exc:
        raise ConfigError(f"OpenAPI spec not found: {path}") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read OpenAPI spec {path}: {exc}") from exc
    if len(raw) > MAX_SPEC_BYTES:
        raise ConfigError(f"OpenAPI spec {path} is larger than {MAX_SPEC_BYTES // (1024 * 1024)} MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"OpenAPI spec {path} is not UTF-8") from exc
    data, lines = _parse(text, path)
    return build_spec(data, display or path, lines, hashlib.blake2b(raw, digest_size=16).hexdigest())


def _parse(text: str, path: str):
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text), _json_lines(text)
        except ValueError as exc:
            raise ConfigError(f"OpenAPI spec {path} is not valid JSON: {exc}") from exc
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ConfigError(f"OpenAPI spec {path} is not valid YAML{where}") from exc
    return data, _yaml_lines(text)


def _yaml_lines(text: str) -> dict:
    """(path, method) -> line of the operation's key, from the YAML node tree."""
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    found: dict = {}
    if not isinstance(root, yaml.MappingNode):
        return found
    for key, value in root.value:
        if key.value != "paths" or not isinstance(value, yaml.MappingNode):
            continue
        for path_key, item in value.value:
            if not isinstance(item, yaml.MappingNode):
                continue
            for method_key, _operation in item.value:
                found[(str(path_key.value), str(method_key.value).lower())] = method_key.start_mark.line + 1
    return found


def _json_lines(text: str) -> dict:
    """Best effort for JSON: the line of each ``"<method>":`` key after its path key."""
    found: dict = {}
    current = None
    for number, line in enumerate(text.splitlines(), 1):
        match = re.match(r'\s*"(/[^"]*)"\s*:', line)
        if match:
            current = match.group(1)
            continue
        match = re.match(r'\s*"(get|put|post|delete|options|head|patch|trace)"\s*:', line, re.IGNORECASE)
        if match and current is not None:
            found.setdefault((current, match.group(1).lower()), number)
    return found


def build_spec(data, source: str, lines: dict | None = None, digest: str = "") -> ApiSpec:
    if not isinstance(data, dict) or not isinstance(data.get("paths"), dict) or not ("openapi" in data or "swagger" in data):
        raise ConfigError(f"{source} is not an OpenAPI/Swagger document (no 'openapi'/'swagger' version and 'paths')")
    resolver = _Resolver(data)
    lines = lines or {}
    base = _base_path(data)
    schemes = _schemes(data, resolver)
    default_security = data.get("security")
    operations: list[Operation] = []
    for raw_path, item in data["paths"].items():
        item = resolver.deref(item)
        if not isinstance(raw_path, str) or not isinstance(item, dict):
            continue
        shared = _parameters(item.get("parameters"), resolver)
        for method in _METHODS:
            operation = resolver.deref(item.get(method))
            if not isinstance(operation, dict):
                continue
            own = _parameters(operation.get("parameters"), resolver)
            merged = {(p.name, p.location): p for p in shared}
            merged.update({(p.name, p.location): p for p in own})
            security = operation.get("security", default_security)
            auth, used = _auth(security)
            operations.append(Operation(
                method.upper(), _join(base, raw_path), auth, used, tuple(merged.values()),
                lines.get((raw_path, method), 0), str(operation.get("operationId") or ""),
            ))
    return ApiSpec(source, operations, schemes, digest)


def _base_path(data: dict) -> str:
    """The path part of the first server URL (``https://api.realworld.io/api`` → ``/api``), or
    Swagger 2's ``basePath``: the spec's paths are relative to it."""
    if isinstance(data.get("basePath"), str):
        return data["basePath"]
    servers = data.get("servers")
    if isinstance(servers, list) and servers and isinstance(servers[0], dict) and isinstance(servers[0].get("url"), str):
        url = servers[0]["url"]
        url = re.sub(r"\{[^}]*\}", "", url)  # server variables ({scheme}://{host}) have no path part
        match = re.match(r"^(?:[a-zA-Z][\w+.-]*:)?//[^/]*(/.*)?$", url)
        path = (match.group(1) or "") if match else url
        return path if path.startswith("/") else ""
    return ""


def _join(base: str, path: str) -> str:
    joined = base.rstrip("/") + "/" + path.lstrip("/")
    return joined if joined.startswith("/") else "/" + joined


def _auth(security) -> tuple[str, tuple[str, ...]]:
    if not isinstance(security, list) or not security:
        return AUTH_NONE, ()
    names = tuple(dict.fromkeys(str(name) for requirement in security if isinstance(requirement, dict) for name in requirement))
    anonymous = any(isinstance(requirement, dict) and not requirement for requirement in security)
    if not names:
        return AUTH_NONE, ()
    return (AUTH_OPTIONAL if anonymous else AUTH_REQUIRED), names


def _parameters(raw, resolver) -> list[Parameter]:
    found = []
    for item in raw if isinstance(raw, list) else ():
        item = resolver.deref(item)
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        schema = resolver.deref(item.get("schema")) if "schema" in item else item  # Swagger 2: type on the parameter
        kind = schema.get("type", "") if isinstance(schema, dict) else ""
        form = schema.get("format", "") if isinstance(schema, dict) else ""
        found.append(Parameter(item["name"], str(item.get("in", "")), kind if isinstance(kind, str) else "", form if isinstance(form, str) else ""))
    return found


def _schemes(data: dict, resolver) -> dict[str, SecurityScheme]:
    components = data.get("components") if isinstance(data.get("components"), dict) else {}
    raw = components.get("securitySchemes") or data.get("securityDefinitions") or {}
    found = {}
    for name, scheme in raw.items() if isinstance(raw, dict) else ():
        scheme = resolver.deref(scheme)
        if not isinstance(scheme, dict):
            continue
        kind = str(scheme.get("type", ""))
        header, prefix = "", ""
        if kind == "http":
            header = "authorization"
            prefix = str(scheme.get("scheme", "")).capitalize()
        elif kind in ("oauth2", "openIdConnect"):
            header, prefix = "authorization", "Bearer"
        elif kind == "apiKey" and scheme.get("in") == "header":
            header = str(scheme.get("name", "")).lower()
            if header == "authorization":
                prefix = _described_prefix(str(scheme.get("description", ""))) or (
                    name if name in _KNOWN_PREFIXES else "")
        elif kind == "basic":  # Swagger 2
            header, prefix = "authorization", "Basic"
        found[str(name)] = SecurityScheme(str(name), kind, header, prefix)
    return found


def _described_prefix(description: str) -> str:
    """The word an ``apiKey`` Authorization header starts with, as its description shows it
    (Conduit: "The following format must be in the 'Authorization' header: Token xxxxxx.yyyyyyy.zzzzzz")."""
    for pattern in (_QUOTED, _EXAMPLE):
        match = pattern.search(description)
        if match:
            return match.group(1)
    return ""


class _Resolver:
    """Local JSON pointers (``#/components/schemas/User``); anything else stays as written."""

    def __init__(self, root) -> None:
        self.root = root

    def deref(self, node, depth: int = 0):
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth < 16:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                return {}  # another file or a URL: not read
            target = self.root
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, dict) or part not in target:
                    return {}
                target = target[part]
            node = target
            depth += 1
        return node
