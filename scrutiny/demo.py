"""A synthetic demonstration partnership: three years of quarterly returns for five areas.

The five Avon and Somerset local authorities (:mod:`scrutiny.demo_areas`) appear with their
real names, ONS codes and (rounded) ONS mid-2024 populations of children aged 0-17; every other
figure is invented.
:func:`generate` writes the returns the cycle expects (indicators, reviews, actions, training,
audits, voice and section 11), in the shapes the agencies send, so the whole product can be run
and demonstrated without real data. Beside the returns it writes synthetic national statistics
(``national/``, :mod:`scrutiny.national.synthetic`) in the layout of the published DfE, ONS and
Ofsted files, for benchmarking. The output is deterministic: the same seed gives the same
bytes on every run and every machine with the same numpy.

A few patterns are planted for the trend charts to find (Bristol re-referrals rising over the
last eight months, Somerset assessments within 45 working days improving after a step change in
2024-25 Q3, a spike in North Somerset missing episodes in January 2026), and one return
(:data:`FAULTY_RETURN`) carries deliberate data-quality faults for the contracts to reject:
a row with more attendances than places, a negative count ("-3") of evaluations, a month
outside the quarter, an unknown theme ("safeguarding") and an exact duplicate row.
:data:`SUSPECT_RETURN` is valid but one free-text answer looks like personal data (a postcode
and a date of birth), which the tool should flag.

Run ``python -m scrutiny.demo OUT_DIR`` to write the files.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from scrutiny.demo_areas import AREAS, REGION_CODE, REGION_NAME, DemoArea
from scrutiny.layout import NATIONAL_DIR
from scrutiny.national.synthetic import write_if_changed, write_synthetic_national
from scrutiny.periods import Period

FIRST_PERIOD = Period.parse("2023-24-Q1")
LAST_PERIOD = Period.parse("2025-26-Q4")
FAULTY_RETURN = "training_E06000024_2025-26-Q4.csv"
SUSPECT_RETURN = "voice_E06000023_2025-26-Q4.csv"

PARTNERSHIP_NAME = "Avon and Somerset (synthetic demonstration)"

QUARTERS: tuple[Period, ...] = tuple(FIRST_PERIOD.shift(i) for i in range(12))
YEARS: tuple[Period, ...] = tuple(dict.fromkeys(q.year for q in QUARTERS))
MONTHS: tuple[str, ...] = tuple(month for quarter in QUARTERS for month in quarter.months)
_END = LAST_PERIOD.end

# The columns of each return, in order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "indicators": ("area_code", "month", "indicator_id", "numerator", "denominator", "agency"),
    "reviews": (
        "review_ref", "area_code", "incident_known_date", "notified_date", "rapid_review_date",
        "decision", "panel_agreed", "published_date", "themes",
    ),
    "actions": (
        "action_ref", "area_code", "source", "step", "theme", "owner_agency", "raised", "due",
        "status", "completed",
    ),
    "training": (
        "area_code", "month", "course", "theme", "delivery", "places", "attended", "evaluations",
        "met_needs",
    ),
    "audits": (
        "audit_ref", "area_code", "theme", "completed", "cases", "outstanding", "good",
        "requires_improvement", "inadequate",
    ),
    "voice": (
        "area_code", "month", "method", "participants", "theme", "what_we_heard", "what_changed",
    ),
    "section11": ("agency", "area_code", "year", "standard", "rating"),
}
QUARTERLY_RETURNS = ("indicators", "reviews", "actions", "training", "audits", "voice")

STEPS = ("leadership", "help_and_protection", "voice", "learning", "workforce", "assurance")
THEMES = (
    "exploitation", "early_help", "transition", "domestic_abuse", "partnership", "out_of_hours",
    "missing", "missing_education",
)
DECISIONS = ("lcspr", "no_further_review", "national_review", "other_learning", "pending")
PANEL_AGREED = ("yes", "no", "pending")
ACTION_SOURCES = ("cspr", "audit", "inspection", "scrutiny", "section11")
AGENCIES = ("local_authority", "police", "health", "education", "business_unit")
ACTION_STATUSES = ("open", "in_progress", "completed")
DELIVERIES = ("face_to_face", "virtual", "e_learning")
VOICE_METHODS = (
    "survey", "focus_group", "participation_group", "consultation", "advocacy", "other",
)
S11_STANDARDS = (
    "senior_management_commitment", "clear_accountability", "service_development", "training",
    "safer_recruitment", "inter_agency_working", "information_sharing", "listening_to_children",
)
S11_RATINGS = ("fully_met", "partially_met", "not_met")

# Indicators of the `indicators` return: id -> (unit, agency). Must match indicators.toml.
INDICATORS: dict[str, tuple[str, str]] = {
    "early_help_started": ("rate_per_10k", "local_authority"),
    "referrals": ("rate_per_10k", "local_authority"),
    "rereferrals": ("percent", "local_authority"),
    "assessments_45wd": ("percent", "local_authority"),
    "s47_enquiries": ("rate_per_10k", "local_authority"),
    "icpc_15wd": ("percent", "local_authority"),
    "cpp": ("rate_per_10k", "local_authority"),
    "cpp_subsequent": ("percent", "local_authority"),
    "cla": ("rate_per_10k", "local_authority"),
    "out_of_hours_placements": ("count", "local_authority"),
    "missing_episodes": ("count", "police"),
    "rhi_offered_72h": ("percent", "local_authority"),
    "exploitation_referrals": ("count", "local_authority"),
    "da_notifications": ("rate_per_10k", "police"),
    "cme": ("count", "education"),
    "ehe": ("count", "education"),
    "lado_referrals": ("count", "local_authority"),
    "health_assessments_20wd": ("percent", "health"),
    "care_leavers_eet": ("percent", "local_authority"),
}
# Which indicators file an agency's rows go in (the suffix of the file name).
INDICATOR_FILES = {"local_authority": "", "education": "", "police": "_police", "health": "_health"}

# Seasonal shapes by calendar month (January first), scaled to average 1.
_SEASONS = {
    "school": [1.02, 1.0, 1.08, 0.92, 1.05, 1.08, 1.0, 0.78, 0.98, 1.1, 1.1, 0.88],
    "domestic_abuse": [1.1, 0.92, 0.98, 0.98, 1.0, 1.05, 1.08, 1.05, 0.95, 0.95, 0.95, 1.1],
    "summer": [0.9, 0.9, 1.0, 1.0, 1.05, 1.1, 1.15, 1.1, 1.0, 1.0, 0.95, 0.85],
}
SEASONS = {name: np.array(shape) / np.mean(shape) for name, shape in _SEASONS.items()}

COURSES: tuple[tuple[str, str], ...] = (
    ("Working with neglect", "early_help"),
    ("Early help assessment and the team around the family", "early_help"),
    ("Child exploitation: spotting the signs", "exploitation"),
    ("Contextual safeguarding: peer groups and places", "exploitation"),
    ("Domestic abuse and coercive control", "domestic_abuse"),
    ("Missing children and return home interviews", "missing"),
    ("Children missing education and elective home education", "missing_education"),
    ("Preparing for adulthood: transitions for care leavers", "transition"),
    ("Emergency placements out of hours", "out_of_hours"),
    ("Working together to safeguard children", "partnership"),
    ("Professional curiosity and escalation", "partnership"),
    ("Strategy discussions and section 47 enquiries", "partnership"),
)

WHAT_WE_HEARD: dict[str, tuple[str, ...]] = {
    "exploitation": (
        "Young people said they felt safer when the same youth worker stayed with them "
        "after they had been exploited",
        "Young people told us adults sometimes treated them as offenders rather than as "
        "children being exploited",
        "Parents said they did not know where to turn when they first worried their child "
        "was being groomed online",
        "Young people said there were few safe places to go in the evening in their area",
    ),
    "early_help": (
        "Parents said early help worked best when one worker stayed with the family "
        "from start to finish",
        "Families said they had to tell their story again each time they were passed "
        "to a new service",
        "Parents said they wanted help sooner, before things reached crisis point",
        "Parents said family hubs felt welcoming but opening hours did not suit working families",
    ),
    "transition": (
        "Care leavers said they felt alone when their support changed at 18",
        "Care leavers said they wanted help to manage money and bills before moving "
        "into their own flat",
        "Young people said planning for adulthood started too late and felt rushed",
        "Care leavers said they did not know what support they were entitled to",
    ),
    "domestic_abuse": (
        "Children said nobody explained what would happen after the police came to their home",
        "Mothers said they worried that asking for help would lead to their children "
        "being taken into care",
        "Young people said they wanted to talk about what happened at home with someone "
        "they trusted at school",
    ),
    "partnership": (
        "Young people said they did not know who their new social worker was after a "
        "change of worker",
        "Families said professionals did not always share information so they had to "
        "repeat themselves",
        "Children said they wanted to be asked for their views before meetings about them",
        "Parents said conference reports arrived too late for them to read before the meeting",
    ),
    "out_of_hours": (
        "Children placed in an emergency said they arrived at night with none of their "
        "belongings",
        "Young people said nobody told them where they were going when they were moved "
        "late at night",
        "Foster carers said they needed more information about children placed with them "
        "out of hours",
    ),
    "missing": (
        "Young people said return home interviews felt like being told off rather than "
        "being listened to",
        "Young people said they were more likely to talk to a worker they already knew "
        "after going missing",
        "Parents said they did not know who to call when their child went missing again",
    ),
    "missing_education": (
        "Parents of home educated children said they felt judged when officers visited",
        "Young people out of school said they missed their friends and felt forgotten",
        "Parents said waiting for a school place after moving area left their child at "
        "home for weeks",
    ),
}
WHAT_CHANGED: dict[str, tuple[str, ...]] = {
    "exploitation": (
        "The exploitation panel now invites the young person's trusted adult to its meetings",
        "Training on adultification was added to the multi-agency programme",
        "Detached youth work was extended into two town centres in the evenings",
    ),
    "early_help": (
        "Families now keep the same lead practitioner when they move between services",
        "Family hubs added an evening session each week",
        "A single family plan is now shared by all agencies working with the family",
    ),
    "transition": (
        "Personal advisers now start pathway planning at 15 and a half",
        "A money skills course was added to the care leavers offer",
        "The local offer for care leavers was rewritten with young people",
    ),
    "domestic_abuse": (
        "Schools now receive a notification before the start of the next school day",
        "Leaflets for children explaining what happens next were co-produced with young people",
        "Practitioner guidance now stresses support for the non-abusing parent",
    ),
    "partnership": (
        "Social workers now send an introduction letter when a child's worker changes",
        "Conference reports must now be shared with families three working days before "
        "the meeting",
        "Children are now offered an advocate before every child protection conference",
    ),
    "out_of_hours": (
        "Every emergency placement now comes with an overnight bag of essentials",
        "The emergency duty team now shares a placement summary with carers on arrival",
        "An out of hours placement protocol was agreed by all partners",
    ),
    "missing": (
        "Return home interviews are now offered by a worker the child already knows",
        "The missing protocol was rewritten in plain language with young people",
        "Parents now receive a single contact number for repeat missing episodes",
    ),
    "missing_education": (
        "Visits to home educating families are now arranged with the family in advance",
        "A weekly panel now tracks every child waiting for a school place",
        "Children out of school are offered tuition while they wait for a place",
    ),
}
SUSPECT_TEXT = (
    "A young person living at BS5 6XX, born 12/03/2014, said they waited weeks for a call "
    "back from their social worker"
)

# Fixed properties of the XLSX return so that its bytes never change.
XLSX_CREATOR = "scrutiny demo"
XLSX_TIMESTAMP = datetime(2026, 4, 1, 0, 0)

README = """\
Avon and Somerset (synthetic demonstration)
===========================================

