"""Charts people can read: text no smaller than 9 pt at 100% zoom, legends outside the plot,
judgements in words as well as colour, a text alternative written from the data, and the data
beside the chart. Each chart is drawn from constructed data and checked against it."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from scrutiny import charts
from scrutiny.present import Section, figure_html
from scrutiny.spc import xmr

COLUMN_PT = 1080 * 3 / 4  # the page's widest column, in points (1 pt = 4/3 px)


def _areas() -> pd.DataFrame:
    return pd.DataFrame({"name": ["Alpha", "Beta", "Gamma", "Delta"],
                         "value": [24.0, 18.5, np.nan, 20.25],
                         "lower": [22.7, 16.0, np.nan, 19.0],
                         "upper": [25.3, 21.0, np.nan, 21.5]})


def _series() -> pd.DataFrame:
    values = [20.0 + (i % 5) * 0.5 for i in range(30)] + [35.0]  # the last month jumps
    months = pd.period_range("2023-04", periods=len(values), freq="M").strftime("%Y-%m")
    return xmr(pd.Series(values, index=months), "lower_is_better")


def _all_charts() -> dict[str, charts.Chart]:
    limits = {"95% limits": (np.array([50, 100, 400]), np.array([10.0, 13.0, 17.0]),
                             np.array([30.0, 27.0, 23.0])),
              "99.8% limits": (np.array([50, 100, 400]), np.array([5.0, 10.0, 15.0]),
                               np.array([35.0, 30.0, 25.0]))}
    funnel_points = pd.DataFrame({"name": ["Alpha", "Beta"], "value": [20.0, 33.0],
                                  "denominator": [100, 400]})
    statuses = pd.DataFrame([{"what": "Actions", "Completed": 12, "Overdue": 3}])
    quarters = pd.DataFrame({"quarter": ["2025-26-Q1", "2025-26-Q2"], "attended": [230, 310]})
    trend = pd.DataFrame({"time_period": [2023, 2024, 2023, 2024],
                          "comparator": ["local_authority", "local_authority", "england",
                                         "england"],
                          "value": [40.0, 44.5, 38.0, 38.2],
                          "shown": ["40.0", "44.5", "38.0", "38.2"]})
    words = pd.DataFrame({"Alpha": ["worse", "similar"], "Beta": ["better", "higher"]},
                         index=["Re-referrals", "Early help"])
    return {
        "spc": charts.spc_chart("Re-referrals", _series(), "%", target=25.0),
        "bars": charts.area_bars(_areas(), "Re-referrals", "%", partnership_value=20.5),
        "funnel": charts.funnel(funnel_points, 22.0, limits, "Re-referrals", highlight="Beta"),
        "stacked": charts.stacked_bars(statuses, "what", ["Completed", "Overdue"],
                                       "Actions by status", "actions"),
        "quarterly": charts.quarterly_bars(quarters, "quarter", "attended", None,
                                           "Practitioners trained", "attendances"),
        "trend": charts.trend_lines([("Referrals per 10,000", trend)],
                                    {"local_authority": ("Alpha", charts.BLUE, "-"),
                                     "england": ("England", charts.BLACK, "-.")}),
        "heatmap": charts.judgement_heatmap(words, "Each area against England"),
    }


@pytest.fixture(scope="module")
def drawn() -> dict[str, tuple[charts.Chart, str]]:
    """Each chart with its SVG (drawing it closes the figure, so its layout is read first)."""
    result = {}
    for name, chart in _all_charts().items():
        chart.figure.canvas.draw()
        chart.overlaps = _legend_overlaps(chart.figure)
        result[name] = (chart, charts.svg(chart.figure))
    return result


def _legend_overlaps(figure) -> list[str]:
    renderer = figure.canvas.get_renderer()
    legends = list(figure.legends) + [axis.get_legend() for axis in figure.axes
                                      if axis.get_legend() is not None]
    overlapping = []
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for axis in figure.axes:
            if axis.get_visible() and box.overlaps(axis.get_window_extent(renderer)):
                overlapping.append(axis.get_title())
    return overlapping


def test_no_chart_text_is_smaller_than_9_points_at_its_natural_size(drawn):
    for name, (_chart, svg) in drawn.items():
        sizes = [float(size) for size in re.findall(r"font-size: ?([\d.]+)px", svg)]
        assert sizes, name
        assert min(sizes) >= 9, (name, min(sizes))
        width, _height = charts.svg_size(svg)
        assert 0 < width <= COLUMN_PT, (name, width)  # never scaled down in the column


def test_legends_sit_outside_the_plotting_area(drawn):
    for name, (chart, _svg) in drawn.items():
        assert not chart.overlaps, (name, chart.overlaps)


def test_svg_text_stays_text_with_ids_unique_to_each_chart(drawn):
    for name, (_chart, svg) in drawn.items():
        assert "<text" in svg and "<path" in svg, name  # text is not outlined into paths
        assert "font-family" not in re.sub(r"<svg[^>]*>", "", svg, count=1), name
    page = "".join(svg for _chart, svg in drawn.values())
    ids = Counter(re.findall(r' id="([^"]+)"', page))
    assert not [ident for ident, count in ids.items() if count > 1]
    for reference in re.findall(r'url\(#([^)]+)\)', page):
        assert reference in ids  # every clip path a chart uses is still there


def test_text_alternatives_give_the_key_numbers_from_the_data(drawn):
    bars = drawn["bars"][0].description
    assert "Alpha 24.0%" in bars and "Beta 18.5%" in bars and "Delta 20.2%" in bars
    assert "partnership 20.5%" in bars and "Not shown: Gamma" in bars
    assert bars.index("Alpha") < bars.index("Delta") < bars.index("Beta")  # highest first
    spc = drawn["spc"][0].description
    assert "latest 35.0%" in spc and "target 25.0%" in spc and "concern" in spc
    funnel = drawn["funnel"][0].description
    assert "Alpha 20.0% of 100, inside the 95% limits" in funnel
    assert "Beta 33.0% of 400, outside the 99.8% limits" in funnel  # above 25.0 at 400
    assert "Beta is highlighted" in funnel
    assert "Actions: 12 completed and 3 overdue" in drawn["stacked"][0].description
    assert "2025-26-Q2 310" in drawn["quarterly"][0].description
    assert "Alpha 44.5 and England 38.2" in drawn["trend"][0].description
    assert "1 worse" in drawn["heatmap"][0].description


def test_each_chart_carries_the_data_it_draws(drawn):
    spc_data = drawn["spc"][0].data
    series = _series()
    assert len(spc_data) == len(series)
    assert list(spc_data["Value"][-2:]) == [f"{v:.1f}%" for v in series["value"][-2:]]
    assert spc_data["Special cause"].iloc[-1] == "concern"
    bars = drawn["bars"][0].data
    assert list(bars["Figure"]) == ["24.0%", "18.5%", "not shown", "20.2%", "20.5%"]
    heatmap = drawn["heatmap"][0].data
    assert list(heatmap.loc[0]) == ["Re-referrals", "▼ worse", "▲ better"]


def test_judgements_and_signals_are_never_colour_alone():
    words = pd.DataFrame({"A": ["worse", "better"], "B": ["similar", "lower"]}, index=["x", "y"])
    chart = charts.judgement_heatmap(words, "t")
    texts = {text.get_text() for text in chart.figure.axes[0].texts}
    assert texts == {"▼ worse", "▲ better", "● similar", "↓ lower"}
    markers = {marker for _colour, marker, _words in charts.SIGNAL_STYLES.values()}
    assert len(markers) == len(charts.SIGNAL_STYLES)  # each kind has its own shape too


def test_a_figure_is_named_by_its_description_with_caption_and_collapsed_data():
    chart = charts.area_bars(_areas(), "Re-referrals", "%", partnership_value=20.5)
    html = Section().figure(chart, "Re-referrals by area", anchor="bars").blocks[0]
    figure = BeautifulSoup(html, "html.parser").find("figure")
    svg = figure.find("svg")
    assert svg["role"] == "img" and svg["aria-label"] == chart.description
    assert figure.find("figcaption").get_text() == "Re-referrals by area"
    assert svg["aria-label"] != figure.find("figcaption").get_text()
    details = figure.find("details")
    assert details is not None and not details.has_attr("open")
    assert [td.get_text() for td in details.find_all("tr")[1].find_all("td")] == [
        "Alpha", "24.0%", "22.7% to 25.3%"]
    assert figure_html(chart, "x").count("<svg") == 1


@pytest.mark.parametrize("title", ["Cost under $500 a week and over $1,000 a week",
                                   "Early help started $x^$"])
def test_dollar_signs_in_a_framework_title_are_drawn_as_written(title):
    # matplotlib reads text between two $ as maths: a title must stay the framework's words
    chart = charts.area_bars(_areas(), title, "%")
    texts = [text.get_text() for text in BeautifulSoup(charts.svg(chart.figure),
                                                       "html.parser").find_all("text")]
    assert title in " ".join(texts), texts  # a wrapped title is a text a line
