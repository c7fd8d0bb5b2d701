"""Detection of children's identifiers in returns: kinds found, false alarms avoided."""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
from pathlib import Path

import pytest
from stdnum.gb import nhs
from stdnum.gb import upn as stdnum_upn

from scrutiny import privacy
from scrutiny.privacy import (
    IDENTIFIER_KINDS,
    column_identifier_kinds,
    identifier_column_kind,
    identifier_kinds,
)

NHS = "NHS number"
UPN = "unique pupil number"
POSTCODE = "postcode"
EMAIL = "email address"
PHONE = "phone number"
DOB = "date of birth"
ADDRESS = "street address"
NINO = "national insurance number"
NAME = "name"
PERSON_ID = "person ID"

CONTRACTS = Path(__file__).resolve().parents[1] / "data_contracts"


def test_kinds_are_the_documented_names_in_a_fixed_order():
    assert IDENTIFIER_KINDS == (
        NHS, UPN, POSTCODE, EMAIL, PHONE, DOB, ADDRESS, NINO, NAME, PERSON_ID,
    )


# --- Free text: each kind found in realistic sentences ----------------------------------------

FOUND = [
    # NHS numbers, in the three ways they are written
    ("Health visitor confirmed NHS no 943 476 5919 before the strategy discussion", [NHS]),
    ("School nurse record 943-476-5919 shared with MASH", [NHS]),
    ("Child's NHS number is 9434765919.", [NHS]),
    ("GP letter quoted 401 023 2137 for the baby", [NHS]),
    # unique pupil numbers, with a right and a wrong check letter, and a temporary one
    ("Pupil's UPN B801200005001 was on the referral form", [UPN]),
    ("UPN A801200005001 copied from the school's CME notification", [UPN]),
    ("Temporary UPN K80120000500A issued while the school checked records", [UPN]),
    # postcodes in the forms workers type them
    ("Young person at 12 Acacia Avenue, BS1 5TR said nobody rang her back", [POSTCODE, ADDRESS]),
    ("Family moved to bs15tr in the summer and the referral was lost", [POSTCODE]),
    ("Placement in SW1A 1AA fell through after two nights", [POSTCODE]),
    ("Youth worker met him near W1A 0AX after school", [POSTCODE]),
    ("Care leaver now living in M1 1AE and wants a new PA", [POSTCODE]),
    ("Letter returned from GIR 0AA", [POSTCODE]),
    ("A girl living at BS5 6XX said nobody called her back", [POSTCODE]),
    # e-mail addresses
    ("Mum asked that letters go to jo.bloggs@example.com instead of home", [EMAIL]),
    ("Young person's e-mail (sam_t99@example.co.uk) added to the plan", [EMAIL]),
    # phone numbers, mobile and landline, national and international
    ("Young person asked us to text 07700 900123 rather than ring", [PHONE]),
    ("Dad can be reached on 0117 496 0123 after 6pm", [PHONE]),
    ("Foster carer's mobile +44 7700 900123 given to the school", [PHONE]),
    ("Gran's landline (0117) 4960123 is the safest number", [PHONE]),
    ("Aunt in Leeds on +44 113 496 0000 agreed to have him", [PHONE]),
    # dates of birth
    ("The boy born 12/03/2014 now has an advocate", [DOB]),
    ("Sibling, DOB 2015-03-12, not yet known to early help", [DOB]),
    ("Baby born 3 March 2015 at home with no midwife present", [DOB]),
    ("Date of birth: 12th of March 2015, per the health visitor", [DOB]),
    ("Seen on 12.03.15 with bruising to the arm", [DOB]),
    ("Referred on 12-3-2015 by the school", [DOB]),
    ("Parents at bs56xx said the hub was closed on 3.2.26", [POSTCODE, DOB]),
    ("Second child (d.o.b. March 4, 2016) also on a plan", [DOB]),
    # street addresses
    ("Police attended 7 Rosemary Close twice in one week", [ADDRESS]),
    ("She is staying at Flat 3, 45 High Street with a friend", [ADDRESS]),
    ("Moved from 23b Mill Lane to emergency accommodation", [ADDRESS]),
    ("Home visit to 12 St Mary's Road found the children alone", [ADDRESS]),
    # national insurance numbers
    ("Care leaver's NI number AB123456C used for the benefit claim", [NINO]),
    ("Ni no ab 12 34 56 c on the pathway plan", [NINO]),
    # several kinds at once come back in IDENTIFIER_KINDS order, each once
    (
        "Sam, 7 Rosemary Close, BS5 6XX, tel 07700 900123, NHS 943 476 5919, born 12/03/2014, "
        "also at 45 High Street, BS1 5TR",
        [NHS, POSTCODE, PHONE, DOB, ADDRESS],
    ),
]


