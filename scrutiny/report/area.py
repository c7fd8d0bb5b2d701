"""The scrutiny report for one area: the framework's steps, its priority themes, and how to
read it. What each step shows is the framework's: its indicators, the returns it rests on, and
its evidence panels, each drawn by the method ``_<kind>`` of the panel's kind."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import pandas as pd

from scrutiny import charts, icons, spc
from scrutiny.cycle import PARTNERSHIP_CODE
from scrutiny.findings import Findings, anchor, findings_for
from scrutiny.framework import Framework, Panel, Step, Theme
from scrutiny.indicators import window_bounds, window_months
from scrutiny.measures import COMPLETED
from scrutiny.periods import Period
from scrutiny.present import Section
from scrutiny.privacy import WITHHELD_TEXT
from scrutiny.report.actions import STATES, classified_actions, current_actions
from scrutiny.report.common import (
    CycleFigures,
    about,
    comparison_note,
    comparison_table,
    header,
    indicator_table,
    published_table,
    returns_status,
    spc_charts,
    table_note,
)
from scrutiny.report.national import NationalBenchmarks, add_area_benchmarks
from scrutiny.report.regional import RegionalReport
from scrutiny.report.yearly import YearlyEvidence

# The returns this report reads for its own area only. Every other return it reads for every
# area (indicators, through the figures it sets beside the partnership's and the other areas';
# reviews, for the partnership's notifications), so a change to any area's rebuilds it
# (runner.report_fingerprints). tests/test_freshness.py checks this against the report itself.
OWN_AREA_RETURNS = frozenset({"actions", "training", "audits", "voice", "section11"})


def _colours(palette: list[str], count: int) -> list[str]:
    """As many colours as a code list has codes (a framework may have more than the palette)."""
    return [palette[i % len(palette)] for i in range(count)]


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
            "steps of scrutiny and the priority themes of the partnership's framework, "
            "benchmarked across the areas of the partnership.",
        )

    def deep_dive(self, title: str) -> Section:
        """The heading of a partnership's own deep-dive notebook for this area."""
        return header(self.figures, f"{self.area.name}: {title} (deep dive)",
                      "A deep dive for the partnership, from the same accepted returns, with "
                      "the same figures and the same disclosure control as the scrutiny "
                      "report.")

    def indicators(self, indicator_ids: list[str]) -> Section:
        """Any indicators of the catalogue for this area, beside the partnership."""
        indicators = [self.cycle.framework.indicator(i) for i in indicator_ids]
        section = Section()
        section.table(indicator_table(self.figures, indicators, self.area_code),
                      f"Indicators for {self.area.name}")
        section.note(table_note(self.figures))
        return section

    @cached_property
    def findings(self) -> Findings:
        return findings_for(self.figures.judgements, self.area_code)

    def summary(self, most: int = 8) -> Section:
        """Key findings: the most important findings of every step, in sentences, each with
        its question for the partners; and any return missing for the quarter."""
        section = Section()  # the notebook gives the heading
        found = self.findings.all()
        if found:
            section.findings([(f"{finding.kind_name}. {finding.sentence}", finding.question,
                               self.findings.link(finding)) for finding in found[:most]])
            if len(found) > most:
                section.note(f"{len(found) - most} more findings are under the steps below.")
        else:
            section.paragraph("No indicator differs significantly from the partnership, the "
                              "region or England, and no monthly trend shows a special cause.")
        gaps = returns_status(self.figures, self.area_code, self.cycle.framework.returns)
        if gaps:
            section.heading("Returns missing for this quarter")
            section.bullets(gaps)
        return section

    def yearly_evidence(self) -> Section:
        """What Working Together asks the yearly report to evidence, from this period's data."""
        section = Section()
        section.table(YearlyEvidence(self.figures, self.area_code).table(),
                      f"The yearly report's evidence for {self.area.name}")
        return section

    def about(self) -> Section:
        return about(self.figures)

    # --- the steps of the framework ----------------------------------------------------------

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.cycle.framework.steps

    def step(self, step: Step | str) -> Section:
        """One step of the framework: its question, indicators and evidence panels."""
        step = step if isinstance(step, Step) else self.cycle.framework.step(step)
        section = Section(f"Step {step.number}: {step.title}", kind="step")
        section.paragraph(step.question)
        if step.evidence:
            section.note(step.evidence)
        for note in returns_status(self.figures, self.area_code, list(step.returns)):
            section.notice(note)
        found = self.findings.for_step(step.id)
        section.heading("Findings")
        if found:
            section.findings([(finding.sentence, finding.question, self.findings.link(finding))
                              for finding in found])
        else:
            # a steady change with no difference from a comparator is not a finding unless it
            # is an improvement, so this says nothing about steady change
            section.paragraph("None of this step's figures differs significantly from its "
                              "comparators, is improving, or shows a special cause.")
        indicators = self.cycle.framework.indicators_for(step=step.id)
        if indicators:
            section.table(indicator_table(self.figures, indicators, self.area_code),
                          f"{step.title}: indicators for {self.area.name}",
                          anchor=anchor(step.id, "indicators"))
            section.note(table_note(self.figures))
            section.table(
                comparison_table(self.figures, [ind.id for ind in indicators], self.area_code,
                                 self._headline_window),
                f"{step.title}: {self.area.name} against the partnership, region, statistical "
                "neighbours and England", anchor=anchor(step.id, "comparisons"))
            section.note(comparison_note())
        for panel in step.panels:
            getattr(self, f"_{panel.kind}")(section, step, panel)
        return section

    def _headline_window(self, indicator_id: str) -> str:
        return self.figures.headline_window(self.cycle.framework.indicator(indicator_id))

    def _published_statistics(self, section: Section, step: Step, panel: Panel) -> None:
        statistics = panel.option("statistics", [])
        table = published_table(self.figures, statistics, self.area_code)
        add_area_benchmarks(section, self.cycle, self.area_code, statistics, self.benchmarks,
                            table, anchor(step.id, "published"), ofsted=panel.option("ofsted",
                                                                                      False))

    def _funnels(self, section: Section, step: Step, panel: Panel) -> None:
        """Funnel plots of the step's percentages, this area highlighted among the others."""
        regional = RegionalReport(self.figures)
        drawn = 0
        for indicator in self.cycle.framework.indicators_for(step=step.id):
            if indicator.unit != "percent":
                continue
            data = regional.funnel_data(indicator)
            if data is None:
                continue
            if not drawn:
                section.heading("Funnel plots: this area among the partnership's areas")
            frame, target, limits = data
            section.figure(
                charts.funnel(frame, target, limits, indicator.title, highlight=self.area.name),
                f"Funnel plot of {indicator.title.lower()} over 12 months: {self.area.name} "
                f"(highlighted) and the other areas against their number of cases, with 95% "
                "and 99.8% limits around the partnership figure.",
                anchor=anchor(step.id, f"funnel-{indicator.id}"))
            drawn += 1
        if not drawn:
            section.note("No percentage of this step can be drawn as a funnel plot: a figure "
                         "is suppressed or missing for some area.")

    def _section11_ratings(self, section: Section, step: Step, panel: Panel) -> None:
        framework = self.cycle.framework
        s11 = self.cycle.section11
        mine = s11[s11["area_code"] == self.area_code]
        if mine.empty:
            section.note("No section 11 self-assessment has been returned for this area yet.")
            return
        year = mine["year"].max()
        latest = mine[mine["year"] == year]
        ratings = framework.code_list("section11_rating")
        labels = [framework.label("section11_rating", code) for code in ratings]
        counts = (latest.pivot_table(index="standard", columns="rating", values="agency",
                                     aggfunc="count", fill_value=0)
                  .reindex(columns=ratings, fill_value=0).reset_index())
        counts.columns.name = None
        order = framework.code_list("section11_standard")
        counts = counts.sort_values("standard", key=lambda column: column.map(
            lambda code: order.index(code) if code in order else len(order)))
        counts["standard"] = counts["standard"].map(
            lambda code: framework.label("section11_standard", code))
        counts = counts.rename(columns={"standard": "Standard", **dict(zip(ratings, labels,
                                                                           strict=True))})
        section.heading(f"Section 11 self-assessments, {year}")
        section.table(counts, f"Agencies' ratings of themselves against each standard "
                              f"({latest['agency'].nunique()} agencies)")
        section.figure(
            charts.stacked_bars(counts, "Standard", labels,
                                f"Section 11 ratings by standard, {year}", "agencies",
                                _colours(charts.RATINGS, len(labels))),
            f"Stacked bars: how many agencies rated each section 11 standard "
            f"{', '.join(label.lower() for label in labels)} in {year}.")

    def _action_status(self, section: Section, step: Step, panel: Panel) -> None:
        sources = tuple(panel.option("action_sources", ()))
        title = panel.option("title", "Actions")
        section.heading(title)
        section.table(self._action_status_table(sources or None),
                      "Status of actions at the end of the quarter")
        if panel.option("chart", False):
            section.figure(self._action_chart(sources or None, f"{title} by status"),
                           "Stacked bar: these actions by status at the end of the quarter.")

    def _monthly_trends(self, section: Section, step: Step, panel: Panel) -> None:
        indicators = [ind for ind in self.cycle.framework.indicators_for(step=step.id)
                      if ind.monthly]
        drawn = spc_charts(self.figures, indicators, self.area_code)
        section.heading("Monthly trends")
        if not drawn:
            section.note("No monthly series is long enough, or large enough, to chart.")
            return
        section.raw(icons.icons_key())
        for indicator, chart, frame in drawn:
            row = self.figures.judgements.figure(indicator.id, self.area_code, "quarter")
            direction = spc.special_cause_direction(frame)
            variation, assurance = (
                "" if row is None or pd.isna(row[column]) else row[column]
                for column in ("spc_variation", "spc_assurance"))
            section.figure(
                chart, f"{indicator.title}: monthly values for {self.area.name} with their mean "
                       "and process limits.",
                anchor=anchor(step.id, f"spc-{indicator.id}"),
                aside=icons.variation_icon(variation, direction)
                + icons.assurance_icon(assurance))
        charted = {indicator.id for indicator, _chart, _frame in drawn}
        left_out = [ind.title for ind in indicators if ind.id not in charted]
        if left_out:
            section.note("Not charted because some monthly figures are small (fewer than "
                         f"{self.figures.threshold}): " + ", ".join(left_out) + ".")

    def _engagement(self, section: Section, step: Step, panel: Panel) -> None:
        framework = self.cycle.framework
        voice = self.cycle.voice
        months = window_months(self.cycle.period, "year")
        year = voice[(voice["area_code"] == self.area_code) & voice["month"].isin(months)]
        by_method = (year.groupby("method")
                     .agg(activities=("method", "size"), participants=("participants", "sum"))
                     .reset_index())
        by_method["method"] = by_method["method"].map(
            lambda code: framework.label("engagement_method", code))
        by_method["participants"] = by_method["participants"].map(self.figures.count)
        by_method["activities"] = by_method["activities"].map(self.figures.count)
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
            "Theme": shown["theme"].map(lambda t: _theme_title(framework, t)),
            "Method": shown["method"].map(lambda code: framework.label("engagement_method",
                                                                        code)),
            "What we heard": shown["what_we_heard"],
            "What changed": shown["what_changed"].fillna("Not yet recorded"),
        })
        section.table(table, "In children's and families' words, as returned")
        withheld = int(table[["What we heard", "What changed"]].eq(WITHHELD_TEXT).sum().sum())
        if withheld:
            section.note(f"{withheld} answer(s) withheld: the text may identify a child or "
                         "family, so the store keeps it only in the original file (see the "
                         "data-quality report).")

    def _review_decisions(self, section: Section, step: Step, panel: Panel) -> None:
        framework = self.cycle.framework
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
                         "Notifications": self.figures.count(len(mine)),
                         **{framework.label("review_decision", code):
                            self.figures.count(decisions.get(code, 0))
                            for code in framework.code_list("review_decision")}})
        section.heading("Serious incident notifications and decisions (12 months)")
        section.table(pd.DataFrame(rows), "Notifications by rapid review decision")

    def _training_by_theme(self, section: Section, step: Step, panel: Panel) -> None:
        training = self.cycle.training
        months = window_months(self.cycle.period, "year")
        year = training[(training["area_code"] == self.area_code) & training["month"].isin(months)]
        by_theme = year.groupby("theme").agg(
            courses=("course", "size"), places=("places", "sum"), attended=("attended", "sum"),
            evaluations=("evaluations", "sum"), met_needs=("met_needs", "sum")).reset_index()
        table = pd.DataFrame({
            "Theme": by_theme["theme"].map(lambda t: _theme_title(self.cycle.framework, t)),
            "Courses run": by_theme["courses"].map(self.figures.count),
            "Places": by_theme["places"].map(self.figures.count),
            "Attended": by_theme["attended"].map(self.figures.count),
            "Take-up": [self.figures.percent(a, p) for a, p in zip(
                by_theme["attended"], by_theme["places"], strict=True)],
            "Met needs": [self.figures.percent(m, e) for m, e in zip(
                by_theme["met_needs"], by_theme["evaluations"], strict=True)],
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

    def _action_tracker(self, section: Section, step: Step, panel: Panel) -> None:
        section.heading("The action tracker")
        section.table(self._action_status_table(None, by="step"),
                      "All actions by step of scrutiny at the end of the quarter")
        section.figure(self._action_chart(None, "All actions by status"),
                       "Stacked bar: all actions on the tracker by status.")

    def _audit_grades(self, section: Section, step: Step, panel: Panel) -> None:
        framework = self.cycle.framework
        grades = framework.code_list("audit_grade")
        labels = {code: framework.label("audit_grade", code) for code in grades}
        audits = self.cycle.audits
        start, end = window_bounds(self.cycle.period, "year")
        mine = audits[(audits["area_code"] == self.area_code)
                      & (pd.to_datetime(audits["completed"]) >= start)
                      & (pd.to_datetime(audits["completed"]) <= end)]
        by_theme = mine.groupby("theme")[grades].sum().reset_index()
        by_theme["theme"] = by_theme["theme"].map(lambda t: _theme_title(framework, t))
        shown = by_theme.rename(columns={"theme": "Theme", **labels})
        section.heading("Multi-agency case audits (12 months)")
        display = shown.copy()
        for column in labels.values():
            display[column] = display[column].map(self.figures.count)
        section.table(display, "Cases audited, by grade and theme")
        totals = shown[list(labels.values())].sum()
        if not shown.empty:
            if any(self.figures.small(count) for count in totals):
                section.note("Grades are not charted: some totals are small (fewer than "
                             f"{self.figures.threshold}).")
            else:
                section.figure(
                    charts.stacked_bars(pd.DataFrame([{"what": "All audits", **totals}]),
                                        "what", list(labels.values()),
                                        "Audit grades (12 months)", "cases",
                                        _colours(charts.GRADES, len(labels))),
                    "Stacked bar: all cases audited in the last 12 months by grade.")

    def _little_progress(self, section: Section, step: Step, panel: Panel) -> None:
        section.heading("Where there is little or no progress")
        self.little_progress(section)

    def little_progress(self, section: Section) -> None:
        """Every indicator worse than a comparator and not improving; every action source whose
        overdue actions are not falling; and every overdue action, by source and owner."""
        stuck = [finding for finding in self.findings.all()
                 if finding.worse and not finding.improving]
        if stuck:
            section.findings([(finding.sentence, finding.question, self.findings.link(finding))
                              for finding in stuck])
        else:
            section.paragraph("No indicator is significantly worse than the partnership, the "
                              "region, statistical neighbours or England without improving.")
        sources = self._sources_not_improving()
        if sources:
            section.bullets(sources)
        overdue = self._overdue_actions()
        if overdue.empty:
            section.paragraph("No action is overdue at the end of the quarter.")
        else:
            section.table(overdue, f"Every action overdue at the end of the quarter "
                                   f"({len(overdue)}), by source and owner",
                          anchor="overdue-actions")

    def _sources_not_improving(self) -> list[str]:
        """Action sources with overdue actions, no fewer than at the previous quarter's end."""
        framework = self.cycle.framework
        now = self._classified_actions(None)
        before = self._classified_actions(None, self.cycle.period.shift(-1))
        items = []
        for source in framework.code_list("action_source"):
            overdue = int(((now["source"] == source) & (now["state"] == "Overdue")).sum())
            earlier = int(((before["source"] == source) & (before["state"] == "Overdue")).sum())
            if overdue and overdue >= earlier:
                # counts of actions, not of children: the table below lists each one, so
                # a c here would hide nothing and leave the sentence unreadable
                items.append(f"{framework.label('action_source', source)} actions: "
                             f"{overdue:,} overdue at the end of the quarter, against "
                             f"{earlier:,} a quarter earlier: not improving.")
        return items

    def _overdue_actions(self) -> pd.DataFrame:
        framework = self.cycle.framework
        actions = self._classified_actions(None)
        overdue = actions[actions["state"] == "Overdue"]
        if overdue.empty:
            return pd.DataFrame()
        end = pd.Timestamp(self.cycle.period.end)
        order = framework.code_list("action_source")
        overdue = overdue.assign(
            _order=overdue["source"].map(lambda code: order.index(code) if code in order
                                         else len(order)),
            _due=pd.to_datetime(overdue["due"]))
        overdue = overdue.sort_values(["_order", "owner_agency", "_due"])
        return pd.DataFrame({
            "Source": overdue["source"].map(lambda code: framework.label("action_source", code)),
            "Owner": overdue["owner_agency"],
            "Action": overdue["action_ref"],
            "Step": overdue["step"].map(lambda code: framework.step(code).title
                                        if code in {s.id for s in framework.steps} else code),
            "Due": overdue["_due"].dt.strftime("%-d %b %Y"),
            "Days overdue": (end - overdue["_due"]).dt.days.map(lambda days: f"{days:,}"),
        })

    # --- themes ------------------------------------------------------------------------------

    @property
    def theme_list(self) -> tuple[Theme, ...]:
        return self.cycle.framework.themes

    def themes(self) -> Section:
        """Every priority theme of the framework, in its order."""
        section = Section()
        for theme in self.theme_list:
            section.blocks += self.theme(theme, level=3).blocks
        return section

    def theme(self, theme: Theme | str, level: int = 2) -> Section:
        """One priority theme: its indicators, actions, training and engagement."""
        theme = theme if isinstance(theme, Theme) else self.cycle.framework.theme(theme)
        section = Section()
        section.heading(theme.title, level=level)
        if theme.description:
            section.paragraph(theme.description)
        indicators = self.cycle.framework.indicators_for(theme=theme.id)
        if indicators:
            figures = indicator_table(self.figures, indicators, self.area_code)
            against = comparison_table(self.figures, [ind.id for ind in indicators],
                                       self.area_code, self._headline_window)
            columns = [c for c in ("Window", "Figure", "Last 3 years", "Monthly variation")
                       if c in figures.columns]
            section.table(figures[["Indicator", *columns]].merge(
                against[[c for c in against.columns if c == "Indicator"
                         or c.startswith("Against")]], on="Indicator", how="left"),
                f"{theme.title}: indicators")
        ids = {ind.id for ind in indicators}
        found = [finding for finding in self.findings.all() if finding.indicator_id in ids]
        if found:
            section.findings([(finding.sentence, "", self.findings.link(finding))
                              for finding in found])
        elif indicators:
            section.paragraph("None of this theme's indicators differs significantly from its "
                              "comparators or shows a special cause.")
        months = window_months(self.cycle.period, "year")
        own = self._current_actions()
        own = own[own["theme"] == theme.id]
        open_ = own[own["status"] != COMPLETED]
        overdue = open_[pd.to_datetime(open_["due"]) < pd.Timestamp(self.cycle.period.end)]
        training, voice = self.cycle.training, self.cycle.voice
        trained = training.loc[(training["area_code"] == self.area_code)
                               & training["month"].isin(months)
                               & (training["theme"] == theme.id), "attended"].sum()
        heard = int(((voice["area_code"] == self.area_code) & voice["month"].isin(months)
                     & (voice["theme"] == theme.id)).sum())
        section.bullets([
            f"Actions: {len(open_)} open, of which {len(overdue)} overdue; "
            f"{len(own) - len(open_)} completed.",
            f"Multi-agency training in the last 12 months: {self.figures.count(trained)} "
            "attendances.",
            "Engagement activities with children and families in the last 12 months: "
            f"{self.figures.count(heard)}.",
        ])
        return section

    # --- helpers -----------------------------------------------------------------------------

    def _count_chart(self, section: Section, frame: pd.DataFrame, column: str, draw, title: str,
                     ylabel: str, alt: str) -> None:
        """Chart counts of people only where none is small: a bar of 3 would disclose."""
        if frame.empty:
            return
        if any(self.figures.small(count) for count in frame[column]):
            section.note(f"{title}: not charted, some figures are small (fewer than "
                         f"{self.figures.threshold}).")
            return
        section.figure(draw(frame, "quarter", column, None, title, ylabel), alt)

    @staticmethod
    def _quarter_of(month: str) -> str:
        return Period.quarter_of(pd.Timestamp(month + "-01").date()).label

    def _current_actions(self) -> pd.DataFrame:
        return current_actions(self.cycle, [self.area_code])

    def _classified_actions(self, sources: tuple[str, ...] | None,
                            period: Period | None = None) -> pd.DataFrame:
        return classified_actions(self.cycle, [self.area_code], sources, period)

    def _action_status_table(self, sources: tuple[str, ...] | None,
                             by: str = "source") -> pd.DataFrame:
        """Actions by status and by source (or step), in the framework's order and words."""
        framework = self.cycle.framework
        actions = self._classified_actions(sources)
        if actions.empty:
            return pd.DataFrame()
        table = (actions.pivot_table(index=by, columns="state", values="action_ref",
                                     aggfunc="count", fill_value=0)
                 .reindex(columns=STATES, fill_value=0))
        table.columns.name = None
        if by == "step":
            order = [step.id for step in framework.steps]
            names = {step.id: step.title for step in framework.steps}
        else:
            order = framework.code_list("action_source")
            names = {code: framework.label("action_source", code) for code in table.index}
        table = table.reindex([code for code in order if code in table.index]
                              + [code for code in table.index if code not in order])
        table.index = table.index.map(lambda code: names.get(code, code))
        return table.rename_axis("Step" if by == "step" else "Source").reset_index()

    def _action_chart(self, sources: tuple[str, ...] | None, title: str):
        actions = self._classified_actions(sources)
        if actions.empty:
            return None
        counts = actions["state"].value_counts().reindex(STATES, fill_value=0)
        frame = pd.DataFrame([{"what": "Actions", **counts.to_dict()}])
        return charts.stacked_bars(frame, "what", STATES, title, "actions",
                                   charts.ACTION_STATES)


def _theme_title(framework: Framework, theme_id: str) -> str:
    """A theme's title. Rows returned under an earlier framework may name a theme it no longer
    has: such a theme is shown by its id made readable, as an unknown code is."""
    titles = {theme.id: theme.title for theme in framework.themes}
    return titles.get(theme_id) or framework.label("theme", theme_id)
