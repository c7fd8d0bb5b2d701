"""A papermill engine that runs a notebook's cells in the current process.

The runner forks one process per report from a process that has already imported the
reports' code and computed the run's figures (``scrutiny.worker``), so a report pays for its
own cells only: no Jupyter kernel to start, no imports, no figures computed again. Each
notebook still runs in a new IPython shell with an empty namespace, in a process of its own,
and its outputs are what a kernel would have sent: streams, display data and execute results
formatted by the same IPython formatters, and errors with their traceback, so papermill records
a failing cell exactly as it does for a kernel.

A partnership's own deep dives run in a Jupyter kernel instead (papermill's default engine):
analysts write them for JupyterLab, with its inline plots.
"""

from __future__ import annotations

from typing import Any

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import CapturingDisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from papermill.engines import Engine, papermill_engines
from traitlets.config import Config

ENGINE_NAME = "scrutiny-in-process"


class _ResultHook(DisplayHook):
    """Keeps a cell's value (``Out``) as an execute_result, as a kernel would send it."""

    def start_displayhook(self) -> None:
        self.result: dict[str, Any] | None = None

    def write_output_prompt(self) -> None:
        pass  # no "Out[n]:" in a notebook's outputs

    def write_format_data(self, format_dict: dict, md_dict: dict | None = None) -> None:
        self.result = {"data": format_dict, "metadata": md_dict or {}}

    def finish_displayhook(self) -> None:
        pass


class _Shell(InteractiveShell):
    """An IPython shell whose displays and tracebacks are kept for the notebook."""

    displayhook_class = _ResultHook
    display_pub_class = CapturingDisplayPublisher

    def _showtraceback(self, etype, evalue, stb) -> None:  # noqa: ANN001 (IPython's signature)
        self.error = nbformat.v4.new_output(
            "error", ename=getattr(etype, "__name__", str(etype)), evalue=str(evalue),
            traceback=list(stb))


def _new_shell() -> _Shell:
    # the shell is a singleton: a notebook never sees an earlier notebook's namespace
    InteractiveShell.clear_instance()
    _Shell.clear_instance()
    config = Config()
    config.HistoryManager.enabled = False  # no history database shared between reports
    shell = _Shell.instance(config=config)
    shell.error = None
    return shell


def run_cell(shell: _Shell, source: str) -> list:
    """Execute one cell; its outputs, in the order a kernel would send them."""
    shell.error = None
    shell.displayhook.result = None
    with capture_output(display=False) as captured:
        shell.display_pub.outputs = []
        shell.run_cell(source, store_history=True)
        displays = list(shell.display_pub.outputs)
    outputs = []
    if captured.stdout:
        outputs.append(nbformat.v4.new_output("stream", name="stdout", text=captured.stdout))
    if captured.stderr:
        outputs.append(nbformat.v4.new_output("stream", name="stderr", text=captured.stderr))
    outputs += [nbformat.v4.new_output("display_data", data=shown["data"],
                                       metadata=shown.get("metadata") or {})
                for shown in displays]
    result = shell.displayhook.result
    if result is not None:
        outputs.append(nbformat.v4.new_output("execute_result", data=result["data"],
                                              metadata=result["metadata"],
                                              execution_count=shell.execution_count - 1))
    if shell.error is not None:
        outputs.append(shell.error)
    return outputs


class InProcessEngine(Engine):
    """papermill's engine interface over :func:`run_cell`: one new shell per notebook."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs) -> None:  # noqa: ANN001
        shell = _new_shell()
        try:
            for index, cell in enumerate(nb_man.nb.cells):
                nb_man.cell_start(cell, index)
                failed = False
                try:
                    if cell.cell_type == "code":
                        cell.execution_count = shell.execution_count
                        cell.outputs = run_cell(shell, cell.source)
                        failed = any(output.output_type == "error"
                                     for output in cell.outputs)
                finally:
                    if failed:  # papermill marks the cell and stops, as with a kernel
                        nb_man.cell_exception(cell, cell_index=index)
                    nb_man.cell_complete(cell, cell_index=index)
                if failed:
                    break
        finally:
            shell.history_manager.end_session()
            _Shell.clear_instance()


papermill_engines.register(ENGINE_NAME, InProcessEngine)
