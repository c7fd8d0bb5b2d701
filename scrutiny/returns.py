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
    """A returned file whose name does not say what it is; ``meant`` is the conforming name
    it was probably meant to have, if there is one."""

    def __init__(self, message: str, meant: str | None = None) -> None:
        super().__init__(message)
        self.meant = meant


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
    return _parsed(file_name, suggest=True)


def _parsed(file_name: str, *, suggest: bool) -> ReturnName:
    stem, dot, extension = file_name.rpartition(".")
    if not dot or f".{extension.lower()}" not in EXTENSIONS:
        raise FileNameError(
            f"{file_name}: only .csv and .xlsx returns are read; save the return as CSV or XLSX"
        )
    match = _FILE_NAME.match(stem)
    if not match:
        meant = suggest and _meant_name(stem, extension)
        raise FileNameError(
            f"{file_name}: the file name does not follow return_type_areacode_period.csv"
            + (f"; rename it {meant} if that is the return, area and period it holds" if meant else
               f" (for example {expected_name('indicators')}); rename it so the tool knows "
               "which return, area and period it holds"), meant or None
        )
    return_type = match["return_type"]
    if return_type not in RETURN_TYPES:
        meant = suggest and _meant_name(stem, extension)
        raise FileNameError(
            f"{file_name}: {return_type!r} is not a return type; use one of "
            f"{', '.join(RETURN_TYPES)}" + (f" (rename it {meant}?)" if meant else ""),
            meant or None
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


# the parts of a name typed by hand, in any case, with spaces or hyphens for underscores
_AREA_PART = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]\d{8})(?![0-9])")
_PERIOD_PART = re.compile(r"(?<!\d)(\d{4})[-_ ]?(\d{2})(?:[-_ ]?[Qq]([1-4]))?(?![0-9])")
_VERSION_PART = re.compile(r"^[vV](\d+)$")
# what a browser or a file manager adds to a copy: " (1)", " - Copy", "Copy of "
_COPY_MARKS = re.compile(r"\s*\(\d+\)$|\s*-\s*copy(?:\s*\(\d+\))?$|^copy of\s+", re.I)


def _meant_name(stem: str, extension: str) -> str | None:
    """The conforming name a near miss was probably meant to have (capitals, hyphens or spaces
    for underscores, its parts out of order, a copy's " (1)"), or None if there is none.

    Only suggested, never assumed: the data officer renames the file, so that nothing is read
    as a return, area or period it was not sent for."""
    text = _COPY_MARKS.sub("", stem.strip())
    area = _AREA_PART.search(text)
    if area is None:
        return None
    # the period is looked for outside the area code, whose digits could pass for one
    period = _PERIOD_PART.search(text[:area.start()] + " " * len(area[0]) + text[area.end():])
    if period is None:
        return None
    rest = [text[:min(area.start(), period.start())],
            text[min(area.end(), period.end()):max(area.start(), period.start())],
            text[max(area.end(), period.end()):]]
    words = [word.lower() for part in rest for word in re.split(r"[\s_-]+", part) if word]
    # the return type is the first word that names one; any other words name the submitter
    known = [next((name for name in (word, word + "s", word.removesuffix("s"))
                   if name in RETURN_TYPES), None) for word in words]
    typed = next((index for index, name in enumerate(known) if name), None)
    if typed is None:
        return None
    return_type, others = known[typed], words[:typed] + words[typed + 1:]
    versions = [_VERSION_PART.match(word) for word in others]
    label = "-".join(word for word, version in zip(others, versions, strict=True)
                     if not version)
    version = next((int(found[1]) for found in versions if found), 1)
    quarter = f"-Q{period[3]}" if period[3] else ""
    meant = (f"{return_type}_{area[1].upper()}_{period[1]}-{period[2]}{quarter}"
             + (f"_{label}" if label else "") + (f"_v{version}" if version > 1 else "")
             + f".{extension.lower()}")
    try:
        _parsed(meant, suggest=False)
    except FileNameError:
        return None
    return meant
