"""Pools of forked processes that end with the process that forked them.

A forked process starts with everything its parent has imported and computed, so work can be
shared out without sending it: the parent sets it up, forks, and sends only what says which
part to do. A parent killed outright cannot stop its pool, and an orphaned pool process would
wait for work for ever: each one exits once its parent is gone.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor


def can_fork() -> bool:
    return hasattr(os, "fork")


def forked_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` forked processes (only where :func:`can_fork`)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_exit_with_parent, initargs=(os.getpid(),))


def keep_parents_objects() -> None:
    """In a forked process: never garbage-collect what the parent had made. Collecting it
    would cost a report about half a CPU-second (every object of the parent's scanned, and
    its pages copied), and could finalise a parent's connection (a store, a socket) in a
    copy of it."""
    gc.freeze()


def _exit_with_parent(parent_pid: int, every: float = 0.5) -> None:
    """In a pool process: exit once the process that forked it is gone."""
    keep_parents_objects()

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
