"""Counter (窗口工作台): the clerk's page at a window — open, pause, close; call next, recall, no-show,
start, finish with the outcome, transfer; the queues waiting for the window."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from counter.routes import pages

    app.register_blueprint(pages)
    from counter import pad  # the rating pad (评价器) of each window, /rate/<site>/<window>

    pad.register(app)
