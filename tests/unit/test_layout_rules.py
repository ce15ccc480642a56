"""Validation rules, each shown by breaking one thing in an otherwise valid site."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from layout.loader import LayoutError, Problem, check_layout, load_layout


def valid_site() -> dict[str, Any]:
    """A small county hall with one of everything, valid as it stands."""
    return {
        "id": "hall",
        "name": "测试县政务服务中心",
        "level": "county",
        "timezone": "Asia/Shanghai",
        "hours": [{"days": [1, 2, 3, 4, 5], "opens": "08:30", "closes": "17:30"}],
        "floors": [{"id": "f1", "name": "一楼"}],
        "zones": [
            {"id": "accept", "name": "综合受理区", "floor": "f1"},
            {"id": "waiting", "name": "排队等候区", "floor": "f1"},
        ],
        "departments": [
            {"id": "market", "name": "县市场监督管理局"},
            {"id": "education", "name": "县教育局"},
        ],
        "areas": [{"id": "enterprise", "name": "企业开办"}, {"id": "livelihood", "name": "民生事务"}],
        "queues": [
            {"id": "business", "name": "企业登记", "prefix": "A", "kind": "subject"},
            {"id": "general", "name": "民生经济综合", "prefix": "H", "kind": "general"},
        ],
        "services": [
            {
                "id": "company",
                "name": "企业设立登记",
                "department": "market",
                "queue": "business",
                "area": "enterprise",
            },
            {
                "id": "teacher",
                "name": "教师资格认定",
                "department": "education",
                "queue": None,
                "area": "livelihood",
            },
        ],
        "windows": [
            {
                "id": "w1",
                "number": 1,
                "name": "1号窗口 企业登记",
                "zone": "accept",
                "kind": "subject",
                "queues": ["business"],
            },
            {
                "id": "w2",
                "number": 2,
                "name": "2号窗口 民生经济综合",
                "zone": "accept",
                "kind": "general",
                "queues": ["general"],
                "overflow": [{"queue": "business", "after_minutes": 30}],
            },
        ],
        "delegations": [
            {
                "id": "education-2024",
                "department": "education",
                "services": ["teacher"],
                "queue": "general",
                "from": dt.date(2024, 7, 1),
                "until": dt.date(2027, 6, 30),
            }
        ],
        "priority": {
            "priority_calls": 2,
            "normal_calls": 1,
            "classes": [{"id": "elderly", "name": "老年人"}],
        },
        "kiosks": [
            {
                "id": "k1",
                "name": "取号机",
                "zone": "waiting",
                "areas": ["enterprise"],
                "printer": {"type": "dummy"},
            }
        ],
        "displays": [{"id": "lobby", "name": "大厅综合屏", "zones": ["accept", "waiting"]}],
    }


def problems_of(tmp_path: Path, *sites: dict[str, Any]) -> list[Problem]:
    file = tmp_path / "layout.yaml"
    file.write_text(
        yaml.safe_dump({"sites": list(sites)}, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return check_layout(file)


def problems_after(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> list[Problem]:
    site = valid_site()
    change(site)
    return problems_of(tmp_path, site)


def only_problem(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(str(problem) for problem in problems)
    return problems[0]


def test_the_valid_site_used_by_these_tests_has_no_problems(tmp_path: Path) -> None:
    assert problems_of(tmp_path, valid_site()) == []


def test_a_valid_layout_loads_into_typed_values(tmp_path: Path) -> None:
    problems_of(tmp_path, valid_site())
    site = load_layout(tmp_path / "layout.yaml").sites[0]
    assert site.hours[0].opens == dt.time(8, 30)
    assert site.windows[0].number == "1"
    assert site.windows[1].overflow[0].after_minutes == 30.0
    assert site.delegations[0].valid_until == dt.date(2027, 6, 30)
    assert site.service("teacher") is not None and site.service("teacher").queue is None


# Keys and types -------------------------------------------------------------------------------------


def test_a_mistyped_key_is_reported_with_the_key_it_probably_meant(tmp_path: Path) -> None:
    problem = only_problem(problems_after(tmp_path, lambda site: site["services"][0].update(daily_cpa=5)))
    assert problem.path == "sites[0].services[0].daily_cpa"
    assert "unknown key 'daily_cpa'" in problem.message and "did you mean 'daily_cap'?" in problem.message


def test_a_missing_required_key_is_reported_on_its_mapping(tmp_path: Path) -> None:
    problem = only_problem(problems_after(tmp_path, lambda site: site["windows"][0].pop("zone")))
    assert problem.path == "sites[0].windows[0]"
    assert "missing required key 'zone'" in problem.message


def test_a_value_of_the_wrong_type_is_reported_with_what_was_found(tmp_path: Path) -> None:
    problem = only_problem(
        problems_after(tmp_path, lambda site: site["services"][0].update(average_minutes="ten"))
    )
    assert problem.path == "sites[0].services[0].average_minutes"
    assert "expected a number, got text 'ten'" in problem.message


def test_a_kind_outside_the_allowed_choices_is_reported_with_the_choices(tmp_path: Path) -> None:
    problem = only_problem(problems_after(tmp_path, lambda site: site["queues"][1].update(kind="genral")))
    assert problem.path == "sites[0].queues[1].kind"
    assert (
        "subject, general, pickup, consult" in problem.message
        and "did you mean 'general'?" in problem.message
    )


def test_delegation_terms_are_written_with_from_and_until(tmp_path: Path) -> None:
    def rename(site: dict[str, Any]) -> None:
        site["delegations"][0]["valid_from"] = site["delegations"][0].pop("from")

    paths = sorted(problem.path for problem in problems_after(tmp_path, rename))
    assert paths == ["sites[0].delegations[0]", "sites[0].delegations[0].valid_from"]


@pytest.mark.parametrize("bad_id", ["hall one", "大厅", "-hall", "a/b"])
def test_ids_must_be_usable_in_web_addresses(tmp_path: Path, bad_id: str) -> None:
    problem = only_problem(problems_after(tmp_path, lambda site: site.update(id=bad_id)))
    assert problem.path == "sites[0].id"
    assert repr(bad_id) in problem.message


def test_a_required_name_must_not_be_empty(tmp_path: Path) -> None:
    problem = only_problem(problems_after(tmp_path, lambda site: site["zones"][0].update(name=" ")))
    assert problem.path == "sites[0].zones[0].name"


# Ids and references -----------------------------------------------------------------------------------


def test_ids_must_be_unique_within_each_kind_but_may_repeat_across_kinds(tmp_path: Path) -> None:
    def duplicate(site: dict[str, Any]) -> None:
        site["services"].append(dict(site["services"][0], name="企业设立登记（重复）"))

    problem = only_problem(problems_after(tmp_path, duplicate))
    assert problem.path == "sites[0].services[2].id"
    assert "duplicate service id 'company'" in problem.message
    # An area may carry the id of a queue ("business"): ids are unique per kind.
    assert (
        problems_after(tmp_path, lambda site: site["areas"].append({"id": "business", "name": "企业"})) == []
    )


def test_site_ids_must_be_unique_across_the_layout(tmp_path: Path) -> None:
    problem = only_problem(problems_of(tmp_path, valid_site(), valid_site()))
    assert problem.path == "sites[1].id"
    assert "duplicate site id 'hall'" in problem.message and "sites[0].id" in problem.message


def _set(*keys: str | int, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(site: dict[str, Any]) -> None:
        target: Any = site
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "path", "kind"),
    [
        (_set("zones", 0, "floor", value="f9"), "sites[0].zones[0].floor", "floor"),
        (_set("services", 0, "department", value="police"), "sites[0].services[0].department", "department"),
        (_set("services", 0, "queue", value="nowhere"), "sites[0].services[0].queue", "queue"),
        (_set("services", 0, "area", value="nowhere"), "sites[0].services[0].area", "area"),
        (_set("windows", 0, "zone", value="lobby"), "sites[0].windows[0].zone", "zone"),
        (_set("windows", 1, "queues", value=["general", "tax"]), "sites[0].windows[1].queues[1]", "queue"),
        (
            _set("windows", 1, "overflow", 0, "queue", value="tax"),
            "sites[0].windows[1].overflow[0].queue",
            "queue",
        ),
        (
            _set("delegations", 0, "department", value="police"),
            "sites[0].delegations[0].department",
            "department",
        ),
        (
            _set("delegations", 0, "services", value=["teacher", "x"]),
            "sites[0].delegations[0].services[1]",
            "service",
        ),
        (_set("delegations", 0, "queue", value="nowhere"), "sites[0].delegations[0].queue", "queue"),
        (_set("kiosks", 0, "zone", value="lobby"), "sites[0].kiosks[0].zone", "zone"),
        (_set("kiosks", 0, "areas", value=["tax"]), "sites[0].kiosks[0].areas[0]", "area"),
        (_set("displays", 0, "zones", value=["accept", "hall"]), "sites[0].displays[0].zones[1]", "zone"),
    ],
)
def test_a_reference_to_something_that_does_not_exist_is_reported(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], path: str, kind: str
) -> None:
    problems = problems_after(tmp_path, change)
    matching = [problem for problem in problems if problem.path == path]
    assert len(matching) == 1, problems
    assert matching[0].message.startswith(f"unknown {kind} ")


# Items, queues and windows -------------------------------------------------------------------------------


def test_an_item_with_neither_a_queue_nor_a_delegation_is_reported(tmp_path: Path) -> None:
    problem = only_problem(problems_after(tmp_path, lambda site: site.pop("delegations")))
    assert problem.path == "sites[0].services[1]"
    assert "service 'teacher' has no queue and no delegation" in problem.message


def test_an_item_whose_only_delegation_has_expired_is_still_a_valid_layout(tmp_path: Path) -> None:
    change = _set("delegations", 0, "until", value=dt.date(2025, 12, 31))
    assert problems_after(tmp_path, change) == []


@pytest.mark.parametrize("prefix", ["a", "ABC", "1", "", "Å"])
def test_a_ticket_prefix_is_one_or_two_capital_letters(tmp_path: Path, prefix: str) -> None:
    problem = only_problem(problems_after(tmp_path, _set("queues", 0, "prefix", value=prefix)))
    assert problem.path == "sites[0].queues[0].prefix"


def test_two_queues_may_not_share_a_prefix(tmp_path: Path) -> None:
    problem = only_problem(problems_after(tmp_path, _set("queues", 1, "prefix", value="A")))
    assert problem.path == "sites[0].queues[1].prefix"
    assert "prefix 'A' of queue 'general' is already used by queue 'business'" in problem.message


def test_a_prefix_may_not_begin_another_prefix(tmp_path: Path) -> None:
    problem = only_problem(problems_after(tmp_path, _set("queues", 1, "prefix", value="AH")))
    assert problem.path == "sites[0].queues[1].prefix"
    assert "overlaps prefix 'A'" in problem.message


@pytest.mark.parametrize("cap", [0, -5])
def test_daily_caps_must_be_positive_on_queues_and_items(tmp_path: Path, cap: int) -> None:
    def set_caps(site: dict[str, Any]) -> None:
        site["queues"][0]["daily_cap"] = cap
        site["services"][0]["daily_cap"] = cap

    problems = problems_after(tmp_path, set_caps)
    assert sorted(problem.path for problem in problems) == [
        "sites[0].queues[0].daily_cap",
        "sites[0].services[0].daily_cap",
    ]


def test_a_daily_cap_must_be_a_whole_number(tmp_path: Path) -> None:
    problem = only_problem(problems_after(tmp_path, _set("queues", 0, "daily_cap", value=2.5)))
    assert "expected a whole number" in problem.message


def test_a_window_that_serves_no_queue_is_reported(tmp_path: Path) -> None:
    def empty(site: dict[str, Any]) -> None:
        site["windows"].append(dict(site["windows"][0], id="w3", number=3, queues=[]))

    problem = only_problem(problems_after(tmp_path, empty))
    assert problem.path == "sites[0].windows[2].queues"


def test_a_queue_that_no_window_serves_is_reported(tmp_path: Path) -> None:
    def serve_general_only(site: dict[str, Any]) -> None:
        site["windows"][0].update(kind="general", queues=["general"])

    problem = only_problem(problems_after(tmp_path, serve_general_only))
    assert problem.path == "sites[0].queues[0]"
    assert "no window serves queue 'business'" in problem.message


def test_window_numbers_must_be_unique_within_a_site(tmp_path: Path) -> None:
    problem = only_problem(problems_after(tmp_path, _set("windows", 1, "number", value="1")))
    assert problem.path == "sites[0].windows[1].number"


@pytest.mark.parametrize("number", ["B3", "12", 7])
def test_window_numbers_may_be_digits_with_an_optional_letter(tmp_path: Path, number: Any) -> None:
    assert problems_after(tmp_path, _set("windows", 1, "number", value=number)) == []


def test_overflow_waits_may_not_be_negative(tmp_path: Path) -> None:
    problem = only_problem(
        problems_after(tmp_path, _set("windows", 1, "overflow", 0, "after_minutes", value=-1))
    )
    assert problem.path == "sites[0].windows[1].overflow[0].after_minutes"


# Delegations -------------------------------------------------------------------------------------------


def test_a_delegation_that_ends_before_it_starts_is_reported(tmp_path: Path) -> None:
    problem = only_problem(
        problems_after(tmp_path, _set("delegations", 0, "until", value=dt.date(2024, 6, 30)))
    )
    assert problem.path == "sites[0].delegations[0].until"


def test_a_delegation_may_start_and_end_on_the_same_day(tmp_path: Path) -> None:
    assert problems_after(tmp_path, _set("delegations", 0, "until", value=dt.date(2024, 7, 1))) == []


def test_a_delegation_to_a_queue_that_is_not_general_is_reported(tmp_path: Path) -> None:
    problem = only_problem(problems_after(tmp_path, _set("delegations", 0, "queue", value="business")))
    assert problem.path == "sites[0].delegations[0].queue"
    assert "of kind subject" in problem.message


def test_a_department_cannot_delegate_another_departments_item(tmp_path: Path) -> None:
    problem = only_problem(
        problems_after(tmp_path, _set("delegations", 0, "services", value=["teacher", "company"]))
    )
    assert problem.path == "sites[0].delegations[0].services[1]"
    assert "service 'company' belongs to department 'market'" in problem.message


def test_two_delegations_of_one_item_with_overlapping_terms_are_reported(tmp_path: Path) -> None:
    def renew_early(site: dict[str, Any]) -> None:
        renewal = copy.deepcopy(site["delegations"][0])
        renewal.update(id="education-2027", **{"from": dt.date(2027, 6, 1), "until": dt.date(2030, 6, 30)})
        site["delegations"].append(renewal)

    problem = only_problem(problems_after(tmp_path, renew_early))
    assert problem.path == "sites[0].delegations[1].services[0]"
    assert "also delegated by 'education-2024'" in problem.message


def test_a_renewal_that_starts_the_day_after_the_old_term_is_fine(tmp_path: Path) -> None:
    def renew(site: dict[str, Any]) -> None:
        renewal = copy.deepcopy(site["delegations"][0])
        renewal.update(id="education-2027", **{"from": dt.date(2027, 7, 1), "until": dt.date(2030, 6, 30)})
        site["delegations"].append(renewal)

    assert problems_after(tmp_path, renew) == []


# Clock ------------------------------------------------------------------------------------------------


def test_a_time_zone_that_does_not_exist_is_reported(tmp_path: Path) -> None:
    problem = only_problem(problems_after(tmp_path, lambda site: site.update(timezone="Asia/Beijing")))
    assert problem.path == "sites[0].timezone"
    assert "Asia/Beijing" in problem.message


def test_opening_hours_must_open_before_they_close(tmp_path: Path) -> None:
    problem = only_problem(problems_after(tmp_path, _set("hours", 0, "closes", value="08:30")))
    assert problem.path == "sites[0].hours[0]"


@pytest.mark.parametrize(
    ("days", "path"), [([0, 1], "days[0]"), ([1, 8], "days[1]"), ([1, 1], "days[1]"), ([], "days")]
)
def test_opening_days_are_one_to_seven_each_once(tmp_path: Path, days: list[int], path: str) -> None:
    problem = only_problem(problems_after(tmp_path, _set("hours", 0, "days", value=days)))
    assert problem.path == f"sites[0].hours[0].{path}"


@pytest.mark.parametrize("time", ["8.30", "24:00", "08:60", "noon"])
def test_times_are_written_as_hours_and_minutes(tmp_path: Path, time: str) -> None:
    problem = only_problem(problems_after(tmp_path, _set("hours", 0, "opens", value=time)))
    assert problem.path == "sites[0].hours[0].opens"
    assert "HH:MM" in problem.message


def test_two_opening_periods_of_one_day_may_not_overlap(tmp_path: Path) -> None:
    def add_period(site: dict[str, Any]) -> None:
        site["hours"].append({"days": [5, 6], "opens": "17:00", "closes": "18:00"})

    problem = only_problem(problems_after(tmp_path, add_period))
    assert problem.path == "sites[0].hours[1]"
    assert "overlaps hours[0] on day 5" in problem.message


def test_the_call_template_fills_in_the_ticket_and_the_window(tmp_path: Path) -> None:
    problems = problems_after(
        tmp_path, lambda site: site.update(call_template="请{ticket}号到{counter}号办理")
    )
    assert [problem.path for problem in problems] == ["sites[0].call_template", "sites[0].call_template"]
    assert "{counter}" in problems[0].message and "{window}" in problems[1].message


def test_priority_calls_must_be_at_least_one(tmp_path: Path) -> None:
    problem = only_problem(problems_after(tmp_path, _set("priority", "normal_calls", value=0)))
    assert problem.path == "sites[0].priority.normal_calls"


# Devices ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printer", "path", "needed"),
    [
        ({"type": "network"}, "sites[0].kiosks[0].printer", "'host'"),
        ({"type": "serial"}, "sites[0].kiosks[0].printer", "'device'"),
        ({"type": "file"}, "sites[0].kiosks[0].printer", "'device'"),
        ({"type": "cups"}, "sites[0].kiosks[0].printer", "'device'"),
        ({"type": "usb", "usb_vendor": "0x0416"}, "sites[0].kiosks[0].printer", "'usb_product'"),
        ({"type": "bluetooth"}, "sites[0].kiosks[0].printer.type", "must be one of"),
        ({"type": "network", "host": "10.0.0.5", "port": 70000}, "sites[0].kiosks[0].printer.port", "port"),
        (
            {"type": "usb", "usb_vendor": "0x0416", "usb_product": "USB"},
            "sites[0].kiosks[0].printer.usb_product",
            "USB id",
        ),
    ],
)
def test_a_printer_missing_what_its_type_needs_is_reported_naming_the_kiosk(
    tmp_path: Path, printer: dict[str, Any], path: str, needed: str
) -> None:
    problem = only_problem(problems_after(tmp_path, _set("kiosks", 0, "printer", value=printer)))
    assert problem.path == path
    assert "kiosk 'k1'" in problem.message and needed in problem.message


def test_a_setting_that_the_printer_type_does_not_use_is_reported(tmp_path: Path) -> None:
    printer = {"type": "usb", "usb_vendor": 1046, "usb_product": 20497, "host": "10.0.0.5"}
    problem = only_problem(problems_after(tmp_path, _set("kiosks", 0, "printer", value=printer)))
    assert problem.path == "sites[0].kiosks[0].printer.host"
    assert "'host' is not used by a usb printer" in problem.message


@pytest.mark.parametrize(
    "printer",
    [
        {"type": "network", "host": "192.168.1.50"},
        {"type": "network", "host": "printer.hall.local", "port": 9101, "timeout_s": 1.5},
        {"type": "usb", "usb_vendor": "0x0416", "usb_product": "0x5011"},
        {"type": "serial", "device": "/dev/ttyUSB0", "baudrate": 19200},
        {"type": "file", "device": "/dev/usb/lp0"},
        {"type": "cups", "device": "XP-80C"},
        {"type": "dummy"},
        {"type": "agent", "paper_mm": 58, "qr": "image"},
    ],
)
def test_every_printer_type_is_accepted_with_its_own_settings(
    tmp_path: Path, printer: dict[str, Any]
) -> None:
    assert problems_after(tmp_path, _set("kiosks", 0, "printer", value=printer)) == []


def test_usb_ids_may_be_written_in_hex(tmp_path: Path) -> None:
    printer = {"type": "usb", "usb_vendor": "0x0416", "usb_product": "0x5011"}
    problems_after(tmp_path, _set("kiosks", 0, "printer", value=printer))
    config = load_layout(tmp_path / "layout.yaml").sites[0].kiosks[0].printer
    assert config is not None and (config.usb_vendor, config.usb_product) == (0x0416, 0x5011)


def test_paper_is_58_or_80_millimetres(tmp_path: Path) -> None:
    problem = only_problem(
        problems_after(tmp_path, _set("kiosks", 0, "printer", value={"type": "dummy", "paper_mm": 76}))
    )
    assert problem.path == "sites[0].kiosks[0].printer.paper_mm"


def test_a_display_must_show_at_least_one_zone(tmp_path: Path) -> None:
    problem = only_problem(problems_after(tmp_path, _set("displays", 0, "zones", value=[])))
    assert problem.path == "sites[0].displays[0].zones"


def test_a_display_repeats_its_voice_at_least_once(tmp_path: Path) -> None:
    problem = only_problem(problems_after(tmp_path, _set("displays", 0, "voice_repeat", value=0)))
    assert problem.path == "sites[0].displays[0].voice_repeat"


# Refusing a layout --------------------------------------------------------------------------------------


def test_a_layout_with_problems_is_refused_whole_with_all_of_them(tmp_path: Path) -> None:
    def break_twice(site: dict[str, Any]) -> None:
        site["windows"][0]["zone"] = "lobby"
        site["timezone"] = "Mars/Olympus"

    broken = valid_site()
    break_twice(broken)
    problems_of(tmp_path, valid_site() | {"id": "fine"}, broken)
    with pytest.raises(LayoutError) as caught:
        load_layout(tmp_path / "layout.yaml")
    assert sorted(problem.path for problem in caught.value.problems) == [
        "sites[1].timezone",
        "sites[1].windows[0].zone",
    ]
    assert str(caught.value).splitlines() == [str(problem) for problem in caught.value.problems]
