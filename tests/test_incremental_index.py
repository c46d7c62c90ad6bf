"""Workers apply published changes to their practice index and peer features instead of
reloading them (app/catalogue/cache.py); drafts change nothing public readers use. An
index kept up to date that way must say exactly what one loaded whole says."""

import random
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col, select

from app.catalogue.counting import ValuesByRow
from app.catalogue.practice_index import PracticeIndex, build, updated
from app.catalogue.practice_rows import SORTS
from app.catalogue.tracking import catalogue_version, changed_since
from app.models.accounts import User
from app.models.practices import Practice
from app.models.vocabularies import VocabularyTerm
from app.permissions import PUBLIC, Viewer, viewer_for, visible
from app.places.peers import features
from app.practices.input import PracticeIn
from app.practices.revisions import editing_data
from app.practices.workflow import archive, publish, save_practice
from app.practices.worklists import find_any_practice
from app.vocabularies.queries import held_terms, scheme_terms
from tests.factories import new_user, practice_in, published_edit, published_practice

pytestmark = pytest.mark.writes

PLACES = ["barcelona", "oslo"]
GOALS = ["improving-interaction", "changing-perceptions"]


def contents(index: PracticeIndex) -> dict[str, Any]:
    """What the index says, independent of how its rows are numbered (for comparing an
    updated index with one loaded whole)."""
    rows = index.row_of
    return {
        "ids": index.by_id.tolist(),
        "public": index.public[rows].tolist(),
        "lead": index.lead[rows].tolist(),
        "place": index.place[rows].tolist(),
        "keys": {name: index.keys[name][rows].tolist() for name in SORTS},
        "orders": {
            name: index.ids[order[index.live[order]]].tolist()
            for name, order in index.orders.items()
        },
        "postings": {
            kind: {
                value: sorted(index.ids[found[index.live[found]]].tolist())
                for value, found in values.items()
                if index.live[found].any()
            }
            for kind, values in index.postings.items()
        },
        "words": {
            word: sorted(index.ids[found[index.live[found]]].tolist())
            for word, (found, _frequency) in index.words.postings.items()
            if index.live[found].any()
        },
        "frequencies": {
            word: sorted(
                zip(
                    index.ids[found[index.live[found]]].tolist(),
                    frequency[index.live[found]].tolist(),
                    strict=True,
                )
            )
            for word, (found, frequency) in index.words.postings.items()
            if index.live[found].any()
        },
        "lengths": index.words.lengths[rows].tolist(),
    }


def _features(found: features.Features) -> dict[str, Any]:
    """What peers read of the features, independent of the order places gained terms in."""
    terms = found.terms
    profile = np.zeros((terms.places, len(terms.profile_ids)), dtype=np.float32)
    challenges = np.zeros((terms.places, len(terms.challenge_ids)), dtype=np.float32)
    profile[terms.rows] = terms.profile
    challenges[terms.rows] = terms.challenges
    return {
        "practices": found.practices.tolist(),
        "profile": np.round(profile, 5).tolist(),
        "challenges": challenges.tolist(),
        "idf": np.round(terms.idf, 5).tolist(),
        "weight": np.round(terms.challenge_weight, 5).tolist(),
    }


_moderators: dict[str, str] = {}  # one per database: hashing passwords takes time


def _moderator(engine: Engine) -> tuple[User, str]:
    key = str(engine.url)
    email = _moderators.get(key) or _moderators.setdefault(key, new_user(engine, "moderator"))
    with Session(engine) as session:
        return session.exec(select(User).where(User.email == email)).one(), email


def _save_draft(engine: Engine, slug: str) -> None:
    """A draft revision of a published practice, saved and not submitted."""
    moderator, _email = _moderator(engine)
    with Session(engine) as session:
        practice = find_any_practice(session, slug)
        data = PracticeIn.model_validate(
            {**editing_data(session, practice), "title": "A draft nobody sees yet"}
        )
        save_practice(
            session,
            moderator,
            viewer_for(session, moderator),
            practice,
            data,
            expected_version=practice.version,
        )


