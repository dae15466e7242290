"""Reading the appliance's database from a test, through its own reader connections."""

from __future__ import annotations

from typing import Any

from tests.support.appliance import RunningAppliance


class Row(tuple):
    """One result row: compares and unpacks as a tuple, and reads by column name like a mapping."""

    _columns: tuple[str, ...]

    def __new__(cls, row: Any) -> Row:
        made = super().__new__(cls, tuple(row))
        made._columns = tuple(row.keys())
        return made

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return super().__getitem__(self._columns.index(key))
            except ValueError:
                raise KeyError(key) from None
        return super().__getitem__(key)

    def keys(self) -> tuple[str, ...]:
        """The column names (so ``dict(row)`` works)."""
        return self._columns


def rows(running: RunningAppliance, sql: str, params: Any = ()) -> list[Row]:
    """The rows of one query."""
    return [Row(r) for r in running.call(running.appliance.db.fetchall(sql, params))]
