"""How ratings and rectifications are shown: to the citizen who rated (their own rating), to the manager (the
rectifications, a call-back phone masked), to a clerk (the level and reasons of their own services — never who
rated, nor their words or phone)."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from layout.model import Site
from server.domain.personal import mask_mobile
from server.domain.ratings import RatingForm, form_of
from server.domain.rectifications import ACTION_NAMES, STATUS_NAMES, overdue
from server.models import Rating, Rectification, Ticket, User
from server.rating_store import SqlRatingStore
from server.service_layer.context import iso


def reasons_of(rating: Rating) -> list[str]:
    return list(json.loads(rating.reasons or "[]"))


def _form_given(store: SqlRatingStore, site: Site, rating: Rating, forms: dict[str, RatingForm]) -> RatingForm:
    """The words of the form the rating was given on (kept by version), else the site's now."""
    if rating.form_version not in forms:
        forms[rating.form_version] = store.form(rating.form_version) or form_of(site)
    return forms[rating.form_version]


def rating_view(rating: Rating, own_words: bool = True) -> dict:
    """The answer to the citizen who rated (POST /tickets/<id>/rating): their own words, no phone back. Read
    back later (``own_words=False``) the comment is null: a ticket id is also on the staff stream, and the
    clerk rated must not read what the citizen wrote (the manager does, in the rectification)."""
    return {"id": rating.id, "ticket": rating.ticket_id, "level": rating.level, "reasons": reasons_of(rating),
            "comment": rating.comment if own_words else None, "channel": rating.channel, "at": iso(rating.created_at),
            "form_version": rating.form_version, "call_back": rating.phone is not None}


def ticket_rating(session: Session, site: Site, ticket: Ticket) -> dict:
    """GET /tickets/<id>/rating: whether the holder may rate now, and their rating if they did."""
    store = SqlRatingStore(session)
    rating = store.rating_of(ticket.id)
    rateable = rating is None and ticket.status == "done" and ticket.outcome is not None
    return {"ticket": ticket.id, "number": ticket.number, "rateable": rateable,
            "rating": None if rating is None else rating_view(rating, own_words=False), "form": form_of(site).view()}


def rectification_views(session: Session, site: Site, today: dt.date, closed: bool | None) -> list[dict]:
    store = SqlRatingStore(session)
    rows = store.rectifications(site.id, closed)
    actions = store.actions([rectification.id for rectification, _, _ in rows])
    clerks = [rating.clerk_id for _, rating, _ in rows if rating.clerk_id is not None]
    names = dict(session.execute(select(User.id, User.username).where(User.id.in_(clerks))).all()) if clerks else {}
    forms: dict[str, RatingForm] = {}
    return [_rectification_view(site, today, rectification, rating, ticket, _form_given(store, site, rating, forms),
                                actions[rectification.id], names)
            for rectification, rating, ticket in rows]


def rectification_view(session: Session, site: Site, today: dt.date, rectification: Rectification) -> dict:
    store = SqlRatingStore(session)
    rating = session.get(Rating, rectification.rating_id)
    ticket = session.get(Ticket, rating.ticket_id)
    names = {}
    if rating.clerk_id is not None:
        names = dict(session.execute(select(User.id, User.username).where(User.id == rating.clerk_id)).all())
    return _rectification_view(site, today, rectification, rating, ticket, _form_given(store, site, rating, {}),
                               store.actions([rectification.id])[rectification.id], names)


def _rectification_view(site: Site, today: dt.date, rectification: Rectification, rating: Rating, ticket: Ticket,
                        form: RatingForm, actions, names: dict[int, str]) -> dict:
    window = site.window(rating.window) if rating.window else None
    service = site.service(rating.service)
    reasons = reasons_of(rating)
    return {
        "id": rectification.id, "rating": rating.id, "ticket": ticket.id, "number": ticket.number,
        "window": rating.window, "window_name": window.name if window else rating.window,
        "clerk": rating.clerk_id, "clerk_name": names.get(rating.clerk_id),
        "service": rating.service, "service_name": service.name if service else rating.service,
        "level": rating.level, "level_name": form.level_name(rating.level),
        "reasons": reasons, "reason_names": form.reason_names(reasons), "comment": rating.comment,
        "channel": rating.channel, "rated_at": iso(rating.created_at),
        "phone": mask_mobile(rating.phone) if rating.phone else None, "named": rating.phone is not None,
        "deadline": rectification.deadline.isoformat(), "status": rectification.status,
        "appeal": rectification.appeal, "set_aside": rating.set_aside,
        "status_name": STATUS_NAMES.get(rectification.status, rectification.status),
        "overdue": overdue(rectification.status, rectification.deadline, today),
        "actions": [{"action": row.action, "action_name": ACTION_NAMES.get(row.action, row.action), "note": row.note,
                     "by": row.actor, "at": iso(row.at)} for row in actions],
    }


def clerk_ratings(session: Session, site: Site, clerk_id: int, since_day: dt.date) -> list[dict]:
    """A clerk's own services as rated: the number, item, level and reasons — nothing of who rated."""
    store = SqlRatingStore(session)
    forms: dict[str, RatingForm] = {}
    found = []
    for rating, number in store.ratings_of_clerk(site.id, clerk_id, since_day):
        form = _form_given(store, site, rating, forms)
        service = site.service(rating.service)
        reasons = reasons_of(rating)
        found.append({"number": number, "window": rating.window, "service": rating.service,
                      "service_name": service.name if service else rating.service, "level": rating.level,
                      "level_name": form.level_name(rating.level), "reasons": reasons,
                      "reason_names": form.reason_names(reasons), "at": iso(rating.created_at)})
    return found
