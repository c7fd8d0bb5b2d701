"""The three reports of a cycle, one class each, one method per notebook section."""

from scrutiny.report.area import AreaReport
from scrutiny.report.quality import QualityReport
from scrutiny.report.regional import RegionalReport

__all__ = ["AreaReport", "QualityReport", "RegionalReport"]