These are SYNTHETIC DEMONSTRATION RETURNS, NOT REAL DATA. They were generated by
scrutiny.demo to demonstrate and test the scrutiny tool.

The five local authorities appear with their real names, ONS codes and rounded ONS mid-2024
estimates of children aged 0-17; every other figure, date, reference and sentence is invented
and says nothing about safeguarding in these areas.

returns/<period>/ holds one folder per quarter (2023-24-Q1 to 2025-26-Q4) and one per financial
year for section 11 self-assessments. {faulty} carries deliberate data-quality
faults; one answer in {suspect} looks like personal data.

national/ holds SYNTHETIC national statistics in the layouts and under the names of the
published DfE, ONS and Ofsted files (see national/README.txt): not official statistics.
"""


def generate(out_dir: Path, seed: int = 2026) -> list[Path]:
    """Write the demonstration partnership under ``out_dir`` and return the files, sorted.

    Also writes synthetic national statistics for benchmarking into ``out_dir/national``
    (:func:`scrutiny.national.synthetic.write_synthetic_national`). The same ``seed`` gives
    byte-identical files on every call.
    """
    out_dir = Path(out_dir)
    written: list[Path] = []

    def put(relative: str, data: bytes) -> None:
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        write_if_changed(path, data)
        written.append(path)

    put("partnership.toml", _partnership_toml().encode("utf-8"))
    put("README.txt", README.format(faulty=FAULTY_RETURN, suspect=SUSPECT_RETURN).encode("utf-8"))
    for area in AREAS:
        for period, name, rows in _area_returns(area, seed):
            kind = name.split("_", 1)[0]
            if name.endswith(".xlsx"):
                put(f"returns/{period}/{name}", _xlsx(COLUMNS[kind], rows, sheet=kind))
            else:
                put(f"returns/{period}/{name}", _csv(COLUMNS[kind], rows))
    written += write_synthetic_national(out_dir / NATIONAL_DIR, seed=seed)
    return sorted(written)


def return_name(kind: str, area_code: str, period: Period | str, label: str = "") -> str:
    """The file name of a return: ``{kind}_{area}_{period}[_{label}].csv``."""
    suffix = f"_{label}" if label else ""
    return f"{kind}_{area_code}_{period}{suffix}.csv"


# --- one area ------------------------------------------------------------------------------


def _area_returns(area: DemoArea, seed: int) -> list[tuple[Period, str, list[list[str]]]]:
    """Every return of one area: (period, file name, rows)."""
    files = _indicator_returns(area, seed)
    reviews = _reviews(area, seed)
    audits = _audits(area, seed)
    section11 = _section11(area, seed)
    actions = _actions(area, seed, reviews, audits, section11)
    training = _training(area, seed)
    voice = _voice(area, seed)
    for quarter in QUARTERS:
        quarterly = {
            "reviews": [r for r in reviews if Period.quarter_of(_day(r[3])) == quarter],
            "actions": _action_snapshot(area, actions, quarter),
            "training": training[quarter],
            "audits": [r for r in audits if Period.quarter_of(_day(r[3])) == quarter],
            "voice": voice[quarter],
        }
        files += [(quarter, return_name(kind, area.code, quarter), rows)
                  for kind, rows in quarterly.items()]
    for year, rows in section11.items():
        name = return_name("section11", area.code, year)
        if area.code == "E06000066" and year == LAST_PERIOD.year:
            name = name.removesuffix(".csv") + ".xlsx"
        files.append((year, name, rows))
    return files


# --- indicators ----------------------------------------------------------------------------


def _indicator_values(area: DemoArea, seed: int) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """Monthly (numerator, denominator) series of every indicator for one area."""
    rng = _rng(seed, "indicators", area.code)
    p = area.profile
    n = len(MONTHS)
    years = np.arange(n) / 12
    calendar = np.array([int(month[5:]) for month in MONTHS]) - 1
    kids = area.children_0_17 / 10_000

    def wobble(sd: float, phi: float) -> np.ndarray:
        shocks = rng.normal(0.0, sd, n)
        level = np.zeros(n)
        for i in range(n):
            level[i] = (phi * level[i - 1] if i else 0.0) + shocks[i]
        return np.exp(level)

    def flow(per_10k: float, season: str | None = None, extra: np.ndarray | float = 1.0):
        shape = SEASONS[season][calendar] if season else 1.0
        mean = per_10k * kids / 12 * (1 + p["trend"]) ** years * shape * extra
        return rng.poisson(mean * wobble(0.04, 0.5))

    def stock(per_10k: float, sd: float, growth: float = 0.0) -> np.ndarray:
        return np.rint(per_10k * kids * (1 + growth) ** years * wobble(sd, 0.85)).astype(int)

    def part(whole: np.ndarray, share: np.ndarray | float) -> np.ndarray:
        return rng.binomial(whole, np.clip(share, 0.0, 1.0))

    def at_least_one(values: np.ndarray) -> np.ndarray:
        return np.maximum(values, 1)

    def from_month(key: str) -> np.ndarray:
        """0 before the pattern's first month, then 1, 2, 3, ..."""
        start = MONTHS.index(area.patterns[key][0])
        return np.maximum(np.arange(n) - start + 1, 0)

    rereferral = np.full(n, p["rereferral"])
    if "rereferral_rise" in area.patterns:
        rise = area.patterns["rereferral_rise"][1]
        rereferral = rereferral + from_month("rereferral_rise") * rise
    assessments = np.full(n, p["assessments"])
    if "assessment_step" in area.patterns:
        assessments = np.where(
            from_month("assessment_step") > 0, area.patterns["assessment_step"][1], assessments
        )
    spike = np.ones(n)
    if "missing_spike" in area.patterns:
        spike = np.where(from_month("missing_spike") == 1, area.patterns["missing_spike"][1], 1.0)

    values: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
    values["early_help_started"] = (flow(p["early_help"], "school"), None)
    referrals = at_least_one(flow(p["referrals"], "school"))
    values["referrals"] = (referrals, None)
    values["rereferrals"] = (part(referrals, rereferral), referrals)
    completed = at_least_one(part(referrals, 0.82))
    values["assessments_45wd"] = (part(completed, assessments), completed)
    s47 = flow(p["s47"], "school")
    values["s47_enquiries"] = (s47, None)
    conferences = at_least_one(part(s47, p["icpc_share"]))
    values["icpc_15wd"] = (part(conferences, p["icpc_15wd"]), conferences)
    values["cpp"] = (stock(p["cpp"], 0.03), None)
    plans = at_least_one(part(conferences, 0.86))
    values["cpp_subsequent"] = (part(plans, p["cpp_subsequent"]), plans)
    values["cla"] = (stock(p["cla"], 0.015, 0.01), None)
    values["out_of_hours_placements"] = (
        np.minimum(rng.poisson(p["out_of_hours"] * wobble(0.1, 0.5)), 8), None
    )
    missing = at_least_one(flow(p["missing"], "summer", spike))
    values["missing_episodes"] = (missing, None)
    values["rhi_offered_72h"] = (part(missing, p["rhi"] / np.sqrt(spike)), missing)
    values["exploitation_referrals"] = (flow(p["exploitation"]), None)
    values["da_notifications"] = (flow(p["da"], "domestic_abuse"), None)
    values["cme"] = (stock(p["cme"], 0.06), None)
    values["ehe"] = (stock(p["ehe"], 0.012, 0.06), None)
    values["lado_referrals"] = (flow(p["lado"]), None)
    entering_care = at_least_one(flow(p["cla_starts"]))
    values["health_assessments_20wd"] = (part(entering_care, p["health"]), entering_care)
    care_leavers = stock(p["cla"] * 0.4, 0.015)
    values["care_leavers_eet"] = (part(care_leavers, p["eet"]), care_leavers)
    return values


