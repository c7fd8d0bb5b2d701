"""NHS England "Making Data Count" variation and assurance icons, drawn here as inline SVG.

Beside each XmR chart a report shows two small icons: the *variation* of the latest month
(``scrutiny.spc.variation``) and the *assurance* of meeting a target (``scrutiny.spc.assurance``),
with :func:`icons_key` explaining them. The icons are our own simple drawings in the spirit of
Making Data Count, not copies of NHS England's image files:

- variation: a circle with a mini-series of five points. Common cause is grey with a flat
  series; special cause has "H" (high) or "L" (low) and a series whose last points jump up or
  down: blue with a tick for improvement, orange with "!" for concern, purple for a special
  cause that is neither (an indicator where no direction is better);
- assurance: a circle with a target line and "P" (consistently passing, blue), "F"
  (consistently failing, orange) or "?" (hit and miss, grey).

A judgement is never carried by colour alone: the letters, the tick or "!" and the shape of the
series say it too, and each icon is an ``role="img"`` with an ``aria-label`` in words. Letters
and marks have at least 4.5:1 contrast with their fill and each circle's ring at least 3:1 with
a white page (WCAG 2.2 AA). The markup has no ``id`` attributes, so a page can carry many icons,
and is valid XML, so it works inline in HTML and in WeasyPrint.
"""

from __future__ import annotations

import html

from scrutiny.spc import (  # the variations and assurances, in spc's words
    ASSURANCE_FAIL,
    ASSURANCE_HIT_AND_MISS,
    ASSURANCE_PASS,
    COMMON_CAUSE,
    CONCERNING,
    HIGHER,
    IMPROVING,
    LOWER,
)

HIGH = "high"
LOW = "low"
DIRECTIONS = (HIGH, LOW, "")

# NHS colours: fill, ring (>= 3:1 against white) and ink for letters and marks (>= 4.5:1
# against the fill)
_WHITE = "#ffffff"
_DARK = "#212b32"
_BLUE = ("#005eb8", "#003087", _WHITE)
_ORANGE = ("#fab428", "#e46c0a", _DARK)
_PURPLE = ("#490092", "#490092", _WHITE)
_GREY = ("#a6a6a6", "#767676", _DARK)

_FONT = "Arial,Helvetica,Liberation Sans,sans-serif"

# Mini-series y coordinates (x = 10, 15, 20, 25, 30), smaller y higher: common cause wobbles
# about the middle, a special cause's last two points jump clear of the first three
_SERIES = {"": (21, 18, 21, 19, 21), HIGH: (30, 29, 30, 24, 22), LOW: (23, 24, 23, 29, 31)}

# variation -> (colour, words for the aria-label, mark)
_VARIATIONS = {
    COMMON_CAUSE: (_GREY, "common cause, no significant change", ""),
    IMPROVING: (_BLUE, "special cause of improvement", "tick"),
    CONCERNING: (_ORANGE, "special cause of concern", "!"),
    HIGHER: (_PURPLE, "special cause, neither improvement nor concern", ""),
    LOWER: (_PURPLE, "special cause, neither improvement nor concern", ""),
}
# assurance -> (colour, letter, words for the aria-label)
_ASSURANCES = {
    ASSURANCE_PASS: (_BLUE, "P", "consistently passing the target"),
    ASSURANCE_FAIL: (_ORANGE, "F", "consistently failing the target"),
    ASSURANCE_HIT_AND_MISS: (
        _GREY,
        "?",
        "hit and miss, the target will be met some months and not others",
    ),
}


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def _svg(label: str, kind: str, size: int, colour: tuple[str, str, str], body: str) -> str:
    """An icon: a ringed circle on a 40 x 40 view box holding ``body`` (already markup)."""
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise ValueError(f"icon size must be a positive whole number of pixels, not {size!r}")
    fill, ring, _ = colour
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="mdc-icon mdc-{kind}" width="{size}" '
        f'height="{size}" viewBox="0 0 40 40" role="img" aria-label="{_attr(label)}">'
        f"<title>{html.escape(label)}</title>"
        f'<circle cx="20" cy="20" r="18" fill="{fill}" stroke="{ring}" stroke-width="2"/>'
        f"{body}</svg>"
    )


def _text(x: float, y: float, size: int, ink: str, text: str) -> str:
    return (
        f'<text x="{x}" y="{y}" font-family="{_FONT}" font-size="{size}" font-weight="bold" '
        f'text-anchor="middle" fill="{ink}">{html.escape(text)}</text>'
    )


