"""How alike two places are, factor by factor, and the ranking of candidates."""

import math

import numpy as np
from sqlmodel import Session

from app.config import get_settings
from app.i18n import N_, _
from app.places.peers.dilemmas import dilemma_similarity
from app.places.peers.features import SHARE_SPAN, TIERS, Features, place_features
from app.places.peers.subjects import Subject, catalogued
from app.places.peers.terms import challenge_similarity, profile_similarity

FACTORS: dict[str, str] = {
    "profile": N_("How they work"),
    "challenges": N_("What they face"),
    "dilemmas": N_("Dilemmas they faced"),
    "population": N_("Population"),
    "foreign_born": N_("Foreign-born residents"),
    "migration_history": N_("Migration history"),
    "level": N_("Level of government"),
    "urban_rural": N_("Urban or rural"),
}


# Factors read from a place's practices and dilemma log; the rest are its context.
PRACTICE_FACTORS = ("profile", "challenges", "dilemmas")


def weights() -> dict[str, float]:
    """The factor weights from settings, normalised to add up to 1."""
    s = get_settings()
    raw = {
        "profile": s.peer_weight_profile,
        "challenges": s.peer_weight_challenges,
        "dilemmas": s.peer_weight_dilemmas,
        "population": s.peer_weight_population,
        "foreign_born": s.peer_weight_foreign_born,
        "migration_history": s.peer_weight_migration_history,
        "level": s.peer_weight_level,
        "urban_rural": s.peer_weight_urban_rural,
    }
    total = sum(raw.values()) or 1.0
    return {name: value / total for name, value in raw.items()}


def similarities(features: Features, s: Subject) -> dict[str, np.ndarray]:
    """Each factor's similarity for every place; NaN where unknown on either side."""

    def closeness(values: np.ndarray, own: float, span: float) -> np.ndarray:
        result: np.ndarray = np.clip(1.0 - np.abs(values - own) / span, 0.0, 1.0)
        return result  # NaN stays NaN

    own_tier = TIERS.get(s.level or "", 4)
    level = np.where(features.level == s.level, 1.0, np.where(features.tier == own_tier, 0.5, 0))
    if s.level is None:
        level = np.full(len(features.ids), np.nan)
    return {
        "profile": profile_similarity(features.terms, s.profile),
        "challenges": challenge_similarity(features.terms, s.challenges_vector),
        "dilemmas": dilemma_similarity(features.dilemmas, s.dilemmas),
        "population": closeness(features.log_population, math.log10(s.population), 1.0)
        if s.population > 0
        else np.full(len(features.ids), np.nan),
        "foreign_born": closeness(features.foreign_born, s.foreign_born, SHARE_SPAN),
        "migration_history": closeness(features.history, s.history, 1.0),
        "level": level,
        "urban_rural": closeness(features.urban, s.urban, 1.0),
    }


def rank(
    features: Features,
    s: Subject,
    *,
    across_borders: bool,
    limit: int,
    include_empty: bool = False,
) -> tuple[list[int], dict[str, np.ndarray], np.ndarray, np.ndarray, int]:
    """The rows of the best ``limit`` candidates, best first; each factor's similarities,
    the scores and confidences of every row, and how many places were candidates.

    Candidates are places of the subject's tier, with some context fact known besides the
    level, in other countries when ``across_borders``, with at least one published
    practice unless ``include_empty``, and never the subject or places enclosing or
    within it."""
    w = weights()
    sims = similarities(features, s)
    n = len(features.ids)
    score = np.zeros(n)
    known = np.zeros(n)
    context_known = np.zeros(n, dtype=bool)
    for name, values in sims.items():
        present = ~np.isnan(values)
        score += w[name] * np.where(present, values, 0.0)
        known += w[name] * present
        if name != "level":
            context_known |= present
    eligible = features.tier == TIERS.get(s.level or "", features.tier)
    eligible &= context_known  # a level alone says too little to call a place a peer
    if not include_empty:
        eligible &= features.practices > 0  # something to learn from
    if across_borders and s.country:
        eligible &= features.country != s.country
    if s.exclude:
        eligible[[features.row[p] for p in s.exclude if p in features.row]] = False
    rows = np.flatnonzero(eligible)
    candidates = len(rows)
    if candidates > limit:
        # Only the places scoring at least the limit-th best score (ties included) need
        # sorting.
        threshold = np.partition(score[rows], candidates - limit)[candidates - limit]
        rows = rows[score[rows] >= threshold]
    # Best first; among equals the better known, then the one with more to read.
    order = np.lexsort((rows, -features.practices[rows], -known[rows], -score[rows]))
    chosen = [int(i) for i in rows[order][:limit]]
    return chosen, sims, score, known, candidates


def context_similarity(
    session: Session, place_id: int, others: list[int]
) -> dict[int, tuple[float, list[str]]]:
    """How alike place ``place_id`` is to each of ``others`` in context alone (practices
    left out), 0 to 1, with the labels of the factors that are close (≥ 0.75); used to
    explain similar practices."""
    features = place_features(session)
    if place_id not in features.row:
        return {}
    sims = similarities(features, catalogued(features, features.places[features.row[place_id]]))
    w = weights()
    total = sum(w[name] for name in sims if name not in PRACTICE_FACTORS) or 1.0
    result = {}
    for other in others:
        j = features.row.get(other)
        if j is None:
            continue
        value, close = 0.0, []
        for name, values in sims.items():
            if name not in PRACTICE_FACTORS and not math.isnan(values[j]):
                value += w[name] * float(values[j])
                if values[j] >= 0.75 and name != "level":
                    close.append(_(FACTORS[name]))
        result[other] = (value / total, close)
    return result
