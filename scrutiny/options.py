"""What ``scrutiny run`` can be asked for, named once: the command's help reads these without
importing the runner (and with it pandas, matplotlib and the notebooks' machinery)."""

from __future__ import annotations

FORMATS = ("html", "pdf")  # what a report can be written as (HTML always)
DEFAULT_REPORT_TIMEOUT = 900  # seconds one report may run before it is stopped
