"""Charts: every number against the database, and each drawn as an accessible picture
with its table."""

import re
from collections import Counter

from fastapi.testclient import TestClient
from sqlalchemy import Engine, distinct, func
from sqlmodel import Session, col, select

from app.catalogue.charts import Chart
from app.i18n import speaking
from app.models.places import Place
from app.models.practices import Practice, PracticeStatus, PracticeTerm, Visibility
from app.models.vocabularies import VocabularyScheme, VocabularyTerm, VocabularyTermAncestor
from app.practices.filters import PracticeQuery
from app.practices.insights import (
    activity_by_country,
    evidence_by_start_year,
    network_coverage,
    place_profile,
)

PUBLISHED = (col(Practice.status) == PracticeStatus.published,)
PUBLIC = (*PUBLISHED, col(Practice.visibility) == Visibility.public)


def _table(page: str, chart: str) -> list[str]:
    """The rows of ``chart``'s table of numbers."""
    found = re.search(rf'<figure class="chart[^"]*" id="{chart}".*?</figure>', page, re.S)
    assert found, chart
    return re.findall(r'<th scope="row">.*?</tr>', found.group(0), re.S)


def term_codes(session: Session, scheme: str) -> dict[str, str]:
    """label -> code of the terms of ``scheme``, in English."""
    rows = session.exec(
        select(VocabularyTerm.label, VocabularyTerm.code)
        .join(VocabularyScheme, col(VocabularyScheme.id) == VocabularyTerm.scheme_id)
        .where(VocabularyScheme.code == scheme)
    )
    return dict(rows.all())


def with_term(session: Session, code: str, *where: object) -> int:
    """Public practices classified under the term ``code`` or one of its sub-types."""
    statement = (
        select(func.count(distinct(Practice.id)))
        .join(PracticeTerm, col(PracticeTerm.practice_id) == Practice.id)
        .join(VocabularyTermAncestor, col(VocabularyTermAncestor.term_id) == PracticeTerm.term_id)
        .join(VocabularyTerm, col(VocabularyTerm.id) == VocabularyTermAncestor.ancestor_id)
        .join(Place, col(Place.id) == Practice.place_id)
        .where(VocabularyTerm.code == code, *PUBLIC, *where)  # type: ignore[arg-type]
    )
    return session.exec(statement).one()


def charted(chart: Chart) -> dict[tuple[str, str], float]:
    return {
        (row.label, series.label): value
        for row in chart.rows
        for series, value in zip(chart.series, row.values, strict=True)
    }


def test_activity_types_by_country_count_what_the_database_holds(engine: Engine) -> None:
    with Session(engine) as session, speaking("en"):
        chart = activity_by_country(session, PracticeQuery())
        codes = term_codes(session, "activity-type")
        countries = dict(session.exec(select(Place.country, Place.country)).all())
        names = {row.label: re.search(r"country=(\w\w)", row.url or "") for row in chart.rows}
        shown = [s.label for s in chart.series[:-1]]
        assert len(chart.rows) == 10 and len(shown) == 7
        for (country, label), value in charted(chart).items():
            code = names[country]
            assert code and code.group(1) in countries
            if label in shown:
                expected = with_term(session, codes[label], Place.country == code.group(1))
                assert value == expected, (country, label)
        # The countries with most practices, most first.
        totals = Counter(
            session.exec(
                select(Place.country)
                .join(Practice, col(Practice.place_id) == Place.id)
                .where(*PUBLIC)  # type: ignore[arg-type]
            ).all()
        )
        assert [names[r.label].group(1) for r in chart.rows][:3] == [  # type: ignore[union-attr]
            c for c, _n in totals.most_common(3)
        ]


def test_evidence_by_start_year_counts_what_the_database_holds(engine: Engine) -> None:
    with Session(engine) as session, speaking("en"):
        chart = evidence_by_start_year(session, PracticeQuery(country=["GB"]))
        codes = term_codes(session, "evidence-level")
        years = session.exec(
            select(Practice.start_year)
            .join(Place, col(Place.id) == Practice.place_id)
            .where(*PUBLIC, Place.country == "GB", col(Practice.start_year).is_not(None))  # type: ignore[arg-type]
        ).all()
        assert [row.label for row in chart.rows] == [str(y) for y in sorted(set(years))]
        for row in chart.rows:
            year = int(row.label)
            assert row.total == years.count(year)
            for series, value in zip(chart.series[:-1], row.values, strict=False):
                expected = with_term(
                    session, codes[series.label], Place.country == "GB", Practice.start_year == year
                )
                assert value == expected, (year, series.label)


