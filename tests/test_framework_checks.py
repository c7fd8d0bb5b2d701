"""A partnership's framework is checked whole before a run reads a return: ids that clash with
DfE's statistics, measure options that name no column or code or are of the wrong kind, code
lists left out, and every message naming the file the user wrote."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from click.testing import CliRunner

from scrutiny import demo
from scrutiny.cli import main
from scrutiny.contracts import load_contracts
from scrutiny.framework import (
    CODE_LISTS,
    FrameworkError,
    check_against_returns,
    default_text,
    framework_from_texts,
    load_framework,
)
from scrutiny.measures import BUILT_IN, BUILT_IN_SPECS
from scrutiny.national import BY_ID

FRAMEWORK = default_text("framework.toml")
CATALOGUE = default_text("indicators.toml")
COLUMNS = {name: contract.column_names for name, contract in load_contracts().items()}
CODES = FRAMEWORK[FRAMEWORK.index("# Code lists"):FRAMEWORK.index("# Default priority themes")]


def refusal(framework: str = FRAMEWORK, catalogue: str = CATALOGUE,
            files: dict[str, str] | None = None) -> str:
    """The one sentence a run stops with (the checks a run makes before reading returns)."""
    with pytest.raises(FrameworkError) as raised:
        checked(framework, catalogue, files)
    message = str(raised.value)
    assert "\n" not in message
    return message


def checked(framework: str = FRAMEWORK, catalogue: str = CATALOGUE,
            files: dict[str, str] | None = None):
    loaded = framework_from_texts({"framework.toml": framework, "indicators.toml": catalogue},
                                  files)
    check_against_returns(loaded, COLUMNS, set(BY_ID))
    return loaded


def with_options(indicator_id: str, options: str, catalogue: str = CATALOGUE) -> str:
    """The catalogue with one indicator's options replaced."""
    start = catalogue.index(f'id = "{indicator_id}"')
    line = catalogue.index("options = ", start)
    end = catalogue.index("\n", line)
    return catalogue[:line] + f"options = {options}" + catalogue[end:]


# --- an indicator id that is a DfE statistic's id ----------------------------------------------

OWN_INDICATOR = """
[[indicators]]
id = "{id}"
title = "Practitioners whose training met their needs (own)"
definition = "Evaluations saying the training met needs, of all evaluations."
unit = "percent"
polarity = "higher_is_better"
step = "workforce"
source = "training"
aggregation = "flow"
compute = "column_sum"
rows = "month"
options = {{ numerator = "met_needs", denominator = "evaluations" }}
"""


def test_an_indicator_may_not_take_the_id_of_a_published_statistic():
    message = refusal(catalogue=CATALOGUE + OWN_INDICATOR.format(id="sw_turnover_percent"))
    assert message.startswith("indicators.toml: indicator 'sw_turnover_percent' has the id of "
                              "DfE's published statistic")
    assert "choose another id" in message
    assert checked(catalogue=CATALOGUE + OWN_INDICATOR.format(id="training_met_needs_own"))


def test_no_bundled_indicator_shares_an_id_with_a_published_statistic():
    assert not {ind.id for ind in load_framework().indicators} & set(BY_ID)


# --- measure options -----------------------------------------------------------------------------

@pytest.mark.parametrize(("indicator_id", "options", "says"), [
    ("s11_standards_met", '{ column = "rating", code = "fullymet" }',
     "options code = 'fullymet' is not a code of the section11 return's rating column; use "
     "one of fully_met, partially_met, not_met ([codes.section11_rating] in framework.toml)"),
    ("review_actions_completed", '{ action_sources = ["cspr", "lcspr"] }',
     "options action_sources: 'lcspr' is not a code of the actions return's source column"),
    ("lcspr_published_6m", '{ decision = "local", start = "rapid_review_date", '
     'published = "published_date", months = 6 }',
     "options decision = 'local' is not a code of the reviews return's decision column"),
    ("training_attended", '{ numerator = "attendees" }',
     "options numerator = 'attendees' is not a column of the training return"),
    ("audit_good_or_better", '{ numerator = ["outstanding", "fine"], denominator = "cases" }',
     "options numerator: 'fine' is not a column of the audits return"),
    ("voice_changes", '{ column = "what_happened" }',
     "options column = 'what_happened' is not a column of the voice return"),
])
def test_options_naming_no_column_or_code_of_the_return_are_refused(indicator_id, options,
                                                                     says):
    assert says in refusal(catalogue=with_options(indicator_id, options))


