"""The one error type of the national statistics loader."""

from __future__ import annotations

from pathlib import Path


class NationalDataError(Exception):
    """A national statistics file is missing or unusable.

    Carries the file and the problem separately so that a caller can skip that file family,
    report the problem, and go on with the others.
    """

    def __init__(self, file: Path | str, problem: str) -> None:
        self.file = Path(file)
        self.problem = problem
        super().__init__(f"{self.file.name}: {problem}")
