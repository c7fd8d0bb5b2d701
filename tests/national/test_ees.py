"""The EES reader on small hand-written files: layout quirks, symbols, errors."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from scrutiny.national.ees import (
    drop_placeholders,
    expand_joint_returns,
    read_ees,
    read_population,
    read_statistical_neighbours,
    split_values,
)
from scrutiny.national.errors import NationalDataError

HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name,count"
)
ROWS = [
    "2025,Reporting year,National,E92000001,England,,,,,,1000",
    "2025,Reporting year,Regional,E92000001,England,E12000009,South West,,,,100",
    "2025,Reporting year,Local authority,E92000001,England,E12000009,South West,801,E06000023,"
    '"Bristol, City of",c',
    "2025,Reporting year,Local authority,E92000001,England,E12000009,South West,933,E06000066,"
    "Somerset,low",
    "2023,Reporting year,Local authority,E92000001,England,E12000009,South West,933,E10000027,"
    "Somerset,12",
    "2025,Reporting year,Local authority district,E92000001,England,E12000009,South West,,"
    "E07000001,A district,5",
]


def write(path: Path, text: str, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_reads_levels_codes_and_quoted_names(tmp_path: Path) -> None:
    frame = read_ees(write(tmp_path / "f.csv", "\n".join([HEADER, *ROWS]) + "\n"), ["count"])
    assert list(frame["geographic_level"]) == [
        "england",
        "region",
        "local_authority",
        "local_authority",
        "local_authority",
    ]  # the district row is not one of the three levels and is not read
    assert list(frame["area_code"]) == ["E92000001", "E12000009", "801", "933", "933"]
    assert frame["area_name"].iloc[2] == "Bristol, City of"
    assert list(frame["count"]) == ["1000", "100", "c", "low", "12"]
    # Somerset keeps one code across its change of ONS code.
    assert list(frame.loc[frame["area_code"] == "933", "new_la_code"]) == [
        "E06000066",
        "E10000027",
    ]


def test_bom_and_column_order_do_not_matter(tmp_path: Path) -> None:
    plain = read_ees(write(tmp_path / "a.csv", "\n".join([HEADER, *ROWS])), ["count"])
    names = HEADER.split(",")
    order = list(reversed(range(len(names))))
    import csv
    import io

    rows = list(csv.reader(io.StringIO("\n".join([HEADER, *ROWS]))))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([[r[i] for i in order] for r in rows])
    shuffled = read_ees(write(tmp_path / "b.csv", buffer.getvalue(), bom=True), ["count"])
    assert shuffled.equals(plain)


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.csv", "\n".join([HEADER, *ROWS]))
    with pytest.raises(NationalDataError) as caught:
        read_ees(path, ["count", "rate"])
    assert caught.value.file == path
    assert "rate" in caught.value.problem and "broken.csv" in str(caught.value)


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(NationalDataError, match="file not found"):
        read_ees(tmp_path / "absent.csv", ["count"])
    with pytest.raises(NationalDataError, match="empty"):
        read_ees(write(tmp_path / "empty.csv", ""), ["count"])


def test_bad_time_period_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "\n".join([HEADER, ROWS[0].replace("2025", "2025/26", 1)]))
    with pytest.raises(NationalDataError, match="time_period"):
        read_ees(path, ["count"])


def test_six_digit_time_period_is_the_year_it_ends(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "\n".join([HEADER, ROWS[0].replace("2025", "202425", 1)]))
    assert list(read_ees(path, ["count"])["time_period"]) == [2025]


def test_filters_select_rows(tmp_path: Path) -> None:
    frame = read_ees(
        write(tmp_path / "f.csv", "\n".join([HEADER, *ROWS])),
        ["count"],
        filters={"la_name": ["Somerset"]},
    )
    assert list(frame["time_period"]) == [2025, 2023]


def test_split_values_keeps_symbols() -> None:
    import pandas as pd

    values, symbols = split_values(pd.Series(["12", "c", "low", "", " 7 ", "1,234", "z", None]))
    assert list(symbols) == ["", "c", "low", "", "", "", "z", ""]
    assert values[0] == 12 and values[4] == 7 and values[5] == 1234
    assert all(math.isnan(values[i]) for i in (1, 2, 3, 6, 7))


def test_joint_returns_expand_to_members(tmp_path: Path) -> None:
    row = (
        "2025,Reporting year,Local authority,E92000001,England,E13000002,Outer London,"
        "314 / 318,E09000021 / E09000027,Kingston upon Thames / Richmond upon Thames,28"
    )
    frame = expand_joint_returns(read_ees(write(tmp_path / "j.csv", f"{HEADER}\n{row}"), ["count"]))
    assert list(frame["area_code"]) == ["314", "318"]
    assert list(frame["area_name"]) == ["Kingston upon Thames", "Richmond upon Thames"]
    assert list(frame["joint_code"]) == ["314 / 318", "314 / 318"]
    assert list(frame["count"]) == ["28", "28"]


def test_placeholders_only_for_authorities_that_did_not_exist(tmp_path: Path) -> None:
    lines = [
        HEADER,
        # Cumbria was abolished in 2023: an all-z row for 2025 is a placeholder.
        "2025,Reporting year,Local authority,E92000001,England,E12000002,North West,909,"
        "E10000006,Cumbria,z",
        # Cumbria in 2023 existed: its symbol is real and stays.
        "2023,Reporting year,Local authority,E92000001,England,E12000002,North West,909,"
        "E10000006,Cumbria,z",
        # Isles of Scilly always existed: `z` there means "not applicable" and stays.
        "2025,Reporting year,Local authority,E92000001,England,E12000009,South West,420,"
        "E06000053,Isles of Scilly,z",
    ]
    frame = read_ees(write(tmp_path / "p.csv", "\n".join(lines)), ["count"])
    kept, dropped = drop_placeholders(frame, ["count"])
    assert list(zip(dropped["area_code"], dropped["time_period"], strict=True)) == [("909", 2025)]
    assert list(zip(kept["area_code"], kept["time_period"], strict=True)) == [
        ("909", 2023),
        ("420", 2025),
    ]


def test_population_reader_filters_age_group(tmp_path: Path) -> None:
    header = HEADER.removesuffix(",count") + ",age_group,population_estimate"
    lines = [
        header,
        "2024,Reporting year,National,E92000001,England,,,,,,Children aged 0 to 17 years,100",
        "2024,Reporting year,National,E92000001,England,,,,,,All ages,900",
        "2018,Reporting year,Local authority,E92000001,England,E12000009,South West,835,"
        "E10000009,Dorset,Children aged 0 to 17 years,x",
    ]
    population = read_population(write(tmp_path / "ons.csv", "\n".join(lines)))
    assert list(population["population"].fillna(-1)) == [100, -1]
    assert list(population["population_symbol"]) == ["", "x"]
    assert list(population["mid_year"]) == [2024, 2018]


def test_statistical_neighbours_long_and_trimmed(tmp_path: Path) -> None:
    names = ["old_la_code", "la_name"] + [
        name for i in range(1, 11) for name in (f"SN_{i}", f"SN_{i}P")
    ]
    row = ["933", "Somerset"] + [v for i in range(1, 11) for v in (str(900 + i), "Close ")]
    path = write(tmp_path / "sn.csv", ",".join(names) + "\n" + ",".join(row) + "\n", bom=True)
    neighbours = read_statistical_neighbours(path)
    assert list(neighbours["neighbour_code"]) == [str(900 + i) for i in range(1, 11)]
    assert set(neighbours["closeness"]) == {"Close"}
    with pytest.raises(NationalDataError, match="SN_10"):
        read_statistical_neighbours(
            write(tmp_path / "sn2.csv", ",".join(names[:-2]) + "\n" + ",".join(row[:-2]))
        )
