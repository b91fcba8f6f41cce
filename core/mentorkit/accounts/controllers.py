"""Account pages (sign-up, sign-in, reset, account settings, admin invitations) and API twins."""

from __future__ import annotations

from typing import Any

from litestar import Response, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, URLEncodedBody
from litestar.response import Template

from mentorkit.accounts import services
from mentorkit.accounts.model import CurrentUser
from mentorkit.accounts.passwords import password_problem
from mentorkit.accounts.schemas import (
    ApiTokenForm,
    ChangePasswordForm,
    InviteForm,
    MeUpdate,
    NotificationOut,
    ResetForm,
    ResetRequestForm,
    SignInForm,
    SignUpForm,
    TimeZoneForm,
    UserOut,
)
from mentorkit.accounts.time_zones import DEFAULT_TIME_ZONE, time_zone_choices
from mentorkit.errors import ValidationFailed
from mentorkit.notifications.services import inbox
from mentorkit.schemas import Id
from mentorkit.web.auth import session_cookie_name
from mentorkit.web.forms import Form, validate_form
from mentorkit.web.pages import AnyRequest, redirect, render
from mentorkit.web.panels import page_panels
from mentorkit.web.ratelimit import RateLimited, client_address, hit, wait_text

FormData = URLEncodedBody[dict[str, str]]

PUBLIC = {"policy": "public"}
SIGNED_IN = {"policy": "signed_in"}
ADMIN = {"policy": "admin"}


def _settings(request: AnyRequest) -> Any:
    return request.app.state.settings


