"""The data behind the reports: ``data/indicators.csv`` and its definitions, from the cycle's
judgements (:mod:`scrutiny.judgements`), the table every report is built from.

``indicators.csv`` has one row per area (and the partnership), indicator, window and
comparator, with the figures and judgements the reports show, rounded as they show them. A
figure the reports hide is a symbol here, as in official statistics: ``c`` suppressed (a small
number), ``x`` not available (a month or return missing), ``z`` not applicable (nothing to
measure); a published statistic keeps DfE's own symbol. ``indicator_definitions.csv`` says
what each indicator id is.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scrutiny.judgements import COLUMNS, SYMBOLS, Judgements
from scrutiny.spreadsheets import neutralised

DATA_DIR = "data"
INDICATORS_FILE = f"{DATA_DIR}/indicators.csv"
DEFINITIONS_FILE = f"{DATA_DIR}/indicator_definitions.csv"
NUMBERS = ["numerator", "denominator", "value", "ci_lower", "ci_upper"]
DEFINITION_COLUMNS = ["indicator_id", "title", "step", "themes", "unit", "polarity", "source",
                      "definition", "question", "target"]


def shown_number(value: float, unit: str, whole: bool = False) -> str:
    """A figure as the reports round it (counts whole, rates and percentages to 0.1)."""
    if pd.isna(value):
        return ""
    if whole or unit == "count":
        return f"{value:.0f}" if float(value).is_integer() or unit == "count" else f"{value:.1f}"
    return f"{value:.1f}"


def indicators_table(judgements: Judgements) -> pd.DataFrame:
    """The judgements as published: rounded, hidden figures as symbols."""
    table = judgements.table
    out = table[COLUMNS].astype(object).copy()
    units = table["indicator_id"].map(judgements.unit)
    for column in NUMBERS:
        whole = column in ("numerator", "denominator")
        out[column] = [shown_number(value, unit, whole)
                       for value, unit in zip(table[column], units, strict=True)]
    hidden = table["status"] != "published"
    symbols = [symbol or SYMBOLS.get(status, "x")
               for symbol, status in zip(table["symbol"], table["status"], strict=True)]
    for column in NUMBERS:
        out.loc[hidden, column] = pd.Series(symbols, index=table.index)[hidden]
    comparator = [
        shown_number(value, unit) if status == "published"
        else (symbol or SYMBOLS.get(status, "")) if name else ""
        for value, unit, status, symbol, name in zip(
            table["comparator_value"], units, table["comparator_status"],
            table["comparator_symbol"], table["comparator"], strict=True)]
    out["comparator_value"] = comparator
    out["rank"] = table["rank"].map(lambda rank: "" if pd.isna(rank) else str(int(rank)))
    return out


def definitions_table(judgements: Judgements) -> pd.DataFrame:
    framework = judgements.framework
    rows = [{"indicator_id": ind.id, "title": ind.title,
             "step": framework.step(ind.step).title,
             "themes": "; ".join(framework.theme(t).title for t in ind.themes),
             "unit": ind.unit, "polarity": ind.polarity, "source": f"{ind.source} return",
             "definition": ind.definition, "question": ind.question,
             "target": "" if ind.target is None else f"{ind.target:g}"}
            for ind in framework.indicators]
    for statistic, step in judgements.published_statistics.items():
        rows.append({"indicator_id": statistic, "title": judgements.title(statistic),
                     "step": framework.step(step).title, "themes": "",
                     "unit": judgements.unit(statistic),
                     "polarity": judgements.polarity(statistic),
                     "source": "DfE published statistics", "definition": "", "question": "",
                     "target": ""})
    return pd.DataFrame(rows, columns=DEFINITION_COLUMNS)


def write_data(judgements: Judgements, period_dir: Path) -> list[Path]:
    """Write the data files into the period's folder, safe to open in a spreadsheet."""
    folder = Path(period_dir) / DATA_DIR
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in ((INDICATORS_FILE, indicators_table(judgements)),
                        (DEFINITIONS_FILE, definitions_table(judgements))):
        path = Path(period_dir) / name
        neutralised(table).to_csv(path, index=False)
        paths.append(path)
    return paths
