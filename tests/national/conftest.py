"""Fixtures for the national statistics tests (real files; skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dfe_files import PlainFiles, find_dfe_dir

from scrutiny.national.load import NationalData, load_national


@pytest.fixture(scope="session")
def dfe_dir() -> Path:
    found = find_dfe_dir()
    if found is None:
        pytest.skip(
            "real DfE files not found: set SCRUTINY_DFE_DIR or provide ../shared/data/dfe "
            "beside the repository"
        )
    return found


@pytest.fixture(scope="session")
def national(dfe_dir: Path) -> NationalData:
    return load_national(dfe_dir)


@pytest.fixture(scope="session")
def table(national: NationalData):
    return national.table


@pytest.fixture(scope="session")
def plain(dfe_dir: Path) -> PlainFiles:
    return PlainFiles(dfe_dir)


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory) -> Path:
    """The synthetic national files (always available: no real data needed)."""
    from scrutiny.national.synthetic import write_synthetic_national

    folder = tmp_path_factory.mktemp("synthetic_national")
    write_synthetic_national(folder)
    return folder


@pytest.fixture(scope="session")
def synthetic(synthetic_dir: Path) -> NationalData:
    return load_national(synthetic_dir)
