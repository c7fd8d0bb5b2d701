"""Hostile cases for the findings and judgements: an area that sent nothing for the quarter,
a figure moving steadily with no finding, overdue actions by source, a trend's months."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scrutiny.cycle import load_cycle
from scrutiny.findings import findings_for
from scrutiny.report.area import AreaReport
from scrutiny.report.common import CycleFigures
from scrutiny.spc import summarise, xmr

DEMO_PERIOD = "2025-26-Q4"  # the demo cycle's (conftest.DEMO_PERIOD)
LAST_MONTH = "2026-03"
BATH, BRISTOL = "E06000022", "E06000023"


def _spc_of(figures: CycleFigures, code: str) -> pd.DataFrame:
    table = figures.judgements.table
    return (table[table["area_code"] == code]
            .drop_duplicates(["indicator_id", "window"])
            .set_index(["indicator_id", "window"])[["spc_variation", "spc_assurance"]])


def test_no_variation_or_assurance_is_judged_from_a_month_before_the_quarter(cycle_outputs):
    # Bristol sent nothing for the quarter: its control charts (and the partnership's, whose
    # months need every area) end in December, so they say nothing about January to March
    cycle = load_cycle(cycle_outputs["store"], DEMO_PERIOD)
    indicators = cycle.returns["indicators"]
    cycle.returns["indicators"] = indicators[~((indicators["area_code"] == BRISTOL)
                                               & (indicators["period"] == DEMO_PERIOD))]
    figures = CycleFigures(cycle)
    charted = [ind for ind in cycle.framework.indicators
               if figures.spc(ind, BRISTOL) is not None]
    assert charted  # the charts are still there, ending before the quarter
    for indicator in charted:
        frame = figures.spc(indicator, BRISTOL)
        assert frame.index[frame["value"].notna()][-1] < LAST_MONTH
    for code in (BRISTOL, "partnership"):
        judged = _spc_of(figures, code)
        assert (judged["spc_variation"] == "").all(), code
        assert (judged["spc_assurance"] == "").all(), code
    # an area whose charts reach March is still judged
    bath = _spc_of(figures, BATH)
    assert (bath["spc_variation"] != "").any()
    for indicator in cycle.framework.indicators:
        frame = figures.spc(indicator, BATH)
        if frame is not None:
            assert frame.index[-1] == LAST_MONTH
    # and no finding of Bristol's quotes a special cause or an assurance
    for finding in findings_for(figures.judgements, BRISTOL).all():
        assert "special cause" not in finding.sentence.lower()
        assert "the process is" not in finding.sentence


def test_the_last_month_missing_leaves_the_quarter_unjudged_too(cycle_outputs):
    cycle = load_cycle(cycle_outputs["store"], DEMO_PERIOD)
    indicators = cycle.returns["indicators"]
    cycle.returns["indicators"] = indicators[~((indicators["area_code"] == BRISTOL)
                                               & (indicators["month"] == LAST_MONTH))]
    judged = _spc_of(CycleFigures(cycle), BRISTOL)
    assert (judged["spc_variation"] == "").all() and (judged["spc_assurance"] == "").all()


def test_a_step_with_no_finding_does_not_say_nothing_moves_when_a_figure_gets_worse(
        cycle_outputs):
    # a figure falling year on year (higher is better), similar to every comparator and with
    # no special cause, gives no finding: the step must not say no figure moves steadily
    cycle = load_cycle(cycle_outputs["store"], DEMO_PERIOD)
    figures = CycleFigures(cycle)
    judgements = figures.judgements
    table = judgements.table.copy()
    step = next(step for step in cycle.framework.steps
                if not findings_for(judgements, BATH).for_step(step.id)
                and any(ind.polarity == "higher_is_better"
                        for ind in cycle.framework.indicators_for(step=step.id)))
    indicator = next(ind for ind in cycle.framework.indicators_for(step=step.id)
                     if ind.polarity == "higher_is_better")
    mine = (table["area_code"] == BATH) & (table["indicator_id"] == indicator.id)
    table.loc[mine & (table["window"] == "year"), "trend"] = "falling"
    judgements.__dict__["table"] = table
    judgements.__dict__.pop("_by_figure", None)
    assert not findings_for(judgements, BATH).for_step(step.id)
    html = AreaReport(figures, BATH).step(step)._repr_html_()
    assert "None of this step" in html
    assert "moving steadily" not in html


def test_overdue_actions_by_source_say_their_numbers(cycle_outputs):
    cycle = load_cycle(cycle_outputs["store"], DEMO_PERIOD)
    report = AreaReport(CycleFigures(cycle), BRISTOL)
    actions = cycle.returns["actions"]

    def overdue(period_label: str, end: str) -> pd.Series:
        mine = actions[actions["area_code"] == BRISTOL]
        mine = mine[mine["period"] <= period_label]
        latest = mine[mine["period"] == mine["period"].max()]
        late = latest[(latest["status"] != "completed")
                      & (pd.to_datetime(latest["due"]) < pd.Timestamp(end))]
        return late["source"].value_counts()

    now, before = overdue(DEMO_PERIOD, "2026-03-31"), overdue("2025-26-Q3", "2025-12-31")
    expected = [f"{cycle.framework.label('action_source', source)} actions: {now[source]:,} "
                f"overdue at the end of the quarter, against {before.get(source, 0):,} a "
                "quarter earlier: not improving."
                for source in cycle.framework.code_list("action_source")
                if now.get(source, 0) and now[source] >= before.get(source, 0)]
    assert expected  # the demo has sources whose overdue actions are not falling
    assert report._sources_not_improving() == expected


def test_a_trend_says_how_many_months_rose_not_how_many_points():
    # a fall, then six points rising: five months each higher than the month before
    values = [20.0, 9, 10, 11, 12, 13, 14]
    rises = int(np.sum(np.diff(values[1:]) > 0))
    assert rises == 5
    text = summarise(xmr(pd.Series(values)), "higher_is_better")
    assert f"each of the last {rises} months has been higher than the month before" in text
