"""Executed notebooks to HTML (code hidden), the index page of a period's reports, and what
makes every generated file safe to publish: written whole, readable by others, and free of
this machine's paths."""

from __future__ import annotations

import os
import re
import secrets
import site
import sys
import sysconfig
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import nbformat
from jinja2 import Environment, PackageLoader, select_autoescape
from nbconvert import HTMLExporter, TemplateExporter
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

from scrutiny.publication import Page, finish, stylesheet
from scrutiny.resources import import_root

NBCONVERT_TEMPLATES = Path(__file__).parent / "templates" / "nbconvert"


def write_atomically(path: Path, text: str) -> None:
    """Write the whole file or nothing: a half-written report is never left behind.

    The file gets the mode a plain ``open()`` gives (0644 under umask 022), not mkstemp's
    0600: reports are made to be read by others and published.
    """
    write_bytes_atomically(path, text.encode("utf-8"))


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """:func:`write_atomically` for bytes (a PDF, a workbook)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
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


class PublicationExporter(HTMLExporter):
    """nbconvert's HTML exporter without its last step, which parses the whole page again
    (half the cost of rendering a report) to give images without one a text alternative and
    code cells keyboard focus: the scrutiny template gives each image its text and shows no
    code, and :func:`scrutiny.publication.finish` parses the page once, for all it adds."""

    def from_notebook_node(self, nb: nbformat.NotebookNode, resources: dict | None = None,
                           **kw) -> tuple[str, dict]:
        resources = self._init_resources(resources)
        # the output types nbconvert's own step registers, read by the display_priority template
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


@cache
def publication_exporter() -> PublicationExporter:
    """The exporter, its templates loaded once: the runner makes it before forking workers."""
    return PublicationExporter(template_name="scrutiny",
                               extra_template_basedirs=[str(NBCONVERT_TEMPLATES)],
                               exclude_input=True, exclude_input_prompt=True,
                               exclude_output_prompt=True)


def notebook_to_html(notebook_path: Path, html_path: Path, page: Page) -> list[str]:
    """Render an executed notebook as a publication, without its code; returns the stderr
    text it dropped."""
    notebook = nbformat.read(notebook_path, as_version=4)
    removed = stderr_outputs(notebook)
    body, _resources = publication_exporter().from_notebook_node(
        notebook, resources={"metadata": {"name": page.title}, "scrutiny": page.resources()})
    write_atomically(html_path, finish(body))
    return removed


_environment = Environment(
    loader=PackageLoader("scrutiny", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
)


def page_from_template(name: str, **context) -> str:
    """A page of the package's own templates, every value escaped."""
    return _environment.get_template(name).render(**context)


def index_html(context: dict) -> str:
    return page_from_template("index.html.j2", stylesheet=stylesheet(), **context)


# Safe output: no generated file names a path of this machine outside the data and output
# folders. Tracebacks, kernel logs and papermill's metadata name the virtualenv, the home
# folder and temporary files; those become <python>/..., ~/... and <path>/basename.

# Text that is never a path: ANSI colour codes (IPython tracebacks colour a path, so the code
# sits right before it) and base64 images, which can contain "/tmp/" by chance.
_OPAQUE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]*"
                     r"|[A-Za-z0-9+/=]{64,}")
_PART = r"[^\s/\"'`<>:;,()\[\]{}|*?\\\x1b]+"
# an absolute path: not part of a word, a relative path, "~/..." or an earlier replacement
_ABSOLUTE = re.compile(rf"(?<![\w.~-])(?<!<data>)(?<!<out>)(?<!<python>)(?<!<path>)"
                       rf"/{_PART}(?:/{_PART})*/?")


