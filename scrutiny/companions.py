"""What goes with the reports of a period, and the links between them.

Each report gets a data pack (an accessible XLSX of its figures, :mod:`scrutiny.datapack`);
each area and the partnership get a one-page summary for children and young people
(:mod:`scrutiny.children`). Both are written by the runner from the run's judgements before
any report starts (in forked processes, one per CPU), so every report's page can link to
them. This module names those files and builds each report's page header
(:class:`scrutiny.publication.Page`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

from scrutiny import __version__, datapack
from scrutiny.children import children_page
from scrutiny.cycle import PARTNERSHIP_CODE
from scrutiny.forking import can_fork, forked_pool
from scrutiny.judgements import Judgements
from scrutiny.partnership import Partnership
from scrutiny.periods import Period
from scrutiny.publication import Page, write_pdf
from scrutiny.render import write_atomically
from scrutiny.report.data import DATA_DIR, INDICATORS_FILE
from scrutiny.worker import Job

INDEX = "index.html"
REGIONAL, QUALITY = "regional-comparison", "data-quality"
PARTNERSHIP_SLUG = "partnership"


@dataclass
class Companions:
    """The files written beside the reports, by report slug."""

    data_packs: dict[str, str] = field(default_factory=dict)  # slug -> data/<slug>.xlsx
    children: dict[str, str] = field(default_factory=dict)  # area slug or "partnership" -> html
    children_pages: list[dict[str, str]] = field(default_factory=list)  # for the index
    problems: list[dict[str, str]] = field(default_factory=list)  # {"file", "error"}

    def as_dict(self) -> dict:
        return asdict(self)


def area_slug(job: Job) -> str:
    """The part of an area report's slug that names its area ("area-somerset" -> "somerset")."""
    return job.slug.removeprefix("area-")


def write_companions(judgements: Judgements, jobs: list[Job], period_dir: Path,
                     formats: list[str], published: str, *, workers: int | None = None
                     ) -> Companions:
    """Write every report's data pack and the children's summaries into ``period_dir``,
    ``workers`` files at once (one per CPU by default) in forked processes where the system
    allows."""
    period_dir = Path(period_dir)
    companions = Companions()
    cycle = judgements.cycle
    packs: list[tuple[str, str]] = []  # (report slug, data/<slug>.xlsx)
    tasks: list[Callable[[], list[dict[str, str]]]] = []
    for job in jobs:
        relative = f"{DATA_DIR}/{job.slug}.xlsx"
        if job.kind == "area":
            write = partial(datapack.area_pack, judgements, job.parameters["area_code"])
        elif job.kind == "regional":
            write = partial(datapack.regional_pack, judgements)
        elif job.kind == "quality":
            write = partial(datapack.quality_pack, cycle)
        else:
            continue  # a deep dive is the partnership's own notebook: its data is its own
        packs.append((job.slug, relative))
        tasks.append(partial(_problems, [(relative, write, (period_dir / relative,))]))
    summaries = [(area_slug(job), job.parameters["area_code"], job.slug)
                 for job in jobs if job.kind == "area"]
    if any(job.kind == "regional" for job in jobs):
        summaries.append((PARTNERSHIP_SLUG, PARTNERSHIP_CODE, REGIONAL))
    for name, code, report in summaries:
        page = f"children-{name}.html"
        links = {"index": INDEX, "report": f"{report}.html"}
        steps = [(page, _children_file, (period_dir / page, judgements, code, links))]
        pdf = period_dir / Path(page).with_suffix(".pdf").name
        if "pdf" in formats:
            steps.append((pdf.name, write_pdf, (period_dir / page, pdf)))
        else:
            pdf.unlink(missing_ok=True)  # an earlier run's, out of date now
        tasks.append(partial(_problems, steps))
    if packs:
        datapack.figures_for(judgements)  # once, here: the forked processes inherit it
    results = _run_all(tasks, workers)
    for (slug, relative), problems in zip(packs, results[:len(packs)], strict=True):
        companions.problems += problems
        if not problems:
            companions.data_packs[slug] = relative
    for (name, code, _report), problems in zip(summaries, results[len(packs):], strict=True):
        companions.problems += problems
        failed = {problem["file"] for problem in problems}
        page = f"children-{name}.html"
        if page in failed:
            continue
        pdf = Path(page).with_suffix(".pdf").name
        companions.children[name] = page
        companions.children_pages.append({
            "title": cycle.area_name(code) if code != PARTNERSHIP_CODE
            else cycle.partnership.name,
            "html": page, "pdf": pdf if "pdf" in formats and pdf not in failed else ""})
    return companions


