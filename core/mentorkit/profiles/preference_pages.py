"""The preferences page of an enrolment: the enrolled person's wish list and "not with" list,
with a search of the program's participants to add people from. Coordinators may open it
to read both lists (they match people); only the enrolled person changes them."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from mentorkit.errors import ConflictError, ValidationFailed
from mentorkit.programs import policies, preferences
from mentorkit.programs.pages import failed
from mentorkit.programs.tables import Program
from mentorkit.schemas import Id, Input
from mentorkit.web.forms import Form, validate_form
from mentorkit.web.pages import AnyRequest, redirect, render

FormData = URLEncodedBody[dict[str, str]]
HOLDER = {"policy": "enrolment_holder"}

assert policies.POLICIES  # importing the module registers the policies these routes name


class PreferenceAdd(Input):
    """Put a person on the wish list (``wish``) or the "not with" list (``avoid``)."""

    user_id: Id
    kind: Literal["wish", "avoid"]


class PreferenceRemove(Input):
    """Take a person off their list."""

    user_id: Id


def _url(program_id: int, enrolment_id: int) -> str:
    return f"/programs/{program_id}/enrolments/{enrolment_id}/preferences"


async def _page(request: AnyRequest, program_id: int, enrolment_id: int, *, query: str = "", page: int = 1,
                status_code: int = 200, form: Form | None = None) -> Template:
    prefs = await preferences.get_preferences(enrolment_id, request.user, program_id=program_id)
    mine = prefs.user_id == request.user.id
    found: list[Any] = []
    pages = 1
    if mine:
        found, page, pages = await preferences.candidates(enrolment_id, request.user, query=query, page=page,
                                                          program_id=program_id)
    program = await Program.select(Program.id, Program.name, Program.format).where(Program.id == program_id).first()
    listed = {p.user_id: "wish" for p in prefs.wishes} | {p.user_id: "avoid" for p in prefs.exclusions}
    return render(request, "profiles/preferences.html", status_code=status_code, prefs=prefs, program=program,
                  mine=mine, found=found, query=query, page=page, pages=pages, listed=listed,
                  form=form or Form(), url=_url(program_id, enrolment_id), max_each=preferences.MAX_EACH)


@get("/programs/{program_id:int}/enrolments/{enrolment_id:int}/preferences", opt=HOLDER, include_in_schema=False)
async def preferences_page(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id],
                           q: FromQuery[str] = "", page: FromQuery[int] = 1) -> Template:
    """The wish list and the "not with" list, and people to add (searchable, in pages)."""
    return await _page(request, program_id, enrolment_id, query=q[:200], page=page)


async def _change(request: AnyRequest, program_id: int, enrolment_id: int, struct: type[Any],
                  data: dict[str, str], change: Any) -> Response[Any]:
    await preferences.require_holder(enrolment_id, request.user, program_id=program_id)
    values, form = validate_form(struct, data)
    status = 400
    if values is not None:
        try:
            message = await change(values)
        except (ValidationFailed, ConflictError) as exc:
            if isinstance(exc, ValidationFailed):
                exc = ValidationFailed({"__all__": "; ".join(exc.errors.values())})
            status = failed(form, exc)
        else:
            return redirect(_url(program_id, enrolment_id), flash=message)
    return await _page(request, program_id, enrolment_id, status_code=status, form=form)


@post("/programs/{program_id:int}/enrolments/{enrolment_id:int}/preferences", opt=HOLDER,
      include_in_schema=False)
async def add_preference(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id],
                         data: FormData) -> Response[Any]:
    """Add a person to the wish list or the "not with" list."""
    async def change(values: PreferenceAdd) -> str:
        await preferences.add_preference(enrolment_id, values.user_id, values.kind, request.user,
                                         program_id=program_id)
        if values.kind == "wish":
            return "Added to your wish list."
        return "Added to the people you would rather not be matched with."

    return await _change(request, program_id, enrolment_id, PreferenceAdd, data, change)


@post("/programs/{program_id:int}/enrolments/{enrolment_id:int}/preferences/remove", opt=HOLDER,
      include_in_schema=False)
async def remove_preference(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id],
                            data: FormData) -> Response[Any]:
    """Take a person off their list."""
    async def change(values: PreferenceRemove) -> str:
        await preferences.remove_preference(enrolment_id, values.user_id, request.user, program_id=program_id)
        return "Removed."

    return await _change(request, program_id, enrolment_id, PreferenceRemove, data, change)


def preference_page_routes() -> list[Any]:
    """The preference page routes."""
    return [preferences_page, add_preference, remove_preference]
