"""Time loading and exporting the national statistics.

Usage: python -m scrutiny.national.bench SOURCE_DIR [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from scrutiny.national.export import export_national
from scrutiny.national.load import load_national


def _time(action: Callable[[], object], repeat: int) -> list[float]:
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    return seconds


def _line(label: str, seconds: list[float]) -> str:
    return (
        f"{label:<34} median {statistics.median(seconds):6.3f} s   "
        f"min {min(seconds):6.3f} s   max {max(seconds):6.3f} s   (n={len(seconds)})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source_dir", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    data = load_national(args.source_dir)  # warm-up, and the figures to report
    print(f"first load (imports great-expectations): {time.perf_counter() - start:.3f} s")
    print(f"source: {args.source_dir}")
    print(
        f"rows: {len(data.table):,}   indicators: {data.table['indicator_id'].nunique()}   "
        f"problems: {len(data.problems)}"
    )
    for problem in data.problems:
        print(f"  problem: {problem}")

    with tempfile.TemporaryDirectory() as folder:
        out_file = Path(folder) / "national.csv"
        results = {
            "load_national (with Ofsted)": _time(
                lambda: load_national(args.source_dir), args.repeat
            ),
            "load_national (indicators only)": _time(
                lambda: load_national(args.source_dir, include_ofsted=False), args.repeat
            ),
            "load_national (no contracts)": _time(
                lambda: load_national(args.source_dir, check_contracts=False), args.repeat
            ),
            "export_national (load + CSV)": _time(
                lambda: export_national(args.source_dir, out_file), args.repeat
            ),
        }
        size = out_file.stat().st_size
    for label, seconds in results.items():
        print(_line(label, seconds))
    print(f"CSV size: {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
