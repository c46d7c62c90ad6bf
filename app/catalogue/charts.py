"""Bar charts as data and geometry, drawn as SVG by ``_charts.html`` on the server.

Every chart on the site is this one kind: rows of horizontal bars, one segment per series,
stacked (parts of a whole) or grouped (side by side, to compare). The template draws the
bars and prints the same numbers as a table next to them, so the chart needs no JavaScript
and a screen reader gets the table.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

# Colours with at least 3:1 contrast against white (WCAG 1.4.11), told apart by the legend
# and the table as well as by hue.
PALETTE = (
    "#0b5d5b",
    "#a3541b",
    "#4b2a7a",
    "#1f5fa8",
    "#a3333d",
    "#3d6b1f",
    "#8a3f8f",
    "#005f87",
)
REST = "#6b6b6b"  # "other" or "not recorded": grey, whatever else is shown

LABEL_WIDTH = 210  # room for row labels, in SVG units
BAR_WIDTH = 420
ROW_HEIGHT = 22
GAP = 6


@dataclass(frozen=True)
class Series:
    label: str
    colour: str


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[float, ...]  # one per series
    url: str | None = None  # the practices the row counts

    @property
    def total(self) -> float:
        return sum(self.values)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    text: str  # what the bar shows, for its tooltip


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    summary: str  # the text alternative: what it shows and what stands out
    row_header: str  # what the rows are, for the table
    series: Sequence[Series]
    rows: Sequence[Row]
    stacked: bool = True
    percent: bool = False  # values are percentages
    notes: Sequence[str] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not any(row.total for row in self.rows)

    def _row_height(self) -> float:
        lanes = 1 if self.stacked else len(self.series)
        return ROW_HEIGHT if lanes == 1 else max(ROW_HEIGHT, lanes * 9 + 4)

    @property
    def height(self) -> float:
        return len(self.rows) * (self._row_height() + GAP) + GAP

    @property
    def width(self) -> int:
        return LABEL_WIDTH + BAR_WIDTH + 50

    def _scale(self) -> float:
        longest = max(
            (row.total if self.stacked else max(row.values, default=0) for row in self.rows),
            default=0,
        )
        return BAR_WIDTH / longest if longest else 0.0

    def row_y(self, at: int) -> float:
        return GAP + at * (self._row_height() + GAP)

    def label_y(self, at: int) -> float:
        return self.row_y(at) + self._row_height() / 2

    def end_x(self, row: Row) -> float:
        """Where the row's bars end, for its total."""
        longest = row.total if self.stacked else max(row.values, default=0)
        return LABEL_WIDTH + longest * self._scale()

    def shown(self, value: float) -> str:
        return f"{value:.0f} %" if self.percent else f"{value:g}"

    def bars(self) -> Iterator[Bar]:
        scale, height = self._scale(), self._row_height()
        lane = height if self.stacked else (height - 4) / len(self.series)
        for at, row in enumerate(self.rows):
            x: float = LABEL_WIDTH
            for index, (series, value) in enumerate(zip(self.series, row.values, strict=True)):
                if not value:
                    continue
                width = value * scale
                y = self.row_y(at) + (0 if self.stacked else 2 + index * lane)
                text = f"{row.label}, {series.label}: {self.shown(value)}"
                yield Bar(x, y, width, lane, series.colour, text)
                if self.stacked:
                    x += width


def palette(labels: Sequence[str], rest: str | None = None) -> list[Series]:
    """A series for each of ``labels``, then a grey one for ``rest`` (all the others)."""
    series = [Series(label, PALETTE[at % len(PALETTE)]) for at, label in enumerate(labels)]
    return series + ([Series(rest, REST)] if rest else [])
