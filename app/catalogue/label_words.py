"""The words of the vocabulary's labels in all six languages, and which terms hold them.

A practice is classified by terms, and each term has a label in every interface language,
so its classification says what it is about in languages its text is not written in: a
German reader's "Gerüchte" finds what is classified as countering rumours, whatever
language the practice is written in. The index keeps which practices carry each term
(including the terms below it), so a label's words match through these few hundred terms
instead of being stored six times over with every practice.
"""

from collections import defaultdict

import numpy as np
from sqlmodel import Session, select

from app.catalogue.search import TOKEN
from app.catalogue.stemming import stem
from app.i18n import DEFAULT_LANGUAGE
from app.models.vocabularies import VocabularyTerm, VocabularyTermTranslation

LabelWords = dict[str, np.ndarray]  # stem -> ids of the terms whose label holds it


def label_words(session: Session) -> LabelWords:
    """Every stem of every term's label, in each language it is labelled in."""
    labels: list[tuple[int | None, str, str]] = [
        (term_id, label, DEFAULT_LANGUAGE)
        for term_id, label in session.exec(select(VocabularyTerm.id, VocabularyTerm.label))
    ]
    labels += session.exec(
        select(
            VocabularyTermTranslation.term_id,
            VocabularyTermTranslation.label,
            VocabularyTermTranslation.language,
        )
    ).all()
    terms: dict[str, set[int]] = defaultdict(set)
    for term_id, label, language in labels:
        for word in TOKEN.findall(label.lower()):
            if term_id is not None and (key := stem(word, language)):
                terms[key].add(term_id)
    return {key: np.array(sorted(ids), dtype=np.int64) for key, ids in terms.items()}
