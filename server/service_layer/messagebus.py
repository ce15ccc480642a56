"""The message bus: a command goes to its one handler inside a unit of work; what the commit recorded
goes to the handlers subscribed to each event.

Two kinds of subscriber: *announcers* run in commit order, still inside the site's serial section
(the screens' fan-out: each subscriber hears a site's events in seq order; an announcer with a ``commit(site)``
method hears when a commit's events are all announced); *reactions* run after it
(printing, metrics, and later alerts, ratings, cases). A failing subscriber is logged and never undoes
the commit: committed is committed, and screens catch up from the snapshot when they resubscribe."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from server.domain.commands import Command
from server.domain.events import Event
from server.service_layer.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
Handler = Callable[[Any, UnitOfWork, Any], Any]
Subscriber = Callable[[Event], None]


class MessageBus:
    def __init__(self, unit_of_work: Callable[[str], UnitOfWork], context: Any,
                 handlers: dict[type[Command], Handler],
                 announcers: list[Subscriber] | None = None,
                 reactions: dict[type[Event], list[Subscriber]] | None = None) -> None:
        self._unit_of_work = unit_of_work
        self.context = context
        self._handlers = dict(handlers)
        self._announcers = list(announcers or [])
        self._reactions: dict[type[Event], list[Subscriber]] = defaultdict(list)
        for event_type, subscribers in (reactions or {}).items():
            self._reactions[event_type].extend(subscribers)
        self._every: list[Subscriber] = []

    def subscribe(self, event_type: type[Event], subscriber: Subscriber) -> None:
        """Add a reaction (the composition root does, while it wires the app)."""
        self._reactions[event_type].append(subscriber)

    def subscribe_all(self, subscriber: Subscriber) -> None:
        """A reaction to every event (metrics)."""
        self._every.append(subscriber)

    def handle(self, command: Command) -> Any:
        """Run the command's handler in one transaction; returns what the handler returned."""
        handler = self._handlers[type(command)]
        with self._unit_of_work(command.site) as uow:
            result = handler(command, uow, self.context)
            uow.commit()
            events = uow.collect()
            for event in events:
                self._notify(self._announcers, event)
            for site in dict.fromkeys(event.site for event in events):
                self._commit_done(site)
        for event in events:
            self._notify(self._reactions.get(type(event), ()), event)
            self._notify(self._every, event)
        return result

    def _commit_done(self, site: str) -> None:
        """Announcers that gather a commit's events (one frame per commit) hear that it is complete."""
        for announcer in self._announcers:
            done = getattr(announcer, "commit", None)
            if done is None:
                continue
            try:
                done(site)
            except Exception:
                log.exception("%s failed at the end of a commit of %s", type(announcer).__name__, site)

    def _notify(self, subscribers, event: Event) -> None:
        for subscriber in subscribers:
            try:
                subscriber(event)
            except Exception:
                log.exception("%s failed on %s of %s", getattr(subscriber, "__qualname__", subscriber),
                              type(event).__name__, event.site)
