"""Peer matching: places whose context and practice profile resemble a place's, and why.

The model (documented in the README, "How peers are matched"):

- Six factors, each a similarity between 0 and 1:
  ``profile`` (cosine of the two places' practice profiles: activity types, goals, target
  groups, catalysts and policy areas of their published practices, each term weighted by
  how rare it is among places), ``population`` (1 − |log10 ratio|, so a place ten times the
  size scores 0), ``foreign_born`` (1 − difference in percentage points / 15),
  ``migration_history`` (long-standing, new, low as an ordinal scale: 1, ½, 0),
  ``level`` (same level 1, same tier ½) and ``urban_rural`` (same 1, mixed against
  either ½).
- The score is Σ weight × similarity over the factors known for both places, divided by
  the sum of all weights: a fact missing on either side adds nothing, so incomplete data
  lowers the score and the confidence (the share of the weight that was known) and can
  never lift a place to the top.
- A place's migration history is the nearest one recorded on it or an enclosing place
  (usually its country), and says so.

Places' features are loaded once into arrays and reused until the catalogue changes, so
ranking 5,000 candidates is a handful of vector operations.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from babel.numbers import format_decimal
from sqlalchemy import func
from sqlalchemy import select as sa_select  # sqlmodel's select types at most 4 columns
from sqlmodel import Session, col, select

from app.config import get_settings
from app.countries import country_name
from app.errors import InvalidParameter, NotFound
from app.i18n import N_, _, get_language, gettext
from app.models import (
    Place,
    PlaceFact,
    Practice,
    PracticeTerm,
    VocabularyScheme,
    VocabularyTerm,
    VocabularyTermAncestor,
)
from app.queries.cache import cached, loaded
from app.queries.places import practice_counts
from app.queries.practices import summaries
from app.queries.visibility import PUBLIC, Viewer, visible
from app.queries.vocabularies import scheme_terms
from app.schemas import (
    ComparedFact,
    ComparedScheme,
    ComparedTerm,
    Comparison,
    ContextIn,
    ContextOut,
    PeerFactor,
    PeerOut,
    PeerResults,
    PlaceRef,
    PracticeSummary,
    TermRef,
)

PROFILE_SCHEMES = ("activity-type", "goal", "target-group", "catalyst", "policy-area")
CHALLENGE_SCHEMES = ("catalyst", "policy-area")  # what a described place says it faces
HISTORY_SCALE = {"low": 0.0, "new": 0.5, "long-standing": 1.0}
URBAN_SCALE = {"rural": 0.0, "mixed": 0.5, "urban": 1.0}
# Levels that govern comparable things; peers are looked for within the same tier.
TIERS = {
    "neighbourhood": 0,
    "municipality": 0,
    "city-region": 0,
    "county": 1,
    "region": 1,
    "country": 2,
    "national-association": 3,
}
SHARE_SPAN = 15.0  # percentage points at which foreign-born shares count as unlike
FACTORS: dict[str, str] = {
    "profile": N_("What they work on"),
    "population": N_("Population"),
    "foreign_born": N_("Foreign-born residents"),
    "migration_history": N_("Migration history"),
    "level": N_("Level of government"),
    "urban_rural": N_("Urban or rural"),
}


def weights() -> dict[str, float]:
    """The factor weights from settings, normalised to add up to 1."""
    s = get_settings()
    raw = {
        "profile": s.peer_weight_profile,
        "population": s.peer_weight_population,
        "foreign_born": s.peer_weight_foreign_born,
        "migration_history": s.peer_weight_migration_history,
        "level": s.peer_weight_level,
        "urban_rural": s.peer_weight_urban_rural,
    }
    total = sum(raw.values()) or 1.0
    return {name: value / total for name, value in raw.items()}


# --- Features of every place, cached until the catalogue changes ---------------------------


@dataclass
class _Features:
    """One row per place; NaN where a fact is unknown."""

    ids: list[int]
    row: dict[int, int]
    places: list[Place]
    country: np.ndarray
    tier: np.ndarray
    level: np.ndarray  # index into LEVEL_CODES
    urban: np.ndarray
    history: np.ndarray
    history_from: list[int | None]  # place whose migration history was used, if inherited
    log_population: np.ndarray
    population: np.ndarray
    foreign_born: np.ndarray
    profile: np.ndarray  # rows L2-normalised; all zeros for places without practices
    has_profile: np.ndarray
    idf: np.ndarray
    term_ids: list[int]
    column: dict[int, int]  # term id -> profile column
    lineage: dict[int, set[int]] = field(default_factory=dict)  # place -> itself and ancestors
    within: dict[int, set[int]] = field(default_factory=dict)  # place -> places inside it


def place_features(session: Session) -> _Features:
    """Every place's features, as of the catalogue version last committed."""
    return loaded(session, "place features", _load)


