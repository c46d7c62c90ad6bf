"""Backups: ``interlocal export`` writes every table into one versioned, self-describing
archive, and ``interlocal import`` restores one into an empty database, all or nothing.

- ``archive.py``: the format (a tar.gz of ``manifest.json`` and one JSON Lines file per
  table), how values are written and read, and reading and writing archives.
- ``confidential.py``: what counts as a secret, left out unless asked for, and what a
  restore puts in its place.
- ``transactions.py``: an engine whose SQLite transactions cover DDL too.
- ``export.py`` and ``restore.py``: the two commands.
"""

from app.backups.archive import FORMAT_VERSION, BackupError
from app.backups.export import export_database
from app.backups.restore import import_database

__all__ = ["FORMAT_VERSION", "BackupError", "export_database", "import_database"]
