"""The domain API for plugins: read and change people, programs, enrolments, relationships,
sessions and goals without core tables or SQL.

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
from mentorkit.api.goals import (
    answer_suggestion,
    create_goal,
    get_goal,
    goal_aggregates,
    list_goals,
    log_progress,
    suggest_goal,
    update_goal,
)
from mentorkit.api.paging import DEFAULT_LIMIT, MAX_LIMIT, Page
from mentorkit.api.people import Person, get_people, get_person
from mentorkit.api.programs import (
    change_program_state,
    create_program,
    duplicate_program,
    enrol,
    get_aggregates,
    get_program,
    list_enrolments,
    list_participants,
    list_programs,
    remove_staff,
    update_program,
    withdraw,
)
from mentorkit.api.relationships import (
    accept_relationship,
    answer_question,
    ask_question,
    decline_relationship,
    get_relationship,
    list_sessions,
    log_session,
    my_relationships,
    pair,
    program_relationships,
    publish_relationship,
    rematch,
    request_match,
    self_matching_view,
    suggestions,
    transition_relationship,
    withdraw_request,
)
from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from mentorkit.goals.schemas import Goal, GoalAggregates, GoalCreate, GoalSuggest, GoalUpdate, Progress, ProgressCreate
from mentorkit.programs.enrolment_schemas import Answer, EnrolmentDetail, Invitation
from mentorkit.programs.questions import Question, QuestionSpec
from mentorkit.programs.schemas import (
    Enrolment,
    Participant,
    ParticipantPage,
    Program,
    ProgramAggregates,
    ProgramCreate,
    ProgramDetail,
    ProgramDuplicate,
    ProgramUpdate,
    Staff,
)
from mentorkit.relationships.lifecycle import (
    DECLINE_REASONS,
    END_REASONS,
    OPEN_RELATIONSHIP_STATES,
    RELATIONSHIP_TRANSITIONS,
)
from mentorkit.relationships.schemas import (
    Inquiry,
    Member,
    Relationship,
    RelationshipView,
    Session,
    SessionCreate,
    Transition,
)
from mentorkit.relationships.self_matching import MatchRequest, SelfMatchingView, Suggestion

# isort: split
# Journeys and mentoring agreements.
from mentorkit.api.journeys import (
    complete_milestone,
    confirm_agreement,
    get_agreement,
    get_journey,
    migrate_journeys,
    program_journey,
    reopen_milestone,
    set_task,
    update_agreement,
)
from mentorkit.journeys.schemas import JourneyView, MigrationReport, Milestone, ProgramJourney, Task
from mentorkit.relationships.schemas import AgreementView

# isort: split
# Profiles, the tag vocabulary and matching preferences.
from mentorkit.api.profiles import get_preferences, get_profile, get_profiles, list_tags, resolve_tags
from mentorkit.profiles.schemas import Availability, Link, Profile, ResolvedTags, Synonym, Tag, TagRef
from mentorkit.programs.preferences import PreferencePerson, Preferences

# isort: split
# Match runs.
from mentorkit.api.matching import (
    cancel_match_run,
    change_run_proposal,
    get_match_pool,
    get_match_run,
    list_match_runs,
    list_run_proposals,
    publish_run,
    start_match_run,
    swap_run_partners,
)
from mentorkit.matching.schemas import MatchRun, ProposalChange, PublishReport, RunProposal

__all__ = [
    "DECLINE_REASONS",
    "DEFAULT_LIMIT",
    "END_REASONS",
    "MAX_LIMIT",
    "OPEN_RELATIONSHIP_STATES",
    "RELATIONSHIP_TRANSITIONS",
    "SYSTEM",
    "Actor",
    "Answer",
    "ConflictError",
    "CurrentUser",
    "Enrolment",
    "EnrolmentDetail",
    "Goal",
    "GoalAggregates",
    "GoalCreate",
    "GoalSuggest",
    "GoalUpdate",
    "Inquiry",
    "Invitation",
    "Member",
    "NotFound",
    "Page",
    "Participant",
    "ParticipantPage",
    "PermissionDenied",
    "Person",
    "Program",
    "ProgramAggregates",
    "ProgramCreate",
    "ProgramDetail",
    "ProgramDuplicate",
    "ProgramUpdate",
    "Progress",
    "ProgressCreate",
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
    "accept_relationship",
    "answer_question",
    "answer_suggestion",
    "approve_application",
    "ask_question",
    "change_program_state",
    "create_goal",
    "create_invitation",
    "create_program",
    "decline_application",
    "decline_relationship",
    "duplicate_program",
    "enrol",
    "get_aggregates",
    "get_enrolment",
    "get_goal",
    "get_people",
    "get_person",
    "get_program",
    "get_relationship",
    "goal_aggregates",
    "list_enrolments",
    "list_goals",
    "list_participants",
    "list_programs",
    "list_questions",
    "list_sessions",
    "log_progress",
    "log_session",
    "my_relationships",
    "pair",
    "program_relationships",
    "publish_relationship",
    "rematch",
    "remove_staff",
    "revoke_invitation",
    "suggest_goal",
    "transition_relationship",
    "update_enrolment",
    "update_goal",
    "update_program",
    "visible_answers",
    "withdraw",
]

# Self-matching.
__all__ += [
    "MatchRequest",
    "SelfMatchingView",
    "Suggestion",
    "request_match",
    "self_matching_view",
    "suggestions",
    "withdraw_request",
]

# Profiles, the tag vocabulary and matching preferences.
__all__ += [
    "Availability",
    "Link",
    "PreferencePerson",
    "Preferences",
    "Profile",
    "ResolvedTags",
    "Synonym",
    "Tag",
    "TagRef",
    "get_preferences",
    "get_profile",
    "get_profiles",
    "list_tags",
    "resolve_tags",
]

# Journeys and mentoring agreements.
__all__ += [
    "AgreementView",
    "JourneyView",
    "MigrationReport",
    "Milestone",
    "ProgramJourney",
    "Task",
    "complete_milestone",
    "confirm_agreement",
    "get_agreement",
    "get_journey",
    "migrate_journeys",
    "program_journey",
    "reopen_milestone",
    "set_task",
    "update_agreement",
]

__all__ += [
    "MatchRun",
    "ProposalChange",
    "PublishReport",
    "RunProposal",
    "cancel_match_run",
    "change_run_proposal",
    "get_match_pool",
    "get_match_run",
    "list_match_runs",
    "list_run_proposals",
    "publish_run",
    "start_match_run",
    "swap_run_partners",
]
