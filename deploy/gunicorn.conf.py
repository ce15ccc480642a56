"""gunicorn settings: one gevent worker per process (Socket.IO sessions live in one process; scale by
running more processes behind nginx ip_hash, with Redis as the message queue)."""

import os

worker_class = "gevent"
workers = int(os.environ.get("HALL_WORKERS", "1"))
worker_connections = 2000
bind = f"{os.environ.get('HALL_HOST', '127.0.0.1')}:{os.environ.get('HALL_PORT', '5000')}"
timeout = 60
graceful_timeout = 10
keepalive = 5
accesslog = os.environ.get("HALL_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("HALL_LOG_LEVEL", "info")
raw_env = ["HALL_ASYNC_MODE=gevent"]
