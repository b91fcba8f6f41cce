"""Account use cases: sign-up, sign-in, sessions, API tokens, password reset, invitations."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import msgspec

from mentorkit.accounts.model import CurrentUser, user_from_row
from mentorkit.accounts.passwords import (
    dummy_hash,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from mentorkit.accounts.tables import ApiToken, OneTimeToken, User, WebSession
from mentorkit.accounts.time_zones import DEFAULT_TIME_ZONE, is_time_zone
from mentorkit.accounts.tokens import derived_token, hash_token, new_token
from mentorkit.db import transaction
from mentorkit.db.reads import fetch
from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from mentorkit.events import emit, utcnow
from mentorkit.notifications.services import notify
from mentorkit.runtime import current_runtime

API_TOKEN_PREFIX = "mk_"  # noqa: S105 - a prefix, not a secret
# Touching a session on every request would turn every page view into a write.
SESSION_TOUCH_INTERVAL = dt.timedelta(minutes=1)


def normalise_email(email: str) -> str:
    """E-mail addresses are compared trimmed and lower-cased."""
    return email.strip().lower()


def _undeliverable(email: str) -> bool:
    """Addresses that can never receive mail: no dotted domain, or the reserved ``invalid``
    domain (RFC 2606) that erased accounts are renamed to."""
    domain = email.rpartition("@")[2]
    return "." not in domain or domain == "invalid" or domain.endswith(".invalid")


# --------------------------------------------------------------------------- users


TIME_ZONE_PROBLEM = "must be a time zone from the list, like Europe/Berlin or America/New_York"


async def create_user(*, email: str, display_name: str, password: str, is_admin: bool = False,
                      actor_id: int | None = None, time_zone: str = DEFAULT_TIME_ZONE) -> CurrentUser:
    """Create an account; ``ValidationFailed`` names every bad field, a taken e-mail included."""
    email = normalise_email(email)
    display_name = display_name.strip()
    problems: dict[str, str] = {}
    if not is_time_zone(time_zone):
        problems["time_zone"] = TIME_ZONE_PROBLEM
    if _undeliverable(email):
        problems["email"] = "must be an address that can receive mail"
    if problem := password_problem(password, email=email, display_name=display_name):
        problems["password"] = problem
    if await User.exists().where(User.email == email):
        problems["email"] = "is already registered; sign in or reset your password"
    if problems:
        raise ValidationFailed(problems)
    password_hash = await hash_password(password)
    try:
        async with transaction():
            rows = await User.insert(User(email=email, display_name=display_name, password_hash=password_hash,
                                          is_admin=is_admin, time_zone=time_zone)).returning(User.id)
            user_id = rows[0]["id"]
            await emit("user.created", f"user:{user_id}", {"is_admin": is_admin}, actor_id=actor_id or user_id)
    except ConflictError:
        raise ValidationFailed({"email": "is already registered; sign in or reset your password"}) from None
    return CurrentUser(id=user_id, email=email, display_name=display_name, is_admin=is_admin, time_zone=time_zone)


async def set_time_zone(user: CurrentUser, time_zone: str) -> CurrentUser:
    """Change the person's time zone (an IANA name); pages show and read times in it."""
    if not is_time_zone(time_zone):
        raise ValidationFailed({"time_zone": TIME_ZONE_PROBLEM})
    await User.update({User.time_zone: time_zone}).where(User.id == user.id)
    return msgspec.structs.replace(user, time_zone=time_zone)


async def active_user_by_email(email: str) -> CurrentUser | None:
    """The active account with this e-mail address, or None (for operators' commands)."""
    row = await User.select().where((User.email == normalise_email(email)) & User.active.eq(True)).first()
    return None if row is None else user_from_row(row)


async def authenticate(email: str, password: str) -> CurrentUser | None:
    """The active user with these credentials, or None (same work whether or not they exist)."""
    row = await User.select().where((User.email == normalise_email(email)) & (User.active == True)).first()  # noqa: E712
    if row is None:
        await verify_password(dummy_hash(), password)
        return None
    if not await verify_password(row["password_hash"], password):
        return None
    if needs_rehash(row["password_hash"]):
        await User.update({User.password_hash: await hash_password(password)}).where(User.id == row["id"])
    return user_from_row(row)