def scrub_paths(text: str, keep: Mapping[str, Path] | None = None) -> str:
    """``text`` with every absolute path of this machine made anonymous.

    ``keep`` names folders whose paths are the user's own (``{"<data>": data_dir, "<out>":
    out_dir}``); a path under one becomes ``<data>/returns/x.csv``. Paths under Python and the
    installed packages become ``<python>/papermill/execute.py``, under the home folder
    ``~/...``, and any other ``<path>/basename``: a developer can still read a traceback.
    """
    prefixes = _prefixes(tuple(sorted((keep or {}).items())), str(Path.home()))
    pieces = []
    position = 0
    for opaque in _OPAQUE.finditer(text):
        pieces.append(_scrub_plain(text[position:opaque.start()], prefixes))
        pieces.append(opaque.group())
        position = opaque.end()
    pieces.append(_scrub_plain(text[position:], prefixes))
    return "".join(pieces)


def _scrub_plain(text: str, prefixes: tuple[tuple[str, str], ...]) -> str:
    return _ABSOLUTE.sub(lambda match: _anonymous(match.group(), prefixes), text)


def _anonymous(path: str, prefixes: tuple[tuple[str, str], ...]) -> str:
    first = path.strip("/").split("/", 1)[0]
    if first not in _root_entries():
        return path  # not a path on this machine ("/td", a unit, part of a URL)
    for prefix, label in prefixes:
        if path == prefix or path.startswith(prefix + "/"):
            return label + path[len(prefix):]
    return "<path>/" + path.rstrip("/").rsplit("/", 1)[-1]


@cache
def _root_entries() -> frozenset[str]:
    try:
        return frozenset(os.listdir("/"))
    except OSError:
        return frozenset()


@cache
def _prefixes(keep: tuple[tuple[str, Path], ...], home: str) -> tuple[tuple[str, str], ...]:
    """(folder, label) pairs, the longest folder first so that the closest one names a path."""
    labelled = [(folder, label) for label, folder in keep]
    labelled += [(folder, "<python>") for folder in _python_folders()]
    labelled.append((home, "~"))
    pairs = {}
    for folder, label in labelled:
        for form in {os.path.abspath(folder), os.path.realpath(folder)}:
            if form != "/":
                pairs.setdefault(form.rstrip("/"), label)
    return tuple(sorted(pairs.items(), key=lambda pair: -len(pair[0])))


def _python_folders() -> list[str]:
    folders = [*site.getsitepackages(), site.getusersitepackages(),
               *(sysconfig.get_paths().get(key, "") for key in ("stdlib", "platstdlib",
                                                                "purelib", "platlib")),
               sys.prefix, sys.base_prefix, sys.exec_prefix,
               str(import_root())]  # where scrutiny is imported from
    return [folder for folder in folders if folder]


def scrub_file(path: Path, keep: Mapping[str, Path] | None = None) -> None:
    """Scrub a text file in place (a log or an error file); a missing file is fine."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return
    scrubbed = scrub_paths(text, keep)
    if scrubbed != text:
        write_atomically(path, scrubbed)


def tidy_executed_notebook(path: Path, source_name: str,
                           keep: Mapping[str, Path] | None = None) -> None:
    """Make an executed notebook safe to publish, in place.

    papermill records where the notebook came from and went as absolute paths; they become
    the notebook's name and its path beside run.json. Every other string, outputs and
    tracebacks included, is scrubbed; images are left alone. A notebook cut short mid-write
    (its worker was stopped) is not valid JSON: its text is scrubbed instead.
    """
    try:
        notebook = nbformat.read(path, as_version=4)
    except FileNotFoundError:
        return
    except Exception:  # noqa: BLE001 - half-written by a stopped worker
        scrub_file(path, keep)
        return
    recorded = notebook.metadata.get("papermill")
    if recorded is not None:
        recorded["input_path"] = source_name
        recorded["output_path"] = f"{path.parent.name}/{path.name}"
    _scrub_node(notebook, keep)
    write_atomically(path, nbformat.writes(notebook))


def _scrub_node(node, keep: Mapping[str, Path] | None):
    if isinstance(node, str):
        return scrub_paths(node, keep)
    if isinstance(node, list):
        for index, item in enumerate(node):
            node[index] = _scrub_node(item, keep)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key.startswith(("image/", "application/pdf")):
                continue  # base64, never a path
            node[key] = _scrub_node(value, keep)
    return node
