"""The data contracts of the seven local returns: what they accept, and what they reject and why.

Every case is a small, realistic return written to disk with its proper file name, read as
the tool reads it and checked with its great-expectations suite. To keep the run short, all
the cases of one return type are checked together in one validation (as ingest does with a
cycle's files), which also shows that the files' findings are kept apart: every case file
repeats the valid file's rows, so a finding that leaked across files would show at once.

Each case names exactly the findings it expects: (rule, columns, spreadsheet row numbers),
with the header as row 1 and the first data row as row 2.
"""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook

from scrutiny.contracts import (
    Finding,
    check,
    load_contracts,
    parameters_for,
    validation_frame,
)
from scrutiny.framework import load_framework
from scrutiny.ingest import ingest
from scrutiny.partnership import Area, Partnership
from scrutiny.privacy import screen
from scrutiny.sources import read_table, receive

BNES, BRISTOL, NORTH_SOMERSET, SOUTH_GLOS, SOMERSET = (
    "E06000022", "E06000023", "E06000024", "E06000025", "E06000066")
PARTNERSHIP = Partnership(
    name="Avon and Somerset (test)",
    areas=(
        Area(BNES, "Bath and North East Somerset", 800, 36_600),
        Area(BRISTOL, "Bristol, City of", 801, 92_700),
        Area(NORTH_SOMERSET, "North Somerset", 802, 44_400),
        Area(SOUTH_GLOS, "South Gloucestershire", 803, 62_800),
        Area(SOMERSET, "Somerset", 933, 113_000),
    ),
)
NOT_OURS = "E06000099"  # a well-formed ONS code of no area of the partnership

Rows = list[dict[str, str] | None]  # None writes a blank line


@dataclass(frozen=True)
class Valid:
    """A valid return: its file name's parts and its rows (spreadsheet rows 2, 3, ...)."""

    return_type: str
    area_code: str
    period: str
    rows: tuple[dict[str, str], ...]

    def file_name(self, label: str = "", extension: str = "csv") -> str:
        suffix = f"_{label}" if label else ""
        return f"{self.return_type}_{self.area_code}_{self.period}{suffix}.{extension}"


def _rows(header: str, *lines: str) -> tuple[dict[str, str], ...]:
    columns = header.split(",")
    return tuple(dict(zip(columns, values, strict=True))
                 for values in csv.reader(io.StringIO("\n".join(lines))))


VALID: dict[str, Valid] = {
    "indicators": Valid("indicators", NORTH_SOMERSET, "2025-26-Q4", _rows(
        "area_code,month,indicator_id,numerator,denominator,agency",
        "E06000024,2026-01,referrals,98,,local_authority",
        "E06000024,2026-01,rereferrals,17,98,local_authority",
        "E06000024,2026-02,referrals,91,,local_authority",
        "E06000024,2026-02,rereferrals,15,91,local_authority",
        "E06000024,2026-03,cpp,178,,local_authority",
        "E06000024,2026-03,cme,0,,education",
    )),
    "reviews": Valid("reviews", BRISTOL, "2025-26-Q4", _rows(
        "review_ref,area_code,incident_known_date,notified_date,rapid_review_date,decision,"
        "panel_agreed,published_date,themes",
        "BRIS-2026-01,E06000023,2026-01-05,2026-01-07,2026-01-27,lcspr,yes,,domestic_abuse;missing",
        "BRIS-2026-02,E06000023,2026-02-02,2026-02-04,2026-02-20,no_further_review,yes,,partnership",
        "BRIS-2026-03,E06000023,2026-02-27,2026-03-05,2026-03-24,other_learning,pending,,"
        "exploitation",
        "BRIS-2026-04,E06000023,2026-03-23,2026-03-25,,pending,,,early_help;transition",
    )),
    "actions": Valid("actions", BNES, "2025-26-Q4", _rows(
        "action_ref,area_code,source,step,theme,owner_agency,raised,due,status,completed",
        "BNES-A031,E06000022,cspr,learning,domestic_abuse,police,2025-06-12,2025-09-30,completed,"
        "2025-09-15",
        "BNES-A032,E06000022,inspection,leadership,early_help,local_authority,2025-07-01,"
        "2026-01-30,completed,2026-01-28",
        "BNES-A033,E06000022,audit,assurance,missing,health,2025-11-03,2026-02-27,in_progress,",
        "BNES-A034,E06000022,scrutiny,voice,partnership,business_unit,2026-02-10,2026-05-29,open,",
        "BNES-A035,E06000022,section11,leadership,partnership,education,2025-12-03,2026-03-31,"
        "in_progress,",
    )),
    "training": Valid("training", NORTH_SOMERSET, "2025-26-Q4", _rows(
        "area_code,month,course,theme,delivery,places,attended,evaluations,met_needs",
        "E06000024,2026-01,Working with neglect,early_help,face_to_face,24,21,18,16",
        'E06000024,2026-01,"Neglect, drift and delay",early_help,virtual,40,33,22,20',
        "E06000024,2026-02,Child exploitation: spotting the signs,exploitation,virtual,45,39,30,27",
        "E06000024,2026-03,Domestic abuse and coercive control,domestic_abuse,e_learning,80,61,35,"
        "31",
        "E06000024,2026-03,Working with neglect,early_help,face_to_face,24,24,20,20",
    )),
    "audits": Valid("audits", SOUTH_GLOS, "2025-26-Q4", _rows(
        "audit_ref,area_code,theme,completed,cases,outstanding,good,requires_improvement,inadequate",
        "SGLO-MACA-041,E06000025,missing,2026-01-21,8,1,4,2,1",
        "SGLO-MACA-042,E06000025,exploitation,2026-02-18,6,0,3,3,0",
        "SGLO-MACA-043,E06000025,early_help,2026-03-11,10,2,5,2,1",
    )),
    "voice": Valid("voice", BRISTOL, "2025-26-Q4", _rows(
        "area_code,month,method,participants,theme,what_we_heard,what_changed",
        "E06000023,2026-01,focus_group,9,missing,Young people said return home interviews felt "
        "like being told off rather than being listened to,Return home interviews are now offered "
        "by a worker the child already knows",
        'E06000023,2026-02,survey,140,early_help,"Parents said they wanted help sooner, before '
        'things reached crisis point",',
        "E06000023,2026-03,advocacy,4,partnership,Children said they wanted to be asked for their "
        "views before meetings about them,Children are now offered an advocate before every child "
        "protection conference",
    )),
    "section11": Valid("section11", SOMERSET, "2025-26", _rows(
        "agency,area_code,year,standard,rating",
        "Somerset Council,E06000066,2025-26,senior_management_commitment,fully_met",
        "Somerset Council,E06000066,2025-26,safer_recruitment,partially_met",
        "Avon and Somerset Constabulary,E06000066,2025-26,information_sharing,fully_met",
        "NHS Somerset ICB,E06000066,2025-26,listening_to_children,not_met",
    )),
}


