"""The wheel carries what the package needs at run time: here, the staff's language catalogs."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from tests.support.host import REPO
from tests.support.wheelhouse import build_banditore

pytestmark = pytest.mark.fast

READ = (
    "import appliance; from appliance.lan import i18n; "
    "print(appliance.__file__); print(i18n.load_catalog('en').messages['Cruscotto'])"
)


def test_an_installed_wheel_reads_the_english_catalog(tmp_path):
    wheel = build_banditore(REPO, tmp_path / "wheels")
    installed = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        assert "appliance/locale/en/LC_MESSAGES/banditore.po" in zf.namelist()
        zf.extractall(installed)
    shown = subprocess.run(
        [sys.executable, "-c", READ],
        env={"PYTHONPATH": str(installed)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert shown == [str(installed / "appliance" / "__init__.py"), "Dashboard"]
