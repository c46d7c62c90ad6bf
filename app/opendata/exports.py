"""Open data exports of the public catalogue.

The CSV is written in batches of practices as it is sent, so memory stays flat however
many rows there are: only the ids of the matching practices are held at once. A text cell
that a spreadsheet would read as a formula starts with a single quote instead (OWASP's
rule against CSV injection), as the data dictionary says.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.models.places import Network, Organisation, Place
from app.models.practices import Practice, PracticeSource, PracticeTerm
from app.models.vocabularies import Source, VocabularyScheme, VocabularyTerm
from app.permissions import practice_networks
from app.practices.filters import TERM_FILTERS
from app.schemas import as_utc

BATCH = 500


# One column per typology, named as the list's filter of it (activity_type: the terms of
# the activity-type scheme), so that every column name is written the same way.
TERM_COLUMNS = TERM_FILTERS


CSV_COLUMNS = [
    "slug",
    "title",
    "summary",
    "description",
    "place",
    "place_name",
    "country",
    "lead_organisation",
    "networks",
    "start_year",
    "end_year",
    "original_language",
    *TERM_COLUMNS,
    "sources",
    "links",
    "url",
    "published_at",
    "updated_at",
]


SEPARATOR = "; "  # between the values of a multi-valued field


# What makes a spreadsheet read a cell as a formula (or as the start of one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral_cell(value: object) -> object:
    """``value``, with a single quote before text that would start a formula, so that
    ``=HYPERLINK(…)`` in a title is shown, not run, by whoever opens the file."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _line(values: Sequence[object]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([neutral_cell(value) for value in values])
    return out.getvalue()


def _moment(moment: datetime | None) -> str:
    """ISO 8601 with its zone (UTC), which SQLite does not keep; empty for none."""
    return as_utc(moment).isoformat() if moment else ""


def practices_csv(engine: Engine, ids: list[int], site: str) -> Iterator[str]:
    """The practices ``ids`` (from ``matching_ids``, so that bad filters are refused
    before the first byte) as CSV, a batch of lines at a time, their pages' addresses on
    ``site``. Opens its own session: the request's may be closed before the last line is
    sent."""
    with Session(engine) as session:
        yield _line(CSV_COLUMNS)
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            yield "".join(_line(row) for row in _rows(session, batch, site))


def _networks(session: Session, ids: list[int]) -> dict[int, list[str]]:
    links = practice_networks(ids)
    found: dict[int, list[str]] = defaultdict(list)
    for practice_id, slug in session.exec(
        select(links.c.practice_id, Network.slug)
        .join(Network, col(Network.id) == links.c.network_id)
        .order_by(col(Network.slug))
    ):
        found[practice_id].append(slug)
    return found


def _rows(session: Session, ids: list[int], site: str) -> Iterator[list[object]]:
    rows = session.exec(
        select(Practice, Place, Organisation.slug)
        .join(Place, col(Place.id) == Practice.place_id)
        .outerjoin(Organisation, col(Organisation.id) == Practice.lead_organisation_id)
        .where(col(Practice.id).in_(ids))
    ).all()
    terms: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for practice_id, scheme, code in session.exec(
        select(PracticeTerm.practice_id, VocabularyScheme.code, VocabularyTerm.code)
        .join(VocabularyTerm, col(VocabularyTerm.id) == PracticeTerm.term_id)
        .join(VocabularyScheme, col(VocabularyScheme.id) == VocabularyTerm.scheme_id)
        .where(col(PracticeTerm.practice_id).in_(ids))
        .order_by(col(VocabularyTerm.position), col(VocabularyTerm.id))
    ):
        terms[practice_id][scheme].append(code)
    sources: dict[int, list[str]] = defaultdict(list)
    for practice_id, slug in session.exec(
        select(PracticeSource.practice_id, Source.slug)
        .join(Source, col(Source.id) == PracticeSource.source_id)
        .where(col(PracticeSource.practice_id).in_(ids))
        .order_by(col(PracticeSource.id))
    ):
        sources[practice_id].append(slug)
    networks = _networks(session, ids)
    by_id = {p.id: (p, place, lead) for p, place, lead in rows}
    for practice_id in ids:
        practice, place, lead = by_id[practice_id]
        yield [
            practice.slug,
            practice.title,
            practice.summary,
            practice.description or "",
            place.slug,
            place.name,
            place.country,
            lead or "",
            SEPARATOR.join(networks.get(practice_id, [])),
            practice.start_year or "",
            practice.end_year or "",
            practice.original_language,
            *(SEPARATOR.join(terms[practice_id][scheme]) for scheme in TERM_COLUMNS.values()),
            SEPARATOR.join(sources[practice_id]),
            SEPARATOR.join(practice.links or []),
            f"{site}/practices/{practice.slug}",
            _moment(practice.published_at),
            _moment(practice.updated_at),
        ]
