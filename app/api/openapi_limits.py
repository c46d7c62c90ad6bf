"""The limits of the API in its OpenAPI document, as security tools read it (Spectral's OWASP
API ruleset runs over it in ``tests/test_openapi_security.py``).

What a client may send is limited where it is declared (``max_length`` on fields and
parameters, ``limit()`` on text): the document shows those limits as the code checks them,
and nothing here adds one to a request. What the API answers is bounded by what it keeps,
so the answers' schemas get the bounds that hold for all of them, stated once below:

- every integer fits PostgreSQL's ``integer`` (ids, counts, years, versions), and none is
  negative;
- no text is longer than the longest text a practice keeps (its description);
- lists hold at most a page, or what the lists of a practice or a place are limited to
  (``MAX_LISTED``, applied where the list is read).

Every answer a rate limit counted carries the RateLimit headers (``app/api/rate_limits.py``),
and a browser on an origin ``INTERLOCAL_CORS_ORIGINS`` allows gets
``Access-Control-Allow-Origin``.
"""

from collections.abc import Iterator
from typing import Any

from app.catalogue.pagination import MAX_LISTED, MAX_PAGE_SIZE

INT32_MAX = 2**31 - 1

LONGEST_TEXT = 20000  # a practice's description (app.models.practices)

_COUNT = {"type": "integer", "format": "int32", "minimum": 0, "maximum": INT32_MAX}

HEADERS: dict[str, dict[str, Any]] = {
    "RateLimit-Limit": {
        "description": "Requests the current window allows this key or address.",
        "schema": _COUNT,
    },
    "RateLimit-Remaining": {
        "description": "Requests left in the current window.",
        "schema": _COUNT,
    },
    "RateLimit-Reset": {
        "description": "Seconds until the window frees requests again.",
        "schema": _COUNT,
    },
    "Access-Control-Allow-Origin": {
        "description": "Sent to a browser whose Origin is among those the host allows "
        "(`INTERLOCAL_CORS_ORIGINS`); none otherwise.",
        "schema": {"type": "string", "format": "uri", "maxLength": 2048},
    },
}

_REF = "#/components/schemas/"


def document_limits(document: dict[str, Any]) -> None:
    """Add the answers' headers and bounds to ``document`` (in place)."""
    components = document.setdefault("components", {})
    components.setdefault("headers", {}).update(HEADERS)
    requested = _request_schemas(document)
    for operation in _operations(document):
        for parameter in operation.get("parameters", []):
            _bound(parameter.get("schema", {}), answer=False)
        for response in operation.get("responses", {}).values():
            headers = response.setdefault("headers", {})
            # Every operation is under /api/v1, where every request is counted, so every
            # answer says where its client stands (the 5xx of a counted request too).
            names = ["Access-Control-Allow-Origin"]
            names += ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"]
            for name in names:
                headers.setdefault(name, {"$ref": f"#/components/headers/{name}"})
            for header in headers.values():
                if "schema" in header:
                    _bound(header["schema"], answer=True)
            for media in response.get("content", {}).values():
                _bound(media.get("schema", {}), answer=True)
    for name, schema in components.get("schemas", {}).items():
        _bound(schema, answer=name not in requested)


def _operations(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            if method in ("get", "put", "post", "patch", "delete", "head", "options"):
                yield operation


def _request_schemas(document: dict[str, Any]) -> set[str]:
    """Names of the component schemas a request may carry (bodies), with those they use."""
    schemas = document.get("components", {}).get("schemas", {})
    found: set[str] = set()
    pending = [
        ref
        for operation in _operations(document)
        for media in operation.get("requestBody", {}).get("content", {}).values()
        for ref in _refs(media.get("schema", {}))
    ]
    while pending:
        name = pending.pop()
        if name not in found and name in schemas:
            found.add(name)
            pending += list(_refs(schemas[name]))
    return found


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF):
            yield ref.removeprefix(_REF)
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _bound(node: Any, *, answer: bool) -> None:
    """Give every integer its format, and, in an answer, every integer, text and list
    the bounds above where it declares none."""
    if isinstance(node, list):
        for value in node:
            _bound(value, answer=answer)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "integer":
        node.setdefault("format", "int32")
        if answer:
            node.setdefault("minimum", 0)
            node.setdefault("maximum", INT32_MAX)
    elif kind == "string" and answer and not {"enum", "const", "maxLength"} & node.keys():
        node["maxLength"] = LONGEST_TEXT
    elif kind == "array" and answer:
        node.setdefault("maxItems", max(MAX_PAGE_SIZE, MAX_LISTED))
    for key, value in node.items():
        if key in ("properties", "additionalProperties", "items", "anyOf", "oneOf", "allOf"):
            if key == "properties":
                for child in value.values():
                    _bound(child, answer=answer)
            else:
                _bound(value, answer=answer)
