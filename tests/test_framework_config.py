"""The framework and catalogue as configuration: found, checked, and read the same way by
every stage; measures found in the package, the data folder or a plug-in."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from click.testing import CliRunner

from scrutiny import demo
from scrutiny.cli import main
from scrutiny.framework import (
    FrameworkError,
    check_against_returns,
    default_text,
    framework_from_texts,
    load_framework,
)
from scrutiny.lab import LabError, lab_command, latest_run
from scrutiny.measures import MeasureContext, MeasureError, find_measure, run_measure
from scrutiny.periods import Period
from scrutiny.report.common import CycleFigures
from scrutiny.scaffold import new_theme

FRAMEWORK = default_text("framework.toml")
CATALOGUE = default_text("indicators.toml")


def test_the_default_framework_states_every_steps_evidence():
    framework = load_framework()
    assert [step.number for step in framework.steps] == [1, 2, 3, 4, 5, 6]
    for step in framework.steps:  # each step rests on returns and shows something
        assert step.returns and (step.panels or framework.indicators_for(step=step.id))
    assert framework.returns == ["section11", "actions", "indicators", "voice", "reviews",
                                 "training", "audits"]
    assert framework.disclosure_threshold == 5
    assert framework.label("section11_rating", "not_met") == "Not met"
    parameters = framework.contract_parameters()
    assert parameters["action_source_codes"] == ["cspr", "audit", "inspection", "scrutiny",
                                                 "section11"]
    assert parameters["step_ids"][0] == "leadership"


def test_every_panel_kind_has_a_drawing_in_the_area_report():
    from scrutiny.framework import PANEL_OPTIONS
    from scrutiny.report.area import AreaReport

    assert all(callable(getattr(AreaReport, f"_{kind}", None)) for kind in PANEL_OPTIONS)


def test_the_data_folders_own_files_replace_the_defaults(tmp_path):
    (tmp_path / "framework.toml").write_text(
        FRAMEWORK.replace('title = "Leadership and accountability"', 'title = "Our leaders"'),
        encoding="utf-8")
    assert load_framework(tmp_path).step("leadership").title == "Our leaders"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "framework.toml").write_text(
        FRAMEWORK.replace("threshold = 5", "threshold = 10"), encoding="utf-8")
    chosen = load_framework(tmp_path, elsewhere / "framework.toml")  # --framework wins
    assert chosen.disclosure_threshold == 10
    assert chosen.step("leadership").title == "Leadership and accountability"
    with pytest.raises(FrameworkError, match="no such file"):
        load_framework(tmp_path, tmp_path / "missing.toml")


def _broken(framework: str = FRAMEWORK, catalogue: str = CATALOGUE) -> str:
    with pytest.raises(FrameworkError) as raised:
        framework_from_texts({"framework.toml": framework, "indicators.toml": catalogue})
    return str(raised.value)


@pytest.mark.parametrize(("framework", "catalogue", "says"), [
    (FRAMEWORK, CATALOGUE.replace('step = "voice"', 'step = "listening"', 1),
     "indicator 'voice_participants' has an unknown step 'listening'"),
    (FRAMEWORK, CATALOGUE.replace('themes = ["early_help"]', 'themes = ["neglect"]', 1),
     "has an unknown theme 'neglect'"),
    (FRAMEWORK.replace('id = "voice"', 'id = "leadership"'), CATALOGUE,
     "step 'leadership' is defined twice"),
    (FRAMEWORK.replace('id = "missing"', 'id = "exploitation"'), CATALOGUE,
     "theme 'exploitation' is defined twice"),
    (FRAMEWORK, CATALOGUE.replace('id = "cla"', 'id = "cpp"'), "indicator 'cpp' is defined twice"),
    (FRAMEWORK.replace('panels = [{ kind = "engagement" }]', "panels = []"),
     CATALOGUE.replace('step = "voice"', 'step = "assurance"'),
     "step 'voice' has no evidence"),
    (FRAMEWORK.replace('{ kind = "engagement" }', '{ kind = "word_cloud" }'), CATALOGUE,
     "unknown panel kind 'word_cloud'"),
    (FRAMEWORK.replace('{ kind = "engagement" }', '{ kind = "engagement", colour = "red" }'),
     CATALOGUE, "unknown key 'colour'"),
    (FRAMEWORK.replace('id = "voice"', 'id = "voice"\nnumber = 3'), CATALOGUE,
     "numbered by their order"),
    (FRAMEWORK.replace("threshold = 5", "threshold = 1"), CATALOGUE, "3 or more"),
    (FRAMEWORK.replace('[[steps]]\nid = "voice"', '[[steps]\nid = "voice"'), CATALOGUE,
     "not valid TOML"),
    (FRAMEWORK, CATALOGUE.replace('compute = "filled_in"', 'compute = "guesswork"'),
     "'guesswork' is not a measure"),
    (FRAMEWORK, CATALOGUE.replace('compute = "filled_in"', 'compute = "ours:changed"'),
     "there is no measures/ours.py"),
    (FRAMEWORK, CATALOGUE.replace('compute = "filled_in"\n', ""),
     "needs compute"),
    (FRAMEWORK, CATALOGUE.replace('id = "cla"', 'id = "cla"\ncompute = "column_sum"'),
     "needs no compute"),
    (FRAMEWORK.replace('action_sources = ["cspr"], chart', 'action_sources = ["ofsted"], chart'),
     CATALOGUE, "action sources 'ofsted' that are not in [codes.action_source]"),
    (FRAMEWORK.replace('evidence = "feedback"', 'evidence = "gut_feeling"'), CATALOGUE,
     "unknown evidence 'gut_feeling'"),
    (FRAMEWORK.replace('action_sources = ["cspr"]\n', 'action_sources = ["ofsted"]\n', 1),
     CATALOGUE, "yearly_report 'review_actions' names an unknown action source 'ofsted'"),
    (FRAMEWORK.replace('steps = ["help_and_protection", "leadership"]', 'steps = ["care"]'),
     CATALOGUE, "yearly_report 'impact' names an unknown step 'care'"),
    (FRAMEWORK.replace("baseline_months = 0", "baseline_months = 1"), CATALOGUE,
     "baseline_months must be 0"),
    (FRAMEWORK.replace("\n[findings]\n", "\n[findings]\nmaybe = \"Why?\"\n"), CATALOGUE,
     "[findings]: unknown key 'maybe'"),
    (FRAMEWORK, CATALOGUE.replace('target = 100', 'target = "all"', 1),
     "target must be a number"),
    (FRAMEWORK, CATALOGUE.replace('id = "cla"', 'id = "cla"\nrebase = ["April 2025"]'),
     "rebase 'April 2025' must be a month written YYYY-MM"),
])
def test_an_inconsistent_framework_is_refused_in_one_sentence(framework, catalogue, says):
    assert says in _broken(framework, catalogue)


def test_names_are_checked_against_the_return_contracts_and_published_statistics():
    from scrutiny.contracts import load_contracts
    from scrutiny.national import BY_ID

    columns = {name: [c.name for c in contract.columns]
               for name, contract in load_contracts().items()}
    check_against_returns(load_framework(), columns, set(BY_ID))
    for framework, catalogue, says in [
        (FRAMEWORK.replace('returns = ["voice"]', 'returns = ["diaries"]'), CATALOGUE,
         "'diaries', which is not a return"),
        (FRAMEWORK.replace('"sw_caseload"', '"sw_happiness"'), CATALOGUE,
         "unknown published statistics 'sw_happiness'"),
        (FRAMEWORK, CATALOGUE.replace('rows = "notified_date"', 'rows = "told_date"', 1),
         "rows = 'told_date' is neither"),
        (FRAMEWORK.replace('good = "Good"', 'good = "Good"\nfine = "Fine"'), CATALOGUE,
         "fine: each grade must be a column of the audits return"),
    ]:
        with pytest.raises(FrameworkError, match=says):
            check_against_returns(framework_from_texts(
                {"framework.toml": framework, "indicators.toml": catalogue}), columns, set(BY_ID))


def test_the_disclosure_threshold_of_the_framework_is_the_one_applied():
    framework = framework_from_texts({"framework.toml": FRAMEWORK.replace("threshold = 5",
                                                                          "threshold = 10")})
    figures = CycleFigures(SimpleNamespace(framework=framework))
    assert figures.count(7) == "c" and figures.count(10) == "10" and figures.count(0) == "0"
    assert figures.percent(8, 20) == "c" and figures.percent(12, 20) == "60.0%"
    default = CycleFigures(SimpleNamespace(framework=load_framework()))
    assert default.count(7) == "7" and default.count(4) == "c"


ACTIONS = pd.DataFrame({
    "area_code": ["A", "A", "A", "B"],
    "owner_agency": ["police", "police", "health", "police"],
    "status": ["open", "completed", "open", "in_progress"],
    "due": ["2026-01-10", "2026-01-10", "2026-01-10", "2026-06-01"],
})
CONTEXT = MeasureContext(Period.parse("2025-26-Q4"), pd.Timestamp("2026-01-01"),
                         pd.Timestamp("2026-03-31"), load_framework())


def _with_measure(module_text: str, compute: str = "ours:police_overdue"):
    catalogue = CATALOGUE + (
        '\n[[indicators]]\nid = "police_overdue"\ntitle = "Police actions overdue"\n'
        'definition = "d"\nunit = "percent"\npolarity = "lower_is_better"\n'
        'step = "assurance"\nsource = "actions"\naggregation = "stock"\n'
        f'compute = "{compute}"\nrows = "snapshot"\noptions = {{ agency = "police" }}\n')
    return framework_from_texts({"indicators.toml": catalogue, "measures/ours.py": module_text})


OURS = """
import pandas as pd

