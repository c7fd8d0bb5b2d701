"""Findings in words, from the judgements (:mod:`scrutiny.judgements`), ordered by importance.

For one area (or the partnership as a whole) each indicator and published statistic gives at
most one finding, of the most important kind that applies:

1. worse than a comparator and getting worse (a trend, or a special cause of concern);
2. a special cause of concern;
3. worse than a comparator (the partnership, the region, statistical neighbours, England);
4. a target the process is consistently failing (the catalogue's ``target``);
5. higher or lower than a comparator, or unusually so, where neither direction is better
   (context indicators are never called better or worse);
6. an improvement: better than a comparator, getting better, or a special cause of
   improvement.

Each finding is one sentence with the figure, its interval and window, the comparators and
their figures, and the trend; with the question for the partners from the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from weakref import WeakKeyDictionary

import pandas as pd

from scrutiny import spc
from scrutiny.cycle import PARTNERSHIP_CODE
from scrutiny.judgements import (
    ENGLAND,
    FALLING,
    PARTNERSHIP,
    PUBLISHED,
    RISING,
    Judgements,
    getting,
)
from scrutiny.periods import month_label
from scrutiny.present import format_value

WORSE_AND_WORSENING, CONCERN, WORSE, FAILING, DIFFERENT, BETTER = range(1, 7)
KIND_NAMES = {WORSE_AND_WORSENING: "Worse and getting worse", CONCERN: "Special cause of concern",
              WORSE: "Worse than a comparator", FAILING: "Failing its target",
              DIFFERENT: "Higher or lower than elsewhere", BETTER: "Improvement"}
QUESTION_KEYS = {WORSE_AND_WORSENING: "worse", CONCERN: "concern", WORSE: "worse",
                 FAILING: "concern", DIFFERENT: "different", BETTER: "better"}
NUMBER_WORDS = {2: "two", 3: "three", 4: "four"}
# the comparators a finding names (other areas are for the regional comparison)
FINDING_COMPARATORS = (ENGLAND, "region", "neighbour_median", PARTNERSHIP)


@dataclass(frozen=True)
class Finding:
    indicator_id: str
    step_id: str
    kind: int
    sentence: str
    question: str
    worse: bool  # worse than a comparator
    better: bool  # better than a comparator
    improving: bool  # getting better, or a special cause of improvement

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]


def anchor(step_id: str, part: str) -> str:
    """The id of a step's table or chart that findings link to."""
    return f"{step_id}-{part}"


def findings_for(judgements: Judgements, area_code: str) -> Findings:
    """The area's findings, worked out once for a set of judgements: the summary, every step,
    every theme, the yearly evidence and the children's page all read them."""
    by_area = _FINDINGS.setdefault(judgements, {})
    if area_code not in by_area:
        by_area[area_code] = Findings(judgements, area_code)
    return by_area[area_code]


