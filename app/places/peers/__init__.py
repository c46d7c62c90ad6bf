"""Peer places: the place peers are sought for (``subjects``), the features every place is
compared on (``features``), the scoring (``scoring``), finding and ranking (``finding``),
the explanations (``explanations``) and two places side by side (``compare``)."""
