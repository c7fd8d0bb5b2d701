"""Charts for the reports (seaborn on matplotlib), drawn to be read as well as seen.

Each chart function returns a :class:`Chart`: the figure, a short text alternative written
from the chart's own data (what it shows and its key numbers), and the table it is drawn
from, which the report shows beside it. Charts are SVG with their text left as text, at a size
that fits the reading column, so no text is smaller than 9 pt at 100% zoom; legends sit outside
the plotting area; colours come from a colour-blind-safe palette, and a judgement or signal is
never shown by colour alone (a word, symbol or marker shape says it too).

Charts show aggregate figures only, and values suppressed in a table are not drawn.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # reports render without a screen
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from scrutiny.periods import month_label  # noqa: E402

# The page's typeface first; Liberation Sans has Arial's metrics, so text measured here fits
FONT_STACK = ["Arial", "Liberation Sans", "Helvetica", "DejaVu Sans"]
SMALLEST_TEXT = 10.5  # points: no text in a chart is smaller (the brief's floor is 9)
COLUMN_WIDTH = 9.5  # inches: a chart no wider than the reading column is never scaled down

sns.set_theme(style="whitegrid", context="notebook")
plt.rcParams.update({
    "svg.fonttype": "none",  # text stays text: sharp at any zoom, searchable, small
    "svg.hashsalt": "scrutiny",  # the same chart gives the same file
    "text.parse_math": False,  # titles are the framework's words: "$500" is money, not maths
    "font.family": "sans-serif", "font.sans-serif": FONT_STACK,
    "font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11,
    "xtick.labelsize": SMALLEST_TEXT, "ytick.labelsize": SMALLEST_TEXT,
    "legend.fontsize": SMALLEST_TEXT, "legend.title_fontsize": SMALLEST_TEXT,
    "axes.titleweight": "bold", "axes.titlelocation": "left",
    # an axis shows its figures whole: no offset or multiplier above it to add in the head
    # (nor to meet a title)
    "axes.formatter.useoffset": False, "axes.formatter.limits": (-9, 9),
})

# Okabe and Ito's palette, distinguishable with every common colour-vision deficiency
BLUE, ORANGE, SKY, GREEN, YELLOW, VERMILION, PURPLE, BLACK = (
    "#0072B2", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#D55E00", "#CC79A7", "#000000")
GREY, LIGHT = "#505a5f", "#b1c7d9"
HIGHLIGHT, OTHER, PARTNERSHIP = BLUE, LIGHT, ORANGE
# ordered palettes for code lists, best first, distinct in lightness as well as hue
RATINGS = [BLUE, ORANGE, VERMILION]  # fully met, partially met, not met
GRADES = [BLUE, SKY, ORANGE, VERMILION]  # outstanding ... inadequate
ACTION_STATES = [BLUE, SKY, "#c8c8c8", VERMILION]  # on time, late, not yet due, overdue
# special causes: colour, marker and legend words (shape as well as colour tells them apart)
SIGNAL_STYLES = {"improvement": (BLUE, "D", "special cause: improvement"),
                 "concern": (VERMILION, "X", "special cause: concern"),
                 "high": (PURPLE, "^", "special cause: higher"),
                 "low": (PURPLE, "v", "special cause: lower")}


@dataclass
class Chart:
    """A figure with what a reader who cannot see it needs: its words and its data."""

    figure: plt.Figure
    description: str  # the text alternative: what the chart shows and its key numbers
    data: pd.DataFrame  # the figures drawn, shown beside the chart in a collapsed table


def svg(figure: plt.Figure) -> str:
    """The figure as compact SVG markup to place inline in a page (the figure is closed).

    Matplotlib's SVG is made small: coordinates to 0.1 pt, the typeface named once on the root
    instead of on every text, no ids but those the drawing refers to, and those prefixed with
    the chart's own hash, so that two charts on a page never share an id.
    """
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight",
                   metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    plt.close(figure)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]  # the XML prolog and doctype are not needed in a page
    text = re.sub(r"<defs>\s*<style[^<]*</style>\s*</defs>", "", text)  # set on the root below
    text = _FONT_STYLE.sub("", text)
    text = _NO_ROTATION.sub("", text)
    text = _COORDINATES.sub(lambda match: match.group(1) + _ROUNDED.sub(
        r"\1", match.group(2)) + '"', text)
    text = re.sub(r"\s*\n\s*", " ", text).replace("> <", "><").replace(' "', '"')
    prefix = "c" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8] + "-"
    referenced = set(_REFERENCE.findall(text))
    text = _ID.sub(lambda match: f' id="{prefix}{match.group(1)}"'
                   if match.group(1) in referenced else "", text)
    text = _REFERENCE_TO.sub(lambda match: match.group(1) + prefix + match.group(2), text)
    text = _without_bare_groups(text)
    text = _STYLE.sub(lambda match: 'style="' + re.sub(r"([:;]) ", r"\1", match.group(1)) + '"',
                      text)
    text = _USES.sub(_grouped_uses, text)
    root = (f'<svg font-family="{", ".join(FONT_STACK)}, sans-serif" '
            'stroke-linejoin="round" stroke-linecap="butt"')
    return text.replace("<svg", root, 1)


_FONT_STYLE = re.compile(r"font-family: [^;\"]*;?\s*")
_NO_ROTATION = re.compile(r' transform="rotate\(-?0 [\d. -]+\)"')
_COORDINATES = re.compile(r'(\s(?:d|x|y|x1|x2|y1|y2|points|viewBox|width|height|transform)=")'
                          r'([^"]*)"')
_ROUNDED = re.compile(r"(\d+\.\d)\d+")
_ID = re.compile(r' id="([^"]+)"')
_REFERENCE = re.compile(r'(?:url\(#|href="#)([^)"]+)')
_REFERENCE_TO = re.compile(r'(url\(#|href="#)([^)"]+)')
_STYLE = re.compile(r'style="([^"]*)"')
# a run of markers drawn with one style: the style goes once on a group around them
_USES = re.compile(r'(?:<use [^>]*? style="([^"]*)"/>)(?:<use [^>]*? style="\1"/>)+')


def _grouped_uses(match: re.Match) -> str:
    style = match.group(1)
    return (f'<g style="{style}">' + match.group().replace(f' style="{style}"/>', "/>")
            + "</g>")


_GROUP = re.compile(r"<g\b[^>]*>|</g>")


def _without_bare_groups(text: str) -> str:
    """Drop the <g> elements that carry nothing (matplotlib wraps every artist in one)."""
    pieces, position, bare = [], 0, []
    for tag in _GROUP.finditer(text):
        pieces.append(text[position:tag.start()])
        position = tag.end()
        if tag.group() == "</g>":
            if not bare.pop():
                pieces.append(tag.group())
        else:
            bare.append(tag.group() == "<g>")
            if not bare[-1]:
                pieces.append(tag.group())
    pieces.append(text[position:])
    return "".join(pieces)


SVG_SIZE = re.compile(r'<svg[^>]*\swidth="([\d.]+)pt"\s+height="([\d.]+)pt"')


def svg_size(text: str) -> tuple[float, float]:
    """An SVG's width and height in points."""
    match = SVG_SIZE.search(text)
    return (float(match.group(1)), float(match.group(2))) if match else (0.0, 0.0)


