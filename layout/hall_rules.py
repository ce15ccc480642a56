"""Rules about a site's clock, queues, items and windows."""

from __future__ import annotations

import datetime as dt
import string
import zoneinfo

from layout.model import OpeningPeriod, Priority
from layout.site_view import SiteView, entries

_TEMPLATE_FIELDS = ("ticket", "window")


def check_clock(view: SiteView) -> None:
    """Time zone, opening hours and the call announcement template."""
    site = view.site
    if isinstance(site.timezone, str) and site.timezone.strip():
        try:
            zoneinfo.ZoneInfo(site.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            view.add(
                "timezone",
                message=f"unknown time zone '{site.timezone}' (use an IANA name such as Asia/Shanghai)",
            )
    for index, period in entries(site.hours):
        _check_period(view, index, period)
    _check_overlapping_periods(view)
    _check_template(view)
    if isinstance(site.requeue_minutes, float) and site.requeue_minutes < 0:
        view.add("requeue_minutes", message=f"requeue_minutes must not be negative (0: no requeue), "
                                            f"got {site.requeue_minutes:g}")


def _check_period(view: SiteView, index: int, period: OpeningPeriod) -> None:
    if period.days == ():
        view.add(
            "hours",
            index,
            "days",
            message="an opening period needs at least one day (1 = Monday … 7 = Sunday)",
        )
    seen: set[int] = set()
    for position, day in entries(period.days):
        if not 1 <= day <= 7:
            view.add(
                "hours",
                index,
                "days",
                position,
                message=f"day {day} is not between 1 (Monday) and 7 (Sunday)",
            )
        elif day in seen:
            view.add("hours", index, "days", position, message=f"day {day} is listed twice")
        seen.add(day)
    if (
        isinstance(period.opens, dt.time)
        and isinstance(period.closes, dt.time)
        and period.opens >= period.closes
    ):
        view.add(
            "hours",
            index,
            message=f"opens at {period.opens:%H:%M} but closes at {period.closes:%H:%M}; "
            "it must open before it closes",
        )


def _check_overlapping_periods(view: SiteView) -> None:
    periods = [
        (index, period)
        for index, period in entries(view.site.hours)
        if isinstance(period.opens, dt.time) and isinstance(period.closes, dt.time)
    ]
    for later_position, (index, period) in enumerate(periods):
        for earlier_index, earlier in periods[:later_position]:
            shared = {day for _p, day in entries(period.days)} & {day for _p, day in entries(earlier.days)}
            if shared and period.opens < earlier.closes and earlier.opens < period.closes:
                view.add(
                    "hours",
                    index,
                    message=f"overlaps hours[{earlier_index}] on day {min(shared)} "
                    f"({earlier.opens:%H:%M}-{earlier.closes:%H:%M})",
                )


def _check_template(view: SiteView) -> None:
    template = view.site.call_template
    if not isinstance(template, str):
        return
    try:
        fields = [
            name for _text, name, _spec, _conversion in string.Formatter().parse(template) if name is not None
        ]
    except ValueError as error:
        view.add(
            "call_template",
            message=f"not a valid template ({error}); write slots as {{ticket}} and {{window}}",
        )
        return
    for name in fields:
        if name not in _TEMPLATE_FIELDS:
            view.add(
                "call_template",
                message=f"unknown slot {{{name}}}; only {{ticket}} and {{window}} are filled in",
            )
    for name in _TEMPLATE_FIELDS:
        if fields.count(name) != 1:
            view.add("call_template", message=f"the template must contain {{{name}}} exactly once")


def check_priority(view: SiteView) -> None:
    priority = view.site.priority
    if not isinstance(priority, Priority):
        return
    for field in ("priority_calls", "normal_calls"):
        value = getattr(priority, field)
        if isinstance(value, int) and value < 1:
            view.add(
                "priority",
                field,
                message=f"{field} must be at least 1 so neither side waits forever; got {value}",
            )


def _check_cap(view: SiteView, cap: object, *parts: str | int) -> None:
    if isinstance(cap, int) and cap < 1:
        view.add(*parts, message=f"daily cap must be a positive whole number, got {cap}")


def check_queues(view: SiteView) -> None:
    """Caps, and prefixes that keep every ticket number telling its queue apart."""
    seen: list[tuple[int, str, str]] = []  # (index, prefix, queue id)
    for index, queue in entries(view.site.queues):
        _check_cap(view, queue.daily_cap, "queues", index, "daily_cap")
        if isinstance(queue.target_minutes, int) and not 1 <= queue.target_minutes <= 600:
            view.add("queues", index, "target_minutes",
                     message=f"target_minutes must be 1 to 600 minutes, got {queue.target_minutes}")
        if isinstance(queue.alert_waiting, int) and queue.alert_waiting < 1:
            view.add("queues", index, "alert_waiting",
                     message=f"alert_waiting must be a positive whole number, got {queue.alert_waiting}")
        if not isinstance(queue.prefix, str):
            continue
        for other_index, other_prefix, other_id in seen:
            if queue.prefix == other_prefix:
                view.add(
                    "queues",
                    index,
                    "prefix",
                    message=f"prefix '{queue.prefix}' of queue '{queue.id}' is already used by queue "
                    f"'{other_id}' (queues[{other_index}])",
                )
            elif queue.prefix.startswith(other_prefix) or other_prefix.startswith(queue.prefix):
                view.add(
                    "queues",
                    index,
                    "prefix",
                    message=f"prefix '{queue.prefix}' of queue '{queue.id}' overlaps prefix '{other_prefix}' "
                    f"of queue '{other_id}' (queues[{other_index}]); one must not begin the other",
                )
        seen.append((index, queue.prefix, queue.id))
    served = {
        queue for _index, window in entries(view.site.windows) for _position, queue in entries(window.queues)
    }
    for index, queue in entries(view.site.queues):
        if isinstance(queue.id, str) and queue.id not in served:
            view.add(
                "queues",
                index,
                message=f"no window serves queue '{queue.id}'; its tickets would never be called",
            )


def check_services(view: SiteView) -> None:
    delegated = {
        service
        for _index, delegation in entries(view.site.delegations)
        for _position, service in entries(delegation.services)
    }
    for index, service in entries(view.site.services):
        _check_cap(view, service.daily_cap, "services", index, "daily_cap")
        if isinstance(service.average_minutes, float) and service.average_minutes <= 0:
            view.add(
                "services",
                index,
                "average_minutes",
                message=f"average_minutes must be above 0, got {service.average_minutes:g}",
            )
        for position, item in entries(service.checklist):
            if not item.strip():
                view.add("services", index, "checklist", position, message="checklist entry is empty")
        if service.queue is None and isinstance(service.id, str) and service.id not in delegated:
            view.add(
                "services",
                index,
                message=f"service '{service.id}' has no queue and no delegation lists it, "
                "so no window can serve it",
            )


def check_windows(view: SiteView) -> None:
    numbers: dict[str, int] = {}
    for index, window in entries(view.site.windows):
        if window.queues == ():
            view.add("windows", index, "queues", message=f"window '{window.id}' serves no queue")
        listed: set[str] = set()
        for position, queue in entries(window.queues):
            if queue in listed:
                view.add("windows", index, "queues", position, message=f"queue '{queue}' is listed twice")
            listed.add(queue)
        for position, overflow in entries(window.overflow):
            if isinstance(overflow.after_minutes, float) and overflow.after_minutes < 0:
                view.add(
                    "windows",
                    index,
                    "overflow",
                    position,
                    "after_minutes",
                    message=f"after_minutes must not be negative, got {overflow.after_minutes:g}",
                )
        if isinstance(window.number, str):
            if window.number in numbers:
                view.add(
                    "windows",
                    index,
                    "number",
                    message=f"window number {window.number} is already used by "
                    f"windows[{numbers[window.number]}]",
                )
            else:
                numbers[window.number] = index


# What each kind of window and queue is, in the reform's words.
_KIND_NAMES = {
    "subject": "分领域综合窗口",
    "general": "无差别综合窗口",
    "pickup": "综合出件",
    "consult": "综合咨询",
}
# Kinds that may help each other through ``overflow``: subject and general windows take on each other's
# queues once their oldest ticket has waited long enough. Pickup and consult stand apart.
_ELASTIC_KINDS = frozenset({"subject", "general"})


def _kind_rule(window_kind: str, queue_kind: str) -> str:
    if {window_kind, queue_kind} <= _ELASTIC_KINDS:
        return (
            f"a window's own queues are of its kind; to let this {window_kind} window help the "
            f"{queue_kind} queue once it backs up, list it under overflow (or may_serve)"
        )
    if "pickup" in (window_kind, queue_kind):
        return "a pickup window serves only pickup queues, and a pickup queue only pickup windows"
    return "a consult window serves only consult queues, and a consult queue only consult windows"


def check_window_kinds(view: SiteView) -> None:
    """A window serves queues of its own kind; only subject and general cross, and only as elastic help
    (``overflow``, ``may_serve``)."""
    kinds = {
        queue.id: queue.kind
        for _index, queue in entries(view.site.queues)
        if isinstance(queue.id, str) and queue.kind in _KIND_NAMES
    }

    def mismatch(window_id: str, window_kind: str, queue_id: str, *parts: str | int) -> None:
        queue_kind = kinds[queue_id]
        view.add(
            *parts,
            message=f"window '{window_id}' is a {window_kind} window ({_KIND_NAMES[window_kind]}) but queue "
            f"'{queue_id}' is a {queue_kind} queue ({_KIND_NAMES[queue_kind]}); "
            + _kind_rule(window_kind, queue_kind),
        )

    for index, window in entries(view.site.windows):
        if window.kind not in _KIND_NAMES:
            continue  # an unknown kind is reported where it is read
        for position, queue in entries(window.queues):
            if kinds.get(queue, window.kind) != window.kind:
                mismatch(window.id, window.kind, queue, "windows", index, "queues", position)
        # Elastic help, by the clock (overflow) or by a manager's assignment (may_serve), follows one rule.
        helped = [(overflow.queue, ("overflow", position, "queue")) for position, overflow in entries(window.overflow)]
        helped += [(queue, ("may_serve", position)) for position, queue in entries(getattr(window, "may_serve", ()))]
        for queue, parts in helped:
            queue_kind = kinds.get(queue, window.kind)
            if queue_kind != window.kind and not {queue_kind, window.kind} <= _ELASTIC_KINDS:
                mismatch(window.id, window.kind, queue, "windows", index, *parts)
