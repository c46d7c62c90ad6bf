"""A practice's revisions: the open edit and the published ones, each field of a
``PracticeIn`` as labelled, readable text (for revision, preview and moderation pages), and
word-level differences between two states (for moderators and the history)."""

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.i18n import _, gettext, language_name
from app.models.accounts import ApiKey, User
from app.models.places import Organisation, Place
from app.models.practices import (
    LineageKind,
    Practice,
    PracticeRevision,
    PracticeStatus,
    RevisionState,
    Visibility,
)
from app.models.vocabularies import Source, VocabularyScheme, VocabularyTerm
from app.permissions import Viewer, sees_revision, visible
from app.practices.fields import EDITABLE_SCHEMES, PRACTICE_FIELDS
from app.practices.writing import snapshot
from app.vocabularies.queries import list_schemes, term_label_column


@dataclass
class FieldView:
    name: str
    label: str
    value: str
    lang: str | None = None  # set for text written in the practice's language


@dataclass
class Change:
    name: str
    label: str
    segments: list[tuple[str, str]]  # ("same" | "removed" | "added", text)


@dataclass
class Names:
    """Display names for the slugs and codes some ``PracticeIn`` data refer to, loaded in a
    few queries for all of them at once (a history page describes every revision)."""

    places: dict[str, str]
    organisations: dict[str, str]
    sources: dict[str, str]
    practices: dict[str, str]
    schemes: dict[str, str]
    terms: dict[tuple[str, str], str]


def names_for(session: Session, viewer: Viewer, datas: Sequence[dict[str, Any] | None]) -> Names:
    """Names for ``datas``; practices they link to are named only if ``viewer`` may see them
    (``describe`` leaves the others out)."""
    found = [d for d in datas if d]

    def slugs(key: str) -> set[str]:
        return {str(d[key]) for d in found if d.get(key)}

    def nested(key: str, field: str) -> set[str]:
        return {str(row[field]) for d in found for row in d.get(key) or [] if row.get(field)}

    codes = {c for d in found for values in (d.get("terms") or {}).values() for c in values}
    codes |= nested("outcomes", "evidence_level")
    return Names(
        places=_names(session, Place.slug, Place.name, slugs("place")),
        organisations=_names(
            session, Organisation.slug, Organisation.name, slugs("lead_organisation")
        ),
        sources=_names(session, Source.slug, Source.title, nested("outcomes", "source_report")),
        practices=_names(
            session,
            Practice.slug,
            Practice.title,
            nested("lineage", "practice"),
            *visible(viewer),
        ),
        schemes={s.scheme: s.label for s in list_schemes(session)},
        terms={
            (scheme, code): label
            for scheme, code, label in session.exec(
                select(VocabularyScheme.code, VocabularyTerm.code, term_label_column())
                .join(VocabularyScheme, col(VocabularyScheme.id) == VocabularyTerm.scheme_id)
                .where(col(VocabularyTerm.code).in_(codes))
            )
        },
    )


def _names(session: Session, key: Any, name: Any, wanted: set[str], *where: Any) -> dict[str, str]:
    if not wanted:
        return {}
    return dict(session.exec(select(key, name).where(key.in_(wanted), *where)).all())


def describe(names: Names, data: dict[str, Any]) -> list[FieldView]:
    """``PracticeIn`` data as labelled, readable values (vocabulary labels, place names),
    in the order of ``PRACTICE_FIELDS``."""
    text_lang = data.get("original_language") or "en"
    views: list[FieldView] = []

    def add(name: str, label: str, value: Any, lang: str | None = None) -> None:
        views.append(FieldView(name, label, "" if value in (None, "", []) else str(value), lang))

    kinds = {LineageKind.adapted_from: _("adapted from"), LineageKind.inspired_by: _("inspired by")}
    for spec in PRACTICE_FIELDS:
        name, value = spec.name, data.get(spec.name)
        if name == "terms":
            terms = value or {}
            for scheme in EDITABLE_SCHEMES:
                add(
                    f"terms-{scheme}",
                    names.schemes.get(scheme, scheme),
                    "; ".join(names.terms.get((scheme, c), c) for c in terms.get(scheme) or []),
                )
            continue
        if name == "place":
            value = names.places.get(value or "", value or "")
        elif name == "lead_organisation":
            value = names.organisations.get(value or "", value or "")
        elif name == "visibility":
            network = value == Visibility.network
            value = _("Members of its networks only") if network else _("Everyone")
        elif name == "outcomes":
            value = "\n".join(_outcome_line(names, o) for o in value or [])
        elif name == "original_language":
            value = language_name(value) if value else value
        elif name == "languages":
            value = ", ".join(value or [])
        elif name == "links":
            value = "\n".join(value or [])
        elif name == "lineage":
            value = "\n".join(
                f"{kinds.get(link.get('kind'), '')} {names.practices.get(link['practice'], '')}"
                + (f": {link['note']}" if link.get("note") else "")
                for link in value or []
                if link.get("practice") in names.practices  # one the reader may see
            )
        written = spec.written or name == "outcomes"
        add(name, _(spec.label), value, text_lang if written else None)
    return views