def _legend_below(axis: plt.Axes, columns: int = 4) -> None:
    """The key under the plot, outside it (constrained layout makes the room)."""
    handles, labels = axis.get_legend_handles_labels()
    if axis.get_legend() is not None:  # pandas and seaborn put one inside the plot
        axis.get_legend().remove()
    if handles:
        axis.figure.legend(handles, labels, loc="outside lower center",
                           ncol=min(columns, len(handles)), frameon=False)


def _title(axis: plt.Axes, title: str, width: int) -> None:
    """The chart's title, wrapped, at the top of the plot: placed, not searched for (the axis is
    below the plot, so nothing there can meet it), which saves measuring every tick label
    three times a draw."""
    axis.set_title(_wrapped(title, width), y=1.0)


def _wrapped(text: str, width: int = 60) -> str:
    return textwrap.fill(str(text), width, break_long_words=False, break_on_hyphens=False)


def _shown(value: float, unit_label: str) -> str:
    if value is None or pd.isna(value):
        return "not shown"
    if unit_label == "%":
        return f"{value:.1f}%"
    return f"{value:,.1f}" if not float(value).is_integer() else f"{value:,.0f}"


def listed(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``: items in a sentence."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- statistical process control ---------------------------------------------------------


def spc_chart(title: str, xmr: pd.DataFrame, unit_label: str,
              target: float | None = None) -> Chart:
    """One XmR chart: the monthly value, its mean and process limits, the target if there is
    one, and special causes marked by colour and shape, with a key below the plot."""
    months = [month_label(month) for month in xmr.index]
    x = np.arange(len(months))
    figure, axis = plt.subplots(layout="constrained", figsize=(4.6, 3.3))
    axis.plot(x, xmr["value"], color=GREY, marker="o", markersize=3, linewidth=1.2,
              label="month")
    axis.plot(x, xmr["mean"], color=BLACK, linewidth=1, label="mean")
    axis.plot(x, xmr["ucl"], color=GREY, linestyle="--", linewidth=1, label="process limits")
    axis.plot(x, xmr["lcl"], color=GREY, linestyle="--", linewidth=1)
    if target is not None:
        axis.axhline(target, color=ORANGE, linestyle=":", linewidth=1.6, label="target")
    signals = xmr["signal"].fillna("").to_numpy()
    for signal, (colour, marker, words) in SIGNAL_STYLES.items():
        flagged = signals == signal
        if flagged.any():
            axis.scatter(x[flagged], xmr["value"].to_numpy()[flagged], color=colour,
                         marker=marker, s=36, zorder=3, label=words)
    _title(axis, title, 44)
    axis.set_ylabel(unit_label)
    ticks = x[:: max(1, math.ceil(len(x) / 4))]
    axis.set_xticks(ticks, [months[i] for i in ticks])
    _legend_below(axis, columns=2)
    data = pd.DataFrame({
        "Month": months, "Value": [_shown(v, unit_label) for v in xmr["value"]],
        "Mean": [_shown(v, unit_label) for v in xmr["mean"]],
        "Lower limit": [_shown(v, unit_label) for v in xmr["lcl"]],
        "Upper limit": [_shown(v, unit_label) for v in xmr["ucl"]],
        "Special cause": [SIGNAL_STYLES[s][2].removeprefix("special cause: ") if s else ""
                          for s in signals]})
    shown = xmr.dropna(subset=["value"])
    latest = shown.iloc[-1] if len(shown) else None
    counts = pd.Series(signals[signals != ""]).value_counts()
    special = (listed([f"{count} {SIGNAL_STYLES[s][2].removeprefix('special cause: ')}"
                        for s, count in counts.items()])
               if len(counts) else "none")
    description = (
        f"{title}, monthly, {months[0]} to {months[-1]}"
        + (f": latest {_shown(latest['value'], unit_label)} in "
           f"{month_label(shown.index[-1])}, mean {_shown(latest['mean'], unit_label)}, "
           f"process limits {_shown(latest['lcl'], unit_label)} to "
           f"{_shown(latest['ucl'], unit_label)}" if latest is not None else "")
        + (f"; target {_shown(target, unit_label)}" if target is not None else "")
        + f". Months marked as special causes: {special}.")
    return Chart(figure, description, data)


# --- areas side by side --------------------------------------------------------------------


def area_bars(frame: pd.DataFrame, title: str, unit_label: str,
              partnership_value: float | None = None, highlight: str | None = None) -> Chart:
    """Horizontal bars of one indicator by area with 95% intervals; the partnership as a line.

    ``frame`` has columns name, value, lower, upper (no value where it is not publishable).
    """
    shown = frame.dropna(subset=["value"])
    figure, axis = plt.subplots(layout="constrained",
                                figsize=(4.6, 0.42 * max(len(shown), 2) + 1.6))
    colours = [HIGHLIGHT if name == highlight else OTHER for name in shown["name"]]
    y = np.arange(len(shown))
    axis.barh(y, shown["value"], color=colours)
    errors = np.vstack([shown["value"] - shown["lower"], shown["upper"] - shown["value"]])
    axis.errorbar(shown["value"], y, xerr=np.nan_to_num(np.clip(errors, 0, None)), fmt="none",
                  ecolor=BLACK, elinewidth=0.9, capsize=2.5, label="95% interval")
    axis.set_yticks(y, [_wrapped(name, 18) for name in shown["name"]])
    axis.invert_yaxis()
    has_line = partnership_value is not None and not pd.isna(partnership_value)
    if has_line:
        axis.axvline(partnership_value, color=PARTNERSHIP, linestyle="--", linewidth=1.6,
                     label="partnership")
    _title(axis, title, 44)
    axis.set_xlabel(unit_label)
    _legend_below(axis, columns=2)
    data = pd.DataFrame({"Area": frame["name"],
                         "Figure": [_shown(v, unit_label) for v in frame["value"]],
                         "95% interval": [
                             f"{_shown(lo, unit_label)} to {_shown(hi, unit_label)}"
                             if not pd.isna(v) else "not shown"
                             for v, lo, hi in zip(frame["value"], frame["lower"],
                                                  frame["upper"], strict=True)]})
    if has_line:
        data = pd.concat([data, pd.DataFrame([{"Area": "Partnership",
                                               "Figure": _shown(partnership_value, unit_label),
                                               "95% interval": ""}])], ignore_index=True)
    ordered = shown.sort_values("value", ascending=False)
    description = (
        f"{title} by area: "
        + listed([f"{name} {_shown(value, unit_label)}"
                   for name, value in zip(ordered["name"], ordered["value"], strict=True)])
        + (f"; the partnership {_shown(partnership_value, unit_label)}" if has_line else "")
        + (f". Not shown: {listed(list(frame.loc[frame['value'].isna(), 'name']))}"
           if frame["value"].isna().any() else "") + ".")
    return Chart(figure, description, data)


def funnel(frame: pd.DataFrame, target: float, limits: dict[str, tuple], title: str,
           highlight: str | None = None) -> Chart:
    """A funnel plot: each area's percentage against its denominator, with control limits.

    ``limits`` maps a label (e.g. "95% limits") to (denominators, lower, upper) in percent.
    """
    figure, axis = plt.subplots(layout="constrained", figsize=(6.4, 4.2))
    outside = {}
    for (label, (x, lower, upper)), style in zip(limits.items(), ["--", ":"], strict=False):
        axis.plot(x, lower, color=GREY, linestyle=style, linewidth=1.1, label=label)
        axis.plot(x, upper, color=GREY, linestyle=style, linewidth=1.1)
        outside[label] = (x, lower, upper)
    axis.axhline(target, color=PARTNERSHIP, linewidth=1.6, label="partnership")
    mine = (frame["name"] == highlight).to_numpy()
    for chosen, colour, marker, size in ((~mine, BLACK, "o", 24), (mine, HIGHLIGHT, "D", 42)):
        if chosen.any():  # one set of markers each, not one per area
            axis.scatter(frame["denominator"][chosen], frame["value"][chosen], color=colour,
                         marker=marker, s=size, zorder=3)
    for name, denominator, value, is_mine in zip(frame["name"], frame["denominator"],
                                                 frame["value"], mine, strict=True):
        axis.annotate(name, (denominator, value), fontsize=SMALLEST_TEXT,
                      fontweight="bold" if is_mine else "normal", xytext=(5, 3),
                      textcoords="offset points")
    axis.set_xlabel("cases in the 12 months (denominator)")
    axis.set_ylabel("%")
    _title(axis, title, 60)
    _legend_below(axis, columns=3)
    positions = []
    for _, row in frame.iterrows():
        position = "inside the 95% limits"
        for label, (x, lower, upper) in outside.items():
            low = np.interp(row["denominator"], x, lower)
            high = np.interp(row["denominator"], x, upper)
            if not low <= row["value"] <= high:
                position = f"outside the {label}"
        positions.append(position)
    data = pd.DataFrame({"Area": frame["name"],
                         "Percentage": [f"{v:.1f}%" for v in frame["value"]],
                         "Cases": [f"{d:,.0f}" for d in frame["denominator"]],
                         "Position": positions})
    description = (f"Funnel plot of {title.lower()} against the partnership's {target:.1f}%: "
                   + listed([f"{name} {value:.1f}% of {denominator:,.0f}, {position}"
                              for name, value, denominator, position in zip(
                                  frame["name"], frame["value"], frame["denominator"],
                                  positions, strict=True)]) + "."
                   + (f" {highlight} is highlighted." if highlight else ""))
    return Chart(figure, description, data)


# --- counts ----------------------------------------------------------------------------------


def stacked_bars(frame: pd.DataFrame, index: str, columns: list[str], title: str,
                 xlabel: str, palette: list[str] | None = None) -> Chart | None:
    """Horizontal stacked bars of counts (e.g. ratings by standard, actions by status)."""
    if frame.empty:
        return None
    data = frame.set_index(index)[columns]
    figure, axis = plt.subplots(layout="constrained", figsize=(7.2, 0.45 * len(data) + 1.9))
    data.plot(kind="barh", stacked=True, ax=axis,
              color=palette or sns.color_palette("colorblind", len(columns)),
              edgecolor="white", linewidth=0.8)
    axis.invert_yaxis()
    _title(axis, title, 70)
    axis.set_xlabel(xlabel)
    axis.set_ylabel("")
    axis.set_yticks(range(len(data)), [_wrapped(label, 30) for label in data.index])
    _legend_below(axis, columns=4)
    rows = [f"{label}: " + listed([f"{int(count)} {column.lower()}"
                                    for column, count in line.items() if count])
            for label, line in data.iterrows()]
    description = f"{title}. " + "; ".join(rows) + "."
    return Chart(figure, description, data.reset_index())


def quarterly_bars(frame: pd.DataFrame, x: str, y: str, hue: str | None, title: str,
                   ylabel: str) -> Chart | None:
    if frame.empty:
        return None
    figure, axis = plt.subplots(layout="constrained", figsize=(7.2, 3.4))
    sns.barplot(data=frame, x=x, y=y, hue=hue, ax=axis,
                palette="colorblind" if hue else None, color=None if hue else HIGHLIGHT)
    _title(axis, title, 70)
    axis.set_xlabel("")
    axis.set_ylabel(ylabel)
    axis.tick_params(axis="x", rotation=45)
    if hue:
        _legend_below(axis, columns=4)
    if hue:
        table = frame.pivot_table(index=x, columns=hue, values=y, aggfunc="sum",
                                  fill_value=0).reset_index()
        table.columns.name = None
        parts = [f"{row[x]}: " + listed([f"{int(row[c])} {c}" for c in table.columns[1:]])
                 for _, row in table.iterrows()]
    else:
        table = frame[[x, y]]
        parts = [f"{row[x]} {int(row[y]):,}" for _, row in table.iterrows()]
    description = f"{title} ({ylabel}): " + "; ".join(parts) + "."
    return Chart(figure, description, table.rename(columns=str.capitalize))


# --- trends of published statistics -------------------------------------------------------


def trend_lines(panels: list[tuple[str, pd.DataFrame]], styles: dict[str, tuple[str, str, str]]
                ) -> Chart:
    """Small multiples of yearly lines, one panel per statistic.

    Each panel is (title, frame of time_period, comparator, value, shown); ``styles`` maps a
    comparator to (legend label, colour, line style); the legend is drawn once, below.
    """
    columns = 2
    rows = max(1, math.ceil(len(panels) / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(COLUMN_WIDTH, 3.0 * rows + 0.6),
                                squeeze=False, layout="constrained")
    for axis in axes.flat[len(panels):]:
        axis.set_visible(False)
    records, described = [], []
    markers = dict(zip(styles, ["o", "s", "^", "D", "v"], strict=False))
    for axis, (title, frame) in zip(axes.flat, panels, strict=False):
        for comparator, (label, colour, style) in styles.items():
            line = frame[frame["comparator"] == comparator].sort_values("time_period")
            axis.plot(line["time_period"], line["value"], color=colour, linestyle=style,
                      marker=markers[comparator], markersize=4, linewidth=1.5, label=label)
            records += [{"Statistic": title, "Year": year, "Comparator": label, "Value": shown}
                        for year, shown in zip(line["time_period"], line["shown"], strict=True)]
        _title(axis, title, 44)
        years = sorted(frame["time_period"].unique())
        axis.set_xticks(years, [str(year) for year in years])
        latest = frame[frame["time_period"] == frame["time_period"].max()]
        # kept short: the first line (the area) against the last (the widest comparator)
        ends = [next(iter(styles)), next(reversed(styles))]
        shown = dict(zip(latest["comparator"], latest["shown"], strict=True))
        described.append(f"{title}, {latest['time_period'].max()}: " + listed([
            f"{styles[end][0]} {shown[end]}" for end in ends if end in shown]))
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncol=min(3, len(labels)),
                  frameon=False)
    description = ("Published figures by year, the latest: " + "; ".join(described) + ".")
    return Chart(figure, description, pd.DataFrame(records))


# --- judgements -------------------------------------------------------------------------------

# Judgement cells: a colour-blind-safe pair for better and worse, a muted pair for higher and
# lower (neither is better), and the word with its symbol in every cell, never colour alone.
JUDGEMENT_STYLES = {"better": (BLUE, "white", "▲"), "worse": (VERMILION, "black", "▼"),
                    "similar": ("#f3f2f1", "#0b0c0c", "●"), "higher": ("#d7c9e8", "#0b0c0c", "↑"),
                    "lower": ("#ece6f4", "#0b0c0c", "↓"),
                    "not compared": ("white", "#505a5f", "–")}


def judgement_heatmap(words: pd.DataFrame, title: str) -> Chart | None:
    """Indicators (rows) by areas (columns), each cell coloured by its judgement and labelled
    with the judgement's symbol and word."""
    if words.empty:
        return None
    rows, columns = words.shape
    figure, axis = plt.subplots(layout="constrained",
                                figsize=(min(COLUMN_WIDTH, 3.4 + 1.25 * columns),
                                         0.4 * rows + 1.5))
    for i, (_, line) in enumerate(words.iterrows()):
        for j, word in enumerate(line):
            fill, ink, symbol = JUDGEMENT_STYLES.get(word, JUDGEMENT_STYLES["not compared"])
            axis.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=fill, edgecolor="white"))
            axis.text(j + 0.5, i + 0.5, f"{symbol} {word}", ha="center", va="center",
                      fontsize=SMALLEST_TEXT, color=ink)
    axis.set_xlim(0, columns)
    axis.set_ylim(rows, 0)
    axis.set_xticks(np.arange(columns) + 0.5, [_wrapped(c, 13) for c in words.columns])
    axis.xaxis.tick_top()
    axis.set_yticks(np.arange(rows) + 0.5, [_wrapped(r, 40) for r in words.index])
    axis.grid(False)
    axis.set_title(title, pad=36)
    counts = pd.Series(words.to_numpy().ravel()).value_counts()
    worst = words.eq("worse").sum().sort_values(ascending=False)
    description = (
        f"{title}: {rows} indicators by {columns} areas. "
        + listed([f"{count} {word}" for word, count in counts.items()]) + "."
        + (f" Most often worse: {worst.index[0]} ({worst.iloc[0]} indicators)."
           if len(worst) and worst.iloc[0] else ""))
    marked = words.map(lambda word: " ".join(
        (JUDGEMENT_STYLES.get(word, JUDGEMENT_STYLES["not compared"])[2], word)))
    return Chart(figure, description, marked.reset_index(names="Indicator"))
