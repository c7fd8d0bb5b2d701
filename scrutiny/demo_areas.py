"""The demonstration partnership's five areas, shared by its returns and its national files.

The five Avon and Somerset local authorities appear with their real names, ONS codes, DfE
old_la_codes and (rounded) ONS mid-2024 populations of children aged 0-17; their profiles are
invented. :mod:`scrutiny.demo` writes their returns from these profiles and
:mod:`scrutiny.national.synthetic` their national statistics, so that both tell the same story.
"""

from __future__ import annotations

from dataclasses import dataclass, field

REGION_CODE = "E12000009"
REGION_NAME = "South West"

_POLICE = "Avon and Somerset Constabulary"
_AMBULANCE = "South Western Ambulance Service NHS Foundation Trust"
_PROBATION = "Probation Service South West"
_BNSSG_ICB = "NHS Bristol, North Somerset and South Gloucestershire ICB"
_AVON_FIRE = "Avon Fire and Rescue Service"


@dataclass(frozen=True)
class DemoArea:
    """One local authority of the demonstration partnership and its invented profile."""

    code: str
    name: str
    old_la_code: int
    children_0_17: int  # ONS mid-2024 estimate, rounded to the nearest 100
    short: str  # used in review, action and audit references
    organisations: tuple[str, ...]  # agencies completing section 11 self-assessments
    profile: dict[str, float] = field(default_factory=dict, hash=False, compare=False)
    patterns: dict[str, tuple[str, float]] = field(default_factory=dict, hash=False, compare=False)


# Profiles: flows are annual rates per 10,000 children aged 0-17, stocks are per 10,000 at month
# end, proportions are fractions; `trend` is the yearly drift of flows.
AREAS: tuple[DemoArea, ...] = (
    DemoArea(
        "E06000022", "Bath and North East Somerset", 800, 36_600, "BNES",
        (
            "Bath and North East Somerset Council",
            "NHS Bath and North East Somerset, Swindon and Wiltshire ICB",
            "Royal United Hospitals Bath NHS Foundation Trust",
            "HCRG Care Group",
            _POLICE, _AMBULANCE, _PROBATION, _AVON_FIRE,
        ),
        {
            "trend": 0.02, "early_help": 420, "referrals": 255, "rereferral": 0.16,
            "assessments": 0.90, "s47": 130, "icpc_share": 0.35, "icpc_15wd": 0.88,
            "cpp": 33, "cpp_subsequent": 0.22, "cla": 60, "out_of_hours": 0.8,
            "missing": 170, "rhi": 0.78, "exploitation": 14, "da": 360, "cme": 16, "ehe": 120,
            "lado": 15, "cla_starts": 21, "health": 0.62, "eet": 0.58, "notifications": 2.5,
            "courses": 2.5, "voice": 1.0, "actions": 1.0, "audit_good": 0.50,
        },
    ),
    DemoArea(
        "E06000023", "Bristol, City of", 801, 92_700, "BRIS",
        (
            "Bristol City Council",
            _BNSSG_ICB,
            "University Hospitals Bristol and Weston NHS Foundation Trust",
            "North Bristol NHS Trust",
            "Sirona care & health",
            "Avon and Wiltshire Mental Health Partnership NHS Trust",
            _POLICE, _AMBULANCE, _PROBATION, _AVON_FIRE,
        ),
        {
            "trend": 0.01, "early_help": 640, "referrals": 455, "rereferral": 0.205,
            "assessments": 0.80, "s47": 150, "icpc_share": 0.36, "icpc_15wd": 0.76,
            "cpp": 46, "cpp_subsequent": 0.25, "cla": 71, "out_of_hours": 3.0,
            "missing": 240, "rhi": 0.62, "exploitation": 22, "da": 600, "cme": 30, "ehe": 95,
            "lado": 12, "cla_starts": 29, "health": 0.48, "eet": 0.49, "notifications": 6.0,
            "courses": 4.0, "voice": 2.0, "actions": 1.8, "audit_good": 0.40,
        },
        {"rereferral_rise": ("2025-08", 0.012)},
    ),
    DemoArea(
        "E06000024", "North Somerset", 802, 44_400, "NSOM",
        (
            "North Somerset Council",
            _BNSSG_ICB,
            "University Hospitals Bristol and Weston NHS Foundation Trust",
            "Sirona care & health",
            _POLICE, _AMBULANCE, _PROBATION, _AVON_FIRE,
        ),
        {
            "trend": -0.01, "early_help": 480, "referrals": 265, "rereferral": 0.155,
            "assessments": 0.85, "s47": 125, "icpc_share": 0.37, "icpc_15wd": 0.86,
            "cpp": 40, "cpp_subsequent": 0.21, "cla": 63, "out_of_hours": 1.2,
            "missing": 190, "rhi": 0.70, "exploitation": 16, "da": 400, "cme": 18, "ehe": 115,
            "lado": 10, "cla_starts": 24, "health": 0.72, "eet": 0.55, "notifications": 3.0,
            "courses": 3.0, "voice": 1.0, "actions": 1.2, "audit_good": 0.48,
        },
        {"missing_spike": ("2026-01", 3.0)},
    ),
    DemoArea(
        "E06000025", "South Gloucestershire", 803, 62_800, "SGLO",
        (
            "South Gloucestershire Council",
            _BNSSG_ICB,
            "North Bristol NHS Trust",
            "Sirona care & health",
            _POLICE, _AMBULANCE, _PROBATION, _AVON_FIRE,
        ),
        {
            "trend": 0.02, "early_help": 520, "referrals": 405, "rereferral": 0.17,
            "assessments": 0.91, "s47": 185, "icpc_share": 0.34, "icpc_15wd": 0.80,
            "cpp": 36, "cpp_subsequent": 0.22, "cla": 47, "out_of_hours": 1.6,
            "missing": 150, "rhi": 0.84, "exploitation": 11, "da": 380, "cme": 14, "ehe": 98,
            "lado": 14, "cla_starts": 20, "health": 0.80, "eet": 0.60, "notifications": 4.0,
            "courses": 3.0, "voice": 1.5, "actions": 1.4, "audit_good": 0.55,
        },
    ),
    DemoArea(
        "E06000066", "Somerset", 933, 113_000, "SOM",
        (
            "Somerset Council",
            "NHS Somerset ICB",
            "Somerset NHS Foundation Trust",
            _POLICE, _AMBULANCE, _PROBATION,
            "Devon and Somerset Fire and Rescue Service",
        ),
        {
            "trend": -0.02, "early_help": 700, "referrals": 490, "rereferral": 0.215,
            "assessments": 0.77, "s47": 125, "icpc_share": 0.34, "icpc_15wd": 0.90,
            "cpp": 32, "cpp_subsequent": 0.24, "cla": 55, "out_of_hours": 2.6,
            "missing": 200, "rhi": 0.66, "exploitation": 15, "da": 520, "cme": 22, "ehe": 125,
            "lado": 11, "cla_starts": 23, "health": 0.58, "eet": 0.52, "notifications": 7.0,
            "courses": 4.0, "voice": 2.0, "actions": 1.8, "audit_good": 0.42,
        },
        {"assessment_step": ("2024-10", 0.90)},
    ),
)