async def change_password(user: CurrentUser, current: str, new: str) -> None:
    """Change a password after re-checking the current one; other sessions are signed out."""
    row = await User.select(User.password_hash).where(User.id == user.id).first()
    if row is None or not await verify_password(row["password_hash"], current):
        raise ValidationFailed({"current_password": "is not your current password"})
    if problem := password_problem(new, email=user.email, display_name=user.display_name):
        raise ValidationFailed({"new_password": problem})
    new_hash = await hash_password(new)
    async with transaction():
        await User.update({User.password_hash: new_hash}).where(User.id == user.id)
        await _revoke_sessions(user.id, keep=user.session_id)
        await emit("user.password_changed", f"user:{user.id}", actor_id=user.id)


# --------------------------------------------------------------------------- web sessions


async def start_session(user: CurrentUser, *, user_agent: str = "", replaces: str | None = None) -> str:
    """Sign ``user`` in: a brand-new session id every time (the old one, if any, is revoked)."""
    settings = current_runtime().settings
    token = new_token()
    now = utcnow()
    async with transaction():
        if replaces:
            await WebSession.update({WebSession.revoked_at: now}).where(
                WebSession.token_hash == hash_token(replaces))
        await WebSession.insert(WebSession(
            token_hash=hash_token(token), user=user.id, created_at=now, last_seen_at=now,
            expires_at=now + dt.timedelta(hours=settings.session_absolute_hours),
            user_agent=user_agent[:200],
        ))
        await User.update({User.last_login_at: now}).where(User.id == user.id)
    return token


# Every signed-in request runs this: written once as SQL, because building it with Piccolo's
# query builder (a join through a foreign key) costs more than running it.
_SESSION_LOOKUP = """
    SELECT s.id AS id, s.last_seen_at AS last_seen_at, s.expires_at AS expires_at,
           s.revoked_at AS revoked_at, u.id AS "user.id", u.email AS "user.email",
           u.display_name AS "user.display_name", u.is_admin AS "user.is_admin",
           u.active AS "user.active", u.time_zone AS "user.time_zone"
    FROM mentorkit_web_session s JOIN mentorkit_user u ON u.id = s."user"
    WHERE s.token_hash = {}
"""


async def session_user(token: str) -> CurrentUser | None:
    """The user of a live session: not revoked, not idle too long, within its absolute lifetime."""
    settings = current_runtime().settings
    rows = await fetch(_SESSION_LOOKUP, hash_token(token))
    row = rows[0] if rows else None
    if row is None or row["revoked_at"] is not None or not row["user.active"]:
        return None
    now = utcnow()
    if now >= row["expires_at"] or now - row["last_seen_at"] > dt.timedelta(minutes=settings.session_idle_minutes):
        return None
    if now - row["last_seen_at"] > SESSION_TOUCH_INTERVAL:
        await WebSession.update({WebSession.last_seen_at: now}).where(WebSession.id == row["id"])
    return user_from_row(row, session_id=row["id"])


async def end_session(token: str) -> None:
    """Sign out this browser."""
    await WebSession.update({WebSession.revoked_at: utcnow()}).where(
        (WebSession.token_hash == hash_token(token)) & WebSession.revoked_at.is_null())


async def _revoke_sessions(user_id: int, keep: int | None = None) -> int:
    query = WebSession.update({WebSession.revoked_at: utcnow()}).where(
        (WebSession.user == user_id) & WebSession.revoked_at.is_null())
    if keep is not None:
        query = query.where(WebSession.id != keep)
    return len(await query.returning(WebSession.id))


async def end_other_sessions(user: CurrentUser) -> int:
    """Sign out every other browser of this person; returns how many."""
    async with transaction():
        count = await _revoke_sessions(user.id, keep=user.session_id)
        await emit("user.sessions_revoked", f"user:{user.id}", {"count": count}, actor_id=user.id)
    return count


