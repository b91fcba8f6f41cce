"""The demo site: realistic programs, people, relationships and sessions, made through services.

Everything goes through the same services people use (so every rule and event applies); the
data is the same on every run (a fixed random seed) and is only created on an empty site.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from mentorkit.accounts.model import CurrentUser
from mentorkit.accounts.services import create_user
from mentorkit.accounts.tables import User

DEMO_PASSWORD = "mentorkit demo password"  # noqa: S105 - printed for the demo site
ADMIN_EMAIL = "admin@demo.mentorkit.test"
COORDINATOR_EMAIL = "coordinator@demo.mentorkit.test"
MENTOR_EMAIL = "mentor@demo.mentorkit.test"
MENTEE_EMAIL = "mentee@demo.mentorkit.test"

FIRST = ["Amara", "Ben", "Chloé", "Dmitri", "Elif", "Farah", "Gustavo", "Hana", "Ibrahim", "Jun",
         "Kasia", "Lars", "Maya", "Noor", "Olu", "Priya", "Quentin", "Rosa", "Sven", "Tamar",
         "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zara", "Aiko", "Bruno", "Carmen", "Dev"]
LAST = ["Okafor", "Schmidt", "Dubois", "Ivanov", "Yilmaz", "Haddad", "Silva", "Kobayashi", "Mensah",
        "Chen", "Nowak", "Berg", "Patel", "Rahman", "Adeyemi", "Sharma", "Laurent", "García",
        "Lindqvist", "Cohen", "Iyer", "Novák", "Li", "Flores", "Demir", "Khan", "Sato", "Costa",
        "Moreno", "Reddy"]
TOPICS = ["First 90 days", "Career plan", "Public speaking", "Code review habits", "Leading a team",
          "Research proposal", "Negotiating a raise", "Work-life balance", "Writing a paper",
          "Giving feedback", "Moving into management", "Building a network"]

PROGRAMS = [
    ("early-career", "Early-career engineers",
     "Experienced engineers guide people in their first two years.", "running"),
    ("women-in-leadership", "Women in Leadership",
     "Senior leaders mentor women stepping into leadership roles.", "running"),
    ("research-spring", "Spring research mentoring",
     "Faculty mentor graduate students through their first paper.", "enrolling"),
]


async def _site_is_empty() -> bool:
    return not await User.exists()


def login_lines(base_url: str) -> list[str]:
    """How to sign in to the demo site."""
    return [
        f"Demo site: {base_url}",
        f"  password for every demo account: {DEMO_PASSWORD}",
        f"  site admin   {ADMIN_EMAIL}",
        f"  coordinator  {COORDINATOR_EMAIL}   (Early-career engineers)",
        f"  mentor       {MENTOR_EMAIL}",
        f"  mentee       {MENTEE_EMAIL}",
    ]


# How long ago the demo's programs opened and its relationships began: before the oldest
# session it logs (six weeks back), as a site in use for a while would be.
PROGRAMS_OPENED = dt.timedelta(weeks=12)
RELATIONSHIPS_BEGAN = dt.timedelta(weeks=10)


async def _backdate_program(program_id: int, when: dt.datetime) -> None:
    from mentorkit.programs.tables import Enrolment, Program, ProgramStaff

    await Program.update({Program.created_at: when}).where(Program.id == program_id)
    await ProgramStaff.update({ProgramStaff.created_at: when}).where(ProgramStaff.program == program_id)
    await Enrolment.update({Enrolment.created_at: when}).where(Enrolment.program == program_id)


async def _backdate_relationship(relationship_id: int, when: dt.datetime) -> None:
    from mentorkit.relationships.tables import Relationship, RelationshipTransition

    await Relationship.update({Relationship.created_at: when}).where(Relationship.id == relationship_id)
    await RelationshipTransition.update({RelationshipTransition.at: when}).where(
        RelationshipTransition.relationship == relationship_id)


async def fill_demo_site(runtime: Any, *, people: int = 60) -> list[str]:
    """Create the demo data if the site has no accounts yet; return how to sign in."""
    lines = login_lines(runtime.settings.base_url)
    if not await _site_is_empty():
        return ["The site already has accounts: demo data not added.", *lines]

    from mentorkit.programs import services as programs
    from mentorkit.programs.schemas import ProgramCreate
    from mentorkit.relationships import services as relationships
    from mentorkit.relationships.schemas import SessionCreate

    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    admin = await create_user(email=ADMIN_EMAIL, display_name="Ada Admin", password=DEMO_PASSWORD, is_admin=True)
    coordinator = await create_user(email=COORDINATOR_EMAIL, display_name="Cora Coordinator", password=DEMO_PASSWORD)
    mentor = await create_user(email=MENTOR_EMAIL, display_name="Morgan Mentor", password=DEMO_PASSWORD)
    mentee = await create_user(email=MENTEE_EMAIL, display_name="Mina Mentee", password=DEMO_PASSWORD)
    others: list[CurrentUser] = []
    for n in range(people - 4):
        name = f"{FIRST[n % len(FIRST)]} {LAST[(n * 7) % len(LAST)]}"
        email = f"{name.split()[0].lower()}.{n}@demo.mentorkit.test"
        others.append(await create_user(email=email, display_name=name, password=DEMO_PASSWORD))

    now = dt.datetime.now(dt.UTC)
    created = []
    for slug, name, description, _ in PROGRAMS:
        program = await programs.create_program(ProgramCreate(slug=slug, name=name, description=description), admin)
        await programs.change_program_state(program.id, "enrolling", admin)
        created.append(program)
    early, leadership, research = created
    await programs.appoint_staff(early.id, COORDINATOR_EMAIL, "coordinator", admin)
    await programs.appoint_staff(leadership.id, COORDINATOR_EMAIL, "observer", admin)

    pool = others[:]
    rng.shuffle(pool)
    groups = {early.id: pool[:24], leadership.id: pool[24:42], research.id: pool[42:]}
    for program in created:
        members = groups[program.id]
        half = len(members) // 2
        mentors = [await programs.enrol(program.id, "mentor", m) for m in members[:half]]
        mentees = [await programs.enrol(program.id, "mentee", m) for m in members[half:]]
        if program.id == early.id:
            mentors.insert(0, await programs.enrol(program.id, "mentor", mentor))
            mentees.insert(0, await programs.enrol(program.id, "mentee", mentee))
        # The services stamp everything "now"; the sessions below are in the past.
        await _backdate_program(program.id, now - PROGRAMS_OPENED)
        if program.id == research.id:
            continue  # still enrolling: people wait to be matched
        coordinator_of = coordinator if program.id == early.id else admin
        pairs = list(zip(mentors, mentees, strict=False))[: len(mentees) - 2]  # a few still waiting
        for index, (m, e) in enumerate(pairs):
            relationship = await relationships.pair(program.id, [m.id, e.id], coordinator_of,
                                                    reason="demo pairing")
            await _backdate_relationship(relationship.id, now - RELATIONSHIPS_BEGAN + dt.timedelta(days=index))
            mentee_user = next(u for u in [*others, mentee] if u.id == e.user_id)
            for s in range(rng.randint(0, 5) if index else 3):
                held = now - dt.timedelta(days=7 * (s + 1) + rng.randint(0, 3), hours=rng.randint(0, 8))
                await relationships.log_session(relationship.id, SessionCreate(
                    held_at=held, duration_minutes=rng.choice([30, 45, 60, 90]), title=rng.choice(TOPICS),
                    shared_notes="We agreed on next steps.",
                    private_note="Felt encouraged." if s % 2 == 0 else "",
                ), mentee_user)
            if index % 7 == 3:
                await relationships.complete_relationship(relationship.id, coordinator_of, reason="goals reached")
            elif index % 7 == 5:
                await relationships.transition_relationship(relationship.id, "ended_early", coordinator_of,
                                                            reason="the mentee changed jobs")
        await programs.change_program_state(program.id, "running", coordinator_of)
    return [f"Created {people} people, {len(created)} programs and their relationships.", *lines]
