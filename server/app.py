"""The composition root: ``create_app`` builds the whole hall once — configuration, Socket.IO, the
database, the layout, the message bus with its handlers and subscribers, and every screen package — with
explicit imports. It is the one module of ``server`` that knows the screen packages; ``start`` and
``stop`` run the background work (printer polls, print workers) of a serving process."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix

import backoffice
import counter
import display.wiring
import kiosk
import manage
from server import (
    case_wiring,
    common_assets,
    layout_reload,
    layout_reload_cli,
    ops,
    realtime,
    security,
    vendor,
)
from server.alert_watch import AlertWatch
from server.api import bp as api_blueprint
from server.api import inbound
from server.api.errors import register_error_handlers
from server.appointment_sweep import MISSED_SWEEP, wire_missed_sweep
from server.assignment_watch import assignments_due, ending_assignments_first
from server.cli import register_cli
from server.config import ROOT, from_environment
from server.cpu import set_async_mode
from server.database_limits import TimedLock, limits_from_environment
from server.day_boundary import wire_day_closing
from server.db import SCHEMA_RETRY_SECONDS, Database
from server.event_metrics import EventCounter
from server.extensions import limiter, socketio
from server.message_queue import (
    HallManager,
    HallRedisManager,
    hall_channel,
    hold_seconds_from_environment,
    quick_failing_options,
)
from server.publisher import SocketPublisher
from server.rating_rooms import wire_rating_rooms
from server.schema import upgrade
from server.service_layer.context import HallContext
from server.service_layer.handlers import HANDLERS
from server.service_layer.messagebus import MessageBus
from server.service_layer.queries import HallQueries
from server.service_layer.unit_of_work import SiteLocks, SqlUnitOfWork
from server.staff_sessions import EXTENSION as STAFF_SESSIONS
from server.staff_sessions import StaffSessions
from server.wiring import EXTENSION, HallServices, hall

log = logging.getLogger(__name__)


def create_app(config: dict | None = None) -> Flask:
    app = Flask("server", instance_path=str(ROOT / "instance"), static_folder=None)  # pages serve their own
    app.config.update(from_environment(Path(app.instance_path)))
    app.config.update(config or {})
    app.config.setdefault("DATABASE_LIMITS", limits_from_environment())
    app.config.setdefault("EVENT_HOLD_SECONDS", hold_seconds_from_environment())
    app.config.setdefault("REDIS_CHANNEL", hall_channel(app.config["DATABASE_URL"]))
    inbound.install(app)  # first: the URL converters hold for every rule added after it
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    _init_extensions(app)

    services = _build_hall(app)
    app.extensions[EXTENSION] = services
    layout_reload.wire(app, services)
    wire_day_closing(services, socketio.start_background_task, app.config.get("DAY_CHECK_SECONDS", 60.0))
    app.extensions[MISSED_SWEEP] = wire_missed_sweep(services, socketio.start_background_task,
                                                     app.config.get("APPOINTMENT_SWEEP_SECONDS", 60.0))
    kiosk.register(app, socketio, services)
    counter.register(app)
    manage.register(app)
    backoffice.register(app)
    display.wiring.register(app, socketio, services)
    case_wiring.register(app, socketio, services, public_url)
    realtime.register_events(socketio)
    app.register_blueprint(api_blueprint)
    register_error_handlers(app)
    register_cli(app)
    layout_reload_cli.register(app)
    ops.register(app)
    vendor.register(app)
    common_assets.register(app)
    security.register(app)
    log.info("hall ready: %d sites from %s", len(services.layout.sites), app.config["LAYOUT"])
    return app


def _init_extensions(app: Flask) -> None:
    set_async_mode(app.config["ASYNC_MODE"])
    queue = {"client_manager": HallManager()}
    if app.config["REDIS_URL"]:
        channel, hold = f"{app.config['REDIS_CHANNEL']}:socketio", app.config["EVENT_HOLD_SECONDS"]
        queue["client_manager"] = HallRedisManager(app.config["REDIS_URL"], channel, hold_seconds=hold)
    socketio.init_app(app, async_mode=app.config["ASYNC_MODE"], cors_allowed_origins=app.config.get("CORS_ORIGINS"),
                      ping_interval=10, ping_timeout=10, json=app.json, **queue)
    app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"] or "memory://"
    # Redis down or frozen must not stop the kiosks: count in memory until it answers again. A limiter
    # failure costs two storage calls, and the LAN answers in well under a millisecond.
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", quick_failing_options(0.25))
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)
    # Every limit here is a route's own, checked by its decorator; the limiter's check before every request
    # would find nothing more to apply, at about a twentieth of a call's CPU.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    if app.config.get("PROXY_HOPS"):
        # Outside the Socket.IO middleware, so it and Flask both see the client's address and scheme.
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _build_hall(app: Flask) -> HallServices:
    # The schema is upgraded now, or as soon as the database answers (503 database_unavailable until then).
    db = Database(app.config["DATABASE_URL"], app.config["DATABASE_LIMITS"], prepare=upgrade)
    db.schema.try_now()
    layout = layout_reload.startup_layout(app)
    context = HallContext(layout=layout, ignore_hours=app.config["IGNORE_HOURS"],
                          status_url=lambda ticket_id: public_url(app, f"/t/{ticket_id}"))
    if app.config.get("CLOCK") is not None:
        context.clock = app.config["CLOCK"]
    locks, busy = SiteLocks(), app.config["DATABASE_LIMITS"].busy
    bus = MessageBus(lambda site: SqlUnitOfWork(db, site, TimedLock(locks(site), busy), context.clock),
                     context, HANDLERS, announcers=[SocketPublisher(socketio)])
    events = EventCounter()
    bus.subscribe_all(events)
    wire_rating_rooms(bus, socketio, db, context)  # 好差评: the pads' and phones' rooms, after the commit
    services_started, services_stopped = [], []
    sessions = StaffSessions(app, app.config.get("STAFF_RECHECK_SECONDS", 30.0), socketio.start_background_task,
                             socketio.sleep)
    app.extensions[STAFF_SESSIONS] = sessions
    services_started.append(sessions.start)
    services_stopped.append(sessions.stop)
    if app.config.get("ALERT_SECONDS"):
        rounds = ending_assignments_first(bus.handle, lambda site: assignments_due(db, context, site))
        watch = AlertWatch(rounds, [site.id for site in layout.sites], app.config["ALERT_SECONDS"],
                           socketio.start_background_task, socketio.sleep)
        bus.subscribe_all(watch)
        services_started.append(watch.start)
        services_stopped.append(watch.stop)
    return HallServices(db=db, context=context, bus=bus, queries=HallQueries(db, context),
                        event_counts=events.counts, started=services_started, stopped=services_stopped)


def public_url(app: Flask, path: str) -> str:
    """An absolute URL for phones (the ticket QR): HALL_PUBLIC_URL, else the host the request came to."""
    base = app.config.get("PUBLIC_URL")
    if not base and has_request_context():
        base = request.host_url
    return f"{base.rstrip('/')}{path}" if base else path


def start(app: Flask) -> Flask:
    """Start the background work of a serving process (printer polls, print workers); while the database
    is away, as soon as it answers again (the schema is upgraded first)."""
    services = hall(app)
    if services.db.schema.ready:
        _begin(services)
    else:
        socketio.start_background_task(_begin_when_the_database_answers, services)
    return app


def _begin(services: HallServices) -> None:
    for begin in services.started:
        begin()


def _begin_when_the_database_answers(services: HallServices) -> None:
    while not services.db.schema.ready:
        socketio.sleep(SCHEMA_RETRY_SECONDS)
        if services.db.schema.closed:
            return
        if services.db.schema.ready or services.db.schema.try_now():
            break
    _begin(services)


def stop(app: Flask) -> None:
    """Stop the background work and close the database's connections (tests, shutdown)."""
    services = hall(app)
    for end in services.stopped:
        end()
    services.db.dispose()
