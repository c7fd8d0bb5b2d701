"""XmR limits and Making Data Count rules, checked on short series worked by hand.

Most series start with a baseline of ten months alternating 12, 10: mean 11, every moving
range 2, so the limits are 11 +/- 2.66 * 2 = (5.68, 16.32), sigma = 2 / 1.128 = 1.773 and the
2-sigma zone begins beyond 11 +/- 3.546 = (7.454, 14.546). Alternation gives no run or trend.

Rebased series are labelled by month strings ("2024-04", ...), as the reports index them.
"""

import numpy as np
import pandas as pd
import pytest

from scrutiny.spc import (
    ASSURANCE_FAIL,
    ASSURANCE_HIT_AND_MISS,
    ASSURANCE_PASS,
    COLUMNS,
    assurance,
    summarise,
    variation,
    xmr,
)

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
        "Special cause of improvement: each of the last 5 months has been higher than the month"
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


# --- rebasing -------------------------------------------------------------------------------

# A step change: 12 months at 10 +/- 1, then 12 at 20 +/- 1, from April 2025.
BEFORE = [10.0, 11.0, 9.0] * 4  # sum 120, mean 10; moving ranges 1, 2, 1, ... sum 15 over 11
AFTER = [20.0, 21.0, 19.0] * 4  # the same shape, mean 20
STEP_MONTHS = [str(month) for month in pd.period_range("2024-04", periods=24, freq="M")]


def months(n, start="2024-01"):
    return [str(month) for month in pd.period_range(start, periods=n, freq="M")]


def step(polarity="context", rebase=("2025-04",)):
    return xmr(pd.Series(BEFORE + AFTER, index=STEP_MONTHS), polarity, rebase=rebase)


def test_step_change_is_special_cause_without_rebase():
    frame = step(rebase=())
    # Mean 15; moving ranges sum 15 + 11 (9 -> 20) + 15 = 41 over 23.
    assert frame["mean"].iloc[0] == pytest.approx(15.0)
    assert frame["ucl"].iloc[0] == pytest.approx(15 + 2.66 * 41 / 23)
    assert frame["moving_range"].iloc[12] == 11
    assert frame["run"].all() and frame["special_cause"].all()  # 12 below, then 12 above
    assert (frame["segment"] == 0).all()


def test_rebase_at_the_step_gives_each_segment_its_own_limits_and_no_signal():
    frame = step()
    assert frame["segment"].tolist() == [0] * 12 + [1] * 12
    half_width = 2.66 * 15 / 11  # mR-bar 15/11 in each segment
    assert frame["mean"].tolist() == pytest.approx([10.0] * 12 + [20.0] * 12)
    assert frame["ucl"].tolist() == pytest.approx([10 + half_width] * 12 + [20 + half_width] * 12)
    assert frame["lcl"].tolist() == pytest.approx([10 - half_width] * 12 + [20 - half_width] * 12)
    assert np.isnan(frame["moving_range"].iloc[0])
    assert np.isnan(frame["moving_range"].iloc[12])  # no moving range across the rebase
    assert frame["moving_range"].iloc[13] == 1  # 20 -> 21
    assert not frame["special_cause"].any()
    assert (frame["signal"] == "").all()


def test_columns_keep_their_order_with_segment_last():
    assert COLUMNS[-1] == "segment"
    frame = step()
    assert list(frame.columns) == COLUMNS
    assert frame.index.tolist() == STEP_MONTHS


# A first segment at another level, then BASE + tail charted as in the tests above. Without
# the rebase the prefix would set the limits; with it, the second segment flags just what
# chart(tail) flags, shifted by the prefix's five points.
PREFIX = [50.0, 52.0, 50.0, 52.0, 50.0]  # mean 50.8, mR-bar 2: limits 45.48 to 56.12


