"""What ``scrutiny run`` can be asked for, named once: the command's help reads these without
importing the runner (and with it pandas, matplotlib and the notebooks' machinery)."""

from __future__ import annotations

import re
from collections.abc import Sequence

FORMATS = ("html", "pdf")  # what a report can be written as (HTML always)
DEFAULT_REPORT_TIMEOUT = 900  # seconds one report may run before it is stopped
ALL_ENGLAND = "all-england"  # --areas for every local authority in the national statistics
# an ONS region (E12), or Inner or Outer London (E13), the regions DfE gives London's boroughs
_REGION = re.compile(r"E1[23]\d{6}")
_ONS_CODE = re.compile(r"E\d{8}", re.IGNORECASE)


def normalised(area: str) -> str:
    """An ``--areas`` item as the statistics spell it (typed in any case): ONS codes in
    capitals, all-england in lower case, anything else as given."""
    if area.lower() == ALL_ENGLAND:
        return ALL_ENGLAND
    return area.upper() if _ONS_CODE.fullmatch(area) else area


def is_national(areas: Sequence[str] | None) -> bool:
    """Whether ``--areas`` asks for the national mode (reports from the published statistics
    alone): any item is all-england, a region code or an old_la_code (a number), not one of a
    partnership's areas. Any, not all: a mistyped item beside them is then named by the
    national selection, instead of the run falling through to the demonstration partnership."""
    return bool(areas) and any(_national_item(normalised(area)) for area in areas)


def _national_item(area: str) -> bool:
    return area == ALL_ENGLAND or bool(_REGION.fullmatch(area)) or area.isdigit()
