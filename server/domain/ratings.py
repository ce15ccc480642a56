"""好差评: the national five-level rating of a service (国办发〔2019〕51号, GB/T 39734-2020), one per ticket
(一次一评), on the window's pad or the phone; a bad rating (the lower two levels) needs its reason and opens a
rectification (整改) with a deadline in working days, handled by whoever served (谁办理、谁负责), with a
call-back (回访) for a named rating and an appeal (申诉复核) against a mistaken or malicious one.

The form is the layout's (``rating.levels``, ``rating.reasons``) or the shipped one; its version is a digest of
its words, and every rating keeps the version it was given on, so a later change of the form rewrites nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from layout.model import RatingLevel, RatingReason, Site
from server.domain.commands import Command
from server.domain.errors import BadRequest, DomainError
from server.domain.events import Event

LEVELS = (1, 2, 3, 4, 5)
BAD_LEVELS = (1, 2)  # 不满意, 非常不满意: a reason is needed and a rectification opens
GOOD_LEVELS = (3, 4, 5)  # the good-rating share counts 基本满意 and better
CHANNELS = ("pad", "phone", "kiosk")
COMMENT_MAX = 500
PAD_SECONDS = 60  # a pad offers the form this long after the window finished the ticket
PAD_GRACE_SECONDS = 30  # and takes a rating this much longer (a slow network, a press at the last second)


def pad_too_late(finished_at: dt.datetime | None, now: dt.datetime) -> bool:
    """A window's pad rates only the service just finished at it: not a ticket of an hour ago."""
    return finished_at is None or (now - finished_at).total_seconds() > PAD_SECONDS + PAD_GRACE_SECONDS

DEFAULT_LEVELS: tuple[RatingLevel, ...] = (
    RatingLevel(5, "非常满意", "Very satisfied"),
    RatingLevel(4, "满意", "Satisfied"),
    RatingLevel(3, "基本满意", "Fairly satisfied"),
    RatingLevel(2, "不满意", "Dissatisfied"),
    RatingLevel(1, "非常不满意", "Very dissatisfied"),
)
DEFAULT_REASONS: tuple[RatingReason, ...] = (
    RatingReason("attitude", "服务态度不好", "Unfriendly service"),
    RatingReason("waiting", "等候时间过长", "Waited too long"),
    RatingReason("slow", "办理效率低", "Slow handling"),
    RatingReason("unclear", "一次性告知不清楚", "Requirements not explained at once"),
    RatingReason("repeat", "多次跑动、重复提交材料", "Had to come back or hand in papers again"),
    RatingReason("procedure", "办事流程繁琐", "Complicated procedure"),
    RatingReason("facilities", "大厅环境设施不便", "Hall facilities inconvenient"),
    RatingReason("other", "其他", "Other"),
)


@dataclass(frozen=True)
class RatingForm:
    version: str
    levels: tuple[RatingLevel, ...]  # 5 first
    reasons: tuple[RatingReason, ...]

    def level_name(self, level: int) -> str:
        return next((item.name for item in self.levels if item.level == level), str(level))

    def reason_names(self, ids: Iterable[str]) -> list[str]:
        names = {reason.id: reason.name for reason in self.reasons}
        return [names.get(reason, reason) for reason in ids]

    def content(self) -> dict:
        """What is kept under the version (and answered by GET /rating-form, with the version)."""
        return {"levels": [{"level": item.level, "name": item.name, "name_en": item.name_en} for item in self.levels],
                "reasons": [{"id": item.id, "name": item.name, "name_en": item.name_en} for item in self.reasons]}

    def view(self) -> dict:
        return {"version": self.version, **self.content(),
                "bad_levels": list(BAD_LEVELS), "comment_max": COMMENT_MAX}


def _version(levels: Sequence[RatingLevel], reasons: Sequence[RatingReason]) -> str:
    words = json.dumps([[(item.level, item.name, item.name_en) for item in levels],
                        [(item.id, item.name, item.name_en) for item in reasons]], ensure_ascii=False)
    return "f" + hashlib.sha256(words.encode("utf-8")).hexdigest()[:16]


