"""Measures: how an indicator is computed from the rows of a return.

The catalogue (``indicators.toml``) names each indicator's measure with ``compute`` and the rows
it sees with ``rows``. A measure is a small function::

    def measure(rows: pd.DataFrame, context: MeasureContext, **options) -> pd.DataFrame

``rows`` are the accepted rows of the indicator's return that fall in the window (or each
area's latest snapshot); ``options`` come from the catalogue entry. It returns, for the rows
that count, a ``numerator`` column and, for a percentage, a ``denominator`` column, indexed
like ``rows`` (a Series is taken as the numerator). :mod:`scrutiny.indicators` sums them by
area, marks an area incomplete where a return is missing, adds the partnership total, and
computes intervals; disclosure control is applied by the reports as for every figure.

A measure is found, in order: a built-in one below; ``module:function`` from the
partnership's ``measures/module.py`` (kept in the store with the framework, so reports need
only the store); or a plug-in package's entry point in the group ``scrutiny.measures``.
"""

from __future__ import annotations

import hashlib
import inspect
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from typing import TYPE_CHECKING

import pandas as pd

from scrutiny.periods import Period
from scrutiny.working_days import add_working_days, working_days_between

if TYPE_CHECKING:
    from scrutiny.framework import Framework, Indicator

ENTRY_POINT_GROUP = "scrutiny.measures"
COMPLETED = "completed"  # the actions return's status for a completed action


@dataclass(frozen=True)
class MeasureContext:
    period: Period  # the quarter being reported
    start: pd.Timestamp  # first day of the window
    end: pd.Timestamp  # last day of the quarter
    framework: Framework


Measure = Callable[..., "pd.DataFrame | pd.Series"]


class MeasureError(ValueError):
    """A measure that cannot be found, loaded or run, said in one sentence."""


# --- built-in measures ------------------------------------------------------------------------

def _each(rows: pd.DataFrame, numerator: pd.Series) -> pd.DataFrame:
    """One case per row: the numerator says whether it counts."""
    return pd.DataFrame({"numerator": numerator.astype(int), "denominator": 1},
                        index=rows.index)


def _of_sources(rows: pd.DataFrame, action_sources: list[str] | None) -> pd.DataFrame:
    return rows[rows["source"].isin(action_sources)] if action_sources else rows


def share_with_code(rows: pd.DataFrame, context: MeasureContext, *, column: str,
                    code: str) -> pd.DataFrame:
    """Rows whose ``column`` is ``code``, of all rows (e.g. section 11 standards fully met)."""
    return _each(rows, rows[column] == code)


def actions_overdue(rows: pd.DataFrame, context: MeasureContext, *,
                    action_sources: list[str] | None = None) -> pd.DataFrame:
    """Open actions past their due date at the end of the quarter, of all open actions."""
    open_ = _of_sources(rows, action_sources)
    open_ = open_[open_["status"] != COMPLETED]
    return _each(open_, pd.to_datetime(open_["due"]) < context.end)


def actions_completed_on_time(rows: pd.DataFrame, context: MeasureContext, *,
                              action_sources: list[str] | None = None) -> pd.DataFrame:
    """Actions due by the end of the quarter that were completed by their due date."""
    actions = _of_sources(rows, action_sources)
    due = actions[pd.to_datetime(actions["due"]) <= context.end]
    on_time = (due["status"] == COMPLETED) & (
        pd.to_datetime(due["completed"]) <= pd.to_datetime(due["due"]))
    return _each(due, on_time)


def column_sum(rows: pd.DataFrame, context: MeasureContext, *, numerator: str | list[str],
               denominator: str | None = None) -> pd.DataFrame:
    """A column's total (or several columns'), over another column's total if given."""
    columns = [numerator] if isinstance(numerator, str) else list(numerator)
    result = pd.DataFrame({"numerator": rows[columns].sum(axis=1, min_count=1)})
    if denominator:
        result["denominator"] = rows[denominator]
    return result


