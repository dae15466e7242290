"""Build hook: the admin UI's files (web/ in the repository) go into the wheel as appliance/web.

The metadata is in pyproject.toml; this only copies web/ next to the package, so an installed
release needs nothing from the checkout (appliance.admin looks there first, then at web/).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

WEB = Path(__file__).resolve().parent / "web"


class BuildPyWithWeb(build_py):
    """build_py, then web/ copied to appliance/web (editable installs read the checkout's)."""

    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            target = Path(self.build_lib) / "appliance" / "web"
            shutil.copytree(WEB, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*"))


setup(cmdclass={"build_py": BuildPyWithWeb})