async def list_sessions(user_id: int) -> list[dict[str, Any]]:
    """A person's live sessions, newest first."""
    rows: list[dict[str, Any]] = await WebSession.select(
        WebSession.id, WebSession.created_at, WebSession.last_seen_at, WebSession.user_agent,
    ).where((WebSession.user == user_id) & WebSession.revoked_at.is_null()
            & (WebSession.expires_at > utcnow())).order_by(WebSession.id, ascending=False)
    return rows


async def set_active(user_id: int, active: bool, actor: CurrentUser) -> None:
    """Deactivate an account (it can no longer sign in; sessions and tokens end) or reactivate it."""
    if user_id == actor.id and not active:
        raise ValidationFailed({"user": "you cannot deactivate your own account"})
    if active:
        row = await User.select(User.email).where(User.id == user_id).first()
        if row is not None and _undeliverable(row["email"]):
            raise ValidationFailed({"user": "this account was erased and cannot be reactivated"})
    async with transaction():
        rows = await User.update({User.active: active}).where(User.id == user_id).returning(User.id)
        if not rows:
            raise NotFound("no such person")
        if not active:
            await _revoke_sessions(user_id)
            await ApiToken.update({ApiToken.revoked_at: utcnow()}).where(
                (ApiToken.user == user_id) & ApiToken.revoked_at.is_null())
        await emit("user.reactivated" if active else "user.deactivated", f"user:{user_id}", actor_id=actor.id)


async def end_all_sessions(user_id: int, actor: CurrentUser) -> int:
    """Sign a person out of every browser (an admin's action, e.g. after a lost laptop)."""
    async with transaction():
        if not await User.exists().where(User.id == user_id):
            raise NotFound("no such person")
        count = await _revoke_sessions(user_id)
        await emit("user.sessions_revoked", f"user:{user_id}", {"count": count}, actor_id=actor.id)
    return count


# --------------------------------------------------------------------------- API tokens


async def create_api_token(user: CurrentUser, name: str) -> tuple[int, str]:
    """A new personal API token; the raw value is shown once and stored only hashed."""
    token = new_token(API_TOKEN_PREFIX)
    async with transaction():
        rows = await ApiToken.insert(ApiToken(token_hash=hash_token(token), prefix=token[:10], name=name,
                                              user=user.id)).returning(ApiToken.id)
        await emit("user.api_token_created", f"user:{user.id}", {"token_id": rows[0]["id"]}, actor_id=user.id)
    return rows[0]["id"], token


async def list_api_tokens(user_id: int) -> list[dict[str, Any]]:
    """A person's active API tokens (prefix and name only)."""
    rows: list[dict[str, Any]] = await ApiToken.select(
        ApiToken.id, ApiToken.name, ApiToken.prefix, ApiToken.created_at, ApiToken.last_used_at,
    ).where((ApiToken.user == user_id) & ApiToken.revoked_at.is_null()).order_by(ApiToken.id)
    return rows


async def revoke_api_token(user: CurrentUser, token_id: int) -> bool:
    """Revoke one of the person's own tokens; False if it is not theirs or already revoked."""
    rows = await ApiToken.update({ApiToken.revoked_at: utcnow()}).where(
        (ApiToken.id == token_id) & (ApiToken.user == user.id) & ApiToken.revoked_at.is_null()
    ).returning(ApiToken.id)
    return bool(rows)


_BEARER_LOOKUP = """
    SELECT t.id AS id, t.last_used_at AS last_used_at, u.id AS "user.id", u.email AS "user.email",
           u.display_name AS "user.display_name", u.is_admin AS "user.is_admin",
           u.active AS "user.active", u.time_zone AS "user.time_zone"
    FROM mentorkit_api_token t JOIN mentorkit_user u ON u.id = t."user"
    WHERE t.token_hash = {} AND t.revoked_at IS NULL
"""


async def token_user(token: str) -> CurrentUser | None:
    """The user of an active API token."""
    rows = await fetch(_BEARER_LOOKUP, hash_token(token))
    row = rows[0] if rows else None
    if row is None or not row["user.active"]:
        return None
    now = utcnow()
    if row["last_used_at"] is None or now - row["last_used_at"] > SESSION_TOUCH_INTERVAL:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    return user_from_row(row, token_id=row["id"])


