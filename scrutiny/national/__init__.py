"""National statistics (DfE, ONS, Ofsted) for benchmarking: readers, indicators, comparators.

`load_national(source_dir)` reads every file family into one long table (and reports the
families it could not read); `export_national(source_dir, out_file)` writes that table as CSV.
"""

from scrutiny.national.comparators import (
    benchmark,
    england_values,
    la_ranks,
    neighbour_medians,
    partnership_aggregate,
    region_of,
    region_values,
)
from scrutiny.national.ees import read_ees, read_population, read_statistical_neighbours
from scrutiny.national.errors import NationalDataError
from scrutiny.national.export import export_national, write_long_table
from scrutiny.national.indicators import BY_ID, DEFINITIONS, LONG_COLUMNS, definitions_frame
from scrutiny.national.load import NationalData, Problem, load_national
from scrutiny.national.ofsted import read_ofsted_outcomes

__all__ = [
    "BY_ID",
    "DEFINITIONS",
    "LONG_COLUMNS",
    "NationalData",
    "NationalDataError",
    "Problem",
    "benchmark",
    "definitions_frame",
    "england_values",
    "export_national",
    "la_ranks",
    "load_national",
    "neighbour_medians",
    "partnership_aggregate",
    "read_ees",
    "read_ofsted_outcomes",
    "read_population",
    "read_statistical_neighbours",
    "region_of",
    "region_values",
    "write_long_table",
]