@pytest.mark.parametrize(
    ("tail", "rule", "expected"),
    [
        ([11, 17, 11, 5, 11], "outside_limits", [11, 13]),
        ([11, 16, 11], "outside_limits", []),
        ([11.5, 12, 11.5, 12, 11.5, 12, 11.5], "run", list(range(10, 17))),
        ([11.5, 12, 11.5, 12, 11.5, 12], "run", []),
        ([9, 10, 11, 12, 13, 14], "trend", list(range(10, 16))),
        ([9, 10, 11, 12, 13], "trend", []),
        ([11, 15, 12, 15.5, 11], "two_of_three", [11, 13]),
        ([11, 15, 12, 12, 15.5], "two_of_three", []),
    ],
)
def test_rules_within_a_rebased_segment(tail, rule, expected):
    values = PREFIX + BASE + list(tail)
    labels = months(len(values))
    frame = xmr(pd.Series(values, index=labels), baseline=len(BASE), rebase=[labels[5]])
    assert frame["ucl"].iloc[0] == pytest.approx(50.8 + 2.66 * 2)
    assert frame["ucl"].iloc[-1] == pytest.approx(16.32)  # BASE's limits, as in chart()
    assert flagged(frame, rule) == [5 + i for i in expected]
    assert flagged(frame, "special_cause") == [5 + i for i in expected]


def test_run_does_not_continue_across_a_rebase():
    # Nine points above 11 straddle the change: 4 at the end of one segment, 5 at the start of
    # the next (BASE opens with 12). Segment 0 takes its mean 11 from BASE; segment 1 from its
    # first ten, (11.5 + 12 + 11.5 + 12 + 12 + 10 + 12 + 10 + 12 + 10) / 10 = 11.3.
    values = BASE + [11.5, 12, 11.5, 12] + [11.5, 12, 11.5, 12] + BASE
    labels = months(len(values))
    assert flagged(xmr(pd.Series(values, index=labels), baseline=10), "run") == list(
        range(10, 19)
    )
    frame = xmr(pd.Series(values, index=labels), baseline=10, rebase=[labels[14]])
    assert frame["mean"].iloc[13] == pytest.approx(11.0)
    assert frame["mean"].iloc[14] == pytest.approx(11.3)
    assert not frame["special_cause"].any()


def test_trend_does_not_continue_across_a_rebase():
    values = BASE + [9, 10, 11, 12, 13, 14]  # a trend of six, as in test_trend_of_six
    labels = months(len(values))
    frame = xmr(pd.Series(values, index=labels), baseline=10, rebase=[labels[13]])
    # 10 -> 9 falls, then 9, 10, 11 | 12, 13, 14: three rising either side of the rebase.
    assert frame["mean"].iloc[-1] == pytest.approx(13.0)  # (12 + 13 + 14) / 3
    assert frame["ucl"].iloc[-1] == pytest.approx(13 + 2.66 * 1)
    assert not frame["special_cause"].any()


def test_baseline_counts_within_each_segment():
    values = [10, 12, 10, 12, 30, 11] + [np.nan, 5, 7, 6, 8, 50]
    labels = months(len(values))
    frame = xmr(pd.Series(values, index=labels), baseline=4, rebase=[labels[6]])
    # Segment 0 from 10, 12, 10, 12: mean 11, mR-bar 2, UCL 16.32.
    assert frame["mean"].iloc[0] == pytest.approx(11.0)
    assert frame["ucl"].iloc[5] == pytest.approx(16.32)
    # Segment 1 from its first four present points 5, 7, 6, 8 (not the missing month):
    # mean 6.5, moving ranges 2, 1, 2 so mR-bar 5/3, UCL 6.5 + 2.66 * 5/3 = 10.933.
    assert frame["mean"].iloc[6] == pytest.approx(6.5)
    assert frame["ucl"].iloc[-1] == pytest.approx(6.5 + 2.66 * 5 / 3)
    assert frame["lcl"].iloc[-1] == pytest.approx(6.5 - 2.66 * 5 / 3)
    assert np.isnan(frame["moving_range"].iloc[7])  # first present point of the segment
    assert flagged(frame, "outside_limits") == [4, 11]  # 30 and 50