def _safe_next(target: str | None) -> str:
    """Only local paths: an open redirect would let a phishing link borrow our sign-in page."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _set_session_cookie(request: AnyRequest, response: Response[Any], token: str) -> None:
    settings = _settings(request)
    response.set_cookie(session_cookie_name(settings.secure_cookies), token, httponly=True, samesite="lax",
                        secure=settings.secure_cookies, path="/", max_age=settings.session_absolute_hours * 3600)


# --------------------------------------------------------------------------- sign-up


def _address(request: AnyRequest) -> str:
    return client_address(request.client and (request.client.host, request.client.port))


def _too_many(form: Form, exc: RateLimited, message: str) -> Form:
    """The form after a rate limit tripped: what was typed (never a password), why, and when
    to try again."""
    return Form(form.values, {"__all__": f"{message}; try again {wait_text(exc.retry_after)}."})


def _retry_after(page: Template, exc: RateLimited) -> Template:
    page.headers["Retry-After"] = str(exc.retry_after)
    return page


def _limited(request: AnyRequest, template: str, exc: RateLimited, form: Form, message: str,
             **context: Any) -> Template:
    """The page of a form whose rate limit tripped, with 429 and Retry-After."""
    return _retry_after(render(request, template, status_code=429, form=_too_many(form, exc, message), **context),
                        exc)


@get("/signup", opt=PUBLIC, include_in_schema=False)
async def signup_page(request: AnyRequest, invite: FromQuery[str | None] = None,
                      next: FromQuery[str | None] = None) -> Template:
    """The sign-up form (open sites), or the invitation form (invitation-only sites)."""
    settings = _settings(request)
    invited = await services.invitation_email(invite) if invite else None
    form = Form({"email": invited or "", "invite": invite or "", "time_zone": DEFAULT_TIME_ZONE,
                 "next": _safe_next(next)})
    return render(request, "accounts/signup.html", form=form, invited=invited,
                  closed=settings.sign_up == "invite" and invited is None, time_zones=time_zone_choices(),
                  detect_time_zone=True)


@post("/signup", opt=PUBLIC, include_in_schema=False)
async def signup(request: AnyRequest, data: FormData) -> Response[Any]:
    """Create an account and sign in."""
    settings = _settings(request)
    values, form = validate_form(SignUpForm, data, secret_fields=("password",))
    invited = await services.invitation_email(data.get("invite", "")) if data.get("invite") else None
    page: dict[str, Any] = {"invited": invited, "closed": False, "time_zones": time_zone_choices(),
                            "detect_time_zone": False}
    if settings.sign_up == "invite" and invited is None:
        return render(request, "accounts/signup.html", status_code=403, form=form, **(page | {"closed": True}))
    try:
        # Per client address with a short-window cap against floods, and per e-mail address.
        await hit("signup:ip:minute", _address(request))
        await hit("signup:ip", _address(request))
        if "email" not in form.errors:
            await hit("signup:address", services.normalise_email(data["email"]))
    except RateLimited as exc:
        too_many = ("Too many sign-up attempts for this e-mail address" if exc.name == "signup:address"
                    else "Too many sign-up attempts from your network")
        return _limited(request, "accounts/signup.html", exc, form, too_many, **page)
    if "password" not in form.errors and (problem := password_problem(
            data.get("password", ""), email=data.get("email", ""), display_name=data.get("display_name", ""))):
        form.error("password", problem)
        values = None
    if values is not None:
        try:
            if invited is not None:
                if services.normalise_email(values.email) != invited:
                    raise ValidationFailed({"email": "must be the address the invitation was sent to"})
                user = await services.accept_invitation(values.invite or "", display_name=values.display_name,
                                                        password=values.password, time_zone=values.time_zone)
            else:
                user = await services.create_user(email=values.email, display_name=values.display_name,
                                                  password=values.password, time_zone=values.time_zone)
        except ValidationFailed as exc:
            for field, message in exc.errors.items():
                form.error(field, message)
        else:
            token = await services.start_session(user, user_agent=request.headers.get("user-agent", ""))
            response = redirect(_safe_next(values.next), flash=f"Welcome, {user.display_name}!")
            _set_session_cookie(request, response, token)
            return response
    return render(request, "accounts/signup.html", status_code=400, form=form, **page)


# --------------------------------------------------------------------------- sign-in / out


@get("/login", opt=PUBLIC, include_in_schema=False)
async def login_page(request: AnyRequest, next: FromQuery[str | None] = None) -> Template:
    """The sign-in form."""
    return render(request, "accounts/login.html", form=Form({"next": _safe_next(next)}))


@post("/login", opt=PUBLIC, include_in_schema=False)
async def login(request: AnyRequest, data: FormData) -> Response[Any]:
    """Check the credentials; on success start a new session (a new id, always)."""
    values, form = validate_form(SignInForm, data, secret_fields=("password",))
    try:
        await hit("login:ip", _address(request))
        if values is not None:
            await hit("login:account", services.normalise_email(values.email))
    except RateLimited as exc:
        return _limited(request, "accounts/login.html", exc, form, "Too many sign-in attempts")
    if values is not None:
        user = await services.authenticate(values.email, values.password)
        if user is not None:
            old = request.cookies.get(session_cookie_name(_settings(request).secure_cookies))
            token = await services.start_session(user, user_agent=request.headers.get("user-agent", ""),
                                                 replaces=old)
            response = redirect(_safe_next(values.next))
            _set_session_cookie(request, response, token)
            return response
        form.error("password", "the e-mail address or password is wrong")
    return render(request, "accounts/login.html", status_code=400, form=form)


@post("/logout", opt=PUBLIC, include_in_schema=False)
async def logout(request: AnyRequest) -> Response[Any]:
    """End this browser's session."""
    name = session_cookie_name(_settings(request).secure_cookies)
    if token := request.cookies.get(name):
        await services.end_session(token)
    response = redirect("/login", flash="You are signed out.")
    # Not delete_cookie(): a __Host- cookie is only replaced (deleted) by one marked Secure.
    response.set_cookie(name, "", max_age=0, expires=0, path="/", httponly=True, samesite="lax",
                        secure=_settings(request).secure_cookies)
    return response


# --------------------------------------------------------------------------- password reset


@get("/reset", opt=PUBLIC, include_in_schema=False)
async def reset_request_page(request: AnyRequest) -> Template:
    """Ask for a reset link."""
    return render(request, "accounts/reset_request.html", form=Form(), sent=False)


@post("/reset", opt=PUBLIC, include_in_schema=False)
async def reset_request(request: AnyRequest, data: FormData) -> Template:
    """Send a reset link if the account exists; the answer is the same either way."""
    values, form = validate_form(ResetRequestForm, data)
    try:
        await hit("reset:ip", _address(request))
        if values is not None:
            await hit("reset:account", services.normalise_email(values.email))
    except RateLimited as exc:
        return _limited(request, "accounts/reset_request.html", exc, form, "Too many reset requests", sent=False)
    if values is None:
        return render(request, "accounts/reset_request.html", status_code=400, form=form, sent=False)
    await services.request_password_reset(values.email)
    return render(request, "accounts/reset_request.html", form=Form(), sent=True)


@get("/reset/{token:str}", opt=PUBLIC, include_in_schema=False)
async def reset_page(request: AnyRequest, token: FromPath[str]) -> Template:
    """The new-password form of a reset link."""
    valid = await services.reset_token_is_valid(token)
    return render(request, "accounts/reset.html", status_code=200 if valid else 400, form=Form(),
                  token=token, valid=valid)


