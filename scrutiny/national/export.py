"""Write the national long table to CSV (`scrutiny national export --source DIR --out FILE`)."""

from __future__ import annotations

import logging
import math
import os
import tempfile
from pathlib import Path

import pandas as pd

from scrutiny.national.errors import NationalDataError
from scrutiny.national.indicators import LONG_COLUMNS
from scrutiny.national.load import NationalData, Problem, load_national
from scrutiny.spreadsheets import neutralised

__all__ = ["export_national", "load_national", "write_long_table", "NationalData", "Problem"]

log = logging.getLogger(__name__)


def _format_number(value: float) -> str:
    # Shortest text that reads back to the same float: unrounded, but 402400 not 402400.0.
    if math.isnan(value):
        return ""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def write_long_table(table: pd.DataFrame, out_file: Path) -> None:
    """Write `table` as CSV with exactly `LONG_COLUMNS`, whole or not at all."""
    out = neutralised(table[list(LONG_COLUMNS)])  # area names and markers are text from files
    for name in ("value", "numerator", "denominator"):
        # tolist() gives Python floats, whose repr is plain ("330.29...", not "np.float64(...)").
        out[name] = [_format_number(v) for v in out[name].astype("float64").tolist()]
    out_file.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=out_file.parent, prefix=f".{out_file.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            out.to_csv(stream, index=False, lineterminator="\n")
        # mkstemp creates the file private; give it the usual permissions for a new file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp_name, 0o666 & ~umask)
        os.replace(temp_name, out_file)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def export_national(source_dir: Path, out_file: Path, *, strict: bool = False) -> pd.DataFrame:
    """Load every national file family in `source_dir` and write the long table to `out_file`.

    Families that fail are logged and left out (the returned frame lists them in
    `.attrs["problems"]`); with `strict=True` any problem raises `NationalDataError`
    instead. Raises `NationalDataError` when nothing at all could be loaded.
    """
    source_dir, out_file = Path(source_dir), Path(out_file)
    data = load_national(source_dir, include_ofsted=False)
    if strict and data.problems:
        first = data.problems[0]
        raise NationalDataError(source_dir / first.file, first.problem)
    if data.table.empty:
        details = "; ".join(str(p) for p in data.problems) or "no indicator rows"
        raise NationalDataError(source_dir, f"no national statistics could be loaded: {details}")
    write_long_table(data.table, out_file)
    log.info("wrote %d rows to %s", len(data.table), out_file)
    table = data.table.copy()
    table.attrs["problems"] = [str(p) for p in data.problems]
    table.attrs["notes"] = list(data.notes)
    return table
