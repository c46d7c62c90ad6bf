"""Numbers as a visitor types them into the description form, read for their language.

"346.000" is 346,000 people in German, Spanish, Italian and Dutch, which group thousands
with a point; in English the point marks decimals, so it is refused with a message that
shows how to write it. Hungarian groups with a space. Digits alone, and digits grouped in
threes by spaces (which never mark decimals), are understood in every language.
"""

import re
from decimal import Decimal

from babel.numbers import (
    NumberFormatError,
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)

from app.i18n import gettext

SPACES = re.compile(r"[\s\u00a0\u202f]+")
SPACED = re.compile(r"-?\d{1,3}(?:[\s\u00a0\u202f]\d{3})+")
MARKS = ".,'\u2019\u066b\u066c"  # characters some language uses to group or mark decimals
EXAMPLE = 250_000


class NotAWholeNumber(ValueError):
    """The text is not a whole number in the reader's language; ``message`` says how to
    write it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _examples(text: str, language: str) -> dict[str, str]:
    """The number the reader probably meant, grouped and plain (or a stock example)."""
    digits = re.sub(r"\D", "", text).lstrip("0")
    value = int(digits) if 4 <= len(digits) <= 10 else EXAMPLE
    return {"grouped": format_decimal(value, locale=language), "plain": str(value)}


def parse_whole_number(text: str, language: str) -> int:
    """``text`` as a whole number, grouped as ``language`` groups thousands or not at all."""
    text = text.strip()
    if re.fullmatch(r"-?\d+", text) or SPACED.fullmatch(text):
        return int(SPACES.sub("", text))
    group, decimal = get_group_symbol(language), get_decimal_symbol(language)
    if decimal in text:
        raise NotAWholeNumber(
            gettext(
                "Write the number of residents without a decimal mark: %(grouped)s or %(plain)s.",
                **_examples(text, language),
            )
        )
    value = None
    # A mark this language does not group with (Hungarian "346.000") is not guessed at.
    if not any(mark in text for mark in MARKS if mark != group):
        try:
            value = parse_decimal(text, locale=language, strict=True)
        except NumberFormatError:
            value = None
    if value is None or value != value.to_integral_value():
        raise NotAWholeNumber(
            gettext(
                "Enter a whole number of residents, such as %(grouped)s or %(plain)s.",
                **_examples(text, language),
            )
        )
    return int(Decimal(value))
