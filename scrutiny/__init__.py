"""Independent scrutiny of local safeguarding children partnerships."""

__version__ = "0.1.0"
