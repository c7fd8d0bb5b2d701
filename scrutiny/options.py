"""What ``scrutiny run`` can be asked for, named once: the command's help reads these without
importing the runner (and with it pandas, matplotlib and the notebooks' machinery)."""

from __future__ import annotations

import re
from collections.abc import Sequence

FORMATS = ("html", "pdf")  # what a report can be written as (HTML always)
DEFAULT_REPORT_TIMEOUT = 900  # seconds one report may run before it is stopped
ALL_ENGLAND = "all-england"  # --areas for every local authority in the national statistics
_REGION = re.compile(r"E12\d{6}")  # an ONS region code


def is_national(areas: Sequence[str] | None) -> bool:
    """Whether ``--areas`` asks for the national mode (reports from the published statistics
    alone): all-england, region codes or old_la_codes (numbers), not a partnership's areas."""
    return bool(areas) and all(area.lower() == ALL_ENGLAND or _REGION.fullmatch(area)
                               or area.isdigit() for area in areas)
