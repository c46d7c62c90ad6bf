"""The path parameters of the API, described once for the OpenAPI document."""

from typing import Annotated

from fastapi import Path

from app.validation import RecordId

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
