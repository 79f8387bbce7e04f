"""Errors a user can act on.

Every reader, the store and the CLI raise :class:`InputError` for bad input. The CLI prints it as one line
(no traceback) and exits with a non-zero code, so scripts can rely on both the message and the status.
"""

from __future__ import annotations


class InputError(Exception):
    """Bad input from the user: names the file, sheet and cell (or row/column) when it knows them."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        cell: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.sheet = sheet
        self.cell = cell
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = [part for part in (self.file, f"sheet '{self.sheet}'" if self.sheet else None, self.cell) if part]
        return f"{': '.join(where)}: {self.message}" if where else self.message


class NotFoundError(InputError):
    """An id (table, concordance, …) that is not in the store."""

    exit_code = 3
