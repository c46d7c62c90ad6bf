"""The path parameters of the API, described once for the OpenAPI document."""

from typing import Annotated

from fastapi import Path
from starlette.convertors import Convertor, register_url_convertor

from app.validation import RecordId


class _Slug(Convertor[str]):
    """A path segment without a dot: ``/practices/{slug:slug}`` then leaves
    ``/practices/x.jsonld`` to the JSON-LD route, so that PATCH there is 405 (it allows
    only GET) instead of an attempt to change a practice named "x.jsonld". Slugs are made
    of letters, digits and hyphens."""

    regex = "[^/.]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("slug", _Slug())

PracticeSlug = Annotated[
    str,
    Path(
        max_length=160,
        description="The practice's `slug`.",
        examples=["barcelona-anti-rumour-strategy"],
    ),
]
PlaceSlug = Annotated[
    str, Path(max_length=120, description="The place's `slug`.", examples=["barcelona"])
]
OtherPlaceSlug = Annotated[
    str,
    Path(
        max_length=120, description="The `slug` of the place to compare with.", examples=["hackney"]
    ),
]
NetworkSlug = Annotated[
    str, Path(max_length=120, description="The network's `slug`.", examples=["inclusive-cities"])
]
MemberId = Annotated[RecordId, Path(description="The membership's `id`.", examples=[118])]
SchemeCode = Annotated[
    str,
    Path(max_length=60, description="The vocabulary scheme's `code`.", examples=["activity-type"]),
]
