"""好差评 rules, pure: the form and its version, what a rating must carry, the rectification's steps, its
deadline on the site's working days, and the alerts an open rectification holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from layout.model import RatingLevel, RatingReason, RatingRules
from server.domain.errors import BadRequest
from server.domain.ratings import (
    DEFAULT_LEVELS,
    RatingForm,
    ReasonRequired,
    check_rating,
    form_from_content,
    form_of,
)
from server.domain.rectifications import (
    IllegalRectificationAction,
    RectificationClosed,
    RectificationSeen,
    check_note,
    next_rectification_status,
    rectification_findings,
    rectify_deadline,
    window_of_subject,
)
from tests.support.small_hall import small_hall

SITE = small_hall().sites[0]


def test_the_shipped_form_has_five_levels_from_very_satisfied_and_a_stable_version():
    form = form_of(None)
    assert [(level.level, level.name) for level in form.levels] == [
        (5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")]
    assert form_of(SITE).version == form.version == form_of(None).version
    kept = form_from_content(form.version, form.content())
    assert kept == form, "a kept form reads back as it was offered"


def test_a_layouts_own_reasons_make_another_version_and_old_ratings_keep_their_words():
    own = replace(SITE, rating=RatingRules(reasons=(RatingReason("queue", "排队太久"),)))
    form = form_of(own)
    assert form.version != form_of(SITE).version
    assert [reason.id for reason in form.reasons] == ["queue"] and form.levels == DEFAULT_LEVELS
    assert form.reason_names(["queue", "gone"]) == ["排队太久", "gone"]
    named = replace(SITE, rating=RatingRules(levels=tuple(RatingLevel(n, f"L{n}") for n in (1, 2, 3, 4, 5))))
    assert [level.level for level in form_of(named).levels] == [5, 4, 3, 2, 1], "levels shown 5 first"


@pytest.mark.parametrize(("level", "reasons", "comment", "code"), [
    (0, [], None, "invalid_level"), (6, [], None, "invalid_level"), (None, [], None, "invalid_level"),
    (True, [], None, "invalid_level"), ("3", [], None, "invalid_level"), (3.0, [], None, "invalid_level"),
    (1, ["nope"], None, "invalid_reason"), (1, ["slow", "slow"], None, "invalid_reason"),
    (1, [7], None, "invalid_field"), (1, "slow", None, "invalid_field"),
    (4, [], "x" * 501, "comment_too_long"), (4, [], 5, "invalid_field"), (4, [], "\ud800", "invalid_field"),
])
def test_a_bad_rating_message_is_refused(level, reasons, comment, code):
    with pytest.raises(BadRequest) as refused:
        check_rating(form_of(SITE), level, reasons, comment)
    assert refused.value.code == code


def test_a_bad_level_needs_a_reason_or_a_comment_and_a_good_one_needs_neither():
    form = form_of(SITE)
    for level in (1, 2):
        with pytest.raises(ReasonRequired):
            check_rating(form, level, [], "   ")
        assert check_rating(form, level, ["slow"], None).reasons == ("slow",)
        assert check_rating(form, level, None, " 太慢 ").comment == "太慢"
    assert check_rating(form, 3, None, "").comment is None
    assert check_rating(form, 5, [], "x" * 500).level == 5


def test_a_rectification_is_contacted_resolved_or_appealed_then_closed_and_stays_closed():
    assert next_rectification_status("open", "contact") == "contacted"
    assert next_rectification_status("resolved", "contact") == "resolved", "a call-back note keeps the state"
    assert next_rectification_status("contacted", "resolve") == "resolved"
    assert next_rectification_status("open", "appeal") == "appealed"
    assert next_rectification_status("appealed", "close") == "closed"
    with pytest.raises(IllegalRectificationAction):
        next_rectification_status("appealed", "appeal")
    with pytest.raises(RectificationClosed):
        next_rectification_status("closed", "contact")
    with pytest.raises(BadRequest):
        next_rectification_status("open", "delete")
    assert check_note("  已回访 ") == "已回访"
    for note in (None, "", "  ", 3, "x" * 501):
        with pytest.raises(BadRequest):
            check_note(note)


def test_the_deadline_counts_the_sites_working_days():
    friday = dt.date(2026, 1, 9)
    assert rectify_deadline(SITE, friday) == dt.date(2026, 1, 16)
    holiday = replace(SITE, holidays=(dt.date(2026, 1, 12),), rating=RatingRules(rectify_working_days=2))
    assert rectify_deadline(holiday, friday) == dt.date(2026, 1, 14), "Monday the 12th is a holiday"


def test_an_open_rectification_holds_bad_rating_and_once_past_its_deadline_rectification_overdue():
    seen = RectificationSeen(7, "w1", "1号窗口", "不满意", ("等候时间过长",), "open", dt.date(2026, 1, 12))
    [(kind, subject, message)] = rectification_findings([seen], dt.date(2026, 1, 12))
    assert (kind, window_of_subject(subject)) == ("bad_rating", "w1") and "等候时间过长" in message
    late = rectification_findings([seen], dt.date(2026, 1, 13))
    assert [kind for kind, _, _ in late] == ["bad_rating", "rectification_overdue"]
    resolved = replace(seen, status="resolved")
    assert [kind for kind, _, _ in rectification_findings([resolved], dt.date(2026, 2, 1))] == ["bad_rating"]
    assert rectification_findings([replace(seen, status="closed")], dt.date(2026, 2, 1)) == []
    assert window_of_subject("-/3") is None


def test_the_form_view_names_the_bad_levels():
    view = form_of(SITE).view()
    assert view["bad_levels"] == [1, 2] and view["comment_max"] == 500
    assert isinstance(form_of(SITE), RatingForm)
