"""Typed part keys: each capability object is provided and read under a key declared beside it."""

from __future__ import annotations

from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")
D = TypeVar("D")


class MissingPart(LookupError):
    """A part was read that no capability provided (not set up, or set up after its reader)."""


class PartKey(Generic[T]):
    """The key of one capability object: ``DELIVERIES: PartKey[Deliveries] = PartKey("deliveries")`` beside its class."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"PartKey({self.name!r})"


class Parts:
    """Capability objects by typed key; reading one nobody provided fails and names it."""

    def __init__(self) -> None:
        self._items: dict[PartKey[Any], Any] = {}

    def provide(self, key: PartKey[T], value: T) -> None:
        """Register ``value`` under ``key``; a second provider for one key is a wiring bug."""
        if key in self._items:
            raise ValueError(f"part {key.name!r} is provided twice")
        self._items[_checked(key)] = value

    def __getitem__(self, key: PartKey[T]) -> T:
        try:
            return self._items[_checked(key)]
        except KeyError:
            raise MissingPart(
                f"part {key.name!r} was never provided: is its capability set up before this one?"
            ) from None

    @overload
    def get(self, key: PartKey[T]) -> T | None: ...
    @overload
    def get(self, key: PartKey[T], default: D) -> T | D: ...
    def get(self, key: PartKey[T], default: Any = None) -> Any:
        """The part under ``key``, or ``default`` when its capability is not installed."""
        return self._items.get(_checked(key), default)

    def __contains__(self, key: PartKey[Any]) -> bool:
        return _checked(key) in self._items

    def remove(self, key: PartKey[T]) -> T | None:
        """Take a part out (tests: as if its capability were not installed)."""
        return self._items.pop(_checked(key), None)

    @property
    def names(self) -> list[str]:
        """The provided parts' names, in the order they were provided."""
        return [key.name for key in self._items]


def _checked(key: Any) -> PartKey[Any]:
    if not isinstance(key, PartKey):
        raise TypeError(f"parts are read by PartKey, not {key!r}")
    return key