# --- editing a valid return into a faulty one -------------------------------------------------

Edit = Callable[[list[str], Rows], None]


def cell(row: int, column: str, value: str) -> Edit:
    """Set one cell; ``row`` is the spreadsheet row number (2 is the first data row)."""
    def edit(header: list[str], rows: Rows) -> None:
        rows[row - 2][column] = value
    return edit


def drop(*columns: str) -> Edit:
    def edit(header: list[str], rows: Rows) -> None:
        for column in columns:
            header.remove(column)
    return edit


def blank_line_before(row: int) -> Edit:
    def edit(header: list[str], rows: Rows) -> None:
        rows.insert(row - 2, None)
    return edit


@dataclass(frozen=True)
class Case:
    id: str  # also the file name's label, so every case has its own file
    return_type: str
    edits: tuple[Edit, ...]
    errors: tuple[tuple[str, tuple[str, ...], tuple[int, ...]], ...] = ()
    warnings: tuple[tuple[str, tuple[str, ...], tuple[int, ...]], ...] = ()
    marks: tuple = field(default=())

    @property
    def file_name(self) -> str:
        return VALID[self.return_type].file_name(self.id)


def case(return_type: str, id_: str, *edits: Edit, errors=(), warnings=(), marks=()) -> Case:
    return Case(id_, return_type, edits, tuple(errors), tuple(warnings), tuple(marks))


def missing(return_type: str, *columns: str) -> Case:
    return case(return_type, "missing-" + "-".join(c.replace("_", "-") for c in columns),
                drop(*columns), errors=[("columns", tuple(sorted(columns)), ())])


def area_not_ours(return_type: str, row: int) -> Case:
    return case(return_type, "area-not-in-partnership", cell(row, "area_code", NOT_OURS),
                errors=[("code_list", ("area_code",), (row,)), ("area", ("area_code",), (row,))])


def other_area(return_type: str, row: int, code: str) -> Case:
    return case(return_type, "area-of-another-file", cell(row, "area_code", code),
                errors=[("area", ("area_code",), (row,))])