def test_a_code_the_partnership_adds_to_its_list_is_accepted():
    framework = FRAMEWORK.replace('not_met = "Not met"', 'not_met = "Not met"\n'
                                                         'fullymet = "Fully met (old)"')
    assert checked(framework, with_options("s11_standards_met",
                                           '{ column = "rating", code = "fullymet" }'))


def test_a_built_in_measure_on_a_return_without_its_columns_is_refused():
    catalogue = CATALOGUE.replace('compute = "filled_in"', 'compute = "actions_overdue"')
    catalogue = with_options("voice_changes", "{}", catalogue)
    assert ("indicator 'voice_changes': the measure actions_overdue reads source, status, due, "
            "which the voice return does not have") in refusal(catalogue=catalogue)


@pytest.mark.parametrize(("indicator_id", "options", "says"), [
    ("notifications_5wd", '{ start = "incident_known_date", end = "notified_date", '
     'working_days = "5" }', "options working_days must be a whole number of 0 or more, "
     "written without quotes, e.g. 5, not '5'"),
    ("notifications_5wd", '{ start = "incident_known_date", end = "notified_date", '
     "working_days = 5.5 }", "not 5.5"),
    ("notifications_5wd", '{ start = "incident_known_date", end = "notified_date", '
     "working_days = -1 }", "not -1"),
    ("notifications_5wd", '{ start = "incident_known_date", end = "notified_date", '
     "working_days = true }", "not True"),
    ("lcspr_published_6m", '{ decision = "lcspr", start = "rapid_review_date", '
     'published = "published_date", months = 0 }', "months must be a whole number of 1"),
    ("s11_standards_met", '{ column = "rating", code = 1 }', "options code must be a code in "
     "quotes"),
    ("review_actions_completed", '{ action_sources = "cspr" }',
     "options action_sources must be a list of codes in quotes"),
    ("training_take_up", '{ numerator = [], denominator = "places" }',
     "options numerator must be a column in quotes or a list of them"),
    ("notifications_5wd", '{ start = "incident_known_date", end = "notified_date", days = 5 }',
     "the measure within_working_days has no option days; its options are end, start, "
     "working_days"),
    ("notifications_5wd", '{ start = "incident_known_date", end = "notified_date" }',
     "the measure within_working_days needs options working_days"),
    ("actions_overdue", '{ theme = "missing" }',
     "the measure actions_overdue has no option theme; its options are action_sources"),
])
def test_options_of_the_wrong_kind_or_name_are_refused_when_the_framework_loads(
        indicator_id, options, says):
    catalogue = (with_options(indicator_id, options) if indicator_id != "actions_overdue" else
                 CATALOGUE.replace('compute = "actions_overdue"\nrows = "snapshot"\n\n',
                                   f'compute = "actions_overdue"\nrows = "snapshot"\n'
                                   f"options = {options}\n\n"))
    with pytest.raises(FrameworkError, match="^indicators.toml: indicator ") as raised:
        framework_from_texts({"indicators.toml": catalogue})
    assert says in str(raised.value)


OWN_MEASURE = """
import pandas as pd

def open_for_agency(rows, context, *, agency, status="completed"):
    mine = rows[rows["owner_agency"] == agency]
    return pd.DataFrame({"numerator": (mine["status"] != status).astype(int),
                         "denominator": 1}, index=mine.index)
"""


def test_a_partnerships_own_measure_gets_only_the_options_it_takes():
    def own(options: str) -> dict[str, str]:
        return {"indicators.toml": CATALOGUE + OWN_INDICATOR.format(id="la_open").replace(
            'compute = "column_sum"', 'compute = "partner:open_for_agency"').replace(
            'options = { numerator = "met_needs", denominator = "evaluations" }', options),
            "measures/partner.py": OWN_MEASURE}

    assert framework_from_texts(own('options = { agency = "local_authority" }'))
    with pytest.raises(FrameworkError, match="partner:open_for_agency has no option agancy; "
                                             "its options are agency, status"):
        framework_from_texts(own('options = { agancy = "local_authority" }'))
    with pytest.raises(FrameworkError, match="partner:open_for_agency needs options agency"):
        framework_from_texts(own('options = { status = "done" }'))


