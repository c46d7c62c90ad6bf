"""What a backup leaves out unless ``--with-secrets`` asks for it, and what a restore puts in
its place.

Without secrets an archive holds no password hash, no session or password-link token hash,
no API key secret hash and no replayable API answer: the tables below are written empty and
the columns below as null. A restore then gives each account a password hash nobody knows
(an argon2 hash of a random string, thrown away), so it signs in only after a password reset,
and each API key an unknown secret hash and a revocation time, so partners need new keys.
"""

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

from app.accounts.passwords import hash_password

# Whole tables of secrets (and, for idempotent requests, answers replayed to a key holder;
# for follow-up reminders, the hashes of their unsubscribe links).
SECRET_TABLES = frozenset(
    {"user_session", "password_token", "idempotent_request", "follow_up_reminder"}
)

# Columns holding a secret, by table.
SECRET_COLUMNS: dict[str, frozenset[str]] = {
    "user_account": frozenset({"password_hash"}),
    "api_key": frozenset({"secret_hash"}),
}


def scrub(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` without its secrets."""
    hidden = SECRET_COLUMNS.get(table)
    if not hidden:
        return row
    return {name: (None if name in hidden else value) for name, value in row.items()}


class Replacements:
    """Fills in, at restore, the secrets an archive was written without."""

    def __init__(self) -> None:
        self._password_hash: str | None = None
        self.now = datetime.now(UTC)

    def unusable_password_hash(self) -> str:
        # One real argon2 hash (of a secret nobody keeps) for every account, so a sign-in
        # attempt costs the same work as for any other account.
        if self._password_hash is None:
            self._password_hash = hash_password(secrets.token_urlsafe(32))
        return self._password_hash

    def fill(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        if table == "user_account" and row.get("password_hash") is None:
            row["password_hash"] = self.unusable_password_hash()
        elif table == "api_key" and row.get("secret_hash") is None:
            row["secret_hash"] = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
            if "revoked_at" in row:  # (absent from archives older than the column)
                row["revoked_at"] = row["revoked_at"] or self.now
        return row