CASES: list[Case] = [
    # indicators: area E06000024, rows 2-7 (rows 3 and 5 are percentages, 6 a stock)
    missing("indicators", "agency"),
    missing("indicators", "month", "numerator"),
    case("indicators", "blank-numerator", cell(4, "numerator", ""),
         errors=[("required", ("numerator",), (4,))]),
    case("indicators", "whitespace-is-blank", cell(5, "area_code", "   "),
         errors=[("required", ("area_code",), (5,))]),
    case("indicators", "decimal-and-negative-numerators", cell(2, "numerator", "12.5"),
         cell(6, "numerator", "-3"), errors=[("whole_number", ("numerator",), (2, 6))]),
    case("indicators", "thousands-separator", cell(6, "numerator", "1,178"),
         errors=[("whole_number", ("numerator",), (6,))]),
    case("indicators", "decimal-denominator", cell(3, "denominator", "98.0"),
         errors=[("whole_number", ("denominator",), (3,))]),
    case("indicators", "month-as-words-or-date", cell(4, "month", "Febuary 2026"),
         cell(6, "month", "2026-03-31"), errors=[("month", ("month",), (4, 6))]),
    case("indicators", "impossible-month", cell(2, "month", "2026-13"),
         errors=[("month", ("month",), (2,))]),
    case("indicators", "month-before-quarter", cell(2, "month", "2025-12"),
         errors=[("period", ("month",), (2,))]),
    case("indicators", "month-after-quarter", cell(6, "month", "2026-04"),
         errors=[("period", ("month",), (6,))]),
    area_not_ours("indicators", 3),
    other_area("indicators", 3, BRISTOL),
    case("indicators", "unknown-indicator", cell(6, "indicator_id", "child_protection_plans"),
         errors=[("code_list", ("indicator_id",), (6,))]),
    case("indicators", "unknown-agency", cell(7, "agency", "school"),
         errors=[("code_list", ("agency",), (7,))]),
    case("indicators", "duplicate-key", cell(5, "month", "2026-01"),
         cell(5, "indicator_id", "rereferrals"), cell(5, "denominator", "98"),
         errors=[("duplicate", ("area_code", "month", "indicator_id"), (3, 5))]),
    case("indicators", "numerator-over-denominator", cell(5, "numerator", "95"),
         errors=[("consistency", ("denominator", "numerator"), (5,))]),
    case("indicators", "percentage-without-denominator", cell(3, "denominator", ""),
         errors=[("required", ("denominator",), (3,))]),
    case("indicators", "month-without-leading-zero", cell(4, "month", "2026-2"),
         errors=[("month", ("month",), (4,))]),
    case("indicators", "fullwidth-digits", cell(2, "numerator", "９８"),
         errors=[("whole_number", ("numerator",), (2,))]),
    case("indicators", "blank-line-keeps-row-numbers", blank_line_before(4),
         cell(5, "numerator", "-1"),  # after the blank line the file's 5th line holds row 5
         errors=[("whole_number", ("numerator",), (5,))]),

    # reviews: area E06000023, rows 2-5
    missing("reviews", "decision"),
    case("reviews", "blank-notified-date", cell(3, "notified_date", ""),
         errors=[("required", ("notified_date",), (3,))]),
    case("reviews", "blank-review-ref", cell(5, "review_ref", ""),
         errors=[("required", ("review_ref",), (5,))]),
    case("reviews", "impossible-date", cell(4, "rapid_review_date", "2026-02-30"),
         errors=[("date", ("rapid_review_date",), (4,))]),
    case("reviews", "dates-not-iso", cell(2, "notified_date", "07.01.2026"),
         cell(3, "incident_known_date", "2 Feb 2026"),
         errors=[("date", ("notified_date",), (2,)), ("date", ("incident_known_date",), (3,))]),
    case("reviews", "unknown-decision", cell(5, "decision", "awaiting"),
         errors=[("code_list", ("decision",), (5,))]),
    case("reviews", "unknown-panel-answer", cell(3, "panel_agreed", "y"),
         errors=[("code_list", ("panel_agreed",), (3,))]),
    area_not_ours("reviews", 4),
    other_area("reviews", 2, BNES),
    case("reviews", "notified-before-quarter", cell(2, "incident_known_date", "2025-12-18"),
         cell(2, "notified_date", "2025-12-22"), errors=[("period", ("notified_date",), (2,))]),
    case("reviews", "notified-after-quarter", cell(5, "notified_date", "2026-04-01"),
         errors=[("period", ("notified_date",), (5,))]),
    case("reviews", "duplicate-ref", cell(4, "review_ref", "BRIS-2026-02"),
         errors=[("duplicate", ("review_ref",), (3, 4))]),
    case("reviews", "notified-before-known", cell(3, "incident_known_date", "2026-02-06"),
         errors=[("date_order", ("notified_date", "incident_known_date"), (3,))]),
    case("reviews", "rapid-review-before-notification", cell(4, "rapid_review_date", "2026-03-02"),
         errors=[("date_order", ("rapid_review_date", "notified_date"), (4,))]),
    case("reviews", "published-before-rapid-review", cell(2, "published_date", "2026-01-20"),
         errors=[("date_order", ("published_date", "rapid_review_date"), (2,))]),

    # actions: area E06000022, rows 2-6 (2 and 3 completed)
    missing("actions", "due"),
    case("actions", "no-completed-column", drop("completed"),  # optional, but needed here
         errors=[("required", ("completed",), (2, 3))]),
    case("actions", "blank-owner", cell(4, "owner_agency", ""),
         errors=[("required", ("owner_agency",), (4,))]),
    case("actions", "impossible-date", cell(5, "raised", "2025-02-30"),
         errors=[("date", ("raised",), (5,))]),
    case("actions", "date-not-iso", cell(6, "due", "31-03-2026"),
         errors=[("date", ("due",), (6,))]),
    case("actions", "unknown-theme", cell(4, "theme", "safeguarding"),
         errors=[("code_list", ("theme",), (4,))]),
    case("actions", "unknown-codes", cell(5, "source", "peer_review"), cell(6, "status", "done"),
         cell(2, "step", "governance"),
         errors=[("code_list", ("source",), (5,)), ("code_list", ("status",), (6,)),
                 ("code_list", ("step",), (2,))]),
    area_not_ours("actions", 6),
    case("actions", "raised-after-quarter", cell(5, "raised", "2026-04-02"),
         errors=[("period", ("raised",), (5,))]),
    case("actions", "completed-after-quarter", cell(3, "completed", "2026-04-10"),
         errors=[("period", ("completed",), (3,))]),
    case("actions", "duplicate-ref", cell(5, "action_ref", "BNES-A033"),
         errors=[("duplicate", ("action_ref",), (4, 5))]),
    case("actions", "due-before-raised", cell(4, "due", "2025-10-31"),
         errors=[("date_order", ("due", "raised"), (4,))]),
    case("actions", "completed-before-raised", cell(2, "completed", "2025-06-01"),
         errors=[("date_order", ("completed", "raised"), (2,))]),
    case("actions", "completed-without-date", cell(3, "completed", ""),
         errors=[("required", ("completed",), (3,))]),

    # training: area E06000024, rows 2-6
    missing("training", "met_needs"),
    case("training", "blank-course", cell(4, "course", ""),
         errors=[("required", ("course",), (4,))]),
    case("training", "negative-and-decimal-counts", cell(3, "evaluations", "-3"),
         cell(5, "attended", "61.0"),
         errors=[("whole_number", ("evaluations",), (3,)), ("whole_number", ("attended",), (5,))]),
    case("training", "count-in-words", cell(2, "places", "twenty four"),
         errors=[("whole_number", ("places",), (2,))]),
    case("training", "impossible-month", cell(4, "month", "2026-13"),
         errors=[("month", ("month",), (4,))]),
    case("training", "month-before-quarter", cell(2, "month", "2025-12"),
         errors=[("period", ("month",), (2,))]),
    case("training", "month-after-quarter", cell(5, "month", "2026-04"),
         errors=[("period", ("month",), (5,))]),
    case("training", "unknown-theme", cell(4, "theme", "safeguarding"),
         errors=[("code_list", ("theme",), (4,))]),
    case("training", "unknown-delivery", cell(3, "delivery", "online"),
         errors=[("code_list", ("delivery",), (3,))]),
    area_not_ours("training", 2),
    other_area("training", 5, SOUTH_GLOS),
    case("training", "duplicate-key", cell(6, "month", "2026-01"),
         errors=[("duplicate", ("area_code", "month", "course", "delivery"), (2, 6))]),
    case("training", "attended-over-places", cell(4, "attended", "48"),
         errors=[("consistency", ("places", "attended"), (4,))]),
    case("training", "evaluations-over-attended", cell(2, "evaluations", "22"),
         errors=[("consistency", ("attended", "evaluations"), (2,))]),
    case("training", "met-needs-over-evaluations", cell(5, "met_needs", "36"),
         errors=[("consistency", ("evaluations", "met_needs"), (5,))]),

    # audits: area E06000025, rows 2-4
    missing("audits", "inadequate"),
    case("audits", "blank-cases", cell(3, "cases", ""), errors=[("required", ("cases",), (3,))]),
    case("audits", "non-whole-grades", cell(4, "good", "5.5"), cell(2, "outstanding", "-1"),
         errors=[("whole_number", ("good",), (4,)), ("whole_number", ("outstanding",), (2,))]),
    case("audits", "impossible-date", cell(3, "completed", "2026-02-30"),
         errors=[("date", ("completed",), (3,))]),
    case("audits", "date-not-iso", cell(2, "completed", "2026/01/21"),
         errors=[("date", ("completed",), (2,))]),
    case("audits", "completed-before-quarter", cell(2, "completed", "2025-12-15"),
         errors=[("period", ("completed",), (2,))]),
    case("audits", "completed-after-quarter", cell(4, "completed", "2026-04-01"),
         errors=[("period", ("completed",), (4,))]),
    case("audits", "unknown-theme", cell(3, "theme", "neglect"),
         errors=[("code_list", ("theme",), (3,))]),
    other_area("audits", 4, SOMERSET),
    case("audits", "duplicate-ref", cell(4, "audit_ref", "SGLO-MACA-041"),
         errors=[("duplicate", ("audit_ref",), (2, 4))]),
    case("audits", "grades-do-not-add-up-to-cases", cell(3, "good", "7"),
         cell(4, "inadequate", "11"),
         errors=[("consistency", ("cases", "outstanding", "good", "requires_improvement",
                                  "inadequate"), (3, 4))]),

    # voice: area E06000023, rows 2-4
    missing("voice", "what_we_heard"),
    case("voice", "no-what-changed-column", drop("what_changed")),  # optional: still valid
    case("voice", "blank-what-we-heard", cell(3, "what_we_heard", ""),
         errors=[("required", ("what_we_heard",), (3,))]),
    case("voice", "participants-not-a-number", cell(2, "participants", "about 10"),
         errors=[("whole_number", ("participants",), (2,))]),
    case("voice", "month-in-words", cell(3, "month", "Feb. 2026"),
         errors=[("month", ("month",), (3,))]),
    case("voice", "month-after-quarter", cell(4, "month", "2026-04"),
         errors=[("period", ("month",), (4,))]),
    case("voice", "unknown-method", cell(2, "method", "interview"),
         errors=[("code_list", ("method",), (2,))]),
    case("voice", "unknown-theme", cell(4, "theme", "voice"),
         errors=[("code_list", ("theme",), (4,))]),
    case("voice", "welsh-area", cell(3, "area_code", "W06000015"),
         errors=[("code_list", ("area_code",), (3,)), ("area", ("area_code",), (3,))]),
    case("voice", "duplicate-key", cell(4, "month", "2026-01"), cell(4, "method", "focus_group"),
         cell(4, "theme", "missing"),
         errors=[("duplicate", ("area_code", "month", "method", "theme"), (2, 4))]),
    case("voice", "personal-data",
         cell(2, "what_we_heard", "A girl living at BS5 6XX said nobody called her back"),
         cell(4, "what_changed", "The boy born 12/03/2014 now has an advocate"),
         warnings=[("personal_data", ("what_we_heard",), (2,)),
                   ("personal_data", ("what_changed",), (4,))]),
    case("voice", "personal-data-unspaced-postcode-and-dotted-date",
         cell(3, "what_we_heard", "Parents at bs56xx said the hub was closed on 3.2.26"),
         warnings=[("personal_data", ("what_we_heard",), (3,))]),

    # section 11: area E06000066, year 2025-26, rows 2-5
    missing("section11", "standard"),
    case("section11", "blank-rating", cell(4, "rating", ""),
         errors=[("required", ("rating",), (4,))]),
    case("section11", "blank-agency", cell(2, "agency", ""),
         errors=[("required", ("agency",), (2,))]),
    case("section11", "unknown-standard", cell(3, "standard", "recruitment"),
         errors=[("code_list", ("standard",), (3,))]),
    case("section11", "unknown-rating", cell(5, "rating", "met"),
         errors=[("code_list", ("rating",), (5,))]),
    other_area("section11", 2, BNES),
    case("section11", "year-not-the-files", cell(3, "year", "2024-25"),
         cell(5, "year", "2025/26"), errors=[("period", ("year",), (3, 5))]),
    case("section11", "duplicate-key", cell(3, "standard", "senior_management_commitment"),
         errors=[("duplicate", ("agency", "area_code", "year", "standard"), (2, 3))]),
]


