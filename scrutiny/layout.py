"""The layout of a partnership's data folder, named once.

::

    partnership.toml   the partnership and its areas (required)
    framework.toml     its steps, themes, code lists and disclosure threshold (optional)
    indicators.toml    its indicator catalogue (optional)
    measures/          its own measures, one Python module each (optional)
    deep_dives/        its own notebooks, run for every area (optional)
    tests/             tests of its measures (optional; `pytest DATA/tests`)
    returns/           the returns, in any subfolders
    national/          published statistics for benchmarks (optional)
"""

from __future__ import annotations

PARTNERSHIP_FILE = "partnership.toml"
FRAMEWORK_FILE = "framework.toml"
CATALOGUE_FILE = "indicators.toml"
CONFIG_FILES = frozenset({PARTNERSHIP_FILE, FRAMEWORK_FILE, CATALOGUE_FILE})
RETURNS_DIR = "returns"
NATIONAL_DIR = "national"
MEASURES_DIR = "measures"
DEEP_DIVES_DIR = "deep_dives"
TESTS_DIR = "tests"
# folders of the data folder read by their own stages (or by nothing), never as returns
OWN_DIRS = frozenset({NATIONAL_DIR, MEASURES_DIR, DEEP_DIVES_DIR, TESTS_DIR})
