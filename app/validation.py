"""The one validation path: every write validates with its pydantic schema, and a failure
reads the same everywhere; and the types input is validated with (plain text, limits,
years, slugs, language codes).

``form_errors`` turns a ``ValidationError`` into a message per form field, in the reader's
language (the pages and the practice writes use it); ``api_errors`` turns it into the API's
error list (the request-validation handler and the API's writes use it). ``parse_form`` and
``parse_body`` validate and raise the matching error of ``app.errors``; ``Stripped`` and
``Filled`` are the text types of the small form schemas. Every text type holds to one
rule of characters (``unsafe_character``), which the request check of paths and query
strings shares. Plain functions over pydantic: the domain packages use them without the
web framework.
"""

import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Protocol, TypeVar

from annotated_types import Interval, MaxLen
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationError,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from app.errors import InvalidBody, InvalidInput
from app.i18n import LANGUAGES, gettext

Model = TypeVar("Model", bound=BaseModel)

# Where FastAPI says a request's error is; the API names the parameter alone.
_LOCATIONS = ("query", "path", "body")


def filled(value: str) -> str:
    """Refuse blank text: the message for a required form field."""
    if not value:
        raise PydanticCustomError("missing", gettext("This field is required."))
    return value


# The one rule of characters in text. Refused everywhere: control characters (Unicode
# category Cc: XML, so the Atom feed, cannot hold them, and they hide in terminals and
# logs), the bidirectional overrides and isolates (text that reads other than it is, U+202A
# to U+202E and U+2066 to U+2069), lone surrogates (no UTF-8 database stores them) and
# U+FFFE/U+FFFF (not characters, refused by XML). Tab and line breaks are kept in text of
# several lines and refused in a line.
_UNSAFE = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # Cc but tab and line breaks
    "\u202a-\u202e\u2066-\u2069"  # bidirectional overrides and isolates
    "\ud800-\udfff\ufffe\uffff"
)
_UNSAFE_IN_TEXT = re.compile(f"[{_UNSAFE}]")
_UNSAFE_IN_LINE = re.compile(f"[{_UNSAFE}\t\n\r]")


def unsafe_character(value: str, *, one_line: bool = False) -> str | None:
    """What is wrong with ``value``'s characters, in a sentence; None if nothing is."""
    found = (_UNSAFE_IN_LINE if one_line else _UNSAFE_IN_TEXT).search(value)
    if found is None:
        return None
    character = found.group()
    if character in "\t\n\r":
        return gettext(
            "Write this on one line: it holds a tab or a line break at character %(position)s.",
            position=found.start() + 1,
        )
    return gettext(
        "Remove the invisible character U+%(code)s at character %(position)s: text may not "
        "hold control characters, direction overrides or lone surrogates.",
        code=f"{ord(character):04X}",
        position=found.start() + 1,
    )


def printable(text: str) -> str:
    """``text`` with what the rule refuses replaced by U+FFFD, to name a field (a JSON key,
    a form field) in an error: a lone surrogate cannot even be encoded in the answer."""
    return _UNSAFE_IN_TEXT.sub("\ufffd", text)


def safe_text(value: str | None) -> str | None:
    """Refuse text that breaks the rule of characters (a validator of every text type)."""
    if value is not None and (problem := unsafe_character(value)):
        raise PydanticCustomError("unsafe_character", problem)
    return value


def one_line(value: str | None) -> str | None:
    """Refuse text of several lines where a field is one line (a title, a name)."""
    if value is not None and (problem := unsafe_character(value, one_line=True)):
        raise PydanticCustomError("unsafe_character", problem)
    return value


# Form text that is stripped but, unlike a practice's own text (app.schemas.Text), not
# checked for markup: translations keep what the translator wrote.
Stripped = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(safe_text)]
Filled = Annotated[Stripped, AfterValidator(filled)]


class HasErrors(Protocol):
    """A pydantic ``ValidationError``, or FastAPI's ``RequestValidationError`` wrapping one."""

    def errors(self) -> Sequence[Any]: ...


def field_name(loc: Sequence[int | str], whole: str = "form") -> str:
    """The form field for an error location: ``outcomes.0.text`` -> ``outcomes-0-text``;
    an item of a list field (``links.3``, ``terms.goal.1``) -> that field (``links``,
    ``terms-goal``), since the form has one input for the list; the whole model -> ``whole``."""
    parts = list(loc)
    while parts and isinstance(parts[-1], int):
        parts.pop()
    return "-".join(str(part) for part in parts) or whole


def message(error: Mapping[str, Any], name: str) -> str:
    """What a form says about one pydantic error on field ``name``."""
    kind = error["type"]
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return gettext("Enter a year as four digits.")
    if kind in ("greater_than_equal", "less_than_equal"):
        return gettext("Enter a year between 1800 and 2100.")
    if kind == "too_long":
        return gettext("At most %(limit)s entries.", limit=error["ctx"]["max_length"])
    if kind == "string_pattern_mismatch":
        if name == "links":
            return gettext("Enter web addresses that start with http:// or https://.")
        if name == "languages":
            return gettext("Use language codes such as en, pl or pt-BR.")
        return gettext("Choose one of the listed values.")
    if kind in ("literal_error", "enum", "dict_type", "list_type", "string_type"):
        return gettext("Choose one of the listed values.")
    if kind == "extra_forbidden":
        return gettext("This field is not part of a practice.")
    # Our own validators' messages (app.schemas), already in the reader's language.
    if kind in ("missing", "string_too_long", "end_before_start", "unsafe_character"):
        return str(error["msg"])
    return gettext("This value is not valid.")


