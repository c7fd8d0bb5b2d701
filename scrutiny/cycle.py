"""A read-only view of one cycle: the partnership and its current accepted returns, as frames.

Notebooks open the store read-only through :func:`load_cycle` and work on these frames; the
computations in :mod:`scrutiny.indicators` are pure functions of them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from scrutiny import store
from scrutiny.framework import Framework, framework_from_texts
from scrutiny.partnership import Area, Partnership
from scrutiny.periods import Period
from scrutiny.returns import RETURN_TYPES

PARTNERSHIP_CODE = "partnership"  # the area_code used for the partnership as a whole


@dataclass
class Cycle:
    partnership: Partnership
    framework: Framework
    period: Period
    returns: dict[str, pd.DataFrame] = field(repr=False)
    store_path: Path | None = None
    # the accepted file behind each slot (return type, area, period, submitter)
    submissions: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    received: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)  # every file
    findings: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)  # what contracts found
    # files of the data folder not read at the last run: path, reason, expected
    not_read: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    # published statistics (store.NATIONAL_TABLES), empty if none were supplied
    national: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def returned(self, return_type: str, area_code: str, periods: list[Period]) -> bool:
        """Whether the area has an accepted return of this type for every one of ``periods``."""
        if self.submissions.empty:
            return False
        mine = self.submissions[(self.submissions["return_type"] == return_type)
                                & (self.submissions["area_code"] == area_code)]
        return {period.label for period in periods} <= set(mine["period"])

    def __getattr__(self, name: str) -> pd.DataFrame:
        returns = self.__dict__.get("returns", {})
        if name in returns:
            return returns[name]
        raise AttributeError(name)

    @property
    def area_codes(self) -> list[str]:
        return self.partnership.area_codes

    def area_name(self, code: str) -> str:
        if code == PARTNERSHIP_CODE:
            return self.partnership.name
        return self.partnership.area(code).name

    def as_of(self, period: Period) -> Cycle:
        """The cycle as it stood at an earlier ``period``: its returns up to that period (for
        trends over the last quarters and years)."""
        returns = {name: _up_to(frame.copy(), period, annual=name == "section11")
                   for name, frame in self.returns.items()}
        return replace(self, period=period, returns=returns)

    def population(self, code: str) -> int:
        if code == PARTNERSHIP_CODE:
            return self.partnership.children_0_17
        return self.partnership.area(code).children_0_17


def partnership_from_text(text: str) -> Partnership:
    raw = tomllib.loads(text)
    return Partnership(
        name=raw["name"],
        areas=tuple(
            Area(item["code"], item["name"], item.get("old_la_code"), int(item["children_0_17"]))
            for item in raw["areas"]
        ),
        region_code=raw.get("region_code", ""),
        region_name=raw.get("region_name", ""),
        synthetic=bool(raw.get("synthetic", False)),
    )


def load_cycle(store_path: Path, period: str | Period) -> Cycle:
    """Everything accepted for periods up to and including ``period``."""
    period = Period.parse(period) if isinstance(period, str) else period
    with store.open_store(Path(store_path), read_only=True) as connection:
        text, framework_texts = store.load_settings(connection)
        returns = {
            return_type: connection.execute(f"SELECT * FROM {return_type}").df()
            for return_type in RETURN_TYPES
        }
        submissions = connection.execute(
            "SELECT return_type, area_code, period, label, file_name, sha256, data_rows "
            "FROM current_submissions"
        ).df()
        received = connection.execute(
            "SELECT * EXCLUDE (content) FROM submissions ORDER BY received_at, file_name"
        ).df()
        findings = connection.execute("SELECT * FROM findings").df()
        tables = {row[0] for row in connection.execute("SHOW TABLES").fetchall()}
        not_read = (connection.execute("SELECT * FROM not_read ORDER BY path").df()
                    if "not_read" in tables else
                    pd.DataFrame(columns=["path", "reason", "expected"]))
        national = {name: connection.execute(f"SELECT * FROM {name}").df()
                    for name in store.NATIONAL_TABLES if name in tables}
    for return_type, frame in returns.items():
        returns[return_type] = _up_to(frame, period, annual=return_type == "section11")
    framework = framework_from_texts(framework_texts)
    _without_unused_denominators(returns["indicators"], framework)
    cycle = Cycle(partnership_from_text(text), framework, period, returns, Path(store_path))
    cycle.submissions = submissions
    cycle.received, cycle.findings, cycle.national = received, findings, national
    cycle.not_read = not_read
    return cycle


def _without_unused_denominators(indicators: pd.DataFrame, framework: Framework) -> None:
    """A denominator sent for a count or rate is not used (its return was warned so): blank,
    so that no figure or table carries it."""
    percent = {indicator.id for indicator in framework.indicators if indicator.is_percent}
    if "denominator" in indicators.columns:
        indicators.loc[~indicators["indicator_id"].isin(percent), "denominator"] = float("nan")


def _up_to(frame: pd.DataFrame, period: Period, *, annual: bool) -> pd.DataFrame:
    """Rows of submissions for periods no later than ``period``, blank counts as NaN."""
    for column in frame.columns:
        if str(frame[column].dtype) == "Int64":  # nullable counts: NaN keeps arithmetic plain
            frame[column] = frame[column].astype("float64")
    if frame.empty:
        return frame
    periods = frame["period"].map(Period.parse)
    limit = period.year if annual else period
    keep = periods.map(lambda p: p <= limit if annual else p.is_quarter and p <= limit)
    return frame[keep.astype(bool)].reset_index(drop=True)
