"""Listing and reading places, organisations and networks."""

from collections import defaultdict
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from app.catalogue.pagination import (
    MAX_LISTED,
    CursorNumber,
    SortKey,
    page_cursor,
    page_limit,
    paginate,
)
from app.catalogue.practice_index import practice_index
from app.catalogue.text import contains
from app.errors import NotFound
from app.i18n import gettext
from app.models.places import Membership, MembershipStatus, Network, Organisation, Place, PlaceFact
from app.models.vocabularies import Source
from app.permissions import PUBLIC, Viewer
from app.places.gazetteer.search import name_matches, relevance
from app.places.schemas import (
    FactOut,
    NetworkSummary,
    OrganisationOut,
    PlaceDetail,
    PlaceSummary,
)
from app.practices.filters import PracticeQuery
from app.practices.listing import list_practices
from app.schemas import NetworkRef, Page, PlaceRef, source_ref
from app.validation import FilterValue, filter_values
from app.vocabularies.queries import resolve_codes

BY_NAME = SortKey(func.lower(Place.name))
# Pages name the networks a member accepted (over any years); an invitation or a request
# to join is not membership yet.
ACCEPTED = col(Membership.status) == MembershipStatus.active


CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$", max_length=2)]


class PlaceQuery(BaseModel):
    q: str | None = Field(
        default=None,
        max_length=200,
        description="Part of the place's name, or the start of any of its names (local, "
        "English, other languages), with or without diacritics: Koln, Cologne and Köln all "
        "find Köln.",
    )
    scope: Literal["catalogue", "all"] | None = Field(
        default=None,
        description="catalogue: places the reports name or with a published practice or a "
        "member; all: also the gazetteer's other populated places. By default the catalogue, "
        "and all places when searching with q.",
    )
    country: list[CountryCode] = filter_values(
        description="ISO 3166-1 alpha-2 country code; repeat for several."
    )
    level: list[FilterValue] = filter_values(
        description="Level code (GET /api/v1/vocabularies/place-level); repeat for several.",
        examples=[["municipality"]],
    )
    sort: Literal["name", "relevance"] | None = Field(
        default=None,
        description="name, or relevance (whole names first, then the largest place); by "
        "default relevance when searching with q, else name.",
    )
    limit: int = page_limit(50)
    cursor: str | None = page_cursor()


class OrganisationQuery(BaseModel):
    q: str | None = Field(
        default=None, max_length=200, description="Part of the organisation's name."
    )
    type: list[FilterValue] = filter_values(
        description="Organisation type code (GET /api/v1/vocabularies/organisation-type).",
        examples=[["lra"]],
    )
    country: list[CountryCode] = filter_values(
        description="Country of the organisation's place (ISO 3166-1 alpha-2).",
    )
    limit: int = page_limit(50)
    cursor: str | None = page_cursor()


class PagingQuery(BaseModel):
    limit: int = page_limit(50)
    cursor: str | None = page_cursor()


def practice_counts(
    session: Session, place_ids: list[int], viewer: Viewer = PUBLIC
) -> dict[int, int]:
    """Practices ``viewer`` may see led at each of ``place_ids`` (places with none left
    out), counted in the practice index."""
    index = practice_index(session)
    seen = index.visible(viewer)
    counts = {}
    for place_id in place_ids:
        rows = index.postings["place"].get(place_id)
        found = 0 if rows is None else int(np.count_nonzero(seen[rows]))
        if found:
            counts[place_id] = found
    return counts


def _place_summaries(session: Session, places: list[Place]) -> list[PlaceSummary]:
    parent_ids = {p.parent_id for p in places if p.parent_id}
    parents = {p.id: p for p in session.exec(select(Place).where(col(Place.id).in_(parent_ids)))}
    counts = practice_counts(session, [p.id for p in places if p.id])
    return [
        PlaceSummary(
            slug=p.slug,
            name=p.name,
            country=p.country,
            level=p.level,
            parent=PlaceRef.model_validate(parents[p.parent_id])
            if p.parent_id in parents
            else None,
            practice_count=counts.get(p.id or 0, 0),
            url=f"/places/{p.slug}",
        )
        for p in places
    ]


def narrowing(query: PlaceQuery) -> list[ColumnElement[bool]]:
    """The conditions of ``query``'s name, country and level (the list and its map)."""
    conditions = []
    if query.q:
        conditions.append(name_matches(query.q))
    if query.country:
        conditions.append(col(Place.country).in_([c.upper() for c in query.country]))
    if query.level:
        conditions.append(col(Place.level).in_(query.level))
    return conditions


def list_places(session: Session, query: PlaceQuery) -> Page[PlaceSummary]:
    if query.level:
        resolve_codes(session, "level", "place-level", query.level)
    sort = query.sort or ("relevance" if query.q else "name")
    statement = select(Place).where(*narrowing(query))
    if (query.scope or ("all" if query.q else "catalogue")) == "catalogue":
        statement = statement.where(col(Place.catalogued).is_(True))
    sliced = paginate(
        session,
        statement,
        id_column=col(Place.id),
        sort=(
            SortKey(relevance(query.q), CursorNumber)
            if sort == "relevance" and query.q
            else BY_NAME
        ),
        limit=query.limit,
        cursor=query.cursor,
    )
    return Page[PlaceSummary](
        items=_place_summaries(session, sliced.rows),
        total=sliced.total,
        next_cursor=sliced.next_cursor,
    )


# Facts a place shows from its country when it has none of its own, labelled as such.
INHERITED_FACTS = ("foreign-born-share",)


