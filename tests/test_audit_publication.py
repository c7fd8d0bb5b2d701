"""Publication with what a partnership really brings: a deep dive whose own HTML has scripts,
pictures from the network, ids of the page's own, no title and headings out of order; names
and titles with markup, formula starts, gptables markup and very long words; and a chart taller
than a printed page."""

from __future__ import annotations

import re

import nbformat
import openpyxl
import pandas as pd
import pytest
import weasyprint
from bs4 import BeautifulSoup

from scrutiny import charts, datapack
from scrutiny.present import figure_html
from scrutiny.publication import Page, stylesheet, write_pdf
from scrutiny.render import notebook_to_html

PAGE = Page(title="Bristol: Neglect deep dive: A partnership, 2025-26-Q4",
            partnership="A partnership", subject="Bristol", period="quarter 4 of 2025-26")


def _rendered(tmp_path, cells) -> tuple[str, BeautifulSoup]:
    book = nbformat.v4.new_notebook()
    book.cells = cells
    executed, page = tmp_path / "dive.ipynb", tmp_path / "dive.html"
    nbformat.write(book, executed)
    notebook_to_html(executed, page, PAGE)
    text = page.read_text(encoding="utf-8")
    return text, BeautifulSoup(text, "html.parser")


def _html_output(markup: str):
    return nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": markup, "text/plain": "plain"})])


def test_a_deep_dives_own_html_loads_nothing_and_runs_nothing(tmp_path):
    text, page = _rendered(tmp_path, [
        nbformat.v4.new_markdown_cell("# Neglect\n\n<img src='http://evil.example/t.png'>"),
        _html_output(
            '<script>document.title = 1</script><script src="https://cdn.example/p.js"></script>'
            '<link rel="stylesheet" href="https://evil.example/x.css">'
            '<iframe src="https://evil.example/"></iframe>'
            '<img src="https://evil.example/a.png" alt="Referrals by month">'
            '<img src="data:image/png;base64,AA==" onerror="alert(1)">'
            '<a href="javascript:alert(1)">click</a>'
            '<style>@import url(https://evil.example/s.css);</style>'
            '<p style="background: url(https://evil.example/b.png)">styled</p>'
            '<svg viewBox="0 0 1 1" onload="alert(1)"><script>alert(2)</script>'
            '<image href="https://evil.example/i.png"/></svg>')])
    assert "<script" not in text and "evil.example" not in text and "cdn.example" not in text
    assert not page.find_all(["link", "iframe"])
    assert not re.search(r"\son\w+=", text) and "javascript:" not in text
    assert "Referrals by month" in page.get_text()  # an outside image's words are kept
    assert page.select_one('img[src^="data:"]')["alt"]  # an image of the page's own stays
    assert 'viewBox="0 0 1 1"' in text  # a chart's markup is kept as drawn
    assert page.find("meta", charset=True) is not None  # the page's own head is left alone


def test_a_deep_dive_without_a_title_gets_one_h1_headings_in_order_and_unique_ids(tmp_path):
    _text, page = _rendered(tmp_path, [
        nbformat.v4.new_markdown_cell("Some words first.\n\n#### Straight to level four"),
        _html_output('<div id="main"><h2 id="contents">Ours</h2><h5>Deeper</h5>'
                     '<p id="x">one</p><p id="x">two</p></div>')])
    (h1,) = page.find_all("h1")
    assert h1.get_text() == PAGE.title
    levels = [int(tag.name[1]) for tag in page.find_all(re.compile(r"^h[1-6]$"))]
    assert levels[0] == 1
    assert all(after <= before + 1 for before, after in zip(levels, levels[1:], strict=False))
    ids = [tag["id"] for tag in page.find_all(id=True)]
    assert len(ids) == len(set(ids)), ids
    skip = page.find("a", class_="skip-link")
    assert page.find(id=skip["href"][1:]).name == "main"  # the skip link still leads to main
    for link in page.select('a[href^="#"]'):  # the contents lead to their sections
        assert page.find(id=link["href"][1:]) is not None, link


