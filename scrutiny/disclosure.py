"""Statistical disclosure control for published aggregate tables about children.

Small counts could identify a child, so they are suppressed (primary suppression), and so is
whatever would let them be worked out again by subtraction from a published total (secondary
suppression). Suppressed cells show the DfE symbol ``c``. Zero is not disclosive in itself
and is shown.
"""

from __future__ import annotations

from collections.abc import Hashable

import pandas as pd

SUPPRESSED = "c"
DEFAULT_THRESHOLD = 5

Table = pd.Series | pd.DataFrame


def _numeric(values: Table) -> Table:
    """Numbers only: anything else (labels, symbols already applied) becomes NaN."""
    if isinstance(values, pd.DataFrame):
        return values.apply(pd.to_numeric, errors="coerce").astype(float)
    return pd.to_numeric(values, errors="coerce").astype(float)


def primary_mask(counts: Table, threshold: int = DEFAULT_THRESHOLD) -> Table:
    """True where 0 < count < ``threshold``; zero and missing counts stay unmasked."""
    numbers = _numeric(counts)
    # NaN compares False both ways, so missing cells are never masked.
    return (numbers > 0) & (numbers < threshold)


def suppress_rate(
    numerators: Table, denominators: Table, threshold: int = DEFAULT_THRESHOLD
) -> Table:
    """True where a percentage or rate rests on a small numerator or denominator."""
    return primary_mask(numerators, threshold) | primary_mask(denominators, threshold)


def _aligned(mask: Table, like: Table) -> Table:
    """``mask`` reshaped to ``like``, with cells it lacks treated as unsuppressed."""
    if isinstance(like, pd.DataFrame):
        mask = pd.DataFrame(mask).reindex(index=like.index, columns=like.columns)
    else:
        mask = pd.Series(mask).reindex(like.index)
    return mask.eq(True)  # missing or NaN entries count as not suppressed


def _protect_line(values: pd.Series, hidden: pd.Series, total: Hashable) -> Hashable | None:
    """The cell to suppress so that a line (a row or column with its total) is safe, if any.

    A line whose total is published and which hides exactly one cell gives that cell away by
    subtraction. Hide the smallest non-zero visible cell as well; failing that, the total.
    """
    if hidden[total]:
        return None  # no published total to subtract from
    cells = values.drop(total)
    if hidden[cells.index].sum() != 1:
        return None
    candidates = cells[~hidden[cells.index] & (cells > 0)]
    return candidates.idxmin() if not candidates.empty else total


def secondary_mask(
    table: pd.DataFrame,
    mask: pd.DataFrame,
    total_row: str | None = None,
    total_col: str | None = None,
) -> pd.DataFrame:
    """Extend ``mask`` so no suppressed cell can be derived by subtraction from a total.

    ``total_col`` names the column holding each row's total and ``total_row`` the row holding
    each column's total; a row (or column) has a published total only if that is given and
    its total cell is not itself suppressed. Where such a line hides exactly one cell, the
    next-smallest non-zero visible cell in the line is hidden too (or, if there is none, the
    total), repeating until nothing changes, since each new suppression can expose another
    line. The totals row and column are lines too, with the grand total as their total.

    This is the usual pattern rule, not a full linear-programming audit: it guarantees that no
    line has a single hidden cell, which defeats subtraction within one row or column.
    """
    values = _numeric(table)
    hidden = _aligned(mask, table).copy()
    changed = True
    while changed:
        changed = False
        for total, across_row in ((total_col, True), (total_row, False)):
            if total is None:
                continue
            for label in values.index if across_row else values.columns:
                # Read the mask afresh: an earlier line in this pass may have changed it.
                line = values.loc[label] if across_row else values[label]
                line_hidden = hidden.loc[label] if across_row else hidden[label]
                cell = _protect_line(line, line_hidden, total)
                if cell is not None:
                    hidden.loc[(label, cell) if across_row else (cell, label)] = True
                    changed = True
    return hidden


def apply_mask(display: Table, mask: Table, symbol: str = SUPPRESSED) -> Table:
    """An object-dtype copy of ``display`` with masked cells replaced by ``symbol``."""
    out = display.astype(object).copy()
    hide = _aligned(mask, display).to_numpy()
    values = out.to_numpy(copy=True)
    values[hide] = symbol
    if isinstance(out, pd.DataFrame):
        return pd.DataFrame(values, index=out.index, columns=out.columns, dtype=object)
    return pd.Series(values, index=out.index, name=out.name, dtype=object)


def mark_suppressed(values: pd.DataFrame, units: dict[str, str], total: str,
                    threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Add a ``suppressed`` column to indicator values, consistently for every report.

    Primary: a count or rate built on fewer than ``threshold`` (but some), or a percentage
    whose numerator or denominator is. Secondary: where the partnership total is published
    and exactly one area of an indicator is hidden, another is hidden too, so that no hidden
    figure can be found by subtracting the others from the partnership's (the area_code
    ``total``).
    """
    values = values.copy()
    percent = values["indicator_id"].map(units).eq("percent")
    small = primary_mask(values["numerator"], threshold) | (
        percent & primary_mask(values["denominator"], threshold))
    values["suppressed"] = small.astype(bool)
    for (_indicator, _window), group in values.groupby(["indicator_id", "window"]):
        by_area = group.set_index("area_code")
        if total not in by_area.index:
            continue
        table = by_area[["numerator"]].T  # one line: the areas and their total
        mask = by_area[["suppressed"]].rename(columns={"suppressed": "numerator"}).T
        protected = secondary_mask(table, mask, total_col=total)
        values.loc[group.index, "suppressed"] = protected.loc["numerator", group["area_code"]
                                                              ].to_numpy(dtype=bool)
    return values
