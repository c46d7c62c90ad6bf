"""Reading the seed's YAML files into one structure."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.countries import country_codes, country_name
from app.places.gazetteer.names import slugify

FIRST_FILES = ("vocabularies.yaml", "sources.yaml", "countries.yaml")


SECTIONS = ("places", "organisations", "networks", "practices")


LONGEST_FIELDS = {"description", "know_how", "what_did_not_work", "governance_notes"}
LIST_FIELDS = {
    "arrival_groups",
    "facts",
    "members",
    "partners",
    "outcomes",
    "languages",
    "links",
    "sources",
}


class SeedError(Exception):
    """The seed files are inconsistent; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def total(self) -> int:
        return sum(self.created.values())


def _seed_files(seed_dir: Path) -> list[Path]:
    rest = sorted(p for p in seed_dir.glob("*.yaml") if p.name not in FIRST_FILES)
    return [seed_dir / name for name in FIRST_FILES if (seed_dir / name).exists()] + rest


def merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    """First value of a scalar wins; lists are combined without repeats."""
    for key, value in new.items():
        if key in LIST_FIELDS or isinstance(value, list):
            merged = list(into.get(key) or [])
            merged += [v for v in value or [] if v not in merged]
            into[key] = merged
        elif key == "terms":
            terms = into.setdefault("terms", {})
            for scheme, codes in (value or {}).items():
                existing = terms.setdefault(scheme, [])
                existing += [c for c in codes or [] if c not in existing]
        else:
            current = into.get(key)
            longer = key in LONGEST_FIELDS and len(str(value or "")) > len(str(current or ""))
            if current in (None, "") or longer:
                into[key] = value


@dataclass
class SeedData:
    schemes: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    records: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {section: {} for section in SECTIONS}
    )
    # translations/vocabularies.<lang>.yaml: labels in the other interface languages.
    vocabulary_translations: list[dict[str, Any]] = field(default_factory=list)


# libyaml's parser where PyYAML was built with it (its wheels are): ten times faster than
# the pure-Python one, which took half of a seed load.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}


def read_seed(seed_dir: Path) -> SeedData:
    data = SeedData()
    problems: list[str] = []
    for path in _seed_files(seed_dir):
        try:
            doc = _yaml(path)
        except yaml.YAMLError as exc:
            raise SeedError([f"{path.name}: not valid YAML: {exc}"]) from exc
        data.schemes += doc.get("schemes", [])
        data.sources += doc.get("sources", [])
        default_source = doc.get("source")
        for section in SECTIONS:
            for record in doc.get(section) or []:
                slug = record.get("slug")
                if not slug:
                    problems.append(f"{path.name}: a record in {section} has no slug")
                    continue
                record = dict(record)
                if section == "practices" and default_source:
                    cited = [s.get("source") for s in record.get("sources") or []]
                    if default_source not in cited:
                        record["sources"] = [
                            {"source": default_source},
                            *(record.get("sources") or []),
                        ]
                if section in ("places", "networks") and default_source:
                    for fact in record.get("facts") or []:
                        fact.setdefault("source", default_source)
                    for member in record.get("members") or []:
                        member.setdefault("source", default_source)
                record.setdefault("_files", []).append(path.name)
                merge(data.records[section].setdefault(slug, {}), record)
    for path in sorted((seed_dir / "translations").glob("vocabularies.*.yaml")):
        try:
            doc = _yaml(path)
        except yaml.YAMLError as exc:
            raise SeedError([f"translations/{path.name}: not valid YAML: {exc}"]) from exc
        data.vocabulary_translations.append({**doc, "_file": f"translations/{path.name}"})
    if problems:
        raise SeedError(problems)
    _add_country_places(data)
    return data


def _country_slugs() -> dict[str, str]:
    """Slug of each country's English name -> ISO code (``united-kingdom`` -> ``GB``)."""
    return {slugify(name): code for code, name in country_codes().items()}


def _add_country_places(data: SeedData) -> None:
    """Every country a place lies in, or that a record names as its place, is a place too."""
    places = data.records["places"]
    slugs = _country_slugs()
    codes = {p.get("country") for p in places.values()}
    referenced = {p.get("parent") for p in places.values()}
    referenced |= {r.get("place") for r in data.records["practices"].values()}
    referenced |= {r.get("place") for r in data.records["organisations"].values()}
    for net in data.records["networks"].values():
        referenced |= {m.get("place") for m in net.get("members") or []}
    codes |= {slugs[s] for s in referenced if s and s not in places and s in slugs}
    for code in sorted(c for c in codes if isinstance(c, str)):
        name = country_name(code)
        if name and slugify(name) not in places and code in slugs.values():
            places[slugify(name)] = {
                "slug": slugify(name),
                "name": name,
                "country": code,
                "level": "country",
            }