def _latest_facts(session: Session, key: str) -> dict[int, float]:
    """The most recent value of fact ``key`` per place (the last recorded if years tie)."""
    values: dict[int, tuple[int, int, float]] = {}
    for place_id, year, fact_id, value in session.exec(
        select(PlaceFact.place_id, PlaceFact.year, PlaceFact.id, PlaceFact.value).where(
            PlaceFact.key == key, col(PlaceFact.value).is_not(None)
        )
    ):
        rank = (year or 0, fact_id or 0, float(value or 0))
        if place_id not in values or rank[:2] > values[place_id][:2]:
            values[place_id] = rank
    return {place_id: v[2] for place_id, v in values.items()}


def _load(session: Session) -> _Features:
    places = list(session.exec(select(Place).order_by(col(Place.id))))
    ids = [int(p.id or 0) for p in places]
    row = {place_id: i for i, place_id in enumerate(ids)}
    by_id = {p.id: p for p in places}
    n = len(places)

    def ancestry(place: Place) -> list[Place]:
        chain, seen = [place], {place.id}
        while chain[-1].parent_id in by_id and chain[-1].parent_id not in seen:
            parent = by_id[chain[-1].parent_id]
            seen.add(parent.id)
            chain.append(parent)
        return chain

    history = np.full(n, np.nan)
    history_from: list[int | None] = [None] * n
    lineage: dict[int, set[int]] = {}
    within: dict[int, set[int]] = defaultdict(set)
    for i, place in enumerate(places):
        chain = ancestry(place)
        lineage[ids[i]] = {int(p.id or 0) for p in chain}
        for holder in chain[1:]:
            within[int(holder.id or 0)].add(ids[i])
        for holder in chain:
            if holder.migration_history in HISTORY_SCALE:
                history[i] = HISTORY_SCALE[holder.migration_history]
                history_from[i] = None if holder is place else holder.id
                break
    population = np.full(n, np.nan)
    for place_id, value in _latest_facts(session, "population").items():
        if place_id in row and value > 0:
            population[row[place_id]] = value
    foreign_born = np.full(n, np.nan)
    for place_id, value in _latest_facts(session, "foreign-born-share").items():
        if place_id in row:
            foreign_born[row[place_id]] = value

    # Practice profiles: how often each term (or a sub-type of it) occurs among a place's
    # public practices.
    term_ids = list(
        session.exec(
            select(VocabularyTerm.id)
            .join(VocabularyScheme, col(VocabularyScheme.id) == VocabularyTerm.scheme_id)
            .where(col(VocabularyScheme.code).in_(PROFILE_SCHEMES))
            .order_by(col(VocabularyTerm.id))
        )
    )
    column = {int(t or 0): j for j, t in enumerate(term_ids)}
    counts = np.zeros((n, len(term_ids)), dtype=np.float32)
    for place_id, term_id, count in session.exec(
        select(
            Practice.place_id,
            VocabularyTermAncestor.ancestor_id,
            func.count(),
        )
        .join(PracticeTerm, col(PracticeTerm.practice_id) == Practice.id)
        .join(VocabularyTermAncestor, col(VocabularyTermAncestor.term_id) == PracticeTerm.term_id)
        .where(col(VocabularyTermAncestor.ancestor_id).in_(list(column)), *visible())
        .group_by(col(Practice.place_id), col(VocabularyTermAncestor.ancestor_id))
    ):
        if place_id in row:
            counts[row[place_id], column[term_id]] = count
    has_profile = counts.sum(axis=1) > 0
    document_frequency = (counts > 0).sum(axis=0)
    idf = (np.log((1 + has_profile.sum()) / (1 + document_frequency)) + 1).astype(np.float32)
    return _Features(
        ids=ids,
        row=row,
        places=places,
        country=np.array([p.country for p in places]),
        tier=np.array([TIERS.get(p.level, 4) for p in places]),
        level=np.array([p.level for p in places]),
        urban=np.array([URBAN_SCALE.get(p.urban_rural or "", np.nan) for p in places]),
        history=history,
        history_from=history_from,
        log_population=np.log10(population),
        population=population,
        foreign_born=foreign_born,
        profile=_normalised(counts * idf),
        has_profile=has_profile,
        idf=idf,
        term_ids=[int(t or 0) for t in term_ids],
        column=column,
        lineage=lineage,
        within=dict(within),
    )


