"""The action tracker at a quarter's end, for areas with and without actions returned."""

from __future__ import annotations

import pandas as pd

from scrutiny.cycle import load_cycle
from scrutiny.report.actions import STATES, classified_actions

DEMO_PERIOD = "2025-26-Q4"  # the demo cycle's (conftest.DEMO_PERIOD)
BRISTOL = "E06000023"


def test_an_area_with_no_actions_returned_has_none_in_every_state(cycle_outputs):
    # e.g. its actions return was refused: the tracker is empty, with its columns, not a crash
    cycle = load_cycle(cycle_outputs["store"], DEMO_PERIOD)
    actions = cycle.returns["actions"]
    cycle.returns["actions"] = actions[actions["area_code"] != BRISTOL]
    for period in (None, cycle.period.shift(-1)):
        mine = classified_actions(cycle, [BRISTOL], period=period)
        assert mine.empty and {"source", "state", "due", "status"} <= set(mine.columns)
    others = classified_actions(cycle, ["E06000022"], period=cycle.period.shift(-1))
    assert not others.empty and set(others["state"]) <= set(STATES)


def test_states_at_the_quarter_end_follow_due_and_completed_dates(cycle_outputs):
    cycle = load_cycle(cycle_outputs["store"], DEMO_PERIOD)
    mine = classified_actions(cycle, ["E06000022"])
    end = pd.Timestamp(cycle.period.end)
    due, completed = pd.to_datetime(mine["due"]), pd.to_datetime(mine["completed"])
    done = mine["status"] == "completed"
    assert (mine.loc[done & (completed <= due), "state"] == "Completed on time").all()
    assert (mine.loc[done & (completed > due), "state"] == "Completed late").all()
    assert (mine.loc[~done & (due < end), "state"] == "Overdue").all()
    assert (mine.loc[~done & (due >= end), "state"] == "Open, not yet due").all()
