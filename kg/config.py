"""Settings in one place: defaults, then a ``.env`` file, then ``KG_`` environment variables, then CLI flags."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "load_settings", "DEFAULT_BASE_IRI"]

DEFAULT_BASE_IRI = "https://kg.example.org/"


class Settings(BaseSettings):
    """Every setting kg reads. The Neo4j password is a secret: its repr and str never show it."""

    model_config = SettingsConfigDict(
        env_prefix="KG_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    store: Path = Path("kg-data")
    base_iri: str = DEFAULT_BASE_IRI
    batch_size: int = 1000
    workers: int = 1
    kb: tuple[Path, ...] = ()
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = None
    neo4j_database: str = "neo4j"
    neo4j_batch_size: int = 5000


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment and ``.env``, with non-None ``overrides`` (CLI flags) on top."""
    given = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**given)  # type: ignore[arg-type]