def _indicator_returns(area: DemoArea, seed: int) -> list[tuple[Period, str, list[list[str]]]]:
    values = _indicator_values(area, seed)
    files = []
    for quarter in QUARTERS:
        for label in sorted(set(INDICATOR_FILES.values())):
            rows = []
            for month in quarter.months:
                i = MONTHS.index(month)
                for indicator_id in sorted(INDICATORS):
                    unit, agency = INDICATORS[indicator_id]
                    if INDICATOR_FILES[agency] != label:
                        continue
                    numerator, denominator = values[indicator_id]
                    rows.append([
                        area.code, month, indicator_id, str(int(numerator[i])),
                        "" if denominator is None else str(int(denominator[i])), agency,
                    ])
            files.append((quarter, return_name("indicators", area.code, quarter, label[1:]), rows))
    return files


# --- serious incident notifications and reviews ---------------------------------------------


def _reviews(area: DemoArea, seed: int) -> list[list[str]]:
    """Every notification of the 36 months, each with its eventual outcome (as known at the end)."""
    rng = _rng(seed, "reviews", area.code)
    records = []
    per_quarter = []
    for _ in YEARS:  # at least two a year, spread at random over the quarters
        count = max(2, int(rng.poisson(area.profile["notifications"])))
        per_quarter += [int(k) for k in rng.multinomial(count, [0.25] * 4)]
    for quarter, count in zip(QUARTERS, per_quarter, strict=True):
        days = _weekdays(quarter.start, quarter.end)
        for _ in range(count):
            notified = days[int(rng.integers(len(days)))]
            late_notice, late_review = rng.random(2) < (0.12, 0.15)
            lag = int(rng.integers(6, 16) if late_notice else rng.integers(0, 5))
            review_days = int(rng.integers(16, 31) if late_review else rng.integers(6, 16))
            decision = str(rng.choice(DECISIONS[:4], p=[0.25, 0.45, 0.05, 0.25]))
            agreed = bool(rng.random() < 0.9)
            to_publish = int(rng.integers(150, 276))
            count = int(rng.choice([1, 2, 3], p=[0.35, 0.45, 0.2]))
            weights = np.array([3, 2, 1, 3, 2, 1, 2, 1], dtype=float)
            themes = sorted(str(t) for t in rng.choice(
                THEMES, size=count, replace=False, p=weights / weights.sum()))

            known = _add_workdays(notified, -lag)
            rapid = _add_workdays(notified, review_days)
            published = ""
            if rapid > _END:
                rapid_text, decision, panel = "", "pending", ""
            else:
                rapid_text = rapid.isoformat()
                panel = "pending" if (_END - rapid).days < 28 else ("yes" if agreed else "no")
                if decision == "lcspr" and rapid + timedelta(to_publish) <= _END:
                    published = _weekday_on_or_before(rapid + timedelta(to_publish)).isoformat()
            records.append([
                notified, known.isoformat(), notified.isoformat(), rapid_text, decision, panel,
                published, ";".join(themes),
            ])
    records.sort(key=lambda r: (r[0], r[1]))
    rows, sequence = [], {}
    for notified, *rest in records:
        sequence[notified.year] = sequence.get(notified.year, 0) + 1
        ref = f"{area.short}-{notified.year}-{sequence[notified.year]:02d}"
        rows.append([ref, area.code, *rest])
    return rows


