"""Fixtures for install.sh: offline wheels, source trees of two versions, a pretend host."""

from __future__ import annotations

import pytest

from tests.support.host import REPO, Host, make_source
from tests.support.wheelhouse import build_dependencies


@pytest.fixture(scope="session")
def deps_wheels(tmp_path_factory):
    """Every runtime dependency as a wheel, built once per session from this venv."""
    target = tmp_path_factory.mktemp("deps")
    build_dependencies(REPO, target)
    return target


@pytest.fixture
def host(tmp_path):
    """A temporary root with mocks for every host-changing command; the app is stopped after."""
    pretend = Host(tmp_path / "host")
    try:
        yield pretend
    finally:
        pretend.stop_app()


@pytest.fixture
def source(tmp_path, deps_wheels):
    """This repository as release 0.1.0 with its wheels."""
    folder = tmp_path / "src-0.1.0"
    folder.mkdir()
    return make_source(folder, deps_wheels, "0.1.0")
