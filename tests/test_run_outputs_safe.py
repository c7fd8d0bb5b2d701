"""Safe output: what a run writes can be published as it is.

- No report, log, error file, executed notebook or run.json names a folder of this machine
  outside the data and output folders, or holds the value of an environment variable.
- Every generated file has the mode a plain open() gives under the umask (0644 under 022).
- A run makes no network call, in the runner, its workers or their kernels.

One `scrutiny run` (one area, the real notebooks, the demo data already in a copy of the
session's store, and a deep dive, which runs in a Jupyter kernel) runs with a planted
environment variable and outbound sockets refused by an audit hook that every Python process
of the run loads (sitecustomize on PYTHONPATH); the workers forked from the runner inherit it.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import openpyxl
import pypdf
import pytest
from jupyter_core.paths import jupyter_runtime_dir

from scrutiny.render import scrub_paths, write_atomically

CANARY = "canary-7f3a9c"
REPOSITORY = Path(__file__).resolve().parents[1]
SITECUSTOMIZE = '''
"""Loaded by every Python process of the run under test: refuse and record network calls."""
import os
import socket
import sys

try:  # sys.argv is not yet set for "python -m module"
    with open("/proc/self/cmdline", "rb") as _cmdline:
        _COMMAND = " ".join(part.decode() for part in _cmdline.read().split(b"\\0")[:4])
except OSError:
    _COMMAND = " ".join(sys.argv)
with open(os.environ["SCRUTINY_TEST_LOADED"], "a") as _loaded:
    _loaded.write(_COMMAND + "\\n")


def _loopback(host):
    host = str(host or "")
    return host in ("", "localhost", "::1", "0.0.0.0") or host.startswith("127.")


def _outbound(event, args):
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        sock, address = args[0], args[1]
        if address is None or sock.family == getattr(socket, "AF_UNIX", None):
            return None
        return None if isinstance(address, tuple) and _loopback(address[0]) else address
    if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"):
        return None if _loopback(args[0]) else args[0]
    return None


def _refuse(event, args):
    target = _outbound(event, args)
    if target is None:
        return
    with open(os.environ["SCRUTINY_TEST_NETWORK"], "a") as log:
        log.write(f"{_COMMAND}: {event} {target!r}\\n")
    raise OSError(f"no network in this test: {event} {target!r}")


sys.addaudithook(_refuse)
'''
# a base64 image or data URI can hold "/tmp/" by chance: it is not text; nor are colour codes
OPAQUE = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]*|[A-Za-z0-9+/=]{64,}"
                    r"|\x1b\[[0-9;]*[A-Za-z]")
PART = r"[^\s/\"'`<>:;,()\[\]{}|*?\\]+"
# an absolute path, not one that scrub_paths has already made anonymous
ABSOLUTE = re.compile(rf"(?<![\w.~-])(?<!<data>)(?<!<out>)(?<!<python>)(?<!<path>)"
                      rf"/{PART}(?:/{PART})*")


@pytest.fixture(scope="module")
def guarded_run(cycle_outputs, tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("safe-run")
    hook = root / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE)
    store = root / "store.duckdb"
    shutil.copy(cycle_outputs["store"], store)  # already checked: no re-validation
    data = root / "data"
    shutil.copytree(cycle_outputs["data_dir"], data)
    deep_dive = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell('store_path = ""\nperiod = ""\narea_code = ""')
    parameters.metadata["tags"] = ["parameters"]
    deep_dive.cells = [parameters, nbformat.v4.new_code_cell(
        "from scrutiny.report import AreaReport\n\n"
        "AreaReport.open(store_path, area_code, period).deep_dive('Checks')")]
    deep_dive.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                        "language": "python"}
    (data / "deep_dives").mkdir()
    nbformat.write(deep_dive, data / "deep_dives" / "checks.ipynb")
    environment = {key: value for key, value in os.environ.items()
                   if key != "SCRUTINY_NOTEBOOKS_DIR"}
    environment.update({
        "PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")])),
        "SCRUTINY_TEST_NETWORK": str(root / "network.log"),
        "SCRUTINY_TEST_LOADED": str(root / "loaded.log"),
        "SCRUTINY_CANARY": CANARY,
    })
    out = root / "out"
    result = subprocess.run(
        [sys.executable, "-m", "scrutiny.cli", "run", "--data", str(data),
         "--out", str(out), "--store", str(store), "--areas", "E06000022", "--workers", "2",
         "--format", "html,pdf", "--no-progress"],
        env=environment, capture_output=True, text=True, timeout=900)
    return {"root": root, "result": result, "data_dir": data,
            "out_dir": out, "period_dir": out / "2025-26-Q4", "store": store}


def test_a_run_makes_no_network_call(guarded_run):
    result = guarded_run["result"]
    assert result.returncode == 0, result.stderr
    loaded = (guarded_run["root"] / "loaded.log").read_text()
    assert "scrutiny.cli" in loaded  # the hook was in the runner (and its forked workers)
    assert "ipykernel_launcher" in loaded  # and in the deep dive's kernel
    manifest = json.loads((guarded_run["period_dir"] / "run.json").read_text())
    assert [report["status"] for report in manifest["reports"]] == ["ok"] * 4
    network = guarded_run["root"] / "network.log"
    assert not network.exists(), network.read_text()


BINARY = {".pdf", ".xlsx"}  # compressed: their text is checked through their readers below


def _published(period_dir: Path, binary: bool = False) -> list[Path]:
    files = [path for path in period_dir.rglob("*") if path.is_file()]
    assert {path.suffix for path in files} >= {".html", ".json", ".ipynb", ".log"}
    return files if binary else [path for path in files if path.suffix not in BINARY]


def _text(path: Path) -> str:
    """The text a reader of the file sees: every string of a JSON file but images, HTML
    unescaped, without colour codes or base64."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix in (".ipynb", ".json"):
        text = "\n".join(_strings(json.loads(text)))
    return OPAQUE.sub(" ", html.unescape(text))


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if not key.startswith("image/"):
                yield key
                yield from _strings(value)


