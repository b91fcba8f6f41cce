"""Profile pages: one's own profile (a section per URL), other people's (as far as each
field's visibility allows), and the photo. The tag vocabulary's pages are in ``tag_pages``,
the preference pages in ``preference_pages``.

Every section's form posts to its own route and answers with a 303 redirect; when something
is wrong the section is rendered again with every error and what was typed.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from mentorkit.accounts.time_zones import time_zone_choices
from mentorkit.errors import ConflictError, NotFound, ValidationFailed
from mentorkit.profiles import photos, services
from mentorkit.profiles.schemas import (
    DAYS,
    FIELDS,
    LANGUAGES,
    MAX_AVAILABILITY,
    MAX_LINKS,
    SENIORITY,
    VISIBILITY,
    Availability,
    Headline,
    Link,
    ProfileUpdate,
    ShortLine,
    VisibilityUpdate,
    Years,
)
from mentorkit.programs.pages import failed
from mentorkit.runtime import current_runtime
from mentorkit.schemas import Id, Input, Line, LongText
from mentorkit.web.csrf import CSRF_FIELD, require_form_token
from mentorkit.web.forms import Form, friendly, validate_form
from mentorkit.web.pages import AnyRequest, redirect, render

FormData = URLEncodedBody[dict[str, str]]

SECTIONS = {
    "about": "About",
    "skills": "Skills",
    "availability": "Availability",
    "photo": "Photo",
    "privacy": "Privacy",
}
LABELS = {
    "headline": "Headline", "bio": "About me", "seniority": "Seniority", "years_experience": "Years of experience",
    "department": "Department or unit", "time_zone": "Time zone", "languages": "Languages", "links": "Links",
    "skills_offered": "Skills I offer", "skills_sought": "Skills I am looking for",
    "availability": "Weekly availability",
    "photo": "Photo",
}
LABELS.update({f"link_{part}_{n}": f"Link {n} {word}" for n in range(1, MAX_LINKS + 1)
               for part, word in (("label", "label"), ("url", "address"))})
LABELS.update({f"{part}_{n}": f"Row {n} {word}" for n in range(1, MAX_AVAILABILITY + 1)
               for part, word in (("day", "day"), ("start", "from"), ("end", "until"))})
# Empty rows offered below the filled ones in the availability form.
SPARE_ROWS = 3


class AboutForm(Input):
    """The About section's single fields (languages and links are read as lists)."""

    headline: Headline = ""
    bio: LongText = ""
    seniority: ShortLine = ""
    years_experience: Years | None = None
    department: ShortLine = ""
    time_zone: Line = ""


class SkillsForm(Input):
    """Skills typed comma-separated."""

    skills_offered: Line = ""
    skills_sought: Line = ""


def _section_url(section: str) -> str:
    return "/profile" + ("" if section == "about" else f"?section={section}")


def _about_values(profile: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "headline": profile.headline or "", "bio": profile.bio or "", "seniority": profile.seniority or "",
        "years_experience": "" if profile.years_experience is None else str(profile.years_experience),
        "department": profile.department or "", "time_zone": profile.time_zone or "",
        "languages": list(profile.languages or []),
    }
    for number, link in enumerate(profile.links or [], start=1):
        values[f"link_label_{number}"], values[f"link_url_{number}"] = link.label, link.url
    return values