def test_titles_from_the_framework_never_become_a_link_or_a_note_in_a_data_pack(tmp_path):
    title = 'Step 2, Help $$shorthand$$ [link](http://evil.example) =1+1'
    sheet = datapack._Sheet(
        "Step_2", pd.DataFrame({"Indicator": ["Referrals"], "Value": ["12.5"]}), title,
        "This worksheet contains one table.", "Returns.", notes=("rounding",),
        figures=("Value",), legend=())
    pack = datapack._Pack("A pack", ["What it is."], ["About it."],
                          datapack._notes(5, synthetic=False), [sheet])
    with_notes = openpyxl.load_workbook(pack.write(tmp_path / "pack.xlsx"))
    for worksheet in with_notes.worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                if worksheet.title != "Contents":
                    assert cell.hyperlink is None, (worksheet.title, cell.coordinate)
    a1 = with_notes["Step_2"]["A1"].value
    assert "[link] (http://evil.example)" in a1 and "$ $shorthand$ $" in a1
    assert "[note" not in a1  # the title refers to no note; the table refers to its own
    numbers = [row[0] for row in with_notes["Notes"].iter_rows(min_row=4, values_only=True)]
    assert numbers == [1]  # only the note the table asked for, none the title slipped in
    contents = [cell.value for row in with_notes["Contents"].iter_rows() for cell in row]
    assert any(isinstance(text, str) and "[link] (http://evil.example)" in text
               for text in contents)


def _page_with(body: str) -> str:
    return (f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
            f"<style>{stylesheet()}</style></head><body><main id=\"main\">{body}</main>"
            "</body></html>")


def _replaced_boxes(box):
    if type(box).__name__.endswith("ReplacedBox"):
        yield box
    for child in getattr(box, "children", None) or []:
        yield from _replaced_boxes(child)


def test_a_chart_taller_than_a_page_is_printed_whole_on_one_page(tmp_path):
    panels = []
    for number in range(12):  # twelve small multiples: 6 rows of 3 inches, taller than A4
        frame = pd.DataFrame([{"time_period": year, "comparator": comparator,
                               "value": 10.0 + number + shift, "shown": f"{10 + number}"}
                              for year in range(2021, 2026)
                              for comparator, shift in (("area", 0), ("england", 1))])
        panels.append((f"Statistic {number}", frame))
    chart = charts.trend_lines(panels, {"area": ("Area", charts.BLUE, "-"),
                                        "england": ("England", charts.BLACK, "--")})
    html = tmp_path / "tall.html"
    html.write_text(_page_with(figure_html(chart, "Published figures by year")),
                    encoding="utf-8")
    document = weasyprint.HTML(filename=str(html)).render()
    (picture,) = [box for page in document.pages
                  for box in _replaced_boxes(page._page_box)]
    page_box = next(page._page_box for page in document.pages
                    if picture in list(_replaced_boxes(page._page_box)))
    bottom = page_box.content_box_y() + page_box.height
    assert picture.position_y + picture.margin_height() <= bottom + 0.5  # nothing cut off
    assert picture.width <= page_box.width + 0.5
    drawn = charts.svg_size(re.search(r"<svg.*?</svg>", html.read_text(), re.S).group())
    assert picture.width / picture.height == pytest.approx(drawn[0] / drawn[1], rel=0.01)
    write_pdf(html, tmp_path / "tall.pdf")  # and it prints


@pytest.mark.parametrize("template", ["publication", "children"])
def test_a_very_long_name_wraps_inside_the_page(template, tmp_path):
    name = "NorthSomerset" * 12  # no space to break at
    if template == "publication":
        html = _page_with(f"<h1>{name}: scrutiny report</h1><p>About {name}.</p>")
    else:
        from scrutiny.render import page_from_template

        class Summary:
            title = f"Keeping children safe in {name}: what we found"

            def intro(self):
                return f"Every few months, people check how well children in {name} are safe."

            def when(self):
                return ""

            def next_steps(self):
                return ""

            def help(self):
                return ""

        html = page_from_template("children.html.j2", summary=Summary(),
                                  sections={"a": [], "b": []}, links={}, synthetic=False,
                                  synthetic_notice="", nothing="", short_version="",
                                  going_well="a", to_get_better="b")
    document = weasyprint.HTML(string=html).render()
    page = document.pages[0]._page_box
    right = page.content_box_x() + page.width

    def widest(box):
        yield box.position_x + box.margin_width()
        for child in getattr(box, "children", None) or []:
            yield from widest(child)

    # nothing runs off the page, so a reader never scrolls sideways
    assert max(x for child in page.children for x in widest(child)) <= right + 1

