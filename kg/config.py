"""Settings in one place: defaults, then a ``.env`` file, then ``KG_`` environment variables, then CLI flags."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from kg.errors import ConfigError

__all__ = ["Settings", "load_settings", "DEFAULT_BASE_IRI"]

DEFAULT_BASE_IRI = "https://kg.example.org/"


class Settings(BaseSettings):
    """Every setting kg reads. The Neo4j password is a secret: its repr and str never show it."""

    model_config = SettingsConfigDict(
        env_prefix="KG_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    store: Path = Path("kg-data")
    base_iri: str = DEFAULT_BASE_IRI
    batch_size: int = Field(1000, ge=1)
    workers: int = Field(1, ge=1)
    kb: tuple[Path, ...] = ()
    model: str | None = None  # a model file from `kg train`; None: the shipped one; "rules": no model
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = None
    neo4j_database: str = "neo4j"
    neo4j_batch_size: int = Field(5000, ge=1)
    neo4j_timeout: float = Field(60.0, gt=0)  # seconds a Neo4j request may take before kg gives up


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment and ``.env``, with non-None ``overrides`` (CLI flags) on top."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)  # type: ignore[arg-type]
    except ValidationError as e:
        raise ConfigError(_message(e, given)) from e
    except SettingsError as e:  # a list-valued variable (KG_KB) that is not JSON
        m = re.search(r'field "(\w+)"', str(e))
        name = f"KG_{m.group(1).upper()}" if m else "a KG_ variable"
        raise ConfigError(f"invalid setting {name}: not valid JSON; give a JSON list, for example "
                          f"{name}='[\"my-kb.yaml\"]'") from e


def _message(e: ValidationError, given: dict[str, object]) -> str:
    """One line per bad setting: which variable or flag, the value, what it must be."""
    parts = []
    for err in e.errors():
        name = str(err["loc"][0]) if err["loc"] else "?"
        where = f"--{name.replace('_', '-')}" if name in given else f"KG_{name.upper()}"
        value = err.get("input")
        shown = "***" if "password" in name else repr(value)
        parts.append(f"{where}={shown}: {err['msg'].rstrip('.').lower()}")
    return "invalid setting " + "; ".join(parts)