def _availability_values(profile: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for number, slot in enumerate(profile.availability or [], start=1):
        values.update({f"day_{number}": str(slot.day), f"start_{number}": slot.start, f"end_{number}": slot.end})
    return values


async def _profile_page(request: AnyRequest, section: str, *, status_code: int = 200,
                        form: Form | None = None) -> Template:
    if section not in SECTIONS:
        section = "about"
    profile = await services.get_profile(request.user.id, request.user)
    if form is None:
        values: dict[str, Any] = {}
        if section == "about":
            values = _about_values(profile)
        elif section == "skills":
            values = {"skills_offered": ", ".join(t.label for t in profile.skills_offered or []),
                      "skills_sought": ", ".join(t.label for t in profile.skills_sought or [])}
        elif section == "availability":
            values = _availability_values(profile)
        elif section == "privacy":
            values = dict(profile.visibility or {})
        form = Form(values)
    rows = len(profile.availability or []) + SPARE_ROWS
    if form.values:
        rows = max(rows, max((int(k.split("_")[1]) for k in form.values if k.startswith("day_")), default=0))
    return render(
        request, "profiles/mine.html", status_code=status_code, profile=profile, section=section,
        sections=SECTIONS, form=form, labels=LABELS,
        seniority_options=list(SENIORITY.items()), language_options=list(LANGUAGES.items()),
        time_zones=time_zone_choices(), link_rows=range(1, MAX_LINKS + 1),
        availability_rows=range(1, min(rows, MAX_AVAILABILITY) + 1),
        day_options=[(str(n), day) for n, day in enumerate(DAYS)],
        visibility_options=list(VISIBILITY.items()), fields=[(name, label) for name, (_, label) in FIELDS.items()],
        max_bytes=current_runtime().settings.photo_max_bytes,
    )


@get("/profile", opt={"policy": "signed_in"}, include_in_schema=False)
async def my_profile(request: AnyRequest, section: FromQuery[str] = "about") -> Template:
    """The signed-in person's profile, one section at a time."""
    return await _profile_page(request, section)


async def _save(request: AnyRequest, section: str, changes: ProfileUpdate | None, form: Form,
                checks: ProfileUpdate | None = None) -> Response[Any]:
    """Save a section's changes, or show the section again with every problem: those of the
    fields the form could not read and the service's (of ``changes``, or of ``checks``, the
    part that could be read) together."""
    status = 400
    if not form.ok and (changes or checks) is not None:
        for field, message in (await services.profile_problems(changes or checks)).items():  # type: ignore[arg-type]
            form.error(field, message)
    if changes is not None and form.ok:
        try:
            await services.update_profile(request.user, changes)
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            return redirect(_section_url(section), flash=f"{SECTIONS[section]} saved.")
    return await _profile_page(request, section, status_code=status, form=form)


def _one(cls: type[Any], values: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    """``values`` as a ``cls``, or the problem of each field (named as the form names them)."""
    try:
        return msgspec.convert(values, cls, strict=False), {}
    except msgspec.ValidationError as exc:
        field = str(exc).rpartition("$.")[2].rstrip("`") or "__all__"
        return None, {field: friendly(str(exc))}


@post("/profile/about", opt={"policy": "signed_in"}, include_in_schema=False)
async def save_about(request: AnyRequest) -> Response[Any]:
    """Save the About section (languages and up to five links included)."""
    submitted = await request.form()
    single = {k: v for k, v in submitted.items()
              if k in AboutForm.__struct_fields__ or k == CSRF_FIELD}
    values, form = validate_form(AboutForm, single)
    languages = [str(v) for v in submitted.getall("languages", [])][:len(LANGUAGES)]
    form.values["languages"] = languages  # type: ignore[assignment]
    links: list[Link] = []
    for number in range(1, MAX_LINKS + 1):
        label = str(submitted.get(f"link_label_{number}", "")).strip()
        url = str(submitted.get(f"link_url_{number}", "")).strip()
        form.values[f"link_label_{number}"], form.values[f"link_url_{number}"] = label, url
        if not label and not url:
            continue
        link, problems = _one(Link, {"label": label, "url": url})
        for field, message in problems.items():
            form.error(f"link_{field}_{number}", message if label or field != "label" else "this field is required")
        if link is not None:
            links.append(link)
    known = set(AboutForm.__struct_fields__) | {"languages", CSRF_FIELD} | {
        f"link_{part}_{n}" for part in ("label", "url") for n in range(1, MAX_LINKS + 1)}
    if unknown := [name for name in submitted if name not in known][:3]:
        form.error("__all__", "unknown fields: " + ", ".join(unknown))
    if values is not None and values.seniority and values.seniority not in SENIORITY:
        form.error("seniority", "choose one of the options")
    changes = None
    if values is not None:
        changes = ProfileUpdate(
            headline=values.headline, bio=values.bio, seniority=values.seniority,  # type: ignore[arg-type]
            years_experience=values.years_experience, department=values.department, languages=languages,
            links=links, time_zone=values.time_zone or msgspec.UNSET)
    time_zone = str(submitted.get("time_zone", "")).strip()
    checks = ProfileUpdate(languages=languages, time_zone=time_zone or msgspec.UNSET)
    return await _save(request, "about", changes, form, checks)


@post("/profile/skills", opt={"policy": "signed_in"}, include_in_schema=False)
async def save_skills(request: AnyRequest, data: FormData) -> Response[Any]:
    """Save the skills offered and sought (labels resolved through the vocabulary)."""
    from mentorkit.profiles.vocabulary import split_labels

    values, form = validate_form(SkillsForm, data)
    changes = None
    if values is not None:
        offered, sought = split_labels(values.skills_offered), split_labels(values.skills_sought)
        for name, labels in (("skills_offered", offered), ("skills_sought", sought)):
            if len(labels) > 30:
                form.error(name, "at most 30 skills")
        changes = ProfileUpdate(skills_offered=offered, skills_sought=sought)
    return await _save(request, "skills", changes, form)


@post("/profile/availability", opt={"policy": "signed_in"}, include_in_schema=False)
async def save_availability(request: AnyRequest, data: FormData) -> Response[Any]:
    """Save the weekly time ranges (a row left blank is dropped)."""
    form = Form({k: str(v) for k, v in data.items() if k != CSRF_FIELD})
    slots: list[Availability] = []
    for number in range(1, MAX_AVAILABILITY + 1):
        row = {part: str(data.get(f"{part}_{number}", "")).strip() for part in ("day", "start", "end")}
        if not any(row.values()):
            continue
        slot, problems = _one(Availability, row)
        for field, message in problems.items():
            form.error(f"{field}_{number}", "this field is required" if not row.get(field) else message)
        if slot is not None:
            slots.append(slot)
    known = {CSRF_FIELD} | {f"{p}_{n}" for p in ("day", "start", "end") for n in range(1, MAX_AVAILABILITY + 1)}
    if unknown := [name for name in data if name not in known][:3]:
        form.error("__all__", "unknown fields: " + ", ".join(unknown))
    return await _save(request, "availability", ProfileUpdate(availability=slots), form)


@post("/profile/privacy", opt={"policy": "signed_in"}, include_in_schema=False)
async def save_privacy(request: AnyRequest, data: FormData) -> Response[Any]:
    """Save who may see each field."""
    form = Form({k: str(v) for k, v in data.items() if k != CSRF_FIELD})
    visibility: dict[str, Any] = {}
    for name, value in data.items():
        if name == CSRF_FIELD:
            continue
        if name not in FIELDS:
            form.error("__all__", f"unknown field: {name[:40]}")
        elif value not in VISIBILITY:
            form.error(name, "choose one of the options")
        else:
            visibility[name] = value
    return await _save(request, "privacy", ProfileUpdate(visibility=VisibilityUpdate(**visibility)), form)


def _upload_limit() -> int:
    """The photo route's body limit: the photo setting plus room for the form around it."""
    try:
        return int(current_runtime().settings.photo_max_bytes) + 64_000
    except RuntimeError:
        return 5_064_000


def _photo_routes() -> list[Any]:
    # Built when the app is (the limit comes from the settings). A multipart body: the route
    # checks the CSRF token itself, before anything is stored (``web/csrf.py``).
    @post("/profile/photo", opt={"policy": "signed_in"}, include_in_schema=False, exclude_from_csrf=True,
          request_max_body_size=_upload_limit())
    async def upload_photo(request: AnyRequest) -> Response[Any]:
        """Upload a new photo (cleaned, resized, stored; the old one removed)."""
        form = Form()
        try:
            submitted = await request.form()
        except Exception:
            submitted = None
        require_form_token(request, submitted.get(CSRF_FIELD) if submitted is not None else None)
        upload = submitted.get("photo") if submitted is not None else None
        if not isinstance(upload, UploadFile):
            form.error("photo", "choose an image file")
            return await _profile_page(request, "photo", status_code=400, form=form)
        data = await upload.read(current_runtime().settings.photo_max_bytes + 1)
        try:
            await services.upload_photo(request.user, data)
        except ValidationFailed as exc:
            return await _profile_page(request, "photo", status_code=failed(form, exc), form=form)
        return redirect(_section_url("photo"), flash="Photo saved.")

    return [upload_photo]


@post("/profile/photo/remove", opt={"policy": "signed_in"}, include_in_schema=False)
async def remove_photo(request: AnyRequest) -> Response[Any]:
    """Remove the photo (asked first on the page)."""
    await services.remove_photo(request.user)
    return redirect(_section_url("photo"), flash="Photo removed.")


# --------------------------------------------------------------------------- other people


@get("/people/{user_id:int}", opt={"policy": "signed_in"}, include_in_schema=False)
async def person_page(request: AnyRequest, user_id: FromPath[Id]) -> Template:
    """Someone's profile with the fields their visibility allows the viewer."""
    try:
        profile = await services.get_profile(user_id, request.user)
    except NotFound:
        raise NotFoundException("no such person") from None
    return render(request, "profiles/person.html", profile=profile, labels=LABELS, languages=LANGUAGES,
                  seniority=SENIORITY, days=DAYS, fields=dict((n, label) for n, (_, label) in FIELDS.items()))


@get("/people/{user_id:int}/photo", opt={"policy": "signed_in"}, include_in_schema=False)
async def person_photo(request: AnyRequest, user_id: FromPath[Id]) -> Response[bytes]:
    """The photo, when its visibility allows the viewer (404 otherwise)."""
    try:
        name = await services.photo_file(user_id, request.user)
    except NotFound:
        raise NotFoundException("no photo") from None
    content = photos.read_photo(name)
    if content is None:
        raise NotFoundException("no photo")
    # Private: whether someone may see it depends on who asks, so no shared cache keeps it.
    return Response(content, media_type=photos.CONTENT_TYPE, headers={"Cache-Control": "private, max-age=300"})


def profile_page_routes() -> list[Any]:
    """Every profile page route."""
    from mentorkit.profiles.preference_pages import preference_page_routes
    from mentorkit.profiles.tag_pages import tag_page_routes

    return [
        my_profile, save_about, save_skills, save_availability, save_privacy, *_photo_routes(), remove_photo,
        person_page, person_photo, *tag_page_routes(), *preference_page_routes(),
    ]
