"""The synthetic demonstration partnership: deterministic, complete, realistic and valid."""

from __future__ import annotations

import csv
import hashlib
import re
import time
import tomllib
import zipfile
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from scrutiny import demo
from scrutiny.periods import Period

FRAMEWORK = Path(demo.__file__).parent / "framework"
AREA = {area.code: area for area in demo.AREAS}
BNES, BRISTOL, NORTH_SOMERSET, SOMERSET = "E06000022", "E06000023", "E06000024", "E06000066"
NAME = re.compile(
    r"^(?P<kind>[a-z0-9]+)_(?P<area>E\d{8})_(?P<period>\d{4}-\d{2}(?:-Q[1-4])?)"
    r"(?:_(?P<label>[a-z]+))?\.(?:csv|xlsx)$"
)
PERSONAL = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    start = time.perf_counter()
    files = demo.generate(out)
    return out, files, time.perf_counter() - start


@pytest.fixture(scope="module")
def returns(generated):
    """Every return: (kind, area code, period, label, file name) -> list of rows (dicts)."""
    out, files, _ = generated
    found = {}
    for path in files:
        if match := NAME.match(path.name):
            assert path.parent.name == match["period"]
            key = (match["kind"], match["area"], Period.parse(match["period"]),
                   match["label"] or "", path.name)
            found[key] = read_rows(path, demo.COLUMNS[match["kind"]])
    return found


@pytest.fixture(scope="module")
def catalogue():
    with open(FRAMEWORK / "indicators.toml", "rb") as f:
        return {i["id"]: i for i in tomllib.load(f)["indicators"] if i["source"] == "indicators"}


def read_rows(path: Path, columns) -> list[dict[str, str]]:
    if path.suffix == ".xlsx":
        sheet = load_workbook(path, read_only=True)[path.name.split("_")[0]]
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert all(isinstance(v, str) for row in values for v in row if v is not None)
        values = [["" if v is None else v for v in row] for row in values]
    else:
        text = path.read_bytes().decode("utf-8")
        assert not text.startswith("\ufeff") and "\r" not in text and text.endswith("\n")
        values = list(csv.reader(text.splitlines()))
    assert tuple(values[0]) == columns, path.name
    return [dict(zip(columns, row, strict=True)) for row in values[1:]]


def by_kind(returns, kind):
    return {key: rows for key, rows in returns.items() if key[0] == kind}


def digests(files, root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in files}


# --- determinism and layout ---------------------------------------------------------------


def test_two_generations_are_byte_identical(generated, tmp_path):
    out, files, _ = generated
    again = demo.generate(tmp_path / "again")
    assert digests(files, out) == digests(again, tmp_path / "again")
    different = demo.generate(tmp_path / "other", seed=7)
    assert digests(files, out) != digests(different, tmp_path / "other")


def test_generator_is_fast(generated):
    assert generated[2] < 3.0


def test_files_returned_sorted_and_all_written(generated):
    out, files, _ = generated
    assert files == sorted(files)
    assert set(files) == {p for p in out.rglob("*") if p.is_file()}
    # 6 quarterly returns (indicators in three files) x 5 areas x 12 quarters,
    # section 11 for 5 areas x 3 years, partnership.toml and README.txt,
    # and 12 synthetic national files with their README.txt in national/
    assert len(files) == (3 + 5) * 5 * 12 + 5 * 3 + 2 + 13 == 510
    national = sorted(p.name for p in files if p.parent == out / "national")
    assert len(national) == 13 and "README.txt" in national
    assert "sn_model_2025_wide.csv" in national


def test_partnership_and_readme(generated):
    out, _, _ = generated
    with open(out / "partnership.toml", "rb") as f:
        partnership = tomllib.load(f)
    assert partnership["name"] == "Avon and Somerset (synthetic demonstration)"
    assert partnership["synthetic"] is True
    assert (partnership["region_code"], partnership["region_name"]) == ("E12000009", "South West")
    assert [(a["code"], a["name"], a["old_la_code"], a["children_0_17"])
            for a in partnership["areas"]] == [
        ("E06000022", "Bath and North East Somerset", 800, 36_600),
        ("E06000023", "Bristol, City of", 801, 92_700),
        ("E06000024", "North Somerset", 802, 44_400),
        ("E06000025", "South Gloucestershire", 803, 62_800),
        ("E06000066", "Somerset", 933, 113_000),
    ]
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "SYNTHETIC DEMONSTRATION RETURNS, NOT REAL DATA" in readme
    assert "national/" in readme
    national = (out / "national" / "README.txt").read_text(encoding="utf-8")
    assert "SYNTHETIC" in national and "NOT OFFICIAL STATISTICS" in national


