"""Writes while people read: a partner publishing one practice a second through the API
with a trusted organisation's key, and an officer saving a draft through the practice
form once a second. Each write's latency and every failure are recorded.

The accounts are made as a host would: `interlocal trust-organisation`, `create-api-key`
and `create-user`.
"""

from __future__ import annotations

import re
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from common import interlocal, log

PARTNER = "barcelona-city-council"  # a seeded authority, trusted: its API writes publish
OFFICER_ORGANISATION = "oslo-city-council"
OFFICER = "bench-officer@example.org"
PASSWORD = "bench-officer-password-17"  # a throwaway account in a throwaway database


class WriteFailed(Exception):
    """A write the server refused or answered unexpectedly."""


@dataclass
class Accounts:
    key: str


def make_accounts(env: dict[str, str]) -> Accounts:
    interlocal(["trust-organisation", "--organisation", PARTNER], env)
    out = interlocal(
        [
            "create-api-key",
            "--organisation",
            PARTNER,
            "--name",
            "bench",
            "--scope",
            "read",
            "--scope",
            "write",
        ],
        env,
    )
    token = out.splitlines()[-1].strip()
    interlocal(
        ["create-user", OFFICER, "--role", "member", "--organisation", OFFICER_ORGANISATION],
        env,
        stdin=PASSWORD + "\n",
    )
    return Accounts(key=token)


@dataclass
class Stats:
    latencies_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.latencies_ms:
            return f"no writes; {len(self.failures)} failures"
        ordered = sorted(self.latencies_ms)
        p50 = statistics.median(ordered)
        return (
            f"{len(ordered)} ok, {len(self.failures)} failed; latency p50 {p50:.0f} ms, "
            f"max {ordered[-1]:.0f} ms"
        )


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not found:
        raise WriteFailed("the form has no CSRF token")
    return found.group(1)


def _version(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    if not found:
        raise WriteFailed("the edit form has no version")
    return found.group(1)


def _draft(title: str, summary: str, token: str, **more: str) -> dict[str, str]:
    return {
        "title": title,
        "summary": summary,
        "place": "oslo",
        "lead_organisation": OFFICER_ORGANISATION,
        "original_language": "en",
        "aim": "Build trust between long-standing and new residents.",
        "terms-target-group": "whole-community",
        "visibility": "public",
        "action": "save",
        "csrf_token": token,
        **more,
    }


class Writers:
    """Two threads writing once a second each until ``stop``."""

    def __init__(self, base: str, accounts: Accounts) -> None:
        self.base, self.accounts = base, accounts
        self.published, self.drafts = Stats(), Stats()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._every_second, args=(self._publish, self.published)),
            threading.Thread(target=self._every_second, args=(self._save_draft, self.drafts)),
        ]
        self._officer = httpx.Client(base_url=base, timeout=30)
        self._partner = httpx.Client(
            base_url=base, timeout=30, headers={"Authorization": f"Bearer {accounts.key}"}
        )
        self._draft_slug = ""

    def prepare(self) -> None:
        """Sign the officer in and start the draft they will keep saving."""
        token = _csrf(self._officer.get("/login").text)
        signed = self._officer.post(
            "/login",
            data={"email": OFFICER, "password": PASSWORD, "csrf_token": token, "next": "/"},
        )
        if signed.status_code != 303:
            raise WriteFailed(f"the officer could not sign in: {signed.status_code}")
        token = _csrf(self._officer.get("/practices/new").text)
        created = self._officer.post(
            "/practices/new", data=_draft("Bench draft: welcome walks", "First version.", token)
        )
        found = re.search(r"/practices/([\w-]+)/edit", created.headers.get("location", ""))
        if created.status_code != 303 or not found:
            raise WriteFailed(f"the officer's draft was not saved: {created.status_code}")
        self._draft_slug = found.group(1)

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)
        self._officer.close()
        self._partner.close()

    def _every_second(self, write: Callable[[int], float], stats: Stats) -> None:
        started = time.monotonic()
        n = 0
        while not self._stop.is_set():
            try:
                stats.latencies_ms.append(write(n))
            except (httpx.HTTPError, WriteFailed) as exc:
                stats.failures.append(str(exc) or repr(exc))
            n += 1
            # Once a second on the clock, not a second after each write ends.
            self._stop.wait(max(0.0, started + n - time.monotonic()))

    def _publish(self, n: int) -> float:
        began = time.perf_counter()
        response = self._partner.post(
            "/api/v1/practices?confirm_new=true",
            json={
                "title": f"Bench partner practice {n}: story circles in the library",
                "place": "barcelona",
                "summary": "Residents old and new tell each other where they come from, "
                "for integration and cohesion in the neighbourhood.",
                "terms": {"goal": ["improving-interaction"], "target-group": ["whole-community"]},
            },
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        took = (time.perf_counter() - began) * 1000
        if response.status_code != 201:
            raise WriteFailed(f"publish {n}: HTTP {response.status_code} {response.text[:200]}")
        if response.json().get("status") != "published":
            raise WriteFailed(f"publish {n}: {response.json().get('status')}, not published")
        return took

    def _save_draft(self, n: int) -> float:
        # The officer opens the form (the version it was read at goes with the save), then
        # saves; the save is what is timed.
        form = self._officer.get(f"/practices/{self._draft_slug}/edit")
        if form.status_code != 200:
            raise WriteFailed(f"draft {n}: the form answered {form.status_code}")
        data = _draft(
            "Bench draft: welcome walks",
            f"Version {n} of the draft.",
            _csrf(form.text),
            version=_version(form.text),
        )
        began = time.perf_counter()
        saved = self._officer.post(f"/practices/{self._draft_slug}/edit", data=data)
        took = (time.perf_counter() - began) * 1000
        if saved.status_code != 303:
            raise WriteFailed(f"draft {n}: HTTP {saved.status_code} {saved.text[:200]}")
        return took


def describe(writers: Writers) -> list[str]:
    lines = [
        f"partner publishing (POST /api/v1/practices, trusted key): {writers.published.summary()}",
        f"officer saving a draft (POST /practices/…/edit): {writers.drafts.summary()}",
    ]
    for failure in (writers.published.failures + writers.drafts.failures)[:5]:
        lines.append(f"  failure: {failure}")
    for line in lines:
        log(line)
    return lines
