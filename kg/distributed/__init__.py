"""Past one machine: sharded extraction and graph assembly on a Dask cluster (``pip install 'kg[dask]'``)."""

from __future__ import annotations

from kg.distributed.assemble import GRAPH_DIR, assemble, ntriples_files
from kg.distributed.extract import MANIFEST, ShardedReport, extract_sharded, shard_files
from kg.distributed.load import load_store

__all__ = ["extract_sharded", "assemble", "load_store", "ShardedReport", "shard_files", "ntriples_files",
           "MANIFEST", "GRAPH_DIR"]
