"""Search across the six languages: words are stemmed in the language they are written in,
a translation's and a classification label's words find the practice, the reader's stop
words are dropped, and each hit says which language it matched in."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.factories import (
    csrf_from,
    new_user,
    published_in_barcelona,
    sign_in,
    translated,
)


def search(client: TestClient, q: str, lang: str = "en", **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/practices", params={"q": q, "lang": lang, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def found(body: dict[str, Any], slug: str) -> dict[str, Any] | None:
    return next((item for item in body["items"] if item["slug"] == slug), None)


def test_a_german_word_finds_a_practice_by_its_classifications_german_label(
    client: TestClient,
) -> None:
    # Barcelona's strategy is written in English and has no German translation; it is
    # classified as countering negative messaging, labelled "Gerüchten / negativen
    # Botschaften entgegenwirken" in German.
    body = search(client, "Gerüchte", lang="de")
    hit = found(body, "barcelona-anti-rumour-strategy")
    assert hit is not None, [i["slug"] for i in body["items"]]
    assert hit["match"]["found_in"] == "classification"
    assert hit["match"]["language"] == "de"
    assert "<mark>Gerüchten</mark>" in hit["match"]["passage"]
    page = client.get("/practices", params={"q": "Gerüchte", "lang": "de"}).text
    assert "Gefunden in der Klassifizierung (Deutsch)" in page


@pytest.mark.writes
def test_a_translation_is_searched_in_its_own_language(client: TestClient, engine: Engine) -> None:
    slug = published_in_barcelona(
        engine, title="Zebrafinch welcome walks", summary="New residents walk the town."
    )
    translated(
        engine,
        slug,
        "de",
        "Zebrafinken-Willkommensspaziergänge",
        "Spaziergänge gegen Gerüchte und Vorurteile über Neuzugezogene.",
    )
    # "Vorurteilen" is another form of "Vorurteile" only to the German stemmer.
    hit = found(search(client, "Vorurteilen", lang="de"), slug)
    assert hit is not None
    assert hit["match"]["found_in"] == "translation"
    assert hit["match"]["language"] == "de"
    assert "<mark>Vorurteile</mark>" in hit["match"]["passage"]
    # An English reader finds it by the German words too, whatever the interface.
    assert found(search(client, "Vorurteilen", lang="en"), slug) is not None


@pytest.mark.writes
def test_the_readers_stop_words_are_dropped(client: TestClient, engine: Engine) -> None:
    slug = published_in_barcelona(engine, title="Zebrafinch walks", summary="Walks for newcomers.")
    translated(engine, slug, "de", "Zebrafinken-Spaziergänge", "Gegen Gerüchte, gegen Vorurteile.")
    # "und" is a German stop word: for a German reader every other word must match, and
    # does, so the search needs no fallback to any of the words.
    body = search(client, "Vorurteile und Gerüchte", lang="de")
    assert found(body, slug) is not None
    assert "any_word" not in body


@pytest.mark.writes
def test_an_original_is_stemmed_in_its_language(client: TestClient, engine: Engine) -> None:
    slug = published_in_barcelona(
        engine,
        title="Zebrafinch barrio",
        summary="Una ciudad integrada, barrio por barrio.",
        original_language="es",
    )
    # The Spanish stemmer makes "integración" and "integrada" one word; typed without
    # its accent it is the same word.
    for q in ("integración", "integracion"):
        hit = found(search(client, f"zebrafinch {q}"), slug)
        assert hit is not None, q
        assert "<mark>integrada</mark>" in hit["match"]["passage"]


@pytest.mark.writes
def test_a_word_matches_only_words_of_the_same_language(client: TestClient, engine: Engine) -> None:
    # Dutch stems "news" as "new": looked for as Dutch it must not find English "new".
    slug = published_in_barcelona(
        engine, title="Zebrafinch desk", summary="A desk where new residents ask."
    )
    assert found(search(client, "zebrafinch new"), slug) is not None
    body = search(client, "zebrafinch news", lang="nl")
    assert body.get("any_word"), "only Zebrafinch matched, not news"


@pytest.mark.writes
def test_similar_practices_meet_across_languages(client: TestClient, engine: Engine) -> None:
    slug = published_in_barcelona(
        engine,
        title="Gerüchte-Lotsen",
        summary="Freiwillige widerlegen Gerüchte in der Nachbarschaft.",
        place="vienna",
        original_language="de",
        terms={"goal": ["defusing-conflict"], "target-group": ["whole-community"]},
    )
    similar = client.get(f"/api/v1/practices/{slug}/similar", params={"limit": 20}).json()
    barcelona = next(
        (s for s in similar if s["practice"]["slug"] == "barcelona-anti-rumour-strategy"), None
    )
    assert barcelona is not None, [s["practice"]["slug"] for s in similar]
    assert "gerüchte" in barcelona["reasons"]["shared_words"]


def test_a_search_that_finds_nothing_says_where_words_are_looked_for(
    client: TestClient,
) -> None:
    page = client.get("/practices", params={"q": "Vorurteilsabbauprogramm", "lang": "de"}).text
    assert "Die meisten Praxisbeispiele sind auf Englisch verfasst" in page


@pytest.mark.writes
def test_a_relabelled_term_is_searched_by_its_new_label_at_once(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    sign_in(client, new_user(engine, "moderator"))
    form = client.get("/vocabularies/catalyst/translate", params={"to": "nl"})
    assert form.status_code == 200
    response = client.post(
        form.url.path,
        data={
            "csrf_token": csrf_from(form.text),
            "language": "nl",
            "label-negative-messaging": "Zebravinkpraatjes weerleggen",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert found(search(client, "zebravinkpraatjes", lang="nl"), "barcelona-anti-rumour-strategy")


def test_a_match_through_a_broader_terms_label_shows_that_label(client: TestClient) -> None:
    # One Scotland, Many Cultures is classified under a kind of broadcast channel; the
    # broader term's German label is "Rundfunk".
    hit = found(search(client, "Rundfunk", lang="de"), "one-scotland-many-cultures")
    assert hit is not None
    assert hit["match"]["found_in"] == "classification"
    assert "<mark>Rundfunk</mark>" in hit["match"]["passage"]


@pytest.mark.writes
def test_a_reader_finds_by_english_labels_whatever_the_interface(
    client: TestClient, engine: Engine
) -> None:
    slug = published_in_barcelona(
        engine,
        title="Mesas de barrio",
        summary="Vecinos que resuelven juntos los problemas de la calle.",
        original_language="es",
        terms={"goal": ["defusing-conflict"], "target-group": ["whole-community"]},
    )
    # Written in Spanish, found by the English label of its goal from the German interface.
    hit = found(search(client, "defusing", lang="de"), slug)
    assert hit is not None and hit["match"]["found_in"] == "classification"
    assert hit["match"]["language"] == "en"


@pytest.mark.writes
def test_a_translation_of_the_title_alone_keeps_labels_matching(
    client: TestClient, engine: Engine
) -> None:
    translated(
        engine,
        "barcelona-anti-rumour-strategy",
        "de",
        "Barcelonas Strategie",
        "Eine stadtweite Strategie.",
    )
    assert found(search(client, "Gerüchte", lang="de"), "barcelona-anti-rumour-strategy")


@pytest.mark.parametrize(
    ("lang", "q", "marked"),
    [
        ("de", "Gerüchte", "Gerüchten"),
        ("es", "leyenda", "leyendas"),
        ("it", "leggenda", "leggende"),
        ("nl", "broodjeaapverhaal", "Broodjeaapverhalen"),
        ("hu", "legenda", "legendák"),
    ],
)
def test_a_query_in_each_language_finds_an_english_practice(
    client: TestClient, lang: str, q: str, marked: str
) -> None:
    # Barcelona's strategy is in English; its catalyst, countering urban legends, is
    # labelled in every language. Each query is another form of the label's word.
    hit = found(search(client, q, lang=lang), "barcelona-anti-rumour-strategy")
    assert hit is not None, lang
    assert (hit["match"]["found_in"], hit["match"]["language"]) == ("classification", lang)
    assert f"<mark>{marked}</mark>" in hit["match"]["passage"]


@pytest.mark.writes
@pytest.mark.parametrize("original", ["de", "hu"])
def test_an_english_query_finds_a_practice_written_in_another_language(
    client: TestClient, engine: Engine, original: str
) -> None:
    title, summary = {
        "de": ("Zebrafinken-Lotsen", "Freiwillige begleiten Neuzugezogene."),
        "hu": ("Zebrapinty mentorok", "Önkéntesek segítik az újonnan érkezőket."),
    }[original]
    slug = published_in_barcelona(
        engine,
        title=title,
        summary=summary,
        original_language=original,
        terms={"goal": ["defusing-conflict"], "target-group": ["whole-community"]},
    )
    hit = found(search(client, "conflict", lang="en", limit=200), slug)
    assert hit is not None and hit["match"]["found_in"] == "classification"
