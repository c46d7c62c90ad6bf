"""Which dilemmas each place has faced, from the dilemma log: the ``dilemmas`` factor.

Two places that record the same kinds of dilemma (keeping people motivated, those who do
not wish to be involved, the media) have lived the same difficulties and can tell each
other how they handled them. Only dilemmas published for everyone count, since the
features are shared by every reader. A dilemma belongs to the place of the practice it
arose in when everyone may see that practice, or else to the place of its organisation
(never to where a members-only practice is: that would tell outsiders it exists).
"""

from dataclasses import dataclass

import numpy as np
from sqlmodel import Session, col, select

from app.dilemmas.rules import readable
from app.models.dilemmas import Dilemma
from app.models.places import Organisation
from app.models.practices import Practice, PracticeStatus, Visibility
from app.permissions import PUBLIC


@dataclass(frozen=True)
class DilemmaMatrix:
    codes: list[str]  # the cluster of each column, as recorded
    faced: np.ndarray  # bool, one row per place (feature row), one column per cluster

    def of(self, row: int) -> np.ndarray:
        """The clusters the place at feature row ``row`` faced (all False if none)."""
        vector: np.ndarray = self.faced[row]
        return vector


def load_dilemmas(session: Session, row: dict[int, int]) -> DilemmaMatrix:
    """The clusters of the public dilemmas of every place ``row`` numbers."""
    found = session.exec(
        select(Dilemma.cluster, Practice.place_id, Organisation.place_id)
        .join(Organisation, col(Organisation.id) == Dilemma.organisation_id)
        .outerjoin(
            Practice,
            (col(Practice.id) == Dilemma.practice_id)
            & (col(Practice.status) == PracticeStatus.published)
            & (col(Practice.visibility) == Visibility.public),
        )
        .where(readable(PUBLIC))
    ).all()
    codes = sorted({cluster for cluster, _, _ in found})
    column = {code: j for j, code in enumerate(codes)}
    faced = np.zeros((len(row), len(codes)), dtype=bool)
    for cluster, practice_place, organisation_place in found:
        i = row.get(practice_place or organisation_place or 0)
        if i is not None:
            faced[i, column[cluster]] = True
    return DilemmaMatrix(codes=codes, faced=faced)


def dilemma_similarity(matrix: DilemmaMatrix, own: np.ndarray) -> np.ndarray:
    """For every place, the clusters both faced over those either faced (Jaccard); NaN
    where either side has recorded no public dilemma."""
    n = len(matrix.faced)
    if not own.any():
        return np.full(n, np.nan)
    both = (matrix.faced & own).sum(axis=1)
    either = (matrix.faced | own).sum(axis=1)
    has = matrix.faced.any(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: np.ndarray = np.where(has, both / either, np.nan)
    return result


def shared_dilemmas(matrix: DilemmaMatrix, own: np.ndarray, i: int) -> list[str]:
    """The clusters of the dilemmas both ``own`` and place row ``i`` faced."""
    if not own.any():
        return []
    return [matrix.codes[j] for j in np.flatnonzero(own & matrix.of(i))]
