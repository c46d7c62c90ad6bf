"""Database tables, one module per area. Importing this package registers every table
with ``SQLModel.metadata`` (Alembic and the tests read it from here)."""

from app.models import accounts, catalogue, dilemmas, places, practices, vocabularies

__all__ = ["accounts", "catalogue", "dilemmas", "places", "practices", "vocabularies"]
