from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from server.domain.numbering import format_number, local_day


def test_shanghai_day_changes_at_local_midnight_not_utc_midnight():
    assert local_day(datetime(2026, 11, 26, 16, 30, tzinfo=UTC), "Asia/Shanghai") == date(2026, 11, 27)
    assert local_day(datetime(2026, 11, 26, 15, 59, 59, tzinfo=UTC), "Asia/Shanghai") == date(2026, 11, 26)
    assert local_day(datetime(2026, 11, 26, 16, 0, tzinfo=UTC), "Asia/Shanghai") == date(2026, 11, 27)


def test_local_day_accepts_any_aware_datetime():
    beijing_time = timezone(timedelta(hours=8))
    assert local_day(datetime(2026, 11, 27, 0, 10, tzinfo=beijing_time), "Asia/Shanghai") == date(
        2026, 11, 27
    )


def test_local_day_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        local_day(datetime(2026, 11, 26, 16, 30), "Asia/Shanghai")


@pytest.mark.parametrize(
    ("prefix", "n", "expected"),
    [("A", 1, "A001"), ("A", 12, "A012"), ("A", 999, "A999"), ("A", 1000, "A1000"), ("GD", 7, "GD007")],
)
def test_numbers_are_the_prefix_and_at_least_three_digits(prefix, n, expected):
    assert format_number(prefix, n) == expected


@pytest.mark.parametrize("n", [0, -1, 1.5, True])
def test_a_sequence_that_is_not_a_positive_integer_is_refused(n):
    with pytest.raises(ValueError, match="positive integer"):
        format_number("A", n)
