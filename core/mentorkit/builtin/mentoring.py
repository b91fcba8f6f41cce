"""The 1:1 mentoring slice as a built-in plugin: programs, enrolments, relationships, sessions.

Registered through the same public hooks as any installed plugin (marked ``trylast``); the
format and the matching strategy it uses are themselves plugins (``one_to_one``,
``manual_matching``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from mentorkit.events import Event
from mentorkit.hookspecs import hookimpl

EVENT_TYPES = {
    "program.created": "a site admin created a program (payload: slug, format, matching_strategy)",
    "program.state_changed": "a program changed state (payload: from, to, reason)",
    "program.updated": "a coordinator changed a program's design (payload: fields, the names of what changed)",
    "program.duplicated": "a program was created as the next cohort of another (payload: source_id, slug)",
    "program.staff_appointed": "someone became coordinator or observer (user_id, role)",
    "program.staff_removed": "a coordinator or observer was removed (user_id, role)",
    "program.question_changed": "an enrolment question was added, changed or removed (question_id, key, change)",
    "program.invitation_created": "a coordinator made an invitation link (invitation_id, role, max_uses, expires_at)",
    "program.invitation_revoked": "an invitation link was revoked (invitation_id)",
    "enrolment.created": "a person enrolled in a program (enrolment_id, user_id, role, state)",
    "enrolment.applied": "a person applied to a program that reviews applications (enrolment_id, user_id, role)",
    "enrolment.approved": "a coordinator approved an application (enrolment_id, user_id, role)",
    "enrolment.declined": "a coordinator declined an application (enrolment_id, user_id, role, reason)",
    "enrolment.waitlisted": "a role was full, so the person waits for a place (enrolment_id, user_id, role)",
    "enrolment.promoted": "a waitlisted person got a place (enrolment_id, user_id, role)",
    "enrolment.updated": "an enrolment's answers, capacity or pause changed (enrolment_id, fields)",
    "enrolment.preferences_changed": "someone changed their wish list or exclusions (enrolment_id; no names)",
    "enrolment.withdrawn": "an enrolment was withdrawn (enrolment_id, user_id, role)",
    "enrolments.imported": "a coordinator imported people and enrolments from CSV (rows, created_people, enrolments)",
    "profile.updated": "a person changed their profile (user_id, fields)",
    "vocabulary.changed": "a site admin added, renamed, merged or removed a tag (tag_key, change)",
    "relationship.created": "people were paired or proposed (program_id, format, source, state, rematch_of, members)",
    "relationship.state_changed": "a relationship changed state (program_id, from, to, reason_code; resume_on "
                                  "when paused; never the reason's words)",
    "relationship.requested": "a participant requested a match from their suggestions (self-matching; "
                              "program_id, user_id, role, enrolment_id, partner_enrolment_ids; never the message)",
    "relationship.accepted": "a member accepted a proposed match (program_id, user_id, role)",
    "relationship.question_asked": "a member asked a question before accepting (program_id, inquiry_id; no text)",
    "relationship.question_answered": "a member answered a question about a match (program_id, inquiry_id; no text)",
    "relationship.acceptance_expired": "a timer: a match's time to answer ran out (relationship_id, accept_by); "
                                       "the core cancels it if it is still waiting",
    "agreement.updated": "a member changed a relationship's agreement (program_id, version; never its text)",
    "agreement.confirmed": "a member confirmed an agreement's version (program_id, version, user_id, agreed)",
    "journey.started": "a relationship started its journey (program_id, template, version)",
    "journey.milestone_completed": "a member completed a milestone (program_id, milestone_key, version)",
    "journey.milestone_reopened": "a member reopened a completed milestone (program_id, milestone_key)",
    "journey.task_changed": "a member ticked or unticked a journey task (program_id, task_id, done)",
    "journey.migrated": "a coordinator moved a journey to another version (program_id, version, kept_completed)",
    "journey.milestone_due": "a timer: a milestone is due today (relationship_id, milestone_key, due_on)",
    "journey.milestone_overdue": "a timer: a milestone's day has passed without it being completed "
                                 "(relationship_id, milestone_key, due_on)",
    "session.logged": "a member logged a session (session_id, held_at, duration_minutes; no notes)",
    "goal.created": "a member set themselves a goal (goal_id, relationship_id, owner_id, status, visibility; no text)",
    "goal.updated": "a goal's owner changed it (goal_id, relationship_id, owner_id, status, visibility, fields: "
                    "the names of what changed; no text)",
    "goal.progress_logged": "progress was logged on a goal (goal_id, relationship_id, owner_id, status, "
                            "visibility, progress_id; no value or note)",
    "goal.suggested": "a mentor suggested a goal (goal_id, relationship_id, owner_id, status, visibility; no text)",
    "match_run.started": "a coordinator started a match run (program_id, run_id, strategy)",
    "match_run.finished": "a match run's proposals are ready for review (program_id, run_id, proposals, coverage)",
    "goal.suggestion_answered": "a suggested goal was accepted or declined, and then deleted (goal_id, "
                                "relationship_id, owner_id, status, visibility, answer)",
}


@hookimpl(trylast=True)
def register_event_types(register: Callable[..., None]) -> None:
    for name, description in EVENT_TYPES.items():
        register(name, description)


@hookimpl(trylast=True)
def register_routes(register: Callable[..., None]) -> None:
    from mentorkit.goals.api import goal_api_routes
    from mentorkit.goals.pages import goal_page_routes
    from mentorkit.imports.pages import import_routes
    from mentorkit.journeys.pages import journey_routes
    from mentorkit.matching.api import match_run_api_routes
    from mentorkit.matching.pages import match_run_page_routes
    from mentorkit.profiles.api import profile_api_routes
    from mentorkit.profiles.pages import profile_page_routes
    from mentorkit.programs.api import program_api_routes
    from mentorkit.programs.enrolment_api import enrolment_api_routes
    from mentorkit.programs.enrolment_pages import enrolment_page_routes
    from mentorkit.programs.pages import program_page_routes
    from mentorkit.relationships.agreement_pages import agreement_routes
    from mentorkit.relationships.api import relationship_api_routes
    from mentorkit.relationships.pages import relationship_page_routes
    from mentorkit.relationships.self_matching_pages import self_matching_page_routes

    for handler in (
        *program_page_routes(),
        *program_api_routes(),
        *enrolment_page_routes(),
        *enrolment_api_routes(),
        *profile_page_routes(),
        *profile_api_routes(),
        *import_routes(),
        *relationship_page_routes(),
        *relationship_api_routes(),
        *self_matching_page_routes(),
        *agreement_routes(),
        *journey_routes(),
        *match_run_page_routes(),
        *match_run_api_routes(),
        *goal_page_routes(),
        *goal_api_routes(),
    ):
        register(handler)


@hookimpl(trylast=True)
def on_event(event: Event) -> Awaitable[bool] | None:
    # A match's time to answer ran out: cancel it unless it was answered (or given a new
    # deadline) meanwhile. Idempotent, so a delivery repeated after a crash changes nothing.
    if event.type != "relationship.acceptance_expired":
        return None
    from mentorkit.relationships.lifecycle import expire_acceptance

    return expire_acceptance(int(event.payload["relationship_id"]), str(event.payload["accept_by"]))
