"""The data dictionary: what every field of the open data means, and where to get it.

The rows are read from the API's own models (``model_fields`` of the schemas the API
returns) and from the CSV export's column list, so the page cannot drift from what the
API sends. Descriptions are written in English in the schemas (``app.schemas`` and each
area's ``schemas`` module) and marked with ``N_``; they are translated here, in the
request's language. Text is plain: names and values to be shown as code are between
backticks.
"""

import re
import types
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from sqlmodel import Session, col, select

from app.i18n import N_, _
from app.models.practices import Practice
from app.opendata.exports import CSV_COLUMNS, SEPARATOR, TERM_COLUMNS
from app.opendata.schemas import ChangeOut
from app.permissions import visible
from app.places.schemas import FactOut, MemberOut, NetworkSummary, OrganisationOut, PlaceDetail
from app.practices.schemas import (
    LineageOut,
    MatchOut,
    OutcomeOut,
    PartnerOut,
    PracticeDetail,
    PracticeSummary,
    TranslationOut,
)
from app.schemas import NetworkRef, OrganisationRef, PlaceRef, SourceRef, TermRef
from app.vocabularies.queries import list_schemes
from app.vocabularies.schemas import SchemeSummary, TermOut


@dataclass(frozen=True)
class Record:
    """A record type of the API, documented in a section of its own."""

    key: str
    title: str  # N_-marked
    model: type[BaseModel]
    endpoint: str  # where the API returns it
    within: str | None = None  # the field of the endpoint's answer that holds it
    short: type[BaseModel] | None = None  # its shortened form inside other records


RECORDS = (
    Record(
        "practice",
        N_("Practice"),
        PracticeDetail,
        "/api/v1/practices/{slug}",
        None,
        PracticeSummary,
    ),
    Record("place", N_("Place"), PlaceDetail, "/api/v1/places/{slug}", None, PlaceRef),
    Record(
        "organisation",
        N_("Organisation"),
        OrganisationOut,
        "/api/v1/organisations",
        "items",
        OrganisationRef,
    ),
    Record("network", N_("Network"), NetworkSummary, "/api/v1/networks/{slug}", None, NetworkRef),
    Record(
        "membership",
        N_("Network membership"),
        MemberOut,
        "/api/v1/networks/{slug}/members",
        "items",
    ),
    Record(
        "term", N_("Vocabulary term"), TermOut, "/api/v1/vocabularies/{scheme}", "terms", TermRef
    ),
    Record("change", N_("Change"), ChangeOut, "/api/v1/changes", "items"),
)


# Records and parts of records as a type is named in the tables ("list of outcome").
MODEL_NAMES: dict[type[BaseModel], str] = {
    PracticeDetail: N_("practice"),
    PracticeSummary: N_("practice"),
    PlaceDetail: N_("place"),
    PlaceRef: N_("place"),
    OrganisationOut: N_("organisation"),
    OrganisationRef: N_("organisation"),
    NetworkSummary: N_("network"),
    NetworkRef: N_("network"),
    MemberOut: N_("membership"),
    TermOut: N_("term"),
    TermRef: N_("term"),
    ChangeOut: N_("change"),
    SourceRef: N_("source"),
    TranslationOut: N_("translation"),
    MatchOut: N_("search match"),
    PartnerOut: N_("partner"),
    OutcomeOut: N_("outcome"),
    LineageOut: N_("adaptation link"),
    FactOut: N_("fact"),
}


SCALAR_NAMES: dict[Any, str] = {
    str: N_("text"),
    int: N_("integer"),
    float: N_("number"),
    bool: N_("yes/no"),
    datetime: N_("date-time"),
    date: N_("date"),
}


# CSV columns other than the one-per-typology term columns.
CSV_DESCRIPTIONS: dict[str, str] = {
    "slug": N_("Stable identifier of the practice, used in its addresses."),
    "title": N_("Name of the initiative, in its original language."),
    "summary": N_("One or two sentences, in the original language."),
    "description": N_("What was done and how, in the original language; empty if not given."),
    "place": N_("Slug of the lead place."),
    "place_name": N_("Name of the lead place."),
    "country": N_("ISO 3166-1 alpha-2 code of the lead place's country."),
    "lead_organisation": N_("Slug of the lead body; empty if not known."),
    "networks": N_(
        "Slugs of the networks its lead place or body belongs to, separated by `%(separator)s`."
    ),
    "start_year": N_("Year it started; empty if not known."),
    "end_year": N_("Year it ended; empty if not known."),
    "original_language": N_("Language the title and summary are written in (ISO 639-1)."),
    "sources": N_("Slugs of the reports that describe it, separated by `%(separator)s`."),
    "links": N_("Its own web pages, as the sources give them, separated by `%(separator)s`."),
    "url": N_("Address of the practice's page on this site."),
    "published_at": N_(
        "When its current version was published (ISO 8601 date and time in UTC); for a "
        "practice loaded from the reports, when the earliest of them came out."
    ),
    "updated_at": N_("When the practice last changed (ISO 8601 date and time in UTC)."),
}


# How the CSV keeps a spreadsheet from running text as a formula (app.opendata.exports).
CSV_FORMULAS = N_(
    "A cell whose text would start with =, +, -, @, a tab or a carriage return starts with a "
    "single quote (') before it, so that spreadsheets show it as text instead of running it "
    "as a formula; remove that quote to read the value as written."
)


TERM_COLUMN_DESCRIPTION = N_(
    "Codes of its terms of the vocabulary “%(vocabulary)s”, separated by `%(separator)s`."
)


