"""好差评 handlers: a rating of a served ticket (once, whichever channel comes first; a bad one opens its
rectification and its ``bad_rating`` alert in the same transaction), and a manager's action on a rectification."""

from __future__ import annotations

import json

from server.domain.errors import BadRequest, NotFound
from server.domain.personal import normalise_mobile
from server.domain.ratings import (
    CHANNELS,
    AlreadyRated,
    NotRateable,
    PadTooLate,
    RateTicket,
    TicketRated,
    check_rating,
    form_of,
    is_bad,
    pad_too_late,
)
from server.domain.rectifications import (
    ActOnRectification,
    RectificationChanged,
    RectificationSeen,
    check_appeal_verdict,
    check_note,
    next_rectification_status,
    rectification_message,
    rectification_subject,
    rectify_deadline,
)
from server.domain.tickets import DONE
from server.rating_store import SqlRatingStore
from server.service_layer.context import HallContext, iso
from server.service_layer.handlers.alerts import record_alert
from server.service_layer.rating_views import rating_view, rectification_view
from server.service_layer.unit_of_work import UnitOfWork


def rate_ticket(command: RateTicket, uow: UnitOfWork, ctx: HallContext) -> dict:
    site = ctx.site(command.site)
    form = form_of(site)
    submission = check_rating(form, command.level, command.reasons, command.comment)
    if command.channel not in CHANNELS:
        raise BadRequest("invalid_channel", "channel 应为 pad、phone 或 kiosk / channel must be pad, phone or kiosk")
    phone = normalise_mobile(command.phone) if command.phone else None
    ticket = uow.repository.ticket(command.ticket)
    if ticket is None or ticket.site != site.id:
        raise NotFound("ticket", command.ticket)
    if ticket.status != DONE or ticket.outcome is None:
        raise NotRateable()
    store, now = SqlRatingStore(uow.session), ctx.now()
    if command.channel == "pad" and pad_too_late(ticket.finished_at, now):
        raise PadTooLate()
    store.keep_form(form, now)
    rating = store.add_rating({
        "site": site.id, "ticket_id": ticket.id, "window": ticket.window, "clerk_id": ticket.clerk_id,
        "service": ticket.service, "level": submission.level,
        "reasons": json.dumps(list(submission.reasons), ensure_ascii=False), "comment": submission.comment,
        "channel": command.channel, "form_version": form.version, "phone": phone, "created_at": now})
    if rating is None:
        raise AlreadyRated()
    if is_bad(rating.level):
        rectification = store.open_rectification(site.id, rating, rectify_deadline(site, ctx.today(site)), now)
        window = site.window(ticket.window) if ticket.window else None
        seen = RectificationSeen(rectification.id, ticket.window, window.name if window else "窗口",
                                 form.level_name(rating.level), tuple(form.reason_names(submission.reasons)),
                                 rectification.status, rectification.deadline)
        alert = uow.alerts.open(site.id, "bad_rating", rectification_subject(rectification.id, ticket.window),
                                rectification_message(seen), now)
        if alert is not None:
            record_alert(uow, site, alert)
        uow.record(RectificationChanged(site.id, id=rectification.id, window=ticket.window, status="open",
                                        deadline=rectification.deadline.isoformat(), action="open"))
    uow.record(TicketRated(site.id, ticket_id=ticket.id, window=ticket.window, level=rating.level,
                           channel=rating.channel, at=iso(now)))
    return rating_view(rating)


def act_on_rectification(command: ActOnRectification, uow: UnitOfWork, ctx: HallContext) -> dict:
    site = ctx.site(command.site)
    store = SqlRatingStore(uow.session)
    rectification = store.rectification(site.id, command.rectification, lock=True)
    if rectification is None:
        raise NotFound("rectification", command.rectification)
    verdict = check_appeal_verdict(rectification.status, command.action, command.appeal)
    status = next_rectification_status(rectification.status, command.action)
    note = check_note(command.note)
    now = ctx.now()
    rectification.status, rectification.updated_at = status, now
    if verdict is not None:
        rectification.appeal = verdict
        if verdict == "upheld":  # a mistaken or malicious rating: kept as given, counted no more
            store.set_aside(rectification.rating_id)
    store.add_action(rectification, command.action, note, command.actor.username, now)
    view = rectification_view(uow.session, site, ctx.today(site), rectification)
    uow.record(RectificationChanged(site.id, id=rectification.id, window=view["window"], status=status,
                                    deadline=view["deadline"], action=command.action))
    if status == "closed":  # the alerts it held end with it (the next evaluation would clear them too)
        subject = rectification_subject(rectification.id, view["window"])
        for alert in uow.alerts.open_alerts(site.id):
            if alert.subject == subject and alert.kind in ("bad_rating", "rectification_overdue"):
                cleared = uow.alerts.clear(alert.id, now)
                if cleared is not None:
                    record_alert(uow, site, cleared)
    return view

