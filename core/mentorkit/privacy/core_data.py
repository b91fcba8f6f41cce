"""What the core's tables hold about one person: the export, and the erasure.

Used by the built-in plugin ``mentorkit.builtin.data_rights`` (its ``export_user_data`` and
``erase_user_data``), whose ``PERSONAL_DATA_TABLES`` names every core table handled here. The
decisions (what is deleted, what is pseudonymised, what is kept and why) are explained in
``docs/data-rights.md``.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from mentorkit.accounts.tables import ApiToken, Notification, OneTimeToken, RateLimitCounter, User, WebSession
from mentorkit.db import transaction
from mentorkit.db.unit import after_commit
from mentorkit.db.values import as_json
from mentorkit.events import EventRecord, Timer, emit, utcnow
from mentorkit.goals.tables import Goal, GoalProgress
from mentorkit.imports.tables import ImportJob
from mentorkit.journeys.tables import Journey, JourneyMilestone, JourneyTask
from mentorkit.profiles.photos import remove_photo_file
from mentorkit.profiles.services import stored_photo_name
from mentorkit.profiles.tables import Profile, ProfileTag
from mentorkit.programs.tables import (
    Enrolment,
    EnrolmentAnswer,
    EnrolmentPreference,
    Program,
    ProgramInvitation,
    ProgramStaff,
)
from mentorkit.relationships.lifecycle import OPEN_RELATIONSHIP_STATES
from mentorkit.relationships.tables import (
    Agreement,
    AgreementConfirmation,
    MentoringSession,
    Relationship,
    RelationshipInquiry,
    RelationshipMember,
    RelationshipTransition,
    SessionPrivateNote,
)
from mentorkit.web.ratelimit import bucket_key

FORMER_MEMBER = "Former member"
# Not an Argon2 hash: verify_password() is always False for it, so nobody can sign in.
UNUSABLE_PASSWORD = "!erased"  # noqa: S105 - a marker, not a password
# Enrolments that still hold a place (or a place in the queue): erasure withdraws them.
LIVE_ENROLMENT_STATES = ("active", "applied", "waitlisted")
ERASED_REASON = "a member's account was erased"
# What is left of an erased person's question or answer about a match.
ERASED_TEXT = "(erased)"


def pseudonymous_email(user_id: int) -> str:
    """The address an erased account keeps: unique, and undeliverable (``.invalid`` is reserved)."""
    return f"erased-{user_id}@invalid"


# --------------------------------------------------------------------------- export


async def export_core(user_id: int) -> dict[str, Any] | None:
    """Everything the core tables hold about the person (None when there is no such account).

    Never includes password or token hashes, nor another person's private notes or e-mail
    address; other members of a relationship appear by display name only.
    """
    user = await User.select().where(User.id == user_id).first()
    if user is None:
        return None
    email = user["email"]
    return {
        "account": {
            "id": user["id"], "email": email, "display_name": user["display_name"],
            "is_admin": user["is_admin"], "active": user["active"], "time_zone": user["time_zone"],
            "created_at": user["created_at"], "last_login_at": user["last_login_at"],
        },
        "web_sessions": list(await WebSession.select(
            WebSession.created_at, WebSession.last_seen_at, WebSession.expires_at, WebSession.revoked_at,
            WebSession.user_agent,
        ).where(WebSession.user == user_id).order_by(WebSession.id)),
        "api_tokens": list(await ApiToken.select(
            ApiToken.name, ApiToken.prefix, ApiToken.created_at, ApiToken.last_used_at, ApiToken.revoked_at,
        ).where(ApiToken.user == user_id).order_by(ApiToken.id)),
        "one_time_tokens": list(await OneTimeToken.select(
            OneTimeToken.purpose, OneTimeToken.created_at, OneTimeToken.expires_at, OneTimeToken.used_at,
        ).where((OneTimeToken.user == user_id) | (OneTimeToken.email == email)).order_by(OneTimeToken.id)),
        # Invitations the person sent: when, not to whom (the address is the invitee's).
        "invitations_sent": list(await OneTimeToken.select(
            OneTimeToken.created_at, OneTimeToken.expires_at, OneTimeToken.used_at,
        ).where((OneTimeToken.created_by == user_id) & (OneTimeToken.purpose == "invitation"))
            .order_by(OneTimeToken.id)),
        "notifications": list(await Notification.select(
            Notification.subject, Notification.body, Notification.created_at, Notification.read_at,
        ).where((Notification.user == user_id) | (Notification.email == email)).order_by(Notification.id)),
        "rate_limit_counters": [
            {"bucket": row["bucket"], "hits": row["hits"], "window_ends_at": row["window_ends_at"]}
            for row in await _rate_limit_rows(email)
        ],
        "program_staff": list(await ProgramStaff.select(
            ProgramStaff.program.slug.as_alias("program_slug"), ProgramStaff.program.name.as_alias("program_name"),
            ProgramStaff.role, ProgramStaff.created_at,
        ).where(ProgramStaff.user == user_id).order_by(ProgramStaff.id)),
        "programs_created": list(await Program.select(Program.slug, Program.name, Program.created_at).where(
            Program.created_by == user_id).order_by(Program.id)),
        "enrolments": list(await Enrolment.select(
            Enrolment.id, Enrolment.program.slug.as_alias("program_slug"),
            Enrolment.program.name.as_alias("program_name"), Enrolment.role, Enrolment.state,
            Enrolment.created_at, Enrolment.ended_at,
        ).where(Enrolment.user == user_id).order_by(Enrolment.id)),
        "enrolment_answers": list(await EnrolmentAnswer.select(
            EnrolmentAnswer.enrolment.as_alias("enrolment_id"), EnrolmentAnswer.question.key.as_alias("question"),
            EnrolmentAnswer.question.label.as_alias("question_label"), EnrolmentAnswer.value,
            EnrolmentAnswer.updated_at,
        ).where(EnrolmentAnswer.enrolment.user == user_id).order_by(EnrolmentAnswer.id)),
        # Their own wish lists and exclusions, with the other person's name (they chose them).
        "matching_preferences": list(await EnrolmentPreference.select(
            EnrolmentPreference.enrolment.as_alias("enrolment_id"), EnrolmentPreference.kind,
            EnrolmentPreference.other.display_name.as_alias("other_person"), EnrolmentPreference.created_at,
        ).where(EnrolmentPreference.enrolment.user == user_id).order_by(EnrolmentPreference.id)),
        "program_invitations_created": list(await ProgramInvitation.select(
            ProgramInvitation.program.slug.as_alias("program_slug"), ProgramInvitation.label,
            ProgramInvitation.created_at, ProgramInvitation.expires_at, ProgramInvitation.revoked_at,
        ).where(ProgramInvitation.created_by == user_id).order_by(ProgramInvitation.id)),
        "imports_started": list(await ImportJob.select(
            ImportJob.program.slug.as_alias("program_slug"), ImportJob.original_name, ImportJob.state,
            ImportJob.lines, ImportJob.enrolments, ImportJob.created_at,
        ).where(ImportJob.created_by == user_id).order_by(ImportJob.id)),
        "profile": await Profile.select(
            Profile.headline, Profile.bio, Profile.photo, Profile.seniority, Profile.years_experience,
            Profile.department, Profile.languages, Profile.links, Profile.availability, Profile.visibility,
            Profile.updated_at,
        ).where(Profile.user == user_id).first(),
        "profile_tags": list(await ProfileTag.select(
            ProfileTag.tag.key.as_alias("tag"), ProfileTag.tag.label.as_alias("label"), ProfileTag.kind,
        ).where(ProfileTag.user == user_id).order_by(ProfileTag.id)),
        **await _export_relationships(user_id),
        "private_notes": list(await SessionPrivateNote.select(
            SessionPrivateNote.session.as_alias("session_id"), SessionPrivateNote.body, SessionPrivateNote.created_at,
        ).where(SessionPrivateNote.author == user_id).order_by(SessionPrivateNote.id)),
        **await _export_goals(user_id),
        "events": await _export_events(user_id),
        "timers": list(await Timer.select(Timer.type, Timer.subject, Timer.due_at, Timer.fired_at).where(
            Timer.actor_id == user_id).order_by(Timer.id)),
    }


async def _export_relationships(user_id: int) -> dict[str, Any]:
    mine = await RelationshipMember.select(RelationshipMember.relationship, RelationshipMember.role).where(
        RelationshipMember.user == user_id)
    my_roles = {row["relationship"]: row["role"] for row in mine}
    ids = sorted(my_roles)
    if not ids:
        return {"relationships": [], "sessions": []}
    rows = await Relationship.select(
        Relationship.id, Relationship.program.name.as_alias("program_name"), Relationship.format,
        Relationship.state, Relationship.created_at, Relationship.ended_at, Relationship.requested_by,
        Relationship.request_message,
    ).where(Relationship.id.is_in(ids)).order_by(Relationship.id)
    others = await RelationshipMember.select(
        RelationshipMember.relationship, RelationshipMember.role,
        RelationshipMember.user.display_name.as_alias("display_name"),
    ).where(RelationshipMember.relationship.is_in(ids) & (RelationshipMember.user != user_id)).order_by(
        RelationshipMember.id)
    transitions = await RelationshipTransition.select().where(
        RelationshipTransition.relationship.is_in(ids)).order_by(RelationshipTransition.id)
    questions = await RelationshipInquiry.select().where(
        RelationshipInquiry.relationship.is_in(ids)).order_by(RelationshipInquiry.id)
    agreements = await Agreement.select().where(Agreement.relationship.is_in(ids)).order_by(Agreement.id)
    milestones = await JourneyMilestone.select(
        JourneyMilestone.journey.relationship.as_alias("relationship"), JourneyMilestone.title,
        JourneyMilestone.due_on, JourneyMilestone.completed_at, JourneyMilestone.completed_by,
    ).where(JourneyMilestone.journey.relationship.is_in(ids)).order_by(JourneyMilestone.id)
    journey_of = {row["id"]: row["relationship"] for row in await Journey.select(
        Journey.id, Journey.relationship).where(Journey.relationship.is_in(ids))}
    ticked = [{**row, "relationship": journey_of.get(row["journey"])} for row in await JourneyTask.select(
        JourneyTask.milestone.journey.as_alias("journey"), JourneyTask.title, JourneyTask.done_at,
    ).where(JourneyTask.done_by == user_id).order_by(JourneyTask.id)]
    confirmed = {row["agreement"] for row in await AgreementConfirmation.select(AgreementConfirmation.agreement).where(
        AgreementConfirmation.user == user_id)}
    relationships = []
    for row in rows:
        rid = row["id"]
        requested_by = row.pop("requested_by")
        message = row.pop("request_message")
        relationships.append({
            **row,
            "your_role": my_roles[rid],
            # Self-matching: who asked for the match, and the message every member read.
            "requested_by_you": requested_by == user_id,
            "request_message": message,
            "other_members": [{"display_name": o["display_name"], "role": o["role"]}
                              for o in others if o["relationship"] == rid],
            "history": [{"from": t["from_state"], "to": t["to_state"], "at": t["at"], "reason": t["reason"],
                         "reason_code": t["reason_code"], "by_you": t["actor"] == user_id}
                        for t in transitions if t["relationship"] == rid],
            # Questions asked before accepting: what every member of the match read.
            "questions": [{"question": q["question"], "asked_at": q["asked_at"],
                           "asked_by_you": q["asked_by"] == user_id, "answer": q["answer"],
                           "answered_at": q["answered_at"],
                           "answered_by_you": q["answered_by"] == user_id}
                          for q in questions if q["relationship"] == rid],
            # The agreement's versions: the text every member read and confirmed.
            "agreements": [{"version": a["version"], "terms": as_json(a["terms"]), "created_at": a["created_at"],
                            "written_by_you": a["created_by"] == user_id, "confirmed_by_you": a["id"] in confirmed}
                           for a in agreements if a["relationship"] == rid],
            "journey": [{"milestone": m["title"], "due_on": m["due_on"], "completed_at": m["completed_at"],
                         "completed_by_you": m["completed_by"] == user_id}
                        for m in milestones if m["relationship"] == rid],
            "journey_tasks_you_ticked": [{"task": t["title"], "done_at": t["done_at"]}
                                         for t in ticked if t["relationship"] == rid],
        })
    sessions = await MentoringSession.select().where(MentoringSession.relationship.is_in(ids)).order_by(
        MentoringSession.id)
    return {
        "relationships": relationships,
        # Sessions of their relationships: what every member sees (private notes are separate).
        "sessions": [
            {"id": s["id"], "relationship_id": s["relationship"], "held_at": s["held_at"],
             "duration_minutes": s["duration_minutes"], "title": s["title"], "shared_notes": s["shared_notes"],
             "logged_by_you": s["created_by"] == user_id, "created_at": s["created_at"]}
            for s in sessions
        ],
    }


async def _export_goals(user_id: int) -> dict[str, Any]:
    """The person's own goals with their progress, and the progress they logged on goals of
    other members that were shared with them (values and notes they wrote)."""
    goals = await Goal.select(
        Goal.id, Goal.relationship.as_alias("relationship_id"), Goal.what, Goal.metric, Goal.baseline, Goal.target,
        Goal.unit, Goal.why, Goal.due_on, Goal.milestone_key, Goal.status, Goal.visibility, Goal.drop_reason,
        Goal.created_at, Goal.updated_at,
    ).where(Goal.owner == user_id).order_by(Goal.id)
    ids = [g["id"] for g in goals]
    progress = await GoalProgress.select().where(GoalProgress.goal.is_in(ids)).order_by(GoalProgress.id) if ids else []
    return {
        "goals": [{**g, "progress": [{"value": p["value"], "note": p["note"], "logged_at": p["logged_at"],
                                      "by_you": p["author"] == user_id} for p in progress if p["goal"] == g["id"]]}
                  for g in goals],
        "goal_progress_on_others_goals": list(await GoalProgress.select(
            GoalProgress.goal.as_alias("goal_id"), GoalProgress.value, GoalProgress.note, GoalProgress.logged_at,
        ).where((GoalProgress.author == user_id) & (GoalProgress.goal.owner != user_id)).order_by(GoalProgress.id)),
    }


async def _export_events(user_id: int) -> list[dict[str, Any]]:
    """Events the person caused or that are about their account; payloads only when theirs."""
    rows = await EventRecord.select(
        EventRecord.type, EventRecord.subject, EventRecord.actor_id, EventRecord.payload, EventRecord.occurred_at,
    ).where((EventRecord.actor_id == user_id) | (EventRecord.subject == f"user:{user_id}")).order_by(EventRecord.id)
    out = []
    for row in rows:
        payload = _payload(row["payload"])
        theirs = row["subject"] == f"user:{user_id}" or payload.get("user_id") == user_id
        out.append({"type": row["type"], "subject": row["subject"], "occurred_at": row["occurred_at"],
                    "by_you": row["actor_id"] == user_id, "payload": payload if theirs else None})
    return out


def _payload(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value or "{}")
    return value if isinstance(value, dict) else {}


async def _rate_limit_rows(email: str) -> list[dict[str, Any]]:
    # Buckets are "<name>:<identity>:<window>"; per-account limits use the e-mail address.
    key = bucket_key(email)
    rows = await RateLimitCounter.select().where(RateLimitCounter.bucket.like(f"%:{key}:%"))
    return [row for row in rows if f":{key}:" in row["bucket"]]


# --------------------------------------------------------------------------- erasure


async def lock_out(user_id: int) -> None:
    """Nobody can act as the person any more: inactive, no password, no sessions, no tokens."""
    async with transaction():
        await User.update({User.active: False, User.password_hash: UNUSABLE_PASSWORD, User.is_admin: False}).where(
            User.id == user_id)
        await WebSession.delete().where(WebSession.user == user_id)
        await ApiToken.delete().where(ApiToken.user == user_id)
        await OneTimeToken.delete().where(OneTimeToken.user == user_id)


async def erase_core(user_id: int) -> None:
    """Erase or pseudonymise what the core tables hold about the person, in one transaction.

    Re-runnable: a second run finds nothing left to change. Consequential changes (withdrawn
    enrolments, relationships ended early) are emitted as events with no actor.
    """
    async with transaction():
        user = await User.select(User.email, User.display_name).where(User.id == user_id).first()
        if user is None:
            return
        await lock_out(user_id)
        email, name = user["email"], user["display_name"]
        already = email.startswith(f"erased-{user_id}") and email.endswith("@invalid")
        pseudonym = email if already else pseudonymous_email(user_id)
        if await User.exists().where((User.email == pseudonym) & (User.id != user_id)):
            # Somebody signed up with this very address (it cannot receive mail): never let that block us.
            pseudonym = f"erased-{user_id}-{secrets.token_hex(4)}@invalid"
        now = utcnow()

        # Things addressed to the person before or after they had an account.
        await OneTimeToken.delete().where(OneTimeToken.email == email)
        await Notification.delete().where((Notification.user == user_id) | (Notification.email == email))
        for row in await _rate_limit_rows(email):
            await RateLimitCounter.delete().where(RateLimitCounter.id == row["id"])
        # Invitations they sent name them in the invitee's message.
        if name != FORMER_MEMBER:
            sent = await OneTimeToken.select(OneTimeToken.id).where(OneTimeToken.created_by == user_id)
            keys = [f"invitation:{row['id']}" for row in sent]
            if keys:
                for note in await Notification.select(Notification.id, Notification.body).where(
                        Notification.key.is_in(keys)):
                    if note["body"].startswith(name):  # "<inviter> invited you to join ..."
                        body = FORMER_MEMBER + note["body"].removeprefix(name)
                        await Notification.update({Notification.body: body}).where(Notification.id == note["id"])
            # People a CSV import created were told "<coordinator> added you to ...".
            imported = [f"import_invitation:{row['id']}" for row in sent]
            for start in range(0, len(imported), 500):
                for note in await Notification.select(Notification.id, Notification.body).where(
                        Notification.key.is_in(imported[start:start + 500])):
                    body = note["body"].replace(f"{name} added you", f"{FORMER_MEMBER} added you")
                    await Notification.update({Notification.body: body}).where(Notification.id == note["id"])
        # Import jobs they started lose their name; a checked file's report that names their
        # address (a problem on their line) loses its problems.
        await ImportJob.update({ImportJob.created_by: None}).where(ImportJob.created_by == user_id)
        for job in await ImportJob.select(ImportJob.id, ImportJob.problems):
            if email in str(job["problems"]):
                await ImportJob.update({ImportJob.problems: "[]"}).where(ImportJob.id == job["id"])

        # Programs: no staff role, enrolments withdrawn, open relationships ended.
        await ProgramStaff.delete().where(ProgramStaff.user == user_id)
        for row in await Enrolment.select().where(
                (Enrolment.user == user_id) & Enrolment.state.is_in(list(LIVE_ENROLMENT_STATES))):
            await Enrolment.update({Enrolment.state: "withdrawn", Enrolment.active_key: None,
                                    Enrolment.ended_at: now}).where(Enrolment.id == row["id"])
            await emit("enrolment.withdrawn", f"program:{row['program']}",
                       {"enrolment_id": row["id"], "user_id": user_id, "role": row["role"], "reason": "erased"})
        member_of = RelationshipMember.select(RelationshipMember.relationship).where(RelationshipMember.user == user_id)
        for row in await Relationship.select().where(
                Relationship.id.is_in(member_of) & Relationship.state.is_in(list(OPEN_RELATIONSHIP_STATES))):
            # A match not yet started is cancelled; one that started ends early.
            ended = "cancelled" if row["state"] in ("proposed", "pending") else "ended_early"
            await Relationship.update({Relationship.state: ended, Relationship.open_key: None,
                                       Relationship.accept_by: None, Relationship.resume_on: None,
                                       Relationship.ended_at: now}).where(Relationship.id == row["id"])
            await RelationshipTransition.insert(RelationshipTransition(
                relationship=row["id"], from_state=row["state"], to_state=ended, actor=None,
                reason=ERASED_REASON, at=now))
            await emit("relationship.state_changed", f"relationship:{row['id']}",
                       {"program_id": row["program"], "from": row["state"], "to": ended, "reason_code": ""})
        # Journey progress stays the relationship's; who made it is forgotten.
        await JourneyMilestone.update({JourneyMilestone.completed_by: None}).where(
            JourneyMilestone.completed_by == user_id)
        await JourneyTask.update({JourneyTask.done_by: None}).where(JourneyTask.done_by == user_id)
        # Their confirmations of agreements go; the agreement's text is the relationship's.
        await AgreementConfirmation.delete().where(AgreementConfirmation.user == user_id)
        await Agreement.update({Agreement.created_by: None}).where(Agreement.created_by == user_id)
        # Their requests for matches (self-matching): the message goes, the match stays.
        await Relationship.update({Relationship.request_message: ERASED_TEXT, Relationship.requested_by: None}).where(
            (Relationship.requested_by == user_id) & (Relationship.request_message != ""))
        await Relationship.update({Relationship.requested_by: None}).where(Relationship.requested_by == user_id)
        # Their questions and answers about matches: the words go, the fact stays.
        await RelationshipInquiry.update({RelationshipInquiry.question: ERASED_TEXT,
                                          RelationshipInquiry.asked_by: None}).where(
            RelationshipInquiry.asked_by == user_id)
        await RelationshipInquiry.update({RelationshipInquiry.answer: ERASED_TEXT,
                                          RelationshipInquiry.answered_by: None}).where(
            RelationshipInquiry.answered_by == user_id)
        await SessionPrivateNote.delete().where(SessionPrivateNote.author == user_id)
        # Their goals go with their progress; what they logged on others' shared goals loses
        # its words and its author; goals they suggested forget who did.
        await Goal.delete().where(Goal.owner == user_id)
        await GoalProgress.update({GoalProgress.note: ERASED_TEXT, GoalProgress.author: None}).where(
            GoalProgress.author == user_id)
        await Goal.update({Goal.suggested_by: None}).where(Goal.suggested_by == user_id)
        # What they told programs about themselves, and what others said about them.
        mine = Enrolment.select(Enrolment.id).where(Enrolment.user == user_id)
        await EnrolmentAnswer.delete().where(EnrolmentAnswer.enrolment.is_in(mine))
        await EnrolmentPreference.delete().where(
            EnrolmentPreference.enrolment.is_in(mine) | (EnrolmentPreference.other == user_id))
        await ProgramInvitation.update({ProgramInvitation.created_by: None}).where(
            ProgramInvitation.created_by == user_id)
        # The profile; its photo file goes once this commits (a rolled-back erasure keeps it).
        photo = await stored_photo_name(user_id)
        after_commit(lambda: remove_photo_file(photo))
        await ProfileTag.delete().where(ProfileTag.user == user_id)
        await Profile.delete().where(Profile.user == user_id)

        # The audit trail keeps its rows and actor ids; the e-mail address leaves the payloads.
        await _scrub_payloads(EventRecord, email, pseudonym)
        await _scrub_payloads(Timer, email, pseudonym)

        await User.update({
            User.email: pseudonym, User.display_name: FORMER_MEMBER, User.time_zone: "UTC",
            User.last_login_at: None,
        }).where(User.id == user_id)


async def _scrub_payloads(table: type[EventRecord] | type[Timer], email: str, pseudonym: str) -> None:
    """Replace the e-mail address in every JSON payload of ``table`` that mentions it."""
    if email == pseudonym:
        return
    tablename = table._meta.tablename
    rows = await table.raw(
        f"SELECT id, payload FROM {tablename} WHERE CAST(payload AS TEXT) LIKE {{}}",  # table names are ours
        f"%{email}%",
    )
    for row in rows:
        payload = row["payload"]
        text = payload if isinstance(payload, str) else json.dumps(payload)
        if email not in text:
            continue  # "_" in an address is a LIKE wildcard: a near miss
        scrubbed = _replace_strings(json.loads(text), email, pseudonym)
        await table.update({table.payload: json.dumps(scrubbed)}).where(table.id == row["id"])


def _replace_strings(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_replace_strings(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _replace_strings(v, old, new) for k, v in value.items()}
    return value