def _children_file(path: Path, judgements: Judgements, code: str, links: dict) -> None:
    write_atomically(path, children_page(judgements, code, links))


def _problems(steps: list[tuple[str, Callable[..., object], tuple]]) -> list[dict[str, str]]:
    """Write one companion file after another, stopping at the first that fails (a PDF needs
    its page); a failure is recorded, and the reports are still written."""
    for name, write, arguments in steps:
        try:
            write(*arguments)
        except Exception as problem:  # noqa: BLE001 - one file must not stop the run
            return [{"file": name, "error": f"{type(problem).__name__}: {problem}"}]
    return []


# The tasks of the current write_companions, set before its pool forks: each process inherits
# them (judgements and all) and is sent only which one to do.
_TASKS: list[Callable[[], list[dict[str, str]]]] = []


def _run_task(index: int) -> list[dict[str, str]]:
    return _TASKS[index]()


def _run_all(tasks: list[Callable[[], list[dict[str, str]]]], workers: int | None
             ) -> list[list[dict[str, str]]]:
    """Each task's problems, in order; in forked processes where that helps, else here."""
    global _TASKS
    workers = max(1, min(workers or os.cpu_count() or 1, len(tasks)))
    if workers == 1 or not can_fork():
        return [task() for task in tasks]
    _TASKS = tasks
    try:
        with forked_pool(workers) as pool:
            return list(pool.map(_run_task, range(len(tasks))))
    except BrokenProcessPool:  # a process died (killed, out of memory): write them here
        return [task() for task in tasks]
    finally:
        _TASKS = []


def page_for(job: Job, partnership: Partnership, period: Period, published: str,
             companions: Companions) -> dict:
    """The header, links and footer of one report's page (a :class:`Page` without its title,
    which is the job's)."""
    area_code = job.parameters.get("area_code")
    subject = partnership.area(area_code).name if area_code else job.title
    links = [{"label": "All reports for this period", "href": INDEX}]
    if job.kind != "regional":
        links.append({"label": "Regional comparison", "href": f"{REGIONAL}.html"})
    if job.kind != "quality":
        links.append({"label": "Data quality", "href": f"{QUALITY}.html"})
    children = companions.children.get(
        area_slug(job) if job.kind == "area" else PARTNERSHIP_SLUG
        if job.kind == "regional" else "")
    if children:
        links.append({"label": "For children and young people", "href": children})
    if "pdf" in job.formats:
        links.append({"label": "This report as a PDF", "href": f"{job.slug}.pdf"})
    if job.slug in companions.data_packs:
        links.append({"label": "Its data (XLSX)", "href": companions.data_packs[job.slug]})
    links.append({"label": "All figures (CSV)", "href": INDICATORS_FILE})
    notice = (" Synthetic demonstration data: every figure is generated."
              if partnership.synthetic else "")
    return asdict(Page(
        title=f"{job.title}: {partnership.name}, {period.label}", partnership=partnership.name,
        subject=subject, period=f"quarter {period.quarter} of {period.year.label}",
        published=published, links=links,
        footer=f"An independent scrutiny report for {partnership.name}, written by scrutiny "
               f"{__version__} from returns checked against their data contracts.{notice}"))