@post("/reset/{token:str}", opt=PUBLIC, include_in_schema=False)
async def reset(request: AnyRequest, token: FromPath[str], data: FormData) -> Response[Any]:
    """Set the new password; every session of the account ends."""
    values, form = validate_form(ResetForm, data, secret_fields=("password",))
    if values is not None:
        try:
            await services.reset_password(token, values.password)
        except ValidationFailed as exc:
            for field, message in exc.errors.items():
                form.error("password" if field == "token" else field, message)
        else:
            return redirect("/login", flash="Your password is changed. Sign in with the new one.")
    valid = await services.reset_token_is_valid(token)
    return render(request, "accounts/reset.html", status_code=400, form=form, token=token, valid=valid)


# --------------------------------------------------------------------------- account settings


async def _account_page(request: AnyRequest, *, status_code: int = 200, password_form: Form | None = None,
                        token_form: Form | None = None, new_token: str | None = None,
                        time_zone_form: Form | None = None) -> Template:
    user: CurrentUser = request.user
    return render(
        request, "accounts/account.html", status_code=status_code,
        sessions=await services.list_sessions(user.id), current_session_id=user.session_id,
        tokens=await services.list_api_tokens(user.id),
        password_form=password_form or Form(), token_form=token_form or Form(), new_token=new_token,
        time_zone_form=time_zone_form or Form({"time_zone": user.time_zone}), time_zones=time_zone_choices(),
        panels=await page_panels(request, "account"),
    )


@get("/account", opt=SIGNED_IN, include_in_schema=False)
async def account(request: AnyRequest) -> Template:
    """The person's account: password, signed-in browsers, API tokens."""
    return await _account_page(request)


@post("/account/password", opt=SIGNED_IN, include_in_schema=False)
async def change_password(request: AnyRequest, data: FormData) -> Response[Any]:
    """Change the password; other browsers are signed out."""
    values, form = validate_form(ChangePasswordForm, data, secret_fields=("current_password", "new_password"))
    if values is not None:
        try:
            await services.change_password(request.user, values.current_password, values.new_password)
        except ValidationFailed as exc:
            for field, message in exc.errors.items():
                form.error(field, message)
        else:
            return redirect("/account", flash="Password changed. Your other browsers are signed out.")
    return await _account_page(request, status_code=400, password_form=form)


@post("/account/time-zone", opt=SIGNED_IN, include_in_schema=False)
async def change_time_zone(request: AnyRequest, data: FormData) -> Response[Any]:
    """Choose the time zone pages show and read times in."""
    values, form = validate_form(TimeZoneForm, data)
    if values is not None:
        try:
            await services.set_time_zone(request.user, values.time_zone)
        except ValidationFailed as exc:
            for field, message in exc.errors.items():
                form.error(field, message)
        else:
            return redirect("/account", flash=f"Times are now shown in {values.time_zone}.")
    return await _account_page(request, status_code=400, time_zone_form=form)


@post("/account/sessions/revoke-others", opt=SIGNED_IN, include_in_schema=False)
async def revoke_other_sessions(request: AnyRequest) -> Response[Any]:
    """Sign out every other browser."""
    count = await services.end_other_sessions(request.user)
    return redirect("/account", flash=f"Signed out {count} other browser(s).")


@post("/account/tokens", opt=SIGNED_IN, include_in_schema=False)
async def create_token(request: AnyRequest, data: FormData) -> Template:
    """Create a personal API token and show it once."""
    values, form = validate_form(ApiTokenForm, data)
    if values is None:
        return await _account_page(request, status_code=400, token_form=form)
    _, token = await services.create_api_token(request.user, values.name)
    return await _account_page(request, new_token=token)


@post("/account/tokens/{token_id:int}/revoke", opt=SIGNED_IN, include_in_schema=False)
async def revoke_token(request: AnyRequest, token_id: FromPath[Id]) -> Response[Any]:
    """Revoke one of the person's own API tokens."""
    if not await services.revoke_api_token(request.user, token_id):
        raise NotFoundException("no such token")
    return redirect("/account", flash="Token revoked.")


@get("/notifications", opt=SIGNED_IN, include_in_schema=False)
async def notifications_page(request: AnyRequest) -> Template:
    """The person's in-app notifications."""
    return render(request, "accounts/notifications.html", notifications=await inbox(request.user.id))


# --------------------------------------------------------------------------- admin


