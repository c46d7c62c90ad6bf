"""Country names and codes (ISO 3166-1 alpha-2), from Babel's CLDR data."""

import re
from functools import lru_cache

from babel import Locale


@lru_cache
def _territories(language: str = "en") -> dict[str, str]:
    return {
        code: str(name)
        for code, name in Locale.parse(language).territories.items()
        if re.fullmatch(r"[A-Z]{2}", code)
    }


def country_name(code: str, language: str = "en") -> str | None:
    """Name of a country code in ``language``, or None when it is not a country code."""
    return _territories(language).get(code)


def country_codes() -> dict[str, str]:
    """Every country code with its English name."""
    return dict(_territories())
