"""Reporting periods, return file names and statutory working days (hand-counted values)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from scrutiny.periods import Period, PeriodError, month_label
from scrutiny.returns import (
    RETURN_TYPES,
    FileNameError,
    ReturnName,
    expected_name,
    parse_file_name,
)
from scrutiny.working_days import add_working_days, working_days_between

# --- periods ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "start", "end", "months"),
    [
        ("2025-26-Q1", date(2025, 4, 1), date(2025, 6, 30), ["2025-04", "2025-05", "2025-06"]),
        ("2025-26-Q2", date(2025, 7, 1), date(2025, 9, 30), ["2025-07", "2025-08", "2025-09"]),
        ("2025-26-Q3", date(2025, 10, 1), date(2025, 12, 31), ["2025-10", "2025-11", "2025-12"]),
        ("2025-26-Q4", date(2026, 1, 1), date(2026, 3, 31), ["2026-01", "2026-02", "2026-03"]),
        # a leap year's February is inside Q4 of 2023-24
        ("2023-24-Q4", date(2024, 1, 1), date(2024, 3, 31), ["2024-01", "2024-02", "2024-03"]),
        # across a century
        ("1999-00-Q4", date(2000, 1, 1), date(2000, 3, 31), ["2000-01", "2000-02", "2000-03"]),
    ],
)
def test_quarter_start_end_and_months(label, start, end, months):
    period = Period.parse(label)
    assert period.is_quarter
    assert (period.label, str(period)) == (label, label)
    assert (period.start, period.end, period.months) == (start, end, months)


def test_quarter_fields_and_financial_year():
    q4 = Period.parse("2025-26-Q4")
    assert (q4.start_year, q4.quarter) == (2025, 4)
    assert q4 == Period(2025, 4)
    assert q4.year == Period(2025) == Period.parse("2025-26")


def test_financial_year():
    year = Period.parse("2025-26")
    assert not year.is_quarter
    assert (year.start_year, year.quarter, year.label) == (2025, 0, "2025-26")
    assert (year.start, year.end) == (date(2025, 4, 1), date(2026, 3, 31))
    assert len(year.months) == 12
    assert (year.months[0], year.months[-1]) == ("2025-04", "2026-03")
    assert year.year == year
    assert Period.parse("1999-00").label == "1999-00"


def test_labels_are_trimmed_and_round_trip():
    assert Period.parse("  2025-26-Q4\n") == Period(2025, 4)
    for period in (Period(2023, 1), Period(2024, 3), Period(2009, 4), Period(2025)):
        assert Period.parse(period.label) == period
    assert Period(2009, 2).label == "2009-10-Q2"


@pytest.mark.parametrize(
    ("label", "quarters", "expected"),
    [
        ("2025-26-Q4", 1, "2026-27-Q1"),
        ("2025-26-Q1", -1, "2024-25-Q4"),
        ("2025-26-Q3", 0, "2025-26-Q3"),
        ("2025-26-Q2", 4, "2026-27-Q2"),
        ("2025-26-Q4", -11, "2023-24-Q1"),
        ("2025-26-Q1", 7, "2026-27-Q4"),
        ("2025-26-Q1", 8, "2027-28-Q1"),
        ("2025-26", 1, "2026-27"),  # a year shifts by whole years
        ("2025-26", -2, "2023-24"),
    ],
)
def test_shift(label, quarters, expected):
    assert Period.parse(label).shift(quarters) == Period.parse(expected)


def test_previous_quarters_oldest_first():
    assert [p.label for p in Period.parse("2025-26-Q4").previous_quarters(4)] == [
        "2025-26-Q1", "2025-26-Q2", "2025-26-Q3", "2025-26-Q4"]
    assert [p.label for p in Period.parse("2025-26-Q1").previous_quarters(2)] == [
        "2024-25-Q4", "2025-26-Q1"]
    assert Period.parse("2025-26-Q2").previous_quarters(1) == [Period(2025, 2)]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 15), "2025-26-Q4"),
        (date(2026, 3, 31), "2025-26-Q4"),
        (date(2025, 4, 1), "2025-26-Q1"),
        (date(2025, 3, 31), "2024-25-Q4"),
        (date(2025, 6, 30), "2025-26-Q1"),
        (date(2025, 7, 1), "2025-26-Q2"),
        (date(2025, 12, 31), "2025-26-Q3"),
    ],
)
def test_quarter_of(day, expected):
    assert Period.quarter_of(day).label == expected


def test_periods_sort_in_time_order():
    labels = ["2025-26-Q1", "2024-25-Q4", "2025-26-Q3", "2023-24-Q2", "2025-26-Q2"]
    assert [p.label for p in sorted(map(Period.parse, labels))] == [
        "2023-24-Q2", "2024-25-Q4", "2025-26-Q1", "2025-26-Q2", "2025-26-Q3"]
    assert Period.parse("2025-26-Q4") > Period.parse("2025-26-Q3")
    assert Period.parse("2025-26-Q1") > Period.parse("2024-25-Q4")


@pytest.mark.parametrize(
    ("label", "says"),
    [
        ("2025-27", "consecutive"),
        ("2025-27-Q1", "consecutive"),
        ("2025-25", "consecutive"),
        ("2025-26-Q5", "is not a period"),
        ("2025-26-Q0", "is not a period"),
        ("2025-26-q4", "is not a period"),
        ("2025/26", "is not a period"),
        ("2025-2026", "is not a period"),
        ("25-26", "is not a period"),
        ("Q4 2025-26", "is not a period"),
        ("", "is not a period"),
    ],
)
def test_bad_periods(label, says):
    with pytest.raises(PeriodError, match=says):
        Period.parse(label)


def test_period_error_is_a_value_error():
    assert issubclass(PeriodError, ValueError)


def test_month_label():
    assert month_label("2026-03") == "Mar 2026"
    assert month_label("2025-12") == "Dec 2025"


# --- return file names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_name", "expected", "slot"),
    [
        ("indicators_E06000022_2025-26-Q4.csv",
         ReturnName("indicators", "E06000022", Period(2025, 4), "", 1),
         "indicators_E06000022_2025-26-Q4"),
        ("indicators_E06000022_2025-26-Q4_police.csv",
         ReturnName("indicators", "E06000022", Period(2025, 4), "police", 1),
         "indicators_E06000022_2025-26-Q4_police"),
        ("indicators_E06000022_2025-26-Q4_police_v2.csv",
         ReturnName("indicators", "E06000022", Period(2025, 4), "police", 2),
         "indicators_E06000022_2025-26-Q4_police"),
        ("training_E06000024_2025-26-Q4_v2.csv",
         ReturnName("training", "E06000024", Period(2025, 4), "", 2),
         "training_E06000024_2025-26-Q4"),
        ("training_E06000024_2025-26-Q4_v12.xlsx",
         ReturnName("training", "E06000024", Period(2025, 4), "", 12),
         "training_E06000024_2025-26-Q4"),
        ("voice_E06000023_2024-25-Q1_north-team-2.csv",
         ReturnName("voice", "E06000023", Period(2024, 1), "north-team-2", 1),
         "voice_E06000023_2024-25-Q1_north-team-2"),
        # a label that merely starts with v and a digit is a label, not a version
        ("voice_E06000023_2024-25-Q1_v2x.csv",
         ReturnName("voice", "E06000023", Period(2024, 1), "v2x", 1),
         "voice_E06000023_2024-25-Q1_v2x"),
        ("section11_E06000066_2025-26.xlsx",
         ReturnName("section11", "E06000066", Period(2025), "", 1),
         "section11_E06000066_2025-26"),
        ("section11_E06000066_2025-26.XLSX",
         ReturnName("section11", "E06000066", Period(2025), "", 1),
         "section11_E06000066_2025-26"),
        ("audits_E06000025_2025-26-Q3.CSV",
         ReturnName("audits", "E06000025", Period(2025, 3), "", 1),
         "audits_E06000025_2025-26-Q3"),
    ],
)
def test_parse_file_name(file_name, expected, slot):
    name = parse_file_name(file_name)
    assert name == expected
    assert name.slot == slot


def test_a_resubmission_has_the_same_slot_as_the_original():
    original = parse_file_name("reviews_E06000023_2025-26-Q4.csv")
    corrected = parse_file_name("reviews_E06000023_2025-26-Q4_v3.csv")
    police = parse_file_name("reviews_E06000023_2025-26-Q4_police.csv")
    assert original.slot == corrected.slot != police.slot
    assert (original.version, corrected.version) == (1, 3)


@pytest.mark.parametrize(
    ("file_name", "says"),
    [
        ("indicators_E06000022_2025-26-Q4.txt", "only .csv and .xlsx"),
        ("indicators_E06000022_2025-26-Q4.xls", "only .csv and .xlsx"),
        ("indicators_E06000022_2025-26-Q4", "only .csv and .xlsx"),
        ("indicators_E06000022_2025-26-Q4.csv.bak", "only .csv and .xlsx"),
        ("indicators E06000022 2025-26-Q4.csv", "does not follow"),
        ("indicators_2025-26-Q4_E06000022.csv", "does not follow"),
        ("Indicators_E06000022_2025-26-Q4.csv", "does not follow"),
        ("indicators_e06000022_2025-26-Q4.csv", "does not follow"),
        ("indicators_E0600002_2025-26-Q4.csv", "does not follow"),
        ("indicators_E06000022_2025-26-Q4_Police.csv", "does not follow"),
        ("indicators_E06000022_2025-26-Q4_v2_police.csv", "does not follow"),
        ("indicators_E06000022_2025-26-Q4 (1).csv", "does not follow"),
        ("indicators_E06000022_Q4.csv", "does not follow"),
        ("indicator_E06000022_2025-26-Q4.csv", "'indicator' is not a return type"),
        ("trainings_E06000024_2025-26-Q4.csv", "'trainings' is not a return type"),
        ("training_E06000024_2025-27-Q4.csv", "consecutive"),
        ("training_E06000024_2025-26.csv", "covers a quarter"),
        ("section11_E06000066_2025-26-Q4.csv", "covers a financial year"),
    ],
)
def test_bad_file_names(file_name, says):
    with pytest.raises(FileNameError, match=says) as raised:
        parse_file_name(file_name)
    assert str(raised.value).startswith(file_name + ":")


def test_file_name_errors_suggest_a_good_name():
    with pytest.raises(FileNameError, match="indicators_E06000022_2025-26-Q4.csv"):
        parse_file_name("indicators-E06000022-2025-26-Q4.csv")
    with pytest.raises(FileNameError, match="section11_E06000022_2025-26.csv"):
        parse_file_name("section11_E06000066_2025-26-Q1.csv")
    with pytest.raises(FileNameError, match=", ".join(RETURN_TYPES)):
        parse_file_name("budget_E06000066_2025-26-Q1.csv")


def test_expected_names_parse():
    for return_type in RETURN_TYPES:
        name = parse_file_name(expected_name(return_type, "E06000024"))
        assert (name.return_type, name.area_code) == (return_type, "E06000024")
        assert name.period.is_quarter == (return_type != "section11")


# --- working days ----------------------------------------------------------------------------
# England's bank holidays around the cases below: Christmas Day and Boxing Day 2024 (Wed 25,
# Thu 26 Dec), New Year's Day 2025 (Wed 1 Jan), Good Friday 18 Apr 2025, Easter Monday 21 Apr
# 2025 and the early May bank holiday, Mon 5 May 2025. 2 Jan is a holiday in Scotland only and
# 12 Jul in Northern Ireland only: both are working days in England.


def _days(*pairs: tuple[str, str]) -> tuple[pd.Series, pd.Series]:
    return (pd.Series([start for start, _ in pairs]), pd.Series([end for _, end in pairs]))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-04-14", "2025-04-14", 0),   # the same day
        ("2025-04-14", "2025-04-15", 1),   # next working day
        ("2025-04-11", "2025-04-14", 1),   # Friday to Monday
        ("2025-04-17", "2025-04-22", 1),   # Thursday before Easter to the Tuesday after
        ("2025-04-18", "2025-04-22", 1),   # from Good Friday
        ("2025-04-19", "2025-04-22", 1),   # from Easter Saturday
        ("2025-04-17", "2025-04-21", 0),   # to Easter Monday: nothing worked yet
        ("2025-04-16", "2025-04-25", 5),   # 17, 22, 23, 24, 25
        ("2025-04-14", "2025-05-05", 12),  # 15-17, 22-25, 28-30 Apr, 1-2 May; 5 May a holiday
        ("2025-04-14", "2025-05-06", 13),
        ("2024-12-24", "2025-01-02", 4),   # 27, 30, 31 Dec, 2 Jan
        ("2024-12-20", "2025-01-03", 7),   # 23, 24, 27, 30, 31 Dec, 2, 3 Jan
        ("2024-12-24", "2024-12-27", 1),   # Christmas and Boxing Day are not worked
        ("2024-12-31", "2025-01-02", 1),   # New Year's Day; 2 Jan is worked in England
        ("2024-07-11", "2024-07-12", 1),   # 12 July is worked in England
        ("2025-04-22", "2025-04-17", -1),  # an end before the start counts backwards
        ("2025-01-02", "2024-12-24", -4),
    ],
)
def test_working_days_between(start, end, expected):
    result = working_days_between(pd.Series([start]), pd.Series([end]))
    assert result.tolist() == [expected]


def test_working_days_between_many_rows_blanks_and_index():
    start, end = _days(("2024-12-24", "2025-01-02"), (None, "2025-01-02"),
                       ("2025-04-17", None), ("2025-04-14", "2025-05-05"))
    start.index = end.index = [10, 11, 12, 13]
    result = working_days_between(start, end)
    assert list(result.index) == [10, 11, 12, 13]
    assert result[10] == 4 and result[13] == 12
    assert np.isnan(result[11]) and np.isnan(result[12])


def test_working_days_between_all_blank():
    result = working_days_between(pd.Series([None, None]), pd.Series(["2025-04-14", None]))
    assert result.isna().all() and len(result) == 2


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2025-04-17", 1, "2025-04-22"),   # over Easter
        ("2025-04-17", 5, "2025-04-28"),   # 22, 23, 24, 25, 28
        ("2025-04-10", 15, "2025-05-06"),  # a rapid review deadline over Easter and early May
        ("2025-04-18", 1, "2025-04-22"),   # a holiday start counts from the day before
        ("2025-04-19", 1, "2025-04-22"),   # so does a weekend start
        ("2024-12-20", 5, "2024-12-31"),   # 23, 24, 27, 30, 31 Dec
        ("2024-12-25", 1, "2024-12-27"),
        ("2024-12-31", 1, "2025-01-02"),   # over New Year's Day
        ("2024-12-24", 15, "2025-01-17"),
        ("2025-04-14", 0, "2025-04-14"),
    ],
)
def test_add_working_days(start, days, expected):
    result = add_working_days(pd.Series([start]), days)
    assert result.dt.date.tolist() == [date.fromisoformat(expected)]


def test_add_working_days_blanks_and_index():
    result = add_working_days(pd.Series(["2024-12-20", None], index=[4, 7]), 5)
    assert list(result.index) == [4, 7]
    assert result[4] == pd.Timestamp("2024-12-31")
    assert pd.isna(result[7])
    assert add_working_days(pd.Series([None]), 3).isna().all()


def test_adding_and_counting_working_days_agree():
    starts = pd.Series(pd.bdate_range("2024-12-02", "2025-05-30")).dt.strftime("%Y-%m-%d")
    holidays_ = {"2024-12-25", "2024-12-26", "2025-01-01", "2025-04-18", "2025-04-21",
                 "2025-05-05"}
    starts = starts[~starts.isin(holidays_)].reset_index(drop=True)
    for days in (1, 5, 15):
        ends = add_working_days(starts, days)
        assert (working_days_between(starts, ends) == days).all()


@pytest.mark.parametrize(
    ("file_name", "meant"),
    [
        ("Indicators_E06000022_2025-26-Q4.csv", "indicators_E06000022_2025-26-Q4.csv"),
        ("indicators_e06000022_2025-26-q4.CSV", "indicators_E06000022_2025-26-Q4.csv"),
        ("indicators E06000022 2025-26 Q4.xlsx", "indicators_E06000022_2025-26-Q4.xlsx"),
        ("indicators_2025-26-Q4_E06000022.csv", "indicators_E06000022_2025-26-Q4.csv"),
        ("actions_E06000024_2025_26_Q4.csv", "actions_E06000024_2025-26-Q4.csv"),
        ("indicators_E06000022_2025-26-Q4_Police.csv",
         "indicators_E06000022_2025-26-Q4_police.csv"),
        ("indicators_E06000022_2025-26-Q4_v2_police.csv",
         "indicators_E06000022_2025-26-Q4_police_v2.csv"),
        ("indicators_E06000022_2025-26-Q4 (1).csv", "indicators_E06000022_2025-26-Q4.csv"),
        ("Copy of actions_E06000024_2025-26-Q4.xlsx", "actions_E06000024_2025-26-Q4.xlsx"),
        ("actions_E06000024_2025-26-Q4 - Copy.xlsx", "actions_E06000024_2025-26-Q4.xlsx"),
        ("police indicators E06000023 2025-26 Q4 V3.xlsx",
         "indicators_E06000023_2025-26-Q4_police_v3.xlsx"),
        ("indicator_E06000022_2025-26-Q4.csv", "indicators_E06000022_2025-26-Q4.csv"),
        ("trainings_E06000024_2025-26-Q4.csv", "training_E06000024_2025-26-Q4.csv"),
        # nothing to suggest: a part is missing or wrong, or no word names a return type
        ("indicators_E0600002_2025-26-Q4.csv", None),
        ("indicators_E06000022_Q4.csv", None),
        ("budget_E06000066_2025-26-Q1.csv", None),
        ("Training_E06000024_2025-26.csv", None),  # training is quarterly
    ],
)
def test_a_near_miss_name_is_told_the_name_it_was_meant_to_have(file_name, meant):
    with pytest.raises(FileNameError) as raised:
        parse_file_name(file_name)
    assert raised.value.meant == meant
    if meant:
        assert f"rename it {meant}" in str(raised.value)
        assert parse_file_name(meant)  # the name suggested is one the tool reads