# --- multi-agency case audits ---------------------------------------------------------------


def _audits(area: DemoArea, seed: int) -> list[list[str]]:
    rng = _rng(seed, "audits", area.code)
    records = []
    for q_index, quarter in enumerate(QUARTERS):
        days = _weekdays(quarter.start, quarter.end)
        for _ in range(1 + int(rng.binomial(2, 0.5))):
            completed = days[int(rng.integers(len(days)))]
            theme = str(rng.choice(THEMES))
            cases = int(rng.integers(4, 13))
            good = min(area.profile["audit_good"] + 0.01 * q_index, 0.7)
            shares = np.array([0.08, good, 0.84 - good, 0.08])
            grades = rng.multinomial(cases, shares / shares.sum())
            records.append((completed, theme, cases, *(int(g) for g in grades)))
    records.sort()
    return [
        [f"{area.short}-MACA-{i:03d}", area.code, theme, completed.isoformat(),
         *(str(v) for v in numbers)]
        for i, (completed, theme, *numbers) in enumerate(records, start=1)
    ]


# --- section 11 self-assessments ------------------------------------------------------------


def _section11(area: DemoArea, seed: int) -> dict[Period, list[list[str]]]:
    rng = _rng(seed, "section11", area.code)
    ratings = {}
    for agency in sorted(area.organisations):
        for standard in S11_STANDARDS:
            draws = rng.random(len(YEARS) + 1)
            level = int(np.searchsorted([0.55, 0.93], draws[0], side="right"))  # 0 fully met
            history = []
            for year_draw in draws[1:]:
                history.append(level)
                if level and year_draw < 0.45:
                    level -= 1
                elif not level and year_draw > 0.94:
                    level = 1
            ratings[agency, standard] = history
    return {
        year: [
            [agency, area.code, year.label, standard, S11_RATINGS[history[y]]]
            for (agency, standard), history in ratings.items()
        ]
        for y, year in enumerate(YEARS)
    }


