"""XmR limits and Making Data Count rules, checked on short series worked by hand.

Most series start with a baseline of ten months alternating 12, 10: mean 11, every moving
range 2, so the limits are 11 +/- 2.66 * 2 = (5.68, 16.32), sigma = 2 / 1.128 = 1.773 and the
2-sigma zone begins beyond 11 +/- 3.546 = (7.454, 14.546). Alternation gives no run or trend.
"""

import numpy as np
import pandas as pd
import pytest

from scrutiny.spc import COLUMNS, summarise, xmr

BASE = [12.0, 10.0] * 5


def chart(tail, polarity="context"):
    return xmr(pd.Series(BASE + list(tail)), polarity, baseline=len(BASE))


def flagged(frame, column):
    return list(np.flatnonzero(frame[column].to_numpy()))


def test_hand_computed_limits_and_moving_ranges():
    index = pd.period_range("2025-04", periods=5, freq="M")
    frame = xmr(pd.Series([5, 7, 6, 8, 4], index=index))
    # mean 30/5 = 6; moving ranges 2, 1, 2, 4 with mean 2.25; limits 6 +/- 5.985
    assert list(frame.columns) == COLUMNS
    assert frame.index.equals(index)
    assert frame["mean"].tolist() == pytest.approx([6.0] * 5)
    assert frame["ucl"].iloc[0] == pytest.approx(11.985)
    assert frame["lcl"].iloc[0] == pytest.approx(0.015)
    assert np.isnan(frame["moving_range"].iloc[0])
    assert frame["moving_range"].iloc[1:].tolist() == [2, 1, 2, 4]
    assert not frame["special_cause"].any()
    assert (frame["signal"] == "").all()


def test_baseline_fixes_limits_on_the_first_points():
    frame = chart([11, 11, 11])
    assert frame["mean"].iloc[-1] == pytest.approx(11.0)
    assert frame["ucl"].iloc[-1] == pytest.approx(16.32)
    assert frame["lcl"].iloc[-1] == pytest.approx(5.68)
    # Without a baseline the later points change the mean: (110 + 33) / 13
    assert xmr(pd.Series(BASE + [11, 11, 11]))["mean"].iloc[0] == pytest.approx(143 / 13)


def test_common_cause_series_has_no_signal():
    frame = chart([11, 12, 10, 11])
    rules = ["outside_limits", "run", "trend", "two_of_three", "special_cause"]
    assert not frame[rules].any().any()
    assert summarise(frame) == "Common cause variation: no signal in the latest month"


def test_point_outside_limits():
    frame = chart([11, 17, 11, 5, 11])
    assert flagged(frame, "outside_limits") == [11, 13]
    assert frame["signal"].iloc[11] == "high" and frame["signal"].iloc[13] == "low"
    assert flagged(chart([11, 16, 11]), "outside_limits") == []  # 16 < 16.32


def test_run_of_seven_on_one_side_flags_every_point():
    frame = chart([11.5, 12, 11.5, 12, 11.5, 12, 11.5])  # BASE ends on 10, below the mean
    assert flagged(frame, "run") == list(range(10, 17))
    assert flagged(frame, "special_cause") == list(range(10, 17))
    assert not frame[["outside_limits", "trend", "two_of_three"]].any().any()
    assert flagged(chart([11.5, 12, 11.5, 12, 11.5, 12]), "run") == []  # only six


def test_point_on_the_mean_breaks_a_run():
    assert flagged(chart([11.5, 12, 11.5, 11, 12, 11.5, 12, 11.5]), "run") == []


def test_trend_of_six_flags_every_point():
    frame = chart([9, 10, 11, 12, 13, 14])  # BASE ends on 10, so 10 -> 9 falls first
    assert flagged(frame, "trend") == list(range(10, 16))
    assert set(frame["signal"].iloc[10:]) == {"high"}
    assert flagged(chart([9, 10, 11, 12, 13]), "trend") == []  # only five
    assert flagged(chart([9, 10, 11, 11, 12, 13, 14]), "trend") == []  # a tie breaks it


def test_falling_trend_is_low():
    frame = xmr(pd.Series([10.0, 12.0] * 5 + [13, 12, 11, 10, 9, 8]), baseline=10)
    assert flagged(frame, "trend") == list(range(10, 16))
    assert set(frame["signal"].iloc[10:]) == {"low"}


