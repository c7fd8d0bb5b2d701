"""Forked processes (report workers, the contract checker, the data packs' pool) never
garbage-collect what the process that forked them had made: collecting it would finalise,
in a copy, objects the parent still owns (a store's connection, a socket)."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

from scrutiny.forking import can_fork, forked_pool

pytestmark = pytest.mark.skipif(not can_fork(), reason="this platform cannot fork")


class _Finalised:
    """Part of a reference cycle: only the garbage collector frees it, and its finaliser
    writes the id of the process that freed it."""

    def __init__(self, record: Path) -> None:
        self.record = record
        self.cycle = self

    def __del__(self) -> None:
        with open(self.record, "a", encoding="utf-8") as stream:
            stream.write(f"{os.getpid()}\n")


def _collect() -> int:
    gc.collect()
    return os.getpid()


def test_a_forked_process_does_not_collect_its_parents_garbage(tmp_path):
    record = tmp_path / "finalised.txt"
    enabled = gc.isenabled()
    gc.disable()  # so that the cycle is still uncollected when the pool forks
    try:
        _Finalised(record)  # garbage at once: a cycle with nothing else referring to it
        with forked_pool(1) as pool:
            child = pool.submit(_collect).result(timeout=60)
        assert not record.exists(), "the forked process finalised an object of its parent's"
        gc.collect()
        assert record.read_text(encoding="utf-8").split() == [str(os.getpid())]
        assert child != os.getpid()
    finally:
        if enabled:
            gc.enable()
