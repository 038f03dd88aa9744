"""Reaching a Dask scheduler (tcp://HOST:PORT or a LocalCluster), and one Extractor per worker process."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kg.errors import ConfigError, KGError

__all__ = ["connect", "worker_extractor", "run_tasks", "parse_scheduler", "RETRIES"]

RETRIES = 3  # a task that raised is tried again this many times (a lost worker's task is always re-run)
_LOCAL = re.compile(r"^local(?::(\d+))?$")
_EXTRACTORS: dict[tuple[tuple[str, ...], str | None], Any] = {}


def parse_scheduler(scheduler: str) -> tuple[str, int | None]:
    """``("local", N)`` for ``local`` / ``local:N`` (N defaults to the CPU count), else
    ``("address", None)`` for a scheduler address such as ``tcp://10.0.0.5:8786``."""
    m = _LOCAL.match(scheduler.strip())
    if m:
        n = int(m.group(1)) if m.group(1) else (os.cpu_count() or 1)
        if n < 1:
            raise ConfigError("--scheduler local:N needs N >= 1 worker processes")
        return "local", n
    if "://" not in scheduler:
        raise ConfigError(f"--scheduler {scheduler!r} is neither local[:N] nor an address such as "
                          "tcp://HOST:8786")
    return scheduler, None


def _dask() -> Any:
    try:
        import distributed
    except ImportError as e:
        raise KGError("--scheduler needs Dask: pip install 'kg[dask]' (dask[distributed] and pyarrow)") from e
    return distributed


@contextmanager
def connect(scheduler: str, kb_files: Sequence[Path] | None = (), model: str | None = None) -> Iterator[Any]:
    """A ``distributed.Client`` for ``scheduler``; a ``local[:N]`` cluster (N worker processes of
    one thread on 127.0.0.1) is started here and stopped on exit. Every worker, including ones that
    join or are restarted later, loads the extractor for ``kb_files`` and ``model`` (a `kg train`
    file, ``"rules"`` or None for the shipped one) once at start (a worker plugin;
    ``kb_files=None``: no extractor, for assembly)."""
    distributed = _dask()
    address, n = parse_scheduler(scheduler)
    cluster = None
    try:
        if address == "local":
            cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                               host="127.0.0.1", dashboard_address=None)
            client = distributed.Client(cluster)
        else:
            client = distributed.Client(address, timeout="30s")
    except (OSError, RuntimeError) as e:
        raise KGError(f"cannot reach the Dask scheduler at {scheduler}: {e}; start one with "
                      "`dask scheduler` (and workers with `dask worker ADDRESS`), or use --scheduler local:N") from e
    try:
        if kb_files is not None:
            from kg.distributed.plugin import ExtractorPlugin

            client.register_plugin(ExtractorPlugin(tuple(str(p) for p in kb_files), model), name="kg-extractor")
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def worker_extractor(kb_files: Sequence[str] = (), model: str | None = None) -> Any:
    """This process's Extractor for ``kb_files`` and ``model``, built on first use and kept for later tasks."""
    key = (tuple(kb_files), model)
    ex = _EXTRACTORS.get(key)
    if ex is None:
        from kg.extract import Extractor

        ex = _EXTRACTORS[key] = Extractor(kb_files=tuple(Path(p) for p in key[0]), model=model)
    return ex


def run_tasks(client: Any, fn: Callable[..., Any], items: Sequence[Any], *args: Any,
              on_done: Callable[[Any], None] | None = None) -> list[Any]:
    """``fn(item, *args)`` for every item: on the cluster when ``client`` is given (each task retried
    up to RETRIES times; a task whose worker died is re-run elsewhere by the scheduler), else here
    in order. Results come back in ``items`` order; ``on_done`` sees each as it completes."""
    if client is None:
        out = []
        for item in items:
            out.append(fn(item, *args))
            if on_done is not None:
                on_done(out[-1])
        return out
    from distributed import as_completed

    futures = client.map(fn, items, *[[a] * len(items) for a in args], retries=RETRIES, pure=False)
    order = {f.key: i for i, f in enumerate(futures)}
    results: list[Any] = [None] * len(futures)
    try:
        for fut in as_completed(futures):
            results[order[fut.key]] = r = fut.result()
            if on_done is not None:
                on_done(r)
    except KGError:
        raise
    except Exception as e:  # noqa: BLE001 - a task failed on every try: name it, one line
        raise KGError(f"a cluster task failed after {RETRIES} retries: {type(e).__name__}: {e}") from e
    finally:
        client.cancel(futures)
    return results
