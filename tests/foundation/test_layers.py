"""The layer contract: every module imports only its own layer and the layers below it.

Read from the source with ``ast``, so imports under ``TYPE_CHECKING`` and imports inside
functions count like any other: a cycle hidden behind either is still a cycle.
"""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.fast

PACKAGE = Path(__file__).resolve().parents[2] / "appliance"

# Bottom to top. A capability may import the core, the LAN shell and the capabilities named here.
CORE = "core"
SHELL = "lan"
CAPABILITIES: dict[str, set[str]] = {
    "cloudapi": set(),
    "simulator": {"cloudapi"},
    "audience": {"cloudapi"},
    "feeds": set(),
    "box": {"cloudapi"},  # the armed message is a Meta template
    "backups": set(),
    "accounts": set(),
    # It answers through the engine's reply lane, and with the feeds' forecast and alerts.
    "conversation": {"audience", "campaigns", "cloudapi", "feeds"},
    "campaigns": {"audience", "cloudapi", "box", "feeds"},
    "studio": {"audience", "campaigns", "cloudapi"},
    "operations": {"audience", "backups", "box", "campaigns", "cloudapi", "feeds"},
}
# Behind the tunnel: the public app and the capabilities' public routes; never the LAN shell.
PUBLIC = "public"
PUBLIC_ALLOWED = {CORE, "cloudapi"}
TUNNEL_SIDE = {"appliance.cloudapi", "appliance.audience.privacy_page"}
# Entry points wire everything together and may import anything.
ENTRY = {"app", "cli", "server", "demo", "__main__"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every ``appliance.*`` module a file imports, wherever the import statement stands."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    return _imports_of(path.read_text(encoding="utf-8"), package)


def _imports_of(source: str, package: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            if module == "appliance":  # from appliance import audience, __version__
                found |= {f"appliance.{alias.name}" for alias in node.names}
            else:
                found.add(module)
    return {m for m in found if m.startswith("appliance.")}


def _layer(module: str) -> str:
    return module.split(".")[1]


def _allowed(layer: str) -> set[str] | None:
    """The layers ``layer`` may import; None for the entry points (anything)."""
    if layer in ENTRY:
        return None
    if layer == CORE:
        return {CORE}
    if layer == SHELL:
        return {CORE, SHELL}
    if layer == PUBLIC:
        return PUBLIC_ALLOWED | {PUBLIC}
    if layer in CAPABILITIES:
        return {CORE, SHELL, layer} | CAPABILITIES[layer]
    raise AssertionError(f"appliance.{layer} belongs to no layer: add it to {__file__}")


def _files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE or p.stem in ENTRY)


def test_every_module_imports_only_downwards():
    wrong = []
    for path in _files():
        layer = _layer(_module_name(path))
        allowed = _allowed(layer)
        if allowed is None:
            continue
        for module in _imports(path):
            if _layer(module) not in allowed and module != "appliance.__version__":
                wrong.append(f"{_module_name(path)} imports {module}")
    assert wrong == []


def test_the_tunnel_side_never_imports_the_lan_shell():
    wrong = []
    for path in _files():
        name = _module_name(path)
        if not any(name == t or name.startswith(t + ".") for t in TUNNEL_SIDE):
            continue
        wrong += [f"{name} imports {m}" for m in _imports(path) if _layer(m) == SHELL]
    assert wrong == []


def test_every_package_has_a_layer():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    known = {CORE, SHELL, PUBLIC, *CAPABILITIES, *ENTRY}
    assert packages - known == set()


def test_the_contract_sees_imports_inside_functions_and_type_checking():
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from appliance.app import create_app\n"
        "def f():\n    from ..lan import i18n\n"
    )
    assert _imports_of(source, "appliance.core") == {"appliance.app", "appliance.lan"}