def form_errors(
    exc: ValidationError, *, whole: str = "form", hints: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The first problem of each form field. ``whole`` names the field that errors of the
    whole model belong to; ``hints`` (marked with ``N_``) replace the message of a field
    whose form says what it wants in one sentence."""
    hints = hints or {}
    fields: dict[str, str] = {}
    for error in exc.errors():
        name = printable(field_name(error["loc"], whole))
        fields.setdefault(name, gettext(hints[name]) if name in hints else message(error, name))
    return fields


def api_errors(exc: HasErrors) -> list[dict[str, Any]]:
    """The API's error list: ``[{"param": "outcomes.0.text", "message": "…"}]`` (``param``
    is null for the body as a whole)."""
    errors = []
    for error in exc.errors():
        loc = [printable(str(part)) for part in error.get("loc", ()) if part not in _LOCATIONS]
        message = printable(str(error.get("msg", "invalid")))
        errors.append({"param": ".".join(loc) or None, "message": message})
    return errors


def parse_form(
    model: type[Model],
    data: Mapping[str, Any],
    *,
    context: Mapping[str, Any] | None = None,
    whole: str = "form",
    hints: Mapping[str, str] | None = None,
    error: type[InvalidInput] = InvalidInput,
) -> Model:
    """``data`` as ``model``; raises ``error`` with a message per form field."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise error(form_errors(exc, whole=whole, hints=hints)) from None


def parse_body(model: type[Model], data: Mapping[str, Any]) -> Model:
    """``data`` (a JSON body the route could not validate itself, e.g. a merged patch) as
    ``model``; raises ``InvalidBody`` with the API's error list."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidBody(api_errors(exc)) from None


# The types input text is validated with ------------------------------------------------


_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>")


LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")


_SLUG = r"^[a-z0-9][a-z0-9-]*$"


def _plain(value: str | None) -> str | None:
    """Strip, turn empty into None, and refuse markup: stored text is plain and escaped
    when shown, so a tag can only be a mistake or an attack."""
    if value is None:
        return None
    value = value.strip()
    safe_text(value)
    if _TAG.search(value):
        raise ValueError(gettext("Write plain text: HTML tags are not allowed."))
    return value or None


def _required(value: str) -> str:
    value = _plain(value) or ""
    if not value:
        raise PydanticCustomError("missing", gettext("This field is required."))
    return value


def too_long(limit: int, length: int) -> str:
    """The message for text over its limit, wherever text is checked."""
    return gettext("At most %(limit)s characters; this has %(length)s.", limit=limit, length=length)


class limit(MaxLen):  # lower case: it reads as ``Annotated[Text, limit(300)]``
    """At most ``max_length`` characters, with a message that says how many there are.

    A ``MaxLen``, so a SQLModel table sharing the annotation gets a VARCHAR(max_length)
    column; checked after the other validators (on stripped text) with our own message."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        max_length = self.max_length

        def check(value: str | None) -> str | None:
            if value is not None and len(value) > max_length:
                raise PydanticCustomError(
                    "string_too_long", too_long(max_length, len(value)), {"max_length": max_length}
                )
            return value

        return core_schema.no_info_after_validator_function(check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The limit in the JSON Schema (the API's document), on the text's schema (the
        string one of an optional text's ``anyOf``)."""
        found = handler(schema)
        target = handler.resolve_ref_schema(found)
        for branch in target.get("anyOf", [target]):
            if branch.get("type") == "string":
                branch["maxLength"] = self.max_length
        return found


Text = Annotated[str | None, AfterValidator(_plain)]


RequiredText = Annotated[str, AfterValidator(_required)]


# Text of one line (a title, a figure): no tab or line break either.
Line = Annotated[Text, AfterValidator(one_line)]


Slug = Annotated[str, StringConstraints(strip_whitespace=True, max_length=160, pattern=_SLUG)]


def not_a_boolean(value: object) -> object:
    # Pydantic would read true/false as 1/0; a number field wants a number.
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", gettext("Enter a number."))
    return value


Year = Annotated[int, Interval(ge=1800, le=2100), BeforeValidator(not_a_boolean)]


# The largest id of a record: PostgreSQL's INTEGER. A larger number names no record, and
# would overflow the database's integers (SQLite's at 2**63) if it reached a query.
MAX_RECORD_ID = 2**31 - 1

# A record's id as an address gives it (a path parameter of the pages and the API); plain
# metadata, so that FastAPI reads it with its own ``Path()`` and checks the range.
RecordId = Annotated[int, Interval(ge=1, le=MAX_RECORD_ID)]


def interface_language(value: str) -> str:
    if value not in LANGUAGES:
        raise ValueError(gettext("Choose one of the listed languages."))
    return value


# A list filter's values (query parameters repeated): each a code or slug, and a bounded
# number of them, so that one request cannot ask for an unbounded match.
FilterValue = Annotated[str, StringConstraints(max_length=160)]
MAX_FILTER_VALUES = 50


def filter_values(**kwargs: Any) -> Any:
    """The ``Field`` of a list filter: empty by default, at most ``MAX_FILTER_VALUES``."""
    return Field(default_factory=list, max_length=MAX_FILTER_VALUES, **kwargs)
