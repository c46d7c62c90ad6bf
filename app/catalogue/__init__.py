"""The catalogue as a whole: its version and caches, full-text search, pagination and the
in-memory index that lists and facets read."""
