"""Data contracts of the national file families: the real and synthetic files pass; damaged
copies are refused, for the right rule, while the other families still load."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from dfe_files import (
    B1,
    C1,
    C4,
    CARE_LEAVERS,
    CLA,
    CSWW,
    D3,
    D5,
    OFSTED,
    ONS,
    PLACEMENTS,
    SN,
)

from scrutiny.national.contracts import (
    ContractRefusal,
    check_file,
    enforce,
    load_national_contracts,
    national_contracts_dir,
    read_for_contract,
)
from scrutiny.national.ees import GEOGRAPHY_COLUMNS
from scrutiny.national.files import NEIGHBOURS_PATTERN, OFSTED_PATTERN, POPULATION_PATTERN
from scrutiny.national.indicators import DEFINITIONS, FAMILIES, family_columns
from scrutiny.national.load import load_national

FILES = {
    "cin": B1,
    "referrals": C1,
    "s47_icpc": C4,
    "cpp_subsequent": D3,
    "cpp": D5,
    "cla": CLA,
    "placements": PLACEMENTS,
    "care_leavers": CARE_LEAVERS,
    "workforce": CSWW,
    "population": ONS,
    "neighbours": SN,
    "ofsted": OFSTED,
}
LAC = {"population_type": "Children looked after on 31 March each year"}
DISTANT = {
    "characteristic": "Location of new placements during the year",
    "breakdown": "Placed outside LA boundary more than 20 miles from home",
}
NEET = {"care_leaver_age": "19 to 21 years", "breakdown": "Total"}


# --- the suites themselves ------------------------------------------------------------------


def test_one_contract_per_family_in_our_style() -> None:
    contracts = load_national_contracts()
    assert set(contracts) == set(FILES)
    patterns = {name: family.pattern for name, family in FAMILIES.items()}
    patterns |= {
        "population": POPULATION_PATTERN,
        "neighbours": NEIGHBOURS_PATTERN,
        "ofsted": OFSTED_PATTERN,
    }
    for family, contract in contracts.items():
        assert contract.path == national_contracts_dir() / f"{family}.v1.json"
        assert contract.file == FILES[family] and contract.version == "1.0.0"
        assert contract.pattern == patterns[family]
        assert Path(contract.file).match(contract.pattern)
        suite = json.loads(contract.path.read_text(encoding="utf-8"))
        assert suite["name"] == f"national.{family}"
        assert suite["meta"]["contract"]["family"] == family
        for item in suite["expectations"]:
            meta = item["meta"]
            assert meta["severity"] in ("error", "warning")
            assert meta["rule"] and meta["explain"] and meta["fix"]
        assert suite["expectations"][0]["type"] == "expect_table_columns_to_match_set"
        required = suite["expectations"][0]["kwargs"]["column_set"]
        assert sorted(required) == sorted(contract.required_columns)


def test_contracts_cover_the_columns_and_rows_the_loader_reads() -> None:
    contracts = load_national_contracts()
    for name, family in FAMILIES.items():
        contract = contracts[name]
        wanted = {*GEOGRAPHY_COLUMNS, *family_columns(family), *family.filters}
        assert wanted <= set(contract.required_columns), name
        rows = {column: set(values) for column, values in family.filters.items()}
        if family.pivot:
            rows[family.pivot] = {value for _, value in family.measures.values()}
        assert {k: set(v) for k, v in contract.rows.items()} == rows, name
        # every figure the indicators read is typed, so that its range is checked
        measures = {column for column, _ in family.measures.values()}
        assert measures <= set(contract.value_columns), name
    assert {"population_estimate"} <= set(contracts["population"].value_columns)
    # percentages are checked against 0-100, rates per 10,000 against 0-10,000
    types = {c.name: c.type for contract in contracts.values() for c in contract.columns}
    assert types["rereferral_percent"] == types["turnover_rate_fte"] == "percent"
    assert types["rate_per_10000"] == "rate_per_10k"
    assert {d.family for d in DEFINITIONS} <= set(contracts)


# --- the published and synthetic files pass -------------------------------------------------


@pytest.mark.parametrize("family", sorted(FILES))
def test_each_real_file_passes(dfe_dir: Path, family: str) -> None:
    findings = check_file(family, dfe_dir / FILES[family])
    assert [str(f) for f in findings if f.refuses] == []


def test_real_files_load_with_the_tolerated_icpc_rows_noted(national) -> None:
    assert national.problems == []
    tolerated = [f for f in national.findings if f.tolerated]
    assert [(f.family, f.rule) for f in tolerated] == [("s47_icpc", "consistency")]
    assert tolerated[0].columns == ("Section47", "ICPC") and len(tolerated[0].rows) == 7
    assert any("tolerated by its contract" in note for note in national.notes)


@pytest.mark.parametrize("family", sorted(FILES))
def test_each_synthetic_file_passes(synthetic_dir: Path, family: str) -> None:
    assert check_file(family, synthetic_dir / FILES[family]) == []


def test_checking_changes_nothing_that_is_loaded(synthetic_dir: Path, synthetic) -> None:
    unchecked = load_national(synthetic_dir, check_contracts=False)
    assert unchecked.problems == [] and unchecked.findings == []
    assert unchecked.table.equals(synthetic.table)
    assert unchecked.areas.equals(synthetic.areas)
    assert unchecked.neighbours.equals(synthetic.neighbours)
    assert unchecked.ofsted.equals(synthetic.ofsted)


# --- damaged copies -------------------------------------------------------------------------


def read_csv(path: Path) -> tuple[bool, list[str], list[list[str]]]:
    data = path.read_bytes()
    bom = data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return bom, lines[0], lines[1:]


def write_csv(path: Path, bom: bool, header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.unlink()  # a symlink to the original: replace it, do not write through it
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))


def edit_cells(column: str, value: str, count: int = 1, **where: str) -> Callable[[Path], None]:
    """Set `column` to `value` in the first `count` LA rows matching `where`."""

    def damage(path: Path) -> None:
        bom, header, rows = read_csv(path)
        index = {name: i for i, name in enumerate(header)}
        done = 0
        for row in rows:
            if row[index["geographic_level"]] != "Local authority":
                continue
            if all(row[index[k]] == v for k, v in where.items()) and done < count:
                row[index[column]] = value
                done += 1
        assert done == count
        write_csv(path, bom, header, rows)

    return damage


def rename_columns(first: str, second: str) -> Callable[[Path], None]:
    """Swap two column names (the columns' figures end up under each other's name)."""

    def damage(path: Path) -> None:
        bom, header, rows = read_csv(path)
        i, j = header.index(first), header.index(second)
        header[i], header[j] = header[j], header[i]
        write_csv(path, bom, header, rows)

    return damage


def drop_column(column: str) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        bom, header, rows = read_csv(path)
        i = header.index(column)
        write_csv(path, bom, header[:i] + header[i + 1 :], [r[:i] + r[i + 1 :] for r in rows])

    return damage


def another_table(source: str) -> Callable[[Path], None]:
    """Another EES table of the same publication saved under this file's name."""

    def damage(path: Path) -> None:
        data = (path.parent / source).read_bytes()
        path.unlink()
        path.write_bytes(data)

    return damage


