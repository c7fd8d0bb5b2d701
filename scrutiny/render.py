"""Executed notebooks to HTML (code hidden) and the index page of a period's reports."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import nbformat
from jinja2 import Environment, PackageLoader, select_autoescape
from nbconvert import HTMLExporter

NBCONVERT_TEMPLATES = Path(__file__).parent / "templates" / "nbconvert"


def write_atomically(path: Path, text: str) -> None:
    """Write the whole file or nothing: a half-written report is never left behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def stderr_outputs(notebook: nbformat.NotebookNode) -> list[str]:
    """Remove what cells wrote to stderr (warnings are for the run log, not the report)."""
    removed = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                removed.append(output.get("text", ""))
            else:
                kept.append(output)
        cell["outputs"] = kept
    return removed


def notebook_to_html(notebook_path: Path, html_path: Path, title: str) -> list[str]:
    """Render an executed notebook without its code; returns the stderr text it dropped."""
    notebook = nbformat.read(notebook_path, as_version=4)
    removed = stderr_outputs(notebook)
    exporter = HTMLExporter(template_name="scrutiny",
                            extra_template_basedirs=[str(NBCONVERT_TEMPLATES)],
                            exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _resources = exporter.from_notebook_node(notebook,
                                                   resources={"metadata": {"name": title}})
    write_atomically(html_path, body)
    return removed


_environment = Environment(
    loader=PackageLoader("scrutiny", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
)


def index_html(context: dict) -> str:
    return _environment.get_template("index.html.j2").render(**context)