def test_every_built_in_measure_says_what_each_of_its_options_is():
    for name, measure in BUILT_IN.items():
        keyword = [p.name for p in inspect.signature(measure).parameters.values()
                   if p.kind is p.KEYWORD_ONLY]
        assert sorted(BUILT_IN_SPECS[name].options) == sorted(keyword), name


# --- code lists left out -------------------------------------------------------------------------

def test_code_lists_left_out_are_the_bundled_ones_never_empty():
    bundled = load_framework()
    without_codes = FRAMEWORK.replace(CODES, "")
    framework = checked(without_codes)
    assert framework.codes == bundled.codes
    assert all(framework.code_list(name) for name in CODE_LISTS)
    assert framework.contract_parameters() == bundled.contract_parameters()

    own_sources = '[codes.action_source]\ncspr = "CSPR"\ninspection = "Inspection"\n'
    partial = checked(FRAMEWORK.replace(CODES, own_sources).replace(
        'action_sources = ["inspection", "section11"]', 'action_sources = ["inspection"]'),
        with_options("leadership_actions_overdue", '{ action_sources = ["inspection"] }'))
    assert partial.code_list("action_source") == ["cspr", "inspection"]
    assert partial.code_list("section11_rating") == ["fully_met", "partially_met", "not_met"]
    # the bundled lists stand in for lists left out, not for codes left out of a list given
    assert "section11" in refusal(FRAMEWORK.replace(CODES, own_sources))


# --- messages ------------------------------------------------------------------------------------

def test_a_compute_that_is_not_words_is_one_sentence():
    message = refusal(catalogue=CATALOGUE.replace('compute = "filled_in"', "compute = 5"))
    assert message == ("indicators.toml: indicator 'voice_changes': compute must be words in "
                       'quotes, e.g. compute = "...", not 5')


def test_messages_name_the_files_the_partnership_wrote(tmp_path: Path):
    folder = tmp_path / "fw-named"
    folder.mkdir()
    named = folder / "lscp-2026.toml"
    named.write_text(FRAMEWORK.replace('title = "Voice of children and families"',
                                       'titel = "Voice"'), encoding="utf-8")
    with pytest.raises(FrameworkError, match=f"^{named}: step 'voice': unknown key 'titel'"):
        load_framework(None, named)
    named.write_text(FRAMEWORK, encoding="utf-8")
    (folder / "indicators.toml").write_text(
        with_options("training_attended", '{ numerator = "attendees" }'), encoding="utf-8")
    framework = load_framework(None, named)
    with pytest.raises(FrameworkError, match=f"^{folder / 'indicators.toml'}: indicator "
                                             "'training_attended'"):
        check_against_returns(framework, COLUMNS, set(BY_ID))
    (folder / "indicators.toml").write_text(
        with_options("s11_standards_met", '{ column = "rating", code = "fully" }'),
        encoding="utf-8")
    with pytest.raises(FrameworkError, match=rf"\(\[codes.section11_rating\] in {named}\)$"):
        check_against_returns(load_framework(None, named), COLUMNS, set(BY_ID))


def test_a_run_with_a_faulty_framework_stops_in_one_sentence_before_writing(tmp_path: Path):
    data = tmp_path / "data"
    demo.generate(data)
    folder = tmp_path / "fw"
    folder.mkdir()
    (folder / "lscp-2026.toml").write_text(FRAMEWORK, encoding="utf-8")
    for catalogue, says in (
            (CATALOGUE.replace('compute = "filled_in"', "compute = 5"),
             "indicator 'voice_changes': compute must be words in quotes"),
            (CATALOGUE.replace("working_days = 5", 'working_days = "5"'),
             "options working_days must be a whole number"),
            (CATALOGUE + OWN_INDICATOR.format(id="sw_turnover_percent"),
             "has the id of DfE's published statistic")):
        (folder / "indicators.toml").write_text(catalogue, encoding="utf-8")
        result = CliRunner().invoke(main, [
            "run", "--data", str(data), "--framework", str(folder / "lscp-2026.toml"),
            "--out", str(tmp_path / "out"), "--no-progress"])
        assert result.exit_code == 1
        assert result.output.startswith(f"Error: {folder / 'indicators.toml'}: ")
        assert says in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1
        assert not (tmp_path / "out").exists()  # stopped before anything was written
