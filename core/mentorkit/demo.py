"""The demo site: realistic programs, people, relationships and sessions, made through services.

Everything goes through the same services people use (so every rule and event applies); the
data is the same on every run (a fixed random seed) and is only created on an empty site.
What it is made of (the vocabulary, profiles, questions and answers) is in ``demo_data``:

* a tag vocabulary with synonyms, and a full profile for every person (skills typed as
  labels or synonyms, stored canonically);
* "Early-career engineers": open, cohort, running; "Women in Leadership": by application,
  rolling, running, with applications waiting and one declined; "Spring research mentoring":
  by invitation link, still enrolling, with wishes and a "not with"; "Engineering circles":
  group mentoring (only with a "group" format installed), open, rolling, its mentee places
  full and one person waitlisted; "Product mentoring pilot": a draft;
* answers to every question asked of each enrolment, mentors taking two or three people, and
  one mentor who paused.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from mentorkit import demo_data
from mentorkit.accounts.model import CurrentUser
from mentorkit.accounts.services import create_user
from mentorkit.accounts.tables import User
from mentorkit.programs.schemas import ProgramUpdate

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

# The smart matching plugin's strategy: the demo uses it where the plugin is installed.
SMART = "smart"
# (slug, name, description, design): the three 1:1 programs and the state each ends in.
PROGRAMS = [
    ("early-career", "Early-career engineers",
     "Experienced engineers guide people in their first two years.", "running"),
    ("women-in-leadership", "Women in Leadership",
     "Senior leaders mentor women stepping into leadership roles.", "running"),
    ("research-spring", "Spring research mentoring",
     "Faculty mentor graduate students through their first paper.", "enrolling"),
]
DESIGNS: dict[str, dict[str, Any]] = {
    "early-career": {"enrolment_mode": "open", "intake": "cohort", "default_capacity": 1,
                     "meeting_cadence": "fortnightly", "duration_weeks": 26},
    # Applications are reviewed as they come: a rolling intake keeps it open while it runs.
    "women-in-leadership": {"enrolment_mode": "application", "intake": "rolling", "default_capacity": 1,
                            "meeting_cadence": "monthly", "duration_weeks": 40},
    "research-spring": {"enrolment_mode": "invitation", "intake": "cohort", "default_capacity": 1,
                        "meeting_cadence": "weekly", "duration_weeks": 16},
}
# How many women-in-leadership mentee applications stay waiting, and which one is declined.
WAITING_APPLICATIONS = 2
DECLINE_NOTE = "we are looking for people who already lead a team; please apply again next year"

async def _site_is_empty() -> bool:
    return not await User.exists()


def login_lines(base_url: str) -> list[str]:
    """How to sign in to the demo site."""
    return [
        f"Demo site: {base_url}",
        f"  password for every demo account: {DEMO_PASSWORD}",
        f"  site admin   {ADMIN_EMAIL}",
        f"  coordinator  {COORDINATOR_EMAIL}   (Early-career engineers; Spring research mentoring, to match;"
        " Find your mentor, mentee-led; Product mentoring pilot, a draft)",
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
    from mentorkit.journeys.services import shift_journey
    from mentorkit.relationships.tables import Relationship, RelationshipTransition

    await Relationship.update({Relationship.created_at: when}).where(Relationship.id == relationship_id)
    await RelationshipTransition.update({RelationshipTransition.at: when}).where(
        RelationshipTransition.relationship == relationship_id)
    await shift_journey(relationship_id, when.date())


async def _vocabulary(admin: CurrentUser) -> None:
    from mentorkit.profiles.tags import add_synonym, create_tag

    for label, synonyms in demo_data.VOCABULARY:
        tag = await create_tag(label, admin)
        for synonym in synonyms:
            await add_synonym(tag.id, synonym, admin)


async def _profile(person: CurrentUser, fields: dict[str, Any]) -> None:
    import msgspec

    from mentorkit.profiles.schemas import ProfileUpdate
    from mentorkit.profiles.services import update_profile

    await update_profile(person, msgspec.convert(fields, ProfileUpdate))


def _profile_fields(n: int, mentoring: bool, rng: random.Random) -> dict[str, Any]:
    """A full profile for the n-th of the other people: mentors offer skills, mentees seek them."""
    family = demo_data.SKILL_FAMILIES[n % len(demo_data.SKILL_FAMILIES)]
    skills = rng.sample(family, 3)
    seniority = rng.choice(["senior", "lead", "executive"] if mentoring else ["student", "junior", "mid"])
    years = {"student": 0, "junior": 1, "mid": 4, "senior": 9, "lead": 13, "executive": 20}[seniority]
    return {
        "headline": rng.choice(demo_data.MENTOR_HEADLINES if mentoring else demo_data.MENTEE_HEADLINES),
        "bio": rng.choice(demo_data.BIOS),
        "seniority": seniority,
        "years_experience": years + rng.randint(0, 3),
        "department": demo_data.DEPARTMENTS[n % len(demo_data.DEPARTMENTS)],
        "languages": demo_data.LANGUAGES[n % len(demo_data.LANGUAGES)],
        "time_zone": demo_data.TIME_ZONES[(n * 3) % len(demo_data.TIME_ZONES)],
        "skills_offered": skills if mentoring else skills[:1],
        "skills_sought": [] if mentoring else skills,
        "availability": demo_data.AVAILABILITY[n % len(demo_data.AVAILABILITY)],
        "visibility": demo_data.VISIBILITY_CHOICES[n % len(demo_data.VISIBILITY_CHOICES)],
    }


def _asked(question: dict[str, Any], role: str) -> bool:
    return not question.get("asked_roles") or role in question["asked_roles"]


def _answers(slug: str, role: str, skills: list[str], rng: random.Random) -> dict[str, Any]:
    """Answers to every question the program asks of ``role``: varied, and close to the person."""
    answers: dict[str, Any] = {}
    for question in demo_data.QUESTIONS[slug]:
        if not _asked(question, role):
            continue
        key, kind = question["key"], question["kind"]
        if kind == "long_text":
            answers[key] = rng.choice(demo_data.LONG_ANSWERS.get(f"{key}:{role}") or demo_data.GOALS)
        elif kind == "short_text":
            answers[key] = rng.choice(demo_data.SHORT_ANSWERS.get(f"{key}:{role}") or demo_data.SHORT_ANSWERS[key])
        elif kind == "single_choice":
            answers[key] = rng.choice(question["choices"])
        elif kind == "multiple_choice":
            answers[key] = rng.sample(question["choices"], rng.randint(1, 3))
        elif kind == "scale":
            answers[key] = rng.randint(question.get("scale_min", 1), question.get("scale_max", 5))
        elif kind == "tags":
            pool = demo_data.TAG_ANSWERS.get(key) or skills or demo_data.SKILLS
            answers[key] = rng.sample(pool, min(len(pool), 2))
    return answers


async def _design(slug: str, name: str, description: str, actor: CurrentUser, **design: Any) -> Any:
    """A draft program with its design and its questions."""
    from mentorkit.programs import services as programs
    from mentorkit.programs.enrolment_schemas import QuestionCreate
    from mentorkit.programs.question_services import create_question
    from mentorkit.programs.schemas import ProgramCreate

    program = await programs.create_program(
        ProgramCreate(slug=slug, name=name, description=description, **design), actor)
    for question in demo_data.QUESTIONS[slug]:
        await create_question(program.id, QuestionCreate(**question), actor)
    return program


async def fill_demo_site(runtime: Any, *, people: int = 60) -> list[str]:
    """Create the demo data if the site has no accounts yet; return how to sign in."""
    lines = login_lines(runtime.settings.base_url)
    if not await _site_is_empty():
        return ["The site already has accounts: demo data not added.", *lines]

    from mentorkit.programs import enrolments
    from mentorkit.programs import services as programs
    from mentorkit.programs.enrolment_schemas import InvitationCreate
    from mentorkit.programs.invitations import create_invitation
    from mentorkit.programs.preferences import set_preferences
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
    everyone = {u.id: u for u in [admin, coordinator, mentor, mentee, *others]}

    await _vocabulary(admin)
    for key, person in (("admin", admin), ("coordinator", coordinator), ("mentor", mentor), ("mentee", mentee)):
        await _profile(person, demo_data.NAMED_PROFILES[key])

    now = dt.datetime.now(dt.UTC)
    created = []
    for slug, name, description, _ in PROGRAMS:
        program = await _design(slug, name, description, admin, **DESIGNS[slug],
                                starts_on=(now - PROGRAMS_OPENED).date())
        await programs.change_program_state(program.id, "enrolling", admin)
        created.append(program)
    early, leadership, research = created
    await programs.appoint_staff(early.id, COORDINATOR_EMAIL, "coordinator", admin)
    await programs.appoint_staff(leadership.id, COORDINATOR_EMAIL, "observer", admin)
    invitation = await create_invitation(research.id, InvitationCreate(
        label="Graduate school mailing list", expires_in_days=60, max_uses=40), admin)
    token = invitation.link.rsplit("/join/", 1)[1]

    pool = others[:]
    rng.shuffle(pool)
    groups = {early.id: pool[:24], leadership.id: pool[24:42], research.id: pool[42:]}
    # Everyone's profile: whoever mentors somewhere offers skills, the others seek them.
    mentoring = {m.id for members in groups.values() for m in members[: len(members) // 2]}
    skills_of: dict[int, list[str]] = {}
    for n, person in enumerate(others):
        fields = _profile_fields(n, person.id in mentoring, rng)
        skills_of[person.id] = fields["skills_offered"] if person.id in mentoring else fields["skills_sought"]
        await _profile(person, fields)
    skills_of[mentor.id] = demo_data.NAMED_PROFILES["mentor"]["skills_offered"]
    skills_of[mentee.id] = demo_data.NAMED_PROFILES["mentee"]["skills_sought"]

    async def join(program: Any, slug: str, role: str, person: CurrentUser) -> Any:
        return await programs.enrol(program.id, role, person, answers=_answers(slug, role, skills_of[person.id], rng),
                                     invitation=token if program.id == research.id else None)

    slugs = {p.id: slug for p, (slug, *_rest) in zip(created, PROGRAMS, strict=True)}
    for program in created:
        slug = slugs[program.id]
        members = groups[program.id]
        half = len(members) // 2
        mentors = [await join(program, slug, "mentor", m) for m in members[:half]]
        mentees = [await join(program, slug, "mentee", m) for m in members[half:]]
        if program.id == early.id:
            mentors.insert(0, await join(program, slug, "mentor", mentor))
            mentees.insert(0, await join(program, slug, "mentee", mentee))
        coordinator_of = coordinator if program.id == early.id else admin
        if program.id == leadership.id:
            # Every mentor is approved; one mentee is declined with a reason, a few still wait.
            mentors = [await enrolments.approve_application(program.id, m.id, admin) for m in mentors]
            declined = mentees[-WAITING_APPLICATIONS - 1]
            await enrolments.decline_application(program.id, declined.id, "criteria", DECLINE_NOTE, admin)
            mentees = [await enrolments.approve_application(program.id, e.id, admin)
                       for e in mentees[: -WAITING_APPLICATIONS - 1]]
        # Some mentors take two or three people at once (the demo mentor two).
        for index, m in enumerate(mentors):
            if index == 0 or index % 4 == 1:
                await enrolments.update_enrolment(program.id, m.id, everyone[m.user_id],
                                                  capacity=2 if index % 8 in (0, 1) else 3)
        # The services stamp everything "now"; the sessions below are in the past.
        await _backdate_program(program.id, now - PROGRAMS_OPENED)
        if program.id == research.id:
            # Still enrolling: people wait to be matched; a few mentees said whom they hope for.
            for index, e in enumerate(mentees[:4]):
                wishes = [mentors[index].user_id, mentors[(index + 2) % len(mentors)].user_id]
                exclusions = [mentors[-1].user_id] if index == 0 else []  # their own supervisor
                await set_preferences(e.id, wishes, exclusions, everyone[e.user_id])
            continue
        pairs = list(zip(mentors, mentees, strict=False))[: len(mentees) - 2]  # a few still waiting
        made = []
        for index, (m, e) in enumerate(pairs):
            relationship = await relationships.pair(program.id, [m.id, e.id], coordinator_of,
                                                    reason="demo pairing")
            await _backdate_relationship(relationship.id, now - RELATIONSHIPS_BEGAN + dt.timedelta(days=index))
            made.append(relationship)
            mentee_user = everyone[e.user_id]
            for s in range(rng.randint(0, 5) if index else 3):
                held = now - dt.timedelta(days=7 * (s + 1) + rng.randint(0, 3), hours=rng.randint(0, 8))
                await relationships.log_session(relationship.id, SessionCreate(
                    held_at=held, duration_minutes=rng.choice([30, 45, 60, 90]), title=rng.choice(TOPICS),
                    shared_notes="We agreed on next steps.",
                    private_note="Felt encouraged." if s % 2 == 0 else "",
                ), mentee_user)
            await _journey_progress(relationship.id, index, everyone[m.user_id], mentee_user)
            if index % 7 == 3:
                await relationships.complete_relationship(relationship.id, coordinator_of, reason="goals reached")
            elif index % 7 == 5:
                await relationships.transition_relationship(relationship.id, "ended_early", coordinator_of,
                                                            reason="the mentee changed jobs", reason_code="left")
        if program.id == early.id:
            await _lifecycle_tour(program, mentors, mentees, made, everyone, coordinator, now)
            # The last mentor (not paired) has paused taking new mentees for now.
            await enrolments.update_enrolment(program.id, mentors[-1].id, everyone[mentors[-1].user_id], paused=True)
        await programs.change_program_state(program.id, "running", coordinator_of)

    # The research program is matched by a match run: the smart strategy where its plugin is
    # installed (the core never imports it); the demo coordinator coordinates it too.
    await programs.appoint_staff(research.id, COORDINATOR_EMAIL, "coordinator", admin)
    if SMART in runtime.strategies:
        await programs.update_program(research.id, ProgramUpdate(matching_strategy=SMART), admin)
    await _self_matching(admin, mentor, mentee, pool, skills_of, rng, runtime)
    count = len(created) + 1
    if "group" in runtime.formats:  # the group-mentoring plugin is installed: the core never imports it
        await _circles(admin, pool, skills_of, rng, now)
        count += 1
    slug, name, description = demo_data.DRAFT_PROGRAM
    draft = await _design(slug, name, description, admin, meeting_cadence="monthly", default_capacity=2)
    await programs.appoint_staff(draft.id, COORDINATOR_EMAIL, "coordinator", admin)
    count += 1
    return [f"Created {people} people, {count} programs and their relationships.", *lines]


async def _journey_progress(relationship_id: int, index: int, mentor: CurrentUser, mentee: CurrentUser) -> None:
    """Ten weeks in: most pairs have confirmed their agreement and had their kick-off, half
    have set goals (the others' goals milestone is overdue); the demo pair reworded their
    agreement, so version 2 waits for the mentee, and has goals of every visibility with
    progress, and a suggestion waiting for the mentee."""
    import msgspec

    from mentorkit.goals import services as goals
    from mentorkit.goals.schemas import GoalCreate, GoalSuggest, GoalUpdate, ProgressCreate
    from mentorkit.journeys import services as journeys
    from mentorkit.relationships import agreements

    today = dt.datetime.now(dt.UTC).date()
    what, metric, target = demo_data.SMART_GOALS[index % len(demo_data.SMART_GOALS)]
    shared = await goals.create_goal(relationship_id, GoalCreate(
        what=what, metric=metric, target=target, due_on=today + dt.timedelta(days=30 + 7 * (index % 8)),
        visibility="relationship" if index % 3 else "aggregate", milestone_key="goals_set"), mentee)
    await goals.log_progress(relationship_id, shared.id, ProgressCreate(value=max(1, target // 3),
                                                                        note="A good start."), mentee)
    if index % 4 == 1:
        await goals.update_goal(relationship_id, shared.id, GoalUpdate(status="on_track"), mentee)
    elif index % 4 == 2:
        await goals.update_goal(relationship_id, shared.id, GoalUpdate(status="at_risk"), mentee)
    if index == 0:
        private = await goals.create_goal(relationship_id, GoalCreate(
            what="Ask for the promotion conversation", metric="conversations held", target=1,
            why="I keep putting it off.", due_on=today + dt.timedelta(days=45)), mentee)
        assert private.visibility == "private"
        await goals.suggest_goal(relationship_id, GoalSuggest(
            what="Review a pull request of a senior colleague each week", metric="reviews a week", target=1,
            due_on=today + dt.timedelta(days=60), visibility="relationship"), mentor)

    if index % 5 != 4:
        await agreements.confirm_agreement(relationship_id, 1, mentee)
        await agreements.confirm_agreement(relationship_id, 1, mentor)
        journey = await journeys.get_journey(relationship_id, mentee)
        for task in journey.milestones[0].tasks if journey else []:
            await journeys.set_task(relationship_id, task.id, True, mentee)
        await journeys.complete_milestone(relationship_id, "kick_off", mentee)
    if index % 2 == 1:
        await journeys.complete_milestone(relationship_id, "goals_set", mentor)
    if index == 0:
        current = await agreements.get_agreement(relationship_id, mentor)
        if current.terms is not None:
            await agreements.update_agreement(relationship_id, msgspec.structs.replace(
                current.terms, meeting_frequency="Every two weeks on Thursdays, 45 minutes"), mentor)
            await agreements.confirm_agreement(relationship_id, 2, mentor)


async def _lifecycle_tour(program: Any, mentors: list[Any], mentees: list[Any], made: list[Any],
                          everyone: dict[int, CurrentUser], coordinator: CurrentUser, now: dt.datetime) -> None:
    """Relationships of the open program in every state of the lifecycle: a re-match after an
    early end, a pause, and (once the program asks both sides to accept) a match waiting for
    the demo mentor's answer with a question answered, a declined, a cancelled and a draft."""
    from mentorkit.programs import services as programs
    from mentorkit.relationships import lifecycle

    # The mentee of the relationship that ended early goes to the mentor whose relationship
    # was completed (free again).
    await lifecycle.rematch(made[5].id, coordinator, mentees[5].id, [mentors[3].id])
    paused = made[2]
    await lifecycle.pause_relationship(paused.id, everyone[mentees[2].user_id],
                                       (now + dt.timedelta(days=21)).date(), "exam season")
    await programs.update_program(program.id, ProgramUpdate(acceptance="two_sided", acceptance_days=10), coordinator)
    first_waiting, second_waiting = mentees[len(made)], mentees[len(made) + 1]
    waiting = await lifecycle.pair(program.id, [mentors[0].id, first_waiting.id], coordinator,
                                   reason="both want to work on public speaking")
    demo_mentor, newcomer = everyone[mentors[0].user_id], everyone[first_waiting.user_id]
    question = await lifecycle.ask_question(waiting.id, demo_mentor,
                                            "What would you most like to get out of our first three months?")
    await lifecycle.answer_question(waiting.id, question.id, newcomer,
                                    "Confidence presenting to leadership, and a plan for my next role.")
    await lifecycle.accept_relationship(waiting.id, newcomer)
    declined = await lifecycle.pair(program.id, [mentors[len(made)].id, second_waiting.id], coordinator)
    await lifecycle.decline_relationship(declined.id, everyone[mentors[len(made)].user_id], "no_time",
                                         "New project until spring.")
    cancelled = await lifecycle.pair(program.id, [mentors[1].id, second_waiting.id], coordinator)
    await lifecycle.cancel_relationship(cancelled.id, coordinator, "paired by mistake: wrong mentor")
    await lifecycle.pair(program.id, [mentors[1].id, second_waiting.id], coordinator, draft=True,
                         reason="a draft to discuss at Monday's meeting")


async def _self_matching(admin: CurrentUser, mentor: CurrentUser, mentee: CurrentUser, pool: list[CurrentUser],
                         skills_of: dict[int, list[str]], rng: random.Random, runtime: Any) -> None:
    """A mentee-led program, enrolling: the demo mentor and four others mentor, the demo mentee
    and five others look for a mentor; nobody is matched yet."""
    from mentorkit.programs import enrolments
    from mentorkit.programs import services as programs

    slug, name, description = demo_data.SELF_MATCHING_PROGRAM
    strategy = SMART if SMART in runtime.strategies else "manual"
    program = await _design(slug, name, description, admin, matching_mode="mentee", matching_strategy=strategy,
                            intake="rolling", acceptance="one_sided", acceptance_days=14, default_capacity=2,
                            meeting_cadence="monthly")
    await programs.appoint_staff(program.id, COORDINATOR_EMAIL, "coordinator", admin)
    await programs.change_program_state(program.id, "enrolling", admin)
    for person in (mentor, *pool[:4]):
        enrolment = await programs.enrol(program.id, "mentor", person,
                                         answers=_answers(slug, "mentor", skills_of[person.id], rng))
        if person is mentor:
            await enrolments.update_enrolment(program.id, enrolment.id, mentor, capacity=2)
    for person in (mentee, *pool[12:17]):
        await programs.enrol(program.id, "mentee", person, answers=_answers(slug, "mentee", skills_of[person.id], rng))


async def _circles(admin: CurrentUser, pool: list[CurrentUser], skills_of: dict[int, list[str]],
                   rng: random.Random, now: dt.datetime) -> None:
    """The group program: open, rolling intake, its mentee places full (one person waits)."""
    from mentorkit.programs import services as programs
    from mentorkit.relationships import services as relationships

    slug, name, description = demo_data.GROUP_PROGRAM
    program = await _design(slug, name, description, admin, format="group", intake="rolling",
                            role_limits={"mentee": demo_data.CIRCLE_MENTEE_LIMIT}, default_capacity=4,
                            meeting_cadence="monthly", starts_on=(now - PROGRAMS_OPENED).date())
    await programs.change_program_state(program.id, "enrolling", admin)
    # Mentors from the other programs' mentors, mentees from their mentees (a person may be in several).
    leads, members = pool[:3], pool[12:13 + demo_data.CIRCLE_MENTEE_LIMIT]
    mentors = [await programs.enrol(program.id, "mentor", p, answers=_answers(slug, "mentor", skills_of[p.id], rng))
               for p in leads]
    mentees = [await programs.enrol(program.id, "mentee", p, answers=_answers(slug, "mentee", skills_of[p.id], rng))
               for p in members]
    await _backdate_program(program.id, now - PROGRAMS_OPENED)
    active = [e for e in mentees if e.state == "active"]
    for index, lead in enumerate(mentors[:2]):
        circle = active[index * 4:(index + 1) * 4]
        relationship = await relationships.pair(program.id, [lead.id, *(e.id for e in circle)], admin,
                                                reason="demo circle")
        await _backdate_relationship(relationship.id, now - RELATIONSHIPS_BEGAN + dt.timedelta(days=index))
    await programs.change_program_state(program.id, "running", admin)