def filled_in(rows: pd.DataFrame, context: MeasureContext, *, column: str) -> pd.DataFrame:
    """Rows with ``column`` filled in, of all rows (e.g. activities that changed something)."""
    return _each(rows, rows[column].fillna("").astype(str).str.strip().ne(""))


def within_working_days(rows: pd.DataFrame, context: MeasureContext, *, start: str, end: str,
                        working_days: int) -> pd.DataFrame:
    """Rows whose ``end`` date is within ``working_days`` of their ``start`` date."""
    days = working_days_between(rows[start], rows[end])
    return _each(rows, days <= working_days)


def held_within_working_days(rows: pd.DataFrame, context: MeasureContext, *, start: str,
                             held: str, working_days: int) -> pd.DataFrame:
    """Rows held within ``working_days`` of ``start``, of those that can be judged: held, or
    with the deadline passed by the end of the quarter."""
    deadline = add_working_days(rows[start], working_days)
    held_on = pd.to_datetime(rows[held])
    judged = held_on.notna() | (deadline < context.end)
    on_time = held_on.notna() & (held_on <= deadline)
    return pd.DataFrame({"numerator": (on_time & judged).astype(int),
                         "denominator": judged.astype(int)}, index=rows.index)


def published_within_months(rows: pd.DataFrame, context: MeasureContext, *, decision: str,
                            start: str, published: str, months: int) -> pd.DataFrame:
    """Reviews with ``decision`` whose deadline (``months`` after ``start``) fell in the
    window, and of those the ones published by it."""
    reviews = rows[rows["decision"] == decision]
    deadline = pd.to_datetime(reviews[start]) + pd.DateOffset(months=months)
    due = reviews[(deadline >= context.start) & (deadline <= context.end)]
    published_on = pd.to_datetime(due[published])
    return _each(due, published_on.notna() & (published_on <= deadline[due.index]))


BUILT_IN: dict[str, Measure] = {measure.__name__: measure for measure in (
    share_with_code, actions_overdue, actions_completed_on_time, column_sum, filled_in,
    within_working_days, held_within_working_days, published_within_months)}


# --- what a built-in measure's options are ---------------------------------------------------

@dataclass(frozen=True)
class Option:
    """What one option of a built-in measure names, so the catalogue can be checked before a
    run: ``column`` (a column of the indicator's return), ``columns`` (a column or a list of
    them), ``code`` or ``codes`` (one or a list of the codes of the column ``of``; ``@name``
    is the column another option names), or ``whole_number`` (``minimum`` or more)."""

    kind: str
    of: str = ""
    minimum: int = 0


COLUMN, COLUMNS = Option("column"), Option("columns")
ACTION_SOURCES = Option("codes", of="source")
WORKING_DAYS = Option("whole_number", minimum=0)


@dataclass(frozen=True)
class BuiltInSpec:
    reads: tuple[str, ...]  # the columns of the return it reads whatever its options
    options: Mapping[str, Option]


BUILT_IN_SPECS: dict[str, BuiltInSpec] = {
    "share_with_code": BuiltInSpec((), {"column": COLUMN,
                                        "code": Option("code", of="@column")}),
    "actions_overdue": BuiltInSpec(("source", "status", "due"),
                                   {"action_sources": ACTION_SOURCES}),
    "actions_completed_on_time": BuiltInSpec(("source", "status", "due", "completed"),
                                             {"action_sources": ACTION_SOURCES}),
    "column_sum": BuiltInSpec((), {"numerator": COLUMNS, "denominator": COLUMN}),
    "filled_in": BuiltInSpec((), {"column": COLUMN}),
    "within_working_days": BuiltInSpec((), {"start": COLUMN, "end": COLUMN,
                                            "working_days": WORKING_DAYS}),
    "held_within_working_days": BuiltInSpec((), {"start": COLUMN, "held": COLUMN,
                                                 "working_days": WORKING_DAYS}),
    "published_within_months": BuiltInSpec(("decision",), {
        "decision": Option("code", of="decision"), "start": COLUMN, "published": COLUMN,
        "months": Option("whole_number", minimum=1)}),
}


