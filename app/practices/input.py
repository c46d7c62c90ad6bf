"""A practice as written: the input that forms and the API validate."""

import re
from datetime import date
from typing import Annotated

from annotated_types import Len
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.i18n import gettext
from app.models.practices import LineageKind, PracticeBase
from app.practices.fields import ONE_LINE_FIELDS
from app.validation import MAX_FILTER_VALUES, Line, RequiredText, Slug, Text, limit, one_line


def _outcome_date(value: str | None) -> str | None:
    """A year (``2011``) or a full date (``2011-05-14``) that exists on the calendar."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}", value):
            year = int(value)
        else:
            year = (
                date.fromisoformat(value).year if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else 0
            )
    except ValueError:
        year = 0
    if not 1800 <= year <= 2100:
        raise ValueError(gettext("Give a year (2011) or a date that exists (2011-05-14)."))
    return value


class OutcomeIn(BaseModel):
    text: Annotated[RequiredText, limit(2000)] = Field(
        description="What was found.", examples=["Reached an audience across the region."]
    )
    metric: Annotated[Line, limit(200)] = Field(
        default=None, description="What was measured.", examples=["front-line staff trained"]
    )
    value: Annotated[Line, limit(100)] = Field(
        default=None, description="The measured value, as reported.", examples=["nearly 1000"]
    )
    date: Annotated[str | None, AfterValidator(_outcome_date)] = Field(
        default=None,
        max_length=10,
        description="When: a year (2011) or a date (2011-05-14).",
        examples=["2011"],
    )
    source: Annotated[Line, limit(500)] = Field(
        default=None,
        description="Where the figure comes from: a citation or a link.",
        examples=["Evaluation by the university, 2012"],
    )
    source_report: Slug | None = Field(
        default=None,
        description="Slug of a source report already in Interlocal (see practices' `sources`).",
        examples=["amicall-uk-2012"],
    )
    evidence_level: Slug | None = Field(
        default=None,
        description="Code of a term of the `evidence-level` vocabulary.",
        examples=["outputs-monitored"],
    )


class LineageIn(BaseModel):
    practice: Slug = Field(
        description="Slug of the practice this one was adapted from or inspired by.",
        examples=["amsterdam-wij-amsterdammers"],
    )
    kind: LineageKind = Field(
        default=LineageKind.adapted_from, description="How closely it follows the other practice."
    )
    note: Annotated[Text, limit(2000)] = Field(
        default=None,
        description="What was changed when adapting it.",
        examples=["Same branding, applied to one neighbourhood."],
    )


# A scheme's code, as the key of a practice's terms.
SchemeKey = Annotated[str, StringConstraints(max_length=60)]


class PracticeIn(PracticeBase):
    """A practice as its authors write it (a form or an API client)."""

    # Its own fields come from PracticeBase; these name what it refers to by slug.

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    place: Slug = Field(description="Slug of the lead place.", examples=["barcelona"])
    lead_organisation: Slug | None = Field(
        default=None, description="Slug of the lead body.", examples=["barcelona-city-council"]
    )
    terms: dict[SchemeKey, Annotated[list[Slug], Len(max_length=MAX_FILTER_VALUES)]] = Field(
        default_factory=dict,
        max_length=MAX_FILTER_VALUES,
        description="Typology term codes by scheme code (see /api/v1/vocabularies).",
        examples=[{"activity-type": ["media-engagement"], "goal": ["informing-communities"]}],
    )
    outcomes: list[OutcomeIn] = Field(
        default_factory=list, max_length=50, description="What it achieved, with evidence."
    )
    lineage: list[LineageIn] = Field(
        default_factory=list,
        max_length=20,
        description="Practices elsewhere it was adapted from or inspired by.",
    )

    # Every text field holds to the rule of characters (app.validation); these, one line.
    _one_line = field_validator(*ONE_LINE_FIELDS)(one_line)

    @model_validator(mode="after")
    def _years_in_order(self) -> "PracticeIn":
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise PydanticCustomError(
                "end_before_start", gettext("The end year is before the start year.")
            )
        return self
