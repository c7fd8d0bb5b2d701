"""The page for children and young people: one page per area and for the partnership, in plain
sentences a child can read, with no figures, that say what the judgements say."""

from __future__ import annotations

import dataclasses
import re

import pytest
import syllapy
import weasyprint
from bs4 import BeautifulSoup

from scrutiny.children import (
    AGAINST,
    CHILDLINE,
    GETTING_WORSE,
    GOING_WELL,
    MOST_PER_SECTION,
    SECTIONS,
    SYNTHETIC,
    TO_GET_BETTER,
    ChildrenSummary,
    child_sentence,
    children_page,
)
from scrutiny.cycle import PARTNERSHIP_CODE, load_cycle
from scrutiny.demo_areas import AREAS
from scrutiny.framework import (
    FOR_CHILDREN_KEYS,
    FrameworkError,
    default_text,
    framework_from_texts,
)
from scrutiny.judgements import getting
from scrutiny.report.common import CycleFigures

CODES = [*(area.code for area in AREAS), PARTNERSHIP_CODE]
PERIOD = "2025-26-Q4"  # the demo cycle's (conftest.DEMO_PERIOD)
LINKS = {"index": "index.html", "report": "area-report.html"}
CATALOGUE = default_text("indicators.toml")
FRAMEWORK = default_text("framework.toml")
MOST_WORDS = 20
LEAST_EASE = 70
NAMED = ("england", "region", "neighbour_median", "partnership")  # comparators findings name
WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*")


# --- reading ease ----------------------------------------------------------------------------

def flesch_reading_ease(text: str) -> float:
    """Flesch reading ease: 206.835 - 1.015 x (words / sentences) - 84.6 x (syllables / words),
    syllables by syllapy. A sentence ends at ".", "!" or "?", or at the end of a line: on a web
    page a heading, a list item and a link are each a unit of their own. Figures are not words.
    """
    sentences = [part for part in re.split(r"[.!?]+|\n", text) if WORD.search(part)]
    words = WORD.findall(text)
    if not words:
        raise ValueError("no words to score")
    syllables = sum(syllapy.count(word) for word in words)
    return 206.835 - 1.015 * len(words) / len(sentences) - 84.6 * syllables / len(words)


def test_flesch_reading_ease_matches_hand_computed_references():
    # 6 words, 1 sentence, 6 syllables: 206.835 - 1.015 x 6 - 84.6 x 1
    assert flesch_reading_ease("The cat sat on the mat.") == pytest.approx(116.145)
    # 6 words, 2 sentences, 6 syllables: 206.835 - 1.015 x 3 - 84.6 x 1
    assert flesch_reading_ease("The cat sat. The dog ran.") == pytest.approx(119.19)
    # a heading is a unit of its own; 8 words, 2 units, 12 syllables (Child-line, fam-i-ly)
    text = "Where to get help\nChildline helps every family."
    assert syllapy.count("Childline") == 2 and syllapy.count("family") == 3
    assert flesch_reading_ease(text) == pytest.approx(206.835 - 1.015 * 4 - 84.6 * 12 / 8)


# --- the demo cycle's pages ------------------------------------------------------------------

@pytest.fixture(scope="module")
def judgements(cycle_outputs):
    return CycleFigures(load_cycle(cycle_outputs["store"], PERIOD)).judgements


@pytest.fixture(scope="module")
def pages(judgements) -> dict[str, str]:
    return {code: children_page(judgements, code, LINKS) for code in CODES}


def visible_text(page: str) -> str:
    return BeautifulSoup(page, "html.parser").body.get_text("\n")


def sentences_of(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"(?<=[.!?])\s+", text) if part.strip()]


