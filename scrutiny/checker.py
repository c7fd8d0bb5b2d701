"""Contract checks in a process of their own, so that great-expectations is imported while the
returns are still being read.

Importing great-expectations is the slowest part of checking a quarter's returns (about 2.5 s
of the 495 demo returns' validation). The checker forks a process the first time it is asked
for (when the first new file is read) and has it import great-expectations at once, while this
process goes on reading and screening the other files; each return type's check is then sent
to it whole, and this process stores one return type while the next is checked.

Where processes cannot be forked, or the checking process dies, the checks run here instead:
the same functions, the same findings, only slower. A check that raises in the process raises
here, as it would have done here.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from scrutiny.forking import can_fork, forked_pool


def _import_great_expectations() -> None:
    from scrutiny.contracts import warm_up

    warm_up()


class ContractChecker:
    """Runs functions that check contracts (pure, picklable arguments and results) in one
    forked process, in the order they are submitted."""

    def __init__(self, *, fork: bool | None = None) -> None:
        self._fork = can_fork() if fork is None else fork
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Fork the process and start its import; does nothing if it has started (or
        cannot)."""
        if self._pool is None and self._fork:
            self._pool = forked_pool(1)
            self._pool.submit(_import_great_expectations)

    def submit(self, function: Callable[..., Any], *args: Any) -> Callable[[], Any]:
        """Start ``function(*args)``; returns what gives its result (raising what it raised)."""
        self.start()
        if self._pool is None:
            return lambda: function(*args)
        try:
            future = self._pool.submit(function, *args)
        except BrokenProcessPool:
            return lambda: function(*args)
        return lambda: self._result(future, function, args)

    def run(self, function: Callable[..., Any], *args: Any) -> Any:
        return self.submit(function, *args)()

    def _result(self, future: Future, function: Callable[..., Any], args: tuple) -> Any:
        try:
            return future.result()
        except BrokenProcessPool:  # the process died (killed, out of memory): check here
            return function(*args)

    def close(self) -> None:
        """Stop the process; checks not yet started are dropped."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> ContractChecker:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
