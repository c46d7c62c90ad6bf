"""Similar practices elsewhere: what a practice's page suggests next, and why.

A candidate is a visible practice at another place that shares typology terms with the
practice or whose text matches its distinctive words. Its score combines, with the weights
below:

- shared terms (activity types count 3, goals 2, target groups 1, as a share of the
  practice's own),
- text similarity (full-text relevance of the words of the practice's title and summary
  and of their translations, relative to the best candidate; as in search, a word matches
  in any language, in text and in classification labels),
- context similarity of the two places (the peer model without practice profiles).
"""

from collections import defaultdict

import numpy as np
from sqlalchemy import case, func
from sqlmodel import Session, col, select

from app.catalogue.practice_index import practice_index
from app.catalogue.search import SearchQuery, words
from app.models.practices import Practice, PracticeTerm, PracticeTranslation
from app.models.vocabularies import VocabularyScheme, VocabularyTerm
from app.permissions import PUBLIC, Viewer, visible
from app.places.peers.scoring import context_similarity
from app.practices.detail import find_practice, summaries
from app.practices.schemas import SimilarOut, SimilarReasons
from app.schemas import TermRef
from app.vocabularies.queries import term_label_column

TERM_WEIGHTS = {"activity-type": 3, "goal": 2, "target-group": 1}


PARTS = {"terms": 0.5, "text": 0.3, "context": 0.2}


CANDIDATES = 100  # from each of the term and text searches


DISTINCT_WORDS = 10  # longest words of title and summary used for the text search


def _own_terms(session: Session, practice_id: int) -> dict[int, tuple[str, TermRef]]:
    return {
        term_id: (scheme, TermRef(code=code, label=label))
        for term_id, scheme, code, label in session.exec(
            select(
                VocabularyTerm.id, VocabularyScheme.code, VocabularyTerm.code, term_label_column()
            )
            .join(VocabularyScheme, col(VocabularyScheme.id) == VocabularyTerm.scheme_id)
            .join(PracticeTerm, col(PracticeTerm.term_id) == VocabularyTerm.id)
            .where(PracticeTerm.practice_id == practice_id)
            .where(col(VocabularyScheme.code).in_(list(TERM_WEIGHTS)))
        )
        if term_id is not None
    }


def _distinct_words(session: Session, practice: Practice) -> tuple[list[str], tuple[str, ...]]:
    """The longest words of the practice's title and summary, and of each translation of
    them (a practice written in one language meets others through its translations), and
    the languages they are in."""
    texts = [(f"{practice.title} {practice.summary}", practice.original_language)]
    texts += [
        (f"{title} {summary}", language)
        for language, title, summary in session.exec(
            select(
                PracticeTranslation.language,
                PracticeTranslation.title,
                PracticeTranslation.summary,
            ).where(PracticeTranslation.practice_id == practice.id)
        )
    ]
    distinct: list[str] = []
    for text, language in texts:
        longest = sorted(words(text, language), key=len, reverse=True)
        distinct += [w for w in longest if len(w) > 3][:DISTINCT_WORDS]
    return list(dict.fromkeys(distinct)), tuple(language for _text, language in texts)


def similar_practices(
    session: Session, slug: str, viewer: Viewer = PUBLIC, *, limit: int = 5
) -> list[SimilarOut]:
    """Practices at other places most like ``slug``, best first, each with why."""
    return similar_to(session, find_practice(session, slug, viewer), viewer, limit=limit)


def similar_to(
    session: Session, practice: Practice, viewer: Viewer = PUBLIC, *, limit: int = 5
) -> list[SimilarOut]:
    """As ``similar_practices``, for a practice already found with ``find_practice``."""
    assert practice.id is not None
    own = _own_terms(session, practice.id)
    elsewhere = [*visible(viewer), col(Practice.place_id) != practice.place_id]

    term_score: dict[int, float] = {}
    shared: dict[int, list[int]] = defaultdict(list)
    if own:
        weight = case(
            *((col(PracticeTerm.term_id) == t, TERM_WEIGHTS[s]) for t, (s, _r) in own.items())
        )
        possible = sum(TERM_WEIGHTS[s] for s, _r in own.values())
        for other_id, total in session.exec(
            select(PracticeTerm.practice_id, func.sum(weight))
            .join(Practice, col(Practice.id) == PracticeTerm.practice_id)
            .where(col(PracticeTerm.term_id).in_(list(own)), *elsewhere)
            .group_by(col(PracticeTerm.practice_id))
            .order_by(func.sum(weight).desc(), col(PracticeTerm.practice_id))
            .limit(CANDIDATES)
        ):
            term_score[other_id] = float(total) / possible

    distinct, languages = _distinct_words(session, practice)
    text_score: dict[int, float] = {}
    index = practice_index(session)
    if distinct:
        words_in = SearchQuery(tuple((w,) for w in distinct), any_word=True, labels_in=languages)
        scores = index.scores(words_in)
        candidates = np.flatnonzero(
            index.visible(viewer) & (index.place != practice.place_id) & ~np.isnan(scores)
        )
        best_first = np.lexsort((index.ids[candidates], -scores[candidates]))
        top_rows = candidates[best_first][:CANDIDATES]
        best = float(scores[top_rows[0]]) if len(top_rows) else 1.0
        text_score = {
            int(index.ids[row]): max(float(scores[row]), 0.0) / (best or 1.0) for row in top_rows
        }

    ids = list(dict.fromkeys([*term_score, *text_score]))
    if not ids:
        return []
    others = {p.id: p for p in session.exec(select(Practice).where(col(Practice.id).in_(ids)))}
    context = context_similarity(session, practice.place_id, [p.place_id for p in others.values()])
    scored = []
    for other_id in ids:
        other = others[other_id]
        near, close = context.get(other.place_id, (0.0, []))
        total = (
            PARTS["terms"] * term_score.get(other_id, 0.0)
            + PARTS["text"] * text_score.get(other_id, 0.0)
            + PARTS["context"] * near
        )
        scored.append((total, other_id, near, close))
    scored.sort(key=lambda item: (-item[0], item[1]))
    top = scored[:limit]
    chosen = [others[other_id] for _t, other_id, _n, _c in top]
    for term_id, other_id in session.exec(
        select(PracticeTerm.term_id, PracticeTerm.practice_id).where(
            col(PracticeTerm.practice_id).in_([p.id for p in chosen]),
            col(PracticeTerm.term_id).in_(list(own)),
        )
    ):
        shared[other_id].append(term_id)
    cards = {s.slug: s for s in summaries(session, chosen)}
    # The words each one matched, as search matches them (stemmed, in any of its text).
    matched: dict[int, set[str]] = defaultdict(set)
    chosen_rows, _which = index.rows([p.id for p in chosen if p.id is not None])
    for word in distinct:
        for row in np.intersect1d(index.word_rows(word, languages), chosen_rows):
            matched[int(index.ids[row])].add(word)
    result = []
    for total, other_id, near, close in top:
        other = others[other_id]
        result.append(
            SimilarOut(
                practice=cards[other.slug],
                score=round(total, 4),
                reasons=SimilarReasons(
                    shared_terms=[own[t][1] for t in own if t in shared[other_id]],
                    shared_words=sorted(matched[other_id]),
                    text_similarity=round(text_score.get(other_id, 0.0), 4),
                    context_similarity=round(near, 4),
                    close_context=close,
                ),
            )
        )
    return result
