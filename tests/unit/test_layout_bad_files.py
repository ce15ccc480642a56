"""The broken examples in layout/examples/bad/: each problem names its file, its path and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from layout.loader import LayoutError, check_layout, load_layout

BAD = Path(__file__).resolve().parents[2] / "layout" / "examples" / "bad"


@pytest.mark.parametrize(
    ("file_name", "path", "reason"),
    [
        ("duplicate-id.yaml", "sites[0].windows[1].id", "duplicate window id 'w1'"),
        ("unknown-queue.yaml", "sites[0].windows[2].queues[0]", "unknown queue 'pension'"),
        ("window-serves-nothing.yaml", "sites[0].windows[1].queues", "window 'w2' serves no queue"),
        (
            "delegation-backwards.yaml",
            "sites[0].delegations[0].until",
            "delegation 'education-2024' ends on 2024-06-30, before it starts on 2024-07-01",
        ),
        (
            "overlapping-prefix.yaml",
            "sites[0].queues[1].prefix",
            "prefix 'AB' of queue 'enterprise' overlaps prefix 'A' of queue 'market'",
        ),
        ("bad-printer.yaml", "sites[0].kiosks[0].printer", "kiosk 'k1': a network printer needs 'host'"),
        (
            "pickup-window-serves-subject.yaml",
            "sites[0].windows[1].queues[0]",
            "window 'w9' is a pickup window (综合出件) but queue 'market' is a subject queue",
        ),
    ],
)
def test_a_broken_file_gives_one_problem_naming_file_path_and_reason(
    file_name: str, path: str, reason: str
) -> None:
    file = BAD / file_name
    problems = check_layout(file)
    matching = [problem for problem in problems if problem.path == path]
    assert len(matching) == 1, problems
    problem = matching[0]
    assert problem.file == str(file)
    assert reason in problem.message
    assert str(problem).startswith(f"{file}: {path}: ")
    assert reason in str(problem)


@pytest.mark.parametrize(
    "file_name",
    [
        "duplicate-id.yaml",
        "unknown-queue.yaml",
        "window-serves-nothing.yaml",
        "delegation-backwards.yaml",
        "overlapping-prefix.yaml",
        "pickup-window-serves-subject.yaml",
    ],
)
def test_a_file_with_one_mistake_reports_exactly_one_problem(file_name: str) -> None:
    assert len(check_layout(BAD / file_name)) == 1


def test_an_unknown_printer_type_names_the_kiosk_and_the_types_allowed() -> None:
    problems = check_layout(BAD / "bad-printer.yaml")
    assert [problem.path for problem in problems] == [
        "sites[0].kiosks[1].printer.type",
        "sites[0].kiosks[0].printer",
    ]
    message = problems[0].message
    assert "kiosk 'k2'" in message and "'bluetooth'" in message
    assert "network, usb, serial, file, cups, dummy, agent" in message


def test_every_problem_of_a_file_is_collected_not_just_the_first() -> None:
    problems = check_layout(BAD / "three-problems.yaml")
    assert sorted(problem.path for problem in problems) == [
        "sites[0].delegations[0].queue",
        "sites[0].queues[0].daily_cap",
        "sites[0].services[0].averge_minutes",
    ]
    messages = {problem.path: problem.message for problem in problems}
    assert "did you mean 'average_minutes'?" in messages["sites[0].services[0].averge_minutes"]
    assert "queue 'market' of kind subject" in messages["sites[0].delegations[0].queue"]
    assert "got 0" in messages["sites[0].queues[0].daily_cap"]


def test_problems_in_an_included_file_name_that_file_and_start_their_path_at_the_site() -> None:
    problems = check_layout(BAD / "with-bad-include.yaml")
    included = BAD / "sites" / "broken-village.yaml"
    assert {problem.file for problem in problems} == {str(included)}
    assert sorted(problem.path for problem in problems) == ["hours[0]", "windows[0].zone"]
    messages = {problem.path: problem.message for problem in problems}
    assert "unknown zone 'lobby'" in messages["windows[0].zone"]
    assert "opens at 17:00 but closes at 08:30" in messages["hours[0]"]


@pytest.mark.parametrize("file", sorted(BAD.glob("*.yaml")), ids=lambda file: file.name)
def test_a_broken_file_is_refused_with_every_problem_one_per_line(file: Path) -> None:
    with pytest.raises(LayoutError) as caught:
        load_layout(file)
    problems = caught.value.problems
    assert problems == check_layout(file)
    assert str(caught.value).splitlines() == [str(problem) for problem in problems]
