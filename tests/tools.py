"""Where the test suite finds the tools that come from outside PyPI (Debian's Chromium,
npm's axe-core and the Nu HTML checker), and what it does when one is missing: skip on a
developer's machine, fail in CI (CI=true), where .ci/run installs them all."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("PARLEY_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(available: bool, what: str) -> None:
    if available:
        return
    message = f"{what} is missing; .ci/run installs it (see README, Pages)."
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def java() -> str | None:
    return shutil.which("java")
