"""A real Debian 12 booted with systemd-nspawn: systemd as PID 1, the host network shared.

The root is made once by debootstrap (scripts/lib/common.sh: debian_root) and cached on disk,
keyed by its package list; each run boots a fresh overlay of it, so nothing a run does is kept.
Commands run inside through nsenter with a clean environment (nspawn's own helpers need the
host's systemd as PID 1, which a CI runner does not have).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from tests.support.host import REPO

CACHE = Path(os.environ.get("BANDITORE_TEST_CACHE", "/var/cache/banditore-tests"))
# Besides what install.sh installs: what a booted Debian needs.
BOOT_PACKAGES = ("systemd", "systemd-sysv", "dbus", "procps")
# Units that would reach outside loopback or change the box behind the test's back.
MASKED = (
    "avahi-daemon.service",
    "avahi-daemon.socket",
    "apt-daily.timer",
    "apt-daily-upgrade.timer",
)
GUEST_ENV = ("PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LANG=C.UTF-8", "SYSTEMD_PAGER=")


def shell(script: str, timeout: float = 1800) -> str:
    """Run bash with scripts/lib/common.sh sourced; its standard output."""
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", f'source "{REPO}/scripts/lib/common.sh"\n{script}'],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{script!r} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def install_sh_packages() -> list[str]:
    """install.sh's own package list, so the cached root already holds what it installs."""
    script = f'source "{REPO}/install.sh"; printf "%s\\n" "${{OS_PACKAGES[@]}}"'
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    return out.stdout.split()


def cached_root() -> Path:
    """The debootstrapped bookworm root (built on the first run, about two minutes)."""
    packages = " ".join([*install_sh_packages(), *BOOT_PACKAGES])
    return Path(shell(f'debian_root "{CACHE}" "$(dpkg --print-architecture)" bookworm {packages}'))


def checkout_files() -> list[str]:
    """The checkout's files as git sees them (uncommitted changes included)."""
    out = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-co", "--exclude-standard", "-z"],
        capture_output=True,
        check=True,
    )
    return [name for name in out.stdout.decode().split("\0") if name and (REPO / name).exists()]


class Machine:
    """One booted container over an overlay of ``lower``; ``run`` executes bash inside it."""

    def __init__(self, lower: Path, base: Path, name: str) -> None:
        self.lower, self.base, self.name = lower, base, name
        self.root = base / "merged"
        self.console = base / "console.log"
        self.process: subprocess.Popen | None = None
        self.leader = 0

    def boot(self) -> None:
        """Mount the overlay, prepare the guest, boot it and wait until systemd is up."""
        for folder in ("upper", "work", "merged"):
            (self.base / folder).mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "mount",
                "-t",
                "overlay",
                "overlay",
                "-o",
                f"lowerdir={self.lower},upperdir={self.base / 'upper'},workdir={self.base / 'work'}",
                str(self.root),
            ],
            check=True,
        )
        self._prepare()
        pip_cache = CACHE / "pip"
        pip_cache.mkdir(parents=True, exist_ok=True)
        with self.console.open("w") as console:
            self.process = subprocess.Popen(
                [
                    "systemd-nspawn",
                    "--boot",
                    f"--directory={self.root}",
                    f"--machine={self.name}",
                    "--register=no",
                    "--keep-unit",
                    "--console=pipe",
                    "--resolv-conf=copy-host",
                    f"--bind={pip_cache}:/root/.cache/pip",
                ],
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
            )
        self.leader = self._wait_for_leader()
        state = self._wait_until_up()
        if state not in ("running", "degraded"):
            raise RuntimeError(f"the container did not boot ({state}):\n{self.console.read_text()}")

    def _prepare(self) -> None:
        shell(f'prepare_guest "{self.root}"')
        subprocess.run(
            ["chroot", str(self.root), "update-ca-certificates"], capture_output=True, check=True
        )
        units = self.root / "etc/systemd/system"
        for unit in MASKED:
            (units / unit).unlink(missing_ok=True)
            (units / unit).symlink_to("/dev/null")
        (self.root / "etc/hostname").write_text("banditore-test\n")

    def _wait_for_leader(self) -> int:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"systemd-nspawn ended:\n{self.console.read_text()}")
            for pid in _descendants(self.process.pid):
                if Path(f"/proc/{pid}/comm").read_text().strip() == "systemd":
                    return pid
            time.sleep(0.2)
        raise RuntimeError("no systemd inside the container after 30 s")

    def _wait_until_up(self) -> str:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = self.run("systemctl is-system-running --wait", timeout=60)
            state = done.stdout.strip()
            if state in ("running", "degraded", "maintenance", "stopping"):
                return state
            time.sleep(0.5)
        return "not up after 60 s"

    def run(
        self, script: str, timeout: float = 600, check: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """Run ``script`` with bash inside the container as root, with a clean environment."""
        done = subprocess.run(
            [
                "nsenter",
                "-t",
                str(self.leader),
                "-a",
                "env",
                "-i",
                *GUEST_ENV,
                "bash",
                "-c",
                script,
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"{script!r} exit {done.returncode}:\n{done.stdout}\n{done.stderr}"
            )
        return done

    def out(self, script: str, timeout: float = 600) -> str:
        """Standard output of ``script``, which must succeed."""
        return self.run(script, timeout=timeout, check=True).stdout

    def copy_checkout(self, target: str) -> Path:
        """The checkout copied to ``target`` inside the container (its path on the host)."""
        folder = self.root / target.lstrip("/")
        for name in checkout_files():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, path)
        return folder

    def stop(self) -> None:
        """Power off (nspawn turns SIGTERM into a clean shutdown), unmount, remove the overlay."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        subprocess.run(["umount", "-R", str(self.root)], capture_output=True, check=False)
        if not os.path.ismount(self.root):  # never delete through a mount that is still there
            shutil.rmtree(self.base, ignore_errors=True)


def _descendants(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found.extend(int(c) for c in children)
        pending.extend(int(c) for c in children)
    return found