class Findings:
    """The findings of one area (or the partnership) in a cycle."""

    def __init__(self, judgements: Judgements, area_code: str):
        self.judgements = judgements
        self.framework = judgements.framework
        self.cycle = judgements.cycle
        self.area_code = area_code

    def all(self) -> list[Finding]:
        """Every finding, most important first, then in the framework's step order."""
        return list(self._found)

    @cached_property
    def _found(self) -> tuple[Finding, ...]:
        # once per area: the summary, every step and every theme read them
        order = {step.id: step.number for step in self.framework.steps}
        found = [finding for finding in map(self._finding, self._subjects()) if finding]
        return tuple(sorted(found, key=lambda f: (f.kind, order.get(f.step_id, 0))))

    def for_step(self, step_id: str) -> list[Finding]:
        return [finding for finding in self.all() if finding.step_id == step_id]

    def link(self, finding: Finding) -> str:
        """Where in the report the figure behind a finding is shown."""
        if finding.indicator_id in self.judgements.published_statistics:
            return anchor(finding.step_id, "published")
        return anchor(finding.step_id, "indicators")

    # --- one finding -------------------------------------------------------------------------

    def _subjects(self) -> list[tuple[str, str, str]]:
        """(indicator id, step id, headline window) of everything that can give a finding."""
        subjects = [(ind.id, ind.step, self.judgements.headline_window(ind))
                    for ind in self.framework.indicators]
        subjects += [(statistic, step, PUBLISHED)
                     for statistic, step in self.judgements.published_statistics.items()]
        return subjects

    def _finding(self, subject: tuple[str, str, str]) -> Finding | None:
        indicator_id, step_id, window = subject
        judgements = self.judgements
        rows = judgements.rows(indicator_id, self.area_code, window)
        if rows.empty or rows["status"].iloc[0] != "published":
            return None
        polarity = judgements.polarity(indicator_id)
        named = rows[rows.index.isin(FINDING_COMPARATORS)]
        worse = named[named["judgement"] == "worse"]
        better = named[named["judgement"] == "better"]
        different = (named[named["comparison"].isin(["higher", "lower"])]
                     if polarity == "context" else named.iloc[0:0])
        trends = self._trends(indicator_id, window)
        variation = rows["spc_variation"].iloc[0]
        assurance = rows["spc_assurance"].iloc[0]
        worsening = any(getting(trend, polarity) == "worse" for trend, _ in trends) or (
            variation == spc.CONCERNING)
        improving = any(getting(trend, polarity) == "better" for trend, _ in trends) or (
            variation == spc.IMPROVING)
        if len(worse) and worsening:
            kind = WORSE_AND_WORSENING
        elif variation == spc.CONCERNING:
            kind = CONCERN
        elif len(worse):
            kind = WORSE
        elif assurance == spc.ASSURANCE_FAIL:
            kind = FAILING
        elif len(different) or variation in ("special cause higher", "special cause lower"):
            kind = DIFFERENT
        elif len(better) or improving:
            kind = BETTER
        else:
            return None
        first = rows.iloc[0]
        parts = [self._figure_text(indicator_id, window, first)]
        for group, word in ((worse, "worse"), (better, "better"),
                            (different[different["comparison"] == "higher"], "higher"),
                            (different[different["comparison"] == "lower"], "lower")):
            if len(group):
                parts.append(f"significantly {word} than {self._comparators(indicator_id, group)}")
        parts += [self._trend_text(trend, window_name) for trend, window_name in trends]
        text = f"{judgements.title(indicator_id)}: " + ", ".join(parts[:1]) + (
            ", " + joined(parts[1:]) if len(parts) > 1 else "")
        extra = self._spc_text(indicator_id, variation, assurance)
        sentence = text + (f"; {extra}" if extra else "") + "."
        return Finding(indicator_id, step_id, kind, sentence,
                       self._question(indicator_id, kind), worse=bool(len(worse)),
                       better=bool(len(better)), improving=improving)

    def _figure_text(self, indicator_id: str, window: str, row: pd.Series) -> str:
        unit = self.judgements.unit(indicator_id)
        text = format_value(row["value"], unit)
        if unit == "percent" and not pd.isna(row["denominator"]):
            of = self._of(indicator_id)
            text += f" of {row['denominator']:,.0f}{f' {of}' if of else ''}"
        elif unit == "rate_per_10k":
            text += " per 10,000 children"
        if not pd.isna(row["ci_lower"]):
            text += (f" (95% CI {format_value(row['ci_lower'], unit)} to "
                     f"{format_value(row['ci_upper'], unit)})")
        return f"{text} {self._window_text(window, row)}"

    def _window_text(self, window: str, row: pd.Series) -> str:
        period = self.cycle.period
        end = month_label(period.months[-1])
        if window == PUBLISHED:
            return f"in {row['period']} (published)"
        if self.framework.indicator(row["indicator_id"]).aggregation == "stock":
            return f"at the end of {end}"
        if window == "quarter":
            return f"in the quarter to {end}"
        return f"in the 12 months to {end}"

    def _comparators(self, indicator_id: str, group: pd.DataFrame) -> str:
        unit = self.judgements.unit(indicator_id)
        names = []
        for comparator, row in group.iterrows():
            when = (f", {row['comparator_period']}" if row["comparator_period"]
                    and row["window"] != PUBLISHED else "")
            names.append(f"{self.judgements.comparator_name(comparator)} "
                         f"({format_value(row['comparator_value'], unit)}{when})")
        return joined(names)

    def _trends(self, indicator_id: str, window: str) -> list[tuple[str, str]]:
        """The directional trends of the figure: (rising or falling, what it spans)."""
        if window == PUBLISHED:
            spans = [(PUBLISHED, "years")]
        elif self.framework.indicator(indicator_id).window == "year":
            spans = [("year", "years")]  # its quarter figure covers 12 months too
        else:
            spans = [("quarter", "quarters"), ("year", "years")]
        out = []
        for name, span in spans:
            row = self.judgements.figure(indicator_id, self.area_code, name)
            if row is not None and row["trend"] in (RISING, FALLING):
                out.append((row["trend"], span))
        return out

    @staticmethod
    def _trend_text(trend: str, span: str) -> str:
        steps = 3 if span == "quarters" else 2
        return f"{trend} in each of the last {NUMBER_WORDS[steps]} {span}"

    def _spc_text(self, indicator_id: str, variation: str, assurance: str) -> str:
        parts = []
        if variation and variation != spc.COMMON_CAUSE:
            indicator = self.framework.indicator(indicator_id)
            frame = self.judgements.figures.spc(indicator, self.area_code)
            summary = spc.summarise(frame, indicator.polarity) if frame is not None else ""
            parts.append(summary[0].lower() + summary[1:] if summary else variation)
        if assurance:
            indicator = self.framework.indicator(indicator_id)
            target = f"{indicator.target:g}{'%' if indicator.unit == 'percent' else ''}"
            parts.append(f"against its target of {target} the process is {assurance}")
        return "; ".join(parts)

    def _of(self, indicator_id: str) -> str:
        if indicator_id in self.judgements.published_statistics:
            return ""
        return self.framework.indicator(indicator_id).of

    def _question(self, indicator_id: str, kind: int) -> str:
        """The catalogue's question for the indicator (or for the one that matches a published
        statistic), else the framework's question for this kind of finding."""
        for indicator in self.framework.indicators:
            if indicator.question and indicator_id in (indicator.id, indicator.national_id):
                return indicator.question
        return self.framework.questions.get(QUESTION_KEYS[kind], "")


