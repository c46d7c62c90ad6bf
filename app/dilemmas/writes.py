"""Recording a dilemma, sharing it, and a moderator's decision on it."""

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field
from sqlmodel import Session, select

from app.accounts.audit import record
from app.dilemmas.rules import may_write
from app.errors import Forbidden, InvalidInput
from app.i18n import _
from app.models.accounts import User
from app.models.base import utcnow
from app.models.dilemmas import Dilemma, DilemmaState, DilemmaVisibility
from app.models.practices import Practice
from app.validation import RequiredText, Text, interface_language, limit, parse_form
from app.vocabularies.queries import scheme_terms

CLUSTERS, RESPONSES = "dilemma", "dilemma-response"


class DilemmaIn(BaseModel):
    """A dilemma as its form sends it."""

    title: Annotated[RequiredText, limit(300)]
    cluster: Annotated[str, limit(80)] = Field(description="Code of a term of scheme dilemma.")
    situation: Annotated[RequiredText, limit(5000)]
    handling: Annotated[Text, limit(5000)] = None
    response: Annotated[str | None, limit(80)] = None
    result: Annotated[Text, limit(5000)] = None
    practice: Annotated[str | None, limit(160)] = None  # slug of one of its practices
    language: Annotated[str, AfterValidator(interface_language), limit(10)] = "en"
    visibility: DilemmaVisibility = DilemmaVisibility.private


def _checked(session: Session, user: User, data: DilemmaIn) -> int | None:
    """The practice id the dilemma is about; ``InvalidInput`` names what does not exist."""
    errors: dict[str, str] = {}
    if data.cluster not in scheme_terms(session, CLUSTERS):
        errors["cluster"] = _("Choose the kind of dilemma.")
    if data.response and data.response not in scheme_terms(session, RESPONSES):
        errors["response"] = _("Choose one of the listed ways, or none.")
    practice_id = None
    if data.practice:
        practice_id = session.exec(
            select(Practice.id).where(
                Practice.slug == data.practice,
                Practice.lead_organisation_id == user.organisation_id,
            )
        ).first()
        if practice_id is None:
            errors["practice"] = _("Choose one of your organisation's practices, or none.")
    if errors:
        raise InvalidInput(errors)
    return practice_id


def save_dilemma(
    session: Session,
    user: User,
    values: dict[str, object],
    dilemma: Dilemma | None = None,
    *,
    action: Literal["save", "submit"] = "save",
) -> Dilemma:
    """Record a new dilemma of ``user``'s organisation, or change ``dilemma``. To share it
    (``action`` "submit", with a visibility other than private) it goes to a moderator;
    kept private it needs nobody's review. A changed published dilemma is read again."""
    if not may_write(user, dilemma):
        raise Forbidden(_("only members of its organisation can change a dilemma"))
    data = parse_form(DilemmaIn, values)
    practice_id = _checked(session, user, data)
    dilemma = dilemma or Dilemma(
        organisation_id=int(user.organisation_id or 0),
        author_id=user.id,
        cluster=data.cluster,
        title=data.title,
        situation=data.situation,
    )
    fields = data.model_dump(exclude={"practice"})
    for name, value in fields.items():
        setattr(dilemma, name, value)
    dilemma.practice_id = practice_id
    shared = data.visibility != DilemmaVisibility.private
    dilemma.state = DilemmaState.submitted if shared and action == "submit" else DilemmaState.draft
    dilemma.updated_at = utcnow()
    session.add(dilemma)
    session.flush()
    record(session, user, f"dilemma.{action}", str(dilemma.id))
    session.commit()
    return dilemma


def decide(
    session: Session, moderator: User, dilemma: Dilemma, action: str, comment: str = ""
) -> Dilemma:
    """A moderator publishes a dilemma submitted for sharing, or returns it with a comment."""
    if dilemma.state != DilemmaState.submitted:
        raise InvalidInput({"action": _("Only a dilemma waiting for review can be decided.")})
    if action == "return" and not comment.strip():
        raise InvalidInput({"comment": _("Say what should change.")})
    if action == "publish":
        dilemma.state, dilemma.published_at = DilemmaState.published, utcnow()
    else:
        dilemma.state = DilemmaState.returned
    dilemma.review_comment = comment.strip() or None
    dilemma.reviewer_id = moderator.id
    session.add(dilemma)
    record(session, moderator, f"dilemma.{action}", str(dilemma.id))
    session.commit()
    return dilemma
