"""``scrutiny new-theme``: a new priority theme, ready for an analyst to fill in.

It adds the theme to the partnership's framework (``--framework FILE``, else the data folder's
``framework.toml``), and beside that file an indicator in ``indicators.toml`` computed by a
worked-example measure in ``measures/`` and a test of the measure in ``tests/``, where a run
with that framework finds them; and in the data folder a deep-dive notebook in
``deep_dives/`` (run for every area at the next ``scrutiny run``). Where there is no framework
or catalogue of the partnership's own yet, the defaults are copied first, so the
partnership's files say everything in one place. Nothing existing is overwritten.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import nbformat

from scrutiny.framework import (
    FrameworkError,
    default_text,
    framework_from_texts,
    load_framework,
)
from scrutiny.layout import (
    CATALOGUE_FILE,
    DEEP_DIVES_DIR,
    FRAMEWORK_FILE,
    MEASURES_DIR,
    PARTNERSHIP_FILE,
    TESTS_DIR,
)

ID_LENGTH = 40  # an id names files (measures/<id>.py) and is typed into every return
_ID = re.compile(rf"^[a-z][a-z0-9_]{{1,{ID_LENGTH - 1}}}$")
# letters NFKD does not take apart into a Latin letter and its accent
_LATIN = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o",
                        "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "þ": "th"})
# left out of an id that would otherwise be too long
_LITTLE_WORDS = frozenset({"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or",
                           "the", "to", "with", "et", "de", "des", "du", "la", "le", "les"})


@dataclass(frozen=True)
class Scaffold:
    theme_id: str
    title: str
    indicator_id: str
    written: list[Path]
    tests_dir: Path  # where the measure's test is: `pytest` it


def theme_id_for(name: str) -> str:
    """``Négligence et pauvreté`` -> ``negligence_et_pauvrete``: accents dropped, words joined
    by _, little words and then whole words left off the end of a name too long for an id."""
    latin = unicodedata.normalize("NFKD", name.translate(_LATIN))
    words = re.findall(r"[a-z0-9]+", latin.encode("ascii", "ignore").decode().lower())
    theme_id = "_".join(words)
    if len(theme_id) > ID_LENGTH:
        theme_id = _shortened(words)
    if not _ID.match(theme_id):
        made = (f"gives the id {theme_id!r}, but a theme id is 2 to {ID_LENGTH} small letters, "
                "digits or _, starting with a letter" if theme_id
                else "has no Latin letters or digits to make a theme id from")
        raise FrameworkError(f"{name!r} {made}: choose the theme's id with --id, e.g. "
                             "--id neglect")
    return theme_id


def _shortened(words: list[str]) -> str:
    kept = [word for word in words if word not in _LITTLE_WORDS] or words
    theme_id = kept[0][:ID_LENGTH]
    for word in kept[1:]:
        if len(theme_id) + 1 + len(word) > ID_LENGTH:
            break
        theme_id += "_" + word
    return theme_id


def _checked_id(theme_id: str) -> str:
    if not _ID.match(theme_id):
        raise FrameworkError(f"--id {theme_id!r} must be 2 to {ID_LENGTH} small letters, digits "
                             "or _, starting with a letter, e.g. --id neglect")
    return theme_id


def _title_for(name: str, theme_id: str) -> str:
    title = " ".join(name.split())  # one line: a title is a heading
    return theme_id.replace("_", " ").capitalize() if title in ("", theme_id) else title


def new_theme(data_dir: Path, name: str, *, framework_file: Path | None = None,
              theme_id: str | None = None) -> Scaffold:
    """Add the theme ``name`` (with the id ``theme_id``, else one made from the name) to the
    framework ``framework_file``, else the data folder's (see the module docstring)."""
    data_dir = Path(data_dir)
    if not (data_dir / PARTNERSHIP_FILE).is_file():
        raise FrameworkError(f"{data_dir} has no {PARTNERSHIP_FILE}: pass the partnership's "
                             "data folder with --data DIR")
    # the partnership's files must be sound to start
    framework = load_framework(data_dir, framework_file)
    framework_path = Path(framework_file) if framework_file else data_dir / FRAMEWORK_FILE
    folder = framework_path.parent  # a run with this framework reads measures/ beside it
    theme_id = _checked_id(theme_id) if theme_id else theme_id_for(name)
    title = _title_for(name, theme_id)
    indicator_id = f"{theme_id}_actions_overdue"
    if theme_id in framework.theme_ids:
        raise FrameworkError(f"the framework already has a theme {theme_id!r}")
    paths = {
        "measure": folder / MEASURES_DIR / f"{theme_id}.py",
        "test": folder / TESTS_DIR / f"test_{theme_id}.py",
        "notebook": data_dir / DEEP_DIVES_DIR / f"{theme_id}.ipynb",
    }
    existing = [str(path) for path in paths.values() if path.exists()]
    if existing or any(ind.id == indicator_id for ind in framework.indicators):
        raise FrameworkError(f"theme {theme_id!r} was scaffolded before: "
                             f"{', '.join(existing) or indicator_id} already exists")
    # the step that holds the action tracker, else the last: the tracker is where actions
    # are scrutinised; the analyst moves the indicator if another step suits it better
    tracker = framework.panels("action_tracker")
    step = tracker[0][0] if tracker else framework.steps[-1]
    files = {FRAMEWORK_FILE: framework_path, CATALOGUE_FILE: folder / CATALOGUE_FILE}
    texts = {
        FRAMEWORK_FILE: _with_block(framework_path, FRAMEWORK_FILE,
                                    _theme_block(theme_id, title)),
        CATALOGUE_FILE: _with_block(folder / CATALOGUE_FILE, CATALOGUE_FILE,
                                    _indicator_block(theme_id, title, indicator_id, step.id)),
        f"{MEASURES_DIR}/{theme_id}.py": _measure_text(theme_id, title),
    }
    # check it all before writing any
    framework_from_texts({**framework.texts, **texts},
                         {name: str(path) for name, path in files.items()})
    written = []
    for file_name, path in files.items():
        path.write_text(texts[file_name], encoding="utf-8")
        written.append(path)
    for key, text in (("measure", texts[f"{MEASURES_DIR}/{theme_id}.py"]),
                      ("test", _test_text(theme_id, indicator_id, framework_path.name)),
                      ("notebook", _notebook_text(theme_id, title, indicator_id))):
        paths[key].parent.mkdir(parents=True, exist_ok=True)
        paths[key].write_text(text, encoding="utf-8")
        written.append(paths[key])
    return Scaffold(theme_id, title, indicator_id, written, paths["test"].parent)


