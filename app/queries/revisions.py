"""Reading practices as written: every field of a ``PracticeIn`` as labelled, readable
text (for revision and preview pages), and word-level differences between two states (for
moderators and the history)."""

import difflib
import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from app.i18n import _
from app.models import Organisation, Place, Practice, Source, VocabularyScheme
from app.queries.publishing import EDITABLE_SCHEMES, FIELD_LABELS
from app.queries.vocabularies import scheme_terms

# Showing a revision and what changed -----------------------------------------------------


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


def describe(session: Session, data: dict[str, Any]) -> list[FieldView]:
    """``PracticeIn`` data as labelled, readable values (vocabulary labels, place names)."""
    places = dict(session.exec(select(Place.slug, Place.name)).all())
    organisations = dict(session.exec(select(Organisation.slug, Organisation.name)).all())
    sources = dict(session.exec(select(Source.slug, Source.title)).all())
    schemes = {s.code: s.label for s in session.exec(select(VocabularyScheme))}
    text_lang = data.get("original_language") or "en"
    labels = {name: _(label) for name, label in FIELD_LABELS.items()}
    views: list[FieldView] = []

    def add(name: str, label: str, value: Any, lang: str | None = None) -> None:
        views.append(FieldView(name, label, "" if value in (None, "", []) else str(value), lang))

    for name in ("title", "summary", "description", "aim", "participants", "audience"):
        add(name, _(FIELD_LABELS[name]), data.get(name), text_lang)
    add("place", labels["place"], places.get(data.get("place") or "", data.get("place")))
    lead = data.get("lead_organisation")
    add(
        "lead_organisation",
        labels["lead_organisation"],
        organisations.get(lead or "", lead),
    )
    add("original_language", labels["original_language"], data.get("original_language"))
    add("start_year", labels["start_year"], data.get("start_year"))
    add("end_year", labels["end_year"], data.get("end_year"))
    visibility = data.get("visibility")
    add(
        "visibility",
        labels["visibility"],
        _("Members of its networks only") if visibility == "network" else _("Everyone"),
    )
    terms = data.get("terms") or {}
    for scheme in EDITABLE_SCHEMES:
        term_labels = scheme_terms(session, scheme)
        codes = terms.get(scheme) or []
        add(
            f"terms-{scheme}",
            _(schemes.get(scheme, scheme)),
            "; ".join(term_labels[c].label if c in term_labels else c for c in codes),
        )
    evidence = scheme_terms(session, "evidence-level")
    outcome_lines = []
    for o in data.get("outcomes") or []:
        parts = [o.get("text") or ""]
        if o.get("metric"):
            parts.append(f"{o['metric']}: {o.get('value') or ''}".strip())
        if o.get("date"):
            parts.append(str(o["date"]))
        source = sources.get(o.get("source_report") or "") or o.get("source")
        if source:
            parts.append(str(source))
        if o.get("evidence_level") in evidence:
            parts.append(evidence[o["evidence_level"]].label)
        outcome_lines.append(" — ".join(p for p in parts if p))
    add("outcomes", labels["outcomes"], "\n".join(outcome_lines), text_lang)
    add(
        "what_did_not_work",
        labels["what_did_not_work"],
        data.get("what_did_not_work"),
        text_lang,
    )
    add("know_how", labels["know_how"], data.get("know_how"), text_lang)
    add("languages", labels["languages"], ", ".join(data.get("languages") or []))
    add("links", labels["links"], "\n".join(data.get("links") or []))
    titles = dict(session.exec(select(Practice.slug, Practice.title)).all())
    kinds = {"adapted-from": _("adapted from"), "inspired-by": _("inspired by")}
    add(
        "lineage",
        labels["lineage"],
        "\n".join(
            " ".join((kinds.get(link.get("kind"), ""), titles.get(link["practice"], "")))
            + (f": {link['note']}" if link.get("note") else "")
            for link in data.get("lineage") or []
        ),
    )
    return views


def _tokens(text: str) -> list[str]:
    return re.findall(r"\s+|[^\s]+", text)


def changes(session: Session, before: dict[str, Any] | None, after: dict[str, Any]) -> list[Change]:
    """What differs between two states of a practice, field by field, word by word."""
    old = {v.name: v for v in describe(session, before)} if before else {}
    result = []
    for view in describe(session, after):
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
