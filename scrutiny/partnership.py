"""The partnership a run is for: its areas, region and whether its data are synthetic.

Read from ``partnership.toml`` at the top of a data folder (see the README for the format).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

CONFIG_FILE = "partnership.toml"


class PartnershipError(ValueError):
    """A missing or malformed partnership.toml."""


@dataclass(frozen=True)
class Area:
    code: str  # ONS 9-character code, e.g. E06000022
    name: str
    old_la_code: int | None  # DfE's stable 3-digit code, used to join national statistics
    children_0_17: int  # population used for rates per 10,000 children


@dataclass(frozen=True)
class Partnership:
    name: str
    areas: tuple[Area, ...]
    region_code: str = ""
    region_name: str = ""
    synthetic: bool = False

    @property
    def area_codes(self) -> list[str]:
        return [area.code for area in self.areas]

    def area(self, code: str) -> Area:
        for area in self.areas:
            if area.code == code:
                return area
        raise PartnershipError(
            f"{code!r} is not an area of {self.name}; its areas are {', '.join(self.area_codes)}"
        )

    @property
    def children_0_17(self) -> int:
        return sum(area.children_0_17 for area in self.areas)


_ONS_CODE = re.compile(r"^[EWSN]\d{8}$")


def load_partnership(data_dir: Path) -> Partnership:
    """The partnership in ``data_dir/partnership.toml``, checked; PartnershipError says what
    is wrong in one sentence."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise PartnershipError(f"the data folder {data_dir} does not exist")
    path = data_dir / CONFIG_FILE
    if not path.is_file():
        raise PartnershipError(
            f"{path} not found: a data folder needs a {CONFIG_FILE} naming the partnership and "
            "its areas (run `scrutiny templates DIR` for an example)"
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise PartnershipError(f"{path} is not UTF-8 text: save it as UTF-8") from error
    except tomllib.TOMLDecodeError as error:
        raise PartnershipError(f"{path} is not valid TOML: {error}") from error
    try:
        areas = tuple(
            Area(
                code=str(item["code"]).strip(),
                name=str(item["name"]).strip(),
                old_la_code=int(item["old_la_code"]) if "old_la_code" in item else None,
                children_0_17=int(item["children_0_17"]),
            )
            for item in raw["areas"]
        )
        partnership = Partnership(
            name=str(raw["name"]).strip(),
            areas=areas,
            region_code=str(raw.get("region_code", "")),
            region_name=str(raw.get("region_name", "")),
            synthetic=bool(raw.get("synthetic", False)),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise PartnershipError(
            f"{path}: every partnership needs a name and [[areas]] with code, name and "
            f"children_0_17 ({type(error).__name__}: {error})"
        ) from error
    problem = _problem_with(partnership)
    if problem:
        raise PartnershipError(f"{path}: {problem}")
    return partnership


def _problem_with(partnership: Partnership) -> str:
    if not partnership.name:
        return "the partnership's name is blank"
    if not partnership.areas:
        return "it lists no [[areas]]"
    codes = [area.code for area in partnership.areas]
    bad = [code for code in codes if not _ONS_CODE.match(code)]
    if bad:
        return (f"{', '.join(repr(code) for code in bad)} is not a 9-character ONS area code "
                "such as E06000022")
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        return f"area {', '.join(repeated)} is listed more than once"
    for area in partnership.areas:
        if not area.name:
            return f"area {area.code} has no name"
        if area.children_0_17 <= 0:
            return f"area {area.code}'s children_0_17 must be a positive number of children"
    return ""
