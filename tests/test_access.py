"""Every route × every role: allowed or denied, as the access table below says.

The table names, for each route of the core, which roles may use it on the objects of the
world fixture; every loaded plugin adds its own rows through its ``ROUTE_ACCESS`` declaration
(``mentorkit.testing.access``). A route missing from the table fails the test, and so
does a table entry for a route that no longer exists. Denied means 401, 403 or 404 (the
documented convention: 404 for other people's private things); allowed means anything else
below 500. Object ids point at real objects owned by someone, so "another person's thing"
(IDOR) is part of every row.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

from mentorkit.testing.access import ROLES, declared_access, table_problems
from mentorkit.web.auth import SESSION_COOKIE
from mentorkit.web.csrf import CSRF_COOKIE, token_for
from tests.plugin_install import FIXTURES, importable
from tests.routes import RouteCase, route_cases
from tests.test_photos import small_png

EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
ADMIN = {"admin"}
MEMBERS = {"mentee", "mentor"}
STAFF_X = {"coordinator", "admin"}

# (method, path) -> roles allowed. Keep in the order of the route list.
ACCESS: dict[tuple[str, str], set[str]] = {
    ("GET", "/"): EVERYONE,
    ("GET", "/-/plugins.json"): ADMIN,
    ("GET", "/account"): SIGNED_IN,
    ("GET", "/account/export.json"): SIGNED_IN,
    ("POST", "/account/password"): SIGNED_IN,
    ("POST", "/account/sessions/revoke-others"): SIGNED_IN,
    ("POST", "/account/time-zone"): SIGNED_IN,
    ("POST", "/account/tokens"): SIGNED_IN,
    ("POST", "/account/tokens/{token_id:int}/revoke"): {"mentee"},
    ("GET", "/admin"): ADMIN,
    ("POST", "/admin/invitations"): ADMIN,
    ("GET", "/admin/tags"): ADMIN,
    ("POST", "/admin/tags"): ADMIN,
    ("GET", "/admin/tags/{tag_id:int}"): ADMIN,
    ("POST", "/admin/tags/{tag_id:int}/delete"): ADMIN,
    ("POST", "/admin/tags/{tag_id:int}/merge"): ADMIN,
    ("POST", "/admin/tags/{tag_id:int}/rename"): ADMIN,
    ("POST", "/admin/tags/{tag_id:int}/synonyms"): ADMIN,
    ("POST", "/admin/tags/{tag_id:int}/synonyms/remove"): ADMIN,
    ("POST", "/admin/users/{user_id:int}/deactivate"): ADMIN,
    ("POST", "/admin/users/{user_id:int}/reactivate"): ADMIN,
    ("POST", "/admin/users/{user_id:int}/sessions/revoke"): ADMIN,
    ("GET", "/api/v1/me"): SIGNED_IN,
    ("PATCH", "/api/v1/me"): SIGNED_IN,
    ("GET", "/api/v1/next-steps"): SIGNED_IN,
    ("GET", "/api/v1/notifications"): SIGNED_IN,
    ("GET", "/api/v1/people/{user_id:int}/profile"): SIGNED_IN,
    ("GET", "/api/v1/profile"): SIGNED_IN,
    ("PATCH", "/api/v1/profile"): SIGNED_IN,
    ("GET", "/api/v1/programs"): SIGNED_IN,
    ("POST", "/api/v1/programs"): ADMIN,
    ("GET", "/api/v1/programs/{program_id:int}"): SIGNED_IN,
    ("PATCH", "/api/v1/programs/{program_id:int}"): STAFF_X,
    ("GET", "/api/v1/programs/{program_id:int}/aggregates"): STAFF_X | {"observer"},
    ("GET", "/api/v1/programs/{program_id:int}/agreement-template"): STAFF_X,
    ("PUT", "/api/v1/programs/{program_id:int}/agreement-template"): STAFF_X,
    ("GET", "/api/v1/programs/{program_id:int}/journey"): STAFF_X,
    ("POST", "/api/v1/programs/{program_id:int}/journey/migrate"): STAFF_X,
    ("GET", "/api/v1/programs/{program_id:int}/applications"): STAFF_X,
    ("POST", "/api/v1/programs/{program_id:int}/duplicate"): ADMIN,
    ("GET", "/api/v1/programs/{program_id:int}/enrolments"): STAFF_X,
    ("POST", "/api/v1/programs/{program_id:int}/enrolments"): SIGNED_IN,
    ("GET", "/api/v1/programs/{program_id:int}/enrolments/{enrolment_id:int}"): {"mentee"} | STAFF_X,
    ("PATCH", "/api/v1/programs/{program_id:int}/enrolments/{enrolment_id:int}"): {"mentee"} | STAFF_X,
    ("GET", "/api/v1/programs/{program_id:int}/enrolments/{enrolment_id:int}/answers"): {"mentee"} | STAFF_X,
    ("PATCH", "/api/v1/programs/{program_id:int}/enrolments/{enrolment_id:int}/answers"): {"mentee"} | STAFF_X,
    ("POST", "/api/v1/programs/{program_id:int}/enrolments/{enrolment_id:int}/approve"): STAFF_X,
    ("POST", "/api/v1/programs/{program_id:int}/enrolments/{enrolment_id:int}/decline"): STAFF_X,
    ("GET", "/api/v1/programs/{program_id:int}/enrolments/{enrolment_id:int}/preferences"): {"mentee"} | STAFF_X,
    ("PUT", "/api/v1/programs/{program_id:int}/enrolments/{enrolment_id:int}/preferences"): {"mentee"},
    ("POST", "/api/v1/programs/{program_id:int}/enrolments/{enrolment_id:int}/promote"): STAFF_X,
    ("POST", "/api/v1/programs/{program_id:int}/enrolments/{enrolment_id:int}/withdraw"): {"mentee"} | STAFF_X,
    ("GET", "/api/v1/programs/{program_id:int}/goals/aggregates"): STAFF_X | {"observer"},
    ("POST", "/api/v1/programs/{program_id:int}/imports"): STAFF_X,
    ("GET", "/api/v1/programs/{program_id:int}/imports/{job_id:int}"): STAFF_X,
    ("GET", "/api/v1/programs/{program_id:int}/invitations"): STAFF_X,
    ("POST", "/api/v1/programs/{program_id:int}/invitations"): STAFF_X,
    ("POST", "/api/v1/programs/{program_id:int}/invitations/{invitation_id:int}/revoke"): STAFF_X,
    ("GET", "/api/v1/programs/{program_id:int}/match-runs"): STAFF_X,
    ("POST", "/api/v1/programs/{program_id:int}/match-runs"): STAFF_X,
    ("GET", "/api/v1/programs/{program_id:int}/match-runs/{run_id:int}"): STAFF_X,
    ("POST", "/api/v1/programs/{program_id:int}/match-runs/{run_id:int}/cancel"): STAFF_X,
    ("GET", "/api/v1/programs/{program_id:int}/match-runs/{run_id:int}/proposals"): STAFF_X,
    ("POST", "/api/v1/programs/{program_id:int}/match-runs/{run_id:int}/proposals/{proposal_id:int}"): STAFF_X,
    ("POST", "/api/v1/programs/{program_id:int}/match-runs/{run_id:int}/proposals/{proposal_id:int}/swap"): STAFF_X,
    ("POST", "/api/v1/programs/{program_id:int}/match-runs/{run_id:int}/publish"): STAFF_X,
    ("GET", "/api/v1/programs/{program_id:int}/participants"): STAFF_X,
    ("GET", "/api/v1/programs/{program_id:int}/participants.csv"): STAFF_X,
    ("GET", "/api/v1/programs/{program_id:int}/questions"): SIGNED_IN,
    ("POST", "/api/v1/programs/{program_id:int}/questions"): STAFF_X,
    ("DELETE", "/api/v1/programs/{program_id:int}/questions/{question_id:int}"): STAFF_X,
    ("PATCH", "/api/v1/programs/{program_id:int}/questions/{question_id:int}"): STAFF_X,
    ("POST", "/api/v1/programs/{program_id:int}/questions/{question_id:int}/move"): STAFF_X,
    ("GET", "/api/v1/programs/{program_id:int}/relationships"): STAFF_X,
    ("POST", "/api/v1/programs/{program_id:int}/relationships"): STAFF_X,
    ("POST", "/api/v1/programs/{program_id:int}/match-requests"): {"mentee"},
    ("GET", "/api/v1/programs/{program_id:int}/suggestions"): {"mentee"},
    ("POST", "/api/v1/programs/{program_id:int}/staff"): STAFF_X,
    ("DELETE", "/api/v1/programs/{program_id:int}/staff/{user_id:int}"): STAFF_X,
    ("POST", "/api/v1/programs/{program_id:int}/state"): STAFF_X,
    ("GET", "/api/v1/relationships"): SIGNED_IN,
    ("GET", "/api/v1/relationships/{relationship_id:int}"): MEMBERS | STAFF_X,
    ("POST", "/api/v1/relationships/{relationship_id:int}/accept"): MEMBERS,
    ("GET", "/api/v1/relationships/{relationship_id:int}/agreement"): MEMBERS | STAFF_X,
    ("PUT", "/api/v1/relationships/{relationship_id:int}/agreement"): MEMBERS,
    ("POST", "/api/v1/relationships/{relationship_id:int}/agreement/confirm"): MEMBERS,
    ("POST", "/api/v1/relationships/{relationship_id:int}/cancel"): STAFF_X,
    ("POST", "/api/v1/relationships/{relationship_id:int}/complete"): MEMBERS | STAFF_X,
    ("POST", "/api/v1/relationships/{relationship_id:int}/decline"): MEMBERS,
    ("POST", "/api/v1/relationships/{relationship_id:int}/withdraw"): MEMBERS,
    ("POST", "/api/v1/relationships/{relationship_id:int}/end"): MEMBERS | STAFF_X,
    ("GET", "/api/v1/relationships/{relationship_id:int}/journey"): MEMBERS | STAFF_X,
    ("POST", "/api/v1/relationships/{relationship_id:int}/journey/milestones/{milestone_key:str}/complete"): MEMBERS,
    ("POST", "/api/v1/relationships/{relationship_id:int}/journey/milestones/{milestone_key:str}/reopen"): MEMBERS,
    ("PATCH", "/api/v1/relationships/{relationship_id:int}/journey/tasks/{task_id:int}"): MEMBERS,
    ("GET", "/api/v1/relationships/{relationship_id:int}/goals"): MEMBERS,
    ("POST", "/api/v1/relationships/{relationship_id:int}/goals"): MEMBERS,
    ("POST", "/api/v1/relationships/{relationship_id:int}/goals/suggestions"): MEMBERS,
    ("GET", "/api/v1/relationships/{relationship_id:int}/goals/{goal_id:int}"): {"mentee"},
    ("PATCH", "/api/v1/relationships/{relationship_id:int}/goals/{goal_id:int}"): {"mentee"},
    ("POST", "/api/v1/relationships/{relationship_id:int}/goals/{goal_id:int}/accept"): {"mentee"},
    ("POST", "/api/v1/relationships/{relationship_id:int}/goals/{goal_id:int}/decline"): {"mentee"},
    ("POST", "/api/v1/relationships/{relationship_id:int}/goals/{goal_id:int}/progress"): {"mentee"},
    ("POST", "/api/v1/relationships/{relationship_id:int}/pause"): MEMBERS | STAFF_X,
    ("POST", "/api/v1/relationships/{relationship_id:int}/publish"): STAFF_X,
    ("POST", "/api/v1/relationships/{relationship_id:int}/questions"): MEMBERS,
    ("POST", "/api/v1/relationships/{relationship_id:int}/questions/{inquiry_id:int}/answer"): MEMBERS,
    ("POST", "/api/v1/relationships/{relationship_id:int}/rematch"): STAFF_X,
    ("POST", "/api/v1/relationships/{relationship_id:int}/resume"): MEMBERS | STAFF_X,
    ("GET", "/api/v1/relationships/{relationship_id:int}/sessions"): MEMBERS | STAFF_X,
    ("POST", "/api/v1/relationships/{relationship_id:int}/sessions"): MEMBERS,
    ("GET", "/api/v1/relationships/{relationship_id:int}/sessions/{session_id:int}"): MEMBERS,
    ("GET", "/api/v1/schema"): EVERYONE,
    ("GET", "/api/v1/schema/openapi.json"): EVERYONE,
    ("GET", "/api/v1/schema/{path:str}"): EVERYONE,
    ("GET", "/api/v1/tags"): SIGNED_IN,
    ("POST", "/api/v1/tags"): ADMIN,
    ("DELETE", "/api/v1/tags/{tag_id:int}"): ADMIN,
    ("GET", "/api/v1/tags/{tag_id:int}"): SIGNED_IN,
    ("PATCH", "/api/v1/tags/{tag_id:int}"): ADMIN,
    ("POST", "/api/v1/tags/{tag_id:int}/merge"): ADMIN,
    ("POST", "/api/v1/tags/{tag_id:int}/synonyms"): ADMIN,
    ("DELETE", "/api/v1/tags/{tag_id:int}/synonyms/{synonym_id:int}"): ADMIN,
    ("GET", "/health/live"): EVERYONE,
    ("GET", "/health/ready"): EVERYONE,
    ("GET", "/join/{invitation_token:str}"): EVERYONE,
    ("GET", "/login"): EVERYONE,
    ("POST", "/login"): EVERYONE,
    ("POST", "/logout"): EVERYONE,
    ("GET", "/notifications"): SIGNED_IN,
    ("GET", "/people/{user_id:int}"): SIGNED_IN,
    ("GET", "/people/{user_id:int}/photo"): SIGNED_IN,
    ("GET", "/profile"): SIGNED_IN,
    ("POST", "/profile/about"): SIGNED_IN,
    ("POST", "/profile/availability"): SIGNED_IN,
    ("POST", "/profile/photo"): SIGNED_IN,
    ("POST", "/profile/photo/remove"): SIGNED_IN,
    ("POST", "/profile/privacy"): SIGNED_IN,
    ("POST", "/profile/skills"): SIGNED_IN,
    ("GET", "/programs"): SIGNED_IN,
    ("POST", "/programs"): ADMIN,
    ("GET", "/programs/new"): ADMIN,
    ("GET", "/programs/{program_id:int}"): SIGNED_IN,
    ("GET", "/programs/{program_id:int}/agreement"): STAFF_X,
    ("POST", "/programs/{program_id:int}/agreement"): STAFF_X,
    ("GET", "/programs/{program_id:int}/applications"): STAFF_X,
    ("GET", "/programs/{program_id:int}/close"): STAFF_X,
    ("GET", "/programs/{program_id:int}/duplicate"): ADMIN,
    ("POST", "/programs/{program_id:int}/duplicate"): ADMIN,
    ("GET", "/programs/{program_id:int}/edit"): STAFF_X,
    ("POST", "/programs/{program_id:int}/edit"): STAFF_X,
    ("POST", "/programs/{program_id:int}/enrol"): SIGNED_IN,
    ("GET", "/programs/{program_id:int}/enrolments/{enrolment_id:int}"): {"mentee"} | STAFF_X,
    ("POST", "/programs/{program_id:int}/enrolments/{enrolment_id:int}/answers"): {"mentee"} | STAFF_X,
    ("POST", "/programs/{program_id:int}/enrolments/{enrolment_id:int}/approve"): STAFF_X,
    ("POST", "/programs/{program_id:int}/enrolments/{enrolment_id:int}/decline"): STAFF_X,
    ("GET", "/programs/{program_id:int}/enrolments/{enrolment_id:int}/preferences"): {"mentee"} | STAFF_X,
    ("POST", "/programs/{program_id:int}/enrolments/{enrolment_id:int}/preferences"): {"mentee"},
    ("POST", "/programs/{program_id:int}/enrolments/{enrolment_id:int}/preferences/remove"): {"mentee"},
    ("POST", "/programs/{program_id:int}/enrolments/{enrolment_id:int}/promote"): STAFF_X,
    ("POST", "/programs/{program_id:int}/enrolments/{enrolment_id:int}/settings"): {"mentee"} | STAFF_X,
    ("POST", "/programs/{program_id:int}/enrolments/{enrolment_id:int}/withdraw"): {"mentee"} | STAFF_X,
    ("GET", "/programs/{program_id:int}/export.csv"): STAFF_X,
    ("GET", "/programs/{program_id:int}/import"): STAFF_X,
    ("POST", "/programs/{program_id:int}/import"): STAFF_X,
    ("GET", "/programs/{program_id:int}/imports/{job_id:int}"): STAFF_X,
    ("POST", "/programs/{program_id:int}/imports/{job_id:int}/start"): STAFF_X,
    ("GET", "/programs/{program_id:int}/invitations"): STAFF_X,
    ("POST", "/programs/{program_id:int}/invitations"): STAFF_X,
    ("POST", "/programs/{program_id:int}/invitations/{invitation_id:int}/revoke"): STAFF_X,
    ("GET", "/programs/{program_id:int}/join"): SIGNED_IN,
    ("GET", "/programs/{program_id:int}/journey"): STAFF_X,
    ("GET", "/programs/{program_id:int}/matching"): STAFF_X,
    ("POST", "/programs/{program_id:int}/matching/runs"): STAFF_X,
    ("GET", "/programs/{program_id:int}/matching/runs/{run_id:int}"): STAFF_X,
    ("POST", "/programs/{program_id:int}/matching/runs/{run_id:int}/cancel"): STAFF_X,
    ("POST", "/programs/{program_id:int}/matching/runs/{run_id:int}/proposals/{proposal_id:int}"): STAFF_X,
    ("POST", "/programs/{program_id:int}/matching/runs/{run_id:int}/proposals/{proposal_id:int}/swap"): STAFF_X,
    ("POST", "/programs/{program_id:int}/matching/runs/{run_id:int}/publish"): STAFF_X,
    ("POST", "/programs/{program_id:int}/journey/migrate"): STAFF_X,
    ("GET", "/programs/{program_id:int}/questions"): STAFF_X,
    ("POST", "/programs/{program_id:int}/questions"): STAFF_X,
    ("GET", "/programs/{program_id:int}/questions/new"): STAFF_X,
    ("GET", "/programs/{program_id:int}/questions/{question_id:int}"): STAFF_X,
    ("POST", "/programs/{program_id:int}/questions/{question_id:int}"): STAFF_X,
    ("POST", "/programs/{program_id:int}/questions/{question_id:int}/delete"): STAFF_X,
    ("POST", "/programs/{program_id:int}/questions/{question_id:int}/move"): STAFF_X,
    ("POST", "/programs/{program_id:int}/relationships"): STAFF_X,
    ("GET", "/programs/{program_id:int}/find"): {"mentee"},
    ("POST", "/programs/{program_id:int}/find"): {"mentee"},
    ("POST", "/programs/{program_id:int}/staff"): STAFF_X,
    ("POST", "/programs/{program_id:int}/staff/{user_id:int}/remove"): STAFF_X,
    ("POST", "/programs/{program_id:int}/state"): STAFF_X,
    ("GET", "/relationships/{relationship_id:int}"): MEMBERS | STAFF_X,
    ("POST", "/relationships/{relationship_id:int}/accept"): MEMBERS,
    ("POST", "/relationships/{relationship_id:int}/agreement"): MEMBERS,
    ("POST", "/relationships/{relationship_id:int}/agreement/confirm"): MEMBERS,
    ("POST", "/relationships/{relationship_id:int}/cancel"): STAFF_X,
    ("POST", "/relationships/{relationship_id:int}/complete"): MEMBERS | STAFF_X,
    ("POST", "/relationships/{relationship_id:int}/decline"): MEMBERS,
    ("POST", "/relationships/{relationship_id:int}/withdraw"): MEMBERS,
    ("POST", "/relationships/{relationship_id:int}/end"): MEMBERS | STAFF_X,
    ("POST", "/relationships/{relationship_id:int}/journey/milestones/{milestone_key:str}/complete"): MEMBERS,
    ("POST", "/relationships/{relationship_id:int}/journey/milestones/{milestone_key:str}/reopen"): MEMBERS,
    ("POST", "/relationships/{relationship_id:int}/journey/tasks/{task_id:int}"): MEMBERS,
    ("POST", "/relationships/{relationship_id:int}/goals"): MEMBERS,
    ("POST", "/relationships/{relationship_id:int}/goals/suggestions"): MEMBERS,
    ("POST", "/relationships/{relationship_id:int}/goals/{goal_id:int}/accept"): {"mentee"},
    ("POST", "/relationships/{relationship_id:int}/goals/{goal_id:int}/decline"): {"mentee"},
    ("POST", "/relationships/{relationship_id:int}/goals/{goal_id:int}/progress"): {"mentee"},
    ("POST", "/relationships/{relationship_id:int}/goals/{goal_id:int}/status"): {"mentee"},
    ("POST", "/relationships/{relationship_id:int}/pause"): MEMBERS | STAFF_X,
    ("POST", "/relationships/{relationship_id:int}/publish"): STAFF_X,
    ("POST", "/relationships/{relationship_id:int}/questions"): MEMBERS,
    ("POST", "/relationships/{relationship_id:int}/questions/{inquiry_id:int}/answer"): MEMBERS,
    ("POST", "/relationships/{relationship_id:int}/rematch"): STAFF_X,
    ("POST", "/relationships/{relationship_id:int}/resume"): MEMBERS | STAFF_X,
    ("POST", "/relationships/{relationship_id:int}/sessions"): MEMBERS,
    ("GET", "/relationships/{relationship_id:int}/sessions/{session_id:int}"): MEMBERS,
    ("GET", "/reset"): EVERYONE,
    ("POST", "/reset"): EVERYONE,
    ("GET", "/reset/{token:str}"): EVERYONE,
    ("POST", "/reset/{token:str}"): EVERYONE,
    ("GET", "/signup"): EVERYONE,
    ("POST", "/signup"): EVERYONE,
    ("GET", "/static/core/{file_path:path}"): EVERYONE,
}

DENIED = {401, 403, 404}


def access_table(app: Any) -> dict[tuple[str, str], set[str]]:
    """The core's table plus the declaration of every plugin the app loaded. A plugin's static
    files are served by the core's router (``/static/p/<name>/``, public like core's own), so
    they are the core's row, not the plugin's to declare."""
    static = {("GET", f"/static/p/{name}/{{file_path:path}}"): EVERYONE
              for name, _ in app.state.runtime.pm.list_name_plugin()}
    served = {(case.method, case.path) for case in route_cases(app)}
    return {**ACCESS, **{row: roles for row, roles in static.items() if row in served},
            **declared_access(app.state.runtime.pm.list_name_plugin())}


@dataclass
class World:
    """The people and things every access check runs against."""

    users: dict[str, Any]
    sessions: dict[str, str]
    params: dict[str, Any]
    # Routes that remove their object: a fresh one before each call, so every allowed role
    # finds something to remove (route -> a coroutine function giving the parameters to use).
    fresh: dict[tuple[str, str], Any] = field(default_factory=dict)


def _build_world(client: Any) -> World:
    from mentorkit.accounts.services import create_api_token, create_user, start_session
    from mentorkit.goals import services as goals
    from mentorkit.goals.schemas import GoalCreate
    from mentorkit.imports.tables import ImportJob
    from mentorkit.journeys.tables import JourneyMilestone, JourneyTask
    from mentorkit.matching.tables import MatchRun, MatchRunProposal
    from mentorkit.profiles import services as profiles
    from mentorkit.profiles import tags
    from mentorkit.profiles.schemas import ProfileUpdate, VisibilityUpdate
    from mentorkit.programs import invitations
    from mentorkit.programs import question_services as questions
    from mentorkit.programs import services as programs
    from mentorkit.programs.enrolment_schemas import InvitationCreate, QuestionCreate
    from mentorkit.programs.schemas import ProgramCreate
    from mentorkit.programs.tables import Enrolment
    from mentorkit.relationships import services as relationships
    from mentorkit.relationships.schemas import SessionCreate
    from mentorkit.relationships.tables import RelationshipInquiry

    async def build() -> World:
        users = {}
        for role in ROLES[1:]:
            users[role] = await create_user(email=f"{role}@example.org", display_name=role.title(),
                                            password="access test password", is_admin=role == "admin")
        admin = users["admin"]
        # The person admin actions target: not one of the roles, whose sessions must survive.
        bystander = await create_user(email="bystander@example.org", display_name="Bystander",
                                      password="access test password")
        # Mentee-led: the mentee finds mentors on their own (self-matching routes).
        x = await programs.create_program(ProgramCreate(slug="program-x", name="Program X", matching_mode="mentee"),
                                          admin)
        y = await programs.create_program(ProgramCreate(slug="program-y", name="Program Y"), admin)
        for program in (x, y):
            await programs.change_program_state(program.id, "enrolling", admin)
        await programs.appoint_staff(x.id, "coordinator@example.org", "coordinator", admin)
        await programs.appoint_staff(x.id, "observer@example.org", "observer", admin)
        await programs.appoint_staff(y.id, "other_coordinator@example.org", "coordinator", admin)
        mentor_enrolment = await programs.enrol(x.id, "mentor", users["mentor"])
        mentee_enrolment = await programs.enrol(x.id, "mentee", users["mentee"])
        relationship = await relationships.pair(x.id, [mentor_enrolment.id, mentee_enrolment.id], admin)
        session = await relationships.log_session(relationship.id, SessionCreate(
            held_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), duration_minutes=45, title="Kick-off",
            shared_notes="agreed goals", private_note="only the mentee may read this"), users["mentee"])
        # A question the mentor asked about the match (answering it now is a conflict: the
        # match has started).
        inquiry = await RelationshipInquiry.insert(RelationshipInquiry(
            relationship=relationship.id, asked_by=users["mentor"].id, question="What do you hope to learn?",
        )).returning(RelationshipInquiry.id)
        journey = await JourneyMilestone.select(JourneyMilestone.id).where(
            JourneyMilestone.journey.relationship == relationship.id).first()
        task = await JourneyTask.select(JourneyTask.id).where(JourneyTask.milestone == journey["id"]).first()
        # The mentee's private goal: nobody else may even find it.
        goal = await goals.create_goal(relationship.id, GoalCreate(
            what="Speak up in meetings", metric="meetings where I spoke", target=5,
            due_on=dt.date.today() + dt.timedelta(days=30)), users["mentee"])
        token_id, _ = await create_api_token(users["mentee"], "access test")
        question = await questions.create_question(x.id, QuestionCreate(label="Your goal", kind="short_text"), admin)
        link = await invitations.create_invitation(x.id, InvitationCreate(label="Access test"), admin)

        removable = itertools.count(1)

        async def fresh_question() -> dict[str, Any]:
            made = await questions.create_question(x.id, QuestionCreate(label="To remove", kind="short_text",
                                                                        key=f"remove_{next(removable)}"), admin)
            return {"question_id": made.id}

        async def enrolled_mentee() -> dict[str, Any]:
            # Earlier routes withdraw the mentee's enrolment; self-matching needs one.
            if not await Enrolment.exists().where((Enrolment.user == users["mentee"].id)
                                                  & (Enrolment.state == "active")):
                await programs.enrol(x.id, "mentee", users["mentee"])
            return {}

        fresh = {(method, path): fresh_question for method, path in (
            ("DELETE", "/api/v1/programs/{program_id:int}/questions/{question_id:int}"),
            ("POST", "/programs/{program_id:int}/questions/{question_id:int}/delete"))}
        fresh.update({(method, path): enrolled_mentee for method, path in (
            ("GET", "/api/v1/programs/{program_id:int}/suggestions"),
            ("POST", "/api/v1/programs/{program_id:int}/match-requests"),
            ("GET", "/programs/{program_id:int}/find"), ("POST", "/programs/{program_id:int}/find"))})
        # A checked import of program X, whose file is gone (starting it is a conflict).
        job = await ImportJob.insert(ImportJob(program=x.id, created_by=users["coordinator"].id,
                                               original_name="people.csv")).returning(ImportJob.id)
        # A finished match run of program X proposing the pair that is already matched
        # (publishing it is refused: they hold an open relationship).
        run = await MatchRun.insert(MatchRun(program=x.id, number=1, strategy="manual", state="done",
                                             started_by=admin.id)).returning(MatchRun.id)
        proposal = await MatchRunProposal.insert(MatchRunProposal(
            run=run[0]["id"], position=1, members=f'{{"mentor": [{mentor_enrolment.id}], '
                                                  f'"mentee": [{mentee_enrolment.id}]}}',
            pair_key=f"{mentor_enrolment.id}-{mentee_enrolment.id}", score=0.5)).returning(MatchRunProposal.id)
        # The bystander's profile offers a tag and has a photo everyone signed in may see.
        tag = await tags.create_tag("Machine learning", admin)
        tag = await tags.add_synonym(tag.id, "ML", admin)
        await profiles.update_profile(bystander, ProfileUpdate(skills_offered=["ml"],
                                                               visibility=VisibilityUpdate(photo="signed_in")))
        await profiles.upload_photo(bystander, small_png())
        sessions = {role: await start_session(user) for role, user in users.items()}
        params = {
            "program_id": x.id, "relationship_id": relationship.id, "session_id": session.id,
            "token_id": token_id, "enrolment_id": mentee_enrolment.id, "token": "not-a-real-token",
            "user_id": bystander.id, "job_id": job[0]["id"], "tag_id": tag.id,
            "synonym_id": tag.synonyms[0].id, "question_id": question.id, "inquiry_id": inquiry[0]["id"],
            "milestone_key": "kick_off", "task_id": task["id"],
            "goal_id": goal.id, "run_id": run[0]["id"], "proposal_id": proposal[0]["id"],
            "invitation_id": link.id, "invitation_token": link.link.rsplit("/", 1)[1],
            "path": "openapi.json", "file_path": "mentorkit.css",
        }
        return World(users=users, sessions=sessions, params=params, fresh=fresh)

    return client.run(build)


@pytest.fixture
def world(mentorkit_client: Any) -> World:
    return _build_world(mentorkit_client)


def _static_file(client: Any, case: RouteCase) -> dict[str, str]:
    """For a plugin's static route, a file that plugin really ships (core's is mentorkit.css)."""
    for name, directory in client.app.state.runtime.hooks.static_dirs():
        if case.path.startswith(f"/static/p/{name}/"):
            files = sorted(p for p in Path(directory).rglob("*") if p.is_file())
            return {"file_path": files[0].relative_to(directory).as_posix()} if files else {}
    return {}


def _request(client: Any, case: RouteCase, role: str, world: World) -> Any:
    client.cookies.clear()
    csrf_cookie = "access-test-csrf-cookie"
    client.cookies.set(CSRF_COOKIE, csrf_cookie)
    if role != "anonymous":
        client.cookies.set(SESSION_COOKIE, world.sessions[role])
    headers = {"X-CSRF-Token": token_for(client.app.state.runtime.settings.secret_key, csrf_cookie)}
    fresh = world.fresh.get((case.method, case.path))
    url = case.url({**world.params, **_static_file(client, case), **(client.run(fresh) if fresh else {})})
    if case.unsafe:
        # An empty body: allowed callers get a validation error instead of changing things,
        # denied callers must be stopped before validation.
        return client.request(case.method, url, json={}, headers=headers, follow_redirects=False)
    return client.request(case.method, url, headers=headers, follow_redirects=False)


def test_every_route_declares_a_policy(mentorkit_app: Any) -> None:
    missing = [f"{c.method} {c.path}" for c in route_cases(mentorkit_app) if not c.policy]
    assert missing == []


def test_access_table_covers_exactly_the_routes_of_the_app(mentorkit_app: Any) -> None:
    routes = [(c.method, c.path) for c in route_cases(mentorkit_app)]
    assert table_problems(routes, access_table(mentorkit_app)) == []


def wrong_answers(client: Any, cases: list[RouteCase], table: dict[tuple[str, str], set[str]],
                  world: World) -> list[str]:
    """Every (route, role) whose answer is not what ``table`` says."""
    wrong = []
    for case in cases:
        allowed = table.get((case.method, case.path), set())
        # Denied roles first, so an allowed role's change cannot hide a denial.
        for role in sorted(ROLES, key=lambda r: r in allowed):
            response = _request(client, case, role, world)
            status = response.status_code
            assert status < 500, f"{case.method} {case.path} as {role}: {status} {response.text[:300]}"
            was_denied = status in DENIED or (
                status in {302, 303} and response.headers.get("location", "").startswith("/login?next="))
            if was_denied == (role in allowed):
                wrong.append(f"{case.method} {case.path} as {role}: {status} "
                             f"(expected {'allowed' if role in allowed else 'denied'})")
    return wrong


def test_every_role_is_allowed_or_denied_as_the_table_says(mentorkit_client: Any, world: World) -> None:
    client = mentorkit_client
    # Sign-out ends the session the later checks use, so it goes last.
    cases = sorted(route_cases(client.app), key=lambda c: c.path == "/logout")
    assert wrong_answers(client, cases, access_table(client.app), world) == []


def test_a_plugin_route_is_checked_against_the_plugins_declaration(
    mentorkit_plugins: list[tuple[str, object]], mentorkit_client: Any, world: World
) -> None:
    assert any(name == "declared" for name, _ in mentorkit_plugins)
    table = access_table(mentorkit_client.app)
    assert table[("GET", "/p/declared/ping")] == SIGNED_IN
    routes = [(c.method, c.path) for c in route_cases(mentorkit_client.app)]
    assert table_problems(routes, table) == []
    [case] = [c for c in route_cases(mentorkit_client.app) if c.path == "/p/declared/ping"]
    assert wrong_answers(mentorkit_client, [case], table, world) == []
    # A declaration that says otherwise is caught: the check can fail.
    stricter = {**table, ("GET", "/p/declared/ping"): ADMIN}
    assert sorted(wrong_answers(mentorkit_client, [case], stricter, world)) == [
        f"GET /p/declared/ping as {role}: 200 (expected denied)" for role in sorted(SIGNED_IN - ADMIN)]


def test_a_declaration_with_unknown_roles_or_routes_is_refused() -> None:
    class Sloppy:
        ROUTE_ACCESS = {("GET", "/p/sloppy"): {"mentee", "superuser"}}

    class Stale:
        ROUTE_ACCESS = {("GET", "/p/stale/gone"): {"admin"}}

    with pytest.raises(ValueError, match="superuser"):
        declared_access([("sloppy", Sloppy)])
    assert table_problems([], declared_access([("stale", Stale)])) == [
        "GET /p/stale/gone: declared, but no such route"]


def test_the_hello_fixture_declares_every_route_it_adds() -> None:
    import sys
    from pathlib import Path

    from litestar import Litestar

    sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "mentorkit-hello"))
    try:
        import mentorkit_hello
        from mentorkit_hello.routes import HelloApi, HelloPages
    finally:
        sys.path.pop(0)
    routes = [(c.method, c.path) for c in route_cases(Litestar([HelloPages, HelloApi], openapi_config=None))]
    assert table_problems(routes, declared_access([("hello", mentorkit_hello)])) == []


def test_the_triad_fixtures_routes_answer_as_it_declares(mentorkit_client: Any, world: World) -> None:
    """The fixture plugin's ROUTE_ACCESS covers its routes, and every role gets what it says."""
    table = access_table(mentorkit_client.app)
    cases = route_cases(mentorkit_client.app)
    assert table_problems([(c.method, c.path) for c in cases], table) == []
    triad_cases = [c for c in cases if c.path.startswith("/p/triad/")]
    assert [c.path for c in triad_cases] == ["/p/triad/mine"]
    assert wrong_answers(mentorkit_client, triad_cases, table, world) == []


