"""A folder given as input: the data files inside it, recursively, in name order."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kg.model import Notice

__all__ = ["expand_inputs"]


def expand_inputs(paths: Iterable[Any], extensions: Iterable[str]) -> Iterator[Any | Notice]:
    """Each input as given, except a folder: the files inside it (recursively, sorted, hidden ones
    left out) whose extension is a data format's, and a Notice for each other file skipped."""
    exts = tuple(sorted(set(extensions)))
    for path in paths:
        if str(path) == "-" or not Path(path).is_dir():
            yield path
            continue
        found = False
        for folder, dirs, files in os.walk(path):  # symbolic links to folders are not followed
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith("."):
                    continue
                file = Path(folder) / name
                if file.suffix.lower() in exts:
                    found = True
                    yield file
                else:
                    yield Notice(str(file), 0, f"skipped: not a data file (reading {', '.join(exts)} in folders)")
        if not found:
            yield Notice(str(path), 0, f"no data files in this folder ({', '.join(exts)})")