@pytest.mark.parametrize(("text", "kinds"), FOUND, ids=[t[:40] for t, _ in FOUND])
def test_identifiers_in_free_text_are_found_by_kind(text, kinds):
    assert identifier_kinds(text) == kinds


# --- Free text: ordinary return text is left alone ------------------------------------------

HARMLESS = [
    "Year 7",
    "Year 7 pupils said transition support started too late",
    "Section 47",
    "Section 47 enquiries rose in the quarter",
    "S47 enquiries",
    "S47 2nd strategy discussion held",
    "2024-25",
    "2025-26-Q4",
    "Q4",
    "Q4 2025",
    "ICPC within 15 working days",
    "CP plans: 143",
    "E06000022",
    "E06000022, E06000023 and E06000024 compared",
    "course ran 3 times",
    "0 to 5 years",
    "attendance 95%",
    "Working Together 2023",
    "ages 11-16",
    "between 09:00 and 17:00",
    "Tel. the front door",
    "the 0-19 service",
    hashlib.sha256(b"voice_E06000023_2025-26-Q4.csv").hexdigest(),
    "Ofsted 2024",
    "A1",
    "A1 road",
    "NHS England",
    "Signs of Safety",
    "CP1",
    "KS2 results and Y10 attendance",
    "Y10 2nd term",
    "KS4 2ND HALF TERM",  # capitals throughout, but KS and Y are not postcode areas
    "y10 2nd half term",
    "CP1 2AB",
    "3 young people said the park felt unsafe",
    "5 Ways to Wellbeing course",
    "2 Skate Park sessions a week",
    "3 Family Court hearings were adjourned",
    "March 2025",
    "the month was 2025-03",
    "panel met on 2025-01-15 and agreed the actions",
    "born in March 2015",
    "In 2023, 2024 and 2025 we saw 1,234 referrals",
    "2024/25 and 2025/26 compared",
    "figures for 2023-24: 12345678",
    "Children can call Childline on 0800 1111",
    "Parents were given the NSPCC helpline, 0808 800 5000",
    "Council contact centre 0300 123 1234",
    "GB123456A",
    "Review published 2025; 4 recommendations; 12 actions; 95% complete",
    "Young people said they felt safer when the same youth worker stayed with them",
]


@pytest.mark.parametrize("text", HARMLESS)
def test_ordinary_return_text_is_not_flagged(text):
    assert identifier_kinds(text) == []


def test_hex_hashes_are_never_flagged():
    # Manifests carry sha256 digests; any run of digits inside one is part of a word.
    for i in range(3000):
        digest = hashlib.sha256(str(i).encode()).hexdigest()
        assert identifier_kinds(f"file {digest} received") == [], digest


@pytest.mark.parametrize("text", ["", "   ", "no digits at all", "@ the hub"])
def test_text_without_identifiers_gives_an_empty_list(text):
    assert identifier_kinds(text) == []


