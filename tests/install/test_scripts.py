"""Static checks of the shell scripts and units, and install.sh functions called one by one."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.support.host import REPO

pytestmark = pytest.mark.fast

SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache"}


def shell_scripts() -> list[str]:
    """Every file in the repository that starts with a bash or sh shebang, or ends in .sh."""
    found = []
    for path in REPO.rglob("*"):
        if SKIP_DIRS & set(path.relative_to(REPO).parts) or not path.is_file():
            continue
        with path.open("rb") as fh:
            head = fh.read(64)
        if path.suffix == ".sh" or (head.startswith(b"#!") and b"sh" in head.split(b"\n")[0]):
            found.append(str(path.relative_to(REPO)))
    return sorted(found)


def test_every_shell_script_passes_shellcheck():
    if shutil.which("shellcheck") is None:
        pytest.fail("shellcheck is missing: scripts/test installs it (apt-get install shellcheck)")
    scripts = shell_scripts()
    assert "install.sh" in scripts and "scripts/lib/common.sh" in scripts
    result = subprocess.run(
        ["shellcheck", *scripts], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_units_verify_with_paths_in_a_root(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing: scripts/test installs the systemd package")
    for executable in ("opt/banditore/current/venv/bin/appliance", "usr/bin/cloudflared"):
        path = tmp_path / executable
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    units = []
    for unit in sorted((REPO / "systemd").glob("*.[st]*")):
        if unit.suffix not in (".service", ".timer"):
            continue
        text = unit.read_text()
        for prefix in (
            "/opt/banditore",
            "/usr/bin/cloudflared",
            "/etc/banditore",
            "/var/lib/banditore",
        ):
            text = text.replace(prefix, f"{tmp_path}{prefix}")
        (tmp_path / unit.name).write_text(text)
        units.append(str(tmp_path / unit.name))
    result = subprocess.run(
        ["systemd-analyze", "verify", *units], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_unit_contract():
    app = (REPO / "systemd/banditore.service").read_text()
    for line in (
        "Type=notify",
        "WatchdogSec=30",
        "Restart=on-failure",
        "SupplementaryGroups=gpio",
        "Environment=GPIOZERO_PIN_FACTORY=lgpio",
        "WorkingDirectory=/var/lib/banditore",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/banditore -/media -/mnt",
        "NoNewPrivileges=yes",
        "RestartForceExitStatus=75",
        "PrivateTmp=yes",
    ):
        assert line in app.splitlines(), line
    for unit in (REPO / "systemd").glob("*.service"):
        for line in unit.read_text().splitlines():
            if line.startswith("Environment="):
                assert not any(w in line.lower() for w in ("token", "secret", "password", "key"))
    ingress = (REPO / "systemd/cloudflared.yml").read_text()
    assert ingress.rstrip().endswith("- service: http_status:404")
    assert ingress.count("service: http://127.0.0.1:8081") == 3


def call(function_body: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Source install.sh (main does not run) and call functions, as Pi-hole's tests do."""
    script = (
        f'set -euo pipefail; source "{REPO}/install.sh"; set_defaults; set_paths\n{function_body}'
    )
    return subprocess.run(
        ["bash", "-c", script], input=stdin, capture_output=True, text=True, check=False
    )


def test_sourcing_does_not_run_main():
    result = call("echo sourced")
    assert result.returncode == 0 and result.stdout == "sourced\n"


def test_mask_report_hides_secrets_and_setup_codes(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[whatsapp]\naccess_token = "EAAG-real-token-123"\n')
    key = tmp_path / "backup.key"
    key.write_text("q0xkPz1Xo2ne9yPq7bM1zXf4bq4Rlz8w6bq2h1YkEtc=\n")
    text = (
        "token EAAG-real-token-123 in a line\n"
        "one-time setup code ABCD-EFGH-JKMN (valid 24 hours)\n"
        "key q0xkPz1Xo2ne9yPq7bM1zXf4bq4Rlz8w6bq2h1YkEtc= leaked\n"
        "code alone WXYZ-2345-6789 too\n"
    )
    result = call(f'SECRETS_FILE="{secrets}"; KEY_FILE="{key}"; mask_report', stdin=text)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "EAAG-real-token-123" not in out and "ABCD-EFGH-JKMN" not in out
    assert "q0xkPz1Xo2ne9yPq7bM1zXf4bq4Rlz8w6bq2h1YkEtc=" not in out and "WXYZ-2345-6789" not in out
    assert out.count("***") == 4 and "in a line" in out


def test_answers_file_is_read_not_executed(tmp_path):
    marker = tmp_path / "pwned"
    answers = tmp_path / "answers"
    answers.write_text(
        f'# comment\nBANDITORE_TOWN_NAME="Rota d\'Imagna"\nAPP_SECRET=$(touch {marker})\n'
    )
    result = call(
        f'ANSWERS_FILE="{answers}"; load_answers_file; answer TOWN_NAME; echo; answer APP_SECRET'
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["Rota d'Imagna", f"$(touch {marker})"]
    assert not marker.exists()
    answers.write_text("BANDITORE_NOT_A_KEY=1\n")
    result = call(f'ANSWERS_FILE="{answers}"; load_answers_file')
    assert result.returncode == 1 and "unknown key NOT_A_KEY" in result.stderr


def test_environment_wins_over_the_answers_file(tmp_path):
    answers = tmp_path / "answers"
    answers.write_text("TOWN_NAME=From file\nPHONE_NUMBER_ID=1\n")
    result = call(
        f'BANDITORE_TOWN_NAME="From env"; ANSWERS_FILE="{answers}"; load_answers_env; '
        "load_answers_file; answer TOWN_NAME; echo; answer PHONE_NUMBER_ID"
    )
    assert result.stdout.splitlines() == ["From env", "1"]


def test_toml_strings_are_escaped():
    result = call(r'toml_string "a \"quoted\" back\\slash d' "'" 'Imagna"')
    assert result.stdout == r'"a \"quoted\" back\\slash d' + "'" + 'Imagna"'
