"""Text fit to write into a CSV or XLSX file that someone will open in a spreadsheet.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is
read by Excel and LibreOffice as a formula: text from a return or a published file could run
one ("CSV injection"). Such text is written with a leading apostrophe, the spreadsheet
convention for "this is text"; plain numbers such as ``-3`` or ``+4.5`` are left alone.
"""

from __future__ import annotations

import re

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def neutralise(value: object) -> object:
    """``value`` made safe for a spreadsheet cell; non-text values are returned unchanged."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if _PLAIN_NUMBER.match(value):
        return value
    return "'" + value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and column name) neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    safe.columns = [neutralise(column) for column in safe.columns]
    return safe
