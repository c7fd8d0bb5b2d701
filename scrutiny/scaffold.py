"""``scrutiny new-theme``: a new priority theme, ready for an analyst to fill in.

In the partnership's data folder it writes the theme's entry in ``framework.toml``, an
indicator in ``indicators.toml`` computed by a worked-example measure in ``measures/``, a
deep-dive notebook in ``deep_dives/`` (run for every area at the next ``scrutiny run``) and a
test of the measure in ``tests/``. Where the folder has no framework or catalogue of its own
yet, the defaults are copied first, so the partnership's files say everything in one place.
Nothing existing is overwritten.
"""

from __future__ import annotations

import re
import textwrap
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

_ID = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass(frozen=True)
class Scaffold:
    theme_id: str
    title: str
    indicator_id: str
    written: list[Path]


def theme_id_for(name: str) -> str:
    """``Neglect and poverty`` -> ``neglect_and_poverty``; an id is kept as it is."""
    theme_id = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    if not _ID.match(theme_id):
        raise FrameworkError(f"{name!r} cannot be a theme: give a name of 2 to 40 letters, "
                             "starting with a letter, e.g. \"Neglect\"")
    return theme_id


def _title_for(name: str, theme_id: str) -> str:
    return theme_id.replace("_", " ").capitalize() if name.strip() == theme_id else name.strip()


def new_theme(data_dir: Path, name: str) -> Scaffold:
    data_dir = Path(data_dir)
    if not (data_dir / PARTNERSHIP_FILE).is_file():
        raise FrameworkError(f"{data_dir} has no {PARTNERSHIP_FILE}: pass the partnership's "
                             "data folder with --data DIR")
    framework = load_framework(data_dir)  # the partnership's files must be sound to start
    theme_id = theme_id_for(name)
    title = _title_for(name, theme_id)
    indicator_id = f"{theme_id}_actions_overdue"
    if theme_id in framework.theme_ids:
        raise FrameworkError(f"the framework already has a theme {theme_id!r}")
    paths = {
        "measure": data_dir / MEASURES_DIR / f"{theme_id}.py",
        "notebook": data_dir / DEEP_DIVES_DIR / f"{theme_id}.ipynb",
        "test": data_dir / TESTS_DIR / f"test_{theme_id}.py",
    }
    existing = [str(path) for path in paths.values() if path.exists()]
    if existing or any(ind.id == indicator_id for ind in framework.indicators):
        raise FrameworkError(f"theme {theme_id!r} was scaffolded before: "
                             f"{', '.join(existing) or indicator_id} already exists")
    # the step that holds the action tracker, else the last: the tracker is where actions
    # are scrutinised; the analyst moves the indicator if another step suits it better
    tracker = framework.panels("action_tracker")
    step = tracker[0][0] if tracker else framework.steps[-1]
    texts = {
        FRAMEWORK_FILE: _with_block(data_dir / FRAMEWORK_FILE, FRAMEWORK_FILE,
                                    _theme_block(theme_id, title)),
        CATALOGUE_FILE: _with_block(data_dir / CATALOGUE_FILE, CATALOGUE_FILE,
                                    _indicator_block(theme_id, title, indicator_id, step.id)),
        f"{MEASURES_DIR}/{theme_id}.py": _measure_text(theme_id, title),
    }
    framework_from_texts({**framework.texts, **texts})  # check it all before writing any
    written = []
    for file_name in (FRAMEWORK_FILE, CATALOGUE_FILE):
        (data_dir / file_name).write_text(texts[file_name], encoding="utf-8")
        written.append(data_dir / file_name)
    for key, text in (("measure", texts[f"{MEASURES_DIR}/{theme_id}.py"]),
                      ("notebook", _notebook_text(theme_id, title, indicator_id)),
                      ("test", _test_text(theme_id, indicator_id))):
        paths[key].parent.mkdir(parents=True, exist_ok=True)
        paths[key].write_text(text, encoding="utf-8")
        written.append(paths[key])
    return Scaffold(theme_id, title, indicator_id, written)


def _with_block(path: Path, name: str, block: str) -> str:
    text = path.read_text(encoding="utf-8") if path.is_file() else default_text(name)
    return text.rstrip("\n") + "\n\n" + block


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


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
        """Measures for the {title.lower()} theme (``compute = "{theme_id}:<function>"`` in
        indicators.toml).

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


def _test_text(theme_id: str, indicator_id: str) -> str:
    return textwrap.dedent(f'''\
        """The {indicator_id} indicator against a worked example, its measure found through
        the catalogue exactly as `scrutiny run` finds it (run: pytest DATA/tests)."""

        from pathlib import Path

        import pandas as pd

        from scrutiny.framework import load_framework
        from scrutiny.measures import MeasureContext, run_measure
        from scrutiny.periods import Period

        DATA = Path(__file__).resolve().parents[1]  # the partnership's data folder


        def test_{indicator_id}_counts_open_actions_past_due():
            framework = load_framework(DATA)
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
