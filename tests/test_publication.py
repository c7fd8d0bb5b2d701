"""Reports a partnership can publish: every page of the demo run has the publication's header,
links that lead somewhere, a contents list, headings in order under one h1, one stylesheet
that is small and wholly used, and an area report small enough to send; a report prints to a
tagged PDF with page numbers, its contents' pages and its charts."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pypdf
import pytest
from report_pages import soup

from scrutiny import companions, datapack
from scrutiny.cycle import load_cycle
from scrutiny.periods import Period
from scrutiny.publication import STYLESHEET, Page, write_pdf
from scrutiny.render import notebook_to_html
from scrutiny.report.common import CycleFigures
from scrutiny.runner import plan_jobs

PERIOD = "2025-26-Q4"
PARTNERSHIP = "Avon and Somerset (synthetic demonstration)"


@pytest.fixture(scope="module")
def period_dir(cycle_outputs) -> Path:
    return cycle_outputs["out_dir"] / PERIOD


def _reports(period_dir: Path) -> list[Path]:
    return sorted(path for path in period_dir.glob("*.html")
                  if path.name != "index.html" and not path.name.startswith("children-"))


def test_every_report_has_the_header_links_and_one_h1(period_dir):
    reports = _reports(period_dir)
    assert len(reports) == 7
    for path in reports:
        page = soup(path)
        assert page.html["lang"] == "en-GB"
        assert len(page.find_all("h1")) == 1, path.name
        masthead = page.find("header", class_="masthead").get_text(" ", strip=True)
        assert PARTNERSHIP in masthead and "quarter 4 of 2025-26" in masthead
        assert re.search(r"Published \d{1,2} \w+ \d{4}", masthead), masthead
        skip = page.find("a", class_="skip-link")
        assert page.find(id=skip["href"][1:]).name == "main"
        related = {a.get_text(): a["href"] for a in page.select("nav.related a")}
        assert related["All reports for this period"] == "index.html"
        for label in ("Regional comparison", "Data quality"):
            assert label in related or path.name.startswith(
                "regional" if label.startswith("Regional") else "data-quality"), (path, label)
        for href in related.values():
            assert (period_dir / href).is_file(), (path.name, href)  # no link leads nowhere
        assert "Its data (XLSX)" in related, path.name
        if path.name.startswith("area-"):
            assert related["For children and young people"] == "children-" + \
                path.name.removeprefix("area-")


def test_the_contents_lists_every_section_and_headings_are_in_order(period_dir):
    for path in _reports(period_dir):
        page = soup(path)
        contents = page.find("nav", class_="contents")
        targets = [a["href"][1:] for a in contents.find_all("a")]
        sections = [h2["id"] for h2 in page.find_all("h2") if h2.find_parent("nav") is None]
        assert targets == sections, path.name
        levels = [int(h.name[1]) for h in page.find_all(re.compile("^h[1-6]$"))]
        assert levels[0] == 1
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, (path.name, before, after)  # no level skipped
        ids = [tag["id"] for tag in page.find_all(id=True)]
        assert len(ids) == len(set(ids)), path.name


def test_area_reports_open_with_key_findings_and_steps_start_printed_pages(period_dir):
    page = soup(period_dir / "area-bristol-city-of.html")
    entries = [a.get_text() for a in page.select("nav.contents a")]
    assert entries[0] == "Key findings"
    assert [e for e in entries if e.startswith("Step ")] == [
        "Step 1: Leadership and accountability",
        "Step 2: Help and protection across the child's journey",
        "Step 3: Voice of children and families", "Step 4: Learning from reviews",
        "Step 5: Workforce and training", "Step 6: Assurance, impact and improvement"]
    assert len(page.select("section.step")) == 6
    assert ".step { break-before: page; }" in STYLESHEET.read_text()


def test_the_stylesheet_is_small_self_contained_and_wholly_used(period_dir):
    css = STYLESHEET.read_text()
    assert len(css.encode()) < 30_000
    assert "url(" not in css and "@import" not in css  # nothing fetched
    classes = set(re.findall(r"\.([a-zA-Z][\w-]*)", re.sub(r"/\*.*?\*/", "", css, flags=re.S)))
    used = set()
    for path in period_dir.glob("*.html"):
        for tag in soup(path).find_all(class_=True):
            used.update(tag["class"])
    assert classes - used == set()
    for path in period_dir.glob("*.html"):
        text = path.read_text()
        assert text.count("<style") == 1, path.name  # the one stylesheet, no notebook CSS
        assert "jp-" not in text and "<script" not in text, path.name


def test_an_area_report_is_under_700_kb(period_dir):
    sizes = {path.name: path.stat().st_size for path in period_dir.glob("area-*.html")}
    assert len(sizes) == 5
    assert max(sizes.values()) < 700_000, sizes


@pytest.fixture(scope="module")
def area_pdf(period_dir, tmp_path_factory) -> Path:
    return write_pdf(period_dir / "area-somerset.html",
                     tmp_path_factory.mktemp("pdf") / "area-somerset.pdf")


def test_a_report_prints_to_a_tagged_pdf_with_page_numbers_contents_and_charts(area_pdf):
    reader = pypdf.PdfReader(area_pdf)
    pages = len(reader.pages)
    assert pages > 10
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]  # tagged
    assert root["/Lang"] == "en-GB"
    first = reader.pages[0].extract_text()
    assert PARTNERSHIP in first and "Somerset" in first
    assert f"Page 1 of {pages}" in first
    contents = re.findall(r"Step 2: Help and protection across the child's journey[ .]*(\d+)",
                          first)
    assert contents and 1 < int(contents[0]) <= pages  # the contents give pages
    step_two = int(contents[0])
    assert "Step 2: Help and protection" in reader.pages[step_two - 1].extract_text()
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Apr 2023" in text and "process limits" in text  # the charts' own text, as text
    assert "Key findings" in _titles(reader.outline)  # bookmarks from the headings


def _titles(outline: list) -> list[str]:
    """Every bookmark's title, however deeply nested."""
    return [title for item in outline
            for title in (_titles(item) if isinstance(item, list) else [item.title])]


