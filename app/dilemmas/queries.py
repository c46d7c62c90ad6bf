"""Reading the dilemma log as each reader may: one dilemma, a list, the clusters counted."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from app.catalogue.charts import Chart, Row, palette
from app.catalogue.pagination import MAX_LISTED
from app.dilemmas.rules import readable
from app.dilemmas.writes import CLUSTERS, RESPONSES
from app.errors import NotFound
from app.i18n import _
from app.models.dilemmas import Dilemma, DilemmaState
from app.models.places import Organisation
from app.models.practices import Practice
from app.permissions import PUBLIC, Viewer, visible
from app.vocabularies.queries import scheme_terms


@dataclass(frozen=True)
class Shown:
    """A dilemma with the names it refers to, as pages show it."""

    dilemma: Dilemma
    organisation: str
    cluster: str  # the cluster's label
    response: str | None
    # Slug, title and language of the practice it is about, if the reader may see it.
    practice: tuple[str, str, str] | None


def _shown(session: Session, rows: list[tuple[Dilemma, str]], viewer: Viewer) -> list[Shown]:
    clusters = scheme_terms(session, CLUSTERS)
    responses = scheme_terms(session, RESPONSES)
    ids = {d.practice_id for d, _name in rows if d.practice_id}
    practices = {
        i: (slug, title, language)
        for i, slug, title, language in session.exec(
            select(Practice.id, Practice.slug, Practice.title, Practice.original_language).where(
                col(Practice.id).in_(ids), *visible(viewer)
            )
        )
    }
    return [
        Shown(
            dilemma=d,
            organisation=name,
            cluster=clusters[d.cluster].label if d.cluster in clusters else d.cluster,
            response=responses[d.response].label if d.response in responses else None,
            practice=practices.get(d.practice_id) if d.practice_id else None,
        )
        for d, name in rows
    ]


def _with_organisation() -> Select[Dilemma, str]:
    return select(Dilemma, Organisation.name).join(
        Organisation, col(Organisation.id) == Dilemma.organisation_id
    )


def find_dilemma(session: Session, dilemma_id: int, viewer: Viewer = PUBLIC) -> Shown:
    """The dilemma if ``viewer`` may read it; 404 otherwise, so that a private one's
    existence does not leak."""
    row = session.exec(
        _with_organisation().where(col(Dilemma.id) == dilemma_id, readable(viewer))
    ).first()
    if row is None:
        raise NotFound(_("no dilemma %(id)s", id=dilemma_id))
    return _shown(session, [row], viewer)[0]


def list_dilemmas(
    session: Session, viewer: Viewer = PUBLIC, *, cluster: str | None = None
) -> list[Shown]:
    """The dilemmas ``viewer`` may read, newest first (of a cluster, if given)."""
    statement = _with_organisation().where(readable(viewer))
    if cluster:
        statement = statement.where(Dilemma.cluster == cluster)
    rows = session.exec(statement.order_by(col(Dilemma.updated_at).desc()).limit(MAX_LISTED))
    return _shown(session, list(rows), viewer)


def waiting(session: Session) -> list[Shown]:
    """Dilemmas submitted for sharing, oldest first, for moderators."""
    statement = _with_organisation().where(Dilemma.state == DilemmaState.submitted)
    rows = list(session.exec(statement.order_by(col(Dilemma.updated_at))))
    return _shown(session, rows, Viewer(moderator=True))


def cluster_chart(session: Session, viewer: Viewer = PUBLIC) -> Chart:
    """How many dilemmas of each cluster ``viewer`` may read."""
    counted = Counter(
        dict(
            session.exec(
                select(Dilemma.cluster, func.count())
                .where(readable(viewer))
                .group_by(col(Dilemma.cluster))
            ).all()
        )
    )
    clusters = scheme_terms(session, CLUSTERS).values()
    rows = [Row(t.label, (counted[t.code],), f"/dilemmas?cluster={t.code}") for t in clusters]
    return Chart(
        id="dilemma-clusters",
        title=_("Dilemmas by cluster"),
        summary=_(
            "A bar for each of the %(count)s clusters of dilemmas the Council of Europe "
            "report found, with how many are recorded here.",
            count=len(rows),
        ),
        row_header=_("Dilemma cluster"),
        series=palette([_("Dilemmas")]),
        rows=rows,
    )
