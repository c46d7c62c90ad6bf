"""The design profile: the reports' prompts answered in the officers' own words, shown as a
profile (never a score), revised and translated like every other field."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.browser_checks import sign_in as sign_in_browser
from tests.conftest import LiveServer
from tests.factories import (
    PASSWORD,
    auth,
    new_key,
    new_user,
    practice_data,
    published_edit,
    published_in_barcelona,
    sign_in,
)
from tests.test_translations import post_translation

ANSWERS = {
    "design_who": "Trained volunteers from both estates carry the message.",
    "contact_equal_status": "Everyone plays on mixed teams, with rotating captains.",
    "pitfall_media": "A tabloid framed the launch as a cost; we invited its reporter to a match.",
}


@pytest.mark.writes
def test_answers_are_kept_shown_as_a_profile_and_revised(
    engine: Engine, client: TestClient
) -> None:
    slug = published_in_barcelona(
        engine, title="Estate football", terms=_terms("delegate"), **ANSWERS
    )
    api = client.get(f"/api/v1/practices/{slug}").json()
    assert {name: api[name] for name in ANSWERS} == ANSWERS
    assert api["pitfall_funding"] is None

    page = client.get(f"/practices/{slug}", params={"lang": "en"}).text
    profile = page.split('id="design-profile-h"')[1].split("</section>")[0]
    assert "Who carries the message?" in profile and ANSWERS["design_who"] in profile
    assert "The media" in profile and ANSWERS["pitfall_media"] in profile
    assert "Funding and resources" not in profile  # unanswered prompts are left out
    assert not any(word in profile.lower() for word in ("score", "total", "/ 10", "%"))

    # "Answered in a given way": the authority let a more credible partner lead.
    delegated = client.get("/api/v1/practices", params={"lra_role": "delegate", "limit": 200})
    assert slug in [p["slug"] for p in delegated.json()["items"]]

    published_edit(engine, slug, pitfall_media="No press problems in the second year.")
    history = client.get(f"/practices/{slug}/history", params={"lang": "en"}).text
    assert "The media" in history  # the revision that changed it names the prompt
    assert "No press problems" in client.get(f"/practices/{slug}").text


def _terms(role: str) -> dict[str, list[str]]:
    return {
        "goal": ["improving-interaction"],
        "target-group": ["whole-community"],
        "lra-role": [role],
    }


@pytest.mark.writes
def test_an_answer_is_translated_like_any_field(signed_out: TestClient, engine: Engine) -> None:
    slug = published_in_barcelona(engine, title="Estate football two", **ANSWERS)
    client = signed_out
    sign_in(client, new_user(engine, "member", "barcelona-city-council"))
    saved = post_translation(
        client,
        slug,
        "de",
        language="de",
        origin="human",
        title="Fußball im Viertel",
        summary="Gemischte Mannschaften aus zwei Siedlungen spielen jede Woche.",
        pitfall_media="Eine Boulevardzeitung sprach von Kosten; wir luden ihren Reporter ein.",
    )
    assert saved.status_code == 303, saved.text
    client.cookies.clear()
    german = client.get(f"/practices/{slug}", params={"lang": "de"}).text
    assert "Eine Boulevardzeitung sprach von Kosten" in german
    assert ANSWERS["design_who"] in german  # untranslated answers stay, marked as English
    assert f'<dd lang="en">{ANSWERS["design_who"]}</dd>' in german


@pytest.mark.writes
def test_a_too_long_answer_is_refused_with_its_prompt_named(
    engine: Engine, client: TestClient
) -> None:
    body = {**practice_data("Zyxwq overlong answer"), "pitfall_media": "x" * 2001}
    refused = client.post("/api/v1/practices", json=body, headers=auth(new_key(engine, "write")))
    assert refused.status_code == 422
    assert [e.get("field", e.get("param")) for e in refused.json()["errors"]] == [
        "pitfall_media"
    ], refused.json()
    assert client.get("/api/v1/practices", params={"q": "zyxwq"}).json()["total"] == 0


def fill_in_the_profile(live_server: LiveServer, page: Any, *, javascript: bool) -> None:
    base = live_server.url
    sign_in_browser(
        page, base, new_user(live_server.engine, "member", "oslo-city-council"), PASSWORD
    )
    page.goto(f"{base}/practices/oslo-extra-large-oxlo/edit")
    page.get_by_text("Design profile").click()  # a folded section, opened without scripts
    page.get_by_label("Does it create a protected, safe space?").fill("Meetings in the library.")
    page.get_by_label("Political correctness").fill("We named tensions openly.")
    page.get_by_role("button", name="Save draft").last.click()
    page.wait_for_url("**/edit?*saved=1*")
    # Saved with the draft, and the section opens again because it has answers.
    assert page.get_by_label("Political correctness").input_value() == "We named tensions openly."
    page.goto(f"{base}/practices/oslo-extra-large-oxlo/preview")
    profile = page.locator(".design-profile").inner_text()
    assert "Meetings in the library." in profile and "Pitfalls" in profile
    assert javascript == page.evaluate("() => typeof window.htmx !== 'undefined'")


def test_the_profile_form_with_javascript(live_server: LiveServer, page: Any) -> None:
    fill_in_the_profile(live_server, page, javascript=True)


def test_the_profile_form_without_javascript(live_server: LiveServer, page_without_js: Any) -> None:
    fill_in_the_profile(live_server, page_without_js, javascript=False)