@pytest.mark.parametrize("code", CODES)
def test_the_page_is_one_plain_accessible_page(code, judgements, pages):
    page = pages[code]
    soup = BeautifulSoup(page, "html.parser")
    name = judgements.cycle.area_name(code)
    assert soup.html["lang"] == "en-GB"
    assert [h1.get_text() for h1 in soup.find_all("h1")] == [
        f"Keeping children safe in {name}: what we found"]
    assert soup.title.get_text() == soup.h1.get_text()
    levels = [int(tag.name[1]) for tag in soup.find_all(re.compile(r"^h[1-6]$"))]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    for landmark in ("header", "main", "footer"):
        assert len(soup.find_all(landmark)) == 1, landmark
    assert soup.find("header").find("h1") is not None
    # self-contained: no script, no external stylesheet, font or picture
    assert not soup.find_all(["script", "link", "img", "iframe"])
    style = soup.style.get_text()
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    assert re.search(r"body\s*\{[^}]*font-size:\s*19px", style)
    assert '"Helvetica Neue", Arial, Helvetica, sans-serif' in style
    assert re.search(r"@page\s*\{\s*size:\s*A4;\s*margin:\s*15mm", style)
    assert [a["href"] for a in soup.find_all("a")] == [LINKS["report"], LINKS["index"]]
    text = visible_text(page)
    assert judgements.cycle.partnership.synthetic and SYNTHETIC in text
    assert CHILDLINE in text and "talk to an adult you trust" in text
    assert "must answer them" in text


@pytest.mark.parametrize("code", CODES)
def test_the_page_is_easy_to_read_and_has_no_figures_about_children(code, judgements, pages):
    summary = ChildrenSummary(judgements, code)
    said = summary.sentences()
    assert set(said) == {GOING_WELL, TO_GET_BETTER}
    assert any(said.values()), "no sentence for children"
    assert all(len(items) <= MOST_PER_SECTION for items in said.values())
    for item in [item for items in said.values() for item in items]:
        assert not re.search(r"\d", item), item
        for sentence in sentences_of(item):
            assert len(sentence.split()) <= MOST_WORDS, sentence
    text = visible_text(pages[code])
    ease = flesch_reading_ease(text)
    plain = flesch_reading_ease(" ".join(text.split()))  # sentences end only at . ! ?
    print(f"{summary.name}: Flesch reading ease {ease:.1f} (lines as units), "
          f"{plain:.1f} (punctuation only)")
    assert ease >= LEAST_EASE
    # the only figures on the page: Childline's number and the month the page is about
    month = re.search(r"up to the end of ([A-Z][a-z]+ \d{4})\.", text).group(1)
    assert not re.search(r"\d", text.replace(CHILDLINE, "").replace(month, "")), text


@pytest.mark.parametrize("code", CODES)
def test_the_page_prints_on_one_sheet_of_a4(code, pages):
    assert len(weasyprint.HTML(string=pages[code]).render().pages) == 1


def test_the_longest_possible_page_still_prints_on_one_sheet(judgements):
    """Every section full of the catalogue's longest sentence, for the longest area name."""
    words = [ind.for_children for ind in judgements.framework.indicators if ind.for_children]
    longest = max((f"{child_sentence(w, change, against)} {GETTING_WORSE}" for w in words
                   for change in ("more", "fewer") for against in AGAINST), key=len)
    assert len(sentences_of(longest)[0].split()) <= MOST_WORDS

    class Fullest(ChildrenSummary):
        def sentences(self) -> dict[str, list[str]]:
            return {section: [longest] * MOST_PER_SECTION for section in SECTIONS}

    code = max(judgements.cycle.area_codes, key=lambda c: len(judgements.cycle.area_name(c)))
    page = Fullest(judgements, code).page(LINKS)
    assert len(weasyprint.HTML(string=page).render().pages) == 1


# --- sentences agree with the judgements -----------------------------------------------------

def _standing(judgements, indicator, code: str) -> dict:
    """What the judgements say of a figure, read from the table (not from scrutiny.children):
    whether anything is bad (worse than a named comparator, a special cause of concern, or
    consistently failing its target) or good (better, or getting better)."""
    window = judgements.headline_window(indicator)
    rows = judgements.rows(indicator.id, code, window)
    named = rows[rows.index.isin(NAMED)]
    trend_windows = ["year"] if indicator.window == "year" else ["quarter", "year"]
    trends = {w: judgements.figure(indicator.id, code, w)["trend"] for w in trend_windows}
    variation = rows["spc_variation"].iloc[0]
    assurance = rows["spc_assurance"].iloc[0]
    bad = ((named["judgement"] == "worse").any() or variation == "special cause concerning"
           or assurance == "consistently failing")
    good = ((named["judgement"] == "better").any() or variation == "special cause improving"
            or any(getting(trend, indicator.polarity) == "better" for trend in trends.values()))
    return {"rows": rows, "trends": trends, "variation": variation, "assurance": assurance,
            "bad": bad, "good": good, "status": rows["status"].iloc[0]}


