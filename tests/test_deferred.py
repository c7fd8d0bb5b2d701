"""Modules a dependency imports for nothing of ours are imported when first used, not before
(``scrutiny/deferred.py``): the IRI grammar is not built at import, and IRIs are still checked;
checking returns does not run scipy.stats, and the statistics that use it still get it whole."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap

import pytest

CHECK = """
import sys
import scrutiny, jsonschema, nbformat
from jsonschema import FormatChecker

loaded_early = hasattr(sys.modules["rfc3987_syntax"], "__file__")
checker = FormatChecker()
print(loaded_early, checker.conforms("https://example.org/caf\\u00e9", "iri"),
      checker.conforms("no scheme here", "iri"),
      hasattr(sys.modules["rfc3987_syntax"], "__file__"))
"""


def test_iri_grammar_is_built_only_when_an_iri_is_checked() -> None:
    pytest.importorskip("rfc3987_syntax")
    # a process of its own: this one may have imported the real module already
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", "True", "False", "True"]


# In a new interpreter: import great-expectations as the contract checks do, run a check,
# then use scipy.stats as the report's statistics do.
SCRIPT = textwrap.dedent("""
    import json, sys
    import pandas as pd
    from scrutiny.contracts import validate_frame

    frame = pd.DataFrame({"count": ["1", "2", "x"], "_file": "f.csv", "_row": [2, 3, 4]})
    results = validate_frame("deferred", [{
        "type": "expect_column_values_to_match_regex",
        "kwargs": {"column": "count", "regex": "^[0-9]+$"}, "meta": {}}], frame)
    checked = {"failed": sum(1 for _item, result in results if not result.success),
               "scipy_stats_ran": "scipy.stats._stats_py" in sys.modules}
    from scipy import stats
    from statsmodels.stats.proportion import proportion_confint
    checked["normal_median"] = float(stats.norm.cdf(0.0))
    checked["wilson"] = [round(value, 4) for value in proportion_confint(
        17, 98, alpha=0.05, method="wilson")]
    print(json.dumps(checked))
""")


def test_checking_returns_does_not_run_scipy_stats_and_statistics_still_get_it():
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         timeout=180, check=True)
    checked = json.loads(run.stdout.strip().splitlines()[-1])
    assert checked["failed"] == 1  # the check ran: "x" is not a count
    assert checked["scipy_stats_ran"] is False
    assert checked["normal_median"] == 0.5
    assert checked["wilson"] == [round(value, 4) for value in _wilson(17, 98)]


def _wilson(successes: int, trials: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson's score interval from its formula (Newcombe 1998, method 3)."""
    share = successes / trials
    centre = (share + z * z / (2 * trials)) / (1 + z * z / trials)
    half = (z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
            / (1 + z * z / trials))
    return centre - half, centre + half
