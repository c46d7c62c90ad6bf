"""The rule of characters (``app.validation.unsafe_character``) applied to every request
before a route reads it, refused with a 422 that names the parameter (as a route refuses
a value it cannot take):

- the path, the query string and every string of a JSON body (keys too) hold to the rule
  in full: no control character but tab and line breaks, no direction override, no lone
  surrogate. So no query meets a NUL (PostgreSQL refuses it: a search, a slug or a member's
  organisation with one was a 500), no answer has to echo a lone surrogate (which cannot be
  encoded), and every text field of the API, today's and tomorrow's, is covered;
- a form's fields hold no NUL (no one types one; PostgreSQL refuses it). Forms' other
  problems are the text types' to report (``app.validation``), next to the field, on the
  form shown again;
- a header holds no control character but tab, as HTTP says (servers refuse the others,
  a test client or a proxy may not).

A dependency of the whole application rather than a middleware, so that the refusal is
the usual error page or JSON, in the reader's language.
"""

import json
import re
from collections.abc import Iterator
from typing import Any

from fastapi import Request

from app.errors import InvalidBody
from app.i18n import gettext
from app.validation import printable, unsafe_character

_HEADER_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _refused(param: str, problem: str) -> InvalidBody:
    return InvalidBody([{"param": printable(param), "message": problem}])


def _strings(document: Any) -> Iterator[tuple[str, str]]:
    """(where, text) for every key and string of a JSON document: ``outcomes.0.text``, as
    the API's errors name fields. Without recursion, however deep the document."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            yield where, value
        elif isinstance(value, dict):
            for key, item in value.items():
                inner = f"{where}.{key}" if where else str(key)
                yield inner, str(key)
                stack.append((inner, item))
        elif isinstance(value, list):
            stack.extend(
                (f"{where}.{i}" if where else str(i), item) for i, item in enumerate(value)
            )


async def _json(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except (ValueError, RecursionError):
        return None  # not JSON: the route's own parsing says so


async def refuse_unsafe_text(request: Request) -> None:
    """Refuse a request whose path, query, body or headers break the rule."""
    if problem := unsafe_character(request.scope["path"]):
        raise _refused("path", problem)
    for name, value in request.query_params.multi_items():
        if problem := unsafe_character(name) or unsafe_character(value):
            raise _refused(name, problem)
    for name, value in request.scope["headers"]:
        if _HEADER_CONTROL.search(value):
            header = name.decode("latin-1")
            raise _refused(header, gettext("This header holds a control character."))
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("", "application/json") or kind.endswith("+json"):  # FastAPI reads no type as JSON
        for where, text in _strings(await _json(request)):
            if problem := unsafe_character(text):
                raise _refused(where or "body", problem)
    elif kind in _FORMS:
        for field, posted in (await request.form()).multi_items():
            text = posted if isinstance(posted, str) else ""  # a file's content is no text
            if "\x00" in field or "\x00" in text:
                raise _refused(field, unsafe_character(field) or unsafe_character(text) or "")