# --- NHS numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["943 476 5919", "401 023 2137", "9434765919", "943-476-5919"])
def test_an_nhs_number_with_a_valid_check_digit_is_an_nhs_number(number):
    assert identifier_kinds(f"Child's number {number} on the form") == [NHS]


@pytest.mark.parametrize("number", ["943 476 5918", "401 023 2138", "9434765910", "123 456 7890"])
def test_ten_digits_with_a_wrong_check_digit_are_not_an_nhs_number(number):
    assert NHS not in identifier_kinds(f"Child's number {number} on the form")


@pytest.mark.parametrize("text", [
    "Total 19434765919 pence",  # part of a longer run of digits
    "Ref 9434765919123",
    "Code X9434765919",
])
def test_ten_digits_inside_something_longer_are_not_an_nhs_number(text):
    assert NHS not in identifier_kinds(text)


def test_a_phone_number_after_the_country_code_is_not_an_nhs_number():
    # 117 496 0000 passes the mod-11 check, but after +44 it is a Bristol landline.
    assert nhs.is_valid("1174960000")
    assert identifier_kinds("Call +44 117 496 0000 for the team") == [PHONE]


@pytest.mark.parametrize("number", ["0123456789", "012 345 6789"])
def test_an_nhs_number_is_not_also_reported_as_a_phone_number(number):
    # Scottish CHI numbers share the mod-11 check and can start with 0, like a phone number.
    assert nhs.is_valid(number.replace(" ", ""))
    assert identifier_kinds(f"CHI {number} on the transfer-in form") == [NHS]


# --- Unique pupil numbers -------------------------------------------------------------------


@pytest.mark.parametrize("body", ["801200005001", "80120000500A", "201123456789", "93810000001Z"])
def test_upn_check_letter_follows_dfe_algorithm(body):
    assert privacy._upn_check_letter(body) == stdnum_upn.calc_check_digit(body)


def test_upn_check_letter_matches_a_reference_on_random_numbers():
    rng = random.Random(2026)
    letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
    for _ in range(500):
        body = "".join(rng.choice("0123456789") for _ in range(11))
        body += rng.choice("0123456789" + letters)
        assert privacy._upn_check_letter(body) == stdnum_upn.calc_check_digit(body), body


def test_a_upn_is_flagged_whether_or_not_its_check_letter_is_right():
    body = "801200005001"
    right = privacy._upn_check_letter(body)
    wrong = next(c for c in "ABCDEFGHJKLMNPQRTUVWXYZ" if c != right)
    assert identifier_kinds(f"UPN {right}{body}") == [UPN]
    assert identifier_kinds(f"UPN {wrong}{body}") == [UPN]


@pytest.mark.parametrize("text", [
    "I801200005001",  # I, O and S are never check letters
    "A80120000500",  # 12 characters
    "A8012000050011",  # 14 characters
    "E06000022",
])
def test_things_that_are_not_upn_shaped_are_not_upns(text):
    assert UPN not in identifier_kinds(f"code {text} noted")


# --- Phone numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize("number", [
    "07700 900123", "07700900123", "0117 496 0123", "+44 7700 900123", "(0117) 4960123",
    "020 7946 0000", "+44 (0)7700 900123", "0044 7700 900123", "07911-123-456",
])
def test_phone_numbers_written_in_common_ways_are_found(number):
    assert identifier_kinds(f"Contact mum on {number} only") == [PHONE]


@pytest.mark.parametrize("number", ["0800 1111", "0808 800 5000", "0300 123 1234", "0845 600 1234"])
def test_helpline_numbers_are_not_a_familys_phone_number(number):
    assert PHONE not in identifier_kinds(f"Signposted to the helpline on {number}")


# --- Dates of birth ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "born 3 March 2015", "DOB 2015-03-12", "DOB: 12 Mar 2015", "date of birth 2015/03/12",
    "born on the 3rd of March 2015", "2015-03-12 (DOB)", "12/03/2015", "1.2.26", "03/25/2015",
])
def test_dates_of_birth_are_found(text):
    assert identifier_kinds(text) == [DOB]