def write_csv(path: Path, header: list[str], rows: Rows, *, bom: bool = False) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        if row is None:
            buffer.write("\n")
        else:
            writer.writerow([row[column] for column in header])
    path.write_bytes(("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8"))
    return path


def build(valid: Valid, edits: tuple[Edit, ...] = ()) -> tuple[list[str], Rows]:
    header, rows = list(valid.rows[0]), [dict(row) for row in copy.deepcopy(valid.rows)]
    for edit in edits:
        edit(header, rows)
    return header, rows


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def framework():
    return load_framework()


@pytest.fixture(scope="module")
def contracts():
    return load_contracts()


@pytest.fixture(scope="module")
def parameters(framework):
    return parameters_for(PARTNERSHIP, framework)


def table_for(path: Path, contracts):
    submission = receive(path)
    contract = contracts[submission.name.return_type]
    return submission, contract, read_table(
        submission, {column.name: column.type for column in contract.columns})


def frame_for(path: Path, contracts, framework):
    submission, contract, table = table_for(path, contracts)
    return validation_frame(contract, submission.name, submission.file_name, table.frame,
                            framework)


def screened_for(path: Path, contracts) -> list[Finding]:
    """What reading and the identifier screen find, before the contract runs (as ingest)."""
    _submission, contract, table = table_for(path, contracts)
    return table.findings + screen(contract, table).findings