# --------------------------------------------------------------------------- one-time tokens


async def _issue_one_time_token(purpose: str, email: str, *, user_id: int | None, created_by: int | None,
                                minutes: int) -> tuple[int, str]:
    settings = current_runtime().settings
    nonce = secrets.token_hex(16)
    # Insert with a placeholder hash, then store the hash of the token derived from the id.
    placeholder = hash_token(new_token())
    rows = await OneTimeToken.insert(OneTimeToken(
        token_hash=placeholder, nonce=nonce, purpose=purpose, email=email, user=user_id, created_by=created_by,
        expires_at=utcnow() + dt.timedelta(minutes=minutes),
    )).returning(OneTimeToken.id)
    token_id = rows[0]["id"]
    token = derived_token(settings.secret_key, purpose, token_id, nonce)
    await OneTimeToken.update({OneTimeToken.token_hash: hash_token(token)}).where(OneTimeToken.id == token_id)
    return token_id, token


async def _live_token(purpose: str, token: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await OneTimeToken.select().where(
        (OneTimeToken.token_hash == hash_token(token)) & (OneTimeToken.purpose == purpose)
    ).first()
    if row is None or row["used_at"] is not None or utcnow() >= row["expires_at"]:
        return None
    return row


async def request_password_reset(email: str) -> None:
    """Send a reset link if an active account has this e-mail; say nothing either way."""
    email = normalise_email(email)
    row = await User.select(User.id, User.display_name).where(
        (User.email == email) & (User.active == True)).first()  # noqa: E712
    if row is None:
        return
    settings = current_runtime().settings
    async with transaction():
        token_id, _ = await _issue_one_time_token("password_reset", email, user_id=row["id"], created_by=None,
                                                  minutes=settings.password_reset_minutes)
        await notify(
            key=f"password_reset:{token_id}", email=email, user_id=row["id"],
            subject=f"Reset your {settings.site_name} password",
            body=(f"Hello {row['display_name']},\n\nSomebody (hopefully you) asked to reset your password. "
                  f"The link works once, for {settings.password_reset_minutes} minutes. If it was not you, "
                  "ignore this message."),
            secret_ref=f"one_time_token:{token_id}",
        )


async def reset_token_is_valid(token: str) -> bool:
    """True while a reset link can still be used."""
    return await _live_token("password_reset", token) is not None


async def reset_password(token: str, new_password: str) -> None:
    """Set a new password with a reset link; the link is spent and every session ends."""
    row = await _live_token("password_reset", token)
    if row is None:
        raise ValidationFailed({"token": "this reset link has expired or was already used; ask for a new one"})
    user = await User.select(User.display_name).where(User.id == row["user"]).first()
    if problem := password_problem(new_password, email=row["email"], display_name=(user or {}).get("display_name", "")):
        raise ValidationFailed({"password": problem})
    new_hash = await hash_password(new_password)
    async with transaction():
        spent = await OneTimeToken.update({OneTimeToken.used_at: utcnow()}).where(
            (OneTimeToken.id == row["id"]) & OneTimeToken.used_at.is_null()).returning(OneTimeToken.id)
        if not spent:
            raise ValidationFailed({"token": "this reset link was already used"})
        await User.update({User.password_hash: new_hash}).where(User.id == row["user"])
        await _revoke_sessions(row["user"])
        await emit("user.password_reset", f"user:{row['user']}", actor_id=row["user"])


async def invite(email: str, inviter: CurrentUser) -> str:
    """Invite someone to sign up (sites where sign-up is by invitation); returns the link."""
    email = normalise_email(email)
    if await User.exists().where(User.email == email):
        raise ValidationFailed({"email": "already has an account"})
    settings = current_runtime().settings
    async with transaction():
        token_id, token = await _issue_one_time_token("invitation", email, user_id=None, created_by=inviter.id,
                                                      minutes=60 * 24 * 14)
        await notify(
            key=f"invitation:{token_id}", email=email,
            subject=f"You are invited to {settings.site_name}",
            body=f"{inviter.display_name} invited you to join {settings.site_name}. The link works for 14 days.",
            secret_ref=f"one_time_token:{token_id}",
        )
        await emit("user.invited", f"invitation:{token_id}", {"email": email}, actor_id=inviter.id)
    return f"{settings.base_url}/signup?invite={token}"


async def invitation_email(token: str) -> str | None:
    """The e-mail address an unused invitation is for."""
    row = await _live_token("invitation", token)
    return str(row["email"]) if row else None


async def accept_invitation(token: str, *, display_name: str, password: str,
                            time_zone: str = DEFAULT_TIME_ZONE) -> CurrentUser:
    """Create the invited person's account and spend the invitation."""
    row = await _live_token("invitation", token)
    if row is None:
        raise ValidationFailed({"invite": "this invitation has expired or was already used"})
    user = await create_user(email=row["email"], display_name=display_name, password=password, time_zone=time_zone)
    await OneTimeToken.update({OneTimeToken.used_at: utcnow()}).where(OneTimeToken.id == row["id"])
    return user


# --------------------------------------------------------------------------- the admin's people list

PEOPLE_PAGE_SIZE = 25


def _people_filter(query: str) -> Any:
    """Accounts whose name or e-mail address contains every word of ``query`` (any case).
    LIKE's wildcards in the words are left alone: they only widen the match."""
    from mentorkit.db.database import active_database
    from mentorkit.db.engines import MentorkitSQLiteEngine

    # SQLite's LIKE already ignores case (and has no ILIKE); PostgreSQL's needs ILIKE.
    sqlite = isinstance(active_database().engine, MentorkitSQLiteEngine)
    where: Any = None
    for word in query.split()[:10]:
        pattern = f"%{word}%"
        if sqlite:
            clause = User.display_name.like(pattern) | User.email.like(pattern)
        else:
            clause = User.display_name.ilike(pattern) | User.email.ilike(pattern)
        where = clause if where is None else where & clause
    return where


class PeoplePage(msgspec.Struct, frozen=True, kw_only=True):
    """One page of the admin's people list."""

    users: list[dict[str, Any]]
    page: int
    pages: int
    total: int
    """How many accounts match the search."""
    everybody: int
    """How many accounts there are."""


async def _skill_filter(query: str, where: Any) -> Any:
    """Widen the search to people who offer or seek the skill ``query`` names, typed as the
    tag's label, key or any synonym (the vocabulary resolves it to the canonical tag)."""
    from mentorkit.profiles.tables import ProfileTag, Tag
    from mentorkit.profiles.vocabulary import tag_index

    key = (await tag_index()).resolve(query) if query.strip() else None
    if key is None:
        return where
    tag = Tag.select(Tag.id).where(Tag.key == key)
    skilled = User.id.is_in(ProfileTag.select(ProfileTag.user).where(ProfileTag.tag.is_in(tag)))
    return skilled if where is None else where | skilled


async def search_people(query: str, page: int, actor: CurrentUser) -> PeoplePage:
    """Accounts matching ``query`` (every word, in the name or e-mail address; or the whole of
    it naming a skill they offer or seek, by any of the tag's names), a page at a time (a page
    beyond either end is the nearest one). Site admins only."""
    if not actor.is_admin:
        raise PermissionDenied("only site admins can list people")
    where = await _skill_filter(query, _people_filter(query))
    count_query = User.count()
    select = User.select(User.id, User.email, User.display_name, User.is_admin, User.active,
                         User.created_at, User.last_login_at)
    if where is not None:
        count_query, select = count_query.where(where), select.where(where)
    total = await count_query
    pages = max(1, -(-total // PEOPLE_PAGE_SIZE))
    page = min(max(page, 1), pages)
    users = await select.order_by(User.display_name).order_by(User.id).limit(PEOPLE_PAGE_SIZE).offset(
        (page - 1) * PEOPLE_PAGE_SIZE)
    everybody = total if where is None else await User.count()
    return PeoplePage(users=users, page=page, pages=pages, total=total, everybody=everybody)
