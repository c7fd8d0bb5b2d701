"""Independent scrutiny of local safeguarding children partnerships."""

from scrutiny.deferred import defer_iri_grammar

__version__ = "0.1.0"

defer_iri_grammar()
