"""The contract checker's own process: the same findings as checking here, a dead process
replaced by checking here, and no process left behind when its parent is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from scrutiny import store
from scrutiny.checker import ContractChecker
from scrutiny.framework import load_framework
from scrutiny.ingest import ingest
from scrutiny.partnership import load_partnership

FINDINGS = ("SELECT file_name, severity, rule, columns, rows, row_numbers, message, fix "
            "FROM findings ORDER BY ALL")
STATUSES = "SELECT file_name, status, data_rows FROM submissions ORDER BY ALL"


def _stored(store_path, *queries: str) -> list[list[tuple]]:
    with store.open_store(store_path) as connection:
        return [connection.execute(sql).fetchall() for sql in queries]


def test_checks_in_the_process_store_what_checks_here_store(demo_ingested, tmp_path):
    """The demo cycle's store (checked in the checker's process) against checking here."""
    data, forked_store, _files = demo_ingested
    here = tmp_path / "here.duckdb"
    ingest(data, here, load_partnership(data), load_framework(data), progress=False,
           checker=ContractChecker(fork=False))
    rows = [f"SELECT count(*), sum(hash(COLUMNS(*))) FROM rows_{name}" for name in (
        "indicators", "reviews", "actions", "training", "audits", "voice", "section11")]
    forked, local = _stored(forked_store, FINDINGS, STATUSES), _stored(here, FINDINGS, STATUSES)
    assert local[0] and local == forked  # the planted faults are found, the same way
    assert _stored(here, *rows) == _stored(forked_store, *rows)


def _own_pid() -> int:
    return os.getpid()


def _die_unless(parent: int) -> int:
    if os.getpid() != parent:
        os._exit(3)  # as if the checking process were killed
    return 7


def test_a_check_runs_in_the_process_and_a_dead_process_is_replaced_by_checking_here():
    with ContractChecker() as checker:
        assert checker.run(_own_pid) != os.getpid()
        assert checker.run(_die_unless, os.getpid()) == 7  # the process died: run here
        assert checker.run(_own_pid) == os.getpid()
    with ContractChecker(fork=False) as checker:
        assert checker.run(_own_pid) == os.getpid()


def _fails() -> None:
    raise ValueError("a fault in the check")


def test_a_check_that_raises_raises_here():
    with ContractChecker() as checker, pytest.raises(ValueError, match="a fault in the check"):
        checker.run(_fails)


ORPHAN = textwrap.dedent("""
    import os, signal
    from scrutiny.checker import ContractChecker

    checker = ContractChecker()
    print(checker.run(os.getpid), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_the_process_ends_when_its_parent_is_killed():
    parent = subprocess.run([sys.executable, "-c", ORPHAN], capture_output=True, text=True,
                            timeout=120)
    assert parent.returncode == -signal.SIGKILL, parent.stderr[-2000:]
    child = int(parent.stdout.split()[0])
    deadline = time.monotonic() + 30
    while psutil.pid_exists(child) and time.monotonic() < deadline:
        try:
            if psutil.Process(child).status() == psutil.STATUS_ZOMBIE:
                break
        except psutil.NoSuchProcess:
            break
        time.sleep(0.2)
    alive = psutil.pid_exists(child) and psutil.Process(child).status() != psutil.STATUS_ZOMBIE
    assert not alive, "the checking process outlived its parent"
