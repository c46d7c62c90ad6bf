"""Why a place is suggested: every factor in words, shared terms and complementary practices."""

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from babel.numbers import format_decimal
from sqlmodel import Session

from app.catalogue.cache import Update, loaded, unchanged
from app.catalogue.practice_index import practice_index
from app.dilemmas.writes import CLUSTERS
from app.i18n import N_, _, get_language
from app.permissions import Viewer
from app.places.peers.dilemmas import shared_dilemmas
from app.places.peers.features import HISTORY_SCALE, URBAN_SCALE, Features
from app.places.peers.schemas import ContextOut, PeerFactor, PeerOut, SharedTerms
from app.places.peers.scoring import FACTORS, weights
from app.places.peers.subjects import Subject
from app.places.peers.terms import CHALLENGE_SCHEMES, PROFILE_SCHEMES, shared_challenges
from app.places.queries import practice_counts
from app.practices.detail import cached_summaries
from app.practices.schemas import PracticeSummary
from app.schemas import PlaceRef, TermRef
from app.vocabularies.queries import scheme_terms

# What sharing terms of each challenge scheme means, as the explanation says it.
SHARED = {
    "catalyst": N_("Both face"),
    "policy-area": N_("Both work on"),
    "target-group": N_("Both reach"),
}


@lru_cache(maxsize=65_536)
def _decimal(value: float, language: str) -> str:
    """``value`` as written in ``language``; a peer answer shows a dozen places' figures,
    and Babel takes a tenth of a millisecond for each."""
    return format_decimal(value, locale=language)


def _fmt_population(value: float) -> str | None:
    return None if math.isnan(value) else _decimal(value, get_language())


def _fmt_share(value: float) -> str | None:
    if math.isnan(value):
        return None
    return _("%(value)s%%", value=_decimal(value, get_language()))


def _fmt_scale(value: float, scale: dict[str, float], labels: dict[str, str]) -> str | None:
    for code, position in scale.items():
        if not math.isnan(value) and position == value:
            return labels.get(code, code)
    return None


@dataclass
class VocabularyLabels:
    levels: dict[str, str]
    histories: dict[str, str]
    terms: dict[int, TermRef]
    dilemmas: dict[str, TermRef]  # code -> the cluster
    urban: dict[str, str]


def vocabulary_labels(session: Session) -> VocabularyLabels:
    """The labels explanations use, in the reader's language; read once per catalogue
    version and language (like the features), so that a peer search computed afresh does
    not read the vocabularies again."""
    same: Update[VocabularyLabels] = unchanged  # practices do not change labels
    return loaded(session, f"peer labels {get_language()}", _labels, same)


def _labels(session: Session) -> VocabularyLabels:
    terms: dict[int, TermRef] = {}
    for scheme in (*PROFILE_SCHEMES, *CHALLENGE_SCHEMES):
        for code, term in scheme_terms(session, scheme).items():
            terms[term.id] = TermRef(code=code, label=term.label)
    return VocabularyLabels(
        levels={c: t.label for c, t in scheme_terms(session, "place-level").items()},
        histories={c: t.label for c, t in scheme_terms(session, "migration-history").items()},
        terms=terms,
        dilemmas={
            c: TermRef(code=c, label=t.label) for c, t in scheme_terms(session, CLUSTERS).items()
        },
        urban={"urban": _("Urban"), "rural": _("Rural"), "mixed": _("Mixed")},
    )


def place_values(
    features: Features, labels: VocabularyLabels, i: int | None, s: Subject
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


def inherited_note(features: Features, place_id: int | None) -> str | None:
    if place_id is None:
        return None
    return _("as recorded for %(place)s", place=features.places[features.row[place_id]].name)


def _shared_terms(
    features: Features, labels: VocabularyLabels, s: Subject, i: int
) -> list[TermRef]:
    overlap = features.terms.profile_of(i) * s.profile
    top = [int(j) for j in np.argsort(-overlap)[:5] if overlap[j] > 0]
    ids = features.terms.profile_ids
    return [labels.terms[ids[j]] for j in top if ids[j] in labels.terms]


def _shared_challenges(
    features: Features, labels: VocabularyLabels, s: Subject, i: int
) -> list[SharedTerms]:
    grouped = shared_challenges(features.terms, s.challenges_vector, i)
    return [
        SharedTerms(
            scheme=CHALLENGE_SCHEMES[k],
            label=_(SHARED[CHALLENGE_SCHEMES[k]]),
            terms=[labels.terms[t] for t in grouped[k] if t in labels.terms],
        )
        for k in sorted(grouped)
    ]


def explain(
    session: Session,
    features: Features,
    s: Subject,
    rows: list[int],
    sims: dict[str, np.ndarray],
    score: np.ndarray,
    known: np.ndarray,
    viewer: Viewer,
    labels: VocabularyLabels,
) -> list[PeerOut]:
    w = weights()
    own = place_values(features, labels, None, s)
    peer_ids = [features.ids[i] for i in rows]
    complementary = _complementary(session, s, peer_ids, viewer)
    counts = practice_counts(session, peer_ids, viewer)
    result = []
    for i in rows:
        place = features.places[i]
        theirs = place_values(features, labels, i, s)
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
                    here_note=inherited_note(features, s.history_from)
                    if name == "migration_history" and not math.isnan(s.history)
                    else None,
                    there_note=inherited_note(features, features.history_from[i])
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
                shared_challenges=_shared_challenges(features, labels, s, i),
                shared_dilemmas=[
                    labels.dilemmas.get(code, TermRef(code=code, label=code))
                    for code in shared_dilemmas(features.dilemmas, s.dilemmas, i)
                ],
                complementary=complementary.get(features.ids[i], []),
            )
        )
    return result


def _complementary(
    session: Session, s: Subject, peer_ids: list[int], viewer: Viewer, per_peer: int = 3
) -> dict[int, list[PracticeSummary]]:
    """Up to ``per_peer`` practices of each peer, newest first, with an activity type the
    subject lacks."""
    index = practice_index(session)
    lacking = [t for t in index.postings["activity"] if t not in s.activity_types]
    eligible = index.visible(viewer) & index.having("activity", lacking)
    places = index.postings["place"]
    picked = {}
    for place_id in peer_ids:
        rows = places.get(place_id, np.zeros(0, dtype=np.int64))
        newest = index.newest(rows[eligible[rows]], per_peer)
        if newest:
            picked[place_id] = newest
    wanted = [i for group in picked.values() for i in group]
    by_id = dict(zip(wanted, cached_summaries(session, wanted), strict=True))
    return {place_id: [by_id[i] for i in group] for place_id, group in picked.items()}


def context_out(features: Features, labels: VocabularyLabels, s: Subject) -> ContextOut:
    values = place_values(features, labels, None, s)
    return ContextOut(
        place=PlaceRef.model_validate(s.place) if s.place else None,
        country=s.country,
        level=s.level,
        population=None if math.isnan(s.population) else s.population,
        foreign_born_share=None if math.isnan(s.foreign_born) else s.foreign_born,
        migration_history=next((c for c, v in HISTORY_SCALE.items() if v == s.history), None),
        migration_history_note=inherited_note(features, s.history_from)
        if not math.isnan(s.history)
        else None,
        urban_rural=next((c for c, v in URBAN_SCALE.items() if v == s.urban), None),
        challenges=s.challenges,
        shown=values,
    )
