"""When a source report came out, as a moment: a practice loaded from the reports was
published, for readers and feeds, when the earliest report that describes it was."""

import re
from datetime import UTC, datetime

MONTHS = {
    name: number
    for number, name in enumerate(
        [
            *("january", "february", "march", "april", "may", "june"),
            *("july", "august", "september", "october", "november", "december"),
        ],
        start=1,
    )
}


def report_moment(year: int | None, date_note: str | None) -> datetime | None:
    """The first day of the month a report's date note names ("September 2012"), else of
    its year; None when it gives no year (a date as precise as the report is, no more)."""
    if year is None:
        return None
    found = re.fullmatch(r"\s*([A-Za-z]+)\s+(\d{4})\s*", date_note or "")
    month = MONTHS.get(found[1].lower(), 1) if found and int(found[2]) == year else 1
    return datetime(year, month, 1, tzinfo=UTC)
