"""What reports show: escaping, suppression symbols and formatting."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from scrutiny.present import Section, shown_count, shown_value


def test_free_text_from_returns_is_escaped_in_tables_and_paragraphs():
    section = Section("<b>title</b>")
    section.table(pd.DataFrame({"What we heard": ['<script>alert("x")</script> & more']}))
    section.paragraph("<img src=x onerror=alert(1)>")
    html = section._repr_html_()
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;title&lt;/b&gt;" in html


def test_small_counts_show_as_the_suppression_symbol():
    assert [shown_count(n) for n in (0, 1, 4, 5, 1234)] == ["0", "c", "c", "5", "1,234"]


def test_percentages_on_small_numbers_are_suppressed_and_others_formatted():
    row = pd.Series({"numerator": 3, "denominator": 40, "value": 7.5, "complete": True})
    assert shown_value(row, "percent") == "c"
    row = pd.Series({"numerator": 30, "denominator": 4, "value": 750.0, "complete": True})
    assert shown_value(row, "percent") == "c"
    row = pd.Series({"numerator": 30, "denominator": 40, "value": 75.0, "complete": True})
    assert shown_value(row, "percent") == "75.0%"
    row = pd.Series({"numerator": 30, "denominator": 40, "value": 75.0, "complete": False})
    assert shown_value(row, "percent") == "incomplete"


def test_report_code_never_imports_great_expectations():
    # notebooks import scrutiny.report; great-expectations belongs to the runner only
    code = ("import sys, scrutiny.report, scrutiny.report.national; "
            "print('great_expectations' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