# --- the action tracker ---------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class _Action:
    raised: date
    source: str
    step: str
    theme: str
    owner: str
    due: date
    started: date | None
    completed: date | None


_OWNERS = {"Council": "local_authority", "Constabulary": "police", "NHS": "health",
           "Sirona": "health", "HCRG": "health", "Trust": "health"}


def _actions(
    area: DemoArea,
    seed: int,
    reviews: list[list[str]],
    audits: list[list[str]],
    section11: dict[Period, list[list[str]]],
) -> list[tuple[str, _Action]]:
    """Every action raised in the 36 months, with its life story, numbered by date raised."""
    rng = _rng(seed, "actions", area.code)
    raw: list[tuple[date, str, str, str, str]] = []

    def owner() -> str:
        return str(rng.choice(AGENCIES, p=[0.35, 0.15, 0.25, 0.1, 0.15]))

    for review in reviews:  # learning from local reviews and smaller learning reviews
        if review[7] or (review[5] == "other_learning" and review[4]):
            start = _day(review[7]) if review[7] else _day(review[4]) + timedelta(weeks=13)
            for _ in range(int(rng.integers(3, 6) if review[7] else rng.integers(1, 3))):
                raised = _add_workdays(start, int(rng.integers(0, 10)))
                theme = str(rng.choice(review[8].split(";")))
                step = str(rng.choice(["learning", "help_and_protection", "workforce"]))
                raw.append((raised, "cspr", step, theme, owner()))
    for audit in audits:  # audits with cases graded inadequate or mostly requiring improvement
        cases, inadequate, ri = int(audit[4]), int(audit[8]), int(audit[7])
        if inadequate or 2 * ri > cases:
            for _ in range(1 + int(inadequate > 1)):
                raised = _add_workdays(_day(audit[3]), int(rng.integers(1, 10)))
                raw.append((raised, "audit", "assurance", audit[2], owner()))
    for year, rows in section11.items():  # an improvement plan for agencies falling short
        shortfalls: dict[str, list[str]] = {}
        for agency, *_, rating in rows:
            shortfalls.setdefault(agency, []).append(rating)
        for agency, ratings in shortfalls.items():
            if "not_met" in ratings or (ratings.count("partially_met") >= 3 and rng.random() < 0.5):
                raised = _add_workdays(date(year.start_year, 12, 1), int(rng.integers(0, 10)))
                agency_type = next((v for k, v in _OWNERS.items() if k in agency), "business_unit")
                raw.append((raised, "section11", "leadership", "partnership", agency_type))
    inspected = QUARTERS[int(rng.integers(2, 10))]  # one joint inspection in the period
    inspection_day = _weekdays(inspected.start, inspected.end)[20]
    for _ in range(int(rng.integers(3, 7))):
        step = str(rng.choice(["leadership", "help_and_protection"]))
        raw.append((inspection_day, "inspection", step, str(rng.choice(THEMES)), owner()))
    for quarter in QUARTERS:  # the scrutineer's own recommendations
        days = _weekdays(quarter.start, quarter.end)
        for _ in range(int(rng.poisson(area.profile["actions"]))):
            step = str(rng.choice(["leadership", "voice", "workforce", "assurance",
                                   "help_and_protection"]))
            raw.append((days[int(rng.integers(len(days)))], "scrutiny", step,
                        str(rng.choice(THEMES)), str(rng.choice(AGENCIES))))

    actions = []
    for raised, source, step, theme, agency in sorted(raw):
        weeks = int(rng.choice([8, 12, 13, 17, 26, 39]))
        due = _weekday_on_or_before(raised + timedelta(weeks=weeks))
        start_after, finish, draws = int(rng.integers(5, 45)), rng.uniform(0.5, 1.4), rng.random(2)
        started = raised + timedelta(start_after) if draws[0] < 0.92 else None
        completed = None
        if started is not None and draws[1] < 0.78:
            completed = max(started, raised + timedelta(int((due - raised).days * finish)))
        actions.append(_Action(raised, source, step, theme, agency, due, started, completed))
    return [(f"{area.short}-A{i:03d}", action) for i, action in enumerate(actions, start=1)]


