"""A denominator sent for a count or rate: the return is warned, and no figure carries it."""

from __future__ import annotations

import duckdb
import pytest

from scrutiny import store as stores
from scrutiny.cycle import load_cycle
from scrutiny.framework import load_framework
from scrutiny.indicators import monthly
from scrutiny.ingest import ingest
from scrutiny.partnership import Area, Partnership

PARTNERSHIP = Partnership("Test", (Area("E06000022", "Bath and North East Somerset", 800,
                                        36_600),))
PARTNERSHIP_TOML = """name = "Test"
[[areas]]
code = "E06000022"
name = "Bath and North East Somerset"
old_la_code = 800
children_0_17 = 36600
"""
RETURN = ("area_code,month,indicator_id,numerator,denominator,agency\n"
          "E06000022,2026-01,referrals,98,400,local_authority\n"
          "E06000022,2026-02,referrals,97,,local_authority\n"
          "E06000022,2026-01,rereferrals,20,98,local_authority\n")


@pytest.fixture
def store(tmp_path):
    (tmp_path / "returns").mkdir()
    (tmp_path / "returns" / "indicators_E06000022_2025-26-Q4.csv").write_text(RETURN)
    path = tmp_path / "store.duckdb"
    result = ingest(tmp_path, path, PARTNERSHIP, load_framework(), progress=False)
    assert [item["status"] for item in result.files] == ["accepted"]
    with stores.open_store(path, read_only=False) as connection:
        stores.save_settings(connection, PARTNERSHIP_TOML, {})  # as a run does
    return path


def test_the_return_is_warned_of_the_row(store):
    with duckdb.connect(str(store), read_only=True) as connection:
        found = connection.execute(
            "SELECT severity, rule, row_numbers, message FROM findings").fetchall()
    assert [(severity, rule, list(rows)) for severity, rule, rows, _ in found] == [
        ("warning", "not_used", [2])]
    assert "not a percentage: it is not used" in found[0][3]


def test_no_figure_carries_it(store):
    cycle = load_cycle(store, "2025-26-Q4")
    referrals = monthly(cycle, "referrals")
    assert referrals["denominator"].isna().all()
    assert list(referrals["numerator"][referrals["area_code"] == "E06000022"]) == [98, 97]
    rereferrals = monthly(cycle, "rereferrals")
    assert list(rereferrals["denominator"][rereferrals["area_code"] == "E06000022"]) == [98]
