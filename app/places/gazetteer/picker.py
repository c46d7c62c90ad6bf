"""The place picker's rule: a place chosen by its address, or found by what was typed.

Every form that asks for a place (the practice form, /peers, /compare, the account
request) sends two fields: ``{field}``, the slug of a chosen place, and ``{field}_q``, the
text typed to find one. With JavaScript the suggestions arrive as the text is typed; without
it the form comes back with the same suggestions to choose from. Either way the server
decides here."""

from dataclasses import dataclass, field

from sqlmodel import Session, select

from app.i18n import gettext
from app.models.places import Place
from app.places.gazetteer.search import PlaceChoice, find_places, name_matches


@dataclass
class Picked:
    """What a picker holds after a request: the place, or why there is none yet."""

    name: str  # the form field's name
    place: Place | None = None
    text: str = ""
    choices: list[PlaceChoice] = field(default_factory=list)
    error: str | None = None


def _answers(session: Session, place: Place, text: str) -> bool:
    """Whether searching for ``text`` finds ``place``."""
    found = session.exec(
        select(Place.id).where(Place.id == place.id, name_matches(text, words=True))
    )
    return found.first() is not None


def pick_place(
    session: Session,
    field_name: str,
    slug: str | None,
    text: str | None,
    *,
    required: bool = True,
) -> Picked:
    """The place a form's picker names. A chosen slug wins; otherwise typed text picks the
    one place with exactly that name, and anything else comes back with choices and an
    error for the field, so nothing is guessed."""
    # NUL cannot go into a PostgreSQL query; 200 characters is longer than any name.
    slug = (slug or "").replace("\x00", "").strip()[:200]
    text = (text or "").replace("\x00", "").strip()[:200]
    if slug:
        place = session.exec(select(Place).where(Place.slug == slug)).first()
        # The chosen place stands unless the text was changed to name another place.
        if place is not None and (not text or _answers(session, place, text)):
            return Picked(field_name, place, text or place.name)
        if place is None and not text:
            text = slug  # a name where an address was expected: find it
    if not text:
        error = gettext("Choose a place.") if required else None
        return Picked(field_name, error=error)
    choices = find_places(session, text)
    named = [c for c in choices if c.exact]
    if len(named) > 1 and named[0].own_name and not any(c.own_name for c in named[1:]):
        named = named[:1]  # the largest goes by that name: "Frankfurt", not Frankfurt (Oder)
    if len(named) == 1:
        place = session.exec(select(Place).where(Place.slug == named[0].slug)).one()
        return Picked(field_name, place, text)
    if not choices:
        error = gettext(
            "No place is called %(text)r. Check the spelling, or try its name in English.",
            text=text,
        )
    elif len(named) > 1:
        error = gettext(
            "%(count)d places are called %(text)r: choose yours from the list.",
            count=len(named),
            text=text,
        )
    else:
        error = gettext("Choose your place from the list.")
    return Picked(field_name, text=text, choices=choices, error=error)