def test_every_return_exists(returns):
    present = {key[:4] for key in returns}
    quarters = demo.LAST_PERIOD.previous_quarters(12)
    assert quarters[0] == demo.FIRST_PERIOD
    for area in AREA:
        for quarter in quarters:
            for label in ("", "police", "health"):
                assert ("indicators", area, quarter, label) in present
            for kind in ("reviews", "actions", "training", "audits", "voice"):
                assert (kind, area, quarter, "") in present
        for year in ("2023-24", "2024-25", "2025-26"):
            assert ("section11", area, Period.parse(year), "") in present
    xlsx = [key[4] for key in returns if key[4].endswith(".xlsx")]
    assert xlsx == ["section11_E06000066_2025-26.xlsx"]


def test_demo_vocabulary_matches_the_framework(catalogue):
    with open(FRAMEWORK / "framework.toml", "rb") as f:
        framework = tomllib.load(f)
    assert set(demo.STEPS) == {s["id"] for s in framework["steps"]}
    assert set(demo.THEMES) == {t["id"] for t in framework["themes"]}
    assert set(demo.INDICATORS) == set(catalogue)
    for indicator_id, (unit, agency) in demo.INDICATORS.items():
        assert (unit, agency) == (catalogue[indicator_id]["unit"],
                                  catalogue[indicator_id]["agency"])


# --- indicators: complete and realistic -----------------------------------------------------


@pytest.fixture(scope="module")
def series(returns):
    """(area, indicator) -> {month: (numerator, denominator or None)}."""
    values = defaultdict(dict)
    for (_, area, _, _, _), rows in by_kind(returns, "indicators").items():
        for row in rows:
            denominator = int(row["denominator"]) if row["denominator"] else None
            values[area, row["indicator_id"]][row["month"]] = (int(row["numerator"]), denominator)
    return values


def test_every_indicator_every_month_once(returns, catalogue):
    seen = Counter()
    for (_, area, _, label, _), rows in by_kind(returns, "indicators").items():
        for row in rows:
            seen[area, row["month"], row["indicator_id"]] += 1
            agency = catalogue[row["indicator_id"]]["agency"]
            assert row["agency"] == agency
            assert label == {"police": "police", "health": "health"}.get(agency, "")
    assert set(seen.values()) == {1}
    assert len(seen) == 5 * 36 * len(catalogue)


def annual(series, area, indicator, year):
    months = Period.parse(year).months
    values = [series[area, indicator][m] for m in months]
    return sum(v[0] for v in values), sum(v[1] or 0 for v in values)


YEARS = ("2023-24", "2024-25", "2025-26")
RATES = {"referrals": (200, 550), "s47_enquiries": (100, 250), "early_help_started": (300, 800),
         "da_notifications": (300, 700)}
PERCENTS = {"rereferrals": (13, 26), "assessments_45wd": (75, 95), "icpc_15wd": (70, 95),
            "cpp_subsequent": (15, 30), "rhi_offered_72h": (50, 90),
            "health_assessments_20wd": (40, 90), "care_leavers_eet": (45, 65)}


