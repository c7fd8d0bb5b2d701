"""Imports deferred until they are used, where a dependency makes them slow for no use of ours.

jsonschema (read by nbformat and great-expectations) imports ``rfc3987_syntax`` for its
``iri`` format check, and that module builds about 35 Earley parsers as it is imported: 1.2 s
of every run, for a check no schema of ours uses (python-jsonschema/jsonschema#1428). Until
jsonschema or the module loads them lazily, a stand-in takes its place and imports the real
module the first time an IRI is actually checked, so the check still works when asked for.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from functools import cache

IRI_GRAMMAR = "rfc3987_syntax"


def defer_iri_grammar() -> None:
    """Put the stand-in in place, unless the module is absent or already imported."""
    if IRI_GRAMMAR in sys.modules or importlib.util.find_spec(IRI_GRAMMAR) is None:
        return
    stand_in = types.ModuleType(IRI_GRAMMAR, "Stand-in until an IRI is checked (scrutiny)")
    stand_in.is_valid_syntax = _is_valid_syntax
    sys.modules[IRI_GRAMMAR] = stand_in


def _is_valid_syntax(*args, **kwargs) -> bool:
    return _real_module().is_valid_syntax(*args, **kwargs)


@cache
def _real_module() -> types.ModuleType:
    del sys.modules[IRI_GRAMMAR]  # the stand-in, so that the import below finds the real one
    return importlib.import_module(IRI_GRAMMAR)
