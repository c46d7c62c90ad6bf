"""The report of a run: the rows measured, the targets of issue 17 with PASS/FAIL, wrk's raw
output of each row, and the same as Markdown for bench/RESULTS.md."""

from __future__ import annotations

from dataclasses import dataclass

from load import Result


def fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


@dataclass
class Check:
    target: str
    measured: str
    ok: bool | None  # None: could not be measured

    @property
    def verdict(self) -> str:
        return "n/a" if self.ok is None else "PASS" if self.ok else "FAIL"


def below(value: float | None, limit: float) -> bool | None:
    return None if value is None else value < limit


def at_least(value: float | None, limit: float) -> bool | None:
    return None if value is None else value >= limit


def latency_checks(what: str, row: Result, p50_ms: float, p99_ms: float) -> list[Check]:
    """``row``'s p50 and p99 against their targets; a row with errors fails its p50."""
    return [
        Check(
            f"{what}: p50 < {p50_ms:g} ms",
            f"{fmt(row.p50_ms)} ms",
            below(row.p50_ms, p50_ms) if not row.errors else False,
        ),
        Check(f"{what}: p99 < {p99_ms:g} ms", f"{fmt(row.p99_ms)} ms", below(row.p99_ms, p99_ms)),
    ]


def ratio(a: Result, b: Result) -> float | None:
    return a.rps / b.rps if a.rps and b.rps else None


HEADER = ("row", "requests/s", "p50 ms", "p99 ms", "note")


def _cells(results: list[Result]) -> list[tuple[str, ...]]:
    return [(r.name, fmt(r.rps), fmt(r.p50_ms, 2), fmt(r.p99_ms, 2), r.note) for r in results]


def report(
    title: str,
    context: list[str],
    results: list[Result],
    notes: list[str],
    checks: list[Check],
    extra_markdown: list[str] | None = None,
) -> None:
    rows = _cells(results)
    widths = [max(len(str(row[i])) for row in [HEADER, *rows]) for i in range(len(HEADER))]
    print(f"\n=== {title} ===\n")
    print("\n".join(context))
    print()
    for row in [HEADER, *rows]:
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    print()
    for line in notes:
        print(line)
    print()
    print(f"{'':4}  {'target':60}  measured")
    for check in checks:
        print(f"{check.verdict:4}  {check.target:60}  {check.measured}")
    if any(check.ok is False for check in checks):
        print("\n*** FAIL: at least one target is missed (see above) ***")

    print(f"\n--- raw wrk output ({title}) ---")
    for result in results:
        if result.raw:
            print(f"\n# {result.name}: {result.what}\n{result.raw.rstrip()}")

    print(f"\n--- Markdown for bench/RESULTS.md ({title}) ---\n")
    for line in context:
        print(f"- {line}")
    print()
    print("| target (issue 17) | measured | result |")
    print("|---|---:|---|")
    for check in checks:
        print(f"| {check.target} | {check.measured} | **{check.verdict}** |")
    print()
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "|".join(["---", "---:", "---:", "---:", "---"]) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    for line in notes:
        print(f"- {line}")
    for line in extra_markdown or []:
        print(line)
