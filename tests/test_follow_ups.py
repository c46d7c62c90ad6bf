"""Follow-ups: which practices need an update, the one-click "still accurate", and the
"last verified" that readers see and filter by."""

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.practices.follow_ups import FollowUp, months_before, needing_update
from app.practices.worklists import find_any_practice
from tests.factories import csrf_from, published_in_barcelona, signed_in_client

SEEDED = "barcelona-anti-rumour-strategy"  # led by Barcelona City Council, from a 2012 report
TODAY = date.today()
OUTCOME = [{"text": "Forty residents took part."}]


def test_months_before_keeps_the_day_or_the_end_of_a_shorter_month() -> None:
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)
    assert months_before(date(2026, 12, 7), 18) == date(2025, 6, 7)


def flagged(engine: Engine, today: date, organisation_id: int | None = None) -> dict[str, FollowUp]:
    with Session(engine) as session:
        found = needing_update(session, organisation_id=organisation_id, today=today)
        return {f.practice.slug: f for f in found}


@pytest.mark.writes
def test_a_practice_needs_an_update_without_outcomes_a_year_on_or_unverified_for_18_months(
    engine: Engine,
) -> None:
    old_silent = published_in_barcelona(engine, title="Old and silent", start_year=2020)
    with_outcome = published_in_barcelona(
        engine, title="Old with results", start_year=2020, outcomes=OUTCOME
    )
    this_year = published_in_barcelona(engine, title="Just started", start_year=TODAY.year)
    no_start = published_in_barcelona(engine, title="No start year")

    now = flagged(engine, TODAY)
    assert now[old_silent].no_outcome and not now[old_silent].unverified
    assert with_outcome not in now and this_year not in now and no_start not in now
    assert now[SEEDED].unverified  # loaded from a 2012 report, never confirmed since

    # A practice started this year has had no outcome for 12 months from January next year.
    next_year = flagged(engine, date(TODAY.year + 1, 1, 1))
    assert next_year[this_year].no_outcome
    assert this_year not in flagged(engine, date(TODAY.year, 12, 31))

    # Confirmed today (by publishing): needs confirming again after 18 months, not before.
    assert with_outcome not in flagged(engine, TODAY + timedelta(days=17 * 31))
    later = flagged(engine, TODAY + timedelta(days=19 * 31))
    assert later[with_outcome].unverified and not later[with_outcome].no_outcome


@pytest.mark.writes
def test_the_periods_are_settings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    slug = published_in_barcelona(engine, title="Checked today", start_year=TODAY.year - 1)
    monkeypatch.setenv("INTERLOCAL_FOLLOW_UP_VERIFIED_MONTHS", "1")
    monkeypatch.setenv("INTERLOCAL_FOLLOW_UP_OUTCOME_MONTHS", "36")
    from app.config import get_settings

    get_settings.cache_clear()
    try:
        found = flagged(engine, TODAY + timedelta(days=40))
        assert found[slug].unverified and not found[slug].no_outcome
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


@pytest.mark.writes
def test_an_officer_confirms_a_practice_from_the_dashboard_and_readers_see_the_date(
    engine: Engine, client: TestClient
) -> None:
    signed_in_client(client, engine, "member", "barcelona-city-council")
    dashboard = client.get("/my/practices", params={"lang": "en"}).text
    assert "Needs an update" in dashboard and f"/practices/{SEEDED}/verify" in dashboard
    assert "Not verified for 18 months" in dashboard
    assert "/practices/oslo-" not in dashboard.split("Needs an update")[1].split("</section>")[0]
    before = client.get(f"/api/v1/practices/{SEEDED}").json()["verified_at"]

    done = client.post(
        f"/practices/{SEEDED}/verify",
        data={"csrf_token": csrf_from(dashboard), "back": "mine"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/my/practices")
    after = client.get(done.headers["location"]).text
    assert "still accurate" in after
    assert f"/practices/{SEEDED}/verify" not in after
    verified = client.get(f"/api/v1/practices/{SEEDED}").json()["verified_at"]
    assert verified > (before or "") and verified.startswith(TODAY.isoformat()[:7])
    page = client.get(f"/practices/{SEEDED}", params={"lang": "en"}).text
    assert "Last verified on" in page
    with Session(engine) as session:
        assert find_any_practice(session, SEEDED).verified_by_id is not None

    recent = client.get("/api/v1/practices", params={"verified_within": 1, "limit": 200}).json()
    assert [p["slug"] for p in recent["items"]] == [SEEDED]


@pytest.mark.writes
def test_only_the_practices_organisations_and_moderators_can_confirm_it(
    engine: Engine, client: TestClient
) -> None:
    signed_in_client(client, engine, "member", "oslo-city-council")
    token = csrf_from(client.get("/my/practices").text)
    refused = client.post(f"/practices/{SEEDED}/verify", data={"csrf_token": token})
    assert refused.status_code == 403
    assert client.get("/api/v1/practices", params={"verified_within": 1}).json()["total"] == 0

    signed_in_client(client, engine, "moderator", None)
    report = client.get("/moderation/follow-ups", params={"lang": "en"}).text
    assert f"/practices/{SEEDED}/verify" in report
    token = csrf_from(report)
    done = client.post(
        f"/practices/{SEEDED}/verify",
        data={"csrf_token": token, "back": "moderation"},
        follow_redirects=False,
    )
    assert done.headers["location"].startswith("/moderation/follow-ups")
    assert f"/practices/{SEEDED}/verify" not in client.get("/moderation/follow-ups").text


def test_the_follow_up_report_is_for_moderators_only(client: TestClient) -> None:
    assert client.get("/moderation/follow-ups", follow_redirects=False).status_code in (303, 401)
    refused = client.get("/api/v1/practices", params={"verified_within": 0})
    assert refused.status_code == 422 and "verified_within" in refused.text
