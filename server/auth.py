"""Clerk and admin accounts: scrypt password hashes and signed, expiring bearer tokens."""

from __future__ import annotations

import datetime as dt
import time
from functools import wraps

from flask import current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from server.cpu import run_cpu_bound
from server.domain.commands import Actor
from server.domain.errors import AuthError
from server.models import User
from server.wiring import hall

ROLES = ("clerk", "admin")
TOKEN_SALT = "yichuang-auth"
# Checked when the username is unknown, so a wrong name costs the same time as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password", method="scrypt")


def hash_password(password: str) -> str:
    return run_cpu_bound(generate_password_hash, password, "scrypt")


def add_user(session, username: str, password: str, role: str) -> User:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not username or len(username) > 64:
        raise ValueError("username must be 1 to 64 characters")
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    existing = session.scalar(select(User).where(User.username == username))
    if existing is not None:
        raise ValueError(f"user {username!r} already exists")
    user = User(username=username, role=role, password_hash=hash_password(password), active=True,
                created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None))
    session.add(user)
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def login(username: str, password: str) -> tuple[str, Actor]:
    with hall().db.read() as session:
        user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
        actor = Actor(id=user.id, username=user.username, role=user.role) if user is not None else None
        stored = user.password_hash if user is not None else _DUMMY_HASH
    if not run_cpu_bound(check_password_hash, stored, password) or actor is None:
        raise AuthError("invalid_credentials", "用户名或密码错误 / wrong username or password")
    token = _serializer().dumps({"uid": actor.id, "role": actor.role})
    return token, actor


def actor_from_token(token: str) -> Actor:
    try:
        data = _serializer().loads(token, max_age=current_app.config["TOKEN_MAX_AGE"])
    except SignatureExpired as exc:
        raise AuthError("token_expired", "登录已过期，请重新登录 / session expired, log in again") from exc
    except BadSignature as exc:
        raise AuthError("invalid_token", "登录凭证无效，请重新登录 / invalid token") from exc
    return _actor(data.get("uid"))


def _actor(user_id) -> Actor:
    """The account behind a token, read from the database at most every ACTOR_CACHE_SECONDS per account:
    a clerk clicks many times a minute and each read is a transaction of its own (a tenth of a call's
    cost on PostgreSQL); a disabled account loses access within that time."""
    cache = current_app.extensions.setdefault("hall_actor_cache", {})
    now = time.monotonic()
    cached = cache.get(user_id)
    if cached is not None and now - cached[0] < current_app.config.get("ACTOR_CACHE_SECONDS", 10.0):
        return cached[1]
    with hall().db.read() as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            cache.pop(user_id, None)
            raise AuthError("invalid_token", "账号已停用 / account disabled")
        actor = Actor(id=user.id, username=user.username, role=user.role)
    cache[user_id] = (now, actor)
    return actor


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def optional_staff() -> Actor | None:
    """The account of the request's bearer token, None without one (a bad token is still a 401)."""
    token = bearer_token()
    return None if token is None else actor_from_token(token)


def require_staff(view):
    """The view runs with ``g.actor`` set, or the request gets 401."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        token = bearer_token()
        if token is None:
            raise AuthError("login_required", "请先登录 / log in first")
        g.actor = actor_from_token(token)
        return view(*args, **kwargs)

    return wrapper
