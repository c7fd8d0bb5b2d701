"""The regional comparison: the areas of the partnership side by side for every indicator."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from scrutiny import charts
from scrutiny.cycle import PARTNERSHIP_CODE
from scrutiny.framework import Indicator, Step
from scrutiny.present import Section
from scrutiny.report.common import CycleFigures, about, header, table_note, unit_label
from scrutiny.report.national import NationalBenchmarks
from scrutiny.stats import funnel_limits_proportion


class RegionalReport:
    def __init__(self, figures: CycleFigures):
        self.figures = figures
        self.cycle = figures.cycle

    @classmethod
    def open(cls, store_path: str | Path, period: str) -> RegionalReport:
        return cls(CycleFigures.open(store_path, period))

    @property
    def codes(self) -> list[str]:
        return self.cycle.area_codes

    def title(self) -> Section:
        return header(self.figures, "Regional comparison",
                      f"The {len(self.codes)} areas of {self.cycle.partnership.name} side by "
                      "side for every indicator, with the partnership as a whole.")

    def _headline(self, indicator: Indicator, code: str) -> pd.Series:
        return self.figures.value(indicator.id, code, self.figures.headline_window(indicator))

    def comparison_table(self, indicators: list[Indicator]) -> pd.DataFrame:
        rows = []
        for indicator in indicators:
            row = {"Indicator": indicator.title, "Unit": unit_label(indicator),
                   "Window": "quarter end" if indicator.aggregation == "stock" else "12 months"}
            for code in self.codes:
                value = self.figures.shown(self._headline(indicator, code), indicator.unit)
                mark = {"better": " ▲", "worse": " ▼", "higher": " ↑", "lower": " ↓"}.get(
                    self.figures.comparison(indicator, code), "")
                row[self.cycle.area_name(code)] = value + mark
            row["Partnership"] = self.figures.shown(self._headline(indicator, PARTNERSHIP_CODE),
                                                    indicator.unit)
            rows.append(row)
        return pd.DataFrame(rows)

    def overview(self) -> Section:
        section = Section()
        section.table(self.comparison_table(list(self.cycle.framework.indicators)),
                      "Latest figures by area")
        section.note("▲ significantly better and ▼ significantly worse than the partnership as "
                     "a whole; ↑ ↓ significantly higher or lower where neither direction is "
                     "better (95% confidence intervals). " + table_note(self.figures))
        return section

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.cycle.framework.steps

    def step(self, step: Step | str) -> Section:
        """One step of the framework: its indicators for every area, charted."""
        step = step if isinstance(step, Step) else self.cycle.framework.step(step)
        indicators = self.cycle.framework.indicators_for(step=step.id)
        section = Section(f"Step {step.number}: {step.title}", level=3)
        section.paragraph(step.question)
        if not indicators:
            section.note("No indicator of the catalogue belongs to this step; the area "
                         "reports show its evidence.")
            return section
        section.table(self.comparison_table(indicators), f"{step.title}: areas side by side")
        panels = []
        for indicator in indicators:
            frame = self._chart_frame(indicator)
            if frame["value"].notna().any():
                whole = self._headline(indicator, PARTNERSHIP_CODE)
                partnership_value = None if whole["suppressed"] else whole["value"]
                panels.append((indicator.title, unit_label(indicator), frame, partnership_value))
        if panels:
            section.figure(charts.step_grid(panels),
                           f"Bar charts, one per indicator of step {step.number}: each area's "
                           "latest figure with its 95% confidence interval; the dashed line "
                           "is the partnership as a whole. Suppressed figures are not drawn.")
        for indicator in indicators:
            if indicator.unit == "percent" and indicator.monthly:
                figure = self._funnel(indicator)
                section.figure(figure, f"Funnel plot of {indicator.title.lower()}: each area "
                                       "against its number of cases, with 95% and 99.8% limits "
                                       "around the partnership figure.")
        return section

    def _chart_frame(self, indicator: Indicator) -> pd.DataFrame:
        rows = []
        for code in self.codes:
            value = self._headline(indicator, code)
            hidden = value["suppressed"] or not value["complete"]
            rows.append({"name": self.cycle.area_name(code),
                         "value": np.nan if hidden else value["value"],
                         "lower": np.nan if hidden else value["lower"],
                         "upper": np.nan if hidden else value["upper"]})
        return pd.DataFrame(rows)

    def funnel_data(self, indicator: Indicator) -> tuple[pd.DataFrame, float, dict] | None:
        """What a funnel plot draws: each area's 12-month percentage and denominator, the
        partnership's percentage, and the 95% and 99.8% limits (percent) around it at whole
        denominators. None where an area's figure is hidden: a funnel shows denominators."""
        points = []
        for code in self.codes:
            value = self.figures.value(indicator.id, code, "year")
            if value["suppressed"] or not value["complete"]:
                return None
            points.append({"name": self.cycle.area_name(code), "value": value["value"],
                           "denominator": value["denominator"]})
        whole = self.figures.value(indicator.id, PARTNERSHIP_CODE, "year")
        frame = pd.DataFrame(points)
        if frame.empty or pd.isna(whole["value"]) or frame["value"].isna().any():
            return None
        # binomial limits exist only for whole numbers of cases
        low = max(1, int(frame["denominator"].min() * 0.5))
        high = max(low + 1, int(np.ceil(frame["denominator"].max() * 1.2)))
        sizes = np.unique(np.round(np.geomspace(low, high, 80))).astype(int)
        limits = {}
        for label, confidence in (("95% limits", 0.95), ("99.8% limits", 0.998)):
            lower, upper = funnel_limits_proportion(whole["value"] / 100, sizes, confidence)
            limits[label] = (sizes, 100 * np.asarray(lower), 100 * np.asarray(upper))
        return frame, float(whole["value"]), limits

    def _funnel(self, indicator: Indicator):
        data = self.funnel_data(indicator)
        if data is None:
            return None
        frame, target, limits = data
        return charts.funnel(frame, target, limits, indicator.title)

    def national(self) -> Section:
        """The areas side by side in the published statistics, with region and England."""
        benchmarks = NationalBenchmarks(self.cycle)
        section = Section()
        if not benchmarks.available:
            section.note("No national statistics were supplied for this run (scrutiny run "
                         "--national-dir).")
            return section
        panels = self.cycle.framework.panels("published_statistics")
        if not panels:
            section.note("The partnership's framework names no published statistics (a "
                         "published_statistics panel in framework.toml).")
            return section
        for step, panel in panels:
            section.table(benchmarks.regional_table(panel.option("statistics", [])),
                          f"Step {step.number}, {step.title}: published statistics, "
                          "latest year")
        section.note("Symbols are DfE's: c suppressed, low / k / u low reliability, x not "
                     "available, z not applicable.")
        benchmarks.attribution(section)
        return section

    def about(self) -> Section:
        return about(self.figures)
