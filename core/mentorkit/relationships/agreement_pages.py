"""The mentoring agreement's pages and API: a relationship's agreement (members edit and
confirm it) and a program's template (its coordinators edit it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Response, get, post, put
from litestar.params import FromPath, JSONBody, URLEncodedBody
from litestar.response import Template

from mentorkit.errors import ConflictError, PermissionDenied, ValidationFailed
from mentorkit.programs import services as programs
from mentorkit.programs.pages import failed
from mentorkit.relationships import agreements, policies
from mentorkit.relationships.schemas import (
    AgreementConfirm,
    AgreementSectionInput,
    AgreementUpdate,
    AgreementView,
)
from mentorkit.schemas import Id, Input, LongText
from mentorkit.web.forms import Form, validate_form
from mentorkit.web.pages import AnyRequest, redirect, render

TAGS = ["relationships"]
FormData = URLEncodedBody[dict[str, str]]
# Further sections a form offers (the API takes up to ten).
FORM_SECTIONS = 3
LABELS = {
    "meeting_frequency": "How often we meet", "channel": "Where and how we meet",
    "confidentiality": "Confidentiality", "expectations": "What we expect of each other", "ends_on": "Ends on",
    **{f"section_{n}_{part}": f"Section {n} {'title' if part == 'title' else 'text'}"
       for n in range(1, FORM_SECTIONS + 1) for part in ("title", "text")},
}

assert policies.POLICIES  # importing the module registers the policies these routes name


class AgreementForm(Input):
    """The agreement form: the standard terms and a few further sections, each optional here
    (the service names what is missing)."""

    meeting_frequency: LongText = ""
    channel: LongText = ""
    confidentiality: LongText = ""
    expectations: LongText = ""
    ends_on: dt.date | None = None
    section_1_title: LongText = ""
    section_1_text: LongText = ""
    section_2_title: LongText = ""
    section_2_text: LongText = ""
    section_3_title: LongText = ""
    section_3_text: LongText = ""


def form_of(terms: Any) -> Form:
    """The form showing ``terms`` (an ``AgreementTerms``)."""
    values = {name: getattr(terms, name) for name in ("meeting_frequency", "channel", "confidentiality",
                                                        "expectations")}
    values["ends_on"] = terms.ends_on.isoformat() if terms.ends_on else ""
    for n, section in enumerate(terms.sections[:FORM_SECTIONS], start=1):
        values[f"section_{n}_title"], values[f"section_{n}_text"] = section.title, section.text
    return Form(values)


def _update(data: dict[str, str]) -> tuple[AgreementUpdate | None, Form]:
    """The posted form as the API's ``AgreementUpdate``: field errors keep their form names."""
    values, form = validate_form(AgreementForm, data)
    if values is None:
        return None, form
    sections = []
    for n in range(1, FORM_SECTIONS + 1):
        title, text = getattr(values, f"section_{n}_title").strip(), getattr(values, f"section_{n}_text")
        if title or text.strip():
            if not title:
                form.error(f"section_{n}_title", "give the section a title, or clear its text")
            sections.append({"title": title or "-", "text": text})
    plain = {name: getattr(values, name) for name in ("meeting_frequency", "channel", "confidentiality",
                                                        "expectations")}
    for name in ("meeting_frequency", "channel"):
        if not plain[name].strip():
            form.error(name, "write what you agree to (a few words will do)")
        elif "\n" in plain[name]:
            form.error(name, "must be a single line")
    if not form.ok:
        return None, form
    try:
        update = msgspec.convert({**plain, "ends_on": values.ends_on, "sections": sections}, AgreementUpdate)
    except msgspec.ValidationError as exc:
        form.error("__all__", str(exc))
        return None, form
    return update, form


# --------------------------------------------------------------------------- a relationship's agreement


async def agreement_context(request: AnyRequest, relationship: Any, viewer: str,
                            form: Form | None = None) -> dict[str, Any]:
    """What the relationship page's agreement section needs (``relationship`` and ``viewer``
    as the page read them)."""
    view = await agreements.agreement_view(relationship, viewer, request.user)
    return {"agreement": view, "agreement_form": form or (form_of(view.terms) if view.terms else Form()),
            "agreement_labels": LABELS}


@post("/relationships/{relationship_id:int}/agreement", opt={"policy": "relationship_member"},
      include_in_schema=False)