@pytest.fixture(scope="module")
def checked(tmp_path_factory, contracts, framework, parameters) -> dict[str, list[Finding]]:
    """Findings by file name: every valid return and every case, one validation per type."""
    folder = tmp_path_factory.mktemp("contract-cases")
    findings: dict[str, list[Finding]] = {}
    for return_type, valid in VALID.items():
        paths = [write_csv(folder / valid.file_name(), *build(valid))]
        for item in CASES:
            if item.return_type == return_type:
                paths.append(write_csv(folder / item.file_name, *build(valid, item.edits)))
        frames = {path.name: frame_for(path, contracts, framework) for path in paths}
        findings.update(check(contracts[return_type], frames, parameters))
        for path in paths:
            findings[path.name] = screened_for(path, contracts) + findings[path.name]
    return findings


def summary(findings: list[Finding], severity: str) -> list[tuple]:
    return sorted((f.rule, f.columns, f.row_numbers) for f in findings if f.severity == severity)


# --- valid returns ---------------------------------------------------------------------------


@pytest.mark.parametrize("return_type", list(VALID))
def test_valid_return_passes(return_type, checked):
    assert checked[VALID[return_type].file_name()] == []


def test_every_return_type_and_contract_is_covered(contracts):
    assert set(VALID) == set(contracts)
    for return_type, valid in VALID.items():
        contract = contracts[return_type]
        assert list(valid.rows[0]) == contract.column_names
        rules = {rule for c in CASES if c.return_type == return_type for rule, *_ in c.errors}
        # each type has a case for every rule its contract has
        assert rules >= {item["rule"] for item in contract.rules()
                         if item["severity"] == "error"}, return_type


