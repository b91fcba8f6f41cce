"""Data rights as a built-in plugin: the core tables' export and erasure, the CLI, the download.

``PERSONAL_DATA_TABLES`` names the core tables it handles; plugins with personal data declare
theirs the same way and implement both hooks (see ``docs/data-rights.md``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from mentorkit.hookspecs import hookimpl

if TYPE_CHECKING:
    import click

# Every core table that holds personal data (mentorkit.privacy.core_data handles each).
PERSONAL_DATA_TABLES: tuple[str, ...] = (
    "mentorkit_user",
    "mentorkit_web_session",
    "mentorkit_api_token",
    "mentorkit_one_time_token",
    "mentorkit_rate_limit",
    "mentorkit_notification",
    "mentorkit_event",
    "mentorkit_timer",
    "mentorkit_program",
    "mentorkit_program_staff",
    "mentorkit_enrolment",
    "mentorkit_enrolment_answer",
    "mentorkit_enrolment_preference",
    "mentorkit_program_invitation",
    "mentorkit_profile",
    "mentorkit_profile_tag",
    "mentorkit_relationship",
    "mentorkit_relationship_member",
    "mentorkit_relationship_transition",
    "mentorkit_relationship_inquiry",
    "mentorkit_agreement",
    "mentorkit_agreement_confirmation",
    "mentorkit_journey",
    "mentorkit_journey_milestone",
    "mentorkit_journey_task",
    "mentorkit_mentoring_session",
    "mentorkit_session_private_note",
    "mentorkit_goal",
    "mentorkit_goal_progress",
    "mentorkit_import_job",
    "mentorkit_match_run",
    "mentorkit_match_run_proposal",
)


@hookimpl(trylast=True)
def export_user_data(user_id: int) -> Awaitable[dict[str, Any] | None]:
    from mentorkit.privacy.core_data import export_core

    return export_core(user_id)


@hookimpl(trylast=True)
def erase_user_data(user_id: int) -> Awaitable[None]:
    from mentorkit.privacy.core_data import erase_core

    return erase_core(user_id)


@hookimpl(trylast=True)
def register_event_types(register: Callable[..., None]) -> None:
    register("user.erased", "a site admin erased a person's account and personal data (no payload)")


@hookimpl(trylast=True)
def register_routes(register: Callable[..., None]) -> None:
    from mentorkit.privacy.routes import privacy_routes

    for handler in privacy_routes():
        register(handler)


@hookimpl(trylast=True)
def register_commands(cli: click.Group) -> None:
    from mentorkit.privacy.cli import user

    cli.add_command(user)
