"""The Dask worker plugin that loads the extractor once when a worker process starts."""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from kg.distributed.cluster import worker_extractor

__all__ = ["ExtractorPlugin"]


class ExtractorPlugin(WorkerPlugin):
    """Builds this worker's Extractor at start (and on every restart), so tasks find it loaded."""

    def __init__(self, kb_files: tuple[str, ...], model: str | None = None) -> None:
        self.kb_files = kb_files
        self.model = model

    def setup(self, worker: Any) -> None:
        worker_extractor(self.kb_files, self.model)