def test_segment_shorter_than_the_baseline_uses_all_its_points():
    values = BASE + [5, 7, 6, 8, 7]
    labels = months(len(values))
    frame = xmr(pd.Series(values, index=labels), baseline=10, rebase=[labels[10]])
    # 5, 7, 6, 8, 7: mean 33/5 = 6.6; moving ranges 2, 1, 2, 1 so mR-bar 1.5.
    assert frame["mean"].iloc[-1] == pytest.approx(6.6)
    assert frame["ucl"].iloc[-1] == pytest.approx(6.6 + 2.66 * 1.5)  # 10.59
    assert frame["lcl"].iloc[-1] == pytest.approx(6.6 - 2.66 * 1.5)  # 2.61
    assert frame["ucl"].iloc[0] == pytest.approx(16.32)


def test_segment_of_one_point_has_no_limits_and_flags_nothing():
    values = [5, 7, 6, 8, 7, 50]
    labels = months(len(values))
    frame = xmr(pd.Series(values, index=labels), rebase=[labels[5]])
    assert frame["ucl"].iloc[0] == pytest.approx(10.59)  # the 50 is not in segment 0
    assert np.isnan(frame["ucl"].iloc[5]) and np.isnan(frame["mean"].iloc[5])
    assert not frame["special_cause"].any()
    assert summarise(frame) == (
        "Not enough data: a control chart needs at least two months, ideally twelve or more"
        " (limits recalculated from 2024-06)"
    )
    assert variation(frame) == ""
    assert assurance(frame, 4.0, "higher_is_better") == ""


def test_rebase_label_not_in_the_index_starts_at_the_next_label():
    labels = ["2025-01", "2025-02", "2025-04", "2025-05"]  # no March
    frame = xmr(pd.Series([1.0, 2.0, 8.0, 9.0], index=labels), rebase=["2025-03"])
    assert frame["segment"].tolist() == [0, 0, 1, 1]
    assert frame["mean"].tolist() == pytest.approx([1.5, 1.5, 8.5, 8.5])


@pytest.mark.parametrize("rebase", [["2019-12"], ["2024-01"], ["2030-01"], []])
def test_rebase_at_or_before_the_first_point_or_after_the_last_is_ignored(rebase):
    frame = xmr(pd.Series([5, 7, 6, 8, 7], index=months(5)), rebase=rebase)
    assert (frame["segment"] == 0).all()
    assert frame["ucl"].tolist() == pytest.approx([10.59] * 5)


def test_several_rebases_and_a_period_index():
    index = pd.period_range("2024-01", periods=6, freq="M")
    frame = xmr(pd.Series([1, 2, 5, 6, 9, 10], index=index), rebase=["2024-05", "2024-03"])
    assert frame["segment"].tolist() == [0, 0, 1, 1, 2, 2]
    assert frame["mean"].tolist() == pytest.approx([1.5, 1.5, 5.5, 5.5, 9.5, 9.5])
    assert frame["ucl"].tolist() == pytest.approx([1.5 + 2.66, 1.5 + 2.66, 5.5 + 2.66,
                                                   5.5 + 2.66, 9.5 + 2.66, 9.5 + 2.66])
    # A lone label works as well as a list of one.
    assert xmr(pd.Series([1, 2, 5, 6], index=index[:4]), rebase="2024-03")[
        "segment"
    ].tolist() == [0, 0, 1, 1]


def test_summary_describes_the_latest_segment_only():
    assert summarise(step("higher_is_better"), "higher_is_better") == (
        "Common cause variation: no signal in the latest month (limits recalculated from 2025-04)"
    )
    assert summarise(step("higher_is_better", rebase=()), "higher_is_better").startswith(
        "Special cause of improvement"
    )
    # Five months since the change: the caveat counts those, not all 17.
    values = BASE + [11, 12, 10, 11, 12, 10, 11] + [5, 7, 6, 8, 7]
    labels = months(len(values))
    frame = xmr(pd.Series(values, index=labels), rebase=[labels[17]])
    assert summarise(frame) == (
        "Common cause variation: no signal in the latest month (limits recalculated from"
        " 2025-06; only 5 months of data, so treat with caution)"
    )


