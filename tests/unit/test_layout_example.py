"""The shipped example: the Guzhen county halls of the reform plan."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from layout.loader import check_layout, load_layout
from layout.model import Layout, Site

EXAMPLE = Path(__file__).resolve().parents[2] / "layout" / "examples" / "county.yaml"

SIXTEEN_DEPARTMENTS = (
    "县委办公室（档案局）",
    "县委统战部",
    "县档案馆",
    "县教育局",
    "县科技局",
    "县工业和信息化局",
    "县财政局",
    "县水利局",
    "县商务局",
    "县退役军人局",
    "县应急局",
    "县统计局",
    "县残联",
    "县消防救援局",
    "县气象局",
    "县烟草专卖局",
)


@pytest.fixture(scope="module")
def example() -> Layout:
    return load_layout(EXAMPLE)


@pytest.fixture(scope="module")
def county(example: Layout) -> Site:
    site = example.site("county")
    assert site is not None
    return site


def test_the_example_has_no_problems() -> None:
    assert check_layout(EXAMPLE) == []


def test_the_example_remembers_the_file_it_came_from(example: Layout) -> None:
    assert example.source == str(EXAMPLE)


def test_the_example_has_one_site_of_each_level(example: Layout) -> None:
    assert [(site.id, site.level) for site in example.sites] == [
        ("county", "county"),
        ("branch", "branch"),
        ("devzone", "devzone"),
        ("township-liancheng", "township"),
        ("village-wangzhuang", "village"),
    ]


def test_the_example_lists_at_least_sixty_items(example: Layout) -> None:
    assert sum(len(site.services) for site in example.sites) >= 60


def test_at_least_twelve_items_carry_a_checklist_of_three_to_seven_materials(example: Layout) -> None:
    checklists = [
        service.checklist for site in example.sites for service in site.services if service.checklist
    ]
    assert len(checklists) >= 12
    assert all(3 <= len(checklist) <= 7 for checklist in checklists)


def test_window_numbers_are_unique_within_each_site(example: Layout) -> None:
    for site in example.sites:
        numbers = [window.number for window in site.windows]
        assert len(numbers) == len(set(numbers)), site.id


def test_every_item_has_an_average_duration_an_area_and_a_way_to_a_window(example: Layout) -> None:
    for site in example.sites:
        delegated = {service for delegation in site.delegations for service in delegation.services}
        for service in site.services:
            assert service.average_minutes > 0
            assert service.area is not None, service.id
            assert service.queue is not None or service.id in delegated, service.id


def test_the_county_centre_has_about_thirty_windows_numbered_from_one(county: Site) -> None:
    assert 25 <= len(county.windows) <= 30
    assert sorted(int(window.number) for window in county.windows) == list(range(1, len(county.windows) + 1))


def test_the_county_centre_has_every_kind_of_window(county: Site) -> None:
    kinds = Counter(window.kind for window in county.windows)
    assert kinds["pickup"] == 1
    assert kinds["consult"] >= 1
    assert kinds["general"] >= 4
    assert kinds["subject"] >= 15


def test_the_county_centre_has_the_six_function_areas_of_the_hall(county: Site) -> None:
    names = " ".join(zone.name for zone in county.zones)
    for function_area in ("综合咨询", "申办辅导", "综合受理", "网上服务", "排队等候", "综合出件"):
        assert function_area in names


def test_the_county_centre_has_theme_and_industry_subject_windows(county: Site) -> None:
    subject_queues = {queue.name for queue in county.queues if queue.kind == "subject"}
    for domain in ("企业登记", "工程建设", "不动产登记", "公安", "交通运输", "医保", "税务"):
        assert any(domain in name for name in subject_queues), domain


def test_each_of_the_sixteen_departments_delegates_items_to_a_general_queue(county: Site) -> None:
    names = {department.id: department.name for department in county.departments}
    general = {queue.id for queue in county.queues if queue.kind == "general"}
    delegating = {names[delegation.department] for delegation in county.delegations}
    assert delegating == set(SIXTEEN_DEPARTMENTS)
    assert all(delegation.queue in general for delegation in county.delegations)


def test_general_windows_split_into_livelihood_and_construction(county: Site) -> None:
    general_names = {queue.name for queue in county.queues if queue.kind == "general"}
    assert any("民生经济" in name for name in general_names)
    assert any("建设领域" in name for name in general_names)


def test_water_power_gas_and_telecom_items_go_to_general_windows(county: Site) -> None:
    general = {queue.id for queue in county.queues if queue.kind == "general"}
    utilities = [service for service in county.services if service.area == "utilities"]
    assert {"用水报装", "低压用电报装", "管道燃气报装"} <= {service.name for service in utilities}
    assert any("宽带" in service.name for service in utilities)
    assert all(service.queue in general for service in utilities)


def test_one_delegation_has_expired_and_the_rest_are_in_force_today(county: Site) -> None:
    day = dt.date(2026, 11, 26)
    expired = [delegation for delegation in county.delegations if delegation.valid_until < day]
    assert [delegation.id for delegation in expired] == ["tobacco-2022"]
    assert expired[0].valid_until == dt.date(2025, 12, 31)
    in_force = [
        delegation
        for delegation in county.delegations
        if delegation.valid_from <= day <= delegation.valid_until
    ]
    assert len(in_force) == len(county.delegations) - 1


def test_some_delegations_let_the_general_window_handle_items_at_once(county: Site) -> None:
    handled = {delegation.department for delegation in county.delegations if delegation.authority == "handle"}
    assert "archives" in handled
    assert all(delegation.responsibilities for delegation in county.delegations)


def test_general_windows_help_a_subject_queue_after_thirty_minutes(county: Site) -> None:
    queue_kinds = {queue.id: queue.kind for queue in county.queues}
    general_help = [
        overflow
        for window in county.windows
        if window.kind == "general"
        for overflow in window.overflow
        if queue_kinds[overflow.queue] == "subject"
    ]
    assert general_help
    assert all(overflow.after_minutes == 30 for overflow in general_help)


def test_one_subject_queue_is_helped_by_another_subject_window(county: Site) -> None:
    queue_kinds = {queue.id: queue.kind for queue in county.queues}
    helped = {
        overflow.queue
        for window in county.windows
        if window.kind == "subject"
        for overflow in window.overflow
        if queue_kinds[overflow.queue] == "subject" and overflow.queue not in window.queues
    }
    assert helped == {"business"}


def test_elderly_disabled_military_and_appointment_tickets_are_called_two_to_one(county: Site) -> None:
    priority = county.priority
    assert [item.name for item in priority.classes] == ["老年人", "残疾人", "军人", "预约"]
    assert (priority.priority_calls, priority.normal_calls) == (2, 1)


def test_daily_caps_limit_a_real_estate_item_and_a_queue(county: Site) -> None:
    transfer = county.service("second-hand-transfer")
    assert transfer is not None and transfer.daily_cap == 80
    assert [queue.id for queue in county.queues if queue.daily_cap] == ["police"]


def test_the_county_kiosks_print_on_the_network_and_through_the_print_agent(county: Site) -> None:
    k1, k2 = county.kiosk("k1"), county.kiosk("k2")
    assert k1 is not None and k1.printer is not None
    assert (k1.printer.type, k1.printer.host, k1.printer.port, k1.printer.paper_mm) == (
        "network",
        "127.0.0.1",
        9100,
        80,
    )
    assert k2 is not None and k2.printer is not None
    assert (k2.printer.type, k2.printer.paper_mm, k2.printer.qr) == ("agent", 58, "image")


def test_the_lobby_display_shows_every_zone_and_speaks(county: Site) -> None:
    lobby = county.display("lobby")
    assert lobby is not None
    assert set(lobby.zones) == {zone.id for zone in county.zones}
    assert lobby.voice and lobby.notice
    floor2 = county.display("floor2")
    assert floor2 is not None and floor2.zones == ("accept-2f",)


def test_zones_areas_and_queues_have_english_names(example: Layout) -> None:
    for site in example.sites:
        for item in (*site.zones, *site.areas, *site.queues):
            assert item.name_en, f"{site.id}: {item.id}"


def test_every_site_has_a_kiosk_a_display_and_opening_hours_in_shanghai_time(example: Layout) -> None:
    for site in example.sites:
        assert site.kiosks and site.displays and site.hours, site.id
        assert site.timezone == "Asia/Shanghai"


def test_the_branch_centre_has_its_five_industry_windows(example: Layout) -> None:
    branch = example.site("branch")
    assert branch is not None
    assert [queue.name for queue in branch.queues] == [
        "公安车管综合",
        "社会事务综合",
        "人社综合",
        "婚姻登记",
        "公积金综合",
    ]
    assert {"法律援助申请", "公证咨询", "机动车驾驶证换证"} <= {service.name for service in branch.services}


def test_the_development_zone_splits_individuals_and_enterprises_and_offers_assisted_service(
    example: Layout,
) -> None:
    devzone = example.site("devzone")
    assert devzone is not None
    assert [(queue.id, queue.kind) for queue in devzone.queues if queue.kind == "subject"] == [
        ("individual", "subject"),
        ("enterprise", "subject"),
    ]
    lounge = devzone.zone("enterprise-lounge")
    assert lounge is not None and lounge.name == "企业服务专区"
    assisted_windows = [window for window in devzone.windows if "assisted" in window.queues]
    assert assisted_windows and all(window.zone == "enterprise-lounge" for window in assisted_windows)


def test_the_township_has_market_and_police_windows_and_general_windows(example: Layout) -> None:
    township = example.site("township-liancheng")
    assert township is not None
    assert sorted(queue.kind for queue in township.queues) == ["general", "subject", "subject"]


def test_the_village_station_accepts_everything_at_one_or_two_general_windows(example: Layout) -> None:
    village = example.site("village-wangzhuang")
    assert village is not None
    assert 1 <= len(village.windows) <= 2
    assert all(window.kind == "general" for window in village.windows)
    assert {service.queue for service in village.services} == {"all"}
