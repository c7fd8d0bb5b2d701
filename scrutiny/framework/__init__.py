"""The scrutiny framework as data: steps, priority themes, code lists and the indicator catalogue.

A partnership's own ``framework.toml`` and ``indicators.toml`` (beside its ``partnership.toml``,
or named with ``scrutiny run --framework FILE``) replace the defaults shipped here. Everything a
report shows under a step (its indicators, the returns it rests on, its evidence panels and
published statistics) is stated in these files; no code chooses anything by a step's id.
The texts are kept in the store with each run, so reports need only the store.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from scrutiny.layout import CATALOGUE_FILE, FRAMEWORK_FILE, MEASURES_DIR

UNITS = ("count", "percent", "rate_per_10k")
POLARITIES = ("higher_is_better", "lower_is_better", "context")
AGGREGATIONS = ("flow", "stock")
MONTHLY_SOURCE = "indicators"  # the return reported monthly as numerator and denominator
# Which rows of a return a measure sees: the latest snapshot, rows in the window by month or
# by a date column (any other value names that column), or every row up to the period.
ROW_SELECTIONS = ("snapshot", "month", "all")
WINDOWS = ("", "year")  # "" follows the report (quarter and 12 months); "year" always 12 months

# The evidence panels a step can show, with the options each takes (and their types).
PANEL_OPTIONS: dict[str, dict[str, type]] = {
    "monthly_trends": {},
    "section11_ratings": {},
    "action_status": {"title": str, "action_sources": list, "chart": bool},
    "review_decisions": {},
    "engagement": {},
    "training_by_theme": {},
    "action_tracker": {},
    "audit_grades": {},
    "little_progress": {},
    "funnels": {},
    "published_statistics": {"statistics": list, "ofsted": bool},
}
# What a yearly-report requirement can be evidenced by, with the options each takes.
YEARLY_EVIDENCE: dict[str, dict[str, type]] = {
    "outcomes": {"steps": list},  # the findings on these steps' indicators
    "little_progress": {},  # indicators and action sources worse and not improving
    "review_actions": {"action_sources": list},  # actions from these sources
    "feedback": {},  # what children and families said, and what changed
    "training": {},  # multi-agency training: reach, take-up and whether it met needs
}
FINDING_KINDS = ("worse", "concern", "different", "better")
# An indicator's words for the children's page (scrutiny.children): ``subject``, a clause with a
# plural subject ("children had their safety meeting on time"), and optionally the words that
# start a sentence about it in place of More, Fewer, Not enough, Too many and About as many.
FOR_CHILDREN_KEYS = ("subject", "more", "fewer", "not_enough", "too_many", "same")
# Code lists the reports label and order, and the contracts check returns against.
CODE_LISTS = ("section11_standard", "section11_rating", "action_source", "review_decision",
              "engagement_method", "audit_grade")


class FrameworkError(ValueError):
    """An inconsistent framework or catalogue file."""


@dataclass(frozen=True)
class Panel:
    kind: str
    options: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)


@dataclass(frozen=True)
class Step:
    id: str
    number: int  # its place in the framework, from 1
    title: str
    question: str
    evidence: str
    returns: tuple[str, ...] = ()  # the returns this step rests on
    panels: tuple[Panel, ...] = ()


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class YearlyRequirement:
    """Something Working Together asks a partnership's yearly report to evidence."""

    id: str
    title: str
    evidence: str  # a kind of YEARLY_EVIDENCE
    options: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)


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
    compute: str = ""  # the measure that computes it (not for the monthly return)
    rows: str = ""  # which rows of its return the measure sees (ROW_SELECTIONS or a column)
    window: str = ""
    options: Mapping[str, Any] = field(default_factory=dict, hash=False)
    question: str = ""  # what a finding on it asks the partners
    of: str = ""  # what a percentage's denominator counts, e.g. "referrals"
    target: float | None = None  # a level to meet, for SPC assurance (e.g. 100 for timescales)
    rebase: tuple[str, ...] = ()  # months a process changed: SPC limits start afresh there
    # words for the children's page (FOR_CHILDREN_KEYS); empty: no sentence for children
    for_children: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def is_percent(self) -> bool:
        return self.unit == "percent"

    @property
    def monthly(self) -> bool:
        return self.source == MONTHLY_SOURCE


