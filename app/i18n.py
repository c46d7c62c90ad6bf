"""Languages of the interface: which one a request gets, and the gettext catalogues.

The language is chosen, in order, from the ``lang`` query parameter (so a link keeps its
language), the ``interlocal_lang`` cookie (so a choice is remembered), the browser's
``Accept-Language``, and finally English. ``app.web.locale.LocaleMiddleware`` stores it in
a context variable for the whole request (``speaking``), so templates, error messages and
the query layer (which returns vocabulary labels in that language) all read the same value.

Catalogues are the ``.po`` files under ``app/locale`` (``make messages`` updates them);
they are compiled in memory on first use, so there is no build step and no ``.mo`` file to
forget.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LANGUAGE = "en"
# The six languages of the AMICALL countries, in the order the switcher shows them.
LANGUAGES = ("en", "de", "es", "it", "nl", "hu")

_current: ContextVar[str] = ContextVar("interlocal_language", default=DEFAULT_LANGUAGE)


def get_language() -> str:
    """The language of the request being served (English outside a request)."""
    return _current.get()


def set_language(language: str) -> None:
    """Set the language for the rest of this context (CLI commands, tests)."""
    _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Use ``language`` inside the block (one request), then the previous one again."""
    token = _current.set(language)
    try:
        yield
    finally:
        _current.reset(token)


@lru_cache
def native_name(language: str) -> str:
    """A language's name in that language, as a reader looking for it would recognise it."""
    name = Locale.parse(language).get_display_name(language) or language
    return name[:1].upper() + name[1:]


def language_name(code: str) -> str:
    """The name of any language (ISO 639-1 code) in the current language."""
    try:
        name = Locale.parse(get_language()).languages.get(code)
    except (ValueError, UnknownLocaleError):
        name = None
    return str(name) if name else code


@lru_cache
def translations(language: str) -> Translations:
    """The compiled catalogue of ``language``; fuzzy entries are left out, as gettext does."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not path.exists():
        return Translations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def template_gettext(message: str) -> str:
    """``message`` in the current language, placeholders left for Jinja's newstyle gettext
    to fill."""
    return translations(get_language()).ugettext(message)


def template_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(get_language()).ungettext(singular, plural, n)


def gettext(message: str, **variables: Any) -> str:
    """Translate ``message`` into the current language; ``%(name)s`` placeholders filled."""
    text = template_gettext(message)
    return text % variables if variables else text


_ = gettext


def N_(message: str) -> str:
    """Mark a module-level string for extraction; translate it with ``_()`` where used."""
    return message


# Formatting for the current locale. Templates use these as filters.


def format_number(value: float | int | None) -> str:
    return "" if value is None else format_decimal(value, locale=get_language())


def format_share(value: float | None) -> str:
    """A percentage given as 0–100 (how the reports state shares)."""
    if value is None:
        return ""
    return format_percent(value / 100, locale=get_language(), decimal_quantization=False)


def format_date(value: date | datetime | None, style: str = "medium") -> str:
    return "" if value is None else _format_date(value, style, locale=get_language())


# Choosing the language of a request.


def from_accept_language(header: str | None) -> str | None:
    """The best of our languages for an ``Accept-Language`` header, or None.

    Our languages are bare language codes, so ``de-AT`` counts as ``de``.
    """
    preferred: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        try:
            quality = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
        except ValueError:
            continue
        language = tag.strip().replace("_", "-").split("-")[0].lower()
        if language in LANGUAGES and quality > 0:
            preferred.append((-quality, index, language))
    return min(preferred)[2] if preferred else None


def choose_language(query_lang: str | None, cookie: str | None, accept: str | None) -> str:
    for candidate in (query_lang, cookie):
        if candidate in LANGUAGES:
            return str(candidate)
    return from_accept_language(accept) or DEFAULT_LANGUAGE
