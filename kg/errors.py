"""One exception tree for everything kg raises on purpose."""

from __future__ import annotations

__all__ = ["KGError", "SourceError", "ExtractionError", "SinkError", "ConfigError"]


class KGError(Exception):
    """Base of every error kg raises for a user to read: the message says what, where and how to fix."""


class SourceError(KGError):
    """An input file cannot be read at all (missing, unknown format, not text)."""


class ExtractionError(KGError):
    """The extractor cannot be built or run (bad knowledge-base file, bad pattern data)."""


class SinkError(KGError):
    """A store or export target failed (server down, bad credentials, store locked, unwritable path)."""


class ConfigError(KGError):
    """A setting is missing or invalid."""
