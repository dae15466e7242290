"""Benchmarks: each ``bench_<name>.py`` module defines ``run() -> list[dict]``."""
