"""What the step tables show is drawn together in the key messages and in "little or no
progress": no special cause or significant difference is left for the reader to find."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

AREA_PAGES = ["area-bath-and-north-east-somerset.html", "area-bristol-city-of.html",
              "area-north-somerset.html", "area-south-gloucestershire.html",
              "area-somerset.html"]


def _step_rows(page: BeautifulSoup) -> list[dict]:
    rows = []
    for table in page.find_all("table"):
        caption = table.find("caption")
        if not caption or ": indicators for " not in caption.get_text():
            continue
        header = [th.get_text(" ").strip() for th in table.find("tr").find_all("th")]
        for tr in table.find_all("tr")[1:]:
            rows.append(dict(zip(header, [td.get_text(" ").strip() for td in tr.find_all("td")],
                                 strict=False)))
    return rows


@pytest.mark.parametrize("name", AREA_PAGES)
def test_every_special_cause_and_worse_figure_is_drawn_together(cycle_outputs, name):
    page = BeautifulSoup((cycle_outputs["out_dir"] / "2025-26-Q4" / name).read_text(),
                         "html.parser")
    bullets = [li.get_text(" ") for li in page.find_all("li")]
    key = next(b for b in bullets if b.startswith("Monthly trends showing a special cause "
                                                  "where neither"))
    concern = next(b for b in bullets if b.startswith("Monthly trends showing a special "
                                                      "cause of concern"))
    worse = next(b for b in bullets if b.startswith("Significantly worse than the partnership"))
    progress_heading = page.find(lambda tag: tag.name == "h3"
                                 and "little or no progress" in tag.get_text())
    progress = progress_heading.find_next("ul").get_text(" ")
    rows = _step_rows(page)
    assert len(rows) >= 30
    for row in rows:
        trend, title = row["Trend (monthly)"], row["Indicator"]
        if trend.startswith("Special cause of concern"):
            assert title in concern and title in progress
        elif trend.startswith("Special cause variation"):  # a context indicator
            assert title in key
        if row["Compared with partnership"] == "worse":
            assert title in worse and title in progress


def test_context_special_causes_are_named_higher_or_lower_never_better_or_worse(cycle_outputs):
    page = BeautifulSoup((cycle_outputs["out_dir"] / "2025-26-Q4" / "area-bristol-city-of.html"
                          ).read_text(), "html.parser")
    key = next(li.get_text(" ") for li in page.find_all("li")
               if li.get_text().startswith("Monthly trends showing a special cause where"))
    assert "Children missing education (higher)" in key  # the demo's seeded series
    assert "Children electively home educated (higher)" in key
