"""The package installs anywhere: a wheel built from this repository, installed outside it, runs
the whole demo cycle from an unrelated folder (notebooks and contracts ship inside it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]


def run(arguments: list[str], *, cwd: Path, env: dict[str, str] | None = None,
        timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(arguments, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel, built without network (the test environment's setuptools) and installed
    into a folder of its own; its dependencies come from this environment."""
    root = tmp_path_factory.mktemp("wheel")
    built = run([sys.executable, "-m", "pip", "wheel", str(REPOSITORY), "--no-deps",
                 "--no-build-isolation", "--no-index", "-w", str(root / "dist")], cwd=root)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = (root / "dist").glob("scrutiny-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("scrutiny/notebooks/area_report.ipynb",
                    "scrutiny/notebooks/regional_comparison.ipynb",
                    "scrutiny/notebooks/data_quality.ipynb",
                    "scrutiny/data_contracts/returns/actions.v1.json",
                    "scrutiny/data_contracts/national/cla.v1.json",
                    "scrutiny/framework/framework.toml",
                    "scrutiny/templates/index.html.j2"):
        assert shipped in names, shipped
    done = run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
                "--target", str(root / "site"), str(wheel)], cwd=root)
    assert done.returncode == 0, done.stderr[-3000:]
    return root / "site"


def test_an_installed_wheel_runs_the_demo_cycle_outside_the_source_tree(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("SCRUTINY_") and key != "PYTHONPATH"}
    env["PYTHONPATH"] = str(installed)  # before the editable install of this checkout
    where = run([sys.executable, "-c", "import scrutiny; print(scrutiny.__file__)"],
                cwd=elsewhere, env=env)
    assert Path(where.stdout.strip()).is_relative_to(installed), where.stdout

    done = run([sys.executable, "-m", "scrutiny.cli", "run", "--no-progress"], cwd=elsewhere,
               env=env, timeout=900)
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-3000:])
    period = elsewhere / "reports" / "2025-26-Q4"
    manifest = json.loads((period / "run.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete"
    assert [report["status"] for report in manifest["reports"]] == ["ok"] * 7
    assert "This run is complete" in (period / "index.html").read_text(encoding="utf-8")
    for page in ("area-bristol-city-of.html", "regional-comparison.html", "data-quality.html"):
        assert (period / page).stat().st_size > 10_000, page
    # the executed notebooks came from the wheel, not from this repository
    executed = json.loads((period / "notebooks" / "data-quality.ipynb").read_text())
    assert str(REPOSITORY) not in json.dumps(executed)