def own_neighbour(path: Path) -> None:
    bom, header, rows = read_csv(path)
    rows[0][header.index("SN_3")] = rows[0][header.index("old_la_code")]
    write_csv(path, bom, header, rows)


def edit_ods(old: str, new: str) -> Callable[[Path], None]:
    """Change the first cell holding `old` in the spreadsheet's content.xml."""

    def damage(path: Path) -> None:
        source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as target:
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename == "content.xml":
                    text = data.decode("utf-8")
                    assert f">{old}</text:p>" in text
                    data = text.replace(f">{old}</text:p>", f">{new}</text:p>", 1).encode("utf-8")
                target.writestr(info, data)
        path.unlink()
        path.write_bytes(buffer.getvalue())

    return damage


# family -> (damage, the rule that refuses it, a column the message names)
DAMAGE: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "cin": (edit_cells("At31_episodes", "[c]"), "symbol", "At31_episodes"),
    "referrals": (
        rename_columns("referral_count", "rereferral_count"),
        "consistency",
        "rereferral_count",
    ),
    "s47_icpc": (rename_columns("Section47", "ICPC"), "consistency", "ICPC"),
    "cpp_subsequent": (edit_cells("time_period", "2024/25", count=3), "year", "time_period"),
    "cpp": (another_table(B1), "columns", "CPP_At31"),
    "cla": (edit_cells("rate_per_10000", "67000", **LAC), "range", "rate_per_10000"),
    "placements": (edit_cells("children_percent", "130", **DISTANT), "range", "children_percent"),
    "care_leavers": (edit_cells("care_leaver_count", "12%", **NEET), "number", "care_leaver_count"),
    "workforce": (drop_column("agency_rate_fte"), "columns", "agency_rate_fte"),
    "population": (edit_cells("geographic_level", "Region"), "level", "geographic_level"),
    "neighbours": (own_neighbour, "neighbour", "SN_3"),
    "ofsted": (edit_ods("Good", "Satisfactory"), "grade", ""),
}
# Two halves: each half damaged in one copy while the other half loads.
HALVES = (
    ("cin", "s47_icpc", "cla", "care_leavers", "neighbours", "ofsted"),
    ("referrals", "cpp_subsequent", "cpp", "placements", "workforce", "population"),
)