def _with_block(path: Path, name: str, block: str) -> str:
    text = path.read_text(encoding="utf-8") if path.is_file() else default_text(name)
    return text.rstrip("\n") + "\n\n" + block


def _control(character: str) -> bool:
    return character < " " or character == "\x7f"


def _quoted(text: str) -> str:
    """``text`` as a TOML string: quotes, backslashes and control characters escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(f"\\u{ord(c):04x}" if _control(c) else c for c in escaped) + '"'


def _in_docstring(text: str) -> str:
    """``text`` inside a Python docstring: quotes, backslashes and control characters
    escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return "".join(f"\\x{ord(c):02x}" if _control(c) else c for c in escaped)


def _theme_block(theme_id: str, title: str) -> str:
    description = f"What the partnership wants to know about {title.lower()}."
    return (f"# Added by `scrutiny new-theme`: edit the title and description.\n"
            f"[[themes]]\nid = {_quoted(theme_id)}\ntitle = {_quoted(title)}\n"
            f"description = {_quoted(description)}\n")


def _indicator_block(theme_id: str, title: str, indicator_id: str, step_id: str) -> str:
    definition = (f"Open actions for the {title.lower()} theme that are past their due date at "
                  "the end of the quarter, as a percentage of its open actions.")
    return textwrap.dedent(f"""\
        # Added by `scrutiny new-theme`: a worked example computed by measures/{theme_id}.py.
        [[indicators]]
        id = {_quoted(indicator_id)}
        title = {_quoted(f"{title}: actions overdue")}
        definition = {_quoted(definition)}
        unit = "percent"
        polarity = "lower_is_better"
        step = {_quoted(step_id)}
        themes = [{_quoted(theme_id)}]
        source = "actions"
        aggregation = "stock"
        compute = {_quoted(f"{theme_id}:overdue_theme_actions")}
        rows = "snapshot"
        options = {{ theme = {_quoted(theme_id)} }}
        """)


