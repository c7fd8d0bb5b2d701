"""The action tracker at a quarter's end: each area's latest snapshot, and each action's state."""

from __future__ import annotations

import pandas as pd

from scrutiny.cycle import Cycle
from scrutiny.measures import COMPLETED
from scrutiny.periods import Period

STATES = ["Completed on time", "Completed late", "Open, not yet due", "Overdue"]


def current_actions(cycle: Cycle, area_codes: list[str], period: Period | None = None
                    ) -> pd.DataFrame:
    """Each area's action tracker as last returned up to ``period`` (default: the cycle's)."""
    actions = cycle.actions
    mine = actions[actions["area_code"].isin(area_codes)]
    if period is not None:
        # as bool: an area with no actions gives an empty mask of objects, which pandas would
        # read as a list of columns and drop every column
        mine = mine[mine["period"].map(lambda label: Period.parse(label) <= period).astype(bool)]
    if mine.empty:
        return mine
    latest = mine.groupby("area_code")["period"].transform("max")
    return mine[mine["period"] == latest]


def classified_actions(cycle: Cycle, area_codes: list[str], sources: tuple[str, ...] | None = None,
                       period: Period | None = None) -> pd.DataFrame:
    """The actions with a ``state`` (STATES) at the end of ``period``."""
    actions = current_actions(cycle, area_codes, period)
    if sources:
        actions = actions[actions["source"].isin(sources)]
    end = pd.Timestamp((period or cycle.period).end)
    due = pd.to_datetime(actions["due"])
    completed = pd.to_datetime(actions["completed"])
    state = pd.Series("Open, not yet due", index=actions.index)
    state[due < end] = "Overdue"
    state[actions["status"] == COMPLETED] = "Completed late"
    state[(actions["status"] == COMPLETED) & (completed <= due)] = "Completed on time"
    return actions.assign(state=state)
