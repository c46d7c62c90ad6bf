"""The dilemma log: recording a dilemma, who reads it (private, network-only, public), a
moderator's decision, the form's errors, and the clusters counted."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.models.dilemmas import Dilemma
from tests.browser_checks import sign_in as sign_in_browser
from tests.conftest import LiveServer
from tests.factories import PASSWORD, csrf_from, new_user, sign_in

# Bristol and Liverpool belong to the Inclusive Cities network (their councils, through
# their places); Barcelona belongs to none of Bristol's networks.
OWNER, NETWORK_PEER, OUTSIDER = (
    "bristol-city-council",
    "liverpool-city-council",
    "barcelona-city-council",
)


def record(client: TestClient, action: str = "save", **fields: str) -> Any:
    form = client.get("/dilemmas/new", params={"lang": "en"})
    data = {
        "csrf_token": csrf_from(form.text),
        "title": "Residents who want no part in it",
        "cluster": "not-involved",
        "situation": "Some long-standing residents refuse every invitation.",
        "handling": "We met them where they already were: the market.",
        "response": "practical",
        "result": "Three of them now run the stall.",
        "visibility": "private",
        "action": action,
        **fields,
    }
    return client.post("/dilemmas/new", data=data, follow_redirects=False)


def dilemma_id(response: Any) -> int:
    assert response.status_code == 303, response.text
    found = re.search(r"/dilemmas/(\d+)", response.headers["location"])
    assert found
    return int(found.group(1))


def review(client: TestClient, engine: Engine, number: int, action: str) -> Any:
    """A new moderator's decision on dilemma ``number``; the answer, redirects not followed."""
    sign_in(client, new_user(engine, "moderator"))
    page = client.get(f"/dilemmas/{number}")
    return client.post(
        f"/dilemmas/{number}/review",
        data={"csrf_token": csrf_from(page.text), "action": action},
        follow_redirects=False,
    )


def readers(client: TestClient, engine: Engine, path: str) -> dict[str, int]:
    """What each kind of reader gets at ``path``."""
    found = {}
    for who, role, organisation in (
        ("anonymous", None, None),
        ("outsider", "member", OUTSIDER),
        ("network member", "member", NETWORK_PEER),
        ("colleague", "member", OWNER),
        ("moderator", "moderator", None),
    ):
        client.cookies.clear()
        if role:
            sign_in(client, new_user(engine, role, organisation))
        found[who] = client.get(path).status_code
    return found


