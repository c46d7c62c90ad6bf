"""Names as a search compares them: lower case, without diacritics, Latin letters only."""

import re
import unicodedata
from functools import lru_cache

# Letters that Unicode does not decompose into a base letter and a mark.
_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "ħ": "h",
        "ŀ": "l",
        "’": "'",
        "‘": "'",
    }
)
_SPACES = re.compile(r"[\s\-‐–_/,.()]+")
_LATIN = re.compile(r"[a-z0-9' ]+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=131_072)  # loading the gazetteer folds each of its names twice
def fold(name: str) -> str:
    """``name`` lower-cased, without diacritics, with runs of spaces and dashes as one space:
    "Köln" and "Koln" give "koln", "Saint-Étienne" gives "saint etienne"."""
    text = name.replace("\x00", "").lower()
    if not text.isascii():  # most of the gazetteer's names: nothing to decompose
        text = unicodedata.normalize("NFKD", text.translate(_LETTERS))
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _SPACES.sub(" ", text).strip()


def is_latin(folded: str) -> bool:
    """Whether a folded name is written in Latin letters (the only ones a search box here
    is likely to receive); names in other scripts are not searched."""
    return bool(folded) and _LATIN.fullmatch(folded) is not None


def search_names(name: str, alternates: list[str] | tuple[str, ...] = ()) -> str:
    """The ``Place.search_names`` value: every distinct folded Latin name between bars.

    Of GeoNames' alternate names only those written like a name are kept (capitalised and
    longer than an airport code), so "BIO" and transliterations like "kln" do not match."""
    names = {fold(name)}
    for alternate in alternates:
        stripped = alternate.strip()
        if len(stripped) > 3 and stripped[:1].isupper() and not stripped.isupper():
            names.add(fold(stripped))
    kept = sorted(n for n in names if is_latin(n))
    return "|" + "|".join(kept) + "|"


def slugify(text: str) -> str:
    """A slug from a name: "Reggio nell'Emilia" gives "reggio-nell-emilia"."""
    return _NOT_SLUG.sub("-", fold(text)).strip("-")
