"""A report as a publication: the page around a rendered notebook, and its PDF.

The nbconvert template (``templates/nbconvert/scrutiny``) gives every report the same page:
the partnership, the report's subject, the period and the publication date in a header (and,
printed, on every page), links to the period's other reports and files, and one stylesheet
(``templates/publication.css``). What only the rendered page knows is added here: a contents
list of its sections, ids for the headings it links to, one ``h1``, scrollable wrappers that
a keyboard can reach for tables wider than the column, and a text alternative for any image
without one. A notebook's own HTML (a deep dive's) is made to keep the page's promises too:
nothing in it runs a script or loads anything from outside the page, ids are unique, headings
skip no level, and a page without a title of its own gets its title as its h1. The PDF is the
same page printed by WeasyPrint, tagged for screen readers (PDF/UA-1), with page numbers and
the contents' pages.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from bs4 import BeautifulSoup

STYLESHEET = Path(__file__).parent / "templates" / "publication.css"
CONTENTS_TITLE = "Contents"


@cache
def stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


@dataclass
class Page:
    """What the page around a report says: its header, links and footer."""

    title: str  # the browser tab's title
    partnership: str = ""
    subject: str = ""  # the area, "Regional comparison", "Data quality"
    period: str = ""
    published: str = ""  # the date the reports were written, e.g. "21 November 2026"
    links: list[dict[str, str]] = field(default_factory=list)  # {"label", "href"}
    footer: str = ""

    def resources(self) -> dict:
        """What the nbconvert template reads (``resources.scrutiny``)."""
        return {**asdict(self), "stylesheet": stylesheet()}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def finish(page_html: str) -> str:
    """The rendered page with its contents list, heading ids, one h1 and table wrappers."""
    # charts are set aside while the page is parsed: an HTML parser would lower-case their
    # SVG names (viewBox, clipPath), and there is nothing in them to change
    charts: list[str] = []

    def aside(match: re.Match) -> str:
        charts.append(_SVG_ACTIVE.sub("", match.group()))  # as drawn, less any script
        return f"<!--chart {len(charts) - 1}-->"

    soup = BeautifulSoup(_SVG.sub(aside, page_html), "html.parser")
    for link in soup.select("a.anchor-link"):  # nbconvert's pilcrows: links with no name
        link.decompose()
    _self_contained(soup.find("main") or soup)  # the notebook's outputs, not the page's head
    for image in soup.select("img:not([alt])"):  # in a deep dive's own HTML, say
        image["alt"] = "An image shown by the notebook, without a description"
    headings = soup.find_all("h1")
    for extra in headings[1:]:  # one h1 per page: a deep dive's own title becomes a section
        extra.name = "h2"
    if not headings:  # a deep dive without a title of its own: the page's title
        _insert_title(soup)
    _headings_in_order(soup)
    used: set[str] = set()
    for tag in soup.find_all(id=True):  # the first keeps its id (the skip link's "main")
        tag["id"] = _unique(tag["id"], used)
    entries = []
    for heading in soup.find_all("h2"):
        if not heading.get("id"):
            heading["id"] = _unique(slug(heading.get_text()), used)
        entries.append((heading["id"], heading.get_text(" ", strip=True)))
    for table in soup.find_all("table"):
        _align_numbers(table)
        if table.parent is not None and "table-wrap" not in (table.parent.get("class") or []):
            caption = table.find("caption")
            wrapper = soup.new_tag("div", attrs={
                "class": "table-wrap", "role": "region", "tabindex": "0",
                "aria-label": caption.get_text(" ", strip=True) if caption else "Table"})
            table.wrap(wrapper)
    if entries:
        _insert_contents(soup, entries, used)
    return _CHART.sub(lambda match: charts[int(match.group(1))], str(soup))


_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_CHART = re.compile(r"<!--chart (\d+)-->")
# in an SVG of a notebook's own: a script, an event handler, a link to another file
_SVG_ACTIVE = re.compile(r"<script\b.*?</script\s*>|<script\b[^>]*/>"
                         r"|\son[a-z]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+)"
                         r"|\s(?:xlink:)?href\s*=\s*(?:\"(?!#|data:)[^\"]*\"|'(?!#|data:)[^']*')",
                         re.S | re.I)
# what a notebook's own HTML (a deep dive's) may hold that would run code or fetch from the
# network when the page is opened or printed: a publication has none of it
_ACTIVE = ("script", "noscript", "link", "iframe", "frame", "object", "embed", "base",
           "meta", "applet", "audio", "video", "source", "track")
_HEADING = re.compile(r"^h[1-6]$")
_FETCHES = re.compile(r"url\s*\(|@import", re.I)


def _self_contained(body) -> None:
    """Remove scripts, event handlers and anything loaded from outside the page; an image
    from elsewhere is replaced by its text alternative."""
    for tag in body.find_all(_ACTIVE):
        tag.decompose()
    for tag in body.find_all("style"):  # a notebook's own styles may import from elsewhere
        if _FETCHES.search(tag.get_text()):
            tag.decompose()
    for tag in body.find_all(style=_FETCHES):
        del tag["style"]
    for tag in body.find_all(True):
        for name in [name for name in tag.attrs if name.lower().startswith("on")
                     or name.lower() in ("srcset", "background", "poster")]:
            del tag[name]
        if str(tag.get("href", "")).strip().lower().startswith(("javascript:", "vbscript:")):
            del tag["href"]
    for tag in body.find_all(src=True):
        if not str(tag["src"]).strip().lower().startswith("data:"):
            alt = tag.get("alt", "") if tag.name == "img" else ""
            if alt:
                tag.replace_with(alt)
            else:
                tag.decompose()


def _insert_title(soup: BeautifulSoup) -> None:
    """An h1 with the page's title at the top of the report."""
    heading = soup.new_tag("h1")
    heading.string = soup.title.get_text(" ", strip=True) if soup.title else "Report"
    main = soup.find("main")
    if main is not None:
        main.insert(0, heading)
    elif soup.body is not None:
        soup.body.insert(0, heading)
    else:
        soup.insert(0, heading)


