"""Suppression of small numbers, and of the cells that would give them away by subtraction.

Whether a hidden cell can be derived is checked independently of the module: the published
cells and totals give linear equations in the hidden cells, and a hidden cell is derivable
exactly when its unit vector lies in the row space of those equations.
"""

import numpy as np
import pandas as pd
import pytest

from scrutiny.disclosure import (
    DEFAULT_THRESHOLD,
    SUPPRESSED,
    apply_mask,
    primary_mask,
    secondary_mask,
    suppress_rate,
)


def derivable(hidden, total_row=None, total_col=None):
    """Hidden cells whose values follow from the published cells and totals."""
    unknowns = [(r, c) for r in hidden.index for c in hidden.columns if hidden.loc[r, c]]
    position = {cell: i for i, cell in enumerate(unknowns)}
    lines = []  # (cells that add up, the cell holding their total)
    if total_col is not None:
        cols = [c for c in hidden.columns if c != total_col]
        lines += [([(r, c) for c in cols], (r, total_col)) for r in hidden.index]
    if total_row is not None:
        rows = [r for r in hidden.index if r != total_row]
        lines += [([(r, c) for r in rows], (total_row, c)) for c in hidden.columns]
    equations = []
    for cells, total in lines:
        row = np.zeros(len(unknowns))
        for cell in cells:
            if cell in position:
                row[position[cell]] = 1
        if total in position:
            row[position[total]] = -1
        equations.append(row)
    a = np.array(equations).reshape(-1, len(unknowns))
    rank = np.linalg.matrix_rank(a) if a.size else 0
    found = []
    for cell, i in position.items():
        unit = np.zeros((1, len(unknowns)))
        unit[0, i] = 1
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            found.append(cell)
    return found


def with_totals(interior: pd.DataFrame) -> pd.DataFrame:
    table = interior.copy()
    table["Total"] = table.sum(axis=1)
    table.loc["Total"] = table.sum(axis=0)
    return table


def test_constants():
    assert SUPPRESSED == "c"
    assert DEFAULT_THRESHOLD == 5


def test_primary_mask_series_keeps_zero_and_missing_visible():
    counts = pd.Series([0, 1, 4, 5, np.nan, 12])
    assert primary_mask(counts).tolist() == [False, True, True, False, False, False]
    assert primary_mask(counts, threshold=10).tolist() == [False, True, True, True, False, False]


def test_primary_mask_frame_ignores_text():
    table = pd.DataFrame({"area": ["Bristol", "Somerset"], "n": [3, 40], "m": [0, 2]})
    mask = primary_mask(table)
    assert mask.to_dict("list") == {"area": [False, False], "n": [True, False], "m": [False, True]}


def test_suppress_rate_on_numerator_or_denominator():
    numerators = pd.Series([0, 3, 10, 10, 40])
    denominators = pd.Series([10, 20, 4, 0, 400])
    assert suppress_rate(numerators, denominators).tolist() == [False, True, True, False, False]
    # At threshold 11 a denominator of 10 is small too.
    expected = [True, True, True, True, False]
    assert suppress_rate(numerators, denominators, threshold=11).tolist() == expected


def test_apply_mask_returns_object_copy_with_symbol():
    display = pd.DataFrame({"a": [3, 40], "b": [12.5, 7.0]}, index=["x", "y"])
    mask = pd.DataFrame({"a": [True, False], "b": [False, True]}, index=["x", "y"])
    out = apply_mask(display, mask)
    assert all(dtype == np.dtype(object) for dtype in out.dtypes)
    assert out.to_dict("list") == {"a": ["c", 40], "b": [12.5, "c"]}
    assert display.loc["x", "a"] == 3  # the input is untouched
    assert apply_mask(display, mask, symbol="[c]").loc["x", "a"] == "[c]"
    series = apply_mask(pd.Series([1, 9]), pd.Series([True, False]))
    assert series.tolist() == ["c", 9] and series.dtype == np.dtype(object)


def test_single_suppressed_cell_in_a_row_takes_the_next_smallest_with_it():
    table = pd.DataFrame({"A": [3, 20], "B": [9, 30], "C": [6, 50]}, index=["r1", "r2"])
    table["Total"] = table.sum(axis=1)
    primary = primary_mask(table)
    assert derivable(primary, total_col="Total") == [("r1", "A")]  # 18 - 9 - 6 = 3
    hidden = secondary_mask(table, primary, total_col="Total")
    assert sorted(zip(*np.nonzero(hidden.to_numpy()), strict=True)) == [(0, 0), (0, 2)]
    assert derivable(hidden, total_col="Total") == []


