"""The reports say what the judgements say: the tables and heatmaps show the figures and
judgements of data/indicators.csv, every figure worse than a comparator or with a special cause
becomes a finding of its step, findings come most important first with a question and a link,
and "little or no progress" lists what is worse and not improving and every overdue action."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from scrutiny.framework import load_framework
from tests.report_pages import soup

PERIOD = "2025-26-Q4"
AREAS = {"E06000022": "area-bath-and-north-east-somerset.html",
         "E06000023": "area-bristol-city-of.html", "E06000024": "area-north-somerset.html",
         "E06000025": "area-south-gloucestershire.html", "E06000066": "area-somerset.html"}
MARKS = {"better": "▲ better", "worse": "▼ worse", "similar": "● similar", "higher": "↑ higher",
         "lower": "↓ lower"}
NAMED = {"partnership", "region", "neighbour_median", "england"}
KIND_ORDER = ["Worse and getting worse", "Special cause of concern", "Worse than a comparator",
              "Failing its target", "Higher or lower than elsewhere", "Improvement"]


@pytest.fixture(scope="module")
def csv(cycle_outputs) -> pd.DataFrame:
    return pd.read_csv(cycle_outputs["out_dir"] / PERIOD / "data" / "indicators.csv", dtype=str,
                       keep_default_na=False)


@pytest.fixture(scope="module")
def framework(cycle_outputs):
    return load_framework(cycle_outputs["data_dir"])


def _tables(page: BeautifulSoup, caption_part: str) -> list[dict]:
    rows = []
    for table in page.find_all("table"):
        caption = table.find("caption")
        if not caption or caption_part not in caption.get_text():
            continue
        header = [th.get_text(" ").strip() for th in table.find("tr").find_all("th")]
        for tr in table.find_all("tr")[1:]:
            rows.append(dict(zip(header, [td.get_text(" ").strip() for td in tr.find_all("td")],
                                 strict=True)))
    return rows


def _shown(value: str, unit: str) -> str:
    """A CSV figure as a report shows it."""
    if value in ("c", "x", "z") or not value:
        return {"c": "c", "x": "x"}.get(value, "–")
    number = float(value)
    if unit == "percent":
        return f"{number:.1f}%"
    return f"{number:,.1f}" if unit == "rate_per_10k" else f"{number:,.0f}"


def _headline(framework, indicator_id: str) -> str:
    return "quarter" if framework.indicator(indicator_id).aggregation == "stock" else "year"


def _mark(row: pd.Series) -> str:
    word = row["judgement"] if row["judgement"] in ("better", "worse", "similar") \
        else row["comparison"]
    return MARKS.get(word, "–")


@pytest.mark.parametrize("code", list(AREAS))
def test_every_step_table_shows_the_figures_and_judgements_of_indicators_csv(
        cycle_outputs, csv, framework, code):
    page = soup(cycle_outputs["out_dir"] / PERIOD / AREAS[code])
    titles = {ind.title: ind for ind in framework.indicators}
    figures = _tables(page, ": indicators for ")
    compared = _tables(page, "against the partnership, region")
    assert len(figures) == len(framework.indicators) == len(compared)
    for shown, against in zip(figures, compared, strict=True):
        indicator = titles[shown["Indicator"]]
        rows = csv[(csv["area_code"] == code) & (csv["indicator_id"] == indicator.id)
                   & (csv["window"] == _headline(framework, indicator.id))]
        first = rows.iloc[0]
        assert shown["Figure"] == against["Figure"] == _shown(first["value"], indicator.unit)
        if first["ci_lower"] not in ("c", "x", "z"):
            assert shown["95% CI"] == (f"{_shown(first['ci_lower'], indicator.unit)} to "
                                       f"{_shown(first['ci_upper'], indicator.unit)}")
        if indicator.unit == "percent" and first["denominator"] not in ("c", "x", "z"):
            assert shown["Out of"].startswith(f"{float(first['denominator']):,.0f} ")
        assert shown.get("Monthly variation", "–") == (first["spc_variation"] or "–")
        partnership = rows[rows["comparator"] == "partnership"].iloc[0]
        # a column with nothing in any row of the step is left out
        assert against.get("Partnership", "–") == _shown(partnership["comparator_value"],
                                                         indicator.unit)
        assert against.get("Against partnership", "–") == _mark(partnership)
        england = rows[rows["comparator"] == "england"]
        if len(england):
            assert against["Against England"] == _mark(england.iloc[0])
            assert against["England"] == _shown(england.iloc[0]["comparator_value"],
                                                indicator.unit)


def test_the_regional_heatmap_and_figures_are_those_of_indicators_csv(cycle_outputs, csv,
                                                                      framework):
    page = soup(cycle_outputs["out_dir"] / PERIOD / "regional-comparison.html")
    names = {name: code for code, name in (
        ("E06000022", "Bath and North East Somerset"), ("E06000023", "Bristol, City of"),
        ("E06000024", "North Somerset"), ("E06000025", "South Gloucestershire"),
        ("E06000066", "Somerset"))}
    titles = {ind.title: ind for ind in framework.indicators}
    definitions = pd.read_csv(cycle_outputs["out_dir"] / PERIOD / "data" /
                              "indicator_definitions.csv", dtype=str, keep_default_na=False)
    windows = {row.title: (row.indicator_id, "published" if row.source.startswith("DfE")
                           else _headline(framework, row.indicator_id))
               for row in definitions.itertuples()}
    latest = _tables(page, "Latest figures by area")
    assert len(latest) == len(framework.indicators)
    heatmap = _tables(page, "The heatmap's judgements against the partnership as a whole")
    assert len(heatmap) >= 20
    assert any(windows[row["Indicator"]][1] == "published" for row in heatmap)
    for row in heatmap:
        indicator_id, window = windows[row["Indicator"]]
        for name, code in names.items():
            mine = csv[(csv["area_code"] == code) & (csv["indicator_id"] == indicator_id)
                       & (csv["window"] == window) & (csv["comparator"] == "partnership")].iloc[0]
            assert row[name] == MARKS.get(
                mine["judgement"] if mine["judgement"] in MARKS else mine["comparison"],
                "– not compared")
    for row in latest:
        indicator = titles[row["Indicator"]]
        for name, code in names.items():
            mine = csv[(csv["area_code"] == code) & (csv["indicator_id"] == indicator.id)
                       & (csv["window"] == _headline(framework, indicator.id))].iloc[0]
            assert row[name] == _shown(mine["value"], indicator.unit)
    assert page.find("figure", id="heatmap-partnership").find("svg")["aria-label"].startswith(
        "Each area against the partnership as a whole:")
    assert page.find("figure", id="heatmap-england")  # the demo has national statistics


def _findings(page: BeautifulSoup, heading: str) -> list:
    title = page.find(lambda tag: tag.name in ("h2", "h3")
                      and tag.get_text().strip().startswith(heading))
    return title.find_next("ul", class_="scrutiny-findings").find_all("li", recursive=False)


@pytest.mark.parametrize("code", list(AREAS))
def test_every_worse_figure_and_special_cause_is_a_finding_of_its_step(
        cycle_outputs, csv, framework, code):
    page = soup(cycle_outputs["out_dir"] / PERIOD / AREAS[code])
    found = {}
    for step in framework.steps:
        heading = page.find("h2", string=f"Step {step.number}: {step.title}")
        findings = heading.find_parent("section").find("ul", class_="scrutiny-findings")
        found[step.id] = findings.find_all("li", recursive=False) if findings else []
    for indicator in framework.indicators:
        rows = csv[(csv["area_code"] == code) & (csv["indicator_id"] == indicator.id)
                   & (csv["window"] == _headline(framework, indicator.id))]
        worse = rows[rows["comparator"].isin(NAMED) & (rows["judgement"] == "worse")]
        special = rows["spc_variation"].iloc[0].startswith("special cause")
        sentence = next((li.get_text(" ").split("Question for the partners")[0]
                         for li in found[indicator.step]
                         if li.get_text().startswith(f"{indicator.title}:")), "")
        if len(worse) or special:
            assert sentence, indicator.id
        if indicator.polarity == "context":
            assert "better" not in sentence and "worse" not in sentence


@pytest.mark.parametrize("code", list(AREAS))
def test_key_findings_open_the_report_most_important_first_with_a_question_and_a_link(
        cycle_outputs, code):
    page = soup(cycle_outputs["out_dir"] / PERIOD / AREAS[code])
    sections = [h2 for h2 in page.find_all("h2") if h2.find_parent("nav") is None]
    assert sections[0].get_text().strip().startswith("Key findings")
    items = _findings(page, "Key findings")
    assert 1 <= len(items) <= 8
    kinds = [next(kind for kind in KIND_ORDER if li.get_text().startswith(kind)) for li in items]
    ranks = [KIND_ORDER.index(kind) for kind in kinds]
    assert ranks == sorted(ranks)
    for li in items:
        assert "Question for the partners:" in li.get_text()
        target = li.find("a")["href"].lstrip("#")
        assert page.find(id=target), target  # links to the table it comes from
        assert "95% CI" in li.get_text() or "(published)" in li.get_text()


def test_little_or_no_progress_lists_what_is_worse_and_not_improving_and_every_overdue_action(
        cycle_outputs, csv, framework):
    code = "E06000023"
    page = soup(cycle_outputs["out_dir"] / PERIOD / AREAS[code])
    heading = page.find("h3", string="Where there is little or no progress")
    section_text = ""
    for sibling in heading.find_next_siblings():
        if sibling.name in ("h2", "h3"):
            break
        section_text += sibling.get_text(" ") + " "
    for indicator in framework.indicators:
        rows = csv[(csv["area_code"] == code) & (csv["indicator_id"] == indicator.id)]
        headline = rows[rows["window"] == _headline(framework, indicator.id)]
        worse = (headline["comparator"].isin(NAMED) & (headline["judgement"] == "worse")).any()
        polarity_good = "rising" if indicator.polarity == "higher_is_better" else "falling"
        improving = (rows["trend"] == polarity_good).any() or (
            headline["spc_variation"] == "special cause improving").any()
        if worse and not improving:
            assert f"{indicator.title}:" in section_text, indicator.id
    with duckdb.connect(str(cycle_outputs["store"]), read_only=True) as connection:
        actions = connection.execute(
            "SELECT * FROM actions WHERE area_code = ? AND period = ?", [code, PERIOD]).df()
    overdue = actions[(actions["status"] != "completed")
                      & (pd.to_datetime(actions["due"]) < pd.Timestamp("2026-03-31"))]
    listed = _tables(page, "Every action overdue at the end of the quarter")
    assert len(listed) == len(overdue) > 0
    assert {row["Action"] for row in listed} == set(overdue["action_ref"])
    sources = [row["Source"] for row in listed]
    framework_order = [framework.label("action_source", c)
                       for c in framework.code_list("action_source")]
    assert sources == sorted(sources, key=framework_order.index)  # grouped by source


@pytest.mark.parametrize("page_name", [*AREAS.values(), "regional-comparison.html"])
def test_the_yearly_reports_evidence_is_filled_from_the_data(cycle_outputs, framework,
                                                             page_name):
    page = soup(cycle_outputs["out_dir"] / PERIOD / page_name)
    rows = _tables(page, "The yearly report's evidence for")
    assert [row["What the yearly report must evidence"] for row in rows] == [
        requirement.title for requirement in framework.yearly_report]
    for row in rows:
        assert row["What this period's data shows"] or row["What is missing"]
    shown = {row["What the yearly report must evidence"]: row for row in rows}
    feedback = shown[next(r.title for r in framework.yearly_report if r.evidence == "feedback")]
    assert "engagement activities in the 12 months" in feedback["What this period's data shows"]


def test_the_area_report_highlights_its_area_in_its_funnel_plots(cycle_outputs):
    page = soup(cycle_outputs["out_dir"] / PERIOD / AREAS["E06000023"])
    funnels = [figure for figure in page.find_all("figure")
               if figure.get("id", "").startswith("help_and_protection-funnel-")]
    assert funnels
    assert all("Bristol, City of is highlighted" in f.find("svg")["aria-label"] for f in funnels)
