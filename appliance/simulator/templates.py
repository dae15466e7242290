"""How Meta checks a template message against the stored template: header, body, buttons.

Meta checks the header's format first (132012), then the number of values per component
(132000), then the named values, then the buttons (131008, 132018); the words are Meta's as
recorded in ``tests/fixtures/meta/templates/`` (its SOURCES.md says where each comes from).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from appliance.simulator.errors import Rejected

# Approved from the start: the templates the request fixtures and the demo use.
DEFAULT_TEMPLATES: tuple[tuple[str, str, list[dict[str, Any]]], ...] = (
    (
        "avviso_servizio",
        "UTILITY",
        [{"type": "BODY", "text": "Avviso del Comune: {{1}} chiusa il {{2}}."}],
    ),
    (
        "ordinanza",
        "UTILITY",
        [
            {"type": "HEADER", "format": "DOCUMENT"},
            {"type": "BODY", "text": "È stata pubblicata l'ordinanza {{1}}."},
        ],
    ),
    ("festa_paese", "MARKETING", [{"type": "BODY", "text": "Vi aspettiamo alla festa del paese!"}]),
    (
        "allerta_meteo",
        "UTILITY",
        [{"type": "BODY", "text": "Allerta meteo: {{1}}. Seguite le indicazioni del Comune."}],
    ),
    (
        "emergenza",
        "UTILITY",
        [{"type": "BODY", "text": "Comunicazione urgente del Comune: {{1}}"}],
    ),
)

_VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
# A stored button's type: the sub_type a send names it by, Meta's name for it in errors, and
# the type of the value a send may give it.
_BUTTON_TYPES = {
    "QUICK_REPLY": ("quick_reply", "QuickReply", "payload"),
    "URL": ("url", "Url", "text"),
    "COPY_CODE": ("copy_code", "CopyCode", "coupon_code"),
    "FLOW": ("flow", "Flow", "action"),
    "PHONE_NUMBER": ("voice_call", "PhoneNumber", ""),
}
_MEDIA_HEADERS = ("IMAGE", "VIDEO", "DOCUMENT", "LOCATION")


@dataclass(frozen=True, slots=True)
class Button:
    """One stored button: its type and whether a send must give it a value."""

    type: str
    needs_value: bool


@dataclass(frozen=True, slots=True)
class Shape:
    """What a stored template asks of a send: header format and variables, body, buttons."""

    header: str  # "" (none), TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION
    header_variables: tuple[str, ...]
    body_variables: tuple[str, ...]
    buttons: tuple[Button, ...]

    @property
    def parameter_format(self) -> str:
        """NAMED when any variable has a name, as Meta lists it (pywa reads it)."""
        names = self.header_variables + self.body_variables
        return "POSITIONAL" if all(n.isdigit() for n in names) else "NAMED"


def shape_of(components: list[dict[str, Any]]) -> Shape:
    """A template's shape from its components as the Templates API stores them."""
    by_type = {str(c.get("type") or "").upper(): c for c in components if isinstance(c, dict)}
    header = by_type.get("HEADER", {})
    header_format = str(header.get("format") or ("TEXT" if header else "")).upper()
    buttons = tuple(
        Button(
            str(b.get("type") or "").upper(),
            # Only a URL ending in a variable must be given a value on every send.
            str(b.get("type") or "").upper() == "URL" and bool(_VARIABLE.search(str(b.get("url")))),
        )
        for b in by_type.get("BUTTONS", {}).get("buttons") or []
        if isinstance(b, dict)
    )
    return Shape(
        header=header_format,
        header_variables=_variables(header.get("text")) if header_format == "TEXT" else (),
        body_variables=_variables(by_type.get("BODY", {}).get("text")),
        buttons=buttons,
    )


def _variables(text: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_VARIABLE.findall(str(text or ""))))


def check(shape: Shape, content: dict[str, Any]) -> None:
    """Refuse a send whose components do not fit the template, as Meta does; None when they do."""
    header: list[dict[str, Any]] = []
    body: list[dict[str, Any]] = []
    buttons: list[dict[str, Any]] = []
    for component in content.get("components") or []:
        kind = str(component.get("type") or "").lower()
        if kind == "button":
            buttons.append(component)
        else:
            (header if kind == "header" else body).extend(component.get("parameters") or [])
    _check_header_format(shape, header)
    media = shape.header in _MEDIA_HEADERS
    _check_count("header", header, 1 if media else len(shape.header_variables))
    _check_count("body", body, len(shape.body_variables))
    if shape.parameter_format == "NAMED":
        if shape.header == "TEXT":
            _check_names(header, shape.header_variables)
        _check_names(body, shape.body_variables)
    elif any("parameter_name" in p for p in header + body):
        raise Rejected(132012, "this template takes positional parameters, not names")
    _check_buttons(shape.buttons, buttons)


def _check_header_format(shape: Shape, given: list[dict[str, Any]]) -> None:
    if not shape.header or (shape.header == "TEXT" and not given):
        return  # no header, or a text header: counted with the other values
    received = str(given[0].get("type") or "").upper() if given else "UNKNOWN"
    if received != shape.header:
        raise Rejected(
            132012, f"header: Format mismatch, expected {shape.header}, received {received}"
        )


def _check_count(component: str, given: list[dict[str, Any]], want: int) -> None:
    if len(given) != want:
        raise Rejected(
            132000,
            f"{component}: number of localizable_params ({len(given)}) does not match the "
            f"expected number of params ({want})",
        )


def _check_names(given: list[dict[str, Any]], expected: tuple[str, ...]) -> None:
    names = {p.get("parameter_name") for p in given}
    if names != set(expected):
        raise Rejected(132000, f"parameter_name must be each of {sorted(expected)}")


def _check_buttons(stored: tuple[Button, ...], given: list[dict[str, Any]]) -> None:
    valued = set()
    for component in given:
        index = int(str(component.get("index")))  # a digit: the structural check ran first
        if index >= len(stored):
            # Meta's words for an index past the last button are not recorded.
            raise Rejected(131009, f"buttons: Button at index {index} does not exist")
        button = stored[index]
        sub_type, meta_name, value_type = _BUTTON_TYPES.get(
            button.type, ("", button.type.title(), "")
        )
        named = str(component.get("sub_type") or "").lower()
        if named and named != sub_type:
            raise Rejected(132018, f"buttons: Button at index {index} must be of type {meta_name}")
        parameters = component.get("parameters") or []
        if not parameters:
            continue  # an empty button component counts as none (checked below)
        if not button.needs_value and button.type in ("URL", "PHONE_NUMBER"):
            _check_count("button", parameters, 0)  # a fixed link or number takes no value
        elif str(parameters[0].get("type") or "").lower() != value_type:
            raise Rejected(
                100,
                f"button: Parameter '{value_type}' is mandatory for component parameter type "
                f"'{value_type}' and cannot be empty",
            )
        valued.add(index)
    for index, button in enumerate(stored):
        if button.needs_value and index not in valued:
            raise Rejected(
                131008, f"buttons: Button at index {index} of type Url requires a parameter"
            )
