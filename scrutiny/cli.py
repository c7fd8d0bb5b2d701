"""The ``scrutiny`` command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from scrutiny import __version__
from scrutiny.options import DEFAULT_REPORT_TIMEOUT, FORMATS, is_national

# Each command imports what it needs when it runs: `scrutiny --help` must not wait for
# pandas, matplotlib and Jupyter.
DEFAULT_OUT = Path("reports")


def known_errors() -> tuple[type[Exception], ...]:
    """Errors whose message is the whole story for a user: shown as one sentence. (Imported
    when something has failed: the module that raised one is loaded by then.)"""
    from scrutiny.cluster import ClusterError
    from scrutiny.contracts import ContractError
    from scrutiny.framework import FrameworkError
    from scrutiny.lab import LabError
    from scrutiny.measures import MeasureError
    from scrutiny.national.errors import NationalDataError
    from scrutiny.partnership import PartnershipError
    from scrutiny.periods import PeriodError
    from scrutiny.runner import RunError
    from scrutiny.sources import UnreadableFile
    from scrutiny.store import StoreError

    return (RunError, LabError, PartnershipError, PeriodError, ContractError, StoreError,
            FrameworkError, MeasureError, NationalDataError, UnreadableFile, ClusterError)


def _formats(_ctx, _param, value: str) -> list[str]:
    chosen = [part.strip().lower() for part in value.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in FORMATS]
    if unknown or "html" not in chosen:
        raise click.BadParameter(f"{value!r}: give html or html,pdf (HTML is always written; "
                                 "it is what the PDF is printed from)")
    return list(dict.fromkeys(chosen))


def _synthetic_demo(data_dir: Path | None, national_dir: Path | None) -> bool:
    """Whether the national files are the demo's generated ones: inside a data folder whose
    partnership is marked synthetic (reports then never present them as official)."""
    if data_dir is None or national_dir is None:
        return False
    from scrutiny.partnership import load_partnership

    inside = Path(national_dir).resolve().is_relative_to(Path(data_dir).resolve())
    return inside and load_partnership(data_dir).synthetic


def _areas(_ctx, _param, values: tuple[str, ...]) -> list[str] | None:
    from scrutiny.options import normalised

    codes = [normalised(code.strip()) for value in values for code in value.split(",")
             if code.strip()]
    if values and not codes:  # given, but blank: never a silent run of every area
        raise click.BadParameter(f"{','.join(values)!r} names no area: give area codes, "
                                 "all-england, a region code or old_la_codes, comma-separated")
    return codes or None


class _Scrutiny(click.Group):
    """Every failure ends in one sentence, no traceback; ``--debug`` shows the traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as error:
            if _debugging(ctx):
                raise
            if isinstance(error, known_errors()):
                raise click.ClickException(str(error)) from error
            raise click.ClickException(
                f"scrutiny stopped on an unexpected error ({type(error).__name__}); run the "
                "same command with --debug to see where, and report it to the maintainers"
            ) from error


def _debugging(ctx: click.Context) -> bool:
    return bool((ctx.obj or {}).get("debug"))


