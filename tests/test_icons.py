"""Making Data Count icons: valid, accessible SVG that says its meaning in letters and words.

Contrast is checked with WCAG 2.2's own formulas, computed here from the colours the markup
actually carries: letters and marks against their circle's fill (4.5:1, small text), and each
circle's ring against a white page (3:1, graphics).
"""

import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from scrutiny.icons import assurance_icon, icons_key, variation_icon
from scrutiny.spc import (
    ASSURANCE_FAIL,
    ASSURANCE_HIT_AND_MISS,
    ASSURANCE_PASS,
    COMMON_CAUSE,
    CONCERNING,
    HIGHER,
    IMPROVING,
    LOWER,
    special_cause_direction,
    variation,
    xmr,
)

SVG = "{http://www.w3.org/2000/svg}"

# (variation, direction) -> (words the aria-label must hold, letter shown or None)
VARIATIONS = {
    (COMMON_CAUSE, ""): ("common cause", None),
    (COMMON_CAUSE, "high"): ("common cause", None),  # direction ignored
    (COMMON_CAUSE, "low"): ("common cause", None),
    (IMPROVING, "high"): ("special cause of improvement, high", "H"),
    (IMPROVING, "low"): ("special cause of improvement, low", "L"),
    (CONCERNING, "high"): ("special cause of concern, high", "H"),
    (CONCERNING, "low"): ("special cause of concern, low", "L"),
    (HIGHER, ""): ("neither improvement nor concern, high", "H"),
    (HIGHER, "high"): ("neither improvement nor concern, high", "H"),
    (LOWER, ""): ("neither improvement nor concern, low", "L"),
    (LOWER, "low"): ("neither improvement nor concern, low", "L"),
}
ASSURANCES = {
    ASSURANCE_PASS: ("consistently passing", "P"),
    ASSURANCE_FAIL: ("consistently failing", "F"),
    ASSURANCE_HIT_AND_MISS: ("hit and miss", "?"),
}


def all_icons() -> list[str]:
    return [variation_icon(v, d) for v, d in VARIATIONS] + [assurance_icon(a) for a in ASSURANCES]


# WCAG 2.2 relative luminance and contrast ratio
def luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1)


def check_svg(markup: str, words: str, letter: str | None) -> ET.Element:
    root = ET.fromstring(markup)  # valid XML
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert words in root.get("aria-label").lower()
    assert words in root.find(f"{SVG}title").text.lower()
    assert not any("id" in element.attrib for element in root.iter())
    assert " id=" not in markup
    texts = [t.text for t in root.iter(f"{SVG}text")]
    if letter:
        assert letter in texts
    else:
        assert not {"H", "L"} & set(texts)
    assert len(markup) < 1500
    return root


@pytest.mark.parametrize(("state", "direction"), list(VARIATIONS))
def test_variation_icon(state, direction):
    words, letter = VARIATIONS[(state, direction)]
    root = check_svg(variation_icon(state, direction), words, letter)
    assert root.get("aria-label").startswith("Variation: ")


@pytest.mark.parametrize("state", list(ASSURANCES))
def test_assurance_icon(state):
    words, letter = ASSURANCES[state]
    root = check_svg(assurance_icon(state), words, letter)
    assert root.get("aria-label").startswith("Assurance: ")


def test_improvement_and_concern_differ_by_more_than_colour():
    """Same letter, same series: a tick for improvement, "!" for concern."""
    better = ET.fromstring(variation_icon(IMPROVING, "high"))
    worse = ET.fromstring(variation_icon(CONCERNING, "high"))
    assert [t.text for t in worse.iter(f"{SVG}text")] == ["H", "!"]
    assert [t.text for t in better.iter(f"{SVG}text")] == ["H"]
    assert len(list(better.iter(f"{SVG}polyline"))) == 2  # series and tick
    assert len(list(worse.iter(f"{SVG}polyline"))) == 1


def test_series_points_the_way_of_the_special_cause():
    def last_minus_first(markup):
        ys = [float(c.get("cy")) for c in ET.fromstring(markup).iter(f"{SVG}circle")][1:]
        return ys[-1] - ys[0]  # SVG y grows downwards

    assert last_minus_first(variation_icon(IMPROVING, "high")) < 0
    assert last_minus_first(variation_icon(CONCERNING, "low")) > 0
    assert last_minus_first(variation_icon(HIGHER)) < 0
    assert last_minus_first(variation_icon(LOWER)) > 0
    assert last_minus_first(variation_icon(COMMON_CAUSE)) == 0


