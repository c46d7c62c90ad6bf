"""Practices: what they hold, how they are listed, read, written, reviewed, revised,
translated and compared. Everything here is plain Python over a SQLModel session; the
pages (``app.web``) and the API (``app.api``) call it."""
