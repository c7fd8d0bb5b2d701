"""The seven local return types and how a returned file is named.

A return is one file for one area and one period, named
``{return_type}_{area_code}_{period}[_{label}][_v{N}].csv`` (or ``.xlsx``), for example
``indicators_E06000022_2025-26-Q4.csv`` or ``indicators_E06000022_2025-26-Q4_police_v2.csv``.
The optional label tells apart several submitters for one area (police, health); the optional
version marks a corrected resubmission, which supersedes the earlier file without deleting it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scrutiny.periods import Period, PeriodError

RETURN_TYPES: dict[str, str] = {
    "indicators": "Monthly indicator counts from the local authority, police, health and education",
    "reviews": "Serious incident notifications, rapid reviews and local practice reviews",
    "actions": "The action tracker: recommendations and actions and their progress",
    "training": "Multi-agency training courses run, their take-up and evaluation",
    "audits": "Multi-agency case audits and the grades they gave",
    "voice": "Engagement with children and families: what was heard and what changed",
    "section11": "Agencies' section 11 self-assessments against each standard",
}
ANNUAL_RETURNS = frozenset({"section11"})
EXTENSIONS = (".csv", ".xlsx")

_FILE_NAME = re.compile(
    r"^(?P<return_type>[a-z0-9]+)_(?P<area_code>[A-Z]\d{8})_(?P<period>\d{4}-\d{2}(?:-Q[1-4])?)"
    r"(?:_(?P<label>(?!v\d+$)[a-z0-9-]+))?(?:_v(?P<version>\d+))?$"
)


class FileNameError(ValueError):
    """A returned file whose name does not say what it is."""


@dataclass(frozen=True)
class ReturnName:
    return_type: str
    area_code: str
    period: Period
    label: str = ""
    version: int = 1

    @property
    def slot(self) -> str:
        """What a resubmission replaces: same type, area, period and submitter."""
        parts = [self.return_type, self.area_code, self.period.label]
        return "_".join(parts + ([self.label] if self.label else []))


def expected_name(return_type: str, area_code: str = "E06000022") -> str:
    period = "2025-26" if return_type in ANNUAL_RETURNS else "2025-26-Q4"
    return f"{return_type}_{area_code}_{period}.csv"


def parse_file_name(file_name: str) -> ReturnName:
    stem, dot, extension = file_name.rpartition(".")
    if not dot or f".{extension.lower()}" not in EXTENSIONS:
        raise FileNameError(
            f"{file_name}: only .csv and .xlsx returns are read; save the return as CSV or XLSX"
        )
    match = _FILE_NAME.match(stem)
    if not match:
        raise FileNameError(
            f"{file_name}: the file name does not follow return_type_areacode_period.csv "
            f"(for example {expected_name('indicators')}); rename it so the tool knows "
            "which return, area and period it holds"
        )
    return_type = match["return_type"]
    if return_type not in RETURN_TYPES:
        raise FileNameError(
            f"{file_name}: {return_type!r} is not a return type; use one of "
            f"{', '.join(RETURN_TYPES)}"
        )
    try:
        period = Period.parse(match["period"])
    except PeriodError as error:
        raise FileNameError(f"{file_name}: {error}") from error
    annual = return_type in ANNUAL_RETURNS
    if annual == period.is_quarter:
        raise FileNameError(
            f"{file_name}: a {return_type} return covers a "
            f"{'financial year (e.g. 2025-26)' if annual else 'quarter (e.g. 2025-26-Q4)'}, "
            f"not {period.label}; for example {expected_name(return_type)}"
        )
    return ReturnName(
        return_type=return_type,
        area_code=match["area_code"],
        period=period,
        label=match["label"] or "",
        version=int(match["version"] or 1),
    )
