"""Peer matching: places whose context, challenges and practice profile resemble a
place's, and why.

The model (documented in the README, "How peers are matched"):

- Seven factors, each a similarity between 0 and 1:
  ``profile`` (how they work: cosine of the two places' practice profiles, the activity
  types and goals of their published practices, each term weighted by how rare it is among
  places), ``challenges`` (what they face: the share of the first place's catalysts,
  policy areas and target groups that the other's practices also record, each weighted
  by its rarity; a described place gives its own), ``population`` (1 − |log10 ratio|, so
  a place ten times the size scores 0), ``foreign_born`` (1 − difference in percentage
  points / 15), ``migration_history`` (long-standing, new, low as an ordinal scale: 1, ½,
  0), ``level`` (same level 1, same tier ½) and ``urban_rural`` (same 1, mixed against
  either ½).
- The score is Σ weight × similarity over the factors known for both places, divided by
  the sum of all weights: a fact missing on either side adds nothing, so incomplete data
  lowers the score and the confidence (the share of the weight that was known) and can
  never lift a place to the top.
- Candidates have at least one published practice (something to learn from) unless
  places with none are asked for too.
- A place's migration history is the nearest one recorded on it or an enclosing place
  (usually its country), and says so.

Places' features are loaded once into arrays and reused until the catalogue changes, so
ranking the 20,000 places of the gazetteer is a handful of vector operations.
"""

from sqlmodel import Session

from app.catalogue.cache import cached
from app.permissions import PUBLIC, Viewer
from app.places.peers.explanations import context_out, explain, vocabulary_labels
from app.places.peers.features import Features, place_features
from app.places.peers.schemas import ContextIn, PeerResults
from app.places.peers.scoring import rank, weights
from app.places.peers.subjects import Subject, described_subject, place_subject


def _results(
    session: Session,
    features: Features,
    s: Subject,
    *,
    across_borders: bool,
    limit: int,
    include_empty: bool,
    viewer: Viewer,
) -> PeerResults:
    rows, sims, score, known, candidates = rank(
        features, s, across_borders=across_borders, limit=limit, include_empty=include_empty
    )
    labels = vocabulary_labels(session)
    return PeerResults(
        subject=context_out(features, labels, s),
        across_borders=across_borders and s.country is not None,
        include_empty=include_empty,
        candidates=candidates,
        items=explain(session, features, s, rows, sims, score, known, viewer, labels),
    )


def find_peers(
    session: Session,
    place: str | ContextIn,
    *,
    across_borders: bool = True,
    limit: int = 10,
    include_empty: bool = False,
    viewer: Viewer = PUBLIC,
) -> PeerResults:
    """Places most like ``place`` (a place's slug, or a place described by its context),
    best first, each with why; only places with published practices unless
    ``include_empty``."""

    def compute() -> PeerResults:
        features = place_features(session)
        subject = (
            place_subject(session, features, place)
            if isinstance(place, str)
            else described_subject(session, features, place)
        )
        return _results(
            session,
            features,
            subject,
            across_borders=across_borders,
            limit=limit,
            include_empty=include_empty,
            viewer=viewer,
        )

    described = place if isinstance(place, str) else place.model_dump_json()
    key = (described, across_borders, limit, include_empty, viewer, tuple(weights().items()))
    return cached(session, "peers", key, compute)