@click.group(cls=_Scrutiny)
@click.version_option(__version__, prog_name="scrutiny")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Independent scrutiny reports for a local safeguarding children partnership."""
    ctx.obj = {"debug": debug}


@main.command()
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of returns with its partnership.toml. Default: the bundled "
                   "synthetic demonstration partnership, written to OUT/demo-data.")
@click.option("--period", help="Quarter to report, e.g. 2025-26-Q4. Default: the latest "
                               "quarter every area has returned.")
@click.option("--areas", multiple=True, callback=_areas,
              help="Area codes to write area reports for (comma-separated or repeated). "
                   "Default: every area. Or, for reports from the national statistics alone "
                   "(--national-dir), all-england, a region code (E12000009) or old_la_codes "
                   "(800,801).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_OUT, show_default=True, help="Where reports are written.")
@click.option("--store", "store_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The DuckDB store. Default: OUT/scrutiny.duckdb.")
@click.option("--national-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of DfE/ONS/Ofsted files downloaded from Explore Education "
                   "Statistics, for benchmarks. Default: DATA/national if it exists.")
@click.option("--framework", "framework_file",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The partnership's framework.toml (with its indicators.toml and measures/ "
                   "beside it, if any). Default: DATA/framework.toml if it exists, else the "
                   "bundled framework.")
@click.option("--workers", type=click.IntRange(1), help="Reports run at once. Default: CPUs.")
@click.option("--timeout", type=click.IntRange(1), default=DEFAULT_REPORT_TIMEOUT,
              show_default=True, metavar="SECONDS",
              help="How long one report may run; a report still running then is stopped, "
                   "with its Jupyter kernel, and marked failed.")
@click.option("--format", "formats", default="html", show_default=True, callback=_formats,
              metavar="html[,pdf]",
              help="What each report is written as: html, or html,pdf to print every report "
                   "to a tagged PDF as well (for committee papers). Every report also gets its "
                   "XLSX data pack.")
@click.option("--dask-scheduler", metavar="ADDRESS",
              help="Run the reports on this Dask cluster (e.g. tcp://scheduler:8786) instead "
                   "of this machine. Every machine must see OUT, the store and the data folder "
                   "at the same paths. Needs pip install 'scrutiny[dask]'.")
@click.option("--force", is_flag=True,
              help="Rebuild every report, even those whose returns, statistics, framework, "
                   "code and options are unchanged since the last run in OUT.")
@click.option("--progress/--no-progress", default=True, show_default=True)
def run(data_dir: Path | None, period: str | None, areas: list[str] | None, out_dir: Path,
        store_path: Path | None, national_dir: Path | None, framework_file: Path | None,
        workers: int | None, timeout: int, formats: list[str], dask_scheduler: str | None,
        force: bool, progress: bool) -> None:
    """Check the returns, store what is valid and write every report for a quarter.

    Only the reports whose inputs have changed since the last run in OUT are written again;
    a run with nothing changed says so and stops.
    """
    from scrutiny.freshness import current_run, run_request

    national = is_national(areas)
    if national:  # reports from the published statistics alone
        if national_dir is None and data_dir is not None and (data_dir / "national").is_dir():
            national_dir = data_dir / "national"
        source = national_dir
    else:
        if data_dir is None:
            from scrutiny import demo

            data_dir = out_dir / "demo-data"
            demo.generate(data_dir)
            click.echo(f"Using the synthetic demonstration partnership in {data_dir}")
        source = data_dir
    request = None
    if source is not None and source.is_dir():  # else the runner says what is wrong with it
        request = run_request(source, out_dir, store_path, None if national else national_dir,
                              framework_file, period, areas, formats)
        current = None if force else current_run(out_dir, request,
                                                 store_path or out_dir / "scrutiny.duckdb")
        if current:
            run_file, earlier = current
            click.echo(f"Nothing has changed since the run of {earlier['finished_at']}: its "
                       f"{len(earlier['reports'])} reports for {earlier['period']} are current "
                       "(--force rebuilds them).")
            click.echo(f"Reports for {earlier['period']}: {run_file.parent / 'index.html'}")
            return
    from scrutiny.runner import RunInterrupted, run_cycle

    try:
        if national:
            from scrutiny.national_run import run_national

            result = run_national(
                national_dir, out_dir, areas, store_path=store_path, workers=workers,
                progress=progress, report_timeout=timeout, formats=formats, force=force,
                request=request, synthetic=_synthetic_demo(data_dir, national_dir),
                dask_scheduler=dask_scheduler)
        else:
            result = run_cycle(data_dir, out_dir, period=period, area_codes=areas,
                               store_path=store_path, national_dir=national_dir,
                               workers=workers, progress=progress,
                               framework_file=framework_file, report_timeout=timeout,
                               formats=formats, force=force, request=request,
                               dask_scheduler=dask_scheduler)
    except RunInterrupted as stopped:  # one sentence, the shell's exit code for the signal
        click.echo(str(stopped), err=True)
        sys.exit(stopped.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted by Ctrl-C (SIGINT) before the reports started: no report "
                   "was written.", err=True)
        sys.exit(130)
    if result.ingest is not None:
        click.echo(f"Returns: {result.ingest.summary()}")
    for outcome in result.outcomes:
        mark = "ok" if outcome.status == "ok" else f"FAILED ({outcome.error})"
        if outcome.kept:
            mark += " (unchanged, kept)"
        click.echo(f"  {outcome.title}: {mark}")
    click.echo(f"Reports for {result.out_dir.name}: {result.out_dir / 'index.html'}")
    if result.failed:
        click.echo(f"{len(result.failed)} report(s) failed; details in "
                   f"{result.out_dir / 'notebooks'}", err=True)
        sys.exit(1)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--data", "data_dir", type=click.Path(exists=True, file_okay=False,
                                                     path_type=Path),
              help="A partnership's data folder: its areas and its framework's code lists go "
                   "into the guidance. Default: an example partnership and the bundled "
                   "framework.")
def templates(directory: Path, data_dir: Path | None) -> None:
    """Write a blank template and guidance for every return type into DIRECTORY."""
    from scrutiny.framework import load_framework
    from scrutiny.partnership import load_partnership
    from scrutiny.return_templates import write_templates

    written = write_templates(directory, *(
        (load_partnership(data_dir), load_framework(data_dir)) if data_dir else ()))
    click.echo(f"Wrote {len(written)} files to {directory}:")
    for path in written:
        click.echo(f"  {path.name}")


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def demo(directory: Path) -> None:
    """Write the synthetic demonstration partnership's returns into DIRECTORY."""
    from scrutiny import demo as demo_data

    written = demo_data.generate(directory)
    click.echo(f"Wrote {len(written)} files to {directory} (synthetic demonstration data)")


