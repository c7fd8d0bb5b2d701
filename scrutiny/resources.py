"""Where the files the package ships are: the notebooks and the data contracts.

``notebooks/`` and ``data_contracts/`` live at the top of the repository, where analysts and
contract authors find them; the build maps them into the package (``scrutiny/notebooks``,
``scrutiny/data_contracts``, see ``pyproject.toml``), so an installed ``scrutiny`` finds them
with :mod:`importlib.resources`. In a source checkout (an editable install) they are read
from the repository itself. ``SCRUTINY_NOTEBOOKS_DIR`` and ``SCRUTINY_CONTRACTS_DIR`` override
both.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


def notebooks_dir() -> Path:
    return _shipped("notebooks", "SCRUTINY_NOTEBOOKS_DIR")


def contracts_dir() -> Path:
    return _shipped("data_contracts", "SCRUTINY_CONTRACTS_DIR")


def import_root() -> Path:
    """The folder ``scrutiny`` is imported from: site-packages, or a source checkout."""
    return Path(str(resources.files("scrutiny"))).resolve().parent


def _shipped(name: str, variable: str) -> Path:
    if os.environ.get(variable):
        return Path(os.environ[variable])
    installed = resources.files("scrutiny") / name
    if installed.is_dir():  # a wheel: a folder inside the package
        return Path(str(installed))
    return import_root() / name  # a source checkout: the repository's own folder
