"""Statistical process control of a monthly series, in NHS England's "Making Data Count" style.

An XmR chart: the mean, and process limits at mean +/- 2.66 times the mean moving range. A
point shows special cause variation when any of four rules fires:

1. it lies outside the process limits;
2. it belongs to a run of 7 or more points all above, or all below, the mean (a point exactly on
   the mean ends a run);
3. it belongs to a trend of 6 or more points each higher, or each lower, than the one before
   (a repeated value ends a trend);
4. it is one of 2 out of 3 consecutive points beyond 2 sigma (two thirds of the way to a limit),
   on the same side, all 3 on that side of the mean, where sigma = mean moving range / 1.128.

Missing months are dropped before the moving ranges are taken, so a range spans a gap. The
limits mean little with fewer than about 12 points; ``summarise`` says so.

Where the process changed (a new service, a new definition) the chart can be rebased at that
month, as NHSRplotthedots' ``rebase``: each segment then has its own mean, moving ranges and
limits, and the rules look within a segment only, so a run or trend does not cross a rebase.
``summarise``, ``variation`` and ``assurance`` describe the latest segment. ``variation`` gives
the Making Data Count variation icon of the latest month, and ``assurance`` the assurance icon
against a target: whether the process limits lie wholly on the passing or failing side of it.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scrutiny.stats import Polarity

LIMIT_FACTOR = 2.66  # 3 / d2, where d2 = 1.128 for moving ranges of two points
D2 = 1.128
RUN_LENGTH = 7
TREND_LENGTH = 6
MIN_POINTS = 12  # fewer than this and a report should hedge

ASSURANCE_PASS = "consistently passing"
ASSURANCE_FAIL = "consistently failing"
ASSURANCE_HIT_AND_MISS = "hit and miss"
# Making Data Count's variation of the latest month, in words
IMPROVING, CONCERNING = "special cause improving", "special cause concerning"
HIGHER, LOWER, COMMON_CAUSE = "special cause higher", "special cause lower", "common cause"
_VARIATION = {"improvement": IMPROVING, "concern": CONCERNING, "high": HIGHER, "low": LOWER,
              "": COMMON_CAUSE}

COLUMNS = [
    "value",
    "mean",
    "ucl",
    "lcl",
    "moving_range",
    "outside_limits",
    "run",
    "trend",
    "two_of_three",
    "special_cause",
    "signal",
    "segment",
]
_RULES = ["outside_limits", "run", "trend", "two_of_three", "special_cause"]


def _segments(labels: NDArray[np.int_]) -> list[tuple[int, int, int]]:
    """Maximal stretches of equal non-zero labels, as (start, stop, label), stop exclusive."""
    out = []
    start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            if labels[start] != 0:
                out.append((start, i, int(labels[start])))
            start = i
    return out


def _runs(side: NDArray[np.int_]) -> NDArray[np.bool_]:
    flags = np.zeros(len(side), dtype=bool)
    for start, stop, _ in _segments(side):
        if stop - start >= RUN_LENGTH:
            flags[start:stop] = True
    return flags


def _trends(values: NDArray[np.float64]) -> tuple[NDArray[np.bool_], NDArray[np.int_]]:
    """Trend flags and each trend point's direction (+1 rising, -1 falling)."""
    flags = np.zeros(len(values), dtype=bool)
    direction = np.zeros(len(values), dtype=int)
    steps = np.sign(np.diff(values)).astype(int)
    # A stretch of k equal steps covers k + 1 points. Later stretches overwrite earlier ones,
    # so a turning point takes the direction of the trend that follows it (as plot-the-dots).
    for start, stop, sign in _segments(steps):
        if stop - start + 1 >= TREND_LENGTH:
            flags[start : stop + 1] = True
            direction[start : stop + 1] = sign
    return flags, direction


