"""The suite's own layout: conftest files hold only fixtures and hooks, helpers live in tests/support."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.fast


def _is_fixture(node: ast.AST) -> bool:
    """A function decorated with ``pytest.fixture`` (called or not)."""
    for decorator in getattr(node, "decorator_list", []):
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr == "fixture":
            return True
    return False


def _stray_definitions(tree: ast.Module) -> list[str]:
    """Top-level statements of a conftest that are not imports, fixtures, hooks or private state."""
    stray = []
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom | ast.If):  # If: TYPE_CHECKING imports
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if _is_fixture(node) or node.name.startswith("pytest_"):
                continue
            stray.append(f"line {node.lineno}: function {node.name}")
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if names and all(n.startswith("_") for n in names):
                continue
            stray.append(f"line {node.lineno}: {', '.join(names) or 'assignment'}")
        else:
            stray.append(f"line {node.lineno}: {type(node).__name__}")
    return stray


def _conftest_imports(tree: ast.Module) -> list[str]:
    """Imports of a conftest module anywhere in a file (functions included)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        else:
            continue
        found += [f"line {node.lineno}: {m}" for m in modules if m.split(".")[-1] == "conftest"]
    return found


def _sources() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "fixtures" not in p.relative_to(TESTS).parts)


def test_conftest_files_define_only_fixtures_and_hooks():
    stray = {
        str(path.relative_to(TESTS)): found
        for path in _sources()
        if path.name == "conftest.py"
        and (found := _stray_definitions(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert not stray, f"move these helpers to tests/support: {stray}"


def test_no_module_imports_from_a_conftest():
    importing = {
        str(path.relative_to(TESTS)): found
        for path in _sources()
        if (found := _conftest_imports(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert not importing, f"import helpers from tests/support, not from conftest: {importing}"


def test_the_layout_check_sees_a_helper_and_a_conftest_import():
    tree = ast.parse(
        "import pytest\nfrom tests.conftest import CORPUS\nLIMIT = 3\n"
        "def helper(): ...\n@pytest.fixture\ndef ok(): ...\ndef pytest_configure(config): ...\n"
    )
    assert _stray_definitions(tree) == ["line 3: LIMIT", "line 4: function helper"]
    assert _conftest_imports(tree) == ["line 2: tests.conftest"]
