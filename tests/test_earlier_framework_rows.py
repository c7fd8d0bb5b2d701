"""Rows stored under an earlier framework: a partnership that renames or retires a priority
theme still has earlier returns naming the old one. Its reports show them, by the old id."""

from __future__ import annotations

from scrutiny.cycle import load_cycle
from scrutiny.report import AreaReport
from scrutiny.report.common import CycleFigures

DEMO_PERIOD = "2025-26-Q4"  # the demo cycle's (conftest.DEMO_PERIOD)
BATH = "E06000022"


def test_a_theme_no_longer_in_the_framework_is_shown_by_its_id(cycle_outputs):
    cycle = load_cycle(cycle_outputs["store"], DEMO_PERIOD)
    for return_type in ("training", "audits", "voice"):
        rows = cycle.returns[return_type]
        assert "theme" in rows.columns and len(rows)
        cycle.returns[return_type] = rows.assign(theme="retired_theme")
    assert "retired_theme" not in {theme.id for theme in cycle.framework.themes}
    report = AreaReport(CycleFigures(cycle), BATH)
    pages = "".join(report.step(step)._repr_html_() for step in report.steps)
    # the training, audit and voice tables each name it
    assert pages.count("<td>Retired theme</td>") >= 3
