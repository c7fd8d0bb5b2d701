"""A partnership's own framework flows through every report, with no edit to the package.

The data folder brings its own framework.toml (its own step titles, questions and order), a
theme added with `scrutiny new-theme` (with its deep dive) and its own indicator computed
from the actions return by a measure in its measures/ folder. One cycle runs on it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from report_pages import soup, table_row

from scrutiny import demo, store
from scrutiny.cli import main
from scrutiny.runner import run_cycle

BRISTOL = "E06000023"
# the partnership's own steps, in its own order and words (ids as its returns use them)
OWN_STEPS = [
    ("voice", "Listening to children and families",
     "How do we know that what children tell us changes what we do?", ["voice"],
     '[{ kind = "engagement" }]'),
    ("help_and_protection", "The child's journey",
     "Is help given early enough, and are children protected when they need it?",
     ["indicators"], '[{ kind = "monthly_trends" }]'),
    ("learning", "Learning when things go wrong",
     "Do we review serious incidents on time and act on what we learn?",
     ["reviews", "actions"], '[{ kind = "review_decisions" }]'),
    ("leadership", "Holding each other to account",
     "Do leaders challenge each other and follow through?", ["section11", "actions"],
     '[{ kind = "section11_ratings" }, { kind = "action_status", '
     'title = "Actions from inspections", action_sources = ["inspection"] }]'),
    ("workforce", "A confident workforce", "Are practitioners trained for what they meet?",
     ["training"], '[{ kind = "training_by_theme" }]'),
    ("assurance", "What difference have we made?",
     "Where is there progress, and where none?", ["audits", "actions"],
     '[{ kind = "action_tracker" }, { kind = "audit_grades" }]'),
]
OWN_INDICATOR = textwrap.dedent("""\

    [[indicators]]
    id = "la_actions_open"
    title = "Local authority actions still open"
    definition = "Actions owned by the local authority not yet completed, of all its actions."
    unit = "percent"
    polarity = "context"
    step = "leadership"
    themes = ["partnership"]
    source = "actions"
    aggregation = "stock"
    compute = "partner:open_for_agency"
    rows = "snapshot"
    options = { agency = "local_authority" }
    """)
OWN_MEASURE = textwrap.dedent('''\
    import pandas as pd


    def open_for_agency(rows, context, *, agency):
        """Actions owned by ``agency`` not yet completed, of all its actions."""
        mine = rows[rows["owner_agency"] == agency]
        return pd.DataFrame({"numerator": (mine["status"] != "completed").astype(int),
                             "denominator": 1}, index=mine.index)
    ''')


def own_framework_text() -> str:
    from scrutiny.framework import default_text

    default = default_text("framework.toml")
    codes_and_themes = default[default.index("# Code lists"):]
    steps = "".join(
        f'\n[[steps]]\nid = "{step_id}"\ntitle = "{title}"\nquestion = "{question}"\n'
        f"returns = {json.dumps(returns)}\npanels = {panels}\n"
        for step_id, title, question, returns, panels in OWN_STEPS)
    return "[disclosure]\nthreshold = 5\n" + steps + "\n" + codes_and_themes


@pytest.fixture(scope="module")
def own_cycle(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("own-framework")
    data = root / "data"
    demo.generate(data)
    (data / "framework.toml").write_text(own_framework_text(), encoding="utf-8")
    scaffolded = CliRunner().invoke(main, ["new-theme", "Neglect and poverty", "--data",
                                           str(data)])
    assert scaffolded.exit_code == 0, scaffolded.output
    with (data / "indicators.toml").open("a", encoding="utf-8") as catalogue:
        catalogue.write(OWN_INDICATOR)
    (data / "measures" / "partner.py").write_text(OWN_MEASURE, encoding="utf-8")
    result = run_cycle(data, root / "reports", area_codes=[BRISTOL], progress=False)
    assert not result.failed, [outcome.error for outcome in result.failed]
    return {"data": data, "out": result.out_dir, "store": root / "reports" / "scrutiny.duckdb",
            "scaffold_output": scaffolded.output}


def headings(page: BeautifulSoup, level: str) -> list[str]:
    return [h.get_text(" ").strip() for h in page.find_all(level)
            if h.get_text().startswith("Step ")]


def test_area_and_regional_reports_show_exactly_the_partnerships_steps(own_cycle):
    expected = [f"Step {n}: {title}" for n, (_, title, *_rest) in enumerate(OWN_STEPS, 1)]
    area = soup(own_cycle["out"] / "area-bristol-city-of.html")
    assert headings(area, "h2") == expected
    text = area.get_text(" ")
    for _, _, question, _, _ in OWN_STEPS:
        assert question in text
    assert "Leadership and accountability" not in text  # the default's words are gone
    regional = soup(own_cycle["out"] / "regional-comparison.html")
    assert headings(regional, "h3") == expected
    # no step has a published_statistics panel, so no report shows any
    assert "Benchmarks from published statistics" not in text
    assert "framework names no published statistics" in regional.get_text(" ")


def test_the_partnerships_own_indicator_is_computed_from_the_actions_return(own_cycle):
    data = own_cycle["data"]
    frames = [pd.read_csv(path) if path.suffix == ".csv" else pd.read_excel(path)
              for path in (data / "returns").rglob(f"actions_{BRISTOL}_2025-26-Q4*")]
    actions = pd.concat(frames)
    mine = actions[actions["owner_agency"] == "local_authority"]
    still_open = int((mine["status"] != "completed").sum())
    assert still_open >= 5 and len(mine) >= 5  # large enough to be published
    expected = f"{100 * still_open / len(mine):.1f}%"

    area = soup(own_cycle["out"] / "area-bristol-city-of.html")
    cells = table_row(area, "Holding each other to account: indicators",
                "Local authority actions still open")
    assert cells[3] == expected  # Figure column: the position at the quarter's end
    regional = soup(own_cycle["out"] / "regional-comparison.html")
    cells = table_row(regional, "Latest figures by area", "Local authority actions still open")
    assert cells[4].split()[0] == expected  # Bristol is the second area column


def test_a_scaffolded_theme_appears_with_its_deep_dive(own_cycle):
    area = soup(own_cycle["out"] / "area-bristol-city-of.html")
    assert "Neglect and poverty" in [h.get_text().strip() for h in area.find_all("h3")]
    table_row(area, "Neglect and poverty: indicators", "Neglect and poverty: actions overdue")
    deep_dive = own_cycle["out"] / "deep-dive-neglect-and-poverty-bristol-city-of.html"
    text = soup(deep_dive).get_text(" ")
    assert "Bristol, City of: Neglect and poverty (deep dive)" in text
    assert "Synthetic demonstration data" in text  # the same notices as every report
    index = soup(own_cycle["out"] / "index.html")
    links = {a.get_text().strip(): a["href"] for a in index.find_all("a")}
    assert links["Bristol, City of: Neglect and poverty"] == deep_dive.name


def test_the_store_keeps_the_framework_the_reports_were_built_with(own_cycle):
    with store.open_store(own_cycle["store"]) as connection:
        _, texts = store.load_settings(connection)
    assert texts["framework.toml"] == (own_cycle["data"] / "framework.toml").read_text()
    assert texts["measures/partner.py"] == OWN_MEASURE
    assert "neglect_and_poverty_actions_overdue" in texts["indicators.toml"]


def test_the_scaffolded_test_passes_on_the_scaffolded_measure(own_cycle):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", os.devnull,
         "--rootdir", str(own_cycle["data"]), str(own_cycle["data"] / "tests")],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_the_data_behind_the_reports_carries_the_new_indicators_as_published(own_cycle):
    data = own_cycle["out"] / "data"
    figures = pd.read_csv(data / "indicators.csv", dtype=str, keep_default_na=False)
    definitions = pd.read_csv(data / "indicator_definitions.csv", dtype=str,
                              keep_default_na=False).set_index("indicator_id")
    mine = figures[(figures["indicator_id"] == "la_actions_open")
                   & (figures["area_code"] == BRISTOL) & (figures["window"] == "quarter")]
    report = soup(own_cycle["out"] / "area-bristol-city-of.html")
    shown = table_row(report, "Holding each other to account: indicators",
                      "Local authority actions still open")[3]
    assert set(mine["value"]) == {shown.rstrip("%")}
    assert definitions.loc["la_actions_open", "step"] == "Holding each other to account"
    assert definitions.loc["neglect_and_poverty_actions_overdue", "themes"] == \
        "Neglect and poverty"
    hidden = figures[figures["value"].isin(["c", "x"])]
    assert len(hidden) and (hidden[["numerator", "denominator"]].to_numpy()
                            == hidden[["value"]].to_numpy()).all()
    published = figures[~figures["numerator"].isin(["c", "x", "z", ""])]
    percent = published["indicator_id"].map(definitions["unit"]).eq("percent")
    small = pd.to_numeric(published["numerator"]).between(1, 4) | (
        percent & pd.to_numeric(published["denominator"], errors="coerce").between(1, 4))
    assert not small.any()  # nothing under the threshold is published
    index = soup(own_cycle["out"] / "index.html")
    assert index.find("a", href="data/indicators.csv")
