"""National statistics (DfE, ONS, Ofsted) for benchmarking: readers, indicators, comparators.

`load_national(source_dir)` checks each file family against its data contract
(`data_contracts/national/`), reads every family into one long table (and reports the
families it refused or could not read); `export_national(source_dir, out_file)` writes that
table as CSV. The published file names and patterns are in `files`; `ingest.ingest_national`
keeps what loads in a run's store. `synthetic.write_synthetic_national(out_dir)` writes
invented files in the published layout for the demonstration.
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
from scrutiny.national.contracts import (
    ContractFinding,
    ContractRefusal,
    check_file,
    load_national_contracts,
)
from scrutiny.national.ees import read_ees, read_population, read_statistical_neighbours
from scrutiny.national.errors import NationalDataError
from scrutiny.national.export import export_national, write_long_table
from scrutiny.national.indicators import BY_ID, DEFINITIONS, LONG_COLUMNS, definitions_frame
from scrutiny.national.load import NationalData, Problem, load_national
from scrutiny.national.ofsted import read_ofsted_outcomes

__all__ = [
    "BY_ID",
    "ContractFinding",
    "ContractRefusal",
    "DEFINITIONS",
    "LONG_COLUMNS",
    "NationalData",
    "NationalDataError",
    "Problem",
    "benchmark",
    "check_file",
    "definitions_frame",
    "england_values",
    "export_national",
    "la_ranks",
    "load_national",
    "load_national_contracts",
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
