"""Who may manage a site: a manager or an admin (contract v1.1); anyone else logged in gets 403."""

from __future__ import annotations

from functools import wraps

from flask import g

from server.auth import require_staff
from server.domain.errors import AuthError

MANAGING_ROLES = ("manager", "admin")


def require_manager(view):
    """The view runs for a manager or admin (``g.actor``); 401 without a login, 403 for other roles."""

    @require_staff
    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.actor.role not in MANAGING_ROLES:
            raise AuthError("forbidden_role", "仅大厅管理人员可查看 / for hall managers only", status=403)
        return view(*args, **kwargs)

    return wrapper
