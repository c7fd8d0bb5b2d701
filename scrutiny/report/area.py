"""The scrutiny report for one area: six steps, the priority themes, and how to read it."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import pandas as pd

from scrutiny import charts
from scrutiny.cycle import PARTNERSHIP_CODE
from scrutiny.indicators import window_bounds, window_months
from scrutiny.periods import Period
from scrutiny.present import Section, is_small, shown_count, shown_value
from scrutiny.privacy import WITHHELD_TEXT
from scrutiny.report.common import (
    TABLE_NOTE,
    CycleFigures,
    about,
    header,
    indicator_table,
    returns_status,
    spc_figure,
)
from scrutiny.report.national import NationalBenchmarks, add_area_benchmarks

RATINGS = ["fully_met", "partially_met", "not_met"]
RATING_LABELS = {"fully_met": "Fully met", "partially_met": "Partially met",
                 "not_met": "Not met"}
GRADES = ["outstanding", "good", "requires_improvement", "inadequate"]
GRADE_LABELS = {"outstanding": "Outstanding", "good": "Good",
                "requires_improvement": "Requires improvement", "inadequate": "Inadequate"}
RAG = ["#00703c", "#ffdd00", "#d4351c"]
STEP_SOURCES = {
    "leadership": ["section11", "actions"],
    "help_and_protection": ["indicators"],
    "voice": ["voice"],
    "learning": ["reviews", "actions"],
    "workforce": ["training"],
    "assurance": ["audits", "actions"],
}


def _label(code: str) -> str:
    return code.replace("_", " ").capitalize()


class AreaReport:
    """Sections of one area's report; each method is one notebook cell."""

    def __init__(self, figures: CycleFigures, area_code: str):
        self.figures = figures
        self.cycle = figures.cycle
        self.area_code = area_code
        self.area = self.cycle.partnership.area(area_code)

    @cached_property
    def benchmarks(self) -> NationalBenchmarks:
        return NationalBenchmarks(self.cycle)

    @classmethod
    def open(cls, store_path: str | Path, area_code: str, period: str) -> AreaReport:
        return cls(CycleFigures.open(store_path, period), area_code)

    # --- frame of the report ---------------------------------------------------------------

    def title(self) -> Section:
        return header(
            self.figures, f"{self.area.name}: independent scrutiny report",
            "Evidence for support and challenge of the safeguarding partners, organised by the "
            "six steps of scrutiny and the partnership's priority themes, benchmarked across "
            "the areas of the partnership.",
        )

    def summary(self) -> Section:
        section = Section()  # the notebook gives the heading
        concerns, improvements, worse, better = [], [], [], []
        for indicator in self.cycle.framework.indicators:
            frame = self.figures.spc(indicator, self.area_code)
            if frame is not None and len(frame):
                signal = frame["signal"].iloc[-1]
                if signal == "concern":
                    concerns.append(indicator.title)
                elif signal == "improvement":
                    improvements.append(indicator.title)
            comparison = self.figures.comparison(indicator, self.area_code)
            if comparison == "worse":
                worse.append(indicator.title)
            elif comparison == "better":
                better.append(indicator.title)
        lines = [
            ("Monthly trends showing a special cause of concern", concerns),
            ("Monthly trends showing a special cause of improvement", improvements),
            ("Significantly worse than the partnership as a whole", worse),
            ("Significantly better than the partnership as a whole", better),
        ]
        section.bullets([f"{text}: {', '.join(items) if items else 'none'}."
                         for text, items in lines])
        gaps = returns_status(self.figures, self.area_code,
                              ["indicators", "reviews", "actions", "training", "audits", "voice"])
        if gaps:
            section.heading("Returns missing for this quarter")
            section.bullets(gaps)
        return section

    def about(self) -> Section:
        return about(self.figures)

    # --- the six steps -----------------------------------------------------------------------

    def step(self, step_id: str) -> Section:
        step = self.cycle.framework.step(step_id)
        section = Section()  # the notebook's markdown gives the heading and narrative
        for note in returns_status(self.figures, self.area_code, STEP_SOURCES.get(step_id, [])):
            section.notice(note)
        indicators = self.cycle.framework.indicators_for(step=step_id)
        section.table(indicator_table(self.figures, indicators, self.area_code),
                      f"{step.title}: indicators for {self.area.name}")
        section.note(TABLE_NOTE)
        builder = getattr(self, f"_{step_id}", None)
        if builder:
            builder(section)
        add_area_benchmarks(section, self.cycle, self.area_code, step_id, self.benchmarks)
        return section

    def _leadership(self, section: Section) -> None:
        s11 = self.cycle.section11
        mine = s11[s11["area_code"] == self.area_code]
        if mine.empty:
            section.note("No section 11 self-assessment has been returned for this area yet.")
        else:
            year = mine["year"].max()
            latest = mine[mine["year"] == year]
            counts = (latest.pivot_table(index="standard", columns="rating", values="agency",
                                         aggfunc="count", fill_value=0)
                      .reindex(columns=RATINGS, fill_value=0).reset_index())
            counts.columns.name = None
            counts["standard"] = counts["standard"].map(_label)
            counts = counts.rename(columns={"standard": "Standard", **RATING_LABELS})
            section.heading(f"Section 11 self-assessments, {year}")
            section.table(counts, f"Agencies' ratings of themselves against each standard "
                                  f"({latest['agency'].nunique()} agencies)")
            section.figure(
                charts.stacked_bars(counts, "Standard", list(RATING_LABELS.values()),
                                    f"Section 11 ratings by standard, {year}", "agencies", RAG),
                f"Stacked bars: how many agencies rated each section 11 standard fully met, "
                f"partially met or not met in {year}.")
        section.heading("Actions from inspections and section 11")
        section.table(self._action_status(("inspection", "section11")),
                      "Status of actions at the end of the quarter")

    def _help_and_protection(self, section: Section) -> None:
        indicators = self.cycle.framework.indicators_for(step="help_and_protection")
        figure, charted = spc_figure(self.figures, indicators, self.area_code)
        section.heading("Monthly trends")
        if figure is None:
            section.note("No monthly series is long enough, or large enough, to chart.")
            return
        section.figure(figure, f"Statistical process control charts for {self.area.name}: "
                               f"monthly values with mean (solid) and process limits (dashed) "
                               f"for {len(charted)} indicators; coloured points are special "
                               "causes.")
        left_out = [ind.title for ind in indicators
                    if ind.title not in charted and ind.source == "indicators"]
        if left_out:
            section.note("Not charted because some monthly figures are small (fewer than 5): "
                         + ", ".join(left_out) + ".")

    def _voice(self, section: Section) -> None:
        voice = self.cycle.voice
        months = window_months(self.cycle.period, "year")
        year = voice[(voice["area_code"] == self.area_code) & voice["month"].isin(months)]
        by_method = (year.groupby("method")
                     .agg(activities=("method", "size"), participants=("participants", "sum"))
                     .reset_index())
        by_method["method"] = by_method["method"].map(_label)
        by_method["participants"] = by_method["participants"].map(shown_count)
        by_method["activities"] = by_method["activities"].map(shown_count)
        section.heading("How children and families were heard (12 months)")
        section.table(by_method.rename(columns=str.capitalize), "Activities by method")
        per_quarter = (year.assign(quarter=year["month"].map(self._quarter_of))
                       .groupby("quarter", as_index=False)["participants"].sum())
        self._count_chart(
            section, per_quarter, "participants",
            charts.quarterly_bars, "Participants by quarter", "participants",
            "Bar chart: children and family members taking part in each quarter.")
        section.heading("What we heard and what changed (this quarter)")
        shown = year[year["month"].isin(self.cycle.period.months)]
        table = pd.DataFrame({
            "Theme": shown["theme"].map(lambda t: self.cycle.framework.theme(t).title),
            "Method": shown["method"].map(_label),
            "What we heard": shown["what_we_heard"],
            "What changed": shown["what_changed"].fillna("Not yet recorded"),
        })
        section.table(table, "In children's and families' words, as returned")
        withheld = int(table[["What we heard", "What changed"]].eq(WITHHELD_TEXT).sum().sum())
        if withheld:
            section.note(f"{withheld} answer(s) withheld: the text may identify a child or "
                         "family, so the store keeps it only in the original file (see the "
                         "data-quality report).")

    def _learning(self, section: Section) -> None:
        reviews = self.cycle.reviews
        start, end = window_bounds(self.cycle.period, "year")
        notified = reviews[(pd.to_datetime(reviews["notified_date"]) >= start)
                           & (pd.to_datetime(reviews["notified_date"]) <= end)]
        rows = []
        for code in [self.area_code, PARTNERSHIP_CODE]:
            mine = notified if code == PARTNERSHIP_CODE else notified[
                notified["area_code"] == code]
            decisions = mine["decision"].value_counts()
            rows.append({"": self.cycle.area_name(code),
                         "Notifications": shown_count(len(mine)),
                         **{_label(d): shown_count(decisions.get(d, 0)) for d in
                            ["lcspr", "no_further_review", "national_review", "other_learning",
                             "pending"]}})
        section.heading("Serious incident notifications and decisions (12 months)")
        section.table(pd.DataFrame(rows), "Notifications by rapid review decision")
        section.heading("Actions from child safeguarding practice reviews")
        status = self._action_status(("cspr",))
        section.table(status, "Status of review actions at the end of the quarter")
        section.figure(self._action_chart(("cspr",), "Review actions by status"),
                       "Stacked bar: review actions by status at the end of the quarter.")

    def _workforce(self, section: Section) -> None:
        training = self.cycle.training
        months = window_months(self.cycle.period, "year")
        year = training[(training["area_code"] == self.area_code) & training["month"].isin(months)]
        by_theme = year.groupby("theme").agg(
            courses=("course", "size"), places=("places", "sum"), attended=("attended", "sum"),
            evaluations=("evaluations", "sum"), met_needs=("met_needs", "sum")).reset_index()
        table = pd.DataFrame({
            "Theme": by_theme["theme"].map(lambda t: self.cycle.framework.theme(t).title),
            "Courses run": by_theme["courses"].map(shown_count),
            "Places": by_theme["places"].map(shown_count),
            "Attended": by_theme["attended"].map(shown_count),
            "Take-up": [shown_value(pd.Series({"numerator": a, "denominator": p,
                                               "value": 100 * a / p if p else float("nan")}),
                                    "percent") for a, p in zip(by_theme["attended"],
                                                               by_theme["places"], strict=True)],
            "Met needs": [shown_value(pd.Series({"numerator": m, "denominator": e,
                                                 "value": 100 * m / e if e else float("nan")}),
                                      "percent") for m, e in zip(by_theme["met_needs"],
                                                                 by_theme["evaluations"],
                                                                 strict=True)],
        })
        section.heading("Multi-agency training by priority theme (12 months)")
        section.table(table, "Courses, places, attendance and evaluation by theme")
        last_two_years = [m for q in self.cycle.period.previous_quarters(8) for m in q.months]
        recent = training[(training["area_code"] == self.area_code)
                          & training["month"].isin(last_two_years)]
        per_quarter = (recent.assign(quarter=recent["month"].map(self._quarter_of))
                       .groupby("quarter", as_index=False)["attended"].sum())
        self._count_chart(
            section, per_quarter, "attended", charts.quarterly_bars,
            "Practitioners trained by quarter (two years)", "attendances",
            "Bar chart: attendances at multi-agency training in each of the last eight quarters.")

    def _assurance(self, section: Section) -> None:
        section.heading("The action tracker")
        section.table(self._action_status(None, by="step"),
                      "All actions by step of scrutiny at the end of the quarter")
        section.figure(self._action_chart(None, "All actions by status"),
                       "Stacked bar: all actions on the tracker by status.")
        audits = self.cycle.audits
        start, end = window_bounds(self.cycle.period, "year")
        mine = audits[(audits["area_code"] == self.area_code)
                      & (pd.to_datetime(audits["completed"]) >= start)
                      & (pd.to_datetime(audits["completed"]) <= end)]
        grades = mine.groupby("theme")[GRADES].sum().reset_index()
        grades["theme"] = grades["theme"].map(lambda t: self.cycle.framework.theme(t).title)
        shown = grades.rename(columns={"theme": "Theme", **GRADE_LABELS})
        section.heading("Multi-agency case audits (12 months)")
        display = shown.copy()
        for column in GRADE_LABELS.values():
            display[column] = display[column].map(shown_count)
        section.table(display, "Cases audited, by grade and theme")
        totals = shown[list(GRADE_LABELS.values())].sum()
        if not shown.empty:
            if any(is_small(count) for count in totals):
                section.note("Grades are not charted: some totals are small (fewer than 5).")
            else:
                section.figure(
                    charts.stacked_bars(pd.DataFrame([{"what": "All audits", **totals}]),
                                        "what", list(GRADE_LABELS.values()),
                                        "Audit grades (12 months)", "cases",
                                        ["#1d70b8", "#00703c", "#ffdd00", "#d4351c"]),
                    "Stacked bar: all cases audited in the last 12 months by grade.")
        section.heading("Where is there little or no progress?")
        section.bullets(self._little_progress())

    # --- themes ------------------------------------------------------------------------------

    def themes(self) -> Section:
        section = Section()
        actions = self._current_actions()
        training = self.cycle.training
        months = window_months(self.cycle.period, "year")
        trained = training[(training["area_code"] == self.area_code)
                           & training["month"].isin(months)].groupby("theme")["attended"].sum()
        voice = self.cycle.voice
        heard = voice[(voice["area_code"] == self.area_code)
                      & voice["month"].isin(months)].groupby("theme").size()
        for theme in self.cycle.framework.themes:
            section.heading(theme.title)
            indicators = [ind for ind in self.cycle.framework.indicators_for(theme=theme.id)
                          if ind.source == "indicators"]
            if indicators:
                section.table(indicator_table(self.figures, indicators, self.area_code)[
                    ["Indicator", "Quarter", "12 months", "Compared with partnership",
                     "Trend (monthly)"]], f"{theme.title}: indicators")
            own = actions[actions["theme"] == theme.id]
            open_ = own[own["status"] != "completed"]
            overdue = open_[pd.to_datetime(open_["due"]) < pd.Timestamp(self.cycle.period.end)]
            section.bullets([
                f"Actions: {len(open_)} open, of which {len(overdue)} overdue; "
                f"{len(own) - len(open_)} completed.",
                f"Multi-agency training in the last 12 months: "
                f"{shown_count(trained.get(theme.id, 0))} attendances.",
                f"Engagement activities with children and families in the last 12 months: "
                f"{shown_count(heard.get(theme.id, 0))}.",
            ])
        return section

    # --- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _count_chart(section: Section, frame: pd.DataFrame, column: str, draw, title: str,
                     ylabel: str, alt: str) -> None:
        """Chart counts of people only where none is small: a bar of 3 would disclose."""
        if frame.empty:
            return
        if any(is_small(count) for count in frame[column]):
            section.note(f"{title}: not charted, some figures are small (fewer than 5).")
            return
        section.figure(draw(frame, "quarter", column, None, title, ylabel), alt)

    @staticmethod
    def _quarter_of(month: str) -> str:
        return Period.quarter_of(pd.Timestamp(month + "-01").date()).label

    def _current_actions(self) -> pd.DataFrame:
        actions = self.cycle.actions
        mine = actions[actions["area_code"] == self.area_code]
        if mine.empty:
            return mine
        return mine[mine["period"] == mine["period"].max()]

    def _classified_actions(self, sources: tuple[str, ...] | None) -> pd.DataFrame:
        actions = self._current_actions()
        if sources:
            actions = actions[actions["source"].isin(sources)]
        end = pd.Timestamp(self.cycle.period.end)
        due = pd.to_datetime(actions["due"])
        completed = pd.to_datetime(actions["completed"])
        state = pd.Series("Open, not yet due", index=actions.index)
        state[due < end] = "Overdue"
        state[actions["status"] == "completed"] = "Completed late"
        state[(actions["status"] == "completed") & (completed <= due)] = "Completed on time"
        return actions.assign(state=state)

    STATES = ["Completed on time", "Completed late", "Open, not yet due", "Overdue"]

    def _action_status(self, sources: tuple[str, ...] | None, by: str = "source") -> pd.DataFrame:
        actions = self._classified_actions(sources)
        if actions.empty:
            return pd.DataFrame()
        table = (actions.pivot_table(index=by, columns="state", values="action_ref",
                                     aggfunc="count", fill_value=0)
                 .reindex(columns=self.STATES, fill_value=0).reset_index())
        table.columns.name = None
        if by == "step":
            table[by] = table[by].map(lambda s: self.cycle.framework.step(s).title)
        else:
            table[by] = table[by].map(lambda s: s.upper() if s == "cspr" else _label(s))
        return table.rename(columns={by: "Step" if by == "step" else "Source"})

    def _action_chart(self, sources: tuple[str, ...] | None, title: str):
        actions = self._classified_actions(sources)
        if actions.empty:
            return None
        counts = actions["state"].value_counts().reindex(self.STATES, fill_value=0)
        frame = pd.DataFrame([{"what": "Actions", **counts.to_dict()}])
        return charts.stacked_bars(frame, "what", self.STATES, title, "actions",
                                   ["#00703c", "#85994b", "#1d70b8", "#d4351c"])

    def _little_progress(self) -> list[str]:
        items = []
        for indicator in self.cycle.framework.indicators:
            frame = self.figures.spc(indicator, self.area_code)
            if frame is not None and (frame["signal"].tail(6) == "concern").any():
                items.append(f"{indicator.title}: {self.figures.trend(indicator, self.area_code)}")
        actions = self._classified_actions(None)
        long_overdue = actions[(actions["state"] == "Overdue") & (
            pd.to_datetime(actions["due"]) < pd.Timestamp(self.cycle.period.start))]
        if len(long_overdue):
            items.append(f"{len(long_overdue)} action(s) were already overdue at the start of "
                         "the quarter and remain open.")
        return items or ["No indicator shows a recent special cause of concern and no action "
                         "has been overdue for more than a quarter."]
