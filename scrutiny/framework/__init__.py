"""The scrutiny framework as data: six steps, priority themes and the indicator catalogue."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

UNITS = ("count", "percent", "rate_per_10k")
POLARITIES = ("higher_is_better", "lower_is_better", "context")
AGGREGATIONS = ("flow", "stock")


class FrameworkError(ValueError):
    """An inconsistent framework or catalogue file."""


@dataclass(frozen=True)
class Step:
    id: str
    number: int
    title: str
    question: str
    evidence: str


@dataclass(frozen=True)
class Theme:
    id: str
    title: str


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    definition: str
    unit: str
    polarity: str
    step: str
    themes: tuple[str, ...]
    source: str
    aggregation: str
    agency: str = ""
    national_id: str = ""

    @property
    def is_percent(self) -> bool:
        return self.unit == "percent"


@dataclass(frozen=True)
class Framework:
    steps: tuple[Step, ...]
    themes: tuple[Theme, ...]
    indicators: tuple[Indicator, ...]

    def step(self, step_id: str) -> Step:
        return _find(self.steps, step_id, "step")

    def theme(self, theme_id: str) -> Theme:
        return _find(self.themes, theme_id, "theme")

    def indicator(self, indicator_id: str) -> Indicator:
        return _find(self.indicators, indicator_id, "indicator")

    def indicators_for(self, *, step: str | None = None, source: str | None = None,
                       theme: str | None = None) -> list[Indicator]:
        return [
            ind for ind in self.indicators
            if (step is None or ind.step == step)
            and (source is None or ind.source == source)
            and (theme is None or theme in ind.themes)
        ]

    @property
    def theme_ids(self) -> list[str]:
        return [theme.id for theme in self.themes]


def _find(items, item_id: str, kind: str):
    for item in items:
        if item.id == item_id:
            return item
    raise FrameworkError(f"unknown {kind} {item_id!r}")


def _read(path: Path | None, default: str) -> dict:
    text = (
        Path(path).read_text(encoding="utf-8") if path
        else resources.files(__package__).joinpath(default).read_text(encoding="utf-8")
    )
    return tomllib.loads(text)


@cache
def load_framework(framework_file: Path | None = None,
                   catalogue_file: Path | None = None) -> Framework:
    """The default framework and catalogue, or a partnership's own files."""
    raw = _read(framework_file, "framework.toml")
    steps = tuple(Step(**item) for item in raw["steps"])
    themes = tuple(Theme(**item) for item in raw["themes"])
    catalogue = _read(catalogue_file, "indicators.toml")
    indicators = tuple(
        Indicator(**{**item, "themes": tuple(item.get("themes", ()))})
        for item in catalogue["indicators"]
    )
    framework = Framework(steps, themes, indicators)
    _check(framework)
    return framework


def _check(framework: Framework) -> None:
    step_ids = {step.id for step in framework.steps}
    theme_ids = set(framework.theme_ids)
    seen: set[str] = set()
    for ind in framework.indicators:
        problems = [
            f"{field} {value!r}"
            for field, value, allowed in (
                ("unit", ind.unit, UNITS),
                ("polarity", ind.polarity, POLARITIES),
                ("aggregation", ind.aggregation, AGGREGATIONS),
                ("step", ind.step, step_ids),
            )
            if value not in allowed
        ]
        problems += [f"theme {theme!r}" for theme in ind.themes if theme not in theme_ids]
        if problems:
            raise FrameworkError(f"indicator {ind.id!r} has an unknown {', '.join(problems)}")
        if ind.id in seen:
            raise FrameworkError(f"indicator {ind.id!r} is defined twice")
        seen.add(ind.id)
