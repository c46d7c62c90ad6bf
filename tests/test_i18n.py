"""The interface in six languages: catalogues, choosing the language, and the API."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from app.config import ROOT
from app.i18n import LANGUAGES, LOCALE_DIR, from_accept_language
from app.models.vocabularies import VocabularyTerm, VocabularyTermTranslation
from tests.browser_checks import gettext_in

OTHER_LANGUAGES = [code for code in LANGUAGES if code != "en"]


def source_messages() -> set[str]:
    """Every message the code and templates mark for translation (as `make messages` does)."""
    method_map = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_catalogue_is_complete(language: str) -> None:
    path = Path(LOCALE_DIR) / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not all(strings):
            problems.append(f"untranslated: {message.id!r}")
    for message, errors in catalog.check():
        problems += [f"{message.id!r}: {error}" for error in errors]
    known = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id}
    missing = source_messages() - known
    problems += [f"not in the catalogue (run `make messages`): {m!r}" for m in sorted(missing)]
    assert not problems, f"{language}:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-AT,de;q=0.9,en;q=0.5", "de"),
        ("fr-FR,fr;q=0.9,it;q=0.8", "it"),
        ("hu", "hu"),
        ("nl-BE;q=0.4,es;q=0.6", "es"),
        ("fr,pl", None),
        ("", None),
    ],
)
def test_accept_language_picks_the_best_supported_language(
    header: str, expected: str | None
) -> None:
    assert from_accept_language(header) == expected


def test_browser_language_then_choice_then_memory(client: TestClient) -> None:
    response = client.get("/practices", headers={"Accept-Language": "nl-NL,nl;q=0.9"})
    assert response.headers["content-language"] == "nl"
    assert '<html lang="nl">' in response.text
    assert gettext_in("nl", "Search") in response.text
    # Links on the page keep the language.
    assert 'href="/places?lang=nl"' in response.text

    chosen = client.get("/practices", params={"lang": "hu"})
    assert '<html lang="hu">' in chosen.text
    assert "interlocal_lang=hu" in chosen.headers["set-cookie"]
    remembered = client.get("/networks", headers={"Accept-Language": "de"})
    assert remembered.headers["content-language"] == "hu"  # the cookie beats the browser
    assert gettext_in("hu", "Networks") in remembered.text
    client.cookies.clear()


def test_an_unknown_language_in_a_page_address_falls_back(client: TestClient) -> None:
    response = client.get("/", params={"lang": "xx"}, headers={"Accept-Language": "it"})
    assert response.status_code == 200
    assert '<html lang="it">' in response.text
    assert "set-cookie" not in response.headers


def test_numbers_and_country_names_follow_the_locale(client: TestClient) -> None:
    english = client.get("/places", params={"lang": "en", "country": "DE"}).text
    german = client.get("/places", params={"lang": "de", "country": "DE"}).text
    assert "Germany" in english and "Deutschland" in german
    english_facts = client.get("/places/germany", params={"lang": "en"}).text
    german_facts = client.get("/places/germany", params={"lang": "de"}).text
    # Eurostat's 4.2 % born in another EU country (2010), written each language's way.
    assert "4.2%" in english_facts
    assert "4,2\xa0%" in german_facts


def test_api_vocabulary_in_the_requested_language(client: TestClient) -> None:
    english = client.get("/api/v1/vocabularies/goal").json()
    by_header = client.get("/api/v1/vocabularies/goal", headers={"Accept-Language": "es"})
    by_param = client.get("/api/v1/vocabularies/goal", params={"lang": "es"})
    assert by_header.headers["content-language"] == "es"
    assert by_header.json() == by_param.json()
    spanish = by_param.json()
    assert spanish["language"] == "es"
    assert [t["code"] for t in spanish["terms"]] == [t["code"] for t in english["terms"]]
    for es_term, en_term in zip(spanish["terms"], english["terms"], strict=True):
        assert es_term["language"] == "es"
        assert es_term["label"] != en_term["label"]


def test_api_practices_say_which_language_they_return(client: TestClient) -> None:
    page = client.get("/api/v1/practices", params={"lang": "it", "limit": 5}).json()
    for item in page["items"]:
        assert item["language"] == item["original_language"] == "en"  # no translation yet
        assert item["translation"] is None
        assert item["evidence_level"]["label"] == gettext_label(client, item)


def gettext_label(client: TestClient, item: dict[str, object]) -> str:
    evidence = item["evidence_level"]
    assert isinstance(evidence, dict)
    terms = client.get("/api/v1/vocabularies/evidence-level", params={"lang": "it"}).json()
    return str(next(t["label"] for t in terms["terms"] if t["code"] == evidence["code"]))


def test_api_rejects_an_unknown_language(client: TestClient) -> None:
    response = client.get("/api/v1/practices", params={"lang": "fr"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["param"] == "lang"
    assert "de" in response.json()["errors"][0]["allowed"]


def test_api_errors_are_translated(client: TestClient) -> None:
    response = client.get("/api/v1/places/atlantis", headers={"Accept-Language": "de"})
    assert response.status_code == 404
    assert response.json()["detail"] == gettext_in("de", "no place %(slug)r") % {"slug": "atlantis"}


def test_every_term_has_a_label_in_every_language(engine: Engine) -> None:
    with Session(engine) as session:
        terms = session.exec(select(func.count()).select_from(VocabularyTerm)).one()
        for language in OTHER_LANGUAGES:
            translated = session.exec(
                select(func.count())
                .select_from(VocabularyTermTranslation)
                .where(VocabularyTermTranslation.language == language)
            ).one()
            assert translated == terms, language
