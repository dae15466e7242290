"""Where the recorded Meta material lives: the fixtures and the corpus of real webhook payloads."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "meta"
CORPUS = FIXTURES / "webhooks"
