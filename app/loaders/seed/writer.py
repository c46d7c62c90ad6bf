"""Load the seed YAML files in ``seed/`` into the database, idempotently.

All files are read and merged by slug first (a case named in two reports becomes one
practice citing both), everything is validated, and only then is anything written, in one
transaction: a broken seed file changes nothing. Records whose slug already exists are
left as they are, so running the loader twice changes nothing and never overwrites edits.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from app.catalogue.search import index_practices
from app.loaders.seed.checks import check_lengths, validate
from app.loaders.seed.reading import SeedData, SeedError, SeedReport, merge, read_seed
from app.loaders.seed.report_dates import report_moment
from app.models.places import Membership, Network, Organisation, Place, PlaceFact
from app.models.practices import Outcome, Practice, PracticePartner, PracticeSource
from app.models.vocabularies import (
    Source,
    VocabularyScheme,
    VocabularySchemeTranslation,
    VocabularyTerm,
    VocabularyTermTranslation,
)
from app.opendata.changes import note_change
from app.places.gazetteer.names import search_names
from app.practices.revisions import record_import
from app.practices.writing import Children, base_values, write_children
from app.vocabularies import hierarchy as vocab


class _Writer:
    def __init__(self, session: Session, data: SeedData) -> None:
        self.session = session
        self.data = data
        self.report = SeedReport()
        self.source_ids: dict[str, int] = {}
        self.report_dates: dict[str, datetime | None] = {}
        self.place_ids: dict[str, int] = {}
        self.org_ids: dict[str, int] = {}
        self.term_ids: dict[tuple[str, str], int] = {}
        self.term_positions: dict[tuple[str, str], int] = {}

    def _existing(self, model: Any, slugs: list[str]) -> dict[str, int]:
        if not slugs:
            return {}
        rows = self.session.exec(select(model.slug, model.id).where(model.slug.in_(slugs))).all()
        return {slug: ident for slug, ident in rows}

    def _put(self, obj: Any) -> None:
        check_lengths(obj)
        self.session.add(obj)

    def _add(self, obj: Any, kind: str) -> int:
        check_lengths(obj)
        self.session.add(obj)
        self.session.flush()
        self.report.created[kind] += 1
        return int(obj.id)

    def sources(self) -> None:
        self.source_ids = self._existing(Source, [s["slug"] for s in self.data.sources])
        self.report_dates = {
            s["slug"]: report_moment(s.get("year"), s.get("date_note")) for s in self.data.sources
        }
        for item in self.data.sources:
            if item["slug"] not in self.source_ids:
                fields = {k: item.get(k) for k in Source.model_fields if k != "id" and k in item}
                self.source_ids[item["slug"]] = self._add(Source.model_validate(fields), "sources")

    def vocabularies(self) -> None:
        for scheme in self.data.schemes:
            existing = self.session.exec(
                select(VocabularyScheme).where(VocabularyScheme.code == scheme["code"])
            ).first()
            if existing is None:
                existing = VocabularyScheme(
                    code=scheme["code"],
                    label=scheme["label"],
                    description=scheme.get("description"),
                    source_id=self.source_ids.get(scheme.get("source", "")),
                    locator=scheme.get("locator"),
                )
                self._add(existing, "schemes")
            known = {
                t.code: int(t.id)  # type: ignore[arg-type]
                for t in self.session.exec(
                    select(VocabularyTerm).where(VocabularyTerm.scheme_id == existing.id)
                )
            }
            for index, (term, parent_code) in enumerate(
                vocab.flatten_terms_with_parent(scheme["terms"])
            ):
                if term["code"] not in known:
                    known[term["code"]] = self._add(
                        VocabularyTerm(
                            scheme_id=existing.id,  # type: ignore[arg-type]
                            code=term["code"],
                            label=term["label"],
                            definition=term.get("definition"),
                            parent_id=known.get(parent_code) if parent_code else None,
                            position=term.get("position", index),
                            origin=term.get("origin", "report"),
                            source_id=self.source_ids.get(
                                term.get("source") or scheme.get("source", "")
                            ),
                        ),
                        "terms",
                    )
                self.term_ids[(scheme["code"], term["code"])] = known[term["code"]]
                self.term_positions[(scheme["code"], term["code"])] = term.get("position", index)
        vocab.rebuild_closure(self.session)
        self.vocabulary_translations()

    def vocabulary_translations(self) -> None:
        """Add missing translations; one already stored (perhaps edited) is left alone."""
        scheme_ids: dict[str, int] = {
            code: int(ident)  # type: ignore[arg-type]
            for code, ident in self.session.exec(
                select(VocabularyScheme.code, VocabularyScheme.id)
            ).all()
        }
        have_schemes = set(
            self.session.exec(
                select(VocabularySchemeTranslation.scheme_id, VocabularySchemeTranslation.language)
            ).all()
        )
        have_terms = set(
            self.session.exec(
                select(VocabularyTermTranslation.term_id, VocabularyTermTranslation.language)
            ).all()
        )
        for doc in self.data.vocabulary_translations:
            language, origin = doc["language"], doc.get("origin", "machine")
            for scheme, entry in (doc.get("schemes") or {}).items():
                scheme_id = scheme_ids[scheme]
                if (scheme_id, language) not in have_schemes:
                    self._add(
                        VocabularySchemeTranslation(
                            scheme_id=scheme_id,
                            language=language,
                            label=entry["label"],
                            description=entry.get("description"),
                            origin=origin,
                        ),
                        "scheme translations",
                    )
                for code, term in (entry.get("terms") or {}).items():
                    term_id = self.term_ids[(scheme, code)]
                    if (term_id, language) not in have_terms:
                        self._put(
                            VocabularyTermTranslation(
                                term_id=term_id,
                                language=language,
                                label=term["label"],
                                definition=term.get("definition"),
                                origin=origin,
                            )
                        )
                        self.report.created["term translations"] += 1
        self.session.flush()

    def places(self) -> None:
        records = self.data.records["places"]
        self.place_ids = self._existing(Place, list(records))
        country_slugs = {
            p["country"]: slug for slug, p in records.items() if p.get("level") == "country"
        }
        # Parents first: countries, then places in dependency order.
        pending = sorted(records.values(), key=lambda p: p.get("level") != "country")
        while pending:
            progressed = []
            for place in pending:
                parent = place.get("parent")
                if parent is None and place.get("level") != "country":
                    parent = country_slugs.get(place["country"])
                if parent and parent not in self.place_ids:
                    continue
                progressed.append(place)
                if place["slug"] in self.place_ids:
                    continue
                self.place_ids[place["slug"]] = self._add(
                    Place(
                        slug=place["slug"],
                        name=place["name"],
                        country=place["country"],
                        level=place["level"],
                        parent_id=self.place_ids.get(parent) if parent else None,
                        urban_rural=place.get("urban_rural"),
                        migration_history=place.get("migration_history"),
                        arrival_groups=place.get("arrival_groups") or [],
                        governance_notes=place.get("governance_notes"),
                        search_names=search_names(place["name"]),
                    ),
                    "places",
                )
                for fact in place.get("facts") or []:
                    self._add(
                        PlaceFact(
                            place_id=self.place_ids[place["slug"]],
                            key=fact["key"],
                            label=fact.get("label"),
                            value=fact.get("value")
                            if isinstance(fact.get("value"), int | float)
                            else None,
                            unit=fact.get("unit"),
                            text=fact.get("text")
                            or (
                                None
                                if isinstance(fact.get("value"), int | float)
                                else fact.get("value")
                            ),
                            year=fact.get("year"),
                            source_id=self.source_ids.get(fact.get("source", "")),
                            cites=fact.get("cites"),
                            locator=fact.get("locator"),
                        ),
                        "place_facts",
                    )
            if not progressed:
                cycle = ", ".join(p["slug"] for p in pending)
                raise SeedError([f"places with a parent cycle: {cycle}"])
            pending = [p for p in pending if p not in progressed]

    def organisations(self) -> None:
        records = self.data.records["organisations"]
        self.org_ids = self._existing(Organisation, list(records))
        for org in records.values():
            if org["slug"] not in self.org_ids:
                self.org_ids[org["slug"]] = self._add(
                    Organisation(
                        slug=org["slug"],
                        name=org["name"],
                        type=org["type"],
                        place_id=self.place_ids.get(org.get("place") or ""),
                        url=org.get("url"),
                    ),
                    "organisations",
                )

    def networks(self) -> None:
        records = self.data.records["networks"]
        known = self._existing(Network, list(records))
        for net in records.values():
            if net["slug"] in known:
                continue
            network_id = self._add(
                Network(
                    slug=net["slug"],
                    name=net["name"],
                    description=net.get("description"),
                    url=net.get("url"),
                ),
                "networks",
            )
            # The same member named in two reports is one membership, with the dates either gives.
            merged: dict[tuple[Any, ...], dict[str, Any]] = {}
            for member in net.get("members") or []:
                key = (
                    member.get("place"),
                    member.get("organisation"),
                    member.get("role") or "member",
                )
                merge(merged.setdefault(key, {}), member)
            for member in merged.values():
                self._add(
                    Membership(
                        network_id=network_id,
                        place_id=self.place_ids.get(member.get("place") or ""),
                        organisation_id=self.org_ids.get(member.get("organisation") or ""),
                        role=member.get("role") or "member",
                        start_year=member.get("start"),
                        end_year=member.get("end"),
                        source_id=self.source_ids.get(member.get("source", "")),
                    ),
                    "memberships",
                )

    def _children(self, rec: dict[str, Any]) -> Children:
        """A seed practice's terms, partners, citations and outcomes, ids resolved."""
        terms = dict(rec.get("terms") or {})
        # Merged reports may disagree: keep the strongest evidence and the first lifecycle.
        evidence = terms.get("evidence-level") or ["described"]
        terms["evidence-level"] = [
            max(evidence, key=lambda c: self.term_positions[("evidence-level", c)])
        ]
        if terms.get("lifecycle"):
            terms["lifecycle"] = terms["lifecycle"][:1]
        children = Children(
            term_ids=[
                self.term_ids[(scheme, code)]
                for scheme, codes in terms.items()
                for code in codes or []
            ],
            partners=[],
            sources=[],
        )
        assert children.partners is not None and children.sources is not None
        for partner in rec.get("partners") or []:
            org_id = self.org_ids[partner["organisation"]]
            if all(p.organisation_id != org_id for p in children.partners):
                children.partners.append(
                    PracticePartner(practice_id=0, organisation_id=org_id, role=partner.get("role"))
                )
        cited: dict[int, list[str]] = {}
        for citation in rec.get("sources") or []:
            locators = cited.setdefault(self.source_ids[citation["source"]], [])
            if citation.get("locator"):
                locators.append(str(citation["locator"]))
        children.sources += [
            PracticeSource(practice_id=0, source_id=source_id, locator="; ".join(locators) or None)
            for source_id, locators in cited.items()
        ]
        default_source = (
            self.source_ids[rec["sources"][0]["source"]] if rec.get("sources") else None
        )
        children.outcomes = [
            Outcome(
                practice_id=0,
                text=outcome["text"],
                metric=outcome.get("metric"),
                value=None if outcome.get("value") is None else str(outcome["value"]),
                year=outcome.get("year"),
                source_id=self.source_ids.get(outcome.get("source", ""), default_source),
            )
            for outcome in rec.get("outcomes") or []
        ]
        return children

    def practices(self) -> None:
        records = self.data.records["practices"]
        known = self._existing(Practice, list(records))
        imported: list[tuple[int, list[str]]] = []
        for rec in records.values():
            if rec["slug"] in known:
                continue
            fields = base_values(rec)
            fields["summary"] = rec["summary"].strip()
            fields["description"] = (rec.get("description") or "").strip() or None
            fields["languages"] = rec.get("languages") or []
            fields["links"] = rec.get("links") or []
            fields["published_at"] = min(
                filter(None, (self.report_dates[c["source"]] for c in rec.get("sources") or [])),
                default=None,
            )
            practice_id = self._add(
                Practice(
                    slug=rec["slug"],
                    place_id=self.place_ids[rec["place"]],
                    lead_organisation_id=self.org_ids.get(rec.get("lead") or ""),
                    **fields,
                ),
                "practices",
            )
            children = self._children(rec)
            for row in (*children.outcomes, *(children.partners or ()), *(children.sources or ())):
                check_lengths(row)
            write_children(self.session, practice_id, children)
            imported.append((practice_id, [c["source"] for c in rec.get("sources") or []]))
        # Revision 1 of each new practice: its state as loaded, for its history.
        self.session.flush()
        titles = {s["slug"]: s["title"] for s in self.data.sources}
        for practice_id, cited_slugs in imported:
            practice = self.session.get(Practice, practice_id)
            assert practice is not None
            note = "; ".join(titles[slug] for slug in dict.fromkeys(cited_slugs))
            record_import(self.session, practice, note[:1000] or None)
            note_change(self.session, practice, was_public=False)
        index_practices(self.session, [practice_id for practice_id, _ in imported])


def load_seed(session: Session, seed_dir: Path) -> SeedReport:
    data = read_seed(seed_dir)
    validate(data)
    writer = _Writer(session, data)
    try:
        writer.sources()
        writer.vocabularies()
        writer.places()
        writer.organisations()
        writer.networks()
        writer.practices()
        session.commit()
    except Exception:
        session.rollback()
        raise
    return writer.report
