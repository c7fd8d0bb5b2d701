"""Accessibility: every page of a demo run meets axe-core's WCAG 2.2 AA rules in headless Chromium.

The checker is tests/accessibility.py (also a script: ``python tests/accessibility.py DIR``).
Skipped, saying how to install them, where Chromium or axe-core is missing.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from accessibility import (
    AccessibilityCheckError,
    format_report,
    html_pages,
    missing_dependencies,
    violations,
)

PERIOD = "2025-26-Q4"

# would stop the checker's scripts if it were left in: the checker must take it out of its copy
CSP = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">"

BAD_PAGE = f"""<!DOCTYPE html>
<html>
<head><meta charset="utf-8">{CSP}<title>A page with faults</title></head>
<body><main>
<h1>A page with faults</h1>
<img src="missing.png">
<p style="color:#cccccc;background:#ffffff">Pale grey text on white.</p>
</main></body>
</html>
"""

GOOD_PAGE = f"""<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8">{CSP}<title>A page without faults</title></head>
<body><main>
<h1>A page without faults</h1>
<p style="color:#0b0c0c;background:#ffffff">Dark text on white, with
<a href="other.html" style="color:#1d70b8;text-decoration:underline">an underlined link</a>.</p>
<img src="chart.svg" alt="A blue square">
</main></body>
</html>
"""

SQUARE = ('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
          '<rect width="20" height="20" fill="#1d70b8"/></svg>')


@pytest.fixture(scope="session", autouse=True)
def chromium_and_axe() -> None:
    # session-scoped and autouse, so it skips before the demo cycle is run for nothing
    missing = missing_dependencies()
    if missing:
        pytest.skip(missing)


def _check(pages: list[Path], **options) -> dict[Path, list[dict]]:
    try:
        return violations(pages, **options)
    except AccessibilityCheckError as error:
        pytest.fail(str(error), pytrace=False)


def test_every_page_of_the_run_meets_wcag_2_2_aa(cycle_outputs):
    folder = cycle_outputs["out_dir"] / PERIOD
    pages = html_pages([folder])
    names = {page.name for page in pages}
    assert "index.html" in names, f"no index.html in {folder}: {sorted(names)}"
    assert len(pages) > 1, f"only {sorted(names)} in {folder}"

    started = time.monotonic()
    results = _check(pages)
    took = time.monotonic() - started

    failing = {page: found for page, found in results.items() if found}
    if failing:
        pytest.fail(f"{len(failing)} of {len(pages)} page(s) of the demo run have WCAG 2.2 AA "
                    f"violations (checked in {took:.0f} s):\n\n{format_report(failing)}",
                    pytrace=False)


def test_the_check_reports_a_bad_page_and_passes_a_good_one(tmp_path):
    # so the check above cannot pass by not looking: these faults must be found, colour
    # contrast too (it needs the page laid out), even though the page forbids scripts
    bad, good = tmp_path / "bad.html", tmp_path / "good.html"
    bad.write_text(BAD_PAGE, encoding="utf-8")
    good.write_text(GOOD_PAGE, encoding="utf-8")
    (tmp_path / "chart.svg").write_text(SQUARE, encoding="utf-8")

    results = _check([bad, good])

    found = {violation["id"]: violation for violation in results[bad]}
    assert {"image-alt", "color-contrast", "html-has-lang"} <= set(found), sorted(found)
    assert found["image-alt"]["nodes"][0]["html"] == '<img src="missing.png">'
    assert results[good] == [], format_report({good: results[good]})

    report = format_report(results)
    assert str(bad) in report and str(good) not in report
    for text in ("[critical] image-alt: Images must have alternative text",
                 "[serious] color-contrast:", "[serious] html-has-lang:",
                 '<img src="missing.png">', "insufficient color contrast"):
        assert text in report, report


def test_a_page_that_never_finishes_fails_clearly(tmp_path):
    stuck = tmp_path / "stuck.html"
    stuck.write_text('<!DOCTYPE html><html lang="en"><head><title>Stuck</title></head>'
                     "<body><script>for (;;) {}</script></body></html>", encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(AccessibilityCheckError, match=r"stuck\.html: .*did not finish"):
        violations([stuck], timeout=5)
    assert time.monotonic() - started < 60
