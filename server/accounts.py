"""Staff accounts: create, list, disable, enable and change the password of one. Passwords are stored as
scrypt hashes; disabling an account or giving it a new password raises its ``token_version``, which ends
every token issued before (``server.auth`` compares it on each request)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from layout.model import Layout
from server.cpu import run_cpu_bound
from server.domain.access import ROLES, sites_from_column, sites_to_column
from server.models import User

PASSWORD_MIN = 8
# Checked when the username is unknown, so a wrong name costs the same time as a wrong password.
DUMMY_HASH = generate_password_hash("not a password", method="scrypt")


class AccountError(ValueError):
    """A refused account change, said to the operator as it is."""


def hash_password(password: str) -> str:
    if len(password) < PASSWORD_MIN:
        raise AccountError(f"password must have at least {PASSWORD_MIN} characters")
    return run_cpu_bound(generate_password_hash, password, "scrypt")


def _scope(role: str, sites: Iterable[str] | None, department: str | None,
           layout: Layout | None) -> tuple[tuple[str, ...] | None, str | None]:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    chosen = tuple(dict.fromkeys(sites)) if sites else None
    if chosen is not None and role == "admin":
        raise AccountError("an admin serves every site: leave out --site")
    if role == "backoffice" and not department:
        raise AccountError("a backoffice account needs --department (the department whose cases it works)")
    if layout is not None:
        unknown = [site for site in chosen or () if layout.site(site) is None]
        if unknown:
            known = ", ".join(site.id for site in layout.sites)
            raise AccountError(f"unknown site(s) {', '.join(unknown)}; the layout has: {known}")
        served = [layout.site(site) for site in chosen] if chosen else list(layout.sites)
        if department and not any(site.department(department) for site in served):
            raise AccountError(f"unknown department {department!r} at the account's sites")
    return chosen, department or None


def add_user(session, username: str, password: str, role: str, sites: Iterable[str] | None = None,
             department: str | None = None, layout: Layout | None = None) -> User:
    """A new active account; ``sites`` None (or empty) serves every site. With ``layout``, sites and the
    department must exist in it."""
    if not username or len(username) > 64 or username != username.strip():
        raise AccountError("username must be 1 to 64 characters, without surrounding spaces")
    chosen, department = _scope(role, sites, department, layout)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"user {username!r} already exists")
    user = User(username=username, role=role, password_hash=hash_password(password), active=True,
                created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None), sites=sites_to_column(chosen),
                department=department, token_version=0)
    session.add(user)
    session.flush()
    return user


def _user(session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username).with_for_update())
    if user is None:
        raise AccountError(f"no user {username!r}")
    return user


def set_password(session, username: str, password: str) -> User:
    user = _user(session, username)
    user.password_hash = hash_password(password)
    user.token_version = (user.token_version or 0) + 1
    return user


def set_active(session, username: str, active: bool) -> bool:
    """Whether anything changed; disabling ends the account's tokens, enabling does not revive them."""
    user = _user(session, username)
    if user.active == active:
        return False
    user.active = active
    if not active:
        user.token_version = (user.token_version or 0) + 1
    return True


def list_users(session) -> list[dict]:
    """Every account without its password hash."""
    rows = session.execute(select(User.username, User.role, User.sites, User.department, User.active)
                           .order_by(User.username))
    return [{"username": row.username, "role": row.role, "sites": sites_from_column(row.sites),
             "department": row.department, "active": bool(row.active)} for row in rows]