def _action_snapshot(
    area: DemoArea, actions: list[tuple[str, _Action]], quarter: Period
) -> list[list[str]]:
    """The action tracker as it stood at the end of ``quarter``."""
    end = quarter.end
    rows = []
    for ref, a in actions:
        if a.raised > end:
            continue
        if a.completed is not None and a.completed <= end:
            status, completed = "completed", a.completed.isoformat()
        elif a.started is not None and a.started <= end:
            status, completed = "in_progress", ""
        else:
            status, completed = "open", ""
        rows.append([ref, area.code, a.source, a.step, a.theme, a.owner, a.raised.isoformat(),
                     a.due.isoformat(), status, completed])
    return rows


# --- multi-agency training ------------------------------------------------------------------


def _training(area: DemoArea, seed: int) -> dict[Period, list[list[str]]]:
    rng = _rng(seed, "training", area.code)
    returns = {}
    for quarter in QUARTERS:
        rows = []
        for month in quarter.months:
            count = min(max(2, int(rng.poisson(area.profile["courses"]))), len(COURSES))
            for c in sorted(rng.choice(len(COURSES), size=count, replace=False)):
                course, theme = COURSES[int(c)]
                delivery = str(rng.choice(DELIVERIES, p=[0.45, 0.4, 0.15]))
                low, high = {"face_to_face": (12, 31), "virtual": (20, 51),
                             "e_learning": (40, 121)}[delivery]
                places = int(rng.integers(low, high))
                attended = int(rng.binomial(places, rng.uniform(0.65, 0.97)))
                evaluations = int(rng.binomial(attended, rng.uniform(0.5, 0.85)))
                met_needs = int(rng.binomial(evaluations, rng.uniform(0.8, 0.97)))
                rows.append([area.code, month, course, theme, delivery, str(places),
                             str(attended), str(evaluations), str(met_needs)])
        if return_name("training", area.code, quarter) == FAULTY_RETURN:
            rows = _with_faults(rows)
        returns[quarter] = sorted(rows, key=lambda r: (r[1], r[2], r[4]))
    return returns