@dataclass(frozen=True)
class Framework:
    steps: tuple[Step, ...]
    themes: tuple[Theme, ...]
    indicators: tuple[Indicator, ...]
    codes: Mapping[str, Mapping[str, str]] = field(default_factory=dict, hash=False)
    disclosure_threshold: int = 5
    spc_baseline: int | None = None  # months a control chart's limits come from (None: all)
    # questions for findings on statistics the catalogue does not describe, by kind of finding
    questions: Mapping[str, str] = field(default_factory=dict, hash=False)
    yearly_report: tuple[YearlyRequirement, ...] = ()
    # the texts it was read from: file name (measures/x.py for a measure module) -> text
    texts: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    # what messages call those files: the paths they were read from, so a message names the
    # file the user wrote (``--framework lscp-2026.toml``); a file not listed is its own name
    files: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)

    def file(self, name: str) -> str:
        return self.files.get(name, name)

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

    @property
    def returns(self) -> list[str]:
        """Every return some step rests on, in the framework's order."""
        return list(dict.fromkeys(source for step in self.steps for source in step.returns))

    def label(self, code_list: str, code: str) -> str:
        """The words for a code: its label in the framework, else the code made readable."""
        return self.codes.get(code_list, {}).get(code) or code.replace("_", " ").capitalize()

    def code_list(self, name: str) -> list[str]:
        return list(self.codes.get(name, {}))

    def contract_parameters(self) -> dict[str, list[str]]:
        """The code lists the return contracts take from the framework (``$PARAMETER``)."""
        return {
            "theme_ids": self.theme_ids,
            "step_ids": [step.id for step in self.steps],
            "indicator_ids": [ind.id for ind in self.indicators_for(source=MONTHLY_SOURCE)],
            **{f"{name}_codes": self.code_list(name) for name in CODE_LISTS},
        }

    def panels(self, kind: str) -> list[tuple[Step, Panel]]:
        return [(step, panel) for step in self.steps for panel in step.panels
                if panel.kind == kind]


def _find(items, item_id: str, kind: str):
    for item in items:
        if item.id == item_id:
            return item
    raise FrameworkError(f"unknown {kind} {item_id!r}")


# --- finding and reading the files -----------------------------------------------------------

