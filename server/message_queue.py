"""The Redis message queue that carries Socket.IO events between server processes, hardened for a Redis
that is down or frozen: a call is committed before it is announced, so publishing must never hold the
clerk's request for long. Screens that missed events see a gap in ``seq`` and resubscribe.

Every event for this process's clients, its own and the other processes', goes through a
``RoomSequencer`` (``server.event_order``), so each subscriber hears its stream in seq order."""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import threading
import time

from socketio import Manager, RedisManager

from server.event_order import DEFAULT_HOLD_SECONDS, RoomSequencer
from server.publisher import public_room, staff_room

log = logging.getLogger(__name__)

PUBLISH_TIMEOUT_SECONDS = 0.5  # a publish on the LAN takes well under a millisecond
PUBLISH_PAUSE_SECONDS = 5.0  # after a failure, skip Redis for this long instead of timing out per event
LISTEN_RETRY_MAX_SECONDS = 5.0  # the stock manager backs off to 60 s; screens would stay deaf that long
PUBLISH_BATCH = 200  # emits per Redis message at most
BUNDLE = "yichuang_bundle"  # a Redis message holding several emits, in order
NUMBERED_ROOMS = (public_room(""), staff_room(""))  # the rooms whose events carry a gapless seq


def hall_channel(database_url: str) -> str:
    """The Redis channel prefix of one hall, ``yichuang:<key>``: HALL_REDIS_CHANNEL, else a key of the hall's
    database. Redis pub/sub channels ignore the database number of the URL, so two halls (or a trial and the
    live hall) on one Redis would otherwise hear each other's events; the processes of one hall read the same
    environment file, and so the same HALL_DATABASE_URL."""
    configured = os.environ.get("HALL_REDIS_CHANNEL", "").strip()
    if configured:
        return configured
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    where = (url.get_backend_name(), url.host or "", url.port or "", url.database or "",
             sorted((key, str(value)) for key, value in url.query.items()))
    return "yichuang:" + hashlib.sha256(repr(where).encode("utf-8")).hexdigest()[:12]


def hold_seconds_from_environment() -> float:
    """HALL_EVENT_HOLD_SECONDS: how long an event ahead of a missing seq waits for it (default 0.5 s)."""
    raw = os.environ.get("HALL_EVENT_HOLD_SECONDS", "").strip() or str(DEFAULT_HOLD_SECONDS)
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 10:
        raise ValueError(f"HALL_EVENT_HOLD_SECONDS 应为 0 到 10 秒 / HALL_EVENT_HOLD_SECONDS must be seconds "
                         f"in (0, 10], not {raw!r}")
    return value