def cross_area_sentences(judgements: Judgements, indicator_ids: list[str]) -> list[str]:
    """For each indicator, which areas differ significantly from the partnership, and how
    (better or worse, or higher or lower where neither is better), with their figures."""
    cycle = judgements.cycle
    sentences = []
    for indicator_id in indicator_ids:
        window = _headline(judgements, indicator_id)
        unit = judgements.unit(indicator_id)
        groups: dict[str, list[str]] = {}
        whole = judgements.figure(indicator_id, PARTNERSHIP_CODE, window)
        for code in cycle.area_codes:
            row = judgements.row(indicator_id, code, window, PARTNERSHIP)
            if row is None or row["comparison"] not in ("higher", "lower"):
                continue
            word = (row["judgement"] if row["judgement"] in ("better", "worse")
                    else row["comparison"])
            groups.setdefault(word, []).append(
                f"{cycle.area_name(code)} ({format_value(row['value'], unit)})")
        if not groups or whole is None or whole["status"] != "published":
            continue
        clauses = [f"{joined(names)} {'is' if len(names) == 1 else 'are'} significantly {word} "
                   "than the partnership" for word, names in groups.items()]
        sentences.append(f"{judgements.title(indicator_id)} "
                         f"(partnership {format_value(whole['value'], unit)}): "
                         + "; ".join(clauses) + ".")
    return sentences


def _headline(judgements: Judgements, indicator_id: str) -> str:
    if indicator_id in judgements.published_statistics:
        return PUBLISHED
    return judgements.headline_window(judgements.framework.indicator(indicator_id))


def joined(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


_FINDINGS: WeakKeyDictionary[Judgements, dict[str, Findings]] = WeakKeyDictionary()
