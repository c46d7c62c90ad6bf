"""A practice on one page, to attach to a business case: the printable page and the PDF."""

from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine

from tests.factories import published_in_barcelona

FACTS = {
    "title": "Library welcome desks",
    "summary": "Volunteers welcome newcomers at the city's libraries every week.",
    "start_year": 2019,
    "aim": "Help newcomers find services in their first month.",
    "outcomes": [
        {
            "text": "Visitors to the desks doubled",
            "metric": "visits",
            "value": "1,240",
            "date": "2021",
        }
    ],
    "terms": {
        "activity-type": ["welcome-information"],
        "evidence-level": ["before-after"],
        "target-group": ["whole-community"],
    },
}


def pdf_text(body: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(BytesIO(body))
    return reader, " ".join((page.extract_text() or "") for page in reader.pages)


@pytest.mark.writes
def test_the_pdf_holds_the_practices_facts_on_one_tagged_page(
    engine: Engine, client: TestClient
) -> None:
    slug = published_in_barcelona(engine, **FACTS)
    response = client.get(f"/practices/{slug}.pdf", params={"lang": "en"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader, text = pdf_text(response.content)
    assert len(reader.pages) == 1
    words = " ".join(text.split())
    for fact in (
        "Library welcome desks",
        "Volunteers welcome newcomers",
        "Barcelona, Spain",
        "Barcelona City Council",
        "2019",
        "Outcomes measured before and after",  # the evidence level
        "Visitors to the desks doubled — visits: 1,240 (2021)",
        "Help newcomers find services",
        "Last verified",
    ):
        assert fact in words, f"{fact!r} not in {words!r}"
    links = [a.get_object()["/A"]["/URI"] for a in reader.pages[0].get("/Annots", [])]
    assert f"http://testserver/practices/{slug}" in links  # where it is kept up to date
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and root["/Lang"] == "en"  # tagged, for screen readers


def test_the_pdf_speaks_the_readers_language_in_every_letter(client: TestClient) -> None:
    response = client.get("/practices/barcelona-anti-rumour-strategy.pdf", params={"lang": "hu"})
    _reader, text = pdf_text(response.content)
    assert "Utoljára ellenőrizve" in text and "Források" in text  # ő and á survive the font
    assert "Sources" not in text


def test_a_practice_the_reader_may_not_see_has_no_pdf(client: TestClient) -> None:
    assert client.get("/practices/no-such-practice.pdf").status_code == 404
    assert client.get("/practices/no-such-practice/summary").status_code == 404


def test_the_printable_summary_links_its_pdf_and_is_linked_from_the_practice(
    client: TestClient,
) -> None:
    slug = "barcelona-anti-rumour-strategy"
    page = client.get(f"/practices/{slug}/summary", params={"lang": "en"}).text
    assert f'href="/practices/{slug}.pdf' in page and "one-pager.css" in page
    assert "Attitudes to Migrants, Communication and Local Leadership" in page  # its source
    assert f'href="/practices/{slug}/summary' in client.get(f"/practices/{slug}").text


@pytest.mark.writes
def test_the_summary_of_a_network_only_practice_says_so(engine: Engine, client: TestClient) -> None:
    # Review finding: a forwarded summary did not say that it was not for the public.
    from tests.factories import new_user, sign_in

    slug = published_in_barcelona(
        engine, title="Members-only summary", visibility="network", **{"summary": FACTS["summary"]}
    )
    sign_in(client, new_user(engine, "member", "barcelona-city-council"))
    page = client.get(f"/practices/{slug}/summary", params={"lang": "en"}).text
    facts = page.split('class="evidence-facts"')[1].split("</dl>")[0]
    assert "Networks only" in facts