def test_nothing_to_show():
    assert variation_icon("") == ""
    assert variation_icon("", "high") == ""
    assert assurance_icon("") == ""


@pytest.mark.parametrize(
    ("state", "direction"),
    [
        ("special cause", ""),  # unknown variation
        ("Common cause", ""),
        (ASSURANCE_PASS, ""),
        (IMPROVING, ""),  # improving and concerning need a direction
        (CONCERNING, ""),
        (HIGHER, "low"),  # contradictions
        (LOWER, "high"),
        (IMPROVING, "up"),  # unknown direction
        (COMMON_CAUSE, "High"),
    ],
)
def test_variation_refuses(state, direction):
    with pytest.raises(ValueError):
        variation_icon(state, direction)


def test_assurance_refuses_unknown():
    with pytest.raises(ValueError):
        assurance_icon("passing")
    with pytest.raises(ValueError):
        assurance_icon(COMMON_CAUSE)


@pytest.mark.parametrize("size", [0, -5, 2.5, True])
def test_size_must_be_positive_int(size):
    with pytest.raises(ValueError):
        variation_icon(COMMON_CAUSE, size=size)
    with pytest.raises(ValueError):
        assurance_icon(ASSURANCE_PASS, size=size)


def test_size():
    root = ET.fromstring(assurance_icon(ASSURANCE_FAIL, size=24))
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("24", "24", "0 0 40 40")


@pytest.mark.parametrize("markup", all_icons())
def test_contrast(markup):
    root = ET.fromstring(markup)
    circle = root.find(f"{SVG}circle")
    fill, ring = circle.get("fill"), circle.get("stroke")
    assert contrast(ring, "#ffffff") >= 3  # the icon's edge against the page
    inks = [t.get("fill") for t in root.iter(f"{SVG}text")]
    inks += [p.get("stroke") for p in root.iter(f"{SVG}polyline")]
    inks += [line.get("stroke") for line in root.iter(f"{SVG}line")]
    inks += [c.get("fill") for c in list(root.iter(f"{SVG}circle"))[1:]]
    assert inks
    for ink in inks:
        assert contrast(ink, fill) >= 4.5, (ink, fill)


def test_key_names_every_state():
    key = icons_key()
    root = ET.fromstring(key)  # well formed, so escaped
    assert root.tag == "table" and "mdc-key" in root.get("class").split()
    assert root.find("caption").text
    assert "<style" not in key and " style=" not in key
    assert not any("id" in element.attrib for element in root.iter())
    text = " ".join(root.itertext())
    for name in (
        "Special cause of improvement",
        "Special cause of concern",
        "Special cause, neither improvement nor concern",
        "Common cause",
        "Consistently passing",
        "Hit and miss",
        "Consistently failing",
    ):
        assert name in text
    labels = {e.get("aria-label") for e in root.iter(f"{SVG}svg")}
    for markup in all_icons():
        assert ET.fromstring(markup).get("aria-label") in labels
    assert "H high, L low" in text
    assert "met some months and not others" in text


def test_direction_from_the_xmr_frame():
    base = [12.0, 10.0] * 5  # mean 11, limits (5.68, 16.32)

    def chart(tail):
        return xmr(pd.Series(base + tail), "higher_is_better", baseline=len(base))

    assert special_cause_direction(chart([20])) == "high"
    assert special_cause_direction(chart([2])) == "low"
    assert special_cause_direction(chart([11])) == ""
    assert special_cause_direction(xmr(pd.Series([3.0]))) == ""
    # a rising trend whose latest point is still below the mean is a high special cause
    frame = chart([6, 7, 8, 9, 10, 10.5])
    assert frame["value"].iloc[-1] < frame["mean"].iloc[-1]
    direction = special_cause_direction(frame)
    assert direction == "high"
    assert "improvement, high" in variation_icon(variation(frame, "higher_is_better"), direction)
    assert "neither" in variation_icon(variation(frame), direction)  # higher: agrees


def test_renders_in_weasyprint():
    weasyprint = pytest.importorskip("weasyprint")
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Icons</title></head>'
        f"<body><p>{''.join(all_icons())}</p>{icons_key()}</body></html>"
    )
    pdf = weasyprint.HTML(string=page).write_pdf()
    assert pdf.startswith(b"%PDF")