def _with_faults(rows: list[list[str]]) -> list[list[str]]:
    """The five deliberate faults of :data:`FAULTY_RETURN`, each on its own row."""
    rows = [list(row) for row in rows]
    rows[0][6] = str(int(rows[0][5]) + 3)  # attended > places
    rows[1][7], rows[1][8] = "-3", "0"  # a negative number of evaluations
    rows[2][1] = "2025-12"  # a month outside the quarter
    rows[3][3] = "safeguarding"  # not a theme of the framework
    rows.append(list(rows[4]))  # an exact duplicate row
    return rows


# --- voice of children and families ---------------------------------------------------------


def _voice(area: DemoArea, seed: int) -> dict[Period, list[list[str]]]:
    rng = _rng(seed, "voice", area.code)
    participants = {"survey": (25, 321), "focus_group": (4, 15), "participation_group": (6, 21),
                    "consultation": (15, 151), "advocacy": (1, 11), "other": (5, 41)}
    returns = {}
    for quarter in QUARTERS:
        rows: dict[tuple[str, str, str], list[str]] = {}
        wanted = min(2 + int(rng.poisson(area.profile["voice"])), 6)
        while len(rows) < wanted:
            month = str(rng.choice(quarter.months))
            method = str(rng.choice(VOICE_METHODS, p=[0.25, 0.25, 0.2, 0.1, 0.1, 0.1]))
            theme = str(rng.choice(THEMES))
            heard = str(rng.choice(WHAT_WE_HEARD[theme]))
            changed = str(rng.choice(WHAT_CHANGED[theme])) if rng.random() < 0.6 else ""
            low, high = participants[method]
            rows.setdefault((month, method, theme), [
                area.code, month, method, str(int(rng.integers(low, high))), theme, heard, changed,
            ])
        ordered = [rows[key] for key in sorted(rows)]
        if return_name("voice", area.code, quarter) == SUSPECT_RETURN:
            ordered[0][5] = SUSPECT_TEXT
        returns[quarter] = ordered
    return returns