def _two_of_three(zone: NDArray[np.int_], side: NDArray[np.int_]) -> NDArray[np.bool_]:
    """Flag points beyond 2 sigma where 2 of 3 consecutive points are beyond 2 sigma on one
    side and all 3 are on that side of the mean (NHSRplotthedots' correction: a point across
    the mean between two high points breaks the pattern)."""
    flags = np.zeros(len(zone), dtype=bool)
    for i in range(max(len(zone) - 2, 0)):
        window, sides = zone[i : i + 3], side[i : i + 3]
        for direction in (1, -1):
            if np.sum(window == direction) >= 2 and np.all(sides == direction):
                flags[i : i + 3] |= window == direction
    return flags


def _signal(direction: int, polarity: Polarity) -> str:
    if direction == 0:
        return ""
    if polarity is Polarity.CONTEXT:
        return "high" if direction > 0 else "low"
    good = 1 if polarity is Polarity.HIGHER_IS_BETTER else -1
    return "improvement" if direction == good else "concern"


def _directions(frame: pd.DataFrame) -> NDArray[np.int_]:
    """Direction (+1 high, -1 low, 0 none) of each special-cause point of an xmr frame.

    Rules take precedence as in NHS-R's plot-the-dots: outside the limits, then trend, then
    2 of 3, then run; all but trend take the point's side of the mean.
    """
    values = frame["value"].to_numpy(dtype=float)
    side = np.sign(values - frame["mean"].to_numpy(dtype=float))
    side = np.nan_to_num(side).astype(int)
    _, trend_direction = _trends(values)
    direction = np.zeros(len(frame), dtype=int)
    for rule in ("run", "two_of_three", "trend", "outside_limits"):  # lowest precedence first
        hit = frame[rule].to_numpy(dtype=bool)
        direction[hit] = (trend_direction if rule == "trend" else side)[hit]
    return direction


def _segment_numbers(index: pd.Index, rebase: Sequence[Hashable]) -> NDArray[np.int_]:
    """Segment number (0, 1, ...) of each row: a new segment starts at each rebase label.

    Labels are compared as strings, so "2025-04" matches a monthly Period. A label not in the
    index starts its segment at the first label after it; one at or before the first point, or
    after the last, splits nothing.
    """
    labels = [str(label) for label in index]
    starts = set()
    for change in rebase:
        key = str(change)
        at = next((i for i, label in enumerate(labels) if label == key), None)
        if at is None:
            at = next((i for i, label in enumerate(labels) if label > key), None)
        if at:  # None or 0: nothing to split
            starts.add(at)
    numbers = np.zeros(len(labels), dtype=int)
    for start in starts:
        numbers[start:] += 1
    return numbers


def _chart(v: NDArray[np.float64], polarity: Polarity, baseline: int | None) -> pd.DataFrame:
    """Limits, moving ranges and rules for the non-missing values of one segment (2 or more)."""
    base = v[:baseline] if baseline else v
    centre = float(base.mean())
    mr_bar = float(np.abs(np.diff(base)).mean())
    ucl, lcl = centre + LIMIT_FACTOR * mr_bar, centre - LIMIT_FACTOR * mr_bar
    sigma = mr_bar / D2

    side = np.sign(v - centre).astype(int)
    zone = np.where(v > centre + 2 * sigma, 1, np.where(v < centre - 2 * sigma, -1, 0))
    rules = pd.DataFrame(
        {
            "value": v,
            "mean": centre,
            "ucl": ucl,
            "lcl": lcl,
            "moving_range": np.r_[np.nan, np.abs(np.diff(v))],
            "outside_limits": (v > ucl) | (v < lcl),
            "run": _runs(side),
            "trend": _trends(v)[0],
            "two_of_three": _two_of_three(zone, side),
        }
    )
    rules["special_cause"] = rules[["outside_limits", "run", "trend", "two_of_three"]].any(axis=1)
    rules["signal"] = [_signal(d, polarity) for d in _directions(rules)]
    return rules