async def _admin_page(request: AnyRequest, *, status_code: int = 200, form: Form | None = None,
                      invite_link: str | None = None, query: str = "", page: int = 1) -> Template:
    people = await services.search_people(query, page, request.user)
    return render(request, "accounts/admin.html", status_code=status_code, users=people.users, form=form or Form(),
                  invite_link=invite_link, query=query, page=people.page, pages=people.pages, total=people.total,
                  everybody=people.everybody,
                  panels=await page_panels(request, "admin"))


@get("/admin", opt=ADMIN, include_in_schema=False)
async def admin_page(request: AnyRequest, q: FromQuery[str] = "", page: FromQuery[int] = 1) -> Template:
    """Site administration: people (searchable, in pages) and invitations."""
    return await _admin_page(request, query=q[:200], page=page)


@post("/admin/invitations", opt=ADMIN, include_in_schema=False)
async def admin_invite(request: AnyRequest, data: FormData) -> Template:
    """Invite somebody; the link is shown (and sent through the notification channels)."""
    values, form = validate_form(InviteForm, data)
    try:
        await hit("invite:user", str(request.user.id))
    except RateLimited as exc:
        return _retry_after(await _admin_page(request, status_code=429,
                                              form=_too_many(form, exc, "Too many invitations")), exc)
    if values is not None:
        try:
            link = await services.invite(values.email, request.user)
        except ValidationFailed as exc:
            for field, message in exc.errors.items():
                form.error(field, message)
        else:
            return await _admin_page(request, invite_link=link)
    return await _admin_page(request, status_code=400, form=form)


def _admin_back(data: dict[str, str]) -> str:
    """Where an admin action returns to: the list as it was (search term and page kept)."""
    target = _safe_next(data.get("back"))
    return target if target == "/admin" or target.startswith("/admin?") else "/admin"


@post("/admin/users/{user_id:int}/deactivate", opt=ADMIN, include_in_schema=False)
async def admin_deactivate(request: AnyRequest, user_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Deactivate an account: no more sign-ins, every session and token ends."""
    try:
        await services.set_active(user_id, False, request.user)
    except ValidationFailed as exc:
        return redirect(_admin_back(data), flash=next(iter(exc.errors.values())).capitalize() + ".", level="error")
    return redirect(_admin_back(data), flash="Account deactivated; its sessions and API tokens ended.")


@post("/admin/users/{user_id:int}/reactivate", opt=ADMIN, include_in_schema=False)
async def admin_reactivate(request: AnyRequest, user_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Undo a deactivation: the person can sign in again (not after an erasure)."""
    try:
        await services.set_active(user_id, True, request.user)
    except ValidationFailed as exc:
        return redirect(_admin_back(data), flash=next(iter(exc.errors.values())).capitalize() + ".", level="error")
    return redirect(_admin_back(data), flash="Account reactivated.")


@post("/admin/users/{user_id:int}/sessions/revoke", opt=ADMIN, include_in_schema=False)
async def admin_revoke_sessions(request: AnyRequest, user_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Sign a person out of every browser."""
    count = await services.end_all_sessions(user_id, request.user)
    return redirect(_admin_back(data), flash=f"Signed out of {count} browser(s).")


# --------------------------------------------------------------------------- API


def _user_out(user: CurrentUser) -> UserOut:
    return UserOut(id=user.id, email=user.email, display_name=user.display_name, is_admin=user.is_admin,
                   time_zone=user.time_zone)


@get("/api/v1/me", opt=SIGNED_IN, tags=["accounts"])
async def api_me(request: AnyRequest) -> UserOut:
    """The signed-in person."""
    return _user_out(request.user)


@patch("/api/v1/me", opt=SIGNED_IN, tags=["accounts"])
async def api_update_me(request: AnyRequest, data: JSONBody[MeUpdate]) -> UserOut:
    """Change the signed-in person's settings: their time zone (an IANA name)."""
    return _user_out(await services.set_time_zone(request.user, data.time_zone))


@get("/api/v1/notifications", opt=SIGNED_IN, tags=["accounts"])
async def api_notifications(request: AnyRequest) -> list[NotificationOut]:
    """The signed-in person's in-app notifications, newest first."""
    import msgspec

    return msgspec.convert(await inbox(request.user.id), list[NotificationOut])


def account_routes() -> list[Any]:
    """Every account route."""
    return [
        signup_page, signup, login_page, login, logout, reset_request_page, reset_request, reset_page, reset,
        account, change_password, revoke_other_sessions, create_token, revoke_token, notifications_page,
        admin_page, admin_invite, admin_deactivate, admin_reactivate, admin_revoke_sessions, api_me,
        api_update_me, api_notifications, change_time_zone,
    ]

