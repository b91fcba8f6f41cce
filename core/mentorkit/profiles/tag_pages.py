"""The tag vocabulary for site admins (``/admin/tags``): the list with search and paging, and
a form per change (add, rename, synonyms, merge, delete)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from mentorkit.errors import ConflictError, ValidationFailed
from mentorkit.profiles import tags
from mentorkit.profiles.schemas import SynonymCreate, TagCreate, TagLabel, TagRename
from mentorkit.programs.pages import failed
from mentorkit.schemas import Id, Input
from mentorkit.web.forms import Form, validate_form
from mentorkit.web.pages import AnyRequest, redirect, render

FormData = URLEncodedBody[dict[str, str]]
ADMIN = {"policy": "admin"}
PAGE_SIZE = 25


class TagMergeForm(Input):
    """The tag to merge into, by any of its names (a vocabulary outgrows a select)."""

    into: TagLabel


class SynonymRemove(Input):
    """Which synonym to remove."""

    synonym_id: Id


async def _tags_page(request: AnyRequest, *, query: str = "", page: int = 1, status_code: int = 200,
                     form: Form | None = None, tag_id: int | None = None, tag_form: Form | None = None) -> Template:
    _, total = await tags.list_tags(query, limit=1, offset=0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    found, _ = await tags.list_tags(query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render(request, "profiles/tags.html", status_code=status_code, tags=found, total=total, query=query,
                  page=page, pages=pages, form=form or Form(), tag_id=tag_id, tag_form=tag_form or Form())


@get("/admin/tags", opt=ADMIN, include_in_schema=False)
async def tags_page(request: AnyRequest, q: FromQuery[str] = "", page: FromQuery[int] = 1) -> Template:
    """The vocabulary: every tag with its key, synonyms and how many people offer and seek it."""
    return await _tags_page(request, query=q[:200], page=page)


@get("/admin/tags/{tag_id:int}", opt=ADMIN, include_in_schema=False)
async def tag_page(request: AnyRequest, tag_id: FromPath[Id]) -> Template:
    """One tag with its forms: rename, synonyms, merge, delete."""
    return await _tag_page(request, tag_id)


async def _tag_page(request: AnyRequest, tag_id: int, *, status_code: int = 200, **forms: Form) -> Template:
    tag = await tags.get_tag(tag_id)
    context = {"rename_form": Form({"label": tag.label}), "synonym_form": Form(), "merge_form": Form(),
               "delete_form": Form(), **forms}
    return render(request, "profiles/tag.html", status_code=status_code, tag=tag,
                  uses=await tags.usage_count(tag_id), **context)


@post("/admin/tags", opt=ADMIN, include_in_schema=False)
async def add_tag(request: AnyRequest, data: FormData) -> Response[Any]:
    """Add a tag (its key is made from the label)."""
    values, form = validate_form(TagCreate, data)
    status = 400
    if values is not None:
        try:
            tag = await tags.create_tag(values.label, request.user)
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            return redirect(f"/admin/tags/{tag.id}", flash=f"Tag “{tag.label}” added ({tag.key}).")
    return await _tags_page(request, status_code=status, form=form)


async def _tag_change(request: AnyRequest, tag_id: int, struct: type[Any], data: dict[str, str], form_name: str,
                      change: Any, flash: str) -> Response[Any]:
    values, form = validate_form(struct, data)
    status = 400
    if values is not None:
        try:
            await change(values)
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            return redirect(f"/admin/tags/{tag_id}", flash=flash)
    return await _tag_page(request, tag_id, status_code=status, **{form_name: form})


@post("/admin/tags/{tag_id:int}/rename", opt=ADMIN, include_in_schema=False)
async def rename_tag(request: AnyRequest, tag_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Give the tag a new label (its key stays)."""
    return await _tag_change(request, tag_id, TagRename, data, "rename_form",
                             lambda v: tags.rename_tag(tag_id, v.label, request.user), "Tag renamed.")


@post("/admin/tags/{tag_id:int}/synonyms", opt=ADMIN, include_in_schema=False)
async def add_synonym(request: AnyRequest, tag_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Add a synonym."""
    return await _tag_change(request, tag_id, SynonymCreate, data, "synonym_form",
                             lambda v: tags.add_synonym(tag_id, v.synonym, request.user), "Synonym added.")


@post("/admin/tags/{tag_id:int}/synonyms/remove", opt=ADMIN, include_in_schema=False)
async def remove_synonym(request: AnyRequest, tag_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Remove a synonym."""
    return await _tag_change(request, tag_id, SynonymRemove, data, "synonym_form",
                             lambda v: tags.remove_synonym(tag_id, v.synonym_id, request.user), "Synonym removed.")


@post("/admin/tags/{tag_id:int}/merge", opt=ADMIN, include_in_schema=False)
async def merge_tag(request: AnyRequest, tag_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Merge this tag into another: its uses move there, its names become synonyms."""
    values, form = validate_form(TagMergeForm, data)
    status = 400
    if values is not None:
        try:
            target = await tags.merge_tags(tag_id, await tags.tag_id_for(values.into), request.user)
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            return redirect(f"/admin/tags/{target.id}", flash=f"Merged into “{target.label}”.")
    return await _tag_page(request, tag_id, status_code=status, merge_form=form)


class TagDelete(Input):
    """The confirmation: how many uses the page said deleting removes."""

    uses: Annotated[int, msgspec.Meta(ge=0)]


@post("/admin/tags/{tag_id:int}/delete", opt=ADMIN, include_in_schema=False)
async def delete_tag(request: AnyRequest, tag_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Delete the tag and every use of it (asked first, with the count, on the tag's page)."""
    tag = await tags.get_tag(tag_id)
    values, form = validate_form(TagDelete, data)
    if values is None:
        return await _tag_page(request, tag_id, status_code=400, delete_form=form)
    try:
        removed = await tags.delete_tag(tag_id, values.uses, request.user)
    except ConflictError as exc:
        return await _tag_page(request, tag_id, status_code=failed(form, exc), delete_form=form)
    uses = "use" if removed == 1 else "uses"
    return redirect("/admin/tags", flash=f"Tag “{tag.label}” deleted with {removed} {uses}.")


def tag_page_routes() -> list[Any]:
    """The vocabulary's page routes."""
    return [tags_page, tag_page, add_tag, rename_tag, add_synonym, remove_synonym, merge_tag, delete_tag]
