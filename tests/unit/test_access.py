"""The access rules as plain Python: which sites an account serves and which roles act at a window."""

from __future__ import annotations

import pytest

from server.domain.access import (
    WINDOW_ROLES,
    check_role,
    check_site,
    may_act_on_site,
    sites_from_column,
    sites_to_column,
)
from server.domain.commands import Actor
from server.domain.errors import AuthError


def actor(role: str = "clerk", sites: tuple[str, ...] | None = None) -> Actor:
    return Actor(1, "anna", role, sites)


def test_an_account_without_sites_serves_every_site_and_one_with_sites_only_those():
    assert may_act_on_site(actor(), "branch")
    assert may_act_on_site(actor(sites=("county",)), "county")
    assert not may_act_on_site(actor(sites=("county",)), "branch")
    assert not may_act_on_site(actor("manager", ("county",)), "branch")


def test_an_admin_serves_every_site_whatever_its_list():
    assert may_act_on_site(actor("admin", ("county",)), "branch")


def test_a_site_outside_the_list_is_403_forbidden_site():
    with pytest.raises(AuthError) as refused:
        check_site(actor(sites=("county",)), "branch")
    assert (refused.value.status, refused.value.code) == (403, "forbidden_site")


@pytest.mark.parametrize("role, allowed", [("clerk", True), ("manager", True), ("admin", True),
                                           ("backoffice", False)])
def test_only_clerks_managers_and_admins_act_at_windows(role, allowed):
    if allowed:
        check_role(actor(role), WINDOW_ROLES)
        return
    with pytest.raises(AuthError) as refused:
        check_role(actor(role), WINDOW_ROLES)
    assert (refused.value.status, refused.value.code) == (403, "forbidden_role")
    assert " / " in refused.value.message


def test_the_sites_column_round_trips_and_null_means_every_site():
    assert sites_from_column(sites_to_column(("county", "镇"))) == ("county", "镇")
    assert sites_from_column(None) is None and sites_to_column(None) is None


def test_an_actor_made_the_old_way_serves_every_site():
    assert Actor(7, "old", "clerk").sites is None and Actor(7, "old", "clerk").department is None
