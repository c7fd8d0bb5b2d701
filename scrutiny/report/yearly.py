"""The yearly report's evidence: for each requirement of Working Together 2023 the framework
lists (``[[yearly_report]]``), what this period's data shows and what is missing, for one area
or for the partnership as a whole. Each kind of evidence is one method ``_<kind>``."""

from __future__ import annotations

import pandas as pd

from scrutiny.cycle import PARTNERSHIP_CODE
from scrutiny.findings import findings_for, joined
from scrutiny.framework import YearlyRequirement
from scrutiny.indicators import window_bounds, window_months
from scrutiny.judgements import SHOWN
from scrutiny.report.actions import classified_actions
from scrutiny.report.common import CycleFigures, returns_status

# The returns each kind of evidence rests on: a missing one is said under "what is missing".
RETURNS_OF = {"little_progress": ["actions"], "review_actions": ["actions", "reviews"],
              "feedback": ["voice"], "training": ["training"]}


class YearlyEvidence:
    def __init__(self, figures: CycleFigures, area_code: str):
        self.figures = figures
        self.cycle = figures.cycle
        self.framework = self.cycle.framework
        self.area_code = area_code
        self.findings = findings_for(figures.judgements, area_code)
        self.codes = (self.cycle.area_codes if area_code == PARTNERSHIP_CODE else [area_code])

    def table(self) -> pd.DataFrame:
        rows = []
        for requirement in self.framework.yearly_report:
            shows, missing = getattr(self, f"_{requirement.evidence}")(requirement)
            for code in self.codes:
                missing = returns_status(self.figures, code,
                                         RETURNS_OF.get(requirement.evidence, [])) + missing
            rows.append({"What the yearly report must evidence": requirement.title,
                         "What this period's data shows": " ".join(shows),
                         "What is missing": " ".join(missing) or "Nothing in the returns."})
        return pd.DataFrame(rows)

    # --- the kinds of evidence ---------------------------------------------------------------

    def _outcomes(self, requirement: YearlyRequirement) -> tuple[list[str], list[str]]:
        steps = requirement.option("steps", [])
        indicators = [ind for ind in self.framework.indicators if ind.step in steps]
        judgements = self.figures.judgements
        published = [ind for ind in indicators
                     if (row := judgements.figure(ind.id, self.area_code,
                                                  self.figures.headline_window(ind))) is not None
                     and row["status"] == SHOWN]
        found = [f for f in self.findings.all() if f.step_id in steps]
        worse = [f for f in found if f.worse]
        improving = [f for f in found if (f.better or f.improving) and not f.worse]
        shows = [f"{len(published)} of {len(indicators)} indicators of "
                 f"{joined([self.framework.step(step).title for step in steps])} are published "
                 "for the period."]
        if worse:
            shows.append(f"Worse than a comparator: {_titles(worse, judgements)}.")
        if improving:
            shows.append("Better than a comparator or improving: "
                         f"{_titles(improving, judgements)}.")
        if not worse and not improving:
            shows.append("None differs significantly from its comparators or is improving.")
        missing = []
        hidden = [ind.title for ind in indicators if ind not in published]
        if hidden:
            missing.append(f"Not published (suppressed, or a return missing): {joined(hidden)}.")
        for code in self.codes:
            sources = list(dict.fromkeys(s for step in steps
                                         for s in self.framework.step(step).returns))
            missing += returns_status(self.figures, code, sources)
        missing.append("The returns measure activity and timeliness; the difference made to "
                       "children's lives needs case audits and what children say.")
        return shows, missing

    def _little_progress(self, requirement: YearlyRequirement) -> tuple[list[str], list[str]]:
        stuck = [f for f in self.findings.all() if f.worse and not f.improving]
        overdue = classified_actions(self.cycle, self.codes)
        overdue = overdue[overdue["state"] == "Overdue"]
        shows = [f"{len(stuck)} indicator(s) worse than a comparator and not improving"
                 + (f": {_titles(stuck, self.figures.judgements)}." if stuck else "."),
                 f"{len(overdue)} action(s) overdue at the end of the quarter."]
        no_comparator = [ind.title for ind in self.framework.indicators
                         if ind.unit == "count"]
        missing = ([f"Counts are not compared with other areas, so progress on them is judged "
                    f"by their trend only: {joined(no_comparator)}."] if no_comparator else [])
        return shows, missing

    def _review_actions(self, requirement: YearlyRequirement) -> tuple[list[str], list[str]]:
        sources = tuple(requirement.option("action_sources", []))
        names = joined([self.framework.label("action_source", code) for code in sources])
        actions = classified_actions(self.cycle, self.codes, sources)
        if actions.empty:
            return [], [f"No actions from {names} are on the action tracker."]
        states = actions["state"].value_counts()
        shows = [f"{len(actions)} action(s) from {names} on the tracker: "
                 f"{states.get('Completed on time', 0)} completed on time, "
                 f"{states.get('Completed late', 0)} completed late, "
                 f"{states.get('Open, not yet due', 0)} open and not yet due, "
                 f"{states.get('Overdue', 0)} overdue."]
        reviews = self.cycle.reviews
        reviews = reviews[reviews["area_code"].isin(self.codes)]
        notified = reviews[pd.to_datetime(reviews["notified_date"]).between(
            *window_bounds(self.cycle.period, "year"))]
        shows.append(f"{self.figures.count(len(notified))} serious incident notification(s) in "
                     "the 12 months.")
        return shows, ["The tracker records whether actions were completed, not whether they "
                       "changed practice: that needs audits of the review's themes."]

    def _feedback(self, requirement: YearlyRequirement) -> tuple[list[str], list[str]]:
        voice = self.cycle.voice
        months = window_months(self.cycle.period, "year")
        year = voice[voice["area_code"].isin(self.codes) & voice["month"].isin(months)]
        if year.empty:
            return [], ["No engagement with children and families was returned for the 12 "
                        "months."]
        changed = year["what_changed"].fillna("").astype(str).str.strip().ne("")
        shows = [f"{self.figures.count(len(year))} engagement activities in the 12 months, with "
                 f"{self.figures.count(year['participants'].sum())} participants; a change to "
                 f"services is recorded for {self.figures.count(int(changed.sum()))}."]
        missing = ([f"{self.figures.count(int((~changed).sum()))} activities have no change "
                    "recorded yet."] if (~changed).any() else [])
        return shows, missing

    def _training(self, requirement: YearlyRequirement) -> tuple[list[str], list[str]]:
        training = self.cycle.training
        months = window_months(self.cycle.period, "year")
        year = training[training["area_code"].isin(self.codes) & training["month"].isin(months)]
        if year.empty:
            return [], ["No multi-agency training was returned for the 12 months."]
        attended, places = year["attended"].sum(), year["places"].sum()
        met, evaluations = year["met_needs"].sum(), year["evaluations"].sum()
        shows = [f"{self.figures.count(len(year))} courses in the 12 months: "
                 f"{self.figures.count(attended)} attendances, take-up "
                 f"{self.figures.percent(attended, places)} of places; "
                 f"{self.figures.percent(met, evaluations)} of evaluations said the course met "
                 "the practitioner's needs."]
        return shows, ["Evaluations say whether a course met needs, not whether practice "
                       "changed: follow-up with practitioners or audits of the course's theme "
                       "would show its effect."]


def _titles(found: list, judgements) -> str:
    return joined([judgements.title(f.indicator_id) for f in found])

