"""Database tables, one module per area. Importing this package registers every table
with ``SQLModel.metadata`` (Alembic and the tests read it from here)."""
