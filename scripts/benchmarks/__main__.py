"""Run the benchmarks, print a table and write bench-results/latest.md with the machine."""

from __future__ import annotations

import importlib
import os
import pkgutil
import platform
import sys
import time
from pathlib import Path

import scripts.benchmarks as package

RESULTS = Path(__file__).resolve().parents[2] / "bench-results"


def machine() -> str:
    """CPU model, cores, memory and Python version of this machine."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{model}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, {platform.system()} {platform.machine()}"


def main(selected: list[str]) -> int:
    """Run the selected (or all) benchmarks; ``--quick`` shortens the long ones (the soak)."""
    if "--quick" in selected:
        os.environ["BENCH_QUICK"] = "1"
        selected = [name for name in selected if name != "--quick"]
    names = sorted(
        info.name[len("bench_") :]
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.startswith("bench_")
    )
    unknown = set(selected) - set(names)
    if unknown:
        print(f"unknown benchmarks: {', '.join(sorted(unknown))}; available: {', '.join(names)}")
        return 2
    rows: list[dict] = []
    sections: list[str] = []
    failed = 0
    for name in selected or names:
        print(f"== {name}", flush=True)
        started = time.monotonic()
        module = importlib.import_module(f"scripts.benchmarks.bench_{name}")
        try:
            results = module.run()
        except Exception as err:  # noqa: BLE001 - report and go on with the next benchmark
            print(f"   failed: {type(err).__name__}: {err}")
            failed += 1
            continue
        for row in results:
            row.setdefault("bench", name)
            print(
                f"   {row['name']}: {row['value']} {row['unit']} (target {row.get('target', '-')})"
            )
        print(f"   ({time.monotonic() - started:.0f} s)")
        rows.extend(results)
        sections.extend(getattr(module, "SECTIONS", []))
    RESULTS.mkdir(exist_ok=True)
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}.",
        "",
        "| benchmark | figure | value | target |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {r['bench']} | {r['name']} | {r['value']} {r['unit']} | {r.get('target', '')} |"
        for r in rows
    ]
    for section in sections:
        lines += ["", section]
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
