"""Synthetic practices: titles, texts and terms drawn from the word lists."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.loaders.synthetic.places import PlaceRow, Slugs
from app.loaders.synthetic.words import (
    ACTIVITIES,
    ADJECTIVES,
    BRANDS,
    CHANNELS,
    EVIDENCE,
    EVIDENCE_WEIGHTS,
    FILLERS,
    FRAMED,
    GOALS,
    ISSUES,
    LEVELS,
    LIFECYCLE_WEIGHTS,
    LIFECYCLES,
    PARTNERS,
    ROLES,
    TARGETS,
    Term,
)
from app.models.practices import PracticeBase, PracticeStatus, Visibility
from app.practices.writing import practice_row


def _article_less(phrase: str) -> str:
    for article in ("a ", "an "):
        if phrase.startswith(article):
            return phrase[len(article) :]
    return phrase


def _capital(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def _with_article(label: str) -> str:
    phrase = label[:1].lower() + label[1:]
    if phrase.endswith("s"):
        return phrase
    return ("an " if phrase[:1] in "aeiou" else "a ") + phrase


def _listing(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _pick(
    rng: random.Random, terms: Sequence[Term], weights: Sequence[float], k: int
) -> list[Term]:
    """``k`` different terms, more popular ones more often."""
    k = min(k, len(terms))
    chosen: dict[str, Term] = {}
    while len(chosen) < k:
        term = rng.choices(terms, weights=weights)[0]
        chosen.setdefault(term.code, term)
    return list(chosen.values())


@dataclass
class Scheme:
    terms: list[Term]
    weights: list[float]

    def pick(self, rng: random.Random, low: int, high: int) -> list[Term]:
        return _pick(rng, self.terms, self.weights, rng.randint(low, high))


def practice_schemes(rng: random.Random, vocab: dict[str, dict[str, Term]]) -> dict[str, Scheme]:
    """Each scheme's terms with popularity weights: some terms are used far more than
    others (a Zipf-like curve over a seeded order), lifecycle and evidence as in the
    reports (most evidence is impressionistic)."""
    schemes = {}
    for code, terms_by_code in sorted(vocab.items()):
        terms = [terms_by_code[c] for c in sorted(terms_by_code)]
        fixed = {"lifecycle": LIFECYCLE_WEIGHTS, "evidence-level": EVIDENCE_WEIGHTS}.get(code)
        if fixed:
            weights = [float(fixed.get(t.code, 3)) for t in terms]
        else:
            ranks = list(range(1, len(terms) + 1))
            rng.shuffle(ranks)
            weights = [1 / rank**0.8 for rank in ranks]
        schemes[code] = Scheme(terms, weights)
    return schemes


@dataclass
class Generated:
    row: dict[str, Any]
    term_ids: list[int]


def make_practice(
    rng: random.Random,
    practice_id: int,
    place: PlaceRow,
    schemes: dict[str, Scheme],
    slugs: Slugs,
    now: datetime,
) -> Generated:
    activities = schemes["activity-type"].pick(rng, 1, 3)
    goals = schemes["goal"].pick(rng, 1, 2)
    targets = schemes["target-group"].pick(rng, 1, 3)
    roles = schemes["lra-role"].pick(rng, 0, 2)
    channels = schemes["channel"].pick(rng, 0, 2)
    lifecycle = schemes["lifecycle"].pick(rng, 1, 1)[0]
    evidence = schemes["evidence-level"].pick(rng, 1, 1)[0]
    framings = schemes["framing"].pick(rng, 0, 2)
    policies = schemes["policy-area"].pick(rng, 0, 1)

    def activity(term: Term) -> str:
        options = ACTIVITIES.get(term.code)
        return rng.choice(options) if options else _with_article(term.label)

    def target_of(term: Term) -> str:
        return TARGETS.get(term.code) or term.label[:1].lower() + term.label[1:]

    what = [activity(t) for t in activities]
    who = [target_of(t) for t in targets]
    where = place.name

    form = rng.random()
    if form < 0.25:
        title = f"{_capital(_article_less(what[0]))} for {who[0]}"
    elif form < 0.45:
        title = f"{where}: {_article_less(what[0])}"
    elif form < 0.65:
        title = f"{rng.choice(BRANDS)}: {_article_less(what[0])} in {where}"
    elif form < 0.8 and len(what) > 1:
        title = f"{_capital(_article_less(what[0]))} and {_article_less(what[1])}"
    else:
        title = f"{rng.choice(ADJECTIVES)} {_article_less(what[0])} with {who[0]}"

    start = min(2025, 1995 + int(30 * rng.random() ** 0.6))
    end = None
    if lifecycle.code in ("ended", "funding-ended"):
        end = min(2025, start + rng.randint(1, 6))
    if lifecycle.code == "planned":
        start = rng.choice((2024, 2025))

    authority = LEVELS.get(place.level, LEVELS["municipality"])[5]
    verb = {
        "planned": "plans",
        "pilot": "is piloting",
        "ended": "ran",
        "funding-ended": "ran",
    }.get(lifecycle.code, "runs")
    goal_options = GOALS.get(goals[0].code) or (f"to work on {goals[0].label.lower()}",)
    purpose = rng.choice(goal_options).format(place=where, target=who[0], issue=rng.choice(ISSUES))
    summary = f"{where}'s {authority} {verb} {what[0]} {purpose}."
    if len(who) > 1 or rng.random() < 0.5:
        summary += f" It is aimed at {_listing(who)}."

    sentences: list[str] = []
    if len(what) > 1:
        sentences.append(f"Alongside {what[0]}, it includes {_listing(what[1:])}.")
    if channels:
        names = [CHANNELS.get(c.code) or c.label.lower() for c in channels]
        sentences.append(f"It reaches people through {_listing(names)}.")
    for role in roles:
        options = ROLES.get(role.code) or (f"The council's role: {role.label.lower()}.",)
        sentences.append(rng.choice(options).format(partner=rng.choice(PARTNERS)))
    sentences += rng.sample(FILLERS, rng.randint(1, 3))
    for policy in policies:
        sentences.append(f"It is linked to the council's work on {policy.label.lower()}.")
    for chance, options in FRAMED:
        if rng.random() < chance:
            sentences.insert(rng.randint(0, len(sentences)), rng.choice(options))
    if framings and rng.random() < 0.08:
        sentences.append(f"The council speaks of {framings[0].label.lower()} in this work.")
    sentences.insert(
        0, LIFECYCLES.get(lifecycle.code, "Started in {start}.").format(start=start, end=end)
    )
    outcome = rng.choice(EVIDENCE.get(evidence.code) or ("",)).format(
        n=rng.randint(3, 60) * 10, m=rng.randint(2, 40), k=rng.randint(3, 25)
    )
    if outcome:
        sentences.append(outcome)

    when = now - timedelta(days=rng.randint(0, 2000), seconds=rng.randint(0, 86_399))
    visibility = Visibility.network if rng.random() < 0.03 else Visibility.public
    term_ids = [
        t.id
        for t in (
            *activities,
            *goals,
            *targets,
            *roles,
            *channels,
            lifecycle,
            evidence,
            *framings,
            *policies,
        )
    ]
    fields = PracticeBase(
        title=title[:300],
        summary=summary[:1000],
        description=" ".join(sentences),
        start_year=start,
        end_year=end,
        visibility=visibility,
    )
    row = practice_row(
        fields,
        id=practice_id,
        slug=slugs(title, 160),
        place_id=place.id,
        status=PracticeStatus.published,
        published_at=when,
        created_at=when,
        updated_at=when,
    )
    return Generated(row, list(dict.fromkeys(term_ids)))
