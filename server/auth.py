"""Staff logins: scrypt password checks (throttled, ``server.login_guard``), signed expiring bearer tokens
that carry the account's ``token_version``, and the decorators that let a request act as an account.

Every request with a token reads its account by primary key (one statement, ~0.3 ms on SQLite, one round
trip on PostgreSQL): a disabled account, a changed password (both raise ``token_version``) or a changed role
or site list take effect on the very next request, in every process."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from flask import current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash

from server.accounts import DUMMY_HASH, ROLES, add_user  # noqa: F401  (ROLES, add_user: for callers of server.auth)
from server.domain.access import WINDOW_ROLES, check_role, check_site, sites_from_column
from server.domain.commands import Actor
from server.domain.errors import AuthError, NotFound
from server.login_guard import LoginGuard
from server.models import Ticket, User
from server.wiring import hall

TOKEN_SALT = "yichuang-auth"
GUARD_EXTENSION = "yichuang.login_guard"
READER_EXTENSION = "yichuang.account_reader"
_EPOCH = dt.datetime(1970, 1, 1)
_ACCOUNT_COLUMNS = (User.id, User.username, User.role, User.sites, User.department, User.active,
                    User.token_version)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def login_guard() -> LoginGuard:
    guard = current_app.extensions.get(GUARD_EXTENSION)
    if guard is None:
        context = hall().context
        guard = current_app.extensions.setdefault(GUARD_EXTENSION, LoginGuard(
            current_app.config, lambda: (context.clock() - _EPOCH).total_seconds()))
    return guard


def _account(*where, with_hash: bool = False, by_id: int | None = None):
    """One account row by one statement: on PostgreSQL in autocommit (one round trip, no BEGIN/ROLLBACK),
    on SQLite in a deferred (reading) transaction."""
    engine = current_app.extensions.get(READER_EXTENSION)
    if engine is None:
        db = hall().db
        engine = (db.engine.execution_options(sqlite_begin="DEFERRED") if db.is_sqlite
                  else db.engine.execution_options(isolation_level="AUTOCOMMIT"))
        current_app.extensions[READER_EXTENSION] = engine
    with engine.connect() as connection:
        if by_id is not None:  # every request with a token: SQL written once, not an expression per request
            return connection.exec_driver_sql(_ACCOUNT_BY_ID[connection.dialect.paramstyle], (by_id,)).first()
        columns = (User.password_hash, *_ACCOUNT_COLUMNS) if with_hash else _ACCOUNT_COLUMNS
        return connection.execute(select(*columns).where(*where)).first()


_ACCOUNT_BY_ID = {style: "SELECT id, username, role, sites, department, active, token_version FROM users "
                         f"WHERE id = {mark}" for style, mark in (("qmark", "?"), ("format", "%s"),
                                                                 ("pyformat", "%s"), ("numeric", ":1"))}


def _actor(row) -> Actor:
    return Actor(id=row.id, username=row.username, role=row.role, sites=sites_from_column(row.sites),
                 department=row.department)


def login(username: str, password: str) -> tuple[str, Actor]:
    """A token for the account, or AuthError: 401 wrong name or password, 429 throttled, 503 busy."""
    guard, address = login_guard(), request.remote_addr or "unknown"
    guard.check(address, username)
    with guard.password_check():  # taken first: an attempt refused as busy costs no database read either
        row = _account(User.username == username, with_hash=True)
        # An unknown name is checked against a dummy hash, so it costs the same time as a wrong password.
        stored = row.password_hash if row is not None else DUMMY_HASH
        matches = guard.run_check(check_password_hash, stored, password)
    if not matches or row is None or not row.active:
        guard.failed(address, username)
        raise AuthError("invalid_credentials", "用户名或密码错误 / wrong username or password")
    guard.succeeded(username)
    token = _serializer().dumps({"uid": row.id, "role": row.role, "v": row.token_version})
    return token, _actor(row)


def actor_from_token(token: str) -> Actor:
    try:
        data = _serializer().loads(token, max_age=current_app.config["TOKEN_MAX_AGE"])
    except SignatureExpired as exc:
        raise AuthError("token_expired", "登录已过期，请重新登录 / session expired, log in again") from exc
    except BadSignature as exc:
        raise AuthError("invalid_token", "登录凭证无效，请重新登录 / invalid token") from exc
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise AuthError("invalid_token", "登录凭证无效，请重新登录 / invalid token")
    row = _account(by_id=data["uid"])
    if row is None or not row.active:
        raise AuthError("invalid_token", "账号已停用，请联系管理员 / account disabled")
    # A new password or a disable raised the version: the token is from before. (Tokens from before versions
    # existed carry none: they belong to version 0.)
    if data.get("v", 0) != row.token_version:
        raise AuthError("invalid_token", "登录已失效（密码已更改或账号曾停用），请重新登录 / this login has ended "
                                         "(new password, or the account was disabled): log in again")
    return _actor(row)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def optional_staff(site_id: str | None = None) -> Actor | None:
    """The account of the request's bearer token, None without one (a bad token is still a 401). With
    ``site_id``, a token whose account does not serve that site is a 403."""
    token = bearer_token()
    if token is None:
        return None
    actor = actor_from_token(token)
    if site_id is not None:
        check_site(actor, hall().site(site_id).id)
    return actor


def require_site(site_id: str) -> Actor:
    """For a view whose site is not in its path: 404 unknown site, 403 an account that does not serve it."""
    check_site(g.actor, hall().site(site_id).id)
    return g.actor


def ticket_site(ticket_id: str) -> str:
    """The site of a ticket (404 for an id that names none)."""
    with hall().db.read() as session:
        site_id = session.scalar(select(Ticket.site).where(Ticket.id == ticket_id))
    if site_id is None:
        raise NotFound("ticket", ticket_id)
    return site_id


def require_staff(view=None, *, roles=None, ticket_arg: str | None = None):
    """The view runs with ``g.actor`` set, or the request gets 401. A view with a ``site_id`` argument is
    the site's business: 404 for an unknown site, 403 ``forbidden_site`` for an account that does not serve
    it; ``ticket_arg`` names an argument holding a ticket id whose site is checked so. ``roles``: only these
    may (403 ``forbidden_role``). Use as ``@require_staff`` or ``@require_staff(roles=…, ticket_arg=…)``."""

    def decorate(function):
        @wraps(function)
        def wrapper(*args, **kwargs):
            token = bearer_token()
            if token is None:
                raise AuthError("login_required", "请先登录 / log in first")
            g.actor = actor_from_token(token)
            site_id = kwargs.get("site_id")
            if site_id is None and ticket_arg is not None:
                site_id = ticket_site(kwargs[ticket_arg])
            if site_id is not None:
                hall().site(site_id)  # an unknown site is a 404 for everyone
            if roles is not None:
                check_role(g.actor, roles)
            if site_id is not None:
                require_site(site_id)
            return function(*args, **kwargs)

        return wrapper

    return decorate if view is None else decorate(view)


# A window action: a clerk, a manager or an admin of the window's site (a backoffice account may not).
require_window_staff = require_staff(roles=WINDOW_ROLES)