def _direction_of(variation: str, direction: str) -> str:
    """The direction an icon shows: fixed by "higher"/"lower", given for improving/concerning."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be 'high', 'low' or '', not {direction!r}")
    if variation == COMMON_CAUSE:
        return ""
    if variation in (HIGHER, LOWER):
        implied = HIGH if variation == HIGHER else LOW
        if direction not in ("", implied):
            raise ValueError(f"{variation!r} contradicts direction {direction!r}")
        return implied
    if not direction:
        raise ValueError(
            f"{variation!r} needs a direction, 'high' or 'low' "
            "(see scrutiny.spc.special_cause_direction)"
        )
    return direction


def variation_icon(variation: str, direction: str = "", size: int = 40) -> str:
    """Inline SVG for a ``spc.variation`` result; "" for "" (no limits, nothing to show).

    ``direction`` ("high" or "low") says which way an improving or concerning special cause
    lies, and is required for them: take it from
    :func:`scrutiny.spc.special_cause_direction` of the xmr frame (for most rules, whether the
    latest point is above or below the mean; for a trend, which way the trend runs). It is
    implied by "special cause higher"/"lower" (a contradicting one raises ValueError) and
    ignored for common cause. An unknown variation or direction
    raises ValueError. ``size`` is the width and height in CSS pixels.
    """
    if variation == "":
        return ""
    if variation not in _VARIATIONS:
        raise ValueError(f"unknown variation {variation!r}")
    colour, words, mark = _VARIATIONS[variation]
    shown = _direction_of(variation, direction)
    ink = colour[2]
    label = f"Variation: {words}" + (f", {shown}" if shown else "")

    points = " ".join(f"{10 + 5 * i},{y}" for i, y in enumerate(_SERIES[shown]))
    body = f'<polyline points="{points}" fill="none" stroke="{ink}" stroke-width="1.5"/>'
    body += "".join(
        f'<circle cx="{10 + 5 * i}" cy="{y}" r="2" fill="{ink}"/>'
        for i, y in enumerate(_SERIES[shown])
    )
    if shown:
        letter_x = 17 if mark else 20
        body += _text(letter_x, 18, 14, ink, "H" if shown == HIGH else "L")
        if mark == "tick":
            body += (
                f'<polyline points="24,12.5 26.5,15 30.5,9.5" fill="none" stroke="{ink}" '
                'stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>'
            )
        elif mark:
            body += _text(27, 18, 14, ink, mark)
    return _svg(label, "variation", size, colour, body)


def assurance_icon(assurance: str, size: int = 40) -> str:
    """Inline SVG for a ``spc.assurance`` result; "" for "" (no target, nothing to show).

    An unknown assurance raises ValueError. ``size`` is the width and height in CSS pixels.
    """
    if assurance == "":
        return ""
    if assurance not in _ASSURANCES:
        raise ValueError(f"unknown assurance {assurance!r}")
    colour, letter, words = _ASSURANCES[assurance]
    ink = colour[2]
    body = _text(20, 23, 18, ink, letter) + (
        f'<line x1="8" y1="28.5" x2="32" y2="28.5" stroke="{ink}" stroke-width="2"/>'
    )
    return _svg(f"Assurance: {words}", "assurance", size, colour, body)


# The key: (icons, name, sentence)
_KEY_VARIATION = [
    (
        [(IMPROVING, HIGH), (IMPROVING, LOW)],
        "Special cause of improvement",
        "the latest month is unusual, or part of an unusual run or trend, in the direction "
        "that is better (H high, L low).",
    ),
    (
        [(CONCERNING, HIGH), (CONCERNING, LOW)],
        "Special cause of concern",
        "the latest month is unusual, or part of an unusual run or trend, in the direction "
        "that is worse (H high, L low).",
    ),
    (
        [(HIGHER, ""), (LOWER, "")],
        "Special cause, neither improvement nor concern",
        "the latest month is unusually high (H) or low (L), for an indicator where neither "
        "direction is better.",
    ),
    (
        [(COMMON_CAUSE, "")],
        "Common cause",
        "the variation is what the process normally shows, with no significant change.",
    ),
]
_KEY_ASSURANCE = [
    (
        ASSURANCE_PASS,
        "Consistently passing",
        "the target is outside the process limits, on the passing side, so every month will "
        "pass unless the process changes.",
    ),
    (
        ASSURANCE_HIT_AND_MISS,
        "Hit and miss",
        "the target lies inside the process limits, so it will be met some months and not others.",
    ),
    (
        ASSURANCE_FAIL,
        "Consistently failing",
        "the target is outside the process limits, on the failing side, so every month will "
        "fail unless the process changes.",
    ),
]


def _key_row(icons: str, name: str, sentence: str) -> str:
    return (
        f'<tr><td class="mdc-key-icons">{icons}</td>'
        f'<td class="mdc-key-meaning"><strong>{html.escape(name)}</strong>: '
        f"{html.escape(sentence)}</td></tr>"
    )


def _key_group(title: str) -> str:
    return (
        f'<tr class="mdc-key-group"><th colspan="2" scope="colgroup">{html.escape(title)}</th></tr>'
    )


def icons_key() -> str:
    """An HTML table (class ``mdc-key``, with a caption) showing each icon and its meaning.

    Cells are classed ``mdc-key-icons`` and ``mdc-key-meaning``, and the two group rows
    ``mdc-key-group``. Unstyled, a narrow icon column stacks an H/L pair; a stylesheet can keep
    them side by side (``.mdc-key-icons { white-space: nowrap }``) and keep rows whole across
    pages (``.mdc-key tr { break-inside: avoid }``).
    """
    rows = [_key_group("Variation: how the latest month compares with the process")]
    for icons, name, sentence in _KEY_VARIATION:
        drawn = " ".join(variation_icon(v, d, size=32) for v, d in icons)
        rows.append(_key_row(drawn, name, sentence))
    rows.append(_key_group("Assurance: whether the process will meet its target"))
    for state, name, sentence in _KEY_ASSURANCE:
        rows.append(_key_row(assurance_icon(state, size=32), name, sentence))
    return (
        '<table class="mdc-key">'
        "<caption>Key to the icons beside each chart (NHS England Making Data Count)</caption>"
        '<thead><tr><th scope="col">Icon</th><th scope="col">Meaning</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