def _facts(session: Session, place: Place) -> list[FactOut]:
    """The place's facts, then its nearest enclosing place's for the keys it lacks."""

    def of(holder: Place) -> list[FactOut]:
        return [
            FactOut(
                key=f.key,
                label=f.label,
                value=f.value,
                unit=f.unit,
                text=f.text,
                year=f.year,
                cites=f.cites,
                source=source_ref(s),
                place=None if holder is place else PlaceRef.model_validate(holder),
            )
            for f, s in session.exec(
                select(PlaceFact, Source)
                .outerjoin(Source, col(Source.id) == PlaceFact.source_id)
                .where(PlaceFact.place_id == holder.id)
                .order_by(col(PlaceFact.id))
            )
        ]

    facts = of(place)
    missing = set(INHERITED_FACTS) - {f.key for f in facts}
    holder, seen = place, {place.id}
    while missing and holder.parent_id and holder.parent_id not in seen:
        parent = session.get(Place, holder.parent_id)
        if parent is None:
            break
        seen.add(parent.id)
        inherited = [f for f in of(parent) if f.key in missing]
        facts += inherited
        missing -= {f.key for f in inherited}
        holder = parent
    return facts


def get_place(
    session: Session, slug: str, viewer: Viewer = PUBLIC, *, practice_limit: int = 200
) -> PlaceDetail:
    place = session.exec(select(Place).where(Place.slug == slug)).first()
    if place is None:
        raise NotFound(gettext("no place %(slug)r", slug=slug))
    summary = _place_summaries(session, [place])[0]
    facts = _facts(session, place)
    children = [
        PlaceRef.model_validate(c)
        for c in session.exec(
            select(Place)
            .where(Place.parent_id == place.id, col(Place.catalogued).is_(True))
            .order_by(func.lower(Place.name))
            .limit(MAX_LISTED)
        )
    ]
    networks = [
        NetworkRef.model_validate(n)
        for n in session.exec(
            select(Network)
            .where(
                col(Network.id).in_(
                    select(Membership.network_id).where(Membership.place_id == place.id, ACCEPTED)
                )
            )
            .order_by(col(Network.name))
            .limit(MAX_LISTED)
        )
    ]
    practices = list_practices(session, PracticeQuery(place=[slug], limit=practice_limit), viewer)
    return PlaceDetail(
        **summary.model_dump(),
        urban_rural=place.urban_rural,
        migration_history=place.migration_history,
        arrival_groups=place.arrival_groups,
        governance_notes=place.governance_notes,
        geonames_id=place.geonames_id,
        latitude=place.latitude,
        longitude=place.longitude,
        facts=facts,
        children=children,
        networks=networks,
        practices=practices.items,
    )


def list_organisations(session: Session, query: OrganisationQuery) -> Page[OrganisationOut]:
    statement = select(Organisation)
    if query.q:
        statement = statement.where(contains(Organisation.name, query.q))
    if query.type:
        resolve_codes(session, "type", "organisation-type", query.type)
        statement = statement.where(col(Organisation.type).in_(query.type))
    if query.country:
        statement = statement.where(
            col(Organisation.place_id).in_(
                select(Place.id).where(col(Place.country).in_([c.upper() for c in query.country]))
            )
        )
    sliced = paginate(
        session,
        statement,
        id_column=col(Organisation.id),
        sort=SortKey(func.lower(Organisation.name)),
        limit=query.limit,
        cursor=query.cursor,
    )
    orgs = sliced.rows
    places = {
        p.id: p
        for p in session.exec(
            select(Place).where(col(Place.id).in_({o.place_id for o in orgs if o.place_id}))
        )
    }
    networks: dict[int, list[NetworkRef]] = defaultdict(list)
    for org_id, network in session.exec(
        select(Membership.organisation_id, Network)
        .join(Network, col(Network.id) == Membership.network_id)
        .where(col(Membership.organisation_id).in_([o.id for o in orgs]), ACCEPTED)
        .order_by(col(Network.name))
    ):
        if len(networks[org_id or 0]) < MAX_LISTED:
            networks[org_id or 0].append(NetworkRef.model_validate(network))
    items = [
        OrganisationOut(
            slug=o.slug,
            name=o.name,
            type=o.type,
            url=o.url,
            place=PlaceRef.model_validate(places[o.place_id]) if o.place_id in places else None,
            networks=networks[o.id or 0],
        )
        for o in orgs
    ]
    return Page[OrganisationOut](items=items, total=sliced.total, next_cursor=sliced.next_cursor)


def _network_summaries(session: Session, networks: list[Network]) -> list[NetworkSummary]:
    counts = dict(
        session.exec(
            select(Membership.network_id, func.count())
            .where(col(Membership.network_id).in_([n.id for n in networks]), ACCEPTED)
            .group_by(col(Membership.network_id))
        ).all()
    )
    return [
        NetworkSummary(
            slug=n.slug,
            name=n.name,
            description=n.description,
            url=n.url,
            member_count=counts.get(n.id or 0, 0),
        )
        for n in networks
    ]


def list_networks(session: Session, query: PagingQuery) -> Page[NetworkSummary]:
    statement = select(Network)
    sliced = paginate(
        session,
        statement,
        id_column=col(Network.id),
        sort=SortKey(func.lower(Network.name)),
        limit=query.limit,
        cursor=query.cursor,
    )
    return Page[NetworkSummary](
        items=_network_summaries(session, sliced.rows),
        total=sliced.total,
        next_cursor=sliced.next_cursor,
    )


def find_network(session: Session, slug: str) -> Network:
    network = session.exec(select(Network).where(Network.slug == slug)).first()
    if network is None:
        raise NotFound(gettext("no network %(slug)r", slug=slug))
    return network


def get_network(session: Session, slug: str) -> NetworkSummary:
    return _network_summaries(session, [find_network(session, slug)])[0]
