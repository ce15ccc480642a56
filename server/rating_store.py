"""好差评 in the database: forms kept by version, one rating per ticket (a unique ticket id, so a pad and a phone
rating at once keep exactly one), rectifications and their actions. Each function runs in the caller's
session; none commits, and nothing reads a row and then writes what it read."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.domain.ratings import RatingForm, form_from_content, form_of
from server.domain.rectifications import RectificationSeen
from server.models import Rating, Rectification, RectificationAction, Ticket
from server.models import RatingForm as RatingFormRow


def _insert(session: Session, table):
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


class SqlRatingStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def keep_form(self, form: RatingForm, now: dt.datetime) -> None:
        """The form under its version, once (any number of processes may keep it at once)."""
        self.session.execute(_insert(self.session, RatingFormRow)
                             .values(version=form.version, content=json.dumps(form.content(), ensure_ascii=False),
                                     created_at=now)
                             .on_conflict_do_nothing(index_elements=["version"]))

    def add_rating(self, values: dict) -> Rating | None:
        """The new rating, or None when the ticket has one already (whichever channel came first)."""
        rating_id = self.session.execute(_insert(self.session, Rating).values(**values)
                                         .on_conflict_do_nothing(index_elements=["ticket_id"])
                                         .returning(Rating.id)).scalar_one_or_none()
        if rating_id is None:
            return None
        self._count_on_ticket(values["ticket_id"], values["level"])
        return self.session.get(Rating, rating_id)

    def set_aside(self, rating_id: int) -> None:
        """An appeal upheld (申诉复核): the rating is kept as given and counted no more."""
        rating = self.session.get(Rating, rating_id)
        rating.set_aside = True
        self._count_on_ticket(rating.ticket_id, None)

    def _count_on_ticket(self, ticket_id: str, level: int | None) -> None:
        """The level the statistics count, on the ticket row beside its durations (ix_tickets_statistics):
        the rating's level, or none once it is set aside. Written only here."""
        self.session.execute(update(Ticket).where(Ticket.id == ticket_id).values(rating_level=level)
                             .execution_options(synchronize_session=False))

    def rating_of(self, ticket_id: str) -> Rating | None:
        return self.session.scalar(select(Rating).where(Rating.ticket_id == ticket_id))

    def open_rectification(self, site: str, rating: Rating, deadline: dt.date, now: dt.datetime) -> Rectification:
        row = Rectification(site=site, rating_id=rating.id, deadline=deadline, status="open", created_at=now,
                            updated_at=now)
        self.session.add(row)
        self.session.flush()
        return row

    def rectification(self, site: str, rectification_id: int, lock: bool = False) -> Rectification | None:
        row = self.session.get(Rectification, rectification_id, with_for_update=lock or None)
        return row if row is not None and row.site == site else None

    def add_action(self, rectification: Rectification, action: str, note: str, actor: str,
                   now: dt.datetime) -> None:
        self.session.add(RectificationAction(rectification_id=rectification.id, action=action, note=note, actor=actor,
                                             at=now))
        self.session.flush()

    def form(self, version: str) -> RatingForm | None:
        row = self.session.get(RatingFormRow, version)
        return None if row is None else form_from_content(row.version, json.loads(row.content))

    def rectifications(self, site: str, closed: bool | None, limit: int = 500) -> list[tuple]:
        """(rectification, rating, ticket) rows, the newest first; ``closed`` None: every one."""
        statement = (select(Rectification, Rating, Ticket).join(Rating, Rating.id == Rectification.rating_id)
                     .join(Ticket, Ticket.id == Rating.ticket_id).where(Rectification.site == site))
        if closed is True:
            statement = statement.where(Rectification.status == "closed")
        elif closed is False:
            statement = statement.where(Rectification.status != "closed")
        return list(self.session.execute(statement.order_by(Rectification.id.desc()).limit(limit)).all())

    def actions(self, rectification_ids: list[int]) -> dict[int, list[RectificationAction]]:
        found: dict[int, list[RectificationAction]] = {ident: [] for ident in rectification_ids}
        if rectification_ids:
            for row in self.session.scalars(select(RectificationAction)
                                            .where(RectificationAction.rectification_id.in_(rectification_ids))
                                            .order_by(RectificationAction.id)):
                found[row.rectification_id].append(row)
        return found

    def pending_for_pad(self, site: str, window: str, since: dt.datetime) -> Ticket | None:
        """The window's last ticket finished with an outcome since ``since`` and not rated yet."""
        return self.session.scalar(
            select(Ticket).outerjoin(Rating, Rating.ticket_id == Ticket.id)
            .where(Ticket.site == site, Ticket.window == window, Ticket.outcome.is_not(None),
                   Ticket.finished_at >= since, Rating.id.is_(None))
            .order_by(Ticket.finished_at.desc()).limit(1))

    def ratings_of_clerk(self, site: str, clerk_id: int, since_day: dt.date, limit: int = 200) -> list[tuple]:
        """(rating, ticket number) of a clerk's own services from ``since_day``, the newest first."""
        return list(self.session.execute(
            select(Rating, Ticket.number).join(Ticket, Ticket.id == Rating.ticket_id)
            .where(Rating.site == site, Rating.clerk_id == clerk_id, Ticket.day >= since_day)
            .order_by(Rating.id.desc()).limit(limit)).all())


def open_rectifications_seen(session: Session, site) -> list:
    """The site's rectifications not closed, as the alert rules read them."""
    store = SqlRatingStore(session)
    forms: dict[str, RatingForm] = {}
    seen = []
    for rectification, rating in session.execute(
            select(Rectification, Rating).join(Rating, Rating.id == Rectification.rating_id)
            .where(Rectification.site == site.id, Rectification.status != "closed")
            .order_by(Rectification.id)).all():
        if rating.form_version not in forms:
            forms[rating.form_version] = store.form(rating.form_version) or form_of(site)
        form = forms[rating.form_version]
        window = site.window(rating.window) if rating.window else None
        seen.append(RectificationSeen(rectification.id, rating.window, window.name if window else "窗口",
                                      form.level_name(rating.level), tuple(form.reason_names(json.loads(rating.reasons))),
                                      rectification.status, rectification.deadline))
    return seen
