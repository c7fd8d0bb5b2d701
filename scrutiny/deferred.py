"""Imports deferred until they are used, where a dependency makes them slow for no use of ours.

jsonschema (read by nbformat and great-expectations) imports ``rfc3987_syntax`` for its
``iri`` format check, and that module builds about 35 Earley parsers as it is imported: 1.2 s
of every run, for a check no schema of ours uses (python-jsonschema/jsonschema#1428). Until
jsonschema or the module loads them lazily, a stand-in takes its place and imports the real
module the first time an IRI is actually checked, so the check still works when asked for.

great-expectations imports ``scipy.stats`` for expectations no contract of ours uses (a
distribution's divergence, a Kolmogorov-Smirnov test): about 1.2 s of its import, which is the
longest wait in checking a quarter's returns. It is imported lazily (:func:`defer_until_used`):
its code runs the first time anything reads from it.
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


def defer_until_used(name: str) -> None:
    """Import module ``name`` lazily: it is in ``sys.modules`` at once, and its code runs the
    first time one of its attributes is read (importlib's LazyLoader). Nothing is done if it
    is already imported or absent."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:  # as an import would: scipy.stats is an attribute of scipy
        setattr(sys.modules[parent], child, module)
