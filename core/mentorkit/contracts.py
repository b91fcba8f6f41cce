"""Objects plugins register through ``register_*`` hooks, and what the core hands them.

The registered objects (formats, strategies, channels) are plain frozen dataclasses holding
callables, so a plugin builds one with keyword arguments and the core can add optional fields
later without breaking anybody. What the core passes to those callables (a matching pool, a
pairing's context, a message) is defined here too.

Every class and field carries a docstring: ``docs/contracts.md`` is generated from this module
(``python -m mentorkit.contractdocs``) and a test fails when the two drift apart.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, Union

import msgspec

if TYPE_CHECKING:
    from mentorkit.programs.schemas import Program
    from mentorkit.programs.services import Actor
    from mentorkit.relationships.schemas import Member, Relationship

T = TypeVar("T")
# A callback may be a plain function or an ``async def``; the core awaits what it returns.
MaybeAwaitable: TypeAlias = Union[T, Awaitable[T]]  # noqa: UP007 - a generic alias needs Union on 3.11


async def resolve(value: Any) -> Any:
    """``value``, awaited first when it is awaitable (a sync or an async callback's result)."""
    return await value if inspect.isawaitable(value) else value


# --------------------------------------------------------------------------- settings


class EmptySettings(msgspec.Struct, forbid_unknown_fields=True):
    """Settings of an object that has none (the default ``settings`` of every contract)."""


# --------------------------------------------------------------------------- formats


@dataclass(frozen=True)
class RoleSlot:
    """A role in a relationship of some format, and how many members may hold it.

    ``label`` and ``plural`` are what pages show for the role ("Co-supervisor",
    "Co-supervisors"); ``plural`` left empty is ``label`` + "s".

    ```python
    RoleSlot("mentee", "Mentee", min_members=2, max_members=8, takes_capacity=False)
    ```
    """

    role: str
    """The role's key, stored on enrolments and relationship members (``"mentor"``)."""
    label: str
    """What pages call someone in this role (``"Junior mentor"``)."""
    min_members: int = 1
    """The fewest members with this role a relationship may have."""
    max_members: int = 1
    """The most members with this role a relationship may have."""
    plural: str = ""
    """What pages call several people in this role; left empty, ``label`` + "s"."""
    takes_capacity: bool = True
    """Whether people in this role say how many relationships they take at once and may
    pause taking new ones (mentors do; a mentee usually has one mentor: ``False``)."""

    def __post_init__(self) -> None:
        if not self.plural:
            object.__setattr__(self, "plural", self.label + "s")


@dataclass(frozen=True)
class PairingContext:
    """What a format's ``validate_members`` gets besides the members: the pairing at hand.

    The callback runs inside the pairing's transaction, so reads through the core's services
    (or the plugin's own tables) see the database as the pairing will change it.
    """

    program: Program
    """The program being paired in (``mentorkit.api.Program``)."""
    relationship: Relationship
    """The proposed relationship (``mentorkit.api.Relationship``, ``id`` 0,
    state ``"proposed"``)."""
    actor: Actor
    """Who asks for the pairing: the signed-in ``CurrentUser`` (``id``, ``display_name``,
    ``is_admin``), which the callback may pass on to the core's services."""


@dataclass(frozen=True)
class ProgramFormat:
    """A mentoring format: which roles a relationship has (1:1, group, peer, reverse ...) and,
    optionally, its own rules.

    The callbacks are called only for programs and relationships of this format, and each may
    be a plain function or an ``async def``. Register one with ``register_program_formats``:

    ```python
    from mentorkit import api

    async def two_students_at_most(members, context):
        supervisor = next(m for m in members if m.role == "supervisor")
        current = await api.program_relationships(context.program.id, context.actor, limit=api.MAX_LIMIT)
        taken = sum(1 for r in current.items for m in r.members if m.user_id == supervisor.user_id)
        return [f"{supervisor.display_name} already supervises two students"] if taken >= 2 else None

    TRIAD = ProgramFormat(
        key="triad", label="Thesis supervision",
        roles=(RoleSlot("supervisor", "supervisor"), RoleSlot("co_supervisor", "co-supervisor"),
               RoleSlot("student", "doctoral student")),
        validate_members=two_students_at_most,
    )
    ```
    """

    key: str
    """Unique key, stored on programs and relationships (``"one_to_one"``)."""
    label: str
    """The format's name on pages (``"1:1 mentoring"``)."""
    roles: Sequence[RoleSlot]
    """The roles a relationship of this format has, in the order pages list them."""
    description: str = ""
    """One or two sentences for coordinators choosing a format."""
    seniority_direction: str = "senior_mentors"
    """Which way matching reads seniority: ``"senior_mentors"`` (classic: the mentor is more
    senior) or ``"junior_mentors"`` (reverse mentoring)."""
    settings: type[msgspec.Struct] = EmptySettings
    """A ``msgspec.Struct`` of this format's options (every field with a default)."""
    validate_members: Callable[[Sequence[Member], PairingContext], MaybeAwaitable[Sequence[str] | None]] | None = None
    """``validate_members(members, context)``: problems with a proposed relationship (empty or
    ``None`` when it may be created). ``members`` are ``mentorkit.api.Member``
    read models (``user_id``, ``display_name``, ``role``), already checked against ``roles``;
    ``context`` is a ``PairingContext``. Problems are shown as a form error and answered as a
    400 problem."""
    allow_transition: Callable[[Relationship, str, str, Actor], MaybeAwaitable[str | None]] | None = None
    """``allow_transition(relationship, from_state, to_state, actor)``: a reason to refuse a
    relationship's change of state, or ``None`` to allow it. ``relationship`` is a
    ``mentorkit.api.Relationship``. A new relationship goes from ``"proposed"`` to
    ``"pending"`` (when the program asks members to accept) or ``"active"``; see
    ``mentorkit.api.RELATIONSHIP_TRANSITIONS`` for every change. A refusal is shown on the page and answered as a 409
    problem, like a refusal from the ``relationship_transition`` hook."""
    eligibility: Callable[[Program, Any, str], MaybeAwaitable[str | None]] | None = None
    """``eligibility(program, person, role)``: a reason ``person`` (a ``mentorkit.api.Person``)
    may not join a program of this format with ``role``, or ``None``. Asked before the
    ``enrolment_eligibility`` hook; the reason is shown on the join page and answered as a 409
    problem."""
    on_relationship_created: Callable[[Relationship, Actor], MaybeAwaitable[None]] | None = None
    """``on_relationship_created(relationship, actor)``: called with the new relationship inside
    the transaction that creates it, so what it writes commits or rolls back with the pairing;
    raising undoes the pairing. For work after the commit, watch ``relationship.created`` in
    ``on_event``."""
    agreement: AgreementTerms | None = None
    """The mentoring agreement's starting text for this format's programs (``None``: the
    core's); a coordinator may change it per program."""
    journey: str = ""
    """The key of the journey template this format's programs use unless a coordinator picks
    another (``""``: the core's 1:1 journey)."""
    on_relationship_transition: Callable[[Relationship, str, str, Actor], MaybeAwaitable[None]] | None = None
    """``on_relationship_transition(relationship, from_state, to_state, actor)``: called after a
    relationship of this format changed state (``relationship`` already in ``to_state``), inside
    the transaction of the change, so a format can extend it (write its own rows, start its own
    steps); raising undoes the change. For work after the commit, watch
    ``relationship.state_changed`` in ``on_event``."""

    def role_keys(self) -> list[str]:
        """The role names members of this format can enrol with."""
        return [slot.role for slot in self.roles]

    def role_problems(self, roles_by_member: Sequence[str]) -> list[str]:
        """Problems with a proposed relationship whose members hold these roles."""
        problems = []
        for slot in self.roles:
            count = sum(1 for role in roles_by_member if role == slot.role)
            if not slot.min_members <= count <= slot.max_members:
                wanted = (
                    str(slot.min_members) if slot.min_members == slot.max_members
                    else f"{slot.min_members} to {slot.max_members}"
                )
                problems.append(f"a {self.label} relationship needs {wanted} {slot.label}(s), got {count}")
        unknown = sorted(set(roles_by_member) - set(self.role_keys()))
        if unknown:
            problems.append(f"roles not in the {self.label} format: {', '.join(unknown)}")
        return problems

    async def member_problems(self, members: Sequence[Any], context: PairingContext) -> list[str]:
        """The role check, then this format's ``validate_members`` (called by the core)."""
        if problems := self.role_problems([member.role for member in members]):
            return problems
        if self.validate_members is None:
            return []
        return list(await resolve(self.validate_members(members, context)) or [])

    async def transition_refusal(self, relationship: Any, from_state: str, to_state: str, actor: Any) -> str | None:
        """This format's reason to refuse a change of state, if any (called by the core)."""
        if self.allow_transition is None:
            return None
        return await resolve(self.allow_transition(relationship, from_state, to_state, actor)) or None

    async def eligibility_refusal(self, program: Any, person: Any, role: str) -> str | None:
        """This format's reason to refuse someone joining with ``role``, if any (called by the core)."""
        if self.eligibility is None:
            return None
        return await resolve(self.eligibility(program, person, role)) or None

    async def relationship_created(self, relationship: Any, actor: Any) -> None:
        """Tell this format about a new relationship (called by the core)."""
        if self.on_relationship_created is not None:
            await resolve(self.on_relationship_created(relationship, actor))

    async def relationship_transitioned(self, relationship: Any, from_state: str, to_state: str,
                                        actor: Any) -> None:
        """Tell this format about a change of state (called by the core)."""
        if self.on_relationship_transition is not None:
            await resolve(self.on_relationship_transition(relationship, from_state, to_state, actor))


# --------------------------------------------------------------------------- agreements and journeys


class AgreementSection(msgspec.Struct, frozen=True, kw_only=True):
    """A section of a mentoring agreement beyond the standard terms (a title and its text)."""

    title: str
    """The section's heading (``"Power and candour"``)."""
    text: str = ""
    """What the members agree to under it."""


class AgreementTerms(msgspec.Struct, frozen=True, kw_only=True):
    """What a mentoring agreement says. A program's template holds the starting text; each
    relationship's agreement is a versioned copy its members edit and confirm. A format ships
    its own template as ``ProgramFormat.agreement`` (reverse mentoring addresses power
    dynamics there)."""

    meeting_frequency: str = "Every two weeks, for about an hour"
    """How often and how long the members meet."""
    channel: str = "Video call, or in person when we can"
    """Where and how they meet and keep in touch."""
    confidentiality: str = (
        "What we discuss stays between us, unless someone's safety or the law requires otherwise.")
    """What stays between the members."""
    expectations: str = (
        "We come prepared, keep our appointments or cancel a day ahead, and give each other honest feedback.")
    """What each member may expect of the other."""
    ends_on: dt.date | None = None
    """The day the relationship is meant to end (``None``: the program's end, if any)."""
    sections: list[AgreementSection] = msgspec.field(default_factory=list)
    """Further sections, in the order they are shown."""


@dataclass(frozen=True)
class MilestoneSpec:
    """One milestone of a journey template: a step the members reach, due some days after the
    relationship starts."""

    key: str
    """Unique within its template, stable across versions (``"kick_off"``): completed
    milestones are matched by key when a journey moves to a new version."""
    title: str
    """The milestone's name on pages (``"Kick-off and agreement"``)."""
    due_days: int
    """Days after the relationship starts when it is due."""
    description: str = ""
    """A sentence on what reaching it means."""
    tasks: Sequence[str] = ()
    """Checklist items the members tick on the way."""
    agenda: Sequence[str] = ()
    """Suggested agenda items for the session that reaches it."""
    resources: Sequence[tuple[str, str]] = ()
    """``(title, url)`` pairs of reading or tools attached to it."""
    surveys: Sequence[str] = ()
    """Keys of survey templates to send when it is reached (the survey feature fills these in)."""


@dataclass(frozen=True)
class JourneyTemplate:
    """A journey: the ordered milestones a relationship goes through. Register one with
    ``register_journey_templates``; a new ``version`` of the same ``key`` applies to new
    relationships, and coordinators may move running ones to it (completed milestones are
    kept, matched by key).

    ```python
    THESIS = JourneyTemplate(key="thesis", version=1, label="Thesis supervision", milestones=(
        MilestoneSpec("proposal", "Research proposal agreed", due_days=60, tasks=("Draft", "Review")),
        MilestoneSpec("defence", "Defence", due_days=1000),
    ))
    ```
    """

    key: str
    """Unique key shared by all versions (``"one_to_one"``)."""
    version: int
    """1, 2, ...: the highest registered version is the one new relationships get."""
    label: str
    """The journey's name on pages."""
    milestones: Sequence[MilestoneSpec]
    """In the order the members meet them."""
    description: str = ""
    """One or two sentences for coordinators choosing a journey."""

    def milestone(self, key: str) -> MilestoneSpec | None:
        """The milestone with this key, if the template has one."""
        return next((m for m in self.milestones if m.key == key), None)


# --------------------------------------------------------------------------- matching


class PoolProgram(msgspec.Struct, frozen=True, kw_only=True):
    """The program a matching pool is drawn from (provisional)."""

    id: int
    """The program's id."""
    slug: str
    """The program's slug (its address)."""
    name: str
    """The program's name."""
    format: str
    """The key of the program's ``ProgramFormat``."""
    roles: list[PoolRole] = msgspec.field(default_factory=list)
    """The format's roles in its order (1:1: mentor, then mentee)."""
    seniority_direction: str = "senior_mentors"
    """Which way the format reads seniority: ``"senior_mentors"`` or ``"junior_mentors"``."""
    matching_mode: str = "coordinator"
    """Who makes the matches: ``"coordinator"``, ``"automatic"``, ``"mentee"`` or ``"mentor"``
    (self-matching: that role picks from suggestions)."""
    default_capacity: int = 1
    """How many relationships a capacity-taking member holds unless their enrolment says
    otherwise."""


class PoolRole(msgspec.Struct, frozen=True, kw_only=True):
    """A role of the program's format, as a strategy needs it."""

    role: str
    """The role's key (``"mentor"``)."""
    label: str
    """What pages call it (``"Mentor"``)."""
    takes_capacity: bool = True
    """Whether people in this role hold several relationships up to their capacity (mentors)."""
    max_members: int = 1
    """The most members with this role one relationship has."""


class PoolEnrolment(msgspec.Struct, frozen=True, kw_only=True):
    """An active enrolment a strategy may pair (provisional)."""

    id: int
    """The enrolment's id: what ``MatchProposal.members`` lists."""
    user_id: int
    """The enrolled person's account id."""
    display_name: str
    """The enrolled person's name."""
    role: str
    """The role they enrolled with (a ``RoleSlot.role`` of the program's format)."""
    capacity: int | None = None
    """How many relationships they take at once in this role: their own setting, else the
    program's default capacity."""
    paused: bool = False
    """True while they take no new matches (existing relationships go on)."""
    skills_offered: list[str] = msgspec.field(default_factory=list)
    """Their profile's skills offered, as canonical tag keys (synonyms already resolved, so
    "ML" and "machine learning" are the same key)."""
    skills_sought: list[str] = msgspec.field(default_factory=list)
    """Their profile's skills sought, as canonical tag keys."""
    answers: dict[str, Any] = msgspec.field(default_factory=dict)
    """Their answers by question key, as stored (``tags`` answers as canonical tag keys)."""
    wishes: list[int] = msgspec.field(default_factory=list)
    """Account ids of people they would like to be matched with."""
    avoid: list[int] = msgspec.field(default_factory=list)
    """Account ids of people they must not be matched with ("not with")."""
    open_relationships: int = 0
    """How many open relationships (draft, waiting for acceptance, active, paused) they hold in
    this program."""
    time_zone: str = "UTC"
    """Their IANA time zone (``"Europe/Madrid"``)."""
    languages: list[str] = msgspec.field(default_factory=list)
    """The languages they speak, as BCP 47 tags (``"es"``)."""
    seniority: str = ""
    """Their seniority key (``student``, ``junior``, ``mid``, ``senior``, ``lead``,
    ``executive``), or empty."""
    years_experience: int | None = None
    """Their years of experience, if they said."""
    department: str = ""
    """Their department or unit, as they wrote it."""
    availability: list[dict[str, Any]] = msgspec.field(default_factory=list)
    """Their weekly availability in their own time zone: ``{"day": 0, "start": "09:00",
    "end": "11:30"}`` with day 0 Monday."""
    headline: str = ""
    """Their profile's one-line headline."""
    bio: str = ""
    """Their profile's longer introduction (free text a strategy may compare)."""

    @property
    def remaining(self) -> int:
        """How many more relationships they may take now: 0 while paused, else their capacity
        (1 when unset) minus their open relationships."""
        return 0 if self.paused else max((self.capacity or 1) - self.open_relationships, 0)


class PoolQuestion(msgspec.Struct, frozen=True, kw_only=True):
    """An enrolment question of the program, so a strategy can read the answers (provisional)."""

    key: str
    """The question's key: what ``PoolEnrolment.answers`` is keyed by."""
    label: str
    """The question as people read it."""
    kind: str
    """``short_text``, ``long_text``, ``single_choice``, ``multiple_choice``, ``scale`` or ``tags``."""
    matching_criterion: bool = False
    """True when the coordinator marked it as a matching criterion."""
    choices: list[str] = msgspec.field(default_factory=list)
    """The choices of a choice question."""


class PoolMember(msgspec.Struct, frozen=True, kw_only=True):
    """A member of an existing relationship in the pool (provisional)."""

    enrolment_id: int
    """The member's enrolment."""
    user_id: int
    """The member's account id."""
    role: str
    """The member's role in the relationship."""


class PoolRelationship(msgspec.Struct, frozen=True, kw_only=True):
    """An existing relationship of the program, so a strategy can respect capacities (provisional)."""

    id: int
    """The relationship's id."""
    state: str
    """Its state: ``"proposed"`` (a draft), ``"pending"`` (waiting for acceptance),
    ``"active"``, ``"paused"``, ``"completed"``, ``"ended_early"``, ``"declined"`` or
    ``"cancelled"``."""
    members: list[PoolMember]
    """Who is in it, with which role."""


class MatchPool(msgspec.Struct, frozen=True, kw_only=True):
    """What ``MatchingStrategy.propose`` receives first: the program and who may be matched.

    The core reads it with ``mentorkit.relationships.pool.match_pool(program_id, actor)`` (in a
    fixed number of queries, whatever the program's size): enrolments with their capacity,
    pause, skills (canonical tags), answers and preferences. Provisional: the matching issue
    adds more of the profile (languages, time zones, availability) as new fields with
    defaults, so strategies keep working.
    """

    program: PoolProgram
    """The program being matched."""
    enrolments: list[PoolEnrolment]
    """Every active enrolment of the program, oldest first."""
    relationships: list[PoolRelationship] = msgspec.field(default_factory=list)
    """The program's existing relationships, oldest first."""
    questions: list[PoolQuestion] = msgspec.field(default_factory=list)
    """The program's enrolment questions, in the order people answer them."""
    tag_labels: dict[str, str] = msgspec.field(default_factory=dict)
    """The label of every tag key in the pool's skills and tag answers (``{"ml":
    "Machine learning"}``), so explanations show what people read."""
    pinned: list[dict[str, list[int]]] = msgspec.field(default_factory=list)
    """Pairs a coordinator pinned for this run (enrolment ids by role, like
    ``MatchProposal.members``): a strategy keeps them and matches the rest around them."""

    def in_role(self, role: str) -> list[PoolEnrolment]:
        """The enrolments with this role, oldest first."""
        return [e for e in self.enrolments if e.role == role]

    def earlier_partners(self) -> set[tuple[int, int]]:
        """Pairs of account ids who have been (or are) in a relationship of this program
        together, declined and cancelled matches included, both orders."""
        pairs: set[tuple[int, int]] = set()
        for relationship in self.relationships:
            users = [m.user_id for m in relationship.members]
            pairs.update((a, b) for a in users for b in users if a != b)
        return pairs


class CriterionScore(msgspec.Struct, frozen=True, kw_only=True):
    """How one criterion counted towards a proposal's score, in numbers and in words.

    ```python
    CriterionScore(key="skills", label="Shared skills", weight=0.4, value=0.75,
                   contribution=0.3, sentence="They share 3 of the 4 skills Mia wants to learn.")
    ```
    """

    key: str
    """A stable identifier of the criterion (``"skills"``)."""
    label: str
    """The criterion's name for people (``"Shared skills"``)."""
    weight: float
    """How much the criterion counts (from the strategy's settings)."""
    value: float
    """The raw measure for this pair, usually from 0 to 1."""
    contribution: float
    """What it adds to the score (usually ``weight * value``)."""
    sentence: str
    """One sentence a coordinator reads to understand the criterion's part."""


@dataclass(frozen=True)
class MatchProposal:
    """One proposed relationship: enrolment ids per role, a score and why."""

    members: dict[str, list[int]]
    """Enrolment ids by role key (``{"mentor": [12], "mentee": [31]}``)."""
    score: float = 0.0
    """How good the pair is, higher is better (usually from 0 to 1)."""
    explanation: Sequence[CriterionScore] = ()
    """Each criterion's part of the score, in the order a coordinator should read them."""


MatchProgress: TypeAlias = Callable[[int, int, str], None]
"""``progress(done, total, stage)``: how far a strategy is (``stage`` in words, "scoring
pairs"). The core shows it as a bar; when the coordinator cancels the run, the call raises
``MatchRunCancelled``, so a strategy that calls it now and then stops where it is (from a
worker thread too)."""


class MatchRunCancelled(Exception):
    """Raised by ``MatchProgress`` once the run has been cancelled; let it propagate."""


@dataclass(frozen=True)
class MatchOutcome:
    """What ``MatchingStrategy.propose`` may return instead of a plain list: the proposals, why
    the others stay unmatched, and notes for the run page.

    ```python
    return MatchOutcome(proposals=pairs, unmatched={17: "every mentor is in another department"},
                        notes=["Proven optimal: no other assignment scores higher."],
                        proven_optimal=True)
    ```
    """

    proposals: Sequence[MatchProposal]
    """The proposed relationships, best first."""
    unmatched: dict[int, str] = field(default_factory=dict)
    """Enrolment id -> why they got no proposal, in words for coordinators. The core says
    "no proposal" for anyone left out and not listed."""
    notes: Sequence[str] = ()
    """Sentences shown on the run page (the objective used, what was relaxed ...)."""
    proven_optimal: bool | None = None
    """True when the strategy proved no other assignment scores higher; None when it does not
    say."""


@dataclass(frozen=True)
class MatchCriterion:
    """A way of comparing two enrolments that scoring strategies add to their own criteria.
    Register one with ``register_match_criteria``:

    ```python
    def same_city(pool, seekers, offerers):
        return [[1.0 if a.answers.get("city") == b.answers.get("city") else 0.0 for b in offerers]
                for a in seekers]

    CITY = MatchCriterion(key="city", label="Same city", score=same_city,
                          sentence=lambda a, b, v: "Both live in the same city." if v else "")
    ```
    """

    key: str
    """Unique key; the strategy's weights name it (``criterion_weights = {"city": 0.5}``)."""
    label: str
    """The criterion's name for coordinators (``"Same city"``)."""
    score: Callable[[MatchPool, Sequence[PoolEnrolment], Sequence[PoolEnrolment]], Any]
    """``score(pool, seekers, offerers)``: a len(seekers) x len(offerers) array (numpy or nested
    lists) of values from 0 to 1. NaN forbids the pair (a "must" rule), never a large negative
    number. Seekers are the role that does not take capacity (mentees), offerers the one that
    does (mentors)."""
    sentence: Callable[[PoolEnrolment, PoolEnrolment, float], str]
    """``sentence(seeker, offerer, value)``: one sentence for the pair, or "" to say nothing."""
    weight: float = 1.0
    """Its weight when the program's settings do not name it."""
    description: str = ""
    """What it measures, for the strategy's settings page and docs."""


@dataclass(frozen=True)
class MatchingStrategy:
    """A way of proposing matches. Register one with ``register_matching_strategies``:

    ```python
    async def propose(pool: MatchPool, settings: SkillsSettings, progress: MatchProgress):
        mentors = pool.in_role("mentor")
        for done, mentee in enumerate(pool.in_role("mentee")):
            progress(done, len(pool.enrolments), "scoring pairs")
            ...
        return MatchOutcome(proposals=proposals, unmatched=reasons)

    async def suggest(pool: MatchPool, person: PoolEnrolment, k: int, settings: SkillsSettings):
        ...  # the k best partners for ``person``, best first

    SKILLS = MatchingStrategy(key="skills", label="Skills overlap", propose=propose,
                              suggest=suggest, settings=SkillsSettings)
    ```

    Heavy work belongs in ``await asyncio.to_thread(...)`` so the web process stays
    responsive; ``progress`` may be called from that thread.
    """

    key: str
    """Unique key, stored on programs (``"manual"``)."""
    label: str
    """The strategy's name on pages (``"Coordinator picks"``)."""
    description: str = ""
    """One or two sentences for coordinators choosing a strategy."""
    manual: bool = False
    """True when a coordinator chooses the pairs by hand (the strategy proposes nothing itself)."""
    propose: Callable[[MatchPool, Any, MatchProgress], Awaitable[Sequence[MatchProposal] | MatchOutcome]] | None = None
    """``async propose(pool, settings, progress)``: proposals for the whole ``MatchPool``, best
    first, as a list or a ``MatchOutcome``. ``settings`` is an instance of this strategy's
    ``settings`` Struct; ``progress`` reports how far it is (and raises ``MatchRunCancelled``
    once the run is cancelled). Pure: it never touches the database (the core reads the pool
    and stores the results). A match run calls it."""
    suggest: Callable[[MatchPool, PoolEnrolment, int, Any], Awaitable[Sequence[MatchProposal]]] | None = None
    """``async suggest(pool, person, k, settings)``: up to ``k`` proposals pairing ``person``
    with someone of another role, best first, for self-matching. The pool holds ``person`` and
    only the people they may ask: the core has already left out people who are paused or full
    (pending requests count), either one's "not with" list and earlier partners. Each
    proposal's explanation sentences are what the person reads; a sentence whose criterion key
    names a profile field the partner hides from them (``skills``, ``languages``, ...) is
    dropped. Without ``suggest`` the core suggests by shared skills."""
    explains_to_participants: Callable[[Any], bool] | None = None
    """``explains_to_participants(settings)``: whether a program with these settings shows the
    members of a relationship made from a match run why they were matched (the explanation's
    sentences, without those about fields a member hides). None: never."""
    explain: Callable[[MatchPool, dict[str, list[int]], Any], Awaitable[MatchProposal | None]] | None = None
    """``async explain(pool, members, settings)``: the score and explanation of one given
    relationship (enrolment ids by role), or None when a rule forbids it. A match run calls it
    after a coordinator swaps partners between two proposals."""
    settings: type[msgspec.Struct] = EmptySettings
    """A ``msgspec.Struct`` of the strategy's options (weights, thresholds ...)."""


# --------------------------------------------------------------------------- notifications


@dataclass(frozen=True)
class Message:
    """A notification for one person, rendered and ready for a channel."""

    recipient_id: int
    """The recipient's account id."""
    recipient_email: str
    """The recipient's e-mail address."""
    subject: str
    """A one-line summary (the e-mail subject)."""
    body: str
    """The plain-text message."""
    key: str
    """Stable across retries: a channel records it to deliver each message once."""
    link: str | None = None
    """An absolute URL to the page the message is about, if any."""


@dataclass(frozen=True)
class NotificationChannel:
    """A way of reaching people. Register one with ``register_notification_channels``:

    ```python
    async def send(message: Message) -> None:
        await chat.post(message.recipient_email, f"{message.subject}\\n{message.link}")

    CHAT = NotificationChannel(key="chat", label="Team chat", send=send)
    ```
    """

    key: str
    """Unique key (``"in_app"``)."""
    label: str
    """The channel's name on pages (``"In-app and log"``)."""
    send: Callable[[Message], Awaitable[None]]
    """``async send(message)``: deliver one ``Message``; raise to have it retried."""
    settings: type[msgspec.Struct] = EmptySettings
    """A ``msgspec.Struct`` of the channel's options (server, credentials ...)."""
