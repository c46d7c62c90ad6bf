"""Translating practices and vocabularies: who may, what is stored, and what readers see."""

import html
import re
import subprocess
from datetime import UTC, datetime

import pytest
from babel.dates import format_date
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.models.practices import Practice, PracticeTranslation
from app.models.vocabularies import VocabularyTerm, VocabularyTermTranslation
from tests.browser_checks import gettext_in
from tests.factories import (
    PASSWORD,
    csrf_from,
    new_user,
    published_edit,
    published_in_barcelona,
    sign_in,
    translated,
)
from tests.test_publishing import submitted_for_review

pytestmark = pytest.mark.writes  # every test here writes, on a copy of the catalogue

SLUG = "oslo-extra-large-oxlo"  # led by Oslo City Council


def translation(engine: Engine, slug: str, language: str) -> PracticeTranslation | None:
    with Session(engine) as session:
        practice = session.exec(select(Practice).where(Practice.slug == slug)).one()
        return session.exec(
            select(PracticeTranslation).where(
                PracticeTranslation.practice_id == practice.id,
                PracticeTranslation.language == language,
            )
        ).first()


def post_translation(
    client: TestClient, slug: str, to: str | None = None, lang: str = "en", **fields: str
) -> Response:
    """The translation form of ``slug`` (into ``to``) posted with ``fields`` and its CSRF
    token; the answer, redirects not followed."""
    form = client.get(f"/practices/{slug}/translate", params={"to": to or "", "lang": lang})
    return client.post(
        f"/practices/{slug}/translate",
        data={"csrf_token": csrf_from(form.text), **fields},
        follow_redirects=False,
    )