def form_of(site: Site | None) -> RatingForm:
    """The site's form (the layout's levels and reasons, or the shipped ones where it lists none); the
    shipped form without a site."""
    rules = site.rating if site is not None else None
    levels = tuple(sorted(rules.levels, key=lambda item: -item.level)) if rules and rules.levels else DEFAULT_LEVELS
    reasons = tuple(rules.reasons) if rules and rules.reasons else DEFAULT_REASONS
    return RatingForm(_version(levels, reasons), levels, reasons)


def form_from_content(version: str, content: dict) -> RatingForm:
    """A form as it was kept (the words a past rating was given on)."""
    levels = tuple(RatingLevel(item["level"], item["name"], item.get("name_en", "")) for item in content["levels"])
    reasons = tuple(RatingReason(item["id"], item["name"], item.get("name_en", "")) for item in content["reasons"])
    return RatingForm(version, levels, reasons)


def is_bad(level: int) -> bool:
    return level in BAD_LEVELS


class ReasonRequired(DomainError):
    code = "reason_required"
    status = 400
    default_message = "差评请选择原因或填写意见 / a bad rating needs a reason or a comment"


class NotRateable(DomainError):
    code = "not_rateable"
    default_message = "该号票尚未办结，不能评价 / only a finished service can be rated"


class PadTooLate(NotRateable):
    default_message = ("评价器只能评价刚办结的服务，请用手机扫号票二维码评价 / the pad rates only the service just "
                       "finished: rate it on the phone page of the ticket")


class AlreadyRated(DomainError):
    code = "already_rated"
    default_message = "该次服务已评价，感谢您的参与 / this service was rated already"


@dataclass(frozen=True)
class Submission:
    """A rating as checked: what is kept."""

    level: int
    reasons: tuple[str, ...]
    comment: str | None


def check_rating(form: RatingForm, level: object, reasons: object, comment: object) -> Submission:
    """A rating's fields checked against its form, or BadRequest (400)."""
    if isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS:
        raise BadRequest("invalid_level", "评价等级应为 1 至 5 / level must be 1 to 5")
    if reasons is None:
        reasons = []
    if not isinstance(reasons, list) or not all(isinstance(reason, str) for reason in reasons):
        raise BadRequest("invalid_field", "reasons 应为原因编号的列表 / reasons must be a list of reason ids")
    known = {reason.id for reason in form.reasons}
    unknown = [reason for reason in reasons if reason not in known]
    if unknown:
        shown = str(unknown[0])[:40].encode("utf-8", "backslashreplace").decode("utf-8")
        raise BadRequest("invalid_reason", f"没有这个评价原因：{shown} / no such reason on the form")
    if len(set(reasons)) != len(reasons):
        raise BadRequest("invalid_reason", "评价原因重复 / a reason is listed twice")
    if comment is not None and not isinstance(comment, str):
        raise BadRequest("invalid_field", "comment 应为文字 / comment must be text")
    text = (comment or "").strip() or None
    if text is not None:
        if len(text) > COMMENT_MAX:
            raise BadRequest("comment_too_long", f"意见最多 {COMMENT_MAX} 字 / at most {COMMENT_MAX} characters")
        if "\x00" in text or not encodable(text):
            raise BadRequest("invalid_field", "意见含有无效字符 / the comment has invalid characters")
    if is_bad(level) and not reasons and text is None:
        raise ReasonRequired()
    return Submission(level, tuple(reasons), text)


def encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class RateTicket(Command):
    ticket: str  # the ticket's id (its holder's secret; the pad got it in its own room)
    level: object
    reasons: object = None
    comment: object = None
    channel: str = "phone"
    phone: str | None = None  # normalised; only for a call-back


@dataclass
class TicketRated(Event):
    """A ticket was rated: its holder's phone and the window's pad are told (not stored, not numbered)."""

    ticket_id: str
    window: str | None
    level: int
    channel: str
    at: str
