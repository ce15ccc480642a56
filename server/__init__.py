"""Yichuang (一窗) server. ``create_app`` lives in ``server.app``, the composition root; it is named here
for ``flask --app server`` and imported only when called, so that ``import server.domain`` stays free
of Flask and of the screen packages."""

from __future__ import annotations


def create_app(config: dict | None = None):
    from server.app import create_app as build

    return build(config)
