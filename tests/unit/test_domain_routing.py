from datetime import date

import pytest

from server.domain.errors import ServiceUnavailable
from server.domain.routing import Route, delegation_in_force, route, windows_for_queue
from tests.unit.domain_factories import make_delegation, make_queue, make_service, make_site, make_window

DELEGATION = make_delegation(
    services=("archive-copy",), queue="general", valid_from=date(2024, 7, 1), valid_until=date(2027, 6, 30)
)
EXPIRED = make_delegation(
    services=("gas-permit",), queue="general", valid_from=date(2023, 1, 1), valid_until=date(2025, 12, 31)
)
SITE = make_site(
    queues=(make_queue("business", "A"), make_queue("general", "G", kind="general")),
    services=(
        make_service("company-registration", "business"),
        make_service("archive-copy", None, department="archives"),
        make_service("gas-permit", None, department="emergency"),
        make_service("weather-check", "business", department="weather"),
    ),
    windows=(
        make_window("w1", ("business",)),
        make_window("w7", ("general",), kind="general"),
        make_window("w2", ("business", "general")),
        make_window("w8", ("general",), kind="general"),
    ),
    delegations=(DELEGATION, EXPIRED),
)


def test_a_delegation_is_in_force_on_its_first_and_last_day_but_not_the_day_after():
    assert not delegation_in_force(DELEGATION, date(2024, 6, 30))
    assert delegation_in_force(DELEGATION, date(2024, 7, 1))
    assert delegation_in_force(DELEGATION, date(2027, 6, 30))
    assert not delegation_in_force(DELEGATION, date(2027, 7, 1))


def test_an_item_routes_to_its_home_queue_and_every_window_serving_it_in_layout_order():
    assert route(SITE, "company-registration", date(2026, 11, 26)) == Route(
        service="company-registration", queue="business", windows=("w1", "w2"), authority=None
    )


@pytest.mark.parametrize("day", [date(2024, 7, 1), date(2026, 11, 26), date(2027, 6, 30)])
def test_a_delegated_item_goes_to_the_general_queue_while_the_delegation_is_in_force(day):
    assert route(SITE, "archive-copy", day) == Route(
        service="archive-copy", queue="general", windows=("w7", "w2", "w8"), authority="accept"
    )


def test_a_delegated_item_is_unavailable_the_day_after_the_delegation_ends():
    with pytest.raises(ServiceUnavailable) as raised:
        route(SITE, "archive-copy", date(2027, 7, 1))
    assert raised.value.code == "service_unavailable"
    assert "archive-copy事项" in raised.value.message


def test_an_item_with_no_queue_and_only_an_expired_delegation_raises_service_unavailable():
    with pytest.raises(ServiceUnavailable):
        route(SITE, "gas-permit", date(2026, 11, 26))


def test_a_delegation_in_force_wins_over_the_home_queue_and_carries_its_authority():
    handled = make_delegation(services=("weather-check",), queue="general", authority="handle")
    site = make_site(queues=SITE.queues, services=SITE.services, windows=SITE.windows, delegations=(handled,))
    result = route(site, "weather-check", date(2026, 11, 26))
    assert (result.queue, result.authority) == ("general", "handle")
    assert route(site, "weather-check", date(2027, 7, 1)).queue == "business"


def test_an_unknown_item_raises_key_error():
    with pytest.raises(KeyError):
        route(SITE, "no-such-item", date(2026, 11, 26))


def test_windows_for_queue_lists_own_queues_only_and_nothing_for_an_unserved_queue():
    assert windows_for_queue(SITE, "general") == ("w7", "w2", "w8")
    assert windows_for_queue(SITE, "pickup") == ()
