"""Settings, read once from environment variables prefixed ``INTERLOCAL_``."""

from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from limits import parse_many
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent

HTMX_VERSION = "2.0.11"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTERLOCAL_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{ROOT / 'data' / 'interlocal.db'}",
        description="SQLAlchemy URL; postgresql+psycopg://… in production.",
    )
    seed_dir: Path = Field(default=ROOT / "seed", description="Folder of seed YAML files.")
    host: str = Field(
        default="127.0.0.1",
        description="Address `interlocal serve` listens on (0.0.0.0 in the container).",
    )
    port: int = Field(default=8000, description="Port `interlocal serve` listens on.")
    workers: int = Field(
        default=1, ge=1, description="Uvicorn worker processes (2 in the container)."
    )
    threads: int | None = Field(
        default=None,
        ge=1,
        description="Threads per worker that run request handlers. Python runs one at a "
        "time, so where a request's work is all in the worker more threads only contend "
        "for its lock: on SQLite one answered 40 % more different searches than forty. A "
        "thread waiting on PostgreSQL leaves room for another. Unset: 1 on SQLite, "
        "2 on PostgreSQL. Each write in flight adds one while it runs.",
    )
    result_cache_size: int = Field(
        default=512,
        ge=0,
        description="List, peer and vocabulary results each worker keeps in memory until "
        "the catalogue changes; 0 turns the cache off.",
    )
    index_rebuild_seconds: int = Field(
        default=3600,
        ge=0,
        description="Each worker updates its practice index and peer features as practices "
        "are published, and reloads them whole in the background this often as a safety "
        "net; 0 never does.",
    )
    htmx_url: str = Field(
        default=f"https://unpkg.com/htmx.org@{HTMX_VERSION}/dist/htmx.min.js",
        description="Where pages load htmx from; set to /static/vendor/… for offline hosts.",
    )
    htmx_integrity: str = Field(
        default="sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg",
        description="Subresource-integrity hash of htmx; empty to omit.",
    )
    site_name: str = Field(
        default="Interlocal", description="The site's name in its pages, feed and widget."
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Web origins whose pages may call the API from the browser (a JSON "
        'list, e.g. ["https://network.example"]; ["*"] for any). None by default.',
    )
    rate_limit_anonymous: str = Field(
        default="600/minute",
        description="API requests a client without a key may send, per address (e.g. "
        '"600/minute;10000/day"); empty for no limit. Counted per worker unless '
        "RATE_LIMIT_STORAGE is shared.",
    )
    rate_limit_key: str = Field(
        default="6000/minute",
        description="API requests per API key (per worker unless RATE_LIMIT_STORAGE is "
        "shared); empty for no limit.",
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description="Where rate-limit counts are kept: a `limits` storage URI. The default "
        "keeps them in each worker's memory; a Redis (e.g. redis://redis:6379/0) makes "
        "limits hold across workers and containers.",
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="How `interlocal serve` writes its log: text lines, or one JSON object "
        "per line (the container's default), each with the request id.",
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="The least severe log records written."
    )
    metrics_allow: list[str] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"],
        description='Addresses or networks (a JSON list, e.g. ["10.0.0.0/8"]) that may read '
        "/metrics directly; a request that came through a proxy (X-Forwarded-For) never "
        "counts as one of them.",
    )
    metrics_token: str | None = Field(
        default=None,
        description="A bearer token that lets any client read /metrics (Authorization: Bearer …).",
    )
    graceful_shutdown_seconds: int = Field(
        default=20,
        ge=0,
        description="How long `interlocal serve` lets requests in flight finish after "
        "SIGTERM before it closes their connections.",
    )
    secure_cookies: bool | None = Field(
        default=None,
        description="Mark cookies Secure; by default when the request came over HTTPS "
        "(behind a proxy, as told by X-Forwarded-Proto).",
    )
    password_hashing: Literal["rfc9106-low-memory", "cheapest"] = Field(
        default="rfc9106-low-memory",
        description="argon2 parameters of new password hashes: RFC 9106's low-memory "
        'profile (64 MiB, 3 passes), or "cheapest", which only a test suite should use: it '
        "makes stolen hashes cheap to crack. A sign-in checks a password against the "
        "parameters its hash was made with, then hashes it again with these if they differ.",
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed sign-ins per account before it is paused."
    )
    login_max_failures_per_client: int = Field(
        default=20, ge=1, description="Failed sign-ins per client address before it is paused."
    )
    login_window_minutes: int = Field(
        default=15, ge=1, description="How long failed sign-ins count against an account."
    )
    account_request_rate_limit: str = Field(
        default="5/hour;20/day",
        description="Requests for an account one client address may send (e.g. "
        '"5/hour;20/day"); empty for no limit.',
    )
    public_url: str | None = Field(
        default=None,
        description="The site's address (e.g. https://interlocal.example.org), used for every "
        "absolute link: e-mails, linked data, feeds, the embed snippet. Required in the "
        "container; without it links use the request's host, itself one of ALLOWED_HOSTS.",
    )
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description='Host names the site answers to (a JSON list; "*.example.org" for its '
        'subdomains, ["*"] for any); other Host headers get 400. By default the host of '
        "PUBLIC_URL, localhost and 127.0.0.1.",
    )
    password_reset_rate_limit: str = Field(
        default="3/hour;10/day",
        description="Password e-mails one address may be sent (beyond it the form answers the "
        "same and sends nothing); empty for no limit.",
    )
    password_reset_rate_limit_per_client: str = Field(
        default="10/hour;50/day",
        description="Password e-mails one client address may ask for; beyond it 429.",
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description="Largest request body (JSON or form) read; larger ones get 413.",
    )
    header_timeout_seconds: float = Field(
        default=10,
        gt=0,
        description="`interlocal serve` closes a connection whose request line and headers "
        "take longer than this to arrive.",
    )
    follow_up_outcome_months: int = Field(
        default=12,
        ge=1,
        description="A published practice with no outcome this many months after its start "
        "year began needs an update.",
    )
    follow_up_verified_months: int = Field(
        default=18,
        ge=1,
        description="A published practice nobody has confirmed as accurate for this many "
        "months needs an update.",
    )
    mail_from: str = Field(
        default="interlocal@localhost", description="Sender address of the site's e-mails."
    )
    smtp_host: str | None = Field(default=None, description="SMTP server for e-mails.")
    smtp_port: int = Field(default=587, description="Port of the SMTP server (STARTTLS).")
    smtp_user: str | None = Field(default=None, description="SMTP user name, if it wants one.")
    smtp_password: str | None = Field(default=None, description="SMTP password.")
    mail_dir: Path | None = Field(
        default=None,
        description="Without SMTP, write e-mails as files here (else they go to the log).",
    )
    gazetteer_min_population: int = Field(
        default=5000,
        ge=500,
        description="Smallest populated place `interlocal gazetteer` loads from GeoNames.",
    )
    warm_up: bool = Field(
        default=True,
        description="Load the practice index and the peer features in the background at "
        "start-up, so that the first visitors do not wait for them; false to load them on "
        "first use (the tests, whose thousands of short-lived apps mostly need neither).",
    )
    gazetteer_load: bool = Field(
        default=True,
        description="Load the gazetteer on first start (make run, the container); false to "
        "keep only the places the reports name.",
    )
    # Peer matching (README, "How peers are matched"). Each weight is the share of the score
    # a factor can contribute; they need not add up to 1 (they are normalised).
    peer_weight_profile: float = Field(
        default=0.20,
        ge=0,
        description="Weight of the practice profile (how a place works: activity types, goals).",
    )
    peer_weight_challenges: float = Field(
        default=0.20,
        ge=0,
        description="Weight of the challenges (what a place faces and works on: catalysts, "
        "policy areas, target groups).",
    )
    peer_weight_dilemmas: float = Field(
        default=0.10,
        ge=0,
        description="Weight of the dilemmas faced (the clusters of each place's public dilemmas).",
    )
    peer_weight_population: float = Field(default=0.20, ge=0, description="Weight of size.")
    peer_weight_foreign_born: float = Field(
        default=0.15, ge=0, description="Weight of the foreign-born share of residents."
    )
    peer_weight_migration_history: float = Field(
        default=0.10, ge=0, description="Weight of the migration history."
    )
    peer_weight_level: float = Field(
        default=0.10, ge=0, description="Weight of the level of government."
    )
    peer_weight_urban_rural: float = Field(
        default=0.05, ge=0, description="Weight of urban or rural character."
    )

    @field_validator("database_url", mode="before")
    @classmethod
    def _use_psycopg_driver(cls, value: str) -> str:
        for scheme in ("postgres://", "postgresql://"):
            if value.startswith(scheme):
                return value.replace(scheme, "postgresql+psycopg://", 1)
        return value

    @field_validator("threads", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("metrics_allow")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        for network in value:
            ip_network(network.strip(), strict=False)  # raises ValueError naming it
        return [network.strip() for network in value]

    @field_validator(
        "rate_limit_anonymous",
        "rate_limit_key",
        "account_request_rate_limit",
        "password_reset_rate_limit",
        "password_reset_rate_limit_per_client",
    )
    @classmethod
    def _valid_rate_limit(cls, value: str) -> str:
        if value.strip():
            parse_many(value)  # raises ValueError naming what it could not read
        return value.strip()

    @field_validator("public_url")
    @classmethod
    def _absolute_url(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) address: {value!r}")
        return value.strip().rstrip("/")

    def trusted_hosts(self) -> list[str]:
        """The Host names requests may name (see ``allowed_hosts``)."""
        if self.allowed_hosts:
            return [host.strip().lower() for host in self.allowed_hosts if host.strip()]
        public = urlsplit(self.public_url).hostname if self.public_url else None
        return [*([public] if public else []), "localhost", "127.0.0.1", "::1"]


@lru_cache
def get_settings() -> Settings:
    return Settings()