def xmr(
    values: pd.Series,
    polarity: Polarity | str = Polarity.CONTEXT,
    baseline: int | None = None,
    rebase: Sequence[Hashable] = (),
) -> pd.DataFrame:
    """XmR chart of ``values`` with Making Data Count special-cause rules.

    ``rebase`` lists index labels (months such as "2025-04") at which the process changed; the
    series is split there into segments, numbered in the ``segment`` column, and each segment
    is charted on its own. Within a segment the mean and mean moving range come from its first
    ``baseline`` non-missing points (all of them if None, or if it has fewer), and the limits
    are carried to the segment's end. ``signal`` is "improvement"/"concern" where a direction
    is good (by ``polarity``), "high"/"low" for context indicators, and "" for common cause.
    The frame is indexed like ``values``; a segment with fewer than 2 non-missing values has
    NaN limits and flags nothing.
    """
    polarity = Polarity(polarity)
    if baseline is not None and baseline < 2:
        raise ValueError("baseline needs at least 2 points to give a moving range")
    if isinstance(rebase, str):
        rebase = (rebase,)  # one label, not a sequence of characters
    series = pd.to_numeric(pd.Series(values), errors="coerce").astype(float)
    frame = pd.DataFrame(index=series.index)
    frame["value"] = series.to_numpy()
    for column in ("mean", "ucl", "lcl", "moving_range"):
        frame[column] = np.nan
    for column in _RULES:
        frame[column] = False
    frame["signal"] = ""
    segment = _segment_numbers(series.index, rebase)
    frame["segment"] = segment

    present = series.notna().to_numpy()  # boolean masks cope with repeated index labels
    for number in np.unique(segment):
        rows = segment == number
        v = series.to_numpy()[rows & present]
        if len(v) < 2:
            continue
        chart = _chart(v, polarity, baseline)
        for column in ("mean", "ucl", "lcl"):
            frame.loc[rows, column] = chart[column].iloc[0]  # missing months too, for plotting
        for column in ["moving_range", *_RULES, "signal"]:
            frame.loc[rows & present, column] = chart[column].to_numpy()
    return frame[COLUMNS]