def test_a_networks_coverage_and_a_places_profile_match_the_lists(
    engine: Engine, client: TestClient
) -> None:
    with Session(engine) as session, speaking("en"):
        coverage = network_coverage(session, "inclusive-cities")
        profile = place_profile(session, "barcelona", ["bilbao", "amsterdam"])
        codes = term_codes(session, "activity-type")
        broadest = session.exec(
            select(func.count())
            .select_from(VocabularyTerm)
            .join(VocabularyScheme, col(VocabularyScheme.id) == VocabularyTerm.scheme_id)
            .where(
                VocabularyScheme.code == "activity-type", col(VocabularyTerm.parent_id).is_(None)
            )
        ).one()
    assert len(coverage.rows) == broadest and any(r.total == 0 for r in coverage.rows)
    for row in coverage.rows:
        total = client.get(
            "/api/v1/practices",
            params={"network": "inclusive-cities", "activity_type": codes[row.label], "limit": 1},
        ).json()["total"]
        assert row.values == (total,), row.label

    def share(places: list[str], code: str) -> int:
        everything = client.get("/api/v1/practices", params={"place": places, "limit": 1})
        of_type = client.get(
            "/api/v1/practices", params={"place": places, "activity_type": code, "limit": 1}
        )
        return round(100 * of_type.json()["total"] / everything.json()["total"])

    assert profile.rows
    for row in profile.rows:
        code = codes[row.label]
        assert row.values == (share(["barcelona"], code), share(["bilbao", "amsterdam"], code))


def test_charts_are_pictures_with_a_text_alternative_and_their_numbers_beside_them(
    client: TestClient,
) -> None:
    page = client.get("/insights", params={"country": "ES", "lang": "en"}).text
    total = client.get("/api/v1/practices", params={"country": "ES", "limit": 1}).json()["total"]
    assert f"Counting {total} practices" in page
    for chart in ("activity-by-country", "evidence-by-year"):
        assert f'<svg role="img" aria-labelledby="{chart}-t {chart}-d"' in page
        assert f'<desc id="{chart}-d">' in page and f'<caption id="{chart}-data">' in page
    assert "<script" not in page.split("<main")[1].split("</main>")[0]
    row = re.search(r'<th scope="row"><a href="([^"]+)">Spain</a></th>((?:<td>\d+</td>)+)', page)
    assert row, "the table has a row for Spain linking to its practices"
    assert "country=ES" in row.group(1)
    assert sum(int(n) for n in re.findall(r"\d+", row.group(2))[:-1]) == int(
        re.findall(r"\d+", row.group(2))[-1]
    )


def test_network_and_place_pages_show_their_chart(client: TestClient) -> None:
    assert 'id="network-coverage"' in client.get("/networks/inclusive-cities").text
    assert 'id="place-profile"' in client.get("/places/barcelona").text
    listed = client.get("/practices", params={"country": "ES", "lang": "en"}).text
    assert re.search(r'href="/insights\?country=ES[^"]*">Charts of these practices', listed)
    # The list shows the chart of its own results, folded, with the numbers /insights has.
    charted = client.get("/insights", params={"country": "ES", "lang": "en"}).text
    assert '<details class="list-chart">' in listed
    assert _table(listed, "activity-by-country") == _table(charted, "activity-by-country")
    assert _table(listed, "activity-by-country")  # a row for Spain at least
    none = client.get("/practices", params={"q": "zzzqqqxxx"}).text
    assert 'id="activity-by-country"' not in none


def test_the_insights_page_is_translated(client: TestClient) -> None:
    page = client.get("/insights", params={"lang": "de"}).text
    assert "Activity types by country" not in page and "<h1>" in page


def test_a_rows_link_lists_what_its_bar_counts_when_countries_are_chosen(engine: Engine) -> None:
    # Review finding: the row's country was added to the chosen ones instead of replacing them.
    with Session(engine) as session, speaking("en"):
        chart = activity_by_country(session, PracticeQuery(country=["ES", "IT"]))
    for row in chart.rows:
        assert row.url and len(re.findall(r"country=", row.url)) == 1, row.url


def test_the_insights_form_keeps_the_lists_other_filters(client: TestClient) -> None:
    # Review finding: choosing a country on /insights dropped evidence_min and the others.
    page = client.get(
        "/insights",
        params={"evidence_min": "outputs", "verified_within": "12", "replicated": "true"},
    ).text
    for name, value in (
        ("evidence_min", "outputs"),
        ("verified_within", "12"),
        ("replicated", "true"),
    ):
        assert f'<input type="hidden" name="{name}" value="{value}">' in page