# --- writing --------------------------------------------------------------------------------


def _partnership_toml() -> str:
    lines = [
        "# A synthetic demonstration partnership written by scrutiny.demo:",
        "# real area names, codes and populations; every other figure is invented.",
        f'name = "{PARTNERSHIP_NAME}"',
        "synthetic = true",
        f'region_code = "{REGION_CODE}"',
        f'region_name = "{REGION_NAME}"',
    ]
    for area in AREAS:
        lines += [
            "",
            "[[areas]]",
            f'code = "{area.code}"',
            f'name = "{area.name}"',
            f"old_la_code = {area.old_la_code}",
            f"children_0_17 = {area.children_0_17}",
        ]
    return "\n".join(lines) + "\n"


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _xlsx(header: Sequence[str], rows: Iterable[Sequence[str]], sheet: str) -> bytes:
    """An XLSX workbook of text cells whose bytes depend only on its content."""
    from openpyxl import Workbook

    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    worksheet.append(list(header))
    for row in rows:
        worksheet.append([str(value) for value in row])
    workbook.properties.creator = XLSX_CREATOR
    workbook.properties.created = XLSX_TIMESTAMP
    workbook.properties.modified = XLSX_TIMESTAMP
    buffer = io.BytesIO()
    workbook.save(buffer)  # openpyxl stamps `modified` and the zip entries with the time now
    stamp = XLSX_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    fixed = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(fixed, "w") as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp + rb"\g<2>", data)
            info = zipfile.ZipInfo(entry.filename, date_time=XLSX_TIMESTAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, data)
    return fixed.getvalue()


# --- helpers --------------------------------------------------------------------------------


def _rng(seed: int, *names: str) -> np.random.Generator:
    """A generator for one part of the demo, independent of the order parts are made in."""
    return np.random.default_rng([seed, *(zlib.crc32(name.encode()) for name in names)])


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _weekdays(start: date, end: date) -> list[date]:
    days = (start + timedelta(i) for i in range((end - start).days + 1))
    return [day for day in days if day.weekday() < 5]


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(1)
    return day


def _add_workdays(day: date, count: int) -> date:
    """``count`` working days (Monday to Friday) after ``day``, or before it if negative."""
    step = timedelta(1 if count >= 0 else -1)
    for _ in range(abs(count)):
        day += step
        while day.weekday() >= 5:
            day += step
    return day


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m scrutiny.demo OUT_DIR", file=sys.stderr)
        return 2
    files = generate(Path(args[0]))
    print(f"wrote {len(files)} files of synthetic demonstration returns under {args[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
