"""Shared test set-up: one demonstration cycle, run once per test session.

The end-to-end tests read its reports and store, and the notebooks that nbval runs read its
store through SCRUTINY_STORE (their parameters cell falls back to it), so the slow part, a
whole cycle, happens once.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

DEMO_PERIOD = "2025-26-Q4"
_CYCLE: dict = {}


def demo_cycle() -> dict:
    """Run the demo cycle once (lazily) and return where its outputs are."""
    if not _CYCLE:
        from scrutiny import demo
        from scrutiny.runner import run_cycle

        root = Path(tempfile.mkdtemp(prefix="scrutiny-e2e-"))
        data_dir = root / "demo-data"
        demo.generate(data_dir)
        result = run_cycle(data_dir, root / "reports", period=None, progress=False)
        _CYCLE.update(root=root, data_dir=data_dir, out_dir=root / "reports",
                      store=root / "reports" / "scrutiny.duckdb", result=result)
        os.environ["SCRUTINY_STORE"] = str(_CYCLE["store"])
        os.environ["SCRUTINY_PERIOD"] = DEMO_PERIOD
    return _CYCLE


def pytest_collection_finish(session: pytest.Session) -> None:
    # nbval starts each notebook's kernel with this process's environment, so the store it
    # reads must exist before the first notebook item runs
    if any(item.nodeid.endswith(".ipynb") or ".ipynb::" in item.nodeid for item in session.items):
        demo_cycle()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # the cycle is a whole demo partnership's returns, store and reports: not left behind
    if _CYCLE:
        shutil.rmtree(_CYCLE["root"], ignore_errors=True)


@pytest.fixture(scope="session")
def cycle_outputs() -> dict:
    return demo_cycle()


@pytest.fixture(scope="session")
def demo_ingested(cycle_outputs) -> tuple[Path, Path, list[dict]]:
    """The demo returns, the store they were ingested into and that ingest's file list.

    Shared: copy the store before changing it.
    """
    return (cycle_outputs["data_dir"], cycle_outputs["store"],
            cycle_outputs["result"].ingest.files)
