"""The path parameters of the API, described once for the OpenAPI document."""

from typing import Annotated

from fastapi import Path

from app.validation import RecordId

PracticeSlug = Annotated[
    str,
    Path(description="The practice's `slug`.", examples=["barcelona-anti-rumour-strategy"]),
]
PlaceSlug = Annotated[str, Path(description="The place's `slug`.", examples=["barcelona"])]
OtherPlaceSlug = Annotated[
    str, Path(description="The `slug` of the place to compare with.", examples=["hackney"])
]
NetworkSlug = Annotated[
    str, Path(description="The network's `slug`.", examples=["inclusive-cities"])
]
MemberId = Annotated[RecordId, Path(description="The membership's `id`.", examples=[118])]
SchemeCode = Annotated[
    str, Path(description="The vocabulary scheme's `code`.", examples=["activity-type"])
]