@pytest.mark.parametrize("area", sorted(AREA))
def test_annual_magnitudes(series, area):
    per_10k = 10_000 / AREA[area].children_0_17
    for year in YEARS:
        for indicator, (low, high) in RATES.items():
            assert low <= annual(series, area, indicator, year)[0] * per_10k <= high, indicator
        for indicator, (low, high) in PERCENTS.items():
            part, whole = annual(series, area, indicator, year)
            assert low <= 100 * part / whole <= high, (indicator, year)
        conferences = annual(series, area, "icpc_15wd", year)[1]
        assert 0.28 <= conferences / annual(series, area, "s47_enquiries", year)[0] <= 0.42
    months = demo.MONTHS
    assert all(25 <= series[area, "cpp"][m][0] * per_10k <= 55 for m in months)
    assert all(40 <= series[area, "cla"][m][0] * per_10k <= 80 for m in months)
    out_of_hours = [series[area, "out_of_hours_placements"][m][0] for m in months]
    assert max(out_of_hours) <= 8 and min(out_of_hours) < 3  # small numbers to suppress
    assert all(series[area, "ehe"][m][0] > series[area, "cme"][m][0] > 0 for m in months)


def test_small_and_large_areas(series):
    ehe = [series[SOMERSET, "ehe"][m][0] for m in demo.MONTHS]
    assert min(ehe) >= 1_300 and max(ehe) <= 1_800
    for indicator in ("referrals", "s47_enquiries", "cpp", "da_notifications"):
        bnes = sum(v[0] for v in series[BNES, indicator].values())
        for big in (BRISTOL, SOMERSET):
            assert sum(v[0] for v in series[big, indicator].values()) >= 2.5 * bnes, indicator
    bnes_referrals = sum(v[0] for v in series[BNES, "referrals"].values())
    assert sum(v[0] for v in series[SOMERSET, "referrals"].values()) >= 4 * bnes_referrals


