"""The tunnel side imports nothing of the admin side."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.fast


def test_public_modules_import_nothing_of_admin():
    code = (
        "import sys, pkgutil, importlib, appliance.public\n"
        "for name in ('appliance.public', 'appliance.cloudapi'):\n"
        "    try:\n"
        "        package = importlib.import_module(name)\n"
        "    except ModuleNotFoundError:\n"
        "        continue\n"
        "    for info in pkgutil.walk_packages(package.__path__, name + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "print(sorted(m for m in sys.modules if m.startswith('appliance.lan')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_two_apps_share_no_templates_static_or_handlers(running):
    public, lan = running.appliance.public, running.appliance.lan
    assert public is not lan
    assert public.static_folder is None and public.template_folder is None
    assert public.error_handler_spec is not lan.error_handler_spec
    assert not set(public.view_functions) & set(lan.view_functions) - {"static"}
