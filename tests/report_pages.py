"""Reading the reports' HTML as a reader sees it: pages, and rows of captioned tables."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(Path(path).read_text(encoding="utf-8"), "html.parser")


def table_row(page: BeautifulSoup, caption_start: str, label: str) -> list[str]:
    """The cells of the row labelled ``label`` in the table whose caption starts so."""
    for table in page.find_all("table"):
        caption = table.find("caption")
        if caption and caption.get_text().startswith(caption_start):
            for row in table.find_all("tr"):
                cells = [cell.get_text(" ").strip() for cell in row.find_all(["td", "th"])]
                if cells and cells[0] == label:
                    return cells
    raise AssertionError(f"no row {label!r} in a table captioned {caption_start!r}")