PLACES = {"than in England as a whole": "england", "than in this part of England": "region",
          "than in similar areas": "neighbour_median", "than in nearby areas": "partnership"}


def _check_claim(text: str, section: str, indicator, standing: dict) -> None:
    """The sentence's own claim (more or fewer, against what) holds in the judgements."""
    more = text.startswith("More ")
    higher_is_better = indicator.polarity == "higher_is_better"
    wanted = "better" if section == GOING_WELL else "worse"
    main = sentences_of(text)[0]
    for phrase, comparator in PLACES.items():
        if main.endswith(f"{phrase}."):
            row = standing["rows"].loc[comparator]
            assert row["comparison"] == ("higher" if more else "lower"), text
            assert row["judgement"] == wanted, text
            if text.endswith(GETTING_WORSE):
                assert any(getting(t, indicator.polarity) == "worse"
                           for t in standing["trends"].values()) or (
                    standing["variation"] == "special cause concerning"), text
            return
    if main.endswith("this year than last year.") or main.endswith("than a few months ago."):
        trend = standing["trends"]["year" if "last year" in main else "quarter"]
        assert trend == ("rising" if more else "falling"), text
        assert getting(trend, indicator.polarity) == wanted, text
    elif main.endswith("than usual."):
        assert standing["variation"] == ("special cause improving" if section == GOING_WELL
                                         else "special cause concerning"), text
        assert more == (higher_is_better == (section == GOING_WELL)), text
    else:  # against the target
        assert section == TO_GET_BETTER and standing["assurance"] == "consistently failing"
        assert text.startswith("Not enough " if higher_is_better else "Too many "), text


@pytest.mark.parametrize("code", CODES)
def test_sentences_say_what_the_judgements_say(code, judgements):
    items = ChildrenSummary(judgements, code).items()
    catalogue = {ind.id: ind for ind in judgements.framework.indicators}
    placed = {item.indicator_id: section for section, found in items.items() for item in found}
    assert len(placed) == sum(map(len, items.values())), "an indicator said twice"
    for section, found in items.items():
        for item in found:
            indicator = catalogue[item.indicator_id]
            assert indicator.for_children, item  # words only where the catalogue gives them
            assert indicator.for_children["subject"] in item.text  # ... and from there
            standing = _standing(judgements, indicator, code)
            assert standing["status"] == "published", item
            if section == GOING_WELL:
                assert standing["good"] and not standing["bad"], item
            else:
                assert standing["bad"], item
            _check_claim(item.text, section, indicator, standing)
    for indicator in (ind for ind in judgements.framework.indicators if ind.for_children):
        standing = _standing(judgements, indicator, code)
        if standing["status"] != "published":
            assert indicator.id not in placed
            continue
        versus_partnership = (standing["rows"].loc["partnership", "judgement"]
                              if "partnership" in standing["rows"].index else "")
        if versus_partnership == "worse" or standing["bad"]:
            assert placed.get(indicator.id) != GOING_WELL, indicator.id
            if len(items[TO_GET_BETTER]) < MOST_PER_SECTION:  # room for it: it is said
                assert placed.get(indicator.id) == TO_GET_BETTER, indicator.id
        elif versus_partnership == "better" or standing["good"]:
            assert placed.get(indicator.id) != TO_GET_BETTER, indicator.id
            if len(items[GOING_WELL]) < MOST_PER_SECTION:
                assert placed.get(indicator.id) == GOING_WELL, indicator.id


def test_the_demo_pages_say_both_kinds_of_thing(judgements):
    said = {code: ChildrenSummary(judgements, code).sentences() for code in CODES}
    assert any(s[GOING_WELL] for s in said.values()) and any(s[TO_GET_BETTER]
                                                             for s in said.values())


def test_a_catalogue_without_words_for_children_gives_no_sentences(judgements):
    catalogue = re.sub(r"^for_children = .*\n", "", CATALOGUE, flags=re.M)
    assert not re.search(r"^for_children", catalogue, flags=re.M)
    framework = framework_from_texts({"indicators.toml": catalogue})
    assert not any(ind.for_children for ind in framework.indicators)
    cycle = dataclasses.replace(judgements.cycle, framework=framework)
    plain = CycleFigures(cycle).judgements
    assert ChildrenSummary(plain, PARTNERSHIP_CODE).sentences() == {GOING_WELL: [],
                                                                    TO_GET_BETTER: []}
    page = children_page(plain, PARTNERSHIP_CODE)
    assert "nothing to tell you" in page and CHILDLINE in page
    assert not BeautifulSoup(page, "html.parser").find_all("a")  # no links given, none shown


