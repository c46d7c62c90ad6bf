"""One practice, or a page of them, as readers see them."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import func
from sqlalchemy import select as sa_select  # sqlmodel's select types at most 4 columns
from sqlmodel import Session, col, select

from app.catalogue.cache import cached_many
from app.catalogue.pagination import MAX_LISTED
from app.db import IDS, for_ids
from app.errors import NotFound
from app.i18n import _, get_language
from app.models.places import Network, Organisation, Place
from app.models.practices import (
    Outcome,
    Practice,
    PracticeBase,
    PracticeLineage,
    PracticePartner,
    PracticeSource,
    PracticeTerm,
    PracticeTranslation,
    original_digest,
)
from app.models.vocabularies import Source
from app.permissions import PUBLIC, Viewer, practice_networks, visible
from app.practices.replication import replications
from app.practices.schemas import (
    LineageOut,
    OutcomeOut,
    PartnerOut,
    PracticeDetail,
    PracticeSummary,
    TranslationOut,
)
from app.practices.translations import with_translated_body
from app.schemas import NetworkRef, OrganisationRef, PlaceRef, SourceRef, TermRef, source_ref
from app.vocabularies.queries import HeldTerm, held_terms, source_refs

# The practice's own fields the detail adds to its summary, read as they are stored.
_OWN_FIELDS = sorted(
    (PracticeDetail.model_fields.keys() - PracticeSummary.model_fields.keys())
    & PracticeBase.model_fields.keys()
)


# The queries of ``summaries``, built once (``app.db.for_ids``).
# A practice's place and lead organisation, as its summary shows them.
_PLACE_AND_LEAD: tuple[Any, ...] = (
    col(Place.slug).label("place_slug"),
    col(Place.name).label("place_name"),
    col(Place.country).label("place_country"),
    col(Place.level).label("place_level"),
    col(Organisation.slug).label("lead_slug"),
    col(Organisation.name).label("lead_name"),
    col(Organisation.type).label("lead_type"),
)


def _with_place_and_lead(*columns: Any) -> Any:
    """``columns`` of the practices ``IDS``, with their place and lead organisation."""
    return (
        sa_select(*columns, *_PLACE_AND_LEAD)
        .join(Place, col(Place.id) == Practice.place_id)
        .outerjoin(Organisation, col(Organisation.id) == Practice.lead_organisation_id)
        .where(col(Practice.id).in_(IDS))
    )


_WHERE = _with_place_and_lead(col(Practice.id))
# What ``summaries`` reads of a practice, as plain rows, with its place and lead in the
# same query: the long texts stay unread.
_SUMMARY_ROWS = _with_place_and_lead(
    col(Practice.id),
    col(Practice.slug),
    col(Practice.title),
    col(Practice.summary),
    col(Practice.original_language),
    col(Practice.start_year),
    col(Practice.end_year),
)
_TERMS = select(PracticeTerm.practice_id, PracticeTerm.term_id).where(
    col(PracticeTerm.practice_id).in_(IDS)
)
_CITED = (
    select(PracticeSource.practice_id, PracticeSource.source_id, PracticeSource.locator)
    .where(col(PracticeSource.practice_id).in_(IDS))
    .order_by(col(PracticeSource.id))
)
_TRANSLATIONS = sa_select(
    col(PracticeTranslation.practice_id),
    col(PracticeTranslation.language),
    col(PracticeTranslation.title),
    col(PracticeTranslation.summary),
    col(PracticeTranslation.origin),
    col(PracticeTranslation.source_digest),
    col(PracticeTranslation.updated_at),
).where(col(PracticeTranslation.practice_id).in_(IDS))


class Summarised(Protocol):
    """What ``summaries`` reads of a practice: a ``Practice``, or a row of
    ``_SUMMARY_ROWS`` when only summaries are wanted."""

    @property
    def id(self) -> int | None: ...
    @property
    def slug(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def original_language(self) -> str: ...
    @property
    def start_year(self) -> int | None: ...
    @property
    def end_year(self) -> int | None: ...


class Translated(Protocol):
    """What ``summaries`` reads of a translation (a row of ``_TRANSLATIONS``)."""

    @property
    def language(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def origin(self) -> str: ...
    @property
    def source_digest(self) -> str: ...
    @property
    def updated_at(self) -> datetime: ...


Where = dict[int, tuple[PlaceRef, OrganisationRef | None]]  # practice id -> place, lead


def _where(rows: Iterable[Any]) -> Where:
    """Place and lead of each practice, from rows holding ``_PLACE_AND_LEAD`` (plain
    columns: whole ORM rows of places and organisations cost more than the rest of a page
    of summaries)."""
    return {
        row.id: (
            PlaceRef(
                slug=row.place_slug,
                name=row.place_name,
                country=row.place_country,
                level=row.place_level,
            ),
            OrganisationRef(slug=row.lead_slug, name=row.lead_name, type=row.lead_type)
            if row.lead_slug
            else None,
        )
        for row in rows
    }


def summaries(
    session: Session,
    practices: Sequence[Summarised],
    *,
    show: str | None = None,
    where: Where | None = None,
) -> list[PracticeSummary]:
    """Public summaries of ``practices``, loading their relations in a few batched queries.

    Titles and summaries come in the reader's language where a translation exists, or in
    the language ``show`` names, or as written when it is "original". ``where`` holds
    their places and leads when they were read with them.
    """
    if not practices:
        return []
    ids = [p.id for p in practices]
    if where is None:
        where = _where(for_ids(session, _WHERE, ids))
    vocabulary = held_terms(session)
    held: dict[int, list[HeldTerm]] = defaultdict(list)
    for practice_id, term_id in for_ids(session, _TERMS, ids):
        held[practice_id].append(vocabulary[term_id])
    terms: dict[int, dict[str, list[TermRef]]] = defaultdict(lambda: defaultdict(list))
    for practice_id, entries in held.items():
        for entry in sorted(entries, key=lambda e: e.order):
            terms[practice_id][entry.scheme].append(entry.ref)
    sources: dict[int, list[SourceRef]] = defaultdict(list)
    cited = for_ids(session, _CITED, ids)
    refs = source_refs(session)
    for practice_id, source_id, locator in cited:
        sources[practice_id].append(refs[source_id].model_copy(update={"locator": locator}))
    translations: dict[int, dict[str, Translated]] = defaultdict(dict)
    for translation in for_ids(session, _TRANSLATIONS, ids):
        translations[translation.practice_id][translation.language] = translation
    result = []
    for p in practices:
        assert p.id is not None
        practice_terms = dict(terms[p.id])
        original = show in ("original", p.original_language)
        wanted = None if original else translations[p.id].get(show or get_language())
        shown = wanted if wanted and wanted.language != p.original_language else None
        evidence = practice_terms.get("evidence-level", [])
        place, lead = where[p.id]
        result.append(
            PracticeSummary(
                slug=p.slug,
                title=shown.title if shown else p.title,
                summary=shown.summary if shown else p.summary,
                language=shown.language if shown else p.original_language,
                original_language=p.original_language,
                translation=_translation_out(p, shown) if shown else None,
                available_languages=[
                    p.original_language,
                    *sorted(set(translations[p.id]) - {p.original_language}),
                ],
                place=place,
                lead_organisation=lead,
                start_year=p.start_year,
                end_year=p.end_year,
                evidence_level=evidence[0] if evidence else None,
                terms=practice_terms,
                sources=sources[p.id],
                url=f"/practices/{p.slug}",
            )
        )
    return result


def in_order(session: Session, ids: list[int]) -> list[Practice]:
    """The practices ``ids``, in that order (one page's worth)."""
    by_id = {p.id: p for p in session.exec(select(Practice).where(col(Practice.id).in_(ids)))}
    return [by_id[i] for i in ids]


def _summary_rows(session: Session, ids: list[int]) -> tuple[list[Summarised], Where]:
    rows = for_ids(session, _SUMMARY_ROWS, ids)
    by_id = {row.id: row for row in rows}
    return [cast(Summarised, by_id[i]) for i in ids], _where(rows)


def cached_summaries(session: Session, ids: list[int]) -> list[PracticeSummary]:
    """``summaries`` of the practices ``ids``, in that order; each is cached on its own
    until the catalogue changes, since a practice appears in many different answers
    (searches, peers)."""

    def compute(missing: list[int]) -> dict[int, PracticeSummary]:
        practices, where = _summary_rows(session, missing)
        return dict(zip(missing, summaries(session, practices, where=where), strict=True))

    found = cached_many(session, "practice summary", ids, compute, store="items")
    return [found[i] for i in ids]


def _translation_out(practice: Summarised, translation: Translated) -> TranslationOut:
    return TranslationOut(
        language=translation.language,
        origin="machine" if translation.origin == "machine" else "human",
        stale=translation.source_digest != original_digest(practice.title, practice.summary),
        updated_at=translation.updated_at,
    )


def practice_detail(
    session: Session, practice: Practice, viewer: Viewer = PUBLIC, *, show: str | None = None
) -> PracticeDetail:
    """Everything public about ``practice`` (as found by ``find_practice``), its written
    fields in the language ``show`` names (as ``summaries`` reads it) where translated."""
    summary = summaries(session, [practice], show=show)[0]
    text = with_translated_body(session, practice, summary.translation)
    partners = [
        PartnerOut(organisation=OrganisationRef.model_validate(org), role=role)
        for org, role in session.exec(
            select(Organisation, PracticePartner.role)
            .join(PracticePartner, col(PracticePartner.organisation_id) == Organisation.id)
            .where(PracticePartner.practice_id == practice.id)
            .order_by(col(Organisation.name))
            .limit(MAX_LISTED)
        )
    ]
    links = practice_networks([practice.id])
    networks = [
        NetworkRef.model_validate(n)
        for n in session.exec(
            select(Network)
            .where(
                col(Network.id).in_(
                    select(links.c.network_id).where(links.c.practice_id == practice.id)
                )
            )
            .order_by(col(Network.name))
            .limit(MAX_LISTED)
        )
    ]
    outcomes = []
    for at, (o, s) in enumerate(
        session.exec(
            select(Outcome, Source)
            .outerjoin(Source, col(Source.id) == Outcome.source_id)
            .where(Outcome.practice_id == practice.id)
            .order_by(col(Outcome.id))
        )
    ):
        translated = text.outcome(at)
        outcomes.append(
            OutcomeOut(
                text=translated or o.text,
                language=text.language if translated else practice.original_language,
                metric=o.metric,
                value=o.value,
                year=o.year,
                date=o.observed_on.isoformat() if o.observed_on else None,
                source=source_ref(s),
                source_note=o.source_note,
                evidence_level=o.evidence_level,
            )
        )
    adaptations = _lineage(session, practice, viewer, upstream=False)
    assert practice.id is not None
    replicating = replications(session, practice.id, viewer)
    return PracticeDetail(
        **summary.model_dump(exclude={"translation"}),
        translation=text.translation,
        **{name: getattr(practice, name) for name in _OWN_FIELDS} | text.body,
        partners=partners,
        networks=networks,
        outcomes=outcomes,
        adapted_from=_lineage(session, practice, viewer, upstream=True),
        adaptations=adaptations,
        replicated_in=[a.practice for a in adaptations if a.practice.slug in replicating],
        published_at=practice.published_at,
        verified_at=practice.verified_at or practice.published_at,
        version=practice.version,
    )


def _lineage(
    session: Session, practice: Practice, viewer: Viewer, *, upstream: bool
) -> list[LineageOut]:
    """The practices ``practice`` was adapted from (``upstream``), or those adapted from it;
    only those ``viewer`` may see."""
    here, there = (
        (PracticeLineage.practice_id, PracticeLineage.origin_id)
        if upstream
        else (PracticeLineage.origin_id, PracticeLineage.practice_id)
    )
    rows = session.exec(
        select(Practice, PracticeLineage.kind, PracticeLineage.note)
        .join(PracticeLineage, col(there) == Practice.id)
        .where(col(here) == practice.id, *visible(viewer))
        .order_by(func.lower(Practice.title))
        .limit(MAX_LISTED)
    ).all()
    others = {s.slug: s for s in summaries(session, [p for p, _kind, _note in rows])}
    return [LineageOut(practice=others[p.slug], kind=kind, note=note) for p, kind, note in rows]


def find_practice(session: Session, slug: str, viewer: Viewer = PUBLIC) -> Practice:
    """The published practice ``slug`` if ``viewer`` may see it; 404 otherwise (also for
    network-only practices, so that their existence does not leak)."""
    practice = session.exec(
        select(Practice).where(Practice.slug == slug).where(*visible(viewer))
    ).first()
    if practice is None:
        raise NotFound(_("no published practice %(slug)r", slug=slug))
    return practice
