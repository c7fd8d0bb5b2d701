"""Export, and loading folders with damaged or missing files (copies made in tmp_path)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest
from dfe_files import B1, C1, CSWW, ENGLAND, ONS

from scrutiny.national.errors import NationalDataError
from scrutiny.national.export import export_national, load_national
from scrutiny.national.indicators import LONG_COLUMNS


def folder_like(dfe_dir: Path, tmp_path: Path, *, leave_out: tuple[str, ...] = ()) -> Path:
    """A folder that links to the real files, so single files can be replaced or removed."""
    folder = tmp_path / "dfe"
    folder.mkdir()
    for source in dfe_dir.iterdir():
        if source.is_file() and source.name not in leave_out:
            (folder / source.name).symlink_to(source)
    return folder


def rewrite(dfe_dir: Path, folder: Path, name: str, change, *, bom: bool = False) -> None:
    """Replace the link `folder/name` by a changed copy (rows via the csv module)."""
    with (dfe_dir / name).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    target = folder / name
    target.unlink()
    with target.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(change(rows))


def without_column(column: str):
    def change(rows):
        i = rows[0].index(column)
        return [row[:i] + row[i + 1 :] for row in rows]

    return change


def test_export_writes_exactly_the_long_table(dfe_dir: Path, tmp_path: Path, table) -> None:
    out = tmp_path / "out" / "national.csv"
    returned = export_national(dfe_dir, out)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0].keys()) == list(LONG_COLUMNS)
    assert len(rows) == len(returned) == len(table)
    assert returned.attrs["problems"] == []
    assert not list(out.parent.glob(".*"))  # no temporary file left behind
    by_key = {
        (r["indicator_id"], r["area_code"], r["time_period"]): r
        for r in rows
        if r["geographic_level"] != "region"
    }
    # Values are unrounded: the text reads back to exactly the same float.
    rate = by_key[("cin_rate_per_10k", ENGLAND, "2025")]
    assert float(rate["value"]) == 402_400 / 12_183_016 * 10_000
    assert rate["numerator"] == "402400" and rate["denominator"] == "12183016"
    assert rate["suppression"] == ""
    scilly = by_key[("cin_count", "420", "2023")]
    assert scilly["value"] == "" and scilly["suppression"] == "c"
    assert by_key[("cin_count", "800", "2025")]["area_name"] == "Bath and North East Somerset"
    assert by_key[("cin_count", "801", "2025")]["area_name"] == "Bristol, City of"
    back = pd.read_csv(out, dtype={"area_code": str}, keep_default_na=False)
    values = pd.to_numeric(back["value"].replace("", float("nan")))
    assert (values.fillna(-1).to_numpy() == returned["value"].fillna(-1).to_numpy()).all()


def test_missing_column_costs_only_its_family(dfe_dir: Path, tmp_path: Path, table) -> None:
    folder = folder_like(dfe_dir, tmp_path)
    rewrite(dfe_dir, folder, B1, without_column("At31_episodes"))
    data = load_national(folder, include_ofsted=False)
    assert [(p.family, p.file) for p in data.problems] == [("cin", B1)]
    assert "At31_episodes" in data.problems[0].problem
    assert not data.table["indicator_id"].str.startswith("cin_").any()
    others = table[~table["indicator_id"].str.startswith("cin_")].reset_index(drop=True)
    pd.testing.assert_frame_equal(data.table, others)


def test_bom_and_reordered_columns_load_identically(dfe_dir: Path, tmp_path: Path, table) -> None:
    folder = folder_like(dfe_dir, tmp_path)

    def reorder(rows):
        order = list(reversed(range(len(rows[0]))))
        return [[row[i] for i in order] for row in rows]

    rewrite(dfe_dir, folder, B1, lambda rows: rows, bom=True)  # b1 has no BOM as published
    rewrite(dfe_dir, folder, C1, reorder, bom=True)
    rewrite(dfe_dir, folder, CSWW, reorder)
    data = load_national(folder, include_ofsted=False)
    assert data.problems == []
    pd.testing.assert_frame_equal(data.table, table)


def test_missing_file_is_reported_and_the_rest_loads(dfe_dir: Path, tmp_path: Path) -> None:
    folder = folder_like(dfe_dir, tmp_path, leave_out=(CSWW,))
    data = load_national(folder, include_ofsted=False)
    assert [(p.family, p.problem.split(" in ")[0]) for p in data.problems] == [
        ("workforce", "file not found")
    ]
    assert not data.table["indicator_id"].str.startswith("sw_").any()
    assert data.table["indicator_id"].nunique() == 16


def test_without_population_counts_load_and_rates_are_left_out(
    dfe_dir: Path, tmp_path: Path
) -> None:
    folder = folder_like(dfe_dir, tmp_path, leave_out=(ONS,))
    data = load_national(folder, include_ofsted=False)
    assert [p.family for p in data.problems] == ["population"]
    ids = set(data.table["indicator_id"])
    assert "cin_count" in ids and "cin_rate_per_10k" not in ids
    assert "cla_rate_per_10k" in ids  # published with its own population
    assert any("cin_rate_per_10k not computed" in note for note in data.notes)


def test_broken_ofsted_and_neighbours_files_are_problems(dfe_dir: Path, tmp_path: Path) -> None:
    folder = folder_like(dfe_dir, tmp_path)
    for name in ("LA_Inspection_Outcomes_as_at_31_March_2025.ods", "sn_model_2025_wide.csv"):
        (folder / name).unlink()
        (folder / name).write_text("not a real file\n")
    data = load_national(folder)
    assert sorted(p.family for p in data.problems) == ["neighbours", "ofsted"]
    assert data.neighbours is None and data.ofsted is None
    assert data.table["indicator_id"].nunique() == 20


def test_export_errors(dfe_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(NationalDataError, match="source folder not found"):
        export_national(tmp_path / "nowhere", tmp_path / "out.csv")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(NationalDataError, match="no national statistics could be loaded"):
        export_national(empty, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()
    folder = folder_like(dfe_dir, tmp_path, leave_out=(CSWW,))
    with pytest.raises(NationalDataError) as caught:
        export_national(folder, tmp_path / "strict.csv", strict=True)
    assert "csww" in str(caught.value)
    table = export_national(folder, tmp_path / "lenient.csv")
    assert len(table.attrs["problems"]) == 1 and (tmp_path / "lenient.csv").exists()
    assert not math.isnan(table["value"].max())
