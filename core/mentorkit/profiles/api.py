"""The profile API under ``/api/v1``: the twins of the profile, vocabulary and preference pages."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import delete, get, patch, post, put
from litestar.params import FromPath, JSONBody, Parameter

from mentorkit.api.paging import DEFAULT_LIMIT, MAX_LIMIT, Page, read_page
from mentorkit.profiles import services, tags
from mentorkit.profiles.schemas import Profile, ProfileUpdate, SynonymCreate, Tag, TagCreate, TagMerge, TagRename
from mentorkit.programs import policies, preferences
from mentorkit.programs.preferences import Preferences, PreferencesUpdate
from mentorkit.schemas import SINGLE_LINE, Id
from mentorkit.web.pages import AnyRequest

TAGS = ["profiles"]
VOCABULARY = ["tags"]
ADMIN = {"policy": "admin"}

assert policies.POLICIES  # importing the module registers the policies these routes name

# Query parameters with their bounds in the OpenAPI document (Litestar reads ``Parameter``).
Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description="page size")]
Offset = Annotated[int, Parameter(ge=0, le=2**31 - 1, description="rows to skip")]
Uses = Annotated[int, Parameter(ge=0, le=2**31 - 1, description="the uses deleting removes, as confirmation")]
Query = Annotated[str, Parameter(max_length=200, pattern=SINGLE_LINE, description="search words")]


@get("/api/v1/profile", opt={"policy": "signed_in"}, tags=TAGS)
async def my_profile(request: AnyRequest) -> Profile:
    """The caller's own profile, every field, with its visibility."""
    return await services.get_profile(request.user.id, request.user)


@patch("/api/v1/profile", opt={"policy": "signed_in"}, tags=TAGS)
async def update_profile(request: AnyRequest, data: JSONBody[ProfileUpdate]) -> Profile:
    """Change the fields sent (skills as labels or synonyms; unknown tags are refused by name)."""
    return await services.update_profile(request.user, data)


@get("/api/v1/people/{user_id:int}/profile", opt={"policy": "signed_in"}, tags=TAGS)
async def person_profile(request: AnyRequest, user_id: FromPath[Id]) -> Profile:
    """Someone's profile: the fields their visibility hides from the caller are null (and
    listed in ``hidden``)."""
    return await services.get_profile(user_id, request.user)


@get("/api/v1/tags", opt={"policy": "signed_in"}, tags=VOCABULARY)
async def list_tags(request: AnyRequest, q: Query = "", limit: Limit = DEFAULT_LIMIT,
                    offset: Offset = 0) -> Page[Tag]:
    """The vocabulary (search: every word in a tag's key, label or a synonym), a page at a time."""
    async def read(n: int, start: int) -> list[Tag]:
        return (await tags.list_tags(q, limit=n, offset=start))[0]

    return await read_page(read, limit, offset)


@post("/api/v1/tags", opt=ADMIN, tags=VOCABULARY)
async def create_tag(request: AnyRequest, data: JSONBody[TagCreate]) -> Tag:
    """Add a tag (site admins); its key is made from the label."""
    return await tags.create_tag(data.label, request.user)


@get("/api/v1/tags/{tag_id:int}", opt={"policy": "signed_in"}, tags=VOCABULARY)
async def get_tag(request: AnyRequest, tag_id: FromPath[Id]) -> Tag:
    """One tag with its synonyms and use counts."""
    return await tags.get_tag(tag_id)


@patch("/api/v1/tags/{tag_id:int}", opt=ADMIN, tags=VOCABULARY)
async def rename_tag(request: AnyRequest, tag_id: FromPath[Id], data: JSONBody[TagRename]) -> Tag:
    """Give a tag a new label (its key stays)."""
    return await tags.rename_tag(tag_id, data.label, request.user)


@delete("/api/v1/tags/{tag_id:int}", opt=ADMIN, tags=VOCABULARY, status_code=200)
async def delete_tag(request: AnyRequest, tag_id: FromPath[Id], uses: Uses = 0) -> dict[str, int]:
    """Delete a tag and every use of it; ``uses`` confirms how many uses that removes (see
    ``GET`` of the tag: ``offered`` + ``sought`` + answers). A different count is a 409 that
    says the right one. Answers how many uses were removed."""
    return {"removed": await tags.delete_tag(tag_id, uses, request.user)}


@post("/api/v1/tags/{tag_id:int}/synonyms", opt=ADMIN, tags=VOCABULARY)
async def add_synonym(request: AnyRequest, tag_id: FromPath[Id], data: JSONBody[SynonymCreate]) -> Tag:
    """Add a synonym (409 when the spelling already names a tag)."""
    return await tags.add_synonym(tag_id, data.synonym, request.user)


@delete("/api/v1/tags/{tag_id:int}/synonyms/{synonym_id:int}", opt=ADMIN, tags=VOCABULARY, status_code=200)
async def remove_synonym(request: AnyRequest, tag_id: FromPath[Id], synonym_id: FromPath[Id]) -> Tag:
    """Remove a synonym."""
    return await tags.remove_synonym(tag_id, synonym_id, request.user)


@post("/api/v1/tags/{tag_id:int}/merge", opt=ADMIN, tags=VOCABULARY, status_code=200)
async def merge_tag(request: AnyRequest, tag_id: FromPath[Id], data: JSONBody[TagMerge]) -> Tag:
    """Merge this tag into ``into``; answers the tag merged into."""
    return await tags.merge_tags(tag_id, data.into, request.user)


@get("/api/v1/programs/{program_id:int}/enrolments/{enrolment_id:int}/preferences",
     opt={"policy": "enrolment_holder"}, tags=TAGS)
async def get_preferences(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id]) -> Preferences:
    """The wish list and exclusions (the enrolled person and the program's coordinators)."""
    return await preferences.get_preferences(enrolment_id, request.user, program_id=program_id)


@put("/api/v1/programs/{program_id:int}/enrolments/{enrolment_id:int}/preferences",
     opt={"policy": "enrolment_holder"}, tags=TAGS)
async def set_preferences(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id],
                          data: JSONBody[PreferencesUpdate]) -> Preferences:
    """Replace both lists (user ids; the enrolled person only)."""
    return await preferences.set_preferences(enrolment_id, data.wishes, data.exclusions, request.user,
                                             program_id=program_id)


def profile_api_routes() -> list[Any]:
    """Every profile API route."""
    return [
        my_profile, update_profile, person_profile, list_tags, create_tag, get_tag, rename_tag, delete_tag,
        add_synonym, remove_synonym, merge_tag, get_preferences, set_preferences,
    ]
