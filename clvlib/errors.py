"""Errors a consultant can act on.

A ``ClvError`` is a problem in the client's configuration or data, never a bug: the CLI prints its
message as one paragraph and exits with code 2. Each message names the file, the key or column,
a sample row where there is one, and the fix.
"""

from __future__ import annotations


class ClvError(Exception):
    """A configuration or data problem the user can fix (CLI exit code 2)."""

    exit_code = 2

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        column: str | None = None,
        row: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.column = column
        self.row = row
        self.fix = fix
        super().__init__(self.paragraph())

    def paragraph(self) -> str:
        """The whole message as one paragraph: where, what, an example, and the fix."""
        parts = []
        where = []
        if self.file:
            where.append(f"file {self.file}")
        if self.column:
            where.append(f"column '{self.column}'")
        if where:
            parts.append("In " + ", ".join(where) + ":")
        parts.append(self.problem.rstrip(".") + ".")
        if self.row:
            parts.append(f"Example: {self.row}.")
        if self.fix:
            parts.append("Fix: " + self.fix.rstrip(".") + ".")
        return " ".join(parts)


class ConfigError(ClvError):
    """``client.yml`` is invalid: unknown key, wrong type, missing file."""


class DataError(ClvError):
    """An input table cannot be used as configured (missing column, nothing parses, ...)."""
