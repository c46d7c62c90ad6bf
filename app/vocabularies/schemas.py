"""How schemes and terms read in the API and on pages."""

from pydantic import (
    Field,
)

from app.i18n import N_
from app.schemas import Schema, SourceRef


class TermOut(Schema):
    code: str = Field(description=N_("Stable code."), examples=["informing-communities"])
    label: str = Field(
        description=N_("Label, as in the source."), examples=["Informing communities"]
    )
    definition: str | None = Field(default=None, description=N_("What it means."))
    language: str = Field(
        description=N_(
            "Language of the label and definition (ISO 639-1): the one asked for "
            "when translated, else the English original."
        ),
        examples=["en"],
    )
    parent: str | None = Field(
        default=None, description=N_("Code of the broader term."), examples=[None]
    )
    position: int = Field(description=N_("Order within the scheme."), examples=[0])
    origin: str = Field(
        description=N_("report, or platform for terms Interlocal added."), examples=["report"]
    )


class SchemeSummary(Schema):
    scheme: str = Field(description="Code of the scheme.", examples=["activity-type"])
    label: str = Field(description="Name of the scheme.", examples=["Activity type"])
    description: str | None = Field(default=None, description="What the scheme classifies.")
    language: str = Field(
        description="Language of the label and description (ISO 639-1): the one asked for "
        "when translated, else the English original.",
        examples=["en"],
    )
    source: SourceRef | None = Field(default=None, description="Where the typology comes from.")
    term_count: int = Field(description="Number of terms.", examples=[13])


class SchemeDetail(SchemeSummary):
    terms: list[TermOut] = Field(description="The terms, broader terms before their sub-types.")