def test_a_route_without_policy_is_refused_and_fails_the_table(
    mentorkit_plugins: list[tuple[str, object]], mentorkit_client: Any
) -> None:
    """The safety net itself: an undeclared route is refused for everyone (fail closed)."""
    from litestar import get

    from mentorkit import hookimpl

    assert any(name == "forgetful" for name, _ in mentorkit_plugins)
    response = mentorkit_client.get("/p/forgetful/open-door")
    assert response.status_code == 403
    routes = [(c.method, c.path) for c in route_cases(mentorkit_client.app)]
    assert table_problems(routes, access_table(mentorkit_client.app)) == [
        "GET /p/forgetful/open-door: no access declaration (add it to the plugin's ROUTE_ACCESS)"]
    del get, hookimpl


class ForgetfulPlugin:
    """A plugin whose route forgot to declare a policy."""

    @staticmethod
    def _route() -> Any:
        from litestar import get

        @get("/p/forgetful/open-door", sync_to_thread=False)
        def open_door() -> dict[str, str]:
            return {"secret": "should never be served"}

        return open_door


def _forgetful_plugin() -> object:
    from mentorkit import hookimpl

    class Plugin:
        @hookimpl
        def register_routes(self, register: Any) -> None:
            register(ForgetfulPlugin._route())

    return Plugin()


