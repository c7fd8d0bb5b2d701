"""Checking an indicator's measure ``options`` before a run, one sentence per problem.

A measure is called with its catalogue entry's options at run time, so an option it does not
take, one it needs and lacks, a number written in quotes, a column its return does not have
or a code its column never holds would stop a run half-way, or silently give a figure of 0%.
Every measure's option names come from its signature; what each option of a built-in measure
is (a column, a code, a whole number) comes from :data:`scrutiny.measures.BUILT_IN_SPECS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from scrutiny.layout import FRAMEWORK_FILE
from scrutiny.measures import BUILT_IN_SPECS, Measure, Option, option_names

if TYPE_CHECKING:
    from scrutiny.framework import Framework, Indicator

# Where each code list of the contracts (their ``$parameter``) is written in framework.toml
LISTED_IN = {"theme_ids": "[[themes]]", "step_ids": "[[steps]]"}

# the codes a column may hold, and where they are listed: return -> column -> (codes, where)
ColumnCodes = Mapping[str, Mapping[str, tuple[list[str], str]]]


class _Refused(ValueError):
    """One option's problem, in words that follow the indicator's name."""


def check_options(indicator: Indicator, measure: Measure, where: str) -> None:
    """The options are those the measure takes, with all it needs; a built-in measure's are
    of the right kind (words, a list, a whole number)."""
    from scrutiny.framework import FrameworkError

    options, compute = dict(indicator.options), indicator.compute
    names = option_names(measure)
    if names is not None:
        taken, needed = names
        unknown = sorted(set(options) - taken)
        if unknown:
            takes = (f"its options are {', '.join(sorted(taken))}" if taken
                     else "it takes no options")
            raise FrameworkError(f"{where}: the measure {compute} has no option "
                                 f"{', '.join(unknown)}; {takes}")
        missing = sorted(needed - set(options))
        if missing:
            raise FrameworkError(f"{where}: the measure {compute} needs options "
                                 f"{', '.join(missing)}: add them to options = {{ ... }}")
    spec = BUILT_IN_SPECS.get(compute)
    if spec is None:  # a partnership's own measure checks its own options
        return
    for name, value in options.items():
        try:
            _check_kind(spec.options[name], value)
        except _Refused as refused:
            raise FrameworkError(f"{where}: options {name} {refused}, not {value!r}") from None


def _check_kind(option: Option, value: Any) -> None:
    words = isinstance(value, str) and value.strip() != ""
    listed = isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
    if option.kind in ("column", "code") and not words:
        raise _Refused(f"must be a {option.kind} in quotes, e.g. {option.kind} = \"...\"")
    if option.kind == "columns" and not (words or (listed and value)):
        raise _Refused("must be a column in quotes or a list of them, e.g. [\"a\", \"b\"]")
    if option.kind == "codes" and not listed:
        raise _Refused("must be a list of codes in quotes, e.g. [\"a\", \"b\"]")
    if option.kind == "whole_number" and (isinstance(value, bool) or not isinstance(value, int)
                                          or value < option.minimum):
        raise _Refused(f"must be a whole number of {option.minimum} or more, written without "
                       "quotes, e.g. 5")


def column_codes(framework: Framework) -> ColumnCodes:
    """The codes each coded column of each return may hold, from the return contracts (the
    same lists the returns are checked against), and where the framework lists them."""
    from scrutiny.contracts import load_contracts  # the contracts read the framework: late

    parameters = framework.contract_parameters()
    fw = framework.file(FRAMEWORK_FILE)
    found: dict[str, dict[str, tuple[list[str], str]]] = {}
    for name, contract in load_contracts().items():
        for column in contract.columns:
            allowed = column.allowed
            if isinstance(allowed, str) and allowed.lstrip("$") in parameters:
                parameter = allowed.lstrip("$")
                listed = LISTED_IN.get(parameter,
                                       f"[codes.{parameter.removesuffix('_codes')}]")
                found.setdefault(name, {})[column.name] = (parameters[parameter],
                                                           f"{listed} in {fw}")
            elif isinstance(allowed, tuple):
                found.setdefault(name, {})[column.name] = (list(allowed),
                                                           f"the {name} return's contract")
    return found


def check_option_columns(indicator: Indicator, columns: list[str],
                         codes: Mapping[str, tuple[list[str], str]], where: str) -> None:
    """A built-in measure's columns are columns of the indicator's return, and its codes are
    codes that column may hold (a code it never holds gives 0% everywhere)."""
    from scrutiny.framework import FrameworkError

    spec = BUILT_IN_SPECS.get(indicator.compute)
    if spec is None:  # a partnership's own measure says what it reads in its own code
        return
    source, options = indicator.source, dict(indicator.options)
    lacking = [column for column in spec.reads if column not in columns]
    if lacking:
        raise FrameworkError(f"{where}: the measure {indicator.compute} reads "
                             f"{', '.join(lacking)}, which the {source} return does not have; "
                             "choose a measure for that return")
    for name, value in options.items():
        option = spec.options[name]
        if option.kind == "whole_number":
            continue
        values = [value] if isinstance(value, str) else list(value)
        if option.kind in ("column", "columns"):
            unknown = [v for v in values if v not in columns]
            if unknown:
                raise FrameworkError(f"{where}: {_named(name, value, unknown)} a column of the "
                                     f"{source} return; its columns are {', '.join(columns)}")
        elif option.kind in ("code", "codes"):
            column = options.get(option.of[1:]) if option.of.startswith("@") else option.of
            allowed, listed = codes.get(column, (None, ""))
            unknown = [v for v in values if allowed is not None and v not in allowed]
            if unknown:
                raise FrameworkError(f"{where}: {_named(name, value, unknown)} a code of the "
                                     f"{source} return's {column} column; use one of "
                                     f"{', '.join(allowed)} ({listed})")


def _named(name: str, value: Any, unknown: list[str]) -> str:
    """``options code = 'fully' is not``, or ``options numerator: 'x', 'y' are not``."""
    if isinstance(value, str):
        return f"options {name} = {value!r} is not"
    verb = "is" if len(unknown) == 1 else "are"
    return f"options {name}: {', '.join(map(repr, unknown))} {verb} not"
