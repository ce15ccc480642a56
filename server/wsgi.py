"""WSGI entry for gunicorn: ``gunicorn -k gevent -w 1 server.wsgi:app``. Under the gevent worker the
standard library is already patched; the hall is wired at import so a bad layout fails the start."""

from server import create_app
from server.bootstrap import boot

app = create_app()
boot(app)
