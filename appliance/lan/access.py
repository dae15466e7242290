"""Roles and who may do what: every LAN route declares the least role it needs (default admin)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from appliance.core.errors import BadRequest

F = TypeVar("F", bound=Callable[..., Any])

ROLES = ("admin", "operator", "editor", "viewer")

# Each role can do everything the roles after it can: admin > operator > editor > viewer.
_RANK = {role: len(ROLES) - index for index, role in enumerate(ROLES)}
DEFAULT_ROLE = "admin"
ANYONE = None  # the route is open without login (login, first-run setup, static files)
_ATTRIBUTE = "__required_role__"


@dataclass(frozen=True)
class Principal:
    """Who is making the request: a logged-in staff member or an API token."""

    kind: str  # "user" or "token"
    id: int
    name: str
    role: str
    language: str = "it"

    def can(self, role: str) -> bool:
        """True when this principal's role includes ``role``."""
        return _RANK[self.role] >= _RANK[role]


def requires(role: str | None) -> Callable[[F], F]:
    """Declare the least role a view needs; ``ANYONE`` opens it without login."""
    if role is not None and role not in _RANK:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")

    def mark(view: F) -> F:
        setattr(view, _ATTRIBUTE, role)
        return view

    return mark


def required_role(view: Callable[..., Any]) -> str | None:
    """The role a view declared, admin when it declared none."""
    return getattr(view, _ATTRIBUTE, DEFAULT_ROLE)


def is_open(view: Callable[..., Any]) -> bool:
    """True when a view declared it needs no login."""
    return getattr(view, _ATTRIBUTE, DEFAULT_ROLE) is ANYONE


def check_role(role: str) -> None:
    """Raise BadRequest unless ``role`` is one of ROLES."""
    if role not in ROLES:
        raise BadRequest(f"role: one of {', '.join(ROLES)}")
