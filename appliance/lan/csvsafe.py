"""The one CSV writer for every export: cells a spreadsheet would run as formulas are defused."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

# A leading =, +, -, @, tab or CR makes Excel/LibreOffice treat a cell as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> str:
    """The cell as text, prefixed with ' when it would start a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)  # numbers (negative ones too) are data, not formulas
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(
    out: io.TextIOBase | Any, header: Iterable[str], rows: Iterable[Iterable[Any]]
) -> None:
    """Write a header and rows to a text stream, every cell neutralised."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])


def csv_text(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """The whole CSV as a string (with a BOM so spreadsheets read UTF-8 accents right)."""
    out = io.StringIO()
    out.write("\ufeff")
    write_csv(out, header, rows)
    return out.getvalue()
