"""The published national files: the name each is published under, and how the loader finds it.

One entry per file family (the families of ``data_contracts/national``). The loader looks for
a pattern rather than the name, because EES names carry the range of years and change with each
release (it takes the last match, the latest years); the synthetic files are written under the
published names. Each contract repeats its family's ``file`` and ``pattern`` in its
``meta.contract`` for the contract's reader; loading a contract checks that they agree with
this list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PublishedFile:
    name: str  # as published, in the release the tool was last checked against
    pattern: str  # how the loader finds the file in a folder


PUBLISHED: dict[str, PublishedFile] = {
    "cin": PublishedFile("b1_children_in_need_2013_to_2025.csv", "b1_children_in_need_*.csv"),
    "referrals": PublishedFile(
        "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        "c1_children_in_need_referrals_and_rereferrals_*.csv",
    ),
    "s47_icpc": PublishedFile(
        "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv",
        "c4_children_in_need_section_47s_and_icpcs_*.csv",
    ),
    "cpp_subsequent": PublishedFile(
        "d3_cpps_subsequent_plan_2013_to_2025.csv", "d3_cpps_subsequent_plan_*.csv"
    ),
    "cpp": PublishedFile(
        "d5_cpps_at31march_by_duration_2013_to_2025.csv", "d5_cpps_at31march_by_duration_*.csv"
    ),
    "cla": PublishedFile(
        "cla_number_and_rate_per_10k_children.csv", "cla_number_and_rate_per_10k_children*.csv"
    ),
    "placements": PublishedFile(
        "la_cla_during_year_new_placements.csv", "la_cla_during_year_new_placements*.csv"
    ),
    "care_leavers": PublishedFile(
        "la_care_leavers_activity.csv", "la_care_leavers_activity*.csv"
    ),
    "workforce": PublishedFile("csww_indicators_2017_to_2025.csv", "csww_indicators_*.csv"),
    "population": PublishedFile(
        "ons_mid-year_population_estimates_2012_to_2024.csv",
        "ons_mid-year_population_estimates_*.csv",
    ),
    "neighbours": PublishedFile("sn_model_2025_wide.csv", "sn_model_*.csv"),
    "ofsted": PublishedFile(
        "LA_Inspection_Outcomes_as_at_31_March_2025.ods", "LA_Inspection_Outcomes_*.ods"
    ),
}

# The files read beside the indicator families (indicators.FAMILIES).
POPULATION_PATTERN = PUBLISHED["population"].pattern
NEIGHBOURS_PATTERN = PUBLISHED["neighbours"].pattern
OFSTED_PATTERN = PUBLISHED["ofsted"].pattern