def option_names(measure: Measure) -> tuple[set[str], set[str]] | None:
    """The options a measure takes and those it needs, from its signature (after ``rows`` and
    ``context``); None where it takes any (``**options``) or its signature cannot be read."""
    try:
        parameters = list(inspect.signature(measure).parameters.values())
    except (TypeError, ValueError):  # some compiled functions have no signature
        return None
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    named = [p for p in parameters[2:] if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    return ({p.name for p in named}, {p.name for p in named if p.default is p.empty})


# --- finding a measure ------------------------------------------------------------------------

@cache
def _module(name: str, text: str, digest: str) -> types.ModuleType:
    """A partnership's measures module, from its text (``digest`` keys the cache)."""
    module = types.ModuleType(f"scrutiny_partnership_measures.{name}")
    module.__file__ = f"measures/{name}.py"
    try:
        exec(compile(text, module.__file__, "exec"), module.__dict__)  # noqa: S102 - the partnership's own code
    except Exception as error:
        raise MeasureError(f"measures/{name}.py could not be loaded: "
                           f"{type(error).__name__}: {error}") from error
    return module


def find_measure(compute: str, texts: Mapping[str, str]) -> Measure:
    """The function named by ``compute`` (see the module docstring)."""
    if compute in BUILT_IN:
        return BUILT_IN[compute]
    if ":" in compute:
        module_name, _, function = compute.partition(":")
        text = texts.get(f"measures/{module_name}.py")
        if text is None:
            raise MeasureError(f"compute = {compute!r}: there is no measures/{module_name}.py "
                               "beside the framework (in the data folder, or beside the "
                               "--framework file)")
        module = _module(module_name, text, hashlib.sha256(text.encode()).hexdigest())
        measure = getattr(module, function, None)
        if not callable(measure):
            raise MeasureError(f"compute = {compute!r}: measures/{module_name}.py has no "
                               f"function {function}")
        return measure
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP, name=compute):
        try:
            return entry.load()
        except Exception as error:
            raise MeasureError(f"compute = {compute!r}: the plug-in {entry.value} could not be "
                               f"loaded: {type(error).__name__}: {error}") from error
    raise MeasureError(f"compute = {compute!r} is not a measure: use a built-in one "
                       f"({', '.join(BUILT_IN)}), module:function from measures/ in the data "
                       f"folder, or a plug-in's {ENTRY_POINT_GROUP} entry point")


def run_measure(indicator: Indicator, framework: Framework, rows: pd.DataFrame,
                context: MeasureContext) -> pd.DataFrame:
    """numerator and denominator per counted row, checked, with the row's area."""
    measure = find_measure(indicator.compute, framework.texts)
    try:
        result = measure(rows.copy(), context, **dict(indicator.options))
    except Exception as error:
        raise MeasureError(f"indicator {indicator.id!r}: its measure {indicator.compute} "
                           f"failed: {type(error).__name__}: {error}") from error
    if isinstance(result, pd.Series):
        result = result.to_frame("numerator")
    if not isinstance(result, pd.DataFrame) or "numerator" not in result.columns:
        raise MeasureError(f"indicator {indicator.id!r}: its measure {indicator.compute} must "
                           "return a DataFrame with a numerator column")
    if indicator.is_percent and "denominator" not in result.columns:
        raise MeasureError(f"indicator {indicator.id!r} is a percentage, so its measure "
                           f"{indicator.compute} must return a denominator column too")
    if not result.index.isin(rows.index).all():
        raise MeasureError(f"indicator {indicator.id!r}: its measure {indicator.compute} "
                           "returned rows that are not rows of the return")
    result = result.reindex(columns=["numerator", "denominator"])
    result["area_code"] = rows.loc[result.index, "area_code"]
    for column in ("numerator", "denominator"):
        values = pd.to_numeric(result[column], errors="coerce").astype(float)
        if (values < 0).any() or (values.isna() & result[column].notna()).any():
            raise MeasureError(f"indicator {indicator.id!r}: its measure {indicator.compute} "
                               f"returned a {column} that is not a count of 0 or more")
        result[column] = values
    return result
