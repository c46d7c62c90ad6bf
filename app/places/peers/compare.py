"""Two places side by side."""

import math
from collections import defaultdict

import numpy as np
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.i18n import _
from app.models.practices import Practice, PracticeTerm
from app.models.vocabularies import VocabularyScheme, VocabularyTerm
from app.permissions import PUBLIC, Viewer, visible
from app.places.peers.explanations import explain, inherited_note, place_values, vocabulary_labels
from app.places.peers.features import place_features
from app.places.peers.schemas import (
    ComparedFact,
    ComparedScheme,
    ComparedTerm,
    Comparison,
)
from app.places.peers.scoring import FACTORS, PRACTICE_FACTORS, similarities, weights
from app.places.peers.subjects import place_subject
from app.places.queries import practice_counts
from app.schemas import PlaceRef
from app.vocabularies.queries import scheme_terms

COMPARED_SCHEMES = ("activity-type", "goal", "target-group", "policy-area", "evidence-level")


def compare_places(session: Session, a: str, b: str, viewer: Viewer = PUBLIC) -> Comparison:
    """Two places side by side: context, practice profile by typology, evidence levels,
    and how alike the matching model finds them."""
    features = place_features(session)
    first = place_subject(session, features, a)
    second = place_subject(session, features, b)
    assert first.place is not None and second.place is not None
    i, j = features.row[int(first.place.id or 0)], features.row[int(second.place.id or 0)]
    labels = vocabulary_labels(session)
    sims = similarities(features, first)
    w = weights()
    known = sum(w[n] for n, v in sims.items() if not math.isnan(v[j]))
    score = sum(w[n] * float(v[j]) for n, v in sims.items() if not math.isnan(v[j]))
    peer = explain(
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
    here, there = (
        place_values(features, labels, None, first),
        place_values(features, labels, j, second),
    )
    notes = (
        inherited_note(features, first.history_from),
        inherited_note(features, features.history_from[j]),
    )
    context = [
        ComparedFact(
            factor=name,
            label=_(FACTORS[name]),
            values=[here.get(name), there.get(name)],
            notes=list(notes) if name == "migration_history" else [None, None],
        )
        for name in FACTORS
        if name not in PRACTICE_FACTORS
    ]
    return Comparison(
        places=[PlaceRef.model_validate(first.place), PlaceRef.model_validate(second.place)],
        practice_counts=[totals.get(ids[0], 0), totals.get(ids[1], 0)],
        context=context,
        profile=profile,
        similarity=peer,
    )