def quick_failing_options(timeout: float) -> dict:
    """redis-py client options that give up after ``timeout`` seconds; its default retries three times
    with backoff, so a frozen Redis would cost four timeouts per command."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return {"socket_timeout": timeout, "socket_connect_timeout": timeout, "retry": Retry(NoBackoff(), 0)}


def has_members(manager, namespace: str | None, room) -> bool:
    """Whether this process has a client in ``room`` (a room with nobody left in it is removed)."""
    if not isinstance(room, str):
        return True  # everyone, or several rooms: let the library see
    return bool(manager.rooms.get(namespace or "/", {}).get(room))


class HallManager(Manager):
    """The single process's manager. An emit to a room nobody here is in costs nothing: the library would
    encode the packet first and only then find no one to send it to (a hall whose screens subscribe with
    ``batch`` leaves every per-event public room empty)."""

    def emit(self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kwargs):
        if not has_members(self, namespace, to or room):
            return None
        return super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, to=to,
                            **kwargs)


class HallRedisManager(RedisManager):
    """Publishes from a sender task, with timeouts and a short pause after a failure; listens on a
    connection of its own that has no read timeout (it waits for messages) and reconnects within seconds."""

    def __init__(self, url: str, channel: str = "yichuang",
                 hold_seconds: float = DEFAULT_HOLD_SECONDS) -> None:
        super().__init__(url, channel=channel)
        self.sequencer = RoomSequencer(self._deliver, self._run_later, hold_seconds)
        self._publisher = None
        self._paused_until = 0.0
        self._outbox: queue.Queue = queue.Queue()
        self._sender_started = False
        self._sender_lock = threading.Lock()

    def _handle_emit(self, message) -> None:
        """Every emit for this process's clients, local (the committing request) or from Redis."""
        seq = numbered(message)
        if seq is None:
            self._deliver(message)
        else:
            self.sequencer.offer(message["room"], seq, message, span_of(message))

    def _deliver(self, message) -> None:
        """To this process's clients in the message's room, if it has any (see HallManager)."""
        if has_members(self, message.get("namespace"), message.get("room")):
            super()._handle_emit(message)

    def _run_later(self, delay: float, function) -> None:
        def later() -> None:
            self.server.sleep(delay)
            function()

        self.server.start_background_task(later)

    def _publisher_client(self):
        if self._publisher is None:
            module = self._get_redis_module()
            self._publisher = module.Redis.from_url(self.redis_url, **quick_failing_options(PUBLISH_TIMEOUT_SECONDS))
        return self._publisher

    def _publish(self, data) -> None:
        """Queue the message for the sender task: the request that emitted it (holding the hall's serial
        section) never waits for Redis; messages leave in order, many per Redis message."""
        if time.monotonic() < self._paused_until:
            return  # Redis failed a moment ago; local clients already have the event
        self._outbox.put(self.json.dumps(data))  # encoded here: a payload that cannot be fails its emit
        if not self._sender_started:
            with self._sender_lock:
                if not self._sender_started:
                    self._sender_started = True
                    self.server.start_background_task(self._send_forever)

    def _send_forever(self) -> None:
        while True:
            batch = [self._outbox.get()]
            while len(batch) < PUBLISH_BATCH:
                try:
                    batch.append(self._outbox.get_nowait())
                except queue.Empty:
                    break
            if time.monotonic() < self._paused_until:
                continue
            try:
                # What queued up meanwhile (a commit's emits: the events to every room) goes as one Redis
                # message: one publish, and one read and one parse in every process, instead of one each.
                message = batch[0] if len(batch) == 1 else \
                    f'{{"method":"{BUNDLE}","messages":[{",".join(batch)}]}}'
                self._publisher_client().publish(self.channel, message)
            except Exception as exc:  # any Redis failure: the events stay local, requests go on
                self._paused_until = time.monotonic() + PUBLISH_PAUSE_SECONDS
                self._publisher = None
                log.error("cannot publish to Redis (%s); other processes miss events for %.0f s",
                          exc, PUBLISH_PAUSE_SECONDS)

    def _listen(self):
        """Each message from Redis, a bundle's in their order (the library's listener takes them as dicts)."""
        for raw in super()._listen():
            try:
                data = self.json.loads(raw)
            except ValueError:
                continue
            if isinstance(data, dict) and data.get("method") == BUNDLE and isinstance(data.get("messages"), list):
                yield from (message for message in data["messages"] if isinstance(message, dict))
            elif isinstance(data, dict):
                yield data

    def _redis_listen_with_retries(self):
        retry_sleep = 0.5
        subscribed = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    self.pubsub.subscribe(self.channel)
                    subscribed = True
                    if retry_sleep > 0.5:
                        log.info("listening to Redis again")
                    retry_sleep = 0.5
                yield from self.pubsub.listen()
            except Exception as exc:  # Redis went away: retry soon, it usually comes back quickly
                log.error("cannot receive from Redis (%s); retrying in %.1f s", exc, retry_sleep)
                subscribed = False
                time.sleep(retry_sleep)
                retry_sleep = min(retry_sleep * 2, LISTEN_RETRY_MAX_SECONDS)


def span_of(message: dict) -> int:
    """How many seqs a numbered emit carries: a batch (``events``, server.publisher) from ``seq`` to ``last``."""
    payload = message["data"][0]
    last = payload.get("last") if message.get("event") == "events" else None
    return last - payload["seq"] + 1 if isinstance(last, int) and last >= payload["seq"] else 1


def numbered(message: dict) -> int | None:
    """The seq of an emit to a numbered room (a site's public or staff room), else None."""
    room, data = message.get("room"), message.get("data")
    if not (isinstance(room, str) and room.startswith(NUMBERED_ROOMS) and isinstance(data, list) and data):
        return None
    payload = data[0]
    seq = payload.get("seq") if isinstance(payload, dict) else None
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else None
