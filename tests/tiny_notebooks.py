"""Tiny notebooks with the report notebooks' parameters, for tests of how reports are run."""

from __future__ import annotations

from pathlib import Path

import nbformat


def write_notebook(path: Path, source: str) -> None:
    """A notebook taking store_path, period and area_code, then running ``source``."""
    book = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell('store_path = ""\nperiod = ""\narea_code = ""')
    parameters.metadata["tags"] = ["parameters"]
    book.cells = [parameters, nbformat.v4.new_code_cell(source)]
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                   "language": "python"}
    nbformat.write(book, path)
