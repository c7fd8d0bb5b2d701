"""Reader for Ofsted's children's services inspection outcomes (ILACS), `.ods`.

The sheet `Inspections_as_at_31_March` holds each LA's latest judgements. Its table starts
below two lines of notes, so the header row is found by its content. Ofsted identifies an LA by
its current ONS code (added in the 2025 publication) and its own spelling of the name
("Bristol", "Telford & Wrekin"); the reader maps both to DfE's stable `old_la_code`, code
first, name second.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scrutiny.national.areas import normalise_la_name
from scrutiny.national.errors import NationalDataError

SHEET = "Inspections_as_at_31_March"
SHEET_ROW = "sheet_row"  # the spreadsheet row number of each row (read_ofsted_table)

# Ofsted column heading (lower case, as it starts) -> our column name.
COLUMNS = {
    "local authority area code": "ons_code",
    "local authority name": "ofsted_name",
    "ofsted region": "ofsted_region",
    "inspection date": "inspection_date",
    "publication date": "publication_date",
    "overall effectiveness": "overall_effectiveness",
    "the impact of leaders": "leadership",
    "the experiences and progress of children who need help": "help_and_protection",
    "the experiences and progress of children in care": "children_in_care",
    "the experiences and progress of care leavers": "care_leavers",
}
REQUIRED = ("ofsted_name", "overall_effectiveness")
HEADER_SEARCH_ROWS = 20


def _match_heading(heading: object) -> str | None:
    text = " ".join(str(heading).split()).lower()
    for start, name in COLUMNS.items():
        if text.startswith(start):
            return name
    return None


def read_ofsted_outcomes(path: Path, areas: pd.DataFrame) -> pd.DataFrame:
    """Latest ILACS judgements per LA, joined to `old_la_code`.

    `areas` is the LA lookup built from the EES files (`old_la_code, la_name, ons_codes`,
    where `ons_codes` lists every ONS code seen for the LA). Returns `old_la_code, match`
    ("ons_code", "name" or "" when unmatched; unmatched rows are kept with a missing
    old_la_code so the caller can report them) and the Ofsted columns.
    """
    return join_ofsted(read_ofsted_table(path).drop(columns=SHEET_ROW), areas)


def read_ofsted_table(path: Path) -> pd.DataFrame:
    """The judgements table of the sheet, columns named as in `COLUMNS`, plus `sheet_row`
    (the spreadsheet row number of each row, for messages about it)."""
    if not path.exists():
        raise NationalDataError(path, "file not found")
    try:
        sheet = pd.read_excel(path, sheet_name=SHEET, header=None, engine="odf")
    except ValueError as exc:  # raised for a missing sheet
        raise NationalDataError(path, f"cannot read sheet {SHEET!r} ({exc})") from None
    except Exception as exc:  # odfpy raises assorted errors for damaged files
        raise NationalDataError(path, f"cannot be read as an ODS spreadsheet ({exc})") from None

    header_row = None
    for i in range(min(HEADER_SEARCH_ROWS, len(sheet))):
        names = [_match_heading(cell) for cell in sheet.iloc[i]]
        if "ofsted_name" in names or "ons_code" in names:
            header_row = i
            break
    if header_row is None:
        raise NationalDataError(path, f"no header row with 'Local authority name' in {SHEET!r}")
    names = [_match_heading(cell) for cell in sheet.iloc[header_row]]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise NationalDataError(path, f"sheet {SHEET!r} lacks column(s): {', '.join(missing)}")

    body = sheet.iloc[header_row + 1 :]
    table = pd.DataFrame(
        {name: body.iloc[:, i].to_numpy() for i, name in enumerate(names) if name is not None}
    )
    # Row numbers as a spreadsheet shows them (the first sheet row is 1).
    table[SHEET_ROW] = range(header_row + 2, header_row + 2 + len(table))
    table = table[table["ofsted_name"].notna()].reset_index(drop=True)
    for name in ("inspection_date", "publication_date"):
        if name in table:
            table[name] = pd.to_datetime(table[name], errors="coerce")
    for name in ("ons_code", "ofsted_name", "ofsted_region"):
        if name in table:
            table[name] = table[name].astype("string").str.strip()
    return table


def join_ofsted(table: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """`read_ofsted_table` joined to `old_la_code` (see `read_ofsted_outcomes`)."""
    table = table.copy()
    by_code: dict[str, str] = {}
    for code, codes in zip(areas["old_la_code"], areas["ons_codes"], strict=True):
        for ons in codes:
            by_code.setdefault(ons, code)
    by_name = {
        normalise_la_name(n): c for c, n in zip(areas["old_la_code"], areas["la_name"], strict=True)
    }
    old_codes: list[object] = []
    matches: list[str] = []
    for row in table.itertuples(index=False):
        ons = getattr(row, "ons_code", None)
        if isinstance(ons, str) and ons in by_code:
            old_codes.append(by_code[ons])
            matches.append("ons_code")
            continue
        code = by_name.get(normalise_la_name(str(row.ofsted_name)))
        old_codes.append(code if code is not None else pd.NA)
        matches.append("name" if code is not None else "")
    table.insert(0, "old_la_code", pd.array(old_codes, dtype="string"))
    table.insert(1, "match", matches)
    return table