def _forbidden_folders() -> list[str]:
    return sorted({str(Path.home()), sys.prefix, sys.base_prefix, str(REPOSITORY),
                   jupyter_runtime_dir(), os.path.realpath(sys.prefix)})


@pytest.fixture(params=["guarded run", "session cycle"])
def outputs(request, cycle_outputs) -> dict:
    if request.param == "session cycle":  # the full demo cycle, written in-process
        return {"data_dir": cycle_outputs["data_dir"], "out_dir": cycle_outputs["out_dir"],
                "period_dir": cycle_outputs["out_dir"] / "2025-26-Q4"}
    return request.getfixturevalue("guarded_run")


def test_no_output_names_a_folder_of_this_machine_or_an_environment_value(outputs):
    own = [str(Path(outputs[key]).resolve()) for key in ("data_dir", "out_dir")]
    for path in _published(outputs["period_dir"]):
        text = _text(path)
        assert CANARY not in text, path
        for folder in _forbidden_folders():
            match = re.search(re.escape(folder) + r"(?=[/\"'\s:,)]|$)", text)
            assert not match, (path, text[max(0, match.start() - 200):match.end() + 200])
        roots = set(os.listdir("/"))
        for found in ABSOLUTE.finditer(text):
            candidate = found.group()
            if candidate.strip("/").split("/")[0] in roots:
                assert any(candidate.startswith(folder) for folder in own), (path, candidate)


def test_pdfs_and_data_packs_name_no_folder_of_this_machine(guarded_run):
    period_dir = guarded_run["period_dir"]
    pdfs = sorted(period_dir.glob("*.pdf"))
    assert {path.name for path in pdfs} >= {"area-bath-and-north-east-somerset.pdf",
                                            "regional-comparison.pdf", "data-quality.pdf"}
    index = (period_dir / "index.html").read_text()
    assert all(f'href="{path.name}"' in index for path in pdfs)  # the index lists each PDF
    texts = []
    for path in pdfs:
        reader = pypdf.PdfReader(path)
        texts.append(str(dict(reader.metadata or {})))
        texts.append(reader.pages[0].extract_text())
    for path in sorted((period_dir / "data").glob("*.xlsx")):
        workbook = openpyxl.load_workbook(path, read_only=True)
        texts.append(str(vars(workbook.properties)))
        for sheet in workbook.worksheets:
            texts += [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row
                      if cell is not None]
    text = "\n".join(texts)
    assert CANARY not in text
    for folder in _forbidden_folders():
        assert folder not in text, folder


