"""The domain API for plugins: read and change people, programs, enrolments, relationships and
sessions without core tables or SQL.

Every function takes the acting ``actor`` explicitly, a signed-in ``CurrentUser``
(``request.user`` in a route) or ``SYSTEM`` (a plugin acting on its own), and calls the same
service the web pages and the JSON API call, with the same checks and the same events.
Refusals raise the core's errors: ``NotFound`` (the actor may not know the thing),
``PermissionDenied``, ``ConflictError`` (the state does not allow it, or a plugin refused),
``ValidationFailed`` (``.errors`` maps each field to its problem).

List reads take ``limit`` (1 to ``MAX_LIMIT``, default ``DEFAULT_LIMIT``) and ``offset`` and
return a ``Page``; each page costs one or two statements, never one per row. Run writes (and
reads outside a request) with the database open; a write commits with its events.

The read models are frozen msgspec Structs: the same types the JSON API returns.
Reference: ``docs/plugins.md``, "The domain API".
"""

from mentorkit.accounts.model import CurrentUser
from mentorkit.api.actors import SYSTEM, Actor, SystemActor

# Enrolment: questions, modes, applications, invitation links, answers.
from mentorkit.api.enrolments import (
    approve_application,
    create_invitation,
    decline_application,
    get_enrolment,
    list_questions,
    revoke_invitation,
    update_enrolment,
    visible_answers,
)
from mentorkit.api.paging import DEFAULT_LIMIT, MAX_LIMIT, Page
from mentorkit.api.people import Person, get_people, get_person
from mentorkit.api.programs import enrol, get_program, list_enrolments, list_programs, withdraw
from mentorkit.api.relationships import (
    get_relationship,
    list_sessions,
    log_session,
    my_relationships,
    pair,
    program_relationships,
    transition_relationship,
)
from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from mentorkit.programs.enrolment_schemas import Answer, EnrolmentDetail, Invitation
from mentorkit.programs.questions import Question, QuestionSpec
from mentorkit.programs.schemas import Enrolment, Program, ProgramDetail, Staff
from mentorkit.relationships.schemas import (
    Member,
    Relationship,
    RelationshipView,
    Session,
    SessionCreate,
    Transition,
)

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "SYSTEM",
    "Actor",
    # Enrolment: questions, modes, applications, invitation links, answers.
    "Answer",
    "ConflictError",
    "CurrentUser",
    "Enrolment",
    "EnrolmentDetail",
    "Invitation",
    "Member",
    "NotFound",
    "Page",
    "PermissionDenied",
    "Person",
    "Program",
    "ProgramDetail",
    "Question",
    "QuestionSpec",
    "Relationship",
    "RelationshipView",
    "Session",
    "SessionCreate",
    "Staff",
    "SystemActor",
    "Transition",
    "ValidationFailed",
    "approve_application",
    "create_invitation",
    "decline_application",
    "enrol",
    "get_enrolment",
    "get_people",
    "get_person",
    "get_program",
    "get_relationship",
    "list_enrolments",
    "list_programs",
    "list_questions",
    "list_sessions",
    "log_session",
    "my_relationships",
    "pair",
    "program_relationships",
    "revoke_invitation",
    "transition_relationship",
    "update_enrolment",
    "visible_answers",
    "withdraw",
]
