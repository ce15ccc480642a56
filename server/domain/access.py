"""Who may act where: the roles of staff accounts and the sites an account serves. Plain rules over an
``Actor``; the HTTP routes and the Socket.IO subscription ask them before anything is read or changed."""

from __future__ import annotations

import json
from collections.abc import Iterable

from server.domain.commands import Actor
from server.domain.errors import AuthError

# clerk: the windows of its sites. manager: what a clerk may, plus monitoring, statistics, assignments,
# cancels and rating follow-up. backoffice: the cases of its department, never a window. admin: everything.
ROLES = ("clerk", "manager", "backoffice", "admin")
WINDOW_ROLES = frozenset({"clerk", "manager", "admin"})
ROLE_NAMES = {"clerk": "窗口人员", "manager": "大厅管理人员", "backoffice": "后台审批人员", "admin": "系统管理员"}


def may_act_on_site(actor: Actor, site_id: str) -> bool:
    """An admin acts on every site; any other account on its own sites (``sites`` None: every site)."""
    return actor.role == "admin" or actor.sites is None or site_id in actor.sites


def check_site(actor: Actor, site_id: str) -> None:
    if not may_act_on_site(actor, site_id):
        raise AuthError("forbidden_site", f"该账号不能办理此大厅的业务：{site_id} / this account does not serve "
                                          f"site {site_id!r}", status=403)


def check_role(actor: Actor, roles: Iterable[str]) -> None:
    allowed = frozenset(roles)
    if actor.role not in allowed:
        names = "、".join(ROLE_NAMES.get(role, role) for role in ROLES if role in allowed)
        raise AuthError("forbidden_role", f"此操作仅限{names} / the {actor.role} role may not do this "
                                          f"(allowed: {', '.join(r for r in ROLES if r in allowed)})", status=403)


def sites_from_column(value: str | None) -> tuple[str, ...] | None:
    """``users.sites`` as stored (a JSON list, NULL for every site) → the Actor's ``sites``."""
    return None if value is None else tuple(json.loads(value))


def sites_to_column(sites: Iterable[str] | None) -> str | None:
    return None if sites is None else json.dumps(list(sites), ensure_ascii=False)
