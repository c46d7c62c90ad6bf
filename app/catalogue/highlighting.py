"""Where a page of search hits matched: the title with its matches marked, and the passage
that matched best, with the language it is written in when that is a translation or a
classification label rather than the original."""

import html
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup
from sqlmodel import Session, col, select

from app.catalogue.search import COLUMNS, TOKEN, SearchQuery, page_documents, with_names
from app.catalogue.stemming import keys, stem
from app.db import for_ids
from app.i18n import DEFAULT_LANGUAGE, get_language
from app.models.practices import Practice, PracticeTerm, PracticeTranslation
from app.models.vocabularies import (
    VocabularyTerm,
    VocabularyTermAncestor,
    VocabularyTermTranslation,
)
from app.practices.fields import BODY_FIELDS

SNIPPET_WORDS = 24


@dataclass(frozen=True)
class Highlight:
    """A hit's title with its matches marked, and its best-matching passage."""

    title: Markup
    passage: Markup
    # Where the passage comes from when not the original text: "translation", "names"
    # (of the place and the lead body) or "classification" (a term's label), and the
    # language it is written in (None for names).
    found_in: str | None = None
    language: str | None = None


KINDS = ("translation", "names", "classification")  # where a passage is looked for, in order


Matches = Callable[[str], bool]  # whether a word (lower-case) is a match


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> Markup:
    """``text[start:end]`` HTML-escaped, with ``<mark>`` around each of ``spans``."""
    parts: list[str] = []
    at = start
    for low, high in spans:
        if start <= low and high <= end:
            parts += [html.escape(text[at:low], quote=False), "<mark>"]
            parts += [html.escape(text[low:high], quote=False), "</mark>"]
            at = high
    parts.append(html.escape(text[at:end], quote=False))
    return Markup("".join(parts))


def _passage(text: str, matches: Matches) -> Markup | None:
    """The run of ``SNIPPET_WORDS`` words of ``text`` holding the most different matches
    (the earliest of equals), marked; None when nothing in ``text`` matches."""
    found = list(TOKEN.finditer(text))
    words = [m.group().lower() for m in found]
    matched = [i for i, word in enumerate(words) if matches(word)]
    if not matched:
        return None
    best, first = -1, 0
    for i in matched:
        first_word = max(0, i - 2)  # a little of what comes before the match
        window = {words[j] for j in matched if first_word <= j < first_word + SNIPPET_WORDS}
        if len(window) > best:
            best, first = len(window), first_word
    last = min(first + SNIPPET_WORDS, len(found)) - 1
    start = 0 if first == 0 else found[first].start()
    end = len(text) if last == len(found) - 1 else found[last].end()
    spans = [found[i].span() for i in matched]
    passage = _marked(text, spans, start, end)
    return Markup("…" if start else "") + passage + Markup("…" if end < len(text) else "")


def _in(language: str, stems: frozenset[str]) -> Matches:
    """Matches of text written in ``language``."""
    return lambda word: stem(word, language) in stems


def _in_any(stems: frozenset[str]) -> Matches:
    """Matches of text whose language is not known (place and organisation names)."""
    return lambda word: not stems.isdisjoint(keys(word))


def highlights(session: Session, query: SearchQuery, ids: Sequence[int]) -> dict[int, Highlight]:
    """Marked-up titles and passages for the practices ``ids`` (one page of hits): the
    title with every match marked, and the best passage of the summary, else the body,
    else a translation, else the place names, else a classification label (none when only
    the title matched)."""
    stems = query.stems()
    original_languages = select(Practice.id, Practice.original_language)
    languages = dict(session.exec(original_languages.where(col(Practice.id).in_(ids))).all())
    result: dict[int, Highlight] = {}
    unexplained: list[int] = []
    for practice_id, *texts in for_ids(session, page_documents(session), ids):
        document = dict(zip(COLUMNS, texts, strict=True))
        original = _in(languages.get(practice_id, DEFAULT_LANGUAGE), stems)
        title = document["title"] or ""
        spans = [m.span() for m in TOKEN.finditer(title) if original(m.group().lower())]
        passage = _passage(document["summary"] or "", original) or _passage(
            document["body"] or "", original
        )
        result[int(practice_id)] = Highlight(_marked(title, spans, 0, len(title)), Markup())
        if passage is not None:
            result[int(practice_id)] = Highlight(result[int(practice_id)].title, passage)
        elif not spans:
            unexplained.append(int(practice_id))
    for practice_id, (passage, found_in, language) in _elsewhere(
        session, query, unexplained
    ).items():
        result[practice_id] = Highlight(result[practice_id].title, passage, found_in, language)
    return result


def _elsewhere(
    session: Session, query: SearchQuery, ids: list[int]
) -> dict[int, tuple[Markup, str, str | None]]:
    """For hits whose original text did not match: the passage that did, where it comes
    from and its language (as ``Highlight`` has them)."""
    if not ids:
        return {}
    stems = query.stems()
    texts: dict[int, list[tuple[str, str, str | None]]] = defaultdict(list)
    for translation in session.exec(
        select(PracticeTranslation).where(col(PracticeTranslation.practice_id).in_(ids))
    ):
        texts[translation.practice_id] += [
            ("translation", getattr(translation, name), translation.language)
            for name in ("title", "summary", *BODY_FIELDS)
            if getattr(translation, name)
        ]
    for practice_id, *names in session.execute(
        with_names(Practice.id).where(col(Practice.id).in_(ids))
    ):
        texts[int(practice_id or 0)].append(("names", "\n".join(n for n in names if n), None))
    for practice_id, label, language in _labels(session, ids):
        if language in query.labels_in:  # as the index matches them
            texts[practice_id].append(("classification", label, language))
    reader = get_language()
    found: dict[int, tuple[Markup, str, str | None]] = {}
    for practice_id, candidates in texts.items():
        # Within each kind, the reader's language first.
        candidates.sort(key=lambda c: (KINDS.index(c[0]), c[2] != reader))
        for found_in, text, written_in in candidates:
            matches = _in_any(stems) if written_in is None else _in(written_in, stems)
            if (passage := _passage(text or "", matches)) is not None:
                found[practice_id] = (passage, found_in, written_in)
                break
    return found


def _labels(session: Session, ids: list[int]) -> list[tuple[int, str, str]]:
    """The labels in every language of the practices' terms and of the terms above them
    (as the index matches them): (practice, label, language)."""
    held = (
        select(PracticeTerm.practice_id, VocabularyTermAncestor.ancestor_id)
        .join(VocabularyTermAncestor, col(VocabularyTermAncestor.term_id) == PracticeTerm.term_id)
        .where(col(PracticeTerm.practice_id).in_(ids))
        .subquery()
    )
    english = session.exec(
        select(held.c.practice_id, VocabularyTerm.label).join(
            VocabularyTerm, col(VocabularyTerm.id) == held.c.ancestor_id
        )
    ).all()
    translated = session.exec(
        select(
            held.c.practice_id,
            VocabularyTermTranslation.label,
            VocabularyTermTranslation.language,
        ).join(
            VocabularyTermTranslation,
            col(VocabularyTermTranslation.term_id) == held.c.ancestor_id,
        )
    ).all()
    return [(i, label, DEFAULT_LANGUAGE) for i, label in english] + list(translated)
