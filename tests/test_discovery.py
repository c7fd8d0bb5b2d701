"""A file's own name can carry a child's identifier: such a file is not read, and its name is
never repeated whole, in the store or anywhere else."""

from __future__ import annotations

import duckdb

from scrutiny.framework import load_framework
from scrutiny.ingest import ingest
from scrutiny.partnership import Area, Partnership

PARTNERSHIP = Partnership("Test", (Area("E06000022", "Bath and North East Somerset", 800,
                                        36_600),))
RETURN = ("area_code,month,indicator_id,numerator,denominator,agency\n"
          "E06000022,2026-01,referrals,98,,local_authority\n")
SECRETS = ("9434765919", "07700900123", "BS1 5TR", "bs15tr")


def test_names_and_folders_holding_identifiers_are_not_read_nor_repeated(tmp_path):
    returns = tmp_path / "returns"
    (returns / "BS1 5TR").mkdir(parents=True)
    (returns / "q4").mkdir()
    (returns / "q4" / "indicators_E06000022_2025-26-Q4_9434765919.csv").write_text(RETURN)
    (returns / "q4" / "voice_E06000022_2025-26-Q4_07700900123.csv").write_text(RETURN)
    (returns / "BS1 5TR" / "indicators_E06000022_2025-26-Q3.csv").write_text(RETURN)
    (returns / "q4" / "indicators_E06000022_2025-26-Q4.csv").write_text(RETURN)
    store = tmp_path / "store.duckdb"
    result = ingest(tmp_path, store, PARTNERSHIP, load_framework(), progress=False)
    assert [(item["file"], item["status"]) for item in result.files] == [
        ("q4/indicators_E06000022_2025-26-Q4.csv", "accepted")]
    assert sorted(item["path"] for item in result.not_read) == [
        "returns/(not shown)/indicators_E06000022_2025-26-Q3.csv",
        "returns/q4/indicators_E06000022_2025-26-Q4_(not shown).csv",
        "returns/q4/voice_E06000022_2025-26-Q4_(not shown).csv",
    ]
    reasons = {item["reason"].split(",")[0] for item in result.not_read}
    assert reasons == {"its name or folder looks like it holds a postcode",
                       "its name or folder looks like it holds an NHS number",
                       "its name or folder looks like it holds a phone number"}
    with duckdb.connect(str(store), read_only=True) as connection:
        text = repr([connection.execute(f"SELECT * FROM {table}").fetchall()
                     for table in ("submissions", "findings", "not_read", "rows_indicators")])
    for secret in SECRETS:
        assert secret not in text and secret not in repr(result)


def test_a_copy_beside_its_original_is_told_so(tmp_path):
    returns = tmp_path / "returns"
    returns.mkdir()
    (returns / "indicators_E06000022_2025-26-Q4.csv").write_text(RETURN)
    (returns / "indicators_E06000022_2025-26-Q4 (1).csv").write_text(RETURN)
    (returns / "Indicators_E06000022_2025-26-Q3.csv").write_text(RETURN)
    result = ingest(tmp_path, tmp_path / "store.duckdb", PARTNERSHIP, load_framework(),
                    progress=False)
    reasons = {item["path"]: item["reason"] for item in result.not_read}
    copy = reasons["returns/indicators_E06000022_2025-26-Q4 (1).csv"]
    assert "rename it indicators_E06000022_2025-26-Q4.csv" in copy
    assert "already in the folder: if this is a copy of it, remove one" in copy
    capitals = reasons["returns/Indicators_E06000022_2025-26-Q3.csv"]
    assert "rename it indicators_E06000022_2025-26-Q3.csv" in capitals
    assert "already in the folder" not in capitals
