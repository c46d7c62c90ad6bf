"""Checking the seed before anything is written: references, lengths, translations."""

from __future__ import annotations

import re
from typing import Any

from app.countries import country_name
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES
from app.loaders.seed.reading import SeedData, SeedError
from app.models.vocabularies import (
    ORIGINS,
)
from app.vocabularies import hierarchy as vocab


class _Validator:
    def __init__(self, data: SeedData) -> None:
        self.data = data
        self.problems: list[str] = []
        self.codes: dict[str, set[str]] = {}
        for scheme in data.schemes:
            self.codes[scheme["code"]] = {t["code"] for t in vocab.flatten_terms(scheme["terms"])}
        self.sources = {s["slug"] for s in data.sources}

    def where(self, record: dict[str, Any]) -> str:
        return "/".join(record.get("_files", ["?"]))

    def code(self, record: dict[str, Any], scheme: str, value: Any, what: str) -> None:
        if value is not None and value not in self.codes.get(scheme, set()):
            self.problems.append(
                f"{self.where(record)}: {record['slug']}: {what} {value!r} "
                f"is not a term of {scheme}"
            )

    def ref(self, record: dict[str, Any], section: str, slug: Any, what: str) -> None:
        if slug is not None and slug not in self.data.records[section]:
            self.problems.append(
                f"{self.where(record)}: {record['slug']}: {what} {slug!r} is not defined"
            )

    def source(self, record: dict[str, Any], slug: Any) -> None:
        if slug is not None and slug not in self.sources:
            self.problems.append(f"{self.where(record)}: {record['slug']}: unknown source {slug!r}")

    def run(self) -> None:
        recs = self.data.records
        for place in recs["places"].values():
            if not re.fullmatch(r"[A-Z]{2}", str(place.get("country", ""))) or not country_name(
                place["country"]
            ):
                self.problems.append(
                    f"{self.where(place)}: {place['slug']}: bad country {place.get('country')!r}"
                )
            self.code(place, "place-level", place.get("level"), "level")
            self.code(
                place, "migration-history", place.get("migration_history"), "migration_history"
            )
            self.ref(place, "places", place.get("parent"), "parent")
            for fact in place.get("facts") or []:
                self.source(place, fact.get("source"))
        for org in recs["organisations"].values():
            self.code(org, "organisation-type", org.get("type"), "type")
            self.ref(org, "places", org.get("place"), "place")
        for net in recs["networks"].values():
            for member in net.get("members") or []:
                self.ref(net, "places", member.get("place"), "member place")
                self.ref(net, "organisations", member.get("organisation"), "member organisation")
        for practice in recs["practices"].values():
            for required in ("title", "summary", "place"):
                if not practice.get(required):
                    self.problems.append(
                        f"{self.where(practice)}: {practice['slug']}: missing {required}"
                    )
            self.ref(practice, "places", practice.get("place"), "place")
            self.ref(practice, "organisations", practice.get("lead"), "lead")
            for partner in practice.get("partners") or []:
                self.ref(practice, "organisations", partner.get("organisation"), "partner")
            for scheme, codes in (practice.get("terms") or {}).items():
                if scheme not in self.codes:
                    self.problems.append(
                        f"{self.where(practice)}: {practice['slug']}: unknown scheme {scheme!r}"
                    )
                    continue
                for code in codes or []:
                    self.code(practice, scheme, code, "term")
            for cited in practice.get("sources") or []:
                self.source(practice, cited.get("source"))


def _check_vocabulary_translations(data: SeedData) -> list[str]:
    problems = []
    terms = {
        scheme["code"]: {t["code"] for t in vocab.flatten_terms(scheme.get("terms") or [])}
        for scheme in data.schemes
    }
    for doc in data.vocabulary_translations:
        where = doc["_file"]
        if doc.get("language") not in LANGUAGES or doc.get("language") == DEFAULT_LANGUAGE:
            problems.append(f"{where}: language must be one of {', '.join(LANGUAGES[1:])}")
        if doc.get("origin", "machine") not in ORIGINS:
            problems.append(f"{where}: origin must be human or machine")
        for scheme, entry in (doc.get("schemes") or {}).items():
            if scheme not in terms:
                problems.append(f"{where}: unknown scheme {scheme!r}")
                continue
            if not (entry or {}).get("label"):
                problems.append(f"{where}: scheme {scheme!r} has no label")
            for code, term in ((entry or {}).get("terms") or {}).items():
                if code not in terms[scheme]:
                    problems.append(f"{where}: unknown term {scheme}/{code}")
                elif not (term or {}).get("label"):
                    problems.append(f"{where}: term {scheme}/{code} has no label")
    return problems


def validate(data: SeedData) -> None:
    validator = _Validator(data)
    validator.run()
    problems = validator.problems + _check_vocabulary_translations(data)
    if problems:
        raise SeedError(problems)


def check_lengths(obj: Any) -> None:
    """Refuse text longer than its column, as PostgreSQL would (SQLite would not)."""
    for column in obj.__table__.columns:
        limit = getattr(column.type, "length", None)
        value = getattr(obj, column.name, None)
        if limit and isinstance(value, str) and len(value) > limit:
            name = getattr(obj, "slug", None) or getattr(obj, "title", None) or type(obj).__name__
            raise SeedError(
                [f"{name}: {column.name} is {len(value)} characters, at most {limit} fit"]
            )
