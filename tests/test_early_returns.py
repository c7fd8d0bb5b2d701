"""A return sent before its quarter is over is kept, with a warning that says so."""

from __future__ import annotations

from datetime import date

import duckdb

from scrutiny.framework import load_framework
from scrutiny.ingest import ingest
from scrutiny.partnership import Area, Partnership
from scrutiny.periods import Period

PARTNERSHIP = Partnership("Test", (Area("E06000022", "Bath and North East Somerset", 800,
                                        36_600),))


def _return(period: Period) -> str:
    rows = "".join(f"E06000022,{month},referrals,98,,local_authority\n"
                   for month in period.months)
    return "area_code,month,indicator_id,numerator,denominator,agency\n" + rows


def test_only_a_quarter_not_yet_over_is_warned(tmp_path):
    this_quarter = Period.quarter_of(date.today())
    quarters = {"last": this_quarter.shift(-1), "this": this_quarter,
                "next_year": this_quarter.shift(4)}
    (tmp_path / "returns").mkdir()
    for quarter in quarters.values():
        name = f"indicators_E06000022_{quarter.label}.csv"
        (tmp_path / "returns" / name).write_text(_return(quarter))
    store = tmp_path / "store.duckdb"
    result = ingest(tmp_path, store, PARTNERSHIP, load_framework(), progress=False)
    assert {item["status"] for item in result.files} == {"accepted"}
    with duckdb.connect(str(store), read_only=True) as connection:
        warned = dict(connection.execute(
            "SELECT file_name, message FROM findings WHERE rule = 'period_not_over'"
        ).fetchall())
    assert sorted(warned) == sorted(f"indicators_E06000022_{quarters[key].label}.csv"
                                    for key in ("this", "next_year"))
    later = quarters["next_year"]
    assert warned[f"indicators_E06000022_{later.label}.csv"] == (
        f"the quarter in the file name, {later.label}, does not end until "
        f"{later.end.day} {later.end:%B %Y}: a return for it can only be part of it")
