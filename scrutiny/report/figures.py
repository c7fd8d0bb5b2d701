"""The data behind the reports: every indicator, as the reports publish it, in one table.

One row per indicator, area (and the partnership as a whole) and window, in the framework's
step order. A figure the reports hide is hidden here too: a suppressed or incomplete row
keeps its status and loses its value, interval, numerator and denominator. "nothing to
measure" is a percentage with no cases (0 of 0).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from scrutiny.cycle import PARTNERSHIP_CODE
from scrutiny.present import NOT_AVAILABLE
from scrutiny.report.common import CycleFigures
from scrutiny.spreadsheets import neutralised

FIGURES_FILE = "figures.csv"
FIGURE_COLUMNS = ["period", "step", "indicator_id", "indicator", "unit", "themes",
                  "area_code", "area", "window", "status", "value", "lower", "upper",
                  "numerator", "denominator", "compared_with_partnership"]
HIDDEN = ["value", "lower", "upper", "numerator", "denominator"]


def published_figures(figures: CycleFigures) -> pd.DataFrame:
    cycle = figures.cycle
    framework = cycle.framework
    order = {ind.id: position for position, ind in enumerate(
        ind for step in framework.steps for ind in framework.indicators_for(step=step.id))}
    values = figures.values.copy()
    indicators = {ind.id: ind for ind in framework.indicators}
    values["status"] = np.select(
        [~values["complete"].astype(bool), values["suppressed"].astype(bool),
         values["value"].isna()],
        ["incomplete", "suppressed", "nothing to measure"], "published")
    values.loc[values["status"] != "published", HIDDEN] = np.nan
    values["period"] = cycle.period.label
    values["step"] = values["indicator_id"].map(
        lambda i: f"{framework.step(indicators[i].step).number}. "
                  f"{framework.step(indicators[i].step).title}")
    values["indicator"] = values["indicator_id"].map(lambda i: indicators[i].title)
    values["unit"] = values["indicator_id"].map(lambda i: indicators[i].unit)
    values["themes"] = values["indicator_id"].map(
        lambda i: "; ".join(framework.theme(t).title for t in indicators[i].themes))
    values["area"] = values["area_code"].map(cycle.area_name)
    values["compared_with_partnership"] = [
        "" if code == PARTNERSHIP_CODE or window != figures.headline_window(indicators[i])
        or figures.comparison(indicators[i], code) == NOT_AVAILABLE
        else figures.comparison(indicators[i], code)
        for i, code, window in zip(values["indicator_id"], values["area_code"],
                                   values["window"], strict=True)]
    area_order = {code: n for n, code in enumerate([*cycle.area_codes, PARTNERSHIP_CODE])}
    values = values.sort_values(
        ["indicator_id", "window", "area_code"],
        key=lambda column: column.map(order) if column.name == "indicator_id"
        else column.map(area_order) if column.name == "area_code" else column)
    return values[FIGURE_COLUMNS].reset_index(drop=True)


def write_figures(table: pd.DataFrame, period_dir: Path) -> Path:
    """``table`` (from :func:`published_figures`) as figures.csv in the period's folder, safe
    to open in a spreadsheet."""
    path = Path(period_dir) / FIGURES_FILE
    neutralised(table).to_csv(path, index=False, float_format="%.6g")
    return path