def damaged_copy(source: Path, folder: Path, families: tuple[str, ...]) -> Path:
    """`source` linked file by file into `folder`, the files of `families` damaged."""
    folder.mkdir()
    for path in source.iterdir():
        (folder / path.name).symlink_to(path)
    for family in families:
        DAMAGE[family][0](folder / FILES[family])
    return folder


def assert_refused_and_rest_loaded(data, families: tuple[str, ...]) -> None:
    refused = {problem.family: problem for problem in data.problems}
    assert set(refused) == set(families)
    for family in families:
        _, rule, column = DAMAGE[family]
        problem = refused[family]
        assert problem.rules == (rule,), (family, str(problem))
        assert problem.file == FILES[family]
        text = str(problem)
        assert FILES[family] in text and f"rule '{rule}'" in text and column in text
        assert "refused by its data contract" in text
        if rule not in ("columns",):
            assert "row" in text
        assert any(f.family == family and f.refuses for f in data.findings)
    loaded = set(data.table["indicator_id"])
    for family in set(FAMILIES) - set(families):
        counts = {d.id for d in DEFINITIONS if d.family == family and "rate_per_10k" not in d.id}
        assert counts <= loaded, family
    for family in set(FAMILIES) & set(families):
        assert not {d.id for d in DEFINITIONS if d.family == family} & loaded, family
    assert (data.neighbours is None) == ("neighbours" in families)
    assert (data.ofsted is None) == ("ofsted" in families)


@pytest.mark.parametrize("half", HALVES, ids=["first_half", "second_half"])
def test_damaged_synthetic_files_are_refused(synthetic_dir: Path, tmp_path: Path, half) -> None:
    data = load_national(damaged_copy(synthetic_dir, tmp_path / "copy", half))
    assert_refused_and_rest_loaded(data, half)


@pytest.mark.parametrize("half", HALVES, ids=["first_half", "second_half"])
def test_damaged_real_files_are_refused(dfe_dir: Path, tmp_path: Path, half) -> None:
    data = load_national(damaged_copy(dfe_dir, tmp_path / "copy", half))
    assert_refused_and_rest_loaded(data, half)


def test_refusal_names_rows_values_and_fix(synthetic_dir: Path, tmp_path: Path) -> None:
    folder = damaged_copy(synthetic_dir, tmp_path / "copy", ("referrals",))
    contract = load_national_contracts()["referrals"]
    path = folder / C1
    with pytest.raises(ContractRefusal) as caught:
        enforce(contract, path, read_for_contract(contract, path))
    refusal = caught.value
    assert refusal.file == path and refusal.rules == ("consistency",)
    (finding,) = [f for f in refusal.findings if f.refuses]
    assert finding.columns == ("referral_count", "rereferral_count")
    assert finding.rows[0] == 2 and len(finding.rows) > 100  # every row: the header is line 1
    assert "row 2: referral_count=" in finding.detail and "and " in finding.detail
    assert "swapped" in finding.fix and "fix: " in refusal.problem


def edit_first_row(column: str, value: str) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        bom, header, rows = read_csv(path)
        rows[0][header.index(column)] = value
        write_csv(path, bom, header, rows)

    return damage


def replace_text(old: str, new: str) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        data = path.read_bytes()
        assert old.encode() in data
        path.unlink()
        path.write_bytes(data.replace(old.encode(), new.encode()))

    return damage


