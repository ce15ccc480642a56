"""gunicorn settings for one Yichuang server process.

One worker per gunicorn: a Socket.IO session lives in the process that opened it, and gunicorn hands
connections to its workers at random, so a browser's long-polling requests would land on a worker
that does not know its session. Scale out by running more gunicorns on more ports (systemd unit
yichuang@PORT) behind nginx by the client's address, with Redis (HALL_REDIS_URL) carrying events between them.

So more than one worker (HALL_WORKERS, --workers, -w) is refused at start, with this reason, instead of
breaking the screens silently.

HALL_ASYNC_MODE picks the worker: gevent (default, production) or threading (gthread with
HALL_THREADS threads; each connected screen holds one thread).

SIGHUP (systemctl reload yichuang@PORT) re-reads the hall layout in the worker; see the hooks at the end.

Slow clients: nginx in front drops a client whose request headers or body stall (client_header_timeout,
client_body_timeout in deploy/nginx/yichuang.conf) and hands gunicorn only whole requests, on 127.0.0.1.
gunicorn's own `timeout` is, for the gevent worker, not a request timeout but the worker's heartbeat: a
worker whose event loop is stuck that long is restarted. `graceful_timeout` bounds a restart: WebSockets
stay open all day, so after it the worker is stopped and the screens reconnect (to the other process).
"""

import os
import signal
import sys

ONE_WORKER_ONLY = (
    "yichuang: 每个 gunicorn 进程只能有一个 worker（Socket.IO 会话只存在于一个进程中）；"
    "要扩容请在 nginx（按客户端地址分配）后面多运行几个进程（yichuang@5001、yichuang@5002…，见 deploy/README.md）。"
    " / one gunicorn worker per process: a Socket.IO session lives in one process, and gunicorn would hand a"
    " browser's long-polling requests to workers that do not know it. Scale out with more processes behind"
    " nginx's address hash (systemd yichuang@PORT, see deploy/README.md), not with HALL_WORKERS or --workers"
)


def _workers_from_environment() -> int:
    value = os.environ.get("HALL_WORKERS", "1").strip()
    if value != "1":
        sys.stderr.write(f"{ONE_WORKER_ONLY} (HALL_WORKERS={value!r})\n")
        raise SystemExit(2)
    return 1


async_mode = os.environ.get("HALL_ASYNC_MODE", "gevent")
if async_mode == "gevent":
    worker_class = "gevent"
    worker_connections = int(os.environ.get("HALL_WORKER_CONNECTIONS", "2000"))
else:
    worker_class = "gthread"
    threads = int(os.environ.get("HALL_THREADS", "200"))
raw_env = [f"HALL_ASYNC_MODE={async_mode}"]

workers = _workers_from_environment()
bind = f"{os.environ.get('HALL_HOST', '127.0.0.1')}:{os.environ.get('HALL_PORT', '5000')}"
proc_name = f"yichuang-{os.environ.get('HALL_PORT', '5000')}"

# gevent: the worker's heartbeat, not a per-request limit (slow clients are nginx's job, see above).
timeout = 60
# A restart or stop waits this long for open requests, then ends the worker; below systemd's TimeoutStopSec.
graceful_timeout = 10
# Longer than nginx's upstream keepalive_timeout (60 s), so nginx, not gunicorn, closes idle connections.
keepalive = 75
# X-Forwarded-Proto from nginx on this machine is trusted (the app's ProxyFix handles X-Forwarded-For).
forwarded_allow_ips = os.environ.get("HALL_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Several gunicorns run side by side on one host; the control socket would be one shared path.
control_socket_disable = True

accesslog = os.environ.get("HALL_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("HALL_LOG_LEVEL", "info")


def on_starting(server) -> None:
    """The command line (--workers, -w) overrides this file: check what gunicorn will really run."""
    if server.cfg.workers != 1:
        raise RuntimeError(f"{ONE_WORKER_ONLY} (--workers {server.cfg.workers})")


# SIGHUP (systemctl reload, the unit's ExecReload) re-reads the hall layout; it does not replace the worker.
# gunicorn's own HUP would start a new worker on the new file: a broken file made that worker fail to boot,
# and gunicorn then stops altogether; and every screen of the process would reconnect. So the master
# forwards the signal to its worker, which checks the file and keeps its running layout on any problem
# (server/layout_reload.py). Code upgrades still need a restart.
def when_ready(server) -> None:
    def forward_hangup() -> None:
        server.log.info("Hang up: the worker re-reads the layout (a restart loads new code)")
        server.kill_workers(signal.SIGHUP)

    server.handle_hup = forward_hangup


def post_fork(server, worker) -> None:
    """The worker ignores SIGHUP until its app listens for it (a HUP while it boots would end it)."""
    reset_signals = worker.init_signals

    def init_signals() -> None:
        reset_signals()
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    worker.init_signals = init_signals


def post_worker_init(worker) -> None:
    from server.layout_reload import reload_on_hangup

    reload_on_hangup(worker.wsgi)