def _outcome_line(names: Names, o: dict[str, Any]) -> str:
    measured = f"{o['metric']}: {o.get('value') or ''}".strip() if o.get("metric") else ""
    source = names.sources.get(o.get("source_report") or "") or o.get("source")
    evidence = names.terms.get(("evidence-level", o.get("evidence_level") or ""))
    parts = (o.get("text"), measured, o.get("date"), source, evidence)
    return " — ".join(str(p) for p in parts if p)


def _tokens(text: str) -> list[str]:
    return re.findall(r"\s+|[^\s]+", text)


def changes(names: Names, before: dict[str, Any] | None, after: dict[str, Any]) -> list[Change]:
    """What differs between two states of a practice, field by field, word by word."""
    old = {v.name: v for v in describe(names, before)} if before else {}
    result = []
    for view in describe(names, after):
        previous = old[view.name].value if view.name in old else ""
        if previous == view.value:
            continue
        a, b = _tokens(previous), _tokens(view.value)
        segments: list[tuple[str, str]] = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op == "equal":
                segments.append(("same", "".join(a[i1:i2])))
            else:
                if i2 > i1:
                    segments.append(("removed", "".join(a[i1:i2])))
                if j2 > j1:
                    segments.append(("added", "".join(b[j1:j2])))
        result.append(Change(view.name, view.label, segments))
    return result


def people_names(
    session: Session, ids: set[int | None], *, key_names: bool = False
) -> dict[int, str]:
    """How the history names people: their name (or organisation), never their e-mail.
    An API key's user is named by its organisation: its name is the key's, internal to
    the partner, shown only with ``key_names`` (to administrators)."""
    rows = session.exec(
        select(User.id, User.name, Organisation.name, ApiKey.id)
        .outerjoin(Organisation, col(Organisation.id) == User.organisation_id)
        .outerjoin(ApiKey, col(ApiKey.user_id) == User.id)
        .where(col(User.id).in_({i for i in ids if i}))
    ).all()
    return {
        int(user_id or 0): (name if key_names or key_id is None else None)
        or (gettext("a member of %(organisation)s", organisation=org) if org else "")
        or gettext("a moderator")
        for user_id, name, org, key_id in rows
    }


OPEN_STATES = (RevisionState.draft, RevisionState.submitted, RevisionState.returned)


def open_revision(session: Session, practice: Practice) -> PracticeRevision | None:
    """The edit in progress (draft, submitted or returned), if any."""
    return session.exec(
        select(PracticeRevision).where(
            PracticeRevision.practice_id == practice.id,
            col(PracticeRevision.state).in_(OPEN_STATES),
        )
    ).first()


def _published(session: Session, practice: Practice) -> list[PracticeRevision]:
    """Every published revision, newest first (for the rules, not for readers)."""
    return list(
        session.exec(
            select(PracticeRevision)
            .where(
                PracticeRevision.practice_id == practice.id,
                PracticeRevision.state == RevisionState.published,
            )
            .order_by(col(PracticeRevision.number).desc())
        )
    )


def published_revisions(
    session: Session, practice: Practice, viewer: Viewer
) -> list[PracticeRevision]:
    """The published revisions ``viewer`` may read, newest first: a revision published for
    members only stays theirs when the practice goes public later."""
    return [r for r in _published(session, practice) if sees_revision(session, viewer, r.data)]


def revision(
    session: Session, practice: Practice, number: int, viewer: Viewer
) -> PracticeRevision | None:
    """Published revision ``number``, if ``viewer`` may read it."""
    found = session.exec(
        select(PracticeRevision).where(
            PracticeRevision.practice_id == practice.id,
            PracticeRevision.number == number,
            PracticeRevision.state == RevisionState.published,
        )
    ).first()
    return found if found and sees_revision(session, viewer, found.data) else None


def revision_before(
    session: Session, practice: Practice, number: int, viewer: Viewer
) -> PracticeRevision | None:
    """The latest revision before ``number`` that ``viewer`` may read, to show what changed
    (never text from a revision the reader may not see)."""
    return next(
        (r for r in published_revisions(session, practice, viewer) if (r.number or 0) < number),
        None,
    )


def editing_data(session: Session, practice: Practice) -> dict[str, Any]:
    """What the edit form starts from: the edit in progress, else the live practice."""
    current = open_revision(session, practice)
    return dict(current.data) if current else snapshot(session, practice)


def published_data(session: Session, practice: Practice) -> dict[str, Any] | None:
    """The last published state (what a moderator compares an edit with); None for a
    practice never published. Practices loaded before revisions existed fall back to their
    live rows."""
    latest = _published(session, practice)
    if latest:
        return dict(latest[0].data)
    if practice.status in (PracticeStatus.published, PracticeStatus.archived):
        return snapshot(session, practice)
    return None


def record_import(session: Session, practice: Practice, note: str | None) -> None:
    """Revision 1 of a practice loaded from the seed reports."""
    session.add(
        PracticeRevision(
            practice_id=practice.id,  # type: ignore[arg-type]
            number=1,
            state=RevisionState.published,
            data=snapshot(session, practice),
            note=note,
            reviewed_at=practice.updated_at,
        )
    )
