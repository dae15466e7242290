"""The one CSV dialect of every export: what Italian Excel and LibreOffice open as plain cells.

Italian Excel splits on ``;`` (the comma is the decimal mark), so the delimiter is ``;``;
every cell is quoted so no delimiter inside a name makes a new cell; a BOM makes both read
UTF-8; a cell whose first visible character would start a formula gets a leading ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from quart import Response

DELIMITER = ";"
# What makes Excel/LibreOffice treat a cell as a formula (CSV injection), after any spaces.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: Any) -> str:
    """The cell as text, prefixed with ' when it would start a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)  # numbers (negative ones too) are data, not formulas
    text = str(value)
    visible = text.lstrip(" \u00a0")
    return (
        "'" + text
        if text.startswith(FORMULA_STARTS) or visible.startswith(FORMULA_STARTS)
        else text
    )


def write_csv(
    out: io.TextIOBase | Any, header: Iterable[str], rows: Iterable[Iterable[Any]]
) -> None:
    """Write a header and rows to a text stream, every cell quoted and neutralised."""
    writer = csv.writer(out, delimiter=DELIMITER, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])


def csv_text(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """The whole CSV as a string (with a BOM so spreadsheets read UTF-8 accents right)."""
    out = io.StringIO()
    out.write("\ufeff")
    write_csv(out, header, rows)
    return out.getvalue()


def csv_response(filename: str, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Response:
    """A download of the CSV under ``filename``."""
    return Response(
        csv_text(header, rows),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