def _archive_or_restore(engine: Engine, slug: str) -> None:
    moderator, _email = _moderator(engine)
    with Session(engine) as session:
        practice = find_any_practice(session, slug)
        viewer = viewer_for(session, moderator)
        if practice.status == "published":
            archive(session, moderator, practice, expected_version=practice.version)
        else:
            publish(session, moderator, viewer, practice, expected_version=practice.version)


def _write(engine: Engine, rng: random.Random, slugs: list[str], step: int) -> None:
    kind = rng.choice(["publish", "edit", "edit", "archive", "lineage", "draft"])
    slug = rng.choice(slugs)
    if kind == "publish":
        data = practice_in(title=f"Incremental practice {step}", place=rng.choice(PLACES))
        slugs.append(published_practice(engine, data, "barcelona-city-council"))
    elif kind == "archive":
        _archive_or_restore(engine, slug)
    elif kind == "draft":
        _save_draft(engine, slug)
    else:
        with Session(engine) as session:
            if find_any_practice(session, slug).status != "published":
                return
        changes: dict[str, Any] = {
            "title": f"Edited {rng.choice(['zebra', 'apple', 'mango'])} {step}",
            "place": rng.choice(PLACES),
            "start_year": rng.choice([None, 2001, 2015]),
            "visibility": rng.choice(["public", "public", "network"]),
            "terms": {"goal": [rng.choice(GOALS)], "target-group": ["whole-community"]},
        }
        if kind == "lineage":
            changes = {"lineage": [{"practice": rng.choice(slugs[:1]), "kind": "inspired-by"}]}
            if slug == slugs[0]:
                return
        published_edit(engine, slug, **changes)


def test_an_index_kept_up_to_date_equals_one_loaded_whole(engine: Engine) -> None:
    rng = random.Random(17)
    with Session(engine) as session:
        index: PracticeIndex = build(session)
        peers = features._load(session)
        version = catalogue_version(session)
    # Facet counts, asked now so that each update carries them on instead of counting
    # afresh: some terms (one never used) stand for a vocabulary's.
    facets = [
        ("country", None),
        ("activity", None),
        ("term", (*sorted(index.postings["term"])[:9], -1)),
    ]
    for kind, values in facets:
        index.counts(kind, index.visible(PUBLIC), values)  # type: ignore[arg-type]
    slugs = [
        published_practice(
            engine, practice_in(title=f"Starting practice {i}"), "barcelona-city-council"
        )
        for i in range(2)
    ]
    for step in range(8):
        _write(engine, rng, slugs, step)
        with Session(engine) as session:
            now = catalogue_version(session)
            changed = changed_since(session, version, now)
            assert changed is not None, "only practices changed, so no full reload is needed"
            index = updated(index, session, changed) or build(session)
            peers = features._updated(peers, session, changed)
            version = now
            if step % 2 or step == 7:  # a wrong update persists: every other step tells
                whole_index = build(session)
                assert contents(index) == contents(whole_index), f"after step {step}"
                for kind, values in facets:
                    assert index.counts(kind, index.visible(PUBLIC), values) == whole_index.counts(
                        kind,
                        whole_index.visible(PUBLIC),
                        values,  # type: ignore[arg-type]
                    ), f"{kind} after step {step}"
                whole = features._load(session)
                assert _features(peers) == _features(whole), f"after step {step}"

    # Who sees what in memory agrees with the rule in SQL.
    member_email = new_user(engine, "member", "barcelona-city-council")
    with Session(engine) as session:
        member = session.exec(select(User).where(User.email == member_email)).one()
        moderator, _email = _moderator(engine)
        for viewer in [PUBLIC, viewer_for(session, member), viewer_for(session, moderator)]:
            in_sql = set(session.exec(select(Practice.id).where(*visible(viewer))).all())
            rows = np.flatnonzero(index.visible(viewer))
            assert set(index.ids[rows].tolist()) == in_sql