# --- variation and assurance ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tail", "polarity", "expected"),
    [
        ([11, 17], "higher_is_better", "special cause improving"),
        ([11, 17], "lower_is_better", "special cause concerning"),
        ([11, 17], "context", "special cause higher"),
        ([11, 12, 4], "higher_is_better", "special cause concerning"),
        ([11, 12, 4], "lower_is_better", "special cause improving"),
        ([11, 12, 4], "context", "special cause lower"),
        ([11, 12], "higher_is_better", "common cause"),
        ([11, 17, 11], "context", "common cause"),  # only the latest point counts
    ],
)
def test_variation_of_the_latest_point(tail, polarity, expected):
    # The frame is charted as context: variation applies its own polarity.
    assert variation(chart(tail), polarity) == expected


def test_variation_of_a_rebased_step_and_short_series():
    assert variation(step(rebase=()), "lower_is_better") == "special cause concerning"
    assert variation(step(), "lower_is_better") == "common cause"
    assert variation(xmr(pd.Series([4.0])), "higher_is_better") == ""
    assert variation(xmr(pd.Series([np.nan, 4.0, np.nan])), "higher_is_better") == ""


# Limits of 5, 7, 6, 8, 7: 6.6 +/- 2.66 * 1.5 = (2.61, 10.59).
SHORT = xmr(pd.Series([5, 7, 6, 8, 7]))


@pytest.mark.parametrize(
    ("target", "polarity", "expected"),
    [
        (2.0, "higher_is_better", ASSURANCE_PASS),  # whole process above the target
        (6.0, "higher_is_better", ASSURANCE_HIT_AND_MISS),
        (11.0, "higher_is_better", ASSURANCE_FAIL),
        (10.5, "higher_is_better", ASSURANCE_HIT_AND_MISS),  # just under the UCL
        (2.7, "higher_is_better", ASSURANCE_HIT_AND_MISS),  # just over the LCL
        (11.0, "lower_is_better", ASSURANCE_PASS),  # whole process below the target
        (6.0, "lower_is_better", ASSURANCE_HIT_AND_MISS),
        (2.0, "lower_is_better", ASSURANCE_FAIL),
        (2.7, "lower_is_better", ASSURANCE_HIT_AND_MISS),
        (10.5, "lower_is_better", ASSURANCE_HIT_AND_MISS),
        (2.0, "context", ""),
        (None, "higher_is_better", ""),
        (np.nan, "lower_is_better", ""),
    ],
)
def test_assurance_against_a_target(target, polarity, expected):
    assert assurance(SHORT, target, polarity) == expected


def test_assurance_words():
    assert (ASSURANCE_PASS, ASSURANCE_FAIL, ASSURANCE_HIT_AND_MISS) == (
        "consistently passing",
        "consistently failing",
        "hit and miss",
    )


def test_assurance_at_a_limit_passes():
    # Reaching the target exactly at the worst edge of the process still passes.
    assert assurance(SHORT, SHORT["lcl"].iloc[0], "higher_is_better") == ASSURANCE_PASS
    assert assurance(SHORT, SHORT["ucl"].iloc[0], "lower_is_better") == ASSURANCE_PASS
    assert assurance(SHORT, SHORT["ucl"].iloc[0], "higher_is_better") == ASSURANCE_HIT_AND_MISS
    assert assurance(SHORT, SHORT["lcl"].iloc[0], "lower_is_better") == ASSURANCE_HIT_AND_MISS


def test_assurance_uses_the_latest_segment():
    # Whole series: 15 +/- 2.66 * 41/23 = (10.26, 19.74), so a target of 15 is hit and miss;
    # after the rebase the limits are 20 +/- 2.66 * 15/11 = (16.37, 23.63), all above 15.
    assert assurance(step(rebase=()), 15, "higher_is_better") == ASSURANCE_HIT_AND_MISS
    assert assurance(step(), 15, "higher_is_better") == ASSURANCE_PASS
    assert assurance(step(), 15, "lower_is_better") == ASSURANCE_FAIL
    assert assurance(xmr(pd.Series([4.0])), 3.0, "higher_is_better") == ""
