"""The Mentorkit hook specifications: the whole public plugin contract.

Each docstring here is the reference text of its hook; ``docs/plugin-hooks.md`` is generated
from this module and a test fails when the two drift apart.

Rules every hook follows (learned from pluggy's anchors):

* ``register_*`` hooks receive a callback owned by the core. The core can add keyword arguments
  to the callback later without breaking any plugin.
* Hook implementations never give their arguments defaults (pluggy would silently never pass
  them); hooks evolve only by adding arguments, which implementations may ignore.
* Hooks are called synchronously. Where work is asynchronous, a hook returns an awaitable (the
  decision hooks, ``on_event``, the data-rights and lifecycle hooks; implement them with
  ``async def``) or registers an object whose async methods do the work.
* No plugin may rely on the order in which other plugins are called.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from litestar import Litestar, Request

    from mentorkit.events.model import Event

PROJECT = "mentorkit"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

# --------------------------------------------------------------------------- register


@hookspec
def register_settings(register: Callable[..., None]) -> None:
    """Declare this plugin's settings: call ``register(StructType)`` with a ``msgspec.Struct``.

    The Struct is filled from the ``[plugins.<name>]`` table of the settings file and from
    ``MENTORKIT_PLUGINS__<NAME>__<FIELD>`` environment variables, where ``<name>`` is the
    plugin's entry-point name. Every field needs a default. The loaded value is available as
    ``settings.plugin("<name>")``.
    """


@hookspec
def register_piccolo_apps(register: Callable[..., None]) -> None:
    """Contribute database tables: call ``register("package.piccolo_app")`` per Piccolo app.

    The module must define ``APP_CONFIG``. Its ``app_name`` must equal the plugin name, its
    table names must start with ``<app_name>_``, it must ship its migrations, and it must list
    ``mentorkit.db.piccolo_app`` in ``migration_dependencies`` if it references core tables.
    """


@hookspec
def register_routes(register: Callable[..., None]) -> None:
    """Contribute web routes: call ``register(handler_or_controller_or_router)``.

    By convention plugin pages live under ``/p/<name>/`` and plugin API routes under
    ``/api/v1/p/<name>/``. Every route must declare an access policy (see ``mentorkit.policy``).
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add ``click`` commands to the ``mentorkit`` command line: ``cli.add_command(...)``."""


@hookspec
def register_event_types(register: Callable[..., None]) -> None:
    """Declare event types: call ``register("type.name", "what it means")`` for each.

    Emitting an undeclared event type is an error, so every event in the stream is documented.
    """


@hookspec
def register_program_formats(register: Callable[..., None]) -> None:
    """Contribute mentoring formats: call ``register(ProgramFormat(...))``.

    A format names the roles a relationship holds (mentor and mentee for 1:1) and how many of
    each, and may carry its own rules (``validate_members``, ``allow_transition``,
    ``on_relationship_created``), called only for its own programs' relationships. See the
    contracts reference (docs/contracts.md).
    """


@hookspec
def register_matching_strategies(register: Callable[..., None]) -> None:
    """Contribute matching strategies: call ``register(MatchingStrategy(...))``.

    A strategy is pure: its ``propose(pool, settings, progress)`` receives a ``MatchPool`` and
    returns ``MatchProposal``s with scores and per-criterion explanations (or a
    ``MatchOutcome``), and its ``suggest(pool, person, k, settings)`` the best partners for one
    person; it never touches the database. The core runs ``propose`` as a match run with
    progress and stores what it returns (docs/contracts.md, docs/matching.md).
    """


@hookspec
def register_match_criteria(register: Callable[..., None]) -> None:
    """Contribute matching criteria: call ``register(MatchCriterion(...))``.

    A criterion compares seekers with offerers (mentees with mentors) and returns values from 0
    to 1 (NaN forbids a pair); scoring strategies such as the smart matching plugin weigh it
    with their own criteria and explain it in the criterion's sentence. See the contracts
    reference (docs/contracts.md).
    """


@hookspec
def register_notification_channels(register: Callable[..., None]) -> None:
    """Contribute notification channels: call ``register(NotificationChannel(...))``.

    A channel's async ``send(message)`` delivers one message (in-app, email, chat ...).
    """


@hookspec
def register_journey_templates(register: Callable[..., None]) -> None:
    """Contribute journey templates: call ``register(JourneyTemplate(...))``.

    A template is an ordered list of milestones (``MilestoneSpec``: due days after the start,
    tasks, suggested agendas, resources, survey keys). Register every version you ship under
    the same ``key``: new relationships get the highest version, and coordinators may move
    running journeys to it. A format names its template in ``ProgramFormat.journey``; a
    program may pick another. See the contracts reference (docs/contracts.md).
    """


# --------------------------------------------------------------------------- program


@hookspec
def validate_program(program: Any) -> Awaitable[list[str] | None] | list[str] | None:
    """Return problems with a program's configuration (empty or ``None`` if it is fine).

    Problems from every plugin are collected and shown together before the program is saved.
    ``program`` is a ``mentorkit.programs.schemas.Program``. May be ``async def``: the core
    awaits the answer, so the implementation can read the database.
    """


@hookspec
def program_transition(program: Any, old: str, new: str, actor: Any) -> Awaitable[str | None] | str | None:
    """Before a program changes state: return a reason to refuse, or ``None`` to allow.

    Any refusal blocks the change and its reason is shown to the person who asked for it (a
    form error on the page, a 409 problem in the API). May be ``async def``; it runs inside
    the change's transaction, so its reads see the program as it is being changed.
    """


# --------------------------------------------------------------------------- enrolment


@hookspec
def enrolment_questions(program: Any) -> Awaitable[list[Any] | None] | list[Any] | None:
    """Return enrolment questions this plugin asks in a program (``mentorkit.api.QuestionSpec``).

    The core keeps them with the coordinator's questions, marked as this plugin's, and syncs
    them (by ``key``) whenever the program's question list is read; coordinators see them as
    "from <plugin>" and cannot edit or remove them. A key a coordinator already uses is left
    to the coordinator (and logged). ``program`` is a ``mentorkit.programs.schemas.Program``.
    May be ``async def``.
    """


@hookspec
def enrolment_eligibility(program: Any, person: Any, role: str) -> Awaitable[str | None] | str | None:
    """Before someone enrols: return a reason to refuse them, or ``None`` to let them in.

    ``person`` is a ``mentorkit.api.Person``, ``role`` the format's role key they chose. The
    reason is shown on the join page and returned as a 409 problem by the API. May be
    ``async def``; it runs inside the enrolment's transaction.
    """


# --------------------------------------------------------------------------- relationship


@hookspec
def relationship_transition(
    relationship: Any, old: str, new: str, actor: Any
) -> Awaitable[str | None] | str | None:
    """Before a relationship changes state: return a reason to refuse, or ``None`` to allow.

    Called for every format (a new relationship goes from ``"proposed"`` to ``"pending"`` or
    ``"active"``, a draft when it is published: see ``mentorkit.api.RELATIONSHIP_TRANSITIONS``);
    rules of one format belong in its ``ProgramFormat.allow_transition`` instead, which is
    called only for that format's relationships. Any refusal blocks the change and its reason
    is shown (a form error or flash message on the page, a 409 problem in the API). May be
    ``async def``; it runs inside the change's transaction. To react after a change,
    implement ``on_event`` and watch for ``relationship.*`` events instead.
    """


# --------------------------------------------------------------------------- journey


@hookspec
def journey_for_relationship(relationship: Any, template: Any) -> Any:
    """Compose the journey a new relationship gets: return a ``JourneyTemplate`` to use
    instead of ``template`` (the program's, at its newest version), or ``None`` to keep it.

    Called when a relationship starts (becomes active for the first time). The first plugin
    that answers wins, so answer only for relationships you own (your format's). Synchronous:
    read what you need beforehand, or compose from ``template`` and ``relationship``
    (a ``mentorkit.api.Relationship``). The answer's milestones are copied into the
    relationship's own journey, so later changes to templates never alter it.
    """


@hookspec
def milestone_completion(relationship: Any, milestone: Any, actor: Any) -> Awaitable[str | None] | str | None:
    """Before a milestone of a relationship's journey is marked complete: return a reason to
    refuse, or ``None`` to allow.

    ``milestone`` is a ``mentorkit.api.Milestone`` (its ``key``, ``title``, ``tasks`` ...),
    ``relationship`` a ``mentorkit.api.Relationship``. Any refusal blocks the completion and
    its reason is shown (a form error on the page, a 409 problem in the API). May be
    ``async def``; it runs inside the completion's transaction. To react after a milestone is
    completed, watch ``journey.milestone_completed`` in ``on_event``.
    """


# --------------------------------------------------------------------------- events


@hookspec
def on_event(event: Event) -> Awaitable[None] | None:
    """Receive every domain event, after the transaction that caused it has committed.

    Called by the worker, never inside a request, at least once per event and in order per
    subject. Raise to have the delivery retried with exponential backoff; after the last
    attempt it is dead-lettered and shown to admins. ``event.key`` is stable across retries:
    record it to make the handler idempotent. May return an awaitable. The database is open:
    ``async with mentorkit.runtime.running() as runtime`` gives the settings and the rest of
    the runtime (see "Runtime outside a request" in docs/plugins.md).
    """


# --------------------------------------------------------------------------- web


@hookspec
def extra_nav_items(request: Request[Any, Any, Any]) -> list[dict[str, str]] | None:
    """Return navigation entries for the current page: ``[{"label": ..., "href": ...}]``.

    ``mentorkit.policy.current_user(request)`` is the signed-in person (a ``CurrentUser``) or
    None, for entries only signed-in people should see.
    """


@hookspec
def extra_template_vars(request: Request[Any, Any, Any], template: str) -> dict[str, Any] | None:
    """Return extra variables for rendering ``template`` (additive; never replaces core's).

    Every page rendered with ``mentorkit.web.render_page`` gets them, but core templates never
    read them: they are for your own templates and for templates you or a site override (a
    ``base.html`` that shows a footer link, say). To add something to a core page, return a
    panel from ``page_panels``.
    """


# --------------------------------------------------------------------------- data rights


@hookspec
def export_user_data(user_id: int) -> Awaitable[dict[str, Any]] | dict[str, Any] | None:
    """Return everything this plugin stores about the user, as JSON-ready data.

    Every plugin that keeps personal data must implement this and ``erase_user_data``, and
    name its personal tables in a module (or object) attribute ``PERSONAL_DATA_TABLES``; a test
    fails for any table with personal data that no plugin covers (docs/data-rights.md).
    """


@hookspec
def erase_user_data(user_id: int) -> Awaitable[None] | None:
    """Erase or pseudonymise everything this plugin stores about the user.

    Must be re-runnable (an erasure interrupted half-way is run again). Plugins are called in
    no set order, and the core may already have pseudonymised the account: do not rely on
    reading the person's e-mail address or name here, use ``user_id``.
    """


# --------------------------------------------------------------------------- lifecycle


@hookspec
def startup(app: Litestar) -> Awaitable[None] | None:
    """Called once when the web application starts, after the database is open."""


@hookspec
def shutdown(app: Litestar) -> Awaitable[None] | None:
    """Called once when the web application stops, before the database is closed."""


# --------------------------------------------------------------------------- page slots


@hookspec
def page_panels(request: Request[Any, Any, Any], slot: str, subject: Any) -> Awaitable[list[Any]] | list[Any] | None:
    """Return panels (``mentorkit.web.Panel``) to show in a named region of a core page.

    ``slot`` is one of ``home`` (the signed-in start page; ``subject`` is ``None``),
    ``program.participant`` (a program's overview, for everybody who may read the program),
    ``program.staff`` (the same overview, for its coordinators, observers and site admins),
    ``relationship`` (a relationship's page; ``subject`` is the relationship, as
    ``relationship_transition`` receives it), ``account`` and ``admin`` (``subject`` is
    ``None``). For both program slots ``subject`` is the program. Every slot is shown to a
    signed-in person only (``request.user``); check yourself that they may see what you show.

    A ``Panel`` names a template of your plugin and its context; the core renders it through
    the same autoescaping environment as its own pages, so values are escaped unless marked
    safe. Return ``None`` or ``[]`` to add nothing; may return an awaitable. A panel that
    raises (here or while rendering) is logged and left out, and the page is shown without it.
    """