@pytest.mark.writes
def test_a_dilemma_is_private_until_shared_and_published(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    sign_in(client, new_user(engine, "member", OWNER))
    number = dilemma_id(record(client))
    path = f"/dilemmas/{number}"
    private = readers(client, engine, path)
    assert private == {
        "anonymous": 404,
        "outsider": 404,
        "network member": 404,
        "colleague": 200,
        "moderator": 404,  # private means private: moderators read only what is shared
    }

    sign_in(client, new_user(engine, "member", OWNER))
    edit = client.get(f"{path}/edit")
    shared = client.post(
        f"{path}/edit",
        data={
            "csrf_token": csrf_from(edit.text),
            "title": "Residents who want no part in it",
            "cluster": "not-involved",
            "situation": "Some long-standing residents refuse every invitation.",
            "visibility": "network",
            "action": "submit",
        },
        follow_redirects=False,
    )
    assert dilemma_id(shared) == number
    waiting = readers(client, engine, path)
    assert waiting["network member"] == 404 and waiting["moderator"] == 200

    decided = review(client, engine, number, "publish")
    assert decided.status_code == 303
    published = readers(client, engine, path)
    assert published == {
        "anonymous": 404,
        "outsider": 404,
        "network member": 200,
        "colleague": 200,
        "moderator": 200,
    }
    client.cookies.clear()
    assert "Residents who want no part" not in client.get("/dilemmas").text


@pytest.mark.writes
def test_a_public_dilemma_is_read_by_everyone_and_counted(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    sign_in(client, new_user(engine, "member", OWNER))
    number = dilemma_id(record(client, "submit", visibility="public", cluster="media-debate"))
    client.cookies.clear()
    assert client.get(f"/dilemmas/{number}").status_code == 404  # not before a moderator
    returned = review(client, engine, number, "return")
    assert returned.status_code == 422  # returning it needs a comment, said beside its box
    assert 'id="comment-error"' in returned.text and 'aria-invalid="true"' in returned.text
    review(client, engine, number, "publish")
    client.cookies.clear()
    listed = client.get("/dilemmas", params={"lang": "en"}).text
    assert f'href="/dilemmas/{number}' in listed
    row = re.search(r"Responding to the media and public debate</a></th><td>(\d+)</td>", listed)
    assert row and int(row.group(1)) == 1  # the cluster chart counts what the reader sees
    assert client.get("/dilemmas", params={"cluster": "motivation"}).text.count("card-title") == 0


@pytest.mark.writes
def test_an_invalid_dilemma_is_shown_with_its_errors_and_not_saved(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    sign_in(client, new_user(engine, "member", OWNER))
    refused = record(client, title="", cluster="no-such-cluster", practice="not-ours")
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text and "There is a problem" in refused.text
    assert "Some long-standing residents refuse every invitation." in refused.text  # kept
    with Session(engine) as session:
        assert session.exec(select(Dilemma)).first() is None


@pytest.mark.writes
def test_only_members_of_an_organisation_record_dilemmas(
    signed_out: TestClient, engine: Engine
) -> None:
    assert signed_out.get("/dilemmas/new", follow_redirects=False).status_code == 303
    sign_in(signed_out, new_user(engine, "moderator"))  # no organisation
    assert signed_out.get("/dilemmas/new").status_code == 403


def record_in_browser(live_server: LiveServer, page: Any) -> None:
    base = live_server.url
    sign_in_browser(page, base, new_user(live_server.engine, "member", OWNER), PASSWORD)
    page.goto(f"{base}/dilemmas/new?lang=en")
    page.get_by_role("button", name="Save", exact=True).click()  # nothing filled in
    assert page.locator(".error-summary").is_visible()
    page.get_by_label("A short title").fill("Who speaks for the neighbourhood?")
    page.get_by_label("What kind of dilemma").select_option("implementation")
    page.get_by_label("The dilemma you faced").fill("Two associations each claim to.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/dilemmas/*")
    assert page.locator("h1").inner_text() == "Who speaks for the neighbourhood?"
    assert "Only your organisation can read it." in page.get_by_role("status").inner_text()


def test_recording_a_dilemma_with_javascript(live_server: LiveServer, page: Any) -> None:
    record_in_browser(live_server, page)


def test_recording_a_dilemma_without_javascript(
    live_server: LiveServer, page_without_js: Any
) -> None:
    record_in_browser(live_server, page_without_js)


@pytest.mark.writes
def test_a_shared_dilemma_never_names_a_practice_its_reader_may_not_see(
    signed_out: TestClient, engine: Engine
) -> None:
    # Review finding: the dilemma page showed the linked practice whatever its visibility.
    from tests.factories import practice_in, published_practice

    secret = published_practice(
        engine,
        practice_in(title="Quietly failing pilot", place="bristol", visibility="network"),
        OWNER,
    )
    client = signed_out
    sign_in(client, new_user(engine, "member", OWNER))
    number = dilemma_id(record(client, "submit", visibility="public", practice=secret))
    review(client, engine, number, "publish")
    client.cookies.clear()
    public = client.get(f"/dilemmas/{number}")
    assert public.status_code == 200 and "Residents who want no part" in public.text
    assert "Quietly failing pilot" not in public.text and secret not in public.text


@pytest.mark.writes
def test_moderators_add_a_cluster_that_members_can_then_choose(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    sign_in(client, new_user(engine, "moderator"))
    form = client.get("/vocabularies/dilemma/terms/new", params={"lang": "en"})
    token = csrf_from(form.text)
    blank = client.post("/vocabularies/dilemma/terms/new", data={"csrf_token": token, "label": " "})
    assert blank.status_code == 422 and 'id="label-error"' in blank.text
    added = client.post(
        "/vocabularies/dilemma/terms/new",
        data={"csrf_token": token, "label": "Digital exclusion", "definition": "Who is offline."},
        follow_redirects=False,
    )
    assert added.status_code == 303
    terms = client.get("/api/v1/vocabularies/dilemma").json()["terms"]
    assert (terms[-1]["code"], terms[-1]["origin"]) == ("digital-exclusion", "platform")
    assert [t["code"] for t in terms].count("digital-exclusion") == 1
    # Only the vocabularies practitioners grow, never the reports' classifications.
    refused = client.post(
        "/vocabularies/goal/terms/new", data={"csrf_token": token, "label": "Anything"}
    )
    assert refused.status_code == 403

    sign_in(client, new_user(engine, "member", OWNER))
    assert '<option value="digital-exclusion"' in client.get("/dilemmas/new").text
    assert client.get("/vocabularies/dilemma/terms/new").status_code == 403


@pytest.mark.writes
def test_recording_a_dilemma_leaves_the_catalogue_caches_alone(
    signed_out: TestClient, engine: Engine
) -> None:
    # Review finding: every dilemma saved counted as a change of the whole catalogue, so
    # each worker reloaded its practice index and peer features.
    from app.catalogue.tracking import catalogue_version

    def version() -> int:
        with Session(engine) as session:
            return catalogue_version(session)

    sign_in(signed_out, new_user(engine, "member", OWNER))
    before = version()
    dilemma_id(record(signed_out))
    assert version() == before
