"""The 1:1 mentoring slice as a built-in plugin: programs, enrolments, relationships, sessions.

Registered through the same public hooks as any installed plugin (marked ``trylast``); the
format and the matching strategy it uses are themselves plugins (``one_to_one``,
``manual_matching``).
"""

from __future__ import annotations

from collections.abc import Callable

from mentorkit.hookspecs import hookimpl

EVENT_TYPES = {
    "program.created": "a site admin created a program (payload: slug, format, matching_strategy)",
    "program.state_changed": "a program changed state (payload: from, to, reason)",
    "program.staff_appointed": "someone became coordinator or observer (user_id, role)",
    "enrolment.created": "a person enrolled in a program (enrolment_id, user_id, role)",
    "enrolment.withdrawn": "an enrolment was withdrawn (enrolment_id, user_id, role)",
    "relationship.created": "people were paired (program_id, format, source, members)",
    "relationship.state_changed": "a relationship changed state (program_id, from, to)",
    "session.logged": "a member logged a session (session_id, held_at, duration_minutes; no notes)",
}


@hookimpl(trylast=True)
def register_event_types(register: Callable[..., None]) -> None:
    for name, description in EVENT_TYPES.items():
        register(name, description)


@hookimpl(trylast=True)
def register_routes(register: Callable[..., None]) -> None:
    from mentorkit.programs.api import program_api_routes
    from mentorkit.programs.pages import program_page_routes
    from mentorkit.relationships.api import relationship_api_routes
    from mentorkit.relationships.pages import relationship_page_routes

    for handler in (
        *program_page_routes(),
        *program_api_routes(),
        *relationship_page_routes(),
        *relationship_api_routes(),
    ):
        register(handler)