ALSO_BROKEN = {"code": ("area_code", "neighbour")}


@pytest.mark.parametrize(
    ("family", "damage", "rule", "column"),
    [
        ("cin", edit_cells("At31_episodes", "twelve"), "symbol", "At31_episodes"),
        ("cin", edit_cells("At31_episodes", "*"), "symbol", "At31_episodes"),
        ("cin", edit_cells("At31_episodes", "1.2.3"), "number", "At31_episodes"),
        ("cin", edit_cells("At31_episodes", "-4"), "range", "At31_episodes"),
        ("referrals", edit_cells("rereferral_percent", "101.5"), "range", "rereferral_percent"),
        ("cin", edit_cells("old_la_code", "8O1"), "code", "old_la_code"),
        ("cin", edit_cells("new_la_code", "E0600002"), "code", "new_la_code"),
        ("cin", edit_cells("old_la_code", ""), "area_code", "area_code"),
        ("population", edit_cells("time_period", "mid-2023"), "year", "time_period"),
        ("cla", another_table(PLACEMENTS), "columns", "population_type"),
        ("cla", replace_text(",Children looked after on 31 March each year,", ",Looked after,"),
         "publication", "population_type"),
        ("cpp_subsequent", edit_cells("CPP_subsequent", "100000"), "consistency", "CPP_start"),
        ("neighbours", edit_first_row("SN_1", "E06000023"), "neighbour", "SN_1"),
        ("neighbours", edit_first_row("SN_4", "4001"), "neighbour", "SN_4"),
        ("neighbours", edit_first_row("old_la_code", "80"), "code", "old_la_code"),
        ("neighbours", edit_first_row("SN_2P", "Near"), "closeness", "SN_2P"),
        ("neighbours", drop_column("SN_10"), "columns", "SN_10"),
        ("ofsted", edit_ods("E06000022", "E0600002"), "code", "ons_code"),
        ("ofsted", edit_ods("E06000023", "E06000022"), "unique", "ons_code"),
    ],
)
def test_each_rule_refuses(synthetic_dir: Path, tmp_path: Path, family, damage, rule,
                           column) -> None:
    path = tmp_path / FILES[family]
    path.symlink_to(synthetic_dir / FILES[family])
    if damage.__name__ == "damage" and "another_table" in damage.__qualname__:
        (tmp_path / PLACEMENTS).symlink_to(synthetic_dir / PLACEMENTS)
    damage(path)
    refusing = {f.rule: f for f in check_file(family, path) if f.refuses}
    assert rule in refusing, [str(f) for f in refusing.values()]
    # a damage can break a second rule too ("8O1" is a malformed code, and no LA code)
    assert set(refusing) <= {rule, *ALSO_BROKEN.get(rule, ())}
    assert column in refusing[rule].columns and str(refusing[rule]).startswith(path.name)


def test_a_few_icpcs_above_enquiries_are_tolerated(synthetic_dir: Path, tmp_path: Path) -> None:
    """An ICPC can follow an enquiry of the year before: one row in a hundred may have more
    conferences than enquiries (the real C4 has 7 in 2,100), more means a damaged file."""
    folder = tmp_path / "copy"
    folder.mkdir()
    for path in synthetic_dir.iterdir():
        (folder / path.name).symlink_to(path)
    edit_cells("ICPC", "100000")(folder / C4)
    data = load_national(folder)
    assert data.problems == []
    (finding,) = data.findings
    assert finding.tolerated and not finding.refuses and finding.rule == "consistency"
    assert "within the 99%" in finding.detail
    assert any(note.startswith("s47_icpc: ") for note in data.notes)
    edit_cells("ICPC", "100000", count=2)(folder / C4)
    assert [p.rules for p in load_national(folder).problems] == [("consistency",)]


def test_contracts_folder_follows_the_environment(tmp_path: Path, monkeypatch) -> None:
    shutil.copytree(national_contracts_dir(), tmp_path / "national")
    monkeypatch.setenv("SCRUTINY_CONTRACTS_DIR", str(tmp_path))
    assert national_contracts_dir() == tmp_path / "national"
    assert set(load_national_contracts()) == set(FILES)
    assert os.environ["SCRUTINY_CONTRACTS_DIR"] == str(tmp_path)
