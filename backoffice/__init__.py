"""Cases (办件) on paper and on screens: the back office's page /backoffice/<site> (a department's open
cases with days left; decide, ready, mailed), the holder's tracking page /c/<case id> on the phone, and the
window's printable documents (受理通知书, 一次性告知书, 不予受理凭证) at /documents/<ticket id>. ``register(app)``
is called by the composition root."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from backoffice.routes import pages

    app.register_blueprint(pages)
