"""Hold many connections on the public /webhook and measure the server process's memory."""

from __future__ import annotations

import socket
import time
from pathlib import Path

# Shaped like a signature, so the server reads the body before it can tell it is wrong.
BOGUS_SIGNATURE = "sha256=" + "0" * 64
DECLARED = 4 * 1024 * 1024  # the largest body the webhook takes
SENT_PER_CONNECTION = 1024 * 1024  # then the sender stalls, holding the connection


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` now, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def open_files(pid: int) -> int:
    """File descriptors ``pid`` holds now."""
    return len(list(Path(f"/proc/{pid}/fd").iterdir()))


def _held(host: str, port: int) -> socket.socket:
    sock = socket.create_connection((host, port), timeout=10)
    sock.sendall(
        (
            f"POST /webhook HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {DECLARED}\r\nX-Hub-Signature-256: {BOGUS_SIGNATURE}\r\n\r\n"
        ).encode()
    )
    sock.setblocking(False)
    chunk = b"x" * 65536
    sent = 0
    while sent < SENT_PER_CONNECTION:
        try:
            sent += sock.send(chunk)
        except (BlockingIOError, OSError):
            break  # the server stopped reading (or refused and closed): hold what we have
    return sock


def flood(pid: int, host: str, port: int, connections: int, hold: float = 3.0) -> dict[str, float]:
    """Open ``connections`` stalled deliveries at once; RSS before, at the peak and after."""
    before = rss_mb(pid)
    peak = before
    held: list[socket.socket] = []
    try:
        for _ in range(connections):
            held.append(_held(host, port))
            if len(held) % 50 == 0:
                peak = max(peak, rss_mb(pid))
        deadline = time.monotonic() + hold
        while time.monotonic() < deadline:
            peak = max(peak, rss_mb(pid))
            time.sleep(0.1)
        files_held = open_files(pid)
    finally:
        for sock in held:
            sock.close()
    time.sleep(1.0)  # the server notices the closed connections
    return {"before": before, "peak": peak, "after": rss_mb(pid), "files_held": files_held}
