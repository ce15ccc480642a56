"""Reading layout files: YAML quirks, unreadable files and included site files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from layout.loader import check_layout, load_layout

SITE = """\
id: hall
name: 测试镇为民服务中心
level: township
timezone: Asia/Shanghai
hours:
  - days: [1, 2, 3, 4, 5]
    opens: 08:30
    closes: 12:00
  - days: [1, 2, 3, 4, 5]
    opens: 13:30
    closes: 17:30
zones:
  - {id: accept, name: 综合受理区}
departments:
  - {id: market, name: 县市场监督管理局}
queues:
  - {id: market, name: 市场监管综合, prefix: NO, kind: subject}
services:
  - {id: licence, name: 个体工商户设立登记, department: market, queue: market}
windows:
  - {id: w1, number: 1, name: 1号窗口 市场监管综合, zone: accept, kind: subject, queues: [market]}
displays:
  - {id: hall, name: 叫号屏, zones: [accept], voice: true}
"""


def indented(text: str) -> str:
    """The site as an entry of the ``sites:`` list."""
    lines = text.splitlines()
    return "\n".join(["  - " + lines[0], *("    " + line for line in lines[1:])]) + "\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_unquoted_times_are_read_as_times_even_in_the_afternoon(tmp_path: Path) -> None:
    # In YAML 1.1 an unquoted 13:30 is the base-60 number 810.
    layout = load_layout(write(tmp_path / "hall.yaml", "sites:\n" + indented(SITE)))
    hours = layout.sites[0].hours
    assert [(period.opens, period.closes) for period in hours] == [
        (dt.time(8, 30), dt.time(12, 0)),
        (dt.time(13, 30), dt.time(17, 30)),
    ]


def test_yes_and_no_stay_text_so_a_prefix_can_be_no(tmp_path: Path) -> None:
    layout = load_layout(write(tmp_path / "hall.yaml", "sites:\n" + indented(SITE)))
    assert layout.sites[0].queues[0].prefix == "NO"


def test_only_true_and_false_are_booleans(tmp_path: Path) -> None:
    text = "sites:\n" + indented(SITE.replace("voice: true", "voice: on"))
    problems = check_layout(write(tmp_path / "hall.yaml", text))
    assert [(problem.path, problem.message) for problem in problems] == [
        ("sites[0].displays[0].voice", "expected true or false, got text 'on'")
    ]


def test_a_key_written_twice_is_reported_with_the_line_it_is_repeated_on(tmp_path: Path) -> None:
    text = "sites:\n" + indented(SITE.replace("level: township\n", "level: township\nname: 又一个名字\n"))
    problems = check_layout(write(tmp_path / "hall.yaml", text))
    assert len(problems) == 1
    assert problems[0].path == "sites[0].name"
    assert "written twice" in problems[0].message and "line 5" in problems[0].message


def test_malformed_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    file = write(tmp_path / "hall.yaml", "sites:\n  - id: hall\n    name: [unclosed\n  - id: other\n")
    problems = check_layout(file)
    assert len(problems) == 1
    assert problems[0].file == str(file)
    assert problems[0].path.startswith("line ")
    assert "not valid YAML" in problems[0].message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("- just\n- a list\n", "expected a mapping (layout file), got a list"),
        ("sites: []\n", "a layout needs 'sites'"),
        ("site:\n  - id: hall\n", "unknown key 'site'"),
    ],
)
def test_a_file_that_is_not_a_list_of_sites_is_reported(tmp_path: Path, text: str, message: str) -> None:
    problems = check_layout(write(tmp_path / "hall.yaml", text))
    assert any(message in problem.message for problem in problems), problems


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    file = tmp_path / "hall.yaml"
    file.write_bytes("sites:\n  - name: 大厅\n".encode("gb18030"))
    assert [problem.message for problem in check_layout(file)] == ["the file is not UTF-8 text"]


def test_a_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    file = tmp_path / "nowhere.yaml"
    problems = check_layout(file)
    assert [(problem.file, problem.path) for problem in problems] == [(str(file), "(file)")]
    assert "cannot read file" in problems[0].message


def test_included_files_are_found_relative_to_the_including_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "halls" / "sites" / "hall.yaml", SITE)
    top = write(tmp_path / "halls" / "county.yaml", "sites:\n  - include: sites/hall.yaml\n")
    monkeypatch.chdir(tmp_path)
    layout = load_layout(Path("halls/county.yaml"))
    assert [site.id for site in layout.sites] == ["hall"]
    assert layout.source == "halls/county.yaml"
    assert top.exists()


def test_sites_inline_and_included_may_be_mixed(tmp_path: Path) -> None:
    write(tmp_path / "sites" / "hall.yaml", SITE)
    other = indented(SITE.replace("id: hall\n", "id: other\n", 1))
    layout = load_layout(write(tmp_path / "county.yaml", "sites:\n  - include: sites/hall.yaml\n" + other))
    assert [site.id for site in layout.sites] == ["hall", "other"]


def test_a_missing_included_file_is_reported_where_it_is_included(tmp_path: Path) -> None:
    top = write(tmp_path / "county.yaml", "sites:\n  - include: sites/nowhere.yaml\n")
    problems = check_layout(top)
    assert [(problem.file, problem.path) for problem in problems] == [(str(top), "sites[0].include")]
    assert "nowhere.yaml" in problems[0].message


def test_problems_in_an_included_file_name_that_file_with_paths_from_its_site(tmp_path: Path) -> None:
    included = write(
        tmp_path / "sites" / "hall.yaml", SITE.replace("zone: accept, kind", "zone: lobby, kind")
    )
    top = write(tmp_path / "county.yaml", "sites:\n  - include: sites/hall.yaml\n")
    problems = check_layout(top)
    assert [(problem.file, problem.path) for problem in problems] == [(str(included), "windows[0].zone")]
    assert str(problems[0]).startswith(f"{included}: windows[0].zone: unknown zone 'lobby'")


def test_an_include_entry_holds_nothing_but_the_file_name(tmp_path: Path) -> None:
    write(tmp_path / "sites" / "hall.yaml", SITE)
    top = write(tmp_path / "county.yaml", "sites:\n  - include: sites/hall.yaml\n    id: hall\n")
    problems = check_layout(top)
    assert [(problem.path, problem.message) for problem in problems] == [
        ("sites[0].id", "unknown key 'id' in include entry; allowed: include")
    ]


def test_the_same_site_included_twice_is_a_duplicate_site(tmp_path: Path) -> None:
    included = write(tmp_path / "sites" / "hall.yaml", SITE)
    top = write(
        tmp_path / "county.yaml", "sites:\n  - include: sites/hall.yaml\n  - include: sites/hall.yaml\n"
    )
    problems = check_layout(top)
    assert [(problem.file, problem.path) for problem in problems] == [(str(included), "id")]
    assert "duplicate site id 'hall'" in problems[0].message


def test_checking_a_site_file_on_its_own_says_to_include_it(tmp_path: Path) -> None:
    problems = check_layout(write(tmp_path / "hall.yaml", SITE))
    assert [(problem.path, problem.message) for problem in problems] == [
        (
            "(root)",
            "this file holds one site, not a layout; list it under 'sites:' of a layout file "
            "as '- include: hall.yaml'",
        )
    ]