def test_the_page_escapes_what_it_is_given(judgements):
    summary = ChildrenSummary(judgements, PARTNERSHIP_CODE)
    summary.name = "<script>alert(1)</script> & Co"
    page = summary.page({"index": 'index.html" onclick="x'})
    assert "<script>" not in page and "&lt;script&gt;" in page and "&amp; Co" in page
    assert 'onclick="x"' not in page


# --- the catalogue's words for children ------------------------------------------------------

def test_sentences_are_made_from_the_catalogue_words():
    words = {"subject": "children had their safety meeting on time"}
    assert child_sentence(words, "fewer", "last year") == (
        "Fewer children had their safety meeting on time this year than last year.")
    assert child_sentence(words, "same", "last year") == (
        "About as many children had their safety meeting on time this year as last year.")
    assert child_sentence(words, "more", "england") == (
        "More children had their safety meeting on time than in England as a whole.")
    assert child_sentence(words, "not_enough") == (
        "Not enough children had their safety meeting on time.")
    own = {"subject": "training was useful", "more": "More of the"}
    assert child_sentence(own, "more", "usual") == "More of the training was useful than usual."
    assert set(FOR_CHILDREN_KEYS) == {"subject", "more", "fewer", "not_enough", "too_many",
                                      "same"}


def test_the_default_catalogue_words_for_children_only_where_a_direction_is_better():
    framework = framework_from_texts({})
    given = [ind for ind in framework.indicators if ind.for_children]
    assert len(given) >= 8
    assert all(ind.polarity != "context" for ind in given)
    # waiting times, help, protection, being listened to and training all have a sentence
    assert {"icpc_15wd", "rereferrals", "cpp_subsequent", "voice_participants",
            "training_attended"} <= {ind.id for ind in given}
    # technical and process measures have none
    assert not {ind.id for ind in given} & {"s11_standards_met", "notifications_5wd",
                                            "actions_overdue", "lcspr_published_6m"}


def _catalogue_with(words: str, indicator: str = "icpc_15wd") -> str:
    block = CATALOGUE.index(f'id = "{indicator}"')
    start = CATALOGUE.index("for_children = ", block)
    end = CATALOGUE.index("\n", start)
    return CATALOGUE[:start] + words + CATALOGUE[end:]


@pytest.mark.parametrize(("words", "says"), [
    ('for_children = "children had meetings"', "for_children must be a table"),
    ('for_children = { more = "More" }', "for_children: subject missing"),
    ('for_children = { subject = "children had meetings", fewest = "Fewest" }',
     "unknown key 'fewest'"),
    ('for_children = { subject = "" }', "for_children subject must be words in quotes"),
    ('for_children = { subject = "children had meetings within 15 days" }',
     "has a figure in it"),
])
def test_malformed_words_for_children_are_named(words, says):
    with pytest.raises(FrameworkError, match=re.escape(says)) as raised:
        framework_from_texts({"indicators.toml": _catalogue_with(words)})
    assert "indicator 'icpc_15wd'" in str(raised.value)


def test_words_for_children_on_a_context_indicator_are_refused():
    catalogue = CATALOGUE.replace(
        'polarity = "context"\n',
        'polarity = "context"\nfor_children = { subject = "children were helped early" }\n', 1)
    with pytest.raises(FrameworkError, match="for_children needs polarity higher_is_better"):
        framework_from_texts({"indicators.toml": catalogue})


def test_a_partnerships_own_catalogue_without_the_field_still_loads():
    own = re.sub(r"^for_children = .*\n", "", CATALOGUE, flags=re.M)
    framework = framework_from_texts({"framework.toml": FRAMEWORK, "indicators.toml": own})
    assert framework.indicator("icpc_15wd").for_children == {}
    empty = _catalogue_with("for_children = {}")
    assert framework_from_texts({"indicators.toml": empty}).indicator(
        "icpc_15wd").for_children == {}