def _normalised(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    result: np.ndarray = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    return result


# --- The subject: a place in the catalogue, or one described ------------------------------


@dataclass
class _Subject:
    place: Place | None
    country: str | None
    level: str | None
    urban: float
    history: float
    history_from: int | None
    population: float
    foreign_born: float
    profile: np.ndarray
    challenges: list[TermRef]
    activity_types: set[int]  # for "what they do that you don't"
    exclude: set[int]  # place ids never suggested (itself, what encloses it)


def _place_subject(session: Session, features: _Features, slug: str) -> _Subject:
    place = session.exec(select(Place).where(Place.slug == slug)).first()
    if place is None or place.id not in features.row:
        raise NotFound(gettext("no place %(slug)r", slug=slug))
    return replace(
        _catalogued(features, place),
        activity_types=_activity_types(session, place.id),
        exclude=features.lineage[place.id] | features.within.get(place.id, set()),
    )


def _catalogued(features: _Features, place: Place) -> _Subject:
    """A catalogued place as a subject, from its cached features."""
    i = features.row[int(place.id or 0)]
    return _Subject(
        place=place,
        country=place.country,
        level=place.level,
        urban=float(features.urban[i]),
        history=float(features.history[i]),
        history_from=features.history_from[i],
        population=float(features.population[i]),
        foreign_born=float(features.foreign_born[i]),
        profile=features.profile[i],
        challenges=[],
        activity_types=set(),
        exclude=set(),
    )


def _described_subject(session: Session, features: _Features, context: ContextIn) -> _Subject:
    country = context.country.upper() if context.country else None
    if country and country_name(country) is None:
        raise InvalidParameter(
            "country", gettext("unknown country %(code)r; use ISO 3166-1 alpha-2", code=country)
        )
    if context.level not in TIERS:
        raise InvalidParameter("level", gettext("unknown level %(code)r", code=context.level))
    history, history_from = math.nan, None
    if context.migration_history:
        history = HISTORY_SCALE[context.migration_history]
    elif country:
        # Like a catalogued place, a described one takes its country's migration history.
        for i, place in enumerate(features.places):
            if place.country == country and place.level == "country":
                history, history_from = float(features.history[i]), place.id
                break
    vector = np.zeros(len(features.term_ids), dtype=np.float32)
    challenges: list[TermRef] = []
    chosen = set(context.challenges)
    for scheme in CHALLENGE_SCHEMES:
        for code, term in scheme_terms(session, scheme).items():
            if code in chosen:
                chosen.discard(code)
                challenges.append(TermRef(code=code, label=term.label))
                if term.id in features.column:
                    j = features.column[term.id]
                    vector[j] = features.idf[j]
    if chosen:
        raise InvalidParameter(
            "challenges",
            gettext("unknown challenge %(codes)s", codes=", ".join(sorted(map(repr, chosen)))),
        )
    return _Subject(
        place=None,
        country=country,
        level=context.level,
        urban=URBAN_SCALE.get(context.urban_rural or "", math.nan),
        history=history,
        history_from=history_from,
        population=float(context.population) if context.population else math.nan,
        foreign_born=math.nan if context.foreign_born_share is None else context.foreign_born_share,
        profile=_normalised(vector),
        challenges=challenges,
        activity_types=set(),
        exclude=set(),
    )


def _activity_type_ids() -> Any:
    return (
        select(VocabularyTerm.id)
        .join(VocabularyScheme, col(VocabularyScheme.id) == VocabularyTerm.scheme_id)
        .where(VocabularyScheme.code == "activity-type")
    )


def _activity_types(session: Session, place_id: int) -> set[int]:
    """Activity-type terms of the place's public practices."""
    return set(
        session.exec(
            select(PracticeTerm.term_id)
            .join(Practice, col(Practice.id) == PracticeTerm.practice_id)
            .where(Practice.place_id == place_id, *visible())
            .where(col(PracticeTerm.term_id).in_(_activity_type_ids()))
            .distinct()
        )
    )


# --- Scoring -----------------------------------------------------------------------------


def _similarities(features: _Features, s: _Subject) -> dict[str, np.ndarray]:
    """Each factor's similarity for every place; NaN where unknown on either side."""

    def closeness(values: np.ndarray, own: float, span: float) -> np.ndarray:
        result: np.ndarray = np.clip(1.0 - np.abs(values - own) / span, 0.0, 1.0)
        return result  # NaN stays NaN

    own_tier = TIERS.get(s.level or "", 4)
    level = np.where(features.level == s.level, 1.0, np.where(features.tier == own_tier, 0.5, 0))
    if s.level is None:
        level = np.full(len(features.ids), np.nan)
    profile = features.profile @ s.profile
    profile = np.where(features.has_profile & bool(s.profile.any()), profile, np.nan)
    return {
        "profile": profile,
        "population": closeness(features.log_population, math.log10(s.population), 1.0)
        if s.population > 0
        else np.full(len(features.ids), np.nan),
        "foreign_born": closeness(features.foreign_born, s.foreign_born, SHARE_SPAN),
        "migration_history": closeness(features.history, s.history, 1.0),
        "level": level,
        "urban_rural": closeness(features.urban, s.urban, 1.0),
    }


def _rank(
    features: _Features, s: _Subject, *, across_borders: bool, limit: int
) -> tuple[list[int], dict[str, np.ndarray], np.ndarray, np.ndarray, int]:
    w = weights()
    sims = _similarities(features, s)
    score = np.zeros(len(features.ids))
    known = np.zeros(len(features.ids))
    context_known = np.zeros(len(features.ids), dtype=bool)
    for name, values in sims.items():
        present = ~np.isnan(values)
        score += w[name] * np.where(present, values, 0.0)
        known += w[name] * present
        if name != "level":
            context_known |= present
    eligible = features.tier == TIERS.get(s.level or "", features.tier)
    eligible &= context_known  # a level alone says too little to call a place a peer
    if across_borders and s.country:
        eligible &= features.country != s.country
    for place_id in s.exclude:
        eligible[features.row[place_id]] = False
    candidates = int(eligible.sum())
    order = np.lexsort((-known, -score))  # best score first, then the better known
    chosen = [int(i) for i in order if eligible[i]][:limit]
    return chosen, sims, score, known, candidates


# --- Explanations ------------------------------------------------------------------------


def _fmt_population(value: float) -> str | None:
    return None if math.isnan(value) else format_decimal(value, locale=get_language())


def _fmt_share(value: float) -> str | None:
    if math.isnan(value):
        return None
    return _("%(value)s%%", value=format_decimal(value, locale=get_language()))


def _fmt_scale(value: float, scale: dict[str, float], labels: dict[str, str]) -> str | None:
    for code, position in scale.items():
        if not math.isnan(value) and position == value:
            return labels.get(code, code)
    return None


@dataclass
class _Labels:
    levels: dict[str, str]
    histories: dict[str, str]
    terms: dict[int, TermRef]
    urban: dict[str, str]


def _labels(session: Session) -> _Labels:
    terms: dict[int, TermRef] = {}
    for scheme in PROFILE_SCHEMES:
        for code, term in scheme_terms(session, scheme).items():
            terms[term.id] = TermRef(code=code, label=term.label)
    return _Labels(
        levels={c: t.label for c, t in scheme_terms(session, "place-level").items()},
        histories={c: t.label for c, t in scheme_terms(session, "migration-history").items()},
        terms=terms,
        urban={"urban": _("Urban"), "rural": _("Rural"), "mixed": _("Mixed")},
    )


def _values(
    features: _Features, labels: _Labels, i: int | None, s: _Subject
) -> dict[str, str | None]:
    """Each factor's value for place row ``i`` (or the subject when ``None``), as shown."""
    if i is None:
        urban, history = s.urban, s.history
        population, share, level = s.population, s.foreign_born, s.level
    else:
        urban, history = float(features.urban[i]), float(features.history[i])
        population, share = float(features.population[i]), float(features.foreign_born[i])
        level = str(features.level[i])
    return {
        "population": _fmt_population(population),
        "foreign_born": _fmt_share(share),
        "migration_history": _fmt_scale(history, HISTORY_SCALE, labels.histories),
        "level": labels.levels.get(level or "", level),
        "urban_rural": _fmt_scale(urban, URBAN_SCALE, labels.urban),
    }


def _inherited_note(features: _Features, place_id: int | None) -> str | None:
    if place_id is None:
        return None
    return _("as recorded for %(place)s", place=features.places[features.row[place_id]].name)


def _shared_terms(features: _Features, labels: _Labels, s: _Subject, i: int) -> list[TermRef]:
    overlap = features.profile[i] * s.profile
    top = [int(j) for j in np.argsort(-overlap)[:5] if overlap[j] > 0]
    return [labels.terms[features.term_ids[j]] for j in top if features.term_ids[j] in labels.terms]


def _explain(
    session: Session,
    features: _Features,
    s: _Subject,
    rows: list[int],
    sims: dict[str, np.ndarray],
    score: np.ndarray,
    known: np.ndarray,
    viewer: Viewer,
    labels: _Labels,
) -> list[PeerOut]:
    w = weights()
    own = _values(features, labels, None, s)
    peer_ids = [features.ids[i] for i in rows]
    complementary = _complementary(session, s, peer_ids, viewer)
    counts = practice_counts(session, peer_ids, viewer)
    result = []
    for i in rows:
        place = features.places[i]
        theirs = _values(features, labels, i, s)
        factors = []
        for name, label in FACTORS.items():
            value = float(sims[name][i])
            factors.append(
                PeerFactor(
                    factor=name,
                    label=_(label),
                    weight=round(w[name], 4),
                    similarity=None if math.isnan(value) else round(value, 4),
                    contribution=0.0 if math.isnan(value) else round(w[name] * value, 4),
                    here=own.get(name),
                    there=theirs.get(name),
                    here_note=_inherited_note(features, s.history_from)
                    if name == "migration_history" and not math.isnan(s.history)
                    else None,
                    there_note=_inherited_note(features, features.history_from[i])
                    if name == "migration_history" and not math.isnan(features.history[i])
                    else None,
                )
            )
        factors.sort(key=lambda f: -f.contribution)
        result.append(
            PeerOut(
                place=PlaceRef.model_validate(place),
                url=f"/places/{place.slug}",
                practice_count=counts.get(features.ids[i], 0),
                score=round(float(score[i]), 4),
                confidence=round(float(known[i]), 4),
                factors=factors,
                shared_terms=_shared_terms(features, labels, s, i),
                complementary=complementary.get(features.ids[i], []),
            )
        )
    return result


def _complementary(
    session: Session, s: _Subject, peer_ids: list[int], viewer: Viewer, per_peer: int = 3
) -> dict[int, list[PracticeSummary]]:
    """Up to ``per_peer`` practices of each peer whose activity types the subject lacks."""
    if not peer_ids:
        return {}
    # Practices with an activity type the subject lacks, newest first, numbered per place.
    lacking = sa_select(col(PracticeTerm.practice_id)).where(
        col(PracticeTerm.practice_id) == Practice.id,
        col(PracticeTerm.term_id).in_(_activity_type_ids()),
        col(PracticeTerm.term_id).not_in(s.activity_types),
    )
    numbered = (
        sa_select(
            col(Practice.id).label("id"),
            col(Practice.place_id).label("place_id"),
            func.row_number()
            .over(
                partition_by=col(Practice.place_id),
                order_by=(col(Practice.published_at).desc(), col(Practice.id)),
            )
            .label("n"),
        )
        .where(col(Practice.place_id).in_(peer_ids), lacking.exists())
        .where(*visible(viewer))
        .subquery()
    )
    picked: dict[int, list[int]] = defaultdict(list)
    for practice_id, place_id in session.execute(
        sa_select(numbered.c.id, numbered.c.place_id)
        .where(numbered.c.n <= per_peer)
        .order_by(numbered.c.place_id, numbered.c.n)
    ):
        picked[place_id].append(int(practice_id))
    wanted = [i for group in picked.values() for i in group]
    practices = session.exec(select(Practice).where(col(Practice.id).in_(wanted))).all()
    cards = summaries(session, practices)
    by_id = {int(p.id or 0): card for p, card in zip(practices, cards, strict=True)}
    return {place_id: [by_id[i] for i in group] for place_id, group in picked.items() if group}


def _context_out(features: _Features, labels: _Labels, s: _Subject) -> ContextOut:
    values = _values(features, labels, None, s)
    return ContextOut(
        place=PlaceRef.model_validate(s.place) if s.place else None,
        country=s.country,
        level=s.level,
        population=None if math.isnan(s.population) else s.population,
        foreign_born_share=None if math.isnan(s.foreign_born) else s.foreign_born,
        migration_history=next((c for c, v in HISTORY_SCALE.items() if v == s.history), None),
        migration_history_note=_inherited_note(features, s.history_from)
        if not math.isnan(s.history)
        else None,
        urban_rural=next((c for c, v in URBAN_SCALE.items() if v == s.urban), None),
        challenges=s.challenges,
        shown=values,
    )


def _results(
    session: Session,
    features: _Features,
    s: _Subject,
    *,
    across_borders: bool,
    limit: int,
    viewer: Viewer,
) -> PeerResults:
    rows, sims, score, known, candidates = _rank(
        features, s, across_borders=across_borders, limit=limit
    )
    labels = _labels(session)
    return PeerResults(
        subject=_context_out(features, labels, s),
        across_borders=across_borders and s.country is not None,
        candidates=candidates,
        items=_explain(session, features, s, rows, sims, score, known, viewer, labels),
    )


def find_peers(
    session: Session,
    place: str | ContextIn,
    *,
    across_borders: bool = True,
    limit: int = 10,
    viewer: Viewer = PUBLIC,
) -> PeerResults:
    """Places most like ``place`` (a catalogued place's slug, or a place described by its
    context), best first, each with why."""

    def compute() -> PeerResults:
        features = place_features(session)
        subject = (
            _place_subject(session, features, place)
            if isinstance(place, str)
            else _described_subject(session, features, place)
        )
        return _results(
            session, features, subject, across_borders=across_borders, limit=limit, viewer=viewer
        )

    described = place if isinstance(place, str) else place.model_dump_json()
    key = (described, across_borders, limit, viewer, tuple(weights().items()))
    return cached(session, "peers", key, compute)


def context_similarity(
    session: Session, place_id: int, others: list[int]
) -> dict[int, tuple[float, list[str]]]:
    """How alike place ``place_id`` is to each of ``others`` in context alone (practices
    left out), 0 to 1, with the labels of the factors that are close (≥ 0.75); used to
    explain similar practices."""
    features = place_features(session)
    if place_id not in features.row:
        return {}
    sims = _similarities(features, _catalogued(features, features.places[features.row[place_id]]))
    w = weights()
    total = sum(w[name] for name in sims if name != "profile") or 1.0
    result = {}
    for other in others:
        j = features.row.get(other)
        if j is None:
            continue
        value, close = 0.0, []
        for name, values in sims.items():
            if name != "profile" and not math.isnan(values[j]):
                value += w[name] * float(values[j])
                if values[j] >= 0.75 and name != "level":
                    close.append(_(FACTORS[name]))
        result[other] = (value / total, close)
    return result


# --- Side by side --------------------------------------------------------------------------

COMPARED_SCHEMES = ("activity-type", "goal", "target-group", "policy-area", "evidence-level")


def compare_places(session: Session, a: str, b: str, viewer: Viewer = PUBLIC) -> Comparison:
    """Two places side by side: context, practice profile by typology, evidence levels,
    and how alike the matching model finds them."""
    features = place_features(session)
    first = _place_subject(session, features, a)
    second = _place_subject(session, features, b)
    assert first.place is not None and second.place is not None
    i, j = features.row[int(first.place.id or 0)], features.row[int(second.place.id or 0)]
    labels = _labels(session)
    sims = _similarities(features, first)
    w = weights()
    known = sum(w[n] for n, v in sims.items() if not math.isnan(v[j]))
    score = sum(w[n] * float(v[j]) for n, v in sims.items() if not math.isnan(v[j]))
    peer = _explain(
        session,
        features,
        first,
        [j],
        sims,
        np.full(len(features.ids), score),
        np.full(len(features.ids), known),
        viewer,
        labels,
    )[0]
    ids = [features.ids[i], features.ids[j]]
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for place_id, scheme, code, number in session.exec(
        select(
            Practice.place_id,
            VocabularyScheme.code,
            VocabularyTerm.code,
            func.count(func.distinct(Practice.id)),
        )
        .join(PracticeTerm, col(PracticeTerm.practice_id) == Practice.id)
        .join(VocabularyTerm, col(VocabularyTerm.id) == PracticeTerm.term_id)
        .join(VocabularyScheme, col(VocabularyScheme.id) == VocabularyTerm.scheme_id)
        .where(col(Practice.place_id).in_(ids), col(VocabularyScheme.code).in_(COMPARED_SCHEMES))
        .where(*visible(viewer))
        .group_by(col(Practice.place_id), col(VocabularyScheme.code), col(VocabularyTerm.code))
    ):
        counts[(scheme, code)][ids.index(place_id)] = number
    profile = []
    for scheme in COMPARED_SCHEMES:
        terms = scheme_terms(session, scheme)
        rows = [
            ComparedTerm(code=code, label=term.label, counts=counts[(scheme, code)])
            for code, term in terms.items()
            if (scheme, code) in counts
        ]
        rows.sort(key=lambda r: (-sum(r.counts), r.label))
        profile.append(ComparedScheme(scheme=scheme, rows=rows))
    totals = practice_counts(session, ids, viewer)
    here, there = _values(features, labels, None, first), _values(features, labels, j, second)
    notes = (
        _inherited_note(features, first.history_from),
        _inherited_note(features, features.history_from[j]),
    )
    context = [
        ComparedFact(
            factor=name,
            label=_(FACTORS[name]),
            values=[here.get(name), there.get(name)],
            notes=list(notes) if name == "migration_history" else [None, None],
        )
        for name in FACTORS
        if name != "profile"
    ]
    return Comparison(
        places=[PlaceRef.model_validate(first.place), PlaceRef.model_validate(second.place)],
        practice_counts=[totals.get(ids[0], 0), totals.get(ids[1], 0)],
        context=context,
        profile=profile,
        similarity=peer,
    )
