"""Peer places: the features a place is compared on, the scoring, and the explanations."""