# --- invalid returns -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "item", [pytest.param(c, id=f"{c.return_type}-{c.id}", marks=c.marks) for c in CASES])
def test_case_findings(item: Case, checked):
    findings = checked[item.file_name]
    assert summary(findings, "error") == sorted(item.errors)
    assert summary(findings, "warning") == sorted(item.warnings)
    for finding in findings:
        assert finding.file_name == item.file_name
        assert finding.rows == len(finding.row_numbers)
        assert finding.fix
        if finding.rule == "columns":
            assert finding.message == f"missing column(s): {', '.join(finding.columns)}"
        else:
            label = "row" if finding.rows == 1 else "rows"
            numbers = ", ".join(map(str, finding.row_numbers))
            assert finding.message.startswith(f"{label} {numbers}: ")
            if len(finding.columns) == 1:
                assert finding.columns[0] in finding.message


def test_a_file_with_errors_would_be_rejected_and_warnings_accepted(checked):
    for item in CASES:
        if item.marks:
            continue
        is_rejected = any(f.is_error for f in checked[item.file_name])
        assert is_rejected == bool(item.errors), item.id


def test_messages_quote_what_was_found_and_fixes_list_the_codes(checked):
    def only(case_id: str, return_type: str, rule: str, column: str = "") -> Finding:
        name = VALID[return_type].file_name(case_id)
        (finding,) = [f for f in checked[name]
                      if f.rule == rule and (not column or f.columns == (column,))]
        return finding

    negative = only("negative-and-decimal-counts", "training", "whole_number", "evaluations")
    assert negative.message.endswith("(found '-3')")
    assert "no minus sign" in negative.fix
    theme = only("unknown-theme", "training", "code_list")
    # a wrong code is never quoted (a single word may be a name); the fix lists the codes
    assert theme.message == ("row 4: theme is not one of the allowed codes (found 1 value not "
                             "shown here: a wrong code is never quoted, in case it is a name)")
    assert "safeguarding" not in theme.message
    assert "missing_education" in theme.fix  # the framework's themes are listed
    area = only("area-not-in-partnership", "training", "code_list")
    assert f"(found '{NOT_OURS}')" in area.message
    assert all(code in area.fix for code in PARTNERSHIP.area_codes)
    date_ = only("impossible-date", "actions", "date")
    assert date_.message.endswith("(found '2025-02-30')")
    assert only("year-not-the-files", "section11", "period").message.startswith("rows 3, 5: ")
    order = only("notified-before-known", "reviews", "date_order")
    assert "before the incident was known" in order.message


def test_findings_stay_with_their_own_file(checked):
    """All case files repeat the valid rows and were checked together, yet nothing leaks:
    each file's findings name only that file and only rows it has."""
    for valid in VALID.values():
        assert checked[valid.file_name()] == []
    for item in CASES:
        rows = len(build(VALID[item.return_type], item.edits)[1])
        for finding in checked[item.file_name]:
            assert finding.file_name == item.file_name
            assert all(2 <= number <= rows + 1 for number in finding.row_numbers)


def test_a_file_checked_alone_has_the_same_findings(tmp_path, checked, contracts, framework,
                                                    parameters):
    names = [c for c in CASES if c.return_type == "training" and c.id in (
        "attended-over-places", "duplicate-key", "negative-and-decimal-counts")]
    frames = {}
    for item in names:
        path = write_csv(tmp_path / item.file_name, *build(VALID["training"], item.edits))
        frames[path.name] = frame_for(path, contracts, framework)
    alone = check(contracts["training"], frames, parameters)
    for name, findings in alone.items():
        assert findings == checked[name]


def test_row_numbers_restart_in_each_file(tmp_path, contracts, framework, parameters):
    """Two files with a fault in the same row: each is told its own row number."""
    valid = VALID["audits"]
    first = write_csv(tmp_path / valid.file_name("first"), *build(valid, (cell(4, "cases", "x"),)))
    second = write_csv(tmp_path / valid.file_name("second"),
                       *build(valid, (cell(2, "cases", "x"),)))
    frames = {path.name: frame_for(path, contracts, framework) for path in (first, second)}
    assert list(frames[first.name]["_row"]) == [2, 3, 4] == list(frames[second.name]["_row"])
    found = check(contracts["audits"], frames, parameters)
    assert summary(found[first.name], "error") == [("whole_number", ("cases",), (4,))]
    assert summary(found[second.name], "error") == [("whole_number", ("cases",), (2,))]


# --- reading files: BOM, XLSX, header case; and what ingest refuses ----------------------------


