"""Each report's files are named for its area, and no two areas' files share a name."""

from __future__ import annotations

from pathlib import Path

from scrutiny.partnership import Area, Partnership
from scrutiny.periods import Period
from scrutiny.runner import plan_jobs

AREAS = (Area("E06000022", "Bristol", 800, 1_000), Area("E06000023", "Bristol", 801, 1_000),
         Area("W06000001", "Ynys Môn", 802, 1_000), Area("E06000025", "بريستول", 803, 1_000),
         Area("E06000026", "Bath & North East Somerset", 804, 1_000))


def test_every_area_has_files_of_its_own(tmp_path):
    partnership = Partnership("Test", AREAS)
    jobs = plan_jobs(partnership, Period.parse("2025-26-Q4"), partnership.area_codes,
                     tmp_path / "store.duckdb", tmp_path, [Path("deep_dives/Knife crime.ipynb")])
    slugs = {job.parameters.get("area_code"): job.slug for job in jobs if job.kind == "area"}
    assert slugs == {
        "E06000022": "area-e06000022-bristol",  # two areas of one name: each with its code
        "E06000023": "area-e06000023-bristol",
        "W06000001": "area-ynys-mon",  # the accent dropped, not the letter
        "E06000025": "area-e06000025",  # no Latin letters: the code
        "E06000026": "area-bath-north-east-somerset",
    }
    every = [job.slug for job in jobs]
    assert len(every) == len(set(every))
    assert "deep-dive-knife-crime-ynys-mon" in every
