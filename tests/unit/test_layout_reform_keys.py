"""Layout keys of the reform's later capabilities: the working-day calendar, promised days and delivery,
appointment slots and rules, and the 好差评 form."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from layout.loader import load_layout
from tests.unit.test_layout_rules import only_problem, problems_after, problems_of, valid_site


def test_the_reform_keys_have_defaults_and_are_read_as_written(tmp_path: Path) -> None:
    site = valid_site()
    assert problems_of(tmp_path, site) == []
    plain = load_layout(tmp_path / "layout.yaml").site("hall")
    assert (plain.holidays, plain.workdays) == ((), ())
    assert plain.services[0].promised_days == 0 and plain.services[0].delivery == ("pickup",)
    assert plain.services[0].appointments is None
    assert (plain.appointments.early_minutes, plain.appointments.late_minutes) == (30, 15)
    assert plain.rating.rectify_working_days == 5 and plain.rating.levels == ()

    site["holidays"] = ["2026-10-01", "2026-10-02"]
    site["workdays"] = ["2026-10-10"]
    site["services"][0].update(promised_days=5, delivery=["pickup", "mail"],
                               appointments={"slot_minutes": 20, "per_slot": 3, "days_ahead": 10})
    site["appointments"] = {"early_minutes": 20, "late_minutes": 10, "per_person_per_day": 2}
    site["rating"] = {"rectify_working_days": 3, "reasons": [{"id": "slow", "name": "办理时间长"}]}
    assert problems_of(tmp_path, site) == []
    loaded = load_layout(tmp_path / "layout.yaml").site("hall")
    assert loaded.holidays == (dt.date(2026, 10, 1), dt.date(2026, 10, 2))
    assert loaded.workdays == (dt.date(2026, 10, 10),)
    service = loaded.services[0]
    assert (service.promised_days, service.delivery) == (5, ("pickup", "mail"))
    assert (service.appointments.slot_minutes, service.appointments.per_slot) == (20, 3)
    assert loaded.appointments.per_person_per_day == 2
    assert loaded.rating.rectify_working_days == 3 and loaded.rating.reasons[0].name == "办理时间长"


def test_a_make_up_day_on_a_weekday_and_a_date_listed_twice_are_refused(tmp_path: Path) -> None:
    def weekday(site):
        site["workdays"] = ["2026-10-09"]  # a Friday

    problem = only_problem(problems_after(tmp_path, weekday))
    assert problem.path == "sites[0].workdays[0]" and "weekday" in problem.message

    def both(site):
        site["holidays"] = ["2026-10-10"]
        site["workdays"] = ["2026-10-10"]

    assert only_problem(problems_after(tmp_path, both)).path == "sites[0].workdays[0]"


def test_promised_days_delivery_and_slots_are_checked(tmp_path: Path) -> None:
    cases = {
        "promised_days": (lambda s: s["services"][0].update(promised_days=-1), "sites[0].services[0].promised_days"),
        "delivery": (lambda s: s["services"][0].update(delivery=[]), "sites[0].services[0].delivery"),
        "twice": (lambda s: s["services"][0].update(delivery=["mail", "mail"]), "sites[0].services[0].delivery"),
        "way": (lambda s: s["services"][0].update(delivery=["drone"]), "sites[0].services[0].delivery[0]"),
        "slot": (lambda s: s["services"][0].update(appointments={"slot_minutes": 2}),
                 "sites[0].services[0].appointments.slot_minutes"),
        "capacity": (lambda s: s["services"][0].update(appointments={"per_slot": 0}),
                     "sites[0].services[0].appointments.per_slot"),
        "per_person": (lambda s: s.update(appointments={"per_person_per_day": 0}),
                       "sites[0].appointments.per_person_per_day"),
    }
    for name, (change, path) in cases.items():
        assert only_problem(problems_after(tmp_path, change)).path == path, name


def test_a_rating_form_in_the_layout_names_the_five_levels_once(tmp_path: Path) -> None:
    def four_levels(site):
        site["rating"] = {"levels": [{"level": n, "name": f"第{n}级"} for n in (1, 2, 3, 5)]}

    assert only_problem(problems_after(tmp_path, four_levels)).path == "sites[0].rating.levels"

    def reason_twice(site):
        site["rating"] = {"reasons": [{"id": "slow", "name": "慢"}, {"id": "slow", "name": "很慢"}]}

    assert only_problem(problems_after(tmp_path, reason_twice)).path == "sites[0].rating.reasons[1].id"

    def no_days(site):
        site["rating"] = {"rectify_working_days": 0}

    assert only_problem(problems_after(tmp_path, no_days)).path == "sites[0].rating.rectify_working_days"