def _xlsx(path: Path, header: list[str], rows: list[list]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture(scope="module")
def received(tmp_path_factory, framework):
    """One ingest of a folder of awkward but readable files and of unusable ones."""
    root = tmp_path_factory.mktemp("received")
    folder = root / "returns"
    folder.mkdir()
    training = VALID["training"]
    header, rows = build(training)
    # a UTF-8 BOM (Excel's "CSV UTF-8") and headers in another case with spaces
    path = write_csv(folder / training.file_name(), header, rows, bom=True)
    messy = ",".join(f"  {column.upper() if i % 2 else column.title()} "
                     for i, column in enumerate(header))  # "  Area_Code ,  MONTH , ..."
    bom, _, body = path.read_text(encoding="utf-8").partition("area_code,month,")
    path.write_text(bom + messy + "\n" + body.split("\n", 1)[1], encoding="utf-8")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf  Area_Code ,  MONTH ,")
    # XLSX with typed cells, as Excel keeps them: numbers and a date
    audits = VALID["audits"]
    _xlsx(folder / audits.file_name(extension="xlsx"), [c.title() for c in audits.rows[0]], [
        [r["audit_ref"], r["area_code"], r["theme"],
         datetime.fromisoformat(r["completed"]),
         *(int(r[c]) for c in ("cases", "outstanding", "good", "requires_improvement",
                               "inadequate"))]
        for r in audits.rows])
    # XLSX of text cells, as the demo's Somerset section 11 return
    s11 = VALID["section11"]
    _xlsx(folder / s11.file_name(extension="xlsx"), list(s11.rows[0]),
          [list(r.values()) for r in s11.rows])
    # files that cannot be read
    (folder / VALID["voice"].file_name()).write_bytes(b"")
    # bytes that are neither UTF-8 nor Windows-1252 (0x81 is undefined in both)
    (folder / VALID["reviews"].file_name()).write_bytes(
        b"review_ref,area_code\nBRIS-2026-01,Caf\x81\n")
    (folder / VALID["actions"].file_name(extension="xlsx")).write_bytes(b"not a workbook")
    # badly named files (valid content)
    for name in ("training-E06000024-2025-26-Q4.csv", "trainings_E06000024_2025-26-Q4.csv",
                 "training_E06000024_2025-26.csv", f"training_{NOT_OURS}_2025-26-Q4.csv"):
        write_csv(folder / name, header, rows)
    # never read: not a return's extension, and an Excel lock file
    (folder / "notes.txt").write_text("call BNES about Q4")
    (folder / "~$training_E06000024_2025-26-Q4.xlsx").write_bytes(b"lock")
    store_path = root / "store.duckdb"
    result = ingest(root, store_path, PARTNERSHIP, framework, progress=False)
    with duckdb.connect(str(store_path), read_only=True) as connection:
        tables = {
            name: connection.execute(f"SELECT * FROM {name}").df()
            for name in ("submissions", "findings", "rows_training", "rows_audits",
                         "rows_section11")
        }
    statuses = {Path(item["file"]).name: item["status"] for item in result.files}
    statuses |= {Path(item["path"]).name: "not read: " + item["reason"]
                 for item in result.not_read}
    return folder, statuses, tables


def test_bom_and_header_case_and_spaces_are_tolerated(received):
    folder, statuses, tables = received
    name = VALID["training"].file_name()
    assert statuses[name] == "accepted"
    rows = tables["rows_training"]
    rows = rows[rows["source_file"] == name].sort_values("source_row")
    assert list(rows["source_row"]) == [2, 3, 4, 5, 6]
    assert list(rows["area_code"]) == [NORTH_SOMERSET] * 5
    assert list(rows["course"])[1] == "Neglect, drift and delay"
    assert list(rows["places"]) == [24, 40, 45, 80, 24]
    assert list(rows["met_needs"]) == [16, 20, 27, 31, 20]


def test_xlsx_with_typed_cells_is_read(received):
    _, statuses, tables = received
    name = VALID["audits"].file_name(extension="xlsx")
    assert statuses[name] == "accepted"
    rows = tables["rows_audits"].sort_values("source_row")
    assert list(rows["audit_ref"]) == ["SGLO-MACA-041", "SGLO-MACA-042", "SGLO-MACA-043"]
    assert [d.date() if hasattr(d, "date") else d for d in rows["completed"]] == [
        date(2026, 1, 21), date(2026, 2, 18), date(2026, 3, 11)]
    assert list(rows["cases"]) == [8, 6, 10]


def test_xlsx_of_text_cells_is_read(received):
    _, statuses, tables = received
    assert statuses[VALID["section11"].file_name(extension="xlsx")] == "accepted"
    rows = tables["rows_section11"].sort_values("source_row")
    assert list(rows["rating"]) == ["fully_met", "partially_met", "fully_met", "not_met"]
    assert set(rows["year"]) == {"2025-26"}


@pytest.mark.parametrize(
    ("file_name", "rule", "says"),
    [
        (VALID["voice"].file_name(), "unreadable", "the file is empty"),
        (VALID["reviews"].file_name(), "unreadable", "not UTF-8"),
        (VALID["actions"].file_name(extension="xlsx"), "unreadable", "not an Excel workbook"),
        (f"training_{NOT_OURS}_2025-26-Q4.csv", "file_name",
         f"{NOT_OURS} is not an area of Avon and Somerset (test)"),
    ],
)
def test_unusable_files_are_rejected_with_a_reason(received, file_name, rule, says):
    folder, statuses, tables = received
    assert statuses[file_name] == "rejected"
    findings = tables["findings"]
    (finding,) = findings[findings["file_name"] == file_name].itertuples()
    assert (finding.rule, finding.severity, finding.rows) == (rule, "error", 0)
    assert says in finding.message and finding.fix
    # nothing lost: the refused file is kept byte for byte
    submissions = tables["submissions"]
    (kept,) = submissions[submissions["file_name"] == file_name].itertuples()
    assert kept.status == "rejected"
    assert bytes(kept.content) == (folder / file_name).read_bytes()


@pytest.mark.parametrize(
    ("file_name", "says"),
    [
        ("training-E06000024-2025-26-Q4.csv", "does not follow"),
        ("trainings_E06000024_2025-26-Q4.csv", "'trainings' is not a return type"),
        ("training_E06000024_2025-26.csv", "covers a quarter"),
        ("notes.txt", "a text file"),
        ("~$training_E06000024_2025-26-Q4.xlsx", "lock file"),
    ],
)
def test_files_that_are_not_returns_are_listed_as_not_read(received, file_name, says):
    folder, statuses, tables = received
    assert statuses[file_name].startswith("not read: ") and says in statuses[file_name]
    assert file_name not in set(tables["submissions"]["file_name"])


def test_every_file_is_accounted_for_once(received):
    folder, statuses, _ = received
    assert sorted(statuses) == sorted(path.name for path in folder.iterdir())


# --- faults that must never stop an ingest --------------------------------------------------


@pytest.mark.parametrize("count", ["９８", "99999999999999999999"],
                         ids=["fullwidth-digits", "too-large"])
def test_a_count_the_store_cannot_hold_is_rejected_not_fatal(tmp_path, framework, count):
    valid = VALID["indicators"]
    write_csv(tmp_path / valid.file_name(), *build(valid, (cell(2, "numerator", count),)))
    result = ingest(tmp_path, tmp_path / "store.duckdb", PARTNERSHIP, framework, progress=False)
    assert result.count("rejected") == 1


def test_a_damaged_xlsx_is_rejected_not_fatal(tmp_path, framework):
    (tmp_path / VALID["actions"].file_name(extension="xlsx")).write_bytes(b"PK\x03\x04 damaged")
    result = ingest(tmp_path, tmp_path / "store.duckdb", PARTNERSHIP, framework, progress=False)
    assert result.count("rejected") == 1


def test_a_trailing_comma_on_one_row_does_not_shift_the_rows(tmp_path, contracts, framework,
                                                            parameters):
    valid = VALID["indicators"]
    path = write_csv(tmp_path / valid.file_name(), *build(valid))
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[1] += ","  # Excel leaves such a stray empty cell after a deleted column
    path.write_text("\n".join(lines), encoding="utf-8")
    found = check(contracts["indicators"], {path.name: frame_for(path, contracts, framework)},
                  parameters)[path.name]
    assert {number for finding in found for number in finding.row_numbers} <= {2}


@pytest.mark.parametrize(("kind", "sent", "read"), [
    ("date", "07/01/2026", "2026-01-07"),  # UK order, as Excel writes a date cell to CSV
    ("date", "2026-01-07 00:00:00", "2026-01-07"),
    ("date", "31/02/2026", "31/02/2026"),  # no such day: left for the contract to refuse
    ("date", "01/13/2026", "01/13/2026"),  # not a UK date: left as sent
    ("month", "Jan-26", "2026-01"),  # a month that Excel turned into a date
    ("month", "January 2026", "2026-01"),
    ("month", "2026-01-01", "2026-01"),
    ("month", "01/01/2026", "2026-01"),
    ("month", "2026-01-15", "2026-01-15"),  # a day, not a month: refused by the contract
    ("month", "Janu 2026", "Janu 2026"),
])
def test_spreadsheet_renderings_of_dates_are_read_as_iso(kind, sent, read):
    from scrutiny.sources import _iso_date_text

    assert _iso_date_text(sent, kind) == read


def test_a_row_with_a_value_beyond_the_header_is_refused_not_lost(tmp_path, contracts):
    valid = VALID["indicators"]
    path = write_csv(tmp_path / valid.file_name(), *build(valid))
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[2] += ",police"  # a seventh value in a six-column return
    path.write_text("\n".join(lines), encoding="utf-8")
    (finding,) = table_for(path, contracts)[2].findings
    assert (finding.rule, finding.severity, finding.row_numbers) == (
        "unnamed_column", "error", (3,))
    assert finding.message.startswith("row 3: column G has values but no header")


def test_cells_merged_across_a_data_row_are_refused_but_a_merged_title_is_not(tmp_path,
                                                                           contracts):
    valid = VALID["indicators"]
    book = Workbook()
    sheet = book.active
    sheet.append(["Indicators return: North Somerset, Q4"])
    sheet.merge_cells("A1:F1")  # a title across the columns: harmless
    sheet.append(list(valid.rows[0]))
    for row in valid.rows:
        sheet.append(list(row.values()))
    sheet.merge_cells("D4:E4")  # numerator and denominator of sheet row 4 merged
    path = tmp_path / valid.file_name(extension="xlsx")
    book.save(path)
    (finding,) = table_for(path, contracts)[2].findings
    assert (finding.rule, finding.columns, finding.row_numbers) == (
        "merged_cells", ("numerator", "denominator"), (4,))
    assert finding.message == (
        "row 4: cells D4:E4 are merged, so only the first cell holds the value")
