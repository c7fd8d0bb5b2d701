"""Figures a run computes once and shares with the reports it forks.

The runner computes a run's figures before any report starts, then forks one worker per
report (``scrutiny.worker``): a report that opens the same store, unchanged, for the same
period gets the runner's figures instead of computing them again. Outside a run (JupyterLab,
nbval) nothing is shared and every report reads the store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_SHARED: dict[tuple, Any] = {}


def store_state(store_path: str | Path) -> tuple:
    """The store as it is now: its path, and the size and modification time of its file and
    write-ahead log. Any write to the store changes it."""
    path = Path(store_path).resolve()
    state: list = [str(path)]
    for part in (path, path.with_name(path.name + ".wal")):
        try:
            stat = part.stat()
            state.append((stat.st_size, stat.st_mtime_ns))
        except OSError:
            state.append(None)
    return tuple(state)


def share(store_path: str | Path, key: str, figures: Any) -> None:
    """Share ``figures`` computed from the store for ``key`` (a kind and a period), for as
    long as the store is unchanged; it replaces whatever this process shared before."""
    _SHARED.clear()
    _SHARED[(store_state(store_path), key)] = figures


def shared(store_path: str | Path, key: str) -> Any | None:
    """The figures shared for ``key`` from this store as it is now, or None."""
    return _SHARED.get((store_state(store_path), key))
