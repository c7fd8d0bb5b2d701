"""Charts for the reports (seaborn on matplotlib); each returns a figure for present.Section.

Charts show aggregate figures only, and values suppressed in a table are not drawn.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from scrutiny.periods import month_label

sns.set_theme(style="whitegrid", context="notebook")
HIGHLIGHT, OTHER, PARTNERSHIP = "#005ea5", "#9fb4c7", "#b58800"
SIGNAL_COLOURS = {"improvement": "#1d70b8", "concern": "#d4351c", "high": "#6f42c1",
                  "low": "#6f42c1"}


def _grid(count: int, columns: int = 3, height: float = 2.4, width: float = 11):
    rows = max(1, math.ceil(count / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(width, height * rows), squeeze=False)
    for axis in axes.flat[count:]:
        axis.set_visible(False)
    return figure, axes.flat


def spc_grid(charts: list[tuple[str, pd.DataFrame]], unit_labels: list[str]) -> plt.Figure:
    """XmR charts, one per indicator: the monthly value, its mean and process limits."""
    figure, axes = _grid(len(charts))
    for axis, (title, xmr), unit in zip(axes, charts, unit_labels, strict=False):
        months = [month_label(month) for month in xmr.index]
        x = np.arange(len(months))
        axis.plot(x, xmr["value"], color="#505a5f", marker="o", markersize=2.5, linewidth=1)
        axis.plot(x, xmr["mean"], color="#505a5f", linestyle="-", linewidth=0.8)
        axis.plot(x, xmr["ucl"], color="#505a5f", linestyle="--", linewidth=0.8)
        axis.plot(x, xmr["lcl"], color="#505a5f", linestyle="--", linewidth=0.8)
        for signal, colour in SIGNAL_COLOURS.items():
            flagged = xmr["signal"] == signal
            axis.scatter(x[flagged.to_numpy()], xmr["value"][flagged], color=colour, s=14,
                         zorder=3, label=signal)
        axis.set_title(title, fontsize=9)
        axis.set_ylabel(unit, fontsize=7)
        ticks = x[:: max(1, len(x) // 4)]
        axis.set_xticks(ticks, [months[i] for i in ticks], fontsize=7)
        axis.tick_params(axis="y", labelsize=7)
    figure.tight_layout()
    return figure


def area_bars(frame: pd.DataFrame, title: str, unit_label: str,
              highlight: str | None = None, partnership_value: float | None = None,
              axis: plt.Axes | None = None) -> plt.Figure | None:
    """Horizontal bars of one indicator by area with 95% intervals; the partnership as a line.

    ``frame`` has columns name, value, lower, upper (rows with no publishable value are
    left out by the caller).
    """
    own_figure = axis is None
    if own_figure:
        figure, axis = plt.subplots(figsize=(6.5, 0.45 * max(len(frame), 2) + 0.9))
    shown = frame.dropna(subset=["value"])
    colours = [HIGHLIGHT if name == highlight else OTHER for name in shown["name"]]
    y = np.arange(len(shown))
    axis.barh(y, shown["value"], color=colours)
    errors = np.vstack([shown["value"] - shown["lower"], shown["upper"] - shown["value"]])
    axis.errorbar(shown["value"], y, xerr=np.nan_to_num(np.clip(errors, 0, None)), fmt="none",
                  ecolor="#333", elinewidth=0.8, capsize=2)
    axis.set_yticks(y, shown["name"], fontsize=8)
    axis.invert_yaxis()
    if partnership_value is not None and not pd.isna(partnership_value):
        axis.axvline(partnership_value, color=PARTNERSHIP, linestyle="--", linewidth=1.2,
                     label="partnership")
    axis.set_title(title, fontsize=9)
    axis.set_xlabel(unit_label, fontsize=8)
    axis.tick_params(axis="x", labelsize=7)
    if own_figure:
        figure.tight_layout()
        return figure
    return None


def step_grid(panels: list[tuple[str, str, pd.DataFrame, float | None]],
              highlight: str | None = None) -> plt.Figure:
    """One bar chart per indicator (title, unit label, frame, partnership value)."""
    figure, axes = _grid(len(panels), columns=2, height=2.2 + 0.25 * 5, width=11)
    for axis, (title, unit, frame, partnership_value) in zip(axes, panels, strict=False):
        area_bars(frame, title, unit, highlight, partnership_value, axis=axis)
    figure.tight_layout()
    return figure


def funnel(frame: pd.DataFrame, target: float, limits: dict[str, tuple], title: str,
           highlight: str | None = None) -> plt.Figure:
    """A funnel plot: each area's percentage against its denominator, with control limits.

    ``limits`` maps a label (e.g. "95%") to (denominators, lower, upper) arrays in percent.
    """
    figure, axis = plt.subplots(figsize=(6.5, 4))
    for (label, (x, lower, upper)), style in zip(limits.items(), ["--", ":"], strict=False):
        axis.plot(x, lower, color="#505a5f", linestyle=style, linewidth=0.9, label=label)
        axis.plot(x, upper, color="#505a5f", linestyle=style, linewidth=0.9)
    axis.axhline(target, color=PARTNERSHIP, linewidth=1.2, label="partnership")
    for _, row in frame.iterrows():
        colour = HIGHLIGHT if row["name"] == highlight else "#333"
        axis.scatter(row["denominator"], row["value"], color=colour, zorder=3)
        axis.annotate(row["name"], (row["denominator"], row["value"]), fontsize=7,
                      xytext=(4, 3), textcoords="offset points")
    axis.set_xlabel("denominator (12 months)", fontsize=8)
    axis.set_ylabel("%", fontsize=8)
    axis.set_title(title, fontsize=9)
    axis.legend(fontsize=7, loc="best")
    figure.tight_layout()
    return figure


def stacked_bars(frame: pd.DataFrame, index: str, columns: list[str], title: str,
                 xlabel: str, palette: list[str] | None = None) -> plt.Figure | None:
    """Horizontal stacked bars of counts (e.g. ratings by standard, actions by status)."""
    if frame.empty:
        return None
    data = frame.set_index(index)[columns]
    figure, axis = plt.subplots(figsize=(7, 0.4 * len(data) + 1.2))
    data.plot(kind="barh", stacked=True, ax=axis,
              color=palette or sns.color_palette("Blues_r", len(columns)))
    axis.invert_yaxis()
    axis.set_title(title, fontsize=9)
    axis.set_xlabel(xlabel, fontsize=8)
    axis.set_ylabel("")
    axis.tick_params(labelsize=7)
    axis.legend(fontsize=7, loc="lower right")
    figure.tight_layout()
    return figure


def quarterly_bars(frame: pd.DataFrame, x: str, y: str, hue: str | None, title: str,
                   ylabel: str) -> plt.Figure | None:
    if frame.empty:
        return None
    figure, axis = plt.subplots(figsize=(7, 3))
    sns.barplot(data=frame, x=x, y=y, hue=hue, ax=axis, palette="Blues_d" if hue else None,
                color=None if hue else HIGHLIGHT)
    axis.set_title(title, fontsize=9)
    axis.set_xlabel("")
    axis.set_ylabel(ylabel, fontsize=8)
    axis.tick_params(axis="x", labelsize=7, rotation=45)
    if hue:
        axis.legend(fontsize=7)
    figure.tight_layout()
    return figure


# Judgement cells: a colour-blind-safe pair for better and worse, a muted pair for higher and
# lower (neither is better), and the word with its symbol in every cell, never colour alone.
JUDGEMENT_STYLES = {"better": ("#1d70b8", "white", "▲"), "worse": ("#d4351c", "white", "▼"),
                    "similar": ("#f3f2f1", "#0b0c0c", "●"), "higher": ("#b7a6e0", "#0b0c0c", "↑"),
                    "lower": ("#d9d2f0", "#0b0c0c", "↓"),
                    "not compared": ("white", "#505a5f", "–")}


def judgement_heatmap(words: pd.DataFrame, title: str) -> plt.Figure | None:
    """Indicators (rows) by areas (columns), each cell coloured by its judgement and labelled
    with the judgement's symbol and word."""
    if words.empty:
        return None
    rows, columns = words.shape
    figure, axis = plt.subplots(figsize=(2.0 + 1.55 * columns, 0.42 * rows + 1.4))
    for i, (_, line) in enumerate(words.iterrows()):
        for j, word in enumerate(line):
            fill, ink, symbol = JUDGEMENT_STYLES.get(word, JUDGEMENT_STYLES["not compared"])
            axis.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=fill, edgecolor="white"))
            axis.text(j + 0.5, i + 0.5, f"{symbol} {word}", ha="center", va="center",
                      fontsize=8, color=ink)
    axis.set_xlim(0, columns)
    axis.set_ylim(rows, 0)
    axis.set_xticks(np.arange(columns) + 0.5, [textwrap.fill(str(c), 16) for c in words.columns],
                    fontsize=8)
    axis.xaxis.tick_top()
    axis.set_yticks(np.arange(rows) + 0.5, [textwrap.fill(str(r), 48) for r in words.index],
                    fontsize=8)
    axis.grid(False)
    axis.set_title(title, fontsize=9, pad=28)
    figure.tight_layout()
    return figure