def test_a_data_pack_that_cannot_be_written_is_reported_and_the_rest_are_written(
        cycle_outputs, tmp_path, monkeypatch):
    cycle = load_cycle(cycle_outputs["store"], Period.parse(PERIOD))
    judgements = CycleFigures(cycle).judgements
    jobs = plan_jobs(cycle.partnership, cycle.period, ["E06000022", "E06000023"],
                     cycle_outputs["store"], tmp_path)

    original = datapack.area_pack

    def broken(_judgements, area_code, path):
        if area_code == "E06000023":
            raise ValueError("a deliberate failure")
        return original(_judgements, area_code, path)

    monkeypatch.setattr(datapack, "area_pack", broken)
    written = companions.write_companions(judgements, jobs, tmp_path, ["html"], "1 May 2026")
    assert written.problems == [{"file": "data/area-bristol-city-of.xlsx",
                                 "error": "ValueError: a deliberate failure"}]
    assert set(written.data_packs) == {"area-bath-and-north-east-somerset",
                                       "regional-comparison", "data-quality"}
    assert all((tmp_path / pack).is_file() for pack in written.data_packs.values())
    assert len(written.children_pages) == 3  # two areas and the partnership
    page = companions.page_for(jobs[1], cycle.partnership, cycle.period, "1 May 2026", written)
    assert "Its data (XLSX)" not in {link["label"] for link in page["links"]}


def test_a_rendered_page_keeps_chart_markup_as_drawn_and_gives_every_image_its_text(tmp_path):
    """Outputs as an executed notebook holds them: a chart's SVG keeps its names' case
    (viewBox), an image in a notebook's own HTML without a text alternative gets one, and
    each output type is shown by its best representation."""
    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_markdown_cell("## A section"), nbformat.v4.new_code_cell(
        "", outputs=[
            nbformat.v4.new_output("display_data", data={
                "text/html": '<svg viewBox="0 0 10 10" role="img" aria-label="a square">'
                             '<clipPath id="c"><rect width="5" height="5"/></clipPath></svg>',
                "text/plain": "<Figure>"}),
            nbformat.v4.new_output("display_data", data={
                "text/html": '<p>An analyst\'s table</p><img src="data:image/png;base64,AA==">',
                "text/plain": "plain"})])]
    executed, page = tmp_path / "book.ipynb", tmp_path / "book.html"
    nbformat.write(book, executed)
    notebook_to_html(executed, page, Page(title="A page"))
    html = soup(page)
    (chart,) = html.select("svg")
    assert 'viewBox="0 0 10 10"' in page.read_text() and "<clipPath" in page.read_text()
    assert chart["aria-label"] == "a square"
    assert html.select_one("img")["alt"] == ("An image shown by the notebook, without a "
                                             "description")
    assert "<Figure>" not in page.read_text() and "plain" not in html.get_text()
