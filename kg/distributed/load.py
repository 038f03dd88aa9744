"""``kg load``: the N-Triples shards of an assembled graph bulk-loaded into a new embedded store."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from kg.config import DEFAULT_BASE_IRI
from kg.distributed.shards import write_json
from kg.errors import KGError, SinkError

__all__ = ["load_store", "LOAD_MARKER"]

LOAD_MARKER = "kg-load.json"  # in the store folder: which assembled graph it was loaded from


def load_store(out_dir: Path, store: Path, base_iri: str = DEFAULT_BASE_IRI) -> dict[str, Any]:
    """Bulk-load ``out_dir/graph/ntriples/*.nt`` into the embedded store at ``store``.

    The store must be new or empty, or hold an earlier (perhaps interrupted) load of the same
    graph: loading the same triples again changes nothing (RDF set semantics), so re-running after
    a crash completes it. To add papers to a store that holds other data, use ``kg ingest``.
    Returns ``{"files", "triples", "seconds"}``.
    """
    from pyoxigraph import RdfFormat

    from kg.distributed.assemble import GRAPH_DIR, ntriples_files
    from kg.sinks.store import OxigraphStore

    files = ntriples_files(out_dir)
    manifest = (Path(out_dir) / GRAPH_DIR / "graph-manifest.json").read_bytes()
    graph_id = hashlib.sha1(manifest).hexdigest()
    if json.loads(manifest).get("base_iri", base_iri) != base_iri:
        raise KGError(f"the graph in {out_dir} was assembled with base IRI {json.loads(manifest)['base_iri']}, "
                      f"not {base_iri}: give the same --base-iri (or KG_BASE_IRI) to kg assemble and kg load")
    t0 = time.perf_counter()
    marker = Path(store) / LOAD_MARKER
    with OxigraphStore(Path(store), base_iri) as st:
        raw = st.store
        if next(iter(raw), None) is not None and _marker(marker) != graph_id:
            raise KGError(f"store {store} already holds a graph: kg load fills a new store; give another "
                          "--store, or add papers with kg ingest")
        write_json(marker, {"graph": graph_id, "from": str(Path(out_dir).resolve())})
        try:
            for f in files:
                raw.bulk_load(path=str(f), format=RdfFormat.N_TRIPLES)
            raw.optimize()
            triples = len(raw)
        except (OSError, SyntaxError) as e:
            raise SinkError(f"bulk loading {out_dir} into store {store} failed: {e}; run the same "
                            "kg load again to finish") from e
    return {"files": len(files), "triples": triples, "seconds": time.perf_counter() - t0}


def _marker(path: Path) -> str | None:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("graph")
    except (OSError, ValueError):
        return None
