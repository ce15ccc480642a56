"""WSGI entry for gunicorn: ``gunicorn -k gevent -w 1 server.wsgi:app``. Under the gevent worker the
standard library is already patched; the hall is wired and started at import, so a bad layout fails
the start.

Everything built at start (the layout, SQLAlchemy's mappers, Flask and the libraries: about
320,000 objects) lives as long as the process, so it is moved out of the cyclic garbage collector's
reach: a full collection of that heap takes about 96 ms here, and would stop every screen of the process
while it runs; after the freeze it takes well under a millisecond."""

import gc

from server.app import create_app, start

app = start(create_app())
gc.collect()
gc.freeze()