def test_zero_is_never_the_secondary_and_total_is_the_last_resort():
    table = pd.DataFrame({"A": [3, 20], "B": [0, 30], "C": [8, 50]}, index=["r1", "r2"])
    table["Total"] = table.sum(axis=1)
    hidden = secondary_mask(table, primary_mask(table), total_col="Total")
    assert hidden.loc["r1"].tolist() == [True, False, True, False]  # C=8, not B=0

    # r1 = 3 + 0 + 0: with only the interior masked, nothing but the total is left to hide.
    lonely = pd.DataFrame({"A": [3, 20], "B": [0, 30], "C": [0, 7]}, index=["r1", "r2"])
    lonely["Total"] = lonely.sum(axis=1)
    interior_only = primary_mask(lonely[["A", "B", "C"]])  # no Total column in the mask
    hidden = secondary_mask(lonely, interior_only, total_col="Total")
    assert hidden.loc["r1"].tolist() == [True, False, False, True]
    assert not hidden.loc["r2"].any()
    assert derivable(hidden, total_col="Total") == []


def test_suppression_chain_from_rows_to_columns():
    interior = pd.DataFrame(
        {"A": [2, 20, 25], "B": [10, 40, 60], "C": [30, 50, 70]}, index=["r1", "r2", "r3"]
    )
    table = with_totals(interior)
    primary = primary_mask(table)
    hidden = secondary_mask(table, primary, total_row="Total", total_col="Total")
    # r1: hide A (2) so also B (10); column A then hides r2 (20); column B, which only became
    # exposed by the first step, then hides r2 (40). One sweep of the primary's lines would
    # leave B with a single hidden cell, and r1's B = 110 - 40 - 60.
    expected = {("r1", "A"), ("r1", "B"), ("r2", "A"), ("r2", "B")}
    assert {(r, c) for r in hidden.index for c in hidden.columns if hidden.loc[r, c]} == expected
    assert derivable(hidden, "Total", "Total") == []
    one_sweep = primary.copy()
    one_sweep.loc["r1", "B"] = one_sweep.loc["r2", "A"] = True
    assert ("r1", "B") in derivable(one_sweep, "Total", "Total")


def test_suppression_that_needs_a_second_pass_over_the_rows():
    interior = pd.DataFrame(
        {"A": [2, 20, 25], "B": [10, 60, 40], "C": [30, 50, 70]}, index=["r1", "r2", "r3"]
    )
    table = with_totals(interior)
    hidden = secondary_mask(table, primary_mask(table), total_row="Total", total_col="Total")
    # Pass 1: r1 hides B (10); column A hides r2 (20), column B hides r3 (40).
    # Pass 2: that leaves r2 and r3 with one hidden cell each: r2 hides C (50), r3 hides A (25);
    # column C then has one (r2) and hides r1 (30). Pass 3 finds nothing more.
    expected = {("r1", "A"), ("r1", "B"), ("r1", "C"), ("r2", "A"), ("r2", "C")}
    expected |= {("r3", "A"), ("r3", "B")}
    assert {(r, c) for r in hidden.index for c in hidden.columns if hidden.loc[r, c]} == expected
    assert derivable(hidden, "Total", "Total") == []


def test_no_line_keeps_a_single_hidden_cell_in_a_larger_table():
    interior = pd.DataFrame(
        [[1, 14, 22, 9, 30], [17, 3, 41, 12, 8], [25, 33, 2, 19, 44], [6, 28, 15, 4, 21]],
        index=["LA1", "LA2", "LA3", "LA4"],
        columns=["Q1", "Q2", "Q3", "Q4", "Q5"],
    )
    table = with_totals(interior)
    hidden = secondary_mask(table, primary_mask(table), total_row="Total", total_col="Total")
    assert hidden[primary_mask(table)].stack().all()  # every primary stays hidden
    for label in hidden.index:
        assert hidden.loc[label].drop("Total").sum() != 1 or hidden.loc[label, "Total"]
    for label in hidden.columns:
        assert hidden[label].drop("Total").sum() != 1 or hidden.loc["Total", label]
    assert derivable(hidden, "Total", "Total") == []


def test_without_totals_nothing_more_is_hidden():
    table = pd.DataFrame({"A": [3, 20], "B": [9, 30]})
    primary = primary_mask(table)
    assert secondary_mask(table, primary).equals(primary)


def test_only_the_direction_with_a_published_total_is_protected():
    interior = pd.DataFrame({"A": [3, 20], "B": [9, 30]}, index=["r1", "r2"])
    table = interior.copy()
    table.loc["Total"] = table.sum(axis=0)  # column totals only
    hidden = secondary_mask(table, primary_mask(table), total_row="Total")
    assert hidden.loc[:, "A"].tolist() == [True, True, False]
    assert not hidden["B"].any()


@pytest.mark.parametrize("threshold", [5, 10])
def test_primary_threshold_is_exclusive(threshold):
    assert not primary_mask(pd.Series([threshold]), threshold).iloc[0]
    assert primary_mask(pd.Series([threshold - 1]), threshold).iloc[0]
