"""Area identity in the national files: geographic levels, area codes, reorganisations.

Local authorities are identified by DfE's three-digit `old_la_code`, which survives changes of
ONS code (Somerset: E10000027 until March 2023, E06000066 after, used inconsistently across
files). Regions keep their ONS region code and England its country code.
"""

from __future__ import annotations

import re

ENGLAND_CODE = "E92000001"

# EES `geographic_level` values and the names used in the long table.
LEVELS: dict[str, str] = {
    "National": "england",
    "Regional": "region",
    "Local authority": "local_authority",
}
LEVEL_ORDER = ("england", "region", "local_authority")

# Structural changes since 2013, in years ending 31 March (first, last year the LA existed).
# EES files for 2021+ keep rows for authorities that did not exist that year, filled with `z`
# or `x`; these lifetimes let the loader recognise such placeholders instead of guessing.
LA_LIFETIMES: dict[str, tuple[int | None, int | None]] = {
    "835": (None, 2019),  # Dorset (county), Bournemouth and Poole became 838 and 839 in 2019
    "836": (None, 2019),
    "837": (None, 2019),
    "838": (2020, None),  # Dorset (unitary)
    "839": (2020, None),  # Bournemouth, Christchurch and Poole
    "928": (None, 2021),  # Northamptonshire, split into 940 and 941 in 2021
    "940": (2022, None),
    "941": (2022, None),
    "909": (None, 2023),  # Cumbria, split into 942 and 943 in 2023
    "942": (2024, None),
    "943": (2024, None),
}


def la_existed(old_la_code: str, year: int) -> bool:
    """Whether a local authority existed in the year ending 31 March `year`."""
    first, last = LA_LIFETIMES.get(old_la_code, (None, None))
    return (first is None or year >= first) and (last is None or year <= last)


def normalise_la_name(name: str) -> str:
    """A spelling-insensitive key for an LA name (Ofsted writes "Bristol", "Telford & Wrekin",
    "St Helens" and "Durham" where DfE writes "Bristol, City of", "Telford and Wrekin",
    "St. Helens" and "County Durham")."""
    key = name.strip().lower().replace("&", " and ")
    key = re.sub(r",\s*(city|county) of$", "", key)
    key = re.sub(r"^county\s+", "", key)
    key = re.sub(r"[.,'’]", "", key)
    return re.sub(r"\s+", " ", key).strip()
