"""Screenshots for the guides in ``docs/``, taken by the browser tests on the way.

Every call saves the page under ``test-artifacts/screens/`` (look at them after a run). With
``MENTORKIT_DOC_SCREENSHOTS=1`` the picture also replaces ``docs/images/<name>.png``, which the
guides show: run ``MENTORKIT_DOC_SCREENSHOTS=1 .venv/bin/pytest tests/browser`` after changing a
page and commit the images that changed. ``tests/test_docs_images.py`` checks that every
picture a guide shows exists and every stored picture is shown somewhere.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screens"
DOC_IMAGES = ROOT / "docs" / "images"


def doc_screenshot(page: Any, name: str, *, full_page: bool = False) -> Path:
    """Save what the page shows now as ``<name>.png``; return the artifact's path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    if os.environ.get("MENTORKIT_DOC_SCREENSHOTS") == "1":
        DOC_IMAGES.mkdir(parents=True, exist_ok=True)
        (DOC_IMAGES / f"{name}.png").write_bytes(path.read_bytes())
    return path