@pytest.mark.parametrize("text", [
    "2024-25", "2025-26-Q4", "Q4 2025", "March 2025", "2025-03", "met 2025-01-15",
    "met 15 January 2025", "born in 2015", "born March 2015", "ages 13/14/15", "version 1.2",
    "32/13/2015", "template version 2.1.10.3",
])
def test_things_that_are_not_dates_of_birth_are_not_flagged(text):
    assert DOB not in identifier_kinds(text)


# --- Street addresses -------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "12 Acacia Avenue", "Flat 3, 45 High Street", "7 Rosemary Close", "2a Church Rd",
    "101 Queens Drive", "14 Victoria Terrace", "9 Orchard Mews", "3 Brunswick Square",
])
def test_street_addresses_are_found(text):
    assert identifier_kinds(f"Staying at {text} with an uncle") == [ADDRESS]


@pytest.mark.parametrize("text", [
    "Section 47 Strategy Meeting Road map", "Year 7 Park Lane pupils", "3 Family Court hearings",
    "2 Youth Court appearances", "12 acacia avenue", "45 children in the High Street hub",
])
def test_counts_and_labels_before_street_words_are_not_addresses(text):
    assert ADDRESS not in identifier_kinds(text)


# --- National insurance numbers ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["AB123456C", "AB 12 34 56 C", "jk123456d"])
def test_national_insurance_numbers_are_found(text):
    assert identifier_kinds(f"NI {text} on file") == [NINO]


@pytest.mark.parametrize("text", ["GB123456A", "TN123456A", "DA123456A", "AO123456A", "AB123456E"])
def test_invalid_national_insurance_prefixes_and_suffixes_are_not_flagged(text):
    assert NINO not in identifier_kinds(f"ref {text}")


# --- Never the value --------------------------------------------------------------------------


SECRETS = [
    ("NHS no 943 476 5919", "943 476 5919"),
    ("UPN B801200005001", "B801200005001"),
    ("lives at BS1 5TR", "BS1 5TR"),
    ("email jo.bloggs@example.com", "jo.bloggs@example.com"),
    ("mobile 07700 900123", "07700 900123"),
    ("born 12/03/2014", "12/03/2014"),
    ("at 12 Acacia Avenue", "Acacia"),
    ("NI AB123456C", "AB123456C"),
]


@pytest.mark.parametrize(("text", "secret"), SECRETS)
def test_only_kind_names_come_back_never_the_value(text, secret, caplog):
    caplog.set_level(logging.DEBUG)
    found = identifier_kinds(text)
    assert len(found) == 1 and found[0] in IDENTIFIER_KINDS
    assert secret not in repr(found) and not re.search(r"\d|@", repr(found))
    assert caplog.records == []  # nothing is logged, so nothing can leak through logs either


# --- Column headers ---------------------------------------------------------------------------

IDENTIFIER_HEADERS = [
    ("Child name", NAME), ("first_name", NAME), ("Surname", NAME), ("Forename", NAME),
    ("Name", NAME), ("Name of child", NAME), ("Mother's surname", NAME),
    ("DOB", DOB), ("date_of_birth", DOB), ("Child DOB", DOB), ("D.O.B.", DOB),
    ("Date of birth (dd/mm/yyyy)", DOB), ("DOB (dd/mm/yy)", DOB), ("Child's birth date", DOB),
    ("Date born", DOB), ("Born", DOB),
    ("NHS number", NHS), ("NHS_No", NHS), ("NHS No.", NHS),
    ("UPN", UPN), ("unique pupil number", UPN), ("Former UPN", UPN),
    ("postcode", POSTCODE), ("Post Code", POSTCODE), ("home_postcode", POSTCODE),
    ("postcode_district", POSTCODE),
    ("address", ADDRESS), ("address_line_1", ADDRESS), ("Home Address", ADDRESS),
    ("phone", PHONE), ("telephone", PHONE), ("mobile", PHONE), ("Mother's mobile", PHONE),
    ("contact number", PHONE), ("Tel No", PHONE),
    ("email", EMAIL), ("e-mail", EMAIL), ("Email address", EMAIL), ("Parent email", EMAIL),
    ("child_id", PERSON_ID), ("LCS ID", PERSON_ID), ("Mosaic ID", PERSON_ID),
    ("person id", PERSON_ID), ("ULN", PERSON_ID), ("LA child ID", PERSON_ID),
    ("Case number", PERSON_ID), ("EHM ref", PERSON_ID),
    ("national insurance number", NINO), ("NI number", NINO), ("NINO", NINO),
]


