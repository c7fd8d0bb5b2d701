"""A one-page summary for children and young people, for an area or the partnership as a whole.

Partnerships publish a version of their yearly report for children and young people. This
page says what is going well and what needs to get better in short, plain sentences made from
the key findings (:mod:`scrutiny.findings`), most important first, with no figures: only
more, fewer, not enough or too many, against last year, other places or a target.

The words come from the catalogue: an indicator's ``for_children`` table gives a clause with a
plural subject ("children had their safety meeting on time") and, optionally, the words that
start a sentence in place of the defaults below. An indicator without it (a technical or
process measure, a context indicator, a published statistic the catalogue does not describe)
gives children no sentence. A hidden or incomplete figure gives no finding, so no sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from scrutiny.findings import (
    BETTER,
    CONCERN,
    FAILING,
    FINDING_COMPARATORS,
    WORSE,
    WORSE_AND_WORSENING,
    Finding,
    findings_for,
)
from scrutiny.framework import Indicator
from scrutiny.judgements import ENGLAND, NEIGHBOURS, PARTNERSHIP, REGION, Judgements, getting
from scrutiny.render import page_from_template
from scrutiny.spc import IMPROVING

TEMPLATE = "children.html.j2"
GOING_WELL, TO_GET_BETTER = "going well", "to get better"
SECTIONS = (GOING_WELL, TO_GET_BETTER)
MOST_PER_SECTION = 4  # sentences a section shows, so the page fits on one sheet of A4

# The words that start a sentence, by what it says (an indicator's for_children may replace
# them): more or fewer than something, short of or over a target, about the same.
FIRST_WORDS = {"more": "More", "fewer": "Fewer", "not_enough": "Not enough",
               "too_many": "Too many", "same": "About as many"}
# What a figure is set against, as (what comes before "than" or "as", what comes after).
# Against a comparator that includes the area (England, the region, the partnership) the
# direction holds for the rest of it too, so "nearby areas" is true of the partnership's others.
LAST_YEAR, A_FEW_MONTHS_AGO, USUAL = "last year", "a few months ago", "usual"
AGAINST: dict[str, tuple[str, str]] = {
    ENGLAND: ("", "in England as a whole"),
    REGION: ("", "in this part of England"),
    NEIGHBOURS: ("", "in similar areas"),
    PARTNERSHIP: ("", "in nearby areas"),
    LAST_YEAR: ("this year", "last year"),  # the 12-month figure, a year apart
    A_FEW_MONTHS_AGO: ("", "a few months ago"),  # the quarter's figure, quarter by quarter
    USUAL: ("", "usual"),  # a special cause in the latest month of the control chart
}
GETTING_WORSE = "It is getting worse."

INTRO = ("Every few months, people check how well children in {name} are kept safe. "
         "This page tells you what they found.")
WHEN = "It is about the year up to the end of {month}."
NEXT = ("The people in charge have been asked questions about these things and must answer "
        "them. We will check again in a few months.")
HELP = ("If you are worried about yourself or another child, talk to an adult you trust, or "
        "call Childline on 0800 1111 (free, any time).")
CHILDLINE = "0800 1111"
SYNTHETIC = "These are made-up figures for a demonstration."
NOTHING = "We have nothing to tell you here this time."
SHORT_VERSION = "This is a short version of a longer report for adults."


@dataclass(frozen=True)
class ChildSentence:
    """One sentence for children about one indicator."""

    indicator_id: str
    section: str  # GOING_WELL or TO_GET_BETTER
    text: str
    change: str  # a key of FIRST_WORDS
    against: str  # a key of AGAINST, or "target"


def child_sentence(words: Mapping[str, str], change: str, against: str = "") -> str:
    """A sentence from an indicator's ``for_children`` words: ``change`` is a key of
    FIRST_WORDS, ``against`` a key of AGAINST ("" for a target: "Not enough children ...")."""
    first = words.get(change) or FIRST_WORDS[change]
    text = f"{first} {words['subject']}"
    if against:
        before, after = AGAINST[against]
        link = "as" if change == "same" else "than"
        text += f"{f' {before}' if before else ''} {link} {after}"
    return text + "."


class ChildrenSummary:
    """What the children's page says about one area, or the partnership as a whole."""

    def __init__(self, judgements: Judgements, area_code: str):
        self.judgements = judgements
        self.cycle = judgements.cycle
        self.area_code = area_code
        self.name = self.cycle.area_name(area_code)
        self._catalogue = {ind.id: ind for ind in judgements.framework.indicators}

    @property
    def title(self) -> str:
        return f"Keeping children safe in {self.name}: what we found"

    def intro(self) -> str:
        return INTRO.format(name=self.name)

    def when(self) -> str:
        month = datetime.strptime(self.cycle.period.months[-1], "%Y-%m")
        return WHEN.format(month=month.strftime("%B %Y"))

    def next_steps(self) -> str:
        return NEXT

    def help(self) -> str:
        return HELP

    def items(self) -> dict[str, list[ChildSentence]]:
        """The sentences of each section with what they rest on, most important first."""
        out: dict[str, list[ChildSentence]] = {section: [] for section in SECTIONS}
        for finding in findings_for(self.judgements, self.area_code).all():
            sentence = self._sentence(finding)
            if sentence and len(out[sentence.section]) < MOST_PER_SECTION:
                out[sentence.section].append(sentence)
        return out

    def sentences(self) -> dict[str, list[str]]:
        """{"going well": [...], "to get better": [...]}, most important first."""
        return {section: [item.text for item in items]
                for section, items in self.items().items()}

    def page(self, links: Mapping[str, str] | None = None) -> str:
        """The page as HTML (see :func:`children_page`)."""
        return page_from_template(
            TEMPLATE, summary=self, sections=self.sentences(), links=dict(links or {}),
            synthetic=self.cycle.partnership.synthetic, synthetic_notice=SYNTHETIC,
            nothing=NOTHING, short_version=SHORT_VERSION, going_well=GOING_WELL,
            to_get_better=TO_GET_BETTER)

    # --- one sentence ----------------------------------------------------------------------

    def _sentence(self, finding: Finding) -> ChildSentence | None:
        indicator = self._catalogue.get(finding.indicator_id)
        if indicator is None or not indicator.for_children:
            return None
        window = self.judgements.headline_window(indicator)
        rows = self.judgements.rows(indicator.id, self.area_code, window)
        if rows.empty or rows["status"].iloc[0] != "published":
            return None
        words = indicator.for_children
        if finding.kind in (WORSE_AND_WORSENING, WORSE):
            against = self._comparator(rows, "worse")
            if not against:
                return None
            change = _change(rows.loc[against, "comparison"])
            text = child_sentence(words, change, against)
            if finding.kind == WORSE_AND_WORSENING:
                text += f" {GETTING_WORSE}"
            return ChildSentence(indicator.id, TO_GET_BETTER, text, change, against)
        if finding.kind == CONCERN:
            return self._made(indicator, TO_GET_BETTER, _direction(indicator, good=False), USUAL)
        if finding.kind == FAILING:
            change = "not_enough" if indicator.polarity == "higher_is_better" else "too_many"
            return ChildSentence(indicator.id, TO_GET_BETTER, child_sentence(words, change),
                                 change, "target")
        if finding.kind == BETTER:
            against = self._comparator(rows, "better")
            if against:
                return self._made(indicator, GOING_WELL,
                                  _change(rows.loc[against, "comparison"]), against)
            trends = [("year", LAST_YEAR)]
            if indicator.window != "year":  # else its quarter figure covers 12 months too
                trends.append(("quarter", A_FEW_MONTHS_AGO))
            for trend_window, said in trends:
                figure = self.judgements.figure(indicator.id, self.area_code, trend_window)
                if (figure is not None and figure["status"] == "published"
                        and getting(figure["trend"], indicator.polarity) == "better"):
                    return self._made(indicator, GOING_WELL, _change(figure["trend"]), said)
            if rows["spc_variation"].iloc[0] == IMPROVING:
                return self._made(indicator, GOING_WELL, _direction(indicator, good=True), USUAL)
        return None  # context findings: never for children

    @staticmethod
    def _comparator(rows: pd.DataFrame, judgement: str) -> str:
        """The first named comparator (England, region, neighbours, partnership) the figure is
        judged ``judgement`` against, else ""."""
        for comparator in FINDING_COMPARATORS:
            if comparator in rows.index and rows.loc[comparator, "judgement"] == judgement:
                return comparator
        return ""

    @staticmethod
    def _made(indicator: Indicator, section: str, change: str, against: str) -> ChildSentence:
        return ChildSentence(indicator.id, section,
                             child_sentence(indicator.for_children, change, against),
                             change, against)


def _change(direction: str) -> str:
    """more / fewer for a comparison (higher, lower) or a trend (rising, falling)."""
    return "more" if direction in ("higher", "rising") else "fewer"


def _direction(indicator: Indicator, *, good: bool) -> str:
    """more / fewer: the good (or bad) direction of an indicator."""
    return "more" if (indicator.polarity == "higher_is_better") == good else "fewer"


def children_page(judgements: Judgements, area_code: str,
                  links: Mapping[str, str] | None = None) -> str:
    """The one-page summary for children and young people of an area (or, for
    ``scrutiny.cycle.PARTNERSHIP_CODE``, the partnership as a whole), as one HTML page.

    ``links`` may give the period's index and the area's full report, e.g.
    ``{"index": "index.html", "report": "area-bristol-city-of.html"}``.
    """
    return ChildrenSummary(judgements, area_code).page(links)
