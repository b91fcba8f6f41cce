"""In a real Chromium, a person fills in their profile (about, skills by a synonym, availability,
a photo, who sees what) and another person sees only what the visibility allows."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.browser.screenshots import doc_screenshot
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser

PASSWORD = "a long enough browser password"


def _prepare(live_server: Any) -> dict[str, Any]:
    """The tag vocabulary ("ML" a synonym of "Machine learning") and two people."""
    from mentorkit.accounts.services import create_user
    from mentorkit.profiles import tags

    async def build() -> dict[str, Any]:
        admin = await create_user(email="admin@example.org", display_name="Ada Lindqvist", password=PASSWORD,
                                  is_admin=True)
        ml = await tags.create_tag("Machine learning", admin)
        await tags.add_synonym(ml.id, "ML", admin)
        for label in ("Python", "Public speaking", "Data visualisation", "Career growth"):
            await tags.create_tag(label, admin)
        mei = await create_user(email="mei@example.org", display_name="Mei Chen", password=PASSWORD)
        await create_user(email="oliver@example.org", display_name="Oliver Grant", password=PASSWORD)
        return {"mei_id": mei.id}

    return asyncio.run_coroutine_threadsafe(build(), live_server.loop).result(timeout=60)


def _photo(tmp_path: Path) -> Path:
    """A small PNG portrait-ish picture made with Pillow."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 320), (214, 236, 233))
    draw = ImageDraw.Draw(image)
    draw.ellipse((100, 50, 220, 170), fill=(17, 94, 89))
    draw.ellipse((50, 180, 270, 400), fill=(17, 94, 89))
    path = tmp_path / "mei.png"
    image.save(path, format="PNG")
    return path


def _saved(page: Any, words: str) -> None:
    page.wait_for_load_state()
    assert words in page.locator("main").inner_text()


def test_fill_in_a_profile_and_what_others_see(live_server: Any, page: Any, browser: Any, tmp_path: Path) -> None:
    base = live_server.url
    world = _prepare(live_server)
    sign_in(page, base, "mei@example.org", PASSWORD)

    # About.
    page.get_by_role("link", name="Profile", exact=True).click()
    page.get_by_label("Headline").fill("Data scientist, happy to help people into their first ML job")
    page.get_by_label("About me").fill(
        "Eight years in retail analytics, the last four building demand forecasts.\n\n"
        "I mentor people moving from analysis into machine learning.")
    page.get_by_label("Seniority").select_option(label="Senior")
    page.get_by_label("Years of experience").fill("8")
    page.get_by_label("Department or unit").fill("Forecasting")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_role("group", name="Languages").get_by_label("English", exact=True).check()
    page.get_by_role("group", name="Languages").get_by_label("German (Deutsch)").check()
    page.get_by_label("Link 1 label").fill("Blog")
    page.get_by_label("Link 1 address").fill("https://mei-chen.example.org")
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    doc_screenshot(page, "profile-about")
    page.get_by_role("button", name="Save").click()
    _saved(page, "About saved.")
    assert page.get_by_label("Department or unit").input_value() == "Forecasting"

    # Skills: "ML" is the vocabulary's synonym of "Machine learning", stored as that tag.
    page.get_by_role("link", name="Skills", exact=True).click()
    page.get_by_label("Skills I offer").fill("ML, Python")
    page.get_by_label("Skills I am looking for").fill("public speaking")
    page.get_by_role("button", name="Save").click()
    _saved(page, "Skills saved.")
    chips = page.locator(".profile-fields")
    assert chips.get_by_text("Machine learning", exact=True).is_visible()
    assert chips.get_by_text("Public speaking", exact=True).is_visible()
    assert chips.get_by_text("ML", exact=True).count() == 0
    doc_screenshot(page, "profile-skills")

    # Availability, in her time zone.
    page.get_by_role("link", name="Availability", exact=True).click()
    page.get_by_label("Day 1").select_option(label="Tuesday")
    page.locator("#f-start_1").fill("17:30")
    page.locator("#f-end_1").fill("19:00")
    page.get_by_label("Day 2").select_option(label="Thursday")
    page.locator("#f-start_2").fill("12:00")
    page.locator("#f-end_2").fill("13:00")
    page.get_by_role("button", name="Save").click()
    _saved(page, "Availability saved.")
    assert "Europe/Berlin" in page.locator("#f-availability").inner_text().replace(" ", "_") or \
        "Europe/Berlin" in page.content()

    # A photo.
    page.get_by_role("link", name="Photo", exact=True).click()
    page.set_input_files("#f-photo", str(_photo(tmp_path)))
    page.get_by_role("button", name="Upload photo").click()
    _saved(page, "Photo saved.")
    assert page.get_by_role("img", name="Your photo").is_visible()

    # Privacy: the headline for staff only; the department for everyone signed in.
    page.get_by_role("link", name="Privacy", exact=True).click()
    page.get_by_label("Headline").select_option(label="Staff of my programs only")
    page.get_by_label("Department").select_option(label="Everyone signed in")
    page.get_by_role("button", name="Save").click()
    _saved(page, "Privacy saved.")
    assert page.get_by_label("Headline").input_value() == "staff"

    # Her own public page shows everything to her.
    page.goto(f"{base}/people/{world['mei_id']}")
    assert "Eight years in retail analytics" in page.content()
    doc_screenshot(page, "person-profile")

    # Oliver, signed in but in none of her programs, sees what "everyone signed in" allows only.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    oliver = context.new_page()
    oliver.set_default_timeout(10_000)
    try:
        sign_in(oliver, base, "oliver@example.org", PASSWORD)
        oliver.goto(f"{base}/people/{world['mei_id']}")
        text = oliver.locator("main").inner_text()
        assert "Mei Chen" in text
        assert "Forecasting" in text                    # department: everyone signed in
        assert "Machine learning" in text               # skills: everyone signed in (the default)
        assert "English" in text                        # languages: everyone signed in (the default)
        assert "happy to help people" not in text       # headline: staff only
        assert "Eight years in retail analytics" not in text  # about me: members (the default)
        assert "Tuesday" not in text                    # availability: members
        assert oliver.locator("img.profile-photo").count() == 0  # photo: members
        assert "Years of experience" not in text        # staff only (the default)
        note = oliver.locator(".profile-fields + p").inner_text()
        assert "Mei Chen shares only some of their profile with you. Not shown to you:" in note
        assert "headline" in note and "department" not in note
        doc_screenshot(oliver, "person-profile-limited")
    finally:
        context.close()
