"""The guides' pictures: every image a page in ``docs/`` shows exists, and every stored image
is shown somewhere (the browser tests take them: ``tests/browser/screenshots.py``)."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"
IMAGE = re.compile(r"!\[[^\]]*\]\((images/[^)\s]+)\)")


def _shown() -> dict[str, list[str]]:
    shown: dict[str, list[str]] = {}
    for page in sorted(DOCS.glob("*.md")):
        for target in IMAGE.findall(page.read_text(encoding="utf-8")):
            shown.setdefault(target, []).append(page.name)
    return shown


def test_every_image_a_guide_shows_exists() -> None:
    missing = {target: pages for target, pages in _shown().items() if not (DOCS / target).is_file()}
    assert missing == {}


def test_every_stored_image_is_shown_by_a_guide() -> None:
    stored = {f"images/{p.name}" for p in (DOCS / "images").glob("*.png")} if (DOCS / "images").is_dir() else set()
    assert sorted(stored - set(_shown())) == []


def test_the_image_pattern_finds_images() -> None:
    # The check above can fail: the pattern sees a picture in a guide's Markdown.
    assert IMAGE.findall("text ![The join page](images/join.png) more") == ["images/join.png"]