@pytest.mark.parametrize(("header", "kind"), IDENTIFIER_HEADERS)
def test_headers_that_name_an_identifier_give_its_kind(header, kind):
    assert identifier_column_kind(header) == kind


ORDINARY_HEADERS = [
    "area_code", "month", "indicator_id", "numerator", "denominator", "agency", "action_ref",
    "review_ref", "audit_ref", "source", "step", "theme", "owner_agency", "raised", "due",
    "status", "completed", "course", "delivery", "places", "attended", "evaluations",
    "met_needs", "method", "participants", "what_we_heard", "what_changed", "year", "standard",
    "rating", "incident_known_date", "notified_date", "rapid_review_date", "decision",
    "panel_agreed", "published_date", "themes", "cases", "outstanding", "good",
    "requires_improvement", "inadequate", "notes", "comments", "team", "service", "la_name",
    "la_id", "ofsted_name", "region_name", "children_count", "children_number", "agency_name",
    "team_name", "course_name", "", "  ", "id", "number", "person",
    # a date, even with its format, is not a date of birth unless its words say so
    "Notified date (dd/mm/yyyy)", "Date (dd/mm/yyyy)", "due_date", "Meeting date", "births",
]


@pytest.mark.parametrize("header", ORDINARY_HEADERS)
def test_ordinary_return_headers_are_not_identifiers(header):
    assert identifier_column_kind(header) is None


def _contract_columns() -> list[str]:
    names: set[str] = set()
    for path in CONTRACTS.rglob("*.json"):
        contract = json.loads(path.read_text(encoding="utf-8")).get("meta", {}).get("contract")
        names.update(column["name"] for column in (contract or {}).get("columns", []))
    return sorted(names)


def test_no_column_of_any_contract_is_taken_for_an_identifier():
    columns = _contract_columns()
    assert len(columns) > 50  # the contracts were found and read
    assert {c: identifier_column_kind(c) for c in columns if identifier_column_kind(c)} == {}


# --- Cells of an extra column -----------------------------------------------------------------


def test_a_single_nhs_number_in_a_column_is_enough():
    values = [None, "", "  ", "no concerns", "943 476 5919", "no concerns"]
    assert column_identifier_kinds(values) == [NHS]


def test_column_kinds_come_in_order_each_once():
    values = ["jo@example.com", "BS1 5TR", "07700 900123", "BS5 6XX", "9434765919"]
    assert column_identifier_kinds(values) == [NHS, POSTCODE, EMAIL, PHONE]


def test_numbers_and_missing_values_as_pandas_reads_them_are_handled():
    values = [float("nan"), 9434765919, 9434765919.0, None]
    assert column_identifier_kinds(values) == [NHS]


def test_an_innocuous_column_gives_no_kinds():
    values = ["Police", "Health", "2024-25", "E06000022", float("nan"), "Q4", "Section 47"]
    assert column_identifier_kinds(values) == []


def test_an_empty_column_gives_no_kinds():
    assert column_identifier_kinds([]) == []
    assert column_identifier_kinds([None, "", float("nan")]) == []
