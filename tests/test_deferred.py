"""Deferred imports: the IRI grammar is not built at import, and IRIs are still checked."""

import subprocess
import sys

import pytest

CHECK = """
import sys
import scrutiny, jsonschema, nbformat
from jsonschema import FormatChecker

loaded_early = hasattr(sys.modules["rfc3987_syntax"], "__file__")
checker = FormatChecker()
print(loaded_early, checker.conforms("https://example.org/caf\\u00e9", "iri"),
      checker.conforms("no scheme here", "iri"),
      hasattr(sys.modules["rfc3987_syntax"], "__file__"))
"""


def test_iri_grammar_is_built_only_when_an_iri_is_checked() -> None:
    pytest.importorskip("rfc3987_syntax")
    # a process of its own: this one may have imported the real module already
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", "True", "False", "True"]
