"""Practices as linked data: JSON-LD with schema.org terms, for search engines and for
partners' catalogues.

A practice is a schema.org ``Project`` ("an enterprise ... planned to achieve a particular
aim"): its place is ``location`` and ``areaServed``, its lead body the
``parentOrganization``, its partners ``member``s, its typology terms ``keywords``, and the
reports that describe it ``subjectOf``. Only properties schema.org defines for each type
are used (a Project is an Organization: no ``inLanguage``, no ``dateModified``; the page
says its language), and a property with nothing to say is left out rather than empty.
"""

import json
from typing import Any

from markupsafe import Markup

from app.countries import country_name
from app.practices.schemas import PracticeDetail


def practice_jsonld(practice: PracticeDetail, base_url: str) -> dict[str, Any]:
    base = base_url.rstrip("/")
    place = {
        "@type": "Place",
        "name": practice.place.name,
        "address": {"@type": "PostalAddress", "addressCountry": practice.place.country},
    }
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Project",
        "@id": f"{base}{practice.url}",
        "url": f"{base}{practice.url}",
        "identifier": practice.slug,
        "name": practice.title,
        "description": practice.summary,
        "location": place,
        "areaServed": place,
        "keywords": [term.label for terms in practice.terms.values() for term in terms],
        "sameAs": practice.links,
        "subjectOf": [
            {
                "@type": "CreativeWork",
                "name": source.title,
                **({"author": source.authors} if source.authors else {}),
                **({"datePublished": str(source.year)} if source.year else {}),
                **({"url": source.url} if source.url else {}),
            }
            for source in practice.sources
        ],
        "member": [
            {"@type": "Organization", "name": partner.organisation.name}
            for partner in practice.partners
        ],
    }
    if practice.lead_organisation:
        document["parentOrganization"] = {
            "@type": "Organization",
            "name": practice.lead_organisation.name,
        }
    if practice.start_year:
        document["foundingDate"] = str(practice.start_year)
    if practice.end_year:
        document["dissolutionDate"] = str(practice.end_year)
    country = country_name(practice.place.country)
    if country:
        place["containedInPlace"] = {"@type": "Country", "name": country}
    return {key: value for key, value in document.items() if value not in ([], "", None)}


def script_json(document: dict[str, Any]) -> Markup:
    """``document`` for a ``<script type="application/ld+json">`` element: ``<`` escaped,
    so text in it can never close the element."""
    return Markup(json.dumps(document, ensure_ascii=False).replace("<", "\\u003c"))
