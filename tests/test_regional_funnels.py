"""The regional comparison's funnel plots draw their limits (they once drew none: binomial
limits at fractional denominators are NaN)."""

from __future__ import annotations

import math

import numpy as np

from scrutiny.report import RegionalReport


def test_every_funnel_draws_finite_limits_around_the_partnership(cycle_outputs):
    report = RegionalReport.open(cycle_outputs["store"], "2025-26-Q4")
    drawn = 0
    for indicator in report.cycle.framework.indicators:
        if indicator.unit != "percent" or not indicator.monthly:
            continue
        data = report.funnel_data(indicator)
        if data is None:
            continue
        frame, target, limits = data
        (sizes, lower95, upper95), (_, lower998, upper998) = limits.values()
        for lower, upper in ((lower95, upper95), (lower998, upper998)):
            assert np.isfinite(lower).all() and np.isfinite(upper).all(), indicator.id
            assert (lower <= target).all() and (upper >= target).all()
            assert upper[-1] - lower[-1] < upper[0] - lower[0]  # the funnel narrows
        assert (lower998 <= lower95).all() and (upper998 >= upper95).all()
        assert sizes[0] <= frame["denominator"].min() <= frame["denominator"].max() <= sizes[-1]
        # independent reference: the normal approximation at the largest area's size
        n = frame["denominator"].max()
        at = int(np.argmin(np.abs(sizes - n)))
        p = target / 100
        half_width = 100 * 1.96 * math.sqrt(p * (1 - p) / sizes[at])
        assert abs(upper95[at] - (target + half_width)) < 1.0  # percentage points
        assert abs(lower95[at] - (target - half_width)) < 1.0
        drawn += 1
    assert drawn >= 5
