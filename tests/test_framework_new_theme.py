"""`scrutiny new-theme` adds the theme to the framework a run will use, and makes an id (and
files) from any name a partnership gives its theme."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from scrutiny.cli import main
from scrutiny.framework import FrameworkError, default_text, load_framework
from scrutiny.scaffold import ID_LENGTH, new_theme, theme_id_for


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data folder with a partnership and nothing of its framework."""
    from scrutiny import demo

    folder = tmp_path / "data"
    demo.generate(folder)
    return folder


def test_new_theme_adds_to_the_framework_named_with_framework(data: Path, tmp_path: Path):
    own = tmp_path / "fw-own"
    own.mkdir()
    framework_file = own / "lscp-2026.toml"
    framework_file.write_text(default_text("framework.toml").replace(
        'title = "Leadership and accountability"', 'title = "Our leaders"'), encoding="utf-8")
    result = CliRunner().invoke(main, ["new-theme", "Neglect", "--data", str(data),
                                       "--framework", str(framework_file)])
    assert result.exit_code == 0, result.output
    assert f"pytest {own / 'tests'}" in result.output
    assert f"--framework {framework_file}" in result.output

    framework = load_framework(data, framework_file)  # as `scrutiny run --framework` reads it
    assert framework.theme("neglect").title == "Neglect"
    assert framework.step("leadership").title == "Our leaders"  # its own words are kept
    assert framework.indicator("neglect_actions_overdue").themes == ("neglect",)
    assert (own / "indicators.toml").is_file() and (own / "measures" / "neglect.py").is_file()
    assert (data / "deep_dives" / "neglect.ipynb").is_file()  # run for every area of DATA
    assert not (data / "framework.toml").exists() and not (data / "measures").exists()
    tested = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             str(own / "tests")], capture_output=True, text=True, cwd=tmp_path)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_new_theme_uses_the_data_folders_framework_by_default(data: Path):
    (data / "framework.toml").write_text(default_text("framework.toml").replace(
        "threshold = 5", "threshold = 7"), encoding="utf-8")
    new_theme(data, "Neglect")
    framework = load_framework(data)
    assert framework.disclosure_threshold == 7 and "neglect" in framework.theme_ids


@pytest.mark.parametrize(("name", "theme_id"), [
    ("Négligence et pauvreté", "negligence_et_pauvrete"),
    ("Straße", "strasse"),
    ("Neglect and poverty", "neglect_and_poverty"),
    ("Children and young people missing from education",
     "children_young_people_missing_education"),
    ("Exploitation, county lines and serious youth violence in the night-time economy",
     "exploitation_county_lines_serious_youth"),
])
def test_a_theme_id_is_made_from_any_latin_name(name: str, theme_id: str):
    assert theme_id_for(name) == theme_id
    assert len(theme_id) <= ID_LENGTH


@pytest.mark.parametrize("name", ["儿童忽视", "!!", "   "])
def test_a_name_with_no_latin_letters_asks_for_an_id(name: str):
    with pytest.raises(FrameworkError, match="choose the theme's id with --id"):
        theme_id_for(name)


def test_a_long_or_foreign_name_is_kept_as_the_title_with_the_id_told(data: Path):
    runner = CliRunner()
    long_name = "Children and young people missing from education"
    made = runner.invoke(main, ["new-theme", long_name, "--data", str(data)])
    assert made.exit_code == 0, made.output
    assert "with the id 'children_young_people_missing_education'" in made.output
    refused = runner.invoke(main, ["new-theme", "儿童忽视", "--data", str(data)])
    assert refused.exit_code == 1 and "--id" in refused.output
    named = runner.invoke(main, ["new-theme", "儿童忽视", "--id", "neglect_cn", "--data",
                                 str(data)])
    assert named.exit_code == 0, named.output
    bad_id = runner.invoke(main, ["new-theme", "Neglect", "--id", "9 lives", "--data",
                                  str(data)])
    assert bad_id.exit_code == 1 and "--id '9 lives' must be" in bad_id.output
    framework = load_framework(data)
    assert framework.theme("children_young_people_missing_education").title == long_name
    assert framework.theme("neglect_cn").title == "儿童忽视"


@pytest.mark.parametrize("name", ['Neglect """ poverty', 'Neglect \\ "poverty"',
                                  "Neglect\tand\x01poverty"])
def test_any_characters_of_a_name_are_written_safely(data: Path, name: str):
    made = new_theme(data, name)
    framework = load_framework(data)  # the TOML and the measure module both load
    title = " ".join(name.split())
    assert framework.theme(made.theme_id).title == title
    assert tomllib.loads((data / "framework.toml").read_text(encoding="utf-8"))
    measure = data / "measures" / f"{made.theme_id}.py"
    compile(measure.read_text(encoding="utf-8"), str(measure), "exec")
