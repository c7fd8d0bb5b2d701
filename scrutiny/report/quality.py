"""The data-quality report: what was received, what was rejected and why, what is missing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scrutiny import charts
from scrutiny.periods import Period
from scrutiny.present import Section
from scrutiny.report.common import CycleFigures, header
from scrutiny.returns import ANNUAL_RETURNS, RETURN_TYPES

RULE_NAMES = {
    "columns": "Columns", "required": "Required value", "whole_number": "Whole number",
    "date": "Date format", "month": "Month format", "code_list": "Allowed codes",
    "area": "Area matches file", "period": "Inside the period", "duplicate": "No duplicates",
    "consistency": "Figures consistent", "date_order": "Dates in order",
    "personal_data": "Possible personal data", "file_name": "File name",
    "unreadable": "Readable file", "encoding": "Text encoding",
    "duplicate_column": "Column named twice", "unnamed_column": "Column with no header",
    "cell_too_long": "Cell too long", "excel_error": "Excel error value",
    "formula": "Formula with no result", "merged_cells": "Merged cells",
    "extra_column": "Column not in the return", "identifier_column": "Identifier column",
    "identifier": "Identifier in a value", "same_return_twice": "Same return twice",
    "repeats_another_return": "Repeats another return",
    "period_not_over": "Period not over",
    "contract": "Contract could not run",
}


class QualityReport:
    def __init__(self, figures: CycleFigures):
        self.figures = figures
        self.cycle = figures.cycle

    @classmethod
    def open(cls, store_path: str | Path, period: str) -> QualityReport:
        return cls(CycleFigures.open(store_path, period))

    def title(self) -> Section:
        return header(self.figures, "Data quality: returns received and checked",
                      "Every return is checked against its data contract before any report "
                      "is written. This report names each return that was rejected or looks "
                      "suspect, the rule it broke, the column and the rows, and what to do.")

    def _period_files(self) -> pd.DataFrame:
        received = self.cycle.received
        if received.empty:
            return received
        labels = {self.cycle.period.label, self.cycle.period.year.label}
        return received[received["period"].isin(labels) | received["period"].isna()]

    def period_files(self) -> pd.DataFrame:
        """Every file received for this period (or for no period), with its status."""
        return self._period_files()

    def summary(self) -> Section:
        section = Section()
        section.table(self.summary_table(), f"Returns for {self.cycle.period.label}")
        return section

    def summary_table(self) -> pd.DataFrame:
        """How many returns were received, accepted, accepted with warnings and rejected."""
        files = self._period_files()
        findings = self.cycle.findings
        warned = set(zip(findings.loc[findings["severity"] == "warning", "sha256"],
                         findings.loc[findings["severity"] == "warning", "file_name"],
                         strict=True))
        accepted = files[files["status"] == "accepted"]
        rows = [
            {"": "Returns received for this period", "Files": len(files)},
            {"": "Accepted", "Files": len(accepted)},
            {"": "Accepted with warnings",
             "Files": sum((sha, name) in warned for sha, name in
                          zip(accepted["sha256"], accepted["file_name"], strict=True))},
            {"": "Rejected and quarantined", "Files": int((files["status"] == "rejected").sum())},
            {"": "Returns received in all periods", "Files": len(self.cycle.received)},
            {"": "Files in the data folder not read", "Files": len(self.cycle.not_read)},
        ]
        return pd.DataFrame(rows)

    def _findings_table(self, severity: str, files: pd.DataFrame) -> pd.DataFrame:
        findings = self.cycle.findings
        # a file is its name and its content: a replaced file's findings are not its successor's
        chosen = findings[findings["severity"] == severity].merge(
            files[["sha256", "file_name"]], on=["sha256", "file_name"])
        return pd.DataFrame({
            "File": chosen["file_name"],
            "Rule": chosen["rule"].map(lambda rule: RULE_NAMES.get(rule, rule)),
            "Column(s)": chosen["columns"].map(lambda cols: ", ".join(cols) if len(cols) else
                                                "whole file"),
            "Rows": chosen["rows"].map(lambda n: n if n else "–"),
            "What is wrong": chosen["message"],
            "What to do": chosen["fix"],
        }).sort_values(["File", "Rule"])

    def rejected_findings(self) -> pd.DataFrame:
        """The rules each rejected return broke: file, rule, columns, rows, what to do."""
        rejected = self.cycle.received[self.cycle.received["status"] == "rejected"]
        return self._findings_table("error", rejected)

    def warning_findings(self) -> pd.DataFrame:
        """The warnings on accepted returns, in the same columns."""
        accepted = self.cycle.received[self.cycle.received["status"] == "accepted"]
        return self._findings_table("warning", accepted)

    def rejected(self) -> Section:
        section = Section()
        rejected = self.cycle.received[self.cycle.received["status"] == "rejected"]
        if rejected.empty:
            section.paragraph("No return has been rejected.")
            return section
        section.paragraph(
            f"{len(rejected)} return(s) broke at least one rule and were quarantined whole: "
            "none of their rows are in the figures. Each is kept byte for byte in the store. "
            "Correct it and send it again (for example with _v2 at the end of the file name); "
            "the corrected file replaces it in the next run.")
        section.table(self._findings_table("error", rejected),
                      "Rules broken by rejected returns (rows are spreadsheet row numbers; the "
                      "header is row 1)")
        return section

    def suspect(self) -> Section:
        section = Section()
        accepted = self.cycle.received[self.cycle.received["status"] == "accepted"]
        table = self._findings_table("warning", accepted)
        if table.empty:
            section.paragraph("No accepted return raised a warning.")
            return section
        section.paragraph("Text that may identify a child or family is withheld from every "
                          "report and from the store's analysis tables until a corrected "
                          "return replaces it. The findings name the kind of identifier, "
                          "never the text.")
        section.table(table, "Warnings on accepted returns")
        return section

    def not_read(self) -> Section:
        """Files in the data folder that are not returns the tool reads, and why."""
        section = Section()
        files = self.cycle.not_read
        if files.empty:
            section.paragraph("Every file in the data folder was read.")
            return section
        section.paragraph(
            f"{len(files)} file(s) in the data folder were not read. None of their contents "
            "is in the store or the figures. If one is a return, correct it as the table "
            "says and run the cycle again.")
        section.table(pd.DataFrame({
            "File (in the data folder)": files["path"],
            "Why it was not read": files["reason"],
            "A return is named": files["expected"].replace("", "–"),
        }), "Files not read")
        return section

    def completeness(self) -> Section:
        section = Section()
        cycle = self.cycle
        received = cycle.received
        section.table(self.return_status(),
                      f"Status of each return for {cycle.period.label} (section 11: "
                      f"{cycle.period.year.label})")
        history = received[received["period"].notna()].copy()
        history = history[history["period"].map(lambda p: Period.parse(p).is_quarter)]
        if not history.empty:
            counts = (history.groupby(["period", "status"]).size().reset_index(name="files"))
            section.figure(
                charts.quarterly_bars(counts, "period", "files", "status",
                                      "Returns received by quarter", "files"),
                "Bar chart: returns accepted and rejected in each quarter.")
        return section

    def return_status(self) -> pd.DataFrame:
        """Each area's returns for the period: accepted, rejected or missing, by return type."""
        cycle = self.cycle
        received = cycle.received
        rows = []
        for area in cycle.partnership.areas:
            row = {"Area": area.name}
            for return_type in RETURN_TYPES:
                period = (cycle.period.year if return_type in ANNUAL_RETURNS
                          else cycle.period).label
                mine = received[(received["return_type"] == return_type)
                                & (received["area_code"] == area.code)
                                & (received["period"] == period)]
                current = cycle.returned(return_type, area.code, [Period.parse(period)])
                row[return_type] = ("accepted" if current else
                                    "rejected" if len(mine) else "missing")
            rows.append(row)
        return pd.DataFrame(rows)

    def provenance(self) -> Section:
        section = Section()
        files = self._period_files()
        accepted = files[files["status"] == "accepted"].sort_values("file_name")
        section.paragraph("Each accepted row in the store records the sha256 of the file it "
                          "came from, so every figure can be traced to a received file.")
        section.table(pd.DataFrame({
            "File": accepted["file_name"],
            "Rows": accepted["data_rows"],
            "Received": accepted["received_at"].dt.strftime("%Y-%m-%d %H:%M"),
            "sha256": accepted["sha256"],
        }), f"Accepted returns for {self.cycle.period.label}")
        return section