def _declared_plugin() -> object:
    from litestar import get

    from mentorkit import hookimpl

    @get("/p/declared/ping", opt={"policy": "signed_in"}, sync_to_thread=False)
    def ping() -> dict[str, str]:
        return {"pong": "yes"}

    class Plugin:
        ROUTE_ACCESS = {("GET", "/p/declared/ping"): SIGNED_IN}

        @hookimpl
        def register_routes(self, register: Any) -> None:
            register(ping)

    return Plugin()


@pytest.fixture
def mentorkit_plugins(request: pytest.FixtureRequest) -> Iterator[list[tuple[str, object]]]:
    if request.node.name == "test_a_route_without_policy_is_refused_and_fails_the_table":
        yield [("forgetful", _forgetful_plugin())]
    elif request.node.name == "test_a_plugin_route_is_checked_against_the_plugins_declaration":
        yield [("declared", _declared_plugin())]
    elif request.node.name == "test_the_triad_fixtures_routes_answer_as_it_declares":
        if "triad" in {ep.name for ep in entry_points(group="mentorkit")}:
            yield []  # pip-installed here: its entry point loads it
            return
        with importable(FIXTURES / "mentorkit-triad", "mentorkit_triad"):
            import mentorkit_triad

            yield [("triad", mentorkit_triad)]
    else:
        yield []
