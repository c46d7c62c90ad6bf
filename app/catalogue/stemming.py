"""What a word is matched as, in each of the six interface languages.

A practice is written in one language and translated into others, and its classification
has labels in all six, so its searchable words come in several languages. Each word is
stemmed by the Snowball stemmer of the language it is written in and kept with that
language ("de:gerucht"), so a German word only meets German words: stemmed in every
language at once, an English "news" would be Dutch "new" and match every English "new".
A reader's word is looked for in all six languages (``keys``), since readers search in
their own language or in English whichever interface they use.
"""

import unicodedata
from functools import lru_cache
from pathlib import Path

import snowballstemmer

from app.i18n import DEFAULT_LANGUAGE, LANGUAGES

_SNOWBALL = {
    "en": "english",
    "de": "german",
    "es": "spanish",
    "it": "italian",
    "nl": "dutch",
    "hu": "hungarian",
}


_STEMMERS = {language: snowballstemmer.stemmer(_SNOWBALL[language]) for language in LANGUAGES}


def _stop_words(language: str) -> frozenset[str]:
    path = Path(__file__).parent / "stopwords" / f"{language}.txt"
    return frozenset(path.read_text(encoding="utf-8").split())


# Dropped from text in their language, as PostgreSQL's configurations for these languages
# drop them (the same Snowball lists).
STOP_WORDS: dict[str, frozenset[str]] = {language: _stop_words(language) for language in LANGUAGES}


def is_stop_word(word: str, language: str) -> bool:
    return word in STOP_WORDS.get(language, STOP_WORDS[DEFAULT_LANGUAGE])


@lru_cache(maxsize=400_000)
def stem(word: str, language: str = DEFAULT_LANGUAGE) -> str:
    """What a lower-case ``word`` written in ``language`` is matched as: its stem in that
    language without diacritics, tagged with the language; "" for a stop word or a single
    letter, which match nothing. An unknown language is read as English."""
    if language not in _STEMMERS:
        language = DEFAULT_LANGUAGE
    if len(word) < 2 or is_stop_word(word, language):
        return ""
    # The diacritics go first: readers often type words without them, and the stemmers
    # then still find the same stem ("educacion" as "educación", "varosok" as "városok").
    bare = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return f"{language}:{_STEMMERS[language].stemWord(bare)}"


@lru_cache(maxsize=100_000)
def keys(word: str) -> tuple[str, ...]:
    """What a reader's ``word`` is looked for as: its stem in each language where it is
    not a stop word."""
    return tuple(k for language in LANGUAGES if (k := stem(word, language)))
