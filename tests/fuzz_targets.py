"""The routes the fuzz test drives (``tests/test_fuzz_routes.py``), read from the
application, and the valid values each request starts from before a few are made hostile."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import params
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from app.accounts.sessions import SESSION_COOKIE
from app.api.openapi import flatten
from app.web.csrf import COOKIE as CSRF_COOKIE
from tests.factories import practice_data, practice_form
from tests.hostile_values import NUMBERS, PRACTICE

# --- Valid values the hostile ones are mixed with -----------------------------------------

# A record of each kind, by the first part of the paths that name it.
SLUGS = {
    "/api/v1/places": "barcelona",
    "/places": "barcelona",
    "/api/v1/networks": "inclusive-cities",
    "/networks": "inclusive-cities",
    "/api/v1/organisations": "barcelona-city-council",
    "/vocabularies": "activity-type",
    "/api/v1/vocabularies": "activity-type",
}
OTHER_PATH_VALUES = {"other": "hackney", "scheme": "activity-type", "code": "activity-type"}
FORM_FIELDS = [
    *practice_form("Story circle"),
    "start_year",
    "terms-goal",
    "links",
    "languages",
    "outcomes-0-text",
    "outcomes-0-date",
    "lineage-0-practice",
    "version",
    "note",
    "action",
    "confirm_new",
    "place_q",
    "language",
    "label-1",
    "definition-1",
]
HEADERS = ("If-Match", "Idempotency-Key", "Accept-Language")
OWN = ("path", "query", "json", "form")  # the parts that hold a route's own parameters


def valid_path_value(path: str, name: str, ids: dict[str, str]) -> str:
    if name in ids:
        return ids[name]
    if name in OTHER_PATH_VALUES:
        return OTHER_PATH_VALUES[name]
    if name.endswith(NUMBERS):
        return "1"
    return next((slug for prefix, slug in SLUGS.items() if path.startswith(prefix)), PRACTICE)


def json_base(method: str, path: str) -> dict[str, Any]:
    """A valid body to start from, for the routes that take one."""
    if path.startswith("/api/v1/practices"):
        return practice_data("Fuzzed story circle") if method == "POST" else {"summary": "New."}
    if "/members" in path:
        return {"place": "hackney", "role": "member"} if method == "POST" else {"role": "member"}
    if path == "/api/v1/peers":
        return {"country": "ES", "population": 100000}
    return {}


# --- The routes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    form_params: tuple[str, ...]
    json_body: bool
    web_form: bool  # a page's form: carries a CSRF token

    def slots(self) -> list[tuple[str, str]]:
        """Where a hostile value can go: (part of the request, name); "*" for a name of
        its own (an unknown parameter, or a body of another shape)."""
        own = [("path", name) for name in self.path_params]
        own += [("query", name) for name in self.query_params]
        others = [("query", "*"), *(("header", name) for name in HEADERS)]
        others += [("cookie", SESSION_COOKIE), ("cookie", CSRF_COOKIE)]
        if self.json_body:
            own += [("json", name) for name in json_base(self.method, self.path)]
            others.append(("json", "*"))
        if self.web_form:  # the fields it declares, or the practice form's
            own += [("form", name) for name in self.form_params or FORM_FIELDS]
            others += [("form", "csrf_token"), ("form", "*")]
        return own + others

    def weighted_slots(self) -> list[tuple[str, str]]:
        """The slots, the route's own parameters three times as likely as the rest."""
        own = [s for s in self.slots() if s[1] not in ("*", "csrf_token") and s[0] in OWN]
        return [*own, *own, *self.slots()]


def _all(dependant: Dependant) -> Iterator[Dependant]:
    """``dependant`` and everything it depends on (the parameters its dependencies read)."""
    yield dependant
    for sub in dependant.dependencies:
        yield from _all(sub)


def _query_names(route: APIRoute) -> tuple[str, ...]:
    names: list[str] = []
    for param in (p for d in _all(route.dependant) for p in d.query_params):
        annotation = param.field_info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names += [f.alias or n for n, f in annotation.model_fields.items()]
        else:
            names.append(param.alias)
    return tuple(dict.fromkeys(names))


def endpoints() -> list[Endpoint]:
    """Every route and method of the application, as it is now."""
    from app.main import create_app

    found = []
    for path, route in flatten(create_app().routes):
        forms = tuple(
            p.alias
            for d in _all(route.dependant)
            for p in d.body_params
            if isinstance(p.field_info, params.Form)
        )
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            api = path.startswith("/api/")
            found.append(
                Endpoint(
                    method,
                    path,
                    tuple(re.findall(r"{(\w+)", path)),
                    _query_names(route),
                    forms,
                    json_body=api and method in ("POST", "PATCH"),
                    web_form=not api and method == "POST",
                )
            )
    return found


ENDPOINTS = endpoints()
