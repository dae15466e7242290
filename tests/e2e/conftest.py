"""Browser tests: every test in this folder is marked e2e (the browser fixtures are in tests/)."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items):
    """Every test in this folder is a browser test."""
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)