async def edit_agreement(request: AnyRequest, relationship_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Save the agreement's text (a new version once anyone has confirmed)."""
    from mentorkit.relationships.pages import relationship_page_with

    update, form = _update(data)
    status = 400
    if update is not None:
        try:
            view = await agreements.update_agreement(relationship_id, update.terms(), request.user)
        except (ValidationFailed, ConflictError, PermissionDenied) as exc:
            status = failed(form, exc)
        else:
            return redirect(f"/relationships/{relationship_id}?section=agreement",
                            flash=f"Agreement saved as version {view.version}: every member confirms it.")
    return await relationship_page_with(request, relationship_id, status, agreement=form)


@post("/relationships/{relationship_id:int}/agreement/confirm", opt={"policy": "relationship_member"},
      include_in_schema=False)
async def confirm(request: AnyRequest, relationship_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Confirm the agreement's version that was read."""
    from mentorkit.relationships.pages import relationship_page_with

    values, form = validate_form(AgreementConfirm, data)
    status = 400
    if values is not None:
        try:
            view = await agreements.confirm_agreement(relationship_id, values.version, request.user)
        except (ConflictError, PermissionDenied) as exc:
            form.error("__all__", str(exc))
            status = 403 if isinstance(exc, PermissionDenied) else 409
        else:
            return redirect(f"/relationships/{relationship_id}?section=agreement",
                            flash="Everyone has confirmed the agreement." if view.agreed
                            else "You confirmed the agreement.")
    return await relationship_page_with(request, relationship_id, status, confirm=form)


@get("/api/v1/relationships/{relationship_id:int}/agreement", opt={"policy": "relationship_viewer"}, tags=TAGS)
async def get_agreement(request: AnyRequest, relationship_id: FromPath[Id]) -> AgreementView:
    """The agreement: current version, who confirmed it, earlier versions (text for members only)."""
    return await agreements.get_agreement(relationship_id, request.user)


@put("/api/v1/relationships/{relationship_id:int}/agreement", opt={"policy": "relationship_member"}, tags=TAGS)
async def put_agreement(request: AnyRequest, relationship_id: FromPath[Id],
                        data: JSONBody[AgreementUpdate]) -> AgreementView:
    """Change the agreement's text (a new version once anyone has confirmed the current one)."""
    return await agreements.update_agreement(relationship_id, data.terms(), request.user)


@post("/api/v1/relationships/{relationship_id:int}/agreement/confirm", opt={"policy": "relationship_member"},
      tags=TAGS, status_code=200)
async def confirm_agreement(request: AnyRequest, relationship_id: FromPath[Id],
                            data: JSONBody[AgreementConfirm]) -> AgreementView:
    """Confirm the current version (``version`` names the one read; confirming twice is a 409)."""
    return await agreements.confirm_agreement(relationship_id, data.version, request.user)


# --------------------------------------------------------------------------- a program's template


async def _template_page(request: AnyRequest, program_id: int, form: Form | None = None,
                         status_code: int = 200) -> Template:
    detail = await programs.program_detail(program_id, request.user)
    terms = await agreements.program_template(program_id, request.user)
    return render(request, "programs/agreement.html", status_code=status_code, program=detail.program,
                  form=form or form_of(terms), labels=LABELS, sections=range(1, FORM_SECTIONS + 1))


@get("/programs/{program_id:int}/agreement", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def template_page(request: AnyRequest, program_id: FromPath[Id]) -> Template:
    """The program's agreement template: the text every new relationship starts from."""
    return await _template_page(request, program_id)


@post("/programs/{program_id:int}/agreement", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def save_template(request: AnyRequest, program_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Save the program's agreement template."""
    update, form = _update(data)
    status = 400
    if update is not None:
        try:
            await agreements.set_program_template(program_id, update.terms(), request.user)
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            return redirect(f"/programs/{program_id}/agreement", flash="Agreement template saved.")
    return await _template_page(request, program_id, form, status)


@get("/api/v1/programs/{program_id:int}/agreement-template", opt={"policy": "program_coordinator"},
     tags=["programs"])
async def get_template(request: AnyRequest, program_id: FromPath[Id]) -> AgreementUpdate:
    """The program's agreement template (its own, the format's or the core's)."""
    terms = await agreements.program_template(program_id, request.user)
    return AgreementUpdate(
        meeting_frequency=terms.meeting_frequency, channel=terms.channel, confidentiality=terms.confidentiality,
        expectations=terms.expectations, ends_on=terms.ends_on,
        sections=[AgreementSectionInput(title=s.title, text=s.text) for s in terms.sections])


@put("/api/v1/programs/{program_id:int}/agreement-template", opt={"policy": "program_coordinator"},
     tags=["programs"])
async def put_template(request: AnyRequest, program_id: FromPath[Id],
                       data: JSONBody[AgreementUpdate]) -> AgreementUpdate:
    """Change the program's agreement template (new relationships start from it)."""
    await agreements.set_program_template(program_id, data.terms(), request.user)
    return data


def agreement_routes() -> list[Any]:
    """Every agreement page and API route."""
    return [edit_agreement, confirm, get_agreement, put_agreement, confirm_agreement, template_page, save_template,
            get_template, put_template]
