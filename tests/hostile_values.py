"""Hostile values for the tests that send them (``tests/test_fuzz_routes.py``): integers
past any column, lone surrogates, control characters, direction overrides, very long text,
JSON of the wrong type and shape, and cursors that are base64 of JSON no list issued, as
Hypothesis strategies."""

import base64
import json
from urllib.parse import quote

from hypothesis import strategies as st

PRACTICE = "barcelona-anti-rumour-strategy"
HUGE = "99999999999999999999999"
# Parameters whose names end so hold a number: an id, a page size, a year.
NUMBERS = ("id", "number", "limit", "year", "version", "population", "share")


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode("utf-8", "surrogatepass")).decode().rstrip("=")


NASTY = [
    "",
    "0",
    "-1",
    HUGE,
    "-" + HUGE,
    "9" * 5000,
    "²",
    "1e309",
    "NaN",
    "true",
    "null",
    "[]",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "\x01\x0b\x1b[31m",
    "\u202eevil\u2066",
    "\r\n",
    "é" * 400,
    "a" * 5000,
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    '=HYPERLINK("http://x.example")',
    '"v' + "9" * 5000 + '."',
    _cursor('[["title", "a"], true]'),
    _cursor(f"[{HUGE}, {HUGE}]"),
    _cursor('["\\u0000", 1]'),
    _cursor('["\\ud800", 1]'),
    _cursor("[null, 1]"),
    _cursor('{"a": [1]}'),
]

# Characters that each broke something once, and words that name records: a valid name
# with a bad character in it gets past the checks a random string fails.
BAD_CHARACTERS = ["\x00", "\ud800", "\udc00", "\x1b", "\u202e", "\x85", "\n", "é", "\ufffe"]
WORDS = ["barcelona", "inclusive-cities", "compas", PRACTICE, "activity-type", "member", "en"]
spiked = st.builds(
    lambda word, at, character: word[:at] + character + word[at:],
    st.sampled_from(WORDS),
    st.integers(0, 8),
    st.sampled_from(BAD_CHARACTERS),
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.sampled_from(NASTY),
    spiked,
    st.text(st.characters(codec=None, exclude_categories=()), max_size=12),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
# Mostly the shape a cursor has (a sort value and an id), with values of any kind in it.
cursors = st.builds(
    lambda value: _cursor(json.dumps(value)), st.tuples(json_values, json_scalars) | json_values
)
hostile = st.one_of(
    st.sampled_from(NASTY),
    spiked,
    st.text(st.characters(codec=None, exclude_categories=()), max_size=20),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    cursors,
)


def encoded(text: str) -> str:
    """``text`` as it travels in an address or a form (lone surrogates as their bytes)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def hostile_for(name: str) -> st.SearchStrategy[str]:
    """Hostile values, most of them of the kind the parameter ``name`` holds."""
    if name in ("cursor", "since"):
        return st.one_of(cursors, cursors, st.sampled_from(NASTY[-6:]), hostile)
    if name.endswith(NUMBERS):
        huge = st.integers(-(2**80), 2**80).map(str)
        return st.one_of(huge, huge, st.sampled_from(NASTY[:10]), hostile)
    return st.one_of(spiked, hostile)  # a name with a bad character in it: twice as likely
