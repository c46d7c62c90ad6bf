"""Publishing through the forms: drafts, submission, moderation, revisions, lineage, and
what bad input and concurrent edits do. Runs on SQLite and PostgreSQL."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from app.models.accounts import AuditEvent
from app.models.practices import Practice, PracticeRevision
from tests.factories import csrf_from, new_user, practice_form, sign_in

pytestmark = pytest.mark.writes  # every test here writes, on a copy of the catalogue

OSLO = "oslo-city-council"


def post(client: TestClient, path: str, data: dict[str, Any], form: str | None = None) -> Response:
    """Post ``data`` to ``path`` with the CSRF token of the form page (``form`` or ``path``)."""
    token = csrf_from(client.get(form or path).text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def as_user(client: TestClient, engine: Engine, role: str, org: str | None = None) -> None:
    client.cookies.clear()
    sign_in(client, new_user(engine, role, org, name=f"A {role}"))


def create(client: TestClient, data: dict[str, Any], action: str = "save") -> str:
    response = post(client, "/practices/new", {**data, "action": action})
    assert response.status_code == 303, response.text
    if action == "save":
        return response.headers["location"].split("/practices/")[1].split("/edit")[0]
    return re.search(r"submitted=([^&]+)", response.headers["location"]).group(1)  # type: ignore[union-attr]


def post_edit(
    client: TestClient, engine: Engine, slug: str, fields: dict[str, Any], action: str = "save"
) -> Response:
    """The edit form of ``slug`` posted with ``fields`` and ``action``, from the practice's
    current version."""
    version = version_of(engine, slug)
    return post(client, f"/practices/{slug}/edit", {**fields, "action": action, "version": version})


def version_of(engine: Engine, slug: str) -> int:
    with Session(engine) as session:
        return session.exec(select(Practice.version).where(Practice.slug == slug)).one()


def decide(
    client: TestClient, engine: Engine, slug: str, action: str, comment: str = ""
) -> Response:
    return post(
        client,
        f"/moderation/{slug}",
        {"action": action, "version": version_of(engine, slug), "comment": comment},
    )


def submitted_for_review(client: TestClient, engine: Engine, *titles: str) -> list[str]:
    """Practices an Oslo member submitted, one per title; then a moderator is signed in."""
    as_user(client, engine, "member", OSLO)
    slugs = [create(client, practice_form(title), action="submit") for title in titles]
    as_user(client, engine, "moderator")
    return slugs


def slugs(client: TestClient, **params: Any) -> list[str]:
    return [p["slug"] for p in client.get("/api/v1/practices", params=params).json()["items"]]


def test_a_member_drafts_submits_and_a_moderator_publishes(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    as_user(client, engine, "member", OSLO)
    title = "Neighbourhood story circles"
    form = client.get("/practices/new")
    assert form.status_code == 200 and "What role does your authority play?" in form.text
    slug = create(client, {"title": title, "place": "oslo", "visibility": "public"})
    # A draft: its authors can come back to it; nobody else sees it.
    edit = client.get(f"/practices/{slug}/edit")
    assert edit.status_code == 200 and title in edit.text
    assert title in client.get("/my/practices").text
    client.cookies.clear()
    assert client.get(f"/practices/{slug}").status_code == 404
    assert slug not in slugs(client, q=title)

    as_user(client, engine, "member", OSLO)  # a colleague finishes and submits it
    response = post_edit(client, engine, slug, practice_form(title), "submit")
    assert response.status_code == 303, response.text
    assert "submitted" in client.get("/my/practices").text

    as_user(client, engine, "moderator")
    queue = client.get("/moderation")
    assert title in queue.text
    review = client.get(f"/moderation/{slug}")
    assert "A new practice" in review.text and "Build trust" in review.text
    assert decide(client, engine, slug, "publish").status_code == 303
    assert title not in client.get("/moderation").text

    client.cookies.clear()
    page = client.get(f"/practices/{slug}")
    assert page.status_code == 200 and "Build trust between long-standing" in page.text
    assert slug in slugs(client, q=title.split()[-1])
    history = client.get(f"/practices/{slug}/history")
    assert "Revision 1" in history.text and "A member" in history.text
    assert "@example.org" not in history.text  # people are named, e-mails are not shown
    assert title in client.get(f"/practices/{slug}/revisions/1").text


def test_changes_after_publication_become_a_new_revision(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    as_user(client, engine, "member", OSLO)
    title = "Welcome ambassadors"
    slug = create(client, practice_form(title), action="submit")
    as_user(client, engine, "moderator")
    decide(client, engine, slug, "publish")

    as_user(client, engine, "member", OSLO)
    response = post_edit(
        client,
        engine,
        slug,
        {
            **practice_form(title),
            "outcomes-0-text": "Most participants made a friend from another background.",
            "outcomes-0-metric": "participants surveyed",
            "outcomes-0-value": "212",
            "outcomes-0-date": "2024-03-31",
            "outcomes-0-source": "Oslo city survey 2024",
            "outcomes-0-evidence_level": "before-after",
            "note": "Added the 2024 survey",
        },
        "submit",
    )
    assert response.status_code == 303, response.text
    # Readers keep the published version until a moderator publishes the change.
    assert client.get(f"/api/v1/practices/{slug}").json()["outcomes"] == []

    as_user(client, engine, "moderator")
    review = client.get(f"/moderation/{slug}").text
    assert "Changes from the last published revision" in review
    assert re.search(r"<ins>.*Most participants made a friend", review)
    decide(client, engine, slug, "publish")

    detail = client.get(f"/api/v1/practices/{slug}").json()
    assert detail["outcomes"][0] | {"source": None} == {
        "text": "Most participants made a friend from another background.",
        "language": "en",
        "metric": "participants surveyed",
        "value": "212",
        "year": 2024,
        "date": "2024-03-31",
        "source": None,
        "source_note": "Oslo city survey 2024",
        "evidence_level": "before-after",
    }
    history = client.get(f"/practices/{slug}/history").text
    assert "Revision 2" in history and "Added the 2024 survey" in history
    first = client.get(f"/practices/{slug}/revisions/1").text
    assert "Most participants" not in first
    assert "Most participants" in client.get(f"/practices/{slug}/revisions/2").text


def test_a_moderator_returns_with_a_comment_and_archives(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    (slug,) = submitted_for_review(client, engine, "Library language cafés")
    refused = decide(client, engine, slug, "return", comment="")
    assert refused.status_code == 422 and "Say what the authors should change." in refused.text
    assert decide(client, engine, slug, "return", "Please name the partners.").status_code == 303

    as_user(client, engine, "member", OSLO)
    edit = client.get(f"/practices/{slug}/edit").text
    assert "A moderator returned it with this comment" in edit
    assert "Please name the partners." in edit

    as_user(client, engine, "moderator")
    assert decide(client, engine, slug, "archive").status_code == 303
    client.cookies.clear()
    assert client.get(f"/practices/{slug}").status_code == 404


def counts(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as session:
        return (
            session.exec(select(func.count()).select_from(Practice)).one(),
            session.exec(select(func.count()).select_from(PracticeRevision)).one(),
            session.exec(select(func.count()).select_from(AuditEvent)).one(),
        )


def test_bad_input_is_shown_next_to_each_field_and_nothing_is_written(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    as_user(client, engine, "member", OSLO)
    before = counts(engine)
    response = post(
        client,
        "/practices/new",
        {
            **practice_form("x" * 301),
            "aim": "Read <script>alert(1)</script> this",
            "terms-goal": "posters",
            "start_year": "2015",
            "end_year": "2012",
            "outcomes-0-text": "Reached people",
            "outcomes-0-date": "2011-02-30",
            "links": "not a link",
            "action": "save",
        },
    )
    assert response.status_code == 422
    html = response.text
    expected = {
        "title": "At most 300 characters; this has 301.",
        "aim": "Write plain text: HTML tags are not allowed.",
        "outcomes-0-date": "Give a year (2011) or a date that exists (2011-05-14).",
        "links": "Enter web addresses that start with http:// or https://.",
    }
    for field, message in expected.items():
        assert re.search(rf'id="{field}-error">.*{re.escape(message)}', html), field
        assert f'href="#{field}"' in html  # the error summary links to the field
    # A row's error names the row and its field.
    assert 'href="#outcomes-0-date">Outcome 1: When: Give a year' in html
    # The user's input is kept, escaped.
    assert "Read &lt;script&gt;alert(1)&lt;/script&gt; this" in html
    assert "<script>alert(1)" not in html
    assert counts(engine) == before

    # Database checks come after the model's: an unknown code and impossible years.
    response = post(
        client,
        "/practices/new",
        {**practice_form("Neighbourhood story circles"), "terms-goal": "posters", "action": "save"},
    )
    assert response.status_code == 422
    assert re.search(r'id="terms-goal-error">.*Unknown code posters', response.text)
    response = post(
        client,
        "/practices/new",
        {
            **practice_form("Neighbourhood story circles"),
            "start_year": "2015",
            "end_year": "2012",
            "action": "save",
        },
    )
    assert "The end year is before the start year." in response.text
    assert counts(engine) == before


def test_submission_needs_a_handful_of_fields(signed_out: TestClient, engine: Engine) -> None:
    client = signed_out
    as_user(client, engine, "member", OSLO)
    before = counts(engine)
    response = post(
        client,
        "/practices/new",
        {
            "title": "Neighbourhood story circles",
            "place": "oslo",
            "visibility": "public",
            "action": "submit",
        },
    )
    assert response.status_code == 422
    for field in ("summary", "aim", "terms-target-group"):
        assert f'id="{field}-error"' in response.text
    assert counts(engine) == before


def test_stored_text_is_escaped_when_shown(signed_out: TestClient, engine: Engine) -> None:
    client = signed_out
    as_user(client, engine, "member", OSLO)
    title = "Cafés & quizzes: 5 < 6"
    slug = create(
        client, practice_form(title, summary='He said "it works" & <3 it.'), action="submit"
    )
    as_user(client, engine, "moderator")
    decide(client, engine, slug, "publish")
    page = client.get(f"/practices/{slug}").text
    assert "Cafés &amp; quizzes: 5 &lt; 6" in page
    assert "&#34;it works&#34; &amp; &lt;3 it." in page


def test_the_second_of_two_concurrent_edits_is_refused_and_kept_on_the_form(
    client: TestClient, engine: Engine
) -> None:
    first, second = client, TestClient(client.app)
    as_user(first, engine, "member", OSLO)
    slug = create(first, practice_form("Shared meals"))
    as_user(second, engine, "moderator")
    form_first = first.get(f"/practices/{slug}/edit").text
    form_second = second.get(f"/practices/{slug}/edit").text
    version = re.search(r'name="version" value="(\d+)"', form_first).group(1)  # type: ignore[union-attr]
    assert f'name="version" value="{version}"' in form_second

    saved = first.post(
        f"/practices/{slug}/edit",
        data={
            **practice_form("Shared meals, first"),
            "version": version,
            "action": "save",
            "csrf_token": csrf_from(form_first),
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    clash = second.post(
        f"/practices/{slug}/edit",
        data={
            **practice_form("Shared meals, second"),
            "version": version,
            "action": "save",
            "csrf_token": csrf_from(form_second),
        },
        follow_redirects=False,
    )
    assert clash.status_code == 409
    assert "Someone else saved this practice while you were working on it." in clash.text
    assert 'value="Shared meals, second"' in clash.text  # their input is kept
    with Session(engine) as session:
        stored = session.exec(select(Practice).where(Practice.slug == slug)).one()
        assert stored.title == "Shared meals, first"
    # Saving again from the refreshed form is a deliberate choice, and works.
    newer = re.search(r'name="version" value="(\d+)"', clash.text).group(1)  # type: ignore[union-attr]
    again = second.post(
        f"/practices/{slug}/edit",
        data={
            **practice_form("Shared meals, second"),
            "version": newer,
            "action": "save",
            "csrf_token": csrf_from(clash.text),
        },
        follow_redirects=False,
    )
    assert again.status_code == 303
    second.close()


def test_a_very_similar_title_at_the_same_place_is_flagged_before_submission(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    as_user(client, engine, "member", "barcelona-city-council")
    data = {
        **practice_form("Anti Rumour Strategy"),
        "place": "barcelona",
        "lead_organisation": "barcelona-city-council",
    }
    live = client.get(
        "/practices/similar-titles", params={"title": "Anti-rumour strategy", "place": "barcelona"}
    )
    assert "/practices/barcelona-anti-rumour-strategy" in live.text
    before = counts(engine)
    refused = post(client, "/practices/new", {**data, "action": "submit"})
    assert refused.status_code == 422
    assert 'id="confirm_new-error"' in refused.text
    assert "/practices/barcelona-anti-rumour-strategy" in refused.text
    assert counts(engine) == before
    assert create(client, {**data, "confirm_new": "yes"}, action="submit")
    # Elsewhere the same title is no duplicate.
    elsewhere = client.get(
        "/practices/similar-titles", params={"title": "Anti-rumour strategy", "place": "oslo"}
    )
    assert "barcelona-anti-rumour-strategy" not in elsewhere.text


def test_adapted_from_shows_on_both_practices(signed_out: TestClient, engine: Engine) -> None:
    client = signed_out
    as_user(client, engine, "member", OSLO)
    title = "Oslo rumour busters"
    slug = create(
        client,
        practice_form(
            title,
            **{
                "lineage-0-practice": "/practices/barcelona-anti-rumour-strategy",
                "lineage-0-kind": "adapted-from",
                "lineage-0-note": "Volunteers trained in libraries instead of civic centres.",
            },
        ),
        action="submit",
    )
    as_user(client, engine, "moderator")
    decide(client, engine, slug, "publish")
    client.cookies.clear()
    ours = client.get(f"/practices/{slug}").text
    assert "Adapted from" in ours and "Volunteers trained in libraries" in ours
    theirs = client.get("/practices/barcelona-anti-rumour-strategy").text
    assert title in theirs and "was adapted from this practice" in theirs
    api = client.get(f"/api/v1/practices/{slug}").json()
    assert api["adapted_from"][0]["practice"]["slug"] == "barcelona-anti-rumour-strategy"
    origin = client.get("/api/v1/practices/barcelona-anti-rumour-strategy").json()
    assert slug in [link["practice"]["slug"] for link in origin["adaptations"]]


def test_every_write_is_in_the_audit_log(signed_out: TestClient, engine: Engine) -> None:
    client = signed_out
    member = new_user(engine, "member", OSLO)
    client.cookies.clear()
    sign_in(client, member)
    slug = create(client, practice_form("Audit trail"), action="submit")
    assert post(client, "/logout", {}, form="/my/practices").status_code == 303
    as_user(client, engine, "moderator")
    decide(client, engine, slug, "publish")
    with Session(engine) as session:
        events = session.exec(
            select(AuditEvent.action).where(AuditEvent.target == slug).order_by(AuditEvent.id)
        ).all()
        assert list(events) == ["practice.create", "practice.publish"]
        logins = session.exec(select(AuditEvent.action).where(AuditEvent.target == member)).all()
        assert {"user.create", "login", "logout"} <= set(logins)
    as_user(client, engine, "admin")
    log = client.get("/admin/audit", params={"action": "practice.publish"}).text
    assert slug in log


def test_a_moderators_confirmation_names_the_practice_and_what_happened(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    published, returned = submitted_for_review(
        client, engine, "Story walks & talks", "Open kitchens"
    )

    response = decide(client, engine, published, "publish")
    page = client.get(response.headers["location"]).text
    link = f'<a href="/practices/{published}?lang=en">Story walks &amp; talks</a>'
    assert f"{link} is published." in page
    assert f"Done: {published}" not in page

    response = decide(client, engine, returned, "return", "Please add an outcome.")
    page = client.get(response.headers["location"]).text
    assert "Open kitchens</a> went back to its authors with your comment." in page
    # An address naming no practice, or no decision, confirms nothing.
    for params in ({"done": "no-such-practice", "action": "publish"}, {"done": returned}):
        assert 'class="flash"' not in client.get("/moderation", params=params).text


def test_a_draft_is_previewed_as_readers_will_see_it(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    as_user(client, engine, "member", OSLO)
    slug = create(
        client,
        practice_form(
            "Círculos de historias",
            summary="Vecinos que se cuentan cómo llegaron a la ciudad.",
            original_language="es",
        ),
    )
    page = client.get(f"/practices/{slug}/preview").text
    assert '<h1 lang="es">Círculos de historias</h1>' in page
    assert "the practice as readers will see it once it is published" in page
    assert "This practice is written in Spanish" in page, "the language named, not a code"
    # Never published: nothing to compare with.
    assert "Changes from the published version" not in page


def test_an_edit_of_a_published_practice_is_previewed_without_being_written(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    as_user(client, engine, "member", OSLO)
    slug = create(client, practice_form("Welcome walks"), action="submit")
    as_user(client, engine, "moderator")
    decide(client, engine, slug, "publish")
    as_user(client, engine, "member", OSLO)
    response = post_edit(
        client,
        engine,
        slug,
        {
            **practice_form("Welcome walks and talks"),
        },
        "save",
    )
    assert response.status_code == 303, response.text
    with Session(engine) as session:
        version = session.exec(select(func.max(Practice.version))).one()
    page = client.get(f"/practices/{slug}/preview").text
    assert "<h1>Welcome walks and talks</h1>" in page
    assert 'id="changes-h">Changes from the published version' in page
    assert "<ins>" in page and "talks" in page
    # The published page and the catalogue are as they were.
    client.cookies.clear()
    assert "<h1>Welcome walks</h1>" in client.get(f"/practices/{slug}").text
    with Session(engine) as session:
        assert session.exec(select(func.max(Practice.version))).one() == version
        assert session.exec(select(Practice.title).where(Practice.slug == slug)).one() == (
            "Welcome walks"
        )


def test_a_resubmission_is_reviewed_against_what_was_returned_with_the_comment(
    signed_out: TestClient, engine: Engine
) -> None:
    client = signed_out
    (slug,) = submitted_for_review(client, engine, "Library language cafés")
    assert decide(client, engine, slug, "return", "Please say who takes part.").status_code == 303

    as_user(client, engine, "member", OSLO)
    response = post_edit(
        client,
        engine,
        slug,
        {
            **practice_form("Library language cafés"),
            "participants": "Volunteers and newcomers learning Norwegian.",
        },
        "submit",
    )
    assert response.status_code == 303, response.text

    as_user(client, engine, "moderator")
    review = client.get(f"/moderation/{slug}").text
    assert "Resubmitted after it was returned on" in review
    assert "<blockquote>Please say who takes part.</blockquote>" in review
    since = review.split("<h3>Changes since it was returned</h3>")[1].split("</section>")[0]
    assert "Volunteers and newcomers learning Norwegian." in since
    assert "Summary" not in since, "only what changed since the return"
    assert '<details class="all-fields"><summary>All fields</summary>' in review
