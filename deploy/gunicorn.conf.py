"""gunicorn settings for one Yichuang server process.

One worker per gunicorn: a Socket.IO session lives in the process that opened it, and gunicorn hands
connections to its workers at random, so a browser's long-polling requests would land on a worker
that does not know its session. Scale out by running more gunicorns on more ports (systemd unit
yichuang@PORT) behind nginx with ip_hash, with Redis (HALL_REDIS_URL) carrying events between them.

HALL_ASYNC_MODE picks the worker: gevent (default, production) or threading (gthread with
HALL_THREADS threads; each connected screen holds one thread).
"""

import os

async_mode = os.environ.get("HALL_ASYNC_MODE", "gevent")
if async_mode == "gevent":
    worker_class = "gevent"
    worker_connections = int(os.environ.get("HALL_WORKER_CONNECTIONS", "2000"))
else:
    worker_class = "gthread"
    threads = int(os.environ.get("HALL_THREADS", "200"))
raw_env = [f"HALL_ASYNC_MODE={async_mode}"]

workers = int(os.environ.get("HALL_WORKERS", "1"))
bind = f"{os.environ.get('HALL_HOST', '127.0.0.1')}:{os.environ.get('HALL_PORT', '5000')}"
proc_name = f"yichuang-{os.environ.get('HALL_PORT', '5000')}"

timeout = 60
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