def test_outside_limits_outranks_a_falling_trend_for_direction():
    # All six points are above the upper limit while falling: high, as in NHS-R plot-the-dots.
    frame = chart([25, 24, 23, 22, 21, 20], "higher_is_better")
    assert flagged(frame, "trend") == list(range(10, 16))
    assert flagged(frame, "outside_limits") == list(range(10, 16))
    assert set(frame["signal"].iloc[10:]) == {"improvement"}


def test_two_of_three_beyond_two_sigma_on_the_same_side():
    frame = chart([11, 15, 12, 15.5, 11])
    assert flagged(frame, "two_of_three") == [11, 13]  # only the points beyond 14.546
    assert flagged(frame, "outside_limits") == []
    assert flagged(chart([11, 15, 12, 12, 15.5]), "two_of_three") == []  # never 2 in 3
    assert flagged(chart([11, 15, 11, 7]), "two_of_three") == []  # opposite sides
    assert flagged(chart([11, 7, 10, 7.2]), "two_of_three") == [11, 13]


@pytest.mark.parametrize("middle", [10.5, 11.0])  # below the mean, and on it
def test_two_of_three_needs_all_three_on_one_side_of_the_mean(middle):
    # NHSRplotthedots' correction (its tests: close [1, 0, 1] with sides [1, -1, 1] is no
    # signal): two high points either side of one at or below the mean are not a pattern
    frame = chart([11, 15, middle, 15.5, 11])
    assert flagged(frame, "two_of_three") == []
    assert not frame["special_cause"].iloc[10:].any()


@pytest.mark.parametrize(
    ("polarity", "high", "low"),
    [
        ("higher_is_better", "improvement", "concern"),
        ("lower_is_better", "concern", "improvement"),
        ("context", "high", "low"),
    ],
)
def test_polarity_turns_signals_into_improvement_or_concern(polarity, high, low):
    frame = chart([11, 17, 11, 5, 11], polarity)
    assert frame["signal"].iloc[11] == high
    assert frame["signal"].iloc[13] == low
    assert (frame["signal"].drop([11, 13]) == "").all()


def test_fewer_than_two_values_gives_no_limits():
    for values in ([], [4.0], [np.nan, 3.0, np.nan]):
        frame = xmr(pd.Series(values, dtype=float))
        assert list(frame.columns) == COLUMNS
        assert len(frame) == len(values)
        assert frame["ucl"].isna().all() and frame["lcl"].isna().all()
        assert not frame["special_cause"].any()
        assert summarise(frame).startswith("Not enough data")


def test_missing_month_is_skipped_and_kept_in_the_index():
    index = pd.period_range("2025-01", periods=5, freq="M")
    frame = xmr(pd.Series([5, 7, np.nan, 8, 4], index=index))
    assert frame.index.equals(index)
    assert frame["mean"].iloc[0] == pytest.approx(6.0)  # (5 + 7 + 8 + 4) / 4
    assert frame["moving_range"].iloc[3] == 1  # 8 - 7, across the gap
    assert np.isnan(frame["moving_range"].iloc[2])
    assert frame["signal"].iloc[2] == "" and not frame["special_cause"].iloc[2]


def test_bad_baseline():
    with pytest.raises(ValueError):
        xmr(pd.Series([1.0, 2.0, 3.0]), baseline=1)


# --- summarise ------------------------------------------------------------------------------


def test_summary_of_a_run():
    frame = chart([11.5, 12, 11.5, 12, 11.5, 12, 11.5], "lower_is_better")
    assert summarise(frame, "lower_is_better") == (
        "Special cause of concern: the last 7 months are above the average"
    )
    assert summarise(frame, "higher_is_better").startswith("Special cause of improvement")


def test_summary_of_a_trend():
    frame = chart([9, 10, 11, 12, 13, 14])
    assert summarise(frame, "higher_is_better") == (
        "Special cause of improvement: the last 6 months have each been higher than the month"
        " before"
    )


def test_summary_of_a_point_beyond_a_limit_for_a_context_indicator():
    assert summarise(chart([11, 12, 4])) == (
        "Special cause variation (lower than usual): the latest month is below the lower process"
        " limit"
    )


def test_summary_of_two_in_three():
    assert summarise(chart([11, 15, 12, 15.5]), "lower_is_better") == (
        "Special cause of concern: two of the last three months are close to or beyond the upper"
        " process limit"
    )


def test_summary_warns_on_short_series():
    text = summarise(xmr(pd.Series([5, 7, 6, 8, 4])))
    assert text.startswith("Common cause variation")
    assert "only 5 months" in text
