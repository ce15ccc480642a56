"""psycopg 3 under gevent: every wait for PostgreSQL goes through gevent's hub (``cooperative_psycopg_waits``,
called when a PostgreSQL engine is made), whichever of psycopg and gevent's patching came first."""

from __future__ import annotations

import logging
import sys
import time
from select import POLLIN, POLLOUT

log = logging.getLogger(__name__)


def cooperative_psycopg_waits() -> bool:
    """Make psycopg wait for PostgreSQL through gevent's hub when gevent has patched ``select``.

    psycopg chooses its wait function when it is first imported: imported after gevent's monkey
    patching (the gunicorn gevent worker) it waits with the patched ``select.poll`` and queries overlap;
    imported before (a preloaded app, a script that patches late) it keeps its C ``wait_c``, which
    blocks the whole process for the length of every query. Either way it is switched to ``gevent_wait``
    (below), which waits on the hub's own watcher: the patched ``select.poll`` builds a poll object and
    its watchers on every round trip, about a fifth of a production server's CPU. Returns True when
    waits cooperate."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is None or not monkey.is_module_patched("select"):
        return False
    import selectors

    from psycopg import waiting

    if waiting.wait is getattr(waiting, "wait_c", None):
        log.warning("psycopg was imported before gevent patched select; switching it to cooperative waits")
        waiting.DefaultSelector = selectors.DefaultSelector  # used while connecting
    waiting.wait = gevent_wait
    return True


def gevent_wait(gen, fileno: int, interval: float = 0.0, timeout: float | None = None):
    """psycopg's wait function (as ``psycopg.waiting.wait_poll``: same arguments, same answers and
    errors) on gevent's hub: a non-blocking ``poll`` first (a write is mostly ready at once), then the
    hub's io watcher for the socket, for at most ``interval`` at a time."""
    Timeout, get_hub, errors, (ready_none, ready_r, ready_w), events = _gevent_parts or _load_gevent_parts()

    def ready_now(mask: int) -> int:
        # poll, not select: select refuses a file number from 1024 on, which a worker holding a thousand
        # screens' and phones' sockets gives its next database connection
        poller = _original_poll()
        poller.register(fileno, (POLLIN if mask & 1 else 0) | (POLLOUT if mask & 2 else 0))
        found = poller.poll(0)
        if not found:
            return 0
        happened = found[0][1]
        ready = (ready_r if happened & POLLIN else 0) | (ready_w if happened & POLLOUT else 0)
        if not ready:  # POLLHUP, POLLERR or POLLNVAL alone: as psycopg's own poll wait says
            raise errors.OperationalError("connection socket closed")
        return ready

    hub = get_hub()
    deadline = time.monotonic() + timeout if timeout is not None else None
    try:
        state = next(gen)
        while True:
            mask = events[state]
            ready = ready_now(mask)
            if not ready:
                pause = max(interval, 0.0) if deadline is None else max(0.0, min(interval, deadline - time.monotonic()))
                watcher = hub.loop.io(fileno, mask)
                try:
                    with Timeout(pause, False):
                        hub.wait(watcher)
                finally:
                    watcher.close()
                ready = ready_now(mask)
            if ready:
                state = gen.send(ready)
            else:
                gen.send(ready_none)
            if deadline is not None and time.monotonic() >= deadline:
                raise errors._WaitTimeout("wait timeout expired")
    except StopIteration as stop:
        return stop.value


_gevent_parts = None


def _load_gevent_parts():
    """What gevent_wait uses, imported once (an import statement on every round trip cost ~2 % of the CPU)."""
    global _gevent_parts
    from gevent import Timeout
    from gevent.hub import get_hub
    from psycopg import errors
    from psycopg.waiting import READY_NONE, READY_R, READY_W, WAIT_R, WAIT_RW, WAIT_W

    _gevent_parts = (Timeout, get_hub, errors, (READY_NONE, READY_R, READY_W),
                     {WAIT_R: 1, WAIT_W: 2, WAIT_RW: 3})  # libev READ, WRITE
    return _gevent_parts


def _original_poll():
    global _poll_function
    if _poll_function is None:
        from gevent import monkey

        _poll_function = monkey.get_original("select", "poll")
    return _poll_function()


_poll_function = None
