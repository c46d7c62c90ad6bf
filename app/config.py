"""Settings, read once from environment variables prefixed ``INTERLOCAL_``."""

from functools import lru_cache
from pathlib import Path

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
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=1, description="Uvicorn worker processes.")
    page_size: int = Field(default=20, ge=1, le=200)
    max_page_size: int = Field(default=200, ge=1)
    htmx_url: str = Field(
        default=f"https://unpkg.com/htmx.org@{HTMX_VERSION}/dist/htmx.min.js",
        description="Where pages load htmx from; set to /static/vendor/… for offline hosts.",
    )
    htmx_integrity: str = Field(
        default="sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg",
        description="Subresource-integrity hash of htmx; empty to omit.",
    )
    site_name: str = "Interlocal"

    @field_validator("database_url", mode="before")
    @classmethod
    def _use_psycopg_driver(cls, value: str) -> str:
        for scheme in ("postgres://", "postgresql://"):
            if value.startswith(scheme):
                return value.replace(scheme, "postgresql+psycopg://", 1)
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
