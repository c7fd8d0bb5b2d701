"""Children's identifiers in returns: detected by kind (never by value), and the policy applied.

Agencies' returns should hold aggregate figures and plain-language free text only. Two checks
look for identifiers that slip in anyway:

* :func:`identifier_kinds` reads one free-text cell and names the kinds of identifier it
  appears to contain: NHS numbers (mod-11 check digit valid), unique pupil numbers, national
  insurance numbers, full UK postcodes, e-mail addresses, UK or international phone numbers,
  dates of birth and street addresses.
* :func:`identifier_column_kind` reads a column header and says whether it names a
  child-level identifier (a name, date of birth, address, record number...).
  :func:`column_identifier_kinds` reads the cells of an unexpected column, so that a column of
  identifiers under an innocuous header is caught too.

What the checks return are kind names from :data:`IDENTIFIER_KINDS`: the matched text is not
returned, kept or logged, so a finding can be reported without repeating the identifier.

Limits, by design:

* Names of people in free text are not detected. Telling "Sam" the child from "Sam" the
  service, or "Grace" from "grace", needs a language model and a name list, and would raise
  far more false alarms than it catches. The kind ``"name"`` comes only from column headers.
  Likewise ``"person ID"`` (case-management numbers such as LCS or Mosaic IDs, and unique
  learner numbers) comes only from headers: such numbers have no shape of their own.
* A unique pupil number is flagged on its shape alone (a check letter, 11 digits and a digit
  or letter), even when the check letter is wrong: a mistyped UPN is still an identifier.
* Dates of birth: any full day/month/year date written with ``/``, ``.`` or ``-`` is flagged
  (free text has no need of full dates, and the contracts' older rule flagged them too); an
  ISO date or a date in words is flagged only near "born", "DOB" or "date of birth", because
  meeting dates are common and harmless. A month and year ("born March 2015") is not a full
  date and is not flagged.
* Street addresses need a house number, one to three capitalised words and a street word
  ("12 Acacia Avenue", "Flat 3, 45 High Street"). "Park" and "Green" are not street words
  here (skate parks, play parks and village greens are far commoner in returns than such
  addresses), court names such as "Family Court" are ignored, and an address typed all in
  lower case, or without a house number, is missed.
* Postcodes must have a real postcode area (BS, SW, M...) and an inward code, with letters
  all in capitals or all in small letters: "Y10", "KS2", "S47 2nd" are not postcodes.
* Phone numbers are found by Google's libphonenumber (the ``phonenumbers`` package) and must
  be written from a trunk ``0`` or an international ``+``/``00`` with at least nine
  significant digits; freephone, shared-cost, premium-rate and ``03`` numbers are not flagged
  because those are services' helplines, not families' numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import phonenumbers
from phonenumbers import Leniency, PhoneNumberType
from stdnum.gb import nhs

from scrutiny.contracts import Finding, rows_phrase

if TYPE_CHECKING:
    from scrutiny.contracts import Contract
    from scrutiny.sources import Table

NHS_NUMBER = "NHS number"
UPN = "unique pupil number"
POSTCODE = "postcode"
EMAIL = "email address"
PHONE = "phone number"
DATE_OF_BIRTH = "date of birth"
STREET_ADDRESS = "street address"
NI_NUMBER = "national insurance number"
NAME = "name"
PERSON_ID = "person ID"

IDENTIFIER_KINDS: tuple[str, ...] = (
    NHS_NUMBER, UPN, POSTCODE, EMAIL, PHONE, DATE_OF_BIRTH, STREET_ADDRESS, NI_NUMBER, NAME,
    PERSON_ID,
)
"""Every kind the module can report, in the order results are given."""

_ORDER = {kind: i for i, kind in enumerate(IDENTIFIER_KINDS)}

# Deleting digits in C and comparing lengths counts them far faster than a Python loop.
_NO_DIGITS = str.maketrans("", "", "0123456789")

# --- NHS numbers ---------------------------------------------------------------------------

# Ten digits, alone or as 3-3-4 with spaces or hyphens, never part of a longer run of digits
# ("0117 496 0123") or of a word such as a hex hash, nor after a country code: "+44 117 496
# 0123" is a phone number.
_NHS_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z])(?<!\d-)(?<!\+44 )(?<!044 )(?<!44\) )(?<!\+44-)"
    r"(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![0-9A-Za-z])(?!-\d)"
)


def _nhs_numbers(text: str) -> list[str]:
    """The digits of every NHS number in ``text`` whose mod-11 check digit is right."""
    found = []
    for match in _NHS_CANDIDATE.finditer(text):
        digits = "".join(match.groups())
        if nhs.is_valid(digits):
            found.append(digits)
    return found


# --- Unique pupil numbers ------------------------------------------------------------------

# DfE's check letters: the alphabet without I, O and S.
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN = re.compile(rf"\b[{_UPN_LETTERS}]\d{{11}}[\d{_UPN_LETTERS}]\b", re.IGNORECASE)


def _upn_check_letter(body: str) -> str:
    """DfE's check letter for the 12 characters after it (``body``) of a UPN.

    Characters 2 to 13 are weighted 2 to 13; a letter in the last place (a temporary UPN)
    counts as its position in the check-letter alphabet (A=0 ... Z=22). The weighted sum
    modulo 23 indexes the check-letter alphabet. Detection deliberately does not require a
    right check letter (see the module docstring); this states the scheme the shape comes
    from, and is what a stricter mode would compare against.
    """
    body = body.upper()
    last = body[-1]
    values = [int(c) for c in body[:-1]]
    values.append(int(last) if last.isdigit() else _UPN_LETTERS.index(last))
    return _UPN_LETTERS[sum(w * v for w, v in zip(range(2, 14), values, strict=True)) % 23]


# --- National insurance numbers ------------------------------------------------------------

# HMRC never issues D, F, I, Q, U or V as the first letter, nor D, F, I, O, Q, U or V as the
# second, nor the prefixes BG, GB, KN, NK, NT, TN and ZZ; the suffix is A to D.
_NI_NUMBER = re.compile(
    r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r" ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
    re.IGNORECASE,
)

# --- Postcodes -----------------------------------------------------------------------------

# The UK's postcode areas, Crown dependencies included: checking the area is what keeps
# "KS2", "Y10" or "CP1" from passing for the start of a postcode.
_POSTCODE_AREAS = (
    "AB", "AL", "B", "BA", "BB", "BD", "BH", "BL", "BN", "BR", "BS", "BT", "CA", "CB", "CF",
    "CH", "CM", "CO", "CR", "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT",
    "DY", "E", "EC", "EH", "EN", "EX", "FK", "FY", "G", "GL", "GU", "GY", "HA", "HD", "HG",
    "HP", "HR", "HS", "HU", "HX", "IG", "IM", "IP", "IV", "JE", "KA", "KT", "KW", "KY", "L",
    "LA", "LD", "LE", "LL", "LN", "LS", "LU", "M", "ME", "MK", "ML", "N", "NE", "NG", "NN",
    "NP", "NR", "NW", "OL", "OX", "PA", "PE", "PH", "PL", "PO", "PR", "RG", "RH", "RM", "S",
    "SA", "SE", "SG", "SK", "SL", "SM", "SN", "SO", "SP", "SR", "SS", "ST", "SW", "SY", "TA",
    "TD", "TF", "TN", "TQ", "TR", "TS", "TW", "UB", "W", "WA", "WC", "WD", "WF", "WN", "WR",
    "WS", "WV", "YO", "ZE",
)


def _postcode_pattern(areas: Iterable[str], letter: str, inward_letter: str, gir: str) -> str:
    """One letter case of a full postcode: area, district, optional space, inward code."""
    area = "|".join(sorted(areas, key=len, reverse=True))
    return rf"\b(?:{gir}|(?:{area})\d[\d{letter}]?[ \t]?\d[{inward_letter}]{{2}})\b"


# Letters all in capitals or all in small letters: "S47 2nd" is prose, not a postcode.
_POSTCODE = re.compile(
    _postcode_pattern(_POSTCODE_AREAS, "A-Z", "ABD-HJLNP-UW-Z", "GIR ?0AA")
    + "|"
    + _postcode_pattern(
        [a.lower() for a in _POSTCODE_AREAS], "a-z", "abd-hjlnp-uw-z", "gir ?0aa"
    )
)
# Every postcode ends in an inward code ("5TR"); looking for one first is several times cheaper
# than trying the long list of areas at every position of every cell.
_INWARD_CODE = re.compile(r"\d[A-Za-z]{2}\b")

# --- E-mail addresses ----------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")

# --- Phone numbers -------------------------------------------------------------------------

_NOT_DIGIT = re.compile(r"\D")
# A cheap necessary condition for what _has_phone_number accepts: a 0 or + followed by at
# least nine more digits with separators between them. libphonenumber's matcher costs about
# 100 µs a cell, so cells of years, counts and codes should not reach it.
_PHONE_HINT = re.compile(r"(?:\+|(?<![0-9A-Za-z])[(\[]?0)(?:[ \t()\[\]./-]{0,3}\d){9,}")
# Services publish these ranges for helplines (0800 1111, 0808 800 5000, 0300...): they are
# not a family's number, and flagging them would bury real findings.
_SERVICE_NUMBER_TYPES = frozenset({
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.UAN,
})


def _has_phone_number(text: str, nhs_digits: list[str]) -> bool:
    """Whether ``text`` holds a phone number that is not a helpline or an NHS number.

    POSSIBLE leniency, not VALID: VALID rejects numbers in unallocated or reserved ranges
    (Ofcom's 07700 900xxx among them), and a mistyped number still identifies a family. What
    POSSIBLE also finds in prose (years, "2024-25", "11-16", ONS codes) is removed by asking
    for a number dialled from 0 or + with at least nine significant digits.
    """
    for match in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=Leniency.POSSIBLE):
        raw = match.raw_string.lstrip("([")
        if not raw.startswith(("0", "+")):
            continue
        before, after = text[max(0, match.start - 1) : match.start], text[match.end : match.end + 1]
        if before.isalnum() or after.isalnum():
            continue  # inside a word such as a hex hash or "E06000022"
        number = match.number
        if len(phonenumbers.national_significant_number(number)) < 9:
            continue
        if _NOT_DIGIT.sub("", raw) in nhs_digits:
            continue  # a ten-digit NHS number is reported as one, not as a phone number
        if phonenumbers.number_type(number) in _SERVICE_NUMBER_TYPES:
            continue
        return True
    return False


# --- Dates of birth ------------------------------------------------------------------------

# Day, month and year with one separator throughout; ranges are checked in _has_dmy_date.
_DMY = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.-]?\d)")

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
)
_FULL_DATE = (
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH}\.?,?\s+'?(?:\d{{4}}|\d{{2}})"
    rf"|{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
_BIRTH_WORD = r"(?:born|dob|d\.o\.b|date\s+of\s+birth|birth\s*date|birthday)"
_HAS_BIRTH_WORD = re.compile(rf"\b{_BIRTH_WORD}\b", re.IGNORECASE)
# The date follows the birth word within a few words, or is followed by it: "3 March 2015
# (DOB)". Free text rarely puts more than a short phrase between them.
_BIRTH_DATE = re.compile(
    rf"\b{_BIRTH_WORD}\b[^\n]{{0,30}}?(?<!\d)\b{_FULL_DATE}(?!\d)"
    rf"|\b{_FULL_DATE}\b\W{{0,4}}{_BIRTH_WORD}\b",
    re.IGNORECASE,
)


def _has_dmy_date(text: str) -> bool:
    """Whether ``text`` has a plausible d/m/y (or m/d/y) date: "12/03/2015", "3.2.26"."""
    for match in _DMY.finditer(text):
        first, second = int(match.group(1)), int(match.group(3))
        if 1 <= first <= 31 and 1 <= second <= 31 and min(first, second) <= 12:
            return True
    return False


# --- Street addresses ----------------------------------------------------------------------

_STREET_WORDS = (
    "Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Crescent|Cres|Court|Ct|Place|Pl"
    "|Gardens|Gdns|Terrace|Tce|Grove|Walk|Mews|Row|Square|Sq|Hill|Rise|Parade|Vale"
)
_STREET_ADDRESS = re.compile(
    r"(?<![\w.,:/£$%-])\d{1,4}[A-Za-z]?(?:-\d{1,4}[A-Za-z]?)?,?[ \t]+"
    r"((?:[A-Z][\w'’-]*[ \t]+){1,3})"
    rf"(?i:({_STREET_WORDS}))(?![\w'’])\.?"
)
# Words before a number that make it a count or label, not a house number.
_NOT_HOUSE_NUMBER_AFTER = frozenset({
    "year", "years", "yr", "section", "tier", "level", "stage", "step", "chapter", "part",
    "page", "paragraph", "para", "week", "weeks", "day", "days", "phase", "standard", "quarter",
    "grade", "module", "session", "sessions", "unit", "version", "ks", "cohort", "group",
})
# "3 Family Court hearings" names a court, not an address.
_COURT_NAMES = frozenset({
    "family", "youth", "crown", "magistrates", "magistrates'", "county", "coroner's",
    "coroners", "high", "supreme", "appeal", "district",
})
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\W*$")


def _has_street_address(text: str) -> bool:
    """Whether ``text`` has a house number, a capitalised street name and a street word."""
    for match in _STREET_ADDRESS.finditer(text):
        before = _WORD_BEFORE.search(text, max(0, match.start() - 20), match.start())
        if before and before.group(1).lower() in _NOT_HOUSE_NUMBER_AFTER:
            continue
        name_words = match.group(1).split()
        if match.group(2).lower() == "court" and name_words[-1].lower() in _COURT_NAMES:
            continue
        return True
    return False


# --- Free text -----------------------------------------------------------------------------


def identifier_kinds(text: str) -> list[str]:
    """The kinds of identifier that ``text`` (one free-text cell) appears to contain.

    Kinds come in :data:`IDENTIFIER_KINDS` order without duplicates; ``[]`` if none. Never
    returns or logs the matched value. ``"name"`` and ``"person ID"`` are never returned
    here (see the module docstring).
    """
    if not text:
        return []
    digits = len(text) - len(text.translate(_NO_DIGITS))
    found: list[str] = []
    if digits == 0:
        # Every kind but e-mail needs a digit: most cells of prose stop here.
        if "@" in text and _EMAIL.search(text):
            found.append(EMAIL)
        return found

    nhs_digits = _nhs_numbers(text) if digits >= 10 else []
    if nhs_digits:
        found.append(NHS_NUMBER)
    if digits >= 11 and _UPN.search(text):
        found.append(UPN)
    if _INWARD_CODE.search(text) and _POSTCODE.search(text):
        found.append(POSTCODE)
    if "@" in text and _EMAIL.search(text):
        found.append(EMAIL)
    # libphonenumber is by far the dearest check, so it runs only where a number could fit.
    if digits >= 7 and _PHONE_HINT.search(text) and _has_phone_number(text, nhs_digits):
        found.append(PHONE)
    if digits >= 3 and (
        _has_dmy_date(text) or (_HAS_BIRTH_WORD.search(text) and _BIRTH_DATE.search(text))
    ):
        found.append(DATE_OF_BIRTH)
    if _has_street_address(text):
        found.append(STREET_ADDRESS)
    if digits >= 6 and _NI_NUMBER.search(text):
        found.append(NI_NUMBER)
    return found


# --- Column headers ------------------------------------------------------------------------

# Whose identifier a header may name ("child", "mother"...) and, for contact details, which
# one ("home", "current"...).
_WHO = (
    "(?:child|childs|children|childrens|yp|youngperson|youngpersons|pupil|pupils|student"
    "|students|learner|learners|person|persons|client|clients|serviceuser|subject|baby|babys"
    "|infant|patient|patients|mother|mothers|mum|mums|father|fathers|dad|dads|parent|parents"
    "|carer|carers|sibling|siblings|victim|victims)"
)
_WHERE = (
    "(?:home|current|previous|main|primary|contact|permanent|usual|correspondence|residential"
    "|last|known)"
)
# Record numbers belong to one person ("pupil number"): "pupils number" reads as a count.
_ONE_PERSON = (
    "(?:child|childs|yp|youngperson|pupil|student|learner|person|client|serviceuser|subject"
    "|baby|infant|patient|mother|mum|father|dad|parent|carer|sibling|victim)"
)
# Record systems whose IDs identify a child: case management, early help, health, schools.
_SYSTEM = (
    "(?:lcs|mosaic|liquidlogic|eclipse|ehm|earlyhelp|earlyhelpmodule|carefirst|frameworki"
    "|paris|rio|systmone|emis|sims|synergy|azeus|case|socialcare)"
)
_ID_WORD = "(?:id|ids|identifier|ref|reference|refno|referencenumber|number|no|num|nbr)"
# "date of birth of child", "address 2", "mobile_1".
_TAIL = rf"(?:(?:of(?:the)?)?{_WHO})?\d*"

_HEADER_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(f"(?:{pattern}){_TAIL}"))
    for kind, pattern in (
        (NHS_NUMBER, rf"{_WHO}?nhs(?:no|num|number|nbr|id|identifier)"),
        (UPN, rf"{_WHO}?(?:former)?(?:upn|uniquepupilnumber|uniquepupilno|pupilnumber|pupilno)"),
        (NI_NUMBER, rf"{_WHO}?(?:nationalinsurance(?:number|no|num)?|nino|ninumber|ninum)"),
        (DATE_OF_BIRTH,
         rf"{_WHO}?(?:dob|dateofbirth|birthdate|birthday|born|dateborn|borndate)"
         r"(?:ddmmyyyy|ddmmyy|yyyymmdd)?"),
        (EMAIL, rf"{_WHO}?{_WHERE}?e?mailaddress|{_WHO}?{_WHERE}?(?:email|emailaddr)"),
        (PHONE,
         rf"{_WHO}?{_WHERE}?(?:phone|phoneno|phonenumber|phonenum|telephone|telephoneno"
         r"|telephonenumber|tel|telno|telnumber|mobile|mobileno|mobilenumber|mobilephone|mob"
         r"|mobno|landline|cellphone|contactnumber|contactno)"),
        (POSTCODE,
         rf"{_WHO}?{_WHERE}?(?:postcode|postalcode|zipcode)(?:district|sector|area|unit)?"),
        (STREET_ADDRESS,
         rf"{_WHO}?{_WHERE}?(?:address|addr|streetaddress|street|addressline|housenumber"
         r"|houseno|housename|flatnumber|flatno)"),
        (NAME,
         rf"{_WHO}?(?:name|names|fullname|firstname|firstnames|forename|forenames|givenname"
         r"|givennames|christianname|surname|lastname|familyname|middlename|middlenames"
         r"|preferredname|knownas|alias|initials)"),
        (PERSON_ID,
         rf"(?:{_SYSTEM}{_ONE_PERSON}?|(?:la|local)?{_ONE_PERSON}){_ID_WORD}"
         r"|uln|uniquelearnernumber|uniquelearnerno"),
    )
)
_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")


def _normalise_header(header: str) -> str:
    """Lower case with everything but letters and digits dropped: "NHS_No." -> "nhsno"."""
    return _NOT_ALPHANUMERIC.sub("", header.casefold())


def identifier_column_kind(header: str) -> str | None:
    """The kind of child-level identifier a column header names, or None.

    Matching is on the whole normalised header (case, spaces, underscores, hyphens, dots and
    other punctuation ignored), so "Child name", "first_name", "DOB", "NHS_No", "Post Code",
    "address_line_1", "e-mail", "LCS ID" and "ULN" match, while the contracts' own columns
    ("la_name", "indicator_id", "audit_ref"...) do not. ``"postcode_district"`` counts as a
    postcode: a district with other columns can narrow a child down. A date of birth is named
    only by words of birth ("DOB", "Date born", "Birth date (dd/mm/yyyy)"): "Notified date
    (dd/mm/yyyy)" is a date, but not a child's.
    """
    key = _normalise_header(header)
    if not key:
        return None
    for kind, pattern in _HEADER_PATTERNS:
        if pattern.fullmatch(key):
            return kind
    return None


# --- Columns -------------------------------------------------------------------------------


def _is_blank(value: object) -> bool:
    """None, NaN (as pandas reads an empty cell) or a string of whitespace."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def column_identifier_kinds(values: Iterable[object]) -> list[str]:
    """Kinds of identifier found in the non-blank cells of an extra (unexpected) column.

    A kind counts when it is found in at least one cell: a single NHS number is a disclosure.
    Used to refuse a file whose extra column carries identifiers under an innocuous header.
    Values that are not strings (numbers read by pandas) are read as ``str(value)``; None,
    NaN and blank strings are skipped. Kinds come in :data:`IDENTIFIER_KINDS` order.

    There is deliberately no minimum share of cells a kind must reach: a share would make
    the check laxer, not stricter, and one leaked identifier is already a disclosure.
    """
    found: set[str] = set()
    seen: set[str] = set()
    possible = len(IDENTIFIER_KINDS) - 2  # "name" and "person ID" never come from cells
    for value in values:
        if _is_blank(value):
            continue
        text = value if isinstance(value, str) else str(value)
        if text in seen:
            continue  # returns repeat the same text often; each distinct cell is read once
        seen.add(text)
        found.update(identifier_kinds(text))
        if len(found) == possible:
            break
    return sorted(found, key=_ORDER.__getitem__)


# --- the policy: what a return may carry ----------------------------------------------------

WITHHELD_TEXT = "[withheld: possible personal data]"
_LONG_ENOUGH_TO_IDENTIFY = 9  # the shortest identifier checked in a count or code column
_DATES = frozenset({"date", "month", "financial_year"})


@dataclass
class Screened:
    """What screening a return found: findings (an error refuses the file) and the free-text
    cells to withhold, as rows by column."""

    findings: list[Finding] = field(default_factory=list)
    withheld: dict[str, set[int]] = field(default_factory=dict)


def screen(contract: Contract, table: Table) -> Screened:
    """Apply the identifier policy to one return (see the README's "Data protection").

    - A column the contract does not have is refused if its header names an identifier or
      any cell looks like one; otherwise it is not read, with a warning.
    - Free text (a ``text`` column) that looks like an identifier is withheld from every
      report and from the store's analysis tables, with a warning; in a reference that keys
      the return (``action_ref``) it refuses the file, since a reference cannot be withheld.
    - Any other cell that looks like an identifier (an NHS number typed as a count) refuses
      the file.
    Messages name the file, column, rows and kind of identifier, never the value.
    """
    result = Screened()
    frame, known = table.frame, set(contract.column_names)
    for name in frame.columns:
        if name in known:
            continue
        letter = table.column_letters.get(name, "?")
        label = column_label(letter, name)
        named = identifier_column_kind(name)
        # a header that names an identifier, is one itself, or heads cells that hold one
        kinds = ([named] if named else identifier_kinds(name.replace("_", " "))
                 or column_identifier_kinds(frame[name]))
        if kinds:
            result.findings.append(Finding(
                table.file_name, "identifier_column", "error", (label,), 0, (),
                f"{label} holds child-level identifiers ({kinds_phrase(kinds)}); a return must "
                "carry no identifiers, so the whole file is refused: none of it reaches the "
                "store's analysis tables or any report",
                f"delete column {letter} and resend the return"))
        else:
            result.findings.append(Finding(
                table.file_name, "extra_column", "warning", (label,), 0, (),
                f"{label} is not part of the {contract.return_type} return and was not read",
                "delete the column, or check its header against the template"))
    for column in contract.columns:
        if column.name not in frame.columns or column.type in _DATES:
            continue  # a date in a date column is what the return asks for
        cells = frame[column.name]
        free_text = column.type == "text"
        by_row = {row: identifier_kinds(cell) for row, cell in cells.items()
                  if isinstance(cell, str)
                  and (free_text or len(cell) >= _LONG_ENOUGH_TO_IDENTIFY)}
        if not free_text:  # a count or a code holding a date is a wrong value, not a birth date
            by_row = {row: [kind for kind in kinds if kind != DATE_OF_BIRTH]
                      for row, kinds in by_row.items()}
        flagged = {row: kinds for row, kinds in by_row.items() if kinds}
        if not flagged:
            continue
        rows = tuple(sorted(flagged))
        kinds = sorted({kind for found in flagged.values() for kind in found},
                       key=IDENTIFIER_KINDS.index)
        where = f"{rows_phrase(rows)}: {column.name} appears to contain {kinds_phrase(kinds)}"
        if free_text and column.name not in contract.key:  # withheld; the file is kept
            result.withheld[column.name] = set(rows)
            rule, severity, outcome, fix = (
                "personal_data", "warning", "that text is withheld from every report and from "
                "the store's analysis tables", f"remove anything that could identify a child "
                f"or family from {column.name} and resend the return with _v2 at the end of "
                "its name")
        else:  # a reference or a value cannot be withheld: the file is refused
            rule, severity, outcome, fix = (
                "identifier", "error", f"{column.name} must never identify a child, so the "
                "whole file is refused: none of it reaches the store's analysis tables or any "
                "report", f"correct {column.name} on those rows (use the partnership's own "
                "reference, never a child's details) and resend")
        result.findings.append(Finding(table.file_name, rule, severity, (column.name,),
                                       len(rows), rows, f"{where}; {outcome}", fix))
    return result


def repeatable(text: str) -> bool:
    """Whether a name from a file (a header, a sheet's name) may be repeated in a message: not
    if it is long, or looks like an identifier (a row of data taken for the header)."""
    return len(text) <= 40 and not identifier_kinds(text.replace("_", " "))


def column_label(letter: str, header: str) -> str:
    """``column F (notes)``, or ``column F`` where the header may not be repeated."""
    return f"column {letter} ({header})" if repeatable(header) else f"column {letter}"


_AN = frozenset({NHS_NUMBER, EMAIL})  # the kinds said with "an"


def kinds_phrase(kinds: list[str], joiner: str = "and") -> str:
    """``a postcode and an NHS number``: kinds of identifier in words, for a message."""
    named = [f"an {kind}" if kind in _AN else f"a {kind}" for kind in kinds]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} {joiner} {named[-1]}"