def test_member_translates_their_practice_and_readers_see_it(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    sign_in(client, new_user(engine, "member", "oslo-city-council", name="Kari Nordmann"))
    page = client.get(f"/practices/{SLUG}", params={"lang": "de"})
    assert gettext_in("de", "Translate the practice") in page.text
    saved = post_translation(
        client,
        SLUG,
        "de",
        lang="de",
        language="de",
        title="OXLO – Oslo Extra Large",
        summary="Oslos Leitbild für eine offene, vielfältige Stadt.",
        origin="human",
    )
    assert saved.status_code == 303
    assert saved.headers["location"].startswith(f"/practices/{SLUG}?lang=de")

    client.cookies.clear()  # readers need no account
    german = client.get(f"/practices/{SLUG}", params={"lang": "de"}).text
    assert '<h1 lang="en">' not in german and "OXLO – Oslo Extra Large" in german
    assert (
        gettext_in("de", "You are reading a translation of the title and summary made by a person.")
        in german
    )
    # When, as a German reader writes dates.
    today = format_date(datetime.now(UTC).date(), "medium", locale="de")
    # By whom, named as the history names people.
    by = gettext_in("de", "Translated by %(person)s on %(date)s.")
    assert by % {"person": "Kari Nordmann", "date": today} in german
    original = client.get(f"/practices/{SLUG}", params={"lang": "de", "show": "original"}).text
    assert '<h1 lang="en">' in original  # the English original, marked as English

    api = client.get(f"/api/v1/practices/{SLUG}", headers={"Accept-Language": "de"}).json()
    assert api["title"] == "OXLO – Oslo Extra Large"
    assert api["language"] == "de" and api["original_language"] == "en"
    assert api["translation"]["origin"] == "human" and api["translation"]["stale"] is False
    assert api["available_languages"] == ["en", "de"]
    english = client.get(f"/api/v1/practices/{SLUG}", params={"lang": "en"}).json()
    assert english["language"] == "en" and english["translation"] is None
    # Found by a search in the translated words too.
    found = client.get("/api/v1/practices", params={"q": "Leitbild"}).json()
    assert SLUG in [item["slug"] for item in found["items"]]


def test_a_reader_without_a_translation_is_pointed_to_the_others(
    signed_out: TestClient, engine: Engine
) -> None:
    slug = published_in_barcelona(
        engine,
        title="Estrategia antirrumores de Zebra",
        summary="Agentes que desmontan rumores en los barrios.",
        original_language="es",
    )
    translated(engine, slug, "en", "Zebra anti-rumour strategy", "Agents who take rumours apart.")
    page = signed_out.get(f"/practices/{slug}", params={"lang": "de"}).text
    assert "ist auf Spanisch verfasst und noch nicht in Ihre Sprache übersetzt" in page
    link = re.search(r'<a href="([^"]*show=en[^"]*)" hreflang="en" lang="en">English</a>', page)
    assert link, "a German reader is shown the way to the English translation"
    english = signed_out.get(html.unescape(link.group(1))).text
    assert '<h1 lang="en">Zebra anti-rumour strategy</h1>' in english
    assert "Angezeigt auf Englisch." in english
    assert 'hreflang="es" lang="es">Español</a> (Original)' in english


def test_translation_goes_stale_when_the_original_changes(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    sign_in(client, new_user(engine, "moderator"))
    slug = "barcelona-anti-rumour-strategy"
    post_translation(
        client,
        slug,
        to="it",
        language="it",
        title="Strategia anti-dicerie",
        summary="Una strategia cittadina contro le dicerie.",
        origin="machine",
    )
    fresh = client.get(f"/api/v1/practices/{slug}", params={"lang": "it"}).json()
    assert fresh["translation"] == {**fresh["translation"], "origin": "machine", "stale": False}
    with Session(engine) as session:
        practice = session.exec(select(Practice).where(Practice.slug == slug)).one()
        old_summary = practice.summary
        practice.summary = old_summary + " (updated)"
        session.add(practice)
        session.commit()
    try:
        stale = client.get(f"/api/v1/practices/{slug}", params={"lang": "it"}).json()
        assert stale["translation"]["stale"] is True
        page = client.get(f"/practices/{slug}", params={"lang": "it"}).text
        assert gettext_in("it", "The original has changed since this translation was made.") in page
        assert (
            gettext_in("it", "You are reading a machine translation of the title and summary.")
            in page
        )
    finally:
        with Session(engine) as session:
            practice = session.exec(select(Practice).where(Practice.slug == slug)).one()
            practice.summary = old_summary
            session.add(practice)
            session.commit()


def test_invalid_translation_is_shown_with_errors_and_not_saved(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    sign_in(client, new_user(engine, "moderator"))
    slug = "one-scotland-many-cultures"
    response = post_translation(
        client,
        slug,
        language="en",  # the original's language
        title="",
        summary="x" * 1001,
        origin="robot",
    )
    assert response.status_code == 422
    html = response.text
    assert 'id="title-error"' in html and 'aria-invalid="true"' in html
    assert "This is the language of the original." in html
    assert "At most 1000 characters; this has 1001." in html
    assert 'class="error-summary"' in html
    assert translation(engine, slug, "en") is None


def test_who_may_translate(signed_out: TestClient, engine: Engine) -> None:
    client = signed_out
    anonymous = client.get(f"/practices/{SLUG}/translate", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?")
    sign_in(client, new_user(engine, "member", "barcelona-city-council"))
    assert client.get(f"/practices/{SLUG}/translate").status_code == 403
    page = client.get(f"/practices/{SLUG}", params={"lang": "en"}).text
    assert "Translate the practice" not in page
    assert client.get("/vocabularies/goal/translate").status_code == 403


def test_a_form_without_its_csrf_token_is_refused(signed_out: TestClient, engine: Engine) -> None:
    client = signed_out
    sign_in(client, new_user(engine, "moderator"))
    response = client.post(
        f"/practices/{SLUG}/translate",
        data={"language": "es", "title": "T", "summary": "S", "origin": "human"},
    )
    assert response.status_code == 403
    assert translation(engine, SLUG, "es") is None


def test_wrong_password_is_refused_with_a_message(signed_out: TestClient, engine: Engine) -> None:
    client = signed_out
    email = new_user(engine, "moderator")
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", data={"email": email, "password": "not it", "csrf_token": token}
    )
    assert response.status_code == 422
    assert "The e-mail address or the password is wrong." in response.text
    assert "interlocal_session" not in response.headers.get("set-cookie", "")


def test_moderator_edits_term_translations(signed_out: TestClient, engine: Engine) -> None:
    client = signed_out
    sign_in(client, new_user(engine, "moderator"))
    form = client.get("/vocabularies/goal/translate", params={"to": "nl"})
    assert form.status_code == 200
    assert 'name="label-informing-communities"' in form.text
    response = client.post(
        "/vocabularies/goal/translate",
        data={
            "csrf_token": csrf_from(form.text),
            "language": "nl",
            "label-informing-communities": "Gemeenschappen informeren (herzien)",
            "definition-informing-communities": "Bewoners informeren.",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    with Session(engine) as session:
        term = session.exec(
            select(VocabularyTerm).where(VocabularyTerm.code == "informing-communities")
        ).one()
        stored = session.exec(
            select(VocabularyTermTranslation).where(
                VocabularyTermTranslation.term_id == term.id,
                VocabularyTermTranslation.language == "nl",
            )
        ).one()
        assert stored.label == "Gemeenschappen informeren (herzien)"
        assert stored.origin == "human"
    api = client.get("/api/v1/vocabularies/goal", params={"lang": "nl"}).json()
    assert api["terms"][0]["label"] == "Gemeenschappen informeren (herzien)"

    too_long = client.post(
        "/vocabularies/goal/translate",
        data={
            "csrf_token": csrf_from(form.text),
            "language": "nl",
            "label-informing-communities": "x" * 301,
            "definition-informing-communities": "",
        },
    )
    assert too_long.status_code == 422
    assert 'id="label-informing-communities-error"' in too_long.text


def test_create_user_command_reads_the_password_from_stdin(engine: Engine) -> None:
    from app.config import ROOT, get_settings

    email = "cli@example.org"
    command = [str(ROOT / ".venv" / "bin" / "interlocal"), "create-user", email]
    env = {"INTERLOCAL_DATABASE_URL": get_settings().database_url, "PATH": "/usr/bin:/bin"}
    ok = subprocess.run(
        [*command, "--role", "member", "--organisation", "oslo-city-council"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    short = subprocess.run(
        [*command.copy()[:-1], "x" + email, "--role", "moderator"],
        input="short\n",
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert short.returncode == 2 and "at least 10 characters" in short.stderr


def test_the_whole_practice_is_translated_and_read_in_translation(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    slug = published_in_barcelona(
        engine,
        title="Zebrafinch walks",
        summary="Residents walk the town together.",
        description="Walks through the old town, every Sunday.",
        aim="Neighbours meet each other.",
        know_how="A map and two guides.",
        outcomes=[{"text": "Forty neighbours walked together.", "date": "2025"}],
    )
    sign_in(client, new_user(engine, "member", "barcelona-city-council"))
    form = client.get(f"/practices/{slug}/translate", params={"to": "de"})
    assert 'name="description"' in form.text and 'name="know_how"' in form.text
    assert 'name="outcomes-0-text"' in form.text
    assert 'name="audience"' not in form.text, "nothing to translate: the original has none"
    saved = client.post(
        f"/practices/{slug}/translate",
        data={
            "csrf_token": csrf_from(form.text),
            "language": "de",
            "origin": "human",
            "title": "Zebrafinken-Spaziergänge",
            "summary": "Bewohner gehen gemeinsam durch die Stadt.",
            "description": "Spaziergänge durch die Altstadt, jeden Sonntag.",
            "aim": "Nachbarn lernen einander kennen.",
            "know_how": "",
            "outcomes-0-text": "Vierzig Nachbarn gingen gemeinsam.",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303

    client.cookies.clear()
    german = client.get(f"/practices/{slug}", params={"lang": "de"}).text
    assert "<div>\n        <p>Spaziergänge durch die Altstadt, jeden Sonntag.</p>" in german
    assert "<dd>Nachbarn lernen einander kennen.</dd>" in german
    assert '<p lang="en">A map and two guides.</p>' in german, "left out: the original"
    assert (
        gettext_in(
            "de",
            "You are reading a translation made by a person; anything it leaves out is "
            "shown as written.",
        )
        in german
    )
    api = client.get(f"/api/v1/practices/{slug}", headers={"Accept-Language": "de"}).json()
    assert api["description"] == "Spaziergänge durch die Altstadt, jeden Sonntag."
    assert api["know_how"] == "A map and two guides."
    assert api["translation"]["fields"] == ["title", "summary", "description", "aim", "outcomes"]
    assert api["outcomes"][0]["text"] == "Vierzig Nachbarn gingen gemeinsam."
    assert api["outcomes"][0]["language"] == "de"
    assert '<li><span lang="de">Vierzig Nachbarn gingen gemeinsam.</span>' in german
    assert api["translation"]["stale"] is False
    found = client.get("/api/v1/practices", params={"q": "Altstadt", "lang": "de"}).json()
    assert [i["slug"] for i in found["items"]] == [slug]

    published_edit(engine, slug, description="Walks through the new town, every Sunday.")
    api = client.get(f"/api/v1/practices/{slug}", headers={"Accept-Language": "de"}).json()
    assert api["translation"]["stale"] is True, "the original body changed since"


def test_a_submission_is_translated_before_publication_and_reviewed_in_translation(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    (slug,) = submitted_for_review(client, engine, "Zebrafinch story circles")
    review = client.get(f"/moderation/{slug}", params={"lang": "de"}).text
    assert "ist auf Englisch verfasst und noch nicht in Ihre Sprache übersetzt" in review
    form = client.get(f"/practices/{slug}/translate", params={"to": "de", "lang": "de"})
    assert form.status_code == 200, "a submission can be translated before publication"
    saved = post_translation(
        client,
        slug,
        "de",
        lang="de",
        language="de",
        origin="machine",
        title="Zebrafinken-Erzählkreise",
        summary="Bewohner erzählen einander, wie sie in die Stadt kamen.",
    )
    assert saved.status_code == 303
    assert saved.headers["location"].startswith(f"/moderation/{slug}?lang=de"), "back to review"
    review = client.get(f"/moderation/{slug}", params={"lang": "de"}).text
    assert "In Ihrer Sprache" in review
    assert "<dd>Zebrafinken-Erzählkreise</dd>" in review
    # Still unpublished: the public sees neither it nor its translation.
    client.cookies.clear()
    assert client.get(f"/practices/{slug}", params={"lang": "de"}).status_code == 404


def test_a_hostile_language_value_is_not_written_into_the_form(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    sign_in(client, new_user(engine, "moderator"))
    refused = post_translation(
        client,
        SLUG,
        to="de",
        language='de"><script>alert(1)</script>',
        origin="human",
        title="T",
        summary="S",
    )
    assert refused.status_code == 422
    assert "<script>alert(1)</script>" not in refused.text


def test_the_original_asked_for_by_its_language_is_not_called_untranslated(
    signed_out: TestClient, engine: Engine
) -> None:
    slug = published_in_barcelona(engine, title="Zebrafinch walks")
    translated(engine, slug, "de", "Zebrafinken-Spaziergänge", "Gemeinsam durch die Stadt.")
    for show in ("en", "original"):
        page = signed_out.get(f"/practices/{slug}", params={"lang": "de", "show": show}).text
        assert '<h1 lang="en">Zebrafinch walks</h1>' in page
        assert "noch nicht in Ihre Sprache übersetzt" not in page, show
        assert gettext_in("de", "Read the translation") in page


def test_a_wrong_outcome_translation_is_named_by_its_row(
    signed_out: TestClient, engine: Engine
) -> None:
    slug = published_in_barcelona(
        engine, title="Zebrafinch walks", outcomes=[{"text": "Forty walked.", "date": "2025"}]
    )
    sign_in(signed_out, new_user(engine, "moderator"))
    row = {"outcomes-0-text": "x" * 2001}
    refused = post_translation(
        signed_out, slug, "it", language="it", origin="human", title="Passeggiate", **row
    )
    assert refused.status_code == 422
    assert '<a href="#outcomes-0-text">Outcome 1: What was found: At most 2000' in refused.text
    assert translation(engine, slug, "it") is None


def test_an_outcome_translation_stays_with_its_outcome_after_an_edit(
    signed_out: TestClient, engine: Engine
) -> None:
    outcomes = [{"text": "Forty walked.", "date": "2025"}, {"text": "Ten cooked.", "date": "2025"}]
    slug = published_in_barcelona(engine, title="Zebrafinch walks", outcomes=outcomes)
    sign_in(signed_out, new_user(engine, "moderator"))
    saved = post_translation(
        signed_out,
        slug,
        "de",
        language="de",
        origin="human",
        title="Zebrafinken-Spaziergänge",
        summary="Gemeinsam.",
        **{"outcomes-0-text": "Vierzig gingen.", "outcomes-1-text": "Zehn kochten."},
    )
    assert saved.status_code == 303
    published_edit(engine, slug, outcomes=outcomes[1:])  # the first outcome is gone
    api = signed_out.get(f"/api/v1/practices/{slug}", params={"lang": "de"}).json()
    assert [(o["text"], o["language"]) for o in api["outcomes"]] == [("Zehn kochten.", "de")]
    assert api["translation"]["stale"] is True, "one translated outcome matches no outcome"
    form = signed_out.get(f"/practices/{slug}/translate", params={"to": "de"}).text
    assert ">Zehn kochten.</textarea>" in form and "Vierzig" not in form
