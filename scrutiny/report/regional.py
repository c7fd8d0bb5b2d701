"""The regional comparison: the areas of the partnership side by side for every indicator."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from scrutiny import charts
from scrutiny.cycle import PARTNERSHIP_CODE
from scrutiny.findings import cross_area_sentences, findings_for
from scrutiny.framework import Indicator, Step
from scrutiny.judgements import PUBLISHED
from scrutiny.present import NOT_AVAILABLE, Section
from scrutiny.report.common import (
    CycleFigures,
    about,
    comparison_note,
    figure_text,
    header,
    table_note,
    unit_label,
    window_text,
)
from scrutiny.report.national import NationalBenchmarks
from scrutiny.report.yearly import YearlyEvidence
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
        """Each area's headline figure (numbers only: the judgements are in the heatmaps)."""
        judgements = self.figures.judgements
        rows = []
        for indicator in indicators:
            window = self.figures.headline_window(indicator)
            row = {"Indicator": indicator.title, "Unit": unit_label(indicator),
                   "Window": window_text(self.figures, window, indicator)}
            for code in [*self.codes, PARTNERSHIP_CODE]:
                name = "Partnership" if code == PARTNERSHIP_CODE else self.cycle.area_name(code)
                row[name] = figure_text(judgements.figure(indicator.id, code, window),
                                        indicator.unit)
            rows.append(row)
        return pd.DataFrame(rows)

    def heatmap_data(self, comparator: str, indicator_ids: list[str] | None = None
                     ) -> pd.DataFrame:
        """The judgement of each area (columns) against ``comparator`` for each indicator
        (rows, by title): better, worse, similar, higher, lower or not compared. Rows where no
        area could be compared are left out."""
        judgements = self.figures.judgements
        ids = indicator_ids if indicator_ids is not None else [
            *(ind.id for ind in self.cycle.framework.indicators),
            *judgements.published_statistics]
        rows = {}
        for indicator_id in ids:
            window = self._window(indicator_id)
            words = {}
            for code in self.codes:
                row = judgements.row(indicator_id, code, window, comparator)
                words[self.cycle.area_name(code)] = "not compared" if row is None else (
                    row["judgement"] if row["judgement"] in ("better", "worse", "similar")
                    else row["comparison"])
            if any(word != "not compared" for word in words.values()):
                rows[judgements.title(indicator_id)] = words
        return pd.DataFrame.from_dict(rows, orient="index")

    def _window(self, indicator_id: str) -> str:
        judgements = self.figures.judgements
        if indicator_id in judgements.published_statistics:
            return PUBLISHED
        return self.figures.headline_window(self.cycle.framework.indicator(indicator_id))

    def overview(self) -> Section:
        section = Section()
        section.table(self.comparison_table(list(self.cycle.framework.indicators)),
                      "Latest figures by area")
        section.note(table_note(self.figures))
        for comparator, name in (("partnership", "the partnership as a whole"),
                                 ("england", "England")):
            words = self.heatmap_data(comparator)
            if words.empty:
                section.note(f"No area could be compared with {name}" + (
                    " (no national statistics were supplied for this run)."
                    if comparator == "england" else "."))
                continue
            section.figure(
                charts.judgement_heatmap(words, f"Each area against {name}"),
                f"Each area's judgement against {name} for {len(words)} indicators: better, "
                "worse or similar, or higher or lower where neither direction is better.",
                anchor=f"heatmap-{comparator}",
                data_caption=f"The heatmap's judgements against {name}")
        section.note(comparison_note())
        return section

    def key_findings(self, most: int = 8) -> Section:
        """The partnership's own findings against the region and England."""
        section = Section()
        findings = findings_for(self.figures.judgements, PARTNERSHIP_CODE)
        found = findings.all()
        if not found:
            section.paragraph("The partnership as a whole differs significantly from the region "
                              "or England on no indicator, and no monthly trend shows a special "
                              "cause.")
        section.findings([(f"{finding.kind_name}. {finding.sentence}", finding.question, "")
                          for finding in found[:most]])
        if len(found) > most:
            section.bullets([f"{finding.sentence}" for finding in found[most:]])
        return section

    def yearly_evidence(self) -> Section:
        section = Section()
        section.table(YearlyEvidence(self.figures, PARTNERSHIP_CODE).table(),
                      "The yearly report's evidence for the partnership")
        return section

    def themes(self) -> Section:
        """For each priority theme, which areas differ from the partnership, in sentences."""
        section = Section()
        for theme in self.cycle.framework.themes:
            section.heading(theme.title, level=3)
            ids = [ind.id for ind in self.cycle.framework.indicators_for(theme=theme.id)]
            sentences = cross_area_sentences(self.figures.judgements, ids)
            if sentences:
                section.bullets(sentences)
            else:
                section.paragraph("No area differs significantly from the partnership on this "
                                  "theme's indicators.")
        return section

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.cycle.framework.steps

    def step(self, step: Step | str) -> Section:
        """One step of the framework: its indicators for every area, charted."""
        step = step if isinstance(step, Step) else self.cycle.framework.step(step)
        indicators = self.cycle.framework.indicators_for(step=step.id)
        section = Section(f"Step {step.number}: {step.title}", level=3, kind="step")
        section.paragraph(step.question)
        if not indicators:
            section.note("No indicator of the catalogue belongs to this step; the area "
                         "reports show its evidence.")
            return section
        sentences = cross_area_sentences(self.figures.judgements,
                                         [ind.id for ind in indicators])
        section.bullets(sentences or ["No area differs significantly from the partnership on "
                                      "this step's indicators."])
        section.table(self.comparison_table(indicators), f"{step.title}: areas side by side")
        ranks = self.ranks_table(indicators)
        if not ranks.empty:
            section.table(ranks, f"{step.title}: band and rank in England (latest published "
                                 "year of the matching DfE statistic)")
        for indicator in indicators:
            frame = self._chart_frame(indicator)
            if frame["value"].notna().any():
                whole = self._headline(indicator, PARTNERSHIP_CODE)
                section.figure(
                    charts.area_bars(frame, indicator.title, unit_label(indicator),
                                     None if whole["suppressed"] else whole["value"]),
                    f"{indicator.title}: each area's latest figure with its 95% confidence "
                    "interval; the dashed line is the partnership as a whole. Suppressed "
                    "figures are not drawn.")
        for indicator in indicators:
            if indicator.unit == "percent" and indicator.monthly:
                figure = self._funnel(indicator)
                section.figure(figure, f"Funnel plot of {indicator.title.lower()}: each area "
                                       "against its number of cases, with 95% and 99.8% limits "
                                       "around the partnership figure.")
        return section

    def ranks_table(self, indicators: list[Indicator]) -> pd.DataFrame:
        """Each area's LAIT band and rank among English authorities, where DfE publishes the
        matching statistic."""
        judgements = self.figures.judgements
        rows = []
        for indicator in indicators:
            if not indicator.national_id:
                continue
            row = {"Indicator": indicator.title}
            for code in self.codes:
                first = judgements.figure(indicator.id, code, "year")
                row[self.cycle.area_name(code)] = (
                    f"{first['quartile_band']}: {first['rank']} of {first['n_ranked']}"
                    if first is not None and first["quartile_band"] else NOT_AVAILABLE)
            if any(value != NOT_AVAILABLE for key, value in row.items() if key != "Indicator"):
                rows.append(row)
        return pd.DataFrame(rows)

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
        sizes = np.unique(np.round(np.geomspace(low, high, 50))).astype(int)
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