def police_overdue(rows, context, *, agency):
    mine = rows[(rows["owner_agency"] == agency) & (rows["status"] != "completed")]
    return pd.DataFrame({"numerator": (pd.to_datetime(mine["due"]) < context.end).astype(int),
                         "denominator": 1}, index=mine.index)
"""


def test_a_partnerships_own_measure_is_run_and_checked():
    framework = _with_measure(OURS)
    indicator = framework.indicator("police_overdue")
    result = run_measure(indicator, framework, ACTIONS, CONTEXT)
    assert result.groupby("area_code")[["numerator", "denominator"]].sum().to_dict() == {
        "numerator": {"A": 1.0, "B": 0.0}, "denominator": {"A": 1.0, "B": 1.0}}

    no_denominator = _with_measure(OURS.replace(',\n                         "denominator": 1',
                                                ""))
    with pytest.raises(MeasureError, match="must return a denominator"):
        run_measure(no_denominator.indicator("police_overdue"), no_denominator, ACTIONS, CONTEXT)
    failing = _with_measure(OURS.replace('rows["owner_agency"]', 'rows["owner"]'))
    with pytest.raises(MeasureError, match="'police_overdue': its measure ours:police_overdue "
                                           "failed: KeyError"):
        run_measure(failing.indicator("police_overdue"), failing, ACTIONS, CONTEXT)
    negative = _with_measure(OURS.replace('.astype(int)', '.astype(int) - 1'))
    with pytest.raises(MeasureError, match="returned a numerator that is not a count"):
        run_measure(negative.indicator("police_overdue"), negative, ACTIONS, CONTEXT)
    with pytest.raises(FrameworkError, match="could not be loaded: SyntaxError"):
        _with_measure("def police_overdue(:\n")
    with pytest.raises(FrameworkError, match="has no function police_overdue"):
        _with_measure("x = 1\n")


def test_a_plug_in_packages_measure_is_found_by_its_entry_point(monkeypatch):
    def entry_points(group, name):
        assert group == "scrutiny.measures"
        found = metadata.EntryPoint(name="police_overdue", value="json:dumps", group=group)
        return [found] if name == "police_overdue" else []

    monkeypatch.setattr(metadata, "entry_points", entry_points)
    assert find_measure("police_overdue", {}) is json.dumps
    with pytest.raises(MeasureError, match="is not a measure"):
        find_measure("nobody_has_this", {})


def test_new_theme_refuses_what_it_cannot_do_and_overwrites_nothing(tmp_path):
    with pytest.raises(FrameworkError, match="no partnership.toml"):
        new_theme(tmp_path, "Neglect")
    demo.generate(tmp_path / "data")
    data = tmp_path / "data"
    with pytest.raises(FrameworkError, match="already has a theme 'missing'"):
        new_theme(data, "Missing")
    with pytest.raises(FrameworkError, match="choose the theme's id with --id"):
        new_theme(data, "!!")
    made = new_theme(data, "Neglect")
    assert made.indicator_id == "neglect_actions_overdue"
    assert load_framework(data).theme("neglect").title == "Neglect"
    before = {path: path.read_bytes() for path in made.written}
    again = CliRunner().invoke(main, ["new-theme", "neglect", "--data", str(data)])
    assert again.exit_code == 1 and "already has a theme 'neglect'" in again.output
    assert {path: path.read_bytes() for path in made.written} == before


def test_lab_opens_on_the_latest_runs_store_and_period(tmp_path):
    with pytest.raises(LabError, match="no run found"):
        latest_run(tmp_path)
    for period, started in (("2025-26-Q3", "2026-01-05T10:00:00+00:00"),
                            ("2025-26-Q4", "2026-04-05T10:00:00+00:00")):
        folder = tmp_path / period
        folder.mkdir()
        (folder / "run.json").write_text(json.dumps(
            {"period": period, "started_at": started, "store": "../scrutiny.duckdb"}))
    (tmp_path / "scrutiny.duckdb").write_bytes(b"")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "run.json").write_text("{not json")
    command, environment, root = lab_command(tmp_path, None)
    assert environment["SCRUTINY_PERIOD"] == "2025-26-Q4"
    assert Path(environment["SCRUTINY_STORE"]) == (tmp_path / "scrutiny.duckdb").resolve()
    assert command[1:3] == ["-m", "jupyterlab"] and (root / "area_report.ipynb").is_file()
    assert lab_command(tmp_path, tmp_path / "broken")[2] == tmp_path / "broken"


def test_a_failing_measure_of_the_partnership_stops_the_run_before_any_report(tmp_path):
    data = tmp_path / "data"
    demo.generate(data)
    new_theme(data, "Neglect")
    measure = data / "measures" / "neglect.py"
    measure.write_text(measure.read_text().replace('rows["theme"]', 'rows["topic"]'))
    result = CliRunner().invoke(main, ["run", "--data", str(data), "--out",
                                       str(tmp_path / "out"), "--no-progress"])
    assert result.exit_code == 1
    assert ("Error: indicator 'neglect_actions_overdue': its measure "
            "neglect:overdue_theme_actions failed: KeyError: 'topic'") in result.output
    assert "Traceback" not in result.output
    assert not list((tmp_path / "out").rglob("*.html"))  # no report was started


def test_templates_for_a_data_folder_list_its_own_codes(tmp_path):
    data = tmp_path / "data"
    demo.generate(data)
    (data / "framework.toml").write_text(FRAMEWORK.replace(
        'not_met = "Not met"', 'not_met = "Not met"\nnot_assessed = "Not assessed"'))
    new_theme(data, "Neglect")
    result = CliRunner().invoke(main, ["templates", str(tmp_path / "t"), "--data", str(data)])
    assert result.exit_code == 0, result.output
    guidance = (tmp_path / "t" / "README.md").read_text()
    assert "- `neglect`: Neglect" in guidance
    assert "fully_met, partially_met, not_met, not_assessed" in guidance
