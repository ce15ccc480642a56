"""Reloading the hall layout while the hall runs; a bad file never takes the hall down.

A reload reads and validates the whole file first. On any problem the running layout stays, and every
problem is logged as ``file: path: reason``; so is a change the hall's day still depends on (a removed window
still open, a removed queue with tickets waiting: ``server.layout_in_use``). A valid file replaces the layout of this process in one
step (``HallContext.layout``, which ``HallServices.layout`` reads), so a request never sees half of each.

What asks for a reload:
- SIGHUP to a server process (``systemctl reload yichuang@PORT``; ``deploy/gunicorn.conf.py`` forwards
  it to the worker instead of replacing the worker). The process then tells the others through Redis,
  and each of them re-reads and validates the same file itself.
- ``flask --app server layout reload`` validates the file, asks every process through Redis, and prints
  what each one answered.

Built at start from the layout, and so changed only by a restart: the printer polls and print queues of
the kiosks (``kiosk.health``, ``kiosk.jobs``) and the list of sites whose alerts are evaluated on a timer
(``server.app``). A reload that changes a kiosk's printer, or adds or removes a site, says so. Screens
already subscribed to a display or site that the new layout drops keep their subscription until they
subscribe again (then: 404)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import signal
import threading
import uuid
from dataclasses import asdict, dataclass, field

from flask import Flask

from layout.loader import LayoutError, load_layout
from layout.model import Layout
from server.extensions import socketio
from server.layout_in_use import removed_but_in_use
from server.wiring import HallServices, hall

log = logging.getLogger(__name__)
EXTENSION = "yichuang.layout_reload"
# Channels on Redis, after the hall's prefix (server.message_queue.hall_channel): reload requests, and what
# each process did.
CHANNEL, REPLIES = "layout", "layout:replies"
LISTEN_RETRY_SECONDS = 2.0


def fingerprint(layout: Layout) -> str:
    """The same on every process that read the same layout (frozen dataclasses: a stable repr)."""
    return hashlib.sha256(repr(layout).encode("utf-8")).hexdigest()[:12]


def counts(layout: Layout) -> str:
    services = sum(len(site.services) for site in layout.sites)
    windows = sum(len(site.windows) for site in layout.sites)
    return f"{len(layout.sites)} sites, {services} services, {windows} windows"


def printers(layout: Layout) -> dict[str, object]:
    return {f"{site.id}/{kiosk.id}": kiosk.printer for site in layout.sites for kiosk in site.kiosks}


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    fingerprint: str  # of the layout this process runs now
    counts: str
    changed: bool = False
    problems: tuple[str, ...] = ()
    restart_needed: tuple[str, ...] = ()
    pid: int = field(default_factory=os.getpid)
    at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    def view(self) -> dict:
        return asdict(self)


class LayoutReloader:
    def __init__(self, services: HallServices, path: str, redis_url: str | None,
                 prefix: str = "yichuang") -> None:
        self._services, self.path, self._redis_url = services, path, redis_url
        self.requests, self.replies = f"{prefix}:{CHANNEL}", f"{prefix}:{REPLIES}"
        self._lock = threading.Lock()
        self._id = uuid.uuid4().hex
        self._stopping = threading.Event()
        self.last: ReloadResult | None = None

    @property
    def running(self) -> str:
        return fingerprint(self._services.layout)

    def reload(self, announce: bool = True, expected: str | None = None) -> ReloadResult:
        """Read, validate and (when valid and different) switch to the layout file; tell the other
        processes when ``announce`` and it changed."""
        with self._lock:
            current = self._services.layout
            try:
                new = load_layout(self.path)
            except LayoutError as error:
                result = self._refused(current, [str(problem) for problem in error.problems])
            except Exception as error:  # whatever the reader trips on, the hall keeps its layout
                log.exception("reading the layout %s failed", self.path)
                result = self._refused(current, [f"{self.path}: (file): {type(error).__name__}: {error}"])
            else:
                result = self._switch(current, new)
            self.last = result
        if result.ok and expected is not None and result.fingerprint != expected:
            log.warning("layout %s here is %s, not %s as announced: the file changed meanwhile, or this "
                        "process has another HALL_LAYOUT", self.path, result.fingerprint, expected)
        if announce and result.changed:
            self._publish(self.requests, {"request": uuid.uuid4().hex, "origin": self._id,
                                    "fingerprint": result.fingerprint, "reply": False})
        return result

    def _refused(self, current: Layout, problems: list[str]) -> ReloadResult:
        for problem in problems:
            log.error("layout refused: %s", problem)
        log.error("layout %s refused (%d problems); the running layout stays (%s, %s)",
                  self.path, len(problems), fingerprint(current), counts(current))
        return ReloadResult(False, fingerprint(current), counts(current), problems=tuple(problems))

    def _switch(self, current: Layout, new: Layout) -> ReloadResult:
        old_print, new_print = fingerprint(current), fingerprint(new)
        if new_print == old_print:
            log.info("layout %s unchanged (%s)", self.path, old_print)
            return ReloadResult(True, old_print, counts(new))
        try:
            in_use = removed_but_in_use(self._services.db, self._services.context.today, current, new)
        except Exception as error:  # the hall's state unknown: keep the layout it runs on
            in_use = [f"{self.path}: the database could not be read to check what the change removes "
                      f"({type(error).__name__}); try again"]
        if in_use:
            return self._refused(current, in_use)
        before, after = printers(current), printers(new)
        restart = [f"kiosk {key}: its printer changed; printer polls and print queues take it after a restart"
                   for key in sorted(before.keys() | after.keys()) if before.get(key) != after.get(key)]
        old_sites, new_sites = {site.id for site in current.sites}, {site.id for site in new.sites}
        if old_sites != new_sites:
            restart.append(f"sites {', '.join(sorted(old_sites ^ new_sites))} added or removed: the alert "
                           f"timers follow after a restart")
        self._services.context.layout = new  # one assignment: HallServices.layout reads the context's
        log.info("layout reloaded from %s: %s (%s, was %s)", self.path, counts(new), new_print, old_print)
        for note in restart:
            log.warning("layout reloaded: %s", note)
        return ReloadResult(True, new_print, counts(new), changed=True, restart_needed=tuple(restart))

    # -- between processes ---------------------------------------------------------------------------
    def _redis(self, **options):
        import redis

        return redis.Redis.from_url(self._redis_url, **options)

    def _publish(self, channel: str, message: dict) -> None:
        if not self._redis_url:
            return
        try:
            self._redis(socket_timeout=1.0, socket_connect_timeout=1.0).publish(channel, json.dumps(message))
        except Exception as error:  # the other processes keep their layout; a reload there still works
            log.error("cannot tell the other processes about the new layout (%s); reload them too", error)

    def start(self) -> None:
        if self._redis_url:
            socketio.start_background_task(self._listen)

    def stop(self) -> None:
        self._stopping.set()

    def _listen(self) -> None:
        while not self._stopping.is_set():
            try:
                pubsub = self._redis(socket_connect_timeout=2.0, health_check_interval=30).pubsub(
                    ignore_subscribe_messages=True)
                pubsub.subscribe(self.requests)
                while not self._stopping.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is not None:
                        self._on_request(message["data"])
                pubsub.close()
            except Exception as error:  # Redis away: listen again soon
                log.warning("layout reloads from other processes unheard (%s); retrying", error)
                socketio.sleep(LISTEN_RETRY_SECONDS)

    def _on_request(self, data) -> None:
        try:
            request = json.loads(data)
            origin, wanted = request.get("origin"), request.get("fingerprint")
        except (ValueError, AttributeError):
            return
        if origin == self._id:
            return
        result = self.reload(announce=False, expected=wanted)
        if request.get("reply"):
            self._publish(self.replies, {"request": request.get("request"), **result.view()})


def startup_layout(app: Flask) -> Layout:
    """The layout a new app starts with. A server refuses to start on a bad file (nothing runs yet that a
    bad file could keep running); a ``flask`` command runs without it, so that ``layout check``, ``layout
    reload`` and the account commands still work and say what is wrong."""
    given = app.config.get("LAYOUT_OBJECT")
    if given is not None:
        return given
    try:
        return load_layout(app.config["LAYOUT"])
    except LayoutError as error:
        if os.environ.get("FLASK_RUN_FROM_CLI") != "true":
            raise
        log.warning("layout %s has %d problems; this command runs without it", app.config["LAYOUT"],
                    len(error.problems))
        return Layout(sites=(), source=str(app.config["LAYOUT"]))


def reloader(app: Flask) -> LayoutReloader:
    return app.extensions[EXTENSION]


def wire(app: Flask, services: HallServices) -> LayoutReloader:
    """The composition root's call: the reloader of this process, started and stopped with the app."""
    instance = LayoutReloader(services, app.config["LAYOUT"], app.config.get("REDIS_URL"),
                              app.config.get("REDIS_CHANNEL", "yichuang"))
    app.extensions[EXTENSION] = instance
    services.started.append(instance.start)
    services.stopped.append(instance.stop)
    return instance


def reload_on_hangup(app: Flask) -> None:
    """SIGHUP re-reads the layout (the gunicorn worker calls this once the app is loaded)."""
    instance = reloader(app)

    def on_hangup(_signum, _frame) -> None:
        socketio.start_background_task(instance.reload)

    signal.signal(signal.SIGHUP, on_hangup)
    log.info("SIGHUP re-reads the layout %s", instance.path)


def health(app: Flask) -> dict:
    """What /healthz says of the layout: the one this process runs, and how the last reload went."""
    instance = app.extensions.get(EXTENSION)
    layout = hall(app).layout
    body: dict = {"fingerprint": fingerprint(layout), "counts": counts(layout)}
    if instance is not None and instance.last is not None:
        last = instance.last
        body["last_reload"] = {"ok": last.ok, "at": last.at, "changed": last.changed,
                               "problems": len(last.problems)}
    return body