def default_text(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def framework_files(data_dir: Path | None, framework_file: Path | None = None
                    ) -> dict[str, Path]:
    """The partnership's own framework files: ``--framework FILE`` (with an
    ``indicators.toml`` beside it), else those beside ``partnership.toml``. Missing ones fall
    back to the defaults."""
    if framework_file is not None:
        framework_file = Path(framework_file)
        if not framework_file.is_file():
            raise FrameworkError(f"--framework {framework_file}: no such file")
        folder, found = framework_file.parent, {FRAMEWORK_FILE: framework_file}
    elif data_dir is not None:
        folder, found = Path(data_dir), {}
        if (folder / FRAMEWORK_FILE).is_file():
            found[FRAMEWORK_FILE] = folder / FRAMEWORK_FILE
    else:
        return {}
    if (folder / CATALOGUE_FILE).is_file():
        found[CATALOGUE_FILE] = folder / CATALOGUE_FILE
    measures = folder / MEASURES_DIR
    if measures.is_dir():
        for path in sorted(measures.glob("*.py")):
            found[f"{MEASURES_DIR}/{path.name}"] = path
    return found


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise FrameworkError(f"{path} is not UTF-8 text: save it as UTF-8") from error


def load_framework(data_dir: Path | None = None, framework_file: Path | None = None
                   ) -> Framework:
    """The partnership's framework and catalogue (see :func:`framework_files`), checked."""
    paths = framework_files(data_dir, framework_file)
    return framework_from_texts({name: _read(path) for name, path in paths.items()},
                                {name: str(path) for name, path in paths.items()})


def framework_from_texts(texts: Mapping[str, str], files: Mapping[str, str] | None = None
                         ) -> Framework:
    """A framework from the texts of its files (as kept in the store); defaults fill gaps.
    ``files`` says what messages call each file (its path), where not its own name."""
    texts = {FRAMEWORK_FILE: default_text(FRAMEWORK_FILE),
             CATALOGUE_FILE: default_text(CATALOGUE_FILE), **texts}
    files = dict(files or {})
    fw = files.get(FRAMEWORK_FILE, FRAMEWORK_FILE)
    cat = files.get(CATALOGUE_FILE, CATALOGUE_FILE)
    raw = _parse(texts[FRAMEWORK_FILE], fw)
    catalogue = _parse(texts[CATALOGUE_FILE], cat)
    _keys(raw, {"steps", "themes", "codes", "disclosure", "spc", "findings", "yearly_report"},
          fw)
    _keys(catalogue, {"indicators"}, cat)
    framework = Framework(
        steps=tuple(_step(item, number, fw) for number, item in
                    enumerate(_tables(raw, "steps", fw), start=1)),
        themes=tuple(_theme(item, fw) for item in _tables(raw, "themes", fw)),
        indicators=tuple(_indicator(item, cat) for item in
                         _tables(catalogue, "indicators", cat)),
        codes=_codes(raw.get("codes", {}), fw),
        disclosure_threshold=_threshold(raw.get("disclosure", {}), fw),
        spc_baseline=_spc_baseline(raw.get("spc", {}), fw),
        questions=_questions(raw.get("findings", {}), fw),
        yearly_report=tuple(_requirement(item, fw) for item in
                            _tables(raw, "yearly_report", fw, optional=True)),
        texts=dict(texts),
        files=files,
    )
    _check(framework)
    return framework


def _parse(text: str, name: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise FrameworkError(f"{name} is not valid TOML: {error}") from error


def _keys(table: Mapping, allowed: set[str], where: str, required: set[str] = frozenset()
          ) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        hint = " (steps are numbered by their order in the file)" if "number" in unknown else ""
        raise FrameworkError(f"{where}: unknown key {', '.join(map(repr, unknown))}{hint}; "
                             f"the keys are {', '.join(sorted(allowed))}")
    missing = sorted(required - set(table))
    if missing:
        raise FrameworkError(f"{where}: {', '.join(missing)} missing")


def _tables(raw: Mapping, name: str, where: str, *, optional: bool = False) -> list[dict]:
    items = raw.get(name, [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise FrameworkError(f"{where}: {name} must be tables written [[{name}]]")
    if not items and not optional:
        raise FrameworkError(f"{where}: no [[{name}]] defined")
    return items


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise FrameworkError(f"{where} must be a list of words in quotes, e.g. [\"a\", \"b\"]")
    return tuple(value)


def _words(item: Mapping, keys: set[str], required: set[str], where: str) -> None:
    """Text keys are words in quotes, and those a table needs are not empty: a number or a
    table there would be shown, or compared with ids, as if it were text."""
    for key in sorted(keys & set(item)):
        value = item[key]
        if not isinstance(value, str):
            raise FrameworkError(f"{where}: {key} must be words in quotes, e.g. "
                                 f"{key} = \"...\", not {value!r}")
        if key in required and not value.strip():
            raise FrameworkError(f"{where}: {key} is empty; write it in quotes, e.g. "
                                 f"{key} = \"...\"")


def _step(item: dict, number: int, fw: str) -> Step:
    where = f"{fw}: step {item.get('id', number)!r}"
    _keys(item, {"id", "title", "question", "evidence", "returns", "panels"}, where,
          {"id", "title", "question"})
    _words(item, {"id", "title", "question", "evidence"}, {"id", "title", "question"}, where)
    panels = item.get("panels", [])
    if not isinstance(panels, list) or not all(isinstance(p, dict) for p in panels):
        raise FrameworkError(f"{where}: panels must be a list of {{ kind = ... }} tables")
    return Step(id=item["id"], number=number, title=item["title"], question=item["question"],
                evidence=item.get("evidence", ""),
                returns=_strings(item.get("returns", []), f"{where}: returns"),
                panels=tuple(_panel(panel, where) for panel in panels))


def _panel(item: dict, where: str) -> Panel:
    kind = item.get("kind")
    if kind not in PANEL_OPTIONS:
        raise FrameworkError(f"{where}: unknown panel kind {kind!r}; the kinds are "
                             f"{', '.join(PANEL_OPTIONS)}")
    options = {name: value for name, value in item.items() if name != "kind"}
    allowed = PANEL_OPTIONS[kind]
    _keys(options, set(allowed), f"{where}: panel {kind!r}")
    for name, value in options.items():
        if not isinstance(value, allowed[name]):
            raise FrameworkError(f"{where}: panel {kind!r} option {name} must be a "
                                 f"{allowed[name].__name__}")
    return Panel(kind, options)


def _theme(item: dict, fw: str) -> Theme:
    where = f"{fw}: theme {item.get('id', '?')!r}"
    _keys(item, {"id", "title", "description"}, where, {"id", "title"})
    _words(item, {"id", "title", "description"}, {"id", "title"}, where)
    return Theme(**item)


INDICATOR_KEYS = {"id", "title", "definition", "unit", "polarity", "step", "themes", "source",
                  "aggregation", "agency", "national_id", "compute", "rows", "window",
                  "options", "question", "of", "target", "rebase", "for_children"}
INDICATOR_REQUIRED = {"id", "title", "definition", "unit", "polarity", "step", "source",
                      "aggregation"}
INDICATOR_WORDS = {*INDICATOR_REQUIRED, "agency", "national_id", "compute", "rows", "window",
                   "question", "of"}


def _indicator(item: dict, cat: str) -> Indicator:
    where = f"{cat}: indicator {item.get('id', '?')!r}"
    _keys(item, INDICATOR_KEYS, where, INDICATOR_REQUIRED)
    _words(item, INDICATOR_WORDS, INDICATOR_REQUIRED, where)
    options = item.get("options", {})
    if not isinstance(options, dict):
        raise FrameworkError(f"{where}: options must be a table, e.g. {{ working_days = 5 }}")
    target = item.get("target")
    if target is not None and (isinstance(target, bool) or not isinstance(target, int | float)):
        raise FrameworkError(f"{where}: target must be a number, e.g. target = 100")
    rebase = _strings(item.get("rebase", []), f"{where}: rebase")
    for month in rebase:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise FrameworkError(f"{where}: rebase {month!r} must be a month written YYYY-MM")
    return Indicator(**{**item, "themes": _strings(item.get("themes", []), f"{where}: themes"),
                        "options": options, "rebase": rebase,
                        "target": None if target is None else float(target),
                        "for_children": _for_children(item, where)})


def _for_children(item: dict, where: str) -> dict[str, str]:
    """An indicator's words for children, checked: plain words, no figures, and only where
    higher or lower is better (a children's sentence says what is going well or not)."""
    words = item.get("for_children", {})
    example = '{ subject = "children had their safety meeting on time" }'
    if not isinstance(words, dict):
        raise FrameworkError(f"{where}: for_children must be a table, e.g. {example}")
    _keys(words, set(FOR_CHILDREN_KEYS), f"{where}: for_children",
          {"subject"} if words else set())
    for name, text in words.items():
        if not isinstance(text, str) or not text.strip():
            raise FrameworkError(f"{where}: for_children {name} must be words in quotes, "
                                 f"e.g. {example}")
        if re.search(r"\d", text):
            raise FrameworkError(f"{where}: for_children {name} {text!r} has a figure in it; "
                                 "children's sentences are written without numbers")
    if words and item.get("polarity") == "context":
        raise FrameworkError(f"{where}: for_children needs polarity higher_is_better or "
                             "lower_is_better: a context indicator is never called better or "
                             "worse, so it gives children no sentence")
    return {name: " ".join(text.split()) for name, text in words.items()}


@cache
def _default_codes() -> dict[str, dict[str, str]]:
    return tomllib.loads(default_text(FRAMEWORK_FILE))["codes"]


def _codes(raw: Any, fw: str) -> dict[str, dict[str, str]]:
    """The code lists: those the file gives, and the bundled ones for any it leaves out (as
    a file or table left out is the bundled one): returns and measures need every list, and
    an empty one would refuse every code."""
    if not isinstance(raw, dict):
        raise FrameworkError(f"{fw}: codes must be tables such as [codes.section11_rating]")
    _keys(raw, set(CODE_LISTS), f"{fw}: codes")
    for name, labels in raw.items():
        if not isinstance(labels, dict) or not labels or not all(
                isinstance(label, str) for label in labels.values()):
            raise FrameworkError(f"{fw}: [codes.{name}] must list code = \"label\", or be "
                                 "left out for the bundled codes")
    defaults = _default_codes()
    return {name: dict(raw.get(name) or defaults[name]) for name in CODE_LISTS}


def _threshold(raw: Any, fw: str) -> int:
    if not isinstance(raw, dict):
        raise FrameworkError(f"{fw}: disclosure must be a table [disclosure]")
    _keys(raw, {"threshold"}, f"{fw}: [disclosure]")
    threshold = raw.get("threshold", 5)
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 3:
        # below 3 a published figure of 1 or 2 could identify a child
        raise FrameworkError(f"{fw}: [disclosure] threshold must be a whole number of 3 or "
                             f"more, not {threshold!r}")
    return threshold


def _spc_baseline(raw: Any, fw: str) -> int | None:
    if not isinstance(raw, dict):
        raise FrameworkError(f"{fw}: spc must be a table [spc]")
    _keys(raw, {"baseline_months"}, f"{fw}: [spc]")
    months = raw.get("baseline_months", 0)
    if not isinstance(months, int) or isinstance(months, bool) or months < 0 or months == 1:
        # a moving range needs two points; 0 means every month
        raise FrameworkError(f"{fw}: [spc] baseline_months must be 0 (every month) or a whole "
                             f"number of 2 or more, not {months!r}")
    return months or None


def _questions(raw: Any, fw: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise FrameworkError(f"{fw}: findings must be a table [findings]")
    _keys(raw, set(FINDING_KINDS), f"{fw}: [findings]")
    if not all(isinstance(text, str) and text.strip() for text in raw.values()):
        raise FrameworkError(f"{fw}: [findings] questions must be text")
    return dict(raw)


def _requirement(item: dict, fw: str) -> YearlyRequirement:
    where = f"{fw}: yearly_report {item.get('id', '?')!r}"
    kind = item.get("evidence")
    if kind not in YEARLY_EVIDENCE:
        raise FrameworkError(f"{where}: unknown evidence {kind!r}; the kinds are "
                             f"{', '.join(YEARLY_EVIDENCE)}")
    options = {name: value for name, value in item.items()
               if name not in ("id", "title", "evidence")}
    _keys(options, set(YEARLY_EVIDENCE[kind]), where)
    _keys(item, {"id", "title", "evidence", *options}, where, {"id", "title", "evidence"})
    _words(item, {"id", "title"}, {"id", "title"}, where)
    for name, value in options.items():
        _strings(value, f"{where}: {name}")
    return YearlyRequirement(item["id"], item["title"], kind, options)


# --- checking the whole -----------------------------------------------------------------------

def _check(framework: Framework) -> None:
    fw, cat = framework.file(FRAMEWORK_FILE), framework.file(CATALOGUE_FILE)
    _check_unique(framework)
    _check_indicators(framework, cat)
    _check_measures(framework, cat)
    sources = framework.code_list("action_source")
    step_ids = [step.id for step in framework.steps]
    for requirement in framework.yearly_report:
        unknown = [f"step {code!r}" for code in requirement.option("steps", [])
                   if code not in step_ids]
        unknown += [f"action source {code!r}" for code in requirement.option("action_sources", [])
                    if code not in sources]
        if unknown:
            raise FrameworkError(f"{fw}: yearly_report {requirement.id!r} names an "
                                 f"unknown {', '.join(unknown)}")
    for step in framework.steps:
        unknown = [code for panel in step.panels for code in panel.option("action_sources", [])
                   if code not in sources]
        if unknown:
            raise FrameworkError(f"{fw}: step {step.id!r} names action sources "
                                 f"{', '.join(map(repr, unknown))} that are not in "
                                 "[codes.action_source]")
        if not step.panels and not framework.indicators_for(step=step.id):
            raise FrameworkError(
                f"{fw}: step {step.id!r} has no evidence: give it panels or an "
                f"indicator in {cat} with step = {step.id!r}")


def _check_unique(framework: Framework) -> None:
    for kind, items, name in (("step", framework.steps, FRAMEWORK_FILE),
                              ("theme", framework.themes, FRAMEWORK_FILE),
                              ("indicator", framework.indicators, CATALOGUE_FILE),
                              ("yearly_report", framework.yearly_report, FRAMEWORK_FILE)):
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                raise FrameworkError(f"{framework.file(name)}: {kind} {item.id!r} is defined "
                                     f"twice; give each {kind} an id of its own")
            seen.add(item.id)


def _check_indicators(framework: Framework, cat: str) -> None:
    # DfE's statistics share the indicators' namespace in the reports and the data behind them
    from scrutiny.national.indicators import BY_ID as NATIONAL  # pandas: load late

    step_ids = {step.id for step in framework.steps}
    theme_ids = set(framework.theme_ids)
    for ind in framework.indicators:
        if ind.id in NATIONAL:
            raise FrameworkError(
                f"{cat}: indicator {ind.id!r} has the id of DfE's published statistic "
                f"{NATIONAL[ind.id].title!r}; choose another id (national_id = {ind.id!r} "
                "sets the indicator beside that statistic)")
        problems = [
            f"{name} {value!r}"
            for name, value, allowed in (
                ("unit", ind.unit, UNITS),
                ("polarity", ind.polarity, POLARITIES),
                ("aggregation", ind.aggregation, AGGREGATIONS),
                ("step", ind.step, step_ids),
                ("window", ind.window, WINDOWS),
            )
            if value not in allowed
        ]
        problems += [f"theme {theme!r}" for theme in ind.themes if theme not in theme_ids]
        if problems:
            raise FrameworkError(f"{cat}: indicator {ind.id!r} has an unknown "
                                 f"{', '.join(problems)}")
        if ind.monthly and ind.compute:
            raise FrameworkError(f"{cat}: indicator {ind.id!r} comes from the "
                                 "monthly indicators return, which needs no compute")
        if not ind.monthly and not (ind.compute and ind.rows):
            raise FrameworkError(
                f"{cat}: indicator {ind.id!r} comes from the {ind.source} return, "
                "so it needs compute (the measure that computes it) and rows (snapshot, "
                "month, all, or a date column)")


def _check_measures(framework: Framework, cat: str) -> None:
    """Each measure can be found and takes the options its indicator gives it."""
    from scrutiny.framework.measure_options import check_options
    from scrutiny.measures import MeasureError, find_measure  # measures need pandas: load late

    for ind in framework.indicators:
        if ind.compute:
            where = f"{cat}: indicator {ind.id!r}"
            try:
                measure = find_measure(ind.compute, framework.texts)
            except MeasureError as error:
                raise FrameworkError(f"{where}: {error}") from error
            check_options(ind, measure, where)


def check_against_returns(framework: Framework, columns: Mapping[str, list[str]],
                          statistics: set[str]) -> None:
    """Check what the framework names against the returns' contracts (their columns) and the
    published statistics that can be loaded (their ids)."""
    from scrutiny.framework.measure_options import check_option_columns, column_codes

    fw, cat = framework.file(FRAMEWORK_FILE), framework.file(CATALOGUE_FILE)
    for step in framework.steps:
        for source in step.returns:
            if source not in columns:
                raise FrameworkError(f"{fw}: step {step.id!r} rests on {source!r}, "
                                     f"which is not a return ({', '.join(columns)})")
        for panel in step.panels:
            unknown = [s for s in panel.option("statistics", []) if s not in statistics]
            if unknown:
                raise FrameworkError(f"{fw}: step {step.id!r} names unknown "
                                     f"published statistics {', '.join(map(repr, unknown))}")
    codes = column_codes(framework)
    for ind in framework.indicators:
        where = f"{cat}: indicator {ind.id!r}"
        if ind.source not in columns:
            raise FrameworkError(f"{where} has an unknown source {ind.source!r}; the returns "
                                 f"are {', '.join(columns)}")
        if ind.rows and ind.rows not in ROW_SELECTIONS and ind.rows not in columns[ind.source]:
            raise FrameworkError(
                f"{where}: rows = {ind.rows!r} is neither "
                f"{', '.join(ROW_SELECTIONS)} nor a column of the {ind.source} return")
        if ind.national_id and ind.national_id not in statistics:
            raise FrameworkError(f"{where} has an unknown national_id {ind.national_id!r}")
        check_option_columns(ind, columns[ind.source], codes.get(ind.source, {}), where)
    grades = framework.code_list("audit_grade")
    missing = [grade for grade in grades if grade not in columns.get("audits", [])]
    if missing:
        raise FrameworkError(f"{fw}: [codes.audit_grade] {', '.join(missing)}: each "
                             "grade must be a column of the audits return")
