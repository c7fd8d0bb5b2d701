"""A problem with the data folder as a whole stops `scrutiny run` before anything is written.

The user sees one sentence saying what is wrong and no traceback; ``--debug`` shows the
traceback. Each case runs the real command line in a subprocess, as a user would.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scrutiny.cli import main

GOOD_TOML = """name = "Test partnership"

[[areas]]
code = "E06000022"
name = "Bath and North East Somerset"
old_la_code = 800
children_0_17 = 36600
"""
ONE_RETURN = ("area_code,month,indicator_id,numerator,denominator,agency\n"
              "E06000022,2026-01,referrals,98,,local_authority\n")


def run_scrutiny(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrutiny.cli", *arguments], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def folder(tmp_path: Path, toml: str | bytes | None, returns: dict[str, str] | None) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    if isinstance(toml, bytes):
        (data / "partnership.toml").write_bytes(toml)
    elif toml is not None:
        (data / "partnership.toml").write_text(toml, encoding="utf-8")
    if returns is not None:
        (data / "returns").mkdir()
        for name, text in returns.items():
            (data / "returns" / name).write_text(text, encoding="utf-8")
    return data


CASES = {
    "no-partnership-toml": (None, {"indicators_E06000022_2025-26-Q4.csv": ONE_RETURN},
                            "partnership.toml not found"),
    "broken-toml": ('name = "Test\n[[areas]\n', {"indicators_E06000022_2025-26-Q4.csv":
                                                 ONE_RETURN}, "is not valid TOML"),
    "toml-not-utf8": (GOOD_TOML.replace("Test", "Tést").encode("latin-1"),
                      {"indicators_E06000022_2025-26-Q4.csv": ONE_RETURN}, "is not UTF-8"),
    "no-areas": ('name = "Test"\n', {"indicators_E06000022_2025-26-Q4.csv": ONE_RETURN},
                 "every partnership needs a name and [[areas]]"),
    "bad-area-code": (GOOD_TOML.replace("E06000022", "Bath"), {}, "not a 9-character ONS"),
    "repeated-area": (GOOD_TOML + GOOD_TOML.split("\n", 2)[2], {}, "listed more than once"),
    "no-children": (GOOD_TOML.replace("36600", "0"), {}, "children_0_17 must be a positive"),
    "empty-returns-folder": (GOOD_TOML, {}, "there are no returns in"),
    "only-files-that-are-not-returns": (GOOD_TOML, {"notes.txt": "call BNES"},
                                        "none of the 1 file(s)"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_folder_problem_stops_the_run_in_one_sentence_before_writing(tmp_path, case):
    toml, returns, says = CASES[case]
    data = folder(tmp_path, toml, returns)
    out = tmp_path / "out"
    # in process, as click runs it (the subprocess tests below show the same from a shell)
    result = CliRunner().invoke(main, ["run", "--data", str(data), "--out", str(out),
                                       "--no-progress"])
    assert result.exit_code == 1
    assert result.exc_info[0] is SystemExit  # no exception escaped: one sentence, no trace
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: ") and says in line
    assert not out.exists()  # nothing written: no store, no reports


def test_from_a_shell_the_user_sees_one_sentence(tmp_path):
    data = folder(tmp_path, 'name = "Test\n[[areas]\n', {})
    result = run_scrutiny("run", "--data", str(data), "--out", str(tmp_path / "out"),
                          "--no-progress", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: ") and "is not valid TOML" in line


def test_debug_shows_the_traceback(tmp_path):
    data = folder(tmp_path, None, {})
    result = run_scrutiny("--debug", "run", "--data", str(data), "--out",
                          str(tmp_path / "out"), "--no-progress", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" in result.stderr and "PartnershipError" in result.stderr


def test_a_missing_data_folder_is_one_sentence(tmp_path):
    result = CliRunner().invoke(main, ["run", "--data", str(tmp_path / "nowhere"), "--out",
                                       str(tmp_path / "out"), "--no-progress"])
    assert result.exit_code == 1 and "does not exist" in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_unexpected_error_is_one_sentence_without_debug(tmp_path, monkeypatch):
    def broken(*_args, **_kwargs):
        raise TypeError("expected string or bytes-like object, got 'float'")

    monkeypatch.setattr("scrutiny.runner.run_cycle", broken)  # imported when the run starts
    data = folder(tmp_path, GOOD_TOML, {"indicators_E06000022_2025-26-Q4.csv": ONE_RETURN})
    arguments = ["run", "--data", str(data), "--out", str(tmp_path / "out"), "--no-progress"]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 1 and result.exc_info[0] is SystemExit
    assert "unexpected error (TypeError)" in result.stderr and "--debug" in result.stderr
    debugged = CliRunner().invoke(main, ["--debug", *arguments])
    assert debugged.exc_info[0] is TypeError  # --debug lets the traceback through