def test_a_draft_or_submission_does_not_change_what_public_readers_are_served(
    engine: Engine,
) -> None:
    slug = published_practice(
        engine, practice_in(title="Kept as published"), "barcelona-city-council"
    )
    with Session(engine) as session:
        before = catalogue_version(session)
        updated_at = find_any_practice(session, slug).updated_at
    _save_draft(engine, slug)
    moderator, _email = _moderator(engine)
    with Session(engine) as session:
        viewer: Viewer = viewer_for(session, moderator)
        save_practice(  # a new practice, submitted for review
            session,
            moderator,
            viewer,
            find_any_practice(session, slug),
            PracticeIn.model_validate(editing_data(session, find_any_practice(session, slug))),
            expected_version=find_any_practice(session, slug).version,
            submit=True,
        )
        assert catalogue_version(session) == before
        assert find_any_practice(session, slug).updated_at == updated_at
    published_edit(engine, slug, title="Published at last")
    with Session(engine) as session:
        assert catalogue_version(session) == before + 1
        assert changed_since(session, before, before + 1) == {find_any_practice(session, slug).id}


def test_a_publication_keeps_the_vocabularies_read_and_a_relabelled_term_shows_at_once(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        terms, goals = held_terms(session), scheme_terms(session, "goal")
    published_practice(engine, practice_in(title="Keeps the vocabularies"), "oslo-city-council")
    with Session(engine) as session:
        assert held_terms(session) is terms  # not read again: practices change no term
        assert scheme_terms(session, "goal") is goals
        code, goal = next(iter(goals.items()))
        term = session.get_one(VocabularyTerm, goal.id)
        term.label = "Relabelled goal"
        session.add(term)
        session.commit()
    with Session(engine) as session:
        assert scheme_terms(session, "goal")[code].label == "Relabelled goal"
        assert held_terms(session)[goal.id].ref.label == "Relabelled goal"


def test_a_write_that_cannot_be_attributed_to_practices_reloads_everything(
    engine: Engine,
) -> None:
    # An OR could name any practice: the tracker must not take the first id it sees.
    with Session(engine) as session:
        before = catalogue_version(session)
        ids = session.exec(select(Practice.id).order_by(col(Practice.id)).limit(2)).all()
        session.execute(
            update(Practice)
            .where(or_(col(Practice.id) == ids[0], col(Practice.id) == ids[1]))
            .values(start_year=1999)
        )
        session.commit()
        assert changed_since(session, before, catalogue_version(session)) is None


def test_facet_counts_are_exact_for_narrow_and_broad_results() -> None:
    # Counts come from each row's values, built from the postings: one value a row (a
    # country, some rows with none) or several (terms), for a few rows of 20,000 or most;
    # both must give what counting by hand gives, values without rows included.
    rng = np.random.default_rng(17)
    rows = 20_000
    several = {
        value: np.flatnonzero(rng.random(rows) < share)
        for value, share in (("common", 0.5), ("middling", 0.05), ("none", 0), ("rare", 0.001))
    }
    several["late"] = np.arange(18_000, 18_100)  # a value first carried by added rows
    country = rng.integers(-1, 5, rows)  # -1: none
    one = {f"c{c}": np.flatnonzero(country == c) for c in range(5)}
    some = ["rare", "absent", "none", "c3", "late"]
    for postings in (several, one):
        # Also built for the first 15,000 rows, then extended with the rest (a publication).
        before = {v: r[r < 15_000] for v, r in postings.items()}
        after = {v: r[r >= 15_000] for v, r in postings.items()}
        for chosen in (0, 3, 40, 2_000, 15_000):
            mask = np.zeros(rows, dtype=bool)
            mask[rng.choice(rows, chosen, replace=False)] = True
            by_hand = {v: int(mask[r].sum()) for v, r in postings.items() if mask[r].any()}
            for values in (None, some):
                expected = {v: n for v, n in by_hand.items() if values is None or v in values}
                whole = ValuesByRow.of(postings, values, rows)
                extended = ValuesByRow.of(before, values, 15_000).extended(after, values, rows)
                assert whole.count(mask) == expected, (chosen, values)
                assert extended.count(mask) == expected, (chosen, values)