def test_planted_patterns(series):
    def percent(area, indicator, months):
        values = [series[area, indicator][m] for m in months]
        return 100 * sum(v[0] for v in values) / sum(v[1] for v in values)

    months = list(demo.MONTHS)
    rise = months.index("2025-08")
    assert percent(BRISTOL, "rereferrals", months[-4:]) > percent(
        BRISTOL, "rereferrals", months[:rise]) + 5
    step = months.index("2024-10")
    assert percent(SOMERSET, "assessments_45wd", months[step:]) > percent(
        SOMERSET, "assessments_45wd", months[:step]) + 10
    missing = {m: v[0] for m, v in series[NORTH_SOMERSET, "missing_episodes"].items()}
    others = sorted(v for m, v in missing.items() if m != "2026-01")
    assert missing["2026-01"] > 2 * others[len(others) // 2]
    assert missing["2026-01"] > max(others)


# --- validity of every return ---------------------------------------------------------------


def as_int(text):
    return int(text) if re.fullmatch(r"-?\d+", text) else None


def as_date(text):
    return date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None


def faults(kind, area, period, rows):
    """A list of (row number, fault) for one return."""
    found = []
    keys = Counter()
    end = period.end
    for n, row in enumerate(rows):
        def fault(name, n=n):
            found.append((n, name))

        if row["area_code"] != area:
            fault("area_code")
        if "month" in row and row["month"] not in period.months:
            fault("month_outside")
        if "theme" in row and row["theme"] not in demo.THEMES:
            fault("unknown_theme")
        if kind == "indicators":
            unit, _ = demo.INDICATORS[row["indicator_id"]]
            numerator, denominator = as_int(row["numerator"]), as_int(row["denominator"])
            if numerator is None or numerator < 0:
                fault("numerator")
            if unit == "percent":
                if denominator is None or denominator < 1 or numerator > denominator:
                    fault("denominator")
            elif row["denominator"] != "":
                fault("denominator")
            key = (row["area_code"], row["month"], row["indicator_id"])
        elif kind == "reviews":
            known, notified = as_date(row["incident_known_date"]), as_date(row["notified_date"])
            rapid, published = as_date(row["rapid_review_date"]), as_date(row["published_date"])
            short = AREA[area].short
            if not re.fullmatch(rf"{short}-{notified.year}-\d\d", row["review_ref"]):
                fault("review_ref")
            if Period.quarter_of(notified) != period or not known <= notified:
                fault("notified_date")
            if row["rapid_review_date"] and not notified <= rapid <= demo.LAST_PERIOD.end:
                fault("rapid_review_date")
            if not row["rapid_review_date"] and row["decision"] != "pending":
                fault("decision")
            if row["published_date"] and not (rapid and rapid <= published):
                fault("published_date")
            if row["decision"] not in demo.DECISIONS or row["panel_agreed"] not in (
                    "yes", "no", "pending", ""):
                fault("domain")
            themes = row["themes"].split(";")
            if not set(themes) <= set(demo.THEMES) or len(set(themes)) != len(themes):
                fault("themes")
            key = row["review_ref"]
        elif kind == "actions":
            raised, due = as_date(row["raised"]), as_date(row["due"])
            completed = as_date(row["completed"])
            if not raised <= min(due, end):
                fault("raised")
            if (row["status"] == "completed") != bool(row["completed"]):
                fault("completed")
            if completed and not raised <= completed <= end:
                fault("completed_date")
            if (row["source"] not in demo.ACTION_SOURCES or row["step"] not in demo.STEPS
                    or row["owner_agency"] not in demo.AGENCIES
                    or row["status"] not in demo.ACTION_STATUSES):
                fault("domain")
            key = row["action_ref"]
        elif kind == "training":
            counts = {c: as_int(row[c]) for c in ("places", "attended", "evaluations", "met_needs")}
            if any(v is None or v < 0 for v in counts.values()):
                fault("negative")
            names = list(counts)
            for whole, part in zip(names, names[1:], strict=False):
                # a comparison with a negative or missing count is that count's fault only
                pair = (counts[whole], counts[part])
                if None not in pair and min(pair) >= 0 and pair[1] > pair[0]:
                    fault(f"more_than_{whole}")
            if row["delivery"] not in demo.DELIVERIES or not row["course"]:
                fault("domain")
            key = (row["area_code"], row["month"], row["course"], row["delivery"])
        elif kind == "audits":
            grades = [as_int(row[c]) for c in
                      ("outstanding", "good", "requires_improvement", "inadequate")]
            if not 4 <= as_int(row["cases"]) <= 12 or sum(grades) != as_int(row["cases"]):
                fault("grades")
            if min(grades) < 0 or Period.quarter_of(as_date(row["completed"])) != period:
                fault("completed")
            key = row["audit_ref"]
        elif kind == "voice":
            if row["method"] not in demo.VOICE_METHODS or as_int(row["participants"]) < 1:
                fault("domain")
            if not row["what_we_heard"]:
                fault("what_we_heard")
            key = (row["area_code"], row["month"], row["method"], row["theme"])
        elif kind == "section11":
            if (row["year"] != period.label or row["standard"] not in demo.S11_STANDARDS
                    or row["rating"] not in demo.S11_RATINGS or not row["agency"]):
                fault("domain")
            key = (row["agency"], row["standard"])
        keys[key] += 1
        if keys[key] > 1:
            fault("duplicate")
    return found


def test_every_return_is_valid_except_the_faulty_one(returns):
    checked = 0
    for (kind, area, period, _, name), rows in returns.items():
        if name != demo.FAULTY_RETURN:
            assert faults(kind, area, period, rows) == [], name
            checked += 1
    assert checked == (3 + 5) * 5 * 12 + 5 * 3 - 1  # every return but the faulty one


def test_the_faulty_return_has_exactly_the_listed_faults(returns):
    key = next(key for key in returns if key[4] == demo.FAULTY_RETURN)
    rows = returns[key]
    found = faults("training", NORTH_SOMERSET, key[2], rows)
    assert sorted(name for _, name in found) == sorted(
        ["more_than_places", "negative", "month_outside", "unknown_theme", "duplicate"])
    assert len({n for n, _ in found}) == 5  # each fault on its own row
    negative = next(n for n, name in found if name == "negative")
    assert rows[negative]["evaluations"] == "-3"
    assert "2025-12" in [row["month"] for row in rows]
    assert "safeguarding" in [row["theme"] for row in rows]
    duplicate = next(n for n, name in found if name == "duplicate")
    assert list(rows[duplicate].values()) in [list(r.values()) for r in rows[:duplicate]]


def test_reviews_are_not_repeated_and_some_quarters_are_nil(returns):
    refs = Counter()
    counts = defaultdict(int)
    for (_, area, period, _, _), rows in by_kind(returns, "reviews").items():
        refs.update(row["review_ref"] for row in rows)
        counts[area, period.year] += len(rows)
    assert set(refs.values()) == {1}
    assert any(len(rows) == 0 for rows in by_kind(returns, "reviews").values())
    assert all(1 <= count <= 12 for count in counts.values())
    decisions = Counter()
    for rows in by_kind(returns, "reviews").values():
        for row in rows:
            decisions[row["decision"], bool(row["published_date"])] += 1
    assert decisions["lcspr", True] >= 3
    assert {d for d, _ in decisions} >= {"lcspr", "no_further_review", "other_learning"}


def test_action_tracker_evolves_consistently(returns):
    history = defaultdict(dict)  # area -> ref -> [(period, row)]
    for (_, area, period, _, _), rows in sorted(by_kind(returns, "actions").items()):
        for row in rows:
            history[area].setdefault(row["action_ref"], []).append((period, row))
    order = {"open": 0, "in_progress": 1, "completed": 2}
    overdue = 0
    for actions in history.values():
        for ref, snapshots in actions.items():
            periods = [p for p, _ in snapshots]
            assert periods == periods[0].shift(len(periods) - 1).previous_quarters(len(periods))
            assert periods[-1] == demo.LAST_PERIOD, ref  # never drops off the tracker
            fixed = {tuple(r[c] for c in ("source", "step", "theme", "raised", "due"))
                     for _, r in snapshots}
            assert len(fixed) == 1
            statuses = [order[r["status"]] for _, r in snapshots]
            assert statuses == sorted(statuses)
            assert len({r["completed"] for _, r in snapshots if r["completed"]}) <= 1
        last = [snapshots[-1][1] for snapshots in actions.values()]
        overdue += sum(r["status"] != "completed" and r["due"] < "2026-03-31" for r in last)
        assert {r["source"] for r in last} >= {"cspr", "audit", "inspection", "scrutiny"}
    assert overdue >= 5


def test_training_audits_voice_and_section11_are_plausible(returns):
    for rows in by_kind(returns, "training").values():
        assert len(rows) >= 6
    changed = [bool(row["what_changed"]) for rows in by_kind(returns, "voice").values()
               for row in rows]
    assert 0.45 <= sum(changed) / len(changed) <= 0.75
    for rows in by_kind(returns, "section11").values():
        agencies = Counter(row["agency"] for row in rows)
        assert set(agencies.values()) == {len(demo.S11_STANDARDS)} and len(agencies) >= 6
        assert "Avon and Somerset Constabulary" in agencies
    council = {row["agency"] for key, rows in by_kind(returns, "section11").items()
               if key[1] == BRISTOL for row in rows}
    assert "Bristol City Council" in council


def test_only_the_suspect_return_looks_like_personal_data(returns):
    hits = {
        (key[4], n)
        for key, rows in returns.items() if key[0] in ("voice", "reviews", "training", "actions")
        for n, row in enumerate(rows)
        if any(PERSONAL.search(value) for value in row.values())
    }
    assert len(hits) == 1 and next(iter(hits))[0] == demo.SUSPECT_RETURN
    (name, n), = hits
    row = next(rows for key, rows in returns.items() if key[4] == name)[n]
    assert "BS5 6XX" in row["what_we_heard"] and "12/03/2014" in row["what_we_heard"]


def test_xlsx_return_is_text_with_fixed_properties(generated):
    out, _, _ = generated
    path = out / "returns" / "2025-26" / "section11_E06000066_2025-26.xlsx"
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["section11"]
    cells = [c for row in workbook["section11"].iter_rows() for c in row]
    assert cells and all(c.data_type == "s" for c in cells)
    assert workbook.properties.creator == "scrutiny demo"
    assert workbook.properties.created == workbook.properties.modified == datetime(2026, 4, 1)
    with zipfile.ZipFile(path) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 4, 1, 0, 0, 0)}


def test_national_statistics_are_the_synthetic_files(generated, tmp_path):
    from scrutiny.national.synthetic import write_synthetic_national

    out, files, _ = generated
    expected = write_synthetic_national(tmp_path / "national")
    assert digests(expected, tmp_path / "national") == digests(
        [p for p in files if p.parent == out / "national"], out / "national")
