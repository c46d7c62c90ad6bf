"""The change feed's records."""

from typing import Literal

from pydantic import (
    Field,
)

from app.i18n import N_
from app.schemas import Schema, UtcDateTime


class ChangeOut(Schema):
    """One change of the public catalogue."""

    kind: Literal["created", "updated", "removed"] = Field(
        description=N_(
            "created or updated: fetch `api_url` and store it; removed: delete your "
            "copy (it was archived, or is no longer public)."
        ),
        examples=["updated"],
    )
    practice: str = Field(
        description=N_("The practice's slug."), examples=["barcelona-story-circles"]
    )
    at: UtcDateTime = Field(description=N_("When the change was made (UTC)."))
    api_url: str = Field(
        description=N_("Where to fetch it (404 once removed)."),
        examples=["/api/v1/practices/barcelona-story-circles"],
    )


class ChangesPage(Schema):
    """Changes in commit order, and where to continue."""

    items: list[ChangeOut] = Field(description="Oldest first.")
    next_cursor: str = Field(
        description="Send as `since` next time (also when there were no changes).",
        examples=["WzEwNDIsMTdd"],
    )
    has_more: bool = Field(description="More changes are waiting: ask again at once.")