def _measure_text(theme_id: str, title: str) -> str:
    return textwrap.dedent(f'''\
        """Measures for the {_in_docstring(title.lower())} theme
        (``compute = "{theme_id}:<function>"`` in indicators.toml).

        A measure gets the rows of its return that the catalogue's ``rows`` selects (here each
        area's latest action tracker), a context (``context.period``, ``context.start`` and
        ``context.end``: the quarter and the window's first and last days) and the catalogue's
        ``options``. It returns one row per case it counts: ``numerator`` and, for a
        percentage, ``denominator``, indexed like ``rows``. scrutiny sums them by area, marks
        an area incomplete where its return is missing, adds the partnership total and the
        confidence interval, and suppresses small numbers, as for every indicator.

        Worked example: three open actions for this theme, due 1 March, 1 April and 1 May,
        at the end of a quarter ending 31 March. One is past due: numerator 1, denominator 3,
        33.3%. tests/test_{theme_id}.py checks exactly this.
        """

        import pandas as pd


        def overdue_theme_actions(rows: pd.DataFrame, context, *, theme: str) -> pd.DataFrame:
            """Open actions for ``theme`` past their due date, of its open actions."""
            open_ = rows[(rows["theme"] == theme) & (rows["status"] != "completed")]
            overdue = pd.to_datetime(open_["due"]) < context.end
            return pd.DataFrame({{"numerator": overdue.astype(int), "denominator": 1}},
                                index=open_.index)
        ''')


def _test_text(theme_id: str, indicator_id: str, framework_name: str) -> str:
    return textwrap.dedent(f'''\
        """The {indicator_id} indicator against a worked example, its measure found through
        the catalogue exactly as `scrutiny run` finds it (run: pytest on this folder)."""

        from pathlib import Path

        import pandas as pd

        from scrutiny.framework import load_framework
        from scrutiny.measures import MeasureContext, run_measure
        from scrutiny.periods import Period

        # the partnership's framework, with indicators.toml and measures/ beside it
        FRAMEWORK = Path(__file__).resolve().parents[1] / {framework_name!r}


        def test_{indicator_id}_counts_open_actions_past_due():
            framework = load_framework(framework_file=FRAMEWORK)
            indicator = framework.indicator("{indicator_id}")
            rows = pd.DataFrame({{
                "area_code": ["E06000022"] * 5,
                "theme": ["{theme_id}", "{theme_id}", "{theme_id}", "{theme_id}", "other"],
                "status": ["open", "in_progress", "open", "completed", "open"],
                "due": ["2026-03-01", "2026-04-01", "2026-05-01", "2026-01-01", "2026-01-01"],
            }})
            context = MeasureContext(Period.parse("2025-26-Q4"), pd.Timestamp("2026-01-01"),
                                     pd.Timestamp("2026-03-31"), framework)
            result = run_measure(indicator, framework, rows, context)
            assert list(result.index) == [0, 1, 2]  # open actions of the theme only
            assert result["numerator"].sum() == 1  # due 1 March: overdue at 31 March
            assert result["denominator"].sum() == 3
        ''')


def _notebook_text(theme_id: str, title: str, indicator_id: str) -> str:
    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell(textwrap.dedent("""\
        # A deep dive: `scrutiny run` runs this notebook once per area with papermill, with the
        # same store and disclosure control as the scrutiny reports. Parameters: papermill
        # replaces these; `scrutiny lab` sets them to the latest run.
        import os

        store_path = os.environ.get("SCRUTINY_STORE", "../reports/scrutiny.duckdb")
        period = os.environ.get("SCRUTINY_PERIOD", "2025-26-Q4")
        area_code = os.environ.get("SCRUTINY_AREA", "E06000022")""").strip())
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [
        parameters,
        nbformat.v4.new_code_cell(textwrap.dedent(f"""\
            from scrutiny.report import AreaReport

            report = AreaReport.open(store_path, area_code, period)
            report.deep_dive({title!r})""")),
        nbformat.v4.new_markdown_cell(
            "## What we found\n\nThe theme's indicators, actions, training and engagement for "
            "this area. Add the questions the partnership wants answered below, one call per "
            "section: `report.indicators([...])` for any indicators of the catalogue, "
            "`report.theme(...)` for any theme."),
        nbformat.v4.new_code_cell(f"report.theme({theme_id!r})"),
        nbformat.v4.new_code_cell(f"report.indicators([{indicator_id!r}])"),
        nbformat.v4.new_code_cell("report.about()"),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    return nbformat.writes(notebook)