@main.group()
def national() -> None:
    """Official statistics (DfE, ONS, Ofsted) downloaded from Explore Education Statistics."""


@national.command("export")
@click.option("--source", "source_dir", required=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of the files downloaded from Explore Education Statistics.")
@click.option("--out", "out_file", required=True,
              type=click.Path(dir_okay=False, path_type=Path), help="CSV file to write.")
def national_export(source_dir: Path, out_file: Path) -> None:
    """Write every indicator for every local authority, region and England as one CSV."""
    import time

    from scrutiny.national import NationalDataError, export_national

    started = time.perf_counter()
    try:
        table = export_national(source_dir, out_file)
    except NationalDataError as error:
        raise click.ClickException(str(error)) from error
    for problem in table.attrs.get("problems", []):
        click.echo(f"Skipped: {problem}", err=True)
    click.echo(f"Wrote {len(table):,} rows ({table['indicator_id'].nunique()} indicators, "
               f"{table['area_code'].nunique()} areas) to {out_file} in "
               f"{time.perf_counter() - started:.1f} s")


@main.command("new-theme")
@click.argument("name")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_OUT / "demo-data", show_default=True,
              help="The partnership's data folder (with its partnership.toml).")
@click.option("--framework", "framework_file",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The partnership's framework.toml to add the theme to (its indicator, "
                   "measure and test go beside it), as `scrutiny run --framework` reads it. "
                   "Default: DATA/framework.toml if it exists, else a copy of the bundled "
                   "framework written there.")
@click.option("--id", "theme_id", metavar="ID",
              help="The theme's id, as returns write it (2 to 40 small letters, digits or _). "
                   "Default: made from NAME.")
def new_theme(name: str, data_dir: Path, framework_file: Path | None,
              theme_id: str | None) -> None:
    """Add a priority theme NAME: its framework entry, an indicator with a worked-example
    measure and a test (beside the framework), and a deep-dive notebook (in the data
    folder)."""
    from scrutiny.scaffold import new_theme as scaffold

    made = scaffold(data_dir, name, framework_file=framework_file, theme_id=theme_id)
    click.echo(f"Theme {made.title!r} added with the id {made.theme_id!r} (the id returns "
               "use for it; --id chooses another):")
    for path in made.written:
        click.echo(f"  {path}")
    run = f"scrutiny run --data {data_dir}" + (f" --framework {framework_file}"
                                               if framework_file else "")
    click.echo(f"Next: edit them, test the measure with `pytest {made.tests_dir}`, then "
               f"`{run}`: the theme, its indicator {made.indicator_id!r} and its deep dive "
               "appear in the reports.")


@main.command(context_settings={"ignore_unknown_options": True})
@click.option("--data", "data_dir", type=click.Path(exists=True, file_okay=False,
                                                     path_type=Path),
              help="Open the partnership's data folder (deep dives, measures, framework). "
                   "Default: the report notebooks.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_OUT, show_default=True, help="Where the runs were written.")
@click.argument("jupyter_options", nargs=-1, type=click.UNPROCESSED)
def lab(data_dir: Path | None, out_dir: Path, jupyter_options: tuple[str, ...]) -> None:
    """Open JupyterLab with the store and period of the latest run set. Options after the
    known ones go to JupyterLab (e.g. --no-browser --port 8890)."""
    from scrutiny.lab import lab_command

    command, environment, root = lab_command(out_dir, data_dir)
    command += list(jupyter_options)
    click.echo(f"JupyterLab on {root}, with SCRUTINY_STORE={environment['SCRUTINY_STORE']} and "
               f"SCRUTINY_PERIOD={environment['SCRUTINY_PERIOD']}")
    sys.exit(subprocess.call(command, env=environment))


if __name__ == "__main__":
    main()