def _latest(xmr_frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of the latest segment of an ``xmr`` frame (missing months included)."""
    if xmr_frame.empty:
        return xmr_frame
    return xmr_frame[xmr_frame["segment"] == xmr_frame["segment"].iloc[-1]]


def variation(xmr_frame: pd.DataFrame, polarity: Polarity | str = Polarity.CONTEXT) -> str:
    """Making Data Count variation of the latest month of an ``xmr`` frame.

    "special cause improving"/"special cause concerning" by ``polarity``, "special cause
    higher"/"special cause lower" for context indicators, or "common cause"; "" where the
    latest segment has fewer than 2 non-missing values, so has no limits to judge by.
    """
    direction = _latest_direction(xmr_frame)
    if direction is None:
        return ""
    # Recomputed rather than read from "signal", which holds the polarity xmr was given.
    return _VARIATION[_signal(direction, Polarity(polarity))]


def special_cause_direction(xmr_frame: pd.DataFrame) -> str:
    """Which way the latest month's special cause lies, "high" or "low", as :func:`variation`
    judges it (the side of the mean, or a trend's direction); "" for common cause."""
    direction = _latest_direction(xmr_frame)
    return "high" if direction and direction > 0 else "low" if direction else ""


def _latest_direction(xmr_frame: pd.DataFrame) -> int | None:
    """The latest month's signal direction (1, -1 or 0), None where there are no limits."""
    frame = _latest(xmr_frame)
    frame = frame[frame["value"].notna()]
    if len(frame) < 2 or frame["ucl"].isna().all():
        return None
    return int(_directions(frame)[-1])


def assurance(
    xmr_frame: pd.DataFrame, target: float | None, polarity: Polarity | str = Polarity.CONTEXT
) -> str:
    """Making Data Count assurance of hitting ``target``, from the latest segment's limits.

    ASSURANCE_PASS when the whole process (lcl to ucl) lies on the passing side of the target,
    ASSURANCE_FAIL when it lies wholly on the failing side, ASSURANCE_HIT_AND_MISS when the
    target falls within the limits. "" with no target, no limits, or a context indicator.
    """
    polarity = Polarity(polarity)
    frame = _latest(xmr_frame)
    if target is None or pd.isna(target) or polarity is Polarity.CONTEXT or frame.empty:
        return ""
    ucl, lcl = float(frame["ucl"].iloc[0]), float(frame["lcl"].iloc[0])
    if np.isnan(ucl) or np.isnan(lcl):
        return ""
    if polarity is Polarity.HIGHER_IS_BETTER:
        passing, failing = target <= lcl, target > ucl
    else:
        passing, failing = target >= ucl, target < lcl
    if passing:
        return ASSURANCE_PASS
    return ASSURANCE_FAIL if failing else ASSURANCE_HIT_AND_MISS


def _count_back(flags: NDArray[np.bool_], same: NDArray[np.bool_]) -> int:
    """How many points, ending at the last, are flagged and share the last point's direction."""
    n = 0
    for flag, ok in zip(flags[::-1], same[::-1], strict=True):
        if not (flag and ok):
            break
        n += 1
    return n


def summarise(xmr_frame: pd.DataFrame, polarity: Polarity | str = Polarity.CONTEXT) -> str:
    """One plain-English line on the latest month of an ``xmr`` frame, for a lay reader.

    For example "Special cause of concern: the last 7 months are above the average" or
    "Common cause variation: no signal in the latest month". Only the latest segment counts:
    its own months for the short-series caveat, and where the chart was rebased the line says
    "limits recalculated from <label>".
    """
    polarity = Polarity(polarity)
    segment = _latest(xmr_frame)
    frame = segment[segment["value"].notna()]
    notes = []
    if len(segment) and segment["segment"].iloc[0] > 0:
        notes.append(f"limits recalculated from {segment.index[0]}")
    enough = len(frame) >= 2 and not frame["ucl"].isna().all()
    if enough and len(frame) < MIN_POINTS:
        notes.append(f"only {len(frame)} months of data, so treat with caution")
    caveat = f" ({'; '.join(notes)})" if notes else ""
    if not enough:
        return (
            "Not enough data: a control chart needs at least two months, ideally twelve or more"
            + caveat
        )
    last = frame.iloc[-1]
    if not last["special_cause"]:
        return f"Common cause variation: no signal in the latest month{caveat}"

    direction = int(_directions(frame)[-1])
    word = {1: "above", -1: "below"}[direction]
    limit = {1: "upper", -1: "lower"}[direction]
    values = frame["value"].to_numpy(dtype=float)
    side = np.sign(values - frame["mean"].to_numpy(dtype=float)) == direction
    if last["outside_limits"]:
        reason = f"the latest month is {word} the {limit} process limit"
    elif last["trend"]:
        rising = np.r_[False, np.sign(np.diff(values)) == direction]
        # the months that rose (or fell): a trend of 6 points has 5, its first has no rise
        months = _count_back(frame["trend"].to_numpy(dtype=bool), rising)
        reason = (f"each of the last {months} months has been "
                  f"{'higher' if direction > 0 else 'lower'} than the month before")
    elif last["two_of_three"]:
        reason = f"two of the last three months are close to or beyond the {limit} process limit"
    else:
        months = _count_back(frame["run"].to_numpy(dtype=bool), side)
        reason = f"the last {months} months are {word} the average"

    signal = _signal(direction, polarity)
    if signal in ("improvement", "concern"):
        label = f"Special cause of {signal}"
    else:
        label = f"Special cause variation ({'higher' if direction > 0 else 'lower'} than usual)"
    return f"{label}: {reason}{caveat}"