def test_generated_files_have_the_mode_open_gives(guarded_run):
    umask = os.umask(0)
    os.umask(umask)
    for path in _published(guarded_run["period_dir"], binary=True):
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask, path


def test_run_json_and_notebooks_name_folders_relative_to_the_reports(guarded_run):
    period_dir = guarded_run["period_dir"]
    manifest = json.loads((period_dir / "run.json").read_text())
    assert manifest["status"] == "complete"
    assert (period_dir / manifest["store"]).resolve() == guarded_run["store"].resolve()
    assert (period_dir / manifest["data_dir"]).resolve() == guarded_run["data_dir"].resolve()
    for item in manifest["inputs"] + manifest["national_inputs"]:
        assert not Path(item["file"]).is_absolute(), item
    executed = nbformat.read(period_dir / "notebooks" / "data-quality.ipynb", as_version=4)
    recorded = executed.metadata.papermill
    assert recorded.input_path == "data_quality.ipynb"
    assert recorded.output_path == "notebooks/data-quality.ipynb"
    store_path = recorded.parameters.store_path
    assert not Path(store_path).is_absolute()
    assert (period_dir / store_path).resolve() == guarded_run["store"].resolve()
    assert f'store_path = "{store_path}"' in "".join(cell.source for cell in executed.cells)


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_write_atomically_gives_the_mode_open_gives(tmp_path, umask):
    previous = os.umask(umask)
    try:
        write_atomically(tmp_path / "report.html", "<p>whole</p>")
        with open(tmp_path / "plain.txt", "w") as stream:
            stream.write("x")
    finally:
        os.umask(previous)
    mode = (tmp_path / "report.html").stat().st_mode & 0o777
    assert mode == (tmp_path / "plain.txt").stat().st_mode & 0o777 == 0o666 & ~umask
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


def test_scrub_paths_leaves_a_readable_trace_and_no_folder_of_this_machine(tmp_path):
    import papermill

    site_packages = Path(papermill.__file__).resolve().parents[1]
    stdlib = Path(os.__file__).resolve().parent
    data, out = tmp_path / "data", tmp_path / "reports"
    keep = {"<data>": data, "<out>": out}
    trace = "\n".join([
        "Traceback (most recent call last):",
        f'  File "{site_packages}/papermill/execute.py", line 131, in execute_notebook',
        f'  File "{stdlib}/asyncio/base_events.py", line 653, in run_until_complete',
        f'  File "{REPOSITORY}/scrutiny/worker.py", line 120, in execute_job',
        f"\x1b[0;32m{site_packages}/nbclient/client.py\x1b[0m:1009",
        f"Connection file: {Path.home()}/.local/share/jupyter/runtime/kernel-1.json",
        "Kernel file /var/tmp/scrutiny-run-x1/kernel-2.json; PATH=/usr/bin:/bin",
        f"FileNotFoundError: '{data}/returns/a.csv' and {out}/2025-26-Q4/notebooks/x.ipynb",
        "see https://www.gov.uk/home/guidance, ../scrutiny.duckdb, 1/2, </td>",
        "image data:image/png;base64,iVBORw0KGgo//tmp/AAAA",
    ])
    scrubbed = scrub_paths(trace, keep)
    assert scrubbed.splitlines() == [
        "Traceback (most recent call last):",
        '  File "<python>/papermill/execute.py", line 131, in execute_notebook',
        '  File "<python>/asyncio/base_events.py", line 653, in run_until_complete',
        '  File "<python>/scrutiny/worker.py", line 120, in execute_job',
        "\x1b[0;32m<python>/nbclient/client.py\x1b[0m:1009",
        "Connection file: ~/.local/share/jupyter/runtime/kernel-1.json",
        "Kernel file <path>/kernel-2.json; PATH=<path>/bin:<path>/bin",
        "FileNotFoundError: '<data>/returns/a.csv' and <out>/2025-26-Q4/notebooks/x.ipynb",
        "see https://www.gov.uk/home/guidance, ../scrutiny.duckdb, 1/2, </td>",
        "image data:image/png;base64,iVBORw0KGgo//tmp/AAAA",
    ]
    assert scrub_paths(scrubbed, keep) == scrubbed  # scrubbing twice changes nothing