def _headings_in_order(soup: BeautifulSoup) -> None:
    """No heading level skipped: a heading deeper than one below the heading before it (a
    deep dive's "####" under the page's h1) is raised to that level."""
    previous = 1
    for heading in soup.find_all(_HEADING):
        level = min(int(heading.name[1]), previous + 1)
        heading.name = f"h{level}"
        previous = level


LAST_ALIGNED_COLUMN = 16  # publication.css has a rule for columns 2 to 16
# a cell of figures: a number, percentage or rate, a range, or a symbol for a hidden figure
_FIGURE = re.compile(r"^(?:[-–]?[\d,]+(?:\.\d+)?%?(?: to [\d,]+(?:\.\d+)?%?)?|[cxz–]|\[[a-z]+\])$")


def _align_numbers(table) -> None:
    """Mark the columns of figures (``data-figures="4 5"``), which the stylesheet right-aligns
    as statistical tables do, so that digits line up; one attribute a table, not one a cell."""
    rows = [row.find_all(["td", "th"]) for row in table.find_all("tr")]
    body = [cells for cells in rows if cells and cells[0].find_parent("thead") is None]
    width = max((len(cells) for cells in rows), default=0)
    figures = []
    for column in range(1, min(width, LAST_ALIGNED_COLUMN)):
        texts = [cells[column].get_text(strip=True) for cells in body if len(cells) > column]
        if texts and all(_FIGURE.match(text) for text in texts) and any(
                any(character.isdigit() for character in text) for text in texts):
            figures.append(str(column + 1))  # CSS counts columns from 1
    if figures:
        table["data-figures"] = " ".join(figures)


def _unique(name: str, used: set[str]) -> str:
    candidate, number = name, 2
    while candidate in used:
        candidate, number = f"{name}-{number}", number + 1
    used.add(candidate)
    return candidate


def _insert_contents(soup: BeautifulSoup, entries: list[tuple[str, str]], used: set[str]
                     ) -> None:
    """A contents list after the title's section (the one holding the h1)."""
    title_id = _unique("contents", used)
    nav = soup.new_tag("nav", attrs={"class": "contents", "aria-labelledby": title_id})
    heading = soup.new_tag("h2", attrs={"id": title_id})
    heading.string = CONTENTS_TITLE
    listing = soup.new_tag("ol")
    for anchor, text in entries:
        item = soup.new_tag("li")
        link = soup.new_tag("a", attrs={"href": f"#{anchor}"})
        link.string = text
        item.append(link)
        listing.append(item)
    nav.extend([heading, listing])
    h1 = soup.find("h1")
    after = h1.find_parent("section") or h1 if h1 is not None else None
    if after is not None:
        after.insert_after(nav)
    else:
        main = soup.find("main")
        (main.insert(0, nav) if main is not None else soup.insert(0, nav))


def write_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print a report page to PDF: tagged (PDF/UA-1) for screen readers, charts as vectors."""
    from weasyprint import HTML  # imported here: only a run asked for PDFs pays for it

    from scrutiny.render import write_bytes_atomically

    document = HTML(filename=str(html_path), base_url=str(Path(html_path).parent))
    write_bytes_atomically(pdf_path, document.write_pdf(pdf_variant="pdf/ua-1",
                                                        pdf_tags=True))
    return pdf_path