@dataclass(frozen=True)
class FieldDoc:
    name: str
    type: str
    description: str
    link: str | None  # id of the page section that describes the type (a record or a part)


@dataclass(frozen=True)
class SectionDoc:
    id: str
    title: str
    fields: list[FieldDoc]
    where: str = ""  # where the API returns it
    short_fields: tuple[str, ...] = ()  # what other records give of it


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    description: str


@dataclass(frozen=True)
class Dictionary:
    records: list[SectionDoc]
    parts: list[SectionDoc]
    columns: list[ColumnDoc]
    schemes: list[SchemeSummary]
    example_slug: str | None  # a public practice, for example links
    csv_formulas: str = ""  # how cells that look like formulas are written


def model_name(model: type[BaseModel]) -> str:
    """A model as a reader would call it: "outcome" for ``OutcomeOut``."""
    if model in MODEL_NAMES:
        return _(MODEL_NAMES[model])
    name = re.sub(r"(Out|Ref|Summary|Detail)$", "", model.__name__)
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


def nested_models(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation holds (``list[OutcomeOut]`` holds ``OutcomeOut``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in nested_models(arg)]


def readable_type(annotation: Any) -> str:
    """An annotation in words: "text", "list of term", "integer or null"."""
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:  # a type with validators: name the type itself
        return readable_type(args[0])
    if origin in (Union, types.UnionType):
        kinds = [readable_type(arg) for arg in args if arg is not type(None)]
        joined = " | ".join(kinds)
        return _("%(type)s or null", type=joined) if type(None) in args else joined
    if origin is Literal:
        return _("one of %(values)s", values=", ".join(f"`{value}`" for value in args))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _("one of %(values)s", values=", ".join(f"`{m.value}`" for m in annotation))
    if origin is list:
        return _("list of %(item)s", item=readable_type(args[0]))
    if origin is dict:
        return _(
            "map from %(key)s to %(value)s",
            key=readable_type(args[0]),
            value=readable_type(args[1]),
        )
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_name(annotation)
    if annotation in SCALAR_NAMES:
        return _(SCALAR_NAMES[annotation])
    return getattr(annotation, "__name__", str(annotation))


def section_ids() -> dict[type[BaseModel], str]:
    """The section that describes each model: its record's, or its own part's."""
    ids: dict[type[BaseModel], str] = {}
    for record in RECORDS:
        ids[record.model] = f"record-{record.key}"
        if record.short is not None:
            ids[record.short] = f"record-{record.key}"
    for part in part_models():
        ids[part] = "part-" + re.sub(r"(Out|Ref)$", "", part.__name__).lower()
    return ids


def part_models() -> list[type[BaseModel]]:
    """Models inside records that are not records themselves (outcomes, sources...), in
    the order they first appear."""
    records = {r.model for r in RECORDS} | {r.short for r in RECORDS if r.short is not None}
    found: list[type[BaseModel]] = []
    queue = [r.model for r in RECORDS]
    while queue:
        model = queue.pop(0)
        for info in model.model_fields.values():
            for nested in nested_models(info.annotation):
                if nested not in records and nested not in found:
                    found.append(nested)
                    queue.append(nested)
    return found


def field_docs(model: type[BaseModel], ids: dict[type[BaseModel], str]) -> list[FieldDoc]:
    rows = []
    for name, info in model.model_fields.items():
        nested = nested_models(info.annotation)
        rows.append(
            FieldDoc(
                name=name,
                type=readable_type(info.annotation),
                description=_(info.description) if info.description else "",
                link=ids.get(nested[0]) if nested else None,
            )
        )
    return rows


def _where(record: Record) -> str:
    if record.within:
        return _(
            "In `%(field)s` of `GET %(endpoint)s`.", field=record.within, endpoint=record.endpoint
        )
    return _("Returned by `GET %(endpoint)s`.", endpoint=record.endpoint)


def record_docs() -> list[SectionDoc]:
    ids = section_ids()
    return [
        SectionDoc(
            id=f"record-{record.key}",
            title=_(record.title),
            fields=field_docs(record.model, ids),
            where=_where(record),
            short_fields=tuple(record.short.model_fields) if record.short else (),
        )
        for record in RECORDS
    ]


def part_docs() -> list[SectionDoc]:
    ids = section_ids()
    return [
        SectionDoc(id=ids[part], title=_capitalised(model_name(part)), fields=field_docs(part, ids))
        for part in part_models()
    ]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def column_docs(schemes: list[SchemeSummary]) -> list[ColumnDoc]:
    labels = {s.scheme: s.label for s in schemes}
    columns = []
    for name in CSV_COLUMNS:
        if name in TERM_COLUMNS:
            description = _(
                TERM_COLUMN_DESCRIPTION,
                vocabulary=labels.get(TERM_COLUMNS[name], name),
                separator=SEPARATOR,
            )
        elif name in CSV_DESCRIPTIONS:
            description = _(CSV_DESCRIPTIONS[name], separator=SEPARATOR)
        else:
            description = ""
        columns.append(ColumnDoc(name, description))
    return columns


def data_dictionary(session: Session) -> Dictionary:
    """Everything the data dictionary page shows, in the current language."""
    schemes = list_schemes(session)
    example = session.exec(
        select(Practice.slug).where(*visible()).order_by(col(Practice.id)).limit(1)
    ).first()
    return Dictionary(
        records=record_docs(),
        parts=part_docs(),
        columns=column_docs(schemes),
        schemes=schemes,
        example_slug=example,
        csv_formulas=_(CSV_FORMULAS),
    )
